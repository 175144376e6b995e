"""The window first (issue 21): the night thread waits while the window draws what it sent, hands
the interpreter over from the long loops of reading a version, and makes what it makes of a version
with the cyclic GC paused.

``python -m benchmarks big_night`` measures the event-loop gaps these remove; the tests pin the
mechanisms, without timing anything: the gate's holds and waits, the pause points of the loops
that read a statewide version (decompressing, parsing, checking, sharing, recording arrivals), the
piecewise decompression giving the same bytes and errors as one call, and the order of the night
thread's work around a window that is drawing.
"""

from __future__ import annotations

import gc
import queue
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.test_watch_jobs import QueuedHost, recording_events
from tracker import paths
from tracker import store as store_module
from tracker.archive import night as night_module
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.core.alerts import summary_snapshot
from tracker.core.pause_points import let_go, pause_point, pausing
from tracker.core.projection import projection_records
from tracker.core.race_facts import fingerprints, snapshot_facts
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.plausible import check_snapshot
from tracker.store import Store
from tracker.watch import display_queue
from tracker.watch import night_jobs as night_jobs_module
from tracker.watch.arrival_ledger import ArrivalLedger
from tracker.watch.display_queue import BEAT_IDLE_S, BEAT_LATE_S, YIELD_EVERY_S, YIELD_S, DisplayFirst
from tracker.watch.night_jobs import NightJobs
from tracker.watch.version_cache import SharedContests, estimate_all, project_all

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
WAIT_S = 60  # a bound on a hang, not a measurement


# the gate ----------------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_holds_are_counted_and_the_last_release_lets_the_night_thread_go() -> None:
    gate = DisplayFirst()
    assert not gate.busy
    gate.hold()  # the night thread, posting a version
    gate.hold()  # the window, drawing it in later turns
    gate.release()  # the delivery is done: the window still draws
    assert gate.busy
    gate.release()
    assert not gate.busy
    gate.release()  # one release too many is harmless
    assert not gate.busy
    gate.hold()
    gate.hold()
    gate.release_all()  # a new night, or the window closing
    assert not gate.busy


def test_the_night_thread_waits_while_the_window_draws() -> None:
    gate = DisplayFirst()
    order: list[str] = []
    waiting = threading.Event()
    gate.hold()

    def night_thread() -> None:
        waiting.set()
        gate.pause()
        order.append("night thread goes on")

    thread = threading.Thread(target=night_thread)
    thread.start()
    waiting.wait(WAIT_S)
    order.append("window drawn")
    gate.release()
    thread.join(WAIT_S)
    assert order == ["window drawn", "night thread goes on"]
    assert gate.waited == 1


def test_a_lost_release_costs_one_bounded_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display_queue, "MAX_DISPLAY_WAIT_S", 0.01)
    gate = DisplayFirst()
    gate.hold()  # never released
    gate.pause()
    assert not gate.busy  # the gate opened itself: the next pauses do not wait again


def test_the_night_thread_hands_the_interpreter_over_every_few_milliseconds() -> None:
    clock = FakeClock()
    gate = DisplayFirst(sleep=clock.sleep, clock=clock)
    gate.pause()
    assert clock.slept == []  # no time has passed since the last hand-over
    clock.now += YIELD_EVERY_S / 2
    gate.pause()
    assert clock.slept == []
    clock.now += YIELD_EVERY_S
    gate.pause()
    assert clock.slept == [YIELD_S] and gate.yielded == 1
    gate.pause()  # just handed over
    assert clock.slept == [YIELD_S]


def test_a_gate_that_only_yields_never_waits() -> None:
    clock = FakeClock()
    gate = DisplayFirst(waits=False, sleep=clock.sleep, clock=clock)
    gate.hold()
    gate.pause()  # one thread runs the jobs and the deliveries (tests): waiting could only time out
    assert gate.waited == 0


# the window's beat -------------------------------------------------------------------------------
def _until(condition: Callable[[], bool]) -> None:
    """Wait (a bound on a hang, not a measurement) until ``condition`` holds."""
    done = threading.Event()
    for _ in range(WAIT_S * 1000):
        if condition():
            return
        done.wait(0.001)
    pytest.fail("the night thread never got there")


