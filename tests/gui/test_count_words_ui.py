"""The window's count texts with exactly one of the thing counted: "1 alert", "1 precinct",
"1 vote" (never "1 alerts"). Every race, name and alert here is synthetic and says so."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tracker.core.alerts import Alert, AlertKind
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit
from tracker.core.threshold import Need, State
from tracker.ui.bar_texts import BarInfo
from tracker.ui.keyboard_focus import candidate_line
from tracker.ui.main_window import MainWindow
from tracker.ui.race_card import card_data


def _one_precinct_one_vote() -> Contest:
    unit = ReportingUnit(
        id="synthetic-p1",
        name="Synthetic Precinct 1",
        reporting=Reporting.COMPLETE,
        votes={"a": {"Total": 1}},
        precincts_reporting=1,
        precincts_total=1,
    )
    return Contest(
        id="c1", name="Synthetic one-vote race", candidates=(Candidate("a", "Synthetic A"),), units=(unit,)
    )


def test_a_card_of_one_precinct_and_one_vote_says_so() -> None:
    card = card_data(_one_precinct_one_vote(), "c1")
    assert card.footer == "1/1 precinct · 1 vote"


def test_a_screen_reader_hears_one_vote() -> None:
    bar = BarInfo("Synthetic A", 1, 100.0, 0, Need(State.WAITING), "", parts=("100.0 %", "1 vote", ""))
    assert candidate_line(bar) == "Synthetic A, 100.0 %, 1 vote"


def test_the_alert_log_counts_one_alert(qtbot: QtBot, window: MainWindow) -> None:
    alert = Alert(AlertKind.LEAD_CHANGE, "c1", "Synthetic race", "a", "synthetic lead change", 0)
    correction = Alert(AlertKind.COUNT_DOWN, "c1", "Synthetic race", "a", "synthetic correction", 0)
    window.alert_log.dock.show_rows([alert])
    assert window.alert_log.dock.count.text() == "1 alert"
    window.alert_log.dock.show_rows([alert, correction])
    assert window.alert_log.dock.count.text() == "2 alerts, 1 correction"
