"""``summary.json``: the machine-readable headline of a scenario run (keys fixed by the design)."""

from __future__ import annotations

import json
import math

import numpy as np

from forecast import __version__
from forecast.results import Results
from forecast.results.supply import supply_json
from forecast.stats import growth, prob_finite, rounded, rounded_interval


def _era_starts(results: Results) -> list[float]:
    runs = results.runs_used
    first = float(runs["t"].min()) if len(runs) else None
    if not results.trend_fitted or results.fit.attrs["eras"] == 1:
        return [first]
    breaks = np.median(results.fit["breakpoint"].to_numpy(), axis=0)
    return [first, *map(float, breaks)]


def binding_shares(projection) -> tuple[np.ndarray, float]:
    """How often each constraint is the first to bind, over all draws.

    Parameters
    ----------
    projection : xarray.Dataset
        A projection with ``binding`` (per draw, the index of the first binding
        constraint, -1 if none by the horizon) and the ``constraint`` dim.

    Returns
    -------
    shares : numpy.ndarray
        Per constraint (in the order of the ``constraint`` dim), the share of draws in
        which it binds first.
    none : float
        The share of draws that meet no constraint by the horizon. Draws that meet none
        stay in the denominator, so ``shares.sum() + none == 1``: a limit that binds first
        in 60% of the draws is not inflated by the draws in which nothing binds.
    """
    binding = np.asarray(projection["binding"].to_numpy(), dtype=int)
    k = projection.sizes["constraint"]
    n = max(binding.size, 1)
    counts = np.bincount(binding[binding >= 0], minlength=k)[:k]
    return counts / n, float(np.sum(binding < 0)) / n


def binding_constraint(results: Results) -> tuple[str | None, float]:
    """The constraint that binds first in the most draws and its share of all draws.

    None (share 0) only if no draw meets any constraint by the horizon; the share may be
    below that of the draws meeting none (see ``limit.prob_binds_first_none``). Ties go to
    the constraint listed first, so the choice never depends on the order of the draws.
    """
    ds = results.projection
    shares, _ = binding_shares(ds)
    if shares.size == 0 or shares.max() <= 0:
        return None, 0.0
    index = int(np.argmax(shares))
    return str(ds["constraint"].to_numpy()[index]), float(shares[index])


#: The projection variable of the compute each constraint allows (``constraint`` x ``draw``
#: x ``year``, log10 FLOP); projections written before it existed lack it, and the report
#: then leaves it out.
ALLOWED_VAR = "log10_flop_allowed"


