"""What the window says about the night it shows: its title, the reconstructed and test banners.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`NightLabels` in,
because these words are a promise to the user: a reconstructed night is never passed off as a
recording (the banner, whatever path it came by), and numbers a feed marks as test data say so
above the race, in the title and in the status bar. The feed's words are escaped in our markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.ui.plain_text import TEXT_LIMIT, clean, esc

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QMainWindow

    from tracker.core.model import Snapshot
    from tracker.ui.workers import NightInfo

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object

APP_TITLE = "Election Night Tracker"
RECONSTRUCTED_NOTE = "reconstructed from certified precinct results — not the original feed"


def reconstructed_banner(name: str, note: str) -> str:
    """The banner over a reconstructed night (markup, the feed's words escaped): its name, then its
    note -- unless the name already says it. A served reconstruction's election name carries the
    note, and the live path once printed the sentence twice."""
    note = note.strip().rstrip(".") or RECONSTRUCTED_NOTE
    text = name if note.lower() in name.lower() else f"{name} — {note}"
    return f"<b>Reconstructed night.</b> {esc(text, TEXT_LIMIT)}"


BANNER_STYLE = (
    "QLabel { background: #FFF4D6; color: #3D2E00; border: 1px solid #E6C36A;"
    " border-left: 5px solid #E69F00; padding: 6px 10px; }"
)
#: AP test mode (and any feed that marks its numbers as test data): impossible to miss.
TEST_BANNER_STYLE = (
    "QLabel { background: #B3261E; color: white; font-weight: bold; border: 2px solid #7A1712;"
    " padding: 6px 10px; }"
)
TEST_TEXT = "TEST DATA — not real results."


class NightLabels(_Base):
    """The labels part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    _info: NightInfo | None
    _banner: QLabel
    _test_banner: QLabel
    _status_version: QLabel

    def _show_reconstructed_label(self, snapshot: Snapshot) -> None:
        """A reconstructed night stays labelled when it arrives as a live feed (``serve``): the
        recording is "recorded", but the versions it carries say what they are."""
        info = self._info
        if info is None or info.reconstructed:
            return  # the night file's own label is already shown
        election = snapshot.election
        if election.reconstructed:
            self._banner.setText(reconstructed_banner(election.name, election.note))
        self._banner.setVisible(election.reconstructed)

    def _show_test_label(self, snapshot: Snapshot) -> None:
        """A version the feed marks as test data (AP's test mode) says so above the race, in the
        title and in the status bar; the label goes as soon as a version with real results comes
        (AP leaves test mode before election night)."""
        election = snapshot.election
        test = bool(getattr(election, "test", False))
        self._test_banner.setVisible(test)
        title = self.windowTitle().removeprefix("[TEST] ")
        if test:
            self._test_banner.setText(f"{TEST_TEXT} {clean(election.note, TEXT_LIMIT)}".strip())
            title = f"[TEST] {title}"
        self.setWindowTitle(title)
        self._status_version.setText(
            self._status_version.text().removesuffix(" · TEST DATA") + (" · TEST DATA" if test else "")
        )
