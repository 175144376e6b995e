"""A county's file holding part of a statewide or multi-county race never calls that race.

Gwinnett's 2020 file holds Gwinnett's votes for President and both Senate races: judged on them
alone it said "elected: Joseph R. Biden" and "over 50 % · final". Bartow's and Floyd's files each
hold half of one special primary. Allegheny's county races, by contrast, are whole: "elected"
is right there. (tracker.core.coverage, docs/contest-rules.md "Part of a race")
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tracker.core.coverage import is_county_region, partial_note
from tracker.core.merge import merge_snapshots
from tracker.core.model import Snapshot
from tracker.core.standing import cut_line, line_label, standings, verdict
from tracker.core.summary import snapshot_summary
from tracker.core.threshold import Outstanding, State
from tracker.feeds.clarity import parse_detail_xml

DONE = Outstanding.none()
FINAL_WORDS = ("elected", "over 50", "runoff", "eliminated", "clinched", "final", "not elected")


def _clarity(path: Path) -> Snapshot:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return parse_detail_xml(z.read(z.namelist()[0]), source=str(path))
    return parse_detail_xml(path.read_bytes(), source=str(path))


def _said(contest) -> str:
    rows = standings(contest, DONE)
    return " ".join(r.phrase for r in rows) + " | " + verdict(contest, rows)


def test_gwinnett_does_not_elect_the_president(shared_data: Path) -> None:
    snap = _clarity(shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml")
    by = {c.name.split("/")[0]: c for c in snap.contests}
    president = by["President of the United States"]
    assert "statewide" in president.partial and "Gwinnett County" in president.partial
    said = _said(president)
    assert not any(w in said for w in FINAL_WORDS), said
    assert verdict(president, standings(president, DONE)).startswith(
        "Joseph R. Biden (Dem) leads in this county"
    )
    top = standings(president, DONE)[0]
    assert top.phrase == "leads in this county by 75,414 votes" and top.tiny == "leads here"
    assert standings(president, DONE)[1].phrase == "trails in this county by 75,414 votes"
    assert cut_line(president) is None and line_label(president) == ""
    for name in ("US Senate (Perdue)", "US Senate (Loeffler) - Special", "Public Service Commission Dist 1"):
        race = by[name]
        assert race.partial and not any(w in _said(race) for w in FINAL_WORDS)
        assert race.threshold.rule == "majority"  # the rule is the race's; only the verdict waits
    # districts the county shares: "may" cover part of the race
    assert by["US House Dist 7"].partial.startswith("This file may cover part of the race")
    assert by["State House Dist 81"].partial
    # county offices and questions are whole: decided here
    for name in (
        "Sheriff",
        "Co Commission Chair",
        "Gwinnett County Soil and Water",
        "Gwinnett Transit Referendum",
    ):
        assert not by[name].partial, name
    sheriff = by["Sheriff"]
    assert verdict(sheriff, standings(sheriff, DONE)).endswith("is over 50 %")
    soil = by["Gwinnett County Soil and Water"]
    assert verdict(soil, standings(soil, DONE)).startswith("elected: ")
    # ... and the JSON says so too
    summary = snapshot_summary(snap)
    pres = next(c for c in summary["contests"] if c["name"].startswith("President"))
    assert pres["partial"] == president.partial
    assert all("elected" not in c["standing"] for c in pres["candidates"])


def test_allegheny_statewide_courts_are_partial_county_races_are_elected(shared_data: Path) -> None:
    snap = _clarity(shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip")
    partial = {c.name for c in snap.contests if c.partial}
    assert {
        "Justice of the Supreme Court",
        "Judge of the Superior Court",
        "Judge of the Commonwealth Court",
    } <= partial
    assert "Judge of the Court of Common Pleas" not in partial
    assert not any("Home Rule" in n or "School Director" in n or "Council" in n for n in partial)
    superior = next(c for c in snap.contests if c.name == "Judge of the Superior Court")
    rows = standings(superior, DONE)
    assert all(r.phrase.startswith("in the top 2 in this county, ") for r in rows[:2])
    named_out = [r for r in rows[2:] if r.candidate.name != "Write-in"]
    assert len(named_out) == 2
    assert all(r.phrase.startswith("outside the top 2 in this county by ") for r in named_out)
    # the write-in line (428 votes) is not a candidate trailing here: it is many names
    (write_in,) = [r for r in rows if r.candidate.name == "Write-in"]
    assert write_in.votes == 428 and write_in.phrase == "write-in votes, for names the feed does not give"
    assert not any(r.need.state is State.ELECTED for r in rows)
    council = next(c for c in snap.contests if c.name == "County Council At-Large")
    assert verdict(council, standings(council, DONE)).startswith("elected: ")


def test_a_special_primary_split_across_two_counties(shared_data: Path) -> None:
    folder = shared_data / "clarity"
    bartow = _clarity(folder / "ga_bartow_2018-12-18_hd14_special_rep_primary_detail.xml")
    floyd = _clarity(folder / "ga_floyd_2018-12-18_hd14_special_rep_primary_detail.xml")
    b, f = bartow.contests[0], floyd.contests[0]
    assert "Bartow County" in b.partial and "Floyd County" in f.partial
    # each county has its own leader: neither file may name the race's outcome
    assert standings(b, DONE)[0].candidate.name != standings(f, DONE)[0].candidate.name
    for race in (b, f):
        assert not any(w in _said(race) for w in FINAL_WORDS)
    # merged, the two counties are the district: the rule decides again
    merged = merge_snapshots([bartow, floyd]).contests[0]
    assert merged.partial == ""
    assert verdict(merged, standings(merged, DONE)) != ""


def test_a_merged_statewide_race_stays_partial(shared_data: Path) -> None:
    folder = shared_data / "clarity"
    atkinson = _clarity(folder / "wapo-elex-clarity_ga_atkinson_precincts_11-3.xml")
    bacon = _clarity(folder / "wapo-elex-clarity_ga_bacon_precincts_11-3.xml")
    merged = merge_snapshots([atkinson, bacon])
    president = next(c for c in merged.contests if c.name.lower().startswith("president"))
    assert president.partial.startswith("These 2 county files cover part of the race")
    assert not any(w in _said(president) for w in FINAL_WORDS)


def test_a_state_file_is_whole(shared_data: Path) -> None:
    snap = _clarity(shared_data / "clarity" / "wapo-elex-clarity_ga_counties_11-3.xml")
    assert not any(c.partial for c in snap.contests)


@pytest.mark.parametrize(
    ("region", "county"),
    [("Gwinnett", True), ("Allegheny County", True), ("GA", False), ("Georgia", False), ("", False)],
)
def test_county_regions(region: str, county: bool) -> None:
    assert is_county_region(region) is county


def test_the_feed_saying_more_counties_than_the_file_holds() -> None:
    note = partial_note("GA", "Mayor", counties_in_race=3, counties_here=1)
    assert note.startswith("This file covers part of the race: 1 of its 3 counties")
    assert partial_note("GA", "Mayor", counties_in_race=1) == ""


def test_export_and_parse_say_part_of_the_race(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import main

    path = shared_data / "clarity" / "ga_bartow_2018-12-18_hd14_special_rep_primary_detail.xml"
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Part of the race: This file may cover part of the race: Bartow County" in out
    assert "leads in this county" in out
    assert main(["parse", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["contests"][0]["partial"].startswith("This file may cover part")
