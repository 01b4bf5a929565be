"""How many runs cross each threshold: the rate fit, the share above a threshold and the
counts in closed form on hand-made runs, the JSON shapes, the data's counts, the figure
and the briefing section (fast: no fit)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.analysis.counts import (
    MONTHS,
    THRESHOLDS_LOG10,
    check_counts,
    complete_years,
    count_interval,
    counts_json,
    fit_rate,
    observed_counts,
    project_counts,
    share_above,
    yearly_counts,
)
from forecast.project.trajectory import LogLinear
from forecast.report.counts import (
    EPOCH_COUNTS,
    counts_blocks,
    plot_threshold_counts,
    projection_table,
)
from forecast.report.document import Bullets, Heading, Para, Table, to_markdown

INTERVAL = {"median", "p10", "p90"}


def _runs(per_year: dict[int, list[float]]) -> pd.DataFrame:
    """Runs spread evenly over each calendar year, with the given log10 FLOP."""
    rows = []
    for year, logs in per_year.items():
        for i, c in enumerate(logs):
            rows.append(
                {"name": f"r{year}-{i}", "t": year + (i + 0.5) / len(logs), "compute_flop": 10.0**c}
            )
    return pd.DataFrame(rows)


def _flat(level: float, s: int) -> LogLinear:
    """A trend that does not move: log10 = level in every draw and year."""
    return LogLinear(np.full(s, level), np.zeros(s), 2020.0)


# -- pieces ----------------------------------------------------------------------------------


def test_count_interval_is_in_whole_runs():
    iv = count_interval(np.arange(10))  # 0..9, ten draws
    assert set(iv) == INTERVAL
    assert all(isinstance(v, int) for v in iv.values())
    # The smallest count whose share of draws at or below it reaches the probability.
    assert iv == {"median": 4, "p10": 0, "p90": 8}
    assert count_interval(np.full(7, 3)) == {"median": 3, "p10": 3, "p90": 3}


def test_complete_years_leave_out_the_partial_year():
    assert complete_years(2022.0, 5).tolist() == [2017, 2018, 2019, 2020, 2021]
    assert complete_years(2026.534, 3).tolist() == [2023, 2024, 2025]
    assert complete_years(2025.999, 1).tolist() == [2024]


def test_rate_fit_recovers_a_constant_and_a_doubling_rate():
    flat = fit_rate(np.arange(2017, 2022), np.full(5, 20), ref=2022.0)
    assert flat.growth_per_year == pytest.approx(1.0, abs=1e-12)
    assert flat.mean(2021) == pytest.approx(20.0, rel=1e-9)
    # Poisson information: var(a) at the mean = 1 / (total count) when b is centred.
    assert flat.dispersion == pytest.approx(0.0, abs=1e-12)
    counts = 10 * 2 ** np.arange(5)
    doubling = fit_rate(np.arange(2017, 2022), counts, ref=2022.0)
    # The slope's weak prior moves it by well under 1%.
    assert doubling.growth_per_year == pytest.approx(2.0, rel=0.01)
    assert doubling.mean(2021) == pytest.approx(160.0, rel=0.02)


def test_rate_fit_with_no_runs_projects_none():
    fit = fit_rate(np.arange(2017, 2022), np.zeros(5), ref=2022.0)
    assert fit.mean(2025) == 0.0


def test_rate_fit_stays_finite_when_all_runs_are_in_the_last_year():
    fit = fit_rate(np.arange(2017, 2022), np.array([0, 0, 0, 0, 9]), ref=2022.0)
    assert np.all(np.isfinite(fit.coef)) and np.all(np.isfinite(fit.cov))


def test_share_above_counts_the_months_past_the_crossing():
    """A trend rising 1.2 OOM a year crosses the threshold exactly mid-year: 6 of 12
    months of a run with no gap are above it; a run 10 OOM lower never is."""
    s = 3
    trend = LogLinear(np.full(s, 25.0), np.full(s, 1.2), 2030.5)  # 25.0 at mid-2030
    offsets = np.tile([0.0, -10.0], (s, 1))
    weights = np.tile([1.0, 0.0], (s, 1))
    # 24.99 falls between the months: the first six (before 2030.5) are below, the rest above.
    share = share_above(trend, offsets, weights, 2030, [24.99, 100.0, 0.0])
    assert share.shape == (3, s)
    assert np.allclose(share[0], 6 / MONTHS)
    assert np.allclose(share[1], 0.0)
    assert np.allclose(share[2], 1.0)
    # Half the weight on the low run: half the share.
    half = share_above(trend, offsets, np.full((s, 2), 0.5), 2030, [24.99])
    assert np.allclose(half[0], 3 / MONTHS)


# -- the projection --------------------------------------------------------------------------


def _expected_runs(runs: pd.DataFrame, years: np.ndarray, start: float = 2022.0) -> np.ndarray:
    """The closed-form mean of a year's number of runs: exp(a + b x + var(a + b x) / 2)."""
    fit = fit_rate(np.arange(2017, 2022), yearly_counts(runs["t"], np.arange(2017, 2022)), start)
    x = np.column_stack([np.ones(len(years)), years + 0.5 - start])
    var = np.einsum("ij,jk,ik->i", x, fit.cov, x)
    return np.exp(x @ fit.coef + var / 2)


