"""File ▸ Open feed…: paste a URL, see at once what the tracker makes of it, pick a recent feed.

Recognising the URL is pure string work (:func:`tracker.feeds.discovery.discover`), so it runs as
the user types; whether the address really serves a feed we can read is only known after the first
fetch, which the worker makes off the GUI thread (the window then says so in one sentence).
The AP key typed here is kept in memory for this session only, never written anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tracker.core.errors import FeedError
from tracker.feeds.discovery import AP_KEY_ENV, FeedTarget, discover
from tracker.ui.plain_text import plain_label
from tracker.ui.theme import current_theme

KIND_CHOICES = (
    ("Detect from the address", None),
    ("Clarity (Scytl ENR)", "clarity"),
    ("AP Elections API", "ap"),
    ("Feed document (tracker-feed/1 or Clarity detail XML)", "native"),
)
#: "Detected: …" in green (legible on the palette's background), a refused address in the
#: theme's warning red.
OK_COLOUR = QColor("#1B5E20")


@dataclass(frozen=True)
class FeedRequest:
    """What the user asked for."""

    url: str
    kind: str | None
    interval: float
    api_key: str | None = field(default=None, repr=False)


def describe(target: FeedTarget) -> str:
    """One line saying what will be polled."""
    if target.kind == "clarity" and target.clarity is not None:
        st, county, eid = target.clarity
        where = f"{county} County, {st}" if county else st
        return (
            f"Clarity election {eid} ({where}): polls current_ver.txt and fetches the detail XML "
            "when the version changes"
        )
    if target.kind == "ap":
        key = "API key set" if target.api_key else "no API key"
        return f"AP Elections API ({key}): polls {target.display_url}"
    if target.kind == "gasos":
        return f"Georgia results-site export: polls {target.display_url}; its createdAt is the version"
    if target.kind == "ev" and target.ev is not None:
        return (
            f"Enhanced Voting results ({target.ev[0]}, {target.ev[1]}): polls the site's API; "
            "its lastUpdated is the version"
        )
    return f"Feed document: polls {target.display_url}; its format is read from the first response"


class FeedDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        recent: Sequence[str] = (),
        interval: float = 30.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open feed")
        self.setMinimumWidth(620)
        self._env = os.environ if env is None else env
        self._target: FeedTarget | None = None

        self._url = QLineEdit()
        self._url.setPlaceholderText(
            "https://results.enr.clarityelections.com/GA/63991/ — or an AP or feed URL"
        )
        self._url.setClearButtonEnabled(True)
        self._kind = QComboBox()
        for text, value in KIND_CHOICES:
            self._kind.addItem(text, value)
        self._interval = QDoubleSpinBox()
        self._interval.setRange(0.5, 3600.0)
        self._interval.setDecimals(1)
        self._interval.setSuffix(" s")
        self._interval.setValue(interval)
        self._interval.setToolTip("Never polled faster than this; slower while the feed is failing (backoff)")
        self._key = QLineEdit()
        self._key.setEchoMode(QLineEdit.EchoMode.Password)
        self._key.setPlaceholderText(f"or set {AP_KEY_ENV} in the environment")
        self._key_label = QLabel("AP API key")
        self._detected = plain_label("")  # quotes the address typed and the server's words
        self._detected.setWordWrap(True)
        self._detected.setObjectName("feedDetected")
        self._recent = QListWidget()
        self._recent.setMaximumHeight(120)
        for url in recent:
            self._recent.addItem(QListWidgetItem(url))
        recent_label = QLabel("Recent feeds" if recent else "Recent feeds: none yet")

        form = QFormLayout()
        form.addRow("Address", self._url)
        form.addRow("Kind", self._kind)
        form.addRow("Poll every", self._interval)
        form.addRow(self._key_label, self._key)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        note = QLabel(
            "Every fetch is recorded into a night file in the data folder, to scrub back and replay later."
        )
        note.setWordWrap(True)
        theme = current_theme()
        self._ok_style = f"QLabel {{ color: {theme.legible(OK_COLOUR).name()}; }}"
        self._bad_style = f"QLabel {{ color: {theme.warning.name()}; }}"
        note.setStyleSheet(f"QLabel {{ color: {theme.muted.name()}; }}")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._detected)
        layout.addWidget(recent_label)
        layout.addWidget(self._recent)
        layout.addWidget(note)
        layout.addWidget(self._buttons)

        self._url.textChanged.connect(self._update)
        self._kind.currentIndexChanged.connect(self._update)
        self._key.textChanged.connect(self._update)
        self._recent.itemClicked.connect(lambda item: self._url.setText(item.text()))
        self._recent.itemDoubleClicked.connect(lambda item: (self._url.setText(item.text()), self._accept()))
        self._buttons.accepted.connect(self._accept)
        self._buttons.rejected.connect(self.reject)
        self._update()

    # state -----------------------------------------------------------------------------------------
    def _update(self) -> None:
        text = self._url.text().strip()
        kind = self._kind.currentData()
        key = self._key.text().strip() or None
        self._target = None
        if not text:
            self._detected.setText("Paste the address of a results page or feed.")
            self._detected.setStyleSheet("")
        else:
            try:
                self._target = discover(text, kind=kind, api_key=key, env=self._env)
            except FeedError as exc:
                self._detected.setText(str(exc))
                self._detected.setStyleSheet(self._bad_style)
            else:
                self._detected.setText(describe(self._target))
                self._detected.setStyleSheet(self._ok_style)
        looks_ap = kind == "ap" or "ap.org" in text.lower() or "/elections/" in text.lower()
        show_key = looks_ap and not self._env.get(AP_KEY_ENV)
        self._key.setVisible(show_key)
        self._key_label.setVisible(show_key)
        self._buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(self._target is not None)

    def _accept(self) -> None:
        if self._target is not None:
            self.accept()

    # access ----------------------------------------------------------------------------------------
    def request(self) -> FeedRequest | None:
        """What to open, or None while the address is not usable."""
        if self._target is None:
            return None
        return FeedRequest(
            url=self._url.text().strip(),
            kind=self._kind.currentData(),
            interval=float(self._interval.value()),
            api_key=self._key.text().strip() or None,
        )

    def detected_text(self) -> str:
        return self._detected.text()

    @property
    def url_edit(self) -> QLineEdit:
        return self._url

    @property
    def interval_box(self) -> QDoubleSpinBox:
        return self._interval

    @property
    def kind_box(self) -> QComboBox:
        return self._kind

    @property
    def key_edit(self) -> QLineEdit:
        return self._key

    @property
    def recent_list(self) -> QListWidget:
        return self._recent

    def open_enabled(self) -> bool:
        return self._buttons.button(QDialogButtonBox.StandardButton.Open).isEnabled()


def ask_for_feed(
    parent: QWidget | None, *, recent: Sequence[str] = (), interval: float = 30.0
) -> FeedRequest | None:
    """Show the dialog modally; the request, or None when cancelled."""
    dialog = FeedDialog(parent, recent=recent, interval=interval)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.request()
    return None
