"""Small helpers shared by the benchmarks: the bundled night, timing, and the table printer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tracker import paths

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


def bundled_night() -> Path:
    if not BUNDLED.is_file():
        raise SystemExit(f"the bundled night is missing: {BUNDLED}")
    return BUNDLED


def median_seconds(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    print(line)
    for n, row in enumerate(cells):
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print(line)
    print(line)
