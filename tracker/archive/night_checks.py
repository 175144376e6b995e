"""The checks at a night file's door: is this a night, of a schema we read, and sound?

Anything that is not a sound night file of a schema this version understands is refused here
with one sentence, before any replay starts, so a damaged or foreign file fails at the door
instead of halfway through a night. Kept apart from :class:`~tracker.archive.night.NightFile`
because they are the one place that decides what the tracker agrees to open.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.archive.night_connection import _GuardedConnection
from tracker.archive.night_schema import FILE_FORMAT, KINDS, SCHEMA_VERSION
from tracker.core.errors import NightFileError

_SQLITE_MAGIC = b"SQLite format 3\x00"


def _without_wal(err: NightFileError, path: Path) -> NightFileError:
    return NightFileError(
        f"{err} ({path.name} is a recording that did not finish, copied without its "
        f"{path.name}-wal file: copy that file beside it)"
    )


def _is_wal(path: Path) -> bool:
    """True when the file's header says WAL mode (file format bytes 18–19 are 2)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def _check_schema(path: Path, conn: sqlite3.Connection) -> None:
    """Refuse, in one sentence, a schema that could run code or compute on read: a trigger, a
    view, a virtual table, a generated column, an index on an expression or with a WHERE. Our
    nights have none; plain tables and plain indexes (a newer tracker may add some) are data."""
    refuse = f"{path} is not a night file the tracker opens: it holds"
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    for kind, name, sql in rows:
        if kind in ("trigger", "view"):
            raise NightFileError(f"{refuse} a {kind} ({name!r}), which no night has")
        if kind == "table" and not name.startswith("sqlite_"):
            if sql and "VIRTUAL" in sql.upper().split("TABLE", 1)[0]:
                raise NightFileError(f"{refuse} a virtual table ({name!r}), which no night has")
            for column, hidden in conn.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (name,)):
                if hidden:
                    raise NightFileError(f"{refuse} a generated column ({name}.{column}), which no night has")
        if kind == "index" and sql:  # (sql is NULL for the indexes behind UNIQUE and PRIMARY KEY)
            expression = any(
                cid == -2 for (cid,) in conn.execute("SELECT cid FROM pragma_index_xinfo(?)", (name,))
            )
            if expression or " WHERE " in " ".join(sql.upper().split()):
                raise NightFileError(f"{refuse} an index on an expression ({name!r}), which no night has")


def check_night(path: Path, conn: sqlite3.Connection) -> dict[str, str]:
    """The night's meta, once ``conn`` is checked to be a sound night of a schema we read (the
    checks run under the connection's read deadline); else NightFileError naming ``path``."""
    if not isinstance(conn, _GuardedConnection):
        return _check_night(path, conn)
    conn.arm()
    try:
        return _check_night(path, conn)
    finally:
        conn.disarm()


def _check_night(path: Path, conn: sqlite3.Connection) -> dict[str, str]:
    _check_schema(path, conn)  # before any read: a generated column computes on every read
    (user_version,) = conn.execute("PRAGMA user_version").fetchone()
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        raise NightFileError(f"{path} is an SQLite database but not a night file")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FILE_FORMAT:
        raise NightFileError(f"{path} is an SQLite database but not a night file")
    if user_version > SCHEMA_VERSION:
        raise NightFileError(
            f"{path} was written by a newer version of the tracker (night schema {user_version}; "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    if user_version < 1 or not {"payloads", "fetches"} <= tables:
        raise NightFileError(f"{path} is an incomplete night file (its tables are missing)")
    # quick_check reads every page: a truncated or overwritten file fails here, at open,
    # rather than in the middle of a replay.
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
    if problems != ["ok"]:
        # SQLite's report spans lines ("*** in database main ***\nPage 35: ..."); ours is one.
        raise NightFileError(f"{path} is damaged and cannot be read ({' '.join(problems[0].split())})")
    missing = [k for k in ("kind", "label", "timezone") if k not in meta]
    if missing:
        raise NightFileError(f"{path} is a damaged night file (its {missing[0]!r} is missing)")
    if meta["kind"] not in KINDS:
        raise NightFileError(f"{path} is a night of unknown kind {meta['kind']!r}")
    try:
        ZoneInfo(meta["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise NightFileError(f"{path} names an unknown time zone {meta['timezone']!r}") from None
    return meta
