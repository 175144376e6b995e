"""Statistics rows ("Registered Voters", "Ballots Cast", voteFor 0) in Georgia's results export,
Enhanced Voting and AP are set aside into Snapshot.notes with one sentence each, as the Clarity
parsers do; the rest of the file opens.

Every payload here is a real file (or the constructed Enhanced Voting fixture) with such rows
added in memory: CONSTRUCTED additions, no public file of these feeds carries one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tracker.feeds.ap import parse_ap
from tracker.feeds.enhanced_voting import parse_enhanced_voting
from tracker.feeds.gasos import parse_ga_sos_json

EV = Path(__file__).parent / "data" / "constructed_enhanced_voting_data.json"


def test_georgia_export_sets_aside_statistics_rows(shared_data: Path) -> None:
    doc = json.loads((shared_data / "ga-sos" / "2023-05-16_HD68_special.json").read_bytes())
    races = len(doc["results"]["ballotItems"])
    real = doc["results"]["ballotItems"][0]
    stats = copy.deepcopy(real)
    stats.update(id="stats-1", name="REGISTERED VOTERS - TOTAL")  # constructed addition
    zero = copy.deepcopy(real)
    zero.update(id="stats-2", name="Turnout figure", voteFor=0)  # constructed addition
    doc["results"]["ballotItems"] += [stats, zero]
    for local in doc.get("localResults") or []:  # the counties report the rows too
        items = list(local.get("ballotItems") or [])
        local["ballotItems"] = [*items, dict(copy.deepcopy(items[0]), id="stats-1")]
    snap = parse_ga_sos_json(json.dumps(doc).encode())
    assert len(snap.contests) == races
    assert len(snap.notes) == 2
    assert "REGISTERED VOTERS - TOTAL" in snap.notes[0] and "statistics row" in snap.notes[0]
    assert "voteFor=0" in snap.notes[1]


def test_enhanced_voting_sets_aside_statistics_rows() -> None:
    doc = json.loads(EV.read_bytes())
    races = len(parse_enhanced_voting(EV.read_bytes()).contests)
    stats = copy.deepcopy(doc["ballotItems"][0])
    stats.update(id="stats-1", name=[{"languageId": "en", "text": "Ballots Cast"}])
    zero = copy.deepcopy(doc["ballotItems"][0])
    zero.update(id="stats-2", name="Registered", voteFor=[{"languageId": "en", "text": "Vote for 0"}])
    doc["ballotItems"] += [stats, zero]
    snap = parse_enhanced_voting(json.dumps(doc).encode())
    assert len(snap.contests) == races
    assert len(snap.notes) == 2 and "Ballots Cast" in snap.notes[0] and "voteFor=0" in snap.notes[1]


def test_ap_sets_aside_statistics_rows(shared_data: Path) -> None:
    path = shared_data / "ap" / "newsdev-elex_20121106_me_fl_senate.json"
    doc = json.loads(path.read_bytes())
    races = len(parse_ap(path.read_bytes()).contests)
    stats = copy.deepcopy(doc["races"][0])
    stats.update(raceID="99991", officeName="Registered Voters")  # constructed addition
    zero = copy.deepcopy(doc["races"][0])
    zero.update(raceID="99992", officeName="Turnout", numWinners=0)  # constructed addition
    doc["races"] += [stats, zero]
    snap = parse_ap(json.dumps(doc).encode())
    assert len(snap.contests) == races
    assert len(snap.notes) == 2
    assert "statistics row" in snap.notes[0] and "voteFor=0" in snap.notes[1]
