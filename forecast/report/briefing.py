"""The policy briefing: the answer first, then the evidence, assumptions and diagnostics."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from forecast.data.units import flop_to_pfs_days
from forecast.report import style as F
from forecast.report.document import Block, Bullets, Figure, Heading, Link, Para, Strong, Table
from forecast.report.growth_accounting import PUBLISHED_GROWTH, growth_blocks
from forecast.report.growth_accounting import caption as growth_caption
from forecast.report.lesson import caption as lesson_caption
from forecast.report.lesson import lesson_blocks
from forecast.results import Results
from forecast.results import draws as D
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


def trend_section(summary: dict, results: Results, figs: dict[str, Figure]) -> list[Block]:
    """The fitted trend and its eras against Moore's law."""
    blocks: list[Block] = [Heading(1, "The trend: how fast the largest runs grow")]
    sel = summary["data"]
    trend = summary["trend"]
    moore = "–".join(f"{m:.0f}" for m in MOORE_MONTHS)
    text = [
        f"The trend is fitted to {sel['runs_used']} runs: {sel['selection']}. "
        f"The latest run used was published on {sel['latest_run_date']}. "
    ]
    if results.trend_fitted:
        attrs = results.fit.attrs
        era_txt = []
        for i, era in enumerate(trend["eras"]):
            start = era["start_year"]
            era_txt.append(
                f"era {i + 1} (from {start:.1f}): doubling every "
                f"{F.interval_text(era['doubling_time_months'])} months"
            )
        if attrs.get("trend_model") == "drift":
            text.append(
                "A Bayesian model of log compute whose slope drifts from year to year (a "
                "local linear trend, the size of the drift fitted) gives a current doubling "
                f"time of {F.interval_text(trend['doubling_time_months'])} months. "
            )
        else:
            text.append(
                f"A Bayesian piecewise-linear model of log compute with {attrs['eras']} era(s) "
                + ("(chosen by leave-one-out cross-validation) " if attrs["chosen_by_loo"] else "")
                + "gives: "
                + "; ".join(era_txt)
                + ". "
            )
    else:
        text.append(
            "The scenario fixes the trend (no fit): doubling every "
            f"{F.interval_text(trend['doubling_time_months'])} months. "
        )
    d = trend["doubling_time_months"]["median"]
    factor = 2 ** (24 / d) if d else float("nan")
    text.append(
        f"For comparison, Moore's law (doubling every {moore} months) gives 1.4–1.6x a year; "
        f"the current trend gives {trend['growth_per_year']['median']:.1f}x a year, "
        f"or {factor:,.0f}x in two years."
    )
    blocks.append(Para.of(*text))
    for stem in ("trend_log", "trend_linear"):
        if stem in figs:
            blocks.append(figs[stem])
    return blocks


def growth_text(summary: dict, conversion: str = "datasheet") -> list:
    """The model's yearly growth of the largest run's compute, cost and power, with the
    published rates of frontier runs beside it (a check the reader can make)."""
    g = summary["growth"]

    def factor(key: str) -> str:
        return F.interval_text(g[key], lambda x: f"{x:.1f}x")

    parts = [
        Strong("Growth."),
        " Unconstrained, over the first five projected years the largest run's compute "
        f"grows {factor('compute_per_year')} a year, its capital cost "
        f"{factor('capex_per_year')}, its amortised cost {factor('amortized_per_year')} "
        f"and its power {factor('power_per_year')}.",
    ]
    checks = []
    for key, pub in PUBLISHED_GROWTH.items():
        what = "amortised cost" if key.startswith("amortized") else "power"
        checks.append(f"{what} {pub.rate:.1f}x a year ({pub.source()})")
    how = (
        "is fitted to what frontier runs actually cost and drew (the realised conversion)"
        if conversion == "realised"
        else "uses datasheet throughput per dollar and per watt"
    )
    parts.append(
        " Frontier runs with published figures grew: " + "; ".join(checks) + ". The model's "
        f"conversion of compute into dollars and watts {how}; where its rates differ from "
        "these, the dates it gives inherit the difference."
    )
    return parts


