"""The projection log browser: every projection made for the open night, as logged in the store.

A dock with a table (newest last), a "this race only" switch, Refresh and Export CSV. The rows are
read and written by the worker (the store is SQLite on disk: never on the GUI thread); the dock
refreshes itself, at most once a second, while it is visible and the worker logs new rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tracker.core.projection_log import version_of
from tracker.core.words import count
from tracker.store import ProjectionRecord
from tracker.ui.plain_text import plain_label
from tracker.ui.workers import NightInfo, Worker

COLUMNS = (
    ("snapshot_time", "version time"),
    ("version", "version"),
    ("contest_name", "race"),
    ("candidate", "candidate"),
    ("status", "status"),
    ("share_now", "now %"),
    ("share", "projected %"),
    ("lo", "90 % low"),
    ("hi", "90 % high"),
    ("p_clear", "P(clear)"),
    ("outstanding", "outstanding"),
    ("model_version", "model"),
    ("baseline", "baseline"),
    ("made_at", "made at"),
)
_PERCENT = {"share_now", "share", "lo", "hi"}


def local_time(stamp: str, tz: dt.tzinfo) -> str:
    """A stored ISO time (UTC) as the election's clock shows it: "2017-04-18 21:04:05 EDT"."""
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp.replace("T", " ")[:19]
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()


class ProjectionLogModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ProjectionRecord] = []
        #: The election's zone (the window's clock): times show in it, with its abbreviation.
        self._tz: dt.tzinfo = dt.UTC
        #: A night whose files have no times: its versions' placeholder times, to say which
        #: version a row was made from ("v 5") in the "version time" column (None: real times).
        self._untimed: list[dt.datetime] | None = None

    def set_timezone(self, tz: dt.tzinfo) -> None:
        self.beginResetModel()
        self._tz = tz
        self.endResetModel()

    def set_untimed(self, times: Sequence[dt.datetime] | None) -> None:
        """``times``: the placeholder times of a night in file order (``tracker.core.untimed``);
        None for a night with real times."""
        self.beginResetModel()
        self._untimed = list(times) if times else None
        self.endResetModel()

    @property
    def untimed(self) -> list[dt.datetime] | None:
        return None if self._untimed is None else list(self._untimed)

    def set_rows(self, rows: Sequence[ProjectionRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[ProjectionRecord]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        field = COLUMNS[index.column()][0]
        value = getattr(self._rows[index.row()], field)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                if isinstance(value, int | float)
                else None
            )
        if value is None:
            return ""
        if field in _PERCENT:
            return f"{value * 100:.2f}"
        if field == "p_clear":
            return f"{value:.3f}"
        if field == "outstanding":
            return f"{value:,}"
        if field == "snapshot_time" and self._untimed is not None:
            return version_of(self._rows[index.row()], self._untimed)
        if field in ("snapshot_time", "made_at"):
            return local_time(str(value), self._tz)
        return str(value)


class ProjectionLogDock(QDockWidget):
    """Browse and export the projection log of the open night."""

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__("Projection log", parent)
        self.setObjectName("projectionLogDock")
        self._worker = worker
        self._contest_id: str | None = None
        self._model = ProjectionLogModel(self)
        self._table = QTableView()
        self._table.setModel(self._model)
        self._table.verticalHeader().hide()
        self._table.setAlternatingRowColors(True)
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._only_race = QCheckBox("This race only")
        self._only_race.setChecked(True)
        self._count = plain_label("")
        refresh = QPushButton("Refresh")
        export = QPushButton("Export CSV…")
        bar = QHBoxLayout()
        bar.addWidget(self._only_race)
        bar.addWidget(self._count, 1)
        bar.addWidget(refresh)
        bar.addWidget(export)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._table, 1)
        self.setWidget(body)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        refresh.clicked.connect(self.refresh)
        export.clicked.connect(self.choose_export)
        self._only_race.toggled.connect(self.refresh)
        worker.projection_log_ready.connect(self._on_rows)
        worker.projections_logged.connect(self._on_logged)
        worker.projection_log_exported.connect(self._on_exported)
        self.visibilityChanged.connect(lambda visible: visible and self.refresh())

    def follow_night(self, info: NightInfo) -> None:
        """A night opened: on one whose files have no times, the log says which version a row
        was made from ("v 5") where its time would be (``tracker.core.untimed``)."""
        self._model.set_untimed(info.times if info.untimed else None)

    def set_contest(self, contest_id: str | None) -> None:
        if contest_id != self._contest_id:
            self._contest_id = contest_id
            if self.isVisible() and self._only_race.isChecked():
                self.refresh()

    def _filter(self) -> str | None:
        return self._contest_id if self._only_race.isChecked() else None

    def refresh(self) -> None:
        self._worker.request_projection_log(self._filter())

    def export(self, path: Path) -> None:
        self._worker.export_projection_log(Path(path), self._filter(), untimed=self._model.untimed)

    def choose_export(self) -> None:
        from tracker.ui.last_folder import remember, start_path

        path, _ = QFileDialog.getSaveFileName(
            self, "Export projection log", start_path("projections.csv"), "CSV (*.csv)"
        )
        if path:
            remember(path)
            self.export(Path(path))

    def _on_rows(self, rows: Sequence[ProjectionRecord]) -> None:
        self._model.set_rows(rows)
        self._count.setText(count(len(rows), "row"))
        self._table.scrollToBottom()

    def _on_logged(self, _added: int) -> None:
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

    def _on_exported(self, path: str, rows: int) -> None:
        self._count.setText(f"wrote {count(rows, 'row')} to {Path(path).name}")
        window = self.parentWidget()
        if isinstance(window, QMainWindow):  # confirmed with its folder, where the window shows it
            window.statusBar().showMessage(
                f"Wrote {rows:,} projection rows to {Path(path).name} in {Path(path).parent}", 15000
            )

    @property
    def model(self) -> ProjectionLogModel:
        return self._model
