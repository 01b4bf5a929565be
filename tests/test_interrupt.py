"""A fit stopped by Ctrl-C or SIGTERM raises Interrupted and leaves nothing behind.

Fast tier: PyMC's sampler is replaced by a stand-in that receives a real signal while
"sampling" and, as PyMC does, swallows the KeyboardInterrupt and returns the draws it has.
Slow tier: a real fit in a child process, signalled mid-sampling the way a terminal
(Ctrl-C to the process group) or a scheduler (SIGTERM to the process) does it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pymc as pm
import pytest

from forecast.errors import Interrupted, ScenarioError
from forecast.models import FitControl, SamplerSettings, fit_trend
from forecast.models import cache as cache_mod
from forecast.models.sampling import backend_available, sample
from helpers import toy_posterior

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = SamplerSettings(draws=50, tune=40, chains=4)


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "fits"))


def posterior(chains: int, draws: int):
    return toy_posterior(chains, draws, SETTINGS.tune)


def signalled_sampler(signum: int, chains: int, draws: int, swallow: bool = True):
    """A stand-in for ``pm.sample`` that receives ``signum`` while it runs."""

    def fake_sample(**kwargs):
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)  # the handler interrupts this at once
            raise AssertionError("the signal did not interrupt sampling")
        except KeyboardInterrupt:
            if not swallow:
                raise
            # What PyMC does: stop the chains and return the draws so far.
            return posterior(chains, draws)

    return fake_sample


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_sampling_raises_interrupted(monkeypatch, signum, exit_code):
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    monkeypatch.setattr(pm, "sample", signalled_sampler(signum, 2, 17))
    with pytest.raises(Interrupted) as info:
        sample(pm.Model(), SETTINGS, seed=1, progress=False, log_likelihood=False)
    assert info.value.signum == signum
    assert info.value.exit_code == exit_code
    assert isinstance(info.value, KeyboardInterrupt)
    # The previous handlers are back.
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.mark.parametrize(
    ("chains", "draws", "swallow"),
    [(4, 50, True), (4, 50, False)],
    ids=["full-size draws returned", "interrupt not swallowed"],
)
def test_signal_is_an_interrupt_whatever_the_sampler_returns(monkeypatch, chains, draws, swallow):
    # A signal that arrives during the last draw can leave a full-size result: still not
    # a fit anyone asked to finish.
    monkeypatch.setattr(pm, "sample", signalled_sampler(signal.SIGINT, chains, draws, swallow))
    with pytest.raises(Interrupted):
        sample(pm.Model(), SETTINGS, seed=1, progress=False, log_likelihood=False)


def test_signal_dropped_in_a_destructor_is_delivered_again(monkeypatch, capfd):
    # A handler that runs inside __del__ raises where Python drops exceptions (it happens
    # with llvmlite's destructors while nutpie compiles): the signal must still stop
    # sampling at once, and no "Exception ignored" traceback may be printed.
    class SignalledOnDelete:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10_000):  # the handler runs in here; its exception is dropped
                pass

    def fake_sample(**kwargs):
        try:
            SignalledOnDelete()
            time.sleep(5)  # interrupted by the signal delivered again
            raise AssertionError("the dropped signal was not delivered again")
        except KeyboardInterrupt:
            return posterior(2, 17)

    monkeypatch.setattr(pm, "sample", fake_sample)
    start = time.monotonic()
    with pytest.raises(Interrupted) as info:
        sample(pm.Model(), SETTINGS, seed=1, progress=False, log_likelihood=False)
    assert time.monotonic() - start < 3
    assert info.value.signum == signal.SIGINT
    assert "Exception ignored" not in capfd.readouterr().err


@pytest.mark.filterwarnings("ignore::forecast.models.sampling.ConvergenceWarning")
def test_interrupted_fit_is_not_cached(monkeypatch, toy_data):
    monkeypatch.setattr(pm, "sample", signalled_sampler(signal.SIGINT, 2, 17))
    with pytest.raises(Interrupted):
        fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1)
    folder = cache_mod.cache_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
    # The same fit, not interrupted, samples (nothing was left to load) and is stored.
    monkeypatch.setattr(pm, "sample", lambda **kwargs: posterior(4, 50))
    logs: list[str] = []
    fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1, control=FitControl(log=logs.append))
    assert not any("loaded from cache" in line for line in logs), logs
    again = fit_trend(toy_data, eras=1, settings=SETTINGS, seed=1)
    assert again.cached


def test_sampling_outside_the_main_thread_keeps_signal_handlers(monkeypatch):
    # signal.signal() only works in the main thread: elsewhere, sample without handlers.
    monkeypatch.setattr(pm, "sample", lambda **kwargs: posterior(4, 50))
    result: dict = {}

    def run():
        try:
            result["idata"] = sample(pm.Model(), SETTINGS, seed=1, log_likelihood=False)
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert "error" not in result, result.get("error")
    assert result["idata"].posterior.sizes["chain"] == 4


def test_missing_nutpie_is_a_scenario_error_before_sampling(monkeypatch, toy_data):
    # sys.modules[name] = None makes `import name` raise ImportError: nutpie "uninstalled".
    monkeypatch.setitem(sys.modules, "nutpie", None)

    def must_not_sample(**kwargs):
        raise AssertionError("sampled without a backend")

    monkeypatch.setattr(pm, "sample", must_not_sample)
    assert not backend_available("nutpie")
    assert backend_available("pymc")
    assert not backend_available("stan")
    settings = SamplerSettings(draws=50, tune=40, chains=4, backend="nutpie")
    with pytest.raises(ScenarioError) as info:
        fit_trend(toy_data, eras=1, settings=settings, seed=1)
    lines = info.value.lines()
    assert len(lines) == 1 and 'pip install -e ".[nutpie]"' in lines[0], lines
    assert info.value.exit_code == 2


def test_nutpie_available_when_installed():
    pytest.importorskip("nutpie")
    assert backend_available("nutpie")


# -- slow tier: a real fit, really signalled ---------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from forecast.errors import Interrupted
    from forecast.models import FitControl, SamplerSettings, TrendData, fit_trend

    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(2000, 2024, 20))
    y = 18 + 0.3 * (t - 2010) + rng.normal(0, 0.2, 20)
    data = TrendData(t=t, y=y, meas_sd=np.full(20, 0.2))
    # Far more draws than the test waits for: the signal always lands mid-sampling.
    settings = SamplerSettings(draws=500_000, tune=200, chains=2, backend=sys.argv[1])
    try:
        control = FitControl(log=lambda m: print(m, flush=True))
        fit_trend(data, eras=1, settings=settings, seed=1, control=control)
    except Interrupted as exc:
        print(f"interrupted by {exc.signum}", flush=True)
        sys.exit(exc.exit_code)
    print("finished", flush=True)
    """
)


