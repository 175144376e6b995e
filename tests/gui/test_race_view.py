"""The race view: real certified GA-06 numbers on the bars, the 50 % line, items updated in place."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot
from synthetic_data import synthetic_snapshot

from tracker.core.model import Contest, Snapshot
from tracker.core.outstanding import estimate_outstanding
from tracker.core.standing import OUT_OF_REACH_ESTIMATED
from tracker.core.threshold import State, ThresholdRule, assess, share_text
from tracker.ui.bar_texts import display_name
from tracker.ui.race_view import RaceView

pytestmark = pytest.mark.gui

HOUSE = "U.S. Representative, District 6"


def _house(snapshot: Snapshot) -> Contest:
    return next(c for c in snapshot.contests if c.name == HOUSE)


def _by_surname(mapping: dict[str, object], surname: str) -> object:
    (key,) = [k for k in mapping if surname.casefold() in k.casefold()]
    return mapping[key]


@pytest.fixture
def view(qtbot: QtBot) -> RaceView:
    """A race view laid out at a realistic size (texts are placed by the plot's pixel width)."""
    v = RaceView()
    qtbot.addWidget(v)
    v.resize(900, 640)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_real_final_result_numbers_on_the_bars(view: RaceView, ga06_final: Snapshot) -> None:
    house = _house(ga06_final)
    view.show_contest(house)
    texts = view.texts()
    assert len(texts) == 18
    ossoff = _by_surname(texts, "Ossoff")
    assert "48.1 %" in ossoff and "92,673" in ossoff
    assert "runoff" in ossoff  # all 208 precincts in, nobody over 50 %: final state
    handel = _by_surname(texts, "Handel")
    assert "19.8 %" in handel and "38,071" in handel
    assert handel.endswith("runoff")  # second place goes on too
    gray = _by_surname(texts, "Gray")  # third (10.8 %): out, so "final", not "runoff"
    assert gray.endswith("final") and "runoff" not in gray

    header = view.header_texts()
    assert header["title"] == HOUSE
    assert header["reporting"] == "Precincts reporting 208 of 208 · 192,569 votes counted"


def test_bar_widths_are_the_shares_and_ranks_run_top_down(view: RaceView, ga06_final: Snapshot) -> None:
    house = _house(ga06_final)
    view.show_contest(house)
    geometry = view.bar_geometry()
    total = house.total_votes
    assert len(geometry) == 18
    for rank, cand in enumerate(house.ranked()):
        x0, width, y = geometry[cand.name]
        assert x0 == 0
        assert width == pytest.approx(100 * house.totals[cand.id] / total)
        assert y == rank
    assert _by_surname(geometry, "Ossoff")[1] == pytest.approx(48.124, abs=1e-3)
    # The left axis lists every candidate, the leader first.
    assert view.axis_names()[0] == "Jon Ossoff"
    assert view.axis_names() == [display_name(c.name) for c in house.ranked()]


def test_threshold_line_at_50_with_its_label(view: RaceView, ga06_final: Snapshot) -> None:
    view.show_contest(_house(ga06_final))
    assert view.threshold_position() == 50
    assert view.threshold_label() == "50 %" == ThresholdRule.majority().label()


def test_plot_items_are_updated_in_place(view: RaceView, ga06_final: Snapshot) -> None:
    """Synthetic versions first, then the real result: the same item objects throughout."""
    view.show_contest(synthetic_snapshot(1).contest("mayor"))
    items = view.plot_items()
    scene_items = len(view.plot_widget.scene().items())
    view.show_contest(synthetic_snapshot(3).contest("mayor"))
    view.show_contest(_house(ga06_final))
    after = view.plot_items()
    assert len(after) == len(items)
    assert all(a is b for a, b in zip(after, items, strict=True))
    assert len(view.plot_widget.scene().items()) == scene_items


def test_needs_text_comes_from_the_threshold_arithmetic(view: RaceView) -> None:
    """Synthetic: 3 of 4 precincts in, so every candidate has a need against an estimate."""
    mayor = synthetic_snapshot(3).contest("mayor")
    view.show_contest(mayor)
    outstanding = estimate_outstanding(mayor)
    assert outstanding is not None and outstanding.expected > 0
    counted = mayor.total_votes
    for rank, cand in enumerate(mayor.ranked()):
        votes = mayor.totals[cand.id]
        need = assess(votes, counted, outstanding, mayor.threshold)
        # the field beyond the top two, out of reach, is simply "out of reach" (core.standing);
        # against an estimate of the vote still out (not one the feed states) it says so
        if need.state is State.OUT_OF_REACH and rank >= 2:
            words = "out of reach" if outstanding.hard else "out of reach (est.)"
        elif need.beyond_reach and not outstanding.hard:
            words = f"{OUT_OF_REACH_ESTIMATED} (would need {share_text(need.share_of_outstanding or 0.0)})"
        else:
            words = need.describe()
        expected = f"{100 * votes / counted:.1f} % · {votes:,} · {words}"
        assert view.texts()[cand.name] == expected
    assert "needs" in view.texts()["ADA LOVELACE"]
    assert "votes still out" in view.header_texts()["outstanding"]


def test_no_line_for_a_plurality_race(view: RaceView) -> None:
    mayor = replace(synthetic_snapshot(4).contest("mayor"), threshold=ThresholdRule("plurality"))
    view.show_contest(mayor)
    assert view.threshold_position() is None
    assert view.threshold_label() == ""
    assert all("runoff" not in t for t in view.texts().values())


def test_empty_view_hides_every_text(view: RaceView) -> None:
    view.show_contest(synthetic_snapshot(3).contest("mayor"))
    view.show_contest(None, message="No results yet")
    assert view.texts() == {}
    assert view.bar_geometry() == {}
    assert view.header_texts()["title"] == "No results yet"
    assert not any(t.isVisible() for t in view.plot_items()[3:])


def test_long_bar_puts_its_text_inside(qtbot: QtBot, view: RaceView) -> None:
    """Synthetic landslide: a text that would run past 100 % goes inside its bar instead."""
    mayor = synthetic_snapshot(4).contest("mayor")
    units = tuple(
        replace(
            u, votes={"ada": {"Election Day": 900}, "bo": {"Election Day": 50}, "cy": {"Election Day": 50}}
        )
        for u in mayor.units
    )
    view.show_contest(replace(mayor, units=units))
    ada = view.plot_items()[3]
    assert view.texts()["ADA LOVELACE"].startswith("90.0 %")
    assert tuple(ada.anchor) == (1, 0.5)
    assert ada.pos().x() < 90


def test_display_name_title_cases_shouted_names() -> None:
    assert display_name("JON OSSOFF") == "Jon Ossoff"
    assert display_name('ROYDEN "ROY" DANIELS') == 'Royden "Roy" Daniels'
    assert display_name("JOHN MCDONALD III") == "John McDonald III"
    assert display_name("Dee Dee Ramone") == "Dee Dee Ramone"


def test_final_header_says_nobody_is_over_the_line(view: RaceView, ga06_final: Snapshot) -> None:
    view.show_contest(_house(ga06_final))
    assert (
        view.header_texts()["outstanding"]
        == "All precincts reporting: nothing outstanding · nobody is over 50 %: Jon Ossoff and Karen Handel "
        "to a runoff"
    )


def test_exactly_half_is_not_a_majority(view: RaceView) -> None:
    """Synthetic: Ada ends on 1,000 of 2,000 votes, 50.0 % — a runoff, not a win (50 % + 1 vote)."""
    mayor = synthetic_snapshot(4).contest("mayor")
    view.show_contest(mayor)
    assert view.texts()["ADA LOVELACE"] == "50.0 % · 1,000 · runoff"
    assert view.header_texts()["outstanding"].endswith(
        "nobody is over 50 %: Ada Lovelace and Bo Diddley to a runoff"
    )


def test_a_given_estimate_is_used_as_is(view: RaceView) -> None:
    """The window passes the worker's estimate; the view must not recompute it (synthetic)."""
    mayor = synthetic_snapshot(3).contest("mayor")
    view.show_contest(mayor, outstanding=None)
    assert view.header_texts()["outstanding"].startswith("Outstanding vote: too early to estimate")
    assert view.texts()["ADA LOVELACE"].endswith("too early to say")


def test_narrow_plot_keeps_the_need_beside_a_long_bar(qtbot: QtBot, view: RaceView) -> None:
    """Synthetic, 3 of 4 precincts in, Ada on 50.7 %: in a narrow window her numbers go inside the
    bar and the need phrase beside it; the phrase is never dropped while it can fit."""
    view.resize(560, 420)
    qtbot.waitUntil(lambda: view.plot_widget.width() < 600)
    mayor = synthetic_snapshot(3).contest("mayor")
    view.show_contest(mayor)
    ada_text = view.texts()["ADA LOVELACE"]
    assert ada_text.startswith("50.7 % · 760 · needs 48.2 %")
    numbers, note = view.plot_items()[3], view.plot_items()[3 + len(view._texts)]
    assert note.isVisible() and note.toPlainText().startswith("needs 48.2 %")
    assert tuple(numbers.anchor) == (1, 0.5) and numbers.pos().x() < 50.7 < note.pos().x()


def _row_pitch(view: RaceView) -> float:
    box = view.plot_widget.getPlotItem().getViewBox()
    return abs(box.mapViewToDevice(QPointF(0, 1)).y() - box.mapViewToDevice(QPointF(0, 0)).y())


def test_at_its_comfortable_height_every_row_is_a_text_line_tall(
    qtbot: QtBot, view: RaceView, ga06_final: Snapshot
) -> None:
    """Real: GA-06's 18 House candidates. ``comfortable_height`` (what docks opening below leave
    the race) gives each bar's row more than a line of text; the view's own minimum stays small
    (a user may still make the window short)."""
    view.show_contest(_house(ga06_final))
    comfortable = view.comfortable_height()
    assert view.minimumSizeHint().height() < comfortable
    view.resize(900, comfortable)
    line = QFontMetrics(view.font()).height()
    qtbot.waitUntil(lambda: view.height() == comfortable and _row_pitch(view) >= line + 4)


def test_in_thinner_rows_names_and_numbers_get_smaller_type_and_back(
    qtbot: QtBot, view: RaceView, ga06_final: Snapshot
) -> None:
    """Real: GA-06's 18 House candidates in a view shorter than its comfortable height (the
    default window with the pinned overview below): the names and numbers shrink until a line of
    them fits the row, so neighbours do not overlap; given the room back, they are full size."""
    view.show_contest(_house(ga06_final))
    usual = view.font().pointSizeF()
    view.resize(900, view.comfortable_height() - 70)

    def smaller() -> None:
        font = view.plot_items()[3].textItem.font()
        assert font.pointSizeF() < usual
        assert QFontMetrics(font).height() <= _row_pitch(view)

    qtbot.waitUntil(smaller)
    view.resize(900, view.comfortable_height() + 40)
    qtbot.waitUntil(lambda: view.plot_items()[3].textItem.font().pointSizeF() == pytest.approx(usual))


def test_share_axis_labels_never_run_into_each_other(
    qtbot: QtBot, view: RaceView, ga06_final: Snapshot
) -> None:
    """Beside a dock the chart is narrow: the % labels go every 20/25/50 points, never overlapping;
    wide again, every 10."""
    from PySide6.QtGui import QFontMetrics

    view.show_contest(_house(ga06_final))

    def labels_fit() -> bool:
        ticks = view._bottom._tickLevels[0]
        step_px = view._vb.width() * (ticks[1][0] - ticks[0][0]) / 100
        return step_px > QFontMetrics(view._tick_font).horizontalAdvance("100 %")

    view.resize(480, 640)
    qtbot.waitUntil(lambda: view._tick_step > 10)
    assert labels_fit()
    view.resize(1400, 640)
    qtbot.waitUntil(lambda: view._tick_step == 10)
    assert labels_fit()


def test_a_feed_without_precinct_counts_says_so_not_0_of_0(view: RaceView, shared_data) -> None:
    """Real: Georgia's 2021 runoff as Clarity's ALL.json served it at 01:51 UTC (49 % counted):
    votes per county, no precinct counts. The header says the feed has none (not "0 of 0"), and
    with the 2020 result by county as baseline the vote-still-out line names the same evidence as
    the projection line: that turnout, with no county complete yet."""
    from tracker.archive.projections import baseline_for, load_baseline_file
    from tracker.core.projection import project_contest
    from tracker.feeds.clarity_json import parse_all_json

    folder = shared_data / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    (path,) = folder.glob("20210106T0151*_ALL.json")
    snapshot = parse_all_json(path.read_bytes())
    race = snapshot.contest("10000")
    assert race.precincts == (0, 0)
    view.show_contest(race, outstanding=None)
    header = view.header_texts()
    assert header["reporting"].startswith("No precinct counts in this feed · ")
    assert "0 of 0" not in header["reporting"]

    # ALL.json carries no date; the night that records it does (5 January 2021)
    baselines = load_baseline_file(shared_data / "clarity" / "wapo-elex-clarity_ga_counties_11-3.xml")
    base = baseline_for(baselines, race, dt.date(2021, 1, 5))
    projection = project_contest(race, base, [])
    assert projection.expected is not None and projection.expected.source == "prior"
    view.show_contest(race, outstanding=None, projection=projection)
    line = view.header_texts()["outstanding"]
    assert "turnout, no unit complete yet (a wide range)" in line, line
    assert "comparable precincts" not in line


def test_a_range_whose_top_is_a_bound_is_not_called_likely(view: RaceView, shared_data) -> None:
    """Real: Georgia's 2021 runoff by county, its 100 most Republican counties in, the cities still
    out, no registered voters: the counties still out may be as big as the largest counted, and
    the vote-still-out line says that is what its top is, not a likely value."""
    from tests.test_expected_vote import _runoff_released
    from tracker.core.projection import project_contest

    race, truly_out = _runoff_released(shared_data, 100, seed=None)
    projection = project_contest(race, None, [])
    assert projection.expected is not None and projection.expected.bounded
    view.show_contest(race, outstanding=None, projection=projection)
    line = view.header_texts()["outstanding"]
    assert "likely" not in line and "to at most" in line
    assert "a county not in yet may be as big as the largest counted" in line
    from tracker.ui.vote_remaining import heading

    assert "likely" not in heading(projection) and "to at most" in heading(
        projection
    )  # the dock says the same
    # the truth (2.8 million still out) is inside the range: the mean county said about 1.0 million
    assert (
        projection.outstanding is not None
        and projection.outstanding.lo <= truly_out <= projection.outstanding.hi
    )


def test_precincts_counted_in_part_are_said_beside_those_fully_in(view: RaceView, ga06_final) -> None:
    """A feed that never marks a precinct complete (North Carolina's timeseries) showed
    "Precincts reporting 0 of 2,758" with 5.4 million votes counted: the header now also says how
    many precincts have some votes in."""
    from tracker.core.model import Reporting

    race = _house(ga06_final)
    units = list(race.units)
    for i in range(5):  # five precincts with votes, no longer marked complete
        units[i] = replace(units[i], reporting=Reporting.PARTIAL)
    partly = replace(race, units=tuple(units))
    reporting, total = partly.precincts
    view.show_contest(partly, outstanding=None)
    header = view.header_texts()["reporting"]
    assert header.startswith(f"Precincts reporting {reporting:,} of {total:,} (5 partly in) · ")
    view.show_contest(race, outstanding=None)
    assert "partly" not in view.header_texts()["reporting"]


def test_nothing_out_says_all_precincts_only_when_they_all_are(qtbot: QtBot, shared_data: Path) -> None:
    """The eighth doc walk: Greenup County's 2014 primary (Clarity, by precinct) read "Precincts
    reporting 32 of 33 (1 partly in)" over "All precincts reporting: nothing outstanding"."""
    from tracker.feeds.registry import parse_payload

    path = shared_data / "clarity" / "openelections-clarify_precinct.xml"
    race = next(
        c
        for c in parse_payload(path.read_bytes(), "auto", source=str(path)).contests
        if c.precincts == (32, 33)
    )
    view = RaceView()
    qtbot.addWidget(view)
    view.show_contest(race)
    outstanding = view.header_texts()["outstanding"]
    assert not outstanding.startswith("All precincts reporting"), outstanding
    assert outstanding.startswith("Nothing estimated to be still out, though not every precinct")
