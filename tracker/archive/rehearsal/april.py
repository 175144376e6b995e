"""The April night's search (18 Apr 2017): DeKalb's advance vote first, all advance vote by
20:44, election-day precincts in waves that meet the press's precinct counts, Fulton's stall from
23:40, Cobb and DeKalb done by 00:15, Fulton by 01:18, provisional ballots last."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from tracker.archive.rehearsal.cells import _EARLY, _Prepared
from tracker.archive.rehearsal.clock import Minute, _hm, _minute
from tracker.archive.rehearsal.press import PressRow, precinct_anchor
from tracker.archive.rehearsal.scoring import _Scorer, _targets
from tracker.archive.rehearsal.search import (
    _EARLY_STARTS,
    _ED_CANDIDATES,
    _ED_POLISH,
    _FINAL_POLISH,
    _allocate,
    _best_of,
    _curve,
    _place_orders,
    _polish,
    _rng,
    _Timing,
)
from tracker.archive.rehearsal.sources import _NightSpec

_APRIL_EARLY_SLOTS = [_hm(t) for t in ("19:59", "20:11", "20:23", "20:35", "20:44")]
_APRIL_LATE_MAIL = _hm("20:48")
_APRIL_FIRST_COUNTY = "DeKalb"  # press: DeKalb's early vote first, ~19:59
_APRIL_STALL = _hm("23:40")  # Fulton's memory-card error
_APRIL_COBB_DEKALB_DONE = _hm("00:15")
_APRIL_FULTON_DONE = _hm("01:18")
_APRIL_PROVISIONAL = [_hm(t) for t in ("01:22", "01:26", "01:30")]


def _april_batches(prep: _Prepared) -> list[tuple[str, str, str, list[int]]]:
    """Advance/mail batches: (county, vote type, canonical, cells), one per county × vote type,
    because counties upload their early vote as whole buckets."""
    groups: dict[tuple[str, str], list[int]] = {}
    canon: dict[tuple[str, str], str] = {}
    for i, cell in enumerate(prep.cells):
        if cell.canonical in _EARLY:
            groups.setdefault((cell.county, cell.vote_type), []).append(i)
            canon[(cell.county, cell.vote_type)] = cell.canonical
    return [(c, vt, canon[(c, vt)], cells) for (c, vt), cells in sorted(groups.items())]


def _april_batch_options(county: str, canonical: str) -> list[Minute]:
    """Where a batch may land: the first county's advance vote at 19:59 (nothing else then); all
    advance vote by 20:44; mail by 20:44 or in the 20:48 slot, before any election-day cell."""
    if county == _APRIL_FIRST_COUNTY and canonical == "early":
        return [_APRIL_EARLY_SLOTS[0]]
    later = _APRIL_EARLY_SLOTS[1:]
    if canonical == "early":
        return later
    first = [_APRIL_EARLY_SLOTS[0]] if county == _APRIL_FIRST_COUNTY else []
    return [*first, *later, _APRIL_LATE_MAIL]


def _april_early(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int
) -> tuple[dict[tuple[str, str], Minute], float]:
    """Stage 1: place the advance/mail batches. Seeded random starts, each improved by trying
    every allowed slot for one batch at a time; scored on the press shares up to 20:44."""
    batches = _april_batches(prep)
    scorer = _Scorer(prep, [t for t in _targets(spec, rows) if t.minute <= _APRIL_EARLY_SLOTS[-1]])
    far = _hm("06:00")
    results = []
    for k in range(_EARLY_STARTS):
        rng = _rng(spec, seed, "early", k)
        minutes = np.full(len(prep.cells), far, dtype=np.int64)
        choice = {}
        for county, vt, canonical, cells in batches:
            choice[(county, vt)] = rng.choice(_april_batch_options(county, canonical))
            minutes[cells] = choice[(county, vt)]
        best = scorer.score(minutes)
        improved = True
        while improved:
            improved = False
            for county, vt, canonical, cells in batches:
                for option in _april_batch_options(county, canonical):
                    if option == choice[(county, vt)]:
                        continue
                    minutes[cells] = option
                    s = scorer.score(minutes)
                    if s < best - 1e-12:
                        best, choice[(county, vt)], improved = s, option, True
                    else:
                        minutes[cells] = choice[(county, vt)]
        results.append((k, _Timing(minutes, params={"choice": choice}), best))
    _, timing, score = _best_of(results)
    return timing.params["choice"], score


def _april_candidate(
    prep: _Prepared,
    spec: _NightSpec,
    rows: Sequence[PressRow],
    early: dict[tuple[str, str], Minute],
    rng: random.Random,
) -> _Timing:
    """One candidate night (stage 2): election-day waves per county, Fulton's stall, the rest."""
    n_total = len(prep.precincts)
    county_size = {c: len(prep.precincts_of(c)) for c in prep.counties}
    minutes = np.full(len(prep.cells), -1, dtype=np.int64)
    for county, vt, _canonical, cells in _april_batches(prep):
        minutes[cells] = early[(county, vt)]
    first_ed = max(early.values()) if early else _APRIL_EARLY_SLOTS[-1]
    first_ed = max(first_ed, _APRIL_EARLY_SLOTS[-1])

    # The precinct curve: exact at the press's counts, free (seeded) where the press is silent.
    anchors: list[tuple[Minute, int]] = [(first_ed, 0)]
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        a = precinct_anchor(row.precincts, n_total)
        if a is not None and first_ed < m < _hm("22:40"):
            anchors.append((m, max(a, anchors[-1][1])))
    held = rng.randint(9, 18)  # Fulton precincts still out when its count stalls
    late_rest = rng.randint(2, 6)  # Cobb + DeKalb precincts still out at 23:40
    at_2240 = rng.randint(118, 142)
    at_stall = n_total - held - late_rest
    anchors += [(_hm("22:40"), max(at_2240, anchors[-1][1])), (_APRIL_STALL, at_stall)]
    slots = _curve(rng, anchors, gap=(2, 4))

    cobb_rest = rng.randint(0, late_rest)
    late = {"Cobb": cobb_rest, "DeKalb": late_rest - cobb_rest, "Fulton": held}
    quotas = {c: county_size[c] - late.get(c, 0) for c in prep.counties}
    phases = (_hm("21:49"), _hm("22:40"), _APRIL_STALL)
    mult = {(c, p): math.exp(rng.uniform(-1.2, 1.2)) for c in prep.counties for p in range(len(phases))}

    def pace(county: str, minute: Minute) -> float:
        phase = next((i for i, end in enumerate(phases) if minute <= end), len(phases) - 1)
        return mult[(county, phase)]

    per_county = _allocate(rng, slots, quotas, pace)
    # Cobb and DeKalb finish by 00:15 while Fulton is stalled.
    tail = _curve(rng, [(_APRIL_STALL, 0), (_APRIL_COBB_DEKALB_DONE, late_rest)], gap=(5, 8))
    rest = _allocate(rng, tail, {c: late[c] for c in late if c != "Fulton"}, lambda c, m: 1.0)
    for c, ms in rest.items():
        per_county[c] += ms
    # Fulton resumes after its stall and finishes before the provisional ballots.
    resume = rng.randint(_hm("00:35"), _hm("00:55"))
    fulton_tail = _curve(rng, [(resume - 1, 0), (_APRIL_FULTON_DONE, held)], gap=(5, 9))
    per_county["Fulton"] += [m for m, k in fulton_tail for _ in range(k)]

    timing = _Timing(minutes, params={"held": held, "resume": resume, "at_2240": at_2240})
    for county in prep.counties:
        order = prep.precincts_of(county)
        rng.shuffle(order)
        timing.orders[county] = order
        timing.slots[county] = sorted(per_county[county])
    _place_orders(prep, timing)

    # Provisional ballots last, one county per version, in a seeded order.
    counties = list(prep.counties)
    rng.shuffle(counties)
    for county, minute in zip(counties, _APRIL_PROVISIONAL, strict=True):
        cells = prep.cells_where(lambda c, county=county: c.county == county and c.canonical == "provisional")
        minutes[cells] = minute
    leftover = prep.cells_where(lambda c: c.canonical == "other")
    minutes[leftover] = _APRIL_PROVISIONAL[-1]
    if (minutes < 0).any():
        raise AssertionError("a cell was not scheduled")
    return timing


def _search_april(prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int) -> _Timing:
    early, _ = _april_early(prep, spec, rows, seed)
    scorer = _Scorer(prep, _targets(spec, rows))
    results = []
    for k in range(_ED_CANDIDATES):
        rng = _rng(spec, seed, "election-day", k)
        timing = _april_candidate(prep, spec, rows, early, rng)
        score = _polish(prep, scorer, timing, rng, _ED_POLISH)
        results.append((k, timing, score))
    k, timing, _ = _best_of(results)
    _polish(prep, scorer, timing, _rng(spec, seed, "final", k), _FINAL_POLISH)
    timing.params["candidate"] = k
    return timing
