"""Loaders: the shipped files validate; each bad file gives its own located message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from forecast.data import DOMAINS, METHODS, check_all, load_runs
from forecast.errors import DataError
from helpers import cli_error_lines

BAD = Path(__file__).resolve().parent / "data"


def test_shipped_data_validates():
    tables = check_all()
    runs = tables["runs"]
    assert len(runs) >= 150
    assert runs["date"].min() < dt.date(1960, 1, 1)
    assert runs["date"].max() <= dt.date.today()
    assert set(runs["method"]) <= set(METHODS)
    assert set(runs["domain"]) <= set(DOMAINS)
    assert (runs["uncertainty"] >= 1).all()
    assert np.isfinite(runs["log10_flop"]).all()
    assert runs["source_url"].str.startswith("http").all()
    assert len(tables["hardware"]) >= 30
    assert len(tables["openai_2018"]) == 20


def test_dense_coverage_2010_2018(runs):
    in_window = runs["t"].between(2010, 2019)
    assert in_window.sum() >= 50


@pytest.mark.parametrize(
    "name",
    [
        "GPT-3 175B",
        "Gopher",
        "PaLM",
        "Chinchilla",
        "GPT-4",
        "Gemini 1.0 Ultra",
        "Llama 3.1 405B",
        "Grok 3",
    ],
)
def test_frontier_runs_present(runs, name):
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.casefold())

    assert any(norm(name) in norm(n) for n in runs["name"]), name


@pytest.mark.parametrize(
    ("filename", "line", "column", "pattern"),
    [
        ("bad_date.csv", 3, "date", r"expected a date YYYY-MM-DD"),
        ("bad_future.csv", 3, "date", r"in the future"),
        ("bad_compute.csv", 3, "compute_flop", r"positive"),
        ("bad_compute_inf.csv", 3, "compute_flop", r"positive finite"),
        ("bad_method.csv", 3, "method", r"expected one of operations, hardware"),
        ("bad_domain.csv", 3, "domain", r"expected one of language"),
        ("bad_uncertainty.csv", 3, "uncertainty", r">= 1"),
        ("bad_duplicate.csv", 3, "name", r"duplicate 'alexnet' \(first on line 2\)"),
        ("bad_fields.csv", 3, None, r"expected 12 fields, found 7"),
        ("bad_source.csv", 3, "source_url", r"expected a link"),
        ("bad_header.csv", 1, None, r"missing compute_flop; unexpected compute"),
        (
            "bad_compute_huge.csv",
            3,
            "compute_flop",
            r"expected 1 to 1e31 FLOP \(more than all the world's AI accelerators could do in a "
            r"century; the largest run by 2025 used about 5e26\), got '1e300'",
        ),
        ("bad_old_date.csv", 3, "date", r"before 1940-01-01: no run was trained before"),
        ("bad_uncertainty_huge.csv", 3, "uncertainty", r"at most 100 \(.*\), got '1e6'"),
        ("bad_chip_count.csv", 3, "chip_count", r"expected a whole number of chips, got '2\.5'"),
        ("bad_training_days.csv", 3, "training_days", r"to 3650 days \(.*\), got '1e5'"),
        ("bad_latin1.csv", 3, None, r"^not UTF-8 text \(byte 0xe9\); save it as UTF-8$"),
        ("bad_binary.csv", None, None, r"^is not a text file \(it holds binary data\)"),
    ],
)
def test_bad_file_messages(filename, line, column, pattern):
    with pytest.raises(DataError) as info:
        load_runs(BAD / filename)
    problems = info.value.problems
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file.endswith(filename)
    assert problem.line == line
    assert problem.column == column
    assert re.search(pattern, problem.message), problem.message
    # The printed line carries file, line and column.
    text = str(problem)
    assert text.startswith(
        f"{BAD / filename}"
        + (f":{line}" if line is not None else "")
        + (f": {column}" if column else "")
        + ": "
    )


def test_every_problem_reported_at_once():
    with pytest.raises(DataError) as info:
        load_runs(BAD / "bad_many.csv")
    found = {(p.line, p.column) for p in info.value.problems}
    assert found == {
        (3, "date"),
        (4, "compute_flop"),
        (4, "method"),
        (4, "uncertainty"),
    }


def test_missing_file():
    with pytest.raises(DataError, match="file not found"):
        load_runs(BAD / "no_such_file.csv")


def test_every_bad_fixture_is_tested():
    tested = {
        "bad_date.csv",
        "bad_future.csv",
        "bad_compute.csv",
        "bad_compute_inf.csv",
        "bad_method.csv",
        "bad_domain.csv",
        "bad_uncertainty.csv",
        "bad_duplicate.csv",
        "bad_fields.csv",
        "bad_source.csv",
        "bad_header.csv",
        "bad_many.csv",
        "bad_compute_huge.csv",
        "bad_old_date.csv",
        "bad_uncertainty_huge.csv",
        "bad_chip_count.csv",
        "bad_training_days.csv",
        "bad_latin1.csv",
        "bad_binary.csv",
    }
    assert {p.name for p in BAD.glob("bad_*.csv")} == tested


def test_data_check_command(capsys):
    from forecast.cli import main

    assert main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "Record holder" in out and "Latest run" in out and "before 2010" in out


def test_data_check_reports_every_file_problem(tmp_path, capsys):
    import shutil

    from forecast.cli import main
    from forecast.data import DATA_DIR

    for name in ("hardware.csv", "economy.csv", "openai_2018.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    shutil.copy(BAD / "bad_many.csv", tmp_path / "training_runs.csv")
    assert main(["data", "check", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 4 and "training_runs.csv:4: method" in err
    assert "Traceback" not in err


# -- files and values through `forecast data check --data-dir` --------------------------------


def data_copy(folder: Path) -> Path:
    """A copy of every shipped CSV in ``folder``."""
    import shutil

    from forecast.data import DATA_DIR

    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def data_check(folder: Path, capsys) -> list[str]:
    """``forecast data check --data-dir FOLDER``: exit code 2, no traceback; the error lines."""
    return cli_error_lines(["data", "check", "--data-dir", str(folder)], capsys)


def assert_one_problem(folder, path, line, column, pattern, capsys) -> None:
    """``check_all(folder)`` finds exactly one problem, at ``path:line: column``, matching
    ``pattern``; the CLI prints it as one line starting with that location."""
    with pytest.raises(DataError) as info:
        check_all(folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert re.search(pattern, problem.message), problem.message
    (printed,) = data_check(folder, capsys)
    start = f"error: {path}" + (f":{line}" if line else "") + (f": {column}" if column else "")
    assert printed.startswith(start + ": ") and re.search(pattern, printed)


def replace_cell(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell (``row`` counts data rows from 0); the cell's 1-based line number."""
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row + 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return row + 2


