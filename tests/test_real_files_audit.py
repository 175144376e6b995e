"""What the real-files audit (docs/real-files-audit.md) found, each pinned by a test that failed
before its fix: real files through the ``shared_data`` fixture, hostile variants built here from
them (every one named ``constructed_*`` where it is written to disk)."""

from __future__ import annotations

import json
from pathlib import Path

from tracker.feeds.nc_sbe import parse_nc_sbe
from tracker.feeds.registry import parse_payload

NC_2024 = "nc-sbe/nc_2024-11-05_general_results_0_statewide.json"


def _contest(snapshot, prefix: str):  # type: ignore[no-untyped-def]
    return next(c for c in snapshot.contests if c.name.startswith(prefix))


# -- North Carolina: the state's own rule, not a 50 % line with a runoff -------------------------


def test_nc_general_races_are_plurality_races_without_a_runoff(shared_data: Path) -> None:
    data = (shared_data / NC_2024).read_bytes()
    snap = parse_payload(data, source=str(shared_data / NC_2024))
    house = _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01")
    # Don Davis won NC-1 in 2024 with 49.5 %: no 50 % line, no runoff.
    assert house.threshold.rule == "plurality"
    assert house.threshold.runoff == "none"
    assert all(c.threshold.rule != "majority" or c.threshold.measure for c in snap.contests)


def test_nc_file_saved_under_any_name_still_reads_as_a_general_by_its_contests_and_date(
    shared_data: Path,
) -> None:
    data = (shared_data / NC_2024).read_bytes()
    # The Board's own address: the date in it is in November.
    snap = parse_nc_sbe(data, source="https://er.ncsbe.gov/enr/20241105/data/results_0.txt")
    assert _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01").threshold.rule == "plurality"
    # No name, no date: general-election contest names carry no party, so no primary rule.
    snap = parse_nc_sbe(data, source="results_0.txt")
    assert _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01").threshold.rule == "plurality"


def test_constructed_nc_primary_gets_the_30_percent_rule_with_a_second_primary_on_request(
    shared_data: Path,
) -> None:
    records = json.loads((shared_data / NC_2024).read_bytes())
    # The same records renamed as a primary's contests are named ("… - DEM (VOTE FOR 1)").
    for r in records:
        r["cnm"] = r["cnm"].replace(" (VOTE FOR", " - DEM (VOTE FOR", 1)
    data = json.dumps(records).encode()
    snap = parse_nc_sbe(data, source="https://er.ncsbe.gov/enr/20240305/data/results_0.txt")
    house = _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01")
    assert (house.threshold.rule, house.threshold.share, house.threshold.runoff) == (
        "share",
        0.3,
        "on-request",
    )
    from tracker.feeds.nc_sbe import election_kind_of

    assert election_kind_of("nc_2024-03-05_primary_results_0.json", None, []) == "primary"


# -- NIST SP 1500-100: the state's rule, and a vote count listed twice ---------------------------

NIST_WY = "nist/nist_v2_wy20g.xml"


def test_nist_wyoming_races_get_wyomings_plurality_rule(shared_data: Path) -> None:
    snap = parse_payload((shared_data / NIST_WY).read_bytes(), source=str(shared_data / NIST_WY))
    president = _contest(snap, "US President")
    assert president.threshold.rule == "plurality"
    assert not any(c.threshold.has_runoff for c in snap.contests)


def test_constructed_nist_georgia_scope_gets_georgias_majority_rule(shared_data: Path) -> None:
    text = (shared_data / NIST_WY).read_text(encoding="utf-8")
    # The same report with its scope unit renamed: the scope decides the state, not the races.
    scope = '<Name><Text Language="en">Wyoming</Text></Name><Type>state</Type>'
    assert text.count(scope) == 1
    data = text.replace(scope, scope.replace("Wyoming", "Georgia")).encode()
    snap = parse_payload(data, source="constructed_nist_scope_georgia.xml")
    senate = _contest(snap, "US Senate WY")
    assert (senate.threshold.rule, senate.threshold.runoff) == ("majority", "top-two")


def test_constructed_nist_vote_count_listed_twice_is_left_out_not_added(shared_data: Path) -> None:
    text = (shared_data / NIST_WY).read_text(encoding="utf-8")
    first = text[text.index("<VoteCounts>") : text.index("</VoteCounts>") + len("</VoteCounts>")]
    data = text.replace(first, first + first, 1).encode()
    snap = parse_payload(data, source="constructed_nist_duplicate_votecounts.xml")
    # Biden's Albany County total listed twice used to make him 82,583 (73,491 + 9,092), silently.
    assert not [c for c in snap.contests if c.name.startswith("US President")]
    assert "twice" in snap.election.note and "US President" in snap.election.note
    assert _contest(snap, "US Senate WY").total_votes == 271_937
