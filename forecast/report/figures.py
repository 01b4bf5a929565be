"""Figures of one scenario run: trend, projection, costs, power, hit years, sensitivity.

Every plot function reads results only (the projection Dataset, runs tables, a fitted
trend's posterior); none fits or simulates. Each takes ``ax=None``, creates a figure
only when no axes are given, and returns the figure it drew on. Figures are built with
:class:`matplotlib.figure.Figure` (no pyplot state) and rendered with Agg.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import (
    Formatter,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
    PercentFormatter,
)

from forecast.data.units import FLOP_PER_PFS_DAY, slope_from_doubling_months
from forecast.report import style as fmt
from forecast.report.style import (
    BLACK,
    BLUE,
    DPI,
    FIGSIZE,
    GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    constraint_colour,
    literal,
    mark_year,
)
from forecast.report.style import axes as _axes
from forecast.results import draws as D
from forecast.results.summary import ALLOWED_VAR, binding_shares

#: The projected compute of the largest run (the fitted trend is BLUE).
PROJECTION = PURPLE

#: The stems of :func:`figure_set`, in order.
STEMS = (
    "trend_log",
    "trend_linear",
    "lesson_2018",
    "cost",
    "power",
    "growth_accounting",
    "hit_years",
    "binding_first",
    "threshold_counts",
    "sensitivity",
)


# --------------------------------------------------------------------------- helpers


def _quantiles(values: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles over draws (axis 0), ignoring NaN: shape (len(qs), ...)."""
    return D.band(values, qs)


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


def _log_axis(ax: Axes, formatter: Formatter | None = None) -> None:
    """Log y axis with ticks at powers of ten, labelled by ``formatter`` (default: powers of
    ten in plain text)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(formatter if formatter is not None else fmt.power_formatter())


def _quantity_label(ax: Axes, label: str, powers_note: str) -> None:
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


def _horizon(projection: xr.Dataset) -> float:
    return float(projection.attrs.get("horizon", projection["year"].values[-1]))


def _start(projection: xr.Dataset) -> float:
    return float(projection.attrs.get("start_year", projection["year"].values[0]))


def _years(projection: xr.Dataset) -> np.ndarray:
    """Where each projected year is drawn on a time axis: the instant its label stands
    for (the end of the year, ``time``), so projections line up with the runs' dates. A
    projection written before the convention was stated has only its labels (1 January)."""
    var = "time" if "time" in projection.coords else "year"
    return np.asarray(projection[var].values, dtype=float)


def _band(ax: Axes, x, lo, hi, colour, alpha, label=None, zorder=1):
    return ax.fill_between(x, lo, hi, color=colour, alpha=alpha, lw=0, label=label, zorder=zorder)


def _hit_summary(hits: np.ndarray, horizon: float) -> str:
    """'median hit year 2031, P(hit by 2045) >99%', in the briefing's words and numbers."""
    hits = np.asarray(hits, dtype=float)
    h = f"{horizon:.0f}"
    p = fmt.percent(D.share_reached(hits) if hits.size else 0.0)
    median = D.interval(hits)["median"] if hits.size else None
    if median is None:
        return f"not by {h} in most draws, P(hit by {h}) {p}"
    return f"median hit year {fmt.year(median)}, P(hit by {h}) {p}"


def _constraints(projection: xr.Dataset, kind: str) -> list[tuple[int, str, str]]:
    """(index, name, basis) of every constraint of ``kind``."""
    names = [str(n) for n in projection["constraint"].values]
    kinds = [str(k) for k in projection["constraint_kind"].values]
    bases = [str(b) for b in projection["constraint_basis"].values]
    return [
        (i, n, b) for i, (n, k, b) in enumerate(zip(names, kinds, bases, strict=True)) if k == kind
    ]


def _year_axis(ax: Axes, label: str = "year", axis: str = "x") -> None:
    """Whole years as tick labels: no "2030.5", no "+2.03e3" offset on a narrow range."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    which.set_major_locator(MaxNLocator(integer=True))
    which.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(label)


def _patch(colour: str, alpha: float) -> Patch:
    return Patch(facecolor=colour, alpha=alpha, lw=0)


def _legend(ax: Axes, **kwargs) -> None:
    kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("framealpha", 0.9)
    literal(ax.legend(**kwargs).get_texts())


# --------------------------------------------------------------------------- trend (log)


def _in(runs: pd.DataFrame, subset: pd.DataFrame) -> np.ndarray:
    """Which rows of ``runs`` are also in ``subset`` (by name and date)."""
    if not {"name", "t"} <= set(runs.columns) or not {"name", "t"} <= set(subset.columns):
        return np.zeros(len(runs), dtype=bool)
    keys = set(zip(subset["name"].astype(str), np.round(subset["t"].astype(float), 6), strict=True))
    pairs = zip(runs["name"].astype(str), np.round(runs["t"].astype(float), 6), strict=True)
    return np.fromiter((k in keys for k in pairs), dtype=bool, count=len(runs))


def _moore_anchor(
    projection: xr.Dataset, runs_used: pd.DataFrame, trend: xr.Dataset | None
) -> tuple[float, float] | None:
    """(year, log10 FLOP) where the Moore's-law line starts: the trend at the first run."""
    if trend is not None:
        return trend.attrs["moore_anchor_t"], trend.attrs["moore_anchor_log10"]
    t0 = float(runs_used["t"].min()) if len(runs_used) else float(_years(projection)[0])
    # Fixed trend: the projection is log-linear per draw, so extend it back exactly.
    if "doubling_time_months" not in projection:
        return None
    year0 = float(_years(projection)[0])
    slope = slope_from_doubling_months(projection["doubling_time_months"].to_numpy())
    level = projection["log10_flop"].to_numpy()[:, 0] - slope * (year0 - t0)
    return t0, float(D.median(level))


