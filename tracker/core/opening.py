"""The race a night opens on: the one a user most likely wants.

Pinned races first (the user said so). Else the top of the ballot: the office a ballot lists
first (President, then U.S. Senate, Governor, U.S. House, ...), which is what people open a night
for. Else the race with the most *ballots*, not the most votes: a vote-for-2 Soil and Water race
has twice as many votes as voters, and opening on it (Gwinnett 2020) helps nobody.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from tracker.core.model import Contest

__all__ = ["TOP_OF_BALLOT", "ballots", "opening_race"]

#: Offices in the order ballots list them, as feeds name them; a race matching an earlier
#: pattern is higher on the ballot. Measures, party offices and statistics rows match none.
TOP_OF_BALLOT: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\bpresident(ial)?\b(?!.*\b(council|board|commission|school|club)\b)",
        r"\b(u\.?\s?s\.?|united states)\s+senat",
        r"^(?!.*lieutenant).*\bgovernor\b",
        r"\b(u\.?\s?s\.?|united states)\s+(house|representative)|\brepresentative in congress\b|\bcongress",
    )
)


def ballots(contest: Contest) -> float:
    """How many ballots the race's votes stand for, at least: votes over seats (each voter may
    cast up to ``vote_for``)."""
    return contest.total_votes / max(contest.vote_for, 1)


def _office_rank(contest: Contest) -> int:
    for rank, pattern in enumerate(TOP_OF_BALLOT):
        if pattern.search(contest.name):
            return rank
    return len(TOP_OF_BALLOT)


def opening_race(
    contests: Sequence[Contest], pinned: Collection[str] = (), pinned_order: Sequence[str] = ()
) -> str | None:
    """The id of the race to open on: the first pinned one (in ``pinned_order`` when given, else
    feed order), else the highest office on the ballot with votes counted (most ballots among
    equals), else the race with the most ballots; None for a night without races."""
    if not contests:
        return None
    ids = {c.id for c in contests}
    for cid in pinned_order:
        if cid in ids and cid in pinned:
            return cid
    for c in contests:
        if c.id in pinned:
            return c.id
    counted = [c for c in contests if c.total_votes] or list(contests)
    best = min(counted, key=lambda c: (_office_rank(c), -ballots(c)))
    if _office_rank(best) < len(TOP_OF_BALLOT):
        return best.id
    return max(counted, key=ballots).id
