"""Register the app with the user's desktop (menu entry, AppStream metainfo, icons) and undo it.

Freedesktop desktops look for applications under ``$XDG_DATA_HOME`` (default ``~/.local/share``),
so a user-level install needs no root and no package manager: the desktop entry goes to
``applications/``, the metainfo to ``metainfo/``, the icons into the ``hicolor`` theme. The entry's
``Exec`` is the absolute path of the command that is running now (the venv's ``election-tracker``
or the bundle's executable), because a menu launch does not see the shell's ``PATH`` or venv.

Qt-free: the files are copied and one line of the entry rewritten; caches the desktop already
keeps there are refreshed so that they do not hide the new files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tracker import APP_ID, paths
from tracker.core.errors import TrackerError

COMMAND = "election-tracker"
DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 32, 48, 64, 128, 256)
#: Characters the desktop entry spec lets stand unquoted in an ``Exec`` argument.
_PLAIN = re.compile(r"[A-Za-z0-9/._+,:@=-]+")


@dataclass(frozen=True)
class DesktopFile:
    """One file the install writes: where it comes from, where it goes under the data home."""

    source: Path
    target: Path


def data_home() -> Path:
    """``$XDG_DATA_HOME`` when it is set to an absolute path (the spec says to ignore a relative
    one), else ``~/.local/share``."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def files(home: Path | None = None) -> list[DesktopFile]:
    """Every file an install writes, source and target; the same list says what uninstall removes."""
    home = data_home() if home is None else home
    pkg, icons = paths.packaging_dir(), paths.icons_dir()
    out = [
        DesktopFile(pkg / DESKTOP_FILE, home / "applications" / DESKTOP_FILE),
        DesktopFile(pkg / METAINFO_FILE, home / "metainfo" / METAINFO_FILE),
    ]
    for sub in ["scalable", *(f"{n}x{n}" for n in ICON_SIZES)]:
        name = f"{APP_ID}.svg" if sub == "scalable" else f"{APP_ID}.png"
        out.append(DesktopFile(icons / sub / "apps" / name, home / "icons" / "hicolor" / sub / "apps" / name))
    return out


def launcher() -> Path:
    """The absolute path of the installed ``election-tracker`` command that is running now."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle's own executable
        return Path(sys.executable).absolute()
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == COMMAND and argv0.is_file():
        return argv0.absolute()
    beside = Path(sys.executable).parent / COMMAND  # `python -m tracker` from a venv
    if beside.is_file():
        return beside.absolute()
    found = shutil.which(COMMAND)
    if found:
        return Path(found).absolute()
    raise TrackerError(
        f"cannot find the installed {COMMAND} command to put in the menu entry; install the project "
        "first (bash scripts/setup-venv.sh --app) and run .venv/bin/election-tracker install-desktop"
    )


def exec_argument(path: Path) -> str:
    """``path`` as the first word of a desktop entry's ``Exec`` value: quoted when it holds
    anything but plain characters (spaces, quotes, ``$``), with the spec's two escaping levels,
    and ``%`` doubled (a single one starts a field code)."""
    text = str(path)
    if _PLAIN.fullmatch(text):
        return text
    text = text.replace("%", "%%")
    quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", text) + '"'
    return quoted.replace("\\", "\\\\")  # the string-value level: every backslash doubled


def desktop_entry(template: str, command: Path) -> str:
    """The packaged entry with ``Exec`` and ``TryExec`` pointing at ``command``."""
    exe = exec_argument(command)
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            args = line.partition("=")[2].split(" ", 1)[1:]  # keep the field codes (%f)
            line = "Exec=" + " ".join([exe, *args])
        elif line.startswith("TryExec="):
            line = "TryExec=" + str(command).replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(home: Path | None = None, command: Path | None = None) -> list[Path]:
    """Write the entry, metainfo and icons under ``home`` (default: the data home); returns the
    files written. Installing again overwrites them (a moved venv gets its new path)."""
    items = files(home)
    missing = [str(f.source) for f in items if not f.source.is_file()]
    if missing:
        raise TrackerError(f"the desktop files are missing from this installation: {', '.join(missing)}")
    command = launcher() if command is None else command
    written = []
    for item in items:
        item.target.parent.mkdir(parents=True, exist_ok=True)
        if item.target.name == DESKTOP_FILE:
            text = desktop_entry(item.source.read_text(encoding="utf-8"), command)
            item.target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(item.source, item.target)
        written.append(item.target)
    _refresh_caches(home or data_home())
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote (nothing else); returns the files removed."""
    removed = []
    for item in files(home):
        if item.target.is_file():
            item.target.unlink()
            removed.append(item.target)
    _refresh_caches(home or data_home())
    return removed


def _refresh_caches(home: Path) -> None:
    """Refresh the desktop's caches that already exist under ``home``: a stale
    ``icon-theme.cache`` would hide our icon, a stale ``mimeinfo.cache`` our entry. None is
    created where there was none (a new, later stale cache would hide other apps' files)."""
    jobs = [
        (
            home / "applications" / "mimeinfo.cache",
            ["update-desktop-database", "-q", str(home / "applications")],
        ),
        (
            home / "icons" / "hicolor" / "icon-theme.cache",
            ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
        ),
    ]
    for cache, job in jobs:
        if cache.is_file() and shutil.which(job[0]):
            subprocess.run(job, check=False, capture_output=True, timeout=60)
