"""Which runs count as "the largest": explicit, reported selection rules.

Every rule is judged *at release*, against all runs published up to that date
(including runs before the window), and the window is applied afterwards, so that
moving ``since`` never changes whether a run was frontier when it came out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Rule = Literal["top_n", "record", "threshold", "all"]
RULES: tuple[str, ...] = ("top_n", "record", "threshold", "all")


@dataclass(frozen=True)
class Selection:
    """A frontier selection rule over a date window.

    Parameters
    ----------
    rule : {"top_n", "record", "threshold", "all"}
        ``top_n``: runs among the ``top_n`` largest published up to their release;
        ``record``: runs larger than every earlier run; ``threshold``: runs of at
        least ``threshold_flop``; ``all``: every run.
    top_n : int
        N for ``top_n``.
    threshold_flop : float
        Minimum compute for ``threshold``.
    since, until : datetime.date or None
        Inclusive publication-date window.
    stages : tuple of str or None
        The training stages that count (``stage`` column; a run without one counts as
        ``"pretrain"``); None counts every run. Runs of other stages are neither selected
        nor competitors.
    """

    rule: Rule = "all"
    top_n: int = 10
    threshold_flop: float = 1e23
    since: dt.date | None = None
    until: dt.date | None = None
    stages: tuple[str, ...] | None = None

    def describe(self) -> str:
        """A short human-readable description, used in reports."""
        what = {
            "top_n": f"runs in the top {self.top_n} by compute at their release",
            "record": "runs that set a compute record at their release",
            "threshold": f"runs of at least {self.threshold_flop:.0e} FLOP",
            "all": "all notable runs",
        }[self.rule]
        since = self.since.isoformat() if self.since else "the start"
        until = self.until.isoformat() if self.until else "the latest"
        left_out = ""
        if self.stages is not None:
            others = [s for s in ("fine-tune", "unfinished") if s not in self.stages]
            names = {"fine-tune": "fine-tunes", "unfinished": "unfinished runs"}
            if others:
                left_out = f" ({' and '.join(names[s] for s in others)} left out)"
        return f"{what}, published {since} to {until}{left_out}"


def frontier_mask(runs: pd.DataFrame, selection: Selection) -> np.ndarray:
    """Boolean mask over ``runs`` (sorted or not) of the runs the rule selects.

    Parameters
    ----------
    runs : pandas.DataFrame
        Needs ``date`` and ``compute_flop`` columns.
    selection : Selection
        The rule and window.

    Returns
    -------
    numpy.ndarray of bool
    """
    dates = pd.to_datetime(runs["date"]).to_numpy()
    flop = runs["compute_flop"].to_numpy(dtype=float)
    # Runs published after `until` are unknown at that time: they must not count as
    # earlier competitors either (this is what a backtest relies on).
    known = np.ones(len(runs), dtype=bool)
    if selection.until is not None:
        known &= dates <= np.datetime64(selection.until)
    if selection.stages is not None and "stage" in runs:
        # A run of another stage is not a run of its own size: it neither counts nor competes.
        stage = runs["stage"].astype(object).where(runs["stage"].notna(), "pretrain")
        known &= stage.isin(selection.stages).to_numpy()
    if selection.rule == "all":
        chosen = np.ones(len(runs), dtype=bool)
    elif selection.rule == "threshold":
        chosen = flop >= selection.threshold_flop
    else:
        # For each run, how many runs published on or before its date are strictly larger.
        # An O(n^2) comparison is fine for a few thousand runs and is easy to verify.
        earlier = (dates[None, :] <= dates[:, None]) & known[None, :]
        larger = earlier & (flop[None, :] > flop[:, None])
        n_larger = larger.sum(axis=1)
        if selection.rule == "record":
            chosen = n_larger == 0
        elif selection.rule == "top_n":
            chosen = n_larger < selection.top_n
        else:
            raise ValueError(f"unknown selection rule {selection.rule!r}; expected one of {RULES}")
    window = known.copy()
    if selection.since is not None:
        window &= dates >= np.datetime64(selection.since)
    return chosen & window


def select(runs: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The rows of ``runs`` that ``selection`` picks, in date order."""
    return runs.loc[frontier_mask(runs, selection)].reset_index(drop=True)


#: Stages whose compute is a finished model's total training compute: a pretraining run,
#: or a fine-tune whose figure counts its base model's pretraining as well (the cumulative
#: compute that rules using thresholds count, post-training included).
TOTAL_STAGES: tuple[str, ...] = ("pretrain", "fine-tune")


def total_compute_runs(runs: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The finished models published in ``selection``'s window, by total training compute.

    The trend is fitted to pretraining runs (a fine-tune counts its base's compute again,
    so it is not a run of its own size), but the largest model already published, and
    the first to pass a compute threshold, are judged as rules judge them: by cumulative
    compute, post-training included. So here every finished model counts, fine-tunes too
    (their ``compute_flop`` is the base's plus their own); unfinished runs do not. A runs
    table without a ``stage`` column counts every run as pretraining.

    Returns
    -------
    pandas.DataFrame
        The rows of ``runs`` in the window, in date order, with a ``stage`` column.
    """
    dates = pd.to_datetime(runs["date"]).to_numpy()
    keep = np.ones(len(runs), dtype=bool)
    if selection.since is not None:
        keep &= dates >= np.datetime64(selection.since)
    if selection.until is not None:
        keep &= dates <= np.datetime64(selection.until)
    stage = (
        runs["stage"].astype(object).where(runs["stage"].notna(), "pretrain")
        if "stage" in runs
        else pd.Series("pretrain", index=runs.index)
    )
    keep &= stage.isin(TOTAL_STAGES).to_numpy()
    out = runs.loc[keep].assign(stage=stage[keep])
    return out.sort_values("date", kind="stable").reset_index(drop=True)
