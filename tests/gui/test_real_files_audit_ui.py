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
