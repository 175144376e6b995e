"""The drill-down: the selected race by county or by precinct, vote type by vote type.

A dock (Race ▸ Drill down) with a sortable table -- one row per unit and vote type, a column per
candidate, most votes first as in the race view -- and the vote-type mix chart beside it. The rows
are the export's rows (:mod:`tracker.core.export`), so the table and the CSV agree. Building them
for a few hundred precincts takes tens of milliseconds, too long for the GUI thread during a fast
replay, so the worker builds them (``Worker.run_task``) and the dock drops answers it has moved past.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core.export import ALL_TYPES, ContestRows, Level, UnitRow, contest_rows, vote_type_mix
from tracker.core.model import Contest, Reporting, Snapshot
from tracker.core.words import count, noun
from tracker.ui.bar_texts import display_name
from tracker.ui.plain_text import TEXT_LIMIT, elide, plain_label
from tracker.ui.theme import ChartTheme, current_theme
from tracker.ui.vote_mix import VOTE_TYPE_NAMES, VoteMixChart
from tracker.ui.workers import Worker

log = logging.getLogger(__name__)
_AnyIndex = QModelIndex | QPersistentModelIndex
#: Raw value for sorting: numbers sort as numbers, "not reported" below zero.
SortRole = Qt.ItemDataRole.UserRole + 1
#: The row's canonical vote type (the proxy filters on it).
CanonicalRole = Qt.ItemDataRole.UserRole + 2

#: The dock's height when first opened (at least; else 35 % of the window). A window with less
#: room than this under a readable race (the default 760 px with GA-06's 18 candidates) gets the
#: panel as a window of its own, FLOAT_SIZE, so the race's bars keep their room.
MIN_HEIGHT = 260
FLOAT_SIZE = (1100, 400)
REPORTING_TEXT = {Reporting.COMPLETE: "complete", Reporting.PARTIAL: "partial", Reporting.NONE: "not yet"}
REPORTING_RANK = {Reporting.NONE: 0.0, Reporting.PARTIAL: 0.5, Reporting.COMPLETE: 1.0}


@dataclass(frozen=True)
class DrillData:
    """Everything the dock shows for one contest of one version (built off the GUI thread)."""

    contest: Contest
    #: (level, combined) -> rows.
    tables: dict[tuple[Level, bool], ContestRows]
    mix: dict[str, dict[str, int]]


def build_drill_data(contest: Contest) -> DrillData:
    """Both levels, by vote type and combined, and the mix: a pure function (worker thread)."""
    tables = {
        (level, combined): contest_rows(contest, level, combine=combined)
        for level in Level
        for combined in (False, True)
    }
    return DrillData(contest, tables, vote_type_mix(contest))


def _build_or_error(contest: Contest) -> DrillData | str:
    """The drill-down, or one sentence for the dock's status line (a feed we cannot break down
    must not leave the dock waiting)."""
    try:
        return build_drill_data(contest)
    except Exception as exc:
        log.exception("breaking down %s", contest.name)
        return f"Cannot break down {contest.name}: {exc}"


class DrillDownModel(QAbstractTableModel):
    """A contest's rows: the place, reporting, vote type, each candidate's votes, the total."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: ContestRows | None = None
        self._head: tuple[str, ...] = ()
        self._muted = current_theme().muted

    # shape ---------------------------------------------------------------------------------------
    @staticmethod
    def _head_for(level: Level) -> tuple[str, ...]:
        if level is Level.COUNTY:
            return ("County", "Reporting", "Vote type")
        return ("Unit", "County", "Reporting", "Vote type")

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._rows is None else len(self._rows.rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._rows is None:
            return 0
        return len(self._head) + len(self._rows.candidates) + 1

    def set_rows(self, rows: ContestRows | None) -> None:
        """Show ``rows``: in place (scroll and selection kept) when only the numbers changed."""
        old = self._rows
        same_shape = (
            old is not None
            and rows is not None
            and old.level is rows.level
            and [c.id for c in old.candidates] == [c.id for c in rows.candidates]
            and [r.key for r in old.rows] == [r.key for r in rows.rows]
        )
        if not same_shape:
            self.beginResetModel()
            self._rows = rows
            self._head = self._head_for(rows.level) if rows is not None else ()
            self.endResetModel()
            return
        assert old is not None and rows is not None
        changed = [i for i, (a, b) in enumerate(zip(old.rows, rows.rows, strict=True)) if a != b]
        self._rows = rows
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], self.columnCount() - 1))

    @property
    def rows(self) -> ContestRows | None:
        return self._rows

    def set_muted(self, colour: QColor) -> None:
        """The colour of "nothing reported" (the palette's, light or dark): the view redraws it."""
        if colour == self._muted:
            return
        self._muted = QColor(colour)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self.rowCount() - 1, self.columnCount() - 1),
                [Qt.ItemDataRole.ForegroundRole],
            )

    # data ----------------------------------------------------------------------------------------
    def _column(self, column: int) -> tuple[str, int]:
        """("head", i) for a leading column, ("cand", i) for a candidate, ("total", 0)."""
        n_head = len(self._head)
        if column < n_head:
            return ("head", column)
        assert self._rows is not None
        if column < n_head + len(self._rows.candidates):
            return ("cand", column - n_head)
        return ("total", 0)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or self._rows is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        kind, i = self._column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "head":
                return self._head[i]
            if kind == "cand":
                return display_name(self._rows.candidates[i].name)
            return "Total"
        if role == Qt.ItemDataRole.ToolTipRole and kind == "cand":
            cand = self._rows.candidates[i]
            return f"{cand.name}{f' ({cand.party})' if cand.party else ''}"
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._rows is None:
            return None
        if not (0 <= index.row() < len(self._rows.rows) and 0 <= index.column() < self.columnCount()):
            return None
        row = self._rows.rows[index.row()]
        kind, i = self._column(index.column())
        if role == CanonicalRole:
            return row.canonical
        if kind == "head":
            if role == Qt.ItemDataRole.ForegroundRole and self._head[i] == "Vote type" and not row.vote_type:
                return QColor(self._muted)
            return self._head_data(row, self._head[i], role)
        value = row.votes[i] if kind == "cand" else row.total
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            total = row.total
            if kind == "cand" and total:  # the candidate's share of this place, beside the votes
                return f"{value:,} · {100.0 * value / total:.1f} %"
            return f"{value:,}"
        if role == SortRole:
            return -1 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and value is None:
            return "not reported here yet"
        return None

    @staticmethod
    def _head_data(row: UnitRow, column: str, role: int):
        if column in ("Unit", "County"):
            text = row.unit if column == "Unit" else row.county
            if role in (Qt.ItemDataRole.DisplayRole, SortRole):
                return text
            if role == Qt.ItemDataRole.ToolTipRole and column == "Unit":
                return f"{row.unit} ({row.kind}, id {row.unit_id})"
            return None
        if column == "Reporting":
            if role == Qt.ItemDataRole.DisplayRole:
                if row.precincts is not None:
                    return f"{row.precincts[0]}/{row.precincts[1]}"
                return REPORTING_TEXT[row.reporting]
            if role == SortRole:
                if row.precincts is not None and row.precincts[1]:
                    return row.precincts[0] / row.precincts[1]
                return REPORTING_RANK[row.reporting]
            if role == Qt.ItemDataRole.ToolTipRole and row.precincts is not None:
                done, of = row.precincts
                return f"{done:,} of {of:,} {noun(of, 'precinct')} fully reporting"
            if role == Qt.ItemDataRole.TextAlignmentRole and row.precincts is not None:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        # vote type
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            if row.vote_type == ALL_TYPES:
                return "all types"
            return row.vote_type or "nothing reported"
        if role == Qt.ItemDataRole.ToolTipRole and row.canonical and row.canonical != ALL_TYPES:
            return VOTE_TYPE_NAMES.get(row.canonical, row.canonical)
        return None


