"""Typed, validating loaders for the CSV files in ``data/``.

Every row is checked, every problem is collected, and one :class:`DataError`
lists them all with file, line and column, so a user fixes a file in one pass.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import io
import math
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.textfile import read_text
from forecast.data.units import FLOP_PER_PFS_DAY, decimal_year
from forecast.errors import DataError, Problem

METHODS = ("operations", "hardware", "reported", "third_party")
DOMAINS = (
    "language",
    "vision",
    "games",
    "speech",
    "multimodal",
    "biology",
    "robotics",
    "recommendation",
    "other",
)
CHIP_KINDS = ("gpu", "tpu", "cpu")
#: What a row of ``training_runs.csv`` measures. ``pretrain``: an ordinary training run;
#: ``fine-tune``: a fine-tune or continued training whose compute counts a base model's
#: pretraining again (FLAN 137B counts LaMDA-PT, DeepSeek-R1 counts DeepSeek-V3);
#: ``unfinished``: a run announced before its training was completed.
STAGES = ("pretrain", "fine-tune", "unfinished")
#: Number formats of a run's matrix arithmetic (``run_hardware.csv``); ``mixed`` when the
#: source says mixed precision without naming the format.
NUMERICAL_FORMATS = ("FP32", "TF32", "FP16", "BF16", "FP8", "FP4", "mixed")
#: Confidence labels (Epoch AI's, lower-cased).
CONFIDENCES = ("confident", "likely", "speculative")

#: Where the shipped data lives (``data/`` next to the package in a source checkout).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

Parser = Callable[[str], Any]

# -- plausible ranges ------------------------------------------------------------------------
# Each is far beyond any real value but far below absurd ones, so that a typo (1e300, an
# extra digit in the exponent, TFLOPS written for FLOP/s, billions for dollars) is caught
# here, with the reason, instead of becoming the record holder or a broken fit.

#: Largest training compute accepted: 1e31 FLOP. All the world's AI accelerators
#: (a few million chips at about 1e15 FLOP/s) do about 1e29 FLOP a year at full peak,
#: so 1e31 is a century of the whole fleet; the largest run by 2025 is about 5e26.
MAX_COMPUTE_FLOP = 1e31
COMPUTE_WHY = (
    "more than all the world's AI accelerators could do in a century; the largest run "
    "by 2025 used about 5e26"
)
#: A multiplicative 90% bound of 100 already means "unknown within four orders of
#: magnitude"; the data use 2 to 10.
MAX_UNCERTAINTY = 100.0
#: No run was trained before the first electronic computers (the data start in 1950).
FIRST_DATE = dt.date(1940, 1, 1)
#: Chips: the largest clusters of 2025 have a few hundred thousand accelerators;
#: ten million is more than the world makes in a year.
MAX_CHIP_COUNT = 1e7
#: Ten years of training would outlast the hardware (the longest run here took 296 days).
MAX_TRAINING_DAYS = 3650.0
#: Peak FLOP/s of one chip: 1e9 (below is almost surely TFLOPS written for FLOP/s) to
#: 1e18 (eight times a whole wafer-scale chip, Cerebras WSE-3 at 1.25e17 sparse).
FLOPS_RANGE = (1e9, 1e18)
#: Board power: 1 W to 100 kW (a wafer-scale system draws about 23 kW).
TDP_RANGE = (1.0, 1e5)
#: Chip price: 1 USD to 100 million USD (a wafer-scale system costs a few million).
PRICE_RANGE = (1.0, 1e8)
#: GDP in current USD: 1e9 (below is almost surely billions written for dollars) to
#: 1e16 (a hundred times world GDP in 2022, 1.0e14).
GDP_RANGE = (1e9, 1e16)
#: Semiconductor sales: 1e6 USD (below: millions or billions written for dollars) to
#: 1e14 (world GDP; sales were 7.9e11 in 2025).
SALES_RANGE = (1e6, 1e14)
#: Training time of one run in hours: two years (the longest run here, OpenAI Five, took
#: 296 days, 7,104 hours).
MAX_TRAINING_HOURS = 2 * 8760.0
#: All-in power of one run: 1 W to 10 GW (several times the largest campuses planned for
#: 2030, 1 to 5 GW; the largest run by 2025 drew about 110 MW).
POWER_RANGE = (1.0, 1e10)
#: Cost of one run or its cluster: 1 USD to 1e12 USD (more than a year of the world's
#: semiconductor sales, 7.9e11 in 2025; the largest cluster by 2025 cost about 2.4e9).
COST_RANGE = (1.0, 1e12)
#: All-in power per chip: an accelerator with its share of servers, network and cooling
#: draws about 0.1 to 2.5 kW; below 10 W is almost surely kW written for W, above 100 kW
#: (four wafer-scale systems) W written for kW or a chip count too small.
POWER_PER_CHIP_RANGE = (10.0, 1e5)
#: Accelerators accepted in ``run_hardware.csv`` that ``hardware.csv`` does not list, each
#: with the reason (names as in Epoch AI's Machine Learning Hardware data set). They have
#: no specs in this project: a fit that needs a chip's peak FLOP/s or TDP skips them.
OTHER_ACCELERATORS = {
    "Google TPU v1": "Google's first TPU (2015), an 8-bit inference chip; hardware.csv "
    "lists training chips, from TPU v2 on",
    "NVIDIA A100": "an A100 whose variant (SXM4 or PCIe, 40 or 80 GB) is not published: "
    "the same 312 TFLOP/s dense BF16, but TDPs from 250 to 400 W",
    "NVIDIA V100": "a V100 whose variant (SXM2 or PCIe) is not published; peak and TDP "
    "differ by variant",
    "NVIDIA P100": "a P100 whose variant (SXM2 or PCIe) is not published; peak and TDP "
    "differ by variant",
    "NVIDIA Tesla V100 DGXS 16 GB": "Epoch AI's name for the V100 of the DGX Station "
    "(125 TFLOP/s FP16, 250 W in its table), which hardware.csv does not list",
    "NVIDIA Tesla V100 DGXS 32 GB": "Epoch AI's name for the 32 GB V100 of the DGX Station "
    "(125 TFLOP/s FP16, 250 W in its table), which hardware.csv does not list",
    "NVIDIA Tesla V100S PCIe 32 GB": "the V100S PCIe refresh (2019, 130 TFLOP/s FP16, 250 W), "
    "not in hardware.csv",
    "NVIDIA Tesla K40t": "a Tesla K40 variant (245 W in Epoch AI's table); hardware.csv's "
    "Tesla K40 is the 235 W board",
    "NVIDIA H800 SXM5": "the H100 SXM5's export version for China: the same FP16 and FP8 "
    "peak, less NVLink bandwidth; not in hardware.csv",
    "Huawei Ascend 910": "Huawei's 2019 training NPU; not in hardware.csv",
    "Huawei Ascend 910B": "Huawei's 2023 training NPU (about 400 W); not in hardware.csv",
    "Huawei Ascend 910C": "Huawei's 2024 training NPU (about 800 TFLOP/s FP16, 700 W in Epoch "
    "AI's table); not in hardware.csv",
    "Amazon Trainium1": "AWS's first training chip (2022); not in hardware.csv",
    "NVIDIA GB300 (Blackwell Ultra)": "the Blackwell Ultra GPU of a GB300 system (1,400 W in "
    "Epoch AI's table), not the 1,100 W HGX B300 board of hardware.csv",
}
#: Longest cell accepted. No cell here needs more than a few hundred characters; a
#: longer one is most often a quote left open that swallowed the lines after it.
MAX_CELL_CHARS = 10_000


# -- cell parsers: each returns a value or raises ValueError("expected ...") ---------------


def _text(cell: str) -> str:
    if not cell.strip():
        raise ValueError("expected a non-empty text")
    return cell.strip()


def _optional_text(cell: str) -> str:
    return cell.strip()


def _date(cell: str, today: dt.date | None = None) -> dt.date:
    try:
        value = dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {cell!r}") from None
    if value > (today or dt.date.today()):
        raise ValueError(f"date {value} is in the future")
    if value < FIRST_DATE:
        raise ValueError(
            f"date {value} is before {FIRST_DATE}: no run was trained before the first "
            "electronic computers"
        )
    return value


def _positive(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ValueError(f"expected a positive number, got {cell!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a positive finite number, got {cell!r}")
    return value


def _optional_positive(cell: str) -> float:
    return _positive(cell) if cell.strip() else math.nan


def plain_number(x: float) -> str:
    """A number for a message, as a user would type it.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        Four significant digits, exponent without ``+`` or leading zeros: ``1e31``,
        ``1e9``, ``3650``, ``0.5``, ``3.5e20``.
    """
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{x:.4g}")


def _between(low: float, high: float, unit: str, why: str, optional: bool = False) -> Parser:
    """A parser of positive numbers in ``[low, high]``; the message gives the reason."""

    def parse(cell: str) -> float:
        if optional and not cell.strip():
            return math.nan
        value = _positive(cell)
        if not low <= value <= high:
            raise ValueError(
                f"expected {plain_number(low)} to {plain_number(high)} {unit} ({why}), "
                f"got {cell.strip()!r}"
            )
        return value

    return parse


def _at_least_one(cell: str) -> float:
    value = _positive(cell)
    if value < 1:
        raise ValueError(f"expected an uncertainty factor >= 1, got {cell!r}")
    if value > MAX_UNCERTAINTY:
        raise ValueError(
            f"expected an uncertainty factor of at most {MAX_UNCERTAINTY:g} (a 90% bound of "
            f"100x either way already means unknown), got {cell!r}"
        )
    return value


def _optional_count(cell: str) -> float:
    if not cell.strip():
        return math.nan
    try:
        value = _positive(cell)
    except ValueError:
        raise ValueError(f"expected a positive whole number of chips, got {cell!r}") from None
    if not value.is_integer():
        raise ValueError(f"expected a whole number of chips, got {cell!r}")
    if value > MAX_CHIP_COUNT:
        raise ValueError(
            f"expected at most {plain_number(MAX_CHIP_COUNT)} chips (more than the world "
            f"makes in a year), got {cell!r}"
        )
    return value


_compute_flop = _between(1.0, MAX_COMPUTE_FLOP, "FLOP", COMPUTE_WHY)
_pfs_days = _between(
    1.0 / FLOP_PER_PFS_DAY,
    MAX_COMPUTE_FLOP / FLOP_PER_PFS_DAY,
    "petaflop/s-days",
    f"1 to 1e31 FLOP: {COMPUTE_WHY}",
)
_training_days = _between(
    0.0, MAX_TRAINING_DAYS, "days", "ten years would outlast the hardware", optional=True
)
_flops = _between(
    *FLOPS_RANGE,
    "FLOP/s",
    "write FLOP/s, not TFLOPS; 1e18 is eight times a whole wafer-scale chip",
    optional=True,
)
_tdp = _between(*TDP_RANGE, "W", "a wafer-scale system draws about 23 kW", optional=True)
_price = _between(
    *PRICE_RANGE, "USD", "a wafer-scale system costs a few million USD", optional=True
)
_gdp = _between(
    *GDP_RANGE,
    "USD",
    "write dollars, not billions; 1e16 is a hundred times world GDP",
    optional=True,
)
_sales = _between(
    *SALES_RANGE,
    "USD",
    "write dollars, not millions or billions; 1e14 is world GDP",
    optional=True,
)


_training_hours = _between(
    0.0,
    MAX_TRAINING_HOURS,
    "hours",
    "two years; the longest run here, OpenAI Five, took 7,104 hours",
    optional=True,
)
_power = _between(
    *POWER_RANGE,
    "W",
    "write watts, not MW; 1e10 W is several times the largest campus planned for 2030",
    optional=True,
)
_cost = _between(
    *COST_RANGE,
    "USD",
    "write dollars, not millions; 1e12 is more than a year of world semiconductor sales",
    optional=True,
)


def _mfu(cell: str) -> float:
    if not cell.strip():
        return math.nan
    value = _positive(cell)
    if value > 1:
        raise ValueError(
            "expected a fraction of peak throughput, above 0 and at most 1 (write 0.4, not "
            f"40), got {cell.strip()!r}"
        )
    return value


def _accelerators(cell: str) -> str:
    """One chip name, or several separated by ``; `` (a run on a mix of chips)."""
    if not cell.strip():
        return ""
    names = [name.strip() for name in cell.split(";")]
    if not all(names):
        raise ValueError(f"expected chip names separated by '; ', got {cell!r}")
    return "; ".join(names)


def _urls(cell: str) -> str:
    """One link, or several separated by ``; `` (the data set, then the primary source)."""
    links = [link.strip() for link in cell.split(";")]
    for link in links:
        if not link.startswith(("http://", "https://")):
            raise ValueError(
                f"expected links starting with http(s)://, separated by '; ', got {cell!r}"
            )
    return "; ".join(links)


def _year(cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise ValueError(f"expected a whole year, got {cell!r}") from None
    if not 1900 <= value <= dt.date.today().year:
        raise ValueError(f"expected a year between 1900 and this year, got {value}")
    return value


def _choice(options: Sequence[str], optional: bool = False) -> Parser:
    def parse(cell: str) -> str:
        value = cell.strip()
        if optional and not value:
            return ""
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}; got {cell!r}")
        return value

    return parse


def _url(cell: str) -> str:
    value = cell.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected a link starting with http(s)://, got {cell!r}")
    return value


def _bool(cell: str) -> bool:
    value = cell.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, got {cell!r}")
    return value == "true"


@dataclass(frozen=True)
class Column:
    """One CSV column: its name and how a cell is parsed and checked.

    ``optional`` columns may be left out of a file's header as a whole (files written
    before the column existed); a file that has the column must fill every cell of it
    as ``parse`` demands.
    """

    name: str
    parse: Parser
    optional: bool = False


RUN_COLUMNS = (
    Column("name", _text),
    Column("organization", _text),
    Column("date", _date),
    Column("domain", _choice(DOMAINS)),
    Column("compute_flop", _compute_flop),
    Column("method", _choice(METHODS)),
    Column("uncertainty", _at_least_one),
    Column("hardware", _optional_text),
    Column("chip_count", _optional_count),
    Column("training_days", _training_days),
    Column("source_title", _text),
    Column("source_url", _url),
    Column("stage", _choice(STAGES), optional=True),
)

#: The columns of ``run_hardware.csv`` that hold a published figure (a row has one at least).
FIGURES = (
    "accelerator",
    "chip_count",
    "training_hours",
    "mfu",
    "numerical_format",
    "power_watts",
    "hardware_cost_usd",
    "amortized_cost_usd",
)

RUN_HARDWARE_COLUMNS = (
    Column("name", _text),
    Column("accelerator", _accelerators),
    Column("chip_count", _optional_count),
    Column("training_hours", _training_hours),
    Column("mfu", _mfu),
    Column("numerical_format", _choice(NUMERICAL_FORMATS, optional=True)),
    Column("power_watts", _power),
    Column("hardware_cost_usd", _cost),
    Column("amortized_cost_usd", _cost),
    Column("confidence", _choice(CONFIDENCES)),
    Column("source_title", _text),
    Column("source_url", _urls),
)

HARDWARE_COLUMNS = (
    Column("name", _text),
    Column("vendor", _text),
    Column("kind", _choice(CHIP_KINDS)),
    Column("release_date", _date),
    Column("fp32_flops", _flops),
    Column("fp16_flops", _flops),
    Column("fp8_flops", _flops),
    Column("tdp_watts", _tdp),
    Column("price_usd", _price),
    Column("source_title", _text),
    Column("source_url", _url),
)

ECONOMY_COLUMNS = (
    Column("year", _year),
    Column("world_gdp_usd", _gdp),
    Column("us_gdp_usd", _gdp),
    Column("semiconductor_sales_usd", _sales),
    Column("source_title", _text),
    Column("source_url", _url),
)

OPENAI_2018_COLUMNS = (
    Column("name", _text),
    Column("date", _date),
    Column("pfs_days", _pfs_days),
    Column("in_trend", _bool),
    Column("source_title", _text),
    Column("source_url", _url),
)


def read_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    unique: str | None = "name",
    row_check: Callable[[dict[str, Any]], list[tuple[str | None, str]]] | None = None,
) -> pd.DataFrame:
    """Read and validate one CSV file against its column specification.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    columns : sequence of Column
        The expected columns, in order (an optional one may be left out).
    unique : str or None
        A column whose values must not repeat.
    row_check : callable, optional
        Checks across the cells of one row: given the row's parsed cells (a cell that
        failed its own check is left out), returns ``(column, message)`` pairs, each
        reported at the row's line.

    Returns
    -------
    pandas.DataFrame
        One row per data line, typed, with a ``line`` column (1-based line in the file).
        An optional column the file leaves out is not in it.

    Raises
    ------
    DataError
        Listing every problem found, each with file, line and column; or one problem
        when the file cannot be read as UTF-8 text (see
        :func:`forecast.data.textfile.read_text`).
    """
    path = Path(path)
    file = str(path)
    _, text = read_text(path, DataError)
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    with _no_field_limit(len(text)):
        try:
            header = next(reader, None)
            if header is None:
                raise DataError(f"{file}: empty file", [Problem(file, "the file is empty", 1)])
            columns = _header_columns(file, [h.strip() for h in header], columns)
            seen: dict[str, int] = {}
            end = reader.line_num
            for row in reader:
                # A quoted cell may span lines: point at the line where the row starts.
                line, end = end + 1, reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    problems.append(
                        Problem(file, f"expected {len(columns)} fields, found {len(row)}", line)
                    )
                    continue
                record: dict[str, Any] = {"line": line}
                for column, cell in zip(columns, row, strict=True):
                    if len(cell) > MAX_CELL_CHARS:
                        problems.append(
                            Problem(
                                file,
                                f"cell of {len(cell):,} characters; at most {MAX_CELL_CHARS:,} "
                                "are allowed (is a quote left open?)",
                                line,
                                column.name,
                            )
                        )
                        continue
                    try:
                        record[column.name] = column.parse(cell)
                    except ValueError as exc:
                        problems.append(Problem(file, str(exc), line, column.name))
                if row_check is not None:
                    problems.extend(
                        Problem(file, message, line, column)
                        for column, message in row_check(record)
                    )
                if unique and unique in record:
                    key = str(record[unique]).casefold()
                    if key in seen:
                        problems.append(
                            Problem(
                                file,
                                f"duplicate {record[unique]!r} (first on line {seen[key]})",
                                line,
                                unique,
                            )
                        )
                    else:
                        seen[key] = line
                records.append(record)
        except csv.Error as exc:
            # The reader is lenient (no strict mode) and NUL bytes and cell sizes are
            # dealt with above, so this is a last resort; still one located line.
            message = f"cannot be read as CSV: {exc}"
            raise DataError(message, [Problem(file, message, reader.line_num or 1)]) from None
    if problems:
        raise DataError(f"{file}: {len(problems)} problem(s)", problems)
    if not records:
        raise DataError(f"{file}: no data rows", [Problem(file, "no data rows", 2)])
    return pd.DataFrame.from_records(records)


@contextlib.contextmanager
def _no_field_limit(size: int) -> Iterator[None]:
    """Lift the csv module's cell-size limit (131,072 characters) while reading a file.

    Past it the reader raises ``field larger than field limit`` with no column; with
    the limit above the file's own length, every cell is read and an overlong one is
    reported with its line and column against :data:`MAX_CELL_CHARS`. The limit is
    process-wide, so it is restored afterwards.
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _header_columns(file: str, header: list[str], columns: Sequence[Column]) -> list[Column]:
    """The columns a file has: all of ``columns``, or all but optional ones it leaves out."""
    present = [c for c in columns if c.name in header or not c.optional]
    if header == [c.name for c in present]:
        return present
    optional = {c.name for c in columns if c.optional}
    _check_header(file, header, [c.name for c in columns], optional)
    return list(columns)


