"""Contest rules: each kind of rule, each source of a rule, the phrases at their edges, and the
real files of four states (PA, WV, CO, GA) read with their jurisdiction's rule."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tracker.core.jurisdiction import election_kind, is_measure, load_table, rule_for, state_from
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot
from tracker.core.opening import ballots, opening_race
from tracker.core.standing import cut_line, line_label, mode, standings, verdict
from tracker.core.threshold import Outstanding, State, ThresholdRule, assess
from tracker.feeds.ap import parse_ap_v2
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_json import parse_electionsettings, parse_summary_json, stated_rule
from tracker.feeds.native import dump_native, parse_native
from tracker.store import Store

DONE = Outstanding.none()


def race(
    votes: dict[str, int], *, rule: ThresholdRule, vote_for: int = 1, stated: dict[str, int] | None = None
):
    """A race made up here (constructed, not a feed's): one unit with these votes, ballot order as given."""
    cands = tuple(Candidate(id=n, name=n, ballot_order=i + 1) for i, n in enumerate(votes))
    unit = ReportingUnit(id="u", name="u", votes={n: {"Total": v} for n, v in votes.items()})
    return Contest(
        id="c",
        name="Race",
        candidates=cands,
        units=(unit,),
        vote_for=vote_for,
        threshold=rule,
        reported_totals=stated,
    )


def phrases(contest: Contest, outstanding: Outstanding | None) -> dict[str, str]:
    return {row.candidate.name: row.phrase for row in standings(contest, outstanding)}


# --- each rule ----------------------------------------------------------------------------------


def test_majority_exactly_half_is_a_runoff_of_the_top_two():
    c = race({"Ada": 500, "Bo": 300, "Cy": 200}, rule=ThresholdRule.majority())
    assert phrases(c, DONE) == {"Ada": "runoff", "Bo": "runoff", "Cy": "final"}
    assert verdict(c, standings(c, DONE)) == "nobody is over 50 %: Ada and Bo to a runoff"
    one_more = race({"Ada": 501, "Bo": 300, "Cy": 200}, rule=ThresholdRule.majority())
    assert phrases(one_more, DONE) == {"Ada": "over 50 % · final", "Bo": "final", "Cy": "final"}
    assert cut_line(c) == 0.5 and line_label(c) == "50 %"


def test_majority_without_a_runoff_says_most_votes_not_runoff():
    c = race({"Ada": 450, "Bo": 350, "Cy": 200}, rule=ThresholdRule.majority(runoff="none"))
    assert phrases(c, DONE) == {"Ada": "most votes · final", "Bo": "final", "Cy": "final"}
    assert "runoff" not in " ".join(phrases(c, DONE).values())


def test_north_carolina_30_percent_runoff_only_on_request():
    nc = rule_for("NC", "2024 Primary Election", "US House District 1")
    assert (nc.rule, nc.share, nc.runoff, nc.source) == ("share", 0.3, "on-request", "table")
    assert "163-111" in nc.basis
    # exactly 30 % is not more than 30 %
    c = race({"Ada": 300, "Bo": 290, "Cy": 210, "Di": 200}, rule=nc)
    assert phrases(c, DONE)["Ada"] == "runoff if requested"
    assert phrases(c, DONE)["Cy"] == "final"
    assert verdict(c, standings(c, DONE)) == "nobody is over 30 %: Bo may ask for a runoff"
    c = race({"Ada": 301, "Bo": 289, "Cy": 210, "Di": 200}, rule=nc)
    assert phrases(c, DONE)["Ada"] == "over 30 % · final"


def test_south_dakota_35_percent_for_governor_not_for_the_legislature():
    gov = rule_for("SD", "primary", "Governor")
    assert (gov.rule, gov.share, gov.runoff) == ("share", 0.35, "top-two")
    assert "12-6-51.1" in gov.basis
    assert not rule_for("SD", "primary", "State Representative District 3").has_line


def test_primary_runoff_states_and_plurality_elsewhere():
    for state in ("TX", "AL", "MS", "AR", "OK", "SC", "GA"):
        rule = rule_for(state, "Republican Primary", "Governor")
        assert (rule.rule, rule.runoff, rule.source) == ("majority", "top-two", "table"), state
    for state in ("PA", "WV", "OH", "TX"):
        assert not rule_for(state, "General Election", "Governor").has_line or state == "GA"
    assert rule_for("GA", "general", "US Senate").rule == "majority"
    assert not rule_for("GA", "general", "President of the United States").has_line
    la = rule_for("LA", "Open Primary", "Governor")
    assert (la.rule, la.runoff) == ("majority", "top-two")


def test_vote_for_n_cut_line_phrases_while_counting_and_final():
    c = race({"A": 900, "B": 800, "C": 700, "D": 650, "E": 100}, rule=ThresholdRule.plurality(), vote_for=3)
    assert mode(c) == "seats"
    assert cut_line(c) == pytest.approx(700 / 3150) and line_label(c) == "cut: 3rd place"
    counting = phrases(c, Outstanding(100, 50, 200))
    # 900 > 650 + 200, the top of an estimate of the vote still out: likely, and said so
    assert counting["A"] == "clinched a seat unless the count runs far over its estimate"
    assert phrases(c, Outstanding(100, 50, 200, hard=True))["A"] == "clinched a seat"
    assert counting["C"] == "in · 50 votes ahead of the cut"
    assert counting["D"] == "out · needs 51 votes to pass C"
    assert counting["E"].startswith("out of reach unless the count runs far over its estimate (needs 601")
    hard = phrases(c, Outstanding(100, 50, 200, hard=True))
    assert hard["E"].startswith("eliminated (needs 601 votes to pass C")
    final = phrases(c, DONE)
    assert final == {"A": "elected", "B": "elected", "C": "elected", "D": "not elected", "E": "not elected"}
    assert verdict(c, standings(c, DONE)) == "elected: A, B, C"
    assert "runoff" not in " ".join([*counting.values(), *final.values()])


def test_a_tie_at_the_cut_line_is_said_as_such():
    c = race({"A": 900, "B": 700, "C": 700, "D": 10}, rule=ThresholdRule.plurality(), vote_for=2)
    final = phrases(c, DONE)
    assert final["A"] == "elected"
    assert final["B"] == final["C"] == "tied at the cut line · final"
    assert final["D"] == "not elected"
    assert verdict(c, standings(c, DONE)) == "elected: A; tied at the cut line: B, C"


def test_single_seat_plurality_has_no_line_and_says_who_leads():
    c = race({"A": 480, "B": 470, "C": 50}, rule=ThresholdRule.plurality())
    assert cut_line(c) is None and line_label(c) == ""
    assert phrases(c, None) == {
        "A": "leads by 10 votes",
        "B": "needs 11 votes to pass A",
        "C": "needs 431 votes to pass A",
    }
    assert phrases(c, DONE)["A"] == "elected"


def test_ballot_question_at_least_55_percent():
    co = rule_for("CO", "general", "Amendment B (CONSTITUTIONAL)", choices=["Yes/For", "No/Against"])
    assert co.measure and co.at_least and co.share == 0.55 and co.source == "table"
    exactly = race({"Yes/For": 550, "No/Against": 450}, rule=co)
    assert phrases(exactly, DONE) == {"Yes/For": "passes (at least 55 %) · final", "No/Against": ""}
    short = race({"Yes/For": 549, "No/Against": 451}, rule=co)
    assert phrases(short, DONE)["Yes/For"] == "fails (needs at least 55 %) · final"
    assert verdict(short, standings(short, DONE)) == "fails: yes needs at least 55 %"
    assert line_label(short) == "55 % to pass" and cut_line(short) == 0.55
    # a statutory measure: a simple majority, by default
    prop = rule_for("CO", "general", "Proposition EE", choices=["Yes/For", "No/Against"])
    assert prop.measure and prop.rule == "majority" and not prop.at_least


def test_is_measure_and_election_kind():
    assert (
        is_measure(["Yes", "No"]) and is_measure(["FOR", "AGAINST"]) and is_measure(["Retain", "Not retain"])
    )
    assert not is_measure(["Yes Smith", "Jones"]) and not is_measure(["Yes"])
    assert election_kind("January 5, 2021 Federal Runoff") == "runoff"
    assert election_kind("2014 Primary Election") == "primary"
    assert election_kind("Caucus") == "primary"  # AP's raceType of Iowa's and Nevada's caucuses
    assert election_kind("November 3,2020-General Election") == "general"
    assert election_kind("Whatever") == "any"


# --- phrases at their edges ---------------------------------------------------------------------


def test_need_above_100_percent_is_out_of_reach_with_the_share():
    c = race({"A": 400, "B": 600}, rule=ThresholdRule.majority())
    text = phrases(c, Outstanding(100, 50, 1000, hard=True))["A"]
    # needs 151 of 1,100 at the expected remainder of 100: 151 %
    assert text == "out of reach (would need 151 %)"
    assert "100.0 %" not in text
    # against an estimate of the vote still out, the words say what they rest on
    estimated = phrases(c, Outstanding(100, 50, 1000))["A"]
    assert estimated == "out of reach unless the count runs far over its estimate (would need 151 %)"


def test_probabilities_read_under_1_and_over_99_percent():
    from tracker.ui.bar_texts import percent_text

    assert percent_text(0.004) == "<1 %" and percent_text(0.996) == ">99 %"
    assert percent_text(0.0) == "0 %" and percent_text(1.0) == "100 %"


def test_assess_at_least_rule_counts_the_exact_share():
    rule = ThresholdRule("share", 0.55, at_least=True, measure=True)
    assert assess(55, 100, DONE, rule).state is State.CLEARED
    assert assess(54, 100, DONE, rule).state is State.RUNOFF  # the measure words say "fails"


# --- sources of a rule --------------------------------------------------------------------------


def test_the_table_is_well_formed_and_every_row_cites_its_source():
    rows = load_table()
    assert rows[-1].state == "*" and not rows[-1].rule.has_line  # plurality by default, last
    for row in rows:
        assert len(row.rule.basis) > 20


def test_the_feed_wins_over_the_table():
    stated = ThresholdRule("share", 0.4).with_source("feed", "AP winThreshold 40")
    rule = rule_for("GA", "general", "US Senate", stated=stated)
    assert (rule.share, rule.source) == (0.4, "feed")


def test_default_is_plurality_and_says_the_state_is_unknown():
    rule = rule_for("", "general", "Mayor")
    assert not rule.has_line and rule.source == "default" and "does not say which state" in rule.basis


def test_state_from_region_url_county_and_file_name():
    assert state_from("GA") == "GA"
    assert state_from("Cobb", "https://results.enr.clarityelections.com/GA/Cobb/105369/web.264614/") == "GA"
    assert state_from("Gwinnett") == "GA" and state_from("Allegheny County") == "PA"
    assert state_from("Fulton") == ""  # Fulton County is in eight states
    assert state_from("Floyd", "/d/ga_floyd_2018-12-18.xml") == "GA"
    assert state_from("", "/d/wapo-elex-clarity_GA_2020_summary.json") == "GA"


def test_clarity_electionsettings_threshold_is_the_feeds(shared_data: Path):
    settings = parse_electionsettings(
        (shared_data / "clarity" / "wapo-elex-clarity_GA_105369_v271927_electionsettings.json").read_bytes()
    )
    assert settings.state == "GA"
    # Georgia's runoffthreshold is 1: a switch, not a share, so it states no line of its own and
    # Georgia's table row applies.
    assert stated_rule(settings) is None
    stated = stated_rule(
        type(settings)(
            **{**settings.__dict__, "threshold": ThresholdRule("share", 0.45), "runoff_threshold": 45.0}
        )
    )
    assert stated is not None and stated.source == "feed" and "runoffthreshold 45" in stated.basis
    summary = parse_summary_json(
        (shared_data / "clarity" / "wapo-elex-clarity_GA_105369_v271066_summary.json").read_bytes(),
        source="https://results.enr.clarityelections.com/GA/105369/271066/json/en/summary.json",
    )
    senate = next(c for c in summary.contests if "Perdue" in c.name)
    assert senate.threshold.rule == "majority" and senate.threshold.source == "table"


def test_ap_win_threshold_is_the_feeds():
    doc = {
        "electionDate": "2020-11-03",
        "timestamp": "2020-11-04T05:00:00.000Z",
        "races": [
            {
                "raceID": "1",
                "raceType": "General",
                "officeName": "Mayor",
                "statePostal": "GA",
                "winThreshold": 40,
                "reportingUnits": [
                    {
                        "statePostal": "GA",
                        "level": "state",
                        "candidates": [
                            {"candidateID": "a", "first": "Ada", "last": "A", "voteCount": 10},
                            {"candidateID": "b", "first": "Bo", "last": "B", "voteCount": 5},
                        ],
                    }
                ],
            }
        ],
    }
    (contest,) = parse_ap_v2(json.dumps(doc).encode()).contests
    assert (contest.threshold.share, contest.threshold.source) == (0.4, "feed")
    del doc["races"][0]["winThreshold"]
    (contest,) = parse_ap_v2(json.dumps(doc).encode()).contests
    assert (contest.threshold.rule, contest.threshold.source) == ("majority", "table")  # Georgia


def test_tracker_feed_carries_the_rule_explicitly():
    rule = ThresholdRule("share", 0.55, measure=True, at_least=True, source="table", basis="Colo. Const.")
    snap = Snapshot(Election(id="e", name="E"), (race({"Yes": 60, "No": 40}, rule=rule),), version="1")
    data = json.loads(dump_native(snap))
    assert data["contests"][0]["threshold"] == {
        "rule": "share",
        "share": 0.55,
        "measure": True,
        "at_least": True,
        "basis": "jurisdiction table: Colo. Const.",
    }
    back = parse_native(dump_native(snap)).contests[0].threshold
    # The table's rule read back is the table's, not the document's own word.
    assert back == rule and back.source == "table" and back.basis == "Colo. Const."
    plural = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=ThresholdRule.plurality()),))
    assert parse_native(dump_native(plural)).contests[0].threshold == ThresholdRule.plurality()


