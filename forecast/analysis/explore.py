"""What ``explore.html`` carries: the projection's inputs, thinned, and the page's controls.

The page (:mod:`forecast.report.explore`, ``explore.js``) recomputes the projection in
the browser on every change of a control, with the engine's own formulas: the demand
of the run on each ceiling (:func:`forecast.project.limits.ln_demand`), the compute each
ceiling allows (:func:`~forecast.project.limits.ln_afford_from`), the run held to the
ceilings (:func:`~forecast.project.limits.ln_held`), the hit years (the closed form
where the gap is log-linear, else the same grid and bisection,
:func:`forecast.project.hits.hit_years`) and the threshold dates. For that it needs the
engine's inputs, draw by draw: :func:`inputs_dataset` writes them (every per-draw array
of :class:`~forecast.project.limits.ProjectionInputs`, thinned to :data:`DRAWS`) and
:func:`inputs_from_dataset` reads them back, so that a test can run the page and the
engine on the very same numbers.

The controls act on every draw alike (:func:`apply_settings` is the engine's side of
the same change, through :func:`forecast.project.inputs.set_input`): a doubling time,
level, share or duration set to ``v`` scales each draw's value by ``v / median``, a
ceiling's growth set to ``v`` adds ``v - median`` to each draw's, and a new doubling time
from a chosen year bends every draw's trend there.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xarray as xr

from forecast.data.units import slope_from_doubling_months
from forecast.project.inputs import SCALAR_FIELDS, get_input, set_input
from forecast.project.limits import ConstraintDraws, ProjectionInputs, Realised
from forecast.project.trajectory import LogLinear, take_draws
from forecast.scenario.schema import Constraint

__all__ = [
    "DRAWS",
    "apply_settings",
    "control_keys",
    "explore_dataset",
    "inputs_dataset",
    "inputs_from_dataset",
    "medians",
    "page_model",
    "thin",
]

#: Draws the page carries (evenly spaced through the projection's draws when it has more):
#: the run's 4,000, so that the page's numbers are the briefing's.
DRAWS = 4000

#: The engine's per-run arrays (ProjectionInputs fields), saved as they are.
_SCALARS = SCALAR_FIELDS
#: The series of the datasheet conversion and of the realised one.
_SERIES = ("compute", "price_performance", "efficiency")
_REALISED_SERIES = ("flops_per_usd", "flops_per_watt", "flop_per_usd_amortized", "duration_days")
#: A ceiling's per-draw parameters; its kind's factors are saved as ``extra_<key>``.
_CONSTRAINT = ("limit", "growth", "share")


def thin(n_draws: int, n: int = DRAWS) -> np.ndarray:
    """Indices of ``n`` draws evenly spaced through ``n_draws`` (all when fewer)."""
    if n_draws <= n:
        return np.arange(n_draws)
    return np.arange(n) * n_draws // n


def _draws(x, s: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, dtype=float), (s,)).copy()


def _single(x, s: int) -> np.ndarray:
    """Per-draw values as the page carries them: single precision (7 significant digits;
    a hit year moves by about 1e-5 years), which halves the file."""
    return _draws(x, s).astype(np.float32)


def _series_vars(prefix: str, series: LogLinear, s: int) -> tuple[dict, dict]:
    out = {
        f"{prefix}.log10_ref": ("draw", _single(series.log10_ref, s)),
        f"{prefix}.slope": ("draw", _single(series.slope, s)),
    }
    if series.change_year is not None:
        out[f"{prefix}.change_year"] = ("draw", _single(series.change_year, s))
        out[f"{prefix}.slope_after"] = ("draw", _single(series.slope_after, s))
    return out, {f"{prefix}.ref_year": float(series.ref_year)}


def inputs_dataset(inp: ProjectionInputs) -> xr.Dataset:
    """Every per-draw input of the engine as one Dataset (dims ``draw``, ``constraint``).

    The inverse of :func:`inputs_from_dataset`. Series are ``<name>.log10_ref`` and
    ``<name>.slope`` (with ``.change_year`` and ``.slope_after`` where they bend), the
    realised conversion's ``realised.<name>...``; a ceiling's factors are
    ``extra_<key>`` (NaN for a ceiling without that factor).
    """
    s = inp.n_draws
    data: dict = {}
    attrs: dict = {
        "start_year": float(inp.start_year),
        "horizon": float(inp.horizon),
        "floor_log10": float(inp.record_floor_log10),
        "conversion": "realised" if inp.realised is not None else "datasheet",
    }
    for name in _SERIES:
        v, a = _series_vars(name, getattr(inp, name), s)
        data.update(v)
        attrs.update(a)
    for name in _SCALARS:
        data[name] = ("draw", _single(getattr(inp, name), s))
    if inp.realised is not None:
        r = inp.realised
        for name in _REALISED_SERIES:
            v, a = _series_vars(f"realised.{name}", getattr(r, name), s)
            data.update(v)
            attrs.update(a)
        data["realised.max_days"] = ("draw", _single(r.max_days, s))
        data["realised.duration_size"] = ("draw", _single(r.duration_size, s))
    cs = inp.constraints
    for name in _CONSTRAINT:
        data[name] = (("constraint", "draw"), np.array([_single(getattr(c, name), s) for c in cs]))
    for key in sorted({k for c in cs for k in c.extra}):
        data[f"extra_{key}"] = (
            ("constraint", "draw"),
            np.array([_single(c.extra.get(key, np.nan), s) for c in cs]),
        )
    data["kind"] = ("constraint", [c.kind for c in cs])
    data["basis"] = ("constraint", [c.basis or "" for c in cs])
    data["reference_year"] = ("constraint", [float(c.reference_year) for c in cs])
    return xr.Dataset(data, coords={"constraint": [c.name for c in cs]}, attrs=attrs)


def _series_from(ds: xr.Dataset, prefix: str) -> LogLinear:
    bend = f"{prefix}.change_year" in ds
    return LogLinear(
        _values(ds, f"{prefix}.log10_ref"),
        _values(ds, f"{prefix}.slope"),
        float(ds.attrs[f"{prefix}.ref_year"]),
        _values(ds, f"{prefix}.change_year") if bend else None,
        _values(ds, f"{prefix}.slope_after") if bend else None,
    )


def _values(ds: xr.Dataset, name: str) -> np.ndarray:
    """A saved input in double precision: the engine computes in it, as the page does."""
    return ds[name].to_numpy().astype(float)


def inputs_from_dataset(ds: xr.Dataset) -> ProjectionInputs:
    """The engine's inputs from :func:`inputs_dataset` (what the page computes from)."""
    realised = None
    if ds.attrs["conversion"] == "realised":
        realised = Realised(
            **{n: _series_from(ds, f"realised.{n}") for n in _REALISED_SERIES},
            max_days=_values(ds, "realised.max_days"),
            duration_size=_values(ds, "realised.duration_size"),
        )
    extras = [str(v) for v in ds.data_vars if str(v).startswith("extra_")]
    constraints = []
    for i, name in enumerate(ds["constraint"].to_numpy()):
        extra = {}
        for v in extras:
            x = _values(ds, v)[i]
            if not np.isnan(x).all():
                extra[v.removeprefix("extra_")] = x
        constraints.append(
            ConstraintDraws(
                str(name),
                str(ds["kind"].to_numpy()[i]),
                str(ds["basis"].to_numpy()[i]) or None,
                _values(ds, "limit")[i],
                float(ds["reference_year"].to_numpy()[i]),
                _values(ds, "growth")[i],
                _values(ds, "share")[i],
                extra,
            )
        )
    return ProjectionInputs(
        **{n: _series_from(ds, n) for n in _SERIES},
        **{n: _values(ds, n) for n in _SCALARS},
        constraints=tuple(constraints),
        start_year=float(ds.attrs["start_year"]),
        horizon=float(ds.attrs["horizon"]),
        realised=realised,
        record_floor_log10=float(ds.attrs["floor_log10"]),
    )


