"""The alert log: alerts on the pinned races and corrections on every race, in a dock.

Rows are time (the causing version's, in the night's own zone), race, what happened and the
version. The worker scans versions for alerts off this thread (``tracker/ui/alert_jobs.py``) and
says which are new; new ones also go to the desktop as notifications where the platform has a
system tray (``QSystemTrayIcon``; offscreen there is none, and then the log is the only place).
Corrected races are flagged in the race list up to the version on screen. Feed alerts (stalled,
failing) are decided here from the poller's health with the pure ``core.feed_alerts`` functions.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStyle,
    QSystemTrayIcon,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tracker.core.alerts import Alert
from tracker.core.corrections import flags
from tracker.core.feed_alerts import DEFAULT_STALL_MINUTES, FeedWatch, feed_alerts
from tracker.core.untimed import version_label
from tracker.core.words import count
from tracker.ui.bar_texts import display_name
from tracker.ui.plain_text import TEXT_LIMIT, clean, plain_label
from tracker.ui.theme import ChartTheme

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QIcon

    from tracker.ui.race_list import RaceListModel
    from tracker.ui.workers import NightInfo, Worker

COLUMNS = ("time", "race", "what happened", "version")
#: A correction's orange (the light theme's; the dark one lightens it to stay legible).
CORRECTION_COLOUR = QColor("#B35900")
#: At most this many desktop notifications at once (a seek far ahead can reveal many alerts).
MAX_NOTIFICATIONS = 3
#: How often a live feed is checked for a stall between polls.
STALL_CHECK_MS = 30_000


class _Window(Protocol):
    """What the alert log uses of the main window: its signals, its worker, the night and the
    version on screen, and the QMainWindow parts it docks into. Narrow on purpose: this module is
    installed by the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def drawn(self) -> SignalInstance: ...
    @property
    def worker(self) -> Worker: ...
    @property
    def race_model(self) -> RaceListModel: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def shown_version(self) -> int | None: ...
    # the QMainWindow it is
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget) -> None: ...
    def windowIcon(self) -> QIcon: ...
    def style(self) -> QStyle: ...


#: Two or more words in capitals: a name as a shouting feed spells it ("JON OSSOFF").
_SHOUTED = re.compile(r"\b[A-Z][A-Z'.-]+(?:[ ][A-Z\"][A-Z\"'.-]*)+")


def names_in_case(text: str) -> str:
    """Names in an alert's sentence in the case the bars use ("JON OSSOFF takes the lead" →
    "Jon Ossoff takes the lead"): one case for a name everywhere in the window."""
    return _SHOUTED.sub(lambda m: display_name(m.group(0)), text)


class AlertLogModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Alert] = []
        self._tz: dt.tzinfo | None = None
        self._untimed = False
        self._correction = CORRECTION_COLOUR

    def set_correction_colour(self, colour: QColor) -> None:
        """Corrections' text colour for the palette on screen (the dock sets it on each change)."""
        if colour != self._correction:
            self._correction = QColor(colour)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def set_timezone(self, tz: dt.tzinfo | None) -> None:
        self._tz = tz

    def set_untimed(self, untimed: bool) -> None:
        """The night's versions have no times of their own (file order): the time column says
        which version ("v 5"), never the placeholder (``tracker.core.untimed``)."""
        self._untimed = untimed

    @property
    def untimed(self) -> bool:
        return self._untimed

    def set_rows(self, rows: Sequence[Alert]) -> None:
        rows = list(rows)
        if rows == self._rows:
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[Alert]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def cells(self, alert: Alert) -> tuple[str, str, str, str]:
        """What a row shows (and the CSV export writes, with full times)."""
        if self._untimed:
            when = version_label(alert.version_index)
        else:
            when = alert.time.astimezone(self._tz).strftime("%H:%M") if alert.time is not None else ""
        race = display_name(alert.contest_name) or alert.contest_id or "feed"
        return when, race, f"{alert.kind}: {names_in_case(alert.message)}", str(alert.version_index + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        alert = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(alert)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"version {alert.version_index + 1} ({alert.version})"
            if self._untimed:
                where += ", the files have no times"
            elif alert.time:
                where += f" at {alert.time.astimezone(self._tz).isoformat(timespec='seconds')}"
            return (
                f"{display_name(alert.contest_name)}\n{alert.kind}: {names_in_case(alert.message)}\n{where}"
            )
        if role == Qt.ItemDataRole.ForegroundRole and alert.is_correction:
            return self._correction
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class AlertLogDock(QDockWidget):
    """The alert log: a table, the stall setting and Export CSV."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Alert log", parent)
        self.setObjectName("alertLogDock")
        self.model = AlertLogModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.count = plain_label("No alerts yet: pin a race (★) to be told when it changes")
        self.stall = QSpinBox()
        self.stall.setRange(1, 240)
        self.stall.setValue(DEFAULT_STALL_MINUTES)
        self.stall.setSuffix(" min")
        self.stall.setToolTip("A live feed with no new version for this long raises a 'feed stalled' alert")
        self.export_button = QPushButton("Export CSV…")
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        bar.addWidget(QLabel("Feed stalled after"))
        bar.addWidget(self.stall)
        bar.addWidget(self.export_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        self._recolour()

    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: corrections stay legible on the new background."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()

    def _recolour(self) -> None:
        self.model.set_correction_colour(ChartTheme.from_palette(self.palette()).legible(CORRECTION_COLOUR))

    def show_rows(self, rows: Sequence[Alert]) -> None:
        self.model.set_rows(rows)
        corrections = sum(a.is_correction for a in rows)
        if rows:
            text = count(len(rows), "alert") + (
                f", {count(corrections, 'correction')}" if corrections else ""
            )
            self.count.setText(text)
            self.table.scrollToBottom()


class AlertLog(QObject):
    """Wires the alert log into the window: the dock, its menu action, notifications, flags."""

    def __init__(self, window: _Window, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self._worker = window.worker
        self.dock = AlertLogDock(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        action: QAction = self.dock.toggleViewAction()
        action.setText("&Alert log")
        action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        menu.addAction(action)
        self._race_alerts: list[Alert] = []
        self._feed_alerts: list[Alert] = []
        self._tz: dt.tzinfo | None = None
        self._watch = FeedWatch()
        self._health: object | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("Election Night Tracker")
            self.tray.show()
        self._stall_timer = QTimer(self)
        self._stall_timer.setInterval(STALL_CHECK_MS)
        self._stall_timer.timeout.connect(self.check_feed)

        self._worker.alerts_ready.connect(self._on_alerts)
        self._worker.alert_settings.connect(self._on_settings)
        self._worker.alerts_exported.connect(self._on_exported)
        self._worker.feed_health.connect(self._on_health)
        window.night_opened.connect(self._on_night)
        window.drawn.connect(self.refresh_flags)
        self.dock.export_button.clicked.connect(self.choose_export)
        self.dock.stall.valueChanged.connect(self._worker.save_stall_minutes)
        self._worker.request_alert_settings()

    # what the log shows -------------------------------------------------------------------------------
    def rows(self) -> list[Alert]:
        return sorted(
            [*self._race_alerts, *self._feed_alerts], key=lambda a: (a.time is None, a.time, a.version_index)
        )

    def _on_night(self, info: NightInfo) -> None:
        self._tz = info.timezone
        self.dock.model.set_timezone(info.timezone)
        self.dock.model.set_untimed(info.untimed)
        self._race_alerts, self._feed_alerts = [], []
        self._watch, self._health = FeedWatch(), None
        self.dock.show_rows([])
        if info.live:
            self._stall_timer.start()
        else:
            self._stall_timer.stop()

    def _on_alerts(self, known: list[Alert] | None, news: list[Alert]) -> None:
        if known is not None:
            self._race_alerts = list(known)
        self._feed_alerts.extend(a for a in news if not a.contest_id and a not in self._feed_alerts)
        self.dock.show_rows(self.rows())
        self.refresh_flags()
        if news:
            self.announce(news)

    def refresh_flags(self) -> None:
        """Flag the races corrected at or before the version on screen."""
        shown = self._window.shown_version
        model = self._window.race_model
        if hasattr(model, "set_flags"):
            model.set_flags({} if shown is None else flags(self._race_alerts, upto=shown))

    def announce(self, news: Sequence[Alert]) -> None:
        """New alerts: a desktop notification each (a few at most) where there is a system tray;
        without one the log is the only place (the window's own status bar belongs to errors)."""
        if self.tray is None:
            return
        for alert in news[:MAX_NOTIFICATIONS]:
            # Desktop notification servers may read markup in the body (freedesktop "body-markup"):
            # the feed's words escaped, bidi-isolated, elided (issue 19).
            self.tray.showMessage(
                f"{clean(display_name(alert.contest_name or '')) or 'Feed'} — {alert.kind}",
                html.escape(clean(names_in_case(alert.message), TEXT_LIMIT)),
                QSystemTrayIcon.MessageIcon.Information,
            )
        if len(news) > MAX_NOTIFICATIONS:
            self.tray.showMessage(
                "Election Night Tracker",
                f"{count(len(news) - MAX_NOTIFICATIONS, 'more alert')} in the alert log",
            )

    # feed alerts -----------------------------------------------------------------------------------------
    def _on_health(self, health: object) -> None:
        self._health = health
        self.check_feed()

    def check_feed(self, now: dt.datetime | None = None) -> list[Alert]:
        """Stalled or failing, from the last health report, at ``now`` (the wall clock)."""
        from tracker.feeds.poller import FeedHealth

        health, info = self._health, self._window.night
        if not isinstance(health, FeedHealth) or info is None or not info.live:
            return []
        self._watch, alerts = feed_alerts(
            self._watch,
            now=now or dt.datetime.now(dt.UTC),
            last_new_at=health.last_new_at,
            error=health.error,
            failures=health.failures,
            stall_after=dt.timedelta(minutes=self.dock.stall.value()),
            version_index=max(len(info.versions) - 1, 0),
            version=health.last_version or "",
            feed=health.url,
        )
        if alerts:
            self._worker.record_feed_alerts(alerts)
        return alerts

    def _on_settings(self, minutes: int) -> None:
        self.dock.stall.blockSignals(True)
        self.dock.stall.setValue(minutes)
        self.dock.stall.blockSignals(False)

    # export ----------------------------------------------------------------------------------------------
    def export(self, path: Path) -> None:
        """The log as the table shows it (names in the bars' case) to ``path``, in the background."""
        shown = [
            replace(a, contest_name=display_name(a.contest_name), message=names_in_case(a.message))
            for a in self.rows()
        ]
        self._worker.export_alerts(Path(path), shown, self._tz, untimed=self.dock.model.untimed)

    def choose_export(self) -> None:
        from tracker.ui.last_folder import remember, start_path

        path, _ = QFileDialog.getSaveFileName(
            self.dock, "Export alert log", start_path("alerts.csv"), "CSV (*.csv)"
        )
        if path:
            remember(path)
            self.export(Path(path))

    def _on_exported(self, path: str, rows: int) -> None:
        self.dock.count.setText(f"wrote {count(rows, 'row')} to {Path(path).name}")
        # Confirmed where the whole window can see it, with the folder (the dock may be closed).
        self._window.statusBar().showMessage(
            f"Wrote {rows:,} alert rows to {Path(path).name} in {Path(path).parent}", 15000
        )
