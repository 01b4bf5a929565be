"""Scenarios: parameter distributions, the shipped files, and one located message per bad file."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from forecast.data import DATA_DIR, Selection
from forecast.errors import Problem, ScenarioError
from forecast.scenario import (
    Beta,
    Fixed,
    LogNormal,
    Normal,
    Param,
    ParamError,
    Triangular,
    Uniform,
    check_scenario,
    load_scenario,
    parameters,
    parse_param,
    with_param,
)
from helpers import cli_error_lines

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
BAD = TESTS / "scenarios"
N = 200_000


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``path`` containing ``needle``."""
    found = [
        number
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if needle in line
    ]
    assert len(found) >= nth, f"{needle!r} not {nth} times in {path}"
    return found[nth - 1]


# -- parameters ----------------------------------------------------------------------------


def test_lognormal_recovers_median_and_p90():
    param = parse_param({"dist": "lognormal", "median": 0.35, "p90": 0.5}, "x")
    draws = param.draw(np.random.default_rng(0), N)
    assert draws.shape == (N,)
    assert np.median(draws) == pytest.approx(0.35, rel=0.02)
    assert np.quantile(draws, 0.9) == pytest.approx(0.5, rel=0.02)
    assert param.median() == pytest.approx(0.35)
    assert param.ppf(0.9) == pytest.approx(0.5)
    assert param.describe() == "lognormal (median 0.35, p90 0.5)"


def test_lognormal_mu_sigma_is_the_same_distribution():
    a = LogNormal(median=2.0, p90=5.0)
    b = parse_param({"dist": "lognormal", "mu": a.mu, "sigma": a.sigma})
    assert b.median() == pytest.approx(2.0)
    assert b.ppf(0.9) == pytest.approx(5.0)
    np.testing.assert_allclose(
        a.ppf([0.05, 0.5, 0.95]), stats.lognorm(s=a.sigma, scale=2.0).ppf([0.05, 0.5, 0.95])
    )


def test_beta_mean_and_sd():
    param = parse_param({"dist": "beta", "mean": 0.375, "sd": 0.08})
    assert isinstance(param, Beta)
    draws = param.draw(np.random.default_rng(1), N)
    assert draws.mean() == pytest.approx(0.375, rel=0.01)
    assert draws.std() == pytest.approx(0.08, rel=0.02)
    assert param.support() == (0.0, 1.0)
    same = parse_param({"dist": "beta", "alpha": param.alpha, "beta": param.beta})
    assert same.mean == pytest.approx(0.375)
    assert same.sd == pytest.approx(0.08)


def test_normal_from_median_p90_and_truncation():
    param = parse_param({"dist": "normal", "median": 10, "p90": 12})
    assert param.ppf(0.9) == pytest.approx(12)
    truncated = parse_param({"dist": "normal", "mean": 0.35, "sd": 0.2, "low": 0.05, "high": 1})
    assert isinstance(truncated, Normal)
    assert truncated.support() == (0.05, 1.0)
    draws = truncated.draw(np.random.default_rng(2), N)
    assert draws.min() >= 0.05 and draws.max() <= 1.0
    ref = stats.truncnorm((0.05 - 0.35) / 0.2, (1 - 0.35) / 0.2, loc=0.35, scale=0.2)
    assert draws.mean() == pytest.approx(ref.mean(), rel=0.01)
    assert np.quantile(draws, 0.9) == pytest.approx(ref.ppf(0.9), rel=0.01)


