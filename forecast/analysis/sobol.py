"""Variance-based global sensitivity: first-order and total Sobol indices.

The estimators are those of Saltelli et al. (2010), "Variance based sensitivity
analysis of model output. Design and estimator for the total sensitivity index"
(Computer Physics Communications 181, 259-270), Table 2:

- first order (Saltelli 2010, eq. (b)): S1_i = mean(f(B) * (f(A_B^i) - f(A))) / V
- total (Jansen 1999, eq. (f)): ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)

where A and B are two independent N x d sample matrices, A_B^i is A with its i-th column
taken from B, and V the variance of f over A and B together. That costs N (d + 2) model
evaluations. The samples are a scrambled Sobol' sequence when N is a power of two (as in
the paper), plain Monte Carlo otherwise. Confidence intervals come from a bootstrap over
the N rows: ``*_conf`` is the half-width of a normal 95% interval, 1.96 times the
bootstrap standard deviation, so the interval is ``S1 +/- S1_conf``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from forecast.analysis.sensitivity import (
    Base,
    _target,
    base_from,
    hit_years,
    uncertain_inputs,
)
from forecast.pipeline import ScenarioResult

Z95 = 1.959963984540054
#: Uniform samples are kept this far from 0 and 1 so that unbounded quantile functions
#: stay finite.
EPS = 1e-9

#: Ishigami function's closed-form indices for a = 7, b = 0.1 (Saltelli et al. 2008).
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function, f = sin x1 + a sin^2 x2 + b x3^4 sin x1.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (M, 3), each input uniform on [-pi, pi].

    Returns
    -------
    numpy.ndarray
        Shape (M,).
    """
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Exact first-order and total indices of :func:`ishigami`."""
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


def _uniform(n: int, dim: int, rng: np.random.Generator, method: str) -> np.ndarray:
    """An (n, dim) sample on the unit cube: scrambled Sobol' for a power of two."""
    if method == "qmc" and n >= 2 and n & (n - 1) == 0:
        sampler = qmc.Sobol(d=dim, scramble=True, seed=rng)
        return sampler.random_base2(int(math.log2(n)))
    if method not in ("qmc", "mc"):
        raise ValueError(f"method must be 'qmc' or 'mc', got {method!r}")
    return rng.random((n, dim))


def _estimates(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST for every input; the sample axis is the last one.

    ``f_a``, ``f_b``: (..., N); ``f_ab``: (d, ..., N). Returns arrays of shape (d, ...).
    """
    v = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(f_b * (f_ab - f_a), axis=-1) / v
        st = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / v
    return s1, st


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    bounds_or_dists: Mapping[str, Any] | Sequence[Any],
    n: int,
    rng: np.random.Generator,
    n_boot: int = 200,
    method: str = "qmc",
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
        Base sample size N (a power of two uses a scrambled Sobol' sequence).
    rng : numpy.random.Generator
        Source of every random number (samples, scrambling and bootstrap).
    n_boot : int
        Bootstrap resamples for the intervals.
    method : {"qmc", "mc"}
        Quasi-random (for powers of two) or plain Monte Carlo samples.

    Returns
    -------
    dict
        ``{name: {"S1", "S1_conf", "ST", "ST_conf"}}``; ``*_conf`` is the half-width of
        the 95% interval. All NaN if the output does not vary.
    """
    names, ppfs = _ppfs(bounds_or_dists)
    d = len(names)
    u = np.clip(_uniform(n, 2 * d, rng, method), EPS, 1 - EPS)
    a = np.column_stack([ppf(u[:, i]) for i, ppf in enumerate(ppfs)])
    b = np.column_stack([ppf(u[:, d + i]) for i, ppf in enumerate(ppfs)])
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    y = np.asarray(func(np.vstack(blocks)), dtype=float)
    if y.shape != (n * (d + 2),):
        raise ValueError(f"func must return shape ({n * (d + 2)},), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("func returned non-finite values; cap them before the decomposition")
    # Centre the output: the first-order estimator multiplies f(B) by a difference, so an
    # offset (hit years are ~2030) would add a huge variance without changing its mean.
    y = y - y.mean()
    f_a, f_b, f_ab = y[:n], y[n : 2 * n], y[2 * n :].reshape(d, n)
    s1, st = _estimates(f_a, f_b, f_ab)

    # Bootstrap over rows: the same resampled rows for A, B and every A_B^i.
    idx = rng.integers(0, n, size=(n_boot, n))
    fa_b, fb_b = f_a[idx], f_b[idx]
    s1_conf, st_conf = np.empty(d), np.empty(d)
    for i in range(d):  # one input at a time keeps memory at n_boot x N
        s1_b, st_b = _estimates(fa_b, fb_b, f_ab[i][idx])
        s1_conf[i] = Z95 * np.std(s1_b, ddof=1)
        st_conf[i] = Z95 * np.std(st_b, ddof=1)
    if np.var(y) == 0:
        warnings.warn("the output does not vary: Sobol indices are undefined", stacklevel=2)
    return {
        name: {
            "S1": float(s1[i]),
            "S1_conf": float(s1_conf[i]),
            "ST": float(st[i]),
            "ST_conf": float(st_conf[i]),
        }
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
    base = result if isinstance(result, Base) else base_from(result)
    inputs = uncertain_inputs(base)
    if not inputs:
        return {}
    horizon = float(base.inputs.horizon)
    keys = [u.key for u in inputs]

    def func(x: np.ndarray) -> np.ndarray:
        out = np.empty(x.shape[0])
        for start in range(0, x.shape[0], chunk):
            rows = x[start : start + chunk]
            inp = base.make_inputs({k: rows[:, i] for i, k in enumerate(keys)}, rows.shape[0])
            t = _target(inp, hit_years(inp), constraint)
            out[start : start + chunk] = np.where(np.isfinite(t), t, horizon + 1.0)
        return out

    rng = np.random.default_rng(base.scenario.seed if seed is None else seed)
    return sobol_indices(func, {u.key: u.ppf for u in inputs}, n, rng, n_boot=n_boot)
