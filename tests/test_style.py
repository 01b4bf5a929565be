"""The number formats the briefing and the figures share (pure functions, no figures)."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from forecast.report import style as F
from forecast.scenario.schema import Constraint, HardwareSpec, TrendSpec

NAMED_USD = re.compile(r"^-?\$[\d,]+(\.\d+)?[kMBT]?$")
NAMED_WATTS = re.compile(r"^-?[\d,]+(\.\d+)? [kMGT]?W$")
POWERS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def test_years_and_probabilities():
    assert F.year(2032.9) == "2032"
    assert F.year(None, 2045) == "after 2045"
    assert F.percent(0.997) == ">99%"
    assert F.percent(0.003) == "<1%"
    assert F.percent(1.0) == "100%"
    # Halves round up (as explore.html's Math.round does): 2.5% of draws is "3%", and a
    # share of exactly 0.5% is "1%", never "0%".
    assert F.percent(0.025) == "3%"
    assert F.percent(0.005) == "1%"
    assert F.percent(0.0) == "0%"
    assert F.months(5.43) == "5.4 months"
    assert F.growth(4.66) == "4.7x"
    assert F.factor(2037.0) == "2,000x"
    assert F.factor(22.4) == "22x"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "$0"),
        (500.0, "$500"),
        (1.5e3, "$1.5k"),
        (1e6, "$1M"),
        (4.85e8, "$485M"),
        (2e11, "$200B"),
        (999.9e9, "$1T"),  # rounds up to the next word, not "$1e+03B"
        (1e12, "$1T"),
        (9.28e14, "$928T"),
        (1e15, "$1,000T"),
        (3.5e16, "$35,000T"),
        (1.2345e18, "$1,230,000T"),
        (-5e9, "-$5B"),
    ],
)
def test_usd(value, text):
    assert F.usd(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.5, "0.5 W"),
        (1.5e5, "150 kW"),
        (1.62e7, "16.2 MW"),
        (5e9, "5 GW"),
        (1.17e13, "11.7 TW"),
        (3.7e16, "37,000 TW"),
    ],
)
def test_watts(value, text):
    assert F.watts(value) == text


def test_missing_values():
    for fn in (F.usd, F.watts, F.flop, F.growth, F.factor):
        assert fn(None) == "n/a"
        assert fn(math.nan) == "n/a"
    assert F.usd_labels([None, math.inf, 1e9]) == ["", "", "$1B"]


def test_huge_amounts_are_powers_of_ten():
    assert F.usd(1e21) == "$10²¹"
    assert F.usd(1.3e23) == "$1.3×10²³"
    assert F.watts(2e24) == "2×10²⁴ W"
    assert F.power_of_ten(9.9996e23) == "10²⁴"  # the mantissa rounds up to 10
    assert F.power_of_ten(-2.5e-7) == "-2.5×10⁻⁷"


def test_usd_labels_one_style_per_axis():
    decades = [10.0**k for k in range(6, 21)]  # $1M to $10^20
    labels = F.usd_labels(decades)
    assert all(NAMED_USD.match(t) for t in labels), labels
    assert labels[:7] == ["$1M", "$10M", "$100M", "$1B", "$10B", "$100B", "$1T"]
    assert labels[-1] == "$100,000,000T"
    # One value beyond the named range turns every label into a power of ten.
    labels = F.usd_labels([1e6, 1e12, 1e24])
    assert labels == ["$10⁶", "$10¹²", "$10²⁴"]
    assert F.named_style(decades) and not F.named_style([1e6, 1e24])


def test_watts_labels_one_style_per_axis():
    labels = F.watts_labels([10.0**k for k in range(3, 21)])
    assert all(NAMED_WATTS.match(t) for t in labels), labels
    assert labels[:4] == ["1 kW", "10 kW", "100 kW", "1 MW"]
    assert "1 GW" in labels and "1 TW" in labels and "1,000 TW" in labels
    labels = F.watts_labels([1e3, 1e9, 1e27])
    assert labels == ["10³ W", "10⁹ W", "10²⁷ W"]


def test_flop_is_a_power_of_ten():
    assert F.flop(2.8e26) == "2.8×10²⁶ FLOP"
    assert F.flop(1e27) == "10²⁷ FLOP"


# -- parameter labels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("trend.doubling_time_months", "Current-era doubling time (months)"),
        ("hardware.price_performance_doubling_years", "Price-performance doubling time (years)"),
        ("hardware.utilization", "Hardware utilisation (share of peak)"),
        ("constraints.World hardware budget.limit_usd", "World hardware budget: limit ($)"),
        ("constraints.Single-site power.limit_watts", "Single-site power: limit (W)"),
        ("constraints.1% of world GDP.share", "1% of world GDP: share one run may take"),
        # Names are user text: dots, slashes and brackets stay in the name.
        (
            "constraints.U.S./EU budget [2024].growth_per_year",
            "U.S./EU budget [2024]: growth of the limit (per year)",
        ),
        ("constraints.cap.share.limit_usd", "cap.share: limit ($)"),
        ("constraints[0].share", "Ceiling 1: share one run may take"),
        ("constraints[2].limit_usd", "Ceiling 3: limit ($)"),
    ],
)
def test_param_label(key, label):
    assert F.param_label(key) == label


def test_every_schema_field_has_a_label():
    """A new field in the schema must get words here, not the fallback."""
    for section, spec in (("trend", TrendSpec), ("hardware", HardwareSpec)):
        for f in dataclasses.fields(spec):
            assert f"{section}.{f.name}" in F.PARAM_LABELS, f.name
    for f in dataclasses.fields(Constraint):
        assert f.name in F.CONSTRAINT_FIELD_LABELS, f.name
        label = F.param_label(f"constraints.World hardware budget.{f.name}")
        assert label.startswith("World hardware budget: ")
    assert all("_" not in label and "." not in label for label in F.PARAM_LABELS.values())


def test_posterior_keys_have_labels():
    from forecast.analysis.sensitivity import POSTERIOR_KEYS

    for key in POSTERIOR_KEYS:
        assert key in F.PARAM_LABELS


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("hardware.new_knob_days", "Hardware: new knob (days)"),
        ("constraints.Budget.new_field_months", "Budget: new field (months)"),
        ("sampler.draws", "Sampler: draws"),
        ("horizon", "Horizon"),
        ("", "(unnamed parameter)"),
        ("constraints.", "constraints."),
        ("constraints[x].share", "Constraints[x]: share"),
    ],
)
def test_param_label_fallback_never_raises(key, label):
    assert F.param_label(key) == label
