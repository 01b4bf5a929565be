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
    parse_values,
    scenario_sobol,
    sobol_indices,
    sweep,
    tornado,
    uncertain_inputs,
)
from forecast.analysis.backtest import _score
from forecast.analysis.sobol import ishigami_indices
from forecast.project.scenario import run_scenario
from forecast.scenario import load_scenario
from helpers import design_capex_hit

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
    # The result's own inputs, not rebuilt: the very numbers of the projection.
    base = base_from(uncertain_result)
    assert base.inputs is uncertain_result.inputs
    np.testing.assert_array_equal(
        hit_years(base.inputs), uncertain_result.projection["hit_year"].values
    )


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


def _capex_hit(tc_months=6.0, th_years=2.5, u=0.35, days=100.0, share=1.0):
    """The design's capex closed form with the scenario's numbers (SCENARIO above)."""
    return design_capex_hit(
        5e25,
        2025.0,
        tc_months / 12,
        3e10,
        2025.0,
        th_years,
        1e12,
        2018.0,
        0.05,
        share,
        1.5,
        u,
        days * 86_400,
    )


def test_sweep_of_the_doubling_time_against_the_design_closed_form(fixed_result):
    ds = sweep(fixed_result, values=[6.0, 8.0])
    got = ds["median"].sel(constraint="World hardware budget").values
    expected = [_capex_hit(6.0), _capex_hit(8.0)]
    assert 2025 < expected[0] < expected[1] < 2045  # inside the window: nothing clipped
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # Every draw is fixed: all quantiles agree, and every draw hits.
    np.testing.assert_allclose(ds["p10"].sel(constraint="World hardware budget"), expected)
    assert list(ds["prob_hit_by_horizon"].sel(constraint="World hardware budget")) == [1.0, 1.0]


def test_sweep_rejects_an_unknown_parameter(fixed_result):
    with pytest.raises(KeyError, match="not a parameter"):
        sweep(fixed_result, "hardware.nope", [1.0])


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


def test_tornado_against_the_design_closed_form(uncertain_result):
    """The doubling-time row of the capex ceiling, every other input at its median, checked
    with quantiles and medians worked out by hand and the design's closed form."""
    from scipy import stats

    rows = tornado(uncertain_result, "World hardware budget")
    row = next(r for r in rows if r["param"] == "trend.doubling_time_months")
    # Log-normal with median 6 and p90 8: symmetric in logs, so p10 = 6^2 / 8 = 4.5.
    assert row["low_value"] == pytest.approx(4.5, rel=1e-9)
    assert row["high_value"] == pytest.approx(8.0, rel=1e-9)
    # Medians: triangular(2, 2.5, 3.5) has F(mode) = 1/3 < 1/2, so the median solves
    # (3.5 - m)^2 / (1.5 * 1.0) = 1/2; the beta's from its mean and sd (method of moments);
    # the log-normal's is 100 days.
    th = 3.5 - math.sqrt(0.75)
    k = 0.35 * 0.65 / 0.08**2 - 1
    u = stats.beta(0.35 * k, 0.65 * k).median()
    for key, tc in (("hit_year_low", 4.5), ("hit_year_high", 8.0)):
        expected = _capex_hit(tc, th, u, 100.0)
        assert 2025 < expected < 2045
        assert row[key] == pytest.approx(expected, abs=2e-6)  # rounded to 6 decimals
    assert row["swing_years"] == pytest.approx(
        _capex_hit(8.0, th, u) - _capex_hit(4.5, th, u), abs=2e-6
    )


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
    # The capex gap is g(t) = a + r (t - tc) - k t with r = ln2/Tc and k = ln2/Th + ln(1+g),
    # so t* = (r tc - a) / (r - k) and d t*/d ln Tc = -Tc d t*/d Tc = r (t* - tc) / (r - k).
    e = elasticity(fixed_result, "World hardware budget")
    t_star = _capex_hit()  # the design's closed form, written out in helpers
    r = math.log(2) / 0.5  # 6-month doubling, per year
    k = math.log(2) / 2.5 + math.log(1.05)
    assert e["hit_year"] == pytest.approx(t_star, abs=1e-6)
    assert e["start_year"] == 2025.0  # data.until = 2025-01-01
    assert e["doubling_time_months"] == pytest.approx(6.0, rel=1e-12)
    dt_dln = r * (t_star - 2025.0) / (r - k)  # tc = level_year = 2025.0
    assert e["dt_dln_tc_years"] == pytest.approx(dt_dln, rel=1e-6)
    assert e["analytic"] == pytest.approx(dt_dln / (t_star - 2025.0), rel=1e-6)


