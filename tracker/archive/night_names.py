"""The names a night's payloads lack, kept in the night: Clarity's ``ALL.json`` carries vote
counts by contest key and choice position and nothing else.

Why it exists: a folder of recorded ``ALL.json`` files imported alone showed races as "10000"
and candidates as "1", "2", under the default plurality rule (no state, no office, no date), and
with no election date the projection had no turnout prior to size the counties with. The same
election's detail XML or ``summary.json`` names every contest and choice by the same keys
(``clarity_json.parse_all_json(names_from=...)``); ``import --names FILE`` reads it once and keeps
a compact copy of what it says in the night's meta (``NAMES_KEY``), so that every later read of
every version (window, replay, exports, backtest) is named the same way. Pure, no Qt.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tracker.core.errors import NightFileError
from tracker.core.model import Candidate, Contest, Election, Snapshot
from tracker.core.threshold import ThresholdRule

#: The night's meta key holding the names (``names_text``).
NAMES_KEY = "payload_names"


def names_text(names: Snapshot) -> str:
    """What ``names`` says that a nameless payload needs, as compact JSON: the election's id,
    name and date, and per contest its key, name, seats, rule and candidates in ballot order."""
    election = names.election
    doc: dict[str, Any] = {
        "election": {
            "id": election.id,
            "name": election.name,
            "date": election.date.isoformat() if election.date else None,
            "source": election.source,
        },
        "contests": [
            {
                "id": c.id,
                "name": c.name,
                "vote_for": c.vote_for,
                "rule": c.threshold.to_json(),
                "candidates": [[x.id, x.name, x.party, x.ballot_order] for x in c.candidates],
            }
            for c in names.contests
        ],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def names_snapshot(text: str, where: str) -> Snapshot:
    """The Snapshot ``names_text`` wrote (no units, no votes: names only). ``where`` names the
    night in the error when the meta cannot be read."""
    try:
        doc = json.loads(text)
        e = doc["election"]
        election = Election(
            id=str(e["id"]),
            name=str(e["name"]),
            date=dt.date.fromisoformat(e["date"]) if e.get("date") else None,
            source=str(e.get("source") or ""),
        )
        contests = tuple(
            Contest(
                id=str(c["id"]),
                name=str(c["name"]),
                candidates=tuple(
                    Candidate(id=str(cid), name=str(name), party=str(party), ballot_order=int(order))
                    for cid, name, party, order in c["candidates"]
                ),
                vote_for=int(c["vote_for"]),
                threshold=ThresholdRule.from_json(c.get("rule")),
            )
            for c in doc["contests"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise NightFileError(f"{where}: the names kept for its payloads cannot be read ({exc})") from None
    return Snapshot(election=election, contests=contests)


__all__ = ["NAMES_KEY", "names_snapshot", "names_text"]
