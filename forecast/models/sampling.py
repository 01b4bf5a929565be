"""Running a sampler and checking its diagnostics, shared by every model."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import Interrupted, SamplingError, ScenarioError

# The [sampler] table of a scenario: one class for the file and the models.
from forecast.scenario.schema import SamplerSettings

# ArviZ 0.x announces its 1.0 refactor on import; it is not actionable for our users.
warnings.filterwarnings("ignore", category=FutureWarning, module="arviz")
# pip-installed PyTensor has no BLAS to link; the models here are too small to need it.
warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")

if TYPE_CHECKING:
    import arviz as az
    import pymc as pm

# ArviZ, like PyMC, is imported where it is needed (diagnostics of a new fit, the LOO
# comparison): a run whose fits, diagnostics and comparison all come from the cache
# needs neither, and importing them costs most of a warm run.

# PyMC (and PyTensor below it) is imported where a model is built or sampled, not here: a
# run whose fits all come from the cache never needs it, and importing it costs seconds.

R_HAT_MAX = 1.01
ESS_MIN = 400

#: The sampler backends a scenario may ask for, and how to get the optional ones.
BACKENDS = ("pymc", "nutpie")
NUTPIE_INSTALL = 'pip install -e ".[nutpie]"'

#: Signals that stop a fit: Ctrl-C and the polite kill of schedulers and ``timeout``.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Diagnostics:
    """Convergence diagnostics of a fit over its reported quantities."""

    r_hat_max: float
    ess_bulk_min: float
    divergences: int
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when there is nothing to warn about."""
        return not self.problems

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "r_hat_max": self.r_hat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "divergences": self.divergences,
            "problems": list(self.problems),
        }


def measure(idata: az.InferenceData, var_names: Sequence[str]) -> dict:
    """R-hat, bulk ESS and divergences of ``var_names`` (JSON-ready, kept in the cache).

    Returns
    -------
    dict
        ``r_hat`` (max), ``r_hat_worst`` (its variable), ``ess_bulk`` (min),
        ``ess_bulk_worst`` and ``divergences``.
    """
    import arviz as az

    summary = az.summary(idata, var_names=list(var_names), kind="diagnostics")
    empty = not len(summary)
    divergences = 0
    if "sample_stats" in idata.groups() and "diverging" in idata.sample_stats:
        divergences = int(idata.sample_stats["diverging"].sum())
    return {
        "r_hat": float("nan") if empty else float(np.nanmax(summary["r_hat"])),
        "r_hat_worst": "" if empty else str(summary["r_hat"].idxmax()),
        "ess_bulk": float("nan") if empty else float(np.nanmin(summary["ess_bulk"])),
        "ess_bulk_worst": "" if empty else str(summary["ess_bulk"].idxmin()),
        "divergences": divergences,
    }


def judge(measured: dict, label: str) -> Diagnostics:
    """The :class:`Diagnostics` of measured values (see :func:`measure`), one message per
    problem, each starting with ``label``."""
    r_hat, ess, divergences = measured["r_hat"], measured["ess_bulk"], measured["divergences"]
    problems = []
    if not r_hat <= R_HAT_MAX:
        problems.append(
            f"{label}: R-hat {r_hat:.3f} > {R_HAT_MAX} (worst: {measured['r_hat_worst']})"
        )
    if not ess >= ESS_MIN:
        problems.append(
            f"{label}: bulk ESS {ess:.0f} < {ESS_MIN} (worst: {measured['ess_bulk_worst']})"
        )
    if divergences:
        problems.append(
            f"{label}: {divergences} divergent transitions (raise sampler.target_accept)"
        )
    return Diagnostics(float(r_hat), float(ess), int(divergences), tuple(problems))


def diagnose(idata: az.InferenceData, var_names: Sequence[str], label: str) -> Diagnostics:
    """R-hat, bulk ESS and divergences of ``var_names``, with a message per problem."""
    return judge(measure(idata, var_names), label)


def check(diagnostics: Diagnostics, strict: bool) -> None:
    """Warn about (or, under ``strict``, raise on) convergence problems."""
    if diagnostics.ok:
        return
    if strict:
        raise SamplingError("; ".join(diagnostics.problems))
    for problem in diagnostics.problems:
        warnings.warn(problem, ConvergenceWarning, stacklevel=2)


class FitWarning(UserWarning):
    """Base of the warnings a fit gives that a user should see as one line each.

    The CLI prints every warning of this class (convergence, cache) the same way.
    """


