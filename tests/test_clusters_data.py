"""The supply side's data: clusters.csv, run_clusters.csv, accelerators.csv."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from forecast.data import DATA_DIR
from forecast.data.clusters import (
    latest_stock,
    load_accelerators,
    load_clusters,
    load_run_clusters,
)
from forecast.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "epoch" / "gpu_clusters.csv"


def test_the_shipped_files_load_with_a_source_on_every_row():
    clusters = load_clusters()
    assert len(clusters) > 600
    assert set(clusters["status"]) == {"existing", "planned", "decommissioned"}
    assert clusters["source_url"].str.startswith("http").all()
    # Planned clusters carry their certainty; none is dated in the past of the history.
    planned = clusters[clusters["status"] == "planned"]
    assert set(planned["certainty"]) <= {"confirmed", "likely", "unlikely"}
    runs = load_run_clusters()
    assert len(runs) >= 3 and runs["source_url"].str.startswith("http").all()
    stock = load_accelerators()
    assert latest_stock(stock) == (pytest.approx(2025.997, abs=0.01), 1.5e7)


def test_the_largest_cluster_of_2025_is_what_was_published():
    """xAI Colossus: about 200-300k H100e and 150-350 MW (Epoch AI), from the file."""
    c = load_clusters()
    operating = c[(c["status"] != "planned") & (c["t"] < 2026.0)]
    largest = operating.loc[operating["h100e"].idxmax()]
    assert "Colossus" in largest["name"]
    assert 2e5 <= largest["h100e"] <= 3e5
    assert 1.5e8 <= largest["power_watts"] <= 3.6e8


def test_the_run_shares_are_what_their_sources_say():
    runs = load_run_clusters()
    clusters = load_clusters().set_index("name")
    share = runs.set_index("run")["chips"] / runs.set_index("run")["cluster"].map(
        clusters["chip_count"]
    )
    # Llama 3.1-405B: 16,384 of a 24,576-GPU cluster.
    assert share["Llama 3.1-405B"] == pytest.approx(16384 / 24576)
    assert (share > 0).all() and (share <= 1).all()


def _copy(tmp_path: Path) -> Path:
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, line: int, column: str, value: str) -> None:
    import csv

    rows = list(csv.reader(path.read_text().splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    ("file", "column", "value", "says"),
    [
        ("clusters.csv", "first_operational", "2024-13-01", "expected a date"),
        ("clusters.csv", "h100e", "-5", "positive"),
        ("clusters.csv", "status", "rumoured", "expected one of"),
        ("clusters.csv", "first_operational", "2034-01-01", "status is planned"),
        ("run_clusters.csv", "run", "Grok 33", "did you mean"),
        ("run_clusters.csv", "chips", "999999", "more than"),
        ("accelerators.csv", "h100e", "1e12", "H100e"),
    ],
)
def test_a_bad_cell_is_one_line_with_file_line_and_column(
    tmp_path, capsys, file, column, value, says
):
    from forecast.cli import main

    folder = _copy(tmp_path)
    # Line 3 of clusters.csv is an existing cluster; line 2 of the others their first row.
    line = 3 if file == "clusters.csv" else 2
    _edit(folder / file, line, column, value)
    assert main(["data", "check", "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    assert f"{file}:{line}: {column}" in lines[0] and says in lines[0], lines[0]


def test_a_bad_row_raises_a_data_error(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "clusters.csv", 3, "status", "rumoured")
    with pytest.raises(DataError):
        load_clusters(folder / "clusters.csv")


@pytest.mark.skipif(not REFERENCE.is_file(), reason="the Epoch AI reference copy is not here")
def test_the_curation_script_reproduces_clusters_csv(tmp_path):
    spec = importlib.util.spec_from_file_location("curate", ROOT / "scripts" / "curate_clusters.py")
    curate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(curate)
    out = tmp_path / "clusters.csv"
    curate.write(curate.curate(REFERENCE), out)
    assert out.read_bytes() == (DATA_DIR / "clusters.csv").read_bytes()


def test_planned_dates_are_the_end_of_their_period():
    spec = importlib.util.spec_from_file_location("curate", ROOT / "scripts" / "curate_clusters.py")
    curate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(curate)
    assert curate.planned_date("Planned 2027") == "2027-12-31"
    assert curate.planned_date("Planned H2 2026") == "2026-12-31"
    assert curate.planned_date("Planned H1 2026") == "2026-06-30"
    assert curate.planned_date("Planned Q2 2025") == "2025-06-30"
    assert curate.planned_date("Planned 2029-02") == "2029-02-28"
    assert curate.planned_date("Planned") is None
