"""Build a night file from payloads saved on disk (``election-tracker import``).

People keep feed downloads in folders (a scraper's output, a newsroom's archive); importing them
makes a night the app can replay. Each payload is parsed once here, to find its format and to
refuse a malformed file before anything is written: the night is built in a temporary file beside
the target and renamed into place only when every payload went in, so a failed import leaves no
half-written night behind.

When each payload appeared, in order of preference:

1. the payload's own publication time (Clarity's ``Timestamp``, native ``published_at``);
2. the ``--times`` CSV (columns ``file,time``; ISO-8601 times, a time without an offset is taken
   in the night's time zone);
3. a time in the file's name, as scrapers write them (``20210106T000831Z_ALL.json``,
   ``2022-11-08T21-09-22-05-00.csv``; without an offset, in the night's time zone), when every
   payload without a time of its own has one;
4. when no payload has a time of its own and nothing else is given: file order, one minute apart
   from 2000-01-01T00:00Z, and the night's meta says ``times: file order`` so no one reads them
   as real.

Mixing real publication times with invented file-order times would make a nonsense timeline, so
when some payloads carry a time and others do not (nor in their names), a CSV is required.

A scraper's folder often holds what the server sent instead of results (an HTML error page, an
empty body): such a file stops the import, naming it, unless ``skip_unreadable`` is set; then it
is left out, listed in the result and in the night's meta, and the rest goes in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.archive.import_write import Entry, ImportResult, write_night
from tracker.archive.night_names import NAMES_KEY, names_text
from tracker.archive.night_state import STATE_KEY, STATE_NAMES
from tracker.core.errors import FeedError, NightFileError, TrackerError
from tracker.core.model import Snapshot
from tracker.core.untimed import FILE_ORDER
from tracker.core.words import count
from tracker.feeds.precinct_csv import contest_name_from, county_from
from tracker.feeds.registry import (
    CLARITY_ALL_JSON,
    FORMATS,
    NIGHT_FORMATS,
    PRECINCT_TOTALS_CSV,
    detect_format,
    parse_payload,
    whole_night_format,
)

#: Where file-order times start: obviously not election night, and the same every build.
FILE_ORDER_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FILE_ORDER_STEP = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class _Item:
    path: Path
    data: bytes
    fmt: str
    snapshot: Snapshot
    #: Where the payload came from, as the night records it (the parser's ``source`` on replay).
    url: str = ""


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and a folder's files sorted by name (not recursive; hidden files such as
    ``.DS_Store`` skipped) so the same folder always imports in the same order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = path.resolve()
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")),
                key=lambda p: p.name,
            )
            for p in found:  # a link to a file elsewhere is not the folder's (issue 19)
                if not p.resolve().is_relative_to(inside):
                    raise TrackerError(
                        f"{p.name} in {path} is a link to a file outside the folder; "
                        "import that file by its own name if you mean it"
                    )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise TrackerError(f"{path} is not a file or a folder (a device, a pipe or a socket)")
        else:
            raise TrackerError(f"no such file or folder: {path}")
    if not files:
        raise TrackerError("nothing to import: no payload files were given")
    return files


#: The largest payload file imported (the poller's own limit).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def _load_names(path: Path) -> Snapshot:
    """The payload ``import --names`` gives (a detail XML or summary.json of the same election),
    parsed once; one sentence when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrackerError(f"cannot read the names file {path}: {exc.strerror or exc}") from None
    try:
        return parse_payload(data, "auto", source=path.name)
    except FeedError as exc:
        raise FeedError(f"the names file {path.name} cannot be read: {exc}") from None


def _load(path: Path, fmt: str, names: Snapshot | None = None) -> _Item:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise TrackerError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MB; not a results file")
        data = path.read_bytes()
    except OSError as exc:
        raise TrackerError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        found = detect_format(data, path.name) if fmt == "auto" else fmt
        # a precinct totals CSV names no contest (nor county): its folders do, so the night keeps them
        source = "/".join(path.absolute().parts[1:][-3:]) if found == PRECINCT_TOTALS_CSV else path.name
        snapshot = parse_payload(
            data, found, source=source, names_from=names if found == CLARITY_ALL_JSON else None
        )
    except FeedError as exc:
        message = str(exc)
        if path.name not in message:
            message = f"{path.name}: {message}"
        raise FeedError(message) from None
    return _Item(path=path, data=data, fmt=found, snapshot=snapshot, url=source)


def _read_times(csv_path: Path, zone: ZoneInfo) -> dict[str, dt.datetime]:
    """``file,time`` rows keyed by the file column (matched against a payload's path as given,
    then its name)."""
    try:
        text = csv_path.read_text(encoding="utf-8-sig")  # a BOM when Excel saved it
    except OSError as exc:
        raise TrackerError(f"cannot read the times file {csv_path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TrackerError(f"the times file {csv_path} is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "file" not in fields or "time" not in fields:
        raise TrackerError(f"the times file {csv_path} needs a header row with the columns file,time")
    reader.fieldnames = fields
    times: dict[str, dt.datetime] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("file") or "").strip()
        value = (row.get("time") or "").strip()
        if not name and not value:
            continue
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise TrackerError(
                f"{csv_path}, line {line}: {value!r} is not an ISO-8601 time (e.g. 2017-04-18T21:37:00-04:00)"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone)
        if name in times:
            raise TrackerError(f"{csv_path}, line {line}: {name} is listed twice")
        times[name] = when
    return times


