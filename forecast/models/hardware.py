"""Hardware trends: log-linear fits of price-performance and energy efficiency.

log10 H_i = a_H + b_H (t_i - t_ref) + e_i and log10 E_i = a_E + b_E (t_i - t_ref) + e_i,
Student-t errors, fitted jointly (independent likelihoods, one posterior).

Energy efficiency cannot grow forever: CMOS has a physical limit (Ho et al. 2023
estimate about 4.7e15 FLOP/J). The projection bends the fitted trend smoothly towards
that ceiling with a harmonic saturation, 1/E(t) = 1/E_trend(t) + 1/E_max, which equals
the fitted trend while it is far below the limit and never exceeds the limit (see
:func:`~forecast.models.saturation.saturate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.data.loaders import peak_flops
from forecast.data.units import doubling_years
from forecast.models import priors as P
from forecast.models.posterior import FlatDraws
from forecast.models.sampling import Diagnostics

if TYPE_CHECKING:
    import arviz as az
    import pymc as pm

SERIES = ("price_performance", "efficiency")


@dataclass(frozen=True)
class HardwareData:
    """Chip release years and log10 of FLOP/s per dollar and per watt."""

    precision: str
    t_price: np.ndarray
    y_price: np.ndarray
    t_eff: np.ndarray
    y_eff: np.ndarray
    names_price: tuple[str, ...]
    names_eff: tuple[str, ...]

    @classmethod
    def from_table(cls, hardware: pd.DataFrame, precision: str = "ml") -> HardwareData:
        """Accelerators with a price enter price-performance; with a TDP, efficiency.

        CPUs stay out of both fits: they are in ``hardware.csv`` for the hardware-time
        estimate of early runs, but large training runs use accelerators, whose trend is
        the one that prices a frontier run.
        """
        if "kind" in hardware:
            hardware = hardware[hardware["kind"] != "cpu"].reset_index(drop=True)
        peak = peak_flops(hardware, precision)
        price = hardware["price_usd"].to_numpy(dtype=float)
        watts = hardware["tdp_watts"].to_numpy(dtype=float)
        has_price = np.isfinite(peak) & np.isfinite(price)
        has_eff = np.isfinite(peak) & np.isfinite(watts)
        names = hardware["name"].to_numpy()
        t = hardware["t"].to_numpy(dtype=float)
        return cls(
            precision=precision,
            t_price=t[has_price],
            y_price=np.log10(peak[has_price] / price[has_price]),
            t_eff=t[has_eff],
            y_eff=np.log10(peak[has_eff] / watts[has_eff]),
            names_price=tuple(names[has_price]),
            names_eff=tuple(names[has_eff]),
        )

    def key(self) -> dict:
        """Content for cache keys."""
        return {
            "precision": self.precision,
            "tp": np.round(self.t_price, 6).tolist(),
            "yp": np.round(self.y_price, 6).tolist(),
            "te": np.round(self.t_eff, 6).tolist(),
            "ye": np.round(self.y_eff, 6).tolist(),
        }

    @property
    def t_ref(self) -> float:
        """Reference year of the fitted levels (median release year)."""
        return float(np.median(np.concatenate([self.t_price, self.t_eff])))


def build_hardware_model(data: HardwareData) -> pm.Model:
    """PyMC model of both hardware series (no sampling)."""
    t_ref = data.t_ref
    coords = {"series": list(SERIES)}
    import pymc as pm  # only to build a model: a cached fit never needs it

    with pm.Model(coords=coords) as model:
        model.t_ref = t_ref  # type: ignore[attr-defined]
        centres = np.array([np.median(data.y_price), np.median(data.y_eff)])
        level = pm.Normal("level", mu=centres, sigma=P.HARDWARE_LEVEL_SD, dims="series")
        slope = pm.LogNormal(
            "slope",
            mu=math.log(P.HARDWARE_SLOPE_MEDIAN),
            sigma=P.HARDWARE_SLOPE_SIGMA,
            dims="series",
        )
        sigma = pm.HalfNormal("sigma", sigma=P.HARDWARE_SCATTER_SD, dims="series")
        nu = pm.Gamma("nu", alpha=P.NU_ALPHA, beta=P.NU_BETA)
        for i, (t, y, name) in enumerate(
            ((data.t_price, data.y_price, "y_price"), (data.t_eff, data.y_eff, "y_eff"))
        ):
            pm.StudentT(
                name, nu=nu, mu=level[i] + slope[i] * (t - t_ref), sigma=sigma[i], observed=y
            )
        pm.Deterministic("doubling_years", doubling_years(slope), dims="series")
    return model


HARDWARE_REPORTED = ["level", "slope", "sigma"]


@dataclass
class HardwareFit(FlatDraws):
    """Fitted hardware trends (per draw) for one precision."""

    idata: az.InferenceData
    precision: str
    t_ref: float
    diagnostics: Diagnostics
    cached: bool = False

    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def doubling_years(self, series: str) -> np.ndarray:
        """Doubling time in years of ``series`` ("price_performance" or "efficiency")."""
        return self._stack("doubling_years")[:, SERIES.index(series)]

    def log10_at(self, series: str, year: float) -> np.ndarray:
        """log10 of the series at ``year`` (FLOP/s per $ or per W), per draw."""
        i = SERIES.index(series)
        return self._stack("level")[:, i] + self._stack("slope")[:, i] * (year - self.t_ref)
