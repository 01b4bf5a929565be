"""Sensitivity of the hit years to the inputs: the base draws, sweeps and a tornado table.

Nothing here samples, and nothing builds or re-validates a scenario. Every function
starts from the per-draw inputs of a fitted scenario (the
:class:`~forecast.project.engine.ProjectionInputs` of a
:class:`~forecast.project.scenario.ScenarioResult`) and re-evaluates the engine's hit-year
solver (:func:`~forecast.project.engine.hit_years`) with some inputs replaced.

How inputs are replaced
-----------------------
:func:`~forecast.project.engine.set_input` sets one input by its scenario key path, in
the scenario's units (``trend.doubling_time_months``, ``hardware.utilization``,
``constraints.<name>.share``, ...), on a copy of the inputs. A sweep sets the swept input
on the draws of the result (common random numbers: only the swept input changes between
sweep values). The tornado table and the Sobol indices set every uncertain input to
values built from quantiles, on rows that are otherwise the result's first draw (every
input that is not uncertain is the same in every draw).

Uncertain inputs
----------------
Every non-fixed scenario parameter, plus every series component that comes from a
posterior (the trend's doubling time and its level at its reference year, the hardware
doubling times and levels). Their key paths are the scenario keys that would override
them (``trend.doubling_time_months``, ``hardware.flops_per_usd``, ...); for a posterior
quantity the quantile function is the empirical quantile of its draws. Inputs are
treated as independent: the posterior correlation between, e.g., the trend's level and
its slope is ignored by the tornado table and the Sobol indices (not by sweeps, which
keep the paired draws).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from forecast.project.engine import (
    INPUT_KEYS,
    ProjectionInputs,
    get_input,
    hit_years,
    set_input,
    set_inputs,
    take_draws,
)
from forecast.project.scenario import ScenarioResult, build_inputs
from forecast.scenario import Scenario
from forecast.stats import prob_finite, quantiles

__all__ = [
    "DEFAULT_PARAM",
    "FIRST_BINDING",
    "POSTERIOR_KEYS",
    "Base",
    "UncertainInput",
    "base_from",
    "default_values",
    "hit_years",
    "parse_values",
    "sweep",
    "sweepable",
    "tornado",
    "uncertain_inputs",
]

#: The default sweep: the current-era doubling time from 3 to 24 months, 1 month apart.
DEFAULT_PARAM = "trend.doubling_time_months"
DEFAULT_DOUBLING_VALUES = np.linspace(3.0, 24.0, 22)

#: Key paths of the series components a fit may supply.
POSTERIOR_KEYS: tuple[str, ...] = (
    "trend.doubling_time_months",
    "trend.level_flop",
    "hardware.price_performance_doubling_years",
    "hardware.flops_per_usd",
    "hardware.efficiency_doubling_years",
    "hardware.flops_per_watt",
)

#: What a tornado or Sobol target is called when it is the first constraint to bind.
FIRST_BINDING = "first binding"


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input of a scenario result.

    Attributes
    ----------
    key : str
        The scenario key path that would override it.
    source : str
        ``"scenario"`` (a distribution in the scenario file) or ``"posterior"``.
    ppf : callable
        Quantile function: probabilities (array) -> values (array).
    description : str
        Short text for reports.
    """

    key: str
    source: str
    ppf: Callable[[np.ndarray], np.ndarray]
    description: str

    def median(self) -> float:
        """The 50th percentile."""
        return float(self.ppf(np.array([0.5]))[0])


