"""Expected vote: how many votes each reporting unit (and vote type) will have cast when all is
counted, with a range and the evidence it rests on.

This is its own part of the core because the question users open the app for ("will this
candidate clear the line?") depends more on *how much vote is still out* than on how it splits,
and one estimate must feed the "vote still out" line, the "needs X % of the outstanding vote"
arithmetic, the drill-down and the projection. Two numbers that disagree in one window are worse
than one number with an honest range.

The unit of work is the projection's *cell* (a unit × canonical vote type, ``tracker.core.cells``).
A complete cell is its count. Any other cell takes the best evidence it has, in this order, and
says which (``source``):

1. ``feed`` — the feed's own expectation for the unit (AP's expected vote, ``expected_votes`` in
   ``tracker-feed/1``), spread over the unit's unfinished cells;
2. ``baseline`` — the unit's votes of that type in a baseline election, times the ratio the
   complete cells of the type show tonight (per county, shrunk towards the type-wide ratio);
3. ``registered`` — the unit's registered voters times the same kind of ratio;
3b. ``prior`` — a feed that marks nothing complete and gives no precinct counts (North Carolina's
   2020 county timeseries, Clarity's ALL.json): the unit's baseline total times the prior band of
   tonight's turnout ratio by election type (``tracker.core.turnout_prior``), narrowed by what the
   count proves (the summed count over the summed baseline is a floor); wide, and said so;
3c. a night by precinct whose baseline is by county (the shipped presidential table, a state's
   earlier result by county): each county's vote as a whole, its baseline total times the ratio
   of the counties complete tonight (``baseline``), else the prior band (``prior``); its precincts
   still out share the county's rest like their own estimates (``_county_totals``);
4. ``precincts`` — a county unit's share of precincts in. Never as a plain multiplier on votes
   that may be early or mail ballots counted before any precinct (the bug that projected Fulton
   County at ten million votes with 13 of 439 precincts and 63 % of its vote in): a unit's count
   is evidence that it is *at least* that far along. The count C of a cell is read as
   C = F·(e + f·(1−e)), F its final vote, f the share of precincts in and e the part of the type
   counted whatever the precincts (early and mail ballots counted first); e is not known, so it
   spans a prior range per vote type (``COUNTED_FIRST``) and the estimate is wide and says so;
5. ``peers`` — the mean cell of its type among the complete cells (a unit that shows nothing);
   a county (not a precinct) that shows nothing is given a range, not a spread around that mean:
   from nothing to as large as the largest county counted so far (``_county_band``).
   Counties span three orders of magnitude and the cities often report last: "like the counties
   counted so far" is a guess whose error no residual of theirs can show;
6. ``unknown`` — nothing to go on: the outstanding vote is then unknown ("too early").

Whatever the source, the estimate never goes below what is counted (a count above the
expectation raises the expectation) and never above the unit's registered voters when known.
Pure, deterministic, numpy only, Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tracker.core.baseline import Baseline, unit_match_key
from tracker.core.cells import Cells, cut_cells, is_complete_unit
from tracker.core.county_evidence import _county_band, _county_totals, _half_in, _prior_cells, prior_band
from tracker.core.coverage import covers_part_of_counties
from tracker.core.expected_params import (
    COUNTED_FIRST,
    FEED_HALF_WIDTH,
    KAPPA_TURNOUT,
    MAJOR_TYPES,
    MIN_RATIO_CELLS,
    SHRINK,
    SOURCES,
    UNSEEN_CELLS,
    UNSEEN_REL_SD,
    Z90,
)
from tracker.core.model import Contest, UnitKind
from tracker.core.threshold import Outstanding
from tracker.core.write_ins import is_write_in

#: The evidence a stated cell may rest on (``CellExpectation.stated``).
_STATED = frozenset({"counted", "feed", "precincts"})


@dataclass(frozen=True)
class CellExpectation:
    """Expected final votes per cell (arrays over the cut cells)."""

    final: np.ndarray
    #: 90 % range of each cell's final votes (for display and the summed outstanding range).
    lo: np.ndarray
    hi: np.ndarray
    #: Independent relative variance of each unfinished cell's remainder.
    rel_var: np.ndarray
    #: Shared errors: (cells, relative variance of their summed remainder).
    groups: list[tuple[np.ndarray, float]]
    #: Evidence of each cell (``SOURCES``).
    source: list[str]
    #: Whether the bands of ``precincts`` cells are summed as fully correlated (they share ``e``).
    band_cells: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: The votes each cell's relative errors (``rel_var``, ``groups``) apply to: the whole final
    #: vote for a ratio estimate (its error all lands on the remainder), else the remainder.
    scale: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: The cells whose range rests on what the feed states: complete, the feed's expected vote,
    #: or a county's precincts reporting of its total (step 4). Not the precinct steps that lean
    #: on a baseline (4b) or on which precincts show votes (4c): those are estimates. Whether the
    #: outstanding vote's top is a hard one (``Outstanding.hard``) is whether every cell still out
    #: is stated.
    stated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: Per cell, the probability that its place has finished counting, on a feed that never says
    #: (``finished_places``: read from the places' counts against the baseline; 1 where the count
    #: has reached the feed's own expected vote); 0 elsewhere.
    finished: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def county_band(self) -> np.ndarray:
        """The cells whose range is a bound, not a likely spread: counties with nothing counted
        and nothing to size them but the counties counted (``_county_band``)."""
        if not len(self.band_cells):
            return np.zeros(len(self.source), dtype=bool)
        return self.band_cells & np.asarray([s == "peers" for s in self.source], dtype=bool)


def _base_votes(contest: Contest, cells: Cells, baseline: Baseline | None) -> np.ndarray:
    """Each cell's votes of its type in the baseline (0 where the baseline lacks the unit/type)."""
    n = len(cells.unit)
    out = np.zeros(n)
    if baseline is None:
        return out
    keyed = [baseline.units.get(unit_match_key(u)) for u in contest.units]
    for i in range(n):
        bu = keyed[cells.unit[i]]
        if bu is None or bu.total <= 0:
            continue
        out[i] = bu.votes_of(cells.ctype[i])  # a baseline by total sizes every type
    return out


