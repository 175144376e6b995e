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
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from tracker.ui.main_window import MainWindow

KEY = "clock/utc"


class ElectionClock(QObject):
    """View ▸ Times in UTC, remembered in the settings; the panels follow the choice."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        from tracker.ui.settings import settings

        value = settings().value(KEY, False)
        self._utc = value is True or str(value).lower() in ("true", "1")
        self.action = QAction("Times in &UTC", window)
        self.action.setObjectName("times_in_utc")
        self.action.setCheckable(True)
        self.action.setChecked(self._utc)
        self.action.toggled.connect(self.set_utc)
        from tracker.ui.pins import _menu

        view = _menu(window, "&View")
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
