"""One clock per election: every time the window shows is in the election's own zone, with its
abbreviation (EDT, not the viewer's zone, not UTC in one panel and EST in another); View ▸ Times
in UTC switches the whole window to UTC at once, for a desk that works in UTC.

The window asks :meth:`ElectionClock.zone` for the zone to show (``MainWindow.display_timezone``)
and this module pushes a change to every panel that keeps its own: the replay bar, the timeline,
the alert log and the projection log. Exports keep the election's zone (their captions and CSV
headers name it), whatever the screen shows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMenuBar

    from tracker.ui.alert_log import AlertLog
    from tracker.ui.projection_log import ProjectionLogDock
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import NightInfo

KEY = "clock/utc"


class _Window(Protocol):
    """What the clock uses of the main window: the night open, its signal, the panels that keep
    their own zone, and the menu bar (View menu). Narrow on purpose: this module is installed by
    the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def timeline_view(self) -> TimelineView: ...
    @property
    def alert_log(self) -> AlertLog: ...
    @property
    def projection_log(self) -> ProjectionLogDock: ...
    @property
    def replay_bar(self) -> ReplayBar: ...
    # the QMainWindow it is
    def menuBar(self) -> QMenuBar: ...


class ElectionClock(QObject):
    """View ▸ Times in UTC, remembered in the settings; the panels follow the choice."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        from tracker.ui.settings import settings

        value = settings().value(KEY, False)
        self._utc = value is True or str(value).lower() in ("true", "1")
        self.action = QAction("Times in &UTC", window)  # type: ignore[call-overload]
        self.action.setObjectName("times_in_utc")
        self.action.setCheckable(True)
        self.action.setChecked(self._utc)
        self.action.toggled.connect(self.set_utc)
        from tracker.ui.pins import _menu

        view = _menu(window, "&View")  # type: ignore[arg-type]
        view.addSeparator()
        view.addAction(self.action)
        # After the window has attached the night's clock (it does so right after this signal).
        window.night_opened.connect(lambda _info: QTimer.singleShot(0, self.apply))

    @property
    def utc(self) -> bool:
        return self._utc

    def zone(self, election: dt.tzinfo) -> dt.tzinfo:
        """The zone to show: ``election``'s, or UTC on demand."""
        return dt.UTC if self._utc else election

    def set_utc(self, on: bool) -> None:
        self._utc = bool(on)
        if self.action.isChecked() != self._utc:
            self.action.setChecked(self._utc)
        from tracker.ui.settings import settings

        store = settings()
        store.setValue(KEY, self._utc)
        store.sync()
        self.apply()

    def apply(self) -> None:
        """Every panel that keeps its own zone: to the one the window shows now."""
        window = self._window
        info = window.night
        if info is None:
            return
        tz = self.zone(info.timezone)
        window.timeline_view.set_timezone(tz)
        window.alert_log.dock.model.set_timezone(tz)
        window.alert_log.dock.table.viewport().update()
        window.projection_log.model.set_timezone(tz)
        window.replay_bar.set_timezone(tz)
