"""A warm `forecast run` (every fit cached) and `forecast report` against `import arviz`.

Measured in one sitting, each a fresh process, best of ``REPEATS``:

- ``import arviz``: the floor of any Python tool that reads posteriors;
- a warm ``forecast run scenarios/baseline.toml`` (fits load from the cache: a cold run
  first fills it, in a temporary cache folder);
- ``forecast report DIR`` on the report that run wrote (re-renders the briefing and the
  figures from the saved files, without PyMC).

Targets on this machine (issue "Compute first, render after"): the warm run at most twice
``import arviz``; the re-render at most 3 s.

Usage: python benchmarks/bench_warm.py
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import write

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3


def timed(args: list[str], env: dict) -> float:
    """Seconds a fresh process takes to run ``args`` (raises if it fails)."""
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr}")
    return elapsed


def best(args: list[str], env: dict) -> float:
    return min(timed(args, env) for _ in range(REPEATS))


def main() -> int:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FORECAST_CACHE_DIR": cache}
        out = str(Path(tmp) / "baseline")
        forecast = [sys.executable, "-m", "forecast"]
        run = [*forecast, "run", "scenarios/baseline.toml", "--out", out, "--quiet"]
        print("filling the posterior cache (a cold run) ...")
        timed(run, env)
        arviz = best([sys.executable, "-c", "import arviz"], env)
        print(f"import arviz: {arviz:.2f} s")
        warm = best(run, env)
        print(f"warm forecast run: {warm:.2f} s (target {2 * arviz:.2f} s = 2 x import arviz)")
        render = best([*forecast, "report", out, "--quiet"], env)
        print(f"forecast report: {render:.2f} s (target 3 s)")
    ok = warm <= 2 * arviz and render <= 3.0
    path = write(
        "warm",
        {
            "commands": {
                "import_arviz": "python -c 'import arviz'",
                "warm_run": "forecast run scenarios/baseline.toml --quiet (every fit cached)",
                "render": "forecast report <the folder that run wrote> --quiet",
            },
            "repeats": REPEATS,
            "import_arviz_s": round(arviz, 3),
            "warm_run_s": round(warm, 3),
            "warm_over_arviz": round(warm / arviz, 3) if arviz else math.nan,
            "render_s": round(render, 3),
            "targets": {"warm_over_arviz": 2.0, "render_s": 3.0},
            "ok": ok,
        },
    )
    print(f"written {path}; targets {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
