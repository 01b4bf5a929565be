"""Analysis of fitted scenarios: sensitivity sweeps, tornado table, Sobol indices, backtests.

Nothing here re-samples a posterior except :func:`backtest`, which fits each cutoff's
data (through the posterior cache).
"""

from forecast.analysis.backtest import BacktestResult, backtest, backtest_table, crps
from forecast.analysis.sensitivity import (
    FIRST_BINDING,
    UncertainInput,
    base_from,
    elasticity,
    hit_years,
    parse_values,
    sensitivity_json,
    sweep,
    sweep_to_json,
    tornado,
    uncertain_inputs,
)
from forecast.analysis.sobol import scenario_sobol, sobol_indices

__all__ = [
    "FIRST_BINDING",
    "BacktestResult",
    "UncertainInput",
    "backtest",
    "backtest_table",
    "base_from",
    "crps",
    "elasticity",
    "hit_years",
    "parse_values",
    "scenario_sobol",
    "sensitivity_json",
    "sobol_indices",
    "sweep",
    "sweep_to_json",
    "tornado",
    "uncertain_inputs",
]