def _latin1(path: Path) -> int:
    line = replace_cell(path, 3, "source_title", "R\u00e9seau")
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    return line


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)  # random-looking bytes, NULs included


def _big_cell(path: Path) -> int:
    # Past Python's csv field limit (131,072), which used to raise `_csv.Error`.
    return replace_cell(path, 5, "source_title", "x" * 200_000)


@pytest.mark.parametrize(
    ("filename", "breaker", "column", "pattern"),
    [
        (
            "training_runs.csv",
            _latin1,
            None,
            r"not UTF-8 text \(byte 0xe9\); save it as UTF-8$",
        ),
        ("economy.csv", _latin1, None, r"not UTF-8 text \(byte 0xe9\); save it as UTF-8$"),
        ("hardware.csv", _binary, None, r"is not a text file \(it holds binary data\)"),
        (
            "training_runs.csv",
            _big_cell,
            "source_title",
            r"cell of 200,000 characters; at most 10,000 are allowed \(is a quote left open\?\)$",
        ),
        ("openai_2018.csv", lambda p: p.write_bytes(b""), None, r"the file is empty$"),
        ("openai_2018.csv", lambda p: p.write_text("\n\n"), None, r"the file is empty$"),
        ("hardware.csv", lambda p: (p.unlink(), p.mkdir()), None, r"is a folder, not a file$"),
        ("economy.csv", lambda p: p.unlink(), None, r"file not found$"),
        (
            "hardware.csv",
            lambda p: p.write_bytes(p.read_text().encode("utf-16")),
            None,
            r"is UTF-16 text; save it as UTF-8$",
        ),
    ],
    ids=[
        "latin-1 runs",
        "latin-1 economy",
        "binary",
        "200 KB cell",
        "empty",
        "blank",
        "folder",
        "missing",
        "utf-16",
    ],
)
def test_unreadable_data_files(tmp_path, capsys, filename, breaker, column, pattern):
    folder = data_copy(tmp_path)
    path = folder / filename
    line = breaker(path)
    line = line if isinstance(line, int) else None
    if pattern.startswith("the file is empty") or "UTF-16" in pattern:
        line = 1
    assert_one_problem(folder, path, line, column, pattern, capsys)


