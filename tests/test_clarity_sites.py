"""Clarity the way states and counties publish it: the election listing, a state site's county
sub-sites each followed at its own version (one behind the state shown as such), and the versions a
late start missed fetched from the site's ``electionsettings.json``; over loopback against ``serve
--as clarity`` (the real URL layout), and against the real GA 2020 ``electionsettings.json``."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import zipfile
from pathlib import Path

import pytest
from fault_server import JUNE, SPEED, Core, Fault, FaultyFeedServer, StepClock
from lxml import etree

from tracker.archive.night import NightFile, Version
from tracker.archive.recorder import current_versions, version_times
from tracker.core.errors import FeedError
from tracker.feeds.clarity_json import parse_electionsettings
from tracker.feeds.clarity_sites import ClarityListing, county_statuses, missed_versions, parse_listing
from tracker.feeds.discovery import discover

SETTINGS = "clarity/wapo-elex-clarity_GA_105369_v271927_electionsettings.json"


def test_the_listing_as_clarity_hosts_publish_it() -> None:
    # the shape documented by readers of enr-scvotes.org/SC/elections.json (made-up ids: constructed)
    constructed = json.dumps(
        [
            {
                "ElectionName": "2026 General Election",
                "Date": "11/03/2026 07:00:00",
                "State": "SC",
                "County": None,
                "EID": 130000,
            },
            {
                "ElectionName": "2026 General Election",
                "Date": "11/03/2026 07:00:00",
                "State": "SC",
                "County": "Ben Hill",
                "EID": 121000,
            },
        ]
    ).encode()
    state, county = parse_listing(constructed)
    assert state == ClarityListing("2026 General Election", state.date, "SC", None, "130000")
    assert state.base_path() == "/SC/130000/" and county.base_path() == "/SC/Ben_Hill/121000/"
    assert str(state.date) == "2026-11-03"
    assert parse_listing(b"[]") == ()
    for bad in (b"{}", b"[1]", b'[{"State": "SC"}]', b"<html>"):
        with pytest.raises(FeedError):
            parse_listing(bad)


def test_real_state_settings_name_county_sites_and_versions(shared_data: Path) -> None:
    settings = parse_electionsettings((shared_data / SETTINGS).read_bytes())
    assert settings.state == "GA" and len(settings.counties) == 159
    appling = settings.counties[0]
    assert appling.base_path("GA") == "/GA/Appling/105371/"
    assert discover("https://results.enr.clarityelections.com" + appling.base_path("GA")).clarity == (
        "GA",
        "Appling",
        "105371",
    )
    # a start at the last version misses the 383 before it; the 50 most recent are fetched
    current = int(settings.versions[-1])
    missed = missed_versions(settings.versions, current, set())
    assert len(missed) == 50 and missed == sorted(missed) and missed[-1] == int(settings.versions[-2])
    assert missed_versions(settings.versions, current, {int(v) for v in settings.versions}) == []
    statuses = county_statuses(settings.counties[:2], {"Appling": appling.version, "Atkinson": "1"})
    assert [s.behind for s in statuses] == [False, True]
    assert "behind the state's" in statuses[1].describe()


def _detail_rows(zipped: bytes, tag: str) -> dict[str, dict[str, dict[tuple[str, str], int]]]:
    """contest → choice → (vote type, row name) → votes, for the ``tag`` rows ("County",
    "Precinct") of a served detail.xml (read with lxml, not with our parser)."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        root = etree.fromstring(zf.read("detail.xml"))
    out: dict[str, dict[str, dict[tuple[str, str], int]]] = {}
    for contest in root.iter("Contest"):
        per = out.setdefault(contest.get("text"), {})
        for choice in contest.iter("Choice"):
            rows = per.setdefault(choice.get("text"), {})
            for vt in choice.iter("VoteType"):
                for row in vt.iter(tag):
                    key = (vt.get("name"), row.get("name"))
                    rows[key] = rows.get(key, 0) + int(row.get("votes"))
    return out


