"""Figures of one scenario run: which figures a report has, and how they are saved."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from forecast.report.limit_figures import (
    plot_binding_first,
    plot_cost_vs_ceilings,
    plot_hit_years,
    plot_power_vs_ceiling,
)
from forecast.report.plot_base import constraints_of, horizon_of
from forecast.report.sensitivity_figures import plot_sweep
from forecast.report.style import (
    DPI,
)
from forecast.report.trend_figures import plot_trend_linear, plot_trend_log
from forecast.results import draws as D

#: The stems of :func:`figure_set`, in order.
STEMS = (
    "trend_log",
    "trend_linear",
    "lesson_2018",
    "cost",
    "power",
    "growth_accounting",
    "hit_years",
    "binding_first",
    "threshold_counts",
    "supply",
    "sensitivity",
)


# --------------------------------------------------------------------------- output


def save_figure(
    fig: Figure | Callable[[], Figure], folder: str | Path, stem: str, svg: bool = False
) -> list[Path]:
    """Write ``stem.png`` (150 dpi) and optionally ``stem.svg``; close the figure.

    ``fig`` may be a figure still to be drawn (a callable that returns it).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if not isinstance(fig, Figure):
        fig = fig()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.png"]
    if svg:
        paths.append(folder / f"{stem}.svg")
    # No dates or random ids in the files: the same results give the same bytes.
    metadata = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None}}
    with matplotlib.rc_context({"svg.hashsalt": "forecast"}):
        for path in paths:
            fig.savefig(path, dpi=DPI, metadata=metadata[path.suffix])
            # The layout is settled by the first drawing; the second format reuses it
            # instead of solving the constrained layout again (a fifth of the time).
            fig.set_layout_engine("none")
    close_figure(fig)
    return paths


def save_figures(
    figs: Mapping[str, Figure | Callable[[], Figure]],
    folder: str | Path,
    svg: bool = False,
    first: Callable[[], None] | None = None,
    head_start: int = 0,
) -> None:
    """Save every figure of ``figs`` (see :func:`save_figure`), on two cores where possible.

    Drawing is most of a report's time and each figure draws on its own, so a forked child
    saves a share of the figures while this process saves the rest. Where ``os.fork`` is
    missing (Windows) or fails, everything is saved here. The files are the same bytes
    either way.

    Parameters
    ----------
    figs : mapping of str to Figure
    folder : str or Path
    svg : bool
        Also write SVG.
    first : callable, optional
        Other work this process does first, while the child saves (writing the report's
        data files).
    head_start : int
        That work's size in figures: the child takes that many more.

    Raises
    ------
    OSError
        If the child could not save its figures (the files it wrote are then incomplete
        and the caller's temporary report folder is discarded).
    """
    import os

    stems = list(figs)
    # Alternate, after giving the child ``head_start`` figures more than this process.
    mine, theirs = [], []
    for stem in stems:
        (mine if len(mine) + head_start < len(theirs) else theirs).append(stem)
    pid = None
    if theirs and hasattr(os, "fork"):
        try:
            pid = os.fork()
        except OSError:
            pid = None
        if pid == 0:  # the child: save its share and leave without running any cleanup
            code = 0
            try:
                for stem in theirs:
                    save_figure(figs[stem], folder, stem, svg)
            except BaseException as exc:  # noqa: BLE001  (reported by the exit code)
                # The parent raises without the cause: say it here, where it is known.
                os.write(2, f"error: figure {stem!r}: {type(exc).__name__}: {exc}\n".encode())
                code = 1
            os._exit(code)
    if pid is None:
        mine, theirs = stems, []
    try:
        if first is not None:
            first()
        for stem in mine:
            save_figure(figs[stem], folder, stem, svg)
    finally:
        if pid is not None:
            # Always reaped, even on Ctrl-C: the child gets the same signal and exits.
            _, status = os.waitpid(pid, 0)
    if pid is not None:
        if os.waitstatus_to_exitcode(status) != 0:
            raise OSError(f"could not save the figures {', '.join(theirs)} in {folder}")
        for stem in theirs:
            if isinstance(figs[stem], Figure):  # one still to draw was never drawn here
                close_figure(figs[stem])


def close_figure(fig: Figure) -> None:
    """Release a figure; only figures made through pyplot need pyplot to close them."""
    if getattr(fig.canvas, "manager", None) is not None:
        from matplotlib import pyplot as plt

        plt.close(fig)
    fig.clear()


def figure_set(results) -> dict[str, Figure]:
    """All the figures of the main section of a :class:`~forecast.results.Results`.

    Returns
    -------
    dict of str to Figure
        Keys among :data:`STEMS`, in that order: ``lesson_2018`` only when the results
        hold the 2018 lesson, ``power`` only with a power constraint,
        ``growth_accounting`` only when the results hold the growth accounting,
        ``threshold_counts`` only when they hold the counts, ``sensitivity`` only when
        the results hold the doubling-time sweep.
    """
    return {stem: make() for stem, make in figure_makers(results).items()}


def figure_makers(results) -> dict[str, Callable[[], Figure]]:
    """The figures of :func:`figure_set`, each still to be drawn: :func:`save_figures`
    draws each in the process that saves it, so both cores draw."""
    from functools import partial

    proj = results.projection
    trend = results.fit if results.trend_fitted else None
    used = results.runs_used
    figs: dict[str, Callable[[], Figure]] = {
        "trend_log": partial(plot_trend_log, results.runs_context, used, proj, trend),
        "trend_linear": partial(plot_trend_linear, proj, used),
    }
    if getattr(results, "lesson_2018", None) is not None:
        from forecast.report.lesson import plot_lesson_2018

        figs["lesson_2018"] = partial(plot_lesson_2018, results.lesson_2018)
    figs["cost"] = partial(plot_cost_vs_ceilings, proj)
    if constraints_of(proj, "power"):
        figs["power"] = partial(plot_power_vs_ceiling, proj)
    if getattr(results, "growth", None) is not None:
        from forecast.report.growth_accounting import plot_growth_accounting

        figs["growth_accounting"] = partial(plot_growth_accounting, results.growth)
    figs["hit_years"] = partial(plot_hit_years, proj)
    figs["binding_first"] = partial(plot_binding_first, proj)
    if getattr(results, "threshold_counts", None) is not None:
        from forecast.analysis.counts import threshold_key
        from forecast.report.counts import plot_threshold_counts

        counts = results.threshold_counts
        observed = None
        if "observed" in counts:
            # The counts of the data's complete years before the projection (saved with it).
            observed = {
                threshold_key(k): {
                    str(int(y)): int(v)
                    for y, v in zip(
                        counts["past_year"].to_numpy(),
                        counts["observed"].sel(threshold=k).to_numpy(),
                        strict=True,
                    )
                }
                for k in counts["threshold"].to_numpy()
            }
        figs["threshold_counts"] = partial(plot_threshold_counts, counts, observed)
    if getattr(results, "supply", None) is not None:
        from forecast.report.supply import plot_supply

        figs["supply"] = partial(plot_supply, results.supply)
    if results.sweep is not None:
        fitted = float(D.median(proj["doubling_time_months"]))
        figs["sensitivity"] = partial(plot_sweep, results.sweep, horizon_of(proj), fitted)
    return figs
