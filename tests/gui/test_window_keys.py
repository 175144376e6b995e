"""Focus and keys like a desktop app (issue 18 item 1), on the shown window with real key clicks:
the race view has the focus when a night opens, the search box answers Escape and Enter/↓, Tab
walks the panels without moving the race selection, every focusable widget has an accessible
name, and the race view tells assistive technology each candidate's line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QSlider, QWidget
from pytestqt.qtbot import QtBot

from tracker.ui.keyboard_focus import candidate_line
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _open(qtbot: QtBot, night: Path, **kwargs) -> MainWindow:
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=60_000)
    with qtbot.waitSignal(w.drawn, timeout=30_000):
        w.open_night(night, **kwargs)
    return w


@pytest.fixture
def window(qtbot: QtBot, tracker_home: Path, synthetic_night: Path) -> Iterator[MainWindow]:
    w = _open(qtbot, synthetic_night, at_end=True)
    yield w
    w.close()


def test_the_race_view_has_the_focus_when_a_night_opens(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.race_view.hasFocus(), timeout=5_000)
    assert not window.search_box.hasFocus()
    # Space plays from there (it would type into the search box before).
    qtbot.keyClick(window.race_view, Qt.Key.Key_Home)
    qtbot.keyClick(window.race_view, Qt.Key.Key_Space)
    assert window.replay_bar.playing
    assert window.search_box.text() == ""


def test_escape_clears_and_leaves_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.focus_search()
    qtbot.keyClicks(window.search_box, "Council")
    assert window.race_proxy.rowCount() == 1
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    assert not window.search_box.hasFocus()
    assert window.race_table.hasFocus()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Down])
def test_enter_or_down_picks_the_first_match(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    assert "Council" not in window.race_view.header_texts()["title"]
    window.focus_search()
    qtbot.keyClicks(window.search_box, "council")
    qtbot.keyClick(window.search_box, key)
    assert window.race_table.hasFocus()
    assert "Council" in window.race_view.header_texts()["title"]


def test_tab_walks_the_panels_and_never_changes_the_race(qtbot: QtBot, window: MainWindow) -> None:
    window.race_table.setFocus()
    selected = window.selected_contest
    visited: list[QWidget] = []
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not None
        visited.append(focus)
        assert window.selected_contest == selected, f"Tab changed the race (focus on {focus!r})"
        if focus is window.race_table:
            break
    bar = window.replay_bar
    assert window.race_view in visited
    assert window.race_table in visited, "Tab never came back round to the race list"
    kinds = {type(w) for w in visited if bar.isAncestorOf(w)}
    assert any(issubclass(k, QAbstractButton) for k in kinds), visited
    assert QComboBox in kinds and QSlider in kinds, visited
    assert window.search_box in visited


def test_every_focusable_widget_has_an_accessible_name(window: MainWindow) -> None:
    window.pins.dock.show()
    window.alert_log.dock.show()
    window.projection_log.show()
    from tracker.ui.keyboard_focus import name_widgets

    name_widgets(window)
    nameless = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in window.findChildren(QWidget)
        if w.isVisible()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not w.accessibleName()
        and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))
    ]
    assert nameless == [], "\n".join(nameless)


def test_the_race_view_describes_each_candidate(window: MainWindow) -> None:
    bars = window.race_view.bars()
    assert bars
    description = window.race_view.accessibleDescription()
    lines = description.splitlines()
    assert lines[0] == window.race_view.header_texts()["title"]
    assert lines[1:] == [candidate_line(b) for b in bars]
    first = bars[0]
    assert lines[1].startswith(f"{first.name.title() if first.name.isupper() else first.name}, ")
    assert f"{first.share:.1f} %, {first.votes:,} votes" in lines[1]


def test_candidate_line_reads_like_the_issue_example(bundled_night: Path, qtbot: QtBot, tracker_home) -> None:
    """Real (reconstructed) GA-06 at its last version before the end: Ossoff's line as spoken."""
    w = _open(qtbot, bundled_night, at="21:30")
    try:
        ossoff = next(b for b in w.race_view.bars() if "OSSOFF" in b.name.upper())
        line = candidate_line(ossoff)
        assert line.startswith("Jon Ossoff, ")
        assert f", {ossoff.share:.1f} %, {ossoff.votes:,} votes" in line
        assert "of the outstanding vote" in line or "final" in line or "runoff" in line
        assert line in w.race_view.accessibleDescription()
    finally:
        w.close()


def test_exports_and_quit_have_shortcuts(window: MainWindow) -> None:
    exports = window.exports
    keys = {a.text(): a.shortcut().toString() for a in exports.actions()}
    assert all(keys.values()), keys
    assert len(set(keys.values())) == len(keys)
    assert window.actions_by_name["quit"].shortcut().toString() == "Ctrl+Q"
