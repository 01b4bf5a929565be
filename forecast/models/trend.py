"""The compute-trend models: log10 compute piecewise linear in time.

With K eras (``model = "eras"``):

mean(t) = a + b_1 (t - t_ref) + sum_k (b_{k+1} - b_k) h(t - tau_k) + sum_k j_k s(t - tau_k)

with h a smooth hinge and s a smooth step of width ``TRANSITION_WIDTH_YEARS``;
y_i ~ StudentT(nu, mean(t_i), sqrt(sigma^2 + m_i^2)), m_i the run's known measurement error.

With a drifting slope (``model = "drift"``, a local linear trend): the same mean with a
knot every year (no jumps), the slope of each year the slope of the year before plus
Normal(0, omega), omega fitted (:func:`build_drift_model`). The current slope is the last
year's, and its interval carries how much the slope has moved from year to year, not only
the standard error of one straight line; forward, the slope goes on drifting
(:func:`forward_drift_sd`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import gammaln

from forecast.data.units import doubling_months
from forecast.models import priors as P
from forecast.models.posterior import FlatDraws
from forecast.models.sampling import Diagnostics, SamplerSettings
from forecast.stats import central_interval, quantiles

if TYPE_CHECKING:
    import arviz as az
    import pymc as pm


@dataclass(frozen=True)
class TrendData:
    """What the trend model sees: decimal years, log10 FLOP, measurement sds."""

    t: np.ndarray
    y: np.ndarray
    meas_sd: np.ndarray
    names: tuple[str, ...] = ()

    @classmethod
    def from_runs(cls, runs: pd.DataFrame) -> TrendData:
        """From a runs table (``t``, ``log10_flop``, optional ``uncertainty``, ``name``)."""
        factor = runs["uncertainty"] if "uncertainty" in runs else np.full(len(runs), 2.0)
        return cls(
            t=runs["t"].to_numpy(dtype=float),
            y=runs["log10_flop"].to_numpy(dtype=float),
            meas_sd=P.measurement_sd(factor),
            names=tuple(runs["name"]) if "name" in runs else (),
        )

    def key(self) -> dict:
        """Content for cache keys."""
        return {
            "t": np.round(self.t, 6).tolist(),
            "y": np.round(self.y, 6).tolist(),
            "m": np.round(self.meas_sd, 6).tolist(),
        }


def _softplus_hinge(x, width, lib):
    # width * log(1 + exp(x / width)), written to stay finite for large |x|.
    z = x / width
    return width * (lib.maximum(z, 0) + lib.log1p(lib.exp(-abs(z))))


def _sigmoid(x, width, lib):
    return 1.0 / (1.0 + lib.exp(-x / width))


def trend_mean(t, level, slopes, breaks, jumps, t_ref, lib=np, eras: int | None = None):
    """Mean log10 compute of the piecewise-linear trend.

    Works on numpy arrays (``lib=np``; leading axes of the parameters broadcast over
    draws) and on pytensor tensors (``lib=pt``).

    Parameters
    ----------
    t : array
        Decimal years (last axis).
    level : array
        Mean at ``t_ref``, shape ``(...)``.
    slopes : array
        Era slopes in OOM/year, shape ``(..., K)``.
    breaks : array
        Breakpoints, shape ``(..., K-1)``.
    jumps : array or None
        Level jumps at the breakpoints, shape ``(..., K-1)``.
    t_ref : float
        Reference year of ``level``.
    lib : module
        ``numpy`` or ``pytensor.tensor``.
    eras : int, optional
        K; needed for symbolic slopes, read from ``slopes.shape`` for numpy arrays.
    """
    width = P.TRANSITION_WIDTH_YEARS
    if lib is np:
        # Draw axes lead, time is the last axis: parameters become (..., 1) columns.
        def col(x, i):
            return x[..., i : i + 1]

        level = level[..., None]
    else:
        # Symbolic: scalar parameters against a vector of times.
        def col(x, i):
            return x[i]

    k = eras if eras is not None else slopes.shape[-1]
    mean = level + col(slopes, 0) * (t - t_ref)
    for i in range(k - 1):
        tau = col(breaks, i)
        delta = col(slopes, i + 1) - col(slopes, i)
        # Subtract the hinge's value at t_ref so that `level` stays the mean at t_ref.
        mean = mean + delta * (
            _softplus_hinge(t - tau, width, lib) - _softplus_hinge(t_ref - tau, width, lib)
        )
        if jumps is not None:
            jump = col(jumps, i)
            mean = mean + jump * (_sigmoid(t - tau, width, lib) - _sigmoid(t_ref - tau, width, lib))
    return mean


def build_trend_model(data: TrendData, eras: int = 1, jump: bool = False) -> pm.Model:
    """Build the PyMC compute-trend model (no sampling).

    Parameters
    ----------
    data : TrendData
        The selected runs.
    eras : int
        Number of eras K (1 to 3).
    jump : bool
        Whether each breakpoint may carry a level jump.

    Returns
    -------
    pymc.Model
        With deterministic ``doubling_months`` and ``growth_per_year`` per era and
        ``breakpoints``.
    """
    if eras not in (1, 2, 3):
        raise ValueError(f"eras must be 1, 2 or 3, got {eras}")
    t_ref = float(np.median(data.t))
    lo, hi = float(data.t.min()), float(data.t.max())
    coords = {"era": [f"era {i + 1}" for i in range(eras)], "run": np.arange(len(data.t))}
    if eras > 1:
        coords["break"] = [f"break {i + 1}" for i in range(eras - 1)]
    import pymc as pm  # only to build a model: a cached fit never needs it
    import pytensor.tensor as pt

    with pm.Model(coords=coords) as model:
        model.t_ref = t_ref  # type: ignore[attr-defined]
        level = pm.Normal("level", mu=float(np.median(data.y)), sigma=P.TREND_LEVEL_SD)
        slopes = pm.LogNormal(
            "slope", mu=math.log(P.TREND_SLOPE_MEDIAN), sigma=P.TREND_SLOPE_SIGMA, dims="era"
        )
        if eras > 1:
            fractions = pm.Dirichlet("era_fraction", a=np.full(eras, P.ERA_CONCENTRATION))
            breaks = pm.Deterministic(
                "breakpoint", lo + (hi - lo) * pt.cumsum(fractions)[:-1], dims="break"
            )
            jumps = pm.Normal("jump", 0.0, P.TREND_JUMP_SD, dims="break") if jump else None
        else:
            breaks = pt.zeros((0,))
            jumps = None
        sigma = pm.HalfNormal("sigma", sigma=P.TREND_SCATTER_SD)
        nu = pm.Gamma("nu", alpha=P.NU_ALPHA, beta=P.NU_BETA)
        mean = trend_mean(
            pt.as_tensor(data.t), level, slopes, breaks, jumps, t_ref, lib=pt, eras=eras
        )
        scale = pt.sqrt(sigma**2 + pt.as_tensor(data.meas_sd) ** 2)
        pm.StudentT("y", nu=nu, mu=mean, sigma=scale, observed=data.y, dims="run")
        pm.Deterministic("doubling_months", doubling_months(slopes), dims="era")
        pm.Deterministic("growth_per_year", 10**slopes, dims="era")
    return model


#: The trend models: K eras with breakpoints, or one slope that drifts from year to year.
MODELS: tuple[str, ...] = ("eras", "drift")
#: The drift model's sampler needs smaller steps than the era models: its drift scale has
#: a funnel near zero (15 divergences in 4,000 draws at 0.9 on the baseline's runs, none at
#: 0.98), so it samples at no less than this target acceptance rate.
DRIFT_TARGET_ACCEPT = 0.98


def drift_knots(t: np.ndarray) -> np.ndarray:
    """Knots of the drifting slope: every ``TREND_DRIFT_KNOT_YEARS`` from the year of the
    first run to the end of the year of the last (at least one segment)."""
    step = P.TREND_DRIFT_KNOT_YEARS
    lo = math.floor(float(np.min(t)) / step) * step
    hi = max(math.ceil(float(np.max(t)) / step) * step, lo + step)
    return np.arange(lo, hi + step / 2, step)


def build_drift_model(data: TrendData) -> pm.Model:
    """Build the PyMC model of a trend whose slope drifts from year to year (no sampling).

    The slope of segment j (a year between two knots, :func:`drift_knots`) is
    ``b_r + omega * (C_j - C_r)``, C the cumulative sum of standard normal steps: a random
    walk of the slope with step ``omega``, written relative to the segment r that holds
    the reference year so that the level and that slope are nearly uncorrelated (the
    non-centred form NUTS samples well). The mean is :func:`trend_mean` with a breakpoint
    at every inner knot and no jumps; the likelihood is that of :func:`build_trend_model`.

    Parameters
    ----------
    data : TrendData
        The selected runs.

    Returns
    -------
    pymc.Model
        With ``slope`` per ``segment``, ``drift`` (omega), ``level``, ``sigma``, ``nu``
        and the deterministic ``doubling_months`` per segment.
    """
    knots = drift_knots(data.t)
    m = len(knots) - 1
    t_ref = float(np.median(data.t))
    r = int(np.clip(np.searchsorted(knots, t_ref, side="right") - 1, 0, m - 1))
    coords = {
        "segment": [f"{k:g}" for k in knots[:-1]],
        "step": np.arange(max(m - 1, 0)),
        "run": np.arange(len(data.t)),
    }
    import pymc as pm  # only to build a model: a cached fit never needs it
    import pytensor.tensor as pt

    with pm.Model(coords=coords) as model:
        model.t_ref = t_ref  # type: ignore[attr-defined]
        level = pm.Normal("level", mu=float(np.median(data.y)), sigma=P.TREND_LEVEL_SD)
        b_ref = pm.LogNormal(
            "slope_ref", mu=math.log(P.TREND_SLOPE_MEDIAN), sigma=P.TREND_SLOPE_SIGMA
        )
        omega = pm.HalfNormal("drift", sigma=P.TREND_DRIFT_SD)
        z = pm.Normal("z", 0.0, 1.0, dims="step")
        walk = pt.concatenate([pt.zeros(1), pt.cumsum(z)])
        slopes = pm.Deterministic("slope", b_ref + omega * (walk - walk[r]), dims="segment")
        sigma = pm.HalfNormal("sigma", sigma=P.TREND_SCATTER_SD)
        nu = pm.Gamma("nu", alpha=P.NU_ALPHA, beta=P.NU_BETA)
        mean = trend_mean(
            pt.as_tensor(data.t),
            level,
            slopes,
            pt.as_tensor(knots[1:-1]),
            None,
            t_ref,
            lib=pt,
            eras=m,
        )
        scale = pt.sqrt(sigma**2 + pt.as_tensor(data.meas_sd) ** 2)
        pm.StudentT("y", nu=nu, mu=mean, sigma=scale, observed=data.y, dims="run")
        pm.Deterministic("doubling_months", doubling_months(slopes), dims="segment")
    return model


def forward_drift_sd(years: float) -> float:
    """How far the mean slope over the next ``years`` strays from the current one, in
    units of the yearly drift omega: a random walk S_k = z_1 + ... + z_k of the slope,
    averaged over k = 1..n, has variance (n + 1)(2n + 1) / (6n)."""
    n = max(float(years), 1.0)
    return math.sqrt((n + 1) * (2 * n + 1) / (6 * n))


#: The quantities every trend fit reports (and checks for convergence).
def reported_vars(eras: int, jump: bool, model: str = "eras") -> list[str]:
    """Names of the reported quantities of a K-era model (or of the drift model)."""
    if model == "drift":
        return ["slope", "level", "sigma", "drift"]
    names = ["slope", "level", "sigma"]
    if eras > 1:
        names.append("breakpoint")
        if jump:
            names.append("jump")
    return names


@dataclass
class TrendFit(FlatDraws):
    """A fitted compute trend: the posterior and what is derived from it.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior (and log-likelihood) of the chosen model.
    eras : int
        K of the chosen model.
    t_ref : float
        Reference year of the ``level`` parameter.
    diagnostics : Diagnostics
        R-hat, ESS and divergences of the reported quantities.
    comparison : pandas.DataFrame or None
        The LOO comparison table when K was chosen automatically.
    cached : bool
        Whether the posterior came from the cache.
    candidates : dict of int to arviz.InferenceData
        The fits that were compared (by K), or just the chosen one; empty when the
        comparison itself came from the cache (the candidates are then not loaded).
    candidate_diagnostics : dict of int to Diagnostics
        The convergence of each compared fit, measured when it was fitted.
    screening : SamplerSettings or None
        The (lighter) settings the candidates were fitted with when K was chosen
        automatically; the chosen K is then fitted again with the full settings, and
        ``idata`` is that fit.
    """

    idata: az.InferenceData
    eras: int
    jump: bool
    t_ref: float
    diagnostics: Diagnostics
    comparison: pd.DataFrame | None = None
    cached: bool = False
    candidates: dict[int, az.InferenceData] = field(default_factory=dict, repr=False)
    candidate_diagnostics: dict[int, Diagnostics] = field(default_factory=dict, repr=False)
    screening: SamplerSettings | None = None
    #: "eras" or "drift" (:data:`MODELS`); a drift fit has one era whose slope drifts.
    model: str = "eras"

    _stacked: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def drifts(self) -> bool:
        """Whether the slope drifts from year to year (``model = "drift"``)."""
        return self.model == "drift"

    def knots(self) -> np.ndarray:
        """The drift model's knots (decimal years): the start of each segment of its
        posterior and the end of the last."""
        starts = np.array([float(x) for x in self.idata.posterior["segment"].to_numpy()])
        return np.append(starts, starts[-1] + P.TREND_DRIFT_KNOT_YEARS)

    @property
    def n_draws(self) -> int:
        """Number of posterior draws (chains x draws)."""
        post = self.idata.posterior
        return post.sizes["chain"] * post.sizes["draw"]

    def params(self) -> dict[str, np.ndarray]:
        """Flat posterior draws of the mean: level (S,), slopes (S, K), breaks (S, K-1),
        jumps or None (for the drift model, a slope per yearly segment and the inner knots
        as breaks)."""
        s = self.n_draws
        if self.drifts:
            inner = self.knots()[1:-1]
            return {
                "level": self._stack("level"),
                "slopes": self._stack("slope"),
                "breaks": np.broadcast_to(inner, (s, inner.size)),
                "jumps": None,
            }
        return {
            "level": self._stack("level"),
            "slopes": self._stack("slope"),
            "breaks": self._stack("breakpoint") if self.eras > 1 else np.zeros((s, 0)),
            "jumps": self._stack("jump") if (self.eras > 1 and self.jump) else None,
        }

    def mean(self, t: np.ndarray | float) -> np.ndarray:
        """Posterior draws of the trend's mean log10 FLOP at ``t``: shape (draws, len(t))."""
        p = self.params()
        return trend_mean(
            np.atleast_1d(np.asarray(t, dtype=float)),
            p["level"],
            p["slopes"],
            p["breaks"],
            p["jumps"],
            self.t_ref,
        )

    def era_slopes(self) -> np.ndarray:
        """Slope (OOM/yr) per draw and era: shape (draws, K). The drift model has one era,
        and its slope is the current one (the last year's)."""
        slopes = self._stack("slope")
        return slopes[:, -1:] if self.drifts else slopes

    def doubling_months(self) -> np.ndarray:
        """Doubling time (months) per draw and era: shape (draws, K)."""
        return doubling_months(self.era_slopes())

    def current_doubling_months(self) -> np.ndarray:
        """Doubling time (months) of the last era, per draw."""
        return self.doubling_months()[:, -1]

    def growth_per_year(self) -> np.ndarray:
        """Growth factor per year per draw and era: shape (draws, K)."""
        return 10 ** self.era_slopes()

    def breakpoints(self) -> np.ndarray:
        """Breakpoint dates (decimal years) of the eras per draw: shape (draws, K-1)."""
        if self.drifts:
            return np.zeros((self.n_draws, 0))
        return self.params()["breaks"]

    def drift(self) -> np.ndarray:
        """The slope's yearly drift omega (OOM/yr per year) per draw; zeros for eras."""
        return self._stack("drift") if self.drifts else np.zeros(self.n_draws)

    def noise(self) -> tuple[np.ndarray, np.ndarray]:
        """Scatter ``sigma`` and Student-t ``nu`` per draw (flattened as :meth:`params`)."""
        return self._stack("sigma"), self._stack("nu")

    def level_at(self, year: float) -> np.ndarray:
        """log10 FLOP of the trend at ``year``, per draw."""
        return self.mean(year)[:, 0]

    def summary(self) -> dict:
        """Medians and 90% intervals of the derived quantities (JSON-ready)."""

        def interval(x: np.ndarray) -> dict:
            q = quantiles(x, [0.05, 0.5, 0.95])
            return {"median": float(q[1]), "p5": float(q[0]), "p95": float(q[2])}

        d = self.doubling_months()
        out = {
            "eras": self.eras,
            "doubling_months": [interval(d[:, k]) for k in range(self.eras)],
            "breakpoints": [interval(self.breakpoints()[:, k]) for k in range(self.eras - 1)],
            "diagnostics": self.diagnostics.as_dict(),
        }
        return out


