"""How the realised conversion's settings were chosen, and how they then did held out.

The settings (forecast/models/priors.py) are chosen on one early cutoff only, then frozen:

1. **Selection** at 2020-01-01: the conversion is fitted on the runs published by then and
   scored on the runs published in 2020-2021 (the mean absolute log10 error of the
   modelled capital cost, amortised cost and power against Epoch AI's figures), for every
   combination of
   - the recency half-life: none, 3, 2, 1.5, 1 or 0.5 years;
   - the efficiencies' rates pooled (each within 0.05 OOM/yr of a shared rate) or nearly
     separate (within 0.3);
   - the training duration growing with the run's size (TruncatedNormal(0.3, 0.3)) or
     with the date alone (a size term fixed near 0).
2. **Held out**: the chosen settings, frozen, score the 2022-01-01 and 2024-01-01
   hindcasts (every later run), with the coverage of the 80% intervals beside the error.
   The briefing's hindcast section shows the same numbers for its own cutoff.

Fits are not cached here (each setting is its own model). About 8 minutes on this machine.

Usage: python benchmarks/select_conversion.py
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from pathlib import Path

import numpy as np
from _common import write

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecast.analysis.hindcast import hindcast  # noqa: E402
from forecast.data.units import decimal_year  # noqa: E402
from forecast.models import fit as fit_module  # noqa: E402
from forecast.models import priors as P  # noqa: E402
from forecast.scenario import load_scenario  # noqa: E402

SELECTION_CUTOFF = dt.date(2020, 1, 1)
#: Runs scored by the selection: those published before this date (two years of runs).
SELECTION_SCORED_UNTIL = dt.date(2022, 1, 1)
HELD_OUT = (dt.date(2022, 1, 1), dt.date(2024, 1, 1))
HALF_LIVES = (None, 3.0, 2.0, 1.5, 1.0, 0.5)
SPREADS = {"pooled": 0.05, "separate": 0.3}
SIZES = {"size and date": (0.3, 0.3), "date alone": (0.0, 0.001)}


def use(half_life, spread: float, size: tuple[float, float]) -> None:
    """Set the conversion's settings (and a cache name of their own)."""
    P.RECENCY_HALF_LIFE_YEARS = half_life
    P.CONVERSION_SLOPE_SPREAD = spread
    P.DURATION_SIZE_MU, P.DURATION_SIZE_SD = size
    fit_module.CONVERSION_MODEL = f"select-{half_life}-{spread}-{size[0]}-{size[1]}"


def score(ds, until: dt.date | None = None) -> dict:
    """Error and 80% coverage of a hindcast, over its rows published before ``until``."""
    t = np.array([decimal_year(dt.date.fromisoformat(d)) for d in ds["date"].values])
    keep = np.ones(t.size, bool) if until is None else t < decimal_year(until)
    r = ds["log10_ratio"].values[keep]
    pub = ds["published"].values[keep]
    inside = (pub >= ds["modelled_p10"].values[keep]) & (pub <= ds["modelled_p90"].values[keep])
    q = ds["quantity"].values[keep]
    per = {}
    for k in ("capex_usd", "amortized_usd", "power_watts"):
        m = q == k
        per[k] = {
            "runs": int(m.sum()),
            "median_ratio": float(10 ** np.median(r[m])) if m.any() else None,
            "inside_80": float(np.mean(inside[m])) if m.any() else None,
        }
    return {
        "rows": int(keep.sum()),
        "mean_abs_log10_error": round(float(np.mean(np.abs(r))), 4),
        "inside_80": round(float(np.mean(inside)), 4),
        "by_quantity": per,
    }


def main() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    table = []
    for half_life, (spread_name, spread), (size_name, size) in itertools.product(
        HALF_LIVES, SPREADS.items(), SIZES.items()
    ):
        use(half_life, spread, size)
        ds = hindcast(scenario, SELECTION_CUTOFF, use_cache=False)
        s = score(ds, SELECTION_SCORED_UNTIL)
        table.append({"half_life": half_life, "rates": spread_name, "duration": size_name, **s})
        print(half_life, spread_name, size_name, s["mean_abs_log10_error"], flush=True)
    best = min(table, key=lambda row: row["mean_abs_log10_error"])
    use(best["half_life"], SPREADS[best["rates"]], SIZES[best["duration"]])
    held = {c.isoformat(): score(hindcast(scenario, c, use_cache=False)) for c in HELD_OUT}
    path = write(
        "select_conversion",
        {
            "selection": {
                "cutoff": SELECTION_CUTOFF.isoformat(),
                "scored_runs_published_before": SELECTION_SCORED_UNTIL.isoformat(),
                "table": table,
                "chosen": {k: best[k] for k in ("half_life", "rates", "duration")},
            },
            "held_out": held,
        },
    )
    print(f"chosen {best['half_life']} {best['rates']} {best['duration']}; wrote {path}")


if __name__ == "__main__":
    main()
