"""Report folders that never lose what the tool did not write.

Every folder ``forecast`` writes carries a marker file, :data:`MARKER`, a small JSON
manifest naming the tool, its version and every file the tool wrote there. A folder may be
replaced only if it is absent, empty or carries that marker; anything else is refused with
one line and exit code 2, before any fitting (:func:`check_target`).

A report is built in a temporary folder next to the destination and renamed into place
only when complete (:func:`atomic_folder`). Files a user added to a report folder (not
listed in its manifest) are moved into the new folder, never deleted. A run killed part
way (SIGKILL, power loss) can leave a temporary folder, or the previous report under a
temporary name; the next run into the same place cleans the first and restores or
empties the second (:func:`clean_leftovers`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from forecast import __version__
from forecast.errors import ForecastError

MARKER = ".forecast-report.json"
TOOL = "forecast"
# What a report folder holds at its top level; a leftover temporary folder from a version
# that wrote no marker is recognised by holding only these.
_REPORT_NAMES = {
    "figures",
    "briefing.html",
    "explore.html",
    "briefing.md",
    "summary.json",
    "posterior.nc",
    "projection.nc",
    "sensitivity.json",
    "sensitivity.nc",
    "backtest.json",
    "backtest.nc",
    "compare.md",
    "compare.html",
    "compare.json",
}


class ReportFolderError(ForecastError):
    """The report cannot be written where asked without losing someone's files."""


def _tmp_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def _old_prefix(out: Path) -> str:
    return f".{out.name}.old-"


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None if ``folder`` carries no valid marker."""
    path = Path(folder) / MARKER
    if not path.is_file() or path.is_symlink():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("tool") != TOOL:
        return None
    if not isinstance(manifest.get("files"), list):
        return None
    return manifest


def check_target(out: Path, inside: Path | None = None) -> dict[str, Any] | None:
    """Raise unless ``out`` may be (re)written as a report folder; return its manifest.

    Parameters
    ----------
    out : Path
        The report folder.
    inside : Path, optional
        A folder ``out`` must resolve into (``reports/`` for a folder named by a scenario,
        so that a scenario file cannot name a folder elsewhere).

    Returns
    -------
    dict or None
        The manifest of the existing report there, or None if there is none yet.

    Raises
    ------
    ReportFolderError
        If ``out`` is a file, a symbolic link, a non-empty folder without the marker, lies
        outside ``inside``, or has a file (not a folder) among its parents.
    """
    out = Path(out)
    if inside is not None:
        root = Path(inside).resolve()
        target = out.resolve()
        if target == root or root not in target.parents:
            raise ReportFolderError(f"{out}: a report folder must lie inside {inside}/")
    for parent in out.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise ReportFolderError(f"{out}: {parent} is a file, not a folder")
    if out.is_symlink():
        raise ReportFolderError(
            f"{out}: is a symbolic link; give the report folder itself (links are not followed, "
            "so that a report cannot replace what the link points to)"
        )
    if not out.exists():
        return None
    if not out.is_dir():
        raise ReportFolderError(
            f"{out}: is a file, not a folder; --out names the folder the report is written to"
        )
    if not any(out.iterdir()):
        return None
    manifest = read_manifest(out)
    if manifest is None:
        raise ReportFolderError(
            f"{out}: this folder holds files forecast did not write (it has no {MARKER}); "
            "refusing to replace it. Give --out a new or empty folder, or a report folder "
            "forecast wrote"
        )
    return manifest


def _looks_like_ours(folder: Path, partial_ok: bool) -> bool:
    manifest = read_manifest(folder)
    if manifest is not None:
        return partial_ok or manifest.get("state") == "complete"
    try:
        return all(p.name in _REPORT_NAMES for p in folder.iterdir())
    except OSError:
        return False


def _foreign(folder: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """Paths in ``folder`` (relative) that the tool did not write, each to be moved whole.

    A top-level entry the manifest does not know is moved as a unit; inside the tool's own
    folders (``figures/``), every file it did not write is moved on its own.
    """
    ours = _top_level(manifest)
    listed = set(manifest.get("files", [])) if manifest else set()
    out: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name == MARKER:
            continue
        if entry.name not in ours:
            out.append(Path(entry.name))
        elif entry.is_dir() and not entry.is_symlink():
            for path in sorted(entry.rglob("*")):
                rel = path.relative_to(folder)
                if (path.is_file() or path.is_symlink()) and rel.as_posix() not in listed:
                    out.append(rel)
    return out


def _move_foreign(old: Path, new: Path, manifest: dict[str, Any] | None) -> list[str]:
    """Move what the tool did not write from ``old`` into ``new``; return the conflicts."""
    conflicts = []
    for rel in _foreign(old, manifest):
        dest = new / rel
        if dest.exists() or dest.is_symlink():
            conflicts.append(rel.as_posix())
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        (old / rel).rename(dest)
    return conflicts


def _top_level(manifest: dict[str, Any] | None) -> set[str]:
    """Top-level names of the files a manifest says the tool wrote."""
    if manifest is None:
        return set()
    return {Path(f).parts[0] for f in manifest.get("files", []) if Path(f).parts}


def _only_ours(folder: Path, manifest: dict[str, Any] | None) -> bool:
    """True if every file under ``folder`` is one the manifest lists (or the marker)."""
    listed = set(manifest.get("files", [])) if manifest else set()
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(folder).as_posix()
        if rel != MARKER and rel not in listed:
            return False
    return True


def clean_leftovers(out: Path, log=lambda _: None) -> None:
    """Tidy what a killed run left next to ``out``.

    Temporary folders (``.<name>.tmp-*``) that hold only what the tool writes are removed.
    A previous report left under ``.<name>.old-*`` (the run died between the two renames)
    is renamed back if ``out`` is missing; otherwise files a user had added are moved into
    ``out`` and the rest is removed. Nothing that is not recognisably the tool's is deleted.
    """
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.glob(_tmp_prefix(out) + "*")):
        if entry.is_dir() and not entry.is_symlink() and _looks_like_ours(entry, True):
            shutil.rmtree(entry, ignore_errors=True)
            log(f"removed {entry.name}, left by an interrupted run")
    for entry in sorted(parent.glob(_old_prefix(out) + "*")):
        if not entry.is_dir() or entry.is_symlink() or not _looks_like_ours(entry, False):
            continue
        manifest = read_manifest(entry)
        if not out.exists():
            entry.rename(out)
            log(f"restored {out.name} from {entry.name}, left by an interrupted run")
            continue
        _move_foreign(entry, out, manifest)
        if _only_ours(entry, manifest):
            shutil.rmtree(entry, ignore_errors=True)


def _private_umask_fix(folder: Path) -> None:
    # mkdtemp makes a private (0700) folder; a report is an ordinary folder.
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _write_marker(folder: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=False, allow_nan=False) + "\n"
    (folder / MARKER).write_text(text, encoding="utf-8")


def files_under(folder: Path) -> list[str]:
    """Every file under ``folder`` as sorted POSIX paths relative to it (marker excluded)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in Path(folder).rglob("*")
        if p.is_file() and p.name != MARKER
    )


