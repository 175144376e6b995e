"""The status bar's name for a live feed's new version (found by the eighth documentation walk):
North Carolina's results file has no time and no version id, and the window said "new version ?"."""

from __future__ import annotations

from pathlib import Path

from tracker.feeds.registry import parse_payload
from tracker.watch.feed_jobs import _version_label


def _snapshot(shared_data: Path, rel: str):
    path = shared_data / rel
    return parse_payload(path.read_bytes(), "auto", source=str(path))


def test_a_feed_without_time_or_version_names_no_version(shared_data: Path) -> None:
    nc = _snapshot(shared_data, "nc-sbe/nc_2024-11-05_general_results_0_statewide.json")
    assert nc.published_at is None and not nc.version
    assert _version_label(nc) == ""


def test_a_feed_with_a_time_is_named_by_it(shared_data: Path) -> None:
    fulton = _snapshot(shared_data, "ga06-2017-04-18/2017_Fulton_detail.xml")
    assert fulton.published_at is not None
    label = _version_label(fulton)
    assert label == f"{fulton.published_at:%H:%M} {fulton.published_at.tzname()}".strip()
    assert "?" not in label
