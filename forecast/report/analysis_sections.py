"""Briefing sections for the sensitivity analysis and the backtests."""

from __future__ import annotations

from collections.abc import Sequence

from forecast.report import style as F
from forecast.report.document import Block, Figure, Heading, Para, Table


def _num(x, fmt="{:.1f}") -> str:
    return "n/a" if x is None else fmt.format(x)


def sensitivity_blocks(
    tornado_rows: Sequence[dict],
    sobol: dict[str, dict[str, float]] | None,
    elasticities: Sequence[dict],
    figs: dict[str, Figure],
    horizon: int,
) -> list[Block]:
    """Tornado, Sobol indices and elasticities."""
    blocks: list[Block] = [Heading(2, "Which assumptions matter most")]
    if tornado_rows:
        top = tornado_rows[0]
        blocks.append(
            Para.of(
                "One at a time, each uncertain input is set to its 10th and 90th percentile with "
                "every other input at its median. The largest swing in the median year the first "
                f"ceiling binds comes from {F.param_label(top['param'])} "
                f"({abs(top['swing_years']):.1f} years). " + WHY_IT_MATTERS.get(top["param"], "")
            )
        )
        rows = tuple(
            (
                F.param_label(r["param"]),
                f"{r['low_value']:.3g} → {F.year(r['hit_year_low'], horizon)}",
                f"{r['high_value']:.3g} → {F.year(r['hit_year_high'], horizon)}",
                f"{r['swing_years']:+.2f}",
            )
            for r in tornado_rows[:12]
        )
        blocks.append(
            Table(
                ("input", "10th percentile → hit", "90th percentile → hit", "swing (years)"),
                rows,
                ("l", "r", "r", "r"),
            )
        )
        if "tornado" in figs:
            blocks.append(figs["tornado"])
    if sobol:
        ranked = sorted(sobol.items(), key=lambda kv: -(kv[1]["ST"] or 0))
        blocks.append(
            Para.of(
                "Variance-based (Sobol) indices over all uncertain inputs at once: S1 is the share "
                "of the variance of the hit year that an input explains alone, ST the share it is "
                "involved in, interactions included (95% bootstrap intervals)."
            )
        )
        blocks.append(
            Table(
                ("input", "S1", "ST"),
                tuple(
                    (
                        F.param_label(k),
                        f"{v['S1']:.2f} ± {v['S1_conf']:.2f}",
                        f"{v['ST']:.2f} ± {v['ST_conf']:.2f}",
                    )
                    for k, v in ranked
                ),
                ("l", "r", "r"),
            )
        )
        if "sobol" in figs:
            blocks.append(figs["sobol"])
    if elasticities:
        blocks.append(
            Para.of(
                "Elasticity of the time to each ceiling with respect to the doubling time, "
                "E = d ln(t* − t0) / d ln T: a 10% longer doubling time moves the hit about "
                "E × 10% further away. Analytic (from the closed form) against numerical (finite "
                "difference of the engine):"
            )
        )
        blocks.append(
            Table(
                ("ceiling", "analytic", "numerical", "relative difference"),
                tuple(
                    (
                        e["constraint"],
                        f"{e['analytic']:.4f}",
                        f"{e['numerical']:.4f}",
                        f"{e['relative_difference']:.1e}",
                    )
                    for e in elasticities
                ),
                ("l", "r", "r", "r"),
            )
        )
    return blocks


def backtest_blocks(results: Sequence, figs: dict[str, Figure]) -> list[Block]:
    """Coverage and error table, figure and an honest reading of them."""
    blocks: list[Block] = [Heading(1, "Backtests: how would this model have done in the past?")]
    blocks.append(
        Para.of(
            "For each cutoff the model is fitted only to runs published before it, then its "
            "predictive distribution is compared with the frontier runs published after it. A "
            "calibrated model puts about 50%, 80% and 95% of later runs inside its 50%, 80% and "
            "95% intervals. CRPS and errors are in orders of magnitude (OOM); lower is better."
        )
    )
    rows = []
    for r in results:
        for model in ("trend", "constrained"):
            s = r.scores[model]
            mae_by_year = s.get("mae_by_year") or {}
            first = ", ".join(
                f"{k}y: {_num(v, '{:.2f}')}" for k, v in list(mae_by_year.items())[:4]
            )
            rows.append(
                (
                    str(r.cutoff),
                    model,
                    str(r.n_fit),
                    str(r.n_later),
                    f"{r.doubling_time_months['median']:.1f}",
                    " / ".join(F.percent(s[f"coverage{c}"]) for c in (50, 80, 95)),
                    _num(s["crps"], "{:.2f}"),
                    _num(s["mae"], "{:.2f}"),
                    first,
                )
            )
    blocks.append(
        Table(
            (
                "cutoff",
                "model",
                "runs fitted",
                "later runs",
                "doubling (months)",
                "coverage 50/80/95",
                "CRPS",
                "median abs. error",
                "error by years after",
            ),
            tuple(rows),
        )
    )
    if "backtest" in figs:
        blocks.append(figs["backtest"])
    blocks.append(Para.of(reading(results)))
    notes = [n for r in results for n in r.notes]
    if notes:
        blocks.append(Para.of("Notes: " + " ".join(notes)))
    return blocks


