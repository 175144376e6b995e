"""How a county sized by the turnout prior splits what it still owes: over its vote types, and
between the candidates.

A feed that marks nothing complete and gives no precinct counts (North Carolina's 2020 county
timeseries, Clarity's ALL.json) is sized county by county from a baseline and the turnout prior
(``county_evidence._prior_cells``). That says how much a county still owes, not what kind of vote
it is. Reading the rest "like the count so far" is wrong exactly when it matters: early and mail
ballots are counted first, so a county that has reported them and no election-day vote still owes
mostly election-day votes, which split differently (North Carolina 2020: Trump 47 % of the early
vote, 30 % of the mail, 65 % of election day; at 60 % counted, splitting the rest like the count
put the projection 6.5 points off, the running share 6.9). Two readings fix the middle:

* ``spread_rest``: the part of the rest each vote type still owes — a type counted first that has
  counted some owes what ``COUNTED_FIRST`` says is left of it, the types counted with the precincts
  (or not begun) owe the remainder;
* ``type_offsets``: how a vote type's split differs from the same county's other vote types, read
  from the counties that have counted some of both (their partial counts are samples of that type);
  applied to counties that have counted other types but none of this one.

Pure, numpy only, Qt-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tracker.core.expected_params import COUNTED_FIRST, MAJOR_TYPES
from tracker.core.finished_places import MIN_FINISHED

#: The part of a type a county's report holds once it has counted some of it, where that differs
#: from ``COUNTED_FIRST``'s middle: early in-person votes are cast on machines before election day
#: and tabulated together when the polls close, so a county that reports some reports them all (a
#: ballot cast early but counted later is a mail or provisional ballot in the feed).
FIRST_REPORT = {"early": 1.0}
#: Types whose votes come from the precincts on the day: a county that has counted none of them yet
#: has sent only its first report, the ballots cast before the day; what it owes is the day's.
ON_THE_DAY = frozenset({"election_day"})
#: Counties that have counted some of a type and of others, needed before the type's offset from
#: the others is read (fewer: no offset, the model risk covers it).
MIN_OFFSET_UNITS = 3
#: How far a county's final share strays from its baseline share swung as the night swings (sd),
#: and how far its rest may stray from that lean when nothing else is known (sd): the two readings
#: of a first-reported county's rest are weighed by them (``blend_first_reports``). Set by hand
#: (a county's swing between two elections is a few points; the rest of a county that has sent its
#: early ballots differs from the county by up to ten or twenty), not tuned: Georgia 2021 at 30, 50
#: and 70 % counted is better than the running share everywhere on the grid 0.02–0.05 × 0.05–0.2.
COUNTY_SWING_SD = 0.03
REST_SPREAD = 0.10
#: The relative sd of a county's expected vote when the caller gives none, and the largest part of
#: it read as counted (the algebra divides by what is left).
DEFAULT_SIZE_SD = 0.03
MAX_DONE = 0.999
#: The part of a place's baseline vote its shares must give tonight's candidates for the place to
#: have a lean of its own (matched by name or party; a primary against a general has none).
LEAN_COVERED = 0.8


def counted_first(vote_type: str) -> float:
    """The part of ``vote_type`` a county's report holds once it has counted some of it: all of
    its early in-person vote (``FIRST_REPORT``), else the middle of ``COUNTED_FIRST``."""
    if vote_type in FIRST_REPORT:
        return FIRST_REPORT[vote_type]
    return COUNTED_FIRST.get(vote_type, COUNTED_FIRST["other"])[1]


def spread_rest(
    types: Sequence[str], counts: np.ndarray, rest: float, shown: Mapping[str, float]
) -> np.ndarray:
    """The votes of a unit's ``rest`` each of its cells (one per vote type) still owes.

    A type counted first (early, mail) that has counted some owes ``c·(1−e)/e`` more (``e`` its
    ``counted_first`` middle; all of it is in while the county has counted nothing of the
    election-day vote: that was the report of the ballots cast before the day); the types
    counted with the precincts (election day) and those not begun owe the remainder, shared like
    the contest's count of each type so far (``shown``: votes by type over the whole contest; a
    minor type nothing has shown anywhere owes nothing, a major one owes a share even if nothing
    has shown it yet). When the counted-first types alone would
    exceed the rest, they share it and the others owe nothing."""
    n = len(counts)
    if n == 1:  # one vote type (a feed that does not split them): all of it, without numpy's cost
        return np.asarray([max(rest, 0.0)])
    out = np.zeros(n)
    if rest <= 0 or n == 0:
        return out
    first = np.asarray([counted_first(t) for t in types])
    day = np.asarray([t in ON_THE_DAY for t in types], dtype=bool)
    if day.any() and not (counts[day] > 0).any():
        # only the ballots cast before the day are in: that report held all of them
        first = np.where(first > 0, 1.0, first)
    more = np.where((first > 0) & (counts > 0), counts * (1.0 - first) / np.maximum(first, 1e-9), 0.0)
    owed = (counts <= 0) | (first <= 0)
    weight = np.asarray([float(shown.get(t, 0.0)) for t in types])
    major = np.asarray([t in MAJOR_TYPES for t in types], dtype=bool)
    owed &= (weight > 0) | major
    if owed.any():
        w = np.where(owed, weight, 0.0)
        if w.sum() <= 0:
            w = owed.astype(float)
        extra = max(rest - float(more.sum()), 0.0)
        taken = min(float(more.sum()), rest)
        if more.sum() > 0:
            out += more / more.sum() * taken
        out += w / w.sum() * extra
        return out
    if more.sum() > 0:
        return more / more.sum() * rest
    w = counts if counts.sum() > 0 else np.ones(n)
    return w / w.sum() * rest


def type_offsets(
    ctype: np.ndarray,
    unit_ix: np.ndarray,
    counted: np.ndarray,
    totals: np.ndarray,
    pool: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per vote type, how its split differs from the same unit's other types (a share per
    candidate), read from the units of ``pool`` that have counted some of the type and of others,
    weighted by the type's count there. Types with fewer than ``MIN_OFFSET_UNITS`` such units get
    none."""
    n_units = int(unit_ix.max()) + 1 if len(unit_ix) else 0
    unit_votes = np.zeros((n_units, counted.shape[1]))
    np.add.at(unit_votes, unit_ix[pool], counted[pool])
    out: dict[str, np.ndarray] = {}
    for t in sorted(set(ctype[pool].tolist())):
        mine = pool & (ctype == t) & (totals > 0)
        rows = np.flatnonzero(mine)
        other = unit_votes[unit_ix[rows]] - counted[rows]
        other_tot = other.sum(axis=1)
        keep = other_tot > 0
        if int(keep.sum()) < MIN_OFFSET_UNITS:
            continue
        rows, other, other_tot = rows[keep], other[keep], other_tot[keep]
        share = counted[rows] / totals[rows, None]
        diff = share - other / other_tot[:, None]
        out[t] = totals[rows] @ diff / totals[rows].sum()
    return out


