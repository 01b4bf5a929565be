"""Mutation testing of the formulas: mutmut on forecast/project/, models/conversion.py,
models/saturation.py, analysis/growth.py and stats.py, with the fast test files of
pyproject.toml's [tool.mutmut].

Runs ``mutmut run --max-children 2`` from a clean ``mutants/`` (the wall time is the
whole run, generation included), then classifies every surviving mutant: each one must
be listed below with why it cannot change a result (an equivalent mutant); a survivor
not listed is a formula the tests do not pin, and the script exits 1 naming it.

Writes benchmarks/results/mutation.json. Needs ``pip install -e ".[test,dev]"``. About
10 minutes on this 2-core machine.

Usage: python benchmarks/bench_mutation.py [--keep]   (--keep: reuse mutants/, no clean run)
"""

from __future__ import annotations

import ast
import difflib
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ["mutmut", "run", "--max-children", "2"]

#: Survivors recognised by their diff alone: (pattern the original line matches and the
#: mutated one does not, category, why).
BY_LINE = [
    (
        r"dtype=(float|int|np\.int64)|astype\(float\)|to_numpy\(float\)",
        "dtype",
        "A dtype argument dropped or None: the values have that dtype already (float64, "
        "or ints that the arithmetic right after turns into floats; int64 for counts and "
        "thresholds); it would differ only for float32 or object input, which these "
        "functions never receive.",
    ),
    (
        r"np\.errstate\(divide=\"ignore\"(, invalid=\"ignore\")?\)",
        "warnings only",
        "np.errstate only silences floating-point warnings (log 0, x / 0 -> inf, as "
        "intended); every value is the same.",
    ),
    (
        r"strict=True",
        "same value",
        "zip(INTERVAL_KEYS, q, strict=True): q is the quantiles of INTERVAL_PROBS, of the "
        "same length as INTERVAL_KEYS by construction, so strict never raises.",
    ),
    (
        r"np\.where\(np\.isposinf\(x\), np\.finfo\(float\)\.max, x\)",
        "same value",
        "quantiles' finite stand-in for inf only matters where the interpolation reaches an "
        "inf draw, and every such quantile is replaced by inf (its 'higher' neighbour is "
        "inf); np.finfo(None) is float64's too. Without it the same cells give NaN, then inf.",
    ),
]

