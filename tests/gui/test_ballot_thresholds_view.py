"""The race view, a card and the rule dialog for ballot questions with other lines: New
Hampshire's two-thirds (drawn at 2/3, "two-thirds to pass") and Illinois's 60 % with its second
test (never "fails" while Yes may be a majority of all ballots cast). CONSTRUCTED races
(``tests.test_contest_rules.race``) under the jurisdiction table's rules."""

from __future__ import annotations

from fractions import Fraction

import pytest
from pytestqt.qtbot import QtBot

from tests.test_ballot_thresholds import il, nh
from tests.test_contest_rules import race
from tests.test_ranked_choice import complete
from tracker.core.threshold import Outstanding
from tracker.ui.race_card import card_data
from tracker.ui.race_view import RaceView
from tracker.ui.rule_override import RuleDialog, choice_of_rule, rule_of_choice

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot: QtBot) -> RaceView:
    v = RaceView()
    qtbot.addWidget(v)
    v.resize(1000, 640)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_two_thirds_is_drawn_and_said(view: RaceView) -> None:
    c = race({"Yes": 200, "No": 100}, rule=nh())
    view.show_contest(c, outstanding=Outstanding.none())
    assert view.header_texts()["rule"].startswith(
        "Rule: ballot question: passes with at least two-thirds yes"
    )
    assert view.threshold_label() == "two-thirds to pass"
    assert view.threshold_position() == pytest.approx(200 / 3)
    assert view.texts()["Yes"].endswith("passes (at least two-thirds) · final")


def test_illinois_under_60_is_not_said_to_fail(view: RaceView) -> None:
    c = race({"Yes": 587, "No": 413}, rule=il())
    view.show_contest(c, outstanding=Outstanding.none())
    # The bar's room takes the short words; the header the whole sentence.
    assert view.texts()["Yes"] == "58.7 % · 587 · may pass by ballots cast"
    assert "fails the 60 % test; may still pass" in view.header_texts()["outstanding"]
    card = card_data(complete(c), c.id)
    assert card.status == "final · under 60 %, may pass by ballots cast"
    assert "final · fails" not in card.tooltip


def test_the_dialog_offers_both(qtbot: QtBot) -> None:
    two = rule_of_choice("measure-two-thirds")
    assert two is not None and two.fraction == Fraction(2, 3) and two.measure and two.at_least
    assert choice_of_rule(two)[0] == "measure-two-thirds"
    other = rule_of_choice("measure-or-ballots", 60.0, True)
    assert other is not None and other.or_ballots_majority and other.share == 0.6 and other.at_least
    assert choice_of_rule(other) == ("measure-or-ballots", 60.0, True)
    dialog = RuleDialog(race({"Yes": 5, "No": 4}, rule=il()), other)
    qtbot.addWidget(dialog)
    assert dialog.rule() == other and dialog.share.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findData("measure-two-thirds"))
    assert not dialog.share.isEnabled() and dialog.rule() == two
