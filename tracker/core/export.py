"""One contest of one Snapshot as rows per reporting unit and vote type: the drill-down's table
and the race's CSV export are the same rows, so what a user reads in the window is what they
export.

Two levels. ``unit`` is the feed's own units (precincts for Clarity, towns or counties for AP);
``county`` sums precinct units into their county (a county unit stands for itself). A vote type a
unit has not reported yet is ``None`` -- an empty cell -- never 0: "not counted yet" and "counted,
nobody voted this way" are different things on election night. A unit with no vote type at all
still gets one row (vote type ""), so the units still out show up in the drill-down and the file.

Every export says where its numbers come from (:func:`provenance_lines`): the night's label, whether
it is reconstructed or test data, and which version at what time. Nothing here does I/O beyond
writing to a stream it is handed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO

from tracker.core.csv_safe import SafeWriter, comment_line
from tracker.core.model import (
    CANONICAL_VOTE_TYPES,
    Candidate,
    Contest,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    canonical_vote_type,
    count_precincts,
)
from tracker.core.standing import standings
from tracker.core.threshold import Outstanding, State


class Level(StrEnum):
    """What one row stands for."""

    UNIT = "unit"  # the feed's own units (precincts, or towns/counties for a county-level feed)
    COUNTY = "county"  # precinct units summed per county


#: The vote-type value of a row that combines every vote type of its unit.
ALL_TYPES = "all"


@dataclass(frozen=True)
class UnitRow:
    """One unit (or county) and one vote type: each candidate's votes, in the table's order."""

    unit_id: str
    unit: str
    county: str
    kind: str
    reporting: Reporting
    #: Precincts fully reporting / precincts, when known (a county row; a county-level feed's unit).
    precincts: tuple[int, int] | None
    #: The feed's vote-type name ("Election Day", "Advance in Person 1"); "" when the unit has
    #: reported nothing yet; ``ALL_TYPES`` for a row that combines them.
    vote_type: str
    canonical: str
    #: Votes per candidate (the table's candidate order); None = this vote type not reported here.
    votes: tuple[int | None, ...]

    @property
    def total(self) -> int | None:
        """Votes in this row, all candidates; None when none of them has reported this type."""
        known = [v for v in self.votes if v is not None]
        return sum(known) if known else None

    @property
    def key(self) -> tuple[str, str]:
        """Identifies the row across versions (unit, vote type)."""
        return (self.unit_id, self.vote_type)


@dataclass(frozen=True)
class ContestRows:
    """A contest's rows at one level, with the candidates in the order of the votes columns."""

    contest_id: str
    contest_name: str
    level: Level
    #: Most votes first (ties in ballot order): the race view's order.
    candidates: tuple[Candidate, ...]
    rows: tuple[UnitRow, ...]
    #: The contest's vote types as the feed names them, in the feed's order.
    vote_types: tuple[str, ...]
    #: False when the feed gives no precinct units (county-level feeds): no precinct view.
    has_precincts: bool

    def totals(self) -> dict[str, int]:
        """Votes per candidate id summed over the rows (equal to the contest's ``unit_totals``;
        to its ``totals`` unless the feed states totals its units do not add up to)."""
        out = {c.id: 0 for c in self.candidates}
        for row in self.rows:
            for cand, v in zip(self.candidates, row.votes, strict=True):
                out[cand.id] += v or 0
        return out

    def totals_by_vote_type(self) -> dict[str, dict[str, int]]:
        """Vote type -> candidate id -> votes, summed over the rows (rows combining types excluded)."""
        out: dict[str, dict[str, int]] = {}
        for row in self.rows:
            if not row.vote_type or row.vote_type == ALL_TYPES:
                continue
            group = out.setdefault(row.vote_type, {c.id: 0 for c in self.candidates})
            for cand, v in zip(self.candidates, row.votes, strict=True):
                group[cand.id] += v or 0
        return out


def _vote_type_order(contest: Contest) -> list[str]:
    """The contest's vote types in the feed's order, then any a unit reports that it does not list."""
    order = [vt.name for vt in contest.vote_types]
    seen = set(order)
    for unit in contest.units:
        for by_type in unit.votes.values():
            for name in by_type:
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    return order


def _canonical(contest: Contest) -> dict[str, str]:
    return {vt.name: vt.canonical for vt in contest.vote_types}


def _county_of(unit: ReportingUnit) -> str:
    return unit.county or unit.name


def _unit_precincts(unit: ReportingUnit) -> tuple[int, int] | None:
    if unit.kind is UnitKind.PRECINCT or unit.precincts_total is None:
        return None
    return (unit.precincts_reporting or 0, unit.precincts_total)


@dataclass(frozen=True)
class _Group:
    """Units that become one row group: one unit, or a county's precinct units."""

    unit_id: str
    unit: str
    county: str
    kind: str
    reporting: Reporting
    precincts: tuple[int, int] | None
    units: tuple[ReportingUnit, ...]


