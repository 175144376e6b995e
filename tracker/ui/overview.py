"""The pinned overview: every pinned race as a small card, side by side, updated with each version.

A desk glances at a dozen races at once and clicks one to open it. The cards
(:mod:`tracker.ui.race_card`) are created once per pinned race and updated in place with each
version; they flow into as many equal columns as the width allows, in the feed's order of the
races, inside a scroll area; with nothing pinned, one line says how to pin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tracker.core.model import Contest, Snapshot
from tracker.ui.plain_text import plain_label
from tracker.ui.race_card import CARD_MIN_WIDTH, CardData, RaceCard, card_data
from tracker.ui.theme import ChartTheme, current_theme

#: Gap between cards, and around them.
SPACING = 8


class CardGridLayout(QLayout):
    """Equal columns, as many as fit at ``min_width`` each; rows as the cards need (height for
    width, so a scroll area grows and shrinks with the number of rows)."""

    def __init__(self, parent: QWidget | None = None, *, min_width: int = CARD_MIN_WIDTH) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._min_width = min_width
        self.setSpacing(SPACING)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        m = self.contentsMargins()
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(self._min_width + m.left() + m.right(), height + m.top() + m.bottom())

    def columns_for(self, width: int) -> int:
        m = self.contentsMargins()
        inner = width - m.left() - m.right()
        return max(1, (inner + self.spacing()) // (self._min_width + self.spacing()))

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        inner = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        cols = self.columns_for(rect.width())
        gap = self.spacing()
        width = max((inner.width() - (cols - 1) * gap) // cols, 1)
        y = inner.top()
        for start in range(0, len(self._items), cols):
            row = self._items[start : start + cols]
            height = max(i.sizeHint().height() for i in row)
            if apply:
                for col, item in enumerate(row):
                    item.setGeometry(QRect(inner.left() + col * (width + gap), y, width, height))
            y += height + gap
        used = y - gap - inner.top() if self._items else 0
        return used + m.top() + m.bottom()


#: The most race cards shown at once; more pinned races are counted in a line above them.
MAX_CARDS = 60


class PinnedOverview(QWidget):
    """The pinned races' cards in a scrolling grid, or a one-line hint when nothing is pinned."""

    #: A card was clicked: its contest id.
    contest_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cards: dict[str, RaceCard] = {}
        self._order: list[str] = []
        self._names: dict[str, str] = {}
        self._snapshot: Snapshot | None = None
        self._message = ""
        self._selected: str | None = None
        self._indexed: tuple[Snapshot, dict[str, Contest]] | None = None

        self._hint = plain_label()
        self._cap = plain_label()  # "Showing the first 60 of 10,000 pinned races"
        self._cap.setObjectName("overviewCap")
        self._cap.hide()
        self._pinned = 0
        self._hint.setObjectName("overviewHint")
        self._hint.setWordWrap(True)
        self._style_hint(current_theme())
        self._container = QWidget()
        self._container.setObjectName("overviewCards")
        self._grid = CardGridLayout(self._container)
        self._grid.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._hint)
        layout.addWidget(self._cap)
        layout.addWidget(self._scroll, 1)
        self.set_hint("Pin a race with ★ in the race list to watch it here.")
        self._sync_visibility()

    # API -------------------------------------------------------------------------------------------
    def set_hint(self, text: str) -> None:
        """The line shown while nothing is pinned (how to pin)."""
        self._hint.setText(text)

    @property
    def hint(self) -> str:
        return self._hint.text()

    def hint_visible(self) -> bool:
        return self._hint.isVisibleTo(self)

    def remember_names(self, names: Mapping[str, str]) -> None:
        """Race names to title cards whose race is not in the version on screen."""
        self._names.update(names)

    def set_pins(self, contest_ids: Iterable[str]) -> None:
        """One card per pinned race (created or removed as pins change; kept cards keep their state)."""
        wanted = set(contest_ids)
        self._pinned = len(wanted)
        if len(wanted) > MAX_CARDS:  # a shared watch list of 10,000 races: a card each froze the window
            wanted = set(self._first(wanted, MAX_CARDS))
        for cid in [c for c in self._cards if c not in wanted]:
            card = self._cards.pop(cid)
            self._grid.removeWidget(card)
            card.deleteLater()
        for cid in wanted - self._cards.keys():
            card = RaceCard(self._data_for(cid), self._container)
            card.clicked.connect(self.contest_clicked)
            card.set_selected(cid == self._selected)
            self._cards[cid] = card
        self._reorder()
        self._sync_visibility()

    def set_snapshot(self, snapshot: Snapshot | None, *, message: str = "") -> None:
        """Draw every card from ``snapshot`` (None: no version on screen, ``message`` says why)."""
        self._snapshot = snapshot
        self._message = message
        if not self._cards:
            return
        if snapshot is not None:  # a pinned race that later leaves the feed keeps its name
            index = self._index(snapshot)
            self._names.update({cid: index[cid].name for cid in self._cards if cid in index})
        for cid, card in self._cards.items():
            card.set_data(self._data_for(cid))
        self._reorder()

    def set_selected(self, contest_id: str | None) -> None:
        """Outline the card of the race shown in the window."""
        self._selected = contest_id
        for cid, card in self._cards.items():
            card.set_selected(cid == contest_id)

    def cards(self) -> list[RaceCard]:
        """The cards in display order (the feed's order of the races)."""
        return [self._cards[cid] for cid in self._order]

    def card(self, contest_id: str) -> RaceCard:
        return self._cards[contest_id]

    def columns(self) -> int:
        return self._grid.columns_for(self._container.width())

    def preferred_height(self, width: int, *, max_rows: int = 1) -> int:
        """Height that shows up to ``max_rows`` rows of cards at ``width`` (the rest scroll)."""
        if not self._cards:
            return self._hint.sizeHint().height()
        cols = self._grid.columns_for(width)
        rows = min(-(-len(self._cards) // cols), max_rows)
        card = next(iter(self._cards.values())).sizeHint().height()
        m = self._grid.contentsMargins()
        return rows * card + (rows - 1) * SPACING + m.top() + m.bottom()

    # internals -------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: the hint's muted colour follows (the cards repaint themselves)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_hint(ChartTheme.from_palette(self.palette()))

    def _style_hint(self, theme: ChartTheme) -> None:
        self._hint.setStyleSheet(f"color: {theme.muted.name()}; padding: 6px 8px;")
        self._cap.setStyleSheet(f"color: {theme.muted.name()}; padding: 2px 8px;")

    def _data_for(self, contest_id: str) -> CardData:
        snap = self._snapshot
        contest = None
        if snap is not None:
            contest = self._index(snap).get(contest_id)
        message = self._message if snap is None else ""
        return card_data(contest, contest_id, self._names.get(contest_id, ""), message=message)

    def _index(self, snapshot: Snapshot) -> dict[str, Contest]:
        cached = self._indexed
        if cached is not None and cached[0] is snapshot:
            return cached[1]
        index = {c.id: c for c in snapshot.contests}
        self._indexed = (snapshot, index)
        return index

    def _reorder(self) -> None:
        """Cards in the feed's order of the races (names for races not in it), re-laid out only
        when that order changes."""
        position: dict[str, int] = {}
        if self._snapshot is not None:
            index = self._index(self._snapshot)
            position = {cid: i for i, cid in enumerate(index) if cid in self._cards}
        order = sorted(
            self._cards,
            key=lambda cid: (
                cid not in position,
                position.get(cid, 0),
                self._names.get(cid, cid).casefold(),
                cid,
            ),
        )
        if order == self._order and self._grid.count() == len(order):
            return
        self._order = order
        while self._grid.count():
            self._grid.takeAt(0)
        for cid in order:
            self._grid.addWidget(self._cards[cid])
            self._cards[cid].show()
        self._grid.invalidate()

    def _first(self, ids: set[str], count: int) -> list[str]:
        """The first ``count`` of ``ids`` in the feed's order of the races (then by name)."""
        position: dict[str, int] = {}
        if self._snapshot is not None:
            position = {cid: i for i, cid in enumerate(self._index(self._snapshot)) if cid in ids}
        return sorted(
            ids, key=lambda cid: (cid not in position, position.get(cid, 0), self._names.get(cid, cid), cid)
        )[:count]

    def _sync_visibility(self) -> None:
        has_cards = bool(self._cards)
        self._hint.setVisible(not has_cards)
        self._scroll.setVisible(has_cards)
        capped = self._pinned > len(self._cards) and has_cards
        self._cap.setText(
            f"Showing the first {len(self._cards):,} of {self._pinned:,} pinned races" if capped else ""
        )
        self._cap.setVisible(capped)

    def cap_text(self) -> str:
        return self._cap.text() if self._cap.isVisibleTo(self) else ""


class OverviewDock(QDockWidget):
    """The overview as a dock of the window (View ▸ Pinned overview)."""

    #: The user closed the dock with its own close button (not the window hiding it).
    closed_by_user = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Pinned overview", parent)
        self.setObjectName("pinnedOverviewDock")
        self._overview = PinnedOverview(self)
        self.setWidget(self._overview)

    @property
    def overview(self) -> PinnedOverview:
        return self._overview

    def title_height(self) -> int:
        """The dock's own title bar (what it adds to the overview's height)."""
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetTitleMargin, None, self)
        return self.fontMetrics().height() + 2 * margin + 4

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed_by_user.emit()
        super().closeEvent(event)
