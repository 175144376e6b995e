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
* **The window first** (:class:`DisplayFirst`, issue 21): the night thread's jobs wait while the
  window draws a version (or a timeline) they sent, and otherwise hand the interpreter over every
  few milliseconds. Measured on a statewide feed (4,184 races), the GUI thread, which needs the
  interpreter for every timer, event filter and slot, got it only every 50–150 ms while the night
  thread projected: CPython's forced switch (``sys.getswitchinterval``, 5 ms) did not take, the
  GUI thread only won the interpreter back when numpy happened to release it, and each of the
  window's three apply steps took twice its own time, sharing the interpreter with the timeline's
  history being read behind it.
* **The window's beat** (:meth:`DisplayFirst.beat`): handing the interpreter over for a moment
  (``YIELD_S``) only works when the window's thread is on a processor at that moment. On a busy
  machine it often is not: it wakes too late, the night thread has taken the interpreter back, and
  the hand-overs every 4 ms keep CPython's own forced switch (after 5 ms without one) from ever
  firing; the window then waited 60–150 ms at a time while the timeline's history was read
  (``benchmarks big_night``, seen in ``/proc``: the GUI thread asleep on the interpreter's lock,
  the night thread running). So the window beats every few milliseconds while the night thread
  works, and a night thread that finds the last beat late lets go of the interpreter until the
  window has beaten again: the window gets it, whatever the machine's load, at every pause point.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

#: The longest a display job waits for one recording to finish (a stuck write must not stop it).
MAX_PAUSE_S = 5.0
#: The longest the night thread waits for the window to draw (a lost ``release`` must not stop it).
MAX_DISPLAY_WAIT_S = 0.5
#: The night thread hands the interpreter over at least this often (its pause points permitting),
#: for ``YIELD_S``: long enough for a waiting GUI thread to take it, ~2 % of the night's time.
YIELD_EVERY_S = 0.004
YIELD_S = 0.0001
#: The window beats this often while the night thread works (``DisplayFirst.beat``) ...
BEAT_EVERY_S = 0.008
#: ... and a beat older than this at a pause point means the window is kept waiting: the night
#: thread then waits (without the interpreter) for its next beat ...
BEAT_LATE_S = 0.016
#: ... at most this long. A window that waits for the interpreter beats at once when it gets it
#: (its timer is overdue); one that does not beat by then is busy without the interpreter
#: (drawing, laying out): the night thread goes on beside it until its next beat. A longer wait
#: cost the start-up ~25 % (the window's first drawing ran alone).
MAX_BEAT_WAIT_S = 0.02
#: The window stops beating once the night thread has not paused for this long (it is idle).
BEAT_IDLE_S = 1.0


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


class DisplayFirst:
    """The window says while it draws what the night thread sent (``hold`` … ``release``); the
    night thread pauses (``pause``) between races and versions: it waits while the window draws, and
    otherwise sleeps ``YIELD_S`` once every ``YIELD_EVERY_S`` of its own work, which lets a GUI
    thread waiting for the interpreter take it (see the module docstring).

    Holds are counted: the night thread holds before it posts a version (so it cannot run ahead
    of the delivery), the delivery releases that hold after the window's first step, and the
    window holds on until its last step. ``waits`` is False for a gate that only yields (tests that
    run the night jobs and the deliveries on one thread, where waiting could only time out).

    Beats: the window calls ``beat`` every ``BEAT_EVERY_S`` while the night thread works; a
    pause that finds the last beat older than ``BEAT_LATE_S`` waits for the next one. The night
    thread asks for beats through ``wake`` (called on the night thread, at most once until the
    first beat: it must only post to the window) when it pauses and none come; the window stops
    them (``stop_beats``) once the night thread is ``idle``. Without ``wake`` there are no beats
    and no such waits."""

    def __init__(
        self,
        *,
        waits: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.perf_counter,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._holds = 0
        self._idle = threading.Event()
        self._idle.set()
        self._waits = waits
        self._sleep = sleep
        self._clock = clock
        self._last_yield = clock()
        self._wake = wake
        self._beat = threading.Condition()
        self._beats = 0
        self._beating = False
        self._asked = False
        self._last_beat = clock()
        self._last_pause = clock()
        #: How often the night thread waited for the window, and handed the interpreter over.
        self.waited = 0
        self.yielded = 0
        #: How often it found the window's beat late and waited for the next one.
        self.late_beats = 0

    def hold(self) -> None:
        """The window is (about to be) drawing: the night thread waits at its next pause."""
        with self._lock:
            self._holds += 1
            self._idle.clear()

    def release(self) -> None:
        """One ``hold`` is done; the night thread goes on once every hold is released."""
        with self._lock:
            self._holds = max(self._holds - 1, 0)
            if self._holds == 0:
                self._idle.set()

    def release_all(self) -> None:
        """Nothing is being drawn (a new night, the window closing, a wait that timed out)."""
        with self._lock:
            self._holds = 0
            self._idle.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    # the window's beat (GUI thread) ----------------------------------------------------------------
    def beat(self) -> None:
        """The window's thread has the interpreter (a timer of its ran): a night thread waiting
        for this goes on."""
        with self._beat:
            self._beats += 1
            self._beating, self._asked = True, False
            self._last_beat = self._clock()
            self._beat.notify_all()

    def stop_beats(self) -> None:
        """The window beats no more (the night thread is idle, or the window is closing)."""
        with self._beat:
            self._beating = self._asked = False
            self._beat.notify_all()

    @property
    def beating(self) -> bool:
        return self._beating

    @property
    def idle(self) -> bool:
        """The night thread has not paused for ``BEAT_IDLE_S``: no work needs the beats."""
        return self._clock() - self._last_pause > BEAT_IDLE_S

    # the night thread --------------------------------------------------------------------------------
    def pause(self) -> None:
        """Night thread, between races or versions: wait for the window, or for its late beat,
        or hand it the interpreter for a moment if it is time to."""
        now = self._last_pause = self._clock()
        if self._waits and not self._idle.is_set():
            self.waited += 1
            if not self._idle.wait(MAX_DISPLAY_WAIT_S):
                self.release_all()  # a release was lost: do not wait again for it
            self._last_yield = self._clock()
            return
        if self._beating and now - self._last_beat > BEAT_LATE_S:
            self._wait_for_beat()
            return
        if not self._beating and not self._asked and self._wake is not None:
            self._asked = True
            self._wake()  # the window starts beating (posted: it runs on the window's thread)
        if now - self._last_yield >= YIELD_EVERY_S:
            self._sleep(YIELD_S)  # releases the interpreter; a waiting thread takes it
            self.yielded += 1
            self._last_yield = self._clock()

    def _wait_for_beat(self) -> None:
        """The window has not beaten lately: it waits for the interpreter (or for a processor).
        Let go of the interpreter until it beats (at most ``MAX_BEAT_WAIT_S``)."""
        self.late_beats += 1
        with self._beat:
            seen = self._beats
            if not self._beat.wait_for(lambda: self._beats != seen or not self._beating, MAX_BEAT_WAIT_S):
                self._beating = False  # no beat came: take the window as not beating until one does
        self._last_yield = self._clock()
