"""Race ▸ Where the vote remains, and the projection line naming its baseline and evidence, on
the bundled (reconstructed) April 2017 night at 22:40 with its shipped 2016 baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_where_the_vote_remains_at_2240_names_counties_baseline_and_evidence(
    qtbot: QtBot, window: MainWindow, bundled_night: Path
):
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(bundled_night, at="22:40")
    assert "baseline ga06-2016-11-08" in window.status_text()  # the night's info names it
    header = window.race_view.header_texts()
    assert "Projected final" in header["projection"]
    assert "baseline ga06-2016-11-08" in header["projection"]
    assert "over 50 %) <1 %" in header["projection"]  # "<1 %" shown, not read as markup
    assert "expected vote from ga06-2016-11-08 turnout" in header["projection"]
    assert "ga06-2016-11-08 turnout" in header["outstanding"]
    action = next(
        a
        for a in window.findChildren(type(window.menuBar().actions()[0]))
        if a.objectName() == "voteRemaining"
    )
    action.trigger()
    dock = window.vote_remaining()
    assert dock.isVisible() or not window.isVisible()  # the window itself is not shown here
    dock.show()
    dock.refresh()
    rows = dock.rows()
    counties = {r[0] for r in rows}
    assert counties and counties <= {"Cobb", "DeKalb", "Fulton"}
    assert all(r[4] == "—" or " %" in r[4] for r in rows) and any("%" in r[4] for r in rows)
    assert "votes still out" in dock.heading_text() and "baseline ga06-2016-11-08" in dock.heading_text()
    # the outstanding total in the heading is the race view's (one estimate)
    first = header["outstanding"].split(" votes still out")[0].removeprefix("About ")
    assert first in dock.heading_text()
