"""The pieces every figure shares: axes, quantity formatters, bands, legends, and where a
projected year is drawn.

Every plot function reads results only (the projection Dataset, runs tables, a fitted
trend's posterior); none fits or simulates. Each takes ``ax=None``, creates a figure
only when no axes are given, and returns the figure it drew on. Figures are built with
:class:`matplotlib.figure.Figure` (no pyplot state) and rendered with Agg.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import (
    Formatter,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
)

from forecast.report import style as fmt
from forecast.report.style import (
    PURPLE,
    literal,
)
from forecast.results import draws as D

#: The projected compute of the largest run (the fitted trend is BLUE).
PROJECTION = PURPLE


# --------------------------------------------------------------------------- helpers


class QuantityFormatter(Formatter):
    """Tick labels from a function that formats all the ticks of an axis at once.

    ``labels`` is :func:`forecast.report.formatting.usd_labels` or
    :func:`~forecast.report.formatting.watts_labels`: they choose one style for the
    values they are given, so only the ticks inside the view are passed (a locator
    also returns ticks beyond it, which would otherwise decide the style unseen).
    """

    def __init__(self, labels: Callable[[Sequence[float]], list[str]]):
        self.labels = labels

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.labels([x])[0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        lo, hi = -math.inf, math.inf
        if self.axis is not None:
            lo, hi = sorted(self.axis.get_view_interval())
        tol = 1e-9 * max(abs(lo), abs(hi), 1.0) if math.isfinite(hi) else 0.0
        inside = [i for i, v in enumerate(values) if lo - tol <= v <= hi + tol]
        shown = self.labels([values[i] for i in inside])
        out = [""] * len(values)
        for i, text in zip(inside, shown, strict=True):
            out[i] = text
        return out


def usd_formatter() -> QuantityFormatter:
    """Tick formatter for dollar axes: "$1M" ... "$1T", "$1,000T", or powers of ten for all."""
    return QuantityFormatter(fmt.usd_labels)


def watts_formatter() -> QuantityFormatter:
    """Tick formatter for power axes: "1 kW" ... "1 TW", "1,000 TW", or powers of ten for all."""
    return QuantityFormatter(fmt.watts_labels)


def log_axis(ax: Axes, formatter: Formatter | None = None) -> None:
    """Log y axis with ticks at powers of ten, labelled by ``formatter`` (default: powers of
    ten in plain text)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(formatter if formatter is not None else fmt.power_formatter())


def quantity_label(ax: Axes, label: str, powers_note: str) -> None:
    """Set the y label (ending in its unit in brackets); on an axis in powers of ten, add
    ``powers_note`` ("10⁹ W = 1 GW") inside the brackets.

    The note links the powers of ten back to the named amounts the legends and the
    briefing use. Call it once the data are drawn (the limits decide the style).
    """
    lo, hi = sorted(ax.get_ylim())
    ticks = [t for t in ax.yaxis.get_major_locator().tick_values(lo, hi) if lo <= t <= hi]
    if not fmt.named_style(ticks):
        label = f"{label.removesuffix(')')}; {powers_note})"  # inside the unit's brackets
    ax.set_ylabel(label)
    literal([ax.yaxis.label])  # two "$" in one label would start mathtext


def horizon_of(projection: xr.Dataset) -> float:
    return float(projection.attrs.get("horizon", projection["year"].values[-1]))


def start_of(projection: xr.Dataset) -> float:
    return float(projection.attrs.get("start_year", projection["year"].values[0]))


def years_of(projection: xr.Dataset) -> np.ndarray:
    """Where each projected year is drawn on a time axis: the instant its label stands
    for (the end of the year, ``time``), so projections line up with the runs' dates. A
    projection written before the convention was stated has only its labels (1 January)."""
    var = "time" if "time" in projection.coords else "year"
    return np.asarray(projection[var].values, dtype=float)


def fill_band(ax: Axes, x, lo, hi, colour, alpha, label=None, zorder=1):
    return ax.fill_between(x, lo, hi, color=colour, alpha=alpha, lw=0, label=label, zorder=zorder)


def hit_summary(hits: np.ndarray, horizon: float) -> str:
    """'median hit year 2031, P(hit by 2045) >99%', in the briefing's words and numbers."""
    hits = np.asarray(hits, dtype=float)
    h = f"{horizon:.0f}"
    p = fmt.percent(D.share_reached(hits) if hits.size else 0.0)
    median = D.interval(hits)["median"] if hits.size else None
    if median is None:
        return f"not by {h} in most draws, P(hit by {h}) {p}"
    return f"median hit year {fmt.year(median)}, P(hit by {h}) {p}"


def constraints_of(projection: xr.Dataset, kind: str) -> list[tuple[int, str, str]]:
    """(index, name, basis) of every constraint of ``kind``."""
    names = [str(n) for n in projection["constraint"].values]
    kinds = [str(k) for k in projection["constraint_kind"].values]
    bases = [str(b) for b in projection["constraint_basis"].values]
    return [
        (i, n, b) for i, (n, k, b) in enumerate(zip(names, kinds, bases, strict=True)) if k == kind
    ]


def year_axis(ax: Axes, label: str = "year", axis: str = "x") -> None:
    """Whole years as tick labels: no "2030.5", no "+2.03e3" offset on a narrow range."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    which.set_major_locator(MaxNLocator(integer=True))
    which.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(label)


def band_patch(colour: str, alpha: float) -> Patch:
    return Patch(facecolor=colour, alpha=alpha, lw=0)


def legend_below(ax: Axes, **kwargs) -> None:
    kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("framealpha", 0.9)
    literal(ax.legend(**kwargs).get_texts())
