"""Backtests: fit only what was published before a cutoff, score the runs that came after.

For each cutoff the scenario's data window ends at the cutoff (``data.until``); the
trend (and, by default, hardware) is fitted on that data alone -- the one place in
:mod:`forecast.analysis` that samples, through the posterior cache -- and its posterior
predictive distribution of log10 compute is compared with the frontier runs published
after the cutoff.

Which later runs are scored
---------------------------
The scenario's frontier rule judged with *all* the data (``until = None``), restricted
to runs published after the cutoff: the runs that a later analyst would call frontier
runs. A scenario fitted to the 15 points of the 2018 chart (``points = "openai_2018"``)
has no later points of its own; its later runs are then the ``top_n`` frontier runs of
``training_runs.csv`` (the rule of the baseline), and the result says so.

Predictive distribution of a later run at year t
------------------------------------------------
``y = mu(t) + sqrt(sigma^2 + m^2) * T_nu`` per posterior draw (the trend model's
likelihood, drawn by :func:`~forecast.models.trend.student_t_noise`), where ``mu`` is the
projection's trend (the fitted trend of the current era, as
:func:`~forecast.project.scenario.build_inputs` builds it), ``sigma`` and ``nu`` the posterior
scatter and Student-t degrees of freedom of the same draw, and ``m`` the run's known
measurement sd. The *constrained* model replaces ``mu(t)`` by
``min(mu(t), ln affordable compute(t))`` over the scenario's constraints at that date
(:func:`~forecast.project.limits.ln_affordable`); before the ceilings bind the two are
the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from forecast.data.selection import select
from forecast.data.units import LN10, decimal_year, doubling_months
from forecast.errors import DataError
from forecast.models import priors as P
from forecast.models.fit import FitControl
from forecast.models.scenario import fit_conversion_of, fit_scenario, supply_or_without
from forecast.models.trend import student_t_noise
from forecast.progress import Log, quiet
from forecast.project.limits import ln_affordable
from forecast.project.scenario import build_inputs
from forecast.scenario import Scenario
from forecast.stats import central_interval, interval, json_number, quantiles

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
FAN_QUANTILES: tuple[float, ...] = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
MODELS: tuple[str, ...] = ("trend", "constrained")


def crps(draws: np.ndarray, y: np.ndarray | float, axis: int = 0) -> np.ndarray:
    """Continuous ranked probability score of a sample forecast (lower is better).

    ``scoringrules.crps_ensemble`` with the quantile-decomposition estimator (``"qd"``):
    the exact CRPS of the empirical distribution of the draws, E|X - y| - 1/2 E|X - X'|
    with X, X' drawn from the draws (the "energy" form; not the "fair" estimator, which
    divides E|X - X'| by S(S-1) and so scores a different, unbiased quantity). The NumPy
    backend keeps the result independent of whether numba is installed.

    Parameters
    ----------
    draws : numpy.ndarray
        Forecast draws; ``axis`` is the draw axis.
    y : array_like
        Observations, broadcastable against ``draws`` without the draw axis.
    axis : int
        The draw axis.

    Returns
    -------
    numpy.ndarray
        One score per observation (shape of ``draws`` without ``axis``), in the units of
        the draws (here orders of magnitude).
    """
    # Imported here: scoringrules loads numba when present (about 2 s), for backtests only.
    import scoringrules

    x = np.asarray(draws, dtype=float)
    obs = np.asarray(y, dtype=float)
    return np.asarray(
        scoringrules.crps_ensemble(obs, x, m_axis=axis, estimator="qd", backend="numpy"),
        dtype=float,
    )


@dataclass
class Backtest:
    """The backtest of one cutoff (see :func:`forecast.analysis.backtest`).

    Attributes
    ----------
    cutoff : datetime.date
    cutoff_year : float
    n_fit, n_later : int
        Runs fitted (up to the cutoff) and later frontier runs scored.
    judged_by : str
        The selection that picked the later runs.
    doubling_time_months : dict
        ``median``, ``p10``, ``p90`` of the fitted current-era doubling time.
    scores : dict
        Per model: coverages, ``crps``, ``mae`` and ``mae_by_year``.
    later : pandas.DataFrame
        One row per later run scored.
    fan : xarray.Dataset
        Predictive quantiles of ``log10_flop`` (dims ``model``, ``quantile``, ``year``).
    notes : list of str
    """

    cutoff: dt.date
    cutoff_year: float
    n_fit: int
    n_later: int
    judged_by: str
    doubling_time_months: dict[str, float]
    scores: dict[str, dict[str, Any]]
    later: pd.DataFrame
    fan: xr.Dataset
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the fan and the per-run table)."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "cutoff_year": self.cutoff_year,
            "n_fit": self.n_fit,
            "n_later": self.n_later,
            "judged_by": self.judged_by,
            "doubling_time_months": self.doubling_time_months,
            "scores": {
                m: {
                    k: (
                        {str(y): json_number(e) for y, e in v.items()}
                        if isinstance(v, dict)
                        else json_number(v)
                    )
                    for k, v in s.items()
                }
                for m, s in self.scores.items()
            },
            "notes": list(self.notes),
        }


BacktestResult = Backtest


def _later_runs(scenario: Scenario, cutoff: dt.date) -> tuple[pd.DataFrame, str]:
    """Frontier runs after the cutoff, judged with all the data; and how they were chosen."""
    data = scenario.data
    if data.points == "runs":
        spec = dataclasses.replace(data, until=None)
    else:
        # A fixed historical chart has nothing after its date: judge against the runs
        # table with the baseline's frontier rule instead.
        spec = dataclasses.replace(data, points="runs", frontier="top_n", until=None)
    judged = select(spec.load_points(), spec.selection())
    later = judged.loc[pd.to_datetime(judged["date"]) > pd.Timestamp(cutoff)]
    return later.reset_index(drop=True), f"{spec.points_file.name}: {spec.selection().describe()}"


def check_cutoffs(scenario: Scenario, cutoffs: Sequence[dt.date]) -> list[str]:
    """Problems with backtest ``cutoffs`` for ``scenario``, found before any fitting.

    A backtest needs a fitted trend, at least three selected runs before each cutoff to fit,
    and at least one frontier run after it to judge.
    """
    if not scenario.trend.needs_fit:
        return ["--cutoff: a backtest needs a fitted trend; this scenario gives the trend fully"]
    problems = []
    for cutoff in cutoffs:
        later, judged_by = _later_runs(scenario, cutoff)
        if len(later) == 0:
            problems.append(
                f"--cutoff {cutoff.isoformat()}: no frontier run ({judged_by}) was published "
                "after it, so there is nothing to score; choose an earlier date"
            )
            continue
        fitted = scenario.data.selected_points() if scenario.data.points == "runs" else None
        if fitted is not None:
            n = int((pd.to_datetime(fitted["date"]) <= pd.Timestamp(cutoff)).sum())
            if n < 3:
                problems.append(
                    f"--cutoff {cutoff.isoformat()}: only {n} selected run(s) were published by "
                    "then; the trend fit needs at least 3, choose a later date"
                )
    return problems


def _score(
    pred: np.ndarray, y: np.ndarray, years_after: np.ndarray
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Scores of predictive draws (S, J) against observations (J,)."""
    cols: dict[str, np.ndarray] = {}
    scores: dict[str, Any] = {}
    median = np.median(pred, axis=0)
    cols["median"] = median
    for level in LEVELS:
        lo, hi = central_interval(pred, level, axis=0)
        inside = (y >= lo) & (y <= hi)
        cols[f"in{round(100 * level)}"] = inside
        scores[f"coverage{round(100 * level)}"] = float(inside.mean()) if y.size else math.nan
    c = crps(pred, y)
    cols["crps"] = c
    scores["crps"] = float(c.mean()) if y.size else math.nan
    err = np.abs(median - y)
    scores["mae"] = float(np.median(err)) if y.size else math.nan
    bucket = np.ceil(years_after).astype(int)
    scores["mae_by_year"] = {int(k): float(np.median(err[bucket == k])) for k in np.unique(bucket)}
    return scores, cols


