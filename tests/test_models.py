"""Fast tier: model construction, log-probability at the initial point, priors, cache."""

from __future__ import annotations

import json

import arviz as az
import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest

from forecast.models import (
    HardwareData,
    SamplerSettings,
    TrendData,
    build_trend_model,
    fit_trend,
    saturate,
    trend_mean,
)
from forecast.models import cache as cache_mod
from forecast.models import fit as fit_mod
from forecast.models.fit import FitControl, prior_predictive_doubling, screening_settings
from forecast.models.hardware import build_hardware_model
from forecast.models.trend import pointwise_log_likelihood


@pytest.fixture()
def toy_data():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(1990, 2024, 60))
    y = 18 + 0.25 * (t - 2010) + rng.normal(0, 0.3, 60)
    return TrendData(t=t, y=y, meas_sd=np.full(60, 0.2))


def assert_finite_logp(model):
    point = model.initial_point()
    logp = model.compile_logp()(point)
    dlogp = model.compile_dlogp()(point)
    assert np.isfinite(logp)
    assert np.all(np.isfinite(dlogp))


@pytest.mark.parametrize(
    ("eras", "jump"), [(1, False), (2, False), (2, True), (3, False), (3, True)]
)
def test_trend_model_logp_at_initial_point(toy_data, eras, jump):
    model = build_trend_model(toy_data, eras, jump)
    assert_finite_logp(model)
    assert "doubling_months" in model.named_vars


def test_hardware_model_logp(hardware):
    assert_finite_logp(build_hardware_model(HardwareData.from_table(hardware, "ml")))


def test_trend_mean_numpy_matches_pytensor():
    t = np.linspace(2000, 2030, 7)
    level, slopes, breaks, jumps = (
        20.0,
        np.array([0.1, 0.6, 0.3]),
        np.array([2010.0, 2020.0]),
        np.array([1.0, -0.5]),
    )
    symbolic = trend_mean(
        pt.as_tensor(t),
        pt.as_tensor(level),
        pt.as_tensor(slopes),
        pt.as_tensor(breaks),
        pt.as_tensor(jumps),
        2012.0,
        lib=pt,
        eras=3,
    )
    numeric = trend_mean(t, np.array([level]), slopes[None], breaks[None], jumps[None], 2012.0)
    np.testing.assert_allclose(pytensor.function([], symbolic)(), numeric[0])


def test_trend_mean_piecewise_far_from_breaks():
    # Away from the (smoothed) breakpoints the mean is the piecewise-linear closed form.
    level, slopes, breaks = np.array([20.0]), np.array([[0.1, 0.6]]), np.array([[2010.0]])
    t = np.array([2000.0, 2009.0, 2011.0, 2020.0])
    mean = trend_mean(t, level, slopes, breaks, None, 2005.0)[0]
    expected = np.where(t < 2010, 20 + 0.1 * (t - 2005), 20.5 + 0.6 * (t - 2010))
    np.testing.assert_allclose(mean, expected, atol=0.01)


def test_trend_prior_covers_plausible_doubling_times():
    months = prior_predictive_doubling(eras=1, n=4000, seed=3)
    # Non-negligible mass on every doubling time from 2 months to 5 years...
    edges = [2, 4, 8, 16, 32, 60]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        share = np.mean((months >= lo) & (months < hi))
        assert share > 0.03, (lo, hi, share)
    assert np.mean((months >= 2) & (months <= 60)) > 0.8
    # ...and none on absurd values: faster than two weeks or slower than 50 years.
    assert np.mean(months < 0.5) < 0.005
    assert np.mean(months > 600) < 0.005


def test_saturate_bends_to_ceiling():
    e = np.array([1e12, 1e15, 1e18, 1e21])
    out = saturate(e, 4.7e15)
    assert np.all(out < 4.7e15)
    assert out[0] == pytest.approx(1e12, rel=1e-3)
    assert out[-1] == pytest.approx(4.7e15, rel=1e-3)
    np.testing.assert_allclose(saturate(e, np.inf), e)
    # By hand: 1/E = 1/1e15 + 1/4.7e15 = 5.7/4.7e15, so E = 4.7e15/5.7 = 8.2456140e14.
    assert saturate(np.array([1e15]), 4.7e15)[0] == pytest.approx(8.2456140e14, rel=1e-7)


