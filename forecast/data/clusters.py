"""Loaders of the supply side: ``clusters.csv``, ``run_clusters.csv``, ``accelerators.csv``.

``clusters.csv`` is curated from Epoch AI's GPU Clusters (CC BY 4.0) by
``scripts/curate_clusters.py``: existing, decommissioned and planned clusters, each with
its certainty; planned ones are dated by the end of the period they are planned for and
are never part of the history. ``run_clusters.csv`` names the cluster of a few frontier
runs and the chips they used; ``accelerators.csv`` holds published figures of the world's
stock of AI accelerators, each marked ``published`` or ``derived`` (by a formula its note
states), with how it treats retired chips. Every row carries a source.
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
#: Which of Epoch AI's two figures a power or cost is: published, or computed from the chips.
BASES = ("reported", "calculated")
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
    Column("power_basis", cells.choice(BASES, optional=True)),
    Column("hardware_cost_usd", _cost),
    Column("cost_basis", cells.choice(BASES, optional=True)),
    Column("rank_when_operational", _rank),
    Column("standard_analysis", cells.choice(("yes", "no"))),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def _cluster_checks(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    status = row.get("status")
    start, end = row.get("first_operational"), row.get("decommissioned")
    if status == "planned" and end is not None:
        found.append(("decommissioned", "a planned cluster cannot be decommissioned"))
    if start is not None and end is not None and end < start:
        found.append(("decommissioned", f"decommissioned {end}, before it operated ({start})"))
    if status == "decommissioned" and end is None:
        found.append(("decommissioned", "a decommissioned cluster needs its date"))
    if status != "planned" and start is not None and start > dt.date.today():
        # History holds what operated: a future date is a plan.
        found.append(("first_operational", f"{start} is in the future: status is planned"))
    if status == "planned":
        # A plan is never history: the standard analysis and the rank are Epoch AI's
        # record of clusters that operated, and a plan is only as good as its certainty.
        if row.get("standard_analysis") == "yes":
            found.append(
                (
                    "standard_analysis",
                    "a planned cluster is not in the standard analysis (the history of "
                    "clusters that operated): set no, or the status existing",
                )
            )
        if not math.isnan(row.get("rank_when_operational", math.nan)):
            found.append(
                ("rank_when_operational", "a planned cluster has no rank: it has not operated")
            )
        if row.get("certainty") == "":
            found.append(("certainty", "a planned cluster needs its certainty"))
    for value, basis in (("power_watts", "power_basis"), ("hardware_cost_usd", "cost_basis")):
        if value not in row or basis not in row:
            continue
        if math.isnan(row[value]) and row[basis]:
            found.append((basis, f"{row[basis]} but no {value}"))
        elif not math.isnan(row[value]) and not row[basis]:
            found.append((basis, f"say whether {value} is reported or calculated"))
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
    """`` (did you mean 'X'?)`` for the names that contain ``name`` (at most three), else
    the nearest of ``names`` ignoring case; or ``""``."""
    match = [n for n in names if name.casefold() in n.casefold()][:3]
    if not match:
        folded = {n.casefold(): n for n in names}
        close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
        match = [folded[c] for c in close]
    return f" (did you mean {' or '.join(map(repr, match))}?)" if match else ""


def _run_cluster_checks(
    run_dates: dict[str, dt.date | None] | None, clusters: pd.DataFrame | None
) -> Callable[[dict[str, Any]], list[tuple[str | None, str]]]:
    chips = (
        None
        if clusters is None
        else dict(zip(clusters["name"], clusters["chip_count"], strict=True))
    )
    operating = (
        {}
        if clusters is None
        else {
            name: (status, start)
            for name, status, start in zip(
                clusters["name"], clusters["status"], clusters["first_operational"], strict=True
            )
        }
    )
    run_names = None if run_dates is None else set(run_dates)

    def check(row: dict[str, Any]) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        run, cluster = row.get("run"), row.get("cluster")
        if cluster in operating and run in (run_dates or {}):
            # A published run trained on a cluster that operated before it was published:
            # a plan, or a phase that began later, is the wrong cluster (or a wrong date).
            status, start = operating[cluster]
            published = run_dates[run] if run_dates else None
            if status == "planned":
                found.append(
                    (
                        "cluster",
                        f"{cluster!r} is planned: a published run trained on "
                        "a cluster that operated",
                    )
                )
            elif published is not None and start is not None and start > published:
                found.append(
                    (
                        "cluster",
                        f"{cluster!r} began operating on {start}, after {run!r} was "
                        f"published ({published}): an earlier phase or another cluster",
                    )
                )
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


def _run_dates(runs: pd.DataFrame) -> dict[str, dt.date | None]:
    """Each run's publication date (``None`` where the table has no ``date``)."""
    if "date" not in runs:
        return dict.fromkeys(runs["name"])
    return {
        name: (date if isinstance(date, dt.date) else None)
        for name, date in zip(runs["name"], runs["date"], strict=True)
    }


