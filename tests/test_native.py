"""The native feed format ``tracker-feed/1``: reader, writer and JSON Schema agree.

Every document here is SYNTHETIC: tiny hand-made or hypothesis-generated feeds built with the
native format's own helpers to exercise the format. Their numbers are not election results.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import paths
from tracker.core.errors import FeedError
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)
from tracker.core.threshold import ThresholdRule
from tracker.feeds import native
from tracker.feeds.native import FORMAT, dump_native, parse_native, snapshot_to_native
from tracker.feeds.registry import NATIVE, detect_format, parse_payload

SCHEMA_PATH = paths.resources_dir() / "schema" / "tracker-feed-1.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def synthetic_doc() -> dict[str, Any]:
    """A tiny SYNTHETIC feed (made-up candidates and counts) covering every field once."""
    return {
        "format": FORMAT,
        "election": {
            "id": "synthetic-1",
            "name": "Synthetic test election (not real)",
            "date": "2017-04-18",
            "source": "test",
            "reconstructed": True,
            "note": "built by tests/test_native.py",
        },
        "version": 7,
        "published_at": "2017-04-18T21:37:00-04:00",
        "contests": [
            {
                "id": "c1",
                "name": "Synthetic contest",
                "vote_for": 1,
                "threshold": {"rule": "majority"},
                "candidates": [
                    {"id": "a", "name": "Candidate A", "party": "P"},
                    {"id": "b", "name": "Candidate B"},
                ],
                "units": [
                    {
                        "id": "p1",
                        "name": "Precinct 1",
                        "kind": "precinct",
                        "county": "County X",
                        "reporting": "complete",
                        "votes": {
                            "a": {"Election Day": 10, "Absentee by Mail": 2},
                            "b": {"Election Day": 5, "Provisional": 0},
                        },
                        "registered": 40,
                        "ballots_cast": 17,
                    },
                    {
                        "id": "x",
                        "name": "County X",
                        "kind": "county",
                        "county": None,
                        "reporting": "partial",
                        "votes": {"a": {"Election Day": 3}},
                        "precincts": {"reporting": 1, "total": 4},
                        "expected_votes": 12,
                        "fips": "99001",
                    },
                    {"id": "p2", "name": "Precinct 2", "kind": "precinct", "reporting": "none", "votes": {}},
                ],
            }
        ],
    }


def encode(doc: Any) -> bytes:
    return json.dumps(doc).encode("utf-8")


# -- reading ---------------------------------------------------------------------------------


def test_reader_maps_every_field() -> None:
    snap = parse_native(encode(synthetic_doc()))
    assert snap.election == Election(
        id="synthetic-1",
        name="Synthetic test election (not real)",
        date=dt.date(2017, 4, 18),
        source="test",
        reconstructed=True,
        note="built by tests/test_native.py",
    )
    assert snap.version == "7"  # an integer version is kept as a string
    assert snap.published_at == dt.datetime(2017, 4, 19, 1, 37, tzinfo=dt.UTC)
    assert snap.published_at.utcoffset() == dt.timedelta(hours=-4)
    assert snap.fetched_at is None and snap.payload_id is None
    (contest,) = snap.contests
    assert [(c.id, c.name, c.party, c.ballot_order) for c in contest.candidates] == [
        ("a", "Candidate A", "P", 0),
        ("b", "Candidate B", "", 1),
    ]
    assert contest.threshold == ThresholdRule.majority()
    # No vote_types in the document: taken from the units in first-seen order.
    assert contest.vote_types == (
        VoteType("Election Day", "election_day"),
        VoteType("Absentee by Mail", "mail"),
        VoteType("Provisional", "provisional"),
    )
    p1, county, p2 = contest.units
    assert p1 == ReportingUnit(
        id="p1",
        name="Precinct 1",
        kind=UnitKind.PRECINCT,
        county="County X",
        reporting=Reporting.COMPLETE,
        votes={"a": {"Election Day": 10, "Absentee by Mail": 2}, "b": {"Election Day": 5, "Provisional": 0}},
        registered=40,
        ballots_cast=17,
    )
    assert (county.kind, county.county, county.precincts_reporting, county.precincts_total) == (
        UnitKind.COUNTY,
        None,
        1,
        4,
    )
    assert p2.votes == {} and p2.reporting is Reporting.NONE
    assert contest.totals == {"a": 15, "b": 5}


def test_defaults_and_declared_vote_type_order() -> None:
    doc = synthetic_doc()
    contest = doc["contests"][0]
    del contest["vote_for"], contest["threshold"]
    contest["vote_types"] = ["Provisional", "Absentee by Mail", "Election Day", "Advance in Person"]
    snap = parse_native(encode(doc))
    c = snap.contests[0]
    assert c.vote_for == 1 and c.threshold == ThresholdRule.majority()
    # Declared order wins, and a declared type nobody reported yet is kept.
    assert [vt.name for vt in c.vote_types] == contest["vote_types"]
    assert c.vote_types[-1].canonical == "early"


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        ({"rule": "plurality"}, ThresholdRule("plurality")),
        ({"rule": "share", "share": 0.4}, ThresholdRule("share", 0.4)),
        ({"rule": "majority"}, ThresholdRule.majority()),
    ],
)
def test_threshold_rules(threshold: dict[str, Any], expected: ThresholdRule) -> None:
    doc = synthetic_doc()
    doc["contests"][0]["threshold"] = threshold
    assert parse_native(encode(doc)).contests[0].threshold == expected


def test_extension_keys_are_ignored_everywhere(validator: jsonschema.Draft202012Validator) -> None:
    doc = synthetic_doc()
    plain = parse_native(encode(doc))
    doc["x-publisher"] = {"anything": [1, 2]}
    doc["election"]["x-id"] = 3
    doc["contests"][0]["x-note"] = "hi"
    doc["contests"][0]["threshold"]["x-why"] = "state law"
    doc["contests"][0]["candidates"][0]["x-photo"] = "a.png"
    doc["contests"][0]["units"][0]["x-geo"] = None
    doc["contests"][0]["units"][1]["precincts"]["x-src"] = "x"
    validator.validate(doc)
    assert parse_native(encode(doc)) == plain


def test_whole_number_floats_count_as_integers(validator: jsonschema.Draft202012Validator) -> None:
    """Spreadsheet exports write 12.0; JSON Schema calls that an integer, and so does the reader."""
    doc = synthetic_doc()
    doc["contests"][0]["units"][0]["votes"]["a"]["Election Day"] = 10.0
    validator.validate(doc)
    value = parse_native(encode(doc)).contests[0].units[0].votes["a"]["Election Day"]
    assert value == 10 and type(value) is int


def test_source_names_the_file_in_errors() -> None:
    doc = synthetic_doc()
    doc["format"] = "tracker-feed/2"
    with pytest.raises(FeedError, match=r"^feed-007\.json: format: expected 'tracker-feed/1'"):
        parse_native(encode(doc), source="feed-007.json")


Mutator = Callable[[dict[str, Any]], object]


def _set(path: str, value: Any) -> Mutator:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Mutator:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]

    return mutate


U0 = "contests/0/units/0"
C0 = "contests/0"

#: (id, mutation, expected message, also rejected by the JSON Schema?)
INVALID: list[tuple[str, Mutator, str, bool]] = [
    (
        "unknown candidate",
        _set(f"{U0}/votes/zz", {"Election Day": 1}),
        "contests[0].units[0].votes: candidate 'zz' is not in the contest's candidates",
        False,
    ),
    (
        "negative votes",
        _set(f"{U0}/votes/a/Election Day", -1),
        "contests[0].units[0].votes['a']['Election Day']: must be at least 0, got -1",
        True,
    ),
    (
        "boolean votes",
        _set(f"{U0}/votes/a/Election Day", True),
        "contests[0].units[0].votes['a']['Election Day']: expected a whole number, got true",
        True,
    ),
    (
        "fractional votes",
        _set(f"{U0}/votes/a/Election Day", 2.5),
        "votes['a']['Election Day']: expected a whole number, got the number 2.5",
        True,
    ),
    (
        "string votes",
        _set(f"{U0}/votes/a/Election Day", "10"),
        "expected a whole number, got the string '10'",
        True,
    ),
    (
        "duplicate unit id",
        _set(f"{C0}/units/2/id", "p1"),
        "contests[0].units[2].id: duplicate unit id 'p1'",
        False,
    ),
    (
        "duplicate candidate id",
        _set(f"{C0}/candidates/1/id", "a"),
        "contests[0].candidates[1].id: duplicate candidate id 'a'",
        False,
    ),
    (
        "precincts reporting above total",
        _set(f"{C0}/units/1/precincts", {"reporting": 5, "total": 4}),
        "contests[0].units[1].precincts: 5 precincts reporting is more than the 4 in total",
        False,
    ),
    ("wrong format", _set("format", "tracker-feed/2"), "format: expected 'tracker-feed/1'", True),
    ("missing version", _delete("version"), "the document: missing required key 'version'", True),
    (
        "boolean version",
        _set("version", False),
        "version: expected a string or a whole number, got false",
        True,
    ),
    (
        "time without offset",
        _set("published_at", "2017-04-18T21:37:00"),
        "published_at: expected an ISO-8601 date-time with a UTC offset",
        True,
    ),
    ("null time", _set("published_at", None), "published_at: expected a string, got null", True),
    (
        "impossible time",
        _set("published_at", "2017-04-18T25:00:00Z"),
        "published_at: '2017-04-18T25:00:00Z' is not a real",
        False,
    ),
    (
        "impossible date",
        _set("election/date", "2017-02-30"),
        "election.date: '2017-02-30' is not a real date",
        True,
    ),
    (
        "date with time",
        _set("election/date", "2017-04-18T00:00"),
        "election.date: expected an ISO-8601 date",
        True,
    ),
    ("unknown unit key", _set(f"{U0}/votez", {}), "contests[0].units[0]: unknown key 'votez'", True),
    ("unknown top-level key", _set("contest", []), "the document: unknown key 'contest'", True),
    ("missing unit kind", _delete(f"{U0}/kind"), "contests[0].units[0]: missing required key 'kind'", True),
    (
        "bad unit kind",
        _set(f"{U0}/kind", "city"),
        "contests[0].units[0].kind: expected one of 'precinct'",
        True,
    ),
    (
        "bad reporting",
        _set(f"{U0}/reporting", "done"),
        "contests[0].units[0].reporting: expected one of",
        True,
    ),
    (
        "share of one",
        _set(f"{C0}/threshold", {"rule": "share", "share": 1}),
        "contests[0].threshold.share",
        True,
    ),
    ("share missing", _set(f"{C0}/threshold", {"rule": "share"}), "a share rule needs a 'share'", True),
    (
        "majority with a share",
        _set(f"{C0}/threshold", {"rule": "majority", "share": 0.6}),
        "a majority rule takes no share",
        True,
    ),
    ("unknown rule", _set(f"{C0}/threshold", {"rule": "supermajority"}), "contests[0].threshold.rule", True),
    ("vote_for zero", _set(f"{C0}/vote_for", 0), "contests[0].vote_for: must be at least 1, got 0", True),
    (
        "undeclared vote type",
        _set(f"{C0}/vote_types", ["Election Day", "Absentee by Mail"]),
        "contests[0].units[0].votes['b']: vote type 'Provisional' is not in the contest's vote_types",
        False,
    ),
    (
        "duplicate vote type",
        _set(f"{C0}/vote_types", ["Mail", "Mail"]),
        "contests[0].vote_types[1]: duplicate",
        True,
    ),
    ("no candidates", _set(f"{C0}/candidates", []), "contests[0].candidates: needs at least 1 item", True),
    ("no contests", _set("contests", []), "contests: needs at least 1 item", True),
    ("numeric county", _set(f"{U0}/county", 13), "contests[0].units[0].county: expected a string", True),
    (
        "empty candidate id",
        _set(f"{C0}/candidates/0/id", ""),
        "candidates[0].id: must not be an empty string",
        True,
    ),
    ("empty vote type", _set(f"{U0}/votes/a", {"": 1}), "keys must not be empty strings", True),
    (
        "votes not an object",
        _set(f"{U0}/votes", []),
        "contests[0].units[0].votes: expected a JSON object",
        True,
    ),
    (
        "duplicate contest id",
        lambda d: d["contests"].append(copy.deepcopy(d["contests"][0])),
        "contests[1].id: duplicate contest id 'c1'",
        False,
    ),
    (
        "negative registered",
        _set(f"{U0}/registered", -3),
        "contests[0].units[0].registered: must be at least 0",
        True,
    ),
    (
        "call without a publisher",
        _set(f"{C0}/call", {"winners": ["a"]}),
        "contests[0].call: missing required key 'by'",
        True,
    ),
    (
        "call naming nobody",
        _set(f"{C0}/call", {"by": "AP", "winners": []}),
        "a call names at least one winner",
        True,
    ),
    (
        "call for an unknown candidate",
        _set(f"{C0}/call", {"by": "AP", "winners": ["zz"]}),
        "contests[0].call.winners[0]: 'zz' is not one of the contest's candidate ids",
        False,
    ),
    (
        "winner also advancing",
        _set(f"{C0}/call", {"by": "AP", "winners": ["a"], "advancing": ["a", "b"]}),
        "contests[0].call.advancing[0]: candidate 'a' is named twice",
        False,
    ),
    (
        "numeric threshold source",
        _set(f"{C0}/threshold_source", 45),
        "contests[0].threshold_source: expected a string",
        True,
    ),
    (
        "reconstructed as string",
        _set("election/reconstructed", "yes"),
        "election.reconstructed: expected true or false",
        True,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "message"), [(m, msg) for _, m, msg, _ in INVALID], ids=[i[0] for i in INVALID]
)
def test_invalid_documents_name_the_path(mutate: Mutator, message: str) -> None:
    doc = synthetic_doc()
    mutate(doc)
    with pytest.raises(FeedError) as info:
        parse_native(encode(doc))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


SCHEMA_CASES = [(m, ident) for ident, m, _, by_schema in INVALID if by_schema]


@pytest.mark.parametrize("mutate", [m for m, _ in SCHEMA_CASES], ids=[i for _, i in SCHEMA_CASES])
def test_schema_and_reader_reject_the_same_invalid_documents(
    mutate: Mutator, validator: jsonschema.Draft202012Validator
) -> None:
    doc = synthetic_doc()
    validator.validate(doc)  # the base document is valid for both
    parse_native(encode(doc))
    mutate(doc)
    assert not validator.is_valid(doc)
    with pytest.raises(FeedError):
        parse_native(encode(doc))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"format": "tracker-feed/1", "format": "tracker-feed/1"}', "key 'format' appears more than once"),
        (b"[1, 2]", "the document: expected a JSON object, got an array"),
        (b'{"format": "tracker-feed/1", "version": NaN}', "not valid JSON"),
        (b'{"format": "tracker-feed/1", "contests": [', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"format": "\xff"}', "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["duplicate key", "array", "NaN", "truncated", "empty", "bad utf-8", "deep nesting"],
)
def test_malformed_bytes(raw: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_native(raw)


def test_duplicate_keys_inside_votes_name_their_path() -> None:
    raw = encode(synthetic_doc()).replace(
        b'"Absentee by Mail": 2', b'"Absentee by Mail": 2, "Election Day": 9'
    )
    with pytest.raises(
        FeedError, match=r"contests\[0\]\.units\[0\]\.votes\['a'\]: key 'Election Day' appears"
    ):
        parse_native(raw)


# -- writing ---------------------------------------------------------------------------------


def tiny_snapshot() -> Snapshot:
    """A SYNTHETIC two-candidate snapshot (made-up numbers) for writer tests."""
    return Snapshot(
        election=Election(id="e", name="Synthetic", date=dt.date(2017, 4, 18), reconstructed=True),
        contests=(
            Contest(
                id="c",
                name="Synthetic contest",
                candidates=(Candidate("a", "A", "P", 0), Candidate("b", "B", "", 1)),
                units=(
                    ReportingUnit(
                        id="u",
                        name="Unit",
                        kind=UnitKind.PRECINCT,
                        county="K",
                        reporting=Reporting.PARTIAL,
                        votes={"b": {"Mail": 1, "Election Day": 2}, "a": {"Election Day": 3}},
                        registered=9,
                    ),
                ),
                vote_types=(VoteType.from_name("Election Day"), VoteType.from_name("Mail")),
            ),
        ),
        version="v1",
        published_at=dt.datetime(2017, 4, 18, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
    )


def test_writer_bytes_are_pinned() -> None:
    """Key order, separators and encoding are part of the format's contract (reconstructed nights
    must rebuild byte for byte), so they are pinned exactly here."""
    assert dump_native(tiny_snapshot()) == (
        b'{"format":"tracker-feed/1","election":{"id":"e","name":"Synthetic","date":"2017-04-18",'
        b'"reconstructed":true},"version":"v1","published_at":"2017-04-18T20:00:00-04:00",'
        b'"contests":[{"id":"c","name":"Synthetic contest","vote_for":1,"threshold":{"rule":"majority"},'
        b'"candidates":[{"id":"a","name":"A","party":"P"},{"id":"b","name":"B"}],'
        b'"vote_types":["Election Day","Mail"],"units":[{"id":"u","name":"Unit","kind":"precinct",'
        b'"reporting":"partial","county":"K","registered":9,'
        b'"votes":{"a":{"Election Day":3},"b":{"Election Day":2,"Mail":1}}}]}]}'
    )


def test_writer_ignores_dict_insertion_order() -> None:
    snap = tiny_snapshot()
    unit = snap.contests[0].units[0]
    shuffled = dataclasses.replace(
        unit, votes={"a": {"Election Day": 3}, "b": {"Election Day": 2, "Mail": 1}}
    )
    other = Snapshot(
        election=snap.election,
        contests=(dataclasses.replace(snap.contests[0], units=(shuffled,)),),
        version=snap.version,
        published_at=snap.published_at,
    )
    assert other == snap
    assert dump_native(other) == dump_native(snap)


def test_writer_output_is_utf8_not_escaped() -> None:
    snap = tiny_snapshot()
    snap = dataclasses.replace(snap, election=Election(id="e", name="Élection — Ωmega"))
    raw = dump_native(snap)
    assert "Élection — Ωmega".encode() in raw
    assert parse_native(raw) == snap


def test_writer_refuses_what_the_reader_would_refuse() -> None:
    snap = tiny_snapshot()
    contest = snap.contests[0]
    bad_unit = ReportingUnit(id="u", name="U", votes={"ghost": {"Election Day": 1}})
    bad = Snapshot(snap.election, (dataclasses.replace(contest, units=(bad_unit,)),))
    with pytest.raises(ValueError, match="candidate 'ghost' is not in the contest's candidates"):
        dump_native(bad)
    naive = Snapshot(snap.election, snap.contests, published_at=dt.datetime(2017, 4, 18, 20))
    with pytest.raises(ValueError, match="need a UTC offset"):
        dump_native(naive)


def test_writer_keeps_unlisted_vote_types_and_drops_only_recording_fields() -> None:
    snap = tiny_snapshot()
    contest = dataclasses.replace(snap.contests[0], vote_types=(), reported_totals={"a": 3, "b": 3})
    snap = Snapshot(
        snap.election, (contest,), fetched_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), payload_id="p"
    )
    back = parse_native(dump_native(snap))
    assert [vt.name for vt in back.contests[0].vote_types] == ["Election Day", "Mail"]
    assert back.contests[0].reported_totals is None  # documented: not part of the format
    assert back.fetched_at is None and back.payload_id is None


def test_offsets_with_seconds_are_written_in_utc(validator: jsonschema.Draft202012Validator) -> None:
    odd = dt.timezone(dt.timedelta(hours=5, minutes=30, seconds=15))
    snap = dataclasses.replace(tiny_snapshot(), published_at=dt.datetime(2017, 4, 18, 12, tzinfo=odd))
    doc = snapshot_to_native(snap)
    assert doc["published_at"] == "2017-04-18T06:29:45+00:00"
    validator.validate(doc)
    assert parse_native(dump_native(snap)) == snap


def test_registry_detects_and_parses_native() -> None:
    raw = dump_native(tiny_snapshot())
    assert detect_format(raw) == NATIVE == native.FORMAT
    assert parse_payload(raw) == tiny_snapshot()


# -- properties ------------------------------------------------------------------------------

ids = st.text(min_size=1, max_size=6)
names = st.text(max_size=10)
VOTE_TYPE_NAMES = [
    "Election Day",
    "Absentee by Mail",
    "Advance in Person 1",
    "Advance in Person 2",
    "Provisional",
]
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
thresholds = st.one_of(
    st.just(ThresholdRule.majority()),
    st.just(ThresholdRule("plurality")),
    st.floats(0, 1, exclude_min=True, exclude_max=True).map(lambda s: ThresholdRule("share", s)),
)


@st.composite
def contests(draw: st.DrawFn, contest_id: str) -> Contest:
    cand_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    candidates = tuple(
        Candidate(cid, draw(names), draw(st.sampled_from(["", "Dem", "Rep"]) | names), i)
        for i, cid in enumerate(cand_ids)
    )
    type_names = draw(st.lists(st.sampled_from(VOTE_TYPE_NAMES) | ids, max_size=4, unique=True))
    units = []
    for uid in draw(st.lists(ids, max_size=4, unique=True)):
        votes = {
            cid: {
                vt: draw(st.integers(0, 10**9))
                for vt in draw(st.lists(st.sampled_from(type_names), unique=True))
            }
            if type_names
            else {}
            for cid in draw(st.lists(st.sampled_from(cand_ids), unique=True))
        }
        precincts = draw(st.none() | st.tuples(st.integers(0, 500), st.integers(0, 500)).map(sorted))
        units.append(
            ReportingUnit(
                id=uid,
                name=draw(names),
                kind=draw(st.sampled_from(list(UnitKind))),
                county=draw(st.none() | names),
                reporting=draw(st.sampled_from(list(Reporting))),
                votes=votes,
                registered=draw(st.none() | st.integers(0, 10**7)),
                ballots_cast=draw(st.none() | st.integers(0, 10**7)),
                precincts_reporting=None if precincts is None else precincts[0],
                precincts_total=None if precincts is None else precincts[1],
            )
        )
    # A publisher's call (AP's winner / runoff flags), or none: it must survive the format.
    called = draw(st.lists(st.sampled_from(cand_ids), unique=True))
    split = draw(st.integers(0, len(called)))
    winners, advancing = tuple(called[:split]), tuple(called[split:])
    return Contest(
        id=contest_id,
        name=draw(names),
        candidates=candidates,
        units=tuple(units),
        vote_for=draw(st.integers(1, 3)),
        threshold=draw(thresholds),
        vote_types=tuple(VoteType.from_name(n) for n in type_names),
        winners=winners,
        advancing=advancing,
        called_by=draw(st.sampled_from(["AP", "Example County results site"])) if called else "",
        threshold_source=draw(st.sampled_from(["", "AP winThreshold 45"])),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    contest_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    return Snapshot(
        election=Election(
            id=draw(ids),
            name=draw(names),
            date=draw(st.none() | st.dates()),
            source=draw(names),
            reconstructed=draw(st.booleans()),
            note=draw(names),
        ),
        contests=tuple(draw(contests(cid)) for cid in contest_ids),
        version=draw(st.text(max_size=8)),
        published_at=draw(st.none() | st.datetimes(timezones=offsets)),
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_round_trip(snap: Snapshot) -> None:
    raw = dump_native(snap)
    assert parse_native(raw) == snap
    assert dump_native(parse_native(raw)) == raw


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_writer_output_satisfies_the_schema(snap: Snapshot) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(dump_native(snap)))


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_feed_errors(raw: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_native(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


def _slots(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _slots(value, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((node, i))
            _slots(value, out)
    return out


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), json_values, st.sampled_from(["replace", "delete", "add"]))
def test_whatever_the_reader_accepts_the_schema_accepts(rnd: random.Random, value: Any, action: str) -> None:
    """Mutate one spot of a valid document: the reader may be stricter than the schema (uniqueness,
    reporting <= total), never looser — and it only ever fails with a FeedError."""
    doc = synthetic_doc()
    container, key = rnd.choice(_slots(doc, []))
    if action == "replace":
        container[key] = value
    elif action == "delete":
        del container[key]
    elif isinstance(container, dict):
        container[rnd.choice(["id", "extra", "x-ext", "share", "Mail", "a"])] = value
    else:
        container.append(value)
    try:
        parse_native(encode(doc))
    except FeedError:
        return
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


# -- a real payload through the native format ---------------------------------------------------


def test_real_clarity_snapshot_survives_the_native_format(shared_data: Path) -> None:
    """The GA-06 (2017) Cobb County detail XML, parsed, written as tracker-feed/1 and read back:
    every vote, unit and candidate survives (only the feed's own totals are not carried)."""
    from tracker.feeds.clarity import parse_detail_xml

    raw = (shared_data / "ga06-2017-04-18" / "2017_Cobb_detail.xml").read_bytes()
    snap = parse_detail_xml(raw, source="2017_Cobb_detail.xml")
    back = parse_native(dump_native(snap))
    assert back.election == snap.election
    assert back.version == snap.version and back.published_at == snap.published_at
    for ours, theirs in zip(back.contests, snap.contests, strict=True):
        assert ours.units == theirs.units
        assert ours.totals == theirs.totals
        assert [c.id for c in ours.candidates] == [
            c.id for c in sorted(theirs.candidates, key=lambda c: c.ballot_order)
        ]
        assert [vt.name for vt in ours.vote_types][: len(theirs.vote_types)] == [
            vt.name for vt in theirs.vote_types
        ]


def test_a_publishers_call_and_stated_rule_survive_the_format(
    validator: jsonschema.Draft202012Validator,
) -> None:
    """Serving an AP-recorded night ``--as native`` must keep AP's calls as AP's (SYNTHETIC doc)."""
    doc = synthetic_doc()
    doc["contests"][0]["threshold_source"] = "AP winThreshold 45"
    doc["contests"][0]["call"] = {"by": "AP", "advancing": ["b", "a"]}
    validator.validate(doc)
    contest = parse_native(encode(doc)).contests[0]
    assert (contest.winners, contest.advancing, contest.called_by) == ((), ("b", "a"), "AP")
    assert contest.call_label == "AP: runoff" and contest.threshold_source == "AP winThreshold 45"
    assert (
        json.loads(dump_native(parse_native(encode(doc))))["contests"][0]["call"]
        == doc["contests"][0]["call"]
    )
