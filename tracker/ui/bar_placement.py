"""Where a race view's bars put their words at the chart's size in pixels: rows and their height,
the share axis's step, the names' width, the type size in thin rows, the projection's whisker above
the numbers, and each bar's numbers, phrase and party letter beside, across or inside the bar.

A part of :class:`~tracker.ui.race_view.RaceView`, mixed into it (as the main window's parts are):
everything here reruns on every resize and decides nothing about the race, only where its texts
fit. The view builds the items once; this moves and restyles them in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from tracker.ui.bar_texts import SHARE_ONLY, BarInfo
from tracker.ui.theme import party_style, readable_on

if TYPE_CHECKING:
    from PySide6.QtGui import QTextDocument

    from tracker.ui.theme import ChartTheme

if TYPE_CHECKING:  # a part of the view: type-checked as one, a plain mixin at run time
    _Base = QWidget
else:
    _Base = object

#: The projection's whisker's row offset from the bar's centre (negative: up, the view is inverted).
BAND_OFFSET = -0.3
#: Below this many rows the bars would get comically thick: the plot keeps room for this many
#: (when it is tall enough for them).
MIN_ROWS = 10
BAR_HEIGHT = 0.68
#: Height in pixels kept free above the leader's bar for the threshold line's label.
LABEL_LANE_PX = 24
#: Gap in pixels between a bar's end and its text.
TEXT_GAP_PX = 6
#: Pixels a row is taller than a line of text, for the rows to read apart.
ROW_AIR_PX = 4
#: In thinner rows the names and numbers get smaller type, down to this share of the usual size.
MIN_TEXT_SCALE = 0.7
#: The share axis is labelled every this many points, the first whose labels fit the chart.
PERCENT_TICK_STEPS = (10, 20, 25, 50)
#: The most of the view's width the candidates' names may take.
NAME_AXIS_SHARE = 0.4


class BarPlacement(_Base):
    """The placing part of :class:`~tracker.ui.race_view.RaceView`, mixed into it."""

    #: What the view holds, read or set here (made once in ``RaceView.__init__``).
    _bars: list[BarInfo]
    _theme: ChartTheme
    _by_party: bool
    _vb: pg.ViewBox
    _left: pg.AxisItem
    _bottom: pg.AxisItem
    _tick_font: QFont
    _tick_step: int
    _name_font: QFont
    _names: list[tuple[int, str]]
    _row_px: int
    _text_font: QFont
    _letter_font: QFont
    _text_scale: float
    _text_fill: QBrush
    _measure: QTextDocument
    _widths: dict[str, float]
    _glyph_top_px: float
    _band_offset: float
    _band: pg.ErrorBarItem
    _band_marks: pg.ScatterPlotItem
    _texts: list[pg.TextItem]
    _notes: list[pg.TextItem]
    _letters: list[pg.TextItem]

    if TYPE_CHECKING:

        def _grow_pool(self, size: int) -> None: ...

    def _text_width(self, markup: str) -> float:
        """Pixel width of a TextItem showing ``markup`` (measured once per distinct text)."""
        width = self._widths.get(markup)
        if width is None:
            if len(self._widths) > 4096:
                self._widths.clear()
            self._measure.setHtml(markup)
            width = self._measure.idealWidth()  # margins included, as the TextItem draws it
            self._widths[markup] = width
        return width

    def _fit_percent_ticks(self, width_px: float) -> None:
        """Every 10 points on a wide chart; every 20, 25 or 50 on a narrower one (a dock beside
        the race), so the axis labels never run into each other."""
        label = QFontMetrics(self._tick_font).horizontalAdvance("100 %") + 12
        step = next((s for s in PERCENT_TICK_STEPS if (100 / s) * label <= width_px), 100)
        if step != self._tick_step:
            self._tick_step = step
            self._bottom.setTicks([[(v, f"{v} %") for v in range(0, 101, step)], []])

    def _fit_name_axis(self) -> None:
        metrics = QFontMetrics(self._name_font)
        # a very long name is elided: it must not push every bar off the chart (issue 19)
        limit = max(120, int(self.width() * NAME_AXIS_SHARE))
        elide = Qt.TextElideMode.ElideRight
        names = [(r, metrics.elidedText(label, elide, limit)) for r, label in self._names]
        if names != self._names:
            self._names = names
            self._left.setTicks([names, []])
        widest = max((metrics.horizontalAdvance(label) for _, label in self._names), default=60)
        self._left.setWidth(widest + 16)

    def _fit_text_size(self, row_px: float) -> None:
        """In rows thinner than a line of text (a short window with docks open below), smaller
        type for the bars' names and numbers, down to MIN_TEXT_SCALE of the usual size: at full
        size one bar's numbers would sit over the next one's."""
        usual = self._row_px - ROW_AIR_PX
        scale = 1.0 if row_px >= self._row_px else max(MIN_TEXT_SCALE, (row_px - ROW_AIR_PX) / usual)
        scale = round(scale, 2)
        if scale == self._text_scale:
            return
        self._text_scale = scale
        base = self.font().pointSizeF()
        self._text_font.setPointSizeF(base * scale)
        self._letter_font.setPointSizeF(base * scale)
        self._name_font.setPointSizeF(self._tick_font.pointSizeF() * scale)
        self._measure.setDefaultFont(self._text_font)
        self._widths.clear()
        self._glyph_top_px = self._glyph_top(self._text_font)
        for pool in (self._texts, self._notes, self._letters):
            for text in pool:
                text.setFont(self._letter_font if pool is self._letters else self._text_font)
        self._left.setStyle(tickFont=self._name_font)
        self._fit_name_axis()

    @staticmethod
    def _glyph_top(font: QFont) -> float:
        """How far above a text's centre its digits reach, plus a little air (pixels)."""
        metrics = QFontMetrics(font)
        return metrics.capHeight() - (metrics.ascent() - metrics.descent()) / 2 + 1.5

    def _lift_band(self, row_px: float) -> None:
        """Keep the whisker above the glyphs of the numbers inside a bar (see ``_band_offset``)."""
        offset = -max(-BAND_OFFSET, min(0.45, self._glyph_top_px / row_px)) if row_px > 0 else BAND_OFFSET
        if abs(offset - self._band_offset) < 1e-3:
            return
        shift = offset - self._band_offset
        self._band_offset = offset
        xs, ys = self._band.opts.get("x"), self._band.opts.get("y")
        if xs is None or ys is None or not len(np.atleast_1d(xs)):
            return
        ys = np.atleast_1d(ys) + shift
        self._band.setData(y=ys)
        self._band_marks.setData(x=np.atleast_1d(xs), y=ys)

    def _fit_rows(self) -> None:
        """Rows top to bottom, with a lane above the leader tall enough for the "50 %" label."""
        height = self._vb.height() if self._vb.height() > 0 else 500.0
        # Room for MIN_ROWS keeps a short race's bars from getting thick -- unless that room would
        # make its rows thinner than a line of text.
        readable = int((height - LABEL_LANE_PX) / self._row_px)
        rows = max(len(self._bars), min(MIN_ROWS, readable))
        lane = 1.25
        for _ in range(2):  # the lane's height in rows depends on the row height, and back
            row_px = height / (rows - 0.4 + lane)
            lane = max(1.25, LABEL_LANE_PX / row_px + BAR_HEIGHT / 2)
        self._vb.setYRange(-lane, rows - 0.4, padding=0)
        row_px = height / (rows - 0.4 + lane)
        self._fit_text_size(row_px)
        self._lift_band(row_px)

    def _arrangement(self, bar: BarInfo, level: int, width_px: float) -> str | None:
        """Where ``bar``'s text fits at ``level``: "out" beside the bar, "split" (numbers inside,
        phrase beside), "in" inside the bar; None when nowhere."""
        end_px = bar.share * width_px / 100.0
        outside = width_px - bar.end * width_px / 100.0 - TEXT_GAP_PX
        inside = end_px - 2 * TEXT_GAP_PX
        full = self._text_width(bar.full_html(level))
        if full <= outside:
            return "out"
        if bar.phrase(level):
            main = self._text_width(bar.main_html())
            if main <= inside and self._text_width(bar.note_html(level)) <= outside:
                return "split"
        if full <= inside:
            return "in"
        return None

    def _place_texts(self) -> None:
        """Put each bar's numbers and need phrase beside the bar; else the numbers inside a long bar
        and the phrase beside it; else both inside. One level of detail for every bar, the most
        that fits them all -- the full phrase, a shorter one, or none -- since mixed phrasings
        read as different claims. Depends on pixel sizes, so it reruns on resize."""
        self._fit_rows()
        width_px = self._vb.width() if self._vb.width() > 0 else 700.0
        self._fit_percent_ticks(width_px)
        bars = [b for b in self._bars if b.text]
        if not bars:
            return
        self._grow_pool(len(self._bars))  # a resize may come between new bars and the plot's update
        gap = TEXT_GAP_PX * 100.0 / width_px
        level = next(
            (lv for lv in (0, 1, 2, 3) if all(self._arrangement(b, lv, width_px) for b in bars)),
            SHARE_ONLY,
        )
        theme = self._theme
        for bar in bars:
            text, note = self._texts[bar.rank], self._notes[bar.rank]
            inside = readable_on(self._bar_colour(bar))
            where = self._arrangement(bar, level, width_px) or "out"  # clipped only if nothing fits
            # The party letter: at the bar's base, else first thing past its end (texts move over).
            shift = self._place_letter(bar, where, width_px, gap)
            if where == "in":
                self._set_html(text, bar.full_html(level, inside))
                text.setAnchor((1, 0.5))
                text.setPos(bar.share - gap, bar.rank)
                text.fill = self._bar_brush(bar)  # hides the dashed line behind the numbers
            elif where == "split":
                self._set_html(text, bar.main_html(inside))
                text.setAnchor((1, 0.5))
                text.setPos(bar.share - gap, bar.rank)
                text.fill = self._bar_brush(bar)
            else:
                self._set_html(text, bar.full_html(level, theme=theme))
                text.setAnchor((0, 0.5))
                text.setPos(bar.end + gap + shift, bar.rank)
                text.fill = self._text_fill  # stays readable where it crosses the dashed line
            if where == "split":
                self._set_html(note, bar.note_html(level, theme.muted))
                note.setAnchor((0, 0.5))
                note.setPos(bar.end + gap + shift, bar.rank)
                note.fill = self._text_fill
                note.show()
            else:
                note.hide()

    def _place_letter(self, bar: BarInfo, where: str, width_px: float, gap: float) -> float:
        """Draw the party's letter at the bar's base, in the colour that reads on the bar; when
        the bar is too short for it (or its numbers fill it), just past the bar's end in the text
        colour. Returns how far (percent) the texts beside the bar move right to make room."""
        style = party_style(bar.party) if self._by_party else None
        if style is None:
            if bar.rank < len(self._letters):
                self._letters[bar.rank].hide()
            return 0.0
        letter = self._letters[bar.rank]
        char = style[0]
        inside_markup = f'<span style="color:{readable_on(self._bar_colour(bar)).name()}">{char}</span>'
        letter_px = self._text_width(inside_markup) + 2  # bold is a little wider than measured
        used_px = self._text_width(bar.main_html()) + 2 * TEXT_GAP_PX if where in ("in", "split") else 0.0
        letter.setAnchor((0, 0.5))
        letter.show()
        if bar.share * width_px / 100.0 - used_px >= letter_px + TEXT_GAP_PX:
            self._set_html(letter, inside_markup)
            letter.fill = QBrush(Qt.BrushStyle.NoBrush)
            letter.setPos(gap * 0.5, bar.rank)
            return 0.0
        self._set_html(letter, f'<span style="color:{self._theme.text.name()}">{char}</span>')
        letter.fill = self._text_fill
        letter.setPos(bar.end + gap, bar.rank)
        return letter_px * 100.0 / width_px

    def _bar_colour(self, bar: BarInfo) -> QColor:
        theme = self._theme
        if self._by_party:
            style = party_style(bar.party)
            return style[1] if style is not None else theme.field
        if not bar.votes:  # nobody leads with no votes: ballot order is not a ranking
            return theme.field
        place = bar.rank if bar.place is None else bar.place  # a write-in line is never the leader
        return {0: theme.leader, 1: theme.runner_up}.get(place, theme.field)

    def _bar_brush(self, bar: BarInfo) -> QBrush:
        return pg.mkBrush(self._bar_colour(bar))

    @staticmethod
    def _set_html(text: pg.TextItem, markup: str) -> None:
        if getattr(text, "_markup", None) != markup:
            text.setHtml(markup)
            text._markup = markup  # toHtml() returns Qt's rewritten document, not ours
