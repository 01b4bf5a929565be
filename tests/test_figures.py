"""Figures from fake results: every plot returns a labelled Figure; nothing is fitted."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

from forecast.data.units import FLOP_PER_PFS_DAY
from forecast.project.engine import project
from forecast.project.limits import ConstraintDraws, ProjectionInputs
from forecast.report import figures as F
from forecast.report.limit_figures import (
    plot_cost_vs_ceilings,
    plot_hit_years,
    plot_power_vs_ceiling,
)
from forecast.report.sensitivity_figures import plot_doubling_sensitivity
from forecast.report.trend_figures import plot_trend_linear, plot_trend_log
from helpers import fake_growth, fake_results, make_fake_trend_fit, make_inputs, trend_summary

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
S = 40  # draws


def make_figure_inputs(s: int = S, horizon: float = 2045.0) -> ProjectionInputs:
    """Inputs with some spread; two spend ceilings and one power ceiling, one out of reach."""
    rng = np.random.default_rng(0)
    ones = np.ones(s)
    tc_months = rng.normal(6.0, 0.5, s)
    constraints = (
        ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, ones * 0.05, ones),
        ConstraintDraws("gdp", "spend", "amortized", ones * 1e14, 2022.0, ones * 0.03, ones * 0.01),
        # A ceiling out of reach for some draws: never hit by the horizon.
        ConstraintDraws(
            "site", "power", None, 10 ** rng.uniform(9, 20, s), 2030.0, ones * 0.0, ones
        ),
    )
    return make_inputs(s, tc_months, eff_limit=4.7e15, constraints=constraints, horizon=horizon)


@pytest.fixture(scope="module")
def inputs() -> ProjectionInputs:
    return make_figure_inputs()


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
def trend_fit():
    return make_fake_trend_fit()


@pytest.fixture(scope="module")
def trend(trend_fit, runs_used, inputs):
    """What the report keeps of the fake fit (as the workflow derives it when fitting)."""
    return trend_summary(trend_fit, runs_used, inputs.start_year)


def check_axes(ax, log_y: bool | None = None) -> None:
    assert ax.get_xlabel()
    assert ax.get_ylabel()
    assert ax.get_title()
    # A legend of its own, or one for the whole figure (below several panels).
    assert ax.get_legend() is not None or ax.figure.legends
    if log_y is not None:
        assert (ax.get_yscale() == "log") is log_y


def render(fig: Figure) -> None:
    """Render the figure (catches layout and mathtext errors that only appear on drawing)."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_trend_log(runs, runs_used, projection, trend):
    fig = plot_trend_log(runs, runs_used, projection, trend)
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
    fig = plot_trend_log(runs, runs_used, projection, trend=None, moore_months=18.0)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("fitted trend" in label for label in labels)
    assert any("18 months" in label for label in labels)
    render(fig)


def test_trend_linear(runs_used, projection):
    fig = plot_trend_linear(projection, runs_used)
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
    fig = plot_cost_vs_ceilings(projection)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "budget" in labels and "gdp" in labels and "site" not in labels
    render(fig)
    fig = plot_power_vs_ceiling(projection)
    ax = fig.axes[0]
    check_axes(ax, log_y=True)
    assert "watts" in ax.get_ylabel()
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "site" in labels and "budget" not in labels
    render(fig)


