"""North Carolina State Board of Elections results (``results_0.txt`` and the precinct file).

Real data: ``nc-sbe/nc_2024-11-05_general_results_0_statewide.json`` (the records of the Board's
final 2024 ``results_0.txt``), checked against the certified counts; the precinct file's layout from
a real three-row excerpt (``tests/data/nc_results_pct_20181106_excerpt.txt``). Inputs built in a
test are named ``constructed`` there.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tracker.core.errors import FeedError
from tracker.core.model import Reporting, UnitKind
from tracker.feeds.nc_sbe import parse_nc_sbe
from tracker.feeds.nc_sbe_writer import snapshot_to_nc_results
from tracker.feeds.registry import NC_SBE, detect_format, parse_payload

NC = "nc-sbe/nc_2024-11-05_general_results_0_statewide.json"
URL = "https://er.ncsbe.gov/enr/20241105/data/results_0.txt"
EXCERPT = Path(__file__).parent / "data" / "nc_results_pct_20181106_excerpt.txt"


@pytest.fixture(scope="module")
def nc_bytes(shared_data: Path) -> bytes:
    return (shared_data / NC).read_bytes()


def _by_name(contest) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {contest.candidate(cid).name: n for cid, n in contest.totals.items()}


def _named(snapshot, prefix: str):  # type: ignore[no-untyped-def]
    (contest,) = [c for c in snapshot.contests if c.name.startswith(prefix)]
    return contest


def test_the_2024_general_parses_with_the_certified_totals(nc_bytes: bytes) -> None:
    assert detect_format(nc_bytes, "results_0.txt") == NC_SBE
    snap = parse_payload(nc_bytes, source=URL)
    assert snap.election.date is not None and snap.election.date.isoformat() == "2024-11-05"
    assert len(snap.contests) == len({r["gid"] for r in json.loads(nc_bytes)})
    president = _by_name(_named(snap, "US PRESIDENT"))
    assert president["Donald J. Trump"] == 2_898_423
    assert president["Kamala D. Harris"] == 2_715_375
    assert president["Jill Stein"] == 24_762
    governor = _by_name(_named(snap, "NC GOVERNOR"))
    assert governor["Josh Stein"] == 3_069_496 and governor["Mark Robinson"] == 2_241_309
    for contest in snap.contests:
        assert contest.data_warnings() == []  # every record's vote types add up to its total
        assert contest.precincts[0] <= contest.precincts[1]


def test_vote_types_map_onto_ours_with_the_boards_names(nc_bytes: bytes) -> None:
    president = _named(parse_nc_sbe(nc_bytes), "US PRESIDENT")
    assert [(vt.name, vt.canonical) for vt in president.vote_types] == [
        ("Election Day", "election_day"),
        ("One Stop", "early"),
        ("Absentee by Mail", "mail"),
        ("Provisional", "provisional"),
    ]
    trump = president.candidate("Donald J. Trump").id
    by = president.totals_by("canonical")
    assert [by[k][trump] for k in ("election_day", "early", "mail", "provisional")] == [
        642_726,
        2_137_785,
        105_704,
        12_208,
    ]
    assert president.vote_for == 1 and president.precincts == (2658, 2658)
    (unit,) = president.units
    assert unit.kind is UnitKind.STATE and unit.reporting is Reporting.COMPLETE


def test_vote_for_comes_from_vfr_and_write_in_decorations_are_not_doubled(nc_bytes: bytes) -> None:
    snap = parse_nc_sbe(nc_bytes)
    council = _named(snap, "CITY OF LOCUST CITY COUNCIL")
    assert council.vote_for == 4
    names = [c.name for c in _named(snap, "US PRESIDENT").candidates]
    assert "Claudia De la Cruz (Write-In)" in names and not any("(Write-In) (Write-In)" in n for n in names)


def test_records_written_back_to_back_or_one_per_line_read_the_same(nc_bytes: bytes) -> None:
    records = json.loads(nc_bytes)
    array = parse_nc_sbe(nc_bytes)
    glued = "".join(json.dumps(r) for r in records).encode()
    lines = "\n".join(json.dumps(r) for r in records).encode()
    for body in (glued, lines):
        assert detect_format(body) == NC_SBE
        assert parse_nc_sbe(body).contests == array.contests


def test_the_tab_separated_precinct_file_reads_precincts_and_vote_types() -> None:
    data = EXCERPT.read_bytes()
    assert detect_format(data, "results_pct_20181106.txt") == NC_SBE
    snap = parse_payload(data)
    assert snap.election.date is not None and snap.election.date.isoformat() == "2018-11-06"
    (contest,) = snap.contests
    assert contest.id == "1228" and contest.name == "NC COURT OF APPEALS JUDGE SEAT 3"
    assert [u.id for u in contest.units] == ["ALAMANCE/064", "ALAMANCE/03N", "ALAMANCE/03S"]
    assert all(u.kind is UnitKind.PRECINCT and u.county == "ALAMANCE" for u in contest.units)
    assert contest.totals == {"Michael Monaco, Sr.": 127 + 98 + 217}
    assert contest.units[0].votes["Michael Monaco, Sr."] == {
        "Election Day": 59,
        "One Stop": 65,
        "Absentee by Mail": 2,
        "Provisional": 1,
    }
    assert contest.precincts == (3, 3)  # election-day votes in: reported


def test_constructed_precinct_file_with_early_voting_header_and_an_administrative_precinct() -> None:
    header = EXCERPT.read_text().splitlines()[0].replace("One Stop", "Early Voting")
    rows = [
        "WAKE\t03/03/2026\t01-01\t7\tS\tCONSTRUCTED CONTEST\tA\t\t1\t0\t5\t0\t0\t5\tY",
        "WAKE\t03/03/2026\t01-02\t7\tS\tCONSTRUCTED CONTEST\tA\t\t1\t0\t0\t0\t0\t0\tY",
        "WAKE\t03/03/2026\tABSENTEE\t7\tS\tCONSTRUCTED CONTEST\tA\t\t1\t0\t0\t9\t0\t9\tN",
        "WAKE\t03/03/2026\t01-01\t8\tS\tCONSTRUCTED BAD CONTEST\tB\t\t1\tx\t0\t0\t0\t0\tY",
    ]
    snap = parse_nc_sbe("\n".join([header, *rows]).encode())
    (contest,) = snap.contests  # the unreadable contest is left out, not the file
    assert "1 contest left out" in snap.election.note and "BAD CONTEST" in snap.election.note
    assert any("BAD CONTEST" in w for w in contest.data_warnings())  # the race view shows it
    units = {u.name: u for u in contest.units}
    assert units["01-01"].reporting is Reporting.PARTIAL  # early votes only
    assert units["01-02"].reporting is Reporting.NONE
    assert units["ABSENTEE"].kind is UnitKind.COUNTY  # counts votes, is no precinct
    assert contest.precincts == (0, 2)
    assert {vt.name for vt in contest.vote_types} == {
        "Election Day",
        "One Stop",
        "Absentee by Mail",
        "Provisional",
    }


def test_a_total_that_disagrees_with_its_vote_types_is_a_warning(nc_bytes: bytes) -> None:
    records = json.loads(nc_bytes)
    records[0]["vct"] = str(int(records[0]["vct"]) + 1)  # constructed: one total off by one
    contest = parse_nc_sbe(json.dumps(records).encode()).contests[0]
    assert any("vote types sum to" in w for w in contest.data_warnings())


@pytest.mark.parametrize(
    ("body", "part"),
    [
        (b'[{"cnm": "X", "bnm": "Y", "vct": "abc", "gid": "1"}]', "no contest could be read"),
        (b"[1, 2]", "not an object"),
        (b'[{"cnm": ', "not valid JSON"),
        (b"\xff\xfe[", "not valid UTF-8"),
        (b"County\tPrecinct\n", "no column"),
    ],
)
def test_unreadable_files_are_one_sentence(body: bytes, part: str) -> None:
    with pytest.raises(FeedError, match=part) as info:
        parse_nc_sbe(body)
    assert "\n" not in str(info.value)


def test_the_writer_serves_exactly_what_the_snapshot_holds(nc_bytes: bytes) -> None:
    snap = parse_nc_sbe(nc_bytes, source=URL)
    again = parse_nc_sbe(snapshot_to_nc_results(snap), source=URL)
    assert again.contests == snap.contests


def test_the_boards_live_address_is_polled_as_a_document_and_detected(nc_bytes: bytes) -> None:
    from tracker.feeds.discovery import discover

    target = discover("er.ncsbe.gov/enr/20241105/data/results_0.txt")  # as copied, no scheme
    assert target.url == URL and target.fmt == "auto"
    assert target.format_of(nc_bytes, target.url) == NC_SBE
    forced = discover(URL, fmt=NC_SBE)
    assert forced.format_of(b"[]", URL) == NC_SBE


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_the_precinct_zip_is_told_from_a_clarity_zip_by_its_members_and_read() -> None:
    """The Board's ``results_pct_{date}.zip`` (its one .txt: the real excerpt) reads as the .txt."""
    data = EXCERPT.read_bytes()
    zipped = _zip({"results_pct_20181106.txt": data})
    assert detect_format(zipped, "results_pct_20181106.zip") == NC_SBE
    assert detect_format(zipped, "detailxml.zip") == NC_SBE  # the members decide, not the name
    assert parse_payload(zipped, source="results_pct_20181106.zip").contests == parse_nc_sbe(data).contests
    clarity = _zip({"detail.xml": b"<ElectionResult/>"})
    assert detect_format(clarity, "results_pct_20181106.zip") == "clarity-detail-zip"


