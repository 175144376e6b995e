"""NIST SP 1500-100 v2 Election Results Reporting: reading (XML, JSON) and writing.

Real data: ``nist/nist_v2_wy20g.xml`` (Wyoming's 2020 general by county, exported in the NIST v2
schema; its President totals are Wyoming's certified count). The round trip: the bundled night
``ga06-2017-04-18.night`` exported with ``election-tracker export --nist`` reads back as the same
snapshot, in both forms. Documents edited in a test are named ``constructed`` there.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tracker import paths
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.cli import main
from tracker.core.errors import FeedError
from tracker.core.model import UnitKind
from tracker.feeds.nist import parse_nist
from tracker.feeds.nist_writer import snapshot_to_nist
from tracker.feeds.registry import NIST_JSON, NIST_XML, detect_format, parse_payload

WY = "nist/nist_v2_wy20g.xml"
APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
#: Wyoming's certified 2020 presidential result.
WY_PRESIDENT = {
    "Donald J. Trump": 193_559,
    "Joseph R. Biden": 73_491,
    "Jo Jorgensen": 5_768,
    "Brock Pierce": 2_208,
    "Write-Ins": 1_739,
}


@pytest.fixture(scope="module")
def wy(shared_data: Path) -> bytes:
    return (shared_data / WY).read_bytes()


def _president(snapshot):  # type: ignore[no-untyped-def]
    (contest,) = [c for c in snapshot.contests if c.name == "US President (WY)"]
    return contest


def _by_name(contest) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {contest.candidate(cid).name: n for cid, n in contest.totals.items()}


def test_wyoming_2020_reads_with_the_certified_president_totals(wy: bytes) -> None:
    assert detect_format(wy, "nist_v2_wy20g.xml") == NIST_XML
    snap = parse_payload(wy)
    assert len(snap.contests) == 78 and snap.election.name == "2020 General"
    president = _president(snap)
    assert _by_name(president) == WY_PRESIDENT
    assert len(president.units) == 23 and all(u.kind is UnitKind.COUNTY for u in president.units)
    albany = president.units[0]
    assert albany.name == "Albany County" and albany.county == "Albany County"  # "Wyoming;" prefix gone
    assert [vt.name for vt in president.vote_types] == ["Total"]
    assert {c.party for c in president.candidates} >= {"Democratic Party", "Republican Party"}
    assert snap.election.note == ""


def test_wyoming_as_json_reads_the_same(wy: bytes) -> None:
    snap = parse_nist(wy)
    body = snapshot_to_nist(snap, form="json")
    assert detect_format(body) == NIST_JSON
    again = parse_payload(body)
    # the warnings about the file read (its undervote lines left out) are not data of the export
    assert again.contests == tuple(replace(c, feed_warnings=()) for c in snap.contests)
    assert any(c.feed_warnings for c in snap.contests) and not any(c.feed_warnings for c in again.contests)


@pytest.mark.parametrize("form", ["xml", "json"])
def test_a_bundled_night_exported_as_nist_reads_back_identically(tmp_path: Path, form: str) -> None:
    with NightFile.open(APRIL) as night:
        versions = current_versions(night.versions())
        chain = VersionChain(night, versions)
        picks = [0, 1, len(versions) // 2, len(versions) - 1]
        expected = {i: chain.snapshot(i) for i in picks}
        times = {i: versions[i].fetched_at.astimezone(night.timezone) for i in picks}
    for i in picks:
        out = tmp_path / f"v{i}.{form}"
        args = ["export", str(APRIL), "--nist", str(out), "--at", f"{times[i]:%H:%M}"]
        assert main(args + (["--json"] if form == "json" else [])) == 0
        data = out.read_bytes()
        assert detect_format(data, out.name) == (NIST_JSON if form == "json" else NIST_XML)
        back = parse_payload(data, source="x")
        want = expected[i]
        assert back.contests == want.contests  # units, vote types, reporting, ids: all of it
        assert back.election == replace(want.election, source="x")
        assert back.election.reconstructed and back.version == want.version
        assert back.published_at == want.published_at


def test_export_refuses_mixed_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(APRIL), "--nist", str(tmp_path / "a.xml"), "--contest", "10"]) == 2
    assert main(["export", str(APRIL)]) == 2
    assert main(["export", str(APRIL), "--csv", "-", "--json"]) == 2
    err = capsys.readouterr().err
    assert "--contest and --by go with --csv" in err and "say where to write" in err
    assert not (tmp_path / "a.xml").exists()


def test_counts_at_several_levels_are_not_added_twice(wy: bytes) -> None:
    """Constructed: the state's own President total for Trump added beside the counties'."""
    text = wy.decode()
    state = "oid113541"  # the scope unit (composed of the counties)
    president = _president(parse_nist(wy))
    trump = next(c for c in president.candidates if c.name == "Donald J. Trump")
    sel = text.index(f'ObjectId="{trump.id}"')
    insert_at = text.index("<VoteCounts>", sel)
    extra = f"<VoteCounts><GpUnitId>{state}</GpUnitId><Type>total</Type><Count>193559</Count></VoteCounts>"
    constructed = (text[:insert_at] + extra + text[insert_at:]).encode()
    president2 = _president(parse_nist(constructed))
    assert _by_name(president2) == WY_PRESIDENT
    assert president2.reported_totals is not None and president2.reported_totals[trump.id] == 193_559
    assert len(president2.units) == 23


def test_a_declared_encoding_of_utf_8_opens_with_a_note(wy: bytes) -> None:
    constructed = b"<?xml version='1.0' encoding='utf_8'?>\n" + wy
    snap = parse_payload(constructed)
    assert _by_name(_president(snap)) == WY_PRESIDENT
    assert "declares its encoding as 'utf_8'" in snap.election.note
    assert all(any("utf_8" in w for w in c.data_warnings()) for c in snap.contests)


def test_mis_decoded_names_open_with_a_warning_and_are_shown_as_given(wy: bytes) -> None:
    constructed = wy.replace(b"Jo Jorgensen", "Jo JÃ¸rgensen".encode())
    snap = parse_nist(constructed)
    assert "look mis-decoded" in snap.election.note and "JÃ¸rgensen" in snap.election.note
    assert "Jo JÃ¸rgensen" in _by_name(_president(snap))
    assert any("mis-decoded" in w for w in _president(snap).data_warnings())  # shown above the race
    assert not any("mis-decoded" in w for c in snap.contests[1:] for w in c.data_warnings())


def test_one_unreadable_contest_is_left_out_and_named(wy: bytes) -> None:
    at = wy.index(b"<Count>", wy.index(b">US Senate WY<") - 200000)
    constructed = wy[:at] + b"<Count>lots</Count>" + wy[wy.index(b"</Count>", at) + len(b"</Count>") :]
    snap = parse_nist(constructed)
    assert len(snap.contests) == 77
    assert "1 contest left out" in snap.election.note and "not a whole number" in snap.election.note


@pytest.mark.parametrize(
    ("body", "part"),
    [
        (b"<?xml version='1.0' encoding='klingon'?><ElectionReport/>", "encoding nobody knows"),
        (b"<ElectionReport xmlns='urn:other'><Election/></ElectionReport>", "namespace"),
        (b"<ElectionReport xmlns='http://itl.nist.gov/ns/voting/1500-100/v2'><Elec", "not well-formed"),
        (b"<ElectionReport xmlns='http://itl.nist.gov/ns/voting/1500-100/v2'/>", "no Election"),
        (b'{"@type": "ElectionResults.ElectionReport", "Election": 5}', "other than objects"),
        (b'{"@type": "ElectionResults.ElectionReport", ', "not valid JSON"),
    ],
)
def test_odd_files_are_one_clear_sentence(body: bytes, part: str) -> None:
    with pytest.raises(FeedError, match=part) as info:
        parse_nist(body)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)


def test_parse_command_says_one_sentence_for_an_odd_nist_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.xml"
    odd.write_bytes(b"<?xml version='1.0' encoding='klingon'?><ElectionReport/>")
    assert main(["parse", str(odd)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "encoding" in err


def _vc(unit: str, kind: str, n: int, other: str | None = None) -> dict[str, object]:
    out: dict[str, object] = {
        "@type": "ElectionResults.VoteCounts",
        "GpUnitId": unit,
        "Type": kind,
        "Count": n,
    }
    if other:
        out["OtherType"] = other
    return out


def test_constructed_json_with_measure_party_and_precinct_counts() -> None:
    """Constructed (every name and number made up): a ballot measure and a party contest, counted by
    precinct and count type, with the county's own summary beside its precincts."""
    text = {"@type": "ElectionResults.InternationalizedText"}
    doc = {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": "2026-11-03T23:00:00Z",
        "GpUnit": [
            {
                "@type": "ElectionResults.ReportingUnit",
                "@id": "st",
                "Name": "State",
                "Type": "state",
                "ComposingGpUnitIds": ["co"],
            },
            {
                "@type": "ElectionResults.ReportingUnit",
                "@id": "co",
                "Name": "State;Constructed County",
                "Type": "county",
                "ComposingGpUnitIds": ["p1", "p2"],
            },
            {
                "@type": "ElectionResults.ReportingUnit",
                "@id": "p1",
                "Name": "P-1",
                "Type": "precinct",
                "CountStatus": [{"Type": "total", "Status": "completed"}],
                "VotersRegistered": 900,
            },
            {"@type": "ElectionResults.ReportingUnit", "@id": "p2", "Name": "P-2", "Type": "precinct"},
        ],
        "Party": [
            {
                "@type": "ElectionResults.Party",
                "@id": "pa",
                "Name": {**text, "Text": [{"Content": "Alpha Party", "Language": "en"}]},
                "Abbreviation": "ALP",
            },
            {
                "@type": "ElectionResults.Party",
                "@id": "pb",
                "Name": {**text, "Text": [{"Content": "Beta Party", "Language": "en"}]},
            },
        ],
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "Name": {**text, "Text": [{"Content": "Constructed election", "Language": "en"}]},
                "StartDate": "2026-11-03",
                "ElectionScopeId": "st",
                "Contest": [
                    {
                        "@type": "ElectionResults.BallotMeasureContest",
                        "@id": "m1",
                        "Name": "Measure 1",
                        "ElectoralDistrictId": "co",
                        "BallotSelection": [
                            {
                                "@type": "ElectionResults.BallotMeasureSelection",
                                "@id": "yes",
                                "Selection": {**text, "Text": [{"Content": "Yes", "Language": "en"}]},
                                "VoteCounts": [
                                    _vc("p1", "election-day", 10),
                                    _vc("p1", "absentee-mail", 4),
                                    _vc("p2", "early", 3),
                                    _vc("co", "total", 17),
                                ],
                            },
                            {
                                "@type": "ElectionResults.BallotMeasureSelection",
                                "@id": "no",
                                "Selection": {**text, "Text": [{"Content": "No", "Language": "en"}]},
                                "VoteCounts": [
                                    _vc("p1", "election-day", 6),
                                    _vc("p2", "other", 2, "Curbside"),
                                    _vc("co", "total", 8),
                                ],
                            },
                        ],
                    },
                    {
                        "@type": "ElectionResults.PartyContest",
                        "@id": "pc",
                        "Name": "Party list",
                        "ElectoralDistrictId": "co",
                        "BallotSelection": [
                            {
                                "@type": "ElectionResults.PartySelection",
                                "@id": "s1",
                                "PartyIds": ["pa"],
                                "VoteCounts": [_vc("p1", "total", 5)],
                            },
                            {
                                "@type": "ElectionResults.PartySelection",
                                "@id": "s2",
                                "PartyIds": ["pb"],
                                "VoteCounts": [_vc("p2", "total", 7)],
                            },
                        ],
                    },
                ],
            }
        ],
    }
    body = json.dumps(doc).encode()
    assert detect_format(body) == NIST_JSON
    snap = parse_payload(body)
    measure, party = snap.contests
    assert [c.name for c in measure.candidates] == ["Yes", "No"]
    assert measure.totals == {"yes": 17, "no": 8}  # the county's summary is checked, not added
    assert measure.reported_totals == {"yes": 17, "no": 8} and measure.data_warnings() == []
    assert [u.id for u in measure.units] == ["p1", "p2"]
    p1, p2 = measure.units
    assert p1.county == "Constructed County" and p1.kind is UnitKind.PRECINCT and p1.registered == 900
    assert p1.reporting.value == "complete" and p2.reporting.value == "partial"
    assert p1.votes["yes"] == {"Election Day": 10, "Absentee by Mail": 4}
    assert p2.votes["no"] == {"Curbside": 2}
    assert {vt.name: vt.canonical for vt in measure.vote_types} == {
        "Election Day": "election_day",
        "Absentee by Mail": "mail",
        "Early": "early",
        "Curbside": "other",
    }
    assert [(c.name, c.party) for c in party.candidates] == [
        ("Alpha Party", "ALP"),
        ("Beta Party", "Beta Party"),
    ]
    assert party.totals == {"s1": 5, "s2": 7}