def test_engine_efficiency_is_the_same_ceiling():
    """The projection's efficiency (in logs) is the same formula as saturate()."""
    from forecast.project.limits import ln_efficiency
    from helpers import make_inputs

    inp = make_inputs(s=1, te_years=2.5, eff_limit=4.7e15)
    t = np.array([2025.0, 2035.0, 2060.0])
    # E_trend = 1.4e12 * 2^((t - 2025)/2.5) by hand, then the ceiling.
    trend = 1.4e12 * 2 ** ((t - 2025.0) / 2.5)
    expected = 1 / (1 / trend + 1 / 4.7e15)
    np.testing.assert_allclose(np.exp(ln_efficiency(inp, t)), expected, rtol=1e-12)
    np.testing.assert_allclose(saturate(trend, 4.7e15), expected, rtol=1e-12)


def test_student_t_noise_scale():
    from forecast.models.trend import student_t_noise

    rng = np.random.default_rng(0)
    n = 200_000
    sigma, nu = np.array([0.3]), np.array([1e9])  # nu -> infinity: normal noise
    # With measurement sds 0 and 0.4: sd sqrt(0.3^2 + 0.4^2) = 0.5 for the second run.
    noise = student_t_noise(np.repeat(sigma, n), np.repeat(nu, n), rng, meas_sd=[0.0, 0.4])
    assert noise.shape == (n, 2)
    assert np.std(noise, axis=0) == pytest.approx([0.3, 0.5], rel=0.01)
    # A new run (no measurement error): the scatter alone. With nu = 3 the median of |T|
    # is the t(3) distribution's 75th percentile, 0.7648923 (from tables).
    fan = student_t_noise(np.full(n, 0.3), np.full(n, 1e9), rng, n=1)
    assert np.std(fan) == pytest.approx(0.3, rel=0.01)
    heavy = student_t_noise(np.full(n, 0.3), np.full(n, 3.0), rng, n=1)
    assert np.median(np.abs(heavy)) == pytest.approx(0.3 * 0.7648923, rel=0.02)


#: What fake_idata is "sampled" with, for the cache's completeness check.
FAKE_SETTINGS = SamplerSettings(draws=50, chains=2)


def fake_idata(seed=0):
    rng = np.random.default_rng(seed)
    return az.from_dict(posterior={"slope": rng.normal(0.3, 0.01, (2, 50))})


def test_cache_round_trip_and_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    key = cache_mod.make_key({"data": [1, 2, 3]})
    assert cache_mod.load(key) is None
    idata = fake_idata()
    cache_mod.store(key, idata, {"label": "x"}, FAKE_SETTINGS)
    hit = cache_mod.load(key, FAKE_SETTINGS)
    assert hit is not None
    np.testing.assert_array_equal(hit[0].posterior["slope"], idata.posterior["slope"])
    assert hit[1]["label"] == "x"
    # A changed input is a different key: a miss.
    assert cache_mod.make_key({"data": [1, 2, 4]}) != key
    # No temporary files are left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{key}.json", f"{key}.nc"]


def test_cache_ignores_incomplete_or_other_version(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    key = cache_mod.make_key({"a": 1})
    cache_mod.store(key, fake_idata(), {}, FAKE_SETTINGS)
    meta = tmp_path / f"{key}.json"
    meta.write_text(json.dumps({"version": "0.0.0-other"}))
    assert cache_mod.load(key) is None
    meta.unlink()
    assert cache_mod.load(key) is None
    (tmp_path / f"{key}.nc").write_text("not netcdf")
    cache_mod.store(key, fake_idata(), {}, FAKE_SETTINGS)  # a damaged entry is rewritten
    assert cache_mod.load(key) is not None


def test_cache_concurrent_writers(tmp_path, monkeypatch):
    """Two processes storing the same entry at once leave one complete entry."""
    import multiprocessing as mp

    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    key = cache_mod.make_key({"concurrent": True})
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_store_entry, args=(str(tmp_path), key)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert cache_mod.load(key) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{key}.json", f"{key}.nc"]


def _store_entry(folder: str, key: str) -> None:
    import os

    os.environ[cache_mod.ENV_VAR] = folder
    for _ in range(5):
        cache_mod.store(key, fake_idata(), {"pid": os.getpid()}, FAKE_SETTINGS)


@pytest.mark.parametrize(("eras", "jump"), [(1, False), (2, True), (3, False)])
def test_pointwise_log_likelihood_matches_pymc(toy_data, eras, jump):
    # The numpy log-likelihood LOO uses must be PyMC's, draw by draw and run by run.
    model = build_trend_model(toy_data, eras, jump)
    prior = pm.sample_prior_predictive(draws=40, model=model, random_seed=4)
    idata = az.InferenceData(posterior=prior.prior)
    expected = pm.compute_log_likelihood(
        idata.copy(), model=model, extend_inferencedata=False, progressbar=False
    )["y"]
    pointwise_log_likelihood(idata, toy_data, jump, model.t_ref)
    got = idata.log_likelihood["y"]
    assert got.dims == expected.dims
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9)


