"""The briefing's evidence: the trend and its caveats, the held path, cost and power, and the
sensitivity of the hit years."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from forecast.report import style as F
from forecast.report.answer import MOORE_MONTHS
from forecast.report.document import Block, Figure, Heading, Para, Strong, Table
from forecast.report.growth_accounting import PUBLISHED_GROWTH, growth_blocks
from forecast.report.growth_accounting import caption as growth_caption
from forecast.results import Results
from forecast.results import draws as D


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
