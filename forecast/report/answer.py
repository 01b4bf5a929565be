"""The briefing's answer: the first paragraphs, in words, from summary.json and the results,
with what the doubling time's interval leaves out."""

from __future__ import annotations

import dataclasses

import numpy as np

from forecast.report import style as F
from forecast.report.document import Block, Figure, Para, Strong, Table
from forecast.results import Results
from forecast.results.summary import ALLOWED_VAR

MOORE_MONTHS = (18.0, 24.0)


#: What the run is compared with under each kind of limit (and spending basis), in words.
COMPARED_WITH: dict[tuple[str, str | None], str] = {
    ("spend", "capex"): "capital cost of the cluster",
    ("spend", "amortized"): "amortised cost",
    ("power", None): "power drawn",
    ("chips", None): "accelerators needed",
    ("data", None): "compute against the data",
    ("compute", None): "compute",
    ("cluster", None): "share of the largest cluster needed",
}
#: The same for a demand a kind may take instead (a compute limit per unit of time).
COMPARED_WITH_DEMAND: dict[str, str] = {"flops_max": "compute per unit of training time"}


def _hit_clause(c: dict, horizon: int) -> str:
    iv = c["hit_year"]
    p = F.percent(c["prob_hit_by_horizon"])
    if iv["median"] is None:
        return f"{c['name']}: not by {horizon} in most draws (probability by {horizon}: {p})"
    return (
        f"{c['name']} in {F.year(iv['median'])} ({F.year(iv['p10'])}–"
        f"{F.year(iv['p90'], horizon)}; probability by {horizon}: {p})"
    )


def _record_sentence(summary: dict, results: Results) -> str:
    """What "the largest run" means here: the record, beside the typical frontier run."""
    years = sorted(summary["largest_run"])
    if not years:
        return ""
    year = years[0]
    largest = summary["largest_run"][year]["flop"]
    typical = summary["typical_run"][year]["flop"]
    if "log10_flop_typical" not in results.projection:
        return (
            "Here the largest run is the scenario's own trend (its level is given, not "
            "fitted to the runs). "
        )
    runs = results.runs
    holder = ""
    attrs = results.projection.attrs
    if "record_holder_log10_flop" in attrs:
        name, flop = attrs["record_holder"], 10.0 ** float(attrs["record_holder_log10_flop"])
        pre = attrs.get("pretrain_record_holder", name)
        pre_flop = 10.0 ** float(attrs.get("pretrain_record_log10_flop", np.log10(flop)))
        if pre != name:
            holder = (
                f" (never less than {name}'s {F.flop(flop)}, the largest model already "
                "published by total training compute, post-training included, as rules "
                f"count it; the largest pretraining run published, which the trend is "
                f"fitted to, is {pre}'s {F.flop(pre_flop)})"
            )
        else:
            holder = f" (never less than {name}'s {F.flop(flop)}, the largest already published)"
    elif runs is not None and "compute_flop" in runs and runs.sizes.get("run", 0):
        used = runs["used"].to_numpy() if "used" in runs else np.ones(runs.sizes["run"], bool)
        flop = np.where(used, runs["compute_flop"].to_numpy(), -np.inf)
        i = int(np.argmax(flop))
        holder = (
            f" (never less than {runs['name'].values[i]}'s {F.flop(float(flop[i]))}, the "
            "largest already published)"
        )
    return (
        "The largest run is the running record, the largest run published by the end of "
        f"each year: {F.flop(largest['median'])} by the end of {year}{holder}. The typical "
        f"frontier run (the fitted trend of the {results.scenario.data.selection().describe()}) "
        f"is {F.flop(typical['median'])} by then; single runs scatter around it. "
        + _unpublished_sentence(summary)
    )


def _unpublished_sentence(summary: dict) -> str:
    """The thresholds the trend has probably passed though no published run has (from
    summary.json's ``thresholds``; "" when none)."""
    passed = [
        (key, th["p_crossed_by_start"])
        for key, th in summary.get("thresholds", {}).items()
        if not th.get("observed") and (th.get("p_crossed_by_start") or 0.0) >= 0.5
    ]
    if not passed:
        return ""
    key, p = passed[-1]  # the highest such threshold
    return (
        f"The trend says a run of {F.flop(float(key))} has probably been trained already "
        f"({F.percent(p)} of draws), though none is published. "
    )


#: How many runners-up the opening sentence names after the most likely first limit: with
#: many kinds of limit the rest are in the figure, and the sentence stays short.
RUNNERS_UP = 2


