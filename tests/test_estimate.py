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


def test_a_modern_run_is_read_at_the_format_frontier_runs_train_in(hardware):
    """80,000 H100 SXM for 90 days at 0.33: 80,000 x 90 x 86,400 s x 9.895e14 FLOP/s (dense
    BF16) x 0.33 = 2.03e26 FLOP, within 2x of the 3.5e26 published for such a run; at
    FP32 (6.69e13 FLOP/s) the same run would be 1.37e25, 25x low."""
    est = by_hardware("H100 SXM5", 80_000, 90, hardware=hardware)
    assert est.inputs["precision"] == "fp16" and est.inputs["format"] == "dense FP16/BF16"
    assert est.flop == pytest.approx(80_000 * 90 * 86_400 * 9.895e14 * 0.33, rel=1e-9)
    assert 3.5e26 / 2 < est.flop < 3.5e26 * 2
    fp32 = by_hardware("H100 SXM5", 80_000, 90, precision="fp32", hardware=hardware)
    assert fp32.flop == pytest.approx(1.37e25, rel=0.01)
    fp8 = by_hardware("H100 SXM5", 80_000, 90, precision="ml", hardware=hardware)
    assert fp8.inputs["format"].startswith("dense FP8")
    assert fp8.flop == pytest.approx(2 * est.flop, rel=0.01)


def test_a_chip_without_a_half_precision_format_falls_back_to_fp32_and_says_so(hardware):
    """The 2018 analysis's AlexNet: the GTX 580 has no FP16 peak, so the default reads FP32
    (the 2018 figure) and the estimate names the format it used."""
    est = by_hardware("GTX 580", 2, 5.5, hardware=hardware)
    assert est.inputs["format"].startswith("FP32 (the chip publishes no faster format")
    assert est.flop == by_hardware("GTX 580", 2, 5.5, precision="fp32", hardware=hardware).flop


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


def test_cli_hardware_default_precision_names_format_and_peak(capsys):
    """The CLI's default reads an H100 SXM at dense BF16: 80,000 x 90 days x 86,400 s x
    9.895e14 FLOP/s x 0.33 = 2.03e26 FLOP, within 3x of the published 3.5e26."""
    code = main(
        ["estimate", "hardware", "--chip", "H100 SXM5", "--count", "80000", "--days", "90"]
        + ["--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["precision"] == "fp16" and out["format"] == "dense FP16/BF16"
    assert out["peak_flops"] == pytest.approx(9.895e14)
    assert 3.5e26 / 3 < out["flop"] < 3.5e26 * 3


def test_cli_hardware_precision_fp32_and_the_2018_alexnet(capsys):
    """--precision fp32 still gives the 2018 reading: 25x lower for the H100 run, and the
    AlexNet example (2 GTX 580 x 5.5 days x 1.581e12 FLOP/s x 0.33 = 0.0058 pfs-days) is the
    same at fp32 as at the default, which falls back to FP32 and says so in the table."""
    args = ["estimate", "hardware", "--chip", "H100 SXM5", "--count", "80000", "--days", "90"]
    assert main([*args, "--precision", "fp32", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "FP32" and out["peak_flops"] == pytest.approx(6.69e13)
    assert out["flop"] == pytest.approx(1.37e25, rel=0.01)
    alexnet = ["estimate", "hardware", "--chip", "GTX 580", "--count", "2", "--days", "5.5"]
    assert main([*alexnet, "--precision", "fp32", "--json"]) == 0
    fp32 = json.loads(capsys.readouterr().out)
    assert main([*alexnet, "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert fp32["pfs_days"] == pytest.approx(0.0058, rel=0.05)
    assert default["flop"] == fp32["flop"]
    assert main(alexnet) == 0
    table = capsys.readouterr().out
    assert "no faster format than FP32" in table and "1.581e+12" in table


def test_cli_hardware_missing_format_is_a_one_line_error(capsys):
    """TPUs publish no FP32 peak: asking for it is an error (exit 2) naming what to ask
    for instead, not a NaN estimate."""
    code = main(
        ["estimate", "hardware", "--chip", "TPU v3", "--count", "2", "--days", "1"]
        + ["--precision", "fp32"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no published fp32 throughput" in err and "--precision fp16 or ml" in err
    assert "Traceback" not in err and err.strip().count("\n") == 0
