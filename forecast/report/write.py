"""Writing a report folder, section by section and atomically.

Everything is built in a temporary folder next to the destination and renamed into place
(:func:`forecast.report.folder.atomic_folder`): a failure at any step leaves no partial
report and leaves an earlier report of the same name untouched. A report has a main
section (`forecast run`) and optional sections (`analysis` from `forecast sensitivity`,
`backtest` from `forecast backtest`). A command writes the sections it computed and carries
over the others from the folder's previous report when they were computed from the same
run (same summary); the briefing is rendered from all sections present, so it never
refers to one that is absent.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import xarray as xr

from forecast.models.sampling import az
from forecast.pipeline import ScenarioResult
from forecast.progress import Log, quiet
from forecast.report.briefing import build_briefing
from forecast.report.document import (
    Block,
    Figure,
    blocks_from_json,
    blocks_to_json,
    to_html,
    to_markdown,
)
from forecast.report.extras import SECTION_ORDER, Extra
from forecast.report.folder import atomic_folder, check_target, clean_leftovers, files_under
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
    inputs = xr.Dataset({netcdf_name(k): ("draw", v) for k, v in result.input_draws.items()})
    inputs.attrs["name_encoding"] = NAME_ENCODING
    groups["projection_inputs"] = inputs
    with warnings.catch_warnings():
        # Custom group names are outside ArviZ's schema on purpose.
        warnings.simplefilter("ignore")
        return az.InferenceData(**groups)


NAME_ENCODING = (
    "variable names are scenario key paths; '%' and '/' (which NetCDF forbids in names) are "
    "written as %25 and %2F, so urllib.parse.unquote gives the key path back"
)


def netcdf_name(key: str) -> str:
    """``key`` as a NetCDF variable name: constraint names are user text and may hold "/"."""
    return quote(key, safe=" !\"#$&'()*+,-.:;<=>?@[\\]^_`{|}~")


def _save_figures(figures: dict, tmp: Path, svg: bool) -> dict[str, Figure]:
    from forecast.report.figures import save_figure

    blocks: dict[str, Figure] = {}
    for stem, fig in figures.items():
        paths = save_figure(fig, tmp / "figures", stem, svg=svg)
        png = next(p for p in paths if p.suffix == ".png")
        blocks[stem] = Figure(png.relative_to(tmp), CAPTIONS.get(stem, stem), png.read_bytes())
    return blocks


def _carried_sections(
    out: Path, previous: dict | None, basis: str, replaced: set[str], log: Log
) -> dict[str, dict]:
    """Sections of the previous report at ``out`` that belong to this same run."""
    carried: dict[str, dict] = {}
    if previous is None or previous.get("kind") != "scenario":
        return carried
    for name, section in (previous.get("sections") or {}).items():
        if name in replaced or name not in SECTION_ORDER or not isinstance(section, dict):
            continue
        if section.get("basis") != basis:
            log(
                f"the {name} section of {out} was computed from a different run (scenario, "
                f"seed, draws or data changed) and is left out; run `forecast "
                f"{'sensitivity' if name == 'analysis' else 'backtest'}` again to add it"
            )
            continue
        files = section.get("files") or []
        if not all(isinstance(f, str) and (out / f).is_file() for f in files):
            log(f"the {name} section of {out} is missing files and is left out")
            continue
        carried[name] = section
    return carried


def write_report(
    result: ScenarioResult,
    out: Path,
    sensitivity: xr.Dataset | None = None,
    extras: Sequence[Extra] = (),
    svg: bool = True,
    inside: Path | None = None,
    log: Log = quiet,
) -> dict:
    """Write the report of ``result`` to the folder ``out`` (atomically, section by section).

    Parameters
    ----------
    result : ScenarioResult
    out : Path
        Destination folder: absent, empty, or a report folder this tool wrote (see
        :func:`forecast.report.folder.check_target`); anything else is refused.
    sensitivity : xarray.Dataset, optional
        A doubling-time sweep (see :func:`forecast.analysis.sweep`) for its section and figure.
    extras : sequence of Extra
        Optional sections (sensitivity analysis, backtests) computed now. Optional sections
        already in ``out`` that were computed from the same run are kept; others are left
        out, with a line to ``log``.
    svg : bool
        Also write SVG versions of the figures.
    inside : Path, optional
        A folder ``out`` must lie inside (``reports/`` for a folder named by the scenario).
    log : callable
        Receives one-line messages.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    out = Path(out)
    summary = build_summary(result)
    summary_text = dumps(summary)
    # Sections belong together when they were computed from the same run: the same summary.
    basis = hashlib.sha256(summary_text.encode("utf-8")).hexdigest()
    clean_leftovers(out)  # a report a killed run left aside is restored before it is read
    previous = check_target(out, inside)
    carried = _carried_sections(out, previous, basis, {e.name for e in extras}, log)
    sc = result.scenario
    manifest: dict = {
        "kind": "scenario",
        "scenario": sc.name,
        "scenario_sha256": sc.sha256,
        "seed": result.seed,
        "draws": int(result.inputs.n_draws),
        "basis": basis,
        "sections": {},
    }
    with atomic_folder(out, manifest, inside) as tmp:
        from forecast.report.figures import figure_set

        sens = sensitivity_for_figure(result, sensitivity) if sensitivity is not None else None
        blocks = _save_figures(dict(figure_set(result, sensitivity=sens)), tmp, svg)
        section_blocks: dict[str, list[Block]] = {}
        for extra in extras:
            before = set(files_under(tmp))
            figs = _save_figures(extra.figures, tmp, svg)
            if extra.files is not None:
                extra.files(tmp)
            section_blocks[extra.name] = extra.blocks({**blocks, **figs})
            manifest["sections"][extra.name] = {
                "basis": basis,
                "files": sorted(set(files_under(tmp)) - before),
                "blocks": blocks_to_json(section_blocks[extra.name]),
            }
        for name, section in carried.items():
            for rel in section["files"]:
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(out / rel, tmp / rel)
            try:
                section_blocks[name] = blocks_from_json(section["blocks"], tmp)
            except ValueError as exc:
                log(f"the {name} section of {out} could not be read ({exc}) and is left out")
                for rel in section["files"]:
                    (tmp / rel).unlink(missing_ok=True)
                continue
            manifest["sections"][name] = section
            log(f"kept the {name} section of the previous report (same run)")
        extra_blocks = [b for name in SECTION_ORDER for b in section_blocks.get(name, [])]
        title, doc = build_briefing(summary, result, blocks, sensitivity, extra_blocks)
        (tmp / "briefing.md").write_text(to_markdown(title, doc), encoding="utf-8")
        (tmp / "briefing.html").write_text(to_html(title, doc), encoding="utf-8")
        (tmp / "summary.json").write_text(summary_text, encoding="utf-8")
        posterior_idata(result).to_netcdf(str(tmp / "posterior.nc"))
        projection = result.projection
        encoding = {
            name: {"zlib": True, "complevel": 4}
            for name, var in projection.data_vars.items()
            if var.dtype.kind == "f"
        }
        projection.to_netcdf(tmp / "projection.nc", encoding=encoding)
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
