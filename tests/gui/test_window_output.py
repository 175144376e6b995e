"""Output (issue 18 items 7 and 8): the picture's provenance caption is never cut, every export
says what it wrote and where, file dialogs start in the last folder used (the data folder the
first time), and the View menu's words do not follow the overview dock's title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QFontMetrics
from pytestqt.qtbot import QtBot

from tracker import paths
from tracker.ui import last_folder
from tracker.ui.exports import wrap_caption
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window: Callable[..., MainWindow], bundled_night: Path) -> MainWindow:
    return make_window(size=(900, 640), show=True, night=bundled_night, at="21:30")


def test_wrap_caption_keeps_every_word_within_the_width(qtbot: QtBot) -> None:
    font = QFont()
    caption = [
        "U.S. Representative, District 6 — GA-06 special election, 18 Apr 2017 — reconstructed from "
        "certified precinct results — not the original feed (reconstructed night)",
        "Version 9 of 73, 2017-04-18 21:00 EDT · Election Night Tracker",
    ]
    lines = wrap_caption(caption, font, 300)
    metrics = QFontMetrics(font)
    assert all(metrics.horizontalAdvance(line) <= 300 for line in lines), lines
    assert " ".join(" ".join(lines).split()) == " ".join(" ".join(caption).split())
    assert len(lines) > 2


def test_png_export_has_the_whole_caption_and_says_where_it_went(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from PySide6.QtGui import QImage

    window.exports.picture_size = None  # as on screen
    window.resize(700, 600)  # a narrow race view: the caption used to be cut here
    qtbot.wait(50)
    out = tmp_path / "pictures" / "race.png"
    out.parent.mkdir()
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    window.exports.export_picture(out, "png")
    qtbot.waitUntil(lambda: out.is_file() and any("Wrote race.png" in m for m in messages), timeout=30_000)
    assert any(str(out.parent) in m for m in messages), messages
    image = QImage(str(out))
    caption_lines = len(
        wrap_caption(window.exports._race().caption(), QFont(window.font()), image.width() - 20)
    )
    assert caption_lines > 2  # wrapped, not cut
    assert (
        image.height() > window.race_view.height() + caption_lines * QFontMetrics(window.font()).lineSpacing()
    )


def test_dialogs_start_in_the_data_folder_then_the_last_used_one(tracker_home: Path, tmp_path: Path) -> None:
    assert last_folder.start_folder() == paths.data_dir()
    assert last_folder.start_path("race.png") == str(paths.data_dir() / "race.png")
    chosen = tmp_path / "desk"
    chosen.mkdir()
    last_folder.remember(chosen / "alerts.csv")
    assert last_folder.start_folder() == chosen
    chosen.rmdir()  # gone (an unplugged drive): back to the data folder
    assert last_folder.start_folder() == paths.data_dir()


def test_the_view_menu_keeps_its_words_whatever_the_dock_title(window: MainWindow) -> None:
    dock = window.pins.dock
    assert "reconstructed" in dock.windowTitle()
    texts = [
        a.text()
        for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
        for a in menu.actions()
    ]
    assert "&Pinned overview" in texts
    assert not any("reconstructed" in t for t in texts), texts


def test_copy_race_as_text_and_image(qtbot: QtBot, window: MainWindow) -> None:
    """Real (reconstructed) GA-06 at 21:30: Ctrl+C copies the race as a reader takes it in."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    window.race_view.setFocus()
    qtbot.keyClick(window.race_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    lines = text.splitlines()
    assert lines[0] == "U.S. Representative, District 6"
    assert lines[1].startswith("Precincts reporting ")
    assert any(line.startswith("Jon Ossoff, ") and " votes, " in line for line in lines)
    assert "reconstructed" in text and "Version " in text and "EDT" in text
    qtbot.keyClick(
        window.race_view,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() >= window.race_view.width()
    assert "as an image" in window.statusBar().currentMessage()


def test_csv_export_follows_the_drilldowns_filter(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    """Real (reconstructed) GA-06: with the drill-down open on "Cobb", the CSV holds Cobb only."""
    from PySide6.QtWidgets import QLineEdit

    dock = window.drilldown
    dock.show()
    qtbot.waitUntil(lambda: dock.model.rows is not None, timeout=30_000)
    search = next(e for e in dock.findChildren(QLineEdit) if e.placeholderText().startswith("Filter"))
    search.setText("Cobb")
    shown, note = dock.shown_rows()
    assert "'Cobb'" in note
    assert (
        shown is not None
        and shown.rows
        and all("cobb" in r.county.casefold() or "cobb" in r.unit.casefold() for r in shown.rows)
    )
    out = tmp_path / "race.csv"
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    window.exports.export_csv(out)
    qtbot.waitUntil(lambda: any("race.csv" in m for m in messages), timeout=30_000)
    body = out.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("# Rows as the drill-down shows it") and "'Cobb'" in line for line in body)
    data = [line for line in body if not line.startswith("#")][1:]
    assert len(data) == len(shown.rows)
    assert all("Cobb" in line for line in data)


def test_overview_cards_say_where_the_race_stands(qtbot: QtBot, window: MainWindow) -> None:
    """Real (reconstructed) GA-06: over the line while counting at 21:30, a runoff at the end."""
    from tracker.ui.race_card import card_data, card_status

    house = next(c for c in window.snapshot.contests if "Representative" in c.name)
    assert card_status(house) == "Ossoff over 50 % so far"
    data = card_data(house, house.id)
    assert data.status == "Ossoff over 50 % so far" and data.tooltip.splitlines()[-1].startswith(
        "Ossoff over"
    )
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.replay_bar.go_end()
    house = next(c for c in window.snapshot.contests if "Representative" in c.name)
    assert card_status(house) == "final · runoff"  # Ossoff 48.1 % of the certified count


def test_pictures_at_a_publication_size_whatever_the_docks(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Real (reconstructed) GA-06: 1600 × 900 by default (File ▸ Export ▸ Picture size), with
    the drill-down and the overview open below the race."""
    from PySide6.QtGui import QImage

    from tracker.ui.publication import size_named

    assert window.exports.picture_size == size_named("1600 × 900")
    window.toggle_current_pin()
    window.drilldown.show()
    qtbot.wait(100)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    out = tmp_path / "race.png"
    window.exports.export_picture(out, "png")
    qtbot.waitUntil(lambda: any("Wrote race.png" in m for m in messages), timeout=30_000)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 900)
    svg = tmp_path / "race.svg"
    window.exports.export_picture(svg, "svg")
    qtbot.waitUntil(lambda: any("Wrote race.svg" in m for m in messages), timeout=30_000)
    text = svg.read_text(encoding="utf-8")
    assert 'width="1600' in text or "1600" in text.split("viewBox")[1][:40]
    menu = window.findChild(type(window.menuBar().addMenu("x")), "pictureSizeMenu")
    assert [a.text() for a in menu.actions()][-1] == "As on screen"


def test_the_dashed_line_never_shows_through_a_text(window: MainWindow) -> None:
    """Real (reconstructed) GA-06 at 21:30: phrases beside the bars cross 50 %; every text the
    line passes under has an opaque halo drawn above the line."""
    view = window.race_view
    plot = view.plot_widget.getPlotItem()
    line = next(i for i in plot.items if getattr(i, "label", None) is not None and i.value() == 50)
    x = plot.getViewBox().mapViewToScene(QPointF(50, 0)).x()
    crossed = [
        item
        for item in plot.items
        if hasattr(item, "textItem")
        and item.isVisible()
        and item is not line.label
        and item.sceneBoundingRect().left() < x < item.sceneBoundingRect().right()
    ]
    assert crossed, "no text crosses the line at 21:30 (the test would prove nothing)"
    for item in crossed:
        assert item.fill.color().alpha() == 255 and item.zValue() > line.zValue()


def test_names_in_one_case_in_the_alert_log(qtbot: QtBot) -> None:
    """Synthetic alerts in a shouting feed's spelling read as the bars do."""
    from tracker.core.alerts import Alert, AlertKind
    from tracker.ui.alert_log import AlertLogModel, names_in_case
    from tracker.ui.bar_texts import display_name

    assert names_in_case("JON OSSOFF takes the lead from KAREN HANDEL: 10 to 9") == (
        "Jon Ossoff takes the lead from Karen Handel: 10 to 9"
    )
    assert names_in_case("Jon Ossoff crossed 50 %") == "Jon Ossoff crossed 50 %"
    assert names_in_case("HR 1 passes") == "HR 1 passes"  # one capitalised word is left alone
    model = AlertLogModel()
    alert = Alert(AlertKind.LEAD_CHANGE, "r", "US REPRESENTATIVE, DISTRICT 6", "", "JON OSSOFF leads", 0)
    _when, race, message, _version = model.cells(alert)
    assert race == display_name("US REPRESENTATIVE, DISTRICT 6") != "US REPRESENTATIVE, DISTRICT 6"
    assert message == "lead change: Jon Ossoff leads"


def test_drilldown_shows_each_places_share_beside_the_votes(qtbot: QtBot, window: MainWindow) -> None:
    """Real (reconstructed) GA-06 at 21:30, by county: "votes · share of the place"."""
    dock = window.drilldown
    dock.show()
    qtbot.waitUntil(lambda: dock.model.rows is not None, timeout=30_000)
    model, rows = dock.model, dock.model.rows
    first_candidate = model.columnCount() - len(rows.candidates) - 1
    checked = 0
    for r, row in enumerate(rows.rows):
        if not row.total:
            continue
        for i, votes in enumerate(row.votes):
            if votes is None:
                continue
            text = model.index(r, first_candidate + i).data()
            assert text == f"{votes:,} · {100.0 * votes / row.total:.1f} %"
            checked += 1
    assert checked > 0
    total_column = model.columnCount() - 1
    assert " %" not in model.index(0, total_column).data()
