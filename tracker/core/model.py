"""The election data model every layer shares.

Parsers build these objects once per feed version; nothing downstream mutates them, so a
Snapshot can be handed between threads and cached without copies.

Two sets of totals (docs/contest-rules.md, "The feed's own totals"): when a feed states a race's
totals (Clarity ``Choice@totalVotes``, AP's state row, Georgia's ``ballotOptions.voteCount``) for
every candidate, those are the race's result, ``Contest.totals``, because they are what the
feed's own official page shows. The sum of the units stays available as ``Contest.unit_totals``
for the model (expected vote and projection work unit by unit), and any difference between the
two is a data warning the window, ``parse`` and the exports show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import numpy as np

from tracker.core.threshold import ThresholdRule


class UnitKind(StrEnum):
    PRECINCT = "precinct"
    COUNTY = "county"
    STATE = "state"


class Reporting(StrEnum):
    """How much of a unit's count is in: feeds report precincts as none, partly or fully counted."""

    NONE = "none"
    PARTIAL = "partial"
    COMPLETE = "complete"


#: Canonical vote types; the feed's own names are kept and mapped onto these.
CANONICAL_VOTE_TYPES = ("election_day", "early", "mail", "provisional", "other", "total")

_VOTE_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("provisional", re.compile(r"provisional", re.I)),
    ("mail", re.compile(r"mail|absentee", re.I)),
    ("early", re.compile(r"advance|early|in[- ]person absentee|one[- ]stop", re.I)),
    ("election_day", re.compile(r"election[- ]?day|polls|precinct", re.I)),
    ("total", re.compile(r"^\s*(total|total votes|votes)\s*$", re.I)),
)


def canonical_vote_type(name: str) -> str:
    """Map a feed's vote-type name (Clarity: "Advance in Person 1", "Absentee by Mail Votes", ...)
    onto the small canonical set, so early/mail/election-day can be compared across counties that
    name their buckets differently."""
    known = _CANONICAL_CACHE.get(name)
    if known is not None:
        return known
    found = next((canonical for canonical, pattern in _VOTE_TYPE_PATTERNS if pattern.search(name)), "other")
    if len(_CANONICAL_CACHE) < 4096:  # a feed has a handful of names; a hostile one cannot grow it
        _CANONICAL_CACHE[name] = found
    return found


#: Feed vote-type name → canonical type: a statewide file names the same few types in each of
#: its thousands of contests.
_CANONICAL_CACHE: dict[str, str] = {}


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    party: str = ""
    ballot_order: int = 0


@dataclass(frozen=True)
class VoteType:
    """A vote type as the feed names it, with its canonical bucket."""

    name: str
    canonical: str

    @classmethod
    def from_name(cls, name: str) -> VoteType:
        return cls(name=name, canonical=canonical_vote_type(name))


class VoteTable:
    """One contest's votes as one read-only integer array: ``votes[unit, candidate, vote type]``.

    Why: a statewide precinct file has hundreds of thousands of cells; as a dict per unit and
    candidate they cost ~160 bytes a cell and every total walked them in Python (issue 21). As an
    array they cost 8 bytes and a total is one numpy sum. ``reported[candidate, vote type]`` says
    which vote types each candidate's rows list: a type missing is "not reported yet", which the
    model keeps apart from a reported zero (its cells hold 0). Both arrays are read-only, so a
    Snapshot holding them still crosses threads without copies.

    Units reach it through ``ReportingUnit.votes`` (a :class:`UnitVotes` view of its row), so every
    reader of ``unit.votes`` works unchanged; ``Contest.vote_table`` hands the whole array to the
    totals and the cells when every unit of the contest is a row of one table, in order.
    """

    __slots__ = ("_cix", "_digest", "_vix", "candidates", "reported", "vote_types", "votes")

    def __init__(
        self,
        candidates: Iterable[str],
        vote_types: Iterable[str],
        votes: np.ndarray,
        reported: np.ndarray,
    ) -> None:
        self.candidates: tuple[str, ...] = tuple(candidates)
        self.vote_types: tuple[str, ...] = tuple(vote_types)
        votes = np.asarray(votes, dtype=np.int64)
        reported = np.asarray(reported, dtype=bool)
        # A view of someone else's array could still be written through its base: own the data.
        if not votes.flags.owndata:
            votes = votes.copy()
        if not reported.flags.owndata:
            reported = reported.copy()
        if votes.ndim != 3 or votes.shape[1:] != (len(self.candidates), len(self.vote_types)):
            raise ValueError(f"votes of shape {votes.shape} do not fit the candidates and vote types")
        if reported.shape != votes.shape[1:]:
            raise ValueError(f"reported of shape {reported.shape} does not fit votes {votes.shape}")
        if not reported.all() and votes[:, ~reported].any():
            raise ValueError("a vote type not reported holds votes: its cells must be 0")
        votes.flags.writeable = False
        reported.flags.writeable = False
        self.votes = votes
        self.reported = reported
        self._cix = {cid: j for j, cid in enumerate(self.candidates)}
        self._vix = {vt: v for v, vt in enumerate(self.vote_types)}
        self._digest: bytes | None = None

    @property
    def rows(self) -> int:
        return self.votes.shape[0]

    def row(self, index: int) -> UnitVotes:
        """The ``index``-th unit's votes as a ``{candidate: {vote type: votes}}`` mapping."""
        return UnitVotes(self, index)

    def digest(self) -> bytes:
        """A hash of everything in the table (computed once): two versions' equal tables are
        then told equal without comparing unit by unit."""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=20)
            h.update(repr((self.candidates, self.vote_types, self.votes.shape)).encode())
            h.update(self.reported.tobytes())
            h.update(np.ascontiguousarray(self.votes).tobytes())
            self._digest = h.digest()
        return self._digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VoteTable):
            return NotImplemented
        return self is other or self.digest() == other.digest()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shape = f"{len(self.candidates)} candidates, {len(self.vote_types)} vote types, {self.rows} units"
        return f"VoteTable({shape})"


