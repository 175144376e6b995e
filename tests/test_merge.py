"""Merging the three GA-06 county Clarity files (18 April 2017) into the district.

Every number asserted here is a PROVENANCE.md check for ga06-2017-04-18 (or is read from the files
themselves). Where a test needs files that differ from the real ones (a renamed candidate), it edits
the real bytes and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree
from provenance import APRIL_BY_VOTE_TYPE as BY_VOTE_TYPE
from provenance import APRIL_HOUSE_TOTAL as HOUSE_TOTAL
from provenance import APRIL_HOUSE_TOTALS as HOUSE_TOTALS
from provenance import APRIL_PRECINCTS as PRECINCTS
from provenance import HOUSE, SENATE

from tracker.core.errors import FeedError
from tracker.core.merge import merge_snapshots, normalize_name
from tracker.core.model import Contest, Election, Reporting, Snapshot
from tracker.feeds.clarity import parse_detail_xml

COUNTIES = ("Cobb", "DeKalb", "Fulton")


def _path(shared: Path, county: str) -> Path:
    return shared / "ga06-2017-04-18" / f"2017_{county}_detail.xml"


def _parts(shared: Path, order: tuple[str, ...] = COUNTIES) -> list[Snapshot]:
    return [parse_detail_xml(_path(shared, c).read_bytes(), source=str(_path(shared, c))) for c in order]


def _by_name(snap: Snapshot, name: str) -> Contest:
    return next(c for c in snap.contests if c.name == name)


def _surname_totals(contest: Contest) -> dict[str, int]:
    return {c.name.split()[-1]: contest.totals[c.id] for c in contest.candidates}


@pytest.fixture(scope="module")
def district(shared_data: Path) -> Snapshot:
    return merge_snapshots(_parts(shared_data))


def test_house_totals_are_provenances(district: Snapshot) -> None:
    house = _by_name(district, HOUSE)
    assert _surname_totals(house) == HOUSE_TOTALS
    assert house.total_votes == HOUSE_TOTAL
    assert round(house.share(next(c.id for c in house.candidates if "OSSOFF" in c.name)) * 100, 2) == 48.12


def test_house_has_208_precincts_by_county(district: Snapshot) -> None:
    house = _by_name(district, HOUSE)
    assert house.precincts == (208, 208)
    assert house.reported_precincts == (208, 208)
    per_county: dict[str, int] = {}
    for unit in house.units:
        per_county[unit.county or ""] = per_county.get(unit.county or "", 0) + 1
        assert unit.reporting is Reporting.COMPLETE
    assert per_county == PRECINCTS
    assert len({u.id for u in house.units}) == 208


def test_house_by_vote_type(district: Snapshot) -> None:
    house = _by_name(district, HOUSE)
    ossoff = next(c.id for c in house.candidates if "OSSOFF" in c.name)
    handel = next(c.id for c in house.candidates if "HANDEL" in c.name)
    canonical = house.totals_by("canonical")
    assert {k: (v[ossoff], v[handel]) for k, v in canonical.items()} == BY_VOTE_TYPE
    # The same, from the feed's own bucket names: "early" is every "Advance in Person*" bucket.
    by_name = house.totals_by("vote_type")
    advance = [name for name in by_name if name.startswith("Advance in Person")]
    assert sorted(advance) == ["Advance in Person", "Advance in Person 1", "Advance in Person 2"]
    assert sum(by_name[n][ossoff] for n in advance) == BY_VOTE_TYPE["early"][0]
    assert sum(by_name[n][handel] for n in advance) == BY_VOTE_TYPE["early"][1]
    assert [v.name for v in house.vote_types] == [
        "Election Day",
        "Absentee by Mail",
        "Advance in Person 1",
        "Advance in Person 2",
        "Provisional",
        "Advance in Person",
    ]


def test_every_choice_total_equals_our_sum(district: Snapshot, shared_data: Path) -> None:
    house = _by_name(district, HOUSE)
    feed: dict[str, int] = {}
    for county in COUNTIES:
        root = etree.parse(str(_path(shared_data, county))).getroot()
        for contest in root.iter("Contest"):
            if contest.get("text") != HOUSE:
                continue
            for choice in contest.findall("Choice"):
                surname = choice.get("text").split()[-1]
                feed[surname] = feed.get(surname, 0) + int(choice.get("totalVotes"))
    assert feed == _surname_totals(house)
    assert house.reported_totals == house.totals
    assert all(not c.data_warnings() for c in district.contests)


def test_state_senate_32_is_merged_from_cobb_and_fulton(district: Snapshot) -> None:
    senate = _by_name(district, SENATE)
    assert len(senate.candidates) == 8
    assert {u.county for u in senate.units} == {"Cobb", "Fulton"}
    assert senate.reported_totals == senate.totals
    assert [c.name for c in district.contests] == [HOUSE, SENATE]


def test_first_files_ids_and_ballot_order_are_kept(district: Snapshot, shared_data: Path) -> None:
    cobb = _by_name(_parts(shared_data, ("Cobb",))[0], HOUSE)
    house = _by_name(district, HOUSE)
    assert house.id == cobb.id
    assert [(c.id, c.name, c.ballot_order) for c in house.candidates] == [
        (c.id, c.name, c.ballot_order) for c in cobb.candidates
    ]
    # Fulton's keys differ from Cobb's for the same race; its units were re-keyed onto Cobb's ids.
    ids = {c.id for c in house.candidates}
    assert all(set(u.votes) <= ids for u in house.units)


def test_totals_do_not_depend_on_the_order_of_the_files(district: Snapshot, shared_data: Path) -> None:
    reverse = merge_snapshots(_parts(shared_data, ("Fulton", "DeKalb", "Cobb")))
    for name in (HOUSE, SENATE):
        assert _surname_totals(_by_name(reverse, name)) == _surname_totals(_by_name(district, name))
        assert _by_name(reverse, name).precincts == _by_name(district, name).precincts


def test_latest_part_gives_version_and_election_sources_are_joined(
    district: Snapshot, shared_data: Path
) -> None:
    parts = _parts(shared_data)
    latest = max(parts, key=lambda s: s.published_at or dt.datetime.min.replace(tzinfo=dt.UTC))
    assert district.version == latest.version
    assert district.published_at == latest.published_at
    assert district.election.source == "; ".join(str(_path(shared_data, c)) for c in COUNTIES)
    assert district.election.date == dt.date(2017, 4, 18)
    given = Election(id="ga06-2017-04-18", name="GA-06 special", date=dt.date(2017, 4, 18))
    assert merge_snapshots(parts, election=given).election == given


def test_names_match_ignoring_case_and_spaces_and_new_candidates_are_appended(shared_data: Path) -> None:
    """Fulton's file edited: Ossoff's name re-typed in another case and spacing (must still match),
    Handel renamed to a name no other file has (must become a new candidate at the end)."""
    fulton = _path(shared_data, "Fulton").read_bytes()
    edited = fulton.replace(b'text="JON OSSOFF"', b'text=" Jon   Ossoff "', 1)
    edited = edited.replace(b'text="KAREN HANDEL"', b'text="KAREN HANDEL-RENAMED"', 1)
    cobb, dekalb = _parts(shared_data, ("Cobb", "DeKalb"))
    merged = merge_snapshots([cobb, dekalb, parse_detail_xml(edited)])
    house = _by_name(merged, HOUSE)
    assert len(house.candidates) == 19
    ossoff = next(c for c in house.candidates if c.name == "JON OSSOFF")
    assert house.totals[ossoff.id] == HOUSE_TOTALS["OSSOFF"]
    renamed = house.candidates[-1]
    assert renamed.name == "KAREN HANDEL-RENAMED"
    assert renamed.ballot_order == max(c.ballot_order for c in house.candidates[:-1]) + 1
    assert renamed.id not in {c.id for c in house.candidates[:-1]}  # Fulton's key collided: made unique
    handel = next(c for c in house.candidates if c.name == "KAREN HANDEL")
    assert house.totals[handel.id] + house.totals[renamed.id] == HOUSE_TOTALS["HANDEL"]
    assert all(u.county == "Fulton" for u in house.units if renamed.id in u.votes)


def test_merging_a_file_twice_is_refused(shared_data: Path) -> None:
    cobb = _parts(shared_data, ("Cobb",))[0]
    with pytest.raises(FeedError, match="twice"):
        merge_snapshots([cobb, cobb])


def test_one_part_merges_to_itself_and_nothing_is_an_error(shared_data: Path) -> None:
    (dekalb,) = _parts(shared_data, ("DeKalb",))
    merged = merge_snapshots([dekalb])
    assert merged.contests == dekalb.contests
    assert dataclasses.replace(merged, payload_id=dekalb.payload_id) == dekalb
    with pytest.raises(ValueError):
        merge_snapshots([])


def test_feed_warnings_of_the_parts_are_kept(shared_data: Path) -> None:
    """The Atkinson 2020 file disagrees with itself (see test_clarity_detail); merged with Bacon,
    the same warnings come out."""
    atk = parse_detail_xml(
        (shared_data / "clarity" / "wapo-elex-clarity_ga_atkinson_precincts_11-3.xml").read_bytes()
    )
    bacon = parse_detail_xml(
        (shared_data / "clarity" / "wapo-elex-clarity_ga_bacon_precincts_11-3.xml").read_bytes()
    )
    merged = merge_snapshots([atk, bacon])
    president = "President of the United States"
    atk_warnings = set(_by_name(atk, president).feed_warnings)
    assert atk_warnings
    assert atk_warnings <= set(_by_name(merged, president).data_warnings())
    assert _by_name(merged, president).precincts == tuple(
        a + b
        for a, b in zip(_by_name(atk, president).precincts, _by_name(bacon, president).precincts, strict=True)
    )


def test_normalize_name() -> None:
    assert normalize_name("  U.S. Representative,\tDistrict 6 ") == normalize_name(
        "u.s. representative, district 6"
    )
