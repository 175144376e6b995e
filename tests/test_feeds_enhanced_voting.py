"""Enhanced Voting results API and Georgia's export, live: the parser against a CONSTRUCTED
fixture (tests/data/constructed_enhanced_voting_data.json: no payload of this API is public to
copy; see tests/data/README.md), discovery from the addresses users copy, and the poller's rule that
a document whose own time is older (or has not moved) is never a new version."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from tracker.core.errors import FeedError
from tracker.core.model import Reporting, UnitKind
from tracker.feeds.discovery import discover, guess_timezone
from tracker.feeds.enhanced_voting import UNSPLIT, parse_enhanced_voting, text_of
from tracker.feeds.poller import document_action, document_time
from tracker.feeds.registry import ENHANCED_VOTING_JSON, GA_SOS_JSON, detect_format, parse_payload

CONSTRUCTED = Path(__file__).parent / "data" / "constructed_enhanced_voting_data.json"


def _doc() -> dict:
    return json.loads(CONSTRUCTED.read_bytes())


def test_constructed_ev_document_is_detected_and_parsed_with_precincts_and_vote_methods() -> None:
    data = CONSTRUCTED.read_bytes()
    assert detect_format(data) == ENHANCED_VOTING_JSON
    snap = parse_payload(data)
    assert snap.election.name == "Example County: November 3, 2026 General Election (CONSTRUCTED)"
    assert snap.version == "2026-11-04T02:09:30.1234567Z"
    assert snap.published_at == dt.datetime(2026, 11, 4, 2, 9, 30, 123456, tzinfo=dt.UTC)
    chair = snap.contests[0]
    assert [c.name for c in chair.candidates] == ["Avery Example", "Blake Sample"]
    assert [c.party for c in chair.candidates] == ["DEM", "REP"]
    assert chair.totals == {"c1": 560, "c2": 440} == dict(chair.reported_totals or {})
    assert chair.data_warnings() == []
    assert [u.kind for u in chair.units] == [UnitKind.PRECINCT] * 3
    assert [u.county for u in chair.units] == ["Example"] * 3
    assert [u.reporting for u in chair.units] == [Reporting.COMPLETE, Reporting.PARTIAL, Reporting.NONE]
    assert chair.precincts == (1, 3)
    two = chair.units[1]
    # a group whose count is null is "not reported"; the votes it leaves are kept, labelled
    assert two.votes["c1"] == {"Election Day": 120, "Advance Voting": 80, UNSPLIT: 30}
    assert two.votes["c2"] == {"Election Day": 110, "Advance Voting": 60, "Absentee by Mail": 20}
    # "Not Reported" with groupResults null: its zeros are placeholders, no vote type is in yet
    # (a "Total": 0 read as reported made such a precinct look finished; see
    # tests/test_not_reported_precincts.py)
    assert chair.units[2].votes == {"c1": {}, "c2": {}}
    assert chair.totals_by("vote_type")["Election Day"] == {"c1": 300, "c2": 260}


def test_constructed_ev_null_groups_give_total_and_the_sites_own_call_is_the_sites() -> None:
    snap = parse_enhanced_voting(CONSTRUCTED.read_bytes())
    board = snap.contests[1]
    (unit,) = board.units
    assert unit.kind is UnitKind.COUNTY and unit.reporting is Reporting.COMPLETE
    assert unit.votes == {"d1": {"Total": 700}, "d2": {"Total": 300}}  # null and [] groups
    assert board.winners == ("d1",) and board.called_by == "Example County results site"
    assert board.call_label == "Example County results site called"  # the site's call, not ours
    assert snap.contests[0].call_label == ""
    question = snap.contests[2]
    assert question.units[0].votes["y"] == {"Election Day": 400, UNSPLIT: 210}
    assert question.totals == {"y": 610, "n": 390}


def test_constructed_ev_groups_adding_up_to_more_keep_the_total_and_warn() -> None:
    doc = _doc()
    opt = doc["ballotItems"][2]["summaryResults"]["ballotOptions"][1]
    opt["groupResults"][0]["voteCount"] = 999
    contest = parse_enhanced_voting(json.dumps(doc).encode()).contests[2]
    assert contest.units[0].votes["n"] == {"Total": 390}
    assert any("more than" in w for w in contest.data_warnings())


@pytest.mark.parametrize(
    ("edit", "part"),
    [
        (lambda d: d.update(ballotItems="x"), "ballotItems is"),
        (
            lambda d: d["ballotItems"][0]["summaryResults"]["ballotOptions"][0].update(voteCount=-1),
            "negative",
        ),
        (lambda d: d["ballotItems"][0]["summaryResults"]["ballotOptions"][1].update(id="c1"), "twice"),
        (
            lambda d: d["ballotItems"][1].update(reportingStatus={"reportingUnits": 5, "totalUnits": 2}),
            "5 units",
        ),
        (lambda d: d.pop("ballotItems"), "ballotItems"),
    ],
)
def test_constructed_ev_malformed_documents_are_one_sentence(edit, part: str) -> None:
    doc = copy.deepcopy(_doc())
    edit(doc)
    with pytest.raises(FeedError) as err:
        parse_enhanced_voting(json.dumps(doc).encode())
    assert part in str(err.value) and "\n" not in str(err.value)


def test_text_of_prefers_english() -> None:
    assert text_of([{"languageId": "es", "text": "Sí"}, {"languageId": "en", "text": "Yes"}]) == "Yes"
    assert text_of([{"languageId": "es", "text": "Sí"}]) == "Sí"
    assert text_of("  a  b ") == "a b" and text_of(None) == ""


def test_real_georgia_exports_are_still_ga_sos(shared_data: Path) -> None:
    for path in sorted((shared_data / "ga-sos").glob("*.json")):
        assert detect_format(path.read_bytes()) == GA_SOS_JSON, path.name


@pytest.mark.parametrize(
    ("pasted", "kind", "url", "zone"),
    [
        (
            "https://results.sos.ga.gov/cdn/results/Georgia/export-2024NovGen.json",
            "gasos",
            "https://results.sos.ga.gov/cdn/results/Georgia/export-2024NovGen.json",
            "America/New_York",
        ),
        (
            "https://results.sos.ga.gov/results/public/Georgia/elections/2024NovGen",
            "ev",
            "https://results.sos.ga.gov/results/public/api/elections/Georgia/2024NovGen/data",
            "America/New_York",
        ),
        (
            "results.votewa.gov/results/public/washington/elections/20260804#/summary",
            "ev",
            "https://results.votewa.gov/results/public/api/elections/washington/20260804/data",
            "America/Los_Angeles",
        ),
        (
            "https://app.enhancedvoting.com/results/public/cass-county-mi/general11052024",
            "ev",
            "https://app.enhancedvoting.com/results/public/api/elections/cass-county-mi/general11052024/data",
            "America/New_York",
        ),
        (
            "https://enr.elections.virginia.gov/results/public/api/elections/Virginia/2025-November-General",
            "ev",
            "https://enr.elections.virginia.gov/results/public/api/elections/Virginia/2025-November-General/data",
            "America/New_York",
        ),
    ],
)
def test_discovery_from_the_addresses_users_copy(pasted: str, kind: str, url: str, zone: str) -> None:
    target = discover(pasted, env={})
    assert (target.kind, target.url) == (kind, url)
    assert guess_timezone(target) == zone


def test_a_document_time_older_or_unmoved_is_never_new() -> None:
    t = dt.datetime(2026, 11, 4, 2, 0, tzinfo=dt.UTC)
    assert document_action(t, None) == "new"
    assert document_action(t + dt.timedelta(seconds=1), t) == "new"
    assert document_action(t, t) == "same"  # stalled: re-serialised, same createdAt
    assert document_action(t - dt.timedelta(minutes=5), t) == "stale"
    assert document_action(None, t) == "new"  # no time to judge by: the recorder's rules decide
    body = json.dumps({"createdAt": "2025-01-08T14:59:44.9805991Z"}).encode()
    assert document_time(body, "ga-sos-json") == dt.datetime(2025, 1, 8, 14, 59, 44, 980599, tzinfo=dt.UTC)
    assert document_time(CONSTRUCTED.read_bytes(), ENHANCED_VOTING_JSON) is not None
    assert document_time(b"not json", "ga-sos-json") is None


def test_constructed_ev_a_vote_for_of_thousands_of_digits_is_one_sentence() -> None:
    """Found by the fuzzer (benchmarks.fuzz, seed 0, input 38764): int() of 5,000 digits raised."""
    doc = _doc()
    doc["ballotItems"][0]["voteFor"] = [{"languageId": "en", "text": "Vote for " + "9" * 5000}]
    with pytest.raises(FeedError, match="not a sensible number"):
        parse_enhanced_voting(json.dumps(doc).encode())
    from benchmarks import fuzz

    data = fuzz.mutated_input("enhanced-voting-json", 0, 38764)
    with contextlib.suppress(FeedError):  # one sentence or a Snapshot: never another exception
        parse_enhanced_voting(data)


@pytest.mark.parametrize(
    ("jurisdiction", "rule"),
    [("Virginia", "plurality"), ("Georgia", "majority"), ("Example County VA", "plurality")],
)
def test_constructed_ev_races_take_their_states_rule_not_a_50_percent_line(
    jurisdiction: str, rule: str
) -> None:
    """The site states no threshold; Virginia (which uses Enhanced Voting too) elects by plurality,
    Georgia by majority: the jurisdiction table decides, by the site's state (CONSTRUCTED fixture,
    its jurisdiction renamed)."""
    doc = _doc()
    doc["jurisdiction"] = {"name": jurisdiction}
    snap = parse_enhanced_voting(json.dumps(doc).encode())
    chair = next(c for c in snap.contests if c.name == "County Commission Chair")
    assert chair.threshold.rule == rule
    assert chair.threshold.source in ("table", "default")  # the table, or its default (plurality)