class UnitVotes(Mapping[str, Mapping[str, int]]):
    """One unit's row of a :class:`VoteTable` as the read-only ``{candidate: {vote type: votes}}``
    mapping ``ReportingUnit.votes`` has always been: equal to the dict it replaces, values are
    Python ints, every candidate of the table present (as in the dict a parser built)."""

    __slots__ = ("row", "table")

    def __init__(self, table: VoteTable, row: int) -> None:
        self.table = table
        self.row = row

    def __getitem__(self, candidate_id: str) -> Mapping[str, int]:
        return TypeVotes(self.table, self.row, self.table._cix[candidate_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.candidates)

    def __len__(self) -> int:
        return len(self.table.candidates)

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self.table._cix

    def to_dict(self) -> dict[str, dict[str, int]]:
        """The plain dict (for JSON writers and ``repr``)."""
        t = self.table
        rows = t.votes[self.row].tolist()
        mask = t.reported.tolist()
        vts = t.vote_types
        return {
            cid: {vt: n for vt, n, on in zip(vts, row, ok, strict=True) if on}
            for cid, row, ok in zip(t.candidates, rows, mask, strict=True)
        }

    def total(self) -> int:
        return int(self.table.votes[self.row].sum())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnitVotes):
            a, b = self.table, other.table
            if self.row == other.row and (a is b or a == b):
                return True
            return (
                a.candidates == b.candidates
                and a.vote_types == b.vote_types
                and bool(np.array_equal(a.reported, b.reported))
                and bool(np.array_equal(a.votes[self.row], b.votes[other.row]))
            )
        if isinstance(other, Mapping):
            return self.to_dict() == {k: dict(v) for k, v in other.items()}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.to_dict())


class TypeVotes(Mapping[str, int]):
    """One unit's votes for one candidate, by the vote types that candidate's rows list."""

    __slots__ = ("cand", "row", "table")

    def __init__(self, table: VoteTable, row: int, cand: int) -> None:
        self.table = table
        self.row = row
        self.cand = cand

    def __getitem__(self, vote_type: str) -> int:
        t = self.table
        v = t._vix[vote_type]
        if not t.reported[self.cand, v]:
            raise KeyError(vote_type)
        return int(t.votes[self.row, self.cand, v])

    def _pairs(self) -> list[tuple[str, int]]:
        t = self.table
        return [
            (vt, n)
            for vt, n, on in zip(
                t.vote_types,
                t.votes[self.row, self.cand].tolist(),
                t.reported[self.cand].tolist(),
                strict=True,
            )
            if on
        ]

    def __iter__(self) -> Iterator[str]:
        return iter([vt for vt, _ in self._pairs()])

    def __len__(self) -> int:
        return int(self.table.reported[self.cand].sum())

    def __contains__(self, vote_type: object) -> bool:
        v = self.table._vix.get(vote_type)  # type: ignore[call-overload]
        return v is not None and bool(self.table.reported[self.cand, v])

    def items(self):  # type: ignore[override]  # a list of pairs: the views' speed without their class
        return self._pairs()

    def values(self):  # type: ignore[override]
        return [n for _, n in self._pairs()]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._pairs()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self._pairs()))