def backtest(
    scenario: Scenario,
    cutoffs: Sequence[dt.date],
    seed: int | None = None,
    use_cache: bool = True,
    log: Log = quiet,
    fan_step: float = 0.25,
) -> list[BacktestResult]:
    """Fit the scenario at each cutoff and score its forecasts of the later frontier runs.

    Parameters
    ----------
    scenario : Scenario
        Its trend must be fitted (not fully given).
    cutoffs : sequence of datetime.date
        The data window of each fit ends here.
    seed : int, optional
        Default: the scenario's seed. The sampler seed and the predictive noise derive
        from it exactly as in :func:`~forecast.project.scenario.run_scenario`.
    use_cache : bool
        Use the posterior cache (reruns are then cheap).
    log : callable
        Progress messages.
    fan_step : float
        Spacing in years of the fan's year grid.

    Returns
    -------
    list of BacktestResult
        One per cutoff, in the order given.
    """
    seed = scenario.seed if seed is None else seed
    # Hardware is fitted only on chips released by each cutoff (see fit_scenario).
    return [_one(scenario, cutoff, seed, use_cache, log, fan_step) for cutoff in cutoffs]


def _one(
    scenario: Scenario,
    cutoff: dt.date,
    seed: int,
    use_cache: bool,
    log: Log,
    fan_step: float,
) -> BacktestResult:
    notes: list[str] = []
    data = dataclasses.replace(scenario.data, until=cutoff)
    scen = dataclasses.replace(scenario, data=data, seed=seed)
    log(f"backtest at {cutoff.isoformat()}: fitting data published up to the cutoff")
    rng = np.random.default_rng(seed)
    sampler_seed = int(rng.integers(0, 2**31 - 1))  # as run_scenario, so the cache is shared

    def note(message: str) -> None:
        # fit_scenario fits hardware only on chips released by the cutoff, or says why not.
        if message.startswith("hardware: fewer"):
            notes.append(message)
        log(message)

    runs, trend_fit, hw_fit = fit_scenario(scen, sampler_seed, FitControl(use_cache, log=note))
    if trend_fit is None:
        raise ValueError("a backtest needs a fitted trend; this scenario gives the trend fully")

    conversion = None
    if scen.hardware.conversion == "realised":
        # The ceilings, as at the cutoff: the realised conversion fitted on the runs
        # published by then; where too few publish figures, the datasheet conversion.
        try:
            conversion = fit_conversion_of(scen, sampler_seed, FitControl(use_cache, log=log))
        except DataError as err:
            note(f"ceilings priced by the datasheet conversion: {err}")
            notes.append(f"ceilings priced by the datasheet conversion at this cutoff: {err}")
            hardware = dataclasses.replace(scen.hardware, conversion="datasheet")
            scen = dataclasses.replace(scen, hardware=hardware)
    # The largest cluster, as at the cutoff: fitted on the clusters operating by then, or
    # left out (and said) where too few were.
    scen, supply, why = supply_or_without(scen, sampler_seed, FitControl(use_cache, log=log))
    if why:
        note(why)
        notes.append(f"{why} (at this cutoff)")
    inputs, _ = build_inputs(scen, runs, trend_fit, hw_fit, rng, None, conversion, supply)
    index = inputs.inputs_meta["posterior_index"]
    sigma, nu = (x[index] for x in trend_fit.noise())
    s = inputs.n_draws

    later, judged_by = _later_runs(scenario, cutoff)
    t0 = decimal_year(cutoff)
    t = later["t"].to_numpy(dtype=float)
    y = later["log10_flop"].to_numpy(dtype=float)
    factor = (
        later["uncertainty"].to_numpy(dtype=float)
        if "uncertainty" in later
        else np.full(t.size, 2.0)
    )
    meas = np.asarray(P.measurement_sd(factor), dtype=float).reshape(-1)

    def means(times: np.ndarray) -> dict[str, np.ndarray]:
        tt = np.broadcast_to(times, (s, times.size))
        # The later runs are scored against the trend of the runs they are (the typical
        # frontier run); the ceilings hold the record, and the typical run as much below it.
        largest = inputs.compute.ln(tt) / LN10
        trend = largest if inputs.typical is None else inputs.typical.ln(tt) / LN10
        afford = [ln_affordable(inputs, c, tt) / LN10 for c in inputs.constraints]
        held = np.minimum(0.0, np.min(afford, axis=0) - largest) if afford else 0.0
        return {"trend": trend, "constrained": trend + held}

    # One draw of the model's noise for both models, so their difference is the ceiling.
    noise = student_t_noise(sigma, nu, rng, meas_sd=meas)
    years_after = t - t0
    table = later[[c for c in ("name", "date", "t", "log10_flop") if c in later]].copy()
    table["years_after"] = years_after
    table["meas_sd"] = meas
    scores = {}
    for model, mu in means(t).items():
        scores[model], cols = _score(mu + noise, y, years_after)
        for k, v in cols.items():
            table[f"{model}_{k}"] = v

    end = max(float(t.max()) if t.size else t0, t0 + 1.0)
    grid = np.arange(t0, end + fan_step / 2, fan_step)
    fan_noise = student_t_noise(sigma, nu, rng, n=grid.size)  # a new run: no measurement error
    fan = np.stack(
        [quantiles(mu + fan_noise, FAN_QUANTILES, axis=0) for mu in means(grid).values()]
    )
    fan_ds = xr.Dataset(
        {"log10_flop": (("model", "quantile", "year"), fan)},
        coords={"model": list(MODELS), "quantile": list(FAN_QUANTILES), "year": grid},
        attrs={
            "cutoff": cutoff.isoformat(),
            "note": "predictive for a run without measurement error",
        },
    )
    result = BacktestResult(
        cutoff=cutoff,
        cutoff_year=t0,
        n_fit=len(runs),
        n_later=int(t.size),
        judged_by=judged_by,
        doubling_time_months=interval(doubling_months(inputs.compute.slope), digits=None),
        scores=scores,
        later=table,
        fan=fan_ds,
        notes=notes,
    )
    tr = scores["trend"]
    log(
        f"backtest at {cutoff.isoformat()}: {len(runs)} runs fitted, {t.size} later runs; "
        f"trend coverage 50/80/95% = {tr['coverage50']:.2f}/{tr['coverage80']:.2f}/"
        f"{tr['coverage95']:.2f}, CRPS {tr['crps']:.3f} OOM"
    )
    return result


def backtest_table(results: Sequence[BacktestResult]) -> pd.DataFrame:
    """One row per cutoff and model: the numbers a backtest table shows.

    Columns: ``cutoff``, ``model``, ``n_fit``, ``n_later``, ``doubling_time_months``
    (median), ``coverage50``, ``coverage80``, ``coverage95``, ``crps``, ``mae`` and
    ``mae_year_<k>`` for every year k after the cutoff that has runs.
    """
    rows = []
    for r in results:
        for model, sc in r.scores.items():
            row = {
                "cutoff": r.cutoff.isoformat(),
                "model": model,
                "n_fit": r.n_fit,
                "n_later": r.n_later,
                "doubling_time_months": r.doubling_time_months["median"],
            }
            row |= {k: v for k, v in sc.items() if k != "mae_by_year"}
            row |= {f"mae_year_{k}": v for k, v in sc["mae_by_year"].items()}
            rows.append(row)
    return pd.DataFrame(rows)


def share_below_median(later: pd.DataFrame) -> float:
    """The share of a backtest's later runs below the trend's median prediction (0.5
    without later runs)."""
    return float((later["log10_flop"] < later["trend_median"]).mean()) if len(later) else 0.5
