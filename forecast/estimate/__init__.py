"""The two estimation methods of the 2018 analysis.

1. Counting operations: forward-pass FLOP per example x 3 (the backward pass costs
   about twice the forward) x examples per epoch x epochs.
2. Hardware time: chips x seconds x peak FLOP/s x utilisation.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import pandas as pd

from forecast.data.loaders import load_hardware, peak_flops
from forecast.data.units import SECONDS_PER_DAY, flop_to_pfs_days
from forecast.errors import DataError, Problem

#: Default utilisation of peak throughput assumed by the 2018 analysis.
DEFAULT_UTILIZATION = {"gpu": 0.33, "tpu": 0.33, "cpu": 0.17}
#: The backward pass costs about twice the forward pass.
FORWARD_BACKWARD_FACTOR = 3.0
#: The numerical format method 2 reads a chip's peak at by default: dense FP16/BF16, the
#: format frontier runs trained in until about 2024 (FP8 since on some). FP32, the 2018
#: analysis's choice for its GPUs, puts a modern run 25x low: 80,000 H100 SXM for 90 days
#: at 0.33 give 1.37e25 FLOP at FP32 and 2.03e26 at BF16, against a published 3.5e26.
DEFAULT_PRECISION = "fp16"
#: What each precision means, for the output.
PRECISION_NAMES = {
    "fp32": "FP32",
    "fp16": "dense FP16/BF16",
    "ml": "the best dense format the chip offers for training (FP8, else FP16/BF16)",
}


@dataclass(frozen=True)
class Estimate:
    """A training-compute estimate and how it was made."""

    method: str
    flop: float
    inputs: dict[str, float | str]

    @property
    def pfs_days(self) -> float:
        """The estimate in petaflop/s-days."""
        return flop_to_pfs_days(self.flop)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"method": self.method, "flop": self.flop, "pfs_days": self.pfs_days, **self.inputs}


def _check_positive(**values: float) -> None:
    bad = [
        f"--{k.replace('_', '-')} must be a positive number, got {v}"
        for k, v in values.items()
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0)
    ]
    if bad:
        raise DataError(bad[0], [Problem("command line", b) for b in bad])


def by_operations(forward_flop: float, examples: float, epochs: float) -> Estimate:
    """Method 1: count operations.

    Parameters
    ----------
    forward_flop : float
        FLOP of one forward pass on one example (additions and multiplications counted).
    examples : float
        Examples per epoch.
    epochs : float
        Number of passes over the data.

    Returns
    -------
    Estimate
        ``flop = forward_flop * 3 * examples * epochs``.

    Examples
    --------
    AlexNet: ``by_operations(1.45e9, 1.2e6, 90).pfs_days`` is about 0.0054.
    """
    _check_positive(forward_flop=forward_flop, examples=examples, epochs=epochs)
    flop = forward_flop * FORWARD_BACKWARD_FACTOR * examples * epochs
    inputs = {"forward_flop": forward_flop, "examples": examples, "epochs": epochs}
    return Estimate("operations", flop, inputs)


def find_chip(hardware: pd.DataFrame, name: str) -> pd.Series:
    """The row of ``hardware`` named ``name`` (case and spacing ignored).

    Raises
    ------
    DataError
        With the closest known names when there is no such chip.
    """

    def norm(s: str) -> str:
        return "".join(s.split()).casefold()

    names = hardware["name"].tolist()
    matches = [i for i, n in enumerate(names) if norm(n) == norm(name)]
    if not matches:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else ""
        message = f"unknown chip {name!r}{hint} (see data/hardware.csv)"
        raise DataError(message, [Problem("--chip", message)])
    return hardware.iloc[matches[0]]


def by_hardware(
    chip: str,
    count: float,
    days: float,
    utilization: float | None = None,
    precision: str = DEFAULT_PRECISION,
    hardware: pd.DataFrame | None = None,
) -> Estimate:
    """Method 2: chips x training time x peak FLOP/s x utilisation.

    Parameters
    ----------
    chip : str
        A chip name from ``hardware.csv``.
    count : float
        Number of chips.
    days : float
        Training time in days.
    utilization : float, optional
        Fraction of peak achieved; default 0.33 for GPUs and TPUs, 0.17 for CPUs.
    precision : {"fp16", "fp32", "ml"}
        Which peak to use: dense FP16/BF16 by default (:data:`DEFAULT_PRECISION`; a chip
        without it, such as the GTX 580, falls back to FP32, and the estimate says so);
        "fp32" as the 2018 analysis used; "ml" for the best dense format (FP8 on an H100).
    hardware : pandas.DataFrame, optional
        The hardware table; loaded from ``data/hardware.csv`` if not given.

    Examples
    --------
    AlexNet: ``by_hardware("GTX 580", 2, 5.5).pfs_days`` is about 0.0058.
    """
    _check_positive(count=count, days=days)
    table = load_hardware() if hardware is None else hardware
    row = find_chip(table, chip)
    frame = row.to_frame().T
    peak = float(peak_flops(frame, precision)[0])
    if not math.isfinite(peak):
        # Only FP32 can be missing on its own (TPUs publish no FP32 peak): name what the
        # chip does publish, so the user knows which --precision to give instead.
        has = [p for p in ("fp16", "ml") if math.isfinite(float(peak_flops(frame, p)[0]))]
        hint = f"; use --precision {' or '.join(has)}" if has else ""
        message = f"chip {row['name']!r} has no published {precision} throughput{hint}"
        raise DataError(message, [Problem("--precision", message)])
    # Which format the peak is: "fp16" and "ml" fall back to FP32 on chips without more.
    fmt = PRECISION_NAMES.get(precision, precision)
    if precision != "fp32" and peak == float(peak_flops(frame, "fp32")[0]):
        fmt = f"FP32 (the chip publishes no faster format than FP32; asked for {fmt})"
    elif precision == "ml" and peak == float(peak_flops(frame, "fp16")[0]):
        fmt = "dense FP16/BF16 (the chip's best format for training)"
    elif precision == "ml":
        fmt = "dense FP8 (the chip's best format for training)"
    if utilization is None:
        utilization = DEFAULT_UTILIZATION[row["kind"]]
    if not (0 < utilization <= 1):
        message = f"--utilization must be in (0, 1], got {utilization}"
        raise DataError(message, [Problem("--utilization", message)])
    flop = count * days * SECONDS_PER_DAY * peak * utilization
    inputs = {
        "chip": str(row["name"]),
        "count": count,
        "days": days,
        "peak_flops": peak,
        "utilization": utilization,
        "precision": precision,
        "format": fmt,
    }
    return Estimate("hardware", flop, inputs)


__all__ = [
    "DEFAULT_PRECISION",
    "DEFAULT_UTILIZATION",
    "Estimate",
    "by_hardware",
    "by_operations",
    "find_chip",
]
