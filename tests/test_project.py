"""The projection engine against the design's closed forms (deterministic inputs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.project.engine import (
    ConstraintDraws,
    LogLinear,
    ProjectionInputs,
    closed_form_hit,
    interval,
    project,
    solve_hit,
)
from helpers import design_capex_hit

LN2 = math.log(2)


def make_inputs(
    s=5,
    tc_months=6.0,
    th_years=2.5,
    te_years=2.5,
    growth=0.05,
    eff_limit=np.inf,
    constraints=None,
    horizon=2060.0,
):
    ones = np.ones(s)
    compute = LogLinear(np.full(s, math.log10(5e26)), ones * math.log10(2) * 12 / tc_months, 2025.5)
    price = LogLinear(np.full(s, math.log10(3e10)), ones * math.log10(2) / th_years, 2025.0)
    eff = LogLinear(np.full(s, math.log10(1.4e12)), ones * math.log10(2) / te_years, 2025.0)
    if constraints is None:
        constraints = (
            ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, ones * growth, ones),
        )
    return ProjectionInputs(
        compute=compute,
        price_performance=price,
        efficiency=eff,
        efficiency_limit=ones * eff_limit,
        utilization=ones * 0.35,
        training_days=ones * 100,
        overhead=ones * 1.5,
        lifetime_years=ones * 4,
        pue=ones * 1.2,
        electricity_usd_per_kwh=ones * 0.08,
        constraints=tuple(constraints),
        start_year=2026.0,
        horizon=horizon,
    )


def test_capex_hit_matches_design_closed_form():
    inp = make_inputs()
    expected = design_capex_hit(
        5e26, 2025.5, 0.5, 3e10, 2025.0, 2.5, 1e12, 2018.0, 0.05, 1.0, 1.5, 0.35, 100 * 86400
    )
    got = closed_form_hit(inp, inp.constraints[0])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # The numerical solver (used for non-log-linear cases) agrees too.
    numeric = solve_hit(inp, inp.constraints[0], 2026.0, 2060.0)
    np.testing.assert_allclose(numeric, expected, atol=1e-6)
    ds = project(inp)
    np.testing.assert_allclose(ds["hit_year"].sel(constraint="budget"), expected, atol=1e-6)
    assert 2026 < expected < 2040


def test_power_hit_closed_form():
    limit_w = 5e9
    c = ConstraintDraws(
        "site", "power", None, np.ones(5) * limit_w, 2030.0, np.zeros(5), np.ones(5)
    )
    inp = make_inputs(constraints=[c])
    # P(t) = C(t) pue / (u D E(t)) = limit: solve the log-linear equation by hand.
    a = math.log(5e26 * 1.2 / (0.35 * 100 * 86400 * 1.4e12)) - math.log(limit_w)
    b = LN2 / 0.5 - LN2 / 2.5
    expected = (-a + b * 2025.5 - (LN2 / 2.5) * (2025.5 - 2025.0)) / b
    # Written as gap(t) = a + (LN2/0.5)(t - 2025.5) - (LN2/2.5)(t - 2025) = 0:
    expected = (-a + LN2 / 0.5 * 2025.5 - LN2 / 2.5 * 2025.0) / b
    np.testing.assert_allclose(project(inp)["hit_year"].sel(constraint="site"), expected, atol=1e-6)
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2060.0), expected, atol=1e-6)


def test_never_hits_when_limit_outgrows_demand():
    # Compute doubling every 10 years is slower than price-performance: cost falls.
    inp = make_inputs(tc_months=120.0)
    assert np.all(np.isinf(closed_form_hit(inp, inp.constraints[0])))
    ds = project(inp)
    assert np.all(np.isinf(ds["hit_year"]))
    assert np.all(ds["binding"] == -1)
    assert interval(ds["hit_year"].values[0]) == {"median": None, "p10": None, "p90": None}


def test_hit_beyond_horizon_is_inf():
    inp = make_inputs(horizon=2027.0)
    assert np.all(np.isinf(project(inp)["hit_year"]))


def test_amortized_and_saturated_efficiency_use_solver():
    ones = np.ones(5)
    cons = (
        ConstraintDraws("amortized", "spend", "amortized", ones * 1e11, 2025.0, ones * 0.0, ones),
        ConstraintDraws("site", "power", None, ones * 1e9, 2025.0, ones * 0.0, ones),
    )
    inp = make_inputs(constraints=cons, eff_limit=4.7e15)
    ds = project(inp)
    for name, basis in (("amortized", "amortized"), ("site", "power")):
        t = ds["hit_year"].sel(constraint=name).values
        assert np.all(np.isfinite(t))
        # At the hit year, demand equals the limit.
        from forecast.project.engine import ln_demand

        c = cons[0] if name == "amortized" else cons[1]
        gap = ln_demand(inp, basis, t) - c.ln_limit(t)
        np.testing.assert_allclose(gap, 0, atol=1e-8)


def test_constrained_trajectory_and_post_limit_doubling():
    inp = make_inputs()
    ds = project(inp)
    hit = float(ds["first_hit_year"][0])
    after = ds["year"] > hit + 1
    c, cc = ds["log10_flop"][0], ds["log10_flop_constrained"][0]
    assert np.all(cc <= c + 1e-12)
    # Before the first ceiling binds, the constrained run is the trend itself.
    before = ds["year"] <= hit
    assert int(before.sum()) >= 2
    np.testing.assert_allclose(cc.where(before, drop=True), c.where(before, drop=True), rtol=0)
    # A year after it, the constrained run is strictly smaller.
    assert np.all(cc.where(after, drop=True) < c.where(after, drop=True))
    # After a capex limit: growth = price-performance x budget growth.
    expected = 12 * LN2 / (LN2 / 2.5 + math.log(1.05))
    np.testing.assert_allclose(ds["post_limit_doubling_months"], expected, rtol=1e-9)


def test_costs_and_power_against_hand_computed_numbers():
    """One case worked out by hand (not with the engine's functions), so that a wrong
    term (say, the energy cost doubled or the lifetime applied twice) fails here."""
    ds = project(make_inputs(s=1))
    at = {
        k: float(ds[k].sel(year=2026.0)[0]) for k in ("capex_usd", "amortized_usd", "power_watts")
    }
    # 2026.0 is one doubling (6 months) after the 2025.5 level: C = 1e27 FLOP.
    # Price-performance and efficiency grow 2^(1/2.5) a year from their 2025.0 levels.
    grow = 2 ** (1 / 2.5)
    flops_per_usd, flops_per_watt = 3e10 * grow, 1.4e12 * grow
    seconds = 100 * 86_400  # training_days = 100
    chip_flop = 0.35 * seconds  # utilisation x time: FLOP per (FLOP/s) of peak bought
    capex = 1e27 * 1.5 / (chip_flop * flops_per_usd)  # overhead 1.5
    power = 1e27 * 1.2 / (chip_flop * flops_per_watt)  # PUE 1.2
    energy_usd = power * seconds / 3.6e6 * 0.08  # J -> kWh at 0.08 USD/kWh
    hardware_usd = capex * (100 / 365.25) / 4  # the run's share of a 4-year lifetime
    assert capex == pytest.approx(1.2530726e10, rel=1e-6)
    assert power == pytest.approx(2.1481244e8, rel=1e-6)
    assert energy_usd == pytest.approx(4.1243988e7, rel=1e-6)
    assert at["capex_usd"] == pytest.approx(capex, rel=1e-9)
    assert at["power_watts"] == pytest.approx(power, rel=1e-9)
    assert at["amortized_usd"] == pytest.approx(hardware_usd + energy_usd, rel=1e-9)
