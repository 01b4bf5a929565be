"""The running record: its distance above the trend, by closed form, and its floor."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.project.engine import project
from forecast.project.record import record_model, record_offsets, runs_per_year
from helpers import make_inputs


def test_flat_trend_record_is_the_maximum_of_a_poisson_number_of_draws():
    """With no slope every run counts equally: the record is the largest of a Poisson(L)
    number of N(0, 1) draws, L = rate x years, so P(max <= x) = exp(-L (1 - Phi(x))) and
    the median is Phi^-1(1 - ln 2 / L)."""
    rng = np.random.default_rng(1)
    s, rate, years = 40_000, 10.0, 8
    off = record_offsets(np.zeros(s), np.ones(s), np.full(s, 1e6), rate, rng, years=years)
    lam = rate * years
    median = stats.norm.ppf(1 - math.log(2) / lam)
    assert np.median(off) == pytest.approx(median, abs=0.02)
    x = 2.0
    assert np.mean(off <= x) == pytest.approx(math.exp(-lam * stats.norm.sf(x)), abs=0.01)


def test_without_scatter_the_record_is_the_latest_run_behind_the_trend():
    """No scatter: the record is the run published last, behind the year-end trend by the
    slope times the time since; with runs arriving at rate r that gap is Exponential(r)
    (capped at the year), so its mean is about slope / r."""
    rng = np.random.default_rng(2)
    s, slope, rate = 40_000, 0.5, 10.0
    off = record_offsets(np.full(s, slope), np.zeros(s), np.full(s, 5.0), rate, rng)
    assert np.all(off <= 0)
    assert np.mean(off) == pytest.approx(-slope / rate, rel=0.03)


def test_record_model_reads_the_rate_and_the_floor_from_the_runs():
    runs = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "t": [2015.5, 2021.0, 2023.0, 2025.9],
            "compute_flop": [1e22, 3e26, 1e25, 2e26],
        }
    )
    assert runs_per_year(runs) == pytest.approx(3 / 5)  # b, c, d within 5 years of 2025.9
    m = record_model(
        runs, np.full(4, 0.5), np.full(4, 0.3), np.full(4, 5.0), np.random.default_rng(0)
    )
    assert m.floor_log10 == pytest.approx(math.log10(3e26)) and m.floor_name == "b"
    assert m.offset_log10.shape == (4,)


def test_the_record_never_falls_below_the_largest_run_in_the_data():
    inp = make_inputs(5)
    floor = float(np.max(inp.compute.ln(np.full((5, 1), inp.start_year + 3.0)))) / math.log(10)
    ds = project(dataclasses.replace(inp, record_floor_log10=floor))
    assert bool((ds["log10_flop"] >= floor - 1e-12).all())
    early = ds["year"] <= inp.start_year + 1
    np.testing.assert_allclose(ds["log10_flop"].where(early, drop=True), floor)


def test_threshold_years_follow_the_closed_form():
    """5e26 FLOP at 2025.5 doubling every 6 months reaches 1e28 when 2^(2 (t - 2025.5)) = 20:
    t = 2025.5 + log2(20) / 2; 1e25 lies before the start (2026): the start; 1e50 (in 2064) is past
    the horizon (2060): never."""
    from forecast.project.engine import threshold_years

    inp = make_inputs(3)
    got = threshold_years(inp, [25, 28, 50])
    np.testing.assert_allclose(got[1], 2025.5 + math.log2(20) / 2, atol=1e-9)
    np.testing.assert_array_equal(got[0], inp.start_year)
    assert np.all(np.isinf(got[2]))


def test_an_observed_threshold_gives_the_date_of_the_first_run_past_it():
    from forecast.report.summary import thresholds
    from helpers import fake_results

    inp = make_inputs(4)
    runs = pd.DataFrame(
        {
            "name": ["small", "first", "later"],
            "organization": ["x", "y", "z"],
            "date": ["2020-01-01", "2023-03-15", "2024-06-01"],
            "t": [2020.0, 2023.2, 2024.4],
            "compute_flop": [1e23, 2e25, 5e25],
        }
    )
    ds = project(inp)
    ds.attrs["start_year"] = inp.start_year
    out = thresholds(fake_results(ds, runs))
    assert out["1e25"] == {
        "observed": True,
        "date": "2023-03-15",
        "run": "first",
        "median": 2023.2,
        "p10": 2023.2,
        "p90": 2023.2,
    }
    assert out["1e28"]["observed"] is False
    assert out["1e28"]["median"] == pytest.approx(2025.5 + math.log2(20) / 2, abs=0.01)