class ConvergenceWarning(FitWarning):
    """A fit did not pass its convergence checks."""


class CacheWarning(FitWarning):
    """The posterior cache could not be used (the run goes on without it)."""


def backend_available(name: str) -> bool:
    """Whether the sampler backend ``name`` can run in this environment.

    Parameters
    ----------
    name : str
        "pymc" (always available) or "nutpie" (the optional extra ``.[nutpie]``).

    Returns
    -------
    bool
        False for an unknown name or a backend whose package cannot be imported.
    """
    if name == "pymc":
        return True
    if name == "nutpie":
        try:
            import nutpie  # noqa: F401
        except (ImportError, OSError):  # OSError: a broken install (missing shared library)
            return False
        return True
    return False


def require_backend(name: str) -> None:
    """Raise :class:`~forecast.errors.ScenarioError` unless backend ``name`` can run.

    Parameters
    ----------
    name : str
        The ``[sampler] backend`` of a scenario.

    Raises
    ------
    ScenarioError
        One line saying what is missing and how to install it (exit code 2).
    """
    if backend_available(name):
        return
    if name == "nutpie":
        raise ScenarioError(
            f'sampler.backend = "nutpie" needs the optional nutpie package, which is not '
            f'installed: {NUTPIE_INSTALL} (or use backend = "pymc")'
        )
    raise ScenarioError(
        f"sampler.backend = {name!r} is not a sampler; expected one of {', '.join(BACKENDS)}"
    )


def sample(
    model: pm.Model,
    settings: SamplerSettings,
    seed: int,
    progress: bool = True,
    log_likelihood: bool = True,
) -> az.InferenceData:
    """Sample ``model`` with the configured backend; seeded, quiet unless ``progress``.

    The result is always complete: exactly ``settings.chains`` chains of
    ``settings.draws`` draws. PyMC itself stops early on Ctrl-C and returns the draws it
    has; here a SIGINT or SIGTERM during sampling instead raises
    :class:`~forecast.errors.Interrupted`, so that a cut-short fit can never be mistaken
    for a finished one (and cached).

    Parameters
    ----------
    model : pymc.Model
        The model to sample.
    settings : SamplerSettings
        Draws, tuning steps, chains, target acceptance, backend.
    seed : int
        Seed of the sampler.
    progress : bool
        Show the sampler's progress bar.
    log_likelihood : bool
        Add PyMC's pointwise log-likelihood group (for LOO).

    Returns
    -------
    arviz.InferenceData

    Raises
    ------
    ScenarioError
        The backend is not installed (raised before any sampling).
    Interrupted
        A SIGINT or SIGTERM arrived while sampling.
    SamplingError
        Sampling failed, or returned fewer chains or draws than asked for.
    """
    require_backend(settings.backend)
    import pymc as pm

    # PyMC logs sampler chatter at INFO; our own progress display replaces it.
    logging.getLogger("pymc").setLevel(logging.ERROR)
    with _stop_on_signals() as seen:
        try:
            idata = _sample(model, settings, seed, progress, log_likelihood)
        except BaseException as exc:
            if seen:
                # Whatever broke (PyMC's KeyboardInterrupt, a chain process that died of
                # the same Ctrl-C sent to the whole process group), the cause is the signal.
                raise Interrupted(seen[0]) from None
            if isinstance(exc, pm.exceptions.SamplingError | FloatingPointError):
                raise SamplingError(
                    f"sampling failed ({exc}); check the selected data, or raise "
                    "sampler.tune and sampler.target_accept"
                ) from None
            raise
    # PyMC swallows the KeyboardInterrupt and returns what it has: a signal seen at any
    # point means the draws are not the ones asked for.
    if seen:
        raise Interrupted(seen[0])
    problem = incomplete(idata, settings)
    if problem:
        raise SamplingError(f"sampling stopped early: {problem}; nothing was cached")
    return idata


def incomplete(idata: az.InferenceData, settings: SamplerSettings) -> str | None:
    """How ``idata`` falls short of ``settings`` (chains, draws, tuning), or None if it does not.

    Parameters
    ----------
    idata : arviz.InferenceData
        A posterior, fresh from the sampler or loaded from the cache.
    settings : SamplerSettings
        What it should have been sampled with.

    Returns
    -------
    str or None
        A one-line description of the shortfall.
    """
    if "posterior" not in idata.groups():
        return "no posterior"
    sizes = idata.posterior.sizes
    chains, draws = int(sizes.get("chain", 0)), int(sizes.get("draw", 0))
    if (chains, draws) != (settings.chains, settings.draws):
        return (
            f"{chains} chain(s) x {draws} draw(s) instead of {settings.chains} x {settings.draws}"
        )
    # PyMC records the tuning steps it ran; other backends may not.
    tuned = idata.posterior.attrs.get("tuning_steps")
    if tuned is not None and int(tuned) != settings.tune:
        return f"{int(tuned)} tuning steps instead of {settings.tune}"
    return None


