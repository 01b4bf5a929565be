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
    t = 2025.5 + log2(20) / 2; 1e25 it reached before the start (2026), at
    2025.5 - log2(50) / 2, and that year is kept, not clamped to the start; 1e50 (in 2064)
    is past the end of the horizon year (2061): never."""
    from forecast.project.hits import threshold_years

    inp = make_inputs(3)
    got = threshold_years(inp, [25, 28, 50])
    np.testing.assert_allclose(got[1], 2025.5 + math.log2(20) / 2, atol=1e-9)
    np.testing.assert_allclose(got[0], 2025.5 - math.log2(50) / 2, atol=1e-9)
    assert np.all(got[0] < inp.start_year)
    assert np.all(np.isinf(got[2]))


def test_an_observed_threshold_gives_the_date_of_the_first_run_past_it():
    from forecast.results.summary import thresholds
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
        "p_crossed_by_start": 1.0,
        "median": 2023.2,
        "p10": 2023.2,
        "p90": 2023.2,
        "prob_not_by_horizon": 0.0,
    }
    assert out["1e28"]["observed"] is False
    assert out["1e28"]["median"] == pytest.approx(2025.5 + math.log2(20) / 2, abs=0.01)


# -- a new era: the trend bends -----------------------------------------------------------


def _bent(change: float, after_months: float):
    inp = make_inputs(3)
    bend = {
        "change_year": np.full(3, change),
        "slope_after": np.full(3, math.log10(2) * 12 / after_months),
    }
    return dataclasses.replace(inp, compute=dataclasses.replace(inp.compute, **bend))


def test_a_bent_trend_by_hand():
    """5e26 FLOP at 2025.5 doubling every 6 months until 2030, then every 24 months: at
    2034 it is 5e26 x 2^9 x 2^2."""
    from forecast.project.hits import threshold_years

    inp = _bent(2030.0, 24.0)
    t = np.array([[2028.0, 2034.0]] * 3)
    got = inp.compute.ln(t) / math.log(10)
    np.testing.assert_allclose(got[:, 0], math.log10(5e26 * 2**5))
    np.testing.assert_allclose(got[:, 1], math.log10(5e26 * 2**9 * 2**2))
    # At the bend the trend is 5e26 x 2^9 = 2.6e29: 1e28 is reached before it, 1e31 after.
    at_bend = 5e26 * 2**9
    years = threshold_years(inp, [28, 31])
    np.testing.assert_allclose(years[0], 2025.5 + math.log2(1e28 / 5e26) / 2)  # before
    np.testing.assert_allclose(years[1], 2030.0 + 2 * math.log2(1e31 / at_bend))  # after
    assert not inp.compute.bends_before(2029.0) and inp.compute.bends_before(2031.0)


def test_a_bent_trend_meets_its_ceiling_where_the_hand_solution_says():
    """The capex ceiling of make_inputs, met after the bend: the solver (no closed form
    applies) agrees with the crossing of the two linear pieces computed by hand."""
    from forecast.project.hits import hit_years, is_log_linear
    from forecast.project.limits import ln_demand

    inp = _bent(2028.0, 10.0)
    c = inp.constraints[0]
    assert not is_log_linear(inp, c)
    got = hit_years(inp)[0]
    # After 2028 the log gap is linear: find its root from two points.
    g = [
        float((ln_demand(inp, c, np.full((3, 1), y)) - c.ln_limit(np.full((3, 1), y)))[0, 0])
        for y in (2028.0, 2029.0)
    ]
    expected = 2028.0 - g[0] / (g[1] - g[0])
    assert 2028.0 < expected < inp.horizon
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_a_new_eras_inputs_are_set_and_read_back():
    """The hazard moves the bend (start + unit wait / hazard); the new era's doubling time
    sets the slope after it; both round-trip; without a new era the keys are refused."""
    from forecast.project.inputs import get_input, set_input

    inp = _bent(2030.0, 24.0)
    inp = dataclasses.replace(inp, era_wait=np.full(3, 0.5))
    out = set_input(inp, "trend.era_hazard_per_year", 0.1)
    np.testing.assert_allclose(out.compute.change_year, inp.start_year + 5.0)
    np.testing.assert_allclose(get_input(out, "trend.era_hazard_per_year"), 0.1)
    out = set_input(inp, "trend.new_era_doubling_months", 12.0)
    np.testing.assert_allclose(out.compute.slope_after, math.log10(2))
    np.testing.assert_allclose(get_input(out, "trend.new_era_doubling_months"), 12.0)
    with pytest.raises(KeyError, match="no new era"):
        set_input(make_inputs(3), "trend.era_hazard_per_year", 0.1)


# -- the record and the thresholds count total compute, as rules do -------------------------


def _models():
    return pd.DataFrame(
        {
            "name": ["old", "base", "tuned", "preview", "late"],
            "date": ["2009-06-01", "2025-02-17", "2025-07-09", "2025-04-05", "2027-01-01"],
            "t": [2009.4, 2025.13, 2025.52, 2025.26, 2027.0],
            "compute_flop": [1e20, 3e26, 5e26, 6e26, 1e28],
            "stage": ["pretrain", "pretrain", "fine-tune", "unfinished", "pretrain"],
        }
    )


def test_total_compute_runs_keep_finished_models_in_the_window():
    """Fine-tunes count (their compute is their base's plus their own), unfinished runs do
    not, and the window is the selection's."""
    import datetime as dt

    from forecast.data.selection import Selection, total_compute_runs

    sel = Selection(rule="top_n", since=dt.date(2010, 1, 1), until=dt.date(2026, 11, 26))
    got = total_compute_runs(_models(), sel)
    assert got["name"].tolist() == ["base", "tuned"]
    assert got["stage"].tolist() == ["pretrain", "fine-tune"]
    # Without a stage column every run is a pretraining run.
    got = total_compute_runs(_models().drop(columns="stage"), sel)
    assert got["name"].tolist() == ["base", "preview", "tuned"]


def test_first_past_each_threshold_is_the_earliest_model_at_or_above_it():
    from forecast.project.record import first_past

    models = _models().iloc[[1, 2, 4]]
    got = first_past(models, [26, 26.5, 27, 30])
    assert got["run"].tolist() == ["base", "tuned", "late", ""]
    assert got["stage"].tolist() == ["pretrain", "fine-tune", "pretrain", ""]
    np.testing.assert_allclose(got["t"][:3], [2025.13, 2025.52, 2027.0])
    assert np.isnan(got["t"][3])


def test_the_summary_reports_the_first_model_past_a_threshold_by_total_compute():
    from forecast.project.record import first_past
    from forecast.results.summary import thresholds
    from helpers import fake_results

    inp = make_inputs(4)
    ds = project(inp)
    ds.attrs["start_year"] = inp.start_year
    models = _models().iloc[[1, 2]].assign(compute_flop=[9e25, 5e26])
    first = first_past(models, ds["threshold"].to_numpy())
    for key, values in first.items():
        ds[f"threshold_first_{key}"] = ("threshold", values if key == "t" else values.astype(str))
    runs = _models().iloc[[1]].drop(columns="stage")  # the runs the trend used: no fine-tune
    out = thresholds(fake_results(ds, runs))
    # The fine-tune passed 1e26 first (its base, at 9e25, did not): rules count it.
    assert out["1e26"]["run"] == "tuned" and out["1e26"]["stage"] == "fine-tune"
    assert out["1e25"]["run"] == "base"
    assert out["1e27"]["observed"] is False
