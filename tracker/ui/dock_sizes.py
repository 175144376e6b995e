"""Docks that open at sizes that suit their content: an empty log is one line, a full one takes
what the race can spare below it.

The alert log and the projection log open below the race. Empty (no alert yet, no projection
logged), their table is hidden and the dock is the one line that says so, with its controls;
with rows, the dock opens as tall as its rows need, but no taller than leaves the race its
readable height (``MainWindow.room_below``), and the timeline gives way first
(``MainWindow.keep_race_readable``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QTableView

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracker.ui.alert_log import AlertLog
    from tracker.ui.projection_log import ProjectionLogDock

#: Rows a log shows when it opens with rows (the rest scroll).
ROWS = 8


class _Window(Protocol):
    """What the log docks' sizing uses of the main window: its two log docks, the room the race
    spares, and the QMainWindow calls that place docks. Narrow on purpose: this module is installed
    by the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def alert_log(self) -> AlertLog: ...
    @property
    def projection_log(self) -> ProjectionLogDock: ...
    def room_below(self) -> int: ...
    def keep_race_readable(self) -> None: ...
    # the QMainWindow it is
    def dockWidgetArea(self, dock: QDockWidget) -> Qt.DockWidgetArea: ...
    def resizeDocks(
        self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation
    ) -> None: ...


class LogDockSizes(QObject):
    """Installs the behaviour above on the window's log docks."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        for dock in (window.alert_log.dock, window.projection_log):
            table = dock.findChild(QTableView)
            if table is None:
                continue
            model = table.model()
            update = lambda *_a, t=table, m=model, d=dock: self._fit(d, t, m)  # noqa: E731
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
                signal.connect(update)
            dock.visibilityChanged.connect(
                lambda visible, d=dock, t=table, m=model: (
                    visible and QTimer.singleShot(0, lambda: self._open(d, t, m))
                )
            )
            self._fit(dock, table, model)

    @staticmethod
    def _fit(dock: QDockWidget, table: QTableView, model: object) -> None:
        table.setVisible(model.rowCount() > 0)  # type: ignore[attr-defined]

    def _open(self, dock: QDockWidget, table: QTableView, model: object) -> None:
        """On opening below the race: as tall as its content, within the room the race spares."""
        window = self._window
        if dock.isFloating() or window.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            return
        self._fit(dock, table, model)
        rows = min(model.rowCount(), ROWS)  # type: ignore[attr-defined]
        content = dock.minimumSizeHint().height()
        if rows:
            content += table.horizontalHeader().height() + rows * table.verticalHeader().defaultSectionSize()
        height = max(dock.minimumSizeHint().height(), min(content, window.room_below()))
        window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        QTimer.singleShot(0, window, window.keep_race_readable)
