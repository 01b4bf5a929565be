"""Scenario files: the typed, frozen :class:`Scenario` and the rules of every key.

Each key is declared once, on a frozen pydantic dataclass, its default beside its type,
whose ``Annotated`` metadata is its rule and bound (:mod:`forecast.scenario.values`):
``utilization: Annotated[Param, UNIT] = Beta(0.35, 0.08)``. Unknown keys are refused.
:mod:`forecast.scenario.load` validates a file's TOML against :class:`ScenarioFile` and
turns pydantic's errors into one located line each. The tables are dataclasses (not
``BaseModel``), so that ``dataclasses.replace`` and ``asdict`` keep working everywhere.

The rules apply to what a file says: they run when a file is validated (with a
:class:`~forecast.scenario.values.Context`), while a scenario built in code
(``dataclasses.replace``, :func:`with_param`) keeps what it is given.

Every problem in a file is reported at once, which decides where each rule that spans
keys is written (once, as a validator of the class holding the keys):

- comparing two keys of a table: a ``field_validator`` on the later one, which sees
  the keys before it (``info.data``) and runs even when another key of the table is
  wrong, where a ``model_validator(mode="after")`` would wait for the whole table;
- about which keys are present (a level without its year, a limit of the wrong kind):
  a ``model_validator(mode="wrap")``, which reads the table as written and reports
  alongside the keys' own problems;
- across tables (the horizon and ``data.until``): a wrap validator on the file.

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
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from forecast.data.loaders import DATA_DIR, MAX_COMPUTE_FLOP, PRECISIONS, STAGES
from forecast.data.selection import RULES, Selection
from forecast.data.textfile import file_problem
from forecast.data.units import slope_from_doubling_months
from forecast.errors import Problem, ScenarioError
from forecast.scenario.params import (
    Beta,
    Fixed,
    Param,
    ParamError,
    Uniform,
    did_you_mean,
    parse_param,
)
from forecast.scenario.values import (
    Bound,
    Date,
    Flag,
    Located,
    Required,
    Text,
    Year,
    accepted,
    checked,
    choice,
    choices,
    context_of,
    default_of,
    holds_param,
    int_text,
    invalid,
    is_number,
    kind_of,
    missing,
    problems,
    string,
    validate_with,
    whole,
)

if TYPE_CHECKING:
    import pandas as pd

Frontier = Literal["top_n", "record", "threshold", "all"]
Points = Literal["runs", "openai_2018"]
Kind = Literal["spend", "power", "chips", "data", "compute"]
Basis = Literal["capex", "amortized"]
Backend = Literal["pymc", "nutpie"]
Forward = Literal["era", "hazard"]
TrendModel = Literal["eras", "drift"]
#: The model of the compute trend (``[trend] model``): K eras with breakpoints, or one
#: slope that drifts from year to year (a local linear trend; see forecast/models/trend.py).
TREND_MODELS: tuple[str, ...] = ("eras", "drift")
#: How the compute trend runs forward (``[trend] forward``): the current era's slope for
#: ever, or with a hazard of a new era whose slope is drawn anew.
FORWARDS: tuple[str, ...] = ("era", "hazard")

#: ``data.points`` names the key of the file the fitted points come from.
POINTS: tuple[str, ...] = ("runs", "openai_2018")
KINDS: tuple[str, ...] = ("spend", "power", "chips", "data", "compute")
BASES: tuple[str, ...] = ("capex", "amortized")
BACKENDS: tuple[str, ...] = ("pymc", "nutpie")
MAX_HORIZON = 2200
#: Why the horizon stops there (said in the message).
HORIZON_WHY = "a trend fitted to seven decades of data says nothing about the world beyond that"
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


# -- rules of particular keys --------------------------------------------------------------


def _eras(value: Any, info: ValidationInfo) -> int | str:
    if value == "auto" or (is_number(value) and isinstance(value, int) and 1 <= value <= 3):
        return value
    raise invalid(f'must be 1, 2, 3 or "auto", got {kind_of(value)}')


def _data_file(value: Any, info: ValidationInfo) -> Path:
    """A data file: relative to the scenario's folder; looked for when asked to."""
    context = context_of(info)
    assert context is not None  # only called on a file's values
    given = None
    path = value  # the default, already absolute
    if not isinstance(value, Path):
        given = string(value)
        if not given.strip() or not given.isprintable():
            # A NUL byte makes the OS calls raise; a newline would split the message.
            raise invalid(f"expected a file name in printable text, got {given!r}")
        path = (context.base / given).resolve()
    # A points file is only needed when data.points picks it (a rejected points, its default).
    picked = info.data.get("points", default_of(DataSpec, "points"))
    if context.check_data and (info.field_name not in POINTS or info.field_name == picked):
        issue = file_problem(path, given)
        if issue:
            raise invalid(issue)
    return path


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


def _constraint_name(value: Any, info: ValidationInfo) -> str:
    issue = _constraint_name_problem(string(value))
    if issue:
        raise invalid(issue)
    return value


