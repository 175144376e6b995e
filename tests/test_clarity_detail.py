"""The Clarity detail XML parser against the real files in ../shared/data.

Expected numbers are either listed in PROVENANCE.md (the GA-06 checks) or read from the same file
with a plain lxml pass (the feed's own ``totalVotes`` / ``votes`` attributes), never typed in.
Where a test needs a variant of a file (a different ``percentReporting`` code, a broken value), it
edits the real bytes and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tracker.core.errors import FeedError
from tracker.core.model import Reporting, ReportingUnit, Snapshot, UnitKind
from tracker.feeds.clarity import parse_detail_xml, precinct_reporting
from tracker.feeds.registry import CLARITY_DETAIL_XML, detect_format, parse_payload
from tracker.paths import shared_data_dir

GA06 = {"Cobb": 50, "DeKalb": 43, "Fulton": 115}  # PROVENANCE: House precincts per county
HOUSE = "U.S. Representative, District 6"


def _all_xml() -> list[Path]:
    root = shared_data_dir()
    if root is None:
        return []
    return sorted([*root.glob("clarity/*.xml"), *root.glob("ga06-2017-04-18/*.xml")])


ALL_XML = _all_xml()


def _ga06(shared: Path, county: str) -> Path:
    return shared / "ga06-2017-04-18" / f"2017_{county}_detail.xml"


def _parse(path: Path) -> Snapshot:
    return parse_detail_xml(path.read_bytes(), source=str(path))


# --- the feed's own numbers, read with a plain lxml pass (independent of the parser) ----------


def _feed_choices(path: Path) -> Iterator[tuple[etree._Element, etree._Element]]:
    root = etree.parse(str(path)).getroot()
    for contest in root.iter("Contest"):
        for choice in contest.findall("Choice"):
            yield contest, choice


def _expected_warnings(path: Path) -> set[str]:
    """The disagreements a file has with itself, phrased as the parser phrases them."""
    out: set[str] = set()
    for contest, choice in _feed_choices(path):
        cname = " ".join(choice.get("text", "").split())
        unit_sum = 0
        for vt in choice.findall("VoteType"):
            rows = sum(int(u.get("votes")) for u in vt)
            unit_sum += rows
            if rows != int(vt.get("votes")):
                kind = "counties" if len(vt) and vt[0].tag == "County" else "precincts"
                out.add(
                    f"{contest.get('text')}: feed subtotal for {cname} ({vt.get('name')}) is "
                    f"{int(vt.get('votes')):,}, its {kind} sum to {rows:,}"
                )
        if unit_sum != int(choice.get("totalVotes")):
            out.add(
                f"{contest.get('text')}: feed total for {cname} is {int(choice.get('totalVotes')):,} "
                f"(shown), its units sum to {unit_sum:,}"
            )
    return out


# --- every real file -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_XML, ids=[p.name for p in ALL_XML])
def test_every_real_file_matches_its_own_choice_totals(path: Path, shared_data: Path) -> None:
    snap = _parse(path)
    feed_contests = {c.get("key") for c in etree.parse(str(path)).getroot().iter("Contest")}
    assert {c.id for c in snap.contests} == feed_contests
    expected_warnings = _expected_warnings(path)
    for contest, choice in _feed_choices(path):
        ours = snap.contest(contest.get("key"))
        theirs = int(choice.get("totalVotes"))
        rows = sum(int(u.get("votes")) for vt in choice.findall("VoteType") for u in vt)
        # the race's result is what the feed states (its official page shows that); the units'
        # sum stays for the model
        assert ours.totals[choice.get("key")] == theirs
        assert ours.unit_totals[choice.get("key")] == rows
        assert ours.reported_totals is not None
        assert ours.reported_totals[choice.get("key")] == theirs
    assert {w for c in snap.contests for w in c.data_warnings()} == expected_warnings


def test_only_two_real_files_disagree_with_themselves(shared_data: Path) -> None:
    """Two trimmed fixtures really do disagree with themselves; we say so, exactly there."""
    with_warnings = {p.name for p in ALL_XML if _expected_warnings(p)}
    assert with_warnings == {
        "openelections-clarify_county.xml",
        "wapo-elex-clarity_ga_atkinson_precincts_11-3.xml",
    }
    # AR 2014: Tom Cotton's totalVotes is not the sum of his vote types.
    ar = _parse(shared_data / "clarity" / "openelections-clarify_county.xml")
    (senate,) = ar.contests
    warnings = senate.data_warnings()
    assert len(warnings) == 1
    assert warnings[0].startswith("U.S. Senate: feed total for Tom Cotton is ")
    # Atkinson 2020: the President's Election Day subtotals are not the sum of the precincts.
    atk = _parse(shared_data / "clarity" / "wapo-elex-clarity_ga_atkinson_precincts_11-3.xml")
    president = next(c for c in atk.contests if c.name == "President of the United States")
    subtotal_warnings = [w for w in president.feed_warnings if "(Election Day Votes)" in w]
    assert len(subtotal_warnings) == 3
    assert all(w.startswith("President of the United States: feed subtotal for ") for w in subtotal_warnings)
    assert all(not c.data_warnings() for c in atk.contests if c is not president)


# --- GA-06, 18 April 2017 (PROVENANCE checks) ----------------------------------------------------


@pytest.mark.parametrize("county", sorted(GA06))
def test_ga06_county_file_units_come_from_the_contest(county: str, shared_data: Path) -> None:
    path = _ga06(shared_data, county)
    snap = _parse(path)
    house = next(c for c in snap.contests if c.name == HOUSE)
    n = GA06[county]
    assert len(house.units) == n
    assert house.precincts == (n, n)
    assert house.reported_precincts == (n, n)
    assert all(u.kind is UnitKind.PRECINCT and u.county == county for u in house.units)
    assert all(u.reporting is Reporting.COMPLETE for u in house.units)
    assert all(u.id == f"{county}/" + u.id.split("/", 1)[1] for u in house.units)
    assert len({u.id for u in house.units}) == n
    assert len(house.candidates) == 18
    # Registered voters and ballots cast come from VoterTurnout, by raw precinct name.
    turnout = {
        p.get("name"): (int(p.get("totalVoters")), int(p.get("ballotsCast")))
        for p in etree.parse(str(path)).getroot().find("VoterTurnout/Precincts")
    }
    for unit in house.units:
        registered, cast = turnout[unit.id.split("/", 1)[1]]
        assert (unit.registered, unit.ballots_cast) == (registered or None, cast or None)


def test_ga06_voter_turnout_lists_two_extra_precincts_that_are_not_house_units(shared_data: Path) -> None:
    extra = 0
    for county in GA06:
        path = _ga06(shared_data, county)
        root = etree.parse(str(path)).getroot()
        listed = {p.get("name") for p in root.find("VoterTurnout/Precincts")}
        house = next(c for c in _parse(path).contests if c.name == HOUSE)
        in_house = {u.id.split("/", 1)[1] for u in house.units}
        assert in_house <= listed
        extra += len(listed - in_house)
    assert extra == 2  # PROVENANCE: "VoterTurnout (which lists two extra precincts)"


def test_dekalb_trailing_space_precinct_keeps_its_raw_name_in_the_id(shared_data: Path) -> None:
    snap = _parse(_ga06(shared_data, "DeKalb"))
    (house,) = snap.contests
    unit = next(u for u in house.units if u.id == "DeKalb/CHAMBLEE ")
    assert unit.name == "CHAMBLEE"
    assert any(u.id == "DeKalb/CHAMBLEE 2" for u in house.units)


def test_ga06_vote_types_are_the_choice_level_ones_in_document_order(shared_data: Path) -> None:
    cobb = next(c for c in _parse(_ga06(shared_data, "Cobb")).contests if c.name == HOUSE)
    assert [v.name for v in cobb.vote_types] == [
        "Election Day",
        "Absentee by Mail",
        "Advance in Person 1",
        "Advance in Person 2",
        "Provisional",
    ]
    assert [v.canonical for v in cobb.vote_types] == ["election_day", "mail", "early", "early", "provisional"]
    (dekalb,) = _parse(_ga06(shared_data, "DeKalb")).contests
    assert [v.name for v in dekalb.vote_types] == [
        "Election Day",
        "Absentee by Mail",
        "Advance in Person",
        "Provisional",
    ]
    # Contest-level rows (precinct counts) are never candidate votes.
    for contest in (cobb, dekalb):
        assert {vt for u in contest.units for vt in u.reported_vote_types()} == {
            v.name for v in contest.vote_types
        }


def test_ga06_snapshot_metadata(shared_data: Path) -> None:
    path = _ga06(shared_data, "DeKalb")
    root = etree.parse(str(path)).getroot()
    snap = _parse(path)
    assert snap.version == root.findtext("Timestamp")
    assert snap.published_at is not None
    assert snap.published_at.utcoffset() == dt.timedelta(hours=-4)  # "... PM EDT"
    assert snap.published_at.date() == dt.date(2017, 4, 25)  # PROVENANCE: timestamped 24–25 Apr 2017
    assert snap.election.id == "dekalb-2017-04-18"
    assert snap.election.name == root.findtext("ElectionName")
    assert snap.election.date == dt.date(2017, 4, 18)
    assert snap.election.source == str(path)
    assert snap.fetched_at is None and snap.payload_id is None


def test_state_senate_32_has_eight_candidates_in_cobb_and_fulton(shared_data: Path) -> None:
    for county in ("Cobb", "Fulton"):
        snap = _parse(_ga06(shared_data, county))
        senate = next(c for c in snap.contests if c.name == "State Senator, District 32")
        assert len(senate.candidates) == 8
    assert [c.name for c in _parse(_ga06(shared_data, "DeKalb")).contests] == [HOUSE]


# --- other layouts ------------------------------------------------------------------------------


def test_county_level_file_units_are_counties_with_precinct_counts(shared_data: Path) -> None:
    path = shared_data / "clarity" / "wapo-elex-clarity_ga_counties_11-3.xml"
    root = etree.parse(str(path)).getroot()
    snap = _parse(path)
    assert snap.election.id == "ga-2020-11-03"
    for contest_el in root.iter("Contest"):
        contest = snap.contest(contest_el.get("key"))
        participating = {
            c.get("name"): (int(c.get("precinctsReported")), int(c.get("precinctsParticipating")))
            for c in contest_el.find("ParticipatingCounties")
        }
        assert [u.id for u in contest.units] == list(participating)
        for unit in contest.units:
            assert unit.kind is UnitKind.COUNTY and unit.county == unit.name
            assert (unit.precincts_reporting, unit.precincts_total) == participating[unit.id]
            done, total = participating[unit.id]
            assert unit.reporting is (Reporting.COMPLETE if done == total else Reporting.PARTIAL)
        feed = (int(contest_el.get("precinctsReported")), int(contest_el.get("precinctsParticipating")))
        assert contest.reported_precincts == feed
        assert contest.precincts == feed
    president = next(c for c in snap.contests if c.name == "President of the United States")
    assert len(president.units) == 159  # PROVENANCE: 159 counties


def test_contest_level_undervotes_and_overvotes_are_not_votes(shared_data: Path) -> None:
    path = shared_data / "clarity" / "openelections-clarify_precinct.xml"
    (contest,) = _parse(path).contests
    assert [v.name for v in contest.vote_types] == ["Election"]
    assert all(set(u.reported_vote_types()) <= {"Election"} for u in contest.units)


def test_greenup_absentee_pseudo_precinct_code_32_is_not_taken_as_complete(shared_data: Path) -> None:
    """Greenup KY's "AB" precinct carries percentReporting="32", an undocumented code: PARTIAL
    (it has votes), while every precinct with code 4 is COMPLETE."""
    path = shared_data / "clarity" / "openelections-clarify_precinct.xml"
    codes = {
        p.get("name"): p.get("percentReporting")
        for p in etree.parse(str(path)).getroot().find("VoterTurnout/Precincts")
    }
    (contest,) = _parse(path).contests
    for unit in contest.units:
        raw = unit.id.split("/", 1)[1]
        if codes[raw] == "4":
            assert unit.reporting is Reporting.COMPLETE
        else:
            assert codes[raw] == "32" and unit.reporting is Reporting.PARTIAL
    assert sum(c == "4" for c in codes.values()) == contest.precincts[0]


# --- percentReporting mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("4", Reporting.COMPLETE), ("3", Reporting.PARTIAL), ("1", Reporting.PARTIAL), ("0", Reporting.PARTIAL)],
)
def test_percent_reporting_code_on_a_real_precinct(code: str, expected: Reporting, shared_data: Path) -> None:
    """Bacon County's one precinct (Douglas), with its percentReporting edited to ``code``."""
    data = (shared_data / "clarity" / "wapo-elex-clarity_ga_bacon_precincts_11-3.xml").read_bytes()
    edited = data.replace(b'percentReporting="4"', f'percentReporting="{code}"'.encode())
    assert edited.count(f'percentReporting="{code}"'.encode()) == 1
    for contest in parse_detail_xml(edited).contests:
        (unit,) = contest.units
        assert unit.reporting is expected


