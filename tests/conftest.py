"""Suite-wide set-up: keep Qt headless and keep every test away from the user's real data folder.

Both environment variables are set at import time, before anything imports Qt or resolves a path:
- ``QT_QPA_PLATFORM=offscreen`` unless the caller chose a platform: without a display Qt aborts the
  whole process (rc 134, no test summary) when the first QApplication is created.
- ``TRACKER_HOME`` always points at a fresh temporary folder for the session (even when the caller set
  one: that could be their real data), removed when the session ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="tracker-test-home-"))
os.environ["TRACKER_HOME"] = str(_SESSION_HOME)

import pytest  # noqa: E402  (after the environment is fixed, on purpose)


@pytest.fixture(scope="session", autouse=True)
def _session_tracker_home() -> Iterator[Path]:
    """The session's TRACKER_HOME (set at import time above); removed when the session ends."""
    yield _SESSION_HOME
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder (``../shared/data`` beside the checkout, or ``$TRACKER_SHARED_DATA``).

    CI always has it (the CI layout puts ``shared/`` beside the clone), so these tests do run there; the
    skip is only for a checkout somewhere else.
    """
    from tracker import paths

    path = paths.shared_data_dir()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shared data folder not found: CI must have ../shared/data beside the clone")
        pytest.skip(
            "shared data folder not found (../shared/data beside the checkout, or TRACKER_SHARED_DATA)"
        )
    return path


@pytest.fixture
def tracker_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh, empty TRACKER_HOME for this one test (store, nights, window settings all land in it)."""
    home = tmp_path / "tracker-home"
    home.mkdir()
    monkeypatch.setenv("TRACKER_HOME", str(home))
    return home
