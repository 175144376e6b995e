"""The load run (issue 19): a 5,000-race feed changing every second, followed for three minutes.

The feed is **BUILT (synthetic)**: the 5,000 races of ``benchmarks many_races`` (real contests of
AP's 26 April 2016 file, Georgia's November 2020 summary and its January 2021 runoff, repeated),
each with its first reporting unit only (a 1.7 MB payload: with every unit, 5.8 MB, parsing one
version takes this shared 2-core machine over a second, and ``record`` alone falls behind), with,
in version k, ``k`` votes added to the first count of every race, so that **every race changes
every second** (the hardest case: no contest is shared between versions). Its election,
night label and version ids say "BUILT" / "built-load-k". It is written as a night and served
natively on 127.0.0.1 by ``FeedServer`` (what ``election-tracker serve`` runs) at 1×: version k
is released k seconds after the follower's first request.

Two followers, one after the other, each against a fresh server, both polling every half second
(a conditional GET: unchanged, the server answers 304; a follower polling every second falls
behind a feed changing every second, by its own fetch time each round, and misses one now and then):

* **baseline**: ``election-tracker record URL --interval 1`` alone (the headless recorder);
* **the window**: the real ``MainWindow`` (a subprocess; under Xvfb when ``xvfb-run`` is there and
  no display is set, else offscreen) after ``open_feed(URL, interval=1)``, recording into its own
  night while drawing.

Reported in one table: the versions the server released while followed (those released at least
one poll interval before the end, so a follower had the time to fetch them), how many of them
the follower's night file holds, the process's peak RSS (VmHWM) and the slope of its RSS
(sampled every 0.5 s from /proc) over the last two thirds of the run (least squares, MB/min),
and, for the window, the share of time its GUI thread was stalled: the sum of the gaps longer than
50 ms between ticks of a 10 ms QTimer, over the followed time; and how many versions it drew.

Targets: every version kept; RSS slope ≈ 0 (flat); GUI stalled ≪ 69 % (the issue's reading).

``python -m benchmarks load_run`` runs 180 s per follower; ``python -m benchmarks load_run 60`` (or
``LOAD_RUN_SECONDS=60``) a shorter run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import print_table

RACES = 5000
DEFAULT_SECONDS = 180
INTERVAL = 0.5
STALL_S = 0.050
TICK_MS = 10
LABEL = "BUILT synthetic load: 5,000 real races repeated, every race changing every second (benchmark)"
NOTE = (
    "BUILT (synthetic) for the load run: the 5,000 races of benchmarks/many_races.py with k votes "
    "added to every race's first count in version k; not a real night"
)


def seconds() -> int:
    args = [int(a) for a in sys.argv[1:] if a.isdigit()]
    if args:
        return args[0]
    return int(os.environ.get("LOAD_RUN_SECONDS", DEFAULT_SECONDS))


# the built night ------------------------------------------------------------------------------------
def build_night(path: Path, versions: int) -> Path:
    """A night of ``versions`` versions one second apart (see the module docstring)."""
    from benchmarks.many_races import build_versions
    from tracker.archive.night import NightFile
    from tracker.feeds.native import dump_native
    from tracker.feeds.registry import NATIVE

    base = build_versions(RACES)[1]
    doc = json.loads(dump_native(base))
    doc["election"] = {
        **doc["election"],
        "name": "5,000 races, BUILT synthetic load",
        "note": NOTE,
        "reconstructed": True,
    }
    firsts = []  # each race's first count: (its vote types' dict, the vote type, its real value)
    for contest in doc["contests"]:
        contest["units"] = contest["units"][:1]  # one reporting unit a race (see the docstring)
        for by_type in contest["units"][0]["votes"].values() if contest["units"] else ():
            vtype, value = next(iter(by_type.items()))
            firsts.append((by_type, vtype, value))
            break
    t0 = dt.datetime(2021, 1, 6, 0, 0, tzinfo=dt.UTC)
    with NightFile.create(path, kind="reconstructed", label=LABEL, note=NOTE, overwrite=True) as night:
        for k in range(versions):
            for by_type, vtype, value in firsts:
                by_type[vtype] = value + k
            doc["version"] = f"built-load-{k}"
            payload = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
            night.add_payload(
                payload, fetched_at=t0 + dt.timedelta(seconds=k), fmt=NATIVE, version=doc["version"]
            )
    return path


class Gate:
    """The server's clock: stands at 0 until ``go()``, then runs in real seconds."""

    def __init__(self) -> None:
        self.at: float | None = None

    def go(self) -> None:
        self.at = time.monotonic()

    def __call__(self) -> float:
        return 0.0 if self.at is None else time.monotonic() - self.at


