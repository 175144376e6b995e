"""Loading the certified data: the final snapshot every reconstructed version is cut from (the
last version equals it).

Identifiers: April's contest and candidate ids are whatever the Clarity parser and the merge give
(Clarity keys); June's are slugs ("u-s-representative-district-6", "karen-handel",
"jon-ossoff"). Both nights name the House race "U.S. Representative, District 6": match
contests across nights by name, not id.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from tracker.archive.rehearsal.sources import _APRIL, _JUNE, HOUSE_CONTEST
from tracker.core.errors import TrackerError
from tracker.core.model import (
    Candidate,
    Contest,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)


def _require(data_dir: Path, rel: str) -> Path:
    path = data_dir / rel
    if not path.is_file():
        raise TrackerError(f"missing data file {path} (needed to build a reconstructed night)")
    return path


def _load_april(data_dir: Path) -> Snapshot:
    """The three county detail XMLs, parsed and merged into one certified snapshot."""
    from tracker.core.merge import merge_snapshots
    from tracker.feeds.clarity import parse_detail_xml

    snaps = []
    for src in _APRIL.sources:
        if src.path.endswith(".xml"):
            path = _require(data_dir, src.path)
            snaps.append(parse_detail_xml(path.read_bytes(), source=str(path)))
    return merge_snapshots(snaps, election=_APRIL.election)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _load_june(data_dir: Path) -> Snapshot:
    """The three OpenElections precinct CSVs as one certified snapshot: precinct totals only, one
    vote type "Total" (the runoff's vote-type split exists only per county; inventing a
    per-precinct split would put numbers in the night that are not in any data)."""
    vote_type = "Total"
    candidates: dict[str, Candidate] = {}
    units: list[ReportingUnit] = []
    for src in _JUNE.sources:
        if not src.path.endswith(".csv") or "runoff" not in src.path:
            continue
        path = _require(data_dir, src.path)
        per_precinct: dict[str, dict[str, Any]] = {}
        with path.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                precinct = rec["precinct"]
                # Each file ends with the county's TOTAL block; counting it would double everything.
                if precinct.strip().lower() == "total":
                    continue
                entry = per_precinct.setdefault(
                    precinct, {"county": rec["county"].strip(), "votes": {}, "voters": {}}
                )
                votes = int(rec["votes"])
                if rec["office"].strip() == "Voters":
                    entry["voters"][rec["candidate"].strip()] = votes
                    continue
                if rec["office"].strip() != "U.S. House":
                    continue
                name = rec["candidate"].strip()
                cid = _slug(name)
                if cid not in candidates:
                    candidates[cid] = Candidate(
                        id=cid, name=name, party=rec["party"].strip(), ballot_order=len(candidates)
                    )
                if cid in entry["votes"]:
                    raise TrackerError(f"{path}: {precinct!r} lists {name} twice")
                entry["votes"][cid] = {vote_type: votes}
        for precinct, entry in per_precinct.items():
            county = entry["county"]
            units.append(
                ReportingUnit(
                    id=f"{county}/{precinct}",
                    name=precinct.strip(),
                    kind=UnitKind.PRECINCT,
                    county=county,
                    reporting=Reporting.COMPLETE,
                    votes=entry["votes"],
                    registered=entry["voters"].get("Registered"),
                    ballots_cast=entry["voters"].get("Ballots Cast"),
                )
            )
    contest = Contest(
        id=_slug(HOUSE_CONTEST),
        name=HOUSE_CONTEST,
        candidates=tuple(candidates.values()),
        units=tuple(units),
        vote_types=(VoteType.from_name(vote_type),),
    )
    return Snapshot(election=_JUNE.election, contests=(contest,))
