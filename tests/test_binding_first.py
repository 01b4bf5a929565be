"""Which limit binds first: summary.json, the briefing's opening, the figure (fake results)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure as MplFigure

from forecast.project.engine import project
from forecast.project.limits import ConstraintDraws
from forecast.report import figures as F
from forecast.report import style
from forecast.report.answer import answer, first_limit_odds
from forecast.report.briefing import build_briefing
from forecast.report.document import Figure, Table
from forecast.report.limit_figures import plot_binding_first
from forecast.results.summary import ALLOWED_VAR, build_summary
from helpers import fake_results, fake_runs, make_inputs

matplotlib.use("Agg")

S = 60  # draws
HORIZON = 2045.0  # the baseline scenario's, which fake_results parses


def make_projection(site_watts: tuple[float, float] = (9.0, 12.0), s: int = S):
    """Three ceilings with spread: a site whose power limit is drawn per draw (10**uniform
    over ``site_watts``), a capex budget, an amortised-cost ceiling; a slow trend in some
    draws, so that some draws meet no ceiling by the horizon."""
    rng = np.random.default_rng(3)
    ones = np.ones(s)
    constraints = (
        ConstraintDraws("budget", "spend", "capex", ones * 1e12, 2018.0, ones * 0.05, ones),
        ConstraintDraws("gdp", "spend", "amortized", ones * 1e14, 2022.0, ones * 0.03, ones * 0.01),
        ConstraintDraws(
            "site", "power", None, 10 ** rng.uniform(*site_watts, s), 2030.0, ones * 0.0, ones
        ),
    )
    months = np.clip(rng.normal(9.0, 3.0, s), 4.0, None)
    return project(make_inputs(s, months, constraints=constraints, horizon=HORIZON))


def runs() -> pd.DataFrame:
    return fake_runs()


@pytest.fixture(scope="module")
def projection():
    return make_projection()


@pytest.fixture(scope="module")
def results(projection):
    return fake_results(projection, runs())


@pytest.fixture(scope="module")
def summary(results):
    return build_summary(results)


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence (not the point of "5.4")."""
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


def answer_text(summary, results) -> str:
    para = answer(summary, results)[0]
    return "".join(p if isinstance(p, str) else p.text for p in para.parts)


# -- summary.json --------------------------------------------------------------------------


def test_prob_binds_first_sums_to_one_with_none(summary, projection):
    binding = projection["binding"].to_numpy()
    assert 0 < (binding < 0).sum() < binding.size  # the fixture has draws meeting none
    probs = [c["prob_binds_first"] for c in summary["constraints"]]
    none = summary["limit"]["prob_binds_first_none"]
    assert sum(probs) + none == pytest.approx(1.0, abs=1e-5)
    # Draws that meet nothing stay in the denominator.
    for i, p in enumerate(probs):
        assert p == pytest.approx(np.mean(binding == i), abs=1e-6)
    assert none == pytest.approx(np.mean(binding < 0), abs=1e-6)


def test_binding_constraint_is_the_most_likely_first(summary):
    best = max(summary["constraints"], key=lambda c: c["prob_binds_first"])
    assert summary["limit"]["binding_constraint"] == best["name"]
    assert summary["limit"]["binding_share"] == best["prob_binds_first"]
    # The existing keys stay.
    for c in summary["constraints"]:
        assert {"name", "kind", "basis", "hit_year", "prob_hit_by_horizon"} <= set(c)


# -- the briefing opens with it ------------------------------------------------------------


def test_answer_opens_with_the_most_likely_first_limit(summary, results):
    text = answer_text(summary, results)
    assert text.startswith("The answer. ")
    sentence = first_sentence(text.removeprefix("The answer. "))
    odds = first_limit_odds(summary)
    (name, p), runner_up = odds[0], odds[1]
    assert name is not None
    assert f"most likely {name} (in {style.percent(p)} of draws)" in sentence
    # When, as the summary has it, and the next most likely after it.
    assert style.year_interval(summary["limit"]["hit_year"], results.scenario.horizon) in sentence
    label = runner_up[0] or f"none by {results.scenario.horizon}"
    assert f"next most likely: {label} ({style.percent(runner_up[1])})" in sentence


def test_answer_when_most_draws_meet_no_limit():
    # Site limits out of reach in most draws: meeting none is the likeliest outcome.
    projection = make_projection(site_watts=(9.0, 9.5))
    projection = projection.copy()
    binding = projection["binding"].to_numpy().copy()
    binding[: int(0.7 * binding.size)] = -1  # seven draws in ten meet nothing
    projection["binding"] = ("draw", binding)
    results = fake_results(projection, runs())
    summary = build_summary(results)
    sentence = first_sentence(answer_text(summary, results).removeprefix("The answer. "))
    none = summary["limit"]["prob_binds_first_none"]
    first = summary["limit"]["binding_constraint"]
    assert f"most likely meets none of the limits by 2045 (in {style.percent(none)}" in sentence
    assert f"most likely {first} (in {style.percent(summary['limit']['binding_share'])}" in sentence


