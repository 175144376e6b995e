"""Record a live feed into a night file, and decide which version is current.

Every fetch the poller makes goes into the night: a new payload raw (exactly the bytes fetched, with
its format, ETag, Last-Modified and the feed's version), everything else — 304s, unchanged bodies,
Clarity version checks, stale versions, errors — as a fetch event, so the night's log shows the
feed's health as well as its data.

Stale versions. Feeds sometimes serve an *older* version for a while (Clarity's CDN did on 5 Jan
2021: 274465 → 274437 → 274465). Such a payload is kept in the night (it is what the feed served)
but it never becomes the current version: the window must not show counts going back in time, and
the newer version stays current. "Older" is decided by :func:`is_older`: the feed's own
publication time when both have one (and it is not ahead of our clock: :func:`trusted_published`),
else numeric version ids, else "these exact bytes were already seen before the current version".
:func:`current_versions` applies the same rule when a night is read back, so a replay and the live
window agree.

Deltas. A payload fetched from a URL with AP's ``minDateTime`` holds only the races updated since;
it is stored raw like any other, and the snapshot it yields is the current one with those races
replaced (:func:`tracker.core.merge.apply_delta`). :class:`tracker.archive.chain.VersionChain`
rebuilds the same snapshots when the night is read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tracker import paths
from tracker.archive.chain import VersionChain, is_delta_url
from tracker.archive.night import NightFile, Version
from tracker.archive.night_schema import ZONE_FROM_KEY
from tracker.core.errors import FeedError
from tracker.core.merge import apply_delta
from tracker.core.model import Snapshot
from tracker.feeds.clarity_overlay import DETAILS, SUMMARY, lay_summary, lays_over
from tracker.feeds.poller import FetchEvent, Poller, PollReport
from tracker.feeds.registry import parse_payload

log = logging.getLogger(__name__)


#: A publication time further ahead of our own fetch clock than this is not trusted to order
#: versions: one version stamped by a server whose clock jumped ahead would otherwise make every
#: later, correct version look older, and the window would stop moving until that time came.
MAX_PUBLISHED_AHEAD = dt.timedelta(hours=1)


def trusted_published(published_at: dt.datetime | None, fetched_at: dt.datetime) -> dt.datetime | None:
    """``published_at`` when it is usable to order versions, else None (then version ids, or the
    bytes already seen, decide): a time more than :data:`MAX_PUBLISHED_AHEAD` after we fetched the
    payload is a skewed clock, not news from the future."""
    if published_at is None:
        return None
    try:
        return None if published_at - fetched_at > MAX_PUBLISHED_AHEAD else published_at
    except TypeError:  # naive against aware: cannot tell, keep the feed's word
        return published_at


@dataclass(frozen=True)
class VersionKey:
    """What orders two versions of one feed."""

    sha256: str
    version: str | None = None
    published_at: dt.datetime | None = None


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 30 else None


def is_older(
    candidate: VersionKey, newest: VersionKey, seen: set[str] | frozenset[str] = frozenset()
) -> bool:
    """True when ``candidate`` is an older version than ``newest`` (a stale cache serving the past).

    Publication times decide when both versions have one and they differ; else numeric version ids
    when both are numbers and differ; else a payload whose bytes were already ``seen`` (before the
    newest) is old. Equal bytes are never older (that is the same version again)."""
    if candidate.sha256 == newest.sha256:
        return False
    a_time, b_time = candidate.published_at, newest.published_at
    if a_time is not None and b_time is not None and a_time != b_time:
        return a_time < b_time
    a, b = _number(candidate.version), _number(newest.version)
    if a is not None and b is not None and a != b:
        return a < b
    return candidate.sha256 in seen


def current_versions(versions: Sequence[Version]) -> list[Version]:
    """The versions a viewer should see, in order: ``versions`` without the stale ones (older than
    one already shown) and without a repeat of the version already current; renumbered from 0."""
    out: list[Version] = []
    seen: set[str] = set()
    newest: VersionKey | None = None
    for v in versions:
        key = VersionKey(v.sha256, v.version, trusted_published(v.published_at, v.fetched_at))
        if newest is not None and (key.sha256 == newest.sha256 or is_older(key, newest, seen)):
            seen.add(key.sha256)
            continue
        seen.add(key.sha256)
        newest = key
        out.append(replace(v, index=len(out)))
    return out


#: A backfilled version published longer than this before we fetched the version that followed it
#: comes from a night re-served long after (``serve`` rehearsing 2017 in 2026): it keeps its place
#: relative to that version, not its own calendar time, or the timeline would span years.
MAX_BACKFILL_AGE = dt.timedelta(days=2)


def version_times(versions: Sequence[Version]) -> list[dt.datetime]:
    """When each of ``versions`` (in night order) happened, for the timeline, replay and ``--at``.

    That is our fetch time — what a watcher saw, and when — except for a version fetched as history
    (``Version.history``: a Clarity site's past versions fetched after a late start, all in the
    moment of connecting). Such a version is placed at its own publication time when the site gives
    one we trust (the detail XML's Timestamp), so the timeline does not bunch the night's early
    hours at the connection; when those times are days older than the fetch of the live version
    that follows (a rehearsal of a past night), they keep their spacing before it instead.
    ``fetched_at`` itself is never changed (it stays the fetch time in the night), and the times
    never go backwards."""
    out: list[dt.datetime] = []
    for i, v in enumerate(versions):
        when = v.fetched_at
        own = trusted_published(v.published_at, v.fetched_at) if v.history else None
        try:
            if own is not None:
                own = own + _rehearsal_offset(versions, i)
            if own is not None and own < when:
                when = own
            if out and when < out[-1]:
                when = out[-1]
        except TypeError:  # a naive time from an old night: keep the fetch time
            when = max(v.fetched_at, out[-1]) if out else v.fetched_at
        out.append(when)
    return out


def _rehearsal_offset(versions: Sequence[Version], i: int) -> dt.timedelta:
    """How far the publication times of the history before the first live version after ``i`` lie
    from our clock: zero on a real night; the years between a past night and its rehearsal."""
    for anchor in versions[i + 1 :]:
        if anchor.history or anchor.published_at is None:
            continue
        lag = anchor.fetched_at - anchor.published_at
        return lag if lag > MAX_BACKFILL_AGE else dt.timedelta(0)
    return dt.timedelta(0)


@dataclass(frozen=True)
class Recorded:
    """What recording one poll's events did."""

    #: New versions that became current, parsed, in order (usually zero or one).
    snapshots: tuple[Snapshot, ...]
    #: Payloads kept in the night but not shown, because they are older than the current version.
    stale: int = 0
    #: Events stored (fetch rows).
    events: int = 0
    #: A new payload that failed to parse (kept out of the night's versions; the error is logged).
    errors: tuple[str, ...] = ()
    #: New payloads with the very bytes of the version already current (a resumed recording's
    #: first fetch, a late start's backfill of what is held): kept in the log, nothing to show.
    repeats: int = 0


class Recorder:
    """Writes one feed's fetches into an open, writable :class:`NightFile` and tracks the current
    version. Thread-safe (calls are serialised), though one poll thread is the usual caller."""

    def __init__(self, night: NightFile, *, source: str = "") -> None:
        self.night = night
        self._source = source
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._newest: VersionKey | None = None
        self.current: Snapshot | None = None
        self.versions = 0
        self.stale = 0
        shown = current_versions(night.versions())
        for v in shown:  # resuming into an existing night
            self._newest = VersionKey(v.sha256, v.version, trusted_published(v.published_at, v.fetched_at))
            self.versions += 1
        #: The version shown is a Clarity detail (or a summary laid over one): a summary.json
        #: that comes next is shown in the detail's names (``clarity_overlay``).
        self._over_detail = bool(shown) and (
            shown[-1].fmt in DETAILS or lays_over(lambda i: shown[i].fmt, len(shown) - 1)
        )
        self._seen.update(v.sha256 for v in night.versions())

    def record_report(self, report: PollReport) -> Recorded:
        return self.record(report.events)

    def record(self, events: Sequence[FetchEvent]) -> Recorded:
        snapshots: list[Snapshot] = []
        stale = stored = repeats = 0
        errors: list[str] = []
        with self._lock:
            for event in events:
                stored += 1
                if event.kind != "new" or event.data is None or event.fmt is None:
                    self.night.add_fetch_event(
                        fetched_at=event.fetched_at,
                        url=event.url,
                        status=event.status,
                        error=event.error,
                        etag=event.etag,
                        last_modified=event.last_modified,
                    )
                    continue
                try:
                    snap = parse_payload(event.data, event.fmt, source=event.url, settings=event.settings)
                except FeedError as exc:
                    # the fetch row and the status bar have the URL: the reason is what fits
                    reason = str(exc).replace(f"{event.url}: ", "")
                    message = f"unreadable payload: {reason}"
                    errors.append(message)
                    log.warning("a new payload from %s: %s", event.url, message)
                    self.night.add_fetch_event(
                        fetched_at=event.fetched_at,
                        url=event.url,
                        status=event.status,
                        error=message[:2000],
                        etag=event.etag,
                        last_modified=event.last_modified,
                    )
                    continue
                version = snap.version or event.version or None
                if event.settings is not None:  # the site's rule, for every later re-parse too
                    self.night.set_clarity_settings(event.settings)
                self.night.add_payload(
                    event.data,
                    fetched_at=event.fetched_at,
                    fmt=event.fmt,
                    url=event.url,
                    status=event.status or 200,
                    etag=event.etag,
                    last_modified=event.last_modified,
                    version=version,
                    published_at=snap.published_at,
                    history=event.history,
                )
                sha = hashlib.sha256(event.data).hexdigest()
                key = VersionKey(sha, version, trusted_published(snap.published_at, event.fetched_at))
                if self._newest is not None and (
                    sha == self._newest.sha256 or is_older(key, self._newest, self._seen)
                ):
                    self._seen.add(sha)
                    if sha == self._newest.sha256:
                        repeats += 1
                    else:
                        stale += 1
                        self.stale += 1
                        log.info("stale version %s from %s kept but not shown", version, event.url)
                    continue
                self._seen.add(sha)
                self._newest = key
                self.versions += 1
                if event.fmt == SUMMARY and self._over_detail:  # a detail's fast path: its names
                    base = self.current if self.current is not None else self._resumed_base()
                    if base is not None:
                        snap = lay_summary(base, snap)
                self._over_detail = event.fmt in DETAILS or (event.fmt == SUMMARY and self._over_detail)
                snap = replace(snap, fetched_at=event.fetched_at, payload_id=sha, version=version or "")
                if is_delta_url(event.url):  # AP's races-changed-since answer: lay it over the picture
                    base = self.current if self.current is not None else self._resumed_base()
                    if base is not None:
                        snap = apply_delta(base, snap)
                self.current = snap
                snapshots.append(snap)
                self._adopt_state(snap)
        return Recorded(tuple(snapshots), stale, stored, tuple(errors), repeats)

    def _adopt_state(self, snap: Snapshot) -> None:
        """A recording whose address named no state takes the zone of the one state its first
        version names (``Election.state``, as each parser reads it: a NIST report's state, a
        Clarity Region, AP's one ``statePostal``), as an import of the same file does
        (``importer._own_state``); a version naming none (AP's national races) leaves UTC."""
        if self.night.meta.get(ZONE_FROM_KEY) != "pending":
            return
        from tracker.feeds.discovery import STATE_ZONES

        state = snap.election.state
        if state in STATE_ZONES:
            self.night.set_own_state(state, STATE_ZONES[state])

    def _resumed_base(self) -> Snapshot | None:
        """The snapshot shown last before this recorder started (resuming into a night), or None
        when the night holds no version but the one just added."""
        versions = current_versions(self.night.versions())[:-1]
        if not versions:
            return None
        return VersionChain(self.night, versions).snapshot(len(versions) - 1)


def default_night_path(label: str, now: dt.datetime | None = None) -> Path:
    """A new file in the data folder's ``nights/`` for a live recording."""
    now = now or dt.datetime.now(dt.UTC)
    slug = "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")[:60] or "feed"
    slug = "-".join(filter(None, slug.split("-")))
    base = paths.nights_dir() / f"{now:%Y%m%d-%H%M%S}-{slug}.night"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.stem}-{n}.night")
    return path


