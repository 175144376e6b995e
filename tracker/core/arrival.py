"""How the share of the arriving vote moves as the count goes on: the model risk measured from the
night's own versions.

Without a baseline nothing in one version shows whether the units counted so far are typical of
the rest: a count that releases one side's strongholds first looks, in a single version, just like
a landslide. So the projection used to add a fixed model risk (``projection.TAU``, an sd of 25
points on the outstanding vote's share): honest, and useless — a 40-point interval at half the vote
counted, on every night, in every order.

The versions of the night do show it. Each new version adds a *batch* of votes; in an order that
is close to random the batches' shares scatter around one level, in a skewed order (strongholds
first, early ballots before election day) they trend. A weighted line through the batches' shares
(weights: the batch's votes), read at the middle of the vote still out, says where the arriving
vote is heading; its distance from what the model expects the outstanding vote to split like, plus
the line's own prediction error, is the model risk. It narrows as evidence arrives and widens when
the night shows a trend the model does not follow.

Versions whose count went down (a correction, a server serving an older file) are skipped, and a
night with fewer than ``MIN_BATCHES`` batches keeps the fixed risk: a trend needs points.
Pure and deterministic, Qt-free, numpy only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tracker.core.model import Contest, canonical_vote_type

#: Trends per county × vote type (True) or per vote type across the contest (False).
BY_COUNTY = True
#: Earlier versions a projection reads (the latest): a night of hundreds of versions is read
#: in bounded time and memory, and the window keeps no more than this per race.
MAX_POINTS = 60
#: Versions that added votes (the first included) before any trend is read: two or three
#: versions of a count sorted by lean show a slope but not how far it bends.
MIN_VERSIONS = 5
#: Batches of votes (versions that added votes, the first from zero) needed for a trend.
MIN_BATCHES = 4
#: The model risk is ``DRIFT_FACTOR`` × the trend's predictive error (its distance from the model,
#: its slope's error, the batches' scatter).
DRIFT_FACTOR = 1.0
#: A straight line is the least a trend can do: the rest of a count sorted by lean bends further
#: (a sorted share falls fastest at its ends). The risk is (1 + ``CURVE``) × the line's shift
#: over the vote still out (not its distance from the model's split, which already answers for
#: what the model knows: each outstanding precinct's own early vote, its baseline).
CURVE = 1.0
#: Prior sd of a trend's slope (share per unit of a county's count): a count sorted by lean
#: moves its arriving share by tens of points from the first precinct to the last.
SLOPE_PRIOR = 0.5
#: Never less than this (sd of the outstanding vote's share): the trend of a handful of batches
#: cannot rule out a small turn.
DRIFT_FLOOR = 0.01

#: What a projection is given about the earlier versions of its contest, oldest first: per
#: (county, canonical vote type), the units' votes per candidate id (``arrival_point`` of each).
Group = tuple[str, str]
Point = Mapping[Group, Mapping[str, int]]
History = Sequence[Point]


class ArrivalPoint(Mapping[Group, Mapping[str, int]]):
    """One point of the history as a small integer array (groups × candidate ids), read as a
    mapping like the dict it stands for (a group's row lists its non-zero counts).

    Why an array: a statewide race has hundreds of county × vote-type groups and a projection
    reads up to ``MAX_POINTS`` earlier versions, per version of every changed race. Turning
    dicts into arrays on every projection cost more than the rest of the model's arithmetic; a
    point made once (``arrival_point``, kept by the window's ledger and the command line's
    history) is read by every later projection as it is. Read-only: one point is shared by the
    versions in which its race did not change."""

    __slots__ = ("_index", "groups", "ids", "total", "votes")

    def __init__(self, groups: tuple[Group, ...], ids: tuple[str, ...], votes: np.ndarray) -> None:
        self.groups = groups
        self.ids = ids
        self.votes = votes
        self.votes.flags.writeable = False
        #: All votes of the point (every group and candidate): is this version a batch?
        self.total = int(votes.sum())
        self._index: dict[Group, int] | None = None

    @classmethod
    def of(cls, point: Point, like: ArrivalPoint | None = None) -> ArrivalPoint:
        """``point`` as an array (itself if it is one). ``like``: an earlier point of the same
        race whose group and id tuples are reused when equal, so that a reader can tell they
        are the same by identity."""
        if isinstance(point, ArrivalPoint):
            return point
        groups = tuple(point)
        ids = tuple(sorted({cid for row in point.values() for cid in row}))
        votes = np.zeros((len(groups), len(ids)), dtype=np.int64)
        col = {cid: j for j, cid in enumerate(ids)}
        for g, row in enumerate(point.values()):
            for cid, n in row.items():
                votes[g, col[cid]] = n
        if like is not None:
            groups = like.groups if groups == like.groups else groups
            ids = like.ids if ids == like.ids else ids
        return cls(groups, ids, votes)

    def __getitem__(self, group: Group) -> dict[str, int]:
        if self._index is None:
            self._index = {g: i for i, g in enumerate(self.groups)}
        row = self.votes[self._index[group]].tolist()
        return {cid: n for cid, n in zip(self.ids, row, strict=True) if n}

    def __iter__(self) -> Iterator[Group]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __repr__(self) -> str:
        return f"ArrivalPoint({dict(self.items())!r})"


def arrival_point(contest: Contest, like: ArrivalPoint | None = None) -> ArrivalPoint:
    """The contest's counted votes per (county, canonical vote type) and candidate: one point of
    the history. By county and vote type because the model already knows that early ballots split
    otherwise than election-day ones and that counties differ; the trend it must answer for is
    the one *within* a county and type (are its precincts still out like those counted?).
    ``like``: the race's previous point (see ``ArrivalPoint.of``)."""
    canon = {vt.name: vt.canonical for vt in contest.vote_types}
    out: dict[Group, dict[str, int]] = {}
    for unit in contest.units:
        county = (unit.county or unit.name) if BY_COUNTY else ""
        for cid, by in unit.votes.items():
            for vt, n in by.items():
                if not n:
                    continue
                ct = canon.get(vt)
                if ct is None:
                    ct = canon[vt] = canonical_vote_type(vt)
                row = out.setdefault((county, ct), {})
                row[cid] = row.get(cid, 0) + n
    return ArrivalPoint.of(out, like)


def _versions_with_votes(history: History, groups: Mapping[Group, GroupNow]) -> int:
    """How many versions (this one included) added votes to the contest: the trend's points."""
    count, last = 0, 0
    totals = [ArrivalPoint.of(point).total for point in history]
    counted = [now.counted for now in groups.values()]
    totals.append(int(np.concatenate(counted).sum()) if counted else 0)
    for total in totals:
        if total > last:
            count, last = count + 1, total
    return count


def _slope_posterior(b: np.ndarray, se2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the trend's slope given its estimate ``b`` (variance ``se2``): a
    mixture of "no trend" (the count's order is as good as random within a county) and "a trend"
    (slope ~ N(0, ``SLOPE_PRIOR``²)), weighted by how well each explains ``b`` (even odds before).
    A slope that is only noise is not extrapolated at its full error; a real one is."""
    se2 = np.maximum(se2, 1e-12)
    s0 = SLOPE_PRIOR**2
    total = s0 + se2
    log_bf = 0.5 * np.log(se2 / total) + 0.5 * b**2 * (1 / se2 - 1 / total)
    w1 = 1 / (1 + np.exp(-np.clip(log_bf, -50, 50)))
    m1 = b * s0 / total
    v1 = s0 * se2 / total
    mean = w1 * m1
    return mean, w1 * (v1 + m1**2) - mean**2


@dataclass(frozen=True)
class GroupNow:
    """One county × vote type now: its count per candidate and the model's expected vote still
    out in it."""

    counted: np.ndarray
    remaining: float


def group_totals(
    county: Sequence[str], ctype: Sequence[str], counted: np.ndarray, remaining: np.ndarray
) -> dict[Group, GroupNow]:
    """The cells' counts (n × k) and expected vote still out (n) summed per (county, vote type),
    sorted by group: one pass over the cells, not one per group (NC's 2,758 precincts make 400
    groups of 11,000 cells)."""
    n, k = counted.shape
    if n == 0:
        return {}
    codes: dict[Group, int] = {}
    inv = np.fromiter(
        (codes.setdefault(g, len(codes)) for g in zip(county, ctype, strict=True)), dtype=np.int64, count=n
    )
    m = len(codes)
    sums = np.empty((m, k))
    for j in range(k):
        sums[:, j] = np.bincount(inv, weights=counted[:, j], minlength=m)
    rem = np.bincount(inv, weights=remaining, minlength=m)
    return {g: GroupNow(sums[codes[g]], float(rem[codes[g]])) for g in sorted(codes)}


class _Placer:
    """Where each point's rows and columns go in the dense (versions × groups × ids) array.
    Points of one race share their group and id tuples (``ArrivalPoint.of(like=...)``; the ledger
    shares whole points), so each distinct tuple is looked up once per projection."""

    def __init__(self, groups: Sequence[Group], ids: Sequence[str]) -> None:
        self._g = {g: i for i, g in enumerate(groups)}
        self._c = {cid: j for j, cid in enumerate(ids)}
        self._memo: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _where(self, keys: tuple, index: dict) -> tuple[np.ndarray, np.ndarray]:
        got = self._memo.get(id(keys))
        if got is None:
            at = np.fromiter((index.get(key, -1) for key in keys), dtype=np.int64, count=len(keys))
            src = np.flatnonzero(at >= 0)
            got = self._memo[id(keys)] = (at[src], src)
        return got

    def place(self, into: np.ndarray, point: ArrivalPoint) -> None:
        rows, src_rows = self._where(point.groups, self._g)
        cols, src_cols = self._where(point.ids, self._c)
        if len(rows) and len(cols):
            into[np.ix_(rows, cols)] = point.votes[np.ix_(src_rows, src_cols)]


def arrival_risk(
    history: History, ids: Sequence[str], groups: Mapping[Group, GroupNow]
) -> tuple[np.ndarray, set[Group]] | None:
    """The model risk, in votes per candidate (``ids`` order), of the groups whose arriving vote
    the night's versions show, and the groups they do not (nothing counted yet: the caller keeps
    the fixed risk for those); None when the night has too few batches to measure anything.

    Within each county × vote type the arriving batches' shares are fitted by one line whose
    slope is shared by all groups (each keeps its own level, its count so far): a county's trend
    is read from every county's, so one county's handful of batches is not extrapolated alone.
    The line's shift from a group's count so far to the middle of its vote still out (the slope
    read as a mixture of "no trend" and "a trend", ``_slope_posterior``), that slope's error and
    the batches' scatter make the risk.

    All groups at once: one dense array of every version's counts (versions × groups × ids),
    every batch of every group in one flat array, group sums by ``np.bincount``."""
    k = len(ids)
    points = [ArrivalPoint.of(p) for p in history]
    live = [g for g, now in groups.items() if now.remaining > 0]
    if _versions_with_votes(points, groups) < MIN_VERSIONS or not live:
        return None
    n_live, t_all = len(live), len(points) + 2
    # every version's counts (a first row of zeros: the first batch is counted from nothing)
    dense = np.zeros((t_all, n_live, k))
    placer = _Placer(live, ids)
    for t, point in enumerate(points, start=1):
        placer.place(dense[t], point)
    dense[-1] = np.array([groups[g].counted for g in live], dtype=float)
    cube = dense.transpose(1, 0, 2)  # groups × versions × ids
    totals = cube.sum(axis=2)
    # the versions whose total went up (a count that went down is not a batch)
    start = np.full((n_live, 1), -1.0)
    keep = totals > np.maximum.accumulate(np.concatenate([start, totals[:, :-1]], axis=1), axis=1)
    keep[:, 0] = True
    last_t = t_all - 1 - np.argmax(keep[:, ::-1], axis=1)
    V_all = totals[np.arange(n_live), last_t]
    fit = np.flatnonzero(V_all > 0)
    if not len(fit):
        return None
    V = V_all[fit]
    r = np.array([groups[live[g]].remaining for g in fit], dtype=float)
    D = V + r
    gi, ti = np.nonzero(keep[fit])  # group by group, versions in order
    bj = np.flatnonzero(ti != 0)  # a batch: a kept version after its group's first (zero) row
    pj = bj - 1
    batches, n_fit = len(bj), len(fit)
    if batches - n_fit < MIN_BATCHES:
        return None
    gb = gi[bj]
    tot = totals[fit[gi], ti]
    cum = cube[fit[gi], ti]
    # The pooled within-group slope.
    w = tot[bj] - tot[pj]
    x = (tot[pj] + tot[bj]) / 2 / D[gb]
    share = (cum[bj] - cum[pj]) / w[:, None]
    xbar = np.bincount(gb, weights=w * x, minlength=n_fit) / V
    level = cube[fit, last_t[fit]] / V[:, None]
    dx = x - xbar[gb]
    dev = share - level[gb]
    sxx = float(w @ dx**2)
    if sxx <= 0:
        return None
    sxy = (w * dx) @ dev
    b = sxy / sxx
    resid = dev - np.outer(dx, b)
    ss = w @ resid**2
    phi = ss / max(batches - n_fit - 1, 1)  # a batch's share variance × its votes
    slope, slope_var = _slope_posterior(b, phi / sxx)
    reach = ((V + r / 2) / D - xbar)[:, None]
    rr = r[:, None]
    systematic = ((1 + CURVE) * np.abs(slope * reach) * rr).sum(axis=0)
    shared = (np.sqrt(slope_var) * reach * rr).sum(axis=0)
    noise = ((phi / V[:, None] + phi / rr) * rr**2).sum(axis=0)
    risk = DRIFT_FACTOR * np.sqrt((systematic + shared) ** 2 + noise)
    floor = DRIFT_FLOOR * float(r.sum())
    covered = {live[g] for g in fit}
    return np.maximum(risk, floor), set(live) - covered


__all__ = [
    "CURVE",
    "DRIFT_FACTOR",
    "DRIFT_FLOOR",
    "MAX_POINTS",
    "MIN_BATCHES",
    "MIN_VERSIONS",
    "SLOPE_PRIOR",
    "ArrivalPoint",
    "Group",
    "GroupNow",
    "History",
    "Point",
    "arrival_point",
    "arrival_risk",
    "group_totals",
]
