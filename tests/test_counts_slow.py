"""The counts backtest on the real baseline at 2022-01-01, with a small seeded fit (slow)."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import replace

import pytest

from forecast.analysis.counts import (
    THRESHOLDS_LOG10,
    counted_runs,
    counts_backtest,
    observed_counts,
    threshold_key,
)
from forecast.analysis.published_counts import published_observed, with_forecast
from forecast.data.runs import STAGES
from forecast.report.counts import counts_blocks
from forecast.report.document import to_markdown
from forecast.scenario import load_scenario

pytestmark = pytest.mark.slow


def _small(scenario):
    return replace(scenario, sampler=replace(scenario.sampler, draws=500, tune=500, chains=2))


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path / "cache"))


# A small sampler keeps the test fast; its ESS warnings are expected.
@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")
def test_counts_backtest_of_the_baseline_from_2022(root):
    scenario = _small(load_scenario(root / "scenarios" / "baseline.toml"))
    out = counts_backtest(scenario, n_draws=500)
    json.dumps(out)  # plain JSON

    counted = counted_runs(dataclasses.replace(scenario.data, until=None))
    last_complete = math.floor(float(counted["t"].max())) - 1
    assert out["cutoff"] == "2022-01-01"
    # Every complete year after the cutoff, and not the data's partial last year.
    assert out["years"] == list(range(2022, last_complete + 1))
    assert out["draws"] == 500 and out["seed"] == scenario.seed
    observed = observed_counts(counted, out["years"])
    assert list(out["counts"]) == [threshold_key(x) for x in THRESHOLDS_LOG10]
    for key, per_year in out["counts"].items():
        assert list(per_year) == [str(y) for y in out["years"]]
        for year, cell in per_year.items():
            assert cell["observed"] == observed[key][year]
            assert cell["p10"] <= cell["median"] <= cell["p90"]
            assert cell["inside80"] == (cell["p10"] <= cell["observed"] <= cell["p90"])
    # A higher threshold never has more runs, in the data or in the forecast.
    for year in map(str, out["years"]):
        cells = [out["counts"][threshold_key(x)][year] for x in THRESHOLDS_LOG10]
        for low, high in zip(cells, cells[1:], strict=False):
            assert high["observed"] <= low["observed"] and high["median"] <= low["median"]
    n = len(THRESHOLDS_LOG10) * len(out["years"])
    assert out["n"] == n and 0 < out["n_nonzero"] <= n
    assert 0.0 <= out["coverage80"] <= 1.0
    assert out["above_p90"] + out["below_p10"] == round((1 - out["coverage80"]) * n)
    # Calibrated enough to report: most intervals that are not trivially zero held.
    assert out["coverage80_nonzero"] >= 0.5
    # The rate was fitted on the five complete years before the cutoff.
    assert out["rate"]["years"] == [2017, 2018, 2019, 2020, 2021]
    assert set(out["runs_per_year"]) == {str(y) for y in out["years"]}

    # The briefing states the backtest's own numbers.
    text = to_markdown(
        "t", counts_blocks({"1e25": {"2030": out["counts"]["1e25"]["2025"]}}, out, None)
    )
    cell = out["counts"]["1e25"][str(out["years"][-1])]
    assert f"the data hold {cell['observed']}" in text

    # Against Epoch AI's published rate (about 24 models over 1e25 FLOP in 2024): the
    # model, fitted on this tool's narrower data, forecasts fewer for 2024 and for 2025,
    # with 24 above its 80% interval of 2024 (examples/baseline: 8 (3-14) and 11 (4-21)).
    every = counted_runs(dataclasses.replace(scenario.data, until=None, stages=STAGES))
    published = with_forecast(published_observed(counted, every), out)
    for year in ("2024", "2025"):
        cell = published["forecasts"]["1e25"][year]
        assert cell["published_rate"] == 24 and cell["median"] < 24
    assert published["forecasts"]["1e25"]["2024"]["published_rate_above_p90"] is True
    (in_2024,) = [c for c in published["comparisons"] if c["year"] == 2024]
    assert in_2024["forecast"] == {
        k: out["counts"]["1e25"]["2024"][k] for k in ("median", "p10", "p90")
    }

    # Cached and seeded: the same numbers again.
    assert counts_backtest(scenario, n_draws=500) == out
