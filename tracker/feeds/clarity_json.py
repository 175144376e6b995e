"""Clarity (Scytl ENR) JSON files: ``summary.json``, ``ALL.json``, ``electionsettings.json`` and
``current_ver.txt``.

A Clarity site lives at ``/{ST}/{electionId}/`` (a county's at ``/{ST}/{County}/{electionId}/``).
``current_ver.txt`` names the newest version; each version's files sit under ``/{ver}/``. What the
keys mean was learned from the real payloads in ../shared/data (GA's 3 Nov 2020 general, election
105369; GA's 5 Jan 2021 runoff, election 107556) and from washingtonpost/elex-clarity and
openelections/clarify, which read the same files.

``json/en/summary.json`` — a JSON array, one object per contest::

    {"K": "5000",                    contest key (the detail XML's Contest@key)
     "C": "President of the United States",
     "VF": 1,                        vote for
     "CH": ["Donald J. Trump (I) (Rep)", ...],   choices, ballot order
     "P":  ["NP", ...],              a party code per choice ("NP": none given)
     "V":  [2457910, ...],           votes per choice (whole contest)
     "PCT": [...], "W": [...],       shares and winner flags (ignored: we compute our own)
     "TP": 159, "PR": 158,           reporting areas in the contest / fully reported: on a state
                                     site these are COUNTIES, on a county site precincts
     "CAT", "CATKEY", "BC", "TV", "RC", "RO", "AggID", "CHAggId", "CRC", "CRO", ... (ignored)}

  → one Contest per object with a single state-level unit (kind ``state``, vote type "Total") and
  the areas reporting/total as that unit's precinct counts. Choices have no ids in this file, so a
  candidate's id is its 1-based ballot position ("1", "2", ...), stable across versions.

``json/ALL.json`` — ``{"Contests": [{"A": "Appling", "C": ["10000", ...], "V": [[5683, 1598],
...]}, ...]}``: per area (county on a state site) the votes of every choice of every contest, in
the same choice order as the detail XML. The row ``"A": "-1"`` is the whole election's total; it
is not a unit, it becomes ``Contest.reported_totals`` (checked against the counties' sum). There are
no names and no precinct counts in it: pass ``names_from=`` a Snapshot of the same election (its
detail XML) to name contests and candidates; without one, ids stand in for names and the
election note says so. County units are PARTIAL once they have votes, never COMPLETE (the file
cannot say).

``electionsettings.json`` — not results: ``parse_electionsettings`` returns a ``ClaritySettings``
(versions published so far, the counties' own sub-sites with their current versions,
precincts reporting statewide, test mode). ``current_ver.txt`` — ``parse_current_ver`` returns
the version string.

When a version directory is not there yet, or is gone, Clarity answers with an HTML "404 The
requested page was not found" page (the ALL.json recording holds 18 of them, all 2,616 bytes,
each within seconds of a ``current_ver`` change or a stale cache): every parser here raises a
FeedError saying so, never a Snapshot with zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

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
    VoteType,
)
from tracker.core.threshold import ThresholdRule
from tracker.feeds._json_checks import short as _short
from tracker.feeds.clarity import RuleOf, parse_timestamp, pseudo_contest_reason
from tracker.feeds.left_out import left_out_note, warn_each

__all__ = [
    "ClarityCounty",
    "ClaritySettings",
    "clarity_location",
    "parse_all_json",
    "parse_current_ver",
    "parse_electionsettings",
    "parse_summary_json",
]

TOTAL = "Total"
#: The ALL.json row that carries the whole election's totals.
ALL_TOTAL_ROW = "-1"
_VERSION_RE = re.compile(r"[0-9]{1,12}")
_URL_RE = re.compile(r"/([A-Za-z]{2})/(?:([^/]+)/)?([0-9]{3,9})/([0-9]{1,12})/(?:json|reports)/", re.I)
_MAX_DEPTH_ERROR = "the document is nested too deeply"


def _fail(what: str, message: str) -> NoReturn:
    # one line, whatever the feed put in the names a message quotes (the fuzzer found a "\n")
    raise FeedError(" ".join(f"Clarity {what}: {message}".split()))


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _html_error(what: str, data: bytes) -> NoReturn:
    status = re.search(rb'id="statusCode">\s*([0-9]{3})', data[:65536])
    code = f" ({status.group(1).decode()})" if status else ""
    raise FeedError(
        f"this is an HTML error page{code} from the Clarity server, not {what}: the version is "
        "not published yet or no longer there; poll current_ver.txt and try again"
    )


def _load_json(data: bytes, what: str) -> Any:
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"Clarity {what} must be bytes, not {type(data).__name__}")
    if _looks_like_html(data):
        _html_error(what, data)
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except RecursionError:
        _fail(what, _MAX_DEPTH_ERROR)
    except UnicodeDecodeError as exc:
        _fail(what, f"not valid UTF-8 text ({exc.reason})")
    except ValueError as exc:
        _fail(what, f"not valid JSON ({exc})")


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _count(value: Any, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(what, f"{where} is {_short(value)}, not a whole number")
    if value < 0:
        _fail(what, f"{where} is negative ({value})")
    return value


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str):
        _fail(what, f"{where} is {_short(value)}, not text")
    return value


def clarity_location(source: str) -> tuple[str, str, str, str] | None:
    """``(state, county or "", election id, version)`` from a Clarity URL such as
    ``https://results.enr.clarityelections.com/GA/107556/274465/json/ALL.json``; None when
    ``source`` is not one."""
    m = _URL_RE.search(source)
    if not m:
        return None
    return m.group(1).upper(), m.group(2) or "", m.group(3), m.group(4)


def _election(source: str, note: str = "") -> tuple[Election, str]:
    loc = clarity_location(source)
    if loc is None:
        return Election(id="clarity", name="Clarity election", source=source, note=note), ""
    state, county, eid, version = loc
    where = f"{state} {county.replace('_', ' ')}".strip()
    return (
        Election(
            id=f"clarity-{state.lower()}-{eid}",
            name=f"{where} election {eid} (Clarity)",
            source=source,
            note=note,
            state=state_from(state, source),
        ),
        version,
    )


def _races_id(keys: Mapping[str, object]) -> str:
    """An election id for an ALL.json read without its URL (a night imported from files): from its
    races' keys, which one election keeps all night. Why: every such file was election "clarity",
    so the pins and rule overrides the window keeps by election id carried from one night to
    another whose races share a key ("10000" is a key in many Clarity elections)."""
    # a key is feed text: a lone surrogate (a hostile or broken file) must not stop the parse
    raw = "|".join(sorted(keys)).encode("utf-8", "surrogatepass")
    digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    return f"clarity-races-{digest[:10]}"


# --- current_ver.txt --------------------------------------------------------------------------


def parse_current_ver(data: bytes) -> str:
    """The version id in a Clarity ``current_ver.txt`` (``b"271066"`` → ``"271066"``); FeedError
    for anything but 1–12 ASCII digits (surrounding whitespace allowed)."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"Clarity current_ver.txt must be bytes, not {type(data).__name__}")
    if _looks_like_html(data):
        _html_error("current_ver.txt", data)
    text = data.strip(b" \t\r\n\xef\xbb\xbf")
    if len(text) > 12 or not _VERSION_RE.fullmatch(text.decode("ascii", "replace")):
        raise FeedError(
            f"Clarity current_ver.txt should hold a version number, got {data[:40]!r}"
            if data.strip()
            else "Clarity current_ver.txt is empty"
        )
    return text.decode("ascii")


