"""Regression guard for the PySide6 pin (docs/architecture.md, "Known hazards").

PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` on every ``Signal.emit()`` and one to
``None`` on every Python ``QRunnable.run()``; once a refcount reaches zero the interpreter aborts with
``Fatal Python error: bool_dealloc`` / ``none_dealloc``. 6.11.3 is sound. The probe below does what a
live night does (many signal emissions, many thread-pool jobs, both kinds of job the app may use) in a
subprocess, so an abort fails this test instead of killing the test run.

To check that the guard still bites, point it at an interpreter with the bad version:
``REFCOUNT_PROBE_PYTHON=/tmp/venv612/bin/python .venv/bin/python -m pytest tests/test_pyside_refcount.py``
must fail (see the report in the commit that added this file).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui

# Measured with 6.12.0 on 3.11.7: True aborts after ~30 emits; None (≈3,700 live references at start)
# after ~600 pool jobs of either kind, at interpreter exit. These counts make each part abort on its
# own, mid-run, with a wide margin, and take about a second with 6.11.3.
EMITS = 200_000
RUNNABLES = 10_000  # QRunnable subclasses, kept referenced
CALLABLES = 10_000  # plain callables through QThreadPool.start

PROBE = textwrap.dedent(
    """
    import sys
    import threading

    import PySide6
    from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

    EMITS, RUNNABLES, CALLABLES = (int(a) for a in sys.argv[1:4])
    print("PySide6", PySide6.__version__, "Python", sys.version.split()[0], flush=True)

    app = QCoreApplication(sys.argv[:1])


    class Source(QObject):
        changed = Signal(bool)


    class Sink(QObject):
        def __init__(self):
            super().__init__()
            self.received = 0

        @Slot(bool)
        def on_changed(self, value):
            self.received += 1


    source, sink = Source(), Sink()
    source.changed.connect(sink.on_changed)
    for i in range(EMITS):
        source.changed.emit(i % 2 == 0)
    assert sink.received == EMITS, (sink.received, EMITS)
    print("emits ok", sink.received, flush=True)

    lock = threading.Lock()
    ran = [0]


    def bump():
        with lock:
            ran[0] += 1


    class Job(QRunnable):
        def __init__(self):
            super().__init__()
            self.setAutoDelete(False)

        def run(self):
            bump()


    pool = QThreadPool()
    pool.setMaxThreadCount(4)
    jobs = [Job() for _ in range(RUNNABLES)]  # kept referenced, as docs/architecture.md requires
    for job in jobs:
        pool.start(job)
    for _ in range(CALLABLES):
        pool.start(bump)
    if not pool.waitForDone(120_000):
        sys.exit("thread pool did not finish within 120 s")
    assert ran[0] == RUNNABLES + CALLABLES, (ran[0], RUNNABLES + CALLABLES)
    print("pool ok", ran[0], flush=True)

    del jobs, pool, source, sink, app
    print("done", flush=True)
    """
)


def run_probe(python: str, emits: int, runnables: int, callables: int) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [python, "-c", PROBE, str(emits), str(runnables), str(callables)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_signals_and_thread_pool_do_not_corrupt_refcounts() -> None:
    python = os.environ.get("REFCOUNT_PROBE_PYTHON") or sys.executable
    proc = run_probe(python, EMITS, RUNNABLES, CALLABLES)
    report = (
        f"probe exited with {proc.returncode} (python: {python})\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}\n"
        "A 'Fatal Python error: bool_dealloc/none_dealloc' means the installed PySide6 corrupts "
        "reference counts on this Python (6.12.0 on 3.11): keep the pin in pyproject.toml."
    )
    assert "Fatal Python error" not in proc.stderr, report
    assert proc.returncode == 0, report
    assert proc.stdout.rstrip().endswith("done"), report
