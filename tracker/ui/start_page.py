"""First run: the start page, drag and drop, and Help ▸ About.

The start page is what a person sees the first time they launch the app without a night: the
bundled nights (each saying it is reconstructed, when it is), "Open a feed…", "Open a night
file…", and the nights and feeds they opened before. It is a page of the window, not a dialog,
so the menus and shortcuts work on it; File ▸ Start page brings it back at any time.

A ``.night`` file dropped anywhere on the window opens; any other file is taken for a payload
and imported into a new night in the data folder by the worker (off this thread), then opened.
The lists come from the worker too (``tracker.archive.catalogue``): nothing here touches disk.
"""

from __future__ import annotations

import html
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal, qVersion
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QIcon,
    QPainter,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tracker import __version__
from tracker.archive.catalogue import Catalogue, NightEntry
from tracker.ui.plain_text import TEXT_LIMIT, clean, plain_tooltip

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMenuBar, QStatusBar

    from tracker.ui.workers import NightInfo, Worker

LICENCE_URL = "https://opensource.org/license/mit"
NIGHT_SUFFIX = ".night"


class _Window(Protocol):
    """What the start page uses of the main window: its worker, the night on screen, how it opens
    a night or a feed, and the QMainWindow parts it changes (the central widget, the menus, drops).
    Narrow on purpose: this module is installed by the window and must not import it back
    (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def worker(self) -> Worker: ...
    @property
    def night(self) -> NightInfo | None: ...
    def open_night(self, path: Path, *, at_end: bool = ...) -> None: ...
    def open_feed(self, url: str) -> None: ...
    def choose_night(self) -> None: ...
    def choose_feed(self) -> None: ...
    # the QMainWindow it is
    def menuBar(self) -> QMenuBar: ...
    def statusBar(self) -> QStatusBar: ...
    def takeCentralWidget(self) -> QWidget: ...
    def setCentralWidget(self, widget: QWidget) -> None: ...
    def setWindowTitle(self, title: str) -> None: ...
    def setAcceptDrops(self, on: bool) -> None: ...
    def installEventFilter(self, filter: QObject) -> None: ...
    def findChildren(self, type: type[QWidget]) -> list[QWidget]: ...


def _describe(entry: NightEntry) -> str:
    """The line under a night's title: what kind of night it is, first of all when reconstructed."""
    if entry.reconstructed:
        return "Reconstructed from certified precinct results — not the original feed"
    rest = entry.label.split(" — ", 1)[1] if " — " in entry.label else ""
    return " · ".join(p for p in (f"{entry.kind} night", rest, entry.path.name) if p)


