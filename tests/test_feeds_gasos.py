"""Georgia SOS results JSON against the two real GA-06 exports (PROVENANCE's checks).

The precinct rows (``precinctResults``) are empty in both real re-exports; the test of that path
edits a real file (moves a county's figures into two precinct rows whose sums are the county's
own) and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_mutation import replace_one_value
from provenance import (
    APRIL_BY_VOTE_TYPE,
    APRIL_HOUSE_TOTAL,
    APRIL_HOUSE_TOTALS,
    HOUSE,
    JUNE_BY_COUNTY,
)

from tracker.core.errors import FeedError
from tracker.core.model import Reporting, Snapshot, UnitKind
from tracker.core.summary import snapshot_summary
from tracker.feeds import registry
from tracker.feeds.gasos import county_name, parse_ga_sos_json
from tracker.paths import shared_data_dir

APRIL = "ga06-2017-04-18/export-2017AprSpec.json"
JUNE = "ga06-2017-06-20/export-2017JunSpecRun.json"


def _parse(shared: Path, rel: str) -> Snapshot:
    return parse_ga_sos_json((shared / rel).read_bytes(), source=rel)


def _house(snap: Snapshot):  # type: ignore[no-untyped-def]
    return next(c for c in snap.contests if c.name == HOUSE)


def _surname(name: str) -> str:
    return name.replace("(DEM)", "").replace("(REP)", "").split()[-1]


def test_april_district_totals_and_vote_types(shared_data: Path) -> None:
    snap = _parse(shared_data, APRIL)
    assert snap.election.id == "ga-sos-2017-04-18"
    assert snap.election.name == "April 18, 2017 - Special Election"
    assert snap.published_at is not None and snap.published_at.isoformat().startswith("2025-01-08T15:00:04")
    house = _house(snap)
    assert {_surname(c.name): house.totals[c.id] for c in house.candidates} == APRIL_HOUSE_TOTALS
    assert house.total_votes == APRIL_HOUSE_TOTAL
    assert not house.data_warnings()  # counties sum to the state figure, vote types to each row
    ossoff = next(c.id for c in house.candidates if "OSSOFF" in c.name)
    handel = next(c.id for c in house.candidates if "HANDEL" in c.name)
    by_type = house.totals_by("canonical")
    assert {k: (v[ossoff], v[handel]) for k, v in by_type.items()} == APRIL_BY_VOTE_TYPE
    assert [v.name for v in house.vote_types] == [
        "Election Day",
        "Absentee by Mail",
        "Advance in Person",
        "Provisional",
    ]
    assert [u.id for u in house.units] == ["Cobb", "DeKalb", "Fulton"]
    assert all(u.kind is UnitKind.COUNTY and u.county == u.name for u in house.units)
    # 0/0 precinct counts in the re-export mean "unknown": no invented precinct figures
    assert all(u.precincts_total is None for u in house.units)
    # ... and nothing in the file says the count is final but its dates: made 8 Jan 2025, years
    # after election day, it is read as the final count, and the race says on what evidence
    assert all(u.reporting is Reporting.COMPLETE for u in house.units)
    assert house.completeness.startswith("final count as read from the export's date: made 8 Jan 2025")
    senate = next(c for c in snap.contests if c.name == "State Senator, District 32")
    assert [u.id for u in senate.units] == ["Cobb", "Fulton"] and len(senate.candidates) == 8


def test_april_county_splits_equal_the_clarity_county_files(shared_data: Path) -> None:
    """The SOS export's county rows against each county's own Clarity detail XML (same election)."""
    from tracker.feeds.clarity import parse_detail_xml

    house = _house(_parse(shared_data, APRIL))
    sos = house.totals_by("county")
    names = {c.id: _surname(c.name) for c in house.candidates}
    for county in ("Cobb", "DeKalb", "Fulton"):
        xml = parse_detail_xml((shared_data / f"ga06-2017-04-18/2017_{county}_detail.xml").read_bytes())
        contest = next(c for c in xml.contests if c.name == HOUSE)
        theirs = {_surname(c.name): contest.totals[c.id] for c in contest.candidates}
        assert {names[cid]: n for cid, n in sos[county].items()} == theirs


def test_june_runoff_totals_county_splits_and_vote_types(shared_data: Path) -> None:
    snap = _parse(shared_data, JUNE)
    (house,) = snap.contests
    ids = {_surname(c.name): c.id for c in house.candidates}
    assert house.totals == {ids["HANDEL"]: 134_799, ids["OSSOFF"]: 125_517}
    by_county = house.totals_by("county")
    assert {k: (v[ids["HANDEL"]], v[ids["OSSOFF"]]) for k, v in by_county.items()} == JUNE_BY_COUNTY
    doc = json.loads((shared_data / JUNE).read_bytes())
    # by vote type: the export's own state-level groupResults
    state = doc["results"]["ballotItems"][0]["ballotOptions"]
    own = {o["id"]: {g["groupName"]: g["voteCount"] for g in o["groupResults"]} for o in state}
    by_type = house.totals_by("vote_type")
    for cid, groups in own.items():
        assert {vt: by_type[vt][cid] for vt in groups} == groups
    assert [c.party for c in house.candidates] == ["REP", "DEM"]
    assert not house.data_warnings()


def test_registry_and_cli(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import main

    data = (shared_data / APRIL).read_bytes()
    assert registry.detect_format(data, "export-2017AprSpec.json") == registry.GA_SOS_JSON
    assert registry.parse_payload(data, source=APRIL) == _parse(shared_data, APRIL)
    assert main(["parse", str(shared_data / JUNE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["contests"][0]["total_votes"] == 134_799 + 125_517
    assert out == snapshot_summary(
        parse_ga_sos_json((shared_data / JUNE).read_bytes(), source=str(shared_data / JUNE))
    )


def test_precinct_rows_become_precinct_units(shared_data: Path) -> None:
    """Edited real file: Cobb's June rows split into two made-up precincts "P1"/"P2" whose votes
    add up to Cobb's own (so the district totals stay the certified ones)."""
    doc = json.loads((shared_data / JUNE).read_bytes())
    cobb = next(lr for lr in doc["localResults"] if lr["name"] == "Cobb County")
    for opt in cobb["ballotItems"][0]["ballotOptions"]:
        first = [{"groupName": g["groupName"], "voteCount": g["voteCount"] // 2} for g in opt["groupResults"]]
        second = [
            {"groupName": g["groupName"], "voteCount": g["voteCount"] - g["voteCount"] // 2}
            for g in opt["groupResults"]
        ]
        opt["precinctResults"] = [
            {
                "id": "P1",
                "name": "Precinct One",
                "voteCount": sum(g["voteCount"] for g in first),
                "groupResults": first,
                "reportingStatus": "Fully Reported",
            },
            {
                "id": "P2",
                "name": "Precinct Two",
                "voteCount": sum(g["voteCount"] for g in second),
                "groupResults": second,
                "reportingStatus": "Not Reported",
            },
        ]
    (house,) = parse_ga_sos_json(json.dumps(doc).encode()).contests
    cobb_units = [u for u in house.units if u.county == "Cobb"]
    assert [u.id for u in cobb_units] == ["Cobb/P1", "Cobb/P2"]
    assert all(u.kind is UnitKind.PRECINCT for u in cobb_units)
    assert [u.reporting for u in cobb_units] == [Reporting.COMPLETE, Reporting.PARTIAL]
    ids = {_surname(c.name): c.id for c in house.candidates}
    assert house.totals == {ids["HANDEL"]: 134_799, ids["OSSOFF"]: 125_517}
    assert house.totals_by("county")["Cobb"] == {ids["HANDEL"]: 45_688, ids["OSSOFF"]: 33_114}


def test_disagreements_are_warnings_not_fixes(shared_data: Path) -> None:
    doc = json.loads((shared_data / JUNE).read_bytes())
    dekalb = next(lr for lr in doc["localResults"] if lr["name"] == "DeKalb County")
    dekalb["ballotItems"][0]["ballotOptions"][0]["voteCount"] += 7  # vote types no longer add up
    (house,) = parse_ga_sos_json(json.dumps(doc).encode()).contests
    warnings = house.data_warnings()
    assert any("DeKalb" in w and "vote types sum to" in w for w in warnings)
    assert house.total_votes == 134_799 + 125_517  # the units (vote types) are the truth
    doc["results"]["ballotItems"][0]["ballotOptions"][1]["voteCount"] += 5  # the state's own figure
    (house,) = parse_ga_sos_json(json.dumps(doc).encode()).contests
    warnings = house.data_warnings()
    mismatch = "feed total for JON OSSOFF (DEM) is 125,522 (shown), its units sum to 125,517"
    assert any(mismatch in w for w in warnings)
    # the state's own figure is the race's shown result; the units stay for the model
    ossoff = next(c.id for c in house.candidates if "OSSOFF" in c.name)
    assert house.totals[ossoff] == 125_522 and house.unit_totals[ossoff] == 125_517
    assert any(w.startswith(f"{HOUSE}, JON OSSOFF (DEM): feed total is 125,522") for w in warnings)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.pop("results"),
        lambda d: d["results"]["ballotItems"][0]["ballotOptions"][0].update(voteCount=-1),
        lambda d: d["results"]["ballotItems"][0]["ballotOptions"][0].update(voteCount="12"),
        lambda d: d["localResults"][0]["ballotItems"][0].update(id="nope"),
        lambda d: d["localResults"].append(d["localResults"][0]),
        lambda d: d.update(electionDate="18/04/2017"),
        lambda d: d["localResults"][0]["ballotItems"][0]["ballotOptions"][0].update(id="999"),
    ],
)
def test_malformed_is_a_feed_error(edit, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((shared_data / JUNE).read_bytes())
    edit(doc)
    with pytest.raises(FeedError) as err:
        parse_ga_sos_json(json.dumps(doc).encode())
    assert "\n" not in str(err.value)


def test_county_name() -> None:
    assert county_name("Cobb County") == "Cobb"
    assert county_name(" Ben  Hill County ") == "Ben Hill"
    assert county_name("County") == "County"


# --- fuzzing ------------------------------------------------------------------------------------


def _june() -> bytes:
    root = shared_data_dir()
    return (root / JUNE).read_bytes() if root else b""


JUNE_BYTES = _june()
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_feed_error(data: bytes) -> None:
    try:
        snap = parse_ga_sos_json(data)
    except FeedError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    snapshot_summary(snap)


@pytest.mark.slow
@pytest.mark.skipif(not JUNE_BYTES, reason="shared data folder not found")
@FUZZ
@given(st.data())
def test_fuzz_byte_mutations_only_raise_feed_error(data: st.DataObject) -> None:
    blob = bytearray(JUNE_BYTES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob)))
        op = data.draw(st.sampled_from(["truncate", "replace", "delete"]))
        if op == "truncate":
            del blob[i:]
        elif op == "replace":
            chunk = data.draw(
                st.sampled_from([b"-", b"0", b"9", b'"', b"[", b"]", b"{", b"}", b",", b"null", b"true"])
            )
            blob[i : i + len(chunk)] = chunk
        else:
            del blob[i : i + data.draw(st.integers(1, 40))]
    _only_feed_error(bytes(blob))


@pytest.mark.slow
@pytest.mark.skipif(not JUNE_BYTES, reason="shared data folder not found")
@FUZZ
@given(st.data())
def test_fuzz_replaced_values_only_raise_feed_error(data: st.DataObject) -> None:
    """Replace one value anywhere in the real document with arbitrary JSON."""
    doc = json.loads(JUNE_BYTES)
    replace_one_value(doc, data)
    _only_feed_error(json.dumps(doc).encode())
