"""Fitting with the posterior cache: the only expensive step of the pipeline."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from forecast.models import cache
from forecast.models.clusters import (
    CLUSTER_REPORTED,
    ClusterData,
    ClusterFit,
    build_cluster_model,
)
from forecast.models.conversion import (
    CONVERSION_REPORTED,
    ConversionData,
    ConversionFit,
    build_conversion_model,
)
from forecast.models.conversion import MODEL as CONVERSION_MODEL
from forecast.models.hardware import (
    HARDWARE_REPORTED,
    HardwareData,
    HardwareFit,
    build_hardware_model,
)
from forecast.models.sampling import SamplerSettings, check, judge, measure, sample
from forecast.models.trend import (
    DRIFT_TARGET_ACCEPT,
    TrendData,
    TrendFit,
    build_drift_model,
    build_trend_model,
    choose_eras,
    pointwise_log_likelihood,
    reported_vars,
)
from forecast.progress import Log, quiet
from forecast.scenario.load import MIN_FIT_POINTS

if TYPE_CHECKING:
    import arviz as az

#: Candidates of an automatic choice of K are fitted with at most these settings (2 chains
#: of 500 draws after 500 tuning steps: 1,000 draws, enough for a stable PSIS-LOO), and
#: only the chosen K is then fitted with the scenario's full settings. A multi-era
#: candidate on data with no clear break samples slowly (its breakpoint is barely
#: identified, so NUTS needs long trajectories) and LOO rejects it anyway: fitting it in
#: full only to throw it away was most of the cost of a first run. The chosen fit, the
#: one every reported number comes from, is sampled and checked exactly as before.
SCREENING = {"chains": 2, "tune": 500, "draws": 500}


@dataclass(frozen=True)
class FitControl:
    """How a fit runs, apart from what it fits; the same for every fit of one command.

    Attributes
    ----------
    use_cache : bool
        Load a stored posterior when one exists for exactly these inputs (and store new ones).
    strict : bool
        Raise :class:`~forecast.errors.SamplingError` instead of warning on poor convergence.
    progress : bool
        Show the sampler's progress bar.
    log : callable
        Receives one-line progress messages (e.g. "loaded from cache").
    """

    use_cache: bool = True
    strict: bool = False
    progress: bool = False
    log: Log = quiet


#: The default: cached, lenient, silent.
DEFAULT_CONTROL = FitControl()


def _judged(measured: dict, what: str, strict: bool):
    """The diagnostics of a fit, judged; raises under ``strict`` when they fail."""
    diagnostics = judge(measured, what)
    check(diagnostics, strict)
    return diagnostics


def screening_settings(settings: SamplerSettings) -> SamplerSettings:
    """The settings the candidates of an automatic choice of K are fitted with.

    Parameters
    ----------
    settings : SamplerSettings
        The scenario's settings (those of the chosen fit).

    Returns
    -------
    SamplerSettings
        ``settings`` with chains, tuning steps and draws capped at :data:`SCREENING`;
        equal to ``settings`` when those are already as light.
    """
    return replace(settings, **{k: min(getattr(settings, k), v) for k, v in SCREENING.items()})


def _key(kind: str, key_payload: dict, settings: SamplerSettings, seed: int) -> str:
    return cache.make_key({"kind": kind, "sampler": settings.key(), "seed": seed, **key_payload})


def _cached_sample(
    kind: str,
    key_payload: dict,
    build: Callable[[], object],
    settings: SamplerSettings,
    seed: int,
    control: FitControl,
    label: str,
    reported: list[str],
    log_likelihood: Callable[[az.InferenceData, float], None] | None = None,
) -> tuple[az.InferenceData, bool, dict]:
    """A posterior from the cache or the sampler, with its measured diagnostics.

    The diagnostics (:func:`~forecast.models.sampling.measure` of ``reported``) are
    computed once, when fitting, and kept with the cache entry, so a cached run needs
    neither ArviZ nor PyMC.

    Returns
    -------
    (posterior, cached, measured)
    """
    key = _key(kind, key_payload, settings, seed)
    use_cache, log = control.use_cache, control.log
    if use_cache:
        hit = cache.load(key, settings)
        if hit is not None:
            idata, meta = hit
            log(f"{label}: loaded from cache ({key[:12]})")
            measured = meta.get("diagnostics")
            if not isinstance(measured, dict) or set(measured) != MEASURED:
                from forecast.models.posterior import as_inference_data

                measured = measure(as_inference_data(idata), reported)
                # An entry from before diagnostics were kept: measured once, then kept.
                cache.update_meta(key, {"diagnostics": measured})
            return idata, True, measured
    log(f"{label}: sampling {settings.chains} chains x {settings.draws} draws ({settings.backend})")
    start = time.perf_counter()
    model = build()
    t_ref = float(model.t_ref)  # type: ignore[attr-defined]
    # Raises (Interrupted, SamplingError) unless the fit is complete: nothing below runs,
    # so a cut-short fit is never stored.
    idata = sample(model, settings, seed, progress=control.progress, log_likelihood=False)
    idata.posterior.attrs["t_ref"] = t_ref
    if log_likelihood is not None:
        log_likelihood(idata, t_ref)
    elapsed = time.perf_counter() - start
    log(f"{label}: sampled in {elapsed:.1f} s")
    measured = measure(idata, reported)
    if use_cache:
        meta = {"kind": kind, "label": label, "seconds": elapsed, "diagnostics": measured}
        cache.store(key, idata, meta, settings)
    return idata, False, measured


#: The keys of :func:`~forecast.models.sampling.measure`, to recognise a cached record.
MEASURED = {"r_hat", "r_hat_worst", "ess_bulk", "ess_bulk_worst", "divergences"}


def _comparison_from_record(record: dict) -> tuple[int, pd.DataFrame, dict[int, dict]] | None:
    """(chosen K, LOO table, measured diagnostics per K) of a cached comparison."""
    try:
        table = pd.DataFrame(**record["table"])
        measured = {int(k): v for k, v in record["diagnostics"].items()}
        return int(record["chosen"]), table, measured
    except (KeyError, TypeError, ValueError):
        return None


def fit_trend(
    runs: pd.DataFrame | TrendData,
    eras: int | Literal["auto"] = "auto",
    jump: bool = False,
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    control: FitControl = DEFAULT_CONTROL,
    model: str = "eras",
) -> TrendFit:
    """Fit the compute trend to the selected runs.

    Parameters
    ----------
    runs : pandas.DataFrame or TrendData
        The selected runs (``t``, ``log10_flop``, ``uncertainty``).
    eras : int or "auto"
        K, or "auto" to fit K = 1, 2, 3 with :func:`screening_settings`, choose by LOO
        (see :func:`choose_eras`) and fit the chosen K with ``settings``.
    jump : bool
        Allow a level jump at each breakpoint.
    settings : SamplerSettings, optional
        Draws, tuning, chains, target acceptance, backend.
    seed : int
        Seed of the sampler.
    control : FitControl
        The cache, strictness, progress bar and log.
    model : {"eras", "drift"}
        K eras (``eras``, ``jump``), or one slope that drifts from year to year
        (:func:`~forecast.models.trend.build_drift_model`; ``eras`` and ``jump`` unused),
        sampled at a target acceptance of at least ``DRIFT_TARGET_ACCEPT``.

    Returns
    -------
    TrendFit

    Raises
    ------
    forecast.errors.Interrupted
        SIGINT or SIGTERM while sampling (nothing of that fit is cached).
    forecast.errors.SamplingError
        Sampling failed, or (under ``strict``) the chosen fit did not converge.
    forecast.errors.ScenarioError
        The backend is not installed.
    """
    data = runs if isinstance(runs, TrendData) else TrendData.from_runs(runs)
    settings = settings or SamplerSettings()
    if len(data.t) < MIN_FIT_POINTS:
        from forecast.errors import DataError

        raise DataError(
            f"the trend needs at least {MIN_FIT_POINTS} runs, the selection has {len(data.t)}"
        )
    if model == "drift":
        return _fit_drift(data, settings, seed, control)
    use_cache, log = control.use_cache, control.log
    candidates_k = [1, 2, 3] if eras == "auto" else [int(eras)]
    # Each era needs a handful of runs to be identifiable.
    candidates_k = [k for k in candidates_k if k == 1 or len(data.t) >= 8 * k]
    any_cached = True
    measured: dict[int, dict] = {}

    def payload(k: int) -> dict:
        return {"data": data.key(), "eras": k, "jump": jump}

    def fit(k: int, with_settings: SamplerSettings, role: str) -> az.InferenceData:
        nonlocal any_cached
        idata, cached, measured[k] = _cached_sample(
            "trend",
            payload(k),
            lambda: build_trend_model(data, k, jump),
            with_settings,
            seed,
            control,
            f"trend{role} ({k} era{'s' if k > 1 else ''}, {len(data.t)} runs)",
            reported_vars(k, jump),
            lambda idata, t_ref: pointwise_log_likelihood(idata, data, jump, t_ref),
        )
        any_cached &= cached
        return idata

    comparison = None
    screening = None
    fits: dict[int, az.InferenceData] = {}
    candidate_measured: dict[int, dict] = {}
    if len(candidates_k) > 1:
        screening = screening_settings(settings)
        # The comparison (PSIS-LOO of every candidate) is kept in the cache under the
        # candidates' own keys: a later run loads it instead of the candidates.
        record_key = cache.make_key(
            {
                "kind": "trend-comparison",
                "candidates": [_key("trend", payload(k), screening, seed) for k in candidates_k],
            }
        )
        found = _comparison_from_record(cache.load_record(record_key) or {}) if use_cache else None
        if found is not None:
            chosen, comparison, candidate_measured = found
            log(f"trend: {chosen} era(s) chosen by LOO (comparison loaded from cache)")
        else:
            fits = {k: fit(k, screening, " candidate") for k in candidates_k}
            candidate_measured = {k: measured[k] for k in candidates_k}
            chosen, comparison = choose_eras(fits)
            log(f"trend: {chosen} era(s) chosen by LOO")
            if use_cache:
                cache.store_record(
                    record_key,
                    {
                        "chosen": chosen,
                        "table": comparison.to_dict(orient="split"),
                        "diagnostics": candidate_measured,
                    },
                )
        # The chosen model in full; its cache entry is the one a fit with eras=K makes.
        if screening == settings and chosen in fits:
            idata = fits[chosen]
        else:
            idata = fit(chosen, settings, "" if screening != settings else " candidate")
    else:
        chosen = candidates_k[0]
        idata = fit(chosen, settings, "")
        fits = {chosen: idata}
        candidate_measured = {chosen: measured[chosen]}
    diagnostics = _judged(measured[chosen], "trend", control.strict)
    return TrendFit(
        idata=idata,
        eras=chosen,
        jump=jump,
        t_ref=float(idata.posterior.attrs["t_ref"]),
        diagnostics=diagnostics,
        comparison=comparison,
        cached=any_cached,
        candidates=fits,
        candidate_diagnostics={k: judge(m, f"{k} era(s)") for k, m in candidate_measured.items()},
        screening=screening,
    )


def _fit_drift(
    data: TrendData, settings: SamplerSettings, seed: int, control: FitControl
) -> TrendFit:
    """:func:`fit_trend` of the drift model."""
    settings = replace(settings, target_accept=max(settings.target_accept, DRIFT_TARGET_ACCEPT))
    idata, cached, measured = _cached_sample(
        "trend",
        {"data": data.key(), "model": "drift"},
        lambda: build_drift_model(data),
        settings,
        seed,
        control,
        f"trend (drifting slope, {len(data.t)} runs)",
        reported_vars(1, False, "drift"),
        lambda idata, t_ref: pointwise_log_likelihood(idata, data, False, t_ref, "drift"),
    )
    diagnostics = _judged(measured, "trend", control.strict)
    return TrendFit(
        idata=idata,
        eras=1,
        jump=False,
        t_ref=float(idata.posterior.attrs["t_ref"]),
        diagnostics=diagnostics,
        cached=cached,
        candidate_diagnostics={1: diagnostics},
        model="drift",
    )


def fit_hardware(
    hardware: pd.DataFrame | HardwareData,
    precision: str = "ml",
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    control: FitControl = DEFAULT_CONTROL,
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
        if len(t) < MIN_FIT_POINTS:
            from forecast.errors import DataError

            raise DataError(f"the {name} fit needs at least {MIN_FIT_POINTS} chips, found {len(t)}")
    idata, cached, measured = _cached_sample(
        "hardware",
        {"data": data.key()},
        lambda: build_hardware_model(data),
        settings,
        seed,
        control,
        f"hardware ({data.precision}, {len(data.t_price)} priced chips, {len(data.t_eff)} chips)",
        list(HARDWARE_REPORTED),
    )
    diagnostics = _judged(measured, "hardware", control.strict)
    return HardwareFit(
        idata, data.precision, float(idata.posterior.attrs["t_ref"]), diagnostics, cached
    )


def fit_conversion(
    data: ConversionData,
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    control: FitControl = DEFAULT_CONTROL,
) -> ConversionFit:
    """Fit the realised conversion (see :mod:`forecast.models.conversion`).

    Parameters are as for :func:`fit_trend`.

    Raises
    ------
    forecast.errors.DataError
        If a series has fewer than 3 runs with the figures it needs.
    """
    counts = data.counts()
    return _fit_series(
        "conversion",
        {"data": data.key(), "model": CONVERSION_MODEL},
        lambda: build_conversion_model(data),
        counts,
        counts,
        ("realised conversion", "runs with published figures per series"),
        CONVERSION_REPORTED,
        ConversionFit,
        settings,
        seed,
        control,
    )


def fit_clusters(
    data: ClusterData,
    settings: SamplerSettings | None = None,
    seed: int = 2026,
    control: FitControl = DEFAULT_CONTROL,
) -> ClusterFit:
    """Fit the trends of the leading and the largest clusters
    (see :mod:`forecast.models.clusters`).

    Parameters are as for :func:`fit_trend`.

    Raises
    ------
    forecast.errors.DataError
        If a series has fewer than :data:`MIN_FIT_POINTS` clusters that were the largest.
    """
    counts = data.counts()
    return _fit_series(
        "clusters",
        {"data": data.key()},
        lambda: build_cluster_model(data),
        counts,
        {s: int(data.largest[s].sum()) for s in counts},
        ("clusters", "clusters that were the largest when they began operating"),
        CLUSTER_REPORTED,
        ClusterFit,
        settings,
        seed,
        control,
    )


def _fit_series(
    kind, payload, build, counts, enough, what, reported, make, settings, seed, control
):
    """A fit of several series (the conversion, the clusters): refused where a series has
    fewer than :data:`MIN_FIT_POINTS` points (``enough``), else sampled or loaded, judged,
    and wrapped as ``make(idata, t_ref, diagnostics, counts, cached)``.

    ``what`` is (the fit's name, what each series needs at least MIN_FIT_POINTS of).
    """
    name, needs = what
    short = {s: n for s, n in enough.items() if n < MIN_FIT_POINTS}
    if short:
        from forecast.errors import DataError

        title = "the largest-cluster trend" if kind == "clusters" else f"the {name}"
        raise DataError(
            f"{title} needs at least {MIN_FIT_POINTS} {needs}; too few for "
            + ", ".join(f"{s} ({n})" for s, n in short.items())
        )
    idata, cached, measured = _cached_sample(
        kind,
        payload,
        build,
        settings or SamplerSettings(),
        seed,
        control,
        f"{name} (" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")",
        reported,
    )
    diagnostics = _judged(measured, name, control.strict)
    return make(idata, float(idata.posterior.attrs["t_ref"]), diagnostics, counts, cached)


def prior_predictive_doubling(eras: int = 1, n: int = 4000, seed: int = 0) -> np.ndarray:
    """Prior draws of the era doubling times (months), for prior checks."""
    import pymc as pm

    rng_t = np.linspace(2000, 2020, 30)
    data = TrendData(t=rng_t, y=np.linspace(15, 25, 30), meas_sd=np.full(30, 0.2))
    with build_trend_model(data, eras):
        prior = pm.sample_prior_predictive(draws=n, random_seed=seed)
    return prior.prior["doubling_months"].to_numpy().reshape(-1)