def plot_trend_log(
    runs_all: pd.DataFrame,
    runs_used: pd.DataFrame,
    projection: xr.Dataset,
    trend: xr.Dataset | None = None,
    ax: Axes | None = None,
    moore_months: float = 24.0,
    xmin: float | None = None,
) -> Figure:
    """The 2018 "AI and Compute" chart, extended: runs, fitted eras and projection fan.

    Parameters
    ----------
    runs_all : pandas.DataFrame
        Every candidate run (``t``, ``compute_flop``), drawn as grey points.
    runs_used : pandas.DataFrame
        The selected frontier runs, highlighted.
    projection : xarray.Dataset
        From :func:`forecast.project.project`.
    trend : xarray.Dataset, optional
        What the report keeps of the fitted trend (:func:`forecast.workflow.fit_summary`):
        its median and 50%/90% bands are drawn over the data years and its breakpoints
        as vertical lines. None when the scenario fixes the trend.
    ax : matplotlib Axes, optional
    moore_months : float
        Doubling time of the Moore's-law reference line.
    xmin : float, optional
        Left end of the x axis (default: a year before the first selected run).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax)
    years = _years(projection)
    start, horizon = _start(projection), _horizon(projection)
    if xmin is None:
        first = float(runs_used["t"].min()) if len(runs_used) else years[0] - 10
        xmin = math.floor(first) - 1.0
    entries: list[tuple] = []  # (legend handle, label)

    # Data: all runs in the window in grey; runs after the cut-off hollow; frontier runs.
    if len(runs_all):
        t_all = runs_all["t"].to_numpy(dtype=float)
        f_all = runs_all["compute_flop"].to_numpy(dtype=float)
        shown = (t_all >= xmin) & (t_all <= start) & ~_in(runs_all, runs_used)
        later = (t_all >= xmin) & (t_all > start)
        if shown.any():
            h = ax.scatter(t_all[shown], f_all[shown], s=12, color=GREY, alpha=0.55, lw=0, zorder=2)
            h.set_label("other runs in the data")
            entries.append((h, h.get_label()))
        if later.any():
            h = ax.scatter(
                t_all[later],
                f_all[later],
                s=22,
                facecolor="none",
                edgecolor=BLACK,
                lw=0.8,
                zorder=4,
            )
            h.set_label("runs after the data cut-off (not fitted)")
            entries.append((h, h.get_label()))
    if len(runs_used):
        h = ax.scatter(
            runs_used["t"].to_numpy(dtype=float),
            runs_used["compute_flop"].to_numpy(dtype=float),
            s=30,
            color=ORANGE,
            edgecolor=BLACK,
            lw=0.6,
            zorder=5,
            label=f"selected frontier runs ({len(runs_used)})",
        )
        entries.append((h, h.get_label()))

    # Fitted trend over the data years, with eras.
    if trend is not None and len(runs_used):
        t_grid = trend["band_t"].to_numpy()
        q = 10 ** trend["band"].transpose("band_quantile", "band_t").to_numpy()
        _band(ax, t_grid, q[0], q[4], BLUE, 0.15, zorder=3)
        _band(ax, t_grid, q[1], q[3], BLUE, 0.3, zorder=3)
        doubling = D.median(trend["era_doubling_months"].to_numpy(), axis=0)
        # One decimal, as the briefing gives each era's doubling time.
        rates = " → ".join(f"{d:.1f}" for d in doubling)
        (h,) = ax.plot(
            t_grid,
            q[2],
            color=BLUE,
            lw=2,
            zorder=4,
        )
        entries.append(
            (
                (_patch(BLUE, 0.15), _patch(BLUE, 0.3), h),
                f"fitted trend, median with 50%/90% bands (doubling every {rates} months)",
            )
        )
        breaks = trend["breakpoint"].to_numpy()
        if breaks.size:
            trans = ax.get_xaxis_transform()
            for k, b in enumerate(D.median(breaks, axis=0)):
                ax.axvline(b, color=BLUE, ls=":", lw=1.2, zorder=1)
                ax.text(
                    b,
                    0.02,
                    # A breakpoint is a date, not a hit year: one decimal, as the briefing.
                    f"era {k + 2} from {b:.1f}",
                    transform=trans,
                    rotation=90,
                    va="bottom",
                    ha="right",
                    fontsize="small",
                    color=BLUE,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1},
                    zorder=6,
                )
            entries.append((Line2D([], [], color=BLUE, ls=":", lw=1.2), "era breakpoints (median)"))

    # Projection fan to the horizon.
    logc = projection["log10_flop"].to_numpy()
    q = 10 ** _quantiles(logc, [0.1, 0.25, 0.5, 0.75, 0.9])
    _band(ax, years, q[0], q[4], PROJECTION, 0.2, zorder=3)
    _band(ax, years, q[1], q[3], PROJECTION, 0.4, zorder=3)
    ax.plot(years, q[2], color=PROJECTION, lw=2, zorder=4)
    entries.append(
        (
            (
                _patch(PROJECTION, 0.2),
                _patch(PROJECTION, 0.4),
                Line2D([], [], color=PROJECTION, lw=2),
            ),
            "largest run (the running record): projection, median with 50%/80% bands "
            "(unconstrained)"
            if "log10_flop_typical" in projection
            else "projection, median with 50%/80% bands (unconstrained)",
        )
    )
    # Two median lines beside the fan: the typical run (the trend) and the held path.
    for var, colour, lw, ls, zorder, label in (
        (
            "log10_flop_typical",
            PROJECTION,
            1.2,
            ":",
            4,
            "typical frontier run (the fitted trend; median)",
        ),
        (
            "log10_flop_constrained",
            BLACK,
            1.8,
            "--",
            5,
            "largest run held to the ceilings (median)",
        ),
    ):
        if var in projection:
            median = 10 ** D.nanmedian(projection[var].to_numpy(), axis=0)
            (h,) = ax.plot(years, median, color=colour, lw=lw, ls=ls, zorder=zorder, label=label)
            entries.append((h, h.get_label()))

    # Moore's law reference.
    anchor = _moore_anchor(projection, runs_used, trend)
    if anchor is not None:
        t0, y0 = anchor
        tm = np.array([t0, horizon])
        ym = 10 ** (y0 + (tm - t0) * slope_from_doubling_months(moore_months))
        (h,) = ax.plot(
            tm,
            ym,
            color=GREY,
            lw=1.3,
            ls="-.",
            zorder=2,
            label=f"Moore's law reference (doubling every {moore_months:g} months)",
        )
        entries.append((h, h.get_label()))

    mark_year(ax, start, "data cut-off")
    _log_axis(ax)
    ax.set_xlim(xmin, horizon + 0.5)
    _year_axis(ax)
    ax.set_ylabel("training compute of the run (FLOP)")
    ax.set_ylim(ax.get_ylim())  # settle autoscaling so the secondary axis follows at once
    sec = ax.secondary_yaxis(
        "right",
        functions=(lambda f: f / FLOP_PER_PFS_DAY, lambda p: p * FLOP_PER_PFS_DAY),
    )
    sec.yaxis.set_major_formatter(fmt.power_formatter())
    sec.set_ylabel(f"petaflop/s-days (1 pfs-day = {fmt.power_of_ten(FLOP_PER_PFS_DAY)} FLOP)")
    med_d = (
        float(D.nanmedian(projection["doubling_time_months"]))
        if ("doubling_time_months" in projection)
        else float("nan")
    )
    title = "Compute of the largest training runs: data, fitted trend and projection"
    if np.isfinite(med_d):
        title += f"\nprojected to {horizon:.0f} at a median doubling time of {fmt.months(med_d)}"
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    handles, labels = zip(*entries, strict=True)
    _legend(ax, handles=list(handles), labels=list(labels), loc="upper left")
    return fig


# --------------------------------------------------------------------------- trend (linear)


def plot_trend_linear(
    projection: xr.Dataset, runs_used: pd.DataFrame, ax: Axes | None = None, data_years: float = 6.0
) -> Figure:
    """The projection on a linear FLOP scale: how explosive exponential growth is.

    The x axis covers the last ``data_years`` years of data and the projection up to two
    years after the median year the first ceiling binds (or the horizon), so that the
    bend of the constrained path is visible; the y axis is cut at twice the unconstrained
    median at that end (the upper band goes further).
    """
    fig, ax = _axes(ax)
    years = _years(projection)
    start, horizon = _start(projection), _horizon(projection)
    if "first_hit_year" in projection:
        first = projection["first_hit_year"].to_numpy()
        if D.mean(np.isfinite(first)) > 0.5:
            horizon = min(horizon, float(np.ceil(D.median(first))) + 2.0)
    end = int(np.argmin(np.abs(years - horizon)))
    logc = projection["log10_flop"].to_numpy()
    q = 10 ** _quantiles(logc, [0.1, 0.5, 0.9])
    _band(ax, years, q[0], q[2], PROJECTION, 0.3, label="projected trend, 80% band")
    ax.plot(years, q[1], color=PROJECTION, lw=2, label="projected trend, median (unconstrained)")
    if "log10_flop_constrained" in projection:
        med_c = 10 ** D.nanmedian(projection["log10_flop_constrained"].to_numpy(), axis=0)
        ax.plot(years, med_c, color=BLACK, lw=1.8, ls="--", label="held to the ceilings (median)")
    xmin = start - data_years
    if len(runs_used):
        t = runs_used["t"].to_numpy(dtype=float)
        f = runs_used["compute_flop"].to_numpy(dtype=float)
        keep = t >= xmin
        ax.scatter(
            t[keep],
            f[keep],
            s=30,
            color=ORANGE,
            edgecolor=BLACK,
            lw=0.6,
            zorder=5,
            label="selected frontier runs",
        )
        i = int(np.argmax(f))
        name = str(runs_used["name"].iloc[i]) if "name" in runs_used else "largest run"
        ax.annotate(
            f"largest run in the data: {name}, {fmt.flop(f[i])}\n"
            f"(the median projection for {horizon:.0f} is {fmt.factor(q[1][end] / f[i])} that)",
            xy=(t[i], f[i]),
            xytext=(0.03, 0.55),
            textcoords="axes fraction",
            fontsize="small",
            arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.8},
        )
    ax.set_xlim(xmin, horizon + 0.5)
    ax.set_ylim(0, 2.0 * q[1][end])
    ax.yaxis.set_major_formatter(fmt.power_formatter())
    _year_axis(ax)
    ax.set_ylabel("training compute of the run (FLOP, linear scale)")
    ax.set_title(
        f"The same projection on a linear scale: growth of {_growth_text(projection)} a year\n"
        "makes everything before the last few years look flat"
    )
    ax.grid(True, alpha=0.3)
    _legend(ax, loc="upper left")
    return fig


def _growth_text(projection: xr.Dataset) -> str:
    """Growth per year as the briefing gives it: the median over draws, "4.7x"."""
    if "doubling_time_months" not in projection:
        return "this size"
    d = projection["doubling_time_months"].to_numpy()
    return fmt.growth(D.median_yearly_factor(d))


# --------------------------------------------------------------------------- costs


_BASIS = {"capex": "capital cost", "amortized": "amortised cost"}


def _ceiling_level(limit: np.ndarray, label: int, text: Callable[[float], str]) -> str:
    """The ceiling one run may reach, for a legend: "5 GW", or "from $1.1T at the end of
    2026" (``label``: the first year of the projection, read at its end)."""
    first = float(limit[0])
    if np.allclose(limit, first, rtol=1e-6, equal_nan=True):
        return text(first)
    return f"from {text(first)} at the end of {label}"


