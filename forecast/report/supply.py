"""The briefing section "What the clusters say": the largest cluster, the nowcast of
2026-2028 from the clusters built and announced, and the world checks; with its figure."""

from __future__ import annotations

import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from forecast.report import style as F
from forecast.report.document import Block, Bullets, Figure, Heading, Para, Table
from forecast.report.plot_base import fill_band, legend_below, log_axis, year_axis
from forecast.report.style import axes as _axes
from forecast.results import draws as D

TITLE = "What the clusters say"
#: Marker of each kind of cluster in the figure.
MARKERS = {
    "existing": ("o", "#555555", "existing (operating)"),
    "confirmed": ("s", "#d95f02", "planned, confirmed"),
    "likely": ("D", "#e6ab02", "planned, likely"),
    "unlikely": ("x", "#999999", "planned, unlikely"),
}
SERIES_WORDS = {
    "h100e": "size (H100-equivalents)",
    "power_watts": "power",
    "hardware_cost_usd": "hardware cost",
}


def plot_supply(ds: xr.Dataset, ax: Axes | None = None) -> MplFigure:
    """Clusters by first operational date and size, the fitted largest-cluster line, the
    announced clusters by certainty, and the cluster the largest run would need."""
    from forecast.project.trajectory import year_instant

    fig, ax = _axes(ax)
    status = ds["cluster_status"].to_numpy()
    certainty = ds["cluster_certainty"].to_numpy()
    t = ds["cluster_t"].to_numpy()
    size = ds["cluster_h100e"].to_numpy()
    for key, (marker, colour, label) in MARKERS.items():
        pick = (
            status != "planned" if key == "existing" else (status == "planned") & (certainty == key)
        )
        if pick.any():
            ax.scatter(
                t[pick],
                size[pick],
                marker=marker,
                s=14 if key == "existing" else 26,
                color=colour,
                alpha=0.6 if key == "existing" else 0.9,
                label=label,
                zorder=3,
            )
    x = year_instant(ds["year"].to_numpy())
    q = D.band(10 ** ds["largest_log10_h100e"].to_numpy(), [0.1, 0.5, 0.9])
    fill_band(ax, x, q[0], q[2], "#1b9e77", 0.2)
    ax.plot(x, q[1], color="#1b9e77", lw=2, label="largest cluster, fitted trend: median, 80%")
    if "demand_log10_h100e" in ds:
        d = D.band(10 ** ds["demand_log10_h100e"].to_numpy(), [0.1, 0.5, 0.9])
        fill_band(ax, x, d[0], d[2], "#3b6fb6", 0.2)
        ax.plot(
            x,
            d[1],
            color="#3b6fb6",
            lw=2,
            ls="--",
            label="cluster the largest run would need (at its share): median, 80%",
        )
    log_axis(ax)
    ax.set_ylabel("cluster size (H100-equivalents)")
    year_axis(ax)
    ax.set_xlim(2015, float(x[-1]) + 0.5)
    ax.set_title(
        "AI clusters by first operational date, the fitted largest cluster,\n"
        "and the cluster the largest run would need"
    )
    legend_below(ax)
    return fig


def caption(ds: xr.Dataset) -> str:
    """The figure's caption."""
    fitted = ds.attrs.get("clusters_fitted", {}).get("h100e")
    return (
        "Each point is a GPU cluster from Epoch AI's GPU Clusters data (CC BY 4.0) at its "
        "first operational date; planned ones are marked by the certainty Epoch AI gives "
        "them and are never fitted. The green band is the trend of the clusters that were "
        f"the largest when they began operating (fitted to {fitted} leading clusters since "
        "2019); the blue band is the cluster the trend's largest run would need, at the share "
        "of a cluster one run has used."
    )


def _millions(x: float) -> str:
    return f"{x / 1e6:,.0f} million" if x >= 1e6 else f"{x:,.0f}"


def _iv(iv: dict, fmt) -> str:
    return F.interval_text(iv, fmt)


