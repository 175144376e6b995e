"""The projection model: exact expectations on labelled-synthetic contests, then the real GA-06 nights.

Synthetic contests are built with the model's constructors; every name in them says "Synthetic" and
no number in them is presented as real.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.projections import baseline_file, load_baselines
from tracker.core import projection
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.projection import (
    MIN_CELLS,
    MODEL_VERSION,
    ONE_VERSION,
    Baseline,
    project_contest,
    unit_key,
)
from tracker.core.threshold import ThresholdRule

NIGHTS = paths.resources_dir() / "nights"
APRIL = NIGHTS / "ga06-2017-04-18.night"
JUNE = NIGHTS / "ga06-2017-06-20.night"


# synthetic contests --------------------------------------------------------------------------------
def _unit(
    i: int,
    votes: dict[str, dict[str, int]] | None,
    *,
    registered: int = 1000,
    county: str = "Synthetic North",
    reporting: Reporting | None = None,
) -> ReportingUnit:
    state = reporting or (Reporting.COMPLETE if votes else Reporting.NONE)
    return ReportingUnit(
        id=f"{county}/P{i:02d}",
        name=f"Synthetic precinct {i:02d}",
        county=county,
        reporting=state,
        votes=votes or {},
        registered=registered,
    )


def _contest(
    units: list[ReportingUnit], *, rule: ThresholdRule | None = None, types=("Election Day",)
) -> Contest:
    return Contest(
        id="synthetic",
        name="Synthetic Race",
        candidates=(
            Candidate("a", "SYNTHETIC A", ballot_order=1),
            Candidate("b", "SYNTHETIC B", ballot_order=2),
        ),
        units=tuple(units),
        threshold=rule or ThresholdRule.majority(),
        vote_types=tuple(VoteType.from_name(t) for t in types),
    )


def _uniform(n_units: int, n_in: int, a: int = 300, b: int = 200) -> Contest:
    """Every precinct votes a:b on 1,000 registered voters; the first ``n_in`` are in."""
    return _contest(
        [
            _unit(i, {"a": {"Election Day": a}, "b": {"Election Day": b}} if i < n_in else None)
            for i in range(n_units)
        ]
    )


def test_all_units_in_gives_the_count_exactly_with_zero_width():
    p = project_contest(_uniform(20, 20))
    assert p.status == "final"
    a, b = p.candidate("a"), p.candidate("b")
    assert a.share == a.lo == a.hi == pytest.approx(0.6)
    assert b.share == b.lo == b.hi == pytest.approx(0.4)
    assert a.p_clear == 1.0 and b.p_clear == 0.0
    assert p.outstanding is not None and p.outstanding.hi == 0


def test_exactly_half_at_the_end_is_not_a_majority():
    p = project_contest(_uniform(12, 12, a=250, b=250))
    assert p.candidate("a").share == 0.5
    assert p.candidate("a").p_clear == 0.0 and p.candidate("b").p_clear == 0.0


def test_too_few_units_is_too_early():
    p = project_contest(_uniform(40, MIN_CELLS - 1))
    assert p.too_early and p.status == "too early"
    assert "fewer than" in p.reason
    assert all(c.share is None and c.lo is None and c.p_clear is None for c in p.candidates)
    assert p.candidate("a").share_now == pytest.approx(0.6)  # the running share is still there
    assert project_contest(_uniform(40, 0)).reason == "no votes counted yet"


def test_enough_units_project():
    p = project_contest(_uniform(40, MIN_CELLS))
    assert p.status == "projected"
    assert p.model_version == MODEL_VERSION + ONE_VERSION  # no history given: said so
    assert project_contest(_uniform(40, MIN_CELLS), None, []).model_version == MODEL_VERSION


@pytest.fixture
def no_model_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The residual machinery alone (no ``TAU`` floor), for exact expectations."""
    monkeypatch.setattr(projection, "TAU", 0.0)
    monkeypatch.setattr(projection, "TAU_BASELINE", 0.0)
    monkeypatch.setattr(projection, "SKEW_FACTOR", 0.0)


def test_identical_precincts_project_exactly(no_model_risk):
    """Half of 20 identical precincts in: the rest must vote the same, with no spread at all."""
    p = project_contest(_uniform(20, 10))
    a = p.candidate("a")
    assert a.share == pytest.approx(0.6, abs=1e-9)
    assert a.hi - a.lo == pytest.approx(0.0, abs=1e-9)
    assert a.p_clear == pytest.approx(1.0)
    assert p.outstanding is not None and p.outstanding.expected == 10 * 500


