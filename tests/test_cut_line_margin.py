"""The race list's margin at the cut line in vote-for-N races, and P(clear) under the user's rule
(races made up here: constructed, not a feed's)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tracker.core.model import Candidate, Contest, ReportingUnit
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.projection_rule import under_rule
from tracker.core.race_facts import race_facts
from tracker.core.threshold import Outstanding, ThresholdRule


def race(votes: dict[str, int], *, rule: ThresholdRule, vote_for: int = 1, partial: str = "") -> Contest:
    """A constructed race: one unit with these votes, ballot order as given."""
    cands = tuple(Candidate(id=n, name=n, ballot_order=i + 1) for i, n in enumerate(votes))
    unit = ReportingUnit(id="u", name="u", votes={n: {"Total": v} for n, v in votes.items()})
    return Contest(
        id="c",
        name="Race",
        candidates=cands,
        units=(unit,),
        vote_for=vote_for,
        threshold=rule,
        partial=partial,
    )


def test_vote_for_3_margin_is_third_minus_fourth() -> None:
    c = race({"A": 400, "B": 300, "C": 150, "D": 100, "E": 50}, rule=ThresholdRule.plurality(), vote_for=3)
    facts = race_facts(c)
    assert facts.margin == pytest.approx((150 - 100) * 100 / 1000)  # not A - B (10 points)
    assert (facts.leader, facts.runner_up, facts.seats) == ("C", "D", 3)


def test_no_more_candidates_than_seats_has_no_margin() -> None:
    facts = race_facts(race({"A": 400, "B": 300}, rule=ThresholdRule.plurality(), vote_for=2))
    assert facts.margin is None and facts.runner_up == "" and facts.leader == "A"


def test_one_seat_margin_is_leader_minus_runner_up() -> None:
    facts = race_facts(race({"A": 600, "B": 300, "C": 100}, rule=ThresholdRule.majority()))
    assert facts.margin == pytest.approx(30.0) and facts.seats == 1 and facts.crossed


def test_a_partial_race_crosses_no_line() -> None:
    c = race({"A": 600, "B": 400}, rule=ThresholdRule.majority(), partial="This file covers part of the race")
    assert not race_facts(c).crossed


def _projection(c: Contest, shares: dict[str, tuple[float, float, float]]) -> ContestProjection:
    cands = tuple(
        CandidateProjection(cid, cid, c.totals[cid], c.share(cid), s, lo, hi, None)
        for cid, (s, lo, hi) in shares.items()
    )
    return ContestProjection(c.id, c.name, "projected", "", c.total_votes, cands, Outstanding(500, 400, 600))


def test_p_clear_follows_the_users_rule() -> None:
    plural = race({"A": 450, "B": 350, "C": 200}, rule=ThresholdRule.plurality())
    proj = _projection(plural, {"A": (0.45, 0.43, 0.47), "B": (0.35, 0.33, 0.37), "C": (0.2, 0.18, 0.22)})
    assert all(c.p_clear is None for c in proj.candidates)  # projected without a line
    user = replace(plural, threshold=ThresholdRule("share", 0.4, runoff="top-two", source="user"))
    p = {c.candidate_id: c.p_clear for c in under_rule(proj, user).candidates}  # type: ignore[union-attr]
    assert p["A"] is not None and p["A"] > 0.99 and p["C"] is not None and p["C"] < 0.01
    assert 0.0 < p["B"] < 0.01  # type: ignore[operator]
    majority = replace(plural, threshold=ThresholdRule.majority(source="user"))
    p = {c.candidate_id: c.p_clear for c in under_rule(proj, majority).candidates}  # type: ignore[union-attr]
    assert p["A"] is not None and p["A"] < 0.01  # 45 % ± 2: not over 50
    # back to plurality: no line, no P
    assert all(c.p_clear is None for c in under_rule(proj, plural).candidates)  # type: ignore[union-attr]


def test_p_clear_when_all_is_counted_is_the_exact_rule() -> None:
    c = race({"A": 500, "B": 500}, rule=ThresholdRule.majority())
    final = replace(_projection(c, {"A": (0.5, 0.5, 0.5), "B": (0.5, 0.5, 0.5)}), status="final")
    assert [x.p_clear for x in under_rule(final, c).candidates] == [0.0, 0.0]  # type: ignore[union-attr]
    at_least = replace(c, threshold=ThresholdRule("share", 0.5 - 1e-9, at_least=True))
    assert [x.p_clear for x in under_rule(final, at_least).candidates] == [1.0, 1.0]  # type: ignore[union-attr]
