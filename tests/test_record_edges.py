"""Edge cases of the running record (forecast/project/record.py), each by hand.

Found by mutation testing (README, Quick start): each test fails for some small
change of the record's rules that the other tests would not notice.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.project.record import first_past, record_model, record_offsets, runs_per_year


def test_the_rate_window_is_open_at_its_start():
    """Runs in (end - 5, end]: a run exactly five years before the last is out; no runs,
    no rate."""
    runs = pd.DataFrame({"t": [2020.0, 2022.5, 2025.0]})
    assert runs_per_year(runs) == pytest.approx(2 / 5)
    assert runs_per_year(pd.DataFrame({"t": np.zeros(0)})) == 0.0


def test_no_runs_a_year_leave_the_record_on_the_trend_and_the_generator_untouched():
    rng = np.random.default_rng(3)
    off = record_offsets(np.full(4, 0.5), np.ones(4), np.full(4, 5.0), 0.0, rng)
    assert off.shape == (4,) and np.all(off == 0.0)
    assert rng.random() == np.random.default_rng(3).random()


def test_a_draw_where_no_run_arrives_sits_on_the_trend():
    """At 1e-4 runs a year hardly any draw sees a run in 8 years: those are exactly 0."""
    off = record_offsets(
        np.full(200, 0.5), np.ones(200), np.full(200, 5.0), 1e-4, np.random.default_rng(0)
    )
    assert off.dtype == float
    assert np.sum(off == 0.0) >= 190


def test_a_slow_arrival_rate_still_puts_the_record_behind_the_trend():
    """No scatter, 0.5 runs a year, slope 0.5 OOM a year: the record is the latest run,
    X ~ Exponential(0.5) years old at the end, or 0 if none came in 8 years, so the mean
    offset is -0.5 E[X; X < 8] = -0.5 (1 / 0.5 - e^-4 (8 + 1 / 0.5))."""
    s, slope, rate = 40_000, 0.5, 0.5
    off = record_offsets(
        np.full(s, slope), np.zeros(s), np.full(s, 5.0), rate, np.random.default_rng(5)
    )
    expected = -slope * (1 / rate - math.exp(-8 * rate) * (8 + 1 / rate))
    assert np.mean(off) == pytest.approx(expected, rel=0.03)


def test_the_record_model_keeps_its_rate_and_without_runs_has_no_floor():
    runs = pd.DataFrame({"name": ["a", "b"], "t": [2023.0, 2025.0], "compute_flop": [1e25, 3e25]})
    m = record_model(runs, np.ones(3), np.ones(3), np.full(3, 5.0), np.random.default_rng(0))
    assert m.runs_per_year == pytest.approx(2 / 5)
    empty = runs.iloc[:0]
    m = record_model(empty, np.ones(3), np.ones(3), np.full(3, 5.0), np.random.default_rng(0))
    assert m.floor_log10 == -math.inf and m.floor_name == ""
    assert m.runs_per_year == 0.0


def _models(**extra):
    return pd.DataFrame(
        {
            "name": ["small", "big", "exact", "later"],
            "date": ["2024-03-01", "2024-03-01", "2025-01-01", "2026-06-01"],
            "t": [2024.2, 2024.2, 2025.0, 2026.4],
            "compute_flop": [2e25, 5e25, 1e26, 1e27],
            **extra,
        }
    )


def test_first_past_breaks_a_tie_in_date_towards_the_larger_run_and_counts_equality():
    """Two runs on one date past 1e25: the larger is first. A run of exactly 1e26 FLOP is
    at the threshold (at or above). No run reaches 1e28: empty name, date and stage."""
    got = first_past(_models(), [25, 26, 28])
    assert got["run"].tolist() == ["big", "exact", ""]
    assert got["date"].tolist() == ["2024-03-01", "2025-01-01", ""]
    assert got["stage"].tolist() == ["pretrain", "pretrain", ""]


def test_first_past_reads_a_missing_stage_as_pretraining():
    got = first_past(_models(stage=[None, "fine-tune", np.nan, "pretrain"]), [25, 25.5, 26])
    assert got["stage"].tolist() == ["fine-tune", "fine-tune", "pretrain"]
    got = first_past(_models(stage=[None, np.nan, None, None]), [25])
    assert got["stage"].tolist() == ["pretrain"]
