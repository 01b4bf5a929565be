"""The projection engine: compute of the largest run -> dollars and watts -> hit years.

Everything is vectorised over draws (axis 0); there is no Python loop over draws. All
growth is handled in natural logs so that enormous values (1e30 FLOP) stay exact.

Per run at year t (C compute, u utilisation, D duration in s, H FLOP/s per $, E FLOP/s
per W):

- capex     = C * overhead / (u * D * H)
- power     = C * pue / (u * D * E)
- energy    = power * D * electricity price
- amortized = capex * D / lifetime + energy
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from forecast.data.units import SECONDS_PER_DAY, SECONDS_PER_YEAR, doubling_years

LN10 = math.log(10.0)
LN2 = math.log(2.0)
J_PER_KWH = 3.6e6


@dataclass(frozen=True)
class LogLinear:
    """A per-draw log-linear series: log10 value = log10_ref + slope * (t - ref_year).

    ``log10_ref`` and ``slope`` (log10 units per year) have shape (S,).
    """

    log10_ref: np.ndarray
    slope: np.ndarray
    ref_year: float

    def ln(self, t: np.ndarray) -> np.ndarray:
        """Natural log of the series at ``t`` (shape (S,) or (S, G))."""
        t = np.asarray(t, dtype=float)
        return LN10 * (_col(self.log10_ref, t) + _col(self.slope, t) * (t - self.ref_year))

    def doubling_years(self) -> np.ndarray:
        """Doubling time in years per draw."""
        return doubling_years(self.slope)


@dataclass(frozen=True)
class ConstraintDraws:
    """One ceiling with per-draw parameters: limit(t) = share * limit * (1+g)^(t - ref)."""

    name: str
    kind: str  # "spend" | "power"
    basis: str | None  # "capex" | "amortized" for spend
    limit: np.ndarray  # USD or W, (S,)
    reference_year: float
    growth: np.ndarray  # per year, (S,)
    share: np.ndarray  # (S,)

    def ln_limit(self, t: np.ndarray) -> np.ndarray:
        """Natural log of the limit at ``t``."""
        t = np.asarray(t, dtype=float)
        return _col(np.log(self.share * self.limit), t) + _col(np.log1p(self.growth), t) * (
            t - self.reference_year
        )


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

    @property
    def n_draws(self) -> int:
        """Number of draws S."""
        return self.compute.slope.shape[0]


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


def ln_efficiency(inp: ProjectionInputs, t: np.ndarray) -> np.ndarray:
    """ln E(t), bent towards the physical ceiling: 1/E = 1/E_trend + 1/E_max."""
    ln_trend = inp.efficiency.ln(t)
    limit = _col(inp.efficiency_limit, t)
    with np.errstate(divide="ignore"):
        ln_limit = np.log(limit)
    # ln(1/(1/a + 1/b)) = -logaddexp(-ln a, -ln b); exact for an infinite ceiling.
    return -np.logaddexp(-ln_trend, -ln_limit)


def ln_demand(inp: ProjectionInputs, c: ConstraintDraws | str, t: np.ndarray, ln_c=None):
    """Natural log of what the run demands of a constraint at ``t``: USD or W.

    ``c`` is a constraint or one of "capex", "amortized", "power". ``ln_c`` overrides the
    log compute (default: the unconstrained trend).
    """
    what = c if isinstance(c, str) else (c.basis if c.kind == "spend" else "power")
    ln_c = inp.compute.ln(t) if ln_c is None else ln_c
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


def is_log_linear(inp: ProjectionInputs, c: ConstraintDraws) -> bool:
    """Whether the constraint's gap is linear in t (closed form applies)."""
    if c.kind == "spend":
        return c.basis == "capex"
    return bool(np.all(np.isinf(inp.efficiency_limit)))


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


def solve_hit(
    inp: ProjectionInputs,
    c: ConstraintDraws,
    lo: float,
    hi: float,
    step: float = 1.0,
    tol: float = 1e-10,
) -> np.ndarray:
    """First year in [lo, hi] where demand reaches the limit, per draw (inf if none).

    A grid of ``step`` years brackets the first crossing (the gap between log demand and
    log limit is a sum of linear terms and at most two log-sum-exp terms, so it bends
    slowly: a yearly grid misses only a crossing and re-crossing within one year, which
    these inputs cannot produce); vectorised bisection then refines
    every draw at once to ``tol`` years. If demand already exceeds the limit at ``lo``
    the hit year is ``lo``.
    """
    s = inp.n_draws
    grid = np.arange(lo, hi + step / 2, step)
    tt = np.broadcast_to(grid, (s, grid.size))
    gap = ln_demand(inp, c, tt) - c.ln_limit(tt)
    above = gap >= 0
    first = np.argmax(above, axis=1)
    hit_any = above.any(axis=1)
    result = np.full(s, np.inf)
    already = hit_any & (first == 0)
    result[already] = lo
    todo = hit_any & (first > 0)
    if todo.any():
        a = grid[first[todo] - 1].astype(float)
        b = grid[first[todo]].astype(float)
        sub_inp, sub_c = take_draws((inp, c), todo)
        for _ in range(math.ceil(math.log2(step / tol))):
            mid = 0.5 * (a + b)
            g = ln_demand(sub_inp, sub_c, mid) - sub_c.ln_limit(mid)
            up = g >= 0
            b = np.where(up, mid, b)
            a = np.where(up, a, mid)
        result[todo] = 0.5 * (a + b)
    return result


