"""The worker's night jobs: opening a night, reading its versions, and the timeline's history.

The jobs run on the night thread (``Host.start``): the night file is an SQLite connection that
lives there. Two rules keep stale work off the screen:

* Generations: one is begun per opened night (a file, or a live recording adopted); results of an
  older night are dropped, and the cache keys every version by ``(generation, index)``.
* Only the newest request (``wanted``) is answered: while scrubbing, versions the user has already
  moved past are skipped, not parsed; a history being filled stops when a newer request comes, or
  when the window is closing (so its exit is not held up).

A live recording (:mod:`tracker.watch.feed_jobs`) is handed here once its first version is recorded
(``adopt``) and read from then on exactly like any night; the night file serialises the feed
thread's writes and this thread's reads. The alert jobs follow along as the ``observer``.

When a live feed runs ahead of the screen, the newest version wins (``grow``, with
:mod:`tracker.watch.display_queue`): the versions in between are recorded but not read, and this
thread's work pauses while the feed thread records (``recording``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from tracker.core.arrival import Point
from tracker.core.errors import TrackerError
from tracker.core.model import Snapshot
from tracker.core.pause_points import let_go, pausing
from tracker.core.projection import ONE_VERSION, Baseline, ContestProjection
from tracker.core.race_facts import fingerprints, snapshot_facts
from tracker.watch.arrival_ledger import ArrivalLedger
from tracker.watch.display_queue import DisplayFirst, Newest, RecordingFirst
from tracker.watch.night_info import NightInfo
from tracker.watch.ports import Events, Host
from tracker.watch.projection_log_jobs import ProjectionLogJobs
from tracker.watch.version_cache import (
    Key,
    Parsed,
    SharedContests,
    VersionCache,
    coarse,
    estimate_all,
    project_all,
)

if TYPE_CHECKING:  # the night reader is imported in the worker thread, when first needed
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile, Version

log = logging.getLogger(__name__)


T = TypeVar("T")


def _gc_paused(work: Callable[[], T]) -> T:
    """``work()`` (a version read, or what is made of it), with the cyclic GC paused, and its
    objects then moved out of the GC's sight (``gc.freeze``).

    A parsed version of a statewide feed is a million small objects and holds no reference cycle
    (frozen dataclasses, dicts, strings, ints; refcounting frees it when the cache lets go). Left
    to the cyclic GC, every full collection walked all of them, again and again, holding the GIL
    for 1–2 s at a time and freezing the window (``benchmarks big_night``); and the first young
    collection after the parse walked the whole fresh version. Frozen, they are never scanned.
    The same holds for what is made of a version (projections, the race list's facts, the
    projection log's rows: no cycles, measured): made with the GC running, a statewide version's
    4,000 projections set off full collections of 35–120 ms on the night thread, each a stall
    of the window, which has to wait for the GIL (issue 21).
    The price: a reference cycle that became garbage just before a freeze is never collected (a
    few objects, not the versions)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return work()
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class NightObserver(Protocol):
    """What the night jobs tell the alert jobs (:mod:`tracker.watch.alert_jobs`), on the night thread."""

    def night_opened(self, pins: Collection[str]) -> None:
        """A night (file or live recording) is now the current one; ``pins`` are its pinned races."""

    def version_read(self, key: Key, snapshot: Snapshot) -> None:
        """Version ``key`` was parsed (for the screen or the timeline)."""

    def night_grew(self, gen: int, upto: int) -> None:
        """The live night of generation ``gen`` has versions up to ``upto`` now."""


def last_readable(chain: VersionChain, count: int, name: str) -> tuple[Snapshot, str]:
    """The newest version of a night that reads, and a sentence naming the night and the newest
    version that did not ("" when the newest reads). One unreadable version made a whole night
    unopenable (issue 19); only when none reads is the night refused."""
    first_error = ""
    for index in range(count - 1, -1, -1):
        try:
            snapshot = chain.snapshot(index)
        except TrackerError as exc:
            if not first_error:
                first_error = f"{name}: version {index + 1} of {count} cannot be read ({exc})"
            continue
        if first_error:
            first_error += f"; showing version {index + 1}"
        return snapshot, first_error
    raise TrackerError(first_error.replace(" cannot be read", " and every earlier one cannot be read"))


class NightJobs:
    """The current night and the jobs that read it (see the module docstring).

    ``generation`` and ``wanted`` change on the GUI thread and are read on both; ``is_open``,
    ``version_count``, ``baselines``, ``source`` and ``chain_of`` are the night thread's; ``cache``
    is shared (locked). ``events`` answer the worker, whose ``night_loaded``, ``snapshot_ready``,
    ``history_grew`` and ``night_grew`` these call."""

    def __init__(
        self, host: Host, events: Events, *, cache_size: int, display: DisplayFirst | None = None
    ) -> None:
        self._host = host
        self._events = events
        self.cache = VersionCache(cache_size)
        #: Contests unchanged between versions are shared (one object, one projection): night thread.
        self.shared = SharedContests()
        #: The versions read so far as each race's history (the trend of its arriving vote).
        self.ledger = ArrivalLedger()
        self.log = ProjectionLogJobs(host, events, source=lambda: self._source)
        #: Told of opened nights and read versions (the alert jobs); set once by the worker.
        self.observer: NightObserver | None = None
        self._generation = 0  # bumped per opened night; results of an older night are dropped
        self._wanted: Key | None = None
        # Owned by the night thread only:
        self._night: NightFile | None = None
        self._versions: list[Version] = []
        #: The versions' snapshots with AP deltas merged (tracker.archive.chain), and their cache.
        self._chain: VersionChain | None = None
        self._live_info: NightInfo | None = None
        #: The live version waiting to be shown (newest wins), and the feed thread's recording.
        self._growing: Newest[tuple[int, Snapshot]] = Newest()
        self.recording = RecordingFirst()
        #: The window drawing what this thread sent (``Worker`` hands in one that waits for it;
        #: without one, this thread only hands the interpreter over now and then).
        self.display = display if display is not None else DisplayFirst(waits=False)
        self._baselines: dict[str, Baseline] = {}
        self._source = ""

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def wanted(self) -> Key | None:
        """The newest version asked for: the only one answered."""
        return self._wanted

    @property
    def is_open(self) -> bool:
        return self._night is not None

    @property
    def version_count(self) -> int:
        return len(self._versions)

    @property
    def baselines(self) -> Mapping[str, Baseline]:
        return self._baselines

    @property
    def source(self) -> str:
        """The current night's resolved path: what the store's logs are keyed by ("" if none)."""
        return self._source

    # GUI-thread API --------------------------------------------------------------------------------
    def open(self, path: Path) -> None:
        self._generation += 1
        self._wanted = None
        self.display.release_all()
        self._host.start(self._pausing(lambda gen=self._generation: self._open_job(Path(path), gen)))

    def request_snapshot(self, index: int) -> Key:
        """Ask for version ``index`` (see ``Worker.request_snapshot``); the request's key."""
        key = (self._generation, index)
        self._wanted = key
        cached = self.cache.get(key)
        if cached is not None:
            self._events.snapshot_ready(index, cached)
            if not self.cache.has_history(key, range(index)):
                self._host.start(self._pausing(lambda: self._fill_history_job(key)))
        else:
            self._host.start(self._pausing(lambda: self._parse_job(key)))
        return key

    def history_ready(self, index: int, complete: bool) -> bool:
        """Are the versions before ``index`` projected (all of them, or the coarse timeline)? All:
        and ``index`` itself projected with them, not from itself alone."""
        key = (self._generation, index)
        if not self.cache.has_history(key, range(index) if complete else coarse(index)):
            return False
        return not complete or not self._one_version(key, (index,))

    def adopt(self, night: NightFile, path: Path, url: str) -> None:
        """Make a live recording (its first version recorded) the current night."""
        self._generation += 1
        self._wanted = None
        self.display.release_all()
        gen = self._generation
        self._host.start(self._pausing(lambda: self._adopt_job(night, path, url, gen)))

    def grow(self, snapshot: Snapshot) -> None:
        """The live recording has a new version (``snapshot``, parsed on the feed thread). While
        the night thread is busy, a newer version replaces one still waiting: at most one waits."""
        if self._growing.put((self._generation, snapshot)):
            self._host.start(self._pausing(self._grow_newest))

    @property
    def skipped_for_display(self) -> int:
        """Live versions a newer one replaced before they were shown."""
        return self._growing.replaced

    def _grow_newest(self) -> None:
        item = self._growing.take()
        if item is not None:
            self._grow_job(*item)

    # delivery (GUI thread) -------------------------------------------------------------------------
    def _deliver_night(self, gen: int, info: NightInfo) -> None:
        if gen == self._generation:
            self._events.night_loaded(info)

    def _deliver_snapshot(self, key: Key, snapshot: Snapshot) -> None:
        """The version to the window. The night thread held the display when it posted this
        (``_post_to_window``): released once the window's first step is done; a window that draws
        in later turns holds it on itself (``Worker.hold_display``)."""
        try:
            if key == self._wanted:
                self._events.snapshot_ready(key[1], snapshot)
        finally:
            self.display.release()

    def _deliver_history(self, key: Key) -> None:
        try:
            if key == self._wanted:
                self._events.history_grew(key[1])
        finally:
            self.display.release()

    def _post_to_window(self, deliver: Callable[[], None]) -> None:
        """Night thread: post ``deliver`` (one of the above) with the display held, so this
        thread waits at its next pause until the window has drawn it, rather than share the
        interpreter with it (display_queue)."""
        self.display.hold()
        self._host.post(deliver)

    def _pausing(self, job: Callable[[], None]) -> Callable[[], None]:
        """``job`` (for the night thread) with the pause points of the core's long loops
        (decompressing, parsing, checking a version) pausing as ``_pause`` does."""

        def run() -> None:
            with pausing(self._pause):
                job()

        return run

    def _pause(self) -> None:
        """Night thread, between races and versions: a live recording goes first, then the window."""
        self.recording.pause()
        if not self._host.closing:
            self.display.pause()

    def _deliver_grew(self, gen: int, info: NightInfo) -> None:
        if gen == self._generation:
            self._events.night_grew(info)

    # jobs (night thread) ---------------------------------------------------------------------------
    def _open_job(self, path: Path, gen: int) -> None:
        from tracker.archive.night import NightFile

        try:
            night = NightFile.open(path, readonly=True)
        except Exception as exc:
            self._host.fail_for(exc, f"cannot open {path.name}")
            return
        try:
            from tracker.archive.chain import VersionChain
            from tracker.archive.recorder import current_versions

            versions = current_versions(night.versions())  # a stale cache's versions are not shown
            if not versions:
                raise TrackerError(f"{path.name} holds no recorded versions yet")
            chain = VersionChain(night, versions)
            final, unreadable = _gc_paused(lambda: last_readable(chain, len(versions), path.name))
            info = self._info(night, path, versions, final)
            self._record_opened(path)
        except Exception as exc:
            night.close()
            self._host.fail_for(exc, f"cannot read {path.name}")
            return
        if unreadable or night.warning:  # one bad version is one error; the rest stays viewable
            self._host.fail(unreadable or night.warning)
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
        info = _with_baseline(info, self._baselines, final)
        self._opened(gen, info, final)

    def _adopt_job(self, night: NightFile, path: Path, url: str, gen: int) -> None:
        from tracker.archive.chain import VersionChain
        from tracker.archive.recorder import current_versions

        try:
            versions = current_versions(night.versions())
            chain = VersionChain(night, versions)
            final = _gc_paused(lambda: chain.snapshot(len(versions) - 1))
            info = self._info(night, path, versions, final, feed_url=url)
            self._host.store().record_opened(url, "feed")
        except Exception as exc:
            log.exception("opening the live recording %s", path)
            self._host.fail(f"cannot show the live feed: {exc}")
            return
        if self._night is not None and self._night is not night:
            self._night.close()
        self._night, self._versions, self._live_info, self._chain = night, versions, info, chain
        self._source = str(path.resolve())
        self._baselines = {}
        info = _with_baseline(info, self._baselines, final)
        self._opened(gen, info, final)

    def _opened(self, gen: int, info: NightInfo, final: Snapshot) -> None:
        """The night of generation ``gen`` is now the current one: the alert scan starts afresh,
        its last version is cached (with its projections, logged) and the window is told."""
        if self.observer is not None:
            self.observer.night_opened(info.pins)
        self._cache_put((gen, len(self._versions) - 1), final)
        self._host.post(lambda: self._deliver_night(gen, info))

    def _info(
        self,
        night: NightFile,
        path: Path,
        versions: list[Version],
        final: Snapshot,
        *,
        feed_url: str | None = None,
    ) -> NightInfo:
        """The window's view of ``night``; live (a recording of ``feed_url``) when a URL is given."""
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
            live=feed_url is not None,
            feed_url=feed_url or "",
        )

    def _grow_job(self, gen: int, snapshot: Snapshot) -> None:
        from tracker.archive.recorder import current_versions

        info = self._live_info
        if gen != self._generation or info is None or self._night is None:
            return
        self.recording.pause()
        try:
            versions = current_versions(self._night.versions())
        except TrackerError as exc:
            self._host.fail(str(exc))
            return
        # Up to ``snapshot``'s own version: those recorded after it come with the next one.
        mine = _index_of(versions, snapshot.payload_id)
        if mine is not None:
            versions = versions[: mine + 1]
        if len(versions) <= len(self._versions):
            return
        chain = self.chain_of()
        chain.extend(versions)
        final = (
            snapshot
            if versions[-1].sha256 == snapshot.payload_id
            else _gc_paused(lambda: chain.snapshot(len(versions) - 1))
        )
        final = replace(final, fetched_at=versions[-1].fetched_at, payload_id=versions[-1].sha256)
        # Recorded while the screen lagged, never read: the history does not parse them later.
        self.cache.settle(gen, range(len(self._versions), len(versions) - 1))
        for skipped in range(len(self._versions), len(versions) - 1):
            self.ledger.passed_over(gen, skipped)
        final = self._cache_put((gen, len(versions) - 1), final)  # shared with what came before
        self._versions = versions
        info = replace(info, versions=tuple(versions), final=final)
        self._live_info = info
        self._host.post(lambda: self._deliver_grew(gen, info))
        if self.observer is not None:  # a live feed's alerts come as it grows
            self.observer.night_grew(gen, len(versions) - 1)

    def _parse_job(self, key: Key) -> None:
        if key != self._wanted:  # superseded before it started: skip the parse entirely
            return
        gen, index = key
        cached = self.cache.get(key)
        if cached is None:
            if gen != self._generation or self._night is None or not 0 <= index < len(self._versions):
                return
            try:
                cached = _gc_paused(lambda: self.chain_of().snapshot(index))
            except Exception as exc:
                self.ledger.passed_over(gen, index)
                name = Path(self._source).name if self._source else "this night"
                self._host.fail_for(
                    exc, f"cannot read version {index + 1} of {len(self._versions)} of {name}"
                )
                return
            cached = self._cache_put(key, cached)
        snapshot = cached
        # The version first (what the user asked for: bars and numbers), then its timeline: a
        # coarse history of a few earlier versions (a version costs ~20 ms to parse and ~6 ms per
        # race to project), then the rest; ``history_grew`` follows each.
        self._post_to_window(lambda: self._deliver_snapshot(key, snapshot))
        if not self.cache.has_history(key, range(index)):
            self._fill_history_job(key)
        else:
            self._reproject(key)

    def chain_of(self) -> VersionChain:
        """The current night's version chain (made on first use if the night was set without one)."""
        from tracker.archive.chain import VersionChain

        assert self._night is not None
        if self._chain is None or self._chain.night is not self._night:
            self._chain = VersionChain(self._night, self._versions)
        return self._chain

    def _cache_put(self, key: Key, snapshot: Snapshot, *, share: bool = True) -> Snapshot:
        """Compute what the window needs from version ``key`` and cache it; returns the snapshot
        as cached (its unchanged contests shared with the versions read before). A version
        projected again (``share=False``) keeps the very snapshot the window shows: sharing it
        again could make a new one, and until that one arrived the window's would not be found.
        The cyclic GC is paused meanwhile (``_gc_paused``)."""
        return _gc_paused(lambda: self._make_and_cache(key, snapshot, share))

    def _make_and_cache(self, key: Key, snapshot: Snapshot, share: bool) -> Snapshot:
        if share:
            snapshot = self.shared.share(key[0], snapshot)
        self.ledger.record(key[0], key[1], snapshot)
        projections = project_all(snapshot, self._baselines, self.shared, self._history_of(key), self._pause)
        facts = snapshot_facts(snapshot)
        parsed = Parsed(
            snapshot, estimate_all(snapshot, self._baselines, projections, self.shared), projections, facts
        )  # the slow part, here
        self.log.append([(snapshot, projections)])
        self._remember(key, snapshot, projections, {f.contest_id: f.fingerprint for f in facts})
        self.cache.put(key, parsed)
        return snapshot

    def _history_of(self, key: Key) -> Callable[[str], list[Point] | None]:
        gen, index = key
        return lambda contest_id: self.ledger.history(gen, contest_id, index)

    def _fill_history_job(self, key: Key) -> None:
        """Project the earlier versions the timeline needs, coarse first; ``history_grew`` follows.
        Once every earlier version is read, a version first projected from itself alone (its
        history not read yet) is projected again with it and shown again."""
        for indices in (coarse(key[1]), range(key[1])):
            if key != self._wanted:
                return
            if self.cache.has_history(key, indices) and not self._one_version(key, indices):
                continue
            if not self._fill_history(key, indices):
                return  # superseded: the newer request is queued
            self._post_to_window(lambda: self._deliver_history(key))
        self._reproject(key)

    def _one_version(self, key: Key, indices: Iterable[int]) -> bool:
        """Were any of these versions projected without their history, which is now complete?"""
        gen = key[0]
        for i in indices:
            entry = self.cache.history_entry(gen, i)
            if entry is None or not self.ledger.complete(gen, i):
                continue
            if any(p.model_version.endswith(ONE_VERSION) for p in entry[1].values()):
                return True
        return False

    def _reproject(self, key: Key) -> None:
        """Project version ``key`` again if it was made without its history and that is complete."""
        if key != self._wanted or not self._one_version(key, (key[1],)):
            return
        snapshot = self.cache.get(key)
        if snapshot is None:
            return
        snapshot = self._cache_put(key, snapshot, share=False)
        self._post_to_window(lambda: self._deliver_snapshot(key, snapshot))

    def _remember(
        self,
        key: Key,
        snapshot: Snapshot,
        projections: Mapping[str, ContestProjection],
        prints: dict[str, int] | None = None,
    ) -> None:
        when = snapshot.fetched_at or snapshot.published_at
        self.cache.remember(key, when, projections, fingerprints(snapshot) if prints is None else prints)
        if self.observer is not None:  # night thread: the alert scan reads it, not the GUI
            self.observer.version_read(key, snapshot)

    def _fill_history(self, key: Key, indices: Iterable[int]) -> bool:
        """Project the earlier versions ``indices`` not projected yet (the timeline shows the
        night so far; each projection is logged). False when a newer request superseded this one
        meanwhile."""
        made: list[tuple[Snapshot, Mapping[str, ContestProjection]]] = []
        try:
            return self._fill(key, indices, made)
        finally:
            _gc_paused(lambda: self.log.append(made))
            _let_go_of_versions(made)

    def _fill(
        self,
        key: Key,
        indices: Iterable[int],
        made: list[tuple[Snapshot, Mapping[str, ContestProjection]]],
    ) -> bool:
        gen, index = key
        for i in indices:
            if not 0 <= i < min(index, len(self._versions)):
                continue
            if self.cache.has_history(key, (i,)) and not self._one_version(key, (i,)):
                continue
            self._pause()  # the window draws what came before, untroubled by this thread
            if key != self._wanted or gen != self._generation or self._night is None or self._host.closing:
                return False  # superseded, or the window is closing: do not hold up its exit
            try:
                read = [_gc_paused(lambda i=i: self.chain_of().snapshot(i))]
            except Exception:
                log.warning("cannot read version %d for the timeline", i, exc_info=True)
                self.ledger.passed_over(gen, i)
                continue
            kept = _gc_paused(lambda i=i, read=read: self._project_earlier(gen, i, read[0], made))
            # Most contests as read equal an earlier version's, which ``kept`` holds instead:
            # the ones read are freed in pieces, not in one cascade as ``read`` goes (issue 21).
            spare = [c for c, k in zip(read.pop().contests, kept.contests, strict=True) if c is not k]
            let_go(spare)
        return True

    def _project_earlier(
        self,
        gen: int,
        i: int,
        snap: Snapshot,
        made: list[tuple[Snapshot, Mapping[str, ContestProjection]]],
    ) -> Snapshot:
        """Project earlier version ``i`` (read as ``snap``) for the timeline, and keep it; the
        version as kept (its unchanged contests shared with the versions read before)."""
        snap = self.shared.share(gen, snap)
        self.ledger.record(gen, i, snap)
        projections = project_all(snap, self._baselines, self.shared, self._history_of((gen, i)), self._pause)
        made.append((snap, projections))
        self._remember((gen, i), snap, projections)
        return snap

    def _read_pins(self, election_id: str) -> set[str]:
        try:
            return self._host.store().pins(election_id)
        except TrackerError as exc:  # no pins is better than no night
            self._host.fail(str(exc))
            return set()

    def _record_opened(self, path: Path) -> None:
        """Remember the night, so the next launch without arguments opens it again."""
        try:
            self._host.store().record_opened(str(path.resolve()), "night")
        except Exception:  # a read-only or busy store must not keep the night from opening
            log.warning("could not record %s as recently opened", path, exc_info=True)

    def close(self) -> None:
        """Close the night file (night thread, at exit; a failure is logged)."""
        night, self._night, self._versions, self._chain = self._night, None, [], None
        if night is not None:
            try:
                night.close()
            except Exception:
                log.exception("closing %r", night)


