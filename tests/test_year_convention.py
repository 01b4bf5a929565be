"""A year label means one stated instant everywhere: the end of the year.

A known trend pins it: a level L at t0 growing g a year must give L * g^(Y + 1 - t0) under
the key "Y" of summary.json, in the projection's coordinates and in the figures. And the
thresholds say what the trend had crossed by the start, without clamping the dates.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from forecast.project.engine import project
from forecast.project.hits import held_threshold_years
from forecast.project.limits import ConstraintDraws
from forecast.project.trajectory import YEAR_IS, year_instant
from forecast.results.summary import build_summary, thresholds
from helpers import fake_results, make_inputs

RUNS = pd.DataFrame(
    {
        "name": ["small", "first"],
        "organization": ["x", "y"],
        "date": ["2020-01-01", "2023-03-15"],
        "t": [2020.0, 2023.2],
        "compute_flop": [1e23, 2e25],
    }
)


def _summary(inp):
    ds = project(inp)
    return ds, build_summary(fake_results(ds, RUNS))


def test_a_year_key_is_the_end_of_that_year():
    """5e26 FLOP at 2025.5 growing 4x a year (doubling every 6 months): under "2030" the
    summary gives 5e26 * 4^(2030 + 1 - 2025.5) = 5e26 * 4^5.5, not 4^4.5 (1 January)."""
    ds, summary = _summary(make_inputs(3, start_year=2026.5, horizon=2040.0))
    level, t0, growth = 5e26, 2025.5, 4.0
    assert summary["year_is"] == YEAR_IS == "end of year"
    assert ds.attrs["year_is"] == "end of year"
    for year in (2026, 2030, 2040):
        expected = level * growth ** (year + 1 - t0)
        assert summary["largest_run"][str(year)]["flop"]["median"] == pytest.approx(
            expected, rel=1e-5
        )
        assert float(ds["time"].sel(year=year)) == year + 1.0
    # The first key is the year the projection starts in; the last is the horizon.
    assert min(summary["largest_run"], key=int) == "2026"
    assert max(summary["largest_run"], key=int) == "2040"


def test_hit_years_run_to_the_end_of_the_horizon_year():
    """A ceiling met during the horizon year counts as met by the horizon: a compute ceiling
    of 5e26 * 4^(2040.6 - 2025.5) is met at 2040.6, inside 2040 (the horizon)."""
    ones = np.ones(2)
    limit = 5e26 * 4 ** (2040.6 - 2025.5)
    wall = ConstraintDraws("wall", "compute", None, ones * limit, 2030.0, ones * 0.0, ones)
    inp = make_inputs(2, constraints=(wall,), horizon=2040.0)
    assert inp.end == 2041.0 == float(year_instant(2040))
    ds = project(inp)
    np.testing.assert_allclose(ds["hit_year"].sel(constraint="wall"), 2040.6, atol=1e-9)
    # One year later than that is never within this horizon.
    late = dataclasses.replace(wall, limit=ones * limit * 4.0)
    ds = project(dataclasses.replace(inp, constraints=(late,)))
    assert np.all(np.isinf(ds["hit_year"].to_numpy()))


def test_a_threshold_the_trend_passed_before_the_start_is_crossed_not_dated():
    """Compute 5e26 at 2025.5 doubling every 6 months passes 1e27 at 2026.0; with the
    projection starting at 2026.5, every draw has crossed it by the start: the summary
    says so (p_crossed_by_start = 1) and gives no date, where it used to read "2026.5,
    80% interval 2026.5-2026.5"."""
    inp = make_inputs(4, start_year=2026.5, horizon=2040.0)
    ds = project(inp)
    out = thresholds(fake_results(ds, RUNS))
    th = out["1e27"]
    assert th["observed"] is False
    assert th["p_crossed_by_start"] == 1.0
    assert th["median"] is None and th["p10"] is None and th["p90"] is None
    # 1e28 comes after the start: 2025.5 + log2(20) / 2, in every draw.
    assert out["1e28"]["p_crossed_by_start"] == 0.0
    # summary.json keeps 6 significant digits: a decimal year to 0.01.
    assert out["1e28"]["median"] == pytest.approx(2025.5 + math.log2(20) / 2, abs=0.01)
    assert out["1e28"]["prob_not_by_horizon"] == 0.0


def test_crossed_by_start_is_a_share_of_draws():
    """Two draws cross 1e27 before the start, two after: p_crossed_by_start = 0.5 and the
    dates are those of the two that have not crossed, unclamped."""
    months = np.array([5.0, 5.5, 9.0, 10.0])
    inp = make_inputs(4, tc_months=months, start_year=2026.1, horizon=2040.0)
    ds = project(inp)
    t = 2025.5 + math.log2(2) * months / 12  # 1e27 = 2 x 5e26: one doubling
    crossed = t <= 2026.1
    assert crossed.tolist() == [True, True, False, False]
    out = thresholds(fake_results(ds, RUNS))["1e27"]
    assert out["p_crossed_by_start"] == 0.5
    assert out["median"] == pytest.approx(np.median(t[~crossed]), abs=0.01)


def test_the_held_path_reaches_a_threshold_later_or_never():
    """A compute ceiling at 1e28 (a wall, not growing): the trend passes 1e29, the run held
    to the ceiling never does; 1e28 itself it reaches when the trend does."""
    ones = np.ones(3)
    wall = ConstraintDraws("wall", "compute", None, ones * 1e28, 2030.0, ones * 0.0, ones)
    inp = make_inputs(3, constraints=(wall,), horizon=2040.0)
    held = held_threshold_years(inp, [28, 29])
    np.testing.assert_allclose(held[0], 2025.5 + math.log2(20) / 2, atol=1e-6)
    assert np.all(np.isinf(held[1]))
    ds = project(inp)
    out = thresholds(fake_results(ds, RUNS))
    assert out["1e29"]["prob_not_by_horizon"] == 0.0
    assert out["1e29"]["held"]["prob_not_by_horizon"] == 1.0
    assert out["1e29"]["held"]["median"] is None
    assert out["1e28"]["held"]["median"] == pytest.approx(out["1e28"]["median"], abs=1e-6)


def test_figures_draw_a_year_at_its_end():
    from forecast.report.plot_base import years_of

    ds = project(make_inputs(2, start_year=2026.5, horizon=2030.0))
    np.testing.assert_array_equal(years_of(ds), [2027.0, 2028.0, 2029.0, 2030.0, 2031.0])
    # A projection saved before the convention had only its labels, read at 1 January.
    np.testing.assert_array_equal(years_of(ds.drop_vars("time")), ds["year"].to_numpy())
