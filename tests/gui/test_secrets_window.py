"""A password in a feed's address never reaches the window's surfaces (issue 19, finding 4): the
real window opens ``http://user:password@127.0.0.1:…`` (a constructed feed on loopback) and the
title, the status bar, every tooltip, the feed dialog's recent list, the store and the night's file
name hold the address without it, while the server receives it as HTTP Basic auth."""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from hostile_server import HostileServer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

PASSWORD = "Pw-51c0ffee-Distinctive-Password"
USER = "constructed-user"


def leaks(text: str) -> list[str]:
    forms = (PASSWORD, urllib.parse.quote(PASSWORD), PASSWORD.lower(), f"{USER}:", f"{USER}@")
    return [form for form in forms if form in text or form in text.lower()]


def test_the_window_never_shows_or_stores_a_password_from_the_feed_address(
    qtbot: QtBot, tracker_home: Path
) -> None:
    window = MainWindow(interactive=False, persist_layout=False)
    qtbot.addWidget(window)
    window.show()
    with HostileServer() as server:
        url = server.url.replace("http://", f"http://{USER}:{PASSWORD}@")
        with qtbot.waitSignal(window.drawn, timeout=60_000):
            window.open_feed(url, interval=0.05)
        qtbot.waitUntil(lambda: window.feed_status.toolTip() != "", timeout=30_000)
        qtbot.wait(300)
        assert server.requests and all("authorization" in h for _p, h in server.requests)
        surfaces = [window.windowTitle(), window.status_text(), window.feed_status.toolTip()]
        surfaces += [w.toolTip() for w in window.findChildren(QWidget)]
        assert server.url in window.windowTitle()
        for text in surfaces:
            assert not leaks(text), text
        window.stop_feed()
        qtbot.wait(300)
    window.close()
    files = [p for p in tracker_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".night" for p in files)
    for path in files:
        assert not leaks(path.name) and not leaks(path.read_bytes().decode("utf-8", "replace")), path
        if path.suffix in (".sqlite", ".db", ".night"):
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                    for row in conn.execute(f'SELECT * FROM "{table}"'):
                        assert not leaks(repr(row)), (path, table)
            finally:
                conn.close()
