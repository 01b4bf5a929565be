"""Writing a report folder atomically: build everything in a temporary folder next to the
destination, then rename it into place. A failure at any step leaves no partial report
(and leaves an earlier report of the same name untouched)."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import xarray as xr

from forecast.models.sampling import az
from forecast.pipeline import ScenarioResult
from forecast.report.briefing import build_briefing
from forecast.report.document import Figure, to_html, to_markdown
from forecast.report.extras import Extra
from forecast.report.summary import build_summary, dumps

CAPTIONS = {
    "trend_log": "Training compute of notable runs (grey), the selected frontier runs (colour), "
    "the fitted trend with its eras, and the projection fan (median, 50% and 80% intervals) "
    "against Moore's law; log scale.",
    "trend_linear": "The same projection on a linear scale, to two years after the median year "
    "the first ceiling binds: unconstrained, the trend explodes; held to the ceilings, it bends.",
    "cost": "Cost of the largest run (capital and amortised, median and 80% interval) against "
    "each spending ceiling.",
    "power": "Power drawn by the largest run (median and 80% interval) against each power ceiling.",
    "hit_years": "Distribution of the year each ceiling is reached, over all draws.",
    "sensitivity": "Median hit year (and 10th–90th percentile band) of each ceiling as the "
    "current-era doubling time changes; the fitted doubling time is marked.",
    "tornado": "One-at-a-time sensitivity: the median year the first ceiling binds with each "
    "input at its 10th and 90th percentile, the others at their medians.",
    "sobol": "Variance-based (Sobol) indices of the year the first ceiling binds.",
    "backtest": "Backtests: predictions made at each cutoff (fans) against the frontier runs "
    "published afterwards (points).",
}


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out`` only if the block succeeds."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    # mkdtemp makes a private (0700) folder; a report is an ordinary folder.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def posterior_idata(result: ScenarioResult) -> az.InferenceData:
    """One InferenceData with the trend posterior, the hardware posterior and the drawn inputs."""
    groups: dict[str, xr.Dataset] = {}
    if result.trend_fit is not None:
        idata = result.trend_fit.idata
        for g in idata.groups():
            groups[g] = getattr(idata, g)
    if result.hardware_fit is not None:
        hw = result.hardware_fit.idata
        groups["hardware_posterior"] = hw.posterior
        if "sample_stats" in hw.groups():
            groups["hardware_sample_stats"] = hw.sample_stats
    inputs = xr.Dataset({k: ("draw", v) for k, v in result.input_draws.items()})
    groups["projection_inputs"] = inputs
    with warnings.catch_warnings():
        # Custom group names are outside ArviZ's schema on purpose.
        warnings.simplefilter("ignore")
        return az.InferenceData(**groups)


def write_report(
    result: ScenarioResult,
    out: Path,
    sensitivity: xr.Dataset | None = None,
    extras: Sequence[Extra] = (),
    svg: bool = True,
) -> dict:
    """Write the whole report folder for ``result`` to ``out`` (atomically).

    Parameters
    ----------
    result : ScenarioResult
    out : Path
        Destination folder (replaced if it exists).
    sensitivity : xarray.Dataset, optional
        A doubling-time sweep (see :func:`forecast.analysis.sweep`) for its section and figure.
    extras : sequence of Extra
        Optional sections (sensitivity analysis, backtests): their blocks, figures and files.
    svg : bool
        Also write SVG versions of the figures.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    from forecast.report.figures import figure_set, save_figure

    summary = build_summary(result)
    with atomic_folder(Path(out)) as tmp:
        fig_dir = tmp / "figures"
        sens = None
        if sensitivity is not None:
            sens = sensitivity_for_figure(result, sensitivity)
        figures = dict(figure_set(result, sensitivity=sens))
        for extra in extras:
            figures.update(extra.figures)
        blocks: dict[str, Figure] = {}
        for stem, fig in figures.items():
            paths = save_figure(fig, fig_dir, stem, svg=svg)
            png = next(p for p in paths if p.suffix == ".png")
            blocks[stem] = Figure(png.relative_to(tmp), CAPTIONS.get(stem, stem), png.read_bytes())
        extra_blocks = [b for extra in extras for b in extra.blocks(blocks)]
        title, doc = build_briefing(summary, result, blocks, sensitivity, extra_blocks)
        (tmp / "briefing.md").write_text(to_markdown(title, doc), encoding="utf-8")
        (tmp / "briefing.html").write_text(to_html(title, doc), encoding="utf-8")
        (tmp / "summary.json").write_text(dumps(summary), encoding="utf-8")
        posterior_idata(result).to_netcdf(str(tmp / "posterior.nc"))
        projection = result.projection
        encoding = {
            name: {"zlib": True, "complevel": 4}
            for name, var in projection.data_vars.items()
            if var.dtype.kind == "f"
        }
        projection.to_netcdf(tmp / "projection.nc", encoding=encoding)
        for extra in extras:
            if extra.files is not None:
                extra.files(tmp)
    return summary


def sensitivity_for_figure(result: ScenarioResult, sweep: xr.Dataset) -> dict:
    """The arrays the sensitivity figure takes, from a sweep Dataset."""
    import numpy as np

    names = [str(n) for n in sweep["constraint"].to_numpy()]
    values = np.asarray(
        sweep["value"].to_numpy() if "value" in sweep else sweep["sweep"].to_numpy()
    )
    out = {"values": values, "fitted": float(np.median(result.projection["doubling_time_months"]))}
    for key in ("median", "p10", "p90"):
        out[key] = {n: sweep[key].sel(constraint=n).to_numpy() for n in names}
    return out
