"""The realised conversion: per-run quantities by hand, the model, and the realised path."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.models import ConversionData
from forecast.models import priors as P
from forecast.models.conversion import SERIES, build_conversion_model

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def _tables():
    runs = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "t": [2020.0, 2022.0, 2024.0, 2025.0],
            "compute_flop": [1e24, 1e25, 1e26, 4e26],
            "uncertainty": [2.0, 2.0, 3.0, 2.0],
        }
    )
    hw = pd.DataFrame(
        {
            "name": ["a", "b", "c", "x"],
            "training_hours": [24.0, 720.0, 2160.0, 100.0],
            "power_watts": [1e6, 5e6, np.nan, 1e6],
            "hardware_cost_usd": [1e8, np.nan, 3e9, 1e8],
            "amortized_cost_usd": [1e6, 2e7, 1e8, 1e6],
            "confidence": ["confident", "likely", "speculative", "likely"],
        }
    )
    return runs, hw


def test_per_run_quantities_by_hand():
    data = ConversionData.from_runs(*_tables())
    # Run a: 1e24 FLOP over one day on a $100M cluster drawing 1 MW, $1M amortised.
    assert data.names["flops_per_usd"] == ("a", "c")  # b has no purchase cost
    assert data.y["flops_per_usd"][0] == pytest.approx(math.log10(1e24 / (86400 * 1e8)))
    assert data.y["flops_per_usd"][1] == pytest.approx(math.log10(1e26 / (2160 * 3600 * 3e9)))
    assert data.names["flops_per_watt"] == ("a", "b")  # c has no power figure
    assert data.y["flops_per_watt"][1] == pytest.approx(math.log10(1e25 / (720 * 3600 * 5e6)))
    assert data.y["flop_per_usd_amortized"][2] == pytest.approx(math.log10(1e26 / 1e8))
    assert data.y["duration_days"].tolist() == pytest.approx(np.log10([1.0, 30.0, 90.0]))
    assert "d" not in data.names["duration_days"] and "x" not in data.names["duration_days"]
    # The duration's size term reads each run's own compute.
    assert data.log_c["duration_days"].tolist() == pytest.approx([24.0, 25.0, 26.0])
    # Errors add in quadrature: compute (2x as a 90% bound), the figure (speculative: 10x),
    # the duration (1.25x) for a per-second quantity.
    sd = math.sqrt(
        (math.log10(3.0) / 1.6448536269514722) ** 2
        + (math.log10(10.0) / 1.6448536269514722) ** 2
        + (math.log10(1.25) / 1.6448536269514722) ** 2
    )
    assert data.meas_sd["flops_per_usd"][1] == pytest.approx(sd)
    assert P.CONFIDENCE_FACTOR["speculative"] == 10.0


def test_model_log_probability_is_finite_at_the_initial_point():
    data = ConversionData.from_runs(*_tables())
    model = build_conversion_model(data)
    logp = model.compile_logp()(model.initial_point())
    assert np.isfinite(logp)
    assert [v.name for v in model.observed_RVs] == [f"y_{s}" for s in SERIES]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")  # 2 x 300
def test_realised_path_end_to_end_obeys_the_growth_identity():
    """Fitted on the shipped runs; power growth = compute growth / (realised FLOP/s per W
    growth x duration growth), per draw, while the duration cap and the physical limit
    are far away (the scenario sets no limit)."""
    from forecast.results.summary import build_summary
    from forecast.scenario import check_scenario
    from forecast.workflow import RunOptions, run

    results = run(check_scenario(SCENARIOS / "good_realised.toml"), RunOptions(draws=400))
    assert "realised conversion" in results.fit["fit"].to_numpy().tolist()
    assert "conversion_posterior" in results.posterior
    ds = results.projection
    years = ds["year"].to_numpy()
    log_p = np.log10(ds["power_watts"].to_numpy())
    log_c = ds["log10_flop"].to_numpy()
    # Per draw over one year: d log P = d log C - d log R_pow - d log D.
    d_p = log_p[:, 2] - log_p[:, 1]
    d_c = log_c[:, 2] - log_c[:, 1]
    assert years[2] - years[1] == 1.0
    implied = d_c - d_p  # = slope of R_pow + slope of D (with D's size term), fitted
    # Power grows slower than compute in every draw, but not absurdly so.
    assert np.all(implied > 0.0) and np.all(implied < 1.0)
    summary = build_summary(results)
    growth = summary["growth"]
    # Realised figures: power grows much slower than compute (published: about 2.1x).
    assert 1.5 < growth["power_per_year"]["median"] < 3.5
    assert growth["compute_per_year"]["median"] == pytest.approx(4.0, rel=1e-6)


def test_older_runs_count_less_in_the_conversion_fit():
    """The recency weighting: a run one half-life older than the newest has its residual
    sd scaled by sqrt(2), so its log-likelihood at a given residual is flatter."""
    data = ConversionData.from_runs(*_tables())
    # The shipped setting weights every run alike (chosen on the 2020 cutoff, priors.py);
    # the weighting itself, with a half-life of one year: the amortised series holds runs
    # a, b, c (2020, 2022, 2024); c is the newest run with figures, so its weight is 1 and
    # a's sd is 2^(4 / 2) = 4 times larger. Compared with the same model without it.
    import forecast.models.conversion as conv

    assert P.RECENCY_HALF_LIFE_YEARS is None
    old = P.RECENCY_HALF_LIFE_YEARS
    try:
        P.RECENCY_HALF_LIFE_YEARS = 1.0
        model = build_conversion_model(data)
        logp = model.compile_logp(vars=[model["y_flop_per_usd_amortized"]], sum=False)
        base = logp(model.initial_point())[0]
    finally:
        P.RECENCY_HALF_LIFE_YEARS = old
    assert np.all(np.isfinite(base))
    flat = conv.build_conversion_model(data)
    flat_logp = flat.compile_logp(vars=[flat["y_flop_per_usd_amortized"]], sum=False)
    unweighted = flat_logp(flat.initial_point())[0]
    # The newest run is unchanged; older ones differ (their scale is larger).
    assert base[-1] == pytest.approx(unweighted[-1])
    assert not np.isclose(base[0], unweighted[0])


def test_realised_on_the_2018_points_is_refused_before_any_fit(capsys):
    from helpers import cli_error_lines

    path = SCENARIOS / "bad_realised_points.toml"
    (line,) = cli_error_lines(["check", str(path)], capsys)
    assert line.startswith(f"error: {path}:11: hardware.conversion: ")
    assert 'needs data.points = "runs"' in line


def test_inputs_the_conversion_does_not_read_are_not_swept_or_ranked():
    from forecast.analysis.sensitivity import sweepable
    from forecast.scenario import load_scenario

    realised = load_scenario(SCENARIOS / "good_realised.toml")
    # A scenario on the datasheet conversion (the baseline is realised).
    baseline = load_scenario(SCENARIOS.parents[1] / "scenarios" / "openai-2018.toml")
    assert baseline.hardware.conversion == "datasheet"
    assert "hardware.utilization" in realised.hardware.unused_keys()
    assert "hardware.max_training_days" in baseline.hardware.unused_keys()
    swept = sweepable(realised)
    assert "hardware.utilization" not in swept and "hardware.flops_per_usd" not in swept
    assert "hardware.utilization" in sweepable(baseline)
    assert "hardware.max_training_days" not in sweepable(baseline)
