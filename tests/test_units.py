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
from forecast.data.units import slope_from_doubling_months


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
