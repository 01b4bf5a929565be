"""The report's style: colours, figure axes, and numbers as a policy reader reads them.

One module for the briefing, the CLI and the figures, so that a figure and the table
beside it look and print the same: one colour-blind-safe palette (Okabe-Ito), one way to
make a figure's axes, and every number formatted here: a hit year as the calendar year
("2032"), a probability as ">99%", a cost as "$1.2T", a power as "5 GW".

Money and power come in two styles. Named ("$350M", "$1.2T", "$35,000T"; "5 GW",
"35,000 TW") reads best and is used up to :data:`NAMED_LIMIT`; beyond it the numbers
stop meaning anything economically and powers of ten ("$1.3×10²³") are used. Values
shown together (the ticks of one axis, one table column) take one style for all of
them: see :func:`usd_labels` and :func:`watts_labels`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

#: Named amounts are used below this magnitude ("$100,000,000T" is the longest);
#: at or above it, powers of ten.
NAMED_LIMIT = 1e21

#: Significant digits of a dollar or watt amount.
DIGITS = 3

# -- colours and axes ----------------------------------------------------------------------

#: Okabe-Ito colours (colour-blind friendly).
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
#: Two more colours for ceilings, from Paul Tol's muted scheme (also colour-blind safe).
WINE = "#882255"
TEAL = "#44AA99"

#: Series in order (scenarios in a comparison, cutoffs of the backtests...).
PALETTE = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)
#: One colour per constraint, by position in the projection's ``constraint`` dim.
CONSTRAINT_COLOURS = (VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, WINE, TEAL)

#: Size (inches) and resolution of a report figure.
FIGSIZE = (9.0, 5.5)
DPI = 150


def colour(i: int) -> str:
    """The i-th colour of :data:`PALETTE` (cycling)."""
    return PALETTE[i % len(PALETTE)]


def constraint_colour(i: int) -> str:
    """The colour of the i-th constraint (the same in every figure)."""
    return CONSTRAINT_COLOURS[i % len(CONSTRAINT_COLOURS)]


def mark_year(ax, year: float, label: str) -> None:
    """A thin vertical line at ``year`` with its label written up it, at the foot of the
    axes (a data cut-off, the end of a chart's data)."""
    ax.axvline(year, color=GREY, lw=0.8, ls="-", zorder=0)
    ax.text(
        year,
        0.02,
        f" {label} ",
        transform=ax.get_xaxis_transform(),
        rotation=90,
        ha="right",
        va="bottom",
        fontsize="x-small",
        color="#555555",
    )


def axes(ax=None, size: tuple[float, float] = FIGSIZE):
    """The given axes and its figure, or a new figure (not registered with pyplot).

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
    """
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def literal(texts) -> None:
    """Show texts as written: constraint names are user text, and a "$" in one next to a
    dollar amount would otherwise start matplotlib mathtext."""
    for text in texts:
        text.set_parse_math(False)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_USD_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_WATT_SCALES = ((1e12, "TW"), (1e9, "GW"), (1e6, "MW"), (1e3, "kW"))


# -- years, probabilities, durations -------------------------------------------------------


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


def months(x: float | None) -> str:
    """A doubling time in months: "5.4 months"."""
    return "n/a" if x is None else f"{x:.1f} months"


def growth(x: float | None) -> str:
    """A growth factor per year, as the briefing's headline gives it: "4.7x"."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.1f}x"


def factor(x: float | None) -> str:
    """A ratio to two significant digits: "4.7x", "22x", "2,000x"."""
    if x is None or not math.isfinite(x) or x <= 0:
        return "n/a"
    r = _round_sig(x, 2)
    return f"{r:.2g}x" if r < 10 else f"{r:,.0f}x"


def interval_text(
    iv: dict, fmt: Callable[[float], str] = lambda x: f"{x:.1f}", never: str = "never"
) -> str:
    """An interval as "5.4 (80% interval 4.9–5.9)" (one decimal unless ``fmt`` says).

    A bound that is None is infinite (:mod:`forecast.stats`: a doubling time of a run
    that stops growing, a year never reached) and reads as ``never``.
    """
    if iv["median"] is None:
        return "n/a"

    def show(x: float | None) -> str:
        return never if x is None else fmt(x)

    return f"{show(iv['median'])} (80% interval {show(iv['p10'])}–{show(iv['p90'])})"


def percent(p: float | None) -> str:
    """A probability as a percentage."""
    if p is None:
        return "n/a"
    # Never round a near-certainty up to certainty (or a small chance down to none).
    if 0.995 <= p < 1:
        return ">99%"
    if 0 < p < 0.005:
        return "<1%"
    # Halves round up, as explore.html's JavaScript rounds them (format() rounds to even).
    return f"{math.floor(100 * p + 0.5)}%"


# -- dollars, watts, FLOP ------------------------------------------------------------------


def _round_sig(x: float, digits: int = DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits (so 999.9e9 becomes 1e12)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def power_formatter():
    """A matplotlib tick formatter: powers of ten in plain text ("10²⁴", "2×10³⁰"), the
    briefing's own text, and no mathtext (whose parsing took a third of a second for the
    default labels of one set of figures)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: power_of_ten(v, 2) if v else "0")


