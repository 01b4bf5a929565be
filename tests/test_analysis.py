"""Fast tests of forecast.analysis: no sampling (every series is given in the scenarios)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from forecast.analysis import (
    FIRST_BINDING,
    base_from,
    crps,
    elasticity,
    hit_years,
    ishigami,
    parse_values,
    scenario_sobol,
    sensitivity_json,
    sobol_indices,
    sweep,
    tornado,
    uncertain_inputs,
)
from forecast.analysis.backtest import _score
from forecast.analysis.sobol import ishigami_indices
from forecast.pipeline import run_scenario
from forecast.scenario import load_scenario

SCENARIO = """
name = "{name}"
seed = 7
horizon = 2045

[data]
runs = "{data}/training_runs.csv"
hardware = "{data}/hardware.csv"
economy = "{data}/economy.csv"
until = 2025-01-01

[trend]
doubling_time_months = {doubling}
level_flop = 5e25
level_year = 2025.0

[hardware]
price_performance_doubling_years = {pp_doubling}
flops_per_usd = 3.0e10
flops_per_usd_year = 2025.0
efficiency_doubling_years = 2.5
flops_per_watt = 1.4e12
flops_per_watt_year = 2025.0
efficiency_limit_flop_per_joule = 4.7e15
utilization = {utilization}
training_days = {training_days}
overhead = 1.5
lifetime_years = 4
pue = 1.2
electricity_usd_per_kwh = 0.08

[[constraints]]
name = "World hardware budget"
kind = "spend"
basis = "capex"
limit_usd = 1e12
reference_year = 2018
growth_per_year = 0.05
share = 1.0

[[constraints]]
name = "1% of world GDP"
kind = "spend"
basis = "amortized"
limit_usd = 1.0056e14
reference_year = 2022
growth_per_year = 0.03
share = {gdp_share}

