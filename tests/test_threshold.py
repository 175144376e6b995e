"""Threshold arithmetic at its edges: exactly half, nothing outstanding, impossible needs, ties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.core.threshold import (
    RUNOFF_PLACES,
    Need,
    Outstanding,
    State,
    ThresholdRule,
    assess,
    in_runoff,
    votes_to_clear,
)

MAJ = ThresholdRule.majority()


def test_exactly_half_is_not_a_majority():
    assert assess(50, 100, Outstanding.none(), MAJ).state is State.RUNOFF
    assert assess(51, 100, Outstanding.none(), MAJ).state is State.CLEARED
    # an odd total: 50 of 99 is over half
    assert assess(50, 99, Outstanding.none(), MAJ).state is State.CLEARED


def test_votes_to_clear_is_half_plus_one():
    assert votes_to_clear(0, 100, MAJ) == 51
    assert votes_to_clear(0, 101, MAJ) == 51
    assert votes_to_clear(60, 100, MAJ) == -9


def test_nothing_outstanding_is_final_and_never_divides_by_zero():
    need = assess(92_673, 192_569, Outstanding.none(), MAJ)
    assert need.state is State.RUNOFF
    assert need.votes_needed == 96_284 + 1 - 92_673  # floor(192,569 / 2) + 1 - Ossoff
    assert need.share_of_outstanding is None


def test_zero_votes_counted_and_nothing_outstanding_waits():
    assert assess(0, 0, Outstanding.none(), MAJ).state is State.WAITING


def test_zero_votes_counted_with_votes_outstanding():
    need = assess(0, 0, Outstanding(1000, 800, 1200), MAJ)
    assert need.state is State.NEEDS
    assert need.votes_needed == 501
    assert need.share_of_outstanding == pytest.approx(0.501)


def test_need_above_100_percent_is_said_never_clamped():
    # 40 of 100 counted, 10 expected out (range 0..30): needs 16 more at the expected total of 110
    # (56 of 110 > 55), impossible with 10 but possible within the range's top (70 of 130 > 65).
    need = assess(40, 100, Outstanding(10, 0, 30), MAJ)
    assert need.state is State.NEEDS
    assert need.share_of_outstanding == pytest.approx(1.6)
    assert need.beyond_reach
    assert need.describe() == "out of reach (would need 160 %)"
    assert "100.0 %" not in need.describe()
    # even all of the largest plausible remainder cannot lift them over: and it says how far
    out = assess(10, 100, Outstanding(10, 5, 20), MAJ)
    assert out.state is State.OUT_OF_REACH
    assert out.votes_needed == 51
    assert out.describe() == "out of reach (would need 255 %)"


def test_a_need_just_above_everything_never_reads_100_percent():
    # needs 1,001 of 1,000 expected: 100.1 %, rounded up, not "100.0 %" (reachable-looking)
    need = assess(0, 0, Outstanding(1000, 1000, 3000), ThresholdRule("share", 0.9999))
    assert need.state is State.NEEDS
    assert need.votes_needed == 1000
    need = assess(4000, 10_000, Outstanding(1000, 0, 5000), MAJ)  # needs 5,501 - 4,000 = 1,501
    assert need.describe() == "out of reach (would need 150.1 %)"


def test_clinched_uses_the_top_of_the_range():
    assert assess(80, 100, Outstanding(20, 10, 50), MAJ).state is State.CLINCHED
    # over the line at the expected remainder, but not at its top: still "needs"
    need = assess(60, 100, Outstanding(10, 0, 40), MAJ)
    assert need.state is State.NEEDS
    assert need.share_of_outstanding == 0.0
    # said as what it is, not "needs 0.0 % of the outstanding vote"
    assert need.over_as_expected
    assert need.describe() == "over the line as counted · not clinched while the vote still out may be larger"
    assert not assess(40, 100, Outstanding(10, 0, 40), MAJ).over_as_expected


def test_over_as_counted_reads_the_same_in_the_standing_words():
    """The race's phrases (bar, card, compact and tiny) never say "needs 0.0 %"."""
    from tracker.core.model import Candidate, Contest, ReportingUnit, UnitKind, VoteType
    from tracker.core.standing import standings

    race = Contest(
        id="synthetic",
        name="Synthetic runoff",
        candidates=(
            Candidate("a", "Synthetic A", ballot_order=0),
            Candidate("b", "Synthetic B", ballot_order=1),
        ),
        units=(
            ReportingUnit(
                id="u",
                name="Synthetic County",
                kind=UnitKind.COUNTY,
                votes={"a": {"Total": 60}, "b": {"Total": 40}},
            ),
        ),
        vote_types=(VoteType.from_name("Total"),),
        threshold=MAJ,
    )
    lead = standings(race, Outstanding(10, 0, 40))[0]
    texts = [lead.phrase, lead.compact, lead.tiny]
    assert all("0.0 %" not in t for t in texts), texts
    assert "not clinched" in lead.phrase and "not clinched" in lead.tiny


