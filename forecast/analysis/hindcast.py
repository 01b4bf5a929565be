"""Hindcast of the conversion: modelled against published cost and power of later runs.

Fit the conversion of compute into dollars and watts on what was known at a cutoff (chips
released by then for the datasheet conversion; runs published by then for the realised
one), then, for every later run with a published capital cost, amortised cost or power
draw, give the model's figure for that run (its published compute, at its publication
date) beside the published one. The compute trend plays no part: each run's own compute
is used, so the hindcast tests the conversion alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import xarray as xr

from forecast.data.loaders import load_run_hardware, load_runs
from forecast.data.units import decimal_year
from forecast.progress import Log, quiet
from forecast.scenario import Fixed, Scenario
from forecast.stats import quantiles

#: Quantities scored: summary.json's name, the run_hardware column, the engine's demand.
QUANTITIES = {
    "capex_usd": ("hardware_cost_usd", "capex"),
    "amortized_usd": ("amortized_cost_usd", "amortized"),
    "power_watts": ("power_watts", "power"),
}

#: "Within a factor of 3": the share the hindcast reports.
WITHIN = 3.0


def _without_trend(scenario: Scenario, cutoff: dt.date) -> Scenario:
    """The scenario as known at ``cutoff``, with the compute trend fixed (it is not used:
    each run's own compute is), so that no trend is fitted."""
    data = dataclasses.replace(scenario.data, until=cutoff)
    trend = dataclasses.replace(
        scenario.trend,
        doubling_time_months=Fixed(6.0),
        level_flop=Fixed(1e26),
        level_year=decimal_year(cutoff),
    )
    return dataclasses.replace(scenario, data=data, trend=trend)


def runs_with_figures(scenario: Scenario):
    """The scenario's runs that have published hardware figures, with those figures."""
    runs = load_runs(scenario.data.runs)
    figures = load_run_hardware(scenario.data.run_hardware, runs)
    return runs.merge(figures, on="name", how="inner", suffixes=("", "_hw"))


def modelled(inputs, demand: str, t: np.ndarray, compute: np.ndarray) -> np.ndarray:
    """Median, 10th and 90th percentile over draws of what runs of ``compute`` FLOP at
    years ``t`` demand (``demand``: "capex", "amortized" or "power"): shape (3, len(t))."""
    from forecast.project.limits import ln_demand

    grid = np.broadcast_to(np.asarray(t, dtype=float), (inputs.n_draws, len(t)))
    ln_c = np.broadcast_to(np.log(np.asarray(compute, dtype=float)), grid.shape)
    return quantiles(np.exp(ln_demand(inputs, demand, grid, ln_c)), [0.5, 0.1, 0.9], axis=0)


def later_runs(scenario: Scenario, cutoff: dt.date):
    """Finished pretraining runs published after ``cutoff`` with a published figure."""
    merged = runs_with_figures(scenario)
    merged = merged[merged["t"] > decimal_year(cutoff)]
    if "stage" in merged:
        merged = merged[merged["stage"] == "pretrain"]
    return merged.reset_index(drop=True)


def check_cutoff(scenario: Scenario, cutoff: dt.date) -> list[str]:
    """Problems with a hindcast ``cutoff``, found before any fitting (one line each)."""
    if not len(later_runs(scenario, cutoff)):
        return [
            f"--hindcast/--cutoff: no finished run with a published cost or power figure was "
            f"published after {cutoff.isoformat()}; choose an earlier cutoff"
        ]
    return []


def hindcast(
    scenario: Scenario,
    cutoff: dt.date,
    seed: int | None = None,
    use_cache: bool = True,
    log: Log = quiet,
) -> xr.Dataset:
    """Modelled against published capital cost, amortised cost and power of later runs.

    Parameters
    ----------
    scenario : Scenario
    cutoff : datetime.date
        Fits use only what was published (or released) by this date.
    seed : int, optional
        Overrides the scenario's seed.
    use_cache : bool
        Load fits from the posterior cache.
    log : callable

    Returns
    -------
    xarray.Dataset
        Dim ``row`` (one per run and quantity with a published figure): ``name``,
        ``date``, ``quantity``, ``modelled_median``, ``modelled_p10``, ``modelled_p90``,
        ``published``, ``log10_ratio`` (of the modelled median to the published value).
        Attributes ``cutoff``, ``conversion``.
    """
    from forecast.models.fit import FitControl
    from forecast.models.scenario import (
        fit_conversion_of,
        fit_scenario,
        without_fitted_clusters,
    )
    from forecast.project.scenario import build_inputs

    seed = scenario.seed if seed is None else seed
    # The hindcast scores the conversion: the ceilings, the fitted cluster's too, play no part.
    sc = without_fitted_clusters(_without_trend(scenario, cutoff))
    rng = np.random.default_rng(seed)
    sampler_seed = int(rng.integers(0, 2**31 - 1))  # as run_scenario, so the cache is shared
    log(f"hindcast at {cutoff.isoformat()}: fitting the conversion on what was known then")
    runs, _, hw_fit = fit_scenario(sc, sampler_seed, FitControl(use_cache, log=log))
    conversion = fit_conversion_of(sc, sampler_seed, FitControl(use_cache, log=log))
    inputs, _ = build_inputs(sc, runs, None, hw_fit, rng, None, conversion)
    later = later_runs(scenario, cutoff)
    rows: dict[str, list] = {k: [] for k in ("name", "date", "quantity", "published")}
    parts: list[np.ndarray] = []
    for quantity, (column, demand) in QUANTITIES.items():
        have = later[np.isfinite(later[column].to_numpy(dtype=float))]
        if not len(have):
            continue
        # Every draw of the conversion, at each run's date, for that run's compute.
        parts.append(modelled(inputs, demand, have["t"], have["compute_flop"]).T)
        rows["name"] += have["name"].astype(str).tolist()
        rows["date"] += [str(d) for d in have["date"]]
        rows["quantity"] += [quantity] * len(have)
        rows["published"] += have[column].astype(float).tolist()
    q = np.concatenate(parts) if parts else np.empty((0, 3))
    published = np.asarray(rows["published"], dtype=float)
    return xr.Dataset(
        {
            "name": ("row", np.array(rows["name"], dtype=str)),
            "date": ("row", np.array(rows["date"], dtype=str)),
            "quantity": ("row", np.array(rows["quantity"], dtype=str)),
            "modelled_median": ("row", q[:, 0]),
            "modelled_p10": ("row", q[:, 1]),
            "modelled_p90": ("row", q[:, 2]),
            "published": ("row", published),
            "log10_ratio": ("row", np.log10(q[:, 0] / published)),
        },
        attrs={"cutoff": cutoff.isoformat(), "conversion": scenario.hardware.conversion},
    )


def hindcast_summary(ds: xr.Dataset) -> dict[str, dict]:
    """Per quantity: ``runs``, ``median_ratio`` (modelled / published),
    ``share_within_3x`` (the share of runs whose modelled median is within 3x) and
    ``share_inside_80`` (the share whose published figure lies inside the model's 80%
    interval: a calibrated interval holds 80% of them)."""
    out = {}
    for quantity in QUANTITIES:
        rows = ds["quantity"].to_numpy() == quantity
        r = ds["log10_ratio"].to_numpy()[rows]
        if not r.size:
            out[quantity] = {
                "runs": 0,
                "median_ratio": None,
                "share_within_3x": None,
                "share_inside_80": None,
            }
            continue
        published = ds["published"].to_numpy()[rows]
        inside = (published >= ds["modelled_p10"].to_numpy()[rows]) & (
            published <= ds["modelled_p90"].to_numpy()[rows]
        )
        out[quantity] = {
            "runs": int(r.size),
            "median_ratio": float(10 ** np.median(r)),
            "share_within_3x": float(np.mean(np.abs(r) <= math.log10(WITHIN))),
            "share_inside_80": float(np.mean(inside)),
        }
    return out


def hindcast_json(ds: xr.Dataset) -> dict:
    """``hindcast.json`` (keys fixed by the design): cutoff, runs[], summary."""

    def number(x: float) -> float:
        return float(f"{x:.6g}")

    runs = []
    for i in range(ds.sizes["row"]):
        runs.append(
            {
                "name": str(ds["name"].values[i]),
                "date": str(ds["date"].values[i]),
                "quantity": str(ds["quantity"].values[i]),
                "modelled": {
                    "median": number(ds["modelled_median"].values[i]),
                    "p10": number(ds["modelled_p10"].values[i]),
                    "p90": number(ds["modelled_p90"].values[i]),
                },
                "published": number(ds["published"].values[i]),
                "log10_ratio": number(ds["log10_ratio"].values[i]),
            }
        )
    summary = {
        q: {k: (number(v) if isinstance(v, float) else v) for k, v in s.items()}
        for q, s in hindcast_summary(ds).items()
    }
    return {
        "cutoff": ds.attrs["cutoff"],
        "conversion": ds.attrs["conversion"],
        "runs": runs,
        "summary": summary,
    }


#: Runs whose published cost and power the briefing sets beside the model's: the reality
#: checks of the domain brief (GPT-4, 2023; Llama 3.1-405B, 2024; Grok 3, 2025).
KNOWN_RUNS = ("GPT-4", "Llama 3.1-405B", "Grok 3")


def known_runs(scenario: Scenario, inputs, names=KNOWN_RUNS) -> xr.Dataset:
    """The model's capital cost, amortised cost and power for known runs, beside theirs.

    Each run's own compute at its own date, through the scenario's conversion as fitted
    for the projection (so on all the data, these runs included: a check of the level,
    not a forecast; :func:`hindcast` is the forecast).

    Returns
    -------
    xarray.Dataset
        Dims ``run`` and ``quantity``: ``modelled_median``, ``modelled_p10``,
        ``modelled_p90``, ``published`` (NaN where not published); ``date`` and
        ``compute_flop`` per run. Runs missing from the data are left out.
    """
    table = runs_with_figures(scenario)
    table = (
        table[table["name"].isin(names)]
        .set_index("name")
        .reindex([n for n in names if n in set(table["name"])])
    )
    quantities = list(QUANTITIES)
    n = len(table)
    q = np.empty((3, n, len(quantities)))
    published = np.empty((n, len(quantities)))
    for j, (column, demand) in enumerate(QUANTITIES.values()):
        q[:, :, j] = modelled(inputs, demand, table["t"], table["compute_flop"]) if n else 0.0
        published[:, j] = table[column].to_numpy(dtype=float)
    return xr.Dataset(
        {
            "modelled_median": (("run", "quantity"), q[0]),
            "modelled_p10": (("run", "quantity"), q[1]),
            "modelled_p90": (("run", "quantity"), q[2]),
            "published": (("run", "quantity"), published),
            "date": ("run", np.array([str(d) for d in table["date"]], dtype=str)),
            "compute_flop": ("run", table["compute_flop"].to_numpy(dtype=float)),
        },
        coords={"run": np.array(list(table.index), dtype=str), "quantity": quantities},
    )