def constraint_names(tables: Any) -> tuple[dict[int, str], dict[int, int]]:
    """The names that address constraints in key paths, and the duplicated ones.

    Parameters
    ----------
    tables : Any
        The ``constraints`` array of a file, as TOML read it.

    Returns
    -------
    (dict of int to str, dict of int to int)
        By position, each valid name first given there; and, by position, the earlier
        position of a name given again (compared without case). Both are empty unless
        ``tables`` is a valid array of tables: then positions address them all.
    """
    names: dict[int, str] = {}
    duplicates: dict[int, int] = {}
    if not (isinstance(tables, list) and all(isinstance(t, dict) for t in tables)):
        return names, duplicates
    if len(tables) > MAX_CONSTRAINTS:
        return names, duplicates
    first: dict[str, int] = {}
    for i, table in enumerate(tables):
        # Only a valid name may stand in key paths (a newline in one would split the
        # problem's line); an invalid one is addressed by position, constraints[i].
        name = table.get("name")
        if not isinstance(name, str) or _constraint_name_problem(name) is not None:
            continue
        if name.casefold() in first:
            duplicates[i] = first[name.casefold()]
        else:
            first[name.casefold()] = i
            names[i] = name
    return names, duplicates


# -- ranges of the scalar parameters -------------------------------------------------------


POSITIVE = Bound(0.0)
UNIT = Bound(0.0, 1.0, low_open=True, high_open=False)

# The sensible ranges below are meant to catch typos and unit slips (1e300, TFLOPS for
# FLOP/s, months for years), not to police opinions: each is far outside anything
# measured, and each reason says what the edge means.
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

#: Unknown keys are errors; a validated scenario does not change.
_CONFIG = ConfigDict(extra="forbid")

DataFile = Annotated[Path, checked(_data_file)]
Horizon = Annotated[int, whole()]


