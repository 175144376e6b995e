"""One pinned race as a small card: the top candidates' bars against the line, precincts reporting.

The race view in miniature, painted with QPainter: a card is created once per pinned race and
repainted in place when its :class:`CardData` changes (a pyqtgraph plot per card costs a scene, a
view box and axes each; ``benchmarks overview`` measures both). :func:`card_data` decides what a
card says from the Contest (immutable) and its threshold rule; the colours are the race view's,
from the palette's :class:`~tracker.ui.theme.ChartTheme` (a card repaints itself when the palette
changes, light or dark, as the race view recolours its chart).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
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
from PySide6.QtWidgets import QSizePolicy, QWidget

from tracker.core.model import Contest
from tracker.core.race_status import race_status
from tracker.core.standing import cut_line, line_label, standings
from tracker.core.threshold import Outstanding, State
from tracker.core.words import count, noun
from tracker.core.write_ins import named_places
from tracker.ui.bar_texts import display_name
from tracker.ui.theme import LIGHT, ChartTheme, current_theme

#: Bars per card: the leader, the runner-up (the two a runoff is about) and one more.
TOP_N = 3
#: A card is never narrower than this; the grid adds a column whenever another one fits (five
#: in a row in the window's default width).
CARD_MIN_WIDTH = 220
PADDING = 7
#: The light theme's (the dark one's come from ``theme.DARK``).
BORDER = LIGHT.axis
HOVER_FILL = LIGHT.hover
TRACK_COLOUR = LIGHT.track


_PARENS = re.compile(r"\s*\([^)]*\)")
#: Between a ticket's two names: Colorado's " / ", South Carolina's " | " ("REP Donald J Trump |
#: Michael R Pence", whose legend read "Pence and Harris").
_TICKET = re.compile(r"\s+[/|]\s+")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
#: Words that belong to the surname after them ("Rocky De La Fuente" → "De La Fuente").
_PARTICLES = {"de", "del", "della", "la", "le", "van", "von", "der", "den", "da", "di", "du", "st.", "st"}


def short_name(name: str) -> str:
    """A candidate's surname, as results graphics print them in small multiples ("Joseph R.
    Biden (Dem)" → "Biden", "Lauren Bubba McDonald Jr." → "McDonald", "SMITH, JOHN" → "Smith");
    one-word choices ("Yes", "Write-in") stay whole; a ticket is its head ("Joseph R. Biden /
    Kamala D. Harris" → "Biden", South Carolina's "… | …" too: the running mates' names read
    "Harris and Pence"). The card's tooltip has the full names."""
    full = display_name(name)
    base = _PARENS.sub("", _TICKET.split(full, 1)[0]).strip()
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
    #: Where the candidate stands under the race's rule, in the race view's words ("in", "out ·
    #: needs 1,204 votes to pass …", "runoff"); "" when there is nothing sure to say.
    phrase: str = ""
    #: Place among the named candidates (-1 for a write-in line; ``write_ins.named_places``),
    #: which the colours go by; None: the rank.
    place: int | None = None

    def colour(self, theme: ChartTheme = LIGHT) -> QColor:
        """As in the race view: leader blue, runner-up orange, the rest grey; grey for everyone
        while nothing is counted (ballot order is not a ranking)."""
        if not self.votes:
            return theme.field
        place = self.rank if self.place is None else self.place  # a write-in line is never the leader
        return {0: theme.leader, 1: theme.runner_up}.get(place, theme.field)

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
    #: Where the race stands, in two or three words ("final · runoff", "Ossoff over 50 %"), or "".
    status: str = ""

    @property
    def tooltip(self) -> str:
        lines = [self.title]
        lines += [
            f"{b.full_name or b.name}: {b.votes:,} ({b.value})" + (f" · {b.phrase}" if b.phrase else "")
            for b in self.bars
        ]
        if self.more:
            lines.append(f"… and {self.more} more")
        lines.append(f"{self.status} · {self.footer}" if self.status else self.footer)
        return "\n".join(lines)


def card_status(contest: Contest) -> str:
    """The race's status from the counted votes alone (a card has no estimate of what is out),
    with surnames: ``tracker.core.race_status``."""
    return race_status(contest, short_name)


