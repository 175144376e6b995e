"""The pinned overview: every pinned race as a small card, side by side, updated with each version.

A card is the race view in miniature -- the top candidates' bars on a 0-100 % scale, the dashed
threshold line, precincts reporting -- so a desk can glance at a dozen races at once and click one
to open it. Cards are plain QPainter widgets, created once per pinned race and repainted in place:
a pyqtgraph plot per card costs a scene, a view box and axes each (``benchmarks overview`` measures
both), and a card needs none of that. The cards flow into as many equal columns as the width
allows.

The widgets only draw what :func:`card_data` says; the figures come from the Contest (immutable)
and its threshold rule, the colours from the race view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QEnterEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tracker.core.model import Contest, Snapshot
from tracker.ui.race_view import (
    FIELD_COLOUR,
    LEADER_COLOUR,
    LINE_COLOUR,
    MUTED_TEXT,
    RUNNER_UP_COLOUR,
    TEXT_COLOUR,
    display_name,
)

#: Bars per card: the leader, the runner-up (the two a runoff is about) and one more.
TOP_N = 3
#: A card is never narrower than this; the grid adds a column whenever another one fits (five
#: in a row in the window's default width).
CARD_MIN_WIDTH = 220
SPACING = 8
PADDING = 7
BORDER = QColor("#D0D7DE")
HOVER_FILL = QColor("#F6F8FA")
TRACK_COLOUR = QColor("#F0F2F5")
SELECTED_BORDER = LEADER_COLOUR


_PARENS = re.compile(r"\s*\([^)]*\)")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
#: Words that belong to the surname after them ("Rocky De La Fuente" → "De La Fuente").
_PARTICLES = {"de", "del", "della", "la", "le", "van", "von", "der", "den", "da", "di", "du", "st.", "st"}


def short_name(name: str) -> str:
    """A candidate's surname, as results graphics print them in small multiples ("Joseph R.
    Biden (Dem)" → "Biden", "Lauren Bubba McDonald Jr." → "McDonald", "SMITH, JOHN" → "Smith");
    one-word choices ("Yes", "Write-in") stay whole. The card's tooltip has the full names."""
    full = display_name(name)
    base = _PARENS.sub("", full).strip()
    parts = [p.strip() for p in base.split(",") if p.strip()]
    if len(parts) > 1 and parts[1].casefold() not in _SUFFIXES:
        base = parts[0]  # "Last, First"
    words = [w.strip(",") for w in base.split()]
    while len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        words.pop()
    if not words:
        return full
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


@dataclass(frozen=True)
class CardBar:
    """One candidate on a card: display name, votes, percent of the votes counted, rank."""

    name: str
    votes: int
    share: float
    rank: int
    #: The name as the race view shows it (the tooltip's).
    full_name: str = ""

    @property
    def colour(self) -> QColor:
        """As in the race view: leader blue, runner-up orange, the rest grey; grey for everyone
        while nothing is counted (ballot order is not a ranking)."""
        if not self.votes:
            return FIELD_COLOUR
        return {0: LEADER_COLOUR, 1: RUNNER_UP_COLOUR}.get(self.rank, FIELD_COLOUR)

    @property
    def value(self) -> str:
        return f"{self.share:.1f} %" if self.votes else "–"


@dataclass(frozen=True)
class CardData:
    """Everything one card shows; equal data means nothing to repaint."""

    contest_id: str
    title: str
    bars: tuple[CardBar, ...] = ()
    #: The threshold line in percent (None for a plurality rule), and its label ("50 %").
    line: float | None = None
    line_label: str = ""
    #: "135/208 precincts · 52,314 votes", or why there is nothing to show.
    footer: str = ""
    #: Candidates not drawn (beyond TOP_N).
    more: int = 0
    #: The race is not in the version on screen (or no version is): the card is greyed.
    missing: bool = False

    @property
    def tooltip(self) -> str:
        lines = [self.title]
        lines += [f"{b.full_name or b.name}: {b.votes:,} ({b.value})" for b in self.bars]
        if self.more:
            lines.append(f"… and {self.more} more")
        lines.append(self.footer)
        return "\n".join(lines)


