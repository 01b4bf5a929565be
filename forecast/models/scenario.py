"""The fits one scenario needs: its runs selected, then the trend, the hardware and the
realised conversion fitted (or loaded from the cache)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from forecast.data.loaders import load_hardware, load_run_hardware
from forecast.data.units import decimal_year
from forecast.errors import ScenarioError
from forecast.models import (
    DEFAULT_CONTROL,
    FitControl,
    SamplerSettings,
    fit_clusters,
    fit_conversion,
    fit_hardware,
    fit_trend,
)
from forecast.models.clusters import ClusterData, ShareFit, SupplyFits
from forecast.models.conversion import ConversionData, ConversionFit
from forecast.models.hardware import HardwareFit
from forecast.models.trend import TrendFit
from forecast.progress import Log, quiet
from forecast.scenario import Scenario
from forecast.scenario.load import MIN_FIT_POINTS


def sampler_settings(scenario: Scenario) -> SamplerSettings:
    """The scenario's ``[sampler]`` table, which is a :class:`SamplerSettings`."""
    return scenario.sampler


def needs_trend_fit(scenario: Scenario) -> bool:
    """A trend with both level and doubling time given needs no fit."""
    return scenario.trend.needs_fit


def needs_hardware_fit(scenario: Scenario) -> bool:
    """Hardware series with levels and doubling times all given need no fit."""
    hw = scenario.hardware
    return hw.price_performance_needs_fit or hw.efficiency_needs_fit


def fit_scenario(
    scenario: Scenario,
    seed: int,
    control: FitControl = DEFAULT_CONTROL,
) -> tuple[pd.DataFrame, TrendFit | None, HardwareFit | None]:
    """Select the runs and fit what the scenario does not give (cached)."""
    runs = scenario.data.selected_points()
    if len(runs) < MIN_FIT_POINTS and needs_trend_fit(scenario):
        raise ScenarioError(
            f"the selection ({scenario.data.selection().describe()}) leaves {len(runs)} runs; "
            f"the trend fit needs at least {MIN_FIT_POINTS}"
        )
    settings = sampler_settings(scenario)
    # Sampler seeds derive from the scenario seed, so the cache key follows the seed.
    trend_fit = hw_fit = None
    if needs_trend_fit(scenario):
        trend_fit = fit_trend(
            runs,
            eras=scenario.trend.eras,
            jump=scenario.trend.jump,
            model=scenario.trend.model,
            settings=settings,
            seed=seed,
            control=control,
        )
    if needs_hardware_fit(scenario):
        hw_fit = fit_hardware(
            hardware_known_by(
                load_hardware(scenario.data.hardware), scenario.data.until, control.log
            ),
            scenario.hardware.precision,
            settings=settings,
            seed=seed + 1,
            control=control,
        )
    return runs, trend_fit, hw_fit


#: Runs enter the realised conversion from this year: before 2016 few runs publish their
#: hardware, and the runs of the deep-learning era's first years used single machines.
CONVERSION_SINCE = 2016.0


def fit_conversion_of(
    scenario: Scenario,
    seed: int,
    control: FitControl = DEFAULT_CONTROL,
) -> ConversionFit | None:
    """The realised conversion fitted to the scenario's frontier runs (None for "datasheet").

    The runs are those the trend is fitted to (the scenario's selection, up to ``until``),
    from :data:`CONVERSION_SINCE`, that are finished pretraining runs with published
    figures in ``data.run_hardware``.

    Raises
    ------
    ScenarioError
        If the scenario's points are not the runs file (the 2018 chart has no hardware).
    """
    if scenario.hardware.conversion != "realised":
        return None
    if scenario.data.points != "runs":
        raise ScenarioError(
            'conversion = "realised" needs data.points = "runs": the 2018 chart publishes no '
            "hardware, power or cost of its runs"
        )
    runs = scenario.data.selected_points()
    runs = runs[runs["t"] >= CONVERSION_SINCE]
    if "stage" in runs:
        runs = runs[runs["stage"] == "pretrain"]
    data = ConversionData.from_runs(runs, load_run_hardware(scenario.data.run_hardware))
    return fit_conversion(
        data,
        settings=sampler_settings(scenario),
        seed=seed + 2,
        control=control,
    )


