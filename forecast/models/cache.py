"""Posterior cache: a fit is stored under a hash of everything that determines it.

Layout: ``<cache dir>/<key>.nc`` (ArviZ NetCDF) and ``<key>.json`` (metadata). The
JSON is written last, so an entry without it is incomplete and ignored. Both files
are written to a temporary name in the same folder and renamed into place, which is
atomic on POSIX: two processes fitting the same model at once both write complete
files and the last rename wins, with identical content.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from forecast import __version__
from forecast.models.sampling import az

ENV_VAR = "FORECAST_CACHE_DIR"


def cache_dir() -> Path:
    """The cache folder: ``$FORECAST_CACHE_DIR`` or the platform's user cache folder."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("forecast")) / "fits"


def make_key(payload: dict[str, Any]) -> str:
    """A stable key for ``payload`` (plus the package version)."""
    text = json.dumps({"version": __version__, **payload}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(key: str) -> tuple[az.InferenceData, dict] | None:
    """The cached posterior and metadata for ``key``, or None on a miss."""
    base = cache_dir()
    meta_path, nc_path = base / f"{key}.json", base / f"{key}.nc"
    if not (meta_path.is_file() and nc_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("version") != __version__:
            return None
        idata = az.from_netcdf(nc_path)
        for group in idata.groups():
            # Read into memory so the file is not held open (it may be replaced later).
            getattr(idata, group).load()
    except (OSError, ValueError, KeyError):
        return None  # a damaged entry is a miss; the next fit rewrites it
    return idata, meta


def store(key: str, idata: az.InferenceData, meta: dict) -> None:
    """Store a posterior under ``key`` (atomically)."""
    base = cache_dir()
    _atomic_write(base / f"{key}.nc", lambda p: idata.to_netcdf(str(p)))
    payload = {"version": __version__, **meta}
    _atomic_write(base / f"{key}.json", lambda p: p.write_text(json.dumps(payload, default=str)))
