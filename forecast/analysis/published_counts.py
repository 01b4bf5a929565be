"""The counts of runs above 1e25 and 1e26 FLOP against Epoch AI's published counts.

Epoch AI publishes how many models were trained with more than 1e25 FLOP ("at the scale
of GPT-4"): over 25 by 30 January 2025, over 30 by June 2025, "roughly two ... every
month during 2024" (:data:`PUBLISHED`, each with its source and quote). This tool's count
model (:mod:`forecast.analysis.counts`) extrapolates the runs of its own data, so this
module puts the two side by side on one definition and one date: for each published
statement, the runs of the data at or above the threshold published by that date (or in
that year), by how the compute was estimated (``method``), and the count model's
forecast for the year (from its backtest, fitted on the data up to 2022).

**The two counts are not of the same set.** Epoch AI's count is of its *Large-Scale AI
Models* search for models over 1e25: the leading labs' releases reviewed one by one, and
any model that scores on benchmarks and leaderboards (MMLU, MATH, GPQA, Chatbot Arena,
HELM, CompassRank) at least as well as the weakest model known to be over 1e25; where a
developer publishes too little to estimate the compute, Epoch AI imputes it from the
benchmark scores. That count takes in models that are not "notable" and every version of
a model (each update of GPT-4o, GPT-4 Turbo) with its own estimate. This tool's data
(``data/training_runs.csv``) hold the notable models of Epoch AI's database with a
compute figure, plus three benchmark-based estimates Epoch AI keeps in its notes
(Gemini 1.5 Pro, Claude 3 Opus, GPT-4o, ``method = third_party``, uncertainty 10).

**Measured** (``data/training_runs.csv`` against the reference copy of Notable AI Models,
2026-07; at or above 1e25 FLOP, by publication date; every stage):

====  ====  =============================================  ========  ==========
year  data  of which: operations / hardware / reported /   notable   published
            third_party                                    copy
====  ====  =============================================  ========  ==========
2020     0  0 / 0 / 0 / 0                                         0
2021     0  0 / 0 / 0 / 0                                         0
2022     0  0 / 0 / 0 / 0                                         0
2023     3  0 / 1 / 1 / 1                                         4
2024    11  3 / 0 / 1 / 7                                         8  about 24
2025     8  2 / 2 / 0 / 4                                         8
====  ====  =============================================  ========  ==========

By 30 January 2025 the data hold 14 runs at or above 1e25 (published: over 25); by 6 June
2025, 19 (18 counting only finished pretraining runs, as the count model does; published:
over 30). Above 1e26 the data and the notable copy agree: none before 2025, then Grok 3
and GPT-4.5 (February 2025) and Grok 4 (July 2025, a fine-tune: Grok 3's pretraining plus
reinforcement learning); Epoch AI publishes no count above 1e26 to compare with.

The notable copy's 1e25 runs differ from the data's in three ways: its "GPT-4 (Jun 2023)"
is a re-release of GPT-4 on the same compute, left out of the data on purpose (so the
copy has 4 in 2023); the data add the three benchmark estimates from Epoch's notes (so
they have 11 in 2024, not 8); and the copy's notes give benchmark-based estimates over
1e25 for models the data leave out: GPT-4 Turbo (Nov 2023, Apr 2024; 2.2e25), GLM-4-Plus
(Aug 2024; 3.6e25), GLM-4 (0520) (May 2024; 1.2e25, from guessed parameters and tokens),
and three later versions of GPT-4o (Aug 2024, Nov 2024, Jan 2025; each 3.8e25, GPT-4o's
own estimate). Six more flagship models of early 2025 are "very likely" over 1e25 by the
notes, with no figure (Gemini 2.0 Pro, Gemini 2.5 Pro three times, Claude Opus 4, Claude
Sonnet 4).

**Decision: the count model keeps its data and definition, and the difference is stated
in numbers.** Adding every benchmark-based figure of the notable copy would bring 2024
from 11 to 16, still two-thirds of the published 24: the rest are models outside the
notable list, whose compute this tool has no source for. And three of those five are
versions of a model already counted, with its compute estimate copied (GPT-4 Turbo,
GPT-4o twice), which the count model, a model of training runs, would count as new
runs; the trend fit (finished pretraining runs, top 10 at release) would take GLM-4-Plus
and a GPT-4o version among its frontier points on an estimate from benchmarks alone. So
the tool's counts are of notable runs with a compute estimate; read against Epoch AI's
large-scale count, they are about half of it (11 of about 24 in 2024; 14 of over 25, 19
of over 30 by mid-2025), and the count model's forecasts, calibrated on this data, are
forecasts of that narrower count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.runs import METHODS, STAGES

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
#: https://epoch.ai/data-insights/models-over-1e25-flop. "Roughly two models ... every
#: month during 2024" is about 24 in 2024.
PUBLISHED: tuple[PublishedCount, ...] = (
    PublishedCount(
        "1e25",
        25,
        "over",
        dt.date(2025, 1, 30),
        None,
        "we have identified over 25 publicly announced AI models from 11 different AI "
        "developers that we believe to be over the 1e25 FLOP training compute threshold",
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


def _key(log10_flop: float) -> str:
    return f"1e{int(log10_flop)}"


def _dates(runs: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(runs["date"]).dt.date


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
        ``{"total": n, "by_method": {"operations": n, ...}}`` (every method of
        :data:`~forecast.data.runs.METHODS`, zeros included).
    """
    dates = _dates(runs)
    keep = runs["compute_flop"].to_numpy(dtype=float) >= 10.0**threshold_log10
    if as_of is not None:
        keep &= (dates <= as_of).to_numpy()
    if year is not None:
        keep &= np.array([d.year == year for d in dates], dtype=bool)
    methods = runs["method"].to_numpy()[keep]
    return {
        "total": int(keep.sum()),
        "by_method": {m: int(np.sum(methods == m)) for m in METHODS},
    }


