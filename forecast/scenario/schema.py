"""Scenario files: TOML -> typed, validated, frozen :class:`Scenario`.

Validation is strict and complete: every problem in the file (syntax, unknown keys,
types, ranges, missing data files, cross-key rules) is collected and reported at
once in one :class:`~forecast.errors.ScenarioError`, each :class:`Problem` carrying
the key path (``column``) and, where it can be found, the line in the file.

Key paths
---------
``horizon``, ``data.since``, ``trend.doubling_time_months``, ``hardware.utilization``,
``sampler.draws``; constraints are addressed by name,
``constraints.<name>.share`` (e.g. ``constraints.World hardware budget.limit_usd``),
or by position, ``constraints[0].share``, where the name is missing or invalid.
The same scheme is used by ``[sources]``, :func:`parameters` and :func:`with_param`.

Names and limits
----------------
``name`` becomes the report folder ``reports/<name>/``, so it must be a slug
(:data:`NAME_RULE`); without it the file's stem is used and must be one too (it is
reported, not rewritten). A constraint name may be any printable text ("USD/yr",
"GW/site [2030]"), one line, at most :data:`MAX_CONSTRAINT_NAME` characters. Every
number must be finite (``inf`` only for ``hardware.efficiency_limit_flop_per_joule``,
meaning no limit) and inside a sensible range stated, with its reason, in the message
(:data:`PARAM_BOUNDS`, the sampler and date limits below): far beyond anything
plausible, well inside what the arithmetic carries, so a typo fails at ``check``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NoReturn

import numpy as np

from forecast.data.loaders import DATA_DIR, MAX_COMPUTE_FLOP, PRECISIONS, plain_number
from forecast.data.selection import RULES, Selection
from forecast.data.textfile import read_text
from forecast.data.units import slope_from_doubling_months
from forecast.errors import Problem, ScenarioError
from forecast.scenario.params import (
    DISTRIBUTIONS,
    Beta,
    Fixed,
    Param,
    ParamError,
    did_you_mean,
    parse_param,
)

if TYPE_CHECKING:
    import pandas as pd

Frontier = Literal["top_n", "record", "threshold", "all"]
Points = Literal["runs", "openai_2018"]
Kind = Literal["spend", "power"]
Basis = Literal["capex", "amortized"]
Backend = Literal["pymc", "nutpie"]

POINTS: tuple[str, ...] = ("runs", "openai_2018")
KINDS: tuple[str, ...] = ("spend", "power")
BASES: tuple[str, ...] = ("capex", "amortized")
BACKENDS: tuple[str, ...] = ("pymc", "nutpie")
MAX_HORIZON = 2200
#: Why the horizon stops there (said in the message).
HORIZON_WHY = "a trend fitted to seven decades of data says nothing about the world beyond that"
#: Plausible range for any calendar year a scenario gives (levels, reference years).
YEAR_RANGE = (1950.0, 2200.0)
#: Why: the first training runs in the data are from 1950; the horizon ends in 2200.
YEAR_WHY = "the data start in 1950 and no horizon goes beyond 2200"
#: Range of ``data.since`` and ``data.until``; the data files use the same first date.
DATE_RANGE = (dt.date(1940, 1, 1), dt.date(2200, 12, 31))
DATE_WHY = (
    "no run was trained before the first electronic computers of the 1940s, and no "
    "horizon goes beyond 2200"
)

#: The scenario name becomes the report folder ``reports/<name>/``, so it must be one
#: plain path component: no separators, no ``.``/``..``, nothing hidden, no spaces.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
NAME_RULE = (
    "must be a slug of 1-64 characters: lowercase letters, digits, '-', '_' or '.', "
    "starting with a letter or digit"
)
#: Constraint names appear in key paths, tables and figure legends: one line, readable.
MAX_CONSTRAINT_NAME = 80
#: Each ceiling gets a row in the briefing's tables, a colour in its figures and a
#: draws x years array in the projection; past 20 the figures are unreadable and the
#: arrays grow past memory (100 ceilings already take about 0.75 GB at 4,000 draws).
MAX_CONSTRAINTS = 20

#: ``data.top_n``: the data hold a few hundred runs; a larger N selects them all.
MAX_TOP_N = 10_000
#: Sampler limits. The projection uses every posterior draw by default, so chains x
#: draws is held to the CLI's --draws maximum (the draws x years x ceilings arrays must
#: fit in memory); below 100 draws an 80% interval (10th/90th percentile) is noise.
SAMPLER_DRAWS = (100, 100_000)
SAMPLER_TUNE = (0, 100_000)
SAMPLER_CHAINS = (1, 16)
MAX_POSTERIOR_DRAWS = 200_000
#: NUTS adapts its step size to this acceptance rate. Below 0.5 the steps are too long
#: and the fits diverge; above 0.999 they are too short to move.
TARGET_ACCEPT = (0.5, 0.999)
#: Seeds: the samplers take 32-bit seeds (the same limit as --seed).
MAX_SEED = 2**32 - 1
#: The largest compute the given trend may reach by the horizon. Nothing physical (the
#: trend is the counterfactual without ceilings), but every derived number (cost, power)
#: must stay inside floating-point range (about 1.8e308) with room to spare.
MAX_TREND_LOG10_FLOP = 200.0
#: The 2018 analysis says its two estimation methods are "meant to be right within
#: 2-3x"; its chart points get the wider factor as their ~90% measurement bound.
OPENAI_2018_UNCERTAINTY = 3.0


# -- the typed scenario --------------------------------------------------------------------


@dataclass(frozen=True)
class DataSpec:
    """Which data the fit uses: files, the points to fit, the frontier rule, the window.

    ``points = "runs"`` fits the runs of ``runs`` (``training_runs.csv``);
    ``points = "openai_2018"`` fits the 15 trend points of the 2018 chart
    (``openai_2018``, rows with ``in_trend = true``), to reproduce that analysis.
    """

    runs: Path = DATA_DIR / "training_runs.csv"
    hardware: Path = DATA_DIR / "hardware.csv"
    economy: Path = DATA_DIR / "economy.csv"
    frontier: Frontier = "top_n"
    top_n: int = 10
    threshold_flop: float = 1e23
    since: dt.date | None = dt.date(2010, 1, 1)
    until: dt.date | None = None
    points: Points = "runs"
    openai_2018: Path = DATA_DIR / "openai_2018.csv"

    def selection(self) -> Selection:
        """The frontier selection rule and date window as a :class:`~forecast.data.Selection`."""
        return Selection(
            rule=self.frontier,
            top_n=self.top_n,
            threshold_flop=self.threshold_flop,
            since=self.since,
            until=self.until,
        )

    @property
    def points_file(self) -> Path:
        """The file the fitted points come from."""
        return self.runs if self.points == "runs" else self.openai_2018

    def load_points(self) -> pd.DataFrame:
        """All candidate points (before selection), with ``date``, ``t``, ``compute_flop``,
        ``log10_flop`` and ``uncertainty`` columns.

        Raises
        ------
        forecast.errors.DataError
            If the file is missing or invalid.
        """
        from forecast.data.loaders import load_openai_2018, load_runs

        if self.points == "runs":
            return load_runs(self.runs)
        frame = load_openai_2018(self.openai_2018)
        # The 2018 trend line was fitted to 15 of the 20 points; the other five were
        # shown as examples of important work with modest compute.
        frame = frame.loc[frame["in_trend"]].reset_index(drop=True)
        frame["uncertainty"] = OPENAI_2018_UNCERTAINTY
        return frame

    def selected_points(self) -> pd.DataFrame:
        """The points the frontier rule and window select, in date order."""
        from forecast.data.selection import select

        return select(self.load_points(), self.selection())


@dataclass(frozen=True)
class TrendSpec:
    """The compute trend: eras, and optional overrides of the fitted slope and level.

    ``doubling_time_months`` replaces the fitted doubling time of the last era;
    ``level_flop`` (at decimal year ``level_year``) replaces the fitted level. With
    both given the trend needs no fit.
    """

    eras: int | Literal["auto"] = "auto"
    jump: bool = False
    doubling_time_months: Param | None = None
    level_flop: Param | None = None
    level_year: float | None = None

    @property
    def needs_fit(self) -> bool:
        """False when both the level and the doubling time are given."""
        return self.doubling_time_months is None or self.level_flop is None


@dataclass(frozen=True)
class HardwareSpec:
    """Hardware trends (fitted unless overridden) and the per-run cost inputs.

    The overrides are ``None`` to use the fitted trend of ``data/hardware.csv`` at
    ``precision``. ``flops_per_usd`` is peak FLOP/s per dollar of chip price at
    ``flops_per_usd_year``; ``flops_per_watt`` is peak FLOP/s per watt (= FLOP/J) at
    ``flops_per_watt_year``.
    """

    precision: Literal["fp32", "fp16", "ml"] = "ml"
    price_performance_doubling_years: Param | None = None
    flops_per_usd: Param | None = None
    flops_per_usd_year: float | None = None
    efficiency_doubling_years: Param | None = None
    flops_per_watt: Param | None = None
    flops_per_watt_year: float | None = None
    #: Ho et al. (2023), "Limits to the energy efficiency of CMOS microprocessors".
    efficiency_limit_flop_per_joule: Param = Fixed(4.7e15)
    #: Recent large runs: median model FLOP utilisation about 0.35-0.4 (Epoch AI).
    utilization: Param = Beta(0.35, 0.08)
    training_days: Param = Fixed(100.0)
    overhead: Param = Fixed(1.5)
    lifetime_years: Param = Fixed(4.0)
    pue: Param = Fixed(1.2)
    electricity_usd_per_kwh: Param = Fixed(0.08)

    @property
    def price_performance_needs_fit(self) -> bool:
        """False when both the price-performance level and its doubling time are given."""
        return self.price_performance_doubling_years is None or self.flops_per_usd is None

    @property
    def efficiency_needs_fit(self) -> bool:
        """False when both the energy-efficiency level and its doubling time are given."""
        return self.efficiency_doubling_years is None or self.flops_per_watt is None


@dataclass(frozen=True)
class Constraint:
    """One named ceiling on the largest run.

    ``spend``: the run's cost on ``basis`` against
    ``share * limit_usd * (1 + growth_per_year) ** (t - reference_year)``;
    ``power``: the run's power draw against
    ``share * limit_watts * (1 + growth_per_year) ** (t - reference_year)``.
    """

    name: str
    kind: Kind
    basis: Basis | None
    limit_usd: Param | None
    limit_watts: Param | None
    reference_year: float
    growth_per_year: Param = Fixed(0.0)
    share: Param = Fixed(1.0)

    @property
    def limit(self) -> Param:
        """``limit_usd`` for a spend constraint, ``limit_watts`` for a power constraint."""
        value = self.limit_usd if self.kind == "spend" else self.limit_watts
        assert value is not None  # guaranteed by validation
        return value


@dataclass(frozen=True)
class SamplerSpec:
    """MCMC settings for the fit."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    target_accept: float = 0.9
    backend: Backend = "pymc"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    ``sha256`` is the hash of the file's bytes (reported in ``summary.json``);
    ``set_keys`` lists the key paths the file itself sets (the rest are defaults).
    """

    name: str
    description: str
    seed: int
    horizon: int
    path: Path | None
    sha256: str
    data: DataSpec = field(default_factory=DataSpec)
    trend: TrendSpec = field(default_factory=TrendSpec)
    hardware: HardwareSpec = field(default_factory=HardwareSpec)
    constraints: tuple[Constraint, ...] = ()
    sampler: SamplerSpec = field(default_factory=SamplerSpec)
    sources: dict[str, str] = field(default_factory=dict)
    set_keys: tuple[str, ...] = ()

    def constraint(self, name: str) -> Constraint:
        """The constraint called ``name``."""
        for c in self.constraints:
            if c.name == name:
                return c
        raise KeyError(f"no constraint {name!r}{did_you_mean(name, self.constraint_names)}")

    @property
    def constraint_names(self) -> tuple[str, ...]:
        """Names of the constraints, in file order."""
        return tuple(c.name for c in self.constraints)

    def parameters(self) -> dict[str, Param]:
        """Every scalar parameter by key path; see :func:`parameters`."""
        return parameters(self)

    def with_param(self, key_path: str, param: Param | float | dict[str, Any]) -> Scenario:
        """A copy with one parameter replaced; see :func:`with_param`."""
        return with_param(self, key_path, param)

    def unsourced(self) -> list[str]:
        """Key paths of parameters the file sets without a ``[sources]`` entry."""
        params = parameters(self)
        return [k for k in self.set_keys if k in params and k not in self.sources]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (parameters as numbers or distribution tables)."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if isinstance(value, Param):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# -- ranges of the scalar parameters -------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """An allowed interval for a parameter, and the range of values that make sense.

    ``low``/``high`` are hard limits (outside them a formula breaks: a negative duration,
    a share above one); a distribution must keep its whole support inside them.

    ``range`` (with ``unit`` and ``why``) is where a value stops making sense, set far
    beyond anything plausible but well inside what the arithmetic can carry, so that a
    typo such as ``1e300`` fails at ``check`` with a reason instead of overflowing in a
    figure later. A number must lie in it; a distribution must keep its central 99.8%
    (its 0.1% and 99.9% quantiles) in it: its draws beyond those are few and still far
    from overflow, while a hard check of the support would rule out every log-normal.
    """

    low: float
    high: float = math.inf
    low_open: bool = True
    high_open: bool = True
    allow_inf: bool = False
    range: tuple[float, float] = (-math.inf, math.inf)
    unit: str = ""
    why: str = ""

    #: The quantiles of a distribution that must lie within ``range``.
    TAILS: ClassVar[tuple[float, float]] = (0.001, 0.999)

    def text(self) -> str:
        """The hard interval in words, e.g. ``"positive"`` or ``"in (0, 1]"``."""
        if self.low == 0 and self.high == math.inf and self.low_open:
            return "positive"
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open or self.high == math.inf else "]"
        high = "inf" if self.high == math.inf else f"{self.high:g}"
        return f"in {lo}{self.low:g}, {high}{hi}"

    def range_text(self) -> str:
        """The sensible range with its unit and reason, for messages."""
        lo, hi = self.range
        unit = f" {self.unit}" if self.unit else ""
        if lo == -math.inf:
            where = f"at most {plain_number(hi)}{unit}"
        elif hi == math.inf:
            where = f"at least {plain_number(lo)}{unit}"
        else:
            where = f"between {plain_number(lo)} and {plain_number(hi)}{unit}"
        extra = "; inf for none" if self.allow_inf else ""
        return f"{where} ({self.why}{extra})" if self.why else where

    def problem(self, param: Param) -> str | None:
        """Why ``param`` is out of range, or None if it is within."""
        if param.is_fixed:
            v = param.median()
            if math.isnan(v):
                return "must be a number, got nan"
            if math.isinf(v) and not self.allow_inf:
                return f"must be a finite number, got {v}"
            above = v > self.low if self.low_open else v >= self.low
            below = v < self.high if self.high_open else v <= self.high
            if math.isinf(v) and self.allow_inf and v > 0:
                return None  # "no limit"
            if not (above and below):
                return f"must be {self.text()}, got {v:g}"
            if not self.range[0] <= v <= self.range[1]:
                return f"must be {self.range_text()}, got {plain_number(v)}"
            return None
        lo, hi = param.support()
        # A continuous draw lands on an end of its support with probability zero, so
        # the support may touch an open bound (e.g. a beta on (0, 1) for a share).
        if not (lo >= self.low and hi <= self.high):
            hint = ""
            if param.dist == "normal":
                hint = "; give the normal low/high bounds, or use a beta, uniform or triangular"
            elif param.dist == "lognormal" and self.high < math.inf:
                hint = "; use a beta, uniform, triangular or truncated normal distribution"
            return (
                f"must be {self.text()}, but {param.describe()} takes values from {lo:g} "
                f"to {hi:g}{hint}"
            )
        if param.dist not in DISTRIBUTIONS:
            # Per-draw values built by the analyses from a validated scenario or a
            # posterior: not something a user typed, so only the hard limits apply.
            return None
        with np.errstate(all="ignore"):
            q_lo, q_hi = (float(x) for x in param.ppf(np.array(self.TAILS)))
        # `not (... <= ...)` so that a NaN quantile (absurd parameters) also fails.
        sides = []
        if not self.range[0] <= q_lo:
            sides.append(f"below {plain_number(self.range[0])}")
        if not q_hi <= self.range[1]:
            sides.append(f"above {plain_number(self.range[1])}")
        if not sides:
            return None
        return (
            f"must be {self.range_text()}, but {param.describe()} puts more than 0.1% of "
            f"its draws {' and '.join(sides)}"
        )


POSITIVE = Bound(0.0)
UNIT = Bound(0.0, 1.0, low_open=True, high_open=False)

# The sensible ranges below are meant to catch typos and unit slips (1e300, TFLOPS for
# FLOP/s, months for years), not to police opinions: each is far outside anything
# measured, and each reason says what the edge means.
_DOUBLING_MONTHS = Bound(
    0.0,
    range=(0.5, 1200.0),
    unit="months",
    why="the fastest era measured, 2012-2018, doubled about every 3.4 months; "
    "a century is no growth at all over a projection",
)
_HW_DOUBLING_YEARS = Bound(
    0.0,
    range=(0.25, 100.0),
    unit="years",
    why="hardware price-performance and efficiency have doubled every 2-3 years for "
    "decades; a quarter is 10x faster than ever seen, a century is no trend",
)
#: About all the sunlight that reaches Earth in a year (1.7e17 W x 3.2e7 s) turned into
#: FLOP at the CMOS efficiency limit (4.7e15 FLOP/J): 2.5e40.
MAX_LEVEL_FLOP = 1e40
#: One bit erased per operation at room temperature costs kT ln 2 = 2.9e-21 J
#: (Landauer): 3.5e20 operations per joule is the physical ceiling for irreversible logic.
LANDAUER_FLOP_PER_JOULE = 3.5e20
_FLOP_PER_JOULE = (
    "ENIAC did about 3e-3 FLOP/J in 1946; the Landauer limit at room temperature is 3.5e20 FLOP/J"
)

#: Every scalar parameter field, per section, with its allowed range.
PARAM_BOUNDS: dict[str, dict[str, Bound]] = {
    "trend": {
        "doubling_time_months": _DOUBLING_MONTHS,
        "level_flop": Bound(
            0.0,
            range=(1.0, MAX_LEVEL_FLOP),
            unit="FLOP",
            why="the largest run by 2025 used about 5e26 FLOP; 1e40 is about what all the "
            "sunlight reaching Earth in a year could compute at the CMOS efficiency limit",
        ),
    },
    "hardware": {
        "price_performance_doubling_years": _HW_DOUBLING_YEARS,
        "flops_per_usd": Bound(
            0.0,
            range=(1e-3, 1e30),
            unit="FLOP/s per USD",
            why="ENIAC gave about 1e-3 in 1946, 2025 accelerators about 3e10",
        ),
        "efficiency_doubling_years": _HW_DOUBLING_YEARS,
        "flops_per_watt": Bound(
            0.0, range=(1e-3, LANDAUER_FLOP_PER_JOULE), unit="FLOP/J", why=_FLOP_PER_JOULE
        ),
        "efficiency_limit_flop_per_joule": Bound(
            0.0,
            allow_inf=True,
            range=(1e-3, LANDAUER_FLOP_PER_JOULE),
            unit="FLOP/J",
            why=_FLOP_PER_JOULE,
        ),
        "utilization": UNIT,
        "training_days": Bound(
            0.0,
            range=(1.0, 3650.0),
            unit="days",
            why="frontier runs take months, and Epoch AI finds them well under 15; ten years "
            "would outlast the hardware",
        ),
        "overhead": Bound(
            1.0,
            low_open=False,
            range=(1.0, 10.0),
            unit="x the chip cost",
            why="servers, interconnect and the rest add about 50%, per Cottier et al. 2024",
        ),
        "lifetime_years": Bound(
            0.0,
            range=(0.25, 50.0),
            unit="years",
            why="accelerators are depreciated over 3-6 years",
        ),
        "pue": Bound(
            1.0,
            low_open=False,
            range=(1.0, 5.0),
            why="data centres run at 1.1-1.6; at 5 four-fifths of the power would go to "
            "cooling and losses",
        ),
        "electricity_usd_per_kwh": Bound(
            0.0,
            range=(1e-3, 10.0),
            unit="USD/kWh",
            why="industrial prices are about 0.03-0.30 USD/kWh; write dollars, not cents",
        ),
    },
    "constraints": {
        "limit_usd": Bound(
            0.0,
            range=(1.0, 1e18),
            unit="USD",
            why="world GDP is about 1e14 USD; 1e18 is ten thousand times that",
        ),
        "limit_watts": Bound(
            0.0,
            range=(1.0, 2e17),
            unit="W",
            why="all the sunlight that reaches Earth is about 1.7e17 W",
        ),
        # growth of -100% a year would make the limit zero
        "growth_per_year": Bound(
            -1.0,
            range=(-0.5, 10.0),
            why="a ceiling halving, or growing elevenfold, every year for decades is beyond "
            "any budget or grid, and would leave floating-point range by the horizon",
        ),
        "share": UNIT,
    },
}

#: ``data.threshold_flop``: the same range the data check allows for a run's compute.
THRESHOLD_FLOP = Bound(
    0.0,
    range=(1.0, MAX_COMPUTE_FLOP),
    unit="FLOP",
    why="the range the data check allows for a run's compute",
)
TARGET_ACCEPT_BOUND = Bound(
    0.0,
    1.0,
    range=TARGET_ACCEPT,
    why="NUTS adapts its step size to this rate: below 0.5 the fits diverge, above 0.999 "
    "the steps are too short to move; PyMC's default is 0.8",
)

_TOP_KEYS = (
    "name",
    "description",
    "seed",
    "horizon",
    "data",
    "trend",
    "hardware",
    "constraints",
    "sampler",
    "sources",
)
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "data": tuple(f.name for f in dataclasses.fields(DataSpec)),
    "trend": tuple(f.name for f in dataclasses.fields(TrendSpec)),
    "hardware": tuple(f.name for f in dataclasses.fields(HardwareSpec)),
    "constraints": tuple(f.name for f in dataclasses.fields(Constraint)),
    "sampler": tuple(f.name for f in dataclasses.fields(SamplerSpec)),
}


# -- locating keys in the TOML text --------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


class _Lines:
    """Line numbers of table headers and ``key =`` lines, found by scanning the text.

    Approximate by design (dotted keys and multi-line values are not followed), which
    is enough to point a user at the right place.
    """

    def __init__(self, text: str):
        self.keys: dict[tuple[str, str], int] = {}
        self.headers: dict[str, int] = {}
        section = ""
        arrays: dict[str, int] = {}
        closing: str | None = None  # the delimiter of an open multi-line string
        for number, line in enumerate(text.splitlines(), start=1):
            if closing is not None:
                if line.count(closing) % 2 == 1:
                    closing = None
                continue
            header = _HEADER.match(line)
            if header:
                name = ".".join(part.strip().strip("\"'") for part in header[2].split("."))
                if header[1] == "[[":
                    index = arrays.get(name, -1) + 1
                    arrays[name] = index
                    name = f"{name}[{index}]"
                section = name
                self.headers.setdefault(section, number)
                continue
            key = _KEY.match(line)
            if key:
                self.keys.setdefault((section, key[1].strip("\"'")), number)
            for delimiter in ('"""', "'''"):
                if line.count(delimiter) % 2 == 1:
                    closing = delimiter

    def find(self, parts: tuple[str | int, ...]) -> int | None:
        names = [f"[{p}]" if isinstance(p, int) else p for p in parts]
        dotted = ".".join(names).replace(".[", "[")
        if not names:
            return None
        section = ".".join(names[:-1]).replace(".[", "[")
        if isinstance(parts[-1], int):
            return self.headers.get(dotted)
        # A quoted key is stored as written: "a\nb" holds a backslash, not a newline.
        line = self.keys.get((section, names[-1])) or self.keys.get(
            (section, _printable(names[-1]))
        )
        if line is not None:
            return line
        if dotted in self.headers:
            return self.headers[dotted]
        # e.g. `[data]` absent but `data.since = ...` written as a dotted key: give up
        # on the key, point at its table if there is one.
        for i in range(len(parts) - 1, 0, -1):
            section = ".".join(names[:i]).replace(".[", "[")
            if section in self.headers:
                return self.headers[section]
        return None


