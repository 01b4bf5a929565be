"""The trajectory of the largest run: the year convention and per-draw log-linear series.

A year label of the projection stands for the end of that year (:data:`YEAR_IS`,
:func:`year_instant`). Every trend the engine projects (the compute of the largest run,
price-performance, efficiency, the realised conversion's series) is a :class:`LogLinear`
series per draw, in natural logs so that enormous values stay exact. :func:`take_draws`
restricts any of the engine's per-draw containers to some draws.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from forecast.data.units import LN10, doubling_years

__all__ = ["YEAR_IS", "LogLinear", "take_draws", "year_instant"]

#: What a year label of the projection means: the end of that year. "2026" is the largest
#: run published by 31 December 2026, read at the instant 2027.0 (:func:`year_instant`);
#: a hit year, a decimal year, falls in the calendar year it is shown as.
YEAR_IS = "end of year"


def year_instant(years) -> np.ndarray:
    """The instant (decimal year) a year label stands for: its end, ``year + 1``.

    The one home of the convention :data:`YEAR_IS`: the engine's grid, the summary, the
    figures and compare all read a label's value at this instant.
    """
    return np.asarray(years, dtype=float) + 1.0


@dataclass(frozen=True)
class LogLinear:
    """A per-draw log-linear series: log10 value = log10_ref + slope * (t - ref_year).

    ``log10_ref`` and ``slope`` (log10 units per year) have shape (S,). With
    ``change_year`` (S,) the series bends there to ``slope_after`` (S,): a new era
    (:mod:`forecast.project.record` projects the compute trend so); ``inf`` never bends.
    """

    log10_ref: np.ndarray
    slope: np.ndarray
    ref_year: float
    change_year: np.ndarray | None = None
    slope_after: np.ndarray | None = None

    def ln(self, t: np.ndarray) -> np.ndarray:
        """Natural log of the series at ``t`` (shape (S,) or (S, G))."""
        t = np.asarray(t, dtype=float)
        if self.change_year is None:
            return LN10 * (_col(self.log10_ref, t) + _col(self.slope, t) * (t - self.ref_year))
        change = _col(self.change_year, t)
        before = np.minimum(t, change) - self.ref_year
        after = np.maximum(t - change, 0.0)
        return LN10 * (
            _col(self.log10_ref, t)
            + _col(self.slope, t) * before
            + _col(self.slope_after, t) * after
        )

    def bends_before(self, year: float) -> bool:
        """Whether any draw changes slope before ``year`` (then closed forms do not apply)."""
        return self.change_year is not None and bool(np.any(self.change_year < year))

    def doubling_years(self) -> np.ndarray:
        """Doubling time in years per draw."""
        return doubling_years(self.slope)


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