def _ceiling_lines(
    ax: Axes, projection: xr.Dataset, kind: str, amount: Callable[[float], str]
) -> None:
    """Each ceiling of ``kind`` as a dashed line (median over draws), labelled with its
    level at the start (not a median over the years of a growing ceiling), what it is
    compared with, and when it is hit, in the briefing's words."""
    years = _years(projection)
    hits = projection["hit_year"].to_numpy()
    horizon = _horizon(projection)
    for i, name, basis in _constraints(projection, kind):
        lim = D.nanmedian(projection["limit"].isel(constraint=i).to_numpy(), axis=0)
        level = _ceiling_level(lim, int(projection["year"].values[0]), amount)
        versus = f"vs {_BASIS.get(basis, basis)}; " if kind == "spend" else ""
        ax.plot(
            years,
            lim,
            color=constraint_colour(i),
            lw=2,
            ls=(0, (6, 2)),
            label=f"ceiling: {name}, {level} ({versus}{_hit_summary(hits[i], horizon)})",
        )


def plot_cost_vs_ceilings(projection: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Capital and amortised cost of the largest run against every spend ceiling (log USD)."""
    fig, ax = _axes(ax)
    years = _years(projection)
    series = (
        ("capex_usd", "capex", BLUE, "capital cost of the hardware (capex)"),
        ("amortized_usd", "amortized", SKY_BLUE, "amortised cost (hardware over the run + energy)"),
    )
    for var, _basis, colour, label in series:
        if var not in projection:
            continue
        q = _quantiles(projection[var].to_numpy(), [0.1, 0.5, 0.9])
        _band(ax, years, q[0], q[2], colour, 0.25)
        ax.plot(years, q[1], color=colour, lw=2, label=f"{label}: median, 80% band")
    _ceiling_lines(ax, projection, "spend", fmt.usd)
    _log_axis(ax, usd_formatter())
    ax.set_xlim(years[0], years[-1])
    _year_axis(ax)
    _quantity_label(ax, "cost of the largest run (US dollars, nominal)", "$10¹² = $1T")
    ax.set_title(
        "What the largest run would cost if the trend continued,\nagainst the spending ceilings"
    )
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax, loc="upper left")
    return fig


# --------------------------------------------------------------------------- power


def plot_power_vs_ceiling(projection: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Power drawn by the largest run (median, 80% band) against every power ceiling."""
    fig, ax = _axes(ax)
    years = _years(projection)
    q = _quantiles(projection["power_watts"].to_numpy(), [0.1, 0.5, 0.9])
    _band(ax, years, q[0], q[2], BLUE, 0.25)
    ax.plot(
        years,
        q[1],
        color=BLUE,
        lw=2,
        label="power drawn by the largest run, all-in (with cooling): median, 80% band",
    )
    _ceiling_lines(ax, projection, "power", fmt.watts)
    _log_axis(ax, watts_formatter())
    ax.set_xlim(years[0], years[-1])
    _year_axis(ax)
    _quantity_label(ax, "power drawn during training (watts)", "10⁹ W = 1 GW")
    ax.set_title(
        "Power the largest run would draw if the trend continued,\nagainst the power ceiling"
    )
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax, loc="upper left")
    return fig


