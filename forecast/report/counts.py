"""The briefing's section "How many runs cross each threshold", and its figure.

Renders :mod:`forecast.analysis.counts` (the projected number of notable runs a year at or
above 1e25, 1e26 and 1e27 FLOP, and its backtest) and :mod:`forecast.analysis.published_counts`
(Epoch AI's published counts beside the data's); computes nothing beyond formatting.
Epoch AI's published projection of the same counts (:data:`EPOCH_COUNTS`) lives here, as
the growth accounting keeps its published rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from forecast.analysis.counts import GAP_YEARS, RATE_YEARS, threshold_key
from forecast.report import style as F
from forecast.report.document import Block, Bullets, Heading, Link, Para, Strong, Table
from forecast.report.document import Figure as FigureBlock
from forecast.results import draws as D

TITLE = "How many runs cross each threshold"
#: Years of projection the briefing's table shows (the first ones).
TABLE_YEARS = 5


@dataclass(frozen=True)
class PublishedCount:
    """A published projection of how many models exceed a threshold, cumulatively.

    Attributes
    ----------
    threshold : str
        The threshold's key (``"1e26"``).
    by_start_of : int
        The count is of the models released before 1 January of this year.
    count : float
        The number published.
    qualifier : str
        How the source states it ("about", "over").
    """

    threshold: str
    by_start_of: int
    count: float
    qualifier: str


#: Epoch AI's projection (Cottier and Owen, 30 May 2025): "Extrapolating current trends,
#: there would be around 30 such models [above 1e26 FLOP] by the start of 2027, and over
#: 200 models by the start of 2030". They count the notable models of Epoch's database
#: with a compute estimate, from a model of investment and of how compute is spread over
#: models; the summary's "10 above 1e26 by 2026" is left out (it does not say which date).
EPOCH_COUNTS: tuple[PublishedCount, ...] = (
    PublishedCount("1e26", 2027, 30, "about"),
    PublishedCount("1e26", 2030, 200, "over"),
)
EPOCH_WHO = "Cottier and Owen 2025"
EPOCH_TITLE = "How many AI models will exceed compute thresholds?"
EPOCH_URL = "https://epoch.ai/blog/model-counts-compute-thresholds"


def _threshold_label(key: str) -> str:
    """ "1e26" -> "10²⁶ FLOP" (as the other threshold tables show it)."""
    return F.flop(float(key))


def _iv(iv: dict) -> str:
    """A count interval as "12 (7–18)"."""
    return f"{iv['median']} ({iv['p10']}–{iv['p90']})"


def _first_reached(th: dict | None) -> str:
    """When the largest run first reaches a threshold, from summary.json's ``thresholds``."""
    if not th:
        return "n/a"
    if th.get("observed"):
        return f"in the data: {th.get('run', '')} ({th.get('date', '')})"
    if (th.get("p_crossed_by_start") or 0.0) >= 0.5:
        return f"probably already, unpublished ({F.percent(th['p_crossed_by_start'])})"
    if th.get("median") is None:
        return "not in most draws"
    hi = "later" if th.get("p90") is None else F.year(th["p90"])
    return f"{F.year(th['median'])} ({F.year(th['p10'])}–{hi})"


def years_of(counts: dict) -> list[str]:
    """The years of ``counts`` in order (those of its first threshold)."""
    first = next(iter(counts.values()), {})
    return sorted(first, key=int)


# --------------------------------------------------------------------------- blocks


def projection_table(counts: dict, thresholds_summary: dict | None) -> Table:
    """Threshold x the first :data:`TABLE_YEARS` years: median (80% interval) per cell,
    with the year the largest run first reaches the threshold when it is given."""
    years = years_of(counts)[:TABLE_YEARS]
    with_first = bool(thresholds_summary)
    header = ("threshold",)
    if with_first:
        header += ("largest run first reaches it",)
    header += tuple(years)
    rows = []
    for key, per_year in counts.items():
        row: tuple = (_threshold_label(key),)
        if with_first:
            row += (_first_reached(thresholds_summary.get(key)),)
        row += tuple(_iv(per_year[y]) for y in years)
        rows.append(row)
    align = ("r",) + (("l",) if with_first else ()) + ("r",) * len(years)
    return Table(header, tuple(rows), align)