def test_a_late_beat_makes_the_night_thread_wait_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display_queue, "MAX_BEAT_WAIT_S", WAIT_S)  # a lost beat would hang
    clock = FakeClock()
    gate = DisplayFirst(sleep=clock.sleep, clock=clock, wake=lambda: None)
    gate.beat()  # the window beats
    clock.now += BEAT_LATE_S / 2
    gate.pause()
    assert gate.late_beats == 0  # a fresh beat: the night thread goes on
    clock.now += BEAT_LATE_S  # the window's thread has not run since: it waits for the interpreter
    order: list[str] = []

    def night_thread() -> None:
        gate.pause()
        order.append("night thread goes on")

    thread = threading.Thread(target=night_thread)
    thread.start()
    _until(lambda: gate.late_beats == 1)  # it waits, without the interpreter
    order.append("window beats")
    gate.beat()
    thread.join(WAIT_S)
    assert order == ["window beats", "night thread goes on"]


def test_the_night_thread_asks_for_beats_once_until_they_come() -> None:
    clock = FakeClock()
    asked: list[str] = []
    gate = DisplayFirst(sleep=clock.sleep, clock=clock, wake=lambda: asked.append("start beating"))
    gate.pause()
    gate.pause()
    assert asked == ["start beating"] and not gate.beating
    gate.beat()  # the window started beating
    clock.now += BEAT_LATE_S / 2
    gate.pause()
    assert asked == ["start beating"] and gate.beating
    assert not gate.idle
    clock.now += BEAT_IDLE_S * 2  # the night thread did not pause since: the window may stop
    assert gate.idle
    gate.stop_beats()
    gate.pause()  # work again: ask again; a late beat of a window that stopped is not waited for
    assert asked == ["start beating"] * 2 and gate.late_beats == 0


def test_a_window_that_stopped_beating_costs_one_bounded_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display_queue, "MAX_BEAT_WAIT_S", 0.01)
    clock = FakeClock()
    gate = DisplayFirst(sleep=clock.sleep, clock=clock, wake=lambda: None)
    gate.beat()
    clock.now += BEAT_LATE_S * 2
    gate.pause()  # no beat comes (the window is gone without saying so)
    assert gate.late_beats == 1 and not gate.beating
    clock.now += BEAT_LATE_S * 2
    gate.pause()
    assert gate.late_beats == 1  # not waited for again until it beats


def test_a_gate_without_beats_never_waits_for_one() -> None:
    clock = FakeClock()
    gate = DisplayFirst(sleep=clock.sleep, clock=clock)  # tests and tools: no window beats
    clock.now += BEAT_LATE_S * 10
    gate.pause()
    assert gate.late_beats == 0 and not gate.beating


# pause points ------------------------------------------------------------------------------------
def test_pause_points_run_the_pause_of_their_own_thread_only() -> None:
    calls: list[str] = []
    pause_point()  # no pause installed: nothing happens
    with pausing(lambda: calls.append("outer")):
        pause_point()
        with pausing(lambda: calls.append("inner")):
            pause_point()
        pause_point()
        other = threading.Thread(target=pause_point)  # a recording thread never waits for the window
        other.start()
        other.join(WAIT_S)
    pause_point()
    assert calls == ["outer", "inner", "outer"]


def test_letting_go_of_a_list_frees_it_in_pieces_with_a_pause_between() -> None:
    class Item:
        alive = 0

        def __init__(self) -> None:
            Item.alive += 1

        def __del__(self) -> None:
            Item.alive -= 1

    items = [Item() for _ in range(100)]
    seen: list[int] = []
    with pausing(lambda: seen.append(Item.alive)):
        let_go(items, 32)
    assert items == [] and Item.alive == 0
    assert seen == [68, 36, 4, 0]  # a piece freed before each pause, never all at once


@pytest.fixture
def statewide_detail(shared_data: Path) -> bytes:
    """A real statewide Clarity detail XML (Colorado, 2020 general, by county)."""
    path = shared_data / "clarity" / "co_2020_general_statewide_detail_20201123.xml"
    if not path.is_file():
        pytest.fail(f"the real Colorado detail XML is missing: {path}")
    return path.read_bytes()


def test_reading_a_version_pauses_between_races(statewide_detail: bytes) -> None:
    counts = {"n": 0}

    def count() -> None:
        counts["n"] += 1

    plain = parse_detail_xml(statewide_detail)
    with pausing(count):
        snap = parse_detail_xml(statewide_detail)
    races = len(snap.contests)
    assert races > 100 and snap == plain  # the pauses change nothing read
    choices = statewide_detail.count(b"<Choice ")
    assert choices > races
    assert counts["n"] >= races + choices  # the parser: once a race and once a choice of it
    projections = project_all(snap, {})
    for step in (
        lambda: check_snapshot(snap),
        lambda: SharedContests().share(1, snap),
        lambda: ArrivalLedger().record(1, 0, snap),
        # what is made of a version read for the timeline (issue 21's history gaps)
        lambda: fingerprints(snap),
        lambda: snapshot_facts(snap),
        lambda: estimate_all(snap, {}, projections),
        lambda: summary_snapshot(snap),
        lambda: projection_records(snap, projections, source="test", made_at="2020-11-04T06:00:00+00:00"),
    ):
        counts["n"] = 0
        with pausing(count):
            step()
        assert counts["n"] >= races


