"""One place computes: fits, projection, analyses and backtests -> :class:`Results`.

The CLI parses, calls :func:`run` here, hands the results to :mod:`forecast.report`,
and prints. Everything a report shows is computed in this module (or below it) and kept
in the results object, so rendering never samples, diagnoses or reads data files, and a
report can be rendered again from its saved files (:meth:`Results.load`).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from forecast.data.textfile import read_text
from forecast.errors import ScenarioError
from forecast.progress import Log, quiet
from forecast.results import Backtest, Results, Sensitivity, runs_dataset
from forecast.scenario import Scenario

#: Quantiles of the fitted trend's band in the trend figure (90% and 50% bands, median).
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Points of the fitted trend's band over the data years.
BAND_POINTS = 200
#: Central predictive intervals of the posterior predictive check.
COVERAGE_LEVELS = (0.5, 0.8, 0.9)


@dataclass(frozen=True)
class RunOptions:
    """How to run a scenario (the CLI's options; defaults as the scenario says).

    Attributes
    ----------
    seed, draws : int or None
        Override the scenario's seed and the number of projection draws.
    use_cache, strict, progress : bool
        As for :func:`forecast.models.fit_trend`.
    """

    seed: int | None = None
    draws: int | None = None
    use_cache: bool = True
    strict: bool = False
    progress: bool = False


@dataclass(frozen=True)
class AnalysisOptions:
    """The analysis section: which input to sweep, over which values; Sobol sample size."""

    param: str = "trend.doubling_time_months"
    values: Sequence[float] | str | None = None
    sobol_log2: int = 11


def context_runs(scenario: Scenario, start_year: float) -> pd.DataFrame:
    """Every candidate point of the scenario's data, shown grey behind the selected runs.

    When the fitted points are not the runs file (the 2018 reproduction), the runs of the
    runs file published after the start year are added: they show what happened after
    that analysis. The files were checked with the scenario, so any error here is real.
    """
    data = scenario.data
    points = data.load_points()
    if getattr(data, "points", "runs") != "runs":
        from forecast.data import load_runs

        runs = load_runs(data.runs)
        later = runs.loc[runs["t"] > start_year, ["name", "date", "t", "compute_flop"]]
        points = pd.concat([points, later], ignore_index=True)
    return points


def fit_summary(result, rng: np.random.Generator) -> xr.Dataset:
    """What the report shows of the fits, derived once when fitting.

    Parameters
    ----------
    result : forecast.project.scenario.ScenarioResult
    rng : numpy.random.Generator
        For the posterior predictive draws of the check.

    Returns
    -------
    xarray.Dataset
        ``diag_*`` (dim ``fit``: compute trend, hardware); with a fitted trend also
        ``era_doubling_months`` (``sample``, ``era``), ``breakpoint`` (``sample``,
        ``break``), ``band`` (``band_quantile``, ``band_t``; log10 FLOP), ``coverage``
        (dim ``level``), the model comparison ``cmp_*`` (dim ``candidate``) and the
        priors (dim ``prior``). Attributes ``trend_fitted``, ``hardware_fitted``,
        ``eras``, ``jump``, ``chosen_by_loo``, ``moore_anchor_t``, ``moore_anchor_log10``
        and the screening settings.
    """
    from forecast.models import priors
    from forecast.models.trend import TrendData, predictive_coverage

    trend, hw = result.trend_fit, result.hardware_fit
    fits = [("compute trend", trend), ("hardware", hw)]
    conversion = getattr(result, "conversion_fit", None)
    if conversion is not None:
        fits.append(("realised conversion", conversion))
    ds = xr.Dataset(
        {
            "diag_fitted": ("fit", [f is not None for _, f in fits]),
            "diag_r_hat_max": ("fit", [f.diagnostics.r_hat_max if f else np.nan for _, f in fits]),
            "diag_ess_bulk_min": (
                "fit",
                [f.diagnostics.ess_bulk_min if f else np.nan for _, f in fits],
            ),
            "diag_divergences": ("fit", [f.diagnostics.divergences if f else -1 for _, f in fits]),
            "diag_problems": (
                "fit",
                np.array(["; ".join(f.diagnostics.problems) if f else "" for _, f in fits]),
            ),
        },
        coords={"fit": [name for name, _ in fits]},
        attrs={"trend_fitted": int(trend is not None), "hardware_fitted": int(hw is not None)},
    )
    if hw is not None:
        ds.attrs["hardware_precision"] = result.scenario.hardware.precision
    if trend is None:
        return ds
    runs = result.runs_used
    t_first = float(runs["t"].min())
    t_grid = np.linspace(t_first, float(result.start_year), BAND_POINTS)
    band = np.nanquantile(trend.mean(t_grid), BAND_QUANTILES, axis=0)
    cover = predictive_coverage(
        trend, TrendData.from_runs(runs), np.random.default_rng(result.seed), COVERAGE_LEVELS
    )
    # How much the choice of window moves a straight line's doubling time.
    from forecast.analysis.growth import start_year_doubling

    starts, window_months = start_year_doubling(
        runs["t"].to_numpy(dtype=float), np.log10(runs["compute_flop"].to_numpy(dtype=float))
    )
    ds = ds.assign(
        window_doubling=(("window_start", "window_stat"), window_months),
        era_doubling_months=(("sample", "era"), trend.doubling_months()),
        breakpoint=(("sample", "break"), np.asarray(trend.breakpoints(), dtype=float)),
        band=(("band_quantile", "band_t"), band),
        coverage=("level", [cover[k] for k in COVERAGE_LEVELS]),
        prior_text=("prior", np.array([text for _, text in priors.describe()])),
    )
    ds = ds.assign_coords(
        window_start=starts,
        window_stat=["p10", "median", "p90"],
        band_quantile=list(BAND_QUANTILES),
        band_t=t_grid,
        level=list(COVERAGE_LEVELS),
        prior=np.array([name for name, _ in priors.describe()]),
    )
    ds.attrs.update(
        trend_model=str(trend.model),
        eras=int(trend.eras),
        jump=int(trend.jump),
        chosen_by_loo=int(trend.comparison is not None),
        moore_anchor_t=t_first,
        moore_anchor_log10=float(np.median(trend.mean(t_first)[:, 0])),
    )
    if trend.screening is not None:
        s = trend.screening
        ds.attrs.update(screening_chains=s.chains, screening_draws=s.draws, screening_tune=s.tune)
    if trend.comparison is not None:
        cmp = trend.comparison
        # Each candidate's own convergence (measured when it was fitted): a comparison is
        # only as good as its fits.
        checks = trend.candidate_diagnostics
        eras = [int(e) for e in cmp["eras"]]
        cols = {
            c: ("candidate", cmp[c].to_numpy(dtype=float))
            for c in ("elpd_loo", "se", "elpd_diff", "dse", "weight")
        }
        ds = ds.assign(
            cmp_eras=("candidate", eras),
            **{f"cmp_{c}": v for c, v in cols.items()},
            cmp_r_hat_max=("candidate", [checks[e].r_hat_max for e in eras]),
            cmp_divergences=("candidate", [checks[e].divergences for e in eras]),
        )
        ds = ds.assign_coords(candidate=np.array([str(n) for n in cmp.index]))
    return ds


def posterior_groups(result) -> dict[str, xr.Dataset]:
    """The posterior groups written to ``posterior.nc`` (trend, then hardware)."""
    groups: dict[str, xr.Dataset] = {}
    if result.trend_fit is not None:
        idata = result.trend_fit.idata
        for g in idata.groups():
            groups[g] = getattr(idata, g)
    for prefix, fit in (("hardware", result.hardware_fit), ("conversion", result.conversion_fit)):
        if fit is not None:
            groups[f"{prefix}_posterior"] = fit.idata.posterior
            if "sample_stats" in fit.idata.groups():
                groups[f"{prefix}_sample_stats"] = fit.idata.sample_stats
    return groups


def run_analysis(result, options: AnalysisOptions, log: Log = quiet) -> Sensitivity:
    """Sweep of one input, tornado, Sobol indices and elasticities of a fitted scenario.

    Raises
    ------
    ScenarioError
        If ``options.param`` is not a parameter of the scenario or the values are bad.
    """
    from forecast.analysis import elasticity, parse_values, scenario_sobol, sweep, tornado
    from forecast.analysis.sensitivity import binding_race

    values = options.values
    try:
        if isinstance(values, str):
            values = parse_values(values)
        custom = sweep(result, options.param, values)
    except KeyError as exc:
        raise ScenarioError(f"--param: {exc.args[0]}") from None
    except ValueError as exc:
        raise ScenarioError(f"--values: {exc}") from None
    log(f"sweep of {custom.attrs['param']} over {custom.sizes['sweep']} values")
    rows = tornado(result)
    log(f"tornado over {len(rows)} uncertain inputs")
    n = 2**options.sobol_log2
    sobol = scenario_sobol(result, n=n)
    log(f"Sobol indices ({n} base samples)")
    # The elasticity is defined where a constraint is reached in most draws.
    hits = result.projection["hit_year"]
    elasticities = [
        elasticity(result, c.name)
        for c in result.scenario.constraints
        if np.isfinite(hits.sel(constraint=c.name)).mean() > 0.5
    ]
    # How close the race of limits is: which binds first with each top Sobol input in the
    # lower or upper third of its draws.
    race = binding_race(result, sobol) if sobol else None
    return Sensitivity.from_analyses(custom, rows, sobol, elasticities, race)


def run_backtests(
    scenario: Scenario,
    cutoffs: Sequence[dt.date],
    seed: int | None,
    use_cache: bool,
    log: Log = quiet,
) -> list[Backtest]:
    """Backtests of ``scenario`` at ``cutoffs`` (each fits its own data, through the cache)."""
    from forecast.analysis import backtest

    return backtest(scenario, list(cutoffs), seed=seed, use_cache=use_cache, log=log)


def scenario_text(scenario: Scenario) -> str:
    """The scenario file's text, exactly (a byte-order mark kept): it encodes to the bytes
    the scenario's sha256 names, so a re-rendered report names the same file."""
    import hashlib

    raw, _ = read_text(scenario.path, ScenarioError, "scenario file")
    if hashlib.sha256(raw).hexdigest() != scenario.sha256:
        raise ScenarioError(f"{scenario.path}: the file changed while the run was under way")
    return raw.decode("utf-8")


#: Calendar years the counts of runs above each threshold are projected for, and the
#: complete years of data before them that the figure shows.
COUNT_YEARS = 10
PAST_YEARS = 8


def threshold_counts(result) -> xr.Dataset:
    """Notable runs a year at or above 1e25-1e27 FLOP, for the first :data:`COUNT_YEARS`
    calendar years from the start (:func:`forecast.analysis.counts.project_counts`).

    Its own generator from the run's seed (stream 2), so the other draws do not move.
    """
    import math

    from forecast.analysis.counts import (
        counted_runs,
        observed_counts,
        project_counts,
        threshold_key,
    )

    inputs = result.inputs
    typical = inputs.typical if inputs.typical is not None else inputs.compute
    counted = counted_runs(result.scenario.data)
    first = math.floor(result.start_year)
    last = min(first + COUNT_YEARS - 1, int(result.scenario.horizon))
    data_end = min(float(counted["t"].max()), result.start_year)
    ds = project_counts(
        counted,
        typical,
        result.start_year,
        np.arange(first, last + 1),
        np.random.default_rng([result.seed, 2]),
        data_end=data_end,
    )
    # The counts in the data's complete years before the projection, for the figure.
    start = int(ds.attrs["first_projected_year"])
    past = np.arange(start - PAST_YEARS, start)
    observed = observed_counts(counted, past)
    ds["observed"] = (
        ("threshold", "past_year"),
        [[observed[threshold_key(k)][str(y)] for y in past] for k in ds["threshold"].to_numpy()],
    )
    return ds.assign_coords(past_year=past)


def run(
    scenario: Scenario,
    options: RunOptions = RunOptions(),
    sweep: bool = True,
    analysis: AnalysisOptions | None = None,
    cutoffs: Sequence[dt.date] = (),
    hindcast: dt.date | None = None,
    log: Log = quiet,
    rolling: bool = False,
) -> Results:
    """Fit (or load), project, and run the analyses asked for: everything a report shows.

    Parameters
    ----------
    scenario : Scenario
        A checked scenario.
    options : RunOptions
    sweep : bool
        Run the doubling-time sweep of the main section.
    analysis : AnalysisOptions, optional
        Run the analysis section (sweep of any input, tornado, Sobol, elasticities).
    cutoffs : sequence of date
        Run a backtest at each cutoff.
    hindcast : date, optional
        Run the hindcast of the conversion from this cutoff.
    rolling : bool
        Run the rolling-origin backtest of the record (:mod:`forecast.analysis.rolling`).
    log : callable
        Receives one-line progress messages.

    Returns
    -------
    Results
    """
    from forecast.project.scenario import run_scenario

    text = scenario_text(scenario)
    from forecast.analysis.lesson2018 import lesson

    # The 2018 line against what happened: no fitting, and a bad chart file is found
    # before any.
    lesson_2018 = lesson(scenario)
    result = run_scenario(
        scenario,
        seed=options.seed,
        draws=options.draws,
        use_cache=options.use_cache,
        strict=options.strict,
        progress=options.progress,
        log=log,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN quantiles of unreached years
        fit = fit_summary(result, np.random.default_rng(result.seed))
    runs = runs_dataset(result.runs_used, context_runs(result.scenario, result.start_year))
    inputs = xr.Dataset({k: ("draw", np.asarray(v)) for k, v in result.input_draws.items()})
    results = Results(
        scenario=result.scenario,
        scenario_text=text,
        seed=result.seed,
        projection=result.projection,
        inputs=inputs,
        runs=runs,
        fit=fit,
        posterior=posterior_groups(result),
        lesson_2018=lesson_2018,
    )
    from forecast.analysis.feasible import feasible, reference_projection

    if any(c.kind != "spend" for c in result.scenario.constraints):
        # The physical limits against Sevilla et al. (2024), with their inputs run too.
        reference, name = reference_projection(result.scenario, result.seed, options.draws)
        results.feasible_2030 = feasible(result.projection, reference, name)
    if result.scenario.data.points == "runs":
        results.threshold_counts = threshold_counts(result)
    from forecast.analysis.hindcast import known_runs

    results.known_runs = known_runs(result.scenario, result.inputs)
    if getattr(result.scenario.data, "points", "runs") == "runs":
        # The 2018 chart publishes no hardware, power or cost: no historical account.
        from forecast.analysis.growth import accounting

        results.growth = accounting(
            result.scenario,
            result.inputs,
            result.projection,
            np.random.default_rng(result.seed),
        )
    if sweep:
        from forecast.analysis import sweep as doubling_sweep

        log("doubling-time sweep")
        results.sweep = doubling_sweep(result)
    if analysis is not None:
        results.sensitivity = run_analysis(result, analysis, log)
    if cutoffs:
        results.backtests = run_backtests(
            result.scenario, cutoffs, options.seed, options.use_cache, log
        )
    if rolling:
        from forecast.analysis.counts import check_counts, counts_backtest
        from forecast.analysis.rolling import rolling as run_rolling

        results.rolling = run_rolling(
            result.scenario, seed=options.seed, use_cache=options.use_cache, log=log
        )
        if not check_counts(result.scenario):
            # The counts of runs above each threshold, backtested from 2022 on the rolling
            # backtest's fit of that cutoff (cached by now).
            results.rolling.attrs["counts_backtest"] = counts_backtest(
                result.scenario, seed=options.seed, use_cache=options.use_cache, log=log
            )
    if hindcast is not None:
        from forecast.analysis.hindcast import hindcast as run_hindcast

        results.hindcast = run_hindcast(
            result.scenario, hindcast, options.seed, options.use_cache, log
        )
    return results