@pytest.mark.parametrize("form", ["xml", "json"])
def test_a_publishers_call_and_stated_rule_survive_a_nist_export(form: str) -> None:
    """AP's calls (CONSTRUCTED AP v3 fixture) go out as PostElectionStatus and come back as AP's."""
    from tracker.feeds.ap import parse_ap_v3

    snap = parse_ap_v3((Path(__file__).parent / "data" / "constructed_ap_v3_votetypes.json").read_bytes())
    data = snapshot_to_nist(snap, form=form)
    assert b"projected-winner" in data and b"advanced-to-runoff" in data
    back = parse_nist(data)
    for a, b in zip(snap.contests, back.contests, strict=True):
        assert (b.winners, b.advancing, b.called_by) == (a.winners, a.advancing, a.called_by)
        assert b.threshold_source == a.threshold_source and b.call_label == a.call_label
    assert back.contest("CONSTRUCTED-20002").call_label == "AP: runoff"


def test_a_reports_own_post_election_status_is_its_issuers_call(wy: bytes) -> None:
    marked = wy.replace(
        b"Donald J. Trump</Text></BallotName><PartyId>oid18767</PartyId>",
        b"Donald J. Trump</Text></BallotName><PartyId>oid18767</PartyId>"
        b"<PostElectionStatus>winner</PostElectionStatus>",
        1,
    )
    assert marked != wy
    president = _president(parse_nist(marked))
    (winner,) = president.winners
    assert president.candidate(winner).name == "Donald J. Trump" and president.advancing == ()
    assert president.called_by.startswith("unspecified user of code base")  # the report's Issuer
    assert _president(parse_nist(wy)).called_by == ""  # a report that calls nothing: no call


def test_undervote_lines_are_left_out_and_said_above_their_race(wy: bytes) -> None:
    """Wyoming's export writes its undervotes as a candidate, "Undervotes.1", in 37 legislative
    races; read as one it took a place in the race list's margin."""
    snap = parse_payload(wy)
    names = {cand.name for contest in snap.contests for cand in contest.candidates}
    assert not any("undervote" in n.casefold() for n in names)
    noted = [c for c in snap.contests if any("'Undervotes.1' left out" in w for w in c.feed_warnings)]
    assert len(noted) == 37 and _president(snap).feed_warnings == ()
    assert _by_name(_president(snap)) == WY_PRESIDENT


@pytest.mark.parametrize(
    ("name", "tally"),
    [
        ("Undervotes.1", True),
        ("Over Votes", True),
        ("under_votes", True),
        ("Blank Ballots", True),
        ("BLANK", True),
        ("Overton Smith", False),
        ("Joan Blankenship", False),
        ("Write-Ins", False),
    ],
)
def test_what_reads_as_an_undervote_or_overvote_line(name: str, tally: bool) -> None:
    from tracker.feeds.nist import _TALLY_LINE

    assert bool(_TALLY_LINE.match(name)) is tally
