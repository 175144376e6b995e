"""Following a busy feed (issue 19): every version recorded, the screen gets the newest, memory bounded.

``python -m benchmarks load_run`` measures the load itself (5,000 races a second for three minutes);
these tests pin the mechanisms behind it, without timing anything: a window that never draws still
lets every version reach the night file; versions waiting for the screen coalesce to the newest;
the timeline's history stays within its byte bound however many versions come; the display jobs
pause while a version is being recorded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_watch_jobs import QueuedHost, recording_events
from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.archive.serve import FeedServer
from tracker.core.errors import TrackerError
from tracker.core.projection import ONE_VERSION, project_contest
from tracker.store import Store
from tracker.watch.display_queue import Newest, RecordingFirst
from tracker.watch.feed_jobs import FeedJobs
from tracker.watch.night_jobs import NightJobs
from tracker.watch.version_cache import PRINT_BYTES, VersionCache, projection_bytes

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
WAIT_S = 60  # a bound on a hang, not a measurement


class ThreadPool:
    """The ``Pool`` port on a plain thread (the window hands in a QThreadPool)."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def start(self, job: Callable[[], None]) -> None:
        thread = threading.Thread(target=job, daemon=True)
        self.threads.append(thread)
        thread.start()

    def waitForDone(self, msecs: int = -1) -> bool:  # Qt's name
        for thread in self.threads:
            thread.join(None if msecs < 0 else msecs / 1000)
        return not any(t.is_alive() for t in self.threads)


class LockedHost(QueuedHost):
    """QueuedHost whose queues the feed thread may fill while the test drains them."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._lock = threading.Lock()

    def post(self, fn: Callable[[], None]) -> None:
        with self._lock:
            super().post(fn)

    def start(self, job: Callable[[], None]) -> None:
        with self._lock:
            super().start(job)

    def drain(self) -> None:
        while True:
            with self._lock:
                jobs, self.jobs = self.jobs, []
                posted, self.posted = self.posted, []
            if not jobs and not posted:
                return
            for job in jobs:
                job()
            for fn in posted:
                fn()


class StepClock:
    """The server's clock, moved by the test: version ``k`` is released by ``release(k)``."""

    def __init__(self, times: list[dt.datetime]) -> None:
        self._times, self._value = times, 0.0

    def __call__(self) -> float:
        return self._value

    def release(self, index: int) -> None:
        self._value = (self._times[index] - self._times[0]).total_seconds()


