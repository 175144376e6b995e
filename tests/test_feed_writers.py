"""The writers ``serve`` uses: Snapshot → Clarity detail XML (and its zip), Snapshot → AP v2 JSON.

Round trips on real data: what the writer writes, the real parser reads back to the same totals —
per candidate, per county, per vote type (Clarity), per precinct where the layout has precincts.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tracker import paths
from tracker.archive.night import NightFile
from tracker.core.model import Snapshot
from tracker.feeds.ap_writer import snapshot_to_ap_v2
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_writer import clarity_timestamp, detail_zip, precinct_level, snapshot_to_detail_xml
from tracker.feeds.registry import detect_format, parse_payload

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


def _nonzero(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {g: {c: n for c, n in row.items() if n} for g, row in table.items() if any(row.values())}


def _same(a: Snapshot, b: Snapshot, *, vote_types: bool = True, id_prefix: str = "") -> None:
    assert [id_prefix + c.id for c in a.contests] == [c.id for c in b.contests]
    for x, y in zip(a.contests, b.contests, strict=True):
        assert x.totals == y.totals
        assert x.precincts == y.precincts
        assert _nonzero(x.totals_by("county")) == _nonzero(y.totals_by("county"))
        if vote_types:
            assert _nonzero(x.totals_by("vote_type")) == _nonzero(y.totals_by("vote_type"))
        assert y.data_warnings() == []


@pytest.mark.parametrize("county", ["Cobb", "DeKalb", "Fulton"])
def test_a_real_county_precinct_file_round_trips_precinct_by_precinct(shared_data: Path, county: str) -> None:
    source = (shared_data / "ga06-2017-04-18" / f"2017_{county}_detail.xml").read_bytes()
    original = parse_detail_xml(source, source=county)
    assert precinct_level(original)
    written = parse_detail_xml(snapshot_to_detail_xml(original))
    _same(original, written)
    assert written.version == original.version and written.published_at == original.published_at
    for x, y in zip(original.contests, written.contests, strict=True):
        assert [(u.id, u.reporting, u.registered) for u in x.units] == [
            (u.id, u.reporting, u.registered) for u in y.units
        ]  # raw precinct names kept: DeKalb's "CHAMBLEE " keeps its trailing space
        assert [u.total() for u in x.units] == [u.total() for u in y.units]


def test_every_version_of_the_bundled_night_round_trips_as_a_state_county_file() -> None:
    with NightFile.open(APRIL) as night:
        versions = night.versions()
        for v in [*versions[:: max(1, len(versions) // 12)], versions[-1]]:
            snap = night.snapshot(v)
            assert not precinct_level(snap)  # three counties: Georgia's state-site layout
            written = parse_detail_xml(snapshot_to_detail_xml(snap, tz=night.timezone))
            _same(snap, written)
            assert written.published_at == snap.published_at


def test_the_zip_is_what_clarity_serves_and_the_registry_reads_it() -> None:
    with NightFile.open(APRIL) as night:
        snap = night.snapshot(night.versions()[-1])
    xml = snapshot_to_detail_xml(snap)
    data = detail_zip(xml)
    assert detail_zip(xml) == data  # the same bytes every time (a fixed member time)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["detail.xml"] and zf.read("detail.xml") == xml
    fmt = detect_format(data, "detailxml.zip")
    _same(snap, parse_payload(data, fmt))


def test_clarity_timestamps_use_the_zones_clarity_writes() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    when = dt.datetime(2017, 4, 19, 2, 40, tzinfo=dt.UTC)
    assert clarity_timestamp(when, ZoneInfo("America/New_York")) == "4/18/2017 10:40:00 PM EDT"
    assert clarity_timestamp(when.replace(month=1), ZoneInfo("America/Chicago")) == "1/18/2017 8:40:00 PM CST"
    assert clarity_timestamp(when, dt.UTC).endswith("PM EST")  # no abbreviation for UTC: Eastern


def test_ap_v2_round_trips_totals_counties_and_precincts() -> None:
    with NightFile.open(APRIL) as night:
        versions = night.versions()
        for v in (versions[0], versions[len(versions) // 2], versions[-1]):
            snap = night.snapshot(v)
            data = snapshot_to_ap_v2(snap, url="http://127.0.0.1/v2/elections/2017-04-18")
            assert detect_format(data) == "ap-v2"
            # AP race ids are unique within a state: the parser prefixes the state
            _same(snap, parse_payload(data, "ap-v2"), vote_types=False, id_prefix="GA-")


def test_a_reconstructed_night_stays_labelled_through_clarity_xml(shared_data: Path) -> None:
    """Clarity XML has no "reconstructed" field: the writer marks it in ElectionName and the parser
    reads the mark, so `serve --as clarity` of a reconstructed night is still labelled; a real
    county file is not."""
    with NightFile.open(paths.resources_dir() / "nights" / "ga06-2017-04-18.night") as night:
        snap = night.snapshot(night.versions()[-1])
    assert snap.election.reconstructed
    back = parse_detail_xml(snapshot_to_detail_xml(snap))
    assert back.election.reconstructed and "not the original feed" in back.election.note
    real = parse_detail_xml((shared_data / "ga06-2017-04-18" / "2017_Cobb_detail.xml").read_bytes())
    assert not real.election.reconstructed
    assert not parse_detail_xml(snapshot_to_detail_xml(real)).election.reconstructed


def test_a_reconstructed_night_stays_labelled_through_ap_json() -> None:
    with NightFile.open(paths.resources_dir() / "nights" / "ga06-2017-04-18.night") as night:
        snap = night.snapshot(night.versions()[-1])
    back = parse_payload(snapshot_to_ap_v2(snap), "ap-v2")
    assert back.election.reconstructed and "not the original feed" in back.election.note
    assert sum(c.total_votes for c in back.contests) == sum(c.total_votes for c in snap.contests)
