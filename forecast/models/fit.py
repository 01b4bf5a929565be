"""Fitting with the posterior cache: the only expensive step of the pipeline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from forecast.models import cache
from forecast.models.hardware import (
    HARDWARE_REPORTED,
    HardwareData,
    HardwareFit,
    build_hardware_model,
)
from forecast.models.sampling import SamplerSettings, az, check, diagnose, sample
from forecast.models.trend import (
    TrendData,
    TrendFit,
    build_trend_model,
    choose_eras,
    reported_vars,
)

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _cached_sample(
    kind: str,
    key_payload: dict,
    build: Callable[[], object],
    settings: SamplerSettings,
    seed: int,
    use_cache: bool,
    progress: bool,
    log: Log,
    label: str,
) -> tuple[az.InferenceData, bool]:
    key = cache.make_key({"kind": kind, "sampler": settings.key(), "seed": seed, **key_payload})
    if use_cache:
        hit = cache.load(key)
        if hit is not None:
            log(f"{label}: loaded from cache ({key[:12]})")
            return hit[0], True
    log(f"{label}: sampling {settings.chains} chains x {settings.draws} draws ({settings.backend})")
    start = time.perf_counter()
    model = build()
    idata = sample(model, settings, seed, progress=progress)
    idata.posterior.attrs["t_ref"] = float(model.t_ref)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    log(f"{label}: sampled in {elapsed:.1f} s")
    if use_cache:
        cache.store(key, idata, {"kind": kind, "label": label, "seconds": elapsed})
    return idata, False


def fit_trend(
    runs: pd.DataFrame | TrendData,
    eras: int | Literal["auto"] = "auto",
    jump: bool = False,
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    use_cache: bool = True,
    strict: bool = False,
    progress: bool = False,
    log: Log = _quiet,
) -> TrendFit:
    """Fit the compute trend to the selected runs.

    Parameters
    ----------
    runs : pandas.DataFrame or TrendData
        The selected runs (``t``, ``log10_flop``, ``uncertainty``).
    eras : int or "auto"
        K, or "auto" to fit K = 1, 2, 3 and choose by LOO (see :func:`choose_eras`).
    jump : bool
        Allow a level jump at each breakpoint.
    settings : SamplerSettings, optional
        Draws, tuning, chains, target acceptance, backend.
    seed : int
        Seed of the sampler.
    use_cache : bool
        Load a stored posterior when one exists for exactly these inputs.
    strict : bool
        Raise :class:`~forecast.errors.SamplingError` instead of warning on poor convergence.
    progress : bool
        Show the sampler's progress bar.
    log : callable
        Receives one-line progress messages (e.g. "loaded from cache").

    Returns
    -------
    TrendFit
    """
    data = runs if isinstance(runs, TrendData) else TrendData.from_runs(runs)
    settings = settings or SamplerSettings()
    if len(data.t) < 3:
        from forecast.errors import DataError

        raise DataError(f"the trend needs at least 3 runs, the selection has {len(data.t)}")
    candidates_k = [1, 2, 3] if eras == "auto" else [int(eras)]
    # Each era needs a handful of runs to be identifiable.
    candidates_k = [k for k in candidates_k if k == 1 or len(data.t) >= 8 * k]
    fits: dict[int, az.InferenceData] = {}
    any_cached = True
    for k in candidates_k:
        idata, cached = _cached_sample(
            "trend",
            {"data": data.key(), "eras": k, "jump": jump},
            lambda k=k: build_trend_model(data, k, jump),
            settings,
            seed,
            use_cache,
            progress,
            log,
            f"trend ({k} era{'s' if k > 1 else ''}, {len(data.t)} runs)",
        )
        fits[k] = idata
        any_cached &= cached
    comparison = None
    if len(fits) > 1:
        chosen, comparison = choose_eras(fits)
        log(f"trend: {chosen} era(s) chosen by LOO")
    else:
        chosen = candidates_k[0]
    idata = fits[chosen]
    diagnostics = diagnose(idata, reported_vars(chosen, jump), "trend")
    check(diagnostics, strict)
    return TrendFit(
        idata=idata,
        eras=chosen,
        jump=jump,
        t_ref=float(idata.posterior.attrs["t_ref"]),
        diagnostics=diagnostics,
        comparison=comparison,
        cached=any_cached,
        candidates=fits,
    )


def fit_hardware(
    hardware: pd.DataFrame | HardwareData,
    precision: str = "ml",
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    use_cache: bool = True,
    strict: bool = False,
    progress: bool = False,
    log: Log = _quiet,
) -> HardwareFit:
    """Fit price-performance and energy-efficiency trends of ``hardware``.

    Parameters are as for :func:`fit_trend`; ``precision`` is "fp32", "fp16" or "ml".
    """
    data = (
        hardware
        if isinstance(hardware, HardwareData)
        else HardwareData.from_table(hardware, precision)
    )
    settings = settings or SamplerSettings()
    for name, t in (("price-performance", data.t_price), ("efficiency", data.t_eff)):
        if len(t) < 3:
            from forecast.errors import DataError

            raise DataError(f"the {name} fit needs at least 3 chips, found {len(t)}")
    idata, cached = _cached_sample(
        "hardware",
        {"data": data.key()},
        lambda: build_hardware_model(data),
        settings,
        seed,
        use_cache,
        progress,
        log,
        f"hardware ({data.precision}, {len(data.t_price)} priced chips, {len(data.t_eff)} chips)",
    )
    diagnostics = diagnose(idata, HARDWARE_REPORTED, "hardware")
    check(diagnostics, strict)
    return HardwareFit(
        idata, data.precision, float(idata.posterior.attrs["t_ref"]), diagnostics, cached
    )


def prior_predictive_doubling(eras: int = 1, n: int = 4000, seed: int = 0) -> np.ndarray:
    """Prior draws of the era doubling times (months), for prior checks."""
    import pymc as pm

    rng_t = np.linspace(2000, 2020, 30)
    data = TrendData(t=rng_t, y=np.linspace(15, 25, 30), meas_sd=np.full(30, 0.2))
    with build_trend_model(data, eras):
        prior = pm.sample_prior_predictive(draws=n, random_seed=seed)
    return prior.prior["doubling_months"].to_numpy().reshape(-1)