def expect_cells(
    contest: Contest,
    cells: Cells,
    totals: np.ndarray,
    complete: np.ndarray,
    baseline: Baseline | None,
    settled: float = 0.0,
    stalled: frozenset[str] = frozenset(),
) -> CellExpectation:
    """Expected final votes of every cell of ``contest`` (see the module docstring).
    ``settled`` (0..1, from the night's versions: ``county_evidence.settled``): how far the
    count has stopped growing; the middle of a place sized by the turnout prior moves that far
    towards its count (its range does not); ``stalled``: the places whose count has stood still
    (``county_evidence.stalled_places``), settled when they stand where a finished place could."""
    n = len(cells.unit)
    units = contest.units
    unit_ix = np.asarray(cells.unit, dtype=np.int64)
    ctype = np.asarray(cells.ctype)
    counties = sorted(set(cells.county))
    cix = {c: i for i, c in enumerate(counties)}
    county_ix = np.asarray([cix[c] for c in cells.county], dtype=np.int64)
    registered = np.asarray([units[u].registered or 0 for u in cells.unit], dtype=float)
    base = _base_votes(contest, cells, baseline)
    unit_votes = np.bincount(unit_ix, weights=totals, minlength=len(units))

    final = np.where(complete, totals, 0.0).astype(float)
    lo = final.copy()
    hi = final.copy()
    rel_var = np.zeros(n)
    groups: list[tuple[np.ndarray, float]] = []
    source = ["counted" if complete[i] else "unknown" for i in range(n)]
    band = np.zeros(n, dtype=bool)
    todo = ~complete
    stated = np.asarray(complete, dtype=bool).copy()
    finished = np.zeros(n)

    county_cell: np.ndarray | None = None  # cells of units that are not precincts (made once)
    # 2, 3, 5: ratios learned from the complete cells of each type.
    for t in sorted(set(cells.ctype)):
        in_t = ctype == t
        tgt = in_t & todo
        if not tgt.any():
            continue
        train = in_t & complete
        for name, avail, b in (
            ("baseline", base > 0, base),
            ("registered", registered > 0, registered),
        ):
            tr = train & avail
            use = tgt & avail
            if not use.any() or tr.sum() < MIN_RATIO_CELLS:
                continue
            pred, var, sys = _ratio(totals, b, tr, use, county_ix, len(counties))
            final[use], rel_var[use] = pred[use], var
            for i in np.flatnonzero(use):
                source[i] = name
            groups.append((use, sys))
            tgt = tgt & ~use
        # 4: a county unit's precincts, read as "at least this far along".
        for i in np.flatnonzero(tgt):
            unit = units[cells.unit[i]]
            if unit.kind is UnitKind.PRECINCT or not unit.precincts_total:
                continue
            f = min((unit.precincts_reporting or 0) / unit.precincts_total, 1.0)
            if totals[i] <= 0 and f <= 0:
                continue  # nothing counted, no precinct in: no evidence either way
            e_lo, e_mid, e_hi = COUNTED_FIRST.get(t, COUNTED_FIRST["other"])
            c = float(totals[i])

            def along(e: float, f: float = f) -> float:
                return max(e + f * (1.0 - e), 0.05)

            final[i], lo[i], hi[i] = c / along(e_mid), c / along(e_hi), c / along(e_lo)
            source[i] = "precincts"
            band[i] = True
            stated[i] = True
            tgt[i] = False
        # 4c: precincts of a county that has counted some of a type that is not cast in the
        # precincts (early, mail: often counted centrally, in a few pseudo-precincts, before any
        # precinct): the county's count read as "at least this far along", the rest spread over
        # its precincts still out — not the mean cell, which one county-wide pseudo-precinct of
        # 370,000 early votes makes 76,000 for every precinct (North Carolina 2020).
        if t in ("early", "mail") and tgt.any():
            for g in np.unique(county_ix[tgt]):
                mine = tgt & (county_ix == g)
                if any(units[cells.unit[i]].kind is not UnitKind.PRECINCT for i in np.flatnonzero(mine)):
                    continue
                in_g = in_t & (county_ix == g)
                c_g = float(totals[in_g].sum())
                if c_g <= 0:
                    continue
                # how far along the county is: its precincts that have reported anything
                members = np.unique(unit_ix[county_ix == g])
                f = float((unit_votes[members] > 0).sum()) / float(len(members))
                e_lo, e_mid, e_hi = COUNTED_FIRST.get(t, COUNTED_FIRST["other"])
                share = 1.0 / float(mine.sum())
                for e, out in ((e_mid, final), (e_hi, lo), (e_lo, hi)):
                    out[mine] = totals[mine] + share * (c_g / max(e + f * (1.0 - e), 0.05) - c_g)
                for i in np.flatnonzero(mine):
                    source[i] = "precincts"
                band[mine] = True
                tgt = tgt & ~mine
        # 5: the type's mean complete cell.
        tr = train & (totals > 0)
        if tgt.any() and tr.sum() >= MIN_RATIO_CELLS:
            ones = np.ones(n)
            pred, var, sys = _ratio(totals, ones, tr, tgt, county_ix, len(counties))
            final[tgt], rel_var[tgt] = pred[tgt], var
            for i in np.flatnonzero(tgt):
                source[i] = "peers"
            # A precinct that has reported other vote types but none of this one, in a county
            # where most precincts that reported anything have this type in, is more likely one
            # that never has it (a county's one-stop or absentee pseudo-precinct) than one still
            # to come: it keeps the mean cell only in proportion to the county's units still out.
            shown = unit_votes[unit_ix] > 0
            missing = tgt & shown & (totals <= 0)
            if missing.any():
                have = np.bincount(
                    county_ix, weights=(in_t & complete & shown).astype(float), minlength=len(counties)
                )
                seen = np.bincount(county_ix, weights=(in_t & shown).astype(float), minlength=len(counties))
                f_done = np.divide(have, seen, out=np.zeros_like(have), where=seen > 0)[county_ix]
                final[missing] = totals[missing] + (1.0 - f_done[missing]) * (
                    final[missing] - totals[missing]
                )
            groups.append((tgt.copy(), sys))
            if county_cell is None:
                county_cell = np.asarray(
                    [units[u].kind is not UnitKind.PRECINCT for u in cells.unit], dtype=bool
                )
            _county_band(totals, complete, in_t, tgt, county_cell, final, lo, hi, band)

    # 4b: a unit the precincts say nothing about yet (nothing counted, none in) but that the
    # baseline knows: the turnout ratio the precinct-read cells of its type show against the
    # baseline (of all types when its type has none), with their band. A county-level night has
    # few complete counties for hours; its baseline is what sizes the counties not yet counting.
    left = np.asarray([s == "unknown" for s in source]) & todo & (base > 0)
    if left.any():
        read = band & (base > 0)
        for i in np.flatnonzero(left):
            same = read & (ctype == ctype[i])
            pool = same if same.any() else read
            if not pool.any() or base[pool].sum() <= 0:
                continue
            scale = base[i] / base[pool].sum()
            final[i] = scale * final[pool].sum()
            lo[i] = scale * lo[pool].sum()
            hi[i] = scale * hi[pool].sum()
            source[i] = "precincts"
            band[i] = True
    # 5b: a minor vote type (provisional, other) that nothing has shown anywhere yet is expected
    # to stay empty rather than hold the whole estimate back; a major one stays unknown. (Before
    # 4d: a place sized as a whole would otherwise pour its rest into its provisional ballots.)
    shown_by_type = {t: float(totals[ctype == t].sum()) for t in set(cells.ctype)}
    for i in np.flatnonzero(todo):
        t = str(ctype[i])
        if source[i] == "unknown" and t not in MAJOR_TYPES and shown_by_type[t] <= 0:
            source[i] = "peers"
            final[i] = lo[i] = hi[i] = totals[i]

    # 4d: a unit still unknown that the baseline knows, on a night whose feed marks nothing
    # complete and gives no precinct counts (North Carolina's county timeseries, Clarity's ALL.json):
    # the baseline's turnout times the prior band of tonight's ratio to it (by election type,
    # ``tracker.core.turnout_prior``), narrowed only by what the count proves. Wide, and said so.
    if baseline is not None and baseline.prior is not None:
        _prior_cells(
            contest, cells, totals, todo, baseline, final, lo, hi, source, band, finished, settled, stalled
        )
    # 1: the feed's own expectation wins, spread over the unit's unfinished cells.
    feed_units = [u for u, unit in enumerate(units) if getattr(unit, "expected_votes", None) is not None]
    if feed_units:
        feed_cells = np.zeros(n, dtype=bool)
        for u in feed_units:
            mine = (unit_ix == u) & todo
            if not mine.any():
                continue
            expected = float(units[u].expected_votes or 0)
            counted_unit = float(totals[unit_ix == u].sum())
            rest = max(expected, counted_unit) - counted_unit
            have = np.maximum(final[mine] - totals[mine], 0.0)
            weights = have / have.sum() if have.sum() > 0 else np.full(int(mine.sum()), 1.0 / mine.sum())
            final[mine] = totals[mine] + rest * weights
            rel_var[mine] = 0.0
            lo[mine] = final[mine]
            hi[mine] = final[mine]
            band[mine] = False
            for i in np.flatnonzero(mine):
                source[i] = "feed"
            # a unit whose count has reached the feed's expectation has finished, as far as the
            # feed knows (``prior_rest.finished_swing`` reads the night's swing from such units)
            finished[mine] = 1.0 if rest <= 0 else 0.0
            stated[mine] = True
            feed_cells |= mine
        if feed_cells.any():
            groups = [(g & ~feed_cells, v) for g, v in groups]
            # The feed's error is shared by its units (one model of AP's): relative to the final.
            rem = float(np.maximum(final[feed_cells] - totals[feed_cells], 0.0).sum())
            fin = float(final[feed_cells].sum())
            if rem > 0:
                groups.append((feed_cells, (FEED_HALF_WIDTH * fin / Z90 / rem) ** 2))

    # Never below the count, never above the registered voters.
    final = np.maximum(final, totals)
    cap = np.where(registered > 0, np.maximum(registered, totals), np.inf)
    final = np.minimum(final, cap)
    # A ratio's error is an error in the cell's *final* vote, all of it landing on what is left
    # (a county half counted whose final is 10 % off has its remainder 20 % off); the feed's is
    # already expressed on the remainder.
    ratio_cells = np.asarray([s in ("baseline", "registered", "peers") for s in source]) & todo
    scale = np.where(ratio_cells, final, np.maximum(final - totals, 0.0))
    scale = np.where(todo & ~band, scale, 0.0)
    for i in np.flatnonzero(todo & ~band):
        if source[i] in ("unknown", "counted"):
            continue
        sd = scale[i] * math.sqrt(rel_var[i] + sum(v for g, v in groups if g[i]))
        lo[i], hi[i] = final[i] - Z90 * sd, final[i] + Z90 * sd
    lo = np.clip(np.minimum(lo, final), totals, None)
    hi = np.minimum(np.maximum(hi, final), cap)
    # 3c (last: it reads the precincts' estimates): a night by precinct whose baseline is by
    # county: each county's vote sized as a whole until half its precincts are in (then the
    # precincts' own evidence stands).
    if baseline is not None and not covers_part_of_counties(contest.name):
        whole = baseline.county_totals(contest)
        if whole:
            applied = _county_totals(
                cells,
                totals,
                complete,
                whole,
                _half_in(contest),
                baseline.prior,
                final,
                lo,
                hi,
                source,
                band,
                finished,
                settled,
                stalled,
            )
            if applied.any():
                rel_var[applied] = 0.0
                scale[applied] = 0.0
                groups = [(g & ~applied, v) for g, v in groups]
                final = np.minimum(final, cap)
                hi = np.minimum(hi, cap)
                lo = np.minimum(lo, final)
    # A later step that sized a stated cell again (a county's whole total, 3c) put its own
    # evidence there: the cell is stated only while it still rests on what stated it.
    stated &= np.asarray([s in _STATED for s in source], dtype=bool)
    return CellExpectation(final, lo, hi, rel_var, groups, source, band, scale, stated, finished)


