"""Where file dialogs start: the folder the user last saved to or opened from, else the data folder.

A process's working folder means nothing to someone who started the app from a menu; the last
folder they chose usually is where the next export goes (a newsroom's shared drive). Remembered
in the window's settings, one folder for every export and import.
"""

from __future__ import annotations

from pathlib import Path

from tracker import paths
from tracker.ui.settings import settings as _settings

KEY = "files/last_folder"


def start_folder() -> Path:
    """The last folder chosen, when it still exists; else the data folder."""
    saved = _settings().value(KEY)
    if saved:
        folder = Path(str(saved))
        if folder.is_dir():
            return folder
    return paths.data_dir()


def start_path(name: str = "") -> str:
    """A dialog's starting path: ``name`` in the start folder (or the folder alone)."""
    folder = start_folder()
    return str(folder / name) if name else str(folder)


def remember(path: str | Path) -> None:
    """Remember the folder of a file the user chose (or the folder itself)."""
    chosen = Path(path)
    folder = chosen if chosen.is_dir() else chosen.parent
    store = _settings()
    store.setValue(KEY, str(folder))
    store.sync()
