"""The window's QSettings: one small module, so every feature that remembers a choice (theme,
docks, the overview's closed state) reads it without importing the main window above it."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from tracker import paths


def settings() -> QSettings:
    """The window's QSettings, an INI file under the data folder (TRACKER_HOME isolates it)."""
    return QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)