@dataclass(frozen=True, slots=True)
class ReportingUnit:
    """A precinct, county or state as one feed version reports it.

    Slotted: a statewide feed has tens of thousands of units per version, and a ``__dict__``
    each cost ~460 bytes more than the slots (issue 21).

    ``votes`` maps candidate id -> vote-type name -> votes. A vote type missing for a unit means
    "not reported yet", which is different from a reported zero.
    """

    id: str
    name: str
    kind: UnitKind = UnitKind.PRECINCT
    county: str | None = None
    reporting: Reporting = Reporting.NONE
    votes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    registered: int | None = None
    ballots_cast: int | None = None
    #: For county/state units that aggregate precincts: how many of them are in.
    precincts_reporting: int | None = None
    precincts_total: int | None = None
    #: The feed's own expectation of the unit's final vote (AP's expected vote, ``expected_votes``
    #: in tracker-feed/1), when it gives one: the best evidence of how much vote is still out.
    expected_votes: int | None = None
    #: A US county's 5-digit FIPS code when the feed gives it (matches the bundled baselines).
    fips: str | None = None

    def total(self) -> int:
        votes = self.votes
        if type(votes) is UnitVotes:
            return votes.total()
        return sum(sum(by_type.values()) for by_type in votes.values())

    def candidate_total(self, candidate_id: str) -> int:
        return sum(self.votes.get(candidate_id, {}).values())

    def reported_vote_types(self) -> frozenset[str]:
        return frozenset(t for by_type in self.votes.values() for t in by_type)


def count_precincts(units: Iterable[ReportingUnit]) -> tuple[int, int]:
    """(precincts fully reporting, precincts) over ``units``: a precinct unit counts once, a county
    or state unit with precinct counts counts those."""
    reporting = total = 0
    for unit in units:
        if unit.kind is UnitKind.PRECINCT:
            total += 1
            reporting += unit.reporting is Reporting.COMPLETE
        else:
            total += unit.precincts_total or 0
            reporting += unit.precincts_reporting or 0
    return reporting, total