# -- the typed scenario --------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class DataSpec:
    """Which data the fit uses: files, the points to fit, the frontier rule, the window.

    ``points = "runs"`` fits the runs of ``runs`` (``training_runs.csv``);
    ``points = "openai_2018"`` fits the 15 trend points of the 2018 chart
    (``openai_2018``, rows with ``in_trend = true``), to reproduce that analysis.
    """

    # In the order the rules need: points before the files, until before since.
    points: Annotated[Points, choice(POINTS)] = "runs"
    frontier: Annotated[Frontier, choice(RULES)] = "top_n"
    top_n: Annotated[
        int, whole(1, MAX_TOP_N, 'more than the data hold; for every run use frontier = "all"')
    ] = 10
    threshold_flop: Annotated[float, THRESHOLD_FLOP] = 1e23
    #: The stages of training that count as runs (``training_runs.csv`` ``stage``): by
    #: default finished pretraining runs only. A fine-tune or continued training counts
    #: its base model's compute again (FLAN 137B, Grok 4), and an unfinished run is a
    #: preview of one still going, so neither is a run of its own size; runs of other
    #: stages are neither selected nor competitors in the frontier rule.
    stages: Annotated[tuple[str, ...], choices(STAGES)] = ("pretrain",)
    until: Date | None = None
    since: Date | None = Field(dt.date(2010, 1, 1), validate_default=True)
    # Checked for existence even when not given (validate_default): the default may be gone.
    runs: DataFile = Field(DATA_DIR / "training_runs.csv", validate_default=True)
    hardware: DataFile = Field(DATA_DIR / "hardware.csv", validate_default=True)
    economy: DataFile = Field(DATA_DIR / "economy.csv", validate_default=True)
    #: Published hardware, power and cost of runs, for ``[hardware] conversion = "realised"``.
    run_hardware: DataFile = Field(DATA_DIR / "run_hardware.csv", validate_default=True)
    openai_2018: DataFile = Field(DATA_DIR / "openai_2018.csv", validate_default=True)

    @field_validator("since")
    @classmethod
    def _since_before_until(cls, since: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # Compared only when until was accepted: a rejected until is not in info.data.
        until = info.data.get("until")
        if context_of(info) and since and until and since > until:
            raise invalid(f"data.since ({since}) is after data.until ({until})")
        return since

    def selection(self) -> Selection:
        """The frontier selection rule and date window as a :class:`~forecast.data.Selection`."""
        return Selection(
            rule=self.frontier,
            top_n=self.top_n,
            threshold_flop=self.threshold_flop,
            since=self.since,
            until=self.until,
            stages=self.stages,
        )

    @property
    def points_file(self) -> Path:
        """The file the fitted points come from."""
        return getattr(self, self.points)

    def load_points(self) -> pd.DataFrame:
        """All candidate points (before selection); see :func:`forecast.data.loaders.load_points`.

        Raises
        ------
        forecast.errors.DataError
            If the file is missing or invalid.
        """
        from forecast.data.loaders import load_points

        return load_points(self.points, self.points_file)

    def selected_points(self) -> pd.DataFrame:
        """The points the frontier rule and window select, in date order."""
        from forecast.data.selection import select

        return select(self.load_points(), self.selection())


class _LevelsWithYears:
    """A level given at a year (``level_flop`` at ``level_year``) needs both keys."""

    #: The table's key in a file, for messages.
    KEY: ClassVar[str]
    #: Each level key and the key of the year it applies to.
    LEVEL_YEARS: ClassVar[dict[str, str]]

    @model_validator(mode="wrap")
    @classmethod
    def _level_needs_its_year(
        cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> Any:
        found: list[Located] = []
        if context_of(info) and isinstance(data, dict):
            for level, year in cls.LEVEL_YEARS.items():
                if (level in data) != (year in data):
                    given, needed = (level, year) if level in data else (year, level)
                    found.append(((given,), f"{cls.KEY}.{given} needs {cls.KEY}.{needed} as well"))
        return validate_with(found, handler, data)


@dataclass(frozen=True, config=_CONFIG)
class TrendSpec(_LevelsWithYears):
    """The compute trend: eras, and optional overrides of the fitted slope and level.

    ``doubling_time_months`` replaces the fitted doubling time of the last era;
    ``level_flop`` (at decimal year ``level_year``) replaces the fitted level. With
    both given the trend needs no fit.
    """

    KEY: ClassVar[str] = "trend"
    LEVEL_YEARS: ClassVar[dict[str, str]] = {"level_flop": "level_year"}

    #: "eras": the slope is constant within each of K eras (``eras``, ``jump``); "drift":
    #: one slope that drifts from year to year by a fitted amount, so its interval carries
    #: how much the trend itself moves (``eras`` and ``jump`` are then not used).
    model: Annotated[TrendModel, choice(TREND_MODELS)] = "eras"
    eras: Annotated[int | Literal["auto"], checked(_eras)] = "auto"
    jump: Flag = False
    doubling_time_months: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(0.5, 1200.0),
            unit="months",
            why="the fastest era measured, 2012-2018, doubled about every 3.4 months; "
            "a century is no growth at all over a projection",
        ),
    ] = None
    level_flop: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, MAX_LEVEL_FLOP),
            unit="FLOP",
            why="the largest run by 2025 used about 5e26 FLOP; 1e40 is about what all the "
            "sunlight reaching Earth in a year could compute at the CMOS efficiency limit",
        ),
    ] = None
    level_year: Year | None = None
    #: "era": the current era's slope continues until a ceiling stops it. "hazard": a new
    #: era may begin at any time (a constant yearly hazard, ``era_hazard_per_year``), and
    #: from then the compute doubles every ``new_era_doubling_months``.
    forward: Annotated[Forward, choice(FORWARDS)] = "era"
    #: The yearly chance that the current era ends. Default: two changes of era in 70
    #: years of notable runs (1952-2022: the start of deep learning around 2010 and the
    #: large-scale runs of late 2015; Sevilla et al. 2022, 'Compute trends across three
    #: eras of machine learning'), 2 / 70 = 0.029 a year.
    era_hazard_per_year: Annotated[
        Param,
        Bound(
            0.0,
            range=(0.0, 1.0),
            unit="per year",
            why="a chance per year; 1 would end the era within about a year",
        ),
    ] = Fixed(2.0 / 70.0)
    #: The doubling time of a new era: from the fastest era measured (3.4 months,
    #: 2012-2018, OpenAI 2018) to Moore's law (24 months), uniform between them.
    new_era_doubling_months: Annotated[
        Param,
        Bound(
            0.0,
            range=(0.5, 1200.0),
            unit="months",
            why="the fastest era measured doubled about every 3.4 months; a century is no "
            "growth at all over a projection",
        ),
    ] = Uniform(3.4, 24.0)

    @field_validator("eras", "jump")
    @classmethod
    def _eras_belong_to_the_eras_model(cls, value: Any, info: ValidationInfo) -> Any:
        # A drifting slope has no eras: a file that sets them with it says something the
        # model would silently ignore.
        if context_of(info) and info.data.get("model") == "drift" and value not in ("auto", False):
            raise invalid(
                'applies to model = "eras"; a slope that drifts from '
                "year to year has no eras (leave it out)"
            )
        return value

    @property
    def needs_fit(self) -> bool:
        """False when both the level and the doubling time are given."""
        return self.doubling_time_months is None or self.level_flop is None

    def unused_keys(self) -> frozenset[str]:
        """Key paths of the inputs the forward rule does not read."""
        if self.forward == "hazard":
            return frozenset()
        return frozenset({"trend.era_hazard_per_year", "trend.new_era_doubling_months"})


#: The conversions of compute into dollars and watts (``[hardware] conversion``).
CONVERSIONS = ("datasheet", "realised")