# sampling a follower ---------------------------------------------------------------------------------
def _status(pid: int) -> tuple[float, float] | None:
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return None


class Sampler(threading.Thread):
    """RSS of ``pid`` every half second, with the time since ``t0`` (seconds)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.peak = pid, [], 0.0
        self.t0: float | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.5):
            st = _status(self.pid)
            if st is None:
                continue
            self.peak = max(self.peak, st[1])
            if self.t0 is not None:
                self.samples.append((time.monotonic() - self.t0, st[0]))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def slope_mb_per_min(samples: list[tuple[float, float]], duration: float) -> float:
    """Least-squares slope of RSS over the last two thirds of the run, in MB per minute."""
    tail = [(t / 60, mb) for t, mb in samples if t >= duration / 3]
    if len(tail) < 2:
        return float("nan")
    xs, ys = zip(*tail, strict=True)
    return statistics.linear_regression(xs, ys).slope


def recorded_versions(path: Path) -> set[str]:
    from tracker.archive.night import NightFile
    from tracker.archive.recorder import current_versions

    with NightFile.open(path, readonly=True) as night:
        return {v.version or "" for v in current_versions(night.versions())}


# the followers ---------------------------------------------------------------------------------------
WINDOW = r"""
import json, os, sys, threading, time
from pathlib import Path
print(os.getpid(), flush=True)
from PySide6.QtCore import QTimer
from tracker.ui.app import application
from tracker.ui.main_window import DEFAULT_SIZE, MainWindow

url, night = sys.argv[1], Path(sys.argv[2])
app = application()
w = MainWindow(interactive=False, persist_layout=False)
w.resize(*DEFAULT_SIZE)
w.show()
gaps, last, drawn = [], [None], set()
stop = threading.Event()

def tick():
    now = time.perf_counter()
    if last[0] is not None:
        gaps.append(now - last[0])
    if last[0] is not None or drawn:
        last[0] = now
    if stop.is_set():
        finish()

def on_drawn():
    snap = w.snapshot
    if snap is not None:
        drawn.add(snap.version)

def finish():
    timer.stop()
    w.stop_feed()
    w.close()
    print(json.dumps({"gaps": gaps, "drawn": len(drawn)}), flush=True)
    app.quit()

def wait_for_stop():
    sys.stdin.readline()
    stop.set()

