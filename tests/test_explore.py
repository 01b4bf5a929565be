"""explore.html: the page's closed forms against the engine, in a real headless browser.

The browser tests drive Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through
Playwright for Python; they skip, saying why, where either is missing.
"""

from __future__ import annotations

import io
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from forecast.analysis.explore import apply_settings, explore_dataset, thin
from forecast.project.engine import hit_years, project
from forecast.project.limits import ConstraintDraws
from forecast.project.trajectory import take_draws
from forecast.report.explore import explore_html
from forecast.results.files import json_attrs, optional_group
from helpers import make_inputs

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _constraints(s: int, rng: np.random.Generator) -> tuple[ConstraintDraws, ...]:
    """Eight limits of six kinds, with spread, as the baseline has them."""
    ones = np.ones(s)
    return (
        ConstraintDraws("World budget", "spend", "capex", 1e12 * ones, 2018.0, 0.05 * ones, ones),
        ConstraintDraws(
            "1% of GDP", "spend", "capex", 1e14 * ones, 2022.0, 0.03 * ones, ones * 0.01
        ),
        ConstraintDraws(
            "Firm capex",
            "spend",
            "capex",
            rng.lognormal(np.log(1.9e11), 0.1, s),
            2026.0,
            rng.uniform(0.0, 0.55, s),
            rng.uniform(0.1, 0.5, s),
        ),
        ConstraintDraws(
            "Power",
            "power",
            None,
            rng.lognormal(np.log(2.5e9), 0.5, s),
            2030.0,
            rng.uniform(0.1, 0.3, s),
            ones,
            {"sites": rng.uniform(1, 8, s), "split_efficiency": rng.uniform(0.8, 1, s)},
        ),
        ConstraintDraws(
            "Chips",
            "chips",
            None,
            1.5e7 * ones,
            2025.0,
            rng.uniform(0.3, 1.0, s),
            rng.uniform(0.16, 0.4, s),
            {"flops_per_h100e": rng.lognormal(np.log(3e14), 0.3, s)},
        ),
        ConstraintDraws(
            "Data",
            "data",
            None,
            rng.lognormal(np.log(3e14), 0.5, s),
            2024.0,
            rng.uniform(0.03, 0.1, s),
            ones,
            {"modality_multiplier": rng.uniform(1, 10, s)},
        ),
        ConstraintDraws(
            "Latency wall",
            "compute",
            None,
            rng.lognormal(np.log(1.7e31), 0.7, s),
            2030.0,
            0.0 * ones,
            ones,
            {"limit_days": 91 * ones},
        ),
        ConstraintDraws(
            "<script>alert(1)</script> cluster",
            "cluster",
            None,
            4e5 * ones,
            2026.0,
            rng.uniform(0.4, 1.2, s),
            rng.uniform(0.05, 0.5, s),
            {"flops_per_h100e": 3e14 * ones},
        ),
    )


def _inputs(s: int = 400, seed: int = 0, eff_limit: float = math.inf):
    rng = np.random.default_rng(seed)
    return make_inputs(
        s=s,
        tc_months=rng.uniform(4.5, 8.0, s),
        constraints=_constraints(s, rng),
        horizon=2045.0,
        eff_limit=eff_limit,
    )


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install playwright)",
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, html: str, path: Path):
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.Explore !== undefined")
    assert not errors, errors
    return page


#: The settings of the engine-vs-page test, in the page's terms (controls' values).
def _settings(ex) -> dict[str, dict]:
    m = ex.attrs["medians"]
    return {
        "the saved point": {},
        "a faster doubling time": {"doubling": 0.7 * m["doubling"]},
        "a ceiling doubled": {"limits": {"2": {"level": 2.0}}},
        "a longer training duration": {"duration": 1.5 * m["duration"]},
        "growth and a rate moved": {
            "limits": {"3": {"growth": m["limits"][3]["growth"] + 0.1}},
            "efficiency": 0.8 * m["efficiency"],
            "price": 1.3 * m["price"],
        },
        "never binds": {"limits": {str(k): {"level": 1e15} for k in range(len(m["limits"]))}},
        "a shorter horizon": {"horizon": 2031.0},
    }


def _page_settings(page, extra: dict):
    s = page.evaluate("Explore.defaults()")
    for key, v in extra.items():
        if key == "limits":
            for k, lim in v.items():
                s["limits"][k].update(lim)
        else:
            s[key] = v
    return s


def _page_hits(page, settings, k: int) -> np.ndarray:
    out = page.evaluate("s => Explore.hitYears(s)", settings)
    return np.array([np.inf if v is None else v for v in out], dtype=float).reshape(k, -1)


