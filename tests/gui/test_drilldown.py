"""The drill-down dock (table model, proxy, vote-type mix chart) and File ▸ Export in the window, on
the real GA-06 data: the certified county files and the bundled (reconstructed) night."""

from __future__ import annotations

import csv
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetrics, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tracker.cli import main
from tracker.core.export import Level, contest_rows, vote_type_mix
from tracker.core.model import Snapshot
from tracker.ui.bar_texts import display_name
from tracker.ui.drilldown import (
    VOTE_TYPE_CHOICES,
    DrillDownModel,
    DrillDownProxy,
    SortRole,
    build_drill_data,
)
from tracker.ui.main_window import MainWindow
from tracker.ui.vote_mix import ALL_LABEL, VoteMixChart
from tracker.ui.workers import Worker

pytestmark = pytest.mark.gui

HOUSE = "U.S. Representative, District 6"
HOUSE_ID = "10"


def _house(snapshot: Snapshot):
    return next(c for c in snapshot.contests if c.name == HOUSE)


def _column(model: DrillDownModel, title: str) -> int:
    for col in range(model.columnCount()):
        if model.headerData(col, Qt.Orientation.Horizontal) == title:
            return col
    raise KeyError(title)


def _county_vote_types(path: Path) -> dict[str, dict[str, int]]:
    """A certified county file's own numbers: choice name -> vote type -> votes (plain lxml)."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    contest = next(c for c in tree.getroot().iter("Contest") if c.get("text") == HOUSE)
    return {
        ch.get("text"): {vt.get("name"): int(vt.get("votes")) for vt in ch.iter("VoteType")}
        for ch in contest.iter("Choice")
    }


# the model -------------------------------------------------------------------------------------------
def test_model_and_proxy_pass_qtmodeltester_at_both_levels(
    qtmodeltester: ModelTester, ga06_final: Snapshot
) -> None:
    house = _house(ga06_final)
    for level in Level:
        model = DrillDownModel()
        model.set_rows(contest_rows(house, level))
        qtmodeltester.check(model)
        proxy = DrillDownProxy()
        proxy.setSourceModel(model)
        proxy.sort(_column(model, "Total"), Qt.SortOrder.DescendingOrder)
        proxy.set_vote_type("election_day")
        qtmodeltester.check(proxy)
        model.set_rows(contest_rows(house, level, combine=True))  # another shape: a reset
        model.set_rows(None)
        assert model.rowCount() == 0


def test_county_rows_equal_the_certified_county_files(ga06_final: Snapshot, shared_data: Path) -> None:
    """Every county × vote type × candidate cell equals the county's own detail XML (VoteType@votes)."""
    model = DrillDownModel()
    model.set_rows(contest_rows(_house(ga06_final), Level.COUNTY))
    vt_col = _column(model, "Vote type")
    checked = 0
    for county in ("Cobb", "DeKalb", "Fulton"):
        feed = _county_vote_types(shared_data / "ga06-2017-04-18" / f"2017_{county}_detail.xml")
        for row in range(model.rowCount()):
            if model.index(row, 0).data() != county:
                continue
            vote_type = model.index(row, vt_col).data()
            for name, per_type in feed.items():
                cell = model.index(row, _column(model, display_name(name))).data()
                assert cell.split(" · ")[0] == f"{per_type[vote_type]:,}", (county, vote_type, name)
                checked += 1
    assert checked == 18 * (5 + 4 + 5)  # 18 candidates; DeKalb has one advance-voting bucket


