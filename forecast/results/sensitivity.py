"""The analysis section's results: a sweep of one input, tornado, Sobol indices,
elasticities and the binding race, with their NetCDF and JSON forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from forecast.results.files import json_attrs, json_number, nan_of, open_group, unjson_attrs


def sweep_to_json(ds: xr.Dataset) -> dict[str, Any]:
    """A sweep as JSON: param, values, and per constraint the hit-year quantiles.

    NaN (a quantile beyond the horizon) becomes ``null``.
    """
    results = {}
    for name in ds["constraint"].to_numpy().tolist():
        sub = ds.sel(constraint=name)
        results[str(name)] = {
            key: [json_number(v) for v in sub[key].to_numpy().tolist()]
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
        upper third (:func:`forecast.analysis.hit_response.binding_race`); None in an
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
                    k: ("input", np.array([nan_of(r.get(k)) for r in rows], dtype=float))
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
                    k: (
                        "constraint",
                        np.array([nan_of(e.get(k)) for e in elasticities], dtype=float),
                    )
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
                row[k] = str(v) if k in ("constraint", "source") else json_number(v)
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
        """One dict per constraint, as :func:`forecast.analysis.hit_response.elasticity`."""
        e = self.elasticity
        out = []
        for i, name in enumerate(e["constraint"].to_numpy()):
            row: dict[str, Any] = {"constraint": str(name)}
            row["definition"] = str(e["definition"].to_numpy()[i])
            for k in self.ELASTICITY_ORDER[2:]:
                row[k] = json_number(e[k].to_numpy()[i])
            out.append(row)
        return out

    def to_json(self) -> dict:
        """The payload of ``sensitivity.json``: sweep, tornado, Sobol, elasticity."""
        return {
            "sweep": sweep_to_json(self.sweep),
            "tornado": self.tornado_rows(),
            "sobol": {
                p: {k: json_number(v) for k, v in idx.items()}
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
                "ST": json_number(r["ST"].to_numpy()[i]),
                "lower_third_up_to": json_number(r["low"].to_numpy()[i]),
                "upper_third_from": json_number(r["high"].to_numpy()[i]),
                **{
                    str(part).replace(" ", "_"): {
                        str(c): json_number(r["share"].to_numpy()[i, j, k])
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
            ds.attrs = json_attrs(ds.attrs)
            ds.to_netcdf(path, group=g, mode="w" if i == 0 else "a")

    @classmethod
    def load(cls, path: Path) -> Sensitivity:
        """Read ``sensitivity.nc`` (one saved before the race existed has none)."""
        parts = {g: open_group(path, g) for g in cls.GROUPS}
        sweep = parts["sweep"]
        sweep.attrs = unjson_attrs(sweep.attrs)
        try:
            race = open_group(path, "race")
        except OSError:
            race = None
        return cls(**parts, race=race)
