"""The race view, a card and the rule dialog for a top-two primary: the header says the rule and
where it came from, the line is drawn at 2nd place, and no word says "elected" or "seat". The race
is CONSTRUCTED here (``tests.test_contest_rules.race``), under the rule the jurisdiction table
gives a Washington primary for Congress."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.test_contest_rules import race
from tracker.core.jurisdiction import rule_for
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.ui.race_card import card_data
from tracker.ui.race_view import RaceView
from tracker.ui.rule_override import RuleDialog, choice_of_rule, rule_of_choice

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot: QtBot) -> RaceView:
    v = RaceView()
    qtbot.addWidget(v)
    v.resize(900, 640)
    v.show()
    qtbot.waitExposed(v)
    return v


def _constructed():
    rule = rule_for("WA", "August 6, 2024 Primary", "U.S. Representative Congressional District 4")
    return race({"Ada": 5000, "Bo": 4000, "Cy": 3150, "Di": 900}, rule=rule)


def test_header_line_and_words_of_a_top_two_primary(view: RaceView) -> None:
    c = _constructed()
    view.show_contest(c, outstanding=Outstanding(1000, 500, 2000))
    header = view.header_texts()
    assert header["rule"].startswith("Rule: top two advance (the two with the most votes go on")
    assert header["rule"].endswith("· from the jurisdiction table")
    assert "RCW 29A.52.112" in view._rule_label.toolTip()  # the statute, on hover
    assert view.threshold_label() == "cut: 2nd place"
    assert view.threshold_position() == pytest.approx(4000 * 100 / 13050)
    texts = view.texts()
    assert texts["Bo"].endswith("in the top two · 850 votes ahead of 3rd")
    assert texts["Cy"].endswith("needs 851 votes to pass Bo for 2nd")
    view.show_contest(c, outstanding=Outstanding.none())
    final = view.texts()
    assert final["Ada"].endswith("advances") and final["Cy"].endswith("does not advance")
    assert "advance to the general election: Ada, Bo" in view.header_texts()["outstanding"]
    words = " ".join([*texts.values(), *final.values(), *view.header_texts().values()])
    assert "elected:" not in words and "not elected" not in words and "seat" not in words


def test_a_card_draws_the_cut_and_says_advances() -> None:
    c = _constructed()
    card = card_data(c, c.id)
    assert card.line == pytest.approx(4000 * 100 / 13050) and card.line_label == "cut: 2nd place"
    assert "seat" not in card.tooltip and "elected" not in card.tooltip


def test_the_dialog_offers_top_two_and_top_four(qtbot: QtBot) -> None:
    rule = rule_of_choice("top-4")
    assert rule == ThresholdRule.top(4) and rule is not None and rule.source == "user"
    assert choice_of_rule(ThresholdRule.top(2)) == ("top-2", 50.0, False)
    c = _constructed()
    dialog = RuleDialog(c, ThresholdRule.top(2))
    qtbot.addWidget(dialog)
    assert dialog.rule() == ThresholdRule.top(2)
