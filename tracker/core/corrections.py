"""Corrections: numbers that went backwards between two versions of a feed.

Counts only grow on a normal night. When a candidate's count goes down, a candidate disappears,
or fewer precincts are reporting than before, the feed corrected something (a duplicated upload
pulled, a precinct re-opened, a candidate withdrawn). The tracker still shows the newer version --
it is what the feed says now -- but never silently: each correction becomes a line saying what
changed, before → after, and the race is flagged (see ``tracker/core/alerts.py`` for the alert
kinds and ``flags``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from tracker.core.alerts import Alert, AlertKind, VersionRef
from tracker.core.model import Snapshot
from tracker.core.words import count


def find_corrections(
    previous: Snapshot, current: Snapshot, ref: VersionRef, contest_ids: Collection[str] | None = None
) -> dict[str, list[Alert]]:
    """Contest id → the corrections version ``ref`` (``current``) makes to ``previous``: one alert
    per candidate whose count went down or who disappeared, and one when precincts reporting fell.
    A contest absent from either version is not compared (a delta feed may leave it out)."""
    before = {c.id: c for c in previous.contests}
    out: dict[str, list[Alert]] = {}
    for contest in current.contests:
        if contest_ids is not None and contest.id not in contest_ids:
            continue
        old = before.get(contest.id)
        if old is None:
            continue
        found: list[tuple[AlertKind, str, str]] = []
        add = found.append

        now_ids = {c.id for c in contest.candidates}
        for cand in old.candidates:
            was = old.totals.get(cand.id, 0)
            if cand.id not in now_ids:
                add(
                    (
                        AlertKind.CANDIDATE_GONE,
                        cand.id,
                        f"{cand.name} is no longer listed (had {count(was, 'vote')} → gone)",
                    )
                )
                continue
            is_ = contest.totals.get(cand.id, 0)
            if is_ < was:
                add(
                    (
                        AlertKind.COUNT_DOWN,
                        cand.id,
                        f"{cand.name}'s count went down: {was:,} → {is_:,} ({is_ - was:+,})",
                    )
                )
        old_in, old_total = old.precincts
        new_in, new_total = contest.precincts
        if new_in < old_in:
            add(
                (
                    AlertKind.PRECINCTS_DOWN,
                    "",
                    f"precincts reporting fell: {old_in:,} of {old_total:,} → {new_in:,} of {new_total:,}",
                )
            )
        if found:
            out[contest.id] = [
                Alert(kind, contest.id, contest.name, subject, message, ref.index, ref.version, ref.time)
                for kind, subject, message in found
            ]
    return out


def flags(alerts: Iterable[Alert], upto: int | None = None) -> dict[str, str]:
    """Contest id → the short text the race list shows for corrected races: the corrections made
    at or before version ``upto`` (all when None), one per line, oldest first."""
    lines: dict[str, list[str]] = {}
    for a in sorted(alerts, key=lambda a: a.version_index):
        if a.is_correction and (upto is None or a.version_index <= upto):
            lines.setdefault(a.contest_id, []).append(
                f"corrected in version {a.version_index + 1}: {a.message}"
            )
    return {cid: "\n".join(text) for cid, text in lines.items()}