def control_keys(inp: ProjectionInputs) -> dict[str, str]:
    """The scenario key each of the page's global controls sets, for these inputs."""
    realised = inp.realised is not None
    return {
        "doubling": "trend.doubling_time_months",
        "duration": "hardware.max_training_days" if realised else "hardware.training_days",
        "efficiency": "hardware.efficiency_doubling_years",
        "price": "hardware.price_performance_doubling_years",
    }


def _level_key(inp: ProjectionInputs, i: int) -> str:
    return f"constraints[{i}].{Constraint.LIMITS[inp.constraints[i].kind]}"


def _median(x) -> float:
    return float(np.median(np.asarray(x, dtype=float)))


def medians(inp: ProjectionInputs) -> dict:
    """The medians over draws the page's controls start from (and scale by)."""
    keys = control_keys(inp)
    return {
        **{name: _median(get_input(inp, key)) for name, key in keys.items()},
        "limits": [
            {"share": _median(c.share), "growth": _median(c.growth), "level": _median(c.limit)}
            for c in inp.constraints
        ],
    }


def apply_settings(inp: ProjectionInputs, settings: dict) -> ProjectionInputs:
    """The engine's inputs with the page's settings applied (the page's semantics).

    Parameters
    ----------
    inp : ProjectionInputs
        The inputs the page carries (:func:`inputs_from_dataset`).
    settings : dict
        Any of ``doubling``, ``duration``, ``efficiency``, ``price`` (a control's value:
        each draw's value is scaled by value / median), ``bend`` (``{"year": y,
        "months": m}``: from ``y`` on, every draw doubles every ``m`` months),
        ``horizon`` (a year) and ``limits`` (by constraint index: ``level`` a multiplier,
        ``share`` a value scaling each draw's by value / median, ``growth`` a value adding
        value - median to each draw's). Medians are :func:`medians` of ``inp``.
    """
    m = medians(inp)
    for name, key in control_keys(inp).items():
        if name in settings:
            inp = set_input(inp, key, get_input(inp, key) * (settings[name] / m[name]))
    for i_str, lim in settings.get("limits", {}).items():
        i = int(i_str)
        if "level" in lim:
            key = _level_key(inp, i)
            inp = set_input(inp, key, get_input(inp, key) * lim["level"])
        if "share" in lim:
            key = f"constraints[{i}].share"
            inp = set_input(
                inp, key, get_input(inp, key) * (lim["share"] / m["limits"][i]["share"])
            )
        if "growth" in lim:
            key = f"constraints[{i}].growth_per_year"
            inp = set_input(
                inp, key, get_input(inp, key) + (lim["growth"] - m["limits"][i]["growth"])
            )
    bend = settings.get("bend")
    if bend:
        s = inp.n_draws
        compute = dataclasses.replace(
            inp.compute,
            change_year=np.full(s, float(bend["year"])),
            slope_after=np.full(s, slope_from_doubling_months(float(bend["months"]))),
        )
        inp = dataclasses.replace(inp, compute=compute)
    if "horizon" in settings:
        inp = dataclasses.replace(inp, horizon=float(settings["horizon"]))
    return inp


