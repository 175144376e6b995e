"""The worker's store jobs: pins, the window's own store jobs, recent feeds, the start page's
catalogue, and importing a dropped payload.

The store is SQLite on disk, so every job here runs on the night thread, where its connection
lives (``Host.store``), and answers through the worker's private post like every other result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from tracker.core.words import count, noun
from tracker.store import Store
from tracker.watch.ports import Events, Host

log = logging.getLogger(__name__)


class StoreJobs:
    """Store jobs of the worker; the API is the GUI thread's. ``events`` answer the worker, whose
    ``pin_saved``, ``recent_feeds``, ``catalogue_ready`` and ``payload_imported`` these call;
    ``on_pin_saved(contest_id, pinned)`` runs on the night thread once a pin is on disk (the alert
    jobs rescan a newly pinned race)."""

    def __init__(self, host: Host, events: Events, on_pin_saved: Callable[[str, bool], None]) -> None:
        self._host = host
        self._events = events
        self._on_pin_saved = on_pin_saved

    # GUI-thread API --------------------------------------------------------------------------------
    def set_pinned(self, election_id: str, contest_id: str, pinned: bool, contest_name: str) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._pin_job(election_id, contest_id, pinned, contest_name))

    def run_store_job(self, job: Callable[[Store], object], done: Callable[[object], None]) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._store_job(job, done))

    def request_recent_feeds(self, limit: int) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._recent_feeds_job(limit))

    def request_catalogue(self) -> None:
        if not self._host.closing:
            self._host.start(self._catalogue_job)

    def import_payload(self, path: Path) -> None:
        if not self._host.closing:
            self._host.start(lambda: self._import_job(Path(path)))

    # jobs (night thread) ---------------------------------------------------------------------------
    def _pin_job(self, election_id: str, contest_id: str, pinned: bool, name: str) -> None:
        try:
            self._host.store().set_pinned(election_id, contest_id, pinned, name)
        except Exception as exc:
            self._host.fail(f"cannot save the pin: {exc}")
            return
        self._on_pin_saved(contest_id, pinned)
        self._host.post(lambda: self._events.pin_saved(election_id, contest_id, pinned))

    def _store_job(self, job: Callable[[Store], object], done: Callable[[object], None]) -> None:
        try:
            result = job(self._host.store())
        except Exception as exc:
            self._host.fail_for(exc, "unexpected error")
            return
        self._host.post(lambda: done(result))

    def _recent_feeds_job(self, limit: int) -> None:
        try:
            rows = self._host.store().recent(limit * 5)
        except Exception:
            log.warning("could not read the recent feeds", exc_info=True)
            return
        urls = [location for location, kind in rows if kind == "feed"][:limit]
        self._host.post(lambda: self._events.recent_feeds(urls))

    def _catalogue_job(self) -> None:
        from tracker.archive.catalogue import catalogue

        try:
            store = self._host.store()
        except Exception:
            log.warning("no store for the recent nights", exc_info=True)
            store = None
        found = catalogue(store)
        self._host.post(lambda: self._events.catalogue_ready(found))

    def _import_job(self, path: Path) -> None:
        from tracker.archive.catalogue import import_dropped

        try:
            result = import_dropped(path)
        except OSError as exc:  # unreadable, not a bug
            self._host.fail(f"cannot read {path.name}: {exc}")
            return
        except Exception as exc:
            self._host.fail_for(exc, f"cannot import {path.name}")
            return
        night = result.path
        self._host.post(lambda: self._events.payload_imported(night))
        if result.skipped:  # imported, but not everything: say so once
            names = ", ".join(name for name, _ in result.skipped)
            n = len(result.skipped)
            what = f"{count(n, 'file')} that {noun(n, 'is', 'are')} not results {noun(n, 'was', 'were')}"
            self._host.fail(f"{path.name}: {what} left out: {names}")
