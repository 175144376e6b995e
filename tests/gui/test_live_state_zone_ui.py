"""The window on a live NIST feed of Wyoming's results shows Mountain time, as its import does.

Real: Wyoming's 2020 general as a NIST SP 1500-100 v2 report (PROVENANCE ``nist/``), imported
and served on loopback as ``nist``, an address that names no state. Every wait is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.archive.importer import import_payloads
from tracker.archive.serve import FeedServer
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

WAIT_MS = 90_000


def test_a_live_nist_feed_is_shown_in_its_states_zone(
    qtbot: QtBot, tracker_home: Path, shared_data: Path, tmp_path: Path
) -> None:
    night = tmp_path / "wy.night"
    import_payloads([shared_data / "nist" / "nist_v2_wy20g.xml"], out=night)
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    try:
        with FeedServer(night, fmt="nist", speed=1000.0, clock=lambda: 10.0) as server:
            with qtbot.waitSignal(window.drawn, timeout=WAIT_MS):
                window.open_feed(server.url, interval=0.2)
            assert window.live
            assert str(window.display_timezone()) == "America/Denver"
            window.stop_feed()
    finally:
        window.close()
