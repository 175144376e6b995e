"""The live feed's health in the status bar, and the one-click way back to live.

It shows, from the :class:`~tracker.feeds.poller.FeedHealth` the worker sends after every poll:
whether the window is at the live edge or behind it (the user scrubbed back), when the last new
version came and how long ago, when the next poll is, and the current error with its backoff. Ages
and countdowns are recomputed once a second from an injectable clock (tests use a fake one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from tracker.feeds.errors import plain_error
from tracker.ui.health_badge import DEFAULT_STALE_AFTER, STYLES, format_age, header_line, health_state
from tracker.ui.plain_text import TEXT_LIMIT, elide, make_plain, plain_tooltip
from tracker.ui.theme import ChartTheme

__all__ = ["FeedStatus", "format_age", "format_wait", "health_texts", "short_error"]

if TYPE_CHECKING:  # the poller (httpx) loads when a feed is opened, not at start-up
    from tracker.feeds.poller import FeedHealth

LIVE_STYLE = (
    "QLabel { color: white; background: #B3261E; border-radius: 3px; padding: 1px 6px; font-weight: bold; }"
)
BEHIND_STYLE = "QLabel { color: #3D2E00; background: #FFE08A; border-radius: 3px; padding: 1px 6px; }"
STOPPED_STYLE = "QLabel { color: white; background: #6B6B6B; border-radius: 3px; padding: 1px 6px; }"


def format_wait(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 1:
        return "now"
    if seconds < 90:
        return f"in {seconds:.0f} s"
    return f"in {seconds / 60:.0f} min"


def short_error(text: str, limit: int = 40) -> str:
    """An error as the status bar has room for it (the tooltip has it whole)."""
    text = plain_error(re.sub(r"\[Errno -?\d+\]\s*", "", text))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def health_texts(
    health: FeedHealth,
    now: dt.datetime,
    *,
    following: bool,
    running: bool,
    stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
) -> dict[str, str]:
    """What the status widget says (pure, for tests and for the widget)."""
    state = health_state(health, now, following=following, running=running, stale_after=stale_after)
    if health.last_new_at is not None:
        label = f" {health.last_version}" if health.last_version else ""
        new = f"new version{label}, {format_age((now - health.last_new_at).total_seconds())}"
    else:
        new = "no version yet"
    if not running:
        poll = "polling stopped"
    elif health.next_poll_at is not None:
        poll = f"next poll {format_wait((health.next_poll_at - now).total_seconds())}"
    else:
        poll = ""
    error = ""
    if health.error and running:
        times = f", {health.failures} in a row" if health.failures > 1 else ""
        error = f"error: {short_error(health.error)}{times} · backing off {health.backoff:.0f} s"
    stale = f"{health.stale} stale version{'s' if health.stale != 1 else ''} ignored" if health.stale else ""
    behind = [c.split(":", 1)[0] for c in getattr(health, "counties_behind", ())]
    counties = (
        f"{len(behind)} county site{'s' if len(behind) != 1 else ''} behind the state: {', '.join(behind)}"
        if behind
        else ""
    )
    return {"state": state, "new": new, "poll": poll, "error": error, "stale": stale, "counties": counties}


class FeedStatus(QWidget):
    """LIVE badge · last new version and its age · next poll · error and backoff · [Go live]."""

    go_live_clicked = Signal()
    #: The texts changed (every second while polling): the race header's line follows.
    refreshed = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._health: FeedHealth | None = None
        self._following = True
        self._running = False
        #: No new version for this long while polls succeed: the badge says STALE.
        self.stale_after = DEFAULT_STALE_AFTER
        self._badge = QLabel("LIVE")
        self._badge.setObjectName("liveBadge")
        self._text = QLabel("")
        self._error = QLabel("")
        make_plain(self._badge, self._text, self._error)  # reason phrases and URLs are data (issue 19)
        self._style_error()
        self._go_live = QPushButton("Go live")
        self._go_live.setToolTip("Back to the newest version of the feed, and follow it")
        self._go_live.clicked.connect(self.go_live_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._badge)
        layout.addWidget(self._text)
        layout.addWidget(self._error)
        layout.addWidget(self._go_live)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: the error's red follows (the badges carry their own background)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_error()

    def _style_error(self) -> None:
        self._error.setStyleSheet(
            f"QLabel {{ color: {ChartTheme.from_palette(self.palette()).warning.name()}; }}"
        )

    def set_health(self, health: FeedHealth) -> None:
        self._health = health
        self._running = not health.stopped
        if not self._timer.isActive():
            self._timer.start()
        self.refresh()

    def set_following(self, following: bool) -> None:
        if following != self._following:
            self._following = following
            self.refresh()

    def set_running(self, running: bool) -> None:
        self._running = running
        if not running:
            self._timer.stop()
        self.refresh()

    def reset(self) -> None:
        self._health = None
        self._following = True
        self._running = False
        self._timer.stop()
        self.refresh()

    @property
    def following(self) -> bool:
        return self._following

    def refresh(self) -> None:
        health = self._health
        if health is None:
            self._badge.setText("LIVE" if self._running else "STOPPED")
            self._badge.setStyleSheet(LIVE_STYLE if self._running else STOPPED_STYLE)
            self._text.setText("connecting…" if self._running else "")
            self._error.setText("")
            self._error.setVisible(False)
            self._go_live.setEnabled(False)
            self.refreshed.emit()
            return
        texts = health_texts(
            health,
            self._clock(),
            following=self._following,
            running=self._running,
            stale_after=self.stale_after,
        )
        self._badge.setText(texts["state"])
        self._badge.setStyleSheet(STYLES.get(texts["state"], STOPPED_STYLE))
        self._text.setText(
            " · ".join(t for t in (texts["new"], texts["poll"], texts["stale"], texts["counties"]) if t)
        )
        self._error.setText(elide(texts["error"], TEXT_LIMIT))
        self._error.setVisible(bool(texts["error"]))
        self._go_live.setEnabled(not self._following)
        lines = [health.url]
        if health.last_version:
            lines.append(f"last new version: {health.last_version}")
        if health.error:
            lines.append(f"error: {health.error}")
        if health.recording:
            lines.append(f"recording into {health.recording}")
        lines.extend(getattr(health, "counties_behind", ()))  # each county site behind, in full
        self.setToolTip(plain_tooltip("\n".join(lines)))
        self.refreshed.emit()

    def state(self) -> str:
        """The badge's word now (LIVE, BEHIND LIVE, STALE, FAILING, OFFLINE, STOPPED)."""
        return health_state(
            self._health,
            self._clock(),
            following=self._following,
            running=self._running,
            stale_after=self.stale_after,
        )

    def header_text(self) -> str:
        """The line over the race ("last new version 4 min ago · feed failing: …")."""
        return header_line(
            self._health,
            self._clock(),
            following=self._following,
            running=self._running,
            stale_after=self.stale_after,
        )

    def texts(self) -> dict[str, str]:
        """As shown (for tests)."""
        return {
            "badge": self._badge.text(),
            "text": self._text.text(),
            "error": self._error.text() if self._error.isVisibleTo(self) else "",
            "go_live_enabled": str(self._go_live.isEnabled()),
        }

    @property
    def go_live_button(self) -> QPushButton:
        return self._go_live
