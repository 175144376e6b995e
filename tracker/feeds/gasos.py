"""Georgia Secretary of State results-site JSON (``export-*.json``) → Snapshot.

Georgia's results site (since 2024; older elections re-exported in the same shape, e.g.
``export-2017AprSpec.json``, created 2025-01-08) publishes one JSON document per election::

    {"electionDate": "2017-04-18", "electionName": "April 18, 2017 - Special Election ",
     "createdAt": "2025-01-08T15:00:04.108574Z",
     "results": {"id", "name": "Georgia", "reportingStatuses",
                 "ballotItems": [ballot item, ...]},          the whole state (or district)
     "localResults": [{"id", "name": "Cobb County", "reportingStatuses",
                       "ballotItems": [ballot item, ...]}]}   one per county

    ballot item: {"id": "30600", "name": "U.S. Representative, District 6", "voteFor": 1,
                  "ballotOrder", "type": "State" | "Local", "contestType": "Candidate",
                  "precinctsParticipating", "precinctsReporting",
                  "ballotOptions": [{"id": "140", "name": "JON OSSOFF (DEM)", "ballotOrder",
                                     "voteCount", "politicalParty": "DEM" | null,
                                     "groupResults": [{"groupName": "Election Day",
                                                       "voteCount", "isFromVirtualPrecinct"}],
                                     "precinctResults": [precinct, ...] | [] | null}]}

    precinct: {"id", "name", "voteCount", "groupResults": [...], "reportingStatus", "isVirtual"}

How it maps:

- one Contest per ``results.ballotItems`` entry (id, name, vote for, candidates from its
  ballotOptions in ballot order; their ``voteCount`` becomes ``Contest.reported_totals``, so the
  counties are checked against the state's own figure);
- units: per county, the precincts when the county's ballot item carries ``precinctResults``
  rows (unit id ``"{county}/{precinct id}"``), else one county unit; votes per vote type from
  ``groupResults`` (the site's own names: "Election Day", "Absentee by Mail", "Advance in Person",
  "Provisional"), or "Total" when a row has no split. A ``groupResults`` sum that differs from the
  row's ``voteCount`` is a feed warning, never silently fixed;
- counties are named without " County" ("Cobb County" → "Cobb"), as Clarity files name them, so
  the two sources line up in ``by_county`` and in merges;
- ``precinctsParticipating``/``precinctsReporting`` of 0/0 (the re-exports) or null mean
  "unknown", not "no precincts"; with no precinct rows, a county is COMPLETE only when its counts
  say so, else PARTIAL once it has votes;
- **is the count final?** The export has no status field that says so: no "official" or
  "certified" flag, no certification date, and ``reportingStatuses`` is null in every real file
  (on the live site it lists each vote method's status, which third-party readers found saying
  "Not Reported" under complete totals: never read as completeness). What it does state is its own
  ``createdAt`` and the ``electionDate``. A county whose precinct counts are unknown is read as
  **complete** when the export was made at least :data:`FINAL_AFTER` after election day (all seven
  real files: 2025 re-exports of 2019–2024 elections), and the race says so in the words the
  window shows (``Contest.completeness``: "final count as read from the export's date: …");
  otherwise its ``completeness`` says what is missing (no precinct counts, nothing saying the
  count is final), so "too early" gives its reason. Counts the file does give always decide;
- a contest with no county rows at all keeps the state-level figures as one state unit;
- one odd contest never sinks a file: a contest whose own rows cannot be read (a count written
  "1,234", "" or null, a choice listed twice) is left out, and the notes and every other race's
  data warnings name it, as the Clarity, NC and NIST readers do. What concerns the whole file (a
  county or a contest id listed twice, a county's contest the file does not list) is still one
  FeedError sentence, as is a file none of whose contests can be read.

The precinct row shape is documented from third-party readers of the live site; our real files
(re-exports) have none, so the tests exercise it on an edited copy of a real file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import rule_for
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)
from tracker.feeds._json_checks import JsonChecks
from tracker.feeds.clarity import pseudo_contest_reason
from tracker.feeds.left_out import left_out_note, warn_each

__all__ = ["FINAL_AFTER", "final_reading", "parse_ga_sos_json"]

TOTAL = "Total"
_WHAT = "Georgia SOS results JSON"

#: An export made this long after election day is read as the final count where it gives no
#: precinct counts: well past Georgia's certification, weeks after election day, and a recount
#: that may follow it. A reading of the export's own dates, said as such wherever it is shown.
FINAL_AFTER = dt.timedelta(days=60)
_GEORGIA = ZoneInfo("America/New_York")


_CHECK = JsonChecks(_WHAT)
_fail, _obj, _list, _str = _CHECK.fail, _CHECK.obj, _CHECK.list, _CHECK.text
_count, _opt_count = _CHECK.count, _CHECK.opt_count


def county_name(name: str) -> str:
    """``"Cobb County"`` → ``"Cobb"`` (Clarity's spelling); other names unchanged."""
    name = " ".join(name.split())
    return name[: -len(" County")] if name.casefold().endswith(" county") and len(name) > 7 else name


def _groups(row: dict[str, Any], where: str, warnings: list[str], label: str) -> dict[str, int]:
    total = _count(row.get("voteCount"), f"voteCount of {where}")
    groups = _list(row.get("groupResults"), f"groupResults of {where}", optional=True)
    if not groups:
        return {TOTAL: total}
    out: dict[str, int] = {}
    for i, g in enumerate(groups):
        g = _obj(g, f"groupResults[{i}] of {where}")
        name = " ".join(_str(g.get("groupName"), f"groupName of groupResults[{i}] of {where}").split())
        if not name:
            _fail(f"groupResults[{i}] of {where} has an empty groupName")
        n = _count(g.get("voteCount"), f"voteCount of {name!r} in {where}")
        out[name] = out.get(name, 0) + n
    if sum(out.values()) != total:
        warnings.append(f"{label}: feed total is {total:,}, its vote types sum to {sum(out.values()):,}")
    return out


def _reporting(done: int | None, of: int | None, has_votes: bool, final: bool = False) -> Reporting:
    """``final``: the export is read as the final count (:func:`final_reading`), which decides a
    unit whose precinct counts are unknown; counts the file gives always decide."""
    if done is not None and of:
        if done >= of:
            return Reporting.COMPLETE
        if done > 0:
            return Reporting.PARTIAL
    elif final:
        return Reporting.COMPLETE
    return Reporting.PARTIAL if has_votes else Reporting.NONE


def _after(created: dt.datetime, election: dt.date) -> str:
    """When an export was made against election day, as a sentence says it."""
    days = (created.date() - election).days
    if days < 0:
        return "before election day"
    if days == 0:
        return "on election day"
    if days >= 730:
        span = f"{days // 365} years"
    elif days >= 365:
        span = "over a year"
    elif days >= 60:
        span = f"{days // 30} months"
    else:
        span = f"{days} {'day' if days == 1 else 'days'}"
    return f"{span} after election day ({election:%-d %b %Y})"


_NOT_SAID = "the export gives no precinct counts and does not say whether the count is final"


def final_reading(created: dt.datetime | None, election: dt.date | None) -> tuple[bool, str]:
    """(read as the final count, the words that say why, or what is missing) for the units whose
    precinct counts the export leaves unknown."""
    if created is None or election is None:
        missing = "its creation time" if created is None else "its election date"
        return False, f"{_NOT_SAID}, nor does it give {missing}"
    created = created.astimezone(_GEORGIA)  # the day it was made where election day was
    made = f"made {created:%-d %b %Y}, {_after(created, election)}"
    if created.date() - election >= FINAL_AFTER:
        return (
            True,
            f"final count as read from the export's date: {made}; the file itself does not say it is final",
        )
    return False, f"{_NOT_SAID}: {made}"


def _says_not_reported(status: Any) -> bool:
    """The precinct's own status says it has not reported ("Not Reported")."""
    text = status.casefold() if isinstance(status, str) else ""
    return "not" in text or "none" in text


def _precinct_reporting(status: Any, has_votes: bool) -> Reporting:
    text = status.casefold() if isinstance(status, str) else ""
    if "not" in text or "none" in text:
        return Reporting.PARTIAL if has_votes else Reporting.NONE
    if "fully" in text or "complete" in text:
        return Reporting.COMPLETE
    return Reporting.PARTIAL if has_votes else Reporting.NONE


class _ContestBuilder:
    def __init__(self, item: dict[str, Any], where: str, reading: tuple[bool, str] = (False, "")) -> None:
        #: the export's final-count reading (:func:`final_reading`), for units with unknown counts
        self.final, self.reading = reading
        #: a unit's precinct counts were unknown: the reading decided it (the race says so)
        self.unknown_counts = False
        self.id = _str(item.get("id"), f"id of {where}").strip()
        if not self.id:
            _fail(f"{where} has an empty id")
        self.name = " ".join(_str(item.get("name"), f"name of {where}").split()) or f"Contest {self.id}"
        vote_for = item.get("voteFor")
        self.vote_for = _count(vote_for, f"voteFor of {self.name!r}") if vote_for is not None else 1
        self.candidates: list[Candidate] = []
        self.reported: dict[str, int] = {}
        self.state_votes: dict[str, dict[str, int]] = {}
        self.warnings: list[str] = []
        self.units: list[ReportingUnit] = []
        self.unit_ids: set[str] = set()
        self.vote_types: dict[str, None] = {}
        options = _list(item.get("ballotOptions"), f"ballotOptions of {self.name!r}")
        order: list[tuple[int, int, Candidate]] = []
        for i, opt in enumerate(options):
            owhere = f"ballotOptions[{i}] of {self.name!r}"
            opt = _obj(opt, owhere)
            cid = _str(opt.get("id"), f"id of {owhere}").strip()
            if not cid or cid in self.reported:
                _fail(f"{owhere} has an empty or repeated id {cid!r}")
            cname = " ".join(_str(opt.get("name"), f"name of {owhere}").split()) or cid
            party = opt.get("politicalParty")
            rank = opt.get("ballotOrder")
            rank = _count(rank, f"ballotOrder of {owhere}") if rank is not None else i + 1
            order.append(
                (rank, i, Candidate(id=cid, name=cname, party=party if isinstance(party, str) else ""))
            )
            self.reported[cid] = _count(opt.get("voteCount"), f"voteCount of {cname!r} in {self.name!r}")
            self.state_votes[cid] = _groups(
                opt, f"{cname!r} in {self.name!r}", self.warnings, f"{self.name}, {cname}"
            )
        for pos, (_, _, cand) in enumerate(sorted(order, key=lambda t: (t[0], t[1]))):
            self.candidates.append(
                Candidate(id=cand.id, name=cand.name, party=cand.party, ballot_order=pos + 1)
            )
        self.names = {c.id: c.name for c in self.candidates}

    def _add_unit(self, unit: ReportingUnit) -> None:
        if unit.id in self.unit_ids:
            _fail(f"{self.name!r}: unit {unit.id!r} appears twice")
        self.unit_ids.add(unit.id)
        for by_type in unit.votes.values():
            self.vote_types.update(dict.fromkeys(by_type))
        self.units.append(unit)

    def add_county(self, county: str, item: dict[str, Any]) -> None:
        where = f"{self.name!r} in {county}"
        options = _list(item.get("ballotOptions"), f"ballotOptions of {where}")
        county_votes: dict[str, dict[str, int]] = {}
        precincts: dict[str, dict[str, Any]] = {}
        for i, opt in enumerate(options):
            opt = _obj(opt, f"ballotOptions[{i}] of {where}")
            cid = _str(opt.get("id"), f"id of ballotOptions[{i}] of {where}").strip()
            if cid not in self.names:
                _fail(f"{where}: candidate id {cid!r} is not among the contest's ballot options")
            label = f"{self.name}, {county}, {self.names[cid]}"
            county_votes[cid] = _groups(opt, f"{self.names[cid]!r} in {where}", self.warnings, label)
            for j, row in enumerate(
                _list(opt.get("precinctResults"), f"precinctResults of {where}", optional=True)
            ):
                pwhere = f"precinctResults[{j}] of {self.names[cid]!r} in {where}"
                row = _obj(row, pwhere)
                pid = _str(row.get("id"), f"id of {pwhere}").strip()
                if not pid:
                    _fail(f"{pwhere} has an empty id")
                entry = precincts.setdefault(
                    pid, {"name": row.get("name"), "status": row.get("reportingStatus"), "votes": {}}
                )
                if cid in entry["votes"]:
                    _fail(f"{where}: precinct {pid!r} is listed twice for {self.names[cid]!r}")
                entry["votes"][cid] = _groups(row, pwhere, self.warnings, f"{label}, precinct {pid}")
        done = _opt_count(item.get("precinctsReporting"), f"precinctsReporting of {where}")
        of = _opt_count(item.get("precinctsParticipating"), f"precinctsParticipating of {where}")
        if done is not None and of and done > of:
            _fail(f"{where}: {done} precincts reporting of {of}")
        if precincts:
            for pid, entry in precincts.items():
                votes = entry["votes"]
                has = any(any(v.values()) for v in votes.values())
                name = entry["name"] if isinstance(entry["name"], str) and entry["name"].strip() else pid
                reporting = _precinct_reporting(entry["status"], has)
                if reporting is Reporting.NONE and _says_not_reported(entry["status"]):
                    # Its zeros are the page's placeholders, not a count: no vote type is in yet
                    # (a reported zero would make the precinct look finished, the night final).
                    votes = {cid: {} for cid in votes}
                self._add_unit(
                    ReportingUnit(
                        id=f"{county}/{pid}",
                        name=" ".join(name.split()),
                        kind=UnitKind.PRECINCT,
                        county=county,
                        reporting=reporting,
                        votes=votes,
                    )
                )
            return
        has = any(any(v.values()) for v in county_votes.values())
        self.unknown_counts |= not of
        self._add_unit(
            ReportingUnit(
                id=county,
                name=county,
                kind=UnitKind.COUNTY,
                county=county,
                reporting=_reporting(done, of, has, self.final),
                votes=county_votes,
                precincts_reporting=done if of else None,
                precincts_total=of or None,
            )
        )

    def build(self, state_name: str, state_item: dict[str, Any], election_name: str = "") -> Contest:
        if not self.units:
            done = _opt_count(state_item.get("precinctsReporting"), f"precinctsReporting of {self.name!r}")
            of = _opt_count(
                state_item.get("precinctsParticipating"), f"precinctsParticipating of {self.name!r}"
            )
            has = any(self.reported.values())
            self.unknown_counts |= not of
            self._add_unit(
                ReportingUnit(
                    id=state_name or "state",
                    name=state_name or "State",
                    kind=UnitKind.STATE,
                    reporting=_reporting(done, of, has, self.final),
                    votes=self.state_votes,
                    precincts_reporting=done if of else None,
                    precincts_total=of or None,
                )
            )
        return Contest(
            id=self.id,
            name=self.name,
            candidates=tuple(self.candidates),
            units=tuple(self.units),
            vote_for=self.vote_for or 1,
            # Georgia's results site states no threshold field: Georgia's rows of the table.
            threshold=rule_for(
                "GA",
                election_name,
                self.name,
                vote_for=self.vote_for or 1,
                choices=[c.name for c in self.candidates],
            ),
            vote_types=tuple(VoteType.from_name(v) for v in self.vote_types),
            reported_totals=dict(self.reported),
            feed_warnings=tuple(self.warnings),
            completeness=self.reading if self.unknown_counts else "",
        )


def _created(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python 3.11 reads at most 6 fractional digits; the site writes 7 ("14:59:44.9805991Z").
    text = re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def parse_ga_sos_json(data: bytes, *, source: str = "") -> Snapshot:
    """Parse one Georgia SOS results export (see the module docstring); FeedError, with one
    sentence, for anything malformed."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"{_WHAT} must be bytes, not {type(data).__name__}")
    try:
        doc = json.loads(data)
    except RecursionError:
        _fail("the document is nested too deeply")
    except UnicodeDecodeError as exc:
        _fail(f"not valid UTF-8 text ({exc.reason})")
    except ValueError as exc:
        _fail(f"not valid JSON ({exc})")
    doc = _obj(doc, "the document")
    results = _obj(doc.get("results"), "'results'")
    name = " ".join(_str(doc.get("electionName", ""), "electionName").split())
    raw_date = doc.get("electionDate")
    date: dt.date | None = None
    if raw_date is not None:
        try:
            date = dt.date.fromisoformat(_str(raw_date, "electionDate"))
        except ValueError:
            _fail(f"electionDate {raw_date!r} is not a YYYY-MM-DD date")
    created = doc.get("createdAt")
    version = created.strip() if isinstance(created, str) else ""
    label = doc.get("x-tracker-reconstructed")  # our writer's mark on a reconstructed night (serve)
    election = Election(
        id=f"ga-sos-{date.isoformat()}" if date else "ga-sos",
        name=name or "Georgia election",
        date=date,
        source=source,
        reconstructed=isinstance(label, str) and bool(label),
        note=label if isinstance(label, str) else "",
        state="GA",  # Georgia's own results site
    )
    # Nothing in the export says the count is final; its own dates are read (the module docstring).
    reading = final_reading(_created(created), date)
    state_name = " ".join(str(results.get("name") or "").split())
    items = _list(results.get("ballotItems"), "results.ballotItems")
    builders: dict[str, tuple[_ContestBuilder, dict[str, Any]]] = {}
    notes: list[str] = []
    skipped: set[str] = set()
    #: contest id → why it is left out (its own rows cannot be read), in file order
    broken: dict[str, str] = {}
    for i, item in enumerate(items):
        item = _obj(item, f"results.ballotItems[{i}]")
        reason = _pseudo(item)
        if reason:  # a statistics row, not a race: set aside, the rest of the file opens
            notes.append(reason)
            skipped.add(str(item.get("id") or "").strip())
            continue
        try:
            b = _ContestBuilder(item, f"results.ballotItems[{i}]", reading)
        except FeedError as exc:
            cid = str(item.get("id") or "").strip()
            if not cid:
                raise
            if cid in broken or cid in builders:
                _fail(f"contest id {cid!r} appears twice in results.ballotItems")
            broken[cid] = _why(exc)
            continue
        if b.id in builders or b.id in broken:
            _fail(f"contest id {b.id!r} appears twice in results.ballotItems")
        builders[b.id] = (b, item)
    seen_counties: set[str] = set()
    for i, local in enumerate(_list(doc.get("localResults"), "localResults", optional=True)):
        local = _obj(local, f"localResults[{i}]")
        county = county_name(_str(local.get("name"), f"name of localResults[{i}]"))
        if not county:
            _fail(f"localResults[{i}] has no name")
        if county in seen_counties:
            _fail(f"county {county!r} appears twice in localResults")
        seen_counties.add(county)
        for j, item in enumerate(_list(local.get("ballotItems"), f"ballotItems of {county}")):
            item = _obj(item, f"ballotItems[{j}] of {county}")
            cid = _str(item.get("id"), f"id of ballotItems[{j}] of {county}").strip()
            if (cid in skipped and cid not in builders) or cid in broken:
                continue
            if cid not in builders:
                _fail(f"{county} reports contest {cid!r}, which results.ballotItems does not list")
            try:
                builders[cid][0].add_county(county, item)
            except FeedError as exc:
                broken[cid] = _why(exc)
    contests: list[Contest] = []
    for cid, (b, item) in builders.items():
        if cid in broken:
            continue
        try:
            contests.append(b.build(state_name, item, name))
        except FeedError as exc:
            broken[cid] = _why(exc)
    if broken:
        if not contests:
            _fail(next(iter(broken.values())))
        note = left_out_note(broken.values())
        notes.append(note)
        contests = warn_each(contests, note)
    return Snapshot(
        election=election,
        contests=tuple(contests),
        version=version,
        published_at=_created(created),
        notes=tuple(notes),
    )


def _why(exc: FeedError) -> str:
    """A contest's own error, without the format's name (the note that lists it says it once)."""
    return str(exc).removeprefix(f"{_WHAT}: ")


def _pseudo(item: dict[str, Any]) -> str:
    """Why a ballot item is not a race (registered voters, ballots cast, voteFor 0, no options),
    in the Clarity parsers' words; "" for a race."""
    name = " ".join(str(item.get("name") or "").split())
    vote_for = item.get("voteFor")
    vote_for = vote_for if isinstance(vote_for, int) and not isinstance(vote_for, bool) else None
    options = item.get("ballotOptions")
    return pseudo_contest_reason(name, vote_for, len(options) if isinstance(options, list) else 0)