def _ratio(
    totals: np.ndarray,
    base: np.ndarray,
    train: np.ndarray,
    use: np.ndarray,
    county_ix: np.ndarray,
    n_counties: int,
) -> tuple[np.ndarray, float, float]:
    """Final votes = base × the county's ratio (votes / base over the complete cells, shrunk
    towards the type-wide ratio); the leave-one-out relative error of the complete cells as the
    per-cell variance, and the shared variance (the ratio's own error plus ``KAPPA_TURNOUT``)."""
    a = totals[train]
    b = base[train]
    ratio_all = a.sum() / b.sum() if b.sum() > 0 else 0.0
    g = county_ix[train]
    num = np.bincount(g, weights=a, minlength=n_counties)
    den = np.bincount(g, weights=b, minlength=n_counties)
    mean_b = b.mean()
    ratio_c = (num + SHRINK * mean_b * ratio_all) / (den + SHRINK * mean_b)
    loo_ratio = (num[g] - a + SHRINK * mean_b * ratio_all) / (den[g] - b + SHRINK * mean_b)
    pred_tr = loo_ratio * b
    rel = np.divide(a - pred_tr, pred_tr, out=np.zeros_like(a), where=pred_tr > 0)
    wt = np.maximum(pred_tr, 1e-9)
    rel_var = float(np.sum(wt * rel**2) / np.sum(wt)) if wt.sum() > 0 else 1.0
    pred = np.zeros(len(totals))
    pred[use] = ratio_c[county_ix[use]] * base[use]
    n_train = int(train.sum())
    sys = rel_var * (1.0 / max(n_train, 1) + KAPPA_TURNOUT**2)
    sys += UNSEEN_REL_SD**2 * UNSEEN_CELLS / (UNSEEN_CELLS + n_train)
    return pred, rel_var, sys


