"""Scalar scenario parameters: a fixed number or a distribution, one small typed object each.

Any scalar in a scenario may be written as a number (``utilization = 0.35``) or as a
distribution table (``utilization = { dist = "beta", mean = 0.35, sd = 0.08 }``).
:func:`parse_param` turns either into a :class:`Param`, which knows how to draw
(vectorised, from the caller's seeded generator), give quantiles, describe itself
and become a PyMC prior.

Distribution tables
-------------------
========== ==========================================================================
dist       fields
========== ==========================================================================
fixed      ``value``
normal     ``mean`` and ``sd``, or ``median`` and ``p90``; optional ``low``/``high``
           truncation bounds
lognormal  ``median`` and ``p90``, or ``mu`` and ``sigma`` (of the natural log)
uniform    ``low`` and ``high``
triangular ``low``, ``mode`` and ``high``
beta       ``mean`` and ``sd``, or ``alpha`` and ``beta``; always on (0, 1)
========== ==========================================================================
"""

from __future__ import annotations

import difflib
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np


#: The standard normal 90th percentile: a p90 sits this many sd above the median.
def _stats():
    """:mod:`scipy.stats`, imported when a distribution is first drawn from: it takes a
    third of a second, and reading or describing a scenario (a report re-rendered from
    its files) never needs it."""
    from scipy import stats

    return stats


Z90 = 1.2815515655446004  # scipy.stats.norm.ppf(0.9), written out: see _stats()


def _norm_cdf(x: np.ndarray | float) -> np.ndarray:
    """The standard normal CDF (the standard library's, not scipy's: checking a scenario's
    ranges or drawing a normal must not pay for importing :mod:`scipy.stats`)."""
    from statistics import NormalDist

    return np.vectorize(NormalDist().cdf, otypes=[float])(np.asarray(x, dtype=float))


def _norm_ppf(q: np.ndarray | float) -> np.ndarray:
    """The standard normal quantile function (Wichura's AS241, as scipy's ``ndtri``), with
    -inf and inf at 0 and 1."""
    from statistics import NormalDist

    inv = NormalDist().inv_cdf

    def one(p: float) -> float:
        if p <= 0.0:
            return -math.inf
        if p >= 1.0:
            return math.inf
        return inv(p)

    return np.vectorize(one, otypes=[float])(np.asarray(q, dtype=float))


def _fmt(x: float) -> str:
    """Numbers in descriptions: short, and exact for the round values people type."""
    return f"{x:.4g}"


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")


