"""Reading a night's index: its distinct versions, and the log of every fetch.

Kept apart from :class:`~tracker.archive.night.NightFile`, which mixes :class:`NightVersions`
in, because these are what a replay steps through and what the night's log audits: rows of the
``fetches`` table, in time order, never the payloads' bytes (those are read one at a time, by
:meth:`~tracker.archive.night.NightFile.payload`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.archive.night_schema import HISTORY_KEY, Fetch, Version, _id_list
from tracker.core.errors import NightFileError


class NightVersions:
    """The index part of :class:`~tracker.archive.night.NightFile`, mixed into it."""

    #: What the night file provides.
    _path: Path

    if TYPE_CHECKING:

        def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

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

    def first_fetch(self) -> dt.datetime | None:
        """When the night's first fetch was made (UTC), None for an empty night: the day a recording
        was made says which election it is when its payloads do not (Clarity's ALL.json)."""
        rows = self._query("SELECT MIN(fetched_at) FROM fetches")
        return self._time(rows[0][0], "fetched_at") if rows else None

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
