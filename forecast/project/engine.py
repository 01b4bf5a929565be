"""The projection engine: compute of the largest run -> dollars and watts -> hit years.

Everything is vectorised over draws (axis 0); there is no Python loop over draws. All
growth is handled in natural logs so that enormous values (1e30 FLOP) stay exact.

Per run at year t (C compute, u utilisation, D duration in s, H FLOP/s per $, E FLOP/s
per W):

- capex     = C * overhead / (u * D * H)
- power     = C * pue / (u * D * E)
- energy    = power * D * electricity price
- amortized = capex * D / lifetime + energy

"Never reached" is ``inf``: a hit year beyond the horizon, a ceiling that is never met
(and ``binding`` is -1 for a draw that meets none). NaN means undefined (the post-limit
doubling time of a draw with no binding ceiling). :mod:`forecast.stats` turns both into
``None`` in intervals.

Any input can be set by its scenario key path (:func:`set_input`, e.g.
``set_input(inputs, "hardware.pue", 1.1)``), in the scenario's units, with the same
arithmetic as :func:`forecast.pipeline.build_inputs`, so that sensitivity analyses change
inputs without building scenarios.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from forecast.data.units import (
    LN10,
    SECONDS_PER_DAY,
    SECONDS_PER_YEAR,
    doubling_months,
    doubling_months_from_ln_rate,
    doubling_years,
    slope_from_doubling_months,
    slope_from_doubling_years,
)
from forecast.scenario.schema import Constraint

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

J_PER_KWH = 3.6e6
#: Compute thresholds (log10 FLOP) whose first crossing by the largest run is reported:
#: 1e25 (the EU AI Act's presumption of systemic risk) to 1e29.
THRESHOLDS_LOG10: tuple[int, ...] = (25, 26, 27, 28, 29)
#: The run size (log10 FLOP) at which the realised duration's level is read.
SIZE_REF_LOG10_FLOP = 24.0
#: What a year label of the projection means: the end of that year. "2026" is the largest
#: run published by 31 December 2026, read at the instant 2027.0 (:func:`year_instant`);
#: a hit year, a decimal year, falls in the calendar year it is shown as.
YEAR_IS = "end of year"


def year_instant(years) -> np.ndarray:
    """The instant (decimal year) a year label stands for: its end, ``year + 1``.

    The one home of the convention :data:`YEAR_IS`: the engine's grid, the summary, the
    figures and compare all read a label's value at this instant.
    """
    return np.asarray(years, dtype=float) + 1.0


@dataclass(frozen=True)
class LogLinear:
    """A per-draw log-linear series: log10 value = log10_ref + slope * (t - ref_year).

    ``log10_ref`` and ``slope`` (log10 units per year) have shape (S,). With
    ``change_year`` (S,) the series bends there to ``slope_after`` (S,): a new era
    (:mod:`forecast.project.record` projects the compute trend so); ``inf`` never bends.
    """

    log10_ref: np.ndarray
    slope: np.ndarray
    ref_year: float
    change_year: np.ndarray | None = None
    slope_after: np.ndarray | None = None

    def ln(self, t: np.ndarray) -> np.ndarray:
        """Natural log of the series at ``t`` (shape (S,) or (S, G))."""
        t = np.asarray(t, dtype=float)
        if self.change_year is None:
            return LN10 * (_col(self.log10_ref, t) + _col(self.slope, t) * (t - self.ref_year))
        change = _col(self.change_year, t)
        before = np.minimum(t, change) - self.ref_year
        after = np.maximum(t - change, 0.0)
        return LN10 * (
            _col(self.log10_ref, t)
            + _col(self.slope, t) * before
            + _col(self.slope_after, t) * after
        )

    def bends_before(self, year: float) -> bool:
        """Whether any draw changes slope before ``year`` (then closed forms do not apply)."""
        return self.change_year is not None and bool(np.any(self.change_year < year))

    def doubling_years(self) -> np.ndarray:
        """Doubling time in years per draw."""
        return doubling_years(self.slope)


#: What a run is compared with under each kind of ceiling (spend: its ``basis``).
#: "flops" is the run's sustained FLOP/s, C / D; "compute" its FLOP, C.
DEMAND_OF_KIND: dict[str, str] = {
    "power": "power",
    "chips": "flops",
    "data": "compute",
    "compute": "compute",
}
#: The unit of each demand (and of ``limit`` in the projection).
DEMAND_UNITS: dict[str, str] = {
    "capex": "USD",
    "amortized": "USD",
    "power": "W",
    "flops": "FLOP/s",
    "flops_max": "FLOP/s",
    "compute": "FLOP",
}


@dataclass(frozen=True)
class ConstraintDraws:
    """One ceiling with per-draw parameters, in the engine's units (:attr:`demand`).

    ``limit(t) = share * limit * (1 + g)^(t - ref)`` times the kind's factors
    (:class:`forecast.scenario.Constraint` gives each kind's formula):

    - spend: USD; power: W, times ``sites * split_efficiency``;
    - chips: the run's sustained FLOP/s, ``share * limit * flops_per_h100e`` (H100-
      equivalents times the realised FLOP/s each delivers);
    - data: FLOP, ``6 T^2 / tokens_per_parameter`` with ``T = share * limit * epochs *
      modality_multiplier * synthetic_multiplier`` tokens growing by ``g``, so the
      ceiling grows by ``(1 + g)^2`` a year;
    - compute: FLOP; with ``limit_days`` in ``extra``, a limit on FLOP per unit of training
      time, ``share * limit / (limit_days * 86400)`` FLOP/s, against the run's compute
      spread over the longest a run may last (demand ``"flops_max"``): a run held back by
      it trains longer, up to the cap, rather than stopping short.

    ``extra`` holds the kind's factors by scenario key, per draw.
    """

    name: str
    kind: str  # "spend" | "power" | "chips" | "data" | "compute"
    basis: str | None  # "capex" | "amortized" for spend
    limit: np.ndarray  # in the kind's own unit (USD, W, H100e, tokens, FLOP), (S,)
    reference_year: float
    growth: np.ndarray  # per year, (S,)
    share: np.ndarray  # (S,)
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def demand(self) -> str:
        """What the run is compared with: "capex", "amortized", "power", "flops" or
        "compute"."""
        if self.kind == "spend":
            return self.basis or "capex"
        if self.kind == "compute" and "limit_days" in self.extra:
            return "flops_max"  # a limit on FLOP per unit of training time
        return DEMAND_OF_KIND[self.kind]

    def _factor(self, key: str, default: float = 1.0) -> np.ndarray:
        return np.asarray(self.extra.get(key, default), dtype=float)

    def ln_limit_ref(self) -> np.ndarray:
        """ln of the limit at the reference year, in the engine's units, (S,)."""
        base = np.log(self.share * self.limit)
        if self.kind == "power":
            return base + np.log(self._factor("sites") * self._factor("split_efficiency"))
        if self.kind == "chips":
            return base + np.log(self._factor("flops_per_h100e"))
        if self.kind == "data":
            tokens = base + np.log(
                self._factor("epochs")
                * self._factor("modality_multiplier")
                * self._factor("synthetic_multiplier")
            )
            k = self._factor("tokens_per_parameter", Constraint.DEFAULTS["tokens_per_parameter"])
            return np.log(6.0) + 2.0 * tokens - np.log(k)
        if self.kind == "compute" and "limit_days" in self.extra:
            return base - np.log(self._factor("limit_days") * SECONDS_PER_DAY)
        return base

    def ln_growth(self) -> np.ndarray:
        """ln of the limit's yearly growth factor, (S,): the data ceiling grows with the
        square of its token stock."""
        ln_g = np.log1p(self.growth)
        return 2.0 * ln_g if self.kind == "data" else ln_g

    def ln_limit(self, t: np.ndarray) -> np.ndarray:
        """Natural log of the limit at ``t``."""
        t = np.asarray(t, dtype=float)
        return _col(self.ln_limit_ref(), t) + _col(self.ln_growth(), t) * (t - self.reference_year)