def test_sorting_is_numeric_and_filters_narrow_the_rows(ga06_final: Snapshot) -> None:
    house = _house(ga06_final)
    model = DrillDownModel()
    model.set_rows(contest_rows(house, Level.UNIT))
    proxy = DrillDownProxy()
    proxy.setSourceModel(model)
    ossoff = _column(model, "Jon Ossoff")
    proxy.sort(ossoff, Qt.SortOrder.DescendingOrder)
    values = [proxy.index(r, ossoff).data(SortRole) for r in range(proxy.rowCount())]
    assert values == sorted(values, reverse=True)
    assert values[0] > 100 > values[-1]  # as text, "99" would sort above "774"
    proxy.set_vote_type("election_day")
    assert proxy.rowCount() == 208
    proxy.set_search("cobb")
    assert 0 < proxy.rowCount() == sum(1 for u in house.units if u.county == "Cobb")
    proxy.set_search("")
    proxy.set_vote_type(None)
    assert proxy.rowCount() == model.rowCount()


def test_a_new_version_with_the_same_rows_updates_in_place(qtbot: QtBot, bundled_night: Path) -> None:
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile
    from tracker.archive.recorder import current_versions

    with NightFile.open(bundled_night) as night:
        versions = current_versions(night.versions())
        chain = VersionChain(night, versions)
        late, later = chain.snapshot(70), chain.snapshot(72)
    model = DrillDownModel()
    model.set_rows(contest_rows(late.contest(HOUSE_ID), Level.COUNTY, combine=True))
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.set_rows(contest_rows(later.contest(HOUSE_ID), Level.COUNTY, combine=True))
    assert not resets


# the chart -------------------------------------------------------------------------------------------
def test_chart_shows_each_candidates_mix_and_reuses_its_items(qtbot: QtBot, ga06_final: Snapshot) -> None:
    chart = VoteMixChart()
    qtbot.addWidget(chart)
    house = _house(ga06_final)
    ranked = house.ranked()
    mix = vote_type_mix(house)
    chart.set_mix(house.name, ranked, mix)
    items = chart.plot_items()
    segments = chart.segments()
    assert next(iter(segments)) == ALL_LABEL
    ossoff = segments["Jon Ossoff"]
    assert sum(w for _, w in ossoff.values()) == pytest.approx(100.0)
    total = house.totals[ranked[0].id]
    for vtype, (_x0, width) in ossoff.items():
        assert width == pytest.approx(100.0 * mix[ranked[0].id][vtype] / total)
    # stacked: each segment starts where the one before ended
    starts = [x0 for x0, _ in ossoff.values()]
    widths = [w for _, w in ossoff.values()]
    assert starts[0] == 0 and starts[1:] == pytest.approx(list(itertools.accumulate(widths))[:-1])
    chart.set_mix(house.name, ranked[:3], mix)
    assert len(chart.rows()) == 4
    assert set(chart.plot_items()) >= set(items)  # same items, updated in place (text pool may grow)
    chart.set_mix(None, (), {})
    assert chart.rows() == []


# the dock in the window ------------------------------------------------------------------------------
@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window(size=(1400, 1000))


def _open(qtbot: QtBot, window: MainWindow, night: Path, at: str) -> None:
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(night, at=at)


def _wait_rows(qtbot: QtBot, window: MainWindow, version: int) -> None:
    def ready() -> None:
        data = window.drilldown.data
        assert data is not None and data.contest is window.snapshot.contest(window.selected_contest)
        assert window.shown_version == version

    qtbot.waitUntil(ready, timeout=15_000)


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.reader(lines))
    return rows[0], rows[1:]


