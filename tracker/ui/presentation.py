"""Presentation mode: the race (or the pinned overview) full screen, in larger type, for the wall
screen of a newsroom.

A window of its own, not the main window stretched: it has its own race view built in a font
``TYPE_SCALE`` times larger (the race view sizes its header, bars and numbers from its font when
it is made), fed from the same snapshot, estimates and projections as the main view -- the worker
computed them; nothing is computed here. The overview is borrowed from its dock while shown and
given back after. The window's commands stay on their keys (Space plays, ←/→ step, Ctrl+G goes
to a time); Escape or F11 leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from tracker.core.untimed import version_at
from tracker.ui.race_view import RaceView
from tracker.ui.window_fit import wrap_labels

if TYPE_CHECKING:
    import datetime as dt

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMenuBar, QTableView

    from tracker.core.model import Snapshot
    from tracker.ui.feed_status import FeedStatus
    from tracker.ui.pins import PinsController
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.workers import NightInfo, Worker

#: How much larger the type is than in the window.
TYPE_SCALE = 1.6
RACE, OVERVIEW = "race", "overview"


class _Shown(Protocol):
    """What :func:`show_window_race` reads of the main window: what its race view shows."""

    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    @property
    def race_view(self) -> RaceView: ...
    @property
    def worker(self) -> Worker: ...


class _Window(_Shown, Protocol):
    """What presentation mode uses of the main window: what is shown and when, the feed's
    health, the pinned overview's dock, its commands, and the QMainWindow it is. The Go to time
    and presentation actions are read with ``getattr``. Narrow on purpose: this module is
    installed by the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def drawn(self) -> SignalInstance: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def live(self) -> bool: ...
    @property
    def replay_bar(self) -> ReplayBar: ...
    @property
    def feed_status(self) -> FeedStatus: ...
    @property
    def pins(self) -> PinsController: ...
    @property
    def race_table(self) -> QTableView: ...
    @property
    def actions_by_name(self) -> dict[str, QAction]: ...
    def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo: ...
    # the QMainWindow it is
    def windowTitle(self) -> str: ...
    def font(self) -> QFont: ...
    def menuBar(self) -> QMenuBar: ...
    def installEventFilter(self, filter: QObject) -> None: ...


def show_window_race(view: RaceView, window: _Shown) -> None:
    """Show in ``view`` what the window's race view shows: its version and race, with the
    estimates and projection the worker made for it (nothing is computed here)."""
    snap, cid = window.snapshot, window.selected_contest
    if snap is None or window.shown_version is None or cid is None:
        view.show_contest(None, message=window.race_view.header_texts()["title"])
        return
    try:
        contest = snap.contest(cid)
    except KeyError:
        view.show_contest(None, message="This race is not in the feed at this time")
        return
    worker = window.worker
    estimates = worker.estimates(snap) or {}
    projection = (worker.projections(snap) or {}).get(cid)
    if cid in estimates:
        view.show_contest(contest, outstanding=estimates[cid], projection=projection)
    else:
        view.show_contest(contest, projection=projection)


