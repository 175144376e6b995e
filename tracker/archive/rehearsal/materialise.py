"""From a timing to snapshots: one Snapshot per version, each unit carrying exactly its released
cells.

Reporting states (April): a precinct is ``none`` until one of its cells is in, ``partial`` while
only its advance/mail cells are in, ``complete`` once its election-day cell is in. Provisional
ballots come last (in the final versions) and do not change the state: Georgia counts them after
the polls, and the certified files include them. ``registered`` (known before the night) is on
every unit from the first version, ``ballots_cast`` only once the precinct is complete. June has
precinct totals only (one vote type, "Total"), so a precinct goes straight from none to complete.
"""

from __future__ import annotations

import dataclasses

from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.clock import Minute, _at
from tracker.archive.rehearsal.search import _Timing
from tracker.archive.rehearsal.sources import _NightSpec
from tracker.core.model import Reporting, Snapshot


def _version_minutes(timing: _Timing) -> list[Minute]:
    """19:00 (everything present, nothing counted) and every minute at which a cell lands."""
    return sorted({0, *(int(m) for m in timing.minutes)})


def _materialise(prep: _Prepared, spec: _NightSpec, timing: _Timing) -> list[Snapshot]:
    """One Snapshot per version: every unit of every contest present from the first version;
    a unit carries exactly its released cells (certified counts) and the state they imply."""
    versions = _version_minutes(timing)
    released_at = {
        (cell.unit_id, cell.vote_type): int(timing.minutes[i]) for i, cell in enumerate(prep.cells)
    }
    completing_at = {
        prep.precincts[p]: int(max(timing.minutes[c] for c in cells))
        for p, cells in enumerate(prep.completing)
    }
    snapshots = []
    for seq, minute in enumerate(versions, start=1):
        when = _at(spec.date, minute)
        contests = []
        for contest in prep.final.contests:
            units = []
            for unit in contest.units:
                shown = {vt for vt in unit.reported_vote_types() if released_at[(unit.id, vt)] <= minute}
                complete = completing_at[unit.id] <= minute
                votes = (
                    {cid: {vt: n for vt, n in by.items() if vt in shown} for cid, by in unit.votes.items()}
                    if shown
                    else {}
                )
                state = Reporting.COMPLETE if complete else Reporting.PARTIAL if shown else Reporting.NONE
                units.append(
                    dataclasses.replace(
                        unit,
                        reporting=state,
                        votes=votes,
                        ballots_cast=unit.ballots_cast if complete else None,
                    )
                )
            contests.append(
                dataclasses.replace(
                    contest,
                    units=tuple(units),
                    reported_totals=None,
                    reported_precincts=None,
                    feed_warnings=(),
                )
            )
        snapshots.append(
            Snapshot(
                election=spec.election,
                contests=tuple(contests),
                version=str(seq),
                fetched_at=when,
                published_at=when,
            )
        )
    return snapshots
