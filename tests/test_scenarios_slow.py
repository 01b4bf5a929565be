"""Slow tier: every shipped scenario runs end to end and its summary carries the design's keys."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from forecast.cli import main
from forecast.data.units import decimal_year
from forecast.scenario import load_scenario
from helpers import assert_summary_keys, isolated_cache

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    # A fresh cache for this module: every fit here really samples (once; scenarios that
    # share data and sampler settings share their fits, as they do for a user).
    yield from isolated_cache(tmp_path_factory)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs(path, tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["run", str(path), "--out", str(out), "--draws", "400", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads((out / "summary.json").read_text())
    sc = load_scenario(path)
    start = math.floor(decimal_year(sc.data.until)) if sc.data.until else None
    assert_summary_keys(summary, start, sc.horizon)
    assert summary["scenario"] == sc.name and summary["draws"] == 400
    for name in ("briefing.html", "briefing.md", "posterior.nc", "projection.nc"):
        assert (out / name).stat().st_size > 0
    # The largest run is the record: in every year, in every draw's 10th percentile, at
    # least the largest run the scenario's selection already holds.
    if sc.data.points == "runs":
        largest = sc.data.selected_points()["compute_flop"].max()
        assert set(summary["typical_run"]) == set(summary["largest_run"])
        for year, row in summary["largest_run"].items():
            assert row["flop"]["p10"] >= largest * (1 - 1e-4), year
            assert row["flop"]["median"] >= summary["typical_run"][year]["flop"]["median"]


def test_same_seed_byte_identical_summary(tmp_path):
    # The second run re-samples (--no-cache): the sampler itself must be reproducible.
    path = ROOT / "scenarios" / "openai-2018.toml"
    for name, extra in (("a", []), ("b", ["--no-cache"])):
        assert (
            main(
                [
                    "run",
                    str(path),
                    "--out",
                    str(tmp_path / name),
                    "--draws",
                    "300",
                    "--quiet",
                    "--no-sensitivity",
                    *extra,
                ]
            )
            == 0
        )
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
