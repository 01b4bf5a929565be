"""Edge cases of the projection engine's formulas (forecast/project/), each by hand.

Each test pins a rule that a small change of the engine (an operator, a constant, a
comparison, a dropped argument) would break unnoticed by the other tests: these were
found by mutation testing (README, Quick start). Expected values are written out
from the documented formulas, never computed with the engine's own functions.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from forecast.project.engine import project
from forecast.project.hits import (
    first_crossing,
    held_threshold_years,
    is_log_linear,
    solve_hit,
    threshold_years,
)
from forecast.project.inputs import get_input, set_input
from forecast.project.limits import (
    ConstraintDraws,
    Realised,
    ln_affordable,
    ln_demand,
    ln_duration,
    ln_held,
)
from forecast.project.trajectory import LogLinear
from helpers import make_inputs

LN2 = math.log(2)
LN10 = math.log(10)
LOG10_2 = math.log10(2)
S = 2
ONES = np.ones(S)


def _realised(inp, size: float = 0.3, max_days: float = 200.0):
    """Flat realised series: 1e10 FLOP/s per USD, 1e11 FLOP/s per W, 1e17 FLOP per
    amortised USD, runs of 90 days (at 1e24 FLOP) growing as C^size, capped at
    ``max_days``."""
    flat = lambda v: LogLinear(ONES * math.log10(v), ONES * 0.0, 2024.0)  # noqa: E731
    realised = Realised(
        flops_per_usd=flat(1e10),
        flops_per_watt=flat(1e11),
        flop_per_usd_amortized=flat(1e17),
        duration_days=flat(90.0),
        max_days=ONES * max_days,
        duration_size=ONES * size,
    )
    return dataclasses.replace(inp, realised=realised)


def _flat(kind: str, limit: float, basis=None, extra=None, growth: float = 0.0):
    return ConstraintDraws(
        kind, kind, basis, ONES * limit, 2030.0, ONES * growth, ONES, dict(extra or {})
    )


def _bent(level: float, change: float, after: float, slope: float = 1.0):
    """log10 FLOP = level at 2026 rising ``slope`` a year until ``change``, then ``after``."""
    return LogLinear(ONES * level, ONES * slope, 2026.0, ONES * change, ONES * after)


# -- limits --------------------------------------------------------------------------------------


def test_a_data_ceiling_reads_its_tokens_per_parameter():
    """6 T^2 / k with T = 1e13 tokens x 2 epochs: k = 5 gives 4.8e26 FLOP, the default
    k = 20 (Chinchilla) 1.2e26."""
    c = _flat("data", 1e13, extra={"epochs": ONES * 2.0, "tokens_per_parameter": ONES * 5.0})
    np.testing.assert_allclose(np.exp(c.ln_limit_ref()), 6 * 2e13**2 / 5, rtol=1e-12)
    c = _flat("data", 1e13, extra={"epochs": ONES * 2.0})
    np.testing.assert_allclose(np.exp(c.ln_limit_ref()), 6 * 2e13**2 / 20, rtol=1e-12)


def test_the_datasheet_duration_broadcasts_one_compute_over_a_grid():
    """100 fixed days whatever the run: ln(100 x 86400) on every cell of t."""
    inp = make_inputs(S)
    got = ln_duration(inp, np.full((S, 4), 2030.0), 0.0)
    assert got.shape == (S, 4)
    np.testing.assert_allclose(got, math.log(100 * 86400.0), rtol=1e-14)


def test_an_unknown_demand_is_refused_by_name():
    inp = make_inputs(S)
    t = np.full(S, 2030.0)
    with pytest.raises(ValueError, match="unknown demand 'nope'"):
        ln_demand(inp, "nope", t)
    with pytest.raises(ValueError, match="unknown demand 'nope'"):
        ln_demand(_realised(inp), "nope", t)


@pytest.mark.parametrize(
    ("kind", "limit", "basis", "extra", "expected"),
    [
        # Amortised cost C / R_am: C = 1e9 USD x 1e17 FLOP per USD.
        ("spend", 1e9, "amortized", None, 1e26),
        # A compute ceiling allows its own FLOP.
        ("compute", 3e27, None, None, 3e27),
        # 1e20 FLOP per 100 days against runs of at most 1e9 days: 1e7 times that.
        ("compute", 1e20, None, {"limit_days": ONES * 100.0}, 1e27),
    ],
)
def test_demands_proportional_to_compute_are_inverted_in_one_step(
    kind, limit, basis, extra, expected
):
    """Under the realised conversion with a duration that grows with the run (size 0.3,
    far below its cap) these demands are still proportional to C: the affordable compute
    is the limit over the demand per FLOP (not the capex and power rule for a duration
    growing as C^0.3), by the projection and along the held path alike."""
    c = _flat(kind, limit, basis, extra)
    inp = _realised(make_inputs(S, constraints=[c]), max_days=1e9)
    t = np.full(S, 2045.0)  # the trend (about 1e32 FLOP) is far above every ceiling
    np.testing.assert_allclose(ln_affordable(inp, c, t), math.log(expected), rtol=1e-12)
    np.testing.assert_allclose(ln_held(inp, t), math.log(expected), rtol=1e-12)
    ds = project(inp)
    allowed = ds["log10_flop_allowed"].isel(constraint=0).to_numpy()
    np.testing.assert_allclose(allowed, math.log10(expected), rtol=1e-12)


def _capex_usd(flop: float, t: float) -> float:
    """make_inputs' datasheet capex: C x 1.5 / (0.35 x 100 days x H(t)), H = 3e10 FLOP/s
    per USD at 2025 doubling every 2.5 years."""
    return flop * 1.5 / (0.35 * 100 * 86400 * 3e10 * 2 ** ((t - 2025.0) / 2.5))


def test_demands_and_the_held_path_start_from_the_record_not_the_trend():
    """The largest run already published (1e28 FLOP) is above the trend (4e27 in 2027):
    the run's demands are that run's, and a 1e9-USD budget holds it to what 1e9 USD buys,
    whatever the record."""
    budget = ConstraintDraws("b", "spend", "capex", ONES * 1e9, 2026.0, ONES * 0.0, ONES)
    inp = dataclasses.replace(make_inputs(S, constraints=[budget]), record_floor_log10=28.0)
    ds = project(inp)
    capex = ds["capex_usd"].sel(year=2026).to_numpy()  # read at the instant 2027.0
    np.testing.assert_allclose(capex, _capex_usd(1e28, 2027.0), rtol=1e-12)
    affordable = 1e9 / _capex_usd(1.0, 2027.0)  # about 1e26 FLOP
    np.testing.assert_allclose(ln_held(inp, np.full(S, 2027.0)), math.log(affordable), rtol=1e-12)


# -- hit years and threshold years ------------------------------------------------------------


def test_demands_proportional_to_their_trends_have_closed_forms():
    """The datasheet capital cost is C / (fixed terms x H(t)): log-linear. The realised
    amortised cost is C / R_am(t), log-linear even when the duration is capped."""
    inp = make_inputs(S)
    assert is_log_linear(inp, inp.constraints[0])
    c = _flat("spend", 1e9, "amortized")
    assert is_log_linear(_realised(make_inputs(S, constraints=[c]), max_days=120.0), c)


def _bump(centre, width):
    """A gap >= 0 only within ``width`` years of ``centre`` (per draw)."""

    def gap(c, t):
        c = c.reshape(-1, *([1] * (np.ndim(t) - 1)))
        return width - np.abs(t - c)

    return gap


def test_first_crossing_brackets_on_its_grid_and_ends_the_grid_at_the_window_end():
    """A gap above zero only on [2026.8, 2027.2] is seen by a yearly grid from 2026 (2027
    is in it), not by a two-yearly one; one on [2030.4, 2030.8] only by a finer grid. The
    window's end is always on the grid: a crossing after the last whole step is found."""
    lo, hi = 2026.0, 2040.0
    got = first_crossing((np.full(S, 2027.0),), _bump(2027.0, 0.2), S, lo, hi)  # default step
    np.testing.assert_allclose(got, 2026.8, atol=1e-9)
    fine = _bump(2030.6, 0.2)
    assert np.all(np.isinf(first_crossing((np.full(S, 2030.6),), fine, S, lo, hi, step=1.0)))
    got = first_crossing((np.full(S, 2030.6),), fine, S, lo, hi, step=0.25)
    np.testing.assert_allclose(got, 2030.4, atol=1e-9)

    def rising(c, t):
        return t - c.reshape(-1, *([1] * (np.ndim(t) - 1)))

    got = first_crossing((np.full(S, 2030.3),), rising, S, lo, 2030.5)  # grid 2026..2030, 2030.5
    np.testing.assert_allclose(got, 2030.3, atol=1e-9)