def test_turnout_follows_registered_voters():
    """Reported precincts turn out 50 % of registered; a big unreported one (4,000) adds 2,000."""
    units = [_unit(i, {"a": {"Election Day": 300}, "b": {"Election Day": 200}}) for i in range(10)]
    units.append(_unit(10, None, registered=4000))
    p = project_contest(_contest(units))
    assert p.outstanding is not None and p.outstanding.expected == 2000


def test_model_risk_keeps_an_interval_while_much_is_out():
    """The same identical precincts, with the model-risk floor: still centred on 60 %, but half the
    vote out means no certainty (90 % interval about ± z·TAU·R/(V+R)·√(4·0.6·0.4))."""
    p = project_contest(_uniform(20, 10))
    a = p.candidate("a")
    assert a.share == pytest.approx(0.6, abs=1e-9)
    half_width = 1.6448536 * projection.TAU * 0.5 * (4 * 0.6 * 0.4) ** 0.5
    assert (a.hi - a.lo) / 2 >= half_width * 0.999
    assert 0.5 < a.p_clear < 0.99


def test_uniform_swing_from_a_baseline_is_recovered_under_a_skewed_order(no_model_risk):
    """Synthetic baseline shares spread 30–70 %; the new election is the baseline + 5 points for A
    everywhere. Only A's *worst* half is in (a skewed order): the naive share is far off, the
    projection is exact because the swing is uniform."""
    shares = [0.30 + 0.02 * i for i in range(21)]
    base = _contest(
        [
            _unit(i, {"a": {"Election Day": round(1000 * s)}, "b": {"Election Day": 1000 - round(1000 * s)}})
            for i, s in enumerate(shares)
        ]
    )
    now = []
    for i, s in enumerate(shares):
        a = round(1000 * (s + 0.05))
        now.append(_unit(i, {"a": {"Election Day": a}, "b": {"Election Day": 1000 - a}} if i < 10 else None))
    contest = _contest(now)
    final_a = sum(round(1000 * (s + 0.05)) for s in shares) / (1000 * len(shares))
    p = project_contest(contest, Baseline.from_contest(base))
    assert p.baseline
    a = p.candidate("a")
    assert a.share_now < final_a - 0.09  # the naive running share
    assert a.share == pytest.approx(final_a, abs=2e-3)
    assert a.lo - 1e-9 <= final_a <= a.hi + 1e-9
    assert a.p_clear == pytest.approx(1.0, abs=1e-3)  # final 55 %: over the line
    without = project_contest(contest)
    assert abs(without.candidate("a").share - final_a) > 0.05  # no baseline: the skew cannot be seen


def _first_round(shares: list[float]) -> Contest:
    """Synthetic many-candidate first round: A has ``s`` of each precinct, and the other side's vote
    is split between three candidates (B gets a third of it, C and D the rest)."""
    units = []
    for i, s in enumerate(shares):
        a = round(1000 * s)
        rest = 1000 - a
        b, c = rest // 3, rest // 3
        units.append(
            _unit(
                i,
                {
                    "a": {"Election Day": a},
                    "b": {"Election Day": b},
                    "c": {"Election Day": c},
                    "d": {"Election Day": rest - b - c},
                },
            )
        )
    return Contest(
        id="synthetic-first-round",
        name="Synthetic Race",
        candidates=(
            Candidate("a", "SYNTHETIC A", ballot_order=1),
            Candidate("b", "SYNTHETIC B", ballot_order=2),
            Candidate("c", "SYNTHETIC C", ballot_order=3),
            Candidate("d", "SYNTHETIC D", ballot_order=4),
        ),
        units=tuple(units),
        threshold=ThresholdRule.majority(),
        vote_types=(VoteType.from_name("Election Day"),),
    )


def _runoff(shares: list[float], counted: set[int], swing: float, names=("SYNTHETIC A", "SYNTHETIC B")):
    units = []
    for i, s in enumerate(shares):
        a = round(1000 * (s + swing))
        units.append(
            _unit(i, {"a": {"Election Day": a}, "b": {"Election Day": 1000 - a}} if i in counted else None)
        )
    contest = dataclasses.replace(
        _contest(units),
        candidates=(Candidate("a", names[0], ballot_order=1), Candidate("b", names[1], ballot_order=2)),
    )
    final_a = sum(round(1000 * (s + swing)) for s in shares) / (1000 * len(shares))
    return contest, final_a