@dataclass(frozen=True)
class Contest:
    id: str
    name: str
    candidates: tuple[Candidate, ...]
    units: tuple[ReportingUnit, ...] = ()
    vote_for: int = 1
    threshold: ThresholdRule = field(default_factory=ThresholdRule.majority)
    vote_types: tuple[VoteType, ...] = ()
    #: The feed's own per-candidate totals, when it gives them: the race's shown result when
    #: given for every candidate (see the module docstring), checked against the units.
    reported_totals: Mapping[str, int] | None = None
    #: The feed's own precinct counts, when it gives them (else computed from the units).
    reported_precincts: tuple[int, int] | None = None
    #: Disagreements the parser saw inside the feed that the units alone cannot show (e.g. a
    #: Clarity VoteType subtotal that differs from the sum of its precincts); reported by
    #: ``data_warnings()`` together with the totals check.
    feed_warnings: tuple[str, ...] = ()
    #: A race call made by the feed's publisher (AP's ``winner``), never by the tracker: the
    #: candidate ids it declared winners, those it sent to a runoff, and who made the call
    #: ("AP"). Empty when nobody has called the race.
    winners: tuple[str, ...] = ()
    advancing: tuple[str, ...] = ()
    called_by: str = ""
    #: Where ``threshold`` came from when the feed states it (AP: ``"AP winThreshold 50"``); ""
    #: when it is the tracker's default or the night's own rule.
    threshold_source: str = ""
    #: One sentence when the file holds only part of the race (a county's file of a statewide or
    #: multi-county race, ``tracker.core.coverage``); "" when it holds all of it. Such a race is
    #: never said to be elected, cleared or in a runoff: only who leads in the part that is here.
    partial: str = ""
    #: What the feed says, or lacks, about whether the race's count is complete, when that (not
    #: each unit's own counts) decided its units: shown beside "nothing outstanding" or "too
    #: early". Georgia's exports give no precinct counts and no status: "final count as read from
    #: the export's date (…)", or what is missing. "" when the units say it themselves.
    completeness: str = ""

    @property
    def call_label(self) -> str:
        """The publisher's call as a short phrase ("AP called", "AP: runoff"), or "" when none:
        a call is always shown as the publisher's, never as the tracker's own verdict."""
        if not self.called_by:
            return ""
        if self.winners:
            return f"{self.called_by} called"
        if self.advancing:
            return f"{self.called_by}: runoff"
        return ""

    @cached_property
    def vote_table(self) -> VoteTable | None:
        """The units' votes as one array, when every unit is a row of one :class:`VoteTable`, in
        order (a columnar parser's contest); None otherwise (a dict per unit, or units replaced or
        reordered since), and the totals then walk the units."""
        units = self.units
        if not units or type(units[0].votes) is not UnitVotes:
            return None
        table = units[0].votes.table  # type: ignore[attr-defined]
        if table.rows != len(units):
            return None
        for i, unit in enumerate(units):
            votes = unit.votes
            if type(votes) is not UnitVotes or votes.table is not table or votes.row != i:
                return None
        return table

    @cached_property
    def unit_totals(self) -> dict[str, int]:
        """Votes per candidate id, summed over units and vote types: what the model works from."""
        out = {c.id: 0 for c in self.candidates}
        table = self.vote_table
        if table is not None:
            for cid, n in zip(table.candidates, table.votes.sum(axis=(0, 2)).tolist(), strict=True):
                out[cid] = out.get(cid, 0) + n
            return out
        for unit in self.units:
            for cid, by_type in unit.votes.items():
                out[cid] = out.get(cid, 0) + sum(by_type.values())
        return out

    @property
    def uses_stated_totals(self) -> bool:
        """The feed states a total for every candidate, so those are the race's result."""
        stated = self.reported_totals
        return bool(stated) and bool(self.candidates) and all(c.id in stated for c in self.candidates)  # type: ignore[operator]

    @cached_property
    def totals(self) -> dict[str, int]:
        """Votes per candidate id as the race's result: the feed's stated totals when it states
        one for every candidate, else :attr:`unit_totals`."""
        units = self.unit_totals
        if not self.uses_stated_totals:
            return units
        stated = self.reported_totals or {}
        out = {c.id: stated[c.id] for c in self.candidates}
        for cid, n in units.items():  # a unit-only id (never in a well-formed feed) keeps its votes
            out.setdefault(cid, n)
        return out

    def total_mismatches(self) -> list[tuple[Candidate, int, int]]:
        """(candidate, stated total, unit sum) wherever the feed's own total differs from its units."""
        if self.reported_totals is None:
            return []
        out = []
        units = self.unit_totals
        for c in self.candidates:
            theirs = self.reported_totals.get(c.id)
            ours = units.get(c.id, 0)
            if theirs is not None and theirs != ours:
                out.append((c, theirs, ours))
        return out

    @property
    def total_votes(self) -> int:
        return sum(self.totals.values())

    def share(self, candidate_id: str) -> float:
        """Share of the counted vote (0..1); 0 when nothing is counted."""
        total = self.total_votes
        return self.totals.get(candidate_id, 0) / total if total else 0.0

    @cached_property
    def _candidates_by_id(self) -> dict[str, Candidate]:
        index: dict[str, Candidate] = {}
        for c in self.candidates:
            index.setdefault(c.id, c)  # the first of a repeated id, as a scan would find
        return index

    def candidate(self, candidate_id: str) -> Candidate:
        """By id, in constant time: a lookup per candidate was quadratic, and 10,000 candidates
        froze the window for 14 s (issue 19)."""
        try:
            return self._candidates_by_id[candidate_id]
        except KeyError:
            raise KeyError(candidate_id) from None

    def ranked(self) -> list[Candidate]:
        """Candidates by votes, most first; ties keep ballot order."""
        totals = self.totals
        return sorted(self.candidates, key=lambda c: (-totals.get(c.id, 0), c.ballot_order))

    def totals_by(self, key: str) -> dict[str, dict[str, int]]:
        """Votes per group and candidate, grouped by ``"county"``, ``"vote_type"`` (the feed's
        names) or ``"canonical"`` (canonical vote types)."""
        canonical = {vt.name: vt.canonical for vt in self.vote_types}
        table = self.vote_table
        if table is not None:
            if key not in ("county", "vote_type", "canonical"):
                raise ValueError(f"cannot group by {key!r}")
            return _table_totals_by(table, self.units, key, canonical)
        out: dict[str, dict[str, int]] = {}
        for unit in self.units:
            for cid, by_type in unit.votes.items():
                for vt, n in by_type.items():
                    if key == "county":
                        group = unit.county or unit.name
                    elif key == "vote_type":
                        group = vt
                    elif key == "canonical":
                        group = canonical.get(vt) or canonical_vote_type(vt)
                    else:
                        raise ValueError(f"cannot group by {key!r}")
                    row = out.setdefault(group, {})
                    row[cid] = row.get(cid, 0) + n
        return out

    @cached_property
    def precincts(self) -> tuple[int, int]:
        """(precincts fully reporting, precincts in the contest).

        Computed from the units so that a reconstructed or replayed version is self-consistent;
        the feed's own figure is used only when the units cannot tell (no precinct units and no
        per-county precinct counts).
        """
        known = any(u.kind is UnitKind.PRECINCT or u.precincts_total is not None for u in self.units)
        if not known and self.reported_precincts is not None:
            return self.reported_precincts
        return count_precincts(self.units)

    def precincts_in_part(self) -> int:
        """Precinct units with some votes counted but not complete: beside "0 of 2,758 reporting"
        on a feed that never marks a precinct complete (North Carolina's timeseries), the header
        says how many have votes."""
        return sum(u.kind is UnitKind.PRECINCT and u.reporting is Reporting.PARTIAL for u in self.units)

    def data_warnings(self) -> list[str]:
        """Disagreements between the feed's own totals and the sum of its units, after the ones
        the parser recorded in ``feed_warnings``."""
        warnings: list[str] = list(self.feed_warnings)
        shown = " (shown)" if self.uses_stated_totals else ""
        for c, theirs, ours in self.total_mismatches():
            warnings.append(
                f"{self.name}: feed total for {c.name} is {theirs:,}{shown}, its units sum to {ours:,}"
            )
        return warnings


