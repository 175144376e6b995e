"""The parse benchmark's check of the whole command: the race headings it sums are every race's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.parse import _VOTES_RE
from tracker.feeds.clarity import parse_detail_xml


def test_the_benchmark_reads_every_race_heading_of_parse_singular_included(shared_data: Path):
    """Gwinnett 2020 has a race of one precinct ("1 of 1 precinct"): the benchmark's sum of the
    headings must equal the file's total, or its "identical totals" column says NO for nothing."""
    path = shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
    out = subprocess.run(
        [sys.executable, "-m", "tracker", "parse", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "1 of 1 precinct," in out
    summed = sum(int(m.replace(",", "")) for m in _VOTES_RE.findall(out))
    assert summed == sum(c.total_votes for c in parse_detail_xml(path.read_bytes()).contests)
