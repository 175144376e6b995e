"""A reporting unit from a source that has counts but no completeness flags.

Archived results files (the NYT/Edison timeseries, a poller's per-precinct totals) say how many
votes a unit has, never whether it is done. Two readers share one reading of that, so a night
built from either means the same thing: a 0 is "not reported yet" (the sources write 0 for a
cell nobody reported), so a vote type with no votes in the unit is left out of it (the model's
"not reported"), and a unit with votes is partial, never complete.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.core.model import Reporting, ReportingUnit, UnitKind


def flagless_unit(
    uid: str,
    name: str,
    kind: UnitKind,
    county: str | None,
    votes: Mapping[str, Mapping[str, int]],
) -> ReportingUnit:
    """``votes``: candidate id → vote type → votes, zeros included; they are dropped as above."""
    types = {vt for by in votes.values() for vt, n in by.items() if n}
    kept: dict[str, dict[str, int]] = {}
    for cid, by in votes.items():
        row = {vt: n for vt, n in by.items() if vt in types}
        if row:
            kept[cid] = row
    state = Reporting.PARTIAL if types else Reporting.NONE
    return ReportingUnit(id=uid, name=name, kind=kind, county=county, reporting=state, votes=kept)
