"""explore.html: the page's formulas against the engine's, in a real headless browser.

The browser tests drive Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through
Playwright for Python; they skip, saying why, where either is missing.
"""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
import pytest

from forecast.analysis.explore import (
    apply_settings,
    explore_dataset,
    inputs_dataset,
    inputs_from_dataset,
    medians,
    thin,
)
from forecast.project.engine import hit_years, is_log_linear, project
from forecast.project.inputs import get_input
from forecast.project.limits import ConstraintDraws, Realised
from forecast.project.trajectory import LogLinear, take_draws
from forecast.report.explore import explore_html
from forecast.report.style import percent
from forecast.results.files import json_attrs, optional_group
from forecast.stats import quantiles
from helpers import make_inputs, open_page


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


def _inputs(s: int = 400, seed: int = 0, eff_limit: float = math.inf, realised: bool = False):
    """The baseline's eight kinds of limit; ``realised`` adds the realised conversion with
    the baseline's fitted levels and rates, its duration growing with the run and capped
    (every capital-cost, power and chip limit is then solved, not in closed form)."""
    rng = np.random.default_rng(seed)
    inp = make_inputs(
        s=s,
        tc_months=rng.uniform(4.5, 8.0, s),
        constraints=_constraints(s, rng),
        horizon=2045.0,
        eff_limit=eff_limit,
        start_year=2026.9,
    )
    inp = dataclasses.replace(inp, record_floor_log10=26.7)
    if not realised:
        return inp

    def series(level, slope, sd=0.1):
        return LogLinear(rng.normal(level, sd, s), rng.normal(slope, 0.02, s), 2026.9)

    return dataclasses.replace(
        inp,
        realised=Realised(
            flops_per_usd=series(10.385, 0.18),
            flops_per_watt=series(11.85, 0.193),
            flop_per_usd_amortized=series(18.5, 0.165),
            duration_days=series(1.18, -0.099, 0.3),
            max_days=rng.triangular(180, 365, 456, s),
            duration_size=rng.uniform(0.15, 0.45, s),
        ),
        efficiency_limit=np.full(s, 4.7e15),
    )


def _settings(m: dict) -> dict[str, dict]:
    """The settings of the engine-vs-page test, in the page's terms (controls' values)."""
    k = len(m["limits"])
    return {
        "the scenario": {},
        "a faster doubling time": {"doubling": 0.7 * m["doubling"]},
        "a ceiling doubled": {"limits": {"2": {"level": 2.0}}},
        "a longer training duration": {"duration": 1.5 * m["duration"]},
        "growth, share and rates moved": {
            "limits": {
                "3": {"growth": m["limits"][3]["growth"] + 0.1},
                "7": {"share": 0.5 * m["limits"][7]["share"]},
            },
            "efficiency": 0.8 * m["efficiency"],
            "price": 1.3 * m["price"],
        },
        "never binds": {"limits": {str(i): {"level": 1e15} for i in range(k)}},
        "a new doubling time from 2030": {"bend": {"year": 2030.0, "months": 14.0}},
        "a shorter horizon": {"horizon": 2031.0},
    }


def _page_settings(page, extra: dict) -> dict:
    s = page.evaluate("Explore.defaults()")
    for key, v in extra.items():
        if key == "limits":
            for k, lim in v.items():
                s["limits"][k].update(lim)
        else:
            s[key] = v
    return s


def _arr(values, shape) -> np.ndarray:
    return np.array([np.inf if v is None else v for v in values], dtype=float).reshape(shape)


def _same_years(js, engine, atol, what):
    np.testing.assert_array_equal(np.isinf(js), np.isinf(engine), err_msg=what)
    fin = np.isfinite(engine)
    np.testing.assert_allclose(js[fin], engine[fin], atol=atol, rtol=0, err_msg=what)


