"""`forecast run`: deterministic closed forms, summary keys, reproducibility, atomic reports."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from forecast.cli import main
from forecast.results.summary import build_summary, dumps
from forecast.scenario import check_scenario
from forecast.workflow import RunOptions, run
from helpers import assert_summary_keys, design_capex_hit, design_power_hit

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
DETERMINISTIC = SCENARIOS / "good_deterministic.toml"
LN2 = math.log(2)


@pytest.fixture(scope="module")
def deterministic():
    return run(check_scenario(DETERMINISTIC), RunOptions(draws=20), sweep=False)


def test_deterministic_scenario_needs_no_fit(deterministic):
    assert not deterministic.trend_fitted
    assert deterministic.fit["diag_fitted"].to_numpy().tolist() == [False, False]
    assert deterministic.posterior == {}


def test_deterministic_hit_years_equal_closed_form(deterministic):
    D = 100 * 86400
    hit = deterministic.projection["hit_year"]
    capex = design_capex_hit(
        5e26, 2025.5, 0.5, 3e10, 2025.0, 2.5, 1e12, 2018, 0.05, 1.0, 1.5, 0.35, D
    )
    power = design_power_hit(5e26, 2025.5, 0.5, 1.4e12, 2025.0, 2.5, 5e9, 2030, 0.0, 1.2, 0.35, D)
    never = design_capex_hit(
        5e26, 2025.5, 0.5, 3e10, 2025.0, 2.5, 1e12, 2018, 3.0, 1.0, 1.5, 0.35, D
    )
    np.testing.assert_allclose(hit.sel(constraint="World hardware budget"), capex, atol=1e-6)
    np.testing.assert_allclose(hit.sel(constraint="Single-site power"), power, atol=1e-6)
    assert math.isinf(never)
    assert np.all(np.isinf(hit.sel(constraint="Runaway budget")))


def test_summary_has_every_design_key(deterministic):
    summary = build_summary(deterministic)
    assert_summary_keys(summary, 2026, 2060)
    runaway = next(c for c in summary["constraints"] if c["name"] == "Runaway budget")
    assert runaway["hit_year"]["median"] is None  # never a made-up number
    assert runaway["prob_hit_by_horizon"] == 0
    assert summary["limit"]["binding_constraint"] == "Single-site power"
    assert summary["trend"]["diagnostics"]["r_hat_max"] is None  # no fit, nothing to report


def test_same_seed_same_summary_bytes():
    options = RunOptions(draws=50)
    a = dumps(build_summary(run(check_scenario(DETERMINISTIC), options, sweep=False)))
    b = dumps(build_summary(run(check_scenario(DETERMINISTIC), options, sweep=False)))
    assert a == b


def test_run_writes_complete_report(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["run", str(DETERMINISTIC), "--out", str(out), "--draws", "200", "--quiet"])
    assert code == 0, capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {
        "briefing.html",
        "briefing.md",
        "figures",
        "summary.json",
        "posterior.nc",
        "projection.nc",
    } <= names
    assert any(p.suffix == ".png" for p in (out / "figures").iterdir())
    html = (out / "briefing.html").read_text()
    # User text is escaped; figures are embedded; nothing is fetched from elsewhere.
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "data:image/png;base64," in html
    assert "http://" not in html.split("Appendix")[0] and 'src="http' not in html
    md = (out / "briefing.md").read_text()
    assert md.index("The answer") < md.index("The trend")
    summary = json.loads((out / "summary.json").read_text())
    assert_summary_keys(summary, 2026, 2060)
    # No temporary folders are left next to the report.
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_run_twice_gives_identical_summary(tmp_path):
    for name in ("a", "b"):
        assert (
            main(
                [
                    "run",
                    str(DETERMINISTIC),
                    "--out",
                    str(tmp_path / name),
                    "--draws",
                    "100",
                    "--quiet",
                    "--no-sensitivity",
                ]
            )
            == 0
        )
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()


BAD = sorted(SCENARIOS.glob("bad_*.toml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_scenario_exit_code_and_no_report(path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error:" in err and "Traceback" not in err
    assert path.name in err  # every problem line names the file
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_check_command(capsys):
    assert main(["check", str(DETERMINISTIC)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["check", str(SCENARIOS / "bad_share.toml")]) == 2


def test_failed_write_keeps_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "report"
    assert (
        main(
            [
                "run",
                str(DETERMINISTIC),
                "--out",
                str(out),
                "--draws",
                "100",
                "--quiet",
                "--no-sensitivity",
            ]
        )
        == 0
    )
    before = (out / "summary.json").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("forecast.report.write.to_html", boom)
    with pytest.raises(RuntimeError):
        main(
            [
                "run",
                str(DETERMINISTIC),
                "--out",
                str(out),
                "--draws",
                "100",
                "--quiet",
                "--no-sensitivity",
            ]
        )
    assert (out / "summary.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_hardware_fit_uses_only_chips_known_by_until(hardware):
    import datetime as dt

    from forecast.models.scenario import hardware_known_by

    known = hardware_known_by(hardware, dt.date(2016, 1, 1))
    assert len(known) < len(hardware)
    assert max(known["release_date"]) <= dt.date(2016, 1, 1)
    assert hardware_known_by(hardware, None) is hardware
    messages = []
    # Too few chips by 2009: every chip is used, and the log says so.
    assert hardware_known_by(hardware, dt.date(2009, 1, 1), messages.append) is hardware
    assert messages and "fewer than 3 chips" in messages[0]


def test_unwritable_output_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(
        [
            "run",
            str(DETERMINISTIC),
            "--out",
            str(blocker / "rep"),
            "--quiet",
            "--no-sensitivity",
            "--draws",
            "100",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2  # refused before any work: a file stands where a folder must go
    assert "error:" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_growth_over_the_first_five_years_by_hand(deterministic):
    """The deterministic scenario's growth factors, from its inputs alone (no engine).

    Compute doubles every 0.5 years: x4 a year. Capex = C x overhead / (u D H) with H
    doubling every 2.5 years, so it grows 4 / 2^(1/2.5) a year; power = C x PUE / (u D E)
    with E doubling every 2.5 years (far below its physical limit), the same; the
    amortised cost is capex x D / lifetime + energy, both terms growing alike.
    """
    growth = build_summary(deterministic)["growth"]
    compute = 4.0
    hardware = compute / 2 ** (1 / 2.5)
    assert growth["compute_per_year"]["median"] == pytest.approx(compute, rel=1e-5)
    assert growth["capex_per_year"]["median"] == pytest.approx(hardware, rel=1e-5)
    assert growth["power_per_year"]["median"] == pytest.approx(hardware, rel=1e-5)
    assert growth["amortized_per_year"]["median"] == pytest.approx(hardware, rel=1e-5)
    assert set(growth) == {
        "compute_per_year",
        "capex_per_year",
        "amortized_per_year",
        "power_per_year",
    }
