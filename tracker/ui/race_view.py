"""The selected race: one horizontal bar per candidate against the threshold line.

Every plot item (the one BarGraphItem, the dashed threshold line, a pool of per-bar TextItems) is
created once per view and updated in place. A replay at 1000× delivers several versions a second;
re-creating items per update leaks scene items, flickers and costs far more than ``setOpts``.

The view adapts a Contest (immutable) and the core's arithmetic (``estimate_outstanding``,
``assess``) into pixels and words; it decides nothing about the election itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from enum import Enum

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from tracker.core.model import Contest
from tracker.core.outstanding import estimate_outstanding
from tracker.core.projection import ContestProjection
from tracker.core.standing import cut_line, line_label, standings
from tracker.core.standing import mode as rule_mode
from tracker.core.standing import verdict as verdict_text
from tracker.core.threshold import Outstanding, State
from tracker.core.write_ins import named_places

# The placing constants live with the placing; named here too, where they were before.
from tracker.ui.bar_placement import (
    BAND_OFFSET,
    BAR_HEIGHT,
    LABEL_LANE_PX,
    ROW_AIR_PX,
    BarPlacement,
)
from tracker.ui.bar_placement import MIN_ROWS as MIN_ROWS
from tracker.ui.bar_placement import MIN_TEXT_SCALE as MIN_TEXT_SCALE
from tracker.ui.bar_placement import NAME_AXIS_SHARE as NAME_AXIS_SHARE
from tracker.ui.bar_placement import PERCENT_TICK_STEPS as PERCENT_TICK_STEPS
from tracker.ui.bar_placement import TEXT_GAP_PX as TEXT_GAP_PX
from tracker.ui.bar_texts import (
    BarInfo,
    display_name,
    p_clear_text,
)
from tracker.ui.expected_texts import outstanding_source
from tracker.ui.plain_text import clean, make_markup, make_plain, never_widen, plain_tooltip
from tracker.ui.race_header import ElidedLabel as _ElidedLabel
from tracker.ui.race_header import call_text, outstanding_line, projection_line
from tracker.ui.race_header import plain as _plain
from tracker.ui.race_header import terse_rule as _terse_rule
from tracker.ui.theme import LIGHT, ChartTheme, current_theme, party_style

#: The x axis's label; a ranked-choice race's counts are first choices, and the axis says so.
AXIS_VOTES = "share of the votes counted"
AXIS_FIRST_CHOICES = "share of the first choices counted"

#: Okabe-Ito colours (distinguishable with every common colour-vision deficiency): without parties
#: the leader in blue, the runner-up in orange (the two a runoff is about), the field in a quiet
#: grey; with parties, each party's colour and letter (``theme.party_style``). These are the light
#: theme's; the view takes its colours from the palette (``theme.ChartTheme``).
LEADER_COLOUR = LIGHT.leader
RUNNER_UP_COLOUR = LIGHT.runner_up
FIELD_COLOUR = LIGHT.field
LEADER_OUTLINE = LIGHT.leader_outline
TEXT_COLOUR = LIGHT.text
MUTED_TEXT = LIGHT.muted
LINE_COLOUR = LIGHT.line
BACKGROUND = LIGHT.background
GRID_COLOUR = LIGHT.grid
#: The projection's 90 % interval: a thin whisker with caps over each bar's end, and a tick at the
#: projected final share (dark in the light theme, so it reads on blue, orange, grey and white).
BAND_COLOUR = LIGHT.band
#: The caps' height of the band (its row offset: ``bar_placement.BAND_OFFSET``).
BAND_BEAM = 0.2

#: Pool size to start with; grows (once) if a contest has more candidates.
DEFAULT_POOL = 24
#: Rows ``comfortable_height`` keeps a text line's height for, at most: more would ask for a window
#: taller than the screen (a 40-candidate recall); beyond this, rows get thinner than their numbers.
MAX_ROOMY_ROWS = 24
#: The plot's own minimum: its axes and a few rows.
MIN_PLOT_HEIGHT = 220
#: Margin in pixels around each bar's text (its fill box, which hides the dashed line behind it).
TEXT_MARGIN_PX = 2


class _Compute(Enum):
    COMPUTE = "compute"


#: ``show_contest(outstanding=COMPUTE)``: estimate the outstanding vote here.
COMPUTE = _Compute.COMPUTE


#: The most bars drawn for one race: the leaders; the rest are counted in a note.
MAX_BARS = 50


class RaceView(BarPlacement, QWidget):
    """Header (race, precincts, votes, outstanding) over a bar chart with the threshold line."""

    def __init__(self, parent: QWidget | None = None, *, pool_size: int = DEFAULT_POOL) -> None:
        super().__init__(parent)
        self._contest: Contest | None = None
        self._bars: list[BarInfo] = []
        self._outstanding: Outstanding | None = None
        self._theme = current_theme()
        self._by_party = False

        self._title = QLabel("No race selected")
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.5)
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._reporting = QLabel("")
        reporting_font = QFont(self.font())
        reporting_font.setPointSizeF(reporting_font.pointSizeF() * 1.15)
        self._reporting.setFont(reporting_font)
        # Never narrower than its one line: the rule beside it gives way (elided) instead.
        self._reporting.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self._reporting.setWordWrap(False)
        self._reporting.setProperty("oneLine", True)  # window_fit: never wrapped, never clipped
        # Plain text: the verdict and the rule name candidates and cite statutes as the feed and
        # the table spell them; none of it is markup.
        self._outstanding_label = QLabel("")
        self._outstanding_label.setTextFormat(Qt.TextFormat.PlainText)
        self._rule_label = _ElidedLabel(overflow=self._rule_overflows)
        self._rule_label.setObjectName("ruleLabel")
        self._rule_label.setTextFormat(Qt.TextFormat.PlainText)
        # The rule on a line of its own, only when not even its shortest wording fits beside the
        # counts (a long count line, AP's call on it): a stub such as "Rule: pl…" says nothing.
        self._rule_row = _ElidedLabel()
        self._rule_shorter: tuple[str, ...] = ()
        self._rule_row.setObjectName("ruleRow")
        self._rule_row.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._rule_row.hide()
        # A child timer (not QTimer.singleShot): it dies with the view, so a view deleted before
        # the layout pass ends is never called back.
        self._rule_timer = QTimer(self)
        self._rule_timer.setSingleShot(True)
        self._rule_timer.setInterval(0)
        self._rule_timer.timeout.connect(self._place_rule_row)
        self._projection_label = QLabel("")
        self._projection_label.setObjectName("projectionLabel")
        self._projection = None
        self._warning = QLabel("")
        self._warning.setTextFormat(Qt.TextFormat.PlainText)
        self._warning.setWordWrap(True)
        # Names and warnings come from the feed: plain text; the two lines of our own markup
        # escape what they quote (issue 19).
        make_plain(self._title, self._outstanding_label, self._warning, self._rule_label, self._rule_row)
        make_markup(self._reporting, self._projection_label)
        never_widen(self._title, self._outstanding_label, self._warning, self._projection_label)
        self._warning.hide()

        self._plot = pg.PlotWidget(background=self._theme.background)  # default raster view: never useOpenGL
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        item = self._plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.layout.setContentsMargins(4, 4, 22, 4)
        self._vb = item.getViewBox()
        self._vb.invertY(True)  # rank 0 (the leader) at the top
        self._vb.setXRange(0, 100, padding=0)
        # Grid lines as items behind the bars (the axis grid is drawn over them, and would hide
        # the "0 %" / "100 %" labels on the edges).
        self._grid = []
        for value in range(10, 100, 10):
            line = pg.InfiniteLine(pos=value, angle=90, movable=False)
            line.setZValue(-10)
            item.addItem(line, ignoreBounds=True)
            self._grid.append(line)

        tick_font = QFont(self.font())
        tick_font.setPointSizeF(tick_font.pointSizeF() * 1.05)
        self._tick_font = tick_font
        # A bar is BAR_HEIGHT of its row: at this pitch the numbers inside a long bar fit between
        # its edges, under the projection's whisker along its top.
        self._row_px = QFontMetrics(self.font()).height() + ROW_AIR_PX
        # Only a floor: asking every race's full height of the window would stop a user making it
        # smaller than ~740 px; docks opening below ask ``comfortable_height`` instead.
        self._plot.setMinimumHeight(MIN_PLOT_HEIGHT)
        #: The candidates' names: the tick font, smaller in rows thinner than a line of text.
        self._name_font = QFont(tick_font)
        self._names: list[tuple[int, str]] = []
        self._left = item.getAxis("left")
        self._left.setStyle(tickFont=self._name_font, tickTextOffset=8, tickLength=0)
        bottom = item.getAxis("bottom")
        self._bottom = bottom
        #: What the x axis measures: a ranked-choice race's counts are first choices.
        self._axis_text = AXIS_VOTES
        self._tick_step = 10
        bottom.setTicks([[(v, f"{v} %") for v in range(0, 101, self._tick_step)], []])
        # "0 %" and "100 %" sit on the plot's edges: let them overhang the axis by half a label.
        bottom.setStyle(hideOverlappingLabels=30, tickFont=tick_font)

        # pyqtgraph 0.14 fails on an empty ``pens`` list: empty bars use the single pen/brush.
        self._bar_item = pg.BarGraphItem(
            x0=[], y=[], width=[], height=BAR_HEIGHT, pen=None, brush=FIELD_COLOUR
        )
        item.addItem(self._bar_item)
        self._band = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), left=0, right=0, beam=BAND_BEAM)
        self._band.setZValue(25)
        item.addItem(self._band)
        self._band_marks = pg.ScatterPlotItem(x=[], y=[], symbol="d", size=8)
        self._band_marks.setZValue(26)
        item.addItem(self._band_marks)

        label_font = QFont(self.font())
        label_font.setBold(True)
        self._line = pg.InfiniteLine(
            pos=50,
            angle=90,
            movable=False,
            label="50 %",
            labelOpts={
                "position": 0.0,  # the top of the (inverted) view: the free lane above the leader
                "anchors": [(0.5, 0.0), (0.5, 0.0)],
            },
        )
        self._line.label.setFont(label_font)
        self._line.setZValue(10)
        item.addItem(self._line, ignoreBounds=True)

        self._text_font = QFont(self.font())
        self._text_fill = pg.mkBrush(self._theme.fill(255))  # opaque: the line never shows through text
        letter_font = QFont(self.font())
        letter_font.setBold(True)
        self._letter_font = letter_font
        self._measure = QTextDocument()
        self._measure.setDefaultFont(self._text_font)
        self._measure.setDocumentMargin(TEXT_MARGIN_PX)
        #: The band's offset from its bar's centre in rows: BAND_OFFSET, or further up when the rows
        #: are so thin that the whisker would cross the tops of the numbers inside the bar.
        self._band_offset = BAND_OFFSET
        self._glyph_top_px = self._glyph_top(self._text_font)
        self._text_scale = 1.0
        self._widths: dict[str, float] = {}
        #: Per bar: the numbers (with the phrase when they fit together), and the phrase alone for
        #: when the numbers sit inside a long bar and the phrase beside it.
        self._texts: list[pg.TextItem] = []
        self._notes: list[pg.TextItem] = []
        #: Per bar: the party's letter at the bar's base (when the feed names parties).
        self._letters: list[pg.TextItem] = []
        self._grow_pool(pool_size)
        self._apply_theme(self._theme)

        self._vb.sigResized.connect(self._place_texts)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(2)
        layout.addWidget(self._title)
        # The rule shares the reporting line, right of the counts and elided there (whole in its
        # tooltip): a line of its own took the bars' room, and in the default window pushed GA-06's
        # 18 rows thinner than the numbers inside them.
        counts = QHBoxLayout()
        counts.setContentsMargins(0, 0, 0, 0)
        counts.setSpacing(16)
        counts.addWidget(self._reporting)
        counts.addWidget(self._rule_label, 1)
        layout.addLayout(counts)
        layout.addWidget(self._rule_row)
        layout.addWidget(self._outstanding_label)
        layout.addWidget(self._projection_label)
        layout.addWidget(self._warning)
        layout.addSpacing(4)
        layout.addWidget(self._plot, 1)
        self.show_contest(None)

    # building (once) -------------------------------------------------------------------------------
    def _grow_pool(self, size: int) -> None:
        """Texts and notes for ``size`` bars; party letters only once a race with parties is
        shown (each item costs start-up time, and most Clarity feeds name no party)."""
        pools = [self._texts, self._notes]
        if self._by_party or self._letters:
            pools.append(self._letters)
        for pool in pools:
            while len(pool) < max(size, len(self._texts)):
                text = pg.TextItem("", color=self._theme.text, anchor=(0, 0.5))
                text.setFont(self._letter_font if pool is self._letters else self._text_font)
                text.setZValue(21 if pool is self._letters else 20)
                # A thin margin: the default 4 px made a label's fill taller than a thin bar.
                text.textItem.document().setDocumentMargin(TEXT_MARGIN_PX)
                text.hide()
                self._plot.getPlotItem().addItem(text, ignoreBounds=True)
                pool.append(text)

    # light and dark ----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        """The system (or View ▸ Theme) switched light/dark: recolour the chart from the palette."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme(ChartTheme.from_palette(self.palette()))

    def _apply_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self._plot.setBackground(theme.background)
        for line in self._grid:
            line.setPen(pg.mkPen(theme.grid, width=1))
        self._left.setTextPen(pg.mkPen(theme.text))
        self._left.setPen(pg.mkPen(theme.axis))
        self._bottom.setTextPen(pg.mkPen(theme.muted))
        self._bottom.setPen(pg.mkPen(theme.axis))
        self._bottom.setLabel(self._axis_text, color=theme.muted.name())
        self._outstanding_label.setStyleSheet(f"color: {theme.muted.name()};")
        self._warning.setStyleSheet(f"color: {theme.warning.name()};")
        self._band.setData(pen=pg.mkPen(theme.band, width=2.0))
        self._band_marks.setPen(pg.mkPen(theme.band_outline, width=1))
        self._band_marks.setBrush(pg.mkBrush(theme.band))
        self._line.setPen(pg.mkPen(theme.line, width=1.6, style=Qt.PenStyle.DashLine))
        self._line.label.setColor(theme.line)
        self._line.label.fill = pg.mkBrush(theme.fill(230))
        self._text_fill = pg.mkBrush(theme.fill(255))
        for text in (*self._texts, *self._notes):
            text.setColor(theme.text)
        self._update_plot()

    @property
    def theme(self) -> ChartTheme:
        return self._theme

    # updating --------------------------------------------------------------------------------------
    def show_contest(
        self,
        contest: Contest | None,
        *,
        message: str = "",
        outstanding: Outstanding | _Compute | None = COMPUTE,
        projection: ContestProjection | None = None,
    ) -> None:
        """Show ``contest`` (None: an empty chart with ``message``), updating every item in place.

        ``outstanding`` is the contest's estimate when the caller has it (the worker computes it
        off the GUI thread); by default the view computes it. ``projection`` (computed by the
        worker, never here) draws each bar's 90 % band and P(clear)."""
        self._contest = contest
        if projection is not None and contest is not None and projection.contest_id != contest.id:
            projection = None
        self._projection = projection
        if contest is None:
            self._bars = []
            self._outstanding = None
            self._projection = None
            self._projection_label.setText("")
            self._title.setText(message or "No race selected")
            self._reporting.setText("")
            self._outstanding_label.setText("")
            self._set_rule("", (), "")
            self._warning.hide()
            self._update_plot()
            return

        counted = contest.total_votes
        if outstanding is COMPUTE:
            outstanding = estimate_outstanding(contest)
        source = outstanding_source(projection)
        if projection is not None and projection.expected is not None and projection.status != "final":
            # One estimate: the expected vote the projection rests on (tracker.core.expected_vote).
            outstanding = projection.expected.outstanding
        if projection is not None and projection.status == "projected" and projection.outstanding is not None:
            # DESIGN: R comes from the projection when there is one, so the "needs" figures and the
            # projection line speak of the same outstanding vote (one number in the header, not two).
            outstanding = projection.outstanding
        self._outstanding = outstanding
        # Every phrase comes from the core's standings under the race's rule (seats, measures,
        # lines): the list, cards, exports and CLI say the same words.
        rows = standings(contest, outstanding)
        how = rule_mode(contest)
        # No line, and so no P(over it), for a file holding part of the race (core.coverage).
        line = contest.threshold.label() if how != "seats" and not contest.partial else ""
        axis = AXIS_FIRST_CHOICES if contest.threshold.is_ranked_choice else AXIS_VOTES
        if axis != self._axis_text:
            self._axis_text = axis
            self._bottom.setLabel(axis, color=self._theme.muted.name())
        bars = []
        # at most MAX_BARS bars (the leaders): 10,000 candidates froze the window (issue 19)
        places = named_places(r.candidate.name for r in rows)
        for row in rows[:MAX_BARS]:
            cand, need, rank, votes = row.candidate, row.need, row.rank, row.votes
            share = 100.0 * votes / counted if counted else 0.0
            phrase = row.phrase
            # Nothing counted: no text at all (the header says so once, not eighteen times).
            parts = [f"{share:.1f} %", f"{votes:,}"] if counted else []
            if phrase and counted:
                parts.append(phrase)
            compact = row.compact if phrase else ""
            proj = self._candidate_projection(cand.id)
            p_text = (
                p_clear_text(proj.p_clear, line)
                if proj is not None and need.state is State.NEEDS and line and not need.beyond_reach
                else ""
            )
            if p_text and (rank < 2 or (proj is not None and (proj.p_clear or 0) >= 0.005)):
                if len(parts) == 3:
                    parts[2] = f"{parts[2]} · {p_text}"
                    compact = f"{compact} · {p_text}"
                elif counted:
                    parts.append(p_text)
                    compact = p_text
            info = BarInfo(
                cand.name,
                votes,
                share,
                rank,
                need,
                " · ".join(parts),
                tuple(parts),
                compact,
                row.tiny if phrase else "",
                party=cand.party,
                place=places[rank],
            )
            if (
                proj is not None
                and proj.share is not None
                and proj.lo is not None
                and proj.hi is not None
                and projection is not None
                and projection.status == "projected"
            ):
                info = replace(
                    info, projected=proj.share * 100, lo=proj.lo * 100, hi=proj.hi * 100, p_clear=proj.p_clear
                )
            bars.append(info)
        self._bars = bars
        # Parties colour the bars when the feed names any (AP: Dem, GOP, …); else the ranks do.
        self._by_party = any(party_style(b.party) for b in bars)
        # Grow the party letters now: the header's labels below can resize the plot (the partial
        # race's warning appears), and a resize places the texts before _update_plot runs.
        self._grow_pool(len(bars))
        self._projection_label.setText(self._projection_text(projection, bars, line))

        reporting, total = contest.precincts
        self._title.setText(clean(contest.name))
        # A feed that gives no precinct counts (Clarity's ALL.json, a county timeseries) is not
        # "0 of 0 reporting": it says nothing of precincts, and the header says so.
        precincts = (
            f"Precincts reporting <b>{reporting:,}</b> of <b>{total:,}</b>"
            if total
            else "No precinct counts in this feed"
        )
        in_part = contest.precincts_in_part() if total else 0
        if in_part:
            precincts += f" ({in_part:,} partly in)"
        self._reporting.setText(f"{precincts} · <b>{counted:,}</b> votes counted" + self._call_text(contest))
        why = projection.reason if projection is not None and projection.too_early else ""
        bounded = projection is not None and projection.expected is not None and projection.expected.bounded
        text = self._outstanding_text(
            outstanding,
            counted,
            source,
            why,
            bounded=bounded,
            precincts=(reporting, total),
            stated=contest.completeness,
        )
        verdict = verdict_text(contest, rows, display_name)
        described = f"Rule: {contest.threshold.describe(contest.vote_for)}"
        full = f"{described} · {contest.threshold.origin()}"
        basis = contest.threshold.basis
        self._set_rule(
            full,
            (described, _terse_rule(contest)),
            plain_tooltip(full + (f"\n{basis}" if basis else "")),  # whole, when shortened
        )
        self._outstanding_label.setText(f"{text} · {verdict}" if verdict else text)
        # A file holding part of the race says so first (core.coverage), then the feed's warnings.
        warnings = ([contest.partial] if contest.partial else []) + contest.data_warnings()
        note = "Data warning: " + "; ".join(warnings[:3]) if warnings else ""
        if len(rows) > MAX_BARS:
            shown = f"showing the {MAX_BARS} leading candidates of {len(rows):,}"
            note = f"{note} · {shown}" if note else shown[:1].upper() + shown[1:]
        self._warning.setText(note)
        self._warning.setVisible(bool(note))
        self._update_plot()

    def _candidate_projection(self, candidate_id: str):  # -> CandidateProjection | None
        projection = self._projection
        if projection is None or projection.too_early:
            return None
        try:
            return projection.candidate(candidate_id)
        except KeyError:
            return None

    # The header's words (``tracker.ui.race_header``), under the names the view has used.
    _projection_text = staticmethod(projection_line)
    _call_text = staticmethod(call_text)
    _outstanding_text = staticmethod(outstanding_line)

    def _update_plot(self) -> None:
        bars = self._bars
        n = len(bars)
        self._grow_pool(n)
        contest = self._contest

        brushes, pens = [], []
        for bar in bars:
            colour = self._bar_colour(bar)
            brushes.append(pg.mkBrush(colour))
            # Same width for every pen: pyqtgraph sizes the item's bounds from the last pen only.
            outline = (
                self._theme.leader_outline
                if bar.rank == 0 and bar.votes and not self._by_party
                else colour.darker(115)
            )
            pens.append(pg.mkPen(outline, width=1.5))
        # pyqtgraph 0.14 fails on empty ``pens``/``brushes`` lists: no bars → the single pen/brush.
        self._bar_item.setOpts(
            x0=np.zeros(n),
            y=np.arange(n, dtype=float),
            width=np.array([b.share for b in bars], dtype=float),
            height=BAR_HEIGHT,
            brushes=brushes or None,
            pens=pens or None,
        )

        self._vb.setXRange(0, 100, padding=0)
        self._names = [(bar.rank, display_name(bar.name)) for bar in bars]
        self._left.setTicks([self._names, []])
        self._fit_name_axis()

        where = cut_line(contest) if contest is not None else None
        if contest is not None and where is not None:
            # The rule's line, or for N seats the N-th place's share (the cut line).
            # Shown first: a hidden label ignores a new format ("50 %" → "cut: 2nd place").
            self._line.show()
            self._line.label.setFormat(line_label(contest))
            self._line.setValue(where * 100)
        else:
            self._line.hide()

        banded = [b for b in bars if b.projected is not None and b.lo is not None and b.hi is not None]
        if banded:
            xs = np.array([b.projected for b in banded], dtype=float)
            # Along the bar's upper edge, over any text inside the bar (a leader's numbers sit
            # right where its band is) without crossing the glyphs.
            ys = np.array([b.rank + self._band_offset for b in banded], dtype=float)
            self._band.setData(
                x=xs,
                y=ys,
                left=xs - np.array([b.lo for b in banded], dtype=float),
                right=np.array([b.hi for b in banded], dtype=float) - xs,
            )
            self._band_marks.setData(x=xs, y=ys)
            self._band.show()
            self._band_marks.show()
        else:
            self._band.setData(x=np.zeros(0), y=np.zeros(0), left=np.zeros(0), right=np.zeros(0))
            self._band_marks.setData(x=[], y=[])
            self._band.hide()
            self._band_marks.hide()

        for i, (text, note) in enumerate(zip(self._texts, self._notes, strict=True)):
            text.setVisible(i < n and bool(bars[i].text))
            if i >= n:
                note.hide()
        for i, letter in enumerate(self._letters):
            if i >= n or not self._by_party:
                letter.hide()
        self._place_texts()

    def comfortable_height(self) -> int:
        """The view's height at which every row is a little more than a line of text tall. Thinner
        rows (GA-06's 18 candidates with the overview and drill-down docked below) put one bar's
        numbers over the next one's; the docks open no taller than leaves the view this."""
        rows = min(len(self._bars), MAX_ROOMY_ROWS)
        tick = QFontMetrics(self._tick_font).height()
        axis = 2 * tick + 20  # the % ticks and the axis title under them
        line = self._row_px
        plot = max(
            MIN_PLOT_HEIGHT, int((rows - 0.4) * line + LABEL_LANE_PX + line * BAR_HEIGHT / 2 + axis + 12)
        )
        return self.minimumSizeHint().height() - self._plot.minimumHeight() + plot

    # for tests and tooltips --------------------------------------------------------------------------
    @property
    def contest(self) -> Contest | None:
        return self._contest

    def bars(self) -> list[BarInfo]:
        return list(self._bars)

    def bar_geometry(self) -> dict[str, tuple[float, float, float]]:
        """Candidate name (as the feed spells it) → (x0, width, y) of its bar, read back from the item."""
        opts = self._bar_item.opts
        x0 = np.atleast_1d(opts["x0"])
        width = np.atleast_1d(opts["width"])
        y = np.atleast_1d(opts["y"])
        return {bar.name: (float(x0[i]), float(width[i]), float(y[i])) for i, bar in enumerate(self._bars)}

    def threshold_position(self) -> float | None:
        """Where the dashed line is (percent), None when the race has no line (plurality)."""
        return float(self._line.value()) if self._line.isVisible() else None

    def threshold_label(self) -> str:
        return self._line.label.toPlainText() if self._line.isVisible() else ""

    def party_letters(self) -> dict[str, str]:
        """Candidate name → the party letter drawn on its bar ("" when none)."""
        return {
            bar.name: self._letters[i].toPlainText()
            if i < len(self._letters) and self._letters[i].isVisible()
            else ""
            for i, bar in enumerate(self._bars)
        }

    def bar_colours(self) -> dict[str, str]:
        """Candidate name → its bar's colour (#rrggbb)."""
        return {bar.name: self._bar_colour(bar).name() for bar in self._bars}

    def texts(self) -> dict[str, str]:
        """Candidate name → the text shown beside its bar (read back from the TextItems)."""
        out = {}
        for i, bar in enumerate(self._bars):
            text, note = self._texts[i], self._notes[i]
            shown = [t.toPlainText() for t in (text, note) if t.isVisible()]
            out[bar.name] = " · ".join(s for s in shown if s)
        return out

    def axis_names(self) -> list[str]:
        """The names on the left axis, top to bottom."""
        return [display_name(bar.name) for bar in self._bars]

    def _set_rule(self, full: str, shorter: tuple[str, ...], tooltip: str) -> None:
        self._rule_shorter = shorter
        self._rule_label.setText(full, shorter)
        self._rule_label.setToolTip(tooltip)
        self._rule_row.setToolTip(tooltip)
        self._rule_overflows(self._rule_label.overflowing())

    def _rule_overflows(self, overflowing: bool) -> None:
        """The rule moves to its own line while it does not fit beside the counts, and back.
        Shown or hidden after the layout pass that asked (a widget shown in the middle of one
        left the counts drawn over the lines below them)."""
        # On its own line too the longest wording that fits whole (a presidential race's rule
        # says what its count chooses, which a narrow window cannot show beside the rest).
        self._rule_row.setText(self._rule_label.text() if overflowing else "", self._rule_shorter)
        self._rule_timer.start()

    def _place_rule_row(self) -> None:
        want = self._rule_label.overflowing() and bool(self._rule_label.text())
        if self._rule_row.isVisibleTo(self) != want:
            self._rule_row.setVisible(want)

    def rule_shown(self) -> str:
        """The rule as the header shows it now, beside the counts or on its own line."""
        return self._rule_row.shown() if self._rule_row.isVisibleTo(self) else self._rule_label.shown()

    def header_texts(self) -> dict[str, str]:
        return {
            "title": self._title.text(),
            "reporting": re.sub(r"<[^>]+>", "", self._reporting.text()),
            "outstanding": self._outstanding_label.text(),
            "rule": self._rule_label.text(),
            "projection": _plain(self._projection_label.text()),
            "warning": self._warning.text(),
        }

    def plot_items(self) -> tuple[object, ...]:
        """Every item the plot draws (bars, line, line label, texts, band, band marks): identical
        across updates."""
        return (
            self._bar_item,
            self._line,
            self._line.label,
            *self._texts,
            *self._notes,
            self._band,
            self._band_marks,
        )

    def band_geometry(self) -> dict[str, tuple[float, float, float, float]]:
        """Candidate name → (projected, lo, hi, y) of its band, read back from the items (percent)."""
        opts = self._band.opts
        if opts.get("x") is None or not self._band.isVisible():
            return {}
        xs = np.atleast_1d(opts["x"])
        ys = np.atleast_1d(opts["y"])
        left = np.broadcast_to(np.atleast_1d(opts["left"]), xs.shape)
        right = np.broadcast_to(np.atleast_1d(opts["right"]), xs.shape)
        by_rank = {bar.rank: bar.name for bar in self._bars}
        return {
            by_rank[round(y - self._band_offset)]: (
                float(x),
                float(x - lo),
                float(x + hi),
                float(y - self._band_offset),
            )
            for x, y, lo, hi in zip(xs, ys, left, right, strict=True)
        }

    def projection_text(self) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", self._projection_label.text()))

    @property
    def plot_widget(self) -> pg.PlotWidget:
        return self._plot
