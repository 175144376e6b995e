"""Counts in words ("1 payload", not "1 payloads"): the helper, and the CLI and alert sentences
that use it, each on a case with exactly one of the thing counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.alerts import AlertKind, AlertScanner, VersionRef
from tracker.core.corrections import find_corrections
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.core.words import count, noun
from tracker.feeds.native import dump_native

RUNOFF = "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson"


def test_count_agrees_with_one_and_with_many() -> None:
    assert count(1, "payload") == "1 payload"
    assert count(0, "payload") == "0 payloads"
    assert count(2, "payload") == "2 payloads"
    assert count(12_345, "vote") == "12,345 votes"
    assert count(1, "county", "counties") == "1 county"
    assert count(3, "county", "counties") == "3 counties"
    assert noun(1, "precinct") == "precinct" and noun(1, "was", "were") == "was"
    assert noun(2, "was", "were") == "were"


def test_a_one_file_import_says_one_payload(shared_data: Path, tmp_path: Path, capsys) -> None:
    """Real: one ALL.json of Georgia's 2021 runoff, imported on its own."""
    one = sorted((shared_data / RUNOFF).glob("*_ALL.json"))[0]
    out = tmp_path / "one.night"
    assert main(["import", "-o", str(out), str(one)]) == 0
    said = capsys.readouterr().out
    assert f"wrote {out}: 1 payload (1 distinct), " in said
    assert "payloads" not in said


def _one_precinct(votes: int) -> Snapshot:
    """Synthetic: one race of one precinct with ``votes`` votes, all for one name."""
    unit = ReportingUnit(
        id="synthetic-p1",
        name="Synthetic Precinct 1",
        reporting=Reporting.COMPLETE,
        votes={"a": {"Total": votes}},
        precincts_reporting=1,
        precincts_total=1,
    )
    contest = Contest(
        id="c1",
        name="Synthetic one-precinct race",
        candidates=(Candidate("a", "Synthetic A"),),
        units=(unit,),
    )
    return Snapshot(
        Election(id="synthetic-words", name="Synthetic one-precinct election"), (contest,), version="v1"
    )


def test_parse_of_a_one_precinct_one_vote_race_says_precinct_and_vote(tmp_path: Path, capsys) -> None:
    path = tmp_path / "synthetic_one_precinct.json"
    path.write_bytes(dump_native(_one_precinct(1)))
    assert main(["parse", str(path)]) == 0
    said = capsys.readouterr().out
    assert "1 of 1 precinct, 1 vote" in said
    assert "1 precincts" not in said and "1 votes" not in said


def test_a_one_precinct_race_is_fully_reported_in_the_singular() -> None:
    [done] = [a for a in AlertScanner().step(_one_precinct(5), 0) if a.kind == AlertKind.FULLY_REPORTED]
    assert done.message == "its 1 precinct reporting: Synthetic A 100.00 %"


def test_a_name_gone_with_one_vote_had_one_vote() -> None:
    before = _one_precinct(1)
    after = Snapshot(
        before.election,
        (Contest(id="c1", name="Synthetic one-precinct race", candidates=(), units=()),),
        version="v2",
    )
    [gone] = [
        a for a in find_corrections(before, after, VersionRef(1))["c1"] if a.kind == AlertKind.CANDIDATE_GONE
    ]
    assert gone.message == "Synthetic A is no longer listed (had 1 vote → gone)"


@pytest.mark.parametrize("n", [1, 2])
def test_an_imported_watch_list_counts_its_pins(n: int) -> None:
    from tracker.archive.watchlist import ImportReport

    report = ImportReport(Path("synthetic-pins.json"), n, ())
    assert report.summary() == f"imported {n} pin{'' if n == 1 else 's'} from synthetic-pins.json: 0 new"