def test_first_crossing_gives_the_window_start_where_the_gap_is_already_reached():
    """Draw 0 is past zero from the start (lo exactly); draw 1 crosses at 2029.5; a draw
    that never crosses is inf."""

    def gap(c, t):
        return t - c.reshape(-1, *([1] * (np.ndim(t) - 1)))

    got = first_crossing((np.array([2000.0, 2029.5, 2100.0]),), gap, 3, 2026.0, 2040.0)
    assert got[0] == 2026.0
    assert got[1] == pytest.approx(2029.5, abs=1e-9)
    assert got[2] == math.inf


def test_the_solver_steps_yearly_and_stops_at_its_tolerance():
    """A run peaking at 1e28 FLOP in 2027 passes a 10^27.8 compute ceiling only between
    2026.8 and 2027.2: the yearly grid (2027) catches it. With tol = 0.3 the bisection of
    a crossing at 2030.3 stops after ceil(log2(1 / 0.3)) = 2 halvings of [2030, 2031]:
    2030.5 is past it, 2030.25 not, and the answer is their midpoint, 2030.375."""
    c = _flat("compute", 10**27.8)
    inp = dataclasses.replace(make_inputs(S, constraints=[c]), compute=_bent(27.0, 2027.0, -1.0))
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2040.0), 2026.8, atol=1e-9)
    c = _flat("compute", 10**31.3)
    straight = LogLinear(ONES * 27.0, ONES * 1.0, 2026.0)
    inp = dataclasses.replace(make_inputs(S, constraints=[c]), compute=straight)
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2040.0, tol=0.3), 2030.375, atol=1e-12)