def pointwise_log_likelihood(
    idata: az.InferenceData, data: TrendData, jump: bool, t_ref: float, model: str = "eras"
) -> None:
    """Add the pointwise log-likelihood of the runs (group ``log_likelihood``, ``y``).

    The same Student-t density as the model's likelihood, evaluated in numpy on the
    posterior draws: PyMC's ``compute_log_likelihood`` would compile (in C) one more
    function per model, several seconds per candidate on a first run, for an
    elementwise formula that numpy evaluates in milliseconds.

    Parameters
    ----------
    idata : arviz.InferenceData
        A posterior of :func:`build_trend_model` on ``data``; modified in place.
    data : TrendData
        The runs it was fitted to.
    jump : bool
        Whether the model has level jumps.
    t_ref : float
        The model's reference year (``model.t_ref``).
    """
    post = idata.posterior
    eras = post.sizes.get("era", 1)
    level = post["level"].to_numpy()  # (chain, draw)
    slopes = post["slope"].to_numpy()  # (chain, draw, era)
    if model == "drift":
        inner = drift_knots(data.t)[1:-1]
        breaks, jumps = np.broadcast_to(inner, (*level.shape, inner.size)), None
    elif eras > 1:
        breaks = post["breakpoint"].to_numpy()
        jumps = post["jump"].to_numpy() if jump else None
    else:
        breaks, jumps = np.zeros((*level.shape, 0)), None
    mean = trend_mean(data.t, level, slopes, breaks, jumps, t_ref)  # (chain, draw, run)
    sigma = post["sigma"].to_numpy()[..., None]
    nu = post["nu"].to_numpy()[..., None]
    scale = np.sqrt(sigma**2 + data.meas_sd**2)
    z = (data.y - mean) / scale
    logp = (
        gammaln((nu + 1) / 2)
        - gammaln(nu / 2)
        - 0.5 * np.log(nu * np.pi)
        - np.log(scale)
        - (nu + 1) / 2 * np.log1p(z**2 / nu)
    )
    coords = {"chain": post["chain"], "draw": post["draw"], "run": np.arange(len(data.t))}
    loglik = xr.Dataset({"y": (("chain", "draw", "run"), logp)}, coords=coords)
    if "log_likelihood" in idata.groups():
        idata.log_likelihood["y"] = loglik["y"]
    else:
        idata.add_groups(log_likelihood=loglik)


