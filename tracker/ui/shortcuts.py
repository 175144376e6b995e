"""Help ▸ Keyboard shortcuts: a page built from the window's own menus.

The list is read from the QActions at the moment it is shown, never kept by hand, so a shortcut
added to a menu (by any part of the window) appears here and a changed one cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ShortcutRow:
    """One command as the menus show it: where it is, what it is called, its keys."""

    menu: str
    command: str
    keys: tuple[str, ...]


def _clean(text: str) -> str:
    """Menu text without its mnemonic marker ("&File" → "File"; "&&" stays one "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _rows(menu: QMenu, path: str) -> list[ShortcutRow]:
    rows: list[ShortcutRow] = []
    for act in menu.actions():
        if act.isSeparator():
            continue
        sub = act.menu()
        if isinstance(sub, QMenu):
            rows.extend(_rows(sub, f"{path} ▸ {_clean(act.text())}"))
            continue
        keys = tuple(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts() if not k.isEmpty()
        )
        if keys:
            rows.append(ShortcutRow(path, _clean(act.text()).rstrip("…").strip(), keys))
    return rows


def shortcut_rows(menubar: QMenuBar) -> list[ShortcutRow]:
    """Every menu command with a shortcut, in menu order (the first key is the one menus show)."""
    rows: list[ShortcutRow] = []
    for act in menubar.actions():
        menu = act.menu()
        if isinstance(menu, QMenu):
            rows.extend(_rows(menu, _clean(act.text())))
    return rows


class ShortcutsDialog(QDialog):
    """A read-only table: menu, command, keys."""

    def __init__(self, rows: list[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self._table = QTableWidget(len(rows), 3)
        self._table.setObjectName("shortcutsTable")
        self._table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
        self._table.verticalHeader().hide()
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._table.setAlternatingRowColors(True)
        for r, row in enumerate(rows):
            for c, text in enumerate((row.menu, row.command, "   or   ".join(row.keys))):
                self._table.setItem(r, c, QTableWidgetItem(text))
        header = self._table.horizontalHeader()
        for c in range(3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        note = QLabel("While you type in the search box, it keeps Space, + and −, the arrows, Home and End.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        # Wide and tall enough for every row without scrolling, from the table's own sizes (so it
        # holds at any scale factor), within the screen.
        self._table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._table.resizeRowsToContents()
        metrics = self.fontMetrics()
        table_h = self._table.horizontalHeader().height() + self._table.verticalHeader().length() + 4
        self._table.setMinimumHeight(min(table_h, metrics.height() * 40))
        self._table.setMinimumWidth(self._table.horizontalHeader().length() + metrics.averageCharWidth() * 4)
        self.adjustSize()

    def texts(self) -> list[tuple[str, str, str]]:
        """The rows as shown (for tests)."""
        return [
            tuple(self._table.item(r, c).text() for c in range(3))  # type: ignore[misc]
            for r in range(self._table.rowCount())
        ]


def show_shortcuts(window: QWidget, menubar: QMenuBar) -> ShortcutsDialog:
    """Open the page (non-modal, so it can stay beside the window while the night plays)."""
    dialog = ShortcutsDialog(shortcut_rows(menubar), window)
    dialog.setObjectName("shortcutsDialog")
    dialog.show()
    return dialog


def add_action(menu: QMenu, text: str, slot: object, keys: tuple[str, ...] = ()) -> QAction:
    act = QAction(text, menu)
    act.setShortcuts([QKeySequence(k) for k in keys])
    act.triggered.connect(slot)  # type: ignore[arg-type]
    menu.addAction(act)
    return act


def install_help_menu(window: QMainWindow) -> QMenu:
    """Help ▸ Keyboard shortcuts (F1); the start page and About add themselves after it."""
    menu = window.menuBar().addMenu("&Help")
    menu.setObjectName("helpMenu")
    act = add_action(menu, "&Keyboard shortcuts", lambda: show_shortcuts(window, window.menuBar()), ("F1",))
    act.setObjectName("shortcuts")
    return menu


#: Keys a focused control keeps for itself although a window shortcut uses them: Space presses a
#: focused button or opens a focused list; a focused slider (the scrubber) moves with the arrows,
#: Home and End, as sliders do.
_CONTROL_KEYS = {
    "button": {Qt.Key.Key_Space},
    "combo": {Qt.Key.Key_Space},
    "slider": {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End},
}


class _KeepControlKeys(QObject):
    """Accepts ShortcutOverride for the keys above, so they reach the focused control instead of
    triggering the window's action (text fields do this by themselves)."""

    def __init__(self, kind: str, parent: QObject) -> None:
        super().__init__(parent)
        self._keys = _CONTROL_KEYS[kind]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and event.key() in self._keys
        ):
            event.accept()
        return False


def keep_control_keys(window: QWidget) -> None:
    """Install the filter on the window's buttons, lists and sliders (call after building it)."""
    for kind, classes in (
        ("button", (QAbstractButton,)),
        ("combo", (QComboBox,)),
        ("slider", (QAbstractSlider,)),
    ):
        filt = _KeepControlKeys(kind, window)
        for cls in classes:
            for widget in window.findChildren(cls):
                if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                    widget.installEventFilter(filt)
