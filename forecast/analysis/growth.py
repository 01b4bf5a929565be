"""Growth accounting: the largest run's power and cost growth, split into its factors.

The conversion of compute C into watts and dollars is a quotient, so its yearly growth
rates (log10 per year, written g) add up:

=============  ==========================  ========================================
account        identity                    in growth rates
=============  ==========================  ========================================
``power``      P = C / (D x E)             g_P = g_C - g_D - g_E
``capex``      capex = C / (D x R_cap)     g_capex = g_C - g_D - g_Rcap
``amortized``  amortised = C / R_am        g_am = g_C - g_Ram
=============  ==========================  ========================================

(D training duration, E realised FLOP/s per watt drawn all-in, R_cap realised FLOP/s per
dollar of the cluster's acquisition cost, R_am realised FLOP per dollar of amortised
cost; utilisation and the number format are inside E and the R. Under the datasheet
conversion E and R_cap also carry utilisation, overhead and PUE, and D is fixed.)

Each factor's yearly rate is given twice:

- **historical** (:func:`historical`): ordinary least-squares slopes of log10 values on
  the publication year, over the frontier runs the realised conversion is fitted on that
  publish every figure the account needs. OLS is linear in the values, so the identity
  holds exactly for the estimate and for every bootstrap resample of the runs (the 80%
  interval).
- **projected** (:func:`projected`): per projection draw, over the window of summary.json's
  ``growth`` keys (:func:`growth_window`), from the projection's
  own compute, power and costs and the duration of its inputs; E and the R are what the
  identity leaves, so it holds per draw.

:func:`accounting` puts both in one Dataset that :class:`forecast.results.Results` carries
and the briefing renders.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from forecast.stats import (
    GROWTH_OF,
    INTERVAL_KEYS,
    INTERVAL_PROBS,
    growth_window,
    per_draw_growth,
    quantiles,
)

#: Each account's factors, in the briefing's order: compute first, the result last.
ACCOUNTS: dict[str, tuple[str, ...]] = {
    "power": ("compute", "duration", "flops_per_watt", "power"),
    "capex": ("compute", "duration", "flops_per_usd", "capex"),
    "amortized": ("compute", "flop_per_usd_amortized", "amortized"),
}
#: Every factor (the Dataset's ``factor`` coordinate).
FACTORS: tuple[str, ...] = (
    "compute",
    "duration",
    "flops_per_watt",
    "flops_per_usd",
    "flop_per_usd_amortized",
    "power",
    "capex",
    "amortized",
)
#: The published figures each account needs (columns of ``run_hardware.csv``).
NEEDS: dict[str, tuple[str, ...]] = {
    "power": ("training_hours", "power_watts"),
    "capex": ("training_hours", "hardware_cost_usd"),
    "amortized": ("amortized_cost_usd",),
}
#: The column of ``run_hardware.csv`` that is each account's result.
RESULT_COLUMN = {
    "power": "power_watts",
    "capex": "hardware_cost_usd",
    "amortized": "amortized_cost_usd",
}

PERIODS = ("historical", "projected")
#: ``estimate`` is the historical OLS slope on every run, and the projected mean log rate
#: over draws: both are linear, so each account's estimates multiply out exactly.
STATS = ("estimate", *INTERVAL_KEYS)
#: Bootstrap resamples of the runs for the historical interval.
BOOTSTRAP = 2000
#: Fewer runs than this give no historical slope.
MIN_RUNS = 3

HOURS_PER_DAY = 24.0
SECONDS_PER_HOUR = 3600.0


def exponent(account: str, factor: str) -> float:
    """The factor's power in its account's identity: result = prod factor ** exponent.

    +1 for compute, -1 for the divisors, 0 for the result itself, NaN if not in the
    account.
    """
    factors = ACCOUNTS[account]
    if factor not in factors:
        return math.nan
    if factor == account:
        return 0.0
    return 1.0 if factor == "compute" else -1.0


# --------------------------------------------------------------------------- historical


def frontier_runs_with_figures(scenario) -> pd.DataFrame:
    """The runs the realised conversion is fitted on, with their published figures.

    As :func:`forecast.models.scenario.fit_conversion_of` selects them: the scenario's selected
    points from :data:`forecast.models.scenario.CONVERSION_SINCE`, finished pretraining runs,
    merged (by name) with ``data.run_hardware``.
    """
    from forecast.data.loaders import load_run_hardware, load_runs
    from forecast.models.scenario import CONVERSION_SINCE

    runs = scenario.data.selected_points()
    runs = runs[runs["t"] >= CONVERSION_SINCE]
    if "stage" in runs:
        runs = runs[runs["stage"] == "pretrain"]
    figures = load_run_hardware(scenario.data.run_hardware, load_runs(scenario.data.runs))
    merged = runs.merge(figures, on="name", how="inner", suffixes=("", "_hw"))
    return merged.reset_index(drop=True)


def account_logs(table: pd.DataFrame, account: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The runs of ``table`` that publish everything ``account`` needs: their years and the
    log10 of every factor of the account, per run.

    ``table`` has ``t``, ``compute_flop`` and the columns of :data:`NEEDS` (NaN: not
    published). Durations are in days; the efficiencies are per second (FLOP/s per W,
    FLOP/s per $), as the realised conversion defines them.
    """
    c = table["compute_flop"].to_numpy(dtype=float)
    cols = {k: table[k].to_numpy(dtype=float) for k in NEEDS[account]}
    ok = np.isfinite(c) & (c > 0)
    for v in cols.values():
        ok &= np.isfinite(v) & (v > 0)
    log_c = np.log10(c[ok])
    logs = {"compute": log_c}
    result = np.log10(cols[RESULT_COLUMN[account]][ok])
    if account == "amortized":
        logs["flop_per_usd_amortized"] = log_c - result
    else:
        hours = cols["training_hours"][ok]
        log_s = np.log10(hours * SECONDS_PER_HOUR)
        logs["duration"] = np.log10(hours / HOURS_PER_DAY)
        rate = "flops_per_watt" if account == "power" else "flops_per_usd"
        logs[rate] = log_c - log_s - result
    logs[account] = result
    t = table["t"].to_numpy(dtype=float)[ok]
    return t, {f: logs[f] for f in ACCOUNTS[account]}