def choose_eras(candidates: dict[int, az.InferenceData]) -> tuple[int, pd.DataFrame]:
    """Pick K by LOO: the simplest model within two standard errors of the best.

    A more complex model must earn its place: its expected log predictive density must
    beat every simpler one by more than twice the standard error of the difference.
    """
    import arviz as az

    from forecast.models.posterior import as_inference_data

    candidates = {k: as_inference_data(v) for k, v in candidates.items()}
    table = az.compare({f"{k} era" + ("s" if k > 1 else ""): v for k, v in candidates.items()})
    table["eras"] = [int(name.split()[0]) for name in table.index]
    within = table[table["elpd_diff"] <= 2 * table["dse"].fillna(0) + 1e-12]
    return int(within["eras"].min()), table


def student_t_noise(
    sigma: np.ndarray,
    nu: np.ndarray,
    rng: np.random.Generator,
    n: int | None = None,
    meas_sd: np.ndarray | None = None,
) -> np.ndarray:
    """The model's predictive noise around the trend: ``scale * T_nu``, one row per draw.

    scale = sqrt(sigma^2 + m^2) for runs with known measurement sds ``m`` (the
    likelihood of :func:`build_trend_model`), or sigma for a new run without
    measurement error.

    Parameters
    ----------
    sigma, nu : numpy.ndarray
        Posterior scatter and Student-t degrees of freedom, shape (S,).
    rng : numpy.random.Generator
    n : int, optional
        Number of columns when ``meas_sd`` is not given.
    meas_sd : numpy.ndarray, optional
        Measurement sds of the runs (one column each).

    Returns
    -------
    numpy.ndarray
        Shape (S, n) or (S, len(meas_sd)): add it to trend means of that shape.
    """
    sigma = np.asarray(sigma, dtype=float)[:, None]
    nu = np.asarray(nu, dtype=float)[:, None]
    if meas_sd is None:
        if n is None:
            raise ValueError("give n or meas_sd")
        return sigma * rng.standard_t(nu, size=(sigma.shape[0], n))
    meas = np.asarray(meas_sd, dtype=float).reshape(-1)
    scale = np.sqrt(sigma**2 + meas[None, :] ** 2)
    return scale * rng.standard_t(nu, size=(sigma.shape[0], meas.size))


def predictive_draws(
    fit: TrendFit, t: np.ndarray, meas_sd: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Posterior predictive draws of log10 FLOP of runs at ``t``: shape (draws, len(t)).

    The trend mean plus :func:`student_t_noise` with the fitted scatter and the runs'
    own measurement error, one draw per posterior draw.
    """
    sigma, nu = fit.noise()
    return fit.mean(t) + student_t_noise(sigma, nu, rng, meas_sd=meas_sd)


def predictive_coverage(
    fit: TrendFit, data: TrendData, rng: np.random.Generator, levels=(0.5, 0.8, 0.9)
) -> dict[float, float]:
    """Share of the fitted runs inside each central posterior predictive interval."""
    draws = predictive_draws(fit, data.t, data.meas_sd, rng)
    out = {}
    for level in levels:
        lo, hi = central_interval(draws, level, axis=0)
        out[level] = float(np.mean((data.y >= lo) & (data.y <= hi)))
    return out