def test_a_trend_that_does_not_grow_reaches_no_threshold():
    """Documented: inf with no growth, even for a threshold below the trend's level."""
    inp = make_inputs(S)
    flat = dataclasses.replace(inp, compute=dataclasses.replace(inp.compute, slope=ONES * 0.0))
    assert np.all(threshold_years(flat, [25.0, 28.0]) == math.inf)


def test_the_held_path_is_searched_on_a_quarter_year_grid():
    """A run peaking at 10^28.4 FLOP in 2027.4 is above 1e28.2 only on (2027.2, 2027.6):
    2027.25 and 2027.5 are on the quarter-year grid, no whole year is."""
    inp = dataclasses.replace(make_inputs(S), compute=_bent(27.0, 2027.4, -1.0))
    got = held_threshold_years(inp, [28.2])
    assert got.shape == (1, S)
    np.testing.assert_allclose(got, 2027.2, atol=1e-9)


# -- the projection ------------------------------------------------------------------------------

DIMS = {
    "log10_flop": ("draw", "year"),
    "log10_flop_constrained": ("draw", "year"),
    "log10_flop_typical": ("draw", "year"),
    "capex_usd_typical": ("draw", "year"),
    "amortized_usd_typical": ("draw", "year"),
    "power_watts_typical": ("draw", "year"),
    "threshold_year": ("threshold", "draw"),
    "threshold_year_held": ("threshold", "draw"),
    "capex_usd": ("draw", "year"),
    "amortized_usd": ("draw", "year"),
    "power_watts": ("draw", "year"),
    "capex_usd_held": ("draw", "year"),
    "amortized_usd_held": ("draw", "year"),
    "power_watts_held": ("draw", "year"),
    "limit": ("constraint", "draw", "year"),
    "log10_flop_allowed": ("constraint", "draw", "year"),
    "hit_year": ("constraint", "draw"),
    "first_hit_year": ("draw",),
    "binding": ("draw",),
    "post_limit_doubling_months": ("draw",),
    "doubling_time_months": ("draw",),
    "forward_doubling_months": ("draw",),
    "price_performance_doubling_years": ("draw",),
    "efficiency_doubling_years": ("draw",),
    "constraint_kind": ("constraint",),
    "constraint_basis": ("constraint",),
    "constraint_demand": ("constraint",),
}


def _typical_inputs():
    """make_inputs with a typical run (1e26 FLOP at 2025.5 doubling every 6 months), a
    fitted slope of 0.5 OOM a year beside a forward trend that bends in 2028 (6-month
    doubling before, 24-month after in draw 0; falling 1 OOM a year in draw 1), and a
    power ceiling beside the capex budget."""
    inp = make_inputs(S)
    power = ConstraintDraws("grid", "power", None, ONES * 1e12, 2026.0, ONES * 0.0, ONES)
    compute = dataclasses.replace(
        inp.compute, change_year=ONES * 2028.0, slope_after=np.array([LOG10_2 / 2, -1.0])
    )
    typical = LogLinear(ONES * 26.0, ONES * 2 * LOG10_2, 2025.5)
    return dataclasses.replace(
        inp,
        compute=compute,
        typical=typical,
        fitted_slope=ONES * 0.5,
        constraints=(*inp.constraints, power),
    )


