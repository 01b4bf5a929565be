"""Setting and reading the projection's inputs by their scenario key paths.

Any input can be set by its scenario key path (:func:`set_input`, e.g.
``set_input(inputs, "hardware.pue", 1.1)``), in the scenario's units, with the same
arithmetic as :func:`forecast.pipeline.build_inputs`, so that sensitivity analyses change
inputs without building scenarios; :func:`get_input` reads one back.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from forecast.data.units import (
    doubling_months,
    doubling_years,
    slope_from_doubling_months,
    slope_from_doubling_years,
)
from forecast.project.limits import ProjectionInputs
from forecast.scenario.schema import Constraint

__all__ = [
    "INPUT_KEYS",
    "REALISED_RATE_KEYS",
    "SCALAR_FIELDS",
    "get_input",
    "set_input",
    "set_inputs",
    "with_doubling_months",
]

#: Series components: key path -> (series field, LogLinear field, to engine units, back).
#: The conversions are those of :func:`forecast.pipeline.build_inputs`, so that a value
#: set here gives the inputs the pipeline would have built from it.
_SERIES: dict[str, tuple[str, str, Callable, Callable]] = {
    "trend.doubling_time_months": (
        "compute",
        "slope",
        slope_from_doubling_months,
        doubling_months,
    ),
    "trend.level_flop": ("compute", "log10_ref", np.log10, lambda x: 10.0**x),
    "hardware.price_performance_doubling_years": (
        "price_performance",
        "slope",
        slope_from_doubling_years,
        doubling_years,
    ),
    "hardware.flops_per_usd": ("price_performance", "log10_ref", np.log10, lambda x: 10.0**x),
    "hardware.efficiency_doubling_years": (
        "efficiency",
        "slope",
        slope_from_doubling_years,
        doubling_years,
    ),
    "hardware.flops_per_watt": ("efficiency", "log10_ref", np.log10, lambda x: 10.0**x),
}
#: Per-run inputs: key path -> ProjectionInputs field (same units as the scenario).
_SCALARS: dict[str, str] = {
    "hardware.efficiency_limit_flop_per_joule": "efficiency_limit",
    "hardware.utilization": "utilization",
    "hardware.training_days": "training_days",
    "hardware.overhead": "overhead",
    "hardware.lifetime_years": "lifetime_years",
    "hardware.pue": "pue",
    "hardware.electricity_usd_per_kwh": "electricity_usd_per_kwh",
}
#: The per-run ProjectionInputs fields that are plain arrays, one value per draw.
SCALAR_FIELDS: tuple[str, ...] = tuple(_SCALARS.values())
#: Constraint inputs: scenario key -> ConstraintDraws field.
#: Each kind's limit key and its own factors (scenario key -> kind), as the schema has them.
_LIMIT_OF_KIND: dict[str, str] = Constraint.LIMITS
_EXTRA_OF_KIND: dict[str, tuple[str, ...]] = Constraint.EXTRAS
_CONSTRAINT: dict[str, str] = {
    **{limit: "limit" for limit in _LIMIT_OF_KIND.values()},
    "growth_per_year": "growth",
    "share": "share",
}
#: Every key path :func:`set_input` accepts besides ``constraints.<name>.<key>``.
#: Inputs of a new era (``[trend] forward = "hazard"``).
_ERA_KEYS: tuple[str, ...] = ("trend.era_hazard_per_year", "trend.new_era_doubling_months")
#: The realised conversion's cap on the training duration (days).
_MAX_DAYS_KEY = "hardware.max_training_days"
INPUT_KEYS: tuple[str, ...] = (*_SERIES, *_SCALARS, *_ERA_KEYS, _MAX_DAYS_KEY)
#: Under the realised conversion the hardware doubling times name realised rates:
#: energy efficiency is realised FLOP/s per watt; price-performance moves the two cost
#: series (FLOP/s per dollar of cluster, FLOP per amortised dollar) together, each keeping
#: its fitted offset from the first (they share one improvement rate; models/conversion.py).
_REALISED_RATES: dict[str, tuple[str, ...]] = {
    "hardware.efficiency_doubling_years": ("flops_per_watt",),
    "hardware.price_performance_doubling_years": ("flops_per_usd", "flop_per_usd_amortized"),
}
REALISED_RATE_KEYS: tuple[str, ...] = tuple(_REALISED_RATES)

_BY_INDEX = re.compile(r"constraints\[(\d+)\]\.(\w+)")


def _constraint_key(inp: ProjectionInputs, key: str) -> tuple[int, str]:
    """Index and ConstraintDraws field of ``constraints.<name>.<key>`` (or ``[i].<key>``)."""
    names = [c.name for c in inp.constraints]
    m = _BY_INDEX.fullmatch(key)
    if m:
        i, what = int(m.group(1)), m.group(2)
        if i >= len(names):
            raise KeyError(f"{key!r}: there are {len(names)} constraints")
    else:
        # Names may contain dots: the scenario key is the part after the last one.
        name, _, what = key.removeprefix("constraints.").rpartition(".")
        if name not in names:
            raise KeyError(f"{key!r}: no constraint {name!r}; the inputs have {names}")
        i = names.index(name)
    c = inp.constraints[i]
    expected_limit = _LIMIT_OF_KIND[c.kind]
    extras = [k for k, kinds in _EXTRA_OF_KIND.items() if c.kind in kinds]
    if what in extras:
        return i, what
    if what not in _CONSTRAINT or (what.startswith("limit_") and what != expected_limit):
        keys = [expected_limit, "growth_per_year", "share", *extras]
        raise KeyError(f"{key!r}: a {c.kind} constraint has {keys}")
    return i, _CONSTRAINT[what]


def _per_draw(inp: ProjectionInputs, values: Any) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim > 1 or (v.ndim == 1 and v.shape[0] != inp.n_draws):
        raise ValueError(f"expected a number or {inp.n_draws} per-draw values, got shape {v.shape}")
    return np.broadcast_to(v, (inp.n_draws,)).copy()


def set_input(inp: ProjectionInputs, key: str, values: Any) -> ProjectionInputs:
    """A copy of ``inp`` with one input set by its scenario key path.

    Parameters
    ----------
    inp : ProjectionInputs
    key : str
        A key of :data:`INPUT_KEYS` (``"trend.doubling_time_months"``,
        ``"hardware.pue"``, ...; under the realised conversion the hardware doubling
        times set the realised rates, see :data:`REALISED_RATE_KEYS`) or
        ``"constraints.<name>.<limit_usd|limit_watts|growth_per_year|share>"`` (also
        ``"constraints[<i>]...."``).
    values : float or array_like
        In the scenario's units: one number for every draw, or one per draw. A series
        keeps its reference year (setting the trend's doubling time keeps its level at
        ``compute.ref_year``, as :func:`forecast.pipeline.build_inputs` does). Values are
        not range-checked: that is the scenario's job, before any fit.

    Returns
    -------
    ProjectionInputs

    Raises
    ------
    KeyError
        For a key that names no input.
    ValueError
        For values of the wrong shape.
    """
    v = _per_draw(inp, values)
    if key in _ERA_KEYS:
        return _set_era(inp, key, v)
    if key == _MAX_DAYS_KEY:
        if inp.realised is None:
            raise KeyError(f"{key!r}: the datasheet conversion has no duration cap")
        return dataclasses.replace(inp, realised=dataclasses.replace(inp.realised, max_days=v))
    if inp.realised is not None and key in _REALISED_RATES:
        names = _REALISED_RATES[key]
        delta = slope_from_doubling_years(v) - getattr(inp.realised, names[0]).slope
        moved = {
            n: dataclasses.replace(
                getattr(inp.realised, n), slope=getattr(inp.realised, n).slope + delta
            )
            for n in names
        }
        return dataclasses.replace(inp, realised=dataclasses.replace(inp.realised, **moved))
    if key in _SERIES:
        series, attr, to_engine, _ = _SERIES[key]
        new = dataclasses.replace(getattr(inp, series), **{attr: to_engine(v)})
        # A slope set by hand is both the current and the forward one.
        fitted = None if (series, attr) == ("compute", "slope") else inp.fitted_slope
        return dataclasses.replace(inp, **{series: new}, fitted_slope=fitted)
    if key in _SCALARS:
        return dataclasses.replace(inp, **{_SCALARS[key]: v})
    if key.startswith("constraints"):
        i, attr = _constraint_key(inp, key)
        constraints = list(inp.constraints)
        c = constraints[i]
        if attr in _EXTRA_OF_KIND:
            constraints[i] = dataclasses.replace(c, extra={**c.extra, attr: v})
        else:
            constraints[i] = dataclasses.replace(c, **{attr: v})
        return dataclasses.replace(inp, constraints=tuple(constraints))
    raise KeyError(f"{key!r} is not an input of the projection")


def _check_era(inp: ProjectionInputs, key: str) -> None:
    if inp.compute.change_year is None or inp.era_wait is None:
        raise KeyError(f'{key!r}: these inputs model no new era ([trend] forward = "era")')


def _set_era(inp: ProjectionInputs, key: str, v: np.ndarray) -> ProjectionInputs:
    """A new era's hazard or doubling time set on the trend (and on the typical run)."""
    _check_era(inp, key)
    if key == "trend.new_era_doubling_months":
        bend = {"slope_after": slope_from_doubling_months(v)}
    else:
        with np.errstate(divide="ignore"):
            bend = {"change_year": inp.start_year + inp.era_wait / v}
    typical = None if inp.typical is None else dataclasses.replace(inp.typical, **bend)
    return dataclasses.replace(
        inp, compute=dataclasses.replace(inp.compute, **bend), typical=typical
    )


