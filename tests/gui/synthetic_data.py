"""Synthetic election data for the window's tests: tiny cases the real data cannot give (a race
changing between versions, a night whose every number the test knows). Built with the model's
constructors and the native format's writer; every name in them says "Synthetic"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot

NY = ZoneInfo("America/New_York")
SYNTHETIC_ELECTION = Election(id="synthetic-2024-11-05", name="Synthetic test election", note="synthetic")
#: Versions of the synthetic night: 19:00, 19:30, 20:00 New York time.
SYNTHETIC_TIMES = tuple(
    dt.datetime(2024, 11, 5, 19, 0, tzinfo=NY) + dt.timedelta(minutes=30 * i) for i in range(3)
)

# Precinct results per version (synthetic): precinct id -> (reporting, {candidate: votes}).
_MAYOR_UNITS = ("P1", "P2", "P3", "P4")
_MAYOR_VOTES = {
    "P1": {"ada": 300, "bo": 150, "cy": 50},
    "P2": {"ada": 200, "bo": 250, "cy": 50},
    "P3": {"ada": 260, "bo": 200, "cy": 40},
    "P4": {"ada": 240, "bo": 220, "cy": 40},
}
_COUNCIL_VOTES = {"Q1": {"dee": 120, "eli": 80}, "Q2": {"dee": 90, "eli": 110}}


def _unit(uid: str, votes: dict[str, int] | None, registered: int) -> ReportingUnit:
    if votes is None:
        return ReportingUnit(
            id=uid, name=f"Synthetic precinct {uid}", county="Synthetic County", registered=registered
        )
    return ReportingUnit(
        id=uid,
        name=f"Synthetic precinct {uid}",
        county="Synthetic County",
        reporting=Reporting.COMPLETE,
        votes={cid: {"Election Day": n} for cid, n in votes.items()},
        registered=registered,
    )


def synthetic_snapshot(reported: int, *, version: str = "") -> Snapshot:
    """Synthetic: ``reported`` of the 4 mayoral precincts are in (and min(reported, 2) council ones)."""
    mayor = Contest(
        id="mayor",
        name="Synthetic Mayor",
        candidates=(
            Candidate("ada", "ADA LOVELACE", ballot_order=1),
            Candidate("bo", "BO DIDDLEY", ballot_order=2),
            Candidate("cy", "CY YOUNG", ballot_order=3),
        ),
        units=tuple(
            _unit(uid, _MAYOR_VOTES[uid] if i < reported else None, 1000)
            for i, uid in enumerate(_MAYOR_UNITS)
        ),
    )
    council = Contest(
        id="council-1",
        name="Synthetic Council District 1",
        candidates=(
            Candidate("dee", "Dee Dee Ramone", ballot_order=1),
            Candidate("eli", "Eli Whitney", ballot_order=2),
        ),
        units=tuple(
            _unit(uid, _COUNCIL_VOTES[uid] if i < min(reported, 2) else None, 500)
            for i, uid in enumerate(("Q1", "Q2"))
        ),
    )
    return Snapshot(election=SYNTHETIC_ELECTION, contests=(mayor, council), version=version or f"v{reported}")


def write_synthetic_night(path: Path, *, reconstructed: bool = True) -> Path:
    """A synthetic night of three versions (1, 3 and 4 of 4 mayoral precincts in)."""
    from tracker.archive.night import NightFile
    from tracker.feeds.native import dump_native
    from tracker.feeds.registry import NATIVE

    night = NightFile.create(
        path,
        kind="reconstructed" if reconstructed else "recorded",
        label="Synthetic test night",
        note="synthetic, for the window's tests",
        timezone="America/New_York",
    )
    try:
        for when, reported in zip(SYNTHETIC_TIMES, (1, 3, 4), strict=True):
            snap = synthetic_snapshot(reported)
            night.add_payload(dump_native(snap), fetched_at=when, fmt=NATIVE, version=snap.version)
    finally:
        night.close()
    return path
