"""The window's left panel: search box, a compact row of filters, the race table and a count.

It owns the race list's model and proxy and wires the controls to the proxy's filters; the window
only places the panel and reads its parts (table, search box, model) to follow the selection.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core.words import count, noun
from tracker.ui.race_filter import RaceFilterProxy
from tracker.ui.race_list import (
    COL_CHANGED,
    COL_MARGIN,
    COL_NAME,
    COL_PIN,
    COL_REPORTING,
    RaceListModel,
)
from tracker.ui.theme import ChartTheme, current_theme

DEFAULT_CLOSE_POINTS = 5.0


def _toggle(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(True)
    button.setAutoRaise(False)
    return button


class RaceListPanel(QWidget):
    """Search, filters (pinned, close, still counting, over the line) and the sortable race table."""

    def __init__(self, parent: QWidget | None = None, *, model_parent: QObject | None = None) -> None:
        super().__init__(parent)
        owner = model_parent if model_parent is not None else self
        self.model = RaceListModel(owner)
        self.proxy = RaceFilterProxy(owner)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search races…")
        self.search.setClearButtonEnabled(True)

        self.pinned_button = _toggle("★ Pinned", "Only the races you pinned")
        self.close_button = _toggle("Close <", "Only races whose leader is ahead by less than this margin")
        self.close_points = QDoubleSpinBox()
        self.close_points.setRange(0.5, 50.0)
        self.close_points.setSingleStep(0.5)
        self.close_points.setDecimals(1)
        self.close_points.setValue(DEFAULT_CLOSE_POINTS)
        self.close_points.setSuffix(" pts")
        self.close_points.setToolTip("Margin, in percentage points of the votes counted")
        self.counting_button = _toggle("Counting", "Only races with precincts still out")
        self.crossed_button = _toggle("Over line", "Only races where a candidate is over the threshold line")
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(3)
        for w in (self.pinned_button, self.close_button, self.close_points, self.counting_button):
            filters.addWidget(w)
        filters.addWidget(self.crossed_button)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures 5,000 rows to lay them out.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        metrics = self.fontMetrics()
        samples = ((COL_MARGIN, "Margin ▾"), (COL_REPORTING, "2,409/2,409"), (COL_CHANGED, "≤00:00 "))
        for col, sample in samples:
            header.resizeSection(col, metrics.horizontalAdvance(sample) + 14)
        header.resizeSection(COL_PIN, 26)
        header.setHighlightSections(False)
        header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)

        self.count = QLabel()
        self.count.setObjectName("raceCount")
        self._apply_theme(current_theme())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self.search.textChanged.connect(self.proxy.set_search)
        self.pinned_button.toggled.connect(self.proxy.set_pinned_only)
        self.close_button.toggled.connect(self._apply_close)
        self.close_points.valueChanged.connect(self._apply_close)
        self.counting_button.toggled.connect(self.proxy.set_counting_only)
        self.crossed_button.toggled.connect(self.proxy.set_crossed_only)
        for signal in (
            self.proxy.filters_changed,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: the count's muted grey and the corrected races' red follow."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme(ChartTheme.from_palette(self.palette()))

    def _apply_theme(self, theme: ChartTheme) -> None:
        self.count.setStyleSheet(f"QLabel {{ color: {theme.muted.name()}; }}")
        self.model.set_flag_colour(theme.warning)

    def _apply_close(self, *_args: object) -> None:
        self.proxy.set_close_under(self.close_points.value() if self.close_button.isChecked() else None)

    def _update_count(self, *_args: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if total == 0:
            self.count.setText("")
        elif self.proxy.capped:  # more match than are listed: say so, and how to reach the rest
            matched = self.proxy.matched
            of = (
                count(total, "race")
                if matched == total
                else f"{count(matched, 'matching race')} ({total:,} in all)"
            )
            self.count.setText(f"Showing the first {shown:,} of {of}; search or filter to find the others")
            self.count.setWordWrap(True)
        else:
            races = noun(total, "race")
            self.count.setText(f"{total:,} {races}" if shown == total else f"{shown:,} of {total:,} {races}")
