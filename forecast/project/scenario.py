"""One scenario projected: its fits -> per-draw inputs -> the projection.

Every random number comes from one ``numpy.random.Generator`` seeded by the scenario's
seed (or ``--seed``): it seeds the samplers, picks which posterior draws pair with which
input draws, and draws every uncertain input, always in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import xarray as xr

from forecast.data.units import (
    decimal_year,
    slope_from_doubling_months,
    slope_from_doubling_years,
)
from forecast.models.clusters import SupplyFits
from forecast.models.conversion import ConversionFit
from forecast.models.fit import FitControl
from forecast.models.hardware import HardwareFit
from forecast.models.scenario import fit_clusters_of, fit_conversion_of, fit_scenario
from forecast.models.trend import TrendFit, forward_drift_sd
from forecast.progress import Log, quiet
from forecast.project.engine import (
    FORWARD_YEARS,
    REALISED_RATE_KEYS,
    ConstraintDraws,
    LogLinear,
    ProjectionInputs,
    Realised,
    project,
    set_input,
)
from forecast.project.record import first_past, record_model
from forecast.scenario import Constraint, Scenario


@dataclass
class ScenarioResult:
    """Everything a report needs about one scenario run."""

    scenario: Scenario
    seed: int
    runs_used: pd.DataFrame
    projection: xr.Dataset
    inputs: ProjectionInputs
    trend_fit: TrendFit | None
    hardware_fit: HardwareFit | None
    start_year: float
    input_draws: dict[str, np.ndarray] = field(default_factory=dict)
    conversion_fit: ConversionFit | None = None
    #: The cluster trends and the run's share, where a ``cluster`` ceiling takes them.
    supply_fits: SupplyFits | None = None


def start_year(scenario: Scenario, runs: pd.DataFrame) -> float:
    """Where projections start: the ``until`` date, else the latest run used."""
    if scenario.data.until is not None:
        return decimal_year(scenario.data.until)
    return float(runs["t"].max())


def _posterior_index(n_post: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Which posterior draws pair with the n projection draws (same index for every fit)."""
    if n <= n_post:
        return np.sort(rng.permutation(n_post)[:n])
    return rng.integers(0, n_post, size=n)


def _from_stock(scenario: Scenario, ref: float, growth: np.ndarray) -> np.ndarray:
    """A ``chips`` ceiling's limit left to the data: the latest installed stock of every AI
    accelerator (``data.accelerators``), grown by the ceiling's growth to ``ref``, per draw.
    With a fixed lifetime and production growing at a steady rate, the installed stock
    grows at the rate production does."""
    from forecast.data.clusters import latest_stock, load_accelerators

    t_stock, stock = latest_stock(load_accelerators(scenario.data.accelerators))
    return stock * (1.0 + np.asarray(growth, dtype=float)) ** (ref - t_stock)


def _from_clusters(supply_fits, ref, index, limit, growth, share, rng, n):
    """A ``cluster`` ceiling's size, growth and share where the scenario leaves them to
    the data: the fitted largest cluster at ``ref`` (never below the largest operating at
    the data's end), its fitted growth, and the run's share drawn from its predictive (a
    stream of its own, so the other inputs' draws do not move)."""
    if supply_fits is None:
        raise ValueError("a cluster ceiling without a size, growth or share needs the cluster fit")
    fit = supply_fits.clusters
    if limit is None:
        fitted = 10.0 ** np.asarray(fit.log10_at("h100e", ref)[index], dtype=float)
        limit = np.maximum(fitted, supply_fits.largest_h100e)
    if growth is None:
        growth = np.asarray(fit.growth_per_year("h100e")[index], dtype=float)
    if share is None:
        share = supply_fits.share.draw(rng.spawn(1)[0], n)
    return limit, growth, share


