"""End-to-end backtests with small, seeded MCMC fits (marked slow)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from forecast.analysis import backtest, backtest_table
from forecast.scenario import load_scenario

pytestmark = pytest.mark.slow


def _small(scenario):
    return replace(scenario, sampler=replace(scenario.sampler, draws=500, tune=500, chains=2))


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path / "cache"))


def _check(result, cutoff):
    assert result.cutoff == cutoff
    assert result.n_later == len(result.later) > 0
    later = result.later["date"].map(lambda d: d > cutoff)
    assert later.all()
    for model in ("trend", "constrained"):
        s = result.scores[model]
        for key in ("coverage50", "coverage80", "coverage95"):
            assert 0.0 <= s[key] <= 1.0
        assert s["coverage50"] <= s["coverage80"] <= s["coverage95"]
        assert s["crps"] > 0 and math.isfinite(s["crps"])
        assert all(k >= 1 and v >= 0 for k, v in s["mae_by_year"].items())
    fan = result.fan["log10_flop"]
    assert fan.dims == ("model", "quantile", "year")
    assert np.all(np.diff(fan.values, axis=1) >= 0)  # quantiles ordered
    assert fan["year"].values[0] == pytest.approx(result.cutoff_year)


def test_backtest_openai_2018_at_its_own_cutoff(root):
    scenario = _small(load_scenario(root / "scenarios" / "openai-2018.toml"))
    cutoff = dt.date(2018, 5, 16)
    (result,) = backtest(scenario, [cutoff])
    _check(result, cutoff)
    assert result.n_fit == 15
    assert "training_runs.csv" in result.judged_by  # the chart has no later points


# A small sampler keeps the test fast; its ESS warnings are expected.
@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")
def test_backtest_baseline_at_three_cutoffs(root):
    scenario = _small(load_scenario(root / "scenarios" / "baseline.toml"))
    # One era instead of "auto": one trend fit per cutoff instead of three candidates and
    # the chosen one (138 s in the slow tier before; 33 s alone with PyTensor's compiled
    # models warm, 77 s with them cold); what is tested here is the backtest
    # (cutoffs, what is fitted and scored, the table, the cache), the same for any trend.
    # The number of eras chosen at a cutoff is tested in test_models_slow.py.
    scenario = replace(scenario, trend=replace(scenario.trend, eras=1))
    cutoffs = [dt.date(2016, 1, 1), dt.date(2018, 1, 1), dt.date(2021, 1, 1)]
    results = backtest(scenario, cutoffs)
    assert [r.cutoff for r in results] == cutoffs
    for r, c in zip(results, cutoffs, strict=True):
        _check(r, c)
    # Later cutoffs fit more runs and have fewer runs left to score.
    assert [r.n_fit for r in results] == sorted(r.n_fit for r in results)
    assert [r.n_later for r in results] == sorted((r.n_later for r in results), reverse=True)
    table = backtest_table(results)
    assert len(table) == 6 and set(table["model"]) == {"trend", "constrained"}
    # Cached: a rerun does not sample and gives the same numbers.
    again = backtest(scenario, cutoffs[:1])
    assert again[0].scores == results[0].scores


def test_rolling_backtest_of_the_record(root):
    """Two cutoffs, fitted for real: every horizon with an outcome is scored, for the model
    and both baselines; the record outcome is the largest counted run by then."""
    from forecast.analysis.rolling import HORIZONS, rolling, rolling_json

    scenario = _small(load_scenario(root / "scenarios" / "baseline.toml"))
    # One era instead of "auto": one trend fit per cutoff (and for the LOO comparison on all
    # the data) instead of three candidates and the chosen one; the scoring is the same.
    scenario = replace(scenario, trend=replace(scenario.trend, eras=1))
    cutoffs = [dt.date(2019, 1, 1), dt.date(2023, 1, 1)]
    ds = rolling(scenario, cutoffs, n_draws=500)
    out = rolling_json(ds)
    assert out["cutoffs"] == ["2019-01-01", "2023-01-01"]
    assert out["n"]["1"] == 2 and out["n"]["5"] == 1  # 2028 is past the data
    for block in (out, *out["baselines"].values()):
        for h in map(str, HORIZONS):
            for level in ("50", "80", "95"):
                c = block["coverage"][h][level]
                assert c is None or 0.0 <= c <= 1.0
    assert all(out["baselines"]["openai_2018"]["coverage"][h]["80"] == 0.0 for h in "1234")
    # The 2018 line overshoots by orders of magnitude; the model does not.
    assert out["baselines"]["openai_2018"]["crps"]["3"] > 1.0 > out["crps"]["3"]
    # The drifting slope is scored on its own fits, and compared by PSIS-LOO on all the data.
    assert set(out["variants"]) == {"hazard", "damped", "drift"}
    assert out["variants"]["drift"]["n"] == out["n"]
    assert set(out["typical"]["variants"]) == {"drift"}
    loo = out["loo"]
    assert np.isfinite(loo["elpd_diff"]) and loo["dse"] >= 0
    assert loo["elpd_diff"] == pytest.approx(loo["elpd_drift"] - loo["elpd_model"])
    assert loo["drift_doubling_p10"] < loo["drift_doubling_median"] < loo["drift_doubling_p90"]
