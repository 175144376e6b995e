"""Evidence that sizes a county as a whole, for the expected vote (``tracker.core.expected_vote``).

Three steps of the evidence order work county by county rather than cell by cell, and share the
turnout prior's band: a county sized by its baseline and the prior when the feed marks nothing
complete and gives no precinct counts (``_prior_cells``, step 3b); a night by precinct sized county
by county from a baseline by county (``_county_totals``, step 3c); and a county with nothing
counted and nothing to size it but the counties counted so far (``_county_band``, step 5). They
live apart because they answer one question — how big may a whole county be? — that the cell
model cannot, and the model's module had grown past what one reads at once. Pure, numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from tracker.core.baseline import Baseline, BaselineUnit, unit_match_key
from tracker.core.cells import Cells
from tracker.core.expected_params import (
    COUNTY_SPREAD,
    KAPPA_TURNOUT,
    MIN_RATIO_CELLS,
    RATIO_SPREAD,
    UNSEEN_CELLS,
    UNSEEN_REL_SD,
    Z90,
)
from tracker.core.finished_places import read_finished
from tracker.core.model import Contest, Reporting, UnitKind
from tracker.core.prior_rest import spread_rest
from tracker.core.turnout_prior import TurnoutPrior, place_middle, shared_ratio


def _half_in(contest: Contest) -> set[str]:
    """Counties at least half of whose precincts the feed marks complete: there the precincts
    in size those still out (a county's own results site with its precincts coming in), and the
    county's whole total, a band as wide as tonight's turnout is unknown, would only blur them.
    Before that, or on a feed that marks nothing complete (North Carolina's timeseries), the
    county's total is the better evidence: early and mail votes counted first make the
    precincts in a poor sample of the county."""
    seen: dict[str, list[int]] = {}
    for unit in contest.units:
        if unit.kind is UnitKind.PRECINCT and unit.county:
            row = seen.setdefault(unit.county, [0, 0])
            row[0] += unit.reporting is Reporting.COMPLETE
            row[1] += 1
    return {county for county, (done, n) in seen.items() if 2 * done >= n}


#: Evidence a county's whole total overrides in a night by precinct (``_county_totals``): what
#: rests on the precincts alone.
_WEAK = frozenset({"precincts", "peers", "unknown"})


def _county_totals(
    cells: Cells,
    totals: np.ndarray,
    complete: np.ndarray,
    whole: dict[str, BaselineUnit],
    half_in: set[str],
    prior: TurnoutPrior | None,
    final: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    source: list[str],
    band: np.ndarray,
    finished: np.ndarray,
    settled: float = 0.0,
    stalled: frozenset[str] = frozenset(),
) -> np.ndarray:
    """Step 3c (in place; returns the cells it sized). A county's final vote is its baseline
    total times tonight's ratio: learned from the counties complete tonight when two are, else
    the turnout prior's band (``prior_band``); counties in ``half_in`` (``_half_in``) teach the
    ratio but keep their precincts' own estimates. Its precincts still out share the county's rest
    like their own estimates (the mean precinct, the share of precincts in), which say how the
    rest is spread but not how big it is: a county's early and mail votes come in a few
    county-wide pseudo-precincts that no mean precinct sizes. North Carolina 2020 by precinct
    against 2016 by county: the first version's vote still out was put at 0 to 14.9 million votes
    when 2.2 million were; the precincts' own ranges, intersected with the county's, missed the
    truth in half the reordered runs (their top was too low where a one-stop site was still out)."""
    todo = ~complete
    names = sorted(whole)
    index = {name: k for k, name in enumerate(names)}
    g_of = np.asarray([index.get(c, -1) for c in cells.county], dtype=np.int64)
    inside = g_of >= 0
    n_g = len(names)
    c_g = np.bincount(g_of[inside], weights=totals[inside], minlength=n_g)
    b_g = np.asarray([float(whole[g].total) for g in names])
    done_g = np.bincount(g_of[inside], weights=todo[inside].astype(float), minlength=n_g) == 0
    # each county's cells still to count, found once (a statewide race has thousands of cells)
    order = np.flatnonzero(inside & todo)
    order = order[np.argsort(g_of[order], kind="stable")]
    bounds = np.searchsorted(g_of[order], np.arange(n_g + 1))
    applied = np.zeros(len(totals), dtype=bool)
    if done_g.sum() >= MIN_RATIO_CELLS:
        ratio = c_g[done_g].sum() / b_g[done_g].sum()
        loo = (c_g[done_g].sum() - c_g[done_g]) / np.maximum(b_g[done_g].sum() - b_g[done_g], 1e-9)
        rel = c_g[done_g] / np.maximum(loo * b_g[done_g], 1e-9) - 1.0
        rel_var = float(np.average(rel**2, weights=b_g[done_g]))
        n = int(done_g.sum())
        sd = math.sqrt(
            rel_var * (1.0 + 1.0 / n + KAPPA_TURNOUT**2)
            + UNSEEN_REL_SD**2 * UNSEEN_CELLS / (UNSEEN_CELLS + n)
        )
        bands = (ratio * (1.0 - Z90 * sd), ratio, ratio * (1.0 + Z90 * sd))
        evidence = "baseline"
    elif prior is not None:
        r_lo, r_mid, r_hi = prior_band(c_g, b_g, prior)
        floors = c_g / np.maximum(b_g, 1e-9)
        shared = max(shared_ratio(floors.tolist(), prior), r_lo)
        could = could_finish(g_of[inside], n_g, np.asarray(cells.ctype)[inside], totals[inside])
        could &= np.asarray([name in stalled for name in names], dtype=bool)
        found = read_finished(floors, could, prior, b_g)
        if found is not None:
            shared = max(found.ratio, r_lo)
            finished[inside] = np.maximum(finished[inside], found.p_done[g_of[inside]])
        bands = (r_lo * (1.0 - COUNTY_SPREAD), r_mid, r_hi)
        evidence = "prior"
    else:
        return applied
    for g, name in enumerate(names):
        mine = order[bounds[g] : bounds[g + 1]]
        if done_g[g] or name in half_in or not len(mine) or any(source[i] not in _WEAK for i in mine):
            continue
        f_lo, f_mid, f_hi = (max(r * b_g[g], c_g[g]) - c_g[g] for r in bands)
        known = np.asarray([source[i] != "unknown" for i in mine])
        rem = np.maximum(final[mine] - totals[mine], 0.0)
        low, high = f_lo, f_hi
        # Inside the prior's range (a national band, not a measure of tonight), the precincts'
        # own sum is the better middle where they all have one (election-day votes in every
        # precinct, sized by those already in); a ratio measured tonight is its own middle.
        mid = f_mid
        if evidence == "prior":
            # the night's shared ratio, above what the county's own count already proves
            mid = max(place_middle(shared, c_g[g] / b_g[g], RATIO_SPREAD["county"]) * b_g[g] - c_g[g], 0.0)
            mid *= 1.0 - place_settled(
                settled, name in stalled, c_g[g] / b_g[g], shared, RATIO_SPREAD["county"]
            )
            high = max(high, mid)
            if known.all():
                mid = min(max(float(rem.sum()), low), high)
        # The county's rest goes to its cells like their own estimates (a cell nothing sized
        # takes the mean of those something did; all alike when none was).
        w = np.where(known, rem, rem[known].mean() if known.any() and rem[known].sum() > 0 else 1.0)
        w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
        final[mine] = totals[mine] + mid * w
        lo[mine] = totals[mine] + low * w
        hi[mine] = totals[mine] + high * w
        for i in mine:
            source[i] = evidence
        band[mine] = True
        applied[mine] = True
    return applied


#: Versions read for ``settled``, and the growth over them at which the count is still running.
SETTLE_VERSIONS = 6
SETTLE_GROWTH = 0.03


def settled(totals: Sequence[int], now: int) -> float:
    """How far the count has stopped growing (0..1), from the contest's totals in its earlier
    versions (oldest first) and ``now``: 0 while the last ``SETTLE_VERSIONS`` versions added
    ``SETTLE_GROWTH`` of the count or more, 1 when they added nothing.

    Why: a feed that marks nothing complete never says a county is done, and the turnout prior
    keeps expecting each county to grow to the night's shared ratio; at the end of North
    Carolina's 2020 night it put 610,000 votes still out when 13,000 were. One county's pause says
    little (Georgia's counties stop for an hour mid-count), the whole count's says more."""
    if len(totals) < SETTLE_VERSIONS or now <= 0:
        return 0.0
    growth = (now - totals[-SETTLE_VERSIONS]) / now
    return float(min(max(1.0 - growth / SETTLE_GROWTH, 0.0), 1.0))


#: Versions a place's count must have stood still over, and how far below the night's shared ratio
#: (in its spreads) its count may be, for ``place_settled`` to read it as done.
STALL_VERSIONS = 3
STALL_SPREADS = 2.5


def stalled_places(
    history: Sequence[Mapping[tuple[str, str], Mapping[str, int]]], county: Sequence[str], totals: np.ndarray
) -> frozenset[str]:
    """The places (county names as the cells give them) whose count has not grown over the last
    ``STALL_VERSIONS`` versions of ``history``."""
    from tracker.core.arrival import ArrivalPoint

    if len(history) < STALL_VERSIONS:
        return frozenset()
    then: dict[str, int] = {}
    point = ArrivalPoint.of(history[-STALL_VERSIONS])
    sums = point.votes.sum(axis=1)
    for (place, _t), n in zip(point.groups, sums.tolist(), strict=True):
        then[place] = then.get(place, 0) + int(n)
    now: dict[str, float] = {}
    for place, n in zip(county, totals.tolist(), strict=True):
        now[place] = now.get(place, 0.0) + float(n)
    return frozenset(p for p, n in now.items() if n > 0 and n <= then.get(p, 0))


def place_settled(settled: float, stalled: bool, floor: float, shared: float, spread: float) -> float:
    """How far a place's middle settles on its count: as far as the whole count has stopped
    growing (``settled``), and fully for a place whose own count has stood still for
    ``STALL_VERSIONS`` versions and is already where a finished place could be (within
    ``STALL_SPREADS`` spreads below the shared ratio). Why both: a county pauses for an hour in
    the middle of its count (Georgia 2021 at half counted: 20 of 44 counties still for half an
    hour had 12.8 % of the final vote to add), but then it stands far below a finished county's
    size (its early ballots alone); a county that stands still at a finished county's size is done
    (North Carolina by county at 96 % counted: the shared ratio held 730,000 votes "still out" in
    finished counties when 210,000 were)."""
    if stalled and shared > 0 and floor >= shared * math.exp(-STALL_SPREADS * spread):
        return 1.0
    return settled


def could_finish(group: np.ndarray, n_groups: int, ctype: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Per place (``group``: each cell's place), whether its count could be its whole as far as
    the feed shows: it has counted something, in a feed with one total per place. A feed that
    splits vote types says more than a place's size can (``prior_rest``: what a county still owes
    by type), and there a still county with every type in is often one pausing between batches
    of precincts (North Carolina 2020 by county at 81 % counted: 40 such counties read as finished
    put the night at 1.11 of 2016 when it ended at 1.18, and the projection 0.7 pt further off)."""
    if (ctype != "total").any():
        return np.zeros(n_groups, dtype=bool)
    return np.bincount(group, weights=totals, minlength=n_groups) > 0


def prior_band(counted: np.ndarray, base: np.ndarray, prior: TurnoutPrior) -> tuple[float, float, float]:
    """The ratio band (low, middle, high) of tonight's turnout to the baseline's, from ``prior``
    narrowed by the count: the units' summed count over their summed baseline is a floor of the
    final ratio (a count only grows); the middle never below it; the top keeps room above a floor
    that has passed the prior's top (the prior was wrong: the count says so)."""
    floor = float(counted.sum() / base.sum()) if base.sum() > 0 else 0.0
    r_lo = max(prior.lo, floor)
    r_hi = prior.hi if r_lo < prior.hi else r_lo + (prior.hi - prior.lo) / 2.0
    r_mid = min(max(prior.mid, r_lo), r_hi)
    return r_lo, r_mid, r_hi


def _prior_cells(
    contest: Contest,
    cells: Cells,
    totals: np.ndarray,
    todo: np.ndarray,
    baseline: Baseline,
    final: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    source: list[str],
    band: np.ndarray,
    finished: np.ndarray,
    settled: float = 0.0,
    stalled: frozenset[str] = frozenset(),
) -> None:
    """Step 4d (in place): each unit whose unfinished cells are all still unknown, sized by its
    baseline total × the prior band (``prior_band``); a unit's final is never below its count.
    The unit's rest is spread over its vote types by what each still owes
    (``prior_rest.spread_rest``: early and mail ballots are counted first)."""
    assert baseline.prior is not None
    unit_ix = np.asarray(cells.unit, dtype=np.int64)
    n_units = len(contest.units)
    unknown = np.asarray([s == "unknown" for s in source]) & todo
    if not unknown.any():
        return
    b_unit = np.zeros(n_units)
    for u, unit in enumerate(contest.units):
        bu = baseline.units.get(unit_match_key(unit))
        if bu is not None and bu.total > 0:
            b_unit[u] = bu.total
    c_unit = np.bincount(unit_ix, weights=totals, minlength=n_units)
    # units with some other evidence for part of what is left are not sized twice
    owes = final > totals + 0.5  # a minor type nothing has shown is expected to stay empty (5b)
    other_todo = np.bincount(unit_ix, weights=(todo & ~unknown & owes).astype(float), minlength=n_units)
    ok = (b_unit > 0) & (other_todo == 0) & (np.bincount(unit_ix, weights=unknown, minlength=n_units) > 0)
    if not ok.any():
        return
    has = b_unit > 0
    r_lo, _, r_hi = prior_band(c_unit[has], b_unit[has], baseline.prior)
    precincts = sum(u.kind is UnitKind.PRECINCT for u in contest.units) * 2 > n_units
    spread = RATIO_SPREAD["precinct" if precincts else "county"]
    shared = max(shared_ratio((c_unit[has] / b_unit[has]).tolist(), baseline.prior), r_lo)
    could = could_finish(unit_ix, n_units, np.asarray(cells.ctype), totals)
    could &= np.asarray([(u.county or u.name) in stalled for u in contest.units], dtype=bool)
    found = read_finished(
        np.where(has, c_unit / np.maximum(b_unit, 1e-9), 0.0), could, baseline.prior, b_unit
    )
    if found is not None:
        shared = max(found.ratio, r_lo)
        finished[:] = np.maximum(finished, found.p_done[unit_ix])
    shown: dict[str, float] = {}
    for t, c in zip(cells.ctype, totals, strict=True):
        shown[t] = shown.get(t, 0.0) + float(c)
    for u in np.flatnonzero(ok):
        mine = np.flatnonzero(unknown & (unit_ix == u))
        types = [cells.ctype[i] for i in mine]
        # the place's middle: the night's shared ratio, above what its own count already proves
        floor = c_unit[u] / b_unit[u]
        unit = contest.units[u]
        calm = place_settled(settled, (unit.county or unit.name) in stalled, floor, shared, spread)
        mid = floor + (1.0 - calm) * (place_middle(shared, floor, spread) - floor)
        for r, out in ((mid, final), (r_lo * (1.0 - COUNTY_SPREAD), lo), (max(r_hi, mid), hi)):
            rest = max(b_unit[u] * r - c_unit[u], 0.0)
            out[mine] = totals[mine] + spread_rest(types, totals[mine], rest, shown)
        for i in mine:
            source[i] = "prior"
        band[mine] = True


def _county_band(
    totals: np.ndarray,
    complete: np.ndarray,
    in_t: np.ndarray,
    tgt: np.ndarray,
    county_cell: np.ndarray,
    final: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    band: np.ndarray,
) -> None:
    """Step 5's county cells with nothing counted (in place): each may hold from nothing to as
    much as the largest complete county cell of its type, summed as a band (one unknown: whether
    the counties still out are the small ones or the big ones). Precincts keep the mean's spread:
    they are drawn to similar sizes; counties are not. ``county_cell``: the cells of units that
    are not precincts."""
    waiting = np.flatnonzero(tgt & county_cell & (totals <= 0))
    sizes = totals[in_t & complete & county_cell & (totals > 0)]
    if not len(waiting) or not len(sizes):
        return
    lo[waiting] = 0.0  # nothing counted, and nothing bounds a county from below
    hi[waiting] = np.maximum(sizes.max(), final[waiting])
    band[waiting] = True


__all__ = [
    "SETTLE_GROWTH",
    "SETTLE_VERSIONS",
    "STALL_SPREADS",
    "STALL_VERSIONS",
    "could_finish",
    "place_settled",
    "prior_band",
    "settled",
    "stalled_places",
]