def card_data(contest: Contest | None, contest_id: str, name: str = "", *, message: str = "") -> CardData:
    """What the card of ``contest`` shows (``contest`` None: a card with ``name`` and ``message``)."""
    if contest is None:
        title = display_name(name) if name else f"Race {contest_id}"
        return CardData(contest_id, title, footer=message or "Not in the feed at this time", missing=True)
    counted = contest.total_votes
    totals = contest.totals
    ranked = contest.ranked()
    shown = ranked[:TOP_N]
    places = named_places(c.name for c in ranked)[:TOP_N]
    names = [short_name(c.name) for c in shown]
    # Two surnames alike (Deborah Jackson, Annette Davis Jackson): those two get their full names.
    names = [n if names.count(n) == 1 else display_name(c.name) for n, c in zip(names, shown, strict=True)]
    reporting, total = contest.precincts
    # A card has no outstanding estimate: final words once every precinct is in, else the
    # standings that need none (seats in/out; a line's "too early to say" is left out).
    done = total > 0 and reporting >= total
    phrases = {
        row.candidate.id: ("" if row.need.state is State.WAITING else row.phrase)
        for row in standings(contest, Outstanding.none() if done else None)
    }
    bars = tuple(
        CardBar(
            name,
            totals.get(c.id, 0),
            100.0 * totals.get(c.id, 0) / counted if counted else 0.0,
            rank,
            display_name(c.name),
            phrases.get(c.id, ""),
            place,
        )
        for rank, (name, c, place) in enumerate(zip(names, shown, places, strict=True))
    )
    # A feed with no precinct counts (Georgia's ALL.json, AP's county feeds): not "0/0 precincts".
    precincts = f"{reporting:,}/{total:,} {noun(total, 'precinct')}" if total else "no precinct counts"
    footer = f"{precincts} · " + (count(counted, "vote") if counted else "no votes yet")
    where = cut_line(contest)
    return CardData(
        contest.id,
        display_name(contest.name),
        bars,
        line=where * 100 if where is not None else None,
        line_label=line_label(contest) if where is not None else "",
        footer=footer,
        more=max(len(ranked) - TOP_N, 0),
        status=card_status(contest),
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
        self._theme = current_theme()
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
    def theme(self) -> ChartTheme:
        return self._theme

    def changeEvent(self, event: QEvent) -> None:
        """The system (or View ▸ Theme) switched light/dark: repaint in the palette's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._theme = ChartTheme.from_palette(self.palette())
            self.update()

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
        data, theme = self._data, self._theme
        geo = self.geometry_for(self.width())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QPen(theme.leader if self._selected else theme.axis, 2.0 if self._selected else 1.0))
        p.setBrush(theme.hover if self._hover else theme.background)
        p.drawRoundedRect(frame, 5, 5)

        muted = theme.muted
        text = muted if data.missing else theme.text
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
            p.setBrush(theme.track)
            p.drawRect(track)
            if bar.votes:
                p.setBrush(bar.colour(theme))
                p.drawRect(bar_rect)
            p.setFont(self._bold_font if bar.rank == 0 and bar.votes else self.font())
            p.setPen(text)
            p.drawText(value_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, bar.value)

        x = self.line_x()
        if x is not None and data.bars:
            top = geo.lane.bottom() + 1
            bottom = geo.tracks[len(data.bars) - 1].bottom() + 2
            pen = QPen(theme.line, 1.4, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPoint(round(x), top), QPoint(round(x), round(bottom)))
            p.setFont(self._small_font)
            label_w = QFontMetrics(self._small_font).horizontalAdvance(data.line_label) + 4
            left = min(max(round(x - label_w / 2), geo.lane.left()), geo.lane.right() - label_w)
            p.setPen(theme.line)
            p.drawText(
                QRect(left, geo.lane.top(), label_w, geo.lane.height()),
                Qt.AlignmentFlag.AlignCenter,
                data.line_label,
            )

        p.setFont(self._small_font)
        p.setPen(muted)
        footer = (f"{data.status} · " if data.status else "") + data.footer
        footer += f" · +{data.more} more" if data.more else ""
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
