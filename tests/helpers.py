"""Shared test helpers (imported by tests as ``helpers``)."""

from __future__ import annotations

DESIGN_SUMMARY_KEYS = [
    "scenario",
    "version",
    "seed",
    "scenario_sha256",
    "data.runs_used",
    "data.selection",
    "data.latest_run_date",
    "trend.doubling_time_months",
    "trend.growth_per_year",
    "trend.eras",
    "trend.diagnostics.r_hat_max",
    "trend.diagnostics.ess_bulk_min",
    "trend.diagnostics.divergences",
    "hardware.price_performance_doubling_years",
    "hardware.efficiency_doubling_years",
    "constraints",
    "limit.hit_year",
    "limit.binding_constraint",
    "limit.post_limit_doubling_time_months",
    "largest_run",
]
INTERVAL = {"median", "p10", "p90"}


def assert_summary_keys(summary: dict, start_year: int, horizon: int) -> None:
    """Every key the design fixes is present, intervals are intervals."""
    for path in DESIGN_SUMMARY_KEYS:
        node = summary
        for part in path.split("."):
            assert part in node, f"missing {path}"
            node = node[part]
    for key in ("doubling_time_months", "growth_per_year"):
        assert set(summary["trend"][key]) == INTERVAL
    for era in summary["trend"]["eras"]:
        assert {"start_year", "doubling_time_months"} <= set(era)
    for c in summary["constraints"]:
        assert {"name", "kind", "hit_year", "prob_hit_by_horizon"} <= set(c)
        assert set(c["hit_year"]) == INTERVAL
    assert set(summary["limit"]["hit_year"]) == INTERVAL
    years = sorted(int(y) for y in summary["largest_run"])
    assert years == list(range(start_year, horizon + 1))
    for row in summary["largest_run"].values():
        assert set(row) == {"flop", "capex_usd", "amortized_usd", "power_watts"}
        for iv in row.values():
            assert set(iv) == INTERVAL
