"""A feed's write-in line ("Write-in": many names' votes) in the alerts' words: never listed among
the leaders as if it were a candidate. Synthetic cases say "Synthetic"; the real one is
Allegheny County's 2023 general (Clarity detail XML, shared data)."""

from __future__ import annotations

from pathlib import Path

from tracker.core.alerts import AlertKind, AlertScanner, RaceState, VersionRef, leading_shares, race_alerts
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.threshold import ThresholdRule
from tracker.feeds.registry import parse_file

ALLEGHENY = "clarity/pa_allegheny_2023-11-07_general_detailxml.zip"


def _race(votes: dict[str, int], names: dict[str, str]) -> Contest:
    """Synthetic: one precinct, fully in, with ``votes`` per choice id named by ``names``."""
    unit = ReportingUnit(
        id="synthetic-p1",
        name="Synthetic Precinct 1",
        reporting=Reporting.COMPLETE,
        votes={cid: {"Total": n} for cid, n in votes.items()},
        precincts_reporting=1,
        precincts_total=1,
    )
    cands = tuple(Candidate(cid, name, ballot_order=i) for i, (cid, name) in enumerate(names.items()))
    return Contest(
        id="race", name="Synthetic race", candidates=cands, units=(unit,), threshold=ThresholdRule.plurality()
    )


def _fully_reported(contest: Contest) -> str:
    snap = Snapshot(Election(id="synthetic-wi", name="Synthetic write-in election"), (contest,), version="v1")
    [done] = [a for a in AlertScanner().step(snap, 0) if a.kind == AlertKind.FULLY_REPORTED]
    return done.message


def test_the_two_leading_names_are_listed_not_a_write_in_line_between_them() -> None:
    race = _race({"a": 500, "w": 300, "b": 200}, {"a": "Synthetic Ada", "w": "Write-in", "b": "Synthetic Bo"})
    assert _fully_reported(race) == "its 1 precinct reporting: Synthetic Ada 50.00 %, Synthetic Bo 20.00 %"


def test_with_one_name_the_write_in_line_is_called_write_in_votes() -> None:
    race = _race({"a": 970, "w": 30}, {"a": "Synthetic Ada", "w": "WRITE-IN"})
    assert _fully_reported(race) == "its 1 precinct reporting: Synthetic Ada 97.00 %, write-in votes 3.00 %"
    only = _race({"w": 12}, {"w": "Write-Ins"})
    assert leading_shares(only) == "write-in votes 100.00 %"


def test_nobody_clears_never_names_the_write_in_line_as_a_candidate() -> None:
    """Synthetic: a projection whose only choice is the write-in line (a write-ins-only race)."""
    race = _race({"w": 12}, {"w": "Write-in"})
    race = Contest(race.id, race.name, race.candidates, race.units, threshold=ThresholdRule.majority())
    proj = ContestProjection(
        "race",
        "Synthetic race",
        "projected",
        "",
        0,
        (CandidateProjection("w", "Write-in", 0, 0.0, 0.5, 0.4, 0.6, 0.01),),
    )
    _state, alerts = race_alerts(RaceState(), race, proj, VersionRef(0))
    [confident] = [a for a in alerts if a.kind == AlertKind.CONFIDENT]
    assert "best chance write-in votes," in confident.message and "Write-in" not in confident.message


def test_allegheny_fully_reported_alerts_list_no_write_in_line_as_a_candidate(shared_data: Path) -> None:
    """Real: Allegheny's 2023 general has a "Write-in" line in hundreds of races."""
    snap = parse_file(shared_data / ALLEGHENY)
    done = [a for a in AlertScanner().step(snap, 0) if a.kind == AlertKind.FULLY_REPORTED]
    assert len(done) > 400
    assert not [a.message for a in done if "Write-in" in a.message]
    by_name = {a.contest_name: a.message for a in done}
    assert by_name["Pittsburgh Controller"] == (
        "all 402 precincts reporting: Rachael Heisler 97.44 %, write-in votes 2.56 %"
    )


def test_a_race_for_three_seats_names_its_three_and_the_first_one_out() -> None:
    """Vote for 3: the fully reported alert names who took the seats and who missed the cut,
    not the two leaders alone (the write-in line still never takes a place)."""
    import dataclasses

    race = _race(
        {"a": 400, "b": 300, "w": 250, "c": 200, "d": 100, "e": 50},
        {
            "a": "Synthetic Ada",
            "b": "Synthetic Bo",
            "w": "Write-in",
            "c": "Synthetic Cy",
            "d": "Synthetic Di",
            "e": "Synthetic Ed",
        },
    )
    three = dataclasses.replace(race, vote_for=3)
    assert _fully_reported(three) == (
        "its 1 precinct reporting: Synthetic Ada 30.77 %, Synthetic Bo 23.08 %, Synthetic Cy 15.38 %, "
        "Synthetic Di 7.69 %"
    )
    # one seat: the two leaders, as before
    assert _fully_reported(race) == "its 1 precinct reporting: Synthetic Ada 30.77 %, Synthetic Bo 23.08 %"


def test_a_top_two_primary_names_the_two_who_advance_and_the_third() -> None:
    """A primary where the top two advance (Washington's): the fully reported alert names the
    two places and the first one out."""
    import dataclasses

    race = _race(
        {"a": 400, "b": 300, "c": 200, "d": 100},
        {"a": "Synthetic Ada", "b": "Synthetic Bo", "c": "Synthetic Cy", "d": "Synthetic Di"},
    )
    primary = dataclasses.replace(race, threshold=ThresholdRule.top(2))
    assert _fully_reported(primary) == (
        "its 1 precinct reporting: Synthetic Ada 40.00 %, Synthetic Bo 30.00 %, Synthetic Cy 20.00 %"
    )
