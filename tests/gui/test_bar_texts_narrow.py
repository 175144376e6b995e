"""No number cut at the chart's edge (found by the eighth documentation walk): Georgia's 2021
Senate runoff in the race pane beside "Where the vote remains" (Ctrl+Shift+W) drew Perdue's
"50.0 % · 2,189,562" past the chart's right edge, read "2,189,56": two bars near 50 % leave room
neither beside nor inside them for share and votes. The votes now give way before the share."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tracker.feeds.registry import parse_payload
from tracker.ui.race_view import RaceView

pytestmark = pytest.mark.gui


def test_share_and_votes_never_run_past_the_chart(qtbot: QtBot, shared_data: Path) -> None:
    path = shared_data / "ga-sos" / "2021-01-05_federal_runoff.json"
    snapshot = parse_payload(path.read_bytes(), "auto", source=str(path))
    perdue = next(c for c in snapshot.contests if "Perdue" in c.name)
    view = RaceView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.show_contest(perdue)
    for width in (900, 520, 440):
        view.resize(width, 420)
        QApplication.processEvents()
        right = view._vb.sceneBoundingRect().right()
        shown = [t for t in view._texts if t.isVisible() and getattr(t, "_markup", "")]
        assert len(shown) == 2, width
        for text in shown:
            assert text.sceneBoundingRect().right() <= right + 1.0, (width, text._markup)
            assert "%" in text._markup  # the share always stays
    view.resize(900, 420)
    QApplication.processEvents()
    wide_texts = [t._markup for t in view._texts if t.isVisible() and getattr(t, "_markup", "")]
    assert all("2," in m for m in wide_texts)  # with room, the votes are there
