"""Focus and keys like a desktop app, and names for assistive technology.

An editor drives the window from the keyboard all night, so the focus must sit where the window's
single-key shortcuts (Space, ←/→, +/−) work: on the race view when a night opens, never in the
search box. Tab walks the panels (race list, race, replay bar, docks) without ever moving the race
selection (a table's own Tab would step rows and change the race on screen). The search box
answers Escape (clear it and leave) and Enter/↓ (take the first match). A focused button takes
Space and Enter, wherever it was made (start page, docks), so no command needs the mouse.

Every focusable widget gets an accessible name (from its own text, tooltip or placeholder when the
code gave it none), and the race view describes its bars one candidate per line, the way a
sighted reader takes them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QGraphicsView,
    QLineEdit,
    QWidget,
)

from tracker.core.words import count
from tracker.ui.bar_texts import BarInfo, display_name
from tracker.ui.race_list import COL_NAME

if TYPE_CHECKING:
    from PySide6.QtCore import QSortFilterProxyModel, SignalInstance
    from PySide6.QtWidgets import QTableView

    from tracker.ui.race_view import RaceView
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import Worker


class _Window(Protocol):
    """What the focus and keys use of the main window: its signals, the race list, search box,
    race and timeline views, the worker (for the start page's lists), and the QWidget it is (its
    children, its events). The start page is read with ``getattr(window, "first_run")``. Narrow on
    purpose: this module is installed by the window and must not import it back
    (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def drawn(self) -> SignalInstance: ...
    @property
    def worker(self) -> Worker: ...
    @property
    def race_table(self) -> QTableView: ...
    @property
    def race_proxy(self) -> QSortFilterProxyModel: ...
    @property
    def search_box(self) -> QLineEdit: ...
    @property
    def race_view(self) -> RaceView: ...
    @property
    def timeline_view(self) -> TimelineView: ...
    # the QWidget it is
    @property
    def destroyed(self) -> SignalInstance: ...
    def installEventFilter(self, filter: QObject) -> None: ...


_BUTTON_KEYS = {Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter}
_NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def candidate_line(bar: BarInfo) -> str:
    """One candidate as a screen reader says it: "Jon Ossoff, 50.3 %, 71,917 votes, needs 49.0 %
    of the outstanding vote" (the phrase is the one beside the bar, whatever it says)."""
    pieces = [display_name(bar.name)]
    if bar.parts:
        pieces += [f"{bar.share:.1f} %", count(bar.votes, "vote")]
    phrase = bar.phrase(0)
    if phrase:
        pieces.append(phrase)
    return ", ".join(pieces)


def race_description(title: str, bars: list[BarInfo]) -> str:
    """The race view's accessible description: its title, then one line per candidate."""
    return "\n".join([title, *(candidate_line(b) for b in bars)])


def _widget_name(widget: QWidget) -> str:
    """A readable name from what the widget shows (text, placeholder, tooltip), or ""."""
    text = ""
    if isinstance(widget, QAbstractButton):
        text = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    elif isinstance(widget, QLineEdit):
        text = widget.placeholderText()
    return (text or widget.toolTip()).strip().rstrip("…").strip()


_KINDS = ((QAbstractItemView, "table"), (QGraphicsView, "chart"), (QAbstractScrollArea, "list"))


def _fallback_name(widget: QWidget) -> str:
    """For a widget that shows no words of its own: its panel's title and what it is."""
    kind = next((word for cls, word in _KINDS if isinstance(widget, cls)), "panel")
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QDockWidget):
            return f"{parent.windowTitle().split(' — ')[0]} {kind}"
        parent = parent.parentWidget()
    return kind.capitalize()


def name_widgets(root: QWidget) -> None:
    """Give every focusable widget under ``root`` an accessible name when it has none (a spin
    box's or combo box's own text field is named by its box)."""
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or widget.accessibleName():
            continue
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue
        widget.setAccessibleName(_widget_name(widget) or _fallback_name(widget))