@dataclass(frozen=True)
class Realised:
    """The realised conversion: what frontier runs actually achieved, all-in, as trends.

    With it, a run of compute C lasting D(t) seconds at year t needs

    - capital cost  capex = C / (D(t) * R_cap(t))
    - power         P = C / (D(t) * E_real(t)), E_real bent towards the physical ceiling
                    as the datasheet efficiency is (:func:`saturate_ln`)
    - amortised     amortized = C / R_am(t)

    where R_cap is realised FLOP/s per dollar of the cluster's acquisition cost, E_real
    realised FLOP/s per watt drawn (chips, servers, networking, cooling), R_am realised
    FLOP per dollar of amortised cost (chips depreciated over the run, plus energy), and
    D(t) = min(duration(t) * (C / 1e24)^size, max_days) days: a larger run lasts longer.
    Utilisation, the numerical format, overheads and PUE are inside the fitted levels, so
    none of them is applied again.
    """

    flops_per_usd: LogLinear  # realised FLOP/s per USD of cluster acquisition cost
    flops_per_watt: LogLinear  # realised FLOP/s per W drawn all-in
    flop_per_usd_amortized: LogLinear  # FLOP per USD of amortised training cost
    duration_days: LogLinear  # training duration (days) of a 1e24-FLOP run, before the cap
    max_days: np.ndarray  # the longest a run can last (days), (S,)
    #: d log D / d log C: how the duration grows with the run's compute, (S,) or a number.
    duration_size: np.ndarray | float = 0.0

    def ln_days_uncapped(self, t: np.ndarray, ln_c: np.ndarray) -> np.ndarray:
        """ln of the duration in days of a run of ``exp(ln_c)`` FLOP at ``t``, uncapped."""
        size = _col(np.asarray(self.duration_size, dtype=float), t)
        return self.duration_days.ln(t) + size * (ln_c - SIZE_REF_LOG10_FLOP * LN10)

    def ln_seconds(self, t: np.ndarray, ln_c: np.ndarray) -> np.ndarray:
        """ln of the training duration in seconds of a run of ``exp(ln_c)`` FLOP at ``t``,
        capped at ``max_days``."""
        ln_days = np.minimum(self.ln_days_uncapped(t, ln_c), np.log(_col(self.max_days, t)))
        return ln_days + np.log(SECONDS_PER_DAY)


