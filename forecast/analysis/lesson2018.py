"""The 2018 lesson: what the straight line of "AI and Compute" said, and what happened.

OpenAI's 2018 analysis fitted a line to the logarithm of the compute of the 15 trend points
of its chart (AlexNet 2012 to AlphaZero 2017) over their dates and reported that "the
doubling time of the best-fit line is 3.43 months". :func:`ols_line` refits that line the
way a best-fit line on a log chart is fitted: ordinary least squares of log10 FLOP on the
decimal year, every point weighted alike (no measurement error, no scatter model).
:func:`lesson` then reads the line at the end of each year after its data and puts it beside
the running record of the runs file (the largest run published by then), so the backtest of
the 2018 trend needs no fitting at all.

Nothing here is sampled; the Dataset is carried by :class:`forecast.results.Results` as
``lesson_2018`` and rendered by :mod:`forecast.report.lesson`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from forecast.data.units import doubling_months

#: The doubling time the 2018 analysis reported for its best-fit line, in months.
REPORTED_DOUBLING_MONTHS = 3.43
#: Where :data:`REPORTED_DOUBLING_MONTHS` comes from.
REPORTED_SOURCE = (
    "OpenAI (2018-05-16), 'AI and Compute': 'the doubling time of the best-fit line is "
    "3.43 months' (3.4 months in its summary)"
)


@dataclass(frozen=True)
class Line:
    """A least-squares line of log10 FLOP over decimal years.

    Stored by the point it passes through (the means of the data), which keeps the
    intercept exact for years near the data instead of at year 0.
    """

    slope: float
    """Orders of magnitude (log10) per year."""
    t_mean: float
    log10_mean: float

    def at(self, t: float | np.ndarray) -> float | np.ndarray:
        """log10 FLOP of the line at decimal year ``t``."""
        return self.log10_mean + self.slope * (np.asarray(t, dtype=float) - self.t_mean)

    @property
    def doubling_months(self) -> float:
        return float(doubling_months(self.slope))


def ols_line(t: np.ndarray, log10_flop: np.ndarray) -> Line:
    """Ordinary least squares of ``log10_flop`` on ``t``, as the 2018 analysis fitted.

    Raises
    ------
    ValueError
        With fewer than two distinct years (no line).
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(log10_flop, dtype=float)
    if t.size < 2 or np.ptp(t) == 0:
        raise ValueError("a line needs points at two or more dates")
    from forecast.analysis.growth import ols_slopes

    return Line(slope=float(ols_slopes(t, y)), t_mean=float(t.mean()), log10_mean=float(y.mean()))


