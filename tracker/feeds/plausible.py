"""Checks every parsed snapshot passes, whatever its format (issue 19).

A count over ten billion in one unit is no election's (the world votes fewer); 10**30 was shown as
real and 2**63 broke the projections' log with a traceback. A lone surrogate (``"\\ud800"`` in a
JSON string) is not Unicode text: it cannot be written to the store, a log or a CSV, and the
projection and alert logs failed silently on it. Either refuses the payload with one sentence,
as any malformed payload is refused.
"""

from __future__ import annotations

import re
from operator import attrgetter

import numpy as np

from tracker.core.errors import FeedError
from tracker.core.model import Contest, Snapshot
from tracker.core.pause_points import pause_point

#: The largest count one unit may report (votes of one candidate and type, registered, cast).
MAX_COUNT = 10**10
_SURROGATE = re.compile("[\ud800-\udfff]")
_ID, _NAME, _PARTY, _COUNTY = (attrgetter(a) for a in ("id", "name", "party", "county"))
_REGISTERED, _CAST = attrgetter("registered"), attrgetter("ballots_cast")


def _text(what: str, value: object, source: str) -> None:
    if isinstance(value, str) and _SURROGATE.search(value):
        shown = value.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]
        raise FeedError(f"{source}: {what} {shown!r} holds a lone surrogate: not valid Unicode text")


def _count(where: str, value: object, source: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_COUNT:
        raise FeedError(f"{source}: {where} is {value:,}, more than 10^10: not a real count")


def _plainly_fine(contest: Contest) -> bool:
    """True when one search over the contest's text and one maximum over its counts show nothing
    to refuse (a statewide file: 4,000 contests, 40,000 units, 10,000 candidates; issue 21). False
    sends the contest through the checks one by one, which name the first bad value."""
    table = contest.vote_table
    if table is None:
        return False
    cands, units = contest.candidates, contest.units
    texts = [contest.id, contest.name, *table.vote_types, *map(_ID, cands), *map(_NAME, cands)]
    texts += [*map(_PARTY, cands), *map(_ID, units), *map(_NAME, units), *filter(None, map(_COUNTY, units))]
    if set(map(type, texts)) != {str} or _SURROGATE.search("".join(texts)):
        return False
    counts = [*(contest.reported_totals or {}).values(), *map(_REGISTERED, units), *map(_CAST, units)]
    if not set(map(type, counts)) <= {int, type(None)} or max(filter(None, counts), default=0) > MAX_COUNT:
        return False
    return not table.votes.size or int(table.votes.max()) <= MAX_COUNT


def check_snapshot(snapshot: Snapshot, source: str = "the payload") -> Snapshot:
    """``snapshot`` unchanged, or FeedError for an implausible count or a lone surrogate."""
    election = snapshot.election
    for what, value in (("the election id", election.id), ("the election's name", election.name)):
        _text(what, value, source)
    _text("the note", election.note, source)
    _text("the version", snapshot.version, source)
    for contest in snapshot.contests:
        pause_point()  # thousands of races in a statewide feed: the window may run (issue 21)
        if _plainly_fine(contest):
            continue
        _text("a race id", contest.id, source)
        _text("a race name", contest.name, source)
        for c in contest.candidates:
            _text("a candidate id", c.id, source)
            _text("a candidate name", c.name, source)
            _text("a party", c.party, source)
        for cid, n in (contest.reported_totals or {}).items():
            _count(f"{contest.name}: the total of {cid}", n, source)
        table = contest.vote_table
        if table is not None:
            # The votes are one integer array (issue 21): its largest cell and its vote-type names
            # are checked at once; the units' own fields below, one search over all their text.
            for vote_type in table.vote_types:
                _text("a vote type", vote_type, source)
            if table.votes.size and int(table.votes.max()) > MAX_COUNT:
                u, j, v = np.unravel_index(int(table.votes.argmax()), table.votes.shape)
                _count(
                    f"{contest.name}, {contest.units[u].name}: the votes of {table.candidates[j]} "
                    f"({table.vote_types[v]})",
                    int(table.votes[u, j, v]),
                    source,
                )
        units = contest.units
        if table is not None and not _SURROGATE.search(
            "".join(f"{u.id}{u.name}{u.county or ''}" for u in units)
        ):
            for unit in units:
                for label, n in (("registered", unit.registered), ("ballots cast", unit.ballots_cast)):
                    _count(f"{contest.name}, {unit.name}: {label}", n, source)
            continue
        for unit in units:
            _text("a unit id", unit.id, source)
            _text("a unit name", unit.name, source)
            _text("a county", unit.county, source)
            for label, n in (("registered", unit.registered), ("ballots cast", unit.ballots_cast)):
                _count(f"{contest.name}, {unit.name}: {label}", n, source)
            if table is not None:
                continue
            for cid, by_type in unit.votes.items():
                for vote_type, n in by_type.items():
                    _text("a vote type", vote_type, source)
                    _count(f"{contest.name}, {unit.name}: the votes of {cid} ({vote_type})", n, source)
    return snapshot
