"""The race list model and its search/pin proxy (real GA-06 races, plus synthetic versions where a
test needs a race to change between versions)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from synthetic_data import synthetic_snapshot

from tracker.core.model import Snapshot
from tracker.store import Store
from tracker.ui.race_list import (
    COL_NAME,
    COL_PIN,
    COL_REPORTING,
    ContestIdRole,
    PinnedRole,
    RaceFilterProxy,
    RaceListModel,
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

    with qtbot.waitSignal(worker.pin_saved, timeout=5000) as saved:
        assert model.toggle_pin(house_row) is True
    assert saved.args == [ga06_final.election.id, house_id, True]
    assert _names(proxy) == [HOUSE, SENATE]  # pinned first
    assert proxy.index(0, COL_PIN).data() == "★"

    with Store() as fresh:  # a new connection: what the next launch will read
        assert fresh.pins(ga06_final.election.id) == {house_id}

    with qtbot.waitSignal(worker.pin_saved, timeout=5000):
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