def outstanding_range(
    exp: CellExpectation, totals: np.ndarray, todo: np.ndarray, factor: float = 1.0
) -> tuple[float, float, float] | None:
    """The outstanding vote (expected, low, high) over ``todo`` cells: independent and shared
    errors added in quadrature, the ``precincts`` bands added linearly (they share one unknown);
    None when some unfinished cell has nothing to go on."""
    if any(exp.source[i] == "unknown" for i in np.flatnonzero(todo)):
        return None
    rem = np.where(todo, np.maximum(exp.final - totals, 0.0), 0.0)
    r = float(rem.sum())
    banded = todo & exp.band_cells
    smooth = np.where(todo & ~banded, exp.scale, 0.0)
    var = float(np.sum(smooth**2 * exp.rel_var))
    for g, v in exp.groups:
        var += v * float(smooth[g].sum()) ** 2
    sd = math.sqrt(var) * factor
    band_lo = float(np.sum(np.maximum(exp.lo - totals, 0.0)[banded]))
    band_hi = float(np.sum(np.maximum(exp.hi - totals, 0.0)[banded]))
    band_mid = float(rem[banded].sum())
    r_lo = max(r - band_mid + band_lo - Z90 * sd, 0.0)
    r_hi = r - band_mid + band_hi + Z90 * sd
    return r, min(r_lo, r), max(r_hi, r)


