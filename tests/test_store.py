"""The app's store: pins persist, migrations run once, a newer or corrupt store is refused clearly."""

import sqlite3

import pytest

from tracker.store import MIGRATIONS, Store, StoreError


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
