"""Replay at 1000×: how many versions per second the pipeline can take, and frames per second.

Three stages on every version of the bundled night, each a row, with the first as baseline:
reading the raw payload and decoding its JSON; parsing it into a Snapshot (what the worker thread
does); and parsing plus drawing it in the race view (what a user waits for). Then the real window
replays the whole night at 1000×, counting frames (replay-bar ticks that moved the
clock) and versions drawn, against the versions per second the night demands at that speed.
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import bundled_night, print_table
from tracker.archive.night import NightFile

#: The whole bundled night (6.5 h) lasts about 23 s at 1000×; this bounds a stuck replay.
LIVE_LIMIT_SECONDS = 60.0


def pipeline_rows() -> tuple[list[list[str]], int]:
    from tracker.ui.app import application
    from tracker.ui.race_view import RaceView

    app = application()
    night = NightFile.open(bundled_night())
    versions = night.versions()
    view = RaceView()
    view.resize(900, 600)
    view.grab()

    def stage(fn) -> float:
        t0 = time.perf_counter()
        for v in versions:
            fn(v)
        return len(versions) / (time.perf_counter() - t0)

    raw = stage(lambda v: json.loads(night.payload(v.payload_id)))
    parsed = stage(night.snapshot)

    def draw(v) -> None:
        snap = night.snapshot(v)
        view.show_contest(max(snap.contests, key=lambda c: c.total_votes))
        view.plot_widget.repaint()
        app.processEvents()

    drawn = stage(draw)
    night.close()
    rows = [
        ["read payload + json.loads (baseline)", f"{raw:,.0f}", "1.00×"],
        ["parse into a Snapshot", f"{parsed:,.0f}", f"{parsed / raw:.2f}×"],
        ["parse + draw the race view", f"{drawn:,.0f}", f"{drawn / raw:.2f}×"],
    ]
    return rows, len(versions)


def live_rows() -> tuple[list[list[str]], float]:
    from tracker.ui.app import application
    from tracker.ui.main_window import MainWindow

    app = application()
    window = MainWindow(interactive=False, persist_layout=False)
    window.resize(1200, 760)
    window.grab()
    loaded = []
    window.night_opened.connect(loaded.append)
    window.open_night(bundled_night())
    deadline = time.monotonic() + 30
    while not loaded and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    drawn = []
    frames = []
    window.drawn.connect(lambda: drawn.append(window.shown_version))
    bar = window.replay_bar
    bar.position_changed.connect(frames.append)
    bar.set_speed(1000)
    start = bar.position()
    bar.play()
    t0 = time.monotonic()
    while time.monotonic() - t0 < LIVE_LIMIT_SECONDS and bar.playing:
        app.processEvents()
        time.sleep(0.001)
    wall = time.monotonic() - t0
    info = window.night
    released = sum(1 for t in info.times if start < t <= bar.position())
    distinct = len({v for v in drawn if v is not None})
    window.close()
    return [
        ["versions the night released per second at 1000× (baseline)", f"{released / wall:.2f}", "1.00×"],
        ["versions drawn per second", f"{distinct / wall:.2f}", f"{distinct / max(released, 1):.2f}×"],
        ["frames per second (clock ticks drawn)", f"{len(frames) / wall:.1f}", "—"],
    ], wall


def main() -> None:
    # The window logs projections and reads rules and pins: never in the user's own store.
    import os
    import tempfile

    os.environ.setdefault("TRACKER_HOME", tempfile.mkdtemp(prefix="bench-replay-"))
    rows, count = pipeline_rows()
    print_table(
        f"Replay pipeline, every version of the bundled night ({count} versions)",
        ["stage", "versions/s", "vs baseline"],
        rows,
    )
    rows, wall = live_rows()
    print_table(
        f"Live replay of the whole night at 1000× in the real window ({wall:.1f} s, offscreen)",
        ["measure", "per second", "vs baseline"],
        rows,
    )


if __name__ == "__main__":
    main()
