"""The briefing's growth accounting: a table per account, a reading of it, and its figure.

Renders the Dataset of :func:`forecast.analysis.growth.accounting` (carried by
:class:`forecast.results.Results` as ``growth``); computes nothing beyond formatting.
The published growth rates of frontier runs that the briefing checks the model against
live here too (:data:`PUBLISHED_GROWTH`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from forecast.report import style as F
from forecast.report.document import Block, Para, Strong, Table


@dataclass(frozen=True)
class Published:
    """A published yearly growth rate of frontier runs (the domain brief's checks)."""

    rate: float
    who: str
    title: str
    detail: str = ""
    #: A (low, high) interval at ``level``, when the source gives one.
    interval: tuple[float, float] | None = None
    level: float = 0.9

    def source(self) -> str:
        """ "Cottier et al. 2024, 'The rising ...' (90% interval 2.0-2.9x, ...)"."""
        notes = []
        if self.interval is not None:
            lo, hi = self.interval
            notes.append(f"{self.level:.0%} interval {lo:.1f}-{hi:.1f}x")
        if self.detail:
            notes.append(self.detail)
        return f"{self.who}, '{self.title}'" + (f" ({', '.join(notes)})" if notes else "")


#: Published yearly growth of frontier runs, by summary.json growth key (domain brief).
PUBLISHED_GROWTH: dict[str, Published] = {
    "amortized_per_year": Published(
        2.4,
        "Cottier et al. 2024",
        "The rising costs of training frontier AI models",
        "frontier runs since 2016",
        interval=(2.0, 2.9),
    ),
    "power_per_year": Published(
        2.1,
        "Epoch AI 2024",
        "The power required to train frontier AI models is doubling annually",
    ),
}

#: Each account's name, and its identity in words.
ACCOUNT_LABELS = {
    "power": ("Power", "power = compute / (training duration × FLOP/s per watt)"),
    "capex": ("Capital cost", "capital cost = compute / (training duration × FLOP/s per $)"),
    "amortized": ("Amortised cost", "amortised cost = compute / FLOP per amortised $"),
}
#: Each factor in words (table rows).
FACTOR_LABELS = {
    "compute": "compute (FLOP)",
    "duration": "training duration",
    "flops_per_watt": "FLOP/s per watt drawn, all-in",
    "flops_per_usd": "FLOP/s per $ of cluster cost",
    "flop_per_usd_amortized": "FLOP per $ of amortised cost",
    "power": "power",
    "capex": "capital cost",
    "amortized": "amortised cost",
}
#: Short tick labels of the figure.
FACTOR_TICKS = {
    "compute": "compute",
    "duration": "duration",
    "flops_per_watt": "FLOP/s\nper W",
    "flops_per_usd": "FLOP/s\nper $",
    "flop_per_usd_amortized": "FLOP per\namort. $",
    "power": "power",
    "capex": "capital\ncost",
    "amortized": "amortised\ncost",
}
#: Each divisor in a few words (the projected reading).
FACTOR_SHORT = {
    "duration": "duration",
    "flops_per_watt": "FLOP/s per watt",
    "flops_per_usd": "FLOP/s per dollar",
    "flop_per_usd_amortized": "FLOP per amortised dollar",
}
#: The central value shown of each period: the least-squares trend over all the runs
#: (whose factors multiply out exactly), and the median over draws, as every projected
#: number of the briefing (the identity holds in each draw; medians multiply out nearly).
CENTRE = {"historical": "estimate", "projected": "median"}
#: The published rate each account's result is checked against.
PUBLISHED_FOR = {"power": "power_per_year", "amortized": "amortized_per_year"}

HISTORICAL = F.BLUE
PROJECTED = F.VERMILLION


# --------------------------------------------------------------------------- reading


def factors_of(growth: xr.Dataset, account: str) -> list[str]:
    """The factors of ``account``, in the Dataset's order (compute first, result last)."""
    expo = growth["exponent"].sel(account=account).to_numpy()
    return [str(f) for f, e in zip(growth["factor"].to_numpy(), expo, strict=True) if e == e]


def value(growth: xr.Dataset, account: str, factor: str, period: str, stat: str) -> float | None:
    """One yearly factor (None where it could not be estimated)."""
    v = float(growth["yearly_factor"].sel(account=account, factor=factor, period=period, stat=stat))
    return v if math.isfinite(v) else None


def centre(growth: xr.Dataset, account: str, factor: str, period: str) -> float | None:
    """The central value shown of a factor (:data:`CENTRE`)."""
    return value(growth, account, factor, period, CENTRE[period])


def cell(growth: xr.Dataset, account: str, factor: str, period: str) -> str:
    """ "2.3x (1.9–2.8x)": the central value and the 80% interval."""
    mid = centre(growth, account, factor, period)
    if mid is None:
        return "n/a"
    lo = value(growth, account, factor, period, "p10")
    hi = value(growth, account, factor, period, "p90")
    if lo is None or hi is None:
        return F.growth(mid)
    return f"{F.growth(mid)} ({F.growth(lo).removesuffix('x')}–{F.growth(hi)})"


def _span(growth: xr.Dataset, account: str) -> str:
    first = float(growth["first_year"].sel(account=account))
    last = float(growth["last_year"].sel(account=account))
    if not (math.isfinite(first) and math.isfinite(last)):
        return ""
    return f"{F.year(first)}–{F.year(last)}"


def _runs(growth: xr.Dataset, account: str) -> int:
    return int(growth["runs"].sel(account=account))


def _window(growth: xr.Dataset) -> str:
    t0 = float(growth.attrs["projected_from"])
    n = float(growth.attrs["projected_years"])
    return f"{F.year(t0)}–{F.year(t0 + n)}"


def _change(x: float | None, more: str, less: str) -> str:
    """ "grew longer by 1.3x a year" or "grew shorter (0.8x a year)"."""
    if x is None:
        return f"{more} by an unknown factor"
    return f"{more} {F.growth(x)} a year" if x >= 1 else f"{less} ({F.growth(x)} a year)"


#: How each divisor's change reads: (when it grows, when it shrinks).
_DIVISOR_WORDS = {
    "duration": ("runs grew longer by", "runs grew shorter"),
    "flops_per_watt": (
        "energy efficiency (FLOP/s per watt, all-in) improved",
        "energy efficiency (FLOP/s per watt, all-in) fell",
    ),
    "flops_per_usd": ("FLOP/s per dollar of cluster improved", "FLOP/s per dollar of cluster fell"),
    "flop_per_usd_amortized": (
        "FLOP per amortised dollar improved",
        "FLOP per amortised dollar fell",
    ),
}


def reading(growth: xr.Dataset, account: str, period: str) -> str:
    """One sentence reading the central values of one account and period ("" if none)."""
    factors = factors_of(growth, account)
    est = {f: centre(growth, account, f, period) for f in factors}
    label = FACTOR_LABELS[account]
    if est[account] is None:
        return ""
    between = factors[1:-1]
    if period == "historical":
        drivers = " and ".join(_change(est[f], *_DIVISOR_WORDS[f]) for f in between)
        return (
            f"Across the {_runs(growth, account)} frontier runs that publish these figures "
            f"({_span(growth, account)}), {label} grew "
            f"{F.growth(est[account])} a year because compute grew {F.growth(est['compute'])} "
            f"a year while {drivers}."
        )
    parts = ", ".join(f"{FACTOR_SHORT[f]} {F.growth(est[f])}" for f in between)
    return (
        f"In the projection ({_window(growth)}, medians), {label} grows "
        f"{F.growth(est[account])} a year: compute {F.growth(est['compute'])}, {parts}."
    )


def published_text(growth: xr.Dataset, account: str) -> str:
    """The published rate beside the historical and projected ones ("" if none)."""
    key = PUBLISHED_FOR.get(account)
    if key is None:
        return ""
    pub = PUBLISHED_GROWTH[key]
    return (
        f"Published: {FACTOR_LABELS[account]} of frontier runs grew about {pub.rate:.1f}x a "
        f"year ({pub.source()}); these runs give {cell(growth, account, account, 'historical')} "
        f"and the projection {cell(growth, account, account, 'projected')}."
    )


def growth_blocks(growth: xr.Dataset | None, figure=None) -> list[Block]:
    """The growth accounting: an introduction, per account a reading and a table, the figure.

    Parameters
    ----------
    growth : xarray.Dataset or None
        :func:`forecast.analysis.growth.accounting`; None gives no blocks.
    figure : forecast.report.document.Figure, optional
        The saved figure ``growth_accounting``, placed after the tables.
    """
    if growth is None:
        return []
    window = _window(growth)
    datasheet = growth.attrs.get("conversion") == "datasheet"
    blocks: list[Block] = [
        Para.of(
            Strong("Growth accounting."),
            " The largest run's power and cost grow as its compute grows, divided by what "
            "makes each FLOP quicker, cheaper or less power-hungry: "
            + "; ".join(ACCOUNT_LABELS[a][1] for a in ACCOUNT_LABELS)
            + ". In growth rates these quotients are exact, so each factor's yearly growth "
            "can be read off. Historical: the least-squares trend over the frontier runs "
            "since 2016 that publish every figure an account needs (so the accounts use "
            "different runs); these trends multiply out exactly (compute divided by the "
            "factors between gives the last row), and the 80% interval comes from "
            f"{int(growth.attrs['bootstrap']):,} bootstrap resamples of the runs. Projected: "
            f"the unconstrained largest run over {window}, as in the growth figures above: "
            "median and 80% interval over draws (the identity holds in every draw, so the "
            "medians multiply out nearly)."
            + (
                " The datasheet conversion holds the training duration fixed, so its "
                "projected duration factor is 1x and the efficiency rows include "
                "utilisation, overhead and PUE."
                if datasheet
                else ""
            ),
        )
    ]
    for account, (title, _identity) in ACCOUNT_LABELS.items():
        n = _runs(growth, account)
        hist = reading(growth, account, "historical")
        if not hist:
            hist = f"Too few runs ({n}) publish the figures for a historical rate."
        text = " ".join(
            s
            for s in (hist, reading(growth, account, "projected"), published_text(growth, account))
            if s
        )
        blocks.append(Para.of(Strong(f"{title}."), " ", text))
        span = _span(growth, account)
        rows = tuple(
            (
                FACTOR_LABELS[f],
                cell(growth, account, f, "historical"),
                cell(growth, account, f, "projected"),
            )
            for f in factors_of(growth, account)
        )
        blocks.append(
            Table(
                (
                    "factor (yearly growth)",
                    f"historical: {n} runs{', ' + span if span else ''} (80% interval)",
                    f"projected: {window} (80% interval)",
                ),
                rows,
                ("l", "r", "r"),
            )
        )
    if figure is not None:
        blocks.append(figure)
    return blocks


def caption(growth: xr.Dataset) -> str:
    """The figure's caption."""
    return (
        "Growth accounting: each factor's yearly growth (log scale), historical from the "
        f"frontier runs that publish it (blue: least-squares trend) and projected over "
        f"{_window(growth)} (vermilion: median), with 80% intervals; diamonds mark "
        "published rates. "
        "Power and cost are compute divided by the factors between."
    )


# --------------------------------------------------------------------------- figure


def plot_growth_accounting(growth: xr.Dataset, ax: Axes | None = None) -> Figure:
    """Each factor's yearly growth, historical beside projected, account by account.

    One group of factors per account (compute, the divisors, the result), on a log scale
    of yearly factors; markers at the central values, bars over the 80% intervals; the
    published rates (:data:`PUBLISHED_GROWTH`) as diamonds on the results they check.
    """
    fig, ax = F.axes(ax)
    x = 0.0
    ticks, tick_labels = [], []
    lows, highs = [], []
    offset = 0.17
    published_drawn = False
    for account, (title, _identity) in ACCOUNT_LABELS.items():
        factors = factors_of(growth, account)
        start = x
        for f in factors:
            for period, colour, dx in (
                ("historical", HISTORICAL, -offset),
                ("projected", PROJECTED, offset),
            ):
                est = centre(growth, account, f, period)
                lo = value(growth, account, f, period, "p10")
                hi = value(growth, account, f, period, "p90")
                if est is None:
                    continue
                marker = "s" if f == account else "o"
                if lo is not None and hi is not None:
                    ax.plot([x + dx, x + dx], [lo, hi], color=colour, lw=2, alpha=0.7)
                    lows.append(lo)
                    highs.append(hi)
                ax.plot(x + dx, est, marker=marker, color=colour, ms=6, ls="none")
                lows.append(est)
                highs.append(est)
            if f == account and account in PUBLISHED_FOR:
                pub = PUBLISHED_GROWTH[PUBLISHED_FOR[account]]
                if pub.interval is not None:
                    ax.plot([x, x], pub.interval, color=F.BLACK, lw=1, alpha=0.8)
                ax.plot(x, pub.rate, marker="D", color=F.BLACK, ms=5, ls="none")
                ax.annotate(
                    pub.who,
                    (x, pub.rate),
                    xytext=(6, 0),
                    textcoords="offset points",
                    fontsize="x-small",
                    va="center",
                )
                published_drawn = True
                lows.append(pub.interval[0] if pub.interval else pub.rate)
                highs.append(pub.interval[1] if pub.interval else pub.rate)
            ticks.append(x)
            tick_labels.append(FACTOR_TICKS[f])
            x += 1.0
        ax.text(
            (start + x - 1.0) / 2,
            0.98,
            f"{title}\n{_runs(growth, account)} runs, {_span(growth, account) or 'none'}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize="small",
        )
        x += 0.5
        if account != list(ACCOUNT_LABELS)[-1]:
            ax.axvline(x - 1.0, color=F.GREY, lw=0.8, alpha=0.6)
    ax.axhline(1.0, color=F.GREY, lw=1, ls=":")
    ax.set_yscale("log")
    lo = min([*lows, 1.0]) / 1.3
    hi = max([*highs, 1.0]) * 1.3
    hi *= (hi / lo) ** 0.25  # headroom for the accounts' names
    ax.set_ylim(lo, hi)
    candidates = [v * 10.0**k for k in range(-3, 4) for v in (1.0, 1.5, 2.0, 3.0, 5.0)]
    ax.yaxis.set_major_locator(FixedLocator([v for v in candidates if lo <= v <= hi]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}x"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ticks, tick_labels, fontsize="small")
    ax.set_xlim(-0.6, x - 0.9)
    ax.set_xlabel("each account: compute, what it is divided by, and the result (squares)")
    ax.set_ylabel("growth per year (factor, log scale)")
    ax.set_title("What drives the growth of the largest run's power and cost")
    ax.grid(True, axis="y", which="major", alpha=0.3)
    handles = [
        Line2D([], [], color=HISTORICAL, marker="o", lw=2, label="historical (runs): 80% interval"),
        Line2D(
            [],
            [],
            color=PROJECTED,
            marker="o",
            lw=2,
            label=f"projected ({_window(growth)}): 80% interval",
        ),
        Line2D([], [], color=F.GREY, ls=":", label="no change (1x a year)"),
    ]
    if published_drawn:
        handles.append(Line2D([], [], color=F.BLACK, marker="D", label="published rate"))
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=len(handles),
        fontsize="small",
        framealpha=0.9,
    )
    F.literal(legend.get_texts())
    return fig
