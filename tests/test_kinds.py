"""The constraint kinds chips, data, compute and cluster, and power across sites: each
against its closed form written out by hand (to 1e-6 years), the never-binds case, the
solver, and the scenario file's checks of their keys."""

from __future__ import annotations

import dataclasses
import math
import re
import textwrap

import numpy as np
import pytest

from forecast.project.engine import project
from forecast.project.hits import closed_form_hit, hit_years, is_log_linear, solve_hit
from forecast.project.inputs import get_input, set_input
from forecast.project.limits import ConstraintDraws, Realised, ln_affordable, ln_demand
from forecast.project.trajectory import LogLinear
from helpers import make_inputs

LN2 = math.log(2)
S = 3
ONES = np.ones(S)
#: The hand-made trend of make_inputs: 5e26 FLOP at 2025.5, doubling every 6 months.
A = LN2 / 0.5
LN_C0 = math.log(5e26) - A * 2025.5  # ln C(t) = LN_C0 + A t
SECONDS = 100 * 86_400  # make_inputs' 100 training days


def _with(c: ConstraintDraws, **kw):
    return make_inputs(S, constraints=[c], **kw)


def _check(inp, expected: float) -> None:
    """The engine's closed form, its solver and the projection all give ``expected``."""
    c = inp.constraints[0]
    assert 2026 < expected < 2060, expected  # inside the window: nothing is clipped
    assert is_log_linear(inp, c)
    np.testing.assert_allclose(closed_form_hit(inp, c), expected, atol=1e-6)
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2060.0), expected, atol=1e-6)
    ds = project(inp)
    np.testing.assert_allclose(ds["hit_year"].to_numpy()[0], expected, atol=1e-6)
    # What the ceiling allows is the run's own compute at the hit year.
    allowed = ln_affordable(inp, c, np.full(S, expected))
    np.testing.assert_allclose(allowed, LN_C0 + A * expected, atol=1e-8)


def test_compute_ceiling_meets_its_closed_form():
    """limit(t) = s L (1+g)^(t - t_l): ln C0 + A t = ln(s L) + ln(1+g)(t - t_l)."""
    L, s, g, tl = 2e31, 0.5, 0.1, 2030.0
    c = ConstraintDraws("latency", "compute", None, ONES * L, tl, ONES * g, ONES * s)
    lg = math.log1p(g)
    expected = (math.log(s * L) - lg * tl - LN_C0) / (A - lg)
    _check(_with(c), expected)
    assert ln_demand(_with(c), c, np.array([2030.0]))[0] == pytest.approx(LN_C0 + A * 2030)


def test_compute_ceiling_per_unit_of_time_meets_its_closed_form():
    """With limit_days D_l the wall is a limit on FLOP/s, s L (1+g)^(t - t_l) / D_l, and a
    run held back by it trains as long as a run may last, D_max (the datasheet's fixed 100
    days here): ln C0 + A t = ln(s L D_max / D_l) + ln(1+g)(t - t_l). A run as long as D_l
    meets L itself; one twice as long, 2 L."""
    L, s, g, tl, days = 2e31, 0.5, 0.1, 2030.0, 50.0
    extra = {"limit_days": ONES * days}
    c = ConstraintDraws("latency", "compute", None, ONES * L, tl, ONES * g, ONES * s, extra)
    assert c.demand == "flops_max"
    lg = math.log1p(g)
    expected = (math.log(s * L * SECONDS / (days * 86_400)) - lg * tl - LN_C0) / (A - lg)
    _check(_with(c), expected)
    # Twice as long a run meets the wall (in FLOP) twice as high: later by log(2) / (A - lg).
    same = ConstraintDraws("latency", "compute", None, ONES * L, tl, ONES * g, ONES * s)
    t_plain = float(closed_form_hit(_with(same), same)[0])
    assert expected - t_plain == pytest.approx(math.log(100 / days) / (A - lg), abs=1e-9)


@pytest.mark.parametrize("cap_days", [365.0, 180.0])
def test_compute_ceiling_per_unit_of_time_reads_the_duration_cap(cap_days):
    """Under the realised conversion the run stretches to the cap (not to its fitted
    duration, which a run held back by the wall would exceed): C <= L cap / D_l, constant
    here (no growth), so t* = (ln(L cap / D_l) - ln C0) / A, and a shorter cap hits sooner."""
    L, tl, days = 2e31, 2030.0, 91.0
    extra = {"limit_days": ONES * days}
    c = ConstraintDraws("latency", "compute", None, ONES * L, tl, ONES * 0.0, ONES, extra)
    inp = _realised(_with(c))
    inp = dataclasses.replace(
        inp, realised=dataclasses.replace(inp.realised, max_days=ONES * cap_days)
    )
    expected = (math.log(L * cap_days / days) - LN_C0) / A
    assert is_log_linear(inp, c)
    np.testing.assert_allclose(closed_form_hit(inp, c), expected, atol=1e-6)
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2060.0), expected, atol=1e-6)
    # What it allows is L cap / D_l whatever the date.
    allowed = ln_affordable(inp, c, np.full(S, 2040.0))
    np.testing.assert_allclose(allowed, math.log(L * cap_days / days), atol=1e-9)
    assert set_input(inp, "hardware.max_training_days", 2 * cap_days).realised.max_days[0] == (
        2 * cap_days
    )