def finished_swing(
    pool: np.ndarray, counted: np.ndarray, totals: np.ndarray, base_x: np.ndarray, finished: np.ndarray
) -> np.ndarray | None:
    """How tonight's split differs from the baseline's (a share per candidate) in the places of
    ``pool`` that look finished (``finished``: each cell's probability, ``finished_places``),
    weighted by their count and that probability; None when fewer than ``MIN_FINISHED`` do.

    Why: in a feed with one total per county, a county's count is its early and mail ballots
    first; the counted places' swing is the swing of those ballots, not of the county. Georgia's
    2021 runoff at half counted: the counted vote stood 4 points more for Ossoff against November
    than the counties' rest went. A finished county's count is its whole."""
    if not len(finished):
        return None
    use = pool & (totals > 0) & (finished > 0)
    if float(finished[use].sum()) < MIN_FINISHED:
        return None
    w = finished[use] * totals[use]
    share = counted[use] / totals[use, None]
    return w @ (share - base_x[use]) / w.sum()


def blend_first_reports(
    pred_share: np.ndarray,
    sized: np.ndarray,
    ctype: np.ndarray,
    counted: np.ndarray,
    totals: np.ndarray,
    pred_final: np.ndarray,
    has_base: np.ndarray,
    base_x: np.ndarray,
    finished: np.ndarray,
    size_sd: np.ndarray | None = None,
    places: np.ndarray | None = None,
    swing_pool: np.ndarray | None = None,
) -> None:
    """A place sized by the prior or by the feed, in a feed without vote types, that has counted
    part of its vote: how its rest splits.

    One total per county (Clarity's ALL.json, an AP feed) hides that a county's first report is
    its early and mail ballots; its count says little about the rest (Georgia's 2021 runoffs at
    27 % counted: the counties' rests split 60 % for Ossoff, their counts 68 %). What is known is
    the county's lean: its baseline share swung as the night swings (``swing``). If the county ends
    there, its rest is what takes it there from its count — ``target + done/(1−done)·(target −
    count share)``, ``done`` the count's part of the county's expected vote. That reading is sharp
    while little is counted and blows up as ``done`` nears 1 (a county's own swing, sd
    ``COUNTY_SWING_SD``, and the error of its size land on an ever smaller rest), so it is weighed
    against the plain lean (sd ``REST_SPREAD``) by their variances.

    The swing is read from the places that look finished where enough do (``finished_swing``);
    before that from the counted vote, only as far as it is of the places' whole: their early and
    mail ballots swing unlike the rest. (Up to expected-vote-7 the rest split like the count as
    far as the count was of the whole: the algebra's sign the other way round. Georgia 2021 at
    half counted: 1.1 points off → 0.1; see docs/projection.md.)"""
    part = sized & (ctype == "total") & (totals > 0) & has_base
    if not part.any():
        return
    w = totals[part]
    share = counted[part] / w[:, None]
    pool = sized if swing_pool is None else swing_pool
    swing = finished_swing(pool & (ctype == "total") & has_base, counted, totals, base_x, finished)
    if swing is None:
        # the counted vote says the swing only as far as it is of the places' whole vote: the rest
        # of the way it is the baseline's (Georgia 2021 at 30 % counted: 2.9 → 2.4 pt off)
        swing = w @ (share - base_x[part]) / max(float(pred_final[part].sum()), float(w.sum()))
    target = base_x[part] + swing[None, :]
    done = np.clip(w / np.maximum(pred_final[part], 1.0), 0.0, MAX_DONE)[:, None]
    algebra = target + done / (1.0 - done) * (target - share)
    rel = DEFAULT_SIZE_SD if size_sd is None else size_sd[part][:, None]
    gap = np.abs(target - share).max(axis=1, keepdims=True)
    var_algebra = (COUNTY_SWING_SD / (1.0 - done)) ** 2 + (gap * done * rel / (1.0 - done) ** 2) ** 2
    weight = REST_SPREAD**2 / (REST_SPREAD**2 + var_algebra)
    rest = weight * algebra + (1.0 - weight) * target
    # The algebra needs the place's own lean for tonight's candidates. A precinct that borrows its
    # county's (a baseline by county) ends anywhere around it, and a place whose baseline shares
    # cover little of tonight's vote (a primary against a general election: its candidates share a
    # party, so no share is matched) has no lean, only the night's average: either would drive the
    # rest to land the place on a lean it never had. Their rest splits like their count as far as
    # the count is of their whole, the rest of the way like the lean.
    own = base_x[part].sum(axis=1) >= LEAN_COVERED
    if places is not None:
        own &= places[part]
    rest[~own] = (done * share + (1.0 - done) * target)[~own]
    pred_share[part] = rest


