"""Compute first, render after: a report is drawn again from its own files, without PyMC."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_hindcast import hand_dataset

from forecast.analysis.lesson2018 import lesson
from forecast.project.engine import project
from forecast.report.folder import MARKER
from forecast.report.write import StaleReportError, render_report, write_report
from forecast.results import Results
from helpers import fake_growth, fake_results, fake_runs, make_fake_trend_fit, make_inputs

ROOT = Path(__file__).resolve().parents[1]

# Importing any of these raises in the child process: rendering must not need them.
BLOCK_FITTING = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pymc", "pytensor", "arviz"}:
            raise ImportError(f"{name} is blocked: rendering must not import it")
sys.meta_path.insert(0, _Block())
from forecast.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report folder written from fake results (a fake two-era fit, a sweep)."""
    inputs = make_inputs(40, np.linspace(5.0, 7.0, 40), horizon=2045.0)
    projection = project(inputs)
    runs = _runs()
    results = fake_results(projection, runs, make_fake_trend_fit(), sweep=_sweep(projection))
    results.hindcast = hand_dataset()
    results.growth = fake_growth(inputs, projection)
    results.lesson_2018 = lesson(results.scenario)
    out = tmp_path_factory.mktemp("reports") / "baseline"
    write_report(results, out, svg=False)
    return out


def _runs():

    return fake_runs(20)


def _sweep(projection):
    import xarray as xr

    names = [str(n) for n in projection["constraint"].to_numpy()]
    values = np.array([4.0, 6.0, 8.0])
    grid = 2030.0 + np.add.outer(values - 4.0, np.arange(len(names), dtype=float))
    return xr.Dataset(
        {
            "median": (("sweep", "constraint"), grid),
            "p10": (("sweep", "constraint"), grid - 1),
            "p90": (("sweep", "constraint"), grid + 1),
            "prob_hit_by_horizon": (("sweep", "constraint"), np.ones_like(grid)),
        },
        coords={"sweep": np.arange(3), "value": ("sweep", values), "constraint": names},
        attrs={"param": "trend.doubling_time_months", "values": values.tolist()},
    )


def test_results_round_trip_through_the_report_files(report):
    results = Results.load(report)
    assert results.scenario.name == "baseline"
    assert results.trend_fitted and results.fit.attrs["eras"] == 2
    assert results.sweep is not None and results.sweep.attrs["param"].startswith("trend.")
    assert len(results.runs_used) == 20
    assert results.sections == ("hindcast",)
    assert results.growth is not None and results.growth.attrs["bootstrap"] == 200
    assert results.lesson_2018 is not None and results.lesson_2018.attrs["points"] == 15
    assert results.hindcast["log10_ratio"].to_numpy().tolist() == pytest.approx(
        np.log10([2.0, 0.5, 4.0, 1.0]).tolist()
    )


def test_render_gives_back_the_same_report(report, tmp_path):
    before = {p: (report / p).read_bytes() for p in ("briefing.md", "briefing.html")}
    figures = sorted(p.name for p in (report / "figures").iterdir())
    (report / "notes.txt").write_text("mine")  # a user's file survives a re-render
    summary = render_report(report, svg=False)
    assert summary["scenario"] == "baseline"
    for p, text in before.items():
        assert (report / p).read_bytes() == text, p
    assert sorted(p.name for p in (report / "figures").iterdir()) == figures
    assert (report / "notes.txt").read_text() == "mine"
    assert json.loads((report / MARKER).read_text())["state"] == "complete"


def test_render_does_not_import_pymc(report):
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_FITTING, "report", str(report)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Report rendered again" in proc.stdout


def test_render_refuses_an_edited_summary(report, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(report, copy)
    summary = json.loads((copy / "summary.json").read_text())
    summary["seed"] = 99
    (copy / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(StaleReportError, match="does not follow"):
        render_report(copy)


def test_render_of_a_folder_that_is_not_a_report(tmp_path):
    from forecast.cli import main

    (tmp_path / "thesis.tex").write_text("x")
    assert main(["report", str(tmp_path)]) == 2
    assert main(["report", str(tmp_path / "absent")]) == 2
    assert (tmp_path / "thesis.tex").read_text() == "x"
