"""Writing an imported night: built beside its target and renamed into place when whole.

Shared by the payload importer (``tracker.archive.importer``) and the whole-night importer
(``tracker.archive.import_timeseries``), so both leave nothing behind when an import fails.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tracker.archive.night import NightFile


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, for the command's one-line report."""

    path: Path
    #: Payload files imported (one fetch row each).
    count: int
    #: Distinct payloads among them (identical bytes are stored once).
    distinct: int
    #: Earliest and latest payload time, in UTC.
    first_time: dt.datetime
    last_time: dt.datetime
    #: Where the times came from: "published", "csv", "file names", "published+csv",
    #: "published+file names" or "file order".
    times: str
    #: Files left out as unreadable (``skip_unreadable``): (file name, why), in file order.
    skipped: tuple[tuple[str, str], ...] = ()

    #: What the import decided that a user should be told, one sentence each (e.g. the level a
    #: results timeseries was counted at, and why).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One version as written into the night."""

    data: bytes
    fetched_at: dt.datetime
    fmt: str
    url: str
    version: str | None
    published_at: dt.datetime | None


def write_night(
    out: Path,
    entries: Iterable[Entry],
    *,
    kind: str,
    label: str,
    sources: list[str],
    timezone: str,
    meta: dict[str, str],
    created_at: dt.datetime | None,
    note: str = "",
) -> int:
    """Write ``entries`` into a new night built beside ``out`` and renamed into place only when
    every one went in (a failed import leaves nothing behind); returns how many were written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.importing")
    count = 0
    try:
        with NightFile.create(
            tmp,
            kind=kind,
            label=label,
            note=note,
            sources=sources,
            timezone=timezone,
            meta=meta,
            created_at=created_at,
        ) as night:
            for entry in entries:
                night.add_payload(
                    entry.data,
                    fetched_at=entry.fetched_at,
                    fmt=entry.fmt,
                    url=entry.url,
                    status=200,
                    version=entry.version,
                    published_at=entry.published_at,
                )
                count += 1
        tmp.replace(out)
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    return count
