"""The kinds of value a scenario key takes, each with its rule and its messages.

A key's type is an ``Annotated`` type whose metadata is its rule: :data:`Text`,
:data:`Flag`, :data:`Year`, :data:`Date`, :func:`whole` (an integer in a range),
:func:`choice` (one of some words) and :class:`Bound` (a number or a
:class:`~forecast.scenario.params.Param` within a range). Each rule raises a
:class:`~pydantic_core.PydanticCustomError` holding the message a user reads.

The rules apply to what a file says, that is when pydantic validates with a
:class:`Context`; a value set in code (``dataclasses.replace``) passes as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, get_args

import numpy as np
from pydantic import PlainValidator, TypeAdapter, ValidationError, ValidationInfo
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from forecast.data.cells import plain_number
from forecast.scenario.params import (
    DISTRIBUTIONS,
    Fixed,
    Param,
    ParamError,
    did_you_mean,
    parse_param,
)

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


# -- validating what a file says -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Context:
    """What the rules need to know about the file being validated (pydantic's ``context``).

    Its presence is what turns the rules on: a scenario built in code has none.
    """

    #: The file's folder: relative data paths are resolved against it.
    base: Path
    #: The file's stem, which names the scenario when ``name`` is not set.
    stem: str
    #: Whether to look for the data files the scenario names (never opened here).
    check_data: bool
    #: The key paths the file sets, which ``[sources]`` may document.
    set_keys: tuple[str, ...]


def context_of(info: ValidationInfo) -> Context | None:
    """The file's :class:`Context`, or None when the value was set in code."""
    return info.context if isinstance(info.context, Context) else None


def invalid(message: str) -> PydanticCustomError:
    """A problem with one key, its message exactly as the user reads it."""
    # The message goes through the context: a template would read its braces as fields.
    return PydanticCustomError("scenario", "{message}", {"message": message})


#: A problem a rule found: where, relative to the value validated, and the message.
Located = tuple[tuple[str | int, ...], "str | PydanticCustomError"]


def missing(message: str) -> PydanticCustomError:
    """A key the table needs is missing (reported at its table, as pydantic's own are)."""
    return PydanticCustomError("missing", "{message}", {"message": message})


def problems(found: Iterable[Located], also: ValidationError | None = None) -> ValidationError:
    """One error holding several problems (a validator may raise only one exception).

    Parameters
    ----------
    found : iterable of (loc, message)
        Problems a rule found; ``loc`` is relative to the value being validated, so
        pydantic prefixes it with that value's own location.
    also : ValidationError, optional
        The problems pydantic found in the same value, kept (type, message, location),
        so that a rule reports alongside them rather than instead of them.

    Returns
    -------
    pydantic.ValidationError
        To be raised by the validator.
    """
    details = [
        InitErrorDetails(
            type=PydanticCustomError(e["type"], "{message}", {"message": e["msg"]}),
            loc=e["loc"],
            input=e["input"],
        )
        for e in (also.errors() if also is not None else ())
    ]
    details += [
        InitErrorDetails(type=invalid(m) if isinstance(m, str) else m, loc=loc, input=None)
        for loc, m in found
    ]
    return ValidationError.from_exception_data("scenario", details)


def validate_with(found: list[Located], handler: Callable[[Any], Any], value: Any) -> Any:
    """``handler(value)`` (the rest of a wrap validator), with ``found`` reported alongside.

    Parameters
    ----------
    found : list of (loc, message)
        What a rule found in ``value`` before it is validated.
    handler : callable
        pydantic's validation of ``value``.
    value : Any
        The table, as the file gives it.

    Returns
    -------
    Any
        The validated value, when neither the rule nor pydantic found a problem.

    Raises
    ------
    pydantic.ValidationError
        With every problem of both.
    """
    try:
        result = handler(value)
    except ValidationError as exc:
        raise problems(found, exc) from None
    if found:
        raise problems(found)
    return result


def checked(check: Callable[[Any, ValidationInfo], Any]) -> PlainValidator:
    """A key's rule as ``Annotated`` metadata.

    Parameters
    ----------
    check : callable
        ``check(value, info)`` returns the value as the scenario keeps it, or raises
        :func:`invalid`.

    Returns
    -------
    pydantic.PlainValidator
        Applying ``check`` to a file's value; a value set in code passes as it is.
    """

    def validate(value: Any, info: ValidationInfo) -> Any:
        return check(value, info) if context_of(info) else value

    return PlainValidator(validate)


@dataclasses.dataclass(frozen=True)
class Required:
    """Marks a key its table must have; ``message`` is the problem when it is missing."""

    message: str


def default_of(table: type, key: str) -> Any:
    """The default of ``table``'s ``key`` (written once, on the field)."""
    return table.__pydantic_fields__[key].get_default(call_default_factory=True)


# -- values: what each kind of key accepts -------------------------------------------------


def kind_of(value: Any) -> str:
    """What ``value`` is, in the words of a message: ``"a string ('many')"``."""
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


def is_number(value: Any) -> bool:
    """True for an int or float (TOML's ``true`` is a bool, and a mistake, not 1)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def int_text(value: int, commas: bool = True) -> str:
    """An integer for a message: 1e300 written for an integer arrives as a 301-digit int."""
    if abs(value) >= 10**15:
        return plain_number(float(value))
    return f"{value:,}" if commas else str(value)


def string(value: Any, info: ValidationInfo | None = None) -> str:
    """A string (the rule of :data:`Text`)."""
    if not isinstance(value, str):
        raise invalid(f"expected a string, got {kind_of(value)}")
    return value


def boolean(value: Any, info: ValidationInfo) -> bool:
    """``true`` or ``false`` (the rule of :data:`Flag`)."""
    if not isinstance(value, bool):
        raise invalid(f"expected true or false, got {kind_of(value)}")
    return value


def number(value: Any) -> float:
    """A number, as a float; ``nan`` is refused (it would poison every comparison)."""
    if not is_number(value):
        raise invalid(f"expected a number, got {kind_of(value)}")
    value = float(value)
    if math.isnan(value):
        raise invalid("must be a number, got nan")
    return value


def calendar_year(value: Any, info: ValidationInfo) -> float:
    """A decimal year in :data:`YEAR_RANGE` (the rule of :data:`Year`)."""
    year = number(value)
    if not math.isfinite(year):
        raise invalid(f"must be a finite number, got {year}")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise invalid(
            f"expected a year between {YEAR_RANGE[0]:g} and {YEAR_RANGE[1]:g} "
            f"({YEAR_WHY}), got {year:g}"
        )
    return year


def calendar_date(value: Any, info: ValidationInfo) -> dt.date:
    """A TOML date (or ``"YYYY-MM-DD"``) in :data:`DATE_RANGE` (the rule of :data:`Date`)."""
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
        raise invalid(f"expected a date YYYY-MM-DD, got {kind_of(value)}")
    # TOML dates run from year 1 to 9999; the selection compares them with
    # nanosecond timestamps, which only span 1677-2262.
    first, last = DATE_RANGE
    if not first <= date <= last:
        raise invalid(f"expected a date between {first} and {last} ({DATE_WHY}), got {date}")
    return date


def whole(low: int | None = None, high: int | None = None, why: str = "") -> PlainValidator:
    """The rule of an integer key.

    Parameters
    ----------
    low, high : int, optional
        The smallest and largest values allowed.
    why : str
        The reason for the limits, said in the message.

    Returns
    -------
    pydantic.PlainValidator
        Taking an integer, or a float with an integer value (``draws = 1e3``).
    """
    reason = f" ({why})" if why else ""

    def check(value: Any, info: ValidationInfo) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # `draws = 1e3`
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(f"expected an integer, got {kind_of(value)}")
        if low is not None and value < low:
            raise invalid(f"must be at least {low:,}{reason}, got {int_text(value)}")
        if high is not None and value > high:
            raise invalid(f"must be at most {high:,}{reason}, got {int_text(value)}")
        return value

    return checked(check)


def choice(options: tuple[str, ...]) -> PlainValidator:
    """The rule of a key that takes one of ``options`` (a near miss gets a suggestion)."""

    def check(value: Any, info: ValidationInfo) -> str:
        value = string(value)
        if value not in options:
            raise invalid(
                f"unknown value {value!r}{did_you_mean(value, options)} "
                f"(expected one of {', '.join(options)})"
            )
        return value

    return checked(check)


def choices(options: tuple[str, ...]) -> PlainValidator:
    """The rule of a key that takes a non-empty list of distinct ``options``."""

    def check(value: Any, info: ValidationInfo) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise invalid(f"expected a non-empty list of {', '.join(options)}")
        out = []
        for item in value:
            item = string(item)
            if item not in options:
                raise invalid(
                    f"unknown value {item!r}{did_you_mean(item, options)} "
                    f"(expected some of {', '.join(options)})"
                )
            if item in out:
                raise invalid(f"{item!r} is listed twice")
            out.append(item)
        return tuple(out)

    return checked(check)


def accepted(annotation: Any, value: Any, info: ValidationInfo) -> Any:
    """``value`` as a key of type ``annotation`` takes it, or None if that rejects it.

    For a rule that looks at a key of another table (whose own problem, if any, is
    reported where it is).
    """
    try:
        return _adapter(annotation).validate_python(value, context=info.context)
    except ValidationError:
        return None


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter:
    return TypeAdapter(annotation)


#: The types of keys; a ``Param`` key is ``Annotated[Param, Bound(...)]``.
Text = Annotated[str, checked(string)]
Flag = Annotated[bool, checked(boolean)]
Year = Annotated[float, checked(calendar_year)]
Date = Annotated[dt.date, checked(calendar_date)]


# -- ranges of numbers and parameters -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
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

    As ``Annotated`` metadata it is a field's rule: ``Annotated[Param, UNIT]`` takes a
    number or a distribution table (:func:`~forecast.scenario.params.parse_param`),
    ``Annotated[float, UNIT]`` a number only, and either must be within the bound.
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

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        takes_param = holds_param(source)

        def check(value: Any, info: ValidationInfo) -> Any:
            if value is None or not context_of(info):
                return value
            if takes_param:
                try:
                    value = parse_param(value)
                except ParamError as exc:
                    raise invalid(exc.reason) from None
                issue = self.problem(value)
            else:
                value = number(value)
                issue = self.problem(Fixed(value))
            if issue:
                raise invalid(issue)
            return value

        return core_schema.with_info_plain_validator_function(check)


def holds_param(annotation: Any) -> bool:
    """True for ``Param`` and ``Param | None``: a key that takes a distribution table."""
    return annotation is Param or Param in get_args(annotation)
