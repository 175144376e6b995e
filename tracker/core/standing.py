"""Where each candidate of a race stands under the race's rule, and the words for it.

One place decides the phrases the list, the cards, the race view, the exports and the CLI show,
so they never disagree and never claim what the rule does not have: "runoff" only where the law
has one, "elected"/"in"/"out" against the N-th place when N seats are filled, "passes"/"fails"
for a ballot question, and no line at all for a single-seat plurality race. The arithmetic of a
line (exact integers; 50 % is not over 50 %) stays in ``threshold``; this module adds seats,
measures and the words.

Three ways a race is decided (:func:`mode`):

- ``line``: a majority or share rule, one seat. ``threshold.assess`` per candidate.
- ``seats``: plurality (any number of seats) or any rule with vote-for N > 1: the N most-voted
  win; the cut line is the N-th place. A primary where the top N advance
  (``ThresholdRule.advance``: Washington's and California's top two, Alaska's top four) is read
  the same way with N places (:func:`places`), but nobody is elected: the words say "advances",
  "in the top two", "clinched a place in the general", never "elected" or "seat". A line rule
  with several seats is read as top-N too (see docs/contest-rules.md: a multi-seat majority
  test is not modelled).
- ``measure``: a ballot question; its Yes choice against the share it needs.

A race whose only choices are write-in lines ("Write-in", ``tracker.core.write_ins``) is none of
these: it reads "write-ins only", never "elected · uncontested" (docs/contest-rules.md). In a
seat race a write-in line is never in, elected or clinched, and a named candidate below it reads
"behind the write-in votes" until the write-in names are counted (:func:`_seats`). In a line race
(majority, a share) it never leads, clears the line or takes a runoff place: the runoff is the two
named candidates' with the most votes, unless the write-in votes are enough for one write-in name
to be among them (:func:`_line`); in a file holding part of a race it never "leads in this county"
(:func:`_partial`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from tracker.core.model import Candidate, Contest
from tracker.core.threshold import (
    OVER_NOT_CLINCHED_COMPACT,
    OVER_NOT_CLINCHED_TINY,
    Need,
    Outstanding,
    State,
    ThresholdRule,
    assess,
    number_word,
    share_text,
    votes_to_clear,
)
from tracker.core.write_ins import is_write_in, write_ins_only

__all__ = [
    "CLINCHED_ESTIMATED",
    "CLINCHED_SHORT",
    "NO_FIRST_CHOICE_MAJORITY",
    "OUT_OF_REACH_ESTIMATED",
    "OUT_OF_REACH_SHORT",
    "ROUNDS_DECIDE",
    "WAITING_ON_WRITE_INS",
    "WRITE_INS_ONLY",
    "WRITE_IN_VOTES",
    "Standing",
    "cut_line",
    "line_label",
    "mode",
    "ordinal",
    "places",
    "stake_words",
    "standings",
    "verdict",
    "yes_choice",
]

#: Said instead of "eliminated" when the vote still out is an estimate (``Outstanding.hard`` is
#: False): the candidate is short of more than its likely top, which a count can run over.
OUT_OF_REACH_ESTIMATED = "out of reach unless the count runs far over its estimate"
#: The same, where there is room for two words.
OUT_OF_REACH_SHORT = "out of reach (est.)"
#: "clinched" against an estimate of the vote still out.
CLINCHED_ESTIMATED = "clinched unless the count runs far over its estimate"
CLINCHED_SHORT = "clinched (est.)"
#: A race whose only choices are write-in lines (``tracker.core.write_ins``): nobody to call
#: elected or unopposed.
WRITE_INS_ONLY = "write-ins only"
#: A write-in line beside named candidates in a race with no more of them than seats.
WRITE_IN_VOTES = "write-in votes, for names the feed does not give"
#: A named candidate whose place (a runoff place, the lead in a county) depends on how the
#: write-in votes split among the names the feed does not give.
WAITING_ON_WRITE_INS = "waiting on how the write-in votes split"
WAITING_SHORT = "waiting on write-ins"
#: A ranked-choice race (``ThresholdRule.is_ranked_choice``) all counted with nobody over 50 % of
#: first choices: the rounds decide, and the feed does not show them.
ROUNDS_DECIDE = "ranked-choice rounds decide"
#: Short of a majority of first choices even with all that is out: not out of the race (the
#: rounds may still elect them), only of winning outright.
NO_FIRST_CHOICE_MAJORITY = "no majority of first choices"

_YES = re.compile(r"^\s*(yes|for|approve|retain|si|sí)\b", re.I)


@dataclass(frozen=True)
class _Stake:
    """A presidential race's words (``ThresholdRule.chooses``): its count elects nobody."""

    #: The winner once all is counted ("elected" for an office).
    wins: str
    #: Over any rival with the top of the vote out ("clinched" for an office).
    clinched: str
    #: The verdict's head, before the names ("elected: …").
    verdict: str
    #: After the names, if anything.
    after: str = ""


