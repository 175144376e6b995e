"""A race of thousands of candidates (constructed) draws its 50 leaders and says how many it
leaves out (issue 19, finding 8; was: every bar drawn, the window frozen for 14 s at 10,000)."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit
from tracker.ui.race_view import MAX_BARS, RaceView

pytestmark = pytest.mark.gui


def test_a_race_of_2000_candidates_shows_the_50_leaders_and_says_so(qtbot: QtBot) -> None:
    n = 2000
    contest = Contest(
        id="many",
        name="Constructed race of many",
        candidates=tuple(Candidate(f"k{i}", f"Constructed candidate {i}", ballot_order=i) for i in range(n)),
        units=(
            ReportingUnit(
                id="u",
                name="Constructed unit",
                reporting=Reporting.COMPLETE,
                votes={f"k{i}": {"Total": n - i} for i in range(n)},
            ),
        ),
    )
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.show_contest(contest)
    qtbot.wait(50)
    assert MAX_BARS == 50
    assert view.header_texts()["warning"] == "Showing the 50 leading candidates of 2,000"
    names = [b.name for b in view._bars]
    assert names == [f"Constructed candidate {i}" for i in range(50)]


def test_a_watch_list_of_5000_races_shows_60_cards_and_says_so(qtbot: QtBot) -> None:
    from tracker.core.model import Election, Snapshot
    from tracker.ui.overview import MAX_CARDS, PinnedOverview

    contests = tuple(
        Contest(id=f"r{i}", name=f"Constructed race {i}", candidates=(Candidate("a", "Constructed A"),))
        for i in range(5000)
    )
    snap = Snapshot(election=Election(id="constructed", name="Constructed election"), contests=contests)
    overview = PinnedOverview()
    qtbot.addWidget(overview)
    overview.show()
    overview.set_snapshot(snap)
    overview.set_pins([f"r{i}" for i in range(4999, -1, -1)])
    assert MAX_CARDS == 60 and len(overview.cards()) == 60
    assert [c for c in overview._order][:3] == ["r0", "r1", "r2"]  # the feed's first races
    assert overview.cap_text() == "Showing the first 60 of 5,000 pinned races"
    overview.set_pins(["r7", "r8"])
    assert len(overview.cards()) == 2 and overview.cap_text() == ""


def test_a_very_long_name_never_pushes_the_bars_off_the_chart(qtbot: QtBot) -> None:
    from tracker.ui.race_view import NAME_AXIS_SHARE

    contest = Contest(
        id="long",
        name="Constructed race",
        candidates=(Candidate("a", "Constructed " + "W" * 100_000), Candidate("b", "Constructed B")),
        units=(
            ReportingUnit(
                id="u",
                name="Constructed unit",
                reporting=Reporting.COMPLETE,
                votes={"a": {"Total": 60}, "b": {"Total": 40}},
            ),
        ),
    )
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.show_contest(contest)
    qtbot.wait(50)
    assert view._left.width() <= NAME_AXIS_SHARE * view.width() + 16
    assert view._vb.width() > view.width() / 2  # the bars keep most of the chart


def test_a_list_of_2500_races_shows_1000_rows_says_so_and_searches_them_all(qtbot: QtBot) -> None:
    from tracker.core.model import Election, Snapshot
    from tracker.ui.race_filter import ROW_CAP
    from tracker.ui.race_list import ContestIdRole
    from tracker.ui.race_list_panel import RaceListPanel

    contests = tuple(
        Contest(
            id=f"r{i:04d}", name=f"Constructed race {i:04d}", candidates=(Candidate("a", "Constructed A"),)
        )
        for i in range(2500)
    )
    snap = Snapshot(election=Election(id="constructed", name="Constructed election"), contests=contests)
    panel = RaceListPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.model.set_snapshot(snap)
    assert ROW_CAP == 1000 and panel.proxy.rowCount() == 1000
    assert panel.count.text() == "Showing the first 1,000 of 2,500 races; search or filter to find the others"
    # the list's own order: the first thousand by name
    assert panel.proxy.index(999, 1).data(ContestIdRole) == "r0999"
    panel.search.setText("race 24")  # beyond the cap: found all the same
    assert panel.proxy.rowCount() == 100 and panel.count.text() == "100 of 2,500 races"
    panel.search.setText("race")  # more match than are listed
    assert panel.proxy.rowCount() == 1000
    assert panel.count.text() == "Showing the first 1,000 of 2,500 races; search or filter to find the others"
    panel.search.setText("race 1")
    assert panel.proxy.rowCount() == 1000 and panel.count.text() == "1,000 of 2,500 races"  # exactly the cap
    panel.search.setText("")
    panel.model.set_pins({"r2400"})  # a pinned race comes first, within the cap
    assert panel.proxy.index(0, 1).data(ContestIdRole) == "r2400"
    assert panel.proxy.rowCount() == 1000
    panel.model.set_snapshot(dataclasses.replace(snap, contests=contests[:900]))
    assert panel.proxy.rowCount() == 900 and panel.count.text() == "900 races"