def test_drill_down_in_the_window_shows_the_export_numbers(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, tmp_path: Path
) -> None:
    _open(qtbot, window, bundled_night, "22:40")
    assert window.drilldown.isHidden()
    window.drilldown.toggleViewAction().trigger()  # Race ▸ Drill down
    _wait_rows(qtbot, window, 40)
    dock = window.drilldown
    assert dock.level is Level.COUNTY
    assert "135 of 208 precincts in" in dock.status_text

    out = tmp_path / "cli.csv"
    assert (
        main(["export", str(bundled_night), "--contest", HOUSE_ID, "--at", "22:40", "--csv", str(out)]) == 0
    )
    header, data = _csv_rows(out)
    model = dock.model
    ossoff_col = _column(model, "Jon Ossoff")
    vt_col = _column(model, "Vote type")
    for row in range(model.rowCount()):
        county, vote_type = model.index(row, 0).data(), model.index(row, vt_col).data()
        expected = sum(
            int(line[header.index("JON OSSOFF")])
            for line in data
            if line[header.index("county")] == county and line[header.index("vote_type")] == vote_type
        )
        assert model.index(row, ossoff_col).data().split(" · ")[0] == f"{expected:,}", (county, vote_type)

    dock.set_level(Level.UNIT)
    assert dock.level is Level.UNIT and model.rowCount() == len(data) == 716
    dock.set_vote_type(1)  # all types combined: one row per precinct
    assert VOTE_TYPE_CHOICES[1][1] and model.rowCount() == 208

    # another race: the dock follows the selection
    window.select_contest("20")
    qtbot.waitUntil(lambda: dock.data is not None and dock.data.contest.id == "20", timeout=15_000)
    assert model.rows is not None and model.rows.contest_id == "20"


def test_drill_down_follows_the_version(qtbot: QtBot, window: MainWindow, bundled_night: Path) -> None:
    _open(qtbot, window, bundled_night, "22:40")
    window.drilldown.show()
    _wait_rows(qtbot, window, 40)
    before = window.drilldown.data.contest.total_votes
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.replay_bar.next_update()
    _wait_rows(qtbot, window, 41)
    assert window.drilldown.data.contest.total_votes > before
    assert window.drilldown.data.contest.total_votes == window.snapshot.contest(HOUSE_ID).total_votes


def test_build_drill_data_is_the_export_rows(ga06_final: Snapshot) -> None:
    house = _house(ga06_final)
    data = build_drill_data(house)
    for (level, combined), rows in data.tables.items():
        assert rows == contest_rows(house, level, combine=combined)
    assert data.mix == vote_type_mix(house)


