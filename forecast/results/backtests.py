"""The backtest section's results: one :class:`Backtest` per cutoff and the rolling
backtest, written to and read from ``backtest.nc``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import xarray as xr

from forecast.results.files import (
    json_attrs,
    open_group,
    optional_group,
    unjson_attrs,
)

if TYPE_CHECKING:
    # Only for the annotations: loading analysis (and the models it uses) costs a re-render
    # about a second, and only load_backtests builds one.
    from forecast.analysis.backtest import Backtest


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
        fans.attrs = json_attrs(fans.attrs)
    else:
        fans = xr.Dataset()
    fans.to_netcdf(path)
    if rolling is not None:
        ds = rolling.copy()
        ds.attrs = json_attrs(ds.attrs)
        ds.to_netcdf(path, group="rolling", mode="a")
    for b in backtests:
        later = xr.Dataset.from_dataframe(
            b.later.reset_index(drop=True).astype(
                {c: str for c in b.later.columns if b.later[c].dtype == object}
            )
        )
        later = later.rename({"index": "later"}) if "index" in later.dims else later
        later.attrs = json_attrs(
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


def load_rolling(path: Path) -> xr.Dataset | None:
    """The rolling backtest of ``backtest.nc`` (None when it was not run)."""
    return optional_group(path, "rolling")  # None when the backtest section has only cutoffs


def load_backtests(path: Path) -> list[Backtest]:
    """Read ``backtest.nc`` back into :class:`Backtest` objects."""
    from forecast.analysis.backtest import Backtest

    fans = open_group(path)
    out = []
    if "cutoff" not in fans.coords:
        return out
    for cutoff in fans["cutoff"].to_numpy():
        later_ds = open_group(path, f"cutoff_{cutoff}")
        a = unjson_attrs(later_ds.attrs)
        later = later_ds.to_dataframe().reset_index(drop=True)[a["later_columns"]]
        fan = fans.sel(cutoff=cutoff).drop_vars("cutoff")
        # The outer join padded shorter fans with NaN years: drop them again.
        fan = fan.dropna("year", how="all")
        fan.attrs = unjson_attrs(fans.attrs)
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
