"""The package's structure: one direction of dependency, no circles, rooms of a size a
reader can hold, and a report that only formats (ARCHITECTURE.md describes the layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "forecast"

#: The layers, lowest first. A module may import from its own layer and the layers below;
#: ``base`` (errors, progress, stats, the version) from anywhere.
LAYERS = (
    "base",
    "data",
    "scenario",
    "models",
    "project",
    "analysis",
    "results",
    "report",
    "workflow",
    "cli",
)
BASE = {"forecast", "forecast.errors", "forecast.progress", "forecast.stats"}
#: Top-level modules and packages that are not named after their layer.
PLACED = {"forecast.estimate": "analysis", "forecast.__main__": "cli"}

#: Largest module, in lines.
MAX_LINES = 700

#: numpy reductions the report must not call: every statistic over draws comes from the
#: results object or :mod:`forecast.results.draws`.
REDUCTIONS = {
    "quantile",
    "nanquantile",
    "median",
    "nanmedian",
    "mean",
    "nanmean",
    "percentile",
    "nanpercentile",
    "average",
    "bincount",
    "std",
    "nanstd",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in modules and m != name}


def _layer(name: str) -> str:
    if name in BASE:
        return "base"
    for prefix, layer in PLACED.items():
        if name == prefix or name.startswith(prefix + "."):
            return layer
    return name.split(".")[1]


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer():
    for name in _modules():
        assert _layer(name) in LAYERS, f"{name}: in no layer of {LAYERS}"


def test_nothing_imports_upward():
    upward = [
        f"{a} ({_layer(a)}) imports {b} ({_layer(b)})"
        for a, targets in sorted(_graph().items())
        for b in sorted(targets)
        if LAYERS.index(_layer(b)) > LAYERS.index(_layer(a))
    ]
    assert not upward, "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    # The check above can fail: a circle of three and a lone module.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _layer("forecast.models.trend") == "models" and _layer("forecast.stats") == "base"


def _reductions(tree: ast.AST) -> list[tuple[int, str]]:
    hits = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("np", "numpy")
            and node.func.attr in REDUCTIONS
        ):
            hits.append((node.lineno, ast.unparse(node)[:80]))
    return hits


def test_the_report_does_no_arithmetic_on_draws():
    found = []
    for path in sorted((PACKAGE / "report").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.name}:{n}: {code}" for n, code in _reductions(tree)]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "forecast.stats":
                found.append(f"{path.name}:{node.lineno}: imports forecast.stats")
    assert not found, "\n".join(found)
    assert _reductions(ast.parse("np.nanmedian(x, axis=0)"))  # the scan sees one


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.name))
def test_each_module_says_what_it_holds_and_is_small(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES, f"{path}: {len(lines)} lines"
    if path.name == "__main__.py" or not text.strip():
        return
    assert lines[0].startswith('"""'), f"{path}: the first line is not a docstring"
