"""Every path the app uses, resolved at call time so tests (and TRACKER_HOME) can redirect them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "election-tracker"


def data_dir() -> Path:
    """Where the store and recorded nights live: ``$TRACKER_HOME`` if set, else the platform's
    user data folder (``~/.local/share/election-tracker`` on Linux)."""
    home = os.environ.get("TRACKER_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    return data_dir() / "tracker.sqlite3"


def nights_dir() -> Path:
    path = data_dir() / "nights"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    """The QSettings INI file (window geometry); kept under the data folder so TRACKER_HOME isolates it."""
    return data_dir() / "window.ini"


def _bundle_root() -> Path | None:
    """The PyInstaller bundle's data folder (``_internal/``) when running frozen, else None.

    The spec (packaging/election-tracker.spec) copies ``resources/`` and the desktop files there in
    the checkout's own layout, so everything below resolves the same way frozen or not."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if getattr(sys, "frozen", False) and root else None


def resources_dir() -> Path:
    """The bundled resources: ``resources/`` beside the package in a checkout or an sdist install,
    in the PyInstaller bundle's data folder, or ``tracker/_resources`` inside a wheel."""
    bundle = _bundle_root()
    if bundle is not None:
        return bundle / "resources"
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "resources"


def packaging_dir() -> Path:
    """The desktop entry and AppStream metainfo: ``packaging/`` in a checkout, or its copy in the bundle."""
    bundle = _bundle_root()
    return (bundle if bundle is not None else Path(__file__).resolve().parent.parent) / "packaging"


def icons_dir() -> Path:
    """The app icon in the hicolor theme layout (``scalable/apps/ID.svg``, ``NxN/apps/ID.png``)."""
    return resources_dir() / "icons" / "hicolor"


def bundled_nights() -> list[Path]:
    return sorted((resources_dir() / "nights").glob("*.night"))


def shared_data_dir() -> Path | None:
    """The shared real-data folder (``../shared/data`` beside the checkout), when present."""
    env = os.environ.get("TRACKER_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None
