"""Reading a scenario: TOML text -> :class:`~forecast.scenario.schema.Scenario`, or every problem.

The rules live in :mod:`forecast.scenario.schema`; this module runs them and turns what
pydantic reports into one :class:`~forecast.errors.Problem` per problem: a location
(``loc``) becomes a key path and a line of the file (:class:`_Lines`), and the few
errors pydantic words itself (an unknown key, a missing one, a table that is not a
table) get the messages users know. Every problem in a file comes in one
:class:`~forecast.errors.ScenarioError`.

:func:`scenario_from_text` touches no file; :func:`load_scenario` reads the file and
checks that the data files it names are there; :func:`check_scenario` also reads
those (:func:`check_data_files`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any, NoReturn, get_args

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from forecast.data.textfile import read_text
from forecast.errors import DataError, Problem, ScenarioError
from forecast.scenario.params import did_you_mean
from forecast.scenario.schema import (
    MAX_CONSTRAINTS,
    Constraint,
    DataSpec,
    Scenario,
    ScenarioFile,
    constraint_names,
)
from forecast.scenario.values import Context, Required, kind_of

_FILE = TypeAdapter(ScenarioFile)

#: The fewest selected points a trend is fitted to.
MIN_FIT_POINTS = 3

# -- locating keys in the TOML text --------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def _printable(text: str) -> str:
    """``text`` with control and other invisible characters escaped (``\\n``, ``\\x00``)."""
    return text if text.isprintable() else repr(text)[1:-1]


class _Lines:
    """Line numbers of table headers and ``key =`` lines, found by scanning the text.

    Approximate by design (dotted keys and multi-line values are not followed), which
    is enough to point a user at the right place.
    """

    def __init__(self, text: str):
        self.keys: dict[tuple[str, str], int] = {}
        self.headers: dict[str, int] = {}
        section = ""
        arrays: dict[str, int] = {}
        closing: str | None = None  # the delimiter of an open multi-line string
        for number, line in enumerate(text.splitlines(), start=1):
            if closing is not None:
                if line.count(closing) % 2 == 1:
                    closing = None
                continue
            header = _HEADER.match(line)
            if header:
                name = ".".join(part.strip().strip("\"'") for part in header[2].split("."))
                if header[1] == "[[":
                    index = arrays.get(name, -1) + 1
                    arrays[name] = index
                    name = f"{name}[{index}]"
                section = name
                self.headers.setdefault(section, number)
                continue
            key = _KEY.match(line)
            if key:
                self.keys.setdefault((section, key[1].strip("\"'")), number)
            for delimiter in ('"""', "'''"):
                if line.count(delimiter) % 2 == 1:
                    closing = delimiter

    def find(self, parts: tuple[str | int, ...]) -> int | None:
        names = [f"[{p}]" if isinstance(p, int) else p for p in parts]
        dotted = ".".join(names).replace(".[", "[")
        if not names:
            return None
        section = ".".join(names[:-1]).replace(".[", "[")
        if isinstance(parts[-1], int):
            return self.headers.get(dotted)
        # A quoted key is stored as written: "a\nb" holds a backslash, not a newline.
        line = self.keys.get((section, names[-1])) or self.keys.get(
            (section, _printable(names[-1]))
        )
        if line is not None:
            return line
        if dotted in self.headers:
            return self.headers[dotted]
        # e.g. `[data]` absent but `data.since = ...` written as a dotted key: give up
        # on the key, point at its table if there is one.
        for i in range(len(parts) - 1, 0, -1):
            section = ".".join(names[:i]).replace(".[", "[")
            if section in self.headers:
                return self.headers[section]
        return None


# -- pydantic's errors -> problems ----------------------------------------------------------


def _key_path(parts: tuple[str | int, ...], names: dict[int, str]) -> str:
    """``constraints.Budget.share`` for ``("constraints", 0, "share")``."""
    # A TOML key may hold any character; a newline in a key path would split the
    # one line the CLI prints per problem, so such characters are shown escaped.
    parts = tuple(_printable(p) if isinstance(p, str) else p for p in parts)
    out = ""
    for i, part in enumerate(parts):
        if isinstance(part, int):
            if i > 0 and parts[i - 1] == "constraints" and part in names:
                out += f".{names[part]}"
            else:
                out += f"[{part}]"
        elif i > 0 and parts[i - 1] == "sources":
            out += f'."{part}"'  # a sources key is itself a dotted key path
        else:
            out += f".{part}" if out else part
    return out


def _table_type(annotation: Any) -> type | None:
    """The table class a field holds (``DataSpec``; ``Constraint`` for an array of them)."""
    return next(
        (t for t in (annotation, *get_args(annotation)) if dataclasses.is_dataclass(t)), None
    )


