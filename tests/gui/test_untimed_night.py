"""A night imported from files with no time of their own (North Carolina's results file saved
twice) is placed in file order, one minute apart from 2000-01-01: the window showed that made-up
time as its clock ("00:00 UTC"). It now says the files have no times."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.archive.importer import import_payloads
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_a_night_in_file_order_shows_no_made_up_clock(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    (source,) = (shared_data / "nc-sbe").glob("*.json")
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in ("a.json", "b.json"):
        shutil.copy(source, folder / name)
    night = tmp_path / "untimed.night"
    import_payloads([folder], out=night)
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(night)
    assert window._status_clock.text() == "no times in the files: in file order"
    assert "00:00" not in window._status_clock.text()


def test_a_night_with_times_keeps_its_clock(qtbot: QtBot, window: MainWindow, bundled_night: Path) -> None:
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(bundled_night, at="22:40")
    assert window._status_clock.text().startswith("22:40")
