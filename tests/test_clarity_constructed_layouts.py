"""Clarity contests laid out in unusual ways, CONSTRUCTED for the tests (not real feeds).

The parser reads a contest's cells into one array (``model.VoteTable``) when every vote type of
every choice lists the contest's units in the same order; any other layout is assembled unit by
unit. Each test below builds a small constructed detail XML whose layout breaks that rule in one
way and checks every cell lands on its own unit, candidate and vote type — a parser that trusted
the order of the rows instead of their names would put votes on the wrong precinct here.

Also: ``plausible.check_snapshot`` proves most contests fine with one search and one maximum
(issue 21); a contest it cannot prove fine is checked value by value, and the sentence that refuses
it is the same either way.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from tracker.core.errors import FeedError
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot, VoteTable
from tracker.feeds import plausible
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_zip import read_detail_zip
from tracker.feeds.plausible import check_snapshot

HEAD = """<?xml version="1.0"?>
<!-- CONSTRUCTED for the tests: not a real feed -->
<ElectionResult>
  <Timestamp>11/3/2020 11:30:00 PM EST</Timestamp>
  <ElectionName>Constructed General</ElectionName>
  <ElectionDate>11/3/2020</ElectionDate>
  <Region>Constructed</Region>
  <VoterTurnout totalVoters="30" ballotsCast="20" voterTurnout="66.67">
    <Precincts>
      <Precinct name="North" totalVoters="10" ballotsCast="7" percentReporting="4" />
      <Precinct name="South" totalVoters="10" ballotsCast="7" percentReporting="4" />
      <Precinct name="West" totalVoters="10" ballotsCast="6" percentReporting="4" />
    </Precincts>
  </VoterTurnout>
"""


def _vote_type(name: str, rows: list[tuple[str, int]]) -> str:
    cells = "".join(f'<Precinct name="{unit}" votes="{n}" />' for unit, n in rows)
    return f'<VoteType name="{name}" votes="{sum(n for _, n in rows)}">{cells}</VoteType>'


def _sum(types: dict[str, list[tuple[str, int]]]) -> int:
    return sum(n for rows in types.values() for _, n in rows)


def _contest(choices: dict[str, dict[str, list[tuple[str, int]]]], extra: str = "") -> bytes:
    """A constructed detail XML with one contest: choice -> vote type -> [(precinct, votes)]."""
    body = "".join(
        f'<Choice key="{cid}" text="Candidate {cid}" totalVotes="{_sum(types)}">'
        + "".join(_vote_type(vt, rows) for vt, rows in types.items())
        + "</Choice>"
        for cid, types in choices.items()
    )
    contest = f'<Contest key="9" text="Constructed Race" voteFor="1">{extra}{body}</Contest>'
    return (HEAD + contest + "</ElectionResult>").encode()


def _cells(snapshot: Snapshot) -> dict[tuple[str, str, str], int]:
    """(precinct, candidate, vote type) -> votes, read back through each unit's ``votes``."""
    (contest,) = snapshot.contests
    return {
        (unit.name, cid, vt): n
        for unit in contest.units
        for cid, by_type in unit.votes.items()
        for vt, n in by_type.items()
    }


def _expected(choices: dict[str, dict[str, list[tuple[str, int]]]]) -> dict[tuple[str, str, str], int]:
    out: dict[tuple[str, str, str], int] = {}
    for cid, types in choices.items():
        for vt, rows in types.items():
            for unit, n in rows:
                out[(unit, cid, vt)] = out.get((unit, cid, vt), 0) + n
    return out


USUAL = {
    "a": {
        "Election Day": [("North", 1), ("South", 2), ("West", 3)],
        "Absentee": [("North", 4), ("South", 5), ("West", 6)],
    },
    "b": {
        "Election Day": [("North", 7), ("South", 8), ("West", 9)],
        "Absentee": [("North", 10), ("South", 11), ("West", 12)],
    },
}


def _variant(**changes: list[tuple[str, int]]) -> dict[str, dict[str, list[tuple[str, int]]]]:
    """USUAL with some (candidate_votetype) rows replaced, e.g. ``b_Absentee=[...]``."""
    out = {cid: dict(types) for cid, types in USUAL.items()}
    for key, rows in changes.items():
        cid, vt = key.split("_", 1)
        out[cid][vt.replace("_", " ")] = rows
    return out


def test_constructed_usual_layout_is_one_table_with_every_cell_in_place() -> None:
    snapshot = parse_detail_xml(_contest(USUAL))
    (contest,) = snapshot.contests
    assert contest.vote_table is not None
    assert _cells(snapshot) == _expected(USUAL)
    assert [u.name for u in contest.units] == ["North", "South", "West"]
    assert contest.unit_totals == {"a": 21, "b": 57}
    assert contest.feed_warnings == ()


@pytest.mark.parametrize(
    "choices",
    [
        # one vote type lists the same precincts in another order
        _variant(b_Absentee=[("West", 12), ("North", 10), ("South", 11)]),
        # ... and the first choice's first vote type too (the order the others are compared with)
        _variant(a_Election_Day=[("South", 2), ("West", 3), ("North", 1)]),
        # one vote type leaves a precinct out (not reported there: no cell, not a zero)
        _variant(a_Absentee=[("North", 4), ("West", 6)]),
        # one vote type names a precinct the others do not
        _variant(b_Election_Day=[("North", 7), ("South", 8), ("West", 9), ("East", 13)]),
        # one vote type as long as the others, with one precinct swapped for another
        _variant(b_Absentee=[("North", 10), ("East", 11), ("West", 12)]),
    ],
    ids=["reordered", "first-reordered", "missing", "extra", "swapped"],
)
def test_constructed_odd_layouts_put_every_cell_on_its_own_precinct(
    choices: dict[str, dict[str, list[tuple[str, int]]]],
) -> None:
    snapshot = parse_detail_xml(_contest(choices))
    assert _cells(snapshot) == _expected(choices)
    (contest,) = snapshot.contests
    want = {cid: sum(n for rows in types.values() for _, n in rows) for cid, types in choices.items()}
    assert contest.unit_totals == want
    assert contest.feed_warnings == ()


