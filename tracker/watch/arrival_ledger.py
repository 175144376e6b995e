"""The night's versions as the projection's history, for the window: each race's counted votes
per county and vote type (``tracker.core.arrival.arrival_point``) at every version the worker
has read, so that a version is projected with the trend of the versions before it — the same
projection ``election-tracker projections`` and ``backtest`` make.

The worker reads versions in any order (the one asked for first, then a coarse timeline, then the
rest), so a version's history is complete only once every version before it has been read (or
found unreadable); until then ``history`` says None and the projection is made from the one
version (labelled so, ``projection.ONE_VERSION``), and the night jobs re-project it when the
history is complete. Bounded: per race, the points of at most ``MAX_POINTS`` versions before
the newest read are kept (a point is shared by the versions in which the race did not change).
Called from the night thread only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.core.arrival import MAX_POINTS, Group, Point, arrival_point
from tracker.core.model import Contest, Snapshot
from tracker.core.pause_points import pause_point


@dataclass(frozen=True)
class _Compact:
    """One point as a small integer array (a statewide night has thousands of races: a dict of
    dicts per race and version would be most of the window's memory)."""

    groups: tuple[Group, ...]
    ids: tuple[str, ...]
    votes: np.ndarray  # groups × ids

    @classmethod
    def of(cls, point: Point) -> _Compact:
        groups = tuple(point)
        ids = tuple(sorted({cid for row in point.values() for cid in row}))
        votes = np.zeros((len(groups), len(ids)), dtype=np.int64)
        col = {cid: j for j, cid in enumerate(ids)}
        for g, row in enumerate(point.values()):
            for cid, n in row.items():
                votes[g, col[cid]] = n
        return cls(groups, ids, votes)

    def point(self) -> dict[Group, dict[str, int]]:
        return {
            g: {cid: int(n) for cid, n in zip(self.ids, row, strict=True) if n}
            for g, row in zip(self.groups, self.votes.tolist(), strict=True)
        }


class ArrivalLedger:
    def __init__(self) -> None:
        self._gen = -1
        self._read: set[int] = set()
        # per race: version index -> its point; and the last contest object seen with its point
        self._points: dict[str, dict[int, _Compact]] = {}
        self._last: dict[str, tuple[Contest, _Compact]] = {}
        self._newest = -1
        self._contiguous = 0  # every version below it has been read

    def _reset(self, gen: int) -> None:
        if gen != self._gen:
            self._gen, self._read, self._points, self._last, self._newest = gen, set(), {}, {}, -1
            self._contiguous = 0

    def _mark_read(self, index: int) -> None:
        self._read.add(index)
        while self._contiguous in self._read:
            self._contiguous += 1

    def record(self, gen: int, index: int, snapshot: Snapshot) -> None:
        """Version ``index`` of generation ``gen`` was read as ``snapshot``."""
        self._reset(gen)
        self._mark_read(index)
        self._newest = max(self._newest, index)
        for contest in snapshot.contests:
            pause_point()  # thousands of races in a statewide feed: the window may run (issue 21)
            last = self._last.get(contest.id)
            if last is not None and last[0] is contest:  # unchanged (shared): the same point
                point = last[1]
            else:
                point = _Compact.of(arrival_point(contest))
                self._last[contest.id] = (contest, point)
            self._points.setdefault(contest.id, {})[index] = point
        self._trim()

    def passed_over(self, gen: int, index: int) -> None:
        """Version ``index`` is not read (unreadable, or skipped for display while a live feed ran
        ahead): the history goes on without it."""
        self._reset(gen)
        self._mark_read(index)

    def complete(self, gen: int, index: int) -> bool:
        """Whether every version before ``index`` has been read (and its points are still kept)."""
        if gen != self._gen or max(index - MAX_POINTS, 0) < self._floor():
            return False
        return index <= self._contiguous

    def history(self, gen: int, contest_id: str, index: int) -> list[Point] | None:
        """The race's points of the versions before ``index``, oldest first (at most
        ``MAX_POINTS``); None when a version before it has not been read yet, or its points are
        no longer kept. A version without the race has no point."""
        if not self.complete(gen, index):
            return None
        points = self._points.get(contest_id, {})
        return [points[i].point() for i in range(max(index - MAX_POINTS, 0), index) if i in points]

    def _floor(self) -> int:
        """Points of versions below this are no longer kept."""
        return max(self._newest - 2 * MAX_POINTS, 0)

    def _trim(self) -> None:
        floor = self._floor()
        if floor <= 0:
            return
        for points in self._points.values():
            for i in [i for i in points if i < floor]:
                del points[i]
