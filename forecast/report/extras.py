"""The optional report sections (sensitivity analysis, backtests), rendered from results.

Each section is computed by :mod:`forecast.workflow` and kept in the results object
(:attr:`~forecast.results.Results.sensitivity`, :attr:`~forecast.results.Results.backtests`);
here it is only drawn and written: its figures, its briefing blocks, its files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forecast.report.document import Block, Figure
from forecast.results import Results, save_backtests

#: The optional sections of a report, in the order the briefing shows them.
SECTION_ORDER = ("analysis", "backtest", "hindcast")

#: The files each optional section writes.
SECTION_FILES = {
    "analysis": ("sensitivity.json", "sensitivity.nc"),
    "backtest": ("backtest.json", "backtest.nc"),
    "hindcast": ("hindcast.json", "hindcast.nc"),
}


def section_figures(results: Results, name: str) -> dict[str, Any]:
    """The figures of section ``name`` (matplotlib figures by stem)."""
    if name == "analysis":
        from forecast.report.analysis_figures import plot_sobol, plot_tornado
        from forecast.report.sensitivity_figures import plot_sweep

        sens = results.sensitivity
        horizon = results.scenario.horizon
        figures: dict[str, Any] = {
            "tornado": plot_tornado(sens.tornado_rows(), horizon=horizon),
            "sobol": plot_sobol(sens.sobol_indices()),
        }
        # The doubling-time sweep is already the main section's figure.
        if sens.sweep.attrs["param"] != "trend.doubling_time_months":
            figures["sweep"] = plot_sweep(sens.sweep, horizon)
        return figures
    if name == "hindcast":
        from forecast.report.analysis_figures import plot_hindcast

        return {"hindcast": plot_hindcast(results.hindcast)}
    from forecast.report.analysis_figures import plot_backtests, plot_rolling

    figures = {}
    if results.backtests:
        figures["backtest"] = plot_backtests(results.backtests)
    if results.rolling is not None:
        figures["rolling"] = plot_rolling(results.rolling, results.rolling_summary)
    return figures


def section_blocks(results: Results, name: str, figs: dict[str, Figure]) -> list[Block]:
    """The briefing blocks of section ``name``."""
    if name == "analysis":
        from forecast.report.analysis_sections import sensitivity_blocks

        sens = results.sensitivity
        return sensitivity_blocks(
            sens.tornado_rows(),
            sens.sobol_indices(),
            sens.elasticities(),
            figs,
            results.scenario.horizon,
        )
    if name == "hindcast":
        from forecast.report.analysis_sections import hindcast_blocks

        return hindcast_blocks(results.hindcast, results.hindcast_summary, figs)
    from forecast.report.analysis_sections import backtest_blocks, rolling_blocks

    blocks = backtest_blocks(results.backtests, figs) if results.backtests else []
    if results.rolling is not None:
        blocks += rolling_blocks(
            results.rolling, results.rolling_summary, figs, heading=not results.backtests
        )
    return blocks


def write_section_files(results: Results, name: str, folder: Path) -> None:
    """Write the JSON and NetCDF files of section ``name`` into ``folder``."""
    if name == "analysis":
        payload = results.sensitivity.to_json()
        text = json.dumps(payload, indent=2, allow_nan=False) + "\n"
        (folder / "sensitivity.json").write_text(text, encoding="utf-8")
        results.sensitivity.save(folder / "sensitivity.nc")
    elif name == "hindcast":
        text = json.dumps(results.hindcast_json, indent=2, allow_nan=False) + "\n"
        (folder / "hindcast.json").write_text(text, encoding="utf-8")
        results.hindcast.to_netcdf(folder / "hindcast.nc")
    else:
        payload: dict[str, Any] = {"backtests": [b.as_dict() for b in results.backtests]}
        if results.rolling is not None:
            payload["rolling"] = results.rolling_summary
            if results.rolling.attrs.get("counts_backtest"):
                # How many runs crossed each threshold after 2022, against the forecast.
                payload["counts"] = results.rolling.attrs["counts_backtest"]
        text = json.dumps(payload, indent=2, allow_nan=False) + "\n"
        (folder / "backtest.json").write_text(text, encoding="utf-8")
        save_backtests(results.backtests, folder / "backtest.nc", results.rolling)