@dataclass(frozen=True)
class ProjectionInputs:
    """Everything the engine needs, as per-draw arrays of one length S."""

    compute: LogLinear  # FLOP of the largest run
    price_performance: LogLinear  # FLOP/s per USD of chips
    efficiency: LogLinear  # FLOP/s per W, before the physical ceiling
    efficiency_limit: np.ndarray  # FLOP/J; inf for none
    utilization: np.ndarray
    training_days: np.ndarray
    overhead: np.ndarray
    lifetime_years: np.ndarray
    pue: np.ndarray
    electricity_usd_per_kwh: np.ndarray
    constraints: tuple[ConstraintDraws, ...]
    start_year: float
    horizon: float
    inputs_meta: dict = field(default_factory=dict)
    #: The realised conversion; None for the datasheet formulas (price-performance,
    #: efficiency, utilisation, overhead, PUE, a fixed duration).
    realised: Realised | None = None
    #: The fitted top-n trend (the typical frontier run) when ``compute`` is the running
    #: record (:mod:`forecast.project.record`); None when they are the same.
    typical: LogLinear | None = None
    #: log10 FLOP of the largest run already in the data: the record's trajectory never
    #: falls below it (the hit years, all after it is passed, do not need it).
    record_floor_log10: float = -math.inf
    #: Per draw, a unit exponential: with a yearly hazard h of a new era the current one
    #: ends ``era_wait / h`` years after the start (None when no new era is modelled).
    era_wait: np.ndarray | None = None
    #: Per draw, the fitted current slope (log10 per year) where the forward slope of
    #: ``compute`` differs from it (a drifting slope goes on drifting); None when equal.
    fitted_slope: np.ndarray | None = None

    @property
    def n_draws(self) -> int:
        """Number of draws S."""
        return self.compute.slope.shape[0]

    @property
    def end(self) -> float:
        """The last instant projected: the end of the horizon year (:data:`YEAR_IS`)."""
        return float(year_instant(self.horizon))


