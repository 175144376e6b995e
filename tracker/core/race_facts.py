"""What the race list shows and filters on, per race: computed once per version, not per paint.

A night can hold thousands of races and the list is searched, sorted and filtered on every
keystroke; doing the arithmetic (leader, margin, threshold) inside Qt's ``data()`` would repeat it
for every cell painted and every comparison of a sort. So each version's contests are reduced to
small immutable :class:`RaceFacts` here (pure Python, no Qt), and the list only reads them.

"When did this race last change" needs the versions before the one on screen: each version is
reduced to one fingerprint per race (:func:`fingerprints`, made on the worker thread with the
parse) and :func:`last_changes` walks them back.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from tracker.core.model import Contest, Snapshot
from tracker.core.pause_points import pause_point
from tracker.core.standing import ordinal, places, yes_choice
from tracker.core.threshold import ThresholdRule
from tracker.core.write_ins import is_write_in

__all__ = [
    "LastChange",
    "LastChangeTracker",
    "RaceFacts",
    "fingerprint",
    "fingerprints",
    "last_changes",
    "margin_lines",
    "race_facts",
    "snapshot_facts",
]


class RaceFacts(NamedTuple):
    """One race at one version, as the list needs it (a tuple: built 5,000 times a version and
    compared field by field, both in C)."""

    contest_id: str
    name: str
    #: ``name.casefold()``, kept so a search compares without folding 5,000 names per keystroke.
    folded: str
    reporting: int
    total: int
    votes: int
    leader: str = ""
    runner_up: str = ""
    #: Leader's share minus the runner-up's, in percentage points of the counted vote; None before
    #: any vote is counted or when the race has no one to compare. With N seats it is the margin
    #: at the cut line: the N-th place (``leader``) minus the (N+1)-th (``runner_up``); a race
    #: with no more candidates than seats has none. Places are *named* candidates': a write-in
    #: line ("Write-in", ``tracker.core.write_ins``) is many names, never the leader, the
    #: runner-up or a place at the cut (``write_in_note`` says what its votes could change).
    margin: float | None = None
    #: Some candidate is over the race's threshold line right now (never for a plurality race).
    crossed: bool = False
    #: Precincts are still out (or the feed cannot say how many there are).
    counting: bool = True
    #: Changes exactly when the race's numbers change (see :func:`fingerprint`).
    fingerprint: int = 0
    #: Seats (vote for N): with N > 1, ``leader``/``runner_up``/``margin`` are at the cut line.
    seats: int = 1
    #: Votes on write-in lines (names the feed does not give; 0 for most races).
    write_ins: int = 0
    #: What the write-in votes could change about ``leader``/``runner_up``/``margin``, in one
    #: sentence for the list's tooltip ("" when nothing: no write-in votes, or too few to matter).
    write_in_note: str = ""
    #: Points between ``leader`` and the write-in votes (one write-in name may hold them all): the
    #: closest a write-in name can be; <= 0 when one could have as many. None without write-in
    #: votes (or, with N seats, with no more names than seats).
    write_in_gap: float | None = None
    #: A primary whose top ``seats`` advance (``ThresholdRule.advance``): places, not seats.
    advance: bool = False
    #: A ranked-choice race: the counts, and so the lead and the margin, are first choices'.
    first_choices: bool = False

    @property
    def closest(self) -> float | None:
        """The margin the "Close" filter reads: the named margin, or the write-in gap when one
        write-in name could be closer (a race that may be close is listed as close)."""
        if self.write_in_gap is None:
            return self.margin
        return self.write_in_gap if self.margin is None else min(self.margin, self.write_in_gap)

    @property
    def fraction(self) -> float:
        """Share of precincts fully reporting (0 when the feed gives no precinct count)."""
        return self.reporting / self.total if self.total else 0.0


def fingerprint(contest: Contest) -> int:
    """A number that differs between two versions of a race when its counts or precincts differ
    (a candidate added or gone included), shown totals or units alike (a feed that states its
    totals can move its units under them). In-process only: ``hash`` of strings is salted."""
    return _print(contest, contest.precincts, contest.totals)


def _print(contest: Contest, precincts: tuple[int, int], totals: dict[str, int]) -> int:
    units = contest.unit_totals if contest.uses_stated_totals else totals
    return hash((precincts, tuple(sorted(totals.items())), tuple(sorted(units.items()))))


def fingerprints(snapshot: Snapshot) -> dict[str, int]:
    """Contest id → :func:`fingerprint` for every race of a version (a pause point between
    races: a statewide version's take ~25 ms; issue 21)."""
    out: dict[str, int] = {}
    for c in snapshot.contests:
        pause_point()
        out[c.id] = fingerprint(c)
    return out


@functools.lru_cache(maxsize=64)
def _line(rule: ThresholdRule) -> Fraction | None:
    """The rule's line as a fraction, once per rule (``Fraction(str)`` parses: ~0.1 ms a race)."""
    return rule.fraction if rule.has_line else None


#: ``is_write_in`` once per distinct name: a statewide night repeats "Write-in" thousands of times.
_write_in = functools.lru_cache(maxsize=4096)(is_write_in)


def race_facts(contest: Contest) -> RaceFacts:
    """The facts of one race; exact integer comparison for the threshold (a race at exactly 50 %
    has not crossed a majority line). Leader and runner-up as ``Contest.ranked`` orders them
    (votes, then ballot order), among the *named* candidates (a write-in line is many names, not
    a place), found in one pass: this runs for every race of every version."""
    precincts = contest.precincts
    reporting, total = precincts
    totals = contest.totals
    votes = sum(totals.values())
    leader = runner_up = note = last = ""
    margin: float | None = None
    crossed = False
    # Seats (vote for N), or the places that advance in a top-N primary: the cut line's N.
    n_places = places(contest)
    written = 0
    gap: float | None = None
    if votes:
        best: tuple[int, int] | None = None  # (votes, -ballot order): bigger is ahead
        second: tuple[int, int] | None = None
        best_name = second_name = ""
        lines: list[tuple[tuple[int, int], str]] = []
        for cand in contest.candidates:
            key = (totals.get(cand.id, 0), -cand.ballot_order)
            if _write_in(cand.name):
                written += key[0]
                lines.append((key, cand.name))
                continue
            if best is None or key > best:
                second, second_name = best, best_name
                best, best_name = key, cand.name
            elif second is None or key > second:
                second, second_name = key, cand.name
        named_race = best is not None
        if not named_race and lines:
            # Write-in lines only: the list says so ("write-ins only"), naming the top line.
            best, best_name = max(lines)
            written = 0
        if best is not None:
            leader = best_name
            if second is not None:
                runner_up = second_name
                margin = (best[0] - second[0]) * 100.0 / votes
            ahead, behind, room = best[0], second[0] if second is not None else None, 1
            if n_places > 1:
                # N seats: what is close is the cut line, the N-th name against the (N+1)-th
                # (sorted only here: most races have one seat and keep the one-pass scan above).
                seats = n_places
                named = [c for c in contest.ranked() if not _write_in(c.name)]
                if len(named) > seats:
                    inside, outside = named[seats - 1], named[seats]
                    leader, runner_up = inside.name, outside.name
                    ahead, behind = totals.get(inside.id, 0), totals.get(outside.id, 0)
                    margin = (ahead - behind) * 100.0 / votes
                else:
                    runner_up, margin, behind = "", None, None
                    if named:  # the last name: as many write-in names as seats left could pass it
                        last, ahead, room = (
                            named[-1].name,
                            totals.get(named[-1].id, 0),
                            seats - len(named) + 1,
                        )
            if written and named_race and (n_places <= 1 or behind is not None):
                gap = (ahead - written) * 100.0 / votes
            if written and named_race:
                note = _write_in_note(
                    last or leader, runner_up, ahead, behind, room, written, votes, n_places
                )
            line = _line(contest.threshold)
            # A file holding part of the race (core.coverage) crosses no line; nor does a write-in
            # line (its votes are many names').
            if line is not None and contest.vote_for <= 1 and not contest.partial and named_race:
                # A ballot question is over its line when Yes is, whoever leads.
                yes = yes_choice(contest) if contest.threshold.measure else None
                top = totals.get(yes.id, 0) if yes is not None else best[0]
                lhs, rhs = top * line.denominator, line.numerator * votes
                crossed = lhs >= rhs if contest.threshold.at_least else lhs > rhs
    return RaceFacts(
        contest.id,
        contest.name,
        contest.name.casefold(),
        reporting,
        total,
        votes,
        leader,
        runner_up,
        margin,
        crossed,
        total == 0 or reporting < total,
        _print(contest, precincts, totals),
        n_places,
        written,
        note,
        gap,
        bool(contest.threshold.advance),
        contest.threshold.is_ranked_choice and contest.vote_for <= 1,
    )


def _write_in_note(
    leader: str,
    runner_up: str,
    ahead: int,
    behind: int | None,
    room: int,
    written: int,
    votes: int,
    seats: int,
) -> str:
    """What the write-in votes could change, for the tooltip. One write-in name may have all of
    them (the most it can have): ``room`` such names, each with ``ahead`` votes, would take or tie
    the place of ``leader`` (the named leader, the last name inside the cut, or with fewer names
    than seats the last name); one with more than ``behind`` would come between ``leader`` and the
    runner-up (the first name out). "" when the write-in votes can change neither."""
    them = f"the write-in votes ({written:,}, {written * 100.0 / votes:.1f} %)"
    if written >= room * ahead:
        who = "a name" if room == 1 else f"{room} names"
        return f"{them} could hold {who} with as many as {leader}: waiting on how they split"
    if seats > 1 and behind is None:
        return ""  # no more names than seats, and too few write-in votes to pass the last
    closest = (ahead - written) * 100.0 / votes
    if behind is None:
        return (
            f"{leader} is the only name; no write-in name can be closer than {them}: "
            f"{closest:.1f} points behind"
        )
    if written > behind:
        place = f"the cut than {runner_up}" if seats > 1 else f"{leader} than {runner_up}"
        return f"{them} could hold a name closer to {place}: {closest:.1f} points behind at the closest"
    return ""


def margin_lines(row: RaceFacts) -> list[str]:
    """The race list's tooltip lines on who leads and by how much (the margin's words): between
    named candidates, with what the write-in votes could change (``RaceFacts.write_in_note``)."""
    lines = []
    if row.margin is not None and row.seats > 1:
        place = "named" if row.write_ins else "place"
        lines.append(
            f"at the cut line ({ordinal(row.seats)} {place}): {row.leader} leads {row.runner_up} "
            f"by {row.margin:.1f} points"
        )
    elif row.margin is not None:
        what = " in first choices (the ranked-choice rounds are not in the feed)" if row.first_choices else ""
        lines.append(f"{row.leader} leads {row.runner_up} by {row.margin:.1f} points{what}")
    elif row.seats > 1 and row.leader:
        unit, per = ("places that advance", "places") if row.advance else ("seats", "seats")
        who = "names" if row.write_ins else "candidates"
        lines.append(f"{row.seats} {unit}, no more {who} than {per}")
    elif row.leader and is_write_in(row.leader):
        lines.append(f"{row.leader}: write-ins only, no candidate on the ballot")
    elif row.leader and not row.write_ins:
        lines.append(f"{row.leader} (unopposed)")
    if row.write_in_note:
        note = row.write_in_note
        lines.append(note[0].upper() + note[1:])
    elif row.leader and row.margin is None and row.seats <= 1 and row.write_ins:
        lines.append(f"{row.leader} is the only name; the other votes are write-ins ({row.write_ins:,})")
    return lines


def snapshot_facts(snapshot: Snapshot) -> tuple[RaceFacts, ...]:
    """Every race's facts, in the snapshot's order: made on the worker thread with the parse, so
    the window only compares them (5,000 races cost ~60 ms to reduce; a pause point between
    races lets the window run meanwhile, issue 21)."""
    out = []
    for c in snapshot.contests:
        pause_point()
        out.append(race_facts(c))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LastChange:
    """The version at which a race's numbers last changed, as far as the versions seen can tell.

    ``exact`` is False when versions in between were not seen (the change came at or before
    ``index``) -- the list then says "≤ 22:40" rather than claim a time it does not know.
    """

    index: int
    exact: bool


def last_changes(history: Mapping[int, Mapping[str, int]], upto: int) -> dict[str, LastChange]:
    """For each race of version ``upto``: the version where its numbers last changed.

    ``history`` maps version index → :func:`fingerprints` of that version, for the versions seen
    (any subset). Walks back from ``upto`` and stops as soon as every race is placed, so the usual
    night (most races changing every few versions) costs far less than races × versions.
    """
    current = history.get(upto)
    if current is None:
        return {}
    known = sorted((i for i in history if i < upto), reverse=True)
    out: dict[str, LastChange] = {}
    pending = dict(current)
    newer = upto  # the newest version known to hold each pending race's current numbers
    for i in known:
        if not pending:
            break
        older = history[i]
        exact = i == newer - 1
        changed = [cid for cid, fp in pending.items() if older.get(cid) != fp]
        for cid in changed:
            out[cid] = LastChange(newer, exact)
            del pending[cid]
        newer = i
    # Unchanged since the earliest version seen: exact only when that is the night's first.
    for cid in pending:
        out[cid] = LastChange(newer, newer == 0)
    return out


class LastChangeTracker:
    """:func:`last_changes`, kept up to date while the window moves forward a version at a time.

    Following a live feed, or a replay at speed, moves from version n to n+1; walking back through
    hundreds of versions of thousands of races on each would cost the GUI thread a frame or more.
    When every version between the last answer and the new one is known (and nothing before the
    last answer was learnt meanwhile), only those versions are compared; any other move (a seek
    back, a gap, the timeline's history arriving) recomputes from scratch, with the same result.
    """

    def __init__(self) -> None:
        self._upto: int | None = None
        self._prints: Mapping[str, int] | None = None
        self._known = 0
        self._result: dict[str, LastChange] = {}

    def update(self, history: Mapping[int, Mapping[str, int]], upto: int) -> dict[str, LastChange]:
        current = history.get(upto)
        prev = self._upto
        known = sum(1 for i in history if i <= upto)
        if (
            current is not None
            and prev is not None
            and prev <= upto
            and history.get(prev) is self._prints
            and sum(1 for i in history if i <= prev) == self._known
            and all(i in history for i in range(prev + 1, upto + 1))
        ):
            result = dict(self._result)
            for j in range(prev + 1, upto + 1):
                older = history[j - 1]
                for cid, fp in history[j].items():
                    if older.get(cid) != fp:
                        result[cid] = LastChange(j, True)
            if len(result) != len(current):  # races gone since
                result = {cid: result[cid] for cid in current}
        else:
            result = last_changes(history, upto)
        self._upto, self._prints, self._known, self._result = upto, current, known, result
        return dict(result)
