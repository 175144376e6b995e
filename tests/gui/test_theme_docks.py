"""Light and dark beyond the race view: the pinned overview's painted cards, the drill-down's
vote-type mix chart and its table, and the window's other coloured texts follow the palette, and
a switch at run time (View ▸ Theme) repaints them. Real GA-06 data (the certified results and the
bundled reconstructed night)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from tracker.core.export import vote_type_mix
from tracker.core.model import Contest, Snapshot
from tracker.ui.race_card import PADDING, RaceCard, card_data
from tracker.ui.theme import DARK, LIGHT, ChartTheme, apply_theme, contrast
from tracker.ui.vote_mix import VOTE_TYPE_COLOURS, VoteMixChart

pytestmark = pytest.mark.gui

OKABE_BLUE, OKABE_ORANGE = QColor("#0072B2"), QColor("#E69F00")


def _house(snapshot: Snapshot) -> Contest:
    return max(snapshot.contests, key=lambda c: c.total_votes)


def _pixels(image: QImage, rect: QRect, ratio: float) -> list[QColor]:
    return [
        image.pixelColor(QPoint(round(x * ratio), round(y * ratio)))
        for y in range(rect.top(), rect.bottom())
        for x in range(rect.left(), rect.right())
    ]


def _card_look(card: RaceCard) -> dict[str, QColor]:
    """What the card drew: its background, its title's brightest and darkest pixels, the leader's
    and runner-up's bars, an empty track."""
    image = card.grab().toImage()
    ratio = card.devicePixelRatioF()
    geo = card.geometry_for(card.width())
    title = _pixels(image, geo.title, ratio)
    bars = card.bar_rects()
    track = card.tracks()[2]

    def at(x: float, y: float) -> QColor:
        return image.pixelColor(QPoint(round(x * ratio), round(y * ratio)))

    return {
        "background": at(card.width() - PADDING / 2 - 1, geo.footer.center().y()),
        "title_dark": min(title, key=QColor.lightness),
        "title_light": max(title, key=QColor.lightness),
        "leader": at(bars[0].center().x(), bars[0].center().y()),
        "runner_up": at(bars[1].center().x(), bars[1].center().y()),
        "track": at(track.right() - 3, track.center().y()),
    }


def test_pinned_card_paints_in_the_palettes_colours_and_repaints_on_a_switch(
    qtbot: QtBot, restore_look: None, ga06_final: Snapshot
) -> None:
    house = _house(ga06_final)
    card = RaceCard(card_data(house, house.id))
    qtbot.addWidget(card)
    card.resize(320, card.sizeHint().height())
    card.show()
    qtbot.waitExposed(card)
    apply_theme("light")
    qtbot.waitUntil(lambda: not card.theme.dark, timeout=5000)
    light = _card_look(card)
    assert light["background"].lightness() > 240
    assert light["title_dark"].lightness() < 80  # dark text on white
    assert light["track"] == LIGHT.track
    assert (light["leader"], light["runner_up"]) == (OKABE_BLUE, OKABE_ORANGE)

    apply_theme("dark")  # View ▸ Theme's call: Qt posts the palette change
    qtbot.waitUntil(lambda: card.theme.dark, timeout=5000)
    dark = _card_look(card)
    assert dark["background"].lightness() < 60
    assert dark["title_light"].lightness() > 200  # light text on the dark card
    assert contrast(dark["title_light"], dark["background"]) >= 4.5
    assert dark["track"] == DARK.track and contrast(dark["track"], dark["background"]) < 2.0
    # The Okabe-Ito bar colours are the same in both.
    assert (dark["leader"], dark["runner_up"]) == (OKABE_BLUE, OKABE_ORANGE)

    apply_theme("light")
    qtbot.waitUntil(lambda: not card.theme.dark, timeout=5000)
    assert _card_look(card)["background"].lightness() > 240


def _chart_look(chart: VoteMixChart) -> dict[str, QColor]:
    plot = chart._plot
    item = plot.getPlotItem()
    bottom = item.getAxis("bottom")
    image = plot.grab().toImage()
    ratio = plot.devicePixelRatioF()
    # The plot's right margin (18 px): nothing drawn there but the background.
    margin = image.pixelColor(QPoint(round((plot.width() - 6) * ratio), round(plot.height() / 2 * ratio)))
    return {
        "background": plot.backgroundBrush().color(),
        "margin": margin,
        "names": item.getAxis("left").textPen().color(),
        "ticks": bottom.textPen().color(),
        "axis": bottom.pen().color(),
        "grid": chart._grid[0].pen.color(),
    }


