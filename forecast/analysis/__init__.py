"""Analysis of fitted scenarios: sensitivity sweeps, tornado table, Sobol indices, backtests.

Nothing here re-samples a posterior except :func:`backtest`, which fits each cutoff's
data (through the posterior cache).
"""

import importlib
from typing import Any

# Eager, and bound here: the name ``backtest`` is both a function and its submodule, and
# importing the submodule would otherwise leave the module where callers expect the
# function. It costs a plain run nothing (the pipeline it needs is loaded anyway).
from forecast.analysis.backtest import BacktestResult, backtest, backtest_table, crps

#: Where each public name lives. Loaded on first use (PEP 562): the sensitivity module pulls
#: in SALib and scipy.stats (about 0.4 s), which a plain run (which needs only the hindcast's
#: known runs and the growth accounting) should not pay for.
_WHERE = {
    "FIRST_BINDING": "sensitivity",
    "UncertainInput": "sensitivity",
    "base_from": "sensitivity",
    "elasticity": "hit_response",
    "hit_years": "sensitivity",
    "parse_values": "sensitivity",
    "sweep": "sensitivity",
    "tornado": "sensitivity",
    "uncertain_inputs": "sensitivity",
    "scenario_sobol": "sobol",
    "sobol_indices": "sobol",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"forecast.analysis.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'forecast.analysis' has no attribute {name!r}")


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
    "sobol_indices",
    "sweep",
    "tornado",
    "uncertain_inputs",
]
