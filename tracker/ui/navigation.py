"""Getting around a night: Go to time, the timeline as a scrubber, alerts that take you to their
moment, File ▸ Import results… and File ▸ Recent nights.

All of it moves the same replay bar the keys move (``ReplayBar.seek``), so the window's one path
from a moment to a version to the screen is the only one. An instant outside the night is never
shown silently as another: it is clamped to the night and the status bar says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QObject, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMenu, QProgressBar, QToolTip

from tracker.archive.catalogue import Catalogue
from tracker.archive.replay import parse_clock_time, version_number, version_time
from tracker.core.untimed import version_at

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from tracker.ui.alert_log import AlertLog
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import NightInfo, Worker

#: File ▸ Import results…: what the importer reads (File ▸ Import results folder… takes a folder of them).
RESULTS_FILTER = ";;".join(
    (
        "Results files (*.xml *.zip *.json *.txt)",
        "Clarity detail (*.xml *.zip)",
        "JSON feeds (*.json)",
        "All files (*)",
    )
)


class _Window(Protocol):
    """What navigation uses of the main window: the night, the replay bar it moves, the
    timeline it hooks, the alert log, the worker, its commands (for their menus), the two calls it
    makes, and the QMainWindow's status bar. Narrow on purpose: this module is installed by the
    window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def night(self) -> NightInfo | None: ...
    @property
    def replay_bar(self) -> ReplayBar: ...
    @property
    def timeline_view(self) -> TimelineView: ...
    @property
    def alert_log(self) -> AlertLog: ...
    @property
    def worker(self) -> Worker: ...
    @property
    def actions_by_name(self) -> dict[str, QAction]: ...
    def select_contest(self, contest_id: str) -> None: ...
    def open_night(self, path: Path) -> None: ...
    # the QMainWindow it is
    def statusBar(self) -> QStatusBar: ...


def _hhmm(when: dt.datetime, tz: dt.tzinfo) -> str:
    local = when.astimezone(tz)
    return f"{local:%H:%M} {local.tzname() or ''}".strip()


def clamp_to_night(
    when: dt.datetime, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo
) -> tuple[dt.datetime, str]:
    """``when`` within the night, and a sentence saying so when it was outside ("" when inside)."""
    if when < start:
        return start, (
            f"{_hhmm(when, tz)} is before this night's first update; showing {_hhmm(start, tz)}, its start."
        )
    if when > end:
        return end, f"{_hhmm(when, tz)} is after this night's last update; showing {_hhmm(end, tz)}, its end."
    return when, ""


def parse_time_in_night(
    text: str,
    start: dt.datetime,
    end: dt.datetime,
    tz: dt.tzinfo,
    times: Sequence[dt.datetime] = (),
) -> dt.datetime:
    """ "HH:MM" as the user means it in the night's zone: the first such time at or after the
    night's start, else (for an hour before the start on its first day, "18:00" for a night that
    opens at 19:00) that same day -- which the caller then clamps, and says so. "v 5" is the
    night's fifth version among ``times`` (a night in file order has no clock to type)."""
    by_version = version_time(text, times)
    if by_version is not None:
        return by_version
    when = parse_clock_time(text, start, tz)
    if when > end and len(text.strip()) <= 5:  # "HH:MM", not a day and time
        earlier = when - dt.timedelta(days=1)
        if earlier.astimezone(tz).date() == start.astimezone(tz).date():
            return earlier
    return when


