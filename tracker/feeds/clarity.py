"""Clarity (Scytl ENR) detail XML → Snapshot.

Clarity sites (Georgia's Secretary of State and hundreds of counties) publish every version of
their results as ``reports/detailxml.zip`` holding one ``detail.xml``. This module parses that XML
(the zip is the feed client's business, not this module's)::

    ElectionResult
      Timestamp, ElectionName, ElectionDate (m/d/yyyy), Region (a county, or a state)
      VoterTurnout/Precincts/Precinct(name, totalVoters, ballotsCast, percentReporting)   county files
      ElectionVoterTurnout/Counties/County(name, totalVoters, ballotsCast,
                                           precinctsParticipating, precinctsReported)    state files
      Contest(key, text, voteFor, precinctsReported, precinctsReporting | precinctsParticipating)
        VoteType(name, votes)/Precinct|County(name, votes)   contest-level rows, NOT candidate votes:
                                                             "Number of Precincts for Race",
                                                             "Number of Precincts Reporting",
                                                             "Undervotes", "Overvotes"
        ParticipatingCounties/County(name, precinctsParticipating, precinctsReported)    state files
        Choice(key, text, party, totalVotes)
          VoteType(name, votes)
            Precinct|County(name, votes)

What we keep, and why:

- Votes come only from ``Choice/VoteType/Precinct|County``: the units are the one source of truth
  (see ``tracker.core.model``). ``Choice@totalVotes`` goes to ``Contest.reported_totals`` and
  ``VoteType@votes`` is checked against the sum of its units; a disagreement becomes a data warning
  (``Contest.feed_warnings`` / ``Contest.data_warnings()``), never a silent correction.
- Units are the precincts (or counties) named *in the contest*, not the ``VoterTurnout`` list, which
  can hold precincts that are not in the race (Cobb's lists 51 for a 50-precinct race). A precinct's
  id keeps its raw name, ``f"{county}/{raw name}"``, because names can differ only by trailing
  space (DeKalb's "CHAMBLEE " vs "CHAMBLEE 2"); the display name is stripped.
- Contest precinct counts: ``precinctsReported`` is how many are in; the total is
  ``precinctsParticipating`` (state files) or, confusingly, ``precinctsReporting`` (county files).
  washingtonpost/elex-clarity computes its percentage as ``precinctsReported / precinctsReporting``
  (``formatters/results.py``, ``_get_precinct_reporting_pct``), which confirms the reading.

- Each race's rule (``Contest.threshold``) comes from ``tracker.core.jurisdiction.rule_for``: the
  state from Region, the URL, a county name only one state has or the file name; the election type
  from ElectionName; ``isQuestion="true"`` or Yes/No choices mark a ballot question.
- Pseudo-contests (statistics rows such as "REGISTERED VOTERS - Nonpartisan" with ``voteFor="0"``,
  contests without choices) are set aside into ``Snapshot.notes``; the rest of the file opens.

Malformed input (not XML, truncated, not an ElectionResult, a DTD, missing keys, duplicate contest
ids) raises ``FeedError`` with one sentence; nothing else escapes. One odd contest never sinks a
file: a contest whose own rows cannot be read (a count written "1,234" or "", a negative one, a
choice listed twice or without its key, a unit without its name) is left out, and the Snapshot's
notes and every other race's data warnings name it, as North Carolina's and NIST's readers do; a
file whose every contest is unreadable is one FeedError sentence, the first contest's reason.

Speed and memory: one streaming pass (``iterparse`` of the root's children, each cleared and dropped
once read: lxml's documented idiom), so the document's tree never exists whole: a 37 MB statewide
file used to peak at ~520 MB (libxml2's tree is ~10× the bytes) and now peaks at the Snapshot plus
a contest's worth of tree; the GIL is let go between chunks, so a parse on a worker thread does not
freeze the window. Within a contest: direct child iteration, no XPath. The hot spot is the
candidate rows (~38,000 in the 2.75 MB Gwinnett file): one proxy per row for both attribute reads,
votes validated and converted per VoteType in bulk, error messages built only for a bad row, the
cyclic GC paused. In the usual layout (every vote type of every choice lists the contest's units in
the same order) a contest's votes become one read-only integer array (``model.VoteTable``, issue
21), each unit's ``votes`` a view of its row; any other layout is assembled row by row into dicts.
``parse_detail_xml`` also takes a file's path, so a statewide file is read as it is parsed. ``python
-m benchmarks parse`` measures it against the bare lxml reader (docs/development.md has the table).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import re
from collections.abc import Callable

import numpy as np
from lxml import etree

from tracker.core.coverage import partial_note
from tracker.core.errors import FeedError
from tracker.core.jurisdiction import election_kind, rule_for, state_from
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteTable,
    VoteType,
)
from tracker.core.pause_points import pause_point
from tracker.core.threshold import ThresholdRule
from tracker.feeds.left_out import left_out_note, warn_each

__all__ = [
    "county_reporting",
    "election_id",
    "parse_detail_xml",
    "parse_timestamp",
    "precinct_reporting",
]

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


class _Turnout:
    """The file-level turnout section, keyed by the raw unit name."""

    __slots__ = ("level", "units")

    def __init__(self) -> None:
        self.level: str | None = None  # "Precinct" or "County"
        #: raw name -> (registered or None, ballots cast or None, percentReporting code,
        #:              precincts reported, precincts participating)
        self.units: dict[str, tuple[int | None, int | None, str | None, int | None, int | None]] = {}


def _read_turnout(section: etree._Element, turnout: _Turnout) -> None:
    for group in section:
        for unit in group:
            tag = unit.tag
            if tag not in ("Precinct", "County"):
                continue
            turnout.level = turnout.level or tag
            name = unit.get("name")
            if name is None:
                raise FeedError(f"Clarity detail XML: a {tag} in {section.tag} has no name")
            where = f"{tag} {name.strip()!r} in {section.tag}"
            registered = _optional_count(unit, "totalVoters", where)
            ballots = _optional_count(unit, "ballotsCast", where)
            turnout.units[name] = (
                registered or None,
                ballots or None,
                unit.get("percentReporting"),
                _optional_count(unit, "precinctsReported", where),
                _optional_count(unit, "precinctsParticipating", where),
            )


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


def _has_votes(votes: dict[str, dict[str, int]]) -> bool:
    return any(any(by_type.values()) for by_type in votes.values())


_Columns = list[tuple[str, list[str], list[int]]]


def _assemble(
    contest: str, canon: list[str], choices: list[tuple[str, str, _Columns]], warnings: list[str]
) -> list[dict[str, dict[str, int]]]:
    """Turn the per-(choice, vote type) columns into each unit's ``{candidate: {vote type: n}}``.

    The usual layout — every vote type of every choice lists the contest's units in the same order
    — is built with comprehensions over the columns; anything else (a different order, a missing
    or repeated unit, a repeated vote type) goes row by row, adding repeats and saying so."""
    if all(
        len({c[0] for c in cols}) == len(cols) and all(c[1] == canon for c in cols) for _, _, cols in choices
    ):
        active = [(cid, cols) for cid, _, cols in choices if cols]
        if not active:
            return [{} for _ in canon]
        per_choice = [
            [dict(zip(vnames, row, strict=True)) for row in zip(*[c[2] for c in cols], strict=True)]
            for vnames, cols in (([c[0] for c in cols], cols) for _, cols in active)
        ]
        cids = [cid for cid, _ in active]
        return [dict(zip(cids, t, strict=True)) for t in zip(*per_choice, strict=True)]
    index = {raw: i for i, raw in enumerate(canon)}
    unit_votes: list[dict[str, dict[str, int]]] = [{} for _ in canon]
    for cid, cname, cols in choices:
        for vname, names, nums in cols:
            for raw, n in zip(names, nums, strict=True):
                per = unit_votes[index[raw]]
                by_type = per.get(cid)
                if by_type is None:
                    per[cid] = {vname: n}
                elif vname in by_type:
                    by_type[vname] += n
                    warnings.append(
                        f"{contest}: {raw.strip()} is listed twice under {cname}'s {vname}; "
                        "its votes were added"
                    )
                else:
                    by_type[vname] = n
    return unit_votes


def _precinct_units(
    county: str,
    canon: list[str],
    unit_votes: list,
    has_votes: list[bool],
    tu: dict[str, tuple[int | None, int | None, str | None, int | None, int | None]],
    reporting_rows: dict[str, int],
) -> list[ReportingUnit]:
    """A county file's precinct units (tens of thousands in a state's files)."""
    kind, complete, county_or_none = UnitKind.PRECINCT, Reporting.COMPLETE, county or None
    units: list[ReportingUnit] = []
    for raw, votes, voted in zip(canon, unit_votes, has_votes, strict=True):
        info = tu.get(raw)
        code = info[2] if info else None
        units.append(
            ReportingUnit(
                id=f"{county}/{raw}",
                name=raw.strip(),
                kind=kind,
                county=county_or_none,
                reporting=complete
                if code == "4"
                else precinct_reporting(code, reporting_rows.get(raw), voted),
                votes=votes,
                registered=info[0] if info else None,
                ballots_cast=info[1] if info else None,
            )
        )
    return units


#: A contest whose cells add up to more stays in dicts: numpy's int64 sums would wrap, where
#: Python's ints let ``plausible.check_snapshot`` refuse the count in a sentence.
_TABLE_MAX_TOTAL = 2**62


def _table(
    canon: list[str], choices: list[tuple[str, str, _Columns]], vote_types: list[str]
) -> VoteTable | None:
    """The contest's votes as one array (``tracker.core.model.VoteTable``) in the usual layout:
    every vote type of every choice lists the contest's units in the same order, no choice repeats
    a vote type, and each lists its types in the contest's order. None otherwise: ``_assemble``
    then builds the dicts row by row, adding repeats and saying so."""
    active = [(cid, cols) for cid, _, cols in choices if cols]
    if not active or not canon:
        return None
    vix = {vt: v for v, vt in enumerate(vote_types)}
    for _cid, cols in active:
        last = -1
        for vname, names, _nums in cols:
            v = vix[vname]
            if v <= last or names != canon:
                return None
            last = v
    n_types = len(vote_types)
    if all(len(cols) == n_types for _, cols in active):
        # Every choice lists every vote type (the usual file): one conversion of all the columns.
        flat = [n for _, cols in active for _vname, _names, nums in cols for n in nums]
        votes = np.array(flat, dtype=np.int64).reshape(len(active), n_types, len(canon))
        reported = np.ones((len(active), n_types), dtype=bool)
    else:
        votes = np.zeros((len(active), n_types, len(canon)), dtype=np.int64)
        reported = np.zeros((len(active), n_types), dtype=bool)
        for j, (_cid, cols) in enumerate(active):
            for vname, _names, nums in cols:
                v = vix[vname]
                votes[j, v] = nums
                reported[j, v] = True
    return VoteTable(
        [cid for cid, _ in active], vote_types, np.ascontiguousarray(votes.transpose(2, 0, 1)), reported
    )


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


def _parse_contest(
    el: etree._Element, county: str, turnout: _Turnout, rule_of: RuleOf | None = None
) -> Contest:
    key = el.get("key")
    if not key:
        raise FeedError("Clarity detail XML: a Contest has no key")
    name = " ".join((el.get("text") or "").split()) or f"Contest {key}"
    where = f"contest {name!r}"
    vote_for = _optional_count(el, "voteFor", where)
    reason = pseudo_contest_reason(name, vote_for, sum(1 for c in el if c.tag == "Choice"))
    if reason:
        raise _Skipped(reason)
    reported = _optional_count(el, "precinctsReported", where)
    total = _optional_count(el, "precinctsParticipating", where)
    if total is None:
        total = _optional_count(el, "precinctsReporting", where)

    candidates: list[Candidate] = []
    seen_ids: set[str] = set()
    reported_totals: dict[str, int] = {}
    #: per candidate: (id, display name, [(vote type, unit names, votes)]) as columns
    choices: list[tuple[str, str, list[tuple[str, list[str], list[int]]]]] = []
    vote_types: dict[str, None] = {}
    listed_units: dict[str, None] = {}  # named by contest-level rows, in document order
    reporting_rows: dict[str, int] = {}
    participating: dict[str, tuple[int | None, int | None]] = {}
    warnings: list[str] = []
    unit_tag: str | None = None
    cells_total = 0

    for child in el:
        tag = child.tag
        if tag == "Choice":
            cid = child.get("key")
            if not cid:
                raise FeedError(f"Clarity detail XML: a Choice in {where} has no key")
            if cid in seen_ids:
                raise FeedError(f"Clarity detail XML: {where} lists choice key {cid!r} twice")
            seen_ids.add(cid)
            cname = " ".join((child.get("text") or "").split())
            candidates.append(
                Candidate(
                    id=cid, name=cname, party=child.get("party") or "", ballot_order=len(candidates) + 1
                )
            )
            choice_where = f"choice {cname or cid!r} of {where}"
            declared_total = _optional_count(child, "totalVotes", choice_where)
            if declared_total is not None:
                reported_totals[cid] = declared_total
            cols: list[tuple[str, list[str], list[int]]] = []
            for vt in child:
                if vt.tag != "VoteType":
                    continue
                vname = vt.get("name")
                if vname is None:
                    raise FeedError(f"Clarity detail XML: a VoteType of {choice_where} has no name")
                vote_types[vname] = None
                # The messages are built only for a bad row: 36,000 VoteTypes in a statewide file.
                declared = vt.get("votes")
                if declared is not None:
                    declared = (
                        int(declared)
                        if declared.isdigit() and declared.isascii() and len(declared) <= _MAX_COUNT_DIGITS
                        else _count(declared, f"votes of VoteType {vname!r} of {choice_where}")
                    )
                names, nums = _read_rows(vt, lambda vname=vname, w=choice_where: f"{vname!r} of {w}")
                if unit_tag is None and names:
                    unit_tag = vt[0].tag
                subtotal = sum(nums)
                cells_total += subtotal
                if declared is not None and declared != subtotal:
                    kind = "counties" if unit_tag == "County" else "precincts"
                    warnings.append(
                        f"{name}: feed subtotal for {cname} ({vname}) is {declared:,}, "
                        f"its {kind} sum to {subtotal:,}"
                    )
                cols.append((vname, names, nums))
            choices.append((cid, cname, cols))
        elif tag == "VoteType":
            # Contest-level rows: precinct counts, undervotes, overvotes. Not candidate votes; they
            # name the contest's units and (for "Number of Precincts Reporting") say which are in.
            vname = child.get("name")
            what = f"{vname!r} of {where}"
            names, nums = _read_rows(child, what)
            listed_units.update(dict.fromkeys(names))
            if vname == PRECINCTS_REPORTING:
                reporting_rows.update(zip(names, nums, strict=True))
            if unit_tag is None and names:
                unit_tag = child[0].tag
        elif tag == "ParticipatingCounties":
            for unit in child:
                uname = unit.get("name")
                if uname is None:
                    raise FeedError(f"Clarity detail XML: a participating county of {where} has no name")
                done, of = unit.get("precinctsReported"), unit.get("precinctsParticipating")
                participating[uname] = (
                    _quick_count(done, "precinctsReported", uname, where),
                    _quick_count(of, "precinctsParticipating", uname, where),
                )
                listed_units[uname] = None
            unit_tag = unit_tag or "County"

    # Units: the contest's own, contest-level rows first (they list every precinct in the race,
    # including ones with no votes yet), then any only the choices name.
    order = listed_units
    last: list[str] | None = None
    for _cid, _cname, cols in choices:
        for _vname, names, _nums in cols:
            if names != last:
                order.update(dict.fromkeys(names))
                last = names
    canon = list(order)
    table = _table(canon, choices, list(vote_types)) if cells_total < _TABLE_MAX_TOTAL else None
    if table is not None:
        unit_votes: list = [table.row(i) for i in range(len(canon))]
        has_votes = table.votes.reshape(len(canon), -1).any(axis=1).tolist()
    else:
        unit_votes = _assemble(name, canon, choices, warnings)
        has_votes = [_has_votes(v) for v in unit_votes]

    is_county = unit_tag == "County" or (unit_tag is None and turnout.level == "County")
    tu = turnout.units
    units: list[ReportingUnit]
    if is_county:
        units = []
        for raw, votes, voted in zip(canon, unit_votes, has_votes, strict=True):
            info = tu.get(raw)
            done, of = participating.get(raw) or ((info[3], info[4]) if info else (None, None))
            units.append(
                ReportingUnit(
                    id=raw,
                    name=raw.strip(),
                    kind=UnitKind.COUNTY,
                    county=raw.strip(),
                    reporting=county_reporting(done, of, voted),
                    votes=votes,
                    registered=info[0] if info else None,
                    ballots_cast=info[1] if info else None,
                    precincts_reporting=done,
                    precincts_total=of,
                )
            )
    else:
        units = _precinct_units(county, canon, unit_votes, has_votes, tu, reporting_rows)

    return Contest(
        id=key,
        name=name,
        candidates=tuple(candidates),
        units=tuple(units),
        vote_for=vote_for or 1,
        threshold=rule_of(name, vote_for or 1, [c.name for c in candidates], _question(el))
        if rule_of is not None
        else ThresholdRule.majority(),
        vote_types=tuple(VoteType.from_name(v) for v in vote_types),
        reported_totals=reported_totals if len(reported_totals) == len(candidates) else None,
        reported_precincts=(reported, total) if reported is not None and total is not None else None,
        feed_warnings=tuple(warnings),
        partial=partial_note(county, name),
    )


#: The root's children we read; a Contest is parsed and freed as soon as its end tag is read.
_TOP_TAGS = (
    "Contest",
    "Timestamp",
    "ElectionName",
    "ElectionDate",
    "Region",
    "VoterTurnout",
    "ElectionVoterTurnout",
)
#: The ones a contest is read with: seen after a contest, they send the parse down the slow path.
_CONTEST_CONTEXT = ("Region", "VoterTurnout", "ElectionVoterTurnout")
#: Reported too, and passed over, only so that the parse returns to Python (and reaches a pause
#: point) between a big contest's choices: libxml2 read the biggest statewide contests (~13,000
#: elements) in one call of 10–30 ms that kept a window from the interpreter (issue 21).
_STEP_TAGS = ("Choice",)


class _Header:
    """The file-level elements: the last of each wins, the turnout sections add up."""

    __slots__ = ("election_name", "raw_date", "region", "timestamp", "turnout")

    def __init__(self) -> None:
        self.timestamp: str | None = None
        self.election_name = ""
        self.raw_date = ""
        self.region = ""
        self.turnout = _Turnout()


class _LateHeader(Exception):
    """A Region or turnout section came after a contest that was read without it."""


def _check_root(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FeedError(
            "refusing XML with a DTD: Clarity detail XML never has one, and a DTD can smuggle entities"
        )
    if root.tag != "ElectionResult":
        raise FeedError(f"not Clarity detail XML: the root element is <{root.tag}>, not <ElectionResult>")


def _rule_maker(header: _Header, source: str) -> RuleOf:
    """The contest-rule lookup for this file: its state (from the Region or the source address)
    and its kind of election (from its name), read from the header that precedes the contests."""
    state = state_from(header.region, source)
    kind = election_kind(header.election_name)

    def rule_of(name: str, vote_for: int, choices: list[str], question: bool | None = None) -> ThresholdRule:
        return rule_for(state, kind, name, vote_for=vote_for, choices=choices, measure=question)

    return rule_of


def _stream(
    data: bytes | str, *, preset: _Header | None = None, header_only: bool = False, source: str = ""
) -> tuple[_Header, list[Contest], list[str], list[str]]:
    """One streaming pass (lxml's ``iterparse`` idiom: each of the root's children is read when its
    end tag is, then cleared and dropped with its preceding siblings), so the document's tree never
    exists whole: a 37 MB file peaks at a few contests' worth of tree instead of ~10× its size, and
    the GIL is let go between chunks (a parse on a worker thread does not freeze the window).

    ``preset``: the header, already read (the slow path for a file whose Region or turnout comes
    after a contest); its Region and turnout elements are then skipped. ``header_only``: read the
    header, skip the contests.

    Hardened: no entity expansion (XXE, billion laughs), no network, no external DTD, libxml2's
    default size/depth limits (``huge_tree=False``); comments and processing instructions dropped
    so child iteration sees elements only. A new parser per call (lxml parsers must not be shared
    between threads)."""
    header = preset or _Header()
    contests: list[Contest] = []
    notes: list[str] = []  # pseudo-contests set aside (issue 16), one sentence each
    left_out: list[str] = []  # contests whose rows cannot be read, one sentence each
    rule_of: RuleOf | None = None
    events = etree.iterparse(
        io.BytesIO(data) if isinstance(data, bytes) else data,  # bytes, or a file's path
        events=("end",),
        tag=(*_TOP_TAGS, *_STEP_TAGS),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    root: etree._Element | None = None
    while True:
        try:
            _event, el = next(events)
        except StopIteration:
            break
        except (etree.XMLSyntaxError, ValueError) as exc:
            # lxml's messages span lines ("...out of allowed range\n, line 3"); ours are one line.
            reason = " ".join(str(exc).split())
            raise FeedError(f"not well-formed XML (truncated or not Clarity detail XML): {reason}") from None
        parent = el.getparent()
        if root is None:
            root = el.getroottree().getroot()
            _check_root(root)
        if parent is not root or el.tag in _STEP_TAGS:
            pause_point()  # a contest's choice, or a nested element: not the root's child, not ours
            continue
        tag = el.tag
        if tag == "Contest":
            if not header_only:
                if rule_of is None:
                    rule_of = _rule_maker(header, source)
                try:
                    contests.append(_parse_contest(el, header.region, header.turnout, rule_of))
                except _Skipped as skipped:
                    notes.append(str(skipped))
                except FeedError as exc:  # this contest's rows: the others still open
                    left_out.append(str(exc).removeprefix("Clarity detail XML: "))
        elif tag in _CONTEST_CONTEXT and preset is not None:
            pass
        elif tag in _CONTEST_CONTEXT and contests:
            raise _LateHeader
        elif tag == "Timestamp":
            header.timestamp = (el.text or "").strip()
        elif tag == "ElectionName":
            header.election_name = " ".join((el.text or "").split())
        elif tag == "ElectionDate":
            header.raw_date = (el.text or "").strip()
        elif tag == "Region":
            header.region = " ".join((el.text or "").split())
        else:
            _read_turnout(el, header.turnout)
        el.clear()
        while el.getprevious() is not None:
            del root[0]
        pause_point()  # a statewide file is seconds of this: the window may run (issue 21)
    if root is None:
        root = events.root
        if root is None:
            raise FeedError("not Clarity detail XML: the document is empty")
        _check_root(root)
    return header, contests, notes, left_out


def parse_detail_xml(data: bytes | os.PathLike[str], *, source: str = "") -> Snapshot:
    """Parse one Clarity ``detail.xml`` payload into a Snapshot.

    ``source`` (a URL or a path) is recorded as ``Election.source``. Raises FeedError, with one
    sentence a user can act on, for anything that is not a well-formed Clarity ElectionResult.
    The Snapshot's ``version`` is the feed's Timestamp text (Clarity's own id for the version);
    ``published_at`` is that Timestamp as an aware datetime, or None for an unknown zone.

    ``data`` may also be a file's path: libxml2 then reads the file as it parses, so a statewide
    file is never held whole beside its Snapshot (``election-tracker parse``: issue 21). The
    caller has the file's errors (missing, unreadable) to say; this reads it.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if isinstance(data, os.PathLike):
        with open(data, "rb") as file:
            head = file.read(512)
        data = os.fspath(data)
    elif isinstance(data, bytes):
        head = data[:512]
    else:
        raise FeedError(f"Clarity detail XML must be bytes, not {type(data).__name__}")
    magic = head[:4]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
        # A scraper's saved error page: its DOCTYPE would otherwise be refused as a DTD.
        raise FeedError(
            "this is an HTML page from the server (Clarity answers a version that is not there yet "
            "with its 404 page), not detail XML; poll current_ver.txt and try again"
        )
    if magic == b"PK\x03\x04":
        raise FeedError(
            "this is a zip archive (Clarity's detailxml.zip), not detail XML: read detail.xml out of it first"
        )
    # A statewide file's contests allocate hundreds of thousands of containers, none in a cycle:
    # the cyclic GC would rescan them again and again (~10 % of the parse). Paused, then restored.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(data, source)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse(data: bytes | str, source: str) -> Snapshot:
    try:
        header, parsed, notes, left_out = _stream(data, source=source)
    except _LateHeader:
        # A Region or turnout section after the first contest (no Clarity file we know does this):
        # read the header first, then the contests with it, exactly as a file in the usual order.
        header, _, _, _ = _stream(data, header_only=True)
        header, parsed, notes, left_out = _stream(data, preset=header, source=source)
    if left_out:
        if not parsed:
            raise FeedError(f"Clarity detail XML: {left_out[0]}")
        note = left_out_note(left_out)
        notes = [*notes, note]
        parsed = warn_each(parsed, note)
    timestamp, election_name, raw_date, region = (
        header.timestamp,
        header.election_name,
        header.raw_date,
        header.region,
    )
    if not timestamp:
        raise FeedError("Clarity detail XML without a Timestamp: cannot tell which version this is")

    date = _parse_date(raw_date)
    # Clarity has no field for "reconstructed": our own writer (``serve --as clarity``) marks a
    # reconstructed night in its ElectionName, so the window labels it when it comes back as a feed.
    reconstructed = RECONSTRUCTED_MARK in election_name.casefold()
    election = Election(
        id=election_id(region, date, raw_date),
        name=election_name or region or "Clarity election",
        date=date,
        source=source,
        reconstructed=reconstructed,
        note="Reconstructed from certified precinct results — not the original feed."
        if reconstructed
        else "",
    )
    contests = tuple(parsed)
    seen: set[str] = set()
    for contest in contests:
        if contest.id in seen:
            raise FeedError(f"Clarity detail XML lists contest key {contest.id!r} twice")
        seen.add(contest.id)
    return Snapshot(
        election=election,
        contests=contests,
        version=timestamp,
        published_at=parse_timestamp(timestamp),
        notes=tuple(notes),
    )
