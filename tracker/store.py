"""The app's own SQLite store: pinned races, recently opened nights, small settings.

One file in the data folder (``TRACKER_HOME`` overrides). Schema changes are numbered migrations
keyed on ``PRAGMA user_version`` so an older store upgrades in place and a newer one is refused
rather than damaged. WAL and a busy timeout let a second instance read while one writes, and
two instances write in turn; ``synchronous=FULL`` makes a committed pin or projection survive a
crash of the machine, not only of the process. Two instances starting at once on a new store
migrate it once: each migration re-reads the schema version under the write lock.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from tracker import paths
from tracker.core.alert_log import ALERT_CSV_FIELDS, alert_csv_row, write_alerts_csv
from tracker.core.alerts import Alert, AlertKind
from tracker.core.errors import TrackerError
from tracker.core.pause_points import pause_point
from tracker.core.projection_log import ProjectionRecord, write_projections_csv
from tracker.core.threshold import ThresholdRule

# The log rows and their CSV writers are the core's (tracker.core.projection_log, .alert_log): the
# projection makes the rows, the store only keeps them. Re-exported for the store's callers.
__all__ = [
    "ALERT_CSV_FIELDS",
    "MIGRATIONS",
    "ProjectionRecord",
    "Store",
    "StoreError",
    "alert_csv_row",
    "write_alerts_csv",
    "write_projections_csv",
]

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
    # 3: the projection log: every projection made, one row per candidate (see ProjectionRecord)
    """
    CREATE TABLE projections (
        id            INTEGER PRIMARY KEY,
        made_at       TEXT NOT NULL,
        source        TEXT NOT NULL,
        election_id   TEXT NOT NULL,
        version       TEXT NOT NULL,
        payload_id    TEXT NOT NULL DEFAULT '',
        snapshot_time TEXT,
        contest_id    TEXT NOT NULL,
        contest_name  TEXT NOT NULL,
        candidate_id  TEXT NOT NULL,
        candidate     TEXT NOT NULL,
        status        TEXT NOT NULL,
        votes         INTEGER NOT NULL,
        share_now     REAL NOT NULL,
        share         REAL,
        lo            REAL,
        hi            REAL,
        p_clear       REAL,
        outstanding   INTEGER,
        outstanding_lo INTEGER,
        outstanding_hi INTEGER,
        model_version TEXT NOT NULL,
        UNIQUE (source, version, payload_id, contest_id, candidate_id, model_version)
    );
    CREATE INDEX projections_by_source ON projections (source, contest_id, snapshot_time);
    """,
    # 4: the alert log: alerts and corrections, with the version (and its time) that caused them
    """
    CREATE TABLE alerts (
        id            INTEGER PRIMARY KEY,
        source        TEXT NOT NULL,
        kind          TEXT NOT NULL,
        contest_id    TEXT NOT NULL,
        contest_name  TEXT NOT NULL,
        subject       TEXT NOT NULL,
        message       TEXT NOT NULL,
        version_index INTEGER NOT NULL,
        version       TEXT NOT NULL,
        version_time  TEXT,
        raised_at     TEXT NOT NULL,
        UNIQUE (source, kind, contest_id, subject, version_index)
    );
    """,
    # 5: a user's rule for a race, over the feed's and the jurisdiction table's (ThresholdRule JSON)
    """
    CREATE TABLE rule_overrides (
        election_id TEXT NOT NULL,
        contest_id  TEXT NOT NULL,
        rule        TEXT NOT NULL,
        set_at      TEXT NOT NULL,
        PRIMARY KEY (election_id, contest_id)
    );
    """,
    # 6: each logged projection says which baseline it used and what its expected vote rests on
    """
    ALTER TABLE projections ADD COLUMN baseline TEXT NOT NULL DEFAULT '';
    ALTER TABLE projections ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
    """,
    # 7: the baseline is part of a projection's key: the same version projected with another baseline
    # (``--baseline FILE|none``) is another projection, kept beside the first instead of dropped.
    # SQLite cannot change a table's UNIQUE constraint, so the table is rebuilt, every row (and its
    # id, which orders the log) copied over.
    """
    CREATE TABLE projections_v7 (
        id            INTEGER PRIMARY KEY,
        made_at       TEXT NOT NULL,
        source        TEXT NOT NULL,
        election_id   TEXT NOT NULL,
        version       TEXT NOT NULL,
        payload_id    TEXT NOT NULL DEFAULT '',
        snapshot_time TEXT,
        contest_id    TEXT NOT NULL,
        contest_name  TEXT NOT NULL,
        candidate_id  TEXT NOT NULL,
        candidate     TEXT NOT NULL,
        status        TEXT NOT NULL,
        votes         INTEGER NOT NULL,
        share_now     REAL NOT NULL,
        share         REAL,
        lo            REAL,
        hi            REAL,
        p_clear       REAL,
        outstanding   INTEGER,
        outstanding_lo INTEGER,
        outstanding_hi INTEGER,
        model_version TEXT NOT NULL,
        baseline      TEXT NOT NULL DEFAULT '',
        evidence      TEXT NOT NULL DEFAULT '',
        UNIQUE (source, version, payload_id, contest_id, candidate_id, model_version, baseline)
    );
    INSERT INTO projections_v7 (
        id, made_at, source, election_id, version, payload_id, snapshot_time, contest_id,
        contest_name, candidate_id, candidate, status, votes, share_now, share, lo, hi, p_clear,
        outstanding, outstanding_lo, outstanding_hi, model_version, baseline, evidence
    )
    SELECT
        id, made_at, source, election_id, version, payload_id, snapshot_time, contest_id,
        contest_name, candidate_id, candidate, status, votes, share_now, share, lo, hi, p_clear,
        outstanding, outstanding_lo, outstanding_hi, model_version, baseline, evidence
    FROM projections;
    DROP TABLE projections;
    ALTER TABLE projections_v7 RENAME TO projections;
    CREATE INDEX projections_by_source ON projections (source, contest_id, snapshot_time);
    """,
)


def _statements(script: str) -> list[str]:
    """A migration script's statements, one by one (``executescript`` would commit the open
    transaction first); ``sqlite3.complete_statement`` keeps a trigger's inner ``;`` together."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                out.append(buf)
            buf = ""
    if buf.strip(" \n\t;"):
        out.append(buf)
    return out


