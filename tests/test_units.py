from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from forecast.data import (
    FLOP_PER_PFS_DAY,
    decimal_year,
    doubling_months,
    flop_to_pfs_days,
    from_decimal_year,
    pfs_days_to_flop,
)
from forecast.data.units import (
    LN2,
    LN10,
    doubling_months_from_ln_rate,
    doubling_years,
    slope_from_doubling_months,
    slope_from_doubling_years,
)


def test_pfs_day_definition():
    assert FLOP_PER_PFS_DAY == 8.64e19
    assert flop_to_pfs_days(8.64e19) == pytest.approx(1.0)
    assert pfs_days_to_flop(0.0058) == pytest.approx(5.0112e17)
    np.testing.assert_allclose(
        flop_to_pfs_days(pfs_days_to_flop(np.array([1e-6, 3.0]))), [1e-6, 3.0]
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2012, 1, 1), 2012.0),
        (dt.date(2013, 7, 2), 2013 + 182 / 365),
        (dt.date(2012, 12, 31), 2012 + 365 / 366),  # leap year
    ],
)
def test_decimal_year(date, expected):
    assert decimal_year(date) == pytest.approx(expected)


def test_decimal_year_round_trip():
    for date in (dt.date(1957, 1, 15), dt.date(2017, 10, 19), dt.date(2024, 2, 29)):
        assert from_decimal_year(decimal_year(date)) == date


def test_doubling_time_conversions():
    # Ten times a year is a doubling every 12*log10(2) = 3.61 months.
    assert doubling_months(1.0) == pytest.approx(12 * math.log10(2))
    assert slope_from_doubling_months(doubling_months(0.7)) == pytest.approx(0.7)


def test_doubling_time_conversions_by_hand():
    # Doubling once a year is log10(2) = 0.30103 orders of magnitude a year.
    assert slope_from_doubling_years(1.0) == pytest.approx(0.30103, abs=1e-5)
    assert doubling_years(0.30103) == pytest.approx(1.0, abs=1e-4)
    # In natural logs: growing by ln 2 a year doubles every 12 months; by ln 4, every 6.
    assert doubling_months_from_ln_rate(0.6931471805599453) == pytest.approx(12.0, rel=1e-15)
    assert doubling_months_from_ln_rate(2 * 0.6931471805599453) == pytest.approx(6.0, rel=1e-15)
    assert LN2 == pytest.approx(0.6931471805599453, rel=1e-15)
    assert LN10 == pytest.approx(2.302585092994046, rel=1e-15)