def hardware_known_by(hardware: pd.DataFrame, until: dt.date | None, log: Log = quiet):
    """The chips released by ``until`` (what a forecaster then could have fitted).

    Falls back to every chip, and says so, when fewer than three priced chips or three
    chips with a TDP remain (the fits need three points each).
    """
    if until is None:
        return hardware
    known = hardware[hardware["release_date"] <= until]
    priced = known["price_usd"].notna().sum()
    powered = known["tdp_watts"].notna().sum()
    if priced < MIN_FIT_POINTS or powered < MIN_FIT_POINTS:
        log(f"hardware: fewer than 3 chips released by {until}; fitted on all chips")
        return hardware
    return known.reset_index(drop=True)


def needs_cluster_fit(scenario: Scenario) -> bool:
    """A ``cluster`` ceiling that leaves its size, growth or share to the data."""
    return any(
        c.kind == "cluster" and c.left_to_data(scenario.set_keys) for c in scenario.constraints
    )


def fit_clusters_of(
    scenario: Scenario, seed: int, control: FitControl = DEFAULT_CONTROL
) -> SupplyFits | None:
    """The largest-cluster trend and the run's share of its cluster, fitted to the
    scenario's ``data.clusters`` and ``data.run_clusters`` (None when no ``cluster``
    ceiling needs them).

    Only the clusters operating by ``data.until`` are fitted (planned ones never are), so
    a backtest at a cutoff sees what was known then.
    """
    if not needs_cluster_fit(scenario):
        return None
    from forecast.data.clusters import load_clusters, load_run_clusters
    from forecast.data.runs import load_runs

    table = load_clusters(scenario.data.clusters)
    known = table
    if scenario.data.until is not None:
        known = table[table["t"] <= decimal_year(scenario.data.until)]
    fit = fit_clusters(
        ClusterData.from_table(known),
        settings=sampler_settings(scenario),
        seed=seed + 3,
        control=control,
    )
    # The run-cluster pairs are checked against the scenario's own runs and clusters (a
    # scenario may point data.clusters elsewhere), not the shipped ones.
    pairs = load_run_clusters(
        scenario.data.run_clusters, runs=load_runs(scenario.data.runs), clusters=table
    )
    share = ShareFit.from_table(pairs, table)
    operating = known[(known["status"] != "planned") & known["h100e"].notna()]
    largest = float(operating["h100e"].max()) if len(operating) else 0.0
    return SupplyFits(fit, share, table, largest)


def without_fitted_clusters(scenario: Scenario) -> Scenario:
    """The scenario without the ``cluster`` ceilings that leave inputs to the data: for the
    analyses that score what ceilings do not touch (the record's forecasts, the conversion's
    hindcast), or a cutoff before the clusters can be fitted."""
    kept = tuple(
        c
        for c in scenario.constraints
        if not (c.kind == "cluster" and c.left_to_data(scenario.set_keys))
    )
    if len(kept) == len(scenario.constraints):
        return scenario
    return dataclasses.replace(scenario, constraints=kept)


def supply_or_without(
    scenario: Scenario, seed: int, control: FitControl = DEFAULT_CONTROL
) -> tuple[Scenario, SupplyFits | None, str | None]:
    """The cluster fits of a scenario, or the scenario without its fitted cluster ceilings
    and why, where the data (at a backtest's cutoff, say) cannot fit them."""
    from forecast.errors import DataError

    try:
        return scenario, fit_clusters_of(scenario, seed, control), None
    except DataError as err:
        return without_fitted_clusters(scenario), None, f"cluster ceiling left out: {err}"
