"""Snapshot → an Enhanced Voting results API ``…/data`` document, for ``serve --as ev``.

The shape :mod:`tracker.feeds.enhanced_voting` reads: one ballot item per contest, its options'
totals and vote-method groups in ``summaryResults``, and one ``precinctResults`` row per reporting
unit of the snapshot with that unit's votes by vote type ("Total" alone is written as
``groupResults: null``, as the site does for a row without a split). ``lastUpdated`` is the time
given (the version's own publication time), which the poller uses as the version. The publisher's
call (``Contest.winners``) is written as ``isWinner``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tracker.core.model import Contest, Reporting, ReportingUnit, Snapshot, count_precincts
from tracker.feeds.ap import RECONSTRUCTED_KEY
from tracker.feeds.gasos_writer import iso_z

TOTAL = "Total"


def _text(value: str) -> list[dict[str, str]]:
    return [{"languageId": "en", "text": value}]


def _groups(by_type: dict[str, int]) -> list[dict[str, Any]] | None:
    if set(by_type) <= {TOTAL}:
        return None
    return [{"groupName": _text(t), "voteCount": n} for t, n in by_type.items()]


def _status(unit: ReportingUnit) -> str:
    return {
        Reporting.COMPLETE: "Fully Reported",
        Reporting.PARTIAL: "Partially Reported",
        Reporting.NONE: "Not Reported",
    }[unit.reporting]


def _item(contest: Contest) -> dict[str, Any]:
    done, total = count_precincts(list(contest.units))
    options = []
    for cand in contest.candidates:
        by_type: dict[str, int] = {}
        rows = []
        for unit in contest.units:
            votes = dict(unit.votes.get(cand.id, {}))
            for vt, n in votes.items():
                by_type[vt] = by_type.get(vt, 0) + n
            rows.append(
                {
                    "id": unit.id,
                    "name": unit.name,
                    "voteCount": sum(votes.values()),
                    "groupResults": _groups(votes),
                    "reportingStatus": _status(unit),
                }
            )
        options.append(
            {
                "id": cand.id,
                "name": _text(cand.name),
                "voteCount": sum(by_type.values()),
                "party": {"abbreviation": cand.party} if cand.party else None,
                "isWinner": True if cand.id in contest.winners else None,
                "isWriteIn": False,
                "groupResults": _groups(by_type),
                "precinctResults": rows,
            }
        )
    return {
        "id": contest.id,
        "name": _text(contest.name),
        "contestType": "Candidate",
        "voteFor": contest.vote_for,
        "reportingStatus": {"reportingUnits": done, "totalUnits": total},
        "summaryResults": {"ballotOptions": options},
    }


def snapshot_to_ev(
    snapshot: Snapshot,
    *,
    updated: dt.datetime | None = None,
    jurisdiction: str = "Georgia",
    election_id: str = "",
) -> bytes:
    """The ``/data`` document for ``snapshot`` (see the module docstring)."""
    when = iso_z(updated or snapshot.published_at or snapshot.fetched_at)
    doc = {
        "jurisdiction": {"name": jurisdiction},
        "election": {
            "id": election_id or snapshot.election.id,
            "name": _text(snapshot.election.name),
            "electionDate": snapshot.election.date.isoformat() if snapshot.election.date else None,
            "isOfficialResults": False,
            "asOf": when,
            "lastUpdated": when,
        },
        "ballotItems": [_item(c) for c in snapshot.contests],
    }
    if snapshot.election.reconstructed:  # not the site's key: ours keeps the label on the wire
        doc[RECONSTRUCTED_KEY] = snapshot.election.note or "reconstructed from certified precinct results"
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