# -- Sobol ---------------------------------------------------------------------------------------


def test_ishigami_indices_are_the_published_ones():
    # Saltelli et al. (2008), "Global Sensitivity Analysis: The Primer", for a = 7, b = 0.1.
    truth = ishigami_indices()
    published = {"x1": (0.3139, 0.5576), "x2": (0.4424, 0.4424), "x3": (0.0, 0.2437)}
    for name, (s1, st) in published.items():
        assert truth[name]["S1"] == pytest.approx(s1, abs=1e-4)
        assert truth[name]["ST"] == pytest.approx(st, abs=1e-4)


def test_sobol_recovers_ishigami():
    from SALib.test_functions import Ishigami

    est = sobol_indices(
        Ishigami.evaluate, [(-math.pi, math.pi)] * 3, 2**13, np.random.default_rng(3)
    )
    truth = ishigami_indices()
    for name, idx in truth.items():
        for key in ("S1", "ST"):
            err = abs(est[name][key] - idx[key])
            # Within the reported 95% interval, and within 0.02 absolute: swapping S1 and
            # ST (0.31 vs 0.56 for x1) or a wrong variance would fail either.
            assert err <= est[name][f"{key}_conf"], (name, key, est[name])
            assert err <= 0.02, (name, key, est[name])
            assert 0 < est[name][f"{key}_conf"] < 0.05


def test_sobol_of_a_linear_model_with_distributions():
    from scipy import stats

    def linear(x):
        return x[:, 0] + 2 * x[:, 1]

    # Var a = 1, var 2b = 4: S1 = ST = 0.2 and 0.8 (an additive model has no interactions).
    est = sobol_indices(
        linear, {"a": stats.norm(), "b": stats.norm()}, 2**12, np.random.default_rng(0)
    )
    for name, share in (("a", 0.2), ("b", 0.8)):
        assert est[name]["S1"] == pytest.approx(share, abs=0.03)
        assert est[name]["ST"] == pytest.approx(share, abs=0.03)


def test_sobol_randomness_comes_from_the_generator():
    def f(x):
        return x[:, 0] + x[:, 1] ** 2

    dists = [(0.0, 1.0), (0.0, 1.0)]
    a = sobol_indices(f, dists, 2**8, np.random.default_rng(5))
    b = sobol_indices(f, dists, 2**8, np.random.default_rng(5))
    c = sobol_indices(f, dists, 2**8, np.random.default_rng(6))
    assert a == b
    assert a["x1"]["S1"] != c["x1"]["S1"]


def test_sobol_of_a_constant_is_undefined():
    with pytest.warns(UserWarning, match="does not vary"):
        est = sobol_indices(
            lambda x: np.ones(x.shape[0]), [(0.0, 1.0)] * 2, 2**6, np.random.default_rng(0)
        )
    assert all(math.isnan(v) for idx in est.values() for v in idx.values())


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
    from forecast.results import Sensitivity

    out = Sensitivity.from_analyses(
        sweep(uncertain_result, values=[3.0, 24.0]),
        tornado(uncertain_result),
        {"x": {"S1": 0.1, "S1_conf": 0.01, "ST": 0.2, "ST_conf": float("nan")}},
        [],
    ).to_json()
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


def _normal_crps(mu: float, sigma: float, y: float) -> float:
    """CRPS(N(mu, sigma), y) = sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)), z = (y-mu)/sigma
    (Gneiting and Raftery 2007), written out with math only."""
    z = (y - mu) / sigma
    cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return sigma * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi))


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0.0, 1.0, 0.0), (25.0, 0.4, 25.9), (3, 2, -1)])
def test_crps_of_a_normal_against_the_closed_form(mu, sigma, y):
    from scipy import stats

    # An evenly spread ensemble (quantiles at (i - 1/2) / S): its empirical CRPS is within
    # about 1e-8 sigma of the normal's, so the tolerance can be tight enough to tell the
    # estimators apart: the "fair" one is 2.8e-5 sigma lower here (E|X - X'| / (2 S)).
    s = 20_000
    draws = stats.norm(mu, sigma).ppf((np.arange(s) + 0.5) / s)
    assert float(crps(draws, y)) == pytest.approx(_normal_crps(mu, sigma, y), abs=1e-6 * sigma)
    # The standard normal at 0: 2 phi(0) - 1/sqrt(pi) = 0.23370...
    assert _normal_crps(0.0, 1.0, 0.0) == pytest.approx(0.233695, abs=1e-6)


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
