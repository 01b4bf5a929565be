"""Running a sampler and checking its diagnostics, shared by every model."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from forecast.errors import SamplingError

# ArviZ 0.x announces its 1.0 refactor on import; it is not actionable for our users.
warnings.filterwarnings("ignore", category=FutureWarning, module="arviz")
# pip-installed PyTensor has no BLAS to link; the models here are too small to need it.
warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")

import arviz as az  # noqa: E402
import pymc as pm  # noqa: E402

R_HAT_MAX = 1.01
ESS_MIN = 400


@dataclass(frozen=True)
class SamplerSettings:
    """Sampler configuration (the ``[sampler]`` table of a scenario)."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    target_accept: float = 0.9
    backend: str = "pymc"  # "pymc" (PyMC's NUTS) or "nutpie"

    def key(self) -> dict:
        """The settings as a dict, for cache keys."""
        return asdict(self)


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


def diagnose(idata: az.InferenceData, var_names: Sequence[str], label: str) -> Diagnostics:
    """R-hat, bulk ESS and divergences of ``var_names``, with a message per problem."""
    summary = az.summary(idata, var_names=list(var_names), kind="diagnostics")
    r_hat = float(np.nanmax(summary["r_hat"])) if len(summary) else float("nan")
    ess = float(np.nanmin(summary["ess_bulk"])) if len(summary) else float("nan")
    divergences = 0
    if "sample_stats" in idata and "diverging" in idata.sample_stats:
        divergences = int(idata.sample_stats["diverging"].sum())
    problems = []
    if not r_hat <= R_HAT_MAX:
        worst = summary["r_hat"].idxmax()
        problems.append(f"{label}: R-hat {r_hat:.3f} > {R_HAT_MAX} (worst: {worst})")
    if not ess >= ESS_MIN:
        worst = summary["ess_bulk"].idxmin()
        problems.append(f"{label}: bulk ESS {ess:.0f} < {ESS_MIN} (worst: {worst})")
    if divergences:
        problems.append(
            f"{label}: {divergences} divergent transitions (raise sampler.target_accept)"
        )
    return Diagnostics(r_hat, ess, divergences, tuple(problems))


def check(diagnostics: Diagnostics, strict: bool) -> None:
    """Warn about (or, under ``strict``, raise on) convergence problems."""
    if diagnostics.ok:
        return
    if strict:
        raise SamplingError("; ".join(diagnostics.problems))
    for problem in diagnostics.problems:
        warnings.warn(problem, ConvergenceWarning, stacklevel=2)


class ConvergenceWarning(UserWarning):
    """A fit did not pass its convergence checks."""


def sample(
    model: pm.Model,
    settings: SamplerSettings,
    seed: int,
    progress: bool = True,
    log_likelihood: bool = True,
) -> az.InferenceData:
    """Sample ``model`` with the configured backend; seeded, quiet unless ``progress``."""
    # PyMC logs sampler chatter at INFO; our own progress display replaces it.
    logging.getLogger("pymc").setLevel(logging.ERROR)
    try:
        return _sample(model, settings, seed, progress, log_likelihood)
    except (pm.exceptions.SamplingError, FloatingPointError) as exc:
        raise SamplingError(
            f"sampling failed ({exc}); check the selected data, or raise sampler.tune and "
            "sampler.target_accept"
        ) from None


def _sample(model, settings, seed, progress, log_likelihood):
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