@pytest.mark.parametrize("best_first", [True, False])
def test_a_runoff_swings_from_the_first_rounds_two_way_lean_not_from_a_split_candidates_share(
    no_model_risk, best_first
):
    """Synthetic, shaped like GA-06 (April's 18 candidates, June's two): B had a third of the other
    side's first-round vote and all of it in the runoff. B's own first-round share is the wrong
    predictor; the first round's lean (1 − A's share) is the right one. With A's best (or worst)
    half counted, a uniform swing of 3 points must still be recovered."""
    shares = [0.30 + 0.02 * i for i in range(21)]
    base = Baseline.from_contest(_first_round(shares))
    counted = set(range(11, 21)) if best_first else set(range(10))
    contest, final_a = _runoff(shares, counted, 0.03)
    p = project_contest(contest, base)
    assert abs(p.candidate("a").share_now - final_a) > 0.09  # the naive share is far off
    assert p.candidate("a").share == pytest.approx(final_a, abs=3e-3)
    assert p.candidate("b").share == pytest.approx(1 - final_a, abs=3e-3)


def test_a_runoff_without_names_finds_each_candidates_side_from_the_count(no_model_risk):
    """Synthetic: a feed with no candidate names (Clarity's ALL.json has only ids). The side of each
    candidate comes from how their share moves with the baseline's lean over the counted precincts:
    here the first candidate is the *other* side's, and the projection still recovers the swing."""
    shares = [0.30 + 0.02 * i for i in range(21)]
    base = Baseline.from_contest(_first_round(shares))
    # candidate "a" of the runoff is on the side of the first round's losers: its share is 1 − s − 0.02
    flipped = [1 - s - 0.04 for s in shares]
    contest, final_a = _runoff(flipped, set(range(10)), 0.02, names=("1", "2"))
    p = project_contest(contest, base)
    assert p.candidate("a").share == pytest.approx(final_a, abs=3e-3)


def test_a_skewed_order_widens_the_interval_when_the_baseline_shows_it():
    """Synthetic, as above: the counted half is A's worst half in the baseline, so the model risk
    grows with that skew; the same count in a balanced order (every other precinct) keeps it small."""
    shares = [0.30 + 0.02 * i for i in range(21)]
    base = Baseline.from_contest(
        _contest(
            [
                _unit(
                    i, {"a": {"Election Day": round(1000 * s)}, "b": {"Election Day": 1000 - round(1000 * s)}}
                )
                for i, s in enumerate(shares)
            ]
        )
    )

    def width(counted: set[int]) -> float:
        units = []
        for i, s in enumerate(shares):
            a = round(1000 * (s + 0.05))
            units.append(
                _unit(
                    i, {"a": {"Election Day": a}, "b": {"Election Day": 1000 - a}} if i in counted else None
                )
            )
        c = project_contest(_contest(units), base).candidate("a")
        return c.hi - c.lo

    assert width(set(range(10))) > 2 * width(set(range(0, 21, 2)))


def test_partial_precincts_predict_their_election_day_from_their_early_vote(no_model_risk):
    """Synthetic: in every precinct election day splits exactly like its early vote (shares k/200,
    so the counts are whole). Complete precincts teach that; the partial ones (early vote in only)
    are predicted from their own early vote: exactly, with no spread left."""
    units, final_a = [], 0
    for i in range(24):
        k = 60 + 3 * i
        early = {"a": k, "b": 200 - k}
        day = {"a": 3 * k, "b": 600 - 3 * k}
        final_a += 4 * k
        if i % 2 == 0:
            votes = {c: {"Advance in Person": early[c], "Election Day": day[c]} for c in "ab"}
            units.append(_unit(i, votes))
        else:
            votes = {c: {"Advance in Person": early[c]} for c in "ab"}
            units.append(_unit(i, votes, reporting=Reporting.PARTIAL))
    contest = _contest(units, types=("Election Day", "Advance in Person"))
    final = final_a / (800 * 24)
    a = project_contest(contest).candidate("a")
    assert abs(a.share_now - final) > 0.004
    assert a.share == pytest.approx(final, abs=1e-6)
    assert a.lo - 1e-6 <= final <= a.hi + 1e-6


def test_no_election_day_vote_yet_is_too_early():
    units = [
        _unit(i, {c: {"Advance in Person": 100} for c in "ab"}, reporting=Reporting.PARTIAL)
        for i in range(20)
    ]
    p = project_contest(_contest(units, types=("Election Day", "Advance in Person")))
    assert p.too_early and "election-day" in p.reason


