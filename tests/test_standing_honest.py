"""A race's standing says only what its evidence holds (tracker.core.standing, docs/contest-rules.md):
"eliminated" only against a top of the vote still out that the feed states (``Outstanding.hard``),
and a write-in line is never a candidate elected unopposed (``tracker.core.write_ins``).

The small contests here are SYNTHETIC (made-up names and counts, named so); the North Carolina test
reads the real 2020 timeseries through the backtest's own night builder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.core.baseline import Baseline, BaselineUnit, unit_key
from tracker.core.expected_vote import expected_vote
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.projection import project_contest
from tracker.core.standing import (
    OUT_OF_REACH_ESTIMATED,
    OUT_OF_REACH_SHORT,
    WRITE_IN_VOTES,
    WRITE_INS_ONLY,
    cut_line,
    line_label,
    standings,
    verdict,
)
from tracker.core.threshold import Outstanding, State, ThresholdRule
from tracker.core.turnout_prior import SPECIAL
from tracker.core.write_ins import is_write_in

CANDS = (Candidate("a", "Synthetic A", ballot_order=0), Candidate("b", "Synthetic B", ballot_order=1))


def race(votes: dict[str, int], vote_for: int = 1) -> Contest:
    """A plurality race made up here: one unit with these votes."""
    cands = tuple(Candidate(id=n, name=n, ballot_order=i + 1) for i, n in enumerate(votes))
    unit = ReportingUnit(id="u", name="u", votes={n: {"Total": v} for n, v in votes.items()})
    return Contest(
        id="c",
        name="Race",
        candidates=cands,
        units=(unit,),
        vote_for=vote_for,
        threshold=ThresholdRule.plurality(),
    )


def by_name(contest: Contest, outstanding: Outstanding | None):
    return {row.candidate.name: row for row in standings(contest, outstanding)}


def county(name: str, a: int, b: int, **kw) -> ReportingUnit:
    return ReportingUnit(
        id=name,
        name=name,
        kind=UnitKind.COUNTY,
        county=name,
        reporting=kw.pop("reporting", Reporting.PARTIAL),
        votes={"a": {"Total": a}, "b": {"Total": b}},
        **kw,
    )


def two_party(units) -> Contest:
    return Contest(
        id="synthetic",
        name="Synthetic race",
        candidates=CANDS,
        units=tuple(units),
        vote_types=(VoteType.from_name("Total"),),
    )


# --- the words ----------------------------------------------------------------------------------


def test_short_of_an_estimates_top_is_out_of_reach_not_eliminated():
    c = race({"Synthetic Lead": 5000, "Synthetic Second": 4800, "Synthetic Minor": 100})
    estimated = by_name(c, Outstanding(1000, 500, 2000))
    minor = estimated["Synthetic Minor"]
    assert minor.need.state is State.OUT_OF_REACH and minor.need.votes_needed == 4901
    assert minor.phrase == f"{OUT_OF_REACH_ESTIMATED} (needs 4,901 votes to pass Synthetic Lead)"
    assert minor.tiny == minor.compact == OUT_OF_REACH_SHORT == "out of reach (est.)"
    assert "eliminated" not in " ".join(r.phrase + r.tiny for r in estimated.values())
    # the same numbers against a top the feed states: eliminated, as before
    hard = by_name(c, Outstanding(1000, 500, 2000, hard=True))["Synthetic Minor"]
    assert hard.need.state is State.ELIMINATED and hard.tiny == "eliminated"
    assert hard.phrase == "eliminated (needs 4,901 votes to pass Synthetic Lead, more than are out)"
    # within reach of an estimate: the need, whatever the evidence
    close = by_name(c, Outstanding(1000, 500, 2000))["Synthetic Second"]
    assert close.phrase == "needs 201 votes to pass Synthetic Lead"


def test_a_vote_for_n_race_says_the_same_at_its_cut_line():
    c = race({"A": 900, "B": 800, "C": 700, "D": 650, "E": 100}, vote_for=3)
    words = by_name(c, Outstanding(100, 50, 200))
    assert words["E"].phrase == f"{OUT_OF_REACH_ESTIMATED} (needs 601 votes to pass C)"
    assert by_name(c, Outstanding(100, 50, 200, hard=True))["E"].phrase.startswith("eliminated (needs 601")


def test_nothing_out_is_a_hard_top():
    assert Outstanding.none().hard
    assert not Outstanding(10, 5, 20).hard  # an estimate unless its maker says otherwise


# --- which evidence is hard -----------------------------------------------------------------------


def done_counties(n: int = 6) -> list[ReportingUnit]:
    return [
        county(f"Synthetic Done {i}", 500, 500, reporting=Reporting.COMPLETE, registered=2000)
        for i in range(n)
    ]


def test_the_feeds_expected_vote_and_its_precinct_counts_are_hard():
    feed = county("Synthetic Feed", 1000, 1000, expected_votes=5000)
    ev = expected_vote(two_party([*done_counties(), feed]))
    assert ev.source == "feed" and ev.outstanding is not None and ev.outstanding.hard
    precincts = county("Synthetic Prec", 500, 500, precincts_reporting=5, precincts_total=10)
    ev = expected_vote(two_party([precincts]))
    assert ev.source == "precincts" and ev.outstanding is not None and ev.outstanding.hard


def test_a_ratio_a_prior_or_the_units_counted_so_far_are_estimates():
    registered = county("Synthetic Reg", 0, 0, reporting=Reporting.NONE, registered=4000)
    ev = expected_vote(two_party([*done_counties(), registered]))
    assert ev.source == "registered" and ev.outstanding is not None and not ev.outstanding.hard
    # one estimated unit among stated ones makes the whole top an estimate
    feed = county("Synthetic Feed", 1000, 1000, expected_votes=5000)
    ev = expected_vote(two_party([*done_counties(), feed, registered]))
    assert ev.outstanding is not None and not ev.outstanding.hard
    sizes = {f"Synthetic {i}": 10_000 * (i + 1) for i in range(4)}
    units = {
        unit_key("", n): BaselineUnit(t, {"total": t}, {"synthetic a": 0.5, "synthetic b": 0.5})
        for n, t in sizes.items()
    }
    base = Baseline("synthetic 2020", units, "synthetic a", date=dt.date(2020, 11, 3), prior=SPECIAL)
    flagless = two_party([county(n, int(0.2 * s), int(0.2 * s)) for n, s in sizes.items()])
    ev = expected_vote(flagless, base)
    assert ev.source == "prior" and ev.outstanding is not None and not ev.outstanding.hard
    proj = project_contest(flagless, base)
    assert proj.outstanding is not None and not proj.outstanding.hard


@pytest.mark.slow
def test_north_carolina_at_nine_pm_has_no_one_eliminated(shared_data: Path, tmp_path: Path):
    """NC 2020 by precinct marks no unit complete: at 21:00 ET (02:00 UTC) the vote still out is
    sized from 2016's turnout and the prior. Jo Jorgensen, two million votes short of a top of
    1.9 million likely out, read "eliminated"; the top is an estimate, so she is out of reach
    unless the count runs far over it."""
    from benchmarks import backtest_nights as bn
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile
    from tracker.archive.projections import load_baseline_file, with_prior

    path = bn.build_nc(tmp_path, "precincts")
    base = load_baseline_file(bn.build_nc_baseline(tmp_path))["*"]
    nine_pm = dt.datetime(2020, 11, 4, 2, 0, tzinfo=dt.UTC)
    with NightFile.open(path) as night:
        versions = night.versions()
        index = max(v.index for v in versions if v.fetched_at <= nine_pm)
        snap = VersionChain(night, versions).snapshot(index)
    base = with_prior(base, snap.election.date)
    now = snap.contests[0]
    proj = project_contest(now, base, [])
    assert proj.status == "projected" and proj.outstanding is not None and not proj.outstanding.hard
    rows = {r.candidate.name: r for r in standings(now, proj.outstanding)}
    jorgensen = rows["Jo Jorgensen"]
    assert jorgensen.need.votes_needed is not None and jorgensen.need.votes_needed > proj.outstanding.hi
    assert jorgensen.need.state is State.OUT_OF_REACH and jorgensen.tiny == "out of reach (est.)"
    assert not any("eliminated" in r.phrase for r in rows.values())


# --- write-in lines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Write-in",
        "Write-ins",
        "Write In",
        "WRITE-IN",
        "write in",
        "Writein",
        "Write-In Votes",
        "Write-in Totals",
        "Scattered Write-ins",
        "Uncertified Write-Ins",
        "(Write-In)",
        "WRITE-IN**",
        "Write-In (Miscellaneous)",  # North Carolina's aggregate line (its 2024 board file)
        "Write-in (Scattering)",
    ],
)
def test_a_write_in_line_is_recognised(name: str):
    assert is_write_in(name)


@pytest.mark.parametrize(
    "name",
    [
        "Jane Doe (Write-In)",  # a person who ran as a write-in (North Carolina's decoration)
        "Write-In (Jane Doe)",  # a name in the brackets is a person's
        "Write-in: Jane Doe",
        "Wright Inman",
        "Write Inman",
        "Writer",
        "Janet Write",
        "Yes",
        "Other candidates",
        "",
    ],
)
def test_a_name_is_not_a_write_in_line(name: str):
    assert not is_write_in(name)


def test_a_race_with_only_a_write_in_line_is_write_ins_only():
    for seats in (1, 2):
        c = race({"Write-in": 78}, vote_for=seats)
        (row,) = standings(c, Outstanding.none())
        assert row.need.state is State.WRITE_INS
        assert row.phrase == row.compact == row.tiny == WRITE_INS_ONLY == "write-ins only"
        assert verdict(c, (row,)).startswith("no candidate on the ballot")
        assert cut_line(c) is None and line_label(c) == ""
        # counting, too: never "unopposed"
        assert standings(c, Outstanding(10, 5, 20))[0].phrase == "write-ins only"
    # a majority rule says no "over 50 %" of a write-in line either
    majority = Contest(
        id="c",
        name="Race",
        candidates=(Candidate("w", "Write-ins"),),
        units=(ReportingUnit(id="u", name="u", votes={"w": {"Total": 5}}),),
        threshold=ThresholdRule.majority(),
    )
    assert [r.phrase for r in standings(majority, Outstanding.none())] == ["write-ins only"]
    # two write-in lines (a merge keeps two): still nobody on the ballot
    assert {r.phrase for r in standings(race({"Write-in": 5, "WRITE-IN": 3}), Outstanding.none())} == {
        "write-ins only"
    }


def test_a_write_in_line_beside_too_few_names_is_not_elected():
    c = race({"Write-in": 153, "Synthetic Morack": 138}, vote_for=2)
    rows = by_name(c, Outstanding.none())
    assert rows["Write-in"].need.state is State.WRITE_INS and rows["Write-in"].phrase == WRITE_IN_VOTES
    assert rows["Synthetic Morack"].phrase == "elected · uncontested"
    assert verdict(c, tuple(rows.values())) == "elected: Synthetic Morack"
    # a person who ran as a write-in is a candidate like any other
    person = by_name(race({"Synthetic Doe (Write-In)": 40}), Outstanding.none())
    assert person["Synthetic Doe (Write-In)"].phrase == "elected · uncontested"


def test_allegheny_2023_write_in_only_races(shared_data: Path):
    """Allegheny's 2023 general: 51 races whose only choice is "Write-in" (McKees Rocks Ward 2,
    Sto-Rox's school regions, ...) read "elected · uncontested"."""
    import zipfile

    from tracker.feeds.clarity import parse_detail_xml

    path = shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip"
    with zipfile.ZipFile(path) as z:
        snap = parse_detail_xml(z.read(z.namelist()[0]), source=str(path))
    lone = [c for c in snap.contests if [x.name for x in c.candidates] == ["Write-in"]]
    assert len(lone) == 51
    sto_rox = next(c for c in lone if c.name == "School Director Sto-Rox Region 1 (2 Year Term)")
    assert sto_rox.total_votes == 122
    for c in lone:
        (row,) = standings(c, Outstanding.none())
        assert row.phrase == "write-ins only", c.name
    words = [r.phrase for c in snap.contests for r in standings(c, Outstanding.none())]
    named = [
        r for c in snap.contests for r in standings(c, Outstanding.none()) if r.candidate.name != "Write-in"
    ]
    assert words.count("elected · uncontested") == sum(r.phrase == "elected · uncontested" for r in named)
