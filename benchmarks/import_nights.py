"""Importing the CSV nights: the NYT/Edison timeseries (NC 2020) and a poller's folder (Allegheny
SD38), against the floor of merely reading the same files, measured in the same run.

Rows, each timed in its own child process (best of two, alternating, after one untimed run of each
so the bytecode is cached), with that child's peak resident memory:

- **read only** (the baseline): gunzip and ``csv.reader`` over every row, counting them; nothing
  kept. Any reader of the file pays this.
- **read and group**: ``tracker.feeds.nyt_timeseries.read_timeseries`` (rows validated, grouped by
  timestamp into flat integer arrays, the level chosen).
- **import**: ``import_payloads`` → a night file of 69 versions (each a ``tracker-feed/1`` document,
  compressed, one transaction each): what ``election-tracker import`` does.

The targets the issue set: NC "in seconds" and "within modest memory": here, at most 15 s of wall
time on the 2-core machine and a peak under 4× the gzipped file's 77 MB of text.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import print_table
from tracker import paths

NC = "nights/nc-2020-president/NC_precincts_timeseries_2020.csv.gz"
SD38 = "nights/allegheny-2022/SD38"
RUNS = 2
TARGET_SECONDS = 15.0
#: 4× the NC file's 77 MB of text.
TARGET_PEAK_MB = 308

_READ_ONLY = """
import csv, gzip, io, sys
from pathlib import Path
p = Path(sys.argv[1])
n = 0
files = sorted(p.glob("*.csv")) if p.is_dir() else [p]
for f in files:
    raw = gzip.open(f, "rb") if f.suffix == ".gz" else f.open("rb")
    with io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        for _row in csv.reader(fh):
            n += 1
"""
_GROUP = """
import sys
from pathlib import Path
from tracker.feeds.nyt_timeseries import read_timeseries
with open(sys.argv[1], "rb") as fh:
    read_timeseries(fh, source=Path(sys.argv[1]).name)
"""
_IMPORT = """
import sys
from pathlib import Path
from tracker.archive.importer import import_payloads
import_payloads([Path(sys.argv[1])], out=Path(sys.argv[2]), overwrite=True)
"""
_PEAK = """
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _run(script: str, *args: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in kB) of ``script`` run as its own process."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script + _PEAK, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return time.perf_counter() - t0, int(out.stdout.strip().splitlines()[-1])


def _best(rows: list[tuple[str, str, tuple[str, ...]]]) -> dict[str, tuple[float, int]]:
    for _name, script, args in rows:  # untimed: bytecode cached
        _run(script, *args)
    best: dict[str, tuple[float, int]] = {}
    for _ in range(RUNS):
        for name, script, args in rows:
            secs, peak = _run(script, *args)
            old = best.get(name)
            best[name] = (min(secs, old[0]), max(peak, old[1])) if old else (secs, peak)
    return best


def main() -> None:
    data = paths.shared_data_dir()
    if data is None:
        print("import_nights: the shared data folder is missing; nothing to measure")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "n.night")
        for title, src, rows in (
            (
                "NC 2020 timeseries (4.0 MB gzipped, 986,000 rows, 69 timestamps)",
                data / NC,
                [
                    ("read only (baseline)", _READ_ONLY, (str(data / NC),)),
                    ("read and group by timestamp", _GROUP, (str(data / NC),)),
                    ("import: the night of 69 versions", _IMPORT, (str(data / NC), out)),
                ],
            ),
            (
                "Allegheny 2022 SD38 poller folder (15 files)",
                data / SD38,
                [
                    ("read only (baseline)", _READ_ONLY, (str(data / SD38),)),
                    ("import: the night of 15 versions", _IMPORT, (str(data / SD38), out)),
                ],
            ),
        ):
            best = _best(rows)
            base = best[rows[0][0]][0]
            print_table(
                title,
                ("step", "wall time", "vs baseline", "peak RSS"),
                [
                    (name, f"{secs:.2f} s", f"{secs / base:.2f}×", f"{peak / 1024:.0f} MB")
                    for name, (secs, peak) in best.items()
                ],
            )
            print(f"(source: {src.name})")
            if src.name.endswith(".gz"):
                secs, peak = best[rows[-1][0]]
                ok = secs <= TARGET_SECONDS and peak / 1024 <= TARGET_PEAK_MB
                print(
                    f"target: import ≤ {TARGET_SECONDS:.0f} s and peak ≤ {TARGET_PEAK_MB} MB: "
                    f"{'met' if ok else 'NOT met'} ({secs:.1f} s, {peak / 1024:.0f} MB)"
                )
            print()


if __name__ == "__main__":
    main()