timer = QTimer()
timer.setInterval(TICK_MS)
timer.timeout.connect(tick)
timer.start()
w.drawn.connect(on_drawn)
threading.Thread(target=wait_for_stop, daemon=True).start()
w.open_feed(url, interval=INTERVAL, record_to=night)
app.exec()
""".replace("TICK_MS", str(TICK_MS)).replace("INTERVAL", repr(INTERVAL))


def _window_command() -> tuple[list[str], dict[str, str], str]:
    env = dict(os.environ)
    platform = os.environ.get("LOAD_RUN_PLATFORM")
    if platform is None:
        platform = "xcb" if os.environ.get("DISPLAY") or shutil.which("xvfb-run") else "offscreen"
    env["QT_QPA_PLATFORM"] = platform
    command = [sys.executable, "-c", WINDOW]
    if platform == "xcb" and not os.environ.get("DISPLAY"):
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
        return command, env, "Xvfb"
    return command, env, platform


def follow(kind: str, night: Path, home: Path, duration: int) -> dict[str, object]:
    """Serve ``night`` afresh, let ``kind`` ("record" or "window") follow it for ``duration``
    seconds after its first request, and measure (see the module docstring)."""
    from tracker.archive.serve import FeedServer

    gate = Gate()
    out = home / f"{kind}.night"
    env = {**os.environ, "TRACKER_HOME": str(home / kind)}
    with FeedServer(night, fmt="native", speed=1.0, clock=gate) as server:
        if kind == "record":
            command = [
                sys.executable,
                "-m",
                "tracker",
                "record",
                server.url,
                "-o",
                str(out),
                "--interval",
                str(INTERVAL),
                "--quiet",
            ]
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            pid, where = proc.pid, "headless"
        else:
            command, wenv, where = _window_command()
            proc = subprocess.Popen(
                [*command, server.url, str(out)],
                env={**wenv, "TRACKER_HOME": env["TRACKER_HOME"]},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            pid = int(proc.stdout.readline())
        sampler = Sampler(pid)
        sampler.start()
        deadline = time.monotonic() + 120
        while not server.requests:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the {kind} follower never asked the server: {proc.stderr.read()[-2000:]}")
            time.sleep(0.005)
        gate.go()
        sampler.t0 = time.monotonic()
        time.sleep(duration)
        elapsed = gate()
        if kind == "record":
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            result: dict[str, object] = {}
        else:
            assert proc.stdin is not None
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            stdout, err = proc.communicate(timeout=300)
            line = [x for x in stdout.splitlines() if x.startswith("{")]
            if not line:
                raise SystemExit(f"the window did not report: {err[-3000:]}")
            result = json.loads(line[-1])
        sampler.stop()
    total = len(server.versions)
    released = min(int(elapsed - INTERVAL) + 1, total)  # released at least one interval before the end
    served = {f"built-load-{k}" for k in range(released)}
    kept = recorded_versions(out) & served
    result.update(
        where=where,
        served=len(served),
        kept=len(kept),
        peak=sampler.peak,
        slope=slope_mb_per_min(sampler.samples, duration),
        first=sampler.samples[0][1] if sampler.samples else float("nan"),
        last=sampler.samples[-1][1] if sampler.samples else float("nan"),
        stderr=err[-2000:],
    )
    return result


def stalled_share(gaps: list[float]) -> float:
    total = sum(gaps)
    return sum(g for g in gaps if g > STALL_S) / total if total else float("nan")


def main() -> None:
    duration = seconds()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["TRACKER_HOME"] = str(home)
        t = time.perf_counter()
        night = build_night(home / "built-synthetic-load-5000-races.night", duration + 15)
        print(
            f"{LABEL}: {duration + 15} versions built in {time.perf_counter() - t:.0f} s; each follower "
            f"follows for {duration} s (polling every {INTERVAL:g} s)",
            flush=True,
        )
        base = follow("record", night, home, duration)
        win = follow("window", night, home, duration)
    rows = []
    for label, r in (
        ("`election-tracker record` alone (baseline)", base),
        (f"the window following the feed ({win['where']})", win),
    ):
        gaps = r.get("gaps")
        rows.append(
            [
                label,
                r["served"],
                r["kept"],
                "yes" if r["kept"] == r["served"] else "no",
                f"{r['first']:.0f} → {r['last']:.0f}",
                f"{r['peak']:.0f}",
                f"{r['peak'] / base['peak']:.2f}×",
                f"{r['slope']:+.1f}",
                f"{stalled_share(gaps) * 100:.0f} %" if isinstance(gaps, list) else "—",
                str(r["drawn"]) if "drawn" in r else "—",
            ]
        )
    print_table(
        f"The load run: a BUILT 5,000-race feed changing every second, followed for {duration} s",
        [
            "follower",
            "versions served",
            "recorded",
            "all kept",
            "RSS MB first → last",
            "peak RSS MB",
            "peak vs baseline",
            "RSS slope, last 2/3, MB/min",
            "GUI stalled (> 50 ms gaps)",
            "versions drawn",
        ],
        rows,
    )
    for label, r in (("record", base), ("window", win)):
        err = str(r["stderr"]).strip()
        if err:
            print(f"\n{label} stderr (last lines):\n{err}")


if __name__ == "__main__":
    main()
