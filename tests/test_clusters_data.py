"""The supply side's data: clusters.csv, run_clusters.csv, accelerators.csv."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from forecast.data import DATA_DIR
from forecast.data.clusters import (
    latest_stock,
    latest_stock_row,
    load_accelerators,
    load_clusters,
    load_run_clusters,
)
from forecast.data.loaders import load_run_hardware
from forecast.data.units import decimal_year
from forecast.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "epoch" / "gpu_clusters.csv"


def _curate_module():
    spec = importlib.util.spec_from_file_location("curate", ROOT / "scripts" / "curate_clusters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_files_load_with_a_source_on_every_row():
    clusters = load_clusters()
    assert len(clusters) > 600
    assert set(clusters["status"]) == {"existing", "planned", "decommissioned"}
    assert clusters["source_url"].str.startswith("http").all()
    assert clusters["source_title"].str.contains("Epoch AI, GPU Clusters").all()
    # Planned clusters carry their certainty and are never part of the history.
    planned = clusters[clusters["status"] == "planned"]
    assert set(planned["certainty"]) <= {"confirmed", "likely", "unlikely"}
    assert not planned["standard_analysis"].any()
    assert planned["rank_when_operational"].isna().all()
    # Every power and cost says whether it was reported or calculated.
    has_power = clusters["power_watts"].notna()
    assert (clusters.loc[has_power, "power_basis"] != "").all()
    runs = load_run_clusters()
    assert len(runs) >= 5 and runs["source_url"].str.startswith("http").all()
    stock = load_accelerators()
    assert set(stock["basis"]) == {"published", "derived"}
    assert (stock.loc[stock["basis"] == "derived", "note"] != "").all()


def test_the_largest_cluster_of_2025_is_what_was_published():
    """About 200-300k H100e and 150-350 MW (issue 19, after Pilz et al. 2025), from the file.

    xAI's Colossus (phase 3): 275,796 H100e and 352 MW, Epoch AI's calculation from its
    chips (no reported figure). 352 MW is 0.7% above the top of the range, a rounded
    figure; a 2% margin says so instead of widening the range silently.
    """
    c = load_clusters()
    operating = c[(c["status"] != "planned") & (c["t"] < 2026.0)]
    largest = operating.loc[operating["h100e"].idxmax()]
    assert "Colossus" in largest["name"] and largest["status"] == "existing"
    assert 2e5 <= largest["h100e"] <= 3e5
    assert 1.5e8 <= largest["power_watts"] <= 3.5e8 * 1.02
    assert largest["power_basis"] == "calculated"


def test_the_run_shares_are_what_their_sources_say():
    runs = load_run_clusters().set_index("run")
    clusters = load_clusters().set_index("name")
    share = runs["chips"] / runs["cluster"].map(clusters["chip_count"])
    # Llama 3.1-405B: 16,384 of a 24,576-GPU cluster; Grok 3: 80,000 of Colossus's first
    # 100,000; Llama 4 Behemoth: 32K GPUs of a cluster of more than 100,000 H100s.
    assert share["Llama 3.1-405B"] == pytest.approx(16384 / 24576)
    assert share["Grok 3"] == pytest.approx(0.8)
    assert share["Llama 4 Behemoth (preview)"] == pytest.approx(0.32)
    # Grok 4: 200,000 GPUs, all of Colossus's second phase (150,000 H100 and 50,000 H200,
    # counted whole: a cluster's chip_count is its total of AI chips, not its primary chip).
    assert runs.loc["Grok 4", "cluster"] == "xAI Colossus Memphis Phase 2"
    assert clusters.loc["xAI Colossus Memphis Phase 2", "chip_count"] == 200_000
    assert share["Grok 4"] == pytest.approx(1.0)
    assert (share > 0).all() and (share <= 1).all()
    # A run's chips are those of run_hardware.csv wherever both files give them.
    hardware = load_run_hardware().set_index("name")["chip_count"]
    both = runs.index.intersection(hardware.dropna().index)
    assert len(both) >= 5
    assert (runs.loc[both, "chips"] == hardware[both]).all()


def test_the_derived_stock_figures_follow_their_formulas():
    """Each derived row recomputed from the published rows it names (3 significant figures)."""
    stock = load_accelerators()
    published = stock[stock["basis"] == "published"]
    nvidia = published[(published["scope"] == "nvidia") & (published["quantity"] == "installed")]
    assert len(nvidia) == 1
    t0, s0 = float(nvidia["t"].iloc[0]), float(nvidia["h100e"].iloc[0])
    sold = published[(published["scope"] == "all") & (published["quantity"] == "produced")]
    sold_2025 = float(sold.loc[sold["date"] == dt.date(2025, 12, 31), "h100e"].iloc[0])
    growth = 2.3  # Epoch AI: the NVIDIA stock grows 2.3x a year since 2019
    derived = stock[stock["basis"] == "derived"]
    assert len(derived) == 7
    for _, row in derived.iterrows():
        if row["scope"] == "nvidia":
            expected = s0 * growth ** (row["t"] - t0)
            assert row["retirement"] == "source" and 2019 <= row["date"].year < 2025
        else:
            years = row["lifetime_years"]
            expected = sold_2025 * (1.0 - growth**-years)
            assert row["retirement"] == "lifetime" and years == 5
        assert row["h100e"] == pytest.approx(float(f"{expected:.3g}")), row["date"]
    # The chip ceiling starts from the installed stock of all accelerators at the end of
    # 2025: the sales less the chips sold more than five years before.
    t, h100e = latest_stock(stock)
    assert t == pytest.approx(decimal_year(dt.date(2025, 12, 31)))
    assert h100e == pytest.approx(1.48e7)
    row = latest_stock_row(stock)  # its source is what the briefing cites
    assert row["basis"] == "derived" and "Amazon" in row["source_title"]


def test_latest_stock_prefers_a_published_figure_at_the_same_date():
    table = pd.DataFrame(
        {
            "quantity": ["installed", "installed", "installed"],
            "scope": ["all", "all", "all"],
            "basis": ["published", "published", "derived"],
            "t": [2024.0, 2025.0, 2025.0],
            "h100e": [1e6, 2e6, 3e6],
        }
    )
    assert latest_stock(table) == (2025.0, 2e6)
    with pytest.raises(DataError, match="no installed stock"):
        latest_stock(table.assign(scope="nvidia"))


def _copy(tmp_path: Path) -> Path:
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, line: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.read_text().splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _line_of(file: str, column: str, value: str) -> int:
    """The first line of a shipped file whose ``column`` is ``value``."""
    with (DATA_DIR / file).open(newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            if row[column] == value:
                return line
    raise AssertionError(f"no {column} = {value} in {file}")


@pytest.mark.parametrize(
    ("file", "where", "column", "value", "says"),
    [
        ("clusters.csv", None, "first_operational", "2024-13-01", "expected a date"),
        ("clusters.csv", None, "h100e", "-5", "positive"),
        ("clusters.csv", None, "status", "rumoured", "expected one of"),
        # A plan written into the history, two ways: dated in the future as existing, or
        # planned but counted in the standard analysis.
        ("clusters.csv", None, "first_operational", "2034-01-01", "status is planned"),
        ("clusters.csv", ("status", "planned"), "standard_analysis", "yes", "standard analysis"),
        ("clusters.csv", ("status", "planned"), "certainty", "", "needs its certainty"),
        ("clusters.csv", None, "power_basis", "", "reported or calculated"),
        ("run_clusters.csv", None, "run", "Grok 33", "did you mean 'Grok 3'"),
        ("run_clusters.csv", None, "run", "GPT-7", "no run named 'GPT-7'"),
        ("run_clusters.csv", None, "cluster", "Meta 100K", "did you mean 'Meta 100k'"),
        ("run_clusters.csv", None, "chips", "999999", "more than"),
        # A run cannot have trained on a plan, nor on a phase that began after it was
        # published (Grok 4, published 2025-07-09; Colossus phase 3 from 2025-07-22).
        ("run_clusters.csv", None, "cluster", "xAI Colossus 2 Memphis Phase 1", "is planned"),
        (
            "run_clusters.csv",
            ("run", "Grok 4"),
            "cluster",
            "xAI Colossus Memphis Phase 3",
            "after 'Grok 4' was published (2025-07-09)",
        ),
        ("accelerators.csv", None, "h100e", "1e12", "H100e"),
        ("accelerators.csv", ("basis", "derived"), "note", "", "formula"),
        ("accelerators.csv", ("quantity", "produced"), "retirement", "source", "none"),
        ("accelerators.csv", ("retirement", "lifetime"), "lifetime_years", "", "lifetime"),
        ("accelerators.csv", ("retirement", "lifetime"), "lifetime_years", "50", "years"),
    ],
)
def test_a_bad_cell_is_one_line_with_file_line_and_column(
    tmp_path, capsys, file, where, column, value, says
):
    from forecast.cli import main

    folder = _copy(tmp_path)
    # Line 3 of clusters.csv is an existing cluster; line 2 of the others their first row.
    line = _line_of(file, *where) if where else 3 if file == "clusters.csv" else 2
    if file == "run_clusters.csv" and column == "cluster" and where is None:
        line = _line_of(file, "cluster", "Meta 100k")
    _edit(folder / file, line, column, value)
    assert main(["data", "check", "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    assert f"{file}:{line}: {column}" in lines[0] and says in lines[0], lines[0]


def test_each_run_trained_on_a_cluster_operating_by_its_publication():
    """Checked on the shipped pairs: the cluster existed when the run was published."""
    from forecast.data.runs import load_runs

    dates = load_runs().set_index("name")["date"]
    clusters = load_clusters().set_index("name")
    for _, row in load_run_clusters().iterrows():
        cluster = clusters.loc[row["cluster"]]
        assert cluster["status"] != "planned", row["run"]
        assert cluster["first_operational"] <= dates[row["run"]], row["run"]


def test_a_bad_row_raises_a_data_error(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "clusters.csv", 3, "status", "rumoured")
    with pytest.raises(DataError):
        load_clusters(folder / "clusters.csv")


def test_a_scenario_checks_its_run_clusters_against_its_own_clusters(tmp_path):
    """data.clusters pointing elsewhere: run_clusters.csv must name clusters of that file."""
    from forecast.errors import ScenarioError
    from forecast.scenario import check_scenario

    folder = _copy(tmp_path)
    line = _line_of("clusters.csv", "name", "Meta 100k")
    _edit(folder / "clusters.csv", line, "name", "Meta Hyperion 100k")
    path = tmp_path / "s.toml"
    path.write_text(
        f'[data]\nclusters = "{folder / "clusters.csv"}"\n'
        + (ROOT / "tests" / "scenarios" / "good_minimal.toml").read_text()
    )
    with pytest.raises(ScenarioError) as info:
        check_scenario(path)
    (problem,) = info.value.problems
    assert problem.file.endswith("run_clusters.csv") and problem.column == "cluster"
    assert "no cluster named 'Meta 100k'" in problem.message


@pytest.mark.skipif(
    not REFERENCE.is_file(),
    reason="the Epoch AI reference copy (../shared/reference/epoch/gpu_clusters.csv) is not here",
)
def test_the_curation_script_reproduces_clusters_csv(tmp_path):
    curate = _curate_module()
    out = tmp_path / "clusters.csv"
    curate.write(curate.curate(REFERENCE), out)
    assert out.read_bytes() == (DATA_DIR / "clusters.csv").read_bytes()


def test_planned_dates_are_the_end_of_their_period():
    curate = _curate_module()
    assert curate.planned_date("Planned 2027") == "2027-12-31"
    assert curate.planned_date("Planned H2 2026") == "2026-12-31"
    assert curate.planned_date("Planned H1 2026") == "2026-06-30"
    assert curate.planned_date("Planned Q2 2025") == "2025-06-30"
    assert curate.planned_date("Planned 2029-02") == "2029-02-28"
    assert curate.planned_date("Planned") is None
    assert curate.planned_date("completion unclear") is None


def test_the_power_basis_is_the_figure_epoch_ai_headlines():
    curate = _curate_module()
    nan = float("nan")
    assert curate.basis(150.0, 150.0, 142.7) == "reported"
    assert curate.basis(352.4, nan, 352.4) == "calculated"
    assert curate.basis(nan, nan, 10.0) == ""
    with pytest.raises(ValueError, match="neither"):
        curate.basis(100.0, 90.0, 80.0)
