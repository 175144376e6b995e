"""Clarity's summary.json fast path in the real window: a new version's summary is drawn (in the
detail's names, the reconstructed night still labelled) and its detail follows, over loopback
against ``serve --as clarity --summary``; the window reads both back from the night as shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_server import StepClock
from pytestqt.qtbot import QtBot

from tracker import paths
from tracker.archive.serve import FeedServer
from tracker.feeds.registry import CLARITY_DETAIL_ZIP, CLARITY_SUMMARY_JSON
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
WAIT_MS = 90_000  # a bound, not a timing


@pytest.fixture
def window(qtbot: QtBot, tracker_home: Path) -> Iterator[MainWindow]:
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    yield w
    w.close()


def test_the_window_draws_a_summary_then_its_detail(qtbot: QtBot, window: MainWindow) -> None:
    step = StepClock(JUNE)
    with FeedServer(JUNE, fmt="clarity", speed=1000.0, clock=step, summary=True) as server:
        with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
            window.open_feed(server.url, interval=0.05, kind="clarity")
        first = window.snapshot
        assert first is not None
        step.release(1)
        qtbot.waitUntil(lambda: len(window.night.versions) == 3, timeout=WAIT_MS)
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
