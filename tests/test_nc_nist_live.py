"""North Carolina's results file and NIST v2 followed live: ``serve --as nc`` / ``--as nist`` on
loopback, polled by the app's own feed code (discovery, the poller, the recorder: what ``record``
and the window run), with the fault server's faults: 304s, a stalled body, a truncated transfer and a
version going backwards. The numbers shown must equal the served payload exactly, read here
independently of our parsers (the NC records with ``json``, the NIST report with lxml).

North Carolina's file is North Carolina's alone (``serve`` refuses another state's night as
``nc``), so it is served from a real North Carolina night: the New York Times' 2020 presidential
timeseries by county (shared data), imported by the app; NIST v2, which names no state, from the
bundled Georgia nights.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from fault_server import JUNE, POLICY, SPEED, TIMEOUT_POLICY, Core, Fault, FaultyFeedServer, StepClock
from lxml import etree

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.archive.serve import FeedServer
from tracker.cli import build_parser
from tracker.core.model import Snapshot
from tracker.feeds.nist import NS
from tracker.feeds.registry import NC_SBE, NIST_XML

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
NC_TIMESERIES = "nights/nc-2020-president/NC_precincts_timeseries_2020.csv.gz"
KIND = {"nc": "nc", "nist": "nist"}
NC_KEYS = {"evc": "election_day", "ovc": "early", "avc": "mail", "pvc": "provisional"}


@pytest.fixture(scope="module")
def nc_night(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real: North Carolina's 2020 presidential night by county (69 versions)."""
    from tracker.archive.import_timeseries import import_timeseries

    out = tmp_path_factory.mktemp("nc") / "nc-2020-president-counties.night"
    import_timeseries(shared_data / NC_TIMESERIES, out=out, level="county")
    return out


def _night(fmt: str, request: pytest.FixtureRequest, other: Path) -> Path:
    """The night to serve as ``fmt``: the North Carolina night for ``nc`` (built only then)."""
    return request.getfixturevalue("nc_night") if fmt == "nc" else other


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _nc_numbers(body: bytes) -> dict[tuple[str, str], dict[str, int]]:
    """(contest, candidate) → votes by our canonical bucket and "total", from the served records."""
    out = {}
    for rec in json.loads(body):
        row = {NC_KEYS[k]: int(rec[k]) for k in NC_KEYS if rec[k] != ""}
        row["total"] = int(rec["vct"])
        out[(rec["cnm"], rec["bnm"])] = row
    return out


def _shown_numbers(snap: Snapshot) -> dict[tuple[str, str], dict[str, int]]:
    out = {}
    for contest in snap.contests:
        by = contest.totals_by("canonical")
        for cand in contest.candidates:
            row = {group: votes[cand.id] for group, votes in by.items() if cand.id in votes}
            row["total"] = contest.totals[cand.id]
            out[(contest.name, cand.name)] = row
    return out


def test_serve_as_nc_followed_by_the_feed_code_shows_exactly_the_served_numbers(
    tmp_path: Path, nc_night: Path
) -> None:
    step = StepClock(nc_night)
    with FeedServer(nc_night, fmt="nc", speed=SPEED, clock=step) as server:
        assert "/enr/" in server.url and server.url.endswith("/data/results_0.txt")
        core = Core(server.url, tmp_path / "nc.night")
        try:
            served = []
            for n, index in enumerate((0, 9, 40, len(step.times) - 1), start=1):
                step.release(index)
                core.wait(lambda n=n: len(core.shown) == n, f"version {index}")
                served.append(server.document(server.current_index(), "nc").body)
        finally:
            path = core.stop()
    for body, snap in zip(served, core.shown, strict=True):
        shown = _shown_numbers(snap)
        for key, row in _nc_numbers(body).items():
            assert {k: v for k, v in shown[key].items() if v or k == "total"} == {
                k: v for k, v in row.items() if v or k == "total"
            }, key
        assert snap.election.name.startswith("North Carolina")  # a North Carolina night, as served
    with NightFile.open(nc_night) as night:
        from tracker.archive.chain import VersionChain

        versions = current_versions(night.versions())
        last = VersionChain(night, versions).snapshot(len(versions) - 1)
    final = _shown_numbers(core.shown[-1])
    assert final and all(
        final[(c.name, k.name)]["total"] == c.totals[k.id] for c in last.contests for k in c.candidates
    )
    with NightFile.open(path) as night:
        kept = current_versions(night.versions())
        assert {v.fmt for v in kept} == {NC_SBE}
        assert [night.payload(v.payload_id) for v in kept] == served


