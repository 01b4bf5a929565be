"""Figures of the analyses: tornado, Sobol indices, backtest fans. They read results only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

LOW, HIGH = "#0072B2", "#D55E00"
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def _axes(ax: Axes | None, size=(9, 5.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def plot_tornado(rows: Sequence[dict], ax: Axes | None = None, top: int = 12) -> Figure:
    """Swing of the median hit year when each input moves from its 10th to 90th percentile."""
    rows = list(rows)[:top]
    fig, ax = _axes(ax, (9, 1.2 + 0.42 * max(len(rows), 1)))
    base = next((r["hit_year_base"] for r in rows if r.get("hit_year_base") is not None), None)
    for i, r in enumerate(reversed(rows)):
        lo = r["hit_year_low"] if r["hit_year_low"] is not None else np.nan
        hi = r["hit_year_high"] if r["hit_year_high"] is not None else np.nan
        for value, colour in ((lo, LOW), (hi, HIGH)):
            if base is not None and np.isfinite(value):
                ax.barh(i, value - base, left=base, color=colour, alpha=0.85, height=0.6)
    ax.set_yticks(range(len(rows)), [r["param"] for r in reversed(rows)], fontsize=8)
    if base is not None:
        ax.axvline(base, color="black", lw=1)
    ax.set_xlabel("median hit year")
    constraint = rows[0].get("constraint") if rows else None
    label = "first ceiling to bind" if constraint in (None, "first binding") else constraint
    ax.set_title(f"What moves the median hit year most ({label})")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=LOW, label="input at its 10th percentile"),
            Patch(color=HIGH, label="input at its 90th percentile"),
        ],
        fontsize=8,
        loc="lower right",
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_sobol(indices: dict[str, dict[str, float]], ax: Axes | None = None) -> Figure:
    """First-order and total Sobol indices with their 95% intervals."""
    names = sorted(indices, key=lambda k: -(indices[k]["ST"] or 0))
    fig, ax = _axes(ax, (9, 1.5 + 0.4 * max(len(names), 1)))
    y = np.arange(len(names))
    for offset, key, colour, label in (
        (-0.2, "S1", LOW, "first order S1"),
        (0.2, "ST", HIGH, "total ST"),
    ):
        vals = np.array([indices[n][key] for n in names], dtype=float)
        conf = np.array([indices[n][f"{key}_conf"] for n in names], dtype=float)
        ax.barh(
            y + offset,
            vals,
            xerr=conf,
            height=0.38,
            color=colour,
            alpha=0.85,
            label=label,
            error_kw={"lw": 1, "capsize": 2},
        )
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of the variance of the hit year")
    ax.set_title("Global sensitivity (Sobol indices, 95% intervals)")
    ax.axvline(0, color="black", lw=0.8)
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_backtests(results: Sequence, ax: Axes | None = None) -> Figure:
    """Predictive fans from each cutoff (unconstrained trend) and the runs that came after."""
    fig, ax = _axes(ax)
    for i, r in enumerate(results):
        colour = PALETTE[i % len(PALETTE)]
        fan = r.fan["log10_flop"].sel(model="trend")
        years = fan["year"].to_numpy()
        q = fan["quantile"].to_numpy()

        def at(p, fan=fan, q=q):
            return 10 ** fan.isel(quantile=int(np.argmin(np.abs(q - p)))).to_numpy()

        ax.fill_between(years, at(0.1), at(0.9), color=colour, alpha=0.15, lw=0)
        ax.plot(
            years, at(0.5), color=colour, lw=2, label=f"prediction from {r.cutoff} (median, 80%)"
        )
        later = r.later
        inside = later["trend_in80"].to_numpy(dtype=bool)
        ax.scatter(
            later["t"],
            10 ** later["log10_flop"],
            s=22,
            facecolor=np.where(inside, colour, "white"),
            edgecolor=colour,
            zorder=3,
        )
        ax.axvline(r.cutoff_year, color=colour, ls=":", lw=1)
    ax.scatter(
        [], [], facecolor="grey", edgecolor="grey", label="later run inside the 80% interval"
    )
    ax.scatter([], [], facecolor="white", edgecolor="grey", label="later run outside it")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("training compute (FLOP)")
    ax.set_title("Backtests: what each cutoff's fit predicted, and what came after")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig
