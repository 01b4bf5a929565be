"""Checks of the data files a scenario names: that they are there, and that they load.

The scenario schema (:mod:`forecast.scenario.schema`) reads no data file: when a
scenario file is loaded it asks :func:`file_problem` whether each file it names is
there, and :func:`forecast.scenario.check_scenario` then reads them all with
:func:`check_data_files`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import DataError, Problem

if TYPE_CHECKING:
    from forecast.scenario.schema import DataSpec

#: The fewest selected points a trend is fitted to.
MIN_FIT_POINTS = 3


def file_problem(path: Path, given: str | None = None) -> str | None:
    """Why ``path`` cannot be read as a data file, or None; the file is not opened.

    Parameters
    ----------
    path : Path
        The resolved path.
    given : str, optional
        The path as the scenario wrote it, repeated in the message.

    Returns
    -------
    str or None
        E.g. ``"file not found: /abs/runs.csv (given as 'runs.csv')"``.
    """
    if path.is_file():
        return None
    what = "file not found"
    if path.is_dir():
        what = "a folder, not a file"
    elif path.exists():
        what = "not a regular file"  # a device or FIFO would hang the reader
    where = f" (given as {given!r})" if given is not None else ""
    return f"{what}: {path}{where}"


def check_data_files(data: DataSpec, needs_fit: bool) -> tuple[list[Problem], str | None]:
    """Load and validate every data file a scenario's ``[data]`` table names.

    Parameters
    ----------
    data : forecast.scenario.DataSpec
        The files, and the selection of the points to fit.
    needs_fit : bool
        Whether the trend is fitted to the selected points (then at least
        :data:`MIN_FIT_POINTS` must be selected).

    Returns
    -------
    (list of Problem, str or None)
        The problems in the files (each with its CSV file, line and column), and why
        the selection cannot be fitted (a problem of the scenario's ``data.frontier``),
        or None.
    """
    from forecast.data.loaders import load_economy, load_hardware, load_points
    from forecast.data.selection import select

    problems: list[Problem] = []
    points = None
    try:
        points = load_points(data.points, data.points_file)
    except DataError as exc:
        problems.extend(exc.problems or [Problem(str(data.points_file), str(exc))])
    for load, file in ((load_hardware, data.hardware), (load_economy, data.economy)):
        try:
            load(file)
        except DataError as exc:
            problems.extend(exc.problems or [Problem(str(file), str(exc))])
    if points is None or not needs_fit:
        return problems, None
    n = len(select(points, data.selection()))
    if n >= MIN_FIT_POINTS:
        return problems, None
    return problems, (
        f"the selection ({data.selection().describe()}) keeps {n} point(s); fitting the "
        f"trend needs at least {MIN_FIT_POINTS}"
    )
