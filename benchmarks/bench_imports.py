"""What a warm run and a re-render import, here and at an earlier commit: a measure of
start-up cost that does not depend on how busy the machine is.

For each tree (this checkout, and ``--ref REV`` checked out in a temporary git worktree)
it runs, in a fresh process with ``python -X importtime``, a warm ``forecast run
scenarios/baseline.toml`` (fits from the cache) and ``forecast report`` of the folder it
wrote, then counts the modules loaded (the package's own and third-party) and sums the
import self-times. A refactor that splits modules adds modules of its own; one that pulls
in a library a command did not need before shows as more third-party modules.

Usage: python benchmarks/bench_imports.py [--ref REV]   (default REV: e23a351, the commit
before issue "One way through")
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import write

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
sys.argv = ["forecast", *sys.argv[1:]]
from forecast.cli import main
try:
    main()
except SystemExit:
    pass
own = [m for m in sys.modules if m == "forecast" or m.startswith("forecast.")]
print("MODULES", len(sys.modules), len(own))
"""


def measure(tree: Path, args: list[str]) -> dict:
    """Modules loaded and import self-time (ms) of ``forecast ARGS`` run in ``tree``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE, *args],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    total, own = (int(x) for x in re.search(r"MODULES (\d+) (\d+)", done.stdout).groups())
    self_us = sum(int(m.group(1)) for m in re.finditer(r"import time:\s+(\d+) \|", done.stderr))
    return {
        "modules": total,
        "forecast_modules": own,
        "third_party_modules": total - own,
        "import_self_ms": round(self_us / 1000, 1),
    }


def tree_numbers(tree: Path) -> dict:
    """A warm run and a re-render of the baseline in ``tree``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "baseline")
        # The first call fills the cache if needed, so the measured one is warm.
        measure(tree, ["run", "scenarios/baseline.toml", "--quiet", "--out", out + "0"])
        run = measure(tree, ["run", "scenarios/baseline.toml", "--quiet", "--out", out])
        render = measure(tree, ["report", out, "--quiet"])
    return {"warm_run": run, "render": render}


def main(argv: list[str]) -> int:
    ref = argv[argv.index("--ref") + 1] if "--ref" in argv else "e23a351"
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    numbers = {head: tree_numbers(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "-q", str(old), ref], cwd=ROOT, check=True)
        try:
            numbers[ref] = tree_numbers(old)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT)
    path = write("imports", {"ref": ref, "head": head, "numbers": numbers})
    for rev, by in numbers.items():
        for what, n in by.items():
            print(
                f"{rev} {what}: {n['modules']} modules ({n['forecast_modules']} own, "
                f"{n['third_party_modules']} third-party), imports {n['import_self_ms']} ms"
            )
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
