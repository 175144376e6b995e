"""AP Elections API v3 as served today, against CONSTRUCTED fixtures only (no public v3 payload
exists; tests/data/constructed_ap_v3_*.json are built from AP's documented fields, see
tests/data/README.md): vote types, eevp → expected vote, winThreshold, AP's own race calls, the
key only in the ``x-api-key`` header, ``isTruncated`` paging and the documented quota wait."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import httpx

from tracker.core.threshold import ThresholdRule
from tracker.feeds.ap import UNSPLIT, parse_ap_v3, split_vote_types
from tracker.feeds.ap_writer import snapshot_to_ap_v3
from tracker.feeds.client import make_client
from tracker.feeds.discovery import AP_KEY_ENV, discover
from tracker.feeds.poller import AP_QUOTA_WAIT, Poller, PollPolicy, ap_truncated

CONSTRUCTED = Path(__file__).parent / "data" / "constructed_ap_v3_votetypes.json"


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_constructed_v3_vote_types_become_ours_and_sum_to_aps_totals() -> None:
    snap = parse_ap_v3(CONSTRUCTED.read_bytes())
    gov = snap.contest("CONSTRUCTED-20001")
    assert gov.totals == {"601": 5200, "602": 4800} == dict(gov.reported_totals or {})
    north, south = gov.units
    assert north.votes["601"] == {
        "Election Day In-Person": 1200,
        "Early In-Person": 900,
        "Absentee Mail": 900,
    }
    # advanceTotal is used because its parts are absent; a null vote type is "not available"
    assert south.votes["601"] == {"Election Day In-Person": 800, "Advance Total": 1300, "Provisional": 100}
    assert south.votes["602"] == {"Election Day In-Person": 1200, "Advance Total": 1000, UNSPLIT: 100}
    canon = {vt.name: vt.canonical for vt in gov.vote_types}
    assert canon["Election Day In-Person"] == "election_day" and canon["Early In-Person"] == "early"
    assert canon["Absentee Mail"] == "mail" and canon["Provisional"] == "provisional"
    assert gov.data_warnings() == []


def test_constructed_v3_eevp_is_each_units_expected_vote() -> None:
    gov = parse_ap_v3(CONSTRUCTED.read_bytes()).contest("CONSTRUCTED-20001")
    assert [u.expected_votes for u in gov.units] == [5500, 7200]  # 5,500 at 100 %; 4,500 at 62.5 %
    house = parse_ap_v3(CONSTRUCTED.read_bytes()).contest("CONSTRUCTED-20002")
    assert house.units[0].expected_votes is None  # no eevp given: nothing invented


def test_constructed_v3_calls_are_aps_and_win_threshold_is_the_contests_rule() -> None:
    snap = parse_ap_v3(CONSTRUCTED.read_bytes())
    gov, house = snap.contest("CONSTRUCTED-20001"), snap.contest("CONSTRUCTED-20002")
    assert gov.winners == ("601",) and gov.called_by == "AP" and gov.call_label == "AP called"
    assert gov.threshold == ThresholdRule.majority() and gov.threshold_source == "AP winThreshold 50"
    assert house.advancing == ("701", "702") and house.winners == () and house.call_label == "AP: runoff"
    assert house.threshold == ThresholdRule("share", 0.45) and house.threshold_source == "AP winThreshold 45"


def test_subtotals_never_count_ballots_twice() -> None:
    warnings: list[str] = []
    raw = {"earlyInPerson": 10, "absenteeMail": 5, "advanceTotal": 15, "electionDayInPerson": 20}
    assert split_vote_types(35, raw, "AP", "u", warnings) == {
        "Early In-Person": 10,
        "Absentee Mail": 5,
        "Election Day In-Person": 20,
    }
    assert split_vote_types(10, {"electionDayInPerson": 40}, "AP", "u", warnings) == {"Total": 10}
    assert warnings and "more than its total" in warnings[0]


def test_constructed_v3_round_trips_through_our_writer() -> None:
    snap = parse_ap_v3(CONSTRUCTED.read_bytes())
    again = parse_ap_v3(snapshot_to_ap_v3(snap, state="CONSTRUCTED"))
    assert len(again.contests) == len(snap.contests)
    for a, b in zip(snap.contests, again.contests, strict=True):  # (our writer's race ids nest the state)
        assert b.totals == a.totals and b.totals_by("canonical") == a.totals_by("canonical")
        assert (b.winners, b.advancing, b.threshold) == (a.winners, a.advancing, a.threshold)


def test_constructed_v3_calls_survive_serving_as_native() -> None:
    """A night recorded from AP (CONSTRUCTED fixture) and served ``--as native`` keeps AP's calls."""
    from tracker.feeds.native import dump_native, parse_native

    snap = parse_ap_v3(CONSTRUCTED.read_bytes())
    again = parse_native(dump_native(snap))
    for a, b in zip(snap.contests, again.contests, strict=True):
        assert (b.winners, b.advancing, b.called_by, b.call_label) == (
            a.winners,
            a.advancing,
            a.called_by,
            a.call_label,
        )
        assert b.threshold_source == a.threshold_source and b.threshold == a.threshold
    assert again.contest("CONSTRUCTED-20001").call_label == "AP called"