def test_data_ceiling_is_six_tokens_squared_over_tokens_per_parameter():
    """C_max(t) = 6 T(t)^2 / k, T(t) = s L e m y (1+g)^(t - t_l): the ceiling grows with
    the square of the stock."""
    L, s, g, tl, k = 5e14, 0.8, 0.07, 2024.0, 20.0
    e, m, y = 5.0, 2.0, 1.5  # epochs, modalities, synthetic data
    extra = {
        "tokens_per_parameter": ONES * k,
        "epochs": ONES * e,
        "modality_multiplier": ONES * m,
        "synthetic_multiplier": ONES * y,
    }
    c = ConstraintDraws("data", "data", None, ONES * L, tl, ONES * g, ONES * s, extra)
    lg = math.log1p(g)
    ln_cmax0 = math.log(6.0) + 2 * math.log(s * L * e * m * y) - math.log(k)
    expected = (ln_cmax0 - 2 * lg * tl - LN_C0) / (A - 2 * lg)
    _check(_with(c), expected)
    # At the reference year the ceiling is 6 T^2 / k FLOP, written out.
    tokens = s * L * e * m * y
    assert math.exp(c.ln_limit(np.array([tl]))[0]) == pytest.approx(6 * tokens**2 / k)


def test_data_ceiling_defaults_to_chinchilla_and_one_epoch():
    c = ConstraintDraws("data", "data", None, ONES * 1e14, 2024.0, ONES * 0.0, ONES)
    assert math.exp(c.ln_limit(np.array([2024.0]))[0]) == pytest.approx(6 * 1e28 / 20)


def test_chips_ceiling_with_the_datasheet_duration():
    """H100e needed = C / (D r) <= s L (1+g)^(t - t_l), D the fixed training duration."""
    L, s, g, tl, r = 1e8, 0.26, 0.7, 2030.0, 4e14
    c = ConstraintDraws(
        "chips", "chips", None, ONES * L, tl, ONES * g, ONES * s, {"flops_per_h100e": ONES * r}
    )
    lg = math.log1p(g)
    expected = (math.log(s * L * r * SECONDS) - lg * tl - LN_C0) / (A - lg)
    _check(_with(c), expected)


def _realised(inp, size: float = 0.0):
    """The realised conversion's duration: 90 days at 2024 growing 1.3x a year, times
    (C / 1e24)^size (the other realised series do not enter the chip count)."""
    flat = LogLinear(ONES * 10.0, ONES * 0.0, 2024.0)
    realised = Realised(
        flops_per_usd=flat,
        flops_per_watt=flat,
        flop_per_usd_amortized=flat,
        duration_days=LogLinear(ONES * math.log10(90.0), ONES * math.log10(1.3), 2024.0),
        max_days=ONES * math.inf,
        duration_size=ONES * size,
    )
    return dataclasses.replace(inp, realised=realised)


@pytest.mark.parametrize("size", [0.0, 0.3])
def test_chips_ceiling_with_the_realised_duration(size):
    """ln C - ln D(t, C) - ln r = ln(s L) + ln(1+g)(t - t_l), with
    ln D = ln D0 + d t + size (ln C - ln 1e24): linear in t."""
    L, s, g, tl, r = 1e8, 0.26, 0.7, 2030.0, 4e14
    c = ConstraintDraws(
        "chips", "chips", None, ONES * L, tl, ONES * g, ONES * s, {"flops_per_h100e": ONES * r}
    )
    inp = _realised(_with(c), size)
    lg, d = math.log1p(g), math.log(1.3)
    ln_d0 = math.log(90.0 * 86400) - d * 2024.0 - size * math.log(1e24)
    # (1 - size)(LN_C0 + A t) - (ln_d0 + d t) - ln r = ln(s L) - lg tl + lg t
    expected = (math.log(s * L * r) - lg * tl - (1 - size) * LN_C0 + ln_d0) / (
        (1 - size) * A - d - lg
    )
    _check(inp, expected)


def test_power_across_sites_loses_the_split_efficiency():
    """Power demand C pue / (u D E(t)) against s L n f: n sites, f kept when split."""
    L, n, f = 5e9, 4.0, 0.8
    extra = {"sites": ONES * n, "split_efficiency": ONES * f}
    c = ConstraintDraws("sites", "power", None, ONES * L, 2030.0, ONES * 0.0, ONES, extra)
    te = LN2 / 2.5  # make_inputs: 1.4e12 FLOP/s per W at 2025 doubling every 2.5 years
    a = math.log(5e26 * 1.2 / (0.35 * SECONDS)) - A * 2025.5 - (math.log(1.4e12) - te * 2025.0)
    expected = (math.log(L * n * f) - a) / (A - te)
    inp = _with(c)
    assert is_log_linear(inp, c)
    np.testing.assert_allclose(hit_years(inp)[0], expected, atol=1e-6)
    # One site, nothing lost: the existing power ceiling exactly.
    one = ConstraintDraws("site", "power", None, ONES * L, 2030.0, ONES * 0.0, ONES)
    np.testing.assert_allclose(hit_years(_with(one))[0], (math.log(L) - a) / (A - te), atol=1e-6)


