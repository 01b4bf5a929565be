"""The README's first command on a fresh machine: `forecast run scenarios/baseline.toml`.

- cold: a fresh process with an empty posterior cache (every fit samples) and an empty
  PyTensor compilation cache (every model is compiled to C), as on a fresh install;
- warm: the same command again in the same caches (every fit loads).

For each run: total wall time, and fitting time two ways: the sum of the fits' own
"sampled in X s" log lines (model building, compilation, sampling, log-likelihood), and
the wall time of the fit stage (from the first fit's log line to "projecting"), which
also counts cache look-ups and the LOO comparison. Also recorded: the CPU time of the
whole process tree (user + system; much less sensitive than wall time to other work on a
shared machine), each fit's time, the number of eras chosen, the median doubling time and
the machine's load average (timings with a load average near or above the number of
cores are noisy).
Target: cold fitting at most 90 s on this 2-core machine.

Usage: python benchmarks/bench_first_run.py [--repeat N] [--out NAME] [--root DIR]

``--root`` runs another checkout of the project (e.g. the previous commit, extracted with
``git archive``) with this venv, for before/after comparisons.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import write

ROOT = Path(__file__).resolve().parents[1]
TARGET_FIT_S = 90.0
SAMPLED = re.compile(r"^(?:·\s*)?(?P<label>.+?): sampled in (?P<s>[0-9.]+) s")
FIT_LINE = re.compile(r"(sampling \d+ chains|loaded from cache)")


def run_cli(cache: str, compiledir: str, out: str, root: Path = ROOT) -> dict:
    """One `forecast run` in a fresh process; its timings from the log lines."""
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "FORECAST_CACHE_DIR": cache,
        "PYTENSOR_FLAGS": f"compiledir={compiledir}",
        "COLUMNS": "200",  # one log line per line, whatever the terminal
    }
    load_before = os.getloadavg()
    # Children's rusage counts every descendant waited for (PyMC joins its chain processes).
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "forecast", "run", "scenarios/baseline.toml", "--out", out],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stamped: list[tuple[float, str]] = []

    def read_stderr() -> None:
        # Timestamped as they arrive: the log is written line by line as the run goes.
        for line in proc.stderr:
            stamped.append((time.perf_counter() - start, line.rstrip("\n")))

    reader = threading.Thread(target=read_stderr)
    reader.start()
    stdout = proc.stdout.read()
    proc.wait()
    reader.join()
    total = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if proc.returncode:
        tail = "\n".join(line for _, line in stamped[-20:])
        raise SystemExit(f"forecast run failed ({proc.returncode}):\n{tail}\n{stdout}")
    fits = {}
    for _, line in stamped:
        m = SAMPLED.search(line.strip())
        if m:
            fits[m["label"].strip("· ")] = float(m["s"])
    first_fit = next((t for t, line in stamped if FIT_LINE.search(line)), None)
    projecting = next((t for t, line in stamped if "projecting" in line), None)
    summary = json.loads((Path(out) / "summary.json").read_text())
    return {
        "total_s": round(total, 2),
        "cpu_s": round(cpu, 2),
        "fit_sampled_s": round(sum(fits.values()), 2),
        "fit_stage_s": (
            round(projecting - first_fit, 2) if first_fit is not None and projecting else None
        ),
        "fits_s": fits,
        "loaded_from_cache": sum("loaded from cache" in line for _, line in stamped),
        "eras": len(summary["trend"]["eras"]),
        "doubling_months_median": summary["trend"]["doubling_time_months"]["median"],
        "trend_diagnostics": summary["trend"]["diagnostics"],
        "load_avg_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold runs (each fresh)")
    parser.add_argument("--out", default="first_run", help="results/<OUT>.json")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to run")
    args = parser.parse_args()
    colds, warms = [], []
    for i in range(args.repeat):
        with (
            tempfile.TemporaryDirectory() as cache,
            tempfile.TemporaryDirectory() as compiled,
            tempfile.TemporaryDirectory() as out,
        ):
            cold = run_cli(cache, compiled, out + "/cold", args.root)
            warm = run_cli(cache, compiled, out + "/warm", args.root)
        colds.append(cold)
        warms.append(warm)
        print(
            f"run {i + 1}: cold total {cold['total_s']:.1f} s (CPU {cold['cpu_s']:.1f} s), "
            f"fitting {cold['fit_sampled_s']:.1f} s (stage {cold['fit_stage_s']} s), "
            f"{cold['eras']} era(s), doubling "
            f"{cold['doubling_months_median']:.2f} months; warm total {warm['total_s']:.1f} s "
            f"({warm['loaded_from_cache']} fits loaded); load {cold['load_avg_1min']}"
        )
        for label, seconds in cold["fits_s"].items():
            print(f"    {seconds:6.1f} s  {label}")
    fit_median = statistics.median(c["fit_sampled_s"] for c in colds)
    ok = fit_median <= TARGET_FIT_S
    path = write(
        args.out,
        {
            "command": "forecast run scenarios/baseline.toml --out <tmp> (fresh process each)",
            "root": str(args.root),
            "cold": "empty FORECAST_CACHE_DIR and empty PyTensor compiledir",
            "targets": {"cold_fit_s": TARGET_FIT_S},
            "cpus": os.cpu_count(),
            "cold_runs": colds,
            "warm_runs": warms,
            "cold_fit_s_median": fit_median,
            "cold_total_s_median": statistics.median(c["total_s"] for c in colds),
            "cold_cpu_s_median": statistics.median(c["cpu_s"] for c in colds),
            "warm_total_s_median": statistics.median(w["total_s"] for w in warms),
            "ok": ok,
        },
    )
    verdict = "met" if ok else "NOT met"
    print(f"written {path}; cold fitting median {fit_median:.1f} s, target {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
