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
(:data:`PARAM_BOUNDS`, the sampler and date limits of each module): far beyond anything
plausible, well inside what the arithmetic carries, so a typo fails at ``check``.

Layout
------
One module a table: :mod:`~forecast.scenario.schema.data` (``[data]``),
:mod:`~forecast.scenario.schema.trend`, :mod:`~forecast.scenario.schema.hardware`,
:mod:`~forecast.scenario.schema.constraints` (``[[constraints]]``) and
:mod:`~forecast.scenario.schema.sampler`; :mod:`~forecast.scenario.schema.scenario` holds
the file itself (name, horizon, ``[sources]``), :class:`Scenario` and the parameters by key
path, and :mod:`~forecast.scenario.schema.base` what the tables share. Every name is
importable from here.
"""

from forecast.scenario.schema.base import POSITIVE, UNIT
from forecast.scenario.schema.constraints import (
    BASES,
    KINDS,
    MAX_CONSTRAINT_NAME,
    MAX_CONSTRAINTS,
    Basis,
    Constraint,
    Kind,
    constraint_names,
)
from forecast.scenario.schema.data import (
    MAX_TOP_N,
    POINTS,
    THRESHOLD_FLOP,
    DataFile,
    DataSpec,
    Frontier,
    Points,
)
from forecast.scenario.schema.hardware import CONVERSIONS, LANDAUER_FLOP_PER_JOULE, HardwareSpec
from forecast.scenario.schema.sampler import (
    BACKENDS,
    MAX_POSTERIOR_DRAWS,
    SAMPLER_CHAINS,
    SAMPLER_DRAWS,
    SAMPLER_TUNE,
    TARGET_ACCEPT,
    TARGET_ACCEPT_BOUND,
    Backend,
    SamplerSettings,
)
from forecast.scenario.schema.scenario import (
    HORIZON_WHY,
    MAX_HORIZON,
    MAX_SEED,
    MAX_TREND_LOG10_FLOP,
    NAME_PATTERN,
    NAME_RULE,
    PARAM_BOUNDS,
    Horizon,
    Scenario,
    ScenarioFile,
    parameters,
    with_param,
)
from forecast.scenario.schema.trend import (
    FORWARDS,
    MAX_LEVEL_FLOP,
    TREND_MODELS,
    Forward,
    TrendModel,
    TrendSpec,
)
from forecast.scenario.values import Bound

__all__ = [
    "BACKENDS",
    "BASES",
    "Backend",
    "Basis",
    "Bound",
    "CONVERSIONS",
    "Constraint",
    "DataFile",
    "DataSpec",
    "FORWARDS",
    "Forward",
    "Frontier",
    "HORIZON_WHY",
    "HardwareSpec",
    "Horizon",
    "KINDS",
    "Kind",
    "LANDAUER_FLOP_PER_JOULE",
    "MAX_CONSTRAINTS",
    "MAX_CONSTRAINT_NAME",
    "MAX_HORIZON",
    "MAX_LEVEL_FLOP",
    "MAX_POSTERIOR_DRAWS",
    "MAX_SEED",
    "MAX_TOP_N",
    "MAX_TREND_LOG10_FLOP",
    "NAME_PATTERN",
    "NAME_RULE",
    "PARAM_BOUNDS",
    "POINTS",
    "POSITIVE",
    "Points",
    "SAMPLER_CHAINS",
    "SAMPLER_DRAWS",
    "SAMPLER_TUNE",
    "SamplerSettings",
    "Scenario",
    "ScenarioFile",
    "TARGET_ACCEPT",
    "TARGET_ACCEPT_BOUND",
    "THRESHOLD_FLOP",
    "TREND_MODELS",
    "TrendModel",
    "TrendSpec",
    "UNIT",
    "constraint_names",
    "parameters",
    "with_param",
]
