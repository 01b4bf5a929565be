"""`forecast compare`: a side-by-side table and one figure, written as its own report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_binding_first import make_projection, runs

from forecast.cli import main
from forecast.report import style as F
from forecast.report.compare import comparison_rows, first_limit_text, plot_comparison
from forecast.results.summary import build_summary
from helpers import fake_results

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def test_compare_two_scenarios(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(SCENARIOS / "good_deterministic.toml"),
            str(SCENARIOS / "good_deterministic_slower.toml"),
            "--out",
            str(out),
            "--draws",
            "100",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = json.loads((out / "compare.json").read_text())
    assert [r["scenario"] for r in rows] == ["deterministic", "deterministic-slower"]
    fast, slow = rows
    # A slower trend reaches the same ceilings later.
    assert (
        slow["constraints"]["World hardware budget"]["median"]
        > fast["constraints"]["World hardware budget"]["median"]
    )
    assert (out / "figures" / "compare.png").stat().st_size > 0
    html = (out / "compare.html").read_text()
    assert "deterministic-slower" in html and "data:image/png;base64," in html
    # Which limit binds first in each scenario, with the share of draws, as in its summary.
    md = (out / "compare.md").read_text()
    for row in rows:
        summary = json.loads((out / f"summary-{row['scenario']}.json").read_text())
        limit = summary["limit"]
        assert row["first_ceiling"] == limit["binding_constraint"] is not None
        assert row["first_ceiling_share"] == limit["binding_share"]
        assert sum(row["prob_binds_first"].values()) + row["prob_binds_first_none"] == (
            pytest.approx(1.0, abs=1e-5)
        )
        shown = f"{row['first_ceiling']} ({F.percent(row['first_ceiling_share'])})"
        assert first_limit_text(row) == shown
        assert f"| {row['scenario']} | " in md and shown in md
    assert "binds first (share of draws)" in md and "P(binds first)" in md


def test_first_limit_text_names_none_when_likelier():
    row = {
        "first_ceiling": "Single-site power",
        "first_ceiling_share": 0.2,
        "prob_binds_first_none": 0.7,
        "horizon": 2045,
    }
    assert first_limit_text(row) == "none by 2045 (70%), else Single-site power (20%)"
    assert first_limit_text({**row, "prob_binds_first_none": 0.1}) == "Single-site power (20%)"
    nothing = {**row, "first_ceiling": None, "first_ceiling_share": 0.0, "prob_binds_first_none": 1}
    assert first_limit_text(nothing) == "none by 2045 (100%)"


def test_comparison_figure_names_the_first_limit():
    # Fake results (no fit): the projection of the binding-first tests, some draws meeting
    # no limit by the horizon.
    results = [fake_results(make_projection(), runs())]
    rows = comparison_rows([build_summary(r) for r in results])
    fig = plot_comparison(results, rows)
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend[0].endswith(f"binds first: {first_limit_text(rows[0])}")
    assert rows[0]["first_ceiling"] in legend[0]


def test_compare_rejects_bad_file_before_fitting(tmp_path, capsys):
    code = main(
        [
            "compare",
            str(SCENARIOS / "good_deterministic.toml"),
            str(SCENARIOS / "bad_share.toml"),
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    assert code == 2
    assert "bad_share.toml" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
