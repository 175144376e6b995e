"""A live feed's status bar at the smallest window (issue 18: the night's label was clipped to
"Liv" while the feed's health took the bar): the label keeps room to say what is open."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fault_server import StepClock
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tracker import paths
from tracker.archive.serve import FeedServer
from tracker.ui.main_window import MainWindow
from tracker.ui.window_fit import MIN_FIT

pytestmark = pytest.mark.gui

JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
WAIT_MS = 90_000  # a bound, not a timing


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()  # at the size it makes itself


def test_the_live_label_keeps_its_words_beside_the_feeds_health(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(MIN_FIT)
    window.show()
    qtbot.waitExposed(window)
    server = FeedServer(JUNE, fmt="clarity", speed=1000.0, clock=StepClock(JUNE)).start()
    try:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.5)
        qtbot.waitUntil(lambda: window.feed_status.texts()["badge"] == "LIVE", timeout=WAIT_MS)
        _check(qtbot, window)
    finally:
        server.stop()  # killed: the health's longest words (failing, its error, the retry)
    qtbot.waitUntil(lambda: window.feed_status.texts()["badge"] == "FAILING", timeout=WAIT_MS)
    _check(qtbot, window)
    window.stop_feed()
    window.worker.wait_feed_stopped(WAIT_MS)


def _check(qtbot: QtBot, window: MainWindow) -> None:
    label = window.statusBar().findChild(QLabel, "statusNight")
    assert label is not None and label.text().startswith("Live: ")
    wanted = label.fontMetrics().horizontalAdvance("Live: http://127.0.0.1")
    qtbot.waitUntil(lambda: label.width() >= wanted, timeout=5000)
    assert window.width() <= MIN_FIT.width()  # the floor did not widen the window
