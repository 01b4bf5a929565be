"""What the clusters say: the largest cluster by year, the nowcast of 2026-2028 from the
clusters built and announced, and the world checks of the supply side.

Three things, all per projection draw where they are uncertain:

- **The largest cluster by year** (H100e, power, hardware cost): the fitted line of the
  clusters that were the largest when they began operating
  (:mod:`forecast.models.clusters`), from the data's last year to 2030.
- **A nowcast for the years the data miss.** The published runs stop at the data's end,
  but the clusters that will train the runs of 2026-2028 are built or announced. For each
  of those years, the largest single cluster operating by its end (existing, or planned
  with certainty "confirmed" or "likely": never "unlikely"), and the largest run it
  allows: the scenario's ``cluster`` ceiling with that cluster in place of the fitted one
  (same share, realised FLOP/s per H100e and training duration), beside the trend's
  record for the same year.
- **Checks against the world**: the leading clusters' growth against Pilz et al. (2025);
  the largest cluster of the data's last year against the published 200-300k H100e and
  150-350 MW; the power the record run draws in 2030 against Epoch AI and EPRI's
  4-16 GW.

Everything is stored as one dataset (:func:`supply`) that ``results`` saves beside the
projection; ``summary.json`` ``supply`` and the briefing read it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import xarray as xr

#: The years of the nowcast: after the data, before the trend has to carry alone.
NOWCAST_YEARS = (2026, 2027, 2028)
#: Planned clusters counted by the nowcast (Epoch AI's certainty labels).
NOWCAST_CERTAINTY = ("confirmed", "likely")
#: The last year of the largest-cluster table.
SUPPLY_UNTIL = 2030
#: The supply series, their units and the name the summary gives them.
SERIES = {"h100e": "H100e", "power_watts": "W", "hardware_cost_usd": "USD"}

#: Pilz et al. (2025), "Trends in AI supercomputers" (arXiv:2504.16026), growth per year
#: of the leading AI supercomputers 2019-2025: "performance ... 2.5x per year", "power
#: requirements ... doubled every year" (2.0x), "hardware cost ... 1.9x per year".
PILZ_2025 = {"h100e": 2.5, "power_watts": 2.0, "hardware_cost_usd": 1.9}
PILZ_SOURCE = (
    "Pilz, Rahman, Sanders and Heim (2025), 'Trends in AI supercomputers', arXiv:2504.16026 "
    "(Epoch AI GPU Clusters data): leading AI supercomputers' performance grew 2.5x a "
    "year, power 2.0x and hardware cost 1.9x a year, 2019-2025"
)
#: The largest cluster of 2025, as the issue and Epoch AI state it (xAI Colossus).
LARGEST_2025 = {"h100e": (2e5, 3e5), "power_watts": (1.5e8, 3.5e8)}
LARGEST_2025_SOURCE = (
    "Epoch AI, GPU Clusters (CC BY 4.0): xAI Colossus, Memphis, about 200,000 H100e in "
    "February 2025 and about 276,000 by July, 280-352 MW"
)
#: Sevilla et al. (2024): about 100 million H100e produced for AI by 2030, 80% interval
#: 20-400 million (data/accelerators.csv).
SEVILLA_2030 = {"median": 1e8, "p10": 2e7, "p90": 4e8}
#: Epoch AI and EPRI (2025), "Scaling Intelligence: The exponential growth of AI's power
#: needs": the largest training runs may need 4-16 GW by 2030.
POWER_2030_W = (4e9, 16e9)
POWER_2030_SOURCE = (
    "Epoch AI and EPRI (2025), 'Scaling Intelligence: the exponential growth of AI's "
    "power needs': individual frontier training runs could need 4-16 GW by 2030"
)


def largest_by_year(clusters: pd.DataFrame, years, certainty=NOWCAST_CERTAINTY) -> pd.DataFrame:
    """Per year, the largest single cluster operating by its end (existing, decommissioned
    not yet, or planned with a counted certainty), by H100e.

    Parameters
    ----------
    clusters : pandas.DataFrame
        ``load_clusters()``.
    years : iterable of int
    certainty : tuple of str
        The planned clusters counted.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year``, ``name``, ``status``, ``certainty``, ``h100e``,
        ``power_watts``, ``t`` (its first operational date).
    """
    single = clusters["single_cluster"] != "no"
    counted = (clusters["status"] != "planned") | clusters["certainty"].isin(certainty)
    pool = clusters[single & counted & clusters["h100e"].notna()]
    rows = []
    for year in years:
        end = year + 1.0  # a year label is its end (project.trajectory.YEAR_IS)
        there = pool[pool["t"] < end]
        if "decommissioned_t" in there:
            there = there[~(there["decommissioned_t"] < end)]
        if there.empty:
            continue
        best = there.loc[there["h100e"].idxmax()]
        rows.append(
            {
                "year": int(year),
                "name": str(best["name"]),
                "status": str(best["status"]),
                "certainty": str(best.get("certainty", "") or ""),
                "h100e": float(best["h100e"]),
                "power_watts": float(best["power_watts"]),
                "t": float(best["t"]),
            }
        )
    return pd.DataFrame(rows)


def nowcast_allowed(inputs, years, h100e: np.ndarray) -> np.ndarray | None:
    """ln FLOP of the largest run the given clusters allow, per draw and year (S, Y).

    The scenario's first ``cluster`` ceiling with ``limit = h100e[j]`` at year ``j`` (no
    growth within the year), read at the year's end; None without a cluster ceiling.
    """
    from forecast.project.limits import ln_affordable
    from forecast.project.trajectory import year_instant

    ceiling = next((c for c in inputs.constraints if c.kind == "cluster"), None)
    if ceiling is None:
        return None
    s = inputs.n_draws
    out = np.empty((s, len(years)))
    for j, (year, size) in enumerate(zip(years, h100e, strict=True)):
        t = float(year_instant(year))
        fixed = dataclasses.replace(
            ceiling, limit=np.full(s, size), reference_year=t, growth=np.zeros(s)
        )
        out[:, j] = ln_affordable(inputs, fixed, np.full((s, 1), t))[:, 0]
    return out


def demand_h100e(inputs, t: np.ndarray) -> np.ndarray | None:
    """log10 of the cluster the record run needs at ``t``, in H100e, per draw (S, T): its
    sustained FLOP/s over what one H100e of the first ``cluster`` ceiling gives it (share,
    sites, split efficiency, realised FLOP/s per H100e); None without a cluster ceiling."""
    from forecast.project.limits import ln_demand, ln_record

    ceiling = next((c for c in inputs.constraints if c.kind == "cluster"), None)
    if ceiling is None:
        return None
    # The engine's times are per draw: (S, T).
    t = np.broadcast_to(np.asarray(t, dtype=float), (inputs.n_draws, len(t)))
    ln_flops = ln_demand(inputs, ceiling, t, ln_record(inputs, t))
    per_h100e = ceiling.ln_limit_ref() - np.log(ceiling.limit)
    return (ln_flops - per_h100e[:, None]) / np.log(10.0)


def supply(result, cluster_fit, clusters: pd.DataFrame) -> xr.Dataset:
    """The supply-side dataset of one scenario run.

    Parameters
    ----------
    result : forecast.project.scenario.ScenarioResult
        The run (its inputs and projection).
    cluster_fit : forecast.models.clusters.ClusterFit
        The fitted cluster trends; its draws are paired with the projection's by
        ``result.inputs.inputs_meta["posterior_index"]`` where present.
    clusters : pandas.DataFrame
        ``load_clusters()`` of the scenario's ``data.clusters``.

    Returns
    -------
    xarray.Dataset
        ``largest_log10_<series>`` (draw, year), ``growth_<group>_<series>`` (draw),
        the nowcast (``nowcast_year``: the announced cluster, ``nowcast_log10_flop``,
        ``record_log10_flop``), the clusters for the figure (``cluster`` dim), the
        2030 power of the record run, and the published values of the checks in attrs.
    """
    from forecast.project.trajectory import year_instant

    projection = result.projection
    n = projection.sizes["draw"]
    index = np.asarray(result.inputs.inputs_meta.get("posterior_index", np.arange(n)))
    first = int(np.floor(result.start_year))
    years = np.arange(first, SUPPLY_UNTIL + 1)
    data: dict[str, tuple] = {}
    for series in SERIES:
        at = cluster_fit.log10_at(series, year_instant(years))[index]
        data[f"largest_log10_{series}"] = (("draw", "year"), at)
        for group in ("leading", "largest"):
            grow = cluster_fit.growth_per_year(series, group)[index]
            data[f"growth_{group}_{series}"] = (("draw",), 1.0 + grow)
    now = largest_by_year(clusters, NOWCAST_YEARS)
    allowed = (
        nowcast_allowed(result.inputs, list(now["year"]), now["h100e"].to_numpy())
        if len(now)
        else None
    )
    coords = {"year": years, "nowcast_year": now["year"].to_numpy() if len(now) else []}
    if len(now):
        for col in ("name", "status", "certainty"):
            data[f"nowcast_{col}"] = (("nowcast_year",), now[col].to_numpy(dtype=str))
        for col in ("h100e", "power_watts", "t"):
            data[f"nowcast_{col}"] = (("nowcast_year",), now[col].to_numpy(dtype=float))
        record = projection["log10_flop"].sel(year=now["year"].to_numpy()).to_numpy()
        data["record_log10_flop"] = (("draw", "nowcast_year"), record)
        if allowed is not None:
            data["nowcast_log10_flop"] = (("draw", "nowcast_year"), allowed / np.log(10.0))
    shown = clusters[clusters["h100e"].notna() & (clusters["t"] >= 2015)]
    for col in ("name", "status", "certainty"):
        data[f"cluster_{col}"] = (("cluster",), shown[col].fillna("").to_numpy(dtype=str))
    for col in ("t", "h100e", "power_watts"):
        data[f"cluster_{col}"] = (("cluster",), shown[col].to_numpy(dtype=float))
    demand = demand_h100e(result.inputs, year_instant(years))
    if demand is not None:
        data["demand_log10_h100e"] = (("draw", "year"), demand)
    if SUPPLY_UNTIL in projection["year"].to_numpy():
        power = projection["power_watts"].sel(year=SUPPLY_UNTIL).to_numpy()
        data["record_power_watts_2030"] = (("draw",), power)
    stock = stock_by_year(result, year_instant(years))
    if stock is not None:
        data["stock_h100e"] = (("draw", "year"), stock[0])
    last = largest_existing(clusters, float(result.start_year))
    return xr.Dataset(
        data,
        coords=coords,
        attrs={
            "pilz_2025": PILZ_2025,
            "pilz_source": PILZ_SOURCE,
            "largest_2025": {k: list(v) for k, v in LARGEST_2025.items()},
            "largest_2025_source": LARGEST_2025_SOURCE,
            "power_2030_watts": list(POWER_2030_W),
            "power_2030_source": POWER_2030_SOURCE,
            "largest_existing": last,
            "nowcast_certainty": list(NOWCAST_CERTAINTY),
            "clusters_fitted": cluster_fit.counts,
            "start_year": float(result.start_year),
            **({"stock": stock[1]} if stock is not None else {}),
            "production_2030": SEVILLA_2030,
        },
    )


def stock_by_year(result, t: np.ndarray) -> tuple[np.ndarray, dict] | None:
    """The installed stock of AI accelerators (H100e) at ``t`` per draw, as the first
    ``chips`` ceiling that leaves its limit to the stock reads it (the latest installed
    figure grown at the ceiling's growth), and that figure; None without such a ceiling."""
    from forecast.data.clusters import latest_stock_row, load_accelerators

    scenario = result.scenario
    for i, c in enumerate(scenario.constraints):
        if c.kind == "chips" and c.left_to_data(scenario.set_keys):
            table = load_accelerators(scenario.data.accelerators)
            row = latest_stock_row(table)
            t0, h100e = float(row["t"]), float(row["h100e"])
            growth = np.asarray(result.inputs.constraints[i].growth, dtype=float)
            values = h100e * (1.0 + growth[:, None]) ** (np.asarray(t)[None, :] - t0)
            return values, {
                "t": t0,
                "h100e": h100e,
                "source": str(row["source_title"]),
                "ceiling": c.name,
            }
    return None


def largest_existing(clusters: pd.DataFrame, until: float) -> dict:
    """The largest cluster operating at ``until`` (decimal year) in the data: name, date,
    H100e, power (W)."""
    there = clusters[(clusters["status"] != "planned") & (clusters["t"] <= until)]
    there = there[there["h100e"].notna()]
    if there.empty:
        return {}
    best = there.loc[there["h100e"].idxmax()]
    return {
        "name": str(best["name"]),
        "t": float(best["t"]),
        "h100e": float(best["h100e"]),
        "power_watts": float(best["power_watts"]) if np.isfinite(best["power_watts"]) else None,
    }
