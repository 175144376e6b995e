"""One clock per election (issue 18 item 5): the projection log, the replay bar, the status bar
and the alert log show the election's own zone with its abbreviation; View ▸ Times in UTC
switches them all at once and is remembered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES

from tracker.store import ProjectionRecord
from tracker.ui.main_window import MainWindow
from tracker.ui.projection_log import COLUMNS, local_time

pytestmark = pytest.mark.gui


def _record(made_at: str, snapshot_time: str) -> ProjectionRecord:
    """Synthetic: one logged projection, only its times matter here."""
    return ProjectionRecord(
        made_at=made_at,
        source="synthetic",
        election_id="synthetic",
        version="1",
        payload_id="x",
        snapshot_time=snapshot_time,
        contest_id="mayor",
        contest_name="Synthetic Mayor",
        candidate_id="ada",
        candidate="Synthetic Ada",
        status="projected",
        votes=1,
        share_now=0.5,
        share=0.5,
        lo=0.4,
        hi=0.6,
        p_clear=0.5,
        outstanding=10,
        outstanding_lo=5,
        outstanding_hi=15,
        model_version="m",
    )


@pytest.fixture
def window(qtbot: QtBot, tracker_home: Path, synthetic_night: Path) -> Iterator[MainWindow]:
    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.drawn, timeout=30_000):
        w.open_night(synthetic_night, at="19:30")
    qtbot.wait(20)  # the clock's panels follow right after the night is on screen
    yield w
    w.election_clock.set_utc(False)
    w.close()


def test_local_time() -> None:
    from synthetic_data import NY

    assert local_time("2024-11-06T00:30:00+00:00", NY) == "2024-11-05 19:30:00 EST"
    assert local_time("2024-11-06T00:30:00", NY) == "2024-11-05 19:30:00 EST"  # stored UTC, naive
    assert local_time("not a time", NY) == "not a time"


def test_every_panel_in_the_elections_zone_then_utc_on_demand(qtbot: QtBot, window: MainWindow) -> None:
    log = window.projection_log.model
    log.set_rows([_record("2024-11-06T00:31:00+00:00", SYNTHETIC_TIMES[1].astimezone(dt.UTC).isoformat())])
    column = [name for name, _ in COLUMNS].index("snapshot_time")
    assert log.data(log.index(0, column)) == "2024-11-05 19:30:00 EST"
    headers = [log.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert not any("UTC" in h for h in headers), headers
    assert window.status_text().count("19:30 EST") == 1
    assert window.replay_bar.texts()["now"] == "19:30"

    window.election_clock.action.trigger()  # View ▸ Times in UTC
    assert window.election_clock.utc
    assert log.data(log.index(0, column)) == "2024-11-06 00:30:00 UTC"
    assert "00:30 UTC" in window.status_text()
    assert window.replay_bar.texts()["now"] == "00:30"

    second = MainWindow(interactive=False)  # remembered
    qtbot.addWidget(second)
    assert second.election_clock.utc and second.election_clock.action.isChecked()
    second.close()


def test_the_projection_log_says_which_baseline_each_row_used(qtbot: QtBot) -> None:
    """The same version projected with a baseline and without one: two rows the table tells apart."""
    import dataclasses

    from tracker.ui.projection_log import ProjectionLogModel

    at = SYNTHETIC_TIMES[1].astimezone(dt.UTC).isoformat()
    plain = _record("2024-11-06T00:31:00+00:00", at)
    based = dataclasses.replace(plain, baseline="<b>synthetic-2016</b>: Synthetic Mayor")
    model = ProjectionLogModel()
    model.set_rows([based, plain])
    column = [name for name, _ in COLUMNS].index("baseline")
    assert model.headerData(column, Qt.Orientation.Horizontal) == "baseline"
    assert model.data(model.index(0, column)) == "<b>synthetic-2016</b>: Synthetic Mayor"
    assert model.data(model.index(1, column)) == ""