def power_of_ten(x: float, digits: int = DIGITS) -> str:
    """``x`` as mantissa × power of ten in plain text: "1.3×10²³", "10²⁴".

    Unicode superscripts rather than matplotlib mathtext, so that the same text works in
    a figure, in Markdown and in HTML (and a "$" before it needs no escaping).
    """
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    exp = math.floor(math.log10(abs(x)))
    mant = _round_sig(abs(x), digits) / 10**exp
    if mant >= 10:  # 9.999e23 rounds up to 1.00e24
        exp, mant = exp + 1, mant / 10
    power = "10" + str(exp).translate(_SUPERSCRIPT)
    if abs(mant - 1) < 1e-9:
        return sign + power
    return f"{sign}{mant:.{digits}g}×{power}"


def _named(x: float, scales: Sequence[tuple[float, str]], unit: str, money: bool) -> str:
    """``x`` with the largest scale word that fits: "$1.2T", "350 MW", "$35,000T"."""
    sign = "-" if x < 0 else ""
    r = _round_sig(abs(x))
    scale, word = next(((sc, w) for sc, w in scales if r >= sc), (1.0, unit))
    v = r / scale
    # Beyond the largest word, thousands separators keep the digits readable ("35,000T").
    number = f"{v:.{DIGITS}g}" if v < 1000 else f"{v:,.0f}"
    return f"{sign}${number}{word}" if money else f"{sign}{number} {word}"


def named_style(values: Iterable[float | None]) -> bool:
    """Whether values shown together get named amounts (True) or powers of ten (False)."""
    finite = [abs(float(v)) for v in values if v is not None and math.isfinite(float(v))]
    return all(_round_sig(v) < NAMED_LIMIT for v in finite)


def _labels(
    values: Iterable[float | None], scales: Sequence[tuple[float, str]], unit: str, money: bool
) -> list[str]:
    values = [None if v is None else float(v) for v in values]
    named = named_style(values)
    out = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append("")
        elif named:
            out.append(_named(v, scales, unit, money))
        else:
            text = power_of_ten(v)
            out.append(f"${text}" if money else f"{text} {unit}")
    return out


def usd_labels(values: Iterable[float | None]) -> list[str]:
    """Dollar amounts shown together (an axis, a table column), all in one style.

    Named ("$100M", "$1B", "$1T", "$1,000T") while every value is below
    :data:`NAMED_LIMIT`, else powers of ten for every value ("$10⁶", "$10²⁰"), so that one
    axis never mixes "$100T" with "$10²⁰".

    Parameters
    ----------
    values : iterable of float or None
        Amounts in US dollars; None, NaN and inf give "".

    Returns
    -------
    list of str
    """
    return _labels(values, _USD_SCALES, "", money=True)


def watts_labels(values: Iterable[float | None]) -> list[str]:
    """Power levels shown together, all in one style: "1 kW" ... "1 TW", "1,000 TW", or
    powers of ten for all ("10²⁴ W") when any value reaches :data:`NAMED_LIMIT` watts.

    Parameters
    ----------
    values : iterable of float or None
        Power in watts; None, NaN and inf give "".

    Returns
    -------
    list of str
    """
    return _labels(values, _WATT_SCALES, "W", money=False)


def usd(x: float | None) -> str:
    """Dollars with a letter for the scale: "$350M", "$1.2T", "$35,000T" (see
    :func:`usd_labels`; for a table column, format the column with it)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return usd_labels([x])[0]


def watts(x: float | None) -> str:
    """Power with SI units: "350 MW", "1.2 GW", "35,000 TW" (see :func:`watts_labels`)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return watts_labels([x])[0]


def flop(x: float | None) -> str:
    """Compute as a power of ten, as the figures' compute axes show it: "3.1×10²⁷ FLOP"."""
    if x is None or not math.isfinite(x) or x <= 0:
        return "n/a"
    return f"{power_of_ten(x, 2)} FLOP"


# -- parameter names ---------------------------------------------------------------------------

