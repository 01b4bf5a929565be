"""The briefing section: the largest feasible run in 2030 against Sevilla et al. (2024)."""

from __future__ import annotations

import numpy as np

from forecast.report import style as F
from forecast.report.document import Block, Bullets, Heading, Link, Para, Strong, Table
from forecast.results import draws as D

TITLE = "The largest feasible run in 2030, against the published analysis"
PUBLISHED_WHO = "Sevilla et al. (2024), Epoch AI"
PUBLISHED_TITLE = "Can AI scaling continue through 2030?"
PUBLISHED_URL = "https://epoch.ai/blog/can-ai-scaling-continue-through-2030"
#: Row labels of the physical kinds.
LABELS = {
    "power": "power",
    "chips": "chips",
    "data": "data",
    "compute": "latency wall (a ceiling in FLOP)",
    "feasible": "largest feasible run (the smallest of these)",
}
#: Each kind's inputs, by scenario key, named in the explanation of a difference.
INPUTS = {
    "power": ("limit_watts", "sites", "split_efficiency", "growth_per_year", "share"),
    "chips": ("limit_h100e", "share", "flops_per_h100e", "growth_per_year"),
    "data": (
        "limit_tokens",
        "epochs",
        "modality_multiplier",
        "synthetic_multiplier",
        "tokens_per_parameter",
        "growth_per_year",
    ),
    "compute": ("limit_flop", "growth_per_year"),
}
#: Why the conversion matters to a kind, by kind: power and chips are met through the
#: run's duration and its FLOP/s per watt, which the two conversions price differently.
CONVERSION_MATTERS = ("power", "chips")


def _cell(values: np.ndarray) -> str:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return "n/a"
    q = D.quantile(v, [0.1, 0.5, 0.9])
    return f"{F.flop(10 ** q[1])} ({F.flop(10 ** q[0])}–{F.flop(10 ** q[2])})"


def _published(ds, kind: str) -> str:
    at = ds.sel(kind=kind)
    median, lo, hi = (float(at[f"published_{s}"]) for s in ("median", "p10", "p90"))
    parts = []
    if np.isfinite(median):
        parts.append(F.flop(10**median))
    if np.isfinite(lo) and np.isfinite(hi):
        parts.append(
            f"{'(' if parts else ''}{F.flop(10**lo)}–{F.flop(10**hi)}{')' if parts else ''}"
        )
    return " ".join(parts) or "n/a"


def _inputs(scenario, kind: str) -> str:
    """The inputs of a scenario's ceilings of one kind, in plain words."""
    parts = []
    for c in scenario.constraints:
        if c.kind != kind:
            continue
        values = []
        for key in INPUTS[kind]:
            param = getattr(c, key, None)
            if param is not None:
                values.append(f"{F.CONSTRAINT_FIELD_LABELS.get(key, key)} {param.describe()}")
        parts.append(f"{c.name}: " + "; ".join(values))
    return "; ".join(parts) or "no such ceiling"


def _ratio(a: np.ndarray, b: np.ndarray) -> float | None:
    """The ratio of two medians of log10 values, as a factor (a over b)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not (np.isfinite(a).any() and np.isfinite(b).any()):
        return None
    return float(10 ** (D.nanmedian(a) - D.nanmedian(b)))


def feasible_blocks(results, reference=None) -> list[Block]:
    """The section, from ``results.feasible_2030`` (empty without it).

    Parameters
    ----------
    results : forecast.results.Results
    reference : forecast.scenario.Scenario, optional
        The scenario with the published inputs, to name its inputs beside this one's.
    """
    ds = getattr(results, "feasible_2030", None)
    if ds is None:
        return []
    year = int(ds.attrs["year"])
    own = ds.sel(source="scenario")
    has_ref = bool(ds.attrs.get("reference"))
    ref = ds.sel(source="reference") if has_ref else None
    name = results.scenario.name
    ref_name = ds.attrs.get("reference", "")
    link = Link(f"{PUBLISHED_WHO}, “{PUBLISHED_TITLE}”", PUBLISHED_URL)
    blocks: list[Block] = [Heading(2, TITLE)]
    published = F.flop(10 ** float(ds.sel(kind="feasible")["published_median"]))
    intro = [
        f"What the physical limits allow in {year}: per draw, the largest compute each "
        "ceiling of power, chips, data and latency lets one run reach that year, and the "
        "smallest of them, the largest feasible run (spending aside, as the published "
        "analysis sets it aside). ",
        link,
        f" find that runs of about {published} will likely be feasible by 2030, power "
        "binding first and then chips. ",
        f"This scenario ({name}) gives {_cell(own['feasible'].to_numpy())}.",
    ]
    if has_ref:
        intro.append(
            f" With that analysis's inputs as stated (scenario {ref_name}), this tool gives "
            f"{_cell(ref['feasible'].to_numpy())}: the difference between the two columns "
            "below is the inputs, and between the published column and the "
            f"{ref_name} column it is the method."
        )
    blocks.append(Para.of(*intro))
    header = ["limit", "published (median, 80% interval)"]
    if has_ref:
        header.append(f"this tool, their inputs ({ref_name})")
    header.append(f"this tool, {name}")
    rows = []
    for kind in ("power", "chips", "data", "compute", "feasible"):
        mine = own[kind].to_numpy()
        theirs = ref[kind].to_numpy() if has_ref else None
        if not np.isfinite(mine).any() and (theirs is None or not np.isfinite(theirs).any()):
            continue
        row = [LABELS[kind], _published(ds, kind)]
        if has_ref:
            row.append(_cell(theirs))
        row.append(_cell(mine))
        rows.append(tuple(row))
    blocks.append(Table(tuple(header), tuple(rows), ("l", *("r" for _ in header[1:]))))
    blocks.append(Para.of(Strong("Why the numbers differ.")))
    blocks.append(Bullets(tuple(_differences(results, ds, reference))))
    return blocks


def _differences(results, ds, reference) -> list[str]:
    """One line per kind: the two scenarios' inputs, and what the published analysis did."""
    lines = []
    own = ds.sel(source="scenario")
    has_ref = bool(ds.attrs.get("reference"))
    ref = ds.sel(source="reference") if has_ref else None
    for kind in ("power", "chips", "data", "compute"):
        mine = own[kind].to_numpy()
        if not np.isfinite(mine).any():
            continue
        label = LABELS[kind]
        text = f"{label[0].upper()}{label[1:]}: here {_inputs(results.scenario, kind)}"
        if reference is not None:
            text += f"; in {reference.name}, {_inputs(reference, kind)}"
        factor = _ratio(mine, ref[kind].to_numpy()) if has_ref else None
        if factor is not None:
            text += f". The median here is {factor:.2g}x theirs"
        if kind in CONVERSION_MATTERS:
            text += (
                ". Power and chips are met through the run's duration and its FLOP/s per "
                "watt or per chip: "
                + (
                    "this scenario uses the realised conversion (what frontier runs since "
                    "2016 achieved, all-in, and durations that grow with the run), the "
                    "published analysis datasheet figures (FP8 peak at 37.5% utilisation, "
                    "1,704 W per GPU, 60-270-day runs)"
                    if results.scenario.hardware.conversion == "realised"
                    else "both use datasheet figures"
                )
            )
        if kind == "chips":
            text += (
                ". The published text reads its 100M H100-equivalents both as the world's "
                "production, of which one developer gets about a fifth, and as what could "
                "be dedicated to one run; its 9e29 follows from the second, which the "
                "epoch-2030 scenario takes"
            )
        lines.append(text + ".")
    return lines
