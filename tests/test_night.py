"""The night file: raw payloads in, the same bytes and re-parsed Snapshots out.

Payloads are either real (the GA-06 2017 Clarity detail XMLs from the shared data folder, stored
as opaque bytes) or SYNTHETIC native feeds built with ``tracker.feeds.native.dump_native`` from
tiny made-up snapshots (their numbers are not election results).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.archive.night import FILE_FORMAT, SCHEMA_VERSION, NightFile, Version
from tracker.core.errors import NightFileError
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.native import FORMAT as NATIVE
from tracker.feeds.native import dump_native

T0 = dt.datetime(2017, 4, 18, 23, 0, tzinfo=dt.UTC)
NY = ZoneInfo("America/New_York")


def synthetic_feed(votes_a: int, *, version: str = "", published: dt.datetime | None = None) -> bytes:
    """A SYNTHETIC one-precinct native feed (made-up numbers) whose bytes change with ``votes_a``."""
    snap = Snapshot(
        election=Election(id="synthetic", name="Synthetic night (test data, not real)"),
        contests=(
            Contest(
                id="c",
                name="Synthetic contest",
                candidates=(Candidate("a", "A", ballot_order=0), Candidate("b", "B", ballot_order=1)),
                units=(
                    ReportingUnit(
                        id="p1",
                        name="Precinct 1",
                        reporting=Reporting.PARTIAL,
                        votes={"a": {"Election Day": votes_a}, "b": {"Election Day": 5}},
                    ),
                ),
            ),
        ),
        version=version,
        published_at=published,
    )
    return dump_native(snap)


@pytest.fixture
def night(tmp_path: Path) -> Iterator[NightFile]:
    n = NightFile.create(tmp_path / "n.night", kind="recorded", label="Synthetic test night")
    yield n
    n.close()


@pytest.fixture(scope="module")
def real_payloads(shared_data: Path) -> list[bytes]:
    """The three GA-06 county detail XMLs (407 / 209 / 604 KB), real and unedited."""
    folder = shared_data / "ga06-2017-04-18"
    return [(folder / f"2017_{c}_detail.xml").read_bytes() for c in ("Cobb", "DeKalb", "Fulton")]


@pytest.fixture
def real_night(tmp_path: Path, real_payloads: list[bytes]) -> Path:
    path = tmp_path / "real.night"
    with NightFile.create(path, kind="recorded", label="GA-06 payloads (test copy)") as n:
        for i, data in enumerate(real_payloads):
            n.add_payload(data, fetched_at=T0 + dt.timedelta(minutes=i), fmt="clarity-detail-xml")
    return path


# -- metadata --------------------------------------------------------------------------------


def test_metadata_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.night"
    created = dt.datetime(2017, 4, 18, 18, 0, tzinfo=NY)
    label = (
        "GA-06 special election, 18 Apr 2017 — reconstructed from certified precinct results"
        " — not the original feed"
    )
    with NightFile.create(
        path,
        kind="reconstructed",
        label=label,
        note="Counts are certified; the order and times are modelled.",
        sources=["ga06-2017-04-18/2017_Cobb_detail.xml", "press_reported_timeline.csv"],
        timezone="America/New_York",
        meta={"seed": "7"},
        created_at=created,
    ) as n:
        assert n.reconstructed
    with NightFile.open(path) as n:
        assert (n.kind, n.label, n.reconstructed) == ("reconstructed", label, True)
        assert n.note.startswith("Counts are certified")
        assert n.sources == ("ga06-2017-04-18/2017_Cobb_detail.xml", "press_reported_timeline.csv")
        assert n.timezone == NY
        assert n.created_at == created and n.created_at.tzinfo == dt.UTC
        meta = n.meta
        assert meta["format"] == FILE_FORMAT and meta["schema_version"] == str(SCHEMA_VERSION)
        assert meta["seed"] == "7"
        meta["kind"] = "tampered"  # a copy: the night is unaffected
        assert n.kind == "reconstructed"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "live"}, "kind must be one of"),
        ({"label": "two\nlines"}, "label must be one non-empty line"),
        ({"label": "  "}, "label must be one non-empty line"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"meta": {"kind": "x"}}, "meta key 'kind' is reserved"),
        ({"created_at": dt.datetime(2017, 4, 18)}, "must be timezone-aware"),
    ],
)
def test_create_validates_arguments(tmp_path: Path, kwargs: dict, message: str) -> None:
    args = {"kind": "recorded", "label": "Synthetic", **kwargs}
    with pytest.raises(ValueError, match=message):
        NightFile.create(tmp_path / "bad.night", **args)
    assert not (tmp_path / "bad.night").exists()


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "n.night"
    with NightFile.create(path, kind="recorded", label="first") as n:
        n.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
    with pytest.raises(NightFileError, match="already exists"):
        NightFile.create(path, kind="recorded", label="second")
    with NightFile.open(path) as n:
        assert n.label == "first" and len(n.versions()) == 1
    with NightFile.create(path, kind="recorded", label="second", overwrite=True) as n:
        assert n.versions() == []
    with NightFile.open(path) as n:
        assert n.label == "second"


# -- writing and reading payloads ------------------------------------------------------------


def test_payloads_are_stored_once_and_read_back_exactly(night: NightFile, real_payloads: list[bytes]) -> None:
    cobb = real_payloads[0]
    first = night.add_payload(cobb, fetched_at=T0, fmt="clarity-detail-xml", url="https://example.invalid/a")
    second = night.add_payload(cobb, fetched_at=T0 + dt.timedelta(seconds=30), fmt="clarity-detail-xml")
    assert second != first
    fetches = night.fetches()
    assert [f.id for f in fetches] == [first, second]
    assert fetches[0].payload_id == fetches[1].payload_id
    assert night.payload(fetches[0].payload_id) == cobb
    assert night.payload(fetches[0].sha256) == cobb  # by digest too
    conn = sqlite3.connect(night.path)
    (count, size, stored, codec) = conn.execute(
        "SELECT count(*), max(size), max(length(data)), max(codec) FROM payloads"
    ).fetchone()
    conn.close()
    assert (count, size, codec) == (1, len(cobb), "zlib")
    assert stored < len(cobb) / 4  # XML compresses well


def test_incompressible_payload_is_stored_raw(night: NightFile) -> None:
    noise = random.Random(1).randbytes(4096)
    night.add_payload(noise, fetched_at=T0, fmt=NATIVE)
    (version,) = night.versions()
    assert night.payload(version.payload_id) == noise
    conn = sqlite3.connect(night.path)
    assert conn.execute("SELECT codec FROM payloads").fetchone() == ("none",)
    conn.close()


def test_versions_skip_repeats_but_keep_a_version_that_comes_back(night: NightFile) -> None:
    a, b = synthetic_feed(1), synthetic_feed(2)
    # Inserted out of time order on purpose: versions come back in fetch-time order.
    night.add_payload(b, fetched_at=T0 + dt.timedelta(minutes=2), fmt=NATIVE, version="v2")
    night.add_payload(a, fetched_at=T0, fmt=NATIVE, version="v1")
    night.add_payload(a, fetched_at=T0 + dt.timedelta(minutes=1), fmt=NATIVE, version="v1")
    night.add_fetch_event(fetched_at=T0 + dt.timedelta(minutes=3), url="u", status=304)
    night.add_payload(b, fetched_at=T0 + dt.timedelta(minutes=4), fmt=NATIVE, version="v2")
    # A stale cache serves the older version again, then the newer one.
    night.add_payload(a, fetched_at=T0 + dt.timedelta(minutes=5), fmt=NATIVE, version="v1")
    night.add_payload(b, fetched_at=T0 + dt.timedelta(minutes=6), fmt=NATIVE, version="v2")
    versions = night.versions()
    assert [(v.index, v.version, (v.fetched_at - T0).seconds // 60) for v in versions] == [
        (0, "v1", 0),
        (1, "v2", 2),
        (2, "v1", 5),
        (3, "v2", 6),
    ]
    assert len({v.payload_id for v in versions}) == 2
    assert len(night.fetches()) == 7


def test_fetch_events_without_payload(night: NightFile) -> None:
    night.add_fetch_event(
        fetched_at=T0,
        url="https://example.invalid/cv",
        status=304,
        etag='"abc"',
        last_modified="Tue, 18 Apr 2017",
    )
    night.add_fetch_event(
        fetched_at=T0 + dt.timedelta(seconds=30),
        url="https://example.invalid/cv",
        status=None,
        error="timed out",
    )
    night.add_payload(
        synthetic_feed(3),
        fetched_at=T0 + dt.timedelta(seconds=60),
        fmt=NATIVE,
        url="https://example.invalid/feed.json",
        etag='"def"',
        last_modified="Wed, 19 Apr 2017",
        version="9",
        published_at=T0,
    )
    log = night.fetches()
    assert [(f.status, f.error, f.payload_id is None) for f in log] == [
        (304, None, True),
        (None, "timed out", True),
        (200, None, False),
    ]
    assert (log[0].etag, log[0].last_modified) == ('"abc"', "Tue, 18 Apr 2017")
    assert (log[2].fmt, log[2].version, log[2].published_at, log[2].etag) == (NATIVE, "9", T0, '"def"')
    assert [v.fetch_id for v in night.versions()] == [log[2].id]


def test_times_are_aware_and_naive_ones_are_refused(night: NightFile) -> None:
    local = dt.datetime(2017, 4, 18, 19, 59, tzinfo=NY)
    night.add_payload(synthetic_feed(1), fetched_at=local, fmt=NATIVE, published_at=local)
    (v,) = night.versions()
    assert v.fetched_at == local and v.fetched_at.tzinfo == dt.UTC
    assert v.published_at == local and v.published_at.utcoffset() == dt.timedelta(hours=-4)
    with pytest.raises(ValueError, match="fetched_at must be timezone-aware"):
        night.add_payload(synthetic_feed(2), fetched_at=dt.datetime(2017, 4, 18, 20), fmt=NATIVE)
    with pytest.raises(ValueError, match="published_at must be timezone-aware"):
        night.add_payload(synthetic_feed(2), fetched_at=T0, fmt=NATIVE, published_at=dt.datetime(2017, 4, 18))
    with pytest.raises(ValueError, match="fetched_at must be timezone-aware"):
        night.add_fetch_event(fetched_at=dt.datetime(2017, 4, 18, 20), url="", status=500)
    with pytest.raises(ValueError, match="unknown format"):
        night.add_payload(b"{}", fetched_at=T0, fmt="ap-v2-json-someday")
    assert len(night.fetches()) == 1


def test_snapshot_reparses_with_recording_fields(night: NightFile) -> None:
    published = dt.datetime(2017, 4, 18, 21, 37, tzinfo=NY)
    night.add_payload(synthetic_feed(7, version="feed-7", published=published), fetched_at=T0, fmt=NATIVE)
    # No published time and no version in the payload: what was recorded beside it is used.
    night.add_payload(
        synthetic_feed(8),
        fetched_at=T0 + dt.timedelta(minutes=1),
        fmt=NATIVE,
        version="from-header",
        published_at=T0,
    )
    first, second = night.versions()
    snap = night.snapshot(first)
    assert snap.contests[0].totals == {"a": 7, "b": 5}
    assert (snap.fetched_at, snap.published_at, snap.version) == (T0, published, "feed-7")
    assert snap.payload_id == first.sha256
    snap2 = night.snapshot(second)
    assert (snap2.published_at, snap2.version) == (T0, "from-header")


def test_damaged_payload_is_detected(night: NightFile) -> None:
    night.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
    night.add_payload(random.Random(2).randbytes(100), fetched_at=T0 + dt.timedelta(1), fmt=NATIVE)
    zipped, raw = night.versions()
    conn = sqlite3.connect(night.path)
    conn.execute("UPDATE payloads SET data = zeroblob(10) WHERE id = ?", (zipped.payload_id,))
    (blob,) = conn.execute("SELECT data FROM payloads WHERE id = ?", (raw.payload_id,)).fetchone()
    flipped = bytes([blob[0] ^ 1]) + blob[1:]  # one bit of an uncompressed payload
    conn.execute("UPDATE payloads SET data = ? WHERE id = ?", (flipped, raw.payload_id))
    conn.commit()
    conn.close()
    with pytest.raises(NightFileError, match="does not decompress"):
        night.payload(zipped.payload_id)
    with pytest.raises(NightFileError, match="does not match its checksum"):
        night.snapshot(raw)
    with pytest.raises(KeyError):
        night.payload(999)


# -- opening: every way a file can be wrong --------------------------------------------------


def test_open_missing_or_folder(tmp_path: Path) -> None:
    with pytest.raises(NightFileError, match="there is no night file at"):
        NightFile.open(tmp_path / "nope.night")
    with pytest.raises(NightFileError, match="is a folder, not a night file"):
        NightFile.open(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (random.Random(3).randbytes(10_000), "is not a night file \\(it is not an SQLite database\\)"),
        (b"<ElectionResult></ElectionResult>", "is not a night file"),
        (b"SQLite format 3\x00" + random.Random(4).randbytes(8192), "is damaged and cannot be read"),
    ],
    ids=["empty", "random bytes", "xml", "sqlite magic then noise"],
)
def test_open_rejects_non_nights(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.night"
    path.write_bytes(content)
    with pytest.raises(NightFileError, match=message):
        NightFile.open(path)
    assert path.read_bytes() == content  # opening never changes a file


def test_open_rejects_other_sqlite_databases(tmp_path: Path) -> None:
    plain = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE pins (race TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NightFileError, match="is an SQLite database but not a night file"):
        NightFile.open(plain)
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    conn.commit()
    conn.close()
    with pytest.raises(NightFileError, match="not a night file"):
        NightFile.open(other)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_open_rejects_a_truncated_real_night(tmp_path: Path, real_night: Path, fraction: float) -> None:
    NightFile.open(real_night).close()  # the whole file is fine
    raw = real_night.read_bytes()
    cut = tmp_path / "cut.night"
    cut.write_bytes(raw[: int(len(raw) * fraction)])
    with pytest.raises(NightFileError, match="is damaged and cannot be read"):
        NightFile.open(cut)


def test_real_night_round_trips_every_byte(real_night: Path, real_payloads: list[bytes]) -> None:
    with NightFile.open(real_night) as n:
        versions = n.versions()
        assert [v.fmt for v in versions] == ["clarity-detail-xml"] * 3
        assert [n.payload(v.payload_id) for v in versions] == real_payloads
        cobb = n.snapshot(versions[0])  # re-parsed by today's Clarity parser
        assert cobb.fetched_at == T0 and cobb.payload_id == versions[0].sha256
        assert cobb.published_at == dt.datetime(2017, 4, 25, 15, 58, 11, tzinfo=NY)  # its Timestamp
        assert "U.S. Representative, District 6" in [c.name for c in cobb.contests]


def test_open_rejects_a_newer_schema(real_night: Path) -> None:
    conn = sqlite3.connect(real_night)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(
        NightFileError, match=r"newer version of the tracker \(night schema 2; this version reads up to 1\)"
    ):
        NightFile.open(real_night)


def test_open_rejects_missing_metadata(real_night: Path) -> None:
    conn = sqlite3.connect(real_night)
    conn.execute("DELETE FROM meta WHERE key = 'kind'")
    conn.commit()
    conn.close()
    with pytest.raises(NightFileError, match="'kind' is missing"):
        NightFile.open(real_night)


# -- access modes, journaling and crashes -----------------------------------------------------


def test_readonly_refuses_writes_and_rw_appends(real_night: Path) -> None:
    with NightFile.open(real_night) as n:
        assert n.readonly
        with pytest.raises(NightFileError, match="open read-only"):
            n.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
        with pytest.raises(NightFileError, match="open read-only"):
            n.add_fetch_event(fetched_at=T0, url="", status=304)
    with NightFile.open(real_night, readonly=False) as n:
        n.add_payload(synthetic_feed(1), fetched_at=T0 + dt.timedelta(hours=1), fmt=NATIVE)
    with NightFile.open(real_night) as n:
        assert len(n.versions()) == 4


def test_wal_while_writing_single_file_when_closed(tmp_path: Path) -> None:
    path = tmp_path / "w.night"
    n = NightFile.create(path, kind="recorded", label="Synthetic")
    n.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
    probe = sqlite3.connect(path)
    assert probe.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    probe.close()
    n.close()
    n.close()  # twice is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.night"]
    probe = sqlite3.connect(path)
    assert probe.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    probe.close()
    with pytest.raises(ValueError, match="is closed"):
        n.versions()


def test_a_reader_sees_what_a_live_writer_committed(tmp_path: Path) -> None:
    path = tmp_path / "live.night"
    with NightFile.create(path, kind="recorded", label="Synthetic live") as writer:
        writer.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
        with NightFile.open(path) as reader:
            assert len(reader.versions()) == 1
            writer.add_payload(synthetic_feed(2), fetched_at=T0 + dt.timedelta(minutes=1), fmt=NATIVE)
            assert len(reader.versions()) == 2


def test_a_crash_loses_at_most_the_payload_in_flight(tmp_path: Path) -> None:
    """A recorder killed without closing (os._exit: no cleanup, no checkpoint) keeps every
    payload it had committed."""
    path = tmp_path / "crash.night"
    script = textwrap.dedent(
        f"""
        import datetime as dt, os
        from tracker.archive.night import NightFile
        from tests_helper_feed import feed
        n = NightFile.create({str(path)!r}, kind="recorded", label="Synthetic crash test")
        t0 = dt.datetime(2017, 4, 18, 23, tzinfo=dt.timezone.utc)
        for i in range(3):
            n.add_payload(feed(i), fetched_at=t0 + dt.timedelta(minutes=i), fmt="tracker-feed/1")
        os._exit(9)
        """
    )
    helper = tmp_path / "tests_helper_feed.py"
    helper.write_text(
        "from tracker.feeds.native import dump_native\n"
        "from tracker.core.model import Snapshot, Election, Contest, Candidate\n"
        "def feed(i):\n"
        "    c = Contest(id='c', name='Synthetic', candidates=(Candidate('a', 'A'),))\n"
        "    return dump_native(Snapshot(Election(id='s', name='Synthetic'), (c,), version=str(i)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, timeout=60)
    assert proc.returncode == 9, proc.stderr.decode()
    assert (tmp_path / "crash.night-wal").exists()  # it really died mid-recording
    with NightFile.open(path) as n:
        assert [n.snapshot(v).version for v in n.versions()] == ["0", "1", "2"]
    with NightFile.open(path, readonly=False) as n:  # and recording can resume
        n.add_payload(synthetic_feed(1), fetched_at=T0 + dt.timedelta(hours=1), fmt=NATIVE)
        assert len(n.versions()) == 4


def test_threads_can_share_a_night(night: NightFile) -> None:
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(10):
                night.add_payload(
                    synthetic_feed(k * 100 + i), fetched_at=T0 + dt.timedelta(seconds=k * 100 + i), fmt=NATIVE
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(night.versions()) == 40


def test_version_is_frozen(night: NightFile) -> None:
    night.add_payload(synthetic_feed(1), fetched_at=T0, fmt=NATIVE)
    (v,) = night.versions()
    assert isinstance(v, Version)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.index = 5  # type: ignore[misc]
