"""Parsers of one CSV cell: each returns a typed value or raises ValueError("expected ...").

The plausible ranges of the numbers are each far beyond any real value but far below absurd
ones, so that a typo (1e300, an extra digit in the exponent, TFLOPS written for FLOP/s,
billions for dollars) is caught, with the reason, instead of becoming the record holder or a
broken fit; each file's ranges are in its loader's module.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

Parser = Callable[[str], Any]
#: No run was trained before the first electronic computers (the data start in 1950).
FIRST_DATE = dt.date(1940, 1, 1)
#: Chips: the largest clusters of 2025 have a few hundred thousand accelerators;
#: ten million is more than the world makes in a year.
MAX_CHIP_COUNT = 1e7


def text(cell: str) -> str:
    if not cell.strip():
        raise ValueError("expected a non-empty text")
    return cell.strip()


def optional_text(cell: str) -> str:
    return cell.strip()


def date(cell: str, today: dt.date | None = None) -> dt.date:
    try:
        value = dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {cell!r}") from None
    if value > (today or dt.date.today()):
        raise ValueError(f"date {value} is in the future")
    if value < FIRST_DATE:
        raise ValueError(
            f"date {value} is before {FIRST_DATE}: no run was trained before the first "
            "electronic computers"
        )
    return value


def positive(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ValueError(f"expected a positive number, got {cell!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a positive finite number, got {cell!r}")
    return value


def plain_number(x: float) -> str:
    """A number for a message, as a user would type it.

    Parameters
    ----------
    x : float

    Returns
    -------
    str
        Four significant digits, exponent without ``+`` or leading zeros: ``1e31``,
        ``1e9``, ``3650``, ``0.5``, ``3.5e20``.
    """
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{x:.4g}")


def between(low: float, high: float, unit: str, why: str, optional: bool = False) -> Parser:
    """A parser of positive numbers in ``[low, high]``; the message gives the reason."""

    def parse(cell: str) -> float:
        if optional and not cell.strip():
            return math.nan
        value = positive(cell)
        if not low <= value <= high:
            raise ValueError(
                f"expected {plain_number(low)} to {plain_number(high)} {unit} ({why}), "
                f"got {cell.strip()!r}"
            )
        return value

    return parse


def optional_count(cell: str) -> float:
    if not cell.strip():
        return math.nan
    try:
        value = positive(cell)
    except ValueError:
        raise ValueError(f"expected a positive whole number of chips, got {cell!r}") from None
    if not value.is_integer():
        raise ValueError(f"expected a whole number of chips, got {cell!r}")
    if value > MAX_CHIP_COUNT:
        raise ValueError(
            f"expected at most {plain_number(MAX_CHIP_COUNT)} chips (more than the world "
            f"makes in a year), got {cell!r}"
        )
    return value


def choice(options: Sequence[str], optional: bool = False) -> Parser:
    def parse(cell: str) -> str:
        value = cell.strip()
        if optional and not value:
            return ""
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}; got {cell!r}")
        return value

    return parse


def url(cell: str) -> str:
    value = cell.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected a link starting with http(s)://, got {cell!r}")
    return value


def boolean(cell: str) -> bool:
    value = cell.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, got {cell!r}")
    return value == "true"