def test_logging_a_history_of_projections_pauses_between_rows(
    statewide_detail: bytes, tracker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = parse_detail_xml(statewide_detail)
    projections = project_all(snap, {})
    records = projection_records(snap, projections, source="test", made_at="2020-11-04T06:00:00+00:00")
    monkeypatch.setattr(store_module, "PAUSE_ROWS", 50)
    assert len(records) > 200
    pauses = {"n": 0}
    with Store() as store, pausing(lambda: pauses.__setitem__("n", pauses["n"] + 1)):
        assert store.append_projections(records) == len(records)
        assert store.append_projections(records) == 0  # the same projections are logged once
    assert pauses["n"] >= 2 * (len(records) // 50)


def _inflate_in_one_call(blob: bytes, limit: int) -> bytes:
    """What ``NightFile.payload`` did before issue 21's pieces: the reference."""
    inflater = zlib.decompressobj()
    data = inflater.decompress(blob, limit)
    if len(data) == limit - 1 and not inflater.eof:
        raise zlib.error("incomplete")
    return data


def _outcome(inflate: Callable[[bytes, int], bytes], blob: bytes, limit: int) -> bytes | str:
    try:
        return inflate(blob, limit)
    except zlib.error as exc:
        return f"error: {exc}"


def test_decompressing_in_pieces_gives_the_same_bytes_and_errors(
    statewide_detail: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(night_module, "INFLATE_PIECE", 4096)  # many pieces, and their edges
    data = statewide_detail[:200_000]
    blob = zlib.compress(data, 6)
    cases = {
        "as claimed": (blob, len(data) + 1),
        "claims less than it holds": (blob, len(data)),
        "claims more than it holds": (blob, len(data) + 2),
        "claims exactly a piece": (zlib.compress(data[:8192]), 8192 + 1),
        "its end cut off": (blob[:-4], len(data) + 1),
        "cut in the middle": (blob[: len(blob) // 2], len(data) + 1),
        "empty": (zlib.compress(b""), 1),
    }
    for name, (payload, limit) in cases.items():
        expected = _outcome(_inflate_in_one_call, payload, limit)
        assert _outcome(night_module._inflate, payload, limit) == expected, name
    assert night_module._inflate(blob, len(data) + 1) == data
    pauses = {"n": 0}
    with pausing(lambda: pauses.__setitem__("n", pauses["n"] + 1)):
        night_module._inflate(blob, len(data) + 1)
    assert pauses["n"] >= len(data) // 4096


# the night thread around a drawing window ----------------------------------------------------------
class ThreadedHost(QueuedHost):
    """The ``Host`` port with a real night thread; what it posts waits in a queue for the test's
    thread, which plays the GUI thread."""

    def __init__(self) -> None:
        super().__init__(store=None)  # type: ignore[arg-type]  # opened on the night thread
        self.inbox: queue.Queue[Callable[[], None]] = queue.Queue()
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()
        if self._store is not None:
            self._store.close()

    def start(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def post(self, fn: Callable[[], None]) -> None:
        self.inbox.put(fn)

    def store(self) -> Store:
        if self._store is None:
            self._store = Store()
        return self._store

    def stop(self, nights: NightJobs) -> None:
        self._jobs.put(nights.close)
        self._jobs.put(None)
        self._thread.join(WAIT_S)


@pytest.fixture
def threaded(tracker_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[NightJobs, ThreadedHost]]:
    monkeypatch.setattr(display_queue, "MAX_DISPLAY_WAIT_S", WAIT_S)  # a lost release would hang
    host = ThreadedHost()
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4, display=DisplayFirst())
    yield nights, host
    host.closing = True  # as the worker shuts down: the night thread stops waiting for the window
    nights.display.release_all()
    host.stop(nights)


def test_the_timeline_is_read_after_the_window_has_drawn_the_version(
    threaded: tuple[NightJobs, ThreadedHost],
) -> None:
    nights, host = threaded
    order: list[str] = []
    shown = threading.Event()
    read_earlier = nights._project_earlier

    def project_earlier(*args: object) -> object:
        order.append("timeline version read")
        return read_earlier(*args)  # type: ignore[arg-type]

    nights._project_earlier = project_earlier  # type: ignore[method-assign]

    def snapshot_ready(index: int, snapshot: object) -> None:
        nights.display.hold()  # as the window does: it draws in later turns
        order.append("version shown")
        shown.set()

    nights._events = nights._events.__class__(**{**nights._events.__dict__, "snapshot_ready": snapshot_ready})
    nights.open(BUNDLED)
    host.inbox.get(timeout=WAIT_S)()  # night_loaded
    with NightFile.open(BUNDLED) as n:
        count = len(current_versions(n.versions()))
    nights.request_snapshot(count // 2)  # not cached: parsed, then its timeline
    while not shown.is_set():
        host.inbox.get(timeout=WAIT_S)()
    assert nights.display.busy  # the window still draws: the night thread waits
    order.append("window drawn")
    nights.display.release()
    while "timeline version read" not in order:
        try:
            host.inbox.get(timeout=0.05)()
        except queue.Empty:
            continue
    assert order[:3] == ["version shown", "window drawn", "timeline version read"]
    assert nights.display.waited >= 1


def test_what_is_made_of_a_version_is_made_with_the_cyclic_gc_paused(
    tracker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = night_jobs_module.project_all

    def project_all(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(night_jobs_module, "project_all", project_all)
    was_enabled = gc.isenabled()  # a command run in-process earlier may have left it off
    gc.enable()
    store = Store()
    host = QueuedHost(store)
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    try:
        nights.open(BUNDLED)
        host.drain()
        nights.request_snapshot(3)  # the version, then its timeline: versions 0–2
        host.drain()
        assert host.failures == []
        assert len(seen) >= 4 and not any(seen)
        assert gc.isenabled()  # and back on afterwards
    finally:
        nights.close()
        store.close()
        if not was_enabled:
            gc.disable()


def test_the_versions_read_for_the_timeline_are_freed_in_pieces(
    tracker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    let_go_of: list[tuple[set[str], list[int]]] = []
    real = night_jobs_module.let_go

    def recording_let_go(items: list[object], piece: int = 32) -> None:
        # How many references each item has besides this list (getrefcount's argument and the
        # loop's name): 0 means the pieces really free it, a piece at a time.
        others = [sys.getrefcount(item) - 3 for item in items]
        let_go_of.append(({type(item).__name__ for item in items}, others))
        real(items, piece)

    monkeypatch.setattr(night_jobs_module, "let_go", recording_let_go)
    store = Store()
    host = QueuedHost(store)
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    try:
        nights.open(BUNDLED)
        host.drain()
        nights.request_snapshot(6)  # the version, then its timeline: versions 0–5
        host.drain()
        assert host.failures == []
    finally:
        nights.close()
        store.close()
    # The contests each version read that an earlier version's equal ones replaced, held by
    # nothing else; then each version read, its contests and projections (kept or not elsewhere).
    duplicates = [others for kinds, others in let_go_of if kinds == {"Contest"}]
    assert duplicates and all(n == 0 for others in duplicates for n in others)
    versions = [others for kinds, others in let_go_of if kinds == {"Contest", "ContestProjection"}]
    assert len(versions) == 6  # versions 0–5, each on its own


def test_opening_a_night_lets_go_of_a_drawing_it_no_longer_shows(tracker_home: Path) -> None:
    store = Store()
    host = QueuedHost(store)
    events, _calls = recording_events()
    nights = NightJobs(host, events, cache_size=4, display=DisplayFirst())
    try:
        nights.display.hold()
        nights.open(BUNDLED)
        assert not nights.display.busy
    finally:
        nights.close()
        store.close()


def test_a_superseded_version_still_releases_the_display(tracker_home: Path) -> None:
    store = Store()
    host = QueuedHost(store)
    events, calls = recording_events()
    nights = NightJobs(host, events, cache_size=4, display=DisplayFirst())
    try:
        nights.open(BUNDLED)
        host.drain()
        with NightFile.open(BUNDLED) as n:
            snap = n.snapshot(current_versions(n.versions())[2])
        nights._wanted = (nights.generation, 1)  # the user moved on meanwhile
        nights._post_to_window(lambda: nights._deliver_snapshot((nights.generation, 2), snap))
        assert nights.display.busy
        host.drain()
        assert not nights.display.busy and not [c for c in calls if c[0] == "snapshot_ready"]
    finally:
        nights.close()
        store.close()
