"""What the tables of a scenario file share: unknown keys refused, a level with its year."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import ConfigDict, ValidationInfo, model_validator

from forecast.scenario.values import Bound, Located, context_of, validate_with

POSITIVE = Bound(0.0)
UNIT = Bound(0.0, 1.0, low_open=True, high_open=False)

#: Unknown keys are errors; a validated scenario does not change.
CONFIG = ConfigDict(extra="forbid")


class LevelsWithYears:
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