def split_waiting(
    pred_share: np.ndarray,
    sized: np.ndarray,
    county: Sequence[str],
    ctype: np.ndarray,
    counted: np.ndarray,
    pred_final: np.ndarray,
    has_base: np.ndarray,
    base_x: np.ndarray,
    finished: np.ndarray | None = None,
    size_sd: np.ndarray | None = None,
    places: np.ndarray | None = None,
    swing_pool: np.ndarray | None = None,
) -> np.ndarray:
    """How the cells sized by the turnout prior (``sized``) that have counted nothing will split
    (in place, rows of ``pred_share``), by the best evidence each has:

    1. its county has counted some of its vote type elsewhere (a precinct night): like that;
    2. its county has counted other types only: like them, moved by the type's offset
       (``type_offsets``, read county by county: election-day votes are not like the early and
       mail ballots counted first);
    3. its county has counted nothing: the baseline's lean (the county's, for a precinct the
       baseline lacks), swung like the places that have counted some — read from their projected
       finals, not their counts, which hold the vote counted first (Georgia's 2021 runoffs: the 55
       counties not in at 36 % counted were rural and Republican); in a feed with one total per
       place, swung like the places that look finished where enough do (``finished_swing``).

    The cells sized that have counted some of a feed's one total split as ``blend_first_reports``
    reads them (``size_sd``: each cell's expected vote's relative sd, from its range; ``places``:
    the cells whose unit is a place with a lean of its own, not a precinct that borrows its
    county's; ``swing_pool``: the cells the night's swing may be read from where they look
    finished, ``sized`` when not given — the complete places too where a feed marks some).

    Returns the cells of case 2 (their split is inferred from other vote types)."""
    totals = counted.sum(axis=1)
    finished = np.zeros(len(totals)) if finished is None else finished
    blend_first_reports(
        pred_share,
        sized,
        ctype,
        counted,
        totals,
        pred_final,
        has_base,
        base_x,
        finished,
        size_sd,
        places,
        swing_pool,
    )
    waiting = sized & (totals <= 0)
    if not waiting.any():
        return np.zeros(len(totals), dtype=bool)
    k = counted.shape[1]
    names = sorted(set(county))
    index = {c: g for g, c in enumerate(names)}
    g_ix = np.asarray([index[c] for c in county], dtype=np.int64)
    types = sorted(set(ctype.tolist()))
    t_of = {t: j for j, t in enumerate(types)}
    t_ix = np.asarray([t_of[t] for t in ctype.tolist()], dtype=np.int64)
    # the county's votes by type (groups × candidates), the groups' county and type
    group = g_ix * len(types) + t_ix
    n_groups = len(names) * len(types)
    by_group = np.zeros((n_groups, k))
    np.add.at(by_group, group, counted)
    group_total = by_group.sum(axis=1)
    county_votes = by_group.reshape(len(names), len(types), k).sum(axis=1)
    pool = np.zeros(n_groups, dtype=bool)
    pool[np.unique(group[sized])] = True
    offsets = type_offsets(
        np.asarray(types * len(names)),
        np.repeat(np.arange(len(names)), len(types)),
        by_group,
        group_total,
        pool,
    )
    other = county_votes[g_ix] - by_group[group]
    other_total = other.sum(axis=1)
    same = waiting & (group_total[group] > 0)
    if same.any():
        pred_share[same] = by_group[group[same]] / group_total[group[same], None]
    typed = waiting & ~same & (other_total > 0)
    for t in set(ctype[typed].tolist()):
        mine = typed & (ctype == t)
        pred_share[mine] = other[mine] / other_total[mine, None] + offsets.get(t, 0.0)
    rest_cells = waiting & ~same & ~typed & has_base
    seen = sized & has_base & (county_votes[g_ix].sum(axis=1) > 0)
    whole = None
    if rest_cells.any() and (ctype[rest_cells] == "total").all():
        pool = sized if swing_pool is None else swing_pool
        whole = finished_swing(pool & has_base & (ctype == "total"), counted, totals, base_x, finished)
    if whole is not None:
        pred_share[rest_cells] = base_x[rest_cells] + whole[None, :]
    elif rest_cells.any() and seen.any():
        rest = np.maximum(pred_final[seen] - totals[seen], 0.0)
        votes = counted[seen].sum(axis=0) + rest @ np.clip(pred_share[seen], 0.0, 1.0)
        size = totals[seen] + rest
        if size.sum() > 0 and votes.sum() > 0:
            swing = votes / float(votes.sum()) - size @ base_x[seen] / size.sum()
            pred_share[rest_cells] = base_x[rest_cells] + swing[None, :]
    return typed


__all__ = [
    "COUNTY_SWING_SD",
    "DEFAULT_SIZE_SD",
    "FIRST_REPORT",
    "LEAN_COVERED",
    "MIN_OFFSET_UNITS",
    "ON_THE_DAY",
    "REST_SPREAD",
    "blend_first_reports",
    "counted_first",
    "finished_swing",
    "split_waiting",
    "spread_rest",
    "type_offsets",
]