def build_inputs(
    scenario: Scenario,
    runs: pd.DataFrame,
    trend_fit: TrendFit | None,
    hw_fit: HardwareFit | None,
    rng: np.random.Generator,
    n_draws: int | None = None,
    conversion_fit: ConversionFit | None = None,
    supply_fits: SupplyFits | None = None,
) -> tuple[ProjectionInputs, dict[str, np.ndarray]]:
    """Per-draw inputs of the projection: posterior draws paired with input draws.

    Parameters
    ----------
    scenario : Scenario
    runs : pandas.DataFrame
        The selected runs (to find the start year when ``until`` is absent).
    trend_fit, hw_fit : fits or None
        Needed where the scenario leaves a series to the data.
    rng : numpy.random.Generator
        The scenario's generator.
    n_draws : int, optional
        Number of projection draws (default: all posterior draws, or 4,000 without fits).
    conversion_fit : ConversionFit, optional
        The realised conversion (:func:`fit_conversion_of`); needed when the scenario
        says ``conversion = "realised"``.
    supply_fits : SupplyFits, optional
        The cluster trends and the run's share (:func:`fit_clusters_of`); needed by a
        ``cluster`` ceiling that leaves its size, growth or share to the data.

    Returns
    -------
    (ProjectionInputs, dict)
        The inputs and the drawn value of every scenario parameter by key path.
    """
    fits = (trend_fit, hw_fit, conversion_fit, supply_fits and supply_fits.clusters)
    sizes = [f.idata.posterior.sizes for f in fits if f is not None]
    n_post = min((s["chain"] * s["draw"] for s in sizes), default=0)
    n = n_draws or (n_post if n_post else 4000)
    index = _posterior_index(n_post, n, rng) if n_post else np.zeros(n, dtype=int)

    drawn: dict[str, np.ndarray] = {}
    for key, param in scenario.parameters().items():  # stable order: same seed, same draws
        drawn[key] = np.asarray(param.draw(rng, n), dtype=float)

    t0 = start_year(scenario, runs)
    tr = scenario.trend
    level_year = tr.level_year if tr.level_year is not None else t0
    if tr.doubling_time_months is not None:
        slope = slope_from_doubling_months(drawn["trend.doubling_time_months"])
    else:
        slope = trend_fit.params()["slopes"][index, -1]
    fitted_slope = None
    if tr.doubling_time_months is None and trend_fit is not None and trend_fit.drifts:
        # A drifting slope goes on drifting: forward, each draw takes the mean slope of a
        # random walk over the engine's forward window (its own stream, so that the other
        # inputs' draws do not depend on it). The current slope stays the headline's.
        fitted_slope = slope
        z = rng.spawn(1)[0].standard_normal(slope.shape)
        slope = slope + trend_fit.drift()[index] * forward_drift_sd(FORWARD_YEARS) * z
    if tr.level_flop is not None:
        level = np.log10(drawn["trend.level_flop"])
    else:
        level = trend_fit.mean(level_year)[index, 0]
    compute = LogLinear(level, slope, level_year)

    hw = scenario.hardware

    def series(name: str, value_key: str, year: float | None, doubling_key: str) -> LogLinear:
        ref = year if year is not None else t0
        if drawn.get(f"hardware.{value_key}") is not None:
            log10_ref = np.log10(drawn[f"hardware.{value_key}"])
        else:
            log10_ref = hw_fit.log10_at(name, ref)[index]
        if drawn.get(f"hardware.{doubling_key}") is not None:
            s = slope_from_doubling_years(drawn[f"hardware.{doubling_key}"])
        else:
            s = slope_from_doubling_years(hw_fit.doubling_years(name)[index])
        return LogLinear(np.asarray(log10_ref, dtype=float), np.asarray(s, dtype=float), ref)

    price = series(
        "price_performance",
        "flops_per_usd",
        hw.flops_per_usd_year,
        "price_performance_doubling_years",
    )
    eff = series(
        "efficiency", "flops_per_watt", hw.flops_per_watt_year, "efficiency_doubling_years"
    )

    constraints = []
    for c in scenario.constraints:
        prefix = f"constraints.{c.name}."
        # The kind's own factors: drawn where the file gives them, else their neutral
        # default (a fixed number draws nothing from the generator).
        extra = {
            key: drawn.get(prefix + key, np.full(n, c.factor(key).median()))
            for key, kinds in Constraint.EXTRAS.items()
            if c.kind in kinds and (key not in Constraint.OPTIONAL or getattr(c, key) is not None)
        }
        limit = drawn.get(prefix + Constraint.LIMITS[c.kind])
        growth = drawn.get(prefix + "growth_per_year")
        share = drawn.get(prefix + "share")
        fitted = c.left_to_data(scenario.set_keys)
        if c.kind == "chips" and fitted:
            limit = _from_stock(scenario, float(c.reference_year), growth)
        elif fitted:
            limit, growth, share = _from_clusters(
                supply_fits,
                float(c.reference_year),
                index,
                *(
                    None if k in fitted else v
                    for k, v in (
                        ("limit_h100e", limit),
                        ("growth_per_year", growth),
                        ("share", share),
                    )
                ),
                rng,
                n,
            )
        constraints.append(
            ConstraintDraws(
                name=c.name,
                kind=c.kind,
                basis=c.basis if c.kind == "spend" else None,
                limit=limit,
                reference_year=float(c.reference_year),
                growth=growth,
                share=share,
                extra=extra,
            )
        )
    realised = None
    if hw.conversion == "realised":
        if conversion_fit is None:
            raise ValueError('conversion = "realised" needs the fitted conversion')

        def fitted(series: str) -> LogLinear:
            return LogLinear(
                np.asarray(conversion_fit.log10_at(series, t0)[index], dtype=float),
                np.asarray(conversion_fit.slope(series)[index], dtype=float),
                t0,
            )

        realised = Realised(
            flops_per_usd=fitted("flops_per_usd"),
            flops_per_watt=fitted("flops_per_watt"),
            flop_per_usd_amortized=fitted("flop_per_usd_amortized"),
            duration_days=fitted("duration_days"),
            max_days=drawn["hardware.max_training_days"],
            duration_size=np.asarray(conversion_fit.duration_size()[index], dtype=float),
        )
    # The largest run is the running record: the fitted trend (the typical frontier run)
    # shifted up by how far the year's largest run sits above it, never below the largest
    # run already in the data. Only where the trend's level comes from the fitted runs:
    # a level the scenario gives is taken as the largest run's own.
    typical, floor, meta, era_wait = None, -np.inf, {}, None
    # The largest model already published, by total training compute (post-training
    # included, as rules count it): the record cannot be smaller. The trend itself is
    # fitted to pretraining runs only.
    published = largest_published(scenario)
    if trend_fit is not None and tr.level_flop is None and scenario.data.points == "runs":
        sigma, nu = (np.asarray(x[index], dtype=float) for x in trend_fit.noise())
        # The record's simulation has a stream of its own, spawned from the run's
        # generator: how many random numbers the scenario's other inputs take (one more
        # ceiling, a fixed value made uncertain) does not move the record's draws.
        rec = record_model(runs, compute.slope, sigma, nu, rng.spawn(1)[0])
        typical = compute
        compute = LogLinear(compute.log10_ref + rec.offset_log10, compute.slope, compute.ref_year)
        floor = rec.floor_log10
        meta = {
            "runs_per_year": rec.runs_per_year,
            "record_holder": rec.floor_name,
            "record_holder_log10_flop": rec.floor_log10,
            "record_holder_stage": "pretrain",
            "pretrain_record_holder": rec.floor_name,
            "pretrain_record_log10_flop": rec.floor_log10,
        }
    elif scenario.data.points == "runs" and len(runs):
        # A level the scenario gives still cannot put the largest run below one already
        # published in its selection.
        floor = float(np.log10(runs["compute_flop"].to_numpy(dtype=float).max()))
    if published is not None and published["log10_flop"] > floor:
        floor = published["log10_flop"]
        if meta:
            meta.update(
                record_holder=published["name"],
                record_holder_log10_flop=published["log10_flop"],
                record_holder_stage=published["stage"],
            )
    if tr.forward == "hazard":
        # A new era may begin: at a time drawn from the yearly hazard, the trend (and the
        # record above it) bends to a slope drawn for the new era.
        hazard = drawn["trend.era_hazard_per_year"]
        era_wait = rng.exponential(1.0, size=hazard.shape)
        with np.errstate(divide="ignore"):
            wait = era_wait / hazard
        bend = {
            "change_year": t0 + wait,
            "slope_after": slope_from_doubling_months(drawn["trend.new_era_doubling_months"]),
        }
        compute = replace(compute, **bend)
        typical = None if typical is None else replace(typical, **bend)
    inputs = ProjectionInputs(
        compute=compute,
        price_performance=price,
        efficiency=eff,
        efficiency_limit=drawn["hardware.efficiency_limit_flop_per_joule"],
        utilization=drawn["hardware.utilization"],
        training_days=drawn["hardware.training_days"],
        overhead=drawn["hardware.overhead"],
        lifetime_years=drawn["hardware.lifetime_years"],
        pue=drawn["hardware.pue"],
        electricity_usd_per_kwh=drawn["hardware.electricity_usd_per_kwh"],
        constraints=tuple(constraints),
        start_year=t0,
        horizon=float(scenario.horizon),
        # Which posterior draw each projection draw used, for anything that later pairs
        # other posterior quantities (scatter, nu) with these draws.
        inputs_meta={"posterior_index": index, **meta},
        realised=realised,
        typical=typical,
        record_floor_log10=floor,
        era_wait=era_wait,
        fitted_slope=fitted_slope,
    )
    if realised is not None:
        # A doubling time the scenario gives replaces the realised rate it names.
        for key in REALISED_RATE_KEYS:
            if drawn.get(key) is not None:
                inputs = set_input(inputs, key, drawn[key])
    return inputs, drawn


