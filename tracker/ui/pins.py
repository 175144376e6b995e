"""Pins in the window: the pinned overview dock, and sharing the watch list as a file.

The window owns the race list and the pins' state; this controller only listens to it (a night
opened, a version drawn, a pin toggled, the selection moved) and keeps the overview in step, so
the window needs one line to install it. Reading and writing watch-list files, like every other
store or disk job, runs on the worker's thread (``Worker.run_store_job``).

The overview is shown by default as soon as a race is pinned; a user who closes it keeps it
closed (remembered in the window's settings) until they open it again from View ▸ Pinned overview.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from tracker.archive import watchlist
from tracker.archive.watchlist import ImportReport
from tracker.core.words import count
from tracker.store import Store
from tracker.ui.overview import OverviewDock, PinnedOverview

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QDockWidget, QMenuBar, QStatusBar, QTableView

    from tracker.core.model import Snapshot
    from tracker.ui.race_list import RaceListModel
    from tracker.ui.workers import NightInfo, Worker

#: QSettings key: the user closed the overview (it stays closed until they open it again).
CLOSED_KEY = "overview/closed"
FILE_FILTER = "Watch lists (*.json);;All files (*)"
TITLE = "Pinned overview"


class _Window(Protocol):
    """What the pins use of the main window: its signals and read-only state, the few calls they
    make, and the QMainWindow parts they dock into. Narrow on purpose: this module is installed by
    the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def drawn(self) -> SignalInstance: ...
    @property
    def worker(self) -> Worker: ...
    @property
    def race_model(self) -> RaceListModel: ...
    @property
    def race_table(self) -> QTableView: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    def select_contest(self, contest_id: str) -> None: ...
    def report_error(self, message: str) -> None: ...
    def room_below(self) -> int: ...
    def keep_race_readable(self) -> None: ...
    # the QMainWindow it is
    def menuBar(self) -> QMenuBar: ...
    def statusBar(self) -> QStatusBar: ...
    def findChild(self, type: type[QAction], name: str = ...) -> QAction | None: ...
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget) -> None: ...
    def resizeDocks(
        self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation
    ) -> None: ...
    def width(self) -> int: ...
    def height(self) -> int: ...


def _menu(window: _Window, title: str) -> QMenu:
    """The window's menu called ``title`` (with its & mnemonic), created when there is none
    (before Help, which stays last)."""
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text() == title:
            return menu
    menu = QMenu(title, bar)
    help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_action is not None:
        bar.insertMenu(help_action, menu)
    else:
        bar.addMenu(menu)
    return menu


def _pin_shortcut(window: _Window) -> str:
    """The shortcut of the window's pin action (named "pin"), as the user sees it, or ""."""
    action = window.findChild(QAction, "pin")
    if action is None or action.shortcut().isEmpty():
        return ""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