def ols_slopes(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slopes of ``y`` on ``t`` along the last axis (NaN where t is constant).

    Linear in ``y``: slopes of sums are sums of slopes, exactly as the identities need.
    """
    tc = t - t.mean(axis=-1, keepdims=True)
    denom = (tc**2).sum(axis=-1)
    num = (tc * (y - y.mean(axis=-1, keepdims=True))).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), np.nan)


#: Start years of the straight lines whose doubling times show how much the choice of the
#: fitting window moves the answer: every year from WINDOW_FIRST to WINDOW_LAST_GAP years
#: before the last run (a shorter window has too few runs for a slope).
WINDOW_FIRST = 2012
WINDOW_LAST_GAP = 3
#: z of the 10th and 90th percentiles of a normal.
Z80 = 1.2815515655446004


def start_year_doubling(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Doubling times (months) of least-squares lines of ``y`` (log10 FLOP) on ``t`` fitted
    from each start year on: what the choice of window does to the answer.

    Returns
    -------
    (starts, months)
        The start years and, per start year, the 10th, 50th and 90th percentiles of the
        doubling time under the line's own standard error (normal, independent errors),
        shape (len(starts), 3). Empty when the data span too few years.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    if not t.size:
        return np.zeros(0), np.zeros((0, 3))
    last = int(np.floor(t.max())) - WINDOW_LAST_GAP
    starts = np.arange(max(WINDOW_FIRST, int(np.floor(t.min()))), last + 1, dtype=float)
    rows = []
    for start in starts:
        x, v = t[t >= start], y[t >= start]
        slope = float(ols_slopes(x[None, :], v[None, :])[0])
        resid = v - (v.mean() + slope * (x - x.mean()))
        se = math.sqrt(
            float(resid @ resid) / max(x.size - 2, 1) / float(((x - x.mean()) ** 2).sum())
        )
        slopes = np.array([slope + Z80 * se, slope, slope - Z80 * se])  # p10, median, p90 months
        rows.append(12 * math.log10(2) / slopes)
    return starts, np.array(rows).reshape(-1, 3)


def account_slopes(
    t: np.ndarray, logs: dict[str, np.ndarray], rng: np.random.Generator, n_boot: int = BOOTSTRAP
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Slopes (log10 per year) of every factor on all runs, and on ``n_boot`` resamples.

    The resamples draw runs with replacement (one index array shared by every factor, so
    each resample obeys the identity); a resample whose runs all share one year gives NaN.

    Returns
    -------
    (dict, dict)
        Factor to the slope on all runs; factor to the ``n_boot`` resampled slopes.
    """
    n = t.size
    idx = rng.integers(0, n, size=(n_boot, n)) if n else np.zeros((n_boot, 0), dtype=int)
    estimate = {f: float(ols_slopes(t, y)) if n else math.nan for f, y in logs.items()}
    boot = {f: ols_slopes(t[idx], y[idx]) for f, y in logs.items()}
    return estimate, boot


def _stats(estimate: float, draws: np.ndarray) -> list[float]:
    """Yearly factors from log10 rates: 10 ** ``estimate``, then the median, p10 and p90
    of the factors 10 ** ``draws`` (quantiles of the factors themselves, as summary.json
    takes them, so that a median over an even number of draws is the same number)."""
    finite = draws[np.isfinite(draws)]
    q = quantiles(10**finite, INTERVAL_PROBS) if finite.size else np.full(3, np.nan)
    return [10**estimate, *q]


def _empty() -> np.ndarray:
    return np.full((len(ACCOUNTS), len(FACTORS), len(STATS)), np.nan)


def historical_from_table(
    table: pd.DataFrame, rng: np.random.Generator, n_boot: int = BOOTSTRAP
) -> xr.Dataset:
    """The historical yearly factors of every account from a table of runs with figures.

    Parameters
    ----------
    table : pandas.DataFrame
        ``t``, ``compute_flop`` and the published figures (:data:`NEEDS`).
    rng : numpy.random.Generator
        The run's generator; the accounts draw their resamples in :data:`ACCOUNTS` order.
    n_boot : int

    Returns
    -------
    xarray.Dataset
        ``yearly_factor`` (``account``, ``factor``, ``stat``; NaN where the factor is not
        in the account or the account has fewer than :data:`MIN_RUNS` runs), ``runs``,
        ``first_year``, ``last_year`` (``account``).
    """
    values = _empty()
    runs, first, last = [], [], []
    for i, account in enumerate(ACCOUNTS):
        t, logs = account_logs(table, account)
        estimate, boot = account_slopes(t, logs, rng, n_boot)
        runs.append(int(t.size))
        first.append(float(t.min()) if t.size else math.nan)
        last.append(float(t.max()) if t.size else math.nan)
        if t.size < MIN_RUNS:
            continue
        for f in logs:
            values[i, FACTORS.index(f)] = _stats(estimate[f], boot[f])
    return xr.Dataset(
        {
            "yearly_factor": (("account", "factor", "stat"), values),
            "runs": ("account", np.array(runs, dtype=np.int64)),
            "first_year": ("account", np.array(first)),
            "last_year": ("account", np.array(last)),
        },
        coords={"account": list(ACCOUNTS), "factor": list(FACTORS), "stat": list(STATS)},
        attrs={"bootstrap": int(n_boot)},
    )


def historical(scenario, rng: np.random.Generator, n_boot: int = BOOTSTRAP) -> xr.Dataset:
    """:func:`historical_from_table` of :func:`frontier_runs_with_figures`."""
    return historical_from_table(frontier_runs_with_figures(scenario), rng, n_boot)


# --------------------------------------------------------------------------- projected


def projected_draws(inputs, projection: xr.Dataset) -> dict[str, np.ndarray] | None:
    """Per draw, the yearly factor of every factor over summary.json's growth window.

    Compute, power, capital and amortised cost are summary.json's own per-draw growth
    (:func:`per_draw_growth`, unconstrained); the duration comes
    from the inputs at the run's compute; E = C / (D P), R_cap = C / (D capex) and
    R_am = C / amortised, so each account's identity holds draw by draw. None when the
    projection spans less than a year.
    """
    from forecast.data.units import LN10
    from forecast.project.limits import ln_duration
    from forecast.project.trajectory import year_instant

    years = projection["year"].to_numpy()
    _, n = growth_window(years)
    if n < 1:
        return None
    var = {k.removesuffix("_per_year"): v for k, v in GROWTH_OF.items()}
    f = {k: np.asarray(per_draw_growth(projection, v), dtype=float) for k, v in var.items()}
    t = np.array([years[0], years[0] + n])
    # Year labels are read at their end (the instants the projection's values are at).
    tt = np.broadcast_to(year_instant(t), (inputs.n_draws, 2))
    ln_c = LN10 * projection["log10_flop"].sel(year=t).to_numpy()
    ln_d = ln_duration(inputs, tt, ln_c)
    f["duration"] = np.exp((ln_d[:, 1] - ln_d[:, 0]) / n)
    f["flops_per_watt"] = f["compute"] / (f["duration"] * f["power"])
    f["flops_per_usd"] = f["compute"] / (f["duration"] * f["capex"])
    f["flop_per_usd_amortized"] = f["compute"] / f["amortized"]
    return f


def projected(inputs, projection: xr.Dataset) -> xr.Dataset:
    """The projected yearly factors of every account (:func:`projected_draws`).

    Returns
    -------
    xarray.Dataset
        ``yearly_factor`` (``account``, ``factor``, ``stat``): ``estimate`` is 10 to the
        mean log10 rate over draws, then the median and 80% interval over draws.
        Attributes ``projected_from`` (first projected year), ``projected_years`` (0 when
        the projection spans less than a year) and ``draws``.
    """

    values = _empty()
    draws = projected_draws(inputs, projection)
    t0, n = growth_window(projection["year"].to_numpy())
    if draws is not None:
        for i, account in enumerate(ACCOUNTS):
            for f in ACCOUNTS[account]:
                log_rate = np.log10(draws[f])
                values[i, FACTORS.index(f)] = _stats(float(np.mean(log_rate)), log_rate)
    return xr.Dataset(
        {"yearly_factor": (("account", "factor", "stat"), values)},
        coords={"account": list(ACCOUNTS), "factor": list(FACTORS), "stat": list(STATS)},
        attrs={
            "projected_from": t0,
            "projected_years": float(n) if draws is not None else 0.0,
            "draws": int(inputs.n_draws),
        },
    )


# --------------------------------------------------------------------------- together


def combine(past: xr.Dataset, future: xr.Dataset, conversion: str) -> xr.Dataset:
    """One Dataset of both periods (see :func:`accounting`)."""
    factor = xr.concat(
        [past["yearly_factor"], future["yearly_factor"]],
        dim=pd.Index(list(PERIODS), name="period"),
    ).transpose("account", "factor", "period", "stat")
    expo = [[exponent(a, f) for f in FACTORS] for a in ACCOUNTS]
    return xr.Dataset(
        {
            "yearly_factor": factor,
            "exponent": (("account", "factor"), np.array(expo)),
            "runs": past["runs"],
            "first_year": past["first_year"],
            "last_year": past["last_year"],
        },
        attrs={
            "conversion": conversion,
            "bootstrap": int(past.attrs["bootstrap"]),
            "projected_from": float(future.attrs["projected_from"]),
            "projected_years": float(future.attrs["projected_years"]),
            "draws": int(future.attrs["draws"]),
        },
    )


def accounting(
    scenario, inputs, projection: xr.Dataset, rng: np.random.Generator, n_boot: int = BOOTSTRAP
) -> xr.Dataset:
    """The growth accounting of a scenario run: historical next to projected.

    Parameters
    ----------
    scenario : Scenario
        Its points must be the runs file (the 2018 chart publishes no figures).
    inputs : forecast.project.engine.ProjectionInputs
    projection : xarray.Dataset
        From :func:`forecast.project.project` on ``inputs``.
    rng : numpy.random.Generator
        Derived from the run's seed; only the bootstrap draws from it.
    n_boot : int

    Returns
    -------
    xarray.Dataset
        ``yearly_factor`` (``account``, ``factor``, ``period``, ``stat``): yearly growth
        factors (10 ** log10 rate); NaN where a factor is not in an account or could not
        be estimated. ``exponent`` (``account``, ``factor``): result =
        prod(factor ** exponent) (+1 compute, -1 divisors, 0 the result, NaN absent).
        ``runs``, ``first_year``, ``last_year`` (``account``): the runs of the historical
        account. Attributes ``conversion``, ``bootstrap``, ``projected_from``,
        ``projected_years``, ``draws``.
    """
    past = historical(scenario, rng, n_boot)
    future = projected(inputs, projection)
    return combine(past, future, scenario.hardware.conversion)
