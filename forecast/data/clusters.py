"""Loaders of the supply side: ``clusters.csv``, ``run_clusters.csv``, ``accelerators.csv``.

``clusters.csv`` is curated from Epoch AI's GPU Clusters (CC BY 4.0) by
``scripts/curate_clusters.py``: existing, decommissioned and planned clusters, each with
its certainty; planned ones are dated by the end of the period they are planned for and
are never part of the history. ``run_clusters.csv`` names the cluster of a few frontier
runs and the chips they used; ``accelerators.csv`` holds published figures of the world's
stock of AI accelerators. Every row carries a source.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.data import cells
from forecast.data.table import DATA_DIR, Column, read_table
from forecast.data.units import decimal_year

STATUSES = ("existing", "planned", "decommissioned")
CERTAINTIES = ("confirmed", "likely", "unlikely")
SINGLE = ("yes", "no", "unclear")
#: H100-equivalents of one cluster: 1 to 1e9 (Epoch AI's largest plan, xAI's for 2030, is
#: 5e7; a thousand million would be far more than all the chips ever made).
H100E_RANGE = (1.0, 1e9)
#: Power of one cluster: 1 kW to 100 GW (the largest campuses planned for 2030: 5 GW).
CLUSTER_POWER_RANGE = (1e3, 1e11)
#: Hardware cost of one cluster: 1,000 USD to 10 trillion (ten times the largest plans).
CLUSTER_COST_RANGE = (1e3, 1e13)
#: A stock of accelerators: 1 to 1e11 H100e (far beyond all plans to 2030).
STOCK_RANGE = (1.0, 1e11)
#: Planned clusters reach to 2035; nothing operated before 1990 counts as an AI cluster.
FIRST_CLUSTER, LAST_CLUSTER = dt.date(1990, 1, 1), dt.date(2035, 12, 31)


def _date(cell: str) -> dt.date:
    """A date, planned ones included (to 2035)."""
    try:
        value = dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {cell!r}") from None
    if not FIRST_CLUSTER <= value <= LAST_CLUSTER:
        raise ValueError(f"expected a date from {FIRST_CLUSTER} to {LAST_CLUSTER}, got {value}")
    return value


def _optional_date(cell: str) -> dt.date | None:
    return _date(cell) if cell.strip() else None


def _rank(cell: str) -> float:
    if not cell.strip():
        return math.nan
    value = cells.positive(cell)
    if not value.is_integer():
        raise ValueError(f"expected a whole rank, got {cell!r}")
    return value


_h100e = cells.between(*H100E_RANGE, "H100e", "5e7 is the largest plan there is")
_power = cells.between(
    *CLUSTER_POWER_RANGE, "W", "write watts, not MW; 5 GW is the largest campus planned", True
)
_cost = cells.between(*CLUSTER_COST_RANGE, "USD", "write dollars, not millions", True)

CLUSTER_COLUMNS = (
    Column("name", cells.text),
    Column("status", cells.choice(STATUSES)),
    Column("certainty", cells.choice(CERTAINTIES, optional=True)),
    Column("single_cluster", cells.choice(SINGLE)),
    Column("owner", cells.optional_text),
    Column("country", cells.optional_text),
    Column("first_operational", _date),
    Column("decommissioned", _optional_date),
    Column("h100e", _h100e),
    Column("chip_type", cells.optional_text),
    Column("chip_count", cells.optional_count),
    Column("power_watts", _power),
    Column("hardware_cost_usd", _cost),
    Column("rank_when_operational", _rank),
    Column("standard_analysis", cells.choice(("yes", "no"))),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def _cluster_checks(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    start, end = row.get("first_operational"), row.get("decommissioned")
    if row.get("status") == "planned" and end is not None:
        found.append(("decommissioned", "a planned cluster cannot be decommissioned"))
    if start is not None and end is not None and end < start:
        found.append(("decommissioned", f"decommissioned {end}, before it operated ({start})"))
    if row.get("status") == "decommissioned" and end is None:
        found.append(("decommissioned", "a decommissioned cluster needs its date"))
    if row.get("status") != "planned" and start is not None and start > dt.date.today():
        # History holds what operated: a future date is a plan.
        found.append(("first_operational", f"{start} is in the future: status is planned"))
    return found


def load_clusters(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``clusters.csv``: GPU clusters existing, decommissioned and planned.

    Returns
    -------
    pandas.DataFrame
        Typed, sorted by first operational date, with ``t`` (that date as a decimal year)
        and ``decommissioned_t`` (NaN where still operating).
    """
    frame = read_table(
        path or DATA_DIR / "clusters.csv", CLUSTER_COLUMNS, row_check=_cluster_checks
    )
    frame["t"] = [decimal_year(d) for d in frame["first_operational"]]
    frame["decommissioned_t"] = [
        math.nan if d is None else decimal_year(d) for d in frame["decommissioned"]
    ]
    frame["standard_analysis"] = frame["standard_analysis"] == "yes"
    return frame.sort_values(["t", "name"]).reset_index(drop=True)


