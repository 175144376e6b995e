"""Suite-wide set-up: keep Qt headless and keep every test away from the user's real data folder.

Both environment variables are set at import time, before anything imports Qt or resolves a path:
- ``QT_QPA_PLATFORM=offscreen`` unless the caller chose a platform: without a display Qt aborts the
  whole process (rc 134, no test summary) when the first QApplication is created.
- ``TRACKER_HOME`` always points at a fresh temporary folder for the session (even when the caller set
  one: that could be their real data), removed when the session ends. Under pytest-xdist every
  worker (and the controller) imports this file, so each has a folder of its own.

The files with the longest tests run first (``pytest_collection_modifyitems``): ``scripts/test.sh``
runs the suite on three pytest-xdist workers with ``--dist loadfile --no-loadscope-reorder``, so
a file is the unit of work, handed out in collection order; the 100,000-input fuzz run (minutes,
two processes of its own) then starts at once and the rest of the suite runs beside it, instead
of the fuzz starting half-way and finishing long after everything else.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="tracker-test-home-"))
os.environ["TRACKER_HOME"] = str(_SESSION_HOME)
# (the fixture below removes it at the end of a session; this also covers a process that runs no
# session of its own, such as the pytest-xdist controller)
atexit.register(shutil.rmtree, _SESSION_HOME, True)

import pytest  # noqa: E402  (after the environment is fixed, on purpose)

#: Files whose tests take longest (minutes, or a minute of build): first in the run, in this order.
_LONG_POLES = ("test_fuzz_mutations.py", "packaging/test_bundle.py")


def _file_rank(item: pytest.Item) -> tuple[int, int]:
    path = item.path.as_posix()
    for i, tail in enumerate(_LONG_POLES):
        if path.endswith("/tests/" + tail):
            return (0, i)
    if item.get_closest_marker("slow") is not None:
        return (1, 0)
    if "/tests/e2e/" in path:  # real app start-ups under Xvfb: seconds each, mostly waiting
        return (2, 0)
    return (3, 0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long files first (see the module docstring). Whole files move, each keeping its own order:
    a file ranks by its highest-ranked test."""
    rank: dict[Path, tuple[int, int]] = {}
    for item in items:
        rank[item.path] = min(rank.get(item.path, (9, 0)), _file_rank(item))
    order = {path: i for i, path in enumerate(dict.fromkeys(item.path for item in items))}
    items.sort(key=lambda item: (rank[item.path], order[item.path]))


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