def build_summary(results: Results) -> dict:
    """The summary as a JSON-ready dict, with every key the design fixes.

    Every interval is ``{"median", "p10", "p90"}``; years are decimal years; a hit year
    beyond the horizon in more than half the draws has a ``null`` median.
    """
    sc = results.scenario
    ds = results.projection
    runs = results.runs_used
    fit = results.fit

    doubling = ds["doubling_time_months"].to_numpy()
    eras = []
    if results.trend_fitted:
        per_era = fit["era_doubling_months"].to_numpy()
        for k, start in enumerate(_era_starts(results)):
            eras.append(
                {
                    "start_year": rounded(start),
                    "doubling_time_months": rounded_interval(per_era[:, k]),
                }
            )
    else:
        eras.append(
            {
                "start_year": rounded(_era_starts(results)[0]),
                "doubling_time_months": rounded_interval(doubling),
            }
        )
    if results.trend_fitted:
        d = fit.sel(fit="compute trend")
        diagnostics = {
            "r_hat_max": rounded(float(d["diag_r_hat_max"])),
            "ess_bulk_min": rounded(float(d["diag_ess_bulk_min"])),
            "divergences": int(d["diag_divergences"]),
        }
    else:
        diagnostics = {"r_hat_max": None, "ess_bulk_min": None, "divergences": None}

    constraints = []
    first_shares, none_share = binding_shares(ds)
    for i, name in enumerate(ds["constraint"].to_numpy()):
        hit = ds["hit_year"].sel(constraint=name).to_numpy()
        constraints.append(
            {
                "name": str(name),
                "kind": str(ds["constraint_kind"].sel(constraint=name).item()),
                "basis": str(ds["constraint_basis"].sel(constraint=name).item()) or None,
                # What the run is compared with ("capex", "power", "flops", "flops_max"...).
                **(
                    {"demand": str(ds["constraint_demand"].sel(constraint=name).item())}
                    if "constraint_demand" in ds
                    else {}
                ),
                "hit_year": rounded_interval(hit),
                "prob_hit_by_horizon": rounded(prob_finite(hit)),
                "prob_binds_first": rounded(float(first_shares[i])),
            }
        )
    binding_name, binding_share = binding_constraint(results)

    first_year = math.floor(results.start_year)

    def by_year(suffix: str) -> dict:
        out = {}
        for year in ds["year"].to_numpy():
            if year < first_year or year > sc.horizon or year != math.floor(year):
                continue
            at = ds.sel(year=year)
            out[str(int(year))] = {
                "flop": rounded_interval(10 ** at[f"log10_flop{suffix}"].to_numpy()),
                "capex_usd": rounded_interval(at[f"capex_usd{suffix}"].to_numpy()),
                "amortized_usd": rounded_interval(at[f"amortized_usd{suffix}"].to_numpy()),
                "power_watts": rounded_interval(at[f"power_watts{suffix}"].to_numpy()),
            }
        return out

    # The largest run is the running record; the typical frontier run is the fitted trend
    # (the same as the record where the scenario gives the level itself).
    largest = by_year("")
    typical = by_year("_typical") if "log10_flop_typical" in ds else largest

    return {
        "scenario": sc.name,
        "version": __version__,
        "seed": int(results.seed),
        "scenario_sha256": sc.sha256,
        "horizon": int(sc.horizon),
        # What a year key ("2026") means: the end of that year (31 December).
        "year_is": str(ds.attrs.get("year_is", "start of year")),
        "draws": int(ds.sizes["draw"]),
        "data": {
            "runs_used": int(len(runs)),
            "selection": sc.data.selection().describe(),
            "latest_run_date": str(max(runs["date"])) if len(runs) else None,
        },
        "trend": {
            "doubling_time_months": rounded_interval(doubling),
            # The slope the projection uses over its first five years (a new era may
            # begin within them under [trend] forward = "hazard").
            "forward_doubling_time_months": rounded_interval(
                ds["forward_doubling_months"].to_numpy()
                if "forward_doubling_months" in ds
                else doubling
            ),
            "growth_per_year": rounded_interval(2 ** (12 / doubling)),
            "eras": eras,
            "diagnostics": diagnostics,
        },
        "growth": growth(ds),
        "hardware": {
            "price_performance_doubling_years": rounded_interval(
                ds["price_performance_doubling_years"].to_numpy()
            ),
            "efficiency_doubling_years": rounded_interval(
                ds["efficiency_doubling_years"].to_numpy()
            ),
        },
        "constraints": constraints,
        "limit": {
            "hit_year": rounded_interval(ds["first_hit_year"].to_numpy()),
            "binding_constraint": binding_name,
            "binding_share": rounded(binding_share),
            "prob_hit_by_horizon": rounded(prob_finite(ds["first_hit_year"].to_numpy())),
            "prob_binds_first_none": rounded(none_share),
            "post_limit_doubling_time_months": rounded_interval(
                ds["post_limit_doubling_months"].to_numpy()[
                    np.isfinite(ds["first_hit_year"].to_numpy())
                ]
            )
            if np.isfinite(ds["first_hit_year"].to_numpy()).any()
            else {"median": None, "p10": None, "p90": None},
        },
        "largest_run": largest,
        "typical_run": typical,
        "thresholds": thresholds(results),
        **(
            {"threshold_counts": _counts(results.threshold_counts)}
            if results.threshold_counts is not None
            else {}
        ),
        **(
            {"threshold_counts_published": results.threshold_counts_published}
            if getattr(results, "threshold_counts_published", None) is not None
            else {}
        ),
        **(
            {"feasible_2030": feasible_summary(results.feasible_2030)}
            if results.feasible_2030 is not None
            else {}
        ),
        **(
            {"supply": supply_json(results.supply, ds)}
            if getattr(results, "supply", None) is not None
            else {}
        ),
    }


def _counts(ds) -> dict:
    """``threshold_counts["1e26"]["YYYY"]``: notable runs published in that year at or
    above the threshold (median and 80% interval in whole runs)."""
    from forecast.analysis.counts import counts_json

    return counts_json(ds)


