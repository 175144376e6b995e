"""``election-tracker export`` of a night whose files had no times (North Carolina's results file
imported alone; found by the eighth documentation walk): the CSV said the version "appeared
1999-12-31 19:00:00 EST", the command "at 19:00 EST", and the NIST report's GeneratedDate was
2000-01-01 — the placeholder that only keeps such a night's versions in order. ``--at 19:00`` was
taken as if the night had a clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.archive.export import export_contest, export_nist
from tracker.archive.importer import import_payloads
from tracker.cli import main


@pytest.fixture
def untimed_night(shared_data: Path, tmp_path: Path) -> Path:
    (source,) = (shared_data / "nc-sbe").glob("*.json")
    night = tmp_path / "nc.night"
    import_payloads([source], out=night)
    return night


def test_the_csv_says_the_files_have_no_times(untimed_night: Path) -> None:
    result = export_contest(untimed_night, contest="US PRESIDENT")
    head = [line for line in result.text.splitlines() if line.startswith("#")]
    version = next(line for line in head if line.startswith("# version"))
    assert "have no times" in version and "appeared" not in version
    assert not any("1999" in line or "2000-01-01" in line for line in head)
    assert result.at == ""


def test_the_command_names_the_version_and_no_clock(
    untimed_night: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.csv"
    assert main(["export", str(untimed_night), "--contest", "US PRESIDENT", "--csv", str(out)]) == 0
    line = capsys.readouterr().out
    assert "(version 1 of 1; the files have no times)" in line and "19:00" not in line and " at " not in line


def test_a_clock_time_is_refused_and_a_version_taken(
    untimed_night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(untimed_night), "--at", "19:00", "--csv", "-"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'give its version instead, --at "v N" (1 to 1)' in err
    assert main(["export", str(untimed_night), "--at", "v 1", "--csv", "-"]) == 0


def test_the_nist_report_is_dated_when_it_is_made(untimed_night: Path) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = export_nist(untimed_night).data.decode("utf-8")
    generated = report.split("<GeneratedDate>", 1)[1].split("<", 1)[0]
    assert dt.datetime.fromisoformat(generated.replace("Z", "+00:00")) >= before


def test_import_says_which_times_it_found(shared_data: Path, tmp_path: Path, capsys) -> None:
    """`import` of North Carolina's file printed "2000-01-01 00:00 to 2000-01-01 00:00 UTC, times
    from file order" (the placeholder as a time), and of one Georgia export "2025-01-08 14:59 to
    2025-01-08 14:59 UTC" (a span of one instant)."""
    (nc,) = (shared_data / "nc-sbe").glob("*.json")
    assert main(["import", str(nc), "-o", str(tmp_path / "nc.night")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.endswith("1 payload (1 distinct), no times in the files: the versions are in file order")
    assert "2000-01-01" not in line
    ga = shared_data / "ga-sos" / "2019-09-03_HD71_special.json"
    assert main(["import", str(ga), "-o", str(tmp_path / "ga.night")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.endswith("at 2025-01-08 14:59 UTC, times from published") and " to " not in line
