"""The worker's threads and its one way back to the GUI thread: what every job component shares.

:class:`~tracker.ui.workers.Worker` is made of job components (night, feed, store and alert jobs);
each is handed this object, and uses nothing else of the worker's but its public signals. Two
details are deliberate:

* The night pool has exactly one thread that never expires. A night file is an SQLite connection,
  which must be used from the thread that opened it; one permanent thread also serialises every
  access to it without locks, and parsing one version at a time is what a replay needs anyway.
  The store (also SQLite) is opened and used on that thread too.
* Jobs never emit the public signals themselves. They post a callable through a private signal
  that is connected with an explicit queued connection to a slot of this object (which lives on
  the GUI thread), so ``night_loaded`` / ``snapshot_ready`` / ``failed`` are always emitted on the
  GUI thread -- whatever the receiver is (a bound method, a lambda, pytest-qt's waitSignal) -- and
  the "is this result still wanted?" check runs there without races.

Pure jobs on immutable data (drill-down rows, writing an export) have a pool of their own, so they
do not wait behind a night's parsing and projections on the night thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, SignalInstance, Slot

from tracker.core.errors import TrackerError
from tracker.store import Store

log = logging.getLogger(__name__)


class JobHost(QObject):
    """The explicit interface the job components share (see the module docstring).

    Thread rules: ``start`` runs a job on the night thread; ``run_task`` on the task pool; ``post``
    and ``fail`` may be called from any thread and take effect on the GUI thread; ``store`` only on
    the night thread; ``closing`` is set on the GUI thread (``begin_closing``) and read anywhere: a
    job that sees it set stops early, so the window's exit is not held up.
    """

    #: Private: a zero-argument callable to run on the GUI thread (see the module docstring).
    _posted = Signal(object)

    def __init__(
        self, parent: QObject, *, failed: SignalInstance, store_factory: Callable[[], Store]
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # one permanent thread: SQLite connections stay on it
        self._posted.connect(self._run_posted, Qt.ConnectionType.QueuedConnection)
        self._task_pool = QThreadPool(self)
        self._task_pool.setMaxThreadCount(1)
        self._failed = failed
        self._store_factory = store_factory
        self._store: Store | None = None  # owned by the night thread
        self._closing = False

    @property
    def closing(self) -> bool:
        """The window is closing: queue nothing new, deliver nothing more, stop long jobs early."""
        return self._closing

    def start(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the night thread, after every job queued before it."""
        self._pool.start(job)

    def run_task(self, job: Callable[[], object], done: Callable[[object], None], error: str) -> None:
        """Run ``job`` on the task pool and ``done(result)`` on the GUI thread; a failure reaches
        ``failed`` as "``error``: why" (see ``Worker.run_task``)."""
        if self._closing:
            return

        def run() -> None:
            try:
                result = job()
            except Exception as exc:
                log.warning("%s", error, exc_info=True)
                self.fail(f"{error}: {exc}")
                return
            self.post(lambda: done(result))

        self._task_pool.start(run)

    # the way back to the GUI thread ----------------------------------------------------------------
    @Slot(object)
    def _run_posted(self, fn: Callable[[], None]) -> None:
        if not self._closing:
            fn()

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (from any thread), unless the window is closing by then."""
        if self._closing:
            return
        try:
            self._posted.emit(fn)
        except RuntimeError:  # the worker was deleted under a running job (the app is quitting)
            log.debug("a result arrived after the worker was deleted; dropped")

    def fail(self, message: str) -> None:
        """Tell the user ``message`` (one sentence) through the worker's ``failed`` signal."""
        self.post(lambda: self._failed.emit(message))

    def fail_for(self, exc: Exception, bug: str) -> None:
        """Tell the user why a job failed, in one sentence: a TrackerError says it itself; any other
        exception is a bug, not a user error -- logged with its traceback (call this in the
        ``except`` block), said as "``bug``: why", and the window stays alive."""
        if isinstance(exc, TrackerError):
            self.fail(str(exc))
            return
        log.exception("%s", bug)
        self.fail(f"{bug}: {exc}")

    # the store (night thread) ----------------------------------------------------------------------
    def store(self) -> Store:
        """The store, opened on first use (night thread only: it is an SQLite connection)."""
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    def close_store(self) -> None:
        """Close the store if it was opened (night thread; a failure is logged)."""
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:
                log.exception("closing %r", store)

    # idle and exit -----------------------------------------------------------------------------------
    def wait_idle(self, timeout_ms: int) -> bool:
        """The marker job of ``Worker.wait_idle`` (which says why not ``waitForDone``)."""
        done = threading.Event()
        self._pool.start(done.set)  # one thread, first in first out: runs after every job before it
        return done.wait(timeout_ms / 1000) and self._task_pool.waitForDone(timeout_ms)

    def begin_closing(self) -> None:
        """From now on nothing new is queued and no result is delivered (GUI thread)."""
        self._closing = True

    def finish(self, close_job: Callable[[], None], timeout_ms: int) -> bool:
        """Drop queued night jobs, let a running task finish, run ``close_job`` on the night
        thread and wait for it (after ``begin_closing``)."""
        self._pool.clear()
        if not self._task_pool.waitForDone(timeout_ms):  # an export being written is finished
            log.warning("a task did not finish within %d ms", timeout_ms)
        self._pool.start(close_job)
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            log.warning("worker did not finish within %d ms; exiting anyway", timeout_ms)
        return done
