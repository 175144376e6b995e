"""Enhanced Voting results API (``…/results/public/api/elections/{jurisdiction}/{election}/data``)
→ Snapshot.

Enhanced Voting runs the results sites of Georgia (``results.sos.ga.gov``, since 2024), Virginia,
Washington, Utah and a number of counties (``app.enhancedvoting.com``). Each site's page calls a
public JSON API; its ``/data`` document holds the whole election. The shape, as third-party readers
of the live sites document it (no payload of it is public to copy; our fixtures are **constructed**
and labelled so)::

    {"election": {"id", "name": [{"languageId": "en", "text": "…"}], "electionDate",
                  "isOfficialResults", "asOf", "lastUpdated", "countGroups": [...]},
     "jurisdiction": {"name": "Georgia", ...},                     (optional)
     "ballotItems": [{"id", "name": [...], "contestType": "Candidate", "partyName",
                      "voteFor": 1 | [{"text": "Vote for 1"}], "voteTotal",
                      "reportingStatus": {"reportingUnits", "totalUnits"} | null,
                      "summaryResults": {"ballotOptions": [
                          {"id", "name": [...], "voteCount", "party": {"abbreviation"} | null,
                           "isWinner": true | null, "isWriteIn",
                           "groupResults": [{"groupName": [...] | "…", "voteCount"}] | null,
                           "precinctResults": [{"id", "name", "voteCount", "groupResults",
                                                "reportingStatus"}] | null}]}}]}

How it maps:

- one Contest per ballot item, its candidates the ballot options in order; texts given as
  language lists take the English one (else the first);
- units: one precinct unit per ``precinctResults`` row when the options carry them, else one unit
  for the whole jurisdiction (a county unit for a county's site, a state unit otherwise) with the
  item's ``reportingStatus`` as its precinct counts;
- vote types are the vote-method groups (``groupResults``: "Election Day", "Advance Voting",
  "Absentee by Mail", "Provisional"); a row whose groups are ``null`` or empty has one vote type,
  "Total"; votes its groups do not account for become "Not by vote method", so every row's total
  is the site's ``voteCount`` exactly (groups that add up to more are a feed warning, and the row
  keeps its total only);
- the options' ``voteCount`` is the contest's ``reported_totals`` (precinct rows are checked
  against it); ``isWinner: true`` is the site's own call, shown as the site's
  (``Contest.called_by``);
- ``election.isOfficialResults: true`` — the site states its results are official — makes every
  unit complete, and the race says so ("final count as the site states it (official results)",
  ``Contest.completeness``); false or missing leaves each unit to its own counts;
- the version is ``election.lastUpdated`` (else ``asOf``), which is also ``published_at``: an
  answer whose ``lastUpdated`` is older than one already seen is a stale cache, never shown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import STATE_CODES as _STATE_CODES
from tracker.core.jurisdiction import election_kind, rule_for, state_from
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
from tracker.core.threshold import ThresholdRule
from tracker.feeds._json_checks import JsonChecks
from tracker.feeds.clarity import pseudo_contest_reason

RuleOf = Callable[[str, int, list[str], Any], ThresholdRule]

__all__ = ["UNSPLIT", "parse_enhanced_voting", "text_of"]

TOTAL = "Total"
UNSPLIT = "Not by vote method"
_WHAT = "Enhanced Voting results JSON"


_CHECK = JsonChecks(_WHAT, integral_floats=True)
_fail, _obj, _count, _opt_count = _CHECK.fail, _CHECK.obj, _CHECK.count, _CHECK.opt_count


def _list(value: Any, where: str) -> list[Any]:
    """A list, null being an empty one (the API writes null for "none")."""
    return _CHECK.list(value, where, optional=True)


def text_of(value: Any) -> str:
    """A text the API gives either plain or as ``[{"languageId": "en", "text": "…"}]``: the
    English one, else the first; "" when there is none."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        texts = [v for v in value if isinstance(v, dict) and isinstance(v.get("text"), str)]
        english = [v for v in texts if str(v.get("languageId", "")).lower().startswith("en")]
        chosen = (english or texts)[:1]
        return " ".join(chosen[0]["text"].split()) if chosen else ""
    return ""


