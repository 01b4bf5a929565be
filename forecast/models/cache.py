"""Posterior cache: a fit is stored under a hash of everything that determines it.

Layout: ``<cache dir>/<key>.nc`` (ArviZ NetCDF) and ``<key>.json`` (metadata). The
JSON is written last, so an entry without it is incomplete and ignored. Both files
are written to a temporary name in the same folder and renamed into place, which is
atomic on POSIX: two processes fitting the same model at once both write complete
files and the last rename wins, with identical content.

Only complete fits are stored (exactly the chains and draws the sampler settings ask
for), and an entry is used only if its recorded sampler settings and the dimensions of
its posterior both match the request: a fit that was cut short can never come back as
a finished one. The cache is a convenience: a folder that cannot be written gives one
:class:`CacheWarning` and the run goes on uncached; an entry that cannot be read is a
miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forecast import __version__
from forecast.models.posterior import Posterior
from forecast.models.sampling import CacheWarning, SamplerSettings, incomplete

__all__ = ["ENV_VAR", "CacheWarning", "cache_dir", "load", "make_key", "store"]

ENV_VAR = "FORECAST_CACHE_DIR"

#: Folders that could not be written in this process: warned about once, not again.
_warned: set[str] = set()


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


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(key: str, settings: SamplerSettings | None = None) -> tuple[Posterior, dict] | None:
    """The cached posterior and metadata for ``key``, or None on a miss.

    Parameters
    ----------
    key : str
        From :func:`make_key`.
    settings : SamplerSettings, optional
        The sampler settings the caller asks for. The entry's recorded settings must
        equal them, and its posterior must have exactly their chains and draws.

    Returns
    -------
    (Posterior, dict) or None
        The posterior is read without ArviZ (see :mod:`forecast.models.posterior`).
        None when there is no entry, or it is incomplete, damaged, unreadable, from
        another version of the package, or disagrees with ``settings``.
    """
    try:
        base = cache_dir()
        meta_path, nc_path = base / f"{key}.json", base / f"{key}.nc"
        if not (meta_path.is_file() and nc_path.is_file()):
            return None
        meta = json.loads(meta_path.read_text())
        if not _meta_matches(meta, settings):
            return None
        recorded = SamplerSettings(**meta["sampler"])
        # Read into memory so the file is not held open (it may be replaced later).
        idata = Posterior.from_netcdf(nc_path)
    except Exception:
        # Whatever the reason (permissions, a truncated or foreign file, a library error
        # on a damaged NetCDF), an entry that cannot be read is a miss, never a failure:
        # the fit is redone and the entry rewritten.
        return None
    if incomplete(idata, recorded) is not None:
        return None  # e.g. written by an older version that cached interrupted fits
    return idata, meta


def _meta_matches(meta: dict, settings: SamplerSettings | None) -> bool:
    if not isinstance(meta, dict) or meta.get("version") != __version__:
        return False
    recorded = meta.get("sampler")
    if not isinstance(recorded, dict):
        return False  # no record of how it was sampled: cannot be trusted
    if settings is not None and recorded != settings.key():
        return False
    return True


def store(key: str, idata, meta: dict, settings: SamplerSettings) -> bool:
    """Store a complete posterior under ``key`` (atomically).

    Parameters
    ----------
    key : str
        From :func:`make_key`.
    idata : arviz.InferenceData
        The posterior; it must have exactly ``settings.chains`` chains and
        ``settings.draws`` draws, or nothing is stored.
    meta : dict
        Metadata to keep with it (JSON-serialisable); the version and the sampler
        settings are added.
    settings : SamplerSettings
        The settings it was sampled with (recorded and checked on load).

    Returns
    -------
    bool
        True if stored. False if ``idata`` is incomplete (a bug upstream: nothing partial
        is stored) or the folder cannot be written; the first failure to write a folder
        gives one :class:`CacheWarning`.
    """
    if incomplete(idata, settings) is not None:
        return False
    base = cache_dir()
    payload = {"version": __version__, **meta, "sampler": settings.key()}
    try:
        _atomic_write(base / f"{key}.nc", lambda p: idata.to_netcdf(str(p)))
        _atomic_write(
            base / f"{key}.json", lambda p: p.write_text(json.dumps(payload, default=str))
        )
    except OSError as exc:
        _warn_unwritable(base, exc)
        return False
    return True


def load_meta(key: str) -> dict | None:
    """The metadata of the cache entry ``key`` (without reading its posterior), or None."""
    try:
        meta = json.loads((cache_dir() / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if _meta_matches(meta, None) else None


def update_meta(key: str, extra: dict) -> bool:
    """Add ``extra`` to the metadata of the entry ``key`` (atomically); False if it cannot."""
    meta = load_meta(key)
    if meta is None:
        return False
    text = json.dumps({**meta, **extra}, default=str)
    try:
        _atomic_write(cache_dir() / f"{key}.json", lambda p: p.write_text(text))
    except OSError:
        return False  # the entry stays usable; it is measured again next time
    return True


def load_record(key: str) -> dict | None:
    """A cached JSON record (e.g. a model comparison), or None on a miss."""
    try:
        record = json.loads((cache_dir() / f"{key}.record.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != __version__:
        return None
    return record


def store_record(key: str, record: dict) -> bool:
    """Store a JSON record under ``key`` (atomically); False if the folder is unwritable."""
    base = cache_dir()
    text = json.dumps({"version": __version__, **record}, default=str)
    try:
        _atomic_write(base / f"{key}.record.json", lambda p: p.write_text(text))
    except OSError as exc:
        _warn_unwritable(base, exc)
        return False
    return True


def _warn_unwritable(base: Path, exc: OSError) -> None:
    # One warning per folder and process: a run stores several fits, and saying the same
    # thing for each would bury the report's own messages.
    if str(base) in _warned:
        return
    _warned.add(str(base))
    reason = exc.strerror or str(exc)
    warnings.warn(
        f"posterior cache {base} cannot be written ({reason}); continuing without caching "
        f"(set {ENV_VAR} to a writable folder to cache fits)",
        CacheWarning,
        stacklevel=3,
    )