@pytest.mark.parametrize(
    "c",
    [
        ConstraintDraws("latency", "compute", None, ONES * 2e31, 2030.0, ONES * 5.0, ONES),
        ConstraintDraws("data", "data", None, ONES * 5e14, 2024.0, ONES * 2.0, ONES),
        ConstraintDraws(
            "chips",
            "chips",
            None,
            # 1e12 at 2030 is 1e8 H100e at the start, far above the run's 2.9e5.
            ONES * 1e12,
            2030.0,
            ONES * 9.0,
            ONES,
            {"flops_per_h100e": ONES * 4e14},
        ),
    ],
    ids=["compute", "data", "chips"],
)
def test_a_ceiling_that_outgrows_the_run_never_binds(c):
    """A limit growing faster than the run's demand: never met (inf), no binding."""
    inp = _with(c)
    assert np.all(np.isinf(closed_form_hit(inp, c)))
    ds = project(inp)
    assert np.all(np.isinf(ds["hit_year"])) and np.all(ds["binding"] == -1)


def test_the_kinds_factors_are_inputs_by_key_path():
    c = ConstraintDraws(
        "chips", "chips", None, ONES * 1e8, 2030.0, ONES * 0.5, ONES, {"flops_per_h100e": ONES}
    )
    inp = set_input(_with(c), "constraints.chips.flops_per_h100e", 3e14)
    assert get_input(inp, "constraints.chips.flops_per_h100e") == pytest.approx([3e14] * S)
    inp = set_input(inp, "constraints.chips.limit_h100e", 2e8)
    assert get_input(inp, "constraints.chips.limit_h100e") == pytest.approx([2e8] * S)
    with pytest.raises(KeyError, match="limit_h100e"):
        set_input(inp, "constraints.chips.limit_usd", 1.0)
    with pytest.raises(KeyError):
        set_input(inp, "constraints.chips.epochs", 2.0)


def test_the_projection_reports_what_each_ceiling_allows_in_flop():
    L = 2e31
    c = ConstraintDraws("latency", "compute", None, ONES * L, 2030.0, ONES * 0.0, ONES)
    ds = project(_with(c))
    np.testing.assert_allclose(ds["log10_flop_allowed"].to_numpy(), math.log10(L))
    assert list(ds["constraint_demand"].to_numpy()) == ["compute"]


# -- the scenario file -------------------------------------------------------------------

HEAD = """
name = "kinds"
seed = 1
horizon = 2045
[data]
runs = "{runs}"
[trend]
doubling_time_months = 6.0
level_flop = 5e26
level_year = 2025.5
"""


def _scenario(tmp_path, table: str):
    from forecast.scenario import load_scenario

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    text = HEAD.format(runs=root / "data" / "training_runs.csv") + textwrap.dedent(table)
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_scenario(path), path


def test_every_kind_loads_with_its_keys(tmp_path):
    sc, _ = _scenario(
        tmp_path,
        """
        [[constraints]]
        name = "chips"
        kind = "chips"
        limit_h100e = { dist = "lognormal", median = 1e8, p90 = 4e8 }
        flops_per_h100e = 3e14
        reference_year = 2030
        growth_per_year = 0.7
        share = 0.26
        [[constraints]]
        name = "data"
        kind = "data"
        limit_tokens = 5e14
        epochs = 5
        reference_year = 2024
        [[constraints]]
        name = "latency"
        kind = "compute"
        limit_flop = 2e31
        reference_year = 2030
        [[constraints]]
        name = "grid"
        kind = "power"
        limit_watts = 8e9
        sites = 4
        split_efficiency = 0.9
        reference_year = 2030
        """,
    )
    assert [c.kind for c in sc.constraints] == ["chips", "data", "compute", "power"]
    assert all(not c.left_to_data(sc.set_keys) for c in sc.constraints)
    keys = sc.parameters()
    assert "constraints.chips.flops_per_h100e" in keys and "constraints.data.epochs" in keys
    assert sc.constraints[1].factor("tokens_per_parameter").median() == 20.0


@pytest.mark.parametrize(
    ("table", "key", "says"),
    [
        (
            'kind = "data"\nlimit_tokens = -5e14\nreference_year = 2024',
            "limit_tokens",
            "",
        ),
        (
            'kind = "chips"\nlimit_h100e = 1e8\nflops_per_h100e = 3e14\nshare = 1.5\n'
            "reference_year = 2030",
            "share",
            "",
        ),
        ('kind = "chips"\nlimit_h100e = 1e8\nflops_per_h100e = 3e14', "reference_year", "year"),
        ('kind = "chips"\nlimit_h100e = 1e8\nreference_year = 2030', "flops_per_h100e", "needs"),
        ('kind = "latency"\nlimit_flop = 2e31\nreference_year = 2030', "kind", "compute"),
        (
            'kind = "compute"\nlimit_flop = 2e31\nepochs = 3\nreference_year = 2030',
            "epochs",
            "takes",
        ),
        (
            'kind = "chips"\nlimit_h100e = 1e8\nflops_per_h100e = 3e14\nlimit_days = 90\n'
            "reference_year = 2030",
            "limit_days",
            "takes",
        ),
        (
            'kind = "compute"\nlimit_flop = 2e31\nlimit_days = 0.5\nreference_year = 2030',
            "limit_days",
            "",
        ),
        ('kind = "cluster"\nlimit_h100e = 2e5\nreference_year = 2026', "flops_per_h100e", "needs"),
        (
            'kind = "cluster"\nflops_per_h100e = 3e14\nlimit_watts = 1e9\nreference_year = 2026',
            "limit_watts",
            "takes limit_h100e",
        ),
        (
            'kind = "cluster"\nflops_per_h100e = 3e14\nepochs = 2\nreference_year = 2026',
            "epochs",
            "takes",
        ),
        (
            'kind = "cluster"\nflops_per_h100e = 3e14\nshare = 2\nreference_year = 2026',
            "share",
            "",
        ),
    ],
    ids=[
        "negative-token-stock",
        "share-above-1",
        "chips-without-year",
        "chips-no-rate",
        "unknown-kind",
        "other-kinds-key",
        "limit-days-on-chips",
        "limit-days-below-a-day",
        "cluster-no-rate",
        "cluster-power-limit",
        "cluster-other-kinds-key",
        "cluster-share-above-1",
    ],
)
def test_bad_input_for_each_new_key_names_file_line_and_key(tmp_path, capsys, table, key, says):
    from forecast.cli import main

    path = tmp_path / "s.toml"
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    body = HEAD.format(runs=root / "data" / "training_runs.csv")
    path.write_text(body + '[[constraints]]\nname = "bad"\n' + table + "\n")
    lines = path.read_text().splitlines()
    # The line of the key at fault; a missing key is reported at its table's line.
    at = [i for i, ln in enumerate(lines, 1) if ln.startswith(f"{key} ")]
    line = at[0] if at else lines.index("[[constraints]]") + 1
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{path}:{line}" in err and key in err and says in err, err


