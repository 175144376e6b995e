"""The main window on the real bundled GA-06 night (and on a synthetic night where a test needs a
night whose every number it knows), plus ``run_gui``'s screenshot mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES

from tracker.store import Store
from tracker.ui.main_window import MainWindow
from tracker.ui.race_list import COL_NAME, COL_PIN

pytestmark = pytest.mark.gui

HOUSE = "U.S. Representative, District 6"
SENATE = "State Senator, District 32"

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tracker_home: Path) -> Iterator[WindowFactory]:
    """Windows on a fresh TRACKER_HOME (their store and QSettings), never modal, closed at the end."""
    made: list[MainWindow] = []

    def make(**kwargs: object) -> MainWindow:
        kwargs.setdefault("interactive", False)
        window = MainWindow(**kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def _open(qtbot: QtBot, window: MainWindow, night: Path, **options: object) -> None:
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(night, **options)  # type: ignore[arg-type]


def _ossoff_text(window: MainWindow) -> str:
    texts = window.race_view.texts()
    (key,) = [k for k in texts if "OSSOFF" in k.upper()]
    return texts[key]


# real bundled night ----------------------------------------------------------------------------------
def test_bundled_night_at_its_end_shows_the_certified_result(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, bundled_night, at_end=True)
    assert window.night is not None and window.night.reconstructed
    assert window.race_view.header_texts()["title"] == HOUSE  # the race with the most votes
    assert window.race_view.header_texts()["reporting"] == (
        "Precincts reporting 208 of 208 · 192,569 votes counted"
    )
    ossoff = _ossoff_text(window)
    assert "48.1 %" in ossoff and "92,673" in ossoff
    assert window.race_view.threshold_position() == 50
    n = len(window.night.versions)
    assert f"version {n} of {n}" in window.status_text()


def test_bundled_night_is_labelled_reconstructed(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, bundled_night, at_end=True)
    assert "reconstructed" in window.status_text()
    assert window.banner.isVisibleTo(window)
    assert "reconstructed from certified precinct results — not the original feed" in window.banner.text()
    tz = window.status_text().split(" | ")[1].split()[-1]
    assert tz in ("EDT", "EST")


def test_a_reconstructed_night_is_labelled_with_its_own_note(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    """A night that says what it is (a synthetic or *built* one) is labelled with its own note, not
    with the bundled nights' "from certified precinct results", which would be untrue of it."""
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    assert "synthetic, for the window's tests" in window.banner.text()
    assert "certified" not in window.banner.text()


def test_one_race_is_counted_as_one_race(qtbot: QtBot, make_window: WindowFactory) -> None:
    from tracker import paths

    window = make_window()
    _open(qtbot, window, paths.resources_dir() / "nights" / "ga06-2017-06-20.night", at_end=True)
    assert window.race_model.rowCount() == 1
    assert window.race_table.parentWidget().count.text() == "1 race"


