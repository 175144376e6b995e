"""Every keyboard shortcut, pressed on the shown window (QTest key clicks, as a user would), on
the synthetic night whose three version times the test knows; plus the shortcuts page, which is
built from the menus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES

from tracker.ui.main_window import MainWindow
from tracker.ui.shortcuts import ShortcutsDialog, shortcut_rows

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def window(qtbot: QtBot, tracker_home: Path, synthetic_night: Path) -> Iterator[MainWindow]:
    """The window shown and active, the synthetic night open at its second version, the race
    table focused (where the focus is after picking a race)."""
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    w.resize(1000, 650)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=60_000)
    with qtbot.waitSignal(w.drawn, timeout=15_000):
        w.open_night(synthetic_night, at=SYNTHETIC_TIMES[1].astimezone(w_tz()).strftime("%H:%M"))
    w.race_table.setFocus()
    yield w
    w.close()


def w_tz():  # the synthetic night's zone
    from synthetic_data import NY

    return NY


def press(qtbot: QtBot, widget, key: Qt.Key, modifier=NONE) -> None:
    qtbot.keyClick(widget, key, modifier)


def test_space_plays_and_pauses(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.replay_bar.playing
    press(qtbot, window.race_table, Qt.Key.Key_Space)
    assert window.replay_bar.playing
    press(qtbot, window.race_table, Qt.Key.Key_Space)
    assert not window.replay_bar.playing


def test_right_and_left_step_updates_from_the_race_table(qtbot: QtBot, window: MainWindow) -> None:
    assert window.replay_bar.position() == SYNTHETIC_TIMES[1]
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        press(qtbot, window.race_table, Qt.Key.Key_Right)
    assert window.replay_bar.position() == SYNTHETIC_TIMES[2]
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        press(qtbot, window.race_table, Qt.Key.Key_Left)
    assert window.replay_bar.position() == SYNTHETIC_TIMES[1]
    assert window.race_table.hasFocus()


def test_up_and_down_still_move_the_race_selection(qtbot: QtBot, window: MainWindow) -> None:
    before = window.selected_contest
    position = window.replay_bar.position()
    row = window.race_proxy.proxy_row_of(before)
    key = Qt.Key.Key_Down if row == 0 else Qt.Key.Key_Up
    press(qtbot, window.race_table, key)
    assert window.selected_contest != before
    assert window.replay_bar.position() == position


def test_a_focused_button_keeps_space_and_the_scrubber_its_arrows(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.replay_bar
    bar._next.setFocus()
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        press(qtbot, bar._next, Qt.Key.Key_Space)  # presses "Next", does not play
    assert not bar.playing and bar.position() == SYNTHETIC_TIMES[2]
    bar._slider.setFocus()
    before = bar.slider_value()
    press(qtbot, bar._slider, Qt.Key.Key_Left)  # one slider step back, not "previous update"
    assert bar.slider_value() == before - 1
    assert SYNTHETIC_TIMES[1] < bar.position() < SYNTHETIC_TIMES[2]


def test_plus_and_minus_change_the_speed(qtbot: QtBot, window: MainWindow) -> None:
    assert window.replay_bar.clock.speed == 60
    press(qtbot, window.race_table, Qt.Key.Key_Plus)
    assert window.replay_bar.clock.speed == 100
    assert window.replay_bar.texts()["speed"] == "100×"
    press(qtbot, window.race_table, Qt.Key.Key_Minus)
    press(qtbot, window.race_table, Qt.Key.Key_Minus)
    assert window.replay_bar.clock.speed == 30
    press(qtbot, window.race_table, Qt.Key.Key_Equal)  # "+" without Shift on most layouts
    assert window.replay_bar.clock.speed == 60


def test_home_and_end_go_to_the_start_and_end_of_the_night(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, window.race_table, Qt.Key.Key_End)
    assert window.replay_bar.position() == window.replay_bar.clock.end == SYNTHETIC_TIMES[-1]
    press(qtbot, window.race_table, Qt.Key.Key_Home)
    assert window.replay_bar.position() == window.replay_bar.clock.start


def test_ctrl_f_focuses_the_search_box_which_then_keeps_its_keys(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert window.search_box.hasFocus()
    position = window.replay_bar.position()
    qtbot.keyClicks(window.search_box, "ma yor")
    assert window.search_box.text() == "ma yor"  # Space typed, not play
    assert not window.replay_bar.playing
    press(qtbot, window.search_box, Qt.Key.Key_Left)
    press(qtbot, window.search_box, Qt.Key.Key_Home)
    press(qtbot, window.search_box, Qt.Key.Key_Minus)
    assert window.search_box.text() == "-ma yor"  # the cursor moved; "-" typed, speed untouched
    assert window.replay_bar.position() == position
    assert window.replay_bar.clock.speed == 60


def test_ctrl_p_pins_the_selected_race(qtbot: QtBot, window: MainWindow) -> None:
    contest = window.selected_contest
    assert contest is not None and not window.race_model.is_pinned(contest)
    with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
        press(qtbot, window.race_table, Qt.Key.Key_P, CTRL)
    assert window.race_model.is_pinned(contest)


def test_ctrl_o_opens_a_feed_and_ctrl_shift_o_a_night(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(window, "choose_feed", lambda: asked.append("feed"))
    monkeypatch.setattr(window, "choose_night", lambda: asked.append("night"))
    # The actions were connected to the bound methods before the patch: connect to the patch too.
    window.actions_by_name["open_feed"].triggered.disconnect()
    window.actions_by_name["open_feed"].triggered.connect(window.choose_feed)
    window.actions_by_name["open_night"].triggered.disconnect()
    window.actions_by_name["open_night"].triggered.connect(window.choose_night)
    press(qtbot, window, Qt.Key.Key_O, CTRL)
    press(qtbot, window, Qt.Key.Key_O, CTRL | SHIFT)
    assert asked == ["feed", "night"]


def test_f1_opens_the_shortcuts_page_listing_every_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_F1)
    dialog = window.findChild(ShortcutsDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    rows = dialog.texts()
    commands = {command: keys for _menu, command, keys in rows}
    assert commands["Play / pause"] == "Space"
    assert commands["Next update"].startswith("Right")
    assert commands["Previous update"].startswith("Left")
    assert commands["Faster"].startswith("+")
    assert commands["Slower"] == "-"
    assert commands["Open feed"] == "Ctrl+O"
    assert commands["Open night"] == "Ctrl+Shift+O"
    assert commands["Pin / unpin race"].startswith("Ctrl+P")
    assert commands["Find race"] == "Ctrl+F"
    assert commands["Start of the night"] == "Home"
    assert commands["End of the night"] == "End"
    # Generated from the menus: every action with a shortcut is there, nothing else.
    from_menus = shortcut_rows(window.menuBar())
    assert len(rows) == len(from_menus)
    dialog.close()


def test_menus_show_the_shortcuts(window: MainWindow) -> None:
    for name, keys in {"play": "Space", "next": "Right", "open_feed": "Ctrl+O", "pin": "Ctrl+P"}.items():
        assert window.actions_by_name[name].shortcut().toString() == keys
