"""`forecast compare`: a side-by-side table and one figure, written as its own report."""

from __future__ import annotations

import json
from pathlib import Path

from forecast.cli import main

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
