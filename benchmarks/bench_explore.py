"""explore.html's update time in the browser: 4,000 draws x 7 limits x 20 years.

Builds the page for hand-made inputs (the baseline's kinds of limit, 4,000 draws kept,
horizon 2045: 20 years), opens it in headless Chromium (Playwright) and times
``Explore.render`` (hit years, table, medians for the charts, Vega's redraw) for a series
of doubling times. Writes ``benchmarks/results/explore.json``. Target: under 100 ms.

    python benchmarks/bench_explore.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)]

from _common import write  # noqa: E402
from helpers import make_inputs  # noqa: E402
from test_explore import CHROMIUM, _constraints  # noqa: E402

from forecast.analysis.explore import explore_dataset  # noqa: E402
from forecast.project.engine import project  # noqa: E402
from forecast.report.explore import explore_html  # noqa: E402

DRAWS, LIMITS, REPEATS = 4000, 7, 40


def main() -> None:
    from playwright.sync_api import sync_playwright

    rng = np.random.default_rng(0)
    inp = make_inputs(
        s=DRAWS,
        tc_months=rng.uniform(4.5, 8.0, DRAWS),
        constraints=_constraints(DRAWS, rng)[:LIMITS],
        horizon=2045.0,
    )
    ex = explore_dataset(inp, project(inp), n=DRAWS)
    html = explore_html(ex, "benchmark")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "explore.html"
        path.write_text(html, encoding="utf-8")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("window.Explore !== undefined")
        ms = page.evaluate(
            """n => {
              const s = Explore.defaults(), out = [];
              for (let r = 0; r < n; r++) {
                s.doubling = Explore.data.medians.doubling * (0.6 + 0.02 * r);
                const t = performance.now();
                Explore.render(s);
                out.push(performance.now() - t);
              }
              return out;
            }""",
            REPEATS,
        )
        browser.close()
    ms = np.array(ms[3:])  # the first few warm the JIT
    payload = {
        "draws": DRAWS,
        "limits": LIMITS,
        "years": int(ex.sizes["year"]),
        "file_bytes": len(html.encode("utf-8")),
        "update_ms_median": round(float(np.median(ms)), 1),
        "update_ms_p90": round(float(np.quantile(ms, 0.9)), 1),
        "target_ms": 100,
    }
    print(payload)
    print(write("explore", payload))


if __name__ == "__main__":
    main()
