"""Light and dark: the charts follow the application's palette (and stay readable), View ▸ Theme
and ``--theme`` force a scheme; party colours and letters on a real AP race."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tracker.core.model import Contest, Snapshot
from tracker.ui.race_view import RaceView
from tracker.ui.theme import DARK, LIGHT, apply_theme, contrast, party_style
from tracker.ui.timeline import TimelineView

pytestmark = pytest.mark.gui


def _race_colours(view: RaceView) -> dict[str, QColor]:
    item = view.plot_widget.getPlotItem()
    return {
        "background": view.plot_widget.backgroundBrush().color(),
        "names": item.getAxis("left").textPen().color(),
        "ticks": item.getAxis("bottom").textPen().color(),
        "grid": view._grid[0].pen.color(),
        "line": view._line.pen.color(),
    }


def test_dark_palette_recolours_the_race_view_and_timeline_readably(
    qtbot: QtBot, restore_look: None, ga06_final: Snapshot
) -> None:
    view, timeline = RaceView(), TimelineView()
    qtbot.addWidget(view)
    qtbot.addWidget(timeline)
    view.show_contest(max(ga06_final.contests, key=lambda c: c.total_votes))
    light = _race_colours(view)
    assert light["background"].lightness() > 200 and light["names"].lightness() < 80

    apply_theme("dark")  # Qt posts the palette change: it arrives with the next events
    qtbot.waitUntil(lambda: view.theme.dark and timeline.theme.dark, timeout=5000)
    dark = _race_colours(view)
    assert dark["background"].lightness() < 60  # the palette's dark Base
    assert dark["names"].lightness() > 180 and dark["line"].lightness() > 180
    for name in ("names", "ticks", "line"):
        assert contrast(dark[name], dark["background"]) >= 4.5, name
    assert contrast(dark["grid"], dark["background"]) < 2.0  # a grid stays quiet
    assert view.theme.dark and view.theme.background == dark["background"]
    tl_background = timeline.plot_widget.backgroundBrush().color()
    tl_ticks = timeline.plot_widget.getPlotItem().getAxis("bottom").textPen().color()
    assert tl_background.lightness() < 60 and contrast(tl_ticks, tl_background) >= 4.5
    # The bar texts are drawn in the dark theme's colours too.
    assert all("#1f2328" not in t._markup for t in view._texts if t.isVisible())

    apply_theme("light")
    qtbot.waitUntil(lambda: not view.theme.dark, timeout=5000)
    back = _race_colours(view)
    assert back["background"] == QColor("#FFFFFF") and back["names"] == LIGHT.text
    assert not view.theme.dark


def test_both_themes_keep_text_readable() -> None:
    for theme in (LIGHT, DARK):
        for colour in (theme.text, theme.muted, theme.line):
            assert contrast(colour, theme.background) >= 4.5


def test_view_menu_theme_switches_the_window(qtbot: QtBot, restore_look: None, tracker_home: Path) -> None:
    from tracker.ui.main_window import MainWindow, settings

    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    actions = {a.objectName(): a for a in window.findChildren(type(window.actions_by_name["play"]))}
    actions["theme_dark"].trigger()
    qtbot.waitUntil(lambda: window.race_view.theme.dark and window.timeline_view.theme.dark, timeout=5000)
    assert settings().value("view/theme") == "dark"
    actions["theme_light"].trigger()
    qtbot.waitUntil(lambda: not window.race_view.theme.dark, timeout=5000)
    window.close()


def test_screenshot_with_theme_dark_has_a_dark_chart(
    tmp_path: Path, tracker_home: Path, restore_look: None, bundled_night: Path
) -> None:
    from tracker.ui.app import run_gui

    out = tmp_path / "dark.png"
    assert run_gui(bundled_night, at="22:40", screenshot=out, theme="dark") == 0
    image = QImage(str(out))
    # The chart's plot area, right of the bars' 90 % mark (nothing drawn there at 22:40).
    assert image.pixelColor(QPoint(1120, 400)).lightness() < 60


def _ak_president(shared_data: Path) -> Contest:
    from tracker.feeds.registry import parse_payload

    path = shared_data / "ap" / "newsdev-elex_20121106_ak_prez.json"
    snapshot = parse_payload(path.read_bytes(), "auto", source=str(path))
    return snapshot.contests[0]


def test_real_ap_race_gets_okabe_ito_party_colours_and_letters(
    qtbot: QtBot, restore_look: None, shared_data: Path
) -> None:
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.show_contest(_ak_president(shared_data))  # Romney GOP, Obama Dem, Johnson Lib, Stein Grn
    colours, letters = view.bar_colours(), view.party_letters()
    assert colours == {
        "Mitt Romney": "#d55e00",
        "Barack Obama": "#0072b2",
        "Gary Johnson": "#f0e442",
        "Jill Stein": "#009e73",
    }
    assert letters == {"Mitt Romney": "R", "Barack Obama": "D", "Gary Johnson": "L", "Jill Stein": "G"}


def test_a_race_without_parties_keeps_the_rank_colours_and_no_letters(
    qtbot: QtBot, ga06_final: Snapshot
) -> None:
    view = RaceView()
    qtbot.addWidget(view)
    house = max(ga06_final.contests, key=lambda c: c.total_votes)
    view.show_contest(house)
    colours = list(view.bar_colours().values())
    assert colours[:3] == ["#0072b2", "#e69f00", "#aeb6bf"]
    assert set(view.party_letters().values()) == {""}


def test_party_names_as_feeds_spell_them() -> None:
    assert party_style("Dem")[0] == "D" and party_style("GOP")[0] == "R"
    assert party_style("Republican")[0] == "R" and party_style("Grn")[0] == "G"
    assert party_style("Constitution") == ("C", party_style("Constitution")[1])
    for none in ("", "NP", "NPA", "Yes", "No", "Nonpartisan"):
        assert party_style(none) is None


def test_timeline_legend_fits_its_pane_on_one_line(qtbot: QtBot, ga06_final: Snapshot) -> None:
    """No clipped text: in a narrow race pane the legend drops first names, then the words,
    rather than running past the edge or onto a second line that squeezes the plot."""
    import datetime as dt

    from PySide6.QtGui import QTextDocument

    from tracker.core.projection import project_contest
    from tracker.ui.timeline import TimelinePoint

    house = max(ga06_final.contests, key=lambda c: c.total_votes)
    when = dt.datetime(2017, 4, 19, 5, 30, tzinfo=dt.UTC)
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    timeline.show()
    qtbot.waitExposed(timeline)
    captions = set()
    for width in (1100, 560, 330):
        timeline.resize(width, 200)
        QApplication.processEvents()
        timeline.set_history([TimelinePoint(when, project_contest(house))], when)
        doc = QTextDocument()
        doc.setDefaultFont(timeline._caption.font())
        doc.setHtml(timeline._caption.text())
        assert doc.idealWidth() <= timeline._caption.width(), width
        assert "Ossoff" in timeline.caption()
        captions.add(timeline.caption())
    assert len(captions) >= 2  # narrower panes got shorter legends
