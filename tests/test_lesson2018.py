"""The 2018 lesson: the 2018 line refitted by least squares, the record at each year end,
the Results round trip and the briefing's section."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.analysis.lesson2018 import (
    REPORTED_DOUBLING_MONTHS,
    _last_full_year,
    lesson,
    ols_line,
    records_at_year_ends,
)
from forecast.data.units import FLOP_PER_PFS_DAY, LOG10_2
from forecast.project.engine import project
from forecast.scenario import load_scenario
from helpers import fake_results, make_inputs

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "a source"
URL = "https://example.org"
RUNS_HEADER = (
    "name,organization,date,domain,compute_flop,method,uncertainty,hardware,chip_count,"
    "training_days,source_title,source_url,stage"
)


# -------------------------------------------------------------------------- the line


def test_ols_line_of_exact_points():
    t = np.array([2012.0, 2013.5, 2015.0, 2017.25])
    line = ols_line(t, 17.0 + 0.5 * (t - 2012.0))
    assert line.slope == pytest.approx(0.5, abs=1e-12)
    assert line.at(2020.0) == pytest.approx(21.0, abs=1e-12)
    assert line.doubling_months == pytest.approx(12 * LOG10_2 / 0.5)


def test_ols_line_of_scattered_points_in_closed_form():
    # (0, 0), (1, 1), (2, 1): slope = sum((t - 1)(y - 2/3)) / sum((t - 1)^2) = 1/2,
    # through the means (1, 2/3).
    line = ols_line(np.array([2010.0, 2011.0, 2012.0]), np.array([20.0, 21.0, 21.0]))
    assert line.slope == pytest.approx(0.5)
    assert line.at(2011.0) == pytest.approx(20.0 + 2 / 3)
    slope, intercept = np.polyfit([2010.0, 2011.0, 2012.0], [20.0, 21.0, 21.0], 1)
    assert line.at(2030.0) == pytest.approx(intercept + slope * 2030.0)
    with pytest.raises(ValueError, match="two or more dates"):
        ols_line(np.array([2012.0, 2012.0]), np.array([1.0, 2.0]))


# -------------------------------------------------------------------------- the record


def test_record_at_each_year_end_on_a_hand_table():
    runs = pd.DataFrame(
        {
            "name": ["A", "B", "small", "C", "D"],
            "date": ["2017-03-01", "2018-12-31", "2018-06-01", "2019-01-01", "2019-06-01"],
            "compute_flop": [1e21, 5e21, 1e19, 1e22, 2e23],
        }
    )
    rec = records_at_year_ends(runs, [2016, 2017, 2018, 2019])
    assert math.isnan(rec.loc[2016, "log10_flop"]) and rec.loc[2016, "name"] == ""
    assert rec["name"].tolist()[1:] == ["A", "B", "D"]  # 31 December counts, 1 January not
    assert rec["log10_flop"].tolist()[1:] == pytest.approx([21.0, np.log10(5e21), np.log10(2e23)])
    assert rec.loc[2018, "date"] == "2018-12-31"


@pytest.mark.parametrize(
    ("latest", "until", "year"),
    [
        ("2020-07-01", None, 2019),
        ("2020-12-31", None, 2020),
        ("2020-07-01", dt.date(2019, 6, 30), 2018),
        ("2020-07-01", dt.date(2021, 1, 1), 2019),
    ],
)
def test_last_full_year(latest, until, year):
    runs = pd.DataFrame({"date": ["2015-01-01", latest]})
    assert _last_full_year(runs, until) == year


# -------------------------------------------------------------------------- a hand scenario


def _hand_scenario(tmp_path: Path, chart: bool = True):
    """Chart points on log10 FLOP = 17 + 0.5 (t - 2012); runs to mid-2020 with a fine-tune
    larger than the counted record at the end of 2018."""
    points = [("p1", "2012-01-01", 17.0, "true"), ("p2", "2014-01-01", 18.0, "true")]
    points += [("p3", "2016-01-01", 19.0, "true"), ("aside", "2015-01-01", 25.0, "false")]
    lines = ["name,date,pfs_days,in_trend,source_title,source_url"]
    lines += [f"{n},{d},{10**y / FLOP_PER_PFS_DAY!r},{k},{SOURCE},{URL}" for n, d, y, k in points]
    (tmp_path / "chart.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = [
        ("A", "2016-06-01", "1e20", "pretrain"),
        ("B", "2017-12-31", "2e21", "pretrain"),
        ("F", "2018-05-01", "5e21", "fine-tune"),
        ("C", "2019-03-01", "1e22", "pretrain"),
        ("D", "2020-02-01", "3e20", "pretrain"),
        ("E", "2020-07-01", "1e21", "pretrain"),
    ]
    lines = [RUNS_HEADER] + [
        f"{n},lab,{d},language,{c},operations,2,,,,{SOURCE},{URL},{s}" for n, d, c, s in runs
    ]
    (tmp_path / "runs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace('"../data/', f'"{(ROOT / "data").as_posix()}/')
    text = text.replace(
        f'runs = "{(ROOT / "data").as_posix()}/training_runs.csv"',
        f'runs = "runs.csv"\nopenai_2018 = "{"chart.csv" if chart else "absent.csv"}"',
    )
    path = tmp_path / "hand.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_lesson_of_a_hand_scenario(tmp_path):
    ds = lesson(_hand_scenario(tmp_path))
    # From the last year of the chart's trend points (2016) to the last full year (2019).
    assert ds["year"].to_numpy().tolist() == [2016, 2017, 2018, 2019]
    assert ds.attrs["first_year_after"] == 2017
    assert ds.attrs["points"] == 3  # the point off the trend is left out
    assert ds.attrs["slope_log10_per_year"] == pytest.approx(0.5)
    assert ds.attrs["doubling_time_months"] == pytest.approx(12 * LOG10_2 / 0.5)
    assert ds.attrs["reported_doubling_time_months"] == REPORTED_DOUBLING_MONTHS
    # The line at 31 December (decimal year + 1).
    assert ds["line_log10_flop"].to_numpy() == pytest.approx([19.5, 20.0, 20.5, 21.0])
    # The counted record leaves the fine-tune out; the record over every run keeps it.
    assert ds["record_name"].to_numpy().tolist() == ["A", "B", "B", "C"]
    assert ds["record_all_name"].to_numpy().tolist() == ["A", "B", "F", "C"]
    record = np.log10([1e20, 2e21, 2e21, 1e22])
    assert ds["record_log10_flop"].to_numpy() == pytest.approx(record)
    assert ds["log10_ratio"].to_numpy() == pytest.approx([19.5, 20.0, 20.5, 21.0] - record)
    assert ds.attrs["record_growth_per_year"] == pytest.approx(10 ** ((22 - 20) / 3))


def test_no_lesson_without_the_chart_or_for_the_2018_reproduction(tmp_path):
    assert lesson(_hand_scenario(tmp_path, chart=False)) is None
    assert lesson(load_scenario(ROOT / "scenarios" / "openai-2018.toml")) is None


def test_the_shipped_data_reproduce_the_reported_doubling_time():
    ds = lesson(load_scenario(ROOT / "scenarios" / "baseline.toml"))
    assert ds.attrs["points"] == 15
    # OLS on the chart's values and dates gives the 2018 analysis's 3.43 months to 0.01.
    assert ds.attrs["doubling_time_months"] == pytest.approx(REPORTED_DOUBLING_MONTHS, abs=0.01)
    assert int(ds["year"][0]) == 2017 and ds.attrs["first_year_after"] == 2018


# -------------------------------------------------------------------------- results, briefing


@pytest.fixture(scope="module")
def results():
    from test_render import _runs

    inputs = make_inputs(40, np.linspace(5.0, 7.0, 40), horizon=2045.0)
    res = fake_results(project(inputs), _runs())
    res.lesson_2018 = lesson(res.scenario)
    return res


def test_results_round_trip_keeps_the_lesson(results, tmp_path):
    from forecast.results import Results

    results.save_projection(tmp_path / "projection.nc")
    results.save_posterior(tmp_path / "posterior.nc")
    back = Results.load(tmp_path)
    assert back.lesson_2018 is not None
    assert back.lesson_2018.identical(results.lesson_2018)


def test_briefing_has_the_section_with_its_table_and_figure(results, tmp_path):
    from forecast.report import style as F
    from forecast.report.write import write_report

    out = tmp_path / "report"
    write_report(results, out, svg=False)
    md = (out / "briefing.md").read_text(encoding="utf-8")
    heading = "### The 2018 lesson: what a straight line said, and what happened"
    assert md.count(heading) == 1
    # After the trend, before the costs.
    assert md.index("## The trend:") < md.index(heading) < md.index("## Cost and power")
    assert "| year end | the 2018 line | the record | line / record |" in md
    ds = results.lesson_2018
    last = ds.isel(year=-1)
    row = (
        f"| {int(last['year'])} | {F.flop(10 ** float(last['line_log10_flop']))} | "
        f"{F.flop(10 ** float(last['record_log10_flop']))} ({last['record_name'].item()}) | "
        f"{F.factor(10 ** float(last['log10_ratio']))} |"
    )
    assert row in md
    assert f"{ds.attrs['doubling_time_months']:.2f} months" in md
    assert f"reported a doubling every {REPORTED_DOUBLING_MONTHS:.2f} months" in md
    gap = float(last["log10_ratio"])
    assert f"by the end of {int(last['year'])} it was {gap:.1f} orders of magnitude" in md
    assert "figures/lesson_2018.png" in md
    assert (out / "figures" / "lesson_2018.png").stat().st_size > 10_000
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "The 2018 lesson: what a straight line said, and what happened</h3>" in html


def test_without_the_lesson_the_briefing_has_no_section(results, tmp_path):
    from forecast.report.write import write_report

    out = tmp_path / "report"
    write_report(dataclasses.replace(results, lesson_2018=None), out, svg=False)
    assert "2018 lesson" not in (out / "briefing.md").read_text(encoding="utf-8")
    assert not (out / "figures" / "lesson_2018.png").exists()
