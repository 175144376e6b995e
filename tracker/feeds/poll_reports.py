"""What polling tells the rest of the app, as frozen data: each fetch, each round, the feed's health.

Kept apart from the loop because the recorder stores fetch events, the ``record`` command prints
poll reports and the window's status bar shows a feed's health, and none of them needs the loop
itself; they cross threads, so they hold no connection and no lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tracker.feeds.poll_schedule import MAX_WAIT, PollState

if TYPE_CHECKING:
    from tracker.feeds.clarity_sites import CountyStatus


@dataclass(frozen=True)
class FetchEvent:
    """One HTTP exchange (or a failed attempt), as the recorder stores it and the window shows it.

    ``url`` is always redacted (no API key). ``data`` is set only for a new payload (``kind ==
    "new"``); ``fmt`` names the registry format that parses it.
    """

    fetched_at: dt.datetime
    url: str
    kind: str  # "new" | "same" | "not-modified" | "stale" | "version" | "error"
    status: int | None = None
    data: bytes | None = field(default=None, repr=False)
    fmt: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    version: str | None = None
    error: str | None = None
    #: A Clarity site's ``electionsettings.json`` for this new payload's version (its stated
    #: runoff threshold decides the races of a summary.json); None for other feeds.
    settings: bytes | None = field(default=None, repr=False)
    #: A past version fetched after a late start (already superseded): the night notes it, and its
    #: timeline places it at its own publication time, not at the connection.
    history: bool = False


@dataclass(frozen=True)
class PollReport:
    """What one poll did: its events, and when the next one is due (monotonic seconds)."""

    events: tuple[FetchEvent, ...]
    state: PollState
    delay: float
    reason: str
    next_at: float
    #: A Clarity state site's county sub-sites as last seen (empty for other feeds).
    counties: tuple[CountyStatus, ...] = ()
    #: The round goes on: this report brought a Clarity version's summary.json, and the next
    #: call (due at once, ``next_at`` is now) fetches the same version's detailxml.zip.
    more: bool = False


@dataclass(frozen=True)
class FeedHealth:
    """How a live feed is doing, as plain data the window can show (built on the poll thread)."""

    url: str
    kind: str
    polls: int = 0
    #: Wall time (aware) and id of the last version that was new to us, if any.
    last_new_at: dt.datetime | None = None
    last_version: str | None = None
    #: Wall time (aware) of the next poll.
    next_poll_at: dt.datetime | None = None
    #: The current error (None when the last poll succeeded), its backoff and how many in a row.
    error: str | None = None
    backoff: float = 0.0
    failures: int = 0
    #: Stale versions seen (kept in the recording, not shown).
    stale: int = 0
    #: Versions recorded.
    versions: int = 0
    recording: str = ""
    stopped: bool = False
    #: A Clarity state site's counties whose own sites serve an older version than the state
    #: lists for them ("Cobb: its own site is at version …, behind the state's …").
    counties_behind: tuple[str, ...] = ()


def health_after(
    previous: FeedHealth,
    report: PollReport,
    *,
    now_wall: dt.datetime,
    now_mono: float,
    new_version: str | None = None,
    stale: int = 0,
    versions: int | None = None,
) -> FeedHealth:
    """The feed's health after ``report`` (pure: the clocks are arguments)."""
    new_at = previous.last_new_at
    last_version = previous.last_version
    if new_version is not None:
        new_at, last_version = now_wall, new_version
    return replace(
        previous,
        polls=previous.polls + 1,
        last_new_at=new_at,
        last_version=last_version,
        next_poll_at=now_wall + dt.timedelta(seconds=min(max(0.0, report.next_at - now_mono), 2 * MAX_WAIT)),
        error=report.state.error,
        backoff=report.state.backoff,
        failures=report.state.failures,
        stale=previous.stale + stale,
        versions=previous.versions if versions is None else versions,
        counties_behind=tuple(c.describe() for c in report.counties if c.behind)
        if report.counties
        else previous.counties_behind,
    )