def observed_before(runs: pd.DataFrame, log10_flop: float, year: int) -> int:
    """Runs at or above 10**log10_flop published before ``year``."""
    return int(np.sum((runs["t"] < year) & (runs["compute_flop"] >= 10.0**log10_flop)))


def _steady(n_per_year: int = 20, gaps=(1.0,)) -> pd.DataFrame:
    """Five complete years of ``n_per_year`` runs, each ``gap`` below a flat trend at 25."""
    reps = -(-n_per_year // len(gaps))
    logs = [25.0 - g for g in gaps] * reps
    return _runs({y: logs[:n_per_year] for y in range(2017, 2022)})


def test_expected_count_is_rate_times_share_with_a_flat_trend():
    """Flat trend at 25, all runs 1 OOM below it: every run is above 1e23 and 1e24, none
    above 1e25; the mean count above 1e24 is the rate (20 a year)."""
    s = 20_000
    runs = _steady()
    ds = project_counts(
        runs,
        _flat(25.0, s),
        2022.0,
        np.arange(2022, 2025),
        np.random.default_rng(1),
        data_end=2022.0,
        thresholds=(23, 24, 25),
    )
    assert ds.attrs["rate_years"].tolist() == [2017, 2018, 2019, 2020, 2021]
    assert ds.attrs["rate_growth_per_year"] == pytest.approx(1.0, abs=1e-9)
    count = ds["count"]
    assert count.dims == ("threshold", "year", "draw")
    assert count.dtype == np.int64
    # p = 1 far below: every run counts, in every draw.
    assert (count.sel(threshold=23) == ds["runs"]).all()
    assert (count.sel(threshold=24) == ds["runs"]).all()
    assert (count.sel(threshold=25) == 0).all()
    # E[N] = E[exp(a + b x)]: the fitted rate (20) times the lognormal's exp(var / 2),
    # var = [1, x] cov [1, x]' with x the year's middle less the start.
    mean = count.sel(threshold=24).mean("draw").to_numpy()
    assert mean == pytest.approx(_expected_runs(runs, np.arange(2022, 2025)), rel=0.015)


def test_expected_count_with_two_gaps_is_half_the_rate():
    """Half the runs 1 OOM below the trend, half 3 OOM below: above 1e23.5 the share is
    the bootstrap weight of the first half, 1/2 on average, so the mean count is 10."""
    s = 20_000
    ds = project_counts(
        _steady(20, gaps=(1.0, 3.0)),
        _flat(25.0, s),
        2022.0,
        np.array([2022]),
        np.random.default_rng(2),
        data_end=2022.0,
        thresholds=(23.5,),
    )
    share = ds["share_above"].sel(threshold=23.5, year=2022).to_numpy()
    assert share.mean() == pytest.approx(0.5, abs=0.005)
    assert share.std() > 0.01  # the bootstrap spreads it
    rate = _expected_runs(_steady(20, gaps=(1.0, 3.0)), np.array([2022]))[0]
    assert float(ds["count"].mean()) == pytest.approx(rate * 0.5, rel=0.015)


def test_counts_fall_with_the_threshold_in_every_draw():
    rng = np.random.default_rng(3)
    gaps = tuple(np.linspace(-0.5, 2.5, 40))
    s = 2000
    trend = LogLinear(rng.normal(25.5, 0.2, s), rng.normal(0.6, 0.05, s), 2022.0)
    ds = project_counts(
        _steady(30, gaps), trend, 2022.0, np.arange(2022, 2031), rng, data_end=2022.0
    )
    count = ds["count"].to_numpy()
    assert count.shape == (3, 9, s)
    assert np.all(np.diff(count, axis=0) <= 0)  # 1e25 >= 1e26 >= 1e27, draw by draw
    assert np.all(count[0] <= ds["runs"].to_numpy())
    # The trend rises: the share above a threshold rises year by year in every draw.
    assert np.all(np.diff(ds["share_above"].to_numpy(), axis=1) >= -1e-12)
    # Cumulative counts add the years up, from the data's runs before the projection.
    before = [observed_before(_steady(30, gaps), x, 2022) for x in THRESHOLDS_LOG10]
    cum = ds["cumulative"].to_numpy()
    assert before[0] > 0 and before[1] == 0
    assert np.array_equal(cum, np.cumsum(count, axis=1) + np.array(before)[:, None, None])


def test_cumulative_starts_from_the_data():
    """Runs already in the data at or above a threshold are counted once; the data's
    partial year is projected whole, and years asked later still add every year between."""
    runs = _steady()
    extra = pd.DataFrame(
        {
            "name": ["big2019", "big2021", "exact", "partial2022"],
            "t": [2019.3, 2021.7, 2020.5, 2022.4],
            "compute_flop": [3e25, 2e26, 1e25, 5e26],
        }
    )
    s = 500
    ds = project_counts(
        pd.concat([runs, extra], ignore_index=True),
        _flat(25.0, s),
        2022.5,
        np.array([2020, 2021, 2024]),
        np.random.default_rng(4),
    )
    assert ds.attrs["first_projected_year"] == 2022  # data end 2022.4: 2022 is partial
    cum = ds["cumulative"]
    # Before the projection: the data's own count (at or above: 1e25 exactly counts).
    assert (cum.sel(threshold=25, year=2020) == 2).all()
    assert (cum.sel(threshold=25, year=2021) == 3).all()
    assert (cum.sel(threshold=26, year=2021) == 1).all()
    # 2024 adds the projected 2022, 2023 and 2024 to the 3 runs before 2022.
    assert (cum.sel(threshold=25, year=2024) >= 3 + ds["count"].sel(threshold=25, year=2024)).all()


def test_runs_after_the_data_end_are_not_used():
    runs = _steady()
    late = pd.DataFrame({"name": ["late"], "t": [2022.5], "compute_flop": [1e30]})
    kw = dict(data_end=2022.0, thresholds=(26,))
    a = project_counts(
        runs, _flat(25.0, 50), 2022.0, np.array([2023]), np.random.default_rng(5), **kw
    )
    b = project_counts(
        pd.concat([runs, late], ignore_index=True),
        _flat(25.0, 50),
        2022.0,
        np.array([2023]),
        np.random.default_rng(5),
        **kw,
    )
    assert a.equals(b)


def test_no_recent_runs_give_no_counts():
    runs = _runs({y: [20.0] * 5 for y in range(2010, 2015)})  # nothing in the last 4 years
    ds = project_counts(
        runs, _flat(25.0, 100), 2022.0, np.array([2023]), np.random.default_rng(6), data_end=2022.0
    )
    assert ds.attrs["gap_runs"] == 0
    assert (ds["count"] == 0).all()


def test_same_generator_same_counts():
    trend = LogLinear(np.full(300, 25.0), np.full(300, 0.5), 2022.0)
    runs = _steady(20, gaps=(0.0, 1.0, 2.0))

    def run(seed):
        return project_counts(
            runs, trend, 2022.0, np.arange(2022, 2026), np.random.default_rng(seed), data_end=2022.0
        )

    assert run(7).equals(run(7))
    assert not run(7)["count"].equals(run(8)["count"])


# -- JSON and the data's counts ---------------------------------------------------------------


def test_counts_json_shape():
    ds = project_counts(
        _steady(20, gaps=(0.0, 1.0)),
        LogLinear(np.full(200, 25.0), np.full(200, 0.5), 2022.0),
        2022.0,
        np.arange(2026, 2031),
        np.random.default_rng(9),
        data_end=2022.0,
    )
    for variable in ("count", "cumulative"):
        out = counts_json(ds, variable)
        assert list(out) == [f"1e{x}" for x in THRESHOLDS_LOG10]
        for per_year in out.values():
            assert list(per_year) == [str(y) for y in range(2026, 2031)]
            for iv in per_year.values():
                assert set(iv) == INTERVAL
                assert iv["p10"] <= iv["median"] <= iv["p90"]
    one = ds["count"].sel(threshold=26, year=2028).to_numpy()
    assert counts_json(ds)["1e26"]["2028"] == count_interval(one)


def test_observed_counts_of_a_tiny_frame():
    runs = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d", "e"],
            "t": [2023.0, 2023.99, 2024.0, 2024.5, 2025.2],
            "compute_flop": [1e25, 9.9e24, 2e26, 1e27, 3e25],
        }
    )
    out = observed_counts(runs, [2023, 2024, 2025, 2026])
    assert out == {
        "1e25": {"2023": 1, "2024": 2, "2025": 1, "2026": 0},  # 1e25 itself counts
        "1e26": {"2023": 0, "2024": 2, "2025": 0, "2026": 0},
        "1e27": {"2023": 0, "2024": 1, "2025": 0, "2026": 0},
    }


