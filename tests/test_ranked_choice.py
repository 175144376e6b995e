"""Ranked-choice races (Maine, Alaska's general election, New York City's primaries): the rule, the
table's rows and years, the words (a majority of first choices wins outright; below it the rounds
decide, which the feed does not show: never "elected" for a leader below 50 %, never "runoff"),
and every place that reads the rule. The races here are constructed (``race``), not a feed's: the
Maine-like one has the first choices of Maine's 2nd district, 2018, as reported."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_contest_rules import phrases, race
from tracker.core.alerts import AlertKind, RaceState, VersionRef, over_the_line, race_alerts
from tracker.core.export import Level, Provenance, provenance_lines
from tracker.core.jurisdiction import load_table, rule_for
from tracker.core.model import Contest, Election, Reporting, Snapshot
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.projection_rule import under_rule
from tracker.core.race_facts import margin_lines, race_facts
from tracker.core.race_status import race_status
from tracker.core.standing import cut_line, line_label, mode, standings, verdict
from tracker.core.summary import contest_summary
from tracker.core.threshold import Outstanding, State, ThresholdRule
from tracker.feeds.ap import parse_ap_v2
from tracker.feeds.native import dump_native, parse_native
from tracker.store import Store

DONE = Outstanding.none()
RCV = ThresholdRule.ranked_choice(source="table", basis="constructed")
#: Maine's 2nd district, 2018: first choices as reported on the night (Poliquin led; Golden won
#: after the rounds). Constructed into one unit here.
ME_CD2 = {"Bruce Poliquin": 134184, "Jared Golden": 132013, "Tiffany Bond": 16552, "William Hoar": 6875}
#: Words a ranked-choice race below the line must never say.
BANNED = ("elected", "runoff", "out of reach", "eliminated", "leads by", "wins")


def complete(contest: Contest) -> Contest:
    """The constructed race with its one unit fully reported."""
    units = tuple(replace(u, reporting=Reporting.COMPLETE) for u in contest.units)
    return replace(contest, units=units)


def words(contest: Contest, outstanding: Outstanding | None) -> str:
    rows = standings(contest, outstanding)
    return " ".join([*(r.phrase for r in rows), *(r.compact for r in rows), *(r.tiny for r in rows)])


# --- the rule -----------------------------------------------------------------------------------


def test_the_rule_and_its_json():
    assert (RCV.rule, RCV.share, RCV.runoff) == ("majority", 0.5, "ranked-choice")
    assert RCV.is_ranked_choice and RCV.has_line and not RCV.has_runoff
    assert RCV.label() == "50 % of first choices"
    assert RCV.describe().startswith("ranked choice: a majority of first choices (over 50 %) wins outright")
    assert "runoff" not in RCV.describe()
    assert RCV.to_json() == {
        "rule": "majority",
        "runoff": "ranked-choice",
        "source": "table",
        "basis": "constructed",
    }
    assert ThresholdRule.from_json(RCV.to_json()) == RCV
    assert ThresholdRule.majority() != RCV
    assert ThresholdRule.majority(runoff="none") != RCV
    with pytest.raises(ValueError, match="majority"):
        ThresholdRule("share", 0.4, runoff="ranked-choice")


def test_every_other_rules_json_is_byte_for_byte_as_before():
    before = {
        ThresholdRule.majority(): '{"rule": "majority"}',
        ThresholdRule.majority(runoff="none"): '{"rule": "majority", "runoff": "none"}',
        ThresholdRule.plurality(): '{"rule": "plurality"}',
        ThresholdRule(
            "share", 0.3, runoff="on-request"
        ): '{"rule": "share", "share": 0.3, "runoff": "on-request"}',
        ThresholdRule("share", 0.55, measure=True, at_least=True): (
            '{"rule": "share", "share": 0.55, "measure": true, "at_least": true}'
        ),
        ThresholdRule.majority(measure=True): '{"rule": "majority", "measure": true}',
        ThresholdRule.top(2): '{"rule": "plurality", "advance": 2}',
    }
    for rule, text in before.items():
        assert json.dumps(rule.to_json()) == text
        assert not rule.is_ranked_choice
    assert ThresholdRule.majority().label() == "50 %"


# --- the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("election", "office", "ranked"),
    [
        ("November 6, 2018 General Election", "Representative to Congress District 2", True),
        ("November 6, 2018 General Election", "U.S. Senator", True),
        ("November 3, 2020 General Election", "President and Vice President", True),
        # Governor and the legislature are elected by plurality in Maine's general election.
        ("November 6, 2018 General Election", "Governor", False),
        ("November 6, 2018 General Election", "State Senator District 5", False),
        ("November 6, 2018 General Election", "State Representative District 12", False),
        # Before the law applied: President from 2020, Congress from 2018.
        ("November 6, 2018 General Election", "President", False),
        ("November 8, 2016 General Election", "Representative to Congress District 2", False),
        # Primaries: governor, legislature and Congress from 2018; county offices never.
        ("June 12, 2018 Primary Election", "Governor - Democratic", True),
        ("June 12, 2018 Primary Election", "State Senator District 5", True),
        ("June 12, 2018 Primary Election", "Representative to the Legislature District 12", True),
        ("June 12, 2018 Primary Election", "Representative to Congress District 2", True),
        ("June 12, 2018 Primary Election", "Sheriff", False),
        ("June 12, 2018 Primary Election", "Judge of Probate", False),
        ("June 12, 2018 Primary Election", "County Commissioner District 1", False),
        ("June 14, 2016 Primary Election", "Governor", False),
        ("March 5, 2024 Presidential Primary", "President", False),
        ("Special Election 2019", "Representative to Congress District 1", True),
    ],
)
def test_maine_rows(election: str, office: str, ranked: bool):
    rule = rule_for("ME", election, office)
    assert rule.is_ranked_choice is ranked, (election, office)
    if ranked:
        assert rule.source == "table" and "21-A M.R.S." in rule.basis and "723-A" in rule.basis
    else:
        assert rule.rule == "plurality"


def test_alaska_general_from_2022_and_its_primary_kept():
    for election in ("November 8, 2022 General Election", "August 16, 2022 Special General Election"):
        for office in ("U.S. Representative", "Governor/Lieutenant Governor", "State Senate District A"):
            rule = rule_for("AK", election, office)
            assert rule.is_ranked_choice and "AS 15.15.350" in rule.basis, (election, office)
    assert rule_for("AK", "November 5, 2024 General Election", "President").is_ranked_choice
    assert not rule_for("AK", "November 3, 2020 General Election", "U.S. Representative").is_ranked_choice
    # The top-four primary row is unchanged.
    primary = rule_for("AK", "August 16, 2022 Primary", "U.S. Representative")
    assert primary.advance == 4 and not primary.is_ranked_choice
    # Judicial retention stays a question decided by a majority.
    retain = rule_for("AK", "November 8, 2022 General Election", "Judge X", choices=["Yes", "No"])
    assert retain.measure and not retain.is_ranked_choice


@pytest.mark.parametrize(
    ("election", "office", "ranked"),
    [
        ("June 22, 2021 Primary Election", "DEM Mayor Citywide", True),
        ("June 22, 2021 Primary Election", "DEM Comptroller Citywide", True),
        ("June 22, 2021 Primary Election", "DEM Public Advocate", True),
        ("June 22, 2021 Primary Election", "DEM Borough President Brooklyn", True),
        ("June 22, 2021 Primary Election", "DEM Member of the City Council 35th Council District", True),
        ("February 2, 2021 Special Election", "Member of the City Council 24th Council District", True),
        # Other cities, state offices, before 2021 and the general election: not ranked-choice.
        ("June 22, 2021 Primary Election", "Mayor", False),
        ("June 22, 2021 Primary Election", "State Comptroller", False),
        ("June 23, 2020 Primary Election", "DEM Mayor Citywide", False),
        ("November 2, 2021 General Election", "Mayor Citywide", False),
    ],
)
def test_new_york_city_rows(election: str, office: str, ranked: bool):
    rule = rule_for("NY", election, office)
    assert rule.is_ranked_choice is ranked, (election, office)
    assert not ranked or "1057-g" in rule.basis


def test_the_tables_election_column_takes_any_kind_from_a_year(tmp_path: Path):
    table = tmp_path / "rules.csv"
    table.write_text(
        "state,election,office,rule,share,runoff,measure,at_least,source\n"
        "ZZ,general from 2020,*,majority,,ranked-choice,no,no,constructed general row\n"
        "ZZ,any from 2018,*,majority,,top-two,no,no,constructed any row\n"
        "*,any,*,plurality,,none,no,no,constructed default\n",
        encoding="utf-8",
    )
    general, any_kind, default = load_table(table)
    assert (general.election, general.since, general.rule.runoff) == ("general", 2020, "ranked-choice")
    assert (any_kind.election, any_kind.since) == ("any", 2018)
    assert general.matches("ZZ", "general", "Governor", False, 2020)
    assert not general.matches("ZZ", "general", "Governor", False, 2019)
    assert general.matches("ZZ", "general", "Governor", False, 0)  # no year: today's law
    assert not general.matches("ZZ", "primary", "Governor", False, 2022)
    assert any_kind.matches("ZZ", "primary", "Governor", False, 2018)
    assert any_kind.matches("ZZ", "special", "Governor", False, 2024)
    assert not any_kind.matches("ZZ", "special", "Governor", False, 2016)
    assert default.since == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "state,election,office,rule,share,runoff,measure,at_least,source\n"
        "ZZ,share from 2020,*,plurality,,none,no,no,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="from YEAR"):
        load_table(bad)


# --- the words ----------------------------------------------------------------------------------


def test_below_the_line_the_rounds_decide_never_elected_or_runoff():
    c = race(ME_CD2, rule=RCV)
    assert mode(c) == "line" and line_label(c) == "50 % of first choices" and cut_line(c) == 0.5
    final = phrases(c, DONE)
    assert final == {
        "Bruce Poliquin": "most first choices · ranked-choice rounds decide",
        "Jared Golden": "ranked-choice rounds decide",
        "Tiffany Bond": "ranked-choice rounds decide",
        "William Hoar": "ranked-choice rounds decide",
    }
    rows = standings(c, DONE)
    assert {r.need.state for r in rows} == {State.ROUNDS}
    assert rows[0].compact == "most 1st choices · to rounds" and rows[0].tiny == "to rounds"
    assert verdict(c, rows) == (
        "nobody is over 50 % of first choices: the ranked-choice rounds decide, which the feed does "
        "not show (most first choices: Bruce Poliquin)"
    )
    text = words(c, DONE) + verdict(c, rows)
    for banned in BANNED:
        assert banned not in text, banned


def test_while_counting():
    c = race(ME_CD2, rule=RCV)
    # Room to reach a majority at the top of the range, short of it at the expected count.
    est = standings(c, Outstanding(20000, 10000, 40000))
    assert est[0].phrase == (
        "no majority of first choices unless the count runs far over its estimate (would need 103.2 %)"
    )
    assert est[0].compact == "no majority (est.)" and est[0].estimated
    assert est[2].phrase == "no majority of first choices (est.)"
    # Far out of reach of everything out, on a stated count: the rounds will decide.
    hard = standings(c, Outstanding(2000, 1000, 3000, hard=True))
    assert hard[0].phrase == "no majority of first choices (would need 404.3 %)" and not hard[0].estimated
    assert verdict(c, hard) == "nobody can reach 50 % of first choices: the ranked-choice rounds will decide"
    assert verdict(c, standings(c, Outstanding(2000, 1000, 3000))) == (
        "nobody can reach 50 % of first choices unless the count runs far over its estimate: "
        "the ranked-choice rounds will decide"
    )
    # The range's top could still lift Poliquin: no "nobody can reach".
    assert verdict(c, standings(c, Outstanding(20000, 10000, 40000, hard=True))) == ""
    for o in (Outstanding(20000, 10000, 40000), Outstanding(2000, 1000, 3000, hard=True), None):
        text = words(c, o)
        for banned in BANNED:
            assert banned not in text, (o, banned)
    near = race({"Ada": 4800, "Bo": 4000, "Cy": 1200}, rule=RCV)
    rows = standings(near, Outstanding(1000, 500, 2000))
    assert rows[0].phrase == "needs 70.1 % of the outstanding vote for a majority of first choices"
    assert rows[0].compact == "needs 70.1 % of what is left" and rows[0].need.state is State.NEEDS


def test_a_majority_of_first_choices_wins_outright():
    c = race({"Ada": 6000, "Bo": 2800, "Cy": 1200}, rule=RCV)
    assert phrases(c, DONE) == {"Ada": "over 50 % of first choices · final", "Bo": "final", "Cy": "final"}
    assert verdict(c, standings(c, DONE)) == (
        "Ada is over 50 % of first choices: a majority of first choices wins outright, no rounds"
    )
    hard = standings(c, Outstanding(400, 200, 600, hard=True))
    assert hard[0].phrase == "clinched a majority of first choices"
    assert (
        verdict(c, hard)
        == "Ada stays over 50 % of first choices even if every outstanding vote goes to others"
    )
    est = standings(c, Outstanding(400, 200, 600))
    assert est[0].phrase == "clinched a majority of first choices unless the count runs far over its estimate"
    assert est[0].compact == "clinched (est.)" and est[0].estimated


def test_exactly_half_is_not_a_majority():
    c = race({"Ada": 500, "Bo": 300, "Cy": 200}, rule=RCV)
    assert phrases(c, DONE)["Ada"] == "most first choices · ranked-choice rounds decide"
    one_more = race({"Ada": 501, "Bo": 300, "Cy": 200}, rule=RCV)
    assert phrases(one_more, DONE)["Ada"] == "over 50 % of first choices · final"


def test_a_tie_and_write_in_lines():
    tied = race({"Ada": 400, "Bo": 400, "Cy": 200}, rule=RCV)
    assert phrases(tied, DONE) == {
        "Ada": "tied for most first choices · ranked-choice rounds decide",
        "Bo": "tied for most first choices · ranked-choice rounds decide",
        "Cy": "ranked-choice rounds decide",
    }
    assert verdict(tied, standings(tied, DONE)).endswith("(tied for most first choices: Ada, Bo)")
    # One write-in name could have as many first choices as Ada: "among the names".
    w = race({"Ada": 400, "Write-in": 400, "Bo": 200}, rule=RCV)
    assert phrases(w, DONE)["Ada"] == "most first choices among the names · ranked-choice rounds decide"
    assert phrases(w, DONE)["Write-in"] == "write-in votes, for names the feed does not give"
    # One write-in name could hold a majority: nobody named is sure to go to the rounds.
    big = race({"Write-in": 520, "Ada": 400, "Bo": 80}, rule=RCV)
    assert phrases(big, DONE)["Ada"] == (
        "ranked-choice rounds decide unless one write-in name is over 50 % of first choices"
    )
    assert verdict(big, standings(big, DONE)) == (
        "no named candidate is over 50 % of first choices, and one write-in name could be; "
        "waiting on how the write-in votes split; if none is, the ranked-choice rounds decide"
    )
    assert race_status(complete(big)) == "final · waiting on write-ins"


def test_a_file_holding_part_of_the_race_says_who_leads_in_the_county():
    c = replace(race(ME_CD2, rule=RCV), partial="constructed: one county's votes only")
    assert phrases(c, DONE)["Bruce Poliquin"] == "leads in this county by 2,171 votes"
    assert cut_line(c) is None and over_the_line(c) == frozenset()


# --- everything that reads the rule -------------------------------------------------------------


def test_the_card_and_the_list():
    c = race(ME_CD2, rule=RCV)
    assert race_status(c) == ""
    assert race_status(complete(c)) == "final · ranked-choice rounds decide"
    over = race({"Ada": 5200, "Bo": 4800}, rule=RCV)
    assert race_status(over) == "Ada over 50 % of first choices so far"
    assert race_status(complete(over)) == "final · Ada over 50 % of first choices"
    facts = race_facts(c)
    assert not facts.crossed and facts.first_choices
    assert margin_lines(facts) == [
        "Bruce Poliquin leads Jared Golden by 0.7 points in first choices "
        "(the ranked-choice rounds are not in the feed)"
    ]
    assert race_facts(over).crossed  # "Over line": over 50 % of first choices now
    assert not race_facts(race({"Ada": 5, "Bo": 4}, rule=ThresholdRule.majority())).first_choices


def _projection(c: Contest) -> ContestProjection:
    cands = tuple(
        CandidateProjection(cid, cid, c.totals[cid], c.share(cid), c.share(cid), 0.40, 0.46, 0.52)
        for cid in c.totals
    )
    return ContestProjection(c.id, c.name, "projected", "", c.total_votes, cands, Outstanding(500, 400, 600))


def test_alerts_speak_of_first_choices():
    before = race({"Bruce Poliquin": 500, "Jared Golden": 400, "Tiffany Bond": 100}, rule=RCV)
    state, _ = race_alerts(RaceState(), before, None, VersionRef(0))
    after = complete(race({"Bruce Poliquin": 500, "Jared Golden": 560, "Tiffany Bond": 100}, rule=RCV))
    _, alerts = race_alerts(state, after, None, VersionRef(1))
    text = {a.kind: a.message for a in alerts}
    assert text[AlertKind.LEAD_CHANGE].startswith(
        "Jared Golden takes the lead in first choices from Bruce Poliquin"
    )
    assert text[AlertKind.FULLY_REPORTED].startswith(
        "its 1 precinct reporting: first choices: Jared Golden 48.28 %"
    )
    crossed = race({"Bruce Poliquin": 500, "Jared Golden": 600}, rule=RCV)
    _, alerts = race_alerts(state, crossed, None, VersionRef(1))
    assert any(a.message.startswith("Jared Golden crossed 50 % of first choices: 54.55 %") for a in alerts)
    # Confident that nobody reaches a majority: the rounds will decide.
    proj = _projection(before)
    low = replace(proj, candidates=tuple(replace(p, p_clear=0.01) for p in proj.candidates))
    _, alerts = race_alerts(RaceState(), before, low, VersionRef(0))
    (confident,) = [a for a in alerts if a.kind is AlertKind.CONFIDENT]
    assert confident.message.startswith("nobody clears 50 % of first choices (best chance")
    assert confident.message.endswith("; the ranked-choice rounds will decide")
    for alert in alerts:
        assert "runoff" not in alert.message and "elected" not in alert.message
    # A majority race keeps its words.
    maj = race({"Ada": 500, "Bo": 400, "Cy": 100}, rule=ThresholdRule.majority())
    st, _ = race_alerts(RaceState(), maj, None, VersionRef(0))
    _, alerts = race_alerts(
        st, race({"Ada": 500, "Bo": 560, "Cy": 100}, rule=ThresholdRule.majority()), None, VersionRef(1)
    )
    assert alerts[0].message.startswith("Bo takes the lead from Ada")


def test_p_over_the_line_is_of_first_choices():
    c = race(ME_CD2, rule=RCV)
    out = under_rule(_projection(c), c)
    assert out is not None and all(cand.p_clear is not None for cand in out.candidates)


def test_parse_json_export_and_the_feed_carry_the_rule():
    c = race(ME_CD2, rule=RCV)
    summary = contest_summary(c)
    assert summary["threshold"] == {
        "rule": "majority",
        "runoff": "ranked-choice",
        "source": "table",
        "basis": "constructed",
    }
    assert summary["rule"]["text"].startswith("ranked choice: a majority of first choices")
    snap = Snapshot(Election(id="e", name="CONSTRUCTED general"), (complete(c),), version="1")
    prov = Provenance("CONSTRUCTED night", "payload", "constructed.json")
    lines = provenance_lines(snap, complete(c), prov, level=Level.UNIT)
    assert any(line.startswith("rule: ranked choice: a majority of first choices") for line in lines)
    assert "result: Bruce Poliquin: 134184 (most first choices · ranked-choice rounds decide)" in lines
    assert "result: Jared Golden: 132013 (ranked-choice rounds decide)" in lines
    assert not any("elected" in line or "runoff" in line for line in lines)
    # tracker-feed/1 carries it, and reads it back as the feed's word.
    doc = json.loads(dump_native(Snapshot(Election(id="e", name="E"), (c,), version="1")))
    assert doc["contests"][0]["threshold"]["runoff"] == "ranked-choice"
    back = parse_native(json.dumps(doc).encode()).contests[0].threshold
    assert back == RCV and back.source == c.threshold.source != "default"
    for bad in (
        {"rule": "share", "share": 0.4, "runoff": "ranked-choice"},
        {"rule": "majority", "measure": True, "runoff": "ranked-choice"},
    ):
        doc["contests"][0]["threshold"] = bad
        with pytest.raises(ValueError, match="ranked-choice goes with a majority rule"):
            parse_native(json.dumps(doc).encode())


def test_parse_and_parse_json_on_a_constructed_feed(capsys: pytest.CaptureFixture[str]):
    """``parse`` and ``parse --json`` of a CONSTRUCTED tracker-feed/1 file (Maine's 2nd district,
    2018: the first choices as reported, split into three made-up units)."""
    from tracker.cli import main

    path = Path(__file__).parent / "data" / "constructed_tracker_feed_me_cd2_first_choices.json"
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Rule: ranked choice: a majority of first choices (over 50 %) wins outright" in out
    assert "most first choices · ranked-choice rounds decide" in out
    assert "runoff" not in out and "elected" not in out
    assert main(["parse", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (contest,) = doc["contests"]
    assert contest["threshold"]["runoff"] == "ranked-choice" and contest["threshold"]["source"] == "feed"
    standing = {c["name"]: c["standing"] for c in contest["candidates"]}
    assert standing["Bruce Poliquin"] == "most first choices · ranked-choice rounds decide"
    assert standing["Jared Golden"] == "ranked-choice rounds decide"


def test_ap_win_threshold_50_keeps_the_rounds_in_maine():
    doc = {
        "electionDate": "2018-11-06",
        "timestamp": "2018-11-07T05:00:00.000Z",
        "races": [
            {
                "raceID": "20978",
                "raceType": "General",
                "officeName": "U.S. House",
                "seatName": "District 2",
                "statePostal": "ME",
                "winThreshold": 50,
                "reportingUnits": [
                    {
                        "statePostal": "ME",
                        "level": "state",
                        "candidates": [
                            {"candidateID": "a", "first": "Bruce", "last": "Poliquin", "voteCount": 134184},
                            {"candidateID": "b", "first": "Jared", "last": "Golden", "voteCount": 132013},
                            {"candidateID": "c", "first": "Tiffany", "last": "Bond", "voteCount": 16552},
                        ],
                    }
                ],
            }
        ],
    }
    (contest,) = parse_ap_v2(json.dumps(doc).encode()).contests
    rule = contest.threshold
    assert rule.is_ranked_choice and rule.source == "feed" and "AP winThreshold 50" in rule.basis
    # Georgia's 50 stays a runoff.
    doc["races"][0]["statePostal"] = doc["races"][0]["reportingUnits"][0]["statePostal"] = "GA"
    (contest,) = parse_ap_v2(json.dumps(doc).encode()).contests
    assert contest.threshold == ThresholdRule.majority()


def test_the_users_override_keeps_the_rounds(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as store:
        store.set_rule_override("e1", "c1", ThresholdRule.ranked_choice(source="user"))
    with Store(tmp_path / "store.sqlite") as store:
        (rule,) = store.rule_overrides("e1").values()
        assert rule.is_ranked_choice and rule.source == "user"


def test_a_real_ap_file_of_2012_keeps_maines_plurality(shared_data: Path):
    """AP's 2012 Maine U.S. Senate race (King won with 52.9 % under plurality): the table's
    ranked-choice row applies from 2018, read from the document's electionDate."""
    from tracker.feeds.registry import parse_file

    path = shared_data / "ap" / "newsdev-elex_20121106_me_fl_senate.json"
    snap = parse_file(path, "auto", source=str(path))
    senate = next(c for c in snap.contests if c.id.startswith("ME-"))
    assert senate.threshold == ThresholdRule.plurality() and not senate.threshold.is_ranked_choice


