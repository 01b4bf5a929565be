"""The projection engine against the design's closed forms and hand-computed cases."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from forecast.project.engine import project
from forecast.project.hits import closed_form_hit, hit_years, solve_hit
from forecast.project.inputs import (
    INPUT_KEYS,
    get_input,
    set_input,
    set_inputs,
    with_doubling_months,
)
from forecast.project.limits import ConstraintDraws, ProjectionInputs
from forecast.project.trajectory import LogLinear
from forecast.stats import interval, quantiles
from helpers import design_capex_hit, make_inputs

LN2 = math.log(2)
SECONDS = 100 * 86_400  # 100 training days


def test_capex_hit_matches_design_closed_form():
    inp = make_inputs()
    expected = design_capex_hit(
        5e26, 2025.5, 0.5, 3e10, 2025.0, 2.5, 1e12, 2018.0, 0.05, 1.0, 1.5, 0.35, SECONDS
    )
    assert 2026 < expected < 2040  # inside the window, so nothing is clipped
    got = closed_form_hit(inp, inp.constraints[0])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # The numerical solver (used for non-log-linear cases) agrees too.
    numeric = solve_hit(inp, inp.constraints[0], 2026.0, 2060.0)
    np.testing.assert_allclose(numeric, expected, atol=1e-6)
    ds = project(inp)
    np.testing.assert_allclose(ds["hit_year"].sel(constraint="budget"), expected, atol=1e-6)


def test_power_hit_closed_form():
    limit_w = 5e9
    c = ConstraintDraws(
        "site", "power", None, np.ones(5) * limit_w, 2030.0, np.zeros(5), np.ones(5)
    )
    inp = make_inputs(constraints=[c])
    # gap(t) = a + (LN2/0.5)(t - 2025.5) - (LN2/2.5)(t - 2025) = 0, with
    # a = ln(C0 pue / (u D E0)) - ln(limit): solved for t by hand.
    a = math.log(5e26 * 1.2 / (0.35 * SECONDS * 1.4e12)) - math.log(limit_w)
    b = LN2 / 0.5 - LN2 / 2.5
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


def test_amortized_and_saturated_power_hits_against_hand_computed_demand():
    """The solver's hit years, checked with the demand written out by hand (not with the
    engine's own functions): at the hit year the run costs / draws exactly the limit."""
    ones = np.ones(5)
    cons = (
        ConstraintDraws("amortized", "spend", "amortized", ones * 1e11, 2025.0, ones * 0.0, ones),
        ConstraintDraws("site", "power", None, ones * 1e9, 2025.0, ones * 0.0, ones),
    )
    ds = project(make_inputs(constraints=cons, eff_limit=4.7e15))

    def by_hand(t: float) -> tuple[float, float]:
        compute = 5e26 * 2 ** ((t - 2025.5) / 0.5)
        flops_per_usd = 3e10 * 2 ** ((t - 2025.0) / 2.5)
        trend_eff = 1.4e12 * 2 ** ((t - 2025.0) / 2.5)
        eff = 1 / (1 / trend_eff + 1 / 4.7e15)  # the ceiling: 1/E = 1/E_trend + 1/E_max
        capex = compute * 1.5 / (0.35 * SECONDS * flops_per_usd)
        power = compute * 1.2 / (0.35 * SECONDS * eff)
        amortized = capex * (100 / 365.25) / 4 + power * SECONDS / 3.6e6 * 0.08
        return amortized, power

    t_amortized = float(ds["hit_year"].sel(constraint="amortized")[0])
    t_site = float(ds["hit_year"].sel(constraint="site")[0])
    assert 2026 < t_amortized < 2060 and 2026 < t_site < 2060
    assert by_hand(t_amortized)[0] == pytest.approx(1e11, rel=1e-8)
    assert by_hand(t_site)[1] == pytest.approx(1e9, rel=1e-8)
    # Every draw is the same here, so every draw has the same hit year.
    assert np.ptp(ds["hit_year"].values, axis=1) == pytest.approx([0, 0], abs=1e-12)


