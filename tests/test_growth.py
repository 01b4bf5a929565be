"""Growth accounting: historical slopes on hand-made runs, projected factors in closed form,
the identities per bootstrap resample and per draw, the round trip and the briefing."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from forecast.analysis.growth import (
    ACCOUNTS,
    account_logs,
    account_slopes,
    combine,
    historical_from_table,
    projected,
    projected_draws,
)
from forecast.project.engine import project
from forecast.project.limits import Realised
from forecast.project.trajectory import LogLinear
from helpers import fake_growth, fake_results, hand_runs, make_inputs

LOG10_2 = math.log10(2)


def _factor(ds, account, factor, stat="estimate", period=None):
    sel = ds["yearly_factor"].sel(account=account, factor=factor, stat=stat)
    return float(sel if period is None else sel.sel(period=period))


# -- historical --------------------------------------------------------------------------------


def test_historical_slopes_of_exact_runs():
    """Compute 10x, duration 1.5x, power 2x a year: efficiency exactly 10 / (1.5 x 2)."""
    ds = historical_from_table(hand_runs(), np.random.default_rng(0), n_boot=50)
    expected = {
        "power": {"compute": 10, "duration": 1.5, "flops_per_watt": 10 / 3, "power": 2},
        "capex": {"compute": 10, "duration": 1.5, "flops_per_usd": 10 / 4.5, "capex": 3},
        "amortized": {"compute": 10, "flop_per_usd_amortized": 2.5, "amortized": 4},
    }
    for account, factors in expected.items():
        for factor, value in factors.items():
            for stat in ("estimate", "median", "p10", "p90"):  # no scatter: no spread
                assert _factor(ds, account, factor, stat) == pytest.approx(value, rel=1e-9)
        absent = set(ds["factor"].to_numpy()) - set(factors)
        assert all(math.isnan(_factor(ds, account, f)) for f in absent)
    assert ds["runs"].to_numpy().tolist() == [10, 10, 10]
    assert ds["first_year"].to_numpy().tolist() == [2016.0] * 3
    assert ds["last_year"].to_numpy().tolist() == [2025.0] * 3


def test_each_account_uses_the_runs_that_publish_its_figures():
    runs = hand_runs()
    runs.loc[[0, 1], "power_watts"] = np.nan  # not published
    runs.loc[2:, "hardware_cost_usd"] = np.nan  # only two runs: no slope
    ds = historical_from_table(runs, np.random.default_rng(0), n_boot=20)
    assert ds["runs"].sel(account="power") == 8
    assert ds["first_year"].sel(account="power") == 2018.0
    assert ds["runs"].sel(account="capex") == 2
    assert np.isnan(ds["yearly_factor"].sel(account="capex")).all()
    assert _factor(ds, "power", "flops_per_watt") == pytest.approx(10 / 3)


def test_identity_holds_per_bootstrap_resample():
    runs = hand_runs(noise=0.3, seed=4)
    for account in ACCOUNTS:
        t, logs = account_logs(runs, account)
        estimate, boot = account_slopes(t, logs, np.random.default_rng(1), n_boot=500)
        compute, *between, result = ACCOUNTS[account]
        combined = boot[compute] - sum(boot[f] for f in between)
        assert np.allclose(boot[result], combined, rtol=0, atol=1e-12, equal_nan=True)
        assert estimate[result] == pytest.approx(
            estimate[compute] - sum(estimate[f] for f in between), abs=1e-12
        )
        # The scatter gives the resamples a spread around the estimate.
        assert np.nanstd(boot[result]) > 0.01


def test_bootstrap_draws_from_the_given_generator():
    runs = hand_runs(noise=0.3, seed=4)
    a = historical_from_table(runs, np.random.default_rng(7), n_boot=100)
    b = historical_from_table(runs, np.random.default_rng(7), n_boot=100)
    c = historical_from_table(runs, np.random.default_rng(8), n_boot=100)
    assert a.identical(b)
    assert not a.identical(c)


# -- projected ---------------------------------------------------------------------------------


def _realised_inputs(size: float = 0.0):
    """Compute doubling every 6 months (4x a year); realised FLOP/s per $ doubling every
    2 years, FLOP/s per W every 2.5, FLOP per amortised $ every 1.5; a 1e24-FLOP run
    lasting 90 days at 2024, 1.3x longer each year, and ``size`` more per decade of compute."""
    s = 4
    ones = np.ones(s)
    base = make_inputs(s, horizon=2045.0)
    realised = Realised(
        flops_per_usd=LogLinear(ones * 8.3, ones * LOG10_2 / 2.0, 2024.0),
        flops_per_watt=LogLinear(ones * 11.7, ones * LOG10_2 / 2.5, 2024.0),
        flop_per_usd_amortized=LogLinear(ones * 17.0, ones * LOG10_2 / 1.5, 2024.0),
        duration_days=LogLinear(ones * math.log10(90.0), ones * math.log10(1.3), 2024.0),
        max_days=ones * math.inf,
        duration_size=ones * size,
    )
    return dataclasses.replace(base, realised=realised)


@pytest.mark.parametrize("size", [0.0, 0.2])
def test_projected_factors_of_the_realised_conversion_in_closed_form(size):
    inputs = _realised_inputs(size)
    ds = projected(inputs, project(inputs))
    compute = 4.0
    duration = 1.3 * compute**size  # a larger run lasts longer
    per_watt, per_usd, per_amortized = 2 ** (1 / 2.5), 2 ** (1 / 2), 2 ** (1 / 1.5)
    expected = {
        "power": {
            "compute": compute,
            "duration": duration,
            "flops_per_watt": per_watt,
            "power": compute / (duration * per_watt),
        },
        "capex": {
            "compute": compute,
            "duration": duration,
            "flops_per_usd": per_usd,
            "capex": compute / (duration * per_usd),
        },
        "amortized": {
            "compute": compute,
            "flop_per_usd_amortized": per_amortized,
            "amortized": compute / per_amortized,
        },
    }
    for account, factors in expected.items():
        for factor, value in factors.items():
            for stat in ("estimate", "median", "p10", "p90"):
                assert _factor(ds, account, factor, stat) == pytest.approx(value, rel=1e-9)
    assert ds.attrs["projected_from"] == 2026.0 and ds.attrs["projected_years"] == 5.0


def test_projected_factors_of_the_datasheet_conversion_in_closed_form():
    """Fixed duration; efficiency and price-performance doubling every 2.5 years."""
    inputs = make_inputs(3, horizon=2045.0)
    ds = projected(inputs, project(inputs))
    hw = 2 ** (1 / 2.5)
    assert _factor(ds, "power", "duration") == pytest.approx(1.0)
    assert _factor(ds, "power", "flops_per_watt") == pytest.approx(hw)
    assert _factor(ds, "capex", "flops_per_usd") == pytest.approx(hw)
    assert _factor(ds, "amortized", "flop_per_usd_amortized") == pytest.approx(hw)
    assert _factor(ds, "power", "power") == pytest.approx(4.0 / hw)


def test_projected_identity_per_draw_and_the_summary_growth_keys():
    from forecast.stats import growth

    inputs = make_inputs(40, np.linspace(5.0, 7.0, 40), horizon=2045.0)
    proj = project(inputs)
    draws = projected_draws(inputs, proj)
    assert np.allclose(
        np.log(draws["power"]),
        np.log(draws["compute"]) - np.log(draws["duration"]) - np.log(draws["flops_per_watt"]),
    )
    ds = projected(inputs, proj)
    keys = growth(proj)  # summary.json's growth keys: the same draws, the same quantiles
    for account in ("power", "capex", "amortized", "compute"):
        for stat in ("median", "p10", "p90"):
            ours = _factor(ds, "power" if account == "compute" else account, account, stat)
            # summary.json keeps 6 significant digits
            assert ours == pytest.approx(keys[f"{account}_per_year"][stat], rel=1e-5)


def test_a_projection_shorter_than_a_year_has_no_projected_rates():
    inputs = make_inputs(3, horizon=2026.5)
    ds = projected(inputs, project(inputs))
    assert np.isnan(ds["yearly_factor"]).all()
    assert ds.attrs["projected_years"] == 0.0


# -- the Dataset, its round trip and the briefing ----------------------------------------------


@pytest.fixture(scope="module")
def results():
    import pandas as pd

    inputs = make_inputs(40, np.linspace(5.0, 7.0, 40), horizon=2045.0)
    proj = project(inputs)
    t = np.linspace(2012.0, 2025.5, 20)
    runs = pd.DataFrame(
        {
            "name": [f"run {i}" for i in range(t.size)],
            "organization": "lab",
            "date": [f"{int(x)}-06-01" for x in t],
            "t": t,
            "compute_flop": 10 ** (26.7 - (2025.5 - t) * 0.6),
            "method": "hardware",
            "source_title": "a source",
            "source_url": "https://example.org",
        }
    )
    res = fake_results(proj, runs)
    res.growth = fake_growth(inputs, proj)
    return res


def test_dataset_layout(results):
    ds = results.growth
    assert ds["yearly_factor"].dims == ("account", "factor", "period", "stat")
    assert ds["period"].to_numpy().tolist() == ["historical", "projected"]
    assert ds["stat"].to_numpy().tolist() == ["estimate", "median", "p10", "p90"]
    assert ds["exponent"].sel(account="power", factor="compute") == 1
    assert ds["exponent"].sel(account="power", factor="duration") == -1
    assert ds["exponent"].sel(account="power", factor="power") == 0
    assert np.isnan(ds["exponent"].sel(account="amortized", factor="duration"))
    # The central values multiply out exactly, in both periods.
    for account, factors in ACCOUNTS.items():
        est = ds["yearly_factor"].sel(account=account, stat="estimate")
        logs = np.log10(est.sel(factor=list(factors)).to_numpy())
        expo = ds["exponent"].sel(account=account, factor=list(factors)).to_numpy()
        assert np.allclose((expo[:, None] * logs).sum(axis=0), logs[-1])
    assert ds.attrs["conversion"] == "realised"


def test_results_round_trip_keeps_the_growth_accounting(results, tmp_path):
    from forecast.results import Results

    results.save_projection(tmp_path / "projection.nc")
    results.save_posterior(tmp_path / "posterior.nc")
    back = Results.load(tmp_path)
    assert back.growth is not None
    assert back.growth.identical(results.growth)


def test_briefing_has_the_tables_the_reading_and_the_figure(results, tmp_path):
    from forecast.report.write import write_report

    out = tmp_path / "report"
    write_report(results, out, svg=False)
    md = (out / "briefing.md").read_text(encoding="utf-8")
    assert "### Growth accounting" in md
    assert "| factor (yearly growth) | historical: 10 runs, 2016–2025 (80% interval) |" in md
    ds = results.growth
    power = _factor(ds, "power", "power", period="historical")
    assert f"power grew {power:.1f}x a year because compute grew" in md
    assert "power of frontier runs grew about 2.1x a year (Epoch AI 2024, " in md
    assert "amortised cost of frontier runs grew about 2.4x a year (Cottier et al. 2024, " in md
    assert "figures/growth_accounting.png" in md
    assert (out / "figures" / "growth_accounting.png").stat().st_size > 10_000
    # The growth paragraph moved into the subsection, once.
    assert md.count("Unconstrained, over the first five projected years") == 1
    assert md.index("### Growth accounting") < md.index("Unconstrained, over the first five")
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "<h3>Growth accounting</h3>" in html


def test_without_growth_the_briefing_keeps_its_growth_paragraph(results, tmp_path):
    from forecast.report.write import write_report

    plain = dataclasses.replace(results, growth=None)
    out = tmp_path / "report"
    write_report(plain, out, svg=False)
    md = (out / "briefing.md").read_text(encoding="utf-8")
    assert "Growth accounting" not in md
    assert md.count("Unconstrained, over the first five projected years") == 1
    assert not (out / "figures" / "growth_accounting.png").exists()


def test_combine_keeps_both_periods():
    inputs = make_inputs(3, horizon=2045.0)
    proj = project(inputs)
    past = historical_from_table(hand_runs(), np.random.default_rng(0), n_boot=10)
    ds = combine(past, projected(inputs, proj), "datasheet")
    assert _factor(ds, "power", "flops_per_watt", period="historical") == pytest.approx(10 / 3)
    assert _factor(ds, "power", "duration", period="projected") == pytest.approx(1.0)
    assert ds.attrs["bootstrap"] == 10 and ds.attrs["draws"] == 3