def _let_go_of_versions(made: list[tuple[Snapshot, Mapping[str, ContestProjection]]]) -> None:
    """Empty ``made``: the versions read for the timeline are not kept (their projections are),
    and a version's contests that no other version shares, thousands after a coarse pass, took
    ~40 ms to free at once. Each version's contests and projections are let go of in pieces
    (pause_points.let_go): what nothing else holds is freed a piece at a time."""
    while made:
        snapshot, projections = made.pop()
        parts: list[object] = [*snapshot.contests, *projections.values()]
        del snapshot, projections
        let_go(parts)


def _index_of(versions: list[Version], sha256: str | None) -> int | None:
    """The index of the version whose payload is ``sha256`` (the newest such), else None."""
    if not sha256:
        return None
    for index in range(len(versions) - 1, -1, -1):
        if versions[index].sha256 == sha256:
            return index
    return None


def _with_baseline(info: NightInfo, baselines: Mapping[str, Baseline], final: Snapshot) -> NightInfo:
    """``info`` saying which baseline the night's projections use (the night's info names it)."""
    from tracker.archive.projections import describe_baseline

    try:
        short, note = describe_baseline(baselines, final)
    except Exception:  # naming the baseline never stops a night from opening
        log.warning("could not describe the baseline", exc_info=True)
        return info
    return replace(info, baseline=short, baseline_note=note)
