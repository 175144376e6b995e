"""A night imported from files with no time of their own (North Carolina's results file saved
twice) is placed in file order, one minute apart from 2000-01-01: the window showed that made-up
time as its clock ("00:00 UTC") and on the replay bar ("00:00" to "00:12"). It now says the files
have no times, and the replay bar counts versions ("v 1" to "v 13")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tracker.archive.importer import import_payloads
from tracker.ui.main_window import MainWindow
from tracker.ui.race_list import COL_CHANGED, COL_NAME

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


def test_the_replay_bar_of_a_night_in_file_order_counts_versions(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    """Allegheny 2022 HD30's thirteen files saved under names without their times (01.csv …): the
    bar read "00:00" to "00:12", times nobody recorded; it reads "v 1" to "v 13"."""
    folder = tmp_path / "saved"
    folder.mkdir()
    sources = sorted((shared_data / "nights" / "allegheny-2022" / "HD30").glob("*.csv"))
    for i, source in enumerate(sources, start=1):
        shutil.copy(source, folder / f"{i:02d}.csv")
    night = tmp_path / "untimed.night"
    import_payloads([folder], out=night)
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(night)
    bar = window.replay_bar
    assert (bar.texts()["start"], bar.texts()["end"]) == ("v 1", f"v {len(sources)}") == ("v 1", "v 13")
    bar.go_start()
    assert bar.texts()["now"] == "v 1"
    bar.next_update()
    assert bar.texts()["now"] == "v 2"
    bar.go_end()
    assert bar.texts()["now"] == "v 13"
    assert not any(":" in bar.texts()[k] for k in ("start", "now", "end"))
    # the chart over the night counts versions too, and the race list says in which one a race changed
    labels = window.timeline_view.axis_labels()
    assert labels and all(label.startswith("v ") for label in labels), labels
    model = window.race_model
    changed = str(model.data(model.index(0, COL_CHANGED)))
    assert changed.lstrip("≤").startswith("v ") and ":" not in changed
    tip = str(model.data(model.index(0, COL_NAME), Qt.ItemDataRole.ToolTipRole))
    assert "version" in tip and "2000-01-01" not in tip
    # with no clock to type, a version is typed instead ("Go to time…", Ctrl+G)
    assert window.navigation.go_to("v 5") is not None
    assert bar.texts()["now"] == "v 5"
    assert window.navigation.go_to("v 14") is None
    assert "versions 1 to 13" in window.statusBar().currentMessage()


def test_a_night_with_times_keeps_its_clock(qtbot: QtBot, window: MainWindow, bundled_night: Path) -> None:
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(bundled_night, at="22:40")
    assert window._status_clock.text().startswith("22:40")
    assert window.replay_bar.texts()["now"] == "22:40"


def test_the_exports_of_a_night_in_file_order_give_no_made_up_time(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    """The eighth doc walk: the window's CSV said the version "appeared 1999-12-31 19:00:00 EST"
    and the picture's caption gave the same placeholder; both now say the files have no times."""
    (source,) = (shared_data / "nc-sbe").glob("*.json")
    night = tmp_path / "untimed.night"
    import_payloads([source], out=night)
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(night)
    race = window.exports._race()
    assert race is not None
    caption = "\n".join(race.caption())
    assert "the files have no times" in caption
    assert "1999" not in caption and "2000-01-01" not in caption
    from tracker.ui.exports import write_race_csv

    out = tmp_path / "race.csv"
    write_race_csv(race, out)
    head = "".join(line for line in out.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
    assert "have no times" in head and "appeared" not in head
    assert "1999" not in head and "2000-01-01" not in head