def reading(results: Sequence) -> str:
    """One honest paragraph on what the backtests say (computed from the scores)."""
    from forecast.analysis.backtest import share_below_median

    parts = []
    for r in results:
        s = r.scores["trend"]
        c80 = s["coverage80"]
        if c80 != c80:  # NaN: nothing to judge
            parts.append(f"From {r.cutoff} there are no later runs to judge.")
            continue
        later = r.later
        below = share_below_median(later)
        if below > 0.8:
            verdict = (
                f"biased high: {F.percent(below)} of the later runs came in below its median "
                "prediction, so the trend it extrapolated was faster than what followed"
            )
        elif below < 0.2:
            verdict = (
                f"biased low: {F.percent(1 - below)} of the later runs came in above its median "
                "prediction"
            )
        elif c80 < 0.65:
            verdict = "overconfident: fewer later runs fell inside its intervals than promised"
        elif c80 > 0.92:
            verdict = "well centred but its intervals were wider than needed"
        else:
            verdict = "about calibrated"
        parts.append(
            f"From {r.cutoff} the fit ({r.doubling_time_months['median']:.1f}-month doubling) was "
            f"{verdict} ({F.percent(c80)} inside the 80% interval; median error "
            f"{_num(s['mae'], '{:.2f}')} OOM)."
        )
    same = all(
        abs((r.scores["trend"]["crps"] or 0) - (r.scores["constrained"]["crps"] or 0)) < 0.01
        for r in results
    )
    if same:
        parts.append(
            "The ceilings did not bind before the runs that came after any cutoff, so the "
            "constrained and unconstrained projections score the same to 0.01 OOM: these backtests "
            "test the "
            "trend, not the ceilings."
        )
    return " ".join(parts)


def hindcast_blocks(ds, summary: dict, figs: dict[str, Figure]) -> list[Block]:
    """The hindcast: how close the conversion came to published cost and power."""
    from forecast.analysis.hindcast import QUANTITIES

    words = {
        "capex_usd": "capital cost",
        "amortized_usd": "amortised cost",
        "power_watts": "power",
    }
    cutoff, conversion = ds.attrs["cutoff"], ds.attrs["conversion"]
    blocks: list[Block] = [Heading(1, "Hindcast: dollars and watts of runs the model had not seen")]
    blocks.append(
        Para.of(
            f"The {conversion} conversion is fitted on what was known on {cutoff}; then each "
            "run published after it, with its own compute at its own date, is priced and "
            "powered by the model and compared with Epoch AI's published estimate. The "
            "compute trend plays no part: this tests the conversion alone. A ratio of 1 is "
            "exact; below 1 the model gives too little."
        )
    )
    if conversion == "realised":
        blocks.append(
            Para.of(
                "The realised conversion's settings (whether older runs count less, whether "
                "the three efficiencies share one rate, whether a larger run lasts longer) "
                "were chosen on a 2020 cutoff only, scored on the runs of 2020-2021, and "
                "then frozen (benchmarks/select_conversion.py records every alternative "
                "and its error): a hindcast from 2022 or later is held out. Earlier, they "
                "had been chosen on the 2022 and 2024 hindcasts themselves, which cannot "
                "then serve as their check."
            )
        )

    def share(x: float | None) -> str:
        return "n/a" if x is None else F.percent(x)

    rows = tuple(
        (
            words[q],
            str(s["runs"]),
            "n/a" if s["median_ratio"] is None else f"{s['median_ratio']:.2f}",
            share(s["share_within_3x"]),
            share(s.get("share_inside_80")),
        )
        for q, s in summary.items()
    )
    blocks.append(
        Table(
            (
                "quantity",
                "runs",
                "median modelled / published",
                "within a factor of 3",
                "inside the 80% interval",
            ),
            rows,
            ("l", "r", "r", "r", "r"),
        )
    )
    covered = [s for s in summary.values() if s.get("share_inside_80") is not None]
    if covered:
        n = sum(s["runs"] for s in covered)
        inside = sum(s["share_inside_80"] * s["runs"] for s in covered) / n
        low = [words[q] for q, s in summary.items() if (s.get("share_inside_80") or 1) < 0.6]
        blocks.append(
            Para.of(
                f"Over all {n} figures the published value lay inside the model's 80% "
                f"interval {F.percent(inside)} of the time (a calibrated interval: 80%)"
                + (
                    f"; for {' and '.join(low)} far less often, so the intervals of "
                    "the dates that rest on it are narrower than they should be."
                    if low
                    else "."
                )
            )
        )
    if "hindcast" in figs:
        blocks.append(figs["hindcast"])
    fmt = {"capex_usd": F.usd, "amortized_usd": F.usd, "power_watts": F.watts}
    detail = []
    for i in range(ds.sizes["row"]):
        q = str(ds["quantity"].values[i])
        if q not in QUANTITIES:
            continue
        detail.append(
            (
                str(ds["name"].values[i]),
                str(ds["date"].values[i]),
                words[q],
                fmt[q](float(ds["modelled_median"].values[i])),
                fmt[q](float(ds["published"].values[i])),
                f"{10 ** float(ds['log10_ratio'].values[i]):.2f}",
            )
        )
    if detail:
        blocks.append(
            Table(
                ("run", "published", "quantity", "modelled", "published figure", "ratio"),
                tuple(detail),
                ("l", "l", "l", "r", "r", "r"),
            )
        )
    return blocks


