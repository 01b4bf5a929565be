"""The counts above 1e25 and 1e26 FLOP against Epoch AI's published counts: the data's
counts from the shipped file (checked by hand), the comparison's numbers, the count
model's forecast against the published rate, summary.json and the briefing (fast: no
fit)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.analysis.counts import counted_runs, project_counts
from forecast.analysis.published_counts import (
    BENCHMARK_IN_DATA,
    EXTRA_KINDS,
    NOTABLE_EXTRA,
    PUBLISHED,
    count_runs,
    notable_extra,
    observed_counts,
    published_observed,
    selection_if_counted,
    with_forecast,
)
from forecast.data.runs import STAGES
from forecast.project.engine import project
from forecast.project.trajectory import LogLinear
from forecast.report.counts import counts_blocks, published_blocks
from forecast.report.document import Table, to_markdown
from forecast.report.write import render_report, write_report
from forecast.results import Results
from forecast.results.summary import dumps
from forecast.scenario import load_scenario
from helpers import fake_results, fake_runs, make_inputs

ROOT = Path(__file__).resolve().parents[1]

#: The runs of data/training_runs.csv at or above 1e25 FLOP published in 2024, read off
#: the file by hand (name, method): 11, all finished pretraining runs.
RUNS_2024 = {
    "Gemini 1.5 Pro": "third_party",
    "Mistral Large": "third_party",
    "Aramco Metabrain AI": "operations",
    "Claude 3 Opus": "third_party",
    "GPT-4o": "third_party",
    "Nemotron-4 340B": "operations",
    "Claude 3.5 Sonnet": "third_party",
    "Llama 3.1-405B": "reported",
    "Mistral Large 2": "third_party",
    "Grok-2": "third_party",
    "Doubao-pro": "operations",
}


@pytest.fixture(scope="module")
def shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs the baseline's count model counts, and every run of every stage."""
    data = load_scenario(ROOT / "scenarios" / "baseline.toml").data
    return counted_runs(data), counted_runs(dataclasses.replace(data, stages=STAGES))


@pytest.fixture(scope="module")
def observed(shipped) -> dict:
    return published_observed(*shipped)


def _backtest(p90_2024: int = 14, p90_2025: int = 21) -> dict:
    """The counts backtest's shape (:func:`forecast.analysis.counts.counts_backtest`),
    with the baseline's numbers of 2022-01-01 (examples/baseline/backtest.json)."""

    def cell(observed, median, p10, p90):
        return {"observed": observed, "median": median, "p10": p10, "p90": p90}

    return {
        "cutoff": "2022-01-01",
        "counts": {
            "1e25": {
                "2023": cell(3, 2, 0, 6),
                "2024": cell(11, 8, 3, p90_2024),
                "2025": cell(6, 11, 4, p90_2025),
            },
            "1e26": {"2024": cell(0, 1, 0, 3), "2025": cell(2, 5, 2, 11)},
            "1e27": {"2024": cell(0, 0, 0, 0)},
        },
    }


# -- the data's counts -----------------------------------------------------------------------


def test_runs_above_1e25_in_2024_match_the_file_by_hand(shipped):
    counted, every = shipped
    got = count_runs(counted, 25, year=2024)
    assert got["total"] == len(RUNS_2024) == 11
    methods = pd.Series(RUNS_2024).value_counts().to_dict()
    assert got["by_method"] == {m: methods.get(m, 0) for m in got["by_method"]}
    # Three of the seven outside estimates are Epoch AI's from benchmark scores.
    assert got["benchmark"] == 3 and set(BENCHMARK_IN_DATA) <= set(RUNS_2024)
    above = counted[(counted["compute_flop"] >= 1e25) & (counted["date"].astype(str) < "2025")]
    assert set(above["name"]) - {"GPT-4", "Inflection-2", "Gemini 1.0 Ultra"} == set(RUNS_2024)
    # Every stage: no fine-tune or unfinished run above 1e25 in 2024.
    assert count_runs(every, 25, year=2024)["total"] == 11


def test_per_year_counts_of_the_shipped_data(shipped, observed):
    counted, every = shipped
    totals = {k: {y: c["total"] for y, c in v.items()} for k, v in observed["years"].items()}
    assert totals["1e25"] == {"2020": 0, "2021": 0, "2022": 0, "2023": 3, "2024": 11, "2025": 6}
    assert totals["1e26"] == {"2020": 0, "2021": 0, "2022": 0, "2023": 0, "2024": 0, "2025": 2}
    wide = {
        k: {y: c["total"] for y, c in v.items()} for k, v in observed["years_all_stages"].items()
    }
    # 2025, every stage: Llama 4 Behemoth (preview, unfinished) and Grok 4 (a fine-tune,
    # 5e26) join; Grok 4 is the third run above 1e26 beside Grok 3 and GPT-4.5.
    assert wide["1e25"]["2025"] == 8 and wide["1e26"]["2025"] == 3
    assert observed_counts(every, [2025], [26])["1e26"]["2025"]["by_method"] == {
        "operations": 0,
        "hardware": 2,
        "reported": 0,
        "third_party": 1,
    }


