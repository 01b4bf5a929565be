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

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd
import xarray as xr

from forecast.scenario import Scenario

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

NAME_ENCODING = (
    "variable names are scenario key paths; '%' and '/' (which NetCDF forbids in names) are "
    "written as %25 and %2F, so urllib.parse.unquote gives the key path back"
)


def netcdf_name(key: str) -> str:
    """``key`` as a NetCDF variable name: constraint names are user text and may hold "/"."""
    return quote(key, safe=" !\"#$&'()*+,-.:;<=>?@[\\]^_`{|}~")


def _json_number(x: Any) -> float | None:
    """A float, or None for None, NaN or inf (how JSON says "not reached" or "undefined")."""
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else x


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


# -------------------------------------------------------------------------- runs


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


# -------------------------------------------------------------------------- sensitivity


def sweep_to_json(ds: xr.Dataset) -> dict[str, Any]:
    """A sweep as JSON: param, values, and per constraint the hit-year quantiles.

    NaN (a quantile beyond the horizon) becomes ``null``.
    """
    results = {}
    for name in ds["constraint"].to_numpy().tolist():
        sub = ds.sel(constraint=name)
        results[str(name)] = {
            key: [_json_number(v) for v in sub[key].to_numpy().tolist()]
            for key in ("median", "p10", "p90", "prob_hit_by_horizon")
        }
    return {
        "param": ds.attrs["param"],
        "values": [float(v) for v in ds["value"].to_numpy()],
        "results": results,
    }


