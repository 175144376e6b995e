"""docs/user-guide.md stays true: its keys table is the window's menus, row for row (a shortcut
added, changed or removed in a menu must be written there too), and the pictures it shows exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow
from tracker.ui.shortcuts import shortcut_rows

pytestmark = pytest.mark.gui

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"


def _table() -> list[tuple[str, str, tuple[str, ...]]]:
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("<!-- keys-table")[1].split("<!-- /keys-table -->")[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Menu", "---"):
            continue
        rows.append((cells[0], cells[1], tuple(re.findall(r"<kbd>(.*?)</kbd>", cells[2]))))
    return rows


def test_the_keys_table_is_the_menus(qtbot: QtBot, tracker_home: Path) -> None:
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    menus = [(r.menu, r.command, r.keys) for r in shortcut_rows(window.menuBar())]
    assert _table() == menus
    window.close()


def test_the_guides_pictures_exist() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    pictures = re.findall(r"\]\((images/[^)]+)\)", text)
    assert pictures
    for picture in pictures:
        path = GUIDE.parent / picture
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert path.stat().st_size < 200_000, f"{picture}: keep the guide's pictures small"