def test_count_runs_at_or_above_and_by_date():
    runs = pd.DataFrame(
        {
            "date": ["2024-01-31", "2024-02-01", "2024-12-31", "2025-01-01"],
            "compute_flop": [1e25, 9.99e24, 2e25, 3e26],
            "method": ["reported", "hardware", "third_party", "hardware"],
        }
    )
    assert count_runs(runs, 25, year=2024)["total"] == 2  # 1e25 itself counts
    assert count_runs(runs, 25, as_of=dt.date(2024, 12, 31))["total"] == 2
    assert count_runs(runs, 25, as_of=dt.date(2025, 1, 1))["by_method"] == {
        "operations": 0,
        "hardware": 1,
        "reported": 1,
        "third_party": 1,
    }
    assert count_runs(runs, 26)["total"] == 1


# -- the comparison --------------------------------------------------------------------------


def test_comparison_numbers(observed):
    rows = {c["period"]: c for c in observed["comparisons"]}
    assert set(rows) == {"by 2025-01-30", "in 2024", "by 2025-06-06"}
    assert (rows["in 2024"]["published"], rows["in 2024"]["data"]) == (24, 11)
    assert rows["in 2024"]["difference"] == 13
    assert (rows["by 2025-01-30"]["data"], rows["by 2025-01-30"]["difference"]) == (14, 11)
    # By June 2025 the count model counts 18 (finished pretraining runs); every stage 19
    # (Llama 4 Behemoth's preview). Grok 4 (July) is after the date.
    june = rows["by 2025-06-06"]
    assert (june["published"], june["data"], june["data_all_stages"]) == (30, 18, 19)
    assert june["difference"] == 11
    for c in observed["comparisons"]:
        assert c["url"].startswith("https://epoch.ai/") and c["quote"]
        assert c["data"] <= c["data_all_stages"] < c["published"]
    # What Epoch AI's notable list adds (versions / estimates in its notes / no figure),
    # and what is left for models outside it: about 7 in 2024; by June 2025 the list
    # alone holds more than the published count.
    assert rows["in 2024"]["notable_extra"] == {"version": 3, "notes": 2, "no_figure": 1}
    assert (rows["in 2024"]["notable_total"], rows["in 2024"]["outside_notable"]) == (17, 7)
    jan = rows["by 2025-01-30"]
    assert jan["notable_extra"] == {"version": 5, "notes": 4, "no_figure": 1}
    assert (jan["notable_total"], jan["outside_notable"]) == (24, 1)
    assert june["notable_extra"] == {"version": 6, "notes": 4, "no_figure": 6}
    assert (june["notable_total"], june["outside_notable"]) == (35, -5)
    for c in observed["comparisons"]:
        assert c["notable_total"] == c["data_all_stages"] + sum(c["notable_extra"].values())
        assert c["outside_notable"] == c["published"] - c["notable_total"]
    per_year = observed["years_notable_extra"]["1e25"]
    assert per_year["2023"] == {"version": 1, "notes": 2, "no_figure": 0}
    assert per_year["2025"] == {"version": 2, "notes": 0, "no_figure": 9}
    assert all(sum(v.values()) == 0 for v in observed["years_notable_extra"]["1e26"].values())


def test_notable_extra_rows_are_what_the_data_leave_out(shipped):
    _, every = shipped
    names = set(every["name"])
    assert [r.date for r in NOTABLE_EXTRA] == sorted(r.date for r in NOTABLE_EXTRA)
    for row in NOTABLE_EXTRA:
        assert row.kind in EXTRA_KINDS and row.note
        if row.data_flop is None:
            # Not in the data at all (GPT-4 (Jun 2023) is the data's "GPT-4" again).
            assert row.name not in names
        else:
            # In the data below 1e25 (Gemini 1.0 Pro: 1.83e24), above it by Epoch's notes.
            flop = every.loc[every["name"] == row.name, "compute_flop"].item()
            assert flop == row.data_flop < 1e25 <= row.compute_flop
        if row.kind == "version":
            assert row.note.startswith("base model ") and row.compute_flop >= 1e25
        elif row.kind == "notes":
            assert row.compute_flop >= 1e25
        else:
            assert row.compute_flop is None and "1e25" in row.note
    # Rows without a figure count at 1e25 only; none has a figure of 1e26 or more.
    assert notable_extra(25, year=2025)["no_figure"] == 9
    assert notable_extra(26) == dict.fromkeys(EXTRA_KINDS, 0)


