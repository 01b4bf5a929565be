"""The results files' plumbing: NetCDF names, JSON-encoded attributes, reading groups."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import quote

import numpy as np
import xarray as xr

from forecast.stats import json_number

__all__ = ["json_number"]
NAME_ENCODING = (
    "variable names are scenario key paths; '%' and '/' (which NetCDF forbids in names) are "
    "written as %25 and %2F, so urllib.parse.unquote gives the key path back"
)


def netcdf_name(key: str) -> str:
    """``key`` as a NetCDF variable name: constraint names are user text and may hold "/"."""
    return quote(key, safe=" !\"#$&'()*+,-.:;<=>?@[\\]^_`{|}~")


def nan_of(x: float | None) -> float:
    return math.nan if x is None else float(x)


def json_attrs(attrs: dict) -> dict:
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


def unjson_attrs(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if k.startswith("json:"):
            out[k[5:]] = json.loads(v)
        elif isinstance(v, np.generic):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def open_group(path: Path, group: str | None = None) -> xr.Dataset:
    """A group of a NetCDF file, read into memory and the file closed."""
    with xr.open_dataset(path, group=group) as ds:
        return ds.load()


def optional_group(path: Path, group: str, json_attrs: bool = True) -> xr.Dataset | None:
    """A group of a NetCDF file (None when the run did not write it), its JSON-encoded
    attributes decoded."""
    try:
        ds = open_group(path, group)
    except OSError:  # no such group
        return None
    if json_attrs:
        ds.attrs = unjson_attrs(ds.attrs)
    return ds