def _versus_line(ds, summary: dict, beat: list[str]) -> str:
    """The paired CRPS difference against the straight line where the model lost."""
    from forecast.analysis.rolling import against_line

    pairs = summary.get("versus_straight_line", {})
    parts = [
        f"{pairs[h]['mean']:+.2f} OOM (standard error {pairs[h]['se']:.2f}, "
        f"{pairs[h]['n']} paired forecasts) at {h} years"
        for h in beat
        if h in pairs and pairs[h]["mean"] is not None and pairs[h]["se"] is not None
    ]
    if not parts:
        return ""
    gap, wins = [], []
    for h, row in zip(beat, against_line(ds, beat), strict=True):
        gap.append(row["gap"])
        wins.append(
            f"{row['won']} of {row['n']} at {h} years, the model above the "
            f"record in {row['won_above']} of them"
        )
    return (
        "Paired by cutoff, the model's CRPS minus the line's is "
        + " and ".join(parts)
        + "; the forecasts overlap in time, so the true uncertainty is larger than these "
        "standard errors. The line projects the typical run, not the record: its median "
        "sat on average "
        + " and ".join(f"{g:.2f}" for g in gap)
        + " OOM below the model's there. It scored better in "
        + "; ".join(wins)
        + ": where the record grew more slowly than the trend fitted at the cutoff, a "
        "forecast pitched low did better. "
    )


def _variants_tried(summary: dict, beat: list[str]) -> str:
    """What was tried to close the gap at long horizons, with its scores."""
    variants = summary.get("variants", {})
    if not beat or not variants:
        return ""
    labels = {
        "hazard": "letting a new era begin (a hazard of a change of slope)",
        "damped": "a damped trend (the slope shrinking by a tenth a year)",
        "drift": "a slope that drifts from year to year (its own fits)",
    }
    parts = [
        f"{labels.get(name, name)} scored a CRPS of "
        + " and ".join(f"{b['crps'][h]:.2f}" for h in beat if b["crps"][h] is not None)
        for name, b in variants.items()
    ]
    better = [
        name
        for name, b in variants.items()
        if all(b["crps"][h] is not None and b["crps"][h] < summary["crps"][h] for h in beat)
    ]
    verdict = (
        "neither scores better than the model there, so the projection keeps the current "
        "era's slope. "
        if not better
        else " and ".join(labels.get(n, n) for n in better)
        + " scored better there, but not at every horizon (the table below). "
    )
    return (
        "Tried on the same fits to close that gap: "
        + "; ".join(parts)
        + f" at {' and '.join(beat)} years ahead; "
        + verdict
    )


#: Why an input can top the tornado: the ranking read as a reader would ask "why that one?".
WHY_IT_MATTERS: dict[str, str] = {
    "trend.level_flop": (
        "That is where the largest run stands now: the record sits a random distance above "
        "the fitted trend (a year's largest run scatters widely around it), and every date "
        "moves with it, while the slope itself, fitted to fifteen years of runs, is known to "
        "a few percent; a change of era is the larger unknown for the slope, which these "
        "intervals carry only under a hazard of a new era."
    ),
    "hardware.efficiency_doubling_years": (
        "Power binds first, and the run's power is its compute divided by its duration and "
        "by the FLOP/s it gets per watt: how fast that efficiency improves decides how long "
        "the power a site can supply lasts."
    ),
    "trend.doubling_time_months": (
        "The compute of the run grows at this rate: every ceiling is met sooner when it grows "
        "faster."
    ),
    "hardware.training_days": (
        "A longer run needs fewer chips and less power for the same compute: the duration "
        "divides every demand but the amortised cost."
    ),
}