def test_the_baseline_chip_throughput_is_what_recent_runs_achieved():
    """The baseline's realised FLOP/s per H100-equivalent is measured: the median and
    90th percentile of the runs since 2023 in data/run_hardware.csv (to 5%)."""
    from pathlib import Path

    from forecast.data.loaders import load_hardware, load_run_hardware, load_runs
    from forecast.data.throughput import realised_flops_per_h100e, summarise
    from forecast.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    runs, hardware = load_runs(), load_hardware()
    table = realised_flops_per_h100e(
        runs, load_run_hardware(runs=runs, hardware=hardware), hardware
    )
    assert len(table) >= 8 and table["t"].min() >= 2023.0
    measured = summarise(table["flops_per_h100e"])
    sc = load_scenario(root / "scenarios" / "baseline.toml")
    param = next(c for c in sc.constraints if c.kind == "chips").flops_per_h100e
    assert param.median() == pytest.approx(measured["median"], rel=0.05)
    assert param.as_dict()["p90"] == pytest.approx(measured["p90"], rel=0.05)


def test_realised_throughput_by_hand():
    import pandas as pd

    from forecast.data.throughput import H100_PEAK_FLOPS, realised_flops_per_h100e

    runs = pd.DataFrame({"name": ["a"], "t": [2024.5], "compute_flop": [1e25]})
    rh = pd.DataFrame(
        {"name": ["a"], "accelerator": ["X"], "chip_count": [1000.0], "training_hours": [100.0]}
    )
    hw = pd.DataFrame({"name": ["X"], "fp16_flops": [2e15]})
    got = realised_flops_per_h100e(runs, rh, hw)
    util = 1e25 / (100 * 3600 * 1000 * 2e15)
    assert got["utilisation"].iloc[0] == pytest.approx(util)
    assert got["flops_per_h100e"].iloc[0] == pytest.approx(util * H100_PEAK_FLOPS)


def _cluster(L=2e6, s=0.5, g=1.5, r=3e14, sites=None, split=None):
    extra = {"flops_per_h100e": ONES * r}
    if sites is not None:
        extra.update(sites=ONES * sites, split_efficiency=ONES * split)
    return ConstraintDraws(
        "largest cluster", "cluster", None, ONES * L, 2026.0, ONES * g, ONES * s, extra
    )


@pytest.mark.parametrize("sites,split", [(None, None), (4.0, 0.8)])
def test_cluster_ceiling_with_the_datasheet_duration(sites, split):
    """C / D <= s n f H(t) r, H(t) = L (1+g)^(t - t_l): the run's FLOP/s against its share
    of the largest cluster, over n sites keeping f of their compute."""
    L, s, g, r = 2e6, 0.5, 1.5, 3e14
    c = _cluster(L, s, g, r, sites, split)
    lg = math.log1p(g)
    n_f = 1.0 if sites is None else sites * split
    expected = (math.log(s * n_f * L * r * SECONDS) - lg * 2026.0 - LN_C0) / (A - lg)
    _check(_with(c), expected)


@pytest.mark.parametrize("sites,split", [(None, None), (4.0, 0.8)])
@pytest.mark.parametrize("size", [0.0, 0.3])
def test_cluster_ceiling_with_the_realised_duration(size, sites, split):
    """As the chips ceiling, with the largest cluster (over n sites keeping f) for the
    stock of chips."""
    L, s, g, r = 2e6, 0.5, 0.5, 3e14
    inp = _realised(_with(_cluster(L, s, g, r, sites, split)), size)
    n_f = 1.0 if sites is None else sites * split
    lg, d = math.log1p(g), math.log(1.3)
    ln_d0 = math.log(90.0 * 86400) - d * 2024.0 - size * math.log(1e24)
    expected = (math.log(s * n_f * L * r) - lg * 2026.0 - (1 - size) * LN_C0 + ln_d0) / (
        (1 - size) * A - d - lg
    )
    _check(inp, expected)