def _id(value: Any, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        _fail(f"{where} has no id")
    return value.strip()


def _vote_for(value: Any, where: str) -> int:
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, value)
    match = re.search(r"\d+", text_of(value))
    if match and len(match.group()) > 6:
        _fail(f"the vote-for of {where} is not a sensible number")
    return max(1, int(match.group())) if match else 1


def _groups(row: dict[str, Any], where: str, warnings: list[str]) -> dict[str, int]:
    """One row's votes by vote method, summing to its ``voteCount`` (see the module docstring)."""
    total = _count(row.get("voteCount", 0), f"voteCount of {where}")
    out: dict[str, int] = {}
    for i, g in enumerate(_list(row.get("groupResults"), f"groupResults of {where}")):
        g = _obj(g, f"groupResults[{i}] of {where}")
        name = text_of(g.get("groupName"))
        if not name:
            _fail(f"groupResults[{i}] of {where} has no groupName")
        n = g.get("voteCount")
        if n is None:
            continue  # not reported for this method yet
        out[name] = out.get(name, 0) + _count(n, f"voteCount of {name!r} in {where}")
    if not out:
        return {TOTAL: total}
    rest = total - sum(out.values())
    if rest > 0:
        out[UNSPLIT] = rest
    elif rest < 0:
        warnings.append(f"{where}: its vote methods add up to {sum(out.values()):,}, more than its {total:,}")
        return {TOTAL: total}
    return out


def _state_of(area: str, source: str) -> str:
    """The two-letter state of a site ("Georgia"; a county site "Cass County MI"; else what the
    address says), for the jurisdiction table's rule; "" when nothing says."""
    text = " ".join(area.split()).casefold()
    if text in _STATE_CODES:
        return _STATE_CODES[text]
    tail = area.split()[-1].upper() if area.split() else ""
    if len(tail) == 2 and tail in _STATE_CODES.values():
        return tail
    return state_from(area, source)


def _precinct_reporting(status: Any, has_votes: bool) -> Reporting:
    text = text_of(status).casefold() if not isinstance(status, bool) else ""
    if status is True or "fully" in text or "complete" in text or text == "reported":
        return Reporting.COMPLETE
    if "partial" in text:
        return Reporting.PARTIAL
    return Reporting.PARTIAL if has_votes else Reporting.NONE


def _reporting(done: int | None, of: int | None, has_votes: bool) -> Reporting:
    if done is not None and of and done >= of:
        return Reporting.COMPLETE
    return Reporting.PARTIAL if has_votes or (done or 0) > 0 else Reporting.NONE


