"""The realised conversion: what frontier runs actually cost and drew, as fitted trends.

From the published hardware, power and cost of training runs (``data/run_hardware.csv``,
Epoch AI's estimates) and their compute, four per-run quantities, each a log-linear
trend over the publication year (Bayesian, Student-t, with each estimate's uncertainty as
known measurement error, as for compute):

==========================  ======================================================
series                      per run, log10 of
==========================  ======================================================
``flops_per_usd``           C / (D x acquisition cost of the cluster): FLOP/s per USD
``flops_per_watt``          C / (D x power drawn all-in): FLOP/s per W
``flop_per_usd_amortized``  C / amortised training cost: FLOP per USD
``duration_days``           D, the training time in days
==========================  ======================================================

(C = training compute, D = training time in seconds.) The duration also depends on the
run's size: log10 D = level + slope (t - t_ref) + size (log10 C - 24). At one date a
larger run lasts longer (labs trade chips for time: GPT-3 took about 15 days in 2020 at
3e23 FLOP, Llama 3.1-405B about 89 days in 2024 at 4e25), and a trend in time alone
prices smaller runs as if they lasted as long as the frontier's. Utilisation, the numerical format
actually used, servers, networking and cooling are all inside these realised figures, so
the projection applies none of them again (:class:`forecast.project.limits.Realised`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.models import priors as P
from forecast.models.posterior import SeriesFit

if TYPE_CHECKING:
    import pymc as pm

SERIES = ("flops_per_usd", "flops_per_watt", "flop_per_usd_amortized", "duration_days")
#: The series that are realised efficiencies (they share an improvement rate).
EFFICIENCIES = SERIES[:3]
#: Names the model's structure in the cache key: a changed model never loads old fits.
MODEL = f"pooled-efficiency-rates-size-duration-1-recency-{P.RECENCY_HALF_LIFE_YEARS}"
SECONDS_PER_HOUR = 3600.0
#: The run size (log10 FLOP) at which the duration's level is read: 1e24 FLOP.
SIZE_REF_LOG10_FLOP = 24.0

#: The variables whose convergence is checked.
CONVERSION_REPORTED = ["level", "slope", "sigma", "efficiency_rate", "duration_size"]


@dataclass(frozen=True)
class ConversionData:
    """Per series: publication years, log10 values, measurement sds, run names and the
    runs' log10 compute."""

    t: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    meas_sd: dict[str, np.ndarray]
    names: dict[str, tuple[str, ...]]
    log_c: dict[str, np.ndarray]

    @classmethod
    def from_runs(cls, runs: pd.DataFrame, run_hardware: pd.DataFrame) -> ConversionData:
        """The four series from runs (``name``, ``t``, ``compute_flop``, ``uncertainty``)
        and their published hardware figures (:func:`forecast.data.load_run_hardware`).

        A run enters a series when every figure that series needs is published.
        """
        cols = ["name", "training_hours", "power_watts", "hardware_cost_usd"]
        cols += ["amortized_cost_usd", "confidence"]
        merged = runs.merge(run_hardware[cols], on="name", how="inner")
        c = merged["compute_flop"].to_numpy(dtype=float)
        seconds = merged["training_hours"].to_numpy(dtype=float) * SECONDS_PER_HOUR
        factor = merged.get("uncertainty", pd.Series(2.0, index=merged.index))
        compute_sd = P.measurement_sd(factor.to_numpy(dtype=float))
        label = merged["confidence"].fillna("").astype(str).str.lower()
        figure_sd = P.measurement_sd(
            label.map(P.CONFIDENCE_FACTOR).fillna(P.CONFIDENCE_FACTOR["likely"]).to_numpy()
        )
        duration_sd = float(P.measurement_sd(P.DURATION_FACTOR))
        with np.errstate(divide="ignore", invalid="ignore"):
            values = {
                "flops_per_usd": c / (seconds * merged["hardware_cost_usd"].to_numpy(float)),
                "flops_per_watt": c / (seconds * merged["power_watts"].to_numpy(float)),
                "flop_per_usd_amortized": c / merged["amortized_cost_usd"].to_numpy(float),
                "duration_days": seconds / 86400.0,
            }
        # A ratio carries the compute's error and the figure's (and the duration's).
        sds = {
            "flops_per_usd": np.sqrt(compute_sd**2 + figure_sd**2 + duration_sd**2),
            "flops_per_watt": np.sqrt(compute_sd**2 + figure_sd**2 + duration_sd**2),
            "flop_per_usd_amortized": np.sqrt(compute_sd**2 + figure_sd**2),
            "duration_days": np.full(len(merged), duration_sd),
        }
        t_all = merged["t"].to_numpy(dtype=float)
        names = merged["name"].to_numpy()
        t, y, m, n, lc = {}, {}, {}, {}, {}
        for s in SERIES:
            ok = np.isfinite(values[s]) & (values[s] > 0)
            t[s], y[s], m[s] = t_all[ok], np.log10(values[s][ok]), sds[s][ok]
            n[s] = tuple(str(x) for x in names[ok])
            lc[s] = np.log10(c[ok])
        return cls(t=t, y=y, meas_sd=m, names=n, log_c=lc)

    def key(self) -> dict:
        """Content for cache keys."""
        return {
            s: [
                np.round(self.t[s], 6).tolist(),
                np.round(self.y[s], 6).tolist(),
                np.round(self.meas_sd[s], 6).tolist(),
                np.round(self.log_c[s], 6).tolist(),
            ]
            for s in SERIES
        }

    @property
    def t_ref(self) -> float:
        """Reference year of the fitted levels (median publication year)."""
        return float(np.median(np.concatenate([self.t[s] for s in SERIES])))

    def counts(self) -> dict[str, int]:
        """Runs in each series."""
        return {s: len(self.t[s]) for s in SERIES}


