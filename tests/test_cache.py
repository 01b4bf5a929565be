"""Fast tier: the posterior cache stores only complete fits and never stops a run.

No sampling here: posteriors are fakes of the right shape, and PyMC's sampler is replaced
where a test needs a fit to come back short.
"""

from __future__ import annotations

import errno
import json
import os
import warnings

import arviz as az
import numpy as np
import pymc as pm
import pytest

from forecast.errors import SamplingError
from forecast.models import SamplerSettings, fit_trend
from forecast.models import cache as cache_mod
from forecast.models.cache import CacheWarning
from forecast.models.sampling import FitWarning
from helpers import toy_posterior

SETTINGS = SamplerSettings(draws=50, tune=40, chains=4)


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "fits"))
    # "Warned once" is per process; each test starts as a new run would.
    monkeypatch.setattr(cache_mod, "_warned", set())


def fake_idata(chains: int, draws: int, tune: int | None = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    idata = az.from_dict(posterior={"slope": rng.normal(0.3, 0.01, (chains, draws))})
    if tune is not None:
        idata.posterior.attrs["tuning_steps"] = tune
    return idata


def entries(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def write_entry_unchecked(key: str, idata, meta: dict) -> None:
    """An entry as an older version wrote it: no check that the fit was complete."""
    folder = cache_mod.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    idata.to_netcdf(str(folder / f"{key}.nc"))
    (folder / f"{key}.json").write_text(json.dumps({"version": cache_mod.__version__, **meta}))


def test_complete_fit_round_trips_with_its_settings():
    key = cache_mod.make_key({"a": 1})
    assert cache_mod.store(key, fake_idata(4, 50), {"label": "x"}, SETTINGS)
    hit = cache_mod.load(key, SETTINGS)
    assert hit is not None
    assert hit[1]["sampler"] == SETTINGS.key()
    assert hit[1]["label"] == "x"


@pytest.mark.parametrize(("chains", "draws"), [(2, 50), (4, 30), (4, 49)])
def test_short_fit_is_not_stored(chains, draws):
    key = cache_mod.make_key({"short": [chains, draws]})
    assert cache_mod.store(key, fake_idata(chains, draws), {}, SETTINGS) is False
    assert entries(cache_mod.cache_dir()) == []
    assert cache_mod.load(key, SETTINGS) is None


def test_short_entry_written_by_older_version_is_a_miss():
    # What the interrupted-fit bug left behind: the full key, meta saying 4 x 50, and a
    # posterior of 2 chains.
    key = cache_mod.make_key({"old": True})
    write_entry_unchecked(key, fake_idata(2, 50), {"sampler": SETTINGS.key()})
    assert cache_mod.load(key, SETTINGS) is None
    assert cache_mod.load(key) is None  # also checked against its own record
    # ...and fewer tuning steps than recorded.
    write_entry_unchecked(key, fake_idata(4, 50, tune=7), {"sampler": SETTINGS.key()})
    assert cache_mod.load(key, SETTINGS) is None


def test_entry_without_sampler_record_is_a_miss():
    key = cache_mod.make_key({"legacy": True})
    write_entry_unchecked(key, fake_idata(4, 50), {"label": "no sampler record"})
    assert cache_mod.load(key, SETTINGS) is None


@pytest.mark.parametrize(
    "other",
    [
        SamplerSettings(draws=50, tune=40, chains=2),
        SamplerSettings(draws=60, tune=40, chains=4),
        SamplerSettings(draws=50, tune=41, chains=4),
        SamplerSettings(draws=50, tune=40, chains=4, backend="nutpie"),
    ],
)
def test_entry_whose_settings_differ_is_a_miss(other):
    key = cache_mod.make_key({"same key": True})
    assert cache_mod.store(key, fake_idata(4, 50), {}, SETTINGS)
    assert cache_mod.load(key, other) is None
    assert cache_mod.load(key, SETTINGS) is not None


@pytest.mark.parametrize(
    ("nc", "meta"),
    [
        (b"not netcdf", None),
        (None, "{not json"),
        (None, "[1, 2]"),
        (None, '{"version": "0.1.0", "sampler": {"draws": "many"}}'),
    ],
)
def test_unreadable_entry_is_a_miss(nc, meta):
    key = cache_mod.make_key({"damaged": True})
    assert cache_mod.store(key, fake_idata(4, 50), {}, SETTINGS)
    folder = cache_mod.cache_dir()
    if nc is not None:
        (folder / f"{key}.nc").write_bytes(nc)
    if meta is not None:
        (folder / f"{key}.json").write_text(meta)
    assert cache_mod.load(key, SETTINGS) is None
    assert cache_mod.store(key, fake_idata(4, 50), {}, SETTINGS)  # rewritten
    assert cache_mod.load(key, SETTINGS) is not None


def store_twice_warning_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(2):
            key = cache_mod.make_key({"i": i})
            assert cache_mod.store(key, fake_idata(4, 50), {}, SETTINGS) is False
            assert cache_mod.load(key, SETTINGS) is None
    cache_warnings = [w for w in caught if issubclass(w.category, CacheWarning)]
    assert len(cache_warnings) == 1, [str(w.message) for w in caught]
    message = str(cache_warnings[0].message)
    assert "\n" not in message and "continuing without caching" in message, message
    assert issubclass(CacheWarning, FitWarning)
    return message


def test_read_only_cache_folder_warns_once_and_continues(tmp_path, monkeypatch):
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        monkeypatch.setenv(cache_mod.ENV_VAR, str(folder))
        store_twice_warning_once()
        assert entries(folder) == []
    finally:
        folder.chmod(0o700)


def test_cache_folder_that_cannot_be_created_warns_once(tmp_path, monkeypatch):
    # Works as root too: a file where a folder should be makes mkdir fail.
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv(cache_mod.ENV_VAR, str(blocker / "fits"))
    assert str(blocker) in store_twice_warning_once()


def test_full_disk_warns_once_and_leaves_no_temporary_files(monkeypatch):
    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(az.InferenceData, "to_netcdf", no_space)
    assert "No space left" in store_twice_warning_once()
    assert entries(cache_mod.cache_dir()) == []


# -- through fit_trend: PyMC's sampler replaced by one that comes back short -------------


def short_posterior(chains: int, draws: int):
    return toy_posterior(chains, draws)


def test_fit_that_comes_back_short_raises_and_is_not_cached(toy_data, monkeypatch):
    # PyMC returns what it has when stopped early (or when a chain dies); that must not be
    # passed off as the fit that was asked for.
    monkeypatch.setattr(pm, "sample", lambda **kwargs: short_posterior(2, SETTINGS.draws))
    with pytest.raises(SamplingError, match="2 chain.*instead of 4"):
        fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1)
    assert entries(cache_mod.cache_dir()) == []
    monkeypatch.setattr(pm, "sample", lambda **kwargs: short_posterior(4, 10))
    with pytest.raises(SamplingError, match="10 draw"):
        fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1)
    assert entries(cache_mod.cache_dir()) == []


def test_fit_continues_when_cache_cannot_be_written(toy_data, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv(cache_mod.ENV_VAR, str(blocker / "fits"))
    posterior = short_posterior(SETTINGS.chains, SETTINGS.draws)
    posterior.posterior.attrs["tuning_steps"] = SETTINGS.tune
    monkeypatch.setattr(pm, "sample", lambda **kwargs: posterior)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1)
    assert fit.n_draws == SETTINGS.chains * SETTINGS.draws
    assert not fit.cached
    assert sum(issubclass(w.category, CacheWarning) for w in caught) == 1
