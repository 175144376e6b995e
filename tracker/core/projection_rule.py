"""A race's projection read against another rule: the user's (Race ▸ Contest rule…).

The worker projects every race with the rule the feed or the jurisdiction table gives it, off
the GUI thread. When the user says a race is decided otherwise, P(clear) must follow that rule
at once, without projecting the night again: the projected shares and intervals do not depend on
the rule, only P(over the line) does. So P is recomputed here from the projection itself: the
normal model of ``projection.project_contest`` with its spread read back from the 90 % interval
(the wider side, which the hard bounds did not clip), and the exact integer rule once everything
is counted.
"""

from __future__ import annotations

import math
from dataclasses import replace

from tracker.core.model import Contest
from tracker.core.projection import Z90, ContestProjection
from tracker.core.threshold import votes_to_clear

__all__ = ["under_rule"]


def _sf(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2))


def under_rule(projection: ContestProjection | None, contest: Contest) -> ContestProjection | None:
    """``projection`` with each candidate's P(clear) under ``contest.threshold`` (None for a rule
    without a line, several seats, or a file holding part of the race); shares and intervals stay."""
    if projection is None or projection.too_early:
        return projection
    rule = contest.threshold
    lined = rule.has_line and contest.vote_for <= 1 and not contest.partial
    out = []
    for cand in projection.candidates:
        p: float | None = None
        if lined and projection.status == "final":
            p = (
                1.0
                if projection.counted and votes_to_clear(cand.votes, projection.counted, rule) <= 0
                else 0.0
            )
        elif lined and cand.share is not None and cand.lo is not None and cand.hi is not None:
            sd = max(cand.hi - cand.share, cand.share - cand.lo) / Z90
            if sd <= 0:
                over = cand.share >= rule.share if rule.at_least else cand.share > rule.share
                p = 1.0 if over else 0.0
            else:
                p = _sf((rule.share - cand.share) / sd)
        out.append(replace(cand, p_clear=p))
    return replace(projection, candidates=tuple(out))
