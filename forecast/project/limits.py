"""The limits: the ceilings by kind, what the run demands of them and the compute they allow.

Also the conversion of compute into dollars and watts, the inputs of a projection
(:class:`ProjectionInputs`) and the run's paths.

Per run at year t (C compute, u utilisation, D duration in s, H FLOP/s per $, E FLOP/s
per W), under the datasheet conversion:

- capex     = C * overhead / (u * D * H)
- power     = C * pue / (u * D * E)
- energy    = power * D * electricity price
- amortized = capex * D / lifetime + energy

and under the realised conversion (:class:`Realised`) the fitted all-in trends. A ceiling
(:class:`ConstraintDraws`) is compared with what the run demands of it (:func:`ln_demand`);
:func:`ln_afford_from` inverts that demand into the largest compute the ceiling allows.
The run's paths: the record (:func:`ln_record`, never below the largest run published)
and the record held to the ceilings (:func:`ln_held`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from forecast.data.units import LN10, SECONDS_PER_DAY, SECONDS_PER_YEAR
from forecast.models.saturation import saturate_ln
from forecast.project.trajectory import LogLinear, _col, year_instant
from forecast.scenario.schema import Constraint

__all__ = [
    "DEMAND_OF_KIND",
    "DEMAND_UNITS",
    "ConstraintDraws",
    "ProjectionInputs",
    "Realised",
    "ln_afford_from",
    "ln_affordable",
    "ln_demand",
    "ln_duration",
    "ln_efficiency",
    "ln_held",
    "ln_longest_seconds",
    "ln_record",
    "saturate_ln",
]

J_PER_KWH = 3.6e6
#: The run size (log10 FLOP) at which the realised duration's level is read.
SIZE_REF_LOG10_FLOP = 24.0


#: What a run is compared with under each kind of ceiling (spend: its ``basis``).
#: "flops" is the run's sustained FLOP/s, C / D; "compute" its FLOP, C.
DEMAND_OF_KIND: dict[str, str] = {
    "power": "power",
    "chips": "flops",
    "data": "compute",
    "compute": "compute",
    "cluster": "flops",
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
    - cluster: the run's sustained FLOP/s, ``share * sites * split_efficiency * H(t) *
      flops_per_h100e`` with ``H(t) = limit * (1 + g)^(t - ref)`` the largest cluster's
      H100-equivalents (the share of it one run uses, over the sites it spans, keeping
      ``split_efficiency`` of their compute; ``sites`` and ``split_efficiency`` are 1 unless
      given);
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
    kind: str  # "spend" | "power" | "chips" | "data" | "compute" | "cluster"
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
        if self.kind == "cluster":
            # share * H * r * sites * split_efficiency: the largest cluster's FLOP/s one run
            # gets, over every site it spans.
            return base + np.log(
                self._factor("flops_per_h100e")
                * self._factor("sites")
                * self._factor("split_efficiency")
            )
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
