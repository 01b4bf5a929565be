"""Curate data/clusters.csv from Epoch AI's GPU Clusters table (CC BY 4.0).

A developer's tool, not part of the package: it reads the reference copy in
``../shared/reference/epoch/gpu_clusters.csv`` (or the path given) and writes
``data/clusters.csv``. Running it again on the same copy writes the same bytes
(tests/test_clusters_data.py checks this).

Kept: every existing or decommissioned cluster with a first operational date and an
H100-equivalent count, and every planned cluster with a count and a date or a planned
period. A planned cluster's date is the end of the period it is planned for ("Planned
2027" -> 2027-12-31, "H2 2026" -> 2026-12-31, "Q2 2025" -> 2025-06-30, "2029-02" ->
2029-02-28): operating by then, as the nowcast reads it; a planned one without a period
("Planned", "completion unclear") is left out. Names Epoch AI repeats (e.g. "Anonymized
Chinese System") get their first operational date appended, so each row has one name.
``chip_count`` is the cluster's total of AI chips (Epoch AI's "Total number of AI
chips", else its primary quantity), the denominator of a run's share. Power and hardware
cost are Epoch AI's headline figures (the reported one where one is published, else its
calculation from the chips), with ``power_basis`` and ``cost_basis`` saying which; a
headline that is neither stops the script, since the copy has changed.

Usage: python scripts/curate_clusters.py [REFERENCE_CSV] [OUT_CSV]
"""

from __future__ import annotations

import calendar
import csv
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "epoch" / "gpu_clusters.csv"
OUT = ROOT / "data" / "clusters.csv"
SOURCE_TITLE = "Epoch AI, GPU Clusters (CC BY 4.0, 2026-04 copy)"
SOURCE_URL = "https://epoch.ai/data/gpu-clusters"
COLUMNS = (
    "name",
    "status",
    "certainty",
    "single_cluster",
    "owner",
    "country",
    "first_operational",
    "decommissioned",
    "h100e",
    "chip_type",
    "chip_count",
    "power_watts",
    "power_basis",
    "hardware_cost_usd",
    "cost_basis",
    "rank_when_operational",
    "standard_analysis",
    "source_title",
    "source_url",
)


def _end_of(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def planned_date(note: str) -> str | None:
    """The end of the period a planned cluster's note gives, or None."""
    note = note.strip()
    if m := re.fullmatch(r"(?:Planned )?(\d{4})-(\d{2})(?:-(\d{2}))?", note):
        year, month = int(m[1]), int(m[2])
        return f"{year:04d}-{month:02d}-{m[3]}" if m[3] else _end_of(year, month)
    if m := re.fullmatch(r"Planned (H|Q)(\d) (\d{4})", note):
        months = 6 * int(m[2]) if m[1] == "H" else 3 * int(m[2])
        return _end_of(int(m[3]), months)
    if m := re.fullmatch(r"Planned (\d{4})", note):
        return _end_of(int(m[1]), 12)
    return None


def _full_date(cell: str) -> str:
    """A date, a month ("2021-07": its last day) or empty."""
    if len(cell) == 7:
        return _end_of(int(cell[:4]), int(cell[5:7]))
    return cell


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value > 0 else math.nan


def _fmt(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.6g}"


def basis(value: float, reported: float, calculated: float) -> str:
    """Which of Epoch AI's two figures its headline ``value`` is: ``reported`` (published
    by the owner or the press), ``calculated`` (Epoch AI's estimate from the chips) or
    ``""`` when there is no value.

    Raises
    ------
    ValueError
        The value is neither: the copy has changed, and the curation must be decided again.
    """
    if not math.isfinite(value):
        return ""
    for label, figure in (("reported", reported), ("calculated", calculated)):
        if math.isfinite(figure) and math.isclose(value, figure, rel_tol=1e-9):
            return label
    raise ValueError(f"{value} is neither the reported ({reported}) nor the calculated figure")


def _text(cell: str) -> str:
    # One line, no stray quotes: Epoch AI quotes a few names with commas in them.
    return " ".join(cell.replace('"', "").split())


def curate(reference: Path = REFERENCE) -> list[dict[str, str]]:
    """The rows of data/clusters.csv, sorted by first operational date and name."""
    with reference.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        status = r["Status"].strip().lower()
        h100e = _number(r["H100 equivalents"])
        if status not in ("existing", "planned", "decommissioned") or not math.isfinite(h100e):
            continue
        date = r["First Operational Date"].strip()[:10]
        if status == "planned" and not date:
            date = planned_date(r["First Operational Date Note"]) or ""
        else:  # "2025-10": operating by the end of that month
            date = _full_date(date)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            continue
        rank = _number(r["Rank when first operational"])
        # Every AI chip of the cluster, the primary type and any other (Colossus phase 2:
        # 150,000 H100 and 50,000 H200), as a run counts the chips it used; the primary
        # quantity where Epoch AI gives no total (never above the total in this copy).
        chips = _number(r["Total number of AI chips"])
        if not math.isfinite(chips):
            chips = _number(r["Chip quantity (primary)"])
        # Epoch AI's headline power and cost are the reported figure where one is
        # published, else its calculation: kept so, with which one it is.
        power_mw = _number(r["Power Capacity (MW)"])
        power_basis = basis(
            power_mw,
            _number(r["Reported Power Capacity (MW)"]),
            _number(r["Calculated Power Capacity (MW)"]),
        )
        cost = _number(r["Hardware Cost"])
        cost_basis = basis(
            cost, _number(r["Reported Cost (Inflation adjusted)"]), _number(r["Calculated Cost"])
        )
        single = r["Single cluster?"].strip().lower()
        out.append(
            {
                "name": _text(r["Name"]),
                "status": status,
                "certainty": r["Certainty"].strip().lower(),
                "single_cluster": single if single in ("yes", "no") else "unclear",
                "owner": _text(r["Owner"]),
                "country": _text(r["Country"]),
                "first_operational": date,
                "decommissioned": _full_date(r["Decommissioned Date (if applicable)"].strip()[:10]),
                "h100e": _fmt(h100e),
                "chip_type": _text(r["Chip type (primary)"]),
                "chip_count": "" if not math.isfinite(chips) else str(round(chips)),
                "power_watts": _fmt(power_mw * 1e6),
                "power_basis": power_basis,
                "hardware_cost_usd": _fmt(cost),
                "cost_basis": cost_basis,
                "rank_when_operational": "" if not math.isfinite(rank) else str(round(rank)),
                "standard_analysis": "yes"
                if r["Include in Standard Analysis"].strip().lower() == "true"
                else "no",
                "source_title": SOURCE_TITLE,
                "source_url": (r["Source 1"].strip().split()[0] if r["Source 1"].strip() else "")
                or SOURCE_URL,
            }
        )
    counts: dict[str, int] = {}
    for row in out:
        counts[row["name"]] = counts.get(row["name"], 0) + 1
    seen: dict[str, int] = {}
    for row in out:
        if counts[row["name"]] > 1:
            base = f"{row['name']} ({row['first_operational']})"
            seen[base] = seen.get(base, 0) + 1
            row["name"] = base if seen[base] == 1 else f"{base} #{seen[base]}"
    for row in out:
        if not row["source_url"].startswith(("http://", "https://")):
            row["source_url"] = SOURCE_URL
    return sorted(out, key=lambda row: (row["first_operational"], row["name"]))


def write(rows: list[dict[str, str]], path: Path = OUT) -> None:
    """Write the rows as CSV (LF line ends, minimal quoting)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    rows = curate(reference)
    write(rows, out)
    print(f"{len(rows)} clusters -> {out}")
