"""Whether a file holds all of a race, or only one county's part of it.

A county's results site (Clarity's Gwinnett site, Allegheny's) publishes every race on the
county's ballot, including President, U.S. Senate, statewide offices and districts that reach
into other counties. Its file holds only that county's votes for those races: judged on them,
Gwinnett's 2020 file would say "elected: Joseph R. Biden" and Bartow's half of a two-county
special primary would name a winner Floyd's votes may undo. So the parser marks such a race
(``Contest.partial``, one sentence) and :mod:`tracker.core.standing` then speaks of "this
county" and never of elected, cleared, runoff or eliminated.

How a race is known to be wider than the file (:func:`partial_note`):

- the file is a county's (its Region is a county name, not a state code or a state's name),
  and the race's name is a statewide or federal office (President, U.S. Senate, Governor and
  the other statewide offices, the state's top courts, the Public Service Commission, a
  constitutional amendment or statewide referendum), or a district that counties share (U.S.
  House, state senate and house districts): the tracker cannot know from one county's file
  whether a district ends at the county line, so it says so rather than call it;
- or the feed itself says the race spans more counties than the file holds (a parser passes
  ``counties_in_race``).

County offices, school boards, municipal races and county questions stay whole: for them
"elected" is right (Allegheny's 2023 county races).
"""

from __future__ import annotations

import re

from tracker.core.jurisdiction import _STATES

__all__ = [
    "DISTRICT",
    "STATEWIDE",
    "covers_part_of_counties",
    "is_county_region",
    "is_statewide",
    "partial_note",
]

#: Offices every voter of a state votes on, as county sites name them (English first; Gwinnett
#: adds Spanish after a slash). Pennsylvania's Superior and Commonwealth Courts are statewide
#: there; elsewhere a "superior court" is a county's or a circuit's, so only the state's own
#: spelling ("Judge of the Superior Court") counts.
STATEWIDE = re.compile(
    r"\b(president|presidential|electors?\s+for|"
    r"u\.?\s?s\.?\s+senat\w*|united\s+states\s+senat\w*|senator\s+in\s+congress|"
    r"governor|lieutenant\s+governor|lt\.?\s+governor|secretary\s+of\s+(state|the\s+commonwealth)|"
    r"attorney\s+general|state\s+treasurer|treasurer\s+of\s+state|state\s+auditor|auditor\s+general|"
    r"comptroller|commissioner\s+of\s+(agriculture|insurance|labor|public\s+lands)|"
    r"(state\s+)?school\s+superintendent|superintendent\s+of\s+public\s+instruction|"
    r"public\s+service\s+commission|railroad\s+commission|corporation\s+commission|"
    r"supreme\s+court|court\s+of\s+(criminal\s+)?appeals|"
    r"judge\s+of\s+the\s+(superior|commonwealth)\s+court|(superior|commonwealth)\s+court\s+retention|"
    r"constitutional\s+amendment|proposed\s+constitutional|"
    r"statewide\s+(referendum|question|ballot))",
    re.I,
)

#: Districts that counties share: a county's file may hold only part of one.
DISTRICT = re.compile(
    r"\b(u\.?\s?s\.?\s+(house|rep\w*)|united\s+states\s+(house|representative)|"
    r"representative\s+in\s+(congress|the\s+general\s+assembly)|congress(ional)?\b|"
    r"state\s+senat\w*|senator\s+in\s+the\s+general\s+assembly|state\s+house|"
    r"state\s+representative|house\s+of\s+(delegates|representatives)|state\s+assembly|"
    r"member\s+of\s+(the\s+)?assembly)",
    re.I,
)

#: A race drawn inside counties (a congressional or legislative district, a school district, a
#: ward): its county units hold only the part of each county that votes in it, so the counties'
#: whole presidential turnout would size its vote still out several times too big (GA-06 served
#: at county level: 618,000 expected against 192,569 cast).
_INSIDE_COUNTIES = re.compile(r"\b(district|ward|precinct|township|borough|city|town|village)\b", re.I)


def is_statewide(name: str) -> bool:
    """Whether a race's name is a statewide or federal office's, read in its first language
    (Gwinnett's "Co Commission Chair/Presidente de la Comisión del Condado" is not a
    president's race)."""
    return bool(STATEWIDE.search(name.split("/")[0]))


def covers_part_of_counties(name: str) -> bool:
    """Whether a race's name says it is drawn inside counties rather than over whole ones
    (a statewide office never is, whatever its name also says): a baseline by county then says
    nothing about the race's size (``tracker.archive.us_counties``, ``tracker.core.expected_vote``)."""
    if is_statewide(name):
        return False
    return bool(DISTRICT.search(name) or _INSIDE_COUNTIES.search(name))


_STATE_NAMES = frozenset(
    n.casefold()
    for n in [
        "Alabama",
        "Alaska",
        "Arizona",
        "Arkansas",
        "California",
        "Colorado",
        "Connecticut",
        "Delaware",
        "Florida",
        "Georgia",
        "Hawaii",
        "Idaho",
        "Illinois",
        "Indiana",
        "Iowa",
        "Kansas",
        "Kentucky",
        "Louisiana",
        "Maine",
        "Maryland",
        "Massachusetts",
        "Michigan",
        "Minnesota",
        "Mississippi",
        "Missouri",
        "Montana",
        "Nebraska",
        "Nevada",
        "Ohio",
        "Oklahoma",
        "Oregon",
        "Pennsylvania",
        "Tennessee",
        "Texas",
        "Utah",
        "Vermont",
        "Virginia",
        "Washington",
        "Wisconsin",
        "Wyoming",
    ]
) | {
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "rhode island",
    "south carolina",
    "south dakota",
    "west virginia",
    "district of columbia",
}

_COUNTY_WORD = re.compile(r"\b(county|parish|borough)\b", re.I)


def is_county_region(region: str) -> bool:
    """True when a feed's Region names a county ("Gwinnett", "Allegheny County"), not a state
    ("GA", "Georgia") or nothing. Clarity's state sites say the state's code; county sites say the
    county's name."""
    text = " ".join(region.split())
    if not text:
        return False
    if len(text) == 2 and text.upper() in _STATES:
        return False
    folded = text.casefold()
    if folded in _STATE_NAMES or folded.startswith(("state of ", "commonwealth of ")):
        return False
    return bool(_COUNTY_WORD.search(text)) or not any(ch.isdigit() for ch in text)


def county_label(region: str) -> str:
    """ "Gwinnett County" for "Gwinnett"; a Region that already says county/parish stays."""
    text = " ".join(region.split())
    return text if _COUNTY_WORD.search(text) else f"{text} County"


def partial_note(
    region: str, contest_name: str, *, counties_in_race: int | None = None, counties_here: int = 1
) -> str:
    """One sentence when the file holds only part of the race (see the module docstring), "" when
    it holds all of it as far as anything says."""
    if counties_in_race is not None and counties_in_race > counties_here:
        return (
            f"This file covers part of the race: {counties_here:,} of its {counties_in_race:,} counties; "
            "the race is decided on all of them."
        )
    if not is_county_region(region):
        return ""
    where = county_label(region)
    name = contest_name.split("/")[0]  # Gwinnett's "US Senate (Perdue)/Senado de los EE.UU. ..."
    if STATEWIDE.search(name):
        return (
            f"This file covers part of the race: {where}'s votes only; the race is statewide, "
            "so it is decided on every county's votes."
        )
    if DISTRICT.search(name):
        return (
            f"This file may cover part of the race: {where}'s votes only; the district may reach "
            "into other counties, so it is not decided here."
        )
    return ""
