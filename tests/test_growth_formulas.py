"""Growth accounting's formulas (forecast/analysis/growth.py), each by hand.

Found by mutation testing (README, Quick start): which runs an account uses and in
which units, the least-squares slopes and their bootstrap, the start-year doubling times
against scipy's regression, the runs the realised conversion is fitted on, and the
Dataset's names.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.analysis.growth import (
    _stats,
    account_logs,
    account_slopes,
    accounting,
    combine,
    frontier_runs_with_figures,
    historical,
    historical_from_table,
    ols_slopes,
    projected,
    projected_draws,
    start_year_doubling,
)
from forecast.project.engine import project
from helpers import hand_runs, make_inputs


def test_an_account_uses_runs_with_finite_positive_figures_in_days_and_seconds():
    """Zero, infinite or missing compute or power drops a run; a half-hour run and a
    0.5-FLOP one count (positive is all that is asked). Durations are in days, the
    efficiency per second."""
    table = pd.DataFrame(
        {
            "t": [2020.0, 2021.0, 2022.0, 2023.0, 2024.0, 2025.0],
            "compute_flop": [1e24, 0.0, 1e25, 1e26, math.inf, 0.5],
            "training_hours": [0.5, 24.0, 48.0, 72.0, 24.0, 24.0],
            "power_watts": [1e6, 1e6, math.inf, 0.0, 1e6, 2e6],
        }
    )
    t, logs = account_logs(table, "power")
    assert t.tolist() == [2020.0, 2025.0]
    assert list(logs) == ["compute", "duration", "flops_per_watt", "power"]
    np.testing.assert_allclose(logs["compute"], np.log10([1e24, 0.5]), rtol=1e-12)
    np.testing.assert_allclose(logs["duration"], np.log10([0.5 / 24, 1.0]), rtol=1e-12)
    np.testing.assert_allclose(
        logs["flops_per_watt"], np.log10([1e24 / (1800 * 1e6), 0.5 / (86400 * 2e6)]), rtol=1e-12
    )
    np.testing.assert_allclose(logs["power"], np.log10([1e6, 2e6]), rtol=1e-12)


def test_least_squares_slopes_need_spread_in_time_not_much_of_it():
    assert np.isnan(ols_slopes(np.full(3, 2020.0), np.array([1.0, 2.0, 3.0])))
    assert ols_slopes(np.array([0.0, 0.5]), np.array([0.0, 1.0])) == pytest.approx(2.0)


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_resamples_draw_every_run_and_none_from_no_runs():
    """Two runs a year apart on a slope of 1: a resample has a slope (1) when it holds
    both, about half of the time, and none (NaN) when it repeats one."""
    est, boot = account_slopes(
        np.array([0.0, 1.0]), {"compute": np.array([0.0, 1.0])}, np.random.default_rng(0), 2000
    )
    assert est["compute"] == pytest.approx(1.0)
    finite = np.isfinite(boot["compute"])
    assert 0.4 < finite.mean() < 0.6
    np.testing.assert_allclose(boot["compute"][finite], 1.0)
    est, boot = account_slopes(
        np.zeros(0), {"compute": np.zeros(0)}, np.random.default_rng(0), n_boot=5
    )
    assert math.isnan(est["compute"])
    assert boot["compute"].shape == (5,) and np.isnan(boot["compute"]).all()


def test_factors_of_no_finite_draws_are_missing():
    got = _stats(0.5, np.array([np.nan, np.nan]))
    assert len(got) == 4 and got[0] == pytest.approx(10**0.5)
    assert all(isinstance(x, float) and math.isnan(x) for x in got[1:])


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_the_historical_interval_comes_from_the_asked_resamples():
    """One resample: its p10, median and p90 are one number. Three runs (the minimum) give
    a slope; an account whose runs publish nothing has no years."""
    runs = hand_runs(noise=0.3, seed=4)
    ds = historical_from_table(runs, np.random.default_rng(1), n_boot=1)
    stats_ = ds["yearly_factor"].sel(account="capex", factor="capex")
    assert float(stats_.sel(stat="p10")) == float(stats_.sel(stat="p90"))
    three = hand_runs(years=[2016.0, 2017.0, 2018.0]).assign(power_watts=np.nan)
    ds = historical_from_table(three, np.random.default_rng(1), n_boot=10)
    assert float(ds["yearly_factor"].sel(account="capex", factor="capex", stat="estimate")) == (
        pytest.approx(3.0)
    )
    assert int(ds["runs"].sel(account="power")) == 0
    assert np.isnan(float(ds["first_year"].sel(account="power")))
    assert np.isnan(float(ds["last_year"].sel(account="power")))
    assert ds["last_year"].dims == ("account",)


def test_projected_rates_need_a_whole_year():
    """A projection over exactly one year has rates; one over half a year (step 0.5) has
    none, and says so with 0 projected years."""
    inputs = make_inputs(3, horizon=2027.0)
    assert projected_draws(inputs, project(inputs)) is not None
    inputs = make_inputs(3, horizon=2026.5)
    ds = projected(inputs, project(inputs, step=0.5))
    assert ds.attrs["projected_years"] == 0.0


def test_both_periods_keep_their_names():
    inputs = make_inputs(3, horizon=2035.0)
    past = historical_from_table(hand_runs(), np.random.default_rng(0), n_boot=10)
    ds = combine(past, projected(inputs, project(inputs)), "datasheet")
    assert set(ds.data_vars) == {"yearly_factor", "exponent", "runs", "first_year", "last_year"}
    assert ds.attrs == {
        "conversion": "datasheet",
        "bootstrap": 10,
        "projected_from": 2026.0,
        "projected_years": 5.0,
        "draws": 3,
    }


# -- start-year doubling times -------------------------------------------------------------------

Z80 = stats.norm.ppf(0.9)


def _by_regression(t, y, start):
    """Doubling times (months) at the 10th, 50th and 90th percentiles of the slope from
    scipy's least-squares line (slope +- z80 x its standard error) on t >= start."""
    fit = stats.linregress(t[t >= start], y[t >= start])
    slopes = np.array([fit.slope + Z80 * fit.stderr, fit.slope, fit.slope - Z80 * fit.stderr])
    return 12 * math.log10(2) / slopes