def _groups(contest: Contest, level: Level) -> list[_Group]:
    if level is Level.UNIT:
        return [
            _Group(u.id, u.name, _county_of(u), str(u.kind), u.reporting, _unit_precincts(u), (u,))
            for u in contest.units
        ]
    by_county: dict[str, list[ReportingUnit]] = {}
    for u in contest.units:
        by_county.setdefault(_county_of(u), []).append(u)
    out = []
    for county, units in by_county.items():
        if len(units) == 1 and units[0].kind is not UnitKind.PRECINCT:
            u = units[0]  # a county (or state) unit stands for itself
            out.append(_Group(u.id, u.name, county, str(u.kind), u.reporting, _unit_precincts(u), (u,)))
            continue
        states = {u.reporting for u in units}
        reporting = next(iter(states)) if len(states) == 1 else Reporting.PARTIAL
        out.append(_Group(county, county, county, "county", reporting, count_precincts(units), tuple(units)))
    return out


def _group_votes(group: _Group, candidates: Sequence[Candidate], vote_type: str) -> tuple[int | None, ...]:
    """Each candidate's votes of ``vote_type`` in the group; None where no unit reported it."""
    out: list[int | None] = []
    for cand in candidates:
        total: int | None = None
        for unit in group.units:
            n = unit.votes.get(cand.id, {}).get(vote_type)
            if n is not None:
                total = (total or 0) + n
        out.append(total)
    return tuple(out)


def _group_all_votes(group: _Group, candidates: Sequence[Candidate]) -> tuple[int | None, ...]:
    out: list[int | None] = []
    for cand in candidates:
        total: int | None = None
        for unit in group.units:
            by_type = unit.votes.get(cand.id)
            if by_type:
                total = (total or 0) + sum(by_type.values())
        out.append(total)
    return tuple(out)


def contest_rows(contest: Contest, level: Level | str = Level.UNIT, *, combine: bool = False) -> ContestRows:
    """``contest`` as rows at ``level``: one per unit (or county) and vote type, in the feed's unit
    order and vote-type order; with ``combine``, one per unit with every vote type summed
    (vote type ``ALL_TYPES``)."""
    level = Level(level)
    candidates = tuple(contest.ranked())
    order = _vote_type_order(contest)
    canonical = _canonical(contest)
    rows: list[UnitRow] = []
    for g in _groups(contest, level):
        head = (g.unit_id, g.unit, g.county, g.kind, g.reporting, g.precincts)
        if combine:
            votes = _group_all_votes(g, candidates)
            rows.append(UnitRow(*head, vote_type=ALL_TYPES, canonical=ALL_TYPES, votes=votes))
            continue
        reported = {t for u in g.units for t in u.reported_vote_types()}
        types = [t for t in order if t in reported]
        if not types:
            rows.append(UnitRow(*head, vote_type="", canonical="", votes=(None,) * len(candidates)))
            continue
        for t in types:
            c = canonical.get(t) or canonical_vote_type(t)
            rows.append(UnitRow(*head, vote_type=t, canonical=c, votes=_group_votes(g, candidates, t)))
    return ContestRows(
        contest_id=contest.id,
        contest_name=contest.name,
        level=level,
        candidates=candidates,
        rows=tuple(rows),
        vote_types=tuple(order),
        has_precincts=any(u.kind is UnitKind.PRECINCT for u in contest.units),
    )


#: The vote-type mix chart's buckets, in the order they stack (the order votes are usually counted).
MIX_TYPES: tuple[str, ...] = ("early", "mail", "election_day", "provisional", "other", "total")


def vote_type_mix(contest: Contest) -> dict[str, dict[str, int]]:
    """Candidate id -> canonical vote type -> votes (every candidate, every bucket the contest has,
    zeros kept): where each candidate's votes came from."""
    by_type = contest.totals_by("canonical")
    present = [t for t in MIX_TYPES if t in by_type] + [
        t for t in by_type if t not in MIX_TYPES and t in CANONICAL_VOTE_TYPES
    ]
    return {c.id: {t: by_type[t].get(c.id, 0) for t in present} for c in contest.candidates}


# provenance and CSV ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Where a snapshot came from, as the window or the CLI knows it."""

    #: The night's label ("GA-06 special election, 18 Apr 2017 — reconstructed from …").
    night_label: str
    #: "recorded" or "reconstructed" (the night file's kind), or "payload" for a single file.
    night_kind: str
    #: The night file's path or the feed's URL.
    source: str
    #: 0-based index of the version and how many the night has (None for a single payload).
    version_index: int | None = None
    version_count: int | None = None
    #: When the version appeared (fetch time), shown in ``timezone``.
    version_time: dt.datetime | None = None
    timezone: dt.tzinfo | None = None
    #: The night's files had no times (``tracker.core.untimed``): ``version_time`` only keeps
    #: the versions in order and is never written as when the version appeared.
    untimed: bool = False