def first_limit_odds(summary: dict) -> list[tuple[str | None, float]]:
    """(limit, probability it binds first), most likely first; None is "no limit by the
    horizon". Only outcomes with a non-zero probability; ties keep the summary's order.

    Read from ``summary.json`` (``prob_binds_first`` of each constraint and
    ``limit.prob_binds_first_none``), so the briefing, the figure and ``forecast compare``
    give the same numbers.
    """
    odds: list[tuple[str | None, float]] = [
        (c["name"], c.get("prob_binds_first") or 0.0) for c in summary["constraints"]
    ]
    odds.append((None, summary["limit"].get("prob_binds_first_none") or 0.0))
    return sorted((o for o in odds if o[1] > 0), key=lambda o: -o[1])


def _first_limit_sentence(summary: dict, horizon: int, name: str) -> str:
    """The briefing's opening: the limit most likely to bind first, its probability and
    when, then the next most likely (ending with a space)."""
    limit = summary["limit"]
    odds = first_limit_odds(summary)
    if all(n is None for n, _ in odds):
        return (
            f"Under the {name} assumptions the largest training run meets none of the limits "
            f"by {horizon} in any draw. "
        )

    def label(limit_name: str | None) -> str:
        return limit_name if limit_name is not None else f"none by {horizon}"

    if odds[0][0] is None:
        # Most draws meet nothing; the reader still needs the limit that comes first when
        # one does, so name it, with its (smaller) probability.
        limit_name, p = next(o for o in odds if o[0] is not None)
        return (
            f"Under the {name} assumptions the largest training run most likely meets none "
            f"of the limits by {horizon} (in {F.percent(odds[0][1])} of draws); when it "
            f"does, the first is most likely {limit_name} (in {F.percent(p)} of draws). "
        )
    rest = "; ".join(f"{label(n)} ({F.percent(p)})" for n, p in odds[1 : 1 + RUNNERS_UP])
    # The date is that of the first limit of any kind, not of the likeliest one's own
    # (its hit year is in the table): said so, so that the two are not read as one.
    return (
        f"Under the {name} assumptions the first limit the largest training run meets is "
        f"most likely {odds[0][0]} (in {F.percent(odds[0][1])} of draws)"
        + (f"; next most likely: {rest}" if rest else "")
        + f"; whichever it is, it is met in {F.year_interval(limit['hit_year'], horizon)}. "
    )


#: Two first limits whose probabilities differ by less than this are a close race.
CLOSE_RACE = 0.15


def _race_sentence(summary: dict, results: Results) -> str:
    """How close the race of limits is: the gap between the two most likely first limits
    and, when the analysis was run, how the leader changes with the top inputs of the Sobol
    ranking in the lower or upper third of their draws (ending with a space; "" when one
    limit leads by more than half the draws and no analysis was run)."""
    odds = [(n, p) for n, p in first_limit_odds(summary) if n is not None]
    sens = getattr(results, "sensitivity", None)
    race = None if sens is None else sens.race
    if len(odds) < 2:
        return ""
    (_, pa), (_, pb) = odds[0], odds[1]
    close = pa - pb < CLOSE_RACE
    if race is None or not race.sizes.get("input", 0):
        if not close:
            return ""
        return (
            f"The race between the first two is close ({F.percent(pa)} against "
            f"{F.percent(pb)}); the sensitivity analysis shows which inputs decide it. "
        )
    names = [str(c) for c in race["constraint"].to_numpy()]
    clauses = []
    for i, key in enumerate(race["input"].to_numpy()):
        share = race["share"].to_numpy()[i]
        lead = [int(np.argmax(share[j])) for j in range(share.shape[0])]
        odds = [F.percent(float(share[j, k])) for j, k in enumerate(lead)]
        label = f"“{F.param_label(str(key))}”"
        if len(set(lead)) == 1:
            clauses.append(
                f"{names[lead[0]]} leads whether {label} is in the lower or the upper third "
                f"of its draws ({odds[0]}, {odds[-1]})"
            )
        else:
            clauses.append(
                f"with {label} in the lower third of its draws {names[lead[0]]} leads "
                f"({odds[0]}), in the upper third {names[lead[-1]]} ({odds[-1]})"
            )
    return (
        ("The race is close: which" if close else "Which")
        + " limit leads depends on the inputs that move the first limit's date most (Sobol "
        "ranking): " + "; ".join(clauses) + ". "
    )


