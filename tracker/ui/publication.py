"""Pictures at a publication size: File ▸ Export ▸ Picture size.

The race view on screen is squeezed by whatever docks are open; a picture for a story or a social
card needs a fixed size. For an export at a chosen size a race view of its own is made at that
size (hidden, fed the same version, race, estimates and projection as the window's), with copies
of the window's banners above it, so the picture -- banners, race and its whole caption -- is
exactly the chosen size whatever the window looks like.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QWidget

from tracker.ui.settings import settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracker.core.model import Snapshot
    from tracker.ui.race_view import RaceView
    from tracker.ui.workers import Worker

KEY = "export/picture_size"
#: Space between the stacked widgets and around the caption, in pixels (the exports' layout too).
GAP = 6
#: (menu text, size in pixels; None: the race view as it is on screen).
SIZES: tuple[tuple[str, QSize | None], ...] = (
    ("1200 × 675 (social card)", QSize(1200, 675)),
    ("1600 × 900", QSize(1600, 900)),
    ("1920 × 1080 (full HD)", QSize(1920, 1080)),
    ("1080 × 1080 (square)", QSize(1080, 1080)),
    ("As on screen", None),
)
DEFAULT = "1600 × 900"


class _Window(Protocol):
    """What a picture at a size uses of the main window: its banners, and what the race view
    shows (for :func:`~tracker.ui.presentation.show_window_race`), in the QWidget it is. Narrow on
    purpose: this module is installed by the window and must not import it back
    (docs/architecture.md, "Layers")."""

    @property
    def banner(self) -> QLabel: ...
    @property
    def test_banner(self) -> QLabel: ...
    @property
    def race_view(self) -> RaceView: ...
    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    @property
    def worker(self) -> Worker: ...


class _Exports(Protocol):
    """What the size menu sets on the window's exports (:class:`~tracker.ui.exports.RaceExports`,
    which imports this module: it is not imported back)."""

    picture_size: QSize | None


def wrap_caption(caption: Sequence[str], font: QFont, width: int) -> list[str]:
    """The caption's lines broken at spaces to fit ``width`` pixels: a provenance line is never
    cut ("(reconstruct"), however narrow the race view was."""
    metrics = QFontMetrics(font)
    out: list[str] = []
    for text in caption:
        line = ""
        for word in text.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(candidate) > width:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return out


def size_named(name: str) -> QSize | None:
    return dict(SIZES).get(name, dict(SIZES)[DEFAULT])


def sized_widgets(window: _Window, size: QSize, caption: list[str], font: QFont) -> list[QWidget]:
    """Banners (copies of the window's, as shown) and a race view laid out so that, with the
    caption under them, the picture is ``size``. The caller keeps them alive until drawn."""
    from tracker.ui.presentation import show_window_race
    from tracker.ui.race_view import RaceView
    from tracker.ui.window_fit import wrap_labels

    width = size.width()
    widgets: list[QWidget] = []
    for banner in (window.test_banner, window.banner):
        if not banner.isVisibleTo(window):  # type: ignore[arg-type]  # the QWidget it is
            continue
        copy = QLabel(banner.text())
        copy.setTextFormat(banner.textFormat())
        copy.setStyleSheet(banner.styleSheet())
        copy.setWordWrap(True)
        copy.setFixedWidth(width)
        copy.setFixedHeight(copy.heightForWidth(width))
        widgets.append(copy)
    lines = len(wrap_caption(caption, font, width - 2 * GAP - 4))
    used = sum(w.height() + GAP for w in widgets) + GAP + 2 * GAP + QFontMetrics(font).lineSpacing() * lines
    view = RaceView()
    wrap_labels(view)  # its header lines wrap at the picture's width, as the window's do
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(width, max(200, size.height() - used))
    show_window_race(view, window)
    view.show()  # laid out (never on screen): the plot sizes its rows and texts for this size
    QApplication.processEvents()
    show_window_race(view, window)  # again, at its final size
    widgets.append(view)
    return widgets


def install_size_menu(window: _Window, exports: _Exports, menu: QMenu) -> QMenu:
    """File ▸ Export ▸ Picture size: one of SIZES, remembered."""
    chosen = str(settings().value(KEY, DEFAULT))
    if chosen not in dict(SIZES):
        chosen = DEFAULT
    sub = menu.addMenu("Picture &size")
    sub.setObjectName("pictureSizeMenu")
    group = QActionGroup(sub)
    for name, _size in SIZES:
        action = QAction(name, sub)
        action.setCheckable(True)
        action.setChecked(name == chosen)
        action.triggered.connect(lambda _c=False, n=name: _choose(exports, n))
        group.addAction(action)
        sub.addAction(action)
    exports.picture_size = size_named(chosen)
    return sub


def _choose(exports: _Exports, name: str) -> None:
    exports.picture_size = size_named(name)
    store = settings()
    store.setValue(KEY, name)
    store.sync()
