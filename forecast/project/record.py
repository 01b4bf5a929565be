"""The running record: the largest run published by the end of each year.

The fitted trend is the middle of the frontier runs (the top-n at their release): single
runs scatter around it, and the largest of a year's runs sits above it. The record is
modelled as what the trend and its scatter imply for the maximum of the runs a year
brings: per draw, frontier runs arrive at the rate seen in the data (a Poisson number a
year), each at the trend plus a Student-t deviation with the fitted intrinsic scatter,
and the record at the end of a year is the largest run published so far. Its distance
above the trend settles within a few years (older runs fall behind the trend by its
slope a year); each draw takes that distance from one simulated path after it has
settled. The record is then the trend shifted up by that distance, never below the
largest run already in the data, so the ceilings stay log-linear in time and are met by
the record.

Chosen over a trend fitted to the record setters themselves by held-out skill: in the
rolling backtest (:mod:`forecast.analysis.rolling`, cutoffs 2014-2024) a least-squares line
through the year-end records held its 80% interval 38-64% of the time at 1 to 5 years
ahead, with a CRPS of 0.45-0.99 OOM; this model held it 73-90% of the time, CRPS 0.32-0.35
(the example report's backtest.json).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Years of recent data whose frontier runs give the arrival rate.
RATE_WINDOW_YEARS = 5.0
#: Years simulated before the record's distance above the trend is read: long enough for
#: the running maximum to forget its start (at 0.5 OOM a year, a run 8 years old is 4 OOM
#: behind the trend and never the record).
SETTLE_YEARS = 8


@dataclass(frozen=True)
class RecordModel:
    """How far the running record sits above the trend, per draw.

    Attributes
    ----------
    offset_log10 : numpy.ndarray
        Per draw, the record's distance above the trend (log10 FLOP), one settled sample.
    runs_per_year : float
        The arrival rate of frontier runs used.
    floor_log10 : float
        log10 FLOP of the largest run already in the data (the record cannot be smaller).
    floor_name : str
        That run's name.
    """

    offset_log10: np.ndarray
    runs_per_year: float
    floor_log10: float
    floor_name: str


def runs_per_year(runs: pd.DataFrame, window: float = RATE_WINDOW_YEARS) -> float:
    """Frontier runs a year over the last ``window`` years of ``runs`` (column ``t``)."""
    t = runs["t"].to_numpy(dtype=float)
    if not t.size:
        return 0.0
    end = float(t.max())
    return float(np.sum(t > end - window)) / window


def record_offsets(
    slope: np.ndarray,
    sigma: np.ndarray,
    nu: np.ndarray,
    rate: float,
    rng: np.random.Generator,
    years: int = SETTLE_YEARS,
) -> np.ndarray:
    """Per draw, the running record's distance above the trend after ``years`` years.

    Parameters
    ----------
    slope : numpy.ndarray
        The trend's slope per draw (log10 per year), shape (S,).
    sigma, nu : numpy.ndarray
        The trend's intrinsic scatter (log10) and Student-t degrees of freedom per draw.
    rate : float
        Frontier runs a year (Poisson).
    rng : numpy.random.Generator
        The run's generator.
    years : int
        Years simulated.

    Returns
    -------
    numpy.ndarray
        Shape (S,): the record at the end of the last year minus the trend there (log10).
        0 in a draw where no run arrived at all (only with a rate near zero): then the
        record is taken to follow the trend.
    """
    slope = np.asarray(slope, dtype=float)
    s = slope.shape[0]
    if rate <= 0:
        return np.zeros(s)
    # Enough slots for the busiest year: a Poisson count exceeds its mean by 10 standard
    # deviations plus 10 with a probability below 1e-9 (scipy.stats is not imported for
    # this: it would add a third of a second to every run).
    slots = int(rate + 10.0 * np.sqrt(rate) + 10.0)
    counts = rng.poisson(rate, size=(s, years))
    when = rng.random((s, years, slots))  # position in the year, 0 = start
    dev = rng.standard_t(np.asarray(nu, dtype=float)[:, None, None], size=(s, years, slots))
    dev = dev * np.asarray(sigma, dtype=float)[:, None, None]
    # A run published a fraction w into year j is behind the trend at the end of the last
    # year by slope * ((years - 1 - j) + (1 - w)).
    lag = (years - 1 - np.arange(years))[None, :, None] + (1.0 - when)
    value = dev - slope[:, None, None] * lag
    present = np.arange(slots)[None, None, :] < counts[:, :, None]
    value = np.where(present, value, -np.inf)
    best = value.max(axis=(1, 2))
    return np.where(np.isfinite(best), best, 0.0)


def record_model(
    runs: pd.DataFrame,
    slope: np.ndarray,
    sigma: np.ndarray,
    nu: np.ndarray,
    rng: np.random.Generator,
) -> RecordModel:
    """The record model of the selected ``runs`` (``name``, ``t``, ``compute_flop``).

    Parameters
    ----------
    runs : pandas.DataFrame
        The frontier runs the trend is fitted to.
    slope, sigma, nu : numpy.ndarray
        Per projection draw: the trend's slope, intrinsic scatter and Student-t nu.
    rng : numpy.random.Generator
        The run's generator.
    """
    rate = runs_per_year(runs)
    offsets = record_offsets(slope, sigma, nu, rate, rng)
    flop = runs["compute_flop"].to_numpy(dtype=float)
    if flop.size:
        i = int(np.argmax(flop))
        floor, name = float(np.log10(flop[i])), str(runs["name"].iloc[i])
    else:
        floor, name = -np.inf, ""
    return RecordModel(offsets, rate, floor, name)


def first_past(runs: pd.DataFrame, log10_flop) -> dict[str, np.ndarray]:
    """The first model in ``runs`` (``name``, ``date``, ``t``, ``compute_flop``, ``stage``)
    at or above each threshold: its decimal year (NaN if none), name, date and stage, one
    entry per threshold. Ties in date go to the larger run."""
    x = np.asarray(log10_flop, dtype=float)
    out = {
        "t": np.full(x.size, np.nan),
        "run": np.full(x.size, "", dtype=object),
        "date": np.full(x.size, "", dtype=object),
        "stage": np.full(x.size, "", dtype=object),
    }
    if not len(runs):
        return out
    order = runs.sort_values(["t", "compute_flop"], ascending=[True, False], kind="stable")
    flop = np.log10(order["compute_flop"].to_numpy(dtype=float))
    for i, level in enumerate(x):
        past = np.flatnonzero(flop >= level)
        if past.size:
            row = order.iloc[past[0]]
            out["t"][i] = float(row["t"])
            out["run"][i] = str(row["name"])
            out["date"][i] = str(row["date"])
            stage = row.get("stage", "pretrain")
            out["stage"][i] = "pretrain" if stage is None or stage != stage else str(stage)
    return out
