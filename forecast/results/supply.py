"""``summary.json`` ``supply``: the largest cluster by year, the nowcast of 2026-2028 from
the clusters built and announced, the ``cluster`` ceiling's timing and the world checks,
from the dataset of :func:`forecast.analysis.supply.supply`."""

from __future__ import annotations

import numpy as np

from forecast.stats import rounded, rounded_interval


def _within(values, low: float, high: float) -> bool | None:
    """Whether the median of ``values`` lies in [low, high] (None without values)."""
    median = rounded_interval(values)["median"]
    return None if median is None else bool(low <= median <= high)


def cluster_limit(projection, start: float | None = None) -> dict | None:
    """The first ``cluster`` ceiling's hit year and P(binds first), or None; with ``start``
    (the projection's start), the share of draws in which it binds there already."""
    kinds = [str(k) for k in projection["constraint_kind"].to_numpy()]
    if "cluster" not in kinds:
        return None
    i = kinds.index("cluster")
    hits = projection["hit_year"].to_numpy()[i]
    binding = np.asarray(projection["binding"].to_numpy(), dtype=int)
    names = [str(n) for n in projection["constraint"].to_numpy()]
    out = {
        "name": names[i],
        "hit_year": rounded_interval(hits),
        "prob_hit_by_horizon": rounded(float(np.mean(np.isfinite(hits)))),
        "prob_binds_first": rounded(float(np.mean(binding == i))),
    }
    if start is not None:
        out["prob_met_at_start"] = rounded(float(np.mean(hits <= start + 1e-9)))
    # Which limit would bind first without the cluster ceiling: the earliest of the others
    # per draw (none where no other is met by the horizon).
    others = [j for j in range(len(names)) if j != i]
    if others:
        rest = projection["hit_year"].to_numpy()[others]
        first = np.where(np.isfinite(rest).any(axis=0), np.argmin(rest, axis=0), -1)
        counts = np.bincount(first[first >= 0], minlength=len(others))
        top = int(np.argmax(counts))
        out["binds_first_without"] = {
            "name": names[others[top]] if counts[top] else None,
            "share": rounded(float(counts[top] / first.size)),
        }
    return out


def supply_json(ds, projection) -> dict:
    """The ``supply`` block of ``summary.json``.

    Parameters
    ----------
    ds : xarray.Dataset
        :func:`forecast.analysis.supply.supply`.
    projection : xarray.Dataset
        The scenario's projection (for the ``cluster`` ceiling).
    """
    series = ("h100e", "power_watts", "hardware_cost_usd")
    largest = {
        str(int(year)): {
            s: rounded_interval(10 ** ds[f"largest_log10_{s}"].sel(year=year).to_numpy())
            for s in series
        }
        for year in ds["year"].to_numpy()
    }
    growth = {
        group: {s: rounded_interval(ds[f"growth_{group}_{s}"].to_numpy()) for s in series}
        for group in ("leading", "largest")
    }
    nowcast = {}
    for j, year in enumerate(ds["nowcast_year"].to_numpy()):
        entry = {
            "cluster": str(ds["nowcast_name"].to_numpy()[j]),
            "status": str(ds["nowcast_status"].to_numpy()[j]),
            "certainty": str(ds["nowcast_certainty"].to_numpy()[j]) or None,
            "h100e": rounded(float(ds["nowcast_h100e"].to_numpy()[j])),
            "power_watts": rounded(float(ds["nowcast_power_watts"].to_numpy()[j])),
            "record_flop": rounded_interval(10 ** ds["record_log10_flop"].to_numpy()[:, j]),
        }
        if str(int(year)) in largest:
            # The announced cluster against the fitted trend's largest for the same year.
            fitted = largest[str(int(year))]["h100e"]["median"]
            entry["announced_over_fitted"] = rounded(entry["h100e"] / fitted) if fitted else None
        if "nowcast_log10_flop" in ds:
            allowed = ds["nowcast_log10_flop"].to_numpy()[:, j]
            gap = allowed - ds["record_log10_flop"].to_numpy()[:, j]
            entry["flop"] = rounded_interval(10**allowed)
            # How many times the record the announced cluster allows (below 1: the record
            # needs more than the largest announced cluster gives one run).
            entry["allowed_over_record"] = rounded_interval(10**gap)
            entry["prob_record_above_allowed"] = rounded(float(np.mean(gap < 0)))
        nowcast[str(int(year))] = entry
    attrs = ds.attrs
    pilz = attrs["pilz_2025"]
    checks = {
        "growth_vs_pilz_2025": {
            s: {
                "fitted_per_year": growth["leading"][s],
                "published_per_year": pilz[s],
                # Within the fitted 80% interval?
                "published_in_interval": bool(
                    growth["leading"][s]["p10"] <= pilz[s] <= growth["leading"][s]["p90"]
                ),
            }
            for s in series
        },
        "pilz_source": attrs["pilz_source"],
    }
    existing = attrs.get("largest_existing") or {}
    if existing:
        low_h, high_h = attrs["largest_2025"]["h100e"]
        low_p, high_p = attrs["largest_2025"]["power_watts"]
        power = existing.get("power_watts")
        checks["largest_existing"] = {
            **{k: existing[k] for k in ("name", "t", "h100e", "power_watts")},
            "published_h100e": [low_h, high_h],
            "published_power_watts": [low_p, high_p],
            "h100e_in_range": bool(low_h <= existing["h100e"] <= high_h),
            "power_in_range": None if power is None else bool(low_p <= power <= high_p),
            "source": attrs["largest_2025_source"],
        }
    if "record_power_watts_2030" in ds:
        low, high = attrs["power_2030_watts"]
        values = ds["record_power_watts_2030"].to_numpy()
        checks["record_power_2030"] = {
            "power_watts": rounded_interval(values),
            "published_watts": [low, high],
            "median_in_range": _within(values, low, high),
            "source": attrs["power_2030_source"],
        }
    stock = None
    if "stock_h100e" in ds:
        stock = {
            "installed_h100e": {
                str(int(year)): rounded_interval(ds["stock_h100e"].sel(year=year).to_numpy())
                for year in ds["year"].to_numpy()
            },
            "from": attrs.get("stock"),
            "largest_run_share_ceiling": (attrs.get("stock") or {}).get("ceiling"),
        }
        last = str(int(ds["year"].to_numpy()[-1]))
        if last == "2030":
            sev = attrs["production_2030"]
            installed = stock["installed_h100e"][last]
            checks["stock_2030_vs_sevilla_2024"] = {
                "installed_h100e": installed,
                "published_produced_h100e": sev,
                "median_in_published_interval": bool(
                    installed["median"] is not None
                    and sev["p10"] <= installed["median"] <= sev["p90"]
                ),
                "source": "Sevilla et al. (2024), Epoch AI, 'Can AI scaling continue through "
                "2030?': about 100 million H100e produced for AI by 2030 (80% interval 20-400 "
                "million)",
            }
    out = {
        "largest_cluster": largest,
        "growth_per_year": growth,
        "nowcast": nowcast,
        "nowcast_certainty": list(attrs["nowcast_certainty"]),
        "clusters_fitted": dict(attrs["clusters_fitted"]),
        "checks": checks,
        **({"accelerator_stock": stock} if stock is not None else {}),
    }
    limit = cluster_limit(projection, attrs.get("start_year"))
    if limit is not None:
        out["cluster_limit"] = limit
    return out
