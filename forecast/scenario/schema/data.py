"""The ``[data]`` table: the data files a fit reads, and which of their points it fits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from forecast.data.runs import MAX_COMPUTE_FLOP, STAGES
from forecast.data.selection import RULES, Selection
from forecast.data.table import DATA_DIR
from forecast.data.textfile import file_problem
from forecast.scenario.schema.base import CONFIG
from forecast.scenario.values import (
    Bound,
    Date,
    checked,
    choice,
    choices,
    context_of,
    default_of,
    invalid,
    string,
    whole,
)

if TYPE_CHECKING:
    import pandas as pd

Frontier = Literal["top_n", "record", "threshold", "all"]
Points = Literal["runs", "openai_2018"]

#: ``data.points`` names the key of the file the fitted points come from.
POINTS: tuple[str, ...] = ("runs", "openai_2018")

#: ``data.top_n``: the data hold a few hundred runs; a larger N selects them all.
MAX_TOP_N = 10_000
#: ``data.threshold_flop``: the same range the data check allows for a run's compute.
THRESHOLD_FLOP = Bound(
    0.0,
    range=(1.0, MAX_COMPUTE_FLOP),
    unit="FLOP",
    why="the range the data check allows for a run's compute",
)


def _data_file(value: Any, info: ValidationInfo) -> Path:
    """A data file: relative to the scenario's folder; looked for when asked to."""
    context = context_of(info)
    assert context is not None  # only called on a file's values
    given = None
    path = value  # the default, already absolute
    if not isinstance(value, Path):
        given = string(value)
        if not given.strip() or not given.isprintable():
            # A NUL byte makes the OS calls raise; a newline would split the message.
            raise invalid(f"expected a file name in printable text, got {given!r}")
        path = (context.base / given).resolve()
    # A points file is only needed when data.points picks it (a rejected points, its default).
    picked = info.data.get("points", default_of(DataSpec, "points"))
    if context.check_data and (info.field_name not in POINTS or info.field_name == picked):
        issue = file_problem(path, given)
        if issue:
            raise invalid(issue)
    return path


DataFile = Annotated[Path, checked(_data_file)]


@dataclass(frozen=True, config=CONFIG)
class DataSpec:
    """Which data the fit uses: files, the points to fit, the frontier rule, the window.

    ``points = "runs"`` fits the runs of ``runs`` (``training_runs.csv``);
    ``points = "openai_2018"`` fits the 15 trend points of the 2018 chart
    (``openai_2018``, rows with ``in_trend = true``), to reproduce that analysis.
    """

    # In the order the rules need: points before the files, until before since.
    points: Annotated[Points, choice(POINTS)] = "runs"
    frontier: Annotated[Frontier, choice(RULES)] = "top_n"
    top_n: Annotated[
        int, whole(1, MAX_TOP_N, 'more than the data hold; for every run use frontier = "all"')
    ] = 10
    threshold_flop: Annotated[float, THRESHOLD_FLOP] = 1e23
    #: The stages of training that count as runs (``training_runs.csv`` ``stage``): by
    #: default finished pretraining runs only. A fine-tune or continued training counts
    #: its base model's compute again (FLAN 137B, Grok 4), and an unfinished run is a
    #: preview of one still going, so neither is a run of its own size; runs of other
    #: stages are neither selected nor competitors in the frontier rule.
    stages: Annotated[tuple[str, ...], choices(STAGES)] = ("pretrain",)
    until: Date | None = None
    since: Date | None = Field(dt.date(2010, 1, 1), validate_default=True)
    # Checked for existence even when not given (validate_default): the default may be gone.
    runs: DataFile = Field(DATA_DIR / "training_runs.csv", validate_default=True)
    hardware: DataFile = Field(DATA_DIR / "hardware.csv", validate_default=True)
    economy: DataFile = Field(DATA_DIR / "economy.csv", validate_default=True)
    #: Published hardware, power and cost of runs, for ``[hardware] conversion = "realised"``.
    run_hardware: DataFile = Field(DATA_DIR / "run_hardware.csv", validate_default=True)
    openai_2018: DataFile = Field(DATA_DIR / "openai_2018.csv", validate_default=True)
    #: The supply side (a ``cluster`` ceiling, and a ``chips`` ceiling that leaves its
    #: limit to the accelerator stock): GPU clusters, the clusters of known runs, and the
    #: stock of AI accelerators (published figures and those derived from them).
    clusters: DataFile = Field(DATA_DIR / "clusters.csv", validate_default=True)
    run_clusters: DataFile = Field(DATA_DIR / "run_clusters.csv", validate_default=True)
    accelerators: DataFile = Field(DATA_DIR / "accelerators.csv", validate_default=True)

    @field_validator("since")
    @classmethod
    def _since_before_until(cls, since: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # Compared only when until was accepted: a rejected until is not in info.data.
        until = info.data.get("until")
        if context_of(info) and since and until and since > until:
            raise invalid(f"data.since ({since}) is after data.until ({until})")
        return since

    def selection(self) -> Selection:
        """The frontier selection rule and date window as a :class:`~forecast.data.Selection`."""
        return Selection(
            rule=self.frontier,
            top_n=self.top_n,
            threshold_flop=self.threshold_flop,
            since=self.since,
            until=self.until,
            stages=self.stages,
        )

    @property
    def points_file(self) -> Path:
        """The file the fitted points come from."""
        return getattr(self, self.points)

    def load_points(self) -> pd.DataFrame:
        """All candidate points (before selection); see :func:`forecast.data.runs.load_points`.

        Raises
        ------
        forecast.errors.DataError
            If the file is missing or invalid.
        """
        from forecast.data.loaders import load_points

        return load_points(self.points, self.points_file)

    def selected_points(self) -> pd.DataFrame:
        """The points the frontier rule and window select, in date order."""
        from forecast.data.selection import select

        return select(self.load_points(), self.selection())