def test_vote_mix_chart_follows_the_theme_and_keeps_its_vote_type_colours(
    qtbot: QtBot, restore_look: None, ga06_final: Snapshot
) -> None:
    house = _house(ga06_final)
    chart = VoteMixChart()
    qtbot.addWidget(chart)
    chart.resize(520, 360)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_mix(house.name, house.ranked(), vote_type_mix(house))
    apply_theme("light")
    qtbot.waitUntil(lambda: not chart.theme.dark, timeout=5000)
    light = _chart_look(chart)
    assert light["background"].lightness() > 200 and light["margin"].lightness() > 200
    assert light["names"] == LIGHT.text

    apply_theme("dark")
    qtbot.waitUntil(lambda: chart.theme.dark, timeout=5000)
    dark = _chart_look(chart)
    assert dark["background"].lightness() < 60 and dark["margin"].lightness() < 60
    for name in ("names", "ticks"):
        assert contrast(dark[name], dark["background"]) >= 4.5, name
    assert contrast(dark["grid"], dark["background"]) < 2.0
    assert dark["axis"] == DARK.axis
    # The vote types keep their Okabe-Ito colours, and each percentage reads on its segment
    # (the dark theme's light text would not, on sky blue or green).
    segments = chart._segments
    for vtype in ("early", "mail", "election_day"):
        assert segments[vtype].opts["brush"] == VOTE_TYPE_COLOURS[vtype]
    labels = chart.segment_labels()
    assert labels and all(text.endswith("%") for text, _, _ in labels)
    for text, colour, under in labels:
        assert contrast(colour, under) >= 4.0, text
    assert "■" in chart._legend.text()

    apply_theme("light")
    qtbot.waitUntil(lambda: not chart.theme.dark, timeout=5000)
    assert _chart_look(chart)["names"] == LIGHT.text


def test_legible_keeps_a_colours_hue_and_makes_it_read() -> None:
    red = QColor("#B3261E")
    assert LIGHT.legible(red) == red  # already reads on white: unchanged
    lighter = DARK.legible(red)
    assert contrast(lighter, DARK.background) >= 4.5
    assert abs(lighter.hslHue() - red.hslHue()) <= 2 and lighter.lightness() > red.lightness()


def test_view_theme_repaints_the_overview_the_drill_down_and_the_list(
    qtbot: QtBot, restore_look: None, tracker_home: Path, bundled_night: Path
) -> None:
    from tracker.ui.main_window import MainWindow

    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    window.resize(1400, 1000)
    window.show()
    qtbot.waitExposed(window)
    actions = {a.objectName(): a for a in window.findChildren(type(window.actions_by_name["play"]))}
    actions["theme_light"].trigger()
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(bundled_night, at="20:30")
    window.toggle_current_pin()  # Ctrl+P on the race shown (Ossoff's)
    qtbot.waitUntil(lambda: len(window.pins.overview.cards()) == 1, timeout=5000)
    card = window.pins.overview.cards()[0]
    drill = window.drilldown
    drill.toggleViewAction().trigger()  # Race ▸ Drill down
    qtbot.waitUntil(lambda: drill.data is not None, timeout=20_000)
    drill.set_level("unit")  # precincts: those not reported yet at 20:30 say "nothing reported"
    model = drill.model
    vote_type = next(
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Vote type"
    )
    empty = [
        model.index(r, vote_type)
        for r in range(model.rowCount())
        if model.index(r, vote_type).data() == "nothing reported"
    ]
    assert empty
    assert QColor(empty[0].data(Qt.ItemDataRole.ForegroundRole)) == LIGHT.muted

    actions["theme_dark"].trigger()
    qtbot.waitUntil(lambda: card.theme.dark and drill.chart.theme.dark, timeout=5000)
    assert _card_look(card)["background"].lightness() < 60
    assert _chart_look(drill.chart)["margin"].lightness() < 60
    muted = ChartTheme.from_palette(drill.palette()).muted
    assert muted == DARK.muted
    assert QColor(empty[0].data(Qt.ItemDataRole.ForegroundRole)) == muted
    assert muted.name() in drill._status.styleSheet()
    assert DARK.muted.name() in window._race_panel.count.styleSheet()
    correction = window.alert_log.dock.model._correction
    assert contrast(correction, DARK.background) >= 4.5

    actions["theme_light"].trigger()
    qtbot.waitUntil(lambda: not card.theme.dark and not drill.chart.theme.dark, timeout=5000)
    assert _card_look(card)["background"].lightness() > 240
    assert QColor(empty[0].data(Qt.ItemDataRole.ForegroundRole)) == LIGHT.muted
    window.close()


def test_vote_mix_percentages_fit_their_segments_in_a_narrow_chart(
    qtbot: QtBot, ga06_final: Snapshot
) -> None:
    """No clipped text: squeezed beside the table, the chart keeps its axis title whole and
    writes a percentage only in a segment wide enough for it."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication

    from tracker.ui.vote_mix import AXIS_TITLE

    house = _house(ga06_final)
    chart = VoteMixChart()
    qtbot.addWidget(chart)
    chart.set_mix(house.name, house.ranked(), vote_type_mix(house))
    chart.show()
    qtbot.waitExposed(chart)
    counts = []
    for width in (900, 200):
        chart.resize(width, 360)
        QApplication.processEvents()
        view = chart._vb
        assert view.width() >= QFontMetrics(chart.font()).horizontalAdvance(AXIS_TITLE)
        shown = [(t, w) for t, w in zip(chart._labels, chart._label_widths, strict=False) if t.isVisible()]
        for text, share in shown:
            assert text.boundingRect().width() <= share * view.width() / 100, text.toPlainText()
        counts.append(len(shown))
    assert counts[0] > counts[1] > 0  # the narrow chart dropped the labels that did not fit
