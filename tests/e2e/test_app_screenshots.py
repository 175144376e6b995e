"""The real app under Xvfb on the bundled night: its screenshot is checked pixel by pixel.

Nothing here asks the app where it drew things. The bars are found by their colours in the PNG,
the axis by its grid lines (one every 10 %), the threshold line as the long dashed dark column.
The expected shares come from the core reading the same night file (and, at the end, from the
certified totals in PROVENANCE.md), so the test fails if the window draws any number wrong.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.replay import Timeline, parse_clock_time

NIGHT = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
LEADER = (0x00, 0x72, 0xB2)  # race_view.LEADER_COLOUR
RUNNER_UP = (0xE6, 0x9F, 0x00)  # race_view.RUNNER_UP_COLOUR
GRID = (0xEA, 0xEE, 0xF2)  # race_view.GRID_COLOUR
LINE = (0x1F, 0x23, 0x28)  # race_view.LINE_COLOUR


def screenshot(env: dict[str, str], out: Path, at: str) -> np.ndarray:
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "replay", str(NIGHT), "--at", at, "--screenshot", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # (a bound for a hung child, far above a loaded machine's pace)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    from PySide6.QtGui import QImage

    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull()
    width, height = image.width(), image.height()
    assert (width, height) >= (1000, 600)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return raw.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).astype(int)


def mask(pixels: np.ndarray, rgb: tuple[int, int, int], tol: int = 10) -> np.ndarray:
    return (np.abs(pixels - np.array(rgb)) <= tol).all(axis=2)


def longest_run(row: np.ndarray) -> tuple[int, int]:
    """(start, end) of the longest run of True in a 1-D mask ((0, -1) when none)."""
    padded = np.concatenate(([0], row.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[::2], edges[1::2] - 1
    if not starts.size:
        return 0, -1
    i = int(np.argmax(ends - starts))
    return int(starts[i]), int(ends[i])


def bar_extent(pixels: np.ndarray, rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """(left x, right x, row) of the bar filled with ``rgb``: the longest run of that colour in any row."""
    m = mask(pixels, rgb)
    runs = [longest_run(row) for row in m]
    lengths = [end - start for start, end in runs]
    row = int(np.argmax(lengths))
    assert lengths[row] >= 20, f"no bar of colour {rgb} in the screenshot"
    return runs[row][0], runs[row][1], row


def expected_shares(at: str) -> dict[str, float]:
    """Ossoff's and Handel's shares (in %) in the version current at ``at``, read by the core."""
    with NightFile.open(NIGHT) as night:
        versions = night.versions()
        timeline = Timeline([v.fetched_at for v in versions])
        when = parse_clock_time(at, versions[0].fetched_at, night.timezone)
        snapshot = night.snapshot(versions[timeline.index_at(when)])
    house = max(snapshot.contests, key=lambda c: c.total_votes)
    by_name = {c.name.upper(): c.id for c in house.candidates}
    return {
        "ossoff": house.share(by_name["JON OSSOFF"]) * 100,
        "handel": house.share(by_name["KAREN HANDEL"]) * 100,
    }


def measure(pixels: np.ndarray) -> dict[str, float]:
    o_left, o_right, o_row = bar_extent(pixels, LEADER)
    h_left, h_right, h_row = bar_extent(pixels, RUNNER_UP)
    assert abs(o_left - h_left) <= 3, "bars must start at the same 0 % origin"
    assert o_row < h_row, "the leader's bar is drawn above the runner-up's"
    plot_rows = slice(o_row, pixels.shape[0] - 120)
    # Grid: light vertical lines every 10 %, right of the origin.
    # A grid pixel is grid-coloured with white plot background on both sides (this excludes the
    # window's own grey background); bars and labels hide parts of each line, so a few rows suffice.
    area = pixels[plot_rows]
    white = mask(area, (255, 255, 255), tol=2)
    thin = mask(area, GRID, tol=6)
    thin[:, 1:-1] &= white[:, :-2] & white[:, 2:]
    grid = thin.sum(axis=0)
    # With the timeline below the bars, the bar rows are tighter and the texts of the small
    # candidates hide most of the 10 % line: 8 white-flanked pixels identify a line (the
    # window's own right edge, also white-flanked, is not one).
    grid_cols = [x for x in np.flatnonzero(grid >= 8) if o_left + 5 < x < pixels.shape[1] - 5]
    # Threshold: the column right of the origin with the most line-coloured pixels (dashed: ~half).
    dark = mask(pixels[plot_rows], LINE, tol=40).sum(axis=0)
    dark[: o_left + 5] = 0
    line_x = int(np.argmax(dark))
    assert dark[line_x] > 0.3 * (plot_rows.stop - plot_rows.start), "no long dashed threshold line found"
    return {
        "origin": o_left,
        "ossoff_right": o_right,
        "handel_right": h_right,
        "line": line_x,
        "grid": grid_cols,
    }


def check_axis(m: dict, shares: dict[str, float]) -> float:
    """Pixels per percentage point from the grid; bars and the line must sit where the numbers say."""
    grid = sorted(set(m["grid"]))
    groups = np.split(np.array(grid), np.flatnonzero(np.diff(grid) > 2) + 1)
    centres = [float(g.mean()) for g in groups]
    assert len(centres) >= 8, f"expected grid lines every 10 %, found {centres}"
    step = float(np.median(np.diff(centres)))
    per_point = step / 10

    def x_of(share: float) -> float:
        """Pixel column of ``share`` % on the axis, from the grid (its first line is 10 %)."""
        return centres[0] + (share - 10) * per_point

    tolerance_px = 4  # bar outlines and antialiasing
    assert abs(m["origin"] - x_of(0)) <= tolerance_px, "bars do not start at 0 %"
    assert abs(m["line"] - x_of(50)) <= 2, "the threshold line is not at 50 %"
    assert abs(m["ossoff_right"] - x_of(shares["ossoff"])) <= tolerance_px
    assert abs(m["handel_right"] - x_of(shares["handel"])) <= tolerance_px
    return per_point


def test_end_of_night_ossoff_ends_left_of_the_line(xvfb_display, tmp_path):
    pixels = screenshot(xvfb_display, tmp_path / "end.png", "01:30")
    shares = expected_shares("01:30")
    # the certified result (PROVENANCE.md): 92,673 and 38,071 of 192,569
    assert shares["ossoff"] == pytest.approx(92_673 / 192_569 * 100)
    assert shares["handel"] == pytest.approx(38_071 / 192_569 * 100)
    m = measure(pixels)
    check_axis(m, shares)
    assert m["ossoff_right"] < m["line"] - 3, "Ossoff (48.1 %) must end left of the 50 % line"


def test_at_2240_bars_sit_where_the_numbers_say(xvfb_display, tmp_path):
    pixels = screenshot(xvfb_display, tmp_path / "2240.png", "22:40")
    shares = expected_shares("22:40")
    assert 49 < shares["ossoff"] < 52  # the press had 50.3 % at 22:40; the reconstruction is calibrated to it
    check_axis(measure(pixels), shares)