def supply_blocks(block: dict, figure: Figure | None, binding_first: str | None) -> list[Block]:
    """The section from ``summary.json`` ``supply``.

    Parameters
    ----------
    block : dict
        ``summary["supply"]``.
    figure : Figure, optional
    binding_first : str, optional
        The name of the limit that binds first in most draws.
    """
    blocks: list[Block] = [Heading(1, TITLE)]
    checks = block["checks"]
    existing = checks.get("largest_existing")
    growth = block["growth_per_year"]
    if existing:
        blocks.append(
            Para.of(
                f"The data end with {existing['name']} as the largest cluster operating "
                f"(since {F.year(existing['t'])}): {existing['h100e']:,.0f} H100-equivalents"
                + (f", {F.watts(existing['power_watts'])}" if existing["power_watts"] else "")
                + ". The largest clusters have grown "
                + F.factor(growth["largest"]["h100e"]["median"])
                + " a year in size (80% interval "
                + F.factor(growth["largest"]["h100e"]["p10"])
                + "–"
                + F.factor(growth["largest"]["h100e"]["p90"])
                + "), the ten largest of each year "
                + F.factor(growth["leading"]["h100e"]["median"])
                + "."
            )
        )
    if figure is not None:
        blocks.append(figure)
    rows = []
    for year, entry in block["nowcast"].items():
        allowed = entry.get("flop")
        rows.append(
            (
                year,
                f"{entry['cluster']} ({entry['status']}"
                + (f", {entry['certainty']}" if entry["status"] == "planned" else "")
                + ")",
                f"{entry['h100e']:,.0f}",
                _iv(allowed, F.flop) if allowed else "n/a",
                _iv(entry["record_flop"], F.flop),
                _iv(entry["allowed_over_record"], F.factor) if allowed else "n/a",
            )
        )
    if rows:
        blocks.append(Heading(2, "A nowcast for 2026-2028"))
        blocks.append(
            Para.of(
                "The runs published so far stop before the clusters that will train the next "
                "ones. For each year, the largest single cluster operating by its end (existing, "
                "or announced as " + " or ".join(block["nowcast_certainty"]) + "), the largest "
                "run it allows at the share of a cluster one run has used, and the trend's "
                "largest run for the same year:"
            )
        )
        blocks.append(
            Table(
                (
                    "year (end)",
                    "largest cluster",
                    "H100e",
                    "largest run it allows",
                    "trend's largest run",
                    "allowed / trend",
                ),
                tuple(rows),
                ("l", "l", "r", "r", "r", "r"),
            )
        )
        blocks.append(Para.of(_agreement(block["nowcast"])))
    limit = block.get("cluster_limit")
    if limit:
        text = (
            f"The ceiling '{limit['name']}' (the largest cluster on its fitted trend times the "
            f"share one run takes) is met in {F.year_interval(limit['hit_year'], 9999)}"
            if limit["hit_year"]["median"] is not None
            else f"The ceiling '{limit['name']}' is not met by the horizon in most draws"
        )
        text += f"; it binds first in {F.percent(limit['prob_binds_first'])} of draws"
        if binding_first and binding_first != limit["name"]:
            text += f" (the limit that binds first most often is '{binding_first}')"
        text += "." + _announced_text(block["nowcast"])
        blocks.append(Para.of(text))
    blocks.append(Heading(2, "Checks against the world"))
    items = []
    for s, check in checks["growth_vs_pilz_2025"].items():
        items.append(
            (
                f"Growth of the leading clusters' {SERIES_WORDS[s]}: "
                f"{_iv(check['fitted_per_year'], F.factor)} a year fitted here, against "
                f"{check['published_per_year']}x published"
                + (
                    " (inside the 80% interval)."
                    if check["published_in_interval"]
                    else " (outside the 80% interval)."
                ),
            )
        )
    if existing:
        lo, hi = existing["published_h100e"]
        items.append(
            (
                f"Largest cluster in the data: {existing['h100e']:,.0f} H100e against "
                f"{lo:,.0f}-{hi:,.0f} published"
                + (" (inside)" if existing["h100e_in_range"] else " (outside)")
                + (
                    f"; {F.watts(existing['power_watts'])} against "
                    f"{F.watts(existing['published_power_watts'][0])}-"
                    f"{F.watts(existing['published_power_watts'][1])}"
                    + (" (inside)" if existing["power_in_range"] else " (outside)")
                    if existing["power_watts"]
                    else ""
                )
                + ". Source: "
                + existing["source"]
                + ".",
            )
        )
    power = checks.get("record_power_2030")
    if power:
        lo, hi = power["published_watts"]
        items.append(
            (
                f"Power of the largest run in 2030 on the trend (unconstrained): "
                f"{_iv(power['power_watts'], F.watts)}, against {F.watts(lo)}-{F.watts(hi)} "
                f"published (median {'inside' if power['median_in_range'] else 'outside'}). "
                f"Source: {power['source']}.",
            )
        )
    stock = checks.get("stock_2030_vs_sevilla_2024")
    if stock:
        sev = stock["published_produced_h100e"]
        items.append(
            (
                "Installed accelerators at the end of 2030, from the latest installed stock "
                f"grown at the chip ceiling's rate: {_iv(stock['installed_h100e'], _millions)} "
                f"H100e, against {_millions(sev['median'])} ({_millions(sev['p10'])}–"
                f"{_millions(sev['p90'])}) produced by 2030"
                + (" (inside)" if stock["median_in_published_interval"] else " (outside)")
                + f". Source: {stock['source']}.",
            )
        )
    items.append(("Growth source: " + checks["pilz_source"] + ".",))
    blocks.append(Bullets(tuple(items)))
    return blocks


def _announced_text(nowcast: dict) -> str:
    """How the announced clusters compare with the fitted trend the ceiling follows."""
    parts = [
        f"in {year}, {F.factor(e['announced_over_fitted'])} ({e['cluster']}, "
        f"{e['h100e']:,.0f} H100e)"
        for year, e in nowcast.items()
        if e.get("announced_over_fitted")
    ]
    if not parts:
        return ""
    return (
        " The ceiling follows the clusters' past growth; the largest cluster announced is, "
        "against the fitted trend's largest of the same year, " + "; ".join(parts) + ". Where "
        "the announced clusters are larger and are built on time, the ceiling is met later."
    )


def _agreement(nowcast: dict) -> str:
    """Where the clusters and the trend disagree, and by how much."""
    parts = []
    for year, entry in nowcast.items():
        ratio = entry.get("allowed_over_record")
        if not ratio or ratio["median"] is None:
            continue
        r = ratio["median"]
        if r >= 1:
            parts.append(f"in {year} the announced clusters allow {F.factor(r)} the trend's run")
        else:
            parts.append(
                f"in {year} the trend's run needs {F.factor(1 / r)} what the largest announced "
                f"cluster allows one run ({F.percent(entry['prob_record_above_allowed'])} of draws)"
            )
    if not parts:
        return "No announced cluster allows a comparison."
    return "Where they disagree: " + "; ".join(parts) + "."
