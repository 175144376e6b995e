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

The parts, one job each: this module reads a Contest element into a ``Contest`` and the whole
file into a Snapshot; :mod:`~tracker.feeds.clarity_stream` is the streaming pass over the file
(header, turnout, each contest handed here); :mod:`~tracker.feeds.clarity_votes` turns a
contest's vote columns into its units' votes (the table or the dicts);
:mod:`~tracker.feeds.clarity_checks` reads values strictly (counts, dates, timestamps, reporting
codes) and tells a race from a statistics row. The public names are all importable from here.
"""

from __future__ import annotations

import gc
import os

from lxml import etree

from tracker.core.coverage import partial_note
from tracker.core.errors import FeedError
from tracker.core.jurisdiction import state_from
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)
from tracker.core.threshold import ThresholdRule
from tracker.feeds.clarity_checks import (
    _MAX_COUNT_DIGITS,
    PRECINCTS_REPORTING,
    RECONSTRUCTED_MARK,
    RuleOf,
    _count,
    _optional_count,
    _parse_date,
    _question,
    _quick_count,
    _read_rows,
    _Skipped,
    county_reporting,
    election_id,
    parse_timestamp,
    precinct_reporting,
    pseudo_contest_reason,
)
from tracker.feeds.clarity_checks import PRECINCTS_FOR_RACE as PRECINCTS_FOR_RACE  # re-exported
from tracker.feeds.clarity_checks import TZ_OFFSETS as TZ_OFFSETS  # re-exported
from tracker.feeds.clarity_stream import _LateHeader, _stream, _Turnout
from tracker.feeds.clarity_votes import _TABLE_MAX_TOTAL, _assemble, _has_votes, _precinct_units, _table
from tracker.feeds.left_out import left_out_note, warn_each

__all__ = [
    "county_reporting",
    "election_id",
    "parse_detail_xml",
    "parse_timestamp",
    "precinct_reporting",
]


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
    # _table (clarity_votes') is looked up in this module: replacing ``clarity._table`` turns the
    # table off, as tests/test_columnar_votes.py does to compare it with the dicts.
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
        header, parsed, notes, left_out = _stream(data, _parse_contest, source=source)
    except _LateHeader:
        # A Region or turnout section after the first contest (no Clarity file we know does this):
        # read the header first, then the contests with it, exactly as a file in the usual order.
        header, _, _, _ = _stream(data, _parse_contest, header_only=True)
        header, parsed, notes, left_out = _stream(data, _parse_contest, preset=header, source=source)
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
        state=state_from(region, source),
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
