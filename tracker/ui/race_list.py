"""The race list: a table model over a Snapshot's contests, and the proxy that searches and sorts it.

The model adapts immutable Snapshots; it never mutates them. A new version of the same night almost
always has the same contests, so it is applied as ``dataChanged`` on the rows that changed -- a reset
would drop the selection, the scroll position and the user's place in the list every few seconds.

Pins are UI state the model owns; persisting them is not its job (the store is SQLite on disk, and
DESIGN.md keeps disk off the GUI thread): toggling emits ``pin_toggled`` and the window hands it to
the worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from tracker.core.model import Snapshot

COL_PIN, COL_NAME, COL_REPORTING = range(3)
COLUMNS = ("★", "Race", "Reporting")

#: The contest id of a row (any column).
ContestIdRole = Qt.ItemDataRole.UserRole + 1
#: True when the row's race is pinned (any column).
PinnedRole = Qt.ItemDataRole.UserRole + 2
#: A value that sorts the column naturally: pinned first (0), folded name, reporting fraction.
SortRole = Qt.ItemDataRole.UserRole + 3

PIN_ON, PIN_OFF = "★", "☆"
PIN_COLOUR = QColor("#C77C00")  # Okabe-Ito orange, darkened to read on white
UNPINNED_COLOUR = QColor("#8A8F98")

_AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class _Row:
    contest_id: str
    name: str
    reporting: int
    total: int
    votes: int

    @property
    def fraction(self) -> float:
        return self.reporting / self.total if self.total else 0.0


class RaceListModel(QAbstractTableModel):
    """One row per contest of the current snapshot: pin star, name, precincts "n/m"."""

    #: The user toggled a pin: contest id, contest name, pinned now.
    pin_toggled = Signal(str, str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._election_id = ""
        self._rows: list[_Row] = []
        self._pins: set[str] = set()
        self._bold = QFont()
        self._bold.setBold(True)

    # reading ---------------------------------------------------------------------------------------
    @property
    def election_id(self) -> str:
        return self._election_id

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        pinned = row.contest_id in self._pins
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_PIN:
                return PIN_ON if pinned else PIN_OFF
            if col == COL_NAME:
                return row.name
            if col == COL_REPORTING:
                return f"{row.reporting}/{row.total}"
        elif role == ContestIdRole:
            return row.contest_id
        elif role == PinnedRole:
            return pinned
        elif role == SortRole:
            if col == COL_PIN:
                return 0 if pinned else 1
            if col == COL_NAME:
                return row.name.casefold()
            if col == COL_REPORTING:
                return row.fraction
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_PIN:
                return "Unpin this race" if pinned else "Pin this race: it stays on top, across restarts"
            return f"{row.name}\n{row.reporting} of {row.total} precincts reporting · {row.votes:,} votes"
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            if col == COL_PIN:
                return int(Qt.AlignmentFlag.AlignCenter)
            if col == COL_REPORTING:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ForegroundRole and col == COL_PIN:
            return PIN_COLOUR if pinned else UNPINNED_COLOUR
        elif role == Qt.ItemDataRole.FontRole and col == COL_PIN and pinned:
            return self._bold
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("Pinned races", "Race", "Precincts fully reporting / in the race")[section]
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def contest_id(self, row: int) -> str:
        return self._rows[row].contest_id

    def row_of(self, contest_id: str) -> int | None:
        for i, row in enumerate(self._rows):
            if row.contest_id == contest_id:
                return i
        return None

    def contest_ids(self) -> list[str]:
        return [r.contest_id for r in self._rows]

    def pins(self) -> set[str]:
        return set(self._pins)

    def is_pinned(self, contest_id: str) -> bool:
        return contest_id in self._pins

    # updating ------------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Show ``snapshot``'s contests: in place when the races are the same, else a reset."""
        rows = []
        for contest in snapshot.contests:
            reporting, total = contest.precincts
            rows.append(_Row(contest.id, contest.name, reporting, total, contest.total_votes))
        same = snapshot.election.id == self._election_id and [r.contest_id for r in rows] == [
            r.contest_id for r in self._rows
        ]
        if not same:
            self.beginResetModel()
            self._election_id = snapshot.election.id
            self._rows = rows
            self.endResetModel()
            return
        changed = [i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new]
        self._rows = rows
        if changed:
            last = len(COLUMNS) - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last))

    def set_pins(self, pins: Iterable[str]) -> None:
        """Replace the pinned set (loaded from the store) without writing anything back."""
        pins = set(pins)
        if pins == self._pins:
            return
        self._pins = pins
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def set_pinned(self, contest_id: str, pinned: bool) -> None:
        """Pin or unpin one race as the user asked; ``pin_toggled`` tells whoever persists it."""
        if (contest_id in self._pins) == pinned:
            return
        if pinned:
            self._pins.add(contest_id)
        else:
            self._pins.discard(contest_id)
        row = self.row_of(contest_id)
        name = ""
        if row is not None:
            name = self._rows[row].name
            # The whole row: the proxy re-sorts only when its sort column is inside the change.
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.pin_toggled.emit(contest_id, name, pinned)

    def toggle_pin(self, row: int) -> bool:
        """Flip the pin of ``row``; returns the new state."""
        contest_id = self._rows[row].contest_id
        pinned = contest_id not in self._pins
        self.set_pinned(contest_id, pinned)
        return pinned


class RaceFilterProxy(QSortFilterProxyModel):
    """Case-insensitive search on the race name; pinned races first, then by name."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(COL_NAME)
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(True)
        self.sort(COL_NAME, Qt.SortOrder.AscendingOrder)

    def set_search(self, text: str) -> None:
        """Show only races whose name contains ``text`` (ignoring case); empty shows all."""
        self.setFilterFixedString(text.strip())

    def lessThan(self, left: _AnyIndex, right: _AnyIndex) -> bool:
        src = self.sourceModel()
        left_pinned = bool(src.data(left.siblingAtColumn(COL_PIN), PinnedRole))
        right_pinned = bool(src.data(right.siblingAtColumn(COL_PIN), PinnedRole))
        if left_pinned != right_pinned:
            return left_pinned
        left_key = src.data(left, SortRole)
        right_key = src.data(right, SortRole)
        if left_key != right_key and left_key is not None and right_key is not None:
            return left_key < right_key
        left_name = src.data(left.siblingAtColumn(COL_NAME), SortRole) or ""
        right_name = src.data(right.siblingAtColumn(COL_NAME), SortRole) or ""
        if left_name != right_name:
            return left_name < right_name
        return left.row() < right.row()

    def contest_id_at(self, proxy_row: int) -> str | None:
        index = self.index(proxy_row, COL_NAME)
        return index.data(ContestIdRole) if index.isValid() else None

    def proxy_row_of(self, contest_id: str) -> int | None:
        for row in range(self.rowCount()):
            if self.index(row, COL_NAME).data(ContestIdRole) == contest_id:
                return row
        return None