@contextmanager
def atomic_folder(
    out: Path, manifest: dict[str, Any] | None = None, inside: Path | None = None
) -> Iterator[Path]:
    """Yield a temporary folder that replaces the report folder ``out`` if the block succeeds.

    Parameters
    ----------
    out : Path
        The report folder: absent, empty, or one this tool wrote (see :func:`check_target`).
    manifest : dict, optional
        Extra fields for the marker (scenario, seed, sections ...). The block may also
        update this dict before it ends; ``files`` is filled in here.
    inside : Path, optional
        A folder ``out`` must lie inside (see :func:`check_target`).

    Raises
    ------
    ReportFolderError
        If ``out`` may not be replaced, or a file a user added to the old report has the
        name of a file the new report writes.
    """
    out = Path(out)
    check_target(out, inside)  # before creating anything
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    previous = check_target(out, inside)  # cleaning may have restored an interrupted report
    tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(out), dir=out.parent))
    _private_umask_fix(tmp)
    manifest = manifest if manifest is not None else {}
    try:
        # A partial marker first: what a killed run leaves is recognisably ours and
        # recognisably incomplete, so no later run trusts it and the next one removes it.
        _write_marker(tmp, {"tool": TOOL, "version": __version__, "state": "partial", "files": []})
        yield tmp
        conflicts = []
        if out.exists():
            conflicts = [rel.as_posix() for rel in _foreign(out, previous) if (tmp / rel).exists()]
        if conflicts:
            raise ReportFolderError(
                f"{out}: you added {', '.join(sorted(conflicts))} to this report folder and the "
                "new report writes a file of that name; move it elsewhere and run again"
            )
        final = {"tool": TOOL, "version": __version__, "state": "complete", **manifest}
        final["files"] = files_under(tmp)
        _write_marker(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    with _signals_held():
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=_old_prefix(out), dir=out.parent))
            old.rmdir()
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            _move_foreign(old, out, previous)
            if _only_ours(old, previous):
                shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the few renames that swap a report into place.

    A signal that arrives meanwhile is delivered when the block ends, with the new report
    complete; without this, a signal between the two renames would leave the old report
    under a temporary name (which :func:`clean_leftovers` would restore, but only later).
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
