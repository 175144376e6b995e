"""One NIST Contest → our ``Contest``: its selections, vote counts, units, totals and rule.

Shared by both forms (it reads ``tracker.feeds.nist_nodes``' interface); the standard's vote-type
vocabulary (``count_item_type``, ``vote_type_of``) lives here too, and ``nist_writer`` writes
with it. A contest that cannot be read raises ``_Odd`` with the reason: the file's reader
(:mod:`tracker.feeds.nist`) leaves it out and names it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from tracker.core.model import Candidate, Contest, ReportingUnit, VoteType
from tracker.core.threshold import ThresholdRule
from tracker.feeds._json_checks import Odd as _Odd
from tracker.feeds._json_checks import count_text
from tracker.feeds.nist_nodes import _clean, _Node
from tracker.feeds.nist_units import _reporting, _Units

#: ExternalIdentifier OtherType prefix of the values ``nist_writer`` adds to keep a night exact.
TRACKER_PREFIX = "tracker-"
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


def count_item_type(canonical: str) -> str:
    """The CountItemType of one of our canonical vote-type buckets."""
    return _CANONICAL_TO_TYPE.get(canonical, "other")


def vote_type_of(item_type: str, other: str | None) -> VoteType:
    """Our vote type for a VoteCounts' Type and OtherType: the OtherType names it when given, the
    Type decides its bucket."""
    name, canonical = _COUNT_TYPES.get(item_type.strip().lower(), (item_type.strip() or "Other", "other"))
    other = " ".join((other or "").split())
    return VoteType(name=other or name, canonical=canonical)


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


def _threshold(text: str | None) -> ThresholdRule:
    value = (text or "").strip()
    if value == "plurality":
        return ThresholdRule("plurality")
    if value == "ranked-choice":
        return ThresholdRule.ranked_choice()
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