def test_tracker_feed_keeps_a_defaulted_rules_origin():
    """A rule the writer's table defaulted (the NYT CSV's conversion: the CSV states no rule) reads
    back as the default, never "as the feed states it"; a rule a document states stays the feed's,
    and a user's stays the document's word (read elsewhere, "set by you" would be false)."""
    default = ThresholdRule.plurality(source="default", basis="Default: the most votes win.")
    snap = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=default),))
    data = json.loads(dump_native(snap))
    assert data["contests"][0]["threshold"]["basis"].startswith("default, no row of the jurisdiction table")
    back = parse_native(dump_native(snap)).contests[0].threshold
    assert (back.source, back.basis) == ("default", "Default: the most votes win.")
    assert back.origin() == "default: the jurisdiction table has no row for this race"
    # Written again, the same document (the origin survives any number of round trips).
    again = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=back),))
    assert dump_native(again) == dump_native(snap)
    stated = ThresholdRule.majority(source="feed", basis="AP winThreshold 50")
    snap = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=stated),))
    back = parse_native(dump_native(snap)).contests[0].threshold
    assert (back.source, back.basis) == ("feed", "AP winThreshold 50")
    assert back.origin() == "as the feed states it"
    user = ThresholdRule.majority(source="user", basis="set in the window 2024-11-05 21:00")
    snap = Snapshot(Election(id="e", name="E"), (race({"A": 6, "B": 4}, rule=user),))
    back = parse_native(dump_native(snap)).contests[0].threshold
    assert back.source == "feed" and back.basis.startswith("set by the user: ")


