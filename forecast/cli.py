"""Command line: parses arguments, calls the stages, prints with rich. Holds no logic."""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from forecast import __version__
from forecast.errors import ForecastError, Interrupted, ScenarioError

console = Console()
err_console = Console(stderr=True)

#: Bounds of the numeric options, with the reason for each (checked where they enter).
MIN_DRAWS = 100  # fewer draws cannot resolve an 80% interval (10th/90th percentiles)
MAX_DRAWS = 200_000  # draws x years x ceilings arrays of the projection must fit in memory
MAX_SEED = 2**32 - 1  # the samplers take 32-bit seeds
SOBOL_LOG2 = (6, 15)  # 64 to 32,768 base samples: below is noise, above takes minutes
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
        f"2018 analysis, {len(tables['run_hardware'])} runs with hardware figures",
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


# -- estimate ------------------------------------------------------------------------------


def _print_estimate(estimate, as_json: bool) -> None:
    if as_json:
        print(json.dumps(estimate.as_dict(), indent=2))
        return
    table = Table(title=f"Training compute, method: {estimate.method}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in estimate.inputs.items():
        table.add_row(key, escape(f"{value:.4g}" if isinstance(value, float) else str(value)))
    table.add_row("[bold]FLOP[/bold]", f"[bold]{estimate.flop:.3g}[/bold]")
    table.add_row("[bold]pfs-days[/bold]", f"[bold]{estimate.pfs_days:.3g}[/bold]")
    console.print(table)


def cmd_estimate_operations(args: argparse.Namespace) -> int:
    from forecast.estimate import by_operations

    _print_estimate(by_operations(args.forward_flop, args.examples, args.epochs), args.json)
    return 0


def cmd_estimate_hardware(args: argparse.Namespace) -> int:
    from forecast.data import load_hardware
    from forecast.estimate import by_hardware

    data_dir = _data_dir(args)
    hardware = load_hardware(data_dir / "hardware.csv" if data_dir else None)
    estimate = by_hardware(
        args.chip, args.count, args.days, args.utilization, args.precision, hardware
    )
    _print_estimate(estimate, args.json)
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


def _logger(quiet: bool = False):
    def log(message: str) -> None:
        if not quiet:
            err_console.print(Text("· ", style="dim") + Text(message), highlight=False)

    return log


def _print_warnings(caught) -> None:
    """Convergence and cache warnings caught during a run, one yellow line each."""
    from forecast.models.sampling import FitWarning

    for w in caught:
        if issubclass(w.category, FitWarning):
            err_console.print(Text("warning: ", style="yellow") + Text(str(w.message)))


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
        results = run_sections(scenario, sections, _options(args), log=_logger(args.quiet))
    _print_warnings(caught)
    return results


def _report_folder(args: argparse.Namespace, name: str) -> tuple[Path, Path | None]:
    """The report folder and the folder it must stay inside (None when --out says where)."""
    if getattr(args, "out", None):
        return Path(args.out), None
    return REPORTS / name, REPORTS


def _headline_table(summary: dict, title: str) -> Table:
    from forecast.report import style as F

    horizon = summary["horizon"]
    table = Table(title=escape(title))
    table.add_column("quantity")
    table.add_column("median", justify="right")
    table.add_column("80% interval", justify="right")
    d = summary["trend"]["doubling_time_months"]
    table.add_row("doubling time (months)", f"{d['median']:.1f}", f"{d['p10']:.1f}–{d['p90']:.1f}")
    for c in summary["constraints"]:
        iv = c["hit_year"]
        table.add_row(
            escape(f"hits {c['name']} (P by {horizon}: {F.percent(c['prob_hit_by_horizon'])})"),
            F.year(iv["median"], horizon),
            f"{F.year(iv['p10'], horizon)}–{F.year(iv['p90'], horizon)}",
        )
    lim = summary["limit"]
    table.add_row(
        escape(f"first ceiling: {lim['binding_constraint'] or 'none'}"),
        F.year(lim["hit_year"]["median"], horizon),
        f"{F.year(lim['hit_year']['p10'], horizon)}–{F.year(lim['hit_year']['p90'], horizon)}",
    )
    post = lim["post_limit_doubling_time_months"]
    if post["median"] is not None:
        p90 = "n/a" if post["p90"] is None else f"{post['p90']:.1f}"
        table.add_row(
            "doubling after the limit (months)", f"{post['median']:.1f}", f"{post['p10']:.1f}–{p90}"
        )
    return table


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
        summary = workflow.write(results, out, inside=inside, log=_logger(args.quiet))
    console.print(_headline_table(summary, f"{scenario.name}: headline"))
    if options is not None:
        _print_sensitivity(scenario.name, results.sensitivity)
    if cutoffs:
        _print_backtests(scenario.name, results.backtests)
    if rolling:
        _print_rolling(scenario.name, results.rolling_summary)
    if hindcast is not None:
        _print_hindcast(scenario.name, results.hindcast, results.hindcast_summary)
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
        summary = render(folder, log=_logger(args.quiet))
    console.print(_headline_table(summary, f"{summary['scenario']}: headline"))
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


def _print_sensitivity(name: str, sensitivity) -> None:
    from forecast.report import style as F

    sobol = sensitivity.sobol_indices()
    table = Table(title=escape(f"{name}: what moves the first hit year most"))
    for col in ("input", "10th pct", "90th pct", "swing (years)", "Sobol ST"):
        table.add_column(col, justify="left" if col == "input" else "right")
    for r in sensitivity.tornado_rows()[:8]:
        st = sobol.get(r["param"], {}).get("ST")
        table.add_row(
            escape(F.param_label(r["param"])),
            f"{r['low_value']:.3g}",
            f"{r['high_value']:.3g}",
            f"{r['swing_years']:+.2f}",
            "n/a" if st is None else f"{st:.2f}",
        )
    console.print(table)


def _print_hindcast(name: str, ds, summary: dict) -> None:
    from forecast.report import style as F

    table = Table(title=escape(f"{name}: hindcast of the conversion from {ds.attrs['cutoff']}"))
    for col in ("quantity", "runs", "median modelled / published", "within 3x", "inside 80%"):
        table.add_column(col, justify="left" if col == "quantity" else "right")
    for q, s in summary.items():
        table.add_row(
            q,
            str(s["runs"]),
            "n/a" if s["median_ratio"] is None else f"{s['median_ratio']:.2f}",
            "n/a" if s["share_within_3x"] is None else F.percent(s["share_within_3x"]),
            "n/a" if s["share_inside_80"] is None else F.percent(s["share_inside_80"]),
        )
    console.print(table)


def _print_rolling(name: str, summary: dict) -> None:
    table = Table(title=escape(f"{name}: rolling backtest of the record (80% held / CRPS)"))
    table.add_column("years ahead", justify="right")
    for label in ("this model", "straight line", "2018 line", "record line"):
        table.add_column(label, justify="right")
    for h in summary["coverage"]:
        cells = []
        for b in (summary, *summary["baselines"].values()):
            c80, score = b["coverage"][h]["80"], b["crps"][h]
            cells.append("n/a" if score is None else f"{c80:.0%} / {score:.2f}")
        table.add_row(h, *cells)
    console.print(table)


def _print_backtests(name: str, results) -> None:
    table = Table(title=escape(f"{name}: backtests (unconstrained trend)"))
    for col in ("cutoff", "later runs", "coverage 50/80/95", "CRPS (OOM)", "median abs. error"):
        table.add_column(col)
    for r in results:
        s = r.scores["trend"]
        table.add_row(
            str(r.cutoff),
            str(r.n_later),
            " / ".join(f"{s[f'coverage{c}']:.2f}" for c in (50, 80, 95)),
            f"{s['crps']:.2f}",
            f"{s['mae']:.2f}",
        )
    console.print(table)


# -- option types: every value checked where it enters -------------------------------------


def _int_between(lo: int, hi: int, why: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"must be from {lo:,} to {hi:,} ({why}), got {value:,}"
            )
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text!r}")
    return value