class Param(ABC):
    """A scalar scenario parameter: a fixed value or a probability distribution.

    Every kind offers the same interface, so code downstream never asks which
    kind it holds: draw ``n`` values paired with ``n`` posterior draws, take
    quantiles for a tornado plot, or describe the assumption in a report.
    """

    #: The ``dist`` name in a scenario file.
    dist: ClassVar[str]

    @abstractmethod
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws, using only ``rng`` (so a seed fixes them).

        Parameters
        ----------
        rng : numpy.random.Generator
            The scenario's seeded generator.
        n : int
            Number of draws.

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``, float.
        """

    @abstractmethod
    def frozen(self) -> Any:
        """The equivalent frozen :mod:`scipy.stats` distribution."""

    @abstractmethod
    def describe(self) -> str:
        """A short text for reports, e.g. ``"lognormal (median 0.35, p90 0.5)"`` or ``"0.35"``."""

    @abstractmethod
    def as_dict(self) -> float | dict[str, Any]:
        """The parameter as it would be written in a scenario file (number or table)."""

    @property
    def is_fixed(self) -> bool:
        """True for a fixed value (no uncertainty)."""
        return False

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """Quantiles (the inverse of the CDF) at probabilities ``q``.

        Parameters
        ----------
        q : float or array_like
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``.
        """
        return np.asarray(self.frozen().ppf(q), dtype=float)

    def median(self) -> float:
        """The median."""
        return float(self.ppf(0.5))

    def expectation(self) -> float:
        """The mean (named so that ``Normal.mean`` and ``Beta.mean`` can be fields)."""
        return float(self.frozen().mean())

    def support(self) -> tuple[float, float]:
        """The smallest and largest values a draw can take (may be infinite)."""
        lo, hi = self.frozen().support()
        return float(lo), float(hi)

    def to_pymc(self, name: str) -> Any:
        """The parameter as a PyMC random variable (call inside a ``pm.Model`` context).

        A fixed value becomes a ``pm.Deterministic`` constant so it still appears,
        named, in the trace.
        """
        import pymc as pm  # imported here: loading a scenario must not pay for PyMC

        return self._to_pymc(pm, name)

    @abstractmethod
    def _to_pymc(self, pm: Any, name: str) -> Any: ...

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Fixed(Param):
    """A known number (written in a scenario as a plain number)."""

    value: float
    dist: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        if math.isnan(self.value):
            raise ValueError("value must be a number, got nan")

    @property
    def is_fixed(self) -> bool:
        return True

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value, dtype=float)

    def frozen(self) -> Any:
        # A point mass; scipy has none, and nothing downstream needs more than ppf.
        raise TypeError("a fixed value has no scipy distribution")

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        return np.full(np.shape(q), self.value, dtype=float)

    def median(self) -> float:
        return float(self.value)

    def expectation(self) -> float:
        return float(self.value)

    def support(self) -> tuple[float, float]:
        return float(self.value), float(self.value)

    def describe(self) -> str:
        return _fmt(self.value)

    def as_dict(self) -> float:
        return float(self.value)

    def _to_pymc(self, pm: Any, name: str) -> Any:
        return pm.Deterministic(name, pm.math.constant(self.value))


@dataclass(frozen=True)
class Normal(Param):
    """A normal distribution, optionally truncated to ``[low, high]``."""

    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf
    dist: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        _finite("mean", self.mean)
        _finite("sd", self.sd)
        if self.sd <= 0:
            raise ValueError(f"sd must be positive, got {_fmt(self.sd)}")
        if not self.low < self.high:
            raise ValueError(f"low ({_fmt(self.low)}) must be less than high ({_fmt(self.high)})")
        if self.truncated and float(np.diff(self._cdf_bounds())[0]) < 1e-9:
            raise ValueError("the truncation bounds leave (almost) no probability")

    @classmethod
    def from_median_p90(
        cls, median: float, p90: float, low: float = -math.inf, high: float = math.inf
    ) -> Normal:
        """A normal whose median (= mean) and 90th percentile are given (before truncation)."""
        if not p90 > median:
            raise ValueError(f"p90 ({_fmt(p90)}) must be greater than median ({_fmt(median)})")
        return cls(median, (p90 - median) / Z90, low, high)

    @property
    def truncated(self) -> bool:
        """True if ``low`` or ``high`` is finite."""
        return math.isfinite(self.low) or math.isfinite(self.high)

    def frozen(self) -> Any:
        if self.truncated:
            a = (self.low - self.mean) / self.sd
            b = (self.high - self.mean) / self.sd
            return _stats().truncnorm(a, b, loc=self.mean, scale=self.sd)
        return _stats().norm(loc=self.mean, scale=self.sd)

    def support(self) -> tuple[float, float]:
        # Exactly the bounds (scipy's truncnorm rounds them by an ulp).
        return float(self.low), float(self.high)

    def _cdf_bounds(self) -> np.ndarray:
        """The untruncated normal's CDF at ``low`` and ``high``."""
        return _norm_cdf((np.array([self.low, self.high]) - self.mean) / self.sd)

    def _from_base_cdf(self, u: np.ndarray) -> np.ndarray:
        """Values whose untruncated CDF is ``u``, kept inside the bounds."""
        return np.clip(self.mean + self.sd * _norm_ppf(u), self.low, self.high)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        lo, hi = self._cdf_bounds()
        return self._from_base_cdf(lo + np.asarray(q, dtype=float) * (hi - lo))

    def median(self) -> float:
        return float(self.ppf(0.5))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if not self.truncated:
            return rng.normal(self.mean, self.sd, n)
        # Inverse-CDF sampling keeps truncation vectorised and on the caller's generator.
        lo, hi = self._cdf_bounds()
        return self._from_base_cdf(rng.uniform(lo, hi, n))

    def describe(self) -> str:
        text = f"normal (mean {_fmt(self.mean)}, sd {_fmt(self.sd)})"
        if self.truncated:
            text += f" truncated to [{_fmt(self.low)}, {_fmt(self.high)}]"
        return text

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dist": "normal", "mean": self.mean, "sd": self.sd}
        if math.isfinite(self.low):
            out["low"] = self.low
        if math.isfinite(self.high):
            out["high"] = self.high
        return out

    def _to_pymc(self, pm: Any, name: str) -> Any:
        if self.truncated:
            lower = self.low if math.isfinite(self.low) else None
            upper = self.high if math.isfinite(self.high) else None
            return pm.TruncatedNormal(name, mu=self.mean, sigma=self.sd, lower=lower, upper=upper)
        return pm.Normal(name, mu=self.mean, sigma=self.sd)


