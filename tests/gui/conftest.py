"""Fixtures for the window's tests.

Two kinds of data, never mixed up:
- **synthetic** snapshots and nights (`synthetic_data.py`), built with the model's constructors and the native
  format's writer, for tiny cases the real data cannot give (a race changing between versions, a
  night whose every number the test knows). Every name in them says "Synthetic".
- **real** GA-06 data from the shared folder: the three counties' certified detail XML merged, and
  the bundled reconstructed night built from them.

``QT_QPA_PLATFORM=offscreen`` and a temporary ``TRACKER_HOME`` come from ``tests/conftest.py``.

The main window: ``make_window(...)`` makes one the way most tests want it (not interactive, its
layout not kept between runs unless asked, sized, shown, a night opened and drawn) and closes it
after the test; ``window`` is the plain one at 1200×760. A test whose window needs more (a feed's
poll policy, focus, its own teardown) keeps its own fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from synthetic_data import write_synthetic_night

from tracker.core.model import Snapshot
from tracker.ui.workers import Worker

if TYPE_CHECKING:
    from tracker.ui.main_window import MainWindow


@pytest.fixture
def synthetic_night(tmp_path: Path) -> Path:
    return write_synthetic_night(tmp_path / "synthetic.night")


# real data -------------------------------------------------------------------------------------------
GA06_COUNTIES = ("Cobb", "DeKalb", "Fulton")


@pytest.fixture(scope="session")
def ga06_final(shared_data: Path) -> Snapshot:
    """Real: the certified GA-06 April 2017 results, the three counties' detail XML merged."""
    from tracker.core.merge import merge_snapshots
    from tracker.feeds.clarity import parse_detail_xml

    folder = shared_data / "ga06-2017-04-18"
    return merge_snapshots(
        [
            parse_detail_xml((folder / f"2017_{county}_detail.xml").read_bytes(), source=county)
            for county in GA06_COUNTIES
        ]
    )


@pytest.fixture(scope="session")
def bundled_night() -> Path:
    """Real (reconstructed): the bundled GA-06 night."""
    from tracker import paths

    path = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
    if not path.is_file():
        pytest.fail(f"the bundled night is missing: {path}")
    return path


@pytest.fixture
def restore_look(qtbot: QtBot) -> Iterator[None]:
    """Whatever a test forces, the next test gets the application's own style and palette back."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette = app.style().name(), app.palette()
    yield
    app.setStyle(style)
    app.setPalette(palette)
    app.setProperty("trackerTheme", None)


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[Worker]:

    w = Worker()
    yield w
    w.shutdown()


# the main window -------------------------------------------------------------------------------------
#: ``make_window``'s signature, for a test that asks for the factory.
MakeWindow = Callable[..., "MainWindow"]


@pytest.fixture
def make_window(qtbot: QtBot, tracker_home: Path) -> Iterator[MakeWindow]:
    """A factory of main windows, each closed after the test. ``make_window(size=(w, h),
    show=True, night=PATH, open_timeout_ms=..., persist_layout=True, **open_night_kwargs)``:
    resized, then shown, then ``night`` opened (``at="21:30"``, ``at_end=True`` …) and waited for
    until drawn, in that order."""
    from tracker.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def make(
        *,
        size: tuple[int, int] | None = None,
        show: bool = False,
        night: Path | None = None,
        open_timeout_ms: int = 30_000,
        persist_layout: bool = False,
        **open_night: Any,
    ) -> MainWindow:
        w = MainWindow(interactive=False, persist_layout=persist_layout)
        qtbot.addWidget(w)
        made.append(w)
        if size is not None:
            w.resize(*size)
        if show:
            w.show()
        if night is not None:
            with qtbot.waitSignal(w.drawn, timeout=open_timeout_ms):
                w.open_night(night, **open_night)
        elif open_night:
            raise TypeError(f"night options without a night: {sorted(open_night)}")
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture
def window(make_window: MakeWindow) -> MainWindow:
    """The main window at 1200×760, not shown, no night open (a test file may define its own)."""
    return make_window(size=(1200, 760))