def _detail_numbers(zipped: bytes) -> dict[str, dict[str, dict[str, int]]]:
    """contest → choice → vote type → votes, summed over the precincts (or counties) of a served
    detail.xml."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for tag in ("Precinct", "County"):
        for contest, choices in _detail_rows(zipped, tag).items():
            per = out.setdefault(contest, {})
            for choice, rows in choices.items():
                by = per.setdefault(choice, {})
                for (vt, _row), n in rows.items():
                    if n:
                        by[vt] = by.get(vt, 0) + n
    return out


def _shown_numbers(snap) -> dict[str, dict[str, dict[str, int]]]:
    out: dict[str, dict[str, dict[str, int]]] = {}
    for contest in snap.contests:
        per = out.setdefault(contest.name, {})
        for cand in contest.candidates:
            by: dict[str, int] = {}
            for unit in contest.units:
                for vt, n in unit.votes.get(cand.id, {}).items():
                    if n:
                        by[vt] = by.get(vt, 0) + n
            per[cand.name] = by
    return out


def test_a_late_start_fetches_the_versions_it_missed_and_follows_every_county(tmp_path: Path) -> None:
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        step.release(5)  # the tracker starts when six versions are out
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 6, "the six versions, the missed ones first")
            assert len({s.payload_id for s in core.shown}) == 6  # six versions, in the order published
            for i, snap in enumerate(core.shown):
                assert _shown_numbers(snap) == _detail_numbers(server.document(i, "clarity").body)
            first = core.reports[0]
            assert [c.name for c in first.counties] == server.counties()
            assert all(not c.behind and c.own == c.listed for c in first.counties)
            # Cobb's own site now serves an older version than the state lists for it
            server.set_fault(Fault("body", match="/GA/Cobb/", transform=lambda _b: b"1"))
            step.release(6)
            health = core.wait_health(lambda h: bool(h.counties_behind), "Cobb behind the state")
            assert health.counties_behind == (
                f"Cobb: its own site is at version 1, behind the state's {server.clarity_ver(6)}",
            )
            assert _shown_numbers(core.shown[-1]) == _detail_numbers(server.document(6, "clarity").body)
            server.clear()
            step.release(7)
            core.wait_health(lambda h: not h.counties_behind and len(core.shown) == 8, "Cobb caught up")
        finally:
            core.stop()
    assert any(p.endswith("/json/en/electionsettings.json") for p, _ in server.requests)
    # The missed versions were fetched in the moment of connecting, and the night keeps that as
    # their fetch time; the timeline places each at its own publication time (the detail XML's).
    with NightFile.open(tmp_path / "rec.night") as night:
        versions = current_versions(night.versions())
    missed = versions[:5]
    fetched = [v.fetched_at for v in missed]
    assert fetched[-1] - fetched[0] < dt.timedelta(minutes=1)  # bunched at the connection
    times = version_times(versions)
    # spread as published: a rehearsal of a past night keeps the published spacing before the
    # live version that followed (its calendar is 2017's, ours today's)
    published = [v.published_at for v in missed]
    assert [b - a for a, b in itertools.pairwise(times[:5])] == [
        b - a for a, b in itertools.pairwise(published)
    ]
    assert all(a < b for a, b in itertools.pairwise(times[:5]))
    assert times[4] <= versions[5].fetched_at
    assert times[4] - times[0] > dt.timedelta(minutes=5)


def _version(
    i: int, fetched: dt.datetime, published: dt.datetime | None, *, history: bool = False
) -> Version:
    return Version(i, i, fetched, i, f"sha{i}", "clarity-detail-zip", str(i), published, "u", history)


def test_history_fetched_late_is_placed_at_its_own_time_and_live_versions_at_their_fetch() -> None:
    at = dt.datetime(2026, 11, 3, 20, tzinfo=dt.UTC)
    m, s = dt.timedelta(minutes=1), dt.timedelta(seconds=1)
    versions = [
        _version(0, at, at - m),  # live: fetched a minute after it was published
        _version(1, at + 120 * m, at + 30 * m, history=True),  # a restart fetches the missed ones
        _version(2, at + 120 * m + s, at + 60 * m, history=True),
        _version(3, at + 120 * m + 2 * s, at + 119 * m),  # the current one
        _version(4, at + 131 * m, at + 130 * m),  # live again
    ]
    assert version_times(versions) == [at, at + 30 * m, at + 60 * m, versions[3].fetched_at, at + 131 * m]
    # a live version keeps its fetch time however old its publication time (a stale cache, or a
    # rehearsal of a past night); history without a trusted publication time keeps it too
    old = [_version(0, at, at - 90 * m), _version(1, at + 5 * m, at - 80 * m)]
    assert version_times(old) == [at, at + 5 * m]
    unknown = [_version(0, at, None, history=True), _version(1, at + 5 * m, at + 9 * 60 * m, history=True)]
    assert version_times(unknown) == [at, at + 5 * m]
    # never backwards: history older than what the night already showed stays after it
    assert version_times([_version(0, at, at), _version(1, at + m, at - m, history=True)]) == [at, at]
    # history published years before its fetch is a past night re-served (a rehearsal of 2017 in
    # 2026): it keeps its spacing before the live version that follows, not its calendar time
    years = dt.timedelta(days=9 * 365)
    rehearsal = [
        _version(0, at, at - years, history=True),
        _version(1, at + s, at - years + 30 * m, history=True),
        _version(2, at + 2 * s, at - years + 60 * m),
    ]
    assert version_times(rehearsal) == [at + 2 * s - 60 * m, at + 2 * s - 30 * m, at + 2 * s]


def test_the_night_notes_which_fetches_brought_history(tmp_path: Path) -> None:
    from tracker.archive.recorder import create_recording

    at = dt.datetime(2026, 11, 3, 22, tzinfo=dt.UTC)
    night = create_recording(tmp_path / "n.night", url="http://127.0.0.1:9/GA/1/", kind="clarity")
    doc = b'{"format": "tracker-feed/1", "election": {"id": "e", "name": "E"}, "version": %d, "contests": []}'
    night.add_payload(doc % 1, fetched_at=at, fmt="tracker-feed/1", history=True)
    night.add_payload(doc % 2, fetched_at=at + dt.timedelta(seconds=1), fmt="tracker-feed/1")
    night.close()
    with NightFile.open(tmp_path / "n.night") as again:
        assert [v.history for v in again.versions()] == [True, False]


def test_the_served_listing_names_the_state_and_county_sites() -> None:
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=lambda: 0.0) as server:
        doc = server.route("/GA/elections.json")
        assert doc is not None
        listing = parse_listing(doc.body)
    assert listing[0].county is None and listing[0].base_path() == server.clarity_prefix
    assert [entry.county for entry in listing[1:]] == server.counties()
    for entry in listing:
        assert discover(server.base_url + entry.base_path()).kind == "clarity"


def test_the_feed_status_names_the_counties_behind() -> None:
    import datetime as dt

    from tracker.feeds.poller import FeedHealth
    from tracker.ui.feed_status import health_texts

    now = dt.datetime(2020, 11, 4, tzinfo=dt.UTC)
    health = FeedHealth(
        url="u", kind="clarity", counties_behind=("Cobb: its own site is at version 1, behind",)
    )
    assert health_texts(health, now, following=True, running=True)["counties"] == (
        "1 county site behind the state: Cobb"
    )
    assert (
        health_texts(FeedHealth(url="u", kind="clarity"), now, following=True, running=True)["counties"] == ""
    )


def test_a_site_that_keeps_no_old_versions_is_not_asked_for_all_of_them() -> None:
    import httpx

    from tracker.feeds.client import make_client
    from tracker.feeds.poller import BACKFILL_GIVE_UP, Poller

    asked: list[str] = []
    settings = json.dumps(
        {
            "settings": {"electiondetails": {}},
            "versions": [str(v) for v in range(100, 121)],
            "entityname": "GA",
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        asked.append(path)
        if path.endswith("current_ver.txt"):
            return httpx.Response(200, text="120")
        if path.endswith("electionsettings.json"):
            return httpx.Response(200, content=settings)
        if path == "/GA/12345/120/reports/detailxml.zip":
            return httpx.Response(200, content=b'{"format": "tracker-feed/1"}')
        return httpx.Response(404, text="<html>Not found</html>")

    target = discover("http://127.0.0.1:9/GA/12345/", env={}, fmt="tracker-feed/1")
    with make_client(transport=httpx.MockTransport(handler)) as client:
        report = Poller(target, client=client).poll_once()
    old = [p for p in asked if "/reports/" in p and "/120/" not in p]
    assert old == [f"/GA/12345/{v}/reports/detailxml.zip" for v in range(100, 100 + BACKFILL_GIVE_UP)]
    assert report.events[-1].kind == "new" and report.events[-1].version == "120"
    assert all(e.kind != "error" for e in report.events)
