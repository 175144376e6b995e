"""A write-in line in a line race (majority, a share) or in a file holding part of a race is many
names, not a candidate (tracker.core.standing, docs/contest-rules.md "Write-in lines in line
races"): it never leads, clears the line or takes a runoff place; the runoff is the two *named*
candidates' with the most votes, and where the write-in total is large enough that one write-in
name could take a place (or clear the line), the words wait on how the write-in votes split.

No real file we hold has a write-in line in the top two of a majority or share race (Georgia's
files carry no write-in lines; Allegheny's, Wyoming's and South Carolina's elect by plurality), so
the races named "constructed" are made up here, names and counts. The real files check the rest:
Allegheny 2023's county-file courts (part of a statewide race) and its Emsworth mayor's race read
under a rule a user can set in the window (Race ▸ Contest rule…)."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

from tracker.core.model import Candidate, Contest, ReportingUnit, Snapshot
from tracker.core.standing import WRITE_IN_VOTES, standings, verdict
from tracker.core.summary import contest_summary
from tracker.core.threshold import Outstanding, State, ThresholdRule

DONE = Outstanding.none()
#: What a write-in line may never be said to be.
CANDIDATE_WORDS = (
    "runoff",
    "over ",
    "leads",
    "clinched",
    "most votes",
    "elected",
    "needs",
    "trails",
    "out of",
)


def constructed_race(votes: dict[str, int], rule: ThresholdRule, *, partial: str = "") -> Contest:
    cands = tuple(Candidate(id=n, name=n, ballot_order=i) for i, n in enumerate(votes))
    unit = ReportingUnit(id="u", name="Constructed unit", votes={n: {"Total": v} for n, v in votes.items()})
    return Contest(
        id="c",
        name="Constructed race, one seat",
        candidates=cands,
        units=(unit,),
        threshold=rule,
        partial=partial,
    )


def rows_by_name(contest: Contest, outstanding: Outstanding | None = DONE):
    return {r.candidate.name: r for r in standings(contest, outstanding)}


def said(contest: Contest, outstanding: Outstanding | None = DONE) -> str:
    return verdict(contest, standings(contest, outstanding))


def assert_not_a_candidate(row) -> None:
    assert row.need.state is State.WRITE_INS
    assert row.phrase == WRITE_IN_VOTES
    for text in (row.phrase, row.compact, row.tiny):
        assert not any(word in text for word in CANDIDATE_WORDS), text


GEORGIA = ThresholdRule.majority()  # over 50 %, else the top two to a runoff


def test_constructed_majority_write_in_line_second_takes_no_runoff_place():
    c = constructed_race({"Ada": 450, "Write-in": 300, "Bo": 250}, GEORGIA)
    rows = rows_by_name(c)
    assert_not_a_candidate(rows["Write-in"])
    # two write-in names of 450 each would need 900 of the 300: Ada is in the runoff
    assert rows["Ada"].phrase == "runoff" and rows["Ada"].need.state is State.RUNOFF
    # one write-in name of 250 or more fits in the 300: Bo's place waits on the split
    bo = rows["Bo"]
    assert bo.need.state is State.BEHIND_WRITE_INS
    assert bo.phrase == "runoff unless one write-in name has as many"
    assert bo.tiny == bo.compact == "waiting on write-ins"
    assert said(c) == "nobody is over 50 %: Ada to a runoff; waiting on how the write-in votes split: Bo"
    assert "Write-in" not in said(c)


def test_constructed_majority_small_write_in_line_leaves_the_top_two_named():
    c = constructed_race({"Ada": 400, "Bo": 350, "Write-in": 200, "Cy": 50}, GEORGIA)
    rows = rows_by_name(c)
    assert rows["Ada"].phrase == rows["Bo"].phrase == "runoff"
    assert rows["Cy"].phrase == "final"
    assert_not_a_candidate(rows["Write-in"])
    assert said(c) == "nobody is over 50 %: Ada and Bo to a runoff"


def test_constructed_majority_write_in_line_over_half_clears_nothing():
    c = constructed_race({"Write-in": 550, "Ada": 300, "Bo": 150}, GEORGIA)
    rows = rows_by_name(c)
    assert_not_a_candidate(rows["Write-in"])
    assert rows["Ada"].phrase == "runoff unless one write-in name is over 50 %"
    assert rows["Bo"].phrase == "runoff, waiting on how the write-in votes split"
    assert all(rows[n].need.state is State.BEHIND_WRITE_INS for n in ("Ada", "Bo"))
    assert said(c) == (
        "no named candidate is over 50 %, and one write-in name could be; "
        "waiting on how the write-in votes split: Ada, Bo"
    )


def test_constructed_majority_while_counting_the_write_in_line_needs_nothing():
    c = constructed_race({"Write-in": 600, "Ada": 300, "Bo": 100}, GEORGIA)
    rows = rows_by_name(c, Outstanding(100, 50, 150, hard=True))
    assert_not_a_candidate(rows["Write-in"])  # not "clinched", not "needs … %"
    assert rows["Ada"].need.state is State.OUT_OF_REACH  # even 150 more is not over half of 1,150
    assert said(c, Outstanding(100, 50, 150, hard=True)) == ""
    assert said(c, None) == ""
    assert rows_by_name(c, None)["Write-in"].phrase == WRITE_IN_VOTES


def test_constructed_share_on_request_the_runner_up_is_a_name():
    """North Carolina's 30 %, the runner-up may ask for a second primary."""
    nc = ThresholdRule("share", 0.3, runoff="on-request")
    c = constructed_race({"Ada": 280, "Write-in": 260, "Bo": 250, "Cy": 210}, nc)
    rows = rows_by_name(c)
    assert_not_a_candidate(rows["Write-in"])
    assert rows["Ada"].phrase == "runoff if requested"
    assert rows["Bo"].phrase == "runoff if requested unless one write-in name has as many"
    assert rows["Cy"].phrase == "final"
    assert said(c) == "nobody is over 30 %; waiting on how the write-in votes split: Bo"
    # a write-in line too small to hold the runner-up leaves the names as they are
    c = constructed_race({"Ada": 280, "Bo": 250, "Cy": 210, "Write-in": 200, "Di": 60}, nc)
    assert said(c) == "nobody is over 30 %: Bo may ask for a runoff"
    assert_not_a_candidate(rows_by_name(c)["Write-in"])


