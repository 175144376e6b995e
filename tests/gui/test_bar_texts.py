"""The words beside each bar, from the core's states (pure text: no widgets)."""

from __future__ import annotations

import pytest

from tracker.core.threshold import Need, State
from tracker.ui.bar_texts import need_text, p_clear_text, percent_text, round_votes

pytestmark = pytest.mark.gui


def test_once_all_is_counted_the_top_two_are_in_the_runoff_and_the_rest_final() -> None:
    runoff = Need(State.RUNOFF, votes_needed=4000)
    assert [need_text(runoff, rank, 1000) for rank in range(4)] == ["runoff", "runoff", "final", "final"]
    assert need_text(runoff, 1, 1000, decided=True) == "final"
    assert need_text(Need(State.CLEARED, votes_needed=0), 0, 1000, line="50 %") == "over 50 % · final"


def test_too_early_only_once_votes_are_in_and_the_needs_phrase_otherwise() -> None:
    waiting = Need(State.WAITING)
    assert need_text(waiting, 0, 0) == ""
    assert need_text(waiting, 0, 12) == "too early to say"
    needs = Need(State.NEEDS, votes_needed=10, share_of_outstanding=0.49)
    assert need_text(needs, 0, 100) == "needs 49.0 % of the outstanding vote"


def test_probabilities_and_estimates_claim_no_false_precision() -> None:
    assert [percent_text(p) for p in (0.0, 0.004, 0.39, 0.995, 1.0)] == [
        "0 %",
        "<1 %",
        "39 %",
        ">99 %",
        "100 %",
    ]
    assert p_clear_text(0.39, "50 %") == "P(>50 %) 39 %" and p_clear_text(None, "50 %") == ""
    assert [round_votes(n) for n in (412, 45_987, 1_234_567)] == [412, 46_000, 1_230_000]
