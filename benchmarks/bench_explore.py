"""explore.html's update time in the browser: 4,000 draws x 7 limits x 20 years.

Builds the page for hand-made inputs shaped like the baseline's (the realised conversion
with its capped duration, so that every capital-cost, power and chip limit is solved
numerically, as in the baseline; 4,000 draws all kept; horizon 2045 from 2026.9: 20
years), opens it in headless Chromium (Playwright) and times ``Explore.render``: the
hit years, the held path with its cost and power, the threshold dates, the quantiles,
the tables and Vega's redraw, for a series of doubling times. Also times the page of
``examples/baseline`` (its 4,000 draws and eight limits) when it is there. Writes
``benchmarks/results/explore.json``. Target: under 100 ms.

    python benchmarks/bench_explore.py
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)]

from _common import write  # noqa: E402
from helpers import CHROMIUM  # noqa: E402
from test_explore import _inputs  # noqa: E402

from forecast.analysis.explore import explore_dataset  # noqa: E402
from forecast.report.explore import explore_html  # noqa: E402

DRAWS, LIMITS, REPEATS = 4000, 7, 40
EXAMPLE = ROOT / "examples" / "baseline" / "explore.html"


def _time(browser, path: Path) -> dict:
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.Explore !== undefined")
    out = page.evaluate(
        """n => {
          const s = Explore.defaults(), ms = [], parts = [];
          for (let r = 0; r < n; r++) {
            s.doubling = Explore.data.model.medians.doubling * (0.6 + 0.02 * r);
            const t = performance.now();
            Explore.render(s);
            ms.push(performance.now() - t);
            parts.push(Object.assign({}, Explore.times()));
          }
          return {ms: ms, parts: parts};
        }""",
        REPEATS,
    )
    page.close()
    ms = np.array(out["ms"][3:])  # the first few warm the JIT
    parts = out["parts"][3:]
    return {
        "update_ms_median": round(float(np.median(ms)), 1),
        "update_ms_p90": round(float(np.quantile(ms, 0.9)), 1),
        "parts_ms_median": {k: round(float(np.median([p[k] for p in parts])), 1) for k in parts[0]},
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    inp = _inputs(s=DRAWS, realised=True, eff_limit=4.7e15)
    inp = dataclasses.replace(inp, constraints=inp.constraints[:LIMITS])
    ex = explore_dataset(inp, n=DRAWS)
    html = explore_html(ex, "benchmark")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "explore.html"
        path.write_text(html, encoding="utf-8")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        payload = {
            "draws": DRAWS,
            "limits": LIMITS,
            "years": int(np.floor(inp.horizon) - np.floor(inp.start_year) + 1),
            "file_bytes": len(html.encode("utf-8")),
            **_time(browser, path),
            "target_ms": 100,
        }
        if EXAMPLE.exists():
            payload["examples_baseline"] = {
                "file_bytes": EXAMPLE.stat().st_size,
                **_time(browser, EXAMPLE),
            }
        browser.close()
    print(payload)
    print(write("explore", payload))


if __name__ == "__main__":
    main()
