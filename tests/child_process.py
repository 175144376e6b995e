"""A child process's stdout, readable while it runs and complete after it is killed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time


def spawn(*args: str) -> subprocess.Popen[str]:
    """``python ARGS`` with pipes, unbuffered (every line it prints reaches us before a kill)."""
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


class Lines:
    """A child's stdout, read line by line on a thread so the test can wait for a line and still
    collect everything the child flushed before it was killed."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("")  # EOF marker
            self._cond.notify_all()

    def wait_for(self, needle: str, timeout: float = 180, count: int = 1) -> None:
        """Until ``count`` lines contain ``needle`` (the child's output so far is in the error).
        The timeout is a bound for a child that hangs, far above what a loaded machine takes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while sum(needle in line for line in self.lines if line) < count:
                if time.monotonic() > deadline or (self.lines and self.lines[-1] == ""):
                    raise AssertionError(f"not {count} lines with {needle!r}; got {self.lines[-5:]}")
                self._cond.wait(0.5)

    def finish(self, timeout: float = 120) -> list[str]:
        self._thread.join(timeout)
        return [line for line in self.lines if line]