# --------------------------------------------------------------------------- hit years


def plot_hit_years(
    projection: xr.Dataset, ax: Axes | None = None, bin_years: float = 0.5
) -> Figure:
    """When each ceiling is hit: step histograms over draws, one colour per constraint.

    Heights are the share of all draws in each bin (as a percentage), so a curve's bars
    add up to the probability of hitting by the horizon; draws that do not hit by the
    horizon are counted in the legend, not plotted.
    """
    fig, ax = _axes(ax)
    start, horizon = _start(projection), _horizon(projection)
    # Hit years run to the end of the horizon year (the last instant projected).
    edges = np.arange(math.floor(start), _years(projection)[-1] + bin_years, bin_years)
    names = [str(n) for n in projection["constraint"].values]
    hits = projection["hit_year"].to_numpy()
    n = hits.shape[1] if hits.ndim == 2 else 0
    for i, name in enumerate(names):
        h = hits[i]
        finite = h[np.isfinite(h)]
        never = n - finite.size
        label = f"{name}: {_hit_summary(h, horizon)}"
        if never:
            label += f"; {never} of {n} draws not by {horizon:.0f}"
        counts, _ = np.histogram(finite, bins=edges)
        # A share per bin, not a density per year: a density of 2 "per year" read as
        # "200% of draws" when every draw fell in one half-year bin.
        share = counts / max(n, 1)
        ax.stairs(share, edges, color=constraint_colour(i), lw=2, label=label)
        if len(names) <= 3:
            # With more ceilings the fills pile up into one grey mass: lines only.
            ax.stairs(share, edges, color=constraint_colour(i), alpha=0.12, fill=True)
    if "first_hit_year" in projection and len(names) > 1:
        h = projection["first_hit_year"].to_numpy()
        counts, _ = np.histogram(h[np.isfinite(h)], bins=edges)
        ax.stairs(
            counts / max(n, 1),
            edges,
            color=BLACK,
            lw=1.3,
            ls="--",
            label=f"first ceiling of any kind: {_hit_summary(h, horizon)}",
        )
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    _year_axis(ax, "year the ceiling is reached")
    ax.set_ylabel(f"share of draws in each {_bin_text(bin_years)}")
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_title(f"When the largest run reaches each ceiling ({n} draws, horizon {horizon:.0f})")
    ax.grid(True, alpha=0.3)
    _legend(ax, loc="upper right")
    return fig


