"""The worker's projection-log jobs: appending what it projected to the store's log, reading the
log back for the window, exporting it as CSV.

Every projection the night jobs make (the version on screen, the timeline's earlier versions) is
appended here, on the night thread, under the night's source (its resolved path); a failure is
logged, never shown: the projection on screen does not depend on it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tracker.core.model import Snapshot
from tracker.core.pause_points import let_go, pause_point
from tracker.core.projection import ContestProjection, projection_records
from tracker.core.projection_log import ProjectionRecord, with_versions, write_projections_csv
from tracker.watch.ports import Events, Host

log = logging.getLogger(__name__)

#: The rows written are freed this many at a time, with a pause point between (issue 21).
ROWS_LET_GO = 512


class ProjectionLogJobs:
    """Projection-log jobs of the worker: ``append`` on the night thread, the requests on the GUI
    thread. ``source`` gives the current night's source (read on the night thread); ``events``
    answer the worker, whose ``projections_logged``, ``projection_log_ready`` and
    ``projection_log_exported`` these call."""

    def __init__(self, host: Host, events: Events, source: Callable[[], str]) -> None:
        self._host = host
        self._events = events
        self._source = source

    # GUI-thread API --------------------------------------------------------------------------------
    def request(self, contest_id: str | None) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._log_job(contest_id))

    def export(
        self, path: Path, contest_id: str | None, untimed: Sequence[dt.datetime] | None = None
    ) -> None:
        """``untimed``: the night's placeholder times (its files have none): the CSV's
        ``snapshot_time`` then says which version ("v 5", ``tracker.core.untimed``)."""
        times = list(untimed) if untimed else None
        if not self._host.closing:
            self._host.start(lambda: self._export_job(Path(path), contest_id, times))

    # jobs (night thread) -----------------------------------------------------------------------------
    def append(self, made: list[tuple[Snapshot, Mapping[str, ContestProjection]]]) -> None:
        """Several versions' projections in one transaction (one disk sync, not one per version)."""
        source = self._source()
        if not made or not source:
            return
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        records: list[ProjectionRecord] = []
        try:
            for snapshot, projections in made:
                pause_point()  # thousands of rows a statewide version: the window may run (issue 21)
                records += projection_records(snapshot, projections, source=source, made_at=now)
            added = self._host.store().append_projections(records)
        except Exception:
            log.warning("could not log %d versions' projections", len(made), exc_info=True)
            return
        finally:
            let_go(records, ROWS_LET_GO)  # ~100,000 rows for a statewide history: freed in pieces
        if added:
            self._host.post(lambda: self._events.projections_logged(added))

    def _rows(self, contest_id: str | None) -> list[ProjectionRecord]:
        source = self._source()
        if not source:
            return []
        return self._host.store().projections(source=source, contest_id=contest_id)

    def _log_job(self, contest_id: str | None) -> None:
        try:
            rows = self._rows(contest_id)
        except Exception as exc:
            self._host.fail(f"cannot read the projection log: {exc}")
            return
        self._host.post(lambda: self._events.projection_log_ready(rows))

    def _export_job(self, path: Path, contest_id: str | None, times: list[dt.datetime] | None = None) -> None:
        try:
            rows = self._rows(contest_id)
            if times:
                rows = with_versions(rows, times)
            with path.open("w", newline="", encoding="utf-8") as fh:
                n = write_projections_csv(rows, fh)
        except Exception as exc:
            self._host.fail(f"cannot export the projection log to {path}: {exc}")
            return
        self._host.post(lambda: self._events.projection_log_exported(str(path), n))