#: By ``ThresholdRule.chooses``: a state's count carries its presidential electors; a primary's
#: allots delegates by party rules; elsewhere the most votes are only that.
_STAKES = {
    "electors": _Stake(
        "carries the state", "clinched the state", "carries the state and its presidential electors"
    ),
    "dc-electors": _Stake(
        "carries the District",
        "clinched the District",
        "carries the District of Columbia and its presidential electors",
    ),
    "at-large-electors": _Stake(
        "carries the state",
        "clinched the state",
        "carries the state and its two at-large presidential electors",
        " (each congressional district's count carries one more)",
    ),
    "district-elector": _Stake(
        "carries the district", "clinched the district", "carries the district and its presidential elector"
    ),
    "delegates": _Stake(
        "most votes · final",
        "clinched the most votes",
        "most votes",
        " (a presidential primary elects nobody: each party allots its delegates by its own rules)",
    ),
    "nobody": _Stake(
        "most votes · final",
        "clinched the most votes",
        "most votes",
        " (a presidential race: nobody is elected by this count)",
    ),
}


def stake_words(rule: ThresholdRule) -> str:
    """A presidential race's winner in a few words ("carries the state"), "" for other races."""
    stake = _STAKES.get(rule.chooses)
    return stake.wins.removesuffix(" · final") if stake else ""


@dataclass(frozen=True)
class Standing:
    """One candidate's place under the rule: the state, and the phrase at three lengths."""

    candidate: Candidate
    votes: int
    rank: int
    need: Need
    #: The full phrase ("out · needs 1,204 votes to pass Jane Doe"); "" when there is nothing to say.
    phrase: str = ""
    #: Shorter, for a crowded bar.
    compact: str = ""
    #: Shortest ("out"), for a narrow window.
    tiny: str = ""
    #: Whether a "clinched" or "out of reach" rests on an estimate of the vote still out, not on
    #: what the feed states (``Outstanding.hard``): the words then say so.
    estimated: bool = False


def mode(contest: Contest) -> str:
    """ "line", "seats" or "measure" (see the module docstring)."""
    rule = contest.threshold
    if rule.measure:
        return "measure"
    if rule.has_line and contest.vote_for <= 1:
        return "line"
    return "seats"


def places(contest: Contest) -> int:
    """How many are chosen at the cut line: the places that advance in a top-N primary, else the
    seats (vote for N)."""
    return contest.threshold.advance or max(contest.vote_for, 1)


def yes_choice(contest: Contest) -> Candidate | None:
    """The choice a ballot question's line applies to: the first named Yes/For/Retain, else the
    first on the ballot."""
    if not contest.candidates:
        return None
    for cand in sorted(contest.candidates, key=lambda c: c.ballot_order):
        if _YES.match(cand.name):
            return cand
    return min(contest.candidates, key=lambda c: c.ballot_order)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _votes(n: int) -> str:
    return f"{n:,} vote" + ("" if n == 1 else "s")


def standings(contest: Contest, outstanding: Outstanding | None) -> tuple[Standing, ...]:
    """Every candidate, most votes first, with their state and phrases under the race's rule.

    ``outstanding`` is the estimate of the vote still out (None before one can be made; ``hi == 0``
    when everything is counted)."""
    ranked = contest.ranked()
    totals = contest.totals
    counted = sum(totals.values())
    votes = [totals.get(c.id, 0) for c in ranked]
    if write_ins_only(c.name for c in ranked):
        # No candidate on the ballot: a write-in line is votes for names the feed does not give.
        return tuple(
            Standing(c, v, rank, Need(State.WRITE_INS), WRITE_INS_ONLY, WRITE_INS_ONLY, WRITE_INS_ONLY)
            for rank, (c, v) in enumerate(zip(ranked, votes, strict=True))
        )
    if contest.partial:
        return _partial(places(contest), ranked, votes, counted)
    how = mode(contest)
    if how == "line" and contest.threshold.is_ranked_choice:
        return _rounds(contest.threshold, ranked, votes, counted, outstanding)
    if how == "line":
        return _line(contest.threshold, ranked, votes, counted, outstanding)
    if how == "measure":
        return _measure(contest, ranked, votes, counted, outstanding)
    return _seats(
        places(contest),
        ranked,
        votes,
        counted,
        outstanding,
        advance=bool(contest.threshold.advance),
        stake=_STAKES.get(contest.threshold.chooses) if places(contest) == 1 else None,
    )


def _split(ranked: list[Candidate], votes: list[int]) -> tuple[list[bool], list[int], int]:
    """Which choices are write-in lines, each named candidate's place among the names (-1 for a
    write-in line), and the write-in lines' total: the most any one write-in name can have."""
    write_in = [is_write_in(c.name) for c in ranked]
    named_rank, k = [], 0
    for w in write_in:
        named_rank.append(-1 if w else k)
        k += 0 if w else 1
    written = sum(v for v, w in zip(votes, write_in, strict=True) if w)
    return write_in, named_rank, written


def _outpolled(written: int, room: int, votes: int) -> bool:
    """Whether ``room`` write-in names could each have at least ``votes`` (taking or tying a place
    a named candidate holds among the names): the write-in total is the most they share."""
    return written > 0 and room > 0 and written >= room * votes


def _unless(room: int) -> str:
    who = "one write-in name has" if room == 1 else f"{room} write-in names have"
    return f"unless {who} as many"


