"""The worker's live-feed jobs: the poll loop, on a pool (one thread) of its own.

A live feed's poll loop is long-running, so it does not share the night thread: it fetches,
records into the night file and parses there (the recorder does all three; after the first poll
the loop is :func:`tracker.archive.recorder.record_feed`, the headless ``record``'s), posts health and new
versions through the worker's private post like every other result, and hands the recording to
the night jobs (``NightJobs.adopt``), which read versions from it exactly as from any night (the
night file serialises the two threads' access). A token, bumped whenever polling stops, drops what
a stopped loop still posts.

Recording never waits on drawing (issue 19): the feed thread records every version; it hands the
newest to the screen through a one-item box (:class:`~tracker.watch.display_queue.Newest`), so
while the window is still busy with one version, later ones replace each other there rather than
queue up, and the night jobs pause while a version is being recorded (``NightJobs.recording``).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.core.errors import TrackerError
from tracker.core.model import Snapshot
from tracker.watch.display_queue import Newest
from tracker.watch.night_jobs import NightJobs
from tracker.watch.ports import Events, Host, Pool

if TYPE_CHECKING:
    from tracker.archive.night import NightFile
    from tracker.archive.recorder import Recorded, Recorder
    from tracker.feeds.poller import PollReport

log = logging.getLogger(__name__)

#: A payload at least this big is parsed with the cyclic GC paused, and what it built is frozen
#: out of later collections (see ``_record_quietly``). 1 MB: a 1.7 MB version of 5,000 races is
#: 300,000 objects a second (``benchmarks load_run``); left in sight, the full collections they
#: trigger walk every version the window keeps.
BIG_PAYLOAD_BYTES = 1024 * 1024


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


def _unreachable(report: PollReport) -> bool:
    """No version and no answer at all (refused, not found, timed out): the feed is not up yet."""
    if any(e.kind == "new" for e in report.events):
        return False
    failed = next((e for e in report.events if e.error), None)
    return failed is not None and failed.status is None and failed.data is None


def _version_label(snapshot: Snapshot) -> str:
    """A short name for a feed version in the status bar: the feed's own time when it gives one
    ("22:50 EDT"), else its version id (shortened), else "": the status bar then says "new
    version, just now" (a feed with neither, North Carolina's results file, once read "new
    version ?")."""
    when = snapshot.published_at
    if when is not None:
        return f"{when:%H:%M} {when.tzname() or ''}".strip()
    text = snapshot.version.strip()
    return text if len(text) <= 16 else text[:15] + "…"


