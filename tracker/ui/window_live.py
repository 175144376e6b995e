"""A live feed in the window: opening one, its health, following the newest version, stopping.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`LiveFeed` in,
because a live night differs from a recorded one in what the window must say and do: the feed's
health in words (over the race and in the status bar, also while a feed is armed and retrying),
the way back to the live edge ("Go live"), a scrubber that grows as versions arrive and follows
them unless the user is looking at an earlier moment, and File ▸ Stop polling.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tracker.archive.replay import ReplayClock, Timeline
from tracker.ui.plain_text import TEXT_LIMIT, clean, plain_tooltip
from tracker.ui.window_labels import APP_TITLE

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel, QMainWindow

    from tracker.ui.feed_status import FeedStatus
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object


class LiveFeed(_Base):
    """The live-feed part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    _worker: Worker
    _clock_fn: Callable[[], float]
    _pending: dict[str, object]
    _info: NightInfo | None
    _timeline: Timeline | None
    _recent_feeds: list[str]
    _feed_status: FeedStatus
    _health_line: QLabel
    _stop_feed_action: QAction
    _status_night: QLabel
    _replay_bar: ReplayBar

    if TYPE_CHECKING:

        def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo: ...

    def choose_feed(self) -> None:
        """File ▸ Open feed…: ask for a URL (with the recent feeds), then open it."""
        from tracker.ui.feed_dialog import ask_for_feed

        request = ask_for_feed(self, recent=self._recent_feeds)
        if request is not None:
            self.open_feed(request.url, interval=request.interval, kind=request.kind, api_key=request.api_key)

    def open_feed(
        self,
        url: str,
        *,
        interval: float = 30.0,
        kind: str | None = None,
        api_key: str | None = None,
        record_to: Path | None = None,
        contest: str | None = None,
    ) -> None:
        """Poll ``url`` live (in the background), recording every fetch; the window follows the
        newest version until the user scrubs back (then "Go live" returns to it)."""
        self._pending = {"at_end": True, "contest": contest}
        self.statusBar().showMessage("Connecting to the feed…")  # an error replaces it; success clears it
        self._feed_status.reset()  # a feed on screen is stopped by the worker: say so until the new one is in
        self._stop_feed_action.setEnabled(False)
        self._worker.open_feed(url, interval=interval, kind=kind, api_key=api_key, record_to=record_to)

    def stop_feed(self) -> None:
        """Stop polling; what was recorded stays on screen (a recorded night)."""
        self._worker.stop_feed()
        self._feed_status.set_running(False)
        if not self.live:  # an armed feed that never came up: nothing left to show
            self._feed_status.hide()
            self._health_line.hide()
        self._stop_feed_action.setEnabled(False)

    def go_live(self) -> None:
        """Back to the newest version, following the feed again."""
        clock = self._replay_bar.clock
        if clock is not None:
            self._replay_bar.pause()
            self._replay_bar.seek(clock.end)

    @property
    def live(self) -> bool:
        return self._info is not None and self._info.live

    @property
    def following_live(self) -> bool:
        return self.live and self._feed_status.following

    @property
    def feed_status(self) -> FeedStatus:
        return self._feed_status

    @property
    def health_line(self) -> QLabel:
        return self._health_line

    def _set_live(self, info: NightInfo) -> None:
        self._feed_status.setVisible(info.live)
        self._health_line.setVisible(info.live)
        self._stop_feed_action.setEnabled(info.live and self._worker.feed_running)
        if info.live:
            self._feed_status.set_running(self._worker.feed_running)
            self._feed_status.set_following(True)
            self.statusBar().clearMessage()
            self._status_night.setText(f"Live: {clean(info.feed_url, TEXT_LIMIT)}")
            self.setWindowTitle(f"Live: {clean(info.feed_url, TEXT_LIMIT)} — {APP_TITLE}")
            self._status_night.setToolTip(plain_tooltip(f"recording into {info.path}"))
            self._worker.request_recent_feeds()
        else:
            self._feed_status.reset()

    def _on_night_grew(self, info: NightInfo) -> None:
        """New versions arrived from the live feed: extend the scrubber, and follow them unless the
        user is looking at an earlier moment."""
        old_clock, old_timeline = self._replay_bar.clock, self._timeline
        if self._info is None or not self._info.live or old_clock is None or old_timeline is None:
            return
        position = old_clock.position()
        following = position >= old_timeline[len(old_timeline) - 1]
        self._info = info
        times = info.times
        self._timeline = Timeline(times)
        clock = ReplayClock(times[0], times[-1], clock=self._clock_fn, speed=old_clock.speed)
        clock.seek(clock.end if following else position)
        playing = old_clock.playing and not following  # replaying the recorded part: keep playing
        self._replay_bar.set_replay(clock, self._timeline, self.display_timezone(info))
        if playing:
            self._replay_bar.play()

    def _on_feed_health(self, health: object) -> None:
        from tracker.feeds.poller import FeedHealth

        if isinstance(health, FeedHealth) and (self.live or health.stopped):  # STOPPED: always said
            self._feed_status.set_health(health)
        elif isinstance(health, FeedHealth) and self._worker.feed_running:
            # Armed before the feed is up: it keeps retrying; say so where the room can see it.
            self._feed_status.set_health(health)
            self._feed_status.show()
            self._health_line.show()
            self._stop_feed_action.setEnabled(True)
            self.statusBar().showMessage(f"Waiting for the feed: {self._feed_status.header_text()}")
