"""Alerts on races: what happened between one feed version and the next, in words a user reads.

"The alerts of a night" are a function of its version sequence, nothing else: a condition (who
leads, who is over the line, whether the projection is confident, whether every precinct is in) is
evaluated at each version, and an alert is raised at the *first* version where it changes. So a
replay that seeks back and forth computes the same alerts with the same keys (kind, contest,
subject, version index), and whoever keeps them (the store, the window) can tell a new alert from
one it already knows. :class:`AlertScanner` folds over versions in order; :func:`alerts_between`
compares two versions directly; :func:`night_alerts` scans a whole sequence.

Conditions:

* **lead change**: the named candidate with the most votes changes (a tie keeps the last leader:
  the alert comes when someone is ahead again, and only if it is someone else; a write-in line is
  many names, never the leader, and never over the line);
* **crossed the line / fell below it**: a candidate's share of the votes counted goes over the
  contest's line (strictly, as ``threshold.votes_to_clear`` decides) or back under it;
* **projection confident**: once projections exist, P(clear) ≥ 0.95 for a candidate, or the
  P(clear) of all candidates summing to ≤ 0.05 (then, by the union bound, P(nobody clears)
  ≥ 0.95); announced once per outcome, not again each time the probability wobbles around 0.95;
* **fully reported**: every precinct is in (precincts reporting = precincts > 0); the message
  gives the two leading names' shares (a write-in line is not one of them: it is named "write-in
  votes", and only when fewer than two names are on the ballot).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from tracker.core.model import Contest, ReportingUnit, Snapshot, UnitKind
from tracker.core.pause_points import pause_point
from tracker.core.projection import ContestProjection
from tracker.core.standing import mode, places, yes_choice
from tracker.core.threshold import votes_to_clear
from tracker.core.words import count, noun
from tracker.core.write_ins import is_write_in

#: P(clear) at or above which a projection is "confident" (and, for the sum, at or below 1 − it).
CONFIDENT = 0.95


class AlertKind(StrEnum):
    LEAD_CHANGE = "lead change"
    CROSSED_UP = "crossed the line"
    CROSSED_DOWN = "fell below the line"
    CONFIDENT = "projection confident"
    FULLY_REPORTED = "fully reported"
    COUNT_DOWN = "count went down"
    CANDIDATE_GONE = "candidate disappeared"
    PRECINCTS_DOWN = "precincts reporting fell"
    FEED_STALLED = "feed stalled"
    FEED_FAILING = "feed failing"


#: Kinds that say a race's numbers were corrected (raised for every race, pinned or not).
CORRECTION_KINDS = frozenset({AlertKind.COUNT_DOWN, AlertKind.CANDIDATE_GONE, AlertKind.PRECINCTS_DOWN})
#: Kinds about the feed itself rather than one race.
FEED_KINDS = frozenset({AlertKind.FEED_STALLED, AlertKind.FEED_FAILING})


@dataclass(frozen=True)
class Alert:
    """One alert. ``subject`` is what it is about inside the contest (a candidate id; "" for the
    race as a whole; for feed alerts what tells one episode from another), ``version_index`` the
    index of the version that caused it in the night's sequence, ``version`` the feed's own id for
    it and ``time`` when that version appeared."""

    kind: AlertKind
    contest_id: str
    contest_name: str
    subject: str
    message: str
    version_index: int
    version: str = ""
    time: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str, str, int]:
        """What makes two alerts the same alert (the store's unique key, with the night)."""
        return (str(self.kind), self.contest_id, self.subject, self.version_index)

    @property
    def is_correction(self) -> bool:
        return self.kind in CORRECTION_KINDS


@dataclass(frozen=True)
class RaceState:
    """What the scanner remembers of one race between versions."""

    leader: str | None = None
    above: frozenset[str] = frozenset()
    #: The last confident outcome announced: a candidate id, "" for "nobody clears", None for none yet.
    outcome: str | None = None
    complete: bool = False


@dataclass(frozen=True)
class VersionRef:
    """Which version caused an alert: its index in the night, the feed's id, when it appeared."""

    index: int
    version: str = ""
    time: dt.datetime | None = None

    @classmethod
    def of(cls, snapshot: Snapshot, index: int) -> VersionRef:
        return cls(index, snapshot.version, snapshot.fetched_at or snapshot.published_at)


def _pct(x: float) -> str:
    return f"{x * 100:.2f} %"


def _choice_label(name: str) -> str:
    """How an alert names a choice: a write-in line is many names' votes, not a candidate."""
    return "write-in votes" if is_write_in(name) else name


def leading_shares(contest: Contest, n: int = 2) -> str:
    """The ``n`` leading names with their shares ("A 51.20 %, B 47.90 %"), most votes first. A
    write-in line is not listed among them as if it were a candidate: it comes last, as "write-in
    votes", and only to fill the list when fewer than ``n`` names are on the ballot."""
    ranked = contest.ranked()
    named = [c for c in ranked if not is_write_in(c.name)][:n]
    shown = named + [c for c in ranked if is_write_in(c.name)][: n - len(named)]
    return ", ".join(f"{_choice_label(c.name)} {_pct(contest.share(c.id))}" for c in shown)


def unique_leader(contest: Contest) -> str | None:
    """The named candidate with strictly the most votes among the names, or None (nothing counted,
    a tie at the top, or no name): a write-in line ("Write-in") is many names, never the leader."""
    totals = contest.totals
    if contest.total_votes == 0 or not contest.candidates:
        return None
    ranked = [c for c in contest.ranked() if not is_write_in(c.name)]
    if not ranked:
        return None
    first = totals.get(ranked[0].id, 0)
    if len(ranked) > 1 and totals.get(ranked[1].id, 0) == first:
        return None
    return ranked[0].id


def over_the_line(contest: Contest) -> frozenset[str]:
    """Candidates whose share of the votes counted is over the contest's line (as
    ``threshold.votes_to_clear`` decides). Only where the rule draws a line for candidates: not
    for several seats (the cut line moves with the count) and, for a ballot question, only its
    Yes choice (``standing.mode``)."""
    rule, counted = contest.threshold, contest.total_votes
    how = mode(contest)
    # A file holding part of the race (a county's share of a statewide one) crosses no line.
    if how == "seats" or counted == 0 or contest.partial:
        return frozenset()
    yes = yes_choice(contest) if how == "measure" else None
    return frozenset(
        c.id
        for c in contest.candidates
        if (yes is None or c.id == yes.id)
        and not is_write_in(c.name)  # many names' votes: no one is over the line by them
        and votes_to_clear(contest.totals.get(c.id, 0), counted, rule) <= 0
    )


def confident_outcome(projection: ContestProjection | None) -> str | None:
    """A candidate id when P(clear) ≥ 0.95 for them, "" when the P(clear) of all candidates sums
    to ≤ 0.05, None when the projection is not confident (or too early, or has no line)."""
    if projection is None or projection.too_early:
        return None
    ps = [
        (c.candidate_id, c.p_clear, is_write_in(c.name))
        for c in projection.candidates
        if c.p_clear is not None
    ]
    if not ps:
        return None
    # A write-in line never clears (its votes are many names'); its P(clear) still bounds any
    # one write-in name's, so it counts in "nobody clears".
    named = [(cid, p) for cid, p, w in ps if not w]
    if named:
        best_id, best = max(named, key=lambda x: x[1])
        if best >= CONFIDENT:
            return best_id
    if sum(p for _, p, _w in ps) <= 1 - CONFIDENT:
        return ""
    return None


def is_complete(contest: Contest) -> bool:
    reporting, total = contest.precincts
    return total > 0 and reporting >= total


def race_alerts(
    state: RaceState, contest: Contest, projection: ContestProjection | None, ref: VersionRef
) -> tuple[RaceState, list[Alert]]:
    """The alerts ``contest`` raises at version ``ref`` given what was known before (``state``),
    and the state to carry to the next version."""
    out: list[Alert] = []
    totals, counted, rule = contest.totals, contest.total_votes, contest.threshold
    names = {c.id: c.name for c in contest.candidates}

    def alert(kind: AlertKind, subject: str, message: str) -> None:
        out.append(Alert(kind, contest.id, contest.name, subject, message, ref.index, ref.version, ref.time))

    leader = unique_leader(contest)
    new_leader = state.leader
    # A ranked-choice race's counts are first choices: its lead is on first choices, not the race's.
    rcv = rule.is_ranked_choice and not contest.partial
    lead = "the lead in first choices" if rcv else "the lead"
    if leader is not None:
        if state.leader is not None and leader != state.leader:
            was = state.leader
            margin = totals.get(leader, 0) - totals.get(was, 0)
            alert(
                AlertKind.LEAD_CHANGE,
                leader,
                f"{names.get(leader, leader)} takes {lead} from {names.get(was, was)}: "
                f"{totals.get(leader, 0):,} to {totals.get(was, 0):,} (by {margin:,})",
            )
        new_leader = leader

    above = over_the_line(contest)
    line = rule.label()
    for cid in sorted(above - state.above, key=lambda c: -totals.get(c, 0)):
        alert(
            AlertKind.CROSSED_UP,
            cid,
            f"{names.get(cid, cid)} crossed {line}: {_pct(contest.share(cid))} "
            f"({totals.get(cid, 0):,} of {counted:,} {noun(counted, 'vote')} counted)",
        )
    for cid in sorted(state.above - above, key=lambda c: -totals.get(c, 0)):
        share = contest.share(cid)
        alert(
            AlertKind.CROSSED_DOWN,
            cid,
            f"{names.get(cid, cid)} fell below {line}: {_pct(share)} "
            f"({totals.get(cid, 0):,} of {counted:,} {noun(counted, 'vote')} counted)",
        )

    outcome = None if contest.partial else confident_outcome(projection)
    new_outcome = state.outcome
    if outcome is not None and outcome != state.outcome and projection is not None:
        if outcome:
            p = projection.candidate(outcome).p_clear or 0.0
            message = f"{names.get(outcome, outcome)} clears {line} (P = {p * 100:.2f} %)"
        else:
            named = [c for c in projection.candidates if not is_write_in(c.name)] or projection.candidates
            top = max(named, key=lambda c: c.p_clear or 0.0)
            message = (
                f"nobody clears {line} (best chance {_choice_label(top.name)}, "
                f"P = {(top.p_clear or 0.0) * 100:.2f} %)"
            ) + ("; the ranked-choice rounds will decide" if rcv else "")
        alert(AlertKind.CONFIDENT, outcome, message)
        new_outcome = outcome

    complete = is_complete(contest)
    if complete and not state.complete:
        reporting, _ = contest.precincts
        every = "its 1 precinct" if reporting == 1 else f"all {count(reporting, 'precinct')}"
        # a race for N seats (or N places that advance) names its N and the first one out (the
        # margin at the cut), not two
        chosen = places(contest)
        shown = chosen + 1 if chosen > 1 else 2
        what = "first choices: " if rcv else ""
        alert(AlertKind.FULLY_REPORTED, "", f"{every} reporting: {what}{leading_shares(contest, shown)}")

    return RaceState(new_leader, above, new_outcome, complete), out


@dataclass
class AlertScanner:
    """Folds versions, in order, into alerts for a set of contests (``None``: every contest).

    A contest missing from a version keeps its state until it comes back."""

    contest_ids: Collection[str] | None = None
    states: dict[str, RaceState] = field(default_factory=dict)

    def step(
        self,
        snapshot: Snapshot,
        index: int,
        projections: Mapping[str, ContestProjection] | None = None,
    ) -> list[Alert]:
        ref = VersionRef.of(snapshot, index)
        out: list[Alert] = []
        for contest in snapshot.contests:
            if self.contest_ids is not None and contest.id not in self.contest_ids:
                continue
            projection = (projections or {}).get(contest.id)
            state, alerts = race_alerts(self.states.get(contest.id, RaceState()), contest, projection, ref)
            self.states[contest.id] = state
            out.extend(alerts)
        return out


def summary_snapshot(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` without its units: each contest keeps one unit holding every candidate's total
    and the precinct counts -- everything an alert or a correction looks at, so a scan can keep
    one per version of a night for a fraction of the memory (and no second parse). A pause point
    between contests: a statewide version's take tens of milliseconds (issue 21)."""
    contests = []
    for c in snapshot.contests:
        pause_point()
        reporting, total = c.precincts
        unit = ReportingUnit(
            id=f"{c.id}:total",
            name=c.name,
            kind=UnitKind.STATE,
            votes={cid: {"total": n} for cid, n in c.totals.items()},
            precincts_reporting=reporting,
            precincts_total=total,
        )
        contests.append(
            Contest(
                id=c.id,
                name=c.name,
                candidates=c.candidates,
                units=(unit,),
                vote_for=c.vote_for,
                threshold=c.threshold,
            )
        )
    return replace(snapshot, contests=tuple(contests))


def state_of(contest: Contest, projection: ContestProjection | None = None) -> RaceState:
    """The state one version shows on its own (no history: the confident outcome is its own)."""
    return RaceState(
        unique_leader(contest), over_the_line(contest), confident_outcome(projection), is_complete(contest)
    )


def alerts_between(
    previous: Snapshot | None,
    current: Snapshot,
    index: int,
    contest_ids: Collection[str] | None = None,
    *,
    previous_projections: Mapping[str, ContestProjection] | None = None,
    projections: Mapping[str, ContestProjection] | None = None,
) -> list[Alert]:
    """The alerts version ``index`` (``current``) raises after ``previous`` (None: the first
    version). Without the history before ``previous`` a tie there hides who led before it; the
    scanner, which has it, is what a night is scanned with."""
    scanner = AlertScanner(contest_ids)
    if previous is not None:
        for contest in previous.contests:
            if contest_ids is None or contest.id in contest_ids:
                scanner.states[contest.id] = state_of(contest, (previous_projections or {}).get(contest.id))
    return scanner.step(current, index, projections)


def night_alerts(
    versions: Iterable[tuple[Snapshot, Mapping[str, ContestProjection] | None]],
    contest_ids: Collection[str] | None = None,
) -> list[Alert]:
    """Every alert of a night, in version order, from its (snapshot, projections) sequence."""
    scanner = AlertScanner(contest_ids)
    out: list[Alert] = []
    for index, (snapshot, projections) in enumerate(versions):
        out.extend(scanner.step(snapshot, index, projections))
    return out
