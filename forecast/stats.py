"""Quantiles and intervals of per-draw values, in one place.

The "never reached" convention
------------------------------
A hit year that does not happen by the horizon is ``numpy.inf`` (never a finite stand-in
such as 1e12 or 1e300, and never NaN, which means "undefined", e.g. a post-limit
doubling time of a draw that never meets a ceiling). The helpers below treat ``inf`` as
"later than everything": a quantile whose linear interpolation touches an ``inf`` draw
is itself ``inf`` ("beyond the horizon"); :func:`interval` reports it, and a NaN
quantile, as ``None`` (``null`` in JSON).

The interval convention of every JSON output is ``{"median", "p10", "p90"}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: The probabilities of an interval, in the order of its keys.
INTERVAL_KEYS: tuple[str, ...] = ("median", "p10", "p90")
INTERVAL_PROBS: tuple[float, ...] = (0.5, 0.1, 0.9)


def quantiles(
    values: np.ndarray, q: float | Sequence[float] | np.ndarray, axis: int | None = None
) -> np.ndarray:
    """Linear-interpolation quantiles (numpy's default) that respect ``inf`` = never.

    Parameters
    ----------
    values : array_like
        Draws; ``+inf`` marks "never" (later than any finite value).
    q : float or array_like
        Probabilities in [0, 1]; the result's leading axes follow ``q`` as in
        :func:`numpy.quantile`.
    axis : int, optional
        The draw axis (default: all values).

    Returns
    -------
    numpy.ndarray
        The quantiles; ``inf`` where the interpolation involves an ``inf`` draw, NaN
        where the draws contain NaN. Where no ``inf`` is involved the value equals
        :func:`numpy.quantile` exactly.
    """
    x = np.asarray(values, dtype=float)
    # The draw just above each quantile position: if it is inf, the quantile is "never".
    upper = np.quantile(x, q, axis=axis, method="higher")
    # inf - inf would give NaN inside the interpolation: a finite stand-in that sorts
    # last keeps the order, and every quantile that could see it is replaced by inf.
    finite = np.quantile(np.where(np.isposinf(x), np.finfo(float).max, x), q, axis=axis)
    return np.where(np.isposinf(upper), np.inf, finite)


def interval(values: np.ndarray, digits: int | None = 6) -> dict[str, float | None]:
    """Median, 10th and 90th percentiles as ``{"median", "p10", "p90"}``.

    Parameters
    ----------
    values : array_like
        Draws (``inf`` = never, see the module notes).
    digits : int or None
        Round to ``digits + 4`` significant digits (6 gives 10: a decimal year to about
        a minute, a dollar amount to 10 digits); ``None`` keeps full precision.

    Returns
    -------
    dict
        A quantile beyond the horizon (``inf``) or undefined (NaN) is ``None``.
    """
    q = quantiles(values, INTERVAL_PROBS)
    out: dict[str, float | None] = {}
    for key, v in zip(INTERVAL_KEYS, q, strict=True):
        if not np.isfinite(v):
            out[key] = None
        else:
            out[key] = float(v) if digits is None else float(f"{v:.{digits + 4}g}")
    return out


def central_interval(
    values: np.ndarray, level: float, axis: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the central ``level`` interval: the (1 - level)/2 and (1 + level)/2 quantiles.

    Parameters
    ----------
    values : array_like
        Draws (finite).
    level : float
        E.g. 0.8 for the 10th and 90th percentiles.
    axis : int, optional
        The draw axis.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds.
    """
    lo, hi = quantiles(values, [(1 - level) / 2, (1 + level) / 2], axis=axis)
    return lo, hi


def prob_finite(values: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Share of draws that happen (are finite): P(hit by the horizon).

    Returns a float for ``axis=None``, else an array over the other axes.
    """
    p = np.mean(np.isfinite(np.asarray(values, dtype=float)), axis=axis)
    return float(p) if axis is None else p


def json_number(x: object) -> float | None:
    """A float, or None for None, NaN or inf (how JSON says "not reached" or "undefined")."""
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else x


#: Significant digits kept in summary.json: far beyond what the data support, and short
#: enough that floating-point noise never changes the file.
DIGITS = 6


def rounded(x: float | None) -> float | None:
    """``x`` to :data:`DIGITS` significant digits (None for None, NaN or inf)."""
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{DIGITS}g}")


def rounded_interval(values: np.ndarray) -> dict:
    """:func:`forecast.stats.interval` at the precision of summary.json (None: not reached).

    Figures and the briefing take their numbers from here too, so that a year at the edge
    (2032.9999996) falls on the same side everywhere.
    """
    return {k: rounded(v) for k, v in interval(np.asarray(values, dtype=float)).items()}


# -- growth of the projection over summary.json's window (summary and growth accounting)

#: The window of ``growth`` in summary.json: the first five projected years.
GROWTH_YEARS = 5

#: ``growth`` keys and the projection variable each is the growth of (unconstrained).
GROWTH_OF = {
    "compute_per_year": "log10_flop",
    "capex_per_year": "capex_usd",
    "amortized_per_year": "amortized_usd",
    "power_per_year": "power_watts",
}


def growth_window(years) -> tuple[float, float]:
    """The window of the ``growth`` keys: the first projected year t0 and the number of
    years n = :data:`GROWTH_YEARS` (fewer if the horizon comes first; below 1: no window).

    The one home of that rule: the growth accounting
    (:func:`forecast.analysis.growth.projected`) reads the same window.
    """
    years = np.asarray(years)
    return float(years[0]), min(GROWTH_YEARS, float(years[-1] - years[0]))


def per_draw_growth(projection, var: str) -> np.ndarray | None:
    """Per draw, the yearly growth factor of the projection variable ``var`` over the
    :func:`growth_window`: (X(t0 + n) / X(t0)) ** (1 / n), or 10 ** ((x(t0 + n) - x(t0)) / n)
    for ``log10_flop`` (stored as log10). None when the window is shorter than a year.
    """
    years = projection["year"].to_numpy()
    _, n = growth_window(years)
    if n < 1:
        return None
    start = projection[var].sel(year=years[0]).to_numpy()
    end = projection[var].sel(year=years[0] + n).to_numpy()
    return 10 ** ((end - start) / n) if var == "log10_flop" else (end / start) ** (1 / n)


def growth(projection) -> dict:
    """Yearly growth factors of the unconstrained largest run over the first projected years.

    Per draw, :func:`per_draw_growth` of each variable of :data:`GROWTH_OF`.

    Returns
    -------
    dict
        An interval per key of :data:`GROWTH_OF`; all ``None`` when the projection
        spans less than a year.
    """
    out = {}
    for key, var in GROWTH_OF.items():
        factor = per_draw_growth(projection, var)
        if factor is None:
            out[key] = {"median": None, "p10": None, "p90": None}
            continue
        out[key] = rounded_interval(factor)
    return out