@dataclass(frozen=True)
class _LineField:
    """What the words of a race against a line (``_line``, ``_rounds``) read before their first
    phrase: each choice's need, which are write-in lines, and whether the top two names tie."""

    write_in: list[bool]
    named_rank: list[int]
    written: int
    needs: list[Need]
    decided: bool
    estimate: bool
    label: str
    named_votes: list[int]
    top_tied: bool

    @classmethod
    def of(
        cls,
        rule: ThresholdRule,
        ranked: list[Candidate],
        votes: list[int],
        counted: int,
        outstanding: Outstanding | None,
    ) -> _LineField:
        write_in, named_rank, written = _split(ranked, votes)
        needs = [
            Need(State.WRITE_INS) if w else assess(v, counted, outstanding, rule)
            for v, w in zip(votes, write_in, strict=True)
        ]
        named_votes = [v for v, w in zip(votes, write_in, strict=True) if not w]
        return cls(
            write_in,
            named_rank,
            written,
            needs,
            decided=any(n.state is State.CLEARED for n in needs),
            estimate=outstanding is not None and not outstanding.hard and outstanding.hi > 0,
            label=rule.label(),
            named_votes=named_votes,
            top_tied=len(named_votes) > 1 and named_votes[0] == named_votes[1],
        )


def _line(
    rule: ThresholdRule,
    ranked: list[Candidate],
    votes: list[int],
    counted: int,
    outstanding: Outstanding | None,
) -> tuple[Standing, ...]:
    """A majority or share rule, one seat. A write-in line (``tracker.core.write_ins``) is many
    names: it never leads, clears the line or takes a runoff place. The runoff is between the two
    named candidates with the most votes, unless the write-in total is enough for write-in names
    to take or tie those places (``_outpolled``) or for one of them to clear the line; then the
    words wait on how the write-in votes split (docs/contest-rules.md)."""
    field = _LineField.of(rule, ranked, votes, counted, outstanding)
    write_in, named_rank, written, needs = field.write_in, field.named_rank, field.written, field.needs
    decided, estimate, label = field.decided, field.estimate, field.label
    named_votes, top_tied = field.named_votes, field.top_tied
    # One write-in name could hold more than the line on its own: then nobody is surely in a runoff.
    write_in_clears = written > 0 and counted > 0 and votes_to_clear(written, counted, rule) <= 0
    out = []
    for rank, (cand, v, need, w) in enumerate(zip(ranked, votes, needs, write_in, strict=True)):
        compact = tiny = ""
        k = named_rank[rank]
        if w:
            phrase, tiny = (WRITE_IN_VOTES, "write-ins") if counted else ("", "")
        elif need.state is State.WAITING:
            phrase = "too early to say" if counted else ""
        elif need.state is State.RUNOFF:
            # Nobody named is over the line; what the runoff (or the most votes) decides.
            if decided:
                phrase, room = "final", 0
            elif rule.runoff == "none":
                first = k == 0 or (top_tied and v == named_votes[0])
                head = "tied for most votes" if top_tied else "most votes"
                phrase, room = (f"{head} · final", 1) if first else ("final", 0)
            else:
                head = "runoff" if rule.runoff == "top-two" else "runoff if requested"
                phrase, room = (head, 2 - k) if k < 2 else ("final", 0)
            beaten = _outpolled(written, room, v)
            if room and (beaten or write_in_clears):
                # Write-in names could take or tie this place, or one could be over the line.
                need = Need(State.BEHIND_WRITE_INS, votes_needed=need.votes_needed)
                head = phrase.removesuffix(" · final")
                if beaten and write_in_clears:
                    phrase = f"{head}, {WAITING_ON_WRITE_INS}"
                elif beaten:
                    phrase = f"{head} {_unless(room)}"
                else:
                    phrase = f"{head} unless one write-in name is over {label}"
                phrase += " · final" if rule.runoff == "none" else ""
                tiny = WAITING_SHORT
                compact = phrase if len(phrase) <= 28 else tiny
        elif need.state is State.CLEARED:
            phrase = f"over {label} · final"
        elif need.state is State.CLINCHED and estimate:
            # over the line at the top of an estimate: likely, not a count of ballots
            phrase, compact = CLINCHED_ESTIMATED, CLINCHED_SHORT
        elif need.state is State.OUT_OF_REACH and k >= 2:
            # The field far behind: the words say it; "(would need 190.8 %)" beside sixteen minor
            # candidates would only bury the line (the top two names keep their share).
            phrase = OUT_OF_REACH_SHORT if estimate else "out of reach"
        elif need.over_as_expected:
            phrase, compact, tiny = need.describe(), OVER_NOT_CLINCHED_COMPACT, OVER_NOT_CLINCHED_TINY
        elif need.state is State.NEEDS and need.share_of_outstanding is not None and not need.beyond_reach:
            pct = need.share_of_outstanding * 100
            phrase = need.describe()
            compact = f"needs {pct:.1f} % of what is left"
            tiny = f"needs {pct:.1f} %"
        elif need.beyond_reach and estimate:
            phrase = f"{OUT_OF_REACH_ESTIMATED} (would need {share_text(need.share_of_outstanding or 0.0)})"
            compact = OUT_OF_REACH_SHORT
        else:
            phrase = need.describe()
        claims = need.state is State.CLINCHED or need.state is State.OUT_OF_REACH or need.beyond_reach
        out.append(
            Standing(
                cand,
                v,
                rank,
                need,
                phrase,
                compact or phrase,
                tiny or compact or phrase,
                estimated=estimate and claims,
            )
        )
    return tuple(out)


