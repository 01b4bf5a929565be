from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from forecast.data import Selection, frontier_mask, select


@pytest.fixture()
def toy():
    # Five runs on distinct dates; compute chosen so that each rule gives a known answer.
    return pd.DataFrame(
        {
            "name": ["a", "b", "c", "d", "e"],
            "date": [
                dt.date(2010, 1, 1),
                dt.date(2011, 1, 1),
                dt.date(2012, 1, 1),
                dt.date(2013, 1, 1),
                dt.date(2014, 1, 1),
            ],
            "compute_flop": [1e18, 1e17, 1e19, 5e18, 1e20],
        }
    )


def names(runs, selection):
    return list(runs.loc[frontier_mask(runs, selection), "name"])


def test_all(toy):
    assert names(toy, Selection("all")) == ["a", "b", "c", "d", "e"]


def test_record(toy):
    assert names(toy, Selection("record")) == ["a", "c", "e"]


def test_top_n(toy):
    # d (5e18) is second largest at its release; b is second of two at its release.
    assert names(toy, Selection("top_n", top_n=2)) == ["a", "b", "c", "d", "e"]
    assert names(toy, Selection("top_n", top_n=1)) == ["a", "c", "e"]


def test_threshold(toy):
    assert names(toy, Selection("threshold", threshold_flop=5e18)) == ["c", "d", "e"]


def test_window_applies_after_judging_at_release(toy):
    # b is not a record even when the window starts after a: a still counts as earlier.
    sel = Selection("record", since=dt.date(2010, 6, 1))
    assert names(toy, sel) == ["c", "e"]
    sel = Selection("all", since=dt.date(2011, 1, 1), until=dt.date(2013, 1, 1))
    assert names(toy, sel) == ["b", "c", "d"]


def test_until_hides_later_runs(toy):
    sel = Selection("top_n", top_n=1, until=dt.date(2012, 6, 1))
    assert list(select(toy, sel)["name"]) == ["a", "c"]


def test_describe_is_explicit():
    text = Selection("top_n", top_n=10, since=dt.date(2010, 1, 1)).describe()
    assert "top 10" in text and "2010-01-01" in text


def test_frontier_on_real_data(runs):
    frontier = select(runs, Selection("top_n", top_n=10, since=dt.date(2010, 1, 1)))
    assert 30 <= len(frontier) < len(runs)
    record = select(runs, Selection("record"))
    # Records increase strictly in compute.
    assert record["compute_flop"].is_monotonic_increasing


def test_other_stages_neither_count_nor_compete(toy):
    """A fine-tune (c, counting a base model's compute again) is not a run of its own size:
    left out, it no longer blocks d from a record; a run without a stage counts as pretrain."""
    toy = toy.assign(stage=["pretrain", "pretrain", "fine-tune", None, "pretrain"])
    assert names(toy, Selection("record")) == ["a", "c", "e"]  # stages=None: every run
    pretrain = Selection("record", stages=("pretrain",))
    assert names(toy, pretrain) == ["a", "d", "e"]
    both = Selection("record", stages=("pretrain", "fine-tune"))
    assert names(toy, both) == ["a", "c", "e"]
    assert pretrain.describe().endswith("(fine-tunes and unfinished runs left out)")
    assert names(toy.drop(columns="stage"), pretrain) == ["a", "c", "e"]  # no column: all