@pytest.mark.parametrize(
    ("param", "ref"),
    [
        (Normal(3.0, 0.5), stats.norm(3.0, 0.5)),
        (LogNormal(100.0, 180.0), stats.lognorm(s=math.log(1.8) / stats.norm.ppf(0.9), scale=100)),
        (Uniform(18.0, 24.0), stats.uniform(18.0, 6.0)),
        (Triangular(1.0, 1.5, 3.0), stats.triang(0.25, loc=1.0, scale=2.0)),
        (Beta.from_alpha_beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    ],
    ids=["normal", "lognormal", "uniform", "triangular", "beta"],
)
def test_ppf_and_moments_match_scipy(param: Param, ref):
    q = np.array([0.01, 0.1, 0.5, 0.9, 0.99])
    np.testing.assert_allclose(param.ppf(q), ref.ppf(q), rtol=1e-9)
    assert param.median() == pytest.approx(ref.median())
    draws = param.draw(np.random.default_rng(3), N)
    assert draws.mean() == pytest.approx(ref.mean(), rel=0.01)
    assert draws.std() == pytest.approx(ref.std(), rel=0.02)
    lo, hi = param.support()
    assert draws.min() >= lo and draws.max() <= hi
    assert not param.is_fixed


def test_fixed():
    param = parse_param(0.35)
    assert param == Fixed(0.35)
    assert param.is_fixed
    assert param.describe() == "0.35"
    np.testing.assert_array_equal(param.draw(np.random.default_rng(0), 3), [0.35] * 3)
    np.testing.assert_array_equal(param.ppf(np.array([0.1, 0.9])), [0.35, 0.35])
    assert param.median() == 0.35
    assert param.support() == (0.35, 0.35)
    assert parse_param(math.inf).median() == math.inf


@pytest.mark.parametrize(
    "table",
    [
        {"dist": "normal", "mean": 1, "sd": 2},
        {"dist": "lognormal", "median": 1, "p90": 2},
        {"dist": "uniform", "low": 0, "high": 1},
        {"dist": "triangular", "low": 0, "mode": 0.2, "high": 1},
        {"dist": "beta", "mean": 0.3, "sd": 0.1},
    ],
)
def test_same_seed_same_draws(table):
    param = parse_param(table)
    a = param.draw(np.random.default_rng(2026), 100)
    b = param.draw(np.random.default_rng(2026), 100)
    c = param.draw(np.random.default_rng(2027), 100)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert parse_param(param.as_dict()) == param  # round trip through the file format


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (
            {"dist": "lognorml", "median": 1, "p90": 2},
            r"unknown distribution 'lognorml'; did you mean 'lognormal'\?",
        ),
        ({"median": 1, "p90": 2}, r"needs a 'dist' key"),
        ({"dist": "normal", "mean": 1}, r"needs sd as well"),
        ({"dist": "normal", "mean": 1, "sd": 0}, r"sd must be positive"),
        ({"dist": "normal", "mean": 1, "sd": -1}, r"sd must be positive"),
        (
            {"dist": "lognormal", "median": 1, "p90": 1},
            r"p90 \(1\) must be greater than median \(1\)",
        ),
        ({"dist": "lognormal", "median": 1, "sd": 2}, r"unknown field 'sd' for a lognormal"),
        ({"dist": "uniform", "low": 2, "high": 1}, r"low \(2\) must be less than high \(1\)"),
        ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, r"mode \(2\) must lie between"),
        ({"dist": "beta", "mean": 0.5, "sd": 0.6}, r"no beta distribution has mean 0.5 and sd 0.6"),
        ({"dist": "beta", "mean": 1.5, "sd": 0.1}, r"mean must be in \(0, 1\)"),
        (
            {"dist": "beta", "mean": 0.3, "sd": 0.1, "alpha": 2},
            r"takes mean and sd, or alpha and beta",
        ),
        ({"dist": "uniform", "low": "a", "high": 1}, r"low must be a number"),
        ({"dist": "normal", "mean": 1, "sd": math.nan}, r"sd must be a finite number, got nan"),
        ({"dist": "normal", "mean": 1, "sd": 1, "low": -math.inf}, r"low must be a finite"),
        (
            {"dist": "lognormal", "mu": 1, "sigma": 1e300},
            r"lognormal: mu 1 and sigma 1e\+300 put the median or the p90 beyond floating-point",
        ),
        ({"dist": "beta", "mean": 0.5, "sd": 5e-324}, r"sd 4\.941e-324 is too small for a beta"),
        ({"dist": "beta", "alpha": 1e300, "beta": 1e300}, r"too small for a beta"),
        (math.nan, r"must be a number, got nan"),
        ("0.35", r"expected a number or a distribution table"),
        (True, r"expected a number or a distribution table"),
    ],
)
def test_bad_param_tables(value, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        parse_param(value, "hardware.utilization")
    assert isinstance(info.value, ParamError)
    assert str(info.value).startswith("hardware.utilization: ")


# -- the shipped scenarios -----------------------------------------------------------------


def test_shipped_scenarios_exist():
    names = {p.stem for p in SHIPPED}
    assert {
        "baseline",
        "openai-2018",
        "spending-boom",
        "efficiency-breakthrough",
        "moores-law-slowdown",
        "power-constrained",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_loads(path: Path):
    scenario = check_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description.strip()
    assert scenario.seed == 2026
    assert scenario.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # Every file carries the keys the design fixes, rather than relying on defaults.
    for key in ("seed", "horizon", "data.frontier", "data.since", "trend.eras", "sampler.draws"):
        assert key in scenario.set_keys, key
    assert scenario.data.hardware == DATA_DIR / "hardware.csv"
    assert scenario.constraints
    # ... and names the source of every number it sets.
    assert scenario.unsourced() == []
    assert len(scenario.data.selected_points()) >= 10


def test_baseline_contents():
    s = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert s.data.selection() == Selection(
        "top_n", 10, 1e23, dt.date(2010, 1, 1), dt.date(2026, 11, 26), ("pretrain",)
    )
    assert s.trend.eras == "auto" and s.trend.needs_fit
    assert s.hardware.conversion == "realised"
    assert s.hardware.max_training_days == Triangular(180.0, 365.0, 456.0)
    # Every scenario but the two that re-run a published analysis with its own
    # datasheet figures uses the realised conversion.
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        expected = "datasheet" if path.stem in ("openai-2018", "epoch-2030") else "realised"
        assert load_scenario(path).hardware.conversion == expected, path.name
    assert [c.name for c in s.constraints] == [
        "World hardware budget",
        "1% of world GDP",
        "Largest firm's capital spending",
        "Power across sites",
        "Chip supply",
        "Training data",
        "Latency wall",
        "Largest cluster",
    ]
    assert [c.kind for c in s.constraints] == [
        "spend",
        "spend",
        "spend",
        "power",
        "chips",
        "data",
        "compute",
        "cluster",
    ]
    # The supply side comes from the data: the chip stock, the largest cluster and share.
    assert s.constraint("Chip supply").left_to_data(s.set_keys) == ("limit_h100e",)
    assert s.constraint("Largest cluster").left_to_data(s.set_keys) == (
        "limit_h100e",
        "growth_per_year",
        "share",
    )
    budget = s.constraint("World hardware budget")
    assert (budget.kind, budget.basis, budget.reference_year) == ("spend", "capex", 2018)
    assert budget.limit.median() == 1e12
    assert s.constraint("Power across sites").basis is None
    # Every number the baseline sets has a source.
    assert s.unsourced() == []


def test_openai_2018_uses_the_chart_points():
    s = load_scenario(ROOT / "scenarios" / "openai-2018.toml")
    assert s.data.points == "openai_2018"
    assert s.trend.eras == 1
    assert not s.hardware.price_performance_needs_fit
    assert not s.hardware.efficiency_needs_fit
    points = s.data.selected_points()
    assert len(points) == 15
    assert points["in_trend"].all()
    assert {"t", "compute_flop", "log10_flop", "uncertainty"} <= set(points.columns)


def test_defaults(tmp_path):
    s = load_scenario(BAD / "good_minimal.toml")
    assert s.name == "good_minimal"
    assert s.horizon == 2045
    assert s.data.runs == DATA_DIR / "training_runs.csv"
    assert (s.data.frontier, s.data.top_n, s.data.since, s.data.until) == (
        "top_n",
        10,
        dt.date(2010, 1, 1),
        None,
    )
    assert s.hardware.precision == "ml"
    assert s.hardware.utilization == Beta(0.35, 0.08)
    assert s.hardware.efficiency_limit_flop_per_joule == Fixed(4.7e15)
    assert s.hardware.training_days == Fixed(100)
    (budget,) = s.constraints
    assert budget.basis == "capex"
    assert budget.growth_per_year == Fixed(0) and budget.share == Fixed(1)
    assert s.sampler.draws == 1000 and s.sampler.backend == "pymc"


def test_strings_for_dates_and_inf_limit(tmp_path):
    text = (BAD / "good_minimal.toml").read_text() + (
        '\n[data]\nsince = "2012-01-01"\n\n[hardware]\nefficiency_limit_flop_per_joule = inf\n'
    )
    path = tmp_path / "custom.toml"
    path.write_text(text)
    s = load_scenario(path)
    assert s.data.since == dt.date(2012, 1, 1)
    assert s.hardware.efficiency_limit_flop_per_joule.median() == math.inf
    assert s.path == path.resolve()


# -- parameters by key path ----------------------------------------------------------------


def test_parameters_and_with_param():
    s = load_scenario(ROOT / "scenarios" / "baseline.toml")
    params = parameters(s)
    assert params["hardware.max_training_days"] == Triangular(180.0, 365.0, 456.0)
    assert params["constraints.1% of world GDP.share"] == Fixed(0.01)
    assert "constraints.Power across sites.limit_usd" not in params
    assert "trend.doubling_time_months" not in params  # left to the fit

    t = with_param(s, "trend.doubling_time_months", 12)
    assert t.trend.doubling_time_months == Fixed(12)
    assert s.trend.doubling_time_months is None  # the original is untouched
    u = s.with_param(
        "constraints.World hardware budget.share", {"dist": "uniform", "low": 0.1, "high": 0.5}
    )
    assert u.constraint("World hardware budget").share == Uniform(0.1, 0.5)
    assert "constraints.World hardware budget.share" not in u.sources
    v = with_param(s, "constraints[3].limit_watts", Fixed(1e9))
    assert v.constraint("Power across sites").limit_watts == Fixed(1e9)


@pytest.mark.parametrize(
    ("key_path", "value", "error", "pattern"),
    [
        ("hardware.utilization", 1.2, ScenarioError, r"must be in \(0, 1\], got 1.2"),
        ("hardware.utilisation", 0.3, KeyError, r"did you mean 'utilization'"),
        ("constraints.Nope.share", 0.5, KeyError, r"no constraint named 'Nope'"),
        (
            "constraints.Power across sites.limit_usd",
            1e9,
            ScenarioError,
            r"power constraint takes no",
        ),
        (
            "constraints.Chip supply.epochs",
            2,
            ScenarioError,
            r"chips constraint takes no epochs",
        ),
        (
            "trend.doubling_time_months",
            {"dist": "normal", "mean": 6, "sd": 1},
            ScenarioError,
            r"positive",
        ),
        ("data.top_n", 5, KeyError, r"unknown parameter"),
        ("trend.level_flop", 1e27, ScenarioError, r"set trend.level_year"),
    ],
)
def test_with_param_rejects(key_path, value, error, pattern):
    s = load_scenario(ROOT / "scenarios" / "baseline.toml")
    with pytest.raises(error, match=pattern):
        with_param(s, key_path, value)


# -- bad scenario files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "key_path", "needle", "pattern"),
    [
        (
            "bad_unknown_key.toml",
            "hardware.utilisation",
            "utilisation",
            r"unknown key 'utilisation'; did you mean 'utilization'\?",
        ),
        (
            "bad_wrong_type.toml",
            "sampler.draws",
            "draws",
            r"expected an integer, got a string \('many'\)",
        ),
        (
            "bad_share.toml",
            "constraints.World hardware budget.share",
            "share",
            r"must be in \(0, 1\], got 1.7",
        ),
        (
            "bad_utilization.toml",
            "hardware.utilization",
            "utilization",
            r"must be in \(0, 1\], got 1.2",
        ),
        (
            "bad_negative_days.toml",
            "hardware.training_days",
            "training_days",
            r"must be positive, got -5",
        ),
        ("bad_missing_runs.toml", "data.runs", "runs", r"file not found: .*no_such_runs.csv"),
        (
            "bad_horizon.toml",
            "horizon",
            "horizon",
            r"horizon 2020 must be after the year of data.until \(2024-06-30\)",
        ),
        (
            "bad_distribution.toml",
            "hardware.training_days",
            "training_days",
            r"p90 \(80\) must be greater than median \(100\)",
        ),
        (
            "bad_beta.toml",
            "hardware.utilization",
            "utilization",
            r"no beta distribution has mean 0.5 and sd 0.6",
        ),
        (
            "bad_normal_utilization.toml",
            "hardware.utilization",
            "utilization",
            r"normal .* takes values from -inf to inf; give the normal low/high bounds",
        ),
        ("bad_syntax.toml", None, "0.35 0.4", r"invalid TOML: Expected newline"),
        (
            "bad_power_limit_usd.toml",
            "constraints.Single-site power.limit_usd",
            "limit_usd",
            r"a power constraint takes limit_watts, not limit_usd",
        ),
        (
            "bad_duplicate_names.toml",
            "constraints[1].name",
            ('name = "Budget"', 2),
            r"duplicate constraint name 'Budget'",
        ),
        (
            "bad_unknown_dist.toml",
            "trend.doubling_time_months",
            "doubling_time_months",
            r"unknown distribution 'lognorml'; did you mean 'lognormal'\?",
        ),
        (
            "bad_since_until.toml",
            "data.since",
            "since",
            r"data.since \(2020-01-01\) is after data.until \(2019-06-30\)",
        ),
        ("bad_eras.toml", "trend.eras", "eras", r'must be 1, 2, 3 or "auto", got an integer \(4\)'),
        (
            "bad_frontier.toml",
            "data.frontier",
            "frontier",
            r"unknown value 'top-n'; did you mean 'top_n'\?",
        ),
        (
            "bad_forward.toml",
            "trend.forward",
            "forward",
            r"unknown value 'drift'.*expected one of era, hazard",
        ),
        (
            "bad_hazard.toml",
            "trend.era_hazard_per_year",
            "era_hazard_per_year",
            r"1.5",
        ),
        (
            "bad_stages.toml",
            "data.stages",
            "stages",
            r"unknown value 'finetune'; did you mean 'fine-tune'\?",
        ),
        (
            "bad_stages_string.toml",
            "data.stages",
            "stages",
            r"expected a non-empty list of pretrain, fine-tune, unfinished",
        ),
        (
            "bad_precision.toml",
            "hardware.precision",
            "precision",
            r"unknown value 'fp64'.*expected one of fp32, fp16, ml",
        ),
        (
            "bad_no_constraints.toml",
            "constraints",
            None,
            r"at least one \[\[constraints\]\] table is needed",
        ),
        (
            "bad_sources.toml",
            'sources."hardware.pue"',
            '"hardware.pue"',
            r"names a key the file does not set; did you mean 'hardware.utilization'\?",
        ),
        (
            "bad_spend_without_limit.toml",
            "constraints.Budget",
            "[[constraints]]",
            r"a spend constraint needs limit_usd",
        ),
        (
            "bad_level_without_year.toml",
            "trend.level_flop",
            "level_flop",
            r"trend.level_flop needs trend.level_year",
        ),
    ],
)
def test_bad_scenario(filename, key_path, needle, pattern):
    path = BAD / filename
    with pytest.raises(ScenarioError, match=pattern) as info:
        load_scenario(path)
    matching = [p for p in info.value.problems if p.column == key_path]
    assert len(matching) == 1, info.value.problems
    problem = matching[0]
    assert problem.file == str(path)
    if needle is None:
        assert problem.line is None
    else:
        text, nth = needle if isinstance(needle, tuple) else (needle, 1)
        assert problem.line == line_of(path, text, nth)
    # The CLI prints one line per problem: file:line: key path: message.
    assert str(problem).startswith(f"{path}:")


def test_all_problems_reported_at_once():
    path = BAD / "bad_many.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {p.column: p for p in info.value.problems}
    expected = {
        "seed": r"at least 0",
        "horizon": r"beyond 2200",
        "data.frontier": r"unknown value 'largest'",
        "data.since": r"is after data.until",
        "trend.eras": r"got an integer \(0\)",
        "hardware.utilization": r"in \(0, 1\], got 1.2",
        "hardware.pue": r"in \[1, inf\), got 0.9",
        "hardware.overhed": r"did you mean 'overhead'",
        "constraints.Power.limit_watts": r"must be positive",
        "constraints.Power.share": r"in \(0, 1\], got 0",
        "sampler.chains": r"at least 1",
        "sampler.backend": r"unknown value 'stan'",
    }
    assert set(found) == set(expected)
    for key, pattern in expected.items():
        assert re.search(pattern, found[key].message), (key, found[key].message)
    lines = [p.line for p in info.value.problems]
    assert lines == sorted(lines)  # reported in file order
    assert len(info.value.lines()) == len(expected)


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")


def test_check_scenario_reports_data_problems(tmp_path):
    shutil.copy(TESTS / "data" / "bad_date.csv", tmp_path / "runs.csv")
    path = tmp_path / "s.toml"
    path.write_text(
        f'[data]\nruns = "runs.csv"\nhardware = "{DATA_DIR / "hardware.csv"}"\n'
        + (BAD / "good_minimal.toml").read_text()
    )
    load_scenario(path)  # the scenario itself is fine
    with pytest.raises(ScenarioError, match="expected a date") as info:
        check_scenario(path)
    assert all(isinstance(p, Problem) for p in info.value.problems)
    assert info.value.problems[0].file == str(tmp_path / "runs.csv")
    assert info.value.problems[0].column == "date"


def test_check_scenario_needs_points(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[data]\nfrontier = "threshold"\nthreshold_flop = 1e30\n'
        + (BAD / "good_minimal.toml").read_text()
    )
    with pytest.raises(ScenarioError, match=r"keeps 0 point\(s\)") as info:
        check_scenario(path)
    assert info.value.problems[0].line == 2


# -- bad values, names and files: one line per problem, exit code 2, no traceback ----------


def check_cli(path: Path, capsys) -> list[str]:
    """Run ``forecast check PATH``; assert exit code 2 and no traceback; the error lines."""
    return cli_error_lines(["check", str(path)], capsys)


def where(path: Path, line: int | None, key: str | None) -> str:
    """The ``file:line: key: `` start of a problem's printed line."""
    return f"{path}" + (f":{line}" if line is not None else "") + (f": {key}" if key else "") + ": "


SLUG_RULE = (
    r"must be a slug of 1-64 characters: lowercase letters, digits, '-', '_' or '\.', "
    r"starting with a letter or digit"
)


@pytest.mark.parametrize(
    ("filename", "key_path", "at", "pattern"),
    [
        # 1. every number finite (TOML has nan, inf and -inf)
        ("bad_nan.toml", "hardware.pue", "pue", r"^must be a number, got nan$"),
        (
            "bad_nan_in_table.toml",
            "hardware.training_days",
            "training_days",
            r"p90 must be a finite number, got nan",
        ),
        ("bad_nan_number.toml", "sampler.target_accept", "target_accept", r"got nan"),
        # 2. the name is a slug
        ("bad_name_escape.toml", "name", "name =", SLUG_RULE + r" \(got '\.\./victim'\)"),
        ("bad_name_dot.toml", "name", "name =", SLUG_RULE + r" \(got '\.'\)"),
        # 3. constraint names: printable, one line, at most 80 characters
        (
            "bad_constraint_name_control.toml",
            "constraints[0].name",
            "name =",
            r"printable text on one line; 'GW\\nper site' contains a newline \(U\+000A\)",
        ),
        (
            "bad_constraint_name_long.toml",
            "constraints[0].name",
            "name =",
            r"at most 80 characters \(it labels tables and figure legends\), got 85",
        ),
        # 4. values that crashed or overflowed later, bounded with a reason
        (
            "bad_doubling_huge.toml",
            "trend.doubling_time_months",
            "doubling_time_months",
            r"between 0\.5 and 1200 months \(the fastest era measured.*\), got 1e300$",
        ),
        (
            "bad_lognormal_tail.toml",
            "hardware.training_days",
            "training_days",
            r"between 1 and 3650 days \(.*\), but lognormal \(median 100, p90 1e\+300\) puts "
            r"more than 0\.1% of its draws below 1 and above 3650",
        ),
        (
            "bad_growth_huge.toml",
            "constraints.World hardware budget.growth_per_year",
            "growth_per_year",
            r"between -0\.5 and 10 \(a ceiling halving.*\), got 1e300$",
        ),
        (
            "bad_trend_reach.toml",
            "trend.doubling_time_months",
            "doubling_time_months",
            r"would reach 1e1077 FLOP by the horizon \(2200\); at most 1e200 FLOP",
        ),
        (
            "bad_sampler_total.toml",
            "sampler.draws",
            "draws",
            r"chains x draws = 1,600,000 posterior draws; at most 200,000 \(",
        ),
        (
            "bad_since_year_1.toml",
            "data.since",
            "since",
            r"expected a date between 1940-01-01 and 2200-12-31 \(.*\), got 0001-01-01",
        ),
        ("bad_seed.toml", "seed", "seed", r"at most 4,294,967,295 \(a 32-bit sampler seed\)"),
        # 5. files that are not UTF-8 text
        ("bad_latin1.toml", None, 2, r"^not UTF-8 text \(byte 0xe9\); save it as UTF-8$"),
        ("bad_binary.toml", None, None, r"^is not a text file"),
        ("bad_empty.toml", None, 1, r"^the file is empty$"),
    ],
)
def test_bad_input_is_one_located_line(filename, key_path, at, pattern, capsys):
    path = BAD / filename
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert problem.column == key_path
    assert re.search(pattern, problem.message), problem.message
    line = line_of(path, at) if isinstance(at, str) else at
    assert problem.line == line
    (printed,) = check_cli(path, capsys)
    assert printed.startswith("error: " + where(path, line, key_path))
    assert problem.message in printed


def test_absurd_sampler_settings(capsys):
    path = BAD / "bad_sampler.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {p.column: p for p in info.value.problems}
    expected = {
        "sampler.draws": r"at most 100,000 \(draws per chain.*\), got 1,000,000,000",
        "sampler.tune": r"at most 100,000 \(.*\), got 1,000,000,000",
        "sampler.chains": r"at most 16 \(.*\), got 1,000",
        "sampler.target_accept": r"between 0\.5 and 0\.999 \(NUTS.*\), got 0\.01",
    }
    assert set(found) == set(expected)
    for key, pattern in expected.items():
        assert re.search(pattern, found[key].message), found[key].message
    lines = check_cli(path, capsys)
    assert len(lines) == 4
    for key, printed in zip(expected, lines, strict=True):
        assert where(path, line_of(path, key.split(".")[1]), key) in printed


@pytest.mark.parametrize(
    ("value", "pattern"),
    [("nan", r"must be a number, got nan"), ("inf", r"must be a finite number, got inf")],
)
@pytest.mark.parametrize(
    "key",
    [
        "hardware.pue",
        "hardware.utilization",
        "trend.doubling_time_months",
        "trend.level_year",
        "data.threshold_flop",
        "constraints.World hardware budget.share",
        "constraints.World hardware budget.reference_year",
    ],
)
def test_every_number_is_finite(tmp_path, capsys, key, value, pattern):
    section, field_name = key.rsplit(".", 1)
    text = (BAD / "good_minimal.toml").read_text()
    if section.startswith("constraints"):
        text = text.replace("reference_year = 2018", "") + f"{field_name} = {value}\n"
    else:
        text = (
            f"[{section}]\n{field_name} = {value}\n"
            + ("level_flop = 1e27\n" if field_name == "level_year" else "")
            + text
        )
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = next(p for p in info.value.problems if p.column == key)
    assert re.search(pattern, problem.message) or "year between" in problem.message
    assert problem.line == line_of(path, f"{field_name} = {value}")
    lines = check_cli(path, capsys)
    assert len(lines) == len(info.value.problems)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_distribution_fields_are_finite(tmp_path, value):
    path = tmp_path / "s.toml"
    path.write_text(
        f'[hardware]\nutilization = {{ dist = "uniform", low = 0.1, high = {value} }}\n'
        + (BAD / "good_minimal.toml").read_text()
    )
    with pytest.raises(ScenarioError, match=rf"high must be a finite number, got {value}"):
        load_scenario(path)
    with pytest.raises(ParamError, match="must be a number, got nan"):
        parse_param(math.nan, "hardware.pue")


def test_inf_means_no_efficiency_limit_only(tmp_path):
    # The one documented infinite value: no CMOS limit. Everywhere else inf is refused.
    path = tmp_path / "s.toml"
    path.write_text(
        "[hardware]\nefficiency_limit_flop_per_joule = inf\n"
        + (BAD / "good_minimal.toml").read_text()
    )
    assert load_scenario(path).hardware.efficiency_limit_flop_per_joule.median() == math.inf


@pytest.mark.parametrize("name", ["../victim", ".", "..", "a/b", "/tmp/x", "", "Baseline", "a b"])
def test_name_must_be_a_slug(tmp_path, name):
    path = tmp_path / "s.toml"
    path.write_text(f"name = {name!r}\n" + (BAD / "good_minimal.toml").read_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.column == "name" and problem.line == 1
    assert re.search(SLUG_RULE, problem.message)
    assert f"(got {name!r})" in problem.message


def test_name_from_a_file_stem_that_is_not_a_slug(tmp_path, capsys):
    path = tmp_path / "My Scenario.toml"
    path.write_text((BAD / "good_minimal.toml").read_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.column, problem.line) == ("name", None)
    assert "the file name 'My Scenario' cannot stand in for it" in problem.message
    assert 'set name = "my-scenario" or rename the file' in problem.message
    (printed,) = check_cli(path, capsys)
    assert printed.startswith(f"error: {path}: name: not set")
    renamed = tmp_path / "my-scenario.toml"
    path.rename(renamed)
    assert load_scenario(renamed).name == "my-scenario"


@pytest.mark.parametrize("path", [*SHIPPED, *sorted(BAD.glob("good_*.toml"))], ids=lambda p: p.name)
def test_shipped_and_fixture_names_are_slugs(path: Path):
    from forecast.scenario.schema import NAME_PATTERN

    assert NAME_PATTERN.fullmatch(load_scenario(path).name)


@pytest.mark.parametrize("name", ["USD/yr [cap].v2", "GW/site", "a.b.c", "[0]", "1% of GDP"])
def test_constraint_names_may_hold_any_printable_text(tmp_path, name):
    base = (BAD / "good_minimal.toml").read_text().replace("World hardware budget", name)
    key = f"constraints.{name}.share"
    path = tmp_path / "s.toml"
    path.write_text(base + f'share = 0.5\n\n[sources]\n"{key}" = "a test"\n')
    s = load_scenario(path)
    assert s.constraint_names == (name,)
    assert parameters(s)[key] == Fixed(0.5)
    assert s.sources[key] == "a test" and key not in s.unsourced()
    assert with_param(s, key, 0.25).constraint(name).share == Fixed(0.25)
    # A problem under such a name names it and its line.
    path.write_text(base + "share = 2\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.column, problem.line) == (key, line_of(path, "share = 2"))


def test_constraint_name_rules(tmp_path):
    cases = {
        '"GW\\tsite"': "contains a tab (U+0009)",
        '"GW\\u0000site"': "contains a control character (U+0000)",
        '"   "': "must not be empty",
        '" GW"': "must not start or end with a space",
        '"' + "x" * 81 + '"': "at most 80 characters",
    }
    for value, expected in cases.items():
        path = tmp_path / "s.toml"
        path.write_text(
            (BAD / "good_minimal.toml").read_text().replace('"World hardware budget"', value)
        )
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        (problem,) = info.value.problems
        assert problem.column == "constraints[0].name", value
        assert expected in problem.message and "\n" not in str(problem), value
    path.write_text((BAD / "good_minimal.toml").read_text().replace("World", "W" * 64))
    assert len(load_scenario(path).constraints[0].name) == 80  # the longest allowed


def test_key_with_a_newline_stays_on_one_line(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[hardware]\n"odd\\nkey" = 1\n' + (BAD / "good_minimal.toml").read_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.column == "hardware.odd\\nkey" and problem.line == 2
    assert len(check_cli(path, capsys)) == 1


@pytest.mark.parametrize(
    ("prefix", "suffix", "key_path", "pattern"),
    [
        ("[data]\ntop_n = 1e300\n", "", "data.top_n", r"at most 10,000 \(.*\), got 1e300$"),
        ("horizon = 1e300\n", "", "horizon", r"^horizon 1e300 is beyond 2200, the last year"),
        (
            "",
            "".join(
                f'\n[[constraints]]\nname = "B{i}"\nkind = "spend"\nlimit_usd = 1e12\n'
                "reference_year = 2018\n"
                for i in range(20)
            ),
            "constraints[20]",
            r"^21 constraints; at most 20 \(",
        ),
    ],
    ids=["top_n", "horizon", "constraints"],
)
def test_counts_and_years_have_a_maximum(tmp_path, capsys, prefix, suffix, key_path, pattern):
    path = tmp_path / "s.toml"
    path.write_text(prefix + (BAD / "good_minimal.toml").read_text() + suffix)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.column == key_path and re.search(pattern, problem.message), problem
    assert problem.line is not None
    (printed,) = check_cli(path, capsys)
    assert printed.startswith(f"error: {path}:{problem.line}: {key_path}: ")


def test_with_param_applies_the_ranges():
    s = load_scenario(ROOT / "scenarios" / "baseline.toml")
    with pytest.raises(ScenarioError, match=r"between 1 and 3650 days .*got 1e300"):
        with_param(s, "hardware.training_days", 1e300)
    with pytest.raises(ScenarioError, match=r"must be a number, got nan"):
        with_param(s, "hardware.pue", math.nan)
    t = with_param(s, "hardware.training_days", 120.0)
    assert t.hardware.training_days.median() == 120.0
    assert "hardware.training_days" not in t.sources  # the file's source no longer applies


def test_byte_order_mark_is_accepted():
    path = BAD / "good_bom.toml"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    s = load_scenario(path)
    assert s.name == "good_bom" and s.constraint_names == ("World hardware budget",)
    assert s.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("make", "pattern", "line"),
    [
        (lambda p: p.mkdir(), r"is a folder, not a scenario file", None),
        (lambda p: None, r"scenario file not found", None),
        (lambda p: p.write_bytes(b"\xff\xfeu\x00"), r"is UTF-16 text; save it as UTF-8", 1),
        (lambda p: p.write_bytes(b"  \n\n"), r"the file is empty", 1),
    ],
    ids=["folder", "missing", "utf-16", "blank"],
)
def test_unreadable_scenario_files(tmp_path, capsys, make, pattern, line):
    path = tmp_path / "s.toml"
    make(path)
    with pytest.raises(ScenarioError, match=pattern) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.line == line
    (printed,) = check_cli(path, capsys)
    assert printed.startswith("error: " + where(path, line, None)) and re.search(pattern, printed)


def test_data_path_with_a_control_character(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[data]\nruns = "a\\u0000b"\n' + (BAD / "good_minimal.toml").read_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.column == "data.runs" and problem.line == 2
    assert problem.message == "expected a file name in printable text, got 'a\\x00b'"
    assert len(check_cli(path, capsys)) == 1


def test_data_path_that_is_a_folder(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[data]\nruns = "."\n' + (BAD / "good_minimal.toml").read_text())
    with pytest.raises(ScenarioError, match=r"a folder, not a file") as info:
        load_scenario(path)
    assert info.value.problems[0].column == "data.runs"


@pytest.mark.slow
def test_params_become_pymc_priors():
    import pymc as pm

    params = {
        "fixed": Fixed(2.0),
        "normal": Normal(0.0, 1.0),
        "truncated": Normal(0.35, 0.1, low=0.0, high=1.0),
        "lognormal": LogNormal(1.0, 2.0),
        "uniform": Uniform(18.0, 24.0),
        "triangular": Triangular(1.0, 1.5, 3.0),
        "beta": Beta(0.375, 0.08),
    }
    with pm.Model() as model:
        for name, param in params.items():
            param.to_pymc(name)
    point = model.initial_point()
    assert set(params) - {"fixed"} <= {k.split("_")[0] for k in point}
    draws = pm.draw([model[name] for name in params], draws=4000, random_seed=0)
    for (name, param), values in zip(params.items(), draws, strict=True):
        assert np.median(values) == pytest.approx(param.median(), rel=0.05, abs=0.05), name