def _rounds(
    rule: ThresholdRule,
    ranked: list[Candidate],
    votes: list[int],
    counted: int,
    outstanding: Outstanding | None,
) -> tuple[Standing, ...]:
    """A ranked-choice race (Maine, Alaska's general election, New York City's primaries): the
    votes are first choices, the only count a feed gives on the night. A majority of them wins
    outright ("over 50 % of first choices · final"). Below it, once all is counted, the
    ranked-choice rounds decide, which the feed does not show: nobody below the line is elected,
    in a runoff (there is no second election) or out (short of a first-choice majority is not out
    of the rounds: Maine's 2nd district, 2018, was won by the runner-up on first choices). A
    write-in line is many names, as in :func:`_line`: where one write-in name could hold a
    majority of first choices, the words wait on how they split."""
    field = _LineField.of(rule, ranked, votes, counted, outstanding)
    write_in, named_rank, written, needs = field.write_in, field.named_rank, field.written, field.needs
    decided, estimate, label = field.decided, field.estimate, field.label
    named_votes, top_tied = field.named_votes, field.top_tied
    # One write-in name could hold a majority of first choices on its own.
    write_in_clears = written > 0 and counted > 0 and votes_to_clear(written, counted, rule) <= 0
    out = []
    for rank, (cand, v, need, w) in enumerate(zip(ranked, votes, needs, write_in, strict=True)):
        compact = tiny = ""
        k = named_rank[rank]
        if w:
            phrase, tiny = (WRITE_IN_VOTES, "write-ins") if counted else ("", "")
        elif need.state is State.WAITING:
            phrase = "too early to say" if counted else ""
        elif need.state is State.RUNOFF and decided:
            phrase = "final"  # a named candidate has the majority: the race is decided
        elif need.state is State.RUNOFF and write_in_clears:
            need = Need(State.BEHIND_WRITE_INS, votes_needed=need.votes_needed)
            phrase = f"{ROUNDS_DECIDE} unless one write-in name is over {label}"
            compact = tiny = WAITING_SHORT
        elif need.state is State.RUNOFF:
            # Nobody over the line, all counted: the rounds decide; who leads on first choices
            # is a fact of the count, not a result.
            need = Need(State.ROUNDS, votes_needed=need.votes_needed)
            first = k == 0 or (top_tied and v == named_votes[0])
            if first and written >= v:
                phrase, compact = (
                    f"most first choices among the names · {ROUNDS_DECIDE}",
                    "to ranked-choice rounds",
                )
            elif first:
                head = "tied for most first choices" if top_tied else "most first choices"
                phrase = f"{head} · {ROUNDS_DECIDE}"
                compact = "tied 1st choices · to rounds" if top_tied else "most 1st choices · to rounds"
            else:
                phrase = ROUNDS_DECIDE
            tiny = "to rounds"
        elif need.state is State.CLEARED:
            phrase = f"over {label} · final"
        elif need.state is State.CLINCHED:
            what = "clinched a majority of first choices"
            phrase, compact = (
                (f"{what} unless the count runs far over its estimate", CLINCHED_SHORT)
                if estimate
                else (what, "clinched")
            )
        elif need.state is State.OUT_OF_REACH or need.beyond_reach:
            if k >= 2:
                phrase = NO_FIRST_CHOICE_MAJORITY + (" (est.)" if estimate else "")
            else:
                pct = share_text(need.share_of_outstanding or 0.0)
                unless = " unless the count runs far over its estimate" if estimate else ""
                phrase = f"{NO_FIRST_CHOICE_MAJORITY}{unless} (would need {pct})"
            compact = "no majority (est.)" if estimate else "no 1st-choice majority"
        elif need.over_as_expected:
            phrase = (
                "over 50 % of first choices as counted · not clinched while the vote still out may be larger"
            )
            compact, tiny = OVER_NOT_CLINCHED_COMPACT, OVER_NOT_CLINCHED_TINY
        elif need.state is State.NEEDS and need.share_of_outstanding is not None:
            pct = need.share_of_outstanding * 100
            phrase = f"needs {pct:.1f} % of the outstanding vote for a majority of first choices"
            compact = f"needs {pct:.1f} % of what is left"
            tiny = f"needs {pct:.1f} %"
        else:
            phrase = need.describe()
        claims = need.state in (State.CLINCHED, State.OUT_OF_REACH) or need.beyond_reach
        out.append(
            Standing(
                cand,
                v,
                rank,
                need,
                phrase,
                compact or phrase,
                tiny or compact or phrase,
                estimated=estimate and claims,
            )
        )
    return tuple(out)


