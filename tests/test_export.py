"""The race export: rows per unit and vote type that add up to what the feed says, the CSV that
says where its numbers come from, and ``election-tracker export`` as a user runs it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.archive.replay import Timeline, parse_clock_time
from tracker.cli import main
from tracker.core.export import (
    ALL_TYPES,
    Level,
    Provenance,
    contest_rows,
    provenance_lines,
    vote_type_mix,
    write_contest_csv,
)
from tracker.core.model import Contest, Reporting, Snapshot
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.registry import parse_payload

BUNDLED = Path(__file__).resolve().parents[1] / "resources" / "nights" / "ga06-2017-04-18.night"
GWINNETT = "clarity/wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
HOUSE_ID = "10"


def _snapshot_at(path: Path, at: str | None) -> tuple[Snapshot, int]:
    """The version the window shows at ``at`` (HH:MM, the night's zone), read without the export code."""
    with NightFile.open(path) as night:
        versions = current_versions(night.versions())
        times = [v.fetched_at for v in versions]
        index = len(times) - 1
        if at is not None:
            found = Timeline(times).index_at(parse_clock_time(at, times[0], night.timezone))
            assert found is not None
            index = found
        return VersionChain(night, versions).snapshot(index), index


def _by_vote_type(contest: Contest) -> dict[str, dict[str, int]]:
    """The contest's own grouping, every candidate in every row (0 when absent)."""
    return {
        vt: {c.id: row.get(c.id, 0) for c in contest.candidates}
        for vt, row in contest.totals_by("vote_type").items()
    }


def _read_csv(text: str) -> tuple[list[str], list[str], list[list[str]]]:
    """(comment lines, header, data rows)."""
    comments = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    body = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.reader(body))
    return comments, rows[0], rows[1:]


# rows add up ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("at", ["22:40", None])
def test_rows_of_the_bundled_night_sum_to_the_contest_per_candidate_and_vote_type(at: str | None) -> None:
    snapshot, _ = _snapshot_at(BUNDLED, at)
    for contest in snapshot.contests:
        expected_types = _by_vote_type(contest)
        for level in Level:
            rows = contest_rows(contest, level)
            assert rows.totals() == contest.totals, (contest.name, level)
            assert rows.totals_by_vote_type() == expected_types, (contest.name, level)
            combined = contest_rows(contest, level, combine=True)
            assert combined.totals() == contest.totals
            assert {r.vote_type for r in combined.rows} == {ALL_TYPES}
        # every unit is in the precinct rows, reported or not
        unit_rows = contest_rows(contest, Level.UNIT)
        assert {r.unit_id for r in unit_rows.rows} == {u.id for u in contest.units}
        county_rows = contest_rows(contest, Level.COUNTY)
        assert {r.county for r in county_rows.rows} == {u.county for u in contest.units}
        for r in county_rows.rows:  # a county's precincts in/total are its units' states
            units = [u for u in contest.units if u.county == r.county]
            assert r.precincts == (sum(u.reporting is Reporting.COMPLETE for u in units), len(units))


def test_what_is_not_reported_is_empty_not_zero() -> None:
    """At 22:40 the bundled night has 73 precincts partly in (early and mail votes, no election-day
    count yet): they get no "Election Day" row. At 19:30 nothing is in: one empty row per precinct."""
    snapshot, _ = _snapshot_at(BUNDLED, "22:40")
    house = snapshot.contest(HOUSE_ID)
    partial = {u.id for u in house.units if u.reporting is Reporting.PARTIAL}
    assert len(partial) == 73
    rows = contest_rows(house, Level.UNIT)
    for r in rows.rows:
        if r.unit_id in partial:
            assert r.vote_type != "Election Day" and r.reporting is Reporting.PARTIAL
    assert {r.unit_id for r in rows.rows if r.vote_type == "Election Day"}.isdisjoint(partial)

    early, _ = _snapshot_at(BUNDLED, "19:30")
    house = early.contest(HOUSE_ID)
    rows = contest_rows(house, Level.UNIT)
    assert len(rows.rows) == len(house.units) == 208
    assert all(r.vote_type == "" and r.total is None and set(r.votes) == {None} for r in rows.rows)
    _, header, data = _read_csv(_csv_of(early, house))
    first = header.index("vote_type")
    assert all(line[first:] == [""] * (len(header) - first) for line in data)
    assert {line[header.index("reporting")] for line in data} == {"none"}


