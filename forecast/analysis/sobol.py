"""Variance-based global sensitivity: first-order and total Sobol indices, by SALib.

Samples and estimators are SALib's (Herman and Usher 2017, "SALib: An open-source Python
library for sensitivity analysis", JOSS 2(9), 97): :func:`SALib.sample.sobol.sample`
(Saltelli's scheme on a scrambled Sobol' sequence, N (d + 2) model evaluations without
second-order terms) and :func:`SALib.analyze.sobol.analyze`, whose estimators are those
of Saltelli et al. (2010), "Variance based sensitivity analysis of model output. Design
and estimator for the total sensitivity index" (Computer Physics Communications 181,
259-270), Table 2: S1 by their eq. (b), ST by Jansen's eq. (f). Confidence intervals come
from SALib's bootstrap over the N rows: ``*_conf`` is the half-width of a normal 95%
interval, 1.96 times the bootstrap standard deviation, so the interval is
``S1 +/- S1_conf``.

SALib samples the unit cube; each column is mapped to its input by the input's
quantile function, so any distribution (scenario parameters, empirical posterior
quantiles) enters the same way. Every random number comes from the caller's seeded
generator: it gives the seeds of SALib's sampler (the scrambling) and of its bootstrap.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

from forecast.analysis.sensitivity import (
    Base,
    as_base,
    hit_target,
    hit_years,
    uncertain_inputs,
)
from forecast.project.scenario import ScenarioResult

#: Uniform samples are kept this far from 0 and 1 so that unbounded quantile functions
#: stay finite.
EPS = 1e-9


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Exact first-order and total indices of the Ishigami function.

    f = sin x1 + a sin^2 x2 + b x3^4 sin x1, each input uniform on [-pi, pi] (SALib's
    ``SALib.test_functions.Ishigami.evaluate``). For a = 7, b = 0.1 the literature gives
    S1 = 0.3139, 0.4424, 0 and ST = 0.5576, 0.4424, 0.2437 (Saltelli et al. 2008,
    "Global Sensitivity Analysis: The Primer").

    Returns
    -------
    dict
        ``{"x1"|"x2"|"x3": {"S1", "ST"}}``.
    """
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {
        "x1": {"S1": v1 / v, "ST": (v1 + v13) / v},
        "x2": {"S1": v2 / v, "ST": v2 / v},
        "x3": {"S1": 0.0, "ST": v13 / v},
    }


