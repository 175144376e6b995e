"""How much vote is still out: the "vote still out" line and the threshold arithmetic's R.

A thin door onto the expected vote (``tracker.core.expected_vote``), kept because the window and
the exports ask this one question many times per version and should not have to know about
cells. The estimate is the same one the projection uses, so the header's "about N votes still
out" and the projection's outstanding vote are one number. None means nothing yet says how much
vote is out (the window shows "too early").
"""

from __future__ import annotations

from tracker.core.baseline import Baseline
from tracker.core.expected_vote import expected_vote
from tracker.core.model import Contest
from tracker.core.threshold import Outstanding


def estimate_outstanding(contest: Contest, baseline: Baseline | None = None) -> Outstanding | None:
    """Expected outstanding votes with a 90 % range, or None when nothing says how much is out."""
    return expected_vote(contest, baseline).outstanding


__all__ = ["estimate_outstanding"]
