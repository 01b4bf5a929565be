"""Nothing lost: report folders the tool did not write are never replaced, sections are
added rather than replaced, interrupts leave nothing behind, and every bad input is one
line with exit code 2 and no traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from forecast.cli import main
from forecast.report.folder import MARKER, clean_leftovers, read_manifest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SCENARIOS = TESTS / "scenarios"
DETERMINISTIC = SCENARIOS / "good_deterministic.toml"
UNCERTAIN = SCENARIOS / "good_uncertain.toml"
FAST = ["--quiet", "--draws", "100"]


def run(*args: str) -> int:
    return main([*args])


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in a fresh folder with its own scenarios (so reports/<name> lands there)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SCENARIOS, tmp_path / "sc")
    text = (tmp_path / "sc" / DETERMINISTIC.name).read_text()
    (tmp_path / "sc" / DETERMINISTIC.name).write_text(text.replace("../../data/", f"{ROOT}/data/"))
    return tmp_path


def scenario_named(folder: Path, name: str) -> Path:
    text = DETERMINISTIC.read_text().replace('name = "deterministic"', f'name = "{name}"')
    text = text.replace("../../data/", f"{ROOT}/data/")
    path = folder / "named.toml"
    path.write_text(text)
    return path


# -- 1. the writer never deletes what it did not write -------------------------------------


def test_out_folder_with_foreign_files_is_refused(tmp_path, capsys):
    docs = tmp_path / "mydocs"
    (docs / "thesis").mkdir(parents=True)
    (docs / "thesis" / "ch1.tex").write_text("ch1")
    before = tree(docs)
    code = run("run", str(DETERMINISTIC), "--out", str(docs), *FAST)
    err = capsys.readouterr().err
    assert code == 2
    assert len(error_lines(err)) == 1 and "did not write" in err and "Traceback" not in err
    assert tree(docs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydocs"]  # no temporary folder


def test_out_naming_a_file_is_refused(tmp_path, capsys):
    notes = tmp_path / "n.txt"
    notes.write_text("notes")
    assert run("run", str(DETERMINISTIC), "--out", str(notes), *FAST) == 2
    assert "is a file" in capsys.readouterr().err
    assert notes.read_text() == "notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.txt"]


def test_out_symlink_is_refused(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (tmp_path / "link").symlink_to(target)
    assert run("run", str(DETERMINISTIC), "--out", str(tmp_path / "link"), *FAST) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (target / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("name", ["../victim", ".", "..", "a/b", "/tmp/x", ""])
def test_scenario_name_cannot_leave_reports(in_tmp, capsys, name):
    victim = in_tmp / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("precious")
    (in_tmp / "reports" / "other").mkdir(parents=True)
    (in_tmp / "reports" / "other" / "x.txt").write_text("x")
    code = run("run", str(scenario_named(in_tmp, name)), *FAST)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "name" in err
    assert (victim / "precious.txt").read_text() == "precious"
    assert (in_tmp / "reports" / "other" / "x.txt").read_text() == "x"


def test_report_folder_is_marked_and_rewritable(tmp_path):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    manifest = read_manifest(out)
    assert manifest and manifest["tool"] == "forecast" and manifest["state"] == "complete"
    assert "summary.json" in manifest["files"] and "figures/cost.png" in manifest["files"]
    assert run("run", str(DETERMINISTIC), "--out", str(out), "--quiet", "--draws", "120") == 0
    assert json.loads((out / "summary.json").read_text())["draws"] == 120


def test_files_a_user_adds_to_a_report_survive_a_rewrite(tmp_path, capsys):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    (out / "my-notes.txt").write_text("mine")
    (out / "figures" / "annotated.png").write_bytes(b"png")
    assert run("run", str(DETERMINISTIC), "--out", str(out), "--quiet", "--draws", "120") == 0
    assert (out / "my-notes.txt").read_text() == "mine"
    # figures/ is the tool's folder, but a file in it that the tool did not write is kept.
    assert (out / "figures" / "annotated.png").read_bytes() == b"png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_user_file_named_like_a_new_output_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "rep"
    args = ["run", str(DETERMINISTIC), "--out", str(out), *FAST]
    assert run(*args, "--no-sensitivity") == 0
    (out / "sensitivity.json").write_text("my own analysis")
    # The analysis section writes sensitivity.json: the user's file of that name wins.
    code = run("sensitivity", str(DETERMINISTIC), "--out", str(out), *FAST, "--sobol-log2", "6")
    err = capsys.readouterr().err
    assert code == 2 and "sensitivity.json" in err
    assert (out / "sensitivity.json").read_text() == "my own analysis"


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    # A run killed while building (SIGKILL): a temporary folder with a partial marker.
    partial = tmp_path / ".rep.tmp-abc123"
    (partial / "figures").mkdir(parents=True)
    (partial / MARKER).write_text('{"tool": "forecast", "state": "partial", "files": []}')
    # One from a version that wrote no marker, holding only report files.
    older = tmp_path / ".rep.tmp-old999"
    older.mkdir()
    (older / "summary.json").write_text("{}")
    # Something else that happens to match the pattern is not ours: it stays.
    stranger = tmp_path / ".rep.tmp-mine"
    stranger.mkdir()
    (stranger / "thesis.tex").write_text("x")
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rep.tmp-mine", "rep"]


def test_report_moved_aside_by_a_killed_run_is_restored(tmp_path):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    before = tree(out)
    aside = tmp_path / ".rep.old-xyz"
    out.rename(aside)  # killed between the two renames
    clean_leftovers(out)
    assert tree(out) == before and not aside.exists()


def test_interrupt_while_writing_leaves_previous_report(tmp_path, monkeypatch, capsys):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    before = tree(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("forecast.report.write.to_html", interrupted)
    assert run("run", str(DETERMINISTIC), "--out", str(out), "--quiet", "--draws", "120") == 130
    assert "interrupted" in capsys.readouterr().err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_sigterm_exits_143_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "rep"
    from forecast.project import scenario as pipeline

    real = pipeline.project

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "project", terminated)
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 143
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored


# -- 4. commands add sections, they do not replace the folder -------------------------------


def sections(out: Path) -> list[str]:
    return sorted((read_manifest(out) or {}).get("sections", {}))


def test_run_keeps_the_sensitivity_section_of_the_same_run(tmp_path):
    out = tmp_path / "rep"
    base = [str(UNCERTAIN), "--out", str(out), "--quiet", "--draws", "300"]
    assert run("sensitivity", *base, "--sobol-log2", "7") == 0
    analysis = tree(out)["sensitivity.json"]
    assert sections(out) == ["analysis"]
    assert run("run", *base) == 0
    assert sections(out) == ["analysis"]
    assert tree(out)["sensitivity.json"] == analysis
    md = (out / "briefing.md").read_text()
    assert "Which assumptions matter most" in md and "figures/tornado.png" in md
    assert (out / "figures" / "tornado.png").is_file()


def test_section_of_a_different_run_is_dropped_and_never_referred_to(tmp_path, capsys):
    out = tmp_path / "rep"
    assert run("sensitivity", str(UNCERTAIN), "--out", str(out), *FAST, "--sobol-log2", "6") == 0
    assert run("run", str(UNCERTAIN), "--out", str(out), "--draws", "150") == 0
    assert "left out" in capsys.readouterr().err
    assert sections(out) == []
    assert not (out / "sensitivity.json").exists()
    assert not (out / "figures" / "tornado.png").exists()
    assert "Which assumptions" not in (out / "briefing.md").read_text()


def test_briefing_mentions_the_sweep_only_when_present(tmp_path):
    out = tmp_path / "rep"
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST, "--no-sensitivity") == 0
    md = (out / "briefing.md").read_text()
    assert "sensitivity section" not in md
    assert run("run", str(DETERMINISTIC), "--out", str(out), *FAST) == 0
    assert "sensitivity section" in (out / "briefing.md").read_text()


def test_quick_start_output_is_ignored_by_git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    probe = subprocess.run(
        ["git", "check-ignore", "-q", "reports/baseline/summary.json"], cwd=ROOT, check=False
    )
    assert probe.returncode == 0, "the quick start's report folder must not dirty the clone"
    tracked = subprocess.run(
        ["git", "ls-files", "reports"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert tracked.stdout == ""


# -- 3. no traceback on any input -----------------------------------------------------------

BAD_OPTIONS = [
    (["--draws", "-5"], "--draws"),
    (["--draws", "0"], "--draws"),
    (["--draws", "1"], "--draws"),
    (["--draws", "10000000"], "--draws"),
    (["--draws", "many"], "--draws"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "99999999999999999999"], "--seed"),
    (["--seed", "1.5"], "--seed"),
    (["--sobol-log2", "40"], "--sobol-log2"),
    (["--sobol-log2", "-3"], "--sobol-log2"),
    (["--backtest", "2031-13-01"], "--backtest"),
    (["--backtest", "2099-01-01"], "--cutoff 2099-01-01"),
    (["--backtest", "1960-01-01"], "--cutoff 1960-01-01"),
    (["--analysis", "--param", "hardware.nope"], "--param"),
    (["--analysis", "--values", "a:b"], "--values"),
]


@pytest.mark.parametrize("extra,where", BAD_OPTIONS, ids=[" ".join(e) for e, _ in BAD_OPTIONS])
def test_bad_options_are_one_line_before_any_fit(tmp_path, monkeypatch, capsys, extra, where):
    # The baseline needs MCMC fits; every problem here must be found before them.
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        "forecast.project.scenario.fit_scenario",
        lambda *a, **k: pytest.fail("fitted before checking"),
    )
    code = run(
        "run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(tmp_path / "o"), *extra
    )
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and where in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["estimate", "operations", "--forward-flop", "nan", "--examples", "1", "--epochs", "1"],
        ["estimate", "operations", "--forward-flop", "-1", "--examples", "1", "--epochs", "1"],
        ["estimate", "hardware", "--chip", "GTX 580", "--count", "inf", "--days", "1"],
        [
            "estimate",
            "hardware",
            "--chip",
            "GTX 580",
            "--count",
            "2",
            "--days",
            "1",
            "--utilization",
            "3",
        ],
        ["nosuchcommand"],
        [],
    ],
)
def test_bad_estimate_and_command_lines(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in err


def test_version_short_flag(capsys):
    assert main(["-V"]) == 0 and "forecast" in capsys.readouterr().out


def test_error_messages_are_printed_as_plain_text(tmp_path, capsys):
    # Rich would read "[[constraints]]" as markup (and drop it) and crash on "[/x]".
    path = tmp_path / "markup.toml"
    path.write_text(
        DETERMINISTIC.read_text().replace("../../data/", f"{ROOT}/data/")
        + '\n[[constraints]]\nname = "x"\nkind = "spend"\nbasis = "capex"\n"[/x]" = 1\n'
    )
    code = run("check", str(path))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "[/x]" in err
    assert "[[constraints]]" in err or "constraints[3]" in err or "constraints.x" in err


def test_constraint_name_with_slash_runs_to_the_end(tmp_path, capsys):
    path = tmp_path / "slash.toml"
    path.write_text(
        DETERMINISTIC.read_text()
        .replace("../../data/", f"{ROOT}/data/")
        .replace('name = "Single-site power"', 'name = "GW/site [power]"')
    )
    out = tmp_path / "rep"
    code = run("run", str(path), "--out", str(out), *FAST)
    assert code == 0, capsys.readouterr().err
    from urllib.parse import unquote

    import xarray as xr

    with xr.open_dataset(out / "posterior.nc", group="projection_inputs") as ds:
        names = {unquote(str(n)) for n in ds.data_vars}
    assert "constraints.GW/site [power].limit_watts" in names
    summary = json.loads((out / "summary.json").read_text())
    assert "GW/site [power]" in [c["name"] for c in summary["constraints"]]


def test_check_reports_a_missing_optional_sampler(tmp_path, monkeypatch, capsys):
    path = tmp_path / "np.toml"
    text = (ROOT / "scenarios" / "baseline.toml").read_text()
    path.write_text(
        text.replace('backend = "pymc"', 'backend = "nutpie"').replace("../data/", f"{ROOT}/data/")
    )
    monkeypatch.setattr("forecast.models.sampling.backend_available", lambda name: name == "pymc")
    assert run("check", str(path)) == 2
    err = capsys.readouterr().err
    assert len(error_lines(err)) == 1 and 'pip install -e ".[nutpie]"' in err
