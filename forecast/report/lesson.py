"""The briefing's 2018 lesson: what the line of "AI and Compute" said, and what happened.

Renders the Dataset of :func:`forecast.analysis.lesson2018.lesson` (carried by
:class:`forecast.results.Results` as ``lesson_2018``): a short reading, a table by year
end and a figure. Computes nothing beyond formatting.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from forecast.report import style as F
from forecast.report.document import Block, Heading, Para, Strong, Table

TITLE = "The 2018 lesson: what a straight line said, and what happened"

LINE = F.BLACK
RECORD = F.VERMILLION


def _after(lesson: xr.Dataset) -> xr.Dataset:
    """The year ends after the chart's data (the backtest proper)."""
    return lesson.sel(year=lesson["year"] >= int(lesson.attrs["first_year_after"]))


def _orders(x: float) -> str:
    """ "4.0 orders of magnitude (9,800x)"."""
    return f"{x:.1f} orders of magnitude ({F.factor(10.0**x)})"


def _record_cell(flop_log10: float, name: str) -> str:
    if not math.isfinite(flop_log10):
        return "none"
    return f"{F.flop(10.0**flop_log10)} ({name})"


def lesson_blocks(lesson: xr.Dataset | None, figure=None, backtests: bool = False) -> list[Block]:
    """The section: a heading, the reading, the table by year end and the figure.

    Parameters
    ----------
    lesson : xarray.Dataset or None
        :func:`forecast.analysis.lesson2018.lesson`; None gives no blocks.
    figure : forecast.report.document.Figure, optional
        The saved figure ``lesson_2018``.
    backtests : bool
        Whether the briefing has its backtest section (it is named only when present).
    """
    if lesson is None:
        return []
    a = lesson.attrs
    after = _after(lesson)
    if after.sizes["year"] == 0:
        return []
    first_year = int(lesson["year"][0])
    last_year = int(after["year"][-1])
    start_gap = float(lesson["log10_ratio"][0])
    last_gap = float(after["log10_ratio"][-1])
    fitted = float(a["doubling_time_months"])
    reported = float(a["reported_doubling_time_months"])
    read_with = (
        "the backtests below, which score fits made at earlier cutoffs against the runs "
        "published afterwards"
        if backtests
        else "backtests, which score fits made at earlier cutoffs against the runs published "
        "afterwards (the forecast backtest command adds them to this briefing)"
    )
    growth = F.growth(float(a["growth_per_year"]))
    text = (
        f"OpenAI's 2018 analysis 'AI and Compute' fitted a straight line to the logarithm of "
        f"the compute of the {int(a['points'])} trend points of its chart and reported a "
        f"doubling every {reported:.2f} months; the same least-squares fit here gives "
        f"{fitted:.2f} months ({growth} a year). At the end of {first_year}, the last year "
        f"of its data, the line was {F.factor(10.0**start_gap)} above the record (the "
        "largest run published by then among the runs the trend above counts); by the end "
        f"of {last_year} it was {_orders(last_gap)} above it: the record grew "
        f"{F.growth(float(a['record_growth_per_year']))} a year over {first_year}–"
        f"{last_year}, not {growth}. The lesson: a trend fitted to one era overstates the "
        "future once that era ends, which is why this briefing's intervals, which assume "
        f"the current era continues, should be read with {read_with}."
    )
    rows = tuple(
        (
            str(int(y)),
            F.flop(10.0 ** float(after["line_log10_flop"].sel(year=y))),
            _record_cell(
                float(after["record_log10_flop"].sel(year=y)),
                str(after["record_name"].sel(year=y).item()),
            ),
            F.factor(10.0 ** float(after["log10_ratio"].sel(year=y))),
        )
        for y in after["year"].to_numpy()
    )
    blocks: list[Block] = [
        Heading(2, TITLE),
        Para.of(Strong("The 2018 line against the record."), " ", text),
        Table(
            ("year end", "the 2018 line", "the record", "line / record"),
            rows,
            ("l", "r", "r", "r"),
        ),
    ]
    if figure is not None:
        blocks.append(figure)
    return blocks


