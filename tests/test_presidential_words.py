"""A state's presidential race elects nobody: its count carries the state's presidential electors
(Maine's and Nebraska's statewide count their two at-large electors, a district's count its one),
and a primary's allots delegates by party rules. North Carolina's 2024 board file, final, read
"elected: Donald J. Trump" (docs/doc-walk.md, eighth session); every other race keeps its words.

Real files: North Carolina's 2024 board file and Georgia's 2020 counties file (shared data).
Races named ``race(...)`` are CONSTRUCTED here (made-up votes) for the rules no real file shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_contest_rules import phrases, race
from tracker.core.export import Level, Provenance, provenance_lines
from tracker.core.jurisdiction import presidential_stake, rule_for
from tracker.core.model import Contest, Election, Reporting, Snapshot
from tracker.core.race_status import race_status
from tracker.core.standing import standings, verdict
from tracker.core.summary import contest_summary
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.feeds.native import dump_native, parse_native
from tracker.feeds.registry import parse_file

DONE = Outstanding.none()
NC_2024 = "nc-sbe/nc_2024-11-05_general_results_0_statewide.json"
GA_2020 = "clarity/wapo-elex-clarity_ga_counties_11-3.xml"
#: Claims that someone was elected ("nobody is elected" is not one).
ELECTED = re.compile(r"(?<!is )\belected\b|clinched a seat")


def _said(contest: Contest, outstanding: Outstanding | None = DONE) -> str:
    rows = standings(contest, outstanding)
    words = [r.phrase for r in rows] + [r.compact for r in rows] + [r.tiny for r in rows]
    return " | ".join([*words, verdict(contest, rows), race_status(contest), contest.threshold.describe()])


def complete(contest: Contest) -> Contest:
    return replace(contest, units=tuple(replace(u, reporting=Reporting.COMPLETE) for u in contest.units))


def test_north_carolina_2024_carries_the_state(shared_data: Path):
    path = shared_data / NC_2024
    snap = parse_file(path, source=path.name)
    president = next(c for c in snap.contests if c.name.startswith("US PRESIDENT"))
    assert president.threshold.chooses == "electors"
    rows = standings(president, DONE)
    assert rows[0].candidate.name == "Donald J. Trump" and rows[0].phrase == "carries the state"
    assert rows[1].phrase == "final"
    assert verdict(president, rows) == "carries the state and its presidential electors: Donald J. Trump"
    assert race_status(president) == "final · Donald J. Trump carries the state"
    said = _said(president)
    assert not ELECTED.search(said)
    assert "the most votes carry the state's presidential electors" in president.threshold.describe()
    # parse (and --json) and a race's CSV export say the same.
    summary = contest_summary(president, groups=False)
    assert summary["candidates"][0]["standing"] == "carries the state"
    assert "presidential electors" in summary["rule"]["text"]
    lines = provenance_lines(snap, president, Provenance("file", "payload", path.name), level=Level.UNIT)
    # (The statute quoted as the rule's basis may say how Council of State officers are elected.)
    assert not any(ELECTED.search(line.split("; basis:")[0]) for line in lines)
    assert any("carries the state" in line for line in lines)
    # Every other race's words are as they were.
    house = next(c for c in snap.contests if c.name.startswith("US HOUSE OF REPRESENTATIVES DISTRICT 01"))
    assert house.threshold.chooses == ""
    assert [r.phrase for r in standings(house, DONE)][:2] == ["elected", "not elected"]
    assert verdict(house, standings(house, DONE)) == "elected: Don Davis"
    assert race_status(house) == "final · Don Davis leads"
    assert all(c.threshold.chooses == "" for c in snap.contests if c is not president)


def test_georgias_plurality_row_and_its_county_files(shared_data: Path):
    """Georgia's presidential row (plurality, no runoff) keeps its rule; the statewide file's
    leader carries the state; a county's file still only leads in the county."""
    snap = parse_file(shared_data / GA_2020)
    president = next(c for c in snap.contests if c.name.startswith("President"))
    assert president.threshold == ThresholdRule.plurality() and president.threshold.source == "table"
    assert "Georgia chooses presidential electors by plurality" in president.threshold.basis
    assert verdict(president, standings(president, DONE)).startswith("carries the state and its")
    rule = rule_for("GA", "June 9, 2020 General Primary", "President of the United States")
    assert rule == ThresholdRule.plurality() and rule.chooses == "delegates"