def _epoch_text(cumulative: dict) -> str:
    """The tool's cumulative counts next to Epoch AI's ("" when none can be compared)."""
    parts = []
    for pub in EPOCH_COUNTS:
        # By the start of a year = by the end of the year before.
        iv = cumulative.get(pub.threshold, {}).get(str(pub.by_start_of - 1))
        if iv is None:
            continue
        parts.append(
            f"By the start of {pub.by_start_of} this model expects {_iv(iv)} runs at or above "
            f"{_threshold_label(pub.threshold)} in all (those already in the data included); "
            f"Epoch AI projects {pub.qualifier} {pub.count:,.0f}."
        )
    if not parts:
        return ""
    return (
        " ".join(parts) + " Epoch AI counts the notable models of its own database, from a "
        "model of investment and of how compute is spread over models; this model "
        "extrapolates the runs in this tool's data, which hold only runs with a published "
        "compute estimate."
    )


def _model_said(published: dict) -> str:
    """ "Fitted on the data up to 2022-01-01, the count model forecast 8 (3–14) runs at or
    above 10²⁵ FLOP in 2024 (the data hold 11) and 11 (4–21) in 2025 (the data hold 6);
    Epoch AI's count of 2024, about 24, lies above ..." ("" without a backtest)."""
    cutoff = published.get("cutoff")
    per_year = (published.get("forecasts") or {}).get("1e25", {})
    years = [y for y in sorted(per_year, key=int) if int(y) >= 2024]
    if not cutoff or not years:
        return ""
    parts = [
        f"{_iv(per_year[y])}{' runs at or above ' + _threshold_label('1e25') if i == 0 else ''}"
        f" in {y} (the data hold {per_year[y]['data']})"
        for i, y in enumerate(years)
    ]
    text = f"Fitted on the data up to {cutoff}, the count model forecast " + " and ".join(parts)
    rate = [per_year[y].get("published_rate") for y in years]
    above = [per_year[y].get("published_rate_above_p90") for y in years]
    if rate[0] is not None:
        high = [y for y, a in zip(years, above, strict=True) if a]
        if len(high) == len(years):
            where = "above the 80% interval of " + (
                "both years" if len(years) == 2 else "every one of these years"
            )
        elif high:
            where = "above the 80% interval of " + " and ".join(high)
        else:
            where = "within the 80% interval or below it in each of these years"
        pub = next((c for c in published.get("comparisons", []) if c.get("year")), {})
        text += (
            f"; Epoch AI's count of {pub.get('year', 'its year')}, "
            f"{pub.get('qualifier', '')} {rate[0]}, lies {where}"
        )
    return text + ": its forecasts are of the narrower set."


def _left(c: dict) -> str:
    """What the notable list leaves of a published count: "about 7", "over 1", "none"."""
    left = c["outside_notable"]
    return f"{c['qualifier']} {left}" if left > 0 else "none"


def _adds(c: dict) -> str:
    """ "6 (3 + 2 + 1)": what Epoch AI's notable list adds to the data, by kind."""
    extra = c["notable_extra"]
    return f"{sum(extra.values())} ({' + '.join(str(v) for v in extra.values())})"


