"""A write-in line inside the top N of a seat race holds no seat (tracker.core.standing,
docs/contest-rules.md "What the words may claim"): it is never in, elected or clinched, a named
candidate it pushes below the N-th place is "behind the write-in votes", not "not elected", and
those further down are measured against the N-th *named* candidate.

The races named "constructed" are made up here (names and counts); no real file we hold has a
write-in line inside the top N of a contested race, so the real Allegheny 2023 file checks the
other side: its write-in lines hold no seat, and its two races where "Write-in" outpolls the only
named candidate still elect that candidate (too few write-in names could each have as many)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tracker.core.model import Candidate, Contest, ReportingUnit
from tracker.core.standing import WRITE_IN_VOTES, cut_line, line_label, standings, verdict
from tracker.core.threshold import Outstanding, State, ThresholdRule
from tracker.core.write_ins import is_write_in

DONE = Outstanding.none()
SEAT_WORDS = ("elected", "clinched", "in ·", "leads", "tied", "unopposed", "uncontested")


def constructed_race(votes: dict[str, int], vote_for: int) -> Contest:
    cands = tuple(Candidate(id=n, name=n, ballot_order=i) for i, n in enumerate(votes))
    unit = ReportingUnit(id="u", name="Constructed unit", votes={n: {"Total": v} for n, v in votes.items()})
    return Contest(
        id="c",
        name="Constructed council, vote for N",
        candidates=cands,
        units=(unit,),
        vote_for=vote_for,
        threshold=ThresholdRule.plurality(),
    )


def rows_by_name(contest: Contest, outstanding: Outstanding | None):
    return {r.candidate.name: r for r in standings(contest, outstanding)}


def assert_holds_no_seat(row) -> None:
    assert row.need.state is State.WRITE_INS
    assert row.phrase == WRITE_IN_VOTES
    for text in (row.phrase, row.compact, row.tiny):
        assert not any(word in text for word in SEAT_WORDS), text


# vote for 3: the write-in line is 2nd
THREE = {"Ada": 900, "Write-in": 800, "Bo": 700, "Cy": 650, "Di": 100}


def test_constructed_vote_for_3_write_in_line_second_is_not_elected():
    c = constructed_race(THREE, vote_for=3)
    rows = rows_by_name(c, DONE)
    assert_holds_no_seat(rows["Write-in"])
    assert rows["Ada"].phrase == "elected" and rows["Bo"].phrase == "elected"
    # Cy is 4th place, 3rd name: in, unless one write-in name has 650 votes of the 800
    cy = rows["Cy"]
    assert cy.need.state is State.BEHIND_WRITE_INS
    assert cy.phrase == "behind the write-in votes · wins a seat unless one write-in name has as many · final"
    assert cy.tiny == cy.compact == "behind write-ins"
    # Di needs to pass Cy (the 3rd name) whatever the write-ins are; not the write-in line
    assert rows["Di"].need.state is State.NOT_ELECTED and rows["Di"].need.votes_needed == 551
    assert verdict(c, standings(c, DONE)) == "elected: Ada, Bo; waiting on how the write-in votes split: Cy"
    # the line is at the 3rd name, and says so
    assert cut_line(c) == 650 / sum(THREE.values())
    assert line_label(c) == "cut: 3rd named"


def test_constructed_vote_for_3_while_counting():
    c = constructed_race(THREE, vote_for=3)
    rows = rows_by_name(c, Outstanding(100, 50, 200, hard=True))
    assert_holds_no_seat(rows["Write-in"])
    assert rows["Ada"].phrase == "clinched a seat"  # 250 ahead of the first one out, 200 out at most
    assert rows["Bo"].phrase == "in · 50 votes ahead of the cut"
    assert rows["Cy"].phrase == "behind the write-in votes · in unless one write-in name has as many"
    assert rows["Di"].phrase == "eliminated (needs 551 votes to pass Cy, more than are out)"
    assert "Write-in" not in " ".join(r.phrase for r in rows.values())
    assert verdict(c, standings(c, Outstanding(100, 50, 200, hard=True))) == ""


def test_constructed_single_seat_write_in_line_leading_elects_nobody():
    c = constructed_race({"Write-in": 600, "Ada": 500, "Bo": 100}, vote_for=1)
    rows = rows_by_name(c, DONE)
    assert_holds_no_seat(rows["Write-in"])
    assert (
        rows["Ada"].phrase == "behind the write-in votes · wins unless one write-in name has as many · final"
    )
    assert rows["Bo"].need.state is State.NOT_ELECTED and rows["Bo"].need.votes_needed == 401
    assert verdict(c, standings(c, DONE)) == "waiting on how the write-in votes split: Ada"


def test_constructed_lead_over_a_write_in_line_is_a_lead_over_any_write_in_name():
    c = constructed_race({"Ada": 500, "Write-in": 400, "Bo": 100}, vote_for=1)
    near = rows_by_name(c, Outstanding(50, 20, 150, hard=True))
    assert near["Ada"].phrase == "leads by 100 votes"  # over the write-in line, not over Bo
    assert near["Bo"].phrase == "eliminated (needs 401 votes to pass Ada, more than are out)"
    assert_holds_no_seat(near["Write-in"])
    assert rows_by_name(c, Outstanding(50, 20, 90, hard=True))["Ada"].phrase == "clinched"
    assert rows_by_name(c, DONE)["Ada"].phrase == "elected"


def test_constructed_two_write_in_lines_take_two_names_to_pass():
    c = constructed_race({"Ada": 900, "Write-in": 500, "Scattered Write-ins": 400, "Bo": 300, "Cy": 100}, 3)
    rows = rows_by_name(c, DONE)
    assert_holds_no_seat(rows["Write-in"])
    assert_holds_no_seat(rows["Scattered Write-ins"])
    assert rows["Ada"].phrase == "elected"
    assert rows["Bo"].phrase.endswith("unless 2 write-in names have as many · final")
    assert rows["Cy"].need.state is State.BEHIND_WRITE_INS


def test_allegheny_2023_write_in_lines_hold_no_seat(shared_data: Path):
    path = shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip"
    with zipfile.ZipFile(path) as z:
        from tracker.feeds.clarity import parse_detail_xml

        snap = parse_detail_xml(z.read(z.namelist()[0]), source=str(path))
    lines = 0
    for c in snap.contests:
        if c.threshold.measure or c.partial:
            continue
        for row in standings(c, DONE):
            if is_write_in(row.candidate.name):
                lines += 1
                assert row.need.state is State.WRITE_INS, (c.name, row.phrase)
    assert lines > 300
    # "Write-in" outpolls the only name in two races, but takes 2 (3) write-in names to unseat them
    avalon = next(c for c in snap.contests if c.name == "Member of Council Avalon Ward 1")
    assert avalon.vote_for == 2
    rows = rows_by_name(avalon, DONE)
    assert rows["Write-in"].votes == 153 and rows["Paul Morack"].votes == 138
    assert rows["Paul Morack"].phrase == "elected · uncontested"
    emsworth = next(c for c in snap.contests if c.name == "Member of Council Emsworth (4 Year Term)")
    rows = rows_by_name(emsworth, DONE)
    assert rows["Write-in"].votes == 594 and rows["Michael V. Mary, Jr."].phrase == "elected · uncontested"
