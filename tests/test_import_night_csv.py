"""Importing the two CSV night formats: the NYT/Edison results timeseries (a whole night in one
file) and a poller's per-precinct totals (one file per version).

Real files come from ``../shared/data/nights`` (``shared_data``) and the real Camden County
excerpt in tests/data. Files named ``constructed_*`` are CONSTRUCTED in the test from that
excerpt's shape (made-up counties and numbers), to show what the real files do not: a state whose
precinct rows do not add up, a garbled row.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pytest

from tracker.archive.chain import VersionChain
from tracker.archive.importer import import_payloads, name_time
from tracker.archive.night import NightFile
from tracker.core.errors import FeedError, TrackerError
from tracker.core.model import Reporting, UnitKind
from tracker.feeds import registry
from tracker.feeds.nyt_timeseries import presidential_election_day, read_timeseries

DATA = Path(__file__).parent / "data"
CAMDEN = DATA / "nyt_timeseries_nc_2020_camden_excerpt.csv"
NC = "nights/nc-2020-president/NC_precincts_timeseries_2020.csv.gz"
ALLEGHENY = "nights/allegheny-2022"
HEADER = "state,county,precinct,fips,timestamp,vote_type,votes,votes_biden,votes_trump,votes_other,margin"


def _contests(path: Path):
    """(night, versions, every version's first contest)."""
    night = NightFile.open(path)
    versions = night.versions()
    chain = VersionChain(night, versions)
    contests = [chain.snapshot(i).contests[0] for i in range(len(versions))]
    return night, versions, contests


def _state_rows(data: bytes) -> tuple[list[str], dict[str, int]]:
    """The file's own timestamps in time order and its STATE row's per-candidate total at the last
    one (vote type ``total``), read here with the csv module, apart from the reader under test."""
    stamps: set[str] = set()
    last: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8"))):
        stamps.add(row["timestamp"])
        if row["precinct"] == "STATE" and row["vote_type"] == "total":
            last[row["timestamp"]] = {
                k.removeprefix("votes_"): int(float(v or 0)) for k, v in row.items() if k.startswith("votes_")
            }
    order = sorted(stamps, key=dt.datetime.fromisoformat)
    return order, last[order[-1]]


@pytest.mark.slow
def test_nc_timeseries_imports_as_a_night_of_every_timestamp(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / NC
    stamps, state = _state_rows(source.read_bytes())
    out = tmp_path / "nc.night"
    result = import_payloads([source], out=out)  # no format given: detected
    assert result.count == len(stamps) == 69
    assert result.notes and result.notes[0].startswith("Counted by precinct")
    night, versions, contests = _contests(out)
    with night:
        assert night.kind == "recorded"
        assert night.meta["level"] == "precinct" and night.meta["converted_from"] == "nyt-timeseries-csv"
        assert str(night.timezone) == "America/New_York"  # the file's state's zone
        assert night.sources == (source.name,)
        first = night.snapshot(versions[0])
    # one version per timestamp, at its real UTC time, in the timestamps' order
    assert [v.fetched_at for v in versions] == [
        dt.datetime.fromisoformat(s).replace(tzinfo=dt.UTC) for s in stamps
    ]
    assert first.election.date == dt.date(2020, 11, 3)
    final = contests[-1]
    assert {k: final.totals[k] for k in state} == state  # the file's own final state row
    assert final.total_votes == 5_479_902
    assert len(final.units) == 2758 and {u.kind for u in final.units} == {UnitKind.PRECINCT}
    names = {c.id: (c.name, c.party) for c in final.candidates}
    assert names["biden"] == ("Joe Biden", "DEM") and names["other"] == ("Other candidates", "")
    assert {vt.canonical for vt in final.vote_types} == {"mail", "early", "election_day", "provisional"}
    assert contests[0].total_votes == 0
    assert all(u.reporting is not Reporting.COMPLETE for c in contests for u in c.units)


def test_camden_excerpt_counts_precincts_checked_against_the_county_rows(tmp_path: Path) -> None:
    """A real excerpt without a STATE row: the precincts are checked against the county rows."""
    data = CAMDEN.read_bytes()
    assert registry.detect_format(data) == registry.NYT_TIMESERIES
    assert registry.detect_format(gzip.compress(data), "x.gz") == registry.NYT_TIMESERIES
    plain, packed = tmp_path / "camden.csv", tmp_path / "camden.csv.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    totals = {}
    for path in (plain, packed):
        out = path.with_suffix(".night")
        result = import_payloads([path], out=out)
        assert result.count == 4
        assert "the precinct rows add up to the county rows" in result.notes[0]
        night, _versions, contests = _contests(out)
        with night:
            assert night.meta["level"] == "precinct"
        totals[path.name] = contests[-1].totals
        # The CSV states no rule: its conversion carries North Carolina's general-election row
        # from the jurisdiction table, and says so, not "as the feed states it".
        rule = contests[-1].threshold
        assert rule.source == "table" and "§ 147-4" in rule.basis
        assert rule.origin() == "from the jurisdiction table"
        assert all(u.county == "camden" for u in contests[-1].units)
    county = {"biden": 0, "trump": 0, "jorgensen": 0, "other": 0}
    for row in csv.DictReader(io.StringIO(data.decode())):
        if (
            row["precinct"] == "COUNTY"
            and row["timestamp"].startswith("2020-11-10")
            and row["vote_type"] != "total"
        ):
            for k in county:
                county[k] += int(row[f"votes_{k}"])
    assert totals["camden.csv"] == totals["camden.csv.gz"] == county


def _constructed(rows: list[str], *, state: bool) -> bytes:
    """A CONSTRUCTED timeseries: county A reports by precinct, county B only its COUNTY row (its
    precincts missing, as the README says of FL, MI and PA); ``state``: with a STATE row."""
    out = [HEADER]
    for t, (a1, a2, b) in zip(
        ("2020-11-04T01:00:00", "2020-11-04T02:00:00"), ((10, 5, 7), (20, 9, 30)), strict=True
    ):
        for vt in ("absentee", "electionday"):
            out.append(f"ZZ,A-Land,p1,1,{t},{vt},{a1 * 2},{a1},{a1},0,")
            out.append(f"ZZ,A-Land,p2,2,{t},{vt},{a2 * 2},{a2},{a2},0,")
            out.append(f"ZZ,A-Land,COUNTY,-9999,{t},{vt},{(a1 + a2) * 2},{a1 + a2},{a1 + a2},0,")
            out.append(f"ZZ,B-Land,COUNTY,-9999,{t},{vt},{b * 2},{b},{b},0,")
            if state:
                s = a1 + a2 + b
                out.append(f"ZZ,STATE,STATE,-9999,{t},{vt},{s * 2},{s},{s},0,")
            out.append(f"ZZ,A-Land,p1,1,{t},total,0,0,0,0,")  # a total row: never counted
    out.extend(rows)
    return ("\n".join(out) + "\n").encode()


@pytest.mark.parametrize("state", [True, False])
def test_constructed_incomplete_state_is_counted_by_county_and_says_so(
    tmp_path: Path, state: bool, capsys, tracker_home
) -> None:
    path = tmp_path / f"constructed_incomplete_{'with' if state else 'without'}_state_2016.csv"
    path.write_bytes(_constructed([], state=state))
    from tracker.cli import main

    out = tmp_path / "n.night"
    assert main(["import", str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("election-tracker: Counted by county:")
    assert ("not the state row's" if state else "not the county rows'") in err[0]
    night, versions, contests = _contests(out)
    with night:
        assert night.meta["level"] == "county" and "Counted by county" in night.note
        assert str(night.timezone) == "UTC"  # ZZ is no state: no zone to take
        assert night.snapshot(versions[0]).election.date == dt.date(2016, 11, 8)  # the name's year
    assert len(versions) == 2
    final = contests[-1]
    assert {u.id: u.kind for u in final.units} == {"A Land": UnitKind.COUNTY, "B Land": UnitKind.COUNTY}
    assert final.totals == {"biden": 2 * (20 + 9 + 30), "trump": 2 * (20 + 9 + 30), "other": 0}
    # "other" has only zeros: not reported; an unknown state gets the table's default rule
    assert final.threshold.rule == "plurality"
    assert all(u.reporting is Reporting.PARTIAL for u in final.units)


def test_a_unit_with_only_zeros_is_not_reported_and_levels_can_be_forced(tmp_path: Path) -> None:
    data = _constructed(["ZZ,A-Land,p3,3,2020-11-04T02:00:00,absentee,0,0,0,0,"], state=True)
    series = read_timeseries(data, source="constructed_zero_precinct.csv", level="precinct")
    assert series.level == "precinct" and series.level_note.startswith("Counted by precinct, as asked")
    units = {u.id: u for u in list(series.snapshots())[-1].contests[0].units}
    assert set(units) == {"A-Land/p1/1", "A-Land/p2/2", "A-Land/p3/3"}
    assert units["A-Land/p3/3"].reporting is Reporting.NONE and not units["A-Land/p3/3"].votes
    # a vote type with votes is kept for every candidate; one with none is left out
    assert dict(units["A-Land/p1/1"].votes["other"]) == {"Absentee": 0, "Election Day": 0}
    assert units["A-Land/p1/1"].county == "A Land" and units["A-Land/p1/1"].name == "p1"


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        (
            "ZZ,A-Land,p1,1,2020-11-04T02:00:00,early,4,two,2,0,",
            "line 26: 'two' in votes_biden is not a number",
        ),
        ("ZZ,A-Land,p1,1,2020-11-04T02:00:00,early,4,2,2", "line 26 has 9 columns where the header has 11"),
        ("ZZ,A-Land,p1,1,4 Nov 2020,early,4,2,2,0,", "line 26: '4 Nov 2020' is not a timestamp"),
        ("ZZ,A-Land,p1,1,2020-11-04T02:00:00,early,4,-2,2,0,", "line 26: -2 is not a possible number"),
        ("GA,A-Land,p1,1,2020-11-04T02:00:00,early,4,2,2,0,", "line 26: the file holds more than one state"),
    ],
)
def test_a_garbled_row_is_one_sentence_naming_its_line(
    tmp_path: Path, line: str, needle: str, capsys, tracker_home
) -> None:
    path = tmp_path / "constructed_garbled.csv"
    path.write_bytes(_constructed([line], state=True))
    out = tmp_path / "g.night"
    with pytest.raises(FeedError) as info:
        import_payloads([path], out=out)
    assert str(info.value).startswith("constructed_garbled.csv, ") and needle in str(info.value)
    from tracker.cli import main

    assert main(["import", str(path), "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir() if p.name != "tracker-home") == [
        path.name
    ]


def test_a_damaged_gzip_and_a_timeseries_among_payloads_are_refused(tmp_path: Path) -> None:
    packed = gzip.compress(CAMDEN.read_bytes())
    cut = tmp_path / "constructed_cut.csv.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(FeedError, match=r"^constructed_cut\.csv\.gz is a damaged or cut-short gzip file$"):
        import_payloads([cut], out=tmp_path / "c.night")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_bytes(CAMDEN.read_bytes())
    (folder / "b.csv").write_bytes(CAMDEN.read_bytes())
    with pytest.raises(TrackerError, match=r"holds a whole night .* import it on its own"):
        import_payloads([folder], out=tmp_path / "d.night")


def test_presidential_election_day() -> None:
    assert [presidential_election_day(y) for y in (2016, 2020, 2024, 2028)] == [
        dt.date(2016, 11, 8),
        dt.date(2020, 11, 3),
        dt.date(2024, 11, 5),
        dt.date(2028, 11, 7),
    ]


def test_unknown_candidate_columns_are_candidates_as_written() -> None:
    data = b"state,county,precinct,fips,timestamp,vote_type,votes,votes_smith_jones\n"
    data += b"ZZ,A,p1,1,2024-11-06T01:00:00Z,electionday,3,3\n"
    snap = registry.parse_payload(data, source="constructed_one_candidate.csv")
    (cand,) = snap.contests[0].candidates
    assert (cand.id, cand.name, cand.party) == ("smith_jones", "Smith Jones", "")
    assert snap.published_at == dt.datetime(2024, 11, 6, 1, tzinfo=dt.UTC)
    assert snap.election.date == dt.date(2024, 11, 5)


def _sum_last(path: Path) -> dict[str, int]:
    out = {"dem": 0, "rep": 0, "wi": 0}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for k in out:
                out[k] += int(row[f"{k}_total"])
    return out


@pytest.mark.parametrize("race", ["SD38", "HD30", "HD33"])
def test_allegheny_folder_imports_as_one_contest_named_from_its_folder(
    shared_data: Path, tmp_path: Path, race: str
) -> None:
    folder = shared_data / ALLEGHENY / race
    files = sorted(folder.glob("*.csv"))
    assert registry.detect_format(files[-1].read_bytes()) == registry.PRECINCT_TOTALS_CSV
    out = tmp_path / f"{race}.night"
    result = import_payloads([folder], out=out)
    assert result.count == len(files) and result.times == "file names"
    night, versions, contests = _contests(out)
    with night:
        assert f"contest named from its folder {race}, county Allegheny from the folder above" in night.label
        assert versions[-1].url == f"allegheny-2022/{race}/{files[-1].name}"
        assert str(night.timezone) == "America/New_York"  # Allegheny's state's zone
    times = sorted(name_time(p.name, dt.UTC) for p in files)
    assert [v.fetched_at for v in versions] == times
    last = max(files, key=lambda p: name_time(p.name, dt.UTC))
    final = contests[-1]
    assert (final.id, final.name) == (race, race)  # replayed from the raw CSV: still named
    assert final.totals == _sum_last(last)
    assert [c.name for c in final.candidates] == ["Democrat", "Republican", "Write-in"]
    # the folder above is a county only Pennsylvania has: the precincts' county, and the state
    assert {u.county for u in final.units} == {"Allegheny"}
    assert contests[0].total_votes == 0 and {u.reporting for u in contests[0].units} == {Reporting.NONE}
    assert all(u.reporting is not Reporting.COMPLETE for c in contests for u in c.units)


def test_a_garbled_precinct_totals_row_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "constructed_race"
    folder.mkdir()
    body = "precinct_name,dem_total,rep_total,precinct_total\nNorth 1,3,4,7\nNorth 2,x,4,7\n"
    (folder / "2022-11-08T21-00-00-05-00.csv").write_text(body)
    with pytest.raises(FeedError) as info:
        import_payloads([folder], out=tmp_path / "r.night")
    assert str(info.value) == (
        "2022-11-08T21-00-00-05-00.csv, line 3: 'x' in dem_total is not a number of votes"
    )
    (folder / "2022-11-08T21-00-00-05-00.csv").write_text(body.replace(",x,", ",2,"))
    import_payloads([folder], out=tmp_path / "r.night")
    with NightFile.open(tmp_path / "r.night") as night:
        contest = night.snapshot(night.versions()[0]).contests[0]
    # the folder above (pytest's) is no county: every precinct stands alone
    assert contest.name == "constructed_race" and {u.county for u in contest.units} == {None}


def test_a_dropped_timeseries_becomes_a_night_of_its_timestamps(tmp_path: Path) -> None:
    """Dropped on the window: read once, by the import (not parsed first to refuse it early)."""
    from tracker.archive.catalogue import import_dropped

    path = tmp_path / "camden.csv.gz"
    path.write_bytes(gzip.compress(CAMDEN.read_bytes()))
    result = import_dropped(path, tmp_path)
    assert result.path == tmp_path / "camden.csv.night" and result.count == 4
    assert result.notes[0].startswith("Counted by precinct")


def test_a_big_gzipped_timeseries_is_told_from_its_head_alone(shared_data: Path) -> None:
    """The import decides "a whole night" from the first 64 KB, which of a 4 MB gzip is a cut-short
    stream: told all the same (else the file would become a night of its last version only)."""
    with (shared_data / NC).open("rb") as fh:
        head = fh.read(65536)
    assert registry.whole_night_format(head) == registry.NYT_TIMESERIES
    assert registry.whole_night_format(CAMDEN.read_bytes()) == registry.NYT_TIMESERIES
    assert registry.whole_night_format(b"precinct_name,dem_total\nA,1\n") is None
