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

from collections.abc import Mapping, Sequence
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


def arrival_point(contest: Contest) -> dict[Group, dict[str, int]]:
    """The contest's counted votes per (county, canonical vote type) and candidate: one point of
    the history. By county and vote type because the model already knows that early ballots split
    otherwise than election-day ones and that counties differ; the trend it must answer for is
    the one *within* a county and type (are its precincts still out like those counted?)."""
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
    return out


def _versions_with_votes(history: History, groups: Mapping[Group, GroupNow]) -> int:
    """How many versions (this one included) added votes to the contest: the trend's points."""
    count, last = 0, 0
    totals = [sum(sum(row.values()) for row in point.values()) for point in history]
    totals.append(int(sum(float(now.counted.sum()) for now in groups.values())))
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
    the batches' scatter make the risk."""
    k = len(ids)
    if _versions_with_votes(history, groups) < MIN_VERSIONS:
        return None
    rows: list[tuple[Group, np.ndarray, np.ndarray, float, float]] = []  # group, cum, w, D, V
    for group, now in groups.items():
        if now.remaining <= 0:
            continue
        rows_g = [h.get(group) for h in history]
        points = np.array(
            [[0.0] * k]
            + [[float(r.get(c, 0)) for c in ids] if r else [0.0] * k for r in rows_g]
            + [list(np.asarray(now.counted, dtype=float))]
        )
        # the versions whose total went up (a count that went down is not a batch)
        totals = points.sum(axis=1)
        keep = totals > np.maximum.accumulate(np.concatenate([[-1.0], totals[:-1]]))
        keep[0] = True
        cum = points[keep]
        V = float(cum[-1].sum())
        if V <= 0:
            continue
        rows.append((group, cum, np.diff(cum.sum(axis=1)), V + now.remaining, V))
    batches = sum(len(w) for _, _, w, _, _ in rows)
    if batches - len(rows) < MIN_BATCHES:
        return None
    # The pooled within-group slope.
    sxx = 0.0
    sxy = np.zeros(k)
    fits = []
    for group, cum, w, D, V in rows:
        tot = cum.sum(axis=1)
        x = (tot[:-1] + tot[1:]) / 2 / D
        share = np.diff(cum, axis=0) / w[:, None]
        xbar = float(w @ x / V)
        level = cum[-1] / V
        sxx += float(w @ (x - xbar) ** 2)
        sxy += (w * (x - xbar)) @ (share - level)
        fits.append((group, x, share, w, xbar, level, D, V))
    if sxx <= 0:
        return None
    b = sxy / sxx
    ss = np.zeros(k)
    for _, x, share, w, xbar, level, _, _ in fits:
        resid = share - level - np.outer(x - xbar, b)
        ss += w @ resid**2
    phi = ss / max(batches - len(rows) - 1, 1)  # a batch's share variance × its votes
    slope, slope_var = _slope_posterior(b, phi / sxx)
    systematic = np.zeros(k)
    shared = np.zeros(k)
    noise = np.zeros(k)
    for group, _, _, _, xbar, _, D, V in fits:
        now = groups[group]
        r = now.remaining
        reach = (V + r / 2) / D - xbar
        systematic += (1 + CURVE) * np.abs(slope * reach) * r
        shared += np.sqrt(slope_var) * reach * r
        noise += (phi / V + phi / r) * r**2
    risk = DRIFT_FACTOR * np.sqrt((systematic + shared) ** 2 + noise)
    floor = DRIFT_FLOOR * sum(groups[g].remaining for g, *_ in fits)
    covered = {g for g, *_ in fits}
    return np.maximum(risk, floor), set(g for g, now in groups.items() if now.remaining > 0) - covered


__all__ = [
    "CURVE",
    "DRIFT_FACTOR",
    "DRIFT_FLOOR",
    "MAX_POINTS",
    "MIN_BATCHES",
    "MIN_VERSIONS",
    "SLOPE_PRIOR",
    "Group",
    "GroupNow",
    "History",
    "Point",
    "arrival_point",
    "arrival_risk",
]
