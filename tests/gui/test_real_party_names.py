"""Party colours as real feeds spell the parties (found by the eighth documentation walk): NIST's
"Republican Party" and "Democratic Party" drew Trump and Biden in one sky blue; Clarity's "Y"/"N"
on a retention question's Yes/No and "NON" on a write-in line drew party letters that are none;
a primary's two Republicans were two timeline curves of one colour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.core.model import Contest
from tracker.core.projection import project_contest
from tracker.feeds.registry import parse_payload
from tracker.ui.race_view import RaceView
from tracker.ui.theme import party_style
from tracker.ui.timeline import TimelinePoint, TimelineView

pytestmark = pytest.mark.gui

BLUE, VERMILLION = "#0072b2", "#d55e00"


def _contest(shared_data: Path, rel: str, name: str) -> Contest:
    path = shared_data / rel
    snapshot = parse_payload(path.read_bytes(), "auto", source=str(path))
    return next(c for c in snapshot.contests if c.name == name)


def _view(qtbot: QtBot, contest: Contest) -> RaceView:
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.show_contest(contest)
    return view


def test_nist_full_party_names_take_the_parties_colours(qtbot: QtBot, shared_data: Path) -> None:
    president = _contest(shared_data, "nist/nist_v2_wy20g.xml", "US President (WY)")
    view = _view(qtbot, president)
    colours, letters = view.bar_colours(), view.party_letters()
    assert colours["Donald J. Trump"] == VERMILLION and letters["Donald J. Trump"] == "R"
    assert colours["Joseph R. Biden"] == BLUE and letters["Joseph R. Biden"] == "D"
    assert letters["Jo Jorgensen"] == "L"
    assert letters["Write-Ins"] == ""  # "none or unknown" is no party


def test_a_retention_questions_yes_and_no_are_no_parties(qtbot: QtBot, shared_data: Path) -> None:
    hart = _contest(
        shared_data,
        "clarity/co_2020_general_statewide_detail_20201123.xml",
        "Justice of the Colorado Supreme Court - Hart",
    )
    assert {c.party for c in hart.candidates} == {"Y", "N"}
    view = _view(qtbot, hart)
    assert set(view.party_letters().values()) == {""}
    assert next(iter(view.bar_colours().values())) == BLUE  # the rank's colours, not two sky blues


def test_party_spellings_of_real_feeds() -> None:
    assert party_style("Republican Party") == party_style("REP")
    assert party_style("Democratic Party") == party_style("DEM")
    assert party_style("Libertarian Party") == party_style("LBR") == party_style("Lib")
    assert party_style("GRE") == party_style("Green Party") == party_style("Grn")
    for none in ("NON", "none or unknown", "Y", "N", "UNA", "UAF", "Unaffiliated"):
        assert party_style(none) is None, none
    assert party_style("D/R")[0] == "D/R"  # Pennsylvania's cross-filed: neither party's colour
    assert party_style("D/R")[1] != party_style("DEM")[1]
    assert party_style("Constitution Party")[0] == "C"


def test_a_primarys_two_candidates_of_one_party_get_two_timeline_colours(
    qtbot: QtBot, shared_data: Path
) -> None:
    house = _contest(shared_data, "ga-sos/2022-06-21_primary_runoff.json", "REP - US House Dist 6")
    assert {c.party for c in house.candidates} == {"REP"}
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    when = dt.datetime(2022, 6, 22, 3, 0, tzinfo=dt.UTC)
    parties = {c.id: c.party for c in house.candidates}
    timeline.set_history([TimelinePoint(when, project_contest(house))], when, parties=parties)
    colours = [c.name() for c in timeline._colours[:2]]
    assert colours[0] != colours[1]
