"""Making a new night file on disk: never over a night being recorded, never two at once.

Kept apart from :meth:`~tracker.archive.night.NightFile.create` (which checks its arguments and
decides the meta) because this is the part that touches the disk, and the part with races to get
right: a night that exists is replaced only when asked and never while another process records
it, two recorders starting on the same new name cannot both get it (``O_EXCL``), and the schema
and the meta are written in one transaction, so a failure leaves no half-made file behind.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tracker.archive.night_connection import connect
from tracker.archive.night_lock import _in_use, _lock_existing, _sidecars, _take_lock
from tracker.archive.night_schema import _SCHEMA, SCHEMA_VERSION
from tracker.core.errors import NightFileError


def create_file(path: Path, values: dict[str, str], *, overwrite: bool) -> tuple[sqlite3.Connection, int]:
    """A new night at ``path`` holding the schema and ``values`` as its meta: its connection and
    the descriptor holding the writer's lock. Refuses an existing file unless ``overwrite``."""
    old_fd = None
    if path.exists() or any(p.exists() for p in _sidecars(path)):
        if not overwrite:
            raise NightFileError(f"{path} already exists; choose another name or allow overwriting")
        if path.is_file():
            old_fd = _lock_existing(path)  # never delete a night another process is recording
        for p in [path, *_sidecars(path)]:
            p.unlink(missing_ok=True)
    try:
        # O_EXCL: of two recorders starting on the same new name, one gets it, one is refused.
        lock_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise _in_use(path) from None
    except OSError as exc:
        raise NightFileError(f"cannot create a night file at {path}: {exc.strerror or exc}") from None
    finally:
        if old_fd is not None:
            os.close(old_fd)
    _take_lock(lock_fd, path)
    try:
        conn = connect(path, "rwc")
    except sqlite3.Error as exc:
        os.close(lock_fd)
        path.unlink(missing_ok=True)
        raise NightFileError(f"cannot create a night file at {path}: {exc}") from None
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(values.items()))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.close()
        for p in [path, *_sidecars(path)]:
            p.unlink(missing_ok=True)
        os.close(lock_fd)
        raise NightFileError(f"cannot create a night file at {path}: {exc}") from None
    return conn, lock_fd