def test_cluster_ceiling_by_hand():
    """100,000 H100e at 3e14 FLOP/s each, half of them for one run: 1.5e19 FLOP/s. The
    run of make_inputs at 2026.0 (5e26 FLOP x 2 ** (0.5 / 0.5) = 1e27 FLOP over 100 days)
    needs 1e27 / 8.64e6 s = 1.157e20 FLOP/s: 7.7 times what the cluster gives it."""
    c = _cluster(L=1e5, s=0.5, g=0.0, r=3e14)
    inp = _with(c)
    t = np.full((S, 1), 2026.0)
    demand = np.exp(ln_demand(inp, c, t))[:, 0]
    limit = np.exp(c.ln_limit(t))[:, 0]
    np.testing.assert_allclose(limit, 1.5e19, rtol=1e-12)
    np.testing.assert_allclose(demand, 1e27 / 8.64e6, rtol=1e-9)
    # Exceeded at the start and not growing: it binds at once.
    assert project(inp)["hit_year"].to_numpy()[0][0] == pytest.approx(2026.0)


def test_cluster_ceiling_that_outgrows_demand_never_binds():
    c = _cluster(L=1e9, s=1.0, g=3.0)  # 4x a year against compute's 4x: never met
    inp = _with(c)
    assert np.all(np.isinf(closed_form_hit(inp, c, inp.start_year)))
    assert np.all(np.isinf(project(inp)["hit_year"].to_numpy()[0]))


def test_a_ceiling_exceeded_at_the_start_that_grows_faster_binds_at_the_start():
    """The closed form's gap shrinks (the ceiling grows 9x a year against 4x), but demand
    is above it at the start: closed form, solver and projection all say the start."""
    c = _cluster(L=1e3, s=0.5, g=8.0)
    inp = _with(c)
    # The start is the projection's unless given: every caller agrees with the solver.
    np.testing.assert_array_equal(closed_form_hit(inp, c), inp.start_year)
    np.testing.assert_array_equal(closed_form_hit(inp, c, inp.start_year), inp.start_year)
    np.testing.assert_allclose(solve_hit(inp, c, inp.start_year, inp.end), inp.start_year)
    np.testing.assert_allclose(project(inp)["hit_year"].to_numpy()[0], inp.start_year)


def test_a_cluster_ceiling_may_leave_size_growth_and_share_to_the_data(tmp_path):
    sc, _ = _scenario(
        tmp_path,
        """
        [[constraints]]
        name = "largest cluster"
        kind = "cluster"
        flops_per_h100e = 3e14
        sites = 2
        reference_year = 2026
        [[constraints]]
        name = "given"
        kind = "cluster"
        flops_per_h100e = 3e14
        limit_h100e = 2e5
        share = 0.4
        reference_year = 2026
        """,
    )
    fitted, given = sc.constraints
    assert fitted.left_to_data(sc.set_keys) == ("limit_h100e", "growth_per_year", "share")
    assert given.left_to_data(sc.set_keys) == ("growth_per_year",)
    assert "constraints.largest cluster.sites" in sc.parameters()
    assert "constraints.largest cluster.share" not in sc.parameters()
    assert "constraints.given.share" in sc.parameters()


# -- more oracles: the start year, sites by hand, the chips ceiling of one cluster ----------


@pytest.mark.parametrize(
    "c",
    [
        # 5e26 FLOP at the start against the run's 1e27, growing 9x a year against 4x.
        ConstraintDraws("latency", "compute", None, ONES * 5e26, 2026.0, ONES * 8.0, ONES),
        # 1e5 H100e x 4e14 FLOP/s = 4e19 FLOP/s at the start against the run's 1.2e20.
        ConstraintDraws(
            "chips",
            "chips",
            None,
            ONES * 1e5,
            2026.0,
            ONES * 8.0,
            ONES,
            {"flops_per_h100e": ONES * 4e14},
        ),
    ],
    ids=["compute", "chips"],
)
def test_a_ceiling_passed_at_the_start_binds_there_however_fast_it_grows(c):
    """Any kind, as the cluster above: the gap shrinks (9x a year against 4x) but demand
    is above the ceiling at the start, so closed form, solver and projection give the
    start year and the ceiling binds. From a later start, where the ceiling has caught up,
    never."""
    inp = _with(c)
    start = inp.start_year
    assert ln_demand(inp, c, np.array([start]))[0] > c.ln_limit(np.array([start]))[0]
    np.testing.assert_array_equal(closed_form_hit(inp, c), start)
    np.testing.assert_array_equal(solve_hit(inp, c, start, inp.end), start)
    ds = project(inp)
    np.testing.assert_array_equal(ds["hit_year"].to_numpy()[0], start)
    assert np.all(ds["binding"] == 0)
    # By 2030 the ceiling has grown 9^4 = 6561x and demand 4^4 = 256x: 25.6x closer, it
    # is above demand (both were within 3x at the start).
    assert np.all(np.isinf(closed_form_hit(inp, c, 2030.0)))
    assert np.all(np.isinf(solve_hit(inp, c, 2030.0, inp.end)))