def published_table(published: dict) -> Table:
    """Per published count: the source's number, the data's on the same date or year
    (the count model's runs, and every stage), the difference, how much of it Epoch AI's
    notable list adds and what is left, and the model's forecast for the year."""
    split = "notable_extra" in (published["comparisons"] or [{}])[0]
    rows = []
    for c in published["comparisons"]:
        forecast = c.get("forecast")
        if forecast is not None:
            cell = _iv(forecast)
            if c.get("published_in_interval") is False:
                cell += " ✗"
        else:
            cell = "–" if c.get("year") is None else "not run"
        rows.append(
            (
                _threshold_label(c["threshold"]),
                c["period"],
                f"{c['qualifier']} {c['published']}",
                f"{c['data']} ({c['data_all_stages']})",
                f"{c['qualifier']} {c['difference']}",
                *((_adds(c), _left(c)) if split else ()),
                cell,
                Link(f"{published['source']['who']}, {c['source_date']}", c["url"]),
            )
        )
    header = (
        "threshold",
        "models published",
        "Epoch AI",
        "this tool's data (every stage)",
        "difference",
        *(("of which in Epoch AI's notable list", "left: outside it") if split else ()),
        "count model's forecast",
        "source",
    )
    return Table(header, tuple(rows), ("r", "l") + ("r",) * (len(header) - 3) + ("l",))


def _notable_said(published: dict) -> str:
    """How much of the difference Epoch AI's notable list accounts for at the latest
    published date and in the published year ("" without the breakdown)."""
    rows = [c for c in published.get("comparisons", []) if "notable_extra" in c]
    latest = max((c for c in rows if c.get("as_of")), key=lambda c: c["as_of"], default=None)
    if latest is None:
        return ""

    def share(c: dict) -> str:
        n, diff = sum(c["notable_extra"].values()), c["difference"]
        if n >= diff:
            return f"{n}: the whole difference ({c['qualifier']} {diff})"
        return f"{n} of the {c['qualifier']} {diff}"

    text = f"By {latest['as_of']} the notable list accounts for {share(latest)}"
    year = next((c for c in rows if c.get("year") is not None), None)
    if year is not None:
        text += f"; in {year['year']}, for {share(year)}"
        if year["outside_notable"] > 0:
            text += (
                f", the other {_left(year)} being models outside it, which this tool has no "
                "source for"
            )
    return text + "."


def _if_counted_said(published: dict) -> str:
    """What counting the notes' estimates (and the versions) in would change: the
    data's count in the published year and the trend's frontier selection."""
    ifc = published.get("if_counted") or {}
    notes, both = ifc.get("notes"), ifc.get("notes_and_versions")
    if not notes:
        return ""
    year = next((c for c in published["comparisons"] if c.get("year") is not None), None)
    text = f"Were the {notes['added']} estimates kept only in the notes counted as runs"
    if year is not None:
        y, key = str(year["year"]), year["threshold"]
        held = (
            published["years_all_stages"][key][y]["total"]
            + published["years_notable_extra"][key][y]["notes"]
        )
        text += f", {y} would hold {held}, and"
    text += (
        f" the trend's frontier selection would go from {notes['selected']} runs to "
        f"{notes['selected_if_counted']} ({', '.join(notes['enter'])} in"
        + (f"; {', '.join(notes['leave'])} out" if notes["leave"] else "")
        + ")"
    )
    if both:
        text += f"; with the versions too, to {both['selected_if_counted']}"
    return text + ". So this tool keeps them out and states the difference."