def held_path_table(summary: dict, results: Results) -> list[Block]:
    """Compute, cost and power of the run along the path it takes, held to the ceilings;
    the unconstrained trend beside it only up to the year the first ceiling binds."""
    ds = results.projection
    horizon = results.scenario.horizon
    years = [int(y) for y in ds["year"].to_numpy() if y >= math.floor(results.start_year)]
    step = max(1, math.ceil(len(years) / 8))
    shown = years[::step]
    if years and years[-1] not in shown:
        shown.append(years[-1])
    at = ds.sel(year=shown)

    def median(var: str) -> list[float]:
        return [float(v) for v in D.nanmedian(at[var].to_numpy(), axis=0)]

    first = summary["limit"]["hit_year"]["median"]
    held_flop = [10**v for v in median("log10_flop_constrained")]
    trend_flop = [10**v for v in median("log10_flop")]
    # Each column in one style (a column never mixes "$100T" with "$10²⁰").
    capex = F.usd_labels(median("capex_usd_held"))
    amortized = F.usd_labels(median("amortized_usd_held"))
    power = F.watts_labels(median("power_watts_held"))
    rows = []
    for i, y in enumerate(shown):
        # Past the first ceiling the unconstrained trend is a run nobody can pay for.
        meaningful = first is None or y <= first
        rows.append(
            (
                str(y),
                F.flop(held_flop[i]),
                capex[i],
                amortized[i],
                power[i],
                F.flop(trend_flop[i]) if meaningful else "—",
            )
        )
    until = f"until {F.year(first, horizon)}" if first is not None else f"to {horizon}"
    return [
        Para.of(
            "The largest run along the path it takes, held to the ceilings (medians over draws; "
            "summary.json has the unconstrained trend with its intervals). The last column is "
            f"the unconstrained trend, shown {until}, the median year the first ceiling binds: "
            "beyond it no one could pay for it or power it."
        ),
        Table(
            (
                "year",
                "compute",
                "capital cost",
                "amortised cost",
                "power",
                "unconstrained compute",
            ),
            tuple(rows),
            ("l", "r", "r", "r", "r", "r"),
        ),
    ]


def known_runs_table(results: Results) -> list[Block]:
    """Known runs: the model's capital cost, amortised cost and power for each (its own
    compute, at its date) beside Epoch AI's published estimates."""
    known = results.known_runs
    if known is None or not known.sizes.get("run"):
        return []
    fmt = {"capex_usd": F.usd, "amortized_usd": F.usd, "power_watts": F.watts}

    def cell(run: str, quantity: str) -> str:
        r = known.sel(run=run, quantity=quantity)
        model = fmt[quantity](float(r["modelled_median"]))
        published = float(r["published"])
        return model + (f" vs {fmt[quantity](published)}" if np.isfinite(published) else "")

    rows = tuple(
        (
            f"{run} ({str(known['date'].sel(run=run).item())[:4]})",
            F.flop(float(known["compute_flop"].sel(run=run))),
            cell(run, "capex_usd"),
            cell(run, "amortized_usd"),
            cell(run, "power_watts"),
        )
        for run in (str(r) for r in known["run"].to_numpy())
    )
    return [
        Para.of(
            Strong("Checked against known runs."),
            f" The model's figures ({results.scenario.hardware.conversion} conversion) for runs "
            "whose cost and power are published, each at its own compute and date, against "
            "Epoch AI's estimates (model vs published):",
        ),
        Table(
            ("run", "compute", "capital cost", "amortised cost", "power"),
            rows,
            ("l", "r", "r", "r", "r"),
        ),
    ]


