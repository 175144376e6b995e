"""Threshold rules and what it takes to clear them.

Exact integer/rational arithmetic on purpose: "50 % + 1 vote" is decided by one vote, and a
float rounding at 50.0 % would call a runoff as a win. States (docs/architecture.md, core): clinched /
out of reach / needs p % while votes are outstanding; cleared / runoff once all is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

#: What happens when nobody clears the line: the top two go to a runoff (Georgia, Texas, ...),
#: the runner-up may ask for one (North Carolina's second primary), nothing (the most votes
#: win, or a ballot question fails), or the ranked-choice rounds decide (Maine, Alaska's general
#: election, New York City's primaries: a majority of first choices wins outright, else the
#: last candidates are eliminated and their ballots go to the next choice; there is no second
#: election). "ranked-choice" goes with a majority rule only.
RUNOFF_KINDS = ("top-two", "on-request", "none", "ranked-choice")

#: The ranked-choice rounds decide the race; a feed on the night carries first choices only.
RANKED_CHOICE = "ranked-choice"
#: What a ranked-choice race's line is measured on, said after it ("50 % of first choices").
OF_FIRST_CHOICES = "of first choices"

#: What a presidential race's count chooses (``ThresholdRule.chooses``; "" for every other race,
#: whose most votes elect someone): a state's presidential electors, all of them ("electors"; the
#: District of Columbia's, "dc-electors"); in Maine and Nebraska, which choose one elector per
#: congressional district, the state's two at-large electors ("at-large-electors") or a district's
#: one ("district-elector"); a primary's or caucus's count, by which each party allots its
#: delegates by its own rules ("delegates"); or nothing the file lets us name ("nobody": the state
#: is unknown, a territory, a presidential count by district elsewhere, an election of unknown
#: kind). Nobody is elected by any of them: the words say "carries the state", or "most votes".
CHOOSES = ("", "electors", "dc-electors", "at-large-electors", "district-elector", "delegates", "nobody")

#: The rule's clause for each, said after the rule in the header, ``parse`` and the exports.
_CHOOSES_CLAUSE = {
    "electors": "the most votes carry the state's presidential electors",
    "dc-electors": "the most votes carry the District of Columbia's presidential electors",
    "at-large-electors": (
        "the most votes carry the state's two at-large presidential electors; each congressional "
        "district's most votes carry its own elector"
    ),
    "district-elector": "the most votes in the district carry its one presidential elector",
    "delegates": (
        "a presidential primary: nobody is elected; each party allots its delegates by its own rules"
    ),
    "nobody": "a presidential race: nobody is elected by this count",
}

#: Where a rule came from, most authoritative first: the feed stated it, the jurisdiction table
#: (resources/contest_rules.csv) gave it, the user chose it in the window, or nothing said and
#: the default (plurality) applies. The window and ``parse --json`` show it.
RULE_SOURCES = ("feed", "table", "user", "default")


@dataclass(frozen=True)
class ThresholdRule:
    """How a race is decided: its line, what happens below it, and where that came from.

    ``rule`` is "majority" (strictly more than half), "share" (strictly more than ``share``) or
    "plurality" (most votes win; with ``vote_for`` N seats the N most-voted win: no fixed line).
    ``runoff`` says what happens when nobody clears a line (see ``RUNOFF_KINDS``; always "none"
    for plurality). ``measure`` marks a ballot question: only its Yes choice is measured against
    the line, and "passes"/"fails" replace "over"/"runoff". ``advance`` (a plurality rule only)
    marks a primary where the top N go on to the general election and nobody is elected
    (Washington's and California's top two, Alaska's top four): read like N seats, a cut line at
    the N-th place, but the words say "advances", never "elected" or "seat"; 0 for every other
    race. A majority rule whose ``runoff`` is "ranked-choice" (``ThresholdRule.ranked_choice()``)
    is a ranked-choice race: its line is 50 % *of first choices*, the only count a feed gives on
    the night; a majority of them wins outright, and below it the rounds decide, which the feed
    does not show (never "elected" for a leader below the line, never "runoff": there is no second
    election). ``source``/``basis`` say where the
    rule came from (``RULE_SOURCES``) and why (a statute, a feed field, "set in the window").
    Source and basis do not change how a race is decided, so they are left out of equality.
    """

    rule: str = "majority"
    share: float = 0.5
    runoff: str = "top-two"
    measure: bool = False
    #: The line is reached at exactly ``share`` ("at least 55 %", Colorado's amendments) rather
    #: than only above it ("more than half").
    at_least: bool = False
    #: The top N advance to the general election (a top-two or top-four primary); 0: not such a
    #: primary. Only with ``rule == "plurality"``.
    advance: int = 0
    #: A ballot question that also passes when Yes is a majority of every ballot cast in the
    #: election, not only of the votes on the question (Illinois's constitutional amendments:
    #: three-fifths of those voting on the question, or a majority of those voting in the
    #: election). Feeds rarely give the ballots cast, so only the line is measured, and a Yes
    #: short of it but over half of the question's votes is not said to fail. Measures only.
    or_ballots_majority: bool = False
    #: What a presidential race's count chooses (``CHOOSES``): its words then never say "elected".
    #: Not part of how the race is decided, so left out of equality, as source and basis are.
    chooses: str = field(default="", compare=False)
    source: str = field(default="default", compare=False)
    basis: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.rule not in ("majority", "share", "plurality"):
            raise ValueError(f"unknown threshold rule {self.rule!r}")
        if self.rule == "majority" and self.share != 0.5:
            raise ValueError("a majority rule is always 50 %")
        if not 0 < self.share < 1:
            raise ValueError("threshold share must be between 0 and 1")
        if self.runoff not in RUNOFF_KINDS:
            raise ValueError(f"unknown runoff kind {self.runoff!r}")
        if self.rule == "plurality" and self.runoff != "none":
            object.__setattr__(self, "runoff", "none")
        if self.measure and self.runoff != "none":
            object.__setattr__(self, "runoff", "none")
        if self.source not in RULE_SOURCES:
            raise ValueError(f"unknown rule source {self.source!r}")
        if self.runoff == RANKED_CHOICE and self.rule != "majority":
            raise ValueError("ranked-choice rounds follow a majority line (over 50 % of first choices)")
        if self.or_ballots_majority and not self.measure:
            raise ValueError("only a ballot question passes by a majority of all ballots cast")
        if self.advance < 0 or (self.advance and (self.rule != "plurality" or self.measure)):
            raise ValueError("only a plurality race (not a ballot question) has places that advance")
        if self.chooses not in CHOOSES or (self.chooses and self.measure):
            raise ValueError(f"unknown presidential stake {self.chooses!r} (or on a ballot question)")

    @classmethod
    def majority(cls, **kw: object) -> ThresholdRule:
        return cls("majority", 0.5, **kw)  # type: ignore[arg-type]

    @classmethod
    def plurality(cls, **kw: object) -> ThresholdRule:
        return cls("plurality", 0.5, runoff="none", **kw)  # type: ignore[arg-type]

    @classmethod
    def top(cls, places: int, **kw: object) -> ThresholdRule:
        """A primary whose ``places`` most-voted candidates advance to the general election."""
        if places < 1:
            raise ValueError("at least one place advances")
        return cls("plurality", 0.5, runoff="none", advance=places, **kw)  # type: ignore[arg-type]

    @classmethod
    def ranked_choice(cls, **kw: object) -> ThresholdRule:
        """A ranked-choice race: a majority of first choices wins outright, else the rounds decide."""
        return cls("majority", 0.5, runoff=RANKED_CHOICE, **kw)  # type: ignore[arg-type]

    @property
    def has_line(self) -> bool:
        return self.rule != "plurality"

    @property
    def has_runoff(self) -> bool:
        """A second election follows when nobody clears the line (not the ranked-choice rounds:
        they count the same ballots again)."""
        return self.has_line and self.runoff not in ("none", RANKED_CHOICE)

    @property
    def is_ranked_choice(self) -> bool:
        return self.runoff == RANKED_CHOICE

    @property
    def fraction(self) -> Fraction:
        """The line as an exact fraction: the share's decimal, or the small fraction a float
        stands for (2/3, New Hampshire's amendments: 0.6666666666666666 is not two-thirds, and
        "at least two-thirds" of 300 votes is 200 of them, exactly)."""
        exact = Fraction(str(self.share))
        near = exact.limit_denominator(12)
        return near if abs(near - exact) < Fraction(1, 10**12) else exact

    def label(self) -> str:
        """The line in words: "50 %", "55 %"; "50 % of first choices" in a ranked-choice race, so
        that every phrase built on it ("over …", "P(>…)", "crossed …") says what is measured."""
        if not self.has_line:
            return ""
        if self.fraction == Fraction(2, 3):
            return "two-thirds"
        return f"{self.share * 100:g} %" + (f" {OF_FIRST_CHOICES}" if self.is_ranked_choice else "")

    def describe(self, vote_for: int = 1) -> str:
        """The rule in words, for the window's header and ``parse``: "majority (over 50 %), top
        two to a runoff", "plurality, 3 seats", "ballot question, passes over 55 %"; a presidential
        race adds what its count chooses ("…; the most votes carry the state's presidential
        electors")."""
        head = self._describe(vote_for)
        return f"{head}; {_CHOOSES_CLAUSE[self.chooses]}" if self.chooses else head

    def _describe(self, vote_for: int) -> str:
        if self.measure and self.or_ballots_majority:
            return (
                f"ballot question: passes with {self.over_words()} yes, or with yes from a majority "
                "of all ballots cast in the election (the feed gives only the votes on the question)"
            )
        if self.measure:
            return f"ballot question: passes with {self.over_words()} yes"
        if self.advance:
            n = number_word(self.advance)
            return (
                f"top {n} advance (the {n} with the most votes go on to the general election; "
                "nobody is elected)"
            )
        if self.is_ranked_choice:
            return (
                "ranked choice: a majority of first choices (over 50 %) wins outright; else the "
                "ranked-choice rounds decide, which the feed does not show (it gives first choices only)"
            )
        if not self.has_line:
            return (
                "plurality (most votes win), no runoff"
                if vote_for <= 1
                else (f"plurality, {vote_for} seats: the {vote_for} with the most votes win")
            )
        head = "majority (over 50 %)" if self.rule == "majority" else self.over_words()
        tail = {
            "top-two": "else the top two go to a runoff",
            "on-request": "else a runoff if the runner-up asks for one",
            "none": "else the most votes win",
        }[self.runoff]
        return f"{head}, {tail}"

    def origin(self) -> str:
        """Where the rule came from, in words (the window's header and ``parse`` say it)."""
        return {
            "feed": "as the feed states it",
            "table": "from the jurisdiction table",
            "user": "set by you",
            "default": "default: the jurisdiction table has no row for this race",
        }[self.source]

    def over_words(self) -> str:
        """ "more than 30 %" or, for an at-least rule, "at least 55 %"."""
        return f"{'at least' if self.at_least else 'more than'} {self.label()}"

    def with_source(self, source: str, basis: str = "") -> ThresholdRule:
        return replace(self, source=source, basis=basis)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"rule": self.rule}
        if self.rule == "share":
            out["share"] = self.share
        if self.has_line and not self.measure and self.runoff != "top-two":
            out["runoff"] = self.runoff
        if self.measure:
            out["measure"] = True
        if self.at_least:
            out["at_least"] = True
        if self.advance:
            out["advance"] = self.advance
        if self.or_ballots_majority:
            out["or_ballots_majority"] = True
        if self.chooses:
            out["chooses"] = self.chooses
        if self.source != "default":
            out["source"] = self.source
        if self.basis:
            out["basis"] = self.basis
        return out

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> ThresholdRule:
        if not data:
            return cls.majority()
        rule = str(data.get("rule", "majority"))
        share = float(data["share"]) if rule == "share" else 0.5  # type: ignore[arg-type]
        return cls(
            rule,
            share,
            runoff=str(data.get("runoff", "none" if rule == "plurality" else "top-two")),
            measure=bool(data.get("measure", False)),
            at_least=bool(data.get("at_least", False)),
            advance=int(data.get("advance", 0) or 0) if rule == "plurality" else 0,  # type: ignore[call-overload]
            or_ballots_majority=bool(data.get("or_ballots_majority", False)),
            chooses="" if data.get("measure") else str(data.get("chooses", "") or ""),
            source=str(data.get("source", "default")),
            basis=str(data.get("basis", "")),
        )


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """ "two", "four": how the law says it ("the top two"); digits from 11 on."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


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
    # A ranked-choice race all counted with nobody over 50 % of first choices: the rounds decide.
    ROUNDS = "ranked-choice rounds decide"
    NO_LINE = "no line"
    WAITING = "waiting"
    # Seats (plurality, vote for N): where a candidate stands against the N-th place.
    IN = "in"
    OUT = "out"
    ELECTED = "elected"
    NOT_ELECTED = "not elected"
    # A primary where the top N advance (``ThresholdRule.advance``): nobody is elected.
    ADVANCES = "advances"
    NOT_ADVANCING = "does not advance"
    ELIMINATED = "eliminated"
    TIED = "tied at the cut line"
    # Ballot questions.
    PASSES = "passes"
    FAILS = "fails"
    # Short of the line, but the question may still pass another way the feed cannot measure
    # (``ThresholdRule.or_ballots_majority``: a majority of all ballots cast in the election).
    OTHER_TEST = "may pass by a majority of all ballots cast"
    # A race whose only choices are write-in lines (``tracker.core.write_ins``), and any write-in
    # line in a seat race: votes for names the feed does not give, never a seat.
    WRITE_INS = "write-ins only"
    # A named candidate out of the top N only because a write-in line is above them: in, unless the
    # write-in votes are mostly for one person (``tracker.core.standing``).
    BEHIND_WRITE_INS = "behind the write-in votes"


@dataclass(frozen=True)
class Outstanding:
    """The vote still to be counted: a central estimate and a range (all ints, lo <= mid <= hi)."""

    expected: int
    lo: int
    hi: int
    #: Whether ``hi`` rests on what the feed states (every unit complete, the feed's own expected
    #: vote, a county's precincts reporting of its total) rather than on an estimate (a baseline's
    #: turnout, the turnout prior, the units counted so far). Only a hard top lets the words say a
    #: candidate is eliminated: an estimate's top is likely, not a count of ballots, and a night
    #: can run over it (``tracker.core.standing``). False unless the maker says so.
    hard: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.lo <= self.expected <= self.hi:
            raise ValueError(f"inconsistent outstanding estimate {self}")

    @classmethod
    def none(cls) -> Outstanding:
        """Nothing out: every unit complete, which the feed states."""
        return cls(0, 0, 0, hard=True)


#: A candidate over the line at the expected outstanding vote but not at the top of its range.
OVER_NOT_CLINCHED = "over the line as counted · not clinched while the vote still out may be larger"
#: Its shorter forms, for a crowded bar and a narrow window.
OVER_NOT_CLINCHED_COMPACT = "over the line · not clinched"
OVER_NOT_CLINCHED_TINY = "not clinched"


@dataclass(frozen=True)
class Need:
    state: State
    #: Votes still needed to clear the line at the expected outstanding vote (>= 0), if meaningful.
    votes_needed: int | None = None
    #: Share of the expected outstanding vote needed (NEEDS; 0 when already over at the
    #: expected count) or of the largest plausible remainder (OUT_OF_REACH). Never clamped: a
    #: need above 1 is said as such ("would need 115 %"), not shown as 100 %.
    share_of_outstanding: float | None = None

    @property
    def over_as_expected(self) -> bool:
        """Over the line at the expected outstanding vote, not at the top of its range: it needs
        nothing of the vote expected out, and is not clinched ("needs 0.0 % of the outstanding
        vote" said neither: Georgia 2021's Warnock at the night's last version)."""
        return (
            self.state is State.NEEDS
            and self.share_of_outstanding is not None
            and self.share_of_outstanding <= 0
        )

    @property
    def beyond_reach(self) -> bool:
        """More than all of the outstanding vote would be needed."""
        return self.share_of_outstanding is not None and self.share_of_outstanding > 1.0

    def describe(self) -> str:
        """The short phrase the window shows next to a bar."""
        if self.state in (State.NEEDS, State.OUT_OF_REACH) and self.beyond_reach:
            return f"out of reach (would need {share_text(self.share_of_outstanding or 0.0)})"
        if self.over_as_expected:
            return OVER_NOT_CLINCHED
        if self.state is State.NEEDS and self.share_of_outstanding is not None:
            return f"needs {self.share_of_outstanding * 100:.1f} % of the outstanding vote"
        if self.state is State.WAITING:
            return "waiting for votes"
        if self.state is State.NO_LINE:
            return ""
        return self.state.value


def votes_to_clear(votes: int, total: int, rule: ThresholdRule) -> int:
    """Votes a candidate with ``votes`` of ``total`` final votes is short of the line (<= 0 when over).

    Strictly more than t·total is needed: floor(t·total) + 1; at least t·total for an
    ``at_least`` rule: ceil(t·total).
    """
    if rule.at_least:
        return math.ceil(rule.fraction * total) - votes
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
        short = votes_to_clear(votes, counted + outstanding.hi, rule)
        return Need(State.OUT_OF_REACH, votes_needed=short, share_of_outstanding=short / outstanding.hi)
    needed = votes_to_clear(votes, counted + outstanding.expected, rule)
    if needed <= 0:
        share = 0.0
    elif outstanding.expected == 0:
        # Nothing expected, yet the range's top could still lift them: say what the top needs.
        share = needed / outstanding.hi
    else:
        share = needed / outstanding.expected
    return Need(State.NEEDS, votes_needed=max(needed, 0), share_of_outstanding=share)


def share_text(share: float) -> str:
    """A needed share as people read it: "115 %" beyond everything out, "99.5 %" below."""
    pct = share * 100
    if pct > 100:
        # Rounded up, so a need just above everything never reads as a reachable "100.0 %".
        return f"{math.ceil(pct * 10) / 10:g} %"
    return f"{pct:.1f} %"
