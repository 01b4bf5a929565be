"""Realised training throughput per H100-equivalent, measured from the runs data.

A chip supply is counted in H100-equivalents (chips weighted by their peak throughput
relative to an H100). How many a run needs depends on what one delivers in training:
for a run of C FLOP on N chips of peak P for T seconds, each H100-equivalent delivers

    r = C / (T * N * P / P_H100) = (C / (T * N * P)) * P_H100

FLOP/s: the run's utilisation of its chips' peak, times the H100's peak. The peak used
is the dense 16-bit one (BF16/FP16), in which frontier runs trained until about 2024, so
a run in FP8 shows up as a higher utilisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: NVIDIA H100 SXM5: dense BF16 tensor peak, FLOP/s (data/hardware.csv).
H100_PEAK_FLOPS = 9.895e14
#: The first year of the runs measured by default: the H100 generation and its peers.
SINCE_YEAR = 2023.0


def realised_flops_per_h100e(
    runs: pd.DataFrame,
    run_hardware: pd.DataFrame,
    hardware: pd.DataFrame,
    since: float = SINCE_YEAR,
) -> pd.DataFrame:
    """Per run, the realised training FLOP/s per H100-equivalent (see the module).

    Parameters
    ----------
    runs : pandas.DataFrame
        ``training_runs.csv`` as loaded (``name``, ``t``, ``compute_flop``).
    run_hardware : pandas.DataFrame
        ``run_hardware.csv`` as loaded (``name``, ``accelerator``, ``chip_count``,
        ``training_hours``).
    hardware : pandas.DataFrame
        ``hardware.csv`` as loaded (``name``, ``fp16_flops``).
    since : float
        Only runs published from this decimal year on.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``t``, ``accelerator``, ``chip_count``, ``utilisation`` (of the 16-bit
        peak) and ``flops_per_h100e``, for every run with a known chip, chip count and
        training time, sorted by date.
    """
    peak = hardware.set_index("name")["fp16_flops"]
    table = run_hardware.merge(runs[["name", "t", "compute_flop"]], on="name")
    table = table[table["accelerator"].isin(peak.index) & (table["t"] >= since)].copy()
    table["peak"] = table["accelerator"].map(peak).astype(float)
    known = table[["chip_count", "training_hours", "peak", "compute_flop"]].notna().all(axis=1)
    table = table[known]
    seconds = table["training_hours"].to_numpy(dtype=float) * 3600.0
    util = table["compute_flop"].to_numpy(dtype=float) / (
        seconds * table["chip_count"].to_numpy(dtype=float) * table["peak"].to_numpy(dtype=float)
    )
    out = table[["name", "t", "accelerator", "chip_count"]].assign(
        utilisation=util, flops_per_h100e=util * H100_PEAK_FLOPS
    )
    return out.sort_values("t", kind="stable").reset_index(drop=True)


def summarise(values: np.ndarray) -> dict[str, float]:
    """Median and 10th/90th percentiles of measured throughputs (FLOP/s)."""
    q = np.quantile(np.asarray(values, dtype=float), [0.1, 0.5, 0.9])
    return {"p10": float(q[0]), "median": float(q[1]), "p90": float(q[2])}
