"""The projection's unit of work, the *cell*: a reporting unit × canonical vote type.

A precinct that is ``partial`` has some cells in and others not; Cobb's "Advance in Person 1" and
"2" are one ``early`` cell. A cell is *complete* when its unit is complete (a precinct, or a county
whose precincts are all in), or when every feed vote type of that canonical type that its county
reports is present; otherwise the model predicts it. Cutting a contest into cells is its own job
because what "complete" means is the subtle part: a canonical cell is complete only when all the
feed's names for it are in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tracker.core.model import Contest, Reporting, ReportingUnit, UnitKind, VoteTable, canonical_vote_type


@dataclass
class Cells:
    """The contest cut into cells, as arrays (n cells × k candidates)."""

    unit: list[int] = field(default_factory=list)
    ctype: list[str] = field(default_factory=list)
    county: list[str] = field(default_factory=list)
    complete: list[bool] = field(default_factory=list)
    counted: list[list[int]] = field(default_factory=list)
    #: Whether the cell belongs to a county (or state) unit that reports precincts in/total and
    #: has counted some of the cell: its rest splits like its count so far. (Its *size* is the
    #: expected vote's job, ``tracker.core.expected_vote``: never the count over the share of
    #: precincts, which early and mail ballots counted first blow up.)
    county_partial: list[bool] = field(default_factory=list)


def _not_in(unit: ReportingUnit) -> bool:
    """A precinct the feed says has nothing in yet (``Reporting.NONE``). Its vote types may still
    be listed, as zeros: a Clarity site's precinct before its first results, or our own Clarity
    writer serving a night whose precincts had sent nothing (Allegheny 2022 served as Clarity read
    "All precincts reporting: nothing outstanding" at 0 of 249). Those zeros are no count.
    Only with no vote at all: ``Reporting.NONE`` is also the model's default, which a feed that
    states no status leaves on precincts that have counted (their listed types stay complete)."""
    return unit.reporting is Reporting.NONE and unit.total() == 0


def is_complete_unit(unit: ReportingUnit) -> bool:
    """Complete by its own status, or a county unit with all its precincts in."""
    if unit.reporting is Reporting.COMPLETE:
        return True
    if unit.kind is not UnitKind.PRECINCT and unit.precincts_total:
        return (unit.precincts_reporting or 0) >= unit.precincts_total
    return False


def _cut_table(contest: Contest, table: VoteTable, ids: Sequence[str]) -> Cells:
    """``cut_cells`` of a contest whose votes are one array (issue 21): the same cells in the same
    order, summed by numpy. Every unit of a table lists the same vote types, so a county's units
    report the same feed names of each canonical type and a precinct's reported type is complete
    unless the precinct is still counting an undivided total."""
    k = len(ids)
    canon: dict[str, str] = {vt.name: vt.canonical for vt in contest.vote_types}
    ctypes = [canon.get(vt) or canonical_vote_type(vt) for vt in table.vote_types]
    listed = table.reported.any(axis=0).tolist()
    present = {ct for ct, on in zip(ctypes, listed, strict=True) if on}
    expected = sorted(set(canon.values()) or present) or ["total"]
    types = expected + [t for t in present if t not in expected]
    n_units = table.rows
    # votes[unit, candidate in ids order, vote type]; candidates the table lacks count 0.
    picked = np.zeros((n_units, k, len(ctypes)), dtype=np.int64)
    for i, cid in enumerate(ids):
        j = table._cix.get(cid)
        if j is not None:
            picked[:, i, :] = table.votes[:, j, :]
    grouped = np.zeros((n_units, len(types), k), dtype=np.int64)
    for t, ct in enumerate(types):
        cols = [v for v, c in enumerate(ctypes) if c == ct]
        if cols:
            grouped[:, t, :] = picked[:, :, cols].sum(axis=2)
    any_counted = (grouped.sum(axis=2) > 0).tolist()
    cells = Cells()
    cells.counted = grouped.reshape(n_units * len(types), k).tolist()
    counting_total_only = present <= {"total"}
    for u, unit in enumerate(contest.units):
        county = unit.county or unit.name
        unit_done = is_complete_unit(unit)
        by_precincts = unit.kind is not UnitKind.PRECINCT and bool(unit.precincts_total)
        still_counting = unit.reporting is Reporting.PARTIAL and counting_total_only
        # A precinct the feed says has nothing in (Clarity's status 0 with no votes) lists its
        # vote types as zeros, placeholders: never a complete cell (``_not_in``).
        precinct = unit.kind is UnitKind.PRECINCT and not _not_in(unit)
        for t, ct in enumerate(types):
            done = unit_done or (ct in present and precinct and not still_counting)
            cells.unit.append(u)
            cells.ctype.append(ct)
            cells.county.append(county)
            cells.complete.append(done)
            cells.county_partial.append(not done and by_precincts and any_counted[u][t])
    return cells


def cut_cells(contest: Contest, ids: Sequence[str]) -> Cells:
    """``contest`` cut into cells, candidates in the order of ``ids``."""
    table = contest.vote_table
    if table is not None:
        return _cut_table(contest, table, ids)
    index = {cid: i for i, cid in enumerate(ids)}
    k = len(ids)
    canon: dict[str, str] = {vt.name: vt.canonical for vt in contest.vote_types}

    def canonical(name: str) -> str:
        ct = canon.get(name)
        if ct is None:
            ct = canon[name] = canonical_vote_type(name)
        return ct

    declared = set(canon.values())
    seen_types: set[str] = set()
    # Feed vote-type names of each canonical type that each county reports (Cobb's two advance
    # buckets): a canonical cell is complete only when all of them are in.
    county_names: dict[tuple[str, str], set[str]] = {}
    per_unit: list[tuple[dict[str, list[int]], dict[str, set[str]]]] = []
    for unit in contest.units:
        county = unit.county or unit.name
        names: set[str] = set()
        per_type: dict[str, list[int]] = {}
        for cid, by in unit.votes.items():
            names.update(by)
            j = index.get(cid)
            if j is None:
                continue
            for vt, n in by.items():
                if n:
                    ct = canonical(vt)
                    row = per_type.get(ct)
                    if row is None:
                        row = per_type[ct] = [0] * k
                    row[j] += n
        present: dict[str, set[str]] = {}
        for vt in names:
            ct = canonical(vt)
            present.setdefault(ct, set()).add(vt)
            county_names.setdefault((county, ct), set()).add(vt)
        seen_types.update(present)
        per_unit.append((per_type, present))
    expected = sorted(declared or seen_types)
    if not expected:
        expected = ["total"]
    cells = Cells()
    zero = [0] * k
    for u, unit in enumerate(contest.units):
        county = unit.county or unit.name
        unit_done = is_complete_unit(unit)
        per_type, present = per_unit[u]
        types = list(expected) + [t for t in present if t not in expected]
        by_precincts = unit.kind is not UnitKind.PRECINCT and bool(unit.precincts_total)
        # A precinct the feed calls partial although it reports one undivided total is still
        # counting inside it (Allegheny's poller: one total per precinct, mail ballots added all
        # night): its cell is not done, or the night would look final while votes still come.
        still_counting = unit.reporting is Reporting.PARTIAL and set(present) <= {"total"}
        for ct in types:
            row = per_type.get(ct, zero)
            if unit_done:
                done = True
            elif (
                ct in present and unit.kind is UnitKind.PRECINCT and not still_counting and not _not_in(unit)
            ):
                done = present[ct] >= county_names.get((county, ct), set())
            else:
                done = False
            cells.unit.append(u)
            cells.ctype.append(ct)
            cells.county.append(county)
            cells.complete.append(done)
            cells.counted.append(row)
            cells.county_partial.append(not done and by_precincts and sum(row) > 0)
    return cells


__all__ = ["Cells", "cut_cells", "is_complete_unit"]