@dataclass
class Sensitivity:
    """The analysis section: a sweep of one input, tornado, Sobol indices, elasticities.

    Attributes
    ----------
    sweep : xarray.Dataset
        Dims ``sweep`` (coordinate ``value``) and ``constraint`` (see
        :func:`forecast.analysis.sweep`).
    tornado : xarray.Dataset
        Dim ``input`` (ordered by swing): low and high values, hit years, swing.
    sobol : xarray.Dataset
        Dim ``input``: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    elasticity : xarray.Dataset
        Dim ``constraint``: analytic and numerical elasticity of the hit year.
    race : xarray.Dataset or None
        Which limit binds first with each top input of the Sobol ranking in its lower or
        upper third (:func:`forecast.analysis.sensitivity.binding_race`); None in an
        analysis saved before it existed.
    """

    sweep: xr.Dataset
    tornado: xr.Dataset
    sobol: xr.Dataset
    elasticity: xr.Dataset
    race: xr.Dataset | None = None

    TORNADO_NUMBERS = (
        "low_value",
        "high_value",
        "hit_year_low",
        "hit_year_high",
        "swing_years",
        "hit_year_base",
    )
    TORNADO_ORDER = (
        "param",
        "low_value",
        "high_value",
        "hit_year_low",
        "hit_year_high",
        "swing_years",
        "constraint",
        "source",
        "hit_year_base",
    )
    SOBOL_KEYS = ("S1", "S1_conf", "ST", "ST_conf")
    ELASTICITY_ORDER = (
        "constraint",
        "definition",
        "doubling_time_months",
        "hit_year",
        "start_year",
        "analytic",
        "numerical",
        "dt_dln_tc_years",
        "relative_difference",
    )

    @classmethod
    def from_analyses(
        cls,
        sweep: xr.Dataset,
        rows: Sequence[dict],
        sobol: dict,
        elasticities: Sequence[dict],
        race: xr.Dataset | None = None,
    ) -> Sensitivity:
        """From the outputs of :mod:`forecast.analysis` (sweep, tornado rows, Sobol dict…)."""
        tornado = xr.Dataset(
            {
                **{
                    k: ("input", np.array([_nan(r.get(k)) for r in rows], dtype=float))
                    for k in cls.TORNADO_NUMBERS
                },
                "constraint": ("input", np.array([str(r["constraint"]) for r in rows], dtype=str)),
                "source": ("input", np.array([str(r["source"]) for r in rows], dtype=str)),
            },
            coords={"input": np.array([r["param"] for r in rows], dtype=str)},
        )
        sob = xr.Dataset(
            {
                k: ("input", np.array([v[k] for v in sobol.values()], dtype=float))
                for k in cls.SOBOL_KEYS
            },
            coords={"input": np.array(list(sobol), dtype=str)},
        )
        numbers = [k for k in cls.ELASTICITY_ORDER if k not in ("constraint", "definition")]
        ela = xr.Dataset(
            {
                **{
                    k: ("constraint", np.array([_nan(e.get(k)) for e in elasticities], dtype=float))
                    for k in numbers
                },
                "definition": (
                    "constraint",
                    np.array([str(e["definition"]) for e in elasticities], dtype=str),
                ),
            },
            coords={"constraint": np.array([e["constraint"] for e in elasticities], dtype=str)},
        )
        return cls(sweep=sweep, tornado=tornado, sobol=sob, elasticity=ela, race=race)

    def tornado_rows(self) -> list[dict]:
        """The tornado as rows (largest swing first), as :func:`forecast.analysis.tornado`."""
        rows = []
        t = self.tornado
        for i, name in enumerate(t["input"].to_numpy()):
            row: dict[str, Any] = {"param": str(name)}
            for k in self.TORNADO_ORDER[1:]:
                v = t[k].to_numpy()[i]
                row[k] = str(v) if k in ("constraint", "source") else _json_number(v)
            rows.append(row)
        return rows

    def sobol_indices(self) -> dict[str, dict[str, float]]:
        """``{input: {"S1", "S1_conf", "ST", "ST_conf"}}``."""
        s = self.sobol
        return {
            str(name): {k: float(s[k].to_numpy()[i]) for k in self.SOBOL_KEYS}
            for i, name in enumerate(s["input"].to_numpy())
        }

    def elasticities(self) -> list[dict]:
        """One dict per constraint, as :func:`forecast.analysis.elasticity`."""
        e = self.elasticity
        out = []
        for i, name in enumerate(e["constraint"].to_numpy()):
            row: dict[str, Any] = {"constraint": str(name)}
            row["definition"] = str(e["definition"].to_numpy()[i])
            for k in self.ELASTICITY_ORDER[2:]:
                row[k] = _json_number(e[k].to_numpy()[i])
            out.append(row)
        return out

    def to_json(self) -> dict:
        """The payload of ``sensitivity.json``: sweep, tornado, Sobol, elasticity."""
        return {
            "sweep": sweep_to_json(self.sweep),
            "tornado": self.tornado_rows(),
            "sobol": {
                p: {k: _json_number(v) for k, v in idx.items()}
                for p, idx in self.sobol_indices().items()
            },
            "elasticity": self.elasticities(),
            **({"race": self.race_json()} if self.race is not None else {}),
        }

    def race_json(self) -> dict:
        """``sensitivity.json``'s ``race``: per top input of the Sobol ranking, its total
        index, the bounds of its thirds and, in each third, the share of draws in which
        each limit binds first."""
        r = self.race
        out = {}
        for i, name in enumerate(r["input"].to_numpy()):
            out[str(name)] = {
                "ST": _json_number(r["ST"].to_numpy()[i]),
                "lower_third_up_to": _json_number(r["low"].to_numpy()[i]),
                "upper_third_from": _json_number(r["high"].to_numpy()[i]),
                **{
                    str(part).replace(" ", "_"): {
                        str(c): _json_number(r["share"].to_numpy()[i, j, k])
                        for k, c in enumerate(r["constraint"].to_numpy())
                    }
                    for j, part in enumerate(r["part"].to_numpy())
                },
            }
        return out

    GROUPS = ("sweep", "tornado", "sobol", "elasticity")

    def save(self, path: Path) -> None:
        """Write ``sensitivity.nc`` (one group per part)."""
        groups = (*self.GROUPS, "race") if self.race is not None else self.GROUPS
        for i, g in enumerate(groups):
            ds = getattr(self, g).copy()
            ds.attrs = _json_attrs(ds.attrs)
            ds.to_netcdf(path, group=g, mode="w" if i == 0 else "a")

    @classmethod
    def load(cls, path: Path) -> Sensitivity:
        """Read ``sensitivity.nc`` (one saved before the race existed has none)."""
        parts = {g: _open(path, g) for g in cls.GROUPS}
        sweep = parts["sweep"]
        sweep.attrs = _unjson_attrs(sweep.attrs)
        try:
            race = _open(path, "race")
        except OSError:
            race = None
        return cls(**parts, race=race)


