"""Statistics over the draws that figures and tables show: quantile bands, medians, shares.

The report asks for each by what it means and does no arithmetic on draws itself (a test
walks ``forecast/report`` for numpy reductions). Each function is the numpy call it
names, so that a figure shows the number summary.json holds, computed the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecast.stats import prob_finite, rounded_interval


def band(values, qs: Sequence[float]) -> np.ndarray:
    """Quantiles ``qs`` of ``values`` over the draws (axis 0), NaN draws left out."""
    return np.nanquantile(np.asarray(values, dtype=float), qs, axis=0)


def quantile(values, qs: Sequence[float], axis: int | None = None) -> np.ndarray:
    """Quantiles ``qs`` of ``values`` (NaN propagates)."""
    return np.quantile(values, qs, axis=axis)


def median(values, axis: int | None = None):
    """The median of ``values`` (NaN propagates)."""
    return np.median(values, axis=axis)


def nanmedian(values, axis: int | None = None):
    """The median of ``values``, NaN draws left out."""
    return np.nanmedian(values, axis=axis)


def mean(values) -> float:
    """The mean of ``values`` (of a mask: the share that is true)."""
    return float(np.mean(values))


def nanmean(values) -> float:
    """The mean of ``values``, NaN left out."""
    return float(np.nanmean(values))


def count(mask) -> int:
    """How many of ``mask`` are true."""
    return int(np.sum(mask))


def share_reached(years) -> float:
    """The share of draws with a finite (reached) year: :func:`forecast.stats.prob_finite`."""
    return prob_finite(years)


def interval(values) -> dict:
    """Median and 80% interval at summary.json's precision
    (:func:`forecast.stats.rounded_interval`; None: not reached)."""
    return rounded_interval(values)


def median_yearly_factor(doubling_months) -> float:
    """The median of the yearly growth factor 2 ** (12 / d) over draws of a doubling time
    ``d`` in months."""
    return float(np.nanmedian(2 ** (12 / np.asarray(doubling_months, dtype=float))))


def count_interval(counts) -> dict:
    """Median and 80% interval of a count over draws, in whole runs
    (:func:`forecast.analysis.counts.count_interval`)."""
    from forecast.analysis.counts import count_interval as interval_of_count

    return interval_of_count(counts)