def test_the_users_override_is_kept_in_the_store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as store:
        assert store.schema_version >= 5
        store.set_rule_override("e1", "c1", ThresholdRule("share", 0.3, runoff="on-request"))
        store.set_rule_override("e1", "c2", ThresholdRule.plurality())
        store.set_rule_override("e2", "c1", ThresholdRule.majority())
    with Store(tmp_path / "store.sqlite") as store:
        rules = store.rule_overrides("e1")
        assert rules == {
            "c1": ThresholdRule("share", 0.3, runoff="on-request"),
            "c2": ThresholdRule.plurality(),
        }
        assert all(r.source == "user" for r in rules.values())
        store.set_rule_override("e1", "c1", None)
        assert set(store.rule_overrides("e1")) == {"c2"}


# --- the feed's own totals ----------------------------------------------------------------------


def test_stated_totals_are_the_result_and_the_units_stay_for_the_model():
    c = race({"A": 90, "B": 10}, rule=ThresholdRule.majority(), stated={"A": 95, "B": 10})
    assert c.totals == {"A": 95, "B": 10} and c.unit_totals == {"A": 90, "B": 10}
    assert c.data_warnings() == ["Race: feed total for A is 95 (shown), its units sum to 90"]
    partial = race({"A": 90, "B": 10}, rule=ThresholdRule.majority(), stated={"A": 95})
    assert partial.totals == partial.unit_totals  # stated for only some candidates: the units