@dataclass(frozen=True, config=_CONFIG)
class HardwareSpec(_LevelsWithYears):
    """Hardware trends (fitted unless overridden) and the per-run cost inputs.

    The overrides are ``None`` to use the fitted trend of ``data/hardware.csv`` at
    ``precision``. ``flops_per_usd`` is peak FLOP/s per dollar of chip price at
    ``flops_per_usd_year``; ``flops_per_watt`` is peak FLOP/s per watt (= FLOP/J) at
    ``flops_per_watt_year``.
    """

    KEY: ClassVar[str] = "hardware"
    LEVEL_YEARS: ClassVar[dict[str, str]] = {
        "flops_per_usd": "flops_per_usd_year",
        "flops_per_watt": "flops_per_watt_year",
    }

    precision: Annotated[Literal["fp32", "fp16", "ml"], choice(PRECISIONS)] = "ml"
    price_performance_doubling_years: Annotated[Param | None, _HW_DOUBLING_YEARS] = None
    flops_per_usd: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e-3, 1e30),
            unit="FLOP/s per USD",
            why="ENIAC gave about 1e-3 in 1946, 2025 accelerators about 3e10",
        ),
    ] = None
    flops_per_usd_year: Year | None = None
    efficiency_doubling_years: Annotated[Param | None, _HW_DOUBLING_YEARS] = None
    flops_per_watt: Annotated[
        Param | None,
        Bound(0.0, range=(1e-3, LANDAUER_FLOP_PER_JOULE), unit="FLOP/J", why=_FLOP_PER_JOULE),
    ] = None
    flops_per_watt_year: Year | None = None
    #: Ho et al. (2023), "Limits to the energy efficiency of CMOS microprocessors".
    efficiency_limit_flop_per_joule: Annotated[
        Param,
        Bound(
            0.0,
            allow_inf=True,
            range=(1e-3, LANDAUER_FLOP_PER_JOULE),
            unit="FLOP/J",
            why=_FLOP_PER_JOULE,
        ),
    ] = Fixed(4.7e15)
    #: Recent large runs: median model FLOP utilisation about 0.35-0.4 (Epoch AI).
    utilization: Annotated[Param, UNIT] = Beta(0.35, 0.08)
    training_days: Annotated[
        Param,
        Bound(
            0.0,
            range=(1.0, 3650.0),
            unit="days",
            why="frontier runs take months, and Epoch AI finds them well under 15; ten years "
            "would outlast the hardware",
        ),
    ] = Fixed(100.0)
    overhead: Annotated[
        Param,
        Bound(
            1.0,
            low_open=False,
            range=(1.0, 10.0),
            unit="x the chip cost",
            why="servers, interconnect and the rest add about 50%, per Cottier et al. 2024",
        ),
    ] = Fixed(1.5)
    lifetime_years: Annotated[
        Param,
        Bound(
            0.0,
            range=(0.25, 50.0),
            unit="years",
            why="accelerators are depreciated over 3-6 years",
        ),
    ] = Fixed(4.0)
    pue: Annotated[
        Param,
        Bound(
            1.0,
            low_open=False,
            range=(1.0, 5.0),
            why="data centres run at 1.1-1.6; at 5 four-fifths of the power would go to "
            "cooling and losses",
        ),
    ] = Fixed(1.2)
    electricity_usd_per_kwh: Annotated[
        Param,
        Bound(
            0.0,
            range=(1e-3, 10.0),
            unit="USD/kWh",
            why="industrial prices are about 0.03-0.30 USD/kWh; write dollars, not cents",
        ),
    ] = Fixed(0.08)
    #: How compute becomes dollars and watts: "datasheet" (peak FLOP/s per dollar and per
    #: watt of chips, at ``utilization``, times ``overhead`` and ``pue``, for
    #: ``training_days``) or "realised" (trends fitted to what frontier runs actually cost
    #: and drew, all-in, with a fitted training duration; see models/conversion.py).
    conversion: Annotated[Literal["datasheet", "realised"], choice(CONVERSIONS)] = "datasheet"
    #: The longest a training run can last under the realised conversion: Epoch AI, "The
    #: longest training run" (Sevilla et al. 2022): runs longer than about 15 months are
    #: overtaken by runs that start later on better hardware and algorithms.
    max_training_days: Annotated[
        Param,
        Bound(
            0.0,
            range=(30.0, 3650.0),
            unit="days",
            why="Epoch AI finds runs past about 15 months overtaken by later ones; ten years "
            "would outlast the hardware",
        ),
    ] = Fixed(456.0)

    #: Inputs only one conversion reads: the other ignores them (key paths). The hardware
    #: doubling times are read by both: under the realised conversion they replace the
    #: realised rates (:data:`forecast.project.engine.REALISED_RATE_KEYS`).
    USED_ONLY_BY: ClassVar[dict[str, frozenset[str]]] = {
        "datasheet": frozenset(
            f"hardware.{k}"
            for k in (
                "utilization",
                "training_days",
                "overhead",
                "lifetime_years",
                "pue",
                "electricity_usd_per_kwh",
                "flops_per_usd",
                "flops_per_watt",
            )
        ),
        "realised": frozenset({"hardware.max_training_days"}),
    }

    def unused_keys(self) -> frozenset[str]:
        """Key paths of the inputs the chosen conversion does not read."""
        other = "datasheet" if self.conversion == "realised" else "realised"
        return self.USED_ONLY_BY[other]

    @property
    def price_performance_needs_fit(self) -> bool:
        """False when both the price-performance level and its doubling time are given."""
        return self.price_performance_doubling_years is None or self.flops_per_usd is None

    @property
    def efficiency_needs_fit(self) -> bool:
        """False when both the energy-efficiency level and its doubling time are given."""
        return self.efficiency_doubling_years is None or self.flops_per_watt is None


