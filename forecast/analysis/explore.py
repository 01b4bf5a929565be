"""What ``explore.html`` needs to move the assumptions in the browser: per-draw coefficients.

The page (:mod:`forecast.report.explore`) recomputes the hit year of every limit on each
change of a control, with the engine's closed form (:func:`forecast.project.hits.
closed_form_hit`): the gap between the largest run's log compute and the log compute a
limit allows is a line in time, and the hit year is its root, clipped to the window as
:func:`forecast.project.hits.hit_years` clips it.

Per draw (thinned to :data:`DRAWS`) and per limit this module exports that line at the
saved point, from the engine itself:

- the trend of the largest run: log10 FLOP at its reference year and its slope;
- the log10 FLOP the limit allows (:func:`forecast.project.limits.ln_affordable`) at the
  draw's engine hit year ``at`` (the end of the horizon year where it never binds), and its
  slope there;
- how that value and slope move per unit of each control's variable (log10 of the
  ceiling's level times share, log10(1 + growth), log10 of the training duration, the
  efficiency and price-performance slopes), by a finite difference through the engine's
  :func:`forecast.project.inputs.set_input`.

Where the engine's gap is log-linear (:func:`forecast.project.hits.is_log_linear`) these
are exact, so the page gives the engine's hit years for any setting. Where the engine
solves numerically (the realised duration's cap, efficiency bending to its physical
ceiling, the datasheet amortised cost) the line is the tangent at the saved hit year: it
gives the engine's hit year at the saved settings and a first-order approximation away
from them (``exact`` per limit says which).

The controls act on every draw alike (:func:`apply_settings` is the engine's side of the
same change): a doubling time, level, share, duration or rate set to ``v`` scales each
draw's value by ``v / median``; a growth set to ``v`` adds ``v - median`` to each draw's.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xarray as xr

from forecast.data.units import LN10
from forecast.project.engine import get_input, hit_years, is_log_linear, set_input
from forecast.project.limits import DEMAND_UNITS, ProjectionInputs, ln_affordable
from forecast.scenario.schema import Constraint

__all__ = ["DRAWS", "apply_settings", "explore_dataset", "thin"]

#: Draws the page carries (evenly spaced through the projection's draws).
DRAWS = 1000
#: Half-width (years) of the central difference giving a limit's slope at a year.
_DT = 0.01
#: The finite steps of the sensitivities (exact where the gap is log-linear).
_LEVEL_STEP = 2.0  # the ceiling's level times share, x2
_GROWTH_STEP = 0.05  # + 5 points a year
_DURATION_STEP = 1.25  # the training duration (or its cap), x1.25
_RATE_STEP = 0.8  # a hardware doubling time, x0.8


def thin(n_draws: int, n: int = DRAWS) -> np.ndarray:
    """Indices of ``n`` draws evenly spaced through ``n_draws`` (all when fewer)."""
    if n_draws <= n:
        return np.arange(n_draws)
    return np.arange(n) * n_draws // n


def _keys(inp: ProjectionInputs) -> dict[str, str]:
    """The scenario key each global control sets, for these inputs."""
    return {
        "doubling": "trend.doubling_time_months",
        "duration": (
            "hardware.max_training_days" if inp.realised is not None else "hardware.training_days"
        ),
        "efficiency": "hardware.efficiency_doubling_years",
        "price": "hardware.price_performance_doubling_years",
    }


def _level_key(inp: ProjectionInputs, i: int) -> str:
    return f"constraints[{i}].{Constraint.LIMITS[inp.constraints[i].kind]}"


def apply_settings(inp: ProjectionInputs, medians: dict, settings: dict) -> ProjectionInputs:
    """The engine's inputs with the page's settings applied (the page's semantics).

    ``settings`` holds any of ``doubling``, ``duration``, ``efficiency``, ``price`` (a
    control's value: each draw's value is scaled by value / median), ``horizon`` (a year)
    and ``limits`` (by constraint index: ``level`` a multiplier, ``share`` a value scaling
    each draw's by value / median, ``growth`` a value adding value - median). ``medians``
    are the page's (:func:`explore_dataset` attribute ``medians``).
    """
    keys = _keys(inp)
    for name, key in keys.items():
        if name in settings:
            ratio = settings[name] / medians[name]
            inp = set_input(inp, key, get_input(inp, key) * ratio)
    for i_str, lim in settings.get("limits", {}).items():
        i = int(i_str)
        m = medians["limits"][i]
        if "level" in lim:
            inp = set_input(
                inp, _level_key(inp, i), get_input(inp, _level_key(inp, i)) * lim["level"]
            )
        if "share" in lim:
            key = f"constraints[{i}].share"
            inp = set_input(inp, key, get_input(inp, key) * lim["share"] / m["share"])
        if "growth" in lim:
            key = f"constraints[{i}].growth_per_year"
            inp = set_input(inp, key, get_input(inp, key) + lim["growth"] - m["growth"])
    if "horizon" in settings:
        inp = dataclasses.replace(inp, horizon=float(settings["horizon"]))
    return inp


def _rate_slope(inp: ProjectionInputs, which: str) -> np.ndarray:
    """The log10-per-year slope the efficiency or price-performance control moves."""
    if inp.realised is not None:
        series = (
            inp.realised.flops_per_watt if which == "efficiency" else inp.realised.flops_per_usd
        )
    else:
        series = inp.efficiency if which == "efficiency" else inp.price_performance
    return np.asarray(series.slope, dtype=float)


def _line(inp: ProjectionInputs, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per limit and draw, log10 FLOP allowed at ``at`` (K, S) and its slope there."""
    value, slope = [], []
    for c, t in zip(inp.constraints, at, strict=True):  # a loop over limits, not draws
        value.append(ln_affordable(inp, c, t) / LN10)
        hi = ln_affordable(inp, c, t + _DT) / LN10
        lo = ln_affordable(inp, c, t - _DT) / LN10
        slope.append((hi - lo) / (2 * _DT))
    return np.array(value), np.array(slope)


def _median(x) -> float:
    return float(np.median(np.asarray(x, dtype=float)))


def explore_dataset(inp: ProjectionInputs, projection: xr.Dataset, n: int = DRAWS) -> xr.Dataset:
    """The per-draw coefficients of ``explore.html`` (see the module's docstring).

    Parameters
    ----------
    inp : ProjectionInputs
        The projection's inputs (all draws).
    projection : xarray.Dataset
        Their projection (:func:`forecast.project.engine.project`): the chart's allowed
        compute per year is its ``log10_flop_allowed``.
    n : int
        Draws kept.
    """
    from forecast.project.trajectory import take_draws

    rows = thin(inp.n_draws, n)
    inp = take_draws(inp, rows)
    hits = hit_years(inp)
    end = inp.end
    at = np.where(np.isfinite(hits), hits, end)
    value, slope = _line(inp, at)
    keys = _keys(inp)
    k = len(inp.constraints)

    def moved(new: ProjectionInputs) -> tuple[np.ndarray, np.ndarray]:
        v, b = _line(new, at)
        return v - value, b - slope

    # The ceiling's level (times share): log10 x2.
    lev = inp
    for i in range(k):
        lev = set_input(lev, _level_key(inp, i), get_input(inp, _level_key(inp, i)) * _LEVEL_STEP)
    d_level = moved(lev)[0] / math.log10(_LEVEL_STEP)
    # Growth: +5 points; the variable is log10(1 + g).
    grow, dx = inp, []
    for i in range(k):
        key = f"constraints[{i}].growth_per_year"
        g = get_input(inp, key)
        grow = set_input(grow, key, g + _GROWTH_STEP)
        dx.append(np.log10(1 + g + _GROWTH_STEP) - np.log10(1 + g))
    dv, db = moved(grow)
    d_growth_v, d_growth_b = dv / np.array(dx), db / np.array(dx)
    # The training duration (its cap under the realised conversion): log10 x1.25.
    dur = get_input(inp, keys["duration"])
    d_duration = moved(set_input(inp, keys["duration"], dur * _DURATION_STEP))[0] / math.log10(
        _DURATION_STEP
    )
    rates = {}
    for which in ("efficiency", "price"):
        before = _rate_slope(inp, which)
        new = set_input(inp, keys[which], get_input(inp, keys[which]) * _RATE_STEP)
        step = _rate_slope(new, which) - before
        dv, db = moved(new)
        rates[which] = (dv / step, db / step)

    c = inp.compute
    allowed = (
        projection["log10_flop_allowed"].isel(draw=rows).transpose("constraint", "draw", "year")
    )
    years = projection["year"].to_numpy()
    limits = [
        {
            "share": _median(cd.share),
            "growth": _median(cd.growth),
            "level": _median(cd.limit),
        }
        for cd in inp.constraints
    ]
    medians = {
        "doubling": _median(get_input(inp, keys["doubling"])),
        "duration": _median(dur),
        "efficiency": _median(get_input(inp, keys["efficiency"])),
        "price": _median(get_input(inp, keys["price"])),
        "limits": limits,
    }
    cdims = ("constraint", "draw")
    ds = xr.Dataset(
        {
            "draw_index": ("draw", rows),
            "trend_level": ("draw", np.asarray(c.log10_ref, dtype=float)),
            "trend_slope": ("draw", np.asarray(c.slope, dtype=float)),
            "duration": ("draw", np.asarray(dur, dtype=float)),
            "efficiency_slope": ("draw", _rate_slope(inp, "efficiency")),
            "price_slope": ("draw", _rate_slope(inp, "price")),
            "hit_year": (cdims, hits),
            "at": (cdims, at),
            "value": (cdims, value),
            "slope": (cdims, slope),
            "growth": (
                cdims,
                np.array([np.broadcast_to(cd.growth, (inp.n_draws,)) for cd in inp.constraints]),
            ),
            "d_level": (cdims, d_level),
            "d_growth_value": (cdims, d_growth_v),
            "d_growth_slope": (cdims, d_growth_b),
            "d_duration": (cdims, d_duration),
            "d_efficiency_value": (cdims, rates["efficiency"][0]),
            "d_efficiency_slope": (cdims, rates["efficiency"][1]),
            "d_price_value": (cdims, rates["price"][0]),
            "d_price_slope": (cdims, rates["price"][1]),
            "allowed": (("constraint", "draw", "year"), allowed.to_numpy()),
            "exact": (
                "constraint",
                np.array([is_log_linear(inp, cd) for cd in inp.constraints], dtype="i1"),
            ),
            "kind": ("constraint", [cd.kind for cd in inp.constraints]),
            "unit": ("constraint", [DEMAND_UNITS.get(cd.demand, "") for cd in inp.constraints]),
            "limit_key": ("constraint", [Constraint.LIMITS[cd.kind] for cd in inp.constraints]),
        },
        coords={
            "constraint": [cd.name for cd in inp.constraints],
            "year": years,
            "time": ("year", projection["time"].to_numpy()),
        },
        attrs={
            "trend_ref_year": float(c.ref_year),
            "start_year": float(inp.start_year),
            "horizon": float(inp.horizon),
            "end": float(end),
            "floor_log10": float(inp.record_floor_log10),
            "conversion": "realised" if inp.realised is not None else "datasheet",
            "draws_total": int(projection.sizes["draw"]),
            "new_era": bool(c.change_year is not None),
            "medians": medians,
        },
    )
    return ds
