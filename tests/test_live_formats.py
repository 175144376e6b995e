"""Every live format of issue 17 followed over loopback: ``serve --as gasos|ev|apv3`` serving the
bundled April 2017 night (reconstructed from certified precinct results, vote types included), the
real discovery, poller and recorder (what ``election-tracker open URL`` and ``record`` run), and
the numbers the tracker shows compared with the served payloads, read here independently of our
parsers: every candidate's total and every vote type, exactly.

The AP v3 documents are written by our own writer in the shape of AP's documentation: CONSTRUCTED,
not AP data (no public v3 payload exists). Everything stays on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fault_server import JUNE, POLICY, SPEED, Core, FaultyFeedServer, StepClock
from stale_cache import write_stale_cache_night

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.archive.serve import FeedServer
from tracker.core.model import Snapshot
from tracker.feeds.ap import UNSPLIT, VOTE_TYPE_NAMES
from tracker.feeds.discovery import discover
from tracker.feeds.enhanced_voting import text_of

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


def _served_numbers(fmt: str, body: bytes) -> dict[str, dict[str, dict[str, int]]]:
    """contest id → candidate id → vote type → votes, read straight from a served document."""
    doc = json.loads(body)
    out: dict[str, dict[str, dict[str, int]]] = {}
    if fmt == "gasos":
        for item in doc["results"]["ballotItems"]:
            out[item["id"]] = {
                o["id"]: {g["groupName"]: g["voteCount"] for g in o["groupResults"]}
                or {"Total": o["voteCount"]}
                for o in item["ballotOptions"]
            }
    elif fmt == "ev":
        for item in doc["ballotItems"]:
            out[item["id"]] = {
                o["id"]: {text_of(g["groupName"]): g["voteCount"] for g in o["groupResults"] or ()}
                or {"Total": o["voteCount"]}
                for o in item["summaryResults"]["ballotOptions"]
            }
    else:
        for race in doc["races"]:
            (state,) = [u for u in race["reportingUnits"] if u["reportingunitLevel"] == 1]
            per: dict[str, dict[str, int]] = {}
            for c in state["candidates"]:
                types = {VOTE_TYPE_NAMES[k]: n for k, n in c.get("voteTypes", {}).items()}
                rest = c["voteCount"] - sum(types.values())
                if rest:
                    types[UNSPLIT] = rest
                per[c["candidateID"]] = types or {"Total": c["voteCount"]}
            out[f"{state['statePostal']}-{race['raceID']}"] = per
    return _no_zeros(out)


def _no_zeros(numbers: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict[str, dict[str, int]]]:
    """Without zero counts: a vote type at 0 and one not reported are the same number of votes."""
    return {k: {c: {t: n for t, n in by.items() if n} for c, by in per.items()} for k, per in numbers.items()}


def _shown_numbers(snap: Snapshot) -> dict[str, dict[str, dict[str, int]]]:
    out: dict[str, dict[str, dict[str, int]]] = {}
    for contest in snap.contests:
        per: dict[str, dict[str, int]] = {c.id: {} for c in contest.candidates}
        for unit in contest.units:
            for cid, by_type in unit.votes.items():
                for vt, n in by_type.items():
                    per[cid][vt] = per[cid].get(vt, 0) + n
        out[contest.id] = per
    return _no_zeros(out)


@pytest.mark.parametrize("fmt", ["gasos", "ev", "apv3"])
def test_a_served_night_is_followed_with_its_vote_types_and_numbers_exactly(tmp_path: Path, fmt: str) -> None:
    step = StepClock(APRIL)
    with FeedServer(APRIL, fmt=fmt, speed=SPEED, clock=step) as server:
        target = discover(server.url)
        assert target.kind == {"gasos": "gasos", "ev": "ev", "apv3": "ap"}[fmt]
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            last = len(server.versions) - 1
            for n, i in enumerate((1, last // 2, last), start=2):
                step.release(i)
                core.wait(
                    lambda n=n, i=i: len(core.shown) >= n and _caught_up(core, server, i), f"version {i}"
                )
        finally:
            core.stop()
        kind = "apv3" if fmt == "apv3" else fmt
        served = _served_numbers(fmt, server.document(last, kind).body)
        shown = _shown_numbers(core.shown[-1])
        assert shown == served
        types = {vt for per in served.values() for by in per.values() for vt in by}
        assert len(types) >= 4, types  # real vote types, not one "Total"
        if fmt == "apv3":  # the deltas were paged (isTruncated) and followed in the same round
            assert any("offset=" in path for path, _ in server.requests)


def _caught_up(core: Core, server: FeedServer, index: int) -> bool:
    kind = "apv3" if server.fmt == "apv3" else server.fmt
    return _shown_numbers(core.shown[-1]) == _served_numbers(server.fmt, server.document(index, kind).body)


@pytest.mark.parametrize("fmt", ["gasos", "ev"])
def test_a_version_going_back_in_time_is_stale_and_never_shown(tmp_path: Path, fmt: str) -> None:
    """A stale cache serves v2 again after v3: its createdAt/lastUpdated is older, so the window
    keeps v3 (the night's own stale order, served as a CDN would)."""
    night = tmp_path / "stale.night"
    shas = write_stale_cache_night(night, first=10)
    step = StepClock(night)
    with FeedServer(night, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "v1")
            for i in range(1, 6):
                step.release(i)
                core.wait(lambda i=i: len(core.reports) > 0 and _served_index_seen(core, server, i), f"v{i}")
        finally:
            path = core.stop()
    assert len(core.shown) == 4  # v1, v2, v3, v4: the second v2 is never shown
    assert any(e.kind == "stale" for r in core.reports for e in r.events)
    with NightFile.open(path) as rec:
        assert len(current_versions(rec.versions())) == 4
    assert len(set(shas)) == 4


def _served_index_seen(core: Core, server: FeedServer, index: int) -> bool:
    """The poller has fetched the document of version ``index`` (whatever it made of it)."""
    body = server.document(index, server.fmt).body
    import hashlib

    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return any(e.etag == etag for r in core.reports for e in r.events)


@pytest.mark.parametrize("fault", ["truncate", "stall"])
@pytest.mark.parametrize("fmt", ["gasos", "ev", "apv3"])
def test_faults_on_the_new_formats_are_errors_and_recover(tmp_path: Path, fmt: str, fault: str) -> None:
    """304s, then a truncated body or a read stall mid-body on each new format: the error shows,
    nothing is lost, and the next version is recorded once the fault ends (tests/fault_server.py)."""
    from fault_server import TIMEOUT_POLICY, Fault

    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt=fmt, speed=SPEED, clock=step) as server:
        policy = TIMEOUT_POLICY if fault == "stall" else POLICY
        core = Core(server.url, tmp_path / "rec.night", policy=policy)
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            core.wait(lambda: any(e.kind == "not-modified" for r in core.reports for e in r.events), "a 304")
            server.set_fault(Fault(fault))
            step.release(1)
            core.wait_health(lambda h: h.error is not None, "the truncated body to be an error")
            assert len(core.shown) == 1
            server.clear()
            core.wait(lambda: len(core.shown) == 2, "version 1 after the fault")
        finally:
            core.stop()


@pytest.mark.parametrize("fmt", ["gasos", "ev"])
def test_a_real_georgia_export_served_live_reads_back_exactly(
    tmp_path: Path, shared_data: Path, fmt: str
) -> None:
    """Georgia's real 2021 federal runoff export (159 counties, four vote methods), imported into a
    night and served as Georgia's export or as an Enhanced Voting API: the window's numbers are the
    real file's, every candidate, county and vote method."""
    from tracker.archive.importer import import_payloads
    from tracker.feeds.registry import parse_payload

    export = shared_data / "ga-sos" / "2021-01-05_federal_runoff.json"
    night = tmp_path / "ga.night"
    import_payloads([export], out=night)
    with FeedServer(night, fmt=fmt, speed=SPEED, clock=lambda: 0.0) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "the export")
        finally:
            core.stop()
    real = parse_payload(export.read_bytes())
    shown = core.shown[0]
    assert len(shown.contests) == len(real.contests) > 0
    for a, b in zip(real.contests, shown.contests, strict=True):
        assert b.totals == a.totals
        assert b.totals_by("vote_type") == a.totals_by("vote_type")
        if fmt == "gasos":
            assert b.totals_by("county") == a.totals_by("county")
