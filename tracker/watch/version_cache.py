"""What the worker made of the current night's versions, shared by two threads under one lock.

The night thread puts in what it parsed and computed (the slow part: estimates, projections, the
race list's facts); the GUI thread reads it back for the snapshot on screen. Beside that LRU of
parsed versions is the timeline's history (each version's time and projections) and each race's
fingerprint per version. Keys are ``(generation, index)``: the generation is bumped per opened
night, so what an older night left is never read as this one's.

The history is bounded by estimated bytes (``DEFAULT_HISTORY_BYTES``), not by the night's length:
a live feed of 5,000 races changing every second made 22 MB of projections a version, and the
window grew by a gigabyte a minute (issue 19). Over the bound, every other version of the older
half is dropped (the first always stays): the timeline keeps its whole span, densest where the
night is now, and the race list's "changed" column says "≤" where versions in between are gone.
A version dropped, or skipped for display while a live feed ran ahead, is *settled*: the history
is not filled again for it (that would parse it, and drop it again).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tracker.core.arrival import History
from tracker.core.model import Contest, Snapshot
from tracker.core.outstanding import estimate_outstanding
from tracker.core.pause_points import pause_point
from tracker.core.projection import ONE_VERSION, Baseline, ContestProjection, project_contest
from tracker.core.race_facts import RaceFacts
from tracker.core.threshold import Outstanding

log = logging.getLogger(__name__)

#: How many parsed snapshots to keep: scrubbing back and forth over the last few versions should
#: not re-parse them, while a whole night's worth would hold hundreds of megabytes.
DEFAULT_CACHE_SIZE = 12

#: ... and how many bytes (estimated, contests shared between versions counted once): a statewide
#: precinct file of 37 MB is ~75 MB as a Snapshot, so twelve unshared versions of it would not fit
#: a laptop beside the window. At least the newest version is always kept.
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

#: Estimated bytes per vote cell (unit × candidate × vote type) of a parsed contest, all in: the
#: per-unit dicts, the int, the unit itself spread over its cells. Measured with tracemalloc on the
#: 37 MB BUILT statewide file (``benchmarks big_night``): ~75 MB for 477,000 cells.
CELL_BYTES = 160
#: ... and beyond its cells, per contest, unit and candidate: small races are mostly these (the
#: 5,000 one-unit races of ``benchmarks load_run``: 11.9 MB parsed, for 8,366 cells).
CONTEST_BYTES = 1200
UNIT_BYTES = 600
CANDIDATE_BYTES = 300

#: The timeline's history (projections and race fingerprints of every version read), at most this
#: many bytes (estimated, a projection shared by versions counted once).
DEFAULT_HISTORY_BYTES = 48 * 1024 * 1024

#: Estimated bytes of a projection: its own, per candidate, per unit and county of its expected
#: vote (tracemalloc on the 5,000 BUILT races of ``benchmarks many_races``: 22.5 MB for 5,000
#: projections of 8,366 candidates and 28,368 units and counties).
PROJECTION_BYTES = 1000
PROJECTION_CANDIDATE_BYTES = 400
PROJECTION_UNIT_BYTES = 500
#: ... and of one race's fingerprint in a version's (115 B measured, with its share of the dict).
PRINT_BYTES = 120

#: ``project_all`` calls its ``pause`` every this many contests: every one, since a statewide
#: feed's biggest take ~2 ms each and the pause decides by the clock (``display_queue``).
PAUSE_EVERY = 1

#: The same for a contest whose votes are one integer array (``tracker.core.model.VoteTable``,
#: issue 21): 8 bytes a cell, and each unit (its slots, names and row view) with its share of the
#: contest, measured the same way: ~29 MB for 439,000 cells in 43,400 units.
TABLE_CELL_BYTES = 8
TABLE_UNIT_BYTES = 600

#: Earlier versions projected before a version is first shown (the rest follow right after).
COARSE_POINTS = 8

Key = tuple[int, int]


@dataclass(frozen=True)
class Parsed:
    snapshot: Snapshot
    estimates: Mapping[str, Outstanding | None]
    projections: Mapping[str, ContestProjection] = field(default_factory=dict)
    #: The race list's facts per race (tracker.core.race_facts), made here rather than on the GUI thread.
    facts: tuple[RaceFacts, ...] = ()


def coarse(index: int) -> list[int]:
    """Up to ``COARSE_POINTS`` versions before ``index``, evenly spread, first and last included."""
    if index <= COARSE_POINTS:
        return list(range(index))
    step = (index - 1) / (COARSE_POINTS - 1)
    return sorted({round(k * step) for k in range(COARSE_POINTS)})


def project_all(
    snapshot: Snapshot,
    baselines: Mapping[str, Baseline],
    shared: SharedContests | None = None,
    history: Callable[[str], History | None] | None = None,
    pause: Callable[[], None] | None = None,
) -> dict[str, ContestProjection]:
    """Projections per contest (a few ms each on GA-06): on the worker thread, with the parse.
    With ``shared``, a contest shared with an earlier version (the very object) keeps its
    projection: a statewide file has thousands of contests, and most do not move between versions.
    ``history`` gives a contest's earlier versions (``watch.arrival_ledger``), None while they are
    not all read: the projection is then made from this version alone (and says so). ``pause`` is
    called between contests (a live feed's recording, then the window, go first: display_queue)."""
    from tracker.archive.projections import baseline_for

    out: dict[str, ContestProjection] = {}
    for n, contest in enumerate(snapshot.contests):
        if pause is not None and n % PAUSE_EVERY == 0:
            pause()
        past = history(contest.id) if history is not None else None
        known = shared.projection(contest) if shared is not None else None
        if known is not None and not (past is not None and known.model_version.endswith(ONE_VERSION)):
            out[contest.id] = known
            continue
        try:
            out[contest.id] = project_contest(
                contest, baseline_for(baselines, contest, snapshot.election.date), past
            )
        except Exception:
            log.exception("projecting %s", contest.name)
            continue
        if shared is not None:
            shared.keep_projection(contest, out[contest.id])
    return out


def estimate_all(
    snapshot: Snapshot,
    baselines: Mapping[str, Baseline] | None = None,
    projections: Mapping[str, ContestProjection] | None = None,
    shared: SharedContests | None = None,
) -> dict[str, Outstanding | None]:
    """Outstanding-vote estimates per contest: tens of milliseconds for GA-06's 208 precincts,
    too slow for the GUI thread at a 1000× replay. A contest whose estimate fails is left out
    (the view then computes it itself and the error surfaces there, where it is visible). The
    estimate is the expected vote's, with the contest's baseline: the projection's own when it
    made one (the same number), else computed here. With ``shared``, a contest shared with an
    earlier version keeps its estimate."""
    from tracker.archive.projections import baseline_for

    out: dict[str, Outstanding | None] = {}
    for contest in snapshot.contests:
        pause_point()  # a statewide version's 4,000 races (issue 21)
        if shared is not None:
            found, known = shared.estimate(contest)
            if found:
                out[contest.id] = known
                continue
        proj = (projections or {}).get(contest.id)
        if proj is not None and proj.expected is not None:
            out[contest.id] = proj.expected.outstanding
            if shared is not None:
                shared.keep_estimate(contest, out[contest.id])
            continue
        try:
            base = (
                baseline_for(baselines or {}, contest, snapshot.election.date)
                if baselines is not None
                else None
            )
            out[contest.id] = estimate_outstanding(contest, base)
        except Exception:
            log.exception("estimating the outstanding vote of %s", contest.name)
            continue
        if shared is not None:
            shared.keep_estimate(contest, out[contest.id])
    return out


def projection_bytes(projection: ContestProjection) -> int:
    """An estimate of what ``projection`` holds in memory (see ``PROJECTION_BYTES``)."""
    expected = projection.expected
    units = len(expected.units) + len(expected.counties) if expected is not None else 0
    return (
        PROJECTION_BYTES
        + PROJECTION_CANDIDATE_BYTES * len(projection.candidates)
        + PROJECTION_UNIT_BYTES * units
    )


def contest_bytes(contest: Contest) -> int:
    """An estimate of what ``contest`` holds in memory (``CELL_BYTES`` per vote cell, and what a
    small race costs beyond its cells: ``CONTEST_BYTES`` and per unit and candidate; a contest
    whose votes are one array, ``TABLE_CELL_BYTES`` per cell and ``TABLE_UNIT_BYTES`` per unit)."""
    base = CONTEST_BYTES + CANDIDATE_BYTES * len(contest.candidates)
    table = contest.vote_table
    if table is not None:
        return base + TABLE_CELL_BYTES * table.votes.size + TABLE_UNIT_BYTES * table.rows
    cells = sum(len(by_type) for u in contest.units for by_type in u.votes.values())
    return base + UNIT_BYTES * len(contest.units) + CELL_BYTES * max(cells, 1)


class SharedContests:
    """The newest Contest object seen per contest id in the open night, with what was computed
    from it (projection, estimate), so a new version keeps the objects of the contests that did
    not change: a night of a hundred versions of a big feed then costs about one version plus
    the changes, and an unchanged contest is not projected again.

    "Did not change" is equality of the parsed contests (every unit, vote and field; frozen
    dataclasses compare by value), so what a version shows is exactly what its own payload says.
    Night thread only (the jobs that read versions); ``reset`` when another night opens."""

    def __init__(self) -> None:
        self._gen = -1
        self._contests: dict[str, Contest] = {}
        self._projections: dict[str, ContestProjection] = {}
        self._estimates: dict[str, Outstanding | None] = {}

    def share(self, gen: int, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` with each contest equal to the one last seen under its id replaced by that
        one (the same object)."""
        if gen != self._gen:
            self._gen = gen
            self._contests, self._projections, self._estimates = {}, {}, {}
        contests: list[Contest] = []
        reused = False
        for contest in snapshot.contests:
            pause_point()  # comparing a statewide feed's contests takes a while (issue 21)
            known = self._contests.get(contest.id)
            if known is not None and (known is contest or known == contest):
                contests.append(known)
                reused = reused or known is not contest
                continue
            contests.append(contest)
            self._contests[contest.id] = contest
            self._projections.pop(contest.id, None)
            self._estimates.pop(contest.id, None)
        return replace(snapshot, contests=tuple(contests)) if reused else snapshot

    def _current(self, contest: Contest) -> bool:
        return self._contests.get(contest.id) is contest

    def projection(self, contest: Contest) -> ContestProjection | None:
        return self._projections.get(contest.id) if self._current(contest) else None

    def keep_projection(self, contest: Contest, projection: ContestProjection) -> None:
        if self._current(contest):
            self._projections[contest.id] = projection

    def estimate(self, contest: Contest) -> tuple[bool, Outstanding | None]:
        if self._current(contest) and contest.id in self._estimates:
            return True, self._estimates[contest.id]
        return False, None

    def keep_estimate(self, contest: Contest, estimate: Outstanding | None) -> None:
        if self._current(contest):
            self._estimates[contest.id] = estimate


def _parts(parsed: Parsed) -> Iterator[tuple[object, Callable[[Any], int]]]:
    """What a cached version holds that costs memory, each with its estimator: its contests and
    their projections (a 5,000-race version's projections weigh more than its contests)."""
    for contest in parsed.snapshot.contests:
        yield contest, contest_bytes
    for projection in parsed.projections.values():
        yield projection, projection_bytes


class VersionCache:
    """Parsed versions (an LRU) and the night's history; every method may be called from either
    thread (see the module docstring)."""

    def __init__(
        self,
        size: int = DEFAULT_CACHE_SIZE,
        max_bytes: int = DEFAULT_CACHE_BYTES,
        history_bytes: int = DEFAULT_HISTORY_BYTES,
    ) -> None:
        self._size = max(size, 1)
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._parsed: OrderedDict[Key, Parsed] = OrderedDict()
        # Per contest object held by the cached versions: (how many versions hold it, its bytes).
        # A contest shared between versions (``SharedContests``) is counted once.
        self._held: dict[int, tuple[int, int]] = {}
        self._bytes = 0
        # Per version index of the current night: (time, projections), for the timeline.
        self._history: dict[int, tuple[dt.datetime, Mapping[str, ContestProjection]]] = {}
        self._history_gen = -1
        # Per version index: each race's fingerprint (tracker.core.race_facts), for the race
        # list's "last changed" column. Same lifetime as ``_history``.
        self._prints: dict[int, dict[str, int]] = {}
        # The history's bytes (estimated) and, per projection object it holds, (versions holding
        # it, its bytes): a projection shared between versions is counted once.
        self._history_max = history_bytes
        self._history_bytes = 0
        self._proj_held: dict[int, tuple[int, int]] = {}
        # Versions of the history's night that are settled without an entry: dropped to stay
        # within the bound, or skipped for display while a live feed ran ahead.
        self._settled: set[int] = set()
        self._skipped: set[int] = set()  # of those, the ones never read (a live feed ran ahead)

    # parsed versions ---------------------------------------------------------------------------------
    def get(self, key: Key) -> Snapshot | None:
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is None:
                return None
            self._parsed.move_to_end(key)
            return parsed.snapshot

    def put(self, key: Key, parsed: Parsed) -> None:
        """Keep ``parsed``; the least recently used versions go while there are more than the
        cache's size or (beyond the newest) more than its bytes."""
        with self._lock:
            old = self._parsed.pop(key, None)
            if old is not None:
                self._release(old)
            self._parsed[key] = parsed
            self._hold(parsed)
            while len(self._parsed) > self._size or (len(self._parsed) > 1 and self._bytes > self._max_bytes):
                _, gone = self._parsed.popitem(last=False)
                self._release(gone)

    @property
    def bytes_held(self) -> int:
        """The estimated bytes of the cached versions (shared contests once)."""
        with self._lock:
            return self._bytes

    def _hold(self, parsed: Parsed) -> None:
        for obj, sizer in _parts(parsed):
            count, size = self._held.get(id(obj), (0, 0))
            if count == 0:
                size = sizer(obj)
                self._bytes += size
            self._held[id(obj)] = (count + 1, size)

    def _release(self, parsed: Parsed) -> None:
        for obj, _sizer in _parts(parsed):
            count, size = self._held.pop(id(obj), (1, 0))
            if count > 1:
                self._held[id(obj)] = (count - 1, size)
            else:
                self._bytes -= size

    def parsed(self, snapshot: Snapshot) -> Parsed | None:
        """What was made with ``snapshot`` (this very object), if it is still cached."""
        with self._lock:
            for parsed in self._parsed.values():
                if parsed.snapshot is snapshot:
                    return parsed
        return None

    # the night's history -----------------------------------------------------------------------------
    def _history_for(self, gen: int) -> None:
        """Start the history afresh when ``gen`` is a newer night (lock held)."""
        if self._history_gen != gen:
            self._history_gen, self._history, self._prints = gen, {}, {}
            self._history_bytes, self._proj_held, self._settled = 0, {}, set()
            self._skipped = set()

    def remember(
        self,
        key: Key,
        when: dt.datetime | None,
        projections: Mapping[str, ContestProjection],
        prints: dict[str, int],
    ) -> None:
        """Keep version ``key``'s fingerprints and (if it has a time) projections; a newer
        generation starts the history afresh; over the byte bound, older versions are dropped."""
        with self._lock:
            self._history_for(key[0])
            self._forget(key[1])
            self._prints[key[1]] = prints
            self._history_bytes += PRINT_BYTES * len(prints)
            if when is not None:
                self._history[key[1]] = (when, projections)
                for projection in projections.values():
                    count, size = self._proj_held.get(id(projection), (0, 0))
                    if count == 0:
                        size = projection_bytes(projection)
                        self._history_bytes += size
                    self._proj_held[id(projection)] = (count + 1, size)
            self._settled.discard(key[1])
            self._skipped.discard(key[1])
            self._thin()

    def _forget(self, index: int) -> None:
        """Drop version ``index``'s entry, if any (lock held)."""
        prints = self._prints.pop(index, None)
        if prints is not None:
            self._history_bytes -= PRINT_BYTES * len(prints)
        entry = self._history.pop(index, None)
        if entry is None:
            return
        for projection in entry[1].values():
            count, size = self._proj_held.pop(id(projection), (1, 0))
            if count > 1:
                self._proj_held[id(projection)] = (count - 1, size)
            else:
                self._history_bytes -= size

    def _thin(self) -> None:
        """While over the bound: drop every other version of the older half (never the first,
        nor the newest), marking them settled (lock held)."""
        while self._history_bytes > self._history_max:
            kept = sorted(self._prints.keys() | self._history.keys())
            if len(kept) <= 2:
                return
            older = kept[1 : max(2, len(kept) // 2 + 1)]
            for index in older[::2]:
                self._forget(index)
                self._settled.add(index)

    def settle(self, gen: int, indices: Iterable[int]) -> None:
        """Versions of night ``gen`` the history will not hold (skipped for display while a live
        feed ran ahead): filling the history does not parse them."""
        with self._lock:
            self._history_for(gen)
            fresh = {i for i in indices if i not in self._prints}
            self._settled.update(fresh)
            self._skipped.update(fresh)

    def skipped(self, gen: int, index: int) -> bool:
        """Was version ``index`` of night ``gen`` skipped for display (``settle``)?"""
        with self._lock:
            return self._history_gen == gen and index in self._skipped

    @property
    def history_bytes(self) -> int:
        """The estimated bytes of the history (shared projections once)."""
        with self._lock:
            return self._history_bytes

    def has_history(self, key: Key, indices: Iterable[int]) -> bool:
        """Have these versions of ``key``'s night been projected (for the timeline), or settled?"""
        with self._lock:
            return self._history_gen == key[0] and all(
                i in self._history or i in self._settled for i in indices
            )

    def history_entry(
        self, gen: int, index: int
    ) -> tuple[dt.datetime, Mapping[str, ContestProjection]] | None:
        with self._lock:
            return self._history.get(index) if self._history_gen == gen else None

    def history(self, gen: int, contest_id: str, upto: int) -> list[tuple[dt.datetime, ContestProjection]]:
        with self._lock:
            if self._history_gen != gen:
                return []
            items = sorted((i, v) for i, v in self._history.items() if i <= upto)
        return [(when, p[contest_id]) for _, (when, p) in items if contest_id in p]

    def fingerprints(self, gen: int) -> dict[int, dict[str, int]]:
        with self._lock:
            if self._history_gen != gen:
                return {}
            return dict(self._prints)
