"""The night's clock: Eastern time, and a reconstructed night's minutes since 19:00 ET on election
day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ET = ZoneInfo("America/New_York")

#: Minutes since 19:00 ET on election day; every version lands on a whole minute.
Minute = int


def _minute(when: dt.datetime, date: dt.date) -> Minute:
    start = dt.datetime(date.year, date.month, date.day, 19, 0, tzinfo=ET)
    return int((when - start).total_seconds() // 60)


def _at(date: dt.date, minute: Minute) -> dt.datetime:
    """The aware UTC instant of ``minute`` (minutes after 19:00 ET on ``date``)."""
    start = dt.datetime(date.year, date.month, date.day, 19, 0, tzinfo=ET)
    return (start + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


def _hm(text: str) -> Minute:
    """ "HH:MM" Eastern on election night (00:00–06:59 is the next morning) as a Minute."""
    hh, mm = (int(x) for x in text.split(":"))
    if hh < 7:
        hh += 24
    return (hh - 19) * 60 + mm