def test_the_default_window_still_says_what_the_leader_needs(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    """At the default size, beside the wide race list, the leader's bar still says what share of
    the outstanding vote he needs at 22:40 (the shortest phrase, when the full one does not fit):
    that is the question of the night, never dropped for lack of room."""
    from tracker.ui.main_window import DEFAULT_SIZE

    window = make_window()
    window.resize(*DEFAULT_SIZE)
    window.show()
    _open(qtbot, window, bundled_night, at="22:40", contest=HOUSE)
    qtbot.waitUntil(lambda: "needs" in _ossoff_text(window), timeout=15_000)
    assert "out of reach" in window.race_view.texts()["KAREN HANDEL"]


def test_bundled_night_lists_both_races_and_search_filters(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, bundled_night, at_end=True)
    proxy = window.race_proxy
    names = sorted(proxy.index(r, COL_NAME).data() for r in range(proxy.rowCount()))
    assert names == sorted([HOUSE, SENATE])
    qtbot.keyClicks(window.search_box, "senator")
    assert [proxy.index(r, COL_NAME).data() for r in range(proxy.rowCount())] == [SENATE]


def test_scrubbing_the_bundled_night_changes_the_count(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, bundled_night, at="22:40")
    early = window.race_view.header_texts()["reporting"]
    assert "of 208" in early and early != "Precincts reporting 208 of 208 · 192,569 votes counted"
    assert "22:40" in window.status_text()
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.replay_bar.seek_fraction(1.0)
    assert "208 of 208" in window.race_view.header_texts()["reporting"]


# synthetic night -------------------------------------------------------------------------------------
def test_next_update_shows_the_next_version(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, synthetic_night)  # interactive default: the start of the night
    assert window.replay_bar.position() == SYNTHETIC_TIMES[0]
    assert window.race_view.header_texts()["title"] == "Synthetic Mayor"
    assert window.race_view.header_texts()["reporting"].startswith("Precincts reporting 1 of 4")
    items = window.race_view.plot_items()
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        window.replay_bar.next_update()
    assert window.replay_bar.position() == SYNTHETIC_TIMES[1]
    assert window.race_view.header_texts()["reporting"].startswith("Precincts reporting 3 of 4")
    assert "version 2 of 3" in window.status_text()
    assert all(a is b for a, b in zip(window.race_view.plot_items(), items, strict=True))


def test_clicking_the_star_pins_persists_and_sorts_first(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    window = make_window()
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    _open(qtbot, window, synthetic_night, at_end=True)
    proxy, table = window.race_proxy, window.race_table
    assert proxy.index(0, COL_NAME).data() == "Synthetic Council District 1"  # by name
    mayor_row = 1
    rect = table.visualRect(proxy.index(mayor_row, COL_PIN))
    with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert proxy.index(0, COL_NAME).data() == "Synthetic Mayor"  # pinned first
    assert proxy.index(0, COL_PIN).data() == "★"
    with Store() as store:
        assert store.pins("synthetic-2024-11-05") == {"mayor"}

    # Next launch: the pin comes back and the first pinned race is selected.
    window.close()
    again = make_window()
    _open(qtbot, again, synthetic_night, at_end=True)
    assert again.race_model.is_pinned("mayor")
    assert again.selected_contest == "mayor"


def test_first_pinned_race_is_the_default(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path, tracker_home: Path
) -> None:
    with Store() as store:
        store.pin("synthetic-2024-11-05", "council-1", "Synthetic Council District 1")
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    assert window.selected_contest == "council-1"
    assert window.race_view.header_texts()["title"] == "Synthetic Council District 1"


def test_contest_option_selects_by_id_or_name(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True, contest="council")
    assert window.selected_contest == "council-1"


def test_geometry_and_splitter_come_back(qtbot: QtBot, make_window: WindowFactory) -> None:
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    first.resize(720, 520)  # smaller than the offscreen screen (800x600), so nothing clamps it
    first.splitter.setSizes([180, 520])
    qtbot.wait(20)
    sizes = first.splitter.sizes()
    first.close()

    second = make_window()
    assert (second.width(), second.height()) == (720, 520)
    second.show()
    qtbot.waitExposed(second)
    assert second.splitter.sizes() == sizes


def test_docks_come_back_where_the_user_left_them(qtbot: QtBot, make_window: WindowFactory) -> None:
    """The pinned overview, the logs and the drill-down keep their places across restarts; the
    drill-down, made on first use, goes back to its place when it is made."""
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    first.projection_log.show()
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first.alert_log.dock)
    first.alert_log.dock.show()
    drill = first.drilldown
    drill.show()  # first use: docked below, or its own window when the window is short
    drill.setFloating(False)  # the user docks it on the left
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, drill)
    qtbot.wait(20)
    first.close()

    second = make_window()
    second.show()
    qtbot.waitExposed(second)
    assert not second.projection_log.isHidden()
    assert second.dockWidgetArea(second.alert_log.dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not second.alert_log.dock.isHidden()
    drill = second.drilldown
    assert drill.isHidden(), "the drill-down opens when asked for"
    second.actions_by_name["drilldown"].trigger()
    assert not drill.isHidden()
    assert not drill.isFloating(), "the first-use placement overrode the user's"
    assert second.dockWidgetArea(drill) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_default_size_on_first_run(make_window: WindowFactory) -> None:
    """1200×760, within the screen's available area (the offscreen screen is 800 px wide)."""
    from PySide6.QtCore import QSize

    from tracker.ui.window_fit import clamped

    window = make_window()
    available = window.screen().availableGeometry()
    expected = clamped(QSize(1200, 760), available)
    assert (window.width(), window.height()) == (expected.width(), expected.height())
    assert window.width() <= available.width() and window.height() <= available.height()


def test_bad_night_file_is_one_message_not_a_crash(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, synthetic_night: Path
) -> None:
    window = make_window()
    bogus = tmp_path / "broken.night"
    bogus.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with qtbot.waitSignal(window.error_reported, timeout=10_000) as error:
        window.open_night(bogus)
    assert "broken.night" in error.args[0]
    assert "broken.night" in window.status_text()
    _open(qtbot, window, synthetic_night, at_end=True)  # and the window still works
    assert window.race_view.header_texts()["title"] == "Synthetic Mayor"


# run_gui -----------------------------------------------------------------------------------------------
def test_screenshot_of_the_bundled_night(
    tmp_path: Path, tracker_home: Path, bundled_night: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from tracker.ui.app import run_gui

    out = tmp_path / "ui.png"
    assert run_gui(bundled_night, screenshot=out) == 0
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 760)
    assert image.pixelColor(QPoint(600, 380)).isValid()


def test_screenshot_of_a_bad_night_exits_2_with_one_line(
    tmp_path: Path, tracker_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from tracker.ui.app import run_gui

    out = tmp_path / "ui.png"
    assert run_gui(tmp_path / "missing.night", screenshot=out) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.night" in err[0]
    assert not out.exists()


def test_screenshot_with_a_bad_time_exits_2(
    tmp_path: Path, tracker_home: Path, synthetic_night: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from tracker.ui.app import run_gui

    assert run_gui(synthetic_night, at="25:99", screenshot=tmp_path / "ui.png") == 2
    assert "HH:MM" in capfd.readouterr().err


def test_interactive_run_shows_the_start_of_the_night(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    """run_gui without a screenshot shows the window and runs the event loop until it closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tracker.ui.app import run_gui

    seen: list[str] = []

    def close_when_drawn() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if len(windows) == 1 and windows[0].shown_version is not None:
            seen.append(windows[0].status_text())
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_drawn)

    QTimer.singleShot(20, close_when_drawn)
    assert run_gui(synthetic_night, speed=300) == 0
    assert seen and "19:00" in seen[0] and "version 1 of 3" in seen[0]
    assert (tracker_home / "window.ini").is_file()  # the layout was saved on close


def test_june_runoff_night_ends_with_the_winner_over_the_line(
    qtbot: QtBot, make_window: WindowFactory, bundled_night: Path
) -> None:
    """Real (reconstructed): the 20 June runoff's certified result. The loser is "final", not
    "runoff" -- this night is the runoff."""
    june = bundled_night.with_name("ga06-2017-06-20.night")
    window = make_window()
    _open(qtbot, window, june, at_end=True)
    texts = window.race_view.texts()
    (handel,) = [t for k, t in texts.items() if "HANDEL" in k.upper()]
    assert handel == "51.8 % · 134,799 · over 50 % · final"
    assert _ossoff_text(window) == "48.2 % · 125,517 · final"
    assert window.race_view.header_texts()["outstanding"].endswith("Karen Handel is over 50 %")