class PresentationWindow(QWidget):
    """Full screen: a line saying what and when, then the race or the pinned overview."""

    def __init__(self, window: _Window) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self._window = window
        self.setObjectName("presentationWindow")
        self.setWindowTitle(f"Presentation — {window.windowTitle()}")
        font = QFont(window.font())
        font.setPointSizeF(font.pointSizeF() * TYPE_SCALE)
        self.setFont(font)  # before the race view is made: it takes its sizes from it
        self._line = QLabel()
        self._line.setObjectName("presentationLine")
        self._line.setWordWrap(True)
        self._line.setTextFormat(Qt.TextFormat.PlainText)
        self._race = RaceView(self)
        # Its header lines wrap, as the window's do (window_fit): in the larger type the projection
        # line ran past the screen's edge ("· baseline 2020 pre").
        wrap_labels(self._race)
        self._race.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._race.setAccessibleName("Race, presentation")
        self._stack = QStackedWidget()
        self._stack.addWidget(self._race)
        self._overview_holder = QWidget()
        QVBoxLayout(self._overview_holder).setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(self._overview_holder)
        layout = QVBoxLayout(self)
        margin = self.fontMetrics().height() // 2
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(self._line)
        layout.addWidget(self._stack, 1)
        # The window's commands on their keys here too (play, step, go to time, pin, …).
        self.addActions(list(window.actions_by_name.values()))
        extra = [getattr(window, "navigation", None), getattr(window, "presentation", None)]
        for owner in extra:
            for name in ("go_action", "race_action", "overview_action"):
                action = getattr(owner, name, None)
                if isinstance(action, QAction):
                    self.addAction(action)
        self._borrowed: QWidget | None = None
        self.mode = RACE

    # what is shown -----------------------------------------------------------------------------------
    def show_mode(self, mode: str) -> None:
        self._give_back()
        self.mode = mode
        if mode == OVERVIEW:
            dock = self._window.pins.dock
            widget = dock.widget()
            if widget is not None:
                self._borrowed = widget
                self._overview_holder.layout().addWidget(widget)
                widget.show()
            self._stack.setCurrentWidget(self._overview_holder)
        else:
            self._stack.setCurrentWidget(self._race)
        self.refresh()

    def _give_back(self) -> None:
        if self._borrowed is not None:
            self._window.pins.dock.setWidget(self._borrowed)
            self._borrowed = None

    def refresh(self) -> None:
        """Show what the window shows now (its version, its race)."""
        window = self._window
        info = window.night
        label = info.label.split(" — ")[0] if info is not None else "No night open"
        position = window.replay_bar.position()
        when = ""
        if position is not None and info is not None and info.untimed:
            when = version_at(position, info.times)  # no times in the files: which version
        elif position is not None:
            local = position.astimezone(window.display_timezone())
            when = f"{local:%H:%M} {local.tzname() or ''}".strip()
        health = window.feed_status.state() if window.live else ""
        pieces = [label, when, health]
        if window.live:
            pieces.append(window.feed_status.header_text())
        self._line.setText("  ·  ".join(p for p in pieces if p))
        if self.mode == RACE:
            show_window_race(self._race, window)

    @property
    def race_view(self) -> RaceView:
        return self._race

    def line_text(self) -> str:
        return self._line.text()

    # leaving -----------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._give_back()
        super().closeEvent(event)


class Presentation(QObject):
    """View ▸ Presentation (F11: the race; Shift+F11: the pinned overview)."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self._screen: PresentationWindow | None = None
        from tracker.ui.pins import _menu

        view = _menu(window, "&View")  # type: ignore[arg-type]
        self.race_action = QAction("&Presentation: the race", window)
        self.race_action.setObjectName("present_race")
        self.race_action.setShortcut(QKeySequence("F11"))
        self.race_action.triggered.connect(lambda: self.toggle(RACE))
        self.overview_action = QAction("Presentation: the pinned &overview", window)
        self.overview_action.setObjectName("present_overview")
        self.overview_action.setShortcut(QKeySequence("Shift+F11"))
        self.overview_action.triggered.connect(lambda: self.toggle(OVERVIEW))
        view.addSeparator()
        view.addAction(self.race_action)
        view.addAction(self.overview_action)
        window.drawn.connect(self._refresh)
        window.race_table.selectionModel().currentRowChanged.connect(lambda *_: self._refresh())
        window.feed_status.refreshed.connect(self._refresh)
        window.installEventFilter(self)

    def toggle(self, mode: str, *, full_screen: bool = True) -> PresentationWindow | None:
        """Open presentation ``mode``, or leave it when it is already showing that mode."""
        screen = self._screen
        if screen is not None and screen.isVisible():
            same = screen.mode == mode
            screen.close()
            self._screen = None
            if same:
                return None
        screen = PresentationWindow(self._window)
        screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        screen.destroyed.connect(lambda *_: self._forget(screen))
        self._screen = screen
        screen.show_mode(mode)
        if full_screen:
            screen.showFullScreen()
        else:
            screen.show()
        screen.race_view.setFocus(Qt.FocusReason.OtherFocusReason)
        return screen

    def _forget(self, screen: PresentationWindow) -> None:
        if self._screen is screen:
            self._screen = None

    @property
    def screen(self) -> PresentationWindow | None:
        return self._screen

    def _refresh(self) -> None:
        if self._screen is not None and self._screen.isVisible():
            self._screen.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close and self._screen is not None:
            self._screen.close()
        return False