[[constraints]]
name = "Single-site power"
kind = "power"
limit_watts = 5e9
reference_year = 2030
growth_per_year = 0.0
share = 1.0
"""

FIXED = {
    "doubling": "6.0",
    "pp_doubling": "2.5",
    "utilization": "0.35",
    "training_days": "100",
    "gdp_share": "0.01",
}
UNCERTAIN = {
    "doubling": '{ dist = "lognormal", median = 6.0, p90 = 8.0 }',
    "pp_doubling": '{ dist = "triangular", low = 2.0, mode = 2.5, high = 3.5 }',
    "utilization": '{ dist = "beta", mean = 0.35, sd = 0.08 }',
    "training_days": '{ dist = "lognormal", median = 100, p90 = 180 }',
    "gdp_share": '{ dist = "uniform", low = 0.005, high = 0.02 }',
}


def _scenario(tmp_path, root, name, fields):
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, data=(root / "data").as_posix(), **fields))
    return load_scenario(path)


@pytest.fixture(scope="module")
def fixed_result(tmp_path_factory, root):
    scenario = _scenario(tmp_path_factory.mktemp("fixed"), root, "fixed", FIXED)
    return run_scenario(scenario, draws=4, use_cache=False)


@pytest.fixture(scope="module")
def uncertain_result(tmp_path_factory, root):
    scenario = _scenario(tmp_path_factory.mktemp("uncertain"), root, "uncertain", UNCERTAIN)
    return run_scenario(scenario, draws=2000, use_cache=False)


# -- inputs and hit years ------------------------------------------------------------------


def test_base_reproduces_the_engine(uncertain_result):
    base = base_from(uncertain_result)
    hits = hit_years(base.make_inputs({}, base.n_draws))
    expected = uncertain_result.projection["hit_year"].values
    assert np.array_equal(np.isfinite(hits), np.isfinite(expected))
    finite = np.isfinite(expected)
    assert np.max(np.abs(hits[finite] - expected[finite])) < 1e-6


def test_uncertain_inputs_are_the_non_fixed_parameters(uncertain_result, fixed_result):
    keys = [u.key for u in uncertain_inputs(uncertain_result)]
    assert keys == [
        "trend.doubling_time_months",
        "hardware.price_performance_doubling_years",
        "hardware.utilization",
        "hardware.training_days",
        "constraints.1% of world GDP.share",
    ]
    assert uncertain_inputs(fixed_result) == []


# -- sweeps -----------------------------------------------------------------------------------


def test_parse_values():
    assert np.allclose(parse_values("0.2:0.6:9"), np.linspace(0.2, 0.6, 9))
    assert np.allclose(parse_values("3, 6,12"), [3, 6, 12])
    for bad in ("1:2", "a:b:3", "", "1:2:1"):
        with pytest.raises(ValueError, match="sweep values"):
            parse_values(bad)


def test_default_sweep_is_monotone_in_the_doubling_time(uncertain_result):
    ds = sweep(uncertain_result)
    assert ds.attrs["param"] == "trend.doubling_time_months"
    assert ds.sizes == {"sweep": 22, "constraint": 3}
    assert np.allclose(ds["value"], np.linspace(3, 24, 22))
    kinds = {c.name: c.kind for c in uncertain_result.scenario.constraints}
    for name in ds["constraint"].values:
        if kinds[str(name)] != "spend":
            continue
        med = ds["median"].sel(constraint=name).values
        finite = np.isfinite(med)
        # Beyond the horizon (NaN) once, beyond it for every longer doubling time.
        assert not np.any(finite[1:] & ~finite[:-1])
        assert np.all(np.diff(med[finite]) >= 0)
        assert np.all(np.diff(ds["prob_hit_by_horizon"].sel(constraint=name).values) <= 1e-12)
    assert np.isnan(ds["median"].values[-1]).all()  # 24-month doubling: nothing by 2045


def test_sweep_changes_only_the_swept_input(uncertain_result):
    # Common random numbers: sweeping utilisation at each draw's own value is the result.
    base = base_from(uncertain_result)
    ds = sweep(uncertain_result, "hardware.utilization", "0.2:0.6:9")
    assert ds.sizes["sweep"] == 9
    assert ds.attrs["values"] == pytest.approx(list(np.linspace(0.2, 0.6, 9)))
    # Higher utilisation makes compute cheaper: no ceiling comes earlier.
    for name in ds["constraint"].values:
        med = ds["median"].sel(constraint=name).values
        assert np.all(np.diff(med[np.isfinite(med)]) >= -1e-9)
    # The same draws for every other input: two sweeps at one value agree exactly.
    a = sweep(base, "hardware.utilization", [0.3])
    b = sweep(base, "hardware.utilization", [0.3, 0.5])
    assert np.array_equal(a["median"].values[0], b["median"].values[0])


def test_sweep_of_a_fixed_parameter_uses_a_geometric_default(fixed_result):
    ds = sweep(fixed_result, "hardware.training_days")
    assert ds["value"].values[0] == pytest.approx(50.0)
    assert ds["value"].values[-1] == pytest.approx(200.0)


# -- tornado ------------------------------------------------------------------------------------


def test_tornado_rows_are_ranked_by_swing(uncertain_result):
    rows = tornado(uncertain_result)
    assert len(rows) == 5
    swings = [abs(r["swing_years"]) for r in rows]
    assert swings == sorted(swings, reverse=True)
    for r in rows:
        assert {
            "param",
            "low_value",
            "high_value",
            "hit_year_low",
            "hit_year_high",
            "swing_years",
        } <= set(r)
        assert r["constraint"] == FIRST_BINDING
        assert r["low_value"] <= r["high_value"]
    doubling = next(r for r in rows if r["param"] == "trend.doubling_time_months")
    assert doubling["swing_years"] > 0  # slower growth, later limit
    every = tornado(uncertain_result, "all")
    assert len(every) == 5 * 4


# -- elasticity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["World hardware budget", "1% of world GDP", "Single-site power"])
def test_numerical_elasticity_matches_analytic(fixed_result, name):
    e = elasticity(fixed_result, name)
    assert e["hit_year"] is not None
    assert e["analytic"] > 0
    assert e["numerical"] == pytest.approx(e["analytic"], rel=0.05)
    if name == "World hardware budget":  # the closed form: far tighter than 5%
        assert e["relative_difference"] < 1e-4


def test_elasticity_of_the_capex_closed_form(fixed_result):
    # t* = (A + r tc) / (r - k) for a gap ln C0 + r (t - tc) - k t - A' ...: check
    # d t*/d ln Tc = r (t* - tc) / (r - k) against the design's formula directly.
    e = elasticity(fixed_result, "World hardware budget")
    r = math.log(2) / 0.5  # 6-month doubling, per year
    k = math.log(2) / 2.5 + math.log(1.05)
    assert e["dt_dln_tc_years"] == pytest.approx(r * (e["hit_year"] - 2025.0) / (r - k), rel=1e-6)


# -- Sobol ---------------------------------------------------------------------------------------


def test_sobol_recovers_ishigami():
    est = sobol_indices(ishigami, [(-math.pi, math.pi)] * 3, 2**13, np.random.default_rng(3))
    truth = ishigami_indices()
    for name, idx in truth.items():
        for key in ("S1", "ST"):
            err = abs(est[name][key] - idx[key])
            assert err <= est[name][f"{key}_conf"], (name, key, est[name])
            assert err <= 0.05
    assert truth["x1"]["S1"] == pytest.approx(0.314, abs=1e-3)
    assert truth["x3"]["ST"] == pytest.approx(0.244, abs=1e-3)


def test_sobol_accepts_distributions_and_plain_monte_carlo():
    from scipy import stats

    def linear(x):
        return x[:, 0] + 2 * x[:, 1]

    est = sobol_indices(
        linear, {"a": stats.norm(), "b": stats.norm()}, 3000, np.random.default_rng(0), method="mc"
    )
    assert est["a"]["S1"] == pytest.approx(0.2, abs=0.05)
    assert est["b"]["ST"] == pytest.approx(0.8, abs=0.05)


def test_scenario_sobol(uncertain_result):
    idx = scenario_sobol(uncertain_result, "World hardware budget", n=2**9, n_boot=50)
    assert list(idx) == [u.key for u in uncertain_inputs(uncertain_result)]
    for v in idx.values():
        assert set(v) == {"S1", "S1_conf", "ST", "ST_conf"}
        assert -0.1 <= v["ST"] <= 1.1
    # The doubling time is the main driver of when the hardware budget binds.
    assert max(idx, key=lambda k: idx[k]["ST"]) == "trend.doubling_time_months"
    # The GDP share cannot move the capex constraint at all.
    assert idx["constraints.1% of world GDP.share"]["ST"] == pytest.approx(0.0, abs=1e-12)


def test_sensitivity_json(uncertain_result):
    out = sensitivity_json(
        sweep(uncertain_result, values=[3.0, 24.0]),
        tornado(uncertain_result),
        {"x": {"S1": 0.1, "S1_conf": 0.01, "ST": 0.2, "ST_conf": float("nan")}},
    )
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert back["sweep"]["param"] == "trend.doubling_time_months"
    assert back["sweep"]["values"] == [3.0, 24.0]
    res = back["sweep"]["results"]["World hardware budget"]
    assert set(res) == {"median", "p10", "p90", "prob_hit_by_horizon"}
    assert res["median"][1] is None  # beyond the horizon: null, not a made-up year
    assert back["tornado"][0]["param"]
    assert back["sobol"]["x"]["ST_conf"] is None


# -- backtest scoring -------------------------------------------------------------------------


def test_crps_of_a_standard_normal():
    draws = np.random.default_rng(0).standard_normal(200_000)
    # Closed form for N(0, 1) at y = 0: 2 phi(0) - 1/sqrt(pi) = 0.23370...
    assert float(crps(draws, 0.0)) == pytest.approx(
        2 / math.sqrt(2 * math.pi) - 1 / math.sqrt(math.pi), abs=3e-3
    )
    assert float(crps(draws, 0.0)) == pytest.approx(0.2337, abs=3e-3)


def test_crps_is_vectorised_and_exact_for_a_point_mass():
    draws = np.zeros((10, 3))
    assert np.allclose(crps(draws, np.array([1.0, -2.0, 0.0])), [1.0, 2.0, 0.0])
    rng = np.random.default_rng(1)
    x = rng.standard_normal((500, 2))
    brute = np.mean(np.abs(x - 0.3), axis=0) - 0.5 * np.mean(
        np.abs(x[:, None, :] - x[None, :, :]), axis=(0, 1)
    )
    assert np.allclose(crps(x, np.array([0.3, 0.3])), brute)


def test_scores_of_a_calibrated_forecast():
    rng = np.random.default_rng(2)
    pred = rng.standard_normal((4000, 1))  # the same forecast for every run
    y = rng.standard_normal(2000)
    scores, cols = _score(np.broadcast_to(pred, (4000, 2000)), y, np.linspace(0.1, 3.0, 2000))
    assert scores["coverage50"] == pytest.approx(0.5, abs=0.04)
    assert scores["coverage95"] == pytest.approx(0.95, abs=0.02)
    assert sorted(scores["mae_by_year"]) == [1, 2, 3]
    assert cols["in80"].dtype == bool
