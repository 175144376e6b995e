"""Cells: the atoms a reconstructed night releases. A cell is the real certified count of one
precinct × vote type; a cell, once released, never changes. ``_Prepared`` cuts the certified
snapshot into cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tracker.archive.rehearsal.sources import HOUSE_CONTEST
from tracker.core.errors import TrackerError
from tracker.core.model import Snapshot

#: Canonical vote types that make a precinct "complete" when their cell is in.
_COMPLETING = ("election_day", "total")
_EARLY = ("early", "mail")


@dataclass(frozen=True)
class _Cell:
    unit_id: str
    county: str
    vote_type: str
    canonical: str


class _Prepared:
    """The certified snapshot cut into cells, with the House race's numbers per cell as arrays so
    that scoring a candidate timing is a few numpy calls."""

    def __init__(self, final: Snapshot) -> None:
        self.final = final
        house = [c for c in final.contests if c.name == HOUSE_CONTEST]
        if not house:
            raise TrackerError(f"the certified data has no contest named {HOUSE_CONTEST!r}")
        self.house = house[0]
        self.ossoff_id = self._candidate_id("ossoff")
        self.handel_id = self._candidate_id("handel")

        canonical: dict[str, str] = {}
        for contest in final.contests:
            for vt in contest.vote_types:
                canonical.setdefault(vt.name, vt.canonical)
        index: dict[tuple[str, str], int] = {}
        cells: list[_Cell] = []
        precincts: dict[str, str] = {}  # unit id -> county, in first-seen order
        for contest in final.contests:
            for unit in contest.units:
                county = unit.county or ""
                precincts.setdefault(unit.id, county)
                # The unit's own vote types, not the contest's union: DeKalb has one advance
                # bucket where Cobb and Fulton have two, and a cell without votes would make a
                # version in which nothing visible changes.
                for vt in sorted(unit.reported_vote_types()):
                    if (unit.id, vt) not in index:
                        index[(unit.id, vt)] = len(cells)
                        cells.append(_Cell(unit.id, county, vt, canonical.get(vt, "other")))
        self.cells = cells
        self.cell_index = index
        n = len(cells)
        self.ossoff = np.zeros(n)
        self.handel = np.zeros(n)
        self.total = np.zeros(n)
        for unit in self.house.units:
            for cid, by_type in unit.votes.items():
                for vt, votes in by_type.items():
                    i = index[(unit.id, vt)]
                    self.total[i] += votes
                    if cid == self.ossoff_id:
                        self.ossoff[i] += votes
                    elif cid == self.handel_id:
                        self.handel[i] += votes
        self.precincts = list(precincts)
        self.precinct_county = [precincts[p] for p in self.precincts]
        self.counties = sorted(set(self.precinct_county))
        pindex = {p: i for i, p in enumerate(self.precincts)}
        self.cell_precinct = np.array([pindex[c.unit_id] for c in cells], dtype=np.int64)
        #: For each precinct, the cells whose release completes it.
        self.completing: list[list[int]] = [[] for _ in self.precincts]
        for i, cell in enumerate(cells):
            if cell.canonical in _COMPLETING:
                self.completing[pindex[cell.unit_id]].append(i)
        for p, found in enumerate(self.completing):
            if not found:
                raise TrackerError(f"precinct {self.precincts[p]!r} has no election-day or total cell")
        self.precinct_county_arr = np.array([self.counties.index(c) for c in self.precinct_county])
        # Flattened for numpy: completion minute = max over each precinct's run of cells.
        self.completing_flat = np.array([i for cells in self.completing for i in cells], dtype=np.int64)
        self.completing_starts = np.cumsum([0] + [len(c) for c in self.completing[:-1]]).astype(np.int64)

    def _candidate_id(self, surname: str) -> str:
        for cand in self.house.candidates:
            if surname in cand.name.lower():
                return cand.id
        raise TrackerError(f"no candidate named like {surname!r} in {HOUSE_CONTEST!r}")

    def precincts_of(self, county: str) -> list[int]:
        return [i for i, c in enumerate(self.precinct_county) if c == county]

    def cells_where(self, pred: Callable[[_Cell], bool]) -> list[int]:
        return [i for i, c in enumerate(self.cells) if pred(c)]
