"""Snapshot → AP Elections API v2 JSON (``/v2/elections/{date}``), for ``serve --as ap``.

The document has AP v2's shape as :mod:`tracker.feeds.ap` reads it: one race per contest, a
``state`` reporting unit carrying the race totals and precinct counts, and one ``subunit`` per
county (AP's county level) with that county's votes and precincts. AP has no vote types, so each
county's votes are summed over them; totals per candidate and per county are exact. Races are
``"test": true`` only when the snapshot's election is in AP test mode. ``nextrequest`` is the ``url``
given (``serve --as ap`` passes its ``minDateTime`` URL; a delta is this document written from a
snapshot holding only the changed contests).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tracker.core.model import Contest, ReportingUnit, Snapshot, count_precincts
from tracker.feeds.ap import RECONSTRUCTED_KEY


def _names(full: str) -> tuple[str, str]:
    parts = full.split()
    if len(parts) < 2:
        return "", full
    return " ".join(parts[:-1]), parts[-1]


def _candidates(contest: Contest, units: list[ReportingUnit]) -> list[dict[str, Any]]:
    out = []
    for cand in contest.candidates:
        first, last = _names(cand.name)
        out.append(
            {
                "first": first,
                "last": last,
                "party": cand.party or "NP",
                "candidateID": cand.id,
                "polID": cand.id,
                "ballotOrder": cand.ballot_order,
                "polNum": cand.id,
                "voteCount": sum(u.candidate_total(cand.id) for u in units),
            }
        )
    return out


def _race(contest: Contest, state: str, test: bool, updated: str) -> dict[str, Any]:
    groups: dict[str, list[ReportingUnit]] = {}
    for unit in contest.units:
        groups.setdefault(unit.county or unit.name, []).append(unit)
    done, total = count_precincts(list(contest.units))
    units: list[dict[str, Any]] = [
        {
            "statePostal": state,
            "stateName": state,
            "level": "state",
            "lastUpdated": updated,
            "precinctsReporting": done,
            "precinctsTotal": total,
            "precinctsReportingPct": round(100.0 * done / total, 1) if total else 0.0,
            "candidates": _candidates(contest, list(contest.units)),
        }
    ]
    for n, (county, members) in enumerate(groups.items(), start=1):
        c_done, c_total = count_precincts(members)
        extra: dict[str, Any] = {}
        expected = [u.expected_votes for u in members]
        if expected and all(e is not None for e in expected):
            extra["expectedVote"] = sum(e or 0 for e in expected)
        fips = {u.fips for u in members}
        if len(fips) == 1 and None not in fips:
            extra["fipsCode"] = fips.pop()
        units.append(
            {
                **extra,
                "statePostal": state,
                "stateName": state,
                "level": "subunit",
                "reportingunitName": county,
                "reportingunitID": str(n),
                "lastUpdated": updated,
                "precinctsReporting": c_done,
                "precinctsTotal": c_total,
                "precinctsReportingPct": round(100.0 * c_done / c_total, 1) if c_total else 0.0,
                "candidates": _candidates(contest, members),
            }
        )
    race: dict = {
        "test": test,
        "raceID": contest.id,
        "raceType": "Ballot Issue" if contest.threshold.measure else "General",
        "raceTypeID": "I" if contest.threshold.measure else "G",
        "officeID": "H",
        "officeName": contest.name,
        "national": False,
        "reportingUnits": units,
    }
    # The race's line travels with it (the reader takes AP's winThreshold over its table); a
    # plurality race states none, and the reader's table decides by state.
    if contest.threshold.has_line:
        race["winThreshold"] = round(contest.threshold.share * 100, 4)
    if contest.vote_for > 1:
        race["numWinners"] = contest.vote_for
    return race


def _iso_z(when: dt.datetime | None) -> str:
    when = (when or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def snapshot_to_ap_v2(snapshot: Snapshot, *, state: str = "GA", url: str = "") -> bytes:
    """AP v2 JSON for ``snapshot`` (see the module docstring)."""
    test = bool(getattr(snapshot.election, "test", False))
    updated = _iso_z(snapshot.published_at or snapshot.fetched_at).replace(".000Z", "Z")
    date = snapshot.election.date.isoformat() if snapshot.election.date else "1970-01-01"
    doc = {
        "electionDate": date,
        "timestamp": _iso_z(snapshot.published_at or snapshot.fetched_at),
        "races": [_race(c, state, test, updated) for c in snapshot.contests],
        "nextrequest": url,
    }
    if snapshot.election.reconstructed:
        # AP has no such field; ours (an extension key AP clients ignore) keeps the label on the wire.
        doc[RECONSTRUCTED_KEY] = snapshot.election.note or "reconstructed from certified precinct results"
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


# -- v3 (serve --as apv3) ------------------------------------------------------------------------------

#: Our canonical vote types → AP's documented vote-type names (a feed's vote type whose name is
#: already one of AP's keeps it; "other"/"total" stay unsplit: AP has no such type).
_AP_BY_CANONICAL = {
    "election_day": "electionDayInPerson",
    "early": "earlyInPerson",
    "mail": "absenteeMail",
    "provisional": "provisional",
}


def _ap_type(name: str) -> str | None:
    from tracker.core.model import canonical_vote_type
    from tracker.feeds.ap import VOTE_TYPE_NAMES

    for key, label in VOTE_TYPE_NAMES.items():
        if label == name:
            return key
    return _AP_BY_CANONICAL.get(canonical_vote_type(name))


def _v3_candidates(contest: Contest, units: list[ReportingUnit]) -> list[dict[str, Any]]:
    out = _candidates(contest, units)
    for row in out:
        cid = row["candidateID"]
        types: dict[str, int] = {}
        for unit in units:
            for vt, n in unit.votes.get(cid, {}).items():
                key = _ap_type(vt)
                if key is not None:
                    types[key] = types.get(key, 0) + n
        if types:
            row["voteTypes"] = types
        if cid in contest.winners:
            row["winner"] = "X"
        elif cid in contest.advancing:
            row["winner"] = "R"
    return out


def _eevp(units: list[ReportingUnit]) -> float | None:
    expected = [u.expected_votes for u in units]
    if not units or any(e is None for e in expected):
        return None
    total = sum(e or 0 for e in expected)
    votes = sum(u.total() for u in units)
    return round(100.0 * votes / total, 4) if total and votes else None


def _v3_race(contest: Contest, state: str, test: bool, updated: str) -> dict[str, Any]:
    race = _race(contest, state, test, updated)
    groups: dict[str, list[ReportingUnit]] = {}
    for unit in contest.units:
        groups.setdefault(unit.county or unit.name, []).append(unit)
    members = [list(contest.units), *groups.values()]
    for level, (unit, units) in enumerate(zip(race["reportingUnits"], members, strict=True)):
        unit["reportingunitLevel"] = 1 if level == 0 else 2
        unit["candidates"] = _v3_candidates(contest, units)
        eevp = _eevp(units)
        if eevp is not None:
            unit["eevp"] = eevp
    rule = contest.threshold
    if rule.has_line:
        race["winThreshold"] = round(rule.share * 100.0, 4)
    if contest.winners or contest.advancing:
        race["raceCallStatus"] = "Call Declared"
    race["tabulationStatus"] = "Active Tabulation"
    return race


def snapshot_to_ap_v3(
    snapshot: Snapshot, *, state: str = "GA", url: str = "", truncated: bool | None = None
) -> bytes:
    """AP v3 JSON for ``snapshot``: the v2 shape plus ``apiVersion``, ``reportingunitLevel``,
    vote types under AP's names, ``eevp`` (from the units' expected vote), ``winThreshold`` and
    AP's calls from the contest's publisher call; ``truncated`` adds ``isTruncated`` (a
    ``minDateTime`` page)."""
    test = bool(getattr(snapshot.election, "test", False))
    updated = _iso_z(snapshot.published_at or snapshot.fetched_at).replace(".000Z", "Z")
    date = snapshot.election.date.isoformat() if snapshot.election.date else "1970-01-01"
    doc: dict[str, Any] = {
        "apiVersion": "3.1",
        "apiBuild": "3.1.0-tracker",
        "electionDate": date,
        "timestamp": _iso_z(snapshot.published_at or snapshot.fetched_at),
    }
    if truncated is not None:
        doc["isTruncated"] = truncated
    doc["races"] = [_v3_race(c, state, test, updated) for c in snapshot.contests]
    doc["nextrequest"] = url
    if snapshot.election.reconstructed:
        doc[RECONSTRUCTED_KEY] = snapshot.election.note or "reconstructed from certified precinct results"
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
