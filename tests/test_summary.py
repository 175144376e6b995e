"""The stable JSON summary (``election-tracker parse FILE --json``) of real Clarity files.

Numbers are PROVENANCE.md's GA-06 checks, or the file's own attributes read with lxml.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from lxml import etree

from tracker.cli import main
from tracker.core.merge import merge_snapshots
from tracker.core.model import Snapshot
from tracker.core.summary import snapshot_summary
from tracker.feeds.clarity import parse_detail_xml

COUNTIES = ("Cobb", "DeKalb", "Fulton")
HOUSE = "U.S. Representative, District 6"
# PROVENANCE: House race totals, in the files' ballot order (alphabetical by surname).
HOUSE_BALLOT = [
    ("DAVID ABROMS", 1_639),
    ("MOHAMMAD ALI BHUIYAN", 415),
    ("RAGIN EDWARDS", 504),
    ("KEITH GRAWERT", 415),
    ("BOB GRAY", 20_802),
    ("KAREN HANDEL", 38_071),
    ("ALEXANDER HERNANDEZ", 121),
    ("JUDSON HILL", 16_870),
    ("RICHARD KEATLEY", 229),
    ("AMY KREMER", 351),
    ("BRUCE LEVELL", 455),
    ("WILLIAM LLOP", 326),
    ("DAN MOODY", 17_028),
    ("JON OSSOFF", 92_673),
    ("ANDRE POLLARD", 55),
    ("REBECCA QUIGG", 304),
    ("RON SLOTIN", 491),
    ("KURT WILSON", 1_820),
]
CONTEST_KEYS = {
    "partial",
    "rule",
    "totals_source",
    "id",
    "name",
    "vote_for",
    "threshold",
    "precincts",
    "total_votes",
    "candidates",
    "by_county",
    "by_vote_type",
    "warnings",
}


def _path(shared: Path, county: str) -> Path:
    return shared / "ga06-2017-04-18" / f"2017_{county}_detail.xml"


@pytest.fixture(scope="module")
def district(shared_data: Path) -> Snapshot:
    return merge_snapshots([parse_detail_xml(_path(shared_data, c).read_bytes()) for c in COUNTIES])


@pytest.fixture(scope="module")
def summary(district: Snapshot) -> dict:
    out = snapshot_summary(district)
    assert json.loads(json.dumps(out)) == out  # plain JSON, round-trips unchanged
    return out


def _house(summary: dict) -> dict:
    return next(c for c in summary["contests"] if c["name"] == HOUSE)


def test_shape(summary: dict) -> None:
    assert set(summary) == {"election", "version", "published_at", "contests", "notes"}
    assert set(summary["election"]) == {"id", "name", "date", "source", "reconstructed", "note", "test"}
    for contest in summary["contests"]:
        assert set(contest) == CONTEST_KEYS
        assert set(contest["precincts"]) == {"reporting", "total"}
        for cand in contest["candidates"]:
            assert set(cand) == {"id", "name", "party", "votes", "share", "unit_votes", "standing"}


def test_house_candidates_in_ballot_order_with_provenance_totals(summary: dict) -> None:
    house = _house(summary)
    assert [(c["name"], c["votes"]) for c in house["candidates"]] == HOUSE_BALLOT
    assert house["total_votes"] == 192_569
    ossoff = next(c for c in house["candidates"] if c["name"] == "JON OSSOFF")
    assert ossoff["share"] == round(92_673 / 192_569, 6)
    assert round(ossoff["share"] * 100, 2) == 48.12
    assert house["precincts"] == {"reporting": 208, "total": 208}
    # Georgia's rule from the jurisdiction table (the county files say Region "Cobb" etc.)
    assert house["threshold"]["rule"] == "majority"
    assert house["threshold"]["source"] == "table"
    assert "21-2-501" in house["threshold"]["basis"]
    assert house["rule"]["text"] == "majority (over 50 %), else the top two go to a runoff"
    assert house["totals_source"] == "feed"  # Clarity states Choice@totalVotes, and they agree
    standing = {c["name"]: c["standing"] for c in house["candidates"]}
    assert standing["JON OSSOFF"] == standing["KAREN HANDEL"] == "runoff"  # 48.1 %, nobody over
    assert standing["BOB GRAY"] == "final"
    assert house["vote_for"] == 1
    assert house["warnings"] == []


def test_house_by_county_and_by_vote_type(summary: dict, shared_data: Path) -> None:
    house = _house(summary)
    ids = [c["id"] for c in house["candidates"]]
    assert list(house["by_county"]) == list(COUNTIES)
    for row in (*house["by_county"].values(), *house["by_vote_type"].values()):
        assert list(row) == ids  # every candidate in every row, ballot order
    for cand in house["candidates"]:
        assert sum(row[cand["id"]] for row in house["by_county"].values()) == cand["votes"]
        assert sum(row[cand["id"]] for row in house["by_vote_type"].values()) == cand["votes"]
    # Per county, each candidate's votes are the county file's own Choice@totalVotes.
    names = {c["name"]: c["id"] for c in house["candidates"]}
    for county in COUNTIES:
        root = etree.parse(str(_path(shared_data, county))).getroot()
        contest = next(c for c in root.iter("Contest") if c.get("text") == HOUSE)
        for choice in contest.findall("Choice"):
            assert house["by_county"][county][names[choice.get("text")]] == int(choice.get("totalVotes"))
    # PROVENANCE, district by vote type (Ossoff / Handel); advance voting is split in two buckets in
    # Cobb and Fulton and one in DeKalb: the summary keeps the feed's names.
    vt = house["by_vote_type"]
    ossoff, handel = names["JON OSSOFF"], names["KAREN HANDEL"]
    assert (vt["Election Day"][ossoff], vt["Election Day"][handel]) == (56_234, 30_439)
    assert (vt["Absentee by Mail"][ossoff], vt["Absentee by Mail"][handel]) == (5_046, 455)
    assert (vt["Provisional"][ossoff], vt["Provisional"][handel]) == (240, 70)
    advance = [k for k in vt if k.startswith("Advance in Person")]
    assert len(advance) == 3
    assert sum(vt[k][ossoff] for k in advance) == 31_153
    assert sum(vt[k][handel] for k in advance) == 7_107


def test_election_and_version(summary: dict, district: Snapshot) -> None:
    assert summary["election"]["date"] == "2017-04-18"
    assert summary["election"]["reconstructed"] is False
    assert summary["version"] == district.version
    assert district.published_at is not None
    assert summary["published_at"] == district.published_at.isoformat()
    assert summary["published_at"].endswith("-04:00")  # EDT
    nulls = snapshot_summary(
        dataclasses.replace(
            district, published_at=None, election=dataclasses.replace(district.election, date=None)
        )
    )
    assert nulls["published_at"] is None and nulls["election"]["date"] is None


def test_state_senate_by_county(summary: dict) -> None:
    senate = next(c for c in summary["contests"] if c["name"] == "State Senator, District 32")
    assert len(senate["candidates"]) == 8
    assert list(senate["by_county"]) == ["Cobb", "Fulton"]


def test_warnings_of_a_file_that_disagrees_with_itself(shared_data: Path) -> None:
    path = shared_data / "clarity" / "openelections-clarify_county.xml"
    out = snapshot_summary(parse_detail_xml(path.read_bytes()))
    (senate,) = out["contests"]
    choice = etree.parse(str(path)).getroot().find("Contest/Choice")
    # The feed's stated total is the race's result (what its page shows); the units' sum stays
    # beside it, and the difference is a warning.
    cotton = senate["candidates"][0]
    assert cotton["votes"] == int(choice.get("totalVotes")) == 477_734
    assert cotton["unit_votes"] == 462_123
    assert senate["totals_source"] == "feed"
    assert senate["warnings"] == [
        "U.S. Senate: feed total for Tom Cotton is 477,734 (shown), its units sum to 462,123"
    ]
    # County-level file: by_county is keyed by the county units themselves.
    assert len(senate["by_county"]) == len(choice.find("VoteType"))


def test_cli_parse_text_flags_the_feeds_own_totals(
    shared_data: Path, capsys: pytest.CaptureFixture[str], tracker_home: Path
) -> None:
    """Not only in JSON: the text output says the totals are the feed's and that its units differ."""
    from tracker.cli import main

    assert main(["parse", str(shared_data / "clarity" / "openelections-clarify_county.xml")]) == 0
    out = capsys.readouterr().out
    assert "477,734 votes as the feed states them; its units add up differently" in out
    assert "! U.S. Senate: feed total for Tom Cotton is 477,734 (shown), its units sum to 462,123" in out
    assert "Rule: plurality (most votes win), no runoff" in out


def test_cli_parse_json_prints_the_summary(
    shared_data: Path, capsys: pytest.CaptureFixture[str], tracker_home: Path
) -> None:
    path = _path(shared_data, "DeKalb")
    assert main(["parse", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == snapshot_summary(parse_detail_xml(path.read_bytes(), source=str(path)))
    (house,) = printed["contests"]
    assert house["precincts"] == {"reporting": 43, "total": 43}  # PROVENANCE: DeKalb 43


def test_cli_parse_refuses_a_broken_file_with_one_line(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], tracker_home: Path
) -> None:
    broken = tmp_path / "detail.xml"
    broken.write_bytes(_path(shared_data, "DeKalb").read_bytes()[:50_000])
    assert main(["parse", str(broken), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("election-tracker: ") and err.count("\n") == 1
