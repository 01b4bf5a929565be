"""Scenarios: TOML files -> typed, validated :class:`Scenario` objects; uncertain parameters.

See :mod:`forecast.scenario.schema` for the file format and key paths, and
:mod:`forecast.scenario.params` for the distribution tables.
"""

from forecast.scenario.params import (
    DISTRIBUTIONS,
    Beta,
    Fixed,
    LogNormal,
    Normal,
    Param,
    ParamError,
    Triangular,
    Uniform,
    parse_param,
)
from forecast.scenario.schema import (
    PARAM_BOUNDS,
    Bound,
    Constraint,
    DataSpec,
    HardwareSpec,
    SamplerSpec,
    Scenario,
    TrendSpec,
    check_scenario,
    load_scenario,
    parameters,
    with_param,
)

__all__ = [
    "DISTRIBUTIONS",
    "PARAM_BOUNDS",
    "Beta",
    "Bound",
    "Constraint",
    "DataSpec",
    "Fixed",
    "HardwareSpec",
    "LogNormal",
    "Normal",
    "Param",
    "ParamError",
    "SamplerSpec",
    "Scenario",
    "Triangular",
    "TrendSpec",
    "Uniform",
    "check_scenario",
    "load_scenario",
    "parameters",
    "parse_param",
    "with_param",
]