def card_data(contest: Contest | None, contest_id: str, name: str = "", *, message: str = "") -> CardData:
    """What the card of ``contest`` shows (``contest`` None: a card with ``name`` and ``message``)."""
    if contest is None:
        title = display_name(name) if name else f"Race {contest_id}"
        return CardData(contest_id, title, footer=message or "Not in the feed at this time", missing=True)
    counted = contest.total_votes
    totals = contest.totals
    ranked = contest.ranked()
    shown = ranked[:TOP_N]
    names = [short_name(c.name) for c in shown]
    # Two surnames alike (Deborah Jackson, Annette Davis Jackson): those two get their full names.
    names = [n if names.count(n) == 1 else display_name(c.name) for n, c in zip(names, shown, strict=True)]
    bars = tuple(
        CardBar(
            name,
            totals.get(c.id, 0),
            100.0 * totals.get(c.id, 0) / counted if counted else 0.0,
            rank,
            display_name(c.name),
        )
        for rank, (name, c) in enumerate(zip(names, shown, strict=True))
    )
    reporting, total = contest.precincts
    footer = f"{reporting:,}/{total:,} precincts · " + (f"{counted:,} votes" if counted else "no votes yet")
    rule = contest.threshold
    return CardData(
        contest.id,
        display_name(contest.name),
        bars,
        line=rule.share * 100 if rule.has_line else None,
        line_label=rule.label(),
        footer=footer,
        more=max(len(ranked) - TOP_N, 0),
    )


@dataclass(frozen=True)
class _Geometry:
    title: QRect
    lane: QRect
    #: Per bar row: the name's rect, the bar's track (0-100 %), the value's rect.
    names: tuple[QRect, ...]
    tracks: tuple[QRectF, ...]
    values: tuple[QRect, ...]
    footer: QRect


