"""What the watch layer needs from the shell above it: a way to run work and a way to answer.

The job modules of this package (night, feed, store, alert and projection-log jobs) decide *what*
runs and which results are still wanted; they do not know how threads are made or how a result
crosses back to the GUI thread. That is the shell's :class:`~tracker.ui.workers.Worker` (the one
Qt object that crosses threads) and its :class:`~tracker.ui.job_host.JobHost`, which satisfy these
ports. Typed against the ports, the jobs import no Qt and can be read, checked and tested without it.

Thread rules (the host's, see docs/architecture.md "Threads"): ``Host.start`` runs a job on the
night thread, after every job queued before it; ``post`` and ``fail`` may be called from any
thread and take effect on the GUI thread; ``store`` only on the night thread. Every :class:`Events`
callable is called on the GUI thread only (from a posted callable, or from the GUI-thread API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tracker.store import Store

__all__ = ["Events", "Host", "Pool"]


class Host(Protocol):
    """Starts work on the night thread and posts results back to the GUI thread."""

    @property
    def closing(self) -> bool:
        """The window is closing: queue nothing new, deliver nothing more, stop long jobs early."""
        ...

    def start(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the night thread, after every job queued before it."""
        ...

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (from any thread), unless the window is closing by then."""
        ...

    def fail(self, message: str) -> None:
        """Tell the user ``message`` (one sentence)."""
        ...

    def fail_for(self, exc: Exception, bug: str) -> None:
        """Tell the user why a job failed: a TrackerError's own sentence, else "``bug``: why"."""
        ...

    def store(self) -> Store:
        """The store, opened on first use (night thread only: it is an SQLite connection)."""
        ...


class Pool(Protocol):
    """A pool of its own for a long-running job (the live feed's poll loop): ``QThreadPool``'s
    two methods that the feed jobs use, so the shell can hand one in unchanged."""

    def start(self, job: Callable[[], None]) -> None: ...

    def waitForDone(self, msecs: int = ...) -> bool: ...  # Qt's name


@dataclass(frozen=True)
class Events:
    """One callable per result the jobs deliver, each called on the GUI thread. The worker builds
    this from its signals (``Events(night_loaded=self.night_loaded.emit, ...)``); the argument
    types are the signals' (see :class:`~tracker.ui.workers.Worker`). Every field is required: a result
    the shell forgot to wire is an error at start-up, not a silence on election night."""

    #: A night was opened: a :class:`~tracker.watch.night_info.NightInfo`.
    night_loaded: Callable[[Any], None]
    #: Version ``index`` of the current night parsed: ``(index, snapshot)``.
    snapshot_ready: Callable[[int, Any], None]
    #: The timeline's history of the version on screen is complete: its index.
    history_grew: Callable[[int], None]
    #: The live night has new versions: the updated NightInfo.
    night_grew: Callable[[Any], None]
    #: One sentence for the user (said on the GUI thread at once: a URL that is no feed).
    failed: Callable[[str], None]
    #: After every poll of the live feed: a :class:`tracker.feeds.poller.FeedHealth`.
    feed_health: Callable[[Any], None]
    #: A pin change is on disk: election id, contest id, pinned.
    pin_saved: Callable[[str, str, bool], None]
    #: Recently opened feed URLs (newest first).
    recent_feeds: Callable[[Any], None]
    #: The start page's lists: a :class:`tracker.archive.catalogue.Catalogue`.
    catalogue_ready: Callable[[Any], None]
    #: A dropped payload file is now a night: its path.
    payload_imported: Callable[[Any], None]
    #: New rows were appended to the store's projection log: how many.
    projections_logged: Callable[[int], None]
    #: The current night's projection log: a list of ProjectionRecord.
    projection_log_ready: Callable[[Any], None]
    #: The projection log was written as CSV: path, rows.
    projection_log_exported: Callable[[str, int], None]
    #: Alerts of the current night: every known one (a list, or None when unchanged), the new ones.
    alerts_ready: Callable[[Any, Any], None]
    #: The stall-alert minutes from the store.
    alert_settings: Callable[[int], None]
    #: The alert log was written as CSV: path, rows.
    alerts_exported: Callable[[str, int], None]