def build_conversion_model(data: ConversionData) -> pm.Model:
    """PyMC model of the four realised series (no sampling)."""
    import pymc as pm  # only to build a model: a cached fit never needs it

    t_ref = data.t_ref
    with pm.Model(coords={"series": list(SERIES)}) as model:
        model.t_ref = t_ref  # type: ignore[attr-defined]
        centres = np.array([np.median(data.y[s]) for s in SERIES])
        level = pm.Normal("level", mu=centres, sigma=P.CONVERSION_LEVEL_SD, dims="series")
        # The three efficiencies share one rate (each within a fixed spread of it: no
        # hyperprior on the spread, whose funnel makes NUTS diverge); the duration has its own.
        rate = pm.Normal("efficiency_rate", mu=P.CONVERSION_SLOPE_MU, sigma=P.CONVERSION_SLOPE_SD)
        offsets = pm.Normal("efficiency_offset", 0.0, 1.0, shape=len(EFFICIENCIES))
        duration = pm.Normal("duration_rate", mu=P.CONVERSION_SLOPE_MU, sigma=P.CONVERSION_SLOPE_SD)
        slope = pm.Deterministic(
            "slope",
            pm.math.concatenate([rate + P.CONVERSION_SLOPE_SPREAD * offsets, duration[None]]),
            dims="series",
        )
        size = pm.TruncatedNormal(
            "duration_size",
            mu=P.DURATION_SIZE_MU,
            sigma=P.DURATION_SIZE_SD,
            lower=P.DURATION_SIZE_BOUNDS[0],
            upper=P.DURATION_SIZE_BOUNDS[1],
        )
        sigma = pm.HalfNormal("sigma", sigma=P.CONVERSION_SCATTER_SD, dims="series")
        nu = pm.Gamma("nu", alpha=P.NU_ALPHA, beta=P.NU_BETA)
        t_last = max(float(np.max(data.t[s])) for s in SERIES)
        for i, s in enumerate(SERIES):
            scale = pm.math.sqrt(sigma[i] ** 2 + data.meas_sd[s] ** 2)
            if P.RECENCY_HALF_LIFE_YEARS:
                # An older run's residual variance doubles every half-life: it counts less.
                scale = scale * 2.0 ** ((t_last - data.t[s]) / (2 * P.RECENCY_HALF_LIFE_YEARS))
            mu = level[i] + slope[i] * (data.t[s] - t_ref)
            if s == "duration_days":
                mu = mu + size * (data.log_c[s] - SIZE_REF_LOG10_FLOP)
            pm.StudentT(
                f"y_{s}",
                nu=nu,
                mu=mu,
                sigma=scale,
                observed=data.y[s],
            )
    return model


@dataclass
class ConversionFit(SeriesFit):
    """A fitted realised conversion: per draw, each series' level and slope."""

    def _index(self, series: str) -> int:
        return SERIES.index(series)

    def slope(self, series: str) -> np.ndarray:
        """log10 units per year, per draw."""
        return self._stack("slope")[:, self._index(series)]

    def log10_at(self, series: str, year: float) -> np.ndarray:
        """log10 of the series at ``year``, per draw."""
        i = self._index(series)
        return self._stack("level")[:, i] + self._stack("slope")[:, i] * (year - self.t_ref)

    def duration_size(self) -> np.ndarray:
        """Per draw, how the duration scales with the run's compute: d log10 D / d log10 C."""
        return self._stack("duration_size")

    def log10_duration(self, year: float, log10_flop) -> np.ndarray:
        """log10 of the training duration (days, before any cap) of runs of ``log10_flop``
        at ``year``, per draw."""
        size = self.duration_size()
        lc = np.asarray(log10_flop, dtype=float)
        return self.log10_at("duration_days", year) + size * (lc - SIZE_REF_LOG10_FLOP)

    def growth_per_year(self, series: str) -> np.ndarray:
        """Yearly growth factor per draw."""
        return 10 ** self.slope(series)