def test_screening_settings_cap_only_what_is_heavier():
    full = SamplerSettings(draws=1000, tune=1000, chains=4, target_accept=0.95, backend="nutpie")
    light = screening_settings(full)
    assert (light.chains, light.tune, light.draws) == (2, 500, 500)
    assert (light.target_accept, light.backend) == (0.95, "nutpie")
    small = SamplerSettings(draws=300, tune=300, chains=2)
    assert screening_settings(small) == small


def fake_trend_posterior(model, settings, seed, progress=True, log_likelihood=True):
    """A stand-in for sampling: draws near a line, shaped as the model's posterior."""
    rng = np.random.default_rng(seed)
    eras = len(model.coords["era"])
    shape = (settings.chains, settings.draws)
    posterior = {
        "level": rng.normal(22, 0.05, shape),
        "slope": rng.normal(0.25, 0.01, (*shape, eras)),
        "sigma": rng.uniform(0.2, 0.4, shape),
        "nu": rng.uniform(5, 20, shape),
    }
    dims = {"slope": ["era"]}
    if eras > 1:
        posterior["breakpoint"] = np.sort(rng.uniform(1995, 2020, (*shape, eras - 1)), axis=-1)
        dims["breakpoint"] = ["break"]
    idata = az.from_dict(posterior=posterior, dims=dims)
    idata.posterior.attrs["tuning_steps"] = settings.tune
    return idata


