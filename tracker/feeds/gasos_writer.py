"""Snapshot → Georgia's results-site export JSON (``export-*.json``), for ``serve --as gasos``.

The document has the shape :mod:`tracker.feeds.gasos` reads: ``results.ballotItems`` with the
whole race (each option's votes and vote-method groups), and one ``localResults`` entry per
county ("Cobb County") whose ballot items carry the county's figures and, when the snapshot's
units are precincts, one ``precinctResults`` row per precinct. Vote types are written as the
groups under their own names ("Total" alone is written as no groups, as the site does for a row
without a split), so every total and every vote type reads back exactly. ``createdAt`` is the
time given (the version's own publication time), which the poller uses as the version.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tracker.core.model import Contest, Reporting, ReportingUnit, Snapshot, count_precincts
from tracker.feeds.ap import RECONSTRUCTED_KEY

TOTAL = "Total"


def iso_z(when: dt.datetime | None) -> str:
    """An aware time as the site writes it (``2024-11-06T03:14:15.123456Z``)."""
    when = (when or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _groups(by_type: dict[str, int]) -> list[dict[str, Any]]:
    if set(by_type) <= {TOTAL}:
        return []
    return [{"groupName": t, "voteCount": n, "isFromVirtualPrecinct": False} for t, n in by_type.items()]


def _sum(units: list[ReportingUnit], cid: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for unit in units:
        for vt, n in unit.votes.get(cid, {}).items():
            out[vt] = out.get(vt, 0) + n
    return out


def _status(unit: ReportingUnit) -> str:
    return {
        Reporting.COMPLETE: "Fully Reported",
        Reporting.PARTIAL: "Partially Reported",
        Reporting.NONE: "Not Reported",
    }[unit.reporting]


def _option(contest: Contest, cid: str, units: list[ReportingUnit], precincts: bool, county: str) -> dict:
    cand = contest.candidate(cid)
    by_type = _sum(units, cid)
    rows = []
    if precincts:
        for unit in units:
            pid = unit.id.split("/", 1)[1] if unit.id.startswith(f"{county}/") else unit.id
            pv = dict(unit.votes.get(cid, {}))
            rows.append(
                {
                    "id": pid,
                    "name": unit.name,
                    "voteCount": sum(pv.values()),
                    "groupResults": _groups(pv),
                    "reportingStatus": _status(unit),
                    "isVirtual": False,
                }
            )
    return {
        "id": cid,
        "name": cand.name,
        "ballotOrder": cand.ballot_order,
        "voteCount": sum(by_type.values()),
        "politicalParty": cand.party or None,
        "groupResults": _groups(by_type),
        "precinctResults": rows,
    }


def _item(contest: Contest, units: list[ReportingUnit], order: int, precincts: bool, county: str) -> dict:
    done, total = count_precincts(units)
    return {
        "id": contest.id,
        "name": contest.name,
        "voteFor": contest.vote_for,
        "ballotOrder": order,
        "type": "State",
        "contestType": "Candidate",
        "precinctsParticipating": total,
        "precinctsReporting": done,
        "ballotOptions": [_option(contest, c.id, units, precincts, county) for c in contest.candidates],
    }


def snapshot_to_ga_sos(
    snapshot: Snapshot, *, created: dt.datetime | None = None, state: str = "Georgia"
) -> bytes:
    """The export JSON for ``snapshot`` (see the module docstring); ``created`` is its
    ``createdAt`` (default: the snapshot's publication or fetch time)."""
    counties: dict[str, dict[str, list[ReportingUnit]]] = {}
    for contest in snapshot.contests:
        for unit in contest.units:
            counties.setdefault(unit.county or unit.name, {}).setdefault(contest.id, []).append(unit)
    local = []
    for n, (county, by_contest) in enumerate(counties.items(), start=1):
        items = []
        for k, contest in enumerate(snapshot.contests, start=1):
            units = by_contest.get(contest.id)
            if units:
                precincts = all(u.kind.value == "precinct" for u in units)
                items.append(_item(contest, units, k, precincts, county))
        local.append(
            {"id": str(n), "name": f"{county} County", "reportingStatuses": [], "ballotItems": items}
        )
    doc = {
        "electionDate": snapshot.election.date.isoformat() if snapshot.election.date else None,
        "electionName": snapshot.election.name,
        "createdAt": iso_z(created or snapshot.published_at or snapshot.fetched_at),
        "results": {
            "id": "0",
            "name": state,
            "reportingStatuses": [],
            "ballotItems": [
                _item(c, list(c.units), k, False, "") for k, c in enumerate(snapshot.contests, start=1)
            ],
        },
        "localResults": local,
    }
    if snapshot.election.reconstructed:  # not the site's key: ours keeps the label on the wire
        doc[RECONSTRUCTED_KEY] = snapshot.election.note or "reconstructed from certified precinct results"
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
