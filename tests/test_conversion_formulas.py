"""The realised conversion's formulas (forecast/models/conversion.py), each by hand.

Found by mutation testing (README, Quick start): the per-run quantities and their
errors, the cache key, the model's log density against scipy's, and the fitted series
read back from a posterior.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import special, stats

from forecast.models import priors as P
from forecast.models.conversion import (
    SERIES,
    ConversionData,
    ConversionFit,
    build_conversion_model,
)
from forecast.models.posterior import Posterior

Z90 = stats.norm.ppf(0.95)


def _tables():
    """Four runs without stated uncertainties (2x by default). b publishes an infinite
    power draw and a zero cluster cost, c no confidence (read as "likely", 3x), d no
    amortised cost."""
    runs = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "t": [2020.123456789, 2021.5, 2022.25, 2023.0],
            "compute_flop": [1.5e24, 2e24, 4e24, 8e24],
        }
    )
    hw = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "training_hours": [24.0, 48.0, 0.5, 72.0],
            "power_watts": [1e6, math.inf, 2e6, 3e6],
            "hardware_cost_usd": [1e8, 0.0, 2e8, 3e8],
            "amortized_cost_usd": [1e6, 2e6, 3e6, np.nan],
            "confidence": ["confident", "likely", np.nan, "speculative"],
        }
    )
    return runs, hw


def test_series_keep_runs_with_finite_positive_values_and_their_errors_add_up():
    data = ConversionData.from_runs(*_tables())
    assert data.names["flops_per_watt"] == ("a", "c", "d")  # b: C / (D x inf) = 0
    assert data.names["flops_per_usd"] == ("a", "c", "d")  # b: C / (D x 0) = inf
    assert data.names["flop_per_usd_amortized"] == ("a", "b", "c")
    assert data.names["duration_days"] == ("a", "b", "c", "d")
    np.testing.assert_allclose(
        data.y["flops_per_watt"],
        np.log10([1.5e24 / (86400 * 1e6), 4e24 / (1800 * 2e6), 8e24 / (72 * 3600 * 3e6)]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        data.y["duration_days"], np.log10([1.0, 2.0, 0.5 / 24, 3.0]), rtol=1e-12
    )
    compute, duration = math.log10(2.0) / Z90, math.log10(1.25) / Z90
    figure = {"a": math.log10(2.0) / Z90, "c": math.log10(3.0) / Z90}
    per_second = [math.sqrt(compute**2 + figure[r] ** 2 + duration**2) for r in "ac"]
    np.testing.assert_allclose(data.meas_sd["flops_per_watt"][:2], per_second, rtol=1e-12)
    np.testing.assert_allclose(data.meas_sd["flops_per_usd"][:2], per_second, rtol=1e-12)
    amortized = [math.sqrt(compute**2 + figure[r] ** 2) for r in "ac"]
    np.testing.assert_allclose(
        data.meas_sd["flop_per_usd_amortized"][[0, 2]], amortized, rtol=1e-12
    )
    np.testing.assert_allclose(data.meas_sd["duration_days"], duration, rtol=1e-12)


def test_the_cache_key_rounds_every_number_to_six_decimals():
    data = ConversionData.from_runs(*_tables())
    key = data.key()
    assert list(key) == list(SERIES)
    assert key["duration_days"][0] == [2020.123457, 2021.5, 2022.25, 2023.0]
    assert key["duration_days"][3] == [24.176091, 24.30103, 24.60206, 24.90309]
    for s in SERIES:
        for got, values in zip(
            key[s], (data.t[s], data.y[s], data.meas_sd[s], data.log_c[s]), strict=True
        ):
            assert got == [round(float(v), 6) for v in values]


def test_the_conversion_models_log_density_by_hand(monkeypatch):
    """At one point: the priors of priors.py, and per series a Student-t of the level plus
    the slope (the efficiencies' shared rate plus their spread times their offsets) times
    the years from t_ref, plus the size term for the duration, its scale the scatter and
    the measurement error in quadrature, widened by 2^(age / (2 x half-life))."""
    monkeypatch.setattr(P, "RECENCY_HALF_LIFE_YEARS", 2.5)
    data = ConversionData.from_runs(*_tables())
    model = build_conversion_model(data)
    assert model.t_ref == data.t_ref
    for name in ("level", "slope", "sigma"):
        assert model.named_vars_to_dims[name] == ("series",)

    level = np.array([9.0, 11.0, 17.5, 0.3])
    rate, offsets, duration, size = 0.12, np.array([0.5, -1.0, 1.5]), 0.04, 0.35
    sigma, nu = np.array([0.2, 0.3, 0.4, 0.25]), 6.0
    lo, hi = P.DURATION_SIZE_BOUNDS
    point = {
        "level": level,
        "efficiency_rate": np.array(rate),
        "efficiency_offset": offsets,
        "duration_rate": np.array(duration),
        "duration_size_interval__": np.array(special.logit((size - lo) / (hi - lo))),
        "sigma_log__": np.log(sigma),
        "nu_log__": np.array(math.log(nu)),
    }
    got = model.compile_logp(jacobian=False)(point)

    centres = np.array([np.median(data.y[s]) for s in SERIES])
    mu_size, sd_size = P.DURATION_SIZE_MU, P.DURATION_SIZE_SD
    expected = (
        stats.norm.logpdf(level, centres, P.CONVERSION_LEVEL_SD).sum()
        + stats.norm.logpdf(rate, P.CONVERSION_SLOPE_MU, P.CONVERSION_SLOPE_SD)
        + stats.norm.logpdf(offsets, 0.0, 1.0).sum()
        + stats.norm.logpdf(duration, P.CONVERSION_SLOPE_MU, P.CONVERSION_SLOPE_SD)
        + stats.truncnorm.logpdf(
            size, (lo - mu_size) / sd_size, (hi - mu_size) / sd_size, mu_size, sd_size
        )
        + stats.halfnorm.logpdf(sigma, scale=P.CONVERSION_SCATTER_SD).sum()
        + stats.gamma.logpdf(nu, P.NU_ALPHA, scale=1 / P.NU_BETA)
    )
    slopes = [*(rate + P.CONVERSION_SLOPE_SPREAD * offsets), duration]
    t_last = max(float(np.max(data.t[s])) for s in SERIES)
    for i, s in enumerate(SERIES):
        t = data.t[s]
        mu = level[i] + slopes[i] * (t - data.t_ref)
        if s == "duration_days":
            mu = mu + size * (data.log_c[s] - 24.0)
        scale = np.sqrt(sigma[i] ** 2 + data.meas_sd[s] ** 2) * 2.0 ** ((t_last - t) / 5.0)
        expected += stats.t.logpdf(data.y[s], nu, mu, scale).sum()
    assert float(got) == pytest.approx(expected, rel=1e-9)


def test_a_fit_reads_each_series_from_its_posterior():
    """Two draws: levels and slopes per series, the duration's size term at 1e24 FLOP."""
    level = np.array([[10.0, 11.0, 17.0, 1.5], [10.5, 11.5, 17.5, 2.0]])
    slope = np.array([[0.1, 0.2, 0.3, 0.05], [0.15, 0.25, 0.35, 0.1]])
    size = np.array([0.3, 0.4])
    posterior = xr.Dataset(
        {
            "level": (("chain", "draw", "series"), level[None]),
            "slope": (("chain", "draw", "series"), slope[None]),
            "duration_size": (("chain", "draw"), size[None]),
        },
        coords={"series": list(SERIES)},
    )
    fit = ConversionFit(
        idata=Posterior({"posterior": posterior}), t_ref=2023.0, diagnostics=None, counts={}
    )
    np.testing.assert_allclose(fit.slope("flops_per_watt"), [0.2, 0.25])
    np.testing.assert_allclose(fit.log10_at("flop_per_usd_amortized", 2025.0), [17.6, 18.2])
    np.testing.assert_allclose(fit.duration_size(), size)
    np.testing.assert_allclose(fit.log10_duration(2025.0, 26.0), [1.6 + 0.6, 2.2 + 0.8])
    np.testing.assert_allclose(fit.growth_per_year("flops_per_usd"), [10**0.1, 10**0.15])
