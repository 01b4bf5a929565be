"""Rolling-origin backtest of the record: how often past intervals held, 1 to 5 years ahead.

At every cutoff (yearly, 2014 to 2024 by default) the trend is fitted on the runs
published by then (through the posterior cache) and the largest run (the running record,
:mod:`forecast.project.record`) is projected; at each horizon of 1 to 5 years the
forecast is scored against the record the data hold at that date: coverage of the
central 50, 80 and 95% intervals, the probability integral transform (PIT) and the CRPS
(orders of magnitude). Two forecasts a reader would otherwise trust are scored the same
way:

- ``straight_line``: a least-squares line through the same frontier runs, extrapolated,
  with a bootstrap over runs for its interval (what most published trend analyses do);
- ``openai_2018``: the 2018 analysis's line (a least-squares fit to its chart points,
  doubling about every 3.4 months), a single line with no interval;

and the other way to model the record: ``record_setters``, a least-squares line through the
year-end records since 2010 (bootstrap over those years, plus a resampled residual, never
below the record at the cutoff).

Two variants of the model's forward rule are scored on the same fits, as what was tried
against the straight line at long horizons (``rolling.variants`` in backtest.json):

- ``hazard``: a new era may begin, as ``[trend] forward = "hazard"`` projects it (the
  scenario's yearly hazard and new-era doubling time);
- ``damped``: a damped trend (Gardner and McKenzie 1985), the slope shrinking by a factor
  :data:`DAMPING` a year, the usual remedy when straight extrapolation overshoots.

and one on fits of its own: ``drift``, the trend with a slope that drifts from year to year
(``[trend] model = "drift"``, a local linear trend), the candidate for carrying the
uncertainty of the trend itself into the doubling time. It is scored on the record and on
the typical run like the model, and compared with it by PSIS-LOO on all the data
(``rolling.loo`` in backtest.json). Only for a scenario whose trend has eras.

Only the unconstrained record is scored: no ceiling bound in the past, and the compute
forecast does not depend on how compute is priced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from forecast.analysis.backtest import LEVELS, crps
from forecast.analysis.growth import ols_slopes
from forecast.data.loaders import load_points
from forecast.data.selection import select
from forecast.data.units import LN10, decimal_year
from forecast.progress import Log, quiet
from forecast.scenario import Scenario

#: Cutoffs of the rolling backtest: the first of January, 2014 to 2024.
ROLLING_CUTOFFS: tuple[dt.date, ...] = tuple(dt.date(y, 1, 1) for y in range(2014, 2025))
HORIZONS: tuple[int, ...] = (1, 2, 3, 4, 5)
METHODS: tuple[str, ...] = (
    "model",
    "straight_line",
    "openai_2018",
    "record_setters",
    "hazard",
    "damped",
    "drift",
)
#: The forecasts a reader would otherwise trust, and the model's own variants.
BASELINES: tuple[str, ...] = ("straight_line", "openai_2018", "record_setters")
VARIANTS: tuple[str, ...] = ("hazard", "damped", "drift")
#: The damped trend's yearly damping factor (0.8-0.98 is the usual range; 0.9 is central).
DAMPING = 0.9
#: The year the record-setter line starts from (as the scenario's window).
RECORD_SINCE = 2010
#: Projection draws per cutoff and bootstrap resamples of the straight line.
DRAWS = 2000
BOOTSTRAP = 1000


def record_at(runs: pd.DataFrame, t: float) -> float:
    """log10 FLOP of the largest run published by decimal year ``t`` (-inf if none)."""
    done = runs["t"].to_numpy(dtype=float) <= t
    flop = runs["compute_flop"].to_numpy(dtype=float)[done]
    return float(np.log10(flop.max())) if flop.size else -np.inf


def straight_line(
    runs: pd.DataFrame, t: np.ndarray, rng: np.random.Generator, n_boot: int = BOOTSTRAP
) -> np.ndarray:
    """Bootstrap draws of a least-squares line of log10 compute on year, at years ``t``.

    Returns shape (n_boot, len(t)).
    """
    x = runs["t"].to_numpy(dtype=float)
    y = np.log10(runs["compute_flop"].to_numpy(dtype=float))
    pick = rng.integers(0, x.size, size=(n_boot, x.size))
    xb, yb = x[pick], y[pick]
    xm, ym = xb.mean(axis=1, keepdims=True), yb.mean(axis=1, keepdims=True)
    slope = ols_slopes(xb, yb)
    # A resample of one repeated run has no slope: drawn again is simpler, but rare enough
    # (n >= 3 distinct runs) that dropping it to the median slope changes nothing.
    slope = np.where(np.isfinite(slope), slope, np.nanmedian(slope))
    return (ym + slope[:, None] * (np.asarray(t, dtype=float)[None, :] - xm)).reshape(n_boot, -1)


def openai_2018_line(scenario: Scenario) -> tuple[float, float, float]:
    """The 2018 analysis's line: (slope in log10 per year, log10 FLOP at ``t_ref``, t_ref),
    a least-squares fit to its in-trend chart points, as the analysis fitted it."""
    from forecast.analysis.lesson2018 import ols_line

    pts = load_points("openai_2018", scenario.data.openai_2018)  # the trend's 15 points
    line = ols_line(pts["t"].to_numpy(dtype=float), np.log10(pts["compute_flop"].to_numpy()))
    return line.slope, line.log10_mean, line.t_mean


def _record_setters(
    counted: pd.DataFrame, t0: float, times: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draws of a least-squares line through the year-end records before ``t0``: a
    bootstrap over the years plus a resampled residual, never below the record at ``t0``.
    Shape (BOOTSTRAP, len(times))."""
    ends = np.arange(RECORD_SINCE + 1, int(np.floor(t0)) + 1, dtype=float)
    records = np.array([record_at(counted, e) for e in ends])
    frame = pd.DataFrame({"t": ends, "compute_flop": 10.0**records})
    draws = straight_line(frame, times, rng)
    residual = records - np.polyval(np.polyfit(ends, records, 1), ends)
    draws = draws + rng.choice(residual, size=draws.shape)
    return np.maximum(draws, record_at(counted, t0))