class RaceCard(QWidget):
    """One pinned race, painted: title, the top bars against the line, precincts reporting."""

    #: The user clicked the card (or pressed Enter/Space on it): its contest id.
    clicked = Signal(str)

    def __init__(self, data: CardData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self._selected = False
        self._hover = False
        self._pressed = False
        self._title_font = QFont(self.font())
        self._title_font.setBold(True)
        self._small_font = QFont(self.font())
        self._small_font.setPointSizeF(self.font().pointSizeF() * 0.9)
        self._bold_font = QFont(self.font())
        self._bold_font.setBold(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(data.tooltip)
        self.setAccessibleName(data.title)

    # data ------------------------------------------------------------------------------------------
    @property
    def data(self) -> CardData:
        return self._data

    @property
    def contest_id(self) -> str:
        return self._data.contest_id

    def set_data(self, data: CardData) -> bool:
        """Show ``data``; repaints only when something changed (returns whether it did)."""
        if data == self._data:
            return False
        self._data = data
        self.setToolTip(data.tooltip)
        self.setAccessibleName(data.title)
        self.update()
        return True

    @property
    def selected(self) -> bool:
        return self._selected

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    # geometry --------------------------------------------------------------------------------------
    def _row_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4

    def sizeHint(self) -> QSize:
        title = QFontMetrics(self._title_font).height()
        small = QFontMetrics(self._small_font).height()
        height = 2 * PADDING + title + 2 + small + TOP_N * self._row_height() + 4 + small
        return QSize(CARD_MIN_WIDTH, height)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def geometry_for(self, width: int) -> _Geometry:
        """Where everything goes on a card ``width`` pixels wide (paint and tests use the same)."""
        metrics = QFontMetrics(self.font())
        title_h = QFontMetrics(self._title_font).height()
        small_h = QFontMetrics(self._small_font).height()
        inner = width - 2 * PADDING
        widest = max((metrics.horizontalAdvance(b.name) for b in self._data.bars), default=0) + 6
        name_w = max(64, min(widest, int(inner * 0.45), 180))
        value_w = QFontMetrics(self._bold_font).horizontalAdvance("100.0 %") + 8
        track_x = PADDING + name_w + 6
        track_w = max(inner - name_w - 6 - value_w, 20)
        title = QRect(PADDING, PADDING, inner, title_h)
        lane = QRect(track_x, title.bottom() + 3, track_w, small_h)
        row_h = self._row_height()
        bar_h = max(metrics.height() - 2, 8)
        names, tracks, values = [], [], []
        top = lane.bottom() + 1
        for i in range(TOP_N):
            y = top + i * row_h
            names.append(QRect(PADDING, y, name_w, row_h))
            tracks.append(QRectF(track_x, y + (row_h - bar_h) / 2, track_w, bar_h))
            values.append(QRect(track_x + track_w, y, value_w, row_h))
        footer = QRect(PADDING, top + TOP_N * row_h + 4, inner, small_h)
        return _Geometry(title, lane, tuple(names), tuple(tracks), tuple(values), footer)

    def bar_rects(self) -> list[QRectF]:
        """The drawn bars, in card coordinates (rank order): share of the track, 0-100 %."""
        geo = self.geometry_for(self.width())
        return [
            QRectF(t.x(), t.y(), t.width() * min(max(bar.share, 0.0), 100.0) / 100, t.height())
            for bar, t in zip(self._data.bars, geo.tracks, strict=False)
        ]

    def tracks(self) -> list[QRectF]:
        """The 0-100 % tracks the bars are drawn on (one per row)."""
        return list(self.geometry_for(self.width()).tracks)

    def line_x(self) -> float | None:
        """The threshold line's x in card coordinates (None when the race has no line)."""
        if self._data.line is None or self._data.missing:
            return None
        track = self.geometry_for(self.width()).tracks[0]
        return track.x() + track.width() * self._data.line / 100

    # painting --------------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        data = self._data
        geo = self.geometry_for(self.width())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QPen(SELECTED_BORDER if self._selected else BORDER, 2.0 if self._selected else 1.0))
        p.setBrush(HOVER_FILL if self._hover else QColor("#FFFFFF"))
        p.drawRoundedRect(frame, 5, 5)

        muted = MUTED_TEXT
        text = muted if data.missing else TEXT_COLOUR
        p.setFont(self._title_font)
        p.setPen(text)
        title = QFontMetrics(self._title_font).elidedText(
            data.title, Qt.TextElideMode.ElideRight, geo.title.width()
        )
        p.drawText(geo.title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)

        metrics = QFontMetrics(self.font())
        rows = zip(data.bars, geo.names, geo.tracks, self.bar_rects(), geo.values, strict=False)
        for bar, name_rect, track, bar_rect, value_rect in rows:
            p.setFont(self.font())
            p.setPen(text)
            name = metrics.elidedText(bar.name, Qt.TextElideMode.ElideRight, name_rect.width())
            p.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(TRACK_COLOUR)
            p.drawRect(track)
            if bar.votes:
                p.setBrush(bar.colour)
                p.drawRect(bar_rect)
            p.setFont(self._bold_font if bar.rank == 0 and bar.votes else self.font())
            p.setPen(text)
            p.drawText(value_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, bar.value)

        x = self.line_x()
        if x is not None and data.bars:
            top = geo.lane.bottom() + 1
            bottom = geo.tracks[len(data.bars) - 1].bottom() + 2
            pen = QPen(LINE_COLOUR, 1.4, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPoint(round(x), top), QPoint(round(x), round(bottom)))
            p.setFont(self._small_font)
            label_w = QFontMetrics(self._small_font).horizontalAdvance(data.line_label) + 4
            left = min(max(round(x - label_w / 2), geo.lane.left()), geo.lane.right() - label_w)
            p.setPen(LINE_COLOUR)
            p.drawText(
                QRect(left, geo.lane.top(), label_w, geo.lane.height()),
                Qt.AlignmentFlag.AlignCenter,
                data.line_label,
            )

        p.setFont(self._small_font)
        p.setPen(muted)
        footer = data.footer + (f" · +{data.more} more" if data.more else "")
        footer = QFontMetrics(self._small_font).elidedText(
            footer, Qt.TextElideMode.ElideRight, geo.footer.width()
        )
        p.drawText(geo.footer, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, footer)
        p.end()

    # input -----------------------------------------------------------------------------------------
    def enterEvent(self, event: QEnterEvent) -> None:
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = False
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = event.button() == Qt.MouseButton.LeftButton
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self._pressed
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.clicked.emit(self.contest_id)
        self._pressed = False
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.contest_id)
            return
        super().keyPressEvent(event)


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

        self._hint = QLabel()
        self._hint.setObjectName("overviewHint")
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet(f"color: {MUTED_TEXT.name()}; padding: 6px 8px;")
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

    def _sync_visibility(self) -> None:
        has_cards = bool(self._cards)
        self._hint.setVisible(not has_cards)
        self._scroll.setVisible(has_cards)


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
