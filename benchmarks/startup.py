"""Cold start to first paint of the bundled night, against a bare Qt process in the same run.

All are fresh processes (so imports and Qt start-up count, as they do for a user), drawn
offscreen and grabbed to PNG: the baseline paints one empty window of the same size; "first
paint" opens the bundled night, parses the version for 22:40, draws the race (bars, numbers,
projection) and grabs the window as soon as the window says it is drawn; the ``--screenshot`` row
also waits for the timeline's whole history (every earlier version projected). The ratio
is what our own start-up costs on top of Qt's. Issue 8's target: ours ≤ 1.5 s on this machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import bundled_night, median_seconds, print_table

RUNS = 5

#: The app's own start path (``run_gui``): the worker starts reading the night, then the window's
#: modules (pyqtgraph) load and the window is built while it reads.
FIRST_PAINT = """
from pathlib import Path
from PySide6.QtCore import QEventLoop
from tracker.ui.app import application, start_opening
app = application()
worker = start_opening(Path({night!r}))
from tracker.ui.main_window import MainWindow
w = MainWindow(worker, interactive=False, persist_layout=False)
w.resize(1200, 760)
w.grab()
loop = QEventLoop()
w.drawn.connect(loop.quit)
w.open_night(Path({night!r}), at="22:40", started=True)
loop.exec()
w.grab().save({out!r}, "PNG")
"""

#: The same, the way start-up went before the head start: every module, then the window, then
#: the night (the comparison row for issue 8's start-up work).
SEQUENTIAL = """
from pathlib import Path
from PySide6.QtCore import QEventLoop
from tracker.ui.app import application
from tracker.ui.main_window import MainWindow
app = application()
w = MainWindow(interactive=False, persist_layout=False)
w.resize(1200, 760)
w.grab()
loop = QEventLoop()
w.drawn.connect(loop.quit)
w.open_night(Path({night!r}), at="22:40")
loop.exec()
w.grab().save({out!r}, "PNG")
"""

BASELINE = """
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget(); w.resize(1200, 760)
w.grab().save({out!r}, "PNG")
"""


def main() -> None:
    night = bundled_night()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TRACKER_HOME": tmp}
        out = str(Path(tmp) / "shot.png")

        def bare_qt() -> None:
            subprocess.run([sys.executable, "-c", BASELINE.format(out=out)], env=env, check=True)

        def python_only() -> None:
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)

        def first_paint() -> None:
            code = FIRST_PAINT.format(night=str(night), out=out)
            subprocess.run([sys.executable, "-c", code], env=env, check=True)

        def sequential() -> None:
            code = SEQUENTIAL.format(night=str(night), out=out)
            subprocess.run([sys.executable, "-c", code], env=env, check=True)

        def tracker() -> None:
            subprocess.run(
                [sys.executable, "-m", "tracker", "replay", str(night), "--at", "22:40", "--screenshot", out],
                env=env,
                check=True,
            )

        tracker()  # warm the OS file cache once, as a second launch by a user would be
        base, _ = median_seconds(bare_qt, RUNS)
        py, _ = median_seconds(python_only, RUNS)
        # Interleaved, so a machine that gets busier during the run tilts neither row.
        first_samples, seq_samples = [], []
        for _ in range(RUNS):
            first_samples.append(median_seconds(first_paint, 1)[0])
            seq_samples.append(median_seconds(sequential, 1)[0])
        first, seq = statistics.median(first_samples), statistics.median(seq_samples)
        ours, _ = median_seconds(tracker, RUNS)
    rows = [
        ["python -c pass", f"{py * 1000:.0f}", f"{py / base:.2f}×"],
        ["bare Qt window, grabbed (baseline)", f"{base * 1000:.0f}", "1.00×"],
        [
            "tracker: first paint (bars, numbers) at 22:40, grabbed",
            f"{first * 1000:.0f}",
            f"{first / base:.2f}×",
        ],
        [
            "  the same, window built before the night is read (as before)",
            f"{seq * 1000:.0f}",
            f"{seq / base:.2f}×",
        ],
        [
            "tracker --screenshot at 22:40 (bars + whole timeline)",
            f"{ours * 1000:.0f}",
            f"{ours / base:.2f}×",
        ],
    ]
    print_table(
        f"Cold start to first paint (median of {RUNS} fresh processes, offscreen)",
        ["what", "ms", "vs baseline"],
        rows,
    )
    print(f"first paint runs: {', '.join(f'{s * 1000:.0f}' for s in first_samples)} ms; target ≤ 1500 ms")


if __name__ == "__main__":
    main()