def test_constructed_choice_with_its_vote_types_in_another_order() -> None:
    choices = {
        "a": USUAL["a"],
        "b": {"Absentee": USUAL["b"]["Absentee"], "Election Day": USUAL["b"]["Election Day"]},
    }
    snapshot = parse_detail_xml(_contest(choices))
    assert _cells(snapshot) == _expected(choices)
    assert [vt.name for vt in snapshot.contests[0].vote_types] == ["Election Day", "Absentee"]


def test_constructed_choice_without_one_vote_type_reports_nothing_there() -> None:
    choices = {"a": USUAL["a"], "b": {"Election Day": USUAL["b"]["Election Day"]}}
    snapshot = parse_detail_xml(_contest(choices))
    assert _cells(snapshot) == _expected(choices)
    north = snapshot.contests[0].units[0]
    assert "Absentee" not in north.votes["b"] and north.votes["a"]["Absentee"] == 4


def test_constructed_precinct_listed_twice_is_added_and_said() -> None:
    choices = _variant(a_Absentee=[("North", 4), ("South", 5), ("North", 6)])
    snapshot = parse_detail_xml(_contest(choices))
    assert _cells(snapshot) == _expected(choices)  # North's two rows added: 10
    (contest,) = snapshot.contests
    assert any("North is listed twice" in w for w in contest.feed_warnings)


def test_constructed_contest_level_row_names_a_precinct_no_choice_lists() -> None:
    rows = (
        '<VoteType name="Number of Precincts for Race" votes="4">'
        + "".join(f'<Precinct name="{p}" votes="1" />' for p in ("North", "South", "West", "East"))
        + "</VoteType>"
    )
    snapshot = parse_detail_xml(_contest(USUAL, extra=rows))
    (contest,) = snapshot.contests
    assert [u.name for u in contest.units] == ["North", "South", "West", "East"]
    assert _cells(snapshot) == _expected(USUAL)
    assert contest.units[3].total() == 0


def test_constructed_subtotal_that_differs_from_its_precincts_is_a_warning() -> None:
    data = _contest(USUAL).replace(
        b'<VoteType name="Absentee" votes="15">', b'<VoteType name="Absentee" votes="16">', 1
    )
    (contest,) = parse_detail_xml(data).contests
    assert contest.feed_warnings == (
        "Constructed Race: feed subtotal for Candidate a (Absentee) is 16, its precincts sum to 15",
    )
    assert contest.vote_table is not None


# --- check_snapshot: the quick proof and the value-by-value checks say the same -----------------


def _refusal(snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch, *, quick: bool) -> str:
    with monkeypatch.context() as m:
        if not quick:
            m.setattr(plausible, "_plainly_fine", lambda contest: False)
        with pytest.raises(FeedError) as caught:
            check_snapshot(snapshot, "constructed")
    return str(caught.value)


def _table_snapshot(*, unit_name: str = "North", registered: int | None = 10, cell: int = 5) -> Snapshot:
    votes = np.array([[[cell, 1]], [[2, 3]]], dtype=np.int64)  # 2 units × 1 candidate × 2 types
    table = VoteTable(["a"], ["Election Day", "Absentee"], votes, np.ones((1, 2), dtype=bool))
    units = (
        ReportingUnit(id="c/North", name=unit_name, votes=table.row(0), registered=registered),
        ReportingUnit(id="c/South", name="South", votes=table.row(1)),
    )
    contest = Contest(id="9", name="Constructed Race", candidates=(Candidate("a", "A"),), units=units)
    election = Election(id="constructed", name="Constructed", date=None)
    return Snapshot(election=election, contests=(contest,), version="v1")


@pytest.mark.parametrize(
    "snapshot",
    [
        _table_snapshot(unit_name="North\ud800"),
        _table_snapshot(registered=10**10 + 1),
        _table_snapshot(cell=10**10 + 1),
    ],
    ids=["surrogate-in-a-unit-name", "registered-over-10^10", "a-cell-over-10^10"],
)
def test_constructed_implausible_table_contest_is_refused_in_the_same_words(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert snapshot.contests[0].vote_table is not None
    assert _refusal(snapshot, monkeypatch, quick=True) == _refusal(snapshot, monkeypatch, quick=False)


def test_constructed_plausible_table_contest_is_proven_fine_at_once() -> None:
    snapshot = _table_snapshot()
    assert plausible._plainly_fine(snapshot.contests[0])
    assert check_snapshot(snapshot) is snapshot
    bool_count = dataclasses.replace(
        snapshot.contests[0], units=(dataclasses.replace(snapshot.contests[0].units[0], registered=True),)
    )
    assert not plausible._plainly_fine(bool_count)  # not an int count: checked one by one


def test_every_real_clarity_contest_is_proven_fine_at_once(shared_data: Path) -> None:
    files = [
        *sorted(shared_data.glob("clarity/*.xml")),
        *sorted(shared_data.glob("ga06-2017-04-18/*_detail.xml")),
    ]
    zips = sorted(shared_data.glob("clarity/*detailxml.zip"))
    proven = 0
    for data in [*(p.read_bytes() for p in files), *(read_detail_zip(p.read_bytes()) for p in zips)]:
        snapshot = parse_detail_xml(data)
        assert check_snapshot(snapshot) is snapshot
        proven += sum(plausible._plainly_fine(c) for c in snapshot.contests)
    assert proven > 1000
