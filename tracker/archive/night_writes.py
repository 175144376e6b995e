"""Writing a night: each payload in its own transaction, each fetch without one as a row.

Kept apart from :class:`~tracker.archive.night.NightFile`, which mixes :class:`NightWrites` in,
because only the recorder and the importers write, and what they write is the durability
promise of the file: one transaction per payload (a crash loses at most the payload being
written), bytes seen before stored once, and every fetch, even a 304 or an error, kept for the
night's log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tracker.archive.night_schema import (
    CLARITY_SETTINGS_KEY,
    HISTORY_KEY,
    STATE_KEY,
    ZONE_FROM_KEY,
    _aware,
    _id_list,
    _utc_text,
)
from tracker.core.errors import NightFileError
from tracker.feeds.registry import FORMATS

_ZLIB_LEVEL = 6


class NightWrites:
    """The writing part of :class:`~tracker.archive.night.NightFile`, mixed into it."""

    #: What the night file provides.
    _path: Path
    _lock: threading.RLock
    _meta: dict[str, str]

    if TYPE_CHECKING:

        def _writable(self) -> sqlite3.Connection: ...

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

    def set_own_state(self, state: str, timezone: str) -> None:
        """Keep the state a live recording's first version names (meta ``state``) and show the
        night in ``timezone``, that state's zone: a feed whose address names no state (a NIST
        report, a Clarity or AP file served from anywhere) is shown as its import would be, not in
        UTC. Only a recording created with no zone of its own (meta ``timezone_from`` "pending")
        changes, once; a zone given by the user or read from the address stays."""
        ZoneInfo(timezone)  # an unknown zone is a bug of the caller's, never written
        if self._meta.get(ZONE_FROM_KEY) != "pending":
            return
        values = {STATE_KEY: state, "timezone": timezone, ZONE_FROM_KEY: f"the feed's state ({state})"}
        with self._lock:
            conn = self._writable()
            conn.execute("BEGIN IMMEDIATE")  # the three together: never a state without its zone
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", sorted(values.items())
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._meta.update(values)

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
