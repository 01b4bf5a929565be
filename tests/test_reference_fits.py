"""Plain least-squares checks against published figures (fast tier)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.data import doubling_months


def ols_doubling(t, y):
    slope = np.polyfit(t, y, 1)[0]
    return float(doubling_months(slope))


def test_2018_analysis_reproduced(openai_2018):
    trend = openai_2018[openai_2018["in_trend"]]
    assert len(trend) == 15
    months = ols_doubling(trend["t"], trend["log10_flop"])
    assert 3.2 <= months <= 3.7  # published: 3.43
    everything = ols_doubling(openai_2018["t"], openai_2018["log10_flop"])
    assert everything == pytest.approx(3.3, abs=0.2)


def test_alexnet_to_alphago_zero_factor(openai_2018):
    pts = openai_2018.set_index("name")["pfs_days"]
    ratio = pts["AlphaGoZero"] / pts["AlexNet"]
    assert 2.5e5 <= ratio <= 4e5  # "more than 300,000x"


def test_main_table_eras(runs):
    before = runs[runs["t"] < 2010]
    after = runs[runs["t"] >= 2010]
    pre = ols_doubling(before["t"], before["log10_flop"])
    post = ols_doubling(after["t"], after["log10_flop"])
    assert 15 <= pre <= 28, pre
    assert 4.5 <= post <= 7, post
