"""The runs (``training_runs.csv``) and the 2018 chart's points (``openai_2018.csv``).

A trend is fitted to the points of one of them (:func:`load_points`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data import cells
from forecast.data.table import DATA_DIR, Column, read_table, with_time
from forecast.data.units import FLOP_PER_PFS_DAY

METHODS = ("operations", "hardware", "reported", "third_party")
DOMAINS = (
    "language",
    "vision",
    "games",
    "speech",
    "multimodal",
    "biology",
    "robotics",
    "recommendation",
    "other",
)
#: What a row of ``training_runs.csv`` measures. ``pretrain``: an ordinary training run;
#: ``fine-tune``: a fine-tune or continued training whose compute counts a base model's
#: pretraining again (FLAN 137B counts LaMDA-PT, DeepSeek-R1 counts DeepSeek-V3);
#: ``unfinished``: a run announced before its training was completed.
STAGES = ("pretrain", "fine-tune", "unfinished")
#: Largest training compute accepted: 1e31 FLOP. All the world's AI accelerators
#: (a few million chips at about 1e15 FLOP/s) do about 1e29 FLOP a year at full peak,
#: so 1e31 is a century of the whole fleet; the largest run by 2025 is about 5e26.
MAX_COMPUTE_FLOP = 1e31
COMPUTE_WHY = (
    "more than all the world's AI accelerators could do in a century; the largest run "
    "by 2025 used about 5e26"
)
#: A multiplicative 90% bound of 100 already means "unknown within four orders of
#: magnitude"; the data use 2 to 10.
MAX_UNCERTAINTY = 100.0
#: Ten years of training would outlast the hardware (the longest run here took 296 days).
MAX_TRAINING_DAYS = 3650.0


def _at_least_one(cell: str) -> float:
    value = cells.positive(cell)
    if value < 1:
        raise ValueError(f"expected an uncertainty factor >= 1, got {cell!r}")
    if value > MAX_UNCERTAINTY:
        raise ValueError(
            f"expected an uncertainty factor of at most {MAX_UNCERTAINTY:g} (a 90% bound of "
            f"100x either way already means unknown), got {cell!r}"
        )
    return value


_compute_flop = cells.between(1.0, MAX_COMPUTE_FLOP, "FLOP", COMPUTE_WHY)
_pfs_days = cells.between(
    1.0 / FLOP_PER_PFS_DAY,
    MAX_COMPUTE_FLOP / FLOP_PER_PFS_DAY,
    "petaflop/s-days",
    f"1 to 1e31 FLOP: {COMPUTE_WHY}",
)
_training_days = cells.between(
    0.0, MAX_TRAINING_DAYS, "days", "ten years would outlast the hardware", optional=True
)

RUN_COLUMNS = (
    Column("name", cells.text),
    Column("organization", cells.text),
    Column("date", cells.date),
    Column("domain", cells.choice(DOMAINS)),
    Column("compute_flop", _compute_flop),
    Column("method", cells.choice(METHODS)),
    Column("uncertainty", _at_least_one),
    Column("hardware", cells.optional_text),
    Column("chip_count", cells.optional_count),
    Column("training_days", _training_days),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
    Column("stage", cells.choice(STAGES), optional=True),
)

OPENAI_2018_COLUMNS = (
    Column("name", cells.text),
    Column("date", cells.date),
    Column("pfs_days", _pfs_days),
    Column("in_trend", cells.boolean),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def load_runs(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``training_runs.csv``: one row per notable training run.

    Adds ``t`` (decimal year) and ``log10_flop``; rows are sorted by date.
    """
    frame = with_time(read_table(path or DATA_DIR / "training_runs.csv", RUN_COLUMNS))
    frame["log10_flop"] = np.log10(frame["compute_flop"].to_numpy(dtype=float))
    if "stage" not in frame:
        # A file written before the column existed: the stage is not recorded (None),
        # not guessed.
        frame["stage"] = None
    return frame.sort_values(["t", "name"], kind="stable").reset_index(drop=True)


def load_openai_2018(path: str | Path | None = None) -> pd.DataFrame:
    """Load the points of the 2018 "AI and Compute" chart as published (pfs-days).

    Adds ``compute_flop``, ``log10_flop`` and ``t``.
    """
    from forecast.data.units import pfs_days_to_flop

    frame = with_time(read_table(path or DATA_DIR / "openai_2018.csv", OPENAI_2018_COLUMNS))
    frame["compute_flop"] = pfs_days_to_flop(frame["pfs_days"].to_numpy(dtype=float))
    frame["log10_flop"] = np.log10(frame["compute_flop"])
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


#: The 2018 analysis says its two estimation methods are "meant to be right within
#: 2-3x"; its chart points get the wider factor as their ~90% measurement bound.
OPENAI_2018_UNCERTAINTY = 3.0


def load_points(points: str, path: str | Path) -> pd.DataFrame:
    """The candidate points of a fit (before selection), from the file ``path``.

    Parameters
    ----------
    points : {"runs", "openai_2018"}
        Which kind of file ``path`` is: the runs table (:func:`load_runs`), or the 2018
        chart (:func:`load_openai_2018`), of which the 15 points of its trend line are
        kept, each with :data:`OPENAI_2018_UNCERTAINTY`.
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        With ``date``, ``t``, ``compute_flop``, ``log10_flop`` and ``uncertainty`` columns.

    Raises
    ------
    DataError
        If the file is missing or invalid.
    """
    if points == "runs":
        return load_runs(path)
    frame = load_openai_2018(path)
    # The 2018 trend line was fitted to 15 of the 20 points; the other five were
    # shown as examples of important work with modest compute.
    frame = frame.loc[frame["in_trend"]].reset_index(drop=True)
    frame["uncertainty"] = OPENAI_2018_UNCERTAINTY
    return frame
