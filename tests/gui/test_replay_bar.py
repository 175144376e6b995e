"""The replay bar in fake time: the clock reads a number the test moves, so nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from synthetic_data import NY, SYNTHETIC_TIMES

from tracker.archive.replay import SPEEDS, ReplayClock, Timeline
from tracker.ui.replay_bar import SLIDER_STEPS, ReplayBar

pytestmark = pytest.mark.gui


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bar(qtbot: QtBot, fake: FakeClock) -> ReplayBar:
    """A bar over a synthetic two-hour night with versions at 19:00, 19:30 and 20:00."""
    start, end = SYNTHETIC_TIMES[0], SYNTHETIC_TIMES[0] + dt.timedelta(hours=2)
    widget = ReplayBar()
    qtbot.addWidget(widget)
    widget.set_replay(ReplayClock(start, end, clock=fake, speed=1), Timeline(SYNTHETIC_TIMES), NY)
    return widget


def test_labels_show_the_night_in_its_own_zone(bar: ReplayBar) -> None:
    texts = bar.texts()
    assert (texts["start"], texts["now"], texts["end"]) == ("19:00", "19:00", "21:00")
    assert texts["speed"] == "1×"


def test_speeds_are_offered_from_1_to_1000(bar: ReplayBar) -> None:
    combo = bar._speed
    assert [combo.itemText(i) for i in range(combo.count())] == [f"{s}×" for s in SPEEDS]
    assert combo.itemText(0) == "1×" and combo.itemText(combo.count() - 1) == "1000×"


def test_play_at_1000x_moves_n_fake_seconds_times_1000(qtbot: QtBot, bar: ReplayBar, fake: FakeClock) -> None:
    positions: list[dt.datetime] = []
    bar.position_changed.connect(positions.append)
    bar.set_speed(1000)
    bar.play()
    assert bar.playing and bar.texts()["play"] == "Pause"
    assert bar._timer.isActive()  # the ~20 Hz tick runs only while playing
    start = bar.position()
    fake.now += 3.6  # 3.6 s × 1000 = one hour of the night
    bar.refresh()
    assert bar.position() - start == dt.timedelta(seconds=3600)
    assert positions[-1] == SYNTHETIC_TIMES[0] + dt.timedelta(hours=1)
    assert bar.texts()["now"] == "20:00"
    assert bar.slider_value() == SLIDER_STEPS // 2


def test_reaching_the_end_pauses_and_stops_the_timer(bar: ReplayBar, fake: FakeClock) -> None:
    bar.set_speed(1000)
    bar.play()
    fake.now += 60  # 60,000 s of night: far past its end
    bar.refresh()
    assert not bar.playing
    assert not bar._timer.isActive()
    assert bar.texts()["now"] == "21:00"
    assert bar.slider_value() == SLIDER_STEPS


def test_pause_holds_the_position(bar: ReplayBar, fake: FakeClock) -> None:
    bar.set_speed(100)
    bar.play()
    fake.now += 6
    bar.pause()
    held = bar.position()
    fake.now += 100
    bar.refresh()
    assert bar.position() == held == SYNTHETIC_TIMES[0] + dt.timedelta(minutes=10)


def test_next_and_previous_update_jump_to_version_times(bar: ReplayBar) -> None:
    bar.next_update()
    assert bar.position() == SYNTHETIC_TIMES[1]
    bar.next_update()
    assert bar.position() == SYNTHETIC_TIMES[2]
    bar.next_update()  # no later version: stays
    assert bar.position() == SYNTHETIC_TIMES[2]
    bar.previous_update()
    assert bar.position() == SYNTHETIC_TIMES[1]
    bar.seek(SYNTHETIC_TIMES[1] + dt.timedelta(minutes=5))
    bar.previous_update()  # from inside a version: back to where it began
    assert bar.position() == SYNTHETIC_TIMES[1]


def test_scrubber_seeks(qtbot: QtBot, bar: ReplayBar) -> None:
    with qtbot.waitSignal(bar.position_changed, timeout=1000) as moved:
        bar._slider.setValue(SLIDER_STEPS // 4)  # what dragging does
    assert moved.args == [SYNTHETIC_TIMES[0] + dt.timedelta(minutes=30)]
    assert bar.texts()["now"] == "19:30"


def test_speed_combo_sets_the_clock(bar: ReplayBar) -> None:
    bar._speed.setCurrentIndex(SPEEDS.index(300))
    assert bar.clock is not None and bar.clock.speed == 300
