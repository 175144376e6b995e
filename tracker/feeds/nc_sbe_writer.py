"""Snapshot → North Carolina's ``results_0.txt`` (a JSON array of records), for ``serve --as nc``.

One record per candidate per contest, statewide (``cid`` 0), every value text as the Board writes
it (see :mod:`tracker.feeds.nc_sbe`). The Board's four vote types take our canonical buckets:
election day → ``evc``, early → ``ovc`` (one-stop), mail → ``avc``, provisional → ``pvc``. A contest
with votes in any other bucket (a feed that reports only totals, or "other") is written with its
totals alone and empty vote types, so the served numbers stay exact: the reader then shows one
"Total" vote type. Precincts reporting/total are the contest's own. A reconstructed night carries
``"reconstructed": <its note>`` in every record (a key the Board never writes), so whoever reads
the served file sees the label.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.core.model import Contest, Snapshot
from tracker.feeds.nc_sbe import RECONSTRUCTED_KEY

#: Our canonical vote type → the Board's record key.
KEYS = {"election_day": "evc", "early": "ovc", "mail": "avc", "provisional": "pvc"}


def _records(contest: Contest, label: str | None) -> list[dict[str, Any]]:
    canonical = {vt.name: vt.canonical for vt in contest.vote_types}
    split = all(
        canonical.get(vt, "other") in KEYS
        for unit in contest.units
        for by_type in unit.votes.values()
        for vt in by_type
    )
    # a bucket no unit has reported yet stays empty (the reader leaves it out): not reported is
    # not the same as a reported zero
    by_key: dict[str, dict[str, int]] = {c.id: {} for c in contest.candidates}
    for unit in contest.units:
        for cid, by_type in unit.votes.items():
            row = by_key.setdefault(cid, {})
            for vt, n in by_type.items():
                key = KEYS.get(canonical.get(vt, "other"))
                if key is not None:
                    row[key] = row.get(key, 0) + n
    totals = contest.totals
    total = sum(totals.values())
    done, of = contest.precincts
    out = []
    for cand in contest.candidates:
        votes = totals.get(cand.id, 0)
        rec: dict[str, Any] = {
            "cid": "0",
            "cnm": contest.name,
            "vfr": str(contest.vote_for),
            "gid": contest.id,
            "lid": contest.id,
            "bnm": cand.name,
            "dtx": "",
            "pty": cand.party,
            "vct": str(votes),
            "pct": f"{votes / total:.4f}" if total else "0.0000",
            "prt": str(done),
            "ptl": str(of),
        }
        for key in KEYS.values():
            rec[key] = str(by_key[cand.id][key]) if split and key in by_key[cand.id] else ""
        rec["ref"] = "0"
        if label is not None:
            rec[RECONSTRUCTED_KEY] = label
        out.append(rec)
    return out


def snapshot_to_nc_results(snapshot: Snapshot) -> bytes:
    """``results_0.txt`` for ``snapshot``: every contest, statewide, one record per candidate."""
    label = (snapshot.election.note or "reconstructed") if snapshot.election.reconstructed else None
    records = [rec for contest in snapshot.contests for rec in _records(contest, label)]
    return json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
