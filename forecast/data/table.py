"""Reading one CSV file against its columns: every row checked, every problem located."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.data.cells import Parser
from forecast.data.textfile import read_text
from forecast.data.units import decimal_year
from forecast.errors import DataError, Problem

#: Where the shipped data lives (``data/`` next to the package in a source checkout).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
#: Longest cell accepted. No cell here needs more than a few hundred characters; a
#: longer one is most often a quote left open that swallowed the lines after it.
MAX_CELL_CHARS = 10_000


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


def with_time(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    """A copy of ``frame`` with ``t``, the decimal year of ``column``."""
    frame = frame.copy()
    frame["t"] = [decimal_year(d) for d in frame[column]]
    return frame
