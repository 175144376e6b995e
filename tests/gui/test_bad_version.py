"""One unreadable version is one error naming the night and the version; the rest of the night
stays viewable (issue 19, finding 8; was: the whole night refused, with a message naming neither).
The night is the synthetic one of the window's tests with its newest payload overwritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_a_night_whose_newest_version_is_damaged_opens_at_the_last_good_one(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    conn = sqlite3.connect(synthetic_night)
    (last,) = conn.execute("SELECT max(id) FROM payloads").fetchone()
    conn.execute("UPDATE payloads SET data = x'789c0000' WHERE id = ?", (last,))  # a zlib stream cut short
    conn.commit()
    conn.close()
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    errors: list[str] = []
    window.error_reported.connect(errors.append)
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(synthetic_night, at_end=True)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert errors[0].startswith(f"{synthetic_night.name}: version 3 of 3 cannot be read (")
    assert errors[0].endswith("; showing version 2")
    assert window.night is not None and window.snapshot is not None
    assert window.race_view.header_texts()["title"] == "Synthetic Mayor"