def _csv_of(snapshot: Snapshot, contest: Contest, level: Level = Level.UNIT) -> str:
    prov = Provenance("a night", "recorded", "/nights/x.night", 0, 1)
    buf = io.StringIO()
    write_contest_csv(
        contest_rows(contest, level), buf, header=provenance_lines(snapshot, contest, prov, level=level)
    )
    return buf.getvalue()


def _feed_vote_types(path: Path) -> dict[str, dict[str, dict[str, int]]]:
    """The Clarity file's own numbers: contest key -> choice key -> vote type -> votes (its
    VoteType@votes), read with plain lxml."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    out: dict[str, dict[str, dict[str, int]]] = {}
    for contest in tree.getroot().iter("Contest"):
        choices = out.setdefault(contest.get("key"), {})
        for choice in contest.iter("Choice"):
            choices[choice.get("key")] = {
                vt.get("name"): int(vt.get("votes")) for vt in choice.iter("VoteType")
            }
    return out


def test_rows_of_the_gwinnett_2020_precinct_file_sum_to_its_own_numbers(shared_data: Path) -> None:
    """Real: Gwinnett County's 2020 general, 49 contests, 156 precincts: the CSV's precinct rows,
    summed, give the file's own VoteType votes for every choice of every contest."""
    path = shared_data / GWINNETT
    snapshot = parse_detail_xml(path.read_bytes(), source=str(path))
    feed = _feed_vote_types(path)
    assert len(snapshot.contests) == 49
    checked = 0
    for contest in snapshot.contests:
        _, header, data = _read_csv(_csv_of(snapshot, contest))
        assert len({line[header.index("unit_id")] for line in data}) == len(contest.units)
        vt_col = header.index("vote_type")
        sums: dict[str, dict[str, int]] = {}
        for pos, cand in enumerate(contest_rows(contest).candidates):
            col = vt_col + 2 + pos
            per_type = sums.setdefault(cand.id, {})
            for line in data:
                if line[col]:
                    per_type[line[vt_col]] = per_type.get(line[vt_col], 0) + int(line[col])
        for cand_id, per_type in feed[contest.id].items():
            if cand_id in sums:
                assert sums[cand_id] == {k: v for k, v in per_type.items()}, (contest.name, cand_id)
                checked += 1
    assert checked > 100


def test_county_level_feed_has_no_precinct_view_and_keeps_its_towns(shared_data: Path) -> None:
    """Real (AP test-mode payload, labelled as such): towns as county units with precinct counts."""
    path = shared_data / "ap" / "newsdev-elex_20160426_ct_rollups.json"
    snapshot = parse_payload(path.read_bytes(), "auto", source=str(path))
    contest = max(snapshot.contests, key=lambda c: len(c.units))
    rows = contest_rows(contest, Level.COUNTY)
    assert not rows.has_precincts
    assert len(rows.rows) == len(contest.units)
    assert rows.totals() == contest.totals
    in_, total = contest.precincts
    assert sum(r.precincts[0] for r in rows.rows) == in_
    assert sum(r.precincts[1] for r in rows.rows) == total
    comments, _, _ = _read_csv(_csv_of(snapshot, contest, Level.COUNTY))
    assert any(c.startswith("TEST DATA") for c in comments)


def test_vote_type_mix_is_the_contest_by_canonical_type() -> None:
    snapshot, _ = _snapshot_at(BUNDLED, None)
    house = snapshot.contest(HOUSE_ID)
    mix = vote_type_mix(house)
    for cand in house.candidates:
        assert sum(mix[cand.id].values()) == house.totals[cand.id]
    by_canonical = house.totals_by("canonical")
    assert set(mix[house.candidates[0].id]) == {"early", "mail", "election_day", "provisional"}
    for t, row in by_canonical.items():
        assert {c.id: mix[c.id][t] for c in house.candidates} == {
            c.id: row.get(c.id, 0) for c in house.candidates
        }