def test_selection_if_counted_of_the_shipped_data():
    data = load_scenario(ROOT / "scenarios" / "baseline.toml").data
    points, selection = data.load_points(), data.selection()
    notes = selection_if_counted(points, selection, ("notes",))
    assert (notes["added"], notes["selected"], notes["selected_if_counted"]) == (4, 116, 119)
    assert notes["enter"] == [
        "GLM-4 (0520)",
        "GLM-4-Plus",
        "GPT-4 Turbo (Nov 2023)",
        "Gemini 1.0 Pro",
    ]
    assert notes["leave"] == ["Llama 3-70B"]
    both = selection_if_counted(points, selection, ("notes", "version"))
    assert (both["added"], both["selected_if_counted"]) == (10, 124)
    assert both["leave"] == ["Inflection-2.5", "Llama 3-70B"]
    # The data themselves are untouched.
    assert points.loc[points["name"] == "Gemini 1.0 Pro", "compute_flop"].item() == 1.83e24


def test_published_constants_are_sourced():
    for pub in PUBLISHED:
        assert pub.threshold == "1e25" and pub.url.startswith("https://epoch.ai/")
        assert (pub.as_of is None) != (pub.year is None)
        assert pub.quote and pub.title
    # "roughly two models ... every month during 2024" is about 24 in 2024.
    (yearly,) = [p for p in PUBLISHED if p.year is not None]
    assert (yearly.year, yearly.count) == (2024, 24) and "two models" in yearly.quote


def test_forecast_against_the_published_rate(observed):
    out = with_forecast(observed, _backtest())
    assert out["cutoff"] == "2022-01-01"
    year = next(c for c in out["comparisons"] if c["year"] == 2024)
    assert year["forecast"] == {"median": 8, "p10": 3, "p90": 14}
    assert year["published_in_interval"] is False
    f = out["forecasts"]
    assert f["1e25"]["2024"]["data"] == 11 and f["1e25"]["2024"]["published_rate"] == 24
    # The published rate (about 24 a year) against the forecasts of 2024 and 2025: above
    # the 80% interval of both (p90 14 and 21).
    for year in ("2024", "2025"):
        assert f["1e25"][year]["published_rate_above_p90"] is True
    assert f["1e25"]["2025"] == {
        "data": 6,
        "median": 11,
        "p10": 4,
        "p90": 21,
        "published_rate": 24,
        "published_rate_above_p90": True,
    }
    assert "published_rate" not in f["1e26"]["2024"] and "1e27" not in f
    high = with_forecast(observed, _backtest(p90_2025=24))["forecasts"]["1e25"]
    assert high["2025"]["published_rate_above_p90"] is False
    # An interval that reaches 24 holds it.
    wide = with_forecast(observed, _backtest(p90_2024=30))
    assert next(c for c in wide["comparisons"] if c["year"])["published_in_interval"] is True
    assert wide["forecasts"]["1e25"]["2024"]["published_rate_above_p90"] is False
    # Without the backtest: no forecast, the data's counts unchanged.
    bare = with_forecast(observed, None)
    assert bare["cutoff"] is None and bare["forecasts"] == {}
    assert all(c["forecast"] is None for c in bare["comparisons"])
    assert json.loads(json.dumps(out)) == out


# -- the briefing ----------------------------------------------------------------------------


def test_published_blocks_carry_the_computed_numbers(observed):
    blocks = published_blocks(with_forecast(observed, _backtest()))
    text = to_markdown("t", blocks)
    assert (
        "11 runs at or above 10²⁵ FLOP published in 2024 (7 of them outside estimates, 3 from "
        "benchmark scores) against Epoch AI's about 24, and 19 by 2025-06-06 against over 30"
    ) in text
    assert "forecast 2 (0–6) runs at or above 10²⁵ FLOP" not in text  # 2023 is not compared
    assert "8 (3–14) runs at or above 10²⁵ FLOP in 2024 (the data hold 11)" in text
    assert "and 11 (4–21) in 2025 (the data hold 6)" in text
    assert "Epoch AI's count of 2024, about 24, lies above the 80% interval of both years" in text
    assert "By 2025-06-06 the notable list accounts for 16: the whole difference (over 11)" in text
    assert "in 2024, for 6 of the about 13, the other about 7 being models outside it" in text
    table = next(b for b in blocks if isinstance(b, Table))
    row = next(r for r in table.rows if r[1] == "in 2024")
    assert row[2:8] == ("about 24", "11 (11)", "about 13", "6 (3 + 2 + 1)", "about 7", "8 (3–14) ✗")
    june = next(r for r in table.rows if r[1] == "by 2025-06-06")
    assert june[2:8] == ("over 30", "18 (19)", "over 11", "16 (6 + 4 + 6)", "none", "–")
    assert "epoch.ai/data-insights/models-over-1e25-flop" in text
    assert "epoch.ai/data/notable-ai-models" in text
    # Without if_counted (published_observed alone) the note leaves that sentence out.
    assert "Were the" not in text
    counted = with_forecast({**observed, "if_counted": _if_counted()}, _backtest())
    assert (
        "Were the 4 estimates kept only in the notes counted as runs, 2024 would hold 13, and "
        "the trend's frontier selection would go from 116 runs to 119 (a, b in; c out); with "
        "the versions too, to 124."
    ) in to_markdown("t", published_blocks(counted))
    # Without the backtest the table says so and the reading leaves the forecast out.
    bare = to_markdown("t", published_blocks(with_forecast(observed, None)))
    assert "not run" in bare and "Fitted on" not in bare


