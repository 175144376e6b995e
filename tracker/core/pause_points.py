"""Pause points: places in long loops where a thread that shares the interpreter with a window
may let the window run.

Python runs one thread at a time. The window's thread needs the interpreter for every timer,
event filter and slot, and CPython's own hand-over (``sys.getswitchinterval``) did not reach it
while the night thread read a statewide version: decompressing 36 MB, parsing 4,184 contests and
checking them held it for 50–150 ms at a stretch (issue 21, ``benchmarks big_night``). The
loops that take that long call :func:`pause_point` between pieces of work; the thread that reads
versions for the window installs its pause there (:func:`pausing`: wait while the window draws,
else hand the interpreter over every few milliseconds; ``tracker.watch.display_queue``). Any
other thread (the command line, a live feed's recording, tests) has no pause installed, and a
pause point costs it one attribute lookup.

Per thread, so a recording never waits for the window; pure Python, so the core stays Qt-free.

Freeing is work too: the last reference to a statewide version's parsed contests, dropped at once,
frees a few hundred thousand objects in one C-level cascade that no pause point interrupts (18 ms
of the night thread's time for the duplicates of one version, ~80 ms for the versions a timeline
read; issue 21). :func:`let_go` drops such a list in pieces, pausing between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()

#: :func:`let_go` drops this many items between two pause points by default.
LET_GO_PIECE = 32


def pause_point() -> None:
    """Between two pieces of a long computation: run this thread's pause, if it has one."""
    pause = getattr(_local, "pause", None)
    if pause is not None:
        pause()


@contextmanager
def pausing(pause: Callable[[], None]) -> Iterator[None]:
    """Within the block, this thread's pause points call ``pause`` (nested blocks: the inner)."""
    before = getattr(_local, "pause", None)
    _local.pause = pause
    try:
        yield
    finally:
        _local.pause = before


def let_go(items: list[Any], piece: int = LET_GO_PIECE) -> None:
    """Empty ``items`` from its end, ``piece`` items at a time, with a pause point after each
    piece: what only ``items`` still refers to is freed a piece at a time (see the module
    docstring). The caller must hold no other reference it means to drop at once."""
    piece = max(piece, 1)
    while items:
        del items[-piece:]
        pause_point()