@dataclass(frozen=True, init=False)
class LogNormal(Param):
    """A log-normal distribution given by its median and 90th percentile.

    Built as ``LogNormal(median, p90)``; the median is stored as ``p50`` because
    ``median()`` is the method every :class:`Param` has.
    """

    p50: float
    p90: float
    dist: ClassVar[str] = "lognormal"

    def __init__(self, median: float, p90: float):
        object.__setattr__(self, "p50", float(median))
        object.__setattr__(self, "p90", float(p90))
        _finite("median", self.p50)
        _finite("p90", self.p90)
        if self.p50 <= 0:
            raise ValueError(f"median must be positive, got {_fmt(self.p50)}")
        if not self.p90 > self.p50:
            raise ValueError(
                f"p90 ({_fmt(self.p90)}) must be greater than median ({_fmt(self.p50)})"
            )

    @classmethod
    def from_mu_sigma(cls, mu: float, sigma: float) -> LogNormal:
        """A log-normal whose natural log is normal with mean ``mu`` and sd ``sigma``."""
        _finite("mu", mu)
        _finite("sigma", sigma)
        if sigma <= 0:
            raise ValueError(f"sigma must be positive, got {_fmt(sigma)}")
        try:
            return cls(math.exp(mu), math.exp(mu + Z90 * sigma))
        except OverflowError:
            # exp() past about 1.8e308: the median or the p90 is not a float.
            raise ValueError(
                f"mu {_fmt(mu)} and sigma {_fmt(sigma)} put the median or the p90 beyond "
                "floating-point range (about 1.8e308)"
            ) from None

    @property
    def mu(self) -> float:
        """Mean of the natural log."""
        return math.log(self.p50)

    @property
    def sigma(self) -> float:
        """Standard deviation of the natural log."""
        return (math.log(self.p90) - math.log(self.p50)) / Z90

    def frozen(self) -> Any:
        return _stats().lognorm(s=self.sigma, scale=self.p50)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        return np.exp(self.mu + self.sigma * _norm_ppf(q))

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, n)

    def median(self) -> float:
        return float(self.p50)

    def describe(self) -> str:
        return f"lognormal (median {_fmt(self.p50)}, p90 {_fmt(self.p90)})"

    def as_dict(self) -> dict[str, Any]:
        return {"dist": "lognormal", "median": self.p50, "p90": self.p90}

    def _to_pymc(self, pm: Any, name: str) -> Any:
        return pm.LogNormal(name, mu=self.mu, sigma=self.sigma)


