"""The race view, a card and the rule dialog for a ranked-choice race: the header says the rule and
where it came from, the line is drawn at 50 % of first choices, P(over it) says it is of first
choices, and below the line no word says "elected" or "runoff". The races are CONSTRUCTED here
(``tests.test_contest_rules.race``; the first choices of Maine's 2nd district, 2018, as reported),
under the rule the jurisdiction table gives Maine's U.S. House race."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.test_contest_rules import race
from tests.test_ranked_choice import ME_CD2, complete
from tracker.core.jurisdiction import rule_for
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.ui.race_card import card_data
from tracker.ui.race_header import terse_rule
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


def _constructed(votes: dict[str, int] = ME_CD2):
    rule = rule_for("ME", "November 6, 2018 General Election", "Representative to Congress District 2")
    assert rule.is_ranked_choice
    return race(votes, rule=rule)


def test_header_line_and_words_below_the_line(view: RaceView) -> None:
    c = _constructed()
    view.show_contest(c, outstanding=Outstanding.none())
    header = view.header_texts()
    assert header["rule"].startswith(
        "Rule: ranked choice: a majority of first choices (over 50 %) wins outright"
    )
    assert header["rule"].endswith("· from the jurisdiction table")
    assert "723-A" in view._rule_label.toolTip()  # the statute, on hover
    assert view.threshold_label() == "50 % of first choices"
    assert view.threshold_position() == pytest.approx(50.0)
    texts = view.texts()
    assert texts["Bruce Poliquin"].endswith("most first choices · ranked-choice rounds decide")
    assert texts["Jared Golden"].endswith("ranked-choice rounds decide")
    assert "the ranked-choice rounds decide, which the feed does not show" in header["outstanding"]
    words = " ".join([*texts.values(), *view.header_texts().values()])
    assert "elected" not in words and "runoff" not in words
    assert terse_rule(c) == "Rule: ranked choice (a majority of first choices wins outright)"
    assert view._bottom.labelText == "share of the first choices counted"
    view.show_contest(race(ME_CD2, rule=ThresholdRule.majority()), outstanding=Outstanding.none())
    assert view._bottom.labelText == "share of the votes counted"


def test_p_over_the_line_says_first_choices(view: RaceView) -> None:
    c = _constructed({"Ada": 4800, "Bo": 4000, "Cy": 1200})
    cands = tuple(
        CandidateProjection(cid, cid, c.totals[cid], c.share(cid), c.share(cid), lo, hi, p)
        for cid, lo, hi, p in (("Ada", 0.46, 0.52, 0.3), ("Bo", 0.38, 0.44, 0.001), ("Cy", 0.1, 0.14, 0.0))
    )
    proj = ContestProjection(
        c.id, c.name, "projected", "", c.total_votes, cands, Outstanding(1000, 500, 2000)
    )
    view.show_contest(c, outstanding=Outstanding(1000, 500, 2000), projection=proj)
    assert "P(>50 % of first choices) 30 %" in view.texts()["Ada"]
    line = view.header_texts()["projection"].replace("\u2068", "").replace("\u2069", "")
    assert line.startswith("Projected final first choices: Ada 48.0 %")
    assert "P(Ada over 50 % of first choices) 30 %" in line


def test_a_card_draws_the_line_and_says_the_rounds_decide() -> None:
    c = complete(_constructed())
    card = card_data(c, c.id)
    assert card.line == pytest.approx(50.0) and card.line_label == "50 % of first choices"
    assert card.status == "final · ranked-choice rounds decide"
    assert "elected" not in card.tooltip and "runoff" not in card.tooltip


def test_the_dialog_offers_ranked_choice(qtbot: QtBot) -> None:
    rule = rule_of_choice("ranked-choice")
    assert rule == ThresholdRule.ranked_choice() and rule is not None and rule.source == "user"
    assert choice_of_rule(ThresholdRule.ranked_choice()) == ("ranked-choice", 50.0, False)
    assert choice_of_rule(ThresholdRule.majority()) == ("majority-runoff", 50.0, False)
    c = _constructed()
    dialog = RuleDialog(c, ThresholdRule.ranked_choice())
    qtbot.addWidget(dialog)
    assert dialog.rule() == ThresholdRule.ranked_choice()
    assert dialog.kind.currentText().startswith("Ranked choice: a majority of first choices wins outright")
    assert not dialog.share.isEnabled()