# ----------------------------------------------------------------------------------------------
# The summary the window, the threshold arithmetic and the exports use
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitExpectation:
    """One unit × vote type that is not fully counted: what is in, what is expected, and why."""

    unit_id: str
    name: str
    county: str
    #: Canonical vote type ("total" when the feed does not split them).
    vote_type: str
    counted: int
    expected: int
    lo: int
    hi: int
    source: str

    @property
    def outstanding(self) -> int:
        return max(self.expected - self.counted, 0)


@dataclass(frozen=True)
class CountyRemaining:
    """Where the vote remains: one county's expected outstanding vote, by vote type, and who leads
    what is counted there."""

    county: str
    outstanding: int
    lo: int
    hi: int
    #: Canonical vote type -> expected outstanding votes.
    by_type: dict[str, int]
    counted: int
    #: The contest leader's share of what this county has counted (None when nothing is).
    leader_share: float | None
    source: str


#: How the window names each source of the expected vote (the projection line's evidence).
EVIDENCE = {
    "counted": "all counted",
    "feed": "expected vote from the feed",
    "baseline": "from {baseline} turnout",
    "registered": "from registered voters",
    "prior": "from {baseline} turnout, no unit complete yet: wide",
    "precincts": "from precincts only: wide",
    "peers": "from the units counted so far: wide",
    "unknown": "nothing to go on yet",
}


