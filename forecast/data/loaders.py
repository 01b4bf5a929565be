"""Typed, validating loaders for the CSV files in ``data/``.

Every row is checked, every problem is collected, and one :class:`DataError`
lists them all with file, line and column, so a user fixes a file in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.units import decimal_year
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

#: Where the shipped data lives (``data/`` next to the package in a source checkout).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

Parser = Callable[[str], Any]


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


def _at_least_one(cell: str) -> float:
    value = _positive(cell)
    if value < 1:
        raise ValueError(f"expected an uncertainty factor >= 1, got {cell!r}")
    return value


def _year(cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise ValueError(f"expected a whole year, got {cell!r}") from None
    if not 1900 <= value <= dt.date.today().year:
        raise ValueError(f"expected a year between 1900 and this year, got {value}")
    return value


def _choice(options: Sequence[str]) -> Parser:
    def parse(cell: str) -> str:
        value = cell.strip()
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
    """One CSV column: its name and how a cell is parsed and checked."""

    name: str
    parse: Parser


RUN_COLUMNS = (
    Column("name", _text),
    Column("organization", _text),
    Column("date", _date),
    Column("domain", _choice(DOMAINS)),
    Column("compute_flop", _positive),
    Column("method", _choice(METHODS)),
    Column("uncertainty", _at_least_one),
    Column("hardware", _optional_text),
    Column("chip_count", _optional_positive),
    Column("training_days", _optional_positive),
    Column("source_title", _text),
    Column("source_url", _url),
)

HARDWARE_COLUMNS = (
    Column("name", _text),
    Column("vendor", _text),
    Column("kind", _choice(CHIP_KINDS)),
    Column("release_date", _date),
    Column("fp32_flops", _optional_positive),
    Column("fp16_flops", _optional_positive),
    Column("fp8_flops", _optional_positive),
    Column("tdp_watts", _optional_positive),
    Column("price_usd", _optional_positive),
    Column("source_title", _text),
    Column("source_url", _url),
)

ECONOMY_COLUMNS = (
    Column("year", _year),
    Column("world_gdp_usd", _optional_positive),
    Column("us_gdp_usd", _optional_positive),
    Column("semiconductor_sales_usd", _optional_positive),
    Column("source_title", _text),
    Column("source_url", _url),
)

OPENAI_2018_COLUMNS = (
    Column("name", _text),
    Column("date", _date),
    Column("pfs_days", _positive),
    Column("in_trend", _bool),
    Column("source_title", _text),
    Column("source_url", _url),
)


def read_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    unique: str | None = "name",
) -> pd.DataFrame:
    """Read and validate one CSV file against its column specification.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    columns : sequence of Column
        The expected columns, in order.
    unique : str or None
        A column whose values must not repeat.

    Returns
    -------
    pandas.DataFrame
        One row per data line, typed, with a ``line`` column (1-based line in the file).

    Raises
    ------
    DataError
        Listing every problem found, each with file, line and column.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise DataError(f"{file}: file not found", [Problem(file, "file not found")])
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    expected = [c.name for c in columns]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{file}: empty file", [Problem(file, "the file is empty", 1)])
        header = [h.strip() for h in header]
        if header != expected:
            missing = [c for c in expected if c not in header]
            extra = [c for c in header if c not in expected]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            if not detail:
                detail.append("columns out of order")
            message = f"header must be {','.join(expected)} ({'; '.join(detail)})"
            raise DataError(message, [Problem(file, message, 1)])
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(
                    Problem(file, f"expected {len(columns)} fields, found {len(row)}", line)
                )
                continue
            record: dict[str, Any] = {"line": line}
            for column, cell in zip(columns, row, strict=True):
                try:
                    record[column.name] = column.parse(cell)
                except ValueError as exc:
                    problems.append(Problem(file, str(exc), line, column.name))
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
    if problems:
        raise DataError(f"{file}: {len(problems)} problem(s)", problems)
    if not records:
        raise DataError(f"{file}: no data rows", [Problem(file, "no data rows", 2)])
    return pd.DataFrame.from_records(records)


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