def _col(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per-draw values (S,) shaped to broadcast against times ``t`` of shape (S, ...)."""
    return x.reshape(-1, *([1] * (np.ndim(t) - 1))) if np.ndim(t) > 1 else x


def take_draws(x, rows):
    """``x`` (inputs, a series, a constraint, or nested containers of them) restricted to
    some draws: every per-draw array is indexed by ``rows``; scalars and names stay."""
    if isinstance(x, np.ndarray) and x.ndim >= 1:
        return x[rows]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.replace(
            x, **{f.name: take_draws(getattr(x, f.name), rows) for f in dataclasses.fields(x)}
        )
    if isinstance(x, tuple):
        return tuple(take_draws(v, rows) for v in x)
    if isinstance(x, dict):
        return {k: take_draws(v, rows) for k, v in x.items()}
    return x


def saturate_ln(ln_trend: np.ndarray, ln_limit: np.ndarray | float) -> np.ndarray:
    """The efficiency ceiling in logs: ln E where 1/E = 1/E_trend + 1/E_max.

    The one formula of the ceiling (:func:`forecast.models.hardware.saturate` is its
    linear-scale form). E equals the trend while the trend is far below the ceiling and
    never exceeds the ceiling.

    Parameters
    ----------
    ln_trend : array_like
        ln of the unbounded log-linear trend (FLOP/J).
    ln_limit : array_like
        ln of the ceiling in FLOP/J; ``inf`` for no ceiling (then E is the trend exactly).
    """
    # ln(1/(1/a + 1/b)) = -logaddexp(-ln a, -ln b): no overflow, exact for ln b = inf.
    return -np.logaddexp(-np.asarray(ln_trend), -np.asarray(ln_limit))


def ln_efficiency(inp: ProjectionInputs, t: np.ndarray) -> np.ndarray:
    """ln E(t), bent towards the physical ceiling (:func:`saturate_ln`)."""
    limit = _col(inp.efficiency_limit, t)
    with np.errstate(divide="ignore"):
        ln_limit = np.log(limit)
    return saturate_ln(inp.efficiency.ln(t), ln_limit)


def ln_duration(inp: ProjectionInputs, t: np.ndarray, ln_c: np.ndarray) -> np.ndarray:
    """ln of the training duration (s) of a run of ``exp(ln_c)`` FLOP at ``t``, per draw:
    the realised duration (growing with the run, capped), or the datasheet's fixed days."""
    if inp.realised is not None:
        return inp.realised.ln_seconds(t, ln_c)
    return np.broadcast_to(
        np.log(_col(inp.training_days * SECONDS_PER_DAY, t)), np.broadcast(t, ln_c).shape
    )


def ln_longest_seconds(inp: ProjectionInputs, t: np.ndarray) -> np.ndarray:
    """ln of the longest a run may last (s), per draw shaped against ``t``: the realised
    conversion's cap (``max_training_days``), or the datasheet's fixed duration."""
    days = inp.realised.max_days if inp.realised is not None else inp.training_days
    return np.log(_col(np.asarray(days, dtype=float) * SECONDS_PER_DAY, t))


def ln_demand(inp: ProjectionInputs, c: ConstraintDraws | str, t: np.ndarray, ln_c=None):
    """Natural log of what the run demands of a constraint at ``t``: USD or W.

    ``c`` is a constraint or one of "capex", "amortized", "power", "flops" (the run's
    sustained FLOP/s, C / D) and "compute" (its FLOP). ``ln_c`` overrides the log compute
    (default: the unconstrained trend).
    """
    what = c if isinstance(c, str) else c.demand
    ln_c = inp.compute.ln(t) if ln_c is None else ln_c
    if what == "compute":
        return ln_c
    if what == "flops_max":
        return ln_c - ln_longest_seconds(inp, t)
    if inp.realised is not None:
        return _ln_realised_demand(inp, what, t, ln_c)
    if what == "flops":
        return ln_c - ln_duration(inp, t, ln_c)
    seconds = _col(inp.training_days * SECONDS_PER_DAY, t)
    ln_udt = np.log(_col(inp.utilization, t) * seconds)
    if what == "capex":
        return ln_c + np.log(_col(inp.overhead, t)) - ln_udt - inp.price_performance.ln(t)
    ln_power = ln_c + np.log(_col(inp.pue, t)) - ln_udt - ln_efficiency(inp, t)
    if what == "power":
        return ln_power
    if what == "amortized":
        ln_capex = ln_c + np.log(_col(inp.overhead, t)) - ln_udt - inp.price_performance.ln(t)
        ln_hw = ln_capex + np.log(seconds / _col(inp.lifetime_years * SECONDS_PER_YEAR, t))
        ln_energy = ln_power + np.log(seconds * _col(inp.electricity_usd_per_kwh, t) / J_PER_KWH)
        return np.logaddexp(ln_hw, ln_energy)
    raise ValueError(f"unknown demand {what!r}")


def _ln_realised_demand(inp: ProjectionInputs, what: str, t: np.ndarray, ln_c) -> np.ndarray:
    """ln demand under the realised conversion (see :class:`Realised`)."""
    r = inp.realised
    if what == "flops":
        return ln_c - ln_duration(inp, t, ln_c)
    if what == "capex":
        return ln_c - r.ln_seconds(t, ln_c) - r.flops_per_usd.ln(t)
    if what == "power":
        with np.errstate(divide="ignore"):
            ln_limit = np.log(_col(inp.efficiency_limit, t))
        return ln_c - r.ln_seconds(t, ln_c) - saturate_ln(r.flops_per_watt.ln(t), ln_limit)
    if what == "amortized":
        return ln_c - r.flop_per_usd_amortized.ln(t)
    raise ValueError(f"unknown demand {what!r}")


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


def closed_form_hit(inp: ProjectionInputs, c: ConstraintDraws) -> np.ndarray:
    """Exact hit year where demand and limit are both log-linear; inf if never.

    The gap g(t) = ln demand(t) - ln limit(t) is a + b t, so t* = -a / b when b > 0.
    For a capex constraint this is the design's formula

        t* = [ln(share L0) - ln C0 - ln overhead + ln(uD) + ln H0
              + tc ln2/Tc - th ln2/Th - tl ln(1+g)] / (ln2/Tc - ln2/Th - ln(1+g)).
    """
    g0 = ln_demand(inp, c, np.zeros(1)) - c.ln_limit(np.zeros(1))
    g1 = ln_demand(inp, c, np.ones(1)) - c.ln_limit(np.ones(1))
    slope = g1 - g0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(slope > 0, -g0 / slope, np.inf)
    return t


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
    inp: ProjectionInputs,
    c: ConstraintDraws,
    lo: float,
    hi: float,
    step: float = 1.0,
    tol: float = 1e-10,
) -> np.ndarray:
    """First year in [lo, hi] where demand reaches the limit, per draw (inf if none).

    :func:`first_crossing` of the gap between log demand and log limit. That gap is a sum
    of linear terms and at most two log-sum-exp terms, so it bends slowly: a yearly grid
    misses only a crossing and re-crossing within one year, which these inputs cannot
    produce. If demand already exceeds the limit at ``lo`` the hit year is ``lo``.
    """

    def gap(i: ProjectionInputs, k: ConstraintDraws, t: np.ndarray) -> np.ndarray:
        return ln_demand(i, k, t) - k.ln_limit(t)

    return first_crossing((inp, c), gap, inp.n_draws, lo, hi, step, tol)


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
            t = closed_form_hit(inp, c)
            t = np.where(t > inp.end, np.inf, np.maximum(t, inp.start_year))
        else:
            t = solve_hit(inp, c, inp.start_year, inp.end)
        hits[i] = t
    return hits


