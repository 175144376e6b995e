"""The watch layer without Qt: the night jobs on the bundled GA-06 night, driven through their ports.

``tracker.watch`` imports no Qt, so its stale-result rules can be checked here, in a plain process,
with a host that runs the "night thread's" jobs and the "GUI thread's" posts when the test says
(the real host is ``tracker.ui.job_host.JobHost``; the real answers are the Worker's signals). The
queue makes the races that threads would make by chance happen on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

import pytest

from tracker import paths
from tracker.core.errors import TrackerError
from tracker.store import Store
from tracker.watch.night_info import NightInfo
from tracker.watch.night_jobs import NightJobs
from tracker.watch.ports import Events, Host


class QueuedHost:
    """The ``Host`` port with the two threads replaced by two queues, run by ``drain``."""

    def __init__(self, store: Store) -> None:
        self.jobs: list[Callable[[], None]] = []
        self.posted: list[Callable[[], None]] = []
        self.failures: list[str] = []
        self.closing = False
        self._store = store

    def start(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def post(self, fn: Callable[[], None]) -> None:
        if not self.closing:
            self.posted.append(fn)

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def fail_for(self, exc: Exception, bug: str) -> None:
        self.fail(str(exc) if isinstance(exc, TrackerError) else f"{bug}: {exc}")

    def store(self) -> Store:
        return self._store

    def drain(self) -> None:
        """Run every queued job (night thread), then deliver what they posted (GUI thread)."""
        while self.jobs or self.posted:
            while self.jobs:
                self.jobs.pop(0)()
            while self.posted:
                self.posted.pop(0)()


def recording_events() -> tuple[Events, list[tuple[str, tuple[object, ...]]]]:
    """Events whose every callable notes (name, arguments), in the order they were called."""
    calls: list[tuple[str, tuple[object, ...]]] = []

    def note(name: str) -> Callable[..., None]:
        return lambda *args: calls.append((name, args))

    return Events(**{f.name: note(f.name) for f in fields(Events)}), calls


@pytest.fixture
def night() -> Path:
    path = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
    if not path.is_file():
        pytest.fail(f"the bundled night is missing: {path}")
    return path


@pytest.fixture
def jobs(tracker_home: Path) -> Iterator[tuple[NightJobs, QueuedHost, list[tuple[str, tuple[object, ...]]]]]:
    store = Store()
    host: Host = QueuedHost(store)  # checked against the port by a type checker
    assert isinstance(host, QueuedHost)
    events, calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    yield nights, host, calls
    nights.close()
    store.close()


def test_opening_a_night_answers_once_with_its_info(night: Path, jobs) -> None:
    nights, host, calls = jobs
    nights.open(night)
    assert calls == []  # nothing is said before the night thread has read it
    host.drain()
    loaded = [args[0] for name, args in calls if name == "night_loaded"]
    assert len(loaded) == 1 and isinstance(loaded[0], NightInfo)
    info = loaded[0]
    assert info.path == night and len(info.versions) == nights.version_count > 1
    assert host.failures == []
    assert (str(night.resolve()), "night") in host.store().recent(10)


def test_only_the_newest_request_is_answered(night: Path, jobs) -> None:
    nights, host, calls = jobs
    nights.open(night)
    host.drain()
    calls.clear()
    for index in (1, 2, 3):  # scrubbing: three versions asked for before the thread gets to any
        nights.request_snapshot(index)
    host.drain()
    answered = [args[0] for name, args in calls if name == "snapshot_ready"]
    # only version 3; a second time once the versions before it are read and it is projected
    # with them (tracker.watch.arrival_ledger)
    assert answered == [3, 3]
    assert nights.cache.get((nights.generation, 1)) is None  # skipped, never parsed


def test_a_night_opened_meanwhile_drops_the_older_nights_answers(night: Path, jobs) -> None:
    nights, host, calls = jobs
    nights.open(night)
    nights.open(night)  # a second open before the first was read: a new generation
    host.drain()
    assert [name for name, _ in calls].count("night_loaded") == 1
    nights.request_snapshot(2)
    key = nights.wanted
    nights.open(night)  # and another while version 2 is queued: its answer is for a night gone
    host.drain()
    assert ("snapshot_ready", (2,)) not in [(n, a[:1]) for n, a in calls]
    assert key is not None and key[0] < nights.generation


def test_closing_delivers_nothing_more(night: Path, jobs) -> None:
    nights, host, calls = jobs
    nights.open(night)
    host.closing = True
    host.drain()
    assert calls == []


def test_a_version_projected_again_keeps_the_snapshot_the_window_shows(tmp_path: Path, jobs) -> None:
    """A late version is shown first projected from itself alone, then projected again once the
    versions before it are read. Between the two the window still shows the first snapshot: its
    projections must be found for it at every moment (CI once found none: sharing the version
    again had made a new snapshot, and the window's old one was no longer cached)."""
    from tests.gui.synthetic_data import write_synthetic_night
    from tracker.core.projection import ONE_VERSION

    # Synthetic: its council race is the same at the last two versions, its mayor's race not.
    night = write_synthetic_night(tmp_path / "synthetic.night")
    nights, host, calls = jobs
    nights.open(night)
    host.drain()
    calls.clear()
    index = nights.version_count - 1
    nights.request_snapshot(index)
    shown = None
    while host.jobs or host.posted:  # drain step by step, checking what the window would ask
        while host.jobs:
            host.jobs.pop(0)()
            if shown is not None:
                assert nights.cache.parsed(shown) is not None
        while host.posted:
            host.posted.pop(0)()
            answers = [args[1] for name, args in calls if name == "snapshot_ready"]
            if answers and shown is None:
                shown = answers[0]
    answers = [args[1] for name, args in calls if name == "snapshot_ready"]
    assert len(answers) == 2 and all(a is answers[0] for a in answers)
    parsed = nights.cache.parsed(answers[0])
    assert parsed is not None and parsed.projections
    assert all(not p.model_version.endswith(ONE_VERSION) for p in parsed.projections.values())


def test_the_alert_scan_projects_a_version_itself_not_its_summary(night: Path, jobs) -> None:
    """A version the timeline has not projected yet (the scan runs right behind the parse of the
    version asked for) is projected by the alert scan from the version itself, as the window
    would project it: projecting its one-unit summary said "too early" at every version, and the
    "projection confident" alert then came late or never."""
    from tracker.archive.projections import baseline_for
    from tracker.core.projection import ONE_VERSION, project_contest
    from tracker.watch.alert_jobs import AlertJobs

    nights, host, _calls = jobs
    events, _ = recording_events()
    alerts = AlertJobs(host, nights, events)
    nights.open(night)
    host.drain()
    gen = nights.generation
    race = "10"  # U.S. Representative, District 6 (Ossoff's race)
    assert nights.cache.history_entry(gen, 7) is None
    made = alerts._alert_projections(gen, 7, {race})[race]
    snapshot = nights.chain_of().snapshot(7)
    contest = snapshot.contest(race)
    assert made.status == "projected" and made.model_version.endswith(ONE_VERSION)
    assert made == project_contest(contest, baseline_for(nights.baselines, contest, snapshot.election.date))