def _table(loc: tuple[str | int, ...]) -> type | None:
    """The class of the table at ``loc`` (the file itself at ``()``)."""
    table: type | None = ScenarioFile
    for part in loc:
        if isinstance(part, int):
            continue  # an item of an array of tables
        field = table.__pydantic_fields__.get(part) if table else None
        table = _table_type(field.annotation) if field else None
    return table


def _key_order(loc: tuple[str | int, ...]) -> tuple[int, ...]:
    """Where ``loc`` is in the schema: the position of each key in its table."""
    order: list[int] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            order.append(part)
            continue
        table = _table(loc[:i])
        keys = list(table.__pydantic_fields__) if table else []
        order.append(keys.index(part) if part in keys else len(keys))  # unknown keys last
    return tuple(order)


def _problem(error: ErrorDetails, file: str, lines: _Lines, names: dict[int, str]) -> Problem:
    """A pydantic error as the located problem users read."""
    loc, kind, message = tuple(error["loc"]), error["type"], error["msg"]
    if kind == "unexpected_keyword_argument":
        table, key = _table(loc[:-1]), loc[-1]
        keys = table.__pydantic_fields__ if table else ()
        message = f"unknown key {key!r}{did_you_mean(key, keys)}"
    elif kind == "missing":
        # A missing key has no line of its own: it is reported at its table, with the
        # message of its Required mark (pydantic's own error) or of the rule that found it.
        table, key, loc = _table(loc[:-1]), loc[-1], loc[:-1]
        field = table.__pydantic_fields__[key]  # type: ignore[union-attr]
        message = next((m.message for m in field.metadata if isinstance(m, Required)), message)
    elif kind.startswith(("dataclass", "dict")):
        message = f"expected a table, got {kind_of(error['input'])}"
    return Problem(file, message, lines.find(loc), _key_path(loc, names) or None)


def _set_keys(raw: dict, names: dict[int, str]) -> tuple[str, ...]:
    """The key paths a file sets, in file order (tables and ``[sources]`` aside)."""
    out: list[str] = []

    def walk(values: dict, table: type, loc: tuple[str | int, ...]) -> None:
        # A key its table refuses for another key's sake is not set (a constraint's
        # limit_usd when it is a power ceiling); nor is anything in a refused array.
        refused = Constraint.refused_keys(values.get("kind")) if table is Constraint else ()
        for key, value in values.items():
            field = table.__pydantic_fields__.get(key)
            if field is None or key in refused or (table is ScenarioFile and key == "sources"):
                continue
            sub = _table_type(field.annotation)
            if sub is None:
                out.append(_key_path((*loc, key), names))
            elif isinstance(value, dict):
                walk(value, sub, (*loc, key))
            elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                if len(value) <= MAX_CONSTRAINTS:
                    for i, item in enumerate(value):
                        walk(item, sub, (*loc, key, i))

    walk(raw, ScenarioFile, ())
    return tuple(out)