# the CLI ----------------------------------------------------------------------------------------------
def test_cli_export_at_2240_is_the_window_version_and_labelled_reconstructed(tmp_path: Path, capsys) -> None:
    out = tmp_path / "house.csv"
    assert main(["export", str(BUNDLED), "--contest", HOUSE_ID, "--at", "22:40", "--csv", str(out)]) == 0
    said = capsys.readouterr().out
    assert "at 22:40 EDT (version 41 of 73)" in said
    comments, header, data = _read_csv(out.read_text(encoding="utf-8"))
    assert any(c.startswith("RECONSTRUCTED night") for c in comments)
    assert any("reconstructed" in c for c in comments if c.startswith("night:"))
    assert any(c.startswith("version 41 of 73") for c in comments)
    snapshot, index = _snapshot_at(BUNDLED, "22:40")
    assert index == 40
    house = snapshot.contest(HOUSE_ID)
    names = {c.name: c.id for c in house.candidates}
    totals = {
        name: sum(int(line[header.index(name)]) for line in data if line[header.index(name)])
        for name in names
    }
    assert totals == {name: house.totals[cid] for name, cid in names.items()}
    assert sum(totals.values()) == 142_889  # what the window's header says at 22:40
    assert int(sum(int(line[-1]) for line in data if line[-1])) == house.total_votes


def test_cli_export_without_at_is_the_final_result_by_county(tmp_path: Path, capsys) -> None:
    out = tmp_path / "final.csv"
    assert (
        main(["export", str(BUNDLED), "--contest", "Representative", "--by", "county", "--csv", str(out)])
        == 0
    )
    assert "version 73 of 73" in capsys.readouterr().out
    _, header, data = _read_csv(out.read_text(encoding="utf-8"))
    col = header.index("JON OSSOFF")
    assert sum(int(line[col]) for line in data) == 92_673  # the certified result (README)
    assert {line[header.index("county")] for line in data} == {"Cobb", "DeKalb", "Fulton"}
    assert {line[header.index("reporting")] for line in data} == {"complete"}


def test_cli_export_to_stdout_through_the_entry_point() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "export",
            str(BUNDLED),
            "--at",
            "23:00",
            "--by",
            "county",
            "--csv",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    comments, header, data = _read_csv(done.stdout)
    assert comments[0].startswith("Election Night Tracker export: U.S. Representative, District 6")
    assert header[0] == "level" and data and all(line[0] == "county" for line in data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contest", "no such race"], "no contest 'no such race' in this night"),
        (["--at", "18:00"], "no results yet at 18:00"),
        (["--at", "18:59"], "no results yet at 18:59"),
        (["--at", "25:00"], "expected a time as HH:MM"),
        (["--at", "v 99"], "has versions 1 to 73; there is no version 99"),
    ],
)
def test_cli_export_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", str(BUNDLED), *args, "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()  # nothing half-written


def test_cli_export_of_a_missing_night_or_to_a_missing_folder_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["export", str(tmp_path / "nope.night"), "--csv", str(tmp_path / "x.csv")]) == 2
    assert "nope.night" in capsys.readouterr().err
    assert main(["export", str(BUNDLED), "--csv", str(tmp_path / "no" / "such" / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("election-tracker: cannot write") and err.count("\n") == 1


def test_cli_export_after_the_night_is_its_last_version(tmp_path: Path, capsys) -> None:
    """03:00 comes after the last update (01:30): the final result, as the window shows then."""
    assert main(["export", str(BUNDLED), "--at", "03:00", "--csv", str(tmp_path / "x.csv")]) == 0
    assert "version 73 of 73" in capsys.readouterr().out


def test_cli_export_at_a_version_number(tmp_path: Path) -> None:
    """``--at v N``: the Nth version, as the window counts them on a night with no times of its
    own; the same CSV as that version's own time."""
    by_number, by_time = tmp_path / "v.csv", tmp_path / "t.csv"
    assert main(["export", str(BUNDLED), "--contest", HOUSE_ID, "--at", "v 41", "--csv", str(by_number)]) == 0
    assert main(["export", str(BUNDLED), "--contest", HOUSE_ID, "--at", "22:40", "--csv", str(by_time)]) == 0
    assert by_number.read_text(encoding="utf-8") == by_time.read_text(encoding="utf-8")
