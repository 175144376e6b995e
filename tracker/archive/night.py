"""The night file (``*.night``): one SQLite file per recorded or reconstructed night.

It keeps every raw payload exactly as fetched, not parsed Snapshots, so a replay re-parses the
bytes with today's parser and a parser fix improves old recordings. Payloads are deduplicated by
SHA-256 (a feed polled every 30 s mostly repeats itself) and compressed; every fetch, including a
304 or an error that carried no payload, is a row of its own so the night's log can be audited.

Durability: WAL with ``synchronous=FULL`` and one transaction per payload, so a crash (of the
process or of the machine) loses at most the payload being written. On ``close()`` a writer
checkpoints and switches the file back to a rollback journal, so a finished night is one
self-contained file that opens read-only anywhere (a WAL-mode file cannot be opened read-only
in a read-only folder, e.g. a bundled night inside an installed package). A night left in WAL
mode by a crash is still opened read-only there: from a private copy of the file and its WAL
(:meth:`NightFile.open` falls back to it when SQLite cannot open it in place).

One writer at a time: a writable NightFile holds an exclusive advisory lock (``flock``) on the
file for as long as it is open, so a second recorder, or ``record --force`` over a night being
recorded, is refused with one sentence instead of interleaving or deleting it; readers take no
lock and open it while it is being written (WAL). The kernel drops the lock when the process
dies, so a crashed recorder never leaves a night locked.

Schema (``PRAGMA user_version`` = 1)::

    meta     (key TEXT PRIMARY KEY, value TEXT NOT NULL)
    payloads (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
              codec TEXT NOT NULL, data BLOB NOT NULL)
    fetches  (id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, url TEXT NOT NULL,
              status INTEGER, etag TEXT, last_modified TEXT,
              payload_id INTEGER REFERENCES payloads(id), format TEXT, version TEXT,
              published_at TEXT, error TEXT)

``fetched_at`` is UTC ISO-8601 with a fixed width (microseconds, ``+00:00``) so text order is
time order; ``published_at`` keeps the feed's own offset.
The meta key ``history_fetches`` (a JSON list of fetch ids, absent in most nights) names the
fetches that brought a version already superseded when fetched (a late start's backfill), so the
timeline can place them at their own ``published_at`` without a schema change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.core.errors import NightFileError
from tracker.core.model import Snapshot
from tracker.core.pause_points import pause_point
from tracker.feeds.registry import CLARITY_SUMMARY_JSON, FORMATS, parse_payload

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own locking still keeps the file consistent
    fcntl = None  # type: ignore[assignment]

FILE_FORMAT = "election-tracker-night"
SCHEMA_VERSION = 1
KINDS = ("recorded", "reconstructed")
#: Meta keys the file itself manages; ``meta=`` extras may not use them.
RESERVED_META = frozenset(
    {
        "format",
        "schema_version",
        "kind",
        "label",
        "note",
        "sources",
        "timezone",
        "created_at",
        "history_fetches",
    }
)
#: Meta key: the ids (a JSON list) of fetches that brought a version already superseded when it was
#: fetched — a Clarity site's past versions fetched after a late start (``add_payload(history=True)``).
HISTORY_KEY = "history_fetches"

_SQLITE_MAGIC = b"SQLite format 3\x00"
#: A night file is data from anywhere (a download, a colleague): nothing in it may run or grow
#: without bound (issue 19). No string or blob is read longer than this …
_LENGTH_LIMIT = 512 * 2**20
#: … no payload inflates past the poller's own limit (checked against its stored size before any
#: allocation) …
MAX_PAYLOAD_BYTES = 256 * 2**20
#: … and no single statement runs longer than this (quick_check of a big night takes seconds).
_STATEMENT_SECONDS = 120.0
#: Meta key of a Clarity site's electionsettings.json (``Night.set_clarity_settings``).
CLARITY_SETTINGS_KEY = "clarity_settings"
_BUSY_TIMEOUT_MS = 5000
_ZLIB_LEVEL = 6
#: Decompressed in pieces of this many bytes, a pause point between them (``_inflate``).
INFLATE_PIECE = 2**20

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE payloads (
    id     INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,    -- hex digest of the raw bytes as fetched
    size   INTEGER NOT NULL,        -- length of the raw bytes
    codec  TEXT NOT NULL,           -- 'zlib' or 'none'
    data   BLOB NOT NULL
);
CREATE TABLE fetches (
    id            INTEGER PRIMARY KEY,
    fetched_at    TEXT NOT NULL,    -- UTC, e.g. 2017-04-19T03:40:00.000000+00:00
    url           TEXT NOT NULL DEFAULT '',
    status        INTEGER,          -- HTTP status, NULL when no response arrived
    etag          TEXT,
    last_modified TEXT,
    payload_id    INTEGER REFERENCES payloads(id),
    format        TEXT,             -- registry name that parses the payload
    version       TEXT,             -- the feed's own version id
    published_at  TEXT,             -- the feed's own timestamp, ISO-8601 with offset
    error         TEXT,
    CHECK (payload_id IS NULL OR format IS NOT NULL)
);
CREATE INDEX fetches_by_time ON fetches (fetched_at, id);
"""