def answer(
    summary: dict,
    results: Results,
    with_sweep: bool = True,
    figs: dict[str, Figure] | None = None,
) -> list[Block]:
    """The headline paragraph and table, then the figure of which limit binds first.

    Parameters
    ----------
    summary : dict
        :func:`forecast.results.summary.build_summary` of ``results``.
    results : Results
    with_sweep : bool
        The doubling-time sweep is shown (the caveat points to it).
    figs : dict of str to Figure, optional
        The main section's figures; ``binding_first``, when present, follows the table.

    Returns
    -------
    list of Block
    """
    sc = results.scenario
    horizon = sc.horizon
    trend = summary["trend"]
    limit = summary["limit"]
    cons = summary["constraints"]
    first = limit["binding_constraint"]
    # The answer opens with which limit binds first: the question a reader brings.
    parts = [
        _first_limit_sentence(summary, horizon, sc.name),
        _race_sentence(summary, results),
        ("Until then it" if first is not None else "It")
        + f" grows {trend['growth_per_year']['median']:.1f}x a year: its compute doubles "
        f"every {F.interval_text(trend['doubling_time_months'])} months. ",
    ]
    parts.append(_record_sentence(summary, results))
    parts.append(supply_sentence(summary))
    if len(cons) <= 3:
        parts.append(
            "Ceiling by ceiling: " + "; ".join(_hit_clause(c, horizon) for c in cons) + ". "
        )
    else:  # the table right below gives each one; a sentence of seven would bury it
        parts.append("The table gives the year the run meets each limit. ")
    post = limit["post_limit_doubling_time_months"]
    if first is not None and post["median"] is not None:
        parts.append(
            "Once the first ceiling binds, the largest run can grow only as fast as that "
            f"ceiling allows: its compute then doubles every {F.interval_text(post)} months "
            f"instead of {trend['doubling_time_months']['median']:.1f}."
        )
    rows = []
    for c in cons:
        iv = c["hit_year"]
        rows.append(
            (
                c["name"],
                COMPARED_WITH_DEMAND.get(c.get("demand", ""))
                or COMPARED_WITH.get((c["kind"], c.get("basis")), c["kind"]),
                F.year(iv["median"], horizon),
                f"{F.year(iv['p10'], horizon)}–{F.year(iv['p90'], horizon)}",
                F.percent(c["prob_hit_by_horizon"]),
            )
        )
    table = Table(
        ("ceiling", "compared with", "median hit year", "80% interval", f"P(hit by {horizon})"),
        tuple(rows),
        ("l", "l", "r", "r", "r"),
    )
    caveat = Para.of(
        Strong("Read with care."),
        " The intervals carry the uncertainty of the fitted trends and of every input the "
        "scenario gives as a distribution. "
        + (
            "They also carry the chance that a new era begins: each year the current one "
            "may end (a constant hazard), and the compute then doubles at a rate drawn for "
            "the new era. They do not carry a funding shock or anything else that stops "
            "growth outright."
            if sc.trend.forward == "hazard"
            else "They do not carry the chance that the trend itself breaks (a new era, a "
            "funding shock): the projection assumes the current era continues until a "
            "ceiling stops it. " + _variant_verdict(results, "hazard", NEW_ERA_LABEL)
        )
        + _slope_caveat(results)
        + (
            " The sensitivity section shows how far the dates move if the slope differs."
            if with_sweep
            else ""
        ),
    )
    blocks: list[Block] = [Para.of(Strong("The answer."), " ", *parts), table]
    figure = (figs or {}).get("binding_first")
    if figure is not None:
        allowed = ALLOWED_VAR in results.projection
        caption = binding_first_caption(summary, allowed)
        blocks.append(dataclasses.replace(figure, caption=caption))
    return [*blocks, caveat]


def supply_sentence(summary: dict) -> str:
    """Whether the supply side (the ``cluster`` ceiling) changes which limit binds first,
    in one sentence ("" without it)."""
    limit = (summary.get("supply") or {}).get("cluster_limit")
    if not limit:
        return ""
    share = F.percent(limit["prob_binds_first"])
    without = limit.get("binds_first_without") or {}
    if summary["limit"]["binding_constraint"] == limit["name"] and without.get("name"):
        larger = [
            f"{F.factor(e['announced_over_fitted'])} in {year}"
            for year, e in summary["supply"].get("nowcast", {}).items()
            if (e.get("announced_over_fitted") or 0) > 1
        ]
        caveat = (
            " That ceiling follows the clusters' past growth; the largest clusters announced "
            "are larger than its trend (" + ", ".join(larger) + "), and if they are built on "
            "time it is met later (see 'What the clusters say')."
            if larger
            else ""
        )
        at_start = limit.get("prob_met_at_start") or 0.0
        now = (
            f" In {F.percent(at_start)} of draws the trend's run already needs more than "
            "that ceiling allows at the projection's start: read the date as 'now'."
            if at_start >= 0.005
            else ""
        )
        return (
            f"The supply side changes the answer: the largest cluster ('{limit['name']}') "
            f"binds first in {share} of draws; without it, '{without['name']}' would "
            f"({F.percent(without['share'])}).{now}{caveat} "
        )
    return (
        f"The supply side does not change which limit binds first: the largest cluster "
        f"('{limit['name']}') binds first in {share} of draws. "
    )


#: The hazard variant in the reader's words.
NEW_ERA_LABEL = 'A variant in which a new era may begin each year ([trend] forward = "hazard")'


