"""The window's menus: every command a QAction with its shortcut, and the docks they open.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`WindowMenus` in,
because the menus are the window's list of commands (Help ▸ Keyboard shortcuts is built from
these actions, tests find them by name in ``actions_by_name``): File (feeds, nights, recent feeds,
Export, made on first use above Quit), Race (pins, search, the user's rules, the logs, the
drill-down, made on first use), Replay (the replay bar's steps), and the theme and help menus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from tracker.ui.alert_log import AlertLog
from tracker.ui.exports import RaceExports
from tracker.ui.projection_log import ProjectionLogDock

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMainWindow, QTableView

    from tracker.core.model import Snapshot
    from tracker.ui.drilldown import DrillDownDock
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.workers import Worker

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object


class WindowMenus(_Base):
    """The menus part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    drawn: SignalInstance
    night_opened: SignalInstance
    _worker: Worker
    _persist_layout: bool
    _replay_bar: ReplayBar
    _table: QTableView
    _snapshot: Snapshot | None
    _shown: int | None
    _contest_id: str | None
    _recent_feeds: list[str]
    _export_menu: QMenu | None

    if TYPE_CHECKING:

        def choose_feed(self) -> None: ...

        def choose_night(self) -> None: ...

        def stop_feed(self) -> None: ...

        def open_feed(self, url: str) -> None: ...

        def toggle_current_pin(self) -> None: ...

        def focus_search(self) -> None: ...

        def _on_rules_changed(self) -> None: ...

    def _build_menus(self) -> None:
        """Every command is a QAction in a menu, its shortcut shown there and listed by Help ▸
        Keyboard shortcuts (built from these actions). Ctrl+O opens a feed, the election-night
        task; Ctrl+Shift+O a night file. Shortcuts are window-wide, but a focused text field keeps
        the keys it types or edits with (QLineEdit claims them first), so Space, +, −, ←/→ and
        Home/End go to the search box while it has focus. The race table keeps ↑/↓ (choose a race);
        ←/→, Home/End and Space step the night from there too, as a row-selected list needs none."""
        self._actions: dict[str, QAction] = {}

        def action(name: str, text: str, keys: tuple[str | QKeySequence.StandardKey, ...], slot) -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.triggered.connect(slot)
            self._actions[name] = act
            return act

        file_menu = self.menuBar().addMenu("&File")
        self._file_menu = file_menu
        file_menu.addAction(action("open_feed", "Open &feed…", ("Ctrl+O",), self.choose_feed))
        file_menu.addAction(action("open_night", "&Open night…", ("Ctrl+Shift+O",), self.choose_night))
        self._recent_menu = file_menu.addMenu("Recent feeds")
        self._recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._stop_feed_action = QAction("&Stop polling the feed", self)
        self._stop_feed_action.triggered.connect(self.stop_feed)
        self._stop_feed_action.setEnabled(False)
        file_menu.addAction(self._stop_feed_action)
        self._file_menu_end = file_menu.addSeparator()
        file_menu.addAction(action("quit", "&Quit", ("Ctrl+Q",), self.close))

        race_menu = self._race_menu = self.menuBar().addMenu("&Race")
        race_menu.addAction(action("pin", "&Pin / unpin race", ("Ctrl+P", "Ctrl+D"), self.toggle_current_pin))
        race_menu.addAction(action("find", "&Find race", ("Ctrl+F",), self.focus_search))
        from tracker.ui.rule_override import RuleOverrides

        # The user's rule for a race, over the feed's and the jurisdiction table's (kept in the store).
        self._rules = RuleOverrides(self)
        self._rules.changed.connect(self._on_rules_changed)
        self._actions["contest_rule"] = self._rules.action
        race_menu.addAction(self._rules.action)
        # The projection log (a dock, hidden until asked for): every projection made, from the store.
        self._log_dock = ProjectionLogDock(self._worker, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._log_dock)
        self._log_dock.hide()
        # A night whose files have no times: the log says which version, not the placeholder time.
        self.night_opened.connect(self._log_dock.follow_night)
        log_action = self._log_dock.toggleViewAction()
        log_action.setText("Projection &log")
        log_action.setShortcut(QKeySequence("Ctrl+L"))
        race_menu.addSeparator()
        race_menu.addAction(log_action)
        self._alert_log = AlertLog(self, race_menu)  # alerts, corrections, notifications

        replay_menu = self.menuBar().addMenu("Re&play")
        bar = self._replay_bar
        for name, text, keys, slot in (
            ("play", "&Play / pause", ("Space",), bar.toggle),
            ("previous", "P&revious update", ("Left", "Alt+Left"), bar.previous_update),
            ("next", "&Next update", ("Right", "Alt+Right"), bar.next_update),
            ("faster", "&Faster", ("+", "="), bar.faster),
            ("slower", "&Slower", ("-",), bar.slower),
            ("start", "&Start of the night", ("Home",), bar.go_start),
            ("end", "&End of the night", ("End",), bar.go_end),
        ):
            replay_menu.addAction(action(name, text, keys, slot))
        from tracker.ui.shortcuts import install_help_menu
        from tracker.ui.theme import install_theme_menu

        install_theme_menu(self)
        install_help_menu(self)

    def export_menu(self) -> QMenu:
        """File ▸ Export (created on first use, above Quit): every export puts its action here."""
        if self._export_menu is None:
            self._export_menu = QMenu("&Export", self)
            self._file_menu.insertMenu(self._file_menu_end, self._export_menu)
        return self._export_menu

    def _install_drilldown(self) -> None:
        """Race ▸ Drill down (a dock: the race by county and precinct, and its vote-type mix) and
        File ▸ Export of the race (CSV, PNG, SVG); both follow the version and the race on screen.
        The dock is made the first time it is asked for (``drilldown``): its module, table and
        chart cost start-up ~50 ms that a night opened only to watch never needs."""
        self._drilldown: DrillDownDock | None = None
        action = QAction("&Drill down", self)
        action.setObjectName("drilldown")
        action.setCheckable(True)
        action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        action.triggered.connect(self._toggle_drilldown)
        self._actions["drilldown"] = action
        self._race_menu.addAction(action)
        self._exports = RaceExports(self, self._worker)
        self.export_menu().addActions(self._exports.actions())
        from tracker.ui.publication import install_size_menu

        install_size_menu(self, self._exports, self.export_menu())

    def _toggle_drilldown(self, checked: bool) -> None:
        dock = self.drilldown
        if dock.isHidden() == checked:  # the dock's own toggle: it raises a tabbed dock too
            dock.toggleViewAction().trigger()

    def _make_drilldown(self) -> DrillDownDock:
        from tracker.ui.drilldown import DrillDownDock

        dock = DrillDownDock(
            self._worker,
            lambda: (self._snapshot if self._shown is not None else None, self._contest_id),
            self,
        )
        # Where the user left it last time, if they did; else its first-use place when first shown
        # (not while Qt puts it back: restoring shows a dock that was open).
        dock.set_first_placement(False)
        if not (self._persist_layout and self.restoreDockWidget(dock)):
            dock.set_first_placement(True)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()  # opened when asked for
        # The menu's action shows what the dock shows, however it was opened or closed.
        dock.toggleViewAction().toggled.connect(self._actions["drilldown"].setChecked)
        self.drawn.connect(dock.refresh)
        self._table.selectionModel().currentRowChanged.connect(lambda *_: dock.refresh())
        return dock

    def _set_recent_feeds(self, urls: object) -> None:
        self._recent_feeds = [str(u) for u in urls] if isinstance(urls, list) else []

    def _fill_recent_menu(self) -> None:
        self._recent_menu.clear()
        if not self._recent_feeds:
            action = self._recent_menu.addAction("No recent feeds")
            action.setEnabled(False)
            return
        for url in self._recent_feeds:
            action = self._recent_menu.addAction(url)
            action.triggered.connect(lambda _checked=False, u=url: self.open_feed(u))

    @property
    def actions_by_name(self) -> dict[str, QAction]:
        """The window's commands by name (``play``, ``open_feed``, …), as the menus hold them."""
        return dict(self._actions)

    @property
    def drilldown(self) -> DrillDownDock:
        """The drill-down dock, made (hidden) on first use."""
        if self._drilldown is None:
            self._drilldown = self._make_drilldown()
        return self._drilldown