@dataclass(frozen=True)
class ExpectedVote:
    """The contest's expected vote: totals, the outstanding range, per unit, and the evidence."""

    counted: int
    outstanding: Outstanding | None
    #: The evidence behind most of the outstanding vote (``SOURCES``).
    source: str
    #: The baseline's label, or "" without one.
    baseline: str
    units: tuple[UnitExpectation, ...]
    counties: tuple[CountyRemaining, ...]
    #: Whether the range's top is a bound, not a likely value: it holds counties with nothing
    #: counted that may be as big as the largest counted (``_county_band``).
    bounded: bool = False

    @property
    def evidence(self) -> str:
        """One phrase for the window: "expected vote from the feed", "from 2020 turnout" …"""
        text = EVIDENCE.get(self.source, self.source)
        return text.format(baseline=short_label(self.baseline) or "the baseline's")


def short_label(label: str) -> str:
    """A baseline's label without its contest or how it matched ("ga06-2016-11-08: President" ->
    "ga06-2016-11-08"; "2020 president by county (159 of 159 matched)" -> "2020 president by
    county")."""
    text = label.split(":", 1)[0].strip()
    if text.endswith(")") and " (" in text:
        text = text[: text.rindex(" (")].strip()
    return text


def main_source(sources: Sequence[str], weights: Sequence[float]) -> str:
    """The evidence behind most of the outstanding vote; the weakest if any part has none."""
    if not len(sources):
        return "counted"
    if "unknown" in sources:
        return "unknown"
    by: dict[str, float] = {}
    for s, w in zip(sources, weights, strict=True):
        by[s] = by.get(s, 0.0) + float(w)
    if not by or max(by.values()) <= 0:
        return "counted"
    return max(by, key=lambda s: (by[s], -SOURCES.index(s)))


