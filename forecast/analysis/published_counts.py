"""The counts of runs above 1e25 and 1e26 FLOP against Epoch AI's published counts.

Epoch AI publishes how many models were trained with more than 1e25 FLOP ("at the scale
of GPT-4"): over 25 by 30 January 2025, over 30 by June 2025, "roughly two ... every
month during 2024" (:data:`PUBLISHED`, each with its source and quote). This tool's count
model (:mod:`forecast.analysis.counts`) extrapolates the runs of its own data, so this
module puts the two side by side on one definition and one date: for each published
statement, the runs of the data at or above the threshold published by that date (or in
that year), by how the compute was estimated (``method``); the models of Epoch AI's own
notable list that its count takes in and the data do not (:data:`NOTABLE_EXTRA`, by
kind); what is left, which can only be models outside the notable list; and the count
model's forecast for the year (from its backtest, fitted on the data up to 2022).

**The two counts are not of the same set.** Epoch AI's count is of its *Large-Scale AI
Models* search for models over 1e25: the leading labs' releases reviewed one by one, and
any model that scores on benchmarks and leaderboards (MMLU, MATH, GPQA, Chatbot Arena,
HELM, CompassRank) at least as well as the weakest model known to be over 1e25; where a
developer publishes too little to estimate the compute, Epoch AI imputes it from the
benchmark scores. That count takes in models that are not "notable" and every version of
a model (each update of GPT-4o, GPT-4 Turbo). This tool's data (``data/training_runs.csv``)
hold each training run once, with a compute figure: the notable models of Epoch AI's
database, plus three benchmark-based estimates Epoch AI keeps in its notes
(:data:`BENCHMARK_IN_DATA`: Gemini 1.5 Pro, Claude 3 Opus, GPT-4o; ``method =
third_party``, uncertainty 10).

**Measured** (``data/training_runs.csv`` against the reference copy of Notable AI Models
with models to 2026-07; at or above 1e25 FLOP, by publication date). "Data": every stage,
by method (operations / hardware / reported / third_party), and in brackets the finished
pretraining runs the count model counts; "notable list adds": the rows of
:data:`NOTABLE_EXTRA` (versions / estimates only in the notes / no figure):

====  ===========  =============  ===============  ====  =========
year  data         by method      notable list     sum   published
                                  adds
====  ===========  =============  ===============  ====  =========
2020   0 (0)       0 / 0 / 0 / 0  0 / 0 / 0           0
2021   0 (0)       0 / 0 / 0 / 0  0 / 0 / 0           0
2022   0 (0)       0 / 0 / 0 / 0  0 / 0 / 0           0
2023   3 (3)       0 / 1 / 1 / 1  1 / 2 / 0           6
2024  11 (11)      3 / 0 / 1 / 7  3 / 2 / 1          17  about 24
2025   8 (6)       2 / 2 / 0 / 4  2 / 0 / 9          19
====  ===========  =============  ===============  ====  =========

By 30 January 2025 the data hold 14 runs at or above 1e25 and the notable list adds 10
(5 / 4 / 1): 24, against "over 25". By 6 June 2025 the data hold 19 (18 finished
pretraining runs) and the notable list adds 16 (6 / 4 / 6): 35, against "over 30". So
the difference is the notable list's versions, its estimates kept in notes and its
flagship models without a figure, and, in 2024, about 7 models outside the notable list.
Of the data's 11 in 2024, 7 are outside estimates (``third_party``), 3 of them from
benchmark scores. Above 1e26 the data and the notable list agree: none before 2025, then
Grok 3 and GPT-4.5 (February 2025) and Grok 4 (July 2025, a fine-tune: Grok 3's
pretraining plus reinforcement learning); no row of :data:`NOTABLE_EXTRA` has a figure
above 1e26, and Epoch AI publishes no count above 1e26 to compare with.

**Decision: the count model keeps its data and definition (each training run once, with
a compute figure), and the difference is stated in numbers** (:func:`published_observed`,
stored on the results and printed in the briefing). Counting in what the notable list
adds would not close it and would change what is modelled:

- the 4 estimates kept only in the notes (GPT-4 Turbo of November 2023 and GLM-4-Plus
  from benchmark scores, GLM-4 (0520) from a guessed parameter count, "+/- 1 OOM", and
  Gemini 1.0 Pro, whose 1.8e25 from benchmark scores the data replace with the published
  1.83e24, see ``data/README.md``) would bring 2024 from 11 to 13, about half the published
  24; and all 4 would enter the trend's frontier selection (top 10 at release), taking
  Llama 3-70B out of it (116 frontier runs to 119: :func:`selection_if_counted`), so the
  baseline's trend would be fitted to estimates of factor-10 uncertainty;
- the 6 versions carry the compute of the model they update, copied (every update of
  GPT-4o is GPT-4o's 3.8e25): counting them would count one training run up to five
  times, and the trend would take them too (124 frontier runs, Inflection-2.5 out);
- the flagship models without a figure cannot be placed against a threshold or the trend
  at all, and the models outside the notable list have no source this tool can cite.

So the tool's counts are of training runs with a compute estimate; read against Epoch
AI's large-scale count, they are about half of it (11 of about 24 in 2024; 14 of over
25 and 19 of over 30 by mid-2025), and the count model's forecasts, calibrated on this
data, are forecasts of that narrower count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.runs import METHODS, STAGES
from forecast.data.selection import Selection, select
from forecast.data.units import decimal_year

#: Years of the measured table (``years`` of :func:`observed_counts`).
YEARS: tuple[int, ...] = tuple(range(2020, 2026))
#: Thresholds of the measured table (log10 FLOP); Epoch AI publishes counts only at 1e25.
THRESHOLDS: tuple[int, ...] = (25, 26)


@dataclass(frozen=True)
class PublishedCount:
    """A published count of models at or above a threshold, with its source.

    Attributes
    ----------
    threshold : str
        The threshold's key (``"1e25"``).
    count : int
        The number published.
    qualifier : str
        How the source states it ("over", "about").
    as_of : datetime.date or None
        A cumulative count: the models published on or before this date.
    year : int or None
        A yearly count: the models published in this calendar year.
    quote : str
        The source's words.
    title, url : str
        The source.
    published : datetime.date
        When the source said it.
    """

    threshold: str
    count: int
    qualifier: str
    as_of: dt.date | None
    year: int | None
    quote: str
    title: str
    url: str
    published: dt.date

    @property
    def period(self) -> str:
        """ "by 2025-01-30" or "in 2024"."""
        return f"in {self.year}" if self.year is not None else f"by {self.as_of.isoformat()}"


#: Epoch AI's data insight "Over 20 AI models have been trained at the scale of GPT-4"
#: (Rahman, Heindrich, Owen and Emberson, 30 January 2025), and its update of 6 June 2025
#: ("Over 30 AI models have been trained at the scale of GPT-4"), at
#: https://epoch.ai/data-insights/models-over-1e25-flop (the quotes as on the page of each
#: date). "Roughly two models ... every month during 2024" is about 24 in 2024.
PUBLISHED: tuple[PublishedCount, ...] = (
    PublishedCount(
        "1e25",
        25,
        "over",
        dt.date(2025, 1, 30),
        None,
        "Since then, we have identified over 25 publicly announced AI models from 11 "
        "different AI developers that we believe to be over the 1e25 FLOP training compute "
        "threshold",
        "Over 20 AI models have been trained at the scale of GPT-4",
        "https://epoch.ai/data-insights/models-over-1e25-flop",
        dt.date(2025, 1, 30),
    ),
    PublishedCount(
        "1e25",
        24,
        "about",
        None,
        2024,
        "we saw an average of roughly two models over this threshold announced every "
        "month during 2024",
        "Over 20 AI models have been trained at the scale of GPT-4",
        "https://epoch.ai/data-insights/models-over-1e25-flop",
        dt.date(2025, 1, 30),
    ),
    PublishedCount(
        "1e25",
        30,
        "over",
        dt.date(2025, 6, 6),
        None,
        "As of June 2025, we have identified over 30 publicly announced AI models from 12 "
        "different AI developers that we believe to be over the 1e25 FLOP training compute "
        "threshold",
        "Over 30 AI models have been trained at the scale of GPT-4 (update)",
        "https://epoch.ai/data-insights/models-over-1e25-flop",
        dt.date(2025, 6, 6),
    ),
)
WHO = "Epoch AI"

#: The runs of the data whose compute Epoch AI estimated from benchmark scores (its notes:
#: "Training compute estimated to be 1.64e25 FLOP from benchmark scores" for Claude 3 Opus,
#: the same words for GPT-4o's 3.8e25, "imputed to be 1.58e25" for Gemini 1.5 Pro); the
#: data's ``method`` has no value of its own for them (``third_party``, see data/README.md).
BENCHMARK_IN_DATA: tuple[str, ...] = ("Gemini 1.5 Pro", "Claude 3 Opus", "GPT-4o")


@dataclass(frozen=True)
class NotableExtra:
    """A model of Epoch AI's notable list over 1e25 FLOP that the data do not count there.

    Attributes
    ----------
    name : str
        Epoch AI's name of the model.
    date : datetime.date
        Its publication date (Epoch AI's).
    kind : str
        Why the data leave it out (a key of :data:`EXTRA_KINDS`).
    compute_flop : float or None
        Epoch AI's figure, from its compute column or its notes; None when the notes give
        none.
    note : str
        Epoch AI's words (its training-compute notes, or its base-model column).
    data_flop : float or None
        The data's own figure when they hold the model below 1e25 FLOP.
    """

    name: str
    date: dt.date
    kind: str
    compute_flop: float | None
    note: str
    data_flop: float | None = None


#: What each kind of :data:`NOTABLE_EXTRA` is, in the order the briefing gives them.
EXTRA_KINDS: dict[str, str] = {
    "version": "re-releases and updates counted with the compute of the model they update",
    "notes": "models whose estimate over 10²⁵ FLOP is only in Epoch AI's notes",
    "no_figure": "flagship models its notes call very likely over 10²⁵ FLOP, without a figure",
}
NOTABLE_SOURCE = {
    "who": WHO,
    "title": "Notable AI Models (models to 2026-07)",
    "url": "https://epoch.ai/data/notable-ai-models",
}
_BENCH = "from benchmark scores"
#: Every row of Epoch AI's Notable AI Models (the reference copy with models to 2026-07,
#: CC BY 4.0, https://epoch.ai/data/notable-ai-models) at or above 1e25 FLOP, by its
#: compute column or its notes, that data/training_runs.csv does not hold at or above
#: 1e25: found by reading every row published from 2022-06 on with no compute figure, or
#: with one of 1e25 or more, against the data (the rows whose notes say "unlikely" over
#: 1e25, o1-mini, o3-mini, ERNIE 4.0 and 4.5, Ernie 4.0 Turbo, Amazon Nova Pro, are not
#: counted). Versions: Epoch AI's base-model column names the model each updates, and
#: its figure is that model's.
NOTABLE_EXTRA: tuple[NotableExtra, ...] = (
    NotableExtra(
        "GPT-4 (Jun 2023)",
        dt.date(2023, 6, 13),
        "version",
        2.1e25,
        "base model GPT-4 (Mar 2023); the same 2.1e25 (data/README.md leaves it out)",
    ),
    NotableExtra(
        "GPT-4 Turbo (Nov 2023)",
        dt.date(2023, 11, 6),
        "notes",
        2.2e25,
        "Training compute estimated to be 2.2e25 FLOP using benchmark imputation.",
    ),
    NotableExtra(
        "Gemini 1.0 Pro",
        dt.date(2023, 12, 6),
        "notes",
        1.8e25,
        f"Training compute estimated to be 1.8e25 FLOP {_BENCH}.",
        data_flop=1.83e24,
    ),
    NotableExtra(
        "GPT-4 Turbo (Apr 2024)",
        dt.date(2024, 4, 9),
        "version",
        2.2e25,
        "base model GPT-4 Turbo (Nov 2023); "
        "Training compute estimated to be 2.2e25 FLOP using benchmark imputation.",
    ),
    NotableExtra(
        "GLM-4 (0520)",
        dt.date(2024, 5, 20),
        "notes",
        1.2e25,
        "6 FLOP / parameter / token * 10000000000000 tokens * 200000000000 parameters = "
        "1.2e+25 FLOPs with “Likely” confidence (+/- 1 OOM)",
    ),
    NotableExtra(
        "GPT-4o (Aug 2024)",
        dt.date(2024, 8, 6),
        "version",
        3.8e25,
        f"base model GPT-4o; Training compute estimated to be 3.8e25 FLOP {_BENCH}.",
    ),
    NotableExtra(
        "GLM-4-Plus",
        dt.date(2024, 8, 29),
        "notes",
        3.6e25,
        "Estimated to be 3.6e+25 FLOP using benchmark imputation.",
    ),
    NotableExtra(
        "GPT-4o (Nov 2024)",
        dt.date(2024, 11, 20),
        "version",
        3.8e25,
        f"base model GPT-4o (Aug 2024); Training compute estimated to be 3.8e25 FLOP {_BENCH}.",
    ),
    NotableExtra(
        "Gemini 2.0 Pro",
        dt.date(2024, 12, 11),
        "no_figure",
        None,
        "Flagship model from a leading developer in early 2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra(
        "GPT-4o (Jan 2025)",
        dt.date(2025, 1, 29),
        "version",
        3.8e25,
        f"base model GPT-4o (Nov 2024); Training compute estimated to be 3.8e25 FLOP {_BENCH}.",
    ),
    NotableExtra(
        "Gemini 2.5 Pro (Mar 2025)",
        dt.date(2025, 3, 25),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra(
        "GPT-4o (Mar 2025)",
        dt.date(2025, 3, 27),
        "version",
        3.8e25,
        f"base model GPT-4o (Jan 2025); Training compute estimated to be 3.8e25 FLOP {_BENCH}.",
    ),
    NotableExtra(
        "Gemini 2.5 Pro (May 2025)",
        dt.date(2025, 5, 6),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra(
        "Claude Opus 4",
        dt.date(2025, 5, 22),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra(
        "Claude Sonnet 4",
        dt.date(2025, 5, 22),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra(
        "Gemini 2.5 Pro (Jun 2025)",
        dt.date(2025, 6, 5),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
    NotableExtra("GPT-5.1", dt.date(2025, 11, 13), "no_figure", None, "Almost certainly > 1e25"),
    NotableExtra(
        "GPT-5.1 Instant", dt.date(2025, 11, 13), "no_figure", None, "Almost certainly > 1e25"
    ),
    NotableExtra(
        "Gemini 3 Pro", dt.date(2025, 11, 18), "no_figure", None, "Almost certainly >1e25"
    ),
    NotableExtra(
        "Claude Opus 4.5",
        dt.date(2025, 11, 24),
        "no_figure",
        None,
        "Flagship model from a leading developer in mid-2025; very likely it used >1e25 FLOP.",
    ),
)


def _key(log10_flop: float) -> str:
    return f"1e{int(log10_flop)}"


def _dates(runs: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(runs["date"]).dt.date


def _in_period(d: dt.date, as_of: dt.date | None, year: int | None) -> bool:
    return (as_of is None or d <= as_of) and (year is None or d.year == year)


def count_runs(
    runs: pd.DataFrame,
    threshold_log10: float,
    *,
    as_of: dt.date | None = None,
    year: int | None = None,
) -> dict:
    """The runs at or above ``10**threshold_log10`` FLOP, published on or before
    ``as_of`` or in the calendar year ``year``, in all and by ``method``.

    Returns
    -------
    dict
        ``{"total": n, "by_method": {"operations": n, ...}, "benchmark": n}``: every
        method of :data:`~forecast.data.runs.METHODS`, zeros included; ``benchmark``, how
        many of them are :data:`BENCHMARK_IN_DATA`.
    """
    dates = _dates(runs)
    keep = runs["compute_flop"].to_numpy(dtype=float) >= 10.0**threshold_log10
    keep &= np.array([_in_period(d, as_of, year) for d in dates], dtype=bool)
    methods = runs["method"].to_numpy()[keep]
    names = runs["name"].to_numpy()[keep] if "name" in runs else np.array([], dtype=object)
    return {
        "total": int(keep.sum()),
        "by_method": {m: int(np.sum(methods == m)) for m in METHODS},
        "benchmark": int(sum(str(n) in BENCHMARK_IN_DATA for n in names)),
    }


def notable_extra(
    threshold_log10: float,
    *,
    as_of: dt.date | None = None,
    year: int | None = None,
) -> dict[str, int]:
    """How many rows of :data:`NOTABLE_EXTRA` of each kind are at or above
    ``10**threshold_log10`` FLOP and published on or before ``as_of`` or in ``year``.

    A row without a figure counts at 1e25 only: Epoch AI's notes say it is over 1e25,
    nothing more.
    """
    x = 10.0**threshold_log10
    out = dict.fromkeys(EXTRA_KINDS, 0)
    for row in NOTABLE_EXTRA:
        above = row.compute_flop >= x if row.compute_flop is not None else threshold_log10 <= 25
        if above and _in_period(row.date, as_of, year):
            out[row.kind] += 1
    return out


def observed_counts(
    runs: pd.DataFrame,
    years: Sequence[int] = YEARS,
    thresholds: Sequence[float] = THRESHOLDS,
) -> dict:
    """Per threshold and calendar year, :func:`count_runs` of ``runs``:
    ``{"1e25": {"2024": {"total": 11, "by_method": {...}, ...}, ...}, ...}``."""
    return {_key(x): {str(y): count_runs(runs, x, year=int(y)) for y in years} for x in thresholds}


def published_observed(counted: pd.DataFrame, every: pd.DataFrame) -> dict:
    """Each published count beside the data's on the same threshold, date and period,
    and beside what Epoch AI's notable list adds to the data.

    Parameters
    ----------
    counted : pandas.DataFrame
        The runs the count model counts (:func:`forecast.analysis.counts.counted_runs`:
        the scenario's stages, finished pretraining runs by default).
    every : pandas.DataFrame
        Every run of the data in the same window, whatever its stage (Epoch AI counts
        every model announced).

    Returns
    -------
    dict
        ``source`` (``who``, ``title``, ``url``) and ``notable_source``;
        ``extra_kinds`` (:data:`EXTRA_KINDS`); ``comparisons``: per published count,
        ``threshold``, ``period``, ``as_of`` or ``year``, ``published``, ``qualifier``,
        ``quote``, ``url``, ``source_date``, ``data`` (the count model's runs),
        ``data_by_method``, ``data_benchmark``, ``data_all_stages``, ``difference``
        (published minus ``data_all_stages``, the wider of the data's two counts),
        ``notable_extra`` (:func:`notable_extra` by kind), ``notable_total``
        (``data_all_stages`` plus those) and ``outside_notable`` (published minus
        ``notable_total``: the models Epoch AI counts outside its notable list, at
        least; negative when the notable list alone holds more than the count);
        ``years``, ``years_all_stages``: :func:`observed_counts` of ``counted`` and
        ``every`` for :data:`YEARS` at :data:`THRESHOLDS`; ``years_notable_extra``: the
        same of :func:`notable_extra`.
    """
    rows = []
    for pub in PUBLISHED:
        x = float(pub.threshold[2:])
        when = {"as_of": pub.as_of, "year": pub.year}
        mine = count_runs(counted, x, **when)
        wide = count_runs(every, x, **when)
        extra = notable_extra(x, **when)
        total = wide["total"] + sum(extra.values())
        rows.append(
            {
                "threshold": pub.threshold,
                "period": pub.period,
                "as_of": pub.as_of.isoformat() if pub.as_of else None,
                "year": pub.year,
                "published": pub.count,
                "qualifier": pub.qualifier,
                "quote": pub.quote,
                "title": pub.title,
                "url": pub.url,
                "source_date": pub.published.isoformat(),
                "data": mine["total"],
                "data_by_method": mine["by_method"],
                "data_benchmark": mine["benchmark"],
                "data_all_stages": wide["total"],
                "difference": pub.count - wide["total"],
                "notable_extra": extra,
                "notable_total": total,
                "outside_notable": pub.count - total,
            }
        )
    return {
        "source": {"who": WHO, "title": PUBLISHED[0].title, "url": PUBLISHED[0].url},
        "notable_source": dict(NOTABLE_SOURCE),
        "extra_kinds": dict(EXTRA_KINDS),
        "comparisons": rows,
        "years": observed_counts(counted),
        "years_all_stages": observed_counts(every),
        "years_notable_extra": {
            _key(x): {str(y): notable_extra(x, year=y) for y in YEARS} for x in THRESHOLDS
        },
    }


def selection_if_counted(
    points: pd.DataFrame, selection: Selection, kinds: Sequence[str] = ("notes",)
) -> dict:
    """How the trend's frontier selection would change if the rows of
    :data:`NOTABLE_EXTRA` of ``kinds`` that have a figure were runs of the data.

    Each is added as a finished pretraining run at Epoch AI's figure (a model the data
    hold below it, Gemini 1.0 Pro, takes that figure instead of the data's).

    Parameters
    ----------
    points : pandas.DataFrame
        Every candidate run (``DataSpec.load_points``: ``name``, ``date``,
        ``compute_flop``, ``stage``).
    selection : forecast.data.selection.Selection
        The scenario's frontier rule and window.

    Returns
    -------
    dict
        ``kinds``; ``added`` (the rows counted in); ``selected`` and
        ``selected_if_counted`` (how many runs the rule picks); ``enter`` and ``leave``
        (the names that would join and drop out of the selection).
    """
    rows = [r for r in NOTABLE_EXTRA if r.kind in kinds and r.compute_flop is not None]
    before = select(points, selection)
    runs = points.copy()
    new = []
    for r in rows:
        if r.data_flop is not None and (runs["name"] == r.name).any():
            runs.loc[runs["name"] == r.name, "compute_flop"] = r.compute_flop
        else:
            new.append(
                {
                    "name": r.name,
                    "date": r.date,
                    "compute_flop": r.compute_flop,
                    "stage": "pretrain",
                    "t": decimal_year(r.date),
                }
            )
    if new:
        runs = pd.concat([runs, pd.DataFrame(new)], ignore_index=True)
    after = select(runs, selection)
    return {
        "kinds": list(kinds),
        "added": len(rows),
        "selected": len(before),
        "selected_if_counted": len(after),
        "enter": sorted(set(after["name"]) - set(before["name"])),
        "leave": sorted(set(before["name"]) - set(after["name"])),
    }


def with_forecast(observed: dict, backtest: dict | None) -> dict:
    """:func:`published_observed` with the count model's forecasts from its backtest.

    Each yearly comparison gets ``forecast`` (``median``, ``p10``, ``p90`` of the
    backtest's count at its threshold and year, or None when the backtest did not score
    that year) and ``published_in_interval`` (whether the published count falls in the
    80% interval); ``forecasts[threshold][year]`` holds the backtest's forecast and the
    data's count (``data``) for every year of :data:`YEARS` it scored, and, at a
    threshold with a published yearly count, that count (``published_rate``) and whether
    it lies above the interval (``published_rate_above_p90``); ``cutoff`` is the
    backtest's cutoff (None without a backtest).
    """
    out = {**observed, "comparisons": [dict(c) for c in observed["comparisons"]]}
    scored = (backtest or {}).get("counts", {})
    out["cutoff"] = backtest.get("cutoff") if backtest else None
    for c in out["comparisons"]:
        cell = scored.get(c["threshold"], {}).get(str(c["year"])) if c["year"] else None
        c["forecast"] = (
            {k: int(cell[k]) for k in ("median", "p10", "p90")} if cell is not None else None
        )
        c["published_in_interval"] = (
            bool(cell["p10"] <= c["published"] <= cell["p90"]) if cell is not None else None
        )
    # The published yearly rate (about 24 in 2024) held against every scored year's
    # interval: is the model's count of this data as high as Epoch AI's rate?
    rate = {c["threshold"]: c["published"] for c in out["comparisons"] if c["year"]}

    def cell(key: str, c: dict) -> dict:
        row = {"data": int(c["observed"]), **{k: int(c[k]) for k in ("median", "p10", "p90")}}
        if key in rate:
            row["published_rate"] = rate[key]
            row["published_rate_above_p90"] = bool(rate[key] > c["p90"])
        return row

    out["forecasts"] = {
        key: {y: cell(key, per_year[y]) for y in sorted(per_year, key=int) if int(y) in YEARS}
        for key, per_year in scored.items()
        if key in {_key(x) for x in THRESHOLDS}
    }
    return out


def published_counts(result) -> dict:
    """:func:`published_observed` for a fitted scenario (``ScenarioResult``): the runs
    the count model counts, and every run of the data in the same window; with
    ``if_counted``, :func:`selection_if_counted` of the estimates kept in the notes
    (``notes``) and of those and the versions (``notes_and_versions``)."""
    import dataclasses

    from forecast.analysis.counts import counted_runs

    data = result.scenario.data
    out = published_observed(
        counted_runs(data), counted_runs(dataclasses.replace(data, stages=STAGES))
    )
    points, selection = data.load_points(), data.selection()
    out["if_counted"] = {
        "notes": selection_if_counted(points, selection, ("notes",)),
        "notes_and_versions": selection_if_counted(points, selection, ("notes", "version")),
    }
    return out