class DrillDownProxy(QSortFilterProxyModel):
    """Sorts on raw numbers; filters on a canonical vote type and on a place name."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(True)
        self._canonical: str | None = None
        self._text = ""

    def set_vote_type(self, canonical: str | None) -> None:
        """Only rows of this canonical vote type (None: all rows)."""
        self.beginFilterChange()
        self._canonical = canonical
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        """Only rows whose unit or county contains ``text`` (ignoring case)."""
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DrillDownModel) or model.rows is None:
            return True
        row = model.rows.rows[source_row]
        if self._canonical is not None and row.canonical != self._canonical:
            return False
        return not self._text or self._text in row.unit.casefold() or self._text in row.county.casefold()

    def lessThan(self, left: _AnyIndex, right: _AnyIndex) -> bool:
        a, b = left.data(SortRole), right.data(SortRole)
        if isinstance(a, str) and isinstance(b, str):
            a, b = a.casefold(), b.casefold()
        comparable = isinstance(a, str) == isinstance(b, str) and a is not None and b is not None
        if comparable and a != b:
            return a < b  # type: ignore[operator]
        return left.row() < right.row()  # ties keep the feed's order


#: The vote-type choices: (label, combined rows?, canonical filter).
VOTE_TYPE_CHOICES: tuple[tuple[str, bool, str | None], ...] = (
    ("Each vote type", False, None),
    ("All types combined", True, None),
    ("Election day", False, "election_day"),
    ("Early in person", False, "early"),
    ("Mail", False, "mail"),
    ("Provisional", False, "provisional"),
)


def _docks_beside(window: QMainWindow, dock: QDockWidget) -> dict[QDockWidget, int]:
    """The other docks shown in ``dock``'s area of ``window``, docked, with their heights now."""
    area = window.dockWidgetArea(dock)
    return {
        other: other.height()
        for other in window.findChildren(QDockWidget)
        if other is not dock
        and not other.isHidden()
        and not other.isFloating()
        and window.dockWidgetArea(other) == area
    }


