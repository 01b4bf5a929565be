"""The projection engine: assembles one projection (:func:`project`) from its pieces.

Compute of the largest run (:mod:`forecast.project.trajectory`) -> dollars and watts
against each ceiling (:mod:`forecast.project.limits`) -> hit years and threshold years
(:mod:`forecast.project.hits`). Inputs are set by scenario key path in
:mod:`forecast.project.inputs`. This module re-exports the names of those modules that
the rest of the package imports from it.

Everything is vectorised over draws (axis 0); there is no Python loop over draws. All
growth is handled in natural logs so that enormous values (1e30 FLOP) stay exact.

"Never reached" is ``inf``: a hit year beyond the horizon, a ceiling that is never met
(and ``binding`` is -1 for a draw that meets none). NaN means undefined (the post-limit
doubling time of a draw with no binding ceiling). :mod:`forecast.stats` turns both into
``None`` in intervals.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from forecast.data.units import LN10, doubling_months_from_ln_rate, doubling_years
from forecast.project.hits import (
    THRESHOLDS_LOG10,
    closed_form_hit,
    first_crossing,
    held_threshold_years,
    hit_years,
    is_log_linear,
    solve_hit,
    threshold_years,
)
from forecast.project.inputs import (
    INPUT_KEYS,
    REALISED_RATE_KEYS,
    get_input,
    set_input,
    set_inputs,
    with_doubling_months,
)
from forecast.project.limits import (
    DEMAND_UNITS,
    ConstraintDraws,
    ProjectionInputs,
    Realised,
    ln_afford_from,
    ln_affordable,
    ln_demand,
    ln_duration,
    ln_efficiency,
    ln_held,
    ln_record,
    saturate_ln,
)
from forecast.project.trajectory import YEAR_IS, LogLinear, take_draws, year_instant

__all__ = [
    "INPUT_KEYS",
    "LN10",
    "ConstraintDraws",
    "LogLinear",
    "ProjectionInputs",
    "REALISED_RATE_KEYS",
    "Realised",
    "closed_form_hit",
    "get_input",
    "hit_years",
    "is_log_linear",
    "ln_affordable",
    "ln_demand",
    "ln_duration",
    "ln_efficiency",
    "project",
    "saturate_ln",
    "set_input",
    "set_inputs",
    "solve_hit",
    "take_draws",
    "threshold_years",
    "held_threshold_years",
    "ln_held",
    "ln_record",
    "first_crossing",
    "year_instant",
    "YEAR_IS",
    "with_doubling_months",
]

#: Years over which the forward doubling time is measured.
FORWARD_YEARS = 5.0


def _forward_doubling_months(inp: ProjectionInputs) -> np.ndarray:
    """Per draw, the doubling time (months) of the trend over its first five years."""
    t = np.array([inp.start_year, inp.start_year + FORWARD_YEARS])
    ln = inp.compute.ln(np.broadcast_to(t, (inp.n_draws, 2)))
    rate = (ln[:, 1] - ln[:, 0]) / FORWARD_YEARS
    with np.errstate(divide="ignore"):
        return np.where(rate > 0, doubling_months_from_ln_rate(rate), np.inf)


def project(inp: ProjectionInputs, step: float = 1.0) -> xr.Dataset:
    """Project the largest run and every constraint; one labelled Dataset.

    Parameters
    ----------
    inp : ProjectionInputs
        Per-draw inputs.
    step : float
        Grid spacing in years of the reported trajectories.

    Returns
    -------
    xarray.Dataset
        Dims ``draw``, ``year``, ``constraint``: ``log10_flop`` (the largest run: the
        record when ``inp.typical`` is given, else the trend), ``capex_usd``,
        ``amortized_usd``, ``power_watts`` of the trend run and the same with ``_held``
        along the path held to the ceilings, ``limit`` per constraint,
        ``hit_year`` per constraint and draw (inf if not by the horizon), ``binding``
        (index of the first binding constraint, -1 if none), ``first_hit_year``,
        ``log10_flop_constrained`` and ``post_limit_doubling_months``; with
        ``inp.typical`` also ``log10_flop_typical`` and the typical run's three demands
        (``capex_usd_typical``, ...).
    """
    s = inp.n_draws
    # Year labels from the year the projection starts in; each is read at its end.
    years = np.arange(math.floor(inp.start_year), inp.horizon + step / 2, step)
    tt = np.broadcast_to(year_instant(years), (s, years.size))
    names = [c.name for c in inp.constraints]
    # The record never falls below the largest run already published.
    ln_c = ln_record(inp, tt)

    hits = hit_years(inp)

    # The run's three demands on the grid, computed once: what a constraint allows
    # follows from them (:func:`ln_afford_from`).
    demand = {what: ln_demand(inp, what, tt, ln_c) for what in DEMAND_UNITS}
    ln_limit = np.stack([c.ln_limit(tt) for c in inp.constraints])  # (K, S, G)
    basis = [c.demand for c in inp.constraints]
    ln_afford = np.stack(
        [ln_afford_from(inp, b, tt, ln_c, demand[b], ln_limit[i]) for i, b in enumerate(basis)]
    )
    ln_constrained = np.minimum(ln_c, ln_afford.min(axis=0))
    first_hit = hits.min(axis=0)
    binding = np.where(np.isfinite(first_hit), hits.argmin(axis=0), -1)

    # Doubling time after the limit: the slope of the binding constraint's affordable
    # compute over the year after the hit (exact for log-linear inputs).
    post = np.full(s, np.nan)
    for i, c in enumerate(inp.constraints):
        sel = binding == i
        if sel.any():
            t0 = first_hit[sel]
            sub_inp, sub_c = take_draws((inp, c), sel)
            rate = ln_affordable(sub_inp, sub_c, t0 + 1.0) - ln_affordable(sub_inp, sub_c, t0)
            with np.errstate(divide="ignore", invalid="ignore"):
                post[sel] = np.where(rate > 0, doubling_months_from_ln_rate(rate), np.inf)

    held = {
        what: ln_demand(inp, what, tt, ln_constrained) for what in ("capex", "amortized", "power")
    }
    typical = {}
    if inp.typical is not None:
        # The typical frontier run (the top-n trend) beside the record, unconstrained.
        ln_typ = inp.typical.ln(tt)
        typical = {
            "log10_flop_typical": (("draw", "year"), ln_typ / LN10),
            **{
                f"{var}_typical": (("draw", "year"), np.exp(ln_demand(inp, what, tt, ln_typ)))
                for var, what in (
                    ("capex_usd", "capex"),
                    ("amortized_usd", "amortized"),
                    ("power_watts", "power"),
                )
            },
        }
    draw = np.arange(s)
    ds = xr.Dataset(
        {
            "log10_flop": (("draw", "year"), ln_c / LN10),
            "log10_flop_constrained": (("draw", "year"), ln_constrained / LN10),
            **typical,
            # When the record reaches each threshold (before the start: the trend had
            # reached it already), and when the run held to the ceilings does.
            "threshold_year": (("threshold", "draw"), threshold_years(inp, THRESHOLDS_LOG10)),
            "threshold_year_held": (
                ("threshold", "draw"),
                held_threshold_years(inp, THRESHOLDS_LOG10),
            ),
            "capex_usd": (("draw", "year"), np.exp(demand["capex"])),
            "amortized_usd": (("draw", "year"), np.exp(demand["amortized"])),
            "power_watts": (("draw", "year"), np.exp(demand["power"])),
            # The same demands along the path the run takes, held to the ceilings: the
            # held run is smaller, and under the realised conversion also shorter.
            **{
                f"{var}_held": (("draw", "year"), np.exp(held[what]))
                for var, what in (
                    ("capex_usd", "capex"),
                    ("amortized_usd", "amortized"),
                    ("power_watts", "power"),
                )
            },
            "limit": (("constraint", "draw", "year"), np.exp(ln_limit)),
            # The largest compute each ceiling allows, in one unit for every kind.
            "log10_flop_allowed": (("constraint", "draw", "year"), ln_afford / LN10),
            "hit_year": (("constraint", "draw"), hits),
            "first_hit_year": (("draw",), first_hit),
            "binding": (("draw",), binding),
            "post_limit_doubling_months": (("draw",), post),
            # The fitted current slope's doubling time (the forward one below may differ).
            "doubling_time_months": (
                ("draw",),
                12
                * doubling_years(
                    inp.compute.slope if inp.fitted_slope is None else inp.fitted_slope
                ),
            ),
            # The slope the projection actually uses over its first five years (a new era
            # may begin within them).
            "forward_doubling_months": (("draw",), _forward_doubling_months(inp)),
            "price_performance_doubling_years": (("draw",), inp.price_performance.doubling_years()),
            "efficiency_doubling_years": (("draw",), inp.efficiency.doubling_years()),
        },
        coords={
            "draw": draw,
            "year": years,
            # The instant each year label is read at (:data:`YEAR_IS`).
            "time": ("year", year_instant(years)),
            "constraint": names,
            "threshold": np.array(THRESHOLDS_LOG10, dtype=int),
        },
        attrs={"start_year": inp.start_year, "horizon": inp.horizon, "year_is": YEAR_IS},
    )
    ds["constraint_kind"] = ("constraint", [c.kind for c in inp.constraints])
    ds["constraint_basis"] = ("constraint", [c.basis or "" for c in inp.constraints])
    ds["constraint_demand"] = ("constraint", basis)
    return ds