def load_run_clusters(
    path: str | Path | None = None,
    runs: pd.DataFrame | None = None,
    clusters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load ``run_clusters.csv``: the cluster a run trained on and the chips it used.

    Each run and cluster must be in the tables; the cluster must have operated by the run's
    publication (not a plan, not a phase that began later) and have at least the run's chips.

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
        row_check=_run_cluster_checks(_run_dates(runs), clusters),
    )


#: How a stock figure treats chips that are retired: ``none`` (cumulative sales or
#: production, nothing retired), ``source`` (the source's own depreciation), ``lifetime``
#: (chips retired ``lifetime_years`` after they were made).
RETIREMENT = ("none", "source", "lifetime")
#: An accelerator's life in service: 1 to 30 years (accounting lives are 4 to 6 years;
#: 30 would keep the first CUDA GPUs of 2007 running today).
LIFETIME_RANGE = (1.0, 30.0)

ACCELERATOR_COLUMNS = (
    Column("date", _date),
    Column("quantity", cells.choice(("installed", "produced"))),
    Column("h100e", cells.between(*STOCK_RANGE, "H100e", "write H100-equivalents, not millions")),
    Column("scope", cells.choice(("nvidia", "all"))),
    Column("basis", cells.choice(("published", "derived"))),
    Column("retirement", cells.choice(RETIREMENT)),
    Column(
        "lifetime_years",
        cells.between(*LIFETIME_RANGE, "years", "accounting lives of AI servers are 4-6", True),
    ),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
    Column("note", cells.optional_text),
)


def _accelerator_checks(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    retirement = row.get("retirement")
    if row.get("quantity") == "produced" and retirement not in (None, "none"):
        found.append(("retirement", "cumulative production retires nothing: retirement is none"))
    if "lifetime_years" in row:  # left out when the cell itself was wrong (reported so)
        lifetime = row["lifetime_years"]
        if retirement == "lifetime" and math.isnan(lifetime):
            found.append(("lifetime_years", "retirement by lifetime needs the lifetime in years"))
        if retirement not in (None, "lifetime") and not math.isnan(lifetime):
            found.append(("lifetime_years", f"a lifetime, but retirement is {retirement}"))
    if row.get("basis") == "derived" and not row.get("note"):
        # A derived number is only as good as its formula: it must be there to check.
        found.append(("note", "a derived figure states its formula and inputs in note"))
    date = row.get("date")
    if row.get("quantity") == "installed" and date is not None and date > dt.date.today():
        found.append(("date", f"{date} is in the future: an installed stock is measured"))
    return found


def load_accelerators(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``accelerators.csv``: the stock of AI accelerators, published and derived.

    ``installed`` is the stock operating at ``date``; ``produced`` the cumulative
    production (or sales) by ``date``, nothing retired (a projection where the date is to
    come). ``scope`` is ``nvidia`` (NVIDIA's data-centre GPUs) or ``all`` (every AI
    accelerator counted). ``basis`` says whether the source published the figure or it is
    derived from published ones by the formula in ``note``; ``retirement`` how retired
    chips are treated (``lifetime``: after ``lifetime_years``).

    Parameters
    ----------
    path : str or Path, optional
        The file (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        Typed, sorted by date, with ``t`` (the date as a decimal year).
    """
    frame = read_table(
        path or DATA_DIR / "accelerators.csv",
        ACCELERATOR_COLUMNS,
        unique=None,
        row_check=_accelerator_checks,
    )
    frame["t"] = [decimal_year(d) for d in frame["date"]]
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def latest_stock_row(accelerators: pd.DataFrame) -> pd.Series:
    """The row of the latest installed stock of every AI accelerator.

    At the latest date a published figure is preferred to a derived one (a measurement
    over a formula).

    Parameters
    ----------
    accelerators : pandas.DataFrame
        :func:`load_accelerators` (``quantity``, ``scope``, ``basis``, ``t``, ``h100e``).

    Raises
    ------
    forecast.errors.DataError
        The table has no installed stock of all AI accelerators.
    """
    rows = accelerators[
        (accelerators["quantity"] == "installed") & (accelerators["scope"] == "all")
    ]
    if rows.empty:
        from forecast.errors import DataError

        raise DataError("accelerators.csv has no installed stock of all AI accelerators")
    rows = rows[rows["t"] == rows["t"].max()]
    published = rows[rows["basis"] == "published"] if "basis" in rows else rows
    return (published if len(published) else rows).iloc[-1]


def latest_stock(accelerators: pd.DataFrame) -> tuple[float, float]:
    """The latest installed stock of every AI accelerator: (decimal year, H100e), the
    figure of :func:`latest_stock_row`."""
    row = latest_stock_row(accelerators)
    return float(row["t"]), float(row["h100e"])
