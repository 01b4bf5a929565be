"""Loaders of ``data/``: ``run_hardware.csv`` and :func:`check_all` here, the others re-exported.

Every row is checked, every problem is collected, and one :class:`DataError`
lists them all with file, line and column, so a user fixes a file in one pass.

Each file has its module: :mod:`~forecast.data.runs` (``training_runs.csv`` and
``openai_2018.csv``), :mod:`~forecast.data.hardware` and :mod:`~forecast.data.economy`;
this one holds the loader of ``run_hardware.csv``, whose rows are checked against the runs
and chips of the others, and :func:`check_all`, which checks every file. A file is read by
:mod:`~forecast.data.table`, one cell at a time by :mod:`~forecast.data.cells`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.data import cells
from forecast.data.cells import FIRST_DATE, MAX_CHIP_COUNT, Parser, plain_number
from forecast.data.economy import ECONOMY_COLUMNS, GDP_RANGE, SALES_RANGE, load_economy
from forecast.data.hardware import (
    CHIP_KINDS,
    FLOPS_RANGE,
    HARDWARE_COLUMNS,
    PRECISIONS,
    PRICE_RANGE,
    TDP_RANGE,
    load_hardware,
    peak_flops,
)
from forecast.data.runs import (
    COMPUTE_WHY,
    DOMAINS,
    MAX_COMPUTE_FLOP,
    MAX_TRAINING_DAYS,
    MAX_UNCERTAINTY,
    METHODS,
    OPENAI_2018_COLUMNS,
    OPENAI_2018_UNCERTAINTY,
    RUN_COLUMNS,
    STAGES,
    load_openai_2018,
    load_points,
    load_runs,
)
from forecast.data.table import DATA_DIR, MAX_CELL_CHARS, Column, read_table
from forecast.errors import DataError, Problem

#: Number formats of a run's matrix arithmetic (``run_hardware.csv``); ``mixed`` when the
#: source says mixed precision without naming the format.
NUMERICAL_FORMATS = ("FP32", "TF32", "FP16", "BF16", "FP8", "FP4", "mixed")
#: Confidence labels (Epoch AI's, lower-cased).
CONFIDENCES = ("confident", "likely", "speculative")
#: Training time of one run in hours: two years (the longest run here, OpenAI Five, took
#: 296 days, 7,104 hours).
MAX_TRAINING_HOURS = 2 * 8760.0
#: All-in power of one run: 1 W to 10 GW (several times the largest campuses planned for
#: 2030, 1 to 5 GW; the largest run by 2025 drew about 110 MW).
POWER_RANGE = (1.0, 1e10)
#: Cost of one run or its cluster: 1 USD to 1e12 USD (more than a year of the world's
#: semiconductor sales, 7.9e11 in 2025; the largest cluster by 2025 cost about 2.4e9).
COST_RANGE = (1.0, 1e12)
#: All-in power per chip: an accelerator with its share of servers, network and cooling
#: draws about 0.1 to 2.5 kW; below 10 W is almost surely kW written for W, above 100 kW
#: (four wafer-scale systems) W written for kW or a chip count too small.
POWER_PER_CHIP_RANGE = (10.0, 1e5)
#: Accelerators accepted in ``run_hardware.csv`` that ``hardware.csv`` does not list, each
#: with the reason (names as in Epoch AI's Machine Learning Hardware data set). They have
#: no specs in this project: a fit that needs a chip's peak FLOP/s or TDP skips them.
OTHER_ACCELERATORS = {
    "Google TPU v1": "Google's first TPU (2015), an 8-bit inference chip; hardware.csv "
    "lists training chips, from TPU v2 on",
    "NVIDIA A100": "an A100 whose variant (SXM4 or PCIe, 40 or 80 GB) is not published: "
    "the same 312 TFLOP/s dense BF16, but TDPs from 250 to 400 W",
    "NVIDIA V100": "a V100 whose variant (SXM2 or PCIe) is not published; peak and TDP "
    "differ by variant",
    "NVIDIA P100": "a P100 whose variant (SXM2 or PCIe) is not published; peak and TDP "
    "differ by variant",
    "NVIDIA Tesla V100 DGXS 16 GB": "Epoch AI's name for the V100 of the DGX Station "
    "(125 TFLOP/s FP16, 250 W in its table), which hardware.csv does not list",
    "NVIDIA Tesla V100 DGXS 32 GB": "Epoch AI's name for the 32 GB V100 of the DGX Station "
    "(125 TFLOP/s FP16, 250 W in its table), which hardware.csv does not list",
    "NVIDIA Tesla V100S PCIe 32 GB": "the V100S PCIe refresh (2019, 130 TFLOP/s FP16, 250 W), "
    "not in hardware.csv",
    "NVIDIA Tesla K40t": "a Tesla K40 variant (245 W in Epoch AI's table); hardware.csv's "
    "Tesla K40 is the 235 W board",
    "NVIDIA H800 SXM5": "the H100 SXM5's export version for China: the same FP16 and FP8 "
    "peak, less NVLink bandwidth; not in hardware.csv",
    "Huawei Ascend 910": "Huawei's 2019 training NPU; not in hardware.csv",
    "Huawei Ascend 910B": "Huawei's 2023 training NPU (about 400 W); not in hardware.csv",
    "Huawei Ascend 910C": "Huawei's 2024 training NPU (about 800 TFLOP/s FP16, 700 W in Epoch "
    "AI's table); not in hardware.csv",
    "Amazon Trainium1": "AWS's first training chip (2022); not in hardware.csv",
    "NVIDIA GB300 (Blackwell Ultra)": "the Blackwell Ultra GPU of a GB300 system (1,400 W in "
    "Epoch AI's table), not the 1,100 W HGX B300 board of hardware.csv",
}

_training_hours = cells.between(
    0.0,
    MAX_TRAINING_HOURS,
    "hours",
    "two years; the longest run here, OpenAI Five, took 7,104 hours",
    optional=True,
)
_power = cells.between(
    *POWER_RANGE,
    "W",
    "write watts, not MW; 1e10 W is several times the largest campus planned for 2030",
    optional=True,
)
_cost = cells.between(
    *COST_RANGE,
    "USD",
    "write dollars, not millions; 1e12 is more than a year of world semiconductor sales",
    optional=True,
)


def _mfu(cell: str) -> float:
    if not cell.strip():
        return math.nan
    value = cells.positive(cell)
    if value > 1:
        raise ValueError(
            "expected a fraction of peak throughput, above 0 and at most 1 (write 0.4, not "
            f"40), got {cell.strip()!r}"
        )
    return value


def _accelerators(cell: str) -> str:
    """One chip name, or several separated by ``; `` (a run on a mix of chips)."""
    if not cell.strip():
        return ""
    names = [name.strip() for name in cell.split(";")]
    if not all(names):
        raise ValueError(f"expected chip names separated by '; ', got {cell!r}")
    return "; ".join(names)


def _urls(cell: str) -> str:
    """One link, or several separated by ``; `` (the data set, then the primary source)."""
    links = [link.strip() for link in cell.split(";")]
    for link in links:
        if not link.startswith(("http://", "https://")):
            raise ValueError(
                f"expected links starting with http(s)://, separated by '; ', got {cell!r}"
            )
    return "; ".join(links)


#: The columns of ``run_hardware.csv`` that hold a published figure (a row has one at least).
FIGURES = (
    "accelerator",
    "chip_count",
    "training_hours",
    "mfu",
    "numerical_format",
    "power_watts",
    "hardware_cost_usd",
    "amortized_cost_usd",
)

RUN_HARDWARE_COLUMNS = (
    Column("name", cells.text),
    Column("accelerator", _accelerators),
    Column("chip_count", cells.optional_count),
    Column("training_hours", _training_hours),
    Column("mfu", _mfu),
    Column("numerical_format", cells.choice(NUMERICAL_FORMATS, optional=True)),
    Column("power_watts", _power),
    Column("hardware_cost_usd", _cost),
    Column("amortized_cost_usd", _cost),
    Column("confidence", cells.choice(CONFIDENCES)),
    Column("source_title", cells.text),
    Column("source_url", _urls),
)


def _closest(name: str, names: Sequence[str]) -> str:
    """``"; did you mean 'X'?"`` for the names that contain ``name`` (at most three), else
    the nearest of ``names``; or ``""``."""
    match = [n for n in names if name.casefold() in n.casefold()][:3]
    match = match or difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f"; did you mean {' or '.join(map(repr, match))}?" if match else ""


def _run_hardware_checks(
    run_names: set[str] | None, chip_names: set[str] | None
) -> Callable[[dict[str, Any]], list[tuple[str | None, str]]]:
    """The checks across the cells of a row of ``run_hardware.csv``.

    ``run_names`` (the runs of ``training_runs.csv``) and ``chip_names`` (of
    ``hardware.csv``) are None when that file could not be read: its own problems are
    reported, and the names are not checked against it.
    """

    def check(row: dict[str, Any]) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        name = row.get("name")
        if name is not None and run_names is not None and name not in run_names:
            found.append(
                (
                    "name",
                    f"no run named {name!r} in training_runs.csv (a row here adds to the "
                    f"run of the same name there){_closest(name, sorted(run_names))}",
                )
            )
        for chip in filter(None, (row.get("accelerator") or "").split("; ")):
            if chip in OTHER_ACCELERATORS or chip_names is None or chip in chip_names:
                continue
            known = sorted(chip_names | set(OTHER_ACCELERATORS))
            found.append(
                (
                    "accelerator",
                    f"unknown accelerator {chip!r}: expected a name in hardware.csv or one "
                    "of the other chips the loader accepts (OTHER_ACCELERATORS in "
                    f"forecast/data/loaders.py){_closest(chip, known)}",
                )
            )
        power = row.get("power_watts", math.nan)
        count = row.get("chip_count", math.nan)
        if not math.isnan(power):
            lacking = [
                what
                for what, absent in (
                    ("a chip_count", "chip_count" in row and math.isnan(count)),
                    ("an accelerator", row.get("accelerator") == ""),
                )
                if absent
            ]
            if lacking:
                found.append(
                    (
                        "power_watts",
                        f"a power draw needs {' and '.join(lacking)}: it is the draw of the "
                        "whole cluster, checked and used per chip",
                    )
                )
            elif not math.isnan(count):
                per_chip = power / count
                low, high = POWER_PER_CHIP_RANGE
                if not low <= per_chip <= high:
                    hint = "kW written for W?" if per_chip < low else "too few chips?"
                    found.append(
                        (
                            "power_watts",
                            f"{plain_number(per_chip)} W per chip ({plain_number(power)} W / "
                            f"{plain_number(count)} chips); expected {plain_number(low)} to "
                            f"{plain_number(high)} W (a chip with its share of servers, network "
                            f"and cooling draws about 0.1 to 2.5 kW: {hint})",
                        )
                    )
        amortized = row.get("amortized_cost_usd", math.nan)
        bought = row.get("hardware_cost_usd", math.nan)
        if amortized >= bought:  # False when either is NaN
            found.append(
                (
                    "amortized_cost_usd",
                    f"amortised cost {plain_number(amortized)} USD is not below the cluster's "
                    f"acquisition cost {plain_number(bought)} USD (hardware_cost_usd): an "
                    "amortised cost above the purchase price is almost always a cost in the "
                    "wrong column",
                )
            )
        # A cell that failed its own check is missing from `row`: then the row has a value.
        if all(row.get(c, 0) in ("", None) or row.get(c, 0) != row.get(c, 0) for c in FIGURES):
            found.append(
                (None, f"no figure given: a row needs at least one of {', '.join(FIGURES)}")
            )
        return found

    return check


def load_run_hardware(
    path: str | Path | None = None,
    runs: pd.DataFrame | str | Path | None = None,
    *,
    hardware: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Load ``run_hardware.csv``: the published hardware, power and cost of training runs.

    One row per run of ``training_runs.csv`` (by exact ``name``) for which a figure is
    published; an empty cell means not published.

    Parameters
    ----------
    path : str or Path, optional
        The file (default: the shipped ``data/run_hardware.csv``).
    runs : pandas.DataFrame, str or Path, optional
        The runs the names must be in: a table from :func:`load_runs`, or its file
        (default: the shipped ``training_runs.csv``).
    hardware : pandas.DataFrame, str or Path, optional
        The chips an accelerator may name besides :data:`OTHER_ACCELERATORS`: a table
        from :func:`load_hardware`, or its file (default: the shipped ``hardware.csv``).

    Returns
    -------
    pandas.DataFrame
        Typed, in file order, with a ``line`` column; empty text is ``""``, an empty
        number NaN.

    Raises
    ------
    DataError
        Every problem of the file (each with file, line and column), or of the runs or
        hardware file when one of those cannot be loaded.
    """
    if not isinstance(runs, pd.DataFrame):
        runs = load_runs(runs)
    if not isinstance(hardware, pd.DataFrame):
        hardware = load_hardware(hardware)
    return _load_run_hardware(
        path or DATA_DIR / "run_hardware.csv", set(runs["name"]), set(hardware["name"])
    )