@dataclass(frozen=True)
class Uniform(Param):
    """A uniform distribution on ``[low, high]``."""

    low: float
    high: float
    dist: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        _finite("low", self.low)
        _finite("high", self.high)
        if not self.low < self.high:
            raise ValueError(f"low ({_fmt(self.low)}) must be less than high ({_fmt(self.high)})")

    def frozen(self) -> Any:
        return _stats().uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        return self.low + np.asarray(q, dtype=float) * (self.high - self.low)

    def support(self) -> tuple[float, float]:
        return float(self.low), float(self.high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def describe(self) -> str:
        return f"uniform ({_fmt(self.low)} to {_fmt(self.high)})"

    def as_dict(self) -> dict[str, Any]:
        return {"dist": "uniform", "low": self.low, "high": self.high}

    def _to_pymc(self, pm: Any, name: str) -> Any:
        return pm.Uniform(name, lower=self.low, upper=self.high)


@dataclass(frozen=True)
class Triangular(Param):
    """A triangular distribution on ``[low, high]`` peaking at ``mode``."""

    low: float
    mode: float
    high: float
    dist: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        for name in ("low", "mode", "high"):
            _finite(name, getattr(self, name))
        if not self.low < self.high:
            raise ValueError(f"low ({_fmt(self.low)}) must be less than high ({_fmt(self.high)})")
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"mode ({_fmt(self.mode)}) must lie between low ({_fmt(self.low)}) "
                f"and high ({_fmt(self.high)})"
            )

    def frozen(self) -> Any:
        width = self.high - self.low
        return _stats().triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        width = self.high - self.low
        c = (self.mode - self.low) / width  # the CDF at the mode
        rising = self.low + np.sqrt(q * width * (self.mode - self.low))
        falling = self.high - np.sqrt((1 - q) * width * (self.high - self.mode))
        return np.where(q < c, rising, falling)

    def support(self) -> tuple[float, float]:
        return float(self.low), float(self.high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    def describe(self) -> str:
        return f"triangular ({_fmt(self.low)}, mode {_fmt(self.mode)}, {_fmt(self.high)})"

    def as_dict(self) -> dict[str, Any]:
        return {"dist": "triangular", "low": self.low, "mode": self.mode, "high": self.high}

    def _to_pymc(self, pm: Any, name: str) -> Any:
        return pm.Triangular(name, lower=self.low, c=self.mode, upper=self.high)


@dataclass(frozen=True)
class Beta(Param):
    """A beta distribution on (0, 1) given by its mean and standard deviation."""

    mean: float
    sd: float
    dist: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        _finite("mean", self.mean)
        _finite("sd", self.sd)
        if not 0 < self.mean < 1:
            raise ValueError(f"mean must be in (0, 1), got {_fmt(self.mean)}")
        if self.sd <= 0:
            raise ValueError(f"sd must be positive, got {_fmt(self.sd)}")
        # A beta's variance is below mean * (1 - mean); at or above it no beta exists.
        largest = math.sqrt(self.mean * (1 - self.mean))
        if self.sd >= largest:
            raise ValueError(
                f"no beta distribution has mean {_fmt(self.mean)} and sd {_fmt(self.sd)}: "
                f"sd must be below {_fmt(largest)}"
            )
        # alpha + beta grows as 1/sd^2; past 1e12 (sd about 1e-6 at mean 0.5) scipy's
        # beta loses all precision, and at sd = 5e-324 sd^2 is zero.
        if self.sd < largest * 1e-6:
            raise ValueError(
                f"sd {_fmt(self.sd)} is too small for a beta distribution (at least "
                f"{_fmt(largest * 1e-6)} at mean {_fmt(self.mean)}); write a fixed number"
            )

    @classmethod
    def from_alpha_beta(cls, alpha: float, beta: float) -> Beta:
        """A beta with the usual shape parameters."""
        _finite("alpha", alpha)
        _finite("beta", beta)
        if alpha <= 0 or beta <= 0:
            raise ValueError(f"alpha and beta must be positive, got {_fmt(alpha)}, {_fmt(beta)}")
        total = alpha + beta
        mean = alpha / total
        return cls(mean, math.sqrt(mean * (1 - mean) / (total + 1)))

    @property
    def concentration(self) -> float:
        """alpha + beta."""
        return self.mean * (1 - self.mean) / self.sd**2 - 1

    @property
    def alpha(self) -> float:
        """First shape parameter."""
        return self.mean * self.concentration

    @property
    def beta(self) -> float:
        """Second shape parameter."""
        return (1 - self.mean) * self.concentration

    def frozen(self) -> Any:
        return _stats().beta(self.alpha, self.beta)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.beta(self.alpha, self.beta, n)

    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    def describe(self) -> str:
        return f"beta (mean {_fmt(self.mean)}, sd {_fmt(self.sd)})"

    def as_dict(self) -> dict[str, Any]:
        return {"dist": "beta", "mean": self.mean, "sd": self.sd}

    def _to_pymc(self, pm: Any, name: str) -> Any:
        return pm.Beta(name, alpha=self.alpha, beta=self.beta)


# -- parsing -------------------------------------------------------------------------------

#: For each ``dist``: its accepted parameterisations (each a tuple of required fields),
#: the optional fields, and a builder from a dict of floats.
_FORMS: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    "fixed": ((("value",),), ()),
    "normal": ((("mean", "sd"), ("median", "p90")), ("low", "high")),
    "lognormal": ((("median", "p90"), ("mu", "sigma")), ()),
    "uniform": ((("low", "high"),), ()),
    "triangular": ((("low", "mode", "high"),), ()),
    "beta": ((("mean", "sd"), ("alpha", "beta")), ()),
}
DISTRIBUTIONS: tuple[str, ...] = tuple(_FORMS)


def _build(dist: str, f: dict[str, float]) -> Param:
    bounds = {k: f[k] for k in ("low", "high") if k in f}
    if dist == "fixed":
        return Fixed(f["value"])
    if dist == "normal":
        if "mean" in f:
            return Normal(f["mean"], f["sd"], **bounds)
        return Normal.from_median_p90(f["median"], f["p90"], **bounds)
    if dist == "lognormal":
        if "median" in f:
            return LogNormal(f["median"], f["p90"])
        return LogNormal.from_mu_sigma(f["mu"], f["sigma"])
    if dist == "uniform":
        return Uniform(f["low"], f["high"])
    if dist == "triangular":
        return Triangular(f["low"], f["mode"], f["high"])
    if "mean" in f:
        return Beta(f["mean"], f["sd"])
    return Beta.from_alpha_beta(f["alpha"], f["beta"])


