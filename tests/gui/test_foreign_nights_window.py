"""The window's side of a corrupt or foreign ``.night``: one sentence in the status bar (and a
message box for a person), never a crash, and the window goes on working. The same files as the
CLI's test (tests/foreign_nights.py), each with the words its message must contain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from foreign_nights import FOREIGN, make_foreign
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window(persist_layout=True)


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_a_foreign_night_is_one_sentence_and_the_window_goes_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, synthetic_night: Path, kind: str
) -> None:
    path = make_foreign(kind, tmp_path)
    with qtbot.waitSignal(window.error_reported, timeout=15_000) as error:
        window.open_night(path)
    message = error.args[0]
    assert FOREIGN[kind] in message and path.name in message
    assert "\n" not in message and "Traceback" not in message
    assert message in window.status_text()
    with qtbot.waitSignal(window.drawn, timeout=15_000):
        window.open_night(synthetic_night, at_end=True)
    assert window.race_view.header_texts()["title"] == "Synthetic Mayor"
