"""The replay clock: which instant of a past night is "now", at what speed.

Time is a parameter: the clock reads wall time from an injected monotonic function, so tests
(and the benchmark) drive it in fake time and the window never sleeps. The night's own times are
aware datetimes; the clock maps elapsed wall seconds × speed onto them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import time
from collections.abc import Callable, Sequence

#: Speeds the replay bar offers (× real time).
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 30, 60, 100, 300, 1000)
MIN_SPEED = 1.0
MAX_SPEED = 1000.0


class ReplayClock:
    """Play / pause / speed / seek over ``[start, end]``; stops by itself at the end."""

    def __init__(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        clock: Callable[[], float] = time.monotonic,
        speed: float = 60.0,
    ) -> None:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("replay times must be timezone-aware")
        if end < start:
            raise ValueError("replay end is before its start")
        self._start = start
        self._end = end
        self._clock = clock
        self._speed = self._checked_speed(speed)
        self._anchor_pos = start
        self._anchor_wall = clock()
        self._playing = False

    @staticmethod
    def _checked_speed(speed: float) -> float:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between {MIN_SPEED:g}× and {MAX_SPEED:g}×")
        return float(speed)

    @property
    def start(self) -> dt.datetime:
        return self._start

    @property
    def end(self) -> dt.datetime:
        return self._end

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def playing(self) -> bool:
        self.position()  # reaching the end pauses
        return self._playing

    def position(self) -> dt.datetime:
        """The night's current instant."""
        if not self._playing:
            return self._anchor_pos
        elapsed = (self._clock() - self._anchor_wall) * self._speed
        pos = self._anchor_pos + dt.timedelta(seconds=elapsed)
        if pos >= self._end:
            self._anchor_pos, self._anchor_wall, self._playing = self._end, self._clock(), False
            return self._end
        return pos

    def _reanchor(self, pos: dt.datetime) -> None:
        self._anchor_pos = min(max(pos, self._start), self._end)
        self._anchor_wall = self._clock()

    def play(self) -> None:
        pos = self.position()
        if pos >= self._end:  # playing from the end starts over, as media players do
            pos = self._start
        self._reanchor(pos)
        self._playing = True

    def pause(self) -> None:
        self._reanchor(self.position())
        self._playing = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        speed = self._checked_speed(speed)
        self._reanchor(self.position())
        self._speed = speed

    def seek(self, when: dt.datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("seek needs a timezone-aware time")
        self._reanchor(when)

    @property
    def fraction(self) -> float:
        """Position as 0..1 of the night, for a scrubber."""
        span = (self._end - self._start).total_seconds()
        return 0.0 if span <= 0 else (self.position() - self._start).total_seconds() / span

    def seek_fraction(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        self.seek(self._start + (self._end - self._start) * fraction)


class Timeline:
    """The instants at which a night's versions appeared, for "which version is current" lookups."""

    def __init__(self, times: Sequence[dt.datetime]) -> None:
        if any(t.tzinfo is None for t in times):
            raise ValueError("version times must be timezone-aware")
        if any(b < a for a, b in itertools.pairwise(times)):
            raise ValueError("version times must be in order")
        self._times = list(times)

    def __len__(self) -> int:
        return len(self._times)

    def __getitem__(self, index: int) -> dt.datetime:
        return self._times[index]

    def index_at(self, when: dt.datetime) -> int | None:
        """Index of the version current at ``when`` (the last one at or before it), None before the first."""
        i = bisect.bisect_right(self._times, when) - 1
        return i if i >= 0 else None

    def next_after(self, when: dt.datetime) -> dt.datetime | None:
        i = bisect.bisect_right(self._times, when)
        return self._times[i] if i < len(self._times) else None

    def previous_before(self, when: dt.datetime) -> dt.datetime | None:
        i = bisect.bisect_left(self._times, when) - 1
        return self._times[i] if i >= 0 else None


_VERSION = re.compile(r"\s*(?:v|version)\s*(\d+)\s*", re.IGNORECASE)


def version_number(text: str) -> int | None:
    """ "v5", "v 5" or "version 5" as the user types it: the night's fifth version (counted from
    1); None for anything else. Why: a night imported from files with no times of its own has no
    clock a user could type, and the window counts its versions instead ("v 1" … "v 13")."""
    found = _VERSION.fullmatch(text)
    return int(found.group(1)) if found else None


def version_time(text: str, times: Sequence[dt.datetime]) -> dt.datetime | None:
    """The time of the version ``text`` names (``version_number``) among ``times``; None when
    ``text`` names no version; ValueError, in words, for one the night does not have."""
    number = version_number(text)
    if number is None:
        return None
    if not 1 <= number <= len(times):
        raise ValueError(f"this night has versions 1 to {len(times)}; there is no version {number}")
    return times[number - 1]


def parse_clock_time(text: str, start: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Turn "HH:MM" as a user types it (``--at 01:30``) into the night's instant: the first such
    wall-clock time in ``tz`` at or after the night's start (so 01:30 is after midnight). A night
    recorded over days (a count that goes on for a week) needs the day too: "YYYY-MM-DD HH:MM"
    (or with a "T") is that wall-clock time in ``tz``."""
    text = text.strip()
    if len(text) > 5 and text[:4].isdigit() and text[4:5] == "-":
        try:
            when = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError as exc:
            raise ValueError(f"expected a time as HH:MM or YYYY-MM-DD HH:MM, got {text!r}") from exc
        return when.replace(tzinfo=tz) if when.tzinfo is None else when
    try:
        hour, minute = (int(p) for p in text.split(":"))
        wall = dt.time(hour, minute)
    except ValueError as exc:
        raise ValueError(f"expected a time as HH:MM or YYYY-MM-DD HH:MM, got {text!r}") from exc
    local_start = start.astimezone(tz)
    candidate = dt.datetime.combine(local_start.date(), wall, tzinfo=tz)
    if candidate < local_start - dt.timedelta(minutes=1):
        candidate += dt.timedelta(days=1)
    return candidate