def _measure(
    contest: Contest,
    ranked: list[Candidate],
    votes: list[int],
    counted: int,
    outstanding: Outstanding | None,
) -> tuple[Standing, ...]:
    rule = contest.threshold
    yes = yes_choice(contest)
    out = []
    for rank, (cand, v) in enumerate(zip(ranked, votes, strict=True)):
        if yes is None or cand.id != yes.id:
            out.append(Standing(cand, v, rank, Need(State.NO_LINE)))
            continue
        need = assess(v, counted, outstanding, rule)
        # Illinois's amendments pass another way too, on ballots the feed does not give: Yes over
        # half of the votes on the question may be over half of every ballot cast (never more:
        # every vote on the question is a ballot cast, so Yes at half or less fails both).
        hi = outstanding.hi if outstanding is not None else 0
        other = rule.or_ballots_majority and 2 * (v + hi) > counted + hi
        compact = tiny = ""
        if need.state is State.CLEARED:
            need, phrase = Need(State.PASSES, votes_needed=0), f"passes ({rule.over_words()}) · final"
        elif need.state is State.RUNOFF and other:
            need = Need(State.OTHER_TEST, votes_needed=need.votes_needed)
            phrase = (
                f"fails the {rule.label()} test; may still pass with a majority of all ballots cast, "
                "which the feed does not give"
            )
            compact, tiny = "may pass by ballots cast", "other test"
        elif need.state is State.RUNOFF and rule.or_ballots_majority:
            need, phrase = (
                Need(State.FAILS, votes_needed=need.votes_needed),
                f"fails (needs {rule.over_words()}, or a majority of all ballots cast) · final",
            )
        elif (need.state is State.OUT_OF_REACH or need.beyond_reach) and other:
            phrase = (
                f"{rule.label()} out of reach (would need {share_text(need.share_of_outstanding or 0.0)}); "
                "may still pass with a majority of all ballots cast"
            )
            compact, tiny = f"{rule.label()} out of reach", "other test"
        elif need.state is State.RUNOFF:
            need, phrase = (
                Need(State.FAILS, votes_needed=need.votes_needed),
                f"fails (needs {rule.over_words()}) · final",
            )
        elif need.state is State.CLINCHED:
            estimate = outstanding is not None and not outstanding.hard
            phrase = (
                "passes unless the count runs far over its estimate"
                if estimate
                else "passes whatever is left"
            )
        elif need.state is State.WAITING:
            phrase = "too early to say" if counted else ""
        else:
            phrase = need.describe()
        out.append(Standing(cand, v, rank, need, phrase, compact or phrase, tiny or compact or phrase))
    return tuple(out)