#: ``append_projections`` reaches a pause point every this many rows (``_pausing_rows``).
PAUSE_ROWS = 500


def _pausing_rows(records: Sequence[ProjectionRecord]) -> Iterator[tuple[object, ...]]:
    """``records``' rows, with a pause point every ``PAUSE_ROWS``: a night thread logging a
    statewide feed's history writes ~100,000 rows at once, which kept the window from the
    interpreter for ~100 ms (issue 21; ``tracker.core.pause_points``)."""
    for n, record in enumerate(records):
        if n % PAUSE_ROWS == 0:
            pause_point()
        yield record.row()


@functools.cache
def _schema_at(migrations: tuple[str, ...]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The tables ``migrations`` leave (name → ``CREATE TABLE``) and each one's indexes, read from
    an in-memory database they are run on: SQLite itself folds a table's added columns, and a
    table rebuilt under another name and renamed, into the one statement that makes it now."""
    db = sqlite3.connect(":memory:")
    try:
        for script in migrations:
            for statement in _statements(script):
                db.execute(statement)
        rows = db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
    finally:
        db.close()
    tables = {name: sql for kind, name, _table, sql in rows if kind == "table"}
    indexes: dict[str, tuple[str, ...]] = {}
    for kind, _name, table, sql in rows:
        if kind == "index":
            indexes[table] = (*indexes.get(table, ()), sql)
    return tables, indexes


#: An ``ALTER TABLE t ADD COLUMN c`` statement of a migration (``Store._adds_existing_column``).
_ADD_COLUMN = re.compile(r"\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", re.IGNORECASE)


class StoreError(TrackerError):
    """The store cannot be opened (corrupt, or written by a newer version)."""


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.store_path()
        try:
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the tracker's store {self.path}: {exc}") from exc
        try:
            self._db.execute("PRAGMA busy_timeout=10000")
            self._wal()
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"cannot open the tracker's store {self.path}: {exc}") from exc
        except BaseException:
            self._db.close()
            raise

    def _wal(self) -> None:
        """Switch to WAL (persistent: once is enough). The switch needs the database to itself, and
        SQLite answers "database is locked" at once, without its busy handler, while another
        instance starting at the same moment holds it: retry for as long as the busy timeout."""
        deadline = time.monotonic() + 10.0
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer version of the tracker (schema {version}); "
                "upgrade the app or set TRACKER_HOME to another folder"
            )
        # A table the store should already have is made first: a later migration may rebuild it.
        self._create_missing_tables(version)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # One migration per transaction, its version bump inside it. The version is read again
            # under the write lock: another instance may have migrated since we looked.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self._db.execute("PRAGMA user_version").fetchone()[0] < number:
                    for statement in _statements(script):
                        if not self._adds_existing_column(statement):
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        self._create_missing_tables(len(MIGRATIONS))

    def _create_missing_tables(self, version: int) -> None:
        """Create any table (and its indexes) the store at schema ``version`` should have but lacks:
        a store left at the current version by a build whose migrations were numbered otherwise had
        no ``rule_overrides`` table, and every read of a user's rule failed with "no such table".
        Each table is created as the migrations up to ``version`` leave it (its columns added
        since, its key rebuilt since), not as it was first defined."""
        tables, indexes = _schema_at(MIGRATIONS[:version])
        have = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, sql in tables.items():
            if table in have:
                continue
            self._db.execute("BEGIN IMMEDIATE")
            try:  # looked at again under the write lock: another instance may have made it since
                exists = self._db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).fetchone()
                if exists is None:
                    self._db.execute(sql)
                    for index in indexes.get(table, ()):
                        self._db.execute(index)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _adds_existing_column(self, statement: str) -> bool:
        """Whether ``statement`` adds a column its table already has: a store left by a build
        whose migrations were numbered otherwise ("duplicate column name" would then stop the
        store from opening, and the projection log with it). Adding it again is a no-op."""
        m = _ADD_COLUMN.match(statement)
        if m is None:
            return False
        table, column = m.groups()
        return any(row[1] == column for row in self._db.execute(f"PRAGMA table_info({table})"))

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

    def pin_rows(self, election_id: str | None = None) -> list[tuple[str, str, str]]:
        """(election id, contest id, contest name) of every pin (of one election), oldest first:
        what a watch-list file exports."""
        sql = "SELECT election_id, contest_id, contest_name FROM pins"
        params: tuple[str, ...] = ()
        if election_id is not None:
            sql += " WHERE election_id = ?"
            params = (election_id,)
        rows = self._db.execute(sql + " ORDER BY pinned_at, rowid", params)
        return [(r[0], r[1], r[2]) for r in rows]

    def add_pins(self, pins: Iterable[tuple[str, str, str]]) -> int:
        """Merge (election id, contest id, name) pins in one transaction; returns how many were
        new. A pin already there keeps its time, and its name unless it had none."""
        added = 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for election_id, contest_id, name in pins:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO pins VALUES (?, ?, ?, ?)", (election_id, contest_id, name, _now())
                )
                if cur.rowcount == 1:
                    added += 1
                elif name:
                    self._db.execute(
                        "UPDATE pins SET contest_name = ? WHERE election_id = ? AND contest_id = ?"
                        " AND contest_name = ''",
                        (name, election_id, contest_id),
                    )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return added

    # settings ---------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    # recent -----------------------------------------------------------------
    # contest rules set by the user -------------------------------------------------------------

    def set_rule_override(self, election_id: str, contest_id: str, rule: ThresholdRule | None) -> None:
        """Keep the user's rule for one race (None forgets it, so the feed's or the table's
        applies again). Stored without its basis: the window says "set by you"."""
        if rule is None:
            self._db.execute(
                "DELETE FROM rule_overrides WHERE election_id = ? AND contest_id = ?",
                (election_id, contest_id),
            )
            return
        data = rule.with_source("user", "").to_json()
        data.pop("basis", None)
        self._db.execute(
            "INSERT OR REPLACE INTO rule_overrides VALUES (?, ?, ?, ?)",
            (election_id, contest_id, json.dumps(data, sort_keys=True), _now()),
        )

    def rule_overrides(self, election_id: str) -> dict[str, ThresholdRule]:
        """Contest id → the user's rule, for one election. A row this version cannot read (a
        newer version wrote it) is skipped, not fatal."""
        out: dict[str, ThresholdRule] = {}
        for cid, text, when in self._db.execute(
            "SELECT contest_id, rule, set_at FROM rule_overrides WHERE election_id = ?", (election_id,)
        ):
            try:
                rule = ThresholdRule.from_json(json.loads(text))
            except (ValueError, TypeError, KeyError):
                continue
            out[cid] = rule.with_source("user", f"set in the window {when[:16].replace('T', ' ')}")
        return out

    def record_opened(self, location: str, kind: str = "night") -> None:
        self._db.execute("INSERT OR REPLACE INTO recent VALUES (?, ?, ?)", (location, kind, _now()))

    def recent(self, limit: int = 10) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT location, kind FROM recent ORDER BY opened_at DESC, rowid DESC LIMIT ?", (limit,)
        )
        return [(r[0], r[1]) for r in rows]

    # projection log -----------------------------------------------------------
    def append_projections(self, records: Sequence[ProjectionRecord]) -> int:
        """Append projections in one transaction; returns how many rows were new. The same
        input (source, version, payload) projected by the same model version with the same
        baseline is the same projection and is logged once, at the time it was first made; with
        another baseline it is another projection, logged beside it."""
        if not records:
            return 0
        fields = ProjectionRecord.FIELDS
        sql = (
            f"INSERT OR IGNORE INTO projections ({', '.join(fields)}) "
            f"VALUES ({', '.join('?' for _ in fields)})"
        )
        before = self._db.total_changes
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(sql, _pausing_rows(records))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self._db.total_changes - before

    def projections(
        self, source: str | None = None, contest_id: str | None = None, limit: int | None = None
    ) -> list[ProjectionRecord]:
        """Logged projections in the order they were made (filtered by source and contest)."""
        where, params = [], []
        if source is not None:
            where.append("source = ?")
            params.append(source)
        if contest_id is not None:
            where.append("contest_id = ?")
            params.append(contest_id)
        sql = f"SELECT {', '.join(ProjectionRecord.FIELDS)} FROM projections"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [ProjectionRecord(*row) for row in self._db.execute(sql, params)]

    # alert log -------------------------------------------------------------------------------
    def append_alerts(self, source: str, alerts: Sequence[Alert]) -> list[Alert]:
        """Log ``alerts`` of the night or feed ``source`` in one transaction; returns the ones
        that were not logged before (an alert is its key: kind, contest, subject, version), which
        are the only ones worth telling the user about."""
        new: list[Alert] = []
        if not alerts:
            return new
        now = _now()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for a in alerts:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO alerts (source, kind, contest_id, contest_name, subject, message,"
                    " version_index, version, version_time, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        source,
                        str(a.kind),
                        a.contest_id,
                        a.contest_name,
                        a.subject,
                        a.message,
                        a.version_index,
                        a.version,
                        a.time.isoformat() if a.time is not None else None,
                        now,
                    ),
                )
                if cur.rowcount:
                    new.append(a)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return new

    def alerts(self, source: str) -> list[Alert]:
        """The logged alerts of ``source``, in the order of the versions that caused them."""
        rows = self._db.execute(
            "SELECT kind, contest_id, contest_name, subject, message, version_index, version, version_time"
            " FROM alerts WHERE source = ? ORDER BY version_index, id",
            (source,),
        )
        return [
            Alert(
                AlertKind(r[0]),
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                dt.datetime.fromisoformat(r[7]) if r[7] else None,
            )
            for r in rows
        ]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