class DrillDownDock(QDockWidget):
    """The selected race by county or precinct, and its vote-type mix."""

    def __init__(
        self,
        worker: Worker,
        current: Callable[[], tuple[Snapshot | None, str | None]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Drill down", parent)
        self.setObjectName("drillDownDock")
        self._worker = worker
        self._current = current
        self._level = Level.COUNTY
        self._combined = False
        self._wanted: tuple[Snapshot | None, str | None] | None = None
        self._token = 0
        self._data: DrillData | None = None
        self._sized = False
        self._busy = False

        self._county_button = QToolButton()
        self._county_button.setText("By county")
        self._precinct_button = QToolButton()
        self._precinct_button.setText("By precinct")
        group = QButtonGroup(self)
        for button in (self._county_button, self._precinct_button):
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            group.addButton(button)
        group.setExclusive(True)
        self._county_button.setChecked(True)
        self._vote_type = QComboBox()
        for label, _combined, _canonical in VOTE_TYPE_CHOICES:
            self._vote_type.addItem(label)
        self._search = QLineEdit()
        self._search.setPlaceholderText("Filter places…")
        self._search.setClearButtonEnabled(True)
        self._status = plain_label("")  # quotes the feed's words (issue 19)
        self._status.setStyleSheet(f"color: {current_theme().muted.name()};")

        self._model = DrillDownModel(self)
        self._proxy = DrillDownProxy(self)
        self._proxy.setSourceModel(self._model)
        self._table = QTableView()
        self._table.setModel(self._proxy)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the feed's order until asked
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().setDefaultSectionSize(self._table.fontMetrics().height() + 8)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self._chart = VoteMixChart()

        bar = QHBoxLayout()
        bar.addWidget(self._county_button)
        bar.addWidget(self._precinct_button)
        bar.addWidget(self._vote_type)
        bar.addWidget(self._search, 1)
        bar.addWidget(self._status)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._table)
        split.addWidget(self._chart)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        split.setChildrenCollapsible(False)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.setWidget(body)

        self._county_button.toggled.connect(lambda on: on and self.set_level(Level.COUNTY))
        self._precinct_button.toggled.connect(lambda on: on and self.set_level(Level.UNIT))
        self._vote_type.currentIndexChanged.connect(self._on_vote_type)
        self._search.textChanged.connect(self._proxy.set_search)
        self._search.textChanged.connect(self._update_status)

    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: the muted texts follow (the table and the chart use the palette)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            muted = ChartTheme.from_palette(self.palette()).muted
            self._status.setStyleSheet(f"color: {muted.name()};")
            self._model.set_muted(muted)

    # inputs --------------------------------------------------------------------------------------
    def setVisible(self, visible: bool) -> None:
        window = self.parentWidget()
        placing = visible and not self._sized and isinstance(window, QMainWindow) and not self.isFloating()
        # The docks beside it, as tall as they are before it joins their row (see _first_placement).
        beside = _docks_beside(window, self) if placing else {}
        super().setVisible(visible)
        if not visible:
            return
        if placing:
            self._sized = True
            self._first_placement(window, beside)
        self.refresh()  # it skipped the versions and races shown while it was closed

    def set_first_placement(self, on: bool) -> None:
        """Whether the next show places the dock for a first use (off when the window puts it back
        where the user left it last time)."""
        self._sized = not on

    def _first_placement(self, window: QMainWindow, beside: dict[QDockWidget, int] | None = None) -> None:
        """Docked under the race, about a third of the window, when there is room for it under the
        race's bars at a readable height; else they would be crushed, so the panel opens as its
        own window below it (or over its lower part), which a double-click on its title docks."""
        room = self._room_below(window)
        if room >= MIN_HEIGHT:
            height = min(max(MIN_HEIGHT, window.height() * 7 // 20), room)
            window.resizeDocks([self], [height], Qt.Orientation.Vertical)
            self._take_the_wider_share(window)
            keep = getattr(window, "keep_race_readable", None)
            if keep is not None:
                QTimer.singleShot(0, window, keep)
            return
        self.setFloating(True)
        # Shown docked for a moment, it stretched its row (the pinned overview's) to its own
        # height; floating, it gives that back, or the bars stay squeezed under a text line.
        if beside:
            window.resizeDocks(list(beside), list(beside.values()), Qt.Orientation.Vertical)
        frame = window.frameGeometry()
        screen = window.screen().availableGeometry() if window.screen() is not None else frame
        width, height = min(frame.width(), FLOAT_SIZE[0]), FLOAT_SIZE[1]
        top = frame.bottom() + 1 if frame.bottom() + height <= screen.bottom() else frame.bottom() - height
        self.setGeometry(frame.left(), max(screen.top(), top), width, height)

    def _room_below(self, window: QMainWindow) -> int:
        """How tall the panel can be docked under the race with the race's bars still readable
        (``MainWindow.room_below``; a plain QMainWindow, in tests: a third of its height)."""
        room_below = getattr(window, "room_below", None)
        return window.height() // 3 if room_below is None else room_below()

    def _take_the_wider_share(self, window: QMainWindow) -> None:
        """Beside other docks in its area (the pinned overview, most often), take two thirds of the
        width: an even split left the table one candidate column and the filter box "Fi…", while
        a row of pinned cards reads in a third."""
        area = window.dockWidgetArea(self)
        others = [
            dock
            for dock in window.findChildren(QDockWidget)
            if dock is not self
            and not dock.isHidden()
            and not dock.isFloating()
            and window.dockWidgetArea(dock) == area
        ]
        if not others or area not in (
            Qt.DockWidgetArea.BottomDockWidgetArea,
            Qt.DockWidgetArea.TopDockWidgetArea,
        ):
            return
        width = window.width()
        share = width // (3 * len(others))
        window.resizeDocks(
            [*others, self], [share] * len(others) + [width - share * len(others)], Qt.Orientation.Horizontal
        )

    def refresh(self) -> None:
        """Follow the window: the version on screen and the selected race (only while open; a
        window drawn offscreen for a screenshot is never "visible", so this asks isHidden)."""
        if self.isHidden():
            return
        snapshot, contest_id = self._current()
        if self._wanted is not None and self._wanted[0] is snapshot and self._wanted[1] == contest_id:
            return
        self._wanted = (snapshot, contest_id)
        self._token += 1
        if self._busy:
            return  # one build at a time: the newest request starts when this one is done
        self._start()

    def _start(self) -> None:
        assert self._wanted is not None
        snapshot, contest_id = self._wanted
        contest = None
        if snapshot is not None and contest_id is not None:
            try:
                contest = snapshot.contest(contest_id)
            except KeyError:
                contest = None
        if contest is None:
            self._data = None
            self._model.set_rows(None)
            self._chart.set_mix(None, (), {})
            self._status.setText("No race at this time" if snapshot is not None else "No results yet")
            return
        token = self._token
        self._busy = True
        self._worker.run_task(lambda: _build_or_error(contest), lambda data: self._on_data(token, data))

    def set_level(self, level: Level | str) -> None:
        """By county (``Level.COUNTY``) or by the feed's own units (``Level.UNIT``: precincts)."""
        level = Level(level)
        if level is Level.UNIT and self._data is not None and not self._has_precincts():
            level = Level.COUNTY
        self._level = level
        for button, its in ((self._county_button, Level.COUNTY), (self._precinct_button, Level.UNIT)):
            if button.isChecked() != (its is level):
                button.setChecked(its is level)
        self._show()

    def set_vote_type(self, choice: int) -> None:
        """One of ``VOTE_TYPE_CHOICES`` (by index)."""
        self._vote_type.setCurrentIndex(choice)

    def _on_vote_type(self, choice: int) -> None:
        _label, combined, canonical = VOTE_TYPE_CHOICES[choice]
        self._combined = combined
        self._proxy.set_vote_type(canonical)
        self._show()
        self._update_status()

    # results -------------------------------------------------------------------------------------
    def _on_data(self, token: object, data: object) -> None:
        self._busy = False
        if token != self._token:
            self._start()  # the user moved on while it was built: build what is wanted now
            return
        if not isinstance(data, DrillData):
            self._data = None
            self._model.set_rows(None)
            self._status.setText(elide(str(data), TEXT_LIMIT))
            return
        self._data = data
        has_precincts = self._has_precincts()
        self._precinct_button.setEnabled(has_precincts)
        self._precinct_button.setToolTip(
            "" if has_precincts else "This feed reports by county or town, not by precinct"
        )
        if not has_precincts and self._level is Level.UNIT:
            self.set_level(Level.COUNTY)
            return
        self._show()

    def _has_precincts(self) -> bool:
        return self._data is not None and self._data.tables[(Level.UNIT, False)].has_precincts

    def _show(self) -> None:
        data = self._data
        if data is None:
            return
        rows = data.tables[(self._level, self._combined)]
        old = self._model.rows
        self._model.set_rows(rows)
        if old is None or (old.contest_id, old.level, old.candidates) != (
            rows.contest_id,
            rows.level,
            rows.candidates,
        ):
            self._table.resizeColumnsToContents()  # other columns: fit them (not on every version)
        self._chart.set_mix(data.contest.name, rows.candidates, data.mix)
        self._update_status()

    def _update_status(self) -> None:
        data, rows = self._data, self._model.rows
        if data is None or rows is None:
            return
        places = len({r.unit_id for r in rows.rows})
        place = {
            Level.COUNTY: ("county", "counties"),
            Level.UNIT: ("precinct" if rows.has_precincts else "unit",),
        }
        reporting, total = data.contest.precincts
        # A feed with no precinct counts says so, not "0 of 0 precincts in".
        precincts = (
            f"{reporting:,} of {total:,} {noun(total, 'precinct')} in" if total else "no precinct counts"
        )
        shown = count(self._proxy.rowCount(), "row")
        self._status.setText(f"{count(places, *place[self._level])} · {shown} shown · {precincts}")

    # read-only access (tests) ----------------------------------------------------------------------
    @property
    def model(self) -> DrillDownModel:
        return self._model

    @property
    def proxy(self) -> DrillDownProxy:
        return self._proxy

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def chart(self) -> VoteMixChart:
        return self._chart

    @property
    def level(self) -> Level:
        return self._level

    @property
    def data(self) -> DrillData | None:
        return self._data

    @property
    def status_text(self) -> str:
        return self._status.text()

    def shown_rows(self) -> tuple[ContestRows | None, str]:
        """The rows the table shows with its filters applied (in the feed's order), and a
        sentence naming the filters ("" when none): what File ▸ Export ▸ Race as CSV writes while
        the drill-down is open, so the file matches what the user is looking at."""
        rows = self._model.rows
        if rows is None:
            return None, ""
        proxy = self._proxy
        kept = sorted(proxy.mapToSource(proxy.index(r, 0)).row() for r in range(proxy.rowCount()))
        notes = []
        if self._search.text().strip():
            notes.append(f"places matching {self._search.text().strip()!r}")
        if self._vote_type.currentIndex() > 0:
            notes.append(f"vote types: {self._vote_type.currentText()}")
        level = "counties" if self._level == Level.COUNTY else "precincts"
        note = f"as the drill-down shows it: {level}" + (f", {', '.join(notes)}" if notes else "")
        return replace(rows, rows=tuple(rows.rows[i] for i in kept)), note
