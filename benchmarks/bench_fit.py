"""Cold and cached fit of the frontier trend, for each sampler.

The frontier trend is the baseline's selection (top-10 at release since 2010), one era,
4 chains x 1000 draws after 1000 tuning steps. "Cold" means a fresh process with an empty
posterior cache and an empty PyTensor compilation cache (so C compilation is included, as
on a fresh machine); "cached" is the same call again in that process. Targets: cold at
most 60 s, cached at most 1 s.

nutpie is an optional extra (``pip install -e ".[nutpie]"``); without it only PyMC's
sampler is measured.

Usage: python benchmarks/bench_fit.py
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile

from _common import write

CHILD = r"""
import sys, time, json, datetime as dt
t0 = time.perf_counter()
from forecast.data import load_runs, select, Selection
from forecast.models import fit_trend, SamplerSettings
runs = select(load_runs(), Selection("top_n", top_n=10, since=dt.date(2010, 1, 1)))
t1 = time.perf_counter()
fit = fit_trend(runs, eras=1, settings=SamplerSettings(backend=sys.argv[1]), seed=1)
t2 = time.perf_counter()
again = fit_trend(runs, eras=1, settings=SamplerSettings(backend=sys.argv[1]), seed=1)
t3 = time.perf_counter()
d = fit.diagnostics
print(json.dumps({"import_s": t1 - t0, "cold_s": t2 - t1, "cached_s": t3 - t2,
                  "cached_hit": again.cached, "ess_bulk_min": d.ess_bulk_min,
                  "r_hat_max": d.r_hat_max, "divergences": d.divergences,
                  "ess_per_s": d.ess_bulk_min / (t2 - t1)}))
"""


def main() -> int:
    import json

    from forecast.models.sampling import backend_available

    results = {}
    skipped = [b for b in ("pymc", "nutpie") if not backend_available(b)]
    for backend in ("pymc", "nutpie"):
        if backend in skipped:
            print(f"{backend:7s} not installed: skipped")
            continue
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as compiled:
            env = {
                **os.environ,
                "FORECAST_CACHE_DIR": cache,
                "PYTENSOR_FLAGS": f"compiledir={compiled}",
            }
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, backend], env=env, capture_output=True, text=True
            )
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                results[backend] = {"error": proc.stderr.strip().splitlines()[-1]}
                continue
            results[backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[backend]
        print(
            f"{backend:7s} cold {r['cold_s']:6.1f} s  cached {r['cached_s']:.3f} s  "
            f"min ESS {r['ess_bulk_min']:.0f} ({r['ess_per_s']:.0f}/s)  "
            f"R-hat {r['r_hat_max']:.3f}  divergences {r['divergences']}"
        )
    ok = all(
        "error" not in r and r["cold_s"] <= 60 and r["cached_s"] <= 1 and r["cached_hit"]
        for r in results.values()
    )
    path = write(
        "fit",
        {
            "what": "frontier trend (top-10 since 2010), 1 era, 4 chains x 1000 draws",
            "targets": {"cold_s": 60, "cached_s": 1},
            "results": results,
            "skipped": skipped,
            "measured": dt.datetime.now().isoformat(timespec="seconds"),
            "ok": ok,
        },
    )
    print(f"written {path}; targets {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
