"""Input files: whether one is there (:func:`file_problem`), and reading it as UTF-8 text.

Scenario (TOML) and data (CSV) files both come through :func:`read_text`, so a missing
file, a folder, an empty file, a binary file, a UTF-16 file or a Latin-1 file gives the
same kind of one-line message whichever it is, instead of a traceback or a confusing
header error. A UTF-8 byte-order mark (as Excel and Notepad write) is accepted.

:func:`file_problem` says why a file cannot be read without opening it: the data files a
scenario names are looked for this way when the scenario is loaded.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from forecast.errors import DataError, ForecastError, Problem

#: Larger files are refused before being read whole: the shipped CSV files are under
#: 100 KB and a scenario is a few KB, so 50 MB can only be the wrong file.
MAX_FILE_BYTES = 50_000_000
#: Share of control bytes (other than tab, newline, carriage return and form feed) above
#: which a file is binary rather than text in a legacy encoding: text has next to none,
#: random bytes about 11%.
BINARY_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")


def _problem(
    error: type[ForecastError], file: str, message: str, line: int | None = None
) -> ForecastError:
    return error(f"{file}: {message}", [Problem(file, message, line)])


def _control_share(content: bytes) -> float:
    sample = content[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    return controls / max(len(sample), 1)


def file_problem(path: Path, given: str | None = None) -> str | None:
    """Why ``path`` cannot be read as a data file, or None; the file is not opened.

    Parameters
    ----------
    path : Path
        The resolved path.
    given : str, optional
        The path as the scenario wrote it, repeated in the message.

    Returns
    -------
    str or None
        E.g. ``"file not found: /abs/runs.csv (given as 'runs.csv')"``.
    """
    if path.is_file():
        return None
    what = "file not found"
    if path.is_dir():
        what = "a folder, not a file"
    elif path.exists():
        what = "not a regular file"  # a device or FIFO would hang the reader
    where = f" (given as {given!r})" if given is not None else ""
    return f"{what}: {path}{where}"


def read_text(
    path: str | Path, error: type[ForecastError] = DataError, what: str = "file"
) -> tuple[bytes, str]:
    """The bytes of a file and its text, decoded as UTF-8 (a byte-order mark is dropped).

    Parameters
    ----------
    path : str or Path
        The file.
    error : type of ForecastError
        The error to raise (``DataError`` for data, ``ScenarioError`` for scenarios).
    what : str
        What the file is, for "... not found" (e.g. ``"scenario file"``).

    Returns
    -------
    (bytes, str)
        The raw bytes (for hashing) and the decoded text.

    Raises
    ------
    ForecastError
        Of class ``error``, with one :class:`~forecast.errors.Problem`: the file is
        missing, a folder, not a regular file, unreadable, too large, empty, binary,
        UTF-16, or not valid UTF-8 (with the line and the first bad byte).
    """
    path = Path(path)
    file = str(path)
    try:
        if not path.exists():
            raise _problem(error, file, f"{what} not found")
        if path.is_dir():
            raise _problem(error, file, f"is a folder, not a {what}")
        if not path.is_file():
            # A FIFO or a device would block or never end.
            raise _problem(error, file, f"is not a regular file (a {what} is expected)")
    except ValueError:  # a NUL byte in the name
        raise _problem(error, repr(file), "is not a valid file name") from None
    except OSError as exc:  # e.g. a folder on the way that may not be searched
        raise _problem(error, file, f"cannot be read: {exc.strerror or exc}") from None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _problem(
                error,
                file,
                f"is {size / 1e6:,.0f} MB; at most {MAX_FILE_BYTES / 1e6:,.0f} MB is read "
                f"(is it the right file?)",
            )
        content = path.read_bytes()
    except OSError as exc:
        raise _problem(error, file, f"cannot be read: {exc.strerror or exc}") from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _problem(error, file, "is UTF-16 text; save it as UTF-8", 1)
    if b"\x00" in content or _control_share(content) > BINARY_CONTROL_SHARE:
        raise _problem(
            error, file, "is not a text file (it holds binary data); is it the right file?"
        )
    try:
        # utf-8-sig: a byte-order mark is not part of the first key or column name.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        byte = content[exc.start]
        raise _problem(
            error, file, f"not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8", line
        ) from None
    if not text.strip():
        raise _problem(error, file, "the file is empty", 1)
    return content, text
