"""Sizes that fit: a window that opens inside the screen and never widens itself.

A laptop's 1024×640, a 960-px half-screen tile and a 1920×1080 screen at ``QT_SCALE_FACTOR=2``
(960×540 logical pixels) must all hold the window. Two things stood in the way: labels whose
minimum width is their whole text (a long race name or header line made the window's minimum
1,053 px, and selecting another race could widen the window), and a first size taken from a
constant rather than from the screen. Here the labels wrap (the race's header) or clip (the
status bar, whose tooltip has the whole text), the charts' floors are lowered to what still
reads, and the first size is clamped to the screen's available area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from tracker.ui.race_view import RaceView
    from tracker.ui.timeline import TimelineView

#: The smallest window that must be possible (logical pixels): a 960-px tile, 1920×1080 at scale 2.
MIN_FIT = QSize(960, 520)
#: Room left for the window manager's frame and title bar when clamping (logical pixels).
FRAME_ALLOWANCE = QSize(8, 32)
#: The race chart's floor: seven rows of bars still read at this height.
PLOT_FLOOR_PX = 170
#: The timeline's floor: its caption and a strip of chart.
TIMELINE_FLOOR_PX = 70
#: The status bar's night label keeps this many characters ("Live: https://results.e…") when a
#: feed's health (its failing error, its retry) would otherwise take the whole bar: clipped to
#: "Liv" it no longer said what is open. The health's words are also over the race, and whole in
#: the tooltips.
NIGHT_LABEL_FLOOR_CHARS = 24


def wrap_labels(root: QWidget) -> None:
    """Let every label under ``root`` wrap, so none asks for its whole text as a minimum width
    (except a label marked ``oneLine``: the race's counts, whose line the rule beside it yields to)."""
    for label in root.findChildren(QLabel):
        if not label.property("oneLine"):
            label.setWordWrap(True)


def clip_labels(root: QWidget) -> None:
    """Labels under ``root`` may shrink below their text (they keep it whole in their tooltip)."""
    for label in root.findChildren(QLabel):
        if not label.property("oneLine"):
            label.setMinimumWidth(1)


def clamped(size: QSize, available: QRect) -> QSize:
    """``size`` within ``available`` less the window frame's allowance."""
    return QSize(
        max(1, min(size.width(), available.width() - FRAME_ALLOWANCE.width())),
        max(1, min(size.height(), available.height() - FRAME_ALLOWANCE.height())),
    )


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move ``window`` into its screen's available area (a restored size from a bigger
    screen, or the default size on a small one), keeping its size when it already fits."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    size = clamped(window.size(), available)
    if size != window.size():
        window.resize(size)
    # pos() is the frame's top-left for a top-level window: keep frame and title bar on screen.
    pos = window.pos()
    right = available.right() + 1 - size.width() - FRAME_ALLOWANCE.width()
    bottom = available.bottom() + 1 - size.height() - FRAME_ALLOWANCE.height()
    x = max(available.left(), min(pos.x(), right))
    y = max(available.top(), min(pos.y(), bottom))
    if (x, y) != (pos.x(), pos.y()):
        window.move(x, y)


class _Window(Protocol):
    """What the fitting uses of the main window: the two views it loosens and the status bar it
    lets clip, in the QWidget it is (for the screen). Narrow on purpose: this module is installed
    by the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def race_view(self) -> RaceView: ...
    @property
    def timeline_view(self) -> TimelineView: ...
    def statusBar(self) -> QStatusBar: ...


def install_window_fit(window: _Window) -> None:
    """Make the window's minimum small and stable, and clamp its first size to the screen."""
    race, timeline = window.race_view, window.timeline_view
    wrap_labels(race)
    wrap_labels(timeline)
    race.plot_widget.setMinimumHeight(PLOT_FLOOR_PX)
    for child in timeline.findChildren(QWidget):
        if child.minimumHeight() > TIMELINE_FLOOR_PX:
            child.setMinimumHeight(TIMELINE_FLOOR_PX)
    clip_labels(window.statusBar())
    night = window.statusBar().findChild(QLabel, "statusNight")
    if night is not None:
        night.setMinimumWidth(night.fontMetrics().averageCharWidth() * NIGHT_LABEL_FLOOR_CHARS)
    fit_to_screen(window)  # type: ignore[arg-type]  # the QMainWindow it is