def test_cluster_hit_years_by_hand():
    """1e6 H100e x 3e14 FLOP/s x 0.5 = 1.5e20 FLOP/s, not growing: the run (1e27 FLOP at
    2026.0 doubling every 6 months, over 8.64e6 s) reaches it at 1.5e20 x 8.64e6 =
    1.296e27 FLOP, at 2025.5 + 0.5 log2(1.296e27 / 5e26) = 2026.18703; across three such
    clusters keeping 90% (4.05e20 FLOP/s), at 3.4992e27 FLOP, 2025.5 + 0.5 log2(6.9984) =
    2026.90351."""
    one = _cluster(L=1e6, s=0.5, g=0.0, r=3e14)
    np.testing.assert_allclose(hit_years(_with(one))[0], 2026.18703, atol=1e-5)
    three = _cluster(L=1e6, s=0.5, g=0.0, r=3e14, sites=3.0, split=0.9)
    np.testing.assert_allclose(hit_years(_with(three))[0], 2026.90351, atol=1e-5)
    # What the three clusters allow, whatever the year (they do not grow): 4.05e20 FLOP/s
    # for 100 days.
    allowed = ln_affordable(_with(three), three, np.full(S, 2030.0))
    np.testing.assert_allclose(np.exp(allowed), 4.05e20 * 8.64e6, rtol=1e-9)


@pytest.mark.parametrize("sites,split", [(None, None), (4.0, 0.8)], ids=["one", "four"])
@pytest.mark.parametrize("size", [0.0, 0.3])
def test_cluster_ceiling_under_the_realised_duration_cap(size, sites, split):
    """The realised duration (90 days at 2024, 1.3x a year, times (C / 1e24)^size) reaches
    its cap at 2027.5 here; past it D is the cap, so C / cap <= s n f H(t) r with
    H(t) = L (1+g)^(t - t_l): t* = (ln(s n f L r cap) - ln(1+g) t_l - ln C0) / (A - ln(1+g)).
    The gap bends at the cap, so no closed form: the solver, the hit years and the
    projection all find t*, and what the ceiling allows there is the run's own compute."""
    L, s, g, r = 2e6, 0.5, 0.5, 3e14
    c = _cluster(L, s, g, r, sites, split)
    d, lg = math.log(1.3), math.log1p(g)

    def ln_days(t: float) -> float:
        return math.log(90.0) + d * (t - 2024.0) + size * (LN_C0 + A * t - math.log(1e24))

    cap = math.exp(ln_days(2027.5))
    inp = _realised(_with(c), size)
    inp = dataclasses.replace(inp, realised=dataclasses.replace(inp.realised, max_days=ONES * cap))
    n_f = 1.0 if sites is None else sites * split
    expected = (math.log(s * n_f * L * r * cap * 86_400) - lg * 2026.0 - LN_C0) / (A - lg)
    assert 2027.5 < expected < 2060, expected  # met after the cap, inside the window
    # Below the ceiling until the cap (the uncapped gap is linear, so at both ends): the
    # crossing is the capped regime's.
    for t in (2026.0, 2027.5):
        at = np.full((S, 1), t)
        assert np.all(ln_demand(inp, c, at) < c.ln_limit(at))
    assert not is_log_linear(inp, c)
    np.testing.assert_allclose(solve_hit(inp, c, 2026.0, 2060.0), expected, atol=1e-6)
    np.testing.assert_allclose(hit_years(inp)[0], expected, atol=1e-6)
    np.testing.assert_allclose(project(inp)["hit_year"].to_numpy()[0], expected, atol=1e-6)
    allowed = ln_affordable(inp, c, np.full(S, expected))
    np.testing.assert_allclose(allowed, LN_C0 + A * expected, atol=1e-8)


@pytest.mark.parametrize("sites,split", [(None, None), (4.0, 0.8)], ids=["one", "four"])
def test_a_cluster_that_starts_above_the_run_and_outgrows_it_never_binds(sites, split):
    """3e20 FLOP/s at the start (above the run's 1.2e20), growing 5x a year against 4x."""
    c = _cluster(g=4.0, sites=sites, split=split)
    inp = _with(c)
    assert np.all(np.isinf(closed_form_hit(inp, c)))
    assert np.all(np.isinf(solve_hit(inp, c, inp.start_year, inp.end)))
    ds = project(inp)
    assert np.all(np.isinf(ds["hit_year"])) and np.all(ds["binding"] == -1)


def test_a_cluster_is_the_chips_ceiling_of_one_cluster():
    """On one site, a cluster ceiling of L H100e is a chips ceiling of L H100e: the same
    limit, demand and hit year; across n sites keeping f, a chips ceiling n f times larger."""
    chips = ConstraintDraws(
        "chips", "chips", None, ONES * 2e6, 2026.0, ONES * 1.5, ONES * 0.5,
        {"flops_per_h100e": ONES * 3e14},
    )  # fmt: skip
    t = np.tile([2026.0, 2031.5], (S, 1))
    np.testing.assert_allclose(_cluster().ln_limit(t), chips.ln_limit(t), rtol=1e-14)
    np.testing.assert_allclose(hit_years(_with(_cluster())), hit_years(_with(chips)))
    wider = dataclasses.replace(chips, limit=ONES * 2e6 * 4 * 0.8)
    split = _cluster(sites=4.0, split=0.8)
    np.testing.assert_allclose(hit_years(_with(split)), hit_years(_with(wider)), atol=1e-9)


