"""Scenarios: TOML files -> typed, validated :class:`Scenario` objects; uncertain parameters.

See :mod:`forecast.scenario.schema` for the file format and key paths,
:mod:`forecast.scenario.load` for reading a file (or its text), and
:mod:`forecast.scenario.params` for the distribution tables.
"""

from forecast.scenario.load import check_scenario, load_scenario, scenario_from_text
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
    SamplerSettings,
    Scenario,
    ScenarioFile,
    TrendSpec,
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
    "SamplerSettings",
    "Scenario",
    "ScenarioFile",
    "Triangular",
    "TrendSpec",
    "Uniform",
    "check_scenario",
    "load_scenario",
    "parameters",
    "parse_param",
    "scenario_from_text",
    "with_param",
]