def _local(when: dt.datetime, tz: dt.tzinfo | None) -> str:
    local = when.astimezone(tz) if tz is not None else when
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".strip()


def provenance_lines(snapshot: Snapshot, contest: Contest, prov: Provenance, *, level: Level) -> list[str]:
    """The lines an export starts with (without the comment marker): what, from which night, which
    version; RECONSTRUCTED or TEST DATA in capitals when the night or the version says so."""
    election = snapshot.election
    lines = [f"Election Night Tracker export: {contest.name} ({election.name})"]
    lines.append(f"night: {prov.night_label} [{prov.night_kind}]")
    reconstructed = prov.night_kind == "reconstructed" or election.reconstructed
    if reconstructed:
        note = election.note or "rebuilt after the fact, not the original feed"
        lines.append(f"RECONSTRUCTED night: {note}")
    if election.test:
        lines.append(f"TEST DATA: not real results. {election.note}".strip())
    lines.append(f"source: {prov.source}")
    if prov.version_index is not None and prov.version_count is not None:
        version = f"version {prov.version_index + 1} of {prov.version_count} in the night"
    else:
        version = "version"
    version += f" (the feed's version id: {snapshot.version or 'none'})"
    if prov.untimed:
        version += "; the night's files have no times, so neither has this version"
    elif prov.version_time is not None:
        version += f", appeared {_local(prov.version_time, prov.timezone)}"
    if snapshot.published_at is not None:
        version += f", published {_local(snapshot.published_at, prov.timezone)}"
    lines.append(version)
    reporting, total = contest.precincts
    lines.append(f"precincts fully reporting: {reporting} of {total}; votes counted: {contest.total_votes}")
    rule = contest.threshold
    lines.append(
        f"rule: {rule.describe(contest.vote_for)} ({rule.origin()})"
        + (f"; basis: {rule.basis}" if rule.basis else "")
    )
    # The race's result in the window's words; all counted or not, the words need no estimate
    # only when every precinct is in (else the seats' in/out, or nothing for a line).
    done = total > 0 and reporting >= total
    for row in standings(contest, Outstanding.none() if done else None):
        phrase = "" if row.need.state is State.WAITING else row.phrase
        lines.append(f"result: {row.candidate.name}: {row.votes}" + (f" ({phrase})" if phrase else ""))
    mismatches = contest.total_mismatches()
    if mismatches and contest.uses_stated_totals:
        lines.append(
            "THE FEED'S STATED TOTALS DIFFER FROM ITS UNITS: the result above is the feed's own "
            "(what its page shows); the rows below are its units"
        )
    if contest.partial:
        lines.append(f"PART OF THE RACE: {contest.partial}")
    for warning in contest.data_warnings():
        lines.append(f"data warning: {warning}")
    per = "county" if level is Level.COUNTY else "reporting unit"
    lines.append(f"one row per {per} and vote type; an empty cell: that vote type not reported there yet")
    return lines


def csv_header(rows: ContestRows) -> list[str]:
    """Column names: the row's place, then one column per candidate (its name; the id added when
    two candidates share a name), then the total."""
    names = [c.name for c in rows.candidates]
    dupes = {n for n in names if names.count(n) > 1}
    cands = [f"{c.name} ({c.id})" if c.name in dupes else c.name for c in rows.candidates]
    return [
        "level",
        "county",
        "unit",
        "unit_id",
        "kind",
        "reporting",
        "precincts_reporting",
        "precincts_total",
        "vote_type",
        "vote_type_canonical",
        *cands,
        "total",
    ]


def write_contest_csv(rows: ContestRows, out: TextIO, *, header: Iterable[str] = ()) -> int:
    """Write ``rows`` as CSV to ``out``, after ``header`` lines as ``# `` comments (the provenance:
    spreadsheet users see it, ``pandas.read_csv(comment="#")`` skips it). Returns the data rows."""
    for line in header:
        out.write(comment_line(line))
    writer = SafeWriter(out, lineterminator="\n")  # no formulas (issue 19)
    writer.writerow(csv_header(rows))
    n = 0
    for r in rows.rows:
        p_in, p_total = r.precincts if r.precincts is not None else ("", "")
        total = r.total
        writer.writerow(
            [
                rows.level.value,
                r.county,
                r.unit,
                r.unit_id,
                r.kind,
                r.reporting.value,
                p_in,
                p_total,
                r.vote_type,
                r.canonical,
                *("" if v is None else v for v in r.votes),
                "" if total is None else total,
            ]
        )
        n += 1
    return n


__all__ = [
    "ALL_TYPES",
    "MIX_TYPES",
    "ContestRows",
    "Level",
    "Provenance",
    "UnitRow",
    "contest_rows",
    "csv_header",
    "provenance_lines",
    "vote_type_mix",
    "write_contest_csv",
]
