"""Loading, validating and selecting the data in ``data/``."""

from forecast.data.loaders import (
    DATA_DIR,
    DOMAINS,
    METHODS,
    NUMERICAL_FORMATS,
    OTHER_ACCELERATORS,
    STAGES,
    check_all,
    load_economy,
    load_hardware,
    load_openai_2018,
    load_run_hardware,
    load_runs,
    peak_flops,
)
from forecast.data.selection import RULES, Selection, frontier_mask, select
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
