"""The race list's margin, its "Close" filter, a card's status, the alerts and the projection's
leader count named candidates only: a write-in line ("Write-in", tracker.core.write_ins) is many
names, never the leader, the runner-up or a place at the cut line (docs/contest-rules.md, "Write-in
lines in line races"). What its votes could change is said beside the margin, and a race where one
write-in name could be close is listed as close.

The races named "constructed" are made up here (names and counts): no real file we hold has a
write-in line above a named candidate in a contested race. Allegheny 2023 (a real file) checks
the common case: a name alone beside a write-in line has no named runner-up, so no margin."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tracker.core.alerts import over_the_line, unique_leader
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit
from tracker.core.race_facts import margin_lines, race_facts
from tracker.core.race_status import race_status
from tracker.core.threshold import ThresholdRule
from tracker.core.write_ins import first_named


def constructed_race(votes: dict[str, int], rule: ThresholdRule, vote_for: int = 1) -> Contest:
    cands = tuple(Candidate(id=n, name=n, ballot_order=i) for i, n in enumerate(votes))
    unit = ReportingUnit(
        id="u",
        name="Constructed unit",
        reporting=Reporting.COMPLETE,
        precincts_reporting=1,
        precincts_total=1,
        votes={n: {"Total": v} for n, v in votes.items()},
    )
    return Contest(
        id="c",
        name="Constructed race",
        candidates=cands,
        units=(unit,),
        vote_for=vote_for,
        threshold=rule,
    )


PLURALITY = ThresholdRule.plurality()


def test_constructed_write_in_line_first_is_not_the_leader():
    c = constructed_race({"Write-in": 600, "Ada": 500, "Bo": 100}, PLURALITY)
    f = race_facts(c)
    assert (f.leader, f.runner_up) == ("Ada", "Bo")
    assert round(f.margin, 1) == 33.3  # 400 of 1,200 between the names (not 8.3 to the line)
    assert f.write_ins == 600
    lines = margin_lines(f)
    assert lines[0] == "Ada leads Bo by 33.3 points"
    assert lines[1] == (
        "The write-in votes (600, 50.0 %) could hold a name with as many as Ada: waiting on how they split"
    )
    # one write-in name could have as many as Ada: the race may be close, and is listed so
    assert f.closest is not None and f.closest <= 0
    assert race_status(c) == "final · waiting on write-ins"
    assert unique_leader(c) == "Ada"


def test_constructed_write_in_line_between_the_names():
    c = constructed_race({"Ada": 500, "Write-in": 400, "Bo": 100}, PLURALITY)
    f = race_facts(c)
    assert (f.leader, f.runner_up, f.margin) == ("Ada", "Bo", 40.0)
    assert margin_lines(f)[1] == (
        "The write-in votes (400, 40.0 %) could hold a name closer to Ada than Bo: "
        "10.0 points behind at the closest"
    )
    assert f.closest == 10.0
    assert race_status(c) == "final · Ada leads"
    # too few write-in votes to come between them: nothing to add
    f = race_facts(constructed_race({"Ada": 500, "Bo": 450, "Write-in": 50}, PLURALITY))
    assert (f.leader, f.runner_up, f.margin, f.write_in_note) == ("Ada", "Bo", 5.0, "")
    assert f.closest == 5.0


def test_constructed_vote_for_3_the_cut_line_is_between_names():
    c = constructed_race({"Ada": 900, "Write-in": 800, "Bo": 700, "Cy": 650, "Di": 100}, PLURALITY, 3)
    f = race_facts(c)
    # the 3rd name (Cy) against the 4th (Di), not the 3rd place (Bo) against the 4th (Cy)
    assert (f.leader, f.runner_up) == ("Cy", "Di")
    assert round(f.margin, 2) == round(550 * 100 / 3150, 2)
    assert margin_lines(f)[0].startswith("at the cut line (3rd named): Cy leads Di by 17.5 points")
    assert "waiting on how they split" in margin_lines(f)[1]


def test_constructed_majority_write_in_line_over_half_crosses_no_line():
    c = constructed_race({"Write-in": 550, "Ada": 300, "Bo": 150}, ThresholdRule.majority())
    f = race_facts(c)
    assert not f.crossed and f.leader == "Ada"
    assert over_the_line(c) == frozenset()
    assert race_status(c) == "final · waiting on write-ins"  # not "final · Write-in over 50 %"
    c = constructed_race({"Ada": 450, "Write-in": 300, "Bo": 250}, ThresholdRule.majority())
    assert race_status(c) == "final · waiting on write-ins"  # Bo's runoff place waits on them
    c = constructed_race({"Ada": 400, "Bo": 350, "Write-in": 200, "Cy": 50}, ThresholdRule.majority())
    assert race_status(c) == "final · runoff"
    c = constructed_race({"Ada": 600, "Write-in": 300, "Bo": 100}, ThresholdRule.majority())
    assert race_facts(c).crossed and over_the_line(c) == {"Ada"}
    assert race_status(c) == "final · Ada over 50 %"


def test_constructed_write_ins_only_race_keeps_its_words():
    f = race_facts(constructed_race({"Write-in": 78}, PLURALITY))
    assert f.leader == "Write-in" and f.margin is None and f.write_in_note == ""
    assert margin_lines(f) == ["Write-in: write-ins only, no candidate on the ballot"]
    assert unique_leader(constructed_race({"Write-in": 78}, PLURALITY)) is None


def test_first_named_skips_write_in_lines():
    assert first_named(["Write-in", "Scattered Write-ins", "Ada"], str) == "Ada"
    assert first_named(["Write-in"], str) is None


def test_allegheny_2023_a_name_beside_a_write_in_line_has_no_named_runner_up(shared_data: Path):
    from tracker.feeds.clarity import parse_detail_xml

    path = shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip"
    with zipfile.ZipFile(path) as z:
        snap = parse_detail_xml(z.read(z.namelist()[0]), source=str(path))
    ward = next(c for c in snap.contests if c.name == "Member of Council Clairton Ward 1")
    f = race_facts(ward)
    assert f.leader == "R. Tony Kurta" and f.runner_up == "" and f.margin is None
    assert f.write_ins == 81
    assert margin_lines(f) == [
        "R. Tony Kurta is the only name; no write-in name can be closer than the write-in votes "
        "(81, 26.2 %): 47.6 points behind"
    ]
    assert round(f.closest, 1) == 47.6
    assert race_status(ward, str) == "final · R. Tony Kurta leads"
    # no race of the file names a write-in line as its leader or runner-up while it has a name
    for c in snap.contests:
        f = race_facts(c)
        if any(not cand.name.startswith("Write-in") for cand in c.candidates):
            assert "Write-in" not in (f.leader, f.runner_up), c.name


def test_constructed_a_write_in_line_passing_a_name_is_no_lead_change():
    from tracker.core.alerts import AlertKind, RaceState, VersionRef, race_alerts

    early = constructed_race({"Ada": 100, "Write-in": 50, "Bo": 40}, ThresholdRule.majority())
    late = constructed_race({"Ada": 150, "Write-in": 300, "Bo": 60}, ThresholdRule.majority())
    state, _ = race_alerts(RaceState(), early, None, VersionRef(0))
    assert state.leader == "Ada"
    state, alerts = race_alerts(state, late, None, VersionRef(1))
    # the write-in line has 58.8 %: neither "takes the lead" nor "crossed 50 %"
    assert not [a for a in alerts if a.kind in (AlertKind.LEAD_CHANGE, AlertKind.CROSSED_UP)]
    assert state.leader == "Ada"


def test_named_places_give_a_write_in_line_no_place():
    from tracker.core.write_ins import named_places

    assert named_places(["Ada", "Write-in", "Bo", "Scattered Write-ins", "Cy"]) == [0, -1, 1, -1, 2]
    assert named_places(["Write-in", "Write-ins"]) == [0, 1]  # write-ins only: their order


def test_constructed_where_the_vote_remains_gives_the_leading_names_share():
    from tracker.core.expected_vote import expected_vote
    from tracker.core.model import UnitKind

    def unit(uid: str, county: str, votes: dict[str, int], done: bool) -> ReportingUnit:
        return ReportingUnit(
            id=uid,
            name=f"Constructed precinct {uid}",
            kind=UnitKind.PRECINCT,
            county=county,
            reporting=Reporting.COMPLETE if done else Reporting.NONE,
            votes={n: {"Total": v} for n, v in votes.items()},
            registered=2000,
        )

    names = ("Write-in", "Ada", "Bo")
    units = (
        unit("a1", "Constructed A", {"Write-in": 600, "Ada": 500, "Bo": 100}, True),
        unit("a2", "Constructed A", {}, False),
        unit("b1", "Constructed B", {"Write-in": 300, "Ada": 200, "Bo": 100}, True),
        unit("b2", "Constructed B", {}, False),
    )
    race = Contest(
        id="c",
        name="Constructed race",
        candidates=tuple(Candidate(id=n, name=n, ballot_order=i) for i, n in enumerate(names)),
        units=units,
        threshold=PLURALITY,
    )
    shares = {c.county: c.leader_share for c in expected_vote(race).counties}
    # Ada's share of what each county counted, not the write-in line's
    assert shares["Constructed A"] == 500 / 1200 and shares["Constructed B"] == 200 / 600
