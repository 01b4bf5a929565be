"""Figures of the trend: the runs, the fitted trend with its eras and the projection, on a
log and on a linear axis."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from forecast.data.units import FLOP_PER_PFS_DAY, slope_from_doubling_months
from forecast.report import style as fmt
from forecast.report.plot_base import (
    PROJECTION,
    band_patch,
    fill_band,
    horizon_of,
    legend_below,
    log_axis,
    start_of,
    year_axis,
    years_of,
)
from forecast.report.style import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    mark_year,
)
from forecast.report.style import axes as _axes
from forecast.results import draws as D

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
    t0 = float(runs_used["t"].min()) if len(runs_used) else float(years_of(projection)[0])
    # Fixed trend: the projection is log-linear per draw, so extend it back exactly.
    if "doubling_time_months" not in projection:
        return None
    year0 = float(years_of(projection)[0])
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
    years = years_of(projection)
    start, horizon = start_of(projection), horizon_of(projection)
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
        fill_band(ax, t_grid, q[0], q[4], BLUE, 0.15, zorder=3)
        fill_band(ax, t_grid, q[1], q[3], BLUE, 0.3, zorder=3)
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
                (band_patch(BLUE, 0.15), band_patch(BLUE, 0.3), h),
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
    q = 10 ** D.band(logc, [0.1, 0.25, 0.5, 0.75, 0.9])
    fill_band(ax, years, q[0], q[4], PROJECTION, 0.2, zorder=3)
    fill_band(ax, years, q[1], q[3], PROJECTION, 0.4, zorder=3)
    ax.plot(years, q[2], color=PROJECTION, lw=2, zorder=4)
    entries.append(
        (
            (
                band_patch(PROJECTION, 0.2),
                band_patch(PROJECTION, 0.4),
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
    log_axis(ax)
    ax.set_xlim(xmin, horizon + 0.5)
    year_axis(ax)
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
    legend_below(ax, handles=list(handles), labels=list(labels), loc="upper left")
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
    years = years_of(projection)
    start, horizon = start_of(projection), horizon_of(projection)
    if "first_hit_year" in projection:
        first = projection["first_hit_year"].to_numpy()
        if D.mean(np.isfinite(first)) > 0.5:
            horizon = min(horizon, float(np.ceil(D.median(first))) + 2.0)
    end = int(np.argmin(np.abs(years - horizon)))
    logc = projection["log10_flop"].to_numpy()
    q = 10 ** D.band(logc, [0.1, 0.5, 0.9])
    fill_band(ax, years, q[0], q[2], PROJECTION, 0.3, label="projected trend, 80% band")
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
    year_axis(ax)
    ax.set_ylabel("training compute of the run (FLOP, linear scale)")
    ax.set_title(
        f"The same projection on a linear scale: growth of {growth_text(projection)} a year\n"
        "makes everything before the last few years look flat"
    )
    ax.grid(True, alpha=0.3)
    legend_below(ax, loc="upper left")
    return fig


def growth_text(projection: xr.Dataset) -> str:
    """Growth per year as the briefing gives it: the median over draws, "4.7x"."""
    if "doubling_time_months" not in projection:
        return "this size"
    d = projection["doubling_time_months"].to_numpy()
    return fmt.growth(D.median_yearly_factor(d))