class _ButtonKeys(QObject):
    """Space and Enter press the focused button (Space would otherwise play the night, and Enter
    does nothing on a button outside a dialog); a focused list or spin box keeps Space too."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not isinstance(
            event, QKeyEvent
        ):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier != _NO_MODIFIER:
            return False
        if not isinstance(watched, QWidget) or not self._window.isAncestorOf(watched):
            return False
        key = event.key()
        if isinstance(watched, QAbstractButton) and key in _BUTTON_KEYS:
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the button gets the key press
                return False
            if key != Qt.Key.Key_Space and watched.isEnabled():
                watched.animateClick()
                return True
        elif (
            isinstance(watched, (QComboBox, QAbstractSpinBox))
            and key == Qt.Key.Key_Space
            and kind == QEvent.Type.ShortcutOverride
        ):
            event.accept()
        return False


class _SearchKeys(QObject):
    """Escape clears the search box and leaves it for the race list; Enter or ↓ picks the first
    race that matches and moves there."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
            event.accept()
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        window = self._window
        if key == Qt.Key.Key_Escape:
            window.search_box.clear()
            window.race_table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            proxy, table = window.race_proxy, window.race_table
            if proxy.rowCount() > 0:
                index = proxy.index(0, COL_NAME)
                table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                table.scrollTo(index)
            table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False


class KeyboardFocus(QObject):
    """Installs the above on ``window`` (one call, after the window and its docks are built)."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        table = window.race_table
        # Tab leaves the table for the next panel instead of stepping its cells (which moved the
        # selection, and with it the race on screen).
        table.setTabKeyNavigation(False)
        table.setAccessibleName("Races")
        table.setAccessibleDescription("↑ and ↓ choose the race on screen")
        view = window.race_view
        view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        view.setAccessibleName("Race")
        # The charts draw; the race view itself is the one stop for Tab and the screen reader.
        view.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        window.timeline_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        window.timeline_view.setAccessibleName("The race over the night")
        search = window.search_box
        search.setAccessibleName("Search races")
        search.setToolTip("Type part of a race's name · Enter or ↓ picks the first match · Esc clears")
        self._search_keys = _SearchKeys(window)
        search.installEventFilter(self._search_keys)
        self._button_keys = _ButtonKeys(window)  # type: ignore[arg-type]
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._button_keys)
            window.destroyed.connect(lambda *_: app.removeEventFilter(self._button_keys))
        name_widgets(window)  # type: ignore[arg-type]
        window.night_opened.connect(self._on_night_opened)
        window.drawn.connect(self.describe_race)
        table.selectionModel().currentRowChanged.connect(lambda *_: self.describe_race())
        window.worker.catalogue_ready.connect(self._on_catalogue)
        window.installEventFilter(self)

    def describe_race(self) -> None:
        """Tell assistive technology what the race view shows, candidate by candidate."""
        view = self._window.race_view
        title = view.header_texts().get("title", "")
        view.setAccessibleName(f"Race: {title}" if view.contest is not None else "Race")
        view.setAccessibleDescription(race_description(title, view.bars()))

    def _on_night_opened(self, _info: object) -> None:
        """The race view takes the focus: the single-key shortcuts work at once."""
        self._window.race_view.setFocus(Qt.FocusReason.OtherFocusReason)
        name_widgets(self._window)  # type: ignore[arg-type]

    def _on_catalogue(self, _found: object) -> None:
        # After the page has refilled its lists (and deleted the old entries).
        QTimer.singleShot(0, self.focus_start_page)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window just became active (the lists may have come before it was on screen)."""
        if watched is self._window and event.type() == QEvent.Type.WindowActivate:
            QTimer.singleShot(0, self.focus_start_page)
        return False

    def focus_start_page(self) -> None:
        """On the start page, the first night that comes with the app has the focus (Enter opens
        it), unless the user is already on one of the page's buttons."""
        first_run = getattr(self._window, "first_run", None)
        if first_run is None or not first_run.showing_start_page:
            return
        page = first_run.page
        name_widgets(page)
        focus = QApplication.focusWidget()
        entries = [*page.entries("bundled"), *page.entries("nights"), *page.entries("feeds")]
        # (an entry the page has just replaced is still alive, about to be deleted: not "on" it)
        listed = focus in entries or (
            isinstance(focus, QAbstractButton)
            and page.isAncestorOf(focus)
            and focus.objectName().startswith("startOpen")
        )
        if listed:
            return  # the user is already on one of the page's buttons
        buttons = page.entries("bundled") or page.entries("nights")
        if buttons:
            buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)
