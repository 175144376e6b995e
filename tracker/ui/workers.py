"""The one module that crosses threads.

The rule (docs/architecture.md, "Threads"): no network, disk or parsing on the GUI thread, and the
only threading pattern that has proven sound on this stack is one long-lived QObject that owns its
signals and a QThreadPool, with jobs started as plain callables. Everything else in ``tracker/ui``
talks to the core through this object and receives plain, immutable results on the GUI thread.

The :class:`Worker` is that QObject: it declares every signal and the public API, and hands each
call to one of its parts in the Qt-free watch layer (:mod:`tracker.watch`). The parts share a
:class:`~tracker.ui.job_host.JobHost` (the pools and the way back to the GUI thread; its docstring
says why the night pool has one permanent thread and why jobs never emit the public signals
themselves) through the :class:`~tracker.watch.ports.Host` port, and answer through
:class:`~tracker.watch.ports.Events`, which this object builds from its signals:

* :mod:`tracker.watch.night_jobs` -- opening a night, reading its versions, the timeline's history;
  :mod:`tracker.watch.version_cache` holds what they made, shared by both threads; the projections
  they make are logged by :mod:`tracker.watch.projection_log_jobs`.
* :mod:`tracker.watch.feed_jobs` -- a live feed's poll loop, on a pool (one thread) of its own.
* :mod:`tracker.watch.store_jobs` -- pins, store jobs, recent feeds, the catalogue, imports.
* :mod:`tracker.watch.alert_jobs` -- scanning versions for alerts, logging and exporting them.

See docs/architecture.md for the layers and the thread model.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal

from tracker.core.alerts import Alert
from tracker.core.model import Snapshot
from tracker.core.projection import ContestProjection
from tracker.core.race_facts import RaceFacts
from tracker.core.threshold import Outstanding
from tracker.store import Store
from tracker.ui.job_host import JobHost
from tracker.watch.alert_jobs import AlertJobs
from tracker.watch.display_queue import BEAT_EVERY_S, DisplayFirst
from tracker.watch.feed_jobs import FeedJobs
from tracker.watch.night_info import NightInfo
from tracker.watch.night_jobs import NightJobs
from tracker.watch.ports import Events
from tracker.watch.store_jobs import StoreJobs
from tracker.watch.version_cache import DEFAULT_CACHE_SIZE

__all__ = ["DEFAULT_CACHE_SIZE", "NightInfo", "Worker"]

log = logging.getLogger(__name__)


class Worker(QObject):
    """Runs night-file, parsing, feed and store jobs off the GUI thread; results arrive as signals
    (see the module docstring for its parts)."""

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
    #: :class:`~tracker.core.projection_log.ProjectionRecord`.
    projection_log_ready = Signal(object)
    #: The projection log was written as CSV: path, rows.
    projection_log_exported = Signal(str, int)
    #: Alerts of the current night: every known one (a list, or None when unchanged) and the new
    #: ones to announce (see ``tracker/watch/alert_jobs.py``).
    alerts_ready = Signal(object, object)
    #: The stall-alert minutes from the store, answering ``request_alert_settings``.
    alert_settings = Signal(int)
    #: The alert log was written as CSV: path, rows.
    alerts_exported = Signal(str, int)

    #: The start page's lists: a :class:`tracker.archive.catalogue.Catalogue`.
    catalogue_ready = Signal(object)
    #: A payload file dropped on the window is now a night: its path.
    payload_imported = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        store_factory: Callable[[], Store] = Store,
    ) -> None:
        super().__init__(parent)
        # The parts share the host and answer through this object's signals; the night jobs tell
        # the alert jobs what they read (``NightObserver``), the store jobs tell them of a saved pin.
        self._host = JobHost(self, failed=self.failed, store_factory=store_factory)
        events = self._events()
        feed_pool = QThreadPool(self)  # the live feed's poll loop: long-running, a thread of its own
        feed_pool.setMaxThreadCount(1)
        # The window's beat while the night thread works (display_queue.DisplayFirst): it lets
        # the night thread see when this thread waits for the interpreter, and give it up.
        self._beats = QTimer(self)
        self._beats.setTimerType(Qt.TimerType.PreciseTimer)
        self._beats.setInterval(round(BEAT_EVERY_S * 1000))
        self._beats.timeout.connect(self._beat)
        display = DisplayFirst(wake=lambda: self._host.post(self._start_beats))
        self._nights = NightJobs(self._host, events, cache_size=cache_size, display=display)
        self._feeds = FeedJobs(self._host, self._nights, events, pool=feed_pool)
        self._alerts = AlertJobs(self._host, self._nights, events)
        self._nights.observer = self._alerts
        self._stores = StoreJobs(self._host, events, on_pin_saved=self._alerts.pins_changed)

    def _events(self) -> Events:
        """The watch layer's answers, one per signal: the jobs call these on the GUI thread (the
        host's post), and the signals carry them to whoever listens."""
        return Events(
            night_loaded=self.night_loaded.emit,
            snapshot_ready=self.snapshot_ready.emit,
            history_grew=self.history_grew.emit,
            night_grew=self.night_grew.emit,
            failed=self.failed.emit,
            feed_health=self.feed_health.emit,
            pin_saved=self.pin_saved.emit,
            recent_feeds=self.recent_feeds.emit,
            catalogue_ready=self.catalogue_ready.emit,
            payload_imported=self.payload_imported.emit,
            projections_logged=self.projections_logged.emit,
            projection_log_ready=self.projection_log_ready.emit,
            projection_log_exported=self.projection_log_exported.emit,
            alerts_ready=self.alerts_ready.emit,
            alert_settings=self.alert_settings.emit,
            alerts_exported=self.alerts_exported.emit,
        )

    # nights ------------------------------------------------------------------------------------------
    def open_night(self, path: Path) -> None:
        """Open ``path`` in the background; ``night_loaded`` or ``failed`` follows."""
        if self._host.closing:
            return
        self._feeds.stop_feed()
        self._nights.open(path)

    def request_snapshot(self, index: int) -> None:
        """Ask for version ``index`` of the current night. Only the newest request is answered:
        while scrubbing, versions the user has already moved past are skipped, not parsed."""
        if self._host.closing:
            return
        key = self._nights.request_snapshot(index)
        self._alerts.request_scan(key)

    def hold_display(self) -> None:
        """The window draws the version it was sent in later turns of the event loop: the night
        thread waits (between races) until ``release_display``, instead of sharing the interpreter
        with the drawing (issue 21; ``tracker.watch.display_queue.DisplayFirst``). At most
        half a second: a forgotten release only costs that."""
        self._nights.display.hold()

    def release_display(self) -> None:
        """The window has drawn (or dropped) what it held the display for."""
        self._nights.display.release()

    def _start_beats(self) -> None:
        """The night thread works (it asked, from its first pause point): beat until it idles."""
        if not self._host.closing:
            self._beats.start()
            self._nights.display.beat()

    def _beat(self) -> None:
        display = self._nights.display
        display.beat()
        if display.idle or self._host.closing:
            self._beats.stop()
            display.stop_beats()

    @property
    def display_gate(self) -> DisplayFirst:
        """The night thread's gate on the window's drawing (read by tests and benchmarks)."""
        return self._nights.display

    def history_ready(self, index: int, *, complete: bool = False) -> bool:
        """Is the timeline's history of version ``index`` projected: its first, coarse part, or
        (``complete``) every earlier version? A user sees the bars first and the timeline a moment
        later; screenshot mode waits for all of it."""
        return self._nights.history_ready(index, complete)

    def estimates(self, snapshot: Snapshot) -> Mapping[str, Outstanding | None] | None:
        """The outstanding-vote estimate of each contest of ``snapshot`` (contest id → estimate),
        computed on the worker thread with the parse; None if this snapshot is not cached."""
        parsed = self._nights.cache.parsed(snapshot)
        return parsed.estimates if parsed is not None else None

    def history(self, contest_id: str, upto: int) -> list[tuple[dt.datetime, ContestProjection]]:
        """The projections of ``contest_id`` at versions 0 … ``upto`` of the current night that the
        worker has made, in time order (for the timeline)."""
        return self._nights.cache.history(self._nights.generation, contest_id, upto)

    def race_facts(self, snapshot: Snapshot) -> tuple[RaceFacts, ...] | None:
        """The race list's facts for ``snapshot`` (in its contests' order), computed on the worker
        thread with the parse; None if this snapshot is not cached."""
        parsed = self._nights.cache.parsed(snapshot)
        return parsed.facts if parsed is not None else None

    def fingerprints(self) -> dict[int, dict[str, int]]:
        """Each race's fingerprint per version index of the current night, for the versions read
        so far (the shown ones and the timeline's history): what ``last_changes`` walks."""
        return self._nights.cache.fingerprints(self._nights.generation)

    def projections(self, snapshot: Snapshot) -> Mapping[str, ContestProjection] | None:
        """The projection of each contest of ``snapshot`` (contest id → projection), computed on
        the worker thread with the parse; None if this snapshot is not cached."""
        parsed = self._nights.cache.parsed(snapshot)
        return parsed.projections if parsed is not None else None

    def request_projection_log(self, contest_id: str | None = None) -> None:
        """Read the current night's projection log from the store (in the background);
        ``projection_log_ready`` follows."""
        self._nights.log.request(contest_id)

    def export_projection_log(
        self, path: Path, contest_id: str | None = None, *, untimed: Sequence[dt.datetime] | None = None
    ) -> None:
        """Write the current night's projection log as CSV (in the background); ``untimed``: the
        placeholder times of a night whose files have none, so each row says which version."""
        self._nights.log.export(path, contest_id, untimed)

    # the store ---------------------------------------------------------------------------------------
    def set_pinned(self, election_id: str, contest_id: str, pinned: bool, contest_name: str = "") -> None:
        """Persist a pin in the store (in the background: the store is SQLite on disk)."""
        self._stores.set_pinned(election_id, contest_id, pinned, contest_name)

    def run_store_job(self, job: Callable[[Store], object], done: Callable[[object], None]) -> None:
        """Run ``job(store)`` on the worker thread (the store is SQLite on disk; a job may also
        read or write a small file) and ``done(result)`` on the GUI thread. A TrackerError ends
        as ``failed`` with its own sentence; a bug as "unexpected error"."""
        self._stores.run_store_job(job, done)

    def request_recent_feeds(self, limit: int = 10) -> None:
        """Ask for the recently opened feeds; ``recent_feeds`` answers with a list of URLs."""
        self._stores.request_recent_feeds(limit)

    def request_catalogue(self) -> None:
        """Ask for the bundled nights and the recent nights and feeds; ``catalogue_ready`` answers."""
        self._stores.request_catalogue()

    def import_payload(self, path: Path) -> None:
        """Import a payload file into a new night in the data folder; ``payload_imported`` (its
        path) or ``failed`` (one sentence) follows."""
        self._stores.import_payload(path)

    # alerts ------------------------------------------------------------------------------------------
    def request_alert_settings(self) -> None:
        """Read the alert settings (stall minutes) from the store; ``alert_settings`` answers."""
        self._alerts.request_alert_settings()

    def save_stall_minutes(self, minutes: int) -> None:
        self._alerts.save_stall_minutes(minutes)

    def export_alerts(
        self, path: Path, alerts: Collection[Alert], tz: dt.tzinfo | None = None, *, untimed: bool = False
    ) -> None:
        """Write ``alerts`` (the rows the log shows) as CSV (in the background); ``untimed``: the
        night's versions have no times, so each row says which version instead."""
        self._alerts.export_alerts(path, alerts, tz, untimed=untimed)

    def record_feed_alerts(self, alerts: Collection[Alert]) -> None:
        """Log feed alerts the window decided on (stalled, failing); the new ones come back."""
        self._alerts.record_feed_alerts(alerts)

    # live feeds --------------------------------------------------------------------------------------
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
        self._feeds.open_feed(url, interval=interval, kind=kind, api_key=api_key, record_to=record_to)

    def stop_feed(self) -> None:
        """Stop polling (the request in flight ends within its timeouts); the recording stays open
        in the window until another night is opened."""
        self._feeds.stop_feed()

    @property
    def feed_running(self) -> bool:
        return self._feeds.running

    def wait_feed_stopped(self, timeout_ms: int = 5000) -> bool:
        return self._feeds.wait_stopped(timeout_ms)

    # tasks, idle and exit ----------------------------------------------------------------------------
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
        self._host.run_task(job, done, error)

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """Block until queued jobs are done (tests); their results are still queued as events,
        delivered the next time the event loop runs. The night pool is waited on with a marker job,
        not ``waitForDone``: that would end its one permanent thread, and the SQLite connections
        opened on it could not be used from the next one."""
        return self._host.wait_idle(timeout_ms)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Drop queued jobs, close the night and the store on their own thread, wait for it."""
        if self._host.closing:
            return True
        self._feeds.stop_feed()
        self._host.begin_closing()
        self._beats.stop()
        self._nights.display.stop_beats()
        self._nights.display.release_all()  # a night job waiting for the window goes on, and stops
        if not self._feeds.wait_stopped(timeout_ms):
            log.warning("the feed poller did not stop within %d ms", timeout_ms)
        return self._host.finish(self._close_job, timeout_ms)

    def _close_job(self) -> None:
        self._nights.close()
        self._host.close_store()

    @property
    def closing(self) -> bool:
        return self._host.closing
