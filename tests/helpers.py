"""Shared test helpers (imported by tests as ``helpers``)."""

from __future__ import annotations

import math

LN2 = math.log(2)

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


def design_capex_hit(C0, tc, Tc, H0, th, Th, L0, tl, g, share, overhead, u, D):
    """The design's closed form for the capex basis, written out literally."""
    num = (
        math.log(share * L0)
        - math.log(C0)
        - math.log(overhead)
        + math.log(u * D)
        + math.log(H0)
        + tc * LN2 / Tc
        - th * LN2 / Th
        - tl * math.log(1 + g)
    )
    den = LN2 / Tc - LN2 / Th - math.log(1 + g)
    return num / den if den > 0 else math.inf


def design_power_hit(C0, tc, Tc, E0, te, Te, P0, tl, g, pue, u, D):
    """The same derivation for P = C pue / (u D E) against P0 (1+g)^(t - tl)."""
    num = (
        math.log(P0)
        - math.log(C0)
        - math.log(pue)
        + math.log(u * D)
        + math.log(E0)
        + tc * LN2 / Tc
        - te * LN2 / Te
        - tl * math.log(1 + g)
    )
    den = LN2 / Tc - LN2 / Te - math.log(1 + g)
    return num / den if den > 0 else math.inf


def isolated_cache(tmp_path_factory, name: str = "fits"):
    """Point the posterior cache at a fresh folder for a module (a generator fixture body)."""
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setenv("FORECAST_CACHE_DIR", str(tmp_path_factory.mktemp(name)))
    yield
    mp.undo()


def cli_error_lines(argv: list[str], capsys) -> list[str]:
    """Run the CLI on ``argv``; assert exit code 2, no traceback and only ``error:`` lines.

    Returns the printed error lines (one per problem).
    """
    from forecast.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert all(line.startswith("error: ") for line in lines), lines
    return lines


def toy_posterior(chains: int, draws: int, tuning_steps: int | None = None):
    """A one-era trend posterior of the given size (no sampling), as the cache stores it."""
    import arviz as az
    import numpy as np

    rng = np.random.default_rng(0)
    shape = (chains, draws)
    idata = az.from_dict(
        posterior={
            "level": rng.normal(18, 0.1, shape),
            "slope": rng.normal(0.3, 0.01, (*shape, 1)),
            "sigma": rng.uniform(0.1, 0.3, shape),
            "nu": rng.uniform(5, 10, shape),
        },
        dims={"slope": ["era"]},
    )
    if tuning_steps is not None:
        idata.posterior.attrs["tuning_steps"] = tuning_steps
    return idata
