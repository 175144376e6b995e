"""The timeline under the bars: how the night got here, and where the projection said it was going.

For the top two candidates (the current leader and runner-up): the running share of the counted
vote at each version (solid), the projected final share (dashed) with its 90 % band (translucent),
the threshold line, and a faint marker at the instant on screen. Times on a DateAxisItem, in the
night's own timezone.

Every item is created once and updated in place with ``setData`` (a 1000× replay delivers several
versions a second). The colours are darker shades of the bars' blue and orange, and the markers
are muted greys: the end-to-end screenshot test finds bars, grid and the threshold line by their
exact colours, and the timeline must not be mistaken for any of them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from tracker.core.projection import ContestProjection
from tracker.core.write_ins import is_write_in
from tracker.ui.bar_texts import display_name
from tracker.ui.plain_text import elide, make_markup
from tracker.ui.race_card import short_name
from tracker.ui.theme import LIGHT, ChartTheme, current_theme, party_style

#: Darker than the bars' #0072B2 / #E69F00 (see the module docstring); the light theme's colours
#: (the view takes its own from the palette, ``theme.ChartTheme``).
SERIES_COLOURS = LIGHT.series
LINE_COLOUR = LIGHT.timeline_line
NOW_COLOUR = LIGHT.now
AXIS_COLOUR = LIGHT.axis
TEXT_COLOUR = LIGHT.muted
BACKGROUND = LIGHT.background
TOP = 2
#: A pause in the versions longer than this ends a stretch of counting: a recorder that runs on for
#: days (Georgia's 2021 runoff: election night, then a version every few hours for two weeks) would
#: squeeze the night of the count into the chart's first pixels.
COUNTING_GAP = dt.timedelta(hours=6)


def counting_span(
    times: Sequence[dt.datetime], shown: int, first_count: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The timeline's x range: from the start of the stretch of counting that holds the first
    version with votes (``first_count``; a recorder started days early saves empty versions) to
    the end of the stretch that holds version ``shown`` (stretches end at a pause of over
    ``COUNTING_GAP``). Fixed while the night plays within a stretch, so the chart does not jump;
    it widens only past a long pause."""
    end = min(max(shown, 0), len(times) - 1)
    while end + 1 < len(times) and times[end + 1] - times[end] <= COUNTING_GAP:
        end += 1
    start = 0
    if first_count is not None:
        start = next((i for i, t in enumerate(times) if t >= first_count), 0)
        start = min(start, end)
        while start > 0 and times[start] - times[start - 1] <= COUNTING_GAP:
            start -= 1
    return times[start], times[end]


@dataclass(frozen=True)
class TimelinePoint:
    """One version: when it appeared and the contest's projection (which carries the running
    shares too)."""

    when: dt.datetime
    projection: ContestProjection


#: At most this many version labels on the axis of a night without times ("v 1", "v 4", …).
MAX_VERSION_TICKS = 8


