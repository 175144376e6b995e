"""A feed thread that ends for a reason nobody foresaw says so (issue 19, finding 6): the badge
turns to STOPPED and its tooltip gives the reason (was: the badge went on saying "LIVE · next poll
now" over a dead thread). The feed is a constructed document on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_server import HostileServer
from pytestqt.qtbot import QtBot

from tracker.feeds.poller import Poller
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_a_feed_thread_that_dies_turns_the_badge_to_stopped_with_the_reason(
    qtbot: QtBot, tracker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dies(self: Poller, sink: object, stop: object, **kwargs: object) -> None:
        raise MemoryError("the constructed feed ate the memory")

    monkeypatch.setattr(Poller, "run", dies)
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    with HostileServer() as server:
        with qtbot.waitSignal(window.error_reported, timeout=60_000) as error:
            window.open_feed(server.url, interval=0.05)
        qtbot.waitUntil(lambda: "ate the memory" in window.feed_status.toolTip(), timeout=10_000)
        qtbot.wait(500)  # the night it recorded is opened meanwhile: the badge stays STOPPED
    assert "the live feed stopped" in error.args[0]
    assert window.feed_status.texts()["badge"] == "STOPPED"
    assert "the constructed feed ate the memory" in window.feed_status.toolTip()
    assert not window.worker.feed_running
    window.close()
