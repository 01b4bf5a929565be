"""Shared test helpers (imported by tests as ``helpers``)."""

from __future__ import annotations

import math
import os
import shutil

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
    "growth.compute_per_year",
    "growth.capex_per_year",
    "growth.amortized_per_year",
    "growth.power_per_year",
    "limit.hit_year",
    "limit.binding_constraint",
    "limit.post_limit_doubling_time_months",
    "largest_run",
]
INTERVAL = {"median", "p10", "p90"}


#: The browser the tests of explore.html drive (tests/conftest.py ``browser``).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def open_page(browser, html: str, path):
    """Write ``html`` to ``path``, open it in ``browser`` and wait for ``window.Explore``;
    fails on any script error."""
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.Explore !== undefined")
    assert not errors, errors
    return page


def assert_summary_keys(summary: dict, start_year: int, horizon: int) -> None:
    """Every key the design fixes is present, intervals are intervals."""
    for path in DESIGN_SUMMARY_KEYS:
        node = summary
        for part in path.split("."):
            assert part in node, f"missing {path}"
            node = node[part]
    for key in ("doubling_time_months", "growth_per_year", "forward_doubling_time_months"):
        assert set(summary["trend"][key]) == INTERVAL
    for era in summary["trend"]["eras"]:
        assert {"start_year", "doubling_time_months"} <= set(era)
    for c in summary["constraints"]:
        assert {"name", "kind", "hit_year", "prob_hit_by_horizon"} <= set(c)
        assert set(c["hit_year"]) == INTERVAL
    assert set(summary["limit"]["hit_year"]) == INTERVAL
    years = sorted(int(y) for y in summary["largest_run"])
    assert years == list(range(start_year, horizon + 1))
    for table in ("largest_run", "typical_run"):
        assert sorted(int(y) for y in summary[table]) == years
        for row in summary[table].values():
            assert set(row) == {"flop", "capex_usd", "amortized_usd", "power_watts"}
            for iv in row.values():
                assert set(iv) == INTERVAL
    assert set(summary["thresholds"]) == {f"1e{k}" for k in range(25, 30)}
    for th in summary["thresholds"].values():
        assert INTERVAL <= set(th) and isinstance(th["observed"], bool)
        assert not th["observed"] or {"date", "run"} <= set(th)


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


# -- fake results for the report (no fitting) ----------------------------------------------


def trend_summary(trend_fit, runs_used, start_year: float, seed: int = 0):
    """What the workflow keeps of a (fake) trend fit, derived by the workflow's own code."""
    from types import SimpleNamespace

    import numpy as np

    from forecast.analysis.fits import fit_summary

    result = SimpleNamespace(
        trend_fit=trend_fit,
        hardware_fit=None,
        runs_used=runs_used,
        start_year=start_year,
        seed=seed,
        scenario=None,
    )
    return fit_summary(result, np.random.default_rng(seed))


def fake_runs(n: int = 12):
    """``n`` published runs from 2012 to mid-2025 on a 0.6 OOM/yr line to 5e26 FLOP."""
    import numpy as np
    import pandas as pd

    t = np.linspace(2012.0, 2025.5, n)
    log10 = 26.7 - (2025.5 - t) * 0.6
    return pd.DataFrame(
        {
            "name": [f"run {i}" for i in range(t.size)],
            "organization": "lab",
            "date": [f"{int(x)}-06-01" for x in t],
            "t": t,
            "log10_flop": log10,
            "compute_flop": 10**log10,
            "method": "hardware",
            "source_title": "a source",
            "source_url": "https://example.org",
        }
    )


def fake_results(projection, runs_used, trend_fit=None, sweep=None, scenario: str = "baseline"):
    """A :class:`forecast.results.Results` around a projection, for report tests.

    The scenario is parsed from ``scenarios/<scenario>.toml`` (no fit); the trend, when
    given, is a fake posterior (``az.from_dict``) summarised by the workflow's code.
    """
    from pathlib import Path

    import xarray as xr

    from forecast.analysis.fits import fit_summary
    from forecast.results import Results, runs_dataset
    from forecast.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "scenarios" / f"{scenario}.toml"
    start = float(projection.attrs["start_year"])
    if trend_fit is not None:
        fit = trend_summary(trend_fit, runs_used, start)
    else:
        from types import SimpleNamespace

        import numpy as np

        none = SimpleNamespace(trend_fit=None, hardware_fit=None)
        fit = fit_summary(none, np.random.default_rng(0))
    runs = runs_used.copy()
    return Results(
        scenario=load_scenario(path),
        scenario_text=path.read_text(encoding="utf-8"),
        seed=0,
        projection=projection,
        inputs=xr.Dataset(),
        runs=runs_dataset(runs, runs),
        fit=fit,
        sweep=sweep,
    )


