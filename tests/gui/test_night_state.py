"""State that comes back per night (issue 18 item 3): a restart restores the time, the speed, the
race and the filters; a filter from one night never leaks into another; the first opening of a
bundled night starts at its first results and says how to play."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from synthetic_data import NY, SYNTHETIC_TIMES

from tracker.ui.main_window import MainWindow
from tracker.ui.night_state import PLAY_HINT

pytestmark = pytest.mark.gui

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tracker_home: Path) -> Iterator[WindowFactory]:
    made: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(interactive=False)
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def _open(qtbot: QtBot, window: MainWindow, night: Path, **options: object) -> None:
    with qtbot.waitSignal(window.night_opened, timeout=30_000):
        window.open_night(night, **options)  # type: ignore[arg-type]
    qtbot.waitUntil(
        lambda: window.replay_bar.clock is not None and window.shown_version is not None, timeout=30_000
    )


def test_restart_restores_time_speed_race_and_filters(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    first = make_window()
    _open(qtbot, first, synthetic_night, at_end=True)
    first.replay_bar.seek(SYNTHETIC_TIMES[1])
    first.replay_bar.set_speed(120.0)
    first.select_contest("council-1")
    first.race_panel.counting_button.setChecked(True)
    qtbot.wait(10)
    first.close()

    second = make_window()
    _open(qtbot, second, synthetic_night)
    qtbot.waitUntil(lambda: second.replay_bar.position() == SYNTHETIC_TIMES[1], timeout=10_000)
    assert second.replay_bar.clock is not None and second.replay_bar.clock.speed == 120.0
    assert second.selected_contest == "council-1"
    assert second.race_panel.counting_button.isChecked()


def test_an_explicit_time_or_race_wins_over_the_saved_one(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    first = make_window()
    _open(qtbot, first, synthetic_night, at_end=True)
    first.replay_bar.seek(SYNTHETIC_TIMES[1])
    first.select_contest("council-1")
    first.close()

    second = make_window()
    at = SYNTHETIC_TIMES[2].astimezone(NY).strftime("%H:%M")
    _open(qtbot, second, synthetic_night, at=at, contest="mayor")
    qtbot.wait(50)
    assert second.replay_bar.position() == SYNTHETIC_TIMES[2]
    assert second.selected_contest != "council-1"


def test_a_filter_from_another_night_does_not_leak(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "synthetic-copy.night"
    other.parent.mkdir()
    shutil.copy(synthetic_night, other)
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    window.race_panel.close_button.setChecked(True)
    window.race_panel.close_points.setValue(2.5)
    _open(qtbot, window, other, at_end=True)
    assert not window.race_panel.close_button.isChecked()
    assert window.race_proxy.rowCount() == window.race_model.rowCount()
    _open(qtbot, window, synthetic_night, at_end=True)
    assert window.race_panel.close_button.isChecked()
    assert window.race_panel.close_points.value() == 2.5


def test_first_opening_of_a_bundled_night_starts_at_its_first_results(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    """Real (reconstructed) GA-06: its first version has nothing counted; the window steps on to
    the first one with votes and tells the user how to play."""
    window = make_window()
    _open(qtbot, window, bundled_night)
    qtbot.waitUntil(lambda: window.night_state.hint == PLAY_HINT, timeout=60_000)
    snapshot = window.snapshot
    assert snapshot is not None and window.shown_version is not None
    assert any(c.total_votes > 0 for c in snapshot.contests)
    assert window.shown_version > 0
    assert "Space" in window.statusBar().currentMessage()
    assert not window.replay_bar.playing