def _item(
    item: dict[str, Any], where: str, area: str, area_kind: UnitKind, publisher: str, rule_of: RuleOf
) -> Contest | None:
    cid = _id(item.get("id"), where)
    name = text_of(item.get("name")) or f"Contest {cid}"
    summary = item.get("summaryResults")
    summary = {} if summary is None else _obj(summary, f"summaryResults of {name!r}")
    options = _list(summary.get("ballotOptions"), f"ballotOptions of {name!r}")
    warnings: list[str] = []
    candidates: list[Candidate] = []
    reported: dict[str, int] = {}
    area_votes: dict[str, dict[str, int]] = {}
    precincts: dict[str, dict[str, Any]] = {}
    winners: list[str] = []
    for i, opt in enumerate(options):
        owhere = f"ballotOptions[{i}] of {name!r}"
        opt = _obj(opt, owhere)
        oid = _id(opt.get("id"), owhere)
        if oid in reported:
            _fail(f"{name!r} lists ballot option {oid!r} twice")
        oname = text_of(opt.get("name")) or oid
        party = opt.get("party")
        party = text_of(party.get("abbreviation")) if isinstance(party, dict) else text_of(party)
        candidates.append(Candidate(id=oid, name=oname, party=party, ballot_order=i + 1))
        label = f"{name}, {oname}"
        reported[oid] = _count(opt.get("voteCount", 0), f"voteCount of {oname!r} in {name!r}")
        area_votes[oid] = _groups(opt, label, warnings)
        if opt.get("isWinner") is True:
            winners.append(oid)
        for j, row in enumerate(_list(opt.get("precinctResults"), f"precinctResults of {label!r}")):
            pwhere = f"precinctResults[{j}] of {label!r}"
            row = _obj(row, pwhere)
            pid = _id(row.get("id"), pwhere)
            entry = precincts.setdefault(
                pid,
                {"name": text_of(row.get("name")) or pid, "status": row.get("reportingStatus"), "votes": {}},
            )
            if oid in entry["votes"]:
                _fail(f"{name!r}: precinct {pid!r} is listed twice for {oname!r}")
            entry["votes"][oid] = _groups(row, f"{label}, precinct {entry['name']}", warnings)
    if not candidates:
        return None  # an item with nothing to show (a heading, a measure not yet set up)
    status = item.get("reportingStatus")
    status = {} if status is None else _obj(status, f"reportingStatus of {name!r}")
    done = _opt_count(status.get("reportingUnits"), f"reportingUnits of {name!r}")
    of = _opt_count(status.get("totalUnits"), f"totalUnits of {name!r}")
    if done is not None and of is not None and done > of:
        _fail(f"{name!r}: {done} units reporting of {of}")
    units: list[ReportingUnit]
    county = area if area_kind is UnitKind.COUNTY else None
    if precincts:
        units = []
        for pid, entry in precincts.items():
            votes = entry["votes"]
            has = any(any(v.values()) for v in votes.values())
            reporting = _precinct_reporting(entry["status"], has)
            if reporting is Reporting.NONE and "not" in text_of(entry["status"]).casefold():
                # "Not Reported": its zeros are placeholders, not a count; no vote type is in yet
                # (a reported zero would make the precinct look finished, the night final).
                votes = {oid: {} for oid in votes}
            units.append(
                ReportingUnit(
                    id=f"{area}/{pid}" if area else pid,
                    name=entry["name"],
                    kind=UnitKind.PRECINCT,
                    county=county,
                    reporting=reporting,
                    votes=votes,
                )
            )
    else:
        has = any(any(v.values()) for v in area_votes.values())
        units = [
            ReportingUnit(
                id=area or "all",
                name=area or "All",
                kind=area_kind,
                county=county,
                reporting=_reporting(done, of, has),
                votes=area_votes,
                precincts_reporting=done if of else None,
                precincts_total=of or None,
            )
        ]
    seen: dict[str, None] = {}
    for unit in units:
        for by_type in unit.votes.values():
            seen.update(dict.fromkeys(by_type))
    vote_for = _vote_for(item.get("voteFor"), name)
    return Contest(
        id=cid,
        name=name,
        candidates=tuple(candidates),
        units=tuple(units),
        vote_for=vote_for,
        # The site states no threshold: the jurisdiction table's rule for the state, the kind of
        # election and the office (Georgia's majority, Virginia's plurality …).
        threshold=rule_of(name, vote_for, [c.name for c in candidates], item.get("contestType")),
        vote_types=tuple(VoteType.from_name(t) for t in seen),
        reported_totals=reported,
        reported_precincts=(done, of) if done is not None and of is not None else None,
        feed_warnings=tuple(warnings),
        winners=tuple(winners),
        called_by=publisher if winners else "",
    )


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_enhanced_voting(data: bytes, *, source: str = "") -> Snapshot:
    """Parse one Enhanced Voting ``/data`` document (see the module docstring); FeedError, with
    one sentence, for anything malformed."""
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
    election = doc.get("election")
    election = {} if election is None else _obj(election, "'election'")
    jurisdiction = doc.get("jurisdiction")
    area = text_of(jurisdiction.get("name")) if isinstance(jurisdiction, dict) else ""
    if not area:
        area = _area_from(source)
    area_kind = UnitKind.COUNTY if re.search(r"\b(county|parish|city of)\b", area, re.I) else UnitKind.STATE
    area_name = re.sub(r"(?i)\s+county$", "", area) if area_kind is UnitKind.COUNTY else area
    publisher = f"{area} results site" if area else "the results site"
    state, kind = _state_of(area, source), election_kind(text_of(election.get("name")))

    def rule_of(office: str, vote_for: int, choices: list[str], contest_type: Any) -> ThresholdRule:
        question = isinstance(contest_type, str) and bool(
            re.search(r"question|measure|referend", contest_type, re.I)
        )
        return rule_for(state, kind, office, vote_for=vote_for, choices=choices, measure=question or None)

    items = _list(doc.get("ballotItems"), "ballotItems")
    if "ballotItems" not in doc:
        _fail("expected a JSON object with 'ballotItems' (the API's …/data document)")
    contests: list[Contest] = []
    ids: set[str] = set()
    notes: list[str] = []
    for i, item in enumerate(items):
        item = _obj(item, f"ballotItems[{i}]")
        reason = _pseudo(item)
        if reason:  # a statistics row, not a race: set aside, the rest of the file opens
            notes.append(reason)
            continue
        contest = _item(item, f"ballotItems[{i}]", area_name, area_kind, publisher, rule_of)
        if contest is None:
            continue
        if contest.id in ids:
            _fail(f"ballot item {contest.id!r} appears twice")
        ids.add(contest.id)
        contests.append(contest)
    if election.get("isOfficialResults") is True:
        contests = [_official(c) for c in contests]
    updated = election.get("lastUpdated") or election.get("asOf")
    published = _when(updated)
    date = _date(election.get("electionDate"))
    eid = election.get("id")
    eid = eid.strip() if isinstance(eid, str) and eid.strip() else (date.isoformat() if date else "undated")
    name = text_of(election.get("name")) or "Election results"
    label = doc.get("x-tracker-reconstructed")  # our writer's mark on a reconstructed night (serve)
    return Snapshot(
        election=Election(
            id=f"ev-{eid}",
            name=f"{area}: {name}" if area and area.casefold() not in name.casefold() else name,
            date=date,
            source=source,
            reconstructed=isinstance(label, str) and bool(label),
            note=label if isinstance(label, str) else "",
            state=_state_of(area, source),
        ),
        contests=tuple(contests),
        version=updated.strip() if isinstance(updated, str) else "",
        published_at=published,
        notes=tuple(notes),
    )