def feasible_summary(ds) -> dict:
    """``feasible_2030``: the largest run the physical limits allow in that year (FLOP),
    overall and by kind of limit, for this scenario and for the scenario with the
    published inputs (``reference``, when it was run)."""

    def block(source: str) -> dict:
        at = ds.sel(source=source)
        out = {"flop": rounded_interval(10 ** at["feasible"].to_numpy()), "by_limit": {}}
        for kind in ds["kind"].to_numpy():
            values = at[str(kind)].to_numpy() if str(kind) in at else None
            if kind != "feasible" and values is not None and np.isfinite(values).any():
                out["by_limit"][str(kind)] = rounded_interval(10**values)
        return out

    out = {"year": int(ds.attrs["year"]), **block("scenario")}
    if ds.attrs.get("reference"):
        out["reference"] = {"scenario": ds.attrs["reference"], **block("reference")}
    return out


def threshold_block(years: np.ndarray, start: float) -> dict:
    """One path's crossing of one threshold: ``p_crossed_by_start`` (the share of draws
    that are there by the start of the projection), the interval of the crossing year over
    the other draws (no clamping to the start; ``None`` where the quantile lies beyond the
    horizon) and ``prob_not_by_horizon`` (the share of all draws not there by the end of
    the horizon year)."""
    years = np.asarray(years, dtype=float)
    crossed = years <= start
    later = years[~crossed]
    return {
        "p_crossed_by_start": rounded(float(np.mean(crossed))) if years.size else None,
        **(rounded_interval(later) if later.size else {"median": None, "p10": None, "p90": None}),
        "prob_not_by_horizon": rounded(float(np.mean(np.isinf(years)))) if years.size else None,
    }


def thresholds(results: Results) -> dict:
    """When the largest run first reaches each compute threshold (``"1e25"`` ...).

    A threshold a run already in the data reached (among the runs the selection counts)
    gives that run's date with ``observed: true``. Otherwise, for the record's trend
    (unconstrained) and, under ``held``, for the run held to the ceilings: the probability
    that it is there already at the start of the projection (``p_crossed_by_start``: the
    trend says such a run has been trained, though none is published), the crossing year
    over the draws that are not (decimal years; ``None`` where most of them do not cross
    by the horizon) and the share of draws that never cross by the horizon.
    """
    ds = results.projection
    if "threshold_year" not in ds:
        return {}
    start = results.start_year
    runs = results.runs
    first = None
    if "threshold_first_t" in ds:
        # The first published model past each threshold by total compute (fine-tunes
        # count with their base's pretraining, as rules count), found when projecting.
        first = {k: ds[f"threshold_first_{k}"].to_numpy() for k in ("t", "run", "date", "stage")}
    elif runs is not None and "compute_flop" in runs and runs.sizes.get("run", 0):
        # A projection saved before that: the runs the trend used.
        import pandas as pd

        from forecast.project.record import first_past

        mask = runs["used"].to_numpy() if "used" in runs else np.ones(runs.sizes["run"], bool)
        used = pd.DataFrame(
            {k: runs[k].to_numpy()[mask] for k in ("name", "date", "t", "compute_flop")}
        )
        first = first_past(used, ds["threshold"].to_numpy())
        first["stage"] = np.full(first["t"].size, "", dtype=object)
    out = {}
    for j, k in enumerate(ds["threshold"].to_numpy()):
        key = f"1e{int(k)}"
        if first is not None and np.isfinite(first["t"][j]):
            year = float(first["t"][j])
            out[key] = {
                "observed": True,
                "date": str(first["date"][j]),
                "run": str(first["run"][j]),
                # "pretrain": a pretraining run; "fine-tune": a model whose total compute
                # (its base's pretraining plus its own) passed the threshold.
                **({"stage": str(first["stage"][j])} if first["stage"][j] else {}),
                "p_crossed_by_start": 1.0,
                "median": rounded(year),
                "p10": rounded(year),
                "p90": rounded(year),
                "prob_not_by_horizon": 0.0,
            }
            continue
        block = {
            "observed": False,
            **threshold_block(ds["threshold_year"].sel(threshold=k).to_numpy(), start),
        }
        if "threshold_year_held" in ds:
            held = ds["threshold_year_held"].sel(threshold=k).to_numpy()
            block["held"] = threshold_block(held, start)
        out[key] = block
    return out


def dumps(summary: dict) -> str:
    """Stable JSON text (sorted keys would reorder the design's sections, so insertion order)."""
    return json.dumps(summary, indent=2, allow_nan=False) + "\n"
