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
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from lxml import etree

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import STATE_CODES, election_kind, rule_for, state_from
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
from tracker.feeds._json_checks import Odd as _Odd
from tracker.feeds._json_checks import count_text
from tracker.feeds.left_out import left_out_note

__all__ = ["NS", "TRACKER_PREFIX", "count_item_type", "parse_nist", "vote_type_of"]

NS = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: ExternalIdentifier OtherType prefix of the values ``nist_writer`` adds to keep a night exact.
TRACKER_PREFIX = "tracker-"
_WHAT = "NIST election results"

_PRECINCT_TYPES = {
    "precinct",
    "split-precinct",
    "combined-precinct",
    "polling-place",
    "vote-center",
    "ballot-batch",
    "ballot-style-area",
    "drop-box",
    "ward",
}
_STATE_TYPES = {"state", "country"}
#: CountItemType → (our vote-type name, canonical bucket).
_COUNT_TYPES: dict[str, tuple[str, str]] = {
    "election-day": ("Election Day", "election_day"),
    "early": ("Early", "early"),
    "absentee-in-person": ("Absentee in Person", "early"),
    "absentee-mail": ("Absentee by Mail", "mail"),
    "absentee": ("Absentee", "mail"),
    "absentee-fwab": ("Absentee (FWAB)", "mail"),
    "uocava": ("UOCAVA", "mail"),
    "provisional": ("Provisional", "provisional"),
    "total": ("Total", "total"),
    "write-in": ("Write-in", "other"),
    "other": ("Other", "other"),
}
#: Our canonical bucket → CountItemType (for the writer).
_CANONICAL_TO_TYPE = {
    "election_day": "election-day",
    "early": "early",
    "mail": "absentee-mail",
    "provisional": "provisional",
    "total": "total",
    "other": "other",
}
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")


def count_item_type(canonical: str) -> str:
    """The CountItemType of one of our canonical vote-type buckets."""
    return _CANONICAL_TO_TYPE.get(canonical, "other")


def vote_type_of(item_type: str, other: str | None) -> VoteType:
    """Our vote type for a VoteCounts' Type and OtherType: the OtherType names it when given, the
    Type decides its bucket."""
    name, canonical = _COUNT_TYPES.get(item_type.strip().lower(), (item_type.strip() or "Other", "other"))
    other = " ".join((other or "").split())
    return VoteType(name=other or name, canonical=canonical)


# -- one node interface over both forms ----------------------------------------------------------


class _Node:
    """An element of the report, XML or JSON, with the few questions the reader asks of it."""

    def kind(self) -> str:  # the xsi:type / @type without its prefix
        raise NotImplementedError

    def oid(self) -> str:
        raise NotImplementedError

    def text(self, name: str) -> str | None:
        raise NotImplementedError

    def children(self, *names: str) -> list[_Node]:
        raise NotImplementedError

    def ids(self, name: str) -> list[str]:
        raise NotImplementedError

    def intl(self, name: str) -> str | None:
        """An InternationalizedText child's text (English first), or a plain string child."""
        raise NotImplementedError


class _X(_Node):
    __slots__ = ("_kids", "el")

    def __init__(self, el: etree._Element) -> None:
        self.el = el
        self._kids: dict[str, list[etree._Element]] | None = None

    def _all(self, name: str) -> list[etree._Element]:
        """Children named ``name`` (in NIST's namespace), from one pass over the children: a
        ``find`` per question was most of the time spent on a large report."""
        if self._kids is None:
            kids: dict[str, list[etree._Element]] = {}
            prefix = f"{{{NS}}}"
            for child in self.el:
                tag = child.tag
                if isinstance(tag, str) and tag.startswith(prefix):
                    kids.setdefault(tag[len(prefix) :], []).append(child)
            self._kids = kids
        return self._kids.get(name, [])

    def kind(self) -> str:
        return (self.el.get(XSI_TYPE) or "").rsplit(":", 1)[-1]

    def oid(self) -> str:
        return (self.el.get("ObjectId") or "").strip()

    def _first(self, name: str) -> etree._Element | None:
        found = self._all(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        el = self._first(name)
        return None if el is None else (el.text or "")

    def children(self, *names: str) -> list[_Node]:
        return [_X(e) for name in names for e in self._all(name)]

    def ids(self, name: str) -> list[str]:
        return [t for e in self._all(name) for t in (e.text or "").split()]

    def intl(self, name: str) -> str | None:
        el = self._first(name)
        if el is None:
            return None
        texts = list(el.iterfind(f"{{{NS}}}Text"))
        if not texts:
            return el.text or ""
        english = [t for t in texts if (t.get("Language") or "").lower().startswith("en")]
        return ((english or texts)[0].text) or ""


class _J(_Node):
    __slots__ = ("d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d

    def kind(self) -> str:
        value = self.d.get("@type")
        return value.rsplit(".", 1)[-1] if isinstance(value, str) else ""

    def oid(self) -> str:
        value = self.d.get("@id")
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str) -> str | None:
        value = self.d.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value)
        raise _Odd(f"{name} is not a value")

    def children(self, *names: str) -> list[_Node]:
        out: list[_Node] = []
        for name in names:
            value = self.d.get(name)
            items = value if isinstance(value, list) else ([] if value is None else [value])
            for item in items:
                if not isinstance(item, dict):
                    raise _Odd(f"{name} holds something other than objects")
                out.append(_J(item))
        return out

    def ids(self, name: str) -> list[str]:
        value = self.d.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value]
        raise _Odd(f"{name} is not a list of ids")

    def intl(self, name: str) -> str | None:
        value = self.d.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            raise _Odd(f"{name} is not text")
        texts = value.get("Text")
        if not isinstance(texts, list) or not texts:
            return ""
        good = [t for t in texts if isinstance(t, dict) and isinstance(t.get("Content"), str)]
        english = [t for t in good if str(t.get("Language", "")).lower().startswith("en")]
        return (english or good)[0]["Content"] if good else ""