def published_blocks(published: dict) -> list[Block]:
    """Epoch AI's published counts above 10²⁵ FLOP beside the data's and the model's:
    a reading, the table, and a note on its columns and on what the difference is."""
    rows = published.get("comparisons") or []
    if not rows:
        return []
    year = next((c for c in rows if c.get("year") is not None), None)
    latest = max((c for c in rows if c.get("as_of")), key=lambda c: c["as_of"], default=None)
    said = []
    if year is not None:
        third = year["data_by_method"].get("third_party", 0)
        bench = year.get("data_benchmark")
        how = f"{third} of them outside estimates" + (
            f", {bench} from benchmark scores" if bench else ""
        )
        said.append(
            f"{year['data_all_stages']} runs at or above {_threshold_label(year['threshold'])} "
            f"published in {year['year']} ({how}) against Epoch AI's {year['qualifier']} "
            f"{year['published']}"
        )
    if latest is not None:
        said.append(
            f"{latest['data_all_stages']} by {latest['as_of']} against "
            f"{latest['qualifier']} {latest['published']}"
        )
    text = (
        "This tool's data hold "
        + ", and ".join(said)
        + ": Epoch AI counts a wider set, every version of a model and models outside its "
        "notable list, imputing the compute from benchmark scores where the developer says "
        "too little, while this tool counts each training run once, with a compute figure."
    )
    model = _model_said(published)
    if model:
        text += " " + model
    link = Link(
        f"{published['source']['who']}, “{published['source']['title']}”",
        published["source"]["url"],
    )
    note = (
        "Each row: the models published by the date or in the year; the data's count is "
        "of the runs the count model counts, in brackets of every stage (fine-tunes and "
        "unfinished runs too, as Epoch AI counts models); difference: Epoch AI's count "
        "minus the data's of every stage; the forecast (median and 80% interval, from the "
        "counts backtest) only for a whole year; ✗ marks a published count outside it."
    )
    parts: list = [note]
    kinds = published.get("extra_kinds") or {}
    notable = published.get("notable_source")
    if kinds and notable:
        parts += [
            " Of the difference, ",
            Link(f"{notable['who']}'s notable list", notable["url"]),
            " holds " + " + ".join(kinds.values()) + ". " + _notable_said(published),
        ]
    ifc = _if_counted_said(published)
    if ifc:
        parts.append(" " + ifc)
    return [
        Para.of(Strong("Published counts"), " (", link, "). ", text),
        published_table(published),
        Para.of(*parts),
    ]


def backtest_table(backtest: dict) -> Table:
    """Per threshold (and all notable runs) and scored year: the data's count, then the
    model's median and 80% interval from the cutoff."""
    years = [str(y) for y in backtest["years"]]

    def cell(c: dict) -> str:
        miss = "" if c["inside80"] else " ✗"
        return f"{c['observed']} vs {_iv(c)}{miss}"

    rows = [
        (_threshold_label(key), *(cell(per_year[y]) for y in years))
        for key, per_year in backtest["counts"].items()
    ]
    if backtest.get("runs_per_year"):
        rows.append(("all notable runs", *(cell(backtest["runs_per_year"][y]) for y in years)))
    return Table(("threshold", *years), tuple(rows), ("r",) + ("r",) * len(years))


def _example(backtest: dict) -> str:
    """ "From 2022 the model said 7 (3–15) runs at or above 10²⁵ FLOP in 2024; the data
    hold 11." for each threshold's latest year where the data or the median is not zero."""
    start = backtest["cutoff"][:4]
    out = []
    for key, per_year in backtest["counts"].items():
        live = [y for y, c in per_year.items() if c["observed"] > 0 or c["median"] > 0]
        if not live:
            continue
        y = max(live, key=int)
        c = per_year[y]
        out.append(
            f"From {start} the model said {_iv(c)} runs at or above {_threshold_label(key)} "
            f"in {y}; the data hold {c['observed']}."
        )
    return " ".join(out)


def backtest_blocks(backtest: dict) -> list[Block]:
    """The backtest of the counts from its cutoff: a reading, its numbers and a table."""
    n, held = backtest["n"], backtest["coverage80"]
    n_nz, held_nz = backtest["n_nonzero"], backtest["coverage80_nonzero"]
    years = backtest["years"]

    def share(x: float | None, k: int) -> str:
        return "none" if x is None else f"{round(x * k)} of {k} ({F.percent(x)})"

    misses = []
    if backtest["above_p90"]:
        misses.append(f"{backtest['above_p90']} with more runs than the interval")
    if backtest["below_p10"]:
        misses.append(f"{backtest['below_p10']} with fewer")
    text = (
        f"Fitted only on the runs published up to {backtest['cutoff']}, the model projected "
        f"the counts of {years[0]}–{years[-1]} (the complete years since; the data end "
        f"{backtest['data_end']}). Its 80% intervals held for {share(held, n)} threshold-years, "
        f"and {share(held_nz, n_nz)} of those where the forecast or the data are not zero"
        + (f"; misses: {', '.join(misses)}." if misses else ".")
    )
    blocks: list[Block] = [Para.of(Strong("Backtest."), " ", text)]
    example = _example(backtest)
    if example:
        blocks.append(Para.of(example))
    blocks.append(backtest_table(backtest))
    rate = backtest.get("rate")
    if rate:
        blocks.append(
            Para.of(
                "Each cell: the runs in the data vs the model's median (80% interval); ✗ "
                "marks an interval that missed. At the cutoff the number of notable runs a "
                f"year was fitted to {rate['years'][0]}–{rate['years'][-1]} ("
                + ", ".join(str(c) for c in rate["counts"])
                + f" runs), growing {rate['growth_per_year']:.2f}x a year."
            )
        )
    return blocks