def _rolling_summary(results: Results) -> dict | None:
    """backtest.json's ``rolling`` block of the report's rolling backtest, if it was run."""
    return results.rolling_summary if getattr(results, "rolling", None) is not None else None


def _variant_verdict(results: Results, variant: str, label: str) -> str:
    """How a variant of the forward rule scored against the model in the rolling backtest,
    in one sentence ("" when the backtest was not run or did not score it)."""
    rolling = _rolling_summary(results)
    if rolling is None or variant not in rolling.get("variants", {}):
        return ""
    b = rolling["variants"][variant]
    horizons = [h for h in rolling["crps"] if rolling["crps"][h] is not None and b["crps"][h]]
    if not horizons:
        return ""
    # Better by more than the CRPS is quoted to (0.01 OOM, half of it either way).
    better = [h for h in horizons if b["crps"][h] < rolling["crps"][h] - 0.005]
    # The horizon the sentence quotes: the last, or the first where the variant won.
    h = better[0] if better else horizons[-1]
    scores = f"CRPS {b['crps'][h]:.2f} against {rolling['crps'][h]:.2f} at {h} years"
    verdict = (
        f"forecast better only {' and '.join(better)} year{'' if better == ['1'] else 's'} "
        f"ahead (of {horizons[0]} to {horizons[-1]}) in the rolling backtest ({scores})"
        if better
        else f"forecast no better in the rolling backtest, {horizons[0]} to {horizons[-1]} "
        f"years ahead ({scores})"
    )
    return f"{label} {verdict}; beyond that no backtest can tell them apart."


def _slope_caveat(results: Results) -> str:
    """What the doubling time's interval does not include, computed: the choice of the
    fitting window, and what a drifting slope gave and how it scored held out."""
    fit = results.fit
    parts = []
    if "window_doubling" in fit and fit.sizes.get("window_start", 0):
        med = fit["window_doubling"].sel(window_stat="median").to_numpy()
        starts = fit["window_start"].to_numpy()
        parts.append(
            f" The doubling time's interval is that of the fitted trend; it does not include "
            f"the choice of window: straight lines fitted from each start year "
            f"{starts[0]:.0f}–{starts[-1]:.0f} give {med.min():.1f}–{med.max():.1f} months."
        )
    rolling = _rolling_summary(results)
    if rolling is not None and "loo" in rolling and "drift" in rolling.get("variants", {}):
        loo, b = rolling["loo"], rolling["variants"]["drift"]
        horizons = [h for h in rolling["crps"] if b["crps"][h] is not None]
        long = horizons[-3:]
        worse = not any(b["crps"][h] < rolling["crps"][h] - 0.005 for h in horizons)
        parts.append(
            ' A slope that drifts from year to year ([trend] model = "drift", its drift '
            f"fitted) gives {loo['drift_doubling_median']:.1f} "
            f"({loo['drift_doubling_p10']:.1f}–{loo['drift_doubling_p90']:.1f}) months; held "
            f"out it {'forecast no better' if worse else 'forecast better at some horizons'} "
            f"(PSIS-LOO {loo['elpd_diff']:+.1f}, standard error {loo['dse']:.1f}; in the "
            "rolling backtest its 80% intervals of the record held "
            + ", ".join(F.percent(b["coverage"][h]["80"]) for h in long)
            + f" at {long[0]}–{long[-1]} years, CRPS "
            + ", ".join(f"{b['crps'][h]:.2f}" for h in long)
            + " against "
            + ", ".join(f"{rolling['crps'][h]:.2f}" for h in long)
            + ("), so the headline keeps one slope." if worse else "); see the backtest section.")
        )
    return "".join(parts)


def binding_first_caption(summary: dict, allowed: bool = False) -> str:
    """Caption and alt text of the ``binding_first`` figure, with its headline number.

    Given here rather than in the fixed captions of :mod:`forecast.report.write` so that
    it can say what the figure shows for this scenario (from ``summary.json``);
    ``allowed``: the projection gives the compute each limit allows, and the figure draws it.
    """
    horizon = summary["horizon"]
    odds = first_limit_odds(summary)
    top = next(((n, p) for n, p in odds if n is not None), None)
    lead = (
        f"{top[0]} binds first in {F.percent(top[1])} of draws. "
        if top is not None
        else f"No limit binds by {horizon} in any draw. "
    )
    none = (summary["limit"].get("prob_binds_first_none") or 0) > 0
    return (
        "Which limit binds first. Left: the share of draws in which each limit is the first "
        "the largest run meets"
        + (f" (and in which none is met by {horizon})" if none else "")
        + f"; {lead}Right: the "
        "largest run's compute on the trend, unconstrained, and held to the limits (median and "
        "80% band)"
        + (", with the compute each limit allows (median)" if allowed else "")
        + "; log scale."
    )