def test_constructed_v3_truncated_pages_are_followed_in_one_round_with_the_key_in_the_header_only() -> None:
    base = json.loads(CONSTRUCTED.read_bytes())
    host = "http://127.0.0.1:9"
    seen: list[httpx.Request] = []

    def page(races: list, truncated: bool, nxt: str) -> bytes:
        return json.dumps({**base, "races": races, "isTruncated": truncated, "nextrequest": nxt}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.headers["x-api-key"] == "SECRETKEY123"
        assert "SECRETKEY123" not in str(request.url)
        query = request.url.query.decode()
        if "minDateTime" not in query:
            return httpx.Response(
                200, content=page(base["races"], False, f"{host}/v3/elections/2026-11-03?minDateTime=t1")
            )
        if "page=2" not in query:
            nxt = f"{host}/v3/elections/2026-11-03?minDateTime=t1&page=2&apiKey=SECRETKEY123"
            return httpx.Response(200, content=page(base["races"][:1], True, nxt))
        return httpx.Response(
            200, content=page(base["races"][1:], False, f"{host}/v3/elections/2026-11-03?minDateTime=t2")
        )

    target = discover(f"{host}/v3/elections/2026-11-03?apiKey=SECRETKEY123", env={})
    assert "SECRETKEY123" not in target.url and "SECRETKEY123" not in repr(target)
    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(target, client=client, policy=PollPolicy(interval=5), monotonic=FakeTime())
        first = poller.poll_once()
        second = poller.poll_once()
    assert [e.kind for e in first.events] == ["new"]
    assert [e.kind for e in second.events] == ["new", "new"]  # the truncated page and the rest
    assert ap_truncated(second.events[0].data or b"") and not ap_truncated(second.events[1].data or b"")
    assert "page=2" in second.events[1].url and "SECRETKEY123" not in second.events[1].url
    assert all(b"SECRETKEY123" not in (e.data or b"") for e in second.events)  # echoed key scrubbed
    assert poller._next_url.endswith("minDateTime=t2")


def test_constructed_v3_per_minute_quota_waits_aps_documented_time() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="Per-minute Quota (10) Exceeded, try again in a little bit.")

    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover("http://127.0.0.1:9/v3/elections/2026-11-03", env={AP_KEY_ENV: "k" * 12}),
            client=client,
            policy=PollPolicy(interval=2),
            monotonic=FakeTime(),
        )
        report = poller.poll_once()
    assert report.reason.startswith("quota spent; waiting") and report.delay == AP_QUOTA_WAIT == 10.0


def test_constructed_v3_parse_prints_aps_call_as_aps(capsys) -> None:
    from tracker.cli import main

    assert main(["parse", str(CONSTRUCTED)]) == 0
    out = capsys.readouterr().out
    assert "AP called: Dana Example" in out and "AP: runoff between Flynn Example, Gray Sample" in out
    assert main(["parse", str(CONSTRUCTED), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["contests"][0]["call"] == {"by": "AP", "winners": ["601"], "advancing": []}
    assert summary["contests"][1]["threshold_source"] == "AP winThreshold 45"


def test_constructed_v3_absurd_counts_and_eevp_are_no_crash() -> None:
    """Found by the fuzzer (seed 20260418, input 3925): a 400-digit vote count overflowed float."""
    from benchmarks import fuzz
    from tracker.core.errors import FeedError
    from tracker.feeds.ap import expected_from_eevp

    assert expected_from_eevp(10**400, 50.0) is None
    doc = json.loads(CONSTRUCTED.read_bytes())
    doc["races"][0]["reportingUnits"][1]["eevp"] = 10**400
    assert parse_ap_v3(json.dumps(doc).encode()).contest("CONSTRUCTED-20001").units[0].expected_votes is None
    with contextlib.suppress(FeedError):  # one sentence or a Snapshot, never another exception
        parse_ap_v3(fuzz.mutated_input("ap-v3", 20260418, 3925))