# --- pseudo-contests and the opening race -------------------------------------------------------

CONSTRUCTED = Path(__file__).parent / "data" / "constructed_clarity_pseudo_contests.xml"


def test_pseudo_contests_are_set_aside_and_the_rest_opens():
    snap = parse_detail_xml(CONSTRUCTED.read_bytes(), source=str(CONSTRUCTED))
    assert [c.name for c in snap.contests] == ["Judge of the Court of Common Pleas"]
    assert len(snap.notes) == 3
    assert "REGISTERED VOTERS - Nonpartisan" in snap.notes[0] and "statistics row" in snap.notes[0]
    assert "voteFor=0" in snap.notes[1]
    assert "lists no choices" in snap.notes[2]
    (judge,) = snap.contests
    assert judge.vote_for == 2 and not judge.threshold.has_line  # Allegheny: Pennsylvania, plurality


def test_the_opening_race_is_the_top_of_the_ballot_not_the_most_votes(shared_data: Path):
    path = shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
    snap = parse_detail_xml(path.read_bytes(), source=str(path))
    soil = next(c for c in snap.contests if "Soil" in c.name)
    assert soil.vote_for == 2
    assert max(snap.contests, key=lambda c: c.total_votes) is soil  # the old choice
    assert snap.contest(opening_race(snap.contests)).name.startswith("President of the United States")
    assert opening_race(snap.contests, pinned={soil.id}) == soil.id
    assert ballots(soil) == soil.total_votes / 2
    # no office from the top of a ballot: the most ballots, not votes
    council = race({"A": 600, "B": 500}, rule=ThresholdRule.plurality(), vote_for=2)  # 550 ballots
    unit = ReportingUnit(id="u", name="u", votes={"x": {"Total": 700}})
    catcher = Contest(id="d", name="Dog catcher", candidates=(Candidate("x", "X"),), units=(unit,))
    assert opening_race([council, catcher]) == "d"