def test_county_units_with_partial_precincts_are_not_extrapolated_by_their_precincts():
    """Synthetic county-level feed: 12 counties, 9 fully in, 3 with half their precincts in. Their
    count is evidence they are at least that far along (early and mail ballots come first), not a
    sample of their precincts: the vote still out is less than the old multiplier's 3 × 1,000,
    comes with a wide range that says it rests on precincts only, and the rest splits like the
    count so far."""
    units = []
    for i in range(12):
        done = i < 9
        units.append(
            ReportingUnit(
                id=f"Synthetic County {i}",
                name=f"Synthetic County {i}",
                kind=UnitKind.COUNTY,
                reporting=Reporting.COMPLETE if done else Reporting.PARTIAL,
                votes={"a": {"Total": 600}, "b": {"Total": 400}},
                precincts_reporting=10 if done else 5,
                precincts_total=10,
            )
        )
    p = project_contest(_contest(units, types=("Total",)))
    assert p.status == "projected"
    assert p.outstanding is not None
    assert 0 < p.outstanding.lo < p.outstanding.expected < 3 * 1000
    assert p.outstanding.hi > p.outstanding.expected
    assert p.evidence == "from precincts only: wide"
    assert p.candidate("a").share == pytest.approx(0.6)


def test_deterministic():
    contest = _uniform(30, 12)
    assert project_contest(contest) == project_contest(contest)


def test_unit_keys_match_across_spellings():
    assert unit_key("Cobb", "Mount Bethel 01") == unit_key("Cobb", "Mt Bethel 01")
    assert unit_key("DeKalb", "CHAMBLEE ") == unit_key("DeKalb", "Chamblee")
    assert unit_key("Cobb", "Addison 01") != unit_key("Fulton", "Addison 01")


# real nights ------------------------------------------------------------------------------------------
def _final(path: Path) -> Contest:
    with NightFile.open(path) as night:
        snap = night.snapshot(night.versions()[-1])
    return max(snap.contests, key=lambda c: c.total_votes)


def _ossoff(contest: Contest) -> str:
    return next(c.id for c in contest.candidates if "ossoff" in c.name.lower())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_april_half_the_precincts_in_random_order_interval_contains_the_certified_share(seed):
    """Real (reconstructed night's final counts): 104 of 208 precincts fully in, chosen at random;
    Ossoff's certified share, 48.12 % (PROVENANCE.md), is inside the 90 % interval."""
    final = _final(APRIL)
    idx = list(range(len(final.units)))
    random.Random(seed).shuffle(idx)
    keep = set(idx[: len(idx) // 2])
    units = tuple(
        u if i in keep else dataclasses.replace(u, reporting=Reporting.NONE, votes={}, ballots_cast=None)
        for i, u in enumerate(final.units)
    )
    contest = dataclasses.replace(final, units=units)
    o = project_contest(contest).candidate(_ossoff(final))
    assert o.lo <= 92_673 / 192_569 <= o.hi


def test_april_end_of_night_ossoff_does_not_clear():
    p = project_contest(_final(APRIL))
    assert p.status == "final"
    assert p.candidate(_ossoff(_final(APRIL))).p_clear == 0.0


def test_june_uses_aprils_precincts_as_its_baseline():
    with NightFile.open(JUNE) as night:
        assert baseline_file(night) == APRIL
        baselines = load_baselines(night)
    june = _final(JUNE)
    (baseline,) = [b for key, b in baselines.items() if key == "u.s. representative, district 6"]
    assert baseline.matched(june) == 208  # every precinct, "Mt Bethel" and "CHAMBLEE " included
    with NightFile.open(APRIL) as night:  # April's is November 2016, shipped with the app
        assert baseline_file(night) == paths.resources_dir() / "baselines" / "ga06-2016-11-08.json"


def test_invariants_under_random_partial_reporting():
    """Real April units, 30 seeded random states (none / partial / complete per precinct): the
    projection never raises and always keeps lo ≤ share ≤ hi, 0 ≤ P ≤ 1, lo ≤ R ≤ hi."""
    final = _final(APRIL)
    rng = random.Random(5)
    for _ in range(30):
        units = []
        for u in final.units:
            r = rng.random()
            if r < 0.4:
                units.append(dataclasses.replace(u, reporting=Reporting.NONE, votes={}))
            elif r < 0.6:
                keep = set(sorted(u.reported_vote_types())[:2])
                votes = {c: {t: n for t, n in by.items() if t in keep} for c, by in u.votes.items()}
                units.append(dataclasses.replace(u, reporting=Reporting.PARTIAL, votes=votes))
            else:
                units.append(u)
        p = project_contest(dataclasses.replace(final, units=tuple(units)))
        if p.too_early:
            continue
        assert p.outstanding is not None and p.outstanding.lo <= p.outstanding.expected <= p.outstanding.hi
        assert sum(c.share for c in p.candidates) == pytest.approx(1.0)
        for c in p.candidates:
            assert 0.0 <= c.lo <= c.share <= c.hi <= 1.0
            assert 0.0 <= c.p_clear <= 1.0