def _fraction(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a fraction of peak in (0, 1], got {text!r}")
    return value


def _add_sensitivity_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--param",
        default="trend.doubling_time_months",
        help="scenario parameter to sweep (key path, e.g. hardware.utilization)",
    )
    p.add_argument("--values", help="values to sweep: start:stop:count or a,b,c (default: a range)")
    p.add_argument(
        "--sobol-log2",
        type=_int_between(*SOBOL_LOG2, "64 to 32,768 base samples"),
        default=11,
        help=f"log2 of the Sobol base sample ({SOBOL_LOG2[0]} to {SOBOL_LOG2[1]}; default 11)",
    )


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=_int_between(0, MAX_SEED, "the samplers take 32-bit seeds"),
        help="override the scenario's seed",
    )
    p.add_argument(
        "--draws",
        type=_int_between(
            MIN_DRAWS, MAX_DRAWS, "fewer cannot resolve an 80% interval, more do not fit in memory"
        ),
        help=f"number of projection draws, {MIN_DRAWS:,} to {MAX_DRAWS:,} "
        "(default: all posterior draws, or 4,000 without a fit)",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="re-sample even if a cached posterior exists"
    )
    p.add_argument("--strict", action="store_true", help="fail (exit 3) on convergence problems")
    p.add_argument("--quiet", action="store_true", help="no progress output")


