"""Figures of the analyses: tornado, Sobol indices, backtest fans. They read results only."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forecast.report import style as fmt
from forecast.report.style import BLUE as LOW
from forecast.report.style import VERMILLION as HIGH
from forecast.report.style import axes as _axes
from forecast.report.style import colour as colour_of
from forecast.report.style import literal

#: Width (characters) at which a bar's label wraps onto a second line.
LABEL_WIDTH = 44
NBSP = "\N{NO-BREAK SPACE}"


def _wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """``label`` on lines of at most ``width`` characters, its unit in brackets kept whole
    (no "(per" / "year)" split)."""
    head, bracket, unit = label.rpartition(" (")
    if bracket and unit.endswith(")"):
        label = f"{head} ({unit.replace(' ', NBSP)}"
    return textwrap.fill(label, width).replace(NBSP, " ")


def _bar_labels(ax: Axes, positions: Sequence[float], keys: Sequence[str]) -> None:
    """Plain-words labels of parameter key paths on the y axis, shown as written."""
    labels = [_wrap(fmt.param_label(k)) for k in keys]
    ax.set_yticks(list(positions), labels, fontsize=8)
    # Constraint names are user text: a "$" in one must not start mathtext.
    for text in ax.get_yticklabels():
        text.set_parse_math(False)


def _signed_years(v: float, _pos: int | None = None) -> str:
    """A change in years for a tick: "−0.5", "0", "+1" (a minus sign, as matplotlib's)."""
    if abs(v) < 1e-9:
        return "0"
    return f"{v:+g}".replace("-", "\N{MINUS SIGN}")


def _tornado_horizon(rows: Sequence[dict]) -> float | None:
    """The horizon behind the rows' convention (a hit beyond it counts as horizon + 1).

    ``swing_years`` = high - low with a hit beyond the horizon counted as horizon + 1,
    so a row with exactly one side beyond the horizon gives the horizon back.
    """
    for r in rows:
        lo, hi, swing = r.get("hit_year_low"), r.get("hit_year_high"), r.get("swing_years")
        if swing is None:
            continue
        if lo is None and hi is not None:
            return hi - swing - 1.0
        if hi is None and lo is not None:
            return lo + swing - 1.0
    return None


def plot_tornado(
    rows: Sequence[dict],
    ax: Axes | None = None,
    top: int = 12,
    horizon: float | None = None,
) -> Figure:
    """How far each input moves the median hit year from its 10th to its 90th percentile.

    Bars are drawn as the change from the base case (every input at its median), in
    years, so that the axis never shows a fractional calendar year; the base year itself
    is named in whole years, as the briefing names hit years. A setting that pushes the
    hit beyond the horizon is drawn to horizon + 1 (the convention of ``swing_years``),
    hatched and marked "after <horizon>".

    Parameters
    ----------
    rows : sequence of dict
        From :func:`forecast.analysis.tornado`: ``param`` (a key path, labelled with
        :func:`forecast.report.formatting.param_label`), ``hit_year_low``,
        ``hit_year_high``, ``hit_year_base`` (None beyond the horizon), ``swing_years``
        and ``constraint``.
    ax : matplotlib Axes, optional
    top : int
        How many rows (the first ones, ranked by the analysis) to draw.
    horizon : float, optional
        The projection horizon; when not given it is recovered from a row with one side
        beyond it, if there is one.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = list(rows)[:top]
    fig, ax = _axes(ax, (9, 1.4 + 0.42 * max(len(rows), 1)))
    if horizon is None:
        horizon = _tornado_horizon(rows)
    beyond = None if horizon is None else horizon + 1.0

    def where(value: float | None) -> float | None:
        return beyond if value is None else value

    base_raw = next((r["hit_year_base"] for r in rows if r.get("hit_year_base") is not None), None)
    base = base_raw if base_raw is not None else (beyond if rows else None)
    late = "" if horizon is None else fmt.year(None, int(round(horizon)))
    for i, r in enumerate(reversed(rows)):
        for key, colour in (("hit_year_low", LOW), ("hit_year_high", HIGH)):
            value = where(r.get(key))
            if base is None or value is None or not np.isfinite(value):
                continue
            out = r.get(key) is None  # beyond the horizon
            ax.barh(
                i,
                value - base,
                left=0.0,
                color=colour,
                alpha=0.85,
                height=0.6,
                hatch="//" if out else None,
                edgecolor="white" if out else colour,
            )
            if out and value != base:
                ax.text(
                    value - base,
                    i,
                    f" {late} ",
                    va="center",
                    ha="left" if value > base else "right",
                    fontsize=7,
                )
        lo, hi = where(r.get("hit_year_low")), where(r.get("hit_year_high"))
        if base is not None and lo is not None and hi is not None and lo == base == hi:
            ax.text(0, i, "  no change", va="center", ha="left", fontsize=7, color="#555555")
    _bar_labels(ax, range(len(rows)), [r["param"] for r in reversed(rows)])
    ax.axvline(0, color="black", lw=1)
    ax.xaxis.set_major_formatter(FuncFormatter(_signed_years))
    ax.margins(x=0.15)  # room for the "after <horizon>" marks at the bar ends
    if base_raw is not None:
        base_text = f"0 = {fmt.year(base_raw)}, the median hit year with every input at its median"
    elif late:
        base_text = f"0 = {late}: with every input at its median, not reached by the horizon"
    else:
        base_text = "0 = every input at its median"
    ax.set_xlabel(f"change in the median hit year (years)\n{base_text}")
    constraint = rows[0].get("constraint") if rows else None
    label = "first ceiling to bind" if constraint in (None, "first binding") else constraint
    ax.set_title(f"What moves the median hit year most ({label})")
    literal([ax.title])
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
    """First-order and total Sobol indices with their 95% intervals.

    Parameters
    ----------
    indices : dict
        Key path -> ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (from
        :func:`forecast.analysis.scenario_sobol`); bars are labelled with
        :func:`forecast.report.formatting.param_label` and ranked by ``ST``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
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
    _bar_labels(ax, y, names)
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
        colour = colour_of(i)
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
    ax.yaxis.set_major_formatter(fmt.power_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("training compute (FLOP)")
    ax.set_title("Backtests: what each cutoff's fit predicted, and what came after")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


#: How each hindcast quantity is drawn: label, tick formatter.
_HINDCAST = {
    "capex_usd": "capital cost (US dollars)",
    "amortized_usd": "amortised cost (US dollars)",
    "power_watts": "power drawn (watts)",
}


def plot_hindcast(ds, ax: Axes | None = None) -> Figure:
    """Modelled against published figures of the runs after the cutoff, log-log, with the
    1:1 line and a factor of 3 either side; one colour per quantity."""
    fig, ax = _axes(ax, size=(7.5, 6.5))
    quantity = ds["quantity"].to_numpy()
    published = ds["published"].to_numpy()
    lo_all, hi_all = [], []
    for i, (q, label) in enumerate(_HINDCAST.items()):
        mask = quantity == q
        if not mask.any():
            continue
        med = ds["modelled_median"].to_numpy()[mask]
        err = np.vstack(
            [med - ds["modelled_p10"].to_numpy()[mask], ds["modelled_p90"].to_numpy()[mask] - med]
        )
        ax.errorbar(
            published[mask],
            med,
            yerr=err,
            fmt="o",
            color=colour_of(i),
            ms=5,
            lw=1,
            capsize=0,
            label=f"{label} ({mask.sum()} runs)",
        )
        lo_all.append(min(published[mask].min(), ds["modelled_p10"].to_numpy()[mask].min()))
        hi_all.append(max(published[mask].max(), ds["modelled_p90"].to_numpy()[mask].max()))
    if lo_all:
        lo, hi = min(lo_all) / 2, max(hi_all) * 2
        line = np.array([lo, hi])
        ax.plot(line, line, color="black", lw=1, label="modelled = published")
        for f in (3.0, 1 / 3.0):
            ax.plot(line, line * f, color="grey", lw=0.8, ls="--")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("published (Epoch AI's estimate)")
    ax.set_ylabel("modelled (median, 80% interval)")
    ax.set_title(
        f"Hindcast of the {ds.attrs.get('conversion', '')} conversion from "
        f"{ds.attrs.get('cutoff', '')}:\nruns published after the cutoff"
    )
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper left", fontsize=8)
    return fig


#: How the rolling backtest's three forecasts are drawn: label and colour.
ROLLING_STYLE = {
    "model": ("this model (the record)", fmt.BLUE),
    "straight_line": ("straight line, bootstrap", fmt.ORANGE),
    "openai_2018": ("the 2018 analysis's line", fmt.GREY),
    "record_setters": ("a line through the year-end records", fmt.PURPLE),
}


def plot_rolling(ds, summary: dict) -> Figure:
    """Rolling backtest: coverage of the 80% and 50% intervals by horizon against the
    nominal level, and the model's PIT histogram (flat when calibrated)."""
    import matplotlib.pyplot as plt

    blocks = {"model": summary, **summary["baselines"]}
    fig, (ax, ax_pit) = plt.subplots(
        1, 2, figsize=(fmt.FIGSIZE[0], fmt.FIGSIZE[1]), gridspec_kw={"width_ratios": [2, 1]}
    )
    horizons = [int(h) for h in summary["coverage"]]
    for level, ls in (("80", "-"), ("50", "--")):
        ax.axhline(int(level) / 100, color=fmt.BLACK, lw=0.8, ls=":", zorder=1)
        for method, (label, colour) in ROLLING_STYLE.items():
            cov = blocks[method]["coverage"]
            y = [np.nan if cov[str(h)][level] is None else cov[str(h)][level] for h in horizons]
            ax.plot(
                horizons,
                y,
                color=colour,
                ls=ls,
                marker="o",
                lw=1.6,
                label=label if level == "80" else None,
            )
    ax.set_xticks(horizons)
    ax.set_xlabel("years ahead")
    ax.set_ylabel("share of outcomes inside the interval")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(
        "How often past intervals held\n(solid: 80% intervals, dashed: 50%; dotted: nominal)"
    )
    # Below the axes: inside, it would cover the points near zero.
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    pit = ds["pit"].sel({"method": "model"}).to_numpy().ravel()
    pit = pit[np.isfinite(pit)]
    ax_pit.hist(pit, bins=np.linspace(0, 1, 6), color=fmt.BLUE, alpha=0.7, edgecolor="white")
    ax_pit.axhline(pit.size / 5, color=fmt.BLACK, lw=0.8, ls=":")
    ax_pit.set_xlabel("PIT of the outcome")
    ax_pit.set_ylabel("forecasts")
    ax_pit.set_title("This model's PIT\n(flat when calibrated)")
    fig.tight_layout()
    return fig
