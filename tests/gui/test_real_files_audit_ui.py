"""The window on real files (docs/real-files-audit.md): what the audit's screenshots showed wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.core.projection import project_contest
from tracker.feeds.registry import parse_payload
from tracker.ui.timeline import TimelinePoint, TimelineView


@pytest.mark.parametrize("width", [420, 520, 640])
def test_timeline_legend_names_clarity_candidates_by_surname_not_party(
    qtbot: QtBot, shared_data: Path, width: int
) -> None:
    path = shared_data / "ga-sos/2021-01-05_federal_runoff.json"
    snap = parse_payload(path.read_bytes(), source=str(path))
    contest = next(c for c in snap.contests if "Loeffler" in c.name)
    when = dt.datetime(2021, 1, 6, 5, 0, tzinfo=dt.UTC)
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    timeline.resize(width, 200)
    timeline.set_history([TimelinePoint(when, project_contest(contest))], when, span=(when, when))
    caption = timeline.caption()
    # Narrow panes drop to surnames: the screenshot read "— (Dem) and (Rep): counted so far".
    assert "Warnock" in caption and "Loeffler" in caption
    assert "(Dem) and" not in caption


@pytest.mark.parametrize("width", [730, 900])
def test_rule_is_never_a_stub_beside_a_long_count_line(qtbot: QtBot, shared_data: Path, width: int) -> None:
    from tracker.core.threshold import Outstanding
    from tracker.ui.race_view import RaceView

    path = shared_data / "ap/newsdev-elex_20160301_super_tuesday.json"
    snap = parse_payload(path.read_bytes(), source=str(path))
    race = next(c for c in snap.contests if c.name == "MA President, Dem Primary")
    view = RaceView()
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    view.show_contest(race, outstanding=Outstanding.none())
    qtbot.wait(50)  # the rule's own line is placed after the layout pass
    shown = view.rule_shown()
    # The window at 1280×800 read "Rule: pl…" beside "… · AP called: Hillary Clinton".
    assert shown.startswith("Rule: plurality") and not shown.endswith("…")
    assert view.header_texts()["rule"] == (
        "Rule: plurality (most votes win), no runoff; a presidential primary: nobody is elected; "
        "each party allots its delegates by its own rules · from the jurisdiction table"
    )


def test_a_ticket_is_named_by_its_head_on_cards_and_the_timeline(shared_data: Path) -> None:
    from tracker.ui.race_card import short_name

    path = shared_data / "clarity/co_2020_general_statewide_detail_20201123.xml"
    snap = parse_payload(path.read_bytes(), source=str(path))
    electors = next(c for c in snap.contests if c.name == "Presidential Electors")
    top = [c.name for c in electors.ranked()[:3]]
    assert [short_name(n) for n in top] == ["Biden", "Trump", "Jorgensen"]
