"""The watch-list file (``tracker-pins/1``): round trip through the store, merging, and one clear
message for every malformed file. Pins name real contests of the Georgia 2020 general's Clarity
summary (version 271066), the way a desk would pin them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.archive import watchlist
from tracker.archive.watchlist import FORMAT, Pin, WatchlistError
from tracker.store import Store

GA = "clarity"  # the election id our parser gives that summary (it names no election)
REAL = [
    Pin(GA, "5000", "President of the United States"),
    Pin(GA, "10000", "US Senate (Perdue)"),
    Pin(GA, "10100", "US Senate (Loeffler) - Special"),
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite") as s:
        yield s


def test_round_trip_through_a_file_keeps_every_pin_in_order(store: Store, tmp_path: Path) -> None:
    store.add_pins(p.row() for p in REAL)
    store.pin("other-election", "7", "Another race")
    out = tmp_path / "desk.pins.json"
    assert watchlist.export_pins(store, out, election_id=GA) == 3
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == FORMAT
    assert doc["pins"][1] == {"election_id": GA, "contest_id": "10000", "name": "US Senate (Perdue)"}
    assert watchlist.read(out) == REAL

    with Store(tmp_path / "other.sqlite") as fresh:
        report = watchlist.import_pins(fresh, out)
        assert (report.read, report.new) == (3, 3)
        assert fresh.pin_rows() == [p.row() for p in REAL]
        assert report.summary() == "imported 3 pins from desk.pins.json: 3 new"


def test_export_of_every_election(store: Store, tmp_path: Path) -> None:
    store.pin(GA, "5000", "President of the United States")
    store.pin("other-election", "7", "Another race")
    out = tmp_path / "all.json"
    assert watchlist.export_pins(store, out) == 2
    assert {p.election_id for p in watchlist.read(out)} == {GA, "other-election"}


def test_import_merges_and_counts_only_new_pins(store: Store, tmp_path: Path) -> None:
    store.pin(GA, "5000", "President of the United States")
    store.pin(GA, "28400", "")  # pinned before its name was known
    path = tmp_path / "shared.json"
    watchlist.write(path, [*REAL, Pin(GA, "28400", "Public Service Commission District 4")])
    report = watchlist.import_pins(store, path)
    assert (report.read, report.new) == (4, 2)
    assert report.new_ids(GA) == {"10000", "10100"}
    assert report.new_ids("other") == set()
    assert store.pins(GA) == {"5000", "10000", "10100", "28400"}
    names = {c: n for _, c, n in store.pin_rows(GA)}
    assert (
        names["28400"] == "Public Service Commission District 4"
    )  # an empty name is filled in, a known one kept
    # importing the same file again adds nothing
    assert watchlist.import_pins(store, path).new == 0


def test_duplicates_in_a_file_count_once_and_a_top_level_election_is_the_default() -> None:
    doc = {
        "format": FORMAT,
        "election_id": GA,
        "pins": [
            {"contest_id": "1"},
            {"contest_id": "1", "name": "again"},
            {"election_id": "x", "contest_id": "1"},
        ],
    }
    assert watchlist.loads(json.dumps(doc)) == [Pin(GA, "1", ""), Pin("x", "1", "")]


def test_an_empty_store_exports_nothing_and_says_so(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "none.json"
    with pytest.raises(WatchlistError, match="no pinned races"):
        watchlist.export_pins(store, out)
    assert not out.exists()


def test_export_refuses_to_replace_a_file_unless_allowed(store: Store, tmp_path: Path) -> None:
    store.pin(GA, "5000", "President of the United States")
    out = tmp_path / "pins.json"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(WatchlistError, match="exists"):
        watchlist.export_pins(store, out, overwrite=False)
    assert out.read_text(encoding="utf-8") == "keep me"
    watchlist.export_pins(store, out)
    assert watchlist.read(out) == [Pin(GA, "5000", "President of the United States")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00junk", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"pins": []}', 'it has no "format"'),
        (b'{"format": "tracker-feed/1", "pins": []}', "its format is 'tracker-feed/1'"),
        (b'{"format": "tracker-pins/1"}', '"pins" must be a list'),
        (b'{"format": "tracker-pins/1", "pins": ["1"]}', r"pins\[0\] must be an object"),
        (b'{"format": "tracker-pins/1", "pins": [{"contest_id": "1"}]}', r"pins\[0\].election_id: missing"),
        (
            b'{"format": "tracker-pins/1", "pins": [{"election_id": "e", "contest_id": "1"},'
            b' {"election_id": "e"}]}',
            r"pins\[1\].contest_id: missing",
        ),
        (
            b'{"format": "tracker-pins/1", "pins": [{"election_id": "e", "contest_id": 4}]}',
            r"pins\[0\].contest_id must be a non-empty string",
        ),
        (
            b'{"format": "tracker-pins/1", "pins": [{"election_id": " ", "contest_id": "4"}]}',
            r"pins\[0\].election_id must be a non-empty string",
        ),
        (
            b'{"format": "tracker-pins/1", "pins": [{"election_id": "e", "contest_id": "4", "name": 5}]}',
            r"pins\[0\].name must be a string",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_one_sentence_and_nothing_is_pinned(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(WatchlistError, match=message) as caught:
        watchlist.import_pins(store, path)
    text = str(caught.value)
    assert "bad.json" in text and "\n" not in text
    assert store.pin_rows() == []


def test_a_half_good_file_pins_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "half.json"
    path.write_text(json.dumps({"format": FORMAT, "pins": [REAL[0].__dict__, {"election_id": GA}]}), "utf-8")
    with pytest.raises(WatchlistError):
        watchlist.import_pins(store, path)
    assert store.pin_rows() == []


def test_missing_file_folder_and_oversized_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="no such file"):
        watchlist.read(tmp_path / "nope.json")
    with pytest.raises(WatchlistError, match="is a folder"):
        watchlist.read(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (watchlist.MAX_BYTES + 1))
    with pytest.raises(WatchlistError, match="far too big"):
        watchlist.read(big)


def test_a_file_that_is_not_json_says_where_in_plain_words(tmp_path: Path) -> None:
    """The README's text handed to `pins import`: where the JSON breaks, never the json module's
    own "Expecting value: line 1 column 1 (char 0)"."""
    notes = tmp_path / "README.md"
    notes.write_text("# Election Night Tracker\n", encoding="utf-8")
    with pytest.raises(WatchlistError) as err:
        watchlist.read(notes)
    assert str(err.value) == "README.md is not a watch list: not JSON (unreadable from line 1, column 1)"
