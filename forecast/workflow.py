"""The one orchestration of a run: stages as plain functions, scenario -> Results -> report.

The CLI parses its arguments and calls the functions here; it holds no logic. A run is
:func:`check_sections` (every option found wrong before any fitting), then the stages,
each a plain function that takes the :class:`Results` and returns it with its part added:

1. :func:`fit_and_project`: the fits (cached) and the projection (:mod:`forecast.project`);
2. :func:`add_main`: what every report shows beside the projection (the 2030 feasibility
   comparison, counts above thresholds, known runs, the growth accounting, the sweep);
3. :func:`add_sensitivity`, :func:`add_backtests`, :func:`add_rolling`,
   :func:`add_hindcast`: the optional sections;

and :func:`write` hands the results to :mod:`forecast.report`. Everything a report shows
is computed here or below (``analysis``, ``project``, ``results``), so rendering never
samples, diagnoses or reads data files, and :func:`render` draws a report again from its
saved files alone (:meth:`Results.load`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from forecast.data.textfile import read_text
from forecast.errors import ScenarioError
from forecast.progress import Log, quiet
from forecast.results import Results, Sensitivity, posterior_groups, runs_dataset
from forecast.scenario import Scenario


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


@dataclass(frozen=True)
class Sections:
    """Which sections a run computes beside the projection.

    Attributes
    ----------
    sweep : bool
        The doubling-time sweep of the main section.
    analysis : AnalysisOptions, optional
        The analysis section (sweep of any input, tornado, Sobol, elasticities, race).
    cutoffs : sequence of date
        A backtest at each cutoff.
    hindcast : date, optional
        The hindcast of the conversion from this cutoff.
    rolling : bool
        The rolling-origin backtest of the record (:mod:`forecast.analysis.rolling`).
    """

    sweep: bool = True
    analysis: AnalysisOptions | None = None
    cutoffs: Sequence[dt.date] = field(default_factory=tuple)
    hindcast: dt.date | None = None
    rolling: bool = False


# -- before any fitting -------------------------------------------------------------------


def check_analysis_options(scenario: Scenario, options: AnalysisOptions) -> list[str]:
    """Problems with ``--param`` and ``--values``, found before any fitting."""
    from forecast.analysis import parse_values
    from forecast.analysis.sensitivity import sweepable

    problems = []
    keys = sweepable(scenario)
    if options.param not in keys:
        from forecast.scenario.params import did_you_mean

        problems.append(
            f"--param: {options.param!r} is not a parameter of scenario {scenario.name!r}"
            f"{did_you_mean(options.param, keys)}"
        )
    if options.values is not None:
        try:
            values = parse_values(options.values)
        except ValueError as exc:
            return [*problems, f"--values: {exc}"]
        if not problems:
            # Each value must be one the scenario itself could hold (bounds of the key).
            for v in values:
                try:
                    scenario.with_param(options.param, float(v))
                except ScenarioError as exc:
                    problems.append(f"--values: {'; '.join(exc.lines())}")
                    break
    return problems


def check_sections(scenario: Scenario, sections: Sections) -> None:
    """Every problem with the sections asked for, found before any fitting.

    Raises
    ------
    ScenarioError
        With one line per problem.
    """
    problems = []
    if sections.cutoffs:
        # Imported only when asked for: the analysis package loads SALib and scipy.stats.
        from forecast.analysis.backtest import check_cutoffs

        problems += check_cutoffs(scenario, sections.cutoffs)
    if sections.hindcast is not None:
        from forecast.analysis.hindcast import check_cutoff

        problems += check_cutoff(scenario, sections.hindcast)
    if sections.analysis is not None:
        problems += check_analysis_options(scenario, sections.analysis)
    if sections.rolling:
        from forecast.analysis.rolling import check_rolling

        problems += check_rolling(scenario)
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s)", problems)


def check_scenarios(paths: Sequence[str | Path]) -> tuple[list[tuple[Path, Scenario]], list[str]]:
    """Check scenario files without fitting: each must load, validate, and find the
    sampler its fits need.

    Returns
    -------
    checked : list of (path, Scenario)
        The files that passed.
    problems : list of str
        Every problem of every other file, one line each.
    """
    from forecast.models.sampling import require_backend
    from forecast.models.scenario import needs_hardware_fit, needs_trend_fit
    from forecast.scenario import check_scenario

    problems, checked = [], []
    for path in paths:
        try:
            sc = check_scenario(path)
            if needs_trend_fit(sc) or needs_hardware_fit(sc):
                require_backend(sc.sampler.backend)
        except ScenarioError as exc:
            problems.extend(exc.problems or [f"{path}: {exc}"])
            continue
        checked.append((Path(path), sc))
    return checked, problems


def scenario_text(scenario: Scenario) -> str:
    """The scenario file's text, exactly (a byte-order mark kept): it encodes to the bytes
    the scenario's sha256 names, so a re-rendered report names the same file."""
    raw, _ = read_text(scenario.path, ScenarioError, "scenario file")
    if hashlib.sha256(raw).hexdigest() != scenario.sha256:
        raise ScenarioError(f"{scenario.path}: the file changed while the run was under way")
    return raw.decode("utf-8")


