"""NIST SP 1500-100 v2 Election Results Reporting (XML and JSON) → Snapshot.

The public standard election-system vendors export (schema and examples:
``usnistgov/ElectionResultsReporting``; XML namespace ``http://itl.nist.gov/ns/voting/1500-100/v2``,
JSON objects typed ``"@type": "ElectionResults.…"``). What we read::

    ElectionReport
      GpUnit*          ReportingUnit: @ObjectId / "@id", Name, Type (county, precinct, state, …),
                       ComposingGpUnitIds, SubUnitsReported, TotalSubUnits, VotersRegistered,
                       VotersParticipated, CountStatus (Type total, Status completed/in-process/…)
      Party*           Name (InternationalizedText), Abbreviation
      Election         Name, StartDate, ElectionScopeId, Candidate* (BallotName, PartyId,
                       PostElectionStatus: a race call, winner/projected-winner/advanced-to-runoff),
        Contest*       CandidateContest / BallotMeasureContest / PartyContest / RetentionContest:
                       Name, VotesAllowed, ElectionDistrictId (JSON: ElectoralDistrictId),
                       SubUnitsReported/TotalSubUnits,
          ContestSelection* (JSON: BallotSelection)  CandidateSelection (CandidateIds),
                       BallotMeasureSelection (Selection), PartySelection (PartyIds); SequenceOrder;
            VoteCounts*   GpUnitId, Type (CountItemType: election-day, early, absentee-mail, …,
                          total; other + OtherType), Count

How it maps:

- a Contest per Contest, a Candidate per selection (its name from the candidate's BallotName, the
  measure's Selection text, or the parties' names), ballot order from SequenceOrder;
- counts may be given at several levels at once (state, counties and precincts): the units of a
  contest are the GpUnits with counts none of whose parts (``ComposingGpUnitIds``, followed
  through) also has counts in that contest; a single unit above all of them gives
  ``Contest.reported_totals`` (checked against the sum, never added to it);
- when the contest's district is made of units of the kinds that hold its counts, the units are
  that list, in its order (so a unit that has reported nothing yet is still a unit of the contest);
- unit kinds: precinct-like types → precinct, state/country → state, anything else → county; a
  unit's county is the nearest county that is composed of it; names written with their parents
  (``"Wyoming;Albany County"``, as some exporters do) lose the scope's prefix;
- vote types by CountItemType ("Election Day", "Early", "Absentee by Mail", "Provisional",
  "Total", …), or by ``OtherType`` when given (which ``nist_writer`` sets, so a night's own vote
  type names come back); reporting from the unit's CountStatus, else partly reported once it has
  votes;
- ExternalIdentifier entries of ``OtherType`` ``tracker-…`` (written by ``nist_writer``) restore
  our ids, threshold and labels exactly; other files use the ObjectIds. Another report's races get
  the jurisdiction table's rule (``jurisdiction.rule_for``): the state from the election's scope
  (its GpUnit's name, "Wyoming", or the ``IssuerAbbreviation``), the kind from ``Election/Type``
  (NIST's ElectionType: general, primary, partisan-primary-closed, runoff, special …) or its name.
  Wyoming's 2020 general used to draw a 50 % line with a runoff on every race;

Odd files: a declared encoding Python knows under another spelling (``encoding="utf_8"``, which
libxml2 refuses) is read as that encoding with a note; names that look mis-decoded (UTF-8 read as
Latin-1: "JosÃ©") are kept as given and the election note says so; a contest that cannot be read
is left out and named in the note. Anything else malformed is one FeedError sentence.

The parts, one job each: this module reads the report as a whole (its election, parties, notes,
state and rules) into a Snapshot; :mod:`~tracker.feeds.nist_nodes` reads the bytes, XML or JSON,
into one node interface; :mod:`~tracker.feeds.nist_units` answers what the GpUnits are made of;
:mod:`~tracker.feeds.nist_contest` maps one Contest (and holds the vote-type vocabulary the writer
shares). The public names are all importable from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import STATE_CODES, election_kind, rule_for, state_from
from tracker.core.model import Contest, Election, Snapshot
from tracker.core.threshold import ThresholdRule
from tracker.feeds._json_checks import Odd as _Odd
from tracker.feeds.left_out import left_out_note
from tracker.feeds.nist_contest import _TALLY_LINE as _TALLY_LINE  # re-exported
from tracker.feeds.nist_contest import (
    TRACKER_PREFIX,
    _contest,
    _tracker_ids,
    count_item_type,
    vote_type_of,
)
from tracker.feeds.nist_nodes import _WHAT, NS, _clean, _Node, _root
from tracker.feeds.nist_nodes import XSI_TYPE as XSI_TYPE  # re-exported
from tracker.feeds.nist_units import _Units

__all__ = ["NS", "TRACKER_PREFIX", "count_item_type", "parse_nist", "vote_type_of"]

_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _published(text: str | None) -> dt.datetime | None:
    value = (text or "").strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _with_warnings(contest: Contest, file_notes: list[str]) -> Contest:
    """``contest`` with the file's notes and its own mis-decoded names as feed warnings (the race
    view shows them above the race)."""
    odd = [n for n in _iter_names([contest]) if _MOJIBAKE.search(n)]
    extra = list(file_notes)
    if odd:
        extra.append(
            f"{', '.join(repr(n[:40]) for n in odd[:3])} look mis-decoded; shown as the file gives them"
        )
    if not extra:
        return contest
    return replace(contest, feed_warnings=(*contest.feed_warnings, *extra))


def _iter_names(contests: list[Contest]) -> Iterator[str]:
    for c in contests:
        yield c.name
        for cand in c.candidates:
            yield cand.name


def _state_of(root: _Node, units: _Units, scope_id: str, source: str) -> str:
    """The report's state: its scope unit's name ("Wyoming", or "Wyoming;Albany County" for a
    county's report), else a two-letter ``IssuerAbbreviation``, else what the file name says."""
    scope = units.nodes.get(scope_id)
    if scope is not None:
        name = _clean(scope.intl("Name")).split(";", 1)[0].strip().casefold()
        if name in STATE_CODES:
            return STATE_CODES[name]
    return state_from(_clean(root.text("IssuerAbbreviation")), source)


def _rules(
    root: _Node, election: _Node, units: _Units, scope_id: str, source: str
) -> Callable[[str, int, list[str]], ThresholdRule]:
    """How each race of another issuer's report is decided: the jurisdiction table's row for the
    report's state and election type (NIST's ``Election/Type``, else the election's name)."""
    state = _state_of(root, units, scope_id, source)
    kind = election_kind(_clean(election.text("Type")).replace("-", " "))
    if kind == "any":
        kind = election_kind(_clean(election.intl("Name")))

    def rule_of(office: str, vote_for: int, choices: list[str]) -> ThresholdRule:
        return rule_for(state, kind, office, vote_for=vote_for, choices=choices)

    return rule_of


def parse_nist(data: bytes, *, source: str = "") -> Snapshot:
    """Parse a NIST SP 1500-100 v2 report, XML or JSON (see the module docstring); FeedError, with
    one sentence, when nothing in it can be read."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"{_WHAT} must be bytes, not {type(data).__name__}")
    notes: list[str] = []
    root, _form = _root(data, notes)
    try:
        elections = root.children("Election")
        if not elections:
            raise FeedError(f"{_WHAT}: the report holds no Election")
        election = elections[0]
        parties: dict[str, tuple[str, str]] = {}
        for p in root.children("Party"):
            pname = _clean(p.intl("Name"))
            abbr = _clean(p.text("Abbreviation")) or pname
            parties[p.oid()] = (pname or abbr, abbr)
        candidates = {c.oid(): c for c in election.children("Candidate")}
        scope_id = _clean(election.text("ElectionScopeId"))
        units = _Units(root, scope_id, notes)
    except _Odd as exc:
        raise FeedError(f"{_WHAT}: {exc}") from None
    contests: list[Contest] = []
    left_out: list[str] = []
    seen: set[str] = set()
    try:
        contest_nodes = election.children("Contest")
        issuer = _clean(root.text("Issuer"))
        rule_of = _rules(root, election, units, scope_id, source)
        state = _state_of(root, units, scope_id, source)
    except _Odd as exc:
        raise FeedError(f"{_WHAT}: {exc}") from None
    tallies: list[str] = []
    for i, node in enumerate(contest_nodes):
        extra: list[str] = []
        try:
            before = len(tallies)
            contest = _contest(node, i, units, candidates, parties, extra, issuer, rule_of, tallies)
            if len(tallies) > before:  # said above the race it was left out of
                shown = ", ".join(repr(t[:30]) for t in tallies[before:][:3])
                note = f"{shown} left out: a count of ballots, not a choice"
                contest = replace(contest, feed_warnings=(*contest.feed_warnings, note))
            if contest.id in seen:
                raise _Odd(f"contest id {contest.id!r} appears twice")
        except _Odd as exc:
            left_out.append(str(exc))
            continue
        except (ValueError, RecursionError) as exc:
            left_out.append(f"contest {i + 1}: {str(exc)[:80]}")
            continue
        seen.add(contest.id)
        notes.extend(extra)
        contests.append(contest)
    if not contests:
        why = f": {left_out[0]}" if left_out else ""
        raise FeedError(f"{_WHAT}: no contest could be read{why}")
    if left_out:
        notes.append(left_out_note(left_out))
    file_notes = list(notes)  # about the whole file: every race shows them as a data warning
    odd = [n for n in _iter_names(contests) if _MOJIBAKE.search(n)]
    if odd:
        notes.append(
            f"{len(odd)} name{'s' if len(odd) != 1 else ''} look mis-decoded "
            f"(e.g. {odd[0][:40]!r}); shown as given"
        )
    contests = [_with_warnings(c, file_notes) for c in contests]
    try:
        eext = _tracker_ids(election)
        rext = _tracker_ids(root)
        ename = _clean(election.intl("Name"))
        date = _date(election.text("StartDate"))
        note = _clean(root.text("Notes"))
        is_test = _clean(root.text("IsTest")).lower() == "true"
        generated = root.text("GeneratedDate")
    except _Odd as exc:
        raise FeedError(f"{_WHAT}: {exc}") from None
    reconstructed = eext.get("reconstructed") == "true"
    return Snapshot(
        election=Election(
            id=eext.get("id") or (f"nist-{date.isoformat()}" if date else "nist"),
            name=ename or "Election",
            date=date,
            source=source,
            reconstructed=reconstructed,
            note="; ".join(filter(None, [note, *notes])),
            test=is_test,
            state=state,
        ),
        contests=tuple(contests),
        version=rext.get("version") or _clean(generated),
        published_at=_published(generated),
    )
