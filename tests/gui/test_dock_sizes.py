"""Docks at sizes that suit them (issue 18 item 2): an empty alert log is the one line that says
so; with rows its table comes back; opening below the race leaves the race its height."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES

from tracker.core.alerts import Alert, AlertKind
from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_an_empty_log_is_one_line_and_its_rows_bring_the_table_back(
    qtbot: QtBot, tracker_home: Path, synthetic_night: Path
) -> None:
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    window.resize(1000, 640)
    window.show()
    with qtbot.waitSignal(window.drawn, timeout=30_000):
        window.open_night(synthetic_night, at_end=True)
    dock = window.alert_log.dock
    table = dock.findChild(QTableView)
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: dock.isVisible(), timeout=5_000)
    qtbot.wait(50)
    assert not table.isVisibleTo(dock)
    line = dock.fontMetrics().height()
    assert dock.height() <= dock.minimumSizeHint().height() + line, "an empty log takes more than its line"

    alert = Alert(
        AlertKind.LEAD_CHANGE,
        "mayor",
        "Synthetic Mayor",
        "",
        "synthetic lead change",
        1,
        "",
        SYNTHETIC_TIMES[1],
    )
    dock.show_rows([alert])
    assert table.isVisibleTo(dock)
    dock.show_rows([])
    assert not table.isVisibleTo(dock)
    window.close()
