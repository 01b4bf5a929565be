"""The ``[[constraints]]`` tables: the ceilings on the largest run, each kind's keys, names."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ValidationInfo, model_validator
from pydantic.dataclasses import dataclass

from forecast.scenario.params import Fixed, Param
from forecast.scenario.schema.base import CONFIG, UNIT
from forecast.scenario.values import (
    Bound,
    Required,
    Year,
    checked,
    choice,
    context_of,
    invalid,
    missing,
    string,
    validate_with,
)

Kind = Literal["spend", "power", "chips", "data", "compute", "cluster"]
Basis = Literal["capex", "amortized"]
KINDS: tuple[str, ...] = ("spend", "power", "chips", "data", "compute", "cluster")
BASES: tuple[str, ...] = ("capex", "amortized")
#: Constraint names appear in key paths, tables and figure legends: one line, readable.
MAX_CONSTRAINT_NAME = 80
#: Each ceiling gets a row in the briefing's tables, a colour in its figures and a
#: draws x years array in the projection; past 20 the figures are unreadable and the
#: arrays grow past memory (100 ceilings already take about 0.75 GB at 4,000 draws).
MAX_CONSTRAINTS = 20


def _char_name(char: str) -> str:
    """``"a newline (U+000A)"``: a character named for a message."""
    names = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}
    name = names.get(char) or unicodedata.name(char, "a control character")
    return f"{name} (U+{ord(char):04X})"


def _constraint_name_problem(name: str) -> str | None:
    """What is wrong with a constraint name, or None.

    A name may be any printable text: "/", ".", "[" and the like are fine (key paths
    split on the last "."), but it shows in one-line messages, tables and figure
    legends, so it must be non-empty, on one line, visible and short.
    """
    if not name.strip():
        return "must not be empty"
    bad = next((c for c in name if not c.isprintable()), None)
    if bad is not None:
        return (
            f"a constraint name must be printable text on one line; {name!r} "
            f"contains {_char_name(bad)}"
        )
    if len(name) > MAX_CONSTRAINT_NAME:
        return (
            f"a constraint name must be at most {MAX_CONSTRAINT_NAME} characters (it labels "
            f"tables and figure legends), got {len(name)}"
        )
    if name != name.strip():
        return (
            f"a constraint name must not start or end with a space ({name!r}): key paths "
            "such as constraints.<name>.share would hide it"
        )
    return None


def _constraint_name(value: Any, info: ValidationInfo) -> str:
    issue = _constraint_name_problem(string(value))
    if issue:
        raise invalid(issue)
    return value


def constraint_names(tables: Any) -> tuple[dict[int, str], dict[int, int]]:
    """The names that address constraints in key paths, and the duplicated ones.

    Parameters
    ----------
    tables : Any
        The ``constraints`` array of a file, as TOML read it.

    Returns
    -------
    (dict of int to str, dict of int to int)
        By position, each valid name first given there; and, by position, the earlier
        position of a name given again (compared without case). Both are empty unless
        ``tables`` is a valid array of tables: then positions address them all.
    """
    names: dict[int, str] = {}
    duplicates: dict[int, int] = {}
    if not (isinstance(tables, list) and all(isinstance(t, dict) for t in tables)):
        return names, duplicates
    if len(tables) > MAX_CONSTRAINTS:
        return names, duplicates
    first: dict[str, int] = {}
    for i, table in enumerate(tables):
        # Only a valid name may stand in key paths (a newline in one would split the
        # problem's line); an invalid one is addressed by position, constraints[i].
        name = table.get("name")
        if not isinstance(name, str) or _constraint_name_problem(name) is not None:
            continue
        if name.casefold() in first:
            duplicates[i] = first[name.casefold()]
        else:
            first[name.casefold()] = i
            names[i] = name
    return names, duplicates


# Keyword-only, so that the keys a constraint must have keep their place among the others.
@dataclass(frozen=True, kw_only=True, config=CONFIG)
class Constraint:
    """One named ceiling on the largest run.

    Every kind has a limit L, a ``reference_year`` t_l, ``growth_per_year`` g and a
    ``share`` s that one run may take, and compares the run with

        limit(t) = s * L * (1 + g) ** (t - t_l) * (kind-specific factors)

    - ``spend``: the run's cost on ``basis`` (``capex`` unless given) against
      ``limit_usd``;
    - ``power``: the run's power draw against ``limit_watts`` times ``sites`` (sites one
      run may span, or 1 with a distributed limit) times ``split_efficiency`` (the share
      of its compute per watt a run keeps when split across sites);
    - ``chips``: the accelerators the run needs, C / (D * r) H100-equivalents for a run of
      C FLOP lasting D seconds at the realised ``flops_per_h100e`` r, against
      ``limit_h100e`` (a stock or a year's production, in H100-equivalents); left out, the
      limit is the installed stock of AI accelerators (``data.accelerators``: its latest
      figure, grown by g to ``reference_year``);
    - ``data``: the run's compute against the largest compute-optimal run the data
      allow, 6 N T = 6 T^2 / k with T = s * ``limit_tokens`` * ``epochs`` *
      ``modality_multiplier`` * ``synthetic_multiplier`` tokens (the stock grows by g, so
      this ceiling grows by (1 + g)^2 a year) and k = ``tokens_per_parameter``
      (Chinchilla: C = 6 N T, T = k N);
    - ``compute``: the run's compute against ``limit_flop`` directly; or, with
      ``limit_days`` D_l, a limit on FLOP per unit of training time (e.g. the latency wall:
      a minimum time per step caps the steps a run of a given duration can take): a run
      held back by it trains as long as a run may last, D_max (``max_training_days``, or
      ``training_days`` under the datasheet conversion), so its compute C is compared with
      s * ``limit_flop`` * D_max / D_l;
    - ``cluster``: the run's sustained FLOP/s, C / D (as for ``chips``), against the largest
      single or multi-site cluster available,

          limit(t) = s * ``sites`` * ``split_efficiency`` * H(t) * r,
          H(t) = ``limit_h100e`` * (1 + g) ** (t - t_l),

      H(t) the largest cluster available at t in H100-equivalents, s the share of its chips
      one run uses, ``sites`` the clusters one run spans (1 unless given),
      ``split_efficiency`` the share of its compute a run split across them keeps (1 unless
      given) and r the realised ``flops_per_h100e`` (required). Where the file leaves
      ``limit_h100e``, ``growth_per_year`` or ``share`` out, they come from the data: the
      fitted trend of the largest cluster (``data.clusters``, never below the largest
      operating at the data's end) and the share of their cluster the runs of
      ``data.run_clusters`` used (:mod:`forecast.models.clusters`).
    """

    #: The limit key each kind takes (the others are refused).
    LIMITS: ClassVar[dict[str, str]] = {
        "spend": "limit_usd",
        "power": "limit_watts",
        "chips": "limit_h100e",
        "data": "limit_tokens",
        "compute": "limit_flop",
        "cluster": "limit_h100e",
    }
    #: Keys only some kinds take (besides their limit), with those kinds.
    EXTRAS: ClassVar[dict[str, tuple[str, ...]]] = {
        "sites": ("power", "cluster"),
        "split_efficiency": ("power", "cluster"),
        "flops_per_h100e": ("chips", "cluster"),
        "tokens_per_parameter": ("data",),
        "epochs": ("data",),
        "modality_multiplier": ("data",),
        "synthetic_multiplier": ("data",),
        "limit_days": ("compute",),
    }
    #: Keys a kind may leave to the data (fitted; see the ``cluster`` kind).
    FITTED: ClassVar[dict[str, tuple[str, ...]]] = {
        "cluster": ("limit_h100e", "growth_per_year", "share"),
        "chips": ("limit_h100e",),
    }
    #: Kind-specific keys that change what the ceiling is when given (no neutral value).
    OPTIONAL: ClassVar[tuple[str, ...]] = ("limit_days",)
    #: A kind's factor left out of the file: 1, but Chinchilla's 20 tokens per parameter.
    DEFAULTS: ClassVar[dict[str, float]] = {"tokens_per_parameter": 20.0}
    #: Keys a kind must have besides its limit.
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "chips": ("flops_per_h100e",),
        "cluster": ("flops_per_h100e",),
    }

    name: Annotated[str, checked(_constraint_name), Required("a constraint needs a name")]
    kind: Annotated[
        Kind,
        choice(KINDS),
        Required(
            'a constraint needs a kind ("spend", "power", "chips", "data", "compute" or "cluster")'
        ),
    ]
    basis: Annotated[Basis | None, choice(BASES)] = None
    limit_usd: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e18),
            unit="USD",
            why="world GDP is about 1e14 USD; 1e18 is ten thousand times that",
        ),
    ] = None
    limit_watts: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 2e17),
            unit="W",
            why="all the sunlight that reaches Earth is about 1.7e17 W",
        ),
    ] = None
    limit_h100e: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e13),
            unit="H100-equivalents",
            why="1e13 H100s would draw about 1e16 W, a hundred times all the world's power",
        ),
    ] = None
    limit_tokens: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e6, 1e22),
            unit="tokens",
            why="the indexed web holds about 5e14 tokens; 1e22 is ten million times that",
        ),
    ] = None
    limit_flop: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e15, 1e45),
            unit="FLOP",
            why="the largest run so far is about 5e26 FLOP; 1e45 is far past any physical limit "
            "discussed",
        ),
    ] = None
    reference_year: Annotated[
        Year, Required("a constraint needs reference_year (the year limit_* applies to)")
    ]
    # growth of -100% a year would make the limit zero
    growth_per_year: Annotated[
        Param,
        Bound(
            -1.0,
            range=(-0.5, 10.0),
            why="a ceiling halving, or growing elevenfold, every year for decades is beyond "
            "any budget or grid, and would leave floating-point range by the horizon",
        ),
    ] = Fixed(0.0)
    share: Annotated[Param, UNIT] = Fixed(1.0)
    sites: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 1e4),
            unit="sites",
            why="one run spread over more than ten thousand sites is no longer one run",
        ),
    ] = None
    split_efficiency: Annotated[Param | None, UNIT] = None
    flops_per_h100e: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1e12, 1e17),
            unit="FLOP/s",
            why="an H100 peaks at about 1e15 FLOP/s (BF16); 1e17 is a hundred times its peak",
        ),
    ] = None
    tokens_per_parameter: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(0.1, 1e5),
            unit="tokens per parameter",
            why="compute-optimal training uses about 20 (Chinchilla); 1e5 is far beyond any "
            "overtrained model",
        ),
    ] = None
    epochs: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(0.01, 1e3),
            unit="epochs",
            why="beyond a few tens of epochs repeated data stops helping; 1000 is far past it",
        ),
    ] = None
    modality_multiplier: Annotated[
        Param | None,
        Bound(0.0, range=(0.01, 1e4), why="a factor on the token stock, not a stock itself"),
    ] = None
    synthetic_multiplier: Annotated[
        Param | None,
        Bound(0.0, range=(0.01, 1e4), why="a factor on the token stock, not a stock itself"),
    ] = None
    limit_days: Annotated[
        Param | None,
        Bound(
            0.0,
            range=(1.0, 3650.0),
            unit="days",
            why="the longest training runs so far lasted about 15 months; ten years is "
            "far beyond any run that would not be overtaken by a later, better one",
        ),
    ] = None

    @model_validator(mode="wrap")
    @classmethod
    def _keys_of_its_kind(
        cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> Any:
        """A spend ceiling takes limit_usd and a basis; a power ceiling limit_watts only."""
        if not (context_of(info) and isinstance(data, dict)):
            return handler(data)
        data, kind, found = dict(data), data.get("kind"), []
        limit = cls.LIMITS.get(kind) if isinstance(kind, str) else None
        for key in cls.refused_keys(kind):
            if key in data and limit is not None:
                how = f"{limit}, not {key}" if key in cls.LIMITS.values() else f"no {key}"
                found.append(((key,), f"a {kind} constraint takes {how}"))
            data.pop(key, None)  # without a valid kind, not looked at
        if limit is not None and limit not in data and limit not in cls.FITTED.get(kind, ()):
            found.append(((limit,), missing(f"a {kind} constraint needs {limit}")))
        for key in cls.NEEDS.get(kind, ()) if limit is not None else ():
            if key not in data:
                found.append(((key,), missing(f"a {kind} constraint needs {key}")))
        if kind == "spend":
            data.setdefault("basis", "capex")
        return validate_with(found, handler, data)

    @classmethod
    def refused_keys(cls, kind: Any) -> tuple[str, ...]:
        """The keys a constraint of ``kind`` does not take.

        Parameters
        ----------
        kind : Any
            As a file gives it.

        Returns
        -------
        tuple of str
            The other kinds' limits and keys (and, but for spend, ``basis``); all the
            keys that depend on the kind when ``kind`` is not a valid one.
        """
        # Two kinds share limit_h100e: each key once, in the order the table lists them.
        keys = tuple(dict.fromkeys((*cls.LIMITS.values(), *cls.EXTRAS, "basis")))
        limit = cls.LIMITS.get(kind) if isinstance(kind, str) else None
        if limit is None:
            return keys
        return tuple(
            k
            for k in keys
            if k != limit
            and not (k == "basis" and kind == "spend")
            and kind not in cls.EXTRAS.get(k, ())
        )

    def factor(self, key: str) -> Param:
        """A kind-specific input, or its neutral default (1; Chinchilla's 20 tokens per
        parameter) where the file leaves it out."""
        value = getattr(self, key)
        return value if value is not None else Fixed(self.DEFAULTS.get(key, 1.0))

    @property
    def limit(self) -> Param:
        """The kind's limit: ``limit_usd``, ``limit_watts``, ``limit_h100e``, ... ."""
        value = getattr(self, self.LIMITS[self.kind])
        assert value is not None  # guaranteed by validation (a fitted limit is not read here)
        return value

    def left_to_data(self, set_keys: tuple[str, ...] | frozenset[str]) -> tuple[str, ...]:
        """The keys of this ceiling that come from the data, given the key paths the file
        sets (:attr:`forecast.scenario.Scenario.set_keys`): for ``cluster``, each of
        ``limit_h100e``, ``growth_per_year`` and ``share`` the file leaves out."""
        prefix = f"constraints.{self.name}."
        return tuple(k for k in self.FITTED.get(self.kind, ()) if prefix + k not in set_keys)
