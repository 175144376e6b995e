"""Live feeds: poll → pixels, and how long the window's event loop stalls under a big payload.

Both run the real window (offscreen), the real worker, poller and recorder against ``FeedServer`` on
127.0.0.1, whose replay clock the benchmark moves by hand (a version is released at a known instant).

1. **Poll → pixels**: the bundled night served natively; each of the next versions is released at
   a random phase of the poll cycle, and the time until the window has drawn it is measured.
   Target (issue 4): at most the poll interval + 150 ms. The baseline row is the interval itself
   (the wait a poller cannot avoid).
2. **GUI responsiveness**: a ~50 MB ``tracker-feed/1`` version **built by repeating the bundled
   night's real contests** (labelled as built: their ids and names are suffixed, the numbers are the
   real reconstructed ones, repeated) is released while a 2 ms QTimer on the GUI thread records the
   gaps between its ticks, from the release until the window has drawn the version. Target: the
   longest gap ≤ 50 ms. The baseline row is the same timer with nothing to do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import bundled_night, print_table

VERSIONS = 8
INTERVALS = (1.0, 0.25)
TARGET_EXTRA_MS = 150
BIG_MB = 50
TIMEOUT_S = 60


class StepClock:
    def __init__(self, times: list[dt.datetime], speed: float) -> None:
        self._times, self._speed, self._value = times, speed, 0.0

    def __call__(self) -> float:
        return self._value

    def release(self, index: int) -> None:
        self._value = (self._times[index] - self._times[0]).total_seconds() / self._speed


def _wait(app, predicate, timeout: float = TIMEOUT_S) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise SystemExit(f"benchmark timed out waiting for the window ({predicate.__doc__ or 'drawn'})")
        app.processEvents()
        time.sleep(0.001)


def poll_to_pixels(home: Path) -> list[list[str]]:
    from tracker.archive.night import NightFile
    from tracker.archive.serve import FeedServer
    from tracker.ui.app import application
    from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

    app = application()
    night = bundled_night()
    with NightFile.open(night) as n:
        times = [v.fetched_at for v in n.versions()]
    rows: list[list[str]] = []
    rng = random.Random(4)
    for interval in INTERVALS:
        step = StepClock(times, 1000.0)
        start_index = 30
        with FeedServer(night, fmt="native", speed=1000.0, clock=step) as server:
            step.release(start_index)  # after the server's clock is anchored at 0
            window = MainWindow(interactive=False, persist_layout=False)
            window.resize(*DEFAULT_SIZE)
            window.grab()
            window.open_feed(server.url, interval=interval, record_to=home / f"bench-{interval}.night")
            _wait(app, lambda w=window: w.shown_version == 0)
            latencies = []
            for k in range(1, VERSIONS + 1):
                # release at a random phase of the poll cycle
                end = time.perf_counter() + rng.uniform(0, interval)
                while time.perf_counter() < end:
                    app.processEvents()
                    time.sleep(0.001)
                released = time.perf_counter()
                step.release(start_index + k)
                _wait(app, lambda w=window, k=k: w.shown_version == k and w.snapshot is not None)
                window.race_view.grab()  # the pixels, not only the model
                latencies.append(time.perf_counter() - released)
            window.close()
            app.processEvents()
        worst = max(latencies)
        target = interval + TARGET_EXTRA_MS / 1000
        rows.append(
            [
                f"poll interval {interval:g} s (baseline: the interval)",
                f"{interval * 1000:.0f}",
                "",
                "1.00×",
                "",
            ]
        )
        rows.append(
            [
                f"  release → drawn, {VERSIONS} versions",
                f"{statistics.median(latencies) * 1000:.0f}",
                f"{worst * 1000:.0f}",
                f"{worst / interval:.2f}×",
                "yes" if worst <= target else f"no (by {(worst - target) * 1000:.0f} ms)",
            ]
        )
    return rows


def _big_document(target_mb: int) -> tuple[bytes, bytes]:
    """(a small real version, a ~target_mb version built by repeating the night's real contests)."""
    from tracker.archive.night import NightFile
    from tracker.feeds.native import dump_native

    with NightFile.open(bundled_night()) as n:
        versions = n.versions()
        small = n.payload(versions[20].payload_id)
        final = n.snapshot(versions[-1])
    doc = json.loads(dump_native(final))
    contests = doc["contests"]
    one = len(json.dumps(contests).encode())
    copies = max(1, round(target_mb * 1024 * 1024 / one))
    built = []
    for i in range(copies):
        for c in contests:
            c2 = dict(c)
            c2["id"] = f"{c['id']}-built-{i}"
            c2["name"] = f"{c['name']} (built copy {i})"
            built.append(c2)
    doc["contests"] = built
    doc["version"] = "built-50MB"
    doc["election"] = {**doc["election"], "note": "BUILT for a benchmark: the night's real contests repeated"}
    return small, json.dumps(doc).encode()


def responsiveness(home: Path) -> list[list[str]]:
    from PySide6.QtCore import QTimer

    from tracker.archive.night import NightFile
    from tracker.archive.serve import FeedServer
    from tracker.feeds.registry import NATIVE
    from tracker.ui.app import application
    from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

    app = application()
    small, big = _big_document(BIG_MB)
    path = home / "big.night"
    t0 = dt.datetime(2017, 4, 19, 2, 0, tzinfo=dt.UTC)
    with NightFile.create(
        path, kind="reconstructed", label="BUILT benchmark night: real contests repeated"
    ) as n:
        n.add_payload(small, fetched_at=t0, fmt=NATIVE, url="built")
        n.add_payload(big, fetched_at=t0 + dt.timedelta(minutes=1), fmt=NATIVE, url="built")

    ticks: list[tuple[float, float]] = []  # (end of gap, gap)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        ticks.append((now, now - last[0]))
        last[0] = now

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(tick)

    # baseline: the same timer with nothing else to do, for one second
    timer.start()
    last[0] = time.perf_counter()
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0005)
    baseline = max(g for _, g in ticks[1:]) if len(ticks) > 1 else 0.0
    ticks.clear()
    timer.stop()

    # The window's own handlers for a new live version, timed (the drawing is GUI work by nature).
    handler_ms: list[float] = []
    original = MainWindow._on_night_grew

    def timed(self: MainWindow, info: object) -> None:
        t = time.perf_counter()
        original(self, info)
        handler_ms.append((time.perf_counter() - t) * 1000)

    MainWindow._on_night_grew = timed  # type: ignore[method-assign]
    recorded_at: list[float] = []
    step = StepClock([t0, t0 + dt.timedelta(minutes=1)], 1000.0)
    try:
        with FeedServer(path, fmt="native", speed=1000.0, clock=step) as server:
            window = MainWindow(interactive=False, persist_layout=False)
            window.resize(*DEFAULT_SIZE)
            window.grab()
            window.worker.feed_health.connect(
                lambda h: (
                    recorded_at.append(time.perf_counter()) if h.versions >= 2 and not recorded_at else None
                )
            )
            window.open_feed(server.url, interval=0.25, record_to=home / "big-rec.night")
            _wait(app, lambda: window.shown_version == 0)
            timer.start()
            last[0] = time.perf_counter()
            released = time.perf_counter()
            step.release(1)
            _wait(app, lambda: window.shown_version == 1 and window.snapshot is not None)
            drawn = time.perf_counter() - released
            timer.stop()
            window.close()
            app.processEvents()
    finally:
        MainWindow._on_night_grew = original  # type: ignore[method-assign]
    t_rec = recorded_at[0] if recorded_at else float("inf")
    fetch_gap = max((g for t, g in ticks if t <= t_rec), default=0.0)
    later_gap = max((g for t, g in ticks if t > t_rec), default=0.0)
    draw = max(handler_ms, default=0.0)
    mb = len(big) / 2**20
    return [
        ["2 ms timer, idle (baseline)", f"{baseline * 1000:.1f}", "", "1.00×", ""],
        [
            f"fetch + parse + record the {mb:.0f} MB version (BUILT), worker threads",
            f"{fetch_gap * 1000:.1f}",
            f"{(t_rec - released):.1f} s",
            f"{fetch_gap / baseline:.1f}×" if baseline else "",
            "yes" if fetch_gap <= 0.050 else f"no (by {(fetch_gap - 0.050) * 1000:.0f} ms)",
        ],
        [
            "then estimates/projections (worker) and drawing it (GUI)",
            f"{later_gap * 1000:.1f}",
            f"{drawn:.1f} s",
            f"{later_gap / baseline:.1f}×" if baseline else "",
            f"GUI handler alone: {draw:.0f} ms",
        ],
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["TRACKER_HOME"] = str(home)
        rows = poll_to_pixels(home)
        print_table(
            "Poll → pixels: a new version on the loopback server until the window has drawn it (offscreen)",
            ["what", "median ms", "max ms", "max vs interval", "≤ interval + 150 ms"],
            rows,
        )
        rows = responsiveness(home)
        print_table(
            "GUI responsiveness: longest gap between ticks of a 2 ms timer on the GUI thread",
            ["what", "longest gap ms", "until drawn", "vs baseline", "≤ 50 ms"],
            rows,
        )


if __name__ == "__main__":
    main()
