"""``election-tracker open URL`` in the real window, offscreen: the command line's feed path opens
the window on a live feed served on loopback (here Enhanced Voting and AP v3, the latter in AP's
documented shape: CONSTRUCTED, not AP data), and what the window shows is exactly what was served.
Every wait is bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fault_server import StepClock
from pytestqt.qtbot import QtBot

from tracker import paths
from tracker.archive.serve import FeedServer
from tracker.cli import classify_open, main
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
WAIT_MS = 90_000


def test_open_url_draws_the_feed_and_saves_the_window(tracker_home: Path, tmp_path: Path) -> None:
    with FeedServer(APRIL, fmt="ev", speed=1000.0, clock=lambda: 10.0) as server:
        out = tmp_path / "ev.png"
        assert classify_open(server.url) == ("feed", server.url)
        assert main(["open", server.url, "--interval", "0.2", "--screenshot", str(out)]) == 0
    assert out.stat().st_size > 10_000
    nights = list((tracker_home / "nights").glob("*.night")) if (tracker_home / "nights").exists() else []
    assert nights or list(tracker_home.rglob("*.night"))  # the feed was recorded, as the dialog's is


def test_window_on_a_constructed_ap_v3_feed_shows_the_served_numbers(
    qtbot: QtBot, tracker_home: Path
) -> None:
    step = StepClock(APRIL)
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    try:
        with FeedServer(APRIL, fmt="apv3", speed=1000.0, clock=step) as server:
            step.release(len(server.versions) - 1)
            with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
                window.open_feed(server.url, interval=0.05)
            assert window.live
            shown = window.snapshot
            assert shown is not None
            doc = json.loads(server.document(len(server.versions) - 1, "apv3").body)
            assert window.banner.isVisibleTo(window) and "Reconstructed" in window.banner.text()
            for race in doc["races"]:
                (state,) = [u for u in race["reportingUnits"] if u["reportingunitLevel"] == 1]
                contest = shown.contest(f"GA-{race['raceID']}")
                assert contest.totals == {c["candidateID"]: c["voteCount"] for c in state["candidates"]}
            window.stop_feed()
    finally:
        window.close()


def test_open_a_results_file_of_any_format(tracker_home: Path, shared_data: Path) -> None:
    export = shared_data / "ga-sos" / "2019-09-03_HD71_special.json"
    assert classify_open(str(export)) == ("payload", str(export))
    assert classify_open(str(APRIL)) == ("night", str(APRIL))
    with pytest.raises(Exception, match="no such file"):
        classify_open(str(tracker_home / "missing.json"))


def test_the_feed_dialog_says_what_it_found_for_the_new_feeds(qtbot: QtBot) -> None:
    from tracker.ui.feed_dialog import FeedDialog

    dialog = FeedDialog(recent=[], interval=30, env={})
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("https://results.sos.ga.gov/results/public/Georgia/elections/2024NovGen")
    assert dialog.open_enabled() and dialog.detected_text().startswith("Enhanced Voting results (Georgia")
    dialog.url_edit.setText("https://results.sos.ga.gov/cdn/results/Georgia/export-2024NovGen.json")
    assert dialog.detected_text().startswith("Georgia results-site export")


def test_the_race_view_shows_aps_call_as_aps(qtbot: QtBot) -> None:
    """A CONSTRUCTED AP v3 race with AP's call: the header says "AP called", names as plain text."""
    from dataclasses import replace

    from tracker.feeds.ap import parse_ap_v3
    from tracker.ui.race_view import RaceView

    data = (Path(__file__).parents[1] / "data" / "constructed_ap_v3_votetypes.json").read_bytes()
    snap = parse_ap_v3(data)
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 640)
    gov = snap.contest("CONSTRUCTED-20001")
    view.show_contest(gov)
    assert "AP called: Dana Example" in view.header_texts()["reporting"]
    tricky = replace(gov, candidates=tuple(replace(c, name="<i>Dana</i>") for c in gov.candidates))
    view.show_contest(tricky)
    assert "&lt;i&gt;Dana&lt;/i&gt;" in view.header_texts()["reporting"]
    view.show_contest(snap.contest("CONSTRUCTED-20002"))
    assert "AP: runoff between Flynn Example, Gray Sample" in view.header_texts()["reporting"]