def _variants(
    inputs, drawn: dict[str, np.ndarray], times: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The record at ``times`` under the hazard and damped-trend forward rules (log10 FLOP,
    shape (S, len(times))), from the same fit and draws as the model."""
    from dataclasses import replace

    from forecast.data.units import slope_from_doubling_months

    rec = inputs.compute
    t0 = inputs.start_year
    # A new era begins after an exponential wait at the scenario's hazard (inf: never).
    with np.errstate(divide="ignore"):
        wait = rng.exponential(1.0, size=inputs.n_draws) / drawn["trend.era_hazard_per_year"]
    bent = replace(
        rec,
        change_year=t0 + wait,
        slope_after=slope_from_doubling_months(drawn["trend.new_era_doubling_months"]),
    )
    grid = np.broadcast_to(times, (inputs.n_draws, times.size))
    hazard = bent.ln(grid) / LN10
    # Damped trend in continuous time: the slope at t0 + s is slope * DAMPING**s, so the
    # record rises by slope * (1 - DAMPING**h) / -ln(DAMPING) over h years.
    h = np.asarray(times, dtype=float) - t0
    at_t0 = rec.ln(np.full(inputs.n_draws, t0)) / LN10
    damped = at_t0[:, None] + rec.slope[:, None] * ((1 - DAMPING**h) / -np.log(DAMPING))[None, :]
    floor = inputs.record_floor_log10
    return np.maximum(hazard, floor), np.maximum(damped, floor)


def fit_at_cutoff(
    scenario: Scenario,
    cutoff: dt.date,
    j: int,
    seed: int,
    use_cache: bool = True,
    log: Log = quiet,
    n_draws: int = DRAWS,
):
    """The scenario fitted on the runs published by ``cutoff`` and its projection inputs.

    The generator is ``default_rng([seed, j])``, ``j`` the cutoff's place among the
    backtest's cutoffs, so the same cutoff gives the same (cached) fit in every backtest.
    The record's compute does not depend on how compute is priced: the datasheet
    conversion needs no fit of its own at each cutoff.

    Returns
    -------
    (runs, trend_fit, inputs, drawn, rng)
        The selected runs, the trend fit, the :class:`ProjectionInputs` and the drawn
        parameters, and the generator for the caller's further draws.
    """
    from forecast.models.fit import FitControl
    from forecast.models.scenario import fit_scenario, without_fitted_clusters
    from forecast.project.scenario import build_inputs

    hardware = dataclasses.replace(scenario.hardware, conversion="datasheet")
    data = dataclasses.replace(scenario.data, until=cutoff)
    # The rolling backtest scores the record, which no ceiling touches.
    scen = without_fitted_clusters(
        dataclasses.replace(scenario, data=data, hardware=hardware, seed=seed)
    )
    rng = np.random.default_rng([seed, j])
    sampler_seed = int(rng.integers(0, 2**31 - 1))
    runs, trend_fit, hw_fit = fit_scenario(scen, sampler_seed, FitControl(use_cache, log=log))
    inputs, drawn = build_inputs(scen, runs, trend_fit, hw_fit, rng, n_draws)
    return runs, trend_fit, inputs, drawn, rng


def _score(draws: np.ndarray, y: float) -> dict[str, float]:
    """PIT, CRPS and whether each central interval held, of a sample forecast."""
    out = {"pit": float(np.mean(draws <= y)), "crps": float(crps(draws, y))}
    for level in LEVELS:
        lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
        out[f"inside{round(level * 100)}"] = float(lo <= y <= hi)
    q = np.quantile(draws, [0.1, 0.5, 0.9])
    out.update(p10=float(q[0]), median=float(q[1]), p90=float(q[2]))
    return out


def _drift_forecasts(
    scenario: Scenario,
    cutoff: dt.date,
    j: int,
    seed: int,
    use_cache: bool,
    log: Log,
    n_draws: int,
    times: np.ndarray,
    year_n: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The drift variant's record at ``times`` and typical run at ``times - 0.5`` (log10
    FLOP, (S, len(times))), from its own fit at ``cutoff``; ``year_n`` frontier runs in the
    year before each time set the scatter of that year's median (as for the model)."""
    drift = dataclasses.replace(scenario, trend=dataclasses.replace(scenario.trend, model="drift"))
    _, fit, inputs, _, rng = fit_at_cutoff(drift, cutoff, j, seed, use_cache, log, n_draws)
    grid = np.broadcast_to(times, (inputs.n_draws, times.size))
    record = np.maximum(inputs.compute.ln(grid) / LN10, inputs.record_floor_log10)
    trend = (inputs.typical or inputs.compute).ln(grid - 0.5) / LN10
    sigma = fit.noise()[0][inputs.inputs_meta["posterior_index"]]
    z = rng.standard_normal(trend.shape)
    scatter = sigma[:, None] * np.sqrt(np.pi / 2 / np.maximum(year_n, 1))[None, :]
    return record, trend + scatter * z


def trend_loo(scenario: Scenario, seed: int, use_cache: bool = True, log: Log = quiet) -> dict:
    """PSIS-LOO of the scenario's trend against the drifting slope on all the data it fits:
    ``elpd_diff`` (the drift model's expected log predictive density minus the scenario's
    model's; negative: the drift model predicts held-out runs worse) and its standard error
    ``dse``. The fits are those ``forecast run`` makes (the same sampler seed; cached)."""
    import arviz as az

    from forecast.models.fit import FitControl
    from forecast.models.posterior import as_inference_data
    from forecast.models.scenario import fit_scenario

    sampler_seed = int(np.random.default_rng(seed).integers(0, 2**31 - 1))
    drift = dataclasses.replace(scenario, trend=dataclasses.replace(scenario.trend, model="drift"))
    fits, doubling = {}, {}
    for name, scen in (("model", scenario), ("drift", drift)):
        trend = fit_scenario(scen, sampler_seed, FitControl(use_cache, log=log))[1]
        fits[name] = as_inference_data(trend.idata)
        doubling[name] = np.quantile(trend.current_doubling_months(), [0.1, 0.5, 0.9])
    table = az.compare(fits)
    diff = float(table.loc["model", "elpd_loo"] - table.loc["drift", "elpd_loo"])
    return {
        "elpd_diff": -diff,
        "dse": float(table["dse"].max()),
        "elpd_model": float(table.loc["model", "elpd_loo"]),
        "elpd_drift": float(table.loc["drift", "elpd_loo"]),
        # The current doubling time (months) each gives: 10th, 50th, 90th percentiles.
        **{
            f"{name}_doubling_{q}": float(v)
            for name, qs in doubling.items()
            for q, v in zip(("p10", "median", "p90"), qs, strict=True)
        },
    }


def rolling(
    scenario: Scenario,
    cutoffs: Sequence[dt.date] = ROLLING_CUTOFFS,
    seed: int | None = None,
    use_cache: bool = True,
    log: Log = quiet,
    n_draws: int = DRAWS,
) -> xr.Dataset:
    """The rolling-origin backtest of ``scenario``'s record (see the module docstring).

    Returns
    -------
    xarray.Dataset
        Dims ``method``, ``cutoff`` (decimal years), ``horizon`` (years): ``outcome``
        (the record in the data, log10 FLOP; NaN where the date is past the data),
        ``pit``, ``crps``, ``inside50``, ``inside80``, ``inside95``, ``median``, ``p10``,
        ``p90`` per method (NaN where there is no outcome).
    """
    seed = scenario.seed if seed is None else seed
    # Every run the selection counts, with all the data: the outcomes.
    every = dataclasses.replace(scenario.data, until=None)
    counted = select(every.load_points(), dataclasses.replace(every.selection(), rule="all"))
    data_end = float(counted["t"].max())
    line18 = openai_2018_line(scenario)
    names = ("pit", "crps", "inside50", "inside80", "inside95", "median", "p10", "p90")
    shape = (len(METHODS), len(cutoffs), len(HORIZONS))
    arrays = {k: np.full(shape, np.nan) for k in names}
    arrays.update({f"typical_{k}": np.full(shape, np.nan) for k in names})
    outcome = np.full((len(cutoffs), len(HORIZONS)), np.nan)
    outcome_typical = np.full((len(cutoffs), len(HORIZONS)), np.nan)
    # The frontier runs as the selection judged them at release, with all the data: the
    # typical run's outcome is the median of those published in the year before a date.
    frontier = select(every.load_points(), every.selection())
    # The drifting slope is a variant of a trend with eras (a drift scenario is itself it).
    with_drift = scenario.trend.model == "eras"
    for j, cutoff in enumerate(cutoffs):
        t0 = decimal_year(cutoff)
        log(f"rolling backtest: fitting the data published up to {cutoff.isoformat()}")
        fitted = fit_at_cutoff(scenario, cutoff, j, seed, use_cache, log, n_draws)
        runs, trend_fit, inputs, drawn, rng = fitted
        times = t0 + np.asarray(HORIZONS, dtype=float)
        model = np.maximum(
            inputs.compute.ln(np.broadcast_to(times, (inputs.n_draws, times.size))) / LN10,
            inputs.record_floor_log10,
        )
        line = straight_line(runs, times, rng)
        old = line18[1] + line18[0] * (times - line18[2])
        setters = _record_setters(counted, t0, times, rng)
        # The typical run: the trend at the middle of the year before each date, and the
        # median of that year's n frontier runs scatters about it by about
        # sigma * sqrt(pi / 2) / sqrt(n) (the standard error of a median).
        mid = times - 0.5
        grid = np.broadcast_to(mid, (inputs.n_draws, mid.size))
        trend = (inputs.typical or inputs.compute).ln(grid) / LN10
        sigma = trend_fit.noise()[0][inputs.inputs_meta["posterior_index"]]
        z = rng.standard_normal(trend.shape)
        line_mid = straight_line(runs, mid, rng)
        # The variants draw last, so the other methods' numbers do not depend on them.
        hazard, damped = _variants(inputs, drawn, times, rng)
        old_mid = line18[1] + line18[0] * (mid - line18[2])
        ft = frontier["t"].to_numpy(dtype=float)
        year_n = np.array([np.sum((ft > t - 1) & (ft <= t)) for t in times])
        drift_record = drift_typical = None
        if with_drift:
            drift_record, drift_typical = _drift_forecasts(
                scenario, cutoff, j, seed, use_cache, log, n_draws, times, year_n
            )
        for k, t in enumerate(times):
            if t > data_end:
                continue  # the outcome is not known yet
            y = record_at(counted, t)
            outcome[j, k] = y
            forecasts = (
                model[:, k],
                line[:, k],
                np.array([old[k]]),
                setters[:, k],
                hazard[:, k],
                damped[:, k],
                None if drift_record is None else drift_record[:, k],
            )
            for i, draws in enumerate(forecasts):
                if draws is None:
                    continue
                for name, value in _score(draws, y).items():
                    arrays[name][i, j, k] = value
            ft = frontier["t"].to_numpy(dtype=float)
            year = np.log10(
                frontier["compute_flop"].to_numpy(dtype=float)[(ft > t - 1) & (ft <= t)]
            )
            if year.size < 3:
                continue  # too few runs that year for a median
            y_typ = float(np.median(year))
            outcome_typical[j, k] = y_typ
            typ = trend[:, k] + sigma * np.sqrt(np.pi / 2 / year.size) * z[:, k]
            typical_forecasts = {
                "model": typ,
                "straight_line": line_mid[:, k],
                "openai_2018": np.array([old_mid[k]]),
            }
            if drift_typical is not None:
                typical_forecasts["drift"] = drift_typical[:, k]
            for method, draws in typical_forecasts.items():
                for name, value in _score(draws, y_typ).items():
                    arrays[f"typical_{name}"][METHODS.index(method), j, k] = value
    coords = {
        "method": list(METHODS),
        "cutoff": [decimal_year(c) for c in cutoffs],
        "horizon": list(HORIZONS),
    }
    dims = ("method", "cutoff", "horizon")
    ds = xr.Dataset(
        {
            **{k: (dims, v) for k, v in arrays.items()},
            "outcome": (("cutoff", "horizon"), outcome),
            "typical_outcome": (("cutoff", "horizon"), outcome_typical),
        },
        coords=coords,
        attrs={
            "target": "record",
            "cutoff_dates": [c.isoformat() for c in cutoffs],
            "data_end": data_end,
            "openai_2018_doubling_months": float(12 * np.log10(2) / line18[0]),
        },
    )
    # A single line has no spread: it has no PIT to speak of.
    ds["pit"].loc[{"method": "openai_2018"}] = np.nan
    ds["typical_pit"].loc[{"method": "openai_2018"}] = np.nan
    if with_drift:
        log("rolling backtest: the trend against a drifting slope by PSIS-LOO on all the data")
        loo = trend_loo(scenario, seed, use_cache, log)
        ds.attrs.update({f"loo_{k}": v for k, v in loo.items()})
    return ds


def rolling_json(ds: xr.Dataset) -> dict:
    """backtest.json's ``rolling`` block: coverage and CRPS per horizon, per method."""

    def block(method: str, prefix: str = "") -> dict:
        sub = ds.sel({"method": method})
        coverage, score, n = {}, {}, {}
        for h in ds["horizon"].to_numpy():
            at = sub.sel(horizon=h)
            ok = np.isfinite(at[f"{prefix}crps"].to_numpy())
            key = str(int(h))
            n[key] = int(ok.sum())
            coverage[key] = {
                str(round(level * 100)): (
                    float(at[f"{prefix}inside{round(level * 100)}"].to_numpy()[ok].mean())
                    if ok.any()
                    else None
                )
                for level in LEVELS
            }
            score[key] = float(at[f"{prefix}crps"].to_numpy()[ok].mean()) if ok.any() else None
        return {"coverage": coverage, "crps": score, "n": n}

    out = {"target": ds.attrs["target"], "cutoffs": list(ds.attrs["cutoff_dates"])}
    out.update(block("model"))
    out["baselines"] = {m: block(m) for m in BASELINES if m in ds["method"]}
    out["variants"] = {
        m: block(m)
        for m in VARIANTS
        if m in ds["method"] and np.isfinite(ds["crps"].sel({"method": m}).to_numpy()).any()
    }
    out["versus_straight_line"] = paired_difference(ds, "straight_line")
    if "typical_crps" in ds:
        # The typical frontier run (the trend): the median of a year's frontier runs.
        typical = block("model", "typical_")
        typical["baselines"] = {m: block(m, "typical_") for m in ("straight_line", "openai_2018")}
        has_drift = (
            "drift" in ds["method"]
            and np.isfinite(ds["typical_crps"].sel({"method": "drift"}).to_numpy()).any()
        )
        if has_drift:
            typical["variants"] = {"drift": block("drift", "typical_")}
        out["typical"] = typical
    if "loo_elpd_diff" in ds.attrs:
        # The drifting slope against the scenario's trend by PSIS-LOO on all the data.
        out["loo"] = {
            k.removeprefix("loo_"): float(v) for k, v in ds.attrs.items() if k.startswith("loo_")
        }
    return out


def paired_difference(ds: xr.Dataset, other: str) -> dict[str, dict[str, float | int | None]]:
    """The model's CRPS minus ``other``'s, paired by cutoff, per horizon.

    Returns, per horizon, ``mean`` (OOM; negative: the model scored better), ``se`` (its
    standard error over the paired forecasts, None with fewer than two) and ``n``. The
    forecasts overlap in time, so the standard error understates the uncertainty: it is a
    floor, not a test.
    """
    out: dict[str, dict[str, float | int | None]] = {}
    for h in ds["horizon"].to_numpy():
        diff = (
            ds["crps"].sel({"method": "model", "horizon": h})
            - ds["crps"].sel({"method": other, "horizon": h})
        ).to_numpy()
        diff = diff[np.isfinite(diff)]
        out[str(int(h))] = {
            "mean": float(diff.mean()) if diff.size else None,
            "se": float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else None,
            "n": int(diff.size),
        }
    return out


def check_rolling(
    scenario: Scenario, what: str = "--rolling", scored: str = "the record is"
) -> list[str]:
    """Problems with a rolling backtest of ``scenario``, found before any fitting (also the
    counts backtest's, :func:`forecast.analysis.counts.check_counts`, named ``what``)."""
    if not scenario.trend.needs_fit:
        return [f"{what}: a backtest needs a fitted trend; this scenario gives the trend fully"]
    if scenario.data.points != "runs":
        return [f"{what}: {scored} scored on the runs file; this scenario fits the 2018 chart"]
    return []


def median_bias(ds: xr.Dataset, horizon: str | int) -> float:
    """Mean of the model's median minus the outcome (OOM) at one horizon of a rolling
    backtest."""
    at = ds.sel({"method": "model", "horizon": int(horizon)})
    return float(np.nanmean(at["median"].to_numpy() - ds["outcome"].sel(horizon=int(horizon))))


def against_line(ds: xr.Dataset, horizons: Sequence[str | int]) -> list[dict]:
    """Per horizon, the model against the straight line over the forecasts with an
    outcome: ``gap`` (mean of the model's median minus the line's, OOM), ``n``, ``won``
    (how often the line's CRPS was lower) and ``won_above`` (of those, how often the
    model's median was above the outcome)."""
    out = []
    for h in horizons:
        at = ds.sel({"horizon": int(h)})
        ok = np.isfinite(at["outcome"].to_numpy())
        model = at["median"].sel({"method": "model"}).to_numpy()[ok]
        line = at["median"].sel({"method": "straight_line"}).to_numpy()[ok]
        won = (
            at["crps"].sel({"method": "straight_line"}).to_numpy()[ok]
            < at["crps"].sel({"method": "model"}).to_numpy()[ok]
        )
        over = model > at["outcome"].to_numpy()[ok]
        out.append(
            {
                "gap": float(np.mean(model - line)),
                "n": int(ok.sum()),
                "won": int(won.sum()),
                "won_above": int((won & over).sum()),
            }
        )
    return out
