"""Alerts about a live feed itself: stalled (no new version for N minutes) or failing.

Pure decisions over what the poller's health already says (when the last new version came, the
current error and how many polls in a row failed) and a clock passed in, so they are tested in
fake time. Each episode is announced once: a stall is identified by the last version before it, a
failure streak by when it began; :class:`FeedWatch` remembers which ones were announced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.core.alerts import Alert, AlertKind

#: The store setting that holds N, and its default.
STALL_SETTING = "alerts.stall_minutes"
DEFAULT_STALL_MINUTES = 10
#: Polls in a row that must fail before the feed is called failing (one timeout is a blip).
FAILING_AFTER = 3


def stall_minutes(value: str | None) -> int:
    """N from the store's setting text; the default when it is missing or not a positive number."""
    try:
        minutes = int(float(value)) if value is not None else DEFAULT_STALL_MINUTES
    except ValueError:
        return DEFAULT_STALL_MINUTES
    return minutes if minutes > 0 else DEFAULT_STALL_MINUTES


@dataclass(frozen=True)
class FeedWatch:
    """Which episodes were announced: the stall after the version that came at ``stalled_after``,
    the failure streak that began at ``failing_since``; ``streak_start`` is the current streak's."""

    stalled_after: dt.datetime | None = None
    failing_since: dt.datetime | None = None
    streak_start: dt.datetime | None = None


def feed_alerts(
    watch: FeedWatch,
    *,
    now: dt.datetime,
    last_new_at: dt.datetime | None,
    error: str | None,
    failures: int,
    stall_after: dt.timedelta,
    version_index: int,
    version: str = "",
    feed: str = "",
) -> tuple[FeedWatch, list[Alert]]:
    """The feed alerts due at ``now`` and the watch to keep. ``version_index``/``version`` name
    the newest version (the one the feed has not moved on from)."""
    out: list[Alert] = []

    def alert(kind: AlertKind, subject: str, message: str) -> None:
        out.append(Alert(kind, "", feed, subject, message, version_index, version, now))

    stalled_after = watch.stalled_after
    if last_new_at is not None and now - last_new_at >= stall_after and stalled_after != last_new_at:
        minutes = int((now - last_new_at).total_seconds() // 60)
        alert(
            AlertKind.FEED_STALLED,
            last_new_at.isoformat(),
            f"no new version for {minutes} min (stall alert after {stall_after.total_seconds() / 60:g} min)",
        )
        stalled_after = last_new_at

    streak_start = None if error is None else (watch.streak_start or now)
    failing_since = watch.failing_since
    if error is not None and failures >= FAILING_AFTER and failing_since != streak_start:
        assert streak_start is not None
        alert(AlertKind.FEED_FAILING, streak_start.isoformat(), f"{failures} polls in a row failed: {error}")
        failing_since = streak_start
    return FeedWatch(stalled_after, failing_since, streak_start), out
