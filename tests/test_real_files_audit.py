"""What the real-files audit (docs/real-files-audit.md) found, each pinned by a test that failed
before its fix: real files through the ``shared_data`` fixture, hostile variants built here from
them (every one named ``constructed_*`` where it is written to disk)."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from tracker.core.errors import FeedError
from tracker.feeds.nc_sbe import parse_nc_sbe
from tracker.feeds.registry import NIST_XML, detect_format, parse_file, parse_payload

NC_2024 = "nc-sbe/nc_2024-11-05_general_results_0_statewide.json"


def _contest(snapshot, prefix: str):  # type: ignore[no-untyped-def]
    return next(c for c in snapshot.contests if c.name.startswith(prefix))


# -- North Carolina: the state's own rule, not a 50 % line with a runoff -------------------------


def test_nc_general_races_are_plurality_races_without_a_runoff(shared_data: Path) -> None:
    data = (shared_data / NC_2024).read_bytes()
    snap = parse_payload(data, source=str(shared_data / NC_2024))
    house = _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01")
    # Don Davis won NC-1 in 2024 with 49.5 %: no 50 % line, no runoff.
    assert house.threshold.rule == "plurality"
    assert house.threshold.runoff == "none"
    assert all(c.threshold.rule != "majority" or c.threshold.measure for c in snap.contests)


def test_nc_file_saved_under_any_name_still_reads_as_a_general_by_its_contests_and_date(
    shared_data: Path,
) -> None:
    data = (shared_data / NC_2024).read_bytes()
    # The Board's own address: the date in it is in November.
    snap = parse_nc_sbe(data, source="https://er.ncsbe.gov/enr/20241105/data/results_0.txt")
    assert _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01").threshold.rule == "plurality"
    # No name, no date: general-election contest names carry no party, so no primary rule.
    snap = parse_nc_sbe(data, source="results_0.txt")
    assert _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01").threshold.rule == "plurality"


def test_constructed_nc_primary_gets_the_30_percent_rule_with_a_second_primary_on_request(
    shared_data: Path,
) -> None:
    records = json.loads((shared_data / NC_2024).read_bytes())
    # The same records renamed as a primary's contests are named ("… - DEM (VOTE FOR 1)").
    for r in records:
        r["cnm"] = r["cnm"].replace(" (VOTE FOR", " - DEM (VOTE FOR", 1)
    data = json.dumps(records).encode()
    snap = parse_nc_sbe(data, source="https://er.ncsbe.gov/enr/20240305/data/results_0.txt")
    house = _contest(snap, "US HOUSE OF REPRESENTATIVES DISTRICT 01")
    assert (house.threshold.rule, house.threshold.share, house.threshold.runoff) == (
        "share",
        0.3,
        "on-request",
    )
    from tracker.feeds.nc_sbe import election_kind_of

    assert election_kind_of("nc_2024-03-05_primary_results_0.json", None, []) == "primary"


# -- NIST SP 1500-100: the state's rule, and a vote count listed twice ---------------------------

NIST_WY = "nist/nist_v2_wy20g.xml"


def test_nist_wyoming_races_get_wyomings_plurality_rule(shared_data: Path) -> None:
    snap = parse_payload((shared_data / NIST_WY).read_bytes(), source=str(shared_data / NIST_WY))
    president = _contest(snap, "US President")
    assert president.threshold.rule == "plurality"
    assert not any(c.threshold.has_runoff for c in snap.contests)


def test_constructed_nist_georgia_scope_gets_georgias_majority_rule(shared_data: Path) -> None:
    text = (shared_data / NIST_WY).read_text(encoding="utf-8")
    # The same report with its scope unit renamed: the scope decides the state, not the races.
    scope = '<Name><Text Language="en">Wyoming</Text></Name><Type>state</Type>'
    assert text.count(scope) == 1
    data = text.replace(scope, scope.replace("Wyoming", "Georgia")).encode()
    snap = parse_payload(data, source="constructed_nist_scope_georgia.xml")
    senate = _contest(snap, "US Senate WY")
    assert (senate.threshold.rule, senate.threshold.runoff) == ("majority", "top-two")


def test_constructed_nist_vote_count_listed_twice_is_left_out_not_added(shared_data: Path) -> None:
    text = (shared_data / NIST_WY).read_text(encoding="utf-8")
    first = text[text.index("<VoteCounts>") : text.index("</VoteCounts>") + len("</VoteCounts>")]
    data = text.replace(first, first + first, 1).encode()
    snap = parse_payload(data, source="constructed_nist_duplicate_votecounts.xml")
    # Biden's Albany County total listed twice used to make him 82,583 (73,491 + 9,092), silently.
    assert not [c for c in snap.contests if c.name.startswith("US President")]
    assert "twice" in snap.election.note and "US President" in snap.election.note
    assert _contest(snap, "US Senate WY").total_votes == 271_937


# -- what a saved file really is, whatever its name says ------------------------------------------

GA_FLOYD = "clarity/ga_floyd_2018-12-18_hd14_special_rep_primary_detail.xml"
HTML_503 = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service Unavailable</h1></body></html>"
)


@pytest.mark.parametrize(
    "path",
    [
        GA_FLOYD,
        NC_2024,
        NIST_WY,
        "ga-sos/2019-09-03_HD71_special.json",
        "ap/newsdev-elex_20121106_ak_prez.json",
    ],
)
def test_constructed_gzip_compressed_body_reads_as_the_file_it_holds(shared_data: Path, path: str) -> None:
    raw = (shared_data / path).read_bytes()
    plain = parse_payload(raw, source=path)
    packed = parse_payload(gzip.compress(raw), source=f"constructed_gzip_{Path(path).name}")
    assert [(c.name, c.totals) for c in packed.contests] == [(c.name, c.totals) for c in plain.contests]


def test_constructed_truncated_or_bomb_gzip_is_one_sentence(shared_data: Path) -> None:
    packed = gzip.compress((shared_data / NIST_WY).read_bytes())
    with pytest.raises(FeedError, match="truncated"):
        parse_payload(packed[: len(packed) // 2], source="constructed_truncated.xml.gz")
    bomb = gzip.compress(b" " * 4096)
    from tracker.feeds.registry import gunzip_payload

    with pytest.raises(FeedError, match="inflates beyond"):
        gunzip_payload(bomb, limit=1024)


@pytest.mark.parametrize("name", ["detail.xml", "constructed_error_page.xml", "results.xml"])
def test_constructed_html_error_page_saved_as_xml_is_called_an_html_page(tmp_path: Path, name: str) -> None:
    with pytest.raises(FeedError, match="HTML page") as err:
        parse_payload(HTML_503, source=name)
    assert "DTD" not in str(err.value)
    big = tmp_path / name  # a long page is streamed from its file, and says the same
    big.write_bytes(HTML_503 + b"<!-- padding -->" * 8000)
    with pytest.raises(FeedError, match="HTML page"):
        parse_file(big)


def test_constructed_empty_xml_file_is_called_empty() -> None:
    for body in (b"", b"  \r\n"):
        with pytest.raises(FeedError, match="is empty"):
            parse_payload(body, source="constructed_empty_detail.xml")


def test_constructed_utf16_nist_report_reaches_the_nist_reader(shared_data: Path) -> None:
    text = (shared_data / NIST_WY).read_text(encoding="utf-8")
    data = text.encode("utf-16")  # with its byte-order mark, as a Windows tool saves it
    assert detect_format(data, "constructed_utf16_report.xml") == NIST_XML
    snap = parse_payload(data, source="constructed_utf16_report.xml")
    assert (
        _contest(snap, "US President").totals == _contest(parse_payload(text.encode()), "US President").totals
    )


# -- a zipped detail XML whose one member has another name -----------------------------------------


def _zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_constructed_zip_whose_one_xml_member_is_not_called_detail_xml(shared_data: Path) -> None:
    xml = (shared_data / "clarity/napervillpol-ga2022_detail.xml").read_bytes()
    plain = parse_payload(xml, source="napervillpol-ga2022_detail.xml")
    for name in ("Detail_GA_2021.xml", "export/RESULTS.XML"):
        data = _zipped({name: xml, "readme.txt": b"saved by a scraper"})
        snap = parse_payload(data, source="constructed_renamed_detailxml.zip")
        assert [(c.name, c.totals) for c in snap.contests] == [(c.name, c.totals) for c in plain.contests]
    # Two XML files and no detail.xml: which is the results is a guess, so it is refused.
    with pytest.raises(FeedError, match=r"no detail\.xml"):
        parse_payload(_zipped({"a.xml": xml, "b.xml": xml}), source="constructed_two_xml.zip")


# -- presidential primaries: no 50 % line, no runoff ----------------------------------------------


def test_louisianas_presidential_primary_has_no_runoff_line(shared_data: Path) -> None:
    # AP's test-mode file (zero votes) of the 5 March 2016 contests: only the rule is read here.
    path = shared_data / "ap/newsdev-elex_20160305_me_no_townships.json"
    snap = parse_payload(path.read_bytes(), source=str(path))
    for party in ("GOP", "Dem"):
        rule = _contest(snap, f"LA President, {party} Primary").threshold
        assert (rule.rule, rule.runoff, rule.source) == ("plurality", "none", "table")


@pytest.mark.parametrize(
    ("state", "office", "rule"),
    [
        ("TX", "President", "plurality"),
        ("NC", "PRESIDENTIAL PREFERENCE - DEM", "plurality"),
        ("TX", "U.S. Senator", "majority"),  # Texas's primary runoff stays for other offices
        ("TX", "President of the School Board, District 3", "majority"),
        ("GA", "US President", "plurality"),  # Georgia's electors row, NIST's and NC's spelling
    ],
)
def test_presidential_primary_rows(state: str, office: str, rule: str) -> None:
    from tracker.core.jurisdiction import rule_for

    assert rule_for(state, "primary", office).rule == rule


# -- AP: a race listed before its candidates is named, not silently missing ------------------------


def test_ap_race_without_candidates_is_named_in_the_notes(shared_data: Path) -> None:
    path = shared_data / "ap/newsdev-elex_20160426_ct_rollups.json"
    snap = parse_payload(path.read_bytes(), source=str(path))
    assert not [c for c in snap.contests if c.name == "PA State House, District 30, Dem race"]
    assert any("without candidates" in n and "District 30" in n for n in snap.notes)


def test_constructed_ap_file_with_no_races_says_so() -> None:
    data = json.dumps({"electionDate": "2016-11-08", "timestamp": "2016-11-08T20:00:00Z", "races": []})
    snap = parse_payload(data.encode(), source="constructed_ap_no_races.json")
    assert not snap.contests and any("no races" in n for n in snap.notes)


# -- Clarity detail XML: one odd contest never sinks a file -----------------------------------------

BACON = "clarity/wapo-elex-clarity_ga_bacon_precincts_11-3.xml"


@pytest.mark.parametrize("bad", [b"1,234", b"", b"-3"])
def test_constructed_clarity_count_written_oddly_leaves_out_that_contest_only(
    shared_data: Path, bad: bytes
) -> None:
    data = (shared_data / BACON).read_bytes()
    plain = parse_payload(data, source=BACON)
    start = data.index(b"<Choice")  # the first contest's first candidate's first precinct
    at = data.index(b'votes="', data.index(b"<Precinct ", start)) + len(b'votes="')
    end = data.index(b'"', at)
    odd = parse_payload(data[:at] + bad + data[end:], source=f"constructed_{Path(BACON).name}")
    first = plain.contests[0]
    assert first.name == "President of the United States"
    assert first.id not in {c.id for c in odd.contests}
    # Every other race opens with the file's own numbers, and says a race is missing.
    assert [(c.name, c.totals) for c in odd.contests] == [(c.name, c.totals) for c in plain.contests[1:]]
    assert any("left out" in n and "President of the United States" in n for n in odd.notes)
    assert all(any("left out" in w for w in c.data_warnings()) for c in odd.contests)


def test_constructed_ga_sos_count_written_oddly_leaves_out_that_contest_only(shared_data: Path) -> None:
    path = shared_data / "ga-sos/2022-06-21_primary_runoff.json"
    doc = json.loads(path.read_bytes())
    plain = parse_payload(path.read_bytes(), source=str(path))
    county = doc["localResults"][3]
    item = county["ballotItems"][0]
    item["ballotOptions"][0]["voteCount"] = "1,234"
    odd = parse_payload(json.dumps(doc).encode(), source="constructed_ga_sos_comma.json")
    gone = next(c for c in plain.contests if c.id == item["id"])
    assert gone.id not in {c.id for c in odd.contests}
    kept = [(c.name, c.totals) for c in plain.contests if c.id != gone.id]
    assert [(c.name, c.totals) for c in odd.contests] == kept
    assert any("left out" in n and gone.name in n for n in odd.notes)


@pytest.mark.parametrize("bad", ["1,234", "", None, 2.5])
def test_constructed_clarity_summary_odd_count_leaves_out_that_contest_only(
    shared_data: Path, bad: object
) -> None:
    path = shared_data / "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"
    doc = json.loads(path.read_bytes())
    plain = parse_payload(path.read_bytes(), source=str(path))
    doc[1]["V"][0] = bad  # US Senate (Perdue), Perdue's count
    odd = parse_payload(json.dumps(doc).encode(), source="constructed_GA_summary.json")
    assert "10000" not in {c.id for c in odd.contests}
    kept = [(c.name, c.totals) for c in plain.contests if c.id != "10000"]
    assert [(c.name, c.totals) for c in odd.contests] == kept
    assert any("left out" in n and "US Senate (Perdue)" in n for n in odd.notes)


def test_constructed_ap_odd_count_leaves_out_that_race_only(shared_data: Path) -> None:
    path = shared_data / "ap/newsdev-elex_20121106_me_fl_senate.json"
    doc = json.loads(path.read_bytes())
    plain = parse_payload(path.read_bytes(), source=str(path))
    doc["races"][0]["reportingUnits"][0]["candidates"][0]["voteCount"] = "1,234"
    odd = parse_payload(json.dumps(doc).encode(), source="constructed_ap_comma.json")
    assert [(c.name, c.totals) for c in odd.contests] == [(c.name, c.totals) for c in plain.contests[1:]]
    assert any("left out" in n and plain.contests[0].name in n for n in odd.notes)