def test_constrained_trajectory_and_post_limit_doubling():
    inp = make_inputs()
    ds = project(inp)
    hit = float(ds["first_hit_year"][0])
    # Each year is read at its end (the coordinate "time"), the instant hit years compare with.
    after = ds["time"] > hit + 1
    c, cc = ds["log10_flop"][0], ds["log10_flop_constrained"][0]
    assert np.all(cc <= c)
    # Before the first ceiling binds, the constrained run is the trend itself.
    before = ds["time"] <= hit
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
    ds = project(make_inputs(s=1, start_year=2025.5))
    # The label 2025 is the end of 2025: the instant 2026.0.
    assert float(ds["time"].sel(year=2025)) == 2026.0
    at = {k: float(ds[k].sel(year=2025)[0]) for k in ("capex_usd", "amortized_usd", "power_watts")}
    # 2026.0 is one doubling (6 months) after the 2025.5 level: C = 1e27 FLOP.
    # Price-performance and efficiency grow 2^(1/2.5) a year from their 2025.0 levels.
    grow = 2 ** (1 / 2.5)
    flops_per_usd, flops_per_watt = 3e10 * grow, 1.4e12 * grow
    chip_flop = 0.35 * SECONDS  # utilisation x time: FLOP per (FLOP/s) of peak bought
    capex = 1e27 * 1.5 / (chip_flop * flops_per_usd)  # overhead 1.5
    power = 1e27 * 1.2 / (chip_flop * flops_per_watt)  # PUE 1.2
    energy_usd = power * SECONDS / 3.6e6 * 0.08  # J -> kWh at 0.08 USD/kWh
    hardware_usd = capex * (100 / 365.25) / 4  # the run's share of a 4-year lifetime
    assert capex == pytest.approx(1.2530726e10, rel=1e-6)
    assert power == pytest.approx(2.1481244e8, rel=1e-6)
    assert energy_usd == pytest.approx(4.1243988e7, rel=1e-6)
    assert at["capex_usd"] == pytest.approx(capex, rel=1e-9)
    assert at["power_watts"] == pytest.approx(power, rel=1e-9)
    assert at["amortized_usd"] == pytest.approx(hardware_usd + energy_usd, rel=1e-9)


# -- hit years of a case solved by hand, and setting inputs by key path ---------------------
#
# Compute 2.8125e25 FLOP in 2025.0, doubling every 6 months; chips at a constant 1e10
# FLOP/s per USD and 1e12 FLOP/s per W; utilisation 0.5, 100 days, overhead 1.5, PUE 1.
# Then capex(2025) = 2.8125e25 * 1.5 / (0.5 * 8.64e6 s * 1e10) = 1e12 / 1024 USD and
# power(2025) = 2.8125e25 / (0.5 * 8.64e6 * 1e12) = 1e12 / 153,600 W: against a constant
# 1e12 USD budget and a constant 1e12/150 W site, both are ten doublings, five years,
# away: each ceiling is hit in 2030.0 exactly. Every change below moves that by a whole
# number of doublings (half a year each), worked out in the comments.

C0 = 2.8125e25
SITE_W = 1e12 / 150


def solvable(n: int = 1) -> ProjectionInputs:
    ones = np.ones(n)
    flat = 0.0 * ones  # constant hardware: only compute grows
    return ProjectionInputs(
        compute=LogLinear(ones * math.log10(C0), ones * 2 * math.log10(2), 2025.0),
        price_performance=LogLinear(ones * 10.0, flat, 2025.0),
        efficiency=LogLinear(ones * 12.0, flat, 2025.0),
        efficiency_limit=ones * np.inf,
        utilization=ones * 0.5,
        training_days=ones * 100.0,
        overhead=ones * 1.5,
        lifetime_years=ones * 4.0,
        pue=ones * 1.0,
        electricity_usd_per_kwh=ones * 0.08,
        constraints=(
            ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, flat, ones),
            ConstraintDraws("site", "power", None, ones * SITE_W, 2030.0, flat, ones),
        ),
        start_year=2025.0,
        horizon=2045.0,
    )


def test_hit_years_of_the_case_solved_by_hand():
    hits = hit_years(solvable())
    assert hits.shape == (2, 1)
    np.testing.assert_allclose(hits, [[2030.0], [2030.0]], atol=1e-9)
    # project() reports the same solver's numbers.
    with np.errstate(divide="ignore"):  # constant hardware: an infinite doubling time
        ds = project(solvable())
    np.testing.assert_array_equal(ds["hit_year"].values, hits)


