"""A race's status in two or three words, for a small card ("final · Ossoff over 50 %").

A card has no estimate of the vote still out, so it speaks from the counted votes alone: "final"
once every precinct is in, with who is over the line, who leads or that a runoff follows; while
counting, only a leader "over 50 % so far". It lives in the core, beside the standings, so the
words follow the same rules as everywhere else: a write-in line ("Write-in",
``tracker.core.write_ins``) is many names and never the one who leads or is over the line, and a
named leader the write-in votes could outpoll is not said to lead (docs/contest-rules.md).
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.core.model import Contest
from tracker.core.standing import WRITE_INS_ONLY, stake_words, standings
from tracker.core.threshold import Outstanding, State
from tracker.core.write_ins import is_write_in, write_ins_only

__all__ = ["WAITING_ON_WRITE_INS_SHORT", "race_status"]

#: The race's outcome waits on how its write-in votes split among names the feed does not give.
WAITING_ON_WRITE_INS_SHORT = "waiting on write-ins"


def race_status(contest: Contest, name: Callable[[str], str] = str) -> str:
    """The status words; "" when there is nothing sure to say. ``name`` shortens a candidate's
    name (the card's surname); the caller shows the words as plain text."""
    reporting, total = contest.precincts
    counted = contest.total_votes
    ranked = contest.ranked()
    if not counted or not ranked:
        return ""
    done = bool(total and reporting >= total)
    if write_ins_only(c.name for c in ranked):
        return f"final · {WRITE_INS_ONLY}" if done else WRITE_INS_ONLY
    totals = contest.totals
    named = [c for c in ranked if not is_write_in(c.name)]
    written = sum(totals.get(c.id, 0) for c in ranked if is_write_in(c.name))
    leader = named[0]
    votes = totals.get(leader.id, 0)
    who = name(leader.name)
    # One write-in name could have as many as the named leader: nobody is sure to lead.
    unsure = written >= votes
    if contest.partial:
        # Part of the race: who leads here, never over a line or final for the race.
        return "" if unsure else f"{who} leads in this county"
    rule = contest.threshold
    if rule.measure and done:
        states = {r.need.state for r in standings(contest, Outstanding.none())}
        if State.OTHER_TEST in states:
            # Short of the line; a majority of all ballots cast (not in the feed) may pass it.
            return f"final · under {rule.label()}, may pass by ballots cast"
        if states & {State.PASSES, State.FAILS}:
            return "final · passes" if State.PASSES in states else "final · fails"
    over = rule.has_line and votes / counted > rule.share
    if not done:
        return f"{who} over {rule.label()} so far" if over else ""
    if rule.advance:
        # A top-N primary: nobody is elected; who goes on, as the standings say (ties and the
        # write-in votes included).
        rows = standings(contest, Outstanding.none())
        going = [name(r.candidate.name) for r in rows if r.need.state is State.ADVANCES]
        states = {r.need.state for r in rows}
        if State.BEHIND_WRITE_INS in states:
            return f"final · {WAITING_ON_WRITE_INS_SHORT}"
        if State.TIED in states:
            return "final · tied at the cut line"
        if not going:
            return ""
        return f"final · {', '.join(going)} advance" if len(going) > 1 else f"final · {going[0]} advances"
    if not rule.has_line:
        # A state's presidential race: the leader carries the state, nobody is elected.
        carries = stake_words(rule) if rule.chooses not in ("delegates", "nobody") else ""
        if unsure:
            return f"final · {WAITING_ON_WRITE_INS_SHORT}"
        return f"final · {who} {carries}" if carries and contest.vote_for <= 1 else f"final · {who} leads"
    if over:
        return f"final · {who} over {rule.label()}"
    rows = standings(contest, Outstanding.none())
    if any(r.need.state is State.BEHIND_WRITE_INS for r in rows):
        return f"final · {WAITING_ON_WRITE_INS_SHORT}"
    if rule.is_ranked_choice:
        # No second election, and nobody elected below the line: the rounds decide.
        return "final · ranked-choice rounds decide"
    # "runoff" only where the rule has one; else the most votes win.
    return {"top-two": "final · runoff", "on-request": "final · runoff if requested"}.get(
        rule.runoff, f"final · {who} leads"
    )