def test_check_counts_refuses_the_chart_and_a_given_trend(root):
    import dataclasses

    from forecast.scenario import load_scenario

    assert check_counts(load_scenario(root / "scenarios" / "baseline.toml")) == []
    chart = load_scenario(root / "scenarios" / "openai-2018.toml")
    assert check_counts(chart)
    given = load_scenario(root / "scenarios" / "baseline.toml")
    trend = dataclasses.replace(given.trend, level_flop=1e26, doubling_time_months=6.0)
    problems = check_counts(dataclasses.replace(given, trend=trend))
    assert problems and "fitted trend" in problems[0]


# -- the briefing and the figure --------------------------------------------------------------


def _counts_dict():
    return {
        "1e25": {
            "2026": {"median": 411, "p10": 312, "p90": 513},
            "2027": {"median": 421, "p10": 322, "p90": 523},
        },
        "1e26": {
            "2026": {"median": 141, "p10": 112, "p90": 163},
            "2027": {"median": 241, "p10": 212, "p90": 263},
        },
        "1e27": {
            "2026": {"median": 0, "p10": 0, "p90": 4},
            "2027": {"median": 9, "p10": 4, "p90": 15},
        },
    }


def _backtest_dict():
    cell = {"observed": 17, "median": 13, "p10": 5, "p90": 19, "inside80": True}
    miss = {"observed": 2, "median": 8, "p10": 3, "p90": 14, "inside80": False}
    zero = {"observed": 0, "median": 0, "p10": 0, "p90": 0, "inside80": True}
    return {
        "cutoff": "2022-01-01",
        "data_end": "2026-07-15",
        "years": [2024, 2025],
        "counts": {
            "1e25": {"2024": cell, "2025": miss},
            "1e26": {"2024": zero, "2025": zero},
        },
        "coverage80": 0.75,
        "n": 4,
        "coverage80_nonzero": 0.5,
        "n_nonzero": 2,
        "above_p90": 0,
        "below_p10": 1,
        "runs_per_year": {
            "2024": {"observed": 33, "median": 17, "p10": 9, "p90": 30, "inside80": False},
            "2025": {"observed": 23, "median": 17, "p10": 8, "p90": 33, "inside80": True},
        },
        "rate": {"years": [2017, 2021], "counts": [15, 17], "growth_per_year": 1.0128},
    }