@pytest.mark.parametrize(
    ("key", "value", "budget", "site"),
    [
        # A 12-month doubling: ten doublings take ten years.
        ("trend.doubling_time_months", 12.0, 2035.0, 2035.0),
        # Twice the compute at the reference year: one doubling fewer.
        ("trend.level_flop", 2 * C0, 2029.5, 2029.5),
        # Chips twice as cheap: one doubling more for the budget; power unchanged.
        ("hardware.flops_per_usd", 2e10, 2030.5, 2030.0),
        # Price-performance doubling every year: cost doubles once a year, not twice.
        ("hardware.price_performance_doubling_years", 1.0, 2035.0, 2030.0),
        ("hardware.flops_per_watt", 4e12, 2030.0, 2031.0),
        ("hardware.efficiency_doubling_years", 1.0, 2030.0, 2035.0),
        # Half the utilisation: twice the chips and twice the power.
        ("hardware.utilization", 0.25, 2029.5, 2029.5),
        # Twice the days: half the chips and half the power.
        ("hardware.training_days", 200.0, 2030.5, 2030.5),
        ("hardware.overhead", 3.0, 2029.5, 2030.0),
        ("hardware.pue", 2.0, 2030.0, 2029.5),
        # A ceiling at the trend's own efficiency halves it: 1/E = 1/1e12 + 1/1e12.
        # Power is then no longer log-linear in general: the grid solver finds it.
        ("hardware.efficiency_limit_flop_per_joule", 1e12, 2030.0, 2029.5),
        ("constraints.budget.share", 0.5, 2029.5, 2030.0),
        ("constraints.budget.limit_usd", 2e12, 2030.5, 2030.0),
        # A budget doubling every year: 2 ln2 (t - 2025) - 10 ln2 = ln2 (t - 2018).
        ("constraints.budget.growth_per_year", 1.0, 2042.0, 2030.0),
        ("constraints.site.limit_watts", 4 * SITE_W, 2030.0, 2031.0),
        ("constraints[1].share", 0.25, 2030.0, 2029.0),
    ],
)
def test_set_input_moves_the_hit_years_as_worked_out_by_hand(key, value, budget, site):
    before = solvable()
    changed = set_input(before, key, value)
    np.testing.assert_allclose(hit_years(changed)[:, 0], [budget, site], atol=1e-8)
    # A copy: the inputs it came from are unchanged.
    np.testing.assert_allclose(hit_years(before)[:, 0], [2030.0, 2030.0], atol=1e-9)
    assert get_input(changed, key) == pytest.approx([value], rel=1e-12)


def test_set_input_per_draw_values_and_several_at_once():
    inp = solvable(3)
    # 3, 6 and 12 months: ten doublings in 2.5, 5 and 10 years.
    per_draw = with_doubling_months(inp, [3.0, 6.0, 12.0])
    np.testing.assert_allclose(hit_years(per_draw)[0], [2027.5, 2030.0, 2035.0], atol=1e-9)
    both = set_inputs(inp, {"hardware.utilization": 0.25, "constraints.budget.share": 0.5})
    np.testing.assert_allclose(hit_years(both)[0], [2029.0] * 3, atol=1e-9)  # two doublings


def test_set_input_rejects_unknown_keys_and_wrong_shapes():
    inp = solvable(3)
    for key in (
        "hardware.nope",
        "trend.level_year",
        "constraints.nope.share",
        "constraints.budget.limit_watts",  # a spend ceiling has limit_usd
        "constraints[2].share",
    ):
        with pytest.raises(KeyError):
            set_input(inp, key, 1.0)
    with pytest.raises(ValueError, match="3 per-draw values"):
        set_input(inp, "hardware.pue", [1.0, 2.0])
    assert "trend.doubling_time_months" in INPUT_KEYS and "hardware.pue" in INPUT_KEYS


# -- intervals and the "never" convention ---------------------------------------------------


