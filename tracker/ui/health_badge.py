"""A live feed's health as a room sees it: one word on the badge, one line over the race.

The states, most urgent first:

* **STOPPED** -- the window no longer polls (the user stopped it, or the feed ended);
* **OFFLINE** -- this computer cannot reach the network (the address does not resolve, the
  network is unreachable): not the feed's fault, and not fixed by the feed;
* **FAILING** -- the last poll failed (refused, timed out, an HTTP error, an unreadable payload):
  the tracker keeps retrying with backoff, and what is on screen is the last good version;
* **STALE** -- polls succeed but no new version for ``stale_after`` (results may have stalled, or
  the feed is stuck: worth a phone call);
* **BEHIND LIVE** -- healthy, but the user scrubbed back to an earlier moment;
* **LIVE** -- healthy and following the newest version.

Pure functions of :class:`~tracker.feeds.poller.FeedHealth` and the clock, plus the label that
shows the line over the race (it follows :class:`~tracker.ui.feed_status.FeedStatus`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QLabel, QWidget

from tracker.feeds.errors import is_offline, plain_error
from tracker.ui.plain_text import make_plain

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from tracker.feeds.poller import FeedHealth

LIVE, BEHIND, STALE, FAILING, OFFLINE, STOPPED = (
    "LIVE",
    "BEHIND LIVE",
    "STALE",
    "FAILING",
    "OFFLINE",
    "STOPPED",
)
#: No new version for this long while polls succeed: STALE.
DEFAULT_STALE_AFTER = dt.timedelta(minutes=10)

#: Badge colours: each state its own, readable across a room (white or black on a strong fill).
_BADGE = (
    "QLabel {{ color: {fg}; background: {bg}; border-radius: 3px; padding: 1px 6px; font-weight: bold; }}"
)
STYLES = {
    LIVE: _BADGE.format(fg="white", bg="#B3261E"),
    BEHIND: _BADGE.format(fg="#3D2E00", bg="#FFE08A"),
    STALE: _BADGE.format(fg="black", bg="#E69F00"),
    FAILING: _BADGE.format(fg="#FFD54F", bg="#1A1A1A"),
    OFFLINE: _BADGE.format(fg="white", bg="#3F51B5"),
    STOPPED: _BADGE.format(fg="white", bg="#6B6B6B"),
}
#: The race header's line: a tinted strip for the states that need attention.
_LINE = "QLabel {{ color: {fg}; background: {bg}; padding: 2px 6px; border-left: 5px solid {edge}; }}"
LINE_STYLES = {
    LIVE: "QLabel { padding: 2px 6px; }",
    BEHIND: "QLabel { padding: 2px 6px; }",
    STALE: _LINE.format(fg="#3D2E00", bg="#FFF4D6", edge="#E69F00"),
    FAILING: _LINE.format(fg="#5C0B07", bg="#FDE7E5", edge="#B3261E"),
    OFFLINE: _LINE.format(fg="#1A237E", bg="#E8EAF6", edge="#3F51B5"),
    STOPPED: _LINE.format(fg="#333333", bg="#EEEEEE", edge="#6B6B6B"),
}


def format_age(seconds: float) -> str:
    """``"just now"``, ``"42 s ago"``, ``"3 min ago"``, ``"1 h 05 min ago"``."""
    seconds = max(0.0, seconds)
    if seconds < 5:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60:02d} min ago"


def health_state(
    health: FeedHealth | None,
    now: dt.datetime,
    *,
    following: bool,
    running: bool,
    stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
) -> str:
    """The badge's word for ``health`` at ``now``."""
    if not running:
        return STOPPED
    if health is not None and health.error:
        return OFFLINE if is_offline(health.error) else FAILING
    if health is not None and health.last_new_at is not None and now - health.last_new_at > stale_after:
        return STALE
    return LIVE if following else BEHIND


def header_line(
    health: FeedHealth | None,
    now: dt.datetime,
    *,
    following: bool,
    running: bool,
    stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
) -> str:
    """The line over the race: "last new version 4 min ago · feed failing: the server refused
    the connection"."""
    state = health_state(health, now, following=following, running=running, stale_after=stale_after)
    if health is None:
        return "Live feed: polling stopped" if state == STOPPED else "Live feed: connecting…"
    if health.last_new_at is not None:
        new = f"last new version {format_age((now - health.last_new_at).total_seconds())}"
    else:
        new = "no version yet"
    error = plain_error(health.error or "")
    retry = ""
    if health.next_poll_at is not None and running:
        wait = max(0.0, (health.next_poll_at - now).total_seconds())
        retry = f" · retrying in {wait:.0f} s" if wait >= 1 else " · retrying now"
    tail = {
        STOPPED: "polling stopped",
        OFFLINE: f"offline: {error}{retry}",
        FAILING: f"feed failing: {error}{retry}",
        STALE: "feed stale: no new version since",
        BEHIND: "behind live (Go live returns to the newest version)",
        LIVE: "live",
    }[state]
    return f"{new} · {tail}" if state != STALE else f"{new} · feed stale: polls answer, nothing new"


class _Status(Protocol):
    """What the line uses of :class:`~tracker.ui.feed_status.FeedStatus`: its signal and its two
    texts. Narrow on purpose: feed_status imports this module and must not be imported back."""

    @property
    def refreshed(self) -> SignalInstance: ...
    def state(self) -> str: ...
    def header_text(self) -> str: ...


class HealthLine(QLabel):
    """The feed's health over the race, in words, tinted when it needs attention; hidden for a
    recorded night (the window shows it while a feed is open or being armed)."""

    def __init__(self, status: _Status, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedHealthLine")
        self.setWordWrap(True)
        self.setAccessibleName("Live feed health")
        make_plain(self)  # a server's reason phrase is data, never markup (issue 19)
        self._status = status
        self._state = ""
        status.refreshed.connect(self.refresh)
        self.hide()

    def refresh(self) -> None:
        state, text = self._status.state(), self._status.header_text()
        self.setText(text)
        if state != self._state:
            self._state = state
            self.setStyleSheet(LINE_STYLES.get(state, ""))

    @property
    def state(self) -> str:
        return self._state
