"""Import a file that holds a whole night (a results timeseries) as a night of many versions.

A payload file is one version; the NYT/Edison timeseries is every version of a night in one file
(``tracker.feeds.nyt_timeseries``). Its versions are written one by one, each the ``tracker-feed/1``
document of that timestamp at its real (UTC) time: storing the whole file beside every version
would cost 4 MB (77 MB unpacked) per version, and one version's rows are not a results file the
parser could read alone (which level to count is decided over the whole file). So the night
records the converted versions, and its meta says from what, at which level and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.archive.import_write import Entry, ImportResult, write_night
from tracker.core.errors import FeedError, TrackerError
from tracker.core.words import count as count_of
from tracker.feeds.discovery import STATE_ZONES
from tracker.feeds.native import FORMAT as NATIVE
from tracker.feeds.native import dump_native
from tracker.feeds.nyt_timeseries import FORMAT, read_timeseries


def import_timeseries(
    path: Path,
    *,
    out: Path,
    kind: str = "recorded",
    label: str | None = None,
    timezone: str | None = None,
    created_at: dt.datetime | None = None,
    level: str | None = None,
    meta: dict[str, str] | None = None,
) -> ImportResult:
    """Write every timestamp of the timeseries at ``path`` as a version of a new night at ``out``
    (nothing is written when the file is malformed). ``timezone`` None: the file's state's zone;
    ``level`` "precinct" or "county" forces the level (None: the file's rows decide); ``meta``:
    extra meta keys for the night."""
    try:
        with path.open("rb") as file:  # streamed: a big state's file is never held whole
            series = read_timeseries(file, source=path.name, level=level)
    except OSError as exc:
        raise TrackerError(f"cannot read {path}: {exc.strerror or exc}") from None
    except FeedError as exc:
        message = str(exc)
        raise FeedError(message if path.name in message else f"{path.name}: {message}") from None
    zone = timezone or STATE_ZONES.get(series.state, "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TrackerError(
            f"unknown time zone {zone!r} (expected an IANA name such as America/New_York)"
        ) from None
    election = series.election
    count = len(series.stamps)
    level = "precinct" if series.level == "precinct" else "county"
    digests: set[bytes] = set()

    def entries():
        for snap in series.snapshots():
            doc = dump_native(snap)
            digests.add(hashlib.sha256(doc).digest())
            yield Entry(doc, snap.published_at, NATIVE, path.name, snap.version, snap.published_at)

    write_night(
        out,
        entries(),
        kind=kind,
        label=label
        if label is not None
        else f"{election.name} by {level} — results timeseries, {count_of(count, 'timestamp')} ({path.name})",
        note=(
            f"Converted from a results timeseries ({FORMAT}): one version per timestamp, at its own "
            f"time (UTC). {series.level_note} A 0 in the file is not reported yet; the file has no "
            "completeness flags, so no unit is ever complete."
        ),
        sources=[path.name],
        timezone=zone,
        meta={
            "times": "published",
            "converted_from": FORMAT,
            "level": series.level,
            "level_note": series.level_note,
            **(meta or {}),
        },
        created_at=created_at,
    )
    return ImportResult(
        path=out,
        count=count,
        distinct=len(digests),
        first_time=series.times[0],
        last_time=series.times[-1],
        times="published",
        notes=(series.level_note,),
    )