def test_the_cluster_factors_are_inputs_by_key_path():
    """A cluster ceiling takes its limit, the realised rate and the sites keys by key path;
    the chips ceiling still takes no sites, the power ceiling no realised rate."""
    inp = _with(_cluster())
    for key, value in [
        ("limit_h100e", 3e5),
        ("flops_per_h100e", 4e14),
        ("sites", 2.0),
        ("split_efficiency", 0.9),
    ]:
        inp = set_input(inp, f"constraints.largest cluster.{key}", value)
        assert get_input(inp, f"constraints.largest cluster.{key}") == pytest.approx([value] * S)
    t = np.full((S, 1), 2026.0)
    np.testing.assert_allclose(np.exp(inp.constraints[0].ln_limit(t)), 0.5 * 2 * 0.9 * 3e5 * 4e14)
    with pytest.raises(KeyError, match="limit_h100e"):
        set_input(inp, "constraints.largest cluster.limit_watts", 1.0)
    with pytest.raises(KeyError):
        set_input(inp, "constraints.largest cluster.epochs", 2.0)
    chips = ConstraintDraws(
        "chips", "chips", None, ONES * 1e8, 2030.0, ONES * 0.5, ONES, {"flops_per_h100e": ONES}
    )
    with pytest.raises(KeyError):
        set_input(_with(chips), "constraints.chips.sites", 2.0)
    power = ConstraintDraws("grid", "power", None, ONES * 5e9, 2030.0, ONES * 0.0, ONES)
    with pytest.raises(KeyError):
        set_input(_with(power), "constraints.grid.flops_per_h100e", 2.0)


# -- the scenario file: each problem of a cluster table, located -------------------------


def _line(path, needle: str) -> int:
    """1-based number of the first line of ``path`` that starts with ``needle``."""
    lines = path.read_text().splitlines()
    return next(i for i, ln in enumerate(lines, 1) if ln.startswith(needle))


CLUSTER = 'kind = "cluster"\nlimit_h100e = 2e5\nflops_per_h100e = 3e14\nreference_year = 2026\n'


