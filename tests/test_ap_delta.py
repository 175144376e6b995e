"""AP deltas: ``nextrequest`` (``minDateTime``) answers hold only the races updated since; they are
merged onto the last full payload live (recorder), on replay (archive.chain) and served by
``serve --as ap``.

Data: real AP v2 payloads from ../shared/data/ap; the deltas are built from a subset of a real
payload's races with counts raised (labelled BUILT below); a few snapshots are SYNTHETIC (made up
here, named so). The loopback test serves the bundled night of 18 April 2017 (real Clarity counts)
as AP and polls it with the real Poller over real HTTP.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from pathlib import Path

import httpx
import pytest

from tracker import paths
from tracker.archive.chain import VersionChain, is_delta_url
from tracker.archive.night import NightFile
from tracker.archive.projections import project_night
from tracker.archive.recorder import Recorder, create_recording, current_versions
from tracker.archive.serve import FeedServer
from tracker.core.merge import apply_delta
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot, UnitKind
from tracker.feeds.client import make_client
from tracker.feeds.discovery import AP_KEY_ENV, discover
from tracker.feeds.poller import FetchEvent, Poller, PollPolicy, PollReport, ap_empty_delta, ap_next_url
from tracker.feeds.registry import parse_payload

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
NATIONAL = "newsdev-elex_20151103_national.json"
API = "https://api.ap.org/v2/elections/2015-11-03?level=ru&format=json"
T0 = dt.datetime(2015, 11, 10, 18, 55, tzinfo=dt.UTC)


# -- the pure merge ------------------------------------------------------------------------------


def _synthetic_contest(cid: str, votes: int) -> Contest:
    """SYNTHETIC: one made-up county, two made-up candidates."""
    unit = ReportingUnit(
        id=f"{cid}-u",
        name="Synthetic County",
        kind=UnitKind.COUNTY,
        votes={"a": {"Total": votes}, "b": {"Total": 1}},
    )
    cands = (Candidate(id="a", name="Synthetic A"), Candidate(id="b", name="Synthetic B"))
    return Contest(id=cid, name=f"Synthetic race {cid}", candidates=cands, units=(unit,))


def _synthetic(version: str, **votes: int) -> Snapshot:
    election = Election(id="synthetic", name="SYNTHETIC election")
    contests = tuple(_synthetic_contest(cid, n) for cid, n in votes.items())
    return Snapshot(election=election, contests=contests, version=version, payload_id=version)


def test_apply_delta_replaces_the_delta_races_keeps_the_rest_and_the_order() -> None:
    base = _synthetic("v1", r1=10, r2=20, r3=30)
    delta = _synthetic("v2", r3=31, r1=11, r4=5)  # r4 is new; order in the delta does not matter
    merged = apply_delta(base, delta)
    assert [c.id for c in merged.contests] == ["r1", "r2", "r3", "r4"]
    assert [c.totals["a"] for c in merged.contests] == [11, 20, 31, 5]
    assert merged.version == "v2" and merged.payload_id == "v2"
    assert merged.contest("r2") is base.contest("r2")
    empty = apply_delta(base, _synthetic("v3"))
    assert empty.contests == base.contests and empty.version == "v3"


def _ap(name: str = NATIONAL) -> dict:
    return json.loads((paths.shared_data_dir() / "ap" / name).read_bytes())


def _built_delta(doc: dict, picks: dict[int, int], stamp: str) -> dict:
    """BUILT: races ``picks`` (index → votes added) of a real payload, their first candidate's count
    raised by that much in the state unit and in the first subunit (so AP's own totals agree)."""
    out = {k: v for k, v in doc.items() if k != "races"}
    out["timestamp"] = stamp
    out["races"] = []
    for i, add in picks.items():
        race = copy.deepcopy(doc["races"][i])
        for unit in race["reportingUnits"][:2]:
            unit["candidates"][0]["voteCount"] += add
        out["races"].append(race)
    return out


def test_apply_delta_on_real_ap_payloads() -> None:
    full = _ap()
    delta = _built_delta(full, {3: 1000, 1: 7}, "2015-11-10T19:30:00.000Z")
    base = parse_payload(json.dumps(full).encode(), "ap-v2")
    part = parse_payload(json.dumps(delta).encode(), "ap-v2")
    merged = apply_delta(base, part)
    assert [c.id for c in merged.contests] == [c.id for c in base.contests]
    races = full["races"]
    added = {
        f"{races[i]['reportingUnits'][0]['statePostal']}-{races[i]['raceID']}": n
        for i, n in ((3, 1000), (1, 7))
    }
    assert set(added) == {c.id for c in part.contests}
    for before, after in zip(base.contests, merged.contests, strict=True):
        if before.id in added:
            assert sum(after.totals.values()) == sum(before.totals.values()) + added[before.id]
            assert after == part.contest(before.id)
        else:
            assert after is before
    assert merged.version == "2015-11-10T19:30:00.000Z"


# -- the URL-following decisions (pure) ------------------------------------------------------------------


def test_nextrequest_is_followed_on_the_same_host_only_and_absent_keeps_the_url() -> None:
    current = "https://api.ap.org/v2/elections/2015-11-03?format=json"
    real = _ap()["nextrequest"]  # AP's own, http:// and minDateTime
    nxt = ap_next_url(json.dumps({"nextrequest": real, "races": []}).encode(), current)
    assert nxt.startswith("https://api.ap.org/") and is_delta_url(nxt)
    other = json.dumps({"nextrequest": "https://evil.example/v2/elections/x?minDateTime=1"}).encode()
    assert ap_next_url(other, current) == current
    assert ap_next_url(json.dumps({"races": []}).encode(), nxt) == nxt  # absent: keep the current one
    assert not is_delta_url(current) and is_delta_url(current + "&MinDateTime=2015-11-04T19:14:28Z")
    assert not is_delta_url(current + "&minDateTime=")


def test_an_empty_delta_is_nothing_new_but_an_empty_full_document_is_a_version() -> None:
    body = json.dumps({"electionDate": "2015-11-03", "timestamp": "x", "races": []}).encode()
    assert ap_empty_delta(body, API + "&minDateTime=2015-11-04T19:14:28Z")
    assert not ap_empty_delta(body, API)
    assert not ap_empty_delta(json.dumps(_ap()).encode(), API + "&minDateTime=2015-11-04T19:14:28Z")


def test_a_403_quota_still_backs_off_and_the_delta_url_is_kept() -> None:
    """Mock transport: full document, then a delta, then 403 quota: the poller backs off and asks
    for the same delta URL again afterwards."""
    full = _ap()
    full["nextrequest"] = "http://api.ap.org/v2/elections/2015-11-03?minDateTime=2015-11-10T18%3A55%3A18Z"
    asked: list[str] = []
    answers = iter([200, 403, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        status = next(answers)
        if status == 403:
            return httpx.Response(403, headers={"Retry-After": "120"}, text="Over quota limit.")
        return httpx.Response(200, content=json.dumps(full).encode())

    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover(API, env={AP_KEY_ENV: "k"}),
            client=client,
            policy=PollPolicy(interval=1),
            monotonic=lambda: 0.0,
        )
        first = poller.poll_once()
        quota = poller.poll_once()
        poller.poll_once()
    assert first.events[-1].kind == "new"
    assert quota.reason.startswith("quota") and quota.delay == 120
    assert not is_delta_url(asked[0]) and is_delta_url(asked[1]) and asked[2] == asked[1]
    assert asked[1].startswith("https://api.ap.org/")


# -- recorder and replay over real AP payloads --------------------------------------------------------


def test_recorder_merges_deltas_and_the_night_replays_the_same_snapshots(tmp_path: Path) -> None:
    full = _ap()
    stamps = ["2015-11-10T19:30:00.000Z", "2015-11-10T19:45:00.000Z"]
    deltas = [_built_delta(full, {3: 1000, 1: 7}, stamps[0]), _built_delta(full, {0: 50}, stamps[1])]
    url_delta = API + "&apiKey=REDACTED&minDateTime=2015-11-10T18%3A55%3A18Z"
    events = [FetchEvent(T0, API, "new", 200, json.dumps(full).encode(), "ap-v2")]
    for i, d in enumerate(deltas, start=1):
        events.append(
            FetchEvent(T0 + dt.timedelta(minutes=i), url_delta, "new", 200, json.dumps(d).encode(), "ap-v2")
        )
    # and a full payload again: it resets the chain
    events.append(
        FetchEvent(
            T0 + dt.timedelta(minutes=3),
            API,
            "new",
            200,
            json.dumps(_built_delta(full, {2: 1}, "2015-11-10T20:00:00.000Z")).encode(),
            "ap-v2",
        )
    )
    night = create_recording(tmp_path / "ap.night", url=API, kind="ap")
    recorder = Recorder(night)
    live = [s for e in events for s in recorder.record([e]).snapshots]
    night.close()
    assert len(live) == 4
    assert len(live[1].contests) == len(live[2].contests) == 5  # merged, not just the two races
    assert len(live[3].contests) == 1  # a full payload shows only itself
    base = parse_payload(json.dumps(full).encode(), "ap-v2")
    first = live[2].contest(base.contests[0].id)
    cand = base.contests[0].candidates[0].id
    assert first.totals[cand] == base.contests[0].totals[cand] + 50
    assert live[2].contest(base.contests[3].id).totals == live[1].contest(base.contests[3].id).totals

    with NightFile.open(tmp_path / "ap.night") as n:
        versions = current_versions(n.versions())
        chain = VersionChain(n, versions, cache_size=2)
        replayed = [chain.snapshot(i) for i in (3, 0, 2, 1)]
        assert [r.payload_id for r in replayed] == [live[i].payload_id for i in (3, 0, 2, 1)]
        for r, i in zip(replayed, (3, 0, 2, 1), strict=True):
            assert [(c.id, c.totals) for c in r.contests] == [(c.id, c.totals) for c in live[i].contests]
        assert chain.base_index(2) == 0 and chain.base_index(3) == 3
    # the projection log of the night projects the merged versions too: 5 + 5 + 5 + 1 races
    rows = project_night(tmp_path / "ap.night")
    assert len({(r.payload_id, r.contest_id) for r in rows}) == 16


# -- over real loopback HTTP --------------------------------------------------------------------------


def _totals(snap: Snapshot, *, ap: bool = True) -> dict[str, dict[str, int]]:
    """Totals per contest; AP's contest ids are the served ones with the state in front."""
    return {(c.id.removeprefix("GA-") if ap else c.id): c.totals for c in snap.contests}


def test_served_as_ap_the_poller_follows_deltas_and_shows_every_version(tmp_path: Path) -> None:
    """The bundled night served ``--as ap``; the real Poller follows ``nextrequest`` over HTTP. After
    every poll the merged snapshot equals the served version (totals per contest); the recording
    replays to the same snapshots; the key is never recorded."""
    with NightFile.open(BUNDLED) as n:
        times = [v.fetched_at for v in n.versions()]
        expected = [_totals(n.snapshot(v), ap=False) for v in n.versions()]
    speed = 1000.0
    position = {"t": 0.0}
    with FeedServer(BUNDLED, fmt="ap", speed=speed, clock=lambda: position["t"]) as server:
        target = discover(server.url + "?apiKey=secret-key")
        count = len(server.versions)
        night = create_recording(tmp_path / "rec.night", url=target.display_url, kind="ap")
        recorder = Recorder(night)
        shown: list[Snapshot] = []
        stop = threading.Event()
        failures: list[str] = []
        released = 0

        def sink(report: PollReport) -> None:
            nonlocal released
            recorded = recorder.record_report(report)
            shown.extend(recorded.snapshots)
            if recorder.current is not None and _totals(recorder.current) != expected[server.current_index()]:
                failures.append(
                    f"poll {len(shown)}: merged snapshot differs from version {server.current_index()}"
                )
            if report.events[-1].kind == "not-modified":  # the current version was seen: next one
                if released + 1 >= count:
                    stop.set()
                    return
                released += 1
                position["t"] = (times[released] - times[0]).total_seconds() / speed

        with make_client() as client:
            timer = threading.Timer(90, stop.set)
            timer.start()
            Poller(target, client=client, policy=PollPolicy(interval=0.01)).run(sink, stop)
            timer.cancel()
        night.close()
        asked = [p for p, _s in server.requests]
    assert not failures, failures[:3]
    assert released == count - 1 and len(shown) == count
    assert [_totals(s) for s in shown] == expected
    assert sum("minDateTime" in p for p in asked) > count  # deltas were asked for, after the first
    with NightFile.open(tmp_path / "rec.night") as rec:
        assert all("secret-key" not in f.url for f in rec.fetches())
        versions = current_versions(rec.versions())
        assert len(versions) == count and sum(is_delta_url(v.url) for v in versions) == count - 1
        sizes = [len(rec.snapshot(v).contests) for v in versions]
        assert sizes[0] == 2 and min(sizes[1:]) < 2  # some deltas carried one race of the two
        chain = VersionChain(rec, versions)
        assert [_totals(chain.snapshot(i)) for i in range(count)] == expected


def test_served_ap_delta_answers_and_304(tmp_path: Path) -> None:
    with NightFile.open(BUNDLED) as n:
        times = [v.fetched_at for v in n.versions()]
    position = {"t": 0.0}
    with (
        FeedServer(BUNDLED, fmt="ap", speed=1000.0, clock=lambda: position["t"]) as server,
        httpx.Client() as c,
    ):
        full = c.get(server.url)
        doc = full.json()
        assert len(doc["races"]) == 2 and is_delta_url(doc["nextrequest"])
        assert doc["nextrequest"].startswith(server.base_url)
        nothing = c.get(doc["nextrequest"])
        assert nothing.json()["races"] == []
        assert (
            c.get(doc["nextrequest"], headers={"If-None-Match": nothing.headers["ETag"]}).status_code == 304
        )
        position["t"] = (times[-1] - times[0]).total_seconds() / 1000.0
        delta = c.get(doc["nextrequest"]).json()
        assert 1 <= len(delta["races"]) <= 2 and delta["nextrequest"] != doc["nextrequest"]
        assert len(c.get(server.url).json()["races"]) == 2


@pytest.mark.parametrize("bad", ["not-a-time", ""])
def test_served_ap_with_an_unreadable_min_date_time_gets_the_full_document(bad: str) -> None:
    with FeedServer(BUNDLED, fmt="ap") as server, httpx.Client() as c:
        assert len(c.get(server.url + f"?minDateTime={bad}").json()["races"]) == 2