def marked_pids(marker: str) -> set[int]:
    """Processes whose environment carries ``marker`` (the child and all it started)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                pids.add(int(entry.name))
        except OSError:
            continue
    return pids


def wait_for(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    ("backend", "signum", "to_group"),
    [
        ("pymc", signal.SIGINT, True),  # Ctrl-C: the terminal signals the whole group
        ("pymc", signal.SIGTERM, False),  # a scheduler's kill: the main process only
        ("nutpie", signal.SIGINT, False),
    ],
    ids=["pymc-ctrl-c", "pymc-sigterm", "nutpie-sigint"],
)
def test_real_fit_interrupted_mid_sampling(tmp_path, backend, signum, to_group):
    if backend == "nutpie":
        pytest.importorskip("nutpie")
    marker = f"FORECAST_TEST_MARKER={uuid.uuid4().hex}"
    folder = tmp_path / "fits"
    env = {
        **os.environ,
        cache_mod.ENV_VAR: str(folder),
        marker.split("=")[0]: marker.split("=")[1],
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, backend],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job would be
    )
    try:
        line = proc.stdout.readline()
        assert "sampling" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        if backend == "pymc":
            # Sampling proper has begun once the two chain processes are up (they carry
            # the marker, as the child does).
            assert wait_for(lambda: len(marked_pids(marker)) >= 3, timeout=120)
        time.sleep(3)  # well into the draws (compilation of this model takes ~1-2 s warm)
        assert proc.poll() is None, "finished before it could be interrupted"
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert f"interrupted by {int(signum)}" in out, (out, err)
    assert proc.returncode == 128 + signum, (proc.returncode, err)
    assert "Traceback" not in err, err
    # Nothing cached...
    assert not folder.exists() or not [p for p in folder.iterdir() if p.suffix == ".json"]
    # ...and no chain process outlives the interrupt.
    assert wait_for(lambda: not marked_pids(marker), timeout=10), marked_pids(marker)