def test_serve_as_nist_followed_by_the_feed_code_shows_exactly_the_served_numbers(tmp_path: Path) -> None:
    step = StepClock(APRIL)
    with FeedServer(APRIL, fmt="nist", speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "nist.night")
        try:
            step.release(20)
            core.wait(lambda: len(core.shown) == 1, "a version")
            body = server.document(server.current_index(), "nist").body
            with NightFile.open(APRIL) as night:
                from tracker.archive.chain import VersionChain

                versions = current_versions(night.versions())
                expected = VersionChain(night, versions).snapshot(server.current_index())
        finally:
            path = core.stop()
    root = etree.fromstring(body)
    counted = sum(int(c.text) for c in root.iter(f"{{{NS}}}Count"))
    (snap,) = core.shown
    assert counted == sum(c.total_votes for c in snap.contests)  # no reported totals in this night
    assert snap.contests == expected.contests
    with NightFile.open(path) as night:
        assert {v.fmt for v in night.versions()} == {NIST_XML}


def test_serve_accepts_nc_and_nist_on_the_command_line() -> None:
    parser = build_parser()
    for fmt in ("nc", "nist"):
        assert parser.parse_args(["serve", str(APRIL), "--as", fmt]).as_format == fmt


# -- faults -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nc", "nist"])
def test_unchanged_versions_are_answered_304_and_show_nothing_new(
    tmp_path: Path, fmt: str, request: pytest.FixtureRequest
) -> None:
    night = _night(fmt, request, JUNE)
    step = StepClock(night)
    with FaultyFeedServer(night, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            core.wait(
                lambda: sum(e.kind == "not-modified" for r in core.reports for e in r.events) >= 3,
                "304 answers",
            )
            assert len(core.shown) == 1 and core.health.error is None
            assert any(status == 304 for _, status in server.requests)
        finally:
            core.stop()


@pytest.mark.parametrize("fmt", ["nc", "nist"])
@pytest.mark.parametrize(
    ("fault", "error_part", "policy"),
    [
        (Fault("stall"), "timed out", TIMEOUT_POLICY),
        (Fault("truncate"), "closed the connection before the answer was complete", POLICY),
        (Fault("body", transform=lambda b: b[: len(b) // 2]), "unreadable payload", POLICY),
    ],
    ids=["stall", "truncated", "cut-short"],
)
def test_faults_are_errors_and_the_next_version_arrives(
    tmp_path: Path, fmt: str, request: pytest.FixtureRequest, fault: Fault, error_part: str, policy: object
) -> None:
    night = _night(fmt, request, JUNE)
    step = StepClock(night)
    with FaultyFeedServer(night, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night", policy=policy)  # type: ignore[arg-type]
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            first = server.document(0, KIND[fmt]).body
            server.set_fault(fault)
            step.release(1)
            failing = core.wait_health(lambda h: error_part in (h.error or ""), f"the error {error_part!r}")
            assert failing.failures >= 1
            assert core.payloads_shown() == [_sha(first)]  # the last good version stays current
            server.clear()
            core.wait(lambda: len(core.shown) == 2, "version 1 after the fault")
            core.wait_health(lambda h: h.error is None, "the error to clear")
            second = server.document(1, KIND[fmt]).body
        finally:
            path = core.stop()
    assert core.payloads_shown() == [_sha(first), _sha(second)]
    with NightFile.open(path) as night:
        assert [night.payload(v.payload_id) for v in current_versions(night.versions())] == [first, second]


@pytest.mark.parametrize("fmt", ["nc", "nist"])
def test_a_version_going_backwards_is_kept_not_shown(
    tmp_path: Path, fmt: str, request: pytest.FixtureRequest
) -> None:
    night = _night(fmt, request, JUNE)
    step = StepClock(night)
    with FaultyFeedServer(night, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            for index, shown in ((10, 1), (11, 2)):
                step.release(index)
                core.wait(lambda n=shown: len(core.shown) == n, f"version {index}")
            step.release(10)  # a stale cache serves the older version again
            core.wait(lambda: core.health.stale == 1, "the stale version to be noticed")
            assert len(core.shown) == 2 and core.health.error is None
            step.release(12)
            core.wait(lambda: len(core.shown) == 3, "the next version")
            served = [server.document(i, KIND[fmt]).body for i in (10, 11, 12)]
        finally:
            core.stop()
    assert core.payloads_shown() == [_sha(b) for b in served]


@pytest.mark.parametrize(("fmt", "forced"), [("nc", "nc-sbe"), ("nist", "nist-v2-xml"), ("nc", "auto")])
def test_record_follows_a_served_nc_or_nist_feed(
    tmp_path: Path, fmt: str, forced: str, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    from tracker.cli import main

    out = tmp_path / "rec.night"
    with FeedServer(_night(fmt, request, APRIL), fmt=fmt, speed=SPEED) as server:
        args = ["record", server.url, "--format", forced, "-o", str(out), "--interval", "0.05"]
        assert main([*args, "--max-polls", "3", "--quiet"]) == 0
    assert re.search(r": [1-9][0-9]* versions? \(", capsys.readouterr().out)
    with NightFile.open(out) as night:
        versions = night.versions()
        assert versions and {v.fmt for v in versions} == {NC_SBE if fmt == "nc" else NIST_XML}