def explore_dataset(inp: ProjectionInputs, draws_total: int | None = None, n: int = DRAWS):
    """What ``explore.html`` carries: :func:`inputs_dataset` of ``n`` draws, with the
    controls' medians (attribute ``medians``) and how many draws the run had.

    Parameters
    ----------
    inp : ProjectionInputs
        The projection's inputs (all draws).
    draws_total : int, optional
        Draws of the run (default: those of ``inp``).
    n : int
        Draws kept, evenly spaced (:func:`thin`).
    """
    kept = take_draws(inp, thin(inp.n_draws, n))
    ds = inputs_dataset(kept)
    # The medians of the values the page carries (rounded), which its controls scale by.
    ds.attrs["medians"] = medians(inputs_from_dataset(ds))
    ds.attrs["draws_total"] = int(inp.n_draws if draws_total is None else draws_total)
    if not math.isfinite(ds.attrs["floor_log10"]):
        ds.attrs["floor_log10"] = -1e300  # NetCDF attributes hold no -inf
    return ds


def _series_model(series: LogLinear) -> dict:
    out = {"ref": float(series.ref_year), "l": series.log10_ref, "s": series.slope}
    if series.change_year is not None:
        out.update(change=series.change_year, after=series.slope_after)
    return out


def page_model(ds: xr.Dataset) -> dict:
    """The numbers ``explore.js`` computes from: the inputs of :func:`inputs_dataset` in
    the form of the engine's formulas, and the engine's constants.

    Arrays stay numpy arrays (per draw; per limit and draw under ``limits``); the report
    encodes them. A ceiling's level enters as ``ln_factor + mult * ln(share * limit)``
    and its growth as ``mult * ln(1 + g)``, where ``ln_factor`` and ``mult`` come from
    :meth:`~forecast.project.limits.ConstraintDraws.ln_limit_ref` (the kind's factors;
    ``mult`` is 2 for the data ceiling, which grows with the square of its tokens).
    """
    from forecast.data.units import LN10, SECONDS_PER_DAY, SECONDS_PER_YEAR
    from forecast.project.hits import HELD_STEP_YEARS, THRESHOLDS_LOG10
    from forecast.project.limits import J_PER_KWH, SIZE_REF_LOG10_FLOP

    inp = inputs_from_dataset(ds)
    limits = []
    for c in inp.constraints:
        mult = 2.0 if c.kind == "data" else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = c.ln_limit_ref() - mult * np.log(c.share * c.limit)
        limits.append(
            {
                "name": c.name,
                "kind": c.kind,
                "demand": c.demand,
                "ref": float(c.reference_year),
                "mult": mult,
                "ln_factor": _draws(factor, inp.n_draws),
                "limit": _draws(c.limit, inp.n_draws),
                "share": _draws(c.share, inp.n_draws),
                "growth": _draws(c.growth, inp.n_draws),
            }
        )
    r = inp.realised
    return {
        "draws": inp.n_draws,
        "draws_total": int(ds.attrs.get("draws_total", inp.n_draws)),
        "start": float(inp.start_year),
        "horizon": float(inp.horizon),
        "floor_log10": float(inp.record_floor_log10),
        "medians": ds.attrs["medians"],
        "compute": _series_model(inp.compute),
        "datasheet": {
            "price_performance": _series_model(inp.price_performance),
            "efficiency": _series_model(inp.efficiency),
            **{n: getattr(inp, n) for n in _SCALARS},
        },
        "realised": None
        if r is None
        else {
            **{n: _series_model(getattr(r, n)) for n in _REALISED_SERIES},
            "max_days": _draws(r.max_days, inp.n_draws),
            "duration_size": _draws(r.duration_size, inp.n_draws),
        },
        "limits": limits,
        "thresholds": list(THRESHOLDS_LOG10),
        "const": {
            "LN10": LN10,
            "SECONDS_PER_DAY": SECONDS_PER_DAY,
            "SECONDS_PER_YEAR": SECONDS_PER_YEAR,
            "J_PER_KWH": J_PER_KWH,
            "SIZE_REF_LOG10_FLOP": SIZE_REF_LOG10_FLOP,
            "HELD_STEP_YEARS": HELD_STEP_YEARS,
        },
    }