def test_interval_and_quantiles_treat_inf_as_never():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, np.inf])
    # Positions 4.5, 0.9 and 8.1 of 0..9: the 90th percentile falls between 9 and "never".
    assert interval(x) == {"median": 5.5, "p10": 1.9, "p90": None}
    q = quantiles(x, [0.5, 0.1, 0.9])
    assert q[0] == 5.5 and q[1] == pytest.approx(1.9) and np.isposinf(q[2])
    # 101 values: the 90th percentile is exactly the 91st value, untouched by the inf.
    y = np.append(np.arange(100.0), np.inf)
    assert interval(y)["p90"] == 90.0
    # NaN is "undefined", also None; rounding to digits + 4 significant digits.
    assert interval(np.array([np.nan, 1.0, 2.0]))["median"] is None
    assert interval(np.array([2030.123456789012]), digits=2)["median"] == 2030.12
    assert interval(np.array([2030.123456789012]), digits=None)["median"] == 2030.123456789012


# -- the realised conversion: a second oracle, every trend given as numbers -----------------


LIMITS = {"capex": 1e13, "amortized": 1e11, "power": 1e9}


def _realised_inputs(max_days: float = math.inf, basis: str = "capex", kind: str = "spend"):
    """Compute 5e26 FLOP at 2025.5 doubling every 6 months; realised 2e8 FLOP/s per USD
    of cluster at 2024 doubling every 2 years; 5e11 FLOP/s per W all-in at 2024 doubling
    every 2.5 years; 1e17 FLOP per amortised USD at 2024 doubling every 1.5 years; runs
    of 90 days at 2024 growing 1.3x a year; one ceiling at 2025 growing 5% a year: 1e13 USD
    of capital, 1e11 USD amortised, or 1e9 W."""
    from forecast.project.limits import Realised

    s = 3
    ones = np.ones(s)
    base = make_inputs(s)
    realised = Realised(
        flops_per_usd=LogLinear(ones * math.log10(2e8), ones * math.log10(2) / 2.0, 2024.0),
        flops_per_watt=LogLinear(ones * math.log10(5e11), ones * math.log10(2) / 2.5, 2024.0),
        flop_per_usd_amortized=LogLinear(
            ones * math.log10(1e17), ones * math.log10(2) / 1.5, 2024.0
        ),
        duration_days=LogLinear(ones * math.log10(90.0), ones * math.log10(1.3), 2024.0),
        max_days=ones * max_days,
    )
    limit = LIMITS[basis if kind == "spend" else "power"]
    c = ConstraintDraws(
        "ceiling", kind, basis if kind == "spend" else None, ones * limit, 2025.0, ones * 0.05, ones
    )
    return dataclasses.replace(base, realised=realised, constraints=(c,))


def _hand_hit(kind: str, basis: str, max_days: float = math.inf) -> float:
    """Where ln demand = ln limit, every term written out by hand (natural logs)."""
    a = LN2 / 0.5  # compute: doubling every 6 months
    ln_c0 = math.log(5e26) - a * 2025.5  # ln C(t) = ln_c0 + a t
    g = math.log(1.05)
    ln_l0 = math.log(LIMITS[basis if kind == "spend" else "power"]) - g * 2025.0
    if basis == "amortized":
        r = LN2 / 1.5
        ln_r0 = math.log(1e17) - r * 2024.0
        return (ln_l0 - ln_c0 + ln_r0) / (a - r - g)
    if math.isinf(max_days):
        d = math.log(1.3)
        ln_d0 = math.log(90.0 * 86400) - d * 2024.0
    else:
        d, ln_d0 = 0.0, math.log(max_days * 86400)
    if kind == "power":
        r, ln_r0 = LN2 / 2.5, math.log(5e11) - LN2 / 2.5 * 2024.0
    else:
        r, ln_r0 = LN2 / 2.0, math.log(2e8) - LN2 / 2.0 * 2024.0
    # ln C - ln D - ln R = ln L  =>  (a - d - r - g) t = ln_l0 - ln_c0 + ln_d0 + ln_r0
    return (ln_l0 - ln_c0 + ln_d0 + ln_r0) / (a - d - r - g)