def rolling_blocks(ds, summary: dict, figs: dict[str, Figure], heading: bool = True) -> list[Block]:
    """The rolling-origin backtest: how often past intervals held, by horizon."""
    from forecast.analysis.rolling import median_bias

    cutoffs = summary["cutoffs"]
    blocks: list[Block] = []
    if heading:
        blocks.append(Heading(1, "Backtests: how would this model have done in the past?"))
    blocks.append(Heading(2, "How often past intervals held (rolling origin)"))
    horizons = list(summary["coverage"])
    cov80 = [summary["coverage"][h]["80"] for h in horizons]
    lines = {"model": summary, **summary["baselines"]}

    def share(x: float | None) -> str:
        return "n/a" if x is None else F.percent(x)

    def crps(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    beat = [
        h
        for h in horizons
        if summary["crps"][h] is not None
        and summary["baselines"]["straight_line"]["crps"][h] is not None
        and summary["crps"][h] > summary["baselines"]["straight_line"]["crps"][h]
    ]
    blocks.append(
        Para.of(
            f"At every first of January from {cutoffs[0][:4]} to {cutoffs[-1][:4]} the trend "
            "was fitted again on the runs published by then, and the largest run (the record) "
            "projected 1 to 5 years ahead; each forecast is scored against the record the "
            "data hold at that date. Pooled over cutoffs, the 80% interval held for "
            + ", ".join(
                f"{share(c)} at {h} year{'s' if h != '1' else ''}"
                for h, c in zip(horizons, cov80, strict=True)
            )
            + " ahead (a calibrated interval holds 80% of the time). Two forecasts a reader "
            "might otherwise trust are scored the same way: a least-squares line through the "
            "same frontier runs with a bootstrap interval (what most published trend analyses "
            "do), and the 2018 analysis's line ("
            f"{ds.attrs['openai_2018_doubling_months']:.1f}-month doubling), which has no "
            "interval at all. The record could also be modelled by a line through the "
            "year-end records themselves; scored the same way, that line's 80% interval held "
            + ", ".join(
                share(summary["baselines"]["record_setters"]["coverage"][h]["80"]) for h in horizons
            )
            + " of the time at 1 to 5 years, which is why the record here is modelled from "
            "the fitted trend and the scatter of all frontier runs instead. "
            + (
                "This model's CRPS is higher (worse) than the straight line's at "
                + " and ".join(beat)
                + " years ahead, where its median was on average "
                + " and ".join(f"{median_bias(ds, h):+.2f}" for h in beat)
                + " OOM from the record (positive: above). "
                if beat
                else "This model's CRPS is no worse than the straight line's at any horizon. "
            )
            + _versus_line(ds, summary, beat)
            + _variants_tried(summary, beat)
            + (
                "The typical frontier run (the trend), scored against the median of each "
                "year's frontier runs, held its 80% interval for "
                + ", ".join(
                    f"{share(summary['typical']['coverage'][h]['80'])} at {h}" for h in horizons
                )
                + " years ahead. "
                if "typical" in summary
                else ""
            )
            + "The record's outcomes after mid-2025 rest on few runs with published compute."
        )
    )
    rows = []
    for method, label in (
        ("model", "this model"),
        ("straight_line", "straight line (bootstrap)"),
        ("openai_2018", "2018 line"),
        ("record_setters", "line through the records"),
        ("hazard", "variant: a new era may begin"),
        ("damped", "variant: damped trend"),
        ("drift", "variant: a drifting slope (own fits)"),
    ):
        b = lines.get(method) or summary.get("variants", {}).get(method)
        if b is None:
            continue
        for h in horizons:
            c = b["coverage"][h]
            rows.append(
                (
                    label,
                    h,
                    str(b["n"][h]),
                    share(c["50"]),
                    share(c["80"]),
                    share(c["95"]),
                    crps(b["crps"][h]),
                )
            )
    blocks.append(
        Table(
            ("forecast", "years ahead", "forecasts", "50% held", "80% held", "95% held", "CRPS"),
            tuple(rows),
            ("l", "r", "r", "r", "r", "r", "r"),
        )
    )
    if "rolling" in figs:
        blocks.append(figs["rolling"])
    return blocks
