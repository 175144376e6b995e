"""Start-up defers what a night opened to watch never needs (issue 8): the drill-down dock (its
module, table and vote-mix chart) is made on first use, not with the window."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

CHILD = textwrap.dedent(
    """
    import sys
    from tracker.ui.app import application
    from tracker.ui.main_window import MainWindow

    app = application()
    w = MainWindow(interactive=False, persist_layout=False)
    w.resize(1200, 760)
    w.grab()
    print("tracker.ui.drilldown" in sys.modules)
    action = w.actions_by_name["drilldown"]
    action.trigger()  # Race ▸ Drill down
    print("tracker.ui.drilldown" in sys.modules, not w.drilldown.isHidden(), action.isChecked())
    w.drilldown.toggleViewAction().trigger()  # closed by the dock's own toggle (its title bar's ×)
    print(w.drilldown.isHidden(), action.isChecked())
    w.close()
    """
)


def test_the_drill_down_is_made_on_first_use_not_at_start(tmp_path: Path) -> None:
    env_home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TRACKER_HOME": str(env_home)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "False", "the window loaded the drill-down at start"
    assert lines[1] == "True True True", "Race ▸ Drill down did not make and show the dock"
    assert lines[2] == "True False", "the menu's check did not follow the dock closing"
