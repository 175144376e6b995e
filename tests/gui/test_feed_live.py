"""Open feed… end to end: the real window, the real worker and poller, a real loopback server.

``FeedServer`` serves the bundled (reconstructed) nights with the real URL layout of Clarity or of
the native format; its replay clock is a :class:`StepClock` the test moves, so each new version is
released exactly when the test wants it and the window must show it within the poll interval.
Everything stays on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_server import StepClock
from loopback_ports import refused_port
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from stale_cache import write_stale_cache_night

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.serve import FeedServer
from tracker.feeds.poller import FeedHealth
from tracker.feeds.registry import CLARITY_DETAIL_ZIP, CLARITY_SUMMARY_JSON
from tracker.ui.feed_dialog import FeedDialog
from tracker.ui.feed_status import format_age, health_texts
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
SPEED = 1000.0
WAIT_MS = 90_000  # a bound, not a timing: it costs time only when something is broken


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()  # at the size it makes itself


def _versions(window: MainWindow) -> int:
    return len(window.night.versions) if window.night is not None else 0


def test_clarity_link_opened_live_follows_new_versions_scrubs_back_and_goes_live(
    qtbot: QtBot, window: MainWindow, tracker_home: Path
) -> None:
    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        # what a user would paste: the election's results page, deep link and all
        pasted = f"{server.url}web.264614/#/summary"
        dialog = FeedDialog(recent=[], interval=30, env={})
        qtbot.addWidget(dialog)
        dialog.url_edit.setText(pasted)
        assert dialog.open_enabled() and dialog.detected_text().startswith("Clarity election")
        dialog.interval_box.setValue(0.5)
        request = dialog.request()
        assert request is not None and request.interval == 0.5
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(request.url, interval=0.05, kind=request.kind)  # below the dialog's floor
        assert window.live and window.following_live and _versions(window) == 1
        assert window.shown_version == 0
        assert "Live:" in window.status_text()
        # the served night is reconstructed: it stays labelled so when it arrives as a live feed
        assert window.banner.isVisibleTo(window) and "Reconstructed night" in window.banner.text()
        qtbot.waitUntil(lambda: window.feed_status.texts()["badge"] == "LIVE", timeout=WAIT_MS)

        for i in (1, 2, 3):
            step.release(i)
            qtbot.waitUntil(
                lambda i=i: _versions(window) == i + 1 and window.shown_version == i, timeout=WAIT_MS
            )
        texts = window.feed_status.texts()
        assert "new version" in texts["text"] and "next poll" in texts["text"]
        assert texts["go_live_enabled"] == "False"

        # scrub back to the first version: the window stays there while the feed moves on
        window.replay_bar.seek(window.night.times[0])
        qtbot.waitUntil(lambda: window.shown_version == 0, timeout=WAIT_MS)
        assert not window.following_live
        assert window.feed_status.texts()["badge"] == "BEHIND LIVE"
        step.release(4)
        qtbot.waitUntil(lambda: _versions(window) == 5, timeout=WAIT_MS)
        qtbot.wait(100)
        assert window.shown_version == 0  # not yanked back to live

        # one click back to live
        qtbot.mouseClick(window.feed_status.go_live_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.shown_version == 4, timeout=WAIT_MS)
        assert window.following_live and window.feed_status.texts()["badge"] == "LIVE"

        # what is on screen is the served version's totals
        recording = window.night.path
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
    assert recording.parent == tracker_home / "nights" and recording.suffix == ".night"
    with NightFile.open(JUNE) as source:
        expected = source.snapshot(source.versions()[4])
    shown = window.snapshot
    assert shown is not None
    assert [c.totals for c in shown.contests] == [c.totals for c in expected.contests]


def test_native_feed_error_is_shown_with_its_backoff(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(APRIL)
    server = FeedServer(APRIL, fmt="native", speed=SPEED, clock=step).start()
    try:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        assert window.live
    finally:
        server.stop()  # the feed goes away mid-night
    qtbot.waitUntil(lambda: "error:" in window.feed_status.texts()["error"], timeout=WAIT_MS)
    error = window.feed_status.texts()["error"]
    assert "backing off" in error
    assert window.shown_version == 0 and window.snapshot is not None  # the last good version stays


def test_an_address_that_is_not_a_feed_gets_one_clear_sentence(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(APRIL)
    with (
        FeedServer(APRIL, fmt="native", speed=SPEED, clock=step) as server,
        qtbot.waitSignal(window.error_reported, timeout=WAIT_MS) as blocker,
    ):
        window.open_feed(server.base_url + "/", interval=0.05)  # an HTML page, not results
    message = blocker.args[0]
    assert "not a feed the tracker can read" in message and "\n" not in message
    assert not window.live
    assert not list((paths.data_dir() / "nights").glob("*.night"))  # no empty recording left behind


def test_recent_feeds_come_back_in_the_dialog(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="native", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        qtbot.waitUntil(lambda: server.url in window._recent_feeds, timeout=WAIT_MS)
        window.stop_feed()
    dialog = FeedDialog(recent=window._recent_feeds, env={})
    qtbot.addWidget(dialog)
    assert dialog.recent_list.count() >= 1
    dialog.recent_list.itemClicked.emit(dialog.recent_list.item(0))
    assert dialog.url_edit.text() == server.url and dialog.open_enabled()


def test_dialog_says_what_it_makes_of_an_address(qtbot: QtBot) -> None:
    dialog = FeedDialog(env={})
    qtbot.addWidget(dialog)
    assert not dialog.open_enabled()
    dialog.url_edit.setText("ftp://example.org/results")
    assert not dialog.open_enabled() and "not a web address" in dialog.detected_text()
    dialog.url_edit.setText("https://results.enr.clarityelections.com/GA/Fulton/63992/web.264614/#/summary")
    assert dialog.open_enabled() and "Fulton County, GA" in dialog.detected_text()
    dialog.url_edit.setText("https://api.ap.org/v2/elections/2016-11-08?level=ru")
    assert not dialog.open_enabled() and "API key" in dialog.detected_text()
    assert dialog.key_edit.isVisibleTo(dialog)
    dialog.key_edit.setText("typed-key")
    assert dialog.open_enabled()
    request = dialog.request()
    assert request is not None and request.api_key == "typed-key" and "typed-key" not in repr(request)
    assert "typed-key" not in dialog.detected_text()


def test_health_texts() -> None:
    now = dt.datetime(2017, 4, 19, 2, 0, 0, tzinfo=dt.UTC)
    health = FeedHealth(
        url="http://x/feed.json",
        kind="native",
        last_new_at=now - dt.timedelta(seconds=125),
        last_version="42",
        next_poll_at=now + dt.timedelta(seconds=12),
    )
    texts = health_texts(health, now, following=True, running=True)
    assert texts["state"] == "LIVE" and texts["new"] == "new version 42, 2 min ago"
    assert texts["poll"] == "next poll in 12 s" and texts["error"] == ""
    behind = health_texts(health, now, following=False, running=True)
    assert behind["state"] == "BEHIND LIVE"
    failing = FeedHealth(url="u", kind="native", error="HTTP 503 Service Unavailable", backoff=40, failures=3)
    texts = health_texts(failing, now, following=False, running=True)
    assert texts["state"] == "FAILING"  # whatever the view: the feed's health comes first
    assert texts["error"] == "error: HTTP 503 Service Unavailable, 3 in a row · backing off 40 s"
    assert health_texts(failing, now, following=True, running=False)["state"] == "STOPPED"
    assert [format_age(s) for s in (2, 42, 600, 3900)] == [
        "just now",
        "42 s ago",
        "10 min ago",
        "1 h 05 min ago",
    ]


def _stale_night(path: Path) -> list[str]:
    return write_stale_cache_night(path, first=40)


def test_a_stale_cache_never_makes_the_window_go_back_in_time(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    order = _stale_night(tmp_path / "stale.night")
    step = StepClock(tmp_path / "stale.night")
    shown: list[str] = []
    window.drawn.connect(lambda: shown.append(window.snapshot.payload_id) if window.snapshot else None)
    with FeedServer(tmp_path / "stale.night", fmt="native", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        for i, expected_versions in ((1, 2), (2, 3)):
            step.release(i)
            qtbot.waitUntil(lambda n=expected_versions: _versions(window) == n, timeout=WAIT_MS)
        step.release(3)  # the stale copy of v2
        qtbot.waitUntil(
            lambda: "1 stale version ignored" in window.feed_status.texts()["text"], timeout=WAIT_MS
        )
        step.release(4)  # v3 again: nothing new
        step.release(5)  # v4
        qtbot.waitUntil(lambda: _versions(window) == 4 and window.shown_version == 3, timeout=WAIT_MS)
        recording = window.night.path
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
    assert shown[-1] == order[5]
    firsts = list(dict.fromkeys(shown))  # what was on screen, in order, repeats removed
    assert firsts == [order[0], order[1], order[2], order[5]]  # never back to v2
    with NightFile.open(recording) as rec:  # the stale payload is kept in the file
        kept = [v.sha256 for v in rec.versions()]
        assert kept[:4] == order[:4] and kept[-1] == order[5]  # (v3 again may fall between two polls)


def test_an_unreachable_or_failing_address_says_which(qtbot: QtBot, window: MainWindow) -> None:
    with refused_port() as port:  # held, never listening: refused, and nobody else's meanwhile
        # Nothing there yet: the feed is armed and keeps retrying (tests/gui/test_feed_health.py),
        # saying why in words; Stop gives up.
        window.open_feed(f"http://127.0.0.1:{port}/feed.json", interval=0.05)
        qtbot.waitUntil(lambda: window.feed_status.texts()["badge"] == "FAILING", timeout=WAIT_MS)
        assert "the server refused the connection" in window.health_line.text()
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
    assert not window.feed_status.isVisibleTo(window)
    step = StepClock(APRIL)
    with (
        FeedServer(APRIL, fmt="native", speed=SPEED, clock=step) as server,
        qtbot.waitSignal(window.error_reported, timeout=WAIT_MS) as blocker,
    ):
        window.open_feed(server.base_url + "/GA/12345/", interval=0.05)  # no Clarity election there
    assert "answered HTTP 404" in blocker.args[0]


def test_a_failed_second_feed_leaves_the_first_recording_on_screen_stopped(
    qtbot: QtBot, window: MainWindow
) -> None:
    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="native", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        first = window.night
        with qtbot.waitSignal(window.error_reported, timeout=WAIT_MS):
            window.open_feed(server.base_url + "/nothing-here.json", interval=0.05)
    assert window.night is first and window.snapshot is not None  # still on screen
    assert window.feed_status.texts()["badge"] == "STOPPED"
    assert "Connecting" not in window.status_text() and "answered HTTP 404" in window.status_text()


def test_file_menu_open_feed_and_recent_feeds(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.ui import feed_dialog

    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        asked: list[list[str]] = []

        def fake_ask(parent: object, *, recent: list[str], interval: float = 30.0) -> feed_dialog.FeedRequest:
            asked.append(list(recent))
            return feed_dialog.FeedRequest(url=server.url, kind=None, interval=0.05)

        monkeypatch.setattr(feed_dialog, "ask_for_feed", fake_ask)
        actions = {a.text().replace("&", ""): a for a in window.menuBar().actions()[0].menu().actions()}
        assert "Open feed…" in actions and "Recent feeds" in actions
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            actions["Open feed…"].trigger()
        assert window.live and asked == [[]]
        qtbot.waitUntil(lambda: server.url in window._recent_feeds, timeout=WAIT_MS)
        recent_menu = actions["Recent feeds"].menu()
        recent_menu.aboutToShow.emit()
        assert [a.text() for a in recent_menu.actions()] == [server.url]
        assert actions["Stop polling the feed"].isEnabled()
        actions["Stop polling the feed"].trigger()
        assert window.feed_status.texts()["badge"] == "STOPPED"


def test_ap_test_mode_is_labelled_test_and_the_label_goes_with_real_results(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    """Real AP payloads: AP's fake election (``"test": true``, made-up numbers) then a real result
    (Alaska 2012, ``"test": false``), served live as AP JSON: the first is labelled TEST above the
    race, in the title and the status bar; the label goes with the real one."""
    from tracker.feeds.registry import detect_format

    night_path = tmp_path / "ap.night"
    start = dt.datetime(2016, 11, 8, 23, 0, tzinfo=dt.UTC)
    with NightFile.create(night_path, kind="recorded", label="AP test mode, then real results") as night:
        for i, name in enumerate(("newsdev-elex_00000000_fake.json", "newsdev-elex_20121106_ak_prez.json")):
            data = (shared_data / "ap" / name).read_bytes()
            night.add_payload(
                data, fetched_at=start + dt.timedelta(minutes=i), fmt=detect_format(data), url=name
            )
    step = StepClock(night_path)
    with FeedServer(night_path, fmt="native", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        assert window.test_banner.isVisibleTo(window) and "TEST DATA" in window.test_banner.text()
        assert window.windowTitle().startswith("[TEST] ") and "TEST DATA" in window.status_text()
        step.release(1)
        qtbot.waitUntil(lambda: window.shown_version == 1, timeout=WAIT_MS)
        assert not window.test_banner.isVisibleTo(window)
        assert not window.windowTitle().startswith("[TEST]") and "TEST DATA" not in window.status_text()
        window.stop_feed()


def test_the_recording_replays_what_was_shown_live(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(JUNE)
    live_totals = []
    with FeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05)
        live_totals.append([c.totals for c in window.snapshot.contests])
        for i in (1, 2, 3):
            step.release(i)
            qtbot.waitUntil(lambda i=i: window.shown_version == i, timeout=WAIT_MS)
            live_totals.append([c.totals for c in window.snapshot.contests])
        recording = window.night.path
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
    with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
        window.open_night(recording)  # closes the live night, opens its file as a recorded night
    assert not window.live and len(window.night.versions) == 4
    replayed = []
    for when in window.night.times:
        window.replay_bar.seek(when)
        qtbot.waitUntil(
            lambda w=when: window.snapshot is not None and window.snapshot.fetched_at == w, timeout=WAIT_MS
        )
        replayed.append([c.totals for c in window.snapshot.contests])
    assert replayed == live_totals


# Clarity's summary.json fast path in the real window: a new version's summary is drawn (in the
# detail's names, the reconstructed night still labelled, the served numbers), then its detail.
def test_the_window_draws_a_summary_then_its_detail(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step, summary=True) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05, kind="clarity")
        first = window.snapshot
        assert first is not None
        step.release(1)
        qtbot.waitUntil(lambda: _versions(window) == 3, timeout=WAIT_MS)
        assert [v.fmt for v in window.night.versions] == [
            CLARITY_DETAIL_ZIP,
            CLARITY_SUMMARY_JSON,
            CLARITY_DETAIL_ZIP,
        ]
        # the summary's version, as the window reads it back: the detail's names and election
        window.replay_bar.seek(window.night.times[1])
        qtbot.waitUntil(lambda: window.shown_version == 1, timeout=WAIT_MS)
        fast = window.snapshot
        assert fast is not None and fast.election == first.election
        assert [[c.id for c in x.candidates] for x in fast.contests] == [
            [c.id for c in x.candidates] for x in first.contests
        ]
        assert "Reconstructed night" in window.banner.text()
        ver = server.clarity_ver(1)
        served = server.route(f"{server.clarity_prefix}{ver}/json/en/summary.json")
        assert served is not None
        rows = {row["C"]: dict(zip(row["CH"], row["V"], strict=True)) for row in json.loads(served.body)}
        assert {c.name: {k.name: c.totals[k.id] for k in c.candidates} for c in fast.contests} == rows
        window.stop_feed()
        assert window.worker.wait_feed_stopped(WAIT_MS)
