"""``election-tracker open URL|FILE`` without a window: what it was given is classified the way the
command opens it, a results file of any format becomes a night with exactly its numbers, and a bad
address or file is one clear line (exit 2), before Qt starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.cli import _payload_night, classify_open, main
from tracker.feeds.registry import parse_payload


@pytest.mark.parametrize(
    ("given", "what"),
    [
        ("https://results.sos.ga.gov/results/public/Georgia/elections/2024NovGen", "feed"),
        ("results.enr.clarityelections.com/GA/63991/", "feed"),
        ("http://127.0.0.1:8000/feed.json", "feed"),
    ],
)
def test_addresses_are_feeds(given: str, what: str) -> None:
    assert classify_open(given) == (what, given)


def test_a_real_georgia_export_opens_as_a_night_with_its_numbers(
    tracker_home: Path, shared_data: Path
) -> None:
    export = shared_data / "ga-sos" / "2023-06-13_HD68_special_runoff.json"
    assert classify_open(str(export))[0] == "payload"
    night = _payload_night(export)
    direct = parse_payload(export.read_bytes())
    with NightFile.open(night, readonly=True) as n:
        versions = n.versions()
        snap = VersionChain(n, versions).snapshot(len(versions) - 1)
    assert len(versions) == 1
    assert [c.totals for c in snap.contests] == [c.totals for c in direct.contests]
    assert [c.totals_by("vote_type") for c in snap.contests] == [
        c.totals_by("vote_type") for c in direct.contests
    ]


@pytest.mark.parametrize(
    ("argv", "part"),
    [
        (["open", "ftp://example.com/x"], "not a web address"),
        (["open", "missing-file.json"], "no such file"),
        (["open", "https://results.enr.clarityelections.com/"], "does not name an election"),
    ],
)
def test_bad_input_is_one_line(argv: list[str], part: str, capsys, tracker_home: Path) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert part in err and err.count("\n") == 1


def test_a_file_no_parser_reads_is_one_line(tmp_path: Path, capsys, tracker_home: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}')
    assert main(["open", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cannot tell the format" in err and err.count("\n") == 1


def test_open_a_clarity_listing_prints_the_sites_to_open(capsys, tracker_home: Path) -> None:
    from tracker import paths
    from tracker.archive.serve import FeedServer
    from tracker.feeds.discovery import discover

    june = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
    with FeedServer(june, fmt="clarity", speed=1000.0, clock=lambda: 0.0) as server:
        assert main(["open", f"{server.base_url}/GA/elections.json"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith(f"{server.url}\t") and "(statewide" in lines[0]
        assert [line.split("\t")[0] for line in lines[1:]] == [
            server.county_url(c) for c in server.counties()
        ]
        assert all(discover(line.split("\t")[0]).kind == "clarity" for line in lines)


def test_a_clarity_listing_that_cannot_be_read_is_worded_for_people(capsys, tracker_home: Path) -> None:
    """A listing on a port nobody answers: one line saying the server refused, never the
    exception class ("ConnectError") the command used to print."""
    import socket

    with socket.socket() as sock:  # a free loopback port, closed again: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["open", f"http://127.0.0.1:{port}/GA/elections.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the server refused the connection" in err
    assert "Error" not in err