def _seats(
    seats: int,
    ranked: list[Candidate],
    votes: list[int],
    counted: int,
    outstanding: Outstanding | None,
    *,
    advance: bool = False,
    stake: _Stake | None = None,
) -> tuple[Standing, ...]:
    """The N most-voted win (or, with ``advance``, go on to the general election: the same
    arithmetic, other words; with a presidential ``stake`` the one most-voted carries the state,
    or has the most votes, and nobody is "elected").
    A write-in line ranks like a rival with all of its votes (the most
    one write-in name can have), so a lead over it is a lead over any write-in name; but it is
    never in, elected or clinched itself, and a named candidate it pushes below the N-th place is
    not out: their seat waits on how the write-in votes split (docs/contest-rules.md)."""
    final = outstanding is not None and outstanding.hi == 0 and counted > 0
    hi = outstanding.hi if outstanding is not None else None
    hard = outstanding is not None and outstanding.hard
    contested = len(ranked) > seats
    first_out = votes[seats] if contested else 0
    # Those outside are measured against the N-th *named* candidate: passing them is needed
    # however the write-in votes split (the write-ins can only push the bar higher).
    write_in = [is_write_in(c.name) for c in ranked]
    named = [(c, v) for c, v, w in zip(ranked, votes, write_in, strict=True) if not w]
    written = sum(v for v, w in zip(votes, write_in, strict=True) if w)
    named_rank = {c.id: i for i, (c, _) in enumerate(named)}
    cut_named = len(named) > seats
    cut = named[seats - 1][1] if cut_named else 0
    cut_name = named[seats - 1][0].name if cut_named else ""
    tie = cut_named and cut == named[seats][1]
    one = seats == 1 and not advance
    top = f"in the top {number_word(seats)}"
    # "… to pass Jones for 2nd": in a primary the place is what is at stake, not a seat.
    place = f" for {ordinal(seats)}" if advance else ""
    out = []
    for rank, (cand, v, w) in enumerate(zip(ranked, votes, write_in, strict=True)):
        inside = rank < seats
        room = seats - named_rank.get(cand.id, seats)
        if not counted:
            need, phrase, tiny = Need(State.WAITING), "", ""
        elif w:
            # Votes for people the feed does not name, perhaps several: the line holds no seat.
            need, phrase, tiny = Need(State.WRITE_INS), WRITE_IN_VOTES, "write-ins"
        elif written and room > 0 and written >= room * v:
            # ``room`` write-in names with as many votes each would take or tie this seat.
            need, tiny = Need(State.BEHIND_WRITE_INS), "behind write-ins"
            who = "one write-in name has" if room == 1 else f"{room} write-in names have"
            if advance:
                wins = "advances" if final else top
            elif stake is not None and final:
                wins = stake.wins.removesuffix(" · final")
            else:
                wins = ("wins" if one else "wins a seat") if final else ("leads" if one else "in")
            phrase = f"behind the write-in votes · {wins} unless {who} as many" + (
                " · final" if final else ""
            )
        elif not contested and advance:
            need = Need(State.ADVANCES if final else State.IN, votes_needed=0)
            phrase = "advances · uncontested" if final else f"{top} · uncontested"
            tiny = "advances" if final else "in"
        elif not contested:
            state = State.ELECTED if final else State.IN
            need = Need(state, votes_needed=0)
            won = stake.wins.removesuffix(" · final") if stake is not None else "elected"
            phrase = tiny = (
                f"{won} · uncontested" if final else ("in · uncontested" if not one else "unopposed")
            )
        elif tie and v == cut:
            need = Need(State.TIED, votes_needed=1)
            phrase = ("tied for the lead" if one else "tied at the cut line") + (" · final" if final else "")
            tiny = "tied"
        elif final and advance:
            state = State.ADVANCES if inside else State.NOT_ADVANCING
            need = Need(state, votes_needed=0 if inside else cut - v + 1)
            phrase = tiny = state.value
        elif final and stake is not None:
            # Nobody is elected: the first carries the state (or has the most votes), the rest
            # are final.
            state = State.ELECTED if inside else State.NOT_ELECTED
            need = Need(state, votes_needed=0 if inside else cut - v + 1)
            phrase = tiny = stake.wins if inside else "final"
        elif final:
            state = State.ELECTED if inside else State.NOT_ELECTED
            need = Need(state, votes_needed=0 if inside else cut - v + 1)
            phrase = tiny = state.value
        elif inside:
            lead = v - first_out
            what = "clinched a place in the general" if advance else "clinched a seat"
            if stake is not None:
                what = stake.clinched
            if hi is not None and lead > hi:
                need, phrase = Need(State.CLINCHED, votes_needed=0), "clinched" if one and not stake else what
                tiny = "clinched"
                if not hard:
                    phrase = (
                        CLINCHED_ESTIMATED
                        if one and not stake
                        else f"{what} unless the count runs far over its estimate"
                    )
                    tiny = CLINCHED_SHORT
            elif advance:
                need = Need(State.IN, votes_needed=0)
                phrase = f"{top} · {_votes(lead)} ahead of {ordinal(seats + 1)}"
                tiny = "in"
            else:
                need = Need(State.IN, votes_needed=0)
                phrase = f"leads by {_votes(lead)}" if one else f"in · {_votes(lead)} ahead of the cut"
                tiny = "leads" if one else "in"
        else:
            short = cut - v + 1
            if hi is not None and short > hi and hard:
                need = Need(State.ELIMINATED, votes_needed=short)
                head, tiny = ("out of reach", "out of reach") if advance else ("eliminated", "eliminated")
                phrase = f"{head} (needs {_votes(short)} to pass {cut_name}{place}, more than are out)"
            elif hi is not None and short > hi:
                # The top of an estimate is likely, not a count of ballots: a night can run over it.
                need = Need(State.OUT_OF_REACH, votes_needed=short)
                phrase = f"{OUT_OF_REACH_ESTIMATED} (needs {_votes(short)} to pass {cut_name}{place})"
                tiny = OUT_OF_REACH_SHORT
            else:
                need = Need(State.OUT, votes_needed=short)
                phrase = (
                    f"{'' if one or advance else 'out · '}needs {_votes(short)} to pass {cut_name}{place}"
                )
                tiny = "trails" if one else "out"
        compact = phrase if len(phrase) <= 28 else tiny
        estimated = not hard and need.state in (State.CLINCHED, State.OUT_OF_REACH)
        out.append(Standing(cand, v, rank, need, phrase, compact, tiny, estimated=estimated))
    return tuple(out)


def _partial(seats: int, ranked: list[Candidate], votes: list[int], counted: int) -> tuple[Standing, ...]:
    """A file that holds only part of the race (``Contest.partial``): who leads in the part that
    is here and by how much; never elected, cleared, runoff or eliminated, whatever is counted
    here, because the rest of the race is counted elsewhere. (Each candidate's share is shown
    beside the phrase everywhere: the phrase does not repeat it.) A write-in line never leads
    here either: it is read as in a seat race (:func:`_seats`), one rival at most as strong as
    its total, and a named candidate it could outpoll waits on how its votes split."""
    out = []
    one = seats == 1
    write_in, named_rank, written = _split(ranked, votes)
    named = [v for v, w in zip(votes, write_in, strict=True) if not w]
    contested = len(votes) > seats
    first_out = votes[seats] if contested else 0
    # Those outside are measured against the N-th *named* candidate, as in a seat race.
    cut = named[seats - 1] if len(named) >= seats else 0
    tie = len(named) > seats and named[seats] == cut
    for rank, (cand, v, w) in enumerate(zip(ranked, votes, write_in, strict=True)):
        k = named_rank[rank]
        if not counted:
            out.append(Standing(cand, v, rank, Need(State.WAITING)))
            continue
        state = State.IN if 0 <= k < seats else State.OUT
        if w:
            state, phrase, tiny = State.WRITE_INS, WRITE_IN_VOTES, "write-ins"
        elif _outpolled(written, seats - k, v):
            state, tiny = State.BEHIND_WRITE_INS, WAITING_SHORT
            place = "leads in this county" if one else f"in the top {seats} in this county"
            phrase = f"{place} {_unless(seats - k)}"
        elif tie and v == cut:
            phrase = "tied for the lead in this county" if one else "tied at the cut in this county"
            tiny = "tied here"
        elif k < seats and not contested:
            phrase, tiny = "unopposed in this county", "unopposed here"
        elif k < seats:
            ahead = v - first_out
            phrase = (
                f"leads in this county by {_votes(ahead)}"
                if one
                else f"in the top {seats} in this county, {_votes(ahead)} ahead of the cut"
            )
            tiny = "leads here" if one else f"top {seats} here"
        else:
            behind = cut - v
            phrase = (
                f"trails in this county by {_votes(behind)}"
                if one
                else f"outside the top {seats} in this county by {_votes(behind)}"
            )
            tiny = "trails here"
        compact = phrase if len(phrase) <= 28 else tiny
        out.append(Standing(cand, v, rank, Need(state, votes_needed=0), phrase, compact, tiny))
    return tuple(out)