def test_ties_between_two_candidates_are_both_runoff():
    a = assess(500, 1000, Outstanding.none(), MAJ)
    b = assess(500, 1000, Outstanding.none(), MAJ)
    assert a.state is b.state is State.RUNOFF


def test_eighteen_candidates_only_one_can_clear():
    votes = [
        92_673,
        38_071,
        20_802,
        17_028,
        16_870,
        1_820,
        1_639,
        504,
        491,
        455,
        415,
        415,
        351,
        326,
        304,
        229,
        121,
        55,
    ]
    total = sum(votes)
    assert total == 192_569
    states = [assess(v, total, Outstanding.none(), MAJ).state for v in votes]
    assert states == [State.RUNOFF] * 18


def test_custom_share_and_plurality():
    rule = ThresholdRule("share", 0.4)
    assert rule.label() == "40 %"
    assert assess(41, 100, Outstanding.none(), rule).state is State.CLEARED
    assert assess(40, 100, Outstanding.none(), rule).state is State.RUNOFF
    plurality = ThresholdRule("plurality")
    assert not plurality.has_line
    assert assess(10, 100, Outstanding(5, 1, 9), plurality).state is State.NO_LINE
    with pytest.raises(ValueError):
        ThresholdRule("majority", 0.6)
    with pytest.raises(ValueError):
        ThresholdRule("supermajority")


def test_rule_json_round_trip():
    for rule in (ThresholdRule.majority(), ThresholdRule("share", 0.4), ThresholdRule("plurality")):
        assert ThresholdRule.from_json(rule.to_json()) == rule
    assert ThresholdRule.from_json(None) == MAJ


def test_unknown_outstanding_waits_and_bad_input_raises():
    assert assess(10, 20, None, MAJ).state is State.WAITING
    with pytest.raises(ValueError):
        assess(30, 20, Outstanding.none(), MAJ)
    with pytest.raises(ValueError):
        Outstanding(10, 20, 30)


@given(
    votes=st.integers(0, 10**6),
    others=st.integers(0, 10**6),
    mid=st.integers(0, 10**6),
    spread=st.integers(0, 10**6),
)
def test_need_share_is_the_true_need_and_consistent(votes, others, mid, spread):
    counted = votes + others
    out = Outstanding(mid, max(mid - spread, 0), mid + spread)
    need: Need = assess(votes, counted, out, MAJ)
    if need.share_of_outstanding is not None:
        assert need.share_of_outstanding >= 0.0
        # never clamped: a share above 100 % is what the candidate really needs, and says so
        if need.share_of_outstanding > 1.0:
            assert "would need" in need.describe() and "out of reach" in need.describe()
        elif need.over_as_expected:
            assert need.describe().startswith("over the line as counted")
        elif need.state is State.NEEDS:
            assert need.describe().startswith("needs ")
    if need.state is State.OUT_OF_REACH:
        assert need.share_of_outstanding is not None and need.share_of_outstanding > 1.0
    if need.state is State.CLINCHED:
        # even if every one of the top-of-range remainder goes elsewhere
        assert 2 * votes > counted + out.hi
    if need.state is State.OUT_OF_REACH:
        assert 2 * (votes + out.hi) <= counted + out.hi


def test_the_top_two_go_to_the_runoff_and_nobody_when_the_line_was_cleared():
    """Georgia's rule: with nobody over 50 %, first and second place advance; the rest are out."""
    assert RUNOFF_PLACES == 2
    assert [in_runoff(rank, decided=False) for rank in range(5)] == [True, True, False, False, False]
    assert not any(in_runoff(rank, decided=True) for rank in range(5))
    with pytest.raises(ValueError):
        in_runoff(-1, decided=False)
