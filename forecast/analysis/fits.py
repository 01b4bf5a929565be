"""What the report shows of the fits, derived once when fitting: eras, the trend's band,
diagnostics, the posterior predictive check, the model comparison and the priors."""

from __future__ import annotations

import numpy as np
import xarray as xr

#: Quantiles of the fitted trend's band in the trend figure (90% and 50% bands, median).
BAND_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Points of the fitted trend's band over the data years.
BAND_POINTS = 200
#: Central predictive intervals of the posterior predictive check.
COVERAGE_LEVELS = (0.5, 0.8, 0.9)


def fit_summary(result, rng: np.random.Generator) -> xr.Dataset:
    """What the report shows of the fits, derived once when fitting.

    Parameters
    ----------
    result : forecast.project.scenario.ScenarioResult
    rng : numpy.random.Generator
        For the posterior predictive draws of the check.

    Returns
    -------
    xarray.Dataset
        ``diag_*`` (dim ``fit``: compute trend, hardware); with a fitted trend also
        ``era_doubling_months`` (``sample``, ``era``), ``breakpoint`` (``sample``,
        ``break``), ``band`` (``band_quantile``, ``band_t``; log10 FLOP), ``coverage``
        (dim ``level``), the model comparison ``cmp_*`` (dim ``candidate``) and the
        priors (dim ``prior``). Attributes ``trend_fitted``, ``hardware_fitted``,
        ``eras``, ``jump``, ``chosen_by_loo``, ``moore_anchor_t``, ``moore_anchor_log10``
        and the screening settings.
    """
    from forecast.models import priors
    from forecast.models.trend import TrendData, predictive_coverage

    trend, hw = result.trend_fit, result.hardware_fit
    fits = [("compute trend", trend), ("hardware", hw)]
    conversion = getattr(result, "conversion_fit", None)
    if conversion is not None:
        fits.append(("realised conversion", conversion))
    ds = xr.Dataset(
        {
            "diag_fitted": ("fit", [f is not None for _, f in fits]),
            "diag_r_hat_max": ("fit", [f.diagnostics.r_hat_max if f else np.nan for _, f in fits]),
            "diag_ess_bulk_min": (
                "fit",
                [f.diagnostics.ess_bulk_min if f else np.nan for _, f in fits],
            ),
            "diag_divergences": ("fit", [f.diagnostics.divergences if f else -1 for _, f in fits]),
            "diag_problems": (
                "fit",
                np.array(["; ".join(f.diagnostics.problems) if f else "" for _, f in fits]),
            ),
        },
        coords={"fit": [name for name, _ in fits]},
        attrs={"trend_fitted": int(trend is not None), "hardware_fitted": int(hw is not None)},
    )
    if hw is not None:
        ds.attrs["hardware_precision"] = result.scenario.hardware.precision
    if trend is None:
        return ds
    runs = result.runs_used
    t_first = float(runs["t"].min())
    t_grid = np.linspace(t_first, float(result.start_year), BAND_POINTS)
    band = np.nanquantile(trend.mean(t_grid), BAND_QUANTILES, axis=0)
    cover = predictive_coverage(
        trend, TrendData.from_runs(runs), np.random.default_rng(result.seed), COVERAGE_LEVELS
    )
    # How much the choice of window moves a straight line's doubling time.
    from forecast.analysis.growth import start_year_doubling

    starts, window_months = start_year_doubling(
        runs["t"].to_numpy(dtype=float), np.log10(runs["compute_flop"].to_numpy(dtype=float))
    )
    ds = ds.assign(
        window_doubling=(("window_start", "window_stat"), window_months),
        era_doubling_months=(("sample", "era"), trend.doubling_months()),
        breakpoint=(("sample", "break"), np.asarray(trend.breakpoints(), dtype=float)),
        band=(("band_quantile", "band_t"), band),
        coverage=("level", [cover[k] for k in COVERAGE_LEVELS]),
        prior_text=("prior", np.array([text for _, text in priors.describe()])),
    )
    ds = ds.assign_coords(
        window_start=starts,
        window_stat=["p10", "median", "p90"],
        band_quantile=list(BAND_QUANTILES),
        band_t=t_grid,
        level=list(COVERAGE_LEVELS),
        prior=np.array([name for name, _ in priors.describe()]),
    )
    ds.attrs.update(
        trend_model=str(trend.model),
        eras=int(trend.eras),
        jump=int(trend.jump),
        chosen_by_loo=int(trend.comparison is not None),
        moore_anchor_t=t_first,
        moore_anchor_log10=float(np.median(trend.mean(t_first)[:, 0])),
    )
    if trend.screening is not None:
        s = trend.screening
        ds.attrs.update(screening_chains=s.chains, screening_draws=s.draws, screening_tune=s.tune)
    if trend.comparison is not None:
        cmp = trend.comparison
        # Each candidate's own convergence (measured when it was fitted): a comparison is
        # only as good as its fits.
        checks = trend.candidate_diagnostics
        eras = [int(e) for e in cmp["eras"]]
        cols = {
            c: ("candidate", cmp[c].to_numpy(dtype=float))
            for c in ("elpd_loo", "se", "elpd_diff", "dse", "weight")
        }
        ds = ds.assign(
            cmp_eras=("candidate", eras),
            **{f"cmp_{c}": v for c, v in cols.items()},
            cmp_r_hat_max=("candidate", [checks[e].r_hat_max for e in eras]),
            cmp_divergences=("candidate", [checks[e].divergences for e in eras]),
        )
        ds = ds.assign_coords(candidate=np.array([str(n) for n in cmp.index]))
    return ds
