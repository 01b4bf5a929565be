"""Writing a report folder, section by section and atomically.

Everything is built in a temporary folder next to the destination and renamed into place
(:func:`forecast.report.folder.atomic_folder`): a failure at any step leaves no partial
report and leaves an earlier report of the same name untouched. A report has a main
section (`forecast run`) and optional sections (`analysis` from `forecast sensitivity`,
`backtest` from `forecast backtest`). A command writes the sections it computed and carries
over the others from the folder's previous report when they were computed from the same
run (same summary), reading them back from their NetCDF files; the briefing is rendered
from all sections present, so it never refers to one that is absent.

Rendering takes a :class:`~forecast.results.Results` and nothing else: it never fits,
samples or reads data files, so :func:`render_report` can draw a report again from the
files in its folder (``forecast report DIR``) without importing PyMC.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from forecast.errors import ForecastError
from forecast.progress import Log, quiet
from forecast.report.briefing import build_briefing
from forecast.report.document import Block, Figure, to_html, to_markdown
from forecast.report.extras import (
    SECTION_FILES,
    SECTION_ORDER,
    section_blocks,
    section_figures,
    write_section_files,
)
from forecast.report.folder import (
    ReportFolderError,
    atomic_folder,
    check_target,
    clean_leftovers,
)
from forecast.results import Results, Sensitivity, load_backtests
from forecast.results.summary import build_summary, dumps

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
    "hindcast": "Hindcast of the conversion: the capital cost, amortised cost and power the model "
    "gives each run published after the cutoff (its own compute, at its date), against the "
    "published figures; dashed lines mark a factor of 3.",
    "rolling": "Rolling-origin backtest of the record: the share of outcomes inside the 80% "
    "(solid) and 50% (dashed) intervals made 1 to 5 years earlier, for this model, a "
    "bootstrapped straight line, the 2018 analysis's line and a line through the year-end "
    "records; and this model's PIT histogram.",
    "backtest": "Backtests: predictions made at each cutoff (fans) against the frontier runs "
    "published afterwards (points).",
}


#: The command that writes each optional section.
COMMANDS = {"analysis": "sensitivity", "backtest": "backtest", "hindcast": "hindcast"}

#: Files of a report's main section that hold results (the rest is rendered from them).
DATA_FILES = ("summary.json", "posterior.nc", "projection.nc")


def _figure_blocks(stems, tmp: Path) -> dict[str, Figure]:
    """The briefing's figure blocks of the saved figures ``stems`` (PNG embedded)."""
    blocks: dict[str, Figure] = {}
    for stem in stems:
        png = tmp / "figures" / f"{stem}.png"
        blocks[stem] = Figure(png.relative_to(tmp), CAPTIONS.get(stem, stem), png.read_bytes())
    return blocks


def _load_section(folder: Path, name: str, results: Results) -> None:
    """Read section ``name`` of the report at ``folder`` into ``results``."""
    if name == "analysis":
        results.sensitivity = Sensitivity.load(folder / "sensitivity.nc")
    elif name == "hindcast":
        import xarray as xr

        with xr.open_dataset(folder / "hindcast.nc") as ds:
            results.hindcast = ds.load()
    else:
        results.backtests = load_backtests(folder / "backtest.nc")


def _carry_sections(
    results: Results, out: Path, previous: dict | None, basis: str, log: Log
) -> list[str]:
    """Add to ``results`` the sections of the previous report at ``out`` from the same run.

    Returns the names of the sections carried over.
    """
    carried: list[str] = []
    if previous is None or previous.get("kind") != "scenario":
        return carried
    for name, section in (previous.get("sections") or {}).items():
        if name in results.sections or name not in SECTION_ORDER or not isinstance(section, dict):
            continue
        if section.get("basis") != basis:
            log(
                f"the {name} section of {out} was computed from a different run (scenario, "
                f"seed, draws or data changed) and is left out; run `forecast "
                f"{COMMANDS[name]}` again to add it"
            )
            continue
        try:
            _load_section(out, name, results)
        except (OSError, KeyError, ValueError) as exc:
            log(f"the {name} section of {out} could not be read ({exc}) and is left out")
            continue
        carried.append(name)
        log(f"kept the {name} section of the previous report (same run)")
    return carried


#: About how many figures' worth of time writing a report's data files takes: while this
#: process writes them, the forked child saves that many more figures.
DATA_FILES_IN_FIGURES = 2