@pytest.mark.parametrize(
    ("state", "election", "office", "stake"),
    [
        ("NC", "general", "US PRESIDENT (VOTE FOR 1)", "electors"),
        ("SC", "2020 Statewide General Election", "President and Vice President", "electors"),
        ("CO", "2020 General", "Presidential Electors", "electors"),
        ("WY", "2020 General", "US President (WY)", "electors"),
        ("DC", "general", "President", "dc-electors"),
        ("ME", "November 3, 2020 General Election", "President", "at-large-electors"),
        ("ME", "November 8, 2016 General Election", "President - CD 2", "district-elector"),
        ("NE", "General 2020", "President District 2", "district-elector"),
        ("NE", "General 1988", "President", "electors"),  # before Nebraska split its electors
        ("PA", "general", "President - CD 2", "nobody"),  # a district's count carries no elector
        ("", "general", "President of the United States", "nobody"),  # the state is unknown
        ("PR", "general", "President", "nobody"),  # a territory chooses no electors
        ("NC", "any", "US PRESIDENT", "nobody"),  # a general election or a primary? unknown
        ("NC", "primary", "US PRESIDENT - DEM", "delegates"),
        ("IA", "Caucus 2016", "President", "delegates"),
        ("CT", "any", "President, Dem Primary", "delegates"),
        ("MD", "Primary 2016", "City Council President", ""),
        ("NY", "primary", "DEM Borough President Brooklyn", ""),
        ("PA", "general", "President Judge", ""),
        ("GA", "general", "Co Commission Chair/Presidente de la Comisión del Condado", ""),
        ("IL", "general", "Village President", ""),
    ],
)
def test_what_each_presidential_count_chooses(state: str, election: str, office: str, stake: str):
    assert presidential_stake(state, election, office) == stake
    assert rule_for(state, election, office).chooses == stake


def test_the_words_for_each_stake():
    votes = {"Ada": 500, "Bo": 400, "Cy": 100}
    cases = {
        "electors": ("carries the state", "carries the state and its presidential electors: Ada"),
        "at-large-electors": (
            "carries the state",
            "carries the state and its two at-large presidential electors: Ada (each congressional "
            "district's count carries one more)",
        ),
        "district-elector": (
            "carries the district",
            "carries the district and its presidential elector: Ada",
        ),
        "delegates": (
            "most votes · final",
            "most votes: Ada (a presidential primary elects nobody: each party allots its delegates "
            "by its own rules)",
        ),
        "nobody": (
            "most votes · final",
            "most votes: Ada (a presidential race: nobody is elected by this count)",
        ),
    }
    for chooses, (wins, said) in cases.items():
        c = complete(race(votes, rule=ThresholdRule.plurality(chooses=chooses)))
        got = phrases(c, DONE)
        assert got == {"Ada": wins, "Bo": "final", "Cy": "final"}, chooses
        assert verdict(c, standings(c, DONE)) == said
        assert not ELECTED.search(_said(c)), chooses
        # While counting: a lead is a lead; clinched says what is clinched.
        hard = Outstanding(50, 0, 90, hard=True)
        clinched = phrases(c, hard)["Ada"]
        assert clinched.startswith("clinched the ") and "seat" not in clinched
        soft = Outstanding(50, 0, 90)
        assert phrases(c, soft)["Ada"].endswith("unless the count runs far over its estimate")
        assert phrases(c, Outstanding(500, 0, 900))["Ada"] == "leads by 100 votes"
        alone = complete(race({"Ada": 500}, rule=ThresholdRule.plurality(chooses=chooses)))
        assert not ELECTED.search(phrases(alone, DONE)["Ada"])
    # An office keeps "elected".
    office = complete(race(votes, rule=ThresholdRule.plurality()))
    assert phrases(office, DONE)["Ada"] == "elected"
    assert phrases(office, Outstanding(50, 0, 90, hard=True))["Ada"] == "clinched"


def test_maine_ranked_choice_president_is_unchanged_but_says_its_electors():
    rule = rule_for("ME", "November 3, 2020 General Election", "President")
    assert rule.is_ranked_choice and rule.chooses == "at-large-electors"
    assert "two at-large presidential electors" in rule.describe()
    c = complete(race({"Ada": 450, "Bo": 420, "Cy": 130}, rule=rule))
    assert phrases(c, DONE)["Ada"] == "most first choices · ranked-choice rounds decide"
    assert not ELECTED.search(_said(c))


def test_the_stake_travels_with_the_rule():
    rule = rule_for("NC", "general", "US PRESIDENT")
    assert rule.to_json()["chooses"] == "electors"
    assert ThresholdRule.from_json(rule.to_json()).chooses == "electors"
    assert "chooses" not in ThresholdRule.plurality().to_json()  # other rules' JSON as before
    snap = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=rule),), version="1")
    doc = json.loads(dump_native(snap))
    assert doc["contests"][0]["threshold"]["chooses"] == "electors"
    assert parse_native(dump_native(snap)).contests[0].threshold.chooses == "electors"
    doc["contests"][0]["threshold"]["chooses"] = "president"
    with pytest.raises(ValueError, match="chooses"):
        parse_native(json.dumps(doc).encode())
    with pytest.raises(ValueError, match="presidential stake"):
        ThresholdRule.majority(runoff="none", measure=True, chooses="electors")
    # A rule the feed states keeps the race's stake (AP's winThreshold for a state's President).
    stated = ThresholdRule.majority(source="feed", basis="AP winThreshold 50")
    assert rule_for("NC", "general", "President", stated=stated).chooses == "electors"