def _load_run_hardware(
    path: str | Path, run_names: set[str] | None, chip_names: set[str] | None
) -> pd.DataFrame:
    return read_table(
        path, RUN_HARDWARE_COLUMNS, row_check=_run_hardware_checks(run_names, chip_names)
    )


def check_all(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate every data file, collecting the problems of all files into one error."""
    base = Path(data_dir) if data_dir else DATA_DIR
    loaders = {
        "runs": (load_runs, "training_runs.csv"),
        "hardware": (load_hardware, "hardware.csv"),
        "economy": (load_economy, "economy.csv"),
        "openai_2018": (load_openai_2018, "openai_2018.csv"),
    }
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for key, (loader, filename) in loaders.items():
        try:
            tables[key] = loader(base / filename)
        except DataError as exc:
            problems.extend(exc.problems)
    # Checked against the runs and chips that loaded (a file that did not is reported
    # above, and names are not checked against it).
    try:
        tables["run_hardware"] = _load_run_hardware(
            base / "run_hardware.csv",
            set(tables["runs"]["name"]) if "runs" in tables else None,
            set(tables["hardware"]["name"]) if "hardware" in tables else None,
        )
    except DataError as exc:
        problems.extend(exc.problems)
    # The supply side: the clusters, the clusters of known runs (checked against the runs
    # and clusters that loaded), the accelerator stock.
    from forecast.data.clusters import load_accelerators, load_clusters, load_run_clusters

    for key, loader, filename in (
        ("clusters", load_clusters, "clusters.csv"),
        ("accelerators", load_accelerators, "accelerators.csv"),
    ):
        try:
            tables[key] = loader(base / filename)
        except DataError as exc:
            problems.extend(exc.problems)
    if "runs" in tables and "clusters" in tables:
        try:
            tables["run_clusters"] = load_run_clusters(
                base / "run_clusters.csv", tables["runs"], tables["clusters"]
            )
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the data files", problems)
    return tables


__all__ = [
    "CHIP_KINDS",
    "COMPUTE_WHY",
    "CONFIDENCES",
    "COST_RANGE",
    "Column",
    "DATA_DIR",
    "DOMAINS",
    "ECONOMY_COLUMNS",
    "FIGURES",
    "FIRST_DATE",
    "FLOPS_RANGE",
    "GDP_RANGE",
    "HARDWARE_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_CHIP_COUNT",
    "MAX_COMPUTE_FLOP",
    "MAX_TRAINING_DAYS",
    "MAX_TRAINING_HOURS",
    "MAX_UNCERTAINTY",
    "METHODS",
    "NUMERICAL_FORMATS",
    "OPENAI_2018_COLUMNS",
    "OPENAI_2018_UNCERTAINTY",
    "OTHER_ACCELERATORS",
    "POWER_PER_CHIP_RANGE",
    "POWER_RANGE",
    "PRECISIONS",
    "PRICE_RANGE",
    "Parser",
    "RUN_COLUMNS",
    "RUN_HARDWARE_COLUMNS",
    "SALES_RANGE",
    "STAGES",
    "TDP_RANGE",
    "check_all",
    "load_economy",
    "load_hardware",
    "load_openai_2018",
    "load_points",
    "load_run_hardware",
    "load_runs",
    "peak_flops",
    "plain_number",
    "read_table",
]
