"""Georgia's exports of past elections read as their final count, on the evidence they give.

The eighth documentation walk: all seven real Georgia exports in the shared data (2025
re-exports of the elections of 2019–2024, precinct counts null or 0/0) showed "too early to say"
on every bar of a certified result. Nothing in an export says the count is final (no status, no
certification date, ``reportingStatuses`` null); what it states is its ``createdAt`` and its
``electionDate``. An export made long after election day (``FINAL_AFTER``) is read as the final
count and the race says that is what was read; one made on the night keeps "too early" with the
reason in plain words. The numbers never change (the walk's totals stay byte-identical).

The edited copies below are real files with one field changed, named so in each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.core.model import Reporting
from tracker.core.outstanding import estimate_outstanding
from tracker.core.standing import standings
from tracker.core.summary import snapshot_summary
from tracker.feeds.gasos import FINAL_AFTER, parse_ga_sos_json

SEVEN = sorted(
    [
        "2019-09-03_HD71_special.json",
        "2019-10-01_HD71_special_runoff.json",
        "2021-01-05_federal_runoff.json",
        "2022-06-21_primary_runoff.json",
        "2023-05-16_HD68_special.json",
        "2023-06-13_HD68_special_runoff.json",
        "2024-06-18_primary_runoff.json",
    ]
)


def _doc(shared_data: Path, name: str) -> dict:
    return json.loads((shared_data / "ga-sos" / name).read_bytes())


@pytest.mark.parametrize("name", SEVEN)
def test_each_real_export_is_read_as_its_final_count_and_says_why(shared_data: Path, name: str) -> None:
    snap = parse_ga_sos_json((shared_data / "ga-sos" / name).read_bytes(), source=name)
    assert snap.contests
    for contest in snap.contests:
        assert contest.units and all(u.reporting is Reporting.COMPLETE for u in contest.units), contest.name
        assert contest.completeness.startswith(
            "final count as read from the export's date: made 8 Jan 2025, "
        )
        assert "after election day" in contest.completeness
        assert contest.completeness.endswith("the file itself does not say it is final")
        out = estimate_outstanding(contest)
        assert out is not None and out.hi == 0 and out.hard
        phrases = [row.phrase for row in standings(contest, out)]
        assert not any("too early" in p for p in phrases), (contest.name, phrases)


def test_the_2021_runoff_is_the_certified_result_and_said_so(shared_data: Path) -> None:
    snap = parse_ga_sos_json((shared_data / "ga-sos" / "2021-01-05_federal_runoff.json").read_bytes())
    summary = snapshot_summary(snap)
    perdue = next(c for c in summary["contests"] if c["id"] == "10000")
    assert perdue["completeness"] == (
        "final count as read from the export's date: made 8 Jan 2025, 4 years after election day "
        "(5 Jan 2021); the file itself does not say it is final"
    )
    # the certified count (PROVENANCE): Ossoff over half, Perdue not
    by_name = {c["name"]: c for c in perdue["candidates"]}
    assert by_name["Jon Ossoff (Dem)"]["votes"] == 2_269_923
    assert by_name["Jon Ossoff (Dem)"]["standing"] == "over 50 % · final"
    assert by_name["David A. Perdue (I) (Rep)"]["standing"] == "final"


def test_an_export_made_on_the_night_stays_too_early_and_says_what_is_missing(shared_data: Path) -> None:
    """Edited copy of the real 2021 runoff export: ``createdAt`` set to the night after the
    election, as the live site writes it while counting."""
    doc = _doc(shared_data, "2021-01-05_federal_runoff.json")
    doc["createdAt"] = "2021-01-06T04:30:00.1234567Z"  # 23:30 on election day, Georgia's time
    snap = parse_ga_sos_json(json.dumps(doc).encode())
    for contest in snap.contests:
        assert not any(u.reporting is Reporting.COMPLETE for u in contest.units)
        assert contest.completeness == (
            "the export gives no precinct counts and does not say whether the count is final: "
            "made 5 Jan 2021, on election day"
        )
        assert estimate_outstanding(contest) is None  # "too early", as before
    doc["createdAt"] = "2021-01-12T15:00:00Z"
    contest = parse_ga_sos_json(json.dumps(doc).encode()).contests[0]
    assert contest.completeness.endswith("made 12 Jan 2021, 7 days after election day (5 Jan 2021)")
    assert not any(u.reporting is Reporting.COMPLETE for u in contest.units)


def test_the_reading_begins_at_final_after(shared_data: Path) -> None:
    """Edited copies of the real HD 68 special export (election day 16 May 2023)."""
    import datetime as dt

    doc = _doc(shared_data, "2023-05-16_HD68_special.json")
    day = dt.date(2023, 5, 16)
    for offset, final in ((FINAL_AFTER - dt.timedelta(days=1), False), (FINAL_AFTER, True)):
        doc["createdAt"] = f"{(day + offset).isoformat()}T16:00:00Z"
        (contest,) = parse_ga_sos_json(json.dumps(doc).encode()).contests
        assert all((u.reporting is Reporting.COMPLETE) is final for u in contest.units), offset
        assert contest.completeness.startswith("final count" if final else "the export gives no precinct")


def test_without_a_creation_time_nothing_is_read_as_final(shared_data: Path) -> None:
    """Edited copy of a real export with its ``createdAt`` taken out."""
    doc = _doc(shared_data, "2019-10-01_HD71_special_runoff.json")
    del doc["createdAt"]
    (contest,) = parse_ga_sos_json(json.dumps(doc).encode()).contests
    assert not any(u.reporting is Reporting.COMPLETE for u in contest.units)
    assert contest.completeness == (
        "the export gives no precinct counts and does not say whether the count is final, "
        "nor does it give its creation time"
    )


def test_precinct_counts_the_file_gives_always_decide(shared_data: Path) -> None:
    """Edited copy of the real 2021 runoff export (made in 2025): Appling County's Perdue race
    given 5 of its 10 precincts. That county stays partly in; the counties without counts are
    read as final, and the race still says on what evidence."""
    doc = _doc(shared_data, "2021-01-05_federal_runoff.json")
    appling = next(c for c in doc["localResults"] if c["name"] == "Appling County")
    item = next(i for i in appling["ballotItems"] if i["id"] == "10000")
    item["precinctsParticipating"], item["precinctsReporting"] = 10, 5
    contest = parse_ga_sos_json(json.dumps(doc).encode()).contest("10000")
    reporting = {u.id: u.reporting for u in contest.units}
    assert reporting.pop("Appling") is Reporting.PARTIAL
    assert set(reporting.values()) == {Reporting.COMPLETE}
    assert contest.completeness.startswith("final count as read from the export's date")


def test_constructed_ev_official_results_are_the_final_count_as_the_site_states_it() -> None:
    """The Enhanced Voting API's ``/data`` document does state it (``election.isOfficialResults``,
    as third-party readers of Georgia's live site list it). CONSTRUCTED fixture
    (tests/data/constructed_enhanced_voting_data.json: no payload of this API is public)."""
    from tracker.feeds.enhanced_voting import OFFICIAL, parse_enhanced_voting

    fixture = Path(__file__).parent / "data" / "constructed_enhanced_voting_data.json"
    doc = json.loads(fixture.read_bytes())
    assert doc["election"]["isOfficialResults"] is False
    unofficial = parse_enhanced_voting(json.dumps(doc).encode())
    assert all(c.completeness == "" for c in unofficial.contests)
    assert any(u.reporting is not Reporting.COMPLETE for c in unofficial.contests for u in c.units)
    doc["election"]["isOfficialResults"] = True
    official = parse_enhanced_voting(json.dumps(doc).encode())
    for before, after in zip(unofficial.contests, official.contests, strict=True):
        assert after.completeness == OFFICIAL == "final count as the site states it (official results)"
        assert all(u.reporting is Reporting.COMPLETE for u in after.units)
        assert after.totals == before.totals and after.unit_totals == before.unit_totals
