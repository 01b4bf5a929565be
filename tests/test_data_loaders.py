"""Loaders: the shipped files validate; each bad file gives its own located message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from forecast.data import DOMAINS, METHODS, STAGES, check_all, load_run_hardware, load_runs
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
    assert set(runs["stage"]) <= set(STAGES)
    assert len(tables["run_hardware"]) >= 80


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
        "bad_stage.csv",
        "bad_stage_empty.csv",
        *HARDWARE_FIXTURES,
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

    for name in (
        "hardware.csv",
        "economy.csv",
        "openai_2018.csv",
        "run_hardware.csv",
        "clusters.csv",
        "run_clusters.csv",
        "accelerators.csv",
    ):
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


# -- run_hardware.csv, and the stage of a run ------------------------------------------------

#: Bad copies of ``run_hardware.csv``, one per rule, each wrong on line 3 only:
#: file -> (column, pattern of the message).
HARDWARE_FIXTURES = {
    "bad_hw_accelerator.csv": (
        "accelerator",
        r"unknown accelerator 'A100 SXM 40GB': expected a name in hardware\.csv or one of "
        r"the other chips the loader accepts .*; did you mean 'A100 SXM4 40GB'\?$",
    ),
    "bad_hw_chip_count.csv": (
        "chip_count",
        r"expected a positive whole number of chips, got '-25000'$",
    ),
    "bad_hw_power.csv": (
        "power_watts",
        r"a power draw needs a chip_count: it is the draw of the whole cluster",
    ),
    "bad_hw_cost.csv": (
        "amortized_cost_usd",
        r"amortised cost 3\.056e8 USD is not below the cluster's acquisition cost 3\.733e7 "
        r"USD \(hardware_cost_usd\): an amortised cost above the purchase price is almost "
        r"always a cost in the wrong column$",
    ),
    "bad_hw_name.csv": (
        "name",
        r"no run named 'GPT 4' in training_runs\.csv \(.*\); did you mean 'GPT-4'\?$",
    ),
}


@pytest.mark.parametrize("filename", sorted(HARDWARE_FIXTURES))
def test_bad_run_hardware_files(tmp_path, capsys, filename):
    import shutil

    column, pattern = HARDWARE_FIXTURES[filename]
    with pytest.raises(DataError) as info:
        load_run_hardware(BAD / filename)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(BAD / filename), 3, column)
    assert re.search(pattern, problem.message), problem.message
    assert str(problem).startswith(f"{BAD / filename}:3: {column}: ")
    # As the data folder's run_hardware.csv: `forecast data check` prints that one line,
    # exits 2, no traceback.
    folder = data_copy(tmp_path)
    shutil.copy(BAD / filename, folder / "run_hardware.csv")
    assert_one_problem(folder, folder / "run_hardware.csv", 3, column, pattern, capsys)


@pytest.mark.parametrize(
    ("filename", "got"), [("bad_stage.csv", "'finetune'"), ("bad_stage_empty.csv", "''")]
)
def test_bad_stage(tmp_path, capsys, filename, got):
    import shutil

    pattern = rf"expected one of pretrain, fine-tune, unfinished; got {got}$"
    with pytest.raises(DataError) as info:
        load_runs(BAD / filename)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(BAD / filename), 3, "stage")
    assert re.search(pattern, problem.message), problem.message
    folder = data_copy(tmp_path)
    shutil.copy(BAD / filename, folder / "training_runs.csv")
    # The runs did not load, so the names of run_hardware.csv are not checked against them.
    assert_one_problem(folder, folder / "training_runs.csv", 3, "stage", pattern, capsys)


def test_runs_file_without_stage_column_loads():
    # Files written before the column existed still load; their stage is not recorded.
    runs = load_runs(BAD / "good_bom.csv")
    assert runs["stage"].isna().all()


def test_every_run_hardware_problem_reported_at_once(tmp_path):
    path = tmp_path / "run_hardware.csv"
    lines = (BAD / "bad_hw_cost.csv").read_text().splitlines()
    header, good, swapped = lines
    lines = [
        header,
        swapped,  # line 2: costs swapped
        good.replace(",16384,", ",2.5,").replace("H100 SXM5", "H100"),  # 3: count, chip
        good.replace("Llama 3.1-405B", "Llama 9").replace(",0.4042,", ",40.42,"),  # 4
        good.replace("Llama 3.1-405B", "Grok 3").replace(
            ",H100 SXM5,", ",,"
        ),  # 5: power without an accelerator
        good.replace("Llama 3.1-405B", "Nemotron-4 340B").replace(
            ",2.262e7,", ",2.262e4,"
        ),  # 6: kW written for W
        "PaLM (540B),,,,,,,,,likely,Epoch AI,https://epoch.ai/data/notable-ai-models",  # 7
    ]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        load_run_hardware(path)
    found = {(p.line, p.column) for p in info.value.problems}
    assert found == {
        (2, "amortized_cost_usd"),
        (3, "chip_count"),
        (3, "accelerator"),
        (4, "name"),
        (4, "mfu"),
        (5, "power_watts"),
        (6, "power_watts"),
        (7, None),
    }
    messages = {(p.line, p.column): p.message for p in info.value.problems}
    assert "did you mean 'H100 PCIe' or 'H100 SXM5'?" in messages[(3, "accelerator")]
    assert messages[(5, "power_watts")].startswith("a power draw needs an accelerator")
    assert re.search(
        r"^1\.381 W per chip \(2\.262e4 W / 1\.638e4 chips\)", messages[(6, "power_watts")]
    )
    assert messages[(7, None)].startswith("no figure given")


def test_run_hardware_names_are_checked_against_the_runs_given():
    shipped = load_run_hardware()
    with pytest.raises(DataError) as info:
        load_run_hardware(runs=load_runs(BAD / "good_bom.csv"))
    assert {p.column for p in info.value.problems} == {"name"}
    assert len(info.value.problems) == len(shipped)


def _row_of(name: str) -> int:
    """The data row (from 0) of run ``name`` in the shipped run_hardware.csv."""
    return list(load_run_hardware()["name"]).index(name)


@pytest.mark.parametrize(
    ("column", "value", "at", "pattern"),
    [
        ("mfu", "40", "mfu", r"at most 1 \(write 0\.4, not 40\), got '40'$"),
        ("training_hours", "1e5", "training_hours", r"to 1\.752e4 hours \(two years"),
        ("power_watts", "1e12", "power_watts", r"expected 1 to 1e10 W \(write watts, not MW"),
        ("power_watts", "22.62", "power_watts", r"W per chip .*kW written for W\?\)$"),
        ("hardware_cost_usd", "1e15", "hardware_cost_usd", r"expected 1 to 1e12 USD \("),
        ("amortized_cost_usd", "0", "amortized_cost_usd", r"positive finite number, got '0'"),
        ("numerical_format", "bf16", "numerical_format", r"expected one of FP32, TF32, FP16"),
        ("confidence", "", "confidence", r"confident, likely, speculative; got ''$"),
        ("accelerator", "", "power_watts", r"^a power draw needs an accelerator"),
        ("chip_count", "", "power_watts", r"^a power draw needs a chip_count"),
        ("source_url", "epoch.ai", "source_url", r"expected links starting with http"),
    ],
)
def test_implausible_run_hardware_is_refused(tmp_path, capsys, column, value, at, pattern):
    folder = data_copy(tmp_path)
    path = folder / "run_hardware.csv"
    line = replace_cell(path, _row_of("Llama 3.1-405B"), column, value)
    with pytest.raises(DataError) as info:
        check_all(folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), line, at)
    assert re.search(pattern, problem.message), problem.message
    (printed,) = data_check(folder, capsys)
    assert printed.startswith(f"error: {path}:{line}: {at}: ")


def test_data_check_needs_run_hardware(tmp_path, capsys):
    folder = data_copy(tmp_path)
    (folder / "run_hardware.csv").unlink()
    assert_one_problem(folder, folder / "run_hardware.csv", None, None, r"file not found$", capsys)


# Epoch AI's records (Notable AI Models, CC BY 4.0): the columns of the reference copy
# that run_hardware.csv draws on, verbatim, for the runs of training_runs.csv.
EPOCH_EXTRACT = BAD / "epoch_notable_extract.csv"
EPOCH_REFERENCE = Path("/work/shared/reference/epoch/notable_ai_models.csv")
#: Epoch's model name -> ours, where they differ (besides surrounding spaces).
EPOCH_NAMES = {"GPT-4 (Mar 2023)": "GPT-4", "ALLaM\xa0adapted 70B": "ALLaM adapted 70B"}
#: Epoch's column -> ours, for the numbers.
EPOCH_NUMBERS = {
    "Hardware quantity": "chip_count",
    "Training time (hours)": "training_hours",
    "Hardware utilization (MFU)": "mfu",
    "Training power draw (W)": "power_watts",
    "Hardware acquisition cost": "hardware_cost_usd",
    "Training compute cost (2023 USD)": "amortized_cost_usd",
}
#: Epoch's chip names -> the names of hardware.csv (the other names are kept as Epoch's).
EPOCH_CHIPS = {
    "Google TPU v2": "TPU v2",
    "Google TPU v3": "TPU v3",
    "Google TPU v4": "TPU v4",
    "NVIDIA H100 SXM5 80GB": "H100 SXM5",
    "NVIDIA A100 SXM4 40 GB": "A100 SXM4 40GB",
    "NVIDIA A100 SXM4 80 GB": "A100 SXM4 80GB",
    "NVIDIA Tesla K80": "Tesla K80",
    "NVIDIA GeForce GTX TITAN X": "GTX Titan X",
    "NVIDIA H200 SXM": "H200 SXM",
    "NVIDIA B200 GPUs": "B200",
    "NVIDIA B300 (Blackwell Ultra)": "B300",
}
EPOCH_FORMATS = {"NVFP4": "FP4", "Unknown": ""}


def epoch_records():
    """Epoch's records by our run name; a cost of 0 (not estimated) and an "Unknown"
    number format read as not published."""
    import pandas as pd

    table = pd.read_csv(EPOCH_EXTRACT)
    table["name"] = [EPOCH_NAMES.get(m.strip(), m.strip()) for m in table["Model"]]
    for column in ("Hardware acquisition cost", "Training compute cost (2023 USD)"):
        table.loc[table[column] <= 0, column] = np.nan
    table["Numerical format"] = table["Numerical format"].replace({"Unknown": np.nan})
    return table.set_index("name")


def has_hardware_figure(record) -> bool:
    import pandas as pd

    columns = ["Training hardware", "Numerical format", *EPOCH_NUMBERS]
    return any(pd.notna(record[c]) for c in columns)


def test_run_hardware_covers_the_frontier(runs):
    from forecast.data import Selection, select

    shipped = set(load_run_hardware()["name"])
    epoch = epoch_records()
    published = {name for name, record in epoch.iterrows() if has_hardware_figure(record)}
    top10 = select(runs, Selection("top_n", top_n=10, since=dt.date(2016, 1, 1)))
    expected = set(top10["name"]) & published
    assert len(expected) >= 60
    assert expected <= shipped, sorted(expected - shipped)
    above_1e24 = set(runs.loc[runs["compute_flop"] > 1e24, "name"]) & published
    assert above_1e24 <= shipped, sorted(above_1e24 - shipped)
    assert shipped <= published  # no row without a published figure


def test_run_hardware_is_epochs(runs):
    import math

    epoch = epoch_records()
    for row in load_run_hardware().itertuples():
        record = epoch.loc[row.name]
        chips = record["Training hardware"]
        chips = [] if not isinstance(chips, str) else chips.split(",")
        assert row.accelerator == "; ".join(EPOCH_CHIPS.get(c.strip(), c.strip()) for c in chips)
        for theirs, ours in EPOCH_NUMBERS.items():
            a, b = float(record[theirs]), getattr(row, ours)
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=5e-4), (
                row.name,
                ours,
            )
        fmt = record["Numerical format"]
        assert row.numerical_format == (
            "" if not isinstance(fmt, str) else EPOCH_FORMATS.get(fmt, fmt)
        )
        assert row.confidence == record["Confidence"].lower()
        assert row.source_url.startswith("https://epoch.ai/data/notable-ai-models")
        assert row.source_title.startswith("Epoch AI, Notable AI Models, CC BY 4.0")


@pytest.mark.skipif(not EPOCH_REFERENCE.is_file(), reason="no copy of Epoch's table here")
def test_epoch_extract_is_verbatim():
    import pandas as pd

    reference = pd.read_csv(EPOCH_REFERENCE, dtype=str, keep_default_na=False)
    extract = pd.read_csv(EPOCH_EXTRACT, dtype=str, keep_default_na=False)
    rows = reference.set_index("Model").loc[extract["Model"], list(extract.columns[1:])]
    pd.testing.assert_frame_equal(rows.reset_index(), extract)


@pytest.mark.parametrize(
    ("name", "chips", "days", "power_mw", "hardware_busd", "amortized_musd"),
    [
        # domain.md: about 25,000 A100 for about 95 days, about 20 MW, about $0.3B of
        # hardware, $40-70M amortised (Epoch's $37M is below that range: kept, see README)
        ("GPT-4", (25_000, 25_000), (94, 96), (19, 21), (0.28, 0.32), (37, 38)),
        # 16,384 H100 for about 89 days, 23-27 MW (Epoch: 22.6 MW), $50-75M amortised
        ("Llama 3.1-405B", (16_384, 16_384), (88.5, 90), (22.5, 27), (None, None), (50, 75)),
        # 80,000-100,000 H100, 110-150 MW, about $2.4B of hardware, $0.2-0.5B amortised
        ("Grok 3", (80_000, 100_000), (None, None), (109.5, 150), (2.3, 2.5), (200, 500)),
    ],
)
def test_reference_runs(name, chips, days, power_mw, hardware_busd, amortized_musd):
    row = load_run_hardware().set_index("name").loc[name]
    for value, (low, high) in (
        (row["chip_count"], chips),
        (row["training_hours"] / 24, days),
        (row["power_watts"] / 1e6, power_mw),
        (row["hardware_cost_usd"] / 1e9, hardware_busd),
        (row["amortized_cost_usd"] / 1e6, amortized_musd),
    ):
        if low is not None:
            assert low <= value <= high, (name, value, low, high)


#: The runs marked in the ``stage`` column (listed in data/README.md with the reason).
FINE_TUNES = {
    "FLAN 137B",
    "Stable Diffusion (LDM-KL-8-G)",
    "Minerva (540B)",
    "StarCoder",
    "DeepSeek-Coder-V2 236B",
    "DeepSeek-R1",
    "Grok 4",
    "PaLI-X",
    "ALLaM adapted 70B",
    "OpenVLA",
    "Llama 3.2 11B",
    "DeepSeek-R1 (May 2025)",
    "AgentFounder-30B",
    "GLM-4.6",
    "Kimi K2 Thinking",
    "GLM-4.7",
    "Kimi K2.5",
    "Composer 2",
    "EXAONE 4.5",
    "Composer 2.5",
}
UNFINISHED = {"Reka Core", "Llama 4 Behemoth (preview)"}


def test_shipped_stages(runs, root):
    assert runs["stage"].notna().all()
    assert set(runs.loc[runs["stage"] == "fine-tune", "name"]) == FINE_TUNES
    assert set(runs.loc[runs["stage"] == "unfinished", "name"]) == UNFINISHED
    # Every run Epoch records with a base model or fine-tune compute is marked, but
    # Flamingo: its compute is its own training on top of a frozen Chinchilla.
    epoch = epoch_records()
    tagged = epoch["Base model"].notna() | epoch["Finetune compute (FLOP)"].notna()
    assert set(epoch.index[tagged]) - {"Flamingo"} <= FINE_TUNES
    readme = (root / "data" / "README.md").read_text(encoding="utf-8")
    for name in FINE_TUNES | UNFINISHED | {"Flamingo"}:
        assert name in readme, name