#: A date and time in a file name: 20210106T000831Z, 2022-11-08T21-09-22-05-00, 2022-11-08_21:09:22.
_NAME_TIME = re.compile(
    r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})[T_ ](\d{2})[-:]?(\d{2})[-:]?(\d{2})"
    r"(?:(Z)|([+-])(\d{2})[-:]?(\d{2}))?(?!\d)"
)


def name_time(name: str, zone: dt.tzinfo) -> dt.datetime | None:
    """The time a scraper wrote into a file's name (the first one), or None: without an offset it
    is taken in ``zone``."""
    m = _NAME_TIME.search(name)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    zulu, sign, off_h, off_m = m.groups()[6:]
    try:
        when = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if zulu:
        return when.replace(tzinfo=dt.UTC)
    if sign:
        offset = dt.timedelta(hours=int(off_h), minutes=int(off_m))
        return when.replace(tzinfo=dt.timezone(offset if sign == "+" else -offset))
    return when.replace(tzinfo=zone)


def _times_for(items: list[_Item], times_csv: Path | None, zone: ZoneInfo) -> tuple[list[dt.datetime], str]:
    missing = [item for item in items if item.snapshot.published_at is None]
    if not missing:
        return [item.snapshot.published_at for item in items], "published"  # type: ignore[misc]
    named = {id(item): name_time(item.path.name, zone) for item in missing}
    if times_csv is None and all(named.values()):
        out = [item.snapshot.published_at or named[id(item)] for item in items]
        return out, ("file names" if len(missing) == len(items) else "published+file names")  # type: ignore[return-value]
    if times_csv is None:
        if len(missing) < len(items):
            raise TrackerError(
                f"{missing[0].path.name} has no publication time of its own while other files do; "
                "give a --times CSV (file,time) for the files without one"
            )
        return [FILE_ORDER_EPOCH + i * FILE_ORDER_STEP for i in range(len(items))], FILE_ORDER
    table = _read_times(times_csv, zone)
    out: list[dt.datetime] = []
    for item in items:
        if item.snapshot.published_at is not None:
            out.append(item.snapshot.published_at)
            continue
        when = table.get(str(item.path), table.get(item.path.name))
        if when is None:
            raise TrackerError(f"{times_csv} has no time for {item.path.name}")
        out.append(when)
    return out, ("csv" if len(missing) == len(items) else "published+csv")


def _default_label(item: _Item, count: int, kind: str) -> str:
    first = item.snapshot
    name = first.election.name.strip() or first.election.id
    text = f"{name} — imported from {count} saved payload{'s' if count != 1 else ''}"
    if item.fmt == PRECINCT_TOTALS_CSV:
        folder = contest_name_from(item.url)
        county, _state = county_from(item.url)
        text += f" — contest named from its folder {folder}" if folder else " — contest not named"
        text += f", county {county} from the folder above" if county else ""
    if kind == "reconstructed":
        text += " — reconstructed, not the original feed"
    return " ".join(text.split())  # one line, whatever the feed's name holds


def _own_state(items: list[_Item]) -> str:
    """The one state every payload names, as its parser read it for the rules (a Clarity Region,
    precinct totals under a county's folder, a format of one state's such as Georgia's export),
    else "". The night keeps it (meta ``state``): it is shown in that state's zone, as a live feed
    of it is (tracker.feeds.discovery.guess_timezone), and ``serve`` names that state, not Georgia
    (tracker.archive.night_state)."""
    from tracker.feeds.discovery import state_of_format

    states = set()
    for item in items:
        state = item.snapshot.election.state or state_of_format(item.fmt)
        if not state and item.fmt == PRECINCT_TOTALS_CSV:
            state = county_from(item.url)[1]
        if state not in STATE_NAMES:  # none, or no state ("US": AP's national races)
            return ""
        states.add(state)
    return states.pop() if len(states) == 1 else ""


def _own_zone(state: str) -> str | None:
    from tracker.feeds.discovery import STATE_ZONES

    return STATE_ZONES.get(state) if state else None


def _whole_night_format(files: list[Path], fmt: str) -> str | None:
    """The format when the files are one file that holds a whole night; None for payloads. Such a
    file among others is refused: its versions cannot be interleaved with other payloads'."""
    if fmt != "auto":
        found = [fmt if fmt in NIGHT_FORMATS else None] * len(files)
    else:
        found = []
        for path in files:
            try:
                with path.open("rb") as fh:
                    found.append(whole_night_format(fh.read(_DETECT_HEAD)))
            except OSError:
                found.append(None)  # said when the file is read as a payload
    for path, f in zip(files, found, strict=True):
        if f in NIGHT_FORMATS and len(files) > 1:
            raise TrackerError(f"{path.name} holds a whole night (every version of it): import it on its own")
    return found[0] if found and found[0] in NIGHT_FORMATS else None


