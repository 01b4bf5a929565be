"""Figures from fake results: every plot returns a labelled Figure; nothing is fitted."""

from __future__ import annotations

import io
import math
from pathlib import Path

import arviz as az
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from forecast.data.units import FLOP_PER_PFS_DAY
from forecast.models.sampling import Diagnostics
from forecast.models.trend import TrendFit
from forecast.pipeline import ScenarioResult
from forecast.project.engine import ConstraintDraws, LogLinear, ProjectionInputs, project
from forecast.report import figures as F
from forecast.scenario import load_scenario

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
S = 40  # draws


def make_inputs(s: int = S, horizon: float = 2045.0) -> ProjectionInputs:
    """Per-draw inputs with some spread; two spend ceilings and one power ceiling."""
    rng = np.random.default_rng(0)
    ones = np.ones(s)
    tc_months = rng.normal(6.0, 0.5, s)
    compute = LogLinear(np.full(s, math.log10(5e26)), math.log10(2) * 12 / tc_months, 2025.5)
    price = LogLinear(np.full(s, math.log10(3e10)), ones * math.log10(2) / 2.5, 2025.0)
    eff = LogLinear(np.full(s, math.log10(1.4e12)), ones * math.log10(2) / 2.5, 2025.0)
    constraints = (
        ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, ones * 0.05, ones),
        ConstraintDraws("gdp", "spend", "amortized", ones * 1e14, 2022.0, ones * 0.03, ones * 0.01),
        # A ceiling out of reach for some draws: never hit by the horizon.
        ConstraintDraws(
            "site", "power", None, 10 ** rng.uniform(9, 20, s), 2030.0, ones * 0.0, ones
        ),
    )
    return ProjectionInputs(
        compute=compute,
        price_performance=price,
        efficiency=eff,
        efficiency_limit=ones * 4.7e15,
        utilization=ones * 0.35,
        training_days=ones * 100,
        overhead=ones * 1.5,
        lifetime_years=ones * 4,
        pue=ones * 1.2,
        electricity_usd_per_kwh=ones * 0.08,
        constraints=constraints,
        start_year=2026.0,
        horizon=horizon,
    )


@pytest.fixture(scope="module")
def inputs() -> ProjectionInputs:
    return make_inputs()


@pytest.fixture(scope="module")
def projection(inputs):
    return project(inputs)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    t = np.linspace(2012.0, 2025.5, 30)
    log10 = 26.7 - (2025.5 - t) * 0.6 + np.random.default_rng(1).normal(0, 0.4, t.size)
    frame = pd.DataFrame({"name": [f"run {i}" for i in range(t.size)], "t": t, "log10_flop": log10})
    frame["compute_flop"] = 10 ** frame["log10_flop"]
    frame["date"] = pd.Timestamp("2012-01-01")  # not used by the figures
    return frame


@pytest.fixture(scope="module")
def runs_used(runs) -> pd.DataFrame:
    return runs.iloc[::2].reset_index(drop=True)


@pytest.fixture(scope="module")
def trend_fit() -> TrendFit:
    """A fake two-era posterior made with az.from_dict (no sampling)."""
    rng = np.random.default_rng(2)
    chains, draws = 2, 25
    posterior = {
        "level": rng.normal(22.0, 0.05, (chains, draws)),
        "slope": np.stack(
            [rng.normal(0.2, 0.01, (chains, draws)), rng.normal(0.6, 0.02, (chains, draws))], -1
        ),
        "breakpoint": rng.normal(2017.5, 0.3, (chains, draws, 1)),
    }
    idata = az.from_dict(posterior=posterior)
    return TrendFit(
        idata=idata, eras=2, jump=False, t_ref=2018.0, diagnostics=Diagnostics(1.0, 1000.0, 0)
    )


def check_axes(ax, log_y: bool | None = None) -> None:
    assert ax.get_xlabel()
    assert ax.get_ylabel()
    assert ax.get_title()
    assert ax.get_legend() is not None
    if log_y is not None:
        assert (ax.get_yscale() == "log") is log_y


