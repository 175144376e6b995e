"""A Clarity contest's vote columns → its units' votes.

The contest reader (``tracker.feeds.clarity``) collects each choice's vote types as columns
(vote type, unit names, votes). In the usual layout — every vote type of every choice lists the
contest's units in the same order — they become one read-only integer array
(``model.VoteTable``, issue 21), each unit's ``votes`` a view of its row; any other layout is
assembled row by row into dicts, adding repeats and saying so.
"""

from __future__ import annotations

import numpy as np

from tracker.core.model import Reporting, ReportingUnit, UnitKind, VoteTable
from tracker.feeds.clarity_checks import precinct_reporting


def _has_votes(votes: dict[str, dict[str, int]]) -> bool:
    return any(any(by_type.values()) for by_type in votes.values())


_Columns = list[tuple[str, list[str], list[int]]]


def _assemble(
    contest: str, canon: list[str], choices: list[tuple[str, str, _Columns]], warnings: list[str]
) -> list[dict[str, dict[str, int]]]:
    """Turn the per-(choice, vote type) columns into each unit's ``{candidate: {vote type: n}}``.

    The usual layout — every vote type of every choice lists the contest's units in the same order
    — is built with comprehensions over the columns; anything else (a different order, a missing
    or repeated unit, a repeated vote type) goes row by row, adding repeats and saying so."""
    if all(
        len({c[0] for c in cols}) == len(cols) and all(c[1] == canon for c in cols) for _, _, cols in choices
    ):
        active = [(cid, cols) for cid, _, cols in choices if cols]
        if not active:
            return [{} for _ in canon]
        per_choice = [
            [dict(zip(vnames, row, strict=True)) for row in zip(*[c[2] for c in cols], strict=True)]
            for vnames, cols in (([c[0] for c in cols], cols) for _, cols in active)
        ]
        cids = [cid for cid, _ in active]
        return [dict(zip(cids, t, strict=True)) for t in zip(*per_choice, strict=True)]
    index = {raw: i for i, raw in enumerate(canon)}
    unit_votes: list[dict[str, dict[str, int]]] = [{} for _ in canon]
    for cid, cname, cols in choices:
        for vname, names, nums in cols:
            for raw, n in zip(names, nums, strict=True):
                per = unit_votes[index[raw]]
                by_type = per.get(cid)
                if by_type is None:
                    per[cid] = {vname: n}
                elif vname in by_type:
                    by_type[vname] += n
                    warnings.append(
                        f"{contest}: {raw.strip()} is listed twice under {cname}'s {vname}; "
                        "its votes were added"
                    )
                else:
                    by_type[vname] = n
    return unit_votes


def _precinct_units(
    county: str,
    canon: list[str],
    unit_votes: list,
    has_votes: list[bool],
    tu: dict[str, tuple[int | None, int | None, str | None, int | None, int | None]],
    reporting_rows: dict[str, int],
) -> list[ReportingUnit]:
    """A county file's precinct units (tens of thousands in a state's files)."""
    kind, complete, county_or_none = UnitKind.PRECINCT, Reporting.COMPLETE, county or None
    units: list[ReportingUnit] = []
    for raw, votes, voted in zip(canon, unit_votes, has_votes, strict=True):
        info = tu.get(raw)
        code = info[2] if info else None
        units.append(
            ReportingUnit(
                id=f"{county}/{raw}",
                name=raw.strip(),
                kind=kind,
                county=county_or_none,
                reporting=complete
                if code == "4"
                else precinct_reporting(code, reporting_rows.get(raw), voted),
                votes=votes,
                registered=info[0] if info else None,
                ballots_cast=info[1] if info else None,
            )
        )
    return units


#: A contest whose cells add up to more stays in dicts: numpy's int64 sums would wrap, where
#: Python's ints let ``plausible.check_snapshot`` refuse the count in a sentence.
_TABLE_MAX_TOTAL = 2**62


def _table(
    canon: list[str], choices: list[tuple[str, str, _Columns]], vote_types: list[str]
) -> VoteTable | None:
    """The contest's votes as one array (``tracker.core.model.VoteTable``) in the usual layout:
    every vote type of every choice lists the contest's units in the same order, no choice repeats
    a vote type, and each lists its types in the contest's order. None otherwise: ``_assemble``
    then builds the dicts row by row, adding repeats and saying so."""
    active = [(cid, cols) for cid, _, cols in choices if cols]
    if not active or not canon:
        return None
    vix = {vt: v for v, vt in enumerate(vote_types)}
    for _cid, cols in active:
        last = -1
        for vname, names, _nums in cols:
            v = vix[vname]
            if v <= last or names != canon:
                return None
            last = v
    n_types = len(vote_types)
    if all(len(cols) == n_types for _, cols in active):
        # Every choice lists every vote type (the usual file): one conversion of all the columns.
        flat = [n for _, cols in active for _vname, _names, nums in cols for n in nums]
        votes = np.array(flat, dtype=np.int64).reshape(len(active), n_types, len(canon))
        reported = np.ones((len(active), n_types), dtype=bool)
    else:
        votes = np.zeros((len(active), n_types, len(canon)), dtype=np.int64)
        reported = np.zeros((len(active), n_types), dtype=bool)
        for j, (_cid, cols) in enumerate(active):
            for vname, _names, nums in cols:
                v = vix[vname]
                votes[j, v] = nums
                reported[j, v] = True
    return VoteTable(
        [cid for cid, _ in active], vote_types, np.ascontiguousarray(votes.transpose(2, 0, 1)), reported
    )
