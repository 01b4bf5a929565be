"""Optional report sections (sensitivity analysis, backtests) as self-contained bundles.

Each bundle holds its briefing blocks, figures and files, so that `forecast run`,
`forecast sensitivity` and `forecast backtest` can write one coherent report with any
combination of them, in one atomic step.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from forecast.pipeline import ScenarioResult
from forecast.report.document import Block, Figure

#: The optional sections of a report, in the order the briefing shows them.
SECTION_ORDER = ("analysis", "backtest")


@dataclass
class Extra:
    """One optional report section (``name`` is one of :data:`SECTION_ORDER`)."""

    name: str
    blocks: Callable[[dict[str, Figure]], list[Block]]
    figures: dict[str, Any] = field(default_factory=dict)
    files: Callable[[Path], None] | None = None
    data: Any = None  # what the section was computed from, for the CLI's summary table


def _json_safe(attrs: dict) -> dict:
    return {k: (v if isinstance(v, int | float | str) else str(v)) for k, v in attrs.items()}


def sensitivity_extra(
    result: ScenarioResult,
    param: str = "trend.doubling_time_months",
    values: Sequence[float] | str | None = None,
    sobol_log2: int = 11,
    log: Callable[[str], None] = lambda _: None,
) -> Extra:
    """Sweep of ``param``, tornado, Sobol indices and elasticities of one fitted scenario.

    Raises
    ------
    KeyError
        If ``param`` is not a parameter of the scenario.
    ValueError
        If ``values`` cannot be parsed.
    """
    from forecast.analysis import (
        elasticity,
        parse_values,
        scenario_sobol,
        sensitivity_json,
        sweep,
        tornado,
    )
    from forecast.report.analysis_figures import plot_sobol, plot_tornado
    from forecast.report.analysis_sections import sensitivity_blocks
    from forecast.report.figures import plot_doubling_sensitivity

    sc = result.scenario
    if isinstance(values, str):
        values = parse_values(values)
    custom = sweep(result, param, values)
    log(f"sweep of {custom.attrs['param']} over {custom.sizes['sweep']} values")
    rows = tornado(result)
    log(f"tornado over {len(rows)} uncertain inputs")
    sobol = scenario_sobol(result, n=2**sobol_log2)
    log(f"Sobol indices ({2**sobol_log2} base samples)")
    # The elasticity is defined where a constraint is reached in most draws.
    elasticities = [
        elasticity(result, c.name)
        for c in sc.constraints
        if np.isfinite(result.projection["hit_year"].sel(constraint=c.name)).mean() > 0.5
    ]
    payload = sensitivity_json(custom, rows, sobol)
    payload["elasticity"] = elasticities
    figures: dict[str, Any] = {
        "tornado": plot_tornado(rows, horizon=sc.horizon),
        "sobol": plot_sobol(sobol),
    }
    if custom.attrs["param"] != "trend.doubling_time_months":
        names = [str(n) for n in custom["constraint"].to_numpy()]
        fig = plot_doubling_sensitivity(
            custom["value"].to_numpy(),
            {n: custom["median"].sel(constraint=n).to_numpy() for n in names},
            {n: custom["p10"].sel(constraint=n).to_numpy() for n in names},
            {n: custom["p90"].sel(constraint=n).to_numpy() for n in names},
            names,
            horizon=sc.horizon,
            param=custom.attrs["param"],
        )
        figures["sweep"] = fig

    def files(folder: Path) -> None:
        text = json.dumps(payload, indent=2, allow_nan=False) + "\n"
        (folder / "sensitivity.json").write_text(text)
        ds = custom.copy()
        ds.attrs = _json_safe(ds.attrs)
        keys = ("low_value", "high_value", "hit_year_low", "hit_year_high", "swing_years")
        tornado_ds = xr.Dataset(
            {
                f"tornado_{k}": ("tornado_input", [np.nan if r[k] is None else r[k] for r in rows])
                for k in keys
            },
            coords={"tornado_input": [r["param"] for r in rows]},
        )
        sobol_ds = xr.Dataset(
            {
                f"sobol_{k}": ("sobol_input", [v[k] for v in sobol.values()])
                for k in ("S1", "S1_conf", "ST", "ST_conf")
            },
            coords={"sobol_input": list(sobol)},
        )
        merged = xr.merge([ds, tornado_ds, sobol_ds], combine_attrs="override")
        merged.to_netcdf(folder / "sensitivity.nc")

    return Extra(
        name="analysis",
        blocks=lambda figs: sensitivity_blocks(rows, sobol, elasticities, figs, sc.horizon),
        figures=figures,
        files=files,
        data={"tornado": rows, "sobol": sobol, "sweep": custom, "elasticity": elasticities},
    )


def backtest_extra(
    result: ScenarioResult,
    cutoffs: Sequence[dt.date],
    seed: int | None = None,
    use_cache: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> Extra:
    """Backtests of the scenario at ``cutoffs`` (each fits its own data, through the cache)."""
    from forecast.analysis import backtest
    from forecast.report.analysis_figures import plot_backtests
    from forecast.report.analysis_sections import backtest_blocks

    results = backtest(result.scenario, list(cutoffs), seed=seed, use_cache=use_cache, log=log)

    def files(folder: Path) -> None:
        text = json.dumps([r.as_dict() for r in results], indent=2) + "\n"
        (folder / "backtest.json").write_text(text)
        fans = xr.concat(
            [r.fan.assign_coords(cutoff=str(r.cutoff)) for r in results],
            dim="cutoff",
            join="outer",
        )
        fans.attrs = _json_safe(fans.attrs)
        fans.to_netcdf(folder / "backtest.nc")

    return Extra(
        name="backtest",
        blocks=lambda figs: backtest_blocks(results, figs),
        figures={"backtest": plot_backtests(results)},
        files=files,
        data=results,
    )
