"""The worker's alert jobs: scanning versions for alerts, logging them, exporting the log.

A part of :class:`~tracker.ui.workers.Worker` (which declares the signals and wires this in):
the night jobs tell it of a night opened, a version read and a live version arrived (it is their
``NightObserver``), the store jobs of a pin saved, and the worker of a version asked for. Everything
here runs on the night thread -- it reads the night file and the store -- and hands the window
plain lists of :class:`~tracker.core.alerts.Alert` through the worker's private post, like every
other result.

The scan goes as far as the version on screen (a replay) or the newest version (a live feed
followed or not): alerts come as the night unfolds, never ahead of it, and each version is scanned
once per session (``NightAlerts``'s cursor). The store dedupes across sessions: only an alert it
had not logged before is announced (a desktop notification); the log shows every known one.

Bounded (issue 19): the summaries kept of versions already scanned stay within
``SUMMARY_BYTES`` (older ones are dropped; pinning a race later reads those again from the night),
and a live version skipped for display (a newer one replaced it before it was read) is scanned
as the version before it: what changed in it is raised at the next version read, never by
parsing the skipped one on this thread.
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

    from tracker.watch.night_jobs import NightJobs
    from tracker.watch.ports import Events, Host
    from tracker.watch.version_cache import Key

log = logging.getLogger(__name__)

#: The summaries of versions already scanned are kept up to this many bytes (estimated).
SUMMARY_BYTES = 32 * 1024 * 1024
#: Estimated bytes of a summary (``summary_snapshot``) per contest and per candidate.
SUMMARY_CONTEST_BYTES = 1200
SUMMARY_CANDIDATE_BYTES = 150


def summary_bytes(summary: Snapshot) -> int:
    return sum(SUMMARY_CONTEST_BYTES + SUMMARY_CANDIDATE_BYTES * len(c.candidates) for c in summary.contests)


class AlertJobs:
    """Alert jobs of the worker (see the module docstring). It reads the current night through
    ``nights`` (generation, wanted version, versions, chain, cache, baselines, source), runs and
    posts through ``host``, and answers the worker through ``events``: ``alerts_ready``,
    ``alert_settings`` and ``alerts_exported``."""

    def __init__(self, host: Host, nights: NightJobs, events: Events) -> None:
        self._host = host
        self._nights = nights
        self._events = events
        # The night thread's: the current night's scan, and what it needs of versions parsed anyway.
        self._alerts: NightAlerts | None = None
        self._summaries: dict[int, Snapshot] = {}
        self._summary_sizes: dict[int, int] = {}  # 0 for a stand-in (the version before's object)
        self._summaries_gen: int | None = None

    # GUI-thread API (documented on the worker) ------------------------------------------------------
    def request_alert_settings(self) -> None:
        if not self._host.closing:
            self._host.start(self._alert_settings_job)

    def save_stall_minutes(self, minutes: int) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._save_setting_job(STALL_SETTING, str(int(minutes))))

    def export_alerts(
        self, path: Path, alerts: Collection[Alert], tz: dt.tzinfo | None = None, *, untimed: bool = False
    ) -> None:
        if not self._host.closing:
            rows = list(alerts)
            self._host.start(lambda: self._export_alerts_job(Path(path), rows, tz, untimed))

    def record_feed_alerts(self, alerts: Collection[Alert]) -> None:
        if not self._host.closing and alerts:
            rows = list(alerts)
            self._host.start(lambda: self._feed_alerts_job(rows))

    def request_scan(self, key: Key) -> None:
        """Version ``key`` was asked for: scan up to it, after its parse (queued behind it)."""
        self._host.start(lambda: self._alerts_job(key))

    # told by the night and store jobs (night thread) -------------------------------------------------
    def night_opened(self, pins: Collection[str]) -> None:
        self._alerts = NightAlerts(pins)
        self._summaries, self._summary_sizes = {}, {}
        self._summaries_gen = self._nights.generation

    def version_read(self, key: Key, snapshot: Snapshot) -> None:
        """Keep what the scan needs of a version the worker parsed anyway (for the screen or the
        timeline), so scanning never parses a version a second time."""
        if key[0] == self._summaries_gen:
            self._keep_summary(key[1], summary_snapshot(snapshot))

    def _keep_summary(self, index: int, summary: Snapshot, size: int | None = None) -> None:
        self._summaries[index] = summary
        self._summary_sizes[index] = summary_bytes(summary) if size is None else size
        self._prune_summaries()

    def _prune_summaries(self) -> None:
        """Drop the oldest summaries of versions already scanned while over ``SUMMARY_BYTES``."""
        scan = self._alerts
        cursor = scan.cursor if scan is not None else -1
        total = sum(self._summary_sizes.values())
        if total <= SUMMARY_BYTES:
            return
        for index in sorted(i for i in self._summaries if i < cursor):
            total -= self._summary_sizes.pop(index, 0)
            del self._summaries[index]
            if total <= SUMMARY_BYTES:
                return

    def night_grew(self, gen: int, upto: int) -> None:
        self._advance(gen, upto)

    def pins_changed(self, contest_id: str, pinned: bool) -> None:
        scan = self._alerts
        if scan is None or not self._nights.is_open:
            return
        gen = self._nights.generation
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
        if found and self._nights.source:
            try:  # known history, logged but not announced
                self._host.store().append_alerts(self._nights.source, found)
            except Exception:
                log.warning("could not log %d alerts", len(found), exc_info=True)
        known = scan.known
        self._host.post(lambda: self._deliver_alerts(gen, known, []))

    # jobs (night thread) ---------------------------------------------------------------------------
    def _alert_snapshot(self, gen: int, index: int) -> Snapshot:
        summary = self._summaries.get(index) if gen == self._summaries_gen else None
        if summary is None and gen == self._summaries_gen and self._nights.cache.skipped(gen, index):
            before = self._summaries.get(index - 1)
            if before is not None:  # skipped for display: scanned as the version before it
                self._keep_summary(index, before, 0)
                return before
        if summary is None:
            cached = self._nights.cache.get((gen, index))
            summary = summary_snapshot(
                cached if cached is not None else self._nights.chain_of().snapshot(index)
            )
        return summary

    def _alert_projections(
        self, gen: int, index: int, wanted: Collection[str]
    ) -> Mapping[str, ContestProjection]:
        """The projections the timeline already made of version ``index`` (what the window shows),
        else made here (only for the pinned races: the projection-confident alert is the only one
        that needs them) from the version itself, never from its summary (one unit: no projection),
        and with the night's earlier versions where they are read, as the window makes them. A
        version skipped for display is scanned as the one before it, as its summary is."""
        from tracker.archive.projections import baseline_for

        cache = self._nights.cache
        if gen == self._summaries_gen:
            while index > 0 and cache.skipped(gen, index) and cache.history_entry(gen, index) is None:
                index -= 1
        entry = cache.history_entry(gen, index)
        if entry is not None and all(cid in entry[1] for cid in wanted):
            return entry[1]
        snapshot = cache.get((gen, index))
        if snapshot is None:
            snapshot = self._nights.chain_of().snapshot(index)
        baselines = self._nights.baselines
        ledger = self._nights.ledger
        return {
            c.id: project_contest(
                c, baseline_for(baselines, c, snapshot.election.date), ledger.history(gen, c.id, index)
            )
            for c in snapshot.contests
            if c.id in wanted
        }

    def _advance(self, gen: int, upto: int) -> None:
        scan = self._alerts
        nights = self._nights
        if scan is None or gen != nights.generation or not nights.is_open or upto <= scan.cursor:
            return
        try:
            found = scan.advance(
                min(upto, nights.version_count - 1),
                lambda i: self._alert_snapshot(gen, i),
                lambda i, wanted: self._alert_projections(gen, i, wanted),
                stop=lambda: self._host.closing or gen != nights.generation,
            )
        except Exception:
            log.exception("scanning versions for alerts")
            return
        self._prune_summaries()
        self._publish_alerts(gen, scan, found)

    def _publish_alerts(self, gen: int, scan: NightAlerts, found: list[Alert]) -> None:
        news: list[Alert] = []
        if found and self._nights.source:
            try:
                news = self._host.store().append_alerts(self._nights.source, found)
            except Exception:
                log.warning("could not log %d alerts", len(found), exc_info=True)
        known = scan.known
        self._host.post(lambda: self._deliver_alerts(gen, known, news))

    def _alerts_job(self, key: Key) -> None:
        if key == self._nights.wanted:  # superseded: the newer request scans further
            self._advance(key[0], key[1])

    def _feed_alerts_job(self, alerts: list[Alert]) -> None:
        source = self._nights.source
        try:
            news = self._host.store().append_alerts(source, alerts) if source else alerts
        except Exception:
            log.warning("could not log feed alerts", exc_info=True)
            news = alerts
        gen = self._nights.generation
        self._host.post(lambda: self._deliver_alerts(gen, None, news))

    def _alert_settings_job(self) -> None:
        try:
            minutes = stall_minutes(self._host.store().get(STALL_SETTING))
        except Exception:
            log.warning("could not read the alert settings", exc_info=True)
            return
        self._host.post(lambda: self._events.alert_settings(minutes))

    def _save_setting_job(self, key: str, value: str) -> None:
        try:
            self._host.store().set(key, value)
        except Exception as exc:
            self._host.fail(f"cannot save the setting: {exc}")

    def _export_alerts_job(
        self, path: Path, alerts: list[Alert], tz: dt.tzinfo | None, untimed: bool = False
    ) -> None:
        from tracker.core.alert_log import write_alerts_csv

        try:
            with path.open("w", newline="", encoding="utf-8") as fh:
                n = write_alerts_csv(alerts, fh, tz, untimed=untimed)
        except Exception as exc:
            self._host.fail(f"cannot export the alert log to {path}: {exc}")
            return
        self._host.post(lambda: self._events.alerts_exported(str(path), n))

    # delivery (GUI thread) ---------------------------------------------------------------------------
    def _deliver_alerts(self, gen: int, known: list[Alert] | None, news: list[Alert]) -> None:
        if gen == self._nights.generation:
            self._events.alerts_ready(known, news)