def make_fake_trend_fit(seed: int = 2):
    """A fake two-era trend posterior made with ``az.from_dict`` (no sampling)."""
    import arviz as az
    import numpy as np

    from forecast.models.sampling import Diagnostics
    from forecast.models.trend import TrendFit

    rng = np.random.default_rng(seed)
    chains, draws = 2, 25
    posterior = {
        "level": rng.normal(22.0, 0.05, (chains, draws)),
        "slope": np.stack(
            [rng.normal(0.2, 0.01, (chains, draws)), rng.normal(0.6, 0.02, (chains, draws))], -1
        ),
        "breakpoint": rng.normal(2017.5, 0.3, (chains, draws, 1)),
        "sigma": rng.normal(0.4, 0.01, (chains, draws)),
        "nu": rng.normal(8.0, 0.1, (chains, draws)),
    }
    return TrendFit(
        idata=az.from_dict(posterior=posterior),
        eras=2,
        jump=False,
        t_ref=2018.0,
        diagnostics=Diagnostics(1.0, 1000.0, 0),
    )


def make_inputs(
    s: int = 5,
    tc_months=6.0,
    th_years: float = 2.5,
    te_years: float = 2.5,
    growth: float = 0.05,
    eff_limit: float = math.inf,
    constraints=None,
    horizon: float = 2060.0,
    start_year: float = 2026.0,
):
    """Per-draw projection inputs built by hand (no scenario, no fit).

    Compute 5e26 FLOP at 2025.5 doubling every ``tc_months`` (a number, or one per draw
    for some spread); price-performance 3e10 FLOP/s per USD and efficiency 1.4e12 FLOP/s
    per W at 2025.0, doubling every ``th_years`` and ``te_years``; utilisation 0.35, 100
    days, overhead 1.5, 4-year lifetime, PUE 1.2, 0.08 USD/kWh. ``constraints`` defaults
    to one capex ceiling "budget": 1e12 USD at 2018 growing by ``growth`` a year.
    """
    import numpy as np

    from forecast.project.limits import ConstraintDraws, ProjectionInputs
    from forecast.project.trajectory import LogLinear

    ones = np.ones(s)
    log10_2 = math.log10(2)
    compute = LogLinear(
        np.full(s, math.log10(5e26)), ones * log10_2 * 12 / np.asarray(tc_months), 2025.5
    )
    price = LogLinear(np.full(s, math.log10(3e10)), ones * log10_2 / th_years, 2025.0)
    eff = LogLinear(np.full(s, math.log10(1.4e12)), ones * log10_2 / te_years, 2025.0)
    if constraints is None:
        constraints = (
            ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, ones * growth, ones),
        )
    return ProjectionInputs(
        compute=compute,
        price_performance=price,
        efficiency=eff,
        efficiency_limit=ones * eff_limit,
        utilization=ones * 0.35,
        training_days=ones * 100,
        overhead=ones * 1.5,
        lifetime_years=ones * 4,
        pue=ones * 1.2,
        electricity_usd_per_kwh=ones * 0.08,
        constraints=tuple(constraints),
        start_year=start_year,
        horizon=horizon,
    )


def hand_runs(years=None, noise: float = 0.0, seed: int = 0):
    """Runs with published figures whose yearly rates are known exactly: compute 10x,
    duration 1.5x, power 2x, capital cost 3x, amortised cost 4x a year (times a log-normal
    scatter of ``noise`` decades, if any)."""
    import numpy as np
    import pandas as pd

    t = np.arange(2016.0, 2026.0) if years is None else np.asarray(years, dtype=float)
    rng = np.random.default_rng(seed)

    def series(level: float, factor: float) -> np.ndarray:
        return level * factor ** (t - 2016.0) * 10 ** rng.normal(0.0, noise, t.size)

    return pd.DataFrame(
        {
            "name": [f"run {i}" for i in range(t.size)],
            "t": t,
            "compute_flop": series(1e22, 10.0),
            "training_hours": series(240.0, 1.5),
            "power_watts": series(1e6, 2.0),
            "hardware_cost_usd": series(1e8, 3.0),
            "amortized_cost_usd": series(1e6, 4.0),
        }
    )


def fake_growth(inputs, projection, n_boot: int = 200):
    """A growth accounting (:func:`forecast.analysis.growth.accounting`) of a hand-made
    table of runs (:func:`hand_runs`, with scatter) and a projection, without a scenario."""
    import numpy as np

    from forecast.analysis.growth import combine, historical_from_table, projected

    past = historical_from_table(hand_runs(noise=0.1), np.random.default_rng(0), n_boot)
    return combine(past, projected(inputs, projection), "realised")