#: Years over which the forward doubling time is measured.
FORWARD_YEARS = 5.0


def _forward_doubling_months(inp: ProjectionInputs) -> np.ndarray:
    """Per draw, the doubling time (months) of the trend over its first five years."""
    t = np.array([inp.start_year, inp.start_year + FORWARD_YEARS])
    ln = inp.compute.ln(np.broadcast_to(t, (inp.n_draws, 2)))
    rate = (ln[:, 1] - ln[:, 0]) / FORWARD_YEARS
    with np.errstate(divide="ignore"):
        return np.where(rate > 0, doubling_months_from_ln_rate(rate), np.inf)


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


def ln_record(inp: ProjectionInputs, t: np.ndarray) -> np.ndarray:
    """ln FLOP of the largest run at ``t``, unconstrained: the trend, never below the
    largest run already published."""
    return np.maximum(inp.compute.ln(t), inp.record_floor_log10 * LN10)


def ln_held(inp: ProjectionInputs, t: np.ndarray) -> np.ndarray:
    """ln FLOP of the largest run at ``t`` held to the ceilings: the record, or the compute
    the tightest ceiling allows where that is smaller."""
    ln_c = ln_record(inp, t)
    demand = {w: ln_demand(inp, w, t, ln_c) for w in {c.demand for c in inp.constraints}}
    out = ln_c
    for c in inp.constraints:  # a loop over constraints, never over draws
        afford = ln_afford_from(inp, c.demand, t, ln_c, demand[c.demand], c.ln_limit(t))
        out = np.minimum(out, afford)
    return out


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