def cut_line(contest: Contest) -> float | None:
    """Where the view draws the race's line, as a share of the counted vote (0..1): the rule's
    share for a line or a ballot question, the N-th place's share for N > 1 seats, None for a
    single-seat plurality race (no line: the most votes win), before anything is counted, when
    the file holds only part of the race (its line is met or missed on the whole race's votes), or
    when the only choices are write-in lines (nobody on the ballot to measure)."""
    if contest.partial or write_ins_only(c.name for c in contest.candidates):
        return None
    how = mode(contest)
    if how in ("line", "measure"):
        return contest.threshold.share
    seats = places(contest)
    if seats == 1 or len(contest.candidates) <= seats:
        return None
    totals = contest.totals
    counted = sum(totals.values())
    if not counted:
        return None
    # The N-th named candidate: what those below must pass however the write-ins split (the
    # N-th place unless a write-in line is above it).
    named = [c for c in contest.ranked() if not is_write_in(c.name)]
    if len(named) < seats:
        return None
    return totals.get(named[seats - 1].id, 0) / counted


def line_label(contest: Contest) -> str:
    """The label on the line: "50 %", "55 % to pass", "cut: 3rd place"; "" for a file holding part
    of the race (no line is drawn)."""
    if contest.partial or write_ins_only(c.name for c in contest.candidates):
        return ""
    how = mode(contest)
    if how == "line":
        return contest.threshold.label()
    if how == "measure":
        return f"{contest.threshold.label()} to pass"
    seats = places(contest)
    if seats <= 1 and not contest.threshold.advance:
        return ""
    if any(is_write_in(c.name) for c in contest.ranked()[:seats]):
        # A write-in line is above the line: it is at the N-th name, not the N-th place.
        return f"cut: {ordinal(seats)} named"
    return f"cut: {ordinal(seats)} place"


def verdict(contest: Contest, rows: tuple[Standing, ...], name: Callable[[str], str] = str) -> str:
    """The race in one sentence, from the states only (no projection, no call); "" when there is
    nothing sure to say. Names are the feed's, through ``name`` (the window's title case): the
    caller shows this as plain text. A write-in line is never named as leading, over the line
    or in a runoff; a named candidate whose place waits on how its votes split is said so."""
    if not rows or not rows[0].votes:
        return ""
    if all(r.need.state is State.WRITE_INS for r in rows):
        return "no candidate on the ballot, only write-in votes"
    rows = tuple(replace(r, candidate=replace(r.candidate, name=name(r.candidate.name))) for r in rows)
    named = [r for r in rows if r.need.state is not State.WRITE_INS]
    written = sum(r.votes for r in rows if r.need.state is State.WRITE_INS)
    if contest.partial:
        return _partial_verdict(places(contest), named)
    how = mode(contest)
    rule = contest.threshold
    if how == "line" and rule.is_ranked_choice:
        return _rounds_verdict(rule, named, written, sum(r.votes for r in rows))
    if how == "line":
        return _line_verdict(rule, named, written, sum(r.votes for r in rows))
    if how == "measure":
        for row in rows:
            if row.need.state is State.PASSES:
                return f"passes with {row.votes:,} yes ({rule.over_words()})"
            if row.need.state is State.FAILS and rule.or_ballots_majority:
                return f"fails: yes needs {rule.over_words()}, or a majority of all ballots cast"
            if row.need.state is State.FAILS:
                return f"fails: yes needs {rule.over_words()}"
            if row.need.state is State.OTHER_TEST:
                return (
                    f"fails the {rule.label()} test; may still pass with a majority of all ballots "
                    "cast, which the feed does not give"
                )
        return ""
    elected = [r.candidate.name for r in rows if r.need.state is State.ELECTED]
    advancing = [r.candidate.name for r in rows if r.need.state is State.ADVANCES]
    tied = [r.candidate.name for r in rows if r.need.state is State.TIED and r.phrase.endswith("final")]
    behind = [
        r.candidate.name
        for r in rows
        if r.need.state is State.BEHIND_WRITE_INS and r.phrase.endswith("final")
    ]
    parts = []
    stake = _STAKES.get(rule.chooses) if places(contest) == 1 else None
    if elected and stake is not None:
        parts.append(f"{stake.verdict}: {', '.join(elected)}{stake.after}")
    elif elected:
        parts.append("elected: " + ", ".join(elected))
    if advancing:
        parts.append("advance to the general election: " + ", ".join(advancing))
    if tied:
        parts.append("tied at the cut line: " + ", ".join(tied))
    if behind:
        parts.append(f"{WAITING_ON_WRITE_INS}: " + ", ".join(behind))
    return "; ".join(parts)