def _json_attrs(attrs: dict) -> dict:
    """NetCDF attributes hold numbers and strings; anything else is stored as JSON text."""
    out = {}
    for k, v in attrs.items():
        if isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, int | float | str | np.generic | np.ndarray):
            out[k] = v
        else:
            out["json:" + k] = json.dumps(v)
    return out


def _unjson_attrs(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if k.startswith("json:"):
            out[k[5:]] = json.loads(v)
        elif isinstance(v, np.generic):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def _open(path: Path, group: str | None = None) -> xr.Dataset:
    """A group of a NetCDF file, read into memory and the file closed."""
    with xr.open_dataset(path, group=group) as ds:
        return ds.load()


# -------------------------------------------------------------------------- backtests


@dataclass
class Backtest:
    """The backtest of one cutoff (see :func:`forecast.analysis.backtest`).

    Attributes
    ----------
    cutoff : datetime.date
    cutoff_year : float
    n_fit, n_later : int
        Runs fitted (up to the cutoff) and later frontier runs scored.
    judged_by : str
        The selection that picked the later runs.
    doubling_time_months : dict
        ``median``, ``p10``, ``p90`` of the fitted current-era doubling time.
    scores : dict
        Per model: coverages, ``crps``, ``mae`` and ``mae_by_year``.
    later : pandas.DataFrame
        One row per later run scored.
    fan : xarray.Dataset
        Predictive quantiles of ``log10_flop`` (dims ``model``, ``quantile``, ``year``).
    notes : list of str
    """

    cutoff: dt.date
    cutoff_year: float
    n_fit: int
    n_later: int
    judged_by: str
    doubling_time_months: dict[str, float]
    scores: dict[str, dict[str, Any]]
    later: pd.DataFrame
    fan: xr.Dataset
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the fan and the per-run table)."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "cutoff_year": self.cutoff_year,
            "n_fit": self.n_fit,
            "n_later": self.n_later,
            "judged_by": self.judged_by,
            "doubling_time_months": self.doubling_time_months,
            "scores": {
                m: {
                    k: (
                        {str(y): _json_number(e) for y, e in v.items()}
                        if isinstance(v, dict)
                        else _json_number(v)
                    )
                    for k, v in s.items()
                }
                for m, s in self.scores.items()
            },
            "notes": list(self.notes),
        }


def save_backtests(
    backtests: Sequence[Backtest], path: Path, rolling: xr.Dataset | None = None
) -> None:
    """Write ``backtest.nc``: the fans (root group), one group per cutoff and the rolling
    backtest (group ``rolling``)."""
    if backtests:
        fans = xr.concat(
            [b.fan.assign_coords(cutoff=str(b.cutoff)) for b in backtests],
            dim="cutoff",
            join="outer",
        )
        fans.attrs = _json_attrs(fans.attrs)
    else:
        fans = xr.Dataset()
    fans.to_netcdf(path)
    if rolling is not None:
        ds = rolling.copy()
        ds.attrs = _json_attrs(ds.attrs)
        ds.to_netcdf(path, group="rolling", mode="a")
    for b in backtests:
        later = xr.Dataset.from_dataframe(
            b.later.reset_index(drop=True).astype(
                {c: str for c in b.later.columns if b.later[c].dtype == object}
            )
        )
        later = later.rename({"index": "later"}) if "index" in later.dims else later
        later.attrs = _json_attrs(
            {
                "cutoff": b.cutoff.isoformat(),
                "cutoff_year": b.cutoff_year,
                "n_fit": b.n_fit,
                "n_later": b.n_later,
                "judged_by": b.judged_by,
                "doubling_time_months": b.doubling_time_months,
                # Scores are nested dicts of floats: JSON keeps them exactly (repr round-trips).
                "scores": {
                    m: {
                        k: ({str(y): e for y, e in v.items()} if isinstance(v, dict) else v)
                        for k, v in s.items()
                    }
                    for m, s in b.scores.items()
                },
                "notes": list(b.notes),
                "later_columns": list(b.later.columns),
            }
        )
        later.to_netcdf(path, group=f"cutoff_{b.cutoff.isoformat()}", mode="a")