# -- decoding ------------------------------------------------------------------------------------

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([^\"']*)\2", re.I)


def _hardened_parser() -> etree.XMLParser:
    """No entity expansion, network or DTD; libxml2's size limits (see ``clarity``)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )


#: Declared encodings libxml2 reads as written; any other spelling Python knows (``utf_8``,
#: ``UTF8``, ``cp1252``) is decoded here and handed on as UTF-8.
_LIBXML_ENCODINGS = {"utf-8", "iso-8859-1", "us-ascii", "ascii", "utf-16", "latin1", "iso-latin-1"}


def _xml_root(data: bytes, notes: list[str]) -> etree._Element:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    m = _XML_DECL.match(body)
    if m is not None:
        declared = m.group(3).decode("ascii", "replace").strip()
        if declared.lower() not in _LIBXML_ENCODINGS:
            try:
                codec = codecs.lookup(declared).name
            except LookupError:
                raise FeedError(
                    f"{_WHAT}: the file declares a text encoding nobody knows ({declared[:30]!r})"
                ) from None
            if codec.startswith("utf-16") or codec.startswith("utf-32"):
                raise FeedError(f"{_WHAT}: the file declares {declared[:30]!r}; expected UTF-8")
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                raise FeedError(
                    f"{_WHAT}: the file says its encoding is {declared[:30]!r} but it is not "
                    f"({exc.reason} at byte {exc.start})"
                ) from None
            body = _XML_DECL.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)
            notes.append(f"the file declares its encoding as {declared[:30]!r}; read as {codec.upper()}")
    try:
        return etree.fromstring(body, parser=_hardened_parser())
    except etree.XMLSyntaxError as exc:
        msg = " ".join(str(exc).split())[:160]
        raise FeedError(f"{_WHAT}: not well-formed XML ({msg})") from None
    except ValueError as exc:
        raise FeedError(f"{_WHAT}: not readable XML ({str(exc)[:120]})") from None


def _root(data: bytes, notes: list[str]) -> tuple[_Node, str]:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        try:
            doc = json.loads(data)
        except RecursionError:
            raise FeedError(f"{_WHAT}: the document is nested too deeply") from None
        except UnicodeDecodeError as exc:
            raise FeedError(f"{_WHAT}: not valid UTF-8 text ({exc.reason})") from None
        except ValueError as exc:
            raise FeedError(f"{_WHAT}: not valid JSON ({str(exc)[:120]})") from None
        if not isinstance(doc, dict):
            raise FeedError(f"{_WHAT}: the document is not an object")
        return _J(doc), "json"
    root = _xml_root(data, notes)
    if etree.QName(root).localname != "ElectionReport":
        raise FeedError(f"{_WHAT}: the root element is {etree.QName(root).localname!r}, not ElectionReport")
    if etree.QName(root).namespace != NS:
        where = str(etree.QName(root).namespace)[:80]
        raise FeedError(f"{_WHAT}: the ElectionReport is not in NIST's v2 namespace ({where!r})")
    return _X(root), "xml"


# -- reading -------------------------------------------------------------------------------------


def _count(text: str | None, what: str) -> int:
    return count_text(text, what, point_zero=True)  # JSON numbers may be written 12.0


def _opt_count(node: _Node, name: str, what: str) -> int | None:
    value = node.text(name)
    return None if value is None or not value.strip() else _count(value, what)


def _tracker_ids(node: _Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for ext in node.children("ExternalIdentifier"):
        other = (ext.text("OtherType") or "").strip()
        if other.startswith(TRACKER_PREFIX):
            out[other[len(TRACKER_PREFIX) :]] = ext.text("Value") or ""
    return out


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


class _Units:
    """The report's GpUnits, their parts and parents."""

    def __init__(self, root: _Node, scope_id: str, notes: list[str]) -> None:
        self.nodes: dict[str, _Node] = {}
        for gp in root.children("GpUnit"):
            oid = gp.oid()
            if oid:
                self.nodes[oid] = gp
        self.parts = {
            oid: [p for p in gp.ids("ComposingGpUnitIds") if p in self.nodes]
            for oid, gp in self.nodes.items()
        }
        self.parents: dict[str, list[str]] = {}
        for oid, parts in self.parts.items():
            for p in parts:
                self.parents.setdefault(p, []).append(oid)
        scope = self.nodes.get(scope_id)
        self.prefix = ""
        if scope is not None:
            scope_name = _clean(scope.intl("Name"))
            self.prefix = f"{scope_name};" if scope_name else ""
        self._below: dict[str, frozenset[str]] = {}
        self._types: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.notes = notes

    def type_of(self, oid: str) -> str:
        found = self._types.get(oid)
        if found is None:
            found = _clean(self.nodes[oid].text("Type")).lower() if oid in self.nodes else ""
            self._types[oid] = found
        return found

    def kind(self, oid: str) -> UnitKind:
        t = self.type_of(oid)
        if t in _PRECINCT_TYPES:
            return UnitKind.PRECINCT
        if t in _STATE_TYPES:
            return UnitKind.STATE
        return UnitKind.COUNTY

    def name(self, oid: str) -> str:
        found = self._names.get(oid)
        if found is None:
            found = self._names[oid] = self._name(oid)
        return found

    def _name(self, oid: str) -> str:
        node = self.nodes.get(oid)
        if node is None:
            return oid
        name = _clean(node.intl("Name"))
        if self.prefix and name.startswith(self.prefix) and len(name) > len(self.prefix):
            name = name[len(self.prefix) :].strip()
        return name or oid

    def below(self, oid: str) -> frozenset[str]:
        """Every unit ``oid`` is made of, through any depth (cycles are cut)."""
        if oid in self._below:
            return self._below[oid]
        seen: set[str] = set()
        stack = list(self.parts.get(oid, ()))
        while stack:
            cur = stack.pop()
            if cur in seen or cur == oid:
                continue
            seen.add(cur)
            stack.extend(self.parts.get(cur, ()))
        self._below[oid] = frozenset(seen)
        return self._below[oid]

    def county(self, oid: str) -> str | None:
        """The name of the nearest county composed of ``oid`` (breadth first), else its own name
        when it is a county, else None."""
        frontier, seen = list(self.parents.get(oid, ())), {oid}
        while frontier:
            nxt = []
            for p in frontier:
                if p in seen:
                    continue
                seen.add(p)
                if self.type_of(p) == "county":
                    return self.name(p)
                nxt.extend(self.parents.get(p, ()))
            frontier = nxt
        return self.name(oid) if self.type_of(oid) == "county" else None


def _reporting(node: _Node | None, has_votes: bool) -> Reporting:
    if node is not None:
        for cs in node.children("CountStatus"):
            if _clean(cs.text("Type")).lower() in ("total", ""):
                status = _clean(cs.text("Status")).lower()
                if status == "completed":
                    return Reporting.COMPLETE
                if status == "in-process":
                    return Reporting.PARTIAL
                if status == "not-processed":
                    return Reporting.NONE
    return Reporting.PARTIAL if has_votes else Reporting.NONE


def _threshold(text: str | None) -> ThresholdRule:
    value = (text or "").strip()
    if value == "plurality":
        return ThresholdRule("plurality")
    if value.startswith("share:"):
        try:
            return ThresholdRule("share", float(value[6:]))
        except ValueError:
            return ThresholdRule.majority()
    return ThresholdRule.majority()


def _selection_name(
    sel: _Node, candidates: dict[str, _Node], parties: dict[str, tuple[str, str]]
) -> tuple[str, str]:
    """(name, party) of a contest selection."""
    kind = sel.kind()
    if kind == "BallotMeasureSelection" or sel.intl("Selection") is not None:
        return _clean(sel.intl("Selection")), ""
    if kind == "PartySelection" or (sel.ids("PartyIds") and not sel.ids("CandidateIds")):
        names = [parties.get(p, (p, p)) for p in sel.ids("PartyIds")]
        return " / ".join(n for n, _ in names), " / ".join(a for _, a in names)
    names, party_list = [], []
    for cid in sel.ids("CandidateIds"):
        cand = candidates.get(cid)
        if cand is None:
            raise _Odd(f"a selection names candidate {cid!r}, which the report does not list")
        names.append(_clean(cand.intl("BallotName")))
        pid = _clean(cand.text("PartyId"))
        if pid:
            party_list.append(parties.get(pid, (pid, pid))[1])
    return " / ".join(n for n in names if n), " / ".join(p for p in party_list if p)


def _contest(
    node: _Node,
    index: int,
    units: _Units,
    candidates: dict[str, _Node],
    parties: dict[str, tuple[str, str]],
    warnings_out: list[str],
    issuer: str = "",
    rule_of: Callable[[str, int, list[str]], ThresholdRule] | None = None,
    tallies: list[str] | None = None,
) -> Contest:
    ext = _tracker_ids(node)
    oid = node.oid()
    cid = ext.get("id") or oid or f"contest-{index + 1}"
    name = _clean(node.intl("Name")) or f"Contest {cid}"
    vote_for_text = node.text("VotesAllowed") or node.text("NumberElected")
    vote_for = max(1, _count(vote_for_text, f"VotesAllowed of {name!r}")) if vote_for_text else 1
    sels = node.children("ContestSelection", "BallotSelection")
    if not sels:
        raise _Odd(f"{name!r} has no selections")
    cands: list[Candidate] = []
    #: unit oid → candidate id → vote type name → votes
    counts: dict[str, dict[str, dict[str, int]]] = {}
    order: list[str] = []
    types: dict[str, VoteType] = {}
    seen_ids: set[str] = set()
    winners: list[str] = []
    advancing: list[str] = []
    tallies = [] if tallies is None else tallies  # undervote/overvote lines left out (``_TALLY_LINE``)
    tallied = len(tallies)
    for i, sel in enumerate(sels):
        sext = _tracker_ids(sel)
        if not sext:  # our export keeps the candidate's id on its Candidate
            first = next((candidates[c] for c in sel.ids("CandidateIds") if c in candidates), None)
            sext = _tracker_ids(first) if first is not None else {}
        sname, party = _selection_name(sel, candidates, parties)
        if sname and _TALLY_LINE.match(sname.strip()) and "id" not in sext:
            tallies.append(sname)
            continue
        sid = sext.get("id") or sel.oid() or f"{cid}-{i + 1}"
        if sid in seen_ids:
            raise _Odd(f"selection {sid!r} appears twice in {name!r}")
        seen_ids.add(sid)
        if "party" in sext:
            party = sext["party"]
        seq = sel.text("SequenceOrder")
        order_n = (
            int(seq)
            if seq is not None and seq.strip().lstrip("-").isdigit() and len(seq.strip()) < 10
            else i + 1
        )
        cands.append(Candidate(id=sid, name=sname or sid, party=party, ballot_order=order_n))
        status = _post_election_status(sel, candidates)
        if status in _WINNER_STATUS:
            winners.append(sid)
        elif status == "advanced-to-runoff":
            advancing.append(sid)
        for vc in sel.children("VoteCounts"):
            gp = _clean(vc.text("GpUnitId"))
            if not gp:
                raise _Odd(f"a vote count of {sname!r} in {name!r} names no reporting unit")
            if gp not in units.nodes:
                raise _Odd(f"{name!r} counts votes in {gp!r}, which the report does not list")
            vt = vote_type_of(vc.text("Type") or "total", vc.text("OtherType"))
            n = _count(vc.text("Count"), f"a vote count of {sname!r} in {name!r}")
            types.setdefault(vt.name, vt)
            if gp not in counts:
                counts[gp] = {}
                order.append(gp)
            by_type = counts[gp].setdefault(sid, {})
            if vt.name in by_type:  # adding them up would show a count the report never gave
                raise _Odd(f"{name!r} counts {sname!r} twice in {units.name(gp)!r} ({vt.name})")
            by_type[vt.name] = n
    if len(tallies) > tallied and not cands:
        raise _Odd(f"{name!r} has only undervote or overvote lines")
    counted = set(counts)
    leaves = [u for u in order if not (units.below(u) & counted)]
    aggregates = [u for u in order if u not in leaves]
    tops = [u for u in aggregates if not any(u in units.below(a) for a in aggregates if a != u)]
    reported: dict[str, int] | None = None
    if len(tops) == 1 and set(leaves) <= units.below(tops[0]):
        # Only the selections the summary level really counts: a missing one is "not stated",
        # never a stated 0 (the stated totals are the race's result when every one is given).
        top = counts[tops[0]]
        reported = {c.id: sum(top[c.id].values()) for c in cands if c.id in top}
    elif aggregates:
        warnings_out.append(f"{name}: counts at {len(aggregates)} summary level(s) not read")
    district = _clean(node.text("ElectionDistrictId") or node.text("ElectoralDistrictId"))
    leaf_types = {units.type_of(u) for u in leaves}
    listed = [p for p in units.parts.get(district, ()) if units.type_of(p) in leaf_types] if district else []
    if not leaves:  # nothing counted yet: the district's units, all not reported
        unit_ids = list(units.parts.get(district, ())) if district else []
    else:
        unit_ids = listed if set(leaves) <= set(listed) else leaves
    out_units = []
    for u in unit_ids:
        votes = counts.get(u, {})
        node_u = units.nodes.get(u)
        uext = _tracker_ids(node_u) if node_u is not None else {}
        has = any(any(v.values()) for v in votes.values())
        out_units.append(
            ReportingUnit(
                id=uext.get("id") or u,
                name=units.name(u),
                kind=units.kind(u),
                # our own export names the county (or none) outright; other files by composition
                county=uext.get("county") if uext else units.county(u),
                reporting=_reporting(node_u, has),
                votes=votes,
                registered=_opt_count(node_u, "VotersRegistered", "VotersRegistered") if node_u else None,
                ballots_cast=_opt_count(node_u, "VotersParticipated", "VotersParticipated")
                if node_u
                else None,
                precincts_reporting=_opt_count(node_u, "SubUnitsReported", "SubUnitsReported")
                if node_u
                else None,
                precincts_total=_opt_count(node_u, "TotalSubUnits", "TotalSubUnits") if node_u else None,
            )
        )
    if len({u.id for u in out_units}) != len(out_units):
        raise _Odd(f"{name!r} lists one reporting unit twice")
    used = {t for u in out_units for by_type in u.votes.values() for t in by_type}
    types = {name: vt for name, vt in types.items() if name in used}  # not the summaries' types
    done = _opt_count(node, "SubUnitsReported", "SubUnitsReported")
    total = _opt_count(node, "TotalSubUnits", "TotalSubUnits")
    declared = ext.get("vote-types")
    if declared:  # our export lists the contest's vote types in their order
        try:
            pairs = json.loads(declared)
            ordered = {str(n): VoteType(name=str(n), canonical=str(c)) for n, c in pairs}
        except (ValueError, TypeError):
            ordered = {}
        if set(types) <= set(ordered):
            types = ordered
    return Contest(
        id=cid,
        name=name,
        candidates=tuple(cands),
        units=tuple(out_units),
        vote_for=vote_for,
        # Our own export states its rule (a majority by leaving it out); another report's race
        # gets the jurisdiction's.
        threshold=_threshold(ext.get("threshold"))
        if ext or rule_of is None
        else rule_of(name, vote_for, [c.name for c in cands]),
        vote_types=tuple(types.values()),
        reported_totals=reported,
        reported_precincts=(done, total) if done is not None and total is not None else None,
        winners=tuple(winners),
        advancing=tuple(advancing),
        # The call is the report's: our export names who made it; another file's is its issuer's.
        called_by=(ext.get("called-by") or issuer or "the report's issuer") if winners or advancing else "",
        threshold_source=ext.get("threshold-source", ""),
    )


#: CandidatePostElectionStatus values that name an elected candidate (a call or the result).
_WINNER_STATUS = frozenset({"winner", "projected-winner"})
#: A selection that counts ballots, not votes for a choice: some exporters write undervotes,
#: overvotes or blank ballots as a candidate ("Undervotes.1" in Wyoming's 2020 general, with its
#: numbered suffix). Read as a candidate it took a place in the race list's margin.
_TALLY_LINE = re.compile(
    r"^(?:(?:under|over)[\s_-]*votes?|blank(?:[\s_-]*(?:votes?|ballots?))?)(?:\.\d+)?$", re.I
)


def _post_election_status(sel: _Node, candidates: dict[str, _Node]) -> str:
    """The selection's candidate's PostElectionStatus (a ticket: its first candidate's), or ""."""
    for cid in sel.ids("CandidateIds"):
        cand = candidates.get(cid)
        if cand is not None:
            return _clean(cand.text("PostElectionStatus")).lower()
    return ""


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
        ),
        contests=tuple(contests),
        version=rext.get("version") or _clean(generated),
        published_at=_published(generated),
    )