# -- the stages -----------------------------------------------------------------------------


def fit_and_project(scenario: Scenario, options: RunOptions, log: Log = quiet) -> Results:
    """Stage 1: the fits (or the cache) and the projection, with what the report keeps of
    the fits, the runs shown and the 2018 lesson."""
    from forecast.analysis.fits import fit_summary
    from forecast.analysis.lesson2018 import lesson
    from forecast.project.scenario import context_runs, run_scenario

    text = scenario_text(scenario)
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
    # What explore.html computes from: the projection's inputs, thinned.
    from forecast.analysis.explore import explore_dataset

    explore = explore_dataset(result.inputs)
    return Results(
        scenario=result.scenario,
        scenario_text=text,
        seed=result.seed,
        projection=result.projection,
        inputs=inputs,
        runs=runs,
        fit=fit,
        posterior=posterior_groups(result),
        lesson_2018=lesson_2018,
        explore=explore,
        fitted=result,
    )


def add_main(results: Results, options: RunOptions, sweep: bool, log: Log = quiet) -> Results:
    """Stage 2: what the main section shows beside the projection."""
    from forecast.analysis.counts import threshold_counts
    from forecast.analysis.feasible import feasible, reference_projection
    from forecast.analysis.hindcast import known_runs

    result = results.fitted
    if any(c.kind != "spend" for c in result.scenario.constraints):
        # The physical limits against Sevilla et al. (2024), with their inputs run too.
        reference, name = reference_projection(result.scenario, result.seed, options.draws)
        results.feasible_2030 = feasible(result.projection, reference, name)
    if result.scenario.data.points == "runs":
        from forecast.analysis.published_counts import published_counts

        results.threshold_counts = threshold_counts(result)
        # Epoch AI's published counts beside the data's on the same date (the forecast
        # from the counts backtest is joined in when the results are summarised).
        results.threshold_counts.attrs["published"] = published_counts(result)
    results.known_runs = known_runs(result.scenario, result.inputs)
    if result.supply_fits is not None:
        from forecast.analysis.supply import supply

        results.supply = supply(result, result.supply_fits.clusters, result.supply_fits.table)
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
    return results


def add_sensitivity(results: Results, options: AnalysisOptions, log: Log = quiet) -> Results:
    """Stage 3a: the analysis section (sweep of one input, tornado, Sobol indices,
    elasticities and the race of limits).

    Raises
    ------
    ScenarioError
        If ``options.param`` is not a parameter of the scenario or the values are bad.
    """
    from forecast.analysis import elasticity, parse_values, scenario_sobol, sweep, tornado
    from forecast.analysis.hit_response import binding_race

    result = results.fitted
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
    results.sensitivity = Sensitivity.from_analyses(custom, rows, sobol, elasticities, race)
    return results