# exports from the window -----------------------------------------------------------------------------
def test_race_exports_png_svg_and_csv(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, tmp_path: Path
) -> None:
    _open(qtbot, window, bundled_night, "22:40")
    window.grab()  # lay the hidden window out, as on a screen (app.py's screenshot mode does too)
    window.exports.picture_size = None  # File ▸ Export ▸ Picture size ▸ As on screen
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    png, svg, csv_path = tmp_path / "race.png", tmp_path / "race.svg", tmp_path / "race.csv"
    window.exports.export_picture(png, "png")
    window.exports.export_picture(svg, "svg")
    window.exports.export_csv(csv_path)
    qtbot.waitUntil(lambda: len([m for m in messages if m.startswith("Wrote")]) == 3, timeout=15_000)

    image = QImage(str(png))
    assert not image.isNull()
    view = window.race_view
    assert image.width() == view.width()
    assert image.height() > view.height() + window.banner.height()  # banner + view + caption

    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    house = window.snapshot.contest(HOUSE_ID)
    for cand in house.candidates:  # every bar's name, as text (not a bitmap)
        assert display_name(cand.name) in text, cand.name
    assert "reconstructed" in text and "Version 41 of 73" in text

    header, data = _csv_rows(csv_path)
    comments = [line for line in csv_path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")]
    assert any(c.startswith("# RECONSTRUCTED night") for c in comments)
    assert len(data) == 716
    assert (
        sum(int(line[header.index("JON OSSOFF")]) for line in data if line[header.index("JON OSSOFF")])
        == (house.totals["140"])
    )


def test_export_with_nothing_on_screen_says_so(window: MainWindow, tmp_path: Path) -> None:
    window.exports.export_csv(tmp_path / "x.csv")
    assert "no race on screen" in window.statusBar().currentMessage()
    assert not (tmp_path / "x.csv").exists()


def test_a_failed_export_is_one_message(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, tmp_path: Path
) -> None:
    _open(qtbot, window, bundled_night, "22:40")
    with qtbot.waitSignal(window.error_reported, timeout=10_000) as error:
        window.exports.export_csv(tmp_path / "missing" / "x.csv")
    assert str(error.args[0]).startswith("cannot export the race to")


def test_run_task_delivers_on_the_gui_thread(qtbot: QtBot, worker: Worker) -> None:
    import threading

    seen: list[tuple[object, bool]] = []
    worker.run_task(
        lambda: threading.current_thread() is threading.main_thread(), lambda r: seen.append((r, True))
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [(False, True)]  # ran elsewhere, answered here
    with qtbot.waitSignal(worker.failed, timeout=5000) as failed:
        worker.run_task(lambda: 1 / 0, lambda r: None, error="cannot divide")
    assert str(failed.args[0]).startswith("cannot divide: division by zero")


def test_one_build_at_a_time_and_the_newest_request_wins(
    qtbot: QtBot, worker: Worker, bundled_night: Path
) -> None:
    """A fast replay asks for many versions while one is being built: the dock builds the one in
    flight and then only the newest, never a queue of versions the user has moved past."""
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile
    from tracker.archive.recorder import current_versions
    from tracker.ui.drilldown import DrillDownDock

    with NightFile.open(bundled_night) as night:
        versions = current_versions(night.versions())
        chain = VersionChain(night, versions)
        snapshots = [chain.snapshot(i) for i in range(60, 66)]
    current: list[Snapshot] = [snapshots[0]]
    dock = DrillDownDock(worker, lambda: (current[0], HOUSE_ID))
    qtbot.addWidget(dock)
    started: list[int] = []
    run_task = worker.run_task

    def counting(job, done, **kw):  # type: ignore[no-untyped-def]
        started.append(1)
        run_task(job, done, **kw)

    worker.run_task = counting  # type: ignore[method-assign]
    dock.show()
    for snap in snapshots[1:]:
        current[0] = snap
        dock.refresh()
    qtbot.waitUntil(
        lambda: dock.data is not None and dock.data.contest is snapshots[-1].contest(HOUSE_ID), timeout=15_000
    )
    assert len(started) == 2


def test_ctrl_shift_d_toggles_the_drill_down_on_the_shown_window(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    """Race ▸ Drill down by its key, on a shown, active window (the synthetic night: a tiny case)."""
    from PySide6.QtWidgets import QApplication

    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    with qtbot.waitSignal(w.drawn, timeout=15_000):
        w.open_night(synthetic_night, at_end=True)
    w.race_table.setFocus()
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(w.race_table, Qt.Key.Key_D, mods)
    assert w.drilldown.isVisible()
    contest = w.snapshot.contest(w.selected_contest)
    qtbot.waitUntil(lambda: w.drilldown.data is not None, timeout=15_000)
    assert w.drilldown.model.rows.totals() == contest.totals
    qtbot.keyClick(w.race_table, Qt.Key.Key_D, mods)
    assert not w.drilldown.isVisible()
    w.close()


def test_in_a_short_window_the_drill_down_opens_as_its_own_window(
    qtbot: QtBot, tracker_home: Path, bundled_night: Path
) -> None:
    """The default 760-px window has no room for the panel under 18 bars: it floats, and the race
    view keeps its height; a tall window docks it."""
    from tracker.ui.main_window import DEFAULT_SIZE

    for size, floating in ((DEFAULT_SIZE, True), ((1400, 1000), False)):
        w = MainWindow(interactive=False, persist_layout=False)
        qtbot.addWidget(w)
        w.resize(*size)
        w.grab()
        _open(qtbot, w, bundled_night, "22:40")
        height = w.centralWidget().height()
        w.drilldown.show()
        w.grab()
        assert w.drilldown.isFloating() is floating, size
        assert (w.centralWidget().height() == height) is floating  # docked, it takes room below
        qtbot.waitUntil(lambda w=w: w.drilldown.data is not None, timeout=15_000)
        w.close()


def _row_pitch(window: MainWindow) -> float:
    box = window.race_view.plot_widget.getPlotItem().getViewBox()
    return abs(box.mapViewToDevice(QPointF(0, 1)).y() - box.mapViewToDevice(QPointF(0, 0)).y())


def test_beside_the_pinned_overview_the_drill_down_takes_two_thirds_of_the_width(
    qtbot: QtBot, tracker_home: Path, bundled_night: Path
) -> None:
    """Real night, tall window, a race pinned (the overview docked below): the drill-down opens
    beside the overview with about two thirds of the width, enough for its table's candidate
    columns and filter box; the overview keeps a third for its cards. Both docks leave GA-06's
    18 bars rows taller than a line of text (an earlier layout squeezed them to 16 px, and one
    candidate's numbers sat over the next one's)."""
    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()  # shown, as a user's is: its layout follows each change at once
    qtbot.waitExposed(w)
    _open(qtbot, w, bundled_night, "22:40")
    w.actions_by_name["pin"].trigger()
    qtbot.waitUntil(lambda: not w.pins.dock.isHidden())
    w.drilldown.show()
    overview = w.pins.dock
    assert not w.drilldown.isFloating()
    assert w.dockWidgetArea(w.drilldown) == w.dockWidgetArea(overview)
    line = QFontMetrics(w.race_view.font()).height()

    def laid_out() -> None:
        assert w.drilldown.width() >= 0.6 * w.width()
        assert overview.width() >= 0.25 * w.width()
        assert _row_pitch(w) >= line + 4

    qtbot.waitUntil(laid_out)
    assert w.drilldown.height() >= 250
    w.close()


def test_a_floating_drill_down_leaves_the_pinned_overview_its_height(
    qtbot: QtBot, tracker_home: Path, bundled_night: Path
) -> None:
    """The default window, shown, with a race pinned (the overview docked below): the drill-down
    has no room under GA-06's 18 bars and floats. Shown docked for a moment first, it used to
    stretch the bottom dock row to its own height and leave the overview that tall once it
    floated: the bars were squeezed to 7 px rows, names and numbers over each other, and stayed
    so after the drill-down closed (found walking the user guide under Xvfb)."""
    from tracker.ui.main_window import DEFAULT_SIZE

    w = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(w)
    w.resize(*DEFAULT_SIZE)
    w.show()
    qtbot.waitExposed(w)
    _open(qtbot, w, bundled_night, "22:40")
    w.actions_by_name["pin"].trigger()
    overview = w.pins.dock
    qtbot.waitUntil(lambda: not overview.isHidden())
    qtbot.wait(200)
    before = overview.height()
    line = QFontMetrics(w.race_view.font()).height()
    assert _row_pitch(w) >= line, "the overview alone leaves the bars readable"
    w.actions_by_name["drilldown"].trigger()
    assert w.drilldown.isFloating()
    qtbot.wait(200)
    assert overview.height() <= before + 2
    assert _row_pitch(w) >= line
    w.actions_by_name["drilldown"].trigger()
    qtbot.wait(200)
    assert overview.height() <= before + 2
    assert _row_pitch(w) >= line
    w.close()


def test_a_feed_without_precinct_counts_says_so_not_0_of_0(
    qtbot: QtBot, window: MainWindow, shared_data: Path, tmp_path: Path
) -> None:
    """The eighth doc walk: Georgia's 2021 runoff export has counts by county and no precinct
    counts; the drill-down said "0 of 0 precincts in" and the pinned card "0/0 precincts"."""
    from tracker.archive.importer import import_payloads
    from tracker.ui.race_card import card_data

    night = tmp_path / "runoff.night"
    import_payloads([shared_data / "ga-sos" / "2021-01-05_federal_runoff.json"], out=night)
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(night)
    contest = window.snapshot.contest(window.selected_contest)
    assert contest.precincts == (0, 0)
    assert card_data(contest, contest.id).footer.startswith("no precinct counts · ")
    window.drilldown.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: window.drilldown.data is not None, timeout=15_000)
    qtbot.waitUntil(lambda: bool(window.drilldown.status_text), timeout=15_000)
    status = window.drilldown.status_text
    assert status.endswith("no precinct counts") and "0 of 0" not in status
