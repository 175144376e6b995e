"""The main window: race list on the left, the selected race on the right, the replay bar below.

It wires the pieces together and holds the little state that belongs to the window (which race is
selected, which version is on screen). Everything slow -- opening a night, parsing a version,
writing a pin -- goes through the :class:`~tracker.ui.workers.Worker`; the window only ever sees
finished, immutable results.

The window's own wiring is here: its widgets, the features it installs, the worker's signals, the
dialog that chooses a night, errors, and the read-only properties features and tests use. What it
does with them is mixed in from the modules beside it, each with one job:

* :mod:`~tracker.ui.window_menus` — the menus and their actions, the drill-down and Export menu;
* :mod:`~tracker.ui.window_layout` — the layout kept between runs, the room docks may take;
* :mod:`~tracker.ui.window_labels` — the title, the reconstructed and test banners;
* :mod:`~tracker.ui.window_night` — a night's arrival: its clock, labels, list and first race;
* :mod:`~tracker.ui.window_versions` — replay position → version → applied in steps;
* :mod:`~tracker.ui.window_live` — a live feed: opening it, its health, following it, stopping;
* :mod:`~tracker.ui.window_race` — the race on screen, its timeline, pins.

Their names are re-exported here (``from tracker.ui.main_window import DEFAULT_SIZE``, …), and every
method stays the window's, so ``MainWindow._on_night_grew`` and ``window.choose_feed`` are where
they were.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tracker import paths
from tracker.archive.replay import Timeline
from tracker.core.model import Snapshot
from tracker.ui.alert_log import AlertLog
from tracker.ui.exports import RaceExports
from tracker.ui.feed_status import FeedStatus
from tracker.ui.pins import PinsController
from tracker.ui.plain_text import ask, install_tooltip_guard, make_markup, make_plain, warn
from tracker.ui.projection_log import ProjectionLogDock
from tracker.ui.race_filter import RaceFilterProxy
from tracker.ui.race_list import RaceListModel
from tracker.ui.race_list_panel import RaceListPanel
from tracker.ui.race_view import RaceView
from tracker.ui.replay_bar import ReplayBar

# Re-exported: tests read the shared QSettings through the window's module, as before the split.
from tracker.ui.settings import settings as settings
from tracker.ui.timeline import TimelineView
from tracker.ui.window_labels import (
    APP_TITLE,
    BANNER_STYLE,
    RECONSTRUCTED_NOTE,
    TEST_BANNER_STYLE,
    TEST_TEXT,
    NightLabels,
    reconstructed_banner,
)
from tracker.ui.window_layout import DEFAULT_SIZE, LAYOUT_VERSION, WindowLayout
from tracker.ui.window_live import LiveFeed
from tracker.ui.window_menus import WindowMenus
from tracker.ui.window_night import DEFAULT_SPEED, NightOpening
from tracker.ui.window_race import RaceSelection
from tracker.ui.window_versions import APPLY_STEP_MS, VersionDisplay
from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # imported where the menus make it, not at start-up
    from tracker.ui.rule_override import RuleOverrides


class MainWindow(
    WindowMenus, WindowLayout, NightLabels, NightOpening, VersionDisplay, LiveFeed, RaceSelection, QMainWindow
):
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

    def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo:
        """The zone times are shown in: the election's own, or UTC when View ▸ Times in UTC is on."""
        info = info or self._info
        zone = info.timezone if info is not None else dt.UTC
        clock = getattr(self, "election_clock", None)
        return clock.zone(zone) if clock is not None else zone

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


__all__ = [
    "APPLY_STEP_MS",
    "APP_TITLE",
    "BANNER_STYLE",
    "DEFAULT_SIZE",
    "DEFAULT_SPEED",
    "LAYOUT_VERSION",
    "RECONSTRUCTED_NOTE",
    "TEST_BANNER_STYLE",
    "TEST_TEXT",
    "LiveFeed",
    "MainWindow",
    "NightLabels",
    "NightOpening",
    "RaceSelection",
    "VersionDisplay",
    "WindowLayout",
    "WindowMenus",
    "reconstructed_banner",
]
