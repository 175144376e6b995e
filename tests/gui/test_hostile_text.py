"""Nothing from a feed is markup (issue 19, finding 1).

A constructed night whose every name, label and note is hostile text — an ``<img src=…>`` that
points at a canary file, an ``<a href>``, bidi overrides, a 200,000-character name — is opened in
the real window; a reason phrase, an error box and an address typed in the feed dialog carry the
same text. Linux's inotify watches the canary's folder: Qt's rich text would open the file to
draw it, plain text never does. Every label, tooltip and message box must read the text
literally, bounded in length, with no bidi override left to turn our own sentences around.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.poller import FeedHealth
from tracker.ui.main_window import MainWindow
from tracker.ui.plain_text import NAME_LIMIT, TEXT_LIMIT, plain_tooltip

pytestmark = pytest.mark.gui

RLO = "\u202e"
HUGE = "Constructed " + "W" * 200_000


class Canary:
    """inotify on a folder: did anything open a file in it?"""

    IN_OPEN, IN_ACCESS, IN_NONBLOCK = 0x20, 0x01, 0o4000

    def __init__(self, folder: Path) -> None:
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self.libc.inotify_init1(self.IN_NONBLOCK)
        if self.fd < 0:
            pytest.skip("no inotify here")
        self.libc.inotify_add_watch(self.fd, str(folder).encode(), self.IN_OPEN | self.IN_ACCESS)

    def opened(self) -> bool:
        try:
            return bool(os.read(self.fd, 4096))
        except BlockingIOError:
            return False

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def canary():
    # short (a reason phrase of 28 characters did it): /tmp/cnXXXXXXXX
    folder = Path(tempfile.mkdtemp(prefix="cn", dir="/tmp"))
    # A real 1x1 PNG: rich text would open it and draw it.
    (folder / "c.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000005000174d2b9e60000000049454e44ae426082"
        )
    )
    watch = Canary(folder)
    yield folder, watch
    watch.close()
    shutil.rmtree(folder, ignore_errors=True)


def hostile(folder: Path, what: str) -> str:
    """A constructed hostile name: markup that would open the canary, a link, a bidi override."""
    return f'<img src="{folder}/c.png"><a href="file:///etc/passwd">{what}</a> {RLO}<1 % & "q"'


def write_hostile_night(path: Path, folder: Path) -> Path:
    from tracker.archive.night import NightFile
    from tracker.feeds.native import dump_native
    from tracker.feeds.registry import NATIVE

    ny = ZoneInfo("America/New_York")
    election = Election(
        id="constructed-hostile", name=hostile(folder, "election"), note=hostile(folder, "note")
    )
    night = NightFile.create(
        path,
        kind="reconstructed",
        label=hostile(folder, "night label") + " — " + hostile(folder, "label note"),
        note=hostile(folder, "night note"),
        timezone="America/New_York",
    )
    try:
        for i, reported in enumerate((1, 2)):
            units = tuple(
                ReportingUnit(
                    id=f"U{k}",
                    name=hostile(folder, f"unit {k}"),
                    county=hostile(folder, "county"),
                    reporting=Reporting.COMPLETE if k < reported else Reporting.NONE,
                    votes={"a": {hostile(folder, "vote type"): 100 + k}, "b": {"Election Day": 90}}
                    if k < reported
                    else {},
                    registered=1000,
                )
                for k in range(2)
            )
            contest = Contest(
                id="c1",
                name=hostile(folder, "contest"),
                candidates=(
                    Candidate("a", hostile(folder, "cand a"), ballot_order=1),
                    Candidate("b", HUGE, ballot_order=2),
                ),
                units=units,
            )
            other = Contest(id="c2", name=HUGE, candidates=contest.candidates, units=units)
            snap = Snapshot(election=election, contests=(contest, other), version=f"v{i}")
            when = dt.datetime(2024, 11, 5, 19, 0, tzinfo=ny) + dt.timedelta(minutes=30 * i)
            night.add_payload(dump_native(snap), fetched_at=when, fmt=NATIVE, version=snap.version)
    finally:
        night.close()
    return path


def renders_markup(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt in (Qt.TextFormat.AutoText, Qt.TextFormat.MarkdownText) and QtGui.Qt.mightBeRichText(label.text())
    )


def check_every_label_and_tooltip(root: QWidget, folder: Path) -> list[str]:
    """Every label reads hostile text literally; returns the texts seen (for the caller's checks)."""
    seen: list[str] = []
    for label in root.findChildren(QLabel):
        text = label.text()
        seen.append(text)
        if renders_markup(label):
            assert "<img" not in text and '<a href="file' not in text, (label.objectName(), text[:200])
        assert len(text) <= 4 * TEXT_LIMIT, (label.objectName(), len(text))
        assert RLO not in text, label.objectName()
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        tip = widget.toolTip()
        if tip:
            shown = plain_tooltip(tip)
            assert "<img" not in shown or not QtGui.Qt.mightBeRichText(shown) or "&lt;img" in shown
    return seen


def show_every_tooltip(qtbot: QtBot, root: QWidget) -> None:
    """Send a tooltip event to every widget and item view cell, as hovering would."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        targets = [QPoint(2, 2)]
        if isinstance(widget.parent(), QAbstractItemView) and widget.parent().viewport() is widget:
            view = widget.parent()
            model = view.model()
            targets = [
                view.visualRect(model.index(r, c)).center()
                for r in range(min(model.rowCount(), 5))
                for c in range(model.columnCount())
            ]
        for pos in targets:
            event = QHelpEvent(QHelpEvent.Type.ToolTip, pos, widget.mapToGlobal(pos))
            QApplication.sendEvent(widget, event)
            qtbot.wait(1)
        if QToolTip.isVisible():
            assert "<img" not in QToolTip.text() or "&lt;img" in QToolTip.text()
    QToolTip.hideText()


def test_hostile_names_labels_and_notes_read_literally_and_open_nothing(
    qtbot: QtBot, tracker_home: Path, tmp_path: Path, canary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, watch = canary
    night = write_hostile_night(tmp_path / "constructed_hostile.night", folder)
    win = MainWindow(interactive=False)
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    with qtbot.waitSignal(win.drawn, timeout=20_000):
        win.open_night(night, at_end=True)
    for contest_id in ("c2", "c1"):
        win.select_contest(contest_id)  # synchronous: the race view draws at once
        qtbot.wait(300)
    win.drilldown.show()
    qtbot.wait(200)

    # a reason phrase and an error naming a refused name
    win.feed_status.setVisible(True)
    win.feed_status.set_running(True)
    reason = f"<img src={folder}/c.png>"
    win.feed_status.set_health(FeedHealth(url=hostile(folder, "url"), kind="native", error=reason))
    win.report_error(f"The feed named {hostile(folder, 'refused')} could not be read")
    qtbot.wait(200)

    seen = check_every_label_and_tooltip(win, folder)
    show_every_tooltip(qtbot, win)
    qtbot.wait(100)
    assert not watch.opened(), "rich text opened the canary file"

    # literally: the title reads the contest's name, markup and all, and a long name is elided
    title = win.race_view.header_texts()["title"]
    assert title.startswith(f'<img src="{folder}/c.png"><a href="file:///etc/passwd">')
    assert title == hostile(folder, "contest").replace(RLO, "")[: NAME_LIMIT - 1] + "…" or "<1 %" in title
    win.select_contest("c2")
    assert len(win.race_view.header_texts()["title"]) <= NAME_LIMIT
    assert any(f"error: {reason}" in text for text in seen)  # the reason phrase, as sent
    wide = sorted(
        (
            (w.minimumSizeHint().width(), w.metaObject().className(), w.objectName())
            for w in win.findChildren(QWidget)
            if w.isVisible()
        ),
        reverse=True,
    )[:8]
    assert win.width() <= 1200 * 2, f"a long name widened the window: {wide}"
    assert RLO not in win.windowTitle() and len(win.windowTitle()) < 2 * TEXT_LIMIT


def test_an_error_box_shows_its_message_as_plain_text(
    qtbot: QtBot, tracker_home: Path, canary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, watch = canary
    boxes: list[tuple[Qt.TextFormat, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        box.show()
        qtbot.wait(50)
        boxes.append((box.textFormat(), box.text()))
        box.close()
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        lambda parent, title, text, *a: fake_exec(
            QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
        ),
    )
    win = MainWindow(interactive=True, persist_layout=False)
    qtbot.addWidget(win)
    message = f"{HUGE} {hostile(folder, 'error')}"
    win.report_error(message)
    assert boxes, "no message box"
    fmt, text = boxes[0]
    assert fmt == Qt.TextFormat.PlainText
    assert len(text) <= TEXT_LIMIT
    assert not watch.opened()


def test_the_feed_dialog_quotes_a_hostile_address_literally(qtbot: QtBot, tracker_home: Path, canary) -> None:
    from tracker.ui.feed_dialog import FeedDialog

    folder, watch = canary
    dialog = FeedDialog(recent=[hostile(folder, "recent")])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.findChild(QLabel, "feedDetected")
    for child in dialog.findChildren(QWidget):
        if child.metaObject().className() == "QLineEdit":
            child.setText(f"notaurl {hostile(folder, 'typed')}")
            break
    qtbot.wait(100)
    for label in dialog.findChildren(QLabel):
        assert not (renders_markup(label) and "<img" in label.text())
    assert not watch.opened()


def test_a_tooltip_made_plain_stays_as_it_is_and_a_forged_one_is_escaped() -> None:
    """The guard passes a tooltip ``plain_tooltip`` already made (no double escaping), and
    escapes one that only looks like it (a tag inside)."""
    made = plain_tooltip("<img src=x> & y")
    assert made == '<p style="white-space:pre-wrap">&lt;img src=x&gt; &amp; y</p>'
    assert plain_tooltip(made) == made
    forged = '<p style="white-space:pre-wrap"><img src=x></p>'
    assert "<img" not in plain_tooltip(forged)
    assert plain_tooltip("Back to the newest version") == "Back to the newest version"