def _empirical_ppf(draws: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    draws = np.sort(np.asarray(draws, dtype=float))

    def ppf(q: np.ndarray) -> np.ndarray:
        return np.asarray(quantiles(draws, np.asarray(q, dtype=float)), dtype=float)

    return ppf


# -- the base draws of a result --------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """The per-draw inputs of a result, and which of them come from a posterior.

    Attributes
    ----------
    scenario : Scenario
        The scenario (read for its parameters' distributions, never rebuilt).
    inputs : ProjectionInputs
        The per-draw inputs of the result.
    posterior_keys : tuple of str
        The key paths of :data:`POSTERIOR_KEYS` that a fit supplied (the scenario left
        them out).
    """

    scenario: Scenario
    inputs: ProjectionInputs
    posterior_keys: tuple[str, ...]

    @property
    def n_draws(self) -> int:
        """Number of draws."""
        return self.inputs.n_draws

    def values(self, key: str) -> np.ndarray:
        """Per-draw values of one input in the scenario's units."""
        return get_input(self.inputs, key)

    def point_inputs(self, values: Mapping[str, Any], n: int) -> ProjectionInputs:
        """``n`` rows of inputs: ``values`` (per row or one number) set, the rest fixed.

        Every input not in ``values`` takes its value in the result's first draw: meant
        for settings of every uncertain input at once (tornado, Sobol, medians), where
        the inputs left are the same in every draw.
        """
        return set_inputs(take_draws(self.inputs, np.zeros(n, dtype=int)), values)


Fits = tuple  # (scenario, runs, trend_fit, hw_fit)


def base_from(
    result_or_fits: ScenarioResult | Fits,
    n_draws: int | None = None,
    seed: int | None = None,
) -> Base:
    """The per-draw inputs behind a result (or behind fits).

    Parameters
    ----------
    result_or_fits : ScenarioResult or tuple
        A result of :func:`~forecast.project.scenario.run_scenario` (its inputs are reused), or
        ``(scenario, runs, trend_fit, hw_fit)`` as returned by
        :func:`~forecast.models.scenario.fit_scenario` with the scenario in front (inputs are
        then built once with ``numpy.random.default_rng(seed)``).
    n_draws : int, optional
        Keep only the first ``n_draws`` draws of a result, or draw that many from fits.
    seed : int, optional
        Generator seed when starting from fits (default: the scenario's seed).

    Returns
    -------
    Base
    """
    if isinstance(result_or_fits, ScenarioResult):
        scenario, inputs = result_or_fits.scenario, result_or_fits.inputs
    else:
        from forecast.models.scenario import without_fitted_clusters

        scenario, runs, trend_fit, hw_fit = result_or_fits
        # From fits alone there is no cluster fit: its ceiling is left out.
        scenario = without_fitted_clusters(scenario)
        rng = np.random.default_rng(scenario.seed if seed is None else seed)
        inputs, _ = build_inputs(scenario, runs, trend_fit, hw_fit, rng, n_draws)
    if n_draws is not None and n_draws < inputs.n_draws:
        inputs = take_draws(inputs, np.arange(n_draws))
    given = scenario.parameters()
    posterior = tuple(k for k in POSTERIOR_KEYS if k not in given)
    return Base(scenario, inputs, posterior)


def as_base(result: ScenarioResult | Base | Fits) -> Base:
    return result if isinstance(result, Base) else base_from(result)


def uncertain_inputs(result_or_base: ScenarioResult | Base) -> list[UncertainInput]:
    """Every uncertain input of a result: non-fixed scenario parameters and posteriors.

    Parameters
    ----------
    result_or_base : ScenarioResult or Base

    Returns
    -------
    list of UncertainInput
        Scenario parameters in :meth:`Scenario.parameters` order, then the posterior
        quantities (trend doubling time and level, hardware doubling times and levels).
        A posterior quantity with (numerically) no spread is left out.
    """
    base = as_base(result_or_base)
    # An input the conversion does not read cannot move the answer: left out.
    unused = base.scenario.unused_keys()
    out: list[UncertainInput] = []
    for key, param in base.scenario.parameters().items():
        if not param.is_fixed and key not in unused:
            out.append(UncertainInput(key, "scenario", param.ppf, param.describe()))
    for key in base.posterior_keys:
        if key in unused:
            continue
        draws = base.values(key)
        if np.ptp(draws) > 1e-12 * max(abs(float(np.median(draws))), 1e-300):
            out.append(
                UncertainInput(
                    key, "posterior", _empirical_ppf(draws), f"posterior ({draws.size} draws)"
                )
            )
    return out


# -- hit years --------------------------------------------------------------------------------


def hit_target(inp: ProjectionInputs, hits: np.ndarray, constraint: str | None) -> np.ndarray:
    """The hit years of one constraint, or the first hit of any (``None``)."""
    if constraint is None or constraint == FIRST_BINDING:
        return hits.min(axis=0)
    names = [c.name for c in inp.constraints]
    if constraint not in names:
        raise KeyError(f"no constraint {constraint!r}; the scenario has {names}")
    return hits[names.index(constraint)]


def _quantiles(hits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Median, p10, p90 over the last axis (NaN where that quantile lies beyond the
    horizon: the xarray outputs' convention) and P(hit by the horizon)."""
    q = quantiles(hits, [0.5, 0.1, 0.9], axis=-1)
    q = np.where(np.isinf(q), np.nan, q)
    return q[0], q[1], q[2], prob_finite(hits, axis=-1)


# -- sweeps -------------------------------------------------------------------------------------


def parse_values(text: str) -> np.ndarray:
    """Sweep values from text: ``"start:stop:count"`` (inclusive linspace) or ``"a,b,c"``.

    Parameters
    ----------
    text : str
        E.g. ``"0.2:0.6:9"`` -> 0.2, 0.25, ..., 0.6; ``"3,6,12"``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        For anything else (a count below 2, non-numbers, an empty list).
    """
    text = text.strip()
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if count < 2:
                raise ValueError
            return np.linspace(start, stop, count)
        values = np.array([float(v) for v in text.split(",") if v.strip()])
        if values.size == 0:
            raise ValueError
        return values
    except ValueError:
        raise ValueError(
            f"cannot read sweep values {text!r}: expected start:stop:count (e.g. 0.2:0.6:9) "
            "or a comma-separated list (e.g. 3,6,12)"
        ) from None


def sweepable(scenario: Scenario) -> tuple[str, ...]:
    """Every key path :func:`sweep` accepts for ``scenario`` (known before any fitting): its
    parameters and the series a fit may supply."""
    # Only inputs the engine reads, and of those only the ones the conversion uses.
    unused = scenario.unused_keys()
    keys = [
        k
        for k in scenario.parameters()
        if (k in INPUT_KEYS or k.startswith("constraints.")) and k not in unused
    ]
    return tuple(keys + [k for k in POSTERIOR_KEYS if k not in keys and k not in unused])


def _check_param(base: Base, param: str) -> None:
    if param not in sweepable(base.scenario):
        raise KeyError(f"{param!r} is not a parameter of scenario {base.scenario.name!r}")


def default_values(base: Base, param: str) -> np.ndarray:
    """Default sweep values: 3 to 24 months for the doubling time, else p5-p95 (19 values).

    A fixed parameter is swept from half to twice its value (geometrically).

    Raises
    ------
    KeyError
        If ``param`` is not one of :func:`sweepable`.
    """
    _check_param(base, param)
    if param == DEFAULT_PARAM:
        return DEFAULT_DOUBLING_VALUES.copy()
    for u in uncertain_inputs(base):
        if u.key == param:
            return u.ppf(np.linspace(0.05, 0.95, 19))
    given = base.scenario.parameters()
    # A fixed parameter's own number (not read back from the inputs, whose units differ).
    v = given[param].median() if param in given else float(np.median(base.values(param)))
    return v * np.geomspace(0.5, 2.0, 19)


def sweep(
    result_or_fits: ScenarioResult | Fits,
    param: str = DEFAULT_PARAM,
    values: Sequence[float] | np.ndarray | str | None = None,
    n_draws: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Hit years as one input is swept over values, every other input still uncertain.

    Each sweep value reuses the same draws of every other input (common random numbers:
    the draws of the result, or one set drawn from the fits), so the curves are smooth
    and differences between values are due to the swept input alone. Sweeping
    ``trend.doubling_time_months`` fixes the slope of the current era and keeps the fitted
    level at its reference year (as :func:`~forecast.project.scenario.build_inputs` does).

    Parameters
    ----------
    result_or_fits : ScenarioResult, Base or (scenario, runs, trend_fit, hw_fit)
    param : str
        Key path of any scenario parameter (or fitted series component): one of
        :func:`sweepable`.
    values : array_like or str, optional
        The values (a string is read by :func:`parse_values`); default
        :func:`default_values`.
    n_draws, seed : int, optional
        See :func:`base_from`.

    Returns
    -------
    xarray.Dataset
        Dims ``sweep`` (coordinate ``value``) and ``constraint``: ``median``, ``p10``,
        ``p90`` (decimal years; NaN where that quantile lies beyond the horizon) and
        ``prob_hit_by_horizon``; ``limit_median``, ``limit_p10``, ``limit_p90`` and
        ``limit_prob_hit_by_horizon`` (dim ``sweep``) for the first constraint to bind.
        Attributes ``param``, ``values``, ``n_draws``, ``horizon``, ``start_year``.

    Raises
    ------
    KeyError
        If ``param`` is not one of :func:`sweepable`.
    ValueError
        If the values are not a non-empty list of numbers.
    """
    base = (
        result_or_fits
        if isinstance(result_or_fits, Base)
        else base_from(result_or_fits, n_draws, seed)
    )
    _check_param(base, param)
    if isinstance(values, str):
        values = parse_values(values)
    vals = default_values(base, param) if values is None else np.asarray(values, dtype=float)
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError("sweep values must be a non-empty list of numbers")
    names = [c.name for c in base.inputs.constraints]
    k = len(names)
    med, p10, p90, prob = (np.empty((vals.size, k)) for _ in range(4))
    lim = np.empty((4, vals.size))
    for j, v in enumerate(vals):  # a loop over sweep values; each is vectorised over draws
        hits = hit_years(set_input(base.inputs, param, float(v)))
        med[j], p10[j], p90[j], prob[j] = _quantiles(hits)
        lim[:, j] = _quantiles(hits.min(axis=0))
    return xr.Dataset(
        {
            "median": (("sweep", "constraint"), med),
            "p10": (("sweep", "constraint"), p10),
            "p90": (("sweep", "constraint"), p90),
            "prob_hit_by_horizon": (("sweep", "constraint"), prob),
            "limit_median": ("sweep", lim[0]),
            "limit_p10": ("sweep", lim[1]),
            "limit_p90": ("sweep", lim[2]),
            "limit_prob_hit_by_horizon": ("sweep", lim[3]),
        },
        coords={"sweep": np.arange(vals.size), "value": ("sweep", vals), "constraint": names},
        attrs={
            "param": param,
            "values": vals.tolist(),
            "n_draws": base.n_draws,
            "horizon": float(base.inputs.horizon),
            "start_year": float(base.inputs.start_year),
        },
    )


# -- tornado -------------------------------------------------------------------------------------


def point_values(inputs: Sequence[UncertainInput], q: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row values of the uncertain inputs: quantile ``q[row, i]`` of input i."""
    return {u.key: u.ppf(q[:, i]) for i, u in enumerate(inputs)}


def year_or_none(x: float, horizon: float) -> float | None:
    return None if not math.isfinite(x) or x > horizon else round(float(x), 6)


def tornado(
    result: ScenarioResult | Base,
    constraint: str | None = None,
    low: float = 0.1,
    high: float = 0.9,
) -> list[dict[str, Any]]:
    """One-at-a-time swings: each uncertain input at its p10 and p90, the others at medians.

    Parameters
    ----------
    result : ScenarioResult or Base
    constraint : str, optional
        A constraint name, ``"all"`` for every constraint and the first binding one, or
        ``None`` for the first constraint to bind (the limit).
    low, high : float
        The quantiles of the low and high settings.

    Returns
    -------
    list of dict
        One row per input (and per constraint for ``"all"``), with ``param``, ``source``
        ("scenario" or "posterior"), ``constraint``, ``low_value``, ``high_value``,
        ``hit_year_low``, ``hit_year_high`` (None when beyond the horizon),
        ``hit_year_base`` (all inputs at their medians) and ``swing_years`` =
        hit_year_high - hit_year_low, where a hit beyond the horizon counts as
        horizon + 1. Rows are ranked by ``|swing_years|`` (within each constraint).
    """
    base = as_base(result)
    inputs = uncertain_inputs(base)
    d = len(inputs)
    # Row 0: all medians; rows 2i+1 and 2i+2: input i at its low and high quantile.
    q = np.full((1 + 2 * d, d), 0.5)
    for i in range(d):
        q[2 * i + 1, i] = low
        q[2 * i + 2, i] = high
    values = point_values(inputs, q)
    inp = base.point_inputs(values, 1 + 2 * d)
    hits = hit_years(inp)
    horizon = inp.end  # hits run to the end of the horizon year; never is a year later
    names = [c.name for c in inp.constraints]
    targets = [FIRST_BINDING, *names] if constraint == "all" else [constraint or FIRST_BINDING]
    rows: list[dict[str, Any]] = []
    for target in targets:
        t = hit_target(inp, hits, target)
        capped = np.where(np.isfinite(t), t, horizon + 1.0)
        block = []
        for i, u in enumerate(inputs):
            lo_t, hi_t = capped[2 * i + 1], capped[2 * i + 2]
            block.append(
                {
                    "param": u.key,
                    "source": u.source,
                    "constraint": target,
                    "low_value": float(values[u.key][2 * i + 1]),
                    "high_value": float(values[u.key][2 * i + 2]),
                    "hit_year_low": year_or_none(t[2 * i + 1], horizon),
                    "hit_year_high": year_or_none(t[2 * i + 2], horizon),
                    "hit_year_base": year_or_none(t[0], horizon),
                    "swing_years": round(float(hi_t - lo_t), 6),
                }
            )
        block.sort(key=lambda r: -abs(r["swing_years"]))
        rows.extend(block)
    return rows
