"""Bayesian models of the compute trend and of hardware, with a posterior cache."""

from forecast.models.conversion import ConversionData, ConversionFit
from forecast.models.fit import (
    DEFAULT_CONTROL,
    FitControl,
    fit_clusters,
    fit_conversion,
    fit_hardware,
    fit_trend,
)
from forecast.models.hardware import HardwareData, HardwareFit
from forecast.models.sampling import (
    CacheWarning,
    ConvergenceWarning,
    Diagnostics,
    FitWarning,
    SamplerSettings,
    backend_available,
)
from forecast.models.saturation import saturate
from forecast.models.trend import TrendData, TrendFit, build_trend_model, trend_mean

__all__ = [
    "CacheWarning",
    "ConversionData",
    "ConversionFit",
    "ConvergenceWarning",
    "Diagnostics",
    "FitWarning",
    "HardwareData",
    "HardwareFit",
    "DEFAULT_CONTROL",
    "FitControl",
    "SamplerSettings",
    "TrendData",
    "TrendFit",
    "backend_available",
    "build_trend_model",
    "fit_clusters",
    "fit_conversion",
    "fit_hardware",
    "fit_trend",
    "saturate",
    "trend_mean",
]