@pytest.mark.parametrize("realised", [False, True], ids=["datasheet", "realised"])
def test_page_projects_as_the_engine_does(browser, tmp_path, realised):
    """The page and the engine on the same draws, for eight settings: the hit years to
    0.01 years (the issue's requirement), the held path, what each limit allows, the held
    run's cost and power, and the threshold dates."""
    inp = _inputs(s=300, eff_limit=5e15, realised=realised)
    ex = explore_dataset(inp)
    page = open_page(browser, explore_html(ex, "test"), tmp_path / "explore.html")
    kept = inputs_from_dataset(ex)
    k, s = len(kept.constraints), kept.n_draws
    seen_inf = seen_finite = seen_solved = False
    for what, extra in _settings(medians(kept)).items():
        inputs = apply_settings(kept, extra)
        engine = project(inputs)
        js = page.evaluate("s => Explore.project(s)", _page_settings(page, extra))
        hits = engine["hit_year"].to_numpy()
        _same_years(_arr(js["hits"], (k, s)), hits, 0.01, what)
        y = engine.sizes["year"]
        assert js["years"] == [int(v) for v in engine["year"].to_numpy()], what
        for name, var in (
            ("held", "log10_flop_constrained"),
            ("record", "log10_flop"),
            ("capex", "capex_usd_held"),
            ("amortized", "amortized_usd_held"),
            ("power", "power_watts_held"),
        ):
            want = engine[var].to_numpy()
            want = want if var.startswith("log10") else np.log10(want)
            got = np.array(js[name]).reshape(y, s).T
            np.testing.assert_allclose(got, want, atol=1e-6, rtol=0, err_msg=f"{what}: {name}")
        allowed = np.array(js["allowed"]).reshape(k, y, s).transpose(0, 2, 1)
        np.testing.assert_allclose(
            allowed, engine["log10_flop_allowed"].to_numpy(), atol=1e-6, rtol=0, err_msg=what
        )
        t = engine.sizes["threshold"]
        _same_years(_arr(js["trend"], (t, s)), engine["threshold_year"].to_numpy(), 1e-6, what)
        _same_years(
            _arr(js["heldThresholds"], (t, s)), engine["threshold_year_held"].to_numpy(), 0.01, what
        )
        seen_inf |= bool(np.isinf(hits).any())
        seen_finite |= bool(np.isfinite(hits).any())
        linear = page.evaluate("s => Explore.linear(s)", _page_settings(page, extra))
        assert linear == [is_log_linear(inputs, c) for c in inputs.constraints], what
        seen_solved |= not all(linear)
    assert seen_inf and seen_finite
    # Under the realised conversion the capped duration bends the capital-cost, power and
    # chip limits: the page solves them as the engine does; the bend does so for all.
    assert seen_solved
    never = apply_settings(kept, _settings(medians(kept))["never binds"])
    assert np.isinf(hit_years(never)).all()


def test_the_saved_inputs_are_the_engines():
    """Thinned to the page's draws and rounded to single precision, the inputs give the
    engine's hit years on those draws to 1e-4 years, and the same first limit in every
    draw: the page's numbers are the briefing's."""
    inp = _inputs(s=500, realised=True, eff_limit=5e15)
    ex = explore_dataset(inp, n=200)
    assert ex.sizes["draw"] == 200 and ex.attrs["draws_total"] == 500
    assert ex["limit"].dtype == np.float32
    kept = hit_years(take_draws(inp, thin(500, 200)))
    saved = hit_years(inputs_from_dataset(ex))
    _same_years(saved, kept, 1e-4, "single precision")
    first = [np.where(np.isfinite(h.min(0)), h.argmin(0), -1) for h in (saved, kept)]
    np.testing.assert_array_equal(*first)
    assert thin(100, 200).tolist() == list(range(100))
    assert explore_dataset(inp).sizes["draw"] == 500  # all of them, up to 4,000


def test_settings_move_every_draw_alike():
    inp = _inputs(s=50, realised=True)
    m = medians(inp)
    moved = apply_settings(
        inp,
        {
            "doubling": 2 * m["doubling"],
            "duration": 0.5 * m["duration"],
            "limits": {"2": {"level": 3.0, "growth": m["limits"][2]["growth"] + 0.1}},
        },
    )
    np.testing.assert_allclose(
        get_input(moved, "trend.doubling_time_months"),
        2 * get_input(inp, "trend.doubling_time_months"),
    )
    np.testing.assert_allclose(moved.realised.max_days, 0.5 * inp.realised.max_days)
    np.testing.assert_allclose(moved.constraints[2].limit, 3 * inp.constraints[2].limit)
    np.testing.assert_allclose(moved.constraints[2].growth, inp.constraints[2].growth + 0.1)
    bent = apply_settings(inp, {"bend": {"year": 2030, "months": 12}, "horizon": 2040})
    assert bent.horizon == 2040 and (bent.compute.change_year == 2030).all()
    np.testing.assert_allclose(bent.compute.slope_after, math.log10(2))


