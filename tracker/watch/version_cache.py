"""What the worker made of the current night's versions, shared by two threads under one lock.

The night thread puts in what it parsed and computed (the slow part: estimates, projections, the
race list's facts); the GUI thread reads it back for the snapshot on screen. Beside that LRU of
parsed versions is the timeline's history (each version's time and projections) and each race's
fingerprint per version, kept for the whole night, not an LRU. Keys are ``(generation, index)``:
the generation is bumped per opened night, so what an older night left is never read as this one's.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tracker.core.model import Snapshot
from tracker.core.outstanding import estimate_outstanding
from tracker.core.projection import Baseline, ContestProjection, project_contest
from tracker.core.race_facts import RaceFacts
from tracker.core.threshold import Outstanding

log = logging.getLogger(__name__)

#: How many parsed snapshots to keep: scrubbing back and forth over the last few versions should
#: not re-parse them, while a whole night's worth would hold hundreds of megabytes.
DEFAULT_CACHE_SIZE = 12

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


def project_all(snapshot: Snapshot, baselines: Mapping[str, Baseline]) -> dict[str, ContestProjection]:
    """Projections per contest (a few ms each on GA-06): on the worker thread, with the parse."""
    from tracker.archive.projections import baseline_for

    out: dict[str, ContestProjection] = {}
    for contest in snapshot.contests:
        try:
            out[contest.id] = project_contest(
                contest, baseline_for(baselines, contest, snapshot.election.date)
            )
        except Exception:
            log.exception("projecting %s", contest.name)
    return out


def estimate_all(
    snapshot: Snapshot,
    baselines: Mapping[str, Baseline] | None = None,
    projections: Mapping[str, ContestProjection] | None = None,
) -> dict[str, Outstanding | None]:
    """Outstanding-vote estimates per contest: tens of milliseconds for GA-06's 208 precincts,
    too slow for the GUI thread at a 1000× replay. A contest whose estimate fails is left out
    (the view then computes it itself and the error surfaces there, where it is visible). The
    estimate is the expected vote's, with the contest's baseline: the projection's own when it
    made one (the same number), else computed here."""
    from tracker.archive.projections import baseline_for

    out: dict[str, Outstanding | None] = {}
    for contest in snapshot.contests:
        proj = (projections or {}).get(contest.id)
        if proj is not None and proj.expected is not None:
            out[contest.id] = proj.expected.outstanding
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
    return out


class VersionCache:
    """Parsed versions (an LRU) and the night's history; every method may be called from either
    thread (see the module docstring)."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._size = max(size, 1)
        self._lock = threading.Lock()
        self._parsed: OrderedDict[Key, Parsed] = OrderedDict()
        # Per version index of the current night: (time, projections), for the timeline.
        self._history: dict[int, tuple[dt.datetime, Mapping[str, ContestProjection]]] = {}
        self._history_gen = -1
        # Per version index: each race's fingerprint (tracker.core.race_facts), for the race
        # list's "last changed" column. Same lifetime as ``_history``.
        self._prints: dict[int, dict[str, int]] = {}

    # parsed versions ---------------------------------------------------------------------------------
    def get(self, key: Key) -> Snapshot | None:
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is None:
                return None
            self._parsed.move_to_end(key)
            return parsed.snapshot

    def put(self, key: Key, parsed: Parsed) -> None:
        with self._lock:
            self._parsed[key] = parsed
            self._parsed.move_to_end(key)
            while len(self._parsed) > self._size:
                self._parsed.popitem(last=False)

    def parsed(self, snapshot: Snapshot) -> Parsed | None:
        """What was made with ``snapshot`` (this very object), if it is still cached."""
        with self._lock:
            for parsed in self._parsed.values():
                if parsed.snapshot is snapshot:
                    return parsed
        return None

    # the night's history -----------------------------------------------------------------------------
    def remember(
        self,
        key: Key,
        when: dt.datetime | None,
        projections: Mapping[str, ContestProjection],
        prints: dict[str, int],
    ) -> None:
        """Keep version ``key``'s fingerprints and (if it has a time) projections; a newer
        generation starts the history afresh."""
        with self._lock:
            if self._history_gen != key[0]:
                self._history_gen, self._history, self._prints = key[0], {}, {}
            self._prints[key[1]] = prints
            if when is not None:
                self._history[key[1]] = (when, projections)

    def has_history(self, key: Key, indices: Iterable[int]) -> bool:
        """Have these versions of ``key``'s night been projected (for the timeline)?"""
        with self._lock:
            return self._history_gen == key[0] and all(i in self._history for i in indices)

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
