"""The projection log's row and its CSV: what every projection made leaves behind.

A row is made by the projection (:func:`tracker.core.projection.projection_records`), kept by the
store (:mod:`tracker.store`'s ``projections`` table, whose columns are ``FIELDS``) and read back by
the window, the CLI and the backtest. It lives in the core, beside the model that makes it, so that
the projection never has to reach up into the store for its own output type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, TextIO

from tracker.core.csv_safe import SafeWriter
from tracker.core.untimed import version_at

__all__ = ["ProjectionRecord", "baseline_key", "version_of", "with_versions", "write_projections_csv"]


def baseline_key(label: str, source_id: str) -> str:
    """A projection's baseline as the log keeps it (part of a row's key, ``tracker.store``
    migration 7): the label people read ("ga06-2016-11-08: U.S. Representative, District 6") and,
    beside it, a short hash of the file it came from ("[3f2a9c1d]"), so two files with the same
    name are two baselines, not one projection logged once. A baseline that ships with the
    tracker (no ``source_id``) and rows logged before the hash keep the label alone."""
    return f"{label} [{source_id}]" if label and source_id else label


@dataclass(frozen=True)
class ProjectionRecord:
    """One logged projection of one candidate (a row of the ``projections`` table and of the CSV).

    ``made_at`` is when it was made (UTC), ``snapshot_time`` when its input version appeared;
    shares are 0..1; ``share``/``lo``/``hi``/``p_clear`` are empty when the model said "too early"."""

    made_at: str
    source: str
    election_id: str
    version: str
    payload_id: str
    snapshot_time: str | None
    contest_id: str
    contest_name: str
    candidate_id: str
    candidate: str
    status: str
    votes: int
    share_now: float
    share: float | None
    lo: float | None
    hi: float | None
    p_clear: float | None
    outstanding: int | None
    outstanding_lo: int | None
    outstanding_hi: int | None
    model_version: str
    #: The baseline the projection used ("" without one; its label and the short hash of its file,
    #: ``baseline_key``) and the evidence of its expected vote ("from ga06-2016-11-08 turnout",
    #: "from precincts only: wide" …).
    baseline: str = ""
    evidence: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "made_at",
        "source",
        "election_id",
        "version",
        "payload_id",
        "snapshot_time",
        "contest_id",
        "contest_name",
        "candidate_id",
        "candidate",
        "status",
        "votes",
        "share_now",
        "share",
        "lo",
        "hi",
        "p_clear",
        "outstanding",
        "outstanding_lo",
        "outstanding_hi",
        "model_version",
        "baseline",
        "evidence",
    )

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self.FIELDS)


def version_of(record: ProjectionRecord, times: Sequence[dt.datetime]) -> str:
    """Which version ``record`` was made from ("v 5"), by its version's time among the night's
    ``times``: what a night whose files have no times shows where the time would be
    (``tracker.core.untimed``). "" when the record has no time."""
    if not record.snapshot_time:
        return ""
    try:
        when = dt.datetime.fromisoformat(record.snapshot_time)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return version_at(when, times)


def with_versions(
    records: Iterable[ProjectionRecord], times: Sequence[dt.datetime]
) -> list[ProjectionRecord]:
    """``records`` of a night whose files have no times, for showing and exporting: each
    ``snapshot_time`` says which version ("v 5") instead of its placeholder time. Only what is
    shown: the store keeps the placeholder, the key the log is kept by."""
    return [replace(r, snapshot_time=version_of(r, times) or r.snapshot_time) for r in records]


def write_projections_csv(records: Iterable[ProjectionRecord], out: TextIO) -> int:
    """Write ``records`` as CSV with a header (the ``ProjectionRecord.FIELDS``); returns rows."""
    writer = SafeWriter(out, lineterminator="\n")  # no formulas (issue 19)
    writer.writerow(ProjectionRecord.FIELDS)
    n = 0
    for r in records:
        writer.writerow(["" if v is None else v for v in r.row()])
        n += 1
    return n
