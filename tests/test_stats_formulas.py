"""The statistics over draws every summary and figure uses, and the efficiency ceiling,
pinned by hand-computed values (these are the mutation tester's targets in stats.py and
models/saturation.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from forecast.models.saturation import saturate, saturate_ln
from forecast.stats import (
    GROWTH_OF,
    central_interval,
    growth,
    interval,
    json_number,
    per_draw_growth,
    prob_finite,
    quantiles,
)


def test_quantiles_along_an_axis_with_never():
    draws = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, np.inf, np.inf]])
    # Row 0: numpy's linear interpolation; row 1: the median is 3, the 80th percentile
    # interpolates between 3 and inf and is therefore "never".
    # The leading axis follows q, as numpy's: got[q, row].
    got = quantiles(draws, [0.5, 0.9], axis=1)
    assert got.shape == (2, 2)
    np.testing.assert_array_equal(got[0], [3.0, 3.0])
    assert got[1, 0] == pytest.approx(4.6)
    assert got[1, 1] == np.inf
    # Along the other axis: column by column.
    np.testing.assert_array_equal(quantiles(draws, 0.5, axis=0), [1.0, 2.0, 3.0, np.inf, np.inf])


def test_quantiles_of_all_draws_by_default():
    draws = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert quantiles(draws, 0.5) == 2.5


def test_central_interval_is_the_level_s_tails():
    values = np.arange(101.0)  # the p-quantile is 100 p exactly
    lo, hi = central_interval(values, 0.8)
    assert (lo, hi) == (pytest.approx(10.0), pytest.approx(90.0))
    lo, hi = central_interval(values, 0.5)
    assert (lo, hi) == (pytest.approx(25.0), pytest.approx(75.0))
    rows = np.stack([values, 2 * values])
    lo, hi = central_interval(rows, 0.8, axis=1)
    np.testing.assert_allclose(lo, [10.0, 20.0])
    np.testing.assert_allclose(hi, [90.0, 180.0])


def test_interval_rounds_to_ten_significant_digits_by_default():
    value = 2031.123456789123
    got = interval(np.full(5, value))
    assert got == {"median": 2031.123457, "p10": 2031.123457, "p90": 2031.123457}
    assert interval(np.full(5, value), digits=None)["median"] == value
    assert interval(np.full(5, 1.23456789012345))["median"] == 1.23456789
    assert interval(np.array([1.0, np.inf, np.inf]))["median"] is None


def test_json_number():
    assert json_number(None) is None
    assert json_number(float("nan")) is None
    assert json_number(np.inf) is None
    assert json_number(np.float64(2.5)) == 2.5
    assert type(json_number(np.int64(3))) is float
    assert json_number("4") == 4.0


def test_prob_finite_with_and_without_axis():
    draws = np.array([[1.0, np.inf], [2.0, 3.0]])
    assert prob_finite(draws) == 0.75
    assert type(prob_finite(draws)) is float
    np.testing.assert_array_equal(prob_finite(draws, axis=1), [0.5, 1.0])
    np.testing.assert_array_equal(prob_finite(draws, axis=0), [1.0, 0.5])


def _projection(years: list[float]) -> xr.Dataset:
    n = len(years)
    t = np.arange(n, dtype=float)
    data = {
        "log10_flop": 26.0 + 0.5 * t,  # 10 ** 0.5 a year
        "capex_usd": 1e9 * 2.0**t,
        "amortized_usd": 1e8 * 3.0**t,
        "power_watts": 1e8 * 1.5**t,
    }
    return xr.Dataset(
        {k: (("draw", "year"), np.tile(v, (2, 1))) for k, v in data.items()},
        coords={"year": years},
    )


def test_growth_over_a_one_year_window():
    projection = _projection([2026.0, 2027.0])
    factor = per_draw_growth(projection, "capex_usd")
    np.testing.assert_allclose(factor, [2.0, 2.0])
    out = growth(projection)
    assert out["compute_per_year"]["median"] == pytest.approx(10**0.5)
    assert out["power_per_year"]["median"] == pytest.approx(1.5)


def test_growth_without_a_window_is_none_for_every_key():
    projection = _projection([2026.0])
    assert per_draw_growth(projection, "capex_usd") is None
    out = growth(projection)
    assert list(out) == list(GROWTH_OF)
    for key in GROWTH_OF:
        assert out[key] == {"median": None, "p10": None, "p90": None}


def test_saturate_is_the_harmonic_ceiling():
    e = np.array([1e12, 4.7e15, 1e18])
    limit = 4.7e15
    np.testing.assert_allclose(saturate(e, limit), 1.0 / (1.0 / e + 1.0 / limit), rtol=1e-12)
    np.testing.assert_allclose(saturate(e, np.inf), e, rtol=1e-12)
    np.testing.assert_allclose(saturate([2.0], [2.0]), [1.0], rtol=1e-12)
    assert saturate_ln(math.log(3.0), math.inf) == pytest.approx(math.log(3.0))
