"""Figures of the sensitivity of the hit years: the sweep of one input and the doubling
time's sweep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from forecast.report import style as fmt
from forecast.report.plot_base import fill_band, legend_below, year_axis
from forecast.report.style import (
    BLACK,
    GREY,
    constraint_colour,
    literal,
)
from forecast.report.style import axes as _axes

# --------------------------------------------------------------------------- sensitivity


def plot_sweep(
    sweep: xr.Dataset, horizon: float | None = None, fitted: float | None = None
) -> Figure:
    """:func:`plot_doubling_sensitivity` of a sweep Dataset (see
    :func:`forecast.analysis.sweep`): the doubling time, or the input it names."""
    names = [str(n) for n in sweep["constraint"].to_numpy()]
    param = sweep.attrs.get("param", "trend.doubling_time_months")

    def per_constraint(var: str) -> dict[str, np.ndarray]:
        return {n: sweep[var].sel(constraint=n).to_numpy() for n in names}

    return plot_doubling_sensitivity(
        sweep["value"].to_numpy(),
        per_constraint("median"),
        per_constraint("p10"),
        per_constraint("p90"),
        names,
        fitted=fitted,
        horizon=horizon,
        param=None if param == "trend.doubling_time_months" else param,
    )


def plot_doubling_sensitivity(
    values_months: Sequence[float],
    median: Mapping[str, Sequence[float]],
    p10: Mapping[str, Sequence[float]],
    p90: Mapping[str, Sequence[float]],
    constraint_names: Sequence[str],
    ax: Axes | None = None,
    fitted: float | None = None,
    horizon: float | None = None,
    param: str | None = None,
) -> Figure:
    """Hit year (median, 80% band) against the current-era doubling time (or ``param``).

    Parameters
    ----------
    values_months : sequence of float
        The swept values (months for the doubling time, else in ``param``'s unit).
    median, p10, p90 : mapping of str to sequence of float
        Each constraint name to an array over ``values_months``; None, NaN or inf
        (beyond the horizon) leave a gap.
    constraint_names : sequence of str
        The constraints to draw, in colour order.
    ax : matplotlib Axes, optional
    fitted : float, optional
        The scenario's median doubling time, marked with a vertical line.
    horizon : float, optional
        The projection horizon, drawn as a line; bands are cut there.
    param : str, optional
        Key path of the swept parameter when it is not the doubling time; the x axis
        and title then name it in plain words (:func:`forecast.report.formatting.param_label`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax)
    x = np.asarray(values_months, dtype=float)
    order = np.argsort(x)
    x = x[order]

    def arr(d: Mapping[str, Sequence[float]], name: str) -> np.ndarray:
        a = np.array([np.nan if v is None else v for v in d[name]], dtype=float)[order]
        return np.where(np.isfinite(a), a, np.nan)

    for i, name in enumerate(constraint_names):
        colour = constraint_colour(i)
        lo, mid, hi = arr(p10, name), arr(median, name), arr(p90, name)
        if horizon is not None:  # a bound beyond the horizon: draw the band up to it
            hi = np.where(np.isnan(hi) & np.isfinite(lo), horizon, hi)
        fill_band(ax, x, lo, hi, colour, 0.18)
        ax.plot(x, mid, color=colour, lw=2, marker="o", ms=4, label=f"{name}: median, 80% band")
    if fitted is not None and np.isfinite(fitted):
        ax.axvline(
            fitted,
            color=BLACK,
            lw=1.2,
            ls="--",
            # Fitted or given: the scenario's own median, as the briefing's headline has it.
            label=f"this scenario's median doubling time ({fmt.months(fitted)})",
        )
    if horizon is not None:
        ax.axhline(
            horizon,
            color=GREY,
            lw=1,
            ls=":",
            label=f"horizon ({horizon:.0f}): later years are not resolved",
        )
    if param is None or param == "trend.doubling_time_months":
        ax.set_xlabel("doubling time of the current era (months)")
        ax.set_title("How the year each ceiling is reached depends on the doubling time")
    else:
        label = fmt.param_label(param)
        ax.set_xlabel(label)
        ax.set_title(f"How the year each ceiling is reached depends on:\n{label}")
        literal([ax.xaxis.label, ax.title])
    year_axis(ax, "year the ceiling is reached", axis="y")
    ax.grid(True, alpha=0.3)
    legend_below(ax, loc="upper left")
    return fig
