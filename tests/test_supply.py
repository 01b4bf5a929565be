"""The supply side downstream of the fits: the announced clusters by year, summary.json
``supply`` and the briefing section, from a fake supply dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast.analysis.supply import (
    LARGEST_2025,
    PILZ_2025,
    largest_by_year,
    largest_existing,
)
from forecast.report.document import Bullets, Heading, Para, Table
from forecast.report.supply import plot_supply, supply_blocks
from forecast.results.supply import supply_json


def _clusters() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E", "F"],
            "status": ["existing", "existing", "planned", "planned", "planned", "decommissioned"],
            "certainty": ["confirmed", "confirmed", "likely", "unlikely", "likely", "confirmed"],
            "single_cluster": ["yes", "yes", "yes", "yes", "no", "yes"],
            "t": [2024.5, 2025.6, 2026.9, 2027.5, 2027.9, 2023.0],
            "h100e": [1e5, 2.5e5, 1e6, 5e7, 9e6, 2e4],
            "power_watts": [1.5e8, 3e8, 1.4e9, np.nan, 5e9, 3e7],
        }
    )


def test_largest_by_year_counts_likely_plans_and_single_clusters_only():
    got = largest_by_year(_clusters(), [2025, 2026, 2027, 2028])
    # 2025: B; 2026 and 2027: C (D is unlikely, E is not a single cluster).
    assert list(got["name"]) == ["B", "C", "C", "C"]
    assert list(got["year"]) == [2025, 2026, 2027, 2028]
    assert got["h100e"].iloc[1] == 1e6


def test_largest_existing_ignores_plans():
    got = largest_existing(_clusters(), 2030.0)
    assert got["name"] == "B" and got["h100e"] == 2.5e5 and got["power_watts"] == 3e8


def _supply() -> xr.Dataset:
    rng = np.random.default_rng(0)
    s = 400
    years = np.arange(2025, 2031)
    line = 5.3 + 0.4 * (years - 2025)
    data = {
        f"largest_log10_{k}": (("draw", "year"), line + off + rng.normal(0, 0.1, (s, len(years))))
        for k, off in (("h100e", 0.0), ("power_watts", 3.3), ("hardware_cost_usd", 4.5))
    }
    for g, f in (("leading", 2.5), ("largest", 2.6)):
        for k in ("h100e", "power_watts", "hardware_cost_usd"):
            data[f"growth_{g}_{k}"] = (("draw",), f + rng.normal(0, 0.1, s))
    ny = np.array([2026, 2027, 2028])
    data.update(
        nowcast_name=(("nowcast_year",), np.array(["C", "C", "C"])),
        nowcast_status=(("nowcast_year",), np.array(["planned"] * 3)),
        nowcast_certainty=(("nowcast_year",), np.array(["likely"] * 3)),
        nowcast_h100e=(("nowcast_year",), np.full(3, 1e6)),
        nowcast_power_watts=(("nowcast_year",), np.full(3, 1.4e9)),
        nowcast_t=(("nowcast_year",), np.full(3, 2026.9)),
        # The cluster allows 1e28 every year; the trend's run grows 10x a year from 1e27.
        nowcast_log10_flop=(("draw", "nowcast_year"), np.full((s, 3), 28.0)),
        record_log10_flop=(("draw", "nowcast_year"), np.tile([27.0, 28.0, 29.0], (s, 1))),
        record_power_watts_2030=(("draw",), np.full(s, 8e9)),
    )
    c = _clusters()
    for col in ("name", "status", "certainty"):
        data[f"cluster_{col}"] = (("cluster",), c[col].to_numpy(dtype=str))
    for col in ("t", "h100e", "power_watts"):
        data[f"cluster_{col}"] = (("cluster",), c[col].to_numpy(dtype=float))
    data["demand_log10_h100e"] = (("draw", "year"), line[None, :] - 0.2 + np.zeros((s, 1)))
    return xr.Dataset(
        data,
        coords={"year": years, "nowcast_year": ny},
        attrs={
            "pilz_2025": PILZ_2025,
            "pilz_source": "Pilz et al. 2025",
            "largest_2025": {k: list(v) for k, v in LARGEST_2025.items()},
            "largest_2025_source": "Epoch AI",
            "power_2030_watts": [4e9, 16e9],
            "power_2030_source": "Epoch AI and EPRI",
            "largest_existing": {"name": "B", "t": 2025.6, "h100e": 2.5e5, "power_watts": 3e8},
            "nowcast_certainty": ["confirmed", "likely"],
            "clusters_fitted": {"h100e": 58},
        },
    )


def _projection() -> xr.Dataset:
    s = 400
    hits = np.stack([np.full(s, 2031.0), np.where(np.arange(s) < 100, 2029.0, np.inf)])
    return xr.Dataset(
        {
            "constraint_kind": (("constraint",), np.array(["power", "cluster"])),
            "hit_year": (("constraint", "draw"), hits),
            "binding": (("draw",), np.where(np.arange(s) < 100, 1, 0)),
        },
        coords={"constraint": ["Power", "Largest cluster"]},
    )


def test_supply_json():
    out = supply_json(_supply(), _projection())
    assert set(out["largest_cluster"]) == {str(y) for y in range(2025, 2031)}
    assert out["largest_cluster"]["2025"]["h100e"]["median"] == pytest.approx(10**5.3, rel=0.05)
    now = out["nowcast"]
    assert now["2026"]["cluster"] == "C" and now["2026"]["certainty"] == "likely"
    assert now["2026"]["allowed_over_record"]["median"] == pytest.approx(10.0)
    assert now["2028"]["allowed_over_record"]["median"] == pytest.approx(0.1)
    assert now["2027"]["prob_record_above_allowed"] == 0.0
    assert now["2028"]["prob_record_above_allowed"] == 1.0
    limit = out["cluster_limit"]
    assert limit["name"] == "Largest cluster" and limit["prob_binds_first"] == 0.25
    assert limit["prob_hit_by_horizon"] == 0.25
    checks = out["checks"]
    assert checks["growth_vs_pilz_2025"]["h100e"]["published_in_interval"] is True
    assert checks["largest_existing"]["h100e_in_range"] is True
    assert checks["largest_existing"]["power_in_range"] is True
    assert checks["record_power_2030"]["median_in_range"] is True


def test_supply_section_says_where_clusters_and_trend_disagree():
    out = supply_json(_supply(), _projection())
    blocks = supply_blocks(out, None, "Power")
    assert isinstance(blocks[0], Heading) and blocks[0].text == "What the clusters say"
    table = next(b for b in blocks if isinstance(b, Table))
    assert [r[0] for r in table.rows] == ["2026", "2027", "2028"]
    text = " ".join(p for b in blocks if isinstance(b, Para) for p in b.parts if isinstance(p, str))
    assert "in 2026 the announced clusters allow 10x the trend's run" in text
    assert "in 2028 the trend's run needs 10x what the largest announced cluster allows" in text
    assert "binds first in 25% of draws" in text and "'Power'" in text
    bullets = next(b for b in blocks if isinstance(b, Bullets))
    assert any("2.5x published" in item[0] for item in bullets.items)


def test_supply_figure_draws_points_bands_and_demand():
    fig = plot_supply(_supply())
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    if not labels:
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("existing" in x for x in labels)
    assert any("planned, likely" in x for x in labels)
    assert any("would need" in x for x in labels)
    assert ax.get_yscale() == "log"


def test_compare_shows_the_supply_side_by_side():
    from forecast.report.compare import supply_row, supply_table

    block = supply_json(_supply(), _projection())
    row = {"scenario": "a", "horizon": 2045, "supply": supply_row(block)}
    assert row["supply"]["largest_cluster_year"] == "2030"
    assert row["supply"]["nowcast"]["2026"]["allowed_over_record"]["median"] == pytest.approx(10)
    blocks = supply_table([row, {"scenario": "b", "horizon": 2045, "supply": None}])
    table = blocks[1]
    assert len(table.rows) == 1 and table.rows[0][0] == "a"
    assert "2026: 10²⁸ FLOP (10x the trend's run)" in table.rows[0][3]
    assert table.rows[0][5] == "25%"
    assert supply_table([{"scenario": "b", "horizon": 2045, "supply": None}]) == []


def test_the_answer_says_whether_the_supply_side_changes_the_first_limit():
    from forecast.report.answer import supply_sentence

    block = supply_json(_supply(), _projection())
    # Without the cluster ceiling, "Power" is the only other limit, met in every draw.
    assert block["cluster_limit"]["binds_first_without"] == {"name": "Power", "share": 1.0}
    text = supply_sentence({"supply": block, "limit": {"binding_constraint": "Power"}})
    assert text.startswith("The supply side does not change which limit binds first")
    assert "25% of draws" in text
    text = supply_sentence({"supply": block, "limit": {"binding_constraint": "Largest cluster"}})
    assert "changes the answer" in text and "'Power' would (100%)" in text
    assert supply_sentence({"limit": {"binding_constraint": "Power"}}) == ""


def test_the_accelerator_stock_in_2030_against_sevilla():
    from forecast.analysis.supply import SEVILLA_2030

    ds = _supply()
    s = ds.sizes["draw"]
    # 1.5e7 at the end of 2025 growing 70% a year: 1.5e7 * 1.7 ** 5 = 2.13e8 at 2030's end.
    grow = 1.5e7 * 1.7 ** (ds["year"].to_numpy() + 1.0 - 2026.0)
    ds["stock_h100e"] = (("draw", "year"), np.tile(grow, (s, 1)))
    ds.attrs.update(
        stock={"t": 2026.0, "h100e": 1.5e7, "source": "Epoch AI", "ceiling": "Chips"},
        production_2030=SEVILLA_2030,
    )
    out = supply_json(ds, _projection())
    assert out["accelerator_stock"]["installed_h100e"]["2030"]["median"] == pytest.approx(
        1.5e7 * 1.7**5, rel=1e-5
    )
    check = out["checks"]["stock_2030_vs_sevilla_2024"]
    assert check["median_in_published_interval"] is True
    bullets = next(b for b in supply_blocks(out, None, None) if isinstance(b, Bullets))
    assert any("213 million" in item[0] and "(inside)" in item[0] for item in bullets.items)


def test_a_cluster_ceiling_met_at_the_start_is_said_to_bind_now():
    from forecast.report.answer import supply_sentence

    ds = _supply()
    ds.attrs["start_year"] = 2029.0  # the 100 draws that hit at 2029 bind at the start
    block = supply_json(ds, _projection())
    assert block["cluster_limit"]["prob_met_at_start"] == 0.25
    text = supply_sentence({"supply": block, "limit": {"binding_constraint": "Largest cluster"}})
    assert "In 25% of draws the trend's run already needs more" in text
