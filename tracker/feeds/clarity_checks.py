"""The checks Clarity detail XML's values pass, and what they mean.

Every number is a count read strictly (digits only, at most 15 of them) with one sentence naming
the bad row; a Timestamp is read with its zone's fixed offset or not at all; a reporting code is
mapped conservatively (``precinct_reporting``); a "contest" that is a statistics row is told apart
from a race (``pseudo_contest_reason``, shared by every Clarity-family parser: ALL.json,
summary.json, Georgia SOS, Enhanced Voting, AP). Split out of ``tracker.feeds.clarity`` so the
streaming reader and the contest assembly share one set of rules; ``tracker.feeds.clarity``
re-exports the public names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from lxml import etree

from tracker.core.errors import FeedError
from tracker.core.model import Reporting
from tracker.core.threshold import ThresholdRule

#: US time-zone abbreviations Clarity writes after its Timestamp, as fixed UTC offsets (hours).
#: Anything else gives ``published_at=None`` rather than a guess.
TZ_OFFSETS: dict[str, int] = {
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}

#: Contest-level VoteType rows that count precincts, not votes.
PRECINCTS_FOR_RACE = "Number of Precincts for Race"
PRECINCTS_REPORTING = "Number of Precincts Reporting"

_DATE_RE = re.compile(r"\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s*")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


#: How ``clarity_writer`` marks a reconstructed night in ElectionName (compared case-insensitively).
RECONSTRUCTED_MARK = "reconstructed from certified precinct results — not the original feed"


def precinct_reporting(code: str | None, reporting_row: int | None, has_votes: bool) -> Reporting:
    """Reporting state of one precinct in one contest.

    Clarity's ``VoterTurnout/Precincts/Precinct@percentReporting`` is **not a percent**. Where we
    learned what it is:

    - washingtonpost/elex-clarity, PR #12 "adds voteCompletionMode" (Jan 2021): the field "can't be
      holding a percentage value because it is set to 4 for every precinct in every single file I
      have looked at. There are, however, 4 vote types, so I'm guessing this field is actually
      telling us how many vote types are reporting." Their converter
      (``src/elexclarity/formatters/results.py``,
      ``_get_precinct_fully_reporting_statuses_via_percent_reporting``) treats a precinct as fully
      reporting iff the value is ``"4"``; PRs #50 and #54 checked it by hand-editing it to 3, which
      they read as "not fully reporting".
    - Our real files (../shared/data): every geographic precinct in all eight precinct-level files,
      all final counts, carries 4 — including Greenup KY 2014, whose only vote type is "Election",
      so it is not literally a count of vote types; it is a status code whose value 4 means "all
      in". Greenup's absentee pseudo-precinct "AB" carries 32, a code nobody documents.

    Mapping (conservative: never claim complete on a code we do not understand):

    ==========================  ===============================================================
    ``"4"``                     COMPLETE
    ``"1"``, ``"2"``, ``"3"``   PARTIAL (some, not all, of the precinct is in: WaPo's reading)
    ``"0"``                     NONE, or PARTIAL if the contest already has votes for it
    anything else, or missing   the contest's own "Number of Precincts Reporting" row for the
    (e.g. ``"32"``, a precinct  precinct if it has one (1 → COMPLETE, 0 → NONE / PARTIAL if it
    not in VoterTurnout)        has votes); else PARTIAL if it has votes, NONE if not
    ==========================  ===============================================================
    """
    if code == "4":
        return Reporting.COMPLETE
    if code in ("1", "2", "3"):
        return Reporting.PARTIAL
    if code != "0" and reporting_row is not None and reporting_row > 0:
        return Reporting.COMPLETE
    return Reporting.PARTIAL if has_votes else Reporting.NONE


def county_reporting(reported: int | None, participating: int | None, has_votes: bool) -> Reporting:
    """Reporting state of a county unit from its precinct counts: complete when every participating
    precinct is in, none when none is, partial in between (or when the counts are unknown but votes
    are in)."""
    if reported is None or participating is None:
        return Reporting.PARTIAL if has_votes else Reporting.NONE
    if reported == 0:
        return Reporting.PARTIAL if has_votes else Reporting.NONE
    if participating > 0 and reported >= participating:
        return Reporting.COMPLETE
    return Reporting.PARTIAL


#: No count of votes or voters has more digits (the world's population has 10).
_MAX_COUNT_DIGITS = 15


def _count(value: str | None, what: str) -> int:
    """A non-negative integer count, strictly: digits only (no sign, blanks, or ``1_000``)."""
    if value is None:
        raise FeedError(f"Clarity detail XML: {what} is missing")
    if value.isascii() and value.isdigit():
        if len(value) > _MAX_COUNT_DIGITS:  # int() refuses over 4,300 digits with a ValueError
            raise FeedError(f"Clarity detail XML: {what} has {len(value):,} digits; not a vote count")
        return int(value)
    raise FeedError(f"Clarity detail XML: {what} is {value[:40]!r}, not a whole number")


def _quick_count(value: str | None, attr: str, uname: str, where: str) -> int | None:
    """``_optional_count`` of a participating county's attribute, its message built only when the
    value is bad (a statewide file has tens of thousands of these)."""
    if value is None:
        return None
    if value.isdigit() and value.isascii() and len(value) <= _MAX_COUNT_DIGITS:
        return int(value)
    return _count(value, f"{attr} of county {uname.strip()!r} of {where}")


def _optional_count(el: etree._Element, attr: str, where: str) -> int | None:
    value = el.get(attr)
    if value is None:
        return None
    return _count(value, f"{attr} of {where}")


def parse_timestamp(text: str) -> dt.datetime | None:
    """``"4/25/2017 3:38:16 PM EDT"`` → an aware datetime with that zone's fixed offset.

    None for an unknown zone abbreviation or an unexpected layout: the raw text is still the
    snapshot's version, and a wrong clock is worse than none."""
    parts = text.split()
    if len(parts) != 4:
        return None
    hours = TZ_OFFSETS.get(parts[3].upper())
    if hours is None:
        return None
    try:
        naive = dt.datetime.strptime(" ".join(parts[:3]), "%m/%d/%Y %I:%M:%S %p")
    except ValueError:
        return None
    return naive.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours), parts[3].upper()))