def test_byte_order_mark_is_accepted(tmp_path):
    runs = load_runs(BAD / "good_bom.csv")
    assert list(runs["name"]) == ["Dropout", "AlexNet"]
    folder = data_copy(tmp_path)
    for path in folder.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert {k: len(v) for k, v in check_all(folder).items()} == {
        k: len(v) for k, v in check_all().items()
    }


@pytest.mark.parametrize(
    ("filename", "row", "column", "value", "pattern"),
    [
        ("training_runs.csv", 10, "compute_flop", "1e300", r"expected 1 to 1e31 FLOP \(more"),
        ("training_runs.csv", 10, "compute_flop", "2e31", r"expected 1 to 1e31 FLOP"),
        ("training_runs.csv", 10, "uncertainty", "1000", r"at most 100 \("),
        ("training_runs.csv", 10, "chip_count", "1e9", r"at most 1e7 chips \("),
        ("training_runs.csv", 10, "date", "1066-10-14", r"before 1940-01-01"),
        ("openai_2018.csv", 3, "pfs_days", "1e300", r"petaflop/s-days \(1 to 1e31 FLOP"),
        ("hardware.csv", 4, "fp16_flops", "989", r"\(write FLOP/s, not TFLOPS"),
        ("hardware.csv", 4, "fp32_flops", "1e25", r"expected 1e9 to 1e18 FLOP/s"),
        ("hardware.csv", 4, "tdp_watts", "1e9", r"expected 1 to 1e5 W \("),
        ("hardware.csv", 4, "price_usd", "1e12", r"expected 1 to 1e8 USD \("),
        ("hardware.csv", 4, "release_date", "1900-01-01", r"before 1940-01-01"),
        ("economy.csv", 4, "world_gdp_usd", "100.56", r"\(write dollars, not billions"),
        ("economy.csv", 4, "us_gdp_usd", "1e300", r"expected 1e9 to 1e16 USD"),
        ("economy.csv", 4, "semiconductor_sales_usd", "1e20", r"expected 1e6 to 1e14 USD"),
    ],
)
def test_implausible_values_are_refused(tmp_path, capsys, filename, row, column, value, pattern):
    folder = data_copy(tmp_path)
    path = folder / filename
    line = replace_cell(path, row, column, value)
    assert_one_problem(folder, path, line, column, pattern, capsys)


def test_record_holder_cannot_be_a_typo(tmp_path):
    # 1e300 FLOP used to be accepted and become the largest run; the shipped record holds.
    folder = data_copy(tmp_path)
    assert check_all(folder)["runs"]["compute_flop"].max() <= 1e27
    replace_cell(folder / "training_runs.csv", 0, "compute_flop", "1e300")
    with pytest.raises(DataError) as info:
        check_all(folder)
    (problem,) = info.value.problems
    assert "1e31" in problem.message


def test_row_problem_points_at_the_line_where_the_row_starts(tmp_path):
    path = tmp_path / "runs.csv"
    text = (BAD / "bad_compute.csv").read_text().splitlines(keepends=True)
    # The bad row (line 3) has a quoted title over two lines: point at its first line.
    text[2] = text[2].replace("Dropout (2012)", '"Dropout\n(2012)"')
    path.write_text("".join(text))
    with pytest.raises(DataError) as info:
        load_runs(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (3, "compute_flop")