def test_unknown_code_falls_back_to_the_contests_reporting_row(shared_data: Path) -> None:
    """DeKalb with every percentReporting edited to an unknown code: the contest's own "Number of
    Precincts Reporting" row decides; one precinct's row edited to 0 makes it PARTIAL."""
    data = (
        _ga06(shared_data, "DeKalb").read_bytes().replace(b'percentReporting="4"', b'percentReporting="32"')
    )
    (house,) = parse_detail_xml(data).contests
    assert all(u.reporting is Reporting.COMPLETE for u in house.units)
    head, sep, tail = data.partition(b'<VoteType name="Number of Precincts Reporting"')
    tail = tail.replace(b'<Precinct name="AUSTIN" votes="1" />', b'<Precinct name="AUSTIN" votes="0" />', 1)
    (house,) = parse_detail_xml(head + sep + tail).contests
    austin = next(u for u in house.units if u.name == "AUSTIN")
    assert austin.reporting is Reporting.PARTIAL
    assert house.precincts == (42, 43)


def test_precinct_reporting_table() -> None:
    assert precinct_reporting("4", None, False) is Reporting.COMPLETE
    assert precinct_reporting("2", None, False) is Reporting.PARTIAL
    assert precinct_reporting("0", 1, False) is Reporting.NONE
    assert precinct_reporting("0", None, True) is Reporting.PARTIAL
    assert precinct_reporting(None, 1, False) is Reporting.COMPLETE
    assert precinct_reporting(None, 0, False) is Reporting.NONE
    assert precinct_reporting("32", None, True) is Reporting.PARTIAL
    assert precinct_reporting(None, None, False) is Reporting.NONE