def test_start_year_doubling_times_match_scipys_regression():
    """Every start year from 2012 to three years before the last run; a run exactly at a
    start year is in its window."""
    rng = np.random.default_rng(2)
    t = np.arange(2010.0, 2025.0, 0.5)
    y = 20 + 0.5 * (t - 2010) + rng.normal(0.0, 0.1, t.size)
    starts, months = start_year_doubling(t, y)
    assert starts.tolist() == list(range(2012, 2022)) and starts.dtype == np.float64
    expected = np.array([_by_regression(t, y, s) for s in starts])
    np.testing.assert_allclose(months, expected, rtol=1e-9)


def test_start_year_doubling_times_of_few_runs():
    """Runs from 2020 on: windows start in 2020 (three runs: one degree of freedom) and
    2021; no runs, no windows."""
    t, y = np.array([2020.0, 2021.0, 2024.0]), np.array([21.0, 21.4, 22.1])
    starts, months = start_year_doubling(t, y)
    assert starts.tolist() == [2020.0, 2021.0]
    np.testing.assert_allclose(months[0], _by_regression(t, y, 2020.0), rtol=1e-9)
    slope = (22.1 - 21.4) / 3  # two runs: the line through them, no error
    np.testing.assert_allclose(months[1], 12 * math.log10(2) / slope, rtol=1e-9)
    starts, months = start_year_doubling(np.zeros(0), np.zeros(0))
    assert starts.shape == (0,) and months.shape == (0, 3)


# -- the runs the realised conversion is fitted on -----------------------------------------------


def _scenario(tmp_path, stage: bool = True):
    """Selected points naming runs of copies of the shipped runs and figures, where
    Xception trained 721 hours (720 in the shipped file) and a run "Tiny" was added:
    Xception (2016.77), JFT (a fine-tune here), MoE-Multi, PolyNet before 2016, a run
    with no figures, AlphaGo Lee at exactly 2016.0 and Tiny (2019)."""
    data_dir = Path(__file__).resolve().parents[1] / "data"
    runs_file, figures_file = tmp_path / "training_runs.csv", tmp_path / "run_hardware.csv"
    runs_file.write_text(
        (data_dir / "training_runs.csv").read_text()
        + "Tiny,lab,2019-01-01,language,1e20,operations,2,,,,a source,https://example.org,"
        + "pretrain\n"
    )
    figures = (data_dir / "run_hardware.csv").read_text()
    assert "\nXception,Tesla K80,60,720," in figures
    figures_file.write_text(
        figures.replace("\nXception,Tesla K80,60,720,", "\nXception,Tesla K80,60,721,")
        + "Tiny,,,10,,,,,1e3,likely,a source,https://example.org\n"
    )
    points = pd.DataFrame(
        {
            "name": [
                "Xception",
                "JFT",
                "MoE-Multi",
                "PolyNet",
                "no figures",
                "AlphaGo Lee",
                "Tiny",
            ],
            "t": [2016.77, 2017.52, 2017.06, 2015.9, 2018.0, 2016.0, 2019.0],
            "compute_flop": [4e20, 8e20, 9e20, 1e20, 1e21, 2e21, 1e20],
            "line": [1, 2, 3, 4, 5, 6, 7],
            "stage": ["pretrain", "fine-tune", *["pretrain"] * 5],
        }
    )
    if not stage:
        points = points.drop(columns="stage")
    data = SimpleNamespace(
        selected_points=lambda: points, run_hardware=figures_file, runs=runs_file
    )
    return SimpleNamespace(data=data, hardware=SimpleNamespace(conversion="realised"))


def test_the_conversion_is_fitted_on_finished_runs_since_2016_with_figures(tmp_path):
    got = frontier_runs_with_figures(_scenario(tmp_path))
    assert got["name"].tolist() == ["Xception", "MoE-Multi", "AlphaGo Lee", "Tiny"]
    assert got.index.tolist() == [0, 1, 2, 3] and "index" not in got
    assert got["line"].tolist() == [1, 3, 6, 7] and "line_hw" in got  # the figures' own line
    assert got["training_hours"].tolist() == [721.0, 288.0, 696.0, 10.0]
    got = frontier_runs_with_figures(_scenario(tmp_path, stage=False))
    assert got["name"].tolist() == ["Xception", "JFT", "MoE-Multi", "AlphaGo Lee", "Tiny"]


def test_the_accounting_is_the_historical_next_to_the_projected(tmp_path):
    scenario = _scenario(tmp_path)
    past = historical(scenario, np.random.default_rng(3), n_boot=20)
    table = frontier_runs_with_figures(scenario)
    assert past.identical(historical_from_table(table, np.random.default_rng(3), n_boot=20))
    inputs = make_inputs(3, horizon=2035.0)
    proj = project(inputs)
    got = accounting(scenario, inputs, proj, np.random.default_rng(3), n_boot=20)
    assert got.identical(combine(past, projected(inputs, proj), "realised"))
