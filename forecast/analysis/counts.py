"""How many runs cross each threshold: the number of notable runs a year above 1e25-1e27 FLOP.

The rest of the tool follows the frontier (the fitted top-n trend, the record above it).
Rules that use a compute threshold care about every run above it, so this module models
the whole distribution of notable runs, in two parts:

- **How many runs a year.** The number of notable runs (every run the scenario's stages
  count, not only the frontier) published in a calendar year is Poisson with a rate
  log-linear in time, ``rate(y) = exp(a + b (y + 1/2 - start_year))``, fitted by maximum
  likelihood to the last :data:`RATE_YEARS` *complete* calendar years before the data's end
  (the year the data end in is left out: it is partial, and its latest months are the
  least complete, since compute estimates are published late). The uncertainty of
  ``(a, b)`` is the fit's normal approximation (the inverse Fisher information), widened
  by the Pearson dispersion when the counts scatter more than a Poisson would (quasi-
  Poisson; never narrowed), and drawn once per projection draw.
- **Where runs sit.** Each run of the last :data:`GAP_YEARS` years before the data's end
  has a gap below the fitted typical frontier run at its date, ``gap = trend(t) - log10
  C`` (per projection draw: ``typical.ln(t) / ln 10``), so the counts move with the
  trend's posterior. A run published in year y sits at ``trend(t) - gap`` with ``gap``
  drawn from those runs' gaps and ``t`` uniform over the twelve months of y (taken at
  mid-month). Each draw weighs the runs by a Bayesian bootstrap (flat Dirichlet weights):
  the share of runs above a high threshold rests on the few runs near the trend, and the
  weights carry that sampling uncertainty.

The count of runs at or above X in year y (at or above, as summary.json's ``thresholds``)
is then ``Binomial(N_y, p_y)`` with ``N_y ~ Poisson(rate(y))`` and ``p_y`` the weighted
share of gaps with ``trend(t) - gap >= X``, averaged over the months of y: every draw has
its own rate, trend and weights, so the interval carries all three uncertainties. The
thresholds are drawn nested (the runs above 1e26 are thinned from those above 1e25), so a
draw never counts more runs above a higher threshold.

Chosen by held-out skill. Fitted at every cutoff of the rolling backtest from 2016 to 2023
(the 1 January fits of :mod:`forecast.analysis.rolling`) and scored on the counts of the
complete years after it at thresholds 1e21 to 1e27 (about 280 threshold-years, leaving
out those where the forecast and the data are both zero), this model's 80% intervals held
90% of the time, missing low and high equally (5% each); 87% at 1e25 to 1e27, where every
miss was a forecast above the data for 2024 or 2025, the data's latest complete years.
What was tried and set aside:

- a rate window of 8 or 10 years (the rate grew faster in the early 2010s, so the line
  overshot: 72% and 56%) or 3 years (a slope so noisy that the intervals held 95% of
  the time with twice the ranked probability score); 4 to 6 years score alike (88-94%),
  5 is in the middle;
- a constant rate (no growth): the counts kept outgrowing it (47%, half the misses high);
- a gap distribution that drifts (runs falling further behind the frontier each year, by
  a least-squares slope of the gaps over the last 4 to 8 years): worse at the thresholds
  that matter (48-77% at 1e25 to 1e27), the drift being mostly noise;
- gap windows of 2 to 5 years: alike (90-92%); a negative-binomial count (the yearly
  counts scatter less than a Poisson, so it changed nothing); equal weights instead of
  the bootstrap: alike, slightly narrower.

A single cutoff's backtest (:func:`counts_backtest`, 2022-01-01 by default) is the one the
briefing reports. What the model leaves out: the counts are of the runs in this tool's
data (notable runs with a published compute estimate, from Epoch AI's database), which
understates all runs, and more so lately (several frontier runs of 2025-26 have no
estimate yet; against Epoch AI's published count above 1e25, about half of it:
:mod:`forecast.analysis.published_counts`); the rate of notable runs is extrapolated as
it grew, with no boom or saturation; the spread of runs below the frontier is held as it
was over the last :data:`GAP_YEARS` years; the ceilings (money, power) do not cap the runs
counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from forecast.data.selection import select
from forecast.data.units import LN10, decimal_year
from forecast.progress import Log, quiet
from forecast.project.trajectory import LogLinear
from forecast.scenario import Scenario
from forecast.scenario.schema import DataSpec

#: The thresholds whose crossings are counted (log10 FLOP).
THRESHOLDS_LOG10: tuple[int, ...] = (25, 26, 27)
#: Complete calendar years of data the rate of notable runs is fitted to.
RATE_YEARS = 5
#: Years of data (before the data's end) whose runs give the spread below the trend.
GAP_YEARS = 4.0
#: Months of a year at which a run's position is evaluated (mid-month).
MONTHS = 12
#: Prior standard deviation of the rate's log-linear slope (e-folds a year): keeps the fit
#: finite when the counts sit all in the last year (then the likelihood alone has no
#: maximum); with real data (about 0.08 standard error) it moves the slope by under 1%.
SLOPE_PRIOR_SD = 1.0
#: The backtest's default cutoff, draws and interval level.
BACKTEST_CUTOFF = dt.date(2022, 1, 1)
DRAWS = 2000
LEVEL = 0.8


# --------------------------------------------------------------------------- pieces


def threshold_key(log10_flop: float) -> str:
    """The JSON key of a threshold: 25 -> ``"1e25"``."""
    return f"1e{int(log10_flop)}"


def count_interval(values: np.ndarray) -> dict[str, int]:
    """The ``{"median", "p10", "p90"}`` interval of a count, in whole runs.

    The keys of every interval in summary.json (:mod:`forecast.stats`); the quantiles of a
    count are counts: the smallest count whose share of draws at or below it reaches the
    probability (numpy's ``inverted_cdf``), so "p10 = 3" never reads "3.9 runs". Then the
    chance of a count below p10 is under 10% and above p90 at most 10%: an interval of
    integers holds at least 80% of the draws.
    """
    x = np.asarray(values, dtype=float).ravel()
    q = np.quantile(x, [0.5, 0.1, 0.9], method="inverted_cdf")
    return {k: int(v) for k, v in zip(("median", "p10", "p90"), q, strict=True)}


def complete_years(data_end: float, n: int = RATE_YEARS) -> np.ndarray:
    """The last ``n`` calendar years that end on or before ``data_end`` (decimal year).

    A year ends at the next 1 January: data ending on 2022-01-01 (2022.0) complete 2021;
    data ending in July 2026 complete 2025, not 2026.
    """
    # A date is a decimal year computed from days: 2022.0 is exact, so only rounding
    # noise of a value computed elsewhere needs the small tolerance.
    last = math.floor(data_end + 1e-9)
    return np.arange(last - n, last, dtype=int)


def yearly_counts(t: np.ndarray, years: np.ndarray) -> np.ndarray:
    """How many of the decimal years ``t`` fall in each calendar year of ``years``."""
    cal = np.floor(np.asarray(t, dtype=float))
    return np.array([int(np.sum(cal == y)) for y in np.asarray(years)], dtype=np.int64)


@dataclasses.dataclass(frozen=True)
class RateFit:
    """The log-linear Poisson rate of notable runs: ``log rate(y) = a + b (y + 1/2 - ref)``.

    Attributes
    ----------
    years, counts : numpy.ndarray
        The complete calendar years fitted and their counts of runs.
    ref : float
        The reference year of ``a``.
    coef : numpy.ndarray
        ``(a, b)`` at the maximum of the (slightly penalised) likelihood.
    cov : numpy.ndarray
        Their 2 x 2 covariance, widened by ``dispersion`` when it exceeds 1.
    dispersion : float
        Pearson chi-squared over its degrees of freedom (NaN with fewer than 3 years).
    """

    years: np.ndarray
    counts: np.ndarray
    ref: float
    coef: np.ndarray
    cov: np.ndarray
    dispersion: float

    @property
    def growth_per_year(self) -> float:
        """The fitted yearly growth factor of the number of runs, ``exp(b)``."""
        return float(np.exp(self.coef[1]))

    def mean(self, year: float) -> float:
        """The fitted expected count in calendar year ``year``."""
        return float(np.exp(self.coef[0] + self.coef[1] * (year + 0.5 - self.ref)))


def fit_rate(years: np.ndarray, counts: np.ndarray, ref: float) -> RateFit:
    """Fit the log-linear Poisson rate to yearly ``counts`` by Newton's method (IRLS).

    Parameters
    ----------
    years : numpy.ndarray
        Calendar years (each a complete year of data).
    counts : numpy.ndarray
        Runs published in each.
    ref : float
        Reference year of the intercept (the projection's start: ``a`` is then the log
        rate there, nearly uncorrelated with the slope when ``ref`` is near the years).

    Returns
    -------
    RateFit
        With no runs at all the rate is zero (``a = -inf``, zero covariance): nothing to
        project from.
    """
    years = np.asarray(years, dtype=float)
    n = np.asarray(counts, dtype=float)
    x = years + 0.5 - ref
    if n.sum() <= 0:
        return RateFit(
            years.astype(int),
            n.astype(np.int64),
            ref,
            np.array([-np.inf, 0.0]),
            np.zeros((2, 2)),
            math.nan,
        )
    design = np.column_stack([np.ones_like(x), x])
    penalty = np.diag([0.0, 1.0 / SLOPE_PRIOR_SD**2])
    coef = np.array([np.log(n.mean()), 0.0])
    for _ in range(100):
        mu = np.exp(design @ coef)
        grad = design.T @ (n - mu) - penalty @ coef
        info = design.T @ (design * mu[:, None]) + penalty
        step = np.linalg.solve(info, grad)
        coef = coef + step
        if np.max(np.abs(step)) < 1e-12:
            break
    mu = np.exp(design @ coef)
    info = design.T @ (design * mu[:, None]) + penalty
    cov = np.linalg.inv(info)
    dof = n.size - 2
    dispersion = float(np.sum((n - mu) ** 2 / mu) / dof) if dof > 0 else math.nan
    # Quasi-Poisson: counts that scatter more than a Poisson widen the interval of the
    # rate; counts that scatter less (the usual case here) do not narrow it.
    if np.isfinite(dispersion) and dispersion > 1.0:
        cov = cov * dispersion
    return RateFit(years.astype(int), n.astype(np.int64), ref, coef, cov, dispersion)


def draw_rate_coefficients(fit: RateFit, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``(a, b)`` from the fit's normal approximation, shape (n, 2)."""
    z = rng.standard_normal((n, 2))
    if not np.all(np.isfinite(fit.coef)):
        return np.broadcast_to(fit.coef, (n, 2)).copy()
    # Cholesky of a 2 x 2 covariance (jitter-free: it is positive definite by the penalty).
    chol = np.linalg.cholesky(fit.cov)
    return fit.coef[None, :] + z @ chol.T


def share_above(
    typical: LogLinear,
    offsets: np.ndarray,
    weights: np.ndarray,
    year: int,
    log10_flop: Sequence[float],
) -> np.ndarray:
    """Per draw, the share of a year's runs at or above each threshold.

    Parameters
    ----------
    typical : LogLinear
        The typical frontier run (per-draw arrays of length S).
    offsets : numpy.ndarray
        Shape (S, n): each reference run's log10 compute minus the trend at its date (the
        negative of its gap), per draw.
    weights : numpy.ndarray
        Shape (S, n): each draw's weights of the runs (rows sum to 1).
    year : int
        The calendar year.
    log10_flop : sequence of float
        Thresholds.

    Returns
    -------
    numpy.ndarray
        Shape (len(log10_flop), S): the weighted share of runs with ``trend(t) + offset >=
        X``, averaged over the mid-month dates ``t`` of ``year``.
    """
    s = offsets.shape[0]
    months = year + (np.arange(MONTHS) + 0.5) / MONTHS
    level = typical.ln(np.broadcast_to(months, (s, MONTHS))) / LN10  # (S, MONTHS)
    out = np.zeros((len(log10_flop), s))
    # A loop over the months (and thresholds), each vectorised over draws and runs: the
    # (S, n) arrays stay small at any number of draws.
    for m in range(MONTHS):
        value = level[:, m : m + 1] + offsets  # (S, n): each run's log10 compute at t
        for k, x in enumerate(log10_flop):
            out[k] += np.sum(weights * (value >= x), axis=1)
    return out / MONTHS


# --------------------------------------------------------------------------- projection


def project_counts(
    runs: pd.DataFrame,
    typical: LogLinear,
    start_year: float,
    years: np.ndarray,
    rng: np.random.Generator,
    *,
    data_end: float | None = None,
    thresholds: Sequence[float] = THRESHOLDS_LOG10,
) -> xr.Dataset:
    """Project the number of runs a year at or above each threshold (module docstring).

    Parameters
    ----------
    runs : pandas.DataFrame
        Every counted notable run known (``name``, ``t`` decimal year, ``compute_flop``):
        the selection with ``rule = "all"``, as :func:`forecast.analysis.rolling.rolling`
        builds ``counted``. Runs after ``data_end`` are ignored.
    typical : LogLinear
        The fitted typical frontier run per draw (``ProjectionInputs.typical``); its
        number of draws S is the output's.
    start_year : float
        Where the projection starts (``ProjectionInputs.start_year``): the reference
        year of the rate's intercept.
    years : numpy.ndarray
        Calendar years to project (integers): runs published from 1 January of y to
        the next.
    rng : numpy.random.Generator
        All randomness: the rate's coefficients, the bootstrap weights, then per year
        (in order from the earliest) the number of runs and the counts above each
        threshold.
    data_end : float, optional
        The decimal year up to which ``runs`` is complete: a backtest's cutoff (pass it:
        the latest run falls a little before it). Default: the latest run.
    thresholds : sequence of float
        log10 FLOP (default :data:`THRESHOLDS_LOG10`).

    Returns
    -------
    xarray.Dataset
        ``count`` (threshold, year, draw; int64): runs published in year y at or above
        10**threshold FLOP; ``cumulative`` (threshold, year, draw; int64): runs at or
        above it published by the end of year y, those in the data's complete years
        plus those projected from the first incomplete year on (before that year, the
        data's own count); ``runs`` (year, draw; int64): the number of notable runs
        published in year y, and ``runs_per_year`` its Poisson mean; ``share_above``
        (threshold, year, draw): the share of a year's runs at or above the threshold.
        Attributes: the rate fit (``rate_years``, ``rate_counts``,
        ``rate_growth_per_year``, ``rate_dispersion``), the gap window (``gap_from``,
        ``gap_runs``, ``gap_median``), ``data_end``, ``start_year``, ``first_projected_year``.
    """
    t_all = runs["t"].to_numpy(dtype=float)
    flop_all = runs["compute_flop"].to_numpy(dtype=float)
    end = float(t_all.max()) if data_end is None else float(data_end)
    known = t_all <= end
    t, log_c = t_all[known], np.log10(flop_all[known])
    s = int(np.asarray(typical.slope).shape[0])
    thresholds = [float(x) for x in thresholds]
    years = np.asarray(years, dtype=int)

    rate_years = complete_years(end, RATE_YEARS)
    rate = fit_rate(rate_years, yearly_counts(t, rate_years), start_year)
    coef = draw_rate_coefficients(rate, s, rng)

    # The runs of the last GAP_YEARS years, each as its offset from the trend per draw.
    recent = t > end - GAP_YEARS
    t_gap, c_gap = t[recent], log_c[recent]
    n_gap = t_gap.size
    if n_gap:
        trend_at = typical.ln(np.broadcast_to(t_gap, (s, n_gap))) / LN10
        offsets = c_gap[None, :] - trend_at
        weights = rng.dirichlet(np.ones(n_gap), size=s)
    else:
        offsets = weights = np.zeros((s, 0))

    # Every year from the first incomplete one to the last asked is simulated, so that
    # the cumulative counts add up; years asked before it are simulated too.
    first = int(rate_years[-1]) + 1
    sim = np.arange(min(int(years.min()), first), max(int(years.max()), first - 1) + 1)
    n_thr, n_sim = len(thresholds), sim.size
    count = np.zeros((n_thr, n_sim, s), dtype=np.int64)
    share = np.zeros((n_thr, n_sim, s))
    mean = np.zeros((n_sim, s))
    n_runs = np.zeros((n_sim, s), dtype=np.int64)
    order = np.argsort(thresholds, kind="stable")
    for j, y in enumerate(sim):
        with np.errstate(over="ignore"):
            mean[j] = np.exp(coef[:, 0] + coef[:, 1] * (y + 0.5 - start_year))
        n_runs[j] = rng.poisson(mean[j])
        share[:, j] = share_above(typical, offsets, weights, int(y), thresholds)
        # Thinned in turn from the lowest threshold up: the runs above a threshold are
        # drawn from those above the one below it (a share p_k of all is p_k / p_{k-1}
        # of those), so that in every draw a higher threshold never counts more runs.
        # Each count is still Binomial(N, p_k).
        pool, p_pool = n_runs[j], np.ones(s)
        for k in order:
            p_k = np.clip(share[k, j], 0.0, 1.0)  # rounding can leave a hair above 1
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(p_pool > 0, np.minimum(p_k / p_pool, 1.0), 0.0)
            count[k, j] = rng.binomial(pool, ratio)
            pool, p_pool = count[k, j], p_k

    # The data's count up to each year, and the projection added from the first
    # incomplete year on.
    cal = np.floor(t)
    cumulative = np.zeros_like(count)
    for k, x in enumerate(thresholds):
        above = log_c >= x
        before = int(np.sum(above & (cal < first)))
        for j, y in enumerate(sim):
            if y < first:
                cumulative[k, j] = int(np.sum(above & (cal <= y)))
        later = sim >= first
        cumulative[k, later] = before + np.cumsum(count[k, later], axis=0)

    pick = np.searchsorted(sim, years)
    # Whole thresholds as integers, as the projection's own ``threshold`` coordinate.
    thr = np.array(thresholds)
    if np.all(thr == np.round(thr)):
        thr = thr.astype(np.int64)
    coords = {"threshold": thr, "year": years, "draw": np.arange(s)}
    return xr.Dataset(
        {
            "count": (("threshold", "year", "draw"), count[:, pick]),
            "cumulative": (("threshold", "year", "draw"), cumulative[:, pick]),
            "runs": (("year", "draw"), n_runs[pick]),
            "runs_per_year": (("year", "draw"), mean[pick]),
            "share_above": (("threshold", "year", "draw"), share[:, pick]),
        },
        coords=coords,
        attrs={
            "rate_years": rate.years.astype(np.int64),
            "rate_counts": rate.counts.astype(np.int64),
            "rate_growth_per_year": rate.growth_per_year,
            "rate_dispersion": rate.dispersion,
            "gap_from": end - GAP_YEARS,
            "gap_runs": int(n_gap),
            # The median gap below the trend, at the posterior-median trend (for the text).
            "gap_median": float(np.median(-np.median(offsets, axis=0))) if n_gap else math.nan,
            "data_end": end,
            "start_year": float(start_year),
            "first_projected_year": first,
        },
    )


def counts_json(ds: xr.Dataset, variable: str = "count") -> dict[str, dict[str, dict]]:
    """summary.json's ``threshold_counts``: ``{"1e25": {"2027": interval, ...}, ...}``.

    Parameters
    ----------
    ds : xarray.Dataset
        :func:`project_counts`.
    variable : str
        ``"count"`` (runs published in the year) or ``"cumulative"`` (by the end of it).

    Returns
    -------
    dict
        Per threshold and year, :func:`count_interval` (``median``, ``p10``, ``p90``, in
        whole runs).
    """
    out: dict[str, dict[str, dict]] = {}
    for x in ds["threshold"].to_numpy():
        per_year = {}
        for y in ds["year"].to_numpy():
            draws = ds[variable].sel(threshold=x, year=y).to_numpy()
            per_year[str(int(y))] = count_interval(draws)
        out[threshold_key(x)] = per_year
    return out


def observed_counts(
    runs: pd.DataFrame,
    years: Sequence[int] | np.ndarray,
    thresholds: Sequence[float] = THRESHOLDS_LOG10,
) -> dict[str, dict[str, int]]:
    """The data's runs at or above each threshold per calendar year.

    Parameters
    ----------
    runs : pandas.DataFrame
        ``t`` (decimal year) and ``compute_flop``.
    years : sequence of int
        Calendar years.
    thresholds : sequence of float
        log10 FLOP.

    Returns
    -------
    dict
        ``{"1e25": {"2024": 11, ...}, ...}``.
    """
    t = runs["t"].to_numpy(dtype=float)
    log_c = np.log10(runs["compute_flop"].to_numpy(dtype=float))
    return {
        threshold_key(x): {
            str(int(y)): int(c)
            for y, c in zip(years, yearly_counts(t[log_c >= x], np.asarray(years)), strict=True)
        }
        for x in thresholds
    }


# --------------------------------------------------------------------------- backtest


def check_counts(scenario: Scenario) -> list[str]:
    """Problems with a counts backtest of ``scenario``, found before any fitting."""
    from forecast.analysis.rolling import check_rolling

    return check_rolling(scenario, "counts backtest", "the counts are")


def counted_runs(data: DataSpec) -> pd.DataFrame:
    """Every run the data's stages count (``rule = "all"``) within its window and ``until``.

    The runs :func:`project_counts` takes, as :func:`forecast.analysis.rolling.rolling`
    builds its ``counted`` (there with ``until = None``: all the data).

    Parameters
    ----------
    data : DataSpec
        A scenario's ``data`` table.
    """
    return select(data.load_points(), dataclasses.replace(data.selection(), rule="all"))


def _scored(draws: np.ndarray, observed: int) -> dict:
    """The observed count next to the forecast's median and 80% interval."""
    iv = count_interval(draws)
    return {
        "observed": int(observed),
        **iv,
        "inside80": bool(iv["p10"] <= observed <= iv["p90"]),
    }


def counts_backtest(
    scenario: Scenario,
    cutoff: dt.date = BACKTEST_CUTOFF,
    seed: int | None = None,
    use_cache: bool = True,
    log: Log = quiet,
    n_draws: int = DRAWS,
) -> dict:
    """Fit at ``cutoff``, project the counts of the complete years after it, compare.

    The fit is the rolling backtest's (:func:`forecast.analysis.rolling.rolling`): the
    trend fitted on the runs published by the cutoff (datasheet conversion: only compute
    matters), the generator ``default_rng([seed, j])`` with ``j`` the cutoff's position
    among :data:`~forecast.analysis.rolling.ROLLING_CUTOFFS` (so a cutoff the rolling
    backtest fits is loaded from the cache; another cutoff takes the next index). The
    counts are projected from the runs known at the cutoff for every calendar year from
    the first one after it to the last complete year of the data (the data's last,
    partial year is not scored).

    Parameters
    ----------
    scenario : Scenario
        Its points must be the runs file and its trend fitted (:func:`check_counts`).
    cutoff : datetime.date
        Only runs published on or before it are used.
    seed : int, optional
        Default: the scenario's.
    use_cache : bool
    log : Log
    n_draws : int
        Projection draws.

    Returns
    -------
    dict
        ``cutoff``, ``data_end`` (dates), ``years``, ``draws``, ``seed``;
        ``counts[threshold][year]`` = ``{"observed", "median", "p10", "p90",
        "inside80"}``; ``coverage80`` (the share of those intervals that held, pooled)
        and ``n``; ``coverage80_nonzero`` and ``n_nonzero`` (leaving out threshold-years
        where both the interval and the data are zero, which hold trivially);
        ``above_p90`` and ``below_p10`` (how many missed, which way); ``runs_per_year``
        [year] (the number of all notable runs, the rate model's own check, same keys);
        ``rate`` (the fitted rate at the cutoff: ``years``, ``counts``,
        ``growth_per_year``).

    Raises
    ------
    ValueError
        If the scenario cannot be backtested or no complete year follows the cutoff.
    """
    from forecast.analysis.rolling import ROLLING_CUTOFFS, fit_at_cutoff
    from forecast.data.units import from_decimal_year

    problems = check_counts(scenario)
    if problems:
        raise ValueError("; ".join(problems))
    seed = scenario.seed if seed is None else seed
    every = dataclasses.replace(scenario.data, until=None)
    counted = counted_runs(every)
    data_end = float(counted["t"].max())
    t0 = decimal_year(cutoff)
    years = np.arange(math.ceil(t0 - 1e-9), math.floor(data_end + 1e-9), dtype=int)
    if years.size == 0:
        raise ValueError(
            f"counts backtest: no complete calendar year of data after {cutoff.isoformat()}"
        )
    j = ROLLING_CUTOFFS.index(cutoff) if cutoff in ROLLING_CUTOFFS else len(ROLLING_CUTOFFS)
    log(f"counts backtest: fitting the data published up to {cutoff.isoformat()}")
    _, _, inputs, _, rng = fit_at_cutoff(scenario, cutoff, j, seed, use_cache, log, n_draws)
    typical = inputs.typical if inputs.typical is not None else inputs.compute
    data = dataclasses.replace(scenario.data, until=cutoff)
    ds = project_counts(counted_runs(data), typical, t0, years, rng, data_end=t0)

    observed = observed_counts(counted, years, ds["threshold"].to_numpy())
    out_counts: dict[str, dict[str, dict]] = {}
    cells = []
    for x in ds["threshold"].to_numpy():
        key = threshold_key(x)
        out_counts[key] = {}
        for y in years:
            cell = _scored(ds["count"].sel(threshold=x, year=y).to_numpy(), observed[key][str(y)])
            out_counts[key][str(y)] = cell
            cells.append(cell)
    nonzero = [c for c in cells if not (c["p90"] == 0 and c["observed"] == 0)]
    all_runs = yearly_counts(counted["t"].to_numpy(dtype=float), years)
    runs_per_year = {
        str(y): _scored(ds["runs"].sel(year=y).to_numpy(), int(all_runs[i]))
        for i, y in enumerate(years)
    }

    def share(c: list[dict]) -> float | None:
        return float(np.mean([x["inside80"] for x in c])) if c else None

    return {
        "cutoff": cutoff.isoformat(),
        "data_end": from_decimal_year(data_end).isoformat(),
        "years": [int(y) for y in years],
        "draws": int(typical.slope.shape[0]),
        "seed": int(seed),
        "counts": out_counts,
        "coverage80": share(cells),
        "n": len(cells),
        "coverage80_nonzero": share(nonzero),
        "n_nonzero": len(nonzero),
        "above_p90": sum(c["observed"] > c["p90"] for c in cells),
        "below_p10": sum(c["observed"] < c["p10"] for c in cells),
        "runs_per_year": runs_per_year,
        "rate": {
            "years": [int(y) for y in ds.attrs["rate_years"]],
            "counts": [int(c) for c in ds.attrs["rate_counts"]],
            "growth_per_year": float(ds.attrs["rate_growth_per_year"]),
        },
    }


#: Calendar years the counts of runs above each threshold are projected for, and the
#: complete years of data before them that the figure shows.
COUNT_YEARS = 10
PAST_YEARS = 8


def threshold_counts(result) -> xr.Dataset:
    """Notable runs a year at or above 1e25-1e27 FLOP, for the first :data:`COUNT_YEARS`
    calendar years from the start (:func:`forecast.analysis.counts.project_counts`).

    Its own generator from the run's seed (stream 2), so the other draws do not move.
    """
    import math

    from forecast.analysis.counts import (
        counted_runs,
        observed_counts,
        project_counts,
        threshold_key,
    )

    inputs = result.inputs
    typical = inputs.typical if inputs.typical is not None else inputs.compute
    counted = counted_runs(result.scenario.data)
    first = math.floor(result.start_year)
    last = min(first + COUNT_YEARS - 1, int(result.scenario.horizon))
    data_end = min(float(counted["t"].max()), result.start_year)
    ds = project_counts(
        counted,
        typical,
        result.start_year,
        np.arange(first, last + 1),
        np.random.default_rng([result.seed, 2]),
        data_end=data_end,
    )
    # The counts in the data's complete years before the projection, for the figure.
    start = int(ds.attrs["first_projected_year"])
    past = np.arange(start - PAST_YEARS, start)
    observed = observed_counts(counted, past)
    ds["observed"] = (
        ("threshold", "past_year"),
        [[observed[threshold_key(k)][str(y)] for y in past] for k in ds["threshold"].to_numpy()],
    )
    return ds.assign_coords(past_year=past)