# --- errors -------------------------------------------------------------------------------------


def _sub_once(data: bytes, pattern: bytes, repl: bytes) -> bytes:
    out, n = re.subn(pattern, repl, data, count=1)
    assert n == 1, pattern
    return out


BROKEN_EDITS = {
    "non-integer votes": (rb'(<Precinct name="[^"]*") votes="\d+"', rb'\1 votes="3x0"'),
    "negative votes": (rb'(<Precinct name="[^"]*") votes="\d+"', rb'\1 votes="-5"'),
    "signed votes": (rb'(<Precinct name="[^"]*") votes="\d+"', rb'\1 votes="+5"'),
    "empty votes": (rb'(<Precinct name="[^"]*") votes="\d+"', rb'\1 votes=""'),
    "non-integer totalVotes": (rb'totalVotes="\d+"', b'totalVotes="many"'),
    "missing Timestamp": (rb"<Timestamp>[^<]*</Timestamp>", b""),
    "bad ElectionDate": (rb"<ElectionDate>[^<]*</ElectionDate>", b"<ElectionDate>13/45/2017</ElectionDate>"),
    "duplicate choice key": (rb'<Choice key="20"', b'<Choice key="10"'),
    "choice without key": (rb'<Choice key="10"', b"<Choice"),
    "unit without name": (rb'(<VoteType name="Election Day" votes="\d+">\s*<Precinct) name="[^"]*"', rb"\1"),
    "wrong root": (rb"<ElectionResult>", b"<Results>"),
}


