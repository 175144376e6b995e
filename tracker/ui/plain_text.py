"""Text from a feed, a night file, a server or a user is data, never markup (issue 19).

Qt guesses: a QLabel, a tooltip or a message box whose text *looks* like HTML is rendered as rich
text, and rich text loads images (``<img src=/dev/zero>`` ate all memory, ``<img src=/some/file>``
opened a local file) and eats anything between ``<`` and ``>`` ("P(… over 50 %) <1 %"). Every
widget that shows such text goes through this module: labels are set to ``Qt.PlainText``, our own
markup escapes what it quotes (:func:`esc`), tooltips and message boxes are made literal
(:func:`plain_tooltip`, :func:`warn`, and :class:`ToolTipGuard` for every tooltip in the app, item
views included). Feed text inside our sentences is bidi-isolated (a right-to-left override in a
name must not reverse our caption) and elided (a 100,000-character name must not widen the window).
"""

from __future__ import annotations

import html
import re

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QToolTip,
    QWidget,
)

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE
NAME_LIMIT = 200  # characters of one feed name inside a sentence or a label
TEXT_LIMIT = 2000  # characters of any one text shown (a tooltip, an error box)
# Embeddings, overrides and isolates: a stray PDI in a name would close our isolate early, an
# unclosed RLO would reverse the rest of our sentence; the marks (LRM, RLM, ALM) are harmless.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def elide(text: str, limit: int = NAME_LIMIT) -> str:
    """At most ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def clean(text: object, limit: int = NAME_LIMIT) -> str:
    """Feed text made safe to embed: no bidi embedding or override controls, elided."""
    return elide(_BIDI_CONTROLS.sub("", str(text)), limit)


def isolate(text: object, limit: int = NAME_LIMIT) -> str:
    """Feed text to put inside one of our sentences: cleaned and wrapped in FSI … PDI, so that a
    right-to-left name reads right to left without turning the sentence around it."""
    return f"{FSI}{clean(text, limit)}{PDI}" if text != "" else ""


def esc(text: object, limit: int = NAME_LIMIT) -> str:
    """Feed text to put inside our own markup: isolated, then HTML-escaped."""
    return html.escape(isolate(text, limit), quote=False)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets its text."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(*labels: QLabel) -> None:
    """Turn existing labels to plain text (set once, before any feed text reaches them)."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def make_markup(*labels: QLabel) -> None:
    """Labels whose text is OUR markup, every quoted piece passed through :func:`esc`."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.RichText)


def never_widen(*widgets: QWidget) -> None:
    """Widgets that show feed text take the width the layout gives them, never their text's:
    a 200-character name (elided from 200,000) would otherwise make the window 4,000 px wide."""
    for widget in widgets:
        policy = widget.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        widget.setSizePolicy(policy)


def plain_tooltip(text: object) -> str:
    """A tooltip string Qt shows literally: unchanged when Qt would not take it for rich text
    (so ordinary tooltips read as before), else escaped inside a pre-wrapped paragraph."""
    text = elide(str(text), TEXT_LIMIT)
    if not QtGui.Qt.mightBeRichText(text) or _already_plain(text):
        return text
    return _PRE + html.escape(text, quote=False) + _END


_PRE, _END = '<p style="white-space:pre-wrap">', "</p>"


def _already_plain(text: str) -> bool:
    """What :func:`plain_tooltip` made: our paragraph around text with no tag left in it."""
    if not (text.startswith(_PRE) and text.endswith(_END)):
        return False
    inner = text[len(_PRE) : -len(_END)]
    return "<" not in inner and ">" not in inner


def warn(parent: QWidget | None, title: str, message: str) -> QMessageBox.StandardButton:
    """``QMessageBox.warning`` with the message as plain text (it quotes names and servers)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(elide(message, TEXT_LIMIT))
    box.setTextFormat(Qt.TextFormat.PlainText)
    return QMessageBox.StandardButton(box.exec())


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """A Yes/No question with the text plain (it quotes file names): True for Yes."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(elide(question, TEXT_LIMIT))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    return QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Yes


class ToolTipGuard(QObject):
    """Every tooltip in the application shown literally, whatever widget or model it comes from.

    Qt renders a tooltip as rich text when it looks like HTML, for a widget's ``toolTip()`` and for
    an item view's ``ToolTipRole`` alike; a feed name reaches many of both. Installed once on the
    application, the guard shows such a tooltip escaped and leaves every other one to Qt."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QHelpEvent)
        view = watched.parent()
        if isinstance(view, QAbstractItemView) and view.viewport() is watched:
            index = view.indexAt(event.pos())
            value = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
            text = "" if value is None else str(value)
        else:
            text = watched.toolTip()
        if not text or plain_tooltip(text) == text:
            return False  # Qt's own handling: nothing that could be taken for markup
        QToolTip.showText(event.globalPos(), plain_tooltip(text), watched)
        return True


_GUARD_NAME = "plainTextToolTipGuard"


def install_tooltip_guard() -> None:
    """Install :class:`ToolTipGuard` on the running application (once; idempotent)."""
    app = QApplication.instance()
    if app is None or app.findChild(QObject, _GUARD_NAME) is not None:
        return
    guard = ToolTipGuard(app)
    guard.setObjectName(_GUARD_NAME)
    app.installEventFilter(guard)