def test_answer_when_no_draw_meets_a_limit(results, summary):
    nothing = {
        **summary,
        "constraints": [{**c, "prob_binds_first": 0.0} for c in summary["constraints"]],
        "limit": {
            **summary["limit"],
            "binding_constraint": None,
            "binding_share": 0.0,
            "prob_binds_first_none": 1.0,
        },
    }
    sentence = first_sentence(answer_text(nothing, results).removeprefix("The answer. "))
    assert "meets none of the limits by 2045 in any draw" in sentence


def test_briefing_shows_the_figure_right_after_the_answer_table(summary, results):
    figs = {"binding_first": Figure(Path("figures/binding_first.png"), "binding_first")}
    _, blocks = build_briefing(summary, results, figs)
    assert isinstance(blocks[1], Table)
    figure = blocks[2]
    assert isinstance(figure, Figure) and figure.path.name == "binding_first.png"
    # A caption (the alt text) that says what the figure shows, with its headline number.
    name, p = first_limit_odds(summary)[0]
    assert f"{name} binds first in {style.percent(p)} of draws" in figure.caption
    assert "none is met by 2045" in figure.caption


# -- the figure ----------------------------------------------------------------------------


def render(fig: MplFigure) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_figure_bars_and_path(projection, summary):
    fig = plot_binding_first(projection)
    ax_bars, ax_path = fig.axes[:2]
    cons = summary["constraints"]
    names = [c["name"] for c in cons]
    # Most likely at the top, as the briefing names them; "none" last.
    order = sorted(range(len(cons)), key=lambda i: -cons[i]["prob_binds_first"])
    labels = [t.get_text() for t in ax_bars.get_yticklabels()]
    assert labels == [*(names[i] for i in order), "none by 2045"]
    # Bar lengths are the summary's probabilities, each in its constraint's colour.
    widths = [p.get_width() for p in ax_bars.patches]
    expected = [cons[i]["prob_binds_first"] for i in order]
    expected.append(summary["limit"]["prob_binds_first_none"])
    np.testing.assert_allclose(widths, expected, atol=1e-6)
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax_bars.patches[:3]]
    assert colours == [style.constraint_colour(i).lower() for i in order]
    assert ax_bars.get_xlabel() and ax_bars.get_title()
    # Right: log FLOP against the year, the unconstrained and held paths in the legend.
    assert ax_path.get_yscale() == "log" and "FLOP" in ax_path.get_ylabel()
    assert ax_path.get_xlabel() == "year" and ax_path.get_title()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("unconstrained" in t for t in legend)
    assert any("held to the limits" in t for t in legend)
    allowed = [t for t in legend if t.startswith("allowed by ")]
    assert ALLOWED_VAR in projection  # the engine gives it
    assert allowed == [f"allowed by {n} (median)" for n in names]
    render(fig)


def test_figure_without_allowed_compute_or_none(projection):
    # A projection without the allowed compute (written before it existed) still draws;
    # with every draw meeting a limit there is no "none" bar.
    old = projection.drop_vars(ALLOWED_VAR, errors="ignore").copy()
    binding = old["binding"].to_numpy().copy()
    binding[binding < 0] = 0
    old["binding"] = ("draw", binding)
    fig = plot_binding_first(old)
    ax_bars, ax_path = fig.axes[:2]
    assert not any("none" in t.get_text() for t in ax_bars.get_yticklabels())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 2 and not any("allowed" in t for t in legend)
    assert ax_path.get_yscale() == "log"
    render(fig)


def test_figure_is_registered(results):
    figs = F.figure_set(results)
    assert "binding_first" in figs and "binding_first" in F.STEMS
    assert list(figs) == [s for s in F.STEMS if s in figs]  # in the order of STEMS
    assert isinstance(figs["binding_first"], MplFigure)
    for fig in figs.values():
        F.close_figure(fig)


def test_the_race_splits_the_draws_by_the_top_sobol_inputs():
    """Six draws; the top input (by ST) is the budget's share. In its lower third (the two
    smallest shares) the second limit binds first in both draws; in its upper third the
    first limit in one and none in the other (that draw stays in the denominator)."""
    from types import SimpleNamespace

    import xarray as xr

    from forecast.analysis.hit_response import binding_race
    from forecast.project.inputs import set_input
    from helpers import make_inputs

    inp = make_inputs(6)
    inp = set_input(inp, "constraints.budget.share", [0.1, 0.2, 0.5, 0.6, 0.9, 1.0])
    projection = xr.Dataset(
        {"binding": ("draw", [1, 1, 0, 1, 0, -1])},
        coords={"constraint": ["budget", "power"]},
    )
    sobol = {
        "constraints.budget.share": {"ST": 0.6},
        "constraints.budget.growth_per_year": {"ST": 0.1},
        "hardware.pue": {"ST": 0.0},
    }
    race = binding_race(SimpleNamespace(projection=projection, inputs=inp), sobol)
    assert race["input"].to_numpy().tolist() == [
        "constraints.budget.share",
        "constraints.budget.growth_per_year",
    ]
    share = race["share"].sel(input="constraints.budget.share")
    np.testing.assert_allclose(share.sel(part="lower third"), [0.0, 1.0])
    np.testing.assert_allclose(share.sel(part="upper third"), [0.5, 0.0])
    # An input with no spread puts every draw in both thirds: the overall shares.
    flat = race["share"].sel(input="constraints.budget.growth_per_year")
    np.testing.assert_allclose(flat.sel(part="lower third"), [2 / 6, 3 / 6])
