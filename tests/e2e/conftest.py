"""End-to-end helpers: a private Xvfb server for tests that start the real app on the xcb platform.

Every test in this folder is marked ``e2e`` automatically. Xvfb comes from
``scripts/install-system-deps.sh``; without it the tests are skipped on a developer machine, but fail
in CI (``CI`` set), where a missing Xvfb means the set-up is broken and skipping would hide it.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

HERE = Path(__file__).resolve().parent
SCREEN = "1280x800x24"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's: mark only ours.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


def _start_xvfb(log: IO[bytes], screen: str = SCREEN) -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on a display number it picks itself (``-displayfd``: no races with other servers)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,  # a file, not a pipe: a chatty server must never block on a full pipe
    )
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 30
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([pipe], [], [], 0.1)
            if ready:
                chunk = pipe.read(64)
                if not chunk:  # EOF: the server exited (or closed the fd) without a number
                    break
                number += chunk
    if not number.strip().isdigit():
        _stop(proc)
        log.seek(0)
        err = log.read().decode(errors="replace")
        pytest.fail(f"Xvfb did not start (rc {proc.returncode}):\n{err[-3000:]}", pytrace=False)
    return proc, f":{number.strip().decode()}"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def _xvfb_server() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        reason = "Xvfb is not installed (bash scripts/install-system-deps.sh installs it)"
        if _in_ci():
            pytest.fail(f"{reason}; in CI this is a broken set-up, not a skip", pytrace=False)
        pytest.skip(reason)
    with tempfile.TemporaryFile() as log:
        proc, display = _start_xvfb(log)
        try:
            yield display
        finally:
            _stop(proc)


@pytest.fixture
def xvfb_display(_xvfb_server: str, tmp_path: Path) -> dict[str, str]:
    """The environment to run the app (or any Qt program) with on the session's Xvfb screen
    (1280x800, 24-bit): ``DISPLAY``, ``QT_QPA_PLATFORM=xcb`` and a fresh, empty ``TRACKER_HOME``."""
    return _app_env(_xvfb_server, tmp_path)


def _app_env(display: str, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "tracker-home"
    home.mkdir()
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ)
    for var in ("WAYLAND_DISPLAY", "XAUTHORITY", "QT_SCREEN_SCALE_FACTORS", "QT_SCALE_FACTOR"):
        env.pop(var, None)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        TRACKER_HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


@contextlib.contextmanager
def desktop(tmp_path: Path, screen: str) -> Iterator[dict[str, str]]:
    """A private Xvfb screen of size ``screen`` ("WxHxD") with the openbox window manager on it
    (frames, title bars, focus as on a desktop), and the environment to run the app there."""
    for tool in ("Xvfb", "openbox"):
        if shutil.which(tool) is None:
            reason = f"{tool} is not installed (bash scripts/install-system-deps.sh installs it)"
            if _in_ci():
                pytest.fail(f"{reason}; in CI this is a broken set-up, not a skip", pytrace=False)
            pytest.skip(reason)
    with tempfile.TemporaryFile() as log:
        server, display = _start_xvfb(log, screen)
        folder = tmp_path / f"desktop-{screen}"
        folder.mkdir()
        env = _app_env(display, folder)
        wm = subprocess.Popen(
            ["openbox", "--sm-disable"], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            time.sleep(1.0)  # openbox takes the screen before the first window maps
            yield env
        finally:
            for proc in (wm, server):
                _stop(proc)


@pytest.fixture
def openbox_desktop(tmp_path: Path):  # -> Callable[[str], ContextManager[dict[str, str]]]
    """``with openbox_desktop("1024x640x24") as env:`` a screen of that size with a window manager."""
    return lambda screen: desktop(tmp_path, screen)
