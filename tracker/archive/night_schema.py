"""What a night file holds: its tables, its meta keys, and the rows a reader gets back.

Kept apart from :class:`~tracker.archive.night.NightFile` because the writer, the reader and the
checks at the door all share it, and because a reader of the file format should find it in one
place: the SQL of the tables, the meta keys the file manages itself, how times are stored (UTC,
fixed width, so text order is time order), and :class:`Version` and :class:`Fetch`, the frozen
rows every caller steps through.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

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

#: Meta key of a Clarity site's electionsettings.json (``Night.set_clarity_settings``).
CLARITY_SETTINGS_KEY = "clarity_settings"

#: Meta key of the one state the night's payloads name (``tracker.archive.night_state``).
STATE_KEY = "state"
#: Meta key of a live recording whose address named no state: "pending" until its first version
#: names one (``Night.set_own_state``), so it is shown in that state's zone as an import is.
ZONE_FROM_KEY = "timezone_from"

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