class PinsController(QObject):
    """Wires the overview dock and File ▸ Export/Import pins… into the window."""

    #: A watch list was merged into the store: the :class:`~tracker.archive.watchlist.ImportReport`.
    pins_imported = Signal(object)
    #: A watch list was written: path, number of pins.
    pins_exported = Signal(str, int)

    def __init__(self, window: _Window) -> None:
        super().__init__(window)
        from tracker.ui.settings import settings

        self._window = window
        self._settings = settings
        self._user_closed = bool(settings().value(CLOSED_KEY, False, type=bool))

        self._dock = OverviewDock(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._dock)
        self._dock.hide()
        shortcut = _pin_shortcut(window)
        how = (
            f"click ★ beside a race in the list, or select it and press {shortcut}"
            if shortcut
            else ("click ★ beside a race in the list")
        )
        self.overview.set_hint(f"No race pinned yet: {how}, to watch it here beside the others.")

        toggle = self._dock.toggleViewAction()
        toggle.setText("&Pinned overview")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+P"))
        toggle.triggered.connect(self._on_view_toggled)
        _menu(window, "&View").addAction(toggle)

        self._export_action = QAction("&Export pins…", window)
        self._export_action.setToolTip("Save this night's pinned races as a watch list to share")
        self._export_action.triggered.connect(self.choose_export)
        self._import_action = QAction("&Import pins…", window)
        self._import_action.setToolTip("Add the races of a shared watch list to your pins")
        self._import_action.triggered.connect(self.choose_import)
        file_menu = _menu(window, "&File")
        separators = [a for a in file_menu.actions() if a.isSeparator()]
        if separators:  # between the feed actions and Quit, in a group of their own
            file_menu.insertSeparator(separators[-1])
            file_menu.insertActions(separators[-1], [self._export_action, self._import_action])
        else:
            file_menu.addActions([self._export_action, self._import_action])

        self._dock.closed_by_user.connect(lambda: self._set_user_closed(True))
        self.overview.contest_clicked.connect(self.open_race)
        window.night_opened.connect(self._on_night_opened)
        window.drawn.connect(self._on_drawn)
        window.race_model.pin_toggled.connect(self._on_pin_toggled)
        window.race_table.selectionModel().currentRowChanged.connect(self._on_current_row)

    # reading ----------------------------------------------------------------------------------------
    @property
    def dock(self) -> OverviewDock:
        return self._dock

    @property
    def overview(self) -> PinnedOverview:
        return self._dock.overview

    @property
    def export_action(self) -> QAction:
        return self._export_action

    @property
    def import_action(self) -> QAction:
        return self._import_action

    # following the window --------------------------------------------------------------------------
    def _on_night_opened(self, info: NightInfo) -> None:
        self.overview.remember_names({c.id: c.name for c in info.final.contests})
        self.overview.set_snapshot(None, message="Loading…")
        self._sync_pins()

    def _on_drawn(self) -> None:
        window = self._window
        snapshot = window.snapshot if window.shown_version is not None else None
        if snapshot is None:
            self.overview.set_snapshot(None, message="No results yet at this time")
        else:
            # The cards say what the race view says: the user's rule for a race, when there is one.
            rules = getattr(window, "rule_overrides", None)
            self.overview.set_snapshot(rules.apply_snapshot(snapshot) if rules is not None else snapshot)
        self.overview.set_selected(window.selected_contest)
        # The cards carry the night's labels too (the dock can float away from the banner).
        night = window.night
        label = ""
        if snapshot is not None and snapshot.election.test:
            label = " — TEST DATA"
        elif (night is not None and night.reconstructed) or (
            snapshot is not None and snapshot.election.reconstructed
        ):
            label = " — reconstructed night"
        self._dock.setWindowTitle(f"{TITLE}{label}")
        self._dock.toggleViewAction().setText("&Pinned overview")  # the menu keeps its own words

    def _on_pin_toggled(self, _contest_id: str, _name: str, _pinned: bool) -> None:
        self._sync_pins()

    def _on_current_row(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.overview.set_selected(self._window.selected_contest)

    def _sync_pins(self) -> None:
        pins = self._window.race_model.pins()
        self.overview.set_pins(pins)
        if pins and not self._user_closed and self._dock.isHidden():
            self._dock.show()
            # One row of cards (the rest scroll; drag the edge for more): the race above keeps
            # the room its bars and axis need.
            window = self._window
            height = self.overview.preferred_height(window.width()) + self._dock.title_height()
            height = min(height, int(window.height() * 0.45))
            # ... and no taller than leaves the race's rows a text line tall, when it can.
            height = max(min(height, window.room_below()), self._dock.minimumSizeHint().height())
            window.resizeDocks([self._dock], [height], Qt.Orientation.Vertical)
            QTimer.singleShot(0, window, window.keep_race_readable)

    def open_race(self, contest_id: str) -> None:
        """A card was clicked: show that race in the window."""
        self._window.select_contest(contest_id)
        self.overview.set_selected(self._window.selected_contest)

    def _on_view_toggled(self, checked: bool) -> None:
        self._set_user_closed(not checked)

    def _set_user_closed(self, closed: bool) -> None:
        self._user_closed = closed
        store = self._settings()
        store.setValue(CLOSED_KEY, closed)
        store.sync()

    # the watch-list file ---------------------------------------------------------------------------
    def choose_export(self) -> None:
        """File ▸ Export pins…: ask where, then write this night's pins there."""
        election = self._window.race_model.election_id
        if not election:
            self._window.report_error("Open a night before exporting its pins.")
            return
        if not self._window.race_model.pins():
            self._window.report_error("No race is pinned in this night: there is nothing to export.")
            return
        name = re.sub(r"[^\w.-]+", "-", election).strip("-") or "tracker"
        from tracker.ui.last_folder import remember, start_path

        start = start_path(f"{name}-pins.json")
        path, _ = QFileDialog.getSaveFileName(self._window, "Export pins", start, FILE_FILTER)
        if path:
            remember(path)
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write this night's pins to ``path`` (in the background); ``pins_exported`` follows."""
        election = self._window.race_model.election_id

        def job(store: Store) -> int:
            return watchlist.export_pins(store, path, election_id=election)

        self._window.worker.run_store_job(job, lambda n: self._exported(path, int(n)))  # type: ignore[call-overload]

    def _exported(self, path: Path, n: int) -> None:
        self._window.statusBar().showMessage(f"Exported {count(n, 'pin')} to {path}", 15000)
        self.pins_exported.emit(str(path), n)

    def choose_import(self) -> None:
        """File ▸ Import pins…: ask for a watch list, then merge it into the pins."""
        from tracker.ui.last_folder import remember, start_path

        path, _ = QFileDialog.getOpenFileName(self._window, "Import pins", start_path(), FILE_FILTER)
        if path:
            remember(path)
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        """Merge the watch list at ``path`` into the pins (in the background); ``pins_imported``
        follows, or the window reports why the file was refused (nothing is pinned then)."""

        def job(store: Store) -> ImportReport:
            return watchlist.import_pins(store, path)

        self._window.worker.run_store_job(job, self._imported)  # type: ignore[arg-type]

    def _imported(self, report: ImportReport) -> None:
        model = self._window.race_model
        self.overview.remember_names({p.contest_id: p.name for p in report.added if p.name})
        here = report.new_ids(model.election_id) if model.election_id else set()
        if here:
            model.set_pins(model.pins() | here)
            self._sync_pins()
        text = report.summary()
        if report.new:
            text += f" ({len(here)} in this night)" if len(here) != report.new else " (all in this night)"
        self._window.statusBar().showMessage(text[:1].upper() + text[1:], 15000)
        self.pins_imported.emit(report)
