"""Start the window: interactively, or just long enough to save a screenshot.

Screenshot mode exists so that CI, the packaging smoke test and reviewers can see exactly what a
user would see at a given minute of a night, without a person at the screen. It waits for the
worker to deliver the snapshot for that instant (never a fixed sleep), lets pyqtgraph paint, grabs
the window, and exits: 0 on success (printing nothing), 2 with one line on stderr on any error.

The platform comes from ``QT_QPA_PLATFORM`` as the caller set it: offscreen in tests, xcb under
Xvfb, the desktop's own otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from tracker import APP_ID, paths

if TYPE_CHECKING:
    from tracker.ui.workers import Worker

APP_NAME = "election-tracker"
EXIT_ERROR = 2
#: Only bounds a hang. A screenshot waits for the timeline's whole history: about 5 s of CPU for
#: the bundled night at its end, which took over 30 s of wall time on a 2-core machine shared by a
#: dozen busy processes (the e2e tests timed out there); under the e2e tests' own 120 s.
SCREENSHOT_TIMEOUT_MS = 100_000


def application() -> QApplication:
    """The process's QApplication (created once, named so QSettings and the desktop know it)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    # The desktop matches the window to its menu entry (packaging/APP_ID.desktop) by this name.
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def app_icon() -> QIcon:
    """The app icon from its PNG sizes (no SVG icon-engine plugin needed: the bundle leaves it out)."""
    icon = QIcon()
    for png in sorted(paths.icons_dir().glob(f"*x*/apps/{APP_ID}.png")):
        icon.addFile(str(png))
    return icon


def run_gui(
    night: Path | None,
    *,
    at: str | None = None,
    speed: float | None = None,
    contest: str | None = None,
    screenshot: Path | None = None,
    theme: str | None = None,
) -> int:
    """Open ``night`` in the window at ``at`` ("HH:MM", the night's own zone), replaying at
    ``speed``, showing ``contest``. With ``screenshot``, save the drawn window there as PNG and
    return instead of running the event loop (without ``at``, the end of the night is drawn:
    the final result is what a screenshot is usually for). Returns the process exit code."""
    app = application()
    from tracker.ui.theme import apply_theme, initial_theme

    try:  # a screenshot is the default look unless asked: never the user's saved choice
        chosen = initial_theme(theme, saved=screenshot is None)
    except ValueError as exc:
        return _fail(str(exc))
    if night is not None:
        worker = start_opening(Path(night))  # reads the night while the window's modules load
    from tracker.ui.main_window import MainWindow

    if chosen != "system":
        apply_theme(chosen)

    if night is None:  # a first run: the start page (bundled nights, open a feed, recent)
        if screenshot is not None:
            return _screenshot_start_page(app, MainWindow, Path(screenshot))
        window = MainWindow(interactive=True)
        window.show()
        window.first_run.show_start_page()
        return int(app.exec())
    if screenshot is None:
        window = MainWindow(worker, interactive=True)
        worker.setParent(window)
        window.show()
        window.open_night(Path(night), at=at, speed=speed, contest=contest, started=True)
        return int(app.exec())
    return _screenshot(app, worker, Path(night), Path(screenshot), at=at, speed=speed, contest=contest)


def start_opening(night: Path) -> Worker:
    """Start-up's head start: the worker (numpy and the core, which it needs anyway) begins
    reading and parsing ``night`` on its thread before the window's modules (pyqtgraph, the
    bigger half of start-up) are imported. The window is then built on this worker and told the
    night is already being opened (``MainWindow.open_night(..., started=True)``); the result
    reaches it through the event loop, after it has connected."""
    from tracker.ui.workers import Worker

    worker = Worker()
    worker.open_night(night)
    return worker