#: Survivors that need their own reason, by mutant name (the file's function and number).
BY_NAME = {
    "forecast.project.limits.x_ln_affordable__mutmut_18": (
        "same value",
        "ln_demand's ln_c defaults to inp.compute.ln(t), which is the ln_c passed.",
    ),
    "forecast.project.limits.x_ln_affordable__mutmut_22": (
        "same value",
        "ln_demand's ln_c defaults to inp.compute.ln(t), which is the ln_c passed.",
    ),
    "forecast.project.limits.x_ln_afford_from__mutmut_23": (
        "redundant shortcut",
        "The size == 0 branch is a shortcut: with size 0 the general branch gives exactly "
        "ln_c + gap too (the unused regime's candidate is never smaller, and x - 0 = x).",
    ),
    "forecast.project.limits.x_ln_afford_from__mutmut_25": (
        "redundant shortcut",
        "As mutant 23: with size 0 the general branch gives the same; a size of exactly 1 "
        "is outside the prior's bounds (-0.5, 0.9).",
    ),
    "forecast.project.hits.x_closed_form_hit__mutmut_48": (
        "boundary of a continuous value",
        "slope > 0 against >= 0 differs only when the gap's slope is exactly 0.0 (demand "
        "and ceiling growing at the very same rate), which no fitted draw produces; and "
        "there the start rule on the next line decides the same way.",
    ),
    "forecast.project.hits.x_closed_form_hit__mutmut_54": (
        "boundary of a continuous value",
        "slope <= 0 against < 0 in the start rule: differs only for a slope of exactly 0.0.",
    ),
    "forecast.project.hits.x_closed_form_hit__mutmut_58": (
        "boundary of a continuous value",
        "gap >= 0 against > 0 at the start: differs only for a gap of exactly 0.0 there.",
    ),
    "forecast.project.hits.x_hit_years__mutmut_11": (
        "same value",
        "closed_form_hit(inp, c, None): None means the default, inp.start_year, which is "
        "what hit_years passes.",
    ),
    "forecast.project.hits.x_hit_years__mutmut_14": (
        "same value",
        "closed_form_hit(inp, c) without start: the default is inp.start_year, what "
        "hit_years passes.",
    ),
    "forecast.project.hits.x_hit_years__mutmut_22": (
        "boundary of a continuous value",
        "t > end against t >= end: a hit year exactly at the end instant has probability 0.",
    ),
    "forecast.project.hits.x_threshold_years__mutmut_44": (
        "unused value",
        "With slope_after exactly 0 the later branch is -inf only where the threshold is "
        "below the level at the bend, and there the earlier branch (t <= change) is used.",
    ),
    "forecast.project.hits.x_threshold_years__mutmut_53": (
        "same value",
        "t <= change against t < change: at t == change both branches equal change_year.",
    ),
    "forecast.project.hits.x_threshold_years__mutmut_60": (
        "boundary of a continuous value",
        "t > end against t >= end: a threshold year exactly at the end instant has probability 0.",
    ),
    "forecast.project.hits.x_held_threshold_years__mutmut_31": (
        "same value",
        "reshape(-2, S) is reshape(-1, S): numpy reads any negative size as 'the rest'.",
    ),
    "forecast.project.trajectory.xǁLogLinearǁbends_before__mutmut_5": (
        "boundary of a continuous value",
        "A bend exactly at the end instant (probability 0) only chooses the solver over "
        "the closed form, which agree to the solver's 1e-10-year tolerance.",
    ),
    "forecast.project.trajectory.x__col__mutmut_2": (
        "same value",
        "Reshaping an (S,) array to (S,) for a 1-d t changes nothing.",
    ),
    "forecast.project.trajectory.x__col__mutmut_7": (
        "same value",
        "reshape(-2, ...) is reshape(-1, ...): numpy reads any negative size as 'the rest'.",
    ),
    "forecast.project.trajectory.x__col__mutmut_14": (
        "same value",
        "For a 1-d t the reshape to (S,) changes nothing (as mutant 2).",
    ),
    "forecast.project.engine.x__forward_doubling_months__mutmut_25": (
        "same value",
        "At a rate of exactly 0 both give inf: 12 ln 2 / 0 is inf (the divide warning is "
        "silenced).",
    ),
    "forecast.project.engine.x_project__mutmut_123": (
        "same value",
        "At a rate of exactly 0 both give inf: 12 ln 2 / 0 is inf (the divide warning is "
        "silenced).",
    ),
    "forecast.project.engine.x_project__mutmut_13": (
        "rounding guard",
        "horizon + step / 2 only guards the arange's end against rounding so that the "
        "horizon year is included; step / 3 does the same whenever the horizon is on the "
        "step grid, as it is for every step the package uses (1 year, integer horizons).",
    ),
    "forecast.project.record.x_record_offsets__mutmut_15": (
        "statistically equivalent",
        "Slots only bound the runs a year: any bound a Poisson(rate) count exceeds with "
        "negligible probability gives the same distribution. rate + 10 / sqrt(rate) + 10 "
        "is still above the count but with probability < 1e-3 a year for the 3-15 runs a "
        "year of the data; only the random stream's layout changes.",
    ),
    "forecast.project.record.x_record_offsets__mutmut_16": (
        "statistically equivalent",
        "More slots (11 sd instead of 10) than a Poisson count ever fills: the same "
        "distribution, another layout of the random stream.",
    ),
    "forecast.project.record.x_record_offsets__mutmut_18": (
        "statistically equivalent",
        "One more slot than a Poisson count ever fills: the same distribution.",
    ),
    "forecast.project.record.x_first_past__mutmut_44": (
        "ignored argument",
        "pandas applies sort_values' kind only to single-column sorts; this sorts on two.",
    ),
    "forecast.project.record.x_first_past__mutmut_47": (
        "ignored argument",
        "pandas applies sort_values' kind only to single-column sorts; this sorts on two.",
    ),
    "forecast.project.record.x_first_past__mutmut_54": (
        "ignored argument",
        "pandas applies sort_values' kind only to single-column sorts; this sorts on two.",
    ),
    "forecast.project.record.x_first_past__mutmut_55": (
        "ignored argument",
        "pandas applies sort_values' kind only to single-column sorts; this sorts on two.",
    ),
    "forecast.project.record.x_first_past__mutmut_87": (
        "same value",
        "A missing stage read as None is turned into 'pretrain' by the next line too.",
    ),
    "forecast.project.record.x_first_past__mutmut_89": (
        "same value",
        "A missing stage read as None is turned into 'pretrain' by the next line too.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_18": (
        "same value",
        "merge's default key is the columns both tables share, only 'name' (a second one, "
        "'confidence', would break the original too: merged['confidence'] would not exist).",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_21": (
        "same value",
        "merge's default key is the columns both tables share: only 'name'.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_22": (
        "same value",
        "merge's default how is 'inner'.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_44": (
        "same value",
        "A one-element Series of 2.0 broadcasts to every run as the indexed one does.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_46": (
        "same value",
        "A one-element Series of 2.0 broadcasts to every run as the indexed one does.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_54": (
        "same value",
        "A missing confidence becomes the text 'nan' instead of '': neither is a "
        "CONFIDENCE_FACTOR key, so both fall back to 'likely'.",
    ),
    "forecast.models.conversion.xǁConversionDataǁfrom_runs__mutmut_57": (
        "same value",
        "'xxxx' instead of '' for a missing confidence: neither is a CONFIDENCE_FACTOR "
        "key, so both fall back to 'likely'.",
    ),
    "forecast.models.conversion.x_build_conversion_model__mutmut_35": (
        "same value",
        "PyMC's Normal takes sigma = 1 when none is given: the prior stays N(0, 1).",
    ),
    "forecast.models.conversion.x_build_conversion_model__mutmut_39": (
        "same value",
        "PyMC's Normal takes sigma = 1 when none is given: the prior stays N(0, 1).",
    ),
    "forecast.analysis.growth.x_frontier_runs_with_figures__mutmut_28": (
        "same value",
        "merge's default how is 'inner'.",
    ),
    "forecast.analysis.growth.x_ols_slopes__mutmut_19": (
        "same value",
        "Centring y is redundant: the centred times sum to zero, so sum(tc (y + c)) = "
        "sum(tc y) for any constant c (up to rounding).",
    ),
    "forecast.analysis.growth.x_ols_slopes__mutmut_20": (
        "same value",
        "As mutant 19: any constant subtracted from a row of y leaves sum(tc y) unchanged.",
    ),
    "forecast.analysis.growth.x_ols_slopes__mutmut_22": (
        "same value",
        "As mutant 19: any constant subtracted from a row of y leaves sum(tc y) unchanged.",
    ),
    "forecast.analysis.growth.x_ols_slopes__mutmut_52": (
        "masked",
        "The inner guard only avoids dividing by 0 where the outer where gives NaN anyway.",
    ),
    "forecast.analysis.growth.x_ols_slopes__mutmut_54": (
        "masked",
        "The inner guard's value is used only where the outer where gives NaN anyway.",
    ),
    "forecast.analysis.growth.x_start_year_doubling__mutmut_86": (
        "same value",
        "reshape(-2, 3) is reshape(-1, 3): numpy reads any negative size as 'the rest'.",
    ),
    "forecast.analysis.growth.x_account_slopes__mutmut_4": (
        "same value",
        "With no runs rng.integers(0, 0, size=(n_boot, 0)) is the same empty index array "
        "(and draws nothing).",
    ),
    "forecast.analysis.growth.x_account_slopes__mutmut_8": (
        "same value",
        "rng.integers(n) is rng.integers(0, n).",
    ),
    "forecast.analysis.growth.x_account_slopes__mutmut_19": (
        "same value",
        "With no runs the slope of the empty arrays is NaN too (with a warning).",
    ),
}


def _mutmut(*args: str) -> str:
    return subprocess.run(
        ["mutmut", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _diff(name: str) -> tuple[str, str]:
    """The original and the mutated lines of a mutant."""
    diff = _mutmut("show", name).splitlines()
    removed = [x[1:].strip() for x in diff if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in diff if x.startswith("+") and not x.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def message_mutants() -> list[str]:
    """Mutants that change only an error message (every changed line raises): not
    formulas, counted apart. Read from mutants/, where each mutant is a copy of its
    function beside the original (``<function>__mutmut_orig``)."""
    names = []
    for path in sorted((ROOT / "mutants" / "forecast").rglob("*.py")):
        lines = path.read_text().splitlines()
        funcs = {
            node.name: lines[node.lineno : node.end_lineno]  # the body, without the def line
            for node in ast.walk(ast.parse("\n".join(lines)))
            if isinstance(node, ast.FunctionDef)
        }
        module = ".".join(path.relative_to(ROOT / "mutants").with_suffix("").parts)
        for name, body in funcs.items():
            base, sep, _ = name.rpartition("__mutmut_")
            orig = funcs.get(f"{base}__mutmut_orig")
            if not sep or orig is None or name.endswith("__mutmut_orig"):
                continue
            changed = [x for x in difflib.ndiff(orig, body) if x.startswith("- ")]
            if changed and all("raise " in x or "Error(" in x for x in changed):
                names.append(f"{module}.{name}")
    return names


def main(argv: list[str]) -> int:
    if "--keep" not in argv:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(COMMAND, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    status = {}
    for line in _mutmut("results", "--all", "true").splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            status[name] = state
    counts = Counter(status.values())
    equivalent, unexplained = [], []
    for name, state in sorted(status.items()):
        if state == "killed":
            continue
        original, line = _diff(name)
        found = BY_NAME.get(name) or next(
            (
                (cat, why)
                for pat, cat, why in BY_LINE
                if re.search(pat, original) and not re.search(pat, line)
            ),
            None,
        )
        entry = {"mutant": name, "status": state, "original": original, "mutated": line}
        if found is None:
            unexplained.append(entry)
        else:
            equivalent.append({**entry, "category": found[0], "why": found[1]})
    messages = message_mutants()
    config = (ROOT / "pyproject.toml").read_text()
    tests = re.findall(r'"(tests/test_\w+\.py)"', config.split("[tool.mutmut]")[1])
    path = write(
        "mutation",
        {
            "tool": f"mutmut {version('mutmut')}",
            "command": " ".join(COMMAND),
            "config": "pyproject.toml [tool.mutmut]",
            "modules": [
                "forecast/project/ (engine, hits, inputs, limits, record, trajectory)",
                "forecast/models/conversion.py",
                "forecast/models/saturation.py",
                "forecast/analysis/growth.py",
                "forecast/stats.py",
            ],
            "tests": tests,
            "wall_seconds": round(wall, 1),
            "mutants": len(status),
            "counts": dict(sorted(counts.items())),
            "killed": counts.get("killed", 0),
            "survived": len(status) - counts.get("killed", 0),
            "equivalent": len(equivalent),
            "equivalent_by_category": dict(
                sorted(Counter(e["category"] for e in equivalent).items())
            ),
            "message_mutants": {
                "note": "mutants of error messages only (no docstrings or logging are "
                "mutated); not formulas, all among the counts above",
                "total": len(messages),
                "killed": sum(status.get(n) == "killed" for n in messages),
            },
            "unexplained": unexplained,
            "equivalent_mutants": equivalent,
        },
    )
    print(
        f"{len(status)} mutants, {counts.get('killed', 0)} killed, {len(equivalent)} "
        f"equivalent, {len(unexplained)} unexplained; {wall:.0f} s -> {path}"
    )
    for e in unexplained:
        print(f"  unexplained: {e['mutant']}: {e['mutated']}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
