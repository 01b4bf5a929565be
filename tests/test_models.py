"""Fast tier: model construction, log-probability at the initial point, priors, cache."""

from __future__ import annotations

import json

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from forecast.models import HardwareData, TrendData, build_trend_model, saturate, trend_mean
from forecast.models import cache as cache_mod
from forecast.models.fit import prior_predictive_doubling
from forecast.models.hardware import build_hardware_model
from forecast.models.sampling import az


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


def fake_idata(seed=0):
    rng = np.random.default_rng(seed)
    return az.from_dict(posterior={"slope": rng.normal(0.3, 0.01, (2, 50))})


def test_cache_round_trip_and_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path))
    key = cache_mod.make_key({"data": [1, 2, 3]})
    assert cache_mod.load(key) is None
    idata = fake_idata()
    cache_mod.store(key, idata, {"label": "x"})
    hit = cache_mod.load(key)
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
    cache_mod.store(key, fake_idata(), {})
    meta = tmp_path / f"{key}.json"
    meta.write_text(json.dumps({"version": "0.0.0-other"}))
    assert cache_mod.load(key) is None
    meta.unlink()
    assert cache_mod.load(key) is None
    (tmp_path / f"{key}.nc").write_text("not netcdf")
    cache_mod.store(key, fake_idata(), {})  # a damaged entry is simply rewritten
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
        cache_mod.store(key, fake_idata(), {"pid": os.getpid()})