@dataclass(frozen=True)
class Version:
    """One distinct feed version as the night saw it: the unit a replay steps through."""

    #: Position among the night's versions, from 0.
    index: int
    fetch_id: int
    fetched_at: dt.datetime
    payload_id: int
    sha256: str
    fmt: str
    version: str | None
    published_at: dt.datetime | None
    url: str
    #: Fetched as history after a late start (already superseded then): the timeline places it at
    #: its own ``published_at`` (see :func:`tracker.archive.recorder.version_times`).
    history: bool = False


@dataclass(frozen=True)
class Fetch:
    """One fetch event (with or without a payload), for the night's log."""

    id: int
    fetched_at: dt.datetime
    url: str
    status: int | None
    etag: str | None
    last_modified: str | None
    error: str | None
    payload_id: int | None
    sha256: str | None
    fmt: str | None
    version: str | None
    published_at: dt.datetime | None


def _id_list(text: str | None) -> list[int]:
    """The fetch ids of the ``history_fetches`` meta value; nothing for a missing or odd value."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return (
        [i for i in value if isinstance(i, int) and not isinstance(i, bool)]
        if isinstance(value, list)
        else []
    )


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; naive times are ambiguous across zones")
    return value


def _utc_text(value: dt.datetime, name: str) -> str:
    return _aware(value, name).astimezone(dt.UTC).isoformat(timespec="microseconds")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _in_use(path: Path) -> NightFileError:
    return NightFileError(
        f"{path} is being recorded by another process; stop that recording first, or choose another file"
    )


def _take_lock(fd: int, path: Path) -> None:
    """Take the writer's exclusive lock on an open descriptor of the night, or refuse."""
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _in_use(path) from None
    except OSError:  # a file system without flock: write without the lock, as before
        pass


def _lock_existing(path: Path) -> int:
    """A descriptor of the existing night at ``path`` holding the writer's lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise NightFileError(f"cannot open {path}: {exc.strerror or exc}") from None
    _take_lock(fd, path)
    return fd


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
    mode; refusing any schema that is not ours, in :func:`_check_schema`, stands in for it.)"""
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


