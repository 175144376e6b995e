"""A night whose files have no times says which version ("v 5") wherever a time would be shown,
without a display: the alert CSV and the ``alerts`` command, the projection log's CSV and the
``projections`` command (tracker.core.untimed). The window's side: tests/gui/test_untimed_logs.py.

The night is CONSTRUCTED from real files (Allegheny 2022 HD30's CSVs, renamed without times, the
5th and 6th swapped so the count goes down in version 6)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

from tracker.archive.importer import import_payloads
from tracker.core.alert_log import alert_csv_row, write_alerts_csv
from tracker.core.alerts import Alert, AlertKind
from tracker.core.projection_log import ProjectionRecord, version_of, with_versions
from tracker.core.untimed import FILE_ORDER, is_untimed, version_at, version_label

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TIMES = [EPOCH + dt.timedelta(minutes=i) for i in range(13)]


def constructed_untimed_night(shared_data: Path, tmp_path: Path) -> Path:
    sources = sorted((shared_data / "nights" / "allegheny-2022" / "HD30").glob("*.csv"))
    folder = tmp_path / "constructed-order"
    folder.mkdir()
    for i, k in enumerate([0, 1, 2, 3, 5, 4, *range(6, 13)], start=1):
        shutil.copy(sources[k], folder / f"{i:02d}.csv")
    night = tmp_path / "constructed_untimed_hd30.night"
    import_payloads([folder], out=night)
    return night


def test_the_version_at_a_placeholder_time():
    assert is_untimed({"times": FILE_ORDER}) and not is_untimed({"times": "published"}) and not is_untimed({})
    assert version_label(0) == "v 1" and version_label(12) == "v 13"
    assert version_at(TIMES[4], TIMES) == "v 5"
    assert version_at(TIMES[4] + dt.timedelta(seconds=30), TIMES) == "v 5"  # between: the one current
    assert version_at(EPOCH - dt.timedelta(hours=1), TIMES) == "v 1"
    assert version_at(TIMES[-1] + dt.timedelta(days=1), TIMES) == "v 13"
    assert version_at(EPOCH, []) == ""


def test_an_alert_row_says_the_version_not_the_placeholder():
    alert = Alert(
        kind=AlertKind.COUNT_DOWN,
        contest_id="c",
        contest_name="Constructed race",
        subject="a",
        message="constructed count went down",
        version_index=5,
        time=TIMES[5],
    )
    assert alert_csv_row(alert, dt.UTC)[0] == "2000-01-01T00:05:00+00:00"  # as before, with times
    row = alert_csv_row(alert, dt.UTC, untimed=True)
    assert row[0] == "v 6" and row[3] == "6"
    out = io.StringIO()
    assert write_alerts_csv([alert], out, dt.UTC, untimed=True) == 1
    assert "2000" not in out.getvalue()


def record(when: str | None) -> ProjectionRecord:
    return ProjectionRecord(
        made_at="2026-12-07T18:00:00+00:00",
        source="constructed.night",
        election_id="e",
        version="",
        payload_id="p",
        snapshot_time=when,
        contest_id="c",
        contest_name="Constructed race",
        candidate_id="a",
        candidate="A",
        status="too early",
        votes=0,
        share_now=0.0,
        share=None,
        lo=None,
        hi=None,
        p_clear=None,
        outstanding=None,
        outstanding_lo=None,
        outstanding_hi=None,
        model_version="m",
    )


def test_a_projection_record_says_its_version():
    rec = record(TIMES[7].isoformat())
    assert version_of(rec, TIMES) == "v 8"
    assert version_of(record(None), TIMES) == "" and version_of(record("not a time"), TIMES) == ""
    (shown,) = with_versions([rec], TIMES)
    assert shown.snapshot_time == "v 8" and rec.snapshot_time == TIMES[7].isoformat()


def test_the_commands_on_a_constructed_untimed_night(shared_data: Path, tmp_path: Path, capsys, tracker_home):
    from tracker.cli import main

    night = constructed_untimed_night(shared_data, tmp_path)
    out = tmp_path / "alerts.csv"
    assert main(["alerts", str(night), "--csv", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3 and {r["time"] for r in rows} == {"v 6"} and {r["version"] for r in rows} == {"6"}
    capsys.readouterr()
    assert main(["alerts", str(night)]) == 0
    printed = capsys.readouterr().out
    assert "v6" in printed and "00:05" not in printed and "2000" not in printed

    log = tmp_path / "projections.csv"
    assert main(["projections", str(night), "--csv", str(log)]) == 0
    with log.open(encoding="utf-8") as fh:
        projections = list(csv.DictReader(fh))
    assert {r["snapshot_time"] for r in projections} == {f"v {i}" for i in range(1, 14)}
    capsys.readouterr()
    assert main(["projections", str(night)]) == 0
    table = capsys.readouterr().out
    assert "v 13" in table and "2000-01-01" not in table
    # the header above "v 1" … says what they are: versions, not a clock time
    header = next(line for line in table.splitlines() if "leader" in line)
    assert header.split()[:3] == ["version", "feed", "id"] and "time" not in header