def add_backtests(
    results: Results, cutoffs: Sequence[dt.date], options: RunOptions, log: Log = quiet
) -> Results:
    """Stage 3b: a backtest at each cutoff (each fits its own data, through the cache)."""
    from forecast.analysis import backtest

    results.backtests = backtest(
        results.scenario, list(cutoffs), seed=options.seed, use_cache=options.use_cache, log=log
    )
    return results


def add_rolling(results: Results, options: RunOptions, log: Log = quiet) -> Results:
    """Stage 3c: the rolling-origin backtest of the record, with the counts' backtest."""
    from forecast.analysis.counts import check_counts, counts_backtest
    from forecast.analysis.rolling import rolling

    scenario = results.scenario
    results.rolling = rolling(scenario, seed=options.seed, use_cache=options.use_cache, log=log)
    if not check_counts(scenario):
        # The counts of runs above each threshold, backtested from 2022 on the rolling
        # backtest's fit of that cutoff (cached by now).
        results.rolling.attrs["counts_backtest"] = counts_backtest(
            scenario, seed=options.seed, use_cache=options.use_cache, log=log
        )
    return results


def add_hindcast(
    results: Results, cutoff: dt.date, options: RunOptions, log: Log = quiet
) -> Results:
    """Stage 3d: the hindcast of the conversion from ``cutoff``."""
    from forecast.analysis.hindcast import hindcast

    results.hindcast = hindcast(results.scenario, cutoff, options.seed, options.use_cache, log)
    return results


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
    """Fit (or load), project, and run the sections asked for: everything a report shows.

    Parameters
    ----------
    scenario : Scenario
        A checked scenario.
    options : RunOptions
    sweep, analysis, cutoffs, hindcast, rolling
        The sections, as :class:`Sections` describes them.
    log : callable
        Receives one-line progress messages.

    Returns
    -------
    Results
    """
    results = fit_and_project(scenario, options, log)
    results = add_main(results, options, sweep, log)
    if analysis is not None:
        results = add_sensitivity(results, analysis, log)
    if cutoffs:
        results = add_backtests(results, cutoffs, options, log)
    if rolling:
        results = add_rolling(results, options, log)
    if hindcast is not None:
        results = add_hindcast(results, hindcast, options, log)
    return results


def run_sections(
    scenario: Scenario, sections: Sections, options: RunOptions, log: Log = quiet
) -> Results:
    """:func:`run` with the sections of ``sections``."""
    return run(
        scenario,
        options,
        sweep=sections.sweep,
        analysis=sections.analysis,
        cutoffs=sections.cutoffs,
        hindcast=sections.hindcast,
        log=log,
        rolling=sections.rolling,
    )


# -- reports --------------------------------------------------------------------------------


def check_folder(out: Path, inside: Path | None) -> None:
    """Raise if ``out`` is not a folder a report may be written to (before any fitting)."""
    from forecast.report.folder import check_target

    check_target(out, inside)


def write(results: Results, out: Path, inside: Path | None = None, log: Log = quiet) -> dict:
    """Write (or update) the report folder ``out``; returns its summary."""
    from forecast.report.write import write_report

    return write_report(results, out, inside=inside, log=log)


def render(folder: Path, log: Log = quiet) -> dict:
    """Draw the briefing and figures of a report folder again from its saved results."""
    from forecast.report.write import render_report

    return render_report(folder, log=log)


def check_comparison(paths: Sequence[str | Path]) -> list[Scenario]:
    """The scenarios of ``forecast compare``, all checked before any is fitted.

    Raises
    ------
    ScenarioError
        With every problem of every file, or if two scenarios share a name.
    """
    from forecast.scenario import check_scenario

    scenarios, problems = [], []
    for path in paths:  # validate all before fitting any
        try:
            scenarios.append(check_scenario(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s)", problems)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenario names must differ to be compared: {', '.join(names)}")
    return scenarios


def compare(results: Sequence[Results], out: Path, inside: Path | None = None) -> list[dict]:
    """Write the comparison of several runs to ``out``; returns one row per scenario."""
    from forecast.report.compare import write_comparison

    return write_comparison(list(results), out, inside=inside)
