"""`forecast sensitivity` and `forecast backtest` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forecast.cli import main

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
ROOT = Path(__file__).resolve().parents[1]


def test_sensitivity_outputs(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(
        [
            "sensitivity",
            str(SCENARIOS / "good_uncertain.toml"),
            "--out",
            str(out),
            "--draws",
            "500",
            "--sobol-log2",
            "9",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    data = json.loads((out / "sensitivity.json").read_text())
    assert data["sweep"]["param"] == "trend.doubling_time_months"
    values = data["sweep"]["values"]
    assert values[0] == pytest.approx(3) and values[-1] == pytest.approx(24)
    for res in data["sweep"]["results"].values():
        assert {"median", "p10", "p90", "prob_hit_by_horizon"} <= set(res)
        assert len(res["median"]) == len(values)
    keys = {"param", "low_value", "high_value", "hit_year_low", "hit_year_high", "swing_years"}
    assert data["tornado"] and all(keys <= set(r) for r in data["tornado"])
    swings = [abs(r["swing_years"]) for r in data["tornado"]]
    assert swings == sorted(swings, reverse=True)
    assert all({"S1", "S1_conf", "ST", "ST_conf"} <= set(v) for v in data["sobol"].values())
    assert "hardware.utilization" in data["sobol"]
    assert (out / "sensitivity.nc").stat().st_size > 0
    md = (out / "briefing.md").read_text()
    assert "Which assumptions matter most" in md and "figures/tornado.png" in md


def test_sensitivity_custom_param(tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(
        [
            "sensitivity",
            str(SCENARIOS / "good_uncertain.toml"),
            "--out",
            str(out),
            "--draws",
            "300",
            "--sobol-log2",
            "8",
            "--param",
            "hardware.utilization",
            "--values",
            "0.2:0.6:5",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    data = json.loads((out / "sensitivity.json").read_text())
    assert data["sweep"]["param"] == "hardware.utilization"
    assert data["sweep"]["values"] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6])
    assert (out / "figures" / "sweep.png").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "hardware.utilisation"], "--param"),
        (["--values", "0.2:oops"], "--values"),
    ],
)
def test_sensitivity_bad_options(tmp_path, capsys, args, message):
    code = main(
        [
            "sensitivity",
            str(SCENARIOS / "good_uncertain.toml"),
            "--out",
            str(tmp_path / "rep"),
            "--draws",
            "100",
            "--quiet",
            *args,
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "rep").exists()


def test_backtest_bad_cutoff(tmp_path, capsys):
    code = main(
        [
            "backtest",
            str(SCENARIOS / "good_uncertain.toml"),
            "--cutoff",
            "2018-13-01",
            "--out",
            str(tmp_path / "rep"),
            "--quiet",
        ]
    )
    assert code == 2
    assert "--cutoff" in capsys.readouterr().err


@pytest.mark.slow
def test_backtest_openai_2018_at_its_cutoff(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "rep"
    code = main(
        [
            "backtest",
            str(ROOT / "scenarios" / "openai-2018.toml"),
            "--cutoff",
            "2018-05-16",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    [result] = json.loads((out / "backtest.json").read_text())["backtests"]
    assert result["n_later"] > 20
    for model in ("trend", "constrained"):
        for c in (50, 80, 95):
            assert 0 <= result["scores"][model][f"coverage{c}"] <= 1
    md = (out / "briefing.md").read_text()
    assert "Backtests" in md and "figures/backtest.png" in md