def records_at_year_ends(runs: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The running record at the end of each year: the largest run published by 31 December.

    Parameters
    ----------
    runs : pandas.DataFrame
        ``name``, ``date`` and ``compute_flop`` columns.
    years : list of int

    Returns
    -------
    pandas.DataFrame
        Indexed by year: ``log10_flop`` (NaN when no run was published by then), ``name``
        and ``date`` of the record holder (``""`` when none).
    """
    dates = pd.to_datetime(runs["date"]).to_numpy()
    log10 = np.log10(runs["compute_flop"].to_numpy(dtype=float))
    names = runs["name"].astype(str).to_numpy()
    rows = []
    for year in years:
        known = dates <= np.datetime64(dt.date(year, 12, 31))
        if not known.any():
            rows.append((year, math.nan, "", ""))
            continue
        i = int(np.flatnonzero(known)[np.argmax(log10[known])])
        day = pd.Timestamp(dates[i]).date().isoformat()
        rows.append((year, float(log10[i]), names[i], day))
    return pd.DataFrame(rows, columns=["year", "log10_flop", "name", "date"]).set_index("year")


def _last_full_year(runs: pd.DataFrame, until: dt.date | None) -> int:
    """The last year the data cover to its end: the year before the latest run's (or the
    scenario's ``until``, if earlier), unless that date is itself 31 December."""
    end = max(pd.to_datetime(runs["date"])).date()
    if until is not None and until < end:
        end = until
    return end.year if (end.month, end.day) == (12, 31) else end.year - 1


def lesson(scenario) -> xr.Dataset | None:
    """The backtest of the 2018 line against what happened, for ``scenario``'s data.

    Parameters
    ----------
    scenario : forecast.scenario.Scenario
        Only a scenario fitted to the runs file (``data.points = "runs"``) whose
        ``data.openai_2018`` file exists gets a lesson: the 2018 reproduction's own
        points are the 2018 chart, not what happened after it.

    Returns
    -------
    xarray.Dataset or None
        Dim ``year``: every year end from the last year of the chart's trend points (its
        fit, for reference) to the last full year of the data. ``line_log10_flop`` (the
        2018 line at the year's end, 31 December = decimal year + 1), ``record_log10_flop``,
        ``record_name``, ``record_date`` (the record among the runs the scenario's selection
        counts), ``record_all_*`` (among every run of the file, fine-tunes and unfinished
        runs too), ``log10_ratio`` (line minus record). Dim ``point``: the chart's trend
        points (``point_name``, ``point_t``, ``point_log10_flop``). Attributes: the line
        (``slope_log10_per_year``, ``t_mean``, ``log10_mean``, ``doubling_time_months``,
        ``growth_per_year``), ``reported_doubling_time_months`` and its source, ``points``,
        ``first_year_after`` (the first year end after the chart's data),
        ``record_growth_per_year`` (the record's yearly growth from the first to the last
        year end), ``selection``. None for other scenarios, or when the data end before
        the first year end after the chart's data.

    Raises
    ------
    forecast.errors.DataError
        If the 2018 chart's file or the runs file is invalid.
    """
    data = scenario.data
    if getattr(data, "points", "runs") != "runs" or not Path(data.openai_2018).is_file():
        return None
    from forecast.data.loaders import load_points, load_runs

    # The chart's 15 trend points (rows with in_trend = true), in the chart's own estimates.
    points = load_points("openai_2018", data.openai_2018)
    line = ols_line(points["t"].to_numpy(), points["log10_flop"].to_numpy())
    last_point_year = int(math.floor(points["t"].max()))
    everything = load_runs(data.runs)
    last = _last_full_year(everything, data.until)
    if last <= last_point_year:
        return None
    years = list(range(last_point_year, last + 1))
    # The fair record is the one the scenario's selection counts (selected_points: its
    # frontier rule and window, finished pretraining runs only). The 2018 chart plotted
    # the compute of single training runs, and the briefing's "largest run" is this same
    # record. A fine-tune's compute includes its base model's again (FLAN 137B, Grok 4),
    # so it is not a run of that size, and an unfinished run is a preview of one still
    # going: counting them would set the record by runs no one trained. Every rule keeps
    # the record holder at its release (it has no larger competitor), so this is the
    # largest counted run published by then. The record over every run of the file is
    # kept beside it, to show what the choice moves (at most a factor of a few).
    counted = records_at_year_ends(data.selected_points(), years)
    overall = records_at_year_ends(everything, years)
    line_at = np.asarray(line.at(np.array(years, dtype=float) + 1.0), dtype=float)
    record = counted["log10_flop"].to_numpy(dtype=float)
    ds = xr.Dataset(
        {
            "line_log10_flop": ("year", line_at),
            "record_log10_flop": ("year", record),
            "record_name": ("year", counted["name"].to_numpy(dtype=str)),
            "record_date": ("year", counted["date"].to_numpy(dtype=str)),
            "record_all_log10_flop": ("year", overall["log10_flop"].to_numpy(dtype=float)),
            "record_all_name": ("year", overall["name"].to_numpy(dtype=str)),
            "record_all_date": ("year", overall["date"].to_numpy(dtype=str)),
            "log10_ratio": ("year", line_at - record),
            "point_name": ("point", points["name"].astype(str).to_numpy(dtype=str)),
            "point_t": ("point", points["t"].to_numpy(dtype=float)),
            "point_log10_flop": ("point", points["log10_flop"].to_numpy(dtype=float)),
        },
        coords={"year": np.array(years, dtype=np.int64)},
    )
    span = years[-1] - years[0]
    record_growth = 10.0 ** ((record[-1] - record[0]) / span)
    ds.attrs = {
        "slope_log10_per_year": line.slope,
        "t_mean": line.t_mean,
        "log10_mean": line.log10_mean,
        "doubling_time_months": line.doubling_months,
        "growth_per_year": 10.0**line.slope,
        "reported_doubling_time_months": REPORTED_DOUBLING_MONTHS,
        "reported_source": REPORTED_SOURCE,
        "points": int(len(points)),
        "first_year_after": last_point_year + 1,
        "record_growth_per_year": float(record_growth),
        "selection": data.selection().describe(),
    }
    return ds
