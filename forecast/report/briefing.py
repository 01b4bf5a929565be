"""The policy briefing: the answer first, then the evidence, assumptions and diagnostics."""

from __future__ import annotations

import dataclasses

from forecast.report import style as F
from forecast.report.answer import answer
from forecast.report.assumptions import (
    POLICY_THRESHOLDS,
    appendix,
    assumptions_section,
    diagnostics_section,
)
from forecast.report.document import Block, Figure, Heading, Link, Para, Strong, Table
from forecast.report.evidence import cost_section, sensitivity_section, trend_section
from forecast.report.lesson import caption as lesson_caption
from forecast.report.lesson import lesson_blocks
from forecast.results import Results


def _section_data(summary: dict, results: Results, key: str):
    """The results' dataset of a section and its summary block, or None when either is
    absent (a report saved before the section existed)."""
    ds = getattr(results, key, None)
    return None if ds is None or key not in summary else ds


def _with_caption(figs: dict[str, Figure], stem: str, text) -> Figure | None:
    """The section's figure with its caption, if the report has it."""
    figure = figs.get(stem)
    return None if figure is None else dataclasses.replace(figure, caption=text())


def counts_section(summary: dict, results: Results, figs: dict[str, Figure]) -> list[Block]:
    """How many runs cross each threshold a year, with the backtest from 2022 when run."""
    ds = _section_data(summary, results, "threshold_counts")
    if ds is None:
        return []
    from forecast.report.counts import caption, counts_blocks

    figure = _with_caption(figs, "threshold_counts", lambda: caption(ds))
    backtest = None
    if results.rolling is not None:
        backtest = results.rolling.attrs.get("counts_backtest")
    return counts_blocks(
        summary["threshold_counts"],
        backtest,
        summary.get("thresholds"),
        cumulative=results.counts_cumulative,
        figure=figure,
        published=summary.get("threshold_counts_published"),
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


def supply_section(summary: dict, results: Results, figs: dict[str, Figure]) -> list[Block]:
    """What the clusters say, when the scenario has a fitted ``cluster`` ceiling."""
    ds = _section_data(summary, results, "supply")
    if ds is None:
        return []
    from forecast.report.supply import caption, supply_blocks

    figure = _with_caption(figs, "supply", lambda: caption(ds))
    return supply_blocks(
        summary["supply"], figure, summary.get("limit", {}).get("binding_constraint")
    )


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
    if results.explore is not None:
        blocks.append(
            Para.of(
                Strong("Explore it."),
                " Move the doubling time, each limit's level, share and growth, the training"
                " duration, the hardware rates and the horizon, and see the hit years, the"
                " limit that binds first, the largest run's path (compute, cost, power) and"
                " the threshold dates move, computed in the page with the engine's formulas: ",
                Link("explore.html", "explore.html"),
                " (one file beside this one; open it in any browser, offline).",
            )
        )
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
    blocks += supply_section(summary, results, figs)
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