def _check_header(
    file: str, header: list[str], expected: list[str], optional: Collection[str] = ()
) -> None:
    if header == expected:
        return
    missing = [c for c in expected if c not in header and c not in optional]
    # repr-escaped, so that a stray newline in a quoted header cell stays on one line
    extra = [c if c.isprintable() else repr(c) for c in header if c not in expected]
    detail = []
    if missing:
        detail.append(f"missing {', '.join(missing)}")
    if extra:
        detail.append(f"unexpected {', '.join(extra)}")
    if not detail:
        detail.append("columns out of order")
    message = f"header must be {','.join(expected)} ({'; '.join(detail)})"
    raise DataError(message, [Problem(file, message, 1)])


def _with_time(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    frame = frame.copy()
    frame["t"] = [decimal_year(d) for d in frame[column]]
    return frame


def load_runs(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``training_runs.csv``: one row per notable training run.

    Adds ``t`` (decimal year) and ``log10_flop``; rows are sorted by date.
    """
    frame = _with_time(read_table(path or DATA_DIR / "training_runs.csv", RUN_COLUMNS))
    frame["log10_flop"] = np.log10(frame["compute_flop"].to_numpy(dtype=float))
    if "stage" not in frame:
        # A file written before the column existed: the stage is not recorded (None),
        # not guessed.
        frame["stage"] = None
    return frame.sort_values(["t", "name"], kind="stable").reset_index(drop=True)


def load_hardware(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``hardware.csv``: one row per accelerator, with ``t`` (decimal release year)."""
    frame = read_table(path or DATA_DIR / "hardware.csv", HARDWARE_COLUMNS)
    problems = [
        Problem(str(path or DATA_DIR / "hardware.csv"), "no throughput given", r.line, "fp32_flops")
        for r in frame.itertuples()
        if all(math.isnan(v) for v in (r.fp32_flops, r.fp16_flops, r.fp8_flops))
    ]
    if problems:
        raise DataError("hardware rows without any throughput", problems)
    frame = _with_time(frame, "release_date")
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def _closest(name: str, names: Sequence[str]) -> str:
    """``"; did you mean 'X'?"`` for the names that contain ``name`` (at most three), else
    the nearest of ``names``; or ``""``."""
    match = [n for n in names if name.casefold() in n.casefold()][:3]
    match = match or difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f"; did you mean {' or '.join(map(repr, match))}?" if match else ""


def _run_hardware_checks(
    run_names: set[str] | None, chip_names: set[str] | None
) -> Callable[[dict[str, Any]], list[tuple[str | None, str]]]:
    """The checks across the cells of a row of ``run_hardware.csv``.

    ``run_names`` (the runs of ``training_runs.csv``) and ``chip_names`` (of
    ``hardware.csv``) are None when that file could not be read: its own problems are
    reported, and the names are not checked against it.
    """

    def check(row: dict[str, Any]) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        name = row.get("name")
        if name is not None and run_names is not None and name not in run_names:
            found.append(
                (
                    "name",
                    f"no run named {name!r} in training_runs.csv (a row here adds to the "
                    f"run of the same name there){_closest(name, sorted(run_names))}",
                )
            )
        for chip in filter(None, (row.get("accelerator") or "").split("; ")):
            if chip in OTHER_ACCELERATORS or chip_names is None or chip in chip_names:
                continue
            known = sorted(chip_names | set(OTHER_ACCELERATORS))
            found.append(
                (
                    "accelerator",
                    f"unknown accelerator {chip!r}: expected a name in hardware.csv or one "
                    "of the other chips the loader accepts (OTHER_ACCELERATORS in "
                    f"forecast/data/loaders.py){_closest(chip, known)}",
                )
            )
        power = row.get("power_watts", math.nan)
        count = row.get("chip_count", math.nan)
        if not math.isnan(power):
            lacking = [
                what
                for what, absent in (
                    ("a chip_count", "chip_count" in row and math.isnan(count)),
                    ("an accelerator", row.get("accelerator") == ""),
                )
                if absent
            ]
            if lacking:
                found.append(
                    (
                        "power_watts",
                        f"a power draw needs {' and '.join(lacking)}: it is the draw of the "
                        "whole cluster, checked and used per chip",
                    )
                )
            elif not math.isnan(count):
                per_chip = power / count
                low, high = POWER_PER_CHIP_RANGE
                if not low <= per_chip <= high:
                    hint = "kW written for W?" if per_chip < low else "too few chips?"
                    found.append(
                        (
                            "power_watts",
                            f"{plain_number(per_chip)} W per chip ({plain_number(power)} W / "
                            f"{plain_number(count)} chips); expected {plain_number(low)} to "
                            f"{plain_number(high)} W (a chip with its share of servers, network "
                            f"and cooling draws about 0.1 to 2.5 kW: {hint})",
                        )
                    )
        amortized = row.get("amortized_cost_usd", math.nan)
        bought = row.get("hardware_cost_usd", math.nan)
        if amortized >= bought:  # False when either is NaN
            found.append(
                (
                    "amortized_cost_usd",
                    f"amortised cost {plain_number(amortized)} USD is not below the cluster's "
                    f"acquisition cost {plain_number(bought)} USD (hardware_cost_usd): an "
                    "amortised cost above the purchase price is almost always a cost in the "
                    "wrong column",
                )
            )
        # A cell that failed its own check is missing from `row`: then the row has a value.
        if all(row.get(c, 0) in ("", None) or row.get(c, 0) != row.get(c, 0) for c in FIGURES):
            found.append(
                (None, f"no figure given: a row needs at least one of {', '.join(FIGURES)}")
            )
        return found

    return check


def load_run_hardware(
    path: str | Path | None = None,
    runs: pd.DataFrame | str | Path | None = None,
    *,
    hardware: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Load ``run_hardware.csv``: the published hardware, power and cost of training runs.

    One row per run of ``training_runs.csv`` (by exact ``name``) for which a figure is
    published; an empty cell means not published.

    Parameters
    ----------
    path : str or Path, optional
        The file (default: the shipped ``data/run_hardware.csv``).
    runs : pandas.DataFrame, str or Path, optional
        The runs the names must be in: a table from :func:`load_runs`, or its file
        (default: the shipped ``training_runs.csv``).
    hardware : pandas.DataFrame, str or Path, optional
        The chips an accelerator may name besides :data:`OTHER_ACCELERATORS`: a table
        from :func:`load_hardware`, or its file (default: the shipped ``hardware.csv``).

    Returns
    -------
    pandas.DataFrame
        Typed, in file order, with a ``line`` column; empty text is ``""``, an empty
        number NaN.

    Raises
    ------
    DataError
        Every problem of the file (each with file, line and column), or of the runs or
        hardware file when one of those cannot be loaded.
    """
    if not isinstance(runs, pd.DataFrame):
        runs = load_runs(runs)
    if not isinstance(hardware, pd.DataFrame):
        hardware = load_hardware(hardware)
    return _load_run_hardware(
        path or DATA_DIR / "run_hardware.csv", set(runs["name"]), set(hardware["name"])
    )


def _load_run_hardware(
    path: str | Path, run_names: set[str] | None, chip_names: set[str] | None
) -> pd.DataFrame:
    return read_table(
        path, RUN_HARDWARE_COLUMNS, row_check=_run_hardware_checks(run_names, chip_names)
    )


def load_economy(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``economy.csv``: world GDP and semiconductor sales by year (current USD)."""
    frame = read_table(path or DATA_DIR / "economy.csv", ECONOMY_COLUMNS, unique="year")
    return frame.sort_values("year").reset_index(drop=True)


def load_openai_2018(path: str | Path | None = None) -> pd.DataFrame:
    """Load the points of the 2018 "AI and Compute" chart as published (pfs-days).

    Adds ``compute_flop``, ``log10_flop`` and ``t``.
    """
    from forecast.data.units import pfs_days_to_flop

    frame = _with_time(read_table(path or DATA_DIR / "openai_2018.csv", OPENAI_2018_COLUMNS))
    frame["compute_flop"] = pfs_days_to_flop(frame["pfs_days"].to_numpy(dtype=float))
    frame["log10_flop"] = np.log10(frame["compute_flop"])
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


#: The 2018 analysis says its two estimation methods are "meant to be right within
#: 2-3x"; its chart points get the wider factor as their ~90% measurement bound.
OPENAI_2018_UNCERTAINTY = 3.0


def load_points(points: str, path: str | Path) -> pd.DataFrame:
    """The candidate points of a fit (before selection), from the file ``path``.

    Parameters
    ----------
    points : {"runs", "openai_2018"}
        Which kind of file ``path`` is: the runs table (:func:`load_runs`), or the 2018
        chart (:func:`load_openai_2018`), of which the 15 points of its trend line are
        kept, each with :data:`OPENAI_2018_UNCERTAINTY`.
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        With ``date``, ``t``, ``compute_flop``, ``log10_flop`` and ``uncertainty`` columns.

    Raises
    ------
    DataError
        If the file is missing or invalid.
    """
    if points == "runs":
        return load_runs(path)
    frame = load_openai_2018(path)
    # The 2018 trend line was fitted to 15 of the 20 points; the other five were
    # shown as examples of important work with modest compute.
    frame = frame.loc[frame["in_trend"]].reset_index(drop=True)
    frame["uncertainty"] = OPENAI_2018_UNCERTAINTY
    return frame


def check_all(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate every data file, collecting the problems of all files into one error."""
    base = Path(data_dir) if data_dir else DATA_DIR
    loaders = {
        "runs": (load_runs, "training_runs.csv"),
        "hardware": (load_hardware, "hardware.csv"),
        "economy": (load_economy, "economy.csv"),
        "openai_2018": (load_openai_2018, "openai_2018.csv"),
    }
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for key, (loader, filename) in loaders.items():
        try:
            tables[key] = loader(base / filename)
        except DataError as exc:
            problems.extend(exc.problems)
    # Checked against the runs and chips that loaded (a file that did not is reported
    # above, and names are not checked against it).
    try:
        tables["run_hardware"] = _load_run_hardware(
            base / "run_hardware.csv",
            set(tables["runs"]["name"]) if "runs" in tables else None,
            set(tables["hardware"]["name"]) if "hardware" in tables else None,
        )
    except DataError as exc:
        problems.extend(exc.problems)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the data files", problems)
    return tables


PRECISIONS = ("fp32", "fp16", "ml")


def peak_flops(hardware: pd.DataFrame, precision: str) -> np.ndarray:
    """Peak FLOP/s of each chip at a precision.

    ``fp32``: peak FP32. ``fp16``: dense FP16/BF16 where the chip has it, else FP32
    (what training used before half precision). ``ml``: the best dense precision the
    chip offers for training (FP8, else FP16/BF16, else FP32). NaN where unknown.
    """
    fp32 = hardware["fp32_flops"].to_numpy(dtype=float)
    fp16 = hardware["fp16_flops"].to_numpy(dtype=float)
    fp8 = hardware["fp8_flops"].to_numpy(dtype=float)
    if precision == "fp32":
        return fp32
    if precision == "fp16":
        return np.where(np.isnan(fp16), fp32, fp16)
    if precision == "ml":
        return np.fmax(np.fmax(fp8, fp16), fp32)
    raise ValueError(f"unknown precision {precision!r}; expected one of {', '.join(PRECISIONS)}")
