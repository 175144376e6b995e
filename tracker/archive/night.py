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

The file's job is split by module, each mixed into or called by :class:`NightFile` here, which
opens and closes the file and reads a payload's bytes back:

* :mod:`~tracker.archive.night_schema` — the tables, the meta keys, :class:`Version` and
  :class:`Fetch`;
* :mod:`~tracker.archive.night_lock` — the writer's ``flock``;
* :mod:`~tracker.archive.night_connection` — the hardened SQLite connection (limits, a deadline
  on every read);
* :mod:`~tracker.archive.night_checks` — what is refused at the door;
* :mod:`~tracker.archive.night_meta`, :mod:`~tracker.archive.night_writes`,
  :mod:`~tracker.archive.night_versions` — what a night says about itself, writing it, and its
  versions and fetch log read back.

Their names are re-exported here, so ``from tracker.archive.night import NightFile, Version`` (and
every other name this module had before it was split) keeps working.

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
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Every name this module had before it was split, re-exported (the private ones too: the window's
# feed job deletes a night's sidecars, tests read the limits).
from tracker.archive.night_checks import _SQLITE_MAGIC as _SQLITE_MAGIC
from tracker.archive.night_checks import _check_schema as _check_schema
from tracker.archive.night_checks import _is_wal, _without_wal, check_night
from tracker.archive.night_connection import _BUSY_TIMEOUT_MS as _BUSY_TIMEOUT_MS
from tracker.archive.night_connection import _LENGTH_LIMIT as _LENGTH_LIMIT
from tracker.archive.night_connection import _STATEMENT_SECONDS as _STATEMENT_SECONDS
from tracker.archive.night_connection import _GuardedConnection, _why, connect
from tracker.archive.night_connection import _harden as _harden
from tracker.archive.night_create import create_file
from tracker.archive.night_lock import _in_use as _in_use
from tracker.archive.night_lock import _lock_existing
from tracker.archive.night_lock import _sidecars as _sidecars
from tracker.archive.night_lock import _take_lock as _take_lock
from tracker.archive.night_lock import fcntl as fcntl
from tracker.archive.night_meta import NightMeta
from tracker.archive.night_names import NAMES_KEY, names_snapshot
from tracker.archive.night_schema import _SCHEMA as _SCHEMA
from tracker.archive.night_schema import (
    CLARITY_SETTINGS_KEY,
    FILE_FORMAT,
    HISTORY_KEY,
    KINDS,
    RESERVED_META,
    SCHEMA_VERSION,
    Fetch,
    Version,
    _utc_text,
)
from tracker.archive.night_schema import _aware as _aware
from tracker.archive.night_schema import _id_list as _id_list
from tracker.archive.night_versions import NightVersions
from tracker.archive.night_writes import _ZLIB_LEVEL as _ZLIB_LEVEL
from tracker.archive.night_writes import NightWrites
from tracker.core.errors import NightFileError
from tracker.core.model import Snapshot
from tracker.core.pause_points import pause_point
from tracker.feeds.registry import CLARITY_ALL_JSON, CLARITY_SUMMARY_JSON, parse_payload

#: No payload inflates past the poller's own limit (checked against its stored size before any
#: allocation): a night file is data from anywhere (issue 19).
MAX_PAYLOAD_BYTES = 256 * 2**20
#: Decompressed in pieces of this many bytes, a pause point between them (``_inflate``).
INFLATE_PIECE = 2**20


class NightFile(NightMeta, NightWrites, NightVersions):
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
        conn, lock_fd = create_file(path, values, overwrite=overwrite)
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
            conn = connect(db, "ro" if readonly else "rw")
        except sqlite3.OperationalError:
            raise
        except sqlite3.Error as exc:
            raise NightFileError(f"cannot open {path}: {exc}") from None
        try:
            meta = check_night(path, conn)
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

    # -- reading a payload back -------------------------------------------------------------

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

    @functools.cached_property
    def _payload_names(self) -> Snapshot | None:
        """The names ``import --names`` kept for payloads that carry none (``night_names``),
        read once per open night."""
        text = self._meta.get(NAMES_KEY)
        return names_snapshot(text, self._path.name) if text else None

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
            names_from=self._payload_names if version.fmt == CLARITY_ALL_JSON else None,
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


__all__ = [
    "CLARITY_SETTINGS_KEY",
    "FILE_FORMAT",
    "HISTORY_KEY",
    "INFLATE_PIECE",
    "KINDS",
    "MAX_PAYLOAD_BYTES",
    "RESERVED_META",
    "SCHEMA_VERSION",
    "Fetch",
    "NightFile",
    "NightMeta",
    "NightVersions",
    "NightWrites",
    "Version",
]