# --- electionsettings.json --------------------------------------------------------------------


@dataclass(frozen=True)
class ClarityCounty:
    """One county's own Clarity sub-site, as a state site's electionsettings.json lists it
    (``"Appling|105371|271560|11/16/2020 3:48:35 PM EST|16"``)."""

    #: The county's name as people write it ("Ben Hill").
    name: str
    election_id: str
    #: The county site's current version (its own ``current_ver``).
    version: str
    #: The county's last update as the feed writes it, and as an aware datetime when readable.
    updated: str
    updated_at: dt.datetime | None
    #: The fifth field, undocumented (16 for every GA county in 2020); kept raw.
    code: str
    #: The name as the site's URL spells it ("Ben_Hill").
    site: str = ""

    def base_path(self, state: str) -> str:
        """The county site's path on the Clarity host, ``/{ST}/{site}/{election id}/``
        (``current_ver.txt`` and the version folders live under it)."""
        return f"/{state}/{self.site or self.name.replace(' ', '_')}/{self.election_id}/"


@dataclass(frozen=True)
class ClaritySettings:
    """What a Clarity ``electionsettings.json`` says about an election (no results in it)."""

    election_id: str
    name: str
    date: dt.date | None
    #: The site's state (``entityname``, e.g. "GA"), "" when absent.
    state: str
    #: Every version published so far, oldest first (as the feed lists them).
    versions: tuple[str, ...]
    counties: tuple[ClarityCounty, ...]
    website_updated: str
    website_updated_at: dt.datetime | None
    precincts_reporting: int | None
    precincts_participating: int | None
    precincts_partially_reporting: int | None
    #: The site's own test-mode switch (``electiondetails.istestmode``).
    test: bool
    #: ``settings.runoffthreshold`` / ``winnerthreshold`` / ``recountthreshold`` as given. GA's
    #: majority-rule elections carry ``runoffthreshold: 1``, so the value is a switch, not a
    #: percentage; ``threshold`` is set only when a value can only be a share (0 < x < 1) or a
    #: percentage (1 < x < 100).
    runoff_threshold: float | None
    winner_threshold: float | None
    recount_threshold: float | None
    threshold: ThresholdRule | None