def ln_affordable(inp: ProjectionInputs, c: ConstraintDraws, t: np.ndarray) -> np.ndarray:
    """ln of the largest compute the constraint allows at ``t``.

    Demand is proportional to compute for every basis, so the affordable compute is
    C(t) * limit(t) / demand(t); e.g. for capex C = limit * u * D * H / overhead.
    """
    ln_c = inp.compute.ln(t)
    return ln_c + c.ln_limit(t) - ln_demand(inp, c, t, ln_c)


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
        Dims ``draw``, ``year``, ``constraint``: ``log10_flop`` (trend), ``capex_usd``,
        ``amortized_usd``, ``power_watts`` of the trend run, ``limit`` per constraint,
        ``hit_year`` per constraint and draw (inf if not by the horizon), ``binding``
        (index of the first binding constraint, -1 if none), ``first_hit_year``,
        ``log10_flop_constrained`` and ``post_limit_doubling_months``.
    """
    s = inp.n_draws
    years = np.arange(math.floor(inp.start_year), inp.horizon + step / 2, step)
    tt = np.broadcast_to(years, (s, years.size))
    names = [c.name for c in inp.constraints]
    ln_c = inp.compute.ln(tt)

    hits = np.empty((len(names), s))
    lo = inp.start_year
    for i, c in enumerate(inp.constraints):  # a loop over constraints, never over draws
        if is_log_linear(inp, c):
            t = closed_form_hit(inp, c)
            # Report in the same window as the numerical solver: [start, horizon].
            t = np.where(t > inp.horizon, np.inf, np.maximum(t, lo))
        else:
            t = solve_hit(inp, c, lo, inp.horizon)
        hits[i] = t

    # The run's three demands on the grid, computed once: what a constraint allows is
    # C * limit / demand (demand is proportional to compute for every basis).
    demand = {what: ln_demand(inp, what, tt, ln_c) for what in ("capex", "amortized", "power")}
    ln_limit = np.stack([c.ln_limit(tt) for c in inp.constraints])  # (K, S, G)
    basis = [c.basis if c.kind == "spend" else "power" for c in inp.constraints]
    ln_afford = np.stack([ln_c + ln_limit[i] - demand[b] for i, b in enumerate(basis)])
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
                post[sel] = np.where(rate > 0, 12 * LN2 / rate, np.inf)

    draw = np.arange(s)
    ds = xr.Dataset(
        {
            "log10_flop": (("draw", "year"), ln_c / LN10),
            "log10_flop_constrained": (("draw", "year"), ln_constrained / LN10),
            "capex_usd": (("draw", "year"), np.exp(demand["capex"])),
            "amortized_usd": (("draw", "year"), np.exp(demand["amortized"])),
            "power_watts": (("draw", "year"), np.exp(demand["power"])),
            "limit": (("constraint", "draw", "year"), np.exp(ln_limit)),
            "hit_year": (("constraint", "draw"), hits),
            "first_hit_year": (("draw",), first_hit),
            "binding": (("draw",), binding),
            "post_limit_doubling_months": (("draw",), post),
            "doubling_time_months": (("draw",), 12 * inp.compute.doubling_years()),
            "price_performance_doubling_years": (("draw",), inp.price_performance.doubling_years()),
            "efficiency_doubling_years": (("draw",), inp.efficiency.doubling_years()),
        },
        coords={"draw": draw, "year": years, "constraint": names},
        attrs={"start_year": inp.start_year, "horizon": inp.horizon},
    )
    ds["constraint_kind"] = ("constraint", [c.kind for c in inp.constraints])
    ds["constraint_basis"] = ("constraint", [c.basis or "" for c in inp.constraints])
    return ds


def prob_hit(hit_years: np.ndarray) -> float:
    """Share of draws that hit by the horizon."""
    return float(np.mean(np.isfinite(hit_years)))


def interval(values: np.ndarray, digits: int = 6) -> dict:
    """Median, 10th and 90th percentiles; a quantile beyond the horizon (inf) is None."""
    # "Never by the horizon" is inf; a finite stand-in avoids inf - inf in interpolation,
    # and any quantile that touches it is reported as None.
    never = 1e300
    values = np.asarray(values, dtype=float)
    q = np.quantile(np.where(np.isinf(values), never, values), [0.5, 0.1, 0.9])
    out = {}
    for key, v in zip(("median", "p10", "p90"), q, strict=True):
        out[key] = None if (np.isnan(v) or v >= never / 10) else float(f"{v:.{digits + 4}g}")
    return out
