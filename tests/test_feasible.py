"""The largest feasible run in 2030: by limit, against Sevilla et al. (2024)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from forecast.analysis.feasible import PUBLISHED, REFERENCE, allowed_by_kind, feasible

ROOT = Path(__file__).resolve().parents[1]


def _projection(allowed: list[list[float]], kinds: list[str]) -> xr.Dataset:
    """A projection of two draws over 2029-2031 whose ceilings allow ``allowed`` (log10
    FLOP, one row per ceiling) in 2030, one OOM less a year before."""
    a = np.asarray(allowed, dtype=float)  # (K, S)
    grid = np.stack([a - 1, a, a + 1], axis=-1)  # (K, S, 3 years)
    return xr.Dataset(
        {
            "log10_flop_allowed": (("constraint", "draw", "year"), grid),
            "constraint_kind": ("constraint", kinds),
        },
        coords={"constraint": [f"c{i}" for i in range(len(kinds))], "year": [2029, 2030, 2031]},
    )


def test_each_kind_allows_the_least_of_its_ceilings_and_the_run_the_least_of_all():
    proj = _projection(
        [[30.0, 31.0], [29.0, 32.0], [29.5, 29.0], [28.0, 28.0]],
        ["spend", "power", "power", "chips"],
    )
    got = allowed_by_kind(proj)
    assert set(got) == {"power", "chips", "feasible"}  # spending is set aside
    np.testing.assert_allclose(got["power"], [29.0, 29.0])
    np.testing.assert_allclose(got["feasible"], [28.0, 28.0])
    assert allowed_by_kind(_projection([[30.0, 30.0]], ["spend"])) == {}


def test_the_dataset_keeps_both_sources_and_the_published_figures():
    own = _projection([[29.0, 30.0]], ["power"])
    ref = _projection([[29.5, 29.5], [31.0, 31.0]], ["power", "compute"])
    ds = feasible(own, ref, "ref")
    assert ds.attrs["reference"] == "ref" and ds.attrs["year"] == 2030
    np.testing.assert_allclose(ds["power"].sel(source="reference"), [29.5, 29.5])
    assert np.isnan(ds["compute"].sel(source="scenario")).all()  # no such ceiling here
    pub = ds.sel(kind="feasible")["published_median"]
    assert float(pub) == pytest.approx(math.log10(2e29))
    assert np.isnan(float(ds.sel(kind="power")["published_median"]))  # not in the text
    assert feasible(_projection([[30.0, 30.0]], ["spend"])) is None


def test_the_published_inputs_give_the_published_limits():
    """The epoch-2030 scenario (no fit: it gives every input) reproduces Sevilla et al.
    (2024): each limit's median inside their 80% interval, the chips' median within 1.5x
    of their 9e29, and the largest feasible run within 2x of their 2e29 FLOP."""
    from forecast.project.scenario import run_scenario
    from forecast.scenario import load_scenario

    assert REFERENCE == ROOT / "scenarios" / "epoch-2030.toml"
    result = run_scenario(load_scenario(REFERENCE), draws=2000)
    got = allowed_by_kind(result.projection)
    for kind in ("power", "chips", "data", "compute"):
        median = float(np.median(got[kind]))
        assert PUBLISHED[kind]["p10"] < median < PUBLISHED[kind]["p90"], kind
    assert abs(np.median(got["chips"]) - math.log10(9e29)) < math.log10(1.5)
    assert abs(np.median(got["feasible"]) - math.log10(2e29)) < math.log10(2)


def test_the_briefing_section_shows_the_computed_numbers():
    from types import SimpleNamespace

    from forecast.report.feasible import feasible_blocks
    from forecast.scenario import load_scenario

    own = _projection([[29.0, 30.0]], ["power"])
    ref = _projection([[29.5, 29.5]], ["power"])
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    results = SimpleNamespace(feasible_2030=feasible(own, ref, "epoch-2030"), scenario=scenario)
    text = " ".join(str(b) for b in feasible_blocks(results, load_scenario(REFERENCE)))
    assert "2×10²⁹ FLOP" in text  # the published figure
    assert "3.2×10²⁹ FLOP" in text  # this scenario's median, 10^29.5
    assert "Power across sites" in text and "epoch-2030" in text
    assert feasible_blocks(SimpleNamespace(feasible_2030=None)) == []