RUN_CLUSTER_COLUMNS = (
    Column("run", cells.text),
    Column("cluster", cells.text),
    Column("chips", cells.optional_count),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def _closest(name: str, names: list[str]) -> str:
    match = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _run_cluster_checks(
    run_names: set[str] | None, clusters: pd.DataFrame | None
) -> Callable[[dict[str, Any]], list[tuple[str | None, str]]]:
    chips = (
        None
        if clusters is None
        else dict(zip(clusters["name"], clusters["chip_count"], strict=True))
    )

    def check(row: dict[str, Any]) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        run, cluster = row.get("run"), row.get("cluster")
        if run is not None and run_names is not None and run not in run_names:
            found.append(
                (
                    "run",
                    f"no run named {run!r} in training_runs.csv{_closest(run, sorted(run_names))}",
                )
            )
        if cluster is not None and chips is not None:
            if cluster not in chips:
                found.append(
                    (
                        "cluster",
                        f"no cluster named {cluster!r} in clusters.csv"
                        f"{_closest(cluster, sorted(chips))}",
                    )
                )
            elif not math.isnan(row.get("chips", math.nan)) and row["chips"] > chips[cluster]:
                found.append(
                    (
                        "chips",
                        f"{row['chips']:,.0f} chips, more than {cluster!r} has "
                        f"({chips[cluster]:,.0f})",
                    )
                )
        return found

    return check


def load_run_clusters(
    path: str | Path | None = None,
    runs: pd.DataFrame | None = None,
    clusters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load ``run_clusters.csv``: the cluster a run trained on and the chips it used.

    Parameters
    ----------
    path : str or Path, optional
        The file (default: the shipped one).
    runs, clusters : pandas.DataFrame, optional
        Tables the names must be in (default: the shipped files).
    """
    from forecast.data.runs import load_runs

    runs = load_runs() if runs is None else runs
    clusters = load_clusters() if clusters is None else clusters
    return read_table(
        path or DATA_DIR / "run_clusters.csv",
        RUN_CLUSTER_COLUMNS,
        unique="run",
        row_check=_run_cluster_checks(set(runs["name"]), clusters),
    )


ACCELERATOR_COLUMNS = (
    Column("date", _date),
    Column("quantity", cells.choice(("installed", "produced"))),
    Column("h100e", cells.between(*STOCK_RANGE, "H100e", "write H100-equivalents, not millions")),
    Column("scope", cells.choice(("nvidia", "all"))),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
    Column("note", cells.optional_text),
)


def load_accelerators(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``accelerators.csv``: published figures of the stock of AI accelerators.

    ``installed`` is the stock operating at ``date``; ``produced`` the cumulative
    production by ``date`` (a projection where the date is to come). ``scope`` is
    ``nvidia`` (NVIDIA's data-centre GPUs) or ``all`` (every AI accelerator counted).
    """
    frame = read_table(path or DATA_DIR / "accelerators.csv", ACCELERATOR_COLUMNS, unique=None)
    frame["t"] = [decimal_year(d) for d in frame["date"]]
    return frame.sort_values("t").reset_index(drop=True)


def latest_stock(accelerators: pd.DataFrame) -> tuple[float, float]:
    """The latest installed stock of every AI accelerator: (decimal year, H100e)."""
    rows = accelerators[
        (accelerators["quantity"] == "installed") & (accelerators["scope"] == "all")
    ]
    if rows.empty:
        from forecast.errors import DataError

        raise DataError("accelerators.csv has no installed stock of all AI accelerators")
    last = rows.iloc[-1]
    return float(last["t"]), float(last["h100e"])