def context_runs(scenario: Scenario, start_year: float) -> pd.DataFrame:
    """Every candidate point of the scenario's data, shown grey behind the selected runs.

    When the fitted points are not the runs file (the 2018 reproduction), the runs of the
    runs file published after the start year are added: they show what happened after
    that analysis. The files were checked with the scenario, so any error here is real.
    """
    data = scenario.data
    points = data.load_points()
    if getattr(data, "points", "runs") != "runs":
        from forecast.data import load_runs

        runs = load_runs(data.runs)
        later = runs.loc[runs["t"] > start_year, ["name", "date", "t", "compute_flop"]]
        points = pd.concat([points, later], ignore_index=True)
    return points


def published_models(scenario: Scenario) -> pd.DataFrame | None:
    """The finished models published in the scenario's window, by total training compute
    (:func:`forecast.data.selection.total_compute_runs`); None when the fitted points are
    not the runs file."""
    if scenario.data.points != "runs":
        return None
    from forecast.data.selection import total_compute_runs

    return total_compute_runs(scenario.data.load_points(), scenario.data.selection())


def largest_published(scenario: Scenario) -> dict | None:
    """The largest model already published by total compute: ``name``, ``log10_flop``,
    ``stage`` (None without one)."""
    models = published_models(scenario)
    if models is None or not len(models):
        return None
    i = int(np.argmax(models["compute_flop"].to_numpy(dtype=float)))
    row = models.iloc[i]
    return {
        "name": str(row["name"]),
        "log10_flop": float(np.log10(float(row["compute_flop"]))),
        "stage": str(row["stage"]),
    }


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    draws: int | None = None,
    use_cache: bool = True,
    strict: bool = False,
    progress: bool = False,
    log: Log = quiet,
) -> ScenarioResult:
    """Fit (or load) and project one scenario.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Overrides the scenario's seed.
    draws : int, optional
        Number of projection draws.
    use_cache, strict, progress, log
        As for :func:`forecast.models.fit_trend`.

    Returns
    -------
    ScenarioResult
    """
    seed = scenario.seed if seed is None else seed
    if seed != scenario.seed:
        scenario = replace(scenario, seed=seed)
    rng = np.random.default_rng(seed)
    sampler_seed = int(rng.integers(0, 2**31 - 1))
    control = FitControl(use_cache, strict, progress, log)
    runs, trend_fit, hw_fit = fit_scenario(scenario, sampler_seed, control)
    conv_fit = fit_conversion_of(scenario, sampler_seed, control)
    supply_fits = fit_clusters_of(scenario, sampler_seed, control)
    inputs, drawn = build_inputs(
        scenario, runs, trend_fit, hw_fit, rng, draws, conv_fit, supply_fits
    )
    log(f"projecting {inputs.n_draws} draws to {scenario.horizon}")
    projection = project(inputs)
    projection.attrs.update(
        {"scenario": scenario.name, "scenario_sha256": scenario.sha256, "seed": seed}
    )
    # The record model's arrival rate and the record holders, for the report.
    for key in (
        "runs_per_year",
        "record_holder",
        "record_holder_log10_flop",
        "record_holder_stage",
        "pretrain_record_holder",
        "pretrain_record_log10_flop",
    ):
        if key in inputs.inputs_meta:
            projection.attrs[key] = inputs.inputs_meta[key]
    # The first published model past each threshold, by total compute (as rules count).
    models = published_models(scenario)
    if models is not None:
        first = first_past(models, projection["threshold"].to_numpy())
        for key, values in first.items():
            var = "threshold_first_" + key
            data = values if key == "t" else np.asarray(values, dtype=str)
            projection[var] = ("threshold", data)
    return ScenarioResult(
        scenario=scenario,
        seed=seed,
        runs_used=runs,
        projection=projection,
        inputs=inputs,
        trend_fit=trend_fit,
        hardware_fit=hw_fit,
        start_year=inputs.start_year,
        conversion_fit=conv_fit,
        input_draws=drawn,
        supply_fits=supply_fits,
    )
