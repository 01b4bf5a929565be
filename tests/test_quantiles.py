"""Quantiles of scenario distributions without scipy, and figures drawn where they are saved."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.scenario.params import LogNormal, Normal, Triangular, Uniform

Q = np.array([0.0, 0.001, 0.1, 0.37, 0.5, 0.9, 0.999, 1.0])


@pytest.mark.parametrize(
    "param",
    [
        LogNormal(2.5e9, 5e9),
        Uniform(1.0, 8.0),
        Triangular(0.16, 0.26, 0.4),
        Triangular(0.0, 0.0, 1.0),
        Triangular(0.0, 1.0, 1.0),
        Normal(0.375, 0.175, 0.05, 0.95),
        Normal(180.0, 70.0, 30.0, 365.0),
        Normal(0.0, 1.0),
    ],
    ids=repr,
)
def test_closed_form_quantiles_match_scipy(param):
    """Checking a scenario's ranges and drawing use closed forms (no scipy import); they
    agree with scipy's distributions to 1e-12 (relative), support included."""
    want = np.asarray(param.frozen().ppf(Q), dtype=float)
    got = param.ppf(Q)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    lo, hi = param.frozen().support()
    assert param.support() == pytest.approx((float(lo), float(hi)), rel=1e-12)


def test_a_truncated_normal_draws_inside_its_bounds_and_from_the_right_quantiles():
    p = Normal(180.0, 70.0, 30.0, 365.0)
    x = p.draw(np.random.default_rng(0), 20_000)
    assert x.min() >= 30.0 and x.max() <= 365.0
    np.testing.assert_allclose(np.quantile(x, [0.1, 0.5, 0.9]), p.ppf([0.1, 0.5, 0.9]), rtol=0.02)


def test_a_figure_drawn_in_the_saving_process_gives_the_same_bytes(tmp_path):
    """:func:`save_figures` takes figures still to be drawn (drawn by whichever process
    saves them): the files are byte for byte those of the drawn figure."""
    import matplotlib.pyplot as plt

    from forecast.report.figures import save_figure, save_figures

    def make():
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [1, 3, 2], label="a line")
        ax.set_title("t")
        return fig

    save_figure(make(), tmp_path / "drawn", "f")
    save_figures({"f": make, "g": make}, tmp_path / "lazy")
    for stem in ("f", "g"):
        assert (tmp_path / "lazy" / f"{stem}.png").read_bytes() == (
            tmp_path / "drawn" / "f.png"
        ).read_bytes()