def limitations() -> Bullets:
    """What the count model leaves out."""
    return Bullets(
        (
            (
                Strong("Runs without a published compute estimate."),
                " The counts are of the runs this tool's data would hold: notable runs with "
                "a compute estimate (Epoch AI's database). Runs nobody estimates are not "
                "counted, and several frontier runs of 2025-26 have no estimate yet, so the "
                "data's latest years hold fewer large runs than were trained.",
            ),
            (
                Strong("A change in how many runs there are."),
                f" The number of notable runs a year grows as it did over the last "
                f"{RATE_YEARS} complete years of the data (log-linear): no boom, no "
                "consolidation into fewer, larger runs.",
            ),
            (
                Strong("A change in how runs spread below the frontier."),
                " Each run sits as far below the typical frontier run as the runs of the "
                f"last {GAP_YEARS:g} years did. If most runs fall further behind the frontier, "
                "the counts at the highest thresholds are lower than shown.",
            ),
            (
                Strong("The ceilings."),
                " The runs follow the unconstrained trend: a spending or power ceiling caps "
                "the largest run, not these counts.",
            ),
        )
    )


def counts_blocks(
    counts: dict,
    backtest: dict | None,
    thresholds_summary: dict | None,
    *,
    cumulative: dict | None = None,
    figure: FigureBlock | None = None,
    published: dict | None = None,
) -> list[Block]:
    """The briefing section "How many runs cross each threshold".

    Parameters
    ----------
    counts : dict
        summary.json's ``threshold_counts``
        (:func:`forecast.analysis.counts.counts_json`).
    backtest : dict or None
        :func:`forecast.analysis.counts.counts_backtest`; None leaves the backtest out.
    thresholds_summary : dict or None
        summary.json's ``thresholds`` (when the largest run first reaches each); None
        leaves that column out.
    cumulative : dict, optional
        ``counts_json(ds, "cumulative")``: with it, the comparison with Epoch AI's
        published projection (:data:`EPOCH_COUNTS`).
    figure : forecast.report.document.Figure, optional
        The saved :func:`plot_threshold_counts`, placed after the table.
    published : dict, optional
        summary.json's ``threshold_counts_published``
        (:func:`forecast.analysis.published_counts.with_forecast`): Epoch AI's published
        counts beside the data's; None (results saved before it) leaves it out.

    Returns
    -------
    list of Block
        Empty when ``counts`` is empty.
    """
    if not counts or not years_of(counts):
        return []
    blocks: list[Block] = [Heading(2, TITLE)]
    blocks.append(
        Para.of(
            "Rules that use a compute threshold apply to every run above it, not only the "
            "largest. The table gives the number of notable training runs published each "
            "year at or above each threshold: median and 80% interval over draws. The number "
            "of notable runs a year follows its log-linear trend over the last "
            f"{RATE_YEARS} complete years of the data; each run sits below the typical "
            "frontier run (the fitted trend) as far as one of the runs of the last "
            f"{GAP_YEARS:g} years did, so the counts rise with the trend and carry its "
            "uncertainty, the uncertainty of the number of runs, and the chance of each count."
        )
    )
    blocks.append(projection_table(counts, thresholds_summary))
    if figure is not None:
        blocks.append(figure)
    if cumulative:
        text = _epoch_text(cumulative)
        if text:
            link = Link(f"{EPOCH_WHO}, “{EPOCH_TITLE}”", EPOCH_URL)
            blocks.append(Para.of(Strong("A published projection"), " (", link, "). ", text))
    if published:
        blocks += published_blocks(published)
    if backtest is not None:
        blocks += backtest_blocks(backtest)
    blocks.append(Para.of(Strong("What the counts leave out.")))
    blocks.append(limitations())
    return blocks


