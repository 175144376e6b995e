"""Ballot questions with other lines: New Hampshire's constitutional amendments need two-thirds of
the votes on the question, exactly (200 yes of 300 passes, 199 fails); Illinois's pass with
three-fifths of the votes on the question or a majority of every ballot cast in the election, and
feeds give only the first, so a Yes short of 60 % but over half is never said to fail. The races
here are constructed (``race``), not a feed's."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from tests.test_contest_rules import phrases, race
from tests.test_ranked_choice import complete
from tracker.core.alerts import over_the_line
from tracker.core.jurisdiction import load_table, rule_for
from tracker.core.model import Election, Snapshot
from tracker.core.race_facts import race_facts
from tracker.core.race_status import race_status
from tracker.core.standing import cut_line, line_label, standings, verdict
from tracker.core.summary import contest_summary
from tracker.core.threshold import Outstanding, State, ThresholdRule, votes_to_clear
from tracker.feeds.ap import parse_ap_v2
from tracker.feeds.native import dump_native, parse_native
from tracker.store import Store

DONE = Outstanding.none()
GENERAL = "November 8, 2022 General Election"
YES_NO = ["Yes", "No"]


def nh() -> ThresholdRule:
    return rule_for("NH", GENERAL, "Constitutional Amendment Question 1", choices=YES_NO)


def il() -> ThresholdRule:
    return rule_for("IL", GENERAL, "Proposed Amendment to the 1970 Illinois Constitution", choices=YES_NO)


# --- the table ----------------------------------------------------------------------------------


def test_the_rows():
    rule = nh()
    assert rule.measure and rule.at_least and rule.fraction == Fraction(2, 3) and rule.source == "table"
    assert "Part II, art. 100" in rule.basis and not rule.or_ballots_majority
    assert (
        rule.label() == "two-thirds"
        and rule.describe() == "ballot question: passes with at least two-thirds yes"
    )
    # A convention call and a city charter amendment pass by a majority.
    for office in ("Question 2: Convention to amend the constitution", "City Charter Amendment"):
        assert rule_for("NH", GENERAL, office, choices=YES_NO) == ThresholdRule.majority(measure=True), office
    rule = il()
    assert (rule.share, rule.at_least, rule.or_ballots_majority) == (0.6, True, True)
    assert "art. XIV, § 2(b)" in rule.basis
    assert rule.describe() == (
        "ballot question: passes with at least 60 % yes, or with yes from a majority of all ballots "
        "cast in the election (the feed gives only the votes on the question)"
    )
    advisory = rule_for("IL", GENERAL, "Advisory Referendum: Property Tax", choices=YES_NO)
    assert advisory == ThresholdRule.majority(measure=True) and not advisory.or_ballots_majority
    # A candidate race in either state is as before.
    assert rule_for("NH", GENERAL, "Governor") == ThresholdRule.plurality()


def test_the_share_column_takes_a_fraction_and_the_last_column_is_optional(tmp_path: Path):
    table = tmp_path / "rules.csv"
    table.write_text(
        "state,election,office,rule,share,runoff,measure,at_least,source,or_ballots_majority\n"
        "ZZ,any,*,share,2/3,none,yes,yes,constructed two-thirds row\n"
        "ZZ,any,*,share,3/5,none,yes,yes,constructed second-test row,yes\n",
        encoding="utf-8",
    )
    two, three = load_table(table)
    assert two.rule.fraction == Fraction(2, 3) and not two.rule.or_ballots_majority
    assert three.rule.share == 0.6 and three.rule.or_ballots_majority


# --- exact two-thirds ---------------------------------------------------------------------------


def test_exactly_two_thirds_passes_and_one_vote_less_fails():
    rule = nh()
    assert votes_to_clear(200, 300, rule) == 0 and votes_to_clear(199, 300, rule) == 1
    # The float alone would not do: 0.6666666666666666 of 300 is just under 200.
    assert Fraction(str(rule.share)) * 300 < 200
    c = race({"Yes": 200, "No": 100}, rule=rule)
    assert phrases(c, DONE)["Yes"] == "passes (at least two-thirds) · final"
    assert verdict(c, standings(c, DONE)) == "passes with 200 yes (at least two-thirds)"
    assert race_status(complete(c)) == "final · passes"
    assert over_the_line(c) == frozenset({"Yes"}) and race_facts(c).crossed
    short = race({"Yes": 199, "No": 101}, rule=rule)
    assert phrases(short, DONE)["Yes"] == "fails (needs at least two-thirds) · final"
    assert verdict(short, standings(short, DONE)) == "fails: yes needs at least two-thirds"
    assert over_the_line(short) == frozenset() and not race_facts(short).crossed
    assert line_label(c) == "two-thirds to pass" and cut_line(c) == pytest.approx(2 / 3)
    # Every existing line's fraction is its decimal, as before.
    for share in (0.3, 0.35, 0.4, 0.55, 0.6):
        assert ThresholdRule("share", share).fraction == Fraction(str(share))
    assert ThresholdRule("share", 0.5555).fraction == Fraction("0.5555")


# --- Illinois's second test ---------------------------------------------------------------------


def test_under_60_but_over_half_may_still_pass():
    rule = il()
    c = race({"Yes": 587, "No": 413}, rule=rule)
    row = standings(c, DONE)[0]
    assert row.need.state is State.OTHER_TEST
    assert row.phrase == (
        "fails the 60 % test; may still pass with a majority of all ballots cast, "
        "which the feed does not give"
    )
    assert (row.compact, row.tiny) == ("may pass by ballots cast", "other test")
    assert verdict(c, standings(c, DONE)) == row.phrase
    assert race_status(complete(c)) == "final · under 60 %, may pass by ballots cast"
    text = " ".join([row.phrase, verdict(c, standings(c, DONE)), race_status(complete(c))])
    assert "fails ·" not in text and "final · fails" not in text


def test_passing_the_line_and_failing_both_tests():
    rule = il()
    c = race({"Yes": 600, "No": 400}, rule=rule)
    assert phrases(c, DONE)["Yes"] == "passes (at least 60 %) · final"
    assert race_status(complete(c)) == "final · passes"
    # Half or less of the votes on the question is half or less of every ballot cast: fails both.
    for yes, no in ((500, 500), (450, 550)):
        c = race({"Yes": yes, "No": no}, rule=rule)
        assert (
            phrases(c, DONE)["Yes"]
            == "fails (needs at least 60 %, or a majority of all ballots cast) · final"
        )
        assert (
            verdict(c, standings(c, DONE))
            == "fails: yes needs at least 60 %, or a majority of all ballots cast"
        )
        assert race_status(complete(c)) == "final · fails"


def test_while_counting():
    rule = il()
    c = race({"Yes": 540, "No": 460}, rule=rule)
    # 60 % is out of reach even with all of the 50 votes out, but a majority of ballots is not.
    assert phrases(c, Outstanding(30, 10, 50, hard=True))["Yes"] == (
        "60 % out of reach (would need 180 %); may still pass with a majority of all ballots cast"
    )
    low = race({"Yes": 300, "No": 700}, rule=rule)
    assert phrases(low, Outstanding(100, 50, 200, hard=True))["Yes"] == "out of reach (would need 210 %)"
    assert phrases(c, Outstanding(1000, 500, 2000))["Yes"] == "needs 66.0 % of the outstanding vote"


# --- JSON, the feed, AP, the store --------------------------------------------------------------


def test_json_round_trip_and_existing_rules_unchanged():
    rule = il()
    assert rule.to_json()["or_ballots_majority"] is True
    assert ThresholdRule.from_json(rule.to_json()) == rule
    assert ThresholdRule.from_json(nh().to_json()).fraction == Fraction(2, 3)
    assert json.dumps(ThresholdRule("share", 0.55, measure=True, at_least=True).to_json()) == (
        '{"rule": "share", "share": 0.55, "measure": true, "at_least": true}'
    )
    with pytest.raises(ValueError, match="ballot question"):
        ThresholdRule.majority(or_ballots_majority=True)
    snap = Snapshot(Election(id="e", name="E"), (race({"Yes": 587, "No": 413}, rule=rule),), version="1")
    doc = json.loads(dump_native(snap))
    assert doc["contests"][0]["threshold"]["or_ballots_majority"] is True
    back = parse_native(dump_native(snap)).contests[0].threshold
    assert back == rule and back.source == rule.source != "default"
    doc["contests"][0]["threshold"] = {"rule": "majority", "or_ballots_majority": True}
    with pytest.raises(ValueError, match="only a ballot question"):
        parse_native(json.dumps(doc).encode())
    summary = contest_summary(snap.contests[0])
    assert summary["candidates"][0]["standing"].startswith("fails the 60 % test; may still pass")


def _ap(state: str, office: str, threshold: float, yes: int, no: int) -> bytes:
    return json.dumps(
        {
            "electionDate": "2022-11-08",
            "races": [
                {
                    "raceID": "1",
                    "raceType": "Ballot Issue",
                    "officeName": office,
                    "statePostal": state,
                    "winThreshold": threshold,
                    "reportingUnits": [
                        {
                            "statePostal": state,
                            "level": "state",
                            "candidates": [
                                {"candidateID": "y", "first": "", "last": "Yes", "voteCount": yes},
                                {"candidateID": "n", "first": "", "last": "No", "voteCount": no},
                            ],
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_ap_thresholds_take_the_tables_exact_line_and_second_test():
    (c,) = parse_ap_v2(_ap("NH", "Constitutional Amendment", 66.67, 200, 100)).contests
    assert c.threshold.fraction == Fraction(2, 3) and c.threshold.source == "feed"
    assert "AP winThreshold 66.67" in c.threshold.basis
    assert phrases(c, DONE)["Yes"].startswith("passes")
    (c,) = parse_ap_v2(_ap("IL", "Constitutional Amendment", 60, 587, 413)).contests
    assert c.threshold.or_ballots_majority and c.threshold.source == "feed"
    assert phrases(c, DONE)["Yes"].startswith("fails the 60 % test; may still pass")
    # A state without such a row keeps AP's number as it states it.
    (c,) = parse_ap_v2(_ap("OH", "Issue 1", 60, 587, 413)).contests
    assert c.threshold == ThresholdRule("share", 0.6, runoff="none", measure=True)


def test_the_users_override_keeps_them(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as store:
        store.set_rule_override("e1", "c1", il().with_source("user"))
        store.set_rule_override("e1", "c2", nh().with_source("user"))
    with Store(tmp_path / "store.sqlite") as store:
        got = store.rule_overrides("e1")
        assert got["c1"].or_ballots_majority and got["c2"].fraction == Fraction(2, 3)