def render(fig: Figure) -> None:
    """Render the figure (catches layout and mathtext errors that only appear on drawing)."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_trend_log(runs, runs_used, projection, trend_fit):
    fig = F.plot_trend_log(runs, runs_used, projection, trend_fit)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Moore" in label for label in labels)
    assert any("era breakpoints" in label for label in labels)
    assert any("fitted trend" in label for label in labels)
    # The secondary axis is in pfs-days.
    sec = [c for c in ax.child_axes if "pfs" in c.get_ylabel()]
    assert sec
    render(fig)
    assert sec[0].get_ylim()[0] == pytest.approx(ax.get_ylim()[0] / FLOP_PER_PFS_DAY)
    assert ax.get_xlim()[1] >= projection.attrs["horizon"]


def test_trend_log_without_fit(runs, runs_used, projection):
    fig = F.plot_trend_log(runs, runs_used, projection, trend_fit=None, moore_months=18.0)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("fitted trend" in label for label in labels)
    assert any("18 months" in label for label in labels)
    render(fig)


def test_trend_linear(runs_used, projection):
    fig = F.plot_trend_linear(projection, runs_used)
    ax = fig.axes[0]
    check_axes(ax, log_y=False)
    start = projection.attrs["start_year"]
    assert ax.get_xlim()[0] == pytest.approx(start - 6)
    # The x axis ends two years after the median first hit (or at the horizon).
    first = projection["first_hit_year"].to_numpy()
    end = projection.attrs["horizon"]
    if np.mean(np.isfinite(first)) > 0.5:
        end = min(end, np.ceil(np.median(first)) + 2)
    assert ax.get_xlim()[1] == pytest.approx(end + 0.5)
    render(fig)


def test_cost_and_power(projection):
    fig = F.plot_cost_vs_ceilings(projection)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "budget" in labels and "gdp" in labels and "site" not in labels
    render(fig)
    fig = F.plot_power_vs_ceiling(projection)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    assert "W" in ax.get_ylabel()
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "site" in labels and "budget" not in labels
    render(fig)


def test_hit_years_counts_never(projection):
    fig = F.plot_hit_years(projection)
    ax = fig.axes[0]
    check_axes(ax, log_y=False)
    hits = projection["hit_year"].sel(constraint="site").values
    never = int(np.sum(~np.isfinite(hits)))
    assert 0 < never < hits.size  # the fixture has both kinds of draws
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    site = next(label for label in labels if label.startswith("site"))
    assert f"{never} of {hits.size} draws not by 2045" in site
    render(fig)


def test_doubling_sensitivity():
    values = np.array([4.0, 6.0, 12.0, 24.0])
    median = {
        "budget": np.array([2030.0, 2031.0, 2034.0, np.inf]),
        "site": [2029.0, 2030.0, None, None],
    }
    p10 = {
        k: np.asarray(v, dtype=float) - 1 if k == "budget" else [2028.0, 2029.0, 2040.0, None]
        for k, v in median.items()
    }
    p90 = {
        "budget": np.array([2031.0, 2033.0, np.nan, np.nan]),
        "site": [2031.0, 2032.0, None, None],
    }
    fig = F.plot_doubling_sensitivity(
        values, median, p10, p90, ["budget", "site"], fitted=6.2, horizon=2045.0
    )
    ax = fig.axes[0]
    check_axes(ax, log_y=False)
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "6.2 months" in labels
    render(fig)


def test_existing_axes_are_used(runs, runs_used, projection):
    fig = Figure()
    axes = fig.subplots(2, 3).ravel()
    out = [
        F.plot_trend_log(runs, runs_used, projection, ax=axes[0]),
        F.plot_trend_linear(projection, runs_used, ax=axes[1]),
        F.plot_cost_vs_ceilings(projection, ax=axes[2]),
        F.plot_power_vs_ceiling(projection, ax=axes[3]),
        F.plot_hit_years(projection, ax=axes[4]),
        F.plot_doubling_sensitivity(
            [3.0, 6.0],
            {"a": [2030, 2032]},
            {"a": [2029, 2031]},
            {"a": [2031, 2034]},
            ["a"],
            ax=axes[5],
        ),
    ]
    assert all(f is fig for f in out)
    assert all(ax.has_data() for ax in axes)


def test_save_figure(tmp_path, projection):
    fig = F.plot_hit_years(projection)
    paths = F.save_figure(fig, tmp_path / "figs", "hits", svg=True)
    assert [p.name for p in paths] == ["hits.png", "hits.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert F.save_figure(F.plot_cost_vs_ceilings(projection), tmp_path, "cost") == [
        tmp_path / "cost.png"
    ]


def test_formatters():
    assert F.format_watts(5e9) == "5 GW"
    assert F.format_watts(1.5e5) == "150 kW"
    assert F.format_usd(2e11) == "$200B"
    assert F.format_usd(1e12) == "$1T"
    assert F.format_usd(1e18) == r"\$$10^{18}$"
    assert F.sci_math(5e26) == r"$5\times10^{26}$"


def make_result(projection, inputs, runs_used, trend_fit=None) -> ScenarioResult:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")  # parsing only, no fit
    return ScenarioResult(
        scenario=scenario,
        seed=0,
        runs_used=runs_used,
        projection=projection,
        inputs=inputs,
        trend_fit=trend_fit,
        hardware_fit=None,
        start_year=inputs.start_year,
    )


def test_figure_set_without_trend_fit(projection, inputs, runs_used, tmp_path):
    result = make_result(projection, inputs, runs_used)
    figs = F.figure_set(result)
    assert list(figs) == ["trend_log", "trend_linear", "cost", "power", "hit_years"]
    assert all(isinstance(f, Figure) for f in figs.values())
    sens = {
        "values": [4.0, 6.0, 12.0],
        "median": {"budget": [2030, 2031, 2034], "gdp": [2031, 2033, None]},
        "p10": {"budget": [2029, 2030, 2032], "gdp": [2030, 2031, 2038]},
        "p90": {"budget": [2031, 2032, 2036], "gdp": [2032, 2035, None]},
        "fitted": 6.0,
    }
    figs = F.figure_set(result, sensitivity=sens)
    assert list(figs) == list(F.STEMS)
    for stem, fig in figs.items():
        check_axes(fig.axes[0])
        assert F.save_figure(fig, tmp_path, stem)[0].stat().st_size > 0


def test_figure_set_skips_power_without_power_constraint(inputs, runs_used, trend_fit):
    spend_only = ProjectionInputs(**{**inputs.__dict__, "constraints": inputs.constraints[:2]})
    result = make_result(project(spend_only), spend_only, runs_used, trend_fit)
    figs = F.figure_set(result)
    assert list(figs) == ["trend_log", "trend_linear", "cost", "hit_years"]