#: How much of a file format detection reads before a whole-night file is told from payloads.
_DETECT_HEAD = 65536


def import_payloads(
    paths: Sequence[Path],
    *,
    fmt: str = "auto",
    out: Path,
    times_csv: Path | None = None,
    kind: str = "recorded",
    label: str | None = None,
    timezone: str | None = None,
    overwrite: bool = False,
    created_at: dt.datetime | None = None,
    skip_unreadable: bool = False,
    names: Path | None = None,
    meta: dict[str, str] | None = None,
) -> ImportResult:
    """Write the payload files in ``paths`` (files, or folders of files) into a new night at
    ``out``, in time order (file order breaks ties).

    Raises FeedError naming the file for a malformed payload, TrackerError for missing files or
    times, NightFileError when ``out`` exists and ``overwrite`` is false; in every case nothing
    is written. ``created_at`` (default now) is the night's creation time in its metadata.
    ``skip_unreadable``: a payload that cannot be read as results is left out (and listed) instead.
    ``names``: a payload of the same election that names what Clarity's ALL.json files leave
    nameless; what it says is kept in the night (``tracker.archive.night_names``).
    ``meta``: extra meta keys for the night (a benchmark's build stamp, a baseline's name).
    ``timezone``: the IANA zone the night is shown in (and file-name times without an offset are
    read in); None: the files' own state's where their format names it (a results timeseries,
    precinct totals under a county's folder), else UTC.

    A file that holds a whole night (``NIGHT_FORMATS``: a results timeseries) is imported alone,
    one version per timestamp (``tracker.archive.import_timeseries``).
    """
    out = Path(out)
    if fmt != "auto" and fmt not in FORMATS:
        raise FeedError(f"unknown format {fmt!r}; known formats: auto, {', '.join(FORMATS)}")
    zone_name = timezone or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TrackerError(
            f"unknown time zone {zone_name!r} (expected an IANA name such as America/New_York)"
        ) from None
    if out.exists() and not overwrite:
        raise NightFileError(f"{out} already exists; choose another name or allow overwriting")
    files = _expand(paths)
    if _whole_night_format(files, fmt) is not None:
        from tracker.archive.import_timeseries import import_timeseries

        return import_timeseries(
            files[0], out=out, kind=kind, label=label, timezone=timezone, created_at=created_at, meta=meta
        )

    named = _load_names(Path(names)) if names is not None else None
    items: list[_Item] = []
    skipped: list[tuple[str, str]] = []
    for path in files:
        try:
            items.append(_load(path, fmt, named))
        except FeedError as exc:
            if not skip_unreadable:
                raise
            skipped.append((path.name, str(exc)))
    if not items:
        raise FeedError(
            f"the one file could not be read as results: {skipped[0][1]}"
            if len(skipped) == 1
            else f"none of the {len(skipped):,} files could be read as results; the first: {skipped[0][1]}"
        )
    if named is not None and not any(item.fmt == CLARITY_ALL_JSON for item in items):
        # Said, not ignored: whoever passed it expects names from it.
        raise TrackerError(
            f"--names names the races of Clarity ALL.json files, and none of the files given is one "
            f"(the first is {items[0].path.name}); leave --names out"
        )
    state = _own_state(items)
    if timezone is None and (own := _own_zone(state)) is not None:
        zone_name, zone = own, ZoneInfo(own)
    times, source_of_times = _times_for(items, times_csv, zone)
    order = sorted(range(len(items)), key=lambda i: (times[i], i))

    meta = {**(meta or {}), "times": source_of_times}
    if state:
        meta[STATE_KEY] = state
    if named is not None:
        meta[NAMES_KEY] = names_text(named)
    if skipped:
        meta["skipped"] = f"{count(len(skipped), 'unreadable file')} left out: " + ", ".join(
            n for n, _ in skipped
        )
    if source_of_times == FILE_ORDER:
        meta["times_note"] = (
            "the payloads carry no times and none were given: times are file order, "
            "one minute apart from 2000-01-01 00:00 UTC"
        )
    label = label if label is not None else _default_label(items[0], len(items), kind)
    write_night(
        out,
        (
            Entry(
                items[i].data,
                times[i],
                items[i].fmt,
                items[i].url,
                items[i].snapshot.version or None,
                items[i].snapshot.published_at,
            )
            for i in order
        ),
        kind=kind,
        label=label,
        sources=[item.path.name for item in items],
        timezone=zone_name,
        meta=meta,
        created_at=created_at,
    )
    utc = [t.astimezone(dt.UTC) for t in times]
    return ImportResult(
        path=out,
        count=len(items),
        distinct=len({hashlib.sha256(item.data).digest() for item in items}),
        first_time=min(utc),
        last_time=max(utc),
        times=source_of_times,
        skipped=tuple(skipped),
    )