def _toml_problem(file: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(found[1]) if found else None
    if found:
        message = message[: found.start()].strip() + f" (column {found[2]})"
    return Problem(file, f"invalid TOML: {message}", line)


def _raise(file: str, problems: list[Problem], sort: bool = True) -> NoReturn:
    if sort:  # in file order; only meaningful when all problems are in one file
        problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    lines = "\n".join(str(p) for p in problems)
    raise ScenarioError(f"{file}: {len(problems)} problem(s) in the scenario\n{lines}", problems)


# -- loading -------------------------------------------------------------------------------


def _validate(text: str, path: Path, check_data: bool) -> tuple[Scenario, _Lines]:
    file = str(path)  # as the user gave it, like the other messages
    resolved = path.resolve()
    # A byte-order mark is kept in the text (it is in the bytes the hash names) but is
    # not part of the first key.
    body = text.removeprefix("\ufeff")
    if not body.strip():
        _raise(file, [Problem(file, "the file is empty", 1)])
    try:
        raw = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        _raise(file, [_toml_problem(file, exc)])
    lines = _Lines(body)
    names, _ = constraint_names(raw.get("constraints"))
    set_keys = _set_keys(raw, names)
    context = Context(resolved.parent, resolved.stem, check_data, set_keys)
    try:
        valid = _FILE.validate_python(raw, context=context)
    except ValidationError as exc:
        # In key order, so that problems on one line (a table's header) come as they did.
        errors = sorted(exc.errors(), key=lambda e: _key_order(e["loc"]))
        _raise(file, [_problem(e, file, lines, names) for e in errors])
    fields = {f.name: getattr(valid, f.name) for f in dataclasses.fields(ScenarioFile)}
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    scenario = Scenario(**fields, path=resolved, sha256=sha256, set_keys=set_keys)
    return scenario, lines


def scenario_from_text(text: str, path: Path | str, check_data: bool = False) -> Scenario:
    """Validate a scenario's TOML text as if it were the file at ``path``.

    Parameters
    ----------
    text : str
        The file's text, exactly (a leading byte-order mark may be kept): ``sha256`` is
        the hash of its UTF-8 encoding, which is the file's bytes.
    path : Path or str
        Where the file is (or was): names the scenario when it sets no ``name``, and
        relative data paths in it are resolved against its folder.
    check_data : bool
        Also check that the data files it names are there (without opening them). By
        default no file is touched, so a stored text rebuilds its scenario anywhere.

    Returns
    -------
    Scenario
        The same as :func:`load_scenario` gives for a file holding ``text``.

    Raises
    ------
    ScenarioError
        Listing every problem in the text, each with the key path and line.
    """
    return _validate(text, Path(path), check_data)[0]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file. Relative data paths in it are resolved against its folder.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem in the file, each with the key path and line (the data
        files it names must exist).
    """
    return _load(Path(path))[0]


def _load(path: Path) -> tuple[Scenario, _Lines]:
    # Missing, a folder, empty, binary, UTF-16 or not UTF-8: one located line each.
    content, _ = read_text(path, ScenarioError, "scenario file")
    return _validate(content.decode("utf-8"), path, check_data=True)


def check_scenario(path: str | Path) -> Scenario:
    """:func:`load_scenario` (same parameter and return), and also load and validate the
    data files the scenario names.

    Raises
    ------
    ScenarioError
        For problems in the scenario, or in its data files (those problems keep their
        CSV file, line and column), or if its selection leaves fewer than 3 points
        for a trend that needs fitting.
    """
    path = Path(path)
    scenario, lines = _load(path)
    problems, selection = check_data_files(scenario.data, scenario.trend.needs_fit)
    if selection:
        at = ("data", "frontier")
        problems.append(Problem(str(path), selection, lines.find(at), "data.frontier"))
    if problems:
        _raise(str(path), problems, sort=False)
    return scenario


def check_data_files(data: DataSpec, needs_fit: bool) -> tuple[list[Problem], str | None]:
    """Load and validate every data file a scenario's ``[data]`` table names.

    Parameters
    ----------
    data : forecast.scenario.DataSpec
        The files, and the selection of the points to fit.
    needs_fit : bool
        Whether the trend is fitted to the selected points (then at least
        :data:`MIN_FIT_POINTS` must be selected).

    Returns
    -------
    (list of Problem, str or None)
        The problems in the files (each with its CSV file, line and column), and why
        the selection cannot be fitted (a problem of the scenario's ``data.frontier``),
        or None.
    """
    from forecast.data.economy import load_economy
    from forecast.data.hardware import load_hardware
    from forecast.data.runs import load_points
    from forecast.data.selection import select

    problems: list[Problem] = []
    points = None
    try:
        points = load_points(data.points, data.points_file)
    except DataError as exc:
        problems.extend(exc.problems or [Problem(str(data.points_file), str(exc))])
    from forecast.data.clusters import load_accelerators, load_clusters, load_run_clusters
    from forecast.data.runs import load_runs

    loaded = {}
    for key, load, file in (
        ("hardware", load_hardware, data.hardware),
        ("economy", load_economy, data.economy),
        ("runs", load_runs, data.runs),
        ("clusters", load_clusters, data.clusters),
        ("accelerators", load_accelerators, data.accelerators),
    ):
        if key == "runs" and data.points == "runs":
            continue  # loaded (and reported) as the points above
        try:
            loaded[key] = load(file)
        except DataError as exc:
            problems.extend(exc.problems or [Problem(str(file), str(exc))])
    runs = points if data.points == "runs" else loaded.get("runs")
    if runs is not None and "clusters" in loaded:
        # Each run and cluster of run_clusters.csv must be in the scenario's own files.
        try:
            load_run_clusters(data.run_clusters, runs=runs, clusters=loaded["clusters"])
        except DataError as exc:
            problems.extend(exc.problems or [Problem(str(data.run_clusters), str(exc))])
    if points is None or not needs_fit:
        return problems, None
    n = len(select(points, data.selection()))
    if n >= MIN_FIT_POINTS:
        return problems, None
    return problems, (
        f"the selection ({data.selection().describe()}) keeps {n} point(s); fitting the "
        f"trend needs at least {MIN_FIT_POINTS}"
    )
