"""A night whose files have no times (placed in file order, one minute apart from 2000-01-01) says
which version, never the placeholder time, in the alert log and its CSV, the chart's hover text,
presentation mode, Go to time, and the projection log and its CSV (tracker.core.untimed).

The night is CONSTRUCTED from real files: Allegheny 2022 HD30's thirteen CSVs saved under names
without their times, the 5th and 6th swapped so that the count goes down in version 6 (three
"count went down" corrections, raised on any race, pinned or not)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from tracker.archive.importer import import_payloads
from tracker.ui.main_window import MainWindow
from tracker.ui.presentation import RACE

pytestmark = pytest.mark.gui

PLACEHOLDER = ("2000", "00:0", "00:1", "UTC")


def constructed_untimed_night(shared_data: Path, tmp_path: Path) -> Path:
    sources = sorted((shared_data / "nights" / "allegheny-2022" / "HD30").glob("*.csv"))
    assert len(sources) == 13
    order = [0, 1, 2, 3, 5, 4, *range(6, 13)]  # v 5 and v 6 swapped: a count goes down in v 6
    folder = tmp_path / "constructed-order"
    folder.mkdir()
    for i, k in enumerate(order, start=1):
        shutil.copy(sources[k], folder / f"{i:02d}.csv")
    night = tmp_path / "constructed_untimed_hd30.night"
    import_payloads([folder], out=night)
    return night


@pytest.fixture
def untimed_window(make_window: Callable[..., MainWindow], shared_data: Path, tmp_path: Path) -> MainWindow:
    night = constructed_untimed_night(shared_data, tmp_path)
    window = make_window(size=(1200, 760), night=night, at="v 6")
    assert window.night is not None and window.night.untimed
    assert window.replay_bar.texts()["now"] == "v 6"
    return window


def no_placeholder(text: str) -> bool:
    return not any(p in text for p in PLACEHOLDER)


def test_constructed_untimed_alert_log_and_its_csv_say_the_version(
    qtbot: QtBot, untimed_window: MainWindow, tmp_path: Path
) -> None:
    window = untimed_window
    log = window.alert_log
    qtbot.waitUntil(lambda: len(log.dock.model.rows()) == 3, timeout=30_000)
    model = log.dock.model
    for row, alert in enumerate(model.rows()):
        assert alert.version_index == 5 and alert.is_correction
        when, _race, _what, version = model.cells(alert)
        assert (when, version) == ("v 6", "6")
        assert str(model.data(model.index(row, 0))) == "v 6"
        tip = str(model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole))
        assert "version 6" in tip and "no times" in tip and no_placeholder(tip), tip
    out = tmp_path / "alerts.csv"
    with qtbot.waitSignal(window.worker.alerts_exported, timeout=10_000):
        log.export(out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "time" and len(rows) == 4
    assert {r[0] for r in rows[1:]} == {"v 6"} and {r[3] for r in rows[1:]} == {"6"}
    assert all(no_placeholder(",".join(r[:4])) for r in rows[1:])


def test_constructed_untimed_hover_presentation_and_go_to_say_the_version(
    qtbot: QtBot, untimed_window: MainWindow
) -> None:
    window = untimed_window
    info = window.night
    assert info is not None

    # the chart's hover text, over the 5th version
    def drawn_to_v5() -> bool:
        series = window.timeline_view.series()
        return bool(series) and any(
            len(c["running_t"]) and c["running_t"][0] <= info.times[4].timestamp() for c in series.values()
        )

    qtbot.waitUntil(drawn_to_v5, timeout=30_000)
    view = window.timeline_view.plot_widget.getPlotItem().getViewBox()
    scene = view.mapViewToScene(QPointF(info.times[4].timestamp() + 20, 50.0))
    hover = window.navigation.hover_text(scene)
    assert hover.splitlines()[0] == "v 5", hover
    assert "%" in hover and no_placeholder(hover)
    # presentation mode's line
    screen = window.presentation.toggle(RACE, full_screen=False)
    assert screen is not None
    assert "v 6" in screen.line_text() and no_placeholder(screen.line_text()), screen.line_text()
    with qtbot.waitSignal(window.drawn, timeout=10_000):
        window.navigation.go_to("v 8")
    assert "v 8" in screen.line_text()
    window.presentation.toggle(RACE, full_screen=False)
    # a clock time typed on a night with no clock: said, not a jump to a placeholder minute
    assert window.navigation.go_to("00:03") is None
    assert "no times" in window.statusBar().currentMessage() and "v 13" in window.statusBar().currentMessage()
    assert window.replay_bar.texts()["now"] == "v 8"


def test_constructed_untimed_projection_log_and_its_csv_say_the_version(
    qtbot: QtBot, untimed_window: MainWindow, tmp_path: Path
) -> None:
    window = untimed_window
    dock = window.projection_log
    qtbot.waitUntil(lambda: window.worker.history_ready(window.shown_version), timeout=30_000)
    window.worker.wait_idle(60_000)
    dock.show()
    with qtbot.waitSignal(window.worker.projection_log_ready, timeout=10_000):
        dock.refresh()
    model = dock.model
    rows = model.rows()
    assert rows
    shown = {str(model.data(model.index(r, 0))) for r in range(model.rowCount())}
    assert model.headerData(0, Qt.Orientation.Horizontal) == "version time"
    assert "v 6" in shown and all(s.startswith("v ") for s in shown), shown
    # the store keeps the placeholder (its key); only what is shown says the version
    assert all(r.snapshot_time and r.snapshot_time.startswith("2000-01-01") for r in rows)
    target = tmp_path / "log.csv"
    with qtbot.waitSignal(window.worker.projection_log_exported, timeout=10_000):
        dock.export(target)
    with target.open(encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert len(written) == len(rows)
    assert {w["snapshot_time"] for w in written} == shown
