"""The race list on real statewide files (found by the eighth documentation walk): North Carolina's
board file ends every race's name "(VOTE FOR 1)", and the narrow column elided the district
instead ("US HOUSE OF ...(VOTE FOR 1)" fourteen times over); Wyoming's NIST report listed its
house districts 1, 10, 11, … 19, 2, 20; the Reporting column read "2658/2658" under a header
that says "2,658"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tracker.feeds.registry import parse_payload
from tracker.ui.race_list import COL_NAME, COL_REPORTING, RaceListModel, list_name, natural_key
from tracker.ui.race_list_panel import RaceListPanel

pytestmark = pytest.mark.gui


def _model(shared_data: Path, rel: str) -> RaceListModel:
    path = shared_data / rel
    model = RaceListModel()
    model.set_snapshot(parse_payload(path.read_bytes(), "auto", source=str(path)))
    return model


def _shown(model: RaceListModel) -> list[str]:
    return [model.index(r, COL_NAME).data() for r in range(model.rowCount())]


def test_wyomings_districts_in_number_order(shared_data: Path) -> None:
    names = [n for n in _shown(_model(shared_data, "nist/nist_v2_wy20g.xml")) if n.startswith("WY House")]
    numbers = [int(n.rsplit(" ", 1)[1]) for n in names]
    assert numbers == sorted(numbers) and numbers[:3] == [1, 2, 3]


def test_north_carolinas_races_show_their_districts(qtbot: QtBot, shared_data: Path) -> None:
    path = shared_data / "nc-sbe" / "nc_2024-11-05_general_results_0_statewide.json"
    panel = RaceListPanel()
    qtbot.addWidget(panel)
    model = panel.model
    model.set_snapshot(parse_payload(path.read_bytes(), "auto", source=str(path)))
    shown = _shown(model)
    house = [n for n in shown if n.startswith("US HOUSE")]
    assert len(house) == 14
    assert house[0] == "US HOUSE OF REPRESENTATIVES DISTRICT 01"
    assert not any(n.endswith("(VOTE FOR 1)") for n in shown)
    assert any(n.endswith("(VOTE FOR 2)") for n in shown)  # more seats than one: said
    row = shown.index("US PRESIDENT")
    assert model.index(row, COL_REPORTING).data() == "2,658/2,658"
    # In the window's list, as wide as it opens, fourteen different texts, not one elided twice over.
    panel.resize(460, 600)
    panel.show()
    qtbot.waitExposed(panel)
    width = panel.table.columnWidth(COL_NAME) - 8
    metrics = panel.table.fontMetrics()
    elided = {metrics.elidedText(n, Qt.TextElideMode.ElideMiddle, width) for n in house}
    assert len(elided) == 14


def test_list_name_and_natural_key() -> None:
    assert list_name("NC TREASURER (VOTE FOR 1)") == "NC TREASURER"
    assert list_name("Town Council (Vote for 1) ") == "Town Council"
    assert list_name("BOARD (VOTE FOR 3)") == "BOARD (VOTE FOR 3)"
    assert list_name("(VOTE FOR 1)") == "(VOTE FOR 1)"
    assert natural_key("district 2") < natural_key("district 10") < natural_key("district 10a")
