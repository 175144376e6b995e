"""Whether a choice is a feed's write-in line rather than a person.

A county file lists "Write-in" as a choice of many small races (Allegheny's 2023 general has 430
such lines, 51 of them alone in their race); the votes on it are for names the feed does not
give, counted later, often for several people. A race whose only choice is such a line has no
candidate to call elected, unopposed or leading (``tracker.core.standing``).

The test is deliberately narrow: the whole name must be the write-in words, with at most a
qualifier before ("Scattered", "Uncertified"), a noun after ("Votes", "Totals") or a qualifier in
brackets (North Carolina's aggregate "Write-In (Miscellaneous)"). A person
who ran as a write-in ("Jane Doe (Write-In)", North Carolina's decoration) is a candidate, and
names that merely contain the letters ("Wright Inman") are names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["first_named", "is_write_in", "named_places", "write_ins_only"]

T = TypeVar("T")

_WRITE_IN = re.compile(
    r"""^\W*
    (?:(?:all|other|scattered|scattering|misc(?:ellaneous)?\.?|uncertified|unqualified|
        non[\s-]?certified|unresolved|unassigned|undeclared|unregistered)\s+)?
    write[\s_-]*ins?
    (?:\s+(?:votes?|totals?|candidates?|names?))?
    (?:\s*\(\s*(?:misc(?:ellaneous)?\.?|scattered|scattering|other|all|uncertified|unqualified)\s*\))?
    \W*$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_write_in(name: str) -> bool:
    """True for a write-in line ("Write-in", "WRITE-INS", "Write In", "Scattered Write-ins",
    "Write-in Votes"), False for a person, even one who ran as a write-in."""
    return bool(_WRITE_IN.match(name))


def write_ins_only(names: Iterable[str]) -> bool:
    """True when there is at least one choice and every one is a write-in line."""
    seen = False
    for name in names:
        if not is_write_in(name):
            return False
        seen = True
    return seen


def first_named(items: Iterable[T], name: Callable[[T], str]) -> T | None:
    """The first of ``items`` (most votes first) that is a person, not a write-in line: who a
    line such as "Projected final: …" may name as the leader. None when there is no name."""
    return next((item for item in items if not is_write_in(name(item))), None)


def named_places(names: Iterable[str]) -> list[int]:
    """Each choice's place among the names (0 for the first person, most votes first), -1 for a
    write-in line: what the leader's and the runner-up's colours go by (a write-in line is
    never the runner-up a runoff is about). A race of write-in lines only keeps its order."""
    names = list(names)
    if write_ins_only(names):
        return list(range(len(names)))
    out, k = [], 0
    for name in names:
        if is_write_in(name):
            out.append(-1)
        else:
            out.append(k)
            k += 1
    return out
