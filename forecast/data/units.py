"""Unit helpers: FLOP <-> petaflop/s-days, dates <-> decimal years, doubling times."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

#: One petaflop/s-day: 1e15 FLOP/s sustained for 86,400 s.
FLOP_PER_PFS_DAY = 1e15 * 86_400.0
SECONDS_PER_DAY = 86_400.0
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY


def flop_to_pfs_days(flop: float | np.ndarray) -> float | np.ndarray:
    """Convert FLOP to petaflop/s-days."""
    return flop / FLOP_PER_PFS_DAY


def pfs_days_to_flop(pfs_days: float | np.ndarray) -> float | np.ndarray:
    """Convert petaflop/s-days to FLOP."""
    return pfs_days * FLOP_PER_PFS_DAY


def decimal_year(date: dt.date) -> float:
    """A date as a decimal year: 2012-01-01 -> 2012.0, 2012-07-02 -> ~2012.5.

    The fraction is the day of the year over the length of that year, so leap
    years are exact.
    """
    start = dt.date(date.year, 1, 1)
    length = (dt.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / length


def from_decimal_year(t: float) -> dt.date:
    """Inverse of :func:`decimal_year` (to the nearest day)."""
    year = math.floor(t)
    start = dt.date(year, 1, 1)
    length = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=round((t - year) * length))


# Doubling times and log-linear slopes, in one place. Plain arithmetic, so that the same
# function serves floats, NumPy and xarray arrays and PyTensor tensors (the models).

#: log10(2): a quantity that doubles grows by this many orders of magnitude.
LOG10_2 = math.log10(2.0)
#: ln(2): a quantity that doubles grows by this much in natural-log units.
LN2 = math.log(2.0)
#: ln(10): natural-log units per order of magnitude (log10 units x LN10 = ln units).
LN10 = math.log(10.0)


def doubling_months(slope_log10_per_year):
    """Doubling time in months for a slope in orders of magnitude (log10) per year."""
    return 12 * LOG10_2 / slope_log10_per_year


def slope_from_doubling_months(months):
    """Slope in log10 per year for a doubling time in months."""
    return 12 * LOG10_2 / months


def doubling_years(slope_log10_per_year):
    """Doubling time in years for a slope in log10 per year."""
    return LOG10_2 / slope_log10_per_year


def slope_from_doubling_years(years):
    """Slope in log10 per year for a doubling time in years."""
    return LOG10_2 / years


# The same in natural-log units (per year), as the projection engine works in ln so that
# enormous values (1e30 FLOP) stay exact.


def doubling_months_from_ln_rate(rate_ln_per_year):
    """Doubling time in months for a growth rate in natural-log units per year."""
    return 12 * LN2 / rate_ln_per_year