def _non_white(png: bytes) -> float:
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float((img < 240).mean())


def _rows(page, body: str) -> list[list[str]]:
    return [r.split("\t") for r in page.inner_text(f"#{body}").strip().split("\n")]


def test_a_reader_moves_two_controls_and_the_numbers_move(browser, tmp_path):
    inp = _inputs(realised=True)
    ex = explore_dataset(inp)
    page = open_page(browser, explore_html(ex, "baseline"), tmp_path / "explore.html")
    before = page.inner_text("#hits-body")
    held_before = page.inner_text("#held-body")
    # Labels on every control.
    for el in page.query_selector_all("input"):
        eid = el.get_attribute("id")
        assert page.query_selector(f"label[for='{eid}']") is not None or el.get_attribute(
            "aria-label"
        ), eid
    # 1. Type a doubling time of 12 months.
    page.fill("#doubling", "12")
    page.press("#doubling", "Enter")
    page.dispatch_event("#doubling", "change")
    after_doubling = page.inner_text("#hits-body")
    assert after_doubling != before
    assert page.inner_text("#held-body") != held_before
    # 2. A ceiling's level with the keyboard: focus its slider, press the arrow keys.
    page.focus("#level-2-slider")
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    after_level = page.inner_text("#hits-body")
    assert after_level != after_doubling
    assert float(page.input_value("#level-2")) > 1.5
    # The numbers the table shows are the engine's for the same settings, as text.
    s = page.evaluate("Explore.current()")
    engine = hit_years(
        apply_settings(
            inputs_from_dataset(ex),
            {"doubling": 12.0, "limits": {"2": {"level": s["limits"]["2"]["level"]}}},
        )
    )
    rows = _rows(page, "hits-body")
    for k, row in enumerate(rows):
        p10, med, p90 = quantiles(engine[k], [0.1, 0.5, 0.9])
        fmt = lambda t: f"{t:.1f}" if np.isfinite(t) else "after 2045"  # noqa: E731
        assert row[1:3] == [fmt(med), f"{fmt(p10)} to {fmt(p90)}"], row
    first = np.where(np.isfinite(engine.min(0)), engine.argmin(0), -1)
    # The page writes a share as the briefing does.
    assert [r[3] for r in rows] == [percent((first == k).mean()) for k in range(8)]
    shot = page.screenshot(full_page=True)
    (tmp_path / "explore.png").write_bytes(shot)
    for chart in ("#chart-compute", "#chart-bars"):
        assert page.query_selector(f"{chart} canvas") is not None
        assert _non_white(page.locator(chart).screenshot()) > 0.02, chart
    # A number out of range is refused with a message, and nothing moves.
    page.fill("#doubling", "-3")
    page.dispatch_event("#doubling", "change")
    assert "give a number from" in page.inner_text("#controls-main")
    assert page.inner_text("#hits-body") == after_level
    # A new doubling time from a chosen year: tick the box, the numbers move.
    page.check("#bend-on")
    page.fill("#bend-months", "30")
    page.dispatch_event("#bend-months", "change")
    assert page.inner_text("#hits-body") != after_level
    # Reset brings back the scenario's numbers.
    page.click("#reset")
    assert page.inner_text("#hits-body") == before
    assert not page.is_checked("#bend-on")


def test_the_file_is_self_contained_small_and_escaped(browser, tmp_path):
    """The baseline's size: eight limits, all 4,000 draws, 20 years."""
    inp = _inputs(s=4000, realised=True)
    html = explore_html(explore_dataset(inp), "<script>alert('x')</script>")
    assert "http" not in html.lower()
    assert len(html.encode("utf-8")) < 2_000_000
    assert "<script>alert" not in html
    page = open_page(browser, html, tmp_path / "explore.html")
    assert page.inner_text("h1") == "Explore: <script>alert('x')</script>"
    assert "<script>alert(1)</script> cluster" in page.inner_text("#hits-body")