def _render(
    results: Results,
    summary: dict,
    tmp: Path,
    svg: bool,
    manifest: dict,
    first: Callable[[], None] | None = None,
) -> None:
    """Draw the figures and write the briefing of every section present into ``tmp``;
    ``first`` (writing the data files) runs while a forked child saves figures."""
    from forecast.report.figures import figure_makers, save_figures

    main = figure_makers(results)
    sections = {name: section_figures(results, name) for name in results.sections}
    save_figures(
        {**main, **{k: v for f in sections.values() for k, v in f.items()}},
        tmp / "figures",
        svg,
        first=first,
        head_start=DATA_FILES_IN_FIGURES if first is not None else 0,
    )
    figs = _figure_blocks(main, tmp)
    blocks: dict[str, list[Block]] = {}
    for name, section in sections.items():
        section_figs = _figure_blocks(section, tmp)
        blocks[name] = section_blocks(results, name, {**figs, **section_figs})
        files = [
            f"figures/{stem}.{ext}"
            for stem in section
            for ext in (("png", "svg") if svg else ("png",))
        ]
        manifest["sections"][name] = {
            "basis": manifest["basis"],
            "files": sorted(files + list(SECTION_FILES[name])),
        }
    extra = [b for name in SECTION_ORDER for b in blocks.get(name, [])]
    title, doc = build_briefing(summary, results, figs, extra)
    (tmp / "briefing.md").write_text(to_markdown(title, doc), encoding="utf-8")
    (tmp / "briefing.html").write_text(to_html(title, doc), encoding="utf-8")
    if results.explore is not None:
        from forecast.report.explore import explore_html

        (tmp / "explore.html").write_text(
            explore_html(results.explore, results.scenario.name), encoding="utf-8"
        )


def _manifest(results: Results, basis: str) -> dict:
    sc = results.scenario
    return {
        "kind": "scenario",
        "scenario": sc.name,
        "scenario_sha256": sc.sha256,
        "seed": results.seed,
        "draws": results.n_draws,
        "basis": basis,
        "sections": {},
    }


def _basis(summary_text: str) -> str:
    # Sections belong together when they were computed from the same run: the same summary.
    return hashlib.sha256(summary_text.encode("utf-8")).hexdigest()


def write_report(
    results: Results,
    out: Path,
    svg: bool = True,
    inside: Path | None = None,
    log: Log = quiet,
) -> dict:
    """Write the report of ``results`` to the folder ``out`` (atomically, section by section).

    Parameters
    ----------
    results : Results
        From :func:`forecast.workflow.run`. Optional sections it lacks are carried over
        from the report already at ``out`` when that was computed from the same run;
        others are left out, with a line to ``log``.
    out : Path
        Destination folder: absent, empty, or a report folder this tool wrote (see
        :func:`forecast.report.folder.check_target`); anything else is refused.
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
    summary = build_summary(results)
    summary_text = dumps(summary)
    basis = _basis(summary_text)
    clean_leftovers(out)  # a report a killed run left aside is restored before it is read
    previous = check_target(out, inside)
    computed = results.sections
    _carry_sections(results, out, previous, basis, log)
    manifest = _manifest(results, basis)
    with atomic_folder(out, manifest, inside) as tmp:
        (tmp / "summary.json").write_text(summary_text, encoding="utf-8")

        def data_files() -> None:
            results.save_posterior(tmp / "posterior.nc")
            results.save_projection(tmp / "projection.nc")
            for name in results.sections:
                if name in computed:
                    write_section_files(results, name, tmp)
                else:  # carried over: the same files, byte for byte
                    for rel in SECTION_FILES[name]:
                        shutil.copyfile(out / rel, tmp / rel)

        _render(results, summary, tmp, svg, manifest, first=data_files)
    return summary


class StaleReportError(ForecastError):
    """A report folder cannot be rendered again from its files."""


def render_report(folder: Path, svg: bool = True, log: Log = quiet) -> dict:
    """Draw the figures and the briefing of an existing report folder again, from its files.

    Reads only the report's own files (:meth:`Results.load`), keeps every results file
    as it is, and replaces the figures and the briefing atomically; files a user added are
    kept. Does not import PyMC.

    Raises
    ------
    ReportFolderError
        If ``folder`` is not a scenario report this tool wrote.
    StaleReportError
        If its files cannot be read (missing, or written by a version without the
        results groups), or do not give back its ``summary.json``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportFolderError(f"{folder}: no such report folder")
    clean_leftovers(folder)
    previous = check_target(folder)
    if previous is None or previous.get("kind") != "scenario":
        raise ReportFolderError(
            f"{folder}: not a scenario report written by forecast (no {folder.name}/"
            ".forecast-report.json of kind 'scenario')"
        )
    try:
        results = Results.load(folder)
        saved = (folder / "summary.json").read_text(encoding="utf-8")
    except (OSError, KeyError, ValueError) as exc:
        raise StaleReportError(
            f"{folder}: cannot read the report's results ({exc}); it may have been written by "
            "an older version: run `forecast run` again to rewrite it"
        ) from None
    summary = build_summary(results)
    summary_text = dumps(summary)
    if summary_text != saved:
        raise StaleReportError(
            f"{folder}: summary.json does not follow from the report's NetCDF files (edited, "
            "or written by another version); run `forecast run` again to rewrite it"
        )
    basis = _basis(summary_text)
    manifest = _manifest(results, basis)
    with atomic_folder(folder, manifest) as tmp:
        for rel in DATA_FILES:
            shutil.copyfile(folder / rel, tmp / rel)
        for name in results.sections:
            for rel in SECTION_FILES[name]:
                shutil.copyfile(folder / rel, tmp / rel)
        _render(results, summary, tmp, svg, manifest)
    return summary