def create_recording(
    path: Path,
    *,
    url: str,
    kind: str,
    timezone: str | None = None,
    until_named: str = "UTC",
    overwrite: bool = False,
) -> NightFile:
    """A new night for recording the feed at ``url`` (already redacted). ``timezone`` None: no
    zone is known yet (the address names no state); the night is in ``until_named`` (UTC, or
    Eastern for AP's national feed) until its first version names its one state, then in that
    state's zone (:meth:`Recorder._adopt_state`)."""
    meta = {"feed_url": url, "feed_kind": kind}
    if timezone is None:
        meta[ZONE_FROM_KEY] = "pending"
    return NightFile.create(
        path,
        kind="recorded",
        label=f"Recorded from {url}",
        note=f"recorded live from a {kind} feed",
        sources=[url],
        timezone=timezone or until_named,
        meta=meta,
        overwrite=overwrite,
    )


def record_feed(
    poller: Poller,
    night: NightFile,
    stop: threading.Event,
    *,
    on_report: Callable[[PollReport, Recorded], None] | None = None,
    max_polls: int | None = None,
    recorder: Recorder | None = None,
    record: Callable[[Recorder, PollReport], Recorded | None] | None = None,
) -> Recorder:
    """Poll until ``stop`` is set, recording every fetch into ``night``: the one poll → record loop,
    for the headless ``record`` command and the window's live feed (:mod:`tracker.watch.feed_jobs`)
    alike. A payload that cannot be read becomes an error of the feed's (its health, its backoff);
    ``on_report`` hears of every poll once it is recorded. A TrackerError (the night file cannot be
    written) ends the loop and reaches the caller, which owns ``stop``.

    ``recorder``: one made already (the window records the first poll itself, to tell a URL that is
    no feed from one that is). ``record``: how one report is recorded, if not
    ``Recorder.record_report`` (the window pauses the cyclic GC for big payloads); None from it
    means the report was dropped (the feed was stopped meanwhile)."""
    if recorder is None:
        recorder = Recorder(night, source=poller.target.display_url)
    write = record if record is not None else Recorder.record_report

    def sink(report: PollReport) -> None:
        recorded = write(recorder, report)
        if recorded is None:
            return
        if recorded.errors:  # a payload that could not be read is an error of the feed's
            report = poller.payload_unreadable(report, recorded.errors[-1])
        if on_report is not None:
            on_report(report, recorded)

    poller.run(sink, stop, max_polls=max_polls)
    return recorder