# -- parsing -------------------------------------------------------------------------------


def _printable(text: str) -> str:
    """``text`` with control and other invisible characters escaped (``\\n``, ``\\x00``)."""
    return text if text.isprintable() else repr(text)[1:-1]


def _int_text(value: int, commas: bool = True) -> str:
    """An integer for a message: 1e300 written for an integer arrives as a 301-digit int."""
    if abs(value) >= 10**15:
        return plain_number(float(value))
    return f"{value:,}" if commas else str(value)


def _slug(text: str) -> str:
    """A valid scenario name made from ``text`` (to suggest in a message)."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.casefold()).strip("-._")[:64]
    return slug or "my-scenario"


def _char_name(char: str) -> str:
    """``"a newline (U+000A)"``: a character named for a message."""
    names = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}
    name = names.get(char) or unicodedata.name(char, "a control character")
    return f"{name} (U+{ord(char):04X})"


def _constraint_name_problem(name: str) -> str | None:
    """What is wrong with a constraint name, or None.

    A name may be any printable text: "/", ".", "[" and the like are fine (key paths
    split on the last "."), but it shows in one-line messages, tables and figure
    legends, so it must be non-empty, on one line, visible and short.
    """
    if not name.strip():
        return "must not be empty"
    bad = next((c for c in name if not c.isprintable()), None)
    if bad is not None:
        return (
            f"a constraint name must be printable text on one line; {name!r} "
            f"contains {_char_name(bad)}"
        )
    if len(name) > MAX_CONSTRAINT_NAME:
        return (
            f"a constraint name must be at most {MAX_CONSTRAINT_NAME} characters (it labels "
            f"tables and figure legends), got {len(name)}"
        )
    if name != name.strip():
        return (
            f"a constraint name must not start or end with a space ({name!r}): key paths "
            "such as constraints.<name>.share would hide it"
        )
    return None


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return f"a date/time ({value})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value:g})"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Parser:
    """Reads the raw TOML dict into a Scenario, collecting every problem on the way."""

    def __init__(self, path: Path, text: str):
        self.path = path.resolve()
        self.file = str(path)  # as the user gave it, like the other messages
        self.base = self.path.parent
        self.lines = _Lines(text)
        self.problems: list[Problem] = []
        self.constraint_names: dict[int, str] = {}
        self.set_keys: list[str] = []

    # where and what

    def key_path(self, parts: tuple[str | int, ...]) -> str:
        # A TOML key may hold any character; a newline in a key path would split the
        # one line the CLI prints per problem, so such characters are shown escaped.
        parts = tuple(_printable(p) if isinstance(p, str) else p for p in parts)
        out = ""
        for i, part in enumerate(parts):
            if isinstance(part, int):
                if i > 0 and parts[i - 1] == "constraints" and part in self.constraint_names:
                    out += f".{self.constraint_names[part]}"
                else:
                    out += f"[{part}]"
            elif i > 0 and parts[i - 1] == "sources":
                out += f'."{part}"'  # a sources key is itself a dotted key path
            else:
                out += f".{part}" if out else part
        return out

    def problem(self, parts: tuple[str | int, ...], message: str) -> None:
        self.problems.append(
            Problem(self.file, message, self.lines.find(parts), self.key_path(parts) or None)
        )

    def table(self, raw: Any, parts: tuple[str | int, ...], allowed: Iterable[str]) -> dict:
        """``raw`` as a table; unknown keys reported with a did-you-mean hint."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(parts, f"expected a table, got {_kind_of(raw)}")
            return {}
        allowed = tuple(allowed)
        for key in raw:
            if key not in allowed:
                self.problem(
                    (*parts, key),
                    f"unknown key {key!r}{did_you_mean(key, allowed)}",
                )
        return raw

    def mark(self, parts: tuple[str | int, ...]) -> None:
        self.set_keys.append(self.key_path(parts))

    # typed getters: each returns the default after reporting a problem

    def integer(
        self,
        raw: dict,
        key: str,
        parts: tuple,
        default: Any,
        lo: int | None = None,
        hi: int | None = None,
        why: str = "",
    ) -> Any:
        if key not in raw:
            return default
        value = raw[key]
        self.mark((*parts, key))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem((*parts, key), f"expected an integer, got {_kind_of(value)}")
            return default
        reason = f" ({why})" if why else ""
        got = _int_text(value)
        if lo is not None and value < lo:
            self.problem((*parts, key), f"must be at least {lo:,}{reason}, got {got}")
            return default
        if hi is not None and value > hi:
            self.problem((*parts, key), f"must be at most {hi:,}{reason}, got {got}")
            return default
        return value

    def number(
        self, raw: dict, key: str, parts: tuple, default: Any, bound: Bound | None = None
    ) -> Any:
        if key not in raw:
            return default
        value = raw[key]
        self.mark((*parts, key))
        if not _is_number(value):
            self.problem((*parts, key), f"expected a number, got {_kind_of(value)}")
            return default
        value = float(value)
        if math.isnan(value):
            self.problem((*parts, key), "must be a number, got nan")
            return default
        if bound is not None:
            issue = bound.problem(Fixed(value))
            if issue:
                self.problem((*parts, key), issue)
                return default
        elif not math.isfinite(value):
            self.problem((*parts, key), f"must be a finite number, got {value}")
            return default
        return value

    def year(self, raw: dict, key: str, parts: tuple, default: Any) -> Any:
        value = self.number(raw, key, parts, default)
        if (
            value is not None
            and value is not default
            and not (YEAR_RANGE[0] <= value <= YEAR_RANGE[1])
        ):
            self.problem(
                (*parts, key),
                f"expected a year between {YEAR_RANGE[0]:g} and {YEAR_RANGE[1]:g} "
                f"({YEAR_WHY}), got {value:g}",
            )
            return default
        return value

    def text(self, raw: dict, key: str, parts: tuple, default: Any) -> Any:
        if key not in raw:
            return default
        value = raw[key]
        self.mark((*parts, key))
        if not isinstance(value, str):
            self.problem((*parts, key), f"expected a string, got {_kind_of(value)}")
            return default
        return value

    def choice(
        self, raw: dict, key: str, parts: tuple, default: Any, options: tuple[str, ...]
    ) -> Any:
        value = self.text(raw, key, parts, None)
        if value is None:
            return default
        if value not in options:
            self.problem(
                (*parts, key),
                f"unknown value {value!r}{did_you_mean(value, options)} "
                f"(expected one of {', '.join(options)})",
            )
            return default
        return value

    def boolean(self, raw: dict, key: str, parts: tuple, default: bool) -> bool:
        if key not in raw:
            return default
        value = raw[key]
        self.mark((*parts, key))
        if not isinstance(value, bool):
            self.problem((*parts, key), f"expected true or false, got {_kind_of(value)}")
            return default
        return value

    def date(self, raw: dict, key: str, parts: tuple, default: Any) -> Any:
        if key not in raw:
            return default
        value = raw[key]
        self.mark((*parts, key))
        date: dt.date | None = None
        if isinstance(value, dt.datetime):
            date = value.date()
        elif isinstance(value, dt.date):
            date = value
        elif isinstance(value, str):
            try:
                date = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if date is None:
            self.problem((*parts, key), f"expected a date YYYY-MM-DD, got {_kind_of(value)}")
            return default
        # TOML dates run from year 1 to 9999; the selection compares them with
        # nanosecond timestamps, which only span 1677-2262.
        first, last = DATE_RANGE
        if not first <= date <= last:
            self.problem(
                (*parts, key),
                f"expected a date between {first} and {last} ({DATE_WHY}), got {date}",
            )
            return default
        return date

    def file_path(self, raw: dict, key: str, parts: tuple, default: Path, check: bool) -> Path:
        value = self.text(raw, key, parts, None)
        if value is not None and (not value.strip() or not value.isprintable()):
            # A NUL byte makes the OS calls raise; a newline would split the message.
            self.problem((*parts, key), f"expected a file name in printable text, got {value!r}")
            return default
        path = default if value is None else (self.base / value).resolve()
        if check and not path.is_file():
            where = f" (given as {value!r})" if value is not None else ""
            what = "file not found"
            if path.is_dir():
                what = "a folder, not a file"
            elif path.exists():
                what = "not a regular file"  # a device or FIFO would hang the reader
            self.problem((*parts, key), f"{what}: {path}{where}")
        return path

    def param(self, raw: dict, key: str, parts: tuple, default: Any, bound: Bound) -> Any:
        if key not in raw:
            return default
        self.mark((*parts, key))
        try:
            value = parse_param(raw[key], self.key_path((*parts, key)))
        except ParamError as exc:
            self.problem((*parts, key), exc.reason)
            return default
        issue = bound.problem(value)
        if issue:
            self.problem((*parts, key), issue)
            return default
        return value

    # sections

    def parse(self, raw: dict) -> Scenario | None:
        top = self.table(raw, (), _TOP_KEYS)
        name = self.name(top)
        description = self.text(top, "description", (), "")
        seed = self.integer(top, "seed", (), 0, lo=0, hi=MAX_SEED, why="a 32-bit sampler seed")
        data = self.data(top.get("data"))
        trend = self.trend(top.get("trend"))
        hardware = self.hardware(top.get("hardware"))
        constraints = self.constraints(top.get("constraints"))
        sampler = self.sampler(top.get("sampler"))
        horizon = self.horizon(top, data)
        self.trend_reach(trend, horizon)
        sources = self.sources(top.get("sources"))
        if self.problems:
            return None
        return Scenario(
            name=name,
            description=description,
            seed=seed,
            horizon=horizon,
            path=self.path,
            sha256="",
            data=data,
            trend=trend,
            hardware=hardware,
            constraints=constraints,
            sampler=sampler,
            sources=sources,
            set_keys=tuple(self.set_keys),
        )

    def name(self, top: dict) -> str:
        """The scenario name: a slug, since it becomes the folder ``reports/<name>/``.

        Without ``name`` the file's stem is used, and must itself be a slug: it is
        reported rather than silently rewritten, so that two files never share a
        report folder by surprise (the message suggests a slug to set).
        """
        if "name" not in top:
            stem = self.path.stem
            if not NAME_PATTERN.fullmatch(stem):
                self.problem(
                    ("name",),
                    f"not set, and the file name {stem!r} cannot stand in for it: a name "
                    f'{NAME_RULE}; set name = "{_slug(stem)}" or rename the file',
                )
            return stem
        name = self.text(top, "name", (), None)
        if name is None:
            return self.path.stem
        if not NAME_PATTERN.fullmatch(name):
            self.problem(("name",), f"{NAME_RULE} (got {name!r})")
        return name

    def horizon(self, top: dict, data: DataSpec) -> int:
        horizon = self.integer(top, "horizon", (), 2045)
        if data.until is not None:
            last, what = data.until.year, f"the year of data.until ({data.until})"
        else:
            last, what = dt.date.today().year, "the current year (data.until is not set)"
        year = _int_text(horizon, commas=False)
        if horizon <= last:
            self.problem(("horizon",), f"horizon {year} must be after {what}")
        elif horizon > MAX_HORIZON:
            self.problem(
                ("horizon",),
                f"horizon {year} is beyond {MAX_HORIZON}, the last year allowed ({HORIZON_WHY})",
            )
        return horizon

    def trend_reach(self, trend: TrendSpec, horizon: int) -> None:
        """A given trend must stay inside floating-point range up to the horizon.

        Each of level, level year, doubling time and horizon may be sensible on its own
        and still, together, give a run of 1e1000 FLOP, which overflows in the costs and
        figures. Checked at the 99.9% quantile of the level and the 0.1% quantile of the
        doubling time (the same tails as the parameter ranges).
        """
        if trend.level_flop is None or trend.doubling_time_months is None:
            return
        if trend.level_year is None or not trend.level_year < horizon <= MAX_HORIZON:
            return  # nothing to extrapolate, or the horizon is already reported
        level = trend.level_flop
        doubling = trend.doubling_time_months
        top = level.median() if level.is_fixed else float(level.ppf(Bound.TAILS[1]))
        fast = doubling.median() if doubling.is_fixed else float(doubling.ppf(Bound.TAILS[0]))
        reach = math.log10(top) + (horizon - trend.level_year) * slope_from_doubling_months(fast)
        if reach > MAX_TREND_LOG10_FLOP:
            self.problem(
                ("trend", "doubling_time_months"),
                f"the trend would reach 1e{reach:.0f} FLOP by the horizon ({horizon}); at "
                f"most 1e{MAX_TREND_LOG10_FLOP:.0f} FLOP, so that costs and power stay "
                "inside floating-point range (about 1e308): lengthen the doubling time, "
                "lower trend.level_flop or bring the horizon closer",
            )

    def data(self, raw: Any) -> DataSpec:
        p: tuple[str, ...] = ("data",)
        d = self.table(raw, p, _SECTION_KEYS["data"])
        default = DataSpec()
        points = self.choice(d, "points", p, default.points, POINTS)
        before = len(self.problems)
        since = self.date(d, "since", p, default.since)
        until = self.date(d, "until", p, default.until)
        # Compared only when both were accepted: a rejected date falls back to its
        # default, and comparing that would report a problem the user did not make.
        if len(self.problems) == before and since and until and since > until:
            self.problem(("data", "since"), f"data.since ({since}) is after data.until ({until})")
        return DataSpec(
            runs=self.file_path(d, "runs", p, default.runs, check=points == "runs"),
            hardware=self.file_path(d, "hardware", p, default.hardware, check=True),
            economy=self.file_path(d, "economy", p, default.economy, check=True),
            openai_2018=self.file_path(
                d, "openai_2018", p, default.openai_2018, check=points == "openai_2018"
            ),
            points=points,
            frontier=self.choice(d, "frontier", p, default.frontier, RULES),
            top_n=self.integer(
                d,
                "top_n",
                p,
                default.top_n,
                lo=1,
                hi=MAX_TOP_N,
                why='more than the data hold; for every run use frontier = "all"',
            ),
            threshold_flop=self.number(
                d, "threshold_flop", p, default.threshold_flop, THRESHOLD_FLOP
            ),
            since=since,
            until=until,
        )

    def trend(self, raw: Any) -> TrendSpec:
        p: tuple[str, ...] = ("trend",)
        t = self.table(raw, p, _SECTION_KEYS["trend"])
        default = TrendSpec()
        eras: Any = default.eras
        if "eras" in t:
            self.mark((*p, "eras"))
            value = t["eras"]
            if value == "auto" or (
                isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3
            ):
                eras = value
            else:
                self.problem((*p, "eras"), f'must be 1, 2, 3 or "auto", got {_kind_of(value)}')
        bounds = PARAM_BOUNDS["trend"]
        level_flop = self.param(t, "level_flop", p, None, bounds["level_flop"])
        level_year = self.year(t, "level_year", p, None)
        if ("level_flop" in t) != ("level_year" in t):
            given, needed = (
                ("level_flop", "level_year") if "level_flop" in t else ("level_year", "level_flop")
            )
            self.problem((*p, given), f"trend.{given} needs trend.{needed} as well")
        return TrendSpec(
            eras=eras,
            jump=self.boolean(t, "jump", p, default.jump),
            doubling_time_months=self.param(
                t, "doubling_time_months", p, None, bounds["doubling_time_months"]
            ),
            level_flop=level_flop,
            level_year=level_year,
        )

    def hardware(self, raw: Any) -> HardwareSpec:
        p: tuple[str, ...] = ("hardware",)
        h = self.table(raw, p, _SECTION_KEYS["hardware"])
        default = HardwareSpec()
        values: dict[str, Any] = {
            "precision": self.choice(h, "precision", p, default.precision, PRECISIONS)
        }
        for key, bound in PARAM_BOUNDS["hardware"].items():
            values[key] = self.param(h, key, p, getattr(default, key), bound)
        for level, year in (
            ("flops_per_usd", "flops_per_usd_year"),
            ("flops_per_watt", "flops_per_watt_year"),
        ):
            values[year] = self.year(h, year, p, None)
            if (level in h) != (year in h):
                given, needed = (level, year) if level in h else (year, level)
                self.problem((*p, given), f"hardware.{given} needs hardware.{needed} as well")
        return HardwareSpec(**values)

    def constraints(self, raw: Any) -> tuple[Constraint, ...]:
        if raw is None:
            self.problem(
                ("constraints",),
                "at least one [[constraints]] table is needed (a spend or power ceiling)",
            )
            return ()
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.problem(
                ("constraints",),
                f"expected [[constraints]] tables, got {_kind_of(raw)}",
            )
            return ()
        if not raw:
            self.problem(("constraints",), "at least one [[constraints]] table is needed")
        if len(raw) > MAX_CONSTRAINTS:
            self.problem(
                ("constraints", MAX_CONSTRAINTS),
                f"{len(raw)} constraints; at most {MAX_CONSTRAINTS} (each is a row of the "
                "briefing's tables and a colour in its figures; compare scenarios instead)",
            )
            return ()
        out = []
        first: dict[str, int] = {}
        for i, item in enumerate(raw):
            p: tuple[str | int, ...] = ("constraints", i)
            # The name first, so that every later problem can say which constraint.
            name = item.get("name")
            duplicate = isinstance(name, str) and name.casefold() in first
            # Only a valid name may stand in key paths (a newline in one would split the
            # problem's line); an invalid one is addressed by position, constraints[i].
            if isinstance(name, str) and not duplicate and _constraint_name_problem(name) is None:
                first[name.casefold()] = i
                self.constraint_names[i] = name
            c = self.table(item, p, _SECTION_KEYS["constraints"])
            name = self.text(c, "name", p, None)
            if name is None or not name.strip():
                if "name" not in c:
                    self.problem(p, "a constraint needs a name")
                elif name is not None:
                    self.problem((*p, "name"), "must not be empty")
                name = f"constraint {i + 1}"
            elif issue := _constraint_name_problem(name):
                self.problem((*p, "name"), issue)
            elif duplicate:
                j = first[name.casefold()]
                self.problem(
                    (*p, "name"),
                    f"duplicate constraint name {name!r} (also used by constraint {j + 1})",
                )
            kind = self.choice(c, "kind", p, None, KINDS)
            if "kind" not in c:
                self.problem(p, 'a constraint needs a kind ("spend" or "power")')
            bounds = PARAM_BOUNDS["constraints"]
            basis = None
            if kind == "power":
                for wrong, right in (("limit_usd", "limit_watts"), ("basis", None)):
                    if wrong in c:
                        msg = f"a power constraint takes no {wrong}"
                        if right:
                            msg = f"a power constraint takes {right}, not {wrong}"
                        self.problem((*p, wrong), msg)
            elif kind == "spend":
                basis = self.choice(c, "basis", p, "capex", BASES)
                if "limit_watts" in c:
                    self.problem(
                        (*p, "limit_watts"), "a spend constraint takes limit_usd, not limit_watts"
                    )
            limit_usd = limit_watts = None
            if kind == "spend":
                limit_usd = self.param(c, "limit_usd", p, None, bounds["limit_usd"])
                if "limit_usd" not in c:
                    self.problem(p, "a spend constraint needs limit_usd")
            elif kind == "power":
                limit_watts = self.param(c, "limit_watts", p, None, bounds["limit_watts"])
                if "limit_watts" not in c:
                    self.problem(p, "a power constraint needs limit_watts")
            reference_year = self.year(c, "reference_year", p, None)
            if "reference_year" not in c:
                self.problem(p, "a constraint needs reference_year (the year limit_* applies to)")
            growth = self.param(c, "growth_per_year", p, Fixed(0.0), bounds["growth_per_year"])
            share = self.param(c, "share", p, Fixed(1.0), bounds["share"])
            if kind is not None and reference_year is not None:
                out.append(
                    Constraint(
                        name=name,
                        kind=kind,
                        basis=basis,
                        limit_usd=limit_usd,
                        limit_watts=limit_watts,
                        reference_year=reference_year,
                        growth_per_year=growth,
                        share=share,
                    )
                )
        return tuple(out)

    def sampler(self, raw: Any) -> SamplerSpec:
        p: tuple[str, ...] = ("sampler",)
        s = self.table(raw, p, _SECTION_KEYS["sampler"])
        default = SamplerSpec()
        target = self.number(s, "target_accept", p, default.target_accept, TARGET_ACCEPT_BOUND)
        draws = self.integer(
            s,
            "draws",
            p,
            default.draws,
            *SAMPLER_DRAWS,
            why="draws per chain: below 100 an 80% interval is noise, above 100,000 more add "
            "nothing",
        )
        chains = self.integer(
            s,
            "chains",
            p,
            default.chains,
            *SAMPLER_CHAINS,
            why="more chains only add run time; 4 are enough to check convergence",
        )
        if draws * chains > MAX_POSTERIOR_DRAWS:
            self.problem(
                (*p, "draws"),
                f"chains x draws = {chains * draws:,} posterior draws; at most "
                f"{MAX_POSTERIOR_DRAWS:,} (the projection uses every posterior draw, and its "
                "draws x years arrays must fit in memory)",
            )
        return SamplerSpec(
            draws=draws,
            tune=self.integer(
                s,
                "tune",
                p,
                default.tune,
                *SAMPLER_TUNE,
                why="warm-up steps per chain; more than 100,000 only adds run time",
            ),
            chains=chains,
            target_accept=target,
            backend=self.choice(s, "backend", p, default.backend, BACKENDS),
        )

    def sources(self, raw: Any) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(("sources",), f"expected a table, got {_kind_of(raw)}")
            return {}
        # A source may document a key or a whole table (`"constraints.World budget"`).
        known = set(self.set_keys)
        for key in self.set_keys:
            parts = key.split(".")
            known.update(".".join(parts[:i]) for i in range(1, len(parts)))
        out = {}
        for key, text in raw.items():
            if key not in known:
                self.problem(
                    ("sources", key),
                    f"the source for {key!r} names a key the file does not set"
                    f"{did_you_mean(key, self.set_keys) or did_you_mean(key, known)}",
                )
            if not isinstance(text, str) or not text.strip():
                self.problem(("sources", key), f"expected the source as text, got {_kind_of(text)}")
                continue
            out[key] = text
        return out