def cost_section(summary: dict, results: Results, figs: dict[str, Figure]) -> list[Block]:
    """Cost and power of the largest run against the ceilings."""
    sc = results.scenario
    blocks: list[Block] = [Heading(1, "Cost and power of the largest run")]
    blocks += held_path_table(summary, results)
    blocks += known_runs_table(results)
    growth = Para.of(*growth_text(summary, sc.hardware.conversion))
    if results.growth is None:
        blocks.append(growth)
    for stem in ("cost", "power"):
        if stem in figs:
            blocks.append(figs[stem])
    if results.growth is not None:
        # The model's growth, the published rates, then each factor of that growth.
        figure = figs.get("growth_accounting")
        if figure is not None:
            figure = dataclasses.replace(figure, caption=growth_caption(results.growth))
        blocks.append(Heading(2, "Growth accounting"))
        blocks.append(growth)
        blocks += growth_blocks(results.growth, figure)
    blocks.append(Heading(2, "When the ceilings bind"))
    blocks.append(
        Para.of(
            "Each draw pairs one posterior draw of the compute and hardware trends with one draw "
            "of every uncertain input; the hit year is where the run's demand first reaches the "
            f"ceiling. Draws that do not reach a ceiling by {sc.horizon} are counted in the "
            "probability, not plotted."
        )
    )
    if "hit_years" in figs:
        blocks.append(figs["hit_years"])
    return blocks