@pytest.mark.parametrize("edit", sorted(BROKEN_EDITS))
def test_malformed_real_file_raises_feed_error(edit: str, shared_data: Path) -> None:
    data = _ga06(shared_data, "DeKalb").read_bytes()
    pattern, repl = BROKEN_EDITS[edit]
    if edit == "wrong root":
        data = data.replace(b"</ElectionResult>", b"</Results>")
    with pytest.raises(FeedError) as err:
        parse_detail_xml(_sub_once(data, pattern, repl))
    message = str(err.value)
    assert message and "\n" not in message


@pytest.mark.parametrize("cut", [0, 1, 100, 5_000, 100_000, -1])
def test_truncated_file_raises_feed_error(cut: int, shared_data: Path) -> None:
    data = _ga06(shared_data, "DeKalb").read_bytes()
    with pytest.raises(FeedError):
        parse_detail_xml(data[:cut])


@pytest.mark.parametrize("payload", [b"", b"not xml at all", b"{}", b"\x00\x01\x02", "<ElectionResult/>"])
def test_not_xml_raises_feed_error(payload: bytes | str) -> None:
    with pytest.raises(FeedError):
        parse_detail_xml(payload)  # type: ignore[arg-type]


def test_the_zip_is_not_this_parsers_job(shared_data: Path) -> None:
    """``detailxml.zip`` is unpacked elsewhere (the feed client); here it is a clear FeedError."""
    data = (shared_data / "clarity" / "napervillpol-ga2022_detailxml.zip").read_bytes()
    with pytest.raises(FeedError, match="zip"):
        parse_detail_xml(data)