class StartPage(QWidget):
    """Bundled nights, open a feed or a night, recent nights and feeds."""

    night_chosen = Signal(object)  # Path
    feed_chosen = Signal(str)
    open_feed_clicked = Signal()
    open_night_clicked = Signal()
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        self._buttons: dict[str, list[QCommandLinkButton]] = {"bundled": [], "nights": [], "feeds": []}

        title = QLabel("Election Night Tracker")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Follow a live results feed, or replay a past night minute by minute: each candidate's "
            "bar against the line they must cross, and what share of the outstanding vote they need."
        )
        intro.setWordWrap(True)

        self._open_feed = QPushButton("Open a feed…")
        self._open_feed.setObjectName("startOpenFeed")
        self._open_feed.setToolTip("Paste the address of a Clarity, AP or tracker-feed results feed (Ctrl+O)")
        self._open_night = QPushButton("Open a night file…")
        self._open_night.setObjectName("startOpenNight")
        self._open_night.setToolTip("A recorded or reconstructed night (Ctrl+Shift+O)")
        self._back = QPushButton("Back to the night")
        self._back.setObjectName("startBack")
        self._back.hide()
        actions = QHBoxLayout()
        actions.addWidget(self._open_feed)
        actions.addWidget(self._open_night)
        actions.addStretch(1)
        actions.addWidget(self._back)

        self._sections: dict[str, QVBoxLayout] = {}
        self._empty: dict[str, QLabel] = {}
        column = QWidget()
        column.setMaximumWidth(self.fontMetrics().averageCharWidth() * 110)
        col = QVBoxLayout(column)
        col.setSpacing(self.fontMetrics().height() // 2)
        col.addWidget(title)
        col.addWidget(intro)
        col.addLayout(actions)
        for key, heading, empty in (
            ("bundled", "Nights that come with the app", "No bundled nights found (reinstall?)"),
            ("nights", "Recent nights", "None yet: the nights you open appear here."),
            ("feeds", "Recent feeds", "None yet: the feeds you open appear here."),
        ):
            label = QLabel(f"<b>{heading}</b>")
            label.setObjectName(f"startHeading_{key}")
            col.addSpacing(self.fontMetrics().height() // 2)
            col.addWidget(label)
            box = QVBoxLayout()
            box.setSpacing(2)
            placeholder = QLabel(empty)
            placeholder.setEnabled(False)
            box.addWidget(placeholder)
            col.addLayout(box)
            self._sections[key] = box
            self._empty[key] = placeholder
        self._loading = QLabel("Reading the nights…")
        self._loading.setEnabled(False)
        col.addWidget(self._loading)
        hint = QLabel(
            "Tip: drop a <b>.night</b> file, or a results file (Clarity detail XML or zip, Clarity or "
            "Georgia SOS JSON, AP JSON, tracker-feed/1), anywhere on the window to open it."
        )
        hint.setWordWrap(True)
        col.addSpacing(self.fontMetrics().height())
        col.addWidget(hint)
        col.addStretch(1)

        holder = QWidget()
        outer = QHBoxLayout(holder)
        margin = self.fontMetrics().height() * 2
        outer.setContentsMargins(margin, margin, margin, margin)
        outer.addStretch(1)
        outer.addWidget(column, 6)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self._open_feed.clicked.connect(self.open_feed_clicked)
        self._open_night.clicked.connect(self.open_night_clicked)
        self._back.clicked.connect(self.back_clicked)

    def set_back_visible(self, visible: bool, label: str = "") -> None:
        self._back.setText(f"Back to {label}" if label else "Back to the night")
        self._back.setVisible(visible)

    def set_catalogue(self, found: Catalogue) -> None:
        """Fill the three lists (replacing what they showed)."""
        self._loading.hide()
        self._fill("bundled", [(e.title, _describe(e), e.path) for e in found.bundled])
        self._fill(
            "nights", [(e.title, _describe(e) + f" · {e.path.parent}", e.path) for e in found.recent_nights]
        )
        self._fill("feeds", [(url, "live feed", url) for url in found.recent_feeds])

    def _fill(self, key: str, rows: list[tuple[str, str, object]]) -> None:
        box = self._sections[key]
        for button in self._buttons[key]:
            box.removeWidget(button)
            button.deleteLater()
        self._buttons[key] = []
        self._empty[key].setVisible(not rows)
        for title, description, target in rows:
            button = QCommandLinkButton(clean(title), clean(description, TEXT_LIMIT))
            button.setIcon(self._arrow())
            button.setObjectName(f"start_{key}")
            button.setToolTip(plain_tooltip(target))
            if key == "feeds":
                button.clicked.connect(lambda _c=False, u=str(target): self.feed_chosen.emit(u))
            else:
                button.clicked.connect(lambda _c=False, p=target: self.night_chosen.emit(Path(str(p))))
            box.addWidget(button)
            self._buttons[key].append(button)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            icon = self._arrow()
            for buttons in self._buttons.values():
                for button in buttons:
                    button.setIcon(icon)

    def _arrow(self) -> QIcon:
        """The command links' arrow in the palette's text colour (the style's own is dark on a
        dark palette)."""
        size = 32
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(self.foregroundRole()))
        painter.drawPolygon(QPolygonF([QPointF(9, 5), QPointF(25, 16), QPointF(9, 27)]))
        painter.end()
        return QIcon(pixmap)

    def entries(self, key: str) -> list[QCommandLinkButton]:
        """The buttons of one list ("bundled", "nights", "feeds"), for tests."""
        return list(self._buttons[key])


class _DropOpener(QObject):
    """Accepts one local file dragged onto the window; opens a night, imports anything else."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)
        self._window = window

    @staticmethod
    def _local_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        return Path(urls[0].toLocalFile())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._local_file(event) is not None:  # type: ignore[arg-type]
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif kind == QEvent.Type.Drop:
            path = self._local_file(event)  # type: ignore[arg-type]
            if path is not None:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                open_dropped(self._window, path)
                return True
        return False


def open_dropped(window: _Window, path: Path) -> None:
    """What a drop does: a night opens; a payload is imported (worker) and then opened."""
    if path.suffix.lower() == NIGHT_SUFFIX:
        window.open_night(path)
        return
    window.statusBar().showMessage(f"Importing {path.name} into a night…")
    window.worker.import_payload(path)


class FirstRun(QObject):
    """The start page in the window's central stack, its menu entries, drops and About."""

    def __init__(self, window: _Window) -> None:
        super().__init__(window)
        self._window = window
        self._catalogue: Catalogue | None = None
        self._about: AboutDialog | None = None
        central = window.takeCentralWidget()
        self._night_page = central
        self.page = StartPage()
        self._stack = QStackedWidget()
        self._stack.setObjectName("centralStack")
        self._stack.addWidget(central)
        self._stack.addWidget(self.page)
        window.setCentralWidget(self._stack)

        worker = window.worker
        worker.catalogue_ready.connect(self._on_catalogue)
        worker.payload_imported.connect(self._on_imported)
        window.night_opened.connect(self._on_night_opened)
        self.page.night_chosen.connect(lambda p: window.open_night(Path(p)))
        self.page.feed_chosen.connect(lambda url: window.open_feed(url))
        self.page.open_feed_clicked.connect(window.choose_feed)
        self.page.open_night_clicked.connect(window.choose_night)
        self.page.back_clicked.connect(self.show_night)

        start = QAction("Start &page", window)
        start.setObjectName("start_page")
        start.triggered.connect(self.show_start_page)
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertAction(file_menu.actions()[0], start)
        about = QAction("&About Election Night Tracker", window)
        about.setObjectName("about")
        about.triggered.connect(self.show_about)
        help_menu = next(
            (
                a.menu()
                for a in window.menuBar().actions()
                if a.menu() and a.menu().objectName() == "helpMenu"
            ),
            None,
        )
        (help_menu or window.menuBar().addMenu("&Help")).addAction(about)

        window.setAcceptDrops(True)
        self._drops = _DropOpener(window)
        window.installEventFilter(self._drops)
        # Widgets that take drops themselves (the charts' graphics views, the search box) would
        # refuse a file or type its path: the same filter opens it there too.
        for child in window.findChildren(QWidget):
            if child.acceptDrops():
                child.installEventFilter(self._drops)

    @property
    def showing_start_page(self) -> bool:
        return self._stack.currentWidget() is self.page

    def show_start_page(self) -> None:
        info = self._window.night
        self.page.set_back_visible(info is not None, info.label.split(" — ")[0] if info else "")
        self._stack.setCurrentWidget(self.page)
        if info is None:
            self._window.setWindowTitle("Election Night Tracker")
        self._window.worker.request_catalogue()

    def show_night(self) -> None:
        self._stack.setCurrentWidget(self._night_page)

    def _on_night_opened(self, _info: object) -> None:
        self.show_night()

    def _on_catalogue(self, found: object) -> None:
        if isinstance(found, Catalogue):
            self._catalogue = found
            self.page.set_catalogue(found)
            if self._about is not None:
                self._about.set_catalogue(found)

    def _on_imported(self, path: object) -> None:
        self._window.statusBar().clearMessage()
        self._window.open_night(Path(str(path)), at_end=True)

    def show_about(self) -> AboutDialog:
        if self._about is None:
            self._about = AboutDialog(self._window)
        if self._catalogue is not None:
            self._about.set_catalogue(self._catalogue)
        else:
            self._window.worker.request_catalogue()
        self._about.show()
        self._about.raise_()
        return self._about


class AboutDialog(QDialog):
    """Version, licence, and where every bundled night's numbers came from (from the nights'
    own metadata, so it cannot drift from the files)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Election Night Tracker")
        self._text = QLabel()
        self._text.setObjectName("aboutText")
        self._text.setWordWrap(True)
        self._text.setOpenExternalLinks(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 110, metrics.height() * 34)
        self._set_html(None)

    def set_catalogue(self, found: Catalogue) -> None:
        self._set_html(found)

    def _set_html(self, found: Catalogue | None) -> None:
        parts = [
            f"<h2>Election Night Tracker {html.escape(__version__)}</h2>",
            "<p>Election-night results against the line a candidate must cross, live or replayed.</p>",
            f'<p>Licence: <a href="{LICENCE_URL}">MIT</a>. '
            f"Python {html.escape(platform.python_version())}, Qt {html.escape(qVersion())}, "
            f"PySide6 {html.escape(PYSIDE_VERSION)}.</p>",
            "<h3>The bundled nights</h3>",
        ]
        if found is None:
            parts.append("<p>Reading the nights…</p>")
        for entry in found.bundled if found else ():
            kind = "reconstructed" if entry.reconstructed else entry.kind
            parts.append(f"<p><b>{html.escape(entry.title)}</b> ({html.escape(kind)}): ")
            parts.append(html.escape(entry.label.split(" — ", 1)[1] if " — " in entry.label else ""))
            parts.append("</p><ul>")
            for source in entry.sources:
                where = ""
                if source.url.startswith(("https://", "http://")):  # never file: or other schemes
                    name = f"{source.repository} ({source.path.rsplit('/', 1)[-1]})"
                    where = f' — <a href="{html.escape(source.url)}">{html.escape(name)}</a>'
                parts.append(f"<li>{html.escape(source.what)}{where}</li>")
            parts.append("</ul>")
        self._text.setText("".join(parts))

    def text(self) -> str:
        return self._text.text()


def install_first_run(window: _Window) -> FirstRun:
    return FirstRun(window)
