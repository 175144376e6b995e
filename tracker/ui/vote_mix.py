"""Where each candidate's votes came from: one 100 % bar per candidate, split by vote type.

Early and mail votes are counted first and lean differently from election-day votes, so the mix
tells a desk whether a lead will hold as the election-day count comes in. The chart follows the
race view's look (its palette, fonts, candidate names and order) and, like it, creates its plot
items once -- one BarGraphItem per vote type, a pool of text items -- and updates them in place.
It recolours from the palette's :class:`~tracker.ui.theme.ChartTheme` on every palette change
(light or dark), as the race view does; the vote types keep their colours in both.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from tracker.core.export import MIX_TYPES
from tracker.core.model import Candidate
from tracker.ui.bar_texts import display_name
from tracker.ui.race_view import FIELD_COLOUR
from tracker.ui.theme import ChartTheme, current_theme, readable_on

#: The other Okabe-Ito colours (the race view's blue and orange mean leader and runner-up, so the
#: vote types do not use them): colour-vision-deficiency safe, the same in light and dark ("total"
#: takes the theme's field grey); a segment's percentage is written in dark or white, whichever
#: reads better on it.
VOTE_TYPE_COLOURS: dict[str, QColor] = {
    "early": QColor("#56B4E9"),
    "mail": QColor("#CC79A7"),
    "election_day": QColor("#009E73"),
    "provisional": QColor("#D55E00"),
    "other": QColor("#F0E442"),
    "total": FIELD_COLOUR,
}
VOTE_TYPE_NAMES = {
    "early": "Early in person",
    "mail": "Mail",
    "election_day": "Election day",
    "provisional": "Provisional",
    "other": "Other",
    "total": "No split (totals only)",
}
#: Candidates shown (most votes first), after the "all candidates" row.
MAX_CANDIDATES = 8
BAR_HEIGHT = 0.68
#: A segment gets its percentage written in it from this share (percent) up, when the text fits
#: in it at the chart's width.
LABEL_FROM = 9.0
AXIS_TITLE = "share of the candidate's votes"
ALL_LABEL = "All candidates"


class VoteMixChart(QWidget):
    """The vote-type mix of the leading candidates of one contest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, dict[str, int]]] = []
        self._types: list[str] = []
        self._theme = current_theme()

        self._title = QLabel("")
        self._title.setWordWrap(True)
        self._legend = QLabel("")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setWordWrap(True)

        self._plot = pg.PlotWidget(background=self._theme.background)  # raster view: OpenGL grabs blank
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMinimumHeight(160)
        item = self._plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.layout.setContentsMargins(4, 4, 18, 4)
        self._vb = item.getViewBox()
        self._vb.invertY(True)
        self._vb.setXRange(0, 100, padding=0)
        self._grid: list[pg.InfiniteLine] = []
        for value in range(25, 100, 25):
            line = pg.InfiniteLine(pos=value, angle=90, movable=False)
            line.setZValue(-10)
            item.addItem(line, ignoreBounds=True)
            self._grid.append(line)
        self._tick_font = QFont(self.font())
        self._left = item.getAxis("left")
        self._left.setStyle(tickFont=self._tick_font, tickTextOffset=8, tickLength=0)
        bottom = self._bottom = item.getAxis("bottom")
        bottom.setTicks([[(v, f"{v} %") for v in range(0, 101, 25)], []])
        bottom.setStyle(hideOverlappingLabels=30, tickFont=self._tick_font)

        self._segments: dict[str, pg.BarGraphItem] = {}
        for vtype in MIX_TYPES:
            bars = pg.BarGraphItem(x0=[], y=[], width=[], height=BAR_HEIGHT)
            item.addItem(bars)
            self._segments[vtype] = bars
        self._labels: list[pg.TextItem] = []
        #: Per label in use: the colour of the segment it is written on, and the segment's width (%).
        self._label_on: list[QColor] = []
        self._label_widths: list[float] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self._title)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self._legend, 1)
        layout.addLayout(legend_row)
        layout.addWidget(self._plot, 1)
        self._vb.sigResized.connect(self._fit_rows)
        self._apply_theme(self._theme)
        self.set_mix(None, (), {})

    # light and dark ----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        """The system (or View ▸ Theme) switched light/dark: recolour the chart from the palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme(ChartTheme.from_palette(self.palette()))
            self._update_plot()

    def _apply_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._plot.setBackground(theme.background)
        for line in self._grid:
            line.setPen(pg.mkPen(theme.grid, width=1))
        self._left.setTextPen(pg.mkPen(theme.text))
        self._left.setPen(pg.mkPen(theme.axis))
        self._bottom.setTextPen(pg.mkPen(theme.muted))
        self._bottom.setPen(pg.mkPen(theme.axis))
        self._bottom.setLabel(AXIS_TITLE, color=theme.muted.name())
        for vtype, bars in self._segments.items():
            colour = self.type_colour(vtype)
            bars.setOpts(pen=pg.mkPen(colour.darker(125)), brush=colour)

    @property
    def theme(self) -> ChartTheme:
        return self._theme

    def type_colour(self, vtype: str) -> QColor:
        """A vote type's colour in the theme on screen (only "total" changes: the field's grey)."""
        return self._theme.field if vtype == "total" else VOTE_TYPE_COLOURS[vtype]

    def _label_pool(self, size: int) -> None:
        while len(self._labels) < size:
            text = pg.TextItem("", anchor=(0.5, 0.5))
            text.setFont(self._tick_font)
            text.setZValue(20)
            text.hide()
            self._plot.getPlotItem().addItem(text, ignoreBounds=True)
            self._labels.append(text)

    def set_mix(
        self,
        contest_name: str | None,
        candidates: Sequence[Candidate],
        mix: Mapping[str, Mapping[str, int]],
    ) -> None:
        """Show ``mix`` (candidate id -> canonical vote type -> votes) for ``candidates`` (most
        votes first); None clears the chart."""
        shown = [c for c in candidates if sum(mix.get(c.id, {}).values()) > 0][:MAX_CANDIDATES]
        types = [t for t in MIX_TYPES if any(t in mix.get(c.id, {}) for c in candidates)]
        rows: list[tuple[str, dict[str, int]]] = []
        if shown:
            everyone = {t: sum(mix.get(c.id, {}).get(t, 0) for c in candidates) for t in types}
            rows.append((ALL_LABEL, everyone))
            rows.extend((display_name(c.name), {t: mix[c.id].get(t, 0) for t in types}) for c in shown)
        self._rows, self._types = rows, types

        if contest_name is None:
            self._title.setText("Vote-type mix")
        else:
            more = len([c for c in candidates if sum(mix.get(c.id, {}).values()) > 0]) - len(shown)
            extra = f" (top {len(shown)}; {more} more not shown)" if more > 0 else ""
            self._title.setText(f"<b>Where the votes came from</b>{html.escape(extra)}")
        self._update_plot()

    def _update_plot(self) -> None:
        self._legend.setText(
            " &nbsp; ".join(
                f'<span style="color:{self.type_colour(t).name()}">■</span> {VOTE_TYPE_NAMES[t]}'
                for t in self._types
            )
            or f'<span style="color:{self._theme.muted.name()}">No votes counted yet</span>'
        )
        n = len(self._rows)
        ys = np.arange(n, dtype=float)
        starts = np.zeros(n)
        labels: list[tuple[float, float, str, QColor, float]] = []
        for vtype, item in self._segments.items():
            if vtype not in self._types:
                item.setOpts(x0=np.zeros(0), y=np.zeros(0), width=np.zeros(0), height=BAR_HEIGHT)
                item.hide()
                continue
            widths = np.array([100.0 * r[vtype] / (sum(r.values()) or 1) for _, r in self._rows], dtype=float)
            item.setOpts(x0=starts.copy(), y=ys, width=widths, height=BAR_HEIGHT)
            item.show()
            for i, w in enumerate(widths):
                if w >= LABEL_FROM:
                    labels.append((starts[i] + w / 2, float(i), f"{w:.0f} %", self.type_colour(vtype), w))
            starts = starts + widths
        self._label_pool(len(labels))
        self._label_on = [label[3] for label in labels]
        self._label_widths = [float(label[4]) for label in labels]
        for text, (x, y, words, under, _w) in zip(self._labels, labels, strict=False):
            text.setText(words, color=readable_on(under))
            text.setPos(x, y)
        ticks = [(i, name) for i, (name, _) in enumerate(self._rows)]
        self._left.setTicks([ticks, []])
        metrics = QFontMetrics(self._tick_font)
        widest = max((metrics.horizontalAdvance(name) for _, name in ticks), default=60)
        self._left.setWidth(widest + 16)
        # Never so narrow that the axis title is cut or the tick labels collide (the splitter
        # beside the table, or a dock sharing the bottom, would squeeze it).
        title = QFontMetrics(self.font()).horizontalAdvance(AXIS_TITLE)
        self.setMinimumWidth(widest + 16 + title + 48)
        self._fit_rows()

    def _fit_rows(self) -> None:
        rows = max(len(self._rows), 4)
        self._vb.setYRange(-0.6, rows - 0.4, padding=0)
        self._vb.setXRange(0, 100, padding=0)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """A percentage only in a segment wide enough for it at the chart's width now."""
        px_per_percent = self._vb.width() / 100
        for i, text in enumerate(self._labels):
            if i >= len(self._label_widths):
                text.hide()
                continue
            # The item's own box: the text and its document margin (a few pixels each side).
            fits = (
                px_per_percent <= 0 or self._label_widths[i] * px_per_percent >= text.boundingRect().width()
            )
            text.setVisible(bool(fits))

    # for tests -----------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, dict[str, int]]]:
        """(row label, canonical vote type -> votes), top to bottom."""
        return [(name, dict(votes)) for name, votes in self._rows]

    def segments(self) -> dict[str, dict[str, tuple[float, float]]]:
        """Row label -> vote type -> (x0, width) in percent, read back from the plot items."""
        out: dict[str, dict[str, tuple[float, float]]] = {name: {} for name, _ in self._rows}
        for vtype, item in self._segments.items():
            if vtype not in self._types:
                continue
            x0 = np.atleast_1d(item.opts["x0"])
            width = np.atleast_1d(item.opts["width"])
            for i, (name, _) in enumerate(self._rows):
                out[name][vtype] = (float(x0[i]), float(width[i]))
        return out

    def segment_labels(self) -> list[tuple[str, QColor, QColor]]:
        """The percentages written in the segments: (text, its colour, the segment's colour)."""
        return [
            (t.toPlainText(), QColor(t.color), under)
            for t, under in zip(self._labels, self._label_on, strict=False)
            if t.isVisible()
        ]

    def plot_items(self) -> tuple[object, ...]:
        """Every item on the plot (tests check they are reused, not re-created)."""
        return tuple(self._plot.getPlotItem().items)

    @property
    def title_text(self) -> str:
        return self._title.text()
