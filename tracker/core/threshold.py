"""Threshold rules and what it takes to clear them.

Exact integer/rational arithmetic on purpose: "50 % + 1 vote" is decided by one vote, and a
float rounding at 50.0 % would call a runoff as a win. States (docs/architecture.md, core): clinched /
out of reach / needs p % while votes are outstanding; cleared / runoff once all is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


@dataclass(frozen=True)
class ThresholdRule:
    """``rule`` is "majority" (strictly more than half), "share" (strictly more than ``share``)
    or "plurality" (most votes wins; no line to cross)."""

    rule: str = "majority"
    share: float = 0.5

    def __post_init__(self) -> None:
        if self.rule not in ("majority", "share", "plurality"):
            raise ValueError(f"unknown threshold rule {self.rule!r}")
        if self.rule == "majority" and self.share != 0.5:
            raise ValueError("a majority rule is always 50 %")
        if not 0 < self.share < 1:
            raise ValueError("threshold share must be between 0 and 1")

    @classmethod
    def majority(cls) -> ThresholdRule:
        return cls("majority", 0.5)

    @property
    def has_line(self) -> bool:
        return self.rule != "plurality"

    @property
    def fraction(self) -> Fraction:
        return Fraction(str(self.share))

    def label(self) -> str:
        return "" if not self.has_line else f"{self.share * 100:g} %"

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule} if self.rule != "share" else {"rule": "share", "share": self.share}

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> ThresholdRule:
        if not data:
            return cls.majority()
        rule = str(data.get("rule", "majority"))
        if rule == "share":
            return cls("share", float(data["share"]))  # type: ignore[arg-type]
        return cls(rule, 0.5)


#: How many of the leading candidates go on to a runoff when nobody clears the line: Georgia's
#: rule (O.C.G.A. § 21-2-501, a runoff between the two candidates with the most votes) and the
#: usual one elsewhere.
RUNOFF_PLACES = 2


def in_runoff(rank: int, *, decided: bool) -> bool:
    """Whether the candidate at ``rank`` (0 = most votes) goes on to the runoff once all is counted.

    Lives here, not in the view, because who advances is part of the rule: nobody advances when
    someone cleared the line (``decided``), and only the top ``RUNOFF_PLACES`` do when nobody did.
    """
    if rank < 0:
        raise ValueError("rank counts from 0")
    return not decided and rank < RUNOFF_PLACES


class State(StrEnum):
    NEEDS = "needs"
    CLINCHED = "clinched"
    OUT_OF_REACH = "out of reach"
    CLEARED = "cleared"
    RUNOFF = "runoff"
    NO_LINE = "no line"
    WAITING = "waiting"


@dataclass(frozen=True)
class Outstanding:
    """The vote still to be counted: a central estimate and a range (all ints, lo <= mid <= hi)."""

    expected: int
    lo: int
    hi: int

    def __post_init__(self) -> None:
        if not 0 <= self.lo <= self.expected <= self.hi:
            raise ValueError(f"inconsistent outstanding estimate {self}")

    @classmethod
    def none(cls) -> Outstanding:
        return cls(0, 0, 0)


@dataclass(frozen=True)
class Need:
    state: State
    #: Votes still needed to clear the line at the expected outstanding vote (>= 0), if meaningful.
    votes_needed: int | None = None
    #: Share of the expected outstanding vote needed, clipped to [0, 1], when state is NEEDS.
    share_of_outstanding: float | None = None

    def describe(self) -> str:
        """The short phrase the window shows next to a bar."""
        if self.state is State.NEEDS and self.share_of_outstanding is not None:
            return f"needs {self.share_of_outstanding * 100:.1f} % of the outstanding vote"
        if self.state is State.WAITING:
            return "waiting for votes"
        if self.state is State.NO_LINE:
            return ""
        return self.state.value


def votes_to_clear(votes: int, total: int, rule: ThresholdRule) -> int:
    """Votes a candidate with ``votes`` of ``total`` final votes is short of the line (<= 0 when over).

    Strictly more than t·total is needed: floor(t·total) + 1.
    """
    return math.floor(rule.fraction * total) + 1 - votes


def assess(votes: int, counted: int, outstanding: Outstanding | None, rule: ThresholdRule) -> Need:
    """Where one candidate stands against the line.

    ``counted`` is the contest's counted total V, ``outstanding`` the estimate of R (None when the
    tracker cannot estimate it yet, e.g. nothing reported and no registration data).
    """
    if votes < 0 or counted < votes:
        raise ValueError("votes must be between 0 and the counted total")
    if not rule.has_line:
        return Need(State.NO_LINE)
    if outstanding is None:
        return Need(State.WAITING)
    if outstanding.hi == 0:
        final_short = votes_to_clear(votes, counted, rule)
        if counted == 0:
            return Need(State.WAITING)
        return Need(State.CLEARED if final_short <= 0 else State.RUNOFF, votes_needed=max(final_short, 0))
    # Clinched: over the line even if every vote of the largest plausible remainder goes elsewhere.
    if votes_to_clear(votes, counted + outstanding.hi, rule) <= 0:
        return Need(State.CLINCHED, votes_needed=0)
    # Out of reach: even all of the largest plausible remainder cannot lift them over.
    if votes_to_clear(votes + outstanding.hi, counted + outstanding.hi, rule) > 0:
        return Need(State.OUT_OF_REACH, votes_needed=votes_to_clear(votes, counted + outstanding.hi, rule))
    needed = votes_to_clear(votes, counted + outstanding.expected, rule)
    if outstanding.expected == 0:
        share = 0.0 if needed <= 0 else 1.0
    else:
        share = min(max(needed / outstanding.expected, 0.0), 1.0)
    return Need(State.NEEDS, votes_needed=max(needed, 0), share_of_outstanding=share)