def _opt_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _opt_count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _us_date(text: str) -> dt.date | None:
    m = re.fullmatch(r"\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s*", text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def parse_electionsettings(data: bytes, *, source: str = "") -> ClaritySettings:
    """Parse a Clarity ``electionsettings.json`` into a ``ClaritySettings``; FeedError for
    anything that is not one."""
    what = "electionsettings.json"
    doc = _load_json(data, what)
    if not isinstance(doc, dict) or "settings" not in doc or "versions" not in doc:
        _fail(what, "expected a JSON object with 'settings' and 'versions'")
    settings = doc["settings"]
    if not isinstance(settings, dict):
        _fail(what, "'settings' is not an object")
    details = settings.get("electiondetails") or {}
    if not isinstance(details, dict):
        _fail(what, "'settings.electiondetails' is not an object")
    raw_versions = doc["versions"]
    if not isinstance(raw_versions, list):
        _fail(what, "'versions' is not a list")
    versions: list[str] = []
    for i, v in enumerate(raw_versions):
        text = str(v) if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else v
        if not isinstance(text, str) or not _VERSION_RE.fullmatch(text):
            _fail(what, f"versions[{i}] is {_short(v)}, not a version number")
        versions.append(text)
    counties: list[ClarityCounty] = []
    raw_counties = details.get("participatingcounties") or []
    if not isinstance(raw_counties, list):
        _fail(what, "'participatingcounties' is not a list")
    for i, row in enumerate(raw_counties):
        row = _text(row, what, f"participatingcounties[{i}]")
        parts = row.split("|")
        if len(parts) < 4 or not parts[0].strip():
            _fail(what, f"participatingcounties[{i}] is {row[:60]!r}, not name|id|version|updated")
        name, eid, ver, updated = (p.strip() for p in parts[:4])
        if not _VERSION_RE.fullmatch(eid) or not _VERSION_RE.fullmatch(ver):
            _fail(what, f"participatingcounties[{i}] ({name!r}) has a non-numeric election id or version")
        counties.append(
            ClarityCounty(
                name=" ".join(name.replace("_", " ").split()),
                site=name,
                election_id=eid,
                version=ver,
                updated=updated,
                updated_at=parse_timestamp(updated),
                code="|".join(parts[4:]),
            )
        )
    eid = details.get("electionid")
    eid = str(eid) if isinstance(eid, (str, int)) and not isinstance(eid, bool) else ""
    name = details.get("internalname")
    website = doc.get("websiteupdatedat")
    website = website if isinstance(website, str) else ""
    runoff = _opt_number(settings.get("runoffthreshold"))
    threshold: ThresholdRule | None = None
    if runoff is not None and (0 < runoff < 1 or 1 < runoff < 100):
        share = runoff if runoff < 1 else runoff / 100
        threshold = ThresholdRule.majority() if share == 0.5 else ThresholdRule("share", share)
    date_text = details.get("electiondate")
    state = doc.get("entityname")
    return ClaritySettings(
        election_id=eid,
        state=state.strip() if isinstance(state, str) and state.strip().isalpha() else "",
        name=name.strip() if isinstance(name, str) else "",
        date=_us_date(date_text) if isinstance(date_text, str) else None,
        versions=tuple(versions),
        counties=tuple(counties),
        website_updated=website,
        website_updated_at=parse_timestamp(website) if website else None,
        precincts_reporting=_opt_count(doc.get("stateprecinctsreporting")),
        precincts_participating=_opt_count(doc.get("stateprecinctsparticipating")),
        precincts_partially_reporting=_opt_count(doc.get("stateprecinctspartiallyreporting")),
        test=details.get("istestmode") is True,
        runoff_threshold=runoff,
        winner_threshold=_opt_number(settings.get("winnerthreshold")),
        recount_threshold=_opt_number(settings.get("recountthreshold")),
        threshold=threshold,
    )


# --- summary.json -----------------------------------------------------------------------------


def _reporting(done: int | None, total: int | None, has_votes: bool) -> Reporting:
    if done is not None and total is not None and total > 0 and done >= total:
        return Reporting.COMPLETE
    if (done or 0) > 0 or has_votes:
        return Reporting.PARTIAL
    return Reporting.NONE


def stated_rule(settings: ClaritySettings | None) -> ThresholdRule | None:
    """The rule the site's ``electionsettings.json`` states (its runoff threshold, when the value
    can only be a share), marked as the feed's."""
    if settings is None or settings.threshold is None:
        return None
    return settings.threshold.with_source(
        "feed", f"electionsettings.json: runoffthreshold {settings.runoff_threshold:g}"
    )


def _rule_of(source: str, election_name: str, settings: ClaritySettings | None) -> RuleOf:
    """A (name, vote_for, choices) → rule function for one document (see ``jurisdiction``)."""
    loc = clarity_location(source)
    state = state_from((settings.state if settings else "") or (loc[0] if loc else ""), source)
    kind = election_kind((settings.name if settings else "") or election_name)
    stated = stated_rule(settings)

    def rule_of(name: str, vote_for: int, choices: list[str]) -> ThresholdRule:
        return rule_for(state, kind, name, vote_for=vote_for, choices=choices, stated=stated)

    return rule_of


def parse_summary_json(data: bytes, *, source: str = "", settings: ClaritySettings | None = None) -> Snapshot:
    """Parse a Clarity ``json/en/summary.json`` (see the module docstring). ``source`` (the URL)
    gives the election id and version when it is a Clarity URL; ``settings`` (the site's
    electionsettings.json, when fetched) gives the state, the election's name and any threshold
    it states, for each race's rule."""
    what = "summary.json"
    doc = _load_json(data, what)
    if not isinstance(doc, list):
        _fail(what, "expected a JSON array of contests")
    election, version = _election(source)
    rule_of = _rule_of(source, election.name, settings)
    loc = clarity_location(source)
    county = loc[1].replace("_", " ") if loc else ""  # a county site's file: its races may be wider
    notes: list[str] = []
    vote_types = (VoteType.from_name(TOTAL),)
    contests: list[Contest] = []
    broken: list[str] = []  # contests whose own rows cannot be read, one sentence each
    seen: set[str] = set()
    for i, raw in enumerate(doc):
        where = f"contest {i + 1}"
        if not isinstance(raw, dict):
            _fail(what, f"{where} is not an object")
        for key in ("K", "C", "CH", "V"):
            if key not in raw:
                _fail(what, f"{where} has no {key!r}")
        key = raw["K"]
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        key = _text(key, what, f"the key of {where}").strip()
        if not key:
            _fail(what, f"{where} has an empty key")
        if key in seen:
            _fail(what, f"contest key {key!r} appears twice")
        seen.add(key)
        name = " ".join(_text(raw["C"], what, f"the name of contest {key}").split()) or f"Contest {key}"
        where = f"contest {name!r}"
        try:  # this contest's own rows: one odd contest never sinks the file
            names = raw["CH"]
            votes = raw["V"]
            if not isinstance(names, list) or not isinstance(votes, list):
                _fail(what, f"{where}: CH and V must be lists")
            if len(names) != len(votes):
                _fail(what, f"{where} lists {len(names)} choices but {len(votes)} vote counts")
            parties = raw.get("P")
            if not isinstance(parties, list) or len(parties) != len(names):
                parties = [""] * len(names)
            candidates = []
            unit_votes: dict[str, dict[str, int]] = {}
            for j, (cname, n, party) in enumerate(zip(names, votes, parties, strict=True)):
                cid = str(j + 1)
                cname = " ".join(_text(cname, what, f"choice {j + 1} of {where}").split())
                party = party if isinstance(party, str) and party != "NP" else ""
                candidates.append(Candidate(id=cid, name=cname or cid, party=party, ballot_order=j + 1))
                unit_votes[cid] = {TOTAL: _count(n, what, f"votes of {cname or cid!r} in {where}")}
            vote_for = raw.get("VF", 1)
            vote_for = _count(vote_for, what, f"VF of {where}") if vote_for is not None else 1
            reason = pseudo_contest_reason(name, vote_for, len(candidates))
            if reason:
                notes.append(reason)
                continue
            total = _opt_count(raw.get("TP"))
            done = _opt_count(raw.get("PR"))
            if total is not None and done is not None and done > total:
                _fail(what, f"{where} has {done} areas reporting of {total}")
            has_votes = any(v[TOTAL] for v in unit_votes.values())
            unit = ReportingUnit(
                id="all",
                name=election.name if election.id != "clarity" else "All",
                kind=UnitKind.STATE,
                reporting=_reporting(done, total, has_votes),
                votes=unit_votes,
                precincts_reporting=done,
                precincts_total=total,
            )
            contests.append(
                Contest(
                    id=key,
                    name=name,
                    candidates=tuple(candidates),
                    units=(unit,),
                    vote_for=vote_for or 1,
                    threshold=rule_of(name, vote_for or 1, [c.name for c in candidates]),
                    vote_types=vote_types,
                    reported_precincts=(done, total) if done is not None and total is not None else None,
                    partial=partial_note(county, name) if county else "",
                )
            )
        except FeedError as exc:
            broken.append(" ".join(str(exc).removeprefix(f"Clarity {what}: ").split()))
    if broken:
        if not contests:
            _fail(what, broken[0])
        note = left_out_note(broken)
        notes.append(note)
        contests = warn_each(contests, note)
    return Snapshot(election=election, contests=tuple(contests), version=version, notes=tuple(notes))


# --- ALL.json ---------------------------------------------------------------------------------


def _names_for(names_from: Snapshot | None) -> Mapping[str, Contest]:
    return {c.id: c for c in names_from.contests} if names_from is not None else {}


def parse_all_json(data: bytes, *, source: str = "", names_from: Snapshot | None = None) -> Snapshot:
    """Parse a Clarity ``json/ALL.json`` (see the module docstring).

    ``names_from``: a Snapshot of the same election whose contests give names, candidate ids,
    names, parties and ballot order by contest key and position: its detail XML (any version), or
    its much smaller ``summary.json`` (same keys, same choice order; candidate ids are then
    ballot positions). Without it, or for a contest it lacks or whose choice count differs, the ids stand
    in for names (contest "10000", candidates "1", "2", ...) and the election note says so.
    """
    what = "ALL.json"
    doc = _load_json(data, what)
    if not isinstance(doc, dict) or not isinstance(doc.get("Contests"), list):
        _fail(what, "expected a JSON object with a 'Contests' list")
    known = _names_for(names_from)
    # contest key -> (choice count, [(area, votes)]), in first-seen order; and the totals row
    per_contest: dict[str, tuple[int, list[tuple[str, list[int]]]]] = {}
    totals: dict[str, list[int]] = {}
    areas: set[str] = set()
    for i, row in enumerate(doc["Contests"]):
        if not isinstance(row, dict) or not {"A", "C", "V"} <= set(row):
            _fail(what, f"Contests[{i}] is not an object with A, C and V")
        area = _text(row["A"], what, f"Contests[{i}].A").strip()
        if not area:
            _fail(what, f"Contests[{i}] has an empty area name")
        if area in areas:
            _fail(what, f"area {area!r} appears twice")
        areas.add(area)
        keys, rows = row["C"], row["V"]
        if not isinstance(keys, list) or not isinstance(rows, list) or len(keys) != len(rows):
            _fail(what, f"{area}: C and V must be lists of the same length")
        seen_here: set[str] = set()
        for key, votes in zip(keys, rows, strict=True):
            if isinstance(key, int) and not isinstance(key, bool):
                key = str(key)
            key = _text(key, what, f"a contest key of {area}").strip()
            if not key or key in seen_here:
                _fail(what, f"{area} lists contest {key!r} twice or without a key")
            seen_here.add(key)
            if not isinstance(votes, list):
                _fail(what, f"{area}, contest {key}: votes are not a list")
            counts = [_count(n, what, f"a vote count of {area}, contest {key}") for n in votes]
            n_choices, rows_of = per_contest.setdefault(key, (len(counts), []))
            if len(counts) != n_choices:
                _fail(what, f"contest {key} has {n_choices} choices in one area and {len(counts)} in {area}")
            if area == ALL_TOTAL_ROW:
                totals[key] = counts
            else:
                rows_of.append((area, counts))

    if names_from is not None:
        election = Election(
            id=names_from.election.id,
            name=names_from.election.name,
            date=names_from.election.date,
            source=source,
            test=names_from.election.test,
            state=names_from.election.state or _election(source)[0].state,
        )
        _, version = _election(source)
    else:
        election, version = _election(source)
        if clarity_location(source) is None:
            election = replace(election, id=_races_id(per_contest))
    unnamed: list[str] = []
    rule_of = _rule_of(source, election.name, None)
    vote_types = (VoteType.from_name(TOTAL),)
    contests: list[Contest] = []
    for key, (n_choices, rows_of) in per_contest.items():
        named = known.get(key)
        warnings: list[str] = []
        if named is not None and len(named.candidates) == n_choices:
            ordered = sorted(named.candidates, key=lambda c: c.ballot_order)
            candidates = tuple(
                Candidate(id=c.id, name=c.name, party=c.party, ballot_order=j + 1)
                for j, c in enumerate(ordered)
            )
            name, vote_for, threshold = named.name, named.vote_for, named.threshold
        else:
            if named is not None:
                warnings.append(
                    f"{named.name}: ALL.json has {n_choices} choices, the names' source "
                    f"{len(named.candidates)}; candidates shown by position"
                )
            unnamed.append(key)
            candidates = tuple(
                Candidate(id=str(j + 1), name=str(j + 1), ballot_order=j + 1) for j in range(n_choices)
            )
            name, vote_for = (named.name if named else key), 1
            threshold = rule_of(name, vote_for, [c.name for c in candidates])
        ids = [c.id for c in candidates]
        units = tuple(
            ReportingUnit(
                id=area,
                name=area,
                kind=UnitKind.COUNTY,
                county=area,
                reporting=Reporting.PARTIAL if any(counts) else Reporting.NONE,
                votes={cid: {TOTAL: n} for cid, n in zip(ids, counts, strict=True)},
            )
            for area, counts in rows_of
        )
        reported = totals.get(key)
        contests.append(
            Contest(
                id=key,
                name=name,
                candidates=candidates,
                units=units,
                vote_for=vote_for,
                threshold=threshold,
                vote_types=vote_types,
                reported_totals=dict(zip(ids, reported, strict=True)) if reported is not None else None,
                feed_warnings=tuple(warnings),
            )
        )
    if unnamed:
        note = (
            f"ALL.json carries no names: contest{'s' if len(unnamed) > 1 else ''} "
            f"{', '.join(unnamed[:5])}{'…' if len(unnamed) > 5 else ''} "
            "shown by key and candidates by ballot position; give the detail XML of the same "
            "election to name them"
        )
        election = Election(
            id=election.id,
            name=election.name,
            date=election.date,
            source=election.source,
            note=note,
            test=election.test,
            state=election.state,
        )
    return Snapshot(election=election, contests=tuple(contests), version=version)