def _ppfs(
    bounds_or_dists: Mapping[str, Any] | Sequence[Any],
) -> tuple[list[str], list[Callable[[np.ndarray], np.ndarray]]]:
    """Names and quantile functions from bounds, distributions or quantile functions."""
    items = (
        list(bounds_or_dists.items())
        if isinstance(bounds_or_dists, Mapping)
        else [(f"x{i + 1}", v) for i, v in enumerate(bounds_or_dists)]
    )
    names, ppfs = [], []
    for name, spec in items:
        if hasattr(spec, "ppf"):
            ppfs.append(spec.ppf)
        elif callable(spec):
            ppfs.append(spec)
        else:
            lo, hi = (float(v) for v in spec)
            if not lo < hi:
                raise ValueError(f"{name}: bounds must satisfy low < high, got {spec!r}")
            ppfs.append(lambda u, lo=lo, hi=hi: lo + (hi - lo) * u)
        names.append(str(name))
    if not names:
        raise ValueError("sobol_indices needs at least one input")
    return names, ppfs


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    bounds_or_dists: Mapping[str, Any] | Sequence[Any],
    n: int,
    rng: np.random.Generator,
    n_boot: int = 200,
) -> dict[str, dict[str, float]]:
    """First-order and total Sobol indices with bootstrap 95% confidence intervals.

    Parameters
    ----------
    func : callable
        Vectorised model: an (M, d) array of input values -> (M,) outputs. It is called
        once, with M = n (d + 2).
    bounds_or_dists : mapping or sequence
        Per input (in column order): ``(low, high)`` for a uniform input, or an object
        with a ``ppf`` method (a scipy distribution, a scenario ``Param``), or a quantile
        function. A mapping's keys name the inputs; a sequence's are ``x1``, ``x2``, ...
    n : int
        Base sample size N; a power of two keeps the Sobol' sequence balanced (scipy
        warns otherwise).
    rng : numpy.random.Generator
        Source of every random number: the seeds of the sampler and of the bootstrap
        are drawn from it.
    n_boot : int
        Bootstrap resamples for the intervals.

    Returns
    -------
    dict
        ``{name: {"S1", "S1_conf", "ST", "ST_conf"}}``; ``*_conf`` is the half-width of
        the 95% interval. All NaN (with a warning) if the output does not vary.
    """
    names, ppfs = _ppfs(bounds_or_dists)
    d = len(names)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    # Two seeds from the caller's generator; SALib's bootstrap ignores a seed of 0 (it
    # then uses numpy's global state), so both are at least 1.
    sample_seed, boot_seed = (int(v) for v in rng.integers(1, 2**63 - 1, size=2))
    u = salib_sample.sample(problem, n, calc_second_order=False, seed=sample_seed)
    u = np.clip(u, EPS, 1 - EPS)
    x = np.column_stack([ppf(u[:, i]) for i, ppf in enumerate(ppfs)])
    y = np.asarray(func(x), dtype=float)
    if y.shape != (n * (d + 2),):
        raise ValueError(f"func must return shape ({n * (d + 2)},), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("func returned non-finite values; cap them before the decomposition")
    if np.ptp(y) == 0:
        # SALib would divide by a zero standard deviation; the indices are undefined.
        warnings.warn("the output does not vary: Sobol indices are undefined", stacklevel=2)
        nan = {"S1": math.nan, "S1_conf": math.nan, "ST": math.nan, "ST_conf": math.nan}
        return {name: dict(nan) for name in names}
    res = salib_analyze.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=n_boot,
        conf_level=0.95,
        seed=boot_seed,
    )
    return {
        name: {key: float(res[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        for i, name in enumerate(names)
    }


def scenario_sobol(
    result: ScenarioResult | Base,
    constraint: str | None = None,
    n: int = 2**11,
    seed: int | None = None,
    n_boot: int = 200,
    chunk: int = 20_000,
) -> dict[str, dict[str, float]]:
    """Sobol indices of a hit year over every uncertain input of a fitted scenario.

    The uncertain inputs are those of :func:`~forecast.analysis.sensitivity.uncertain_inputs`:
    the non-fixed scenario parameters (mapped from uniforms by their quantile functions)
    and the posterior quantities (trend doubling time and level, hardware doubling times
    and levels, mapped by the empirical quantiles of their draws). They are sampled
    independently, so posterior correlations between them are ignored.

    A hit year beyond the horizon (the engine reports ``inf``) is capped at
    ``horizon + 1`` for the variance decomposition: the indices then describe the
    variance of the capped hit year, in which "not by the horizon" counts as one year
    after it. With many draws beyond the horizon the indices say more about what decides
    *whether* a ceiling is reached by then than about when.

    Parameters
    ----------
    result : ScenarioResult or Base
    constraint : str, optional
        Constraint name; ``None`` for the first constraint to bind.
    n : int
        Base sample size (N (d + 2) engine evaluations, vectorised).
    seed : int, optional
        Default: the scenario's seed.
    n_boot : int
        Bootstrap resamples.
    chunk : int
        Rows per engine call (bounds memory for the grid solver).

    Returns
    -------
    dict
        ``{key path: {"S1", "S1_conf", "ST", "ST_conf"}}`` (``sensitivity.json``'s
        ``sobol`` block).
    """
    base = as_base(result)
    inputs = uncertain_inputs(base)
    if not inputs:
        return {}
    horizon = base.inputs.end  # hits run to the end of the horizon year; never is later
    keys = [u.key for u in inputs]

    def func(x: np.ndarray) -> np.ndarray:
        out = np.empty(x.shape[0])
        for start in range(0, x.shape[0], chunk):
            rows = x[start : start + chunk]
            inp = base.point_inputs({k: rows[:, i] for i, k in enumerate(keys)}, rows.shape[0])
            t = hit_target(inp, hit_years(inp), constraint)
            out[start : start + chunk] = np.where(np.isfinite(t), t, horizon + 1.0)
        return out

    rng = np.random.default_rng(base.scenario.seed if seed is None else seed)
    return sobol_indices(func, {u.key: u.ppf for u in inputs}, n, rng, n_boot=n_boot)