def _partial_verdict(seats: int, named: list[Standing]) -> str:
    part = "this file covers part of the race"
    if len(named) > seats and named[seats - 1].votes == named[seats].votes:
        return f"tied in this county; {part}"
    unsure = [r.candidate.name for r in named[:seats] if r.need.state is State.BEHIND_WRITE_INS]
    sure = [r.candidate.name for r in named[:seats] if r.need.state is not State.BEHIND_WRITE_INS]
    parts = []
    if sure:
        verb = "leads" if len(sure) == 1 and seats == 1 else "lead"
        parts.append(f"{', '.join(sure)} {verb} in this county")
    if unsure:
        parts.append(f"in this county, {WAITING_ON_WRITE_INS}: {', '.join(unsure)}")
    return "; ".join([*parts, part])


def _line_verdict(rule: ThresholdRule, named: list[Standing], written: int, counted: int) -> str:
    """A line race's sentence: the named leader over the line, or who goes to the runoff among
    the names; a write-in line's total large enough to hold one name over the line or in a
    runoff place makes it wait on how those votes split."""
    if not named:
        return ""
    label = rule.label()
    leader = named[0]
    who = leader.candidate.name
    # Under a line below half (30 %), one write-in name could have more than a named leader over it.
    more = f"; {WAITING_ON_WRITE_INS}: one write-in name could have more" if written >= leader.votes else ""
    state = leader.need.state
    if state is State.CLEARED:
        return f"{who} is over {label}{more}"
    if state is State.CLINCHED:
        if leader.estimated:
            return f"{who} stays over {label} unless the count runs far over its estimate{more}"
        return f"{who} stays over {label} even if every outstanding vote goes to others{more}"
    if state not in (State.RUNOFF, State.BEHIND_WRITE_INS):
        return ""
    write_in_clears = written > 0 and votes_to_clear(written, counted, rule) <= 0
    nobody = (
        f"no named candidate is over {label}, and one write-in name could be"
        if write_in_clears
        else f"nobody is over {label}"
    )
    top = named[:1] if rule.runoff == "none" else named[:2]
    unsure = [r.candidate.name for r in top if r.need.state is State.BEHIND_WRITE_INS]
    sure = [r.candidate.name for r in top if r.need.state is State.RUNOFF]
    waiting = f"; {WAITING_ON_WRITE_INS}: {', '.join(unsure)}" if unsure else ""
    if rule.runoff == "top-two":
        if len(sure) == 2:
            return f"{nobody}: {sure[0]} and {sure[1]} to a runoff"
        head = f"{nobody}: {sure[0]} to a runoff" if sure else nobody
        if not unsure:
            # One name only: the runoff's other place is a write-in name's, whoever has most.
            return f"{head}; {WAITING_ON_WRITE_INS} for the other place"
        return f"{head}{waiting}"
    if rule.runoff == "on-request":
        if unsure or len(named) < 2:
            return f"{nobody}{waiting or '; ' + WAITING_ON_WRITE_INS + ' for who may ask for a runoff'}"
        return f"{nobody}: {named[1].candidate.name} may ask for a runoff"
    return f"{nobody}; the most votes win{waiting}"


def _rounds_verdict(rule: ThresholdRule, named: list[Standing], written: int, counted: int) -> str:
    """A ranked-choice race's sentence: the named candidate over 50 % of first choices, or that the
    rounds decide (with who has the most first choices: a fact of the count, not a result); never
    "elected" below the line, never "runoff"."""
    if not named:
        return ""
    label = rule.label()
    leader = named[0]
    who = leader.candidate.name
    state = leader.need.state
    if state is State.CLEARED:
        return f"{who} is over {label}: a majority of first choices wins outright, no rounds"
    if state is State.CLINCHED:
        if leader.estimated:
            return f"{who} stays over {label} unless the count runs far over its estimate"
        return f"{who} stays over {label} even if every outstanding vote goes to others"
    if state is State.BEHIND_WRITE_INS:
        return (
            f"no named candidate is over {label}, and one write-in name could be; "
            f"{WAITING_ON_WRITE_INS}; if none is, the {ROUNDS_DECIDE}"
        )
    if state is State.ROUNDS:
        tied = [r.candidate.name for r in named if r.votes == leader.votes]
        if len(tied) > 1:
            most = "tied for most first choices: " + ", ".join(tied)
        elif written >= leader.votes:
            most = f"most first choices among the names: {who}"
        else:
            most = f"most first choices: {who}"
        return f"nobody is over {label}: the {ROUNDS_DECIDE}, which the feed does not show ({most})"
    # Short even with the top of the range out, every name (a need beyond the expected count alone
    # is not enough: the range's top could still lift them).
    if all(r.need.state is State.OUT_OF_REACH for r in named) and not written:
        unless = " unless the count runs far over its estimate" if any(r.estimated for r in named) else ""
        return f"nobody can reach {label}{unless}: the ranked-choice rounds will decide"
    return ""
