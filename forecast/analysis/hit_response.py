"""Elasticities of the hit years to the doubling time, and how close the race of limits is.

Both start from the base draws of :mod:`forecast.analysis.sensitivity`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from forecast.analysis.sensitivity import (
    Base,
    as_base,
    point_values,
    uncertain_inputs,
    year_or_none,
)
from forecast.data.units import LN10, doubling_months_from_ln_rate
from forecast.project.engine import (
    ProjectionInputs,
    closed_form_hit,
    get_input,
    hit_years,
    is_log_linear,
    ln_demand,
    solve_hit,
)
from forecast.project.scenario import ScenarioResult

__all__ = ["RACE_INPUTS", "binding_race", "elasticity", "median_inputs"]


# -- elasticity --------------------------------------------------------------------------------


def median_inputs(base: Base) -> ProjectionInputs:
    """Deterministic inputs (one draw): every uncertain input at its median."""
    inputs = uncertain_inputs(base)
    return base.point_inputs(point_values(inputs, np.full((1, len(inputs)), 0.5)), 1)


def elasticity(
    result: ScenarioResult | Base, constraint: str, rel_step: float = 1e-3
) -> dict[str, Any]:
    """Elasticity of a constraint's hit year with respect to the compute doubling time.

    Defined as the elasticity of the *time to the hit* (from the projection's start
    year t0), at the median inputs::

        E = d ln(t* - t0) / d ln Tc

    so E = 1 means that a 10% longer doubling time delays the hit by 10% of the
    remaining time. The compute level is held at its reference year tc while the
    doubling time Tc changes (as a sweep does). ``dt_dln_tc_years`` = d t* / d ln Tc
    (years of delay per unit change in ln Tc) is reported as well.

    Analytic: with g(t) = ln demand(t) - ln limit(t) the constraint's log gap, compute
    entering as ln C0 + r (t - tc) with r = ln2 / Tc, the implicit function theorem gives
    d t*/d ln Tc = r (t* - tc) / g'(t*). For a log-linear constraint (capex; power
    without an efficiency ceiling) g' is the constant slope of the closed form, so this
    is exact; otherwise g'(t*) is taken by a central difference of the gap at t*.

    Numerical: a central finite difference of the engine's own hit year
    (:func:`~forecast.project.engine.hit_years`) at Tc (1 +/- ``rel_step``).

    Parameters
    ----------
    result : ScenarioResult or Base
    constraint : str
        Constraint name.
    rel_step : float
        Relative step of the finite difference.

    Returns
    -------
    dict
        ``constraint``, ``definition``, ``doubling_time_months`` (Tc at the median),
        ``hit_year`` (t* at the median inputs; None if beyond the horizon),
        ``start_year``, ``analytic``, ``numerical`` (NaN when the hit is beyond the
        horizon or at the start), ``dt_dln_tc_years``, ``relative_difference``.
    """
    inp = median_inputs(as_base(result))
    names = [c.name for c in inp.constraints]
    if constraint not in names:
        raise KeyError(f"no constraint {constraint!r}; the scenario has {names}")
    c = inp.constraints[names.index(constraint)]
    t0, tc = inp.start_year, inp.compute.ref_year
    r = float(inp.compute.slope[0]) * LN10  # ln units per year
    tc_months = doubling_months_from_ln_rate(r)

    # The unclipped root of the gap (it may lie beyond the horizon or before the start).
    if is_log_linear(inp, c):
        t_star = float(closed_form_hit(inp, c)[0])
        g0 = ln_demand(inp, c, np.zeros(1)) - c.ln_limit(np.zeros(1))
        g1 = ln_demand(inp, c, np.ones(1)) - c.ln_limit(np.ones(1))
        slope = float((g1 - g0)[0])
    else:
        wide = dataclasses.replace(inp, horizon=inp.horizon + 200.0)
        t_star = float(solve_hit(wide, c, t0, wide.end)[0])
        h = 1e-4
        gap = ln_demand(inp, c, np.array([t_star - h, t_star + h])) - c.ln_limit(
            np.array([t_star - h, t_star + h])
        )
        slope = float((gap[1] - gap[0]) / (2 * h)) if math.isfinite(t_star) else math.nan
    dt_dln = r * (t_star - tc) / slope if math.isfinite(t_star) and slope > 0 else math.nan
    analytic = dt_dln / (t_star - t0) if math.isfinite(dt_dln) and t_star > t0 else math.nan

    def engine_hit(factor: float) -> float:
        # Scaling the doubling time by `factor` divides the log10 slope by it: the slope
        # is scaled directly, so that the step is exactly `factor` (no round trip
        # through months).
        scaled = dataclasses.replace(
            inp, compute=dataclasses.replace(inp.compute, slope=inp.compute.slope / factor)
        )
        return float(hit_years(scaled)[names.index(constraint), 0])

    hi, lo = engine_hit(1 + rel_step), engine_hit(1 - rel_step)
    if all(math.isfinite(x) and x > t0 for x in (hi, lo)):
        numerical = (math.log(hi - t0) - math.log(lo - t0)) / (
            math.log(1 + rel_step) - math.log(1 - rel_step)
        )
    else:
        numerical = math.nan
    rel = abs(numerical - analytic) / abs(analytic) if analytic else math.nan
    return {
        "constraint": constraint,
        "definition": "d ln(t* - t0) / d ln Tc at the median inputs",
        "doubling_time_months": tc_months,
        "hit_year": year_or_none(t_star, inp.end),
        "start_year": t0,
        "analytic": analytic,
        "numerical": numerical,
        "dt_dln_tc_years": dt_dln,
        "relative_difference": rel,
    }


# -- how close the race of limits is ------------------------------------------------------------

#: The inputs of the Sobol ranking (by total index) the race of limits is split by.
RACE_INPUTS = 2
RACE_PARTS = ("lower third", "upper third")


def binding_race(result: ScenarioResult, sobol: Mapping[str, Mapping[str, float]]) -> xr.Dataset:
    """Which limit binds first when one of the top inputs of the Sobol ranking is in the
    lower or the upper third of its draws: how much the order of the limits moves with it.

    Parameters
    ----------
    result : ScenarioResult
        The projection (``binding`` per draw) and its inputs.
    sobol : mapping
        ``{input: {"ST": ...}}`` of the first hit year (:func:`scenario_sobol`).

    Returns
    -------
    xarray.Dataset
        ``share`` (``input``, ``part``, ``constraint``): the share of the draws in that third
        in which the limit binds first (draws that meet none by the horizon stay in the
        denominator); ``ST`` per input; ``low`` and ``high``, the third's bounds, per input.
        Empty (no ``input``) without uncertain inputs.
    """
    names = [str(n) for n in result.projection["constraint"].to_numpy()]
    ranked = sorted(sobol, key=lambda k: -(sobol[k].get("ST") or 0.0))[:RACE_INPUTS]
    binding = np.asarray(result.projection["binding"].to_numpy(), dtype=int)
    share = np.zeros((len(ranked), len(RACE_PARTS), len(names)))
    bounds = np.zeros((len(ranked), 2))
    for i, key in enumerate(ranked):
        values = np.asarray(get_input(result.inputs, key), dtype=float)
        lo, hi = np.quantile(values, [1 / 3, 2 / 3])
        bounds[i] = lo, hi
        for j, part in enumerate((values <= lo, values >= hi)):
            chosen = binding[part]
            counts = np.bincount(chosen[chosen >= 0], minlength=len(names))[: len(names)]
            share[i, j] = counts / max(chosen.size, 1)
    return xr.Dataset(
        {
            "share": (("input", "part", "constraint"), share),
            "ST": ("input", np.array([float(sobol[k]["ST"]) for k in ranked], dtype=float)),
            "low": ("input", bounds[:, 0]),
            "high": ("input", bounds[:, 1]),
        },
        coords={
            "input": np.array(ranked, dtype=str),
            "part": list(RACE_PARTS),
            "constraint": np.array(names, dtype=str),
        },
    )