def test_serve_as_ap_keeps_the_rounds():
    """A ranked-choice race served as AP v2 (``serve --as ap``) states winThreshold 50 and its
    state; read back, the table's row keeps the rounds below the line (not a runoff), by the
    night's date, or under today's law when the night has none (the writer's 1970-01-01)."""
    from tracker.feeds.ap_writer import snapshot_to_ap_v2

    c = complete(race(ME_CD2, rule=RCV))
    c = replace(c, name="Representative to Congress District 2")
    for date in (dt.date(2018, 11, 6), None):
        snap = Snapshot(Election(id="e", name="CONSTRUCTED general", date=date), (c,), version="1")
        doc = json.loads(snapshot_to_ap_v2(snap, state="ME"))
        assert doc["races"][0]["winThreshold"] == 50
        (back,) = parse_ap_v2(json.dumps(doc).encode()).contests
        assert back.threshold.is_ranked_choice, date
        assert "runoff" not in " ".join(r.phrase for r in standings(back, DONE))
    # Before the law applied (2016), Maine's U.S. House race was plurality, and AP's 50 a runoff
    # line the reader takes as AP states it.
    snap = Snapshot(Election(id="e", name="E", date=dt.date(2016, 11, 8)), (c,), version="1")
    (back,) = parse_ap_v2(snapshot_to_ap_v2(snap, state="ME")).contests
    assert not back.threshold.is_ranked_choice


@pytest.mark.parametrize("form", ["xml", "json"])
def test_our_nist_export_keeps_the_rounds(form: str):
    """``export … NIST v2`` states the rule in our extension ("ranked-choice"), and reading our
    own export back keeps it (a majority with a runoff otherwise)."""
    from tracker.feeds.nist import parse_nist
    from tracker.feeds.nist_writer import snapshot_to_nist

    c = complete(race(ME_CD2, rule=RCV))
    snap = Snapshot(
        Election(id="e", name="CONSTRUCTED general", date=dt.date(2018, 11, 6)), (c,), version="1"
    )
    (back,) = parse_nist(snapshot_to_nist(snap, form=form)).contests
    assert back.threshold.is_ranked_choice
    assert phrases(back, DONE)["Bruce Poliquin"] == "most first choices · ranked-choice rounds decide"
