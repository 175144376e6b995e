"""The app's own SQLite store: pinned races, recently opened nights, small settings.

One file in the data folder (``TRACKER_HOME`` overrides). Schema changes are numbered migrations
keyed on ``PRAGMA user_version`` so an older store upgrades in place and a newer one is refused
rather than damaged. WAL and a busy timeout let a second instance read while one writes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from tracker import paths
from tracker.core.errors import TrackerError

MIGRATIONS: tuple[str, ...] = (
    # 1: pins and settings
    """
    CREATE TABLE pins (
        election_id TEXT NOT NULL,
        contest_id  TEXT NOT NULL,
        contest_name TEXT NOT NULL DEFAULT '',
        pinned_at   TEXT NOT NULL,
        PRIMARY KEY (election_id, contest_id)
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: recently opened nights and feeds
    """
    CREATE TABLE recent (
        location  TEXT PRIMARY KEY,
        kind      TEXT NOT NULL,
        opened_at TEXT NOT NULL
    );
    """,
)


class StoreError(TrackerError):
    """The store cannot be opened (corrupt, or written by a newer version)."""


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.store_path()
        try:
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the tracker's store {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer version of the tracker (schema {version}); "
                "upgrade the app or set TRACKER_HOME to another folder"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # One script per migration, its version bump inside the same transaction.
            try:
                self._db.executescript(f"BEGIN IMMEDIATE; {script}; PRAGMA user_version = {number}; COMMIT;")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # pins -----------------------------------------------------------------
    def pin(self, election_id: str, contest_id: str, contest_name: str = "") -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO pins VALUES (?, ?, ?, ?)",
            (election_id, contest_id, contest_name, _now()),
        )

    def unpin(self, election_id: str, contest_id: str) -> None:
        self._db.execute(
            "DELETE FROM pins WHERE election_id = ? AND contest_id = ?", (election_id, contest_id)
        )

    def set_pinned(self, election_id: str, contest_id: str, pinned: bool, contest_name: str = "") -> None:
        if pinned:
            self.pin(election_id, contest_id, contest_name)
        else:
            self.unpin(election_id, contest_id)

    def pins(self, election_id: str) -> set[str]:
        rows = self._db.execute("SELECT contest_id FROM pins WHERE election_id = ?", (election_id,))
        return {r[0] for r in rows}

    # settings ---------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    # recent -----------------------------------------------------------------
    def record_opened(self, location: str, kind: str = "night") -> None:
        self._db.execute("INSERT OR REPLACE INTO recent VALUES (?, ?, ?)", (location, kind, _now()))

    def recent(self, limit: int = 10) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT location, kind FROM recent ORDER BY opened_at DESC, rowid DESC LIMIT ?", (limit,)
        )
        return [(r[0], r[1]) for r in rows]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
