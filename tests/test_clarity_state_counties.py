"""Why a Clarity state site's county sub-sites are followed but not merged: the state's own file
already carries every county's votes, county by county and vote type by vote type, so the
statewide view of a race that spans counties is the state file's and summing the county sites
would count each county twice. Pinned on real Georgia 2020 files (the state's county file and two
county sites' precinct files) and over loopback against ``serve --as clarity``."""

from __future__ import annotations

from pathlib import Path

from fault_server import JUNE, SPEED, Core, FaultyFeedServer, StepClock
from lxml import etree
from test_clarity_sites import _detail_rows

from tracker.core.merge import merge_snapshots
from tracker.core.model import Contest, Snapshot
from tracker.feeds.registry import parse_payload

STATE = "clarity/wapo-elex-clarity_ga_counties_11-3.xml"
COUNTY_SITES = {
    "Atkinson": "clarity/wapo-elex-clarity_ga_atkinson_precincts_11-3.xml",
    "Bacon": "clarity/wapo-elex-clarity_ga_bacon_precincts_11-3.xml",
}


def _by_type(contest: Contest, county: str) -> dict[str, dict[str, int]]:
    """candidate name → vote type → votes of ``county``'s units in ``contest``."""
    out: dict[str, dict[str, int]] = {}
    for cand in contest.candidates:
        by = out.setdefault(cand.name, {})
        for unit in contest.units:
            if (unit.county or unit.name) != county:
                continue
            for vt, n in unit.votes.get(cand.id, {}).items():
                by[vt] = by.get(vt, 0) + n
    return out


def _race(snap: Snapshot, name: str) -> Contest:
    return next(c for c in snap.contests if c.name == name)


def _stated_by_type(path: Path, race: str) -> dict[str, dict[str, int]]:
    """candidate name → vote type → the county site's own total for it (``VoteType@votes``), read
    with lxml: the county's votes as the county states them."""
    root = etree.parse(str(path)).getroot()
    contest = next(c for c in root.iter("Contest") if c.get("text") == race)
    return {
        choice.get("text"): {vt.get("name"): int(vt.get("votes")) for vt in choice.iter("VoteType")}
        for choice in contest.iter("Choice")
    }


def test_the_state_file_already_carries_each_county_sites_votes(shared_data: Path) -> None:
    state = parse_payload((shared_data / STATE).read_bytes(), "auto", source=STATE)
    president = _race(state, "President of the United States")
    assert not president.partial  # the state's file holds the whole race
    assert len({u.county for u in president.units}) == 159  # every county, one row each
    for county, path in COUNTY_SITES.items():
        site = parse_payload((shared_data / path).read_bytes(), "auto", source=path)
        theirs = _race(site, "President of the United States")
        assert theirs.partial  # a county site's part of a statewide race, never called from it
        # the county's row in the state file equals the county site's own totals, per candidate
        # and per vote type (real files, published days apart, once final; the county files
        # were trimmed by their collectors, so their stated totals are the county's, not the
        # sum of the precinct rows kept)
        assert _by_type(president, county) == _stated_by_type(shared_data / path, president.name)
        assert {c.name: theirs.totals[c.id] for c in theirs.candidates} == {
            name: sum(by.values()) for name, by in _by_type(president, county).items()
        }
    # so the statewide view is the state file's own sum of its counties ...
    assert president.totals == {
        c.id: sum(sum(u.votes.get(c.id, {}).values()) for u in president.units) for c in president.candidates
    }
    # ... and adding a county site's file to it would count that county twice
    atkinson = parse_payload((shared_data / COUNTY_SITES["Atkinson"]).read_bytes(), "auto")
    doubled = _race(merge_snapshots([state, atkinson]), "President of the United States")
    part = _race(atkinson, "President of the United States")
    extra = {c.name: part.totals[c.id] for c in part.candidates}
    for cand in doubled.candidates:
        single = president.totals[next(c.id for c in president.candidates if c.name == cand.name)]
        assert doubled.totals[cand.id] == single + extra[cand.name]


def _served_rows(zipped: bytes, tag: str) -> dict[str, dict[str, dict[str, int]]]:
    """contest → choice → row name (county or precinct) → votes, over every vote type."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for contest, choices in _detail_rows(zipped, tag).items():
        for choice, rows in choices.items():
            by = out.setdefault(contest, {}).setdefault(choice, {})
            for (_vt, name), n in rows.items():
                by[name] = by.get(name, 0) + n
    return out


def test_served_county_sites_sum_to_the_states_county_rows_and_are_not_fetched(tmp_path: Path) -> None:
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        step.release(3)
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 4, "four versions")
            state = _served_rows(server.document(3, "clarity").body, "County")
            for county in server.counties():
                own = _served_rows(server.document(3, f"clarity:{county}").body, "Precinct")
                for race, choices in own.items():
                    for choice, precincts in choices.items():
                        assert state[race][choice][county] == sum(precincts.values())
            shown = core.shown[-1]
            for contest in shown.contests:  # what is shown is the state file's, every county in it
                for cand in contest.candidates:
                    assert contest.totals[cand.id] == sum(state[contest.name][cand.name].values())
        finally:
            core.stop()
    county_files = [
        p
        for p, _ in server.requests
        if p.endswith("detailxml.zip") and not p.startswith(server.clarity_prefix)
    ]
    assert county_files == []  # county sub-sites: their versions read, their results never fetched
    assert any(
        p.endswith("current_ver.txt") and not p.startswith(server.clarity_prefix) for p, _ in server.requests
    )