def ln_affordable(inp: ProjectionInputs, c: ConstraintDraws, t: np.ndarray) -> np.ndarray:
    """ln of the largest compute the constraint allows at ``t``.

    Where demand is proportional to compute (the datasheet conversion, the amortised
    cost) the affordable compute is C(t) * limit(t) / demand(t); e.g. for capex
    C = limit * u * D * H / overhead. See :func:`ln_afford_from`.
    """
    ln_c = inp.compute.ln(t)
    return ln_afford_from(inp, c.demand, t, ln_c, ln_demand(inp, c, t, ln_c), c.ln_limit(t))


def ln_afford_from(inp, what: str, t, ln_c, ln_dem, ln_lim) -> np.ndarray:
    """ln of the compute whose ``what`` demand equals ``exp(ln_lim)`` at ``t``, given the
    demand ``ln_dem`` of a run of ``exp(ln_c)`` FLOP.

    Demand is ``C^k`` times a factor that does not depend on C, so the answer is
    ``ln_c + (ln_lim - ln_dem) / k``. k = 1 except under the realised conversion for capex
    and power, whose duration grows as ``C^size`` up to the cap: there demand is the larger
    of ``C^(1 - size) ...`` (uncapped) and ``C ...`` (capped), and the affordable compute is
    the smaller of the two solutions.
    """
    gap = ln_lim - ln_dem
    r = inp.realised
    if r is None or what in ("amortized", "compute", "flops_max"):
        return ln_c + gap
    size = _col(np.asarray(r.duration_size, dtype=float), t)
    if np.all(size == 0):
        return ln_c + gap
    # The demand of each regime at ln_c: capped and uncapped differ by the duration used.
    ln_uncapped = r.ln_days_uncapped(t, ln_c)
    ln_cap = np.log(_col(r.max_days, t))
    used = np.minimum(ln_uncapped, ln_cap)
    gap_uncapped = gap - (used - ln_uncapped)  # demand if the duration were uncapped
    gap_capped = gap - (used - ln_cap)
    return np.minimum(ln_c + gap_uncapped / (1.0 - size), ln_c + gap_capped)


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


# -- setting inputs by scenario key path -------------------------------------------------------

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
#: Constraint inputs: scenario key -> ConstraintDraws field.
#: Each kind's limit key and its own factors (scenario key -> kind), as the schema has them.
_LIMIT_OF_KIND: dict[str, str] = Constraint.LIMITS
_EXTRA_OF_KIND: dict[str, str] = Constraint.EXTRAS
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
    extras = [k for k, kind in _EXTRA_OF_KIND.items() if kind == c.kind]
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
