"""A live feed of one state's results is shown in that state's zone, as its import is.

The eighth documentation walk fixed the import (``tests/test_import_state.py``): Wyoming's NIST
report imported is shown in Mountain time. The same report served and opened live (or recorded)
was shown in UTC: the zone was decided from the address alone, and ``http://127.0.0.1:P/nist/
results.xml`` names no state. A live recording whose address names none now takes the zone of the
one state its first version names (each parser's ``Election.state``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.archive.importer import import_payloads
from tracker.archive.night import NightFile
from tracker.archive.night_state import night_state
from tracker.archive.recorder import Recorder, create_recording
from tracker.archive.serve import FeedServer
from tracker.cli import main
from tracker.feeds.poll_reports import FetchEvent


def _served(shared_data: Path, tmp_path: Path, rel: str) -> Path:
    night = tmp_path / "imported.night"
    import_payloads([shared_data / rel], out=night)
    return night


@pytest.mark.parametrize(
    ("rel", "fmt", "state", "zone"),
    [
        ("nist/nist_v2_wy20g.xml", "nist", "WY", "America/Denver"),
        # AP's address without statePostal reads as a national feed (Eastern): Alaska's is not
        ("ap/newsdev-elex_20121106_ak_prez.json", "ap", "AK", "America/Anchorage"),
    ],
)
def test_recording_a_served_one_state_feed_is_in_its_states_zone(
    shared_data: Path, tmp_path: Path, rel: str, fmt: str, state: str, zone: str
) -> None:
    """`record` of Wyoming's report served as NIST, and of Alaska's AP file served as AP, on
    127.0.0.1: neither address names the state."""
    out = tmp_path / "live.night"
    with FeedServer(_served(shared_data, tmp_path, rel), fmt=fmt, speed=1000) as server:
        assert main(["record", server.url, "--max-polls", "1", "--quiet", "-o", str(out)]) == 0
    with NightFile.open(out) as night:
        assert len(night.versions()) == 1
        assert str(night.timezone) == zone
        assert night_state(night) == state
        assert night.meta["state"] == state


def test_a_zone_the_user_gives_stays(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "utc.night"
    with FeedServer(
        _served(shared_data, tmp_path, "nist/nist_v2_wy20g.xml"), fmt="nist", speed=1000
    ) as server:
        args = ["record", server.url, "--max-polls", "1", "--quiet", "--timezone", "UTC", "-o", str(out)]
        assert main(args) == 0
    with NightFile.open(out) as night:
        assert str(night.timezone) == "UTC"
        assert "state" not in night.meta


def _event(shared_data: Path, rel: str, fmt: str) -> FetchEvent:
    return FetchEvent(
        fetched_at=dt.datetime(2026, 11, 4, 2, 0, tzinfo=dt.UTC),
        url="http://127.0.0.1:1/feed",
        kind="new",
        status=200,
        data=(shared_data / rel).read_bytes(),
        fmt=fmt,
    )


def test_an_ap_file_of_several_states_stays_in_utc(shared_data: Path, tmp_path: Path) -> None:
    night = create_recording(tmp_path / "ap.night", url="http://127.0.0.1:1/feed", kind="ap")
    try:
        Recorder(night).record([_event(shared_data, "ap/newsdev-elex_20121106_me_fl_senate.json", "ap-v2")])
        assert str(night.timezone) == "UTC" and "state" not in night.meta
    finally:
        night.close()


def test_only_the_first_state_decides_and_a_known_zone_is_kept(shared_data: Path, tmp_path: Path) -> None:
    """The window's recording (``tracker.watch.feed_jobs``) records through the same Recorder."""
    night = create_recording(tmp_path / "one.night", url="http://127.0.0.1:1/feed", kind="ap")
    try:
        recorder = Recorder(night)
        recorder.record([_event(shared_data, "ap/newsdev-elex_20121106_ak_prez.json", "ap-v2")])
        assert str(night.timezone) == "America/Anchorage"
        recorder.record([_event(shared_data, "nist/nist_v2_wy20g.xml", "nist-v2-xml")])
        assert str(night.timezone) == "America/Anchorage"  # decided once
    finally:
        night.close()
    with NightFile.open(tmp_path / "one.night") as reread:
        assert str(reread.timezone) == "America/Anchorage" and reread.meta["state"] == "AK"
    known = create_recording(
        tmp_path / "ny.night", url="http://127.0.0.1:1/feed", kind="ap", timezone="America/New_York"
    )
    try:
        Recorder(known).record([_event(shared_data, "nist/nist_v2_wy20g.xml", "nist-v2-xml")])
        assert str(known.timezone) == "America/New_York"
    finally:
        known.close()
