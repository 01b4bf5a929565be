"""Figures of the limits: cost and power against their ceilings, hit years, and which limit
binds first."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import (
    Formatter,
    PercentFormatter,
)

from forecast.report import style as fmt
from forecast.report.plot_base import (
    band_patch,
    constraints_of,
    fill_band,
    hit_summary,
    horizon_of,
    legend_below,
    log_axis,
    quantity_label,
    start_of,
    usd_formatter,
    watts_formatter,
    year_axis,
    years_of,
)
from forecast.report.style import (
    BLACK,
    BLUE,
    FIGSIZE,
    GREY,
    SKY_BLUE,
    constraint_colour,
    literal,
    mark_year,
)
from forecast.report.style import axes as _axes
from forecast.report.trend_figures import growth_text
from forecast.results import draws as D
from forecast.results.summary import ALLOWED_VAR, binding_shares

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
    years = years_of(projection)
    hits = projection["hit_year"].to_numpy()
    horizon = horizon_of(projection)
    for i, name, basis in constraints_of(projection, kind):
        lim = D.nanmedian(projection["limit"].isel(constraint=i).to_numpy(), axis=0)
        level = _ceiling_level(lim, int(projection["year"].values[0]), amount)
        versus = f"vs {_BASIS.get(basis, basis)}; " if kind == "spend" else ""
        ax.plot(
            years,
            lim,
            color=constraint_colour(i),
            lw=2,
            ls=(0, (6, 2)),
            label=f"ceiling: {name}, {level} ({versus}{hit_summary(hits[i], horizon)})",
        )


def _against_ceilings(
    ax: Axes,
    projection: xr.Dataset,
    kind: str,
    formats: tuple[Callable[[float], str], Formatter],
    label: tuple[str, str],
    title: str,
) -> None:
    """The ceilings of ``kind`` over a quantity's band, and the axes, title and legend:
    ``formats`` gives a level in words and the axis formatter, ``label`` the axis label and
    its note on powers of ten."""
    years = years_of(projection)
    _ceiling_lines(ax, projection, kind, formats[0])
    log_axis(ax, formats[1])
    ax.set_xlim(years[0], years[-1])
    year_axis(ax)
    quantity_label(ax, *label)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    legend_below(ax, loc="upper left")


def plot_cost_vs_ceilings(projection: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Capital and amortised cost of the largest run against every spend ceiling (log USD)."""
    fig, ax = _axes(ax)
    years = years_of(projection)
    series = (
        ("capex_usd", "capex", BLUE, "capital cost of the hardware (capex)"),
        ("amortized_usd", "amortized", SKY_BLUE, "amortised cost (hardware over the run + energy)"),
    )
    for var, _basis, colour, label in series:
        if var not in projection:
            continue
        q = D.band(projection[var].to_numpy(), [0.1, 0.5, 0.9])
        fill_band(ax, years, q[0], q[2], colour, 0.25)
        ax.plot(years, q[1], color=colour, lw=2, label=f"{label}: median, 80% band")
    _against_ceilings(
        ax,
        projection,
        "spend",
        (fmt.usd, usd_formatter()),
        ("cost of the largest run (US dollars, nominal)", "$10¹² = $1T"),
        "What the largest run would cost if the trend continued,\nagainst the spending ceilings",
    )
    return fig


# --------------------------------------------------------------------------- power


def plot_power_vs_ceiling(projection: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Power drawn by the largest run (median, 80% band) against every power ceiling."""
    fig, ax = _axes(ax)
    years = years_of(projection)
    q = D.band(projection["power_watts"].to_numpy(), [0.1, 0.5, 0.9])
    fill_band(ax, years, q[0], q[2], BLUE, 0.25)
    ax.plot(
        years,
        q[1],
        color=BLUE,
        lw=2,
        label="power drawn by the largest run, all-in (with cooling): median, 80% band",
    )
    _against_ceilings(
        ax,
        projection,
        "power",
        (fmt.watts, watts_formatter()),
        ("power drawn during training (watts)", "10⁹ W = 1 GW"),
        "Power the largest run would draw if the trend continued,\nagainst the power ceiling",
    )
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
    start, horizon = start_of(projection), horizon_of(projection)
    # Hit years run to the end of the horizon year (the last instant projected).
    edges = np.arange(math.floor(start), years_of(projection)[-1] + bin_years, bin_years)
    names = [str(n) for n in projection["constraint"].values]
    hits = projection["hit_year"].to_numpy()
    n = hits.shape[1] if hits.ndim == 2 else 0
    for i, name in enumerate(names):
        h = hits[i]
        finite = h[np.isfinite(h)]
        never = n - finite.size
        label = f"{name}: {hit_summary(h, horizon)}"
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
            label=f"first ceiling of any kind: {hit_summary(h, horizon)}",
        )
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    year_axis(ax, "year the ceiling is reached")
    ax.set_ylabel(f"share of draws in each {_bin_text(bin_years)}")
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_title(f"When the largest run reaches each ceiling ({n} draws, horizon {horizon:.0f})")
    ax.grid(True, alpha=0.3)
    legend_below(ax, loc="upper right")
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
    horizon = horizon_of(projection)
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
    years = years_of(projection)
    # Neither path takes a constraint's colour (BLACK is one of them): the trend nobody can
    # pay for past the first limit in grey, the path the run takes in blue.
    q = 10 ** D.band(projection["log10_flop"].to_numpy(), [0.1, 0.5, 0.9])
    fill_band(ax_path, years, q[0], q[2], GREY, 0.2)
    ax_path.plot(years, q[1], color=GREY, lw=2, ls="--")
    handles: list = [
        (band_patch(GREY, 0.2), Line2D([], [], color=GREY, lw=2, ls="--")),
    ]
    texts = [f"on the trend, unconstrained ({growth_text(projection)} a year):\nmedian, 80% band"]
    held = 10 ** D.band(projection["log10_flop_constrained"].to_numpy(), [0.1, 0.5, 0.9])
    fill_band(ax_path, years, held[0], held[2], BLUE, 0.2, zorder=2)
    ax_path.plot(years, held[1], color=BLUE, lw=2.4, zorder=4)
    handles.append((band_patch(BLUE, 0.2), Line2D([], [], color=BLUE, lw=2.4)))
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
    log_axis(ax_path)
    year_axis(ax_path)
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