def _if_counted() -> dict:
    return {
        "notes": {
            "added": 4,
            "selected": 116,
            "selected_if_counted": 119,
            "enter": ["a", "b"],
            "leave": ["c"],
        },
        "notes_and_versions": {
            "added": 10,
            "selected": 116,
            "selected_if_counted": 124,
            "enter": [],
            "leave": [],
        },
    }


def test_a_comparison_saved_without_the_notable_split_still_renders(observed):
    # The first form of the key (no notable_extra): the table keeps its other columns.
    old = with_forecast(observed, _backtest())
    for key in ("extra_kinds", "notable_source", "years_notable_extra"):
        old.pop(key)
    for c in old["comparisons"]:
        for key in ("notable_extra", "notable_total", "outside_notable", "data_benchmark"):
            c.pop(key)
    blocks = published_blocks(old)
    table = next(b for b in blocks if isinstance(b, Table))
    assert len(table.header) == 7 and "notable list accounts" not in to_markdown("t", blocks)


def test_counts_section_places_the_comparison_only_when_given(observed):
    counts = {"1e25": {"2026": {"median": 26, "p10": 17, "p90": 37}}}
    published = with_forecast(observed, _backtest())
    text = to_markdown("t", counts_blocks(counts, None, None, published=published))
    assert "Published counts" in text and "about 24" in text
    assert "Published counts" not in to_markdown("t", counts_blocks(counts, None, None))


# -- on the results: summary.json and a report drawn again -----------------------------------


def _counts_dataset(observed: dict):
    """A small counts projection with the comparison in its attributes, as the workflow
    stores it."""
    t = np.repeat(np.arange(2016, 2026), 5) + np.tile(np.linspace(0.1, 0.9, 5), 10)
    runs = pd.DataFrame({"t": t, "compute_flop": 10 ** (22.0 + (t - 2016) * 0.35)})
    ds = project_counts(
        runs,
        LogLinear(np.full(50, 25.0), np.full(50, 0.5), 2026.0),
        2026.0,
        np.arange(2026, 2031),
        np.random.default_rng(3),
        data_end=2026.0,
    )
    ds.attrs["published"] = observed
    return ds


@pytest.fixture(scope="module")
def report(tmp_path_factory, observed) -> Path:
    inputs = make_inputs(20, np.linspace(5.0, 7.0, 20), horizon=2045.0)
    projection = project(inputs)
    runs = fake_runs()
    results = fake_results(projection, runs)
    results.threshold_counts = _counts_dataset(observed)
    out = tmp_path_factory.mktemp("reports") / "baseline"
    write_report(results, out, svg=False)
    return out


def test_summary_and_briefing_hold_the_comparison(report, observed):
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    got = summary["threshold_counts_published"]
    assert got == json.loads(json.dumps(with_forecast(observed, None)))
    briefing = (report / "briefing.md").read_text(encoding="utf-8")
    assert "Published counts" in briefing and "about 24" in briefing
    # Read back from the files: the same comparison.
    assert Results.load(report).threshold_counts_published == got


def test_results_saved_before_the_comparison_still_render(report, tmp_path):
    import shutil

    import netCDF4

    old = tmp_path / "old"
    shutil.copytree(report, old)
    # The counts group as an older run wrote it: no "published" attribute.
    with netCDF4.Dataset(old / "projection.nc", "a") as nc:
        nc.groups["threshold_counts"].delncattr("json:published")
    results = Results.load(old)
    assert results.threshold_counts is not None
    assert results.threshold_counts_published is None
    summary = json.loads((old / "summary.json").read_text(encoding="utf-8"))
    summary.pop("threshold_counts_published")
    (old / "summary.json").write_text(dumps(summary), encoding="utf-8")
    render_report(old)
    briefing = (old / "briefing.md").read_text(encoding="utf-8")
    assert "How many runs cross each threshold" in briefing
    assert "Published counts" not in briefing