def _parse_date(text: str | None) -> dt.date | None:
    if text is None or not text.strip():
        return None
    m = _DATE_RE.fullmatch(text)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        except ValueError:
            pass
    raise FeedError(f"Clarity detail XML: ElectionDate {text.strip()[:40]!r} is not a m/d/yyyy date")


def election_id(region: str, date: dt.date | None, raw_date: str) -> str:
    """A stable id from Region + ElectionDate (``"dekalb-2017-04-18"``): the same election gets the
    same id in every version of the feed, so pins and recordings line up across versions."""
    region_slug = _SLUG_RE.sub("-", region.casefold()).strip("-") or "clarity"
    date_slug = date.isoformat() if date else (_SLUG_RE.sub("-", raw_date.casefold()).strip("-") or "undated")
    return f"{region_slug}-{date_slug}"


def _row_counts(vals: list[str | None], names: list[str], what: str | Callable[[], str]) -> list[int]:
    """One VoteType's unit votes as ints, validated in bulk (one join, isdigit and ``map(int)``
    in C instead of a check per row: this is the parser's hot spot). The slow path runs only to
    name the bad row."""
    if not vals:
        return []
    try:
        joined = "".join(vals)  # type: ignore[arg-type]  # TypeError on a missing votes attribute
        if joined.isascii() and joined.isdigit():
            return list(map(int, vals))  # type: ignore[arg-type]  # ValueError on an empty string
    except (TypeError, ValueError):
        pass
    if callable(what):
        what = what()
    for uname, value in zip(names, vals, strict=True):
        _count(value, f"votes of {uname.strip()!r} under {what}")
    raise FeedError(f"Clarity detail XML: a unit under {what} has votes that are not a whole number")


def _read_rows(vt: etree._Element, what: str | Callable[[], str]) -> tuple[list[str], list[int]]:
    """The unit rows (``name``, ``votes``) of one VoteType, as two aligned lists.

    One Python proxy per row element, reused for both attribute reads (this and the int
    conversion are the parser's hot spot: ~40,000 rows in a county file). Compiled per-VoteType
    XPath attribute queries were measured slower than this."""
    kids = list(vt)
    names = [u.get("name") for u in kids]
    if None in names:
        what = what() if callable(what) else what
        raise FeedError(f"Clarity detail XML: a {kids[names.index(None)].tag} under {what} has no name")
    return names, _row_counts([u.get("votes") for u in kids], names, what)  # type: ignore[arg-type]


#: Rows counties publish as contests that are statistics, not races (Allegheny's primary:
#: "REGISTERED VOTERS - Nonpartisan" with voteFor=0; "BALLOTS CAST - TOTAL").
_PSEUDO = re.compile(
    r"^\s*(registered voters|ballots cast|voter turnout|total ballots|times (cast|counted))\b", re.I
)


def _question(el: etree._Element) -> bool | None:
    """Clarity's own word that a contest is a ballot question (``isQuestion="true"``). Its "false"
    is not trusted: Colorado's 2020 file says false for all 266 contests, its amendments too, so
    then the choices (Yes/No) decide."""
    return True if (el.get("isQuestion") or "").strip().lower() == "true" else None


class _Skipped(Exception):
    """A contest set aside (a statistics row, a race without choices), with the reason."""


def pseudo_contest_reason(name: str, vote_for: int | None, choices: int) -> str:
    """Why a feed's "contest" is not a race, or "" when it is one. Shared by the Clarity parsers."""
    if _PSEUDO.match(name):
        return f"skipped {name!r}: a statistics row (registered voters, ballots cast), not a race"
    if vote_for == 0:
        return f"skipped {name!r}: voteFor=0, so nobody is elected in it (a statistics row, not a race)"
    if choices == 0:
        return f"skipped {name!r}: it lists no choices"
    return ""


#: (contest name, vote for, choice names, the feed's isQuestion or None) → the race's rule.
RuleOf = Callable[..., ThresholdRule]