class _TzDateAxis(pg.DateAxisItem):
    """A DateAxisItem that labels ticks in the night's timezone (not the viewer's), or by version
    number on a night whose versions have no times (``set_versions``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._tz: dt.tzinfo = dt.UTC
        self._versions: list[float] = []

    def set_versions(self, times: Sequence[dt.datetime] | None) -> None:
        """Label the versions at ``times`` ("v 1" at the first) instead of clock times: their
        times are placeholders (file order). None: clock times again."""
        self._versions = [t.timestamp() for t in times] if times else []
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        if not self._versions:
            return super().tickValues(minVal, maxVal, size)
        shown = [i for i, t in enumerate(self._versions) if minVal <= t <= maxVal]
        if not shown:
            return []
        step = max(1, math.ceil(len(shown) / MAX_VERSION_TICKS))
        picked = shown[::step]
        spacing = (self._versions[picked[1]] - self._versions[picked[0]]) if len(picked) > 1 else 60.0
        return [(spacing, [self._versions[i] for i in picked])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not self._versions:
            return super().tickStrings(values, scale, spacing)
        return [f"v {bisect.bisect_right(self._versions, v + 0.5)}" for v in values]

    def set_timezone(self, tz: dt.tzinfo, at: dt.datetime | None = None) -> None:
        """Label in ``tz`` with its offset at ``at`` (the night's own date: EDT in April, not the
        viewer's EST in November)."""
        self._tz = tz
        when = (at or dt.datetime.now(dt.UTC)).astimezone(tz)
        offset = when.utcoffset() or dt.timedelta(0)
        self.utcOffset = -offset.total_seconds()  # pyqtgraph: seconds *west* of UTC
        self.picture = None
        self.update()


class TimelineView(QWidget):
    """Running share and projected final over the night, for the top candidates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._caption = QLabel("")
        make_markup(self._caption)  # our markup, the names escaped (issue 19)
        self._axis = _TzDateAxis(orientation="bottom")
        self._plot = pg.PlotWidget(background=self._theme.background, axisItems={"bottom": self._axis})
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMinimumHeight(90)
        item = self._plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.layout.setContentsMargins(4, 2, 22, 2)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.95)
        for name in ("left", "bottom"):
            item.getAxis(name).setStyle(tickFont=font)
        item.getAxis("left").setWidth(44)
        self._vb = item.getViewBox()

        self._line = pg.InfiniteLine(pos=50, angle=0, movable=False)
        item.addItem(self._line, ignoreBounds=True)
        self._now = pg.InfiniteLine(pos=0, angle=90, movable=False)
        item.addItem(self._now, ignoreBounds=True)

        self._running: list[pg.PlotDataItem] = []
        self._projected: list[pg.PlotDataItem] = []
        self._lo: list[pg.PlotCurveItem] = []
        self._hi: list[pg.PlotCurveItem] = []
        self._bands: list[pg.FillBetweenItem] = []
        for _series in range(TOP):
            # Plain curves with an invisible pen: a PlotDataItem without a pen keeps no path, and
            # the FillBetweenItem would fill nothing.
            clear = pg.mkPen(QColor(0, 0, 0, 0))
            lo = pg.PlotCurveItem(np.zeros(0), np.zeros(0), pen=clear)
            hi = pg.PlotCurveItem(np.zeros(0), np.zeros(0), pen=clear)
            band = pg.FillBetweenItem(lo, hi, pen=None)
            band.setZValue(-5)
            item.addItem(lo)
            item.addItem(hi)
            item.addItem(band)
            projected = pg.PlotDataItem([], [])
            running = pg.PlotDataItem([], [])
            item.addItem(projected)
            item.addItem(running)
            self._lo.append(lo)
            self._hi.append(hi)
            self._bands.append(band)
            self._projected.append(projected)
            self._running.append(running)
        self._names: list[str] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 2)
        layout.setSpacing(0)
        layout.addWidget(self._caption)
        layout.addWidget(self._plot, 1)
        self._apply_theme(self._theme)
        self.set_history([], None)

    def changeEvent(self, event: QEvent) -> None:
        """Light/dark switched: recolour from the palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme(ChartTheme.from_palette(self.palette()))

    def _series_colours(self, top: Sequence[str], parties: Mapping[str, str]) -> tuple[QColor, ...]:
        """The theme's blue and orange; the party colours when every one shown has a party (a
        shade darker on light, lighter on dark, so thin lines read on the plot) and no two share
        one: a primary's two Republicans in one colour would be two lines nobody can tell apart."""
        self._last_series = (tuple(top), dict(parties))
        styles = [party_style(parties.get(cid, "")) for cid in top]
        distinct = len({s[1].name() for s in styles if s is not None}) == len(styles)
        if top and all(styles) and distinct:
            colours = tuple(s[1] for s in styles if s is not None)
            shade = (lambda c: c.lighter(125)) if self._theme.dark else (lambda c: c.darker(135))
            colours = tuple(shade(c) for c in colours)
            if len(colours) < TOP:
                colours = colours + self._theme.series[len(colours) :]
        else:
            colours = self._theme.series
        if colours != getattr(self, "_colours", None):
            self._colours = colours
            self._colour_items()
        return colours

    def _colour_items(self) -> None:
        for i, colour in enumerate(self._colours):
            fill = QColor(colour)
            fill.setAlpha(45 if not self._theme.dark else 60)
            self._bands[i].setBrush(pg.mkBrush(fill))
            self._projected[i].setPen(pg.mkPen(colour, width=1.6, style=Qt.PenStyle.DashLine))
            self._running[i].setPen(pg.mkPen(colour, width=2.2))

    def _apply_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._plot.setBackground(theme.background)
        self._caption.setStyleSheet(f"color: {theme.muted.name()};")
        item = self._plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(theme.axis))
            axis.setTextPen(pg.mkPen(theme.muted))
        self._line.setPen(pg.mkPen(theme.timeline_line, width=1.2, style=Qt.PenStyle.DashLine))
        self._now.setPen(pg.mkPen(theme.now, width=1))
        self._colours = None
        self._series_colours(*getattr(self, "_last_series", ((), {})))
        if self._names:
            self._set_caption()

    @property
    def theme(self) -> ChartTheme:
        return self._theme

    def set_timezone(self, tz: dt.tzinfo) -> None:
        self._axis.set_timezone(tz)

    def axis_labels(self) -> list[str]:
        """The time axis's labels over the range shown (for tests)."""
        lo, hi = self._vb.viewRange()[0]
        labels = []
        for spacing, values in self._axis.tickValues(lo, hi, float(max(self._axis.width(), 1))):
            labels += self._axis.tickStrings(values, 1.0, spacing)
        return labels

    def set_untimed(self, times: Sequence[dt.datetime] | None) -> None:
        """A night whose versions have no times of their own (file order, placed one minute
        apart): ``times`` are those placeholders, and the axis counts versions at them, never
        shows them as clock times. None for a night with real times."""
        self._axis.set_versions(times)

    def set_history(
        self,
        points: Sequence[TimelinePoint],
        now: dt.datetime | None,
        *,
        span: tuple[dt.datetime, dt.datetime] | None = None,
        line: float | None = 0.5,
        parties: Mapping[str, str] | None = None,
    ) -> None:
        """Show ``points`` (in time order, up to the instant on screen ``now``); the x range is the
        whole night (``span``) so the chart does not jump while the night plays. With ``parties``
        (candidate id → party as the feed spells it), a candidate's curves take its party's
        colour, as its bar does."""
        latest = points[-1].projection if points else None
        top = []
        if latest is not None:
            # The leader and runner-up among the names: a write-in line is many names' votes.
            ranked = sorted(latest.candidates, key=lambda c: (is_write_in(c.name), -c.votes))
            top = [c.candidate_id for c in ranked[:TOP] if c.votes > 0]
        self._names = []
        self._colours = self._series_colours(top, parties or {})
        t = np.array([p.when.timestamp() for p in points], dtype=float)
        for i in range(TOP):
            if i >= len(top):
                for item in (self._running[i], self._projected[i], self._lo[i], self._hi[i]):
                    item.setData(np.zeros(0), np.zeros(0))
                continue
            cid = top[i]
            now_share = np.full(len(points), np.nan)
            proj = np.full(len(points), np.nan)
            lo = np.full(len(points), np.nan)
            hi = np.full(len(points), np.nan)
            for j, p in enumerate(points):
                try:
                    c = p.projection.candidate(cid)
                except KeyError:
                    continue
                if p.projection.counted:
                    now_share[j] = c.share_now * 100
                if c.share is not None and c.lo is not None and c.hi is not None:
                    proj[j], lo[j], hi[j] = c.share * 100, c.lo * 100, c.hi * 100
                if j == len(points) - 1:
                    self._names.append(c.name)
            ok = ~np.isnan(now_share)
            self._running[i].setData(t[ok], now_share[ok])
            okp = ~np.isnan(proj)
            self._projected[i].setData(t[okp], proj[okp])
            # The band needs two curves of equal length: where there is no projection, collapse it.
            lo_f = np.where(okp, lo, proj)
            hi_f = np.where(okp, hi, proj)
            self._lo[i].setData(t[okp], lo_f[okp])
            self._hi[i].setData(t[okp], hi_f[okp])

        if line is not None:
            self._line.setValue(line * 100)
            self._line.show()
        else:
            self._line.hide()
        if now is not None:
            self._now.setValue(now.timestamp())
            self._now.show()
        else:
            self._now.hide()
        # No night yet (while one opens): no time ticks, rather than sub-second ones around 1970.
        self._axis.setTicks(None if span is not None or points else [[], []])
        if span is not None:
            self._axis.set_timezone(self._axis._tz, span[0])
            start, end = span[0].timestamp(), span[1].timestamp()
            if end - start < 60:  # a night of one version: an hour around it, not decades
                start, end = start - 1800, end + 1800
            self._vb.setXRange(start, end, padding=0.01)
        values = [
            v
            for item in (*self._running, *self._lo, *self._hi)
            for v in (item.yData if item.yData is not None else [])
        ]
        lo_y = min([*values, 50.0]) if values else 30.0
        hi_y = max([*values, 50.0]) if values else 70.0
        pad = max((hi_y - lo_y) * 0.08, 1.0)
        self._vb.setYRange(max(lo_y - pad, 0.0), min(hi_y + pad, 100.0), padding=0)
        self._set_caption()

    def _caption_text(self, level: int = 0) -> str:
        """The legend: full (0), surnames with the explanation (1), surnames only (2)."""
        if not self._names:
            return "Share over the night: no votes yet"

        def name(n: str) -> str:
            shown = display_name(n)
            # the short legends, which must fit the pane, elide a surname that never ends (issue 19);
            # the surname as the cards take it: Clarity's "Raphael Warnock (Dem)" is "Warnock",
            # not "(Dem)"
            return shown if level == 0 else elide(short_name(n), 30)

        names = " and ".join(
            f'<span style="color:{self._colours[i].name()}"><b>{html.escape(name(n))}</b></span>'
            for i, n in enumerate(self._names)
        )
        if level == 2:
            return f"{names}: counted (solid), projected (dashed, 90 % band)"
        return f"Over the night — {names}: counted so far (solid), projected final (dashed, 90 % band)"

    def _set_caption(self) -> None:
        """The most detailed legend that fits the pane on one line (a second line would squeeze
        the plot below its axis labels); the full one is the tooltip."""
        width = self._caption.width() if self._caption.width() > 0 else self.width()
        doc = QTextDocument()
        doc.setDefaultFont(self._caption.font())
        for level in (0, 1, 2):
            text = self._caption_text(level)
            doc.setHtml(text)
            if doc.idealWidth() <= width:
                break
        self._caption.setText(text)
        # The tooltip is the caption's words (names unescaped): the tooltip guard shows it literally.
        self._caption.setToolTip(html.unescape(re.sub(r"<[^>]+>", "", self._caption_text(0))))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._set_caption()

    # for tests ---------------------------------------------------------------------------------
    def plot_items(self) -> tuple[object, ...]:
        return (self._line, self._now, *self._running, *self._projected, *self._lo, *self._hi, *self._bands)

    def series(self) -> dict[str, dict[str, np.ndarray]]:
        """Candidate name → its curves (x in epoch seconds, y in percent), read back from the items."""
        out = {}
        for i, name in enumerate(self._names):
            out[name] = {
                "running": np.asarray(self._running[i].yData if self._running[i].yData is not None else []),
                "running_t": np.asarray(self._running[i].xData if self._running[i].xData is not None else []),
                "projected": np.asarray(
                    self._projected[i].yData if self._projected[i].yData is not None else []
                ),
                "lo": np.asarray(self._lo[i].yData if self._lo[i].yData is not None else []),
                "hi": np.asarray(self._hi[i].yData if self._hi[i].yData is not None else []),
            }
        return out

    def caption(self) -> str:
        return re.sub(r"<[^>]+>", "", self._caption.text())

    @property
    def plot_widget(self) -> pg.PlotWidget:
        return self._plot
