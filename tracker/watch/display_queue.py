"""How a live feed's versions reach the screen without ever holding up their recording.

Following a busy feed (5,000 races changing every second, issue 19), the feed thread records every
version, while making one fit to show (sharing, projections, the race list's facts) and drawing it
can take longer than a poll interval. Two rules keep the recording whole and memory flat:

* **Newest wins** (:class:`Newest`): a version waiting to be shown is replaced by a newer one, so at
  most one waits per stage, whatever the backlog; the versions skipped are in the night file, read
  again only if the user goes back to them.
* **Recording first** (:class:`RecordingFirst`): the display jobs pause, between races, while the
  feed thread records. Python runs one thread at a time; without this the night thread's
  projections took two thirds of it and the feed thread fell behind the feed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

#: The longest a display job waits for one recording to finish (a stuck write must not stop it).
MAX_PAUSE_S = 5.0


class Newest(Generic[T]):
    """A one-item mailbox between threads where a newer item replaces a waiting one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._full = False
        #: How many items were replaced before anyone took them (skipped for display).
        self.replaced = 0

    def put(self, item: T) -> bool:
        """Leave ``item`` (replacing a waiting one); True when the box was empty, i.e. the caller
        must make sure someone will ``take`` it."""
        with self._lock:
            was_full = self._full
            self._item, self._full = item, True
            if was_full:
                self.replaced += 1
            return not was_full

    def take(self) -> T | None:
        """The waiting item (None when there is none), leaving the box empty."""
        with self._lock:
            item, self._item, self._full = self._item, None, False
            return item

    @property
    def waiting(self) -> bool:
        with self._lock:
            return self._full


class RecordingFirst:
    """The feed thread says when it records; display jobs ``pause`` until it is done."""

    def __init__(self) -> None:
        self._idle = threading.Event()
        self._idle.set()

    @contextmanager
    def recording(self) -> Iterator[None]:
        self._idle.clear()
        try:
            yield
        finally:
            self._idle.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def pause(self) -> None:
        """Wait (without holding the interpreter) while a version is being recorded."""
        if not self._idle.is_set():
            self._idle.wait(MAX_PAUSE_S)
