"""The commands: each checks what it is given, calls :mod:`forecast.workflow` (or the data and
estimate functions) and prints with :mod:`forecast.cli.show`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from forecast.cli.show import (
    console,
    err_console,
    headline_table,
    logger,
    print_backtests,
    print_estimate,
    print_hindcast,
    print_rolling,
    print_sensitivity,
    print_warnings,
)
from forecast.errors import ScenarioError

REPORTS = Path("reports")


def _data_dir(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "data_dir", None) or os.environ.get("FORECAST_DATA_DIR")
    return Path(value) if value else None


# -- data ----------------------------------------------------------------------------------


def cmd_data_check(args: argparse.Namespace) -> int:
    from forecast.data import check_all, flop_to_pfs_days
    from forecast.data.overview import record_and_latest, runs_by_era

    tables = check_all(_data_dir(args))
    runs = tables["runs"]
    console.print(
        f"[green]ok[/green] {len(runs)} training runs, {len(tables['hardware'])} chips, "
        f"{len(tables['economy'])} economy years, {len(tables['openai_2018'])} points of the "
        f"2018 analysis, {len(tables['run_hardware'])} runs with hardware figures, "
        f"{len(tables['clusters'])} GPU clusters "
        f"({int((tables['clusters']['status'] == 'planned').sum())} planned), "
        f"{len(tables['run_clusters'])} runs with their cluster, "
        f"{len(tables['accelerators'])} accelerator stock figures "
        f"({int((tables['accelerators']['basis'] == 'published').sum())} published, the "
        f"rest derived from them)",
        soft_wrap=True,
    )
    counts = runs_by_era(runs)
    table = Table(title="Training runs by domain and era")
    table.add_column("domain")
    for column in counts.columns:
        table.add_column(str(column), justify="right")
    for domain, row in counts.iterrows():
        label = Text(str(domain), style="bold" if domain == "all" else "")
        table.add_row(label, *(str(int(v)) for v in row))
    console.print(table)
    record, latest = record_and_latest(runs)
    console.print(
        f"Record holder: {record['name']} ({record['organization']}, "
        f"{record['date']}): {record['compute_flop']:.3g} FLOP = "
        f"{flop_to_pfs_days(record['compute_flop']):.3g} pfs-days",
        markup=False,
        highlight=False,
    )
    console.print(
        f"Latest run: {latest['name']} ({latest['organization']}, {latest['date']}): "
        f"{latest['compute_flop']:.3g} FLOP",
        markup=False,
        highlight=False,
    )
    return 0


def cmd_estimate_operations(args: argparse.Namespace) -> int:
    from forecast.estimate import by_operations

    print_estimate(by_operations(args.forward_flop, args.examples, args.epochs), args.json)
    return 0


def cmd_estimate_hardware(args: argparse.Namespace) -> int:
    from forecast.data import load_hardware
    from forecast.estimate import by_hardware

    data_dir = _data_dir(args)
    hardware = load_hardware(data_dir / "hardware.csv" if data_dir else None)
    estimate = by_hardware(
        args.chip, args.count, args.days, args.utilization, args.precision, hardware
    )
    print_estimate(estimate, args.json)
    return 0


# -- scenarios ------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from forecast.workflow import check_scenarios

    checked, problems = check_scenarios(args.scenarios)
    for path, sc in checked:
        unsourced = sc.unsourced()
        note = f" ({len(unsourced)} value(s) without a source)" if unsourced else ""
        console.print(Text("ok ", style="green") + Text(f"{path}: scenario {sc.name!r}{note}"))
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s)", problems)
    return 0


def _options(args: argparse.Namespace):
    from forecast.workflow import RunOptions

    return RunOptions(
        seed=args.seed,
        draws=args.draws,
        use_cache=not args.no_cache,
        strict=args.strict,
        progress=not args.quiet,
    )


def _compute(scenario, args: argparse.Namespace, sections):
    """Run the workflow for one checked scenario; its warnings become lines."""
    import warnings

    from forecast.workflow import run_sections

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = run_sections(scenario, sections, _options(args), log=logger(args.quiet))
    print_warnings(caught)
    return results


def _report_folder(args: argparse.Namespace, name: str) -> tuple[Path, Path | None]:
    """The report folder and the folder it must stay inside (None when --out says where)."""
    if getattr(args, "out", None):
        return Path(args.out), None
    return REPORTS / name, REPORTS


def _report(
    args: argparse.Namespace,
    analysis: bool = False,
    cutoffs: Sequence = (),
    sweep: bool = True,
    hindcast=None,
    rolling: bool = False,
) -> int:
    """Run a scenario and write (or update) its report folder with the sections asked for.

    Every option, the scenario and the report folder are checked before any fitting.
    """
    from forecast import workflow
    from forecast.scenario import check_scenario

    scenario = check_scenario(args.scenario)
    out, inside = _report_folder(args, scenario.name)
    workflow.check_folder(out, inside)
    options = (
        workflow.AnalysisOptions(args.param, args.values, args.sobol_log2) if analysis else None
    )
    sections = workflow.Sections(sweep, options, tuple(cutoffs), hindcast, rolling)
    workflow.check_sections(scenario, sections)
    results = _compute(scenario, args, sections)
    with err_console.status(escape(f"writing {out}")):
        summary = workflow.write(results, out, inside=inside, log=logger(args.quiet))
    console.print(headline_table(summary, f"{scenario.name}: headline"))
    if options is not None:
        print_sensitivity(scenario.name, results.sensitivity)
    if cutoffs:
        print_backtests(scenario.name, results.backtests)
    if rolling:
        print_rolling(scenario.name, results.rolling_summary)
    if hindcast is not None:
        print_hindcast(scenario.name, results.hindcast, results.hindcast_summary)
    console.print(Text("Report written to ") + Text(str(out), style="bold"))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    hindcast = _cutoffs([args.hindcast], "--hindcast")[0] if args.hindcast else None
    return _report(
        args,
        analysis=args.analysis,
        cutoffs=_cutoffs(args.backtest, "--backtest"),
        sweep=not args.no_sensitivity,
        hindcast=hindcast,
        rolling=args.rolling,
    )


def cmd_hindcast(args: argparse.Namespace) -> int:
    return _report(args, hindcast=_cutoffs([args.cutoff])[0])


def cmd_sensitivity(args: argparse.Namespace) -> int:
    return _report(args, analysis=True)


def cmd_backtest(args: argparse.Namespace) -> int:
    if not args.cutoff and not args.rolling:
        raise ScenarioError("backtest: give --cutoff DATE (repeatable), --rolling, or both")
    return _report(args, cutoffs=_cutoffs(args.cutoff or []), rolling=args.rolling)


def cmd_report(args: argparse.Namespace) -> int:
    """Render the briefing and figures of a report folder again from its saved results."""
    from forecast.workflow import render

    folder = Path(args.folder)
    with err_console.status(escape(f"rendering {folder}")):
        summary = render(folder, log=logger(args.quiet))
    console.print(headline_table(summary, f"{summary['scenario']}: headline"))
    console.print(Text("Report rendered again in ") + Text(str(folder), style="bold"))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from forecast import workflow
    from forecast.report import style as F
    from forecast.report.compare import first_limit_text

    scenarios = workflow.check_comparison(args.scenarios)
    out, inside = _report_folder(args, "compare-" + "-".join(s.name for s in scenarios))
    workflow.check_folder(out, inside)
    results = [_compute(s, args, workflow.Sections(sweep=False)) for s in scenarios]
    rows = workflow.compare(results, out, inside=inside)

    table = Table(title="Scenario comparison")
    for col in (
        "scenario",
        "doubling (months)",
        "binds first (share of draws)",
        "first hit year",
        "P(hit)",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            escape(r["scenario"]),
            f"{r['doubling_time_months']['median']:.1f}",
            escape(first_limit_text(r)),
            F.year_interval(r["first_hit_year"], r["horizon"]),
            F.percent(r["prob_hit_by_horizon"]),
        )
    console.print(table)
    console.print(Text("Comparison written to ") + Text(str(out), style="bold"))
    return 0


def _cutoffs(texts: Sequence[str] | None, option: str = "--cutoff") -> list:
    import datetime as dt

    out = []
    for text in texts or []:
        try:
            out.append(dt.date.fromisoformat(text))
        except ValueError:
            raise ScenarioError(f"{option}: expected a date YYYY-MM-DD, got {text!r}") from None
    return out