def test_the_projection_names_its_dimensions_and_attributes():
    ds = project(_typical_inputs())
    assert {v: ds[v].dims for v in DIMS} == DIMS
    assert ds.attrs == {"start_year": 2026.0, "horizon": 2060.0, "year_is": "end of year"}
    assert set(ds.sizes) == {"draw", "year", "constraint", "threshold"}
    assert ds["draw"].to_numpy().tolist() == [0, 1] and "draw" in ds.coords
    assert ds["threshold"].to_numpy().tolist() == [25, 26, 27, 28, 29]
    assert ds["constraint_basis"].to_numpy().tolist() == ["capex", ""]
    assert ds["constraint_demand"].to_numpy().tolist() == ["capex", "power"]


def test_the_typical_run_and_its_demands_by_hand():
    """At the instant 2027.0 the typical run is 1e26 x 2^3 FLOP; its capex is
    C x 1.5 / (0.35 x 100 d x H), its power C x 1.2 / (0.35 x 100 d x E) with E = 1.4e12
    FLOP/s per W at 2025 doubling every 2.5 years, its amortised cost the hardware's share
    over 4 years plus the energy at 0.08 USD/kWh."""
    ds = project(_typical_inputs())
    flop = 1e26 * 2**3
    seconds = 100 * 86400.0
    capex = _capex_usd(flop, 2027.0)
    watts = flop * 1.2 / (0.35 * seconds * 1.4e12 * 2 ** (2 / 2.5))
    amortized = capex * seconds / (4 * 365.25 * 86400) + watts * seconds * 0.08 / 3.6e6
    at = ds.sel(year=2026)
    np.testing.assert_allclose(at["log10_flop_typical"], math.log10(flop), rtol=1e-12)
    np.testing.assert_allclose(at["capex_usd_typical"], capex, rtol=1e-10)
    np.testing.assert_allclose(at["power_watts_typical"], watts, rtol=1e-10)
    np.testing.assert_allclose(at["amortized_usd_typical"], amortized, rtol=1e-10)


def test_doubling_times_current_and_forward_by_hand():
    """The current one is the fitted slope's: 12 log10(2) / 0.5 months. The forward one is
    over 2026-2031: 4 doublings by 2028, then 1.5 in three years (draw 0): 5.5 in 60
    months; draw 1 falls after 2028 (4 ln 2 - 3 ln 10 < 0): inf."""
    ds = project(_typical_inputs())
    np.testing.assert_allclose(ds["doubling_time_months"], 12 * LOG10_2 / 0.5, rtol=1e-12)
    fwd = ds["forward_doubling_months"].to_numpy()
    assert fwd[0] == pytest.approx(60 / 5.5, rel=1e-12)
    assert fwd[1] == math.inf


def test_a_shrinking_ceiling_leaves_no_post_limit_doubling():
    """A 1e9-USD budget halving every year binds at the start; what it buys then shrinks
    (x 0.5 x 2^(1/2.5) a year), so there is no doubling time after the limit: inf."""
    budget = ConstraintDraws("b", "spend", "capex", ONES * 1e9, 2026.0, ONES * -0.5, ONES)
    ds = project(make_inputs(S, constraints=[budget]))
    assert ds["binding"].to_numpy().tolist() == [0, 0]
    assert np.all(ds["post_limit_doubling_months"].to_numpy() == math.inf)


def test_the_projection_grid_follows_its_step():
    ds = project(make_inputs(S, horizon=2030.0), step=0.5)
    assert ds["year"].to_numpy().tolist() == [2026.0 + 0.5 * i for i in range(9)]


# -- inputs by key path --------------------------------------------------------------------------


def test_the_duration_cap_is_read_per_draw_and_only_under_the_realised_conversion():
    """One cap for every draw is read as one value per draw."""
    inp = _realised(make_inputs(S))
    inp = dataclasses.replace(inp, realised=dataclasses.replace(inp.realised, max_days=150.0))
    assert get_input(inp, "hardware.max_training_days").tolist() == [150.0, 150.0]
    for f in (get_input, lambda i, k: set_input(i, k, 1.0)):
        with pytest.raises(KeyError, match="'hardware.max_training_days': the datasheet"):
            f(make_inputs(S), "hardware.max_training_days")


