"""The race list's proxy: search as you type and the filters (pinned, close, still counting, over
the line), over the model's own order.

Qt calls ``filterAcceptsRow`` once per race on every keystroke, filter change and new order, so
each check reads a precomputed :class:`~tracker.core.race_facts.RaceFacts` attribute, and nothing
at all is checked while no filter is on. Sorting is handed to the model (see
:mod:`tracker.ui.race_list`), so the table's header still sorts.

At most ``ROW_CAP`` rows are listed (the first in the list's order, pinned races first): a feed of
10,000 races is searched and filtered over all of them, and the panel says "Showing the first
1,000 of 10,000 races" (issue 19).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal

from tracker.core.race_facts import RaceFacts
from tracker.ui.race_list import COL_NAME, ContestIdRole, RaceListModel

_AnyIndex = QModelIndex | QPersistentModelIndex

#: The most rows the list shows at once; search and filters reach every race.
ROW_CAP = 1000


class RaceFilterProxy(QSortFilterProxyModel):
    """Search (case-insensitive, on the race name) and filters over the model's own order."""

    #: The search text or a filter changed (the panel updates its "n of m races" count).
    filters_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)  # re-filter rows whose numbers change (close, counting…)
        self._text = ""
        self._pinned_only = False
        self._close_under: float | None = None
        self._counting_only = False
        self._crossed_only = False
        self._any = False  # is any filter on (else every row is accepted at once)
        self.row_cap = ROW_CAP
        #: The races matching the filters (all of them, not only the rows listed), and the ids of
        #: those listed when more match than the cap (None: every match is listed).
        self.matched = 0
        self._listed: frozenset[str] | None = None

    def setSourceModel(self, model: object) -> None:  # Qt's name
        super().setSourceModel(model)  # type: ignore[arg-type]
        if isinstance(model, RaceListModel):
            # After the proxy's own handlers (connected first): who is within the cap now.
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
                signal.connect(self._recount)
            model.dataChanged.connect(self._data_changed)
        self._recount()

    def _matches(self) -> tuple[int, frozenset[str] | None]:
        src = self.sourceModel()
        if not isinstance(src, RaceListModel):
            return 0, None
        total = src.rowCount()
        if not self._any:
            if total <= self.row_cap:
                return total, None
            return total, frozenset(src.facts(i).contest_id for i in range(self.row_cap))
        matched, listed = 0, []
        for i in range(total):
            r = src.facts(i)
            if self._accepts(src, r):
                matched += 1
                if matched <= self.row_cap:
                    listed.append(r.contest_id)
        return matched, (frozenset(listed) if matched > self.row_cap else None)

    def _data_changed(self, *_args: object) -> None:
        """New numbers move no race in or out of the cap unless a filter reads them."""
        if self._any:
            self._recount()

    def _recount(self, *_args: object) -> None:
        """Recompute the matches; re-filter when the rows within the cap changed."""
        matched, listed = self._matches()
        if listed == self._listed:
            if matched != self.matched:
                self.matched = matched
                self.filters_changed.emit()  # the count follows
            return
        self.beginFilterChange()
        self.matched, self._listed = matched, listed
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filters_changed.emit()

    @property
    def capped(self) -> bool:
        """More races match than the list shows."""
        return self._listed is not None

    # filters ---------------------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        """Show only races whose name contains ``text`` (ignoring case); empty shows all."""
        self._set("_text", text.strip().casefold())

    def set_pinned_only(self, on: bool) -> None:
        self._set("_pinned_only", bool(on))

    def set_close_under(self, points: float | None) -> None:
        """Only races whose leader is ahead by less than ``points`` percentage points (None: all),
        or where one write-in name could be that close (``RaceFacts.closest``)."""
        self._set("_close_under", None if points is None else float(points))

    def set_counting_only(self, on: bool) -> None:
        """Only races with precincts still out."""
        self._set("_counting_only", bool(on))

    def set_crossed_only(self, on: bool) -> None:
        """Only races where a candidate is over the threshold line right now."""
        self._set("_crossed_only", bool(on))

    @property
    def search_text(self) -> str:
        return self._text

    def _set(self, attr: str, value: object) -> None:
        if getattr(self, attr) == value:
            return
        self.beginFilterChange()
        setattr(self, attr, value)
        self._any = bool(
            self._text
            or self._pinned_only
            or self._close_under is not None
            or self._counting_only
            or self._crossed_only
        )
        self.matched, self._listed = self._matches()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filters_changed.emit()

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        # Once per race on every keystroke, filter change and new order: one attribute check when
        # nothing filters, else the checks on precomputed facts in ``_accepts``.
        listed = self._listed
        if not self._any and listed is None:
            return True
        src = self.sourceModel()
        if not isinstance(src, RaceListModel) or source_parent.isValid():
            return True
        r = src.facts(source_row)
        if listed is not None:
            return r.contest_id in listed
        return self._accepts(src, r)

    def _accepts(self, src: RaceListModel, r: RaceFacts) -> bool:
        if self._text and self._text not in r.folded:
            return False
        if self._pinned_only and not src.is_pinned(r.contest_id):
            return False
        if self._close_under is not None and (r.closest is None or r.closest >= self._close_under):
            return False
        if self._counting_only and not r.counting:
            return False
        return not (self._crossed_only and not r.crossed)

    # sorting: the model's ----------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        src = self.sourceModel()
        if isinstance(src, RaceListModel):
            src.sort(column, order)

    # lookups ---------------------------------------------------------------------------------------
    def contest_id_at(self, proxy_row: int) -> str | None:
        index = self.index(proxy_row, COL_NAME)
        return index.data(ContestIdRole) if index.isValid() else None

    def proxy_row_of(self, contest_id: str) -> int | None:
        src = self.sourceModel()
        if not isinstance(src, RaceListModel):
            return None
        row = src.row_of(contest_id)
        if row is None:
            return None
        index = self.mapFromSource(src.index(row, COL_NAME))
        return index.row() if index.isValid() else None
