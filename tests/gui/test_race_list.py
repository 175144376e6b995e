"""The race list model and its search/filter proxy: real GA-06 races and real statewide payloads (AP 26
April 2016: 435 races; Georgia's 2020 general summary: 298), plus synthetic versions where a test needs
a race to change between versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES, synthetic_snapshot

from tracker.core.model import Snapshot
from tracker.core.race_facts import LastChange, snapshot_facts
from tracker.feeds import registry
from tracker.store import Store
from tracker.ui.race_filter import RaceFilterProxy
from tracker.ui.race_list import (
    COL_CHANGED,
    COL_MARGIN,
    COL_NAME,
    COL_PIN,
    COL_REPORTING,
    ContestIdRole,
    FlagRole,
    PinnedRole,
    RaceListModel,
    natural_key,
)
from tracker.ui.workers import Worker

pytestmark = pytest.mark.gui

HOUSE = "U.S. Representative, District 6"
SENATE = "State Senator, District 32"


def _names(proxy: RaceFilterProxy) -> list[str]:
    return [proxy.index(r, COL_NAME).data() for r in range(proxy.rowCount())]


def test_model_passes_qtmodeltester_on_the_real_night(
    qtmodeltester: ModelTester, ga06_final: Snapshot
) -> None:
    model = RaceListModel()
    model.set_snapshot(ga06_final)
    qtmodeltester.check(model)
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)


def test_rows_show_pin_name_and_reporting(ga06_final: Snapshot) -> None:
    model = RaceListModel()
    model.set_snapshot(ga06_final)
    names = {model.index(r, COL_NAME).data(): r for r in range(model.rowCount())}
    assert set(names) == {HOUSE, SENATE}
    row = names[HOUSE]
    assert model.index(row, COL_REPORTING).data() == "208/208"
    assert model.index(row, COL_PIN).data() == "☆"
    house = next(c for c in ga06_final.contests if c.name == HOUSE)
    assert model.index(row, COL_NAME).data(ContestIdRole) == house.id
    assert model.index(row, COL_PIN).data(PinnedRole) is False


def test_a_new_version_with_the_same_races_updates_in_place(qtbot: QtBot) -> None:
    """Synthetic versions (1 then 3 of 4 precincts in): dataChanged, never a reset."""
    model = RaceListModel()
    model.set_snapshot(synthetic_snapshot(1))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.set_snapshot(synthetic_snapshot(3))
    assert not resets
    row = model.row_of("mayor")
    assert row is not None
    assert model.index(row, COL_REPORTING).data() == "3/4"


def test_search_is_case_insensitive_on_both_races(ga06_final: Snapshot) -> None:
    model = RaceListModel()
    model.set_snapshot(ga06_final)
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    assert sorted(_names(proxy)) == sorted([HOUSE, SENATE])
    proxy.set_search("district")
    assert sorted(_names(proxy)) == sorted([HOUSE, SENATE])
    proxy.set_search("SENATOR")
    assert _names(proxy) == [SENATE]
    proxy.set_search("representative, d")
    assert _names(proxy) == [HOUSE]
    proxy.set_search("governor")
    assert _names(proxy) == []
    proxy.set_search("")
    assert proxy.rowCount() == 2


def test_pin_persists_in_a_new_store_and_sorts_first(
    qtbot: QtBot, ga06_final: Snapshot, tracker_home: object, worker: Worker
) -> None:
    model = RaceListModel()
    model.set_snapshot(ga06_final)
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    model.pin_toggled.connect(
        lambda cid, name, pinned: worker.set_pinned(model.election_id, cid, pinned, name)
    )
    # Unpinned: by name ("State…" before "U.S.…").
    assert _names(proxy) == [SENATE, HOUSE]
    house_row = next(r for r in range(model.rowCount()) if model.index(r, COL_NAME).data() == HOUSE)
    house_id = model.contest_id(house_row)

    with qtbot.waitSignal(worker.pin_saved, timeout=60_000) as saved:
        assert model.toggle_pin(house_row) is True
    assert saved.args == [ga06_final.election.id, house_id, True]
    assert _names(proxy) == [HOUSE, SENATE]  # pinned first
    assert proxy.index(0, COL_PIN).data() == "★"

    with Store() as fresh:  # a new connection: what the next launch will read
        assert fresh.pins(ga06_final.election.id) == {house_id}

    house_row = model.row_of(house_id)  # the model keeps its rows in the list's order: it moved
    assert house_row is not None
    with qtbot.waitSignal(worker.pin_saved, timeout=60_000):
        assert model.toggle_pin(house_row) is False
    assert _names(proxy) == [SENATE, HOUSE]
    with Store() as fresh:
        assert fresh.pins(ga06_final.election.id) == set()


def test_set_pins_does_not_write_back(qtbot: QtBot) -> None:
    """Pins loaded from the store are shown, not re-announced as user toggles (synthetic races)."""
    model = RaceListModel()
    model.set_snapshot(synthetic_snapshot(2))
    toggles: list[tuple[str, str, bool]] = []
    model.pin_toggled.connect(lambda *args: toggles.append(args))
    model.set_pins({"council-1"})
    assert toggles == []
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.index(0, COL_NAME).data(ContestIdRole) == "council-1"
    assert proxy.index(0, COL_PIN).data(Qt.ItemDataRole.ForegroundRole) is not None


# statewide nights: the AP 26 April 2016 file and Georgia's 2020 general summary ----------------------
AP_FILE = "ap/newsdev-elex_20160426_ct_rollups.json"
GA_FILE = "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"


@pytest.fixture(scope="module", params=[AP_FILE, GA_FILE], ids=["ap-2016-04-26", "ga-2020-summary"])
def statewide(request: pytest.FixtureRequest, shared_data: Path) -> Snapshot:
    name = request.param
    return registry.parse_payload((shared_data / name).read_bytes(), source=name)


def _listed(statewide: Snapshot) -> tuple[RaceListModel, RaceFilterProxy]:
    model = RaceListModel()
    model.set_snapshot(statewide)
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def _ids(proxy: RaceFilterProxy) -> list[str]:
    return [proxy.index(r, COL_NAME).data(ContestIdRole) for r in range(proxy.rowCount())]


def _margin(contest: object) -> float | None:
    """The margin in points at the race's cut line, computed here from the totals (not from
    RaceFacts): leader minus runner-up with one seat, N-th minus (N+1)-th place with N seats."""
    votes = sorted(contest.totals.values(), reverse=True)  # type: ignore[attr-defined]
    total = sum(votes)
    n = max(contest.vote_for, 1)  # type: ignore[attr-defined]
    return (votes[n - 1] - votes[n]) * 100 / total if total and len(votes) > n else None


def test_statewide_night_passes_qtmodeltester_sorted_and_filtered(
    qtmodeltester: ModelTester, statewide: Snapshot
) -> None:
    model, proxy = _listed(statewide)
    assert model.rowCount() == len(statewide.contests) > 250
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    model.set_pins([c.id for c in statewide.contests[::40]])
    proxy.sort(COL_MARGIN, Qt.SortOrder.DescendingOrder)
    proxy.set_search("a")
    proxy.set_counting_only(True)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sort_by_each_column_keeps_pinned_first(statewide: Snapshot, order: Qt.SortOrder) -> None:
    model, proxy = _listed(statewide)
    contests = {c.id: c for c in statewide.contests}
    pinned = {c.id for c in statewide.contests[5::60]}
    model.set_pins(pinned)
    times = [dt.datetime(2016, 4, 26, 20, tzinfo=dt.UTC) + dt.timedelta(minutes=k) for k in range(10)]
    changes = {cid: LastChange(i % 10, True) for i, cid in enumerate(contests)}
    model.set_last_changes(changes, times, dt.UTC)
    desc = order == Qt.SortOrder.DescendingOrder

    def check(keys: list[object]) -> None:
        """Pinned first, then by key in order, races without a value last."""
        ids = _ids(proxy)
        assert len(ids) == len(contests)
        assert set(ids[: len(pinned)]) == pinned
        for block in (ids[: len(pinned)], ids[len(pinned) :]):
            values = [keys[ids.index(cid)] for cid in block]
            present = [v for v in values if v is not None]
            assert all(v is None for v in values[len(present) :])
            assert present == sorted(present, reverse=desc)

    proxy.sort(COL_NAME, order)
    check([natural_key(contests[cid].name.casefold()) for cid in _ids(proxy)])  # "District 2" < "10"
    proxy.sort(COL_MARGIN, order)
    check([_margin(contests[cid]) for cid in _ids(proxy)])
    proxy.sort(COL_REPORTING, order)
    fractions = []
    for cid in _ids(proxy):
        reporting, total = contests[cid].precincts
        fractions.append((reporting / total, reporting) if total else None)
    check(fractions)
    proxy.sort(COL_CHANGED, order)
    check([changes[cid].index for cid in _ids(proxy)])
    shown = proxy.index(0, COL_CHANGED).data()
    assert shown == f"{times[changes[_ids(proxy)[0]].index]:%H:%M}"


def test_each_filter_shows_exactly_the_races_it_names(statewide: Snapshot) -> None:
    model, proxy = _listed(statewide)
    everything = {c.id: c for c in statewide.contests}

    def counting(c: object) -> bool:
        reporting, total = c.precincts  # type: ignore[attr-defined]
        return total == 0 or reporting < total

    def over_line(c: object) -> bool:
        # Only races whose rule draws a line for candidates (the AP 2016 primaries of CT, DE, MD,
        # PA and RI are plurality: nothing to cross); a majority or a share, strictly over it.
        rule, total = c.threshold, c.total_votes  # type: ignore[attr-defined]
        if not rule.has_line or c.vote_for > 1 or not total:  # type: ignore[attr-defined]
            return False
        return any(v > rule.share * total for v in c.totals.values())  # type: ignore[attr-defined]

    proxy.set_close_under(5.0)
    close = {cid for cid, c in everything.items() if (m := _margin(c)) is not None and m < 5.0}
    assert set(_ids(proxy)) == close and 0 < len(close) < len(everything)
    assert all(float(proxy.index(r, COL_MARGIN).data()) < 5.05 for r in range(proxy.rowCount()))
    proxy.set_close_under(20.0)
    assert len(_ids(proxy)) > len(close)
    proxy.set_close_under(None)

    proxy.set_counting_only(True)
    assert set(_ids(proxy)) == {cid for cid, c in everything.items() if counting(c)}
    proxy.set_counting_only(False)

    proxy.set_crossed_only(True)
    crossed = {cid for cid, c in everything.items() if over_line(c)}
    assert set(_ids(proxy)) == crossed and len(crossed) < len(everything)
    assert bool(crossed) == any(c.threshold.has_line for c in everything.values())
    proxy.set_crossed_only(False)

    proxy.set_pinned_only(True)
    assert _ids(proxy) == []
    some = list(everything)[3:6]
    model.set_pins(some)
    assert sorted(_ids(proxy)) == sorted(some)
    model.set_pinned(some[0], False)  # unpinning a race takes it out of "pinned only" at once
    assert sorted(_ids(proxy)) == sorted(some[1:])
    proxy.set_pinned_only(False)
    assert proxy.rowCount() == len(everything)


def test_search_matches_any_part_of_the_name_ignoring_case(statewide: Snapshot) -> None:
    _model, proxy = _listed(statewide)
    word = statewide.contests[len(statewide.contests) // 2].name.split()[0]
    proxy.set_search(f"  {word.upper()} ")
    expected = {c.id for c in statewide.contests if word.casefold() in c.name.casefold()}
    assert set(_ids(proxy)) == expected and len(expected) > 0
    proxy.set_counting_only(True)  # search and filters combine
    assert set(_ids(proxy)) <= expected
    proxy.set_search("no race has this name")
    assert proxy.rowCount() == 0


def test_set_flags_marks_rows_and_replaces_the_previous_set(qtbot: QtBot, statewide: Snapshot) -> None:
    model, proxy = _listed(statewide)
    first, second = statewide.contests[0], statewide.contests[1]
    text = "count went down: synthetic example 1,203 → 1,190"
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.set_flags({first.id: text})
    row = proxy.proxy_row_of(first.id)
    assert row is not None
    index = proxy.index(row, COL_NAME)
    assert index.data() == f"⚠ {first.name}"
    assert text in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(FlagRole) == text
    model.set_flags({second.id: "precincts reporting fell: 12 → 11"})
    assert proxy.index(proxy.proxy_row_of(first.id), COL_NAME).data() == first.name  # type: ignore[arg-type]
    assert model.flag(first.id) is None
    assert proxy.index(proxy.proxy_row_of(second.id), COL_NAME).data().startswith("⚠ ")  # type: ignore[arg-type]
    model.set_flags({})
    assert model.flag(second.id) is None


def _table(proxy: RaceFilterProxy, qtbot: QtBot) -> QTableView:
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(proxy)
    table.resize(400, 300)
    return table


def _select(table: QTableView, proxy: RaceFilterProxy, contest_id: str) -> None:
    row = proxy.proxy_row_of(contest_id)
    assert row is not None
    table.selectionModel().setCurrentIndex(
        proxy.index(row, COL_NAME),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_a_correction_removing_a_race_removes_its_row_not_the_model(
    qtbot: QtBot, statewide: Snapshot
) -> None:
    """The next version lacks one race (as a feed correction can): rows removed, then inserted when
    it comes back; never a reset, and the selected race and the scroll position stay."""
    model, proxy = _listed(statewide)
    proxy.sort(COL_MARGIN, Qt.SortOrder.AscendingOrder)
    table = _table(proxy, qtbot)
    keep = statewide.contests[len(statewide.contests) // 2].id
    _select(table, proxy, keep)
    table.verticalScrollBar().setValue(40)
    resets: list[bool] = []
    removed: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    gone = statewide.contests[0]
    without = dataclasses.replace(statewide, contests=statewide.contests[1:])
    model.set_snapshot(without)
    assert model.rowCount() == len(statewide.contests) - 1 and model.row_of(gone.id) is None
    assert len(removed) == 1 and removed[0][1] == removed[0][0]
    assert table.currentIndex().data(ContestIdRole) == keep
    assert table.verticalScrollBar().value() == 40
    model.set_snapshot(statewide)
    assert len(inserted) == 1 and model.row_of(gone.id) is not None
    assert resets == []
    assert table.currentIndex().data(ContestIdRole) == keep
    assert [i.data(ContestIdRole) for i in table.selectionModel().selectedRows(COL_NAME)] == [keep]


def test_a_new_version_that_reorders_keeps_the_selection(qtbot: QtBot, bundled_night: Path) -> None:
    """The bundled GA-06 night sorted by reporting: as precincts come in the two races swap places;
    the selected race stays selected through dataChanged and the layout change, with no reset."""
    from tracker.archive.night import NightFile

    with NightFile.open(bundled_night) as night:
        versions = night.versions()
        snaps = [night.snapshot(v) for v in versions[:: max(1, len(versions) // 12)]]
    model = RaceListModel()
    model.set_snapshot(snaps[0])
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_REPORTING, Qt.SortOrder.AscendingOrder)
    table = _table(proxy, qtbot)
    house = next(c.id for c in snaps[0].contests if c.name == HOUSE)
    _select(table, proxy, house)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    orders = set()
    for snap in snaps[1:]:
        model.set_snapshot(snap)
        orders.add(tuple(_ids(proxy)))
        assert table.currentIndex().data(ContestIdRole) == house
        row = proxy.proxy_row_of(house)
        reporting, total = snap.contest(house).precincts
        assert proxy.index(row, COL_REPORTING).data() == f"{reporting}/{total}"  # type: ignore[arg-type]
    assert len(orders) == 2  # the races did swap at least once: the layout change was exercised
    assert resets == []


def test_window_shows_filters_and_when_each_race_last_changed(qtbot: QtBot, synthetic_night: Path) -> None:
    """The synthetic night (mayor: 1, 3, 4 of 4 precincts in; council: 1, 2, 2): at its end the
    mayor last changed at the third version, the council at the second. The filter row fits the
    default window."""
    from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    window.resize(*DEFAULT_SIZE)
    window.show()
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(synthetic_night, at_end=True)
    model = window.race_model

    def changed() -> dict[str, str]:
        return {model.contest_id(r): model.index(r, COL_CHANGED).data() for r in range(model.rowCount())}

    # First only the version on screen is read ("at or before"), then the timeline's history (which
    # may already have arrived: the worker is not waited for here).
    early = {f"≤{SYNTHETIC_TIMES[2]:%H:%M}", f"{SYNTHETIC_TIMES[2]:%H:%M}", f"{SYNTHETIC_TIMES[1]:%H:%M}", ""}
    assert set(changed().values()) <= early
    expected = {"mayor": f"{SYNTHETIC_TIMES[2]:%H:%M}", "council-1": f"{SYNTHETIC_TIMES[1]:%H:%M}"}
    qtbot.waitUntil(lambda: changed() == expected, timeout=15_000)
    panel = window.race_table.parentWidget()
    for button in (panel.pinned_button, panel.close_button, panel.counting_button, panel.crossed_button):
        assert button.isVisible()
        right = button.mapTo(panel, button.rect().topRight()).x()
        assert right < panel.width() and button.width() >= button.sizeHint().width()
    # The list's facts came from the worker, made with the parse: the same as made here.
    assert window.worker.race_facts(window.snapshot) == snapshot_facts(window.snapshot)
    # Clicking a header sorts the model (the proxy keeps its order); again reverses.
    header = window.race_table.horizontalHeader()
    x = header.sectionViewportPosition(COL_MARGIN) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert model.sort_column == COL_MARGIN and model.sort_order == Qt.SortOrder.AscendingOrder
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert model.sort_order == Qt.SortOrder.DescendingOrder
    margins = [float(window.race_proxy.index(r, COL_MARGIN).data()) for r in range(2)]
    assert margins == sorted(margins, reverse=True)
    # Close races: the button and the spin box set the proxy's margin.
    panel.close_points.setValue(margins[1] + 0.5)
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert panel.count.text() == "1 of 2 races"
    panel.close_points.setValue(max(margins) + 0.5)
    assert panel.count.text() == "2 races"
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    # Still counting: every precinct is in at the end of the night.
    qtbot.mouseClick(panel.counting_button, Qt.MouseButton.LeftButton)
    assert [window.race_proxy.contest_id_at(r) for r in range(window.race_proxy.rowCount())] == []
    assert panel.count.text() == "0 of 2 races"
    window.close()
