"""The one module that crosses threads.

DESIGN.md's rule: no network, disk or parsing on the GUI thread, and the only threading pattern that
has proven sound on this stack is one long-lived QObject that owns its signals and a QThreadPool,
with jobs started as plain callables. Everything else in ``tracker/ui`` talks to the core through
this object and receives plain, immutable results on the GUI thread.

Two details are deliberate:

* The pool has exactly one thread that never expires. A night file is an SQLite connection, which
  must be used from the thread that opened it; one permanent thread also serialises every access
  to it without locks, and parsing one version at a time is what a replay needs anyway.
* Jobs never emit the public signals themselves. They post a callable through a private signal that
  is connected with an explicit queued connection to a slot of this object (which lives on the GUI
  thread), so ``night_loaded`` / ``snapshot_ready`` / ``failed`` are always emitted on the GUI thread
  -- whatever the receiver is (a bound method, a lambda, pytest-qt's waitSignal) -- and the
  "is this result still wanted?" check runs there without races.

A live feed's poll loop is long-running, so it has a second pool of its own (one thread): it
fetches, records into the night file and parses there, posts health and new versions through the
same private signal, and hands the recording to the first thread, which reads it like any night.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from tracker.core.errors import TrackerError
from tracker.core.model import Snapshot
from tracker.core.outstanding import estimate_outstanding
from tracker.core.projection import Baseline, ContestProjection, project_contest, projection_records
from tracker.core.race_facts import RaceFacts, fingerprints, snapshot_facts
from tracker.core.threshold import Outstanding
from tracker.store import ProjectionRecord, Store, write_projections_csv
from tracker.ui.alert_jobs import AlertJobs

if TYPE_CHECKING:  # the night reader is imported in the worker thread, when first needed
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile, Version
    from tracker.archive.recorder import Recorded, Recorder
    from tracker.feeds.poller import PollReport

log = logging.getLogger(__name__)

#: How many parsed snapshots to keep: scrubbing back and forth over the last few versions should
#: not re-parse them, while a whole night's worth would hold hundreds of megabytes.
DEFAULT_CACHE_SIZE = 12


@dataclass(frozen=True)
class NightInfo:
    """What the window needs to know about an opened night, as plain immutable data.

    ``final`` is the night's last version, parsed while opening: it gives the election id (for the
    pins), the list of races and the default race (most votes) before the user picks an instant.
    """

    path: Path
    label: str
    kind: str
    reconstructed: bool
    timezone: dt.tzinfo
    meta: Mapping[str, str]
    versions: tuple[Version, ...]
    final: Snapshot
    pins: frozenset[str] = field(default_factory=frozenset)
    #: A night being recorded from a live feed right now (it grows: see ``Worker.night_grew``).
    live: bool = False
    #: The live feed's URL, redacted (no API key).
    feed_url: str = ""

    @property
    def election_id(self) -> str:
        return self.final.election.id

    @property
    def times(self) -> list[dt.datetime]:
        """When each version appeared (our fetch time: what a watcher saw, and when)."""
        return [v.fetched_at for v in self.versions]


@dataclass(frozen=True)
class _Parsed:
    snapshot: Snapshot
    estimates: Mapping[str, Outstanding | None]
    projections: Mapping[str, ContestProjection] = field(default_factory=dict)
    #: The race list's facts per race (tracker.core.race_facts), made here rather than on the GUI thread.
    facts: tuple[RaceFacts, ...] = ()


#: Earlier versions projected before a version is first shown (the rest follow right after).
COARSE_POINTS = 8


def _coarse(index: int) -> list[int]:
    """Up to ``COARSE_POINTS`` versions before ``index``, evenly spread, first and last included."""
    if index <= COARSE_POINTS:
        return list(range(index))
    step = (index - 1) / (COARSE_POINTS - 1)
    return sorted({round(k * step) for k in range(COARSE_POINTS)})


def _project_all(snapshot: Snapshot, baselines: Mapping[str, Baseline]) -> dict[str, ContestProjection]:
    """Projections per contest (a few ms each on GA-06): on the worker thread, with the parse."""
    from tracker.archive.projections import baseline_for

    out: dict[str, ContestProjection] = {}
    for contest in snapshot.contests:
        try:
            out[contest.id] = project_contest(contest, baseline_for(baselines, contest))
        except Exception:
            log.exception("projecting %s", contest.name)
    return out


def _estimate_all(snapshot: Snapshot) -> dict[str, Outstanding | None]:
    """Outstanding-vote estimates per contest: tens of milliseconds for GA-06's 208 precincts,
    too slow for the GUI thread at a 1000× replay. A contest whose estimate fails is left out
    (the view then computes it itself and the error surfaces there, where it is visible)."""
    out: dict[str, Outstanding | None] = {}
    for contest in snapshot.contests:
        try:
            out[contest.id] = estimate_outstanding(contest)
        except Exception:
            log.exception("estimating the outstanding vote of %s", contest.name)
    return out


#: A payload at least this big is parsed with the cyclic GC paused, and what it built is frozen
#: out of later collections (see ``_record_quietly``).
BIG_PAYLOAD_BYTES = 4 * 1024 * 1024


def _record_quietly(recorder: Recorder, report: PollReport) -> Recorded:
    """Record (and parse) a poll's payloads without stalling the GUI thread on the GIL.

    A full collection of the cyclic GC holds the GIL for as long as it takes to walk every live
    object: after a 50 MB version is parsed that is ~100 ms, in whichever thread trips it, the GUI
    thread included (benchmarks/live.py measured 230 ms stalls). Snapshots hold no reference
    cycles (refcounting frees them), so while a big payload is parsed the collector is paused, and
    afterwards what exists is moved out of its sight with ``gc.freeze()``."""
    big = any(e.data is not None and len(e.data) >= BIG_PAYLOAD_BYTES for e in report.events)
    if not big:
        return recorder.record_report(report)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return recorder.record_report(report)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _version_label(snapshot: Snapshot) -> str:
    """A short name for a feed version in the status bar: the feed's own time when it gives one
    ("22:50 EDT"), else its version id (shortened)."""
    when = snapshot.published_at
    if when is not None:
        return f"{when:%H:%M} {when.tzname() or ''}".strip()
    text = snapshot.version or "?"
    return text if len(text) <= 16 else text[:15] + "…"


class Worker(QObject, AlertJobs):
    """Runs night-file, parsing and store jobs off the GUI thread; results arrive as signals.
    The alert jobs are in :mod:`tracker.ui.alert_jobs`."""

    #: A night was opened: a :class:`NightInfo`.
    night_loaded = Signal(object)
    #: Version ``index`` of the current night parsed into a Snapshot (only the newest request).
    snapshot_ready = Signal(int, object)
    #: One sentence for the user (bad night file, unreadable store, parser failure).
    failed = Signal(str)
    #: A pin change is on disk: election id, contest id, pinned.
    pin_saved = Signal(str, str, bool)
    #: The live night has new versions: the updated :class:`NightInfo` (same night, more versions).
    night_grew = Signal(object)
    #: After every poll of the live feed: a :class:`tracker.feeds.poller.FeedHealth`.
    feed_health = Signal(object)
    #: Recently opened feed URLs (newest first), answering ``request_recent_feeds``.
    recent_feeds = Signal(object)
    #: New rows were appended to the store's projection log (how many).
    projections_logged = Signal(int)
    #: The timeline's history of the version on screen is complete (its index).
    history_grew = Signal(int)
    #: The projection log of the current night, as asked by ``request_projection_log``: a list of
    #: :class:`~tracker.store.ProjectionRecord`.
    projection_log_ready = Signal(object)
    #: The projection log was written as CSV: path, rows.
    projection_log_exported = Signal(str, int)
    #: Alerts of the current night: every known one (a list, or None when unchanged) and the new
    #: ones to announce (see ``tracker/ui/alert_jobs.py``).
    alerts_ready = Signal(object, object)
    #: The stall-alert minutes from the store, answering ``request_alert_settings``.
    alert_settings = Signal(int)
    #: The alert log was written as CSV: path, rows.
    alerts_exported = Signal(str, int)

    #: The start page's lists: a :class:`tracker.archive.catalogue.Catalogue`.
    catalogue_ready = Signal(object)
    #: A payload file dropped on the window is now a night: its path.
    payload_imported = Signal(object)

    #: Private: a zero-argument callable to run on the GUI thread (see the module docstring).
    _posted = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        store_factory: Callable[[], Store] = Store,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # one permanent thread: SQLite connections stay on it
        self._posted.connect(self._run_posted, Qt.ConnectionType.QueuedConnection)
        self._store_factory = store_factory
        self._cache_size = max(cache_size, 1)
        self._cache: OrderedDict[tuple[int, int], _Parsed] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._generation = 0  # bumped per opened night; results of an older night are dropped
        self._wanted: tuple[int, int] | None = None
        self._closing = False
        # Live feeds: the poll loop is long-running, so it has a pool (one thread) of its own.
        self._feed_pool = QThreadPool(self)
        self._feed_pool.setMaxThreadCount(1)
        self._feed_stop: threading.Event | None = None
        self._feed_token = 0
        # Pure jobs on immutable data (drill-down rows, writing an export): a pool of their own, so
        # they do not wait behind a night's parsing and projections on the first pool's thread.
        self._task_pool = QThreadPool(self)
        self._task_pool.setMaxThreadCount(1)
        # Owned by the worker thread only:
        self._night: NightFile | None = None
        self._versions: list[Version] = []
        #: The versions' snapshots with AP deltas merged (tracker.archive.chain), and their cache.
        self._chain: VersionChain | None = None
        self._store: Store | None = None
        self._live_info: NightInfo | None = None
        self._baselines: dict[str, Baseline] = {}
        self._source = ""
        # Per version index of the current night: (time, projections), for the timeline. Guarded
        # by the cache lock (the GUI thread reads it); kept for the whole night, not an LRU.
        self._history: dict[int, tuple[dt.datetime, Mapping[str, ContestProjection]]] = {}
        self._history_gen = -1
        # Per version index: each race's fingerprint (tracker.core.race_facts), for the race
        # list's "last changed" column. Same lock and lifetime as ``_history``.
        self._prints: dict[int, dict[str, int]] = {}
        self._alerts = None  # tracker.archive.alerts.NightAlerts of the current night (worker thread)

    # GUI-thread API --------------------------------------------------------------------------------
    def open_night(self, path: Path) -> None:
        """Open ``path`` in the background; ``night_loaded`` or ``failed`` follows."""
        if self._closing:
            return
        self.stop_feed()
        self._generation += 1
        self._wanted = None
        self._pool.start(lambda gen=self._generation: self._open_job(Path(path), gen))

    def request_snapshot(self, index: int) -> None:
        """Ask for version ``index`` of the current night. Only the newest request is answered:
        while scrubbing, versions the user has already moved past are skipped, not parsed."""
        if self._closing:
            return
        key = (self._generation, index)
        self._wanted = key
        cached = self._cache_get(key)
        if cached is not None:
            self.snapshot_ready.emit(index, cached)
            if not self._history_has(key, range(index)):
                self._pool.start(lambda: self._fill_history_job(key))
        else:
            self._pool.start(lambda: self._parse_job(key))
        self._pool.start(lambda: self._alerts_job(key))

    def history_ready(self, index: int, *, complete: bool = False) -> bool:
        """Is the timeline's history of version ``index`` projected: its first, coarse part, or
        (``complete``) every earlier version? A user sees the bars first and the timeline a moment
        later; screenshot mode waits for all of it."""
        return self._history_has((self._generation, index), range(index) if complete else _coarse(index))

    def _history_has(self, key: tuple[int, int], indices: Iterable[int]) -> bool:
        """Have these versions of ``key``'s night been projected (for the timeline)?"""
        with self._cache_lock:
            return self._history_gen == key[0] and all(i in self._history for i in indices)

    def set_pinned(self, election_id: str, contest_id: str, pinned: bool, contest_name: str = "") -> None:
        """Persist a pin in the store (in the background: the store is SQLite on disk)."""
        if self._closing:
            return
        self._pool.start(lambda: self._pin_job(election_id, contest_id, pinned, contest_name))

    def run_store_job(self, job: Callable[[Store], object], done: Callable[[object], None]) -> None:
        """Run ``job(store)`` on the worker thread (the store is SQLite on disk; a job may also
        read or write a small file) and ``done(result)`` on the GUI thread. A TrackerError ends
        as ``failed`` with its own sentence; a bug as "unexpected error"."""
        if self._closing:
            return
        self._pool.start(lambda: self._store_job(job, done))

    def request_projection_log(self, contest_id: str | None = None) -> None:
        """Read the current night's projection log from the store (in the background);
        ``projection_log_ready`` follows."""
        if self._closing:
            return
        self._pool.start(lambda: self._log_job(contest_id))

    def export_projection_log(self, path: Path, contest_id: str | None = None) -> None:
        """Write the current night's projection log as CSV (in the background)."""
        if self._closing:
            return
        self._pool.start(lambda: self._export_job(Path(path), contest_id))

    def run_task(
        self,
        job: Callable[[], object],
        done: Callable[[object], None],
        *,
        error: str = "the task failed",
    ) -> None:
        """Run ``job`` (a pure function of immutable data, or a file write; never the night file or
        the store) off the GUI thread and call ``done`` with its result on the GUI thread. A
        failure reaches ``failed`` as "``error``: why"."""
        if self._closing:
            return

        def run() -> None:
            try:
                result = job()
            except Exception as exc:
                log.warning("%s", error, exc_info=True)
                self._fail(f"{error}: {exc}")
                return
            self._post(lambda: done(result))

        self._task_pool.start(run)

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """Block until queued jobs are done (tests); their results are still queued as events,
        delivered the next time the event loop runs. The night pool is waited on with a marker job,
        not ``waitForDone``: that would end its one permanent thread, and the SQLite connections
        opened on it could not be used from the next one."""
        done = threading.Event()
        self._pool.start(done.set)  # one thread, first in first out: runs after every job before it
        return done.wait(timeout_ms / 1000) and self._task_pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Drop queued jobs, close the night and the store on their own thread, wait for it."""
        if self._closing:
            return True
        self.stop_feed()
        self._closing = True
        if not self._feed_pool.waitForDone(timeout_ms):
            log.warning("the feed poller did not stop within %d ms", timeout_ms)
        self._pool.clear()
        if not self._task_pool.waitForDone(timeout_ms):  # an export being written is finished
            log.warning("a task did not finish within %d ms", timeout_ms)
        self._pool.start(self._close_job)
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            log.warning("worker did not finish within %d ms; exiting anyway", timeout_ms)
        return done

    @property
    def closing(self) -> bool:
        return self._closing

    # delivery (GUI thread) -------------------------------------------------------------------------
    @Slot(object)
    def _run_posted(self, fn: Callable[[], None]) -> None:
        if not self._closing:
            fn()

    def _post(self, fn: Callable[[], None]) -> None:
        if self._closing:
            return
        try:
            self._posted.emit(fn)
        except RuntimeError:  # the worker was deleted under a running job (the app is quitting)
            log.debug("a result arrived after the worker was deleted; dropped")

    def _deliver_night(self, gen: int, info: NightInfo) -> None:
        if gen == self._generation:
            self.night_loaded.emit(info)

    def _deliver_snapshot(self, key: tuple[int, int], snapshot: Snapshot) -> None:
        if key == self._wanted:
            self.snapshot_ready.emit(key[1], snapshot)

    def _fail(self, message: str) -> None:
        self._post(lambda: self.failed.emit(message))

    # cache (both threads) --------------------------------------------------------------------------
    def _cache_get(self, key: tuple[int, int]) -> Snapshot | None:
        with self._cache_lock:
            parsed = self._cache.get(key)
            if parsed is None:
                return None
            self._cache.move_to_end(key)
            return parsed.snapshot

    def _cache_put(self, key: tuple[int, int], snapshot: Snapshot) -> None:
        projections = _project_all(snapshot, self._baselines)
        facts = snapshot_facts(snapshot)
        parsed = _Parsed(snapshot, _estimate_all(snapshot), projections, facts)  # the slow part, here
        self._log_projections(snapshot, projections)
        self._remember(key, snapshot, projections, {f.contest_id: f.fingerprint for f in facts})
        with self._cache_lock:
            self._cache[key] = parsed
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def estimates(self, snapshot: Snapshot) -> Mapping[str, Outstanding | None] | None:
        """The outstanding-vote estimate of each contest of ``snapshot`` (contest id → estimate),
        computed on the worker thread with the parse; None if this snapshot is not cached."""
        with self._cache_lock:
            for parsed in self._cache.values():
                if parsed.snapshot is snapshot:
                    return parsed.estimates
        return None

    def history(self, contest_id: str, upto: int) -> list[tuple[dt.datetime, ContestProjection]]:
        """The projections of ``contest_id`` at versions 0 … ``upto`` of the current night that the
        worker has made, in time order (for the timeline)."""
        with self._cache_lock:
            if self._history_gen != self._generation:
                return []
            items = sorted((i, v) for i, v in self._history.items() if i <= upto)
        return [(when, p[contest_id]) for _, (when, p) in items if contest_id in p]

    def race_facts(self, snapshot: Snapshot) -> tuple[RaceFacts, ...] | None:
        """The race list's facts for ``snapshot`` (in its contests' order), computed on the worker
        thread with the parse; None if this snapshot is not cached."""
        with self._cache_lock:
            for parsed in self._cache.values():
                if parsed.snapshot is snapshot:
                    return parsed.facts
        return None

    def fingerprints(self) -> dict[int, dict[str, int]]:
        """Each race's fingerprint per version index of the current night, for the versions read
        so far (the shown ones and the timeline's history): what ``last_changes`` walks."""
        with self._cache_lock:
            if self._history_gen != self._generation:
                return {}
            return dict(self._prints)

    def projections(self, snapshot: Snapshot) -> Mapping[str, ContestProjection] | None:
        """The projection of each contest of ``snapshot`` (contest id → projection), computed on
        the worker thread with the parse; None if this snapshot is not cached."""
        with self._cache_lock:
            for parsed in self._cache.values():
                if parsed.snapshot is snapshot:
                    return parsed.projections
        return None

    # jobs (worker thread) --------------------------------------------------------------------------
    def _log_projections(self, snapshot: Snapshot, projections: Mapping[str, ContestProjection]) -> None:
        """Append the projections to the store's log (worker thread; a failure is logged, never
        shown: the projection on screen does not depend on it)."""
        self._log_many([(snapshot, projections)])

    def _log_many(self, made: list[tuple[Snapshot, Mapping[str, ContestProjection]]]) -> None:
        """Several versions' projections in one transaction (one disk sync, not one per version)."""
        if not made or not self._source:
            return
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            records = [
                r
                for snapshot, projections in made
                for r in projection_records(snapshot, projections, source=self._source, made_at=now)
            ]
            added = self._store_job_store().append_projections(records)
        except Exception:
            log.warning("could not log %d versions' projections", len(made), exc_info=True)
            return
        if added:
            self._post(lambda: self.projections_logged.emit(added))

    def _log_rows(self, contest_id: str | None) -> list[ProjectionRecord]:
        if not self._source:
            return []
        return self._store_job_store().projections(source=self._source, contest_id=contest_id)

    def _log_job(self, contest_id: str | None) -> None:
        try:
            rows = self._log_rows(contest_id)
        except Exception as exc:
            self._fail(f"cannot read the projection log: {exc}")
            return
        self._post(lambda: self.projection_log_ready.emit(rows))

    def _export_job(self, path: Path, contest_id: str | None) -> None:
        try:
            rows = self._log_rows(contest_id)
            with path.open("w", newline="", encoding="utf-8") as fh:
                n = write_projections_csv(rows, fh)
        except Exception as exc:
            self._fail(f"cannot export the projection log to {path}: {exc}")
            return
        self._post(lambda: self.projection_log_exported.emit(str(path), n))

    def _open_job(self, path: Path, gen: int) -> None:
        from tracker.archive.night import NightFile

        try:
            night = NightFile.open(path, readonly=True)
        except TrackerError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # a bug, not a user error: keep the window alive and say so
            log.exception("opening %s", path)
            self._fail(f"cannot open {path.name}: {exc}")
            return
        try:
            from tracker.archive.chain import VersionChain
            from tracker.archive.recorder import current_versions

            versions = current_versions(night.versions())  # a stale cache's versions are not shown
            if not versions:
                raise TrackerError(f"{path.name} holds no recorded versions yet")
            chain = VersionChain(night, versions)
            final = chain.snapshot(len(versions) - 1)
            pins = self._read_pins(final.election.id)
            self._record_opened(path)
            info = NightInfo(
                path=path,
                label=str(night.label),
                kind=str(night.kind),
                reconstructed=bool(night.reconstructed),
                timezone=night.timezone,
                meta=dict(night.meta),
                versions=tuple(versions),
                final=final,
                pins=frozenset(pins),
            )
        except Exception as exc:
            night.close()
            if not isinstance(exc, TrackerError):
                log.exception("reading %s", path)
            self._fail(str(exc) if isinstance(exc, TrackerError) else f"cannot read {path.name}: {exc}")
            return
        if self._night is not None:  # the previous night stays usable until the new one is good
            self._night.close()
        self._night, self._versions, self._chain = night, versions, chain
        self._source = str(path.resolve())
        try:
            from tracker.archive.projections import load_baselines

            self._baselines = load_baselines(night)
        except Exception:  # no baseline is a weaker projection, not a broken night
            log.warning("could not load the baseline of %s", path, exc_info=True)
            self._baselines = {}
        self._reset_alerts(info.pins)
        self._cache_put((gen, len(versions) - 1), final)
        self._post(lambda: self._deliver_night(gen, info))

    def _parse_job(self, key: tuple[int, int]) -> None:
        if key != self._wanted:  # superseded before it started: skip the parse entirely
            return
        gen, index = key
        cached = self._cache_get(key)
        if cached is None:
            if gen != self._generation or self._night is None or not 0 <= index < len(self._versions):
                return
            try:
                cached = self._chain_of().snapshot(index)
            except TrackerError as exc:
                self._fail(str(exc))
                return
            except Exception as exc:
                log.exception("parsing version %d", index)
                self._fail(f"cannot read version {index + 1} of this night: {exc}")
                return
            self._cache_put(key, cached)
        snapshot = cached
        # The version first (what the user asked for: bars and numbers), then its timeline: a
        # coarse history of a few earlier versions (a version costs ~20 ms to parse and ~6 ms per
        # race to project), then the rest; ``history_grew`` follows each.
        self._post(lambda: self._deliver_snapshot(key, snapshot))
        if not self._history_has(key, range(index)):
            self._fill_history_job(key)

    def _chain_of(self) -> VersionChain:
        """The current night's version chain (made on first use if the night was set without one)."""
        from tracker.archive.chain import VersionChain

        assert self._night is not None
        if self._chain is None or self._chain.night is not self._night:
            self._chain = VersionChain(self._night, self._versions)
        return self._chain

    def _fill_history_job(self, key: tuple[int, int]) -> None:
        """Project the earlier versions the timeline needs, coarse first; ``history_grew`` follows."""
        for indices in (_coarse(key[1]), range(key[1])):
            if key != self._wanted:
                return
            if self._history_has(key, indices):
                continue
            if not self._fill_history(key, indices):
                return  # superseded: the newer request is queued
            self._post(lambda: self._deliver_history(key))

    def _deliver_history(self, key: tuple[int, int]) -> None:
        if key == self._wanted:
            self.history_grew.emit(key[1])

    def _remember(
        self,
        key: tuple[int, int],
        snapshot: Snapshot,
        projections: Mapping[str, ContestProjection],
        prints: dict[str, int] | None = None,
    ) -> None:
        when = snapshot.fetched_at or snapshot.published_at
        if prints is None:
            prints = fingerprints(snapshot)
        with self._cache_lock:
            if self._history_gen != key[0]:
                self._history_gen, self._history, self._prints = key[0], {}, {}
            self._prints[key[1]] = prints
            if when is not None:
                self._history[key[1]] = (when, projections)
        self._alert_summary(key, snapshot)  # worker thread: the alert scan reads it, not the GUI

    def _fill_history(self, key: tuple[int, int], indices: Iterable[int]) -> bool:
        """Project the earlier versions ``indices`` not projected yet (the timeline shows the
        night so far; each projection is logged). False when a newer request superseded this one
        meanwhile."""
        made: list[tuple[Snapshot, Mapping[str, ContestProjection]]] = []
        try:
            return self._fill(key, indices, made)
        finally:
            self._log_many(made)

    def _fill(
        self,
        key: tuple[int, int],
        indices: Iterable[int],
        made: list[tuple[Snapshot, Mapping[str, ContestProjection]]],
    ) -> bool:
        gen, index = key
        for i in indices:
            if not 0 <= i < min(index, len(self._versions)):
                continue
            with self._cache_lock:
                known = self._history_gen == gen and i in self._history
            if known:
                continue
            if key != self._wanted or gen != self._generation or self._night is None or self._closing:
                return False  # superseded, or the window is closing: do not hold up its exit
            try:
                snap = self._chain_of().snapshot(i)
            except Exception:
                log.warning("cannot read version %d for the timeline", i, exc_info=True)
                continue
            projections = _project_all(snap, self._baselines)
            made.append((snap, projections))
            self._remember((gen, i), snap, projections)
        return True

    def _store_job_store(self) -> Store:
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    def _read_pins(self, election_id: str) -> set[str]:
        try:
            return self._store_job_store().pins(election_id)
        except TrackerError as exc:  # no pins is better than no night
            self._fail(str(exc))
            return set()

    def _record_opened(self, path: Path) -> None:
        """Remember the night, so the next launch without arguments opens it again."""
        try:
            self._store_job_store().record_opened(str(path.resolve()), "night")
        except Exception:  # a read-only or busy store must not keep the night from opening
            log.warning("could not record %s as recently opened", path, exc_info=True)

    def _pin_job(self, election_id: str, contest_id: str, pinned: bool, name: str) -> None:
        try:
            self._store_job_store().set_pinned(election_id, contest_id, pinned, name)
        except Exception as exc:
            self._fail(f"cannot save the pin: {exc}")
            return
        self._alert_pins_changed(contest_id, pinned)
        self._post(lambda: self.pin_saved.emit(election_id, contest_id, pinned))

    def _store_job(self, job: Callable[[Store], object], done: Callable[[object], None]) -> None:
        try:
            result = job(self._store_job_store())
        except TrackerError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # a bug, not a user error: keep the window alive and say so
            log.exception("store job %r failed", job)
            self._fail(f"unexpected error: {exc}")
            return
        self._post(lambda: done(result))

    def _close_job(self) -> None:
        for closeable in (self._night, self._store):
            if closeable is not None:
                try:
                    closeable.close()
                except Exception:
                    log.exception("closing %r", closeable)
        self._night, self._store, self._versions, self._chain = None, None, [], None

    # live feeds --------------------------------------------------------------------------------------
    # The poll loop runs on the feed pool's thread: fetch, record into the night file, parse (the
    # recorder does all three). What the window needs goes through ``_post`` like every other
    # result; the recording night is then handed to the worker thread, which reads versions from it
    # exactly as from any night (the night file serialises the two threads' access).
    def open_feed(
        self,
        url: str,
        *,
        interval: float = 30.0,
        kind: str | None = None,
        api_key: str | None = None,
        record_to: Path | None = None,
    ) -> None:
        """Start polling ``url`` (recording into ``record_to``, default a new file in the data
        folder's ``nights/``). The first version arrives as ``night_loaded`` with a live
        :class:`NightInfo`, later ones as ``night_grew``; ``feed_health`` follows every poll;
        ``failed`` says in one sentence why a URL is not a feed we can read."""
        if self._closing:
            return
        from tracker.feeds.discovery import discover
        from tracker.feeds.poller import PollPolicy

        try:
            target = discover(url, kind=kind, api_key=api_key)
            policy = PollPolicy(interval=interval)
        except (TrackerError, ValueError) as exc:
            self.failed.emit(str(exc))
            return
        self.stop_feed()
        stop = threading.Event()
        self._feed_stop = stop
        token = self._feed_token
        self._feed_pool.start(lambda: self._feed_job(target, policy, token, stop, record_to))

    def stop_feed(self) -> None:
        """Stop polling (the request in flight ends within its timeouts); the recording stays open
        in the window until another night is opened."""
        self._feed_token += 1
        if self._feed_stop is not None:
            self._feed_stop.set()
            self._feed_stop = None

    @property
    def feed_running(self) -> bool:
        return self._feed_stop is not None

    def wait_feed_stopped(self, timeout_ms: int = 5000) -> bool:
        return self._feed_pool.waitForDone(timeout_ms)

    def request_recent_feeds(self, limit: int = 10) -> None:
        """Ask for the recently opened feeds; ``recent_feeds`` answers with a list of URLs."""
        if self._closing:
            return
        self._pool.start(lambda: self._recent_feeds_job(limit))

    def request_catalogue(self) -> None:
        """Ask for the bundled nights and the recent nights and feeds; ``catalogue_ready`` answers."""
        if not self._closing:
            self._pool.start(self._catalogue_job)

    def _catalogue_job(self) -> None:
        from tracker.archive.catalogue import catalogue

        try:
            store = self._store_job_store()
        except Exception:
            log.warning("no store for the recent nights", exc_info=True)
            store = None
        found = catalogue(store)
        self._post(lambda: self.catalogue_ready.emit(found))

    def import_payload(self, path: Path) -> None:
        """Import a payload file into a new night in the data folder; ``payload_imported`` (its
        path) or ``failed`` (one sentence) follows."""
        if not self._closing:
            self._pool.start(lambda: self._import_job(Path(path)))

    def _import_job(self, path: Path) -> None:
        from tracker.archive.catalogue import import_dropped

        try:
            night = import_dropped(path)
        except (TrackerError, OSError) as exc:
            self._fail(str(exc) if isinstance(exc, TrackerError) else f"cannot read {path.name}: {exc}")
            return
        except Exception as exc:  # a bug, not a user error: keep the window alive and say so
            log.exception("importing %s", path)
            self._fail(f"cannot import {path.name}: {exc}")
            return
        self._post(lambda: self.payload_imported.emit(night))

    def _recent_feeds_job(self, limit: int) -> None:
        try:
            rows = self._store_job_store().recent(limit * 5)
        except Exception:
            log.warning("could not read the recent feeds", exc_info=True)
            return
        urls = [location for location, kind in rows if kind == "feed"][:limit]
        self._post(lambda: self.recent_feeds.emit(urls))

    def _feed_job(
        self,
        target: object,
        policy: object,
        token: int,
        stop: threading.Event,
        record_to: Path | None,
    ) -> None:
        import time

        from tracker.archive.night import _sidecars
        from tracker.archive.recorder import Recorder, create_recording, default_night_path
        from tracker.feeds.client import make_client
        from tracker.feeds.discovery import FeedTarget, guess_timezone
        from tracker.feeds.poller import FeedHealth, Poller, PollPolicy, health_after

        assert isinstance(target, FeedTarget) and isinstance(policy, PollPolicy)
        night = None
        adopted = threading.Event()
        try:
            with make_client(
                connect_timeout=policy.connect_timeout, read_timeout=policy.read_timeout
            ) as client:
                poller = Poller(target, client=client, policy=policy)
                first = poller.poll_once()
                if stop.is_set():
                    return
                if not any(e.kind == "new" for e in first.events):
                    failed = next((e for e in first.events if e.error), None)
                    why = failed.error if failed is not None else "it sent no results"
                    if (
                        failed is not None
                        and failed.status is None
                        and failed.data is None
                        and why.startswith(("timed out", "Connect", "Read", "Remote", "Network", "Proxy"))
                    ):
                        self._fail(f"cannot reach {target.display_url}: {why}")
                    elif failed is not None and failed.status is not None and failed.status >= 400:
                        self._fail(f"{target.display_url} answered {why}")
                    else:
                        self._fail(f"{target.display_url} is not a feed the tracker can read: {why}")
                    return
                path = Path(record_to) if record_to else default_night_path(target.display_url)
                night = create_recording(
                    path, url=target.display_url, kind=target.kind, timezone=guess_timezone(target)
                )
                recorder = Recorder(night, source=target.display_url)
                recorded = _record_quietly(recorder, first)
                if not recorded.snapshots:
                    night.close()
                    night = None
                    for p in [path, *_sidecars(path)]:
                        p.unlink(missing_ok=True)
                    why = recorded.errors[0] if recorded.errors else "its first payload could not be read"
                    self._fail(f"{target.display_url} is not a feed the tracker can read: {why}")
                    return
                health = FeedHealth(url=target.display_url, kind=target.kind, recording=str(path))

                def update(report: PollReport, new: str | None, stale: int) -> None:
                    nonlocal health
                    health = health_after(
                        health,
                        report,
                        now_wall=dt.datetime.now(dt.UTC),
                        now_mono=time.monotonic(),
                        new_version=new,
                        stale=stale,
                        versions=recorder.versions,
                    )
                    snapshot = health
                    self._post(lambda: self._deliver_health(token, snapshot))

                snap = recorded.snapshots[-1]
                update(first, _version_label(snap), recorded.stale)
                ready_night = night
                self._post(lambda: self._feed_ready(token, ready_night, path, target.display_url, adopted))

                def sink(report: PollReport) -> None:
                    if stop.is_set():
                        return
                    result = _record_quietly(recorder, report)
                    if result.errors:  # unreadable: an error of the feed's (health, backoff)
                        report = poller.payload_unreadable(report, result.errors[-1])
                    newest = result.snapshots[-1] if result.snapshots else None
                    update(report, _version_label(newest) if newest else None, result.stale)
                    if newest is not None:
                        self._post(lambda: self._feed_grew(token, newest))

                if not stop.wait(max(0.0, first.next_at - time.monotonic())):
                    poller.run(sink, stop)
        except Exception as exc:
            if not stop.is_set():
                log.exception("polling %s", getattr(target, "display_url", "?"))
                self._fail(f"the live feed stopped: {exc}")
        finally:
            if night is not None and not adopted.is_set():
                # Never handed to the window (stopped first): close it here, on this thread.
                night.close()

    # delivery of live results (GUI thread)
    def _deliver_health(self, token: int, health: object) -> None:
        if token == self._feed_token:
            self.feed_health.emit(health)

    def _feed_ready(
        self, token: int, night: NightFile, path: Path, url: str, adopted: threading.Event
    ) -> None:
        if token != self._feed_token or self._closing:
            return  # stopped meanwhile: the feed thread closes its night
        adopted.set()
        self._generation += 1
        self._wanted = None
        gen = self._generation
        self._pool.start(lambda: self._adopt_job(night, path, url, gen))

    def _feed_grew(self, token: int, snapshot: Snapshot) -> None:
        if token == self._feed_token and not self._closing:
            gen = self._generation
            self._pool.start(lambda: self._grow_job(gen, snapshot))

    # live jobs (worker thread)
    def _live_info_for(
        self, night: NightFile, path: Path, url: str, versions: list[Version], final: Snapshot
    ) -> NightInfo:
        return NightInfo(
            path=path,
            label=str(night.label),
            kind=str(night.kind),
            reconstructed=bool(night.reconstructed),
            timezone=night.timezone,
            meta=dict(night.meta),
            versions=tuple(versions),
            final=final,
            pins=frozenset(self._read_pins(final.election.id)),
            live=True,
            feed_url=url,
        )

    def _adopt_job(self, night: NightFile, path: Path, url: str, gen: int) -> None:
        from tracker.archive.chain import VersionChain
        from tracker.archive.recorder import current_versions

        try:
            versions = current_versions(night.versions())
            chain = VersionChain(night, versions)
            final = chain.snapshot(len(versions) - 1)
            info = self._live_info_for(night, path, url, versions, final)
            self._store_job_store().record_opened(url, "feed")
        except Exception as exc:
            log.exception("opening the live recording %s", path)
            self._fail(f"cannot show the live feed: {exc}")
            return
        if self._night is not None and self._night is not night:
            self._night.close()
        self._night, self._versions, self._live_info, self._chain = night, versions, info, chain
        self._source = str(path.resolve())
        self._baselines = {}
        self._reset_alerts(info.pins)
        self._cache_put((gen, len(versions) - 1), final)
        self._post(lambda: self._deliver_night(gen, info))

    def _grow_job(self, gen: int, snapshot: Snapshot) -> None:
        from tracker.archive.recorder import current_versions

        info = self._live_info
        if gen != self._generation or info is None or self._night is None:
            return
        try:
            versions = current_versions(self._night.versions())
        except TrackerError as exc:
            self._fail(str(exc))
            return
        if len(versions) <= len(self._versions):
            return
        chain = self._chain_of()
        chain.extend(versions)
        final = snapshot if versions[-1].sha256 == snapshot.payload_id else chain.snapshot(len(versions) - 1)
        final = replace(final, fetched_at=versions[-1].fetched_at, payload_id=versions[-1].sha256)
        self._versions = versions
        info = replace(info, versions=tuple(versions), final=final)
        self._live_info = info
        self._cache_put((gen, len(versions) - 1), final)
        self._post(lambda: self._deliver_grew(gen, info))
        self._advance_alerts(gen, len(versions) - 1)  # a live feed's alerts come as it grows

    def _deliver_grew(self, gen: int, info: NightInfo) -> None:
        if gen == self._generation:
            self.night_grew.emit(info)
