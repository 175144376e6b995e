"""Combine several feeds of one election into one Snapshot.

A district that spans counties is often published county by county: Georgia's 6th district in
April 2017 was three Clarity detail files (Cobb, DeKalb, Fulton), each with its own contest and
candidate keys. The tracker shows the district, so the parts are merged here:

- contests are matched by name, ignoring case and runs of whitespace (the keys differ per county);
- candidates are matched by name the same way; the first part's ids and ballot order are kept and
  candidates only a later part lists are appended (with their id made unique if it collides);
  every unit's votes are re-keyed onto the merged ids;
- units are concatenated (a unit id seen in two parts means the same votes would count twice:
  that is refused with a FeedError, not silently summed);
- vote types are unioned in first-seen order (Cobb's "Advance in Person 1"/"2" and DeKalb's single
  "Advance in Person" all stay, each keeps its canonical bucket);
- the feed's own per-candidate totals and precinct counts are summed when every part has them,
  so the merged contest is still checked against the feed (``Contest.data_warnings()``); the
  parts' ``feed_warnings`` are carried over;
- ``version`` and ``published_at`` come from the latest part (by ``published_at``), ``fetched_at``
  is the latest one seen; the payload id is dropped (no single payload);
- contest ids are the first part's key for that race, made unique if two races' keys collide;
- the election is the one given, or the first part's with every part's source joined.

A *delta* is different: AP answers a ``nextrequest`` URL (it carries ``minDateTime``) with only the
races updated since that time. :func:`apply_delta` lays such a delta over the full picture it
updates: a race in the delta replaces the race with the same id, every other race is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from tracker.core.coverage import STATEWIDE
from tracker.core.errors import FeedError
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot, VoteType

__all__ = ["apply_delta", "merge_snapshots", "normalize_name"]


def normalize_name(name: str) -> str:
    """The matching key for contest and candidate names: case-insensitive, whitespace collapsed
    (counties type the same race as "U.S. Representative, District 6" and "U.S. REPRESENTATIVE,
    DISTRICT 6 ")."""
    return " ".join(name.split()).casefold()


#: Which part's rule a merged race keeps: a feed's word over the table's over the default.
_RULE_RANK = {"feed": 0, "user": 1, "table": 2, "default": 3}


class _ContestParts:
    """One merged contest being built from the parts that have it."""

    def __init__(self, first: Contest) -> None:
        self.first = first
        #: The best-sourced rule among the parts: the county files of one race may not all say
        #: their state (Cobb does, Fulton and DeKalb are names several states use).
        self.threshold = first.threshold
        self.candidates: list[Candidate] = []
        self.by_name: dict[str, Candidate] = {}
        self.ids: set[str] = set()
        self.units: list[ReportingUnit] = []
        self.unit_ids: set[str] = set()
        self.vote_types: dict[str, VoteType] = {}
        self.reported_totals: dict[str, int] | None = {}
        self.reported_precincts: tuple[int, int] | None = (0, 0)
        self.warnings: list[str] = []
        #: How many files hold the race, and how many of them hold only part of it (a county's).
        self.parts = 0
        self.partial_parts = 0

    def _unique_id(self, cid: str) -> str:
        if cid not in self.ids:
            return cid
        n = 2
        while f"{cid}-{n}" in self.ids:
            n += 1
        return f"{cid}-{n}"

    def add(self, contest: Contest) -> None:
        self.parts += 1
        self.partial_parts += bool(contest.partial)
        if _RULE_RANK[contest.threshold.source] < _RULE_RANK[self.threshold.source]:
            self.threshold = contest.threshold
        # Candidates: match against earlier parts only, so two same-named candidates of one part
        # (e.g. two "Write-in" rows) stay two candidates.
        id_map: dict[str, str] = {}
        claimed: set[str] = set()
        next_order = max((c.ballot_order for c in self.candidates), default=0) + 1
        for cand in contest.candidates:
            key = normalize_name(cand.name)
            known = self.by_name.get(key)
            if known is not None and known.id not in claimed:
                id_map[cand.id] = known.id
                claimed.add(known.id)
                continue
            if contest is self.first:
                merged = cand
            else:
                merged = dataclasses.replace(cand, id=self._unique_id(cand.id), ballot_order=next_order)
                next_order += 1
            self.candidates.append(merged)
            self.ids.add(merged.id)
            self.by_name.setdefault(key, merged)
            claimed.add(merged.id)
            id_map[cand.id] = merged.id

        identity = all(k == v for k, v in id_map.items())
        for unit in contest.units:
            if unit.id in self.unit_ids:
                raise FeedError(
                    f"cannot merge: unit {unit.id!r} of {contest.name!r} is in more than one file, "
                    "so its votes would count twice"
                )
            self.unit_ids.add(unit.id)
            if not identity:
                unit = dataclasses.replace(
                    unit, votes={id_map.get(cid, cid): by_type for cid, by_type in unit.votes.items()}
                )
            self.units.append(unit)

        for vt in contest.vote_types:
            self.vote_types.setdefault(vt.name, vt)

        if self.reported_totals is not None and contest.reported_totals is not None:
            for cid, n in contest.reported_totals.items():
                merged_id = id_map.get(cid, cid)
                self.reported_totals[merged_id] = self.reported_totals.get(merged_id, 0) + n
        else:
            self.reported_totals = None
        if self.reported_precincts is not None and contest.reported_precincts is not None:
            done, total = self.reported_precincts
            self.reported_precincts = (
                done + contest.reported_precincts[0],
                total + contest.reported_precincts[1],
            )
        else:
            self.reported_precincts = None

        if contest is not self.first and contest.vote_for != self.first.vote_for:
            self.warnings.append(
                f"{self.first.name}: the files disagree on how many to vote for "
                f"({self.first.vote_for} and {contest.vote_for}); kept {self.first.vote_for}"
            )
        self.warnings.extend(contest.feed_warnings)

    def build(self) -> Contest:
        return Contest(
            id=self.first.id,
            name=self.first.name,
            candidates=tuple(self.candidates),
            units=tuple(self.units),
            vote_for=self.first.vote_for,
            threshold=self.threshold,
            vote_types=tuple(self.vote_types.values()),
            reported_totals=self.reported_totals,
            reported_precincts=self.reported_precincts,
            feed_warnings=tuple(self.warnings),
            partial=self._partial(),
        )

    def _partial(self) -> str:
        """Whether the merged race is still only part of one (``tracker.core.coverage``). One file:
        its own sentence. Several county files of a district race (GA-06 from Cobb, DeKalb and
        Fulton; HD 14 from Bartow and Floyd): the user merged the counties the district spans, so
        the merge is the race. A statewide race stays partial: a few counties are not a state, and
        nothing in county files says that every county is in."""
        if not self.partial_parts:
            return ""
        if self.parts == 1:
            return self.first.partial
        if not STATEWIDE.search(self.first.name.split("/")[0]):
            return ""
        return (
            f"These {self.parts} county files cover part of the race: it is statewide, so it is "
            "decided on every county's votes."
        )


def _instant(value: dt.datetime | None) -> float:
    """Comparable instant; naive datetimes are taken as local time (as ``timestamp()`` does)."""
    return value.timestamp() if value is not None else float("-inf")


def merge_snapshots(snapshots: Sequence[Snapshot], *, election: Election | None = None) -> Snapshot:
    """Merge several feeds (e.g. one Clarity detail file per county) of one election into one
    Snapshot; see the module docstring for the matching rules. Raises ValueError for an empty
    sequence and FeedError when the same unit appears in two parts."""
    if not snapshots:
        raise ValueError("merge_snapshots needs at least one snapshot")

    merged: dict[str, _ContestParts] = {}
    for snap in snapshots:
        seen_here: set[str] = set()
        for contest in snap.contests:
            key = normalize_name(contest.name)
            if key in seen_here:
                raise FeedError(f"cannot merge: {contest.name!r} appears twice in one file")
            seen_here.add(key)
            parts = merged.get(key)
            if parts is None:
                parts = merged[key] = _ContestParts(contest)
            parts.add(contest)

    latest = max(enumerate(snapshots), key=lambda item: (_instant(item[1].published_at), item[0]))[1]
    fetched = [s.fetched_at for s in snapshots if s.fetched_at is not None]
    if election is None:
        first = snapshots[0].election
        sources = list(dict.fromkeys(s.election.source for s in snapshots if s.election.source))
        election = dataclasses.replace(first, source="; ".join(sources))
    contests: list[Contest] = []
    contest_ids: set[str] = set()
    for parts in merged.values():
        contest = parts.build()
        if contest.id in contest_ids:  # keys are per file: another county's race may share one
            n = 2
            while f"{contest.id}-{n}" in contest_ids:
                n += 1
            contest = dataclasses.replace(contest, id=f"{contest.id}-{n}")
        contest_ids.add(contest.id)
        contests.append(contest)
    return Snapshot(
        election=election,
        contests=tuple(contests),
        version=latest.version,
        fetched_at=max(fetched, key=_instant) if fetched else None,
        published_at=latest.published_at,
        payload_id=None,
    )


def apply_delta(base: Snapshot, delta: Snapshot) -> Snapshot:
    """``base`` updated by ``delta`` (a feed's "only what changed since" answer, e.g. AP's
    ``minDateTime``): each contest of ``delta`` replaces the contest of ``base`` with the same id
    (in place, so the order stays the base's), contests only the delta has are appended, the rest
    of ``base`` is kept. ``version``, ``published_at``, ``fetched_at`` and ``payload_id`` are the
    delta's (it is the newest thing seen); the election is the base's, except that a delta with
    races decides test mode (AP switches a date from test to live data)."""
    replacing = {c.id: c for c in delta.contests}
    contests = [replacing.pop(c.id, c) for c in base.contests]
    contests.extend(c for c in delta.contests if c.id in replacing)
    election = base.election
    if delta.contests and delta.election.test != base.election.test:
        election = delta.election
    return Snapshot(
        election=election,
        contests=tuple(contests),
        version=delta.version or base.version,
        fetched_at=delta.fetched_at or base.fetched_at,
        published_at=delta.published_at or base.published_at,
        payload_id=delta.payload_id,
    )
