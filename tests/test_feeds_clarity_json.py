"""Clarity's zip and JSON files against the real payloads in ../shared/data.

Expected numbers are the files' own (read here with ``json``/``zipfile``/lxml, not with the
parsers) or PROVENANCE's. Where a test needs a hostile or broken variant it builds it from the real
bytes and says so.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core.errors import FeedError
from tracker.core.model import Reporting, Snapshot, UnitKind
from tracker.core.summary import snapshot_summary
from tracker.feeds import registry
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_json import (
    clarity_location,
    parse_all_json,
    parse_current_ver,
    parse_electionsettings,
    parse_summary_json,
)
from tracker.feeds.clarity_zip import parse_detail_zip, read_detail_zip
from tracker.paths import shared_data_dir

SHARED = shared_data_dir()
RECORDING = "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson"
SUMMARY = "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"
SETTINGS = "clarity/wapo-elex-clarity_GA_105369_v271927_electionsettings.json"
RUNOFF_XML = "clarity/napervillpol-ga2022_detail.xml"
RUNOFF_ZIP = "clarity/napervillpol-ga2022_detailxml.zip"
SUMMARY_URL = "https://results.enr.clarityelections.com//GA/105369/271066/json/en/summary.json"
#: Clarity's "404 The requested page was not found" page, as the ALL.json recording holds it.
NOT_FOUND_SIZE = 2616


def _read(rel: str) -> bytes:
    assert SHARED is not None
    return (SHARED / rel).read_bytes()


def _recording() -> list[Path]:
    if SHARED is None:
        return []
    return sorted((SHARED / RECORDING).glob("*_ALL.json"))


ALL_FILES = _recording()


@pytest.fixture(scope="module")
def runoff_xml(shared_data: Path) -> Snapshot:
    return parse_detail_xml((shared_data / RUNOFF_XML).read_bytes())


# --- detailxml.zip ------------------------------------------------------------------------------


def test_zip_equals_the_detail_xml_it_holds(shared_data: Path) -> None:
    data = (shared_data / RUNOFF_ZIP).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["detail.xml"]
        inner = zf.read("detail.xml")
    assert read_detail_zip(data) == inner
    snap = parse_detail_zip(data, source="x")
    assert snap == parse_detail_xml(inner, source="x")
    # The shared .xml is the same document with LF line ends: the same Snapshot.
    assert snap == parse_detail_xml((shared_data / RUNOFF_XML).read_bytes(), source="x")
    assert registry.detect_format(data, "detailxml.zip") == registry.CLARITY_DETAIL_ZIP
    assert registry.parse_payload(data, source="x") == snap


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_zip_member_is_chosen_by_name_never_used_as_a_path(shared_data: Path, tmp_path: Path) -> None:
    inner = (shared_data / RUNOFF_XML).read_bytes()
    # A folder prefix is only compared, never opened or written (hostile paths such as
    # ../detail.xml refuse the whole archive: tests/test_xml_archive_safety.py).
    data = _zip({"web/GA/detail.xml": inner, "readme.txt": b"hi"})
    assert read_detail_zip(data) == inner
    assert not Path("web").exists()
    assert read_detail_zip(_zip({"GA\\Detail.XML": inner})) == inner


@pytest.mark.parametrize(
    ("members", "match"),
    [
        ({"summary.json": b"[]"}, "no detail.xml"),
        ({"a/detail.xml": b"<x/>", "b/detail.xml": b"<x/>"}, "more than one"),
    ],
)
def test_zip_without_exactly_one_detail_xml_is_refused(members: dict[str, bytes], match: str) -> None:
    with pytest.raises(FeedError, match=match):
        read_detail_zip(_zip(members))


def test_zip_bomb_is_refused_before_inflating() -> None:
    bomb = _zip({"detail.xml": b"\0" * (20 * 1024 * 1024)})  # ~20 KB deflated, 1000x
    assert len(bomb) < 100_000
    with pytest.raises(FeedError, match="zip bomb"):
        read_detail_zip(bomb)
    with pytest.raises(FeedError, match="limit"):
        read_detail_zip(_zip({"detail.xml": b"<x/>" * 1000}, zipfile.ZIP_STORED), max_member_bytes=100)


def test_zip_that_lies_about_its_size_is_stopped_while_inflating() -> None:
    """The central directory says 300 bytes; the deflate stream holds 5 MB of zeros."""
    data = bytearray(_zip({"detail.xml": b"\0" * (5 * 1024 * 1024)}))
    real = 5 * 1024 * 1024
    lie = (300).to_bytes(4, "little")
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        size_at = at + (22 if sig == b"PK\x03\x04" else 24)
        assert int.from_bytes(data[size_at : size_at + 4], "little") == real
        data[size_at : size_at + 4] = lie
    with pytest.raises(FeedError):
        read_detail_zip(bytes(data))


def test_zip_url_answered_with_clarity_404_page_says_so() -> None:
    page = next(p for p in ALL_FILES if p.stat().st_size == NOT_FOUND_SIZE).read_bytes()
    with pytest.raises(FeedError, match="HTML page"):
        parse_detail_zip(page)


@pytest.mark.parametrize("cut", [3, 30, 1000, -100, -10])
def test_truncated_zip_is_a_feed_error(cut: int, shared_data: Path) -> None:
    with pytest.raises(FeedError):
        parse_detail_zip((shared_data / RUNOFF_ZIP).read_bytes()[:cut])


def test_encrypted_flag_and_unknown_method_are_feed_errors(shared_data: Path) -> None:
    data = bytearray((shared_data / RUNOFF_ZIP).read_bytes())
    encrypted = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(sig) + off
        encrypted[at] |= 1
    with pytest.raises(FeedError):
        read_detail_zip(bytes(encrypted))
    method = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = method.find(sig) + off
        method[at : at + 2] = (99).to_bytes(2, "little")
    with pytest.raises(FeedError):
        read_detail_zip(bytes(method))


# --- current_ver.txt ----------------------------------------------------------------------------


def test_current_ver_real_bodies(shared_data: Path) -> None:
    for ver in ("271066", "271927"):
        body = (shared_data / f"clarity/wapo-elex-clarity_GA_105369_current_ver_{ver}.txt").read_bytes()
        assert parse_current_ver(body) == ver
        assert registry.detect_format(body) == registry.CLARITY_CURRENT_VER
        assert registry.parse_metadata(body) == ver
        with pytest.raises(FeedError, match="holds no results"):
            registry.parse_payload(body)
    assert parse_current_ver(b"274465\r\n") == "274465"


@pytest.mark.parametrize("junk", [b"", b"  ", b"abc", b"27 1066", b"-5", b"1" * 13, b"\xff\xfe", b"12.5"])
def test_current_ver_junk_is_refused(junk: bytes) -> None:
    with pytest.raises(FeedError):
        parse_current_ver(junk)


def test_current_ver_html_error_page_says_what_it_is() -> None:
    page = next(p for p in ALL_FILES if p.stat().st_size == NOT_FOUND_SIZE).read_bytes()
    with pytest.raises(FeedError, match="HTML error page \\(404\\)"):
        parse_current_ver(page)


# --- electionsettings.json ----------------------------------------------------------------------


def test_electionsettings_real_file(shared_data: Path) -> None:
    data = (shared_data / SETTINGS).read_bytes()
    doc = json.loads(data)
    s = parse_electionsettings(data)
    assert s.election_id == "105369"
    assert s.date is not None and s.date.isoformat() == "2020-11-03"
    assert list(s.versions) == doc["versions"] and len(s.versions) == 384
    assert s.versions[-1] == "271927"  # the cassette's current_ver at the time
    rows = doc["settings"]["electiondetails"]["participatingcounties"]
    assert len(s.counties) == len(rows) == 159
    first = s.counties[0]
    assert (first.name, first.election_id, first.version) == tuple(rows[0].split("|")[:3])
    assert first.updated_at is not None and first.updated_at.utcoffset() is not None
    assert s.state == "GA" and first.base_path(s.state) == f"/GA/Appling/{first.election_id}/"
    ben_hill = next(c for c in s.counties if c.site == "Ben_Hill")
    assert ben_hill.name == "Ben Hill"  # as the detail XML names it
    assert ben_hill.base_path("GA") == f"/GA/Ben_Hill/{ben_hill.election_id}/"
    assert (s.precincts_reporting, s.precincts_participating) == (2656, 2656)
    assert s.test is False
    # runoffthreshold 1 in a majority-rule state is a switch, not "1 %": no rule is made of it.
    assert s.runoff_threshold == 1 and s.threshold is None
    assert registry.detect_format(data, "electionsettings.json") == registry.CLARITY_ELECTIONSETTINGS
    assert registry.parse_metadata(data) == s
    with pytest.raises(FeedError, match="holds no results"):
        registry.parse_payload(data)


def test_electionsettings_threshold_only_from_a_value_that_can_only_be_a_share(shared_data: Path) -> None:
    doc = json.loads((shared_data / SETTINGS).read_bytes())
    doc["settings"]["runoffthreshold"] = 40
    s = parse_electionsettings(json.dumps(doc).encode())
    assert s.threshold is not None and s.threshold.to_json() == {"rule": "share", "share": 0.4}
    doc["settings"]["runoffthreshold"] = 50
    assert parse_electionsettings(json.dumps(doc).encode()).threshold.to_json() == {"rule": "majority"}


def test_cassettes_are_not_feeds(shared_data: Path) -> None:
    for name in ("wapo-elex-clarity_GA_2020_summary.json", "wapo-elex-clarity_GA_2020_electionsettings.json"):
        data = (shared_data / "clarity" / name).read_bytes()
        with pytest.raises(FeedError, match="cassette"):
            registry.detect_format(data, name)


# --- summary.json -------------------------------------------------------------------------------


def test_summary_totals_are_the_files_own(shared_data: Path) -> None:
    data = (shared_data / SUMMARY).read_bytes()
    doc = json.loads(data)
    snap = parse_summary_json(data, source=SUMMARY_URL)
    assert len(snap.contests) == len(doc) == 298
    assert snap.election.id == "clarity-ga-105369" and snap.version == "271066"
    for raw, contest in zip(doc, snap.contests, strict=True):
        assert contest.id == raw["K"] and contest.name == " ".join(raw["C"].split())
        assert [c.name for c in contest.candidates] == [" ".join(n.split()) for n in raw["CH"]]
        assert [contest.totals[c.id] for c in contest.candidates] == raw["V"]
        assert contest.precincts == (raw["PR"], raw["TP"])
        (unit,) = contest.units
        assert unit.kind is UnitKind.STATE
        assert unit.reporting is (Reporting.COMPLETE if raw["PR"] == raw["TP"] else Reporting.PARTIAL)
        assert contest.vote_for == raw["VF"]
        assert not contest.data_warnings()
    president = snap.contest("5000")
    assert president.totals == {"1": 2457910, "2": 2471955, "3": 62058}
    assert registry.detect_format(data) == registry.CLARITY_SUMMARY_JSON
    assert registry.parse_payload(data, source=SUMMARY_URL) == snap


def test_summary_malformed_is_a_feed_error(shared_data: Path) -> None:
    doc = json.loads((shared_data / SUMMARY).read_bytes())
    for edit in (  # the file's own structure
        lambda d: d[1].update(K=d[0]["K"]),
        lambda d: d[0].pop("CH"),
    ):
        bad = json.loads(json.dumps(doc))
        edit(bad)
        with pytest.raises(FeedError):
            parse_summary_json(json.dumps(bad).encode())
    # One contest's own rows: that contest is left out and named, the rest opens (the house rule:
    # one odd contest never sinks a file); a file of that one contest is still a FeedError.
    for edit in (
        lambda d: d[0].update(V=[1, 2]),
        lambda d: d[0].update(V=[1, -2, 3]),
        lambda d: d[0].update(V=[1, True, 3]),
        lambda d: d[0].update(PR=999),
    ):
        bad = json.loads(json.dumps(doc))
        edit(bad)
        snap = parse_summary_json(json.dumps(bad).encode())
        assert doc[0]["K"] not in {c.id for c in snap.contests} and len(snap.contests) == len(doc) - 1
        assert any("left out" in n for n in snap.notes)
        with pytest.raises(FeedError):
            parse_summary_json(json.dumps(bad[:1]).encode())


# --- ALL.json: the recording of GA's 5 Jan 2021 runoff ---------------------------------------------


def test_recording_has_137_files_and_18_are_clarity_404_pages(shared_data: Path) -> None:
    assert len(ALL_FILES) == 137
    pages = [p for p in ALL_FILES if p.stat().st_size == NOT_FOUND_SIZE]
    assert len(pages) == 18
    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in pages}) == 1  # one page, 18 times
    body = pages[0].read_bytes()
    assert b"404" in body and b"The requested page was not found." in body


@pytest.mark.parametrize("path", ALL_FILES, ids=[p.name[:33] for p in ALL_FILES])
def test_every_recorded_version_parses_or_is_the_404_page(path: Path, runoff_xml: Snapshot) -> None:
    data = path.read_bytes()
    assert registry.detect_format(data, "ALL.json") == registry.CLARITY_ALL_JSON
    if len(data) == NOT_FOUND_SIZE:
        with pytest.raises(FeedError, match="HTML error page \\(404\\)"):
            parse_all_json(data, names_from=runoff_xml)
        return
    doc = json.loads(data)
    snap = parse_all_json(data, names_from=runoff_xml)
    total_row = next(r for r in doc["Contests"] if r["A"] == "-1")
    for key, own in zip(total_row["C"], total_row["V"], strict=True):
        contest = snap.contest(key)
        # the file's own "-1" row is the sum of its counties, in every version
        assert [contest.totals[c.id] for c in contest.candidates] == own
        assert not contest.data_warnings()
        assert len(contest.units) == 159
        assert all(u.kind is UnitKind.COUNTY and u.reporting is not Reporting.COMPLETE for u in contest.units)


def test_final_version_equals_the_final_detail_xml_county_by_county(runoff_xml: Snapshot) -> None:
    """The last recorded ALL.json (ver 275237, 19 Jan) and the certified detail XML (20 Jan): every
    county of all three contests identical. (The versions before it are not: e.g. ver 275235 still
    has Fulton 473 votes short for Perdue.)"""
    final = ALL_FILES[-1]
    assert "_ver275237_" in final.name
    snap = parse_all_json(final.read_bytes(), names_from=runoff_xml, source=str(final))
    for contest in snap.contests:
        xml = runoff_xml.contest(contest.id)
        assert [c.name for c in contest.candidates] == [c.name for c in xml.candidates]
        assert contest.totals_by("county") == xml.totals_by("county")
        assert contest.totals == xml.totals
    names = {c.name: c.totals for c in snap.contests}
    perdue = names["US Senate (Perdue)"]
    assert sorted(perdue.values()) == [2214979, 2269923]  # Perdue, Ossoff
    loeffler = names["US Senate (Loeffler) - Special"]
    assert sorted(loeffler.values()) == [2195841, 2289113]  # Loeffler, Warnock
    earlier = parse_all_json(ALL_FILES[-2].read_bytes(), names_from=runoff_xml)
    fulton = earlier.contest("10000").totals_by("county")["Fulton"]
    assert fulton != runoff_xml.contest("10000").totals_by("county")["Fulton"]


def test_all_json_without_names_says_so(runoff_xml: Snapshot) -> None:
    data = ALL_FILES[-1].read_bytes()
    bare = parse_all_json(
        data, source="https://results.enr.clarityelections.com/GA/107556/275237/json/ALL.json"
    )
    assert bare.version == "275237" and bare.election.id == "clarity-ga-107556"
    assert "carries no names" in bare.election.note
    contest = bare.contest("10000")
    assert contest.name == "10000" and [c.name for c in contest.candidates] == ["1", "2"]
    named = parse_all_json(data, names_from=runoff_xml)
    assert named.election.note == "" and named.election.id == runoff_xml.election.id
    assert [contest.totals[c] for c in ("1", "2")] == [named.contest("10000").totals[c] for c in ("4", "5")]
    # registry passes names_from through
    assert registry.parse_payload(data, "clarity-all-json", names_from=runoff_xml) == named


def test_names_from_another_election_are_not_forced_onto_the_counts(shared_data: Path) -> None:
    """The Nov 2020 summary has a contest keyed 10000 too (Perdue's general, 3 choices); the Jan
    2021 ALL.json's 10000 has 2 choices: positions stand in, and a warning says why."""
    other = parse_summary_json((shared_data / SUMMARY).read_bytes())
    snap = parse_all_json(ALL_FILES[-1].read_bytes(), names_from=other)
    contest = snap.contest("10000")
    assert [c.name for c in contest.candidates] == ["1", "2"]
    assert any("3" in w and "2 choices" in w for w in contest.data_warnings())
    assert "carries no names" in snap.election.note


def test_stale_version_on_record_parses_to_the_older_counts(runoff_xml: Snapshot) -> None:
    """PROVENANCE: 274465 → 274437 → 274465 at 02:50 UTC; the stale payload parses to fewer votes."""
    by_name = {p.name[:16]: p for p in ALL_FILES}
    newer = parse_all_json(by_name["20210106T025040Z"].read_bytes(), names_from=runoff_xml)
    stale = parse_all_json(by_name["20210106T025047Z"].read_bytes(), names_from=runoff_xml)
    assert stale.contest("10000").total_votes < newer.contest("10000").total_votes


def test_clarity_location() -> None:
    assert clarity_location("https://results.enr.clarityelections.com/GA/107556/274465/json/ALL.json") == (
        "GA",
        "",
        "107556",
        "274465",
    )
    assert clarity_location(
        "https://results.enr.clarityelections.com/GA/Appling/105371/271560/reports/x"
    ) == (
        "GA",
        "Appling",
        "105371",
        "271560",
    )
    assert clarity_location("/tmp/ALL.json") is None


def test_parse_json_cli_for_clarity_json_files(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import main

    assert main(["parse", str(shared_data / SUMMARY), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["contests"][0]["total_votes"] == 2457910 + 2471955 + 62058
    assert summary["election"]["test"] is False
    assert main(["parse", str(ALL_FILES[-1]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == snapshot_summary(parse_all_json(ALL_FILES[-1].read_bytes(), source=str(ALL_FILES[-1])))
    assert main(["parse", str(ALL_FILES[-1]), "--names", str(shared_data / RUNOFF_XML), "--json"]) == 0
    named = json.loads(capsys.readouterr().out)
    perdue = next(c for c in named["contests"] if c["id"] == "10000")
    assert [(c["name"], c["votes"]) for c in perdue["candidates"]] == [
        ("David A. Perdue (I) (Rep)", 2214979),
        ("Jon Ossoff (Dem)", 2269923),
    ]
    assert main(["parse", str(shared_data / SETTINGS)]) == 2
    assert "holds no results" in capsys.readouterr().err


# --- fuzzing ------------------------------------------------------------------------------------


def _small_all() -> bytes:
    files = _recording()
    return files[-1].read_bytes() if files else b""


SMALL_ALL = _small_all()
SMALL_SUMMARY = json.dumps(json.loads(_read(SUMMARY))[:6]).encode() if SHARED else b""
SMALL_SETTINGS = _read(SETTINGS) if SHARED else b""


def _only_feed_error(fn, data: bytes) -> None:  # type: ignore[no-untyped-def]
    try:
        result = fn(data)
    except FeedError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if isinstance(result, Snapshot):
        for contest in result.contests:
            contest.data_warnings()
            _ = contest.precincts, contest.total_votes
        snapshot_summary(result)


def _mutate(data: st.DataObject, blob: bytes) -> bytes:
    out = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["truncate", "replace", "insert", "delete"]))
        i = data.draw(st.integers(0, len(out)))
        if op == "truncate":
            del out[i:]
        elif op == "replace":
            chunk = data.draw(
                st.sampled_from([b"-", b"0", b"9", b'"', b"[", b"]", b"{", b",", b"null", b"1e9"])
            )
            out[i : i + len(chunk)] = chunk
        elif op == "insert":
            out[i:i] = data.draw(st.binary(min_size=1, max_size=6))
        else:
            del out[i : i + data.draw(st.integers(1, 40))]
    return bytes(out)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@pytest.mark.skipif(not SMALL_ALL, reason="shared data folder not found")
@FUZZ
@given(st.data())
def test_fuzz_clarity_json_mutations_only_raise_feed_error(data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(["all", "summary", "settings", "zip", "ver"]))
    if which == "all":
        _only_feed_error(parse_all_json, _mutate(data, SMALL_ALL))
    elif which == "summary":
        _only_feed_error(lambda b: parse_summary_json(b, source=SUMMARY_URL), _mutate(data, SMALL_SUMMARY))
    elif which == "settings":
        _only_feed_error(parse_electionsettings, _mutate(data, SMALL_SETTINGS))
    elif which == "zip":
        _only_feed_error(parse_detail_zip, _mutate(data, _read(RUNOFF_ZIP)))
    else:
        _only_feed_error(parse_current_ver, _mutate(data, b"274465"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**12) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(st.sampled_from(["A", "C", "V", "K", "CH"]), kids, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["A", "C", "V"]),
        JSON_VALUES,
    ),
    JSON_VALUES,
)
def test_fuzz_structured_all_and_summary_only_raise_feed_error(row: dict, value: object) -> None:
    _only_feed_error(parse_all_json, json.dumps({"Contests": [row, value]}).encode())
    _only_feed_error(parse_summary_json, json.dumps([row, value]).encode())
    _only_feed_error(parse_electionsettings, json.dumps({"settings": value, "versions": row}).encode())


@pytest.mark.slow
@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["detail.xml", "DETAIL.XML", "x/detail.xml", "../detail.xml", "a.txt", "detail.xml/"]
            ),
            st.one_of(st.binary(max_size=200), st.just(b"<ElectionResult/>"), st.just(b"\0" * 50_000)),
        ),
        max_size=3,
        unique_by=lambda m: m[0],
    ),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
)
def test_fuzz_structured_zips_only_raise_feed_error(members: list[tuple[str, bytes]], method: int) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, body in members:
            zf.writestr(name, body)
    _only_feed_error(parse_detail_zip, buf.getvalue())


def test_an_all_json_read_without_its_url_is_known_by_its_races(shared_data: Path) -> None:
    """Read from files (no Clarity URL), every ALL.json used to be election "clarity", so the
    pins and rule overrides kept by election id crossed from one night to another whose races
    share a key. The races' keys name it now: the same all night, another set another id."""
    files = [p for p in ALL_FILES if p.read_bytes()[:1] == b"{"]  # the recording holds 404 pages too
    first, last = files[0].read_bytes(), files[-1].read_bytes()
    a = parse_all_json(first, source=files[0].name)
    b = parse_all_json(last, source=files[-1].name)
    assert a.election.id == b.election.id and a.election.id.startswith("clarity-races-")
    doc = json.loads(first)
    doc["Contests"] = [c for c in doc["Contests"] if c.get("K") != doc["Contests"][-1].get("K")]
    other = parse_all_json(json.dumps(doc).encode(), source="other_ALL.json")
    assert other.election.id != a.election.id
    # with its URL the election's own id stands
    url = "https://results.enr.clarityelections.com/GA/107556/273739/json/ALL.json"
    assert parse_all_json(first, source=url).election.id == "clarity-ga-107556"
