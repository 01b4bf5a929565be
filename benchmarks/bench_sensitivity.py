"""A doubling-time sweep of 100 values over 4,000 draws, once the posterior is cached.

The baseline scenario is fitted (or loaded from the posterior cache) first; the timed
part is :func:`forecast.analysis.sweep` alone: 100 values of the current-era doubling
time from 3 to 24 months, every other input drawn (4,000 draws, common random numbers),
every constraint solved per value. Target: at most 2 s.

Usage: python benchmarks/bench_sensitivity.py [scenario.toml]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
from _common import write

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
N_VALUES = 100
N_DRAWS = 4000


def main() -> int:
    from forecast.analysis import sweep
    from forecast.analysis.sensitivity import base_from
    from forecast.project.scenario import run_scenario
    from forecast.scenario import load_scenario

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "scenarios" / "baseline.toml"
    t0 = time.perf_counter()
    result = run_scenario(load_scenario(path), draws=N_DRAWS)  # fits come from the cache
    setup_s = time.perf_counter() - t0
    values = np.linspace(3.0, 24.0, N_VALUES)
    sweep(base_from(result), values=values[:2])  # warm-up: first-call imports and caches
    t1 = time.perf_counter()
    ds = sweep(result, values=values)
    seconds = time.perf_counter() - t1
    ok = seconds <= TARGET_S
    print(
        f"sweep of {N_VALUES} values x {result.inputs.n_draws} draws x "
        f"{ds.sizes['constraint']} constraints: {seconds:.3f} s "
        f"(target {TARGET_S} s: {'met' if ok else 'NOT met'}); setup {setup_s:.1f} s"
    )
    out = write(
        "sensitivity",
        {
            "what": f"sweep of trend.doubling_time_months, {N_VALUES} values 3-24 months, "
            f"{result.inputs.n_draws} draws, scenario {result.scenario.name}",
            "seconds": seconds,
            "setup_seconds": setup_s,
            "target_s": TARGET_S,
            "measured": dt.datetime.now().isoformat(timespec="seconds"),
            "ok": ok,
        },
    )
    print(f"written {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
