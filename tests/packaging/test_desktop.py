"""Desktop integration: the entry and metainfo validate, install-desktop registers them (and the
icons) under $XDG_DATA_HOME with an Exec that runs this installation, uninstall-desktop takes back
exactly that, and the window tells the desktop who it is."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import tracker
from tracker import APP_ID, desktop, paths

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "tracker", *args], **env)


def entry(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group's keys (the files have one group and no comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


# the packaged files --------------------------------------------------------------------------------


def test_the_desktop_entry_validates(desktop_file_validate: str) -> None:
    result = run([desktop_file_validate, str(DESKTOP)])
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    keys = entry(DESKTOP)
    assert keys["Icon"] == APP_ID
    assert keys["Exec"] == "election-tracker %f"  # `election-tracker FILE.night` opens it


def test_the_validator_catches_a_broken_entry(desktop_file_validate: str, tmp_path: Path) -> None:
    """The validation above can fail: an entry without a Name (required) is refused."""
    broken = tmp_path / DESKTOP.name
    text = DESKTOP.read_text(encoding="utf-8")
    broken.write_text("\n".join(x for x in text.splitlines() if not x.startswith("Name=")), encoding="utf-8")
    result = run([desktop_file_validate, str(broken)])
    assert result.returncode != 0
    assert "Name" in result.stdout + result.stderr


def test_the_metainfo_validates(appstreamcli: str) -> None:
    result = run([appstreamcli, "validate", "--no-net", str(METAINFO)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "E:" not in result.stdout and "W:" not in result.stdout, result.stdout


def test_the_validator_catches_broken_metainfo(appstreamcli: str, tmp_path: Path) -> None:
    """The validation above can fail: metainfo without the component's name is refused."""
    broken = tmp_path / METAINFO.name
    text = METAINFO.read_text(encoding="utf-8")
    broken.write_text("\n".join(x for x in text.splitlines() if "<name>" not in x), encoding="utf-8")
    result = run([appstreamcli, "validate", "--no-net", str(broken)])
    assert result.returncode != 0


def test_the_metainfo_names_this_app_and_this_release() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") == desktop.COMMAND
    assert root.find("content_rating") is not None
    # Bumping the version without telling users what changed fails here.
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == tracker.__version__
    assert newest.findtext("description/p")


def test_the_icons_are_rendered_from_the_svg() -> None:
    """The committed PNGs are what packaging/render_icons.py makes from the SVG (QtSvg)."""
    result = run([sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--check"])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.gui
def test_every_icon_size_is_there_and_in_the_apps_colours(qapp) -> None:
    from PySide6.QtGui import QColor, QImage

    for size in desktop.ICON_SIZES:
        image = QImage(str(paths.icons_dir() / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
    big = QImage(str(paths.icons_dir() / "256x256" / "apps" / f"{APP_ID}.png"))
    colours = {big.pixelColor(x, y).name() for x in range(0, 256, 4) for y in range(0, 256, 4)}
    assert QColor("#0072B2").name() in colours  # the leader's bar
    assert QColor("#E69F00").name() in colours  # the runner-up's bar
    assert big.pixelColor(0, 0).alpha() == 0  # rounded corners: transparent outside


@pytest.mark.gui
def test_the_application_carries_the_id_and_the_icon(qapp) -> None:
    from tracker.ui.app import application

    app = application()
    assert app.desktopFileName() == APP_ID
    sizes = {(s.width(), s.height()) for s in app.windowIcon().availableSizes()}
    assert {(n, n) for n in desktop.ICON_SIZES} <= sizes


# install-desktop / uninstall-desktop ---------------------------------------------------------------


def test_install_desktop_registers_the_app_under_xdg_data_home(
    tmp_path: Path, desktop_file_validate: str
) -> None:
    home = tmp_path / "data"
    result = cli("install-desktop", XDG_DATA_HOME=str(home))
    assert result.returncode == 0, result.stderr
    installed = home / "applications" / DESKTOP.name
    keys = entry(installed)
    command = Path(keys["Exec"].removesuffix(" %f"))
    assert command.is_absolute() and command.name == "election-tracker" and command.is_file()
    assert keys["TryExec"] == str(command)
    assert run([desktop_file_validate, str(installed)]).returncode == 0
    # The installed command really is this app (the menu entry would start it).
    version = run([str(command), "--version"])
    assert version.stdout.strip() == f"election-tracker {tracker.__version__}"
    assert (home / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    for size in desktop.ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon.read_bytes() == (paths.icons_dir() / f"{size}x{size}" / "apps" / icon.name).read_bytes()
    assert (home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert str(installed) in result.stdout


def test_uninstall_desktop_removes_what_install_wrote_and_nothing_else(tmp_path: Path) -> None:
    home = tmp_path / "data"
    neighbour = home / "applications" / "org.example.Other.desktop"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n", encoding="utf-8")
    assert cli("install-desktop", XDG_DATA_HOME=str(home)).returncode == 0
    result = cli("uninstall-desktop", XDG_DATA_HOME=str(home))
    assert result.returncode == 0, result.stderr
    assert sorted(p for p in home.rglob("*") if p.is_file()) == [neighbour]
    again = cli("uninstall-desktop", XDG_DATA_HOME=str(home))
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_a_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The XDG spec: a relative $XDG_DATA_HOME is invalid and must be ignored."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert desktop.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "abs"))
    assert desktop.data_home() == tmp_path / "abs"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/opt/et/bin/election-tracker", "/opt/et/bin/election-tracker"),
        ("/home/a b/bin/election-tracker", '"/home/a b/bin/election-tracker"'),
        # quoting level: \" \$ \\ ; string level: every backslash doubled; a % is doubled
        ('/x/"$q\\/100%/e', '"/x/\\\\"\\\\$q\\\\\\\\/100%%/e"'),
    ],
)
def test_exec_quotes_a_path_as_the_desktop_entry_spec_says(path: str, expected: str) -> None:
    assert desktop.exec_argument(Path(path)) == expected


def test_an_install_in_a_folder_with_spaces_and_quotes_validates(
    tmp_path: Path, desktop_file_validate: str
) -> None:
    command = tmp_path / 'my "tools" $HOME' / "election-tracker"
    command.parent.mkdir()
    command.write_text("#!/bin/sh\n", encoding="utf-8")
    desktop.install(tmp_path / "data", command=command)
    installed = tmp_path / "data" / "applications" / DESKTOP.name
    result = run([desktop_file_validate, str(installed)])
    assert (result.returncode, result.stdout) == (0, "")
