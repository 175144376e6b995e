"""The hardened SQLite connection every night file is read and written through.

A night file is data from anywhere (a download, a colleague): nothing in it may run or grow
without bound (issue 19). Kept apart from the night's reading and writing so that what SQLite is
allowed to do with such a file is decided in one place: the limits, the pragmas, and a deadline
on every read.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

#: No string or blob is read longer than this …
_LENGTH_LIMIT = 512 * 2**20
#: … and no single statement runs longer than this (quick_check of a big night takes seconds).
_STATEMENT_SECONDS = 120.0
_BUSY_TIMEOUT_MS = 5000


class _GuardedConnection(sqlite3.Connection):
    """A connection whose reads give up after :data:`_STATEMENT_SECONDS` (a progress handler):
    armed around each read, never around the recorder's writes."""

    deadline: float | None = None

    def arm(self) -> None:
        self.deadline = time.monotonic() + _STATEMENT_SECONDS

    def disarm(self) -> None:
        self.deadline = None


def _harden(conn: sqlite3.Connection) -> None:
    """What a night file may make SQLite do: nothing from its schema runs (``trusted_schema``
    off: no function with side effects from a view, trigger or default), no string or blob over
    :data:`_LENGTH_LIMIT`, no memory map of a crafted file, every cell's size checked, and no
    read longer than :data:`_STATEMENT_SECONDS`. (Python 3.11 cannot set SQLite's defensive
    mode; refusing any schema that is not ours, in
    :func:`~tracker.archive.night_checks._check_schema`, stands in for it.)"""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    conn.execute("PRAGMA mmap_size = 0")
    if isinstance(conn, _GuardedConnection):

        def too_long(c: _GuardedConnection = conn) -> int:
            return 1 if c.deadline is not None and time.monotonic() > c.deadline else 0

        conn.set_progress_handler(too_long, 100_000)


def _why(exc: sqlite3.Error) -> str:
    text = str(exc)
    if text == "interrupted":
        return f"a read took longer than {_STATEMENT_SECONDS:g} s"
    return text


def connect(path: Path, mode: str) -> sqlite3.Connection:
    """A hardened connection to ``path`` in SQLite's URI ``mode`` (``ro``, ``rw``, ``rwc``)."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = sqlite3.connect(
        uri,
        uri=True,
        isolation_level=None,  # we issue BEGIN/COMMIT ourselves: one transaction per payload
        check_same_thread=False,
        timeout=_BUSY_TIMEOUT_MS / 1000,
        factory=_GuardedConnection,
    )
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    _harden(conn)
    return conn
