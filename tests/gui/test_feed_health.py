"""Live health a room can see (issue 18 item 4), with the real window, worker and poller against a
real loopback server: a killed feed turns the badge and the race header to FAILING within two
polls, in words ("the server refused the connection"), and back to LIVE when it returns; a feed
armed before it is up keeps retrying and opens when it comes up. Plus the states' rules, pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fault_server import StepClock
from loopback_ports import held_port, reusable_feed_servers
from pytestqt.qtbot import QtBot

from tracker import paths
from tracker.archive.serve import FeedServer
from tracker.feeds import errors, poller
from tracker.feeds.poller import FeedHealth
from tracker.ui.health_badge import (
    BEHIND,
    FAILING,
    LIVE,
    OFFLINE,
    STALE,
    STOPPED,
    header_line,
    health_state,
)
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
SPEED = 1000.0
WAIT_MS = 90_000  # a bound, not a timing


@dataclass(frozen=True)
class QuickPolicy(poller.PollPolicy):
    """The real policy with a rehearsal's backoffs (a killed server comes back within a second)."""

    backoff_base: float = 0.05
    backoff_cap: float = 0.2
    jitter: float = 0.0


@pytest.fixture
def window(qtbot: QtBot, tracker_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(poller, "PollPolicy", QuickPolicy)
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    yield w
    w.stop_feed()
    w.worker.wait_feed_stopped(WAIT_MS)
    w.close()


def _badge(window: MainWindow) -> str:
    return window.feed_status.texts()["badge"]


def test_a_killed_feed_turns_failing_within_two_polls_and_live_when_it_returns(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    reusable_feed_servers(monkeypatch)
    reports: list[FeedHealth] = []
    window.worker.feed_health.connect(lambda h: reports.append(h) if isinstance(h, FeedHealth) else None)
    step = StepClock(JUNE)
    server = FeedServer(JUNE, fmt="native", speed=SPEED, clock=step).start()
    # Held from before the kill to the end: while the feed is down its port refuses, and no other
    # process can be given it before the feed comes back there.
    with held_port(server.port) as port:
        try:
            # Polls half a second apart: the window has the latest report before the next poll.
            with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
                window.open_feed(server.url, interval=0.5)
            qtbot.waitUntil(lambda: _badge(window) == LIVE and bool(reports), timeout=WAIT_MS)
            assert window.health_line.isVisibleTo(window)
            assert "live" in window.health_line.text()
            seen = len(reports)
            qtbot.waitUntil(lambda: len(reports) > seen, timeout=WAIT_MS)  # a poll just happened
        finally:
            server.stop()  # killed mid-night
        polls_at_kill = reports[-1].polls
        qtbot.waitUntil(lambda: _badge(window) == FAILING, timeout=WAIT_MS)
        first_failing = next(h for h in reports if h.error)
        assert first_failing.polls - polls_at_kill <= 2, "FAILING took more than two polls"
        line = window.health_line.text()
        assert "feed failing: the server refused the connection" in line, line
        assert line.startswith("last new version ")
        assert window.health_line.state == FAILING
        assert "Error" not in line and "Errno" not in line
        assert window.snapshot is not None  # the last good version stays on screen

        server = FeedServer(JUNE, fmt="native", speed=SPEED, clock=step, port=port).start()
        try:
            qtbot.waitUntil(lambda: _badge(window) == LIVE, timeout=WAIT_MS)
            assert window.health_line.state == LIVE and "failing" not in window.health_line.text()
        finally:
            window.stop_feed()
            window.worker.wait_feed_stopped(WAIT_MS)
            server.stop()
    assert _badge(window) == STOPPED


def test_a_feed_armed_before_it_is_up_keeps_retrying_and_opens(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    reusable_feed_servers(monkeypatch)
    errors_seen: list[str] = []
    window.error_reported.connect(errors_seen.append)
    with held_port() as port:  # refused until the feed comes up on it; no other process's meanwhile
        url = f"http://127.0.0.1:{port}/feed.json"
        window.open_feed(url, interval=0.05)
        qtbot.waitUntil(lambda: _badge(window) == FAILING, timeout=WAIT_MS)
        assert window.feed_status.isVisibleTo(window) and window.health_line.isVisibleTo(window)
        assert "the server refused the connection" in window.health_line.text()
        assert "Waiting for the feed" in window.status_text()
        assert errors_seen == []  # not an error that ends it: it keeps trying
        step = StepClock(JUNE)
        with FeedServer(JUNE, fmt="native", speed=SPEED, clock=step, port=port) as server:
            assert server.url.startswith(f"http://127.0.0.1:{port}")
            qtbot.waitUntil(lambda: window.live and window.snapshot is not None, timeout=WAIT_MS)
            qtbot.waitUntil(lambda: _badge(window) == LIVE, timeout=WAIT_MS)
            window.stop_feed()
            assert window.worker.wait_feed_stopped(WAIT_MS)
    assert errors_seen == []


NOW = dt.datetime(2017, 6, 21, 2, 0, tzinfo=dt.UTC)


def _health(**kwargs: object) -> FeedHealth:
    return FeedHealth(url="http://x/feed.json", kind="native", **kwargs)  # type: ignore[arg-type]


def test_the_states_in_order_of_urgency() -> None:
    fresh = _health(last_new_at=NOW - dt.timedelta(minutes=4), last_version="7")
    assert health_state(fresh, NOW, following=True, running=True) == LIVE
    assert health_state(fresh, NOW, following=False, running=True) == BEHIND
    old = _health(last_new_at=NOW - dt.timedelta(minutes=25))
    assert health_state(old, NOW, following=True, running=True) == STALE
    assert health_state(old, NOW, following=True, running=True, stale_after=dt.timedelta(hours=1)) == LIVE
    refused = _health(last_new_at=NOW - dt.timedelta(minutes=4), error=errors.REFUSED, failures=1)
    assert health_state(refused, NOW, following=True, running=True) == FAILING
    assert health_state(refused, NOW, following=False, running=True) == FAILING
    offline = _health(error=errors.NOT_FOUND, failures=3)
    assert health_state(offline, NOW, following=True, running=True) == OFFLINE
    assert health_state(offline, NOW, following=True, running=False) == STOPPED
    assert health_state(None, NOW, following=True, running=False) == STOPPED


def test_the_header_line_says_it_in_words() -> None:
    refused = _health(
        last_new_at=NOW - dt.timedelta(minutes=4),
        error=errors.REFUSED,
        failures=2,
        next_poll_at=NOW + dt.timedelta(seconds=8),
    )
    assert header_line(refused, NOW, following=True, running=True) == (
        "last new version 4 min ago · feed failing: the server refused the connection · retrying in 8 s"
    )
    old = _health(last_new_at=NOW - dt.timedelta(minutes=25))
    assert header_line(old, NOW, following=True, running=True).startswith(
        "last new version 25 min ago · feed stale"
    )
    offline = _health(error=errors.UNREACHABLE)
    assert header_line(offline, NOW, following=True, running=True).startswith("no version yet · offline: ")
