"""Progress messages: every long step reports one line through a ``Log`` callable.

The CLI passes a function that prints to stderr (or nothing under ``--quiet``); library
callers get :func:`quiet` by default, so nothing prints unless asked.
"""

from __future__ import annotations

from collections.abc import Callable

#: Receives one-line progress messages.
Log = Callable[[str], None]


def quiet(_: str) -> None:
    """A :data:`Log` that discards every message."""