class FeedJobs:
    """Polling one live feed at a time (see the module docstring). The API is the GUI thread's;
    ``events`` answer the worker, whose ``failed`` (at once, for a URL that is no feed) and
    ``feed_health`` these call; ``pool`` is the feed's own (one thread)."""

    def __init__(self, host: Host, nights: NightJobs, events: Events, pool: Pool) -> None:
        self._host = host
        self._nights = nights
        self._events = events
        self._pool = pool
        self._stop: threading.Event | None = None
        self._token = 0

    # GUI-thread API --------------------------------------------------------------------------------
    def open_feed(
        self, url: str, *, interval: float, kind: str | None, api_key: str | None, record_to: Path | None
    ) -> None:
        if self._host.closing:
            return
        from tracker.feeds.discovery import discover
        from tracker.feeds.poller import PollPolicy

        try:
            target = discover(url, kind=kind, api_key=api_key)
            policy = PollPolicy(interval=interval)
        except (TrackerError, ValueError) as exc:
            self._events.failed(str(exc))
            return
        self.stop_feed()
        stop = threading.Event()
        self._stop = stop
        token = self._token
        self._pool.start(lambda: self._feed_job(target, policy, token, stop, record_to))

    def stop_feed(self) -> None:
        self._token += 1
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    @property
    def running(self) -> bool:
        return self._stop is not None

    def wait_stopped(self, timeout_ms: int) -> bool:
        return self._pool.waitForDone(timeout_ms)

    # delivery of live results (GUI thread) ---------------------------------------------------------
    def _deliver_health(self, token: int, health: object) -> None:
        if token == self._token:
            if getattr(health, "stopped", False):
                self._stop = None  # the feed's thread has ended: no longer running
            self._events.feed_health(health)

    def _feed_ready(
        self, token: int, night: NightFile, path: Path, url: str, adopted: threading.Event
    ) -> None:
        if token != self._token or self._host.closing:
            return  # stopped meanwhile: the feed thread closes its night
        adopted.set()
        self._nights.adopt(night, path, url)

    def _feed_grew(self, token: int, box: Newest[Snapshot]) -> None:
        snapshot = box.take()  # the newest recorded so far: those it replaced are skipped
        if snapshot is not None and token == self._token and not self._host.closing:
            self._nights.grow(snapshot)

    # the poll loop (feed thread) -------------------------------------------------------------------
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
        from tracker.archive.recorder import Recorder, create_recording, default_night_path, record_feed
        from tracker.feeds.client import make_client
        from tracker.feeds.discovery import FeedTarget, guess_timezone, named_zone
        from tracker.feeds.poller import FeedHealth, Poller, PollPolicy, health_after

        assert isinstance(target, FeedTarget) and isinstance(policy, PollPolicy)
        post, fail = self._host.post, self._host.fail
        night = None
        adopted = threading.Event()
        try:
            with make_client(
                connect_timeout=policy.connect_timeout, read_timeout=policy.read_timeout
            ) as client:
                poller = Poller(target, client=client, policy=policy)
                first = poller.poll_once()
                # Armed before the feed is up: while the server cannot be reached at all, keep
                # trying with the poller's backoff, and say so (the window shows FAILING).
                waiting = FeedHealth(url=target.display_url, kind=target.kind)
                while not stop.is_set() and _unreachable(first):
                    waiting = health_after(
                        waiting, first, now_wall=dt.datetime.now(dt.UTC), now_mono=time.monotonic()
                    )
                    post(lambda h=waiting: self._deliver_health(token, h))
                    if stop.wait(max(0.0, first.next_at - time.monotonic())):
                        return
                    first = poller.poll_once()
                if stop.is_set():
                    return
                if not any(e.kind == "new" for e in first.events):
                    failed = next((e for e in first.events if e.error), None)
                    why = failed.error if failed is not None else "it sent no results"
                    if failed is not None and failed.status is not None and failed.status >= 400:
                        fail(f"{target.display_url} answered {why}")
                    else:
                        fail(f"{target.display_url} is not a feed the tracker can read: {why}")
                    return
                path = Path(record_to) if record_to else default_night_path(target.display_url)
                formats = [e.fmt for e in first.events if e.kind == "new" and e.fmt]
                # The zone of the state the address names; else the one the first version
                # names (the recorder reads it), as an import of the same file would be shown.
                night = create_recording(
                    path,
                    url=target.display_url,
                    kind=target.kind,
                    timezone=named_zone(target, formats),
                    until_named=guess_timezone(target, formats),
                )
                recorder = Recorder(night, source=target.display_url)
                recorded = _record_quietly(recorder, first)
                if not recorded.snapshots:
                    night.close()
                    night = None
                    for p in [path, *_sidecars(path)]:
                        p.unlink(missing_ok=True)
                    why = recorded.errors[0] if recorded.errors else "its first payload could not be read"
                    fail(f"{target.display_url} is not a feed the tracker can read: {why}")
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
                    post(lambda: self._deliver_health(token, snapshot))

                snap = recorded.snapshots[-1]
                update(first, _version_label(snap), recorded.stale)
                ready_night = night
                post(lambda: self._feed_ready(token, ready_night, path, target.display_url, adopted))

                recording = self._nights.recording
                to_show: Newest[Snapshot] = Newest()

                def record(rec: Recorder, report: PollReport) -> Recorded | None:
                    if stop.is_set():
                        return None
                    with recording.recording():  # the night jobs pause meanwhile
                        return _record_quietly(rec, report)

                def on_report(report: PollReport, result: Recorded) -> None:
                    newest = result.snapshots[-1] if result.snapshots else None
                    update(report, _version_label(newest) if newest else None, result.stale)
                    if newest is not None and to_show.put(newest):  # else one waits: replaced
                        post(lambda: self._feed_grew(token, to_show))

                if not stop.wait(max(0.0, first.next_at - time.monotonic())):
                    # The loop the headless ``record`` runs (an unreadable payload is a feed error).
                    record_feed(poller, night, stop, on_report=on_report, recorder=recorder, record=record)
        except Exception as exc:
            if not stop.is_set():
                log.exception("polling %s", getattr(target, "display_url", "?"))
                reason = f"the live feed stopped: {exc}"
                fail(reason)
                # the badge says STOPPED, with the reason in its tooltip (issue 19)
                ended = FeedHealth(url=target.display_url, kind=target.kind, error=reason, stopped=True)
                post(lambda: self._deliver_health(token, ended))
        finally:
            if night is not None and not adopted.is_set():
                # Never handed to the window (stopped first): close it here, on this thread.
                night.close()