def test_page_hit_years_equal_the_engine_where_the_gap_is_log_linear(browser, tmp_path):
    inp = _inputs()
    ex = explore_dataset(inp, project(inp), n=300)
    assert ex["exact"].to_numpy().all()
    page = _open(browser, explore_html(ex, "test"), tmp_path / "explore.html")
    thinned = take_draws(inp, thin(inp.n_draws, 300))
    k = len(inp.constraints)
    seen_inf = seen_finite = False
    for what, extra in _settings(ex).items():
        engine = hit_years(apply_settings(thinned, ex.attrs["medians"], extra))
        js = _page_hits(page, _page_settings(page, extra), k)
        np.testing.assert_array_equal(np.isinf(js), np.isinf(engine), err_msg=what)
        fin = np.isfinite(engine)
        np.testing.assert_allclose(js[fin], engine[fin], atol=0.01, rtol=0, err_msg=what)
        seen_inf |= bool(np.isinf(engine).any())
        seen_finite |= bool(fin.any())
    assert seen_inf and seen_finite
    assert np.isinf(
        hit_years(apply_settings(thinned, ex.attrs["medians"], _settings(ex)["never binds"]))
    ).all()


def test_page_reproduces_the_solver_at_the_saved_point(browser, tmp_path):
    """Efficiency bending to its physical ceiling: the engine solves the power limit; the
    page's tangent line gives the same hit years at the scenario's settings."""
    inp = _inputs(s=200, eff_limit=5e13)
    ex = explore_dataset(inp, project(inp))
    assert not ex["exact"].to_numpy().all()
    page = _open(browser, explore_html(ex, "solver"), tmp_path / "explore.html")
    js = _page_hits(page, page.evaluate("Explore.defaults()"), len(inp.constraints))
    engine = ex["hit_year"].to_numpy()
    np.testing.assert_array_equal(np.isinf(js), np.isinf(engine))
    fin = np.isfinite(engine)
    np.testing.assert_allclose(js[fin], engine[fin], atol=0.01, rtol=0)


def _non_white(png: bytes) -> float:
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float((img < 240).mean())


def test_a_reader_moves_two_controls_and_the_numbers_move(browser, tmp_path):
    inp = _inputs()
    ex = explore_dataset(inp, project(inp))
    page = _open(browser, explore_html(ex, "baseline"), tmp_path / "explore.html")
    before = page.inner_text("#hits-body")
    # Labels on every control.
    for el in page.query_selector_all("#controls input[type=number]"):
        assert page.query_selector(f"label[for='{el.get_attribute('id')}']") is not None
    # 1. Type a doubling time of 12 months.
    page.fill("#doubling", "12")
    page.press("#doubling", "Enter")
    page.dispatch_event("#doubling", "change")
    after_doubling = page.inner_text("#hits-body")
    assert after_doubling != before
    # 2. A ceiling's level with the keyboard: focus its slider, press the arrow keys.
    page.focus("#level-2-slider")
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    after_level = page.inner_text("#hits-body")
    assert after_level != after_doubling
    assert float(page.input_value("#level-2")) > 1.5
    # The numbers the table shows are the page's own, as text: the first row's median
    # is the median of the page's hit years for the current settings.
    rows = [r.split("\t") for r in after_level.strip().split("\n")]
    hits = _page_hits(page, page.evaluate("Explore.current()"), len(inp.constraints))
    median = np.median(hits[0])
    assert rows[0][1] == (f"{median:.1f}" if np.isfinite(median) else "after 2045")
    shot = page.screenshot(full_page=True)
    (tmp_path / "explore.png").write_bytes(shot)
    for chart in ("#chart-compute", "#chart-bars"):
        assert page.query_selector(f"{chart} canvas") is not None
        assert _non_white(page.locator(chart).screenshot()) > 0.02, chart
    # Reset brings back the scenario's numbers.
    page.click("#reset")
    assert page.inner_text("#hits-body") == before


def test_the_file_is_self_contained_small_and_escaped(browser, tmp_path):
    """The baseline's size: eight limits, 4,000 draws thinned to the page's 1,000, 20 years."""
    inp = _inputs(s=4000)
    ex = explore_dataset(inp, project(inp))
    html = explore_html(ex, "<script>alert('x')</script>")
    assert "http" not in html.lower()
    assert len(html.encode("utf-8")) < 2_000_000
    assert "<script>alert" not in html
    page = _open(browser, html, tmp_path / "explore.html")
    assert page.inner_text("h1") == "Explore: <script>alert('x')</script>"
    assert "<script>alert(1)</script> cluster" in page.inner_text("#hits-body")


def test_explore_data_round_trips_through_projection_nc(tmp_path):
    inp = _inputs(s=50)
    ex = explore_dataset(inp, project(inp))
    saved = ex.copy()
    saved.attrs = json_attrs(saved.attrs)
    path = tmp_path / "projection.nc"
    project(inp).to_netcdf(path)
    saved.to_netcdf(path, group="explore", mode="a")
    back = optional_group(path, "explore")
    assert explore_html(back, "x") == explore_html(ex, "x")
