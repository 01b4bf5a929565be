"""What `forecast data check` prints about the runs: counts by domain and era, records."""

from __future__ import annotations

import pandas as pd

#: Eras of the 2018 analysis and after: (from year, to year, label); None is open-ended.
ERAS = ((None, 2010, "before 2010"), (2010, 2018, "2010-2017"), (2018, None, "2018 on"))


def runs_by_era(runs: pd.DataFrame) -> pd.DataFrame:
    """Number of runs per domain (rows, then "all") and era (columns, then "total").

    Parameters
    ----------
    runs : pandas.DataFrame
        A runs table with ``domain`` and ``t`` (decimal year).

    Returns
    -------
    pandas.DataFrame
        Integer counts; the index is the domain, the columns the era labels and ``total``.
    """
    masks = {
        label: runs["t"].ge(-float("inf") if lo is None else lo)
        & runs["t"].lt(float("inf") if hi is None else hi)
        for lo, hi, label in ERAS
    }
    rows = {}
    for domain in sorted(runs["domain"].unique()):
        in_domain = runs["domain"].eq(domain)
        rows[str(domain)] = {label: int((in_domain & m).sum()) for label, m in masks.items()}
    rows["all"] = {label: int(m.sum()) for label, m in masks.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["total"] = table.sum(axis=1)
    return table


def record_and_latest(runs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The run with the most compute, and the last run of the table (the newest)."""
    return runs.loc[runs["compute_flop"].idxmax()], runs.iloc[-1]
