"""The file as a whole: :class:`ScenarioFile`, :class:`Scenario`, parameters by key path.

:class:`ScenarioFile` holds the keys of the file itself (``name``, ``description``,
``seed``, ``horizon``, ``[sources]``) and its tables, with the rules that span tables;
:class:`Scenario` adds where the file came from. :func:`parameters` and
:func:`with_param` read and replace its scalar parameters by key path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass

from forecast.data.units import slope_from_doubling_months
from forecast.errors import Problem, ScenarioError
from forecast.scenario.params import Param, ParamError, did_you_mean, parse_param
from forecast.scenario.schema.base import CONFIG
from forecast.scenario.schema.constraints import MAX_CONSTRAINTS, Constraint, constraint_names
from forecast.scenario.schema.data import DataSpec
from forecast.scenario.schema.hardware import HardwareSpec
from forecast.scenario.schema.sampler import SamplerSettings
from forecast.scenario.schema.trend import TrendSpec
from forecast.scenario.values import (
    Bound,
    Date,
    Located,
    Text,
    accepted,
    checked,
    context_of,
    default_of,
    holds_param,
    int_text,
    invalid,
    kind_of,
    problems,
    validate_with,
    whole,
)

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
#: Seeds: the samplers take 32-bit seeds (the same limit as --seed).
MAX_SEED = 2**32 - 1
#: The largest compute the given trend may reach by the horizon. Nothing physical (the
#: trend is the counterfactual without ceilings), but every derived number (cost, power)
#: must stay inside floating-point range (about 1.8e308) with room to spare.
MAX_TREND_LOG10_FLOP = 200.0

Horizon = Annotated[int, whole()]


def _slug(text: str) -> str:
    """A valid scenario name made from ``text`` (to suggest in a message)."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.casefold()).strip("-._")[:64]
    return slug or "my-scenario"


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


@dataclass(frozen=True, config=CONFIG)
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


@dataclass(frozen=True, config=CONFIG)
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
        Overrides left to the fit (``None``) are omitted, and so are the inputs a
        ``cluster`` ceiling leaves to the data (its default growth and share are not
        assumptions: the fit replaces them).
    """
    out: dict[str, Param] = {}
    for section in ("trend", "hardware"):
        spec = getattr(scenario, section)
        for key in PARAM_BOUNDS[section]:
            value = getattr(spec, key)
            if value is not None:
                out[f"{section}.{key}"] = value
    for c in scenario.constraints:
        fitted = c.left_to_data(scenario.set_keys)
        for key in PARAM_BOUNDS["constraints"]:
            value = getattr(c, key)
            if value is not None and key not in fitted:
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