@pytest.mark.parametrize(
    ("kind", "basis", "max_days"),
    [
        ("spend", "capex", math.inf),
        ("spend", "amortized", math.inf),
        ("power", None, math.inf),
        ("spend", "capex", 30.0),  # the cap binds from the start: D is 30 days throughout
        ("power", None, 30.0),
    ],
)
def test_realised_conversion_meets_its_closed_form(kind, basis, max_days):
    inp = _realised_inputs(max_days, basis or "capex", kind)
    expected = _hand_hit(kind, basis or "capex", max_days)
    assert 2026 < expected < 2060  # the case is inside the projection
    got = hit_years(inp)[0]
    np.testing.assert_allclose(got, expected, atol=1e-6)
    ds = project(inp)  # the whole projection runs on the realised conversion too
    np.testing.assert_allclose(ds["hit_year"].to_numpy()[0], expected, atol=1e-6)
    held = ds["log10_flop_constrained"].to_numpy()
    assert np.all(
        held[:, ds["year"].to_numpy() > expected + 1]
        < ds["log10_flop"].to_numpy()[:, ds["year"].to_numpy() > expected + 1]
    )  # after the hit the run is held below the trend


def test_realised_amounts_by_hand():
    """One year, every amount written out: capex, power and amortised cost of the run."""
    from forecast.project.limits import ln_demand

    inp = _realised_inputs()
    t = np.array([2026.0])
    c = 5e26 * 2 ** ((2026.0 - 2025.5) / 0.5)
    days = 90.0 * 1.3**2.0
    capex = c / (days * 86400 * 2e8 * 2 ** (2.0 / 2.0))
    power = c / (days * 86400 * 5e11 * 2 ** (2.0 / 2.5))
    amortized = c / (1e17 * 2 ** (2.0 / 1.5))
    for what, value in (("capex", capex), ("power", power), ("amortized", amortized)):
        got = np.exp(ln_demand(inp, what, t))[0]
        assert got == pytest.approx(value, rel=1e-12), what


def test_held_costs_follow_the_held_compute():
    """Along the held path each demand is the trend's demand scaled by held / trend compute;
    before the first hit the two paths are the same run, after it the held one is cheaper."""
    inp = make_inputs(4, horizon=2045.0)
    ds = project(inp)
    scale = 10 ** (ds["log10_flop_constrained"] - ds["log10_flop"])
    for var in ("capex_usd", "amortized_usd", "power_watts"):
        np.testing.assert_allclose(ds[f"{var}_held"], ds[var] * scale, rtol=1e-12)
    hit = float(ds["first_hit_year"][0])
    before = ds["time"] < hit
    after = ds["time"] > hit + 1
    assert before.any() and after.any()
    np.testing.assert_allclose(
        ds["capex_usd_held"].isel(draw=0).where(before, drop=True),
        ds["capex_usd"].isel(draw=0).where(before, drop=True),
        rtol=1e-12,
    )
    assert bool((ds["capex_usd_held"] < ds["capex_usd"]).isel(draw=0).where(after, drop=True).all())


# -- the realised duration grows with the run's size ----------------------------------------


def _sized(size: float, max_days: float = math.inf, kind: str = "spend", basis: str = "capex"):
    """The realised oracle's inputs with a duration that scales as (C / 1e24)^size."""
    inp = _realised_inputs(max_days, basis, kind)
    realised = dataclasses.replace(inp.realised, duration_size=np.full(3, size))
    return dataclasses.replace(inp, realised=realised)


def test_realised_duration_grows_with_the_run_by_hand():
    """At 2026 a run of C FLOP lasts 90 x 1.3^2 x (C / 1e24)^0.4 days, up to the cap."""
    from forecast.project.limits import ln_demand

    t = np.array([2026.0])
    c = 5e26 * 2 ** ((2026.0 - 2025.5) / 0.5)
    days = 90.0 * 1.3**2.0 * (c / 1e24) ** 0.4  # 90 x 1.69 x 1000^0.4 = 2,414 days
    capex = c / (days * 86400 * 2e8 * 2 ** (2.0 / 2.0))
    power = c / (days * 86400 * 5e11 * 2 ** (2.0 / 2.5))
    got = np.exp(ln_demand(_sized(0.4), "capex", t))[0]
    assert got == pytest.approx(capex, rel=1e-12)
    assert np.exp(ln_demand(_sized(0.4), "power", t))[0] == pytest.approx(power, rel=1e-12)
    # Capped at 456 days, the run's size no longer changes its duration.
    capped = c / (456.0 * 86400 * 2e8 * 2 ** (2.0 / 2.0))
    assert np.exp(ln_demand(_sized(0.4, 456.0), "capex", t))[0] == pytest.approx(capped)
    # The amortised cost never depends on the duration.
    am = np.exp(ln_demand(_sized(0.4), "amortized", t))[0]
    assert am == pytest.approx(c / (1e17 * 2 ** (2.0 / 1.5)), rel=1e-12)


