"""The race view says on what evidence a Georgia export's count is final, or what it lacks.

Real: the 2021 federal runoff as Georgia's results site re-exported it in 2025 (no precinct
counts, no status): the walk saw "too early to say" on every bar and "too early to estimate
(nothing yet says how much vote is still out)" over the certified count. The edited copy is that
real file with only ``createdAt`` moved to election night, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.core.outstanding import estimate_outstanding
from tracker.core.projection import project_contest
from tracker.feeds.gasos import parse_ga_sos_json
from tracker.ui.race_view import RaceView

pytestmark = pytest.mark.gui

RUNOFF = "ga-sos/2021-01-05_federal_runoff.json"


@pytest.fixture
def view(qtbot: QtBot) -> RaceView:
    v = RaceView()
    qtbot.addWidget(v)
    v.resize(900, 640)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_the_final_count_says_it_was_read_from_the_exports_date(view: RaceView, shared_data: Path) -> None:
    race = parse_ga_sos_json((shared_data / RUNOFF).read_bytes()).contest("10000")
    view.show_contest(
        race, outstanding=estimate_outstanding(race), projection=project_contest(race, None, [])
    )
    header = view.header_texts()
    assert header["outstanding"].startswith(
        "Nothing outstanding: final count as read from the export's date: made 8 Jan 2025, "
        "4 years after election day (5 Jan 2021); the file itself does not say it is final"
    ), header["outstanding"]
    assert header["reporting"].startswith("No precinct counts in this feed · 4,484,902 votes counted")
    bars = view.bars()
    assert len(bars) == 2 and not any("too early" in b.text for b in bars), [b.text for b in bars]


def test_an_export_of_the_night_says_what_is_missing(view: RaceView, shared_data: Path) -> None:
    doc = json.loads((shared_data / RUNOFF).read_bytes())
    doc["createdAt"] = "2021-01-06T04:30:00Z"  # edited copy: made on election night
    race = parse_ga_sos_json(json.dumps(doc).encode()).contest("10000")
    projection = project_contest(race, None, [])
    assert projection.too_early
    view.show_contest(race, outstanding=None, projection=projection)
    line = view.header_texts()["outstanding"]
    assert line.startswith(f"Outstanding vote: too early to estimate ({projection.reason}; ")
    assert (
        "the export gives no precinct counts and does not say whether the count is final: "
        "made 5 Jan 2021, on election day)"
    ) in line