def set_inputs(inp: ProjectionInputs, values: Mapping[str, Any]) -> ProjectionInputs:
    """:func:`set_input` for several key paths at once."""
    for key, v in values.items():
        inp = set_input(inp, key, v)
    return inp


def with_doubling_months(inp: ProjectionInputs, months: Any) -> ProjectionInputs:
    """A copy with the compute trend's doubling time set (months; one or per draw).

    The level at the trend's reference year stays.
    """
    return set_input(inp, "trend.doubling_time_months", months)


def get_input(inp: ProjectionInputs, key: str) -> np.ndarray:
    """Per-draw values of one input in the scenario's units (the inverse of :func:`set_input`).

    E.g. the doubling time in months for ``"trend.doubling_time_months"``, FLOP/s per
    USD for ``"hardware.flops_per_usd"`` (the level at the series' reference year).
    Under the realised conversion the hardware doubling times are the realised rates'.
    """
    if key == _MAX_DAYS_KEY:
        if inp.realised is None:
            raise KeyError(f"{key!r}: the datasheet conversion has no duration cap")
        return np.broadcast_to(
            np.asarray(inp.realised.max_days, dtype=float), (inp.n_draws,)
        ).copy()
    if key in _ERA_KEYS:
        _check_era(inp, key)
        c = inp.compute
        if key == "trend.new_era_doubling_months":
            return np.asarray(doubling_months(c.slope_after), dtype=float)
        with np.errstate(divide="ignore"):
            return np.asarray(inp.era_wait / (c.change_year - inp.start_year), dtype=float)
    if inp.realised is not None and key in _REALISED_RATES:
        return doubling_years(getattr(inp.realised, _REALISED_RATES[key][0]).slope)
    if key in _SERIES:
        series, attr, _, from_engine = _SERIES[key]
        return np.asarray(from_engine(getattr(getattr(inp, series), attr)), dtype=float)
    if key in _SCALARS:
        return np.asarray(getattr(inp, _SCALARS[key]), dtype=float)
    if key.startswith("constraints"):
        i, attr = _constraint_key(inp, key)
        c = inp.constraints[i]
        if attr in _EXTRA_OF_KIND:
            default = Constraint.DEFAULTS.get(attr, 1.0)
            return np.broadcast_to(
                np.asarray(c.extra.get(attr, default), dtype=float), (inp.n_draws,)
            ).copy()
        return np.asarray(getattr(c, attr), dtype=float)
    raise KeyError(f"{key!r} is not an input of the projection")