class Navigation(QObject):
    """Installs the commands and mouse/keyboard hooks on ``window`` (one call)."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self._catalogue: Catalogue | None = None
        self._importing: Path | None = None
        #: The clamp note on the status bar and the moment it speaks of (see ``say_clamped``).
        self._clamp: tuple[str, dt.datetime] | None = None
        window.replay_bar.position_changed.connect(self._moved_on)
        actions = window.actions_by_name
        replay_menu = actions["play"].associatedObjects()[-1]
        go = QAction("&Go to time…", window)
        go.setObjectName("go_to_time")
        go.setShortcut(QKeySequence("Ctrl+G"))
        go.triggered.connect(self.ask_time)
        if isinstance(replay_menu, QMenu):
            replay_menu.addSeparator()
            replay_menu.addAction(go)
        self.go_action = go

        file_menu = actions["open_night"].associatedObjects()[-1]
        self.import_action = QAction("&Import results…", window)
        self.import_action.setObjectName("import_results")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.choose_import)
        self.import_folder_action = QAction("Import results &folder…", window)
        self.import_folder_action.setObjectName("import_results_folder")
        self.import_folder_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_folder_action.triggered.connect(self.choose_import_folder)
        self.recent_menu = QMenu("Recent &nights", window)
        self.recent_menu.setObjectName("recentNightsMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        if isinstance(file_menu, QMenu):
            after = actions["open_night"]
            items = file_menu.actions()
            before = (
                items[items.index(after) + 1]
                if after in items and items.index(after) + 1 < len(items)
                else None
            )
            file_menu.insertAction(before, self.import_action)
            file_menu.insertAction(before, self.import_folder_action)
            file_menu.insertMenu(before, self.recent_menu)

        self._progress = QProgressBar()
        self._progress.setObjectName("importProgress")
        self._progress.setRange(0, 0)  # busy: the importer does not know its length in advance
        self._progress.setMaximumWidth(120)
        self._progress.setAccessibleName("Importing")
        self._progress.hide()
        window.statusBar().addPermanentWidget(self._progress)

        worker = window.worker
        worker.catalogue_ready.connect(self._on_catalogue)
        worker.payload_imported.connect(self._import_done)
        worker.failed.connect(self._import_failed)

        self._hook_timeline()
        window.alert_log.dock.table.doubleClicked.connect(self._alert_activated)
        window.alert_log.dock.table.activated.connect(self._alert_activated)

    # go to time --------------------------------------------------------------------------------------
    def go_to(self, text: str) -> dt.datetime | None:
        """Seek to "HH:MM" (the night's zone), clamped to the night with a message; None when
        there is no night or the text is not a time (the status bar says which)."""
        window = self._window
        info, bar = window.night, window.replay_bar
        clock = bar.clock
        if info is None or clock is None:
            window.statusBar().showMessage("Open a night first.", 8000)
            return None
        if info.untimed and version_number(text) is None:
            # A clock time on a night with none would land on a placeholder minute.
            n = len(info.versions)
            window.statusBar().showMessage(
                f"This night's files have no times: type a version, v 1 to v {n}.", 15000
            )
            return None
        try:
            wanted = parse_time_in_night(text, clock.start, clock.end, info.timezone, bar.timeline or ())
        except ValueError as exc:
            window.statusBar().showMessage(str(exc), 15000)
            return None
        when, note = clamp_to_night(wanted, clock.start, clock.end, info.timezone)
        bar.pause()
        bar.seek(when)
        if note:
            self.say_clamped(note, when)
        return when

    def say_clamped(self, note: str, when: dt.datetime, timeout_ms: int = 15000) -> None:
        """Show a clamp note ("18:00 EDT is before this night's first update; showing 19:00 EDT")
        until the window leaves ``when``: a step, End or Play would otherwise leave it saying
        "showing 19:00" over 01:30 for the rest of its 15 seconds."""
        self._window.statusBar().showMessage(note, timeout_ms)
        self._clamp = (note, when)

    def _moved_on(self, position: object) -> None:
        if self._clamp is None or position == self._clamp[1]:
            return
        note, self._clamp = self._clamp[0], None
        status = self._window.statusBar()
        if status.currentMessage() == note:
            status.clearMessage()

    def ask_time(self) -> None:
        """Replay ▸ Go to time… (Ctrl+G)."""
        window = self._window
        info, bar = window.night, window.replay_bar
        if info is None or bar.clock is None:
            window.statusBar().showMessage("Open a night first.", 8000)
            return
        now = bar.position() or bar.clock.start
        if info.untimed:  # no clock to offer: the versions, counted
            prompt = f"Version of the night (v 1 to v {len(info.versions)}; its files have no times):"
            current = version_at(now, info.times)
        else:
            zone = now.astimezone(info.timezone).tzname() or ""
            start, end = _hhmm(bar.clock.start, info.timezone), _hhmm(bar.clock.end, info.timezone)
            prompt = (
                f"Time of the night (HH:MM, {zone}; the night runs {start} to {end}),"
                " or v N for its Nth version:"
            )
            current = now.astimezone(info.timezone).strftime("%H:%M")
        # Over the window the key was pressed in: from presentation mode, a dialog of the main
        # window raised it over the full-screen race, where it stayed once the dialog closed.
        parent = QApplication.activeWindow() or window
        text, ok = QInputDialog.getText(parent, "Go to time", prompt, text=current)
        if ok and text.strip():
            self.go_to(text)

    # the timeline as a scrubber ----------------------------------------------------------------------
    def _hook_timeline(self) -> None:
        plot = self._window.timeline_view.plot_widget
        scene = plot.scene()
        scene.sigMouseClicked.connect(self._timeline_clicked)
        scene.sigMouseMoved.connect(self._timeline_moved)
        plot.setToolTip("Click or drag to go to a moment of the night")

    def _time_at(self, scene_pos: QPointF) -> dt.datetime | None:
        view = self._window.timeline_view.plot_widget.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        x = view.mapSceneToView(scene_pos).x()
        try:
            return dt.datetime.fromtimestamp(x, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None

    def seek_timeline(self, scene_pos: QPointF) -> dt.datetime | None:
        """Go to the moment under ``scene_pos`` on the timeline (clamped to the night)."""
        window = self._window
        when, clock = self._time_at(scene_pos), window.replay_bar.clock
        if when is None or clock is None or window.night is None:
            return None
        when, _note = clamp_to_night(when, clock.start, clock.end, window.night.timezone)
        window.replay_bar.pause()
        window.replay_bar.seek(when)
        return when

    def _timeline_clicked(self, event: object) -> None:
        if getattr(event, "button", lambda: None)() == Qt.MouseButton.LeftButton:
            self.seek_timeline(event.scenePos())  # type: ignore[attr-defined]

    def _timeline_moved(self, scene_pos: QPointF) -> None:
        window = self._window
        plot = window.timeline_view.plot_widget
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:  # a drag scrubs
            self.seek_timeline(scene_pos)
        text = self.hover_text(scene_pos)
        if text:
            global_pos = plot.mapToGlobal(plot.mapFromScene(scene_pos))
            QToolTip.showText(global_pos, text, plot)

    def hover_text(self, scene_pos: QPointF) -> str:
        """The time under the pointer (the version, on a night whose files have no times) and
        each candidate's running share there."""
        window = self._window
        when, info = self._time_at(scene_pos), window.night
        if when is None or info is None:
            return ""
        lines = [version_at(when, info.times) if info.untimed else _hhmm(when, info.timezone)]
        stamp = when.timestamp()
        for name, curves in window.timeline_view.series().items():
            times, shares = curves["running_t"], curves["running"]
            if len(times) == 0 or stamp < times[0]:
                continue
            i = int((times <= stamp).sum()) - 1
            lines.append(f"{name}: {shares[i]:.1f} %")
        return "\n".join(lines)

    # alerts ------------------------------------------------------------------------------------------
    def _alert_activated(self, index: QModelIndex) -> None:
        rows = self._window.alert_log.dock.model.rows()
        if index.isValid() and 0 <= index.row() < len(rows):
            self.jump_to_alert(rows[index.row()])

    def jump_to_alert(self, alert: object) -> None:
        """Go to the version that raised ``alert`` and show its race."""
        window = self._window
        info, bar = window.night, window.replay_bar
        index = getattr(alert, "version_index", None)
        if info is None or bar.clock is None or index is None or not 0 <= index < len(info.times):
            return
        bar.pause()
        bar.seek(info.times[index])
        contest = getattr(alert, "contest_id", "")
        if contest and any(c.id == contest for c in info.final.contests):
            window.select_contest(contest)

    # import and recent nights ------------------------------------------------------------------------
    def choose_import(self) -> None:
        """File ▸ Import results…: a results file becomes a new night in the data folder."""
        from tracker.ui.last_folder import remember, start_path

        path, _ = QFileDialog.getOpenFileName(self._window, "Import results", start_path(), RESULTS_FILTER)
        if path:
            remember(path)
            self.import_results(Path(path))

    def choose_import_folder(self) -> None:
        """File ▸ Import results folder…: a folder of saved versions (one file each) becomes a
        new night, the files in the importer's order."""
        from tracker.ui.last_folder import remember, start_path

        folder = QFileDialog.getExistingDirectory(self._window, "Import a folder of results", start_path())
        if folder:
            remember(folder)
            self.import_results(Path(folder))

    def import_results(self, path: Path) -> None:
        """Import ``path`` off the GUI thread, with a busy bar until it opens or fails."""
        self._importing = Path(path)
        self._progress.show()
        self._window.statusBar().showMessage(f"Importing {Path(path).name}…")
        self._window.worker.import_payload(Path(path))

    def _import_done(self, _path: object) -> None:
        if self._importing is not None:
            self._window.statusBar().showMessage(f"Imported {self._importing.name}; opening it…", 8000)
        self._importing = None
        self._progress.hide()

    def _import_failed(self, _message: str) -> None:
        self._importing = None
        self._progress.hide()

    @property
    def importing(self) -> bool:
        return self._importing is not None

    def _on_catalogue(self, found: object) -> None:
        if isinstance(found, Catalogue):
            self._catalogue = found
            if self.recent_menu.isVisible():
                self._fill_recent(refresh=False)

    def _fill_recent(self, refresh: bool = True) -> None:
        """The recent nights as last read (the start page's list); read afresh for next time (the
        store is read on the worker's thread, never here)."""
        menu = self.recent_menu
        menu.clear()
        entries = self._catalogue.recent_nights if self._catalogue is not None else ()
        if self._catalogue is None:
            menu.addAction("Reading the nights…").setEnabled(False)
        elif not entries:
            menu.addAction("No recent nights").setEnabled(False)
        for entry in entries[:10]:
            action = menu.addAction(entry.title)
            action.setToolTip(str(entry.path))
            action.triggered.connect(lambda _c=False, p=entry.path: self._window.open_night(Path(p)))
        if refresh:
            self._window.worker.request_catalogue()  # fresh for next time
