"""Slow tier: every shipped scenario runs end to end and its summary carries the design's keys."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from forecast.cli import main
from forecast.data.units import decimal_year
from forecast.scenario import load_scenario
from helpers import assert_summary_keys, isolated_cache

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    # A fresh cache for this module: every fit here really samples (once; scenarios that
    # share data and sampler settings share their fits, as they do for a user).
    yield from isolated_cache(tmp_path_factory)


@pytest.fixture(scope="module")
def page_browser():
    """Headless Chromium for the page check, or None (with a warning) where Playwright or
    Chromium is missing: the rest of the scenario's test still runs."""
    import warnings

    from helpers import CHROMIUM

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        warnings.warn("Playwright is not installed: explore.html is not checked", stacklevel=1)
        yield None
        return
    if not Path(CHROMIUM).exists():
        warnings.warn(f"no Chromium at {CHROMIUM}: explore.html is not checked", stacklevel=1)
        yield None
        return
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _page_is_the_engine(out: Path, browser, tmp_path: Path) -> None:
    """The scenario's explore.html, from its real fits, computes the engine's hit years at
    the scenario's settings and at a faster doubling time, to 0.01 years."""
    from forecast.analysis.explore import apply_settings, inputs_from_dataset, medians
    from forecast.project.engine import hit_years
    from forecast.results.files import optional_group
    from helpers import open_page

    kept = inputs_from_dataset(optional_group(out / "projection.nc", "explore"))
    html = (out / "explore.html").read_text(encoding="utf-8")
    page = open_page(browser, html, tmp_path / "explore.html")
    for extra in ({}, {"doubling": 0.7 * medians(kept)["doubling"]}):
        s = page.evaluate("Explore.defaults()")
        s.update(extra)
        js = page.evaluate("s => Explore.hitYears(s)", s)
        engine = hit_years(apply_settings(kept, extra))
        got = np.array([np.inf if v is None else v for v in js]).reshape(engine.shape)
        np.testing.assert_array_equal(np.isinf(got), np.isinf(engine))
        fin = np.isfinite(engine)
        np.testing.assert_allclose(got[fin], engine[fin], atol=0.01, rtol=0)
    page.close()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs(path, tmp_path, capsys, page_browser):
    out = tmp_path / "report"
    code = main(["run", str(path), "--out", str(out), "--draws", "400", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads((out / "summary.json").read_text())
    sc = load_scenario(path)
    start = math.floor(decimal_year(sc.data.until)) if sc.data.until else None
    assert_summary_keys(summary, start, sc.horizon)
    assert summary["scenario"] == sc.name and summary["draws"] == 400
    for name in ("briefing.html", "briefing.md", "posterior.nc", "projection.nc"):
        assert (out / name).stat().st_size > 0
    assert 0 < (out / "explore.html").stat().st_size < 2_000_000
    if page_browser is not None:
        _page_is_the_engine(out, page_browser, tmp_path)
    # The largest run is the record: in every year, in every draw's 10th percentile, at
    # least the largest run the scenario's selection already holds.
    if sc.data.points == "runs":
        largest = sc.data.selected_points()["compute_flop"].max()
        assert set(summary["typical_run"]) == set(summary["largest_run"])
        for year, row in summary["largest_run"].items():
            assert row["flop"]["p10"] >= largest * (1 - 1e-4), year
            assert row["flop"]["median"] >= summary["typical_run"][year]["flop"]["median"]


def test_same_seed_byte_identical_summary(tmp_path):
    # The second run re-samples (--no-cache): the sampler itself must be reproducible.
    path = ROOT / "scenarios" / "openai-2018.toml"
    for name, extra in (("a", []), ("b", ["--no-cache"])):
        assert (
            main(
                [
                    "run",
                    str(path),
                    "--out",
                    str(tmp_path / name),
                    "--draws",
                    "300",
                    "--quiet",
                    "--no-sensitivity",
                    *extra,
                ]
            )
            == 0
        )
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
