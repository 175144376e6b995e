"""One sentence for the contests a parser left out of a file, the same in every format.

Why it exists: one odd count (``"1,234"``, an empty string, a negative number) used to sink a
whole Clarity, Georgia SOS, AP, NIST or North Carolina file; each parser now leaves that contest
out, names it, and shows the note on every other race (its data warnings), so nobody reads the
file as complete. The wording was written six times; it lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from tracker.core.model import Contest

#: How many of the reasons the note quotes before "…".
SHOWN = 3


def left_out_note(reasons: Iterable[str], word: str = "contest") -> str:
    """ "2 contests left out, unreadable: why; why" ("" when nothing was left out)."""
    items = list(reasons)
    if not items:
        return ""
    shown = "; ".join(items[:SHOWN]) + ("; …" if len(items) > SHOWN else "")
    return f"{len(items)} {word}{'s' if len(items) != 1 else ''} left out, unreadable: {shown}"


def warn_each(contests: Sequence[Contest], note: str) -> list[Contest]:
    """``contests`` each carrying ``note`` among their feed warnings (the file is not whole)."""
    return [replace(c, feed_warnings=(*c.feed_warnings, note)) for c in contests]


__all__ = ["left_out_note", "warn_each"]