def test_blocks_carry_the_computed_numbers():
    thresholds = {
        "1e25": {"observed": True, "run": "GPT-4", "date": "2023-03-14", "median": 2023.2},
        "1e26": {"observed": False, "median": 2025.4, "p10": 2025.1, "p90": 2026.2},
    }
    cumulative = {"1e26": {"2026": {"median": 57, "p10": 41, "p90": 77}}}
    blocks = counts_blocks(_counts_dict(), _backtest_dict(), thresholds, cumulative=cumulative)
    assert isinstance(blocks[0], Heading)
    text = to_markdown("t", blocks)
    for number in ("411 (312–513)", "241 (212–263)", "9 (4–15)", "57 (41–77)"):
        assert number in text
    # The threshold dates beside the counts, from the summary's thresholds.
    assert "GPT-4 (2023-03-14)" in text and "2025 (2025–2026)" in text
    # The backtest: pooled coverage, a plain reading and the table of every cell.
    assert "3 of 4 (75%)" in text and "1 of 2 (50%)" in text
    assert "said 8 (3–14) runs at or above 10²⁵ FLOP in 2025; the data hold 2" in text
    assert "2 vs 8 (3–14) ✗" in text and "33 vs 17 (9–30) ✗" in text
    assert "1.01x a year" in text and "1 with fewer" in text
    # The published projection, only the point whose year the cumulative counts have.
    pub = EPOCH_COUNTS[0]
    assert f"start of {pub.by_start_of}" in text and f"{pub.qualifier} {pub.count:,.0f}" in text
    assert f"start of {EPOCH_COUNTS[1].by_start_of}" not in text
    assert any(isinstance(b, Bullets) for b in blocks)