#: Plain-words names of the key paths of :mod:`forecast.scenario.schema` (the fields of
#: TrendSpec and HardwareSpec) and of the posterior quantities the sensitivity analysis
#: varies, which use the same key paths (:data:`forecast.analysis.sensitivity.POSTERIOR_KEYS`).
PARAM_LABELS: dict[str, str] = {
    # TrendSpec
    "trend.model": "Model of the trend (eras, or a slope that drifts from year to year)",
    "trend.eras": "Number of trend eras",
    "trend.jump": "Level jump between eras",
    "trend.doubling_time_months": "Current-era doubling time (months)",
    "trend.level_flop": "Compute of the largest run at the reference year (FLOP)",
    "trend.level_year": "Reference year of the compute level",
    "trend.forward": "How the trend runs forward (the current era, or a hazard of a new one)",
    "trend.era_hazard_per_year": "Yearly chance that the current era ends",
    "trend.new_era_doubling_months": "Doubling time of a new era (months)",
    # HardwareSpec
    "hardware.precision": "Number precision of the hardware trends",
    "hardware.price_performance_doubling_years": "Price-performance doubling time (years)",
    "hardware.flops_per_usd": "Price-performance (FLOP/s per $)",
    "hardware.flops_per_usd_year": "Reference year of the price-performance",
    "hardware.efficiency_doubling_years": "Energy-efficiency doubling time (years)",
    "hardware.flops_per_watt": "Energy efficiency (FLOP/s per watt)",
    "hardware.flops_per_watt_year": "Reference year of the energy efficiency",
    "hardware.efficiency_limit_flop_per_joule": "Physical limit of energy efficiency (FLOP/J)",
    "hardware.utilization": "Hardware utilisation (share of peak)",
    "hardware.training_days": "Length of the training run (days)",
    "hardware.conversion": "Conversion of compute into dollars and watts",
    "hardware.max_training_days": "Longest a training run can last (days)",
    "hardware.overhead": "Cost overhead on chips (servers, network, buildings; factor)",
    "hardware.lifetime_years": "Hardware lifetime (years)",
    "hardware.pue": "Power usage effectiveness (PUE)",
    "hardware.electricity_usd_per_kwh": "Electricity price ($ per kWh)",
}

#: Plain-words names of the fields of a Constraint, after "<constraint name>: ".
CONSTRAINT_FIELD_LABELS: dict[str, str] = {
    "name": "name",
    "kind": "kind of ceiling",
    "basis": "cost compared with the ceiling",
    "limit_usd": "limit ($)",
    "limit_watts": "limit (W)",
    "limit_h100e": "accelerators available (H100-equivalents)",
    "limit_tokens": "stock of usable tokens",
    "limit_flop": "limit (FLOP)",
    "sites": "sites one run may span",
    "split_efficiency": "share of compute per watt kept when split across sites",
    "flops_per_h100e": "realised FLOP/s per H100-equivalent in training",
    "tokens_per_parameter": "training tokens per parameter (compute-optimal rule)",
    "epochs": "passes over the data (epochs)",
    "modality_multiplier": "multiplier for images, video and audio",
    "synthetic_multiplier": "multiplier for synthetic data",
    "limit_days": "training duration the limit is stated for (days)",
    "reference_year": "reference year of the limit",
    "growth_per_year": "growth of the limit (per year)",
    "share": "share one run may take",
}

#: Unit suffixes of field names, for the fallback of :func:`param_label`.
_UNIT_SUFFIXES = (
    ("_usd_per_kwh", "$ per kWh"),
    ("_months", "months"),
    ("years_of", "years"),
    ("_days", "days"),
    ("_usd", "$"),
    ("_watts", "W"),
    ("_flop", "FLOP"),
)
_INDEXED = re.compile(r"constraints\[(\d+)\]\.(.+)", re.DOTALL)


def _words(field: str) -> str:
    """A field name as words, its unit in brackets: "limit_usd" -> "limit ($)"."""
    for suffix, unit in _UNIT_SUFFIXES:
        if field.endswith(suffix) and len(field) > len(suffix):
            return f"{field[: -len(suffix)].replace('_', ' ')} ({unit})"
    return field.replace("_", " ")


def _field_label(field: str) -> str:
    return CONSTRAINT_FIELD_LABELS.get(field) or _words(field)


def param_label(key: str) -> str:
    """A parameter's key path in plain words, for a policy reader.

    ``"hardware.price_performance_doubling_years"`` -> ``"Price-performance doubling time
    (years)"``; ``"constraints.World hardware budget.limit_usd"`` -> ``"World hardware
    budget: limit ($)"``; ``"constraints[0].share"`` -> ``"Ceiling 1: share one run may
    take"``. Constraint names are user text and may hold ".", "/" or "[", so the field is
    split off the end as a known field name, never by splitting on ".". An unknown key
    gets a readable fallback ("hardware.new_knob_days" -> "Hardware: new knob (days)");
    this function never raises.

    Parameters
    ----------
    key : str
        A key path as :func:`forecast.scenario.parameters` and the sensitivity analysis
        give them.

    Returns
    -------
    str
    """
    key = str(key)
    if key in PARAM_LABELS:
        return PARAM_LABELS[key]
    indexed = _INDEXED.fullmatch(key)
    if indexed:
        return f"Ceiling {int(indexed[1]) + 1}: {_field_label(indexed[2])}"
    if key.startswith("constraints."):
        rest = key[len("constraints.") :]
        for field in CONSTRAINT_FIELD_LABELS:
            if rest.endswith("." + field) and len(rest) > len(field) + 1:
                return f"{rest[: -len(field) - 1]}: {CONSTRAINT_FIELD_LABELS[field]}"
        # An unknown field: the text after the last "." is the best guess at it.
        name, dot, field = rest.rpartition(".")
        if dot and name and field:
            return f"{name}: {_words(field)}"
        return rest or key
    section, dot, field = key.partition(".")
    if dot and section and field:
        return f"{_words(section).capitalize()}: {_words(field)}"
    text = _words(key).strip()
    return text[:1].upper() + text[1:] if text else "(unnamed parameter)"
