"""`forecast compare`: headline numbers of several scenarios side by side, one figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator

from forecast.report import style as F
from forecast.report.document import Figure, Heading, Para, Table, to_html, to_markdown
from forecast.report.folder import atomic_folder
from forecast.results import Results
from forecast.results import draws as D
from forecast.results.summary import build_summary, dumps


def first_limit_text(row: dict) -> str:
    """The limit most likely to bind first in one scenario with its probability.

    "Single-site power (98%)"; when meeting none by the horizon is likelier, that first,
    "none by 2045 (70%), else Single-site power (20%)"; "none by 2045 (100%)" when no
    draw meets a limit.
    """
    name, share = row["first_ceiling"], row["first_ceiling_share"] or 0.0
    none = row["prob_binds_first_none"] or 0.0
    nothing = f"none by {row['horizon']} ({F.percent(none)})"
    if name is None:
        return nothing
    if none > share:
        return f"{nothing}, else {name} ({F.percent(share)})"
    return f"{name} ({F.percent(share)})"


def comparison_rows(summaries: list[dict]) -> list[dict]:
    """One row of headline numbers per scenario (JSON-ready).

    ``first_ceiling`` is the limit that binds first in the most draws and
    ``first_ceiling_share`` the share of draws in which it does; ``prob_binds_first``
    gives that share for every limit and ``prob_binds_first_none`` the share meeting none
    by the horizon (as in each scenario's summary.json).
    """
    rows = []
    for s in summaries:
        rows.append(
            {
                "scenario": s["scenario"],
                "doubling_time_months": s["trend"]["doubling_time_months"],
                "first_ceiling": s["limit"]["binding_constraint"],
                "first_ceiling_share": s["limit"]["binding_share"],
                "prob_binds_first": {c["name"]: c["prob_binds_first"] for c in s["constraints"]},
                "prob_binds_first_none": s["limit"]["prob_binds_first_none"],
                "first_hit_year": s["limit"]["hit_year"],
                "prob_hit_by_horizon": s["limit"]["prob_hit_by_horizon"],
                "post_limit_doubling_time_months": s["limit"]["post_limit_doubling_time_months"],
                "horizon": s["horizon"],
                "constraints": {c["name"]: c["hit_year"] for c in s["constraints"]},
                "supply": supply_row(s.get("supply")),
            }
        )
    return rows


def supply_row(supply: dict | None) -> dict | None:
    """The supply-side numbers of one scenario side by side with the others: the largest
    cluster in 2030 (H100e), its growth, the nowcast of each year (FLOP the largest
    announced cluster allows one run, and that over the trend's run) and the ``cluster``
    ceiling's hit year and P(binds first); None for a scenario without them."""
    if not supply:
        return None
    largest = supply["largest_cluster"]
    last = max(largest) if largest else None
    return {
        "largest_cluster_year": last,
        "largest_cluster_h100e": largest[last]["h100e"] if last else None,
        "largest_cluster_growth_per_year": supply["growth_per_year"]["largest"]["h100e"],
        "nowcast": {
            year: {"flop": e.get("flop"), "allowed_over_record": e.get("allowed_over_record")}
            for year, e in supply["nowcast"].items()
        },
        "cluster_limit": supply.get("cluster_limit"),
    }


def supply_table(rows: list[dict]) -> list:
    """The supply side of the scenarios that have it, one row each (empty without)."""
    cells = []
    for row in rows:
        sup = row.get("supply")
        if not sup:
            continue
        limit = sup.get("cluster_limit") or {}
        nowcast = "; ".join(
            f"{year}: {F.flop((e['flop'] or {}).get('median'))} "
            f"({F.factor((e['allowed_over_record'] or {}).get('median'))} the trend's run)"
            for year, e in sup["nowcast"].items()
        )
        cells.append(
            (
                row["scenario"],
                F.interval_text(sup["largest_cluster_h100e"], lambda x: f"{x:,.0f}")
                if sup["largest_cluster_h100e"]
                else "n/a",
                F.interval_text(sup["largest_cluster_growth_per_year"], F.factor),
                nowcast or "n/a",
                F.year_interval(limit["hit_year"], row["horizon"]) if limit else "n/a",
                F.percent(limit.get("prob_binds_first")) if limit else "n/a",
            )
        )
    if not cells:
        return []
    year = next(r["supply"]["largest_cluster_year"] for r in rows if r.get("supply"))
    return [
        Heading(1, "What the clusters say"),
        Table(
            (
                "scenario",
                f"largest cluster {year} (H100e)",
                "its growth a year",
                "nowcast: largest run the announced clusters allow",
                "cluster ceiling hit year",
                "P(binds first)",
            ),
            tuple(cells),
        ),
    ]


def plot_comparison(results: list[Results], rows: list[dict] | None = None) -> MplFigure:
    """Left: constrained projections (median, 80% band); right: first-hit-year distributions.

    Parameters
    ----------
    results : list of Results
        One per scenario.
    rows : list of dict, optional
        :func:`comparison_rows` of the same scenarios, in the same order: each legend
        of the right panel then names the limit most likely to bind first, with its
        probability (:func:`first_limit_text`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = MplFigure(figsize=(11, 5.2), layout="constrained")  # two panels: wider than one
    ax_traj, ax_hit = fig.subplots(1, 2, width_ratios=(1.4, 1))
    for i, r in enumerate(results):
        # On its own line: limit names are long, and the panel is the narrower one.
        first = f"\nbinds first: {first_limit_text(rows[i])}" if rows is not None else ""
        colour = F.colour(i)
        ds = r.projection
        # Each year at the instant its label stands for (the end of the year).
        years = ds["time" if "time" in ds.coords else "year"].to_numpy()
        c = ds["log10_flop_constrained"].to_numpy()
        lo, med, hi = D.quantile(c, [0.1, 0.5, 0.9], axis=0)
        ax_traj.fill_between(years, 10**lo, 10**hi, color=colour, alpha=0.18, lw=0)
        ax_traj.plot(years, 10**med, color=colour, lw=2, label=r.scenario.name)
        hits = ds["first_hit_year"].to_numpy()
        finite = hits[np.isfinite(hits)]
        share = finite.size / hits.size
        if finite.size:
            bins = np.arange(np.floor(finite.min()), np.ceil(finite.max()) + 1.01, 0.5)
            ax_hit.hist(
                finite,
                bins=bins,
                weights=np.full(finite.size, 1 / hits.size),
                histtype="step",
                lw=2,
                color=colour,
                label=f"{r.scenario.name} (hits by {r.scenario.horizon}: "
                f"{F.percent(share)}){first}",
            )
        else:
            ax_hit.plot(
                [], [], color=colour, label=f"{r.scenario.name} (no hit by {r.scenario.horizon})"
            )
    for ax in (ax_traj, ax_hit):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_traj.set_yscale("log")
    ax_traj.set_xlabel("year")
    ax_traj.set_ylabel("training compute of the largest run (FLOP)")
    ax_traj.set_title("Largest run, held to its ceilings (median, 80% band)")
    ax_traj.grid(alpha=0.3)
    ax_traj.legend(fontsize=8)
    ax_hit.set_xlabel("year the first ceiling is reached")
    ax_hit.set_ylabel("share of draws per half year")
    ax_hit.set_title("When the first ceiling binds")
    ax_hit.grid(alpha=0.3)
    # Limit names are user text: a "$" in one must not start mathtext.
    F.literal(ax_hit.legend(fontsize=8).get_texts())
    return fig


def write_comparison(results: list[Results], out: Path, inside: Path | None = None) -> list[dict]:
    """Write compare.md, compare.html, compare.json and figures/compare.png to ``out``.

    ``out`` is replaced only if it is absent, empty or a folder this tool wrote; ``inside``
    is a folder it must lie in (see :func:`forecast.report.folder.check_target`).
    """
    from forecast.report.figures import save_figure

    summaries = [build_summary(r) for r in results]
    rows = comparison_rows(summaries)
    manifest = {"kind": "comparison", "scenarios": [r.scenario.name for r in results]}
    with atomic_folder(Path(out), manifest, inside) as tmp:
        paths = save_figure(plot_comparison(results, rows), tmp / "figures", "compare", svg=True)
        png = next(p for p in paths if p.suffix == ".png")
        table_rows = []
        for row in rows:
            d = row["doubling_time_months"]
            h = row["first_hit_year"]
            post = row["post_limit_doubling_time_months"]
            table_rows.append(
                (
                    row["scenario"],
                    f"{d['median']:.1f} ({d['p10']:.1f}–{d['p90']:.1f})",
                    first_limit_text(row),
                    F.year_interval(h, row["horizon"]),
                    F.percent(row["prob_hit_by_horizon"]),
                    "n/a" if post["median"] is None else f"{post['median']:.1f}",
                )
            )
        names = ", ".join(r["scenario"] for r in rows)
        firsts = "; ".join(f"{r['scenario']}: {first_limit_text(r)}" for r in rows)
        blocks = [
            Para.of(
                f"Headline numbers of {len(rows)} scenarios ({names}), each run with its own "
                "seed and assumptions; intervals are 80% intervals over draws. The limit most "
                f"likely to bind first (share of draws in which it does): {firsts}."
            ),
            Table(
                (
                    "scenario",
                    "doubling (months)",
                    "binds first (share of draws)",
                    "first hit year",
                    "P(hit by horizon)",
                    "doubling after (months)",
                ),
                tuple(table_rows),
            ),
            Figure(
                png.relative_to(tmp),
                "Projections and first-hit years of each scenario, with the limit most likely "
                "to bind first in each and the share of draws in which it does.",
                png.read_bytes(),
            ),
            Heading(1, "Hit year of every ceiling"),
        ]
        for row in rows:
            first = row["prob_binds_first"]
            cells = [
                (n, F.year_interval(iv, row["horizon"]), F.percent(first[n]))
                for n, iv in row["constraints"].items()
            ]
            if row["prob_binds_first_none"]:  # the rest of the draws: shares add up to 100%
                none = F.percent(row["prob_binds_first_none"])
                cells.append((f"none by {row['horizon']}", "", none))
            blocks.append(
                Table((f"{row['scenario']}: ceiling", "hit year", "P(binds first)"), tuple(cells))
            )
        blocks += supply_table(rows)
        title = "Scenario comparison"
        (tmp / "compare.md").write_text(to_markdown(title, blocks), encoding="utf-8")
        (tmp / "compare.html").write_text(to_html(title, blocks), encoding="utf-8")
        (tmp / "compare.json").write_text(json.dumps(rows, indent=2, allow_nan=False) + "\n")
        for s in summaries:
            (tmp / f"summary-{s['scenario']}.json").write_text(dumps(s))
    return rows
