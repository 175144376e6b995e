"""Which state a night is of, from what the night says about itself (``serve --as``).

A served format that names a state (North Carolina's results file is North Carolina's; Georgia's
export is Georgia's; a Clarity site's ``/{ST}/``, AP's ``statePostal``, an Enhanced Voting site's
jurisdiction) makes whoever reads it take the election for that state's: its name, time zone and
rules. So ``serve`` must know the night's own state, to put it in the served file or to refuse a
format that cannot carry it. A night has no state field: it is read from its payloads' formats
(NC's board file, Georgia's export), its address, and the words of its label, election name and
source files ("GA-06 special election", "Virginia 2017 governor", "NC_precincts_…csv.gz").
"""

from __future__ import annotations

import json
import re

from tracker.archive.night import NightFile
from tracker.archive.night_schema import STATE_KEY as _STATE_KEY
from tracker.core.jurisdiction import STATE_CODES, state_from
from tracker.feeds.discovery import state_of_format

__all__ = ["STATE_KEY", "STATE_NAMES", "night_state"]

#: The night meta key where an import (or a live recording, ``Night.set_own_state``) keeps the
#: state its payloads named (their parsers read it from a Clarity Region, a county only one state
#: has, a state's own format). The words below are the fallback: a Clarity file's Region is in no
#: label or file name ("…_ga_counties_…"), and Allegheny's poller files name their county only in
#: a folder the night does not keep.
STATE_KEY = _STATE_KEY

#: Two-letter code → the state's name as a sentence says it ("North Carolina").
STATE_NAMES: dict[str, str] = {
    code: name.title().replace(" Of ", " of ") for name, code in STATE_CODES.items()
}

#: A state's name as a word of a label, not as the first word of a county's ("Washington County").
_NAMED = re.compile(
    r"\b(" + "|".join(sorted((re.escape(n) for n in STATE_CODES), key=len, reverse=True)) + r")\b"
    r"(?!\s+(?:county|parish|borough|city)\b)",
    re.IGNORECASE,
)


def _election_name(night: NightFile) -> str:
    try:
        election = json.loads(night.meta.get("election", "") or "{}")
    except ValueError:
        return ""
    name = election.get("name") if isinstance(election, dict) else None
    return name if isinstance(name, str) else ""


def night_state(night: NightFile) -> str:
    """The night's two-letter state, or "" when nothing in it says (or it says several)."""
    kept = night.meta.get(STATE_KEY, "")
    if kept in STATE_NAMES:
        return kept
    formats = {state_of_format(v.fmt) for v in night.versions()} - {""}
    if len(formats) == 1:
        return formats.pop()
    texts = [_election_name(night), night.label, night.meta.get("url", ""), *night.sources]
    found = state_from(*texts)
    if found:
        return found
    named = {STATE_CODES[m.group(1).casefold()] for text in texts for m in _NAMED.finditer(text)}
    return named.pop() if len(named) == 1 else ""
