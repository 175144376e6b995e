"""The night's versions as the projection's history, for the window: each race's counted votes
per county and vote type (``tracker.core.arrival.arrival_point``) at every version the worker
has read, so that a version is projected with the trend of the versions before it — the same
projection ``election-tracker projections`` and ``backtest`` make.

The worker reads versions in any order (the one asked for first, then a coarse timeline, then the
rest), so a version's history is complete only once every version before it has been read (or
found unreadable); until then ``history`` says None and the projection is made from the one
version (labelled so, ``projection.ONE_VERSION``), and the night jobs re-project it when the
history is complete. Bounded: per race, the points of at most ``MAX_POINTS`` versions before
the newest read are kept (a point is shared by the versions in which the race did not change),
as the arrays the projection reads (``arrival.ArrivalPoint``), never rebuilt per projection.
Called from the night thread only.
"""

from __future__ import annotations

from tracker.core.arrival import MAX_POINTS, ArrivalPoint, arrival_point
from tracker.core.model import Contest, Snapshot
from tracker.core.pause_points import pause_point


class ArrivalLedger:
    def __init__(self) -> None:
        self._gen = -1
        self._read: set[int] = set()
        # per race: version index -> its point; and the last contest object seen with its point
        self._points: dict[str, dict[int, ArrivalPoint]] = {}
        self._last: dict[str, tuple[Contest, ArrivalPoint]] = {}
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
            else:  # an array, its group and id tuples shared with the race's last point
                point = arrival_point(contest, None if last is None else last[1])
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

    def history(self, gen: int, contest_id: str, index: int) -> list[ArrivalPoint] | None:
        """The race's points of the versions before ``index``, oldest first (at most
        ``MAX_POINTS``); None when a version before it has not been read yet, or its points are
        no longer kept. A version without the race has no point."""
        if not self.complete(gen, index):
            return None
        points = self._points.get(contest_id, {})
        return [points[i] for i in range(max(index - MAX_POINTS, 0), index) if i in points]

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