def _hand_hit_sized(size: float) -> float:
    """The capex hit year with D = D0(t) (C / 1e24)^size, by hand: ln capex is
    (1 - size) ln C - ln D0(t) + size ln 1e24 - ln R(t), linear in t."""
    a = LN2 / 0.5
    ln_c0 = math.log(5e26) - a * 2025.5
    g = math.log(1.05)
    ln_l0 = math.log(LIMITS["capex"]) - g * 2025.0
    d = math.log(1.3)
    ln_d0 = math.log(90.0 * 86400) - d * 2024.0 - size * math.log(1e24)
    r, ln_r0 = LN2 / 2.0, math.log(2e8) - LN2 / 2.0 * 2024.0
    # (1 - size)(ln_c0 + a t) - (ln_d0 + d t) - (ln_r0 + r t) = ln_l0 + g t
    return (ln_l0 - (1 - size) * ln_c0 + ln_d0 + ln_r0) / ((1 - size) * a - d - r - g)


@pytest.mark.parametrize("size", [0.0, 0.2, -0.3])
def test_realised_sized_duration_meets_its_closed_form(size):
    inp = _sized(size)
    expected = _hand_hit_sized(size)
    assert 2026 < expected < 2060
    np.testing.assert_allclose(hit_years(inp)[0], expected, atol=1e-6)
    np.testing.assert_allclose(project(inp)["hit_year"].to_numpy()[0], expected, atol=1e-6)


@pytest.mark.parametrize(("size", "max_days"), [(0.4, math.inf), (0.4, 200.0), (0.8, 400.0)])
def test_affordable_compute_spends_exactly_the_limit(size, max_days):
    """What a ceiling allows, fed back through the demand, costs exactly the ceiling, on
    both sides of the duration cap; and the held path's demand never exceeds the limit."""
    from forecast.project.limits import ln_affordable, ln_demand

    for kind in ("spend", "power"):
        inp = _sized(size, max_days, kind=kind)
        c = inp.constraints[0]
        t = np.broadcast_to(np.arange(2026.0, 2046.0), (3, 20))
        afford = ln_affordable(inp, c, t)
        np.testing.assert_allclose(ln_demand(inp, c, t, afford), c.ln_limit(t), atol=1e-9)
        ds = project(inp)
        var = "capex_usd_held" if kind == "spend" else "power_watts_held"
        assert bool((ds[var] <= ds["limit"].isel(constraint=0) * (1 + 1e-9)).all())


def test_hardware_doubling_times_set_the_realised_rates():
    """Under the realised conversion, efficiency_doubling_years is realised FLOP/s per W's
    rate; price_performance_doubling_years moves both cost series by the same amount."""
    inp = _realised_inputs()
    lg2 = math.log10(2.0)
    out = set_input(inp, "hardware.efficiency_doubling_years", 1.0)
    np.testing.assert_allclose(out.realised.flops_per_watt.slope, lg2)
    np.testing.assert_allclose(get_input(out, "hardware.efficiency_doubling_years"), 1.0)
    np.testing.assert_allclose(out.realised.flops_per_watt.log10_ref, math.log10(5e11))
    # The datasheet series is not read under the realised conversion and is left alone.
    np.testing.assert_array_equal(out.efficiency.slope, inp.efficiency.slope)
    # Capital: a 2-year doubling set to 1 year (+ lg2 / 2); the amortised series, 1.5 years,
    # moves by the same + lg2 / 2.
    out = set_input(inp, "hardware.price_performance_doubling_years", 1.0)
    np.testing.assert_allclose(out.realised.flops_per_usd.slope, lg2)
    np.testing.assert_allclose(out.realised.flop_per_usd_amortized.slope, lg2 / 1.5 + lg2 / 2)
    np.testing.assert_allclose(get_input(inp, "hardware.price_performance_doubling_years"), 2.0)
    # Power meets its ceiling later when realised efficiency doubles faster.
    power = _realised_inputs(kind="power")
    faster = set_input(power, "hardware.efficiency_doubling_years", 1.0)
    assert np.all(hit_years(faster)[0] > hit_years(power)[0])
