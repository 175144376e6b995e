"""Race ▸ Copy race as text (Ctrl+C) and as image (Ctrl+Shift+C): the race on screen straight into
a story or a chat, with where its numbers come from.

The text is what a reader of the race view takes in: the race, the precincts and votes counted,
what is still out, the projection, one line per candidate (the same lines the screen reader
hears), then the provenance caption. The image is the exported picture (banners, race, caption).
A text field that has the focus keeps Ctrl+C for its own selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence

from tracker.ui.exports import race_on_screen, race_png
from tracker.ui.keyboard_focus import candidate_line

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QStatusBar

    from tracker.core.model import Snapshot
    from tracker.ui.race_view import RaceView
    from tracker.ui.workers import NightInfo


class _Window(Protocol):
    """What the Copy commands use of the main window: what the exports read of the race on
    screen, its banners, and the QMainWindow's status bar and font. Narrow on purpose: this module
    is installed by the window and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    @property
    def race_view(self) -> RaceView: ...
    @property
    def banner(self) -> QLabel: ...
    @property
    def test_banner(self) -> QLabel: ...
    # the QMainWindow it is
    def statusBar(self) -> QStatusBar: ...
    def font(self) -> QFont: ...


def race_text(window: _Window) -> str:
    """The race on screen as plain text ("" when there is none)."""
    race = race_on_screen(window)
    if race is None:
        return ""
    view = window.race_view
    header = view.header_texts()
    lines = [header["title"], header["reporting"], header["outstanding"]]
    if header["projection"]:
        lines.append(header["projection"])
    lines.append("")
    lines += [candidate_line(bar) for bar in view.bars()]
    lines.append("")
    lines += race.caption()
    return "\n".join(line for line in lines if line is not None).strip() + "\n"


class CopyRace(QObject):
    """The two Copy commands in the Race menu."""

    def __init__(self, window: _Window, menu: object) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self.text_action = QAction("&Copy race as text", window)
        self.text_action.setObjectName("copy_text")
        self.text_action.setShortcut(QKeySequence("Ctrl+C"))
        self.text_action.triggered.connect(self.copy_text)
        self.image_action = QAction("Copy race as &image", window)
        self.image_action.setObjectName("copy_image")
        self.image_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.image_action.triggered.connect(self.copy_image)
        menu.addSeparator()  # type: ignore[attr-defined]
        menu.addActions([self.text_action, self.image_action])  # type: ignore[attr-defined]

    def copy_text(self) -> str:
        text = race_text(self._window)
        if not text:
            self._window.statusBar().showMessage("There is no race on screen to copy yet.", 8000)
            return ""
        QGuiApplication.clipboard().setText(text)
        title = text.splitlines()[0]
        self._window.statusBar().showMessage(f"Copied {title} as text", 8000)
        return text

    def copy_image(self) -> bool:
        window = self._window
        race = race_on_screen(window)
        if race is None:
            window.statusBar().showMessage("There is no race on screen to copy yet.", 8000)
            return False
        banners = [b for b in (window.test_banner, window.banner) if b.isVisibleTo(window)]
        image = race_png([*banners, window.race_view], race.caption(), QFont(window.font()))
        QGuiApplication.clipboard().setImage(image)
        window.statusBar().showMessage(f"Copied {race.contest.name} as an image", 8000)
        return True