# --- hostile XML --------------------------------------------------------------------------------


def test_external_entity_is_not_resolved() -> None:
    secret = Path("/etc/passwd").read_text(errors="replace") if Path("/etc/passwd").exists() else ""
    payloads = [
        b'<?xml version="1.0"?><!DOCTYPE ElectionResult [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<ElectionResult><Timestamp>&x;</Timestamp><ElectionName>&x;</ElectionName></ElectionResult>",
        b'<?xml version="1.0"?><!DOCTYPE ElectionResult [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<ElectionResult><Timestamp>1/1/2020 1:00:00 PM EST</Timestamp><Contest key="1" text="&x;"/>'
        b"</ElectionResult>",
        b'<?xml version="1.0"?><!DOCTYPE ElectionResult SYSTEM "file:///etc/passwd">'
        b"<ElectionResult><Timestamp>1/1/2020 1:00:00 PM EST</Timestamp></ElectionResult>",
    ]
    for payload in payloads:
        with pytest.raises(FeedError) as err:
            parse_detail_xml(payload)
        assert "root:" not in str(err.value)
        if secret:
            assert secret.splitlines()[0] not in str(err.value)


def test_billion_laughs_is_refused_quickly() -> None:
    levels = [b'<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        refs = b"".join(b"&lol%d;" % (i - 1) for _ in range(10))
        levels.append(b'<!ENTITY lol%d "%s">' % (i, refs))
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE ElectionResult [' + b"".join(levels) + b"]>"
        b"<ElectionResult><Timestamp>1/1/2020 1:00:00 PM EST</Timestamp>"
        b"<ElectionName>&lol9;</ElectionName></ElectionResult>"
    )
    start = time.monotonic()
    with pytest.raises(FeedError):
        parse_detail_xml(payload)
    assert time.monotonic() - start < 2.0  # 10**9 "lol"s would take minutes and gigabytes


# --- fuzzing: mutated and truncated real files ----------------------------------------------------


def _small_fixture() -> bytes:
    root = shared_data_dir()
    if root is None:
        return b""
    return (root / "clarity" / "wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml").read_bytes()


SMALL = _small_fixture()


def _parse_or_feed_error(data: bytes) -> None:
    try:
        snap = parse_detail_xml(data)
    except FeedError as exc:
        assert str(exc)
        return
    assert isinstance(snap, Snapshot)
    for contest in snap.contests:  # the result must be usable, not just returned
        contest.data_warnings()
        _ = contest.precincts, contest.total_votes


@pytest.mark.slow
@pytest.mark.skipif(not SMALL, reason="shared data folder not found (../shared/data beside the checkout)")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_byte_mutations_only_raise_feed_error(data: st.DataObject) -> None:
    blob = bytearray(SMALL)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["truncate", "replace", "insert", "delete"]))
        i = data.draw(st.integers(0, len(blob)))
        if op == "truncate":
            del blob[i:]
        elif op == "replace":
            chunk = data.draw(st.binary(min_size=1, max_size=8))
            blob[i : i + len(chunk)] = chunk
        elif op == "insert":
            blob[i:i] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del blob[i : i + data.draw(st.integers(1, 64))]
    _parse_or_feed_error(bytes(blob))


