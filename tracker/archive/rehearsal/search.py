"""Building timings: what the two nights' searches share (precinct curves, county allocation,
the seeded local search, seeded streams, picking the best candidate) and the search sizes.

Calibration (``_search_april`` in ``april``, ``_search_june`` in ``june``): each night's
structure is fixed by what the press reported (DeKalb's advance vote first, all advance vote by
20:44, precinct counts at the reported times, Fulton's stall from 23:40, provisional ballots
last); the free choices — which advance/mail batch lands in which early slot, how many precincts
each county contributes per wave, the order of precincts within a county, the slot grid — are
drawn from ``random.Random`` streams seeded from the base seed, improved by a seeded local search,
and scored by the squared error against the press. The best score wins; ties go to the lowest
candidate index. Same seed, same night.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.clock import Minute
from tracker.archive.rehearsal.scoring import _Scorer
from tracker.archive.rehearsal.sources import _NightSpec

#: Search sizes, small on purpose: the search takes about half a second per night (writing the
#: payloads takes longer); more candidates did not lower the worst press miss (seeds 1–20).
_EARLY_STARTS = 8
_ED_CANDIDATES = 12
_ED_POLISH = 700
_FINAL_POLISH = 2500


def _curve(
    rng: random.Random, anchors: Sequence[tuple[Minute, int]], gap: tuple[int, int] = (3, 6)
) -> list[tuple[Minute, int]]:
    """Slots between consecutive anchors (minute, cumulative precincts), every ``gap`` minutes
    (seeded), with the increase split by random weights: the count is exact at every anchor and
    never decreases. Returns [(minute, new precincts)], zero-increase slots included."""
    out: list[tuple[Minute, int]] = []
    for (m0, c0), (m1, c1) in itertools.pairwise(anchors):
        if m1 <= m0:
            raise ValueError(f"anchors out of order: {anchors}")
        slots: list[Minute] = []
        m = m0
        while True:
            m += rng.randint(*gap)
            if m >= m1 - 1:
                slots.append(m1)
                break
            slots.append(m)
        d = max(c1 - c0, 0)
        weights = [rng.uniform(0.3, 1.7) for _ in slots]
        acc, done, prev = 0.0, 0, 0
        wsum = sum(weights)
        for s, w in zip(slots, weights, strict=True):
            acc += w
            done = round(d * acc / wsum)
            out.append((s, done - prev))
            prev = done
    return out


def _allocate(
    rng: random.Random,
    slots: Sequence[tuple[Minute, int]],
    quotas: dict[str, int],
    multiplier: Callable[[str, Minute], float],
) -> dict[str, list[Minute]]:
    """Which county fills each new precinct of each slot: weighted by what the county still has
    to release times its (seeded) pace multiplier in that phase. Returns, per county, the slot
    minute of its 1st, 2nd, ... precinct."""
    left = dict(quotas)
    out: dict[str, list[Minute]] = {c: [] for c in quotas}
    for minute, k in slots:
        for _ in range(k):
            names = [c for c in sorted(left) if left[c] > 0]
            if not names:
                raise ValueError("more slots than precincts")
            weights = [left[c] * multiplier(c, minute) for c in names]
            pick = rng.choices(names, weights=weights)[0]
            left[pick] -= 1
            out[pick].append(minute)
    if any(left.values()):
        raise ValueError(f"precincts left unallocated: {left}")
    return out


@dataclass
class _Timing:
    """A candidate night: the release minute of every cell, plus the per-county precinct orders
    (kept so the local search can swap precincts within a county)."""

    minutes: np.ndarray
    orders: dict[str, list[int]] = field(default_factory=dict)  # county -> precinct indices
    slots: dict[str, list[Minute]] = field(default_factory=dict)  # county -> minute per position
    params: dict[str, Any] = field(default_factory=dict)


def _place_orders(prep: _Prepared, timing: _Timing) -> None:
    for county, order in timing.orders.items():
        for precinct, minute in zip(order, timing.slots[county], strict=True):
            for cell in prep.completing[precinct]:
                timing.minutes[cell] = minute


def _polish(prep: _Prepared, scorer: _Scorer, timing: _Timing, rng: random.Random, iterations: int) -> float:
    """Seeded local search: swap two precincts of one county (so county pacing and the precinct
    curve stay as drawn), keep the swap when the score strictly improves."""
    best = scorer.score(timing.minutes)
    counties = [c for c in sorted(timing.orders) if len(timing.orders[c]) > 1]
    sizes = [len(timing.orders[c]) for c in counties]
    for _ in range(iterations):
        county = rng.choices(counties, weights=sizes)[0]
        order, slots = timing.orders[county], timing.slots[county]
        i, j = rng.randrange(len(order)), rng.randrange(len(order))
        if slots[i] == slots[j]:
            continue
        pi, pj = order[i], order[j]
        for cell in prep.completing[pi]:
            timing.minutes[cell] = slots[j]
        for cell in prep.completing[pj]:
            timing.minutes[cell] = slots[i]
        s = scorer.score(timing.minutes)
        if s < best:
            best = s
            order[i], order[j] = pj, pi
        else:
            for cell in prep.completing[pi]:
                timing.minutes[cell] = slots[i]
            for cell in prep.completing[pj]:
                timing.minutes[cell] = slots[j]
    return best


def _rng(spec: _NightSpec, seed: int, stage: str, index: int) -> random.Random:
    """An independent, reproducible stream per (night, seed, stage, candidate). String seeds are
    hashed with SHA-512 by ``random``, stable across Python versions and platforms."""
    return random.Random(f"{spec.name}:{seed}:{stage}:{index}")


def _best_of(
    candidates: Iterable[tuple[int, _Timing, float]],
) -> tuple[int, _Timing, float]:
    """Lowest score wins; ties go to the lowest candidate index (deterministic)."""
    return min(candidates, key=lambda c: (round(c[2], 9), c[0]))