# --- real files of four states ------------------------------------------------------------------


def _clarity(path: Path) -> Snapshot:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return parse_detail_xml(z.read(z.namelist()[0]), source=str(path))
    return parse_detail_xml(path.read_bytes(), source=str(path))


def test_pennsylvania_plurality_multi_seat_no_runoff_anywhere(shared_data: Path):
    snap = _clarity(shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip")
    assert len(snap.contests) == 443
    races = [c for c in snap.contests if not c.threshold.measure]
    assert all(not c.threshold.has_line and c.threshold.source == "table" for c in races)
    multi = [c for c in races if c.vote_for > 1]
    assert len(multi) > 100
    for c in multi:
        words = " ".join(phrases(c, DONE).values())
        assert "runoff" not in words and "50 %" not in words
        rows = standings(c, DONE)
        if c.partial:  # a statewide court race: Allegheny's votes only, never "elected" from them
            assert cut_line(c) is None and not any(r.need.state is State.ELECTED for r in rows)
        elif len(c.candidates) > c.vote_for and c.total_votes:
            assert cut_line(c) == pytest.approx(rows[c.vote_for - 1].votes / c.total_votes)
            elected = sum(r.need.state is State.ELECTED for r in rows)
            tied = sum(r.need.state is State.TIED for r in rows)
            assert elected == c.vote_for or tied
    retention = [c for c in snap.contests if c.threshold.measure]
    assert retention and all(
        c.threshold.rule == "majority" and "art. V" in c.threshold.basis for c in retention
    )


def test_west_virginia_plurality(shared_data: Path):
    snap = _clarity(shared_data / "clarity" / "wapo-elex-clarity_wv_counties_11-3.xml")
    for c in snap.contests:
        assert not c.threshold.has_line and "runoff" not in " ".join(phrases(c, DONE).values())


def test_colorado_amendments_need_55_percent(shared_data: Path):
    snap = _clarity(shared_data / "clarity" / "co_2020_general_statewide_detail_20201123.xml")
    amendments = {c.name: c for c in snap.contests if c.name.startswith("Amendment")}
    assert len(amendments) == 4 and all(c.threshold.share == 0.55 for c in amendments.values())
    b = amendments["Amendment B (CONSTITUTIONAL)"]
    assert verdict(b, standings(b, DONE)).startswith("passes with 1,739,945 yes (at least 55 %)")
    props = [c for c in snap.contests if c.name.startswith("Proposition")]
    assert props and all(c.threshold.measure and c.threshold.rule == "majority" for c in props)


def test_georgia_majority_and_its_special_election(shared_data: Path):
    snap = _clarity(shared_data / "clarity" / "ga_2018-01-09_special_statewide_detail.xml")
    assert all(c.threshold.rule == "majority" and c.threshold.runoff == "top-two" for c in snap.contests)
    gwinnett = _clarity(shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml")
    perdue = next(c for c in gwinnett.contests if "Perdue" in c.name)
    assert perdue.threshold.rule == "majority" and perdue.partial and cut_line(perdue) is None
    sheriff = next(c for c in gwinnett.contests if c.name.startswith("Sheriff"))
    assert sheriff.threshold.rule == "majority" and not sheriff.partial and cut_line(sheriff) == 0.5
    chair = next(c for c in gwinnett.contests if c.name.startswith("Co Commission Chair"))
    # "…/Presidente de la Comisión del Condado" is not the presidential-electors row.
    assert chair.threshold.rule == "majority" and "21-2-501" in chair.threshold.basis
    soil = next(c for c in gwinnett.contests if "Soil" in c.name)
    assert mode(soil) == "seats" and "runoff" not in " ".join(phrases(soil, DONE).values())
    assert verdict(soil, standings(soil, DONE)).startswith("elected: ")


def test_alerts_and_the_list_follow_the_rule():
    from tracker.core.alerts import over_the_line
    from tracker.core.race_facts import race_facts

    question = ThresholdRule.majority(runoff="none", measure=True)
    failing = race({"Yes": 400, "No": 600}, rule=question)  # No leads: the question is not over
    assert over_the_line(failing) == frozenset() and not race_facts(failing).crossed
    passing = race({"Yes": 600, "No": 400}, rule=question)
    assert over_the_line(passing) == {"Yes"} and race_facts(passing).crossed
    seats = race({"A": 900, "B": 800, "C": 10}, rule=ThresholdRule.plurality(), vote_for=2)
    assert over_the_line(seats) == frozenset() and not race_facts(seats).crossed


def test_a_race_merged_from_county_files_keeps_the_best_sourced_rule(shared_data: Path):
    """GA-06 2017: Fulton and DeKalb are county names several states use, Cobb is Georgia's only;
    whichever file comes first, the merged race has Georgia's majority rule."""
    from tracker.core.merge import merge_snapshots

    folder = shared_data / "ga06-2017-04-18"
    files = {county: next(folder.glob(f"*{county}*detail*.xml")) for county in ("Fulton", "DeKalb", "Cobb")}
    parts = [parse_detail_xml(p.read_bytes()) for p in files.values()]
    house = lambda snap: next(c for c in snap.contests if c.name == "U.S. Representative, District 6")  # noqa: E731
    assert [house(s).threshold.source for s in parts] == ["default", "default", "table"]
    merged = house(merge_snapshots(parts))
    assert (merged.threshold.rule, merged.threshold.source) == ("majority", "table")


def test_the_field_far_behind_is_simply_out_of_reach():
    c = race({"A": 500, "B": 300, "C": 150, "D": 50}, rule=ThresholdRule.majority())
    words = phrases(c, Outstanding(50, 40, 60, hard=True))
    # B needs 231 more of the largest plausible 60 (531 of 1,060): 385 %; the runner-up keeps it
    assert words["B"] == "out of reach (would need 385 %)"
    assert words["C"] == words["D"] == "out of reach"
    estimated = phrases(c, Outstanding(50, 40, 60))
    assert estimated["B"] == "out of reach unless the count runs far over its estimate (would need 385 %)"
    assert estimated["C"] == estimated["D"] == "out of reach (est.)"


def test_clinched_against_an_estimate_says_what_it_rests_on():
    """Over the line even at the top of the range of the vote still out: "clinched" when the
    feed states that range (every unit's status, precinct counts, its own expected vote), and
    "clinched unless the count runs far over its estimate" when the range is the tracker's
    estimate — the top of an estimate is likely, not a count of ballots."""
    c = race({"A": 800, "B": 150, "C": 50}, rule=ThresholdRule.majority())
    stated = standings(c, Outstanding(100, 50, 200, hard=True))
    estimated = standings(c, Outstanding(100, 50, 200))
    assert stated[0].phrase == "clinched" and not stated[0].estimated
    assert estimated[0].phrase == "clinched unless the count runs far over its estimate"
    assert estimated[0].tiny == "clinched (est.)" and estimated[0].estimated
    assert verdict(c, stated).endswith("even if every outstanding vote goes to others")
    assert verdict(c, estimated).endswith("unless the count runs far over its estimate")


def test_florida_constitutional_amendments_need_at_least_60_percent():
    """Fla. Const. art. XI, § 5(e). In 2024 Amendment 4 had 57 % yes and failed: a tracker drawing
    the line at 50 % would have shown it passing all night. A county charter amendment is not a
    constitutional one: a majority."""
    fl = rule_for(
        "FL", "general", "Amendment 4: Limiting Government Interference with Abortion", choices=["Yes", "No"]
    )
    assert fl.measure and fl.at_least and fl.share == 0.6 and fl.source == "table"
    assert "art. XI, § 5(e)" in fl.basis
    lost = race({"Yes": 5_700, "No": 4_300}, rule=fl)
    assert phrases(lost, DONE)["Yes"] == "fails (needs at least 60 %) · final"
    assert line_label(lost) == "60 % to pass" and cut_line(lost) == 0.6
    exactly = race({"Yes": 6_000, "No": 4_000}, rule=fl)
    assert phrases(exactly, DONE)["Yes"] == "passes (at least 60 %) · final"
    charter = rule_for("FL", "general", "Miami-Dade County Charter Amendment", choices=["Yes", "No"])
    assert charter.rule == "majority" and not charter.at_least
    # a candidate race in Florida is not a measure: plurality, as before
    assert rule_for("FL", "general", "Governor").rule == "plurality"


def test_mississippi_statewide_offices_need_a_majority_since_2020():
    """Ballot Measure 2 (2020): Mississippi's governor and statewide officers need a majority of
    the votes, else a runoff between the top two; other general-election races stay plurality."""
    gov = rule_for("MS", "November 7, 2023 General Election", "Governor")
    assert gov.rule == "majority" and gov.runoff == "top-two" and gov.source == "table"
    assert "Ballot Measure 2" in gov.basis
    assert rule_for("MS", "general", "Lieutenant Governor").rule == "majority"
    assert rule_for("MS", "general", "Commissioner of Insurance").rule == "majority"
    assert rule_for("MS", "general", "State Senate District 12").rule == "plurality"
    # the primaries keep their own row (a majority with a runoff, NCSL)
    assert rule_for("MS", "primary", "State Senate District 12").rule == "majority"
