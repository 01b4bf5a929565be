"""What the command line prints: progress lines, warnings and the tables of each command
(rich), from numbers the workflow computed."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

console = Console()
err_console = Console(stderr=True)


# -- estimate ------------------------------------------------------------------------------


def print_estimate(estimate, as_json: bool) -> None:
    if as_json:
        print(json.dumps(estimate.as_dict(), indent=2))
        return
    table = Table(title=f"Training compute, method: {estimate.method}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in estimate.inputs.items():
        table.add_row(key, escape(f"{value:.4g}" if isinstance(value, float) else str(value)))
    table.add_row("[bold]FLOP[/bold]", f"[bold]{estimate.flop:.3g}[/bold]")
    table.add_row("[bold]pfs-days[/bold]", f"[bold]{estimate.pfs_days:.3g}[/bold]")
    console.print(table)


def logger(quiet: bool = False):
    def log(message: str) -> None:
        if not quiet:
            err_console.print(Text("· ", style="dim") + Text(message), highlight=False)

    return log


def print_warnings(caught) -> None:
    """Convergence and cache warnings caught during a run, one yellow line each."""
    from forecast.models.sampling import FitWarning

    for w in caught:
        if issubclass(w.category, FitWarning):
            err_console.print(Text("warning: ", style="yellow") + Text(str(w.message)))


def headline_table(summary: dict, title: str) -> Table:
    from forecast.report import style as F

    horizon = summary["horizon"]
    table = Table(title=escape(title))
    table.add_column("quantity")
    table.add_column("median", justify="right")
    table.add_column("80% interval", justify="right")
    d = summary["trend"]["doubling_time_months"]
    table.add_row("doubling time (months)", f"{d['median']:.1f}", f"{d['p10']:.1f}–{d['p90']:.1f}")
    for c in summary["constraints"]:
        iv = c["hit_year"]
        table.add_row(
            escape(f"hits {c['name']} (P by {horizon}: {F.percent(c['prob_hit_by_horizon'])})"),
            F.year(iv["median"], horizon),
            f"{F.year(iv['p10'], horizon)}–{F.year(iv['p90'], horizon)}",
        )
    lim = summary["limit"]
    table.add_row(
        escape(f"first ceiling: {lim['binding_constraint'] or 'none'}"),
        F.year(lim["hit_year"]["median"], horizon),
        f"{F.year(lim['hit_year']['p10'], horizon)}–{F.year(lim['hit_year']['p90'], horizon)}",
    )
    post = lim["post_limit_doubling_time_months"]
    if post["median"] is not None:
        p90 = "n/a" if post["p90"] is None else f"{post['p90']:.1f}"
        table.add_row(
            "doubling after the limit (months)", f"{post['median']:.1f}", f"{post['p10']:.1f}–{p90}"
        )
    return table


def print_sensitivity(name: str, sensitivity) -> None:
    from forecast.report import style as F

    sobol = sensitivity.sobol_indices()
    table = Table(title=escape(f"{name}: what moves the first hit year most"))
    for col in ("input", "10th pct", "90th pct", "swing (years)", "Sobol ST"):
        table.add_column(col, justify="left" if col == "input" else "right")
    for r in sensitivity.tornado_rows()[:8]:
        st = sobol.get(r["param"], {}).get("ST")
        table.add_row(
            escape(F.param_label(r["param"])),
            f"{r['low_value']:.3g}",
            f"{r['high_value']:.3g}",
            f"{r['swing_years']:+.2f}",
            "n/a" if st is None else f"{st:.2f}",
        )
    console.print(table)


def print_hindcast(name: str, ds, summary: dict) -> None:
    from forecast.report import style as F

    table = Table(title=escape(f"{name}: hindcast of the conversion from {ds.attrs['cutoff']}"))
    for col in ("quantity", "runs", "median modelled / published", "within 3x", "inside 80%"):
        table.add_column(col, justify="left" if col == "quantity" else "right")
    for q, s in summary.items():
        table.add_row(
            q,
            str(s["runs"]),
            "n/a" if s["median_ratio"] is None else f"{s['median_ratio']:.2f}",
            "n/a" if s["share_within_3x"] is None else F.percent(s["share_within_3x"]),
            "n/a" if s["share_inside_80"] is None else F.percent(s["share_inside_80"]),
        )
    console.print(table)


def print_rolling(name: str, summary: dict) -> None:
    table = Table(title=escape(f"{name}: rolling backtest of the record (80% held / CRPS)"))
    table.add_column("years ahead", justify="right")
    for label in ("this model", "straight line", "2018 line", "record line"):
        table.add_column(label, justify="right")
    for h in summary["coverage"]:
        cells = []
        for b in (summary, *summary["baselines"].values()):
            c80, score = b["coverage"][h]["80"], b["crps"][h]
            cells.append("n/a" if score is None else f"{c80:.0%} / {score:.2f}")
        table.add_row(h, *cells)
    console.print(table)


def print_backtests(name: str, results) -> None:
    table = Table(title=escape(f"{name}: backtests (unconstrained trend)"))
    for col in ("cutoff", "later runs", "coverage 50/80/95", "CRPS (OOM)", "median abs. error"):
        table.add_column(col)
    for r in results:
        s = r.scores["trend"]
        table.add_row(
            str(r.cutoff),
            str(r.n_later),
            " / ".join(f"{s[f'coverage{c}']:.2f}" for c in (50, 80, 95)),
            f"{s['crps']:.2f}",
            f"{s['mae']:.2f}",
        )
    console.print(table)
