"""Feed faults in the window: the real window, worker and poller against the fault-injecting
loopback server (``tests/fault_server.py``). While the feed fails the window stays responsive,
the status bar's feed health shows the error, the last good version stays on screen, everything
recorded stays in the night; when the fault ends the next version is shown.

The poll policy is the real one with a rehearsal's short backoffs (a subclass swapped in for the
test), so a fault and its recovery take a fraction of a second. Its timeouts are generous (a good
fetch never trips them, however loaded the machine) except for the stall, whose test needs one:
there the server holds the connection until the fault is cleared, far longer than the timeout.
Every wait is bounded, and long: a bound, never a timing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fault_server import JUNE, SPEED, Fault, FaultyFeedServer, StepClock
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from tracker.archive.night import NightFile
from tracker.feeds import poller
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

WAIT_MS = 90_000


@dataclass(frozen=True)
class RehearsalPolicy(poller.PollPolicy):
    """The real policy with a rehearsal's backoffs."""

    backoff_base: float = 0.05
    backoff_cap: float = 0.2
    jitter: float = 0.0
    connect_timeout: float = 15.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0


@dataclass(frozen=True)
class StallPolicy(RehearsalPolicy):
    """A read timeout short enough to trip quickly on a stall that lasts until it is cleared."""

    read_timeout: float = 1.0


@pytest.fixture
def policy() -> type[poller.PollPolicy]:
    return RehearsalPolicy


@pytest.fixture
def window(
    qtbot: QtBot, tracker_home: Path, monkeypatch: pytest.MonkeyPatch, policy: type[poller.PollPolicy]
) -> Iterator[MainWindow]:
    monkeypatch.setattr(poller, "PollPolicy", policy)
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    yield w
    w.close()


def _error(window: MainWindow) -> str:
    return window.feed_status.texts()["error"]


def _responsive(qtbot: QtBot) -> None:
    """The GUI thread's event loop runs: a timer posted now fires (bounded wait, not a timing)."""
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=WAIT_MS)


def _fault_in_the_window(qtbot: QtBot, window: MainWindow, fault: Fault, error_part: str) -> None:
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="native", speed=SPEED, clock=step) as server:
        step.release(10)
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        first = server.document(10, "native").body
        shown_totals = [c.totals for c in window.snapshot.contests]
        server.set_fault(fault)
        step.release(11)
        _responsive(qtbot)  # (a stall holds the poll thread, never the window)
        qtbot.waitUntil(lambda: error_part in _error(window), timeout=WAIT_MS)
        assert _error(window).startswith("error: ") and "backing off" in _error(window)
        _responsive(qtbot)
        # the last good version stays on screen, with its numbers
        assert window.shown_version == 0 and window.feed_status.texts()["badge"] == "FAILING"
        assert [c.totals for c in window.snapshot.contests] == shown_totals
        server.clear()
        qtbot.waitUntil(lambda: window.shown_version == 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _error(window) == "", timeout=WAIT_MS)
        second = server.document(11, "native").body
        assert window.snapshot.payload_id == hashlib.sha256(second).hexdigest()
        recording = window.night.path
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
    with NightFile.open(recording) as night:
        assert [night.payload(v.payload_id) for v in night.versions()] == [first, second]
        assert any(error_part in (f.error or "") for f in night.fetches())


def test_a_503_shows_in_the_status_bar_and_the_window_recovers(qtbot: QtBot, window: MainWindow) -> None:
    _fault_in_the_window(qtbot, window, Fault("status", status=503), "HTTP 503")


def test_a_malformed_payload_shows_in_the_status_bar_and_the_good_version_stays(
    qtbot: QtBot, window: MainWindow
) -> None:
    def malformed(body: bytes) -> bytes:  # synthetic damage to the real payload
        return body[: len(body) // 2] + b"<<garbage"

    _fault_in_the_window(qtbot, window, Fault("body", transform=malformed), "unreadable payload")


@pytest.mark.parametrize("policy", [StallPolicy])
def test_a_read_stall_mid_body_never_freezes_the_window(qtbot: QtBot, window: MainWindow) -> None:
    _fault_in_the_window(qtbot, window, Fault("stall"), "timed out")


def test_a_county_site_behind_the_state_shows_in_the_feed_status(qtbot: QtBot, window: MainWindow) -> None:
    """A Clarity state site served on loopback; Cobb's own sub-site falls behind the state's list."""
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        assert "behind the state" not in window.feed_status.texts()["text"]
        server.set_fault(Fault("body", match="/GA/Cobb/", transform=lambda _b: b"1"))
        step.release(1)
        qtbot.waitUntil(
            lambda: "1 county site behind the state: Cobb" in window.feed_status.texts()["text"],
            timeout=WAIT_MS,
        )
        assert "Cobb: its own site is at version 1, behind the state's" in window.feed_status.toolTip()
        server.clear()
        step.release(2)
        qtbot.waitUntil(lambda: "behind the state" not in window.feed_status.texts()["text"], timeout=WAIT_MS)
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
