"""The app's store: pins persist, migrations run once, a newer or corrupt store is refused clearly."""

import dataclasses
import sqlite3

import pytest

from tracker.store import MIGRATIONS, ProjectionRecord, Store, StoreError


def test_pins_persist_across_reopen(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        store.pin("ga06", "10", "U.S. Representative, District 6")
        store.pin("ga06", "20")
        store.unpin("ga06", "20")
    with Store(path) as store:
        assert store.pins("ga06") == {"10"}
        assert store.pins("other") == set()
        assert store.schema_version == len(MIGRATIONS)


def test_default_path_follows_tracker_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "home"))
    with Store() as store:
        store.set("last", "x")
    assert (tmp_path / "home" / "tracker.sqlite3").is_file()


def test_settings_and_recent(tmp_path):
    with Store(tmp_path / "s") as store:
        assert store.get("missing", "d") == "d"
        store.set("k", "v")
        store.set("k", "w")
        assert store.get("k") == "w"
        store.record_opened("/a.night")
        store.record_opened("/b.night")
        store.record_opened("/a.night")
        assert [loc for loc, _ in store.recent()] == ["/a.night", "/b.night"]


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "s"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(path)


def test_a_store_at_the_current_version_missing_a_table_gets_it(tmp_path):
    """A store left at schema 6 by a build whose migrations were numbered otherwise had no
    ``rule_overrides`` table (found on a developer's machine): every read of a user's rule said
    "no such table". A table the migrations define that the store lacks is now created, with the
    columns later migrations add to it."""
    path = tmp_path / "store.sqlite3"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    db.execute("DROP TABLE rule_overrides")
    db.execute("DROP TABLE projections")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.rule_overrides("synthetic-election") == {}
        columns = {row[1] for row in store._db.execute("PRAGMA table_info(projections)")}
        assert {"contest_id", "baseline", "evidence"} <= columns
        indexes = {row[1] for row in store._db.execute("PRAGMA index_list(projections)")}
        assert "projections_by_source" in indexes


def test_corrupt_store_is_refused(tmp_path):
    path = tmp_path / "s"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store(path)


def test_a_store_that_already_has_a_migrations_column_still_opens(tmp_path):
    """A store left by a build that numbered its migrations otherwise: at schema 5 with the
    projection log's ``baseline`` column already there. Opening it said "duplicate column name:
    baseline" and the store (pins, logs) could not be opened at all; it now migrates."""
    path = tmp_path / "store.sqlite3"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE projections DROP COLUMN evidence")
    db.execute("PRAGMA user_version = 5")  # the baseline column stays: added under another number
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        columns = {row[1] for row in store._db.execute("PRAGMA table_info(projections)")}
        assert {"baseline", "evidence"} <= columns


def _record(candidate_id: str = "a", baseline: str = "") -> ProjectionRecord:
    """A synthetic projection log row (no real election)."""
    return ProjectionRecord(
        made_at="2026-01-01T00:00:00+00:00",
        source="synthetic.night",
        election_id="synthetic",
        version="3",
        payload_id="abc",
        snapshot_time="2024-11-05T19:00:00-05:00",
        contest_id="synthetic",
        contest_name="Synthetic Race",
        candidate_id=candidate_id,
        candidate=f"SYNTHETIC {candidate_id.upper()}",
        status="projected",
        votes=10,
        share_now=0.55,
        share=0.52,
        lo=0.5,
        hi=0.54,
        p_clear=0.97,
        outstanding=100,
        outstanding_lo=80,
        outstanding_hi=120,
        model_version="m",
        baseline=baseline,
        evidence="synthetic evidence" if baseline else "",
    )


def _store_at(path, version: int, records: list[ProjectionRecord]) -> None:
    """A store as a build with only the first ``version`` migrations left it, with ``records``."""
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        db.executescript(script)
    columns = ProjectionRecord.FIELDS
    db.executemany(
        f"INSERT INTO projections ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [r.row() for r in records],
    )
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def test_two_baselines_are_two_projections_the_same_baseline_twice_is_one(tmp_path):
    """``--baseline none`` and the night's own baseline project the same version differently:
    the log keeps both, each row naming its baseline; the same baseline again adds nothing."""
    own = _record(baseline="synthetic-2016: Synthetic Race")
    none = _record(baseline="")
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.append_projections([own]) == 1
        assert store.append_projections([none]) == 1
        assert store.append_projections([own]) == 0
        assert store.append_projections([none]) == 0
        assert store.projections(source="synthetic.night") == [own, none]


def test_a_store_at_the_previous_schema_upgrades_and_keeps_its_projections(tmp_path):
    """A user's store at schema 6, where the baseline was not part of a projection's key: every
    row (in its order) survives the rebuild, and a second baseline is then logged beside it."""
    previous = len(MIGRATIONS) - 1
    path = tmp_path / "store.sqlite3"
    old = [_record("a", "synthetic-2016: Synthetic Race"), _record("b", "synthetic-2016: Synthetic Race")]
    older = dataclasses.replace(_record("c"), version="2", baseline="", evidence="")
    _store_at(path, previous, [*old, older])
    db = sqlite3.connect(path)
    db.execute("INSERT INTO pins VALUES ('synthetic', 'synthetic', 'Synthetic Race', '2026-01-01')")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.projections() == [*old, older]
        assert store.pins("synthetic") == {"synthetic"}
        indexes = {row[1] for row in store._db.execute("PRAGMA index_list(projections)")}
        assert "projections_by_source" in indexes
        tables = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "projections_v7" not in tables
        assert store.append_projections([old[0]]) == 0
        none = _record("a", baseline="")
        assert store.append_projections([none]) == 1
        assert store.projections() == [*old, older, none]
    with Store(path) as store:  # opened again: nothing migrated twice, nothing lost
        assert len(store.projections()) == 4


def test_a_store_at_the_previous_schema_without_its_projection_log_still_opens(tmp_path):
    """A store at schema 6 lacking the ``projections`` table (left by a build whose migrations
    were numbered otherwise): the rebuild of migration 7 would read a table that is not there, so
    the table is made first, as schema 6 has it, and the store opens with an empty log."""
    path = tmp_path / "store.sqlite3"
    _store_at(path, len(MIGRATIONS) - 1, [])
    db = sqlite3.connect(path)
    db.execute("DROP TABLE projections")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.projections() == []
        assert store.append_projections([_record(baseline="x"), _record(baseline="")]) == 2