@contextmanager
def _stop_on_signals() -> Iterator[list[int]]:
    """Make SIGINT and SIGTERM stop sampling; yields the list of signals seen.

    Each signal is recorded and raised as ``KeyboardInterrupt``, which PyMC (and nutpie)
    turn into stopping their chains. SIGTERM's default would kill the process outright,
    leaving the worker processes behind. Handlers can only be installed from the main
    thread; elsewhere the signals keep their handlers (and nothing is recorded). On the
    way out the previous handlers come back and any worker process started meanwhile and
    still alive is terminated, whatever the sampler did.
    """
    seen: list[int] = []
    children_before = set(multiprocessing.active_children())
    previous: dict[int, object] = {}
    previous_hook = sys.unraisablehook
    timers: list[threading.Timer] = []
    in_hook = closing = False

    main_thread = threading.main_thread().ident

    def redeliver(signum: int) -> None:
        # Sends the signal to the main thread again a moment later, from another thread, so
        # that its handler runs in ordinary code, not in the hook that called us (a real
        # signal, unlike _thread.interrupt_main, also wakes a blocking wait).
        if len(timers) < 100:  # bounded: never a loop, whatever keeps swallowing it
            timer = threading.Timer(0.05, signal.pthread_kill, args=(main_thread, signum))
            timer.daemon = True
            timers.append(timer)
            timer.start()

    def handler(signum: int, _frame: object) -> None:
        seen.append(signum)
        if closing:
            return  # recorded: the fit ends as Interrupted all the same
        if in_hook:
            redeliver(signum)  # an exception raised here would only be dropped again
            return
        raise KeyboardInterrupt

    def unraisable(info: object) -> None:
        # A signal handler runs wherever the interpreter is, including inside a
        # destructor (llvmlite's, while nutpie compiles), where Python drops the exception
        # and prints a traceback. Deliver the signal again, so that it stops the sampler
        # now rather than when sampling ends, and print nothing.
        nonlocal in_hook
        if isinstance(getattr(info, "exc_value", None), KeyboardInterrupt) and seen:
            in_hook = True
            try:
                redeliver(seen[-1])
            finally:
                in_hook = False
            return
        previous_hook(info)  # type: ignore[arg-type]

    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            previous[sig] = signal.getsignal(sig)
            signal.signal(sig, handler)
        sys.unraisablehook = unraisable
    try:
        yield seen
    finally:
        # A redelivery in flight lands on our handler (which now only records it), never on
        # the restored ones (SIGTERM's default would kill the process here).
        closing = True
        for timer in timers:
            timer.cancel()
            timer.join()
        if previous:
            sys.unraisablehook = previous_hook
        for sig, old in previous.items():
            # None: a handler installed outside Python; the default is the best we can do.
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
        if seen:
            _terminate_new_children(children_before)


def _terminate_new_children(before: set, patience: float = 5.0) -> None:
    # PyMC aborts and joins its chain processes when it stops, but an interrupt that lands
    # while they are being started or set up skips that; none may outlive the fit.
    for child in set(multiprocessing.active_children()) - before:
        child.terminate()
        child.join(patience)
        if child.is_alive():
            child.kill()
            child.join(patience)


def _sample(
    model: pm.Model,
    settings: SamplerSettings,
    seed: int,
    progress: bool,
    log_likelihood: bool,
) -> az.InferenceData:
    import pymc as pm

    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*The number of samples is too small.*")
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        if settings.backend == "nutpie":
            idata = pm.sample(
                draws=settings.draws,
                tune=settings.tune,
                chains=settings.chains,
                target_accept=settings.target_accept,
                random_seed=seed,
                progressbar=progress,
                nuts_sampler="nutpie",
                compute_convergence_checks=False,
            )
        else:
            idata = pm.sample(
                draws=settings.draws,
                tune=settings.tune,
                chains=settings.chains,
                cores=min(settings.chains, 2),
                target_accept=settings.target_accept,
                random_seed=seed,
                progressbar=progress,
                compute_convergence_checks=False,
            )
        if log_likelihood:
            pm.compute_log_likelihood(idata, progressbar=False)
    return idata
