"""The ``[hardware]`` table: hardware trends, the per-run cost inputs and the conversion."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic.dataclasses import dataclass

from forecast.data.hardware import PRECISIONS
from forecast.scenario.params import Beta, Fixed, Param
from forecast.scenario.schema.base import CONFIG, UNIT, LevelsWithYears
from forecast.scenario.values import Bound, Year, choice

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
#: One bit erased per operation at room temperature costs kT ln 2 = 2.9e-21 J
#: (Landauer): 3.5e20 operations per joule is the physical ceiling for irreversible logic.
LANDAUER_FLOP_PER_JOULE = 3.5e20
_FLOP_PER_JOULE = (
    "ENIAC did about 3e-3 FLOP/J in 1946; the Landauer limit at room temperature is 3.5e20 FLOP/J"
)

#: The conversions of compute into dollars and watts (``[hardware] conversion``).
CONVERSIONS = ("datasheet", "realised")


@dataclass(frozen=True, config=CONFIG)
class HardwareSpec(LevelsWithYears):
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
