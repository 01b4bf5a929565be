"""Loaders: the shipped files validate; each bad file gives its own located message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from forecast.data import DOMAINS, METHODS, check_all, load_runs
from forecast.errors import DataError

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
    assert f"{filename}:{line}" in text


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
