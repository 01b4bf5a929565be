"""The ``[trend]`` table: the compute trend's model, overrides of its fit, how it runs forward."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from forecast.scenario.params import Fixed, Param, Uniform
from forecast.scenario.schema.base import CONFIG, LevelsWithYears
from forecast.scenario.values import (
    Bound,
    Flag,
    Year,
    checked,
    choice,
    context_of,
    invalid,
    is_number,
    kind_of,
)

Forward = Literal["era", "hazard"]
TrendModel = Literal["eras", "drift"]
#: The model of the compute trend (``[trend] model``): K eras with breakpoints, or one
#: slope that drifts from year to year (a local linear trend; see forecast/models/trend.py).
TREND_MODELS: tuple[str, ...] = ("eras", "drift")
#: How the compute trend runs forward (``[trend] forward``): the current era's slope for
#: ever, or with a hazard of a new era whose slope is drawn anew.
FORWARDS: tuple[str, ...] = ("era", "hazard")
#: About all the sunlight that reaches Earth in a year (1.7e17 W x 3.2e7 s) turned into
#: FLOP at the CMOS efficiency limit (4.7e15 FLOP/J): 2.5e40.
MAX_LEVEL_FLOP = 1e40


def _eras(value: Any, info: ValidationInfo) -> int | str:
    if value == "auto" or (is_number(value) and isinstance(value, int) and 1 <= value <= 3):
        return value
    raise invalid(f'must be 1, 2, 3 or "auto", got {kind_of(value)}')


@dataclass(frozen=True, config=CONFIG)
class TrendSpec(LevelsWithYears):
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