class ParamError(ValueError):
    """A parameter value or distribution table that cannot be used.

    ``str(error)`` is ``"<key path>: <reason>"``; ``reason`` alone is what to fix.
    """

    def __init__(self, key_path: str, reason: str):
        super().__init__(f"{key_path}: {reason}" if key_path else reason)
        self.key_path = key_path
        self.reason = reason


def did_you_mean(word: str, options: Any) -> str:
    """``"; did you mean 'x'?"`` for the closest option, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python; `share = true` is a mistake, not 1.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _forms_text(forms: tuple[tuple[str, ...], ...]) -> str:
    return ", or ".join(" and ".join(form) for form in forms)


def parse_param(value: Any, key_path: str = "") -> Param:
    """Turn a scenario value (a number or a distribution table) into a :class:`Param`.

    Parameters
    ----------
    value : int, float or dict
        A number (``0.35``, ``inf``) or a table such as
        ``{"dist": "lognormal", "median": 0.35, "p90": 0.5}``.
    key_path : str
        Where the value is in the scenario, used in error messages.

    Returns
    -------
    Param

    Raises
    ------
    ParamError
        (a ``ValueError``) naming every problem in the table: a ``nan`` value,
        unknown distribution (with a did-you-mean hint), missing, unknown or mixed
        fields, non-numeric or non-finite fields, and impossible values (sd <= 0,
        p90 <= median, low >= high, a beta mean/sd pair that no beta has, ...).
    """
    if isinstance(value, Param):
        return value
    if _is_number(value):
        # TOML has `nan`; it would poison every draw and comparison downstream. `inf` is
        # left to the caller's range check (it means "no limit" for the efficiency limit).
        if math.isnan(value):
            raise ParamError(key_path, "must be a number, got nan")
        return Fixed(float(value))
    if not isinstance(value, dict):
        raise ParamError(
            key_path,
            f"expected a number or a distribution table such as "
            f'{{ dist = "lognormal", median = 1, p90 = 2 }}, got {type(value).__name__} '
            f"{value!r}",
        )
    if "dist" not in value:
        raise ParamError(
            key_path, f"a distribution table needs a 'dist' key (one of {', '.join(DISTRIBUTIONS)})"
        )
    dist = value["dist"]
    if not isinstance(dist, str) or dist.lower() not in _FORMS:
        raise ParamError(
            key_path,
            f"unknown distribution {dist!r}{did_you_mean(dist, DISTRIBUTIONS)} "
            f"(expected one of {', '.join(DISTRIBUTIONS)})",
        )
    dist = dist.lower()
    forms, optional = _FORMS[dist]
    allowed = {name for form in forms for name in form} | set(optional)
    fields = {k: v for k, v in value.items() if k != "dist"}
    issues: list[str] = []
    for key in fields:
        if key not in allowed:
            issues.append(
                f"unknown field {key!r} for a {dist} distribution{did_you_mean(key, allowed)} "
                f"(expected {_forms_text(forms)})"
            )
    numbers: dict[str, float] = {}
    for key, v in fields.items():
        if key in allowed:
            if _is_number(v) and math.isfinite(v):
                numbers[key] = float(v)
            elif _is_number(v):
                # nan/inf in a table has no meaning (an unbounded side is written by
                # leaving `low`/`high` out).
                issues.append(f"{key} must be a finite number, got {v}")
            else:
                issues.append(f"{key} must be a number, got {v!r}")
    given = set(fields) & allowed - set(optional)
    matching = [form for form in forms if set(form) == given]
    if not matching and not issues:
        partial = [form for form in forms if given <= set(form)]
        if len(partial) == 1 and given:
            missing = [k for k in partial[0] if k not in given]
            issues.append(f"a {dist} distribution needs {' and '.join(missing)} as well")
        elif not given:
            issues.append(f"a {dist} distribution needs {_forms_text(forms)}")
        else:
            issues.append(
                f"a {dist} distribution takes {_forms_text(forms)}; got {', '.join(sorted(given))}"
            )
    if issues:
        raise ParamError(key_path, "; ".join(issues))
    try:
        return _build(dist, numbers)
    except (ValueError, ArithmeticError) as exc:
        # ArithmeticError: a last guard for overflow or division by zero in extreme
        # parameters that the checks above did not foresee; still one located message.
        raise ParamError(key_path, f"{dist}: {exc}") from None