def test_constructed_share_below_half_a_named_leader_over_it_may_not_have_most():
    rule = ThresholdRule("share", 0.3, runoff="none")
    c = constructed_race({"Write-in": 400, "Ada": 350, "Bo": 250}, rule)
    rows = rows_by_name(c)
    assert_not_a_candidate(rows["Write-in"])
    assert rows["Ada"].phrase == "over 30 % · final"
    assert (
        said(c)
        == "Ada is over 30 %; waiting on how the write-in votes split: one write-in name could have more"
    )
    # nobody over the line and the most votes win: the most votes are a name's only if no write-in
    # name can have as many
    c = constructed_race(
        {"Write-in": 300, "Ada": 290, "Bo": 240, "Cy": 170}, ThresholdRule("share", 0.3, runoff="none")
    )
    rows = rows_by_name(c)
    assert rows["Ada"].phrase == "most votes unless one write-in name has as many · final"
    assert rows["Bo"].phrase == "final"
    assert said(c) == "nobody is over 30 %; the most votes win; waiting on how the write-in votes split: Ada"


PART = "Constructed: this file covers part of the race"


def test_constructed_part_of_a_race_a_write_in_line_never_leads_in_the_county():
    c = constructed_race({"Write-in": 600, "Ada": 500, "Bo": 100}, GEORGIA, partial=PART)
    rows = rows_by_name(c)
    assert_not_a_candidate(rows["Write-in"])
    assert rows["Ada"].phrase == "leads in this county unless one write-in name has as many"
    assert rows["Ada"].need.state is State.BEHIND_WRITE_INS
    assert rows["Bo"].phrase == "trails in this county by 400 votes"  # behind Ada, not the line
    assert said(c) == (
        "in this county, waiting on how the write-in votes split: Ada; this file covers part of the race"
    )
    # a lead over the write-in line is a lead over any write-in name
    c = constructed_race({"Ada": 500, "Write-in": 400, "Bo": 100}, GEORGIA, partial=PART)
    rows = rows_by_name(c)
    assert rows["Ada"].phrase == "leads in this county by 100 votes"
    assert rows["Bo"].phrase == "trails in this county by 400 votes"
    assert said(c) == "Ada leads in this county; this file covers part of the race"


def _allegheny(shared_data: Path) -> Snapshot:
    from tracker.feeds.clarity import parse_detail_xml

    path = shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip"
    with zipfile.ZipFile(path) as z:
        return parse_detail_xml(z.read(z.namelist()[0]), source=str(path))


def test_allegheny_2023_county_file_courts_name_no_write_in_line(shared_data: Path):
    snap = _allegheny(shared_data)
    supreme = next(c for c in snap.contests if c.name == "Justice of the Supreme Court")
    assert supreme.partial
    rows = rows_by_name(supreme)
    assert_not_a_candidate(rows["Write-in"])
    assert rows["Write-in"].votes == 399
    assert rows["Daniel McCaffery"].phrase == "leads in this county by 91,348 votes"
    assert rows["Carolyn Carluccio"].phrase == "trails in this county by 91,348 votes"
    assert said(supreme) == "Daniel McCaffery leads in this county; this file covers part of the race"
    # every write-in line of a partial race, in every one of them
    for c in snap.contests:
        if c.partial:
            for row in standings(c, DONE):
                if row.candidate.name == "Write-in":
                    assert_not_a_candidate(row)


def test_allegheny_2023_emsworth_mayor_under_a_rule_the_user_sets(shared_data: Path):
    """Pennsylvania elects by plurality; a user may still set a line (Race ▸ Contest rule…).
    Alexander J. Nalevanko 387, Write-in 158: under 75 % with a runoff, the runoff's other place is
    a write-in name's, not the write-in line's."""
    mayor = next(c for c in _allegheny(shared_data).contests if c.name == "Mayor Emsworth")
    rows = rows_by_name(mayor)
    assert rows["Write-in"].votes == 158 and rows["Alexander J. Nalevanko"].votes == 387
    majority = replace(mayor, threshold=ThresholdRule.majority(source="user"))
    assert rows_by_name(majority)["Alexander J. Nalevanko"].phrase == "over 50 % · final"
    assert_not_a_candidate(rows_by_name(majority)["Write-in"])
    assert said(majority) == "Alexander J. Nalevanko is over 50 %"
    high = replace(mayor, threshold=ThresholdRule("share", 0.75, runoff="top-two", source="user"))
    rows = rows_by_name(high)
    assert rows["Alexander J. Nalevanko"].phrase == "runoff"
    assert_not_a_candidate(rows["Write-in"])
    assert said(high) == (
        "nobody is over 75 %: Alexander J. Nalevanko to a runoff; "
        "waiting on how the write-in votes split for the other place"
    )
    # parse --json says the same
    summary = {c["name"]: c["standing"] for c in contest_summary(high, groups=False)["candidates"]}
    assert summary["Write-in"] == WRITE_IN_VOTES and summary["Alexander J. Nalevanko"] == "runoff"
