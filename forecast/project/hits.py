"""Hit years (demand first meets a ceiling) and threshold years (the run first passes 1eN).

Per draw, vectorised: a ceiling whose gap to the demand is log-linear in time has a closed form
(:func:`closed_form_hit`); any other is solved on a grid refined by vectorised bisection
(:func:`first_crossing`, :func:`solve_hit`). :func:`hit_years` chooses between them for
every constraint. The thresholds (:data:`THRESHOLDS_LOG10`) are crossed by the
unconstrained record in closed form (:func:`threshold_years`) and by the run held to the
ceilings on a grid (:func:`held_threshold_years`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from forecast.data.units import LN10
from forecast.project.limits import ConstraintDraws, ProjectionInputs, ln_demand, ln_held
from forecast.project.trajectory import take_draws

__all__ = [
    "HELD_STEP_YEARS",
    "THRESHOLDS_LOG10",
    "closed_form_hit",
    "first_crossing",
    "held_threshold_years",
    "hit_years",
    "is_log_linear",
    "solve_hit",
    "threshold_years",
]

#: Compute thresholds (log10 FLOP) whose first crossing by the largest run is reported:
#: 1e25 (the EU AI Act's presumption of systemic risk) to 1e29.
THRESHOLDS_LOG10: tuple[int, ...] = (25, 26, 27, 28, 29)


def is_log_linear(inp: ProjectionInputs, c: ConstraintDraws) -> bool:
    """Whether the constraint's gap is linear in t (closed form applies)."""
    if inp.compute.bends_before(inp.end):
        return False
    what = c.demand
    if what in ("compute", "flops_max") or (what == "amortized" and inp.realised is not None):
        return True  # proportional to the compute itself (the amortised realised cost too)
    capped = inp.realised is not None and not np.all(np.isinf(inp.realised.max_days))
    if what in ("capex", "flops"):
        # The realised duration's cap bends them; the datasheet duration is fixed.
        return not capped
    if what == "power":
        return not capped and bool(np.all(np.isinf(inp.efficiency_limit)))
    return False  # the datasheet amortised cost: hardware plus energy, a sum of two trends


def closed_form_hit(
    inp: ProjectionInputs, c: ConstraintDraws, start: float | None = None
) -> np.ndarray:
    """Exact hit year where demand and limit are both log-linear; inf if never.

    The gap g(t) = ln demand(t) - ln limit(t) is a + b t, so t* = -a / b when b > 0.
    For a capex constraint this is the design's formula

        t* = [ln(share L0) - ln C0 - ln overhead + ln(uD) + ln H0
              + tc ln2/Tc - th ln2/Th - tl ln(1+g)] / (ln2/Tc - ln2/Th - ln(1+g)).

    Where the gap does not grow (b <= 0: the ceiling grows as fast as demand or faster)
    the hit year is ``start`` if demand is already at or above the ceiling there, and inf
    otherwise, as :func:`solve_hit` finds it.

    Parameters
    ----------
    inp : ProjectionInputs
    c : ConstraintDraws
        One of ``inp``'s constraints, whose gap is log-linear (:func:`is_log_linear`).
    start : float, optional
        Where the projection starts (default ``inp.start_year``: every caller, the hit
        years and the hit-year response alike, agrees with the solver).

    Returns
    -------
    numpy.ndarray
        Per draw, (S,). Where the gap grows, its root, unclipped (before ``start`` when
        the ceiling was already passed then; :func:`hit_years` clips it to the window).
    """
    start = inp.start_year if start is None else start
    g0 = ln_demand(inp, c, np.zeros(1)) - c.ln_limit(np.zeros(1))
    g1 = ln_demand(inp, c, np.ones(1)) - c.ln_limit(np.ones(1))
    slope = g1 - g0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(slope > 0, -g0 / slope, np.inf)
    # A gap that shrinks (or holds) from the start was closed only if it is closed at the
    # start: a ceiling passed before the start binds at once, however fast it grows.
    closed_at_start = (slope <= 0) & (g0 + slope * start >= 0)
    return np.where(closed_at_start, start, t)


def first_crossing(
    args,
    gap: Callable[..., np.ndarray],
    n_draws: int,
    lo: float,
    hi: float,
    step: float = 1.0,
    tol: float = 1e-10,
) -> np.ndarray:
    """First time in [lo, hi] where ``gap(*args, t)`` reaches 0, per draw (inf if none).

    A grid of ``step`` years brackets the first crossing, then vectorised bisection refines
    every draw at once to ``tol`` years. A draw whose gap is already >= 0 at ``lo`` gives
    ``lo``.

    Parameters
    ----------
    args : tuple
        Per-draw inputs (anything :func:`take_draws` restricts to some draws).
    gap : callable
        ``gap(*args, t)`` with ``t`` of shape (S, G) or (S,), in the shape of ``t``.
    n_draws : int
        S.
    lo, hi, step, tol : float
        The window, the grid spacing and the bisection's tolerance (years).
    """
    # The window's end is always on the grid, however it falls against the step.
    grid = np.append(np.arange(lo, hi, step), hi)
    above = gap(*args, np.broadcast_to(grid, (n_draws, grid.size))) >= 0
    first = np.argmax(above, axis=1)
    hit_any = above.any(axis=1)
    result = np.full(n_draws, np.inf)
    already = hit_any & (first == 0)
    result[already] = lo
    todo = hit_any & (first > 0)
    if todo.any():
        a = grid[first[todo] - 1].astype(float)
        b = grid[first[todo]].astype(float)
        sub = take_draws(tuple(args), todo)
        for _ in range(math.ceil(math.log2(step / tol))):
            mid = 0.5 * (a + b)
            up = gap(*sub, mid) >= 0
            b = np.where(up, mid, b)
            a = np.where(up, a, mid)
        result[todo] = 0.5 * (a + b)
    return result