def test_hit_years_counts_never(projection):
    fig = plot_hit_years(projection)
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
    fig = plot_doubling_sensitivity(
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
        plot_trend_log(runs, runs_used, projection, ax=axes[0]),
        plot_trend_linear(projection, runs_used, ax=axes[1]),
        plot_cost_vs_ceilings(projection, ax=axes[2]),
        plot_power_vs_ceiling(projection, ax=axes[3]),
        plot_hit_years(projection, ax=axes[4]),
        plot_doubling_sensitivity(
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
    fig = plot_hit_years(projection)
    paths = F.save_figure(fig, tmp_path / "figs", "hits", svg=True)
    assert [p.name for p in paths] == ["hits.png", "hits.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert F.save_figure(plot_cost_vs_ceilings(projection), tmp_path, "cost") == [
        tmp_path / "cost.png"
    ]


def make_result(projection, inputs, runs_used, trend_fit=None, sweep=None):
    return fake_results(projection, runs_used, trend_fit, sweep=sweep)


def test_figure_set_without_trend_fit(projection, inputs, runs_used, tmp_path):
    result = make_result(projection, inputs, runs_used)
    figs = F.figure_set(result)
    assert list(figs) == [
        "trend_log",
        "trend_linear",
        "cost",
        "power",
        "hit_years",
        "binding_first",
    ]
    assert all(isinstance(f, Figure) for f in figs.values())
    sweep = xr.Dataset(
        {
            "median": (("sweep", "constraint"), [[2030, 2031], [2031, 2033], [2034, np.nan]]),
            "p10": (("sweep", "constraint"), [[2029, 2030], [2030, 2031], [2032, 2038]]),
            "p90": (("sweep", "constraint"), [[2031, 2032], [2032, 2035], [2036, np.nan]]),
        },
        coords={"value": ("sweep", [4.0, 6.0, 12.0]), "constraint": ["budget", "gdp"]},
        attrs={"param": "trend.doubling_time_months"},
    )
    result = make_result(projection, inputs, runs_used, sweep=sweep)
    result.growth = fake_growth(inputs, projection)
    from forecast.analysis.lesson2018 import lesson

    result.lesson_2018 = lesson(result.scenario)
    figs = F.figure_set(result)
    # The threshold counts have their own tests (tests/test_counts.py).
    assert list(figs) == [s for s in F.STEMS if s not in ("threshold_counts", "supply")]
    for stem, fig in figs.items():
        check_axes(fig.axes[0])
        assert F.save_figure(fig, tmp_path, stem)[0].stat().st_size > 0


def test_figure_set_skips_power_without_power_constraint(inputs, runs_used, trend_fit):
    spend_only = ProjectionInputs(**{**inputs.__dict__, "constraints": inputs.constraints[:2]})
    result = make_result(project(spend_only), spend_only, runs_used, trend_fit)
    figs = F.figure_set(result)
    assert list(figs) == ["trend_log", "trend_linear", "cost", "hit_years", "binding_first"]


# -- the figures say what the briefing says ------------------------------------------------

DECIMAL_YEAR = re.compile(r"\b20\d\d\.\d")


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def visible_tick_labels(ax, axis: str = "y") -> list[str]:
    """The labels of the major ticks inside the view, as drawn."""
    ax.figure.canvas.draw()
    which = ax.yaxis if axis == "y" else ax.xaxis
    lo, hi = sorted(which.get_view_interval())
    return [
        label.get_text()
        for loc, label in zip(which.get_majorticklocs(), which.get_majorticklabels(), strict=True)
        if lo * (1 - 1e-9) <= loc <= hi * (1 + 1e-9)
    ]


def test_legends_give_hit_years_and_probabilities_as_the_briefing(projection, inputs, runs_used):
    from forecast.report import style as fmt
    from forecast.results.summary import build_summary

    summary = build_summary(make_result(projection, inputs, runs_used))
    budget = next(c for c in summary["constraints"] if c["name"] == "budget")
    site = next(c for c in summary["constraints"] if c["name"] == "site")
    # The fixture's medians fall inside a year, where a decimal year would show.
    assert budget["hit_year"]["median"] % 1 > 0.05
    year_budget = fmt.year(budget["hit_year"]["median"])
    year_site = fmt.year(site["hit_year"]["median"])
    figs = {
        "cost": plot_cost_vs_ceilings(projection),
        "power": plot_power_vs_ceiling(projection),
        "hit_years": plot_hit_years(projection),
    }
    for fig in figs.values():
        fig.canvas.draw()
        for text in legend_texts(fig.axes[0]):
            assert not DECIMAL_YEAR.search(text), text
    cost = " ".join(legend_texts(figs["cost"].axes[0]))
    assert f"median hit year {year_budget}, P(hit by 2045) 100%" in cost
    hit_years = legend_texts(figs["hit_years"].axes[0])
    site_label = next(t for t in hit_years if t.startswith("site"))
    assert f"median hit year {year_site}" in site_label
    assert f"P(hit by 2045) {fmt.percent(site['prob_hit_by_horizon'])}" in site_label
    first = next(t for t in hit_years if t.startswith("first ceiling"))
    assert f"median hit year {fmt.year(summary['limit']['hit_year']['median'])}" in first


def test_legend_years_are_rounded_as_summary_json():
    # 2032.9999996 is 2033.00 at summary.json's six digits: the briefing says 2033, and so
    # must the legend (unrounded, the calendar year would read 2032).
    from forecast.report.style import year
    from forecast.stats import rounded_interval

    hits = np.full(10, 2032.9999996)
    assert year(rounded_interval(hits)["median"]) == "2033"
    from forecast.report.plot_base import hit_summary

    assert "median hit year 2033," in hit_summary(hits, 2045.0)


def test_legends_never_round_a_near_certainty():
    projection = project(make_figure_inputs(400))
    hits = projection["hit_year"].values.copy()
    hits[0, :] = 2030.5
    hits[0, 0] = np.inf  # 399 of 400 draws: 99.75%
    projection["hit_year"] = (projection["hit_year"].dims, hits)
    for fig in (plot_cost_vs_ceilings(projection), plot_hit_years(projection)):
        label = next(t for t in legend_texts(fig.axes[0]) if "budget" in t)
        assert "P(hit by 2045) >99%" in label
        assert "99.8%" not in label and "100%" not in label
        assert "median hit year 2030" in label


def test_cost_axis_one_style_from_a_million_to_1e20(projection):
    fig = plot_cost_vs_ceilings(projection)
    ax = fig.axes[0]
    ax.set_ylim(1e6, 1e20)
    labels = visible_tick_labels(ax)
    assert len(labels) >= 5
    assert all(re.fullmatch(r"\$[\d,]+[MBT]", t) for t in labels), labels
    assert "$1M" in labels and "$1T" in labels and "$100,000,000T" in labels
    # Beyond the named amounts every tick is a power of ten.
    ax.set_ylim(1e6, 1e30)
    labels = visible_tick_labels(ax)
    assert len(labels) >= 5
    assert all(re.fullmatch(r"\$10[⁰¹²³⁴⁵⁶⁷⁸⁹]+", t) for t in labels), labels


def test_cost_axis_label_explains_powers_of_ten():
    fig = plot_cost_vs_ceilings(project(make_figure_inputs(horizon=2070.0)))
    ax = fig.axes[0]
    labels = visible_tick_labels(ax)
    assert all(t.startswith("$10") for t in labels), labels
    assert ax.get_ylabel() == "cost of the largest run (US dollars, nominal; $10¹² = $1T)"
    render(fig)  # two "$" in the label must not start mathtext


def test_power_axis_one_style(projection):
    fig = plot_power_vs_ceiling(projection)
    ax = fig.axes[0]
    ax.set_ylim(1e3, 1e20)
    labels = visible_tick_labels(ax)
    assert all(re.fullmatch(r"[\d,]+ [kMGT]W", t) for t in labels), labels
    assert {"1 kW", "1 GW", "1 TW"} <= set(labels) or {"1 MW", "1 TW"} <= set(labels)
    ax.set_ylim(1e3, 1e25)
    labels = visible_tick_labels(ax)
    assert all(re.fullmatch(r"10[⁰¹²³⁴⁵⁶⁷⁸⁹]+ W", t) for t in labels), labels


def test_ceiling_levels_in_legends_are_the_briefings_amounts(projection):
    cost = " ".join(legend_texts(plot_cost_vs_ceilings(projection).axes[0]))
    # $1T in 2018 growing 5% a year is $1.55T at the end of 2026 (the instant 2027.0:
    # 1.05^9), written as the briefing writes it.
    assert "budget, from $1.55T at the end of 2026" in cost
    assert "trillion" not in cost and "e+" not in cost


def test_hit_year_histogram_is_a_share_of_draws(projection):
    hits = projection["hit_year"].values.copy()
    hits[:, :] = 2030.2  # every draw in one half-year bin
    one_bin = projection.assign(hit_year=(projection["hit_year"].dims, hits))
    ax = plot_hit_years(one_bin).axes[0]
    labels = visible_tick_labels(ax)
    assert all(t.endswith("%") for t in labels), labels
    assert max(float(t.rstrip("%")) for t in labels) <= 110  # not "200%" of the draws
    assert ax.get_ylabel() == "share of draws in each half year"


def test_trend_titles_give_the_briefings_doubling_and_growth(
    runs, runs_used, projection, inputs, trend
):
    from forecast.results.summary import build_summary

    summary = build_summary(make_result(projection, inputs, runs_used))
    d = summary["trend"]["doubling_time_months"]["median"]
    g = summary["trend"]["growth_per_year"]["median"]
    log_fig = plot_trend_log(runs, runs_used, projection, trend)
    # As the briefing prints them: one decimal.
    assert f"median doubling time of {d:.1f} months" in log_fig.axes[0].get_title()
    fitted = next(t for t in legend_texts(log_fig.axes[0]) if t.startswith("fitted trend"))
    assert re.search(r"doubling every \d+\.\d → \d+\.\d months", fitted), fitted
    linear = plot_trend_linear(projection, runs_used).axes[0]
    assert f"growth of {g:.1f}x a year" in linear.get_title()
    note = next(t.get_text() for t in linear.texts if "largest run in the data" in t.get_text())
    assert "×10²" in note and "FLOP" in note and "e+" not in note


def test_sweep_of_another_parameter_is_named_in_words():
    fig = plot_doubling_sensitivity(
        [0.2, 0.5],
        {"a": [2030.2, 2032.7]},
        {"a": [2029.5, 2031.1]},
        {"a": [2031.3, 2034.9]},
        ["a"],
        param="constraints.World hardware budget.share",
    )
    ax = fig.axes[0]
    assert ax.get_xlabel() == "World hardware budget: share one run may take"
    assert "constraints." not in ax.get_title()
    assert all(re.fullmatch(r"\d{4}", t) for t in visible_tick_labels(ax)), "whole years"
    render(fig)


# -- tornado and Sobol ------------------------------------------------------------------------

TORNADO_ROWS = [
    {
        "param": "hardware.training_days",
        "constraint": "first binding",
        "hit_year_low": 2030.67,
        "hit_year_high": 2031.73,
        "hit_year_base": 2031.2,
        "swing_years": 1.06,
    },
    {
        "param": "constraints.World hardware budget.limit_usd",
        "constraint": "first binding",
        "hit_year_low": 2030.9,
        "hit_year_high": None,  # beyond the horizon: counted as 2046 in the swing
        "hit_year_base": 2031.2,
        "swing_years": 15.1,
    },
    {
        "param": "constraints.U.S./EU $ cap [2024].growth_per_year",
        "constraint": "first binding",
        "hit_year_low": 2031.3,
        "hit_year_high": 2031.0,
        "hit_year_base": 2031.2,
        "swing_years": -0.3,
    },
    {
        "param": "hardware.price_performance_doubling_years",
        "constraint": "first binding",
        "hit_year_low": 2031.2,
        "hit_year_high": 2031.2,
        "hit_year_base": 2031.2,
        "swing_years": 0.0,
    },
    {
        "param": "trend.doubling_time_months",
        "constraint": "first binding",
        "hit_year_low": 2031.07,
        "hit_year_high": 2031.33,
        "hit_year_base": 2031.2,
        "swing_years": 0.26,
    },
]

TORNADO_LABELS = [
    "Length of the training run (days)",
    "World hardware budget: limit ($)",
    "U.S./EU $ cap [2024]: growth of the limit (per year)",
    "Price-performance doubling time (years)",
    "Current-era doubling time (months)",
]


def bar_labels(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]


def test_tornado_labels_in_plain_words():
    from forecast.report.analysis_figures import plot_tornado

    fig = plot_tornado(TORNADO_ROWS)
    ax = fig.axes[0]
    # Drawn bottom-up: the largest swing (first row) on top.
    assert bar_labels(ax) == TORNADO_LABELS[::-1]
    # The axis is the change from the base case, never a fractional calendar year.
    ticks = visible_tick_labels(ax, "x")
    assert ticks and all(re.fullmatch(r"0|[+−]\d+(\.\d+)?", t) for t in ticks), ticks
    assert "2031" in ax.get_xlabel() and not DECIMAL_YEAR.search(ax.get_xlabel())
    # The setting beyond the horizon is drawn, and says so.
    assert any(t.get_text().strip() == "after 2045" for t in ax.texts)
    assert max(p.get_width() for p in ax.patches) == pytest.approx(2046 - 2031.2)
    render(fig)


def test_sobol_labels_in_plain_words():
    from forecast.report.analysis_figures import plot_sobol

    indices = {
        r["param"]: {"S1": 0.1 * i, "S1_conf": 0.01, "ST": 0.1 * i + 0.02, "ST_conf": 0.01}
        for i, r in enumerate(reversed(TORNADO_ROWS), start=1)
    }
    fig = plot_sobol(indices)
    assert bar_labels(fig.axes[0]) == TORNADO_LABELS
    render(fig)
