"""Primaries where the top N advance (Washington's and California's top two, Alaska's top four):
the rule, the table's rows, the words (never "elected" or "seat"), and every place that reads a
cut line. The races here are constructed (``race``), not a feed's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_contest_rules import phrases, race
from tracker.core.alerts import over_the_line
from tracker.core.export import Level, Provenance, provenance_lines
from tracker.core.jurisdiction import election_year, rule_for
from tracker.core.model import Contest, Election, Reporting, Snapshot
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.projection_rule import under_rule
from tracker.core.race_facts import margin_lines, race_facts
from tracker.core.race_status import race_status
from tracker.core.standing import cut_line, line_label, mode, places, standings, verdict
from tracker.core.summary import contest_summary
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.feeds.native import dump_native, parse_native
from tracker.store import Store

DONE = Outstanding.none()


def complete(contest: Contest) -> Contest:
    """The constructed race with its one unit fully reported."""
    units = tuple(replace(u, reporting=Reporting.COMPLETE) for u in contest.units)
    return replace(contest, units=units)


TOP_TWO = ThresholdRule.top(2, source="table", basis="constructed")


# --- the table ----------------------------------------------------------------------------------


def test_washington_primary_for_congress_is_top_two():
    rule = rule_for("WA", "August 6, 2024 Primary", "U.S. Representative Congressional District 4")
    assert (rule.rule, rule.advance, rule.source) == ("plurality", 2, "table")
    assert "RCW 29A.52.112" in rule.basis
    assert rule.describe() == (
        "top two advance (the two with the most votes go on to the general election; nobody is elected)"
    )
    for office in (
        "Legislative District 1 - State Representative Pos. 1",
        "Governor",
        "Seattle City Council",
    ):
        assert rule_for("WA", "2024 Primary", office).advance == 2, office
    # Not matched: judicial offices and Superintendent of Public Instruction (a majority may go on
    # alone), precinct committee officers (elected at the primary), and the general election.
    for office in (
        "Supreme Court Justice Position 2",
        "Superintendent of Public Instruction",
        "Precinct Committee Officer 101",
    ):
        assert rule_for("WA", "2024 Primary", office).advance == 0, office
    assert rule_for("WA", "November 5, 2024 General", "Governor").advance == 0


def test_california_top_two_for_voter_nominated_offices_only():
    for office in (
        "United States Representative District 12",
        "U.S. Senator",
        "Governor",
        "State Senator District 3",
        "Member of the State Assembly District 5",
        "Board of Equalization District 1",
    ):
        rule = rule_for("CA", "March 5, 2024 Primary", office)
        assert rule.advance == 2 and "art. II, § 5" in rule.basis, office
    # A nonpartisan county office and the presidential primary are as they were.
    for office in (
        "County Supervisor District 2",
        "Treasurer-Tax Collector",
        "Superintendent of Public Instruction",
    ):
        assert rule_for("CA", "March 5, 2024 Primary", office) == ThresholdRule.plurality(), office
    pres = rule_for("CA", "March 5, 2024 Presidential Primary", "President - Democratic")
    assert pres == ThresholdRule.plurality() and pres.advance == 0 and "Presidential" in pres.basis


def test_alaska_top_four_from_2022():
    rule = rule_for("AK", "August 16, 2022 Primary", "U.S. Representative")
    assert rule.advance == 4 and "AS 15.25.100" in rule.basis
    assert rule.describe().startswith("top four advance")
    # Before Ballot Measure 2 took effect: party primaries, as before.
    assert rule_for("AK", "August 18, 2020 Primary", "U.S. Representative").advance == 0
    # A name with no year is read under today's law.
    assert rule_for("AK", "primary", "State Senate District A").advance == 4
    assert election_year("August 16, 2022 Primary") == 2022 and election_year("Primary") == 0


@pytest.mark.parametrize("state", ["WA", "CA", "AK"])
def test_presidential_primaries_are_unchanged(state: str):
    rule = rule_for(state, "2024 Presidential Primary", "President of the United States")
    assert rule == ThresholdRule.plurality() and rule.advance == 0


# --- the words ----------------------------------------------------------------------------------


def test_top_two_phrases_while_counting_and_final():
    c = race({"Ada": 5000, "Bo": 4000, "Cy": 3150, "Di": 900}, rule=TOP_TWO)
    assert mode(c) == "seats" and places(c) == 2
    assert line_label(c) == "cut: 2nd place" and cut_line(c) == pytest.approx(4000 / 13050)
    counting = phrases(c, Outstanding(1000, 500, 2000))
    assert counting["Bo"] == "in the top two · 850 votes ahead of 3rd"
    assert counting["Cy"] == "needs 851 votes to pass Bo for 2nd"
    assert counting["Di"].startswith(
        "out of reach unless the count runs far over its estimate (needs 3,101 votes to pass Bo for 2nd)"
    )
    hard = phrases(c, Outstanding(1000, 500, 2000, hard=True))
    assert hard["Di"] == "out of reach (needs 3,101 votes to pass Bo for 2nd, more than are out)"
    assert hard["Ada"] == "in the top two · 1,850 votes ahead of 3rd"
    clinch = phrases(c, Outstanding(500, 200, 800, hard=True))
    assert clinch["Ada"] == clinch["Bo"] == "clinched a place in the general"
    est = phrases(c, Outstanding(500, 200, 800))
    assert est["Ada"] == "clinched a place in the general unless the count runs far over its estimate"
    final = phrases(c, DONE)
    assert final == {"Ada": "advances", "Bo": "advances", "Cy": "does not advance", "Di": "does not advance"}
    assert verdict(c, standings(c, DONE)) == "advance to the general election: Ada, Bo"
    words = " ".join([*counting.values(), *hard.values(), *clinch.values(), *final.values()])
    for banned in ("elected", "seat", "eliminated", "runoff", "leads by"):
        assert banned not in words
    # Beside it, a vote-for-2 race keeps its words byte for byte.
    two = race({"Ada": 5000, "Bo": 4000, "Cy": 3150}, rule=ThresholdRule.plurality(), vote_for=2)
    assert phrases(two, Outstanding(1000, 500, 2000))["Cy"] == "out · needs 851 votes to pass Bo"
    assert phrases(two, DONE)["Cy"] == "not elected"


def test_top_four_and_a_primary_with_no_more_candidates_than_places():
    top4 = ThresholdRule.top(4)
    c = race({"A": 90, "B": 80, "C": 70, "D": 60, "E": 10}, rule=top4)
    assert line_label(c) == "cut: 4th place"
    assert phrases(c, None)["D"] == "in the top four · 50 votes ahead of 5th"
    assert phrases(c, DONE)["E"] == "does not advance"
    few = race({"A": 90, "B": 80}, rule=top4)
    assert phrases(few, None) == {"A": "in the top four · uncontested", "B": "in the top four · uncontested"}
    assert phrases(few, DONE) == {"A": "advances · uncontested", "B": "advances · uncontested"}


def test_a_write_in_line_never_takes_a_place():
    c = race({"Ada": 900, "Write-in": 800, "Bo": 500, "Cy": 100}, rule=TOP_TWO)
    final = phrases(c, DONE)
    assert final["Write-in"] == "write-in votes, for names the feed does not give"
    assert final["Ada"] == "advances"
    # Bo is the second name, but one write-in name could have more.
    assert final["Bo"] == "behind the write-in votes · advances unless one write-in name has as many · final"
    assert final["Cy"] == "does not advance"
    assert line_label(c) == "cut: 2nd named"
    assert phrases(c, None)["Bo"] == (
        "behind the write-in votes · in the top two unless one write-in name has as many"
    )
    assert verdict(c, standings(c, DONE)) == (
        "advance to the general election: Ada; waiting on how the write-in votes split: Bo"
    )


def test_a_tie_at_the_second_place():
    c = race({"Ada": 900, "Bo": 700, "Cy": 700}, rule=TOP_TWO)
    assert phrases(c, DONE) == {
        "Ada": "advances",
        "Bo": "tied at the cut line · final",
        "Cy": "tied at the cut line · final",
    }


# --- everything that reads the rule -------------------------------------------------------------


def test_the_list_cards_alerts_and_projection_treat_it_as_a_cut_line():
    c = race({"Ada": 5000, "Bo": 4000, "Cy": 3150, "Di": 900}, rule=TOP_TWO)
    facts = race_facts(c)
    assert (facts.leader, facts.runner_up, facts.seats, facts.advance) == ("Bo", "Cy", 2, True)
    assert not facts.crossed and facts.margin == pytest.approx(850 * 100 / 13050)
    assert margin_lines(facts) == ["at the cut line (2nd place): Bo leads Cy by 6.5 points"]
    few = race_facts(race({"Ada": 5, "Bo": 4}, rule=TOP_TWO))
    assert margin_lines(few) == ["2 places that advance, no more candidates than places"]
    assert over_the_line(c) == frozenset()
    # The card, once its one unit is fully reporting.
    assert race_status(c) == ""
    assert race_status(complete(c)) == "final · Ada, Bo advance"
    tied = race({"Ada": 900, "Bo": 700, "Cy": 700}, rule=TOP_TWO)
    assert race_status(complete(tied)) == "final · tied at the cut line"
    # No P(over the line) for a cut line, as for a vote-for-N race.
    cands = tuple(
        CandidateProjection(cid, cid, c.totals[cid], c.share(cid), c.share(cid), 0.2, 0.45, 0.7)
        for cid in c.totals
    )
    proj = ContestProjection(c.id, c.name, "projected", "", c.total_votes, cands, Outstanding(500, 400, 600))
    out = under_rule(proj, c)
    assert out is not None and all(cand.p_clear is None for cand in out.candidates)


def test_parse_json_export_and_the_feed_carry_the_rule():
    c = race({"Ada": 5000, "Bo": 4000, "Cy": 3150}, rule=TOP_TWO)
    summary = contest_summary(c)
    assert summary["threshold"] == {
        "rule": "plurality",
        "advance": 2,
        "source": "table",
        "basis": "constructed",
    }
    assert summary["rule"]["text"].startswith("top two advance")
    text = json.dumps(summary)
    assert "elected" not in text.replace("nobody is elected", "") and "seat" not in text
    snap = Snapshot(Election(id="e", name="CONSTRUCTED primary"), (complete(c),), version="1")
    prov = Provenance("CONSTRUCTED night", "payload", "constructed.json")
    lines = provenance_lines(snap, complete(c), prov, level=Level.UNIT)
    assert any(line.startswith("rule: top two advance (the two with the most votes") for line in lines)
    assert "result: Cy: 3150 (does not advance)" in lines and "result: Ada: 5000 (advances)" in lines
    assert not any("elected:" in line or "seat" in line for line in lines)
    # tracker-feed/1 carries it, and reads it back from where it came (the table's stays the table's).
    snap = Snapshot(Election(id="e", name="E"), (c,), version="1")
    doc = json.loads(dump_native(snap))
    assert doc["contests"][0]["threshold"]["advance"] == 2
    back = parse_native(dump_native(snap)).contests[0].threshold
    assert back == TOP_TWO and back.advance == 2 and back.source == c.threshold.source != "default"
    # Older rules serialise byte for byte as before (no "advance" key).
    assert ThresholdRule.plurality().to_json() == {"rule": "plurality"}
    assert ThresholdRule.from_json({"rule": "plurality"}).advance == 0
    assert ThresholdRule.from_json(TOP_TWO.to_json()) == TOP_TWO


def test_only_a_plurality_race_has_places_that_advance():
    with pytest.raises(ValueError, match="advance"):
        ThresholdRule.majority(advance=2)
    with pytest.raises(ValueError, match="advance"):
        ThresholdRule("plurality", measure=True, advance=2)
    snap = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=TOP_TWO),), version="1")
    doc = json.loads(dump_native(snap))
    doc["contests"][0]["threshold"] = {"rule": "majority", "advance": 2}
    with pytest.raises(ValueError, match="advance"):
        parse_native(json.dumps(doc).encode())


def test_the_users_override_keeps_places(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as store:
        store.set_rule_override("e1", "c1", ThresholdRule.top(4))
    with Store(tmp_path / "store.sqlite") as store:
        assert store.rule_overrides("e1") == {"c1": ThresholdRule.top(4)}
