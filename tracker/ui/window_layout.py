"""The window's size and room: its layout kept between runs, and the room docks may take below.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`WindowLayout` in,
because this is the one part that reads and writes the window's geometry: the size, the splitter
and the docks come back as the user left them (QSettings), and a dock opening below never squeezes
the race's bars under a readable row (``room_below``, ``keep_race_readable``, used by
:mod:`tracker.ui.dock_sizes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDockWidget, QStyle

from tracker.ui.settings import settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QSplitter

    from tracker.ui.race_view import RaceView
    from tracker.ui.timeline import TimelineView

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object

DEFAULT_SIZE = (1200, 760)
#: ``saveState``'s version: bump it when the docks change so an old layout is not forced on new ones.
LAYOUT_VERSION = 1


class WindowLayout(_Base):
    """The layout part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    _persist_layout: bool
    _race_view: RaceView
    _timeline_view: TimelineView
    _race_split: QSplitter
    _splitter: QSplitter

    def room_below(self) -> int:
        """Pixels the bottom dock area may take while every bar of the race on screen keeps a row
        a text line tall (``RaceView.comfortable_height``) and the rest of the window its
        minimum. From the race's needs, not its present height: a dock shown a moment ago and not
        yet laid out would skew that."""
        # Lay out what is pending first (a banner or dock shown a moment ago has no height yet).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        race, timeline = self._race_view, self._timeline_view
        # The central area's other parts (banners, replay bar, margins) as laid out now: their
        # heights do not depend on the docks (a minimum size hint misses a wrapped banner).
        others = self.centralWidget().height() - race.height() - timeline.height()
        central = others + race.comfortable_height() + timeline.minimumSizeHint().height()
        used = central + self.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        if self.menuWidget() is not None:
            used += self.menuWidget().sizeHint().height()
        if not self.statusBar().isHidden():
            used += self.statusBar().sizeHint().height()
        used += max(
            (
                dock.height()
                for dock in self.findChildren(QDockWidget)
                if not dock.isHidden()
                and not dock.isFloating()
                and self.dockWidgetArea(dock) == Qt.DockWidgetArea.TopDockWidgetArea
            ),
            default=0,
        )
        return self.height() - used

    def keep_race_readable(self) -> None:
        """After a dock has opened below: the race first, the timeline what is left (the splitter
        would otherwise take three quarters of the loss from the bars)."""
        sizes = self._race_split.sizes()
        total = sum(sizes)
        floor = self._timeline_view.minimumSizeHint().height()
        race = min(max(self._race_view.comfortable_height(), sizes[0]), total - floor)
        if race > sizes[0]:
            self._race_split.setSizes([race, total - race])

    # layout persistence (QSettings) ----------------------------------------------------------------
    def _restore_layout(self) -> None:
        store = settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry):
            pass
        else:
            self.resize(*DEFAULT_SIZE)
        splitter = store.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self._splitter.restoreState(splitter)
        # The docks (pinned overview, alerts, projection log, drill-down): where the user put them,
        # open or closed, floating or docked. A dock made later (the drill-down) is put back when
        # it is made (``restoreDockWidget``).
        docks = store.value("window/docks")
        if isinstance(docks, QByteArray) and not docks.isEmpty():
            self.restoreState(docks, LAYOUT_VERSION)

    def save_layout(self) -> None:
        """Write geometry and splitter position, so the window comes back as the user left it."""
        if not self._persist_layout:
            return
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/splitter", self._splitter.saveState())
        store.setValue("window/docks", self.saveState(LAYOUT_VERSION))
        store.sync()
