"""First run: the start page lists the bundled nights (labelled) and opens one on click; a night
or a real payload dropped on the window opens; Help ▸ About shows the version and the sources."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tracker import __version__
from tracker.archive.catalogue import bundled_nights, catalogue, import_dropped
from tracker.store import Store
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window(size=(1100, 700))


def _start_page(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.worker.catalogue_ready, timeout=10_000):
        window.first_run.show_start_page()
    assert window.first_run.showing_start_page


def test_catalogue_lists_the_bundled_nights_with_their_sources() -> None:
    nights = bundled_nights()
    names = [n.path.name for n in nights]
    assert names == ["ga06-2017-04-18.night", "ga06-2017-06-20.night"]
    april = nights[0]
    assert april.reconstructed and april.title == "GA-06 special election, 18 Apr 2017"
    urls = [s.url for s in april.sources if s.url]
    assert any("mjguidry/2017_GA06_special" in u and "Cobb" in u for u in urls)


def test_start_page_lists_bundled_nights_labelled_and_opens_one_on_click(
    qtbot: QtBot, window: MainWindow
) -> None:
    _start_page(qtbot, window)
    buttons = window.first_run.page.entries("bundled")
    assert [b.text() for b in buttons] == ["GA-06 special election, 18 Apr 2017", "GA-06 runoff, 20 Jun 2017"]
    assert all("Reconstructed" in b.description() for b in buttons)
    assert window.first_run.page.entries("nights") == []  # a fresh data folder: nothing recent
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    assert not window.first_run.showing_start_page
    assert window.night is not None and window.night.path.name == "ga06-2017-06-20.night"
    assert window.night.reconstructed and window.banner.isVisibleTo(window)


def test_start_page_lists_recent_nights_and_feeds(
    qtbot: QtBot, window: MainWindow, synthetic_night: Path
) -> None:
    with Store() as store:
        store.record_opened(str(synthetic_night), "night")
        store.record_opened("http://127.0.0.1:8000/feed.json", "feed")
    _start_page(qtbot, window)
    nights = window.first_run.page.entries("nights")
    assert len(nights) == 1 and nights[0].toolTip() == str(synthetic_night)
    assert [b.text() for b in window.first_run.page.entries("feeds")] == ["http://127.0.0.1:8000/feed.json"]
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        nights[0].click()
    assert window.night is not None and window.night.path == synthetic_night


def _drop(window: QWidget, path: Path) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        window.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(
        QPointF(window.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return enter.isAccepted() and drop.isAccepted()


def test_dropping_a_night_file_opens_it(qtbot: QtBot, window: MainWindow, bundled_night: Path) -> None:
    window.first_run.show_start_page()
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        assert _drop(window, bundled_night)
    assert window.night is not None and window.night.path == bundled_night
    assert not window.first_run.showing_start_page


def test_dropping_a_night_on_the_chart_opens_it_too(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, synthetic_night: Path
) -> None:
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(synthetic_night)
    viewport = window.race_view.plot_widget.viewport()
    assert viewport.acceptDrops()  # a graphics view takes drops itself: without the filter it refuses files
    with qtbot.waitSignal(window.night_opened, timeout=15_000):
        assert _drop(viewport, bundled_night)
    assert window.night is not None and window.night.path == bundled_night


def test_dropping_a_real_payload_imports_it_into_the_data_folder_and_opens_it(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tracker_home: Path
) -> None:
    payload = shared_data / "ap" / "newsdev-elex_20121106_ak_prez.json"
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        assert _drop(window, payload)
    assert window.night is not None
    assert window.night.path.parent.name == "nights" and tracker_home in window.night.path.parents
    assert window.night.path.name == "newsdev-elex_20121106_ak_prez.night"
    assert window.race_view.header_texts()["title"] == "AK President"
    assert "247,483 votes counted" in window.race_view.header_texts()["reporting"]


def test_dropping_a_file_in_no_known_format_says_so_and_imports_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, tracker_home: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not election results\n")
    with qtbot.waitSignal(window.error_reported, timeout=10_000) as blocker:
        assert _drop(window, junk)
    assert "notes.txt" in blocker.args[0] or "format" in blocker.args[0]
    assert window.night is None
    assert not list(tracker_home.rglob("*.night"))


def test_import_dropped_never_overwrites_a_night(shared_data: Path, tmp_path: Path) -> None:
    payload = tmp_path / "ak.json"
    shutil.copy(shared_data / "ap" / "newsdev-elex_20121106_ak_prez.json", payload)
    first = import_dropped(payload, tmp_path).path
    second = import_dropped(payload, tmp_path).path
    assert first.name == "ak.night" and second.name == "ak-2.night"


def test_a_folder_of_saved_versions_becomes_one_night(shared_data: Path, tmp_path: Path) -> None:
    """File ▸ Import results folder… (and a dropped folder): every file a version, in order; the
    folder read to the end, not refused as 'unreadable'."""
    from tracker.archive.night import NightFile

    folder = tmp_path / "ga-runoff"
    folder.mkdir()
    recording = shared_data / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    picked = sorted(p for p in recording.glob("*_ALL.json") if p.stat().st_size > 10_000)[:3]
    for p in picked:
        shutil.copy(p, folder / p.name)
    error_page = next(p for p in recording.glob("*_ALL.json") if p.read_bytes()[:1] == b"<")
    shutil.copy(error_page, folder / error_page.name)  # a scraper's folder holds its 404 pages too
    result = import_dropped(folder, tmp_path)
    night_path = result.path
    assert night_path.name == "ga-runoff.night"
    assert [name for name, _ in result.skipped] == [error_page.name]
    with NightFile.open(night_path) as night:
        assert len(night.versions()) == 3
        assert error_page.name in night.meta["skipped"] and night.meta["times"] == "file names"


def test_import_results_folder_is_in_the_file_menu_with_its_keys(window: MainWindow) -> None:
    action = window.navigation.import_folder_action
    assert action.shortcut().toString() == "Ctrl+Shift+I"
    assert action in window.menuBar().actions()[0].menu().actions()


def test_about_shows_the_version_licence_and_where_the_bundled_data_came_from(
    qtbot: QtBot, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.worker.catalogue_ready, timeout=10_000):
        dialog = window.first_run.show_about()
    text = dialog.text()
    assert f"Election Night Tracker {__version__}" in text
    assert "MIT" in text and "opensource.org" in text
    assert "GA-06 special election, 18 Apr 2017" in text and "reconstructed" in text
    assert "mjguidry/2017_GA06_special" in text  # April: the counties' certified detail XML
    assert "openelections/openelections-data-ga" in text  # June: OpenElections' precinct files
    dialog.close()


def test_catalogue_skips_recent_nights_that_are_gone(tmp_path: Path, tracker_home: Path) -> None:
    with Store() as store:
        store.record_opened(str(tmp_path / "gone.night"), "night")
        found = catalogue(store)
    assert found.recent_nights == ()
    assert len(found.bundled) == 2


def test_a_folder_with_error_pages_opens_and_says_what_was_left_out(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    """Real: three ALL.json versions and one saved HTML 404 page of the scraper's Georgia 2021
    folder. The window imports and opens the night, and says in one sentence which file was left
    out (it used to refuse the folder at the error page)."""
    folder = tmp_path / "ga-runoff"
    folder.mkdir()
    recording = shared_data / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    for p in sorted(p for p in recording.glob("*_ALL.json") if p.stat().st_size > 10_000)[:3]:
        shutil.copy(p, folder / p.name)
    error_page = next(p for p in recording.glob("*_ALL.json") if p.read_bytes()[:1] == b"<")
    shutil.copy(error_page, folder / error_page.name)
    said: list[str] = []
    window.error_reported.connect(said.append)
    with qtbot.waitSignal(window.worker.payload_imported, timeout=20_000):
        window.navigation.import_results(folder)
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [f"ga-runoff: 1 file that is not results was left out: {error_page.name}"]