def _toml_problem(file: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(found[1]) if found else None
    if found:
        message = message[: found.start()].strip() + f" (column {found[2]})"
    return Problem(file, f"invalid TOML: {message}", line)


def _raise(file: str, problems: list[Problem], sort: bool = True) -> NoReturn:
    if sort:  # in file order; only meaningful when all problems are in one file
        problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    lines = "\n".join(str(p) for p in problems)
    raise ScenarioError(f"{file}: {len(problems)} problem(s) in the scenario\n{lines}", problems)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file. Relative data paths in it are resolved against its folder.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem in the file, each with the key path and line.
    """
    path = Path(path)
    file = str(path)
    # Missing, a folder, empty, binary, UTF-16 or not UTF-8: one located line each.
    content, text = read_text(path, ScenarioError, "scenario file")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _raise(file, [_toml_problem(file, exc)])
    parser = _Parser(path, text)
    scenario = parser.parse(raw)
    if scenario is None:
        _raise(file, parser.problems)
    return dataclasses.replace(scenario, sha256=hashlib.sha256(content).hexdigest())


def check_scenario(path: str | Path) -> Scenario:
    """Load a scenario and also load and validate the data files it names.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For problems in the scenario, or in its data files (those problems keep their
        CSV file, line and column), or if its selection leaves fewer than 3 points
        for a trend that needs fitting.
    """
    from forecast.data.loaders import load_economy, load_hardware
    from forecast.errors import DataError

    scenario = load_scenario(path)
    problems: list[Problem] = []
    points = None
    try:
        points = scenario.data.load_points()
    except DataError as exc:
        problems.extend(exc.problems or [Problem(str(path), str(exc))])
    for load, file in (
        (load_hardware, scenario.data.hardware),
        (load_economy, scenario.data.economy),
    ):
        try:
            load(file)
        except DataError as exc:
            problems.extend(exc.problems or [Problem(str(file), str(exc))])
    if points is not None and scenario.trend.needs_fit:
        from forecast.data.selection import select

        n = len(select(points, scenario.data.selection()))
        if n < 3:
            lines = _Lines(read_text(path, ScenarioError, "scenario file")[1])
            problems.append(
                Problem(
                    str(path),
                    f"the selection ({scenario.data.selection().describe()}) keeps {n} "
                    "point(s); fitting the trend needs at least 3",
                    lines.find(("data", "frontier")),
                    "data.frontier",
                )
            )
    if problems:
        _raise(str(path), problems, sort=False)
    return scenario


# -- parameters by key path ----------------------------------------------------------------


def parameters(scenario: Scenario) -> dict[str, Param]:
    """Every scalar parameter of a scenario that has a value, by key path.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    dict of str to Param
        In a stable order: ``trend.*``, ``hardware.*``, then
        ``constraints.<name>.{limit_usd|limit_watts,growth_per_year,share}``.
        Overrides left to the fit (``None``) are omitted.
    """
    out: dict[str, Param] = {}
    for section in ("trend", "hardware"):
        spec = getattr(scenario, section)
        for key in PARAM_BOUNDS[section]:
            value = getattr(spec, key)
            if value is not None:
                out[f"{section}.{key}"] = value
    for c in scenario.constraints:
        for key in PARAM_BOUNDS["constraints"]:
            value = getattr(c, key)
            if value is not None:
                out[f"constraints.{c.name}.{key}"] = value
    return out


def _split_key_path(scenario: Scenario, key_path: str) -> tuple[str, int | None, str]:
    """``(section, constraint index or None, field)`` for a parameter key path."""
    if key_path.startswith("constraints"):
        rest = key_path[len("constraints") :]
        found = re.fullmatch(r"\[(\d+)\]\.(\w+)", rest)
        if found:
            index, key = int(found[1]), found[2]
            if index >= len(scenario.constraints):
                raise KeyError(f"no constraint at index {index}")
            return "constraints", index, key
        if rest.startswith(".") and "." in rest[1:]:
            name, key = rest[1:].rsplit(".", 1)
            names = scenario.constraint_names
            if name not in names:
                raise KeyError(f"no constraint named {name!r}{did_you_mean(name, names)}")
            return "constraints", names.index(name), key
        raise KeyError(f"expected constraints.<name>.<key>, got {key_path!r}")
    section, _, key = key_path.partition(".")
    if section not in ("trend", "hardware") or not key:
        raise KeyError(
            f"unknown parameter {key_path!r}{did_you_mean(key_path, parameters(scenario))}"
        )
    return section, None, key


def with_param(
    scenario: Scenario, key_path: str, param: Param | float | Mapping[str, Any]
) -> Scenario:
    """A copy of ``scenario`` with one scalar parameter replaced (for sensitivity sweeps).

    Parameters
    ----------
    scenario : Scenario
    key_path : str
        E.g. ``"trend.doubling_time_months"``, ``"hardware.utilization"``,
        ``"constraints.World hardware budget.share"`` or ``"constraints[0].share"``.
        A fitted override that is unset (``None``) may be set this way.
    param : Param, number or distribution table

    Returns
    -------
    Scenario
        ``sha256`` still names the file it came from; ``sources`` loses the entry for
        the replaced key, since the file's source no longer applies.

    Raises
    ------
    KeyError
        If the key path names no parameter.
    ScenarioError
        If the value is out of the parameter's range or not allowed for the constraint.
    """
    section, index, key = _split_key_path(scenario, key_path)
    bounds = PARAM_BOUNDS[section]
    if key not in bounds:
        raise KeyError(f"{key_path!r} is not a parameter{did_you_mean(key, bounds)}")
    file = str(scenario.path) if scenario.path else scenario.name
    try:
        value = parse_param(dict(param) if isinstance(param, Mapping) else param, key_path)
    except ParamError as exc:
        raise ScenarioError(str(exc), [Problem(file, exc.reason, None, key_path)]) from None
    issue = bounds[key].problem(value)
    needs_year = {
        "level_flop": ("level_year", scenario.trend.level_year),
        "flops_per_usd": ("flops_per_usd_year", scenario.hardware.flops_per_usd_year),
        "flops_per_watt": ("flops_per_watt_year", scenario.hardware.flops_per_watt_year),
    }
    if index is None and key in needs_year and needs_year[key][1] is None:
        issue = f"a level needs its year: set {section}.{needs_year[key][0]} in the scenario"
    if index is not None:
        c = scenario.constraints[index]
        wrong = {"spend": "limit_watts", "power": "limit_usd"}[c.kind]
        if key == wrong:
            issue = f"a {c.kind} constraint takes no {wrong}"
    if issue:
        raise ScenarioError(f"{key_path}: {issue}", [Problem(file, issue, None, key_path)])
    sources = {k: v for k, v in scenario.sources.items() if k != key_path}
    if index is None:
        spec = dataclasses.replace(getattr(scenario, section), **{key: value})
        return dataclasses.replace(scenario, **{section: spec}, sources=sources)
    constraints = list(scenario.constraints)
    constraints[index] = dataclasses.replace(constraints[index], **{key: value})
    return dataclasses.replace(scenario, constraints=tuple(constraints), sources=sources)
