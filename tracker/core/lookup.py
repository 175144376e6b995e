"""A race by id or part of its name: how a user names a contest, the same on every surface.

The command line (``--contest``), the archive's exports and projections and the window's
``--contest`` all ask for a race this way; one rule here means a name that works in one place
works in all of them, and the error lists the same choices.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.core.model import Contest

__all__ = ["find_contests", "no_such_contest"]


def find_contests(contests: Sequence[Contest], ask: str, *, candidates: bool = False) -> list[Contest]:
    """The contests ``ask`` names, in their order: the one whose id it is, else every one whose
    name contains it (case-insensitively), or with ``candidates`` one of whose candidates' names
    does. Empty when none does."""
    exact = [c for c in contests if c.id == ask]
    if exact:
        return exact
    folded = ask.casefold()
    return [
        c
        for c in contests
        if folded in c.name.casefold()
        or (candidates and any(folded in k.name.casefold() for k in c.candidates))
    ]


def no_such_contest(ask: str, contests: Sequence[Contest], *, noun: str = "contest") -> str:
    """The one sentence for a name that matches no race: it lists the ones there are."""
    names = "; ".join(f"{c.id} ({c.name})" for c in contests)
    return f"no {noun} {ask!r} in this night; it has: {names}"
