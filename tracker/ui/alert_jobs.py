"""The worker's alert jobs: scanning versions for alerts, logging them, exporting the log.

A mixin of :class:`~tracker.ui.workers.Worker` (which declares the signals, creates ``_alerts``
and calls these at the few points it must: a night opened, a version asked for, a live version
arrived, a pin saved). Everything here runs on the worker's one thread -- it reads the night file
and the store -- and hands the window plain lists of :class:`~tracker.core.alerts.Alert` through
the worker's private post, like every other result.

The scan goes as far as the version on screen (a replay) or the newest version (a live feed
followed or not): alerts come as the night unfolds, never ahead of it, and each version is scanned
once per session (``NightAlerts``'s cursor). The store dedupes across sessions: only an alert it
had not logged before is announced (a desktop notification); the log shows every known one.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.archive.alerts import NightAlerts
from tracker.core.alerts import Alert, summary_snapshot
from tracker.core.feed_alerts import STALL_SETTING, stall_minutes
from tracker.core.model import Snapshot
from tracker.core.projection import ContestProjection, project_contest

if TYPE_CHECKING:
    import datetime as dt

log = logging.getLogger(__name__)


class AlertJobs:
    """Alert jobs for the Worker (see the module docstring); ``_pool``, ``_post``, ``_chain_of``,
    ``_history`` and the other underscored attributes used here are the Worker's own."""

    # GUI-thread API --------------------------------------------------------------------------------
    def request_alert_settings(self) -> None:
        """Read the alert settings (stall minutes) from the store; ``alert_settings`` answers."""
        if not self._closing:
            self._pool.start(self._alert_settings_job)

    def save_stall_minutes(self, minutes: int) -> None:
        if not self._closing:
            self._pool.start(lambda: self._save_setting_job(STALL_SETTING, str(int(minutes))))

    def export_alerts(self, path: Path, alerts: Collection[Alert], tz: dt.tzinfo | None = None) -> None:
        """Write ``alerts`` (the rows the log shows) as CSV (in the background)."""
        if not self._closing:
            rows = list(alerts)
            self._pool.start(lambda: self._export_alerts_job(Path(path), rows, tz))

    def record_feed_alerts(self, alerts: Collection[Alert]) -> None:
        """Log feed alerts the window decided on (stalled, failing); the new ones come back."""
        if not self._closing and alerts:
            rows = list(alerts)
            self._pool.start(lambda: self._feed_alerts_job(rows))

    # jobs (worker thread) ----------------------------------------------------------------------------
    def _reset_alerts(self, pins: Collection[str]) -> None:
        self._alerts = NightAlerts(pins)
        self._alert_summaries: dict[int, Snapshot] = {}
        self._alert_summaries_gen = self._generation

    def _alert_summary(self, key: tuple[int, int], snapshot: Snapshot) -> None:
        """Keep what the scan needs of a version the worker parsed anyway (for the screen or the
        timeline), so scanning never parses a version a second time."""
        if key[0] == getattr(self, "_alert_summaries_gen", None):
            self._alert_summaries[key[1]] = summary_snapshot(snapshot)

    def _alert_snapshot(self, gen: int, index: int) -> Snapshot:
        summary = self._alert_summaries.get(index) if gen == self._alert_summaries_gen else None
        if summary is None:
            cached = self._cache_get((gen, index))
            summary = summary_snapshot(cached if cached is not None else self._chain_of().snapshot(index))
        return summary

    def _alert_projections(
        self, gen: int, index: int, wanted: Collection[str]
    ) -> Mapping[str, ContestProjection]:
        """The projections the timeline already made of version ``index``, else made here (only
        for the pinned races: the projection-confident alert is the only one that needs them)."""
        from tracker.archive.projections import baseline_for

        with self._cache_lock:
            entry = self._history.get(index) if self._history_gen == gen else None
        if entry is not None and all(cid in entry[1] for cid in wanted):
            return entry[1]
        snapshot = self._alert_snapshot(gen, index)
        return {
            c.id: project_contest(c, baseline_for(self._baselines, c))
            for c in snapshot.contests
            if c.id in wanted
        }

    def _advance_alerts(self, gen: int, upto: int) -> None:
        scan: NightAlerts | None = self._alerts
        if scan is None or gen != self._generation or self._night is None or upto <= scan.cursor:
            return
        try:
            found = scan.advance(
                min(upto, len(self._versions) - 1),
                lambda i: self._alert_snapshot(gen, i),
                lambda i, wanted: self._alert_projections(gen, i, wanted),
                stop=lambda: self._closing or gen != self._generation,
            )
        except Exception:
            log.exception("scanning versions for alerts")
            return
        self._publish_alerts(gen, scan, found)

    def _publish_alerts(self, gen: int, scan: NightAlerts, found: list[Alert]) -> None:
        news: list[Alert] = []
        if found and self._source:
            try:
                news = self._store_job_store().append_alerts(self._source, found)
            except Exception:
                log.warning("could not log %d alerts", len(found), exc_info=True)
        known = scan.known
        self._post(lambda: self._deliver_alerts(gen, known, news))

    def _alerts_job(self, key: tuple[int, int]) -> None:
        if key == self._wanted:  # superseded: the newer request scans further
            self._advance_alerts(key[0], key[1])

    def _alert_pins_changed(self, contest_id: str, pinned: bool) -> None:
        scan: NightAlerts | None = self._alerts
        if scan is None or self._night is None:
            return
        gen = self._generation
        pins = (scan.pins | {contest_id}) if pinned else (scan.pins - {contest_id})
        try:
            found = scan.set_pins(
                pins,
                lambda i: self._alert_snapshot(gen, i),
                lambda i, wanted: self._alert_projections(gen, i, wanted),
            )
        except Exception:
            log.exception("scanning a newly pinned race for alerts")
            return
        if found and self._source:
            try:  # known history, logged but not announced
                self._store_job_store().append_alerts(self._source, found)
            except Exception:
                log.warning("could not log %d alerts", len(found), exc_info=True)
        known = scan.known
        self._post(lambda: self._deliver_alerts(gen, known, []))

    def _feed_alerts_job(self, alerts: list[Alert]) -> None:
        try:
            news = self._store_job_store().append_alerts(self._source, alerts) if self._source else alerts
        except Exception:
            log.warning("could not log feed alerts", exc_info=True)
            news = alerts
        gen = self._generation
        self._post(lambda: self._deliver_alerts(gen, None, news))

    def _alert_settings_job(self) -> None:
        try:
            minutes = stall_minutes(self._store_job_store().get(STALL_SETTING))
        except Exception:
            log.warning("could not read the alert settings", exc_info=True)
            return
        self._post(lambda: self.alert_settings.emit(minutes))

    def _save_setting_job(self, key: str, value: str) -> None:
        try:
            self._store_job_store().set(key, value)
        except Exception as exc:
            self._fail(f"cannot save the setting: {exc}")

    def _export_alerts_job(self, path: Path, alerts: list[Alert], tz: dt.tzinfo | None) -> None:
        from tracker.store import write_alerts_csv

        try:
            with path.open("w", newline="", encoding="utf-8") as fh:
                n = write_alerts_csv(alerts, fh, tz)
        except Exception as exc:
            self._fail(f"cannot export the alert log to {path}: {exc}")
            return
        self._post(lambda: self.alerts_exported.emit(str(path), n))

    # delivery (GUI thread) ---------------------------------------------------------------------------
    def _deliver_alerts(self, gen: int, known: list[Alert] | None, news: list[Alert]) -> None:
        if gen == self._generation:
            self.alerts_ready.emit(known, news)