def _bin_text(bin_years: float) -> str:
    """0.5 -> "half year", 1 -> "year", 0.25 -> "0.25-year bin"."""
    return {0.5: "half year", 1.0: "year"}.get(float(bin_years), f"{bin_years:g}-year bin")


# --------------------------------------------------------------------------- binding first


def plot_binding_first(projection: xr.Dataset, axes: tuple[Axes, Axes] | None = None) -> Figure:
    """Which limit binds first, and the path the largest run takes after it.

    Left: horizontal bars of the share of draws in which each constraint is the first to
    bind (:func:`forecast.results.summary.binding_shares`, as summary.json has it), and of
    the draws that meet none by the horizon, if any. Right: the largest run's compute,
    unconstrained (median, 80% band) and held to the ceilings (median, 80% band), with the
    compute each constraint allows (median; only when the projection has
    :data:`~forecast.results.summary.ALLOWED_VAR`) and the median year the first binds.

    Parameters
    ----------
    projection : xarray.Dataset
        From :func:`forecast.project.engine.project`.
    axes : (Axes, Axes), optional
        The two panels to draw on; a new two-panel figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        # Two panels: wider than one figure, the bars narrower than the path; taller by
        # the rows of the legend below them (three columns, a line per limit).
        entries = 2 + (projection.sizes["constraint"] if ALLOWED_VAR in projection else 0)
        height = FIGSIZE[1] + 0.25 * math.ceil(entries / 3)
        fig = Figure(figsize=(FIGSIZE[0] * 1.45, height), layout="constrained")
        ax_bars, ax_path = fig.subplots(1, 2, width_ratios=(1, 1.6))
    else:
        ax_bars, ax_path = axes
        fig = ax_bars.figure
    horizon = _horizon(projection)
    names = [str(n) for n in projection["constraint"].values]
    shares, none = binding_shares(projection)

    # -- left: the probability that each limit binds first, most likely at the top (the
    # order the briefing names them in; ties keep the scenario's order). Each keeps its
    # colour from the other figures.
    order = np.argsort(-shares, kind="stable")
    labels = [names[i] for i in order]
    values = [float(shares[i]) for i in order]
    colours = [constraint_colour(int(i)) for i in order]
    if none > 0:  # "none" is an outcome too; shown only when it happens
        labels.append(f"none by {horizon:.0f}")
        values.append(none)
        colours.append(GREY)
    rows = np.arange(len(labels))
    ax_bars.barh(rows, values, color=colours, height=0.6)
    for y, v in zip(rows, values, strict=True):
        ax_bars.text(
            v, y, f" {fmt.percent(v)}", va="center", ha="left", fontsize="small", color=BLACK
        )
    ax_bars.set_yticks(rows, labels)
    literal(ax_bars.get_yticklabels())  # constraint names are user text
    ax_bars.invert_yaxis()  # the first bar at the top
    # Room on the right for the labels of a bar near 100%.
    ax_bars.set_xlim(0, 1.18)
    ax_bars.set_xticks(np.linspace(0, 1, 5))
    ax_bars.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax_bars.set_xlabel("share of draws in which it binds first")
    ax_bars.set_ylabel("limit")
    n = projection.sizes["draw"]
    ax_bars.set_title(f"Which limit the largest run meets first\n({n} draws)")
    ax_bars.grid(True, axis="x", alpha=0.3)

    # -- right: the path before and after the first limit
    years = _years(projection)
    # Neither path takes a constraint's colour (BLACK is one of them): the trend nobody can
    # pay for past the first limit in grey, the path the run takes in blue.
    q = 10 ** _quantiles(projection["log10_flop"].to_numpy(), [0.1, 0.5, 0.9])
    _band(ax_path, years, q[0], q[2], GREY, 0.2)
    ax_path.plot(years, q[1], color=GREY, lw=2, ls="--")
    handles: list = [
        (_patch(GREY, 0.2), Line2D([], [], color=GREY, lw=2, ls="--")),
    ]
    texts = [f"on the trend, unconstrained ({_growth_text(projection)} a year):\nmedian, 80% band"]
    held = 10 ** _quantiles(projection["log10_flop_constrained"].to_numpy(), [0.1, 0.5, 0.9])
    _band(ax_path, years, held[0], held[2], BLUE, 0.2, zorder=2)
    ax_path.plot(years, held[1], color=BLUE, lw=2.4, zorder=4)
    handles.append((_patch(BLUE, 0.2), Line2D([], [], color=BLUE, lw=2.4)))
    first = projection["first_hit_year"].to_numpy()
    post = projection["post_limit_doubling_months"].to_numpy()[np.isfinite(first)]
    after = ""
    if post.size:  # as summary.json gives it: the draws that meet a limit
        doubling = fmt.months(D.interval(post)["median"])
        after = f"\n(after the first limit, doubling every {doubling})"
    texts.append(f"held to the limits: median, 80% band{after}")
    if ALLOWED_VAR in projection:
        allowed = projection[ALLOWED_VAR].to_numpy()
        for i, name in enumerate(names):
            ax_path.plot(
                years,
                10 ** D.nanmedian(allowed[i], axis=0),
                color=constraint_colour(i),
                lw=1.6,
                ls=(0, (6, 2)),
                zorder=3,
            )
            handles.append(Line2D([], [], color=constraint_colour(i), lw=1.6, ls=(0, (6, 2))))
            texts.append(f"allowed by {name} (median)")
    median_first = D.interval(first)["median"]
    if median_first is not None:
        # Short: the label runs up the axes and should not cross the paths far.
        mark_year(ax_path, median_first, f"first limit: {fmt.year(median_first)} (median)")
    # The unconstrained trend runs many decades past anything the limits allow: the view
    # keeps the held path readable and shows the trend only as far as it stays within
    # three decades of the held run's upper band.
    lo = float(np.nanmin(held[0]))
    hi = min(float(np.nanmax(q[2])), float(np.nanmax(held[2])) * 1e3)
    ax_path.set_ylim(lo / 3, hi * 3)
    ax_path.set_xlim(years[0], years[-1])
    _log_axis(ax_path)
    _year_axis(ax_path)
    ax_path.set_ylabel("training compute of the largest run (FLOP)")
    ax_path.set_title("The largest run before and after the first limit")
    ax_path.grid(True, which="major", alpha=0.3)
    # Below both panels: with a line per limit the legend would cover the paths, and under
    # the right panel alone it would squeeze it.
    legend = fig.legend(
        handles,
        texts,
        loc="outside lower center",
        ncol=min(3, len(texts)),
        fontsize="small",
        framealpha=0.9,
    )
    literal(legend.get_texts())
    return fig


# --------------------------------------------------------------------------- sensitivity


def plot_sweep(
    sweep: xr.Dataset, horizon: float | None = None, fitted: float | None = None
) -> Figure:
    """:func:`plot_doubling_sensitivity` of a sweep Dataset (see
    :func:`forecast.analysis.sweep`): the doubling time, or the input it names."""
    names = [str(n) for n in sweep["constraint"].to_numpy()]
    param = sweep.attrs.get("param", "trend.doubling_time_months")

    def per_constraint(var: str) -> dict[str, np.ndarray]:
        return {n: sweep[var].sel(constraint=n).to_numpy() for n in names}

    return plot_doubling_sensitivity(
        sweep["value"].to_numpy(),
        per_constraint("median"),
        per_constraint("p10"),
        per_constraint("p90"),
        names,
        fitted=fitted,
        horizon=horizon,
        param=None if param == "trend.doubling_time_months" else param,
    )


def plot_doubling_sensitivity(
    values_months: Sequence[float],
    median: Mapping[str, Sequence[float]],
    p10: Mapping[str, Sequence[float]],
    p90: Mapping[str, Sequence[float]],
    constraint_names: Sequence[str],
    ax: Axes | None = None,
    fitted: float | None = None,
    horizon: float | None = None,
    param: str | None = None,
) -> Figure:
    """Hit year (median, 80% band) against the current-era doubling time (or ``param``).

    Parameters
    ----------
    values_months : sequence of float
        The swept values (months for the doubling time, else in ``param``'s unit).
    median, p10, p90 : mapping of str to sequence of float
        Each constraint name to an array over ``values_months``; None, NaN or inf
        (beyond the horizon) leave a gap.
    constraint_names : sequence of str
        The constraints to draw, in colour order.
    ax : matplotlib Axes, optional
    fitted : float, optional
        The scenario's median doubling time, marked with a vertical line.
    horizon : float, optional
        The projection horizon, drawn as a line; bands are cut there.
    param : str, optional
        Key path of the swept parameter when it is not the doubling time; the x axis
        and title then name it in plain words (:func:`forecast.report.formatting.param_label`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax)
    x = np.asarray(values_months, dtype=float)
    order = np.argsort(x)
    x = x[order]

    def arr(d: Mapping[str, Sequence[float]], name: str) -> np.ndarray:
        a = np.array([np.nan if v is None else v for v in d[name]], dtype=float)[order]
        return np.where(np.isfinite(a), a, np.nan)

    for i, name in enumerate(constraint_names):
        colour = constraint_colour(i)
        lo, mid, hi = arr(p10, name), arr(median, name), arr(p90, name)
        if horizon is not None:  # a bound beyond the horizon: draw the band up to it
            hi = np.where(np.isnan(hi) & np.isfinite(lo), horizon, hi)
        _band(ax, x, lo, hi, colour, 0.18)
        ax.plot(x, mid, color=colour, lw=2, marker="o", ms=4, label=f"{name}: median, 80% band")
    if fitted is not None and np.isfinite(fitted):
        ax.axvline(
            fitted,
            color=BLACK,
            lw=1.2,
            ls="--",
            # Fitted or given: the scenario's own median, as the briefing's headline has it.
            label=f"this scenario's median doubling time ({fmt.months(fitted)})",
        )
    if horizon is not None:
        ax.axhline(
            horizon,
            color=GREY,
            lw=1,
            ls=":",
            label=f"horizon ({horizon:.0f}): later years are not resolved",
        )
    if param is None or param == "trend.doubling_time_months":
        ax.set_xlabel("doubling time of the current era (months)")
        ax.set_title("How the year each ceiling is reached depends on the doubling time")
    else:
        label = fmt.param_label(param)
        ax.set_xlabel(label)
        ax.set_title(f"How the year each ceiling is reached depends on:\n{label}")
        literal([ax.xaxis.label, ax.title])
    _year_axis(ax, "year the ceiling is reached", axis="y")
    ax.grid(True, alpha=0.3)
    _legend(ax, loc="upper left")
    return fig


# --------------------------------------------------------------------------- output


def save_figure(
    fig: Figure | Callable[[], Figure], folder: str | Path, stem: str, svg: bool = False
) -> list[Path]:
    """Write ``stem.png`` (150 dpi) and optionally ``stem.svg``; close the figure.

    ``fig`` may be a figure still to be drawn (a callable that returns it).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if not isinstance(fig, Figure):
        fig = fig()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.png"]
    if svg:
        paths.append(folder / f"{stem}.svg")
    # No dates or random ids in the files: the same results give the same bytes.
    metadata = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None}}
    with matplotlib.rc_context({"svg.hashsalt": "forecast"}):
        for path in paths:
            fig.savefig(path, dpi=DPI, metadata=metadata[path.suffix])
            # The layout is settled by the first drawing; the second format reuses it
            # instead of solving the constrained layout again (a fifth of the time).
            fig.set_layout_engine("none")
    close_figure(fig)
    return paths


def save_figures(
    figs: Mapping[str, Figure | Callable[[], Figure]],
    folder: str | Path,
    svg: bool = False,
    first: Callable[[], None] | None = None,
    head_start: int = 0,
) -> None:
    """Save every figure of ``figs`` (see :func:`save_figure`), on two cores where possible.

    Drawing is most of a report's time and each figure draws on its own, so a forked child
    saves a share of the figures while this process saves the rest. Where ``os.fork`` is
    missing (Windows) or fails, everything is saved here. The files are the same bytes
    either way.

    Parameters
    ----------
    figs : mapping of str to Figure
    folder : str or Path
    svg : bool
        Also write SVG.
    first : callable, optional
        Other work this process does first, while the child saves (writing the report's
        data files).
    head_start : int
        That work's size in figures: the child takes that many more.

    Raises
    ------
    OSError
        If the child could not save its figures (the files it wrote are then incomplete
        and the caller's temporary report folder is discarded).
    """
    import os

    stems = list(figs)
    # Alternate, after giving the child ``head_start`` figures more than this process.
    mine, theirs = [], []
    for stem in stems:
        (mine if len(mine) + head_start < len(theirs) else theirs).append(stem)
    pid = None
    if theirs and hasattr(os, "fork"):
        try:
            pid = os.fork()
        except OSError:
            pid = None
        if pid == 0:  # the child: save its share and leave without running any cleanup
            code = 0
            try:
                for stem in theirs:
                    save_figure(figs[stem], folder, stem, svg)
            except BaseException as exc:  # noqa: BLE001  (reported by the exit code)
                # The parent raises without the cause: say it here, where it is known.
                os.write(2, f"error: figure {stem!r}: {type(exc).__name__}: {exc}\n".encode())
                code = 1
            os._exit(code)
    if pid is None:
        mine, theirs = stems, []
    try:
        if first is not None:
            first()
        for stem in mine:
            save_figure(figs[stem], folder, stem, svg)
    finally:
        if pid is not None:
            # Always reaped, even on Ctrl-C: the child gets the same signal and exits.
            _, status = os.waitpid(pid, 0)
    if pid is not None:
        if os.waitstatus_to_exitcode(status) != 0:
            raise OSError(f"could not save the figures {', '.join(theirs)} in {folder}")
        for stem in theirs:
            if isinstance(figs[stem], Figure):  # one still to draw was never drawn here
                close_figure(figs[stem])


def close_figure(fig: Figure) -> None:
    """Release a figure; only figures made through pyplot need pyplot to close them."""
    if getattr(fig.canvas, "manager", None) is not None:
        from matplotlib import pyplot as plt

        plt.close(fig)
    fig.clear()


def figure_set(results) -> dict[str, Figure]:
    """All the figures of the main section of a :class:`~forecast.results.Results`.

    Returns
    -------
    dict of str to Figure
        Keys among :data:`STEMS`, in that order: ``lesson_2018`` only when the results
        hold the 2018 lesson, ``power`` only with a power constraint,
        ``growth_accounting`` only when the results hold the growth accounting,
        ``threshold_counts`` only when they hold the counts, ``sensitivity`` only when
        the results hold the doubling-time sweep.
    """
    return {stem: make() for stem, make in figure_makers(results).items()}


def figure_makers(results) -> dict[str, Callable[[], Figure]]:
    """The figures of :func:`figure_set`, each still to be drawn: :func:`save_figures`
    draws each in the process that saves it, so both cores draw."""
    from functools import partial

    proj = results.projection
    trend = results.fit if results.trend_fitted else None
    used = results.runs_used
    figs: dict[str, Callable[[], Figure]] = {
        "trend_log": partial(plot_trend_log, results.runs_context, used, proj, trend),
        "trend_linear": partial(plot_trend_linear, proj, used),
    }
    if getattr(results, "lesson_2018", None) is not None:
        from forecast.report.lesson import plot_lesson_2018

        figs["lesson_2018"] = partial(plot_lesson_2018, results.lesson_2018)
    figs["cost"] = partial(plot_cost_vs_ceilings, proj)
    if _constraints(proj, "power"):
        figs["power"] = partial(plot_power_vs_ceiling, proj)
    if getattr(results, "growth", None) is not None:
        from forecast.report.growth_accounting import plot_growth_accounting

        figs["growth_accounting"] = partial(plot_growth_accounting, results.growth)
    figs["hit_years"] = partial(plot_hit_years, proj)
    figs["binding_first"] = partial(plot_binding_first, proj)
    if getattr(results, "threshold_counts", None) is not None:
        from forecast.analysis.counts import threshold_key
        from forecast.report.counts import plot_threshold_counts

        counts = results.threshold_counts
        observed = None
        if "observed" in counts:
            # The counts of the data's complete years before the projection (saved with it).
            observed = {
                threshold_key(k): {
                    str(int(y)): int(v)
                    for y, v in zip(
                        counts["past_year"].to_numpy(),
                        counts["observed"].sel(threshold=k).to_numpy(),
                        strict=True,
                    )
                }
                for k in counts["threshold"].to_numpy()
            }
        figs["threshold_counts"] = partial(plot_threshold_counts, counts, observed)
    if results.sweep is not None:
        fitted = float(D.median(proj["doubling_time_months"]))
        figs["sensitivity"] = partial(plot_sweep, results.sweep, _horizon(proj), fitted)
    return figs