def _table_totals_by(
    table: VoteTable, units: tuple[ReportingUnit, ...], key: str, canonical: dict[str, str]
) -> dict[str, dict[str, int]]:
    """``Contest.totals_by`` over a table: the same groups, in the order a walk of the units
    meets them, with the same candidates in each (those whose rows list the group's types)."""
    votes, reported = table.votes, table.reported
    cids = table.candidates
    out: dict[str, dict[str, int]] = {}
    if key == "county":
        groups = [unit.county or unit.name for unit in units]
        index: dict[str, int] = {}
        for g in groups:
            index.setdefault(g, len(index))
        listed = reported.any(axis=1).tolist()  # a candidate without any vote type has no entry
        per_unit = votes.sum(axis=2)
        if len(index) == len(groups):
            sums = per_unit.tolist()
        else:
            acc = np.zeros((len(index), len(cids)), dtype=np.int64)
            np.add.at(
                acc, np.fromiter((index[g] for g in groups), dtype=np.intp, count=len(groups)), per_unit
            )
            sums = acc.tolist()
        for g, row in zip(index, sums, strict=True):
            out[g] = {cid: n for cid, n, on in zip(cids, row, listed, strict=True) if on}
        return out
    by_type = votes.sum(axis=0).tolist()  # [candidate][vote type]
    mask = reported.tolist()
    for j, cid in enumerate(cids):
        for v, vt in enumerate(table.vote_types):
            if not mask[j][v]:
                continue
            group = vt if key == "vote_type" else (canonical.get(vt) or canonical_vote_type(vt))
            row = out.setdefault(group, {})
            row[cid] = row.get(cid, 0) + by_type[j][v]
    return out


@dataclass(frozen=True)
class Election:
    id: str
    name: str
    date: dt.date | None = None
    #: Where it came from: a feed kind and URL, or an archive path.
    source: str = ""
    reconstructed: bool = False
    note: str = ""
    #: True when the feed says its numbers are test data (AP's test mode: made-up counts). The
    #: window and every export must label such a night TEST.
    test: bool = False
    #: The two-letter state the feed is of, as its parser read it for the contests' rules (a
    #: Clarity Region, a county only one state has, a state's own format); "" when it says none or
    #: several. Why it is kept: an imported night is shown in that state's time zone, and served
    #: as a feed that names a state (``serve --as clarity``) it must name this one, not Georgia.
    #: A hint beside the feed's own words, so not compared (tracker-feed/1 does not carry it).
    state: str = field(default="", compare=False)


@dataclass(frozen=True)
class Snapshot:
    """Everything one feed version says, as parsed."""

    election: Election
    contests: tuple[Contest, ...]
    version: str = ""
    fetched_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    payload_id: str | None = None
    #: What the parser set aside without refusing the file (a pseudo-contest such as "REGISTERED
    #: VOTERS" with voteFor=0, a contest without choices), one sentence each.
    notes: tuple[str, ...] = ()

    def contest(self, contest_id: str) -> Contest:
        for c in self.contests:
            if c.id == contest_id:
                return c
        raise KeyError(contest_id)
