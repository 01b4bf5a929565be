"""Named exceptions. The CLI turns each into one line per problem and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, with where it is.

    Parameters
    ----------
    file : str
        The file the problem is in.
    message : str
        What is wrong and what was expected.
    line : int | None
        1-based line number, where known.
    column : str | None
        Column name (CSV) or key path (TOML), where known.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f": {self.column}"
        return f"{where}: {self.message}"


class ForecastError(Exception):
    """Base class for errors the CLI reports without a traceback."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        """One line per problem (or the message if there are none)."""
        return [str(p) for p in self.problems] or [str(self)]


class DataError(ForecastError):
    """A data file is missing or has invalid rows."""


class ScenarioError(ForecastError):
    """A scenario file is invalid."""


class SamplingError(ForecastError):
    """A fit failed its convergence checks under ``--strict``."""

    exit_code = 3


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C or SIGTERM) before it finished.

    A subclass of ``KeyboardInterrupt`` so that code which already cleans up on an
    interrupt (the atomic report writer, the cache writer) does so here too. The CLI exits
    with ``128 + signum`` (130 for SIGINT, 143 for SIGTERM), the shell's convention.
    """

    def __init__(self, signum: int = 2):
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The process exit code for this signal."""
        return 128 + self.signum
