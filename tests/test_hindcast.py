"""Hindcast of the conversion: the ratios by hand, the cutoff check, the command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from forecast.analysis.hindcast import hindcast_json, hindcast_summary
from helpers import cli_error_lines

ROOT = Path(__file__).resolve().parents[1]


def hand_dataset() -> xr.Dataset:
    """Three power rows (modelled 2x, 1/2x and 4x the published) and one capex row."""
    published = np.array([1e7, 1e7, 1e7, 1e9])
    median = np.array([2e7, 5e6, 4e7, 1e9])
    return xr.Dataset(
        {
            "name": ("row", ["a", "b", "c", "d"]),
            "date": ("row", ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"]),
            "quantity": ("row", ["power_watts"] * 3 + ["capex_usd"]),
            "modelled_median": ("row", median),
            "modelled_p10": ("row", median / 2),
            "modelled_p90": ("row", median * 2),
            "published": ("row", published),
            "log10_ratio": ("row", np.log10(median / published)),
        },
        attrs={"cutoff": "2024-01-01", "conversion": "realised"},
    )


def test_summary_by_hand():
    s = hindcast_summary(hand_dataset())
    # Ratios 2, 0.5, 4: the median is 2; two of three are within a factor of 3.
    assert s["power_watts"]["runs"] == 3
    assert s["power_watts"]["median_ratio"] == pytest.approx(2.0)
    assert s["power_watts"]["share_within_3x"] == pytest.approx(2 / 3)
    # The 80% intervals are half to twice the median: 1e7 lies inside the first two
    # (2e7 and 5e6, its edges count) and outside the third (from 2e7 to 8e7).
    assert s["power_watts"]["share_inside_80"] == pytest.approx(2 / 3)
    assert s["capex_usd"] == {
        "runs": 1,
        "median_ratio": pytest.approx(1.0),
        "share_within_3x": 1.0,
        "share_inside_80": 1.0,
    }
    assert s["amortized_usd"] == {
        "runs": 0,
        "median_ratio": None,
        "share_within_3x": None,
        "share_inside_80": None,
    }


def test_json_has_the_design_keys():
    j = hindcast_json(hand_dataset())
    assert j["cutoff"] == "2024-01-01"
    row = j["runs"][0]
    assert set(row) == {"name", "date", "quantity", "modelled", "published", "log10_ratio"}
    assert set(row["modelled"]) == {"median", "p10", "p90"}
    assert row["log10_ratio"] == pytest.approx(math.log10(2.0))
    assert set(j["summary"]["power_watts"]) == {
        "runs",
        "median_ratio",
        "share_within_3x",
        "share_inside_80",
    }
    json.dumps(j, allow_nan=False)  # no NaN reaches the file


def test_a_cutoff_after_the_last_published_figure_is_refused(capsys):
    lines = cli_error_lines(
        ["hindcast", str(ROOT / "scenarios" / "baseline.toml"), "--cutoff", "2030-01-01"], capsys
    )
    assert len(lines) == 1 and "no finished run with a published cost or power" in lines[0]


def test_a_bad_cutoff_is_one_line(capsys):
    lines = cli_error_lines(
        ["hindcast", str(ROOT / "scenarios" / "baseline.toml"), "--cutoff", "soon"], capsys
    )
    assert len(lines) == 1 and "YYYY-MM-DD" in lines[0]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")  # 2 x 300
def test_realised_hindcast_from_2024(tmp_path):
    """The realised conversion fitted on runs to 2024 prices later runs: Llama 3.1-405B's
    power (22.6 MW published) comes out within a factor of 3."""
    from forecast.cli import main

    out = tmp_path / "report"
    scenario = ROOT / "tests" / "scenarios" / "good_realised.toml"
    assert (
        main(
            [
                "hindcast",
                str(scenario),
                "--cutoff",
                "2024-01-01",
                "--out",
                str(out),
                "--quiet",
                "--draws",
                "400",
            ]
        )
        == 0
    )
    j = json.loads((out / "hindcast.json").read_text())
    llama = next(
        r for r in j["runs"] if r["name"] == "Llama 3.1-405B" and r["quantity"] == "power_watts"
    )
    assert llama["published"] == pytest.approx(22.62e6, rel=1e-3)
    assert abs(llama["log10_ratio"]) < math.log10(3)
    assert llama["log10_ratio"] == pytest.approx(
        math.log10(llama["modelled"]["median"] / llama["published"]), abs=1e-5
    )
    assert "Hindcast" in (out / "briefing.md").read_text()


def test_briefing_sets_known_runs_beside_the_model_and_follows_the_held_path():
    from forecast.project.engine import project
    from forecast.report.evidence import held_path_table, known_runs_table
    from forecast.results.summary import build_summary
    from helpers import fake_results, make_inputs

    results = fake_results(project(make_inputs(40, 6.0, horizon=2045.0)), _runs())
    results.known_runs = xr.Dataset(
        {
            "modelled_median": (("run", "quantity"), [[1e8, 7.5e6, 4.3e6]]),
            "modelled_p10": (("run", "quantity"), [[5e7, 4e6, 2e6]]),
            "modelled_p90": (("run", "quantity"), [[2e8, 1.5e7, 9e6]]),
            "published": (("run", "quantity"), [[3.06e8, 3.73e7, np.nan]]),
            "date": ("run", ["2023-03-15"]),
            "compute_flop": ("run", [2.1e25]),
        },
        coords={"run": ["GPT-4"], "quantity": ["capex_usd", "amortized_usd", "power_watts"]},
    )
    (_, table) = known_runs_table(results)
    assert table.rows[0][0] == "GPT-4 (2023)"
    assert table.rows[0][2] == "$100M vs $306M"
    assert table.rows[0][4] == "4.3 MW"  # no published power: the model's alone
    summary = build_summary(results)
    (_, held) = held_path_table(summary, results)
    first = summary["limit"]["hit_year"]["median"]
    for row in held.rows:
        # The unconstrained trend only up to the first ceiling; the held path throughout.
        assert (row[5] == "—") == (int(row[0]) > first)


def _runs():
    import pandas as pd

    t = np.linspace(2012.0, 2025.5, 10)
    return pd.DataFrame(
        {
            "name": [f"r{i}" for i in range(10)],
            "t": t,
            "compute_flop": 10 ** (20 + 0.5 * (t - 2012)),
            "date": [f"{int(x)}-01-01" for x in t],
        }
    )