def caption(lesson: xr.Dataset) -> str:
    """The figure's caption."""
    a = lesson.attrs
    return (
        f"The 2018 line of 'AI and Compute' (least squares over its chart's {int(a['points'])} "
        f"trend points, doubling every {float(a['doubling_time_months']):.2f} months), "
        "extended past its data (dashed), against the record at each year end (the largest "
        "run published by then among the runs the trend counts); log scale."
    )


# --------------------------------------------------------------------------- figure


def plot_lesson_2018(lesson: xr.Dataset, ax: Axes | None = None) -> Figure:
    """The 2018 chart's points and line, extended, against the record at each year end."""
    fig, ax = F.axes(ax)
    a = lesson.attrs
    years = lesson["year"].to_numpy().astype(float)
    t_pts = lesson["point_t"].to_numpy().astype(float)
    y_pts = lesson["point_log10_flop"].to_numpy().astype(float)
    slope, tm, ym = (float(a[k]) for k in ("slope_log10_per_year", "t_mean", "log10_mean"))

    def line(t: np.ndarray) -> np.ndarray:
        return 10.0 ** (ym + slope * (t - tm))

    ax.plot(
        t_pts,
        10.0**y_pts,
        "o",
        color=LINE,
        ms=5,
        label=f"the 2018 chart's {int(a['points'])} trend points (OpenAI)",
    )
    t_fit = np.array([t_pts.min(), t_pts.max()])
    t_ext = np.array([t_pts.max(), years[-1] + 1.0])
    ax.plot(
        t_fit,
        line(t_fit),
        color=LINE,
        lw=2,
        label=(
            f"the 2018 line: doubling every {float(a['doubling_time_months']):.2f} months "
            f"({F.growth(float(a['growth_per_year']))} a year)"
        ),
    )
    ax.plot(t_ext, line(t_ext), color=LINE, lw=2, ls="--", label="the 2018 line, extended")
    ends = years + 1.0  # the end of each year
    record = 10.0 ** lesson["record_log10_flop"].to_numpy().astype(float)
    ax.plot(
        ends,
        record,
        color=RECORD,
        lw=2,
        marker="s",
        ms=5,
        drawstyle="steps-post",
        label=(
            "the record at each year end: "
            f"{F.growth(float(a['record_growth_per_year']))} a year since "
            f"{int(years[0])}"
        ),
    )
    # The gap in the last year, as a bracket between the line and the record.
    gap = float(lesson["log10_ratio"][-1])
    top, bottom = float(line(np.array([ends[-1]]))[0]), float(record[-1])
    if math.isfinite(gap) and bottom > 0:
        ax.annotate(
            "",
            xy=(ends[-1], bottom),
            xytext=(ends[-1], top),
            arrowprops={"arrowstyle": "<->", "color": F.GREY, "lw": 1.2},
        )
        ax.annotate(
            f"{gap:.1f} orders of\nmagnitude\n({F.factor(10.0**gap)})",
            # A quarter of the way up, clear of the line coming down from the left.
            (ends[-1], 10.0 ** (math.log10(bottom) + 0.25 * gap)),
            xytext=(-8, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize="small",
        )
    F.mark_year(ax, int(a["first_year_after"]), "end of the chart's data")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(F.power_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
    ax.set_xlim(math.floor(t_pts.min()), years[-1] + 1.5)
    ax.set_xlabel("year")
    ax.set_ylabel("training compute (FLOP)")
    ax.set_title("The 2018 lesson: what a straight line said, and what happened")
    ax.grid(True, which="major", alpha=0.3)
    F.literal(ax.legend(loc="upper left", fontsize="small", framealpha=0.9).get_texts())
    return fig