def test_explore_data_round_trips_through_projection_nc(tmp_path):
    inp = _inputs(s=50, realised=True)
    ex = explore_dataset(inp)
    saved = ex.copy()
    saved.attrs = json_attrs(saved.attrs)
    path = tmp_path / "projection.nc"
    project(inp).to_netcdf(path)
    saved.to_netcdf(path, group="explore", mode="a")
    back = optional_group(path, "explore")
    assert explore_html(back, "x") == explore_html(ex, "x")
    np.testing.assert_array_equal(
        hit_years(inputs_from_dataset(back)), hit_years(inputs_from_dataset(ex))
    )
    assert inputs_dataset(inputs_from_dataset(back)).equals(inputs_dataset(inputs_from_dataset(ex)))


def _report_results(with_explore: bool):
    from helpers import fake_results, fake_runs

    inp = _inputs(s=200, realised=True)
    results = fake_results(project(inp), fake_runs())
    return dataclasses.replace(results, explore=explore_dataset(inp) if with_explore else None)


def test_run_and_report_write_the_page_and_the_briefing_links_it(tmp_path):
    """``write_report`` (what ``forecast run`` ends with) writes explore.html and the
    briefing links it; ``forecast report DIR`` (``render_report``) writes the same page
    again from projection.nc."""
    from forecast.report.write import render_report, write_report

    results = _report_results(True)
    out = tmp_path / "report"
    write_report(results, out, svg=False)
    page = (out / "explore.html").read_text(encoding="utf-8")
    assert "Explore: baseline" in page
    assert "](<explore.html>)" in (out / "briefing.md").read_text(encoding="utf-8")
    assert 'href="explore.html"' in (out / "briefing.html").read_text(encoding="utf-8")
    results.save_projection(out / "projection.nc")
    results.save_posterior(out / "posterior.nc")
    (out / "explore.html").unlink()
    render_report(out, svg=False)
    assert (out / "explore.html").read_text(encoding="utf-8") == page


def test_results_saved_before_the_page_existed_get_no_page_and_no_link(tmp_path):
    from forecast.report.write import write_report

    out = tmp_path / "report"
    write_report(_report_results(False), out, svg=False)
    assert not (out / "explore.html").exists()
    assert "explore.html" not in (out / "briefing.md").read_text(encoding="utf-8")


def test_data_that_spells_http_in_any_case_survives_the_page(browser, tmp_path):
    """The page holds no "http", but its base64 data may spell "HTTP": the escape must
    keep the letter's case (it once wrote every "H" as "h", corrupting two draws of the
    efficiency-breakthrough scenario)."""
    import base64
    import json
    import re

    from forecast.analysis.explore import page_model

    inp = _inputs(s=300, realised=True)
    # A float32 whose bytes start the array's base64 with "HTTP".
    value = float(np.frombuffer(base64.b64decode("HTTP") + b"\x40", "<f4")[0])
    limit = inp.constraints[0].limit.copy()
    limit[0] = value
    first = dataclasses.replace(inp.constraints[0], limit=limit)
    inp = dataclasses.replace(inp, constraints=(first, *inp.constraints[1:]))
    ex = explore_dataset(inp)
    html = explore_html(ex, "HTTP Http http")
    assert "http" not in html.lower()
    text = re.search(r'id="explore-data">(.*?)</script>', html, re.S).group(1)
    carried = json.loads(text)["model"]["limits"][0]["limit"]["f4"]
    assert carried.startswith("HTTP")
    decoded = np.frombuffer(base64.b64decode(carried), "<f4").astype(float)
    np.testing.assert_array_equal(decoded, page_model(ex)["limits"][0]["limit"])
    page = open_page(browser, html, tmp_path / "explore.html")
    assert page.evaluate("Explore.data.model.limits[0].limit.f4") == carried
    assert page.inner_text("h1") == "Explore: HTTP Http http"
    js = _arr(
        page.evaluate("s => Explore.hitYears(s)", page.evaluate("Explore.defaults()")), (8, 300)
    )
    _same_years(js, hit_years(inputs_from_dataset(ex)), 0.01, "HTTP")