def _screenshot_start_page(app: QApplication, window_class: type, out: Path) -> int:
    """The start page once its lists have arrived from the worker."""
    from tracker.ui.main_window import DEFAULT_SIZE

    window = window_class(interactive=False, persist_layout=False)
    window.resize(*DEFAULT_SIZE)
    offscreen = app.platformName() == "offscreen"
    if not offscreen:
        window.show()
    loop = QEventLoop()
    window.worker.catalogue_ready.connect(lambda _found: QTimer.singleShot(0, loop.quit))
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(SCREENSHOT_TIMEOUT_MS)
    try:
        window.first_run.show_start_page()
        loop.exec()
        _settle(app, window, offscreen)
        image = window.grab()
        if image.isNull() or not image.save(str(out), "PNG"):
            return _fail(f"cannot write the screenshot to {out}")
        return 0
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def _screenshot(
    app: QApplication,
    worker: Worker,
    night: Path,
    out: Path,
    *,
    at: str | None,
    speed: float | None,
    contest: str | None,
) -> int:
    from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

    errors: list[str] = []
    # The user's saved layout is theirs; a screenshot is always the default size and never saves.
    window = MainWindow(worker, interactive=False, persist_layout=False)
    worker.setParent(window)
    window.resize(*DEFAULT_SIZE)
    loop = QEventLoop()
    drawn = False

    def on_drawn() -> None:
        nonlocal drawn
        # The bars come first, the timeline's history a moment later: a screenshot shows both.
        shown = window.shown_version
        if shown is not None and not window.worker.history_ready(shown, complete=True):
            return
        drawn = True
        loop.quit()

    def on_history(_index: int) -> None:
        shown = window.shown_version
        if shown is not None and window.worker.history_ready(shown, complete=True):
            on_drawn()

    def on_error(message: str) -> None:
        errors.append(message)
        loop.quit()

    window.drawn.connect(on_drawn)
    window.worker.history_grew.connect(on_history)
    window.error_reported.connect(on_error)
    offscreen = app.platformName() == "offscreen"
    if not offscreen:
        window.show()  # a real (X) server only paints windows that are mapped
    else:
        # Lay the hidden window out now (render() sends the pending resize events), so the
        # plot's geometry is final before the snapshot arrives; offscreen show() would warn.
        window.grab()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(SCREENSHOT_TIMEOUT_MS)
    try:
        window.open_night(night, at=at, at_end=at is None, speed=speed, contest=contest, started=True)
        if not drawn and not errors:
            loop.exec()
        timer.stop()
        if errors:
            return _fail(errors[0])
        if not drawn:
            return _fail(f"timed out drawing {night.name} after {SCREENSHOT_TIMEOUT_MS // 1000} s")
        _settle(app, window, offscreen)
        image = window.grab()
        if image.isNull() or not image.save(str(out), "PNG"):
            return _fail(f"cannot write the screenshot to {out}")
        return 0
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def _settle(app: QApplication, window: object, offscreen: bool) -> None:
    """Let layouts and pyqtgraph's deferred updates run before grabbing."""
    if not offscreen:
        from PySide6.QtTest import QTest

        QTest.qWaitForWindowExposed(window, 5000)  # type: ignore[arg-type]
        QTest.qWait(150)
    for _ in range(5):
        app.processEvents()


def _fail(message: str) -> int:
    print(f"election-tracker: {message}", file=sys.stderr)
    return EXIT_ERROR


def run_feed_gui(
    url: str,
    *,
    interval: float = 30.0,
    kind: str | None = None,
    screenshot: Path | None = None,
    theme: str | None = None,
    contest: str | None = None,
) -> int:
    """``election-tracker open URL``: the window polling ``url`` live, exactly as File ▸ Open
    feed… does (the same discovery, poller and recording). With ``screenshot``, the window is
    drawn once the feed's first version arrives, saved as PNG, and the feed stopped."""
    app = application()
    from tracker.ui.theme import apply_theme, initial_theme

    try:
        chosen = initial_theme(theme, saved=screenshot is None)
    except ValueError as exc:
        return _fail(str(exc))
    from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

    if chosen != "system":
        apply_theme(chosen)
    if screenshot is None:
        window = MainWindow(interactive=True)
        window.show()
        window.open_feed(url, interval=interval, kind=kind, contest=contest)
        return int(app.exec())
    window = MainWindow(interactive=False, persist_layout=False)
    window.resize(*DEFAULT_SIZE)
    loop = QEventLoop()
    errors: list[str] = []
    drawn: list[bool] = []
    window.drawn.connect(lambda: (drawn.append(True), loop.quit()))
    window.error_reported.connect(lambda message: (errors.append(message), loop.quit()))
    offscreen = app.platformName() == "offscreen"
    if not offscreen:
        window.show()
    else:
        window.grab()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(SCREENSHOT_TIMEOUT_MS)
    try:
        window.open_feed(url, interval=interval, kind=kind, contest=contest)
        loop.exec()
        timer.stop()
        if errors:
            return _fail(errors[0])
        if not drawn:
            return _fail(f"timed out waiting for the feed after {SCREENSHOT_TIMEOUT_MS // 1000} s")
        _settle(app, window, offscreen)
        image = window.grab()
        if image.isNull() or not image.save(str(screenshot), "PNG"):
            return _fail(f"cannot write the screenshot to {screenshot}")
        return 0
    finally:
        window.stop_feed()
        window.close()
        window.deleteLater()
        app.processEvents()