@pytest.mark.parametrize(
    ("members", "part"),
    [
        ({"a.txt": b"x", "b.txt": b"y"}, "more than one results .txt file"),
        ({"../../etc/results.txt": b"x"}, "climbs out of the archive"),
        ({"/abs/results.txt": b"x"}, "absolute member path"),
        ({"results_pct_20181106.txt": b"\t" * 5_000_000}, "zip bomb"),
        ({"readme.pdf": b"x"}, "holds no results .txt file"),
    ],
)
def test_an_odd_nc_zip_is_one_sentence_never_a_path(members: dict[str, bytes], part: str) -> None:
    from tracker.feeds.nc_sbe import read_nc_zip

    with pytest.raises(FeedError) as info:
        read_nc_zip(_zip(members))
    assert part in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "zone"),
    [
        ("https://er.ncsbe.gov/enr/20241105/data/results_0.txt", "America/New_York"),
        ("https://dl.ncsbe.gov/ENRS/2024_11_05/results_pct_20241105.zip", "America/New_York"),
        ("https://results.elections.example.co.gov/feed.json", "America/Denver"),
        ("https://elections.state.tx.us/results.json", "America/Chicago"),
        ("https://api.ap.org/v3/elections/2026-11-03?statepostal=AZ", "America/Phoenix"),
        ("https://api.ap.org/v3/elections/2026-11-03?statepostal=AZ,NV", "UTC"),
        ("https://example.com/feed.json", "UTC"),
    ],
)
def test_a_states_results_site_is_shown_in_that_states_zone(url: str, zone: str) -> None:
    from tracker.feeds.discovery import discover, guess_timezone

    assert guess_timezone(discover(url, env={"AP_API_KEY": "not-a-real-key"})) == zone