# -- parser --------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and exit code 2), like every other."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``forecast`` command."""
    parser = _Parser(
        prog="forecast",
        description="How fast does the compute of the largest AI training runs grow, and when "
        "does it meet economic and physical limits?",
    )
    parser.add_argument("-V", "--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    data = sub.add_parser("data", help="inspect and validate the data files")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    check = data_sub.add_parser("check", help="validate every data file and summarise it")
    check.add_argument("--data-dir", help="folder with the CSV files (default: data/)")
    check.set_defaults(handler=cmd_data_check)

    est = sub.add_parser("estimate", help="estimate a run's training compute (2018 methods)")
    est_sub = est.add_subparsers(dest="estimate_command", required=True, metavar="METHOD")
    ops = est_sub.add_parser("operations", help="method 1: count operations")
    ops.add_argument(
        "--forward-flop", type=_positive_float, required=True, help="FLOP per forward pass"
    )
    ops.add_argument("--examples", type=_positive_float, required=True, help="examples per epoch")
    ops.add_argument("--epochs", type=_positive_float, required=True, help="number of epochs")
    ops.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ops.set_defaults(handler=cmd_estimate_operations)
    hw = est_sub.add_parser("hardware", help="method 2: chips x time x peak x utilisation")
    hw.add_argument(
        "--chip", required=True, help='chip name from data/hardware.csv, e.g. "GTX 580"'
    )
    hw.add_argument("--count", type=_positive_float, required=True, help="number of chips")
    hw.add_argument("--days", type=_positive_float, required=True, help="training time in days")
    hw.add_argument(
        "--utilization", type=_fraction, help="fraction of peak (default 0.33 GPU, 0.17 CPU)"
    )
    hw.add_argument(
        "--precision",
        choices=("fp16", "fp32", "ml"),
        default="fp16",
        help="the chip's peak at dense FP16/BF16, the format frontier runs trained in "
        "(default; FP32 on chips without it), FP32 (the 2018 analysis's choice), or ml (the "
        "best dense format: FP8 on an H100)",
    )
    hw.add_argument("--data-dir", help="folder with hardware.csv (default: data/)")
    hw.add_argument("--json", action="store_true", help="print JSON instead of a table")
    hw.set_defaults(handler=cmd_estimate_hardware)

    chk = sub.add_parser("check", help="validate scenario files without running them")
    chk.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    chk.set_defaults(handler=cmd_check)

    run = sub.add_parser("run", help="fit, project and write the briefing of a scenario")
    run.add_argument("scenario", metavar="SCENARIO", help="a scenario TOML file")
    run.add_argument("--out", help="report folder (default: reports/<name>/)")
    run.add_argument("--no-sensitivity", action="store_true", help="skip the doubling-time sweep")
    run.add_argument(
        "--analysis",
        action="store_true",
        help="add the sensitivity analysis (tornado, Sobol) as `forecast sensitivity` does",
    )
    run.add_argument(
        "--backtest",
        action="append",
        metavar="DATE",
        help="add a backtest at this cutoff (repeat for several)",
    )
    run.add_argument(
        "--rolling",
        action="store_true",
        help="add the rolling-origin backtest of the record (as `forecast backtest --rolling`)",
    )
    run.add_argument(
        "--hindcast",
        metavar="DATE",
        help="add the hindcast of the conversion from this cutoff (as `forecast hindcast`)",
    )
    _add_sensitivity_options(run)
    _add_run_options(run)
    run.set_defaults(handler=cmd_run)

    cmp = sub.add_parser("compare", help="headline numbers of several scenarios side by side")
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    cmp.add_argument("--out", help="report folder (default: reports/compare-<names>/)")
    _add_run_options(cmp)
    cmp.set_defaults(handler=cmd_compare)

    sens = sub.add_parser(
        "sensitivity", help="add a sweep, tornado and Sobol indices to the scenario's report"
    )
    sens.add_argument("scenario", metavar="SCENARIO")
    _add_sensitivity_options(sens)
    sens.add_argument("--out", help="report folder (default: reports/<name>/)")
    _add_run_options(sens)
    sens.set_defaults(handler=cmd_sensitivity)

    hc = sub.add_parser(
        "hindcast",
        help="add the hindcast of the conversion (modelled against published cost and power "
        "of later runs) to the scenario's report",
    )
    hc.add_argument("scenario", metavar="SCENARIO")
    hc.add_argument("--cutoff", required=True, metavar="DATE", help="cutoff date YYYY-MM-DD")
    hc.add_argument("--out", help="report folder (default: reports/<name>/)")
    _add_run_options(hc)
    hc.set_defaults(handler=cmd_hindcast)

    rep = sub.add_parser(
        "report",
        help="render the briefing and figures of a report folder again from its saved results",
    )
    rep.add_argument("folder", metavar="DIR", help="a report folder `forecast run` wrote")
    rep.add_argument("--quiet", action="store_true", help="no progress output")
    rep.set_defaults(handler=cmd_report)

    bt = sub.add_parser("backtest", help="add backtests at past cutoffs to the scenario's report")
    bt.add_argument("scenario", metavar="SCENARIO")
    bt.add_argument(
        "--cutoff",
        action="append",
        metavar="DATE",
        help="cutoff date YYYY-MM-DD (repeat for several)",
    )
    bt.add_argument(
        "--rolling",
        action="store_true",
        help="fit at every 1 January from 2014 to 2024 and score the record 1 to 5 years "
        "ahead against a straight line and the 2018 analysis's line",
    )
    bt.add_argument("--out", help="report folder (default: reports/<name>/)")
    _add_run_options(bt)
    bt.set_defaults(handler=cmd_backtest)
    return parser


def _raise_terminated(signum: int, _frame) -> None:
    raise Interrupted(signum)


def _error(line: str) -> None:
    # Plain text: messages quote user input ("[[constraints]]", "[/x]"), never markup.
    err_console.print(Text("error: ", style="red") + Text(line), highlight=False, soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``forecast`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad option (already printed)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    # SIGTERM (a scheduler's kill, `timeout`) stops a run as Ctrl-C does: every writer
    # cleans up, and nothing partial is cached or left as a report.
    previous = None
    if hasattr(signal, "SIGTERM"):
        try:
            previous = signal.signal(signal.SIGTERM, _raise_terminated)
        except ValueError:  # not the main thread (an embedding program); leave it alone
            previous = None
    try:
        return int(args.handler(args) or 0)
    except ForecastError as exc:
        for line in exc.lines():
            _error(line)
        return exc.exit_code
    except OSError as exc:
        # A file that cannot be read or written (permissions, full disk): one line, no
        # traceback; any report being written was discarded whole.
        _error(str(exc))
        return 1
    except MemoryError:
        _error("out of memory: use fewer --draws or a smaller --sobol-log2")
        return 1
    except KeyboardInterrupt as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else 130
        err_console.print(
            Text("interrupted", style="red")
            + Text(" (nothing partial was cached or left as a report)")
        )
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