@pytest.mark.parametrize(
    ("table", "key", "at", "pattern"),
    [
        (
            'kind = "cluster"\nlimit_h100e = 2e5\nreference_year = 2026',
            None,
            "[[constraints]]",
            r"^a cluster constraint needs flops_per_h100e$",
        ),
        (
            CLUSTER + "limit_watts = 1e9",
            "limit_watts",
            "limit_watts",
            r"^a cluster constraint takes limit_h100e, not limit_watts$",
        ),
        (CLUSTER + "epochs = 2", "epochs", "epochs", r"^a cluster constraint takes no epochs$"),
        (
            CLUSTER + "limit_days = 90",
            "limit_days",
            "limit_days",
            r"^a cluster constraint takes no limit_days$",
        ),
        (CLUSTER + 'basis = "capex"', "basis", "basis", r"^a cluster constraint takes no basis$"),
        (CLUSTER + "share = 1.5", "share", "share", r"^must be in \(0, 1\], got 1.5$"),
        (
            CLUSTER + 'share = { dist = "uniform", low = 0.5, high = 1.5 }',
            "share",
            "share",
            r"^must be in \(0, 1\], but uniform \(0.5 to 1.5\) takes values from 0.5 to 1.5$",
        ),
        (
            CLUSTER + "sites = 0.5",
            "sites",
            "sites",
            r"^must be between 1 and 1e4 sites \(.*got 0.5$",
        ),
        (
            CLUSTER + "split_efficiency = 1.2",
            "split_efficiency",
            "split_efficiency",
            r"^must be in \(0, 1\], got 1.2$",
        ),
        (
            'kind = "cluster"\nlimit_h100e = 1e14\nflops_per_h100e = 3e14\nreference_year = 2026',
            "limit_h100e",
            "limit_h100e",
            r"^must be between 1 and 1e13 H100-equivalents \(.*\), got 1e14$",
        ),
        # The keys the cluster kind shares are still refused by the other kinds.
        (
            'kind = "chips"\nlimit_h100e = 2e5\nflops_per_h100e = 3e14\nsites = 2\n'
            "reference_year = 2026",
            "sites",
            "sites",
            r"^a chips constraint takes no sites$",
        ),
        (
            'kind = "power"\nlimit_watts = 1e9\nflops_per_h100e = 3e14\nreference_year = 2026',
            "flops_per_h100e",
            "flops_per_h100e",
            r"^a power constraint takes no flops_per_h100e$",
        ),
        (
            'kind = "spend"\nlimit_usd = 1e9\nlimit_h100e = 2e5\nreference_year = 2026',
            "limit_h100e",
            "limit_h100e",
            r"^a spend constraint takes limit_usd, not limit_h100e$",
        ),
        (
            "limit_h100e = 2e5\nreference_year = 2026",
            None,
            "[[constraints]]",
            r'^a constraint needs a kind \("spend", "power", "chips", "data", "compute" or '
            r'"cluster"\)$',
        ),
        (
            'kind = "clusters"\nlimit_h100e = 2e5\nreference_year = 2026',
            "kind",
            "kind",
            r"^unknown value 'clusters'; did you mean 'cluster'\? \(expected one of spend, "
            r"power, chips, data, compute, cluster\)$",
        ),
    ],
    ids=[
        "no-rate",
        "power-limit",
        "data-key",
        "compute-key",
        "spend-key",
        "share-above-1",
        "share-draws-above-1",
        "sites-below-1",
        "split-above-1",
        "limit-huge",
        "chips-takes-no-sites",
        "power-takes-no-rate",
        "spend-takes-no-h100e",
        "no-kind",
        "kind-misspelt",
    ],
)
def test_a_bad_cluster_table_is_one_located_problem(tmp_path, capsys, table, key, at, pattern):
    """As tests/test_scenario.py checks the other tables: one problem, at the key's line
    (a missing key at its table's), under its key path, saying what is wrong; and
    ``forecast check`` prints it as one line."""
    from forecast.errors import ScenarioError
    from forecast.scenario import load_scenario
    from helpers import cli_error_lines

    path = tmp_path / "s.toml"
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    body = HEAD.format(runs=root / "data" / "training_runs.csv")
    path.write_text(body + '[[constraints]]\nname = "bad"\n' + table + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert problem.column == "constraints.bad" + (f".{key}" if key else "")
    assert problem.line == _line(path, at)
    assert re.search(pattern, problem.message), problem.message
    (printed,) = cli_error_lines(["check", str(path)], capsys)
    assert printed.startswith(f"error: {path}:{problem.line}: {problem.column}: ")
    assert problem.message in printed


def test_the_cluster_kind_shares_no_key_twice():
    """limit_h100e is the limit of two kinds: each kind's refused keys name it once."""
    from forecast.scenario.schema import Constraint

    for kind in (*Constraint.LIMITS, None, "nonsense"):
        keys = Constraint.refused_keys(kind)
        assert len(keys) == len(set(keys)), kind
    assert "limit_h100e" not in Constraint.refused_keys("cluster")
    assert {"sites", "split_efficiency", "flops_per_h100e"}.isdisjoint(
        Constraint.refused_keys("cluster")
    )
    assert "sites" in Constraint.refused_keys("chips")


# -- end to end: a scenario with every value given ---------------------------------------


def test_a_cluster_scenario_runs_end_to_end_without_a_fit():
    """tests/scenarios/good_cluster.toml (every series given, the datasheet conversion):
    no cluster fit runs, each cluster ceiling's hit year is its closed form, the summary
    names the kind, and the briefing says what the run is compared with and how the
    ceiling is defined."""
    from pathlib import Path

    from forecast.report.answer import answer
    from forecast.report.assumptions import assumptions_section
    from forecast.report.document import to_markdown
    from forecast.results.summary import build_summary
    from forecast.scenario import check_scenario
    from forecast.workflow import RunOptions, run

    path = Path(__file__).resolve().parent / "scenarios" / "good_cluster.toml"
    results = run(check_scenario(path), RunOptions(draws=20), sweep=False)
    assert not results.trend_fitted and results.posterior == {}
    assert getattr(results, "supply", None) is None  # nothing left to the cluster data
    lg = math.log1p(1.5)
    for name, n_f in [("Largest cluster", 1.0), ("Three clusters", 3 * 0.8)]:
        # ln C0 + A t - ln D = ln(s n f L r) + ln(1+g)(t - 2026), s = 0.5, L = 1e6, r = 3e14
        expected = (math.log(0.5 * n_f * 1e6 * 3e14 * SECONDS) - lg * 2026 - LN_C0) / (A - lg)
        hit = results.projection["hit_year"].sel(constraint=name).to_numpy()
        np.testing.assert_allclose(hit, expected, atol=1e-6)
    summary = build_summary(results)
    kinds = {c["name"]: (c["kind"], c["demand"]) for c in summary["constraints"]}
    assert kinds == {
        "Largest cluster": ("cluster", "flops"),
        "Three clusters": ("cluster", "flops"),
    }
    assert summary["limit"]["binding_constraint"] == "Largest cluster"
    text = to_markdown("t", answer(summary, results, with_sweep=False))
    assert "| Largest cluster | share of the largest cluster needed |" in text
    defined = to_markdown("t", assumptions_section(results))
    assert "over 3 sites keeping 0.8 of their compute" in defined
    assert "fitted to Epoch AI" not in defined  # every value is given


def test_a_chips_ceiling_without_a_limit_starts_from_the_installed_stock(tmp_path):
    """limit(ref) = the latest installed stock (1.48e7 H100e at the end of 2025: Epoch AI's
    1.5e7 sold, less those sold more than five years before) grown by the ceiling's growth
    to its reference year."""
    from forecast.project.scenario import _from_stock

    sc, _ = _scenario(
        tmp_path,
        """
        [[constraints]]
        name = "chips"
        kind = "chips"
        flops_per_h100e = 3e14
        reference_year = 2030
        growth_per_year = 0.7
        share = 0.26
        """,
    )
    assert sc.constraints[0].left_to_data(sc.set_keys) == ("limit_h100e",)
    limit = _from_stock(sc, 2030.0, np.array([0.7, 0.3]))
    t_stock = 2025 + 364 / 365  # 2025-12-31 as a decimal year
    np.testing.assert_allclose(limit, 1.48e7 * np.array([1.7, 1.3]) ** (2030 - t_stock))


def test_the_closed_form_gives_a_root_before_the_start_unclipped():
    """A ceiling passed before the start, with demand growing faster: the closed form
    returns its root (before the start), and the hit years clip it to the start."""
    L, g = 1e26, 0.5  # a compute ceiling of 1e26 FLOP at 2030, growing 1.5x a year
    c = ConstraintDraws("latency", "compute", None, ONES * L, 2030.0, ONES * g, ONES)
    inp = _with(c)
    lg = math.log1p(g)
    root = (math.log(L) - lg * 2030.0 - LN_C0) / (A - lg)
    assert root < inp.start_year
    np.testing.assert_allclose(closed_form_hit(inp, c), root, atol=1e-6)
    np.testing.assert_allclose(hit_years(inp)[0], inp.start_year)
