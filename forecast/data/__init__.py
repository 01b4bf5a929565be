"""Loading, validating and selecting the data in ``data/``."""

from forecast.data.economy import load_economy
from forecast.data.hardware import load_hardware, peak_flops
from forecast.data.loaders import (
    NUMERICAL_FORMATS,
    OTHER_ACCELERATORS,
    check_all,
    load_run_hardware,
)
from forecast.data.runs import DOMAINS, METHODS, STAGES, load_openai_2018, load_runs
from forecast.data.selection import RULES, Selection, frontier_mask, select
from forecast.data.table import DATA_DIR
from forecast.data.units import (
    FLOP_PER_PFS_DAY,
    decimal_year,
    doubling_months,
    flop_to_pfs_days,
    from_decimal_year,
    pfs_days_to_flop,
)

__all__ = [
    "DATA_DIR",
    "DOMAINS",
    "FLOP_PER_PFS_DAY",
    "METHODS",
    "NUMERICAL_FORMATS",
    "OTHER_ACCELERATORS",
    "RULES",
    "STAGES",
    "Selection",
    "check_all",
    "decimal_year",
    "doubling_months",
    "flop_to_pfs_days",
    "from_decimal_year",
    "frontier_mask",
    "load_economy",
    "load_hardware",
    "load_openai_2018",
    "load_run_hardware",
    "load_runs",
    "peak_flops",
    "pfs_days_to_flop",
    "select",
]
