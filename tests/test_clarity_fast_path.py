"""Clarity's ``summary.json`` as the fast path: a new version's small summary is fetched (and shown)
before its big ``detailxml.zip``, in the detail's names, and never shown as newer than a detail of
the same site version; every detail stays in the recording. Over loopback against ``serve --as
clarity --summary`` (the fault server), with the poller's decisions also checked one by one over a
mock transport, and the overlay on real Georgia 2020 files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fault_server import JUNE, SPEED, Core, Fault, FaultyFeedServer, StepClock
from test_clarity_sites import _detail_numbers, _shown_numbers

from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot
from tracker.feeds.clarity_overlay import lay_summary, lays_over
from tracker.feeds.clarity_writer import detail_zip
from tracker.feeds.client import make_client
from tracker.feeds.discovery import discover
from tracker.feeds.poller import SUMMARY_GIVE_UP, Poller, PollPolicy
from tracker.feeds.registry import CLARITY_DETAIL_ZIP, CLARITY_SUMMARY_JSON, parse_payload

SUMMARY_URL = "https://results.enr.clarityelections.com/GA/105369/271066/json/en/summary.json"


def _summary_numbers(body: bytes) -> dict[str, dict[str, int]]:
    """contest name → choice name → votes, read from a served summary.json with json alone."""
    return {row["C"]: dict(zip(row["CH"], row["V"], strict=True)) for row in json.loads(body)}


def _totals(snap: Snapshot) -> dict[str, dict[str, int]]:
    return {c.name: {cand.name: c.totals[cand.id] for cand in c.candidates} for c in snap.contests}


def test_a_new_version_is_shown_from_its_summary_then_from_its_detail(tmp_path: Path) -> None:
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step, summary=True) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "the first version, from its detail")
            first = core.shown[0]
            # the zip of the next version hangs: its summary is on screen meanwhile
            server.set_fault(Fault("hang", match="/reports/detailxml.zip"))
            step.release(1)
            core.wait(lambda: len(core.shown) == 2, "the summary of the second version")
            fast = core.shown[1]
            ver = server.clarity_ver(1)
            summary = server.route(f"{server.clarity_prefix}{ver}/json/en/summary.json")
            assert summary is not None
            assert _totals(fast) == _summary_numbers(summary.body)  # exactly the served numbers
            assert _totals(fast) != _totals(first)  # and they are news
            # in the detail's names: the same election, candidates and ids, so nothing "vanished"
            assert fast.election == first.election
            assert [[c.id for c in x.candidates] for x in fast.contests] == [
                [c.id for c in x.candidates] for x in first.contests
            ]
            assert all(len(c.units) == 1 for c in fast.contests)  # totals only, until the detail
            assert any(r.more for r in core.reports)
            server.clear()
            core.wait(lambda: len(core.shown) == 3, "the second version's detail")
            assert _shown_numbers(core.shown[2]) == _detail_numbers(server.document(1, "clarity").body)
            step.release(2)
            core.wait(lambda: len(core.shown) == 5, "the third version: summary, then detail")
            assert _totals(core.shown[3]) == _summary_numbers(
                server.route(f"{server.clarity_prefix}{server.clarity_ver(2)}/json/en/summary.json").body
            )
            assert _shown_numbers(core.shown[4]) == _detail_numbers(server.document(2, "clarity").body)
        finally:
            core.stop()
    paths = [p for p, _ in server.requests]
    summaries = [p for p in paths if p.endswith("/summary.json")]
    assert f"{server.clarity_prefix}{server.clarity_ver(0)}/json/en/summary.json" not in summaries
    for i in (1, 2):  # each version's summary asked for before its zip
        ver = server.clarity_ver(i)
        assert paths.index(f"{server.clarity_prefix}{ver}/json/en/summary.json") < paths.index(
            f"{server.clarity_prefix}{ver}/reports/detailxml.zip"
        )
    # the recording keeps every detail and every summary; read back, it shows what was shown live
    with NightFile.open(tmp_path / "rec.night") as night:
        versions = current_versions(night.versions())
        assert [v.fmt for v in versions] == [
            CLARITY_DETAIL_ZIP,
            CLARITY_SUMMARY_JSON,
            CLARITY_DETAIL_ZIP,
            CLARITY_SUMMARY_JSON,
            CLARITY_DETAIL_ZIP,
        ]
        chain = VersionChain(night, versions)
        replayed = [chain.snapshot(i) for i in range(len(versions))]
    for live, again in zip(core.shown, replayed, strict=True):
        assert again.contests == live.contests and again.election == live.election


def test_serve_publishes_no_summary_unless_asked() -> None:
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=lambda: 0.0) as server:
        assert server.route(f"{server.clarity_prefix}{server.clarity_ver(0)}/json/en/summary.json") is None


# -- the poller's decisions, one request at a time -----------------------------------------------------


class _Site:
    """A Clarity site over a mock transport: ``ver`` is current_ver.txt; each version's zip and
    summary are distinct bytes (the poller only detects their formats)."""

    def __init__(self) -> None:
        self.ver = 100
        self.asked: list[str] = []
        self.summary_status = 200
        self.summary_body: bytes | None = None

    def zip(self, ver: int) -> bytes:
        return detail_zip(f"<ElectionResult><Timestamp>{ver}</Timestamp></ElectionResult>".encode())

    def summary(self, ver: int) -> bytes:
        row = {"K": "1", "C": "Race", "CH": ["A", "B"], "V": [ver, 1], "VF": 1}
        return json.dumps([row]).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("electionsettings.json"):  # none: read without them, not asked twice
            return httpx.Response(404, text="<html>Not found</html>")
        self.asked.append(path)
        if path.endswith("current_ver.txt"):
            return httpx.Response(200, text=str(self.ver))
        ver = int(path.split("/")[3])
        if path.endswith("detailxml.zip"):
            return httpx.Response(200, content=self.zip(ver))
        if path.endswith("summary.json"):
            if self.summary_status != 200:
                return httpx.Response(self.summary_status, text="<html>Not found</html>")
            return httpx.Response(200, content=self.summary_body or self.summary(ver))
        return httpx.Response(404, text="<html>Not found</html>")


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site() -> _Site:
    return _Site()


def _poller(site: _Site, clock: _Clock, client: httpx.Client) -> Poller:
    target = discover("http://127.0.0.1:9/GA/12345/", env={})
    return Poller(target, client=client, policy=PollPolicy(interval=30.0, jitter=0.0), monotonic=clock)


def test_the_summary_comes_first_and_its_detail_in_the_same_round(site: _Site) -> None:
    clock = _Clock()
    with make_client(transport=httpx.MockTransport(site.handler)) as client:
        poller = _poller(site, clock, client)
        first = poller.poll_once()  # the first version: its detail only (a summary needs a detail's names)
        assert [e.fmt for e in first.events if e.kind == "new"] == [CLARITY_DETAIL_ZIP]
        assert not first.more and not any(p.endswith("summary.json") for p in site.asked)
        site.ver, site.asked[:] = 101, []
        fast = poller.poll_once()
        assert [e.fmt for e in fast.events if e.kind == "new"] == [CLARITY_SUMMARY_JSON]
        assert fast.more and fast.next_at == clock.now  # the detail is due at once
        assert site.asked == ["/GA/12345/current_ver.txt", "/GA/12345/101/json/en/summary.json"]
        site.asked[:] = []
        detail = poller.poll_once()  # the same round: no current_ver.txt, only the zip
        assert site.asked == ["/GA/12345/101/reports/detailxml.zip"]
        assert [(e.fmt, e.version) for e in detail.events if e.kind == "new"] == [(CLARITY_DETAIL_ZIP, "101")]
        assert not detail.more and detail.next_at == clock.now + 30.0
        # the version is had: announced again, nothing is fetched (no summary after its detail)
        site.asked[:] = []
        again = poller.poll_once()
        assert site.asked == ["/GA/12345/current_ver.txt"] and not again.more
        # a stale cache announcing an older version we never had: its detail only, whose own
        # time decides; its summary (which has none) is never fetched
        site.ver, site.asked[:] = 99, []
        poller.poll_once()
        assert site.asked == ["/GA/12345/current_ver.txt", "/GA/12345/99/reports/detailxml.zip"]


def test_a_site_without_summaries_is_not_asked_for_them_forever(site: _Site) -> None:
    clock = _Clock()
    site.summary_status = 404
    with make_client(transport=httpx.MockTransport(site.handler)) as client:
        poller = _poller(site, clock, client)
        poller.poll_once()
        for n in range(1, SUMMARY_GIVE_UP + 3):
            site.ver = 100 + n
            report = poller.poll_once()  # the summary 404s: the detail comes in the same call
            assert not report.more
            assert [e.fmt for e in report.events if e.kind == "new"] == [CLARITY_DETAIL_ZIP]
        asked = [p for p in site.asked if p.endswith("summary.json")]
        assert len(asked) == SUMMARY_GIVE_UP


def test_an_unreadable_summary_is_an_error_but_its_detail_still_comes_at_once(site: _Site) -> None:
    clock = _Clock()
    with make_client(transport=httpx.MockTransport(site.handler)) as client:
        poller = _poller(site, clock, client)
        poller.poll_once()
        site.ver = 101
        fast = poller.poll_once()
        assert fast.more
        corrected = poller.payload_unreadable(fast, "unreadable payload: cut short")
        assert corrected.state.error == "unreadable payload: cut short"
        assert corrected.more and poller.next_at == clock.now
        detail = poller.poll_once()
        assert [e.fmt for e in detail.events if e.kind == "new"] == [CLARITY_DETAIL_ZIP]
        assert detail.state.error is None


def test_max_polls_counts_a_summary_and_its_detail_as_one_round(site: _Site) -> None:
    import threading

    clock = _Clock()
    reports = []
    with make_client(transport=httpx.MockTransport(site.handler)) as client:
        poller = _poller(site, clock, client)
        poller.poll_once()
        site.ver = 101
        poller.next_at = clock.now
        poller.run(reports.append, threading.Event(), max_polls=1)
    assert [r.more for r in reports] == [True, False]


# -- the overlay ------------------------------------------------------------------------------------


def _contest(cid: str, names: list[str], ids: list[str], votes: list[int]) -> Contest:
    unit = ReportingUnit(id="u", name="U", votes={i: {"Total": n} for i, n in zip(ids, votes, strict=True)})
    cands = tuple(
        Candidate(id=i, name=n, ballot_order=k + 1) for k, (i, n) in enumerate(zip(ids, names, strict=True))
    )
    return Contest(id=cid, name="Race " + cid, candidates=cands, units=(unit,))


def test_a_summary_takes_the_details_ids_and_keeps_its_own_numbers() -> None:
    base = Snapshot(
        election=Election(id="ga-2020", name="Detail's name", reconstructed=True),
        contests=(
            _contest("5000", ["Ann", "Bo"], ["10", "20"], [5, 6]),
            _contest("6000", ["Cy", "Di"], ["30", "40"], [1, 1]),
            _contest("7000", ["Ed", "Flo"], ["50", "60"], [2, 3]),
        ),
        version="t0",
    )
    summary = Snapshot(
        election=Election(id="clarity-ga-1", name="summary's name"),
        contests=(
            _contest("5000", ["BO ", "Ann"], ["1", "2"], [60, 50]),  # order and case differ: names match
            _contest("6000", ["Cy", "Zed"], ["1", "2"], [7, 8]),  # a name the detail lacks
            _contest("8000", ["Gus"], ["1"], [9]),  # a race only the summary has
        ),
        version="101",
    )
    laid = lay_summary(base, summary)
    assert laid.election == base.election and laid.version == "101"
    race, odd, kept, new = laid.contests
    assert [c.id for c in race.candidates] == ["10", "20"] and race.totals == {"10": 50, "20": 60}
    assert odd == summary.contests[1]  # not matched: the summary's own, numbers untouched
    assert kept == base.contests[2]  # the summary lacks it: the detail's numbers stay
    assert new == summary.contests[2]


def test_the_overlay_on_real_georgia_2020_files(shared_data: Path) -> None:
    clarity = shared_data / "clarity"
    detail = parse_payload((clarity / "wapo-elex-clarity_ga_counties_11-3.xml").read_bytes(), "auto")
    raw = (clarity / "wapo-elex-clarity_GA_105369_v271066_summary.json").read_bytes()
    summary = parse_payload(raw, CLARITY_SUMMARY_JSON, source=SUMMARY_URL)
    laid = lay_summary(detail, summary)
    served = {row["K"]: dict(zip(row["CH"], row["V"], strict=True)) for row in json.loads(raw)}
    shared = [c for c in laid.contests if c.id in {d.id for d in detail.contests}]
    assert len(shared) == len(detail.contests) == 2
    for contest in shared:
        assert {c.name: contest.totals[c.id] for c in contest.candidates} == served[contest.id]
    assert laid.election == detail.election and len(laid.contests) == len(summary.contests)


def test_which_versions_are_laid_over_a_detail() -> None:
    fmts = [CLARITY_SUMMARY_JSON, CLARITY_DETAIL_ZIP, CLARITY_SUMMARY_JSON, CLARITY_SUMMARY_JSON, "ap-v2"]
    assert [lays_over(fmts.__getitem__, i) for i in range(len(fmts))] == [False, False, True, True, False]
    only = [CLARITY_SUMMARY_JSON] * 3  # a site without a zip: summaries as they are
    assert not any(lays_over(only.__getitem__, i) for i in range(3))