def observed_counts(
    runs: pd.DataFrame,
    years: Sequence[int] = YEARS,
    thresholds: Sequence[float] = THRESHOLDS,
) -> dict:
    """Per threshold and calendar year, :func:`count_runs` of ``runs``:
    ``{"1e25": {"2024": {"total": 11, "by_method": {...}}, ...}, ...}``."""
    return {_key(x): {str(y): count_runs(runs, x, year=int(y)) for y in years} for x in thresholds}


def published_observed(counted: pd.DataFrame, every: pd.DataFrame) -> dict:
    """Each published count beside the data's on the same threshold, date and period.

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
        ``source`` (``who``, ``title``, ``url``); ``comparisons``: per published count,
        ``threshold``, ``period``, ``as_of`` or ``year``, ``published``, ``qualifier``,
        ``quote``, ``url``, ``source_date``, ``data`` (the count model's runs),
        ``data_by_method``, ``data_all_stages`` and ``difference`` (published minus
        ``data_all_stages``, the wider of the data's two counts); ``years`` and
        ``years_all_stages``: :func:`observed_counts` of ``counted`` and ``every``
        for :data:`YEARS` at :data:`THRESHOLDS`.
    """
    rows = []
    for pub in PUBLISHED:
        x = float(pub.threshold[2:])
        when = {"as_of": pub.as_of, "year": pub.year}
        mine = count_runs(counted, x, **when)
        wide = count_runs(every, x, **when)
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
                "data_all_stages": wide["total"],
                "difference": pub.count - wide["total"],
            }
        )
    return {
        "source": {"who": WHO, "title": PUBLISHED[0].title, "url": PUBLISHED[0].url},
        "comparisons": rows,
        "years": observed_counts(counted),
        "years_all_stages": observed_counts(every),
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
    the count model counts, and every run of the data in the same window."""
    import dataclasses

    from forecast.analysis.counts import counted_runs

    data = result.scenario.data
    return published_observed(
        counted_runs(data), counted_runs(dataclasses.replace(data, stages=STAGES))
    )
