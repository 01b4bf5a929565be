"""The rolling-origin backtest: its pieces by hand, its summary and the CLI's checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast.analysis.rolling import (
    METHODS,
    openai_2018_line,
    record_at,
    rolling_json,
    straight_line,
)

ROOT = Path(__file__).resolve().parents[1]


def test_record_at_is_the_largest_run_published_by_then():
    runs = pd.DataFrame({"t": [2018.0, 2019.5, 2020.2], "compute_flop": [1e22, 1e24, 1e23]})
    assert record_at(runs, 2019.0) == pytest.approx(22.0)
    assert record_at(runs, 2021.0) == pytest.approx(24.0)
    assert record_at(runs, 2017.0) == -math.inf


def test_straight_line_on_exact_data_gives_the_line_in_every_resample():
    t = np.array([2015.0, 2016.0, 2017.0, 2018.0, 2019.0])
    runs = pd.DataFrame({"t": t, "compute_flop": 10 ** (20 + 0.5 * (t - 2015))})
    draws = straight_line(runs, np.array([2020.0, 2022.0]), np.random.default_rng(0), n_boot=50)
    assert draws.shape == (50, 2)
    np.testing.assert_allclose(draws, np.broadcast_to([22.5, 23.5], (50, 2)), atol=1e-9)


def test_the_2018_line_doubles_every_3_4_months():
    from forecast.scenario import load_scenario

    slope, _, _ = openai_2018_line(load_scenario(ROOT / "scenarios" / "baseline.toml"))
    assert 12 * math.log10(2) / slope == pytest.approx(3.44, abs=0.01)


def _fake(inside80):
    """Two cutoffs x two horizons of made-up scores; the second horizon of the second
    cutoff has no outcome yet (NaN)."""
    shape = (len(METHODS), 2, 2)
    crps = np.full(shape, 0.5)
    crps[:, 1, 1] = np.nan
    inside = np.broadcast_to(np.asarray(inside80, dtype=float), shape).copy()
    inside[:, 1, 1] = np.nan
    names = ("pit", "inside50", "inside95", "median", "p10", "p90")
    data = {k: (("method", "cutoff", "horizon"), np.zeros(shape)) for k in names}
    data["crps"] = (("method", "cutoff", "horizon"), crps)
    data["inside80"] = (("method", "cutoff", "horizon"), inside)
    for k in ("crps", "inside50", "inside80", "inside95"):
        data[f"typical_{k}"] = (("method", "cutoff", "horizon"), np.full(shape, 1.0))
    return xr.Dataset(
        data,
        coords={"method": list(METHODS), "cutoff": [2020.0, 2021.0], "horizon": [1, 2]},
        attrs={"target": "record", "cutoff_dates": ["2020-01-01", "2021-01-01"]},
    )


def test_rolling_json_pools_over_cutoffs_per_horizon():
    out = rolling_json(_fake([[1.0, 0.0], [0.0, 1.0]]))
    assert out["target"] == "record" and out["cutoffs"] == ["2020-01-01", "2021-01-01"]
    assert out["coverage"]["1"]["80"] == 0.5  # one of two cutoffs held
    assert out["coverage"]["2"]["80"] == 0.0  # only the first cutoff has an outcome
    assert out["n"] == {"1": 2, "2": 1}
    assert out["crps"]["1"] == 0.5
    assert set(out["baselines"]) == {"straight_line", "openai_2018", "record_setters"}
    assert set(out["variants"]) == {"hazard", "damped", "drift"}
    assert set(out["baselines"]["straight_line"]) == {"coverage", "crps", "n"}
    assert out["typical"]["coverage"]["2"]["80"] == 1.0 and out["typical"]["n"]["2"] == 2
    assert set(out["typical"]["baselines"]) == {"straight_line", "openai_2018"}


def test_backtest_needs_a_cutoff_or_rolling(capsys, tmp_path):
    from forecast.cli import main

    out = tmp_path / "r"
    code = main(["backtest", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(out)])
    assert not out.exists()
    assert code == 2
    err = capsys.readouterr().err
    assert "--rolling" in err and "Traceback" not in err


def test_rolling_json_reports_the_variants_and_the_paired_difference():
    ds = _fake([[1.0, 0.0], [0.0, 1.0]])
    ds["crps"].loc[{"method": "model"}] = [[0.4, 0.3], [0.2, np.nan]]
    ds["crps"].loc[{"method": "straight_line"}] = [[0.3, 0.5], [0.1, np.nan]]
    out = rolling_json(ds)
    assert set(out["variants"]) == {"hazard", "damped", "drift"}
    assert set(out["typical"]["variants"]) == {"drift"}
    assert "loo" not in out
    # A backtest without the drift variant (a drift scenario, or one saved before it
    # existed) lists only what was scored; the LOO comparison comes from the attributes.
    for var in ("crps", "typical_crps"):
        ds[var].loc[{"method": "drift"}] = np.nan
    ds.attrs.update(loo_elpd_diff=-0.8, loo_dse=0.4, loo_elpd_model=-87.6, loo_elpd_drift=-88.4)
    out = rolling_json(ds)
    assert set(out["variants"]) == {"hazard", "damped"}
    assert "variants" not in out["typical"]
    assert out["loo"] == {
        "elpd_diff": -0.8,
        "dse": 0.4,
        "elpd_model": -87.6,
        "elpd_drift": -88.4,
    }
    pair = out["versus_straight_line"]
    assert pair["1"]["mean"] == pytest.approx(0.1) and pair["1"]["n"] == 2
    assert pair["1"]["se"] == pytest.approx(0.0, abs=1e-12)  # both differences are 0.1
    assert pair["2"] == {"mean": pytest.approx(-0.2), "se": None, "n": 1}


def test_the_variants_share_the_model_fit_and_floor():
    """The damped trend rises by slope * (1 - d**h) / -ln d; a hazard of zero never bends."""
    from types import SimpleNamespace

    from forecast.analysis.rolling import DAMPING, _variants
    from forecast.project.trajectory import LogLinear

    rec = LogLinear(np.array([25.0, 25.0]), np.array([0.5, 0.5]), 2024.0)
    inputs = SimpleNamespace(compute=rec, start_year=2024.0, n_draws=2, record_floor_log10=25.2)
    drawn = {
        "trend.era_hazard_per_year": np.zeros(2),
        "trend.new_era_doubling_months": np.full(2, 12.0),
    }
    times = np.array([2025.0, 2028.0])
    hazard, damped = _variants(inputs, drawn, times, np.random.default_rng(0))
    np.testing.assert_allclose(
        hazard, np.maximum(25.0 + 0.5 * (times - 2024), 25.2)[None, :].repeat(2, 0)
    )
    rise = 0.5 * (1 - DAMPING ** (times - 2024)) / -np.log(DAMPING)
    np.testing.assert_allclose(damped, np.maximum(25.0 + rise, 25.2)[None, :].repeat(2, 0))


def test_the_briefing_reports_the_paired_difference_and_the_variants_where_the_model_lost():
    from forecast.report.analysis_sections import rolling_blocks

    ds = _fake([[1.0, 1.0], [1.0, 1.0]])
    ds["outcome"] = (("cutoff", "horizon"), np.array([[25.0, 25.5], [26.0, np.nan]]))
    ds["median"].loc[{"method": "model"}] = [[25.3, 25.9], [26.2, np.nan]]
    ds["crps"].loc[{"method": "model"}] = [[0.4, 0.5], [0.3, np.nan]]
    ds["crps"].loc[{"method": "straight_line"}] = [[0.2, 0.6], [0.1, np.nan]]
    ds.attrs["openai_2018_doubling_months"] = 3.4
    text = " ".join(str(b) for b in rolling_blocks(ds, rolling_json(ds), {}))
    assert "+0.20 OOM (standard error 0.00, 2 paired forecasts) at 1 years" in text
    assert "It scored better in 2 of 2 at 1 years, the model above the record in 2 of them" in text
    assert "Tried on the same fits" in text and "variant: damped trend" in text


def test_the_caveat_says_what_the_doubling_time_leaves_out_computed():
    """The briefing's caveat quotes the backtest's own numbers: the drift variant's scores
    and LOO, and the straight lines of each start year; a variant better only within the
    0.01 OOM the CRPS is quoted to counts as no better."""
    from types import SimpleNamespace

    from forecast.report.answer import _slope_caveat, _variant_verdict

    ds = _fake([[1.0, 1.0], [1.0, 1.0]])
    ds["crps"].loc[{"method": "model"}] = [[0.30, 0.30], [0.30, np.nan]]
    ds["crps"].loc[{"method": "hazard"}] = [[0.298, 0.30], [0.302, np.nan]]
    ds["crps"].loc[{"method": "drift"}] = [[0.40, 0.40], [0.40, np.nan]]
    ds.attrs.update(
        loo_elpd_diff=-0.7,
        loo_dse=0.4,
        loo_elpd_model=-87.6,
        loo_elpd_drift=-88.3,
        loo_drift_doubling_p10=4.9,
        loo_drift_doubling_median=5.4,
        loo_drift_doubling_p90=5.9,
    )
    fit = xr.Dataset(
        {"window_doubling": (("window_start", "window_stat"), [[5.3, 5.5, 5.7], [5.0, 5.1, 5.2]])},
        coords={"window_start": [2012.0, 2013.0], "window_stat": ["p10", "median", "p90"]},
    )
    results = SimpleNamespace(rolling=ds, fit=fit, rolling_summary=rolling_json(ds))
    verdict = _variant_verdict(results, "hazard", "A variant")
    assert verdict.startswith("A variant forecast no better in the rolling backtest, 1 to 2")
    text = _slope_caveat(results)
    assert "start year 2012–2013 give 5.1–5.5 months" in text
    assert "gives 5.4 (4.9–5.9) months" in text and "PSIS-LOO -0.7, standard error 0.4" in text
    assert "so the headline keeps one slope" in text
    # A variant that wins by more than 0.01 OOM at one horizon says so.
    ds["crps"].loc[{"method": "hazard"}] = [[0.25, 0.30], [0.25, np.nan]]
    results.rolling_summary = rolling_json(ds)
    assert "forecast better only 1 year ahead (of 1 to 2)" in _variant_verdict(
        results, "hazard", "A variant"
    )