def test_blocks_without_backtest_or_extras():
    blocks = counts_blocks(_counts_dict(), None, None)
    text = to_markdown("t", blocks)
    assert "Backtest" not in text and "Cottier" not in text
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.header == ("threshold", "2026", "2027")
    assert counts_blocks({}, None, None) == []


def test_projection_table_shows_the_first_years_only():
    counts = {
        "1e25": {str(y): {"median": y - 2020, "p10": 0, "p90": 99} for y in range(2026, 2036)}
    }
    table = projection_table(counts, None)
    assert table.header == ("threshold", "2026", "2027", "2028", "2029", "2030")
    assert table.rows[0][1:] == ("6 (0–99)", "7 (0–99)", "8 (0–99)", "9 (0–99)", "10 (0–99)")


def test_plot_threshold_counts():
    ds = project_counts(
        _steady(20, gaps=(0.0, 1.0, 2.0)),
        LogLinear(np.full(200, 25.0), np.full(200, 0.5), 2022.0),
        2022.0,
        np.arange(2022, 2031),
        np.random.default_rng(10),
        data_end=2022.0,
    )
    observed = observed_counts(_steady(20, gaps=(0.0, 1.0, 2.0)), range(2017, 2022))
    fig = plot_threshold_counts(ds, observed)
    (ax,) = fig.axes
    assert ax.get_yscale() == "symlog"
    assert len(ax.collections) == len(THRESHOLDS_LOG10)  # one band per threshold
    lo, hi = ax.get_ylim()
    assert lo == 0 and hi > float(ds["count"].quantile(0.9, dim="draw").max())
    assert math.isclose(ax.get_xticks()[0], 2017)
    plot_threshold_counts(ds)  # the data's counts are optional
    assert all(
        isinstance(b, (Heading, Para, Table, Bullets))
        for b in counts_blocks(counts_json(ds), None, None)
    )
