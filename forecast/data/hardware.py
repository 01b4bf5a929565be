"""The chips of ``hardware.csv`` (peak FLOP/s, power, price), and a chip's peak at a precision."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data import cells
from forecast.data.table import DATA_DIR, Column, read_table, with_time
from forecast.errors import DataError, Problem

CHIP_KINDS = ("gpu", "tpu", "cpu")
#: Peak FLOP/s of one chip: 1e9 (below is almost surely TFLOPS written for FLOP/s) to
#: 1e18 (eight times a whole wafer-scale chip, Cerebras WSE-3 at 1.25e17 sparse).
FLOPS_RANGE = (1e9, 1e18)
#: Board power: 1 W to 100 kW (a wafer-scale system draws about 23 kW).
TDP_RANGE = (1.0, 1e5)
#: Chip price: 1 USD to 100 million USD (a wafer-scale system costs a few million).
PRICE_RANGE = (1.0, 1e8)

_flops = cells.between(
    *FLOPS_RANGE,
    "FLOP/s",
    "write FLOP/s, not TFLOPS; 1e18 is eight times a whole wafer-scale chip",
    optional=True,
)
_tdp = cells.between(*TDP_RANGE, "W", "a wafer-scale system draws about 23 kW", optional=True)
_price = cells.between(
    *PRICE_RANGE, "USD", "a wafer-scale system costs a few million USD", optional=True
)

HARDWARE_COLUMNS = (
    Column("name", cells.text),
    Column("vendor", cells.text),
    Column("kind", cells.choice(CHIP_KINDS)),
    Column("release_date", cells.date),
    Column("fp32_flops", _flops),
    Column("fp16_flops", _flops),
    Column("fp8_flops", _flops),
    Column("tdp_watts", _tdp),
    Column("price_usd", _price),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def load_hardware(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``hardware.csv``: one row per accelerator, with ``t`` (decimal release year)."""
    frame = read_table(path or DATA_DIR / "hardware.csv", HARDWARE_COLUMNS)
    problems = [
        Problem(str(path or DATA_DIR / "hardware.csv"), "no throughput given", r.line, "fp32_flops")
        for r in frame.itertuples()
        if all(math.isnan(v) for v in (r.fp32_flops, r.fp16_flops, r.fp8_flops))
    ]
    if problems:
        raise DataError("hardware rows without any throughput", problems)
    frame = with_time(frame, "release_date")
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


PRECISIONS = ("fp32", "fp16", "ml")


def peak_flops(hardware: pd.DataFrame, precision: str) -> np.ndarray:
    """Peak FLOP/s of each chip at a precision.

    ``fp32``: peak FP32. ``fp16``: dense FP16/BF16 where the chip has it, else FP32
    (what training used before half precision). ``ml``: the best dense precision the
    chip offers for training (FP8, else FP16/BF16, else FP32). NaN where unknown.
    """
    fp32 = hardware["fp32_flops"].to_numpy(dtype=float)
    fp16 = hardware["fp16_flops"].to_numpy(dtype=float)
    fp8 = hardware["fp8_flops"].to_numpy(dtype=float)
    if precision == "fp32":
        return fp32
    if precision == "fp16":
        return np.where(np.isnan(fp16), fp32, fp16)
    if precision == "ml":
        return np.fmax(np.fmax(fp8, fp16), fp32)
    raise ValueError(f"unknown precision {precision!r}; expected one of {', '.join(PRECISIONS)}")