#: What the window says of a race whose site states its results are official.
OFFICIAL = "final count as the site states it (official results)"


def _official(contest: Contest) -> Contest:
    """The site says its results are official (``election.isOfficialResults``): the count is
    the final one, every unit complete, whatever its reporting counts or the vote methods'
    statuses say (third-party readers found those "Not Reported" under complete totals)."""
    units = tuple(
        u if u.reporting is Reporting.COMPLETE else replace(u, reporting=Reporting.COMPLETE)
        for u in contest.units
    )
    return replace(contest, units=units, completeness=OFFICIAL)


def _pseudo(item: dict[str, Any]) -> str:
    """Why a ballot item is not a race (registered voters, ballots cast, voteFor 0), in the
    Clarity parsers' words; "" for a race. An item without options is left to ``_item``, which
    skips headings quietly."""
    raw = item.get("voteFor")
    vote_for: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        vote_for = raw
    elif raw is not None:  # "Vote for 0", as the API writes it in text
        match = re.search(r"\d{1,6}", text_of(raw))
        vote_for = int(match.group()) if match else None
    summary = item.get("summaryResults")
    options = summary.get("ballotOptions") if isinstance(summary, dict) else None
    n = len(options) if isinstance(options, list) else 0
    return pseudo_contest_reason(text_of(item.get("name")), vote_for, max(n, 1))


_API_PATH = re.compile(r"/results/public/api/elections/([^/?#]+)/([^/?#]+)")


def _area_from(source: str) -> str:
    """The jurisdiction named by an API URL ("georgia", "cass-county-mi" → "Georgia",
    "Cass County MI"), for documents that do not name it themselves."""
    match = _API_PATH.search(source or "")
    if not match:
        return ""
    slug = match.group(1)
    words = [w for w in re.split(r"[-_]+", slug) if w]
    return " ".join(
        w.upper() if len(w) == 2 and i == len(words) - 1 and len(words) > 1 else w.capitalize()
        for i, w in enumerate(words)
    )
