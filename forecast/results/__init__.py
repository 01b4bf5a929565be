"""The results of one scenario run: everything a report shows, as labelled arrays.

:mod:`forecast.workflow` computes a :class:`Results` (fits, projection, analyses,
backtests, diagnostics); :mod:`forecast.report` only renders one. A results object
round-trips through the NetCDF files a run writes into its report folder, so a report can
be rendered again from those files alone (``forecast report DIR``) without PyMC:

================  ============================================================
file              what it holds
================  ============================================================
projection.nc     the projection (root group), the doubling-time sweep (group
                  ``doubling_sweep``), known runs beside the model (``known_runs``), the
                  growth accounting (``growth_accounting``), the 2018 lesson
                  (``lesson_2018``); the scenario's TOML text and path (attributes)
posterior.nc      the posteriors (ArviZ groups) and, for the report, the drawn inputs
                  (``projection_inputs``), the runs (``runs``) and what was derived from
                  the fits when fitting (``fit_summary``: eras, trend band, diagnostics,
                  predictive check, model comparison, priors)
sensitivity.nc    the analysis section: groups ``sweep``, ``tornado``, ``sobol``,
                  ``elasticity``
backtest.nc       the backtest section: the fans (root) and one group per cutoff
hindcast.nc       the hindcast section: modelled and published figures, one row per run
                  and quantity
================  ============================================================

This module imports neither PyMC nor ArviZ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pandas as pd
import xarray as xr

from forecast.results.backtests import load_backtests, load_rolling, save_backtests
from forecast.results.files import (
    NAME_ENCODING,
    json_attrs,
    netcdf_name,
    open_group,
    optional_group,
    unjson_attrs,
)
from forecast.results.sensitivity import Sensitivity, sweep_to_json
from forecast.scenario import Scenario

if TYPE_CHECKING:
    from forecast.analysis.backtest import Backtest
    from forecast.project.scenario import ScenarioResult

__all__ = [
    "Results",
    "Sensitivity",
    "load_backtests",
    "load_rolling",
    "netcdf_name",
    "runs_dataset",
    "save_backtests",
    "sweep_to_json",
]

#: Columns of the runs table the report shows (the appendix and the figures).
RUN_COLUMNS = (
    "name",
    "organization",
    "date",
    "t",
    "compute_flop",
    "method",
    "source_title",
    "source_url",
)


def runs_dataset(used: pd.DataFrame, context: pd.DataFrame) -> xr.Dataset:
    """The runs the trend used and the runs shown for context, as one table.

    ``used`` marks the rows of ``used``; the ``context`` rows (every candidate point of
    the data, drawn grey in the figures) follow, including those also selected, since the
    figures draw the context as it is and highlight the selected on top.
    """
    frames = []
    for frame, flag in ((used, True), (context, False)):
        df = pd.DataFrame({c: frame[c] if c in frame else None for c in RUN_COLUMNS})
        df["used"] = flag
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    for c in ("name", "organization", "date", "method", "source_title", "source_url"):
        table[c] = [("" if v is None or v is pd.NA or v != v else str(v)) for v in table[c]]
    for c in ("t", "compute_flop"):
        table[c] = table[c].astype(float)
    ds = xr.Dataset({c: ("run", table[c].to_numpy()) for c in (*RUN_COLUMNS, "used")})
    ds["used"] = ds["used"].astype(bool)
    return ds


def posterior_groups(result) -> dict[str, xr.Dataset]:
    """The posterior groups written to ``posterior.nc`` (trend, then hardware)."""
    groups: dict[str, xr.Dataset] = {}
    if result.trend_fit is not None:
        idata = result.trend_fit.idata
        for g in idata.groups():
            groups[g] = getattr(idata, g)
    for prefix, fit in (("hardware", result.hardware_fit), ("conversion", result.conversion_fit)):
        if fit is not None:
            groups[f"{prefix}_posterior"] = fit.idata.posterior
            if "sample_stats" in fit.idata.groups():
                groups[f"{prefix}_sample_stats"] = fit.idata.sample_stats
    return groups


@dataclass
class Results:
    """Everything a report shows about one scenario run.

    Attributes
    ----------
    scenario : Scenario
    scenario_text : str
        The scenario file's text (a report is re-rendered from it).
    seed : int
    projection : xarray.Dataset
        From :func:`forecast.project.project`.
    inputs : xarray.Dataset
        The drawn value of every scenario parameter (dim ``draw``), by key path.
    runs : xarray.Dataset
        Dim ``run``: the runs the trend used (``used``) and the other runs shown.
    fit : xarray.Dataset
        What the report shows of the fits, derived when fitting (see
        :func:`forecast.workflow.fit_summary`).
    sweep : xarray.Dataset or None
        The doubling-time sweep of the main section.
    sensitivity : Sensitivity or None
        The analysis section.
    backtests : list of Backtest
        The backtest section (empty when not run).
    known_runs : xarray.Dataset or None
        The model's cost and power of a few known runs beside the published figures
        (see :func:`forecast.analysis.hindcast.known_runs`).
    hindcast : xarray.Dataset or None
        The hindcast section: modelled against published cost and power of the runs
        after a cutoff (see :func:`forecast.analysis.hindcast.hindcast`).
    growth : xarray.Dataset or None
        The growth accounting: each factor of the largest run's power and cost growth,
        historical (from the runs) next to projected (see
        :func:`forecast.analysis.growth.accounting`); None for the 2018 chart's points.
    lesson_2018 : xarray.Dataset or None
        The 2018 line of "AI and Compute" beside the record at each later year end (see
        :func:`forecast.analysis.lesson2018.lesson`); None for the 2018 chart's points.
    feasible_2030 : xarray.Dataset or None
        The largest run the physical limits allow in 2030, by limit, for this scenario
        and for the ``epoch-2030`` scenario, beside Sevilla et al. (2024) (see
        :func:`forecast.analysis.feasible.feasible`); None without physical limits.
    posterior : dict of str to xarray.Dataset
        The posterior groups written to ``posterior.nc`` (empty when re-rendering, where
        the file is kept as it is).
    """

    scenario: Scenario
    scenario_text: str
    seed: int
    projection: xr.Dataset
    inputs: xr.Dataset
    runs: xr.Dataset
    fit: xr.Dataset
    sweep: xr.Dataset | None = None
    sensitivity: Sensitivity | None = None
    backtests: list[Backtest] = field(default_factory=list)
    hindcast: xr.Dataset | None = None
    known_runs: xr.Dataset | None = None
    growth: xr.Dataset | None = None
    lesson_2018: xr.Dataset | None = None
    feasible_2030: xr.Dataset | None = None
    #: Notable runs a year at or above 1e25-1e27 FLOP (:mod:`forecast.analysis.counts`).
    threshold_counts: xr.Dataset | None = None
    #: The rolling-origin backtest of the record (:mod:`forecast.analysis.rolling`).
    rolling: xr.Dataset | None = None
    #: What the clusters say (:mod:`forecast.analysis.supply`); None without a fitted
    #: ``cluster`` ceiling.
    supply: xr.Dataset | None = None
    #: The per-draw inputs ``explore.html`` computes from (:mod:`forecast.analysis.explore`);
    #: None for results saved before it existed (then no page is written).
    explore: xr.Dataset | None = None
    posterior: dict[str, xr.Dataset] = field(default_factory=dict, repr=False)
    #: The fits and per-draw inputs of this run, which the analyses re-evaluate (None when
    #: the results are read back from a report folder: they are not saved).
    fitted: ScenarioResult | None = field(default=None, repr=False, compare=False)

    # ---------------------------------------------------------------- views

    def _runs_frame(self, used: bool) -> pd.DataFrame:
        r = self.runs
        mask = r["used"].to_numpy() == used
        return pd.DataFrame({c: r[c].to_numpy()[mask] for c in RUN_COLUMNS})

    @property
    def runs_used(self) -> pd.DataFrame:
        """The runs the trend was fitted to (or that set the start year)."""
        return self._runs_frame(True)

    @property
    def runs_context(self) -> pd.DataFrame:
        """Every run shown for context (the candidate points of the data, and later runs)."""
        return self._runs_frame(False)

    @property
    def start_year(self) -> float:
        """Where the projection starts (decimal year)."""
        return float(self.projection.attrs["start_year"])

    @property
    def n_draws(self) -> int:
        """Number of projection draws."""
        return int(self.projection.sizes["draw"])

    @property
    def trend_fitted(self) -> bool:
        """Whether the compute trend was fitted (False when the scenario fixes it)."""
        return bool(self.fit.attrs["trend_fitted"])

    @property
    def sections(self) -> tuple[str, ...]:
        """The optional sections present, in report order."""
        return tuple(
            name
            for name, present in (
                ("analysis", self.sensitivity),
                ("backtest", bool(self.backtests) or self.rolling is not None),
                ("hindcast", self.hindcast is not None),
            )
            if present
        )

    # ---------------------------------------------------------------- summaries
    # The numbers the report prints of each section, computed here from the stored
    # arrays (by the analysis that defines them), so that rendering only formats them.

    @property
    def rolling_summary(self) -> dict | None:
        """The rolling backtest's scores by horizon and variant (None when not run)."""
        if self.rolling is None:
            return None
        from forecast.analysis.rolling import rolling_json

        return rolling_json(self.rolling)

    @property
    def hindcast_summary(self) -> dict | None:
        """The hindcast's coverage and bias per quantity (None when not run)."""
        if self.hindcast is None:
            return None
        from forecast.analysis.hindcast import hindcast_summary

        return hindcast_summary(self.hindcast)

    @property
    def hindcast_json(self) -> dict | None:
        """``hindcast.json`` (None when the hindcast was not run)."""
        if self.hindcast is None:
            return None
        from forecast.analysis.hindcast import hindcast_json

        return hindcast_json(self.hindcast)

    @property
    def counts_cumulative(self) -> dict | None:
        """Runs at or above each threshold published by the end of each year, cumulated
        (None without the counts)."""
        if self.threshold_counts is None:
            return None
        from forecast.analysis.counts import counts_json

        return counts_json(self.threshold_counts, "cumulative")

    @property
    def threshold_counts_published(self) -> dict | None:
        """Epoch AI's published counts above 1e25 FLOP beside the data's on the same
        date, with the count model's forecast from its backtest when it was run
        (:func:`forecast.analysis.published_counts.with_forecast`); None without the
        counts, or for results saved before the comparison existed."""
        if self.threshold_counts is None:
            return None
        observed = self.threshold_counts.attrs.get("published")
        if not isinstance(observed, dict):
            return None
        from forecast.analysis.published_counts import with_forecast

        backtest = None
        if self.rolling is not None:
            backtest = self.rolling.attrs.get("counts_backtest")
        return with_forecast(observed, backtest if isinstance(backtest, dict) else None)

    # ---------------------------------------------------------------- files

    def save_projection(self, path: Path) -> None:
        """Write ``projection.nc``: the projection, the sweep, known runs, the growth
        accounting, the scenario's text."""
        projection = self.projection.copy()
        projection.attrs = {
            **json_attrs(projection.attrs),
            "seed": self.seed,
            "scenario_toml": self.scenario_text,
            "scenario_path": str(self.scenario.path),
        }
        encoding = {
            name: {"zlib": True, "complevel": 4}
            for name, var in projection.data_vars.items()
            if var.dtype.kind == "f"
        }
        projection.to_netcdf(path, encoding=encoding)
        groups = {
            "doubling_sweep": self.sweep,
            "known_runs": self.known_runs,
            "growth_accounting": self.growth,
            "lesson_2018": self.lesson_2018,
            "feasible_2030": self.feasible_2030,
            "threshold_counts": self.threshold_counts,
            "supply": self.supply,
            "explore": self.explore,
        }
        for group, ds in groups.items():
            if ds is not None:
                ds = ds.copy()
                ds.attrs = json_attrs(ds.attrs)
                ds.to_netcdf(path, group=group, mode="a")

    def save_posterior(self, path: Path) -> None:
        """Write ``posterior.nc``: posterior groups, drawn inputs, runs and fit summary."""
        inputs = self.inputs.rename({k: netcdf_name(k) for k in self.inputs.data_vars})
        inputs.attrs["name_encoding"] = NAME_ENCODING
        groups = {
            **self.posterior,
            "projection_inputs": inputs,
            "runs": self.runs,
            "fit_summary": self.fit,
        }
        for i, (name, ds) in enumerate(groups.items()):
            ds = ds.copy()
            ds.attrs = json_attrs(ds.attrs)
            ds.to_netcdf(path, group=name, mode="w" if i == 0 else "a")

    @classmethod
    def load(cls, folder: Path) -> Results:
        """Read the results of the report folder ``folder`` (without PyMC or ArviZ).

        Raises
        ------
        FileNotFoundError, OSError, KeyError
            When a file or group is missing or unreadable.
        """
        from forecast.scenario import scenario_from_text

        folder = Path(folder)
        projection = open_group(folder / "projection.nc")
        attrs = unjson_attrs(projection.attrs)
        text = attrs.pop("scenario_toml")
        path = attrs.pop("scenario_path")
        projection.attrs = attrs
        scenario = scenario_from_text(text, Path(path))
        sweep = optional_group(folder / "projection.nc", "doubling_sweep")
        known = optional_group(folder / "projection.nc", "known_runs")
        growth = optional_group(folder / "projection.nc", "growth_accounting")
        lesson = optional_group(folder / "projection.nc", "lesson_2018")
        feasible = optional_group(folder / "projection.nc", "feasible_2030")
        counts = optional_group(folder / "projection.nc", "threshold_counts")
        supply = optional_group(folder / "projection.nc", "supply")
        explore = optional_group(folder / "projection.nc", "explore")
        posterior = folder / "posterior.nc"
        inputs = open_group(posterior, "projection_inputs")
        inputs = inputs.rename({k: unquote(k) for k in inputs.data_vars})
        inputs.attrs.pop("name_encoding", None)
        fit = open_group(posterior, "fit_summary")
        fit.attrs = unjson_attrs(fit.attrs)
        sensitivity = None
        if (folder / "sensitivity.nc").is_file():
            sensitivity = Sensitivity.load(folder / "sensitivity.nc")
        backtests, rolling = [], None
        if (folder / "backtest.nc").is_file():
            backtests = load_backtests(folder / "backtest.nc")
            rolling = load_rolling(folder / "backtest.nc")
        hindcast = (
            open_group(folder / "hindcast.nc") if (folder / "hindcast.nc").is_file() else None
        )
        return cls(
            scenario=scenario,
            scenario_text=text,
            seed=int(projection.attrs["seed"]),
            projection=projection,
            inputs=inputs,
            runs=open_group(posterior, "runs"),
            fit=fit,
            sweep=sweep,
            sensitivity=sensitivity,
            backtests=backtests,
            hindcast=hindcast,
            known_runs=known,
            growth=growth,
            lesson_2018=lesson,
            feasible_2030=feasible,
            threshold_counts=counts,
            supply=supply,
            explore=explore,
            rolling=rolling,
        )