def summarise(
    contest: Contest,
    cells: Cells,
    totals: np.ndarray,
    exp: CellExpectation,
    rng: tuple[float, float, float] | None,
    baseline_label: str = "",
    counted: np.ndarray | None = None,
) -> ExpectedVote:
    """The window's view of ``exp``: per unit × type, per county, and the main evidence.
    ``counted`` (cells × candidates in the contest's order) saves re-summing the units."""
    units = contest.units
    todo = [i for i in range(len(cells.unit)) if exp.source[i] != "counted"]
    rows: list[UnitExpectation] = []
    for i in todo:
        u = units[cells.unit[i]]
        rows.append(
            UnitExpectation(
                u.id,
                u.name,
                cells.county[i],
                cells.ctype[i],
                int(totals[i]),
                round(float(exp.final[i])),
                round(float(exp.lo[i])),
                round(float(exp.hi[i])),
                exp.source[i],
            )
        )
    rem = [max(float(exp.final[i] - totals[i]), 0.0) for i in todo]
    source = main_source([exp.source[i] for i in todo], rem)
    outstanding = None
    if rng is not None:
        r, lo, hi = rng
        hard = len(exp.stated) == len(exp.source) and all(bool(exp.stated[i]) for i in todo)
        outstanding = Outstanding(expected=round(r), lo=round(lo), hi=round(hi), hard=hard)
    elif not todo:
        outstanding = Outstanding.none()
    # Counties: outstanding and the leader's share of what each has counted (the leading *name*:
    # a write-in line is many names' votes, never the leader; tracker.core.write_ins).
    ranked = [c for c in contest.ranked() if not is_write_in(c.name)] or contest.ranked()
    names = sorted(set(cells.county))
    cix = {c: i for i, c in enumerate(names)}
    county_ix = np.asarray([cix[c] for c in cells.county], dtype=np.int64)
    n_by = np.bincount(county_ix, weights=totals, minlength=len(names)) if len(names) else np.zeros(0)
    lead_by = np.zeros(len(names))
    if ranked and len(names):
        j = [c.id for c in contest.candidates].index(ranked[0].id)
        if counted is None:
            counted = np.asarray(cells.counted, dtype=float).reshape(len(cells.unit), len(contest.candidates))
        lead_by = np.bincount(county_ix, weights=counted[:, j], minlength=len(names))
    per: dict[str, dict[str, float]] = {}
    srcs: dict[str, list[tuple[str, float]]] = {}
    for row, r in zip(rows, rem, strict=True):
        d = per.setdefault(row.county, {})
        d["_out"] = d.get("_out", 0.0) + r
        d["_lo"] = d.get("_lo", 0.0) + max(row.lo - row.counted, 0)
        d["_hi"] = d.get("_hi", 0.0) + max(row.hi - row.counted, 0)
        d[row.vote_type] = d.get(row.vote_type, 0.0) + r
        srcs.setdefault(row.county, []).append((row.source, r))
    counties = []
    for county, d in per.items():
        n_here = round(float(n_by[cix[county]]))
        counties.append(
            CountyRemaining(
                county=county,
                outstanding=round(d["_out"]),
                lo=round(min(d["_lo"], d["_out"])),
                hi=round(max(d["_hi"], d["_out"])),
                by_type={k: round(v) for k, v in d.items() if not k.startswith("_") and v >= 0.5},
                counted=n_here,
                leader_share=float(lead_by[cix[county]] / n_here) if n_here else None,
                source=main_source([s for s, _ in srcs[county]], [w for _, w in srcs[county]]),
            )
        )
    counties.sort(key=lambda c: -c.outstanding)
    return ExpectedVote(
        counted=contest.total_votes,
        outstanding=outstanding,
        source=source,
        baseline=baseline_label,
        units=tuple(rows),
        counties=tuple(counties),
        bounded=outstanding is not None and bool(exp.county_band().any()),
    )


def expected_vote(contest: Contest, baseline: Baseline | None = None) -> ExpectedVote:
    """The expected vote of ``contest`` (see the module docstring), with ``baseline`` if it
    matches any of the contest's units."""
    ids = [c.id for c in contest.candidates]
    if not ids or not contest.units:
        return ExpectedVote(contest.total_votes, None, "unknown", "", (), ())
    use = baseline if baseline is not None and baseline.applies_to(contest) else None
    if all(is_complete_unit(u) for u in contest.units):
        # Every cell is complete, so nothing is out: what the cells below would conclude, without
        # cutting a statewide file's races into hundreds of thousands of cells first (issue 21).
        return ExpectedVote(
            contest.total_votes, Outstanding.none(), "counted", use.label if use is not None else "", (), ()
        )
    cells = cut_cells(contest, ids)
    n = len(cells.unit)
    counted = np.asarray(cells.counted, dtype=float).reshape(n, len(ids))
    totals = counted.sum(axis=1)
    complete = np.asarray(cells.complete, dtype=bool)
    exp = expect_cells(contest, cells, totals, complete, use)
    rng = outstanding_range(exp, totals, ~complete)
    return summarise(contest, cells, totals, exp, rng, use.label if use is not None else "", counted)


__all__ = [
    "COUNTED_FIRST",
    "EVIDENCE",
    "SOURCES",
    "CellExpectation",
    "CountyRemaining",
    "ExpectedVote",
    "UnitExpectation",
    "expect_cells",
    "expected_vote",
    "outstanding_range",
    "prior_band",
    "short_label",
]
