"""The race view under each rule, on real files: Pennsylvania's vote-for-N races draw their cut
line at the N-th place and say elected / not elected (never runoff), Georgia's majority races
draw 50 %, a plurality race draws nothing; the header says the rule and where it came from;
"<1 %" reaches the screen; the user's override redraws the race."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.core.model import Contest, Snapshot
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.feeds.clarity import parse_detail_xml
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


@pytest.fixture(scope="module")
def allegheny(shared_data: Path) -> Snapshot:
    path = shared_data / "clarity" / "pa_allegheny_2023-11-07_general_detailxml.zip"
    with zipfile.ZipFile(path) as z:
        return parse_detail_xml(z.read(z.namelist()[0]), source=str(path))


@pytest.fixture(scope="module")
def gwinnett(shared_data: Path) -> Snapshot:
    path = shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
    return parse_detail_xml(path.read_bytes(), source=str(path))


def _multi_seat(snapshot: Snapshot) -> Contest:
    """An Allegheny school board region: vote for 2, five candidates, all of it in the county's
    file (the statewide Superior Court race is only partly there: see test_partial_races.py)."""
    return next(c for c in snapshot.contests if c.name == "School Director Highlands Region 1")


def test_pennsylvania_vote_for_2_cut_line_at_second_place(view: RaceView, allegheny: Snapshot) -> None:
    race = _multi_seat(allegheny)
    assert race.vote_for == 2 and len(race.candidates) > 2
    view.show_contest(race, outstanding=Outstanding.none())
    second = race.totals[race.ranked()[1].id] * 100 / race.total_votes
    assert view.threshold_position() == pytest.approx(second)
    assert view.threshold_label() == "cut: 2nd place"
    texts = view.texts()
    words = " ".join(texts.values())
    assert "runoff" not in words and "50 %" not in words
    ranked = race.ranked()
    assert texts[ranked[0].name].endswith("elected") and texts[ranked[1].name].endswith("elected")
    assert texts[ranked[2].name].endswith("not elected")
    header = view.header_texts()
    assert header["rule"].startswith("Rule: plurality, 2 seats: the 2 with the most votes win")
    assert header["rule"].endswith("from the jurisdiction table")
    assert "elected: " in header["outstanding"]


def test_pennsylvania_single_seat_has_no_line(view: RaceView, allegheny: Snapshot) -> None:
    race = next(c for c in allegheny.contests if c.name == "County Chief Executive")
    view.show_contest(race, outstanding=Outstanding.none())
    assert view.threshold_position() is None and view.threshold_label() == ""
    assert "runoff" not in " ".join(view.texts().values())


def test_georgia_majority_race_draws_50_percent(view: RaceView, gwinnett: Snapshot) -> None:
    senate = next(c for c in gwinnett.contests if c.name.startswith("Sheriff"))
    view.show_contest(senate, outstanding=Outstanding.none())
    assert view.threshold_position() == pytest.approx(50.0)
    assert view.threshold_label() == "50 %"
    assert "21-2-501" in view._rule_label.toolTip()  # the statute, on hover
    soil = next(c for c in gwinnett.contests if "Soil" in c.name)
    view.show_contest(soil, outstanding=Outstanding.none())
    assert view.threshold_label() == "cut: 2nd place"
    assert "nobody is over" not in view.header_texts()["outstanding"]
    assert "runoff" not in " ".join(view.texts().values())


def test_cards_draw_the_same_line(allegheny: Snapshot, gwinnett: Snapshot) -> None:
    race = _multi_seat(allegheny)
    card = card_data(race, race.id)
    second = race.totals[race.ranked()[1].id] * 100 / race.total_votes
    assert card.line == pytest.approx(second) and card.line_label == "cut: 2nd place"
    assert "elected" in card.tooltip and "runoff" not in card.tooltip
    president = next(c for c in gwinnett.contests if c.name.startswith("President"))
    assert card_data(president, president.id).line is None  # Georgia elects electors by plurality


def test_a_probability_under_1_percent_reads_under_1_percent(view: RaceView, gwinnett: Snapshot) -> None:
    senate = next(c for c in gwinnett.contests if c.name.startswith("Sheriff"))
    cands = tuple(
        CandidateProjection(c.id, c.name, senate.totals[c.id], 0.4, 0.45, 0.44, 0.46, 0.004)
        for c in senate.candidates
    )
    projection = ContestProjection(
        senate.id, senate.name, "projected", "", senate.total_votes, cands, Outstanding(1000, 500, 2000)
    )
    view.show_contest(senate, projection=projection)
    assert "over 50 %) <1 %" in view.header_texts()["projection"]


def test_the_users_rule_redraws_the_race(view: RaceView, gwinnett: Snapshot) -> None:
    senate = next(c for c in gwinnett.contests if c.name.startswith("Sheriff"))
    rule = rule_of_choice("share-runoff", 45.0)
    assert rule is not None and rule.share == 0.45 and rule.source == "user"
    view.show_contest(replace(senate, threshold=rule), outstanding=Outstanding.none())
    assert view.threshold_position() == pytest.approx(45.0)
    assert view.header_texts()["rule"].endswith("set by you")
    assert choice_of_rule(rule) == ("share-runoff", 45.0, False)
    assert rule_of_choice(None) is None
    assert rule_of_choice("majority") == ThresholdRule.majority(runoff="none")


def test_rule_dialog_opens_on_the_current_override(qtbot: QtBot, gwinnett: Snapshot) -> None:
    senate = next(c for c in gwinnett.contests if "Perdue" in c.name)
    dialog = RuleDialog(senate, ThresholdRule("share", 0.3, runoff="on-request"))
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "share-request" and dialog.share.value() == pytest.approx(30.0)
    assert dialog.rule() == ThresholdRule("share", 0.3, runoff="on-request")
    dialog.kind.setCurrentIndex(dialog.kind.findData("plurality"))
    assert not dialog.share.isEnabled() and dialog.rule() == ThresholdRule.plurality()


def test_the_override_is_kept_and_comes_back_after_a_restart(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    """Race ▸ Contest rule on the synthetic (constructed) night: plurality for the mayor's race
    hides its 50 % line, says "set by you", and is there again in a new window."""
    from tracker.store import Store
    from tracker.ui.main_window import MainWindow

    def opened() -> MainWindow:
        window = MainWindow(interactive=False)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.drawn, timeout=20_000):
            window.open_night(synthetic_night, contest="mayor", at_end=True)
        return window

    window = opened()
    assert window.race_view.threshold_label() == "50 %"
    with qtbot.waitSignal(window.rule_overrides.changed, timeout=5_000):
        window.rule_overrides.set_rule("mayor", ThresholdRule.plurality())
    assert window.race_view.threshold_position() is None
    assert window.race_view.header_texts()["rule"].endswith("set by you")
    election = window.snapshot.election.id  # type: ignore[union-attr]

    def stored() -> bool:
        with Store() as store:
            return bool(store.rule_overrides(election))

    qtbot.waitUntil(stored, timeout=5_000)
    window.close()

    again = opened()
    qtbot.waitUntil(lambda: again.race_view.threshold_position() is None, timeout=5_000)
    assert again.race_view.header_texts()["rule"].endswith("set by you")
    again.close()


def test_a_county_file_does_not_call_the_statewide_race(view: RaceView, gwinnett: Snapshot) -> None:
    """Gwinnett's share of the presidential race: who leads in the county, no line, no P(over
    it), and the header says the file covers part of the race (tracker.core.coverage)."""
    president = next(c for c in gwinnett.contests if c.name.startswith("President"))
    senate = next(c for c in gwinnett.contests if "Perdue" in c.name)
    cands = tuple(
        CandidateProjection(c.id, c.name, senate.totals[c.id], 0.4, 0.45, 0.44, 0.46, 0.97)
        for c in senate.candidates
    )
    projection = ContestProjection(
        senate.id, senate.name, "projected", "", senate.total_votes, cands, Outstanding(1000, 500, 2000)
    )
    view.show_contest(senate, projection=projection)
    assert view.threshold_position() is None and view.threshold_label() == ""
    assert "over 50 %)" not in view.header_texts()["projection"]
    view.show_contest(president, outstanding=Outstanding.none())
    words = " ".join(view.texts().values())
    assert "leads in this county" in words and "elected" not in words and "final" not in words
    header = view.header_texts()
    assert "leads in this county; this file covers part of the race" in header["outstanding"]
    assert "Gwinnett County's votes only" in header["warning"] and view._warning.isVisibleTo(view)
    card = card_data(president, president.id)
    assert card.line is None and "elected" not in card.tooltip and "leads in this county" in card.tooltip


def test_the_users_rule_reaches_the_list_and_the_cards(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    """On the synthetic (constructed) night the mayor's leader ends at exactly 50 %: not over a
    majority line. A 45 % rule puts the race on the "Over line" list and the card's line at 45 %;
    plurality takes both away; forgetting the rule brings the 50 % line back."""
    from tracker.ui.main_window import MainWindow

    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(synthetic_night, contest="mayor", at_end=True)
    model = window.race_model

    def crossed() -> bool:
        row = model.row_of("mayor")
        assert row is not None
        return model.facts(row).crossed

    def card_line() -> float | None:
        return window.pins.overview.card("mayor").data.line

    def choose(rule: ThresholdRule | None) -> None:
        with qtbot.waitSignal(window.rule_overrides.changed, timeout=5_000):
            window.rule_overrides.set_rule("mayor", rule)

    window.pins.overview.set_pins(["mayor"])
    window.drawn.emit()
    assert not crossed() and card_line() == pytest.approx(50.0)
    choose(ThresholdRule("share", 0.45))
    assert crossed() and card_line() == pytest.approx(45.0)
    assert window.race_view.threshold_position() == pytest.approx(45.0)
    choose(ThresholdRule.plurality())
    assert not crossed() and card_line() is None
    choose(None)
    assert not crossed() and card_line() == pytest.approx(50.0)
    window.close()


def test_a_partial_race_with_parties_draws_in_a_fresh_view(qtbot: QtBot, allegheny: Snapshot) -> None:
    """The partial race's warning appears and resizes the plot while the race is being shown:
    the party letters must exist by then (an IndexError under Xvfb before)."""
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    superior = next(c for c in allegheny.contests if c.name == "Judge of the Superior Court")
    assert superior.partial and any(c.party for c in superior.candidates)
    view.show_contest(superior, outstanding=Outstanding.none())
    qtbot.wait(50)
    assert "in the top 2 in this county" in " ".join(view.texts().values())