@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Estimated shape parameter of Pareto")  # fake draws
def test_auto_eras_screens_candidates_then_fits_the_chosen_in_full(toy_data, tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    calls = []

    def recording(model, settings, seed, **kwargs):
        calls.append((len(model.coords["era"]), settings))
        return fake_trend_posterior(model, settings, seed, **kwargs)

    monkeypatch.setattr(fit_mod, "sample", recording)
    full = SamplerSettings(draws=600, tune=700, chains=4)
    screen = screening_settings(full)
    fit = fit_trend(toy_data, eras="auto", settings=full, seed=3)
    assert calls[:3] == [(1, screen), (2, screen), (3, screen)]
    assert calls[3:] == [(fit.eras, full)]
    assert fit.idata.posterior.sizes["chain"] == 4 and fit.idata.posterior.sizes["draw"] == 600
    assert fit.screening == screen
    assert set(fit.candidates) == {1, 2, 3}
    assert fit.candidates[fit.eras].posterior.sizes["draw"] == 500
    # The chosen fit is the cache entry a fit of that K alone uses, and everything loads.
    calls.clear()
    assert fit_trend(toy_data, eras=fit.eras, settings=full, seed=3).cached
    assert fit_trend(toy_data, eras="auto", settings=full, seed=3).cached
    assert calls == []
    # With settings no heavier than the screening ones, the candidates are the fits.
    calls.clear()
    small = SamplerSettings(draws=300, tune=300, chains=2)
    fit = fit_trend(
        toy_data, eras="auto", settings=small, seed=3, control=FitControl(use_cache=False)
    )
    assert [c[1] for c in calls] == [small] * 3
    assert fit.idata is fit.candidates[fit.eras]


#: Thirty runs on a line (enough for the automatic choice to compare 1, 2 and 3 eras).
THIRTY_RUNS = """
import numpy as np
from forecast.models import SamplerSettings, TrendData, fit_trend
rng = np.random.default_rng(1)
t = np.sort(rng.uniform(2000, 2024, 30))
data = TrendData(t=t, y=18 + 0.3 * (t - 2010) + rng.normal(0, 0.2, 30), meas_sd=np.full(30, 0.2))
full = SamplerSettings(draws=600, tune=700, chains=4)
"""

CACHED_FIT_WITHOUT_ARVIZ = (
    """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pymc", "pytensor", "arviz"}:
            raise ImportError(f"{name} is blocked: a cached fit must not need it")
sys.meta_path.insert(0, _Block())
"""
    + THIRTY_RUNS
    + """
fit = fit_trend(data, eras="auto", settings=full, seed=3)
assert fit.cached and not fit.candidates and set(fit.candidate_diagnostics) == {1, 2, 3}
print(fit.eras, fit.diagnostics.r_hat_max, fit.comparison["elpd_loo"].round(6).tolist())
"""
)


@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Estimated shape parameter of Pareto")  # fake draws
def test_a_cached_fit_needs_neither_arviz_nor_pymc(tmp_path, monkeypatch):
    """Diagnostics and the LOO comparison are kept with the fits: a warm run loads them."""
    import os
    import subprocess
    import sys

    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    monkeypatch.setattr(fit_mod, "sample", fake_trend_posterior)
    made: dict = {}
    exec(THIRTY_RUNS, made)  # the same data and settings as the child's
    fit = fit_trend(made["data"], eras="auto", settings=made["full"], seed=3)
    assert fit.comparison is not None
    proc = subprocess.run(
        [sys.executable, "-c", CACHED_FIT_WITHOUT_ARVIZ],
        capture_output=True,
        text=True,
        env={**os.environ, cache_mod.ENV_VAR: str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    eras, r_hat, elpd = proc.stdout.split(maxsplit=2)
    # The same choice, convergence and comparison as the fit that made the cache.
    assert int(eras) == fit.eras
    assert float(r_hat) == pytest.approx(fit.diagnostics.r_hat_max, rel=1e-12)
    assert elpd.strip() == str(fit.comparison["elpd_loo"].round(6).tolist())


# -- the drifting slope (model = "drift") ----------------------------------------------------


def test_drift_model_logp_at_initial_point(toy_data):
    from forecast.models.trend import build_drift_model, drift_knots

    model = build_drift_model(toy_data)
    assert_finite_logp(model)
    knots = drift_knots(toy_data.t)
    # A knot at every year from the first run's to the end of the last run's year.
    assert knots[0] == np.floor(toy_data.t.min()) and knots[-1] == np.ceil(toy_data.t.max())
    assert np.all(np.diff(knots) == 1.0)
    assert model.named_vars["slope"].type.shape[0] in (None, len(knots) - 1)


def test_drift_model_slopes_are_a_random_walk_about_the_reference_year(toy_data):
    """slope_j = b_r + omega (C_j - C_r): at omega = 0 every year has the reference slope,
    and the steps between years are omega times the standard normal steps."""
    from forecast.models.trend import build_drift_model, drift_knots

    model = build_drift_model(toy_data)
    m = len(drift_knots(toy_data.t)) - 1
    z = np.linspace(-1, 1, m - 1)
    f = pytensor.function(
        [model["slope_ref"], model["drift"], model["z"]], model["slope"], on_unused_input="ignore"
    )
    np.testing.assert_allclose(f(0.6, 0.0, z), np.full(m, 0.6))
    steps = np.diff(f(0.6, 0.05, z))
    np.testing.assert_allclose(steps, 0.05 * z, atol=1e-12)
    r = int(np.searchsorted(drift_knots(toy_data.t), np.median(toy_data.t), side="right") - 1)
    assert f(0.6, 0.05, z)[r] == pytest.approx(0.6)


def test_drift_pointwise_log_likelihood_matches_pymc(toy_data):
    from forecast.models.trend import build_drift_model

    model = build_drift_model(toy_data)
    prior = pm.sample_prior_predictive(draws=30, model=model, random_seed=5)
    idata = az.InferenceData(posterior=prior.prior)
    expected = pm.compute_log_likelihood(
        idata.copy(), model=model, extend_inferencedata=False, progressbar=False
    )["y"]
    pointwise_log_likelihood(idata, toy_data, False, model.t_ref, "drift")
    np.testing.assert_allclose(
        idata.log_likelihood["y"].to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9
    )


def test_forward_drift_sd_is_the_spread_of_a_random_walks_mean():
    """The mean of S_1..S_n, S_k a random walk of unit steps, has variance
    (n + 1)(2n + 1) / (6n): 1 for one year, 2.2 for five; checked by simulation too."""
    from forecast.models.trend import forward_drift_sd

    assert forward_drift_sd(1) == pytest.approx(1.0)
    assert forward_drift_sd(5) ** 2 == pytest.approx(2.2)
    walk = np.cumsum(np.random.default_rng(0).standard_normal((200_000, 5)), axis=1)
    assert walk.mean(axis=1).std() == pytest.approx(forward_drift_sd(5), rel=0.01)


def test_a_drift_scenario_that_sets_eras_is_refused_line_by_line(capsys):
    """Both keys the drift model would ignore get a line each, with file, line and key."""
    from pathlib import Path

    from helpers import cli_error_lines

    path = Path(__file__).parent / "scenarios" / "bad_drift_with_eras.toml"
    lines = cli_error_lines(["check", str(path)], capsys)
    assert len(lines) == 2
    assert lines[0].startswith(f'error: {path}:11: trend.eras: applies to model = "eras"')
    assert lines[1].startswith(f'error: {path}:12: trend.jump: applies to model = "eras"')
