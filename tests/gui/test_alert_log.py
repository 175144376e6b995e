"""The alert log in the window: the bundled GA-06 night (real, reconstructed) with Ossoff's race
pinned fills the dock once, seeking back and forth adds nothing, the CSV holds the same rows; a
synthetic correction flags its race in the list; a synthetic stall raises one alert."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tracker.core.alerts import Alert, AlertKind
from tracker.feeds.poller import FeedHealth
from tracker.ui.main_window import MainWindow
from tracker.ui.race_list import COL_NAME

pytestmark = pytest.mark.gui

OSSOFF_RACE = "10"


def _wait_alerts(qtbot: QtBot, window: MainWindow, count: int) -> None:
    qtbot.waitUntil(lambda: len(window.alert_log.dock.model.rows()) >= count, timeout=60_000)


def test_alert_log_fills_once_and_exports_the_same_rows(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, tmp_path: Path
) -> None:
    from tracker.archive.alerts import scan_night

    expected, _ = scan_night(bundled_night, {OSSOFF_RACE})
    assert len(expected) == 4  # tests/test_alerts_night.py derives these from the night's numbers
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(bundled_night, at="19:30")  # before the first votes
    window.race_model.set_pinned(OSSOFF_RACE, True)  # as a click on the star does

    news: list[Alert] = []
    window.worker.alerts_ready.connect(lambda _known, new: news.extend(new))
    for at in ("01:30", "22:00", "01:30"):  # seek back and forth
        with qtbot.waitSignal(window.drawn, timeout=20_000):
            window.replay_bar.seek(_at(window, at))
        window.worker.wait_idle(60_000)
        qtbot.wait(20)
    _wait_alerts(qtbot, window, 4)
    rows = window.alert_log.dock.model.rows()
    assert [a.key for a in rows] == [a.key for a in expected]
    assert sorted(a.key for a in news) == sorted(a.key for a in expected)  # each announced once

    out = tmp_path / "alerts.csv"
    with qtbot.waitSignal(window.worker.alerts_exported, timeout=10_000):
        window.alert_log.export(out)
    with out.open(encoding="utf-8") as fh:
        written = list(csv.reader(fh))
    model = window.alert_log.dock.model
    assert written[0][:4] == ["time", "race", "what happened", "version"]
    assert len(written) == 1 + len(rows)
    for line, alert in zip(written[1:], rows, strict=True):
        when, race, what, version = model.cells(alert)
        assert line[1:4] == [race, what, version]
        assert line[0].startswith(alert.time.astimezone(window.night.timezone).strftime("%Y-%m-%dT%H:%M"))
        assert when in line[0]


def _at(window: MainWindow, hhmm: str) -> dt.datetime:
    from tracker.archive.replay import parse_clock_time

    info = window.night
    clock = window.replay_bar.clock
    assert info is not None and clock is not None
    return parse_clock_time(hhmm, clock.start, info.timezone)


def write_synthetic_corrected_night(path: Path) -> Path:
    """Synthetic: 1, then 3, then 2 of the 4 mayoral precincts in (the feed took one back)."""
    from synthetic_data import SYNTHETIC_TIMES, synthetic_snapshot

    from tracker.archive.night import NightFile
    from tracker.feeds.native import dump_native
    from tracker.feeds.registry import NATIVE

    night = NightFile.create(
        path,
        kind="reconstructed",
        label="Synthetic corrected night",
        note="synthetic",
        timezone="America/New_York",
    )
    try:
        for when, reported in zip(SYNTHETIC_TIMES, (1, 3, 2), strict=True):
            snap = synthetic_snapshot(reported)
            night.add_payload(dump_native(snap), fetched_at=when, fmt=NATIVE, version=snap.version)
    finally:
        night.close()
    return path


def test_synthetic_correction_flags_the_race_up_to_the_version_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    night = write_synthetic_corrected_night(tmp_path / "synthetic-corrected.night")
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(night, at="20:00")  # the third version: the correction
    model, log = window.race_model, window.alert_log
    qtbot.waitUntil(lambda: len(log.dock.model.rows()) == 4, timeout=20_000)
    rows = log.dock.model.rows()
    assert {a.contest_id for a in rows} == {"mayor"}  # corrections on a race nobody pinned
    assert sorted(str(a.kind) for a in rows) == ["count went down"] * 3 + ["precincts reporting fell"]
    precincts = next(a for a in rows if a.kind is AlertKind.PRECINCTS_DOWN)
    assert precincts.message == "precincts reporting fell: 3 of 4 → 2 of 4"
    assert all(a.version_index == 2 for a in rows)
    row = model.row_of("mayor")
    assert row is not None
    assert str(model.data(model.index(row, COL_NAME))) == "⚠ Synthetic Mayor"
    tip = str(model.data(model.index(row, COL_NAME), Qt.ItemDataRole.ToolTipRole))
    assert "corrected in version 3: precincts reporting fell: 3 of 4 → 2 of 4" in tip
    assert model.data(model.index(model.row_of("council-1"), COL_NAME)) == "Synthetic Council District 1"
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.replay_bar.previous_update()  # before the correction: no flag, the log keeps it
    assert window.shown_version == 1
    assert str(model.data(model.index(row, COL_NAME))) == "Synthetic Mayor"
    assert len(log.dock.model.rows()) == 4


def test_synthetic_stall_alert_in_fake_time(qtbot: QtBot, window: MainWindow, synthetic_night: Path) -> None:
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(synthetic_night)
    info = window.night
    assert info is not None
    window._info = dataclasses.replace(info, live=True)  # as a live feed's recording would be
    t0 = dt.datetime(2024, 11, 6, 1, 0, tzinfo=dt.UTC)
    log = window.alert_log
    log._health = FeedHealth(
        url="http://127.0.0.1/synthetic", kind="native", last_new_at=t0, last_version="v3"
    )
    window.alert_log.dock.stall.setValue(5)
    assert log.check_feed(t0 + dt.timedelta(minutes=4)) == []
    (stalled,) = log.check_feed(t0 + dt.timedelta(minutes=5))
    assert stalled.kind is AlertKind.FEED_STALLED
    assert log.check_feed(t0 + dt.timedelta(minutes=9)) == []  # the same stall: once
    qtbot.waitUntil(lambda: bool(log.dock.model.rows()), timeout=10_000)  # logged, then shown
    window.worker.wait_idle()
    qtbot.wait(50)
    assert [a.kind for a in log.dock.model.rows()] == [AlertKind.FEED_STALLED]
    assert "no new version for 5 min" in log.dock.model.cells(stalled)[2]
