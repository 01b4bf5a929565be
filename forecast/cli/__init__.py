"""Command line: parses arguments and calls the commands; holds no logic.

Every option value is checked where it enters (the types below); a problem is one line
with exit code 2, and no traceback."""

from __future__ import annotations

import argparse
import math
import signal
import sys
from collections.abc import Callable, Sequence

from rich.text import Text

from forecast import __version__
from forecast.cli.commands import (
    cmd_backtest,
    cmd_check,
    cmd_compare,
    cmd_data_check,
    cmd_estimate_hardware,
    cmd_estimate_operations,
    cmd_hindcast,
    cmd_report,
    cmd_run,
    cmd_sensitivity,
)
from forecast.cli.show import err_console
from forecast.errors import ForecastError, Interrupted

#: Bounds of the numeric options, with the reason for each (checked where they enter).
MIN_DRAWS = 100  # fewer draws cannot resolve an 80% interval (10th/90th percentiles)
MAX_DRAWS = 200_000  # draws x years x ceilings arrays of the projection must fit in memory
MAX_SEED = 2**32 - 1  # the samplers take 32-bit seeds
SOBOL_LOG2 = (6, 15)  # 64 to 32,768 base samples: below is noise, above takes minutes


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
