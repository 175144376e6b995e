"""Packaging tests need outside tools: the desktop-file and AppStream validators, PyInstaller.

``scripts/install-system-deps.sh`` and ``scripts/setup-venv.sh`` install them. Without one a test
is skipped on a developer machine, but fails in CI (``CI`` set), where a missing tool means the
set-up is broken and a skip would hide it (as tests/e2e/conftest.py does for Xvfb).
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(what: str, how: str) -> None:
    reason = f"{what} is not installed ({how} installs it)"
    if _in_ci():
        pytest.fail(f"{reason}; in CI this is a broken set-up, not a skip", pytrace=False)
    pytest.skip(reason)


def require_tool(command: str, package: str) -> str:
    """The path of ``command`` (from the Debian ``package``), or skip/fail as above."""
    path = shutil.which(command)
    if path is None:
        _missing(f"{command} (Debian package {package})", "bash scripts/install-system-deps.sh")
    return str(path)


def require_module(module: str, extra: str) -> None:
    """Skip/fail as above when the Python ``module`` (from the project's ``extra``) is missing."""
    if importlib.util.find_spec(module) is None:
        _missing(f"{module} (the [{extra}] extra)", "bash scripts/setup-venv.sh")


@pytest.fixture(scope="session")
def desktop_file_validate() -> str:
    return require_tool("desktop-file-validate", "desktop-file-utils")


@pytest.fixture(scope="session")
def appstreamcli() -> str:
    return require_tool("appstreamcli", "appstream")


@pytest.fixture(scope="session")
def pyinstaller() -> None:
    require_module("PyInstaller", "packaging")
    require_tool("objdump", "binutils")