def caption(ds: xr.Dataset) -> str:
    """The figure's caption."""
    years = ds["year"].to_numpy()
    return (
        "Notable training runs published each year at or above each compute threshold: "
        f"median (line) and 80% interval (band) of the projection for {int(years.min())}–"
        f"{int(years.max())}, and the runs in the data (diamonds); log scale above 1."
    )


# --------------------------------------------------------------------------- figure


def plot_threshold_counts(
    ds: xr.Dataset, observed: dict | None = None, ax: Axes | None = None
) -> Figure:
    """Projected runs a year at or above each threshold, with the data's counts.

    Parameters
    ----------
    ds : xarray.Dataset
        :func:`forecast.analysis.counts.project_counts` (``count``: threshold, year, draw).
    observed : dict, optional
        :func:`forecast.analysis.counts.observed_counts` (the data's count per threshold
        and year), drawn as points in the threshold's colour.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Median and 80% band per threshold on a log axis that shows zero (symmetric log:
        linear below one run).
    """
    fig, ax = F.axes(ax)
    years = ds["year"].to_numpy().astype(int)
    top = 1.0
    handles = []
    n_thr = ds.sizes["threshold"]
    all_years = set(years.tolist())
    for i, x in enumerate(ds["threshold"].to_numpy()):
        colour = F.colour(i)
        key = threshold_key(x)
        ivs = [D.count_interval(ds["count"].sel(threshold=x, year=y).to_numpy()) for y in years]
        med = np.array([iv["median"] for iv in ivs], dtype=float)
        lo = np.array([iv["p10"] for iv in ivs], dtype=float)
        hi = np.array([iv["p90"] for iv in ivs], dtype=float)
        ax.fill_between(years, lo, hi, color=colour, alpha=0.18, lw=0)
        ax.plot(years, med, color=colour, lw=2, marker="o", ms=4)
        top = max(top, float(hi.max()))
        handles.append(Line2D([], [], color=colour, lw=2, label=f"≥ {_threshold_label(key)}"))
        if observed and key in observed:
            obs_years = np.array([int(y) for y in observed[key]])
            obs = np.array([observed[key][str(y)] for y in obs_years], dtype=float)
            # Side by side within the year, so that equal counts (zeros, mostly) do not
            # hide one another.
            dodge = (i - (n_thr - 1) / 2) * 0.12
            ax.plot(
                obs_years + dodge,
                obs,
                ls="none",
                marker="D",
                ms=6,
                markerfacecolor=colour,
                markeredgecolor=F.BLACK,
            )
            if obs.size:
                top = max(top, float(obs.max()))
                all_years.update(obs_years.tolist())
    ax.set_yscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_ylim(0, top * 1.6)
    ticks = [0.0] + [10.0**k for k in range(int(math.log10(top * 1.6)) + 1)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    # Every calendar year a tick (a count belongs to a whole year), thinned past a dozen.
    span = sorted(all_years)
    step = max(1, math.ceil(len(span) / 12))
    ax.set_xticks(span[::step], [str(y) for y in span[::step]])
    ax.set_xlabel("year published")
    ax.set_ylabel("runs that year at or above the threshold (log scale above 1)")
    ax.set_title("How many runs cross each compute threshold")
    ax.grid(True, axis="y", alpha=0.3)
    handles.append(Patch(color=F.GREY, alpha=0.3, label="80% interval"))
    if observed:
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="D",
                markerfacecolor=F.GREY,
                markeredgecolor=F.BLACK,
                label="in the data",
            )
        )
    legend = ax.legend(handles=handles, loc="upper left", fontsize="small", framealpha=0.9)
    F.literal(legend.get_texts())
    return fig
