"""Presentation mode (issue 18 item 2): F11 shows the race on screen full screen in larger type,
following the window's version and race and its keys; Shift+F11 the pinned overview, given back
to its dock after; Escape leaves."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow
from tracker.ui.presentation import OVERVIEW, RACE, TYPE_SCALE

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window: Callable[..., MainWindow], bundled_night: Path) -> MainWindow:
    return make_window(show=True, night=bundled_night, at="21:00")


def test_the_race_full_screen_in_larger_type(qtbot: QtBot, window: MainWindow) -> None:
    """Real (reconstructed) GA-06 at 21:00."""
    assert window.presentation.race_action.shortcut().toString() == "F11"
    screen = window.presentation.toggle(RACE, full_screen=False)
    assert screen is not None and screen.mode == RACE
    big, small = screen.race_view, window.race_view
    assert big.header_texts()["title"] == small.header_texts()["title"]
    assert [b.text for b in big.bars()] == [b.text for b in small.bars()]
    assert big.font().pointSizeF() == pytest.approx(small.font().pointSizeF() * TYPE_SCALE)
    assert "GA-06" in screen.line_text() and "21:00 EDT" in screen.line_text()
    # It follows the window: another moment, another race.
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        window.navigation.go_to("22:30")
    assert "22:30 EDT" in screen.line_text()
    other = next(c.id for c in window.night.final.contests if c.id != window.selected_contest)
    window.select_contest(other)
    assert big.header_texts()["title"] == small.header_texts()["title"]
    # Escape leaves.
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.presentation.screen is None, timeout=5_000)


def test_the_pinned_overview_is_borrowed_and_given_back(qtbot: QtBot, window: MainWindow) -> None:
    window.toggle_current_pin()
    dock = window.pins.dock
    overview = dock.widget()
    screen = window.presentation.toggle(OVERVIEW, full_screen=False)
    assert screen is not None and overview.window() is screen
    assert window.presentation.toggle(OVERVIEW) is None  # the same key leaves
    assert dock.widget() is overview


def test_go_to_time_from_presentation_mode_asks_over_the_presentation(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+G on the full-screen race: the dialog's parent is the presentation, not the main
    window (whose dialog raised the main window over the wall screen, found under openbox)."""
    from PySide6.QtWidgets import QApplication, QInputDialog

    screen = window.presentation.toggle(RACE, full_screen=False)
    assert screen is not None
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=5_000)
    asked: list[object] = []

    def answer(parent, *_args, **_kwargs):
        asked.append(parent)
        return "22:30", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        qtbot.keyClick(screen, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked == [screen]
    assert "22:30 EDT" in screen.line_text()
    window.presentation.toggle(RACE)


def test_the_presentations_header_lines_wrap_inside_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    """The eighth doc walk: on Georgia's 2021 runoff the projection line, in the larger type, ran
    past the screen's right edge ("· baseline 2020 pre"); the header lines wrap as the window's do."""
    screen = window.presentation.toggle(RACE, full_screen=False)
    assert screen is not None
    screen.resize(900, 700)
    qtbot.waitUntil(lambda: screen.race_view.width() > 0, timeout=5_000)
    from PySide6.QtWidgets import QApplication, QLabel

    QApplication.processEvents()
    label = screen.race_view.findChild(QLabel, "projectionLabel")
    assert label is not None and label.text()
    assert label.wordWrap()
    one_line = label.fontMetrics().horizontalAdvance(re.sub(r"<[^>]+>", "", label.text()))
    if one_line > label.width():  # too long for one line: it takes the lines it needs
        assert label.heightForWidth(label.width()) > label.fontMetrics().lineSpacing()
    window.presentation.toggle(RACE)