def _group(path: Path, group: str, json_attrs: bool = True) -> xr.Dataset | None:
    """A group of a NetCDF file (None when the run did not write it), its JSON-encoded
    attributes decoded."""
    try:
        ds = _open(path, group)
    except OSError:  # no such group
        return None
    if json_attrs:
        ds.attrs = _unjson_attrs(ds.attrs)
    return ds


def load_rolling(path: Path) -> xr.Dataset | None:
    """The rolling backtest of ``backtest.nc`` (None when it was not run)."""
    return _group(path, "rolling")  # None when the backtest section has only cutoffs


def load_backtests(path: Path) -> list[Backtest]:
    """Read ``backtest.nc`` back into :class:`Backtest` objects."""
    fans = _open(path)
    out = []
    if "cutoff" not in fans.coords:
        return out
    for cutoff in fans["cutoff"].to_numpy():
        later_ds = _open(path, f"cutoff_{cutoff}")
        a = _unjson_attrs(later_ds.attrs)
        later = later_ds.to_dataframe().reset_index(drop=True)[a["later_columns"]]
        fan = fans.sel(cutoff=cutoff).drop_vars("cutoff")
        # The outer join padded shorter fans with NaN years: drop them again.
        fan = fan.dropna("year", how="all")
        fan.attrs = _unjson_attrs(fans.attrs)
        scores = {
            m: {
                k: ({int(y): e for y, e in v.items()} if isinstance(v, dict) else v)
                for k, v in s.items()
            }
            for m, s in a["scores"].items()
        }
        out.append(
            Backtest(
                cutoff=dt.date.fromisoformat(a["cutoff"]),
                cutoff_year=float(a["cutoff_year"]),
                n_fit=int(a["n_fit"]),
                n_later=int(a["n_later"]),
                judged_by=str(a["judged_by"]),
                doubling_time_months=a["doubling_time_months"],
                scores=scores,
                later=later,
                fan=fan,
                notes=list(a["notes"]),
            )
        )
    return out


# -------------------------------------------------------------------------- results


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
    posterior: dict[str, xr.Dataset] = field(default_factory=dict, repr=False)

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

    # ---------------------------------------------------------------- files

    def save_projection(self, path: Path) -> None:
        """Write ``projection.nc``: the projection, the sweep, known runs, the growth
        accounting, the scenario's text."""
        projection = self.projection.copy()
        projection.attrs = {
            **_json_attrs(projection.attrs),
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
        }
        for group, ds in groups.items():
            if ds is not None:
                ds = ds.copy()
                ds.attrs = _json_attrs(ds.attrs)
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
            ds.attrs = _json_attrs(ds.attrs)
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
        projection = _open(folder / "projection.nc")
        attrs = _unjson_attrs(projection.attrs)
        text = attrs.pop("scenario_toml")
        path = attrs.pop("scenario_path")
        projection.attrs = attrs
        scenario = scenario_from_text(text, Path(path))
        sweep = _group(folder / "projection.nc", "doubling_sweep")
        known = _group(folder / "projection.nc", "known_runs")
        growth = _group(folder / "projection.nc", "growth_accounting")
        lesson = _group(folder / "projection.nc", "lesson_2018")
        feasible = _group(folder / "projection.nc", "feasible_2030")
        counts = _group(folder / "projection.nc", "threshold_counts")
        posterior = folder / "posterior.nc"
        inputs = _open(posterior, "projection_inputs")
        inputs = inputs.rename({k: unquote(k) for k in inputs.data_vars})
        inputs.attrs.pop("name_encoding", None)
        fit = _open(posterior, "fit_summary")
        fit.attrs = _unjson_attrs(fit.attrs)
        sensitivity = None
        if (folder / "sensitivity.nc").is_file():
            sensitivity = Sensitivity.load(folder / "sensitivity.nc")
        backtests, rolling = [], None
        if (folder / "backtest.nc").is_file():
            backtests = load_backtests(folder / "backtest.nc")
            rolling = load_rolling(folder / "backtest.nc")
        hindcast = _open(folder / "hindcast.nc") if (folder / "hindcast.nc").is_file() else None
        return cls(
            scenario=scenario,
            scenario_text=text,
            seed=int(projection.attrs["seed"]),
            projection=projection,
            inputs=inputs,
            runs=_open(posterior, "runs"),
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
            rolling=rolling,
        )
