from __future__ import annotations

import json

import pytest

from forecast.cli import main
from forecast.errors import DataError
from forecast.estimate import by_hardware, by_operations


def test_alexnet_by_operations():
    est = by_operations(1.45e9, 1.2e6, 90)
    assert est.flop == pytest.approx(4.698e17, rel=1e-3)
    assert est.pfs_days == pytest.approx(0.0054, rel=0.05)


def test_alexnet_by_hardware(hardware):
    est = by_hardware("GTX 580", 2, 5.5, hardware=hardware)
    assert est.inputs["utilization"] == 0.33
    assert est.pfs_days == pytest.approx(0.0058, rel=0.05)


def test_utilization_override_and_cpu_default(hardware):
    half = by_hardware("GTX 580", 2, 5.5, utilization=0.165, hardware=hardware)
    assert half.flop == pytest.approx(by_hardware("GTX 580", 2, 5.5, hardware=hardware).flop / 2)
    cpus = hardware[hardware["kind"] == "cpu"]
    if len(cpus):
        est = by_hardware(cpus.iloc[0]["name"], 1, 1, hardware=hardware)
        assert est.inputs["utilization"] == 0.17


def test_unknown_chip_suggests_names(hardware):
    with pytest.raises(DataError, match=r"unknown chip 'GTX 508'.*closest: .*GTX 580"):
        by_hardware("GTX 508", 2, 5.5, hardware=hardware)


def test_cli_operations_json(capsys):
    code = main(
        [
            "estimate",
            "operations",
            "--forward-flop",
            "1.45e9",
            "--examples",
            "1.2e6",
            "--epochs",
            "90",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pfs_days"] == pytest.approx(0.0054, rel=0.05)


def test_cli_hardware_table(capsys):
    code = main(["estimate", "hardware", "--chip", "gtx 580", "--count", "2", "--days", "5.5"])
    assert code == 0
    assert "pfs-days" in capsys.readouterr().out


def test_cli_unknown_chip_exit_code(capsys):
    code = main(["estimate", "hardware", "--chip", "GTX 508", "--count", "2", "--days", "5.5"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown chip" in err and "Traceback" not in err


def test_cli_rejects_negative_input(capsys):
    code = main(
        ["estimate", "operations", "--forward-flop", "-1", "--examples", "1", "--epochs", "1"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--forward-flop" in err and "above 0" in err and "Traceback" not in err
