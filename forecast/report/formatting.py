"""Numbers as a policy reader reads them: years, dollars, watts, FLOP."""

from __future__ import annotations

import math


def year(x: float | None, horizon: int | None = None) -> str:
    """A decimal year as the calendar year it falls in; None as "after the horizon"."""
    if x is None:
        return f"after {horizon}" if horizon else "never"
    return str(math.floor(x))


def year_interval(iv: dict, horizon: int) -> str:
    """ "2031 (80% interval 2030-2032)" from a {median, p10, p90} of decimal years."""
    if iv["median"] is None:
        low = year(iv["p10"], horizon)
        return f"after {horizon} in most draws (10th percentile: {low})"
    return f"{year(iv['median'])} (80% interval {year(iv['p10'])}–{year(iv['p90'], horizon)})"


def usd(x: float | None) -> str:
    """Dollars with a word for the scale: $1.2 trillion, $350 million."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1e15:  # beyond any economy: words stop helping
        return f"${x:.2g}".replace("e+", "e")
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(x) >= scale:
            return f"${x / scale:.3g} {word}"
    return f"${x:.3g}"


def watts(x: float | None) -> str:
    """Power with SI units: 1.2 GW, 350 MW."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1e15:
        return f"{x:.2g} W".replace("e+", "e")
    for scale, unit in ((1e12, "TW"), (1e9, "GW"), (1e6, "MW"), (1e3, "kW")):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {unit}"
    return f"{x:.3g} W"


def flop(x: float | None) -> str:
    """Compute in scientific notation: 3.1e27 FLOP."""
    if x is None or not math.isfinite(x):
        return "n/a"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):.2g}e{int(exponent)} FLOP"


def months(x: float | None) -> str:
    """A doubling time in months."""
    return "n/a" if x is None else f"{x:.1f} months"


def interval_text(iv: dict, fmt) -> str:
    """ "5.4 months (80% interval 4.9–5.9 months)"."""
    if iv["median"] is None:
        return "n/a"
    return f"{fmt(iv['median'])} (80% interval {fmt(iv['p10'])}–{fmt(iv['p90'])})"


def percent(p: float | None) -> str:
    """A probability as a percentage."""
    if p is None:
        return "n/a"
    # Never round a near-certainty up to certainty (or a small chance down to none).
    if 0.995 <= p < 1:
        return ">99%"
    if 0 < p < 0.005:
        return "<1%"
    return f"{100 * p:.0f}%"