ATTRS = re.compile(rb'(name|votes|totalVotes|key|text|voteFor|percentReporting|precinctsReported)="[^"]*"')


@pytest.mark.slow
@pytest.mark.skipif(not SMALL, reason="shared data folder not found (../shared/data beside the checkout)")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_attribute_values_only_raise_feed_error(data: st.DataObject) -> None:
    """Replace attribute values (votes, keys, names, codes) with arbitrary text, XML-escaped."""
    matches = list(ATTRS.finditer(SMALL))
    blob = SMALL
    for m in sorted(
        data.draw(st.lists(st.sampled_from(matches), min_size=1, max_size=3, unique_by=id)),
        key=lambda m: -m.start(),
    ):
        value = data.draw(st.one_of(st.text(max_size=12), st.integers(-10, 10**12).map(str)))
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        blob = (
            blob[: m.start()]
            + m.group(1)
            + b'="'
            + escaped.encode("utf-8", "replace")
            + b'"'
            + blob[m.end() :]
        )
    _parse_or_feed_error(blob)


# --- plumbing -----------------------------------------------------------------------------------


def test_registry_detects_and_dispatches_clarity(shared_data: Path) -> None:
    path = _ga06(shared_data, "DeKalb")
    data = path.read_bytes()
    assert detect_format(data, path.name) == CLARITY_DETAIL_XML
    assert parse_payload(data, source=str(path)) == parse_detail_xml(data, source=str(path))


def test_units_equal_what_the_constructor_builds(shared_data: Path) -> None:
    """Units are built without the frozen-dataclass __init__ for speed; they must be the same."""
    snap = _parse(shared_data / "clarity" / "wapo-elex-clarity_ga_counties_11-3.xml")
    snap2 = _parse(_ga06(shared_data, "Fulton"))
    for unit in (*snap.contests[0].units[:5], *snap2.contests[0].units[:5]):
        assert type(unit) is ReportingUnit
        rebuilt = ReportingUnit(**{f.name: getattr(unit, f.name) for f in dataclasses.fields(ReportingUnit)})
        assert rebuilt == unit and repr(rebuilt) == repr(unit)
        assert dataclasses.replace(unit, name="x").name == "x"
        with pytest.raises(dataclasses.FrozenInstanceError):
            unit.name = "y"  # type: ignore[misc]