def sensitivity_section(results: Results, figs: dict[str, Figure]) -> list[Block]:
    """The doubling-time sweep."""
    sweep = results.sweep
    if sweep is None:
        return []
    blocks: list[Block] = [Heading(1, "How much the answer depends on the doubling time")]
    values = np.asarray(sweep["value"].to_numpy(), dtype=float)
    names = [str(n) for n in sweep["constraint"].to_numpy()]
    blocks.append(
        Para.of(
            "The current-era doubling time is set to each value in turn while every other input "
            "keeps its distribution. Each row gives the median hit year of each ceiling."
        )
    )
    rows = []
    for i, v in enumerate(values):
        cells = []
        for n in names:
            med = float(sweep["median"].sel(constraint=n).to_numpy()[i])
            cells.append(F.year(med if np.isfinite(med) else None, results.scenario.horizon))
        rows.append((f"{v:.1f}", *cells))
    step = max(1, len(rows) // 10)
    blocks.append(
        Table(("doubling (months)", *names), tuple(rows[::step]), ("r",) * (len(names) + 1))
    )
    if "sensitivity" in figs:
        blocks.append(figs["sensitivity"])
    return blocks


def _share(param) -> str:
    """A fraction as a percentage when fixed, else the distribution's description."""
    if param.is_fixed:
        return f"{100 * param.median():g}%"
    return param.describe()


def _share_days(param) -> str:
    """A duration in days when fixed, else the distribution's description."""
    return f"{param.median():g} days" if param.is_fixed else param.describe()


def assumptions_section(results: Results) -> list[Block]:
    """Every assumption with its value or distribution and its source."""
    sc = results.scenario
    blocks: list[Block] = [Heading(1, "Assumptions")]
    rows = []
    fitted = []
    if sc.trend.needs_fit:
        fitted.append(("trend (level and/or doubling time)", "fitted to the selected runs"))
    if sc.hardware.price_performance_needs_fit or sc.hardware.efficiency_needs_fit:
        fitted.append(
            (
                f"hardware price-performance and efficiency ({sc.hardware.precision})",
                "fitted to data/hardware.csv where not given",
            )
        )
    unused = sc.unused_keys()
    for key, param in sc.parameters().items():
        if key in unused:  # an input the chosen conversion does not read is not an assumption
            continue
        source = sc.sources.get(key)
        if source is None:
            source = "default of the tool" if key not in sc.set_keys else "set in the scenario file"
        rows.append((F.param_label(key), param.describe(), source))
    for key, how in fitted:
        rows.append((key, how, "Bayesian fit (see Diagnostics)"))
    blocks.append(Table(("parameter", "value or distribution", "source"), tuple(rows)))
    blocks.append(Heading(2, "Definitions"))
    cost_bases = []
    realised = sc.hardware.conversion == "realised"
    for c in sc.constraints:
        if c.kind == "spend" and c.basis == "capex":
            what = (
                "the capital cost of the cluster the run uses (chips, servers and networking, "
                "at what frontier runs paid per FLOP/s)"
                if realised
                else "the capital cost of buying every chip the run uses (times overhead for "
                "servers, networking and buildings)"
            )
        elif c.kind == "spend":
            what = "the amortised cost: chips depreciated over the run's duration plus energy"
        elif c.kind == "power":
            what = (
                "the power the run draws all-in (chips, servers, networking and cooling, at "
                "what frontier runs drew per FLOP/s)"
                if realised
                else "the power the run draws (chips at their efficiency, times PUE)"
            )
            if c.sites is not None or c.split_efficiency is not None:
                what += (
                    f", against the limit times the sites one run may span "
                    f"({c.factor('sites').describe()}) and the share of its compute per watt "
                    f"it keeps when split ({c.factor('split_efficiency').describe()})"
                )
        elif c.kind == "chips":
            what = (
                "the accelerators the run needs, its compute divided by its duration and by "
                "the FLOP/s one H100-equivalent delivers in training "
                f"({c.factor('flops_per_h100e').describe()}), in H100-equivalents"
            )
        elif c.kind == "data":
            what = (
                "the largest compute-optimal run the data allow, 6 T² / k FLOP (C = 6 N T "
                "with T = k N: Chinchilla's rule), where T is the token stock times the "
                f"epochs ({c.factor('epochs').describe()}), the multiplier for other "
                f"modalities ({c.factor('modality_multiplier').describe()}) and for synthetic "
                f"data ({c.factor('synthetic_multiplier').describe()}), and k the tokens per "
                f"parameter ({c.factor('tokens_per_parameter').describe()}); the ceiling "
                "grows with the square of the stock"
            )
        elif c.limit_days is not None:
            what = (
                "the run's compute per unit of training time: a limit of the given FLOP "
                f"for a run of {c.factor('limit_days').describe()} days, so a run that lasts "
                "longer may do proportionally more, and a run held back by it trains as long "
                "as a run may last (the latency wall: a minimum time per training step caps "
                "the steps a run of a given duration can take)"
            )
        else:
            what = "the run's compute itself (a ceiling in FLOP, such as the latency wall)"
        cost_bases.append(
            (
                Strong(c.name),
                f": compared with {what}; the limit grows {_share(c.growth_per_year)} a year from "
                f"{c.reference_year:g}, and one run may take {_share(c.share)} of it.",
            )
        )
    if "log10_flop_typical" in results.projection:
        rate = results.projection.attrs.get("runs_per_year")
        arrivals = f" ({rate:.1f} a year, the rate of the last five years)" if rate else ""
        largest_items = (
            (
                Strong("Largest run"),
                ": the running record, the largest run published by the end of each year. "
                "It is modelled from the fitted trend: frontier runs arrive at the rate seen "
                f"in the data{arrivals}, each scattered about the trend with the fitted "
                "scatter, and the record is the largest so far; it never falls below the "
                "largest run already published. The ceilings are met by the record.",
            ),
            (
                Strong("Typical frontier run"),
                ": the fitted trend (median of log compute) of "
                f"{sc.data.selection().describe()}; single runs scatter around it.",
            ),
        )
    else:
        largest_items = (
            (
                Strong("Largest run"),
                ": the trend the scenario gives (its level is not fitted to the runs); "
                "individual runs scatter around it.",
            ),
        )
    if sc.hardware.conversion == "realised":
        hardware_items = (
            (
                Strong("Hardware (realised conversion)"),
                ": trends fitted to what frontier runs since 2016 actually achieved, from "
                "Epoch AI's estimates of their hardware, power and cost: FLOP/s per dollar of "
                "the cluster's acquisition cost, FLOP/s per watt drawn all-in (chips, servers, "
                "networking, cooling), FLOP per dollar of amortised cost, and the training "
                f"duration, which grows with the run's size and the date (capped at "
                f"{_share_days(sc.hardware.max_training_days)}). "
                "Utilisation, the numerical format and overheads are inside these figures; "
                "energy efficiency still bends towards the physical limit.",
            ),
            *cost_bases,
            (
                Strong("Power"),
                ": all-in, as the runs drew it: capital cost and power are compute divided by "
                "the duration and the realised throughput per dollar or per watt.",
            ),
        )
    else:
        hardware_items = (
            (
                Strong("Hardware"),
                f": peak FLOP/s per dollar and per watt at precision '{sc.hardware.precision}' "
                "(ml = the best dense precision a chip offers for training), realised at the "
                "run's utilisation; energy efficiency bends towards the physical limit "
                "(1/E = 1/E_trend + 1/E_max).",
            ),
            *cost_bases,
            (
                Strong("Power"),
                ": accelerator power (peak FLOP/s per watt of chip TDP) times PUE. Host CPUs, "
                "memory and networking are not counted (an 8-GPU NVIDIA DGX H100 server is "
                "rated 10.2 kW against 5.6 kW of GPU TDP), so the power figures are lower "
                "bounds and a power ceiling binds, if anything, earlier than shown.",
            ),
        )
    year_is = results.projection.attrs.get("year_is")
    year_items = (
        (
            (
                Strong("Years"),
                ': a year in a table or figure ("2030") means the end of that year, 31 '
                "December: the largest run published by then, its cost and power then. A "
                "date (a hit year, the year a threshold is reached) is shown as the calendar "
                "year it falls in.",
            ),
        )
        if year_is == "end of year"
        else ()
    )
    blocks.append(
        Bullets(
            (
                *year_items,
                *largest_items,
                *hardware_items,
            )
        )
    )
    return blocks


def diagnostics_section(results: Results) -> list[Block]:
    """Convergence, posterior predictive check and model comparison (computed when fitting)."""
    blocks: list[Block] = [Heading(1, "Diagnostics")]
    fit = results.fit
    rows = []
    for label in fit["fit"].to_numpy():
        d = fit.sel(fit=label)
        if not bool(d["diag_fitted"]):
            rows.append((str(label), "not fitted (given in the scenario)", "", "", ""))
            continue
        problems = str(d["diag_problems"].item())
        rows.append(
            (
                str(label),
                f"{float(d['diag_r_hat_max']):.3f}",
                f"{float(d['diag_ess_bulk_min']):.0f}",
                str(int(d["diag_divergences"])),
                problems or "ok",
            )
        )
    blocks.append(
        Table(("fit", "max R-hat", "min bulk ESS", "divergences", "verdict"), tuple(rows))
    )
    blocks.append(
        Para.of(
            "Targets: R-hat at most 1.01, bulk effective sample size at least 400 for every "
            "reported quantity, no divergent transitions."
        )
    )
    if not results.trend_fitted:
        return blocks
    attrs = fit.attrs
    cover = zip(fit["level"].to_numpy(), fit["coverage"].to_numpy(), strict=True)
    blocks.append(Heading(2, "Posterior predictive check"))
    blocks.append(
        Para.of(
            "Share of the fitted runs inside the central posterior predictive intervals "
            "(a calibrated model puts about the nominal share inside): "
            + ", ".join(f"{round(k * 100)}% interval: {F.percent(v)}" for k, v in cover)
            + "."
        )
    )
    if attrs["chosen_by_loo"]:
        blocks.append(Heading(2, "Number of eras (leave-one-out comparison)"))
        rows = tuple(
            (
                str(name),
                f"{float(fit['cmp_elpd_loo'][i]):.1f}",
                f"{float(fit['cmp_se'][i]):.1f}",
                f"{float(fit['cmp_elpd_diff'][i]):.1f}",
                f"{float(fit['cmp_dse'][i]):.1f}",
                f"{float(fit['cmp_weight'][i]):.2f}",
                f"{float(fit['cmp_r_hat_max'][i]):.3f}",
                str(int(fit["cmp_divergences"][i])),
            )
            for i, name in enumerate(fit["candidate"].to_numpy())
        )
        blocks.append(
            Table(
                (
                    "model",
                    "elpd (LOO)",
                    "SE",
                    "difference",
                    "SE of difference",
                    "weight",
                    "max R-hat",
                    "divergences",
                ),
                rows,
            )
        )
        screening = "screening_chains" in attrs
        blocks.append(
            Para.of(
                f"Chosen: {attrs['eras']} era(s), the simplest model within two standard errors "
                "of the best, so that extra eras must earn their place. A candidate the data do "
                "not support often samples poorly (its extra breakpoint has nowhere to be); "
                "its convergence is shown so that its LOO value is read as approximate."
                + (
                    f" The candidates are compared on lighter fits ({attrs['screening_chains']} "
                    f"chains x {attrs['screening_draws']} draws after "
                    f"{attrs['screening_tune']} tuning steps); the chosen number of eras is "
                    "then fitted in full, and that fit alone is reported everywhere else and "
                    "checked for convergence."
                    if screening
                    else ""
                )
            )
        )
    blocks.append(Heading(2, "Priors"))
    priors = zip(fit["prior"].to_numpy(), fit["prior_text"].to_numpy(), strict=True)
    blocks.append(Table(("quantity", "prior"), tuple((str(a), str(b)) for a, b in priors)))
    return blocks


def appendix(results: Results) -> list[Block]:
    """The runs the trend used, with their sources."""
    blocks: list[Block] = [Heading(1, "Appendix: the data used")]
    rows = []
    for r in results.runs_used.itertuples():
        rows.append(
            (
                str(r.name),
                str(getattr(r, "organization", "")),
                str(r.date),
                f"{r.compute_flop:.3g}",
                f"{flop_to_pfs_days(r.compute_flop):.3g}",
                str(getattr(r, "method", "chart")),
                Link(str(r.source_title), str(r.source_url)),
            )
        )
    blocks.append(
        Table(
            ("run", "organisation", "published", "FLOP", "pfs-days", "method", "source"),
            tuple(rows),
            ("l", "l", "l", "r", "r", "l", "l"),
        )
    )
    return blocks


#: Compute thresholds a policy reader knows, with the rule that uses each and its source.
POLICY_THRESHOLDS: dict[str, str] = {
    "1e25": "EU AI Act (Regulation (EU) 2024/1689), Art. 51(2): a general-purpose AI model "
    "trained with more than 10^25 FLOP is presumed to have high-impact capabilities "
    "(systemic risk)",
    "1e26": "US Executive Order 14110 (30 Oct 2023), Sec. 4.2(b): reporting duties for "
    "models trained with more than 10^26 operations (revoked 20 Jan 2025); California SB 53 "
    "(Transparency in Frontier Artificial Intelligence Act, 2025): a frontier model is one "
    "trained with more than 10^26 operations",
}


def counts_section(summary: dict, results: Results, figs: dict[str, Figure]) -> list[Block]:
    """How many runs cross each threshold a year, with the backtest from 2022 when run."""
    ds = getattr(results, "threshold_counts", None)
    if ds is None or "threshold_counts" not in summary:
        return []
    from forecast.report.counts import caption, counts_blocks

    figure = figs.get("threshold_counts")
    if figure is not None:
        figure = dataclasses.replace(figure, caption=caption(ds))
    backtest = None
    if results.rolling is not None:
        backtest = results.rolling.attrs.get("counts_backtest")
    return counts_blocks(
        summary["threshold_counts"],
        backtest,
        summary.get("thresholds"),
        cumulative=results.counts_cumulative,
        figure=figure,
    )


def feasible_section(results: Results) -> list[Block]:
    """The largest feasible run in 2030 against Sevilla et al. (2024), when computed."""
    ds = getattr(results, "feasible_2030", None)
    if ds is None:
        return []
    from forecast.analysis.feasible import REFERENCE
    from forecast.report.feasible import feasible_blocks
    from forecast.scenario import load_scenario

    reference = None
    if ds.attrs.get("reference") and REFERENCE.is_file():
        reference = load_scenario(REFERENCE)
    return feasible_blocks(results, reference)


def _start_date(results: Results) -> str:
    """Where the projection starts, as a date when the scenario gives one."""
    until = results.scenario.data.until
    return until.isoformat() if until is not None else F.year(results.start_year)


def crossing_text(block: dict, horizon: int) -> str:
    """One path's crossing of a threshold in words, from summary.json's ``thresholds``:
    the chance it is crossed already, then the year over the other draws."""
    p = block.get("p_crossed_by_start") or 0.0
    never = block.get("prob_not_by_horizon") or 0.0
    if block.get("median") is None and p < 1:
        later = f"not by {horizon} in most of the other draws"
    elif block.get("median") is None:
        later = ""
    else:
        later = (
            f"{F.year(block['median'])} (80% interval {F.year(block['p10'])}–"
            f"{F.year(block['p90'], horizon)})"
        )
    if p >= 0.5:
        text = f"probably reached already ({F.percent(p)} of draws)"
        if later:
            text += f"; if not, {later}"
    elif p >= 0.005:
        text = f"{later}; reached already in {F.percent(p)} of draws"
    else:
        text = later
    if never >= 0.005 and block.get("median") is not None:
        text += f"; not by {horizon} in {F.percent(never)}"
    return text


def thresholds_section(summary: dict, results: Results) -> list[Block]:
    """When the largest run first reaches each compute threshold, with the rules that use
    them: on the trend and held to the ceilings, and how likely it is crossed already."""
    rows = []
    horizon = results.scenario.horizon
    unpublished = []
    for key, th in summary.get("thresholds", {}).items():
        if th.get("observed"):
            total = (
                " by total compute, post-training included"
                if th.get("stage") == "fine-tune"
                else ""
            )
            when = held = f"reached: {th['run']}, {th['date']} (in the data{total})"
        else:
            when = crossing_text(th, horizon)
            held = crossing_text(th["held"], horizon) if "held" in th else "n/a"
            if (th.get("p_crossed_by_start") or 0.0) >= 0.5:
                unpublished.append((key, th["p_crossed_by_start"]))
        rule = POLICY_THRESHOLDS.get(key, "no rule; for scale")
        rows.append((F.flop(float(key)), when, held, rule))
    if not rows:
        return []
    blocks: list[Block] = [
        Heading(2, "Policy thresholds"),
        Para.of(
            "When the largest run (the record) first reaches the compute thresholds that "
            "rules use, on the trend (unconstrained) and on the path held to the ceilings. "
            "A threshold a model in the data has already passed shows the first that did, "
            "by total training compute as rules count it (a fine-tune counts with its base's "
            "pretraining; the trend itself is fitted to pretraining runs). For the "
            f"others, the share of draws in which the trend is past it at the start of the "
            f"projection ({_start_date(results)}) comes first: several frontier models "
            "of 2025-26 have no published compute estimate, so a threshold the trend has "
            "passed may not yet show in the data. The years are over the other draws."
        ),
    ]
    for key, p in unpublished:
        blocks.append(
            Para.of(
                f"The trend says a run of {F.flop(float(key))} has probably been trained "
                f"already ({F.percent(p)} of draws), though none is published."
            )
        )
    blocks.append(
        Table(
            ("threshold", "on the trend", "held to the ceilings", "rule that uses it"),
            tuple(rows),
            ("r", "l", "l", "l"),
        )
    )
    return blocks


def build_briefing(
    summary: dict, results: Results, figs: dict[str, Figure], extra: list[Block] | None = None
) -> tuple[str, list[Block]]:
    """Title and blocks of the briefing, answer first."""
    sc = results.scenario
    title = f"When does the largest AI training run hit its limits? Scenario: {sc.name}"
    blocks: list[Block] = []
    blocks += answer(summary, results, with_sweep=results.sweep is not None, figs=figs)
    if sc.description:
        blocks.append(Para.of(Strong("Scenario."), " ", " ".join(sc.description.split())))
    blocks += trend_section(summary, results, figs)
    if results.lesson_2018 is not None:
        figure = figs.get("lesson_2018")
        if figure is not None:
            figure = dataclasses.replace(figure, caption=lesson_caption(results.lesson_2018))
        blocks += lesson_blocks(results.lesson_2018, figure, backtests=bool(results.backtests))
    blocks += thresholds_section(summary, results)
    blocks += counts_section(summary, results, figs)
    blocks += cost_section(summary, results, figs)
    blocks += feasible_section(results)
    blocks += sensitivity_section(results, figs)
    blocks += extra or []
    blocks += assumptions_section(results)
    blocks += diagnostics_section(results)
    blocks += appendix(results)
    blocks.append(
        Para.of(
            f"Generated by forecast {summary['version']} from scenario file sha256 "
            f"{summary['scenario_sha256'][:16]}…, seed {summary['seed']}, {summary['draws']} draws."
        )
    )
    return title, blocks
