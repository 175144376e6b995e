"""The June night's search (20 Jun 2017, the runoff): whole precincts (precinct totals only, one
vote type "Total") in waves that meet the press's precinct counts exactly and its county split
at 21:30, ending about 22:45."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.clock import Minute, _hm, _minute
from tracker.archive.rehearsal.press import PressRow, precinct_anchor
from tracker.archive.rehearsal.scoring import _Scorer, _Target, _targets
from tracker.archive.rehearsal.search import (
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

_JUNE_END = (_hm("22:38"), _hm("22:48"))
_JUNE_FIRST = (_hm("20:12"), _hm("20:24"))
#: 21:30, press: "~half DeKalb, 1/3 Fulton, ~4/5 Cobb precincts in" (with 99/208 at 21:30).
_JUNE_SPLIT = (_hm("21:30"), {"Cobb": 4 / 5, "DeKalb": 1 / 2, "Fulton": 1 / 3})


def _apportion(fractions: dict[str, float], sizes: dict[str, int], total: int) -> dict[str, int]:
    """Whole precinct counts per county near ``fraction × size`` that sum to ``total`` (largest
    remainders), so a county split the press gave in words meets the precinct count it gave in
    numbers at the same minute: 4/5·50 + 1/2·43 + 1/3·115 → 40 + 21 + 38 = 99."""
    raw = {c: fractions.get(c, 0.0) * sizes[c] for c in sorted(sizes)}
    out = {c: min(math.floor(v), sizes[c]) for c, v in raw.items()}
    by_remainder = sorted(raw, key=lambda c: (-(raw[c] - math.floor(raw[c])), c))
    i = 0
    while sum(out.values()) < total and i < 10 * len(raw):
        c = by_remainder[i % len(raw)]
        if out[c] < sizes[c]:
            out[c] += 1
        i += 1
    while sum(out.values()) > total:
        c = max(out, key=lambda c: (out[c] - raw[c], c))
        out[c] -= 1
    return out


def _june_candidate(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], rng: random.Random
) -> _Timing:
    """One candidate runoff night: whole precincts (their "Total" cell) in waves that meet the
    press's precinct counts exactly and its county split at 21:30, counties otherwise paced by
    seeded multipliers, ending ~22:45."""
    n_total = len(prep.precincts)
    county_size = {c: len(prep.precincts_of(c)) for c in prep.counties}
    first = rng.randint(*_JUNE_FIRST)
    anchors: list[tuple[Minute, int]] = [(0, 0), (first - 1, 0)]
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        a = precinct_anchor(row.precincts, n_total)
        if a is not None and m > anchors[-1][0]:
            anchors.append((m, max(a, anchors[-1][1])))
    end = rng.randint(*_JUNE_END)
    anchors.append((end, n_total))
    slots = _curve(rng, anchors, gap=(2, 4))
    phases = (_hm("21:10"), _hm("21:31"), end)
    mult = {(c, p): math.exp(rng.uniform(-1.2, 1.2)) for c in prep.counties for p in range(len(phases))}

    def pace(county: str, minute: Minute) -> float:
        phase = next((i for i, e in enumerate(phases) if minute <= e), len(phases) - 1)
        return mult[(county, phase)]

    split_at, fractions = _JUNE_SPLIT
    before = [(m, k) for m, k in slots if m <= split_at]
    after = [(m, k) for m, k in slots if m > split_at]
    quotas = _apportion(fractions, county_size, sum(k for _, k in before))
    per_county = _allocate(rng, before, quotas, pace)
    rest = _allocate(rng, after, {c: county_size[c] - quotas[c] for c in county_size}, pace)
    for county, minutes in rest.items():
        per_county[county] += minutes
    timing = _Timing(np.full(len(prep.cells), -1, dtype=np.int64), params={"end": end})
    for county in prep.counties:
        order = prep.precincts_of(county)
        rng.shuffle(order)
        timing.orders[county] = order
        timing.slots[county] = sorted(per_county[county])
    _place_orders(prep, timing)
    timing.minutes[timing.minutes < 0] = end  # anything without a completing role (none expected)
    return timing


def _june_targets(spec: _NightSpec, rows: Sequence[PressRow]) -> list[_Target]:
    """What the June search fits."""
    # Ossoff's share only: in a two-candidate race Handel's is 100 − Ossoff's, and the press
    # rounds the pair independently (47/52 at 21:30, 47/53 at 21:31), so fitting both would fit
    # rounding noise. Vote counts are not fitted either: before a precinct is complete its early
    # votes cannot be shown, so the press's running totals are not comparable until late.
    return [t for t in _targets(spec, rows) if t.kind == "share"]


def _search_june(prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int) -> _Timing:
    results = []
    candidates = [
        _june_candidate(prep, spec, rows, _rng(spec, seed, "waves", k)) for k in range(_ED_CANDIDATES)
    ]
    for k, timing in enumerate(candidates):
        # Shares are scored only where the reconstruction has precincts in (before the first,
        # the press saw county early-vote batches that precinct totals cannot show).
        first = int(timing.minutes.min())
        targets = [t for t in _june_targets(spec, rows) if t.minute >= first]
        scorer = _Scorer(prep, targets)
        score = _polish(prep, scorer, timing, _rng(spec, seed, "polish", k), _ED_POLISH)
        results.append((k, timing, score))
    k, timing, _ = _best_of(results)
    first = int(timing.minutes.min())
    scorer = _Scorer(prep, [t for t in _june_targets(spec, rows) if t.minute >= first])
    _polish(prep, scorer, timing, _rng(spec, seed, "final", k), _FINAL_POLISH)
    timing.params["candidate"] = k
    return timing