class NightFile:
    """An open night file. Use ``NightFile.create`` or ``NightFile.open``, ideally in a
    ``with`` block. Safe to share between threads (calls are serialized)."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        readonly: bool,
        lock_fd: int | None = None,
        copy_dir: Path | None = None,
    ) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = conn
        self._readonly = readonly
        self._lock = threading.RLock()
        self._meta: dict[str, str] = {}
        #: The writer's flock on the file (released after the connection closes).
        self._lock_fd = lock_fd
        #: A private copy opened instead of a crashed WAL night in a read-only folder.
        self._copy_dir = copy_dir
        #: The file says WAL mode (a recording that did not finish) but its -wal is not beside it.
        self.wal_missing = False

    # -- opening ----------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path, mode: str) -> sqlite3.Connection:
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

    @classmethod
    def create(
        cls,
        path: Path | str,
        *,
        kind: str,
        label: str,
        note: str = "",
        sources: Iterable[str] = (),
        timezone: str = "UTC",
        meta: Mapping[str, str] | None = None,
        overwrite: bool = False,
        created_at: dt.datetime | None = None,
    ) -> NightFile:
        """Start a new night. Refuses to replace an existing file unless ``overwrite``, since a
        night may be the only copy of a feed that no longer exists.

        ``created_at`` defaults to now; pass it to build reproducible files.
        """
        path = Path(path)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not label.strip() or "\n" in label or "\r" in label:
            raise ValueError("label must be one non-empty line")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r} (expected an IANA name)") from None
        sources = [str(s) for s in sources]
        extra = dict(meta or {})
        for key, value in extra.items():
            if key in RESERVED_META:
                raise ValueError(f"meta key {key!r} is reserved; use the matching argument")
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"meta keys and values must be strings: {key!r}={value!r}")
        created = dt.datetime.now(dt.UTC) if created_at is None else created_at

        values = {
            "format": FILE_FORMAT,
            "schema_version": str(SCHEMA_VERSION),
            "kind": kind,
            "label": label,
            "note": note,
            "sources": json.dumps(sources, ensure_ascii=False),
            "timezone": timezone,
            "created_at": _utc_text(created, "created_at"),
            **extra,
        }
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
            conn = cls._connect(path, "rwc")
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
        night = cls(path, conn, readonly=False, lock_fd=lock_fd)
        night._meta = values
        return night

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = True) -> NightFile:
        """Open an existing night. Anything that is not a sound night file of a schema this
        version understands raises NightFileError with one sentence, before any replay starts,
        so a damaged file fails at the door instead of halfway through a night."""
        path = Path(path)
        if not path.exists():
            raise NightFileError(f"there is no night file at {path}")
        if path.is_dir():
            raise NightFileError(f"{path} is a folder, not a night file")
        if not path.is_file():  # /dev/zero, a pipe: never "a folder", never read (issue 19)
            raise NightFileError(f"{path} is not a night file (it is a device, a pipe or a socket)")
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise NightFileError(f"cannot read {path}: {exc.strerror or exc}") from None
        if not head:
            raise NightFileError(f"{path} is empty, not a night file")
        if head != _SQLITE_MAGIC:
            raise NightFileError(f"{path} is not a night file (it is not an SQLite database)")
        # A recording that did not finish is still in WAL mode; without its -wal beside it (copied
        # alone) what it wrote last is not in the file (issue 19).
        wal_missing = _is_wal(path) and not path.with_name(path.name + "-wal").exists()
        lock_fd = None if readonly else _lock_existing(path)
        try:
            conn, meta = cls._connect_checked(path, path, readonly)
        except sqlite3.OperationalError as exc:
            if not (readonly and _is_wal(path)):
                if lock_fd is not None:
                    os.close(lock_fd)
                raise NightFileError(f"{path} is damaged and cannot be read ({_why(exc)})") from None
            # A night left in WAL mode (a crashed recording) in a folder we cannot write: SQLite
            # needs to create its -shm beside it. Read a private copy of the file and its WAL.
            try:
                copy = cls._open_copy(path)
            except NightFileError as err:
                raise _without_wal(err, path) if wal_missing else err from None
            copy.wal_missing = wal_missing
            return copy
        except NightFileError as err:
            if lock_fd is not None:
                os.close(lock_fd)
            if wal_missing:
                raise _without_wal(err, path) from None
            raise
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        night = cls(path, conn, readonly=readonly, lock_fd=lock_fd)
        night._meta = meta
        night.wal_missing = wal_missing
        return night

    @property
    def warning(self) -> str:
        """A sentence a reader of this night should see before trusting it ("" when none)."""
        if self.wal_missing:
            return (
                f"{self._path.name} is a recording that did not finish, copied without its "
                f"{self._path.name}-wal file: the versions it recorded last may be missing"
            )
        return ""

    @classmethod
    def _connect_checked(
        cls, path: Path, db: Path, readonly: bool
    ) -> tuple[sqlite3.Connection, dict[str, str]]:
        """Connect to ``db`` and check it is a night; NightFileError names ``path``. An SQLite
        OperationalError at the door (cannot open, read-only) is left to the caller."""
        try:
            conn = cls._connect(db, "ro" if readonly else "rw")
        except sqlite3.OperationalError:
            raise
        except sqlite3.Error as exc:
            raise NightFileError(f"cannot open {path}: {exc}") from None
        try:
            meta = cls._check(path, conn)
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.OperationalError):
                raise NightFileError(f"{path} is damaged and cannot be read ({_why(exc)})") from None
            raise
        return conn, meta

    @classmethod
    def _open_copy(cls, path: Path) -> NightFile:
        copy_dir = Path(tempfile.mkdtemp(prefix="night-readonly-"))
        try:
            copy = copy_dir / path.name
            shutil.copyfile(path, copy)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            # Read-write on the copy only, so SQLite may fold the WAL in; the night stays read-only.
            conn, meta = cls._connect_checked(path, copy, readonly=False)
        except sqlite3.Error as exc:
            shutil.rmtree(copy_dir, ignore_errors=True)
            raise NightFileError(f"{path} is damaged and cannot be read ({_why(exc)})") from None
        except OSError as exc:
            shutil.rmtree(copy_dir, ignore_errors=True)
            raise NightFileError(f"cannot read {path}: {exc.strerror or exc}") from None
        except BaseException:
            shutil.rmtree(copy_dir, ignore_errors=True)
            raise
        night = cls(path, conn, readonly=True, copy_dir=copy_dir)
        night._meta = meta
        return night

    @staticmethod
    def _check(path: Path, conn: sqlite3.Connection) -> dict[str, str]:
        if not isinstance(conn, _GuardedConnection):
            return NightFile._check_night(path, conn)
        conn.arm()
        try:
            return NightFile._check_night(path, conn)
        finally:
            conn.disarm()

    @staticmethod
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

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file. A writer first folds the WAL back into the file and leaves it in
        rollback-journal mode, so the closed night is a single file that opens read-only
        anywhere. Safe to call twice."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                if not self._readonly:
                    # Another connection (a live reader) blocks leaving WAL; then stay in WAL
                    # rather than wait: the data is committed either way.
                    conn.execute("PRAGMA busy_timeout = 0")
                    try:
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        conn.execute("PRAGMA journal_mode = DELETE")
                    except sqlite3.OperationalError:
                        pass
            finally:
                conn.close()
                # After the connection: closing another descriptor of the file first would drop
                # SQLite's own POSIX locks on it.
                if self._lock_fd is not None:
                    os.close(self._lock_fd)
                    self._lock_fd = None
                if self._copy_dir is not None:
                    shutil.rmtree(self._copy_dir, ignore_errors=True)
                    self._copy_dir = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else ("read-only" if self._readonly else "writable")
        return f"<NightFile {str(self._path)!r} {state}>"

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"night file {self._path} is closed")
        return self._conn

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._db()
            if isinstance(conn, _GuardedConnection):
                conn.arm()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise NightFileError(f"{self._path} is damaged and cannot be read ({_why(exc)})") from None
            finally:
                if isinstance(conn, _GuardedConnection):
                    conn.disarm()

    def _writable(self) -> sqlite3.Connection:
        conn = self._db()
        if self._readonly:
            raise NightFileError(f"{self._path} is open read-only")
        return conn

    # -- metadata ---------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def readonly(self) -> bool:
        return self._readonly

    @property
    def meta(self) -> dict[str, str]:
        """All metadata as stored (a copy), including extra keys."""
        return dict(self._meta)

    @property
    def kind(self) -> str:
        return self._meta["kind"]

    @property
    def reconstructed(self) -> bool:
        """True for a night rebuilt after the fact: the UI must never pass it off as a recording."""
        return self._meta["kind"] == "reconstructed"

    @property
    def label(self) -> str:
        return self._meta["label"]

    @property
    def note(self) -> str:
        return self._meta.get("note", "")

    @property
    def sources(self) -> tuple[str, ...]:
        try:
            value = json.loads(self._meta.get("sources", "[]"))
        except (ValueError, RecursionError):  # nested 100,000 deep: no sources (issue 19)
            return ()
        return tuple(s for s in value if isinstance(s, str)) if isinstance(value, list) else ()

    @property
    def timezone(self) -> ZoneInfo:
        """The zone the night's times are shown in (the election's, not the viewer's)."""
        return ZoneInfo(self._meta["timezone"])

    @property
    def created_at(self) -> dt.datetime | None:
        text = self._meta.get("created_at")
        try:
            return dt.datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

    # -- writing ----------------------------------------------------------------------------

    def set_clarity_settings(self, data: bytes) -> None:
        """Keep a Clarity site's newest ``electionsettings.json`` (meta ``clarity_settings``): its
        stated runoff threshold decides the races of the night's summary.json versions, when
        they are recorded and whenever they are parsed again (:meth:`snapshot`)."""
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return  # not a settings file the parser could read either
        if self._meta.get(CLARITY_SETTINGS_KEY) == text:
            return
        with self._lock:
            conn = self._writable()
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (CLARITY_SETTINGS_KEY, text)
            )
            self._meta[CLARITY_SETTINGS_KEY] = text

    def add_payload(
        self,
        data: bytes,
        *,
        fetched_at: dt.datetime,
        fmt: str,
        url: str = "",
        status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        version: str | None = None,
        published_at: dt.datetime | None = None,
        history: bool = False,
    ) -> int:
        """Record one fetched payload in its own transaction; returns the fetch id. Bytes seen
        before are stored once (the fetch row points at the existing payload). ``history``: the
        version was already superseded when fetched (a late start's backfill); it is noted in the
        ``history_fetches`` meta key, so the schema (and every older reader) is unchanged."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
        data = bytes(data)
        fetched = _utc_text(fetched_at, "fetched_at")
        published = None if published_at is None else _aware(published_at, "published_at").isoformat()
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            conn = self._writable()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    row = conn.execute("SELECT id FROM payloads WHERE sha256 = ?", (sha,)).fetchone()
                    if row is None:
                        packed = zlib.compress(data, _ZLIB_LEVEL)
                        codec = "zlib"
                        if len(packed) >= len(data):
                            packed, codec = data, "none"
                        payload_id = conn.execute(
                            "INSERT INTO payloads (sha256, size, codec, data) VALUES (?, ?, ?, ?)",
                            (sha, len(data), codec, packed),
                        ).lastrowid
                    else:
                        payload_id = row[0]
                    fetch_id = conn.execute(
                        "INSERT INTO fetches (fetched_at, url, status, etag, last_modified, payload_id,"
                        " format, version, published_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        (fetched, url, status, etag, last_modified, payload_id, fmt, version, published),
                    ).lastrowid
                    if history:
                        row = conn.execute("SELECT value FROM meta WHERE key = ?", (HISTORY_KEY,)).fetchone()
                        ids = [*_id_list(row[0] if row else None), fetch_id]
                        conn.execute(
                            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                            (HISTORY_KEY, json.dumps(ids)),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise NightFileError(f"cannot write to {self._path}: {exc}") from None
        assert fetch_id is not None
        return fetch_id

    def add_fetch_event(
        self,
        *,
        fetched_at: dt.datetime,
        url: str,
        status: int | None,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Record a fetch that brought no payload (304 Not Modified, an HTTP error, a timeout),
        so the night's log shows the feed's health, not only its data."""
        fetched = _utc_text(fetched_at, "fetched_at")
        with self._lock:
            conn = self._writable()
            try:
                fetch_id = conn.execute(
                    "INSERT INTO fetches (fetched_at, url, status, etag, last_modified, error)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (fetched, url, status, etag, last_modified, error),
                ).lastrowid
            except sqlite3.Error as exc:
                raise NightFileError(f"cannot write to {self._path}: {exc}") from None
        assert fetch_id is not None
        return fetch_id

    # -- reading ----------------------------------------------------------------------------

    def _time(self, text: str | None, what: str) -> dt.datetime | None:
        if text is None:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise NightFileError(f"{self._path} is damaged ({what} {text!r} is not a time with an offset)")
        return value

    def versions(self) -> list[Version]:
        """The distinct feed versions in fetch-time order. A fetch whose bytes equal the previous
        version's is skipped (a replay steps through changes only); a version that comes back
        later, as stale caches sometimes serve, is kept, because that is what the feed showed."""
        rows = self._query(
            "SELECT f.id, f.fetched_at, f.payload_id, p.sha256, f.format, f.version, f.published_at, f.url"
            " FROM fetches AS f JOIN payloads AS p ON p.id = f.payload_id"
            " ORDER BY f.fetched_at, f.id"
        )
        found = self._query("SELECT value FROM meta WHERE key = ?", (HISTORY_KEY,))
        history = frozenset(_id_list(found[0][0] if found else None))
        out: list[Version] = []
        for fetch_id, fetched_at, payload_id, sha, fmt, version, published_at, url in rows:
            if out and out[-1].sha256 == sha:
                continue
            fetched = self._time(fetched_at, "fetched_at")
            assert fetched is not None
            out.append(
                Version(
                    index=len(out),
                    fetch_id=fetch_id,
                    fetched_at=fetched,
                    payload_id=payload_id,
                    sha256=sha,
                    fmt=fmt,
                    version=version,
                    published_at=self._time(published_at, "published_at"),
                    url=url,
                    history=fetch_id in history,
                )
            )
        return out

    def fetches(self) -> list[Fetch]:
        """Every fetch event, with or without a payload, in time order."""
        rows = self._query(
            "SELECT f.id, f.fetched_at, f.url, f.status, f.etag, f.last_modified, f.error, f.payload_id,"
            " p.sha256, f.format, f.version, f.published_at"
            " FROM fetches AS f LEFT JOIN payloads AS p ON p.id = f.payload_id"
            " ORDER BY f.fetched_at, f.id"
        )
        out: list[Fetch] = []
        for row in rows:
            fetched = self._time(row[1], "fetched_at")
            assert fetched is not None
            out.append(
                Fetch(
                    id=row[0],
                    fetched_at=fetched,
                    url=row[2],
                    status=row[3],
                    etag=row[4],
                    last_modified=row[5],
                    error=row[6],
                    payload_id=row[7],
                    sha256=row[8],
                    fmt=row[9],
                    version=row[10],
                    published_at=self._time(row[11], "published_at"),
                )
            )
        return out

    def payload(self, payload_id: int | str) -> bytes:
        """The raw bytes exactly as fetched, by row id or by SHA-256 hex digest. The digest is
        checked on every read: a replay must never show numbers from damaged bytes."""
        column = "sha256" if isinstance(payload_id, str) else "id"
        rows = self._query(
            f"SELECT sha256, size, codec, data FROM payloads WHERE {column} = ?", (payload_id,)
        )
        if not rows:
            raise KeyError(payload_id)
        sha, size, codec, blob = rows[0]
        if not isinstance(size, int) or not 0 <= size <= MAX_PAYLOAD_BYTES:
            raise NightFileError(
                f"{self._path} is damaged (payload {payload_id} claims {size!r} bytes; "
                f"a payload has at most {MAX_PAYLOAD_BYTES // 2**20} MB)"
            )
        try:
            if codec == "zlib":
                data = _inflate(blob, size + 1)  # never more than it says, plus one
            elif codec == "none":
                data = bytes(blob)
            else:
                raise NightFileError(f"{self._path} stores a payload with an unknown codec {codec!r}")
        except zlib.error:
            raise NightFileError(
                f"{self._path} is damaged (payload {payload_id} does not decompress)"
            ) from None
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            raise NightFileError(
                f"{self._path} is damaged (payload {payload_id} does not match its checksum)"
            )
        return data

    def snapshot(self, version: Version) -> Snapshot:
        """Re-parse a version's raw bytes with today's parser.

        The Snapshot carries this night's ``fetched_at`` and, as ``payload_id``, the payload's
        SHA-256 (stable across copies and rebuilds of the night, unlike a row id). Its
        ``published_at`` and ``version`` come from the payload, or from what was recorded beside
        it when the payload has none.
        """
        data = self.payload(version.payload_id)
        # The URL it was fetched from is where the data came from (parsers may record it as
        # Election.source and name it in errors); a payload without one names the night.
        settings = None
        if version.fmt == CLARITY_SUMMARY_JSON:
            # read from the file, not the meta read at open: a recorder in another process may
            # have kept the site's settings since
            rows = self._query("SELECT value FROM meta WHERE key = ?", (CLARITY_SETTINGS_KEY,))
            settings = rows[0][0] if rows else None
        snap = parse_payload(
            data,
            version.fmt,
            source=version.url or self._path.name,
            settings=settings.encode("utf-8") if settings is not None else None,
        )
        return replace(
            snap,
            fetched_at=version.fetched_at,
            payload_id=version.sha256,
            published_at=snap.published_at or version.published_at,
            version=snap.version or version.version or "",
        )


def _inflate(blob: bytes, limit: int) -> bytes:
    """``blob`` decompressed, at most ``limit`` bytes; zlib.error when it holds all but one of
    them and more behind (what the payload claims, then more). In pieces of ``INFLATE_PIECE``
    bytes with a pause point between them: in one call, a statewide payload kept the window from
    the interpreter for 50–150 ms (issue 21)."""
    inflater = zlib.decompressobj()
    pieces: list[bytes] = []
    total = 0
    rest = blob
    while total < limit and not inflater.eof:
        piece = inflater.decompress(rest, min(INFLATE_PIECE, limit - total))
        if not piece:
            break  # the input is used up
        pieces.append(piece)
        total += len(piece)
        rest = inflater.unconsumed_tail
        pause_point()
    if total == limit - 1 and not inflater.eof:  # all it claims, and more behind it
        raise zlib.error("incomplete")
    return b"".join(pieces)


__all__ = ["FILE_FORMAT", "KINDS", "SCHEMA_VERSION", "Fetch", "NightFile", "Version"]
