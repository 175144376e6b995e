"""The main window: race list on the left, the selected race on the right, the replay bar below.

It wires the pieces together and holds the little state that belongs to the window (which race is
selected, which version is on screen). Everything slow -- opening a night, parsing a version,
writing a pin -- goes through the :class:`~tracker.ui.workers.Worker`; the window only ever sees
finished, immutable results.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tracker import paths
from tracker.archive.replay import ReplayClock, Timeline
from tracker.core.lookup import find_contests, no_such_contest
from tracker.core.model import Contest, Snapshot
from tracker.core.opening import opening_race
from tracker.ui.alert_log import AlertLog
from tracker.ui.exports import RaceExports
from tracker.ui.feed_status import FeedStatus
from tracker.ui.pins import PinsController
from tracker.ui.plain_text import (
    TEXT_LIMIT,
    ask,
    clean,
    esc,
    install_tooltip_guard,
    make_markup,
    make_plain,
    plain_tooltip,
    warn,
)
from tracker.ui.projection_log import ProjectionLogDock
from tracker.ui.race_filter import RaceFilterProxy
from tracker.ui.race_list import COL_NAME, COL_PIN, ContestIdRole, RaceListModel
from tracker.ui.race_list_panel import RaceListPanel
from tracker.ui.race_view import RaceView
from tracker.ui.replay_bar import ReplayBar
from tracker.ui.settings import settings
from tracker.ui.timeline import TimelinePoint, TimelineView, counting_span
from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # made on first use: its module and chart are not start-up's
    from collections.abc import Mapping

    from tracker.core.projection import ContestProjection
    from tracker.ui.drilldown import DrillDownDock
    from tracker.ui.rule_override import RuleOverrides

APP_TITLE = "Election Night Tracker"
DEFAULT_SIZE = (1200, 760)
DEFAULT_SPEED = 60.0
#: ``saveState``'s version: bump it when the docks change so an old layout is not forced on new ones.
LAYOUT_VERSION = 1
RECONSTRUCTED_NOTE = "reconstructed from certified precinct results — not the original feed"
#: A version is applied in steps, each in its own turn of the event loop this long after the last.
APPLY_STEP_MS = 1


def reconstructed_banner(name: str, note: str) -> str:
    """The banner over a reconstructed night (markup, the feed's words escaped): its name, then its
    note -- unless the name already says it. A served reconstruction's election name carries the
    note, and the live path once printed the sentence twice."""
    note = note.strip().rstrip(".") or RECONSTRUCTED_NOTE
    text = name if note.lower() in name.lower() else f"{name} — {note}"
    return f"<b>Reconstructed night.</b> {esc(text, TEXT_LIMIT)}"


BANNER_STYLE = (
    "QLabel { background: #FFF4D6; color: #3D2E00; border: 1px solid #E6C36A;"
    " border-left: 5px solid #E69F00; padding: 6px 10px; }"
)
#: AP test mode (and any feed that marks its numbers as test data): impossible to miss.
TEST_BANNER_STYLE = (
    "QLabel { background: #B3261E; color: white; font-weight: bold; border: 2px solid #7A1712;"
    " padding: 6px 10px; }"
)
TEST_TEXT = "TEST DATA — not real results."


class MainWindow(QMainWindow):
    """The tracker's window over one night at a time."""

    #: The view now shows the night at the replay position (a version, or "nothing yet").
    drawn = Signal()
    #: A night is open and on screen: its :class:`NightInfo`.
    night_opened = Signal(object)
    #: Something the user should read went wrong (also shown in a message box when interactive).
    error_reported = Signal(str)

    def __init__(
        self,
        worker: Worker | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        interactive: bool = True,
        persist_layout: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        install_tooltip_guard()  # every tooltip in the app shown literally (issue 19)
        self.setWindowTitle(APP_TITLE)
        self._worker = worker if worker is not None else Worker(self)
        self._clock_fn = clock
        self._interactive = interactive
        self._persist_layout = persist_layout
        self._info: NightInfo | None = None
        self._timeline: Timeline | None = None
        self._snapshot: Snapshot | None = None
        self._requested: int | None = None
        self._shown: int | None = None
        #: Counts the versions being applied: the later steps of an older one are dropped.
        self._applying = 0
        self._contest_id: str | None = None
        self._pending: dict[str, object] = {}
        self.opened_with: dict[str, object] = {}

        # left: search, filters and the race list (tracker/ui/race_list_panel.py)
        left = RaceListPanel(model_parent=self)
        self._race_panel = left
        self._model, self._proxy = left.model, left.proxy
        self._search, self._table = left.search, left.table

        # right: the banner for reconstructed nights, then the race
        self._banner = QLabel()
        self._banner.setObjectName("reconstructedBanner")
        self._banner.setStyleSheet(BANNER_STYLE)
        self._banner.setWordWrap(True)
        self._banner.hide()
        self._test_banner = QLabel()
        self._test_banner.setObjectName("testBanner")
        self._test_banner.setStyleSheet(TEST_BANNER_STYLE)
        self._test_banner.setWordWrap(True)
        self._test_banner.hide()
        self._race_view = RaceView()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(self._test_banner)
        right_layout.addWidget(self._banner)
        # Below the bars, the timeline: share over the night and the projection's band.
        self._timeline_view = TimelineView()
        self._race_split = QSplitter(Qt.Orientation.Vertical)
        self._race_split.setObjectName("raceSplitter")
        self._race_split.addWidget(self._race_view)
        self._race_split.addWidget(self._timeline_view)
        self._race_split.setStretchFactor(0, 3)
        self._race_split.setStretchFactor(1, 1)
        self._race_split.setSizes([540, 140])
        self._race_split.setChildrenCollapsible(False)
        right_layout.addWidget(self._race_split, 1)

        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setObjectName("mainSplitter")
        self._splitter.addWidget(left)
        self._splitter.addWidget(right)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setSizes([460, 740])  # the race list has five columns
        self._splitter.setChildrenCollapsible(False)

        self._replay_bar = ReplayBar()
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self._splitter, 1)
        central_layout.addWidget(self._replay_bar)
        self.setCentralWidget(central)

        # status bar: the night, the replay clock, the version on screen
        self._status_night = QLabel("No night open")
        self._status_night.setObjectName("statusNight")  # window_fit keeps it readable
        self._status_clock = QLabel("")
        self._status_version = QLabel("")
        # Night labels, feed addresses and election names: plain text; the banner is our markup
        # with what it quotes escaped (issue 19).
        make_plain(self._status_night, self._status_clock, self._status_version, self._test_banner)
        make_markup(self._banner)
        status = self.statusBar()
        status.addWidget(self._status_night, 1)
        status.addPermanentWidget(self._status_clock)
        status.addPermanentWidget(self._status_version)
        # live feeds: health, and the way back to the live edge (hidden for a recorded night)
        self._feed_status = FeedStatus()
        self._feed_status.setObjectName("feedStatus")
        self._feed_status.hide()
        status.addPermanentWidget(self._feed_status)
        self._recent_feeds: list[str] = []
        from tracker.ui.health_badge import HealthLine

        # Over the race: the feed's health in words (live feeds, and a feed being armed).
        self._health_line = HealthLine(self._feed_status)
        right_layout.insertWidget(2, self._health_line)

        self._build_menus()
        self._connect()
        self._install_pins()
        self._export_menu: QMenu | None = None
        self._install_drilldown()
        from tracker.ui.vote_remaining import install_vote_remaining

        #: Race ▸ Where the vote remains (the expected vote by county), made on first use.
        self.vote_remaining = install_vote_remaining(
            self, self._race_menu, self._remaining_inputs, self.drawn
        )
        self._table.selectionModel().currentRowChanged.connect(lambda *_: self.vote_remaining().refresh())
        self._restore_layout()
        from tracker.ui.start_page import install_first_run

        #: The start page, drag and drop, Help ▸ About (``first_run.show_start_page()``).
        self.first_run = install_first_run(self)
        from tracker.ui.shortcuts import keep_control_keys

        keep_control_keys(self)  # a focused button keeps Space, the scrubber its arrows
        from tracker.ui.keyboard_focus import KeyboardFocus

        self._keyboard = KeyboardFocus(self)  # focus on the race, Tab between panels, names
        from tracker.ui.window_fit import install_window_fit

        install_window_fit(self)  # a small, stable minimum; the first size within the screen
        from tracker.ui.night_state import NightState

        #: Per night: time, speed, race and filters come back; a bundled night starts at its results.
        self.night_state = NightState(self, persist=persist_layout)
        from tracker.ui.navigation import Navigation

        #: Go to time, the timeline as a scrubber, alerts that jump, Import results, Recent nights.
        self.navigation = Navigation(self)
        from tracker.ui.election_clock import ElectionClock

        #: One clock per election: its own zone with the abbreviation everywhere; UTC on demand.
        self.election_clock = ElectionClock(self)
        from tracker.ui.presentation import Presentation

        #: View ▸ Presentation (F11 the race, Shift+F11 the pinned overview): full screen, larger type.
        self.presentation = Presentation(self)
        from tracker.ui.copy_race import CopyRace

        #: Race ▸ Copy race as text (Ctrl+C) / as image (Ctrl+Shift+C).
        self.copy_race = CopyRace(self, self._race_menu)
        from tracker.ui.dock_sizes import LogDockSizes

        LogDockSizes(self)  # the logs: one line when empty, their rows' height within the room below

    # set-up ----------------------------------------------------------------------------------------
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

    def _connect(self) -> None:
        self._worker.night_loaded.connect(self._on_night_loaded)
        self._worker.snapshot_ready.connect(self._on_snapshot)
        self._worker.history_grew.connect(self._on_history_grew)
        self._worker.failed.connect(self.report_error)
        self._table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._table.clicked.connect(self._on_clicked)
        self._model.pin_toggled.connect(self._on_pin_toggled)
        self._replay_bar.position_changed.connect(self._on_position)
        self._worker.night_grew.connect(self._on_night_grew)
        self._worker.feed_health.connect(self._on_feed_health)
        self._worker.recent_feeds.connect(self._set_recent_feeds)
        self._feed_status.go_live_clicked.connect(self.go_live)
        self._worker.request_recent_feeds()

    def _install_pins(self) -> None:
        """The pinned overview (View ▸ Pinned overview) and File ▸ Export/Import pins…"""
        self._pins = PinsController(self)

    @property
    def pins(self) -> PinsController:
        return self._pins

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

    # room for docks ----------------------------------------------------------------------------------
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

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self._replay_bar.pause()
        self._worker.shutdown()
        super().closeEvent(event)

    # opening a night -------------------------------------------------------------------------------
    def choose_night(self) -> None:
        start = str(self._info.path.parent) if self._info else str(paths.nights_dir())
        from tracker.ui.navigation import RESULTS_FILTER

        path, _ = QFileDialog.getOpenFileName(
            self, "Open night", start, f"Night files (*.night);;{RESULTS_FILTER}"
        )
        if not path:
            return
        if Path(path).suffix.lower() == ".night":
            self.open_night(Path(path))
            return
        # A results file, not a night: offer to import it into a new night instead of refusing it.
        question = (
            f"{Path(path).name} is a results file, not a night. Import it into a new night and open it?"
        )
        if ask(self, APP_TITLE, question):
            self.navigation.import_results(Path(path))

    def open_night(
        self,
        path: Path,
        *,
        at: str | None = None,
        at_end: bool = False,
        speed: float | None = None,
        contest: str | None = None,
        started: bool = False,
    ) -> None:
        """Open ``path`` in the background and, once it is read, go to ``at`` ("HH:MM" in the
        night's zone; else its end when ``at_end``, else its start) at ``speed``, showing
        ``contest`` (an id or part of a name; else the first pinned race, else the biggest).
        ``started``: the worker is already opening it (``app.start_window`` asks before this
        window's modules are even imported)."""
        self._pending = {"at": at, "at_end": at_end, "speed": speed, "contest": contest}
        self._status_night.setText(f"Opening {Path(path).name}…")
        if not started:
            self._worker.open_night(Path(path))

    def _on_night_loaded(self, info: NightInfo) -> None:
        pending, self._pending = self._pending, {}
        #: What the opening asked for (``at``, ``speed``, ``contest``…): a night's saved state yields to it.
        self.opened_with = dict(pending)
        self._info = info
        self._snapshot = None
        self._requested = self._shown = None
        times = info.times
        self._timeline = Timeline(times)
        speed = pending.get("speed")
        clock = ReplayClock(times[0], times[-1], clock=self._clock_fn, speed=DEFAULT_SPEED)
        if speed is not None:
            try:
                clock.set_speed(float(speed))  # type: ignore[arg-type]
            except ValueError as exc:
                self.report_error(str(exc))
        at = pending.get("at")
        at_note = ""
        if at:
            from tracker.ui.navigation import clamp_to_night, parse_time_in_night

            try:
                wanted = parse_time_in_night(str(at), clock.start, clock.end, info.timezone)
            except ValueError as exc:
                self.report_error(str(exc))
            else:  # a time outside the night is clamped to it, and the user is told (never silently)
                when, at_note = clamp_to_night(wanted, clock.start, clock.end, info.timezone)
                clock.seek(when)
        elif pending.get("at_end"):
            clock.seek(clock.end)

        # The label may carry the reconstruction note ("… — reconstructed from …"); the banner shows
        # it in full, the title and status bar need only the night's name.
        short = clean(info.label.split(" — ")[0].strip() or info.label)
        self.setWindowTitle(f"{short} — {APP_TITLE}")
        kind = "reconstructed night" if info.reconstructed else f"{info.kind} night"
        self._status_night.setText(
            f"{short} · {kind}" + (f" · baseline {clean(info.baseline)}" if info.baseline else "")
        )
        self._status_night.setToolTip(
            plain_tooltip(
                str(info.path) + (f"\nBaseline: {info.baseline_note}" if info.baseline_note else "")
            )
        )
        if info.reconstructed:
            # The night's own note says what it is (a night *built* for a benchmark is not made
            # from certified results); the generic note only when it has none.
            self._banner.setText(reconstructed_banner(info.label, str(info.meta.get("note", ""))))
            self._banner.setToolTip(plain_tooltip(info.meta.get("note", "")))
            self._banner.show()
        else:
            self._banner.hide()

        self._rules.follow(info.final.election.id)  # this night's overrides, not the last one's
        self._model.set_snapshot(
            info.final, self._rules.facts(info.final, self._worker.race_facts(info.final))
        )
        self._model.set_pins(info.pins)
        wanted = pending.get("contest")
        contest_id = self._default_contest(info.final, str(wanted) if wanted else None)
        self._contest_id = None
        if contest_id is not None:
            self.select_contest(contest_id)
        self._timeline_view.set_timezone(self.display_timezone(info))
        self.night_opened.emit(info)
        self._set_live(info)
        self._replay_bar.set_replay(clock, self._timeline, self.display_timezone(info))
        if at_note:
            self.statusBar().showMessage(at_note, 20000)
            if not self._interactive:
                print(f"election-tracker: {at_note}", file=sys.stderr)

    def _default_contest(self, final: Snapshot, wanted: str | None) -> str | None:
        contests = final.contests
        if not contests:
            return None
        if wanted:
            matches = find_contests(contests, wanted)
            if matches:
                return matches[0].id
            self.report_error(no_such_contest(wanted, contests, noun="race"))
        for row in range(self._proxy.rowCount()):
            index = self._proxy.index(row, COL_PIN)
            cid = index.data(ContestIdRole)
            if cid is not None and self._model.is_pinned(cid):
                return str(cid)
        # Not pinned: the top of the ballot, else the most ballots (not votes: see core.opening).
        return opening_race(contests)

    # replay position → version → snapshot ----------------------------------------------------------
    def _on_position(self, when: dt.datetime) -> None:
        info, timeline = self._info, self._timeline
        if info is None or timeline is None:
            return
        local = when.astimezone(self.display_timezone(info))
        self._status_clock.setText(f"{local:%H:%M} {local.tzname() or ''}".strip())
        if info.live:
            self._feed_status.set_following(when >= timeline[len(timeline) - 1])
        index = timeline.index_at(when)
        if index is None:
            self._requested = self._shown = None
            first = timeline[0].astimezone(self.display_timezone(info))
            self._race_view.show_contest(
                None, message=f"No results yet at {local:%H:%M} — the first update came at {first:%H:%M}"
            )
            self._status_version.setText(f"before the first of {len(timeline)} versions")
            self._timeline_view.set_history([], None)
            self.drawn.emit()
            return
        if index != self._requested:
            self._requested = index
            self._worker.request_snapshot(index)

    def _on_snapshot(self, index: int, snapshot: Snapshot) -> None:
        if index != self._requested or self._timeline is None:
            return
        self._applying += 1
        self._status_version.setText(f"version {index + 1} of {len(self._timeline)}")
        self._show_test_label(snapshot)
        self._show_reconstructed_label(snapshot)
        self._rules.follow(snapshot.election.id)
        self._model.set_snapshot(snapshot, self._rules.facts(snapshot, self._worker.race_facts(snapshot)))
        # The rest in later turns of the event loop: with a statewide feed's 4,000 races each step
        # holds the GUI thread tens of milliseconds, all three together ~100 ms, in which no timer,
        # key or paint would run (issue 21). A newer version (or night) arriving meanwhile wins.
        # The window's snapshot and shown version change with the last step, as it is drawn.
        # Meanwhile the night thread waits (``hold_display``): the timeline's history it reads
        # next would otherwise share the interpreter with these steps and double their time.
        token = self._applying
        self._worker.hold_display()
        self._next_step(lambda: self._apply_rest(token, index, snapshot, 0))

    def _apply_rest(self, token: int, index: int, snapshot: Snapshot, step: int) -> None:
        """Step ``step`` (0: the "changed" column; 1: the race view and timeline) of applying
        version ``index``; every chain of steps ends by releasing the display it held."""
        if token != self._applying or index != self._requested or self._timeline is None:
            self._worker.release_display()
            return
        if step == 0:
            info = self._info
            if info is not None:  # the list's "changed" column (``_update_last_changes``) for this version
                self._model.follow_history(self._worker.fingerprints(), index, info.times, info.timezone)
            self._next_step(lambda: self._apply_rest(token, index, snapshot, 1))
            return
        self._snapshot = snapshot
        self._shown = index
        try:
            self._sync_selection()
            self._show_selected()
        finally:
            self._worker.release_display()
        self.drawn.emit()

    def _next_step(self, step: Callable[[], None]) -> None:
        """Run ``step`` in a later turn of the event loop, after the timers, input and paints that
        are due: as a timer (1 ms), not a queued call, which Qt runs before checking for those,
        so two steps would run back to back (issue 21)."""
        QTimer.singleShot(APPLY_STEP_MS, self, step)

    def _show_reconstructed_label(self, snapshot: Snapshot) -> None:
        """A reconstructed night stays labelled when it arrives as a live feed (``serve``): the
        recording is "recorded", but the versions it carries say what they are."""
        info = self._info
        if info is None or info.reconstructed:
            return  # the night file's own label is already shown
        election = snapshot.election
        if election.reconstructed:
            self._banner.setText(reconstructed_banner(election.name, election.note))
        self._banner.setVisible(election.reconstructed)

    def _show_test_label(self, snapshot: Snapshot) -> None:
        """A version the feed marks as test data (AP's test mode) says so above the race, in the
        title and in the status bar; the label goes as soon as a version with real results comes
        (AP leaves test mode before election night)."""
        election = snapshot.election
        test = bool(getattr(election, "test", False))
        self._test_banner.setVisible(test)
        title = self.windowTitle().removeprefix("[TEST] ")
        if test:
            self._test_banner.setText(f"{TEST_TEXT} {clean(election.note, TEXT_LIMIT)}".strip())
            title = f"[TEST] {title}"
        self.setWindowTitle(title)
        self._status_version.setText(
            self._status_version.text().removesuffix(" · TEST DATA") + (" · TEST DATA" if test else "")
        )

    # live feeds ------------------------------------------------------------------------------------
    def choose_feed(self) -> None:
        """File ▸ Open feed…: ask for a URL (with the recent feeds), then open it."""
        from tracker.ui.feed_dialog import ask_for_feed

        request = ask_for_feed(self, recent=self._recent_feeds)
        if request is not None:
            self.open_feed(request.url, interval=request.interval, kind=request.kind, api_key=request.api_key)

    def open_feed(
        self,
        url: str,
        *,
        interval: float = 30.0,
        kind: str | None = None,
        api_key: str | None = None,
        record_to: Path | None = None,
        contest: str | None = None,
    ) -> None:
        """Poll ``url`` live (in the background), recording every fetch; the window follows the
        newest version until the user scrubs back (then "Go live" returns to it)."""
        self._pending = {"at_end": True, "contest": contest}
        self.statusBar().showMessage("Connecting to the feed…")  # an error replaces it; success clears it
        self._feed_status.reset()  # a feed on screen is stopped by the worker: say so until the new one is in
        self._stop_feed_action.setEnabled(False)
        self._worker.open_feed(url, interval=interval, kind=kind, api_key=api_key, record_to=record_to)

    def stop_feed(self) -> None:
        """Stop polling; what was recorded stays on screen (a recorded night)."""
        self._worker.stop_feed()
        self._feed_status.set_running(False)
        if not self.live:  # an armed feed that never came up: nothing left to show
            self._feed_status.hide()
            self._health_line.hide()
        self._stop_feed_action.setEnabled(False)

    def go_live(self) -> None:
        """Back to the newest version, following the feed again."""
        clock = self._replay_bar.clock
        if clock is not None:
            self._replay_bar.pause()
            self._replay_bar.seek(clock.end)

    @property
    def live(self) -> bool:
        return self._info is not None and self._info.live

    @property
    def following_live(self) -> bool:
        return self.live and self._feed_status.following

    @property
    def feed_status(self) -> FeedStatus:
        return self._feed_status

    @property
    def health_line(self) -> QLabel:
        return self._health_line

    def _set_live(self, info: NightInfo) -> None:
        self._feed_status.setVisible(info.live)
        self._health_line.setVisible(info.live)
        self._stop_feed_action.setEnabled(info.live and self._worker.feed_running)
        if info.live:
            self._feed_status.set_running(self._worker.feed_running)
            self._feed_status.set_following(True)
            self.statusBar().clearMessage()
            self._status_night.setText(f"Live: {clean(info.feed_url, TEXT_LIMIT)}")
            self.setWindowTitle(f"Live: {clean(info.feed_url, TEXT_LIMIT)} — {APP_TITLE}")
            self._status_night.setToolTip(plain_tooltip(f"recording into {info.path}"))
            self._worker.request_recent_feeds()
        else:
            self._feed_status.reset()

    def _on_night_grew(self, info: NightInfo) -> None:
        """New versions arrived from the live feed: extend the scrubber, and follow them unless the
        user is looking at an earlier moment."""
        old_clock, old_timeline = self._replay_bar.clock, self._timeline
        if self._info is None or not self._info.live or old_clock is None or old_timeline is None:
            return
        position = old_clock.position()
        following = position >= old_timeline[len(old_timeline) - 1]
        self._info = info
        times = info.times
        self._timeline = Timeline(times)
        clock = ReplayClock(times[0], times[-1], clock=self._clock_fn, speed=old_clock.speed)
        clock.seek(clock.end if following else position)
        playing = old_clock.playing and not following  # replaying the recorded part: keep playing
        self._replay_bar.set_replay(clock, self._timeline, self.display_timezone(info))
        if playing:
            self._replay_bar.play()

    def _on_feed_health(self, health: object) -> None:
        from tracker.feeds.poller import FeedHealth

        if isinstance(health, FeedHealth) and (self.live or health.stopped):  # STOPPED: always said
            self._feed_status.set_health(health)
        elif isinstance(health, FeedHealth) and self._worker.feed_running:
            # Armed before the feed is up: it keeps retrying; say so where the room can see it.
            self._feed_status.set_health(health)
            self._feed_status.show()
            self._health_line.show()
            self._stop_feed_action.setEnabled(True)
            self.statusBar().showMessage(f"Waiting for the feed: {self._feed_status.header_text()}")

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

    def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo:
        """The zone times are shown in: the election's own, or UTC when View ▸ Times in UTC is on."""
        info = info or self._info
        zone = info.timezone if info is not None else dt.UTC
        clock = getattr(self, "election_clock", None)
        return clock.zone(zone) if clock is not None else zone

    # race selection and pins -----------------------------------------------------------------------
    def select_contest(self, contest_id: str) -> None:
        """Show ``contest_id`` and select its row (clearing the search if it hides the row)."""
        self._contest_id = contest_id
        row = self._proxy.proxy_row_of(contest_id)
        if row is None and self._search.text():
            self._search.clear()
            row = self._proxy.proxy_row_of(contest_id)
        if row is not None:
            index = self._proxy.index(row, COL_NAME)
            self._table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self._table.scrollTo(index)
        self._show_selected()

    def _sync_selection(self) -> None:
        """After a model reset (a version with other races) the table lost its selection: restore it."""
        if self._contest_id is None:
            return
        current = self._table.selectionModel().currentIndex()
        if current.isValid() and current.data(ContestIdRole) == self._contest_id:
            return
        row = self._proxy.proxy_row_of(self._contest_id)
        if row is not None:
            self._table.selectionModel().setCurrentIndex(
                self._proxy.index(row, COL_NAME),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        cid = current.data(ContestIdRole)
        if cid is not None and cid != self._contest_id:
            self._contest_id = str(cid)
            self._show_selected()

    def _remaining_inputs(self) -> tuple[Snapshot | None, str | None, Mapping[str, ContestProjection]]:
        """What the "where the vote remains" dock shows: the projections the worker already made."""
        snap = self._snapshot if self._shown is not None else None
        projections = (self._worker.projections(snap) or {}) if snap is not None else {}
        return snap, self._contest_id, projections

    def _on_rules_changed(self) -> None:
        """The user's rules changed: the list's margin and "Over line", the race and the cards
        follow them."""
        snap = self._snapshot
        if snap is not None:
            self._model.set_snapshot(snap, self._rules.facts(snap, self._worker.race_facts(snap)))
        self._show_selected()
        if snap is not None and self._shown is not None:
            self.drawn.emit()

    def _show_selected(self) -> None:
        snap = self._snapshot
        if snap is None:
            return
        if self._contest_id is None:
            self._race_view.show_contest(None, message="Pick a race on the left")
            return
        try:
            contest = self._rules.apply(snap.contest(self._contest_id))
        except KeyError:
            self._race_view.show_contest(None, message="This race is not in the feed at this time")
            return
        estimates = self._worker.estimates(snap) or {}
        projection = self._rules.projection((self._worker.projections(snap) or {}).get(contest.id), contest)
        if contest.id in estimates:
            self._race_view.show_contest(contest, outstanding=estimates[contest.id], projection=projection)
        else:
            self._race_view.show_contest(contest, projection=projection)
        self._update_timeline(contest)

    def _update_last_changes(self) -> None:
        """The race list's "changed" column, from the versions the worker has read so far."""
        info, shown = self._info, self._shown
        if info is not None and shown is not None:
            self._model.follow_history(self._worker.fingerprints(), shown, info.times, info.timezone)

    def _on_history_grew(self, _index: int) -> None:
        """The worker projected the versions the first timeline skipped: redraw the timeline."""
        self._update_last_changes()
        snap = self._snapshot
        if snap is None or self._contest_id is None:
            return
        try:
            contest = self._rules.apply(snap.contest(self._contest_id))
        except KeyError:
            return
        self._update_timeline(contest)

    def _update_timeline(self, contest: Contest) -> None:
        """The night so far for ``contest``: the worker's projections of every version up to the one
        on screen (it makes them with the parse, off this thread)."""
        info, shown = self._info, self._shown
        self._log_dock.set_contest(contest.id)
        if info is None or shown is None:
            self._timeline_view.set_history([], None)
            return
        points = [TimelinePoint(when, p) for when, p in self._worker.history(contest.id, shown)]
        times = info.times
        rule = contest.threshold
        self._timeline_view.set_history(
            points,
            times[shown],
            span=counting_span(times, shown, next((p.when for p in points if p.projection.counted), None)),
            line=rule.share if rule.has_line else None,
            parties={c.id: c.party for c in contest.candidates},
        )

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_PIN:
            self._model.toggle_pin(self._proxy.mapToSource(index).row())

    def focus_search(self) -> None:
        """Ctrl+F: into the search box, its text selected so typing replaces it."""
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def toggle_current_pin(self) -> None:
        if self._contest_id is None:
            return
        row = self._model.row_of(self._contest_id)
        if row is not None:
            self._model.toggle_pin(row)

    def _on_pin_toggled(self, contest_id: str, name: str, pinned: bool) -> None:
        if self._model.election_id:
            self._worker.set_pinned(self._model.election_id, contest_id, pinned, name)
        if self._contest_id is not None:  # the proxy re-sorted: keep the selected row in view
            row = self._proxy.proxy_row_of(self._contest_id)
            if row is not None:
                self._table.scrollTo(self._proxy.index(row, COL_NAME))

    # errors ----------------------------------------------------------------------------------------
    def report_error(self, message: str) -> None:
        """One clear sentence: in the status bar, as a signal, and in a message box when a person
        is at the window (never when drawing a screenshot or under test)."""
        if self._info is None:
            self._status_night.setText("No night open — File ▸ Open night…")
        self.statusBar().showMessage(message, 15000)
        self.error_reported.emit(message)
        if self._interactive:
            warn(self, APP_TITLE, message)

    # read-only access (tests, app.py) ----------------------------------------------------------------
    @property
    def actions_by_name(self) -> dict[str, QAction]:
        """The window's commands by name (``play``, ``open_feed``, …), as the menus hold them."""
        return dict(self._actions)

    @property
    def worker(self) -> Worker:
        return self._worker

    @property
    def timeline_view(self) -> TimelineView:
        return self._timeline_view

    @property
    def alert_log(self) -> AlertLog:
        return self._alert_log

    @property
    def projection_log(self) -> ProjectionLogDock:
        return self._log_dock

    @property
    def drilldown(self) -> DrillDownDock:
        """The drill-down dock, made (hidden) on first use."""
        if self._drilldown is None:
            self._drilldown = self._make_drilldown()
        return self._drilldown

    @property
    def exports(self) -> RaceExports:
        return self._exports

    @property
    def rule_overrides(self) -> RuleOverrides:
        return self._rules

    @property
    def race_view(self) -> RaceView:
        return self._race_view

    @property
    def replay_bar(self) -> ReplayBar:
        return self._replay_bar

    @property
    def race_model(self) -> RaceListModel:
        return self._model

    @property
    def race_proxy(self) -> RaceFilterProxy:
        return self._proxy

    @property
    def race_panel(self) -> RaceListPanel:
        return self._race_panel

    @property
    def race_table(self) -> QTableView:
        return self._table

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def banner(self) -> QLabel:
        return self._banner

    @property
    def test_banner(self) -> QLabel:
        return self._test_banner

    @property
    def splitter(self) -> QSplitter:
        return self._splitter

    @property
    def night(self) -> NightInfo | None:
        return self._info

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def shown_version(self) -> int | None:
        return self._shown

    @property
    def selected_contest(self) -> str | None:
        return self._contest_id

    def status_text(self) -> str:
        """Everything the status bar shows, joined (for tests)."""
        parts = [self._status_night.text(), self._status_clock.text(), self._status_version.text()]
        message = self.statusBar().currentMessage()
        return " | ".join(p for p in [*parts, message] if p)
