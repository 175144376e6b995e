"""The race list's model: a table over a Snapshot's contests (the proxy that searches and filters
it is :mod:`tracker.ui.race_filter`).

The model adapts immutable Snapshots; it never mutates them. Each version's contests are reduced to
:class:`~tracker.core.race_facts.RaceFacts` once, so painting, searching and sorting read plain
attributes. A new version is applied in place: ``dataChanged`` on the rows that changed, row
insertions and removals for races that appear or go, a layout change when the order moves -- a
reset would drop the selection, the scroll position and the user's place in the list every few
seconds.

Sorting is the model's, not the proxy's: Qt's proxy sorts by asking Python for every comparison
(1.5 s for 5,000 races here), while ``list.sort`` with a key takes milliseconds. The proxy keeps the
model's order and only filters.

Pins are UI state the model owns; persisting them is not its job (the store is SQLite on disk, and
docs/architecture.md keeps disk off the GUI thread): toggling emits ``pin_toggled`` and the window hands it to
the worker.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from tracker.core.model import Snapshot
from tracker.core.race_facts import LastChange, LastChangeTracker, RaceFacts, margin_lines, snapshot_facts
from tracker.core.words import count, noun

COL_PIN, COL_NAME, COL_MARGIN, COL_REPORTING, COL_CHANGED = range(5)
COLUMNS = ("★", "Race", "Margin", "Reporting", "Changed")
HEADER_TIPS = (
    "Pinned races (always listed first)",
    "Race (⚠: the feed corrected its numbers)",
    "Leader's share minus the runner-up's, in percentage points of the votes counted",
    "Precincts fully reporting / in the race",
    "When this race's numbers last changed (≤: at or before, versions in between were not read)",
)

#: The contest id of a row (any column).
ContestIdRole = Qt.ItemDataRole.UserRole + 1
#: True when the row's race is pinned (any column).
PinnedRole = Qt.ItemDataRole.UserRole + 2
#: The value the column sorts by (None sorts last): folded name, margin, reporting fraction, version.
SortRole = Qt.ItemDataRole.UserRole + 3
#: The correction text of a flagged race (any column), else None.
FlagRole = Qt.ItemDataRole.UserRole + 4

PIN_ON, PIN_OFF = "★", "☆"
FLAG = "⚠"
PIN_COLOUR = QColor("#C77C00")  # Okabe-Ito orange, darkened to read on white
UNPINNED_COLOUR = QColor("#8A8F98")
#: The light theme's warning red; the list takes the palette's (``set_flag_colour``).
FLAG_COLOUR = QColor("#B3261E")

_AnyIndex = QModelIndex | QPersistentModelIndex
_DIGITS = re.compile(r"(\d+)")
#: A trailing "(VOTE FOR 1)" (North Carolina's board file ends every race's name so): the list's
#: narrow column kept it and elided the district ("US HOUSE OF ...(VOTE FOR 1)" fourteen times).
_VOTE_FOR_ONE = re.compile(r"\s*\(\s*vote\s+for\s+1\s*\)\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=16384)
def natural_key(folded: str) -> tuple[str | int, ...]:
    """A folded name with its numbers as numbers: "wy house district 2" sorts before "… 10", as
    people read a list of districts (Wyoming's 60 house districts ran 1, 10, 11, … 19, 2, 20)."""
    parts = _DIGITS.split(folded)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


@functools.lru_cache(maxsize=16384)
def list_name(name: str) -> str:
    """The race's name as the list's narrow column shows it: without a trailing "(VOTE FOR 1)",
    which every race of some feeds carries and which says nothing (a race for more seats keeps
    its "(VOTE FOR 3)"); the tooltip and the race view keep the feed's full name."""
    shorter = _VOTE_FOR_ONE.sub("", name)
    return shorter or name


def _BY_NAME(r: RaceFacts) -> tuple[object, ...]:
    return (natural_key(r.folded), r.contest_id)


def _BY_MARGIN(r: RaceFacts) -> tuple[object, ...]:
    return (r.margin, natural_key(r.folded), r.contest_id)


def _BY_REPORTING(r: RaceFacts) -> tuple[object, ...]:
    return (r.fraction, r.reporting, natural_key(r.folded), r.contest_id)


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Computed once: OR-ing Qt's flag enums in Python costs ~30 µs, and flags() runs for every painted cell.
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_ALIGNMENTS = (int(Qt.AlignmentFlag.AlignCenter), None, _RIGHT, _RIGHT, _RIGHT)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROLES = frozenset(
    {
        _DISPLAY,
        _ALIGN,
        _FOREGROUND,
        _FONT,
        _TOOLTIP,
        *(int(r) for r in (ContestIdRole, PinnedRole, SortRole, FlagRole)),
    }
)


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    out: list[tuple[int, int]] = []
    for row in sorted(rows):
        if out and row == out[-1][1] + 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


class RaceListModel(QAbstractTableModel):
    """One row per contest of the current snapshot: pin star, name, margin, precincts, last change."""

    #: The user toggled a pin: contest id, contest name, pinned now.
    pin_toggled = Signal(str, str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._election_id = ""
        self._rows: list[RaceFacts] = []
        self._row_of: dict[str, int] = {}
        self._pins: set[str] = set()
        self._flags: dict[str, str] = {}
        self._flag_colour = FLAG_COLOUR
        self._changes: dict[str, LastChange] = {}
        self._times: Sequence[dt.datetime] = ()
        self._untimed = False
        self._tz: dt.tzinfo | None = None
        self._tracker = LastChangeTracker()
        self._sort_column = COL_NAME
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._bold = QFont()
        self._bold.setBold(True)

    def set_flag_colour(self, colour: QColor) -> None:
        """A corrected race's name colour: the theme's warning red (the dark palette's is lighter,
        #B3261E reads at 2.4:1 on it)."""
        if colour == self._flag_colour:
            return
        self._flag_colour = QColor(colour)
        if self._flags and self._rows:
            self.dataChanged.emit(
                self.index(0, COL_NAME), self.index(len(self._rows) - 1, COL_NAME), [_FOREGROUND]
            )

    # reading ---------------------------------------------------------------------------------------
    @property
    def election_id(self) -> str:
        return self._election_id

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called ~7 times per painted cell (once per role the delegate asks for): the roles the
        # list never answers leave before anything else is looked at.
        if role not in _ROLES:
            return None
        r = index.row()
        if not 0 <= r < len(self._rows) or not index.isValid():
            return None
        row = self._rows[r]
        col = index.column()
        if role == _DISPLAY:
            return self._display(row, col)
        if role == _ALIGN:
            return _ALIGNMENTS[col]
        if role == _FOREGROUND:
            if col == COL_PIN:
                return PIN_COLOUR if row.contest_id in self._pins else UNPINNED_COLOUR
            return self._flag_colour if col == COL_NAME and row.contest_id in self._flags else None
        if role == _FONT:
            return self._bold if col == COL_PIN and row.contest_id in self._pins else None
        if role == ContestIdRole:
            return row.contest_id
        if role == PinnedRole:
            return row.contest_id in self._pins
        if role == FlagRole:
            return self._flags.get(row.contest_id)
        if role == SortRole:
            return self._sort_key(col)(row)
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        return None

    def _display(self, row: RaceFacts, col: int) -> str | None:
        if col == COL_PIN:
            return PIN_ON if row.contest_id in self._pins else PIN_OFF
        if col == COL_NAME:
            name = list_name(row.name)
            return f"{FLAG} {name}" if row.contest_id in self._flags else name
        if col == COL_MARGIN:
            return "—" if row.margin is None else f"{row.margin:.1f}"
        if col == COL_REPORTING:
            return f"{row.reporting:,}/{row.total:,}" if row.total else "—"
        if col == COL_CHANGED:
            return self._changed_text(row.contest_id)
        return None

    def _changed_at(self, contest_id: str) -> dt.datetime | None:
        change = self._changes.get(contest_id)
        if change is None or not 0 <= change.index < len(self._times):
            return None
        when = self._times[change.index]
        return when.astimezone(self._tz) if self._tz is not None else when

    def _changed_text(self, contest_id: str) -> str:
        when = self._changed_at(contest_id)
        if when is None:
            return ""
        # A night in file order: which version, not its placeholder time.
        text = f"v {self._changes[contest_id].index + 1}" if self._untimed else f"{when:%H:%M}"
        return text if self._changes[contest_id].exact else f"≤{text}"

    def _tooltip(self, row: RaceFacts, col: int) -> str:
        pinned = row.contest_id in self._pins
        if col == COL_PIN:
            return "Unpin this race" if pinned else "Pin this race: it stays on top, across restarts"
        lines = [row.name]
        flag = self._flags.get(row.contest_id)
        if flag:
            lines.append(f"{FLAG} {flag}")
        lines += margin_lines(row)
        lines.append(
            f"{row.reporting:,} of {row.total:,} {noun(row.total, 'precinct')} reporting · "
            f"{count(row.votes, 'vote')}"
            if row.total
            else f"no precinct counts in this feed · {count(row.votes, 'vote')}"
        )
        when = self._changed_at(row.contest_id)
        if when is not None:
            exact = self._changes[row.contest_id].exact
            if self._untimed:
                version = f"version {self._changes[row.contest_id].index + 1} (the files have no times)"
                lines.append(f"numbers last changed {'in' if exact else 'at or before'} {version}")
            else:
                lines.append(
                    f"numbers last changed {'' if exact else 'at or before '}{when:%Y-%m-%d %H:%M %Z}"
                )
        return "\n".join(lines)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def facts(self, row: int) -> RaceFacts:
        """The facts shown in ``row`` (what the proxy filters on)."""
        return self._rows[row]

    def contest_id(self, row: int) -> str:
        return self._rows[row].contest_id

    def row_of(self, contest_id: str) -> int | None:
        return self._row_of.get(contest_id)

    def contest_ids(self) -> list[str]:
        return [r.contest_id for r in self._rows]

    def pins(self) -> set[str]:
        return set(self._pins)

    def is_pinned(self, contest_id: str) -> bool:
        return contest_id in self._pins

    def flag(self, contest_id: str) -> str | None:
        return self._flags.get(contest_id)

    # updating ------------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: Snapshot, facts: Sequence[RaceFacts] | None = None) -> None:
        """Show ``snapshot``'s contests: in place for the same election (changed rows, races that
        appeared or went, a new order), a reset only for another election. ``facts`` are the
        snapshot's :func:`~tracker.core.race_facts.snapshot_facts` when the worker made them."""
        if facts is None or len(facts) != len(snapshot.contests):
            facts = snapshot_facts(snapshot)
        if snapshot.election.id != self._election_id:
            self.beginResetModel()
            self._election_id = snapshot.election.id
            self._changes = {}
            self._rows = self._ordered(facts)
            self._reindex()
            self.endResetModel()
            return
        new = {f.contest_id: f for f in facts}
        gone = [i for i, r in enumerate(self._rows) if r.contest_id not in new]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        changed = []
        renamed = False
        rows = self._rows
        for i, old in enumerate(rows):
            fresh = new[old.contest_id]
            if fresh != old:
                rows[i] = fresh
                changed.append(i)
                renamed = renamed or fresh.name != old.name
        self._emit_rows_changed(changed)
        if gone:
            self._reindex()
        added = [f for f in facts if f.contest_id not in self._row_of]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._rows.extend(added)
            self._reindex()
            self.endInsertRows()
        # By name, new numbers do not move a row: skip the sort (5,000 keys) unless a name changed.
        by_name = self._sort_column in (COL_PIN, COL_NAME)
        if added or renamed or (changed and not by_name):
            self._resort()

    def set_pins(self, pins: Iterable[str]) -> None:
        """Replace the pinned set (loaded from the store) without writing anything back."""
        pins = set(pins)
        if pins == self._pins:
            return
        touched = pins ^ self._pins
        self._pins = pins
        self._emit_rows_changed(self._row_of[c] for c in touched if c in self._row_of)
        self._resort()

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
            self._emit_rows_changed([row])
            self._resort()
        self.pin_toggled.emit(contest_id, name, pinned)

    def toggle_pin(self, row: int) -> bool:
        """Flip the pin of ``row``; returns the new state."""
        contest_id = self._rows[row].contest_id
        pinned = contest_id not in self._pins
        self.set_pinned(contest_id, pinned)
        return pinned

    def set_flags(self, flags: Mapping[str, str]) -> None:
        """Flag corrected races: contest id → one line saying what changed (e.g. "count went down:
        Smith 1,203 → 1,190"). Replaces the previous flags; flagged names show ⚠ and the text as
        their tooltip. Ids not in the list are kept, for when the race comes back."""
        flags = {str(k): str(v) for k, v in flags.items()}
        if flags == self._flags:
            return
        touched = {c for c in flags.keys() | self._flags.keys() if flags.get(c) != self._flags.get(c)}
        self._flags = flags
        rows = [self._row_of[c] for c in touched if c in self._row_of]
        for first, last in _runs(rows):
            self.dataChanged.emit(self.index(first, COL_NAME), self.index(last, COL_NAME))

    def set_last_changes(
        self,
        changes: Mapping[str, LastChange],
        times: Sequence[dt.datetime],
        tz: dt.tzinfo | None = None,
        *,
        untimed: bool = False,
    ) -> None:
        """When each race last changed (:func:`tracker.core.race_facts.last_changes`), as version
        indices into ``times``, shown in ``tz`` (the night's own zone); ``untimed``: the times are
        placeholders (a night in file order), so the column says which version ("v 3")."""
        changes = dict(changes)
        if (
            changes == self._changes
            and list(times) == list(self._times)
            and tz == self._tz
            and untimed == self._untimed
        ):
            return
        self._changes, self._times, self._tz, self._untimed = changes, list(times), tz, untimed
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_CHANGED), self.index(len(self._rows) - 1, COL_CHANGED))
        if self._sort_column == COL_CHANGED:
            self._resort()

    def follow_history(
        self,
        history: Mapping[int, Mapping[str, int]],
        upto: int,
        times: Sequence[dt.datetime],
        tz: dt.tzinfo | None = None,
        *,
        untimed: bool = False,
    ) -> None:
        """The "changed" column from each version's race fingerprints (the worker's
        ``fingerprints()``) as of version ``upto``; moving forward a version at a time compares
        only the new versions (:class:`~tracker.core.race_facts.LastChangeTracker`)."""
        self.set_last_changes(self._tracker.update(history, upto), times, tz, untimed=untimed)

    # sorting ---------------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (pinned races stay first; races without a value go last)."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self._resort()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _sort_key(self, column: int) -> Callable[[RaceFacts], object]:
        if column == COL_MARGIN:
            return lambda r: r.margin
        if column == COL_REPORTING:
            return lambda r: None if not r.total else (r.fraction, r.reporting)
        if column == COL_CHANGED:
            changes = self._changes
            return lambda r: changes[r.contest_id].index if r.contest_id in changes else None
        return lambda r: natural_key(r.folded)

    def _ordered(self, rows: Iterable[RaceFacts]) -> list[RaceFacts]:
        """Rows in the list's order: pinned first, then by the sort column (names break ties),
        races without a value last. The name keys are cached per name (numbers compared as numbers):
        this sorts 5,000 races whenever a new version moves one."""
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        column = self._sort_column
        if column in (COL_PIN, COL_NAME):
            out = sorted(rows, key=_BY_NAME, reverse=descending)
        elif column in (COL_MARGIN, COL_REPORTING):
            rows = list(rows)
            if column == COL_MARGIN:
                valued = [r for r in rows if r.margin is not None]
                missing = [r for r in rows if r.margin is None]
                valued.sort(key=_BY_MARGIN, reverse=descending)
            else:
                valued = [r for r in rows if r.total]
                missing = [r for r in rows if not r.total]
                valued.sort(key=_BY_REPORTING, reverse=descending)
            missing.sort(key=_BY_NAME)
            out = valued + missing
        else:
            key = self._sort_key(column)
            keyed = [(key(r), r) for r in sorted(rows, key=_BY_NAME)]
            present = [kr for kr in keyed if kr[0] is not None]
            present.sort(key=itemgetter(0), reverse=descending)  # stable: names break ties
            out = [r for _, r in present] + [r for k, r in keyed if k is None]
        pins = self._pins
        if pins:
            out = [r for r in out if r.contest_id in pins] + [r for r in out if r.contest_id not in pins]
        return out

    def _resort(self) -> None:
        """Put the rows in order, moving the persistent indexes (selection, current row) along."""
        new = self._ordered(self._rows)
        if all(a is b for a, b in zip(new, self._rows, strict=True)):
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = [r.contest_id for r in self._rows]
        self._rows = new
        self._reindex()
        persistent = self.persistentIndexList()
        moved = [self.index(self._row_of[old_ids[i.row()]], i.column()) for i in persistent]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _reindex(self) -> None:
        self._row_of = {r.contest_id: i for i, r in enumerate(self._rows)}

    def _emit_rows_changed(self, rows: Iterable[int]) -> None:
        last = len(COLUMNS) - 1
        for first, end in _runs(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))