def solve_hit(
    inp: ProjectionInputs, c: ConstraintDraws, lo: float, hi: float, **grid: float
) -> np.ndarray:
    """First year in [lo, hi] where demand reaches the limit, per draw (inf if none).

    :func:`first_crossing` of the gap between log demand and log limit (``grid``: its
    ``step`` and ``tol``). That gap is a sum
    of linear terms and at most two log-sum-exp terms, so it bends slowly: a yearly grid
    misses only a crossing and re-crossing within one year, which these inputs cannot
    produce. If demand already exceeds the limit at ``lo`` the hit year is ``lo``.
    """

    def gap(i: ProjectionInputs, k: ConstraintDraws, t: np.ndarray) -> np.ndarray:
        return ln_demand(i, k, t) - k.ln_limit(t)

    return first_crossing((inp, c), gap, inp.n_draws, lo, hi, **grid)


def hit_years(inp: ProjectionInputs) -> np.ndarray:
    """Hit year of every constraint per draw, in the window [start year, horizon].

    The closed form where a constraint's gap is log-linear (clipped to the window: a
    root before the start is the start, one beyond the horizon is ``inf``), else the
    grid-and-bisection solver of :func:`solve_hit`. This is what :func:`project` reports
    as ``hit_year``; sensitivity analyses call it alone, without the trajectories.

    Parameters
    ----------
    inp : ProjectionInputs

    Returns
    -------
    numpy.ndarray
        Shape (K constraints, S draws); ``inf`` where a constraint is not reached by the
        horizon.
    """
    hits = np.empty((len(inp.constraints), inp.n_draws))
    for i, c in enumerate(inp.constraints):  # a loop over constraints, never over draws
        if is_log_linear(inp, c):
            t = closed_form_hit(inp, c, inp.start_year)
            t = np.where(t > inp.end, np.inf, np.maximum(t, inp.start_year))
        else:
            t = solve_hit(inp, c, inp.start_year, inp.end)
        hits[i] = t
    return hits


def threshold_years(inp: ProjectionInputs, log10_flop) -> np.ndarray:
    """Year the largest run (unconstrained) reaches each compute threshold, per draw.

    The closed form of the log-linear trend, t = ref + (log10 X - level) / slope, not
    clamped: a year before the start says the trend had reached the threshold before the
    projection starts (whether a published run did is the report's to say), ``inf`` after
    the end of the horizon year or with no growth. Shape (len(log10_flop), S).
    """
    x = np.asarray(log10_flop, dtype=float)[:, None]
    c = inp.compute
    with np.errstate(divide="ignore", invalid="ignore"):
        t = c.ref_year + (x - c.log10_ref[None, :]) / c.slope[None, :]
        t = np.where(c.slope[None, :] > 0, t, np.inf)
        if c.change_year is not None:
            # Past the bend the new era's slope carries on from the level reached there.
            at_change = c.log10_ref + c.slope * (c.change_year - c.ref_year)
            late = c.change_year[None, :] + (x - at_change[None, :]) / c.slope_after[None, :]
            late = np.where(c.slope_after[None, :] > 0, late, np.inf)
            t = np.where(t <= c.change_year[None, :], t, late)
    return np.where(t > inp.end, np.inf, t)


#: Grid spacing (years) that brackets a threshold's first crossing on the held path: it
#: bends where a ceiling starts to bind, so a finer grid than the hit years' yearly one.
HELD_STEP_YEARS = 0.25


def held_threshold_years(inp: ProjectionInputs, log10_flop) -> np.ndarray:
    """Year the run held to the ceilings (:func:`ln_held`) first reaches each threshold.

    ``inp.start_year`` where it is already there at the start, ``inf`` where it is not by
    the end of the horizon year. Shape (len(log10_flop), S).
    """
    out = []
    for x in np.asarray(log10_flop, dtype=float):  # a loop over thresholds, not draws

        def gap(i: ProjectionInputs, t: np.ndarray, x: float = x) -> np.ndarray:
            return ln_held(i, t) - x * LN10

        out.append(
            first_crossing((inp,), gap, inp.n_draws, inp.start_year, inp.end, HELD_STEP_YEARS)
        )
    return np.array(out).reshape(-1, inp.n_draws)