# Keyword-only, so that the keys a constraint must have keep their place among the others.
@dataclass(frozen=True, kw_only=True, config=_CONFIG)
class Constraint:
    """One named ceiling on the largest run.

    Every kind has a limit L, a ``reference_year`` t_l, ``growth_per_year`` g and a
    ``share`` s that one run may take, and compares the run with

        limit(t) = s * L * (1 + g) ** (t - t_l) * (kind-specific factors)

    - ``spend``: the run's cost on ``basis`` (``capex`` unless given) against
      ``limit_usd``;
    - ``power``: the run's power draw against ``limit_watts`` times ``sites`` (sites one
      run may span, or 1 with a distributed limit) times ``split_efficiency`` (the share
      of its compute per watt a run keeps when split across sites);
    - ``chips``: the accelerators the run needs, C / (D * r) H100-equivalents for a run of
      C FLOP lasting D seconds at the realised ``flops_per_h100e`` r, against
      ``limit_h100e`` (a stock or a year's production, in H100-equivalents);
    - ``data``: the run's compute against the largest compute-optimal run the data
      allow, 6 N T = 6 T^2 / k with T = s * ``limit_tokens`` * ``epochs`` *
      ``modality_multiplier`` * ``synthetic_multiplier`` tokens (the stock grows by g, so
      this ceiling grows by (1 + g)^2 a year) and k = ``tokens_per_parameter``
      (Chinchilla: C = 6 N T, T = k N);
    - ``compute``: the run's compute against ``limit_flop`` directly; or, with
      ``limit_days`` D_l, a limit on FLOP per unit of training time (e.g. the latency wall:
      a minimum time per step caps the steps a run of a given duration can take): a run
      held back by it trains as long as a run may last, D_max (``max_training_days``, or
      ``training_days`` under the datasheet conversion), so its compute C is compared with
      s * ``limit_flop`` * D_max / D_l.
    """

    #: The limit key each kind takes (the others are refused).
    LIMITS: ClassVar[dict[str, str]] = {
        "spend": "limit_usd",
        "power": "limit_watts",
        "chips": "limit_h100e",
        "data": "limit_tokens",
        "compute": "limit_flop",
    }
    #: Keys only one kind takes (besides its limit), with the kind.
    EXTRAS: ClassVar[dict[str, str]] = {
        "sites": "power",
        "split_efficiency": "power",
        "flops_per_h100e": "chips",
        "tokens_per_parameter": "data",
        "epochs": "data",
        "modality_multiplier": "data",
        "synthetic_multiplier": "data",
        "limit_days": "compute",
    }
    #: Kind-specific keys that change what the ceiling is when given (no neutral value).
    OPTIONAL: ClassVar[tuple[str, ...]] = ("limit_days",)
    #: A kind's factor left out of the file: 1, but Chinchilla's 20 tokens per parameter.
    DEFAULTS: ClassVar[dict[str, float]] = {"tokens_per_parameter": 20.0}
    #: Keys a kind must have besides its limit.
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"chips": ("flops_per_h100e",)}

    name: Annotated[str, checked(_constraint_name), Required("a constraint needs a name")]
    kind: Annotated[
        Kind,
        choice(KINDS),
        Required('a constraint needs a kind ("spend", "power", "chips", "data" or "compute")'),
    ]
    basis: Annotated[Basis | None, choice(BASES)] = None
    limit_usd: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e18),
            unit="USD",
            why="world GDP is about 1e14 USD; 1e18 is ten thousand times that",
        ),
    ] = None
    limit_watts: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 2e17),
            unit="W",
            why="all the sunlight that reaches Earth is about 1.7e17 W",
        ),
    ] = None
    limit_h100e: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e13),
            unit="H100-equivalents",
            why="1e13 H100s would draw about 1e16 W, a hundred times all the world's power",
        ),
    ] = None
    limit_tokens: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e6, 1e22),
            unit="tokens",
            why="the indexed web holds about 5e14 tokens; 1e22 is ten million times that",
        ),
    ] = None
    limit_flop: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e15, 1e45),
            unit="FLOP",
            why="the largest run so far is about 5e26 FLOP; 1e45 is far past any physical limit "
            "discussed",
        ),
    ] = None
    reference_year: Annotated[
        Year, Required("a constraint needs reference_year (the year limit_* applies to)")
    ]
    # growth of -100% a year would make the limit zero
    growth_per_year: Annotated[
        Param,
        Bound(
            -1.0,
            range=(-0.5, 10.0),
            why="a ceiling halving, or growing elevenfold, every year for decades is beyond "
            "any budget or grid, and would leave floating-point range by the horizon",
        ),
    ] = Fixed(0.0)
    share: Annotated[Param, UNIT] = Fixed(1.0)
    sites: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e4),
            unit="sites",
            why="one run spread over more than ten thousand sites is no longer one run",
        ),
    ] = None
    split_efficiency: Annotated[Param | None, UNIT] = None
    flops_per_h100e: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e12, 1e17),
            unit="FLOP/s",
            why="an H100 peaks at about 1e15 FLOP/s (BF16); 1e17 is a hundred times its peak",
        ),
    ] = None
    tokens_per_parameter: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(0.1, 1e5),
            unit="tokens per parameter",
            why="compute-optimal training uses about 20 (Chinchilla); 1e5 is far beyond any "
            "overtrained model",
        ),
    ] = None
    epochs: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(0.01, 1e3),
            unit="epochs",
            why="beyond a few tens of epochs repeated data stops helping; 1000 is far past it",
        ),
    ] = None
    modality_multiplier: Annotated[
        Param | None,
        Bound(0.0, range=(0.01, 1e4), why="a factor on the token stock, not a stock itself"),
    ] = None
    synthetic_multiplier: Annotated[
        Param | None,
        Bound(0.0, range=(0.01, 1e4), why="a factor on the token stock, not a stock itself"),
    ] = None
    limit_days: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 3650.0),
            unit="days",
            why="the longest training runs so far lasted about 15 months; ten years is "
            "far beyond any run that would not be overtaken by a later, better one",
        ),
    ] = None

    @model_validator(mode="wrap")
    @classmethod
    def _keys_of_its_kind(
        cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> Any:
        """A spend ceiling takes limit_usd and a basis; a power ceiling limit_watts only."""
        if not (context_of(info) and isinstance(data, dict)):
            return handler(data)
        data, kind, found = dict(data), data.get("kind"), []
        limit = cls.LIMITS.get(kind) if isinstance(kind, str) else None
        for key in cls.refused_keys(kind):
            if key in data and limit is not None:
                how = f"{limit}, not {key}" if key in cls.LIMITS.values() else f"no {key}"
                found.append(((key,), f"a {kind} constraint takes {how}"))
            data.pop(key, None)  # without a valid kind, not looked at
        if limit is not None and limit not in data:
            found.append(((limit,), missing(f"a {kind} constraint needs {limit}")))
        for key in cls.NEEDS.get(kind, ()) if limit is not None else ():
            if key not in data:
                found.append(((key,), missing(f"a {kind} constraint needs {key}")))
        if kind == "spend":
            data.setdefault("basis", "capex")
        return validate_with(found, handler, data)

    @classmethod
    def refused_keys(cls, kind: Any) -> tuple[str, ...]:
        """The keys a constraint of ``kind`` does not take.

        Parameters
        ----------
        kind : Any
            As a file gives it.

        Returns
        -------
        tuple of str
            The other kinds' limits and keys (and, but for spend, ``basis``); all the
            keys that depend on the kind when ``kind`` is not a valid one.
        """
        keys = (*cls.LIMITS.values(), *cls.EXTRAS, "basis")
        limit = cls.LIMITS.get(kind) if isinstance(kind, str) else None
        if limit is None:
            return keys
        return tuple(
            k
            for k in keys
            if k != limit and not (k == "basis" and kind == "spend") and cls.EXTRAS.get(k) != kind
        )

    def factor(self, key: str) -> Param:
        """A kind-specific input, or its neutral default (1; Chinchilla's 20 tokens per
        parameter) where the file leaves it out."""
        value = getattr(self, key)
        return value if value is not None else Fixed(self.DEFAULTS.get(key, 1.0))

    @property
    def limit(self) -> Param:
        """The kind's limit: ``limit_usd``, ``limit_watts``, ``limit_h100e``, ... ."""
        value = getattr(self, self.LIMITS[self.kind])
        assert value is not None  # guaranteed by validation
        return value


@dataclass(frozen=True, config=_CONFIG)
class SamplerSettings:
    """MCMC settings of a fit: the ``[sampler]`` table of a scenario.

    The one settings class: :mod:`forecast.models` samples with it (and builds its own,
    e.g. lighter screening fits, in code, where the file limits do not apply).
    """

    chains: Annotated[
        int,
        whole(
            *SAMPLER_CHAINS,
            why="more chains only add run time; 4 are enough to check convergence",
        ),
    ] = 4
    draws: Annotated[
        int,
        whole(
            *SAMPLER_DRAWS,
            why="draws per chain: below 100 an 80% interval is noise, above 100,000 more "
            "add nothing",
        ),
    ] = 1000
    tune: Annotated[
        int,
        whole(*SAMPLER_TUNE, why="warm-up steps per chain; more than 100,000 only adds run time"),
    ] = 1000
    target_accept: Annotated[float, TARGET_ACCEPT_BOUND] = 0.9
    #: "pymc" (PyMC's NUTS) or "nutpie" (the optional extra).
    backend: Annotated[Backend, choice(BACKENDS)] = "pymc"

    @field_validator("draws")
    @classmethod
    def _posterior_fits_in_memory(cls, draws: int, info: ValidationInfo) -> int:
        # A rejected chains is not in info.data: its default stands in.
        chains = info.data.get("chains", default_of(cls, "chains"))
        if context_of(info) and draws * chains > MAX_POSTERIOR_DRAWS:
            raise invalid(
                f"chains x draws = {chains * draws:,} posterior draws; at most "
                f"{MAX_POSTERIOR_DRAWS:,} (the projection uses every posterior draw, and its "
                "draws x years arrays must fit in memory)"
            )
        return draws

    def key(self) -> dict:
        """The settings as a dict, for cache keys."""
        return dataclasses.asdict(self)


def _sources(value: Any, info: ValidationInfo) -> dict[str, str]:
    """``[sources]``: text for keys (or whole tables) the file sets."""
    if not isinstance(value, dict):
        raise invalid(f"expected a table, got {kind_of(value)}")
    set_keys = context_of(info).set_keys  # type: ignore[union-attr]
    # A source may document a key or a whole table (`"constraints.World budget"`).
    known = set(set_keys)
    for key in set_keys:
        parts = key.split(".")
        known.update(".".join(parts[:i]) for i in range(1, len(parts)))
    found: list[Located] = []
    for key, text in value.items():
        if key not in known:
            found.append(
                (
                    (key,),
                    f"the source for {key!r} names a key the file does not set"
                    f"{did_you_mean(key, set_keys) or did_you_mean(key, known)}",
                )
            )
        if not isinstance(text, str) or not text.strip():
            found.append(((key,), f"expected the source as text, got {kind_of(text)}"))
    if found:
        raise problems(found)
    return value


def _horizon_problems(horizon: int | None, until: dt.date | None) -> list[Located]:
    """The horizon must lie after the data's last year, and not beyond MAX_HORIZON."""
    if horizon is None:
        return []
    if until is not None:
        last, what = until.year, f"the year of data.until ({until})"
    else:
        last, what = dt.date.today().year, "the current year (data.until is not set)"
    year = int_text(horizon, commas=False)
    if horizon <= last:
        return [(("horizon",), f"horizon {year} must be after {what}")]
    if horizon > MAX_HORIZON:
        why = f"the last year allowed ({HORIZON_WHY})"
        return [(("horizon",), f"horizon {year} is beyond {MAX_HORIZON}, {why}")]
    return []


@dataclass(frozen=True, config=_CONFIG)
class ScenarioFile:
    """What a scenario file may say: its keys, defaults and rules.

    :class:`Scenario` adds where the file came from. The keys are in the order the
    rules need: the horizon before the trend that must stay in range up to it.
    """

    name: Text | None = Field(None, validate_default=True)
    description: Text = ""
    seed: Annotated[int, whole(0, MAX_SEED, "a 32-bit sampler seed")] = 0
    # An absent table is validated as an empty one, so that its defaults are checked
    # too (the default data files must be there).
    data: DataSpec = Field(default_factory=dict, validate_default=True)
    horizon: Horizon = 2045
    trend: TrendSpec = Field(default_factory=dict, validate_default=True)
    hardware: HardwareSpec = Field(default_factory=dict, validate_default=True)
    # Required in a file, reported by its own rule (an absent key leaves the tuple).
    constraints: tuple[Constraint, ...] = Field((), validate_default=True)
    sampler: SamplerSettings = Field(default_factory=dict, validate_default=True)
    sources: Annotated[dict[str, str], checked(_sources)] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, name: str | None, info: ValidationInfo) -> str | None:
        """The scenario name: a slug, since it becomes the folder ``reports/<name>/``.

        Without ``name`` the file's stem is used, and must itself be a slug: it is
        reported rather than silently rewritten, so that two files never share a
        report folder by surprise (the message suggests a slug to set).
        """
        context = context_of(info)
        if context is None:
            return name
        if name is None:
            if not NAME_PATTERN.fullmatch(context.stem):
                raise invalid(
                    f"not set, and the file name {context.stem!r} cannot stand in for it: a "
                    f'name {NAME_RULE}; set name = "{_slug(context.stem)}" or rename the file'
                )
            return context.stem
        if not NAME_PATTERN.fullmatch(name):
            raise invalid(f"{NAME_RULE} (got {name!r})")
        return name

    @model_validator(mode="wrap")
    @classmethod
    def _horizon_after_the_data(
        cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> Any:
        """The horizon lies after the data's last year (and not beyond MAX_HORIZON).

        Read from the file's values, a rejected one standing at its default, so that a
        problem elsewhere in ``[data]`` does not hide this one.
        """
        found: list[Located] = []
        if context_of(info) and isinstance(data, dict):
            horizon = accepted(Horizon, data.get("horizon", default_of(cls, "horizon")), info)
            table = data.get("data")
            until = table.get("until") if isinstance(table, dict) else None
            found = _horizon_problems(horizon, accepted(Date | None, until, info))
        return validate_with(found, handler, data)

    @field_validator("hardware")
    @classmethod
    def _realised_needs_the_runs(cls, hardware: HardwareSpec, info: ValidationInfo):
        """The realised conversion is fitted to runs with published hardware figures: the
        2018 chart's points have none."""
        data = info.data.get("data")
        if (
            context_of(info)
            and hardware.conversion == "realised"
            and data is not None
            and data.points != "runs"
        ):
            raise problems(
                [
                    (
                        ("conversion",),
                        'conversion = "realised" needs data.points = "runs": the 2018 chart '
                        "publishes no hardware, power or cost of its runs",
                    )
                ]
            )
        return hardware

    @field_validator("trend")
    @classmethod
    def _trend_stays_in_range(cls, trend: TrendSpec, info: ValidationInfo) -> TrendSpec:
        """A given trend must stay inside floating-point range up to the horizon.

        Each of level, level year, doubling time and horizon may be sensible on its own
        and still, together, give a run of 1e1000 FLOP, which overflows in the costs and
        figures. Checked at the 99.9% quantile of the level and the 0.1% quantile of the
        doubling time (the same tails as the parameter ranges).
        """
        level, doubling = trend.level_flop, trend.doubling_time_months
        if not context_of(info) or level is None or doubling is None:
            return trend
        horizon = info.data.get("horizon", default_of(cls, "horizon"))
        if trend.level_year is None or not trend.level_year < horizon <= MAX_HORIZON:
            return trend  # nothing to extrapolate, or the horizon is already reported
        top = level.median() if level.is_fixed else float(level.ppf(Bound.TAILS[1]))
        fast = doubling.median() if doubling.is_fixed else float(doubling.ppf(Bound.TAILS[0]))
        reach = math.log10(top) + (horizon - trend.level_year) * slope_from_doubling_months(fast)
        if reach > MAX_TREND_LOG10_FLOP:
            message = (
                f"the trend would reach 1e{reach:.0f} FLOP by the horizon ({horizon}); at "
                f"most 1e{MAX_TREND_LOG10_FLOP:.0f} FLOP, so that costs and power stay "
                "inside floating-point range (about 1e308): lengthen the doubling time, "
                "lower trend.level_flop or bring the horizon closer"
            )
            raise problems([(("doubling_time_months",), message)])
        return trend

    @field_validator("constraints", mode="wrap")
    @classmethod
    def _constraint_tables(
        cls, tables: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> tuple[Constraint, ...]:
        """One to MAX_CONSTRAINTS [[constraints]] tables, each with a name of its own."""
        if not context_of(info):
            return handler(tables)
        if isinstance(tables, tuple):  # the default: TOML gives arrays as lists
            raise invalid("at least one [[constraints]] table is needed (a spend or power ceiling)")
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise invalid(f"expected [[constraints]] tables, got {kind_of(tables)}")
        if not tables:
            raise invalid("at least one [[constraints]] table is needed")
        if len(tables) > MAX_CONSTRAINTS:
            message = (
                f"{len(tables)} constraints; at most {MAX_CONSTRAINTS} (each is a row of the "
                "briefing's tables and a colour in its figures; compare scenarios instead)"
            )
            raise problems([((MAX_CONSTRAINTS,), message)])
        _, duplicates = constraint_names(tables)
        found: list[Located] = [
            (
                (i, "name"),
                f"duplicate constraint name {tables[i]['name']!r} (also used by "
                f"constraint {j + 1})",
            )
            for i, j in duplicates.items()
        ]
        return validate_with(found, handler, tables)


@dataclass(frozen=True, config=_CONFIG)
class Scenario(ScenarioFile):
    """A validated scenario.

    ``path`` is the file it was read from (resolved); ``sha256`` the hash of the file's
    bytes (reported in ``summary.json``); ``set_keys`` lists the key paths the file
    itself sets (the rest are defaults).
    """

    path: Path | None = None
    sha256: str = ""
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

    def unused_keys(self) -> frozenset[str]:
        """Key paths of the inputs this scenario's choices do not read (the conversion's,
        the forward rule's): they are left out of assumptions, sweeps and rankings."""
        return self.hardware.unused_keys() | self.trend.unused_keys()

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


def _param_bounds(table: type) -> dict[str, Bound]:
    """The parameter fields of ``table`` (those holding a :class:`Param`) and their bounds."""
    return {
        key: next(m for m in field.metadata if isinstance(m, Bound))
        for key, field in table.__pydantic_fields__.items()
        if holds_param(field.annotation)
    }


#: Every scalar parameter field, per section, with its allowed range, in field order
#: (the order :func:`parameters` gives them in, and the draws are taken in).
PARAM_BOUNDS: dict[str, dict[str, Bound]] = {
    "trend": _param_bounds(TrendSpec),
    "hardware": _param_bounds(HardwareSpec),
    "constraints": _param_bounds(Constraint),
}


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
    if index is None:
        spec = getattr(scenario, section)
        year = spec.LEVEL_YEARS.get(key)
        if year is not None and getattr(spec, year) is None:
            issue = f"a level needs its year: set {section}.{year} in the scenario"
    else:
        c = scenario.constraints[index]
        if key in Constraint.refused_keys(c.kind):
            issue = f"a {c.kind} constraint takes no {key}"
    if issue:
        raise ScenarioError(f"{key_path}: {issue}", [Problem(file, issue, None, key_path)])
    sources = {k: v for k, v in scenario.sources.items() if k != key_path}
    if index is None:
        spec = dataclasses.replace(getattr(scenario, section), **{key: value})
        return dataclasses.replace(scenario, **{section: spec}, sources=sources)
    constraints = list(scenario.constraints)
    constraints[index] = dataclasses.replace(constraints[index], **{key: value})
    return dataclasses.replace(scenario, constraints=tuple(constraints), sources=sources)