def _wait(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def test_a_window_that_never_draws_still_records_every_version_and_then_shows_the_newest(
    tracker_home: Path,
) -> None:
    with NightFile.open(BUNDLED) as n:
        times = [v.fetched_at for v in current_versions(n.versions())]
    released = 12
    clock = StepClock(times)
    store = Store()
    host = LockedHost(store)
    events, calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    pool = ThreadPool()
    feeds = FeedJobs(host, nights, events, pool)
    record_to = tracker_home / "live.night"

    def recorded() -> int:
        try:
            with NightFile.open(record_to, readonly=True) as night:
                return len(current_versions(night.versions()))
        except TrackerError:  # not created yet, or being created
            return 0

    try:
        with FeedServer(BUNDLED, fmt="native", speed=1.0, clock=clock) as server:
            feeds.open_feed(server.url, interval=0.05, kind=None, api_key=None, record_to=record_to)
            _wait(lambda: recorded() == 1, "the first version")
            host.drain()  # the window adopts the recording and shows it
            assert [name for name, _ in calls].count("night_loaded") == 1
            # From now on the "GUI thread" is frozen: nothing posted is delivered.
            for k in range(1, released):
                clock.release(k)
                _wait(lambda k=k: recorded() == k + 1, f"version {k + 1} while the window never draws")
            # One version waits for the screen, however many came: the box was never emptied.
            with host._lock:
                grew_posts = [fn for fn in host.posted if "_feed_grew" in fn.__code__.co_names]
            assert len(grew_posts) == 1
            # The window wakes up: it is shown the newest version, the ones in between settled.
            host.drain()
            grew = [args[0] for name, args in calls if name == "night_grew"]
            assert len(grew) == 1
            assert len(grew[0].versions) == released
            assert grew[0].final.payload_id == grew[0].versions[-1].sha256
            gen = nights.generation
            assert nights.cache.has_history((gen, released - 1), range(released - 1))
            assert all(nights.cache.skipped(gen, i) for i in range(1, released - 1))
            assert nights.cache.get((gen, released - 2)) is None  # never parsed for the screen
            # The versions passed over do not hold the projection's history back: the newest is
            # projected with the night's versions that were read (tracker.watch.arrival_ledger).
            assert nights.ledger.complete(gen, released - 1)
            entry = nights.cache.history_entry(gen, released - 1)
            assert entry is not None and entry[1]
            assert all(not p.model_version.endswith(ONE_VERSION) for p in entry[1].values())
    finally:
        feeds.stop_feed()
        feeds.wait_stopped(WAIT_S * 1000)
        host.drain()
        nights.close()
        store.close()


def test_versions_waiting_for_the_screen_coalesce_to_the_newest(tracker_home: Path) -> None:
    box: Newest[int] = Newest()
    assert box.put(1) is True  # empty: the caller schedules a taker
    assert box.put(2) is False and box.put(3) is False  # a taker is on its way: no second one
    assert box.take() == 3 and box.replaced == 2
    assert box.take() is None and not box.waiting
    assert box.put(4) is True

    store = Store()
    host = QueuedHost(store)
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    try:
        with NightFile.open(BUNDLED) as n:
            snaps = [n.snapshot(v) for v in current_versions(n.versions())[:3]]
        for snap in snaps:
            nights.grow(snap)
        assert len(host.jobs) == 1  # one night-thread job for the three
        assert nights.skipped_for_display == 2
        taken: list[object] = []
        nights._grow_job = lambda gen, snapshot: taken.append(snapshot)  # type: ignore[method-assign]
        host.drain()
        assert taken == [snaps[-1]]
    finally:
        nights.close()
        store.close()


def test_the_history_stays_within_its_byte_bound_however_many_versions_come() -> None:
    with NightFile.open(BUNDLED) as n:
        snap = n.snapshot(current_versions(n.versions())[-1])
    contest = max(snap.contests, key=lambda c: len(c.units))
    base = project_contest(contest, None)
    per_version = projection_bytes(base) + PRINT_BYTES
    bound = 40 * per_version
    cache = VersionCache(history_bytes=bound)
    t0 = dt.datetime(2017, 4, 18, 23, 0, tzinfo=dt.UTC)
    for i in range(1000):  # a new projection every version: nothing shared
        projection = dataclasses.replace(base, counted=base.counted + i)
        cache.remember((1, i), t0 + dt.timedelta(seconds=i), {contest.id: projection}, {contest.id: i})
        assert cache.history_bytes <= bound
    points = cache.history(1, contest.id, 999)
    assert 2 < len(points) <= 40
    assert points[0][0] == t0 and points[-1][0] == t0 + dt.timedelta(seconds=999)  # the whole span
    assert cache.has_history((1, 999), range(999))  # dropped versions are settled: never re-read
    kept = cache.fingerprints(1)
    assert 0 in kept and 999 in kept and len(kept) == len(points)
    # A shared projection is counted once: a night whose race does not move stays unthinned.
    still = VersionCache(history_bytes=bound)
    for i in range(1000):
        still.remember((1, i), t0 + dt.timedelta(seconds=i), {contest.id: base}, {})
    assert len(still.history(1, contest.id, 999)) == 1000


def test_display_jobs_pause_while_a_version_is_recorded() -> None:
    gate = RecordingFirst()
    gate.pause()  # idle: returns at once
    order: list[str] = []
    inside = threading.Event()
    leave = threading.Event()

    def feed() -> None:
        with gate.recording():
            inside.set()
            leave.wait(WAIT_S)
            order.append("recorded")

    def display() -> None:
        inside.wait(WAIT_S)
        gate.pause()
        order.append("displayed")

    threads = [threading.Thread(target=feed), threading.Thread(target=display)]
    for t in threads:
        t.start()
    inside.wait(WAIT_S)
    assert gate.busy
    leave.set()
    for t in threads:
        t.join(WAIT_S)
    assert order == ["recorded", "displayed"]
    assert not gate.busy


def test_a_skipped_version_is_scanned_as_the_one_before_and_summaries_stay_bounded(
    tracker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.watch import alert_jobs
    from tracker.watch.alert_jobs import AlertJobs, summary_bytes

    store = Store()
    host = QueuedHost(store)
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    alerts = AlertJobs(host, nights, events)
    nights.observer = alerts
    try:
        with NightFile.open(BUNDLED) as n:
            snaps = [n.snapshot(v) for v in current_versions(n.versions())[:3]]
        gen = nights.generation
        alerts.night_opened(set())
        alerts.version_read((gen, 0), snaps[0])
        nights.cache.settle(gen, [1])  # a live feed ran ahead: version 1 was never read
        # No night is open here: reading version 1 from the night would fail. It is not read.
        assert alerts._alert_snapshot(gen, 1) is alerts._summaries[0]
        assert alerts._summary_sizes[1] == 0  # the version before's own object, counted once

        size = summary_bytes(alerts._summaries[0])
        monkeypatch.setattr(alert_jobs, "SUMMARY_BYTES", 5 * size)
        assert alerts._alerts is not None
        alerts._alerts.cursor = 200  # scanned already: their summaries may go
        for i in range(2, 150):
            alerts.version_read((gen, i), snaps[i % 3])
            assert sum(alerts._summary_sizes.values()) <= 5 * size
        assert 149 in alerts._summaries and 2 not in alerts._summaries
    finally:
        nights.close()
        store.close()


def test_the_parsed_versions_count_their_projections_within_their_bytes() -> None:
    from tracker.watch.version_cache import Parsed

    with NightFile.open(BUNDLED) as n:
        snap = n.snapshot(current_versions(n.versions())[-1])
    projections = {c.id: project_contest(c, None) for c in snap.contests}
    weight = sum(projection_bytes(p) for p in projections.values())
    bare = VersionCache(size=12)
    bare.put((1, 0), Parsed(snap, {}))
    cache = VersionCache(size=12, max_bytes=bare.bytes_held + weight)
    cache.put((1, 0), Parsed(snap, {}, projections))
    assert cache.bytes_held == bare.bytes_held + weight  # the projections weigh too
    again = dataclasses.replace(snap, version="the same contests again")
    cache.put((1, 1), Parsed(again, {}, projections))  # shared contests and projections: once
    assert cache.bytes_held == bare.bytes_held + weight and cache.get((1, 0)) is not None
    fresh = {cid: dataclasses.replace(p, counted=p.counted + 1) for cid, p in projections.items()}
    cache.put((1, 2), Parsed(again, {}, fresh))  # new projections: over the bound, the oldest goes
    assert cache.get((1, 0)) is None and cache.bytes_held <= bare.bytes_held + 2 * weight