def test_a_slope_set_by_hand_replaces_the_fitted_one_a_level_keeps_it():
    inp = dataclasses.replace(make_inputs(S), fitted_slope=ONES * 0.4)
    assert set_input(inp, "trend.doubling_time_months", 8.0).fitted_slope is None
    kept = set_input(inp, "trend.level_flop", 1e27).fitted_slope
    assert kept is not None and kept.tolist() == [0.4, 0.4]
    kept = set_input(inp, "hardware.price_performance_doubling_years", 2.0).fitted_slope
    assert kept is not None and kept.tolist() == [0.4, 0.4]


def _era_inputs(typical: bool = True):
    inp = make_inputs(S)
    compute = dataclasses.replace(inp.compute, change_year=ONES * 2030.0, slope_after=ONES * 0.1)
    return dataclasses.replace(
        inp,
        compute=compute,
        typical=compute if typical else None,
        era_wait=ONES * 0.5,
    )


def test_a_new_era_moves_the_typical_run_with_the_record():
    """A hazard of 0.25 a year ends the era 0.5 / 0.25 = 2 years after 2026."""
    inp = set_input(_era_inputs(), "trend.era_hazard_per_year", 0.25)
    assert inp.compute.change_year.tolist() == [2028.0, 2028.0]
    assert inp.typical.change_year.tolist() == [2028.0, 2028.0]
    inp = set_input(_era_inputs(), "trend.new_era_doubling_months", 24.0)
    np.testing.assert_allclose(inp.typical.slope_after, 12 * LOG10_2 / 24.0, rtol=1e-14)
    assert set_input(_era_inputs(False), "trend.era_hazard_per_year", 0.25).typical is None


def test_era_keys_need_both_a_bend_and_a_wait():
    inp = dataclasses.replace(_era_inputs(), era_wait=None)
    for key in ("trend.era_hazard_per_year", "trend.new_era_doubling_months"):
        with pytest.raises(KeyError, match=f"{key}.*these inputs model no new era"):
            get_input(inp, key)
        with pytest.raises(KeyError, match=f"{key}.*these inputs model no new era"):
            set_input(inp, key, 1.0)


def test_a_constraints_factor_left_out_reads_as_its_default():
    data = ConstraintDraws("d", "data", None, ONES * 1e13, 2026.0, ONES * 0.0, ONES)
    power = ConstraintDraws("p", "power", None, ONES * 1e9, 2026.0, ONES * 0.0, ONES)
    inp = make_inputs(S, constraints=[data, power])
    assert get_input(inp, "constraints.d.tokens_per_parameter").tolist() == [20.0, 20.0]
    assert get_input(inp, "constraints.p.sites").tolist() == [1.0, 1.0]


def test_constraint_keys_name_the_constraint_by_its_full_name_or_index():
    c = ConstraintDraws("us.east", "spend", "capex", ONES * 1e9, 2026.0, ONES * 0.0, ONES)
    inp = make_inputs(S, constraints=[c])
    assert set_input(inp, "constraints.us.east.share", 0.5).constraints[0].share.tolist() == [
        0.5,
        0.5,
    ]
    with pytest.raises(KeyError, match=r"'constraints\[3\].share': there are 1 constraints"):
        get_input(inp, "constraints[3].share")
    with pytest.raises(KeyError, match="no constraint 'us.west'; the inputs have"):
        get_input(inp, "constraints.us.west.share")
    keys = r"\['limit_usd', 'growth_per_year', 'share'\]"
    with pytest.raises(KeyError, match=f"a spend constraint has {keys}"):
        get_input(inp, "constraints.us.east.limit_watts")


def test_values_of_the_wrong_shape_or_keys_of_no_input_are_refused():
    inp = make_inputs(S)
    with pytest.raises(ValueError, match=r"expected a number or 2 per-draw values"):
        set_input(inp, "hardware.pue", np.ones((S, 1)))
    with pytest.raises(KeyError, match="'hardware.nope' is not an input of the projection"):
        set_input(inp, "hardware.nope", 1.0)
    with pytest.raises(KeyError, match="'hardware.nope' is not an input of the projection"):
        get_input(inp, "hardware.nope")
