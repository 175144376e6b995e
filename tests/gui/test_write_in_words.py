"""Where the window shows a race's words, a race whose only choice is a write-in line says so:
the race list's tooltip never calls the line "unopposed", a card never says "Write-in leads",
and the race view's bars and verdict say "write-ins only". The race is SYNTHETIC (made up here,
after Allegheny 2023's McKees Rocks Ward 2: one "Write-in" choice with 78 votes)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.ui.race_card import card_data, card_status
from tracker.ui.race_list import COL_NAME, RaceListModel
from tracker.ui.race_view import RaceView

pytestmark = pytest.mark.gui


def contest(cid: str, names: dict[str, int]) -> Contest:
    unit = ReportingUnit(
        id="p1",
        name="Synthetic Precinct 1",
        reporting=Reporting.COMPLETE,
        precincts_reporting=1,
        precincts_total=1,
        votes={n: {"Total": v} for n, v in names.items()},
    )
    return Contest(
        id=cid,
        name=f"Synthetic Council {cid}",
        candidates=tuple(Candidate(id=n, name=n, ballot_order=i) for i, n in enumerate(names)),
        units=(unit,),
        threshold=ThresholdRule.plurality(),
    )


WRITE_INS = contest("w", {"Write-in": 78})
ALONE = contest("a", {"Synthetic Person": 90})


def test_the_race_list_tooltip_says_write_ins_only(qtbot: QtBot) -> None:
    model = RaceListModel()
    model.set_snapshot(Snapshot(Election("synthetic", "Synthetic night"), (WRITE_INS, ALONE)))
    tips = {}
    for row in range(model.rowCount()):
        tip = str(model.data(model.index(row, COL_NAME), Qt.ItemDataRole.ToolTipRole))
        tips[tip.splitlines()[0]] = tip
    assert "write-ins only" in tips["Synthetic Council w"]
    assert "unopposed" not in tips["Synthetic Council w"]
    assert "Synthetic Person (unopposed)" in tips["Synthetic Council a"]


def test_a_card_says_write_ins_only_not_that_the_line_leads() -> None:
    assert card_status(WRITE_INS) == "final · write-ins only"
    assert card_status(ALONE) == "final · Person leads"
    card = card_data(WRITE_INS, WRITE_INS.id)
    assert [b.phrase for b in card.bars] == ["write-ins only"]
    assert "uncontested" not in card.tooltip and "leads" not in card.tooltip


def test_the_race_view_says_write_ins_only(qtbot: QtBot) -> None:
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 640)
    view.show_contest(WRITE_INS, outstanding=Outstanding.none())
    (bar,) = view.bars()
    assert "write-ins only" in bar.text and "uncontested" not in bar.text
    assert "write-in votes" in view.header_texts()["outstanding"]


# SYNTHETIC: a write-in line first, then two names; and a close pair of names beside a big line.
WRITE_IN_FIRST = contest("f", {"Write-in": 600, "Synthetic Ada": 500, "Synthetic Bo": 100})
FAR_NAMES = contest("g", {"Synthetic Cy": 500, "Write-in": 400, "Synthetic Di": 100})


def test_the_race_list_margin_is_between_names_and_close_counts_the_write_ins(qtbot: QtBot) -> None:
    from tracker.ui.race_filter import RaceFilterProxy
    from tracker.ui.race_list import COL_MARGIN

    model = RaceListModel()
    model.set_snapshot(Snapshot(Election("synthetic", "Synthetic night"), (WRITE_IN_FIRST, FAR_NAMES)))
    rows = {model.index(r, COL_NAME).data(): r for r in range(model.rowCount())}
    first = rows["Synthetic Council f"]
    assert model.index(first, COL_MARGIN).data() == "33.3"  # Ada over Bo, not the line over Ada
    tip = str(model.data(model.index(first, COL_NAME), Qt.ItemDataRole.ToolTipRole))
    assert "Synthetic Ada leads Synthetic Bo by 33.3 points" in tip
    assert "waiting on how they split" in tip and "Write-in leads" not in tip
    assert model.index(rows["Synthetic Council g"], COL_MARGIN).data() == "40.0"
    proxy = RaceFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_close_under(5.0)
    # one write-in name could tie Ada: listed as close; Cy is 10 points clear of any write-in name
    assert [proxy.index(r, COL_NAME).data() for r in range(proxy.rowCount())] == ["Synthetic Council f"]
    proxy.set_close_under(15.0)
    assert proxy.rowCount() == 2


def test_a_card_never_says_a_write_in_line_leads() -> None:
    assert card_status(WRITE_IN_FIRST) == "final · waiting on write-ins"
    assert card_status(FAR_NAMES) == "final · Cy leads"
    card = card_data(WRITE_IN_FIRST, WRITE_IN_FIRST.id)
    assert "Write-in leads" not in card.tooltip and "Write-in" not in card.status


def test_the_runner_up_colour_goes_to_the_second_name_not_the_write_in_line(qtbot: QtBot) -> None:
    from dataclasses import replace

    from tracker.ui.theme import LIGHT

    runoff = contest("r", {"Synthetic Ada": 450, "Write-in": 300, "Synthetic Bo": 250})
    runoff = replace(runoff, threshold=ThresholdRule.majority())
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 640)
    view.show_contest(runoff, outstanding=Outstanding.none())
    bars = {b.name: b for b in view.bars()}
    assert [bars[n].place for n in ("Synthetic Ada", "Write-in", "Synthetic Bo")] == [0, -1, 1]
    assert "runoff unless one write-in name has as many" in bars["Synthetic Bo"].text
    assert "runoff" not in bars["Write-in"].text
    card = {b.full_name: b for b in card_data(runoff, runoff.id).bars}
    assert card["Write-in"].colour() == LIGHT.field
    assert card["Synthetic Bo"].colour() == LIGHT.runner_up
    assert card["Synthetic Ada"].colour() == LIGHT.leader
