"""A night file is data from anywhere: nothing in it runs, nothing in it inflates without a limit
(issue 19, finding 3). Every night here is constructed by the test: a sound synthetic night, then
one hostile edit made with sqlite3 directly, as an attacker would."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import tracemalloc
import zlib
from pathlib import Path

import pytest

from tracker.archive.night import NightFile, NightFileError

WHEN = dt.datetime(2024, 11, 5, 20, 0, tzinfo=dt.UTC)


def sound_night(path: Path) -> Path:
    night = NightFile.create(path, kind="recorded", label="Constructed hostile night", timezone="UTC")
    try:
        night.add_payload(b'{"constructed": true}', fetched_at=WHEN, fmt="tracker-feed/1")
    finally:
        night.close()
    return path


def edit(path: Path, *sql: str) -> Path:
    conn = sqlite3.connect(path)
    try:
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return path


def with_generated_meta(path: Path) -> Path:
    """meta.value becomes a VIRTUAL generated column that pads every read with a megabyte."""
    sound_night(path)
    return edit(
        path,
        "ALTER TABLE meta RENAME TO meta_raw",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, raw TEXT NOT NULL,"
        " value TEXT GENERATED ALWAYS AS (raw || printf('%.*c', 1000000, ' ')) VIRTUAL)",
        "INSERT INTO meta (key, raw) SELECT key, value FROM meta_raw",
        "DROP TABLE meta_raw",
    )


HOSTILE_SCHEMAS = {
    "generated column": with_generated_meta,
    "trigger": lambda p: edit(
        sound_night(p), "CREATE TRIGGER t AFTER INSERT ON fetches BEGIN DELETE FROM payloads; END"
    ),
    "view": lambda p: edit(sound_night(p), "CREATE VIEW v AS SELECT * FROM payloads"),
    "index on an expression": lambda p: edit(
        sound_night(p), "CREATE INDEX boom ON payloads (length(printf('%.*c', 1000000, 'x')))"
    ),
    "index with a WHERE": lambda p: edit(sound_night(p), "CREATE INDEX p ON payloads (size) WHERE size > 0"),
}


@pytest.mark.parametrize("what", sorted(HOSTILE_SCHEMAS))
def test_a_schema_that_is_not_ours_is_refused_in_one_sentence(tmp_path: Path, what: str) -> None:
    path = HOSTILE_SCHEMAS[what](tmp_path / "constructed_hostile.night")
    before = path.read_bytes()
    with pytest.raises(NightFileError) as caught:
        NightFile.open(path)
    message = str(caught.value)
    assert what.split()[0] in message and "no night has" in message and str(path) in message
    assert "\n" not in message
    assert path.read_bytes() == before  # opening never writes


def test_a_plain_extra_table_and_index_are_data_and_open(tmp_path: Path) -> None:
    """A newer tracker may add a table or a plain index: that is data, not code."""
    path = edit(
        sound_night(tmp_path / "constructed_extra.night"),
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
        "CREATE INDEX payloads_by_size ON payloads (size)",
    )
    with NightFile.open(path) as night:
        assert len(night.versions()) == 1


def insert_payload(path: Path, *, size: int, blob: bytes, sha: str) -> None:
    edit(
        path,
        f"UPDATE payloads SET size = {size}, sha256 = '{sha}', codec = 'zlib', data = x'{blob.hex()}'",
    )


def zero_bomb(n: int) -> bytes:
    comp = zlib.compressobj(9)
    piece = bytes(2**20)
    return b"".join(comp.compress(piece) for _ in range(n // len(piece))) + comp.flush()


def test_a_payload_that_inflates_past_its_size_is_refused_with_memory_bounded(tmp_path: Path) -> None:
    """A 200 KB blob of 200 MB of zeros that claims 21 bytes: inflated to 22 bytes at most."""
    path = sound_night(tmp_path / "constructed_bomb.night")
    bomb = zero_bomb(200 * 2**20)
    insert_payload(path, size=21, blob=bomb, sha=hashlib.sha256(b"x").hexdigest())
    with NightFile.open(path) as night:
        version = night.versions()[0]
        tracemalloc.start()
        try:
            with pytest.raises(NightFileError, match="damaged"):
                night.payload(version.payload_id)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_payload_that_claims_gigabytes_is_refused_before_inflating(tmp_path: Path) -> None:
    path = sound_night(tmp_path / "constructed_claim.night")
    bomb = zero_bomb(8 * 2**20)
    insert_payload(path, size=2**31, blob=bomb, sha=hashlib.sha256(bytes(8 * 2**20)).hexdigest())
    with NightFile.open(path) as night:
        version = night.versions()[0]
        tracemalloc.start()
        try:
            with pytest.raises(NightFileError, match="claims 2147483648 bytes; a payload has at most 256 MB"):
                night.payload(version.payload_id)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * 2**20


def test_the_connection_is_hardened(tmp_path: Path) -> None:
    path = sound_night(tmp_path / "constructed.night")
    with NightFile.open(path) as night:
        conn = night._db()
        assert conn.execute("PRAGMA trusted_schema").fetchone() == (0,)
        assert conn.execute("PRAGMA cell_size_check").fetchone() == (1,)
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) <= 512 * 2**20
        assert night._query("SELECT length(zeroblob(1000))") == [(1000,)]
        with pytest.raises(NightFileError, match="too big"):
            night._query("SELECT zeroblob(1024 * 1024 * 1024)")


def test_sources_nested_100000_deep_read_as_none(tmp_path: Path) -> None:
    """A night whose ``sources`` meta nests lists 100,000 deep hung the start page on every start."""
    from tracker.archive.catalogue import read_entry

    deep = "[" * 100_000 + "]" * 100_000
    path = edit(
        sound_night(tmp_path / "constructed_nested.night"),
        f"UPDATE meta SET value = '{deep}' WHERE key = 'sources'",
        f"INSERT OR REPLACE INTO meta (key, value) VALUES ('source_files', '{deep}')",
    )
    with NightFile.open(path) as night:
        assert night.sources == ()
    entry = read_entry(path)
    assert entry.sources == () and entry.label == "Constructed hostile night"


def test_a_recording_copied_without_its_wal_says_so(tmp_path: Path) -> None:
    """A recording that did not finish, copied without its ``-wal``: opening says what is missing
    (was: "not a night file", or silently fewer versions)."""
    import shutil
    import subprocess
    import sys

    crashed = tmp_path / "crashed" / "constructed_crash.night"
    crashed.parent.mkdir()
    script = (
        "import datetime as dt, os\n"
        "from tracker.archive.night import NightFile\n"
        f"n = NightFile.create({str(crashed)!r}, kind='recorded',"
        " label='Constructed crash', timezone='UTC')\n"
        "n.add_payload(b'{}', fetched_at=dt.datetime(2024, 11, 5, tzinfo=dt.UTC), fmt='tracker-feed/1')\n"
        "os._exit(9)\n"
    )
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == 9
    assert crashed.with_name(crashed.name + "-wal").exists()
    alone = tmp_path / "copy" / crashed.name
    alone.parent.mkdir()
    shutil.copyfile(crashed, alone)  # the -wal left behind
    try:
        with NightFile.open(alone) as night:
            warning = night.warning
    except NightFileError as exc:
        warning = str(exc)
    assert "copied without its constructed_crash.night-wal file" in warning
    with NightFile.open(crashed) as whole:  # beside its -wal: every version, no warning
        assert whole.warning == "" and len(whole.versions()) == 1
