"""Polling decisions in fake time, URL discovery, redaction, and which version is current.

The pure functions are driven with explicit ``now`` and random numbers; the Poller itself runs over
``httpx.MockTransport`` (no socket at all) with a fake monotonic clock, so a 300-second backoff
takes no time. The real-network tests are in ``test_serve_record.py`` (loopback only).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.archive.night import Version
from tracker.archive.recorder import VersionKey, current_versions, is_older
from tracker.core.errors import FeedError
from tracker.feeds.client import BROWSER_USER_AGENT, make_client, redact_headers, redact_text, redact_url
from tracker.feeds.discovery import AP_KEY_ENV, discover
from tracker.feeds.poller import (
    Outcome,
    Poller,
    PollPolicy,
    PollState,
    Validators,
    ap_next_url,
    backoff_delay,
    clarity_action,
    conditional_headers,
    decide,
    earliest_next,
    parse_clarity_version,
    parse_retry_after,
)

NOW_WALL = dt.datetime(2017, 4, 19, 2, 0, tzinfo=dt.UTC)


# -- backoff and the interval ---------------------------------------------------------------------------
def test_backoff_doubles_and_is_capped() -> None:
    policy = PollPolicy(interval=1, backoff_base=5, backoff_cap=300, jitter=0.5)
    no_jitter = [backoff_delay(n, policy, 0.0) for n in range(1, 10)]
    assert no_jitter == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert backoff_delay(10_000, policy, 0.0) == 300  # no overflow after a very long outage


def test_jitter_only_shortens_within_bounds() -> None:
    policy = PollPolicy(interval=1, backoff_base=8, backoff_cap=64, jitter=0.5)
    for n in range(1, 8):
        full = min(64, 8 * 2 ** (n - 1))
        for r in (0.0, 0.25, 0.5, 0.999):
            d = backoff_delay(n, policy, r)
            assert full * 0.5 <= d <= full
    assert backoff_delay(3, policy, 0.1) != backoff_delay(3, policy, 0.9)  # clients spread out


def test_backoff_never_faster_than_the_users_interval() -> None:
    policy = PollPolicy(interval=60, backoff_base=5, backoff_cap=300)
    assert all(backoff_delay(n, policy, 0.99) >= 60 for n in range(1, 12))


def test_success_resets_failures_and_polls_at_the_interval() -> None:
    policy = PollPolicy(interval=30)
    state = PollState()
    for _ in range(4):
        state = decide(state, Outcome(ok=False, error="HTTP 503"), 0.0, policy, 0.0).state
    assert state.failures == 4 and state.error == "HTTP 503" and state.backoff > 30
    decision = decide(state, Outcome(ok=True), 100.0, policy, 0.0)
    assert decision.delay == 30 and decision.state.failures == 0 and decision.state.error is None


def test_retry_after_longer_than_the_backoff_is_honoured() -> None:
    policy = PollPolicy(interval=10, backoff_base=5)
    decision = decide(PollState(), Outcome(ok=False, retry_after=120, error="HTTP 503"), 0.0, policy, 0.0)
    assert decision.delay == 120


def test_ap_quota_waits_until_it_resets_and_no_request_goes_out_before() -> None:
    policy = PollPolicy(interval=10)
    decision = decide(
        PollState(), Outcome(ok=False, quota=True, retry_after=900, error="quota"), 50.0, policy, 0.0
    )
    assert decision.delay == 900 and decision.state.not_before == 950
    assert earliest_next(decision.state, 0.0, 60.0, policy) == 950
    # without a reset time: a long backoff that grows, capped
    policy = PollPolicy(interval=10, quota_backoff=60, backoff_cap=300)
    state = PollState()
    delays = []
    for _ in range(5):
        d = decide(state, Outcome(ok=False, quota=True), 0.0, policy, 0.0)
        state = d.state
        delays.append(d.delay)
    assert delays == [60, 120, 240, 300, 300]


def test_next_poll_is_never_sooner_than_one_interval_after_the_last_request() -> None:
    policy = PollPolicy(interval=30)
    state = PollState(last_request=100.0)
    assert earliest_next(state, 0.0, 101.0, policy) == 130.0
    assert earliest_next(state, 30.0, 110.0, policy) == 140.0


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        PollPolicy(interval=0)
    with pytest.raises(ValueError):
        PollPolicy(jitter=1.0)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert parse_retry_after("120", NOW_WALL) == 120
    assert parse_retry_after("Wed, 19 Apr 2017 02:05:00 GMT", NOW_WALL) == 300
    assert parse_retry_after("soon", NOW_WALL) is None
    assert parse_retry_after(None, NOW_WALL) is None


def test_conditional_headers() -> None:
    assert conditional_headers(None) == {}
    assert conditional_headers(Validators('"abc"', "Wed, 19 Apr 2017 02:05:00 GMT")) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Wed, 19 Apr 2017 02:05:00 GMT",
    }


# -- Clarity versions ---------------------------------------------------------------------------------------
def test_clarity_version_decisions() -> None:
    assert parse_clarity_version(b"271066\r\n") == 271066
    with pytest.raises(FeedError):
        parse_clarity_version(b"<html>Access denied</html>")
    assert clarity_action(274437, None, set()) == "fetch"
    assert clarity_action(274465, 274437, {274437}) == "fetch"
    assert clarity_action(274465, 274465, {274437, 274465}) == "same"
    # the real fault of 5 Jan 2021: 274465 -> 274437 -> 274465
    assert clarity_action(274437, 274465, {274437, 274465}) == "stale"


def test_ap_nextrequest_same_host_only_scheme_kept() -> None:
    body = json.dumps({"nextrequest": "http://api.ap.org/v2/elections/2016-03-01?format=json&minDateTime=X"})
    current = "https://api.ap.org/v2/elections/2016-03-01?format=json"
    assert (
        ap_next_url(body.encode(), current)
        == "https://api.ap.org/v2/elections/2016-03-01?format=json&minDateTime=X"
    )
    fake = json.dumps({"nextrequest": "http://zombo.com"}).encode()  # AP's fake election
    assert ap_next_url(fake, current) == current
    assert ap_next_url(b"not json", current) == current


# -- discovery and secrets --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://results.enr.clarityelections.com/GA/63991/",
        "https://results.enr.clarityelections.com/GA/63991/web.264614/#/summary",
        "results.enr.clarityelections.com/GA/63991/current_ver.txt",
        "https://results.enr.clarityelections.com/GA/63991/271066/reports/detailxml.zip",
        "https://results.enr.clarityelections.com/GA/63991/271066/json/en/summary.json",
    ],
)
def test_clarity_links_as_users_copy_them(url: str) -> None:
    target = discover(url, env={})
    assert target.kind == "clarity" and target.clarity == ("GA", None, "63991")
    assert target.url == "https://results.enr.clarityelections.com/GA/63991/"
    assert target.clarity_version_url().endswith("/GA/63991/current_ver.txt")
    assert target.clarity_payload_url(271066).endswith("/GA/63991/271066/reports/detailxml.zip")


def test_clarity_county_site_and_loopback_layout() -> None:
    county = discover("https://results.enr.clarityelections.com/GA/Fulton/63992/web.264614/#/summary", env={})
    assert county.clarity == ("GA", "Fulton", "63992") and county.url.endswith("/GA/Fulton/63992/")
    loop = discover("http://127.0.0.1:8765/GA/12345/", env={})
    assert loop.kind == "clarity" and loop.url == "http://127.0.0.1:8765/GA/12345/"
    assert discover("http://127.0.0.1:8765/GA/2024/feed.json", env={}).kind == "native"


def test_ap_key_from_env_sent_as_header_never_in_the_url() -> None:
    target = discover("https://api.ap.org/v2/elections/2016-11-08?level=ru", env={AP_KEY_ENV: "s3cr3t"})
    assert target.kind == "ap" and target.api_key == "s3cr3t"
    assert "s3cr3t" not in target.url and "s3cr3t" not in repr(target)
    assert target.headers == {"x-api-key": "s3cr3t"}
    in_url = discover("https://api.ap.org/v2/elections/2016-11-08?apiKey=k3y&level=ru", env={})
    assert in_url.api_key == "k3y" and "k3y" not in in_url.url and "apiKey" not in in_url.url
    with pytest.raises(FeedError, match=AP_KEY_ENV):
        discover("https://api.ap.org/v2/elections/2016-11-08", env={})


@pytest.mark.parametrize("bad", ["", "   ", "file:///tmp/x.night", "ftp://example.com/feed", "not a url"])
def test_not_a_feed_url_is_one_clear_sentence(bad: str) -> None:
    with pytest.raises(FeedError) as info:
        discover(bad, env={})
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_redaction() -> None:
    assert redact_url("https://api.ap.org/v2/x?apiKey=abc&level=ru") == (
        "https://api.ap.org/v2/x?apiKey=REDACTED&level=ru"
    )
    assert redact_url("http://127.0.0.1/feed.json") == "http://127.0.0.1/feed.json"
    assert "abc" not in redact_text("GET https://x/?apikey=abc failed", ())
    assert redact_text("key s3cr3t leaked", ("s3cr3t",)) == "key REDACTED leaked"
    assert redact_headers({"x-api-key": "abc", "ETag": '"1"'}) == {"x-api-key": "REDACTED", "ETag": '"1"'}


def test_client_has_timeouts_limits_and_a_browser_user_agent() -> None:
    with make_client(connect_timeout=2, read_timeout=7) as client:
        assert client.timeout.connect == 2 and client.timeout.read == 7
        assert "Mozilla/5.0" in client.headers["User-Agent"] == BROWSER_USER_AGENT


# -- the Poller over a mock transport, in fake time --------------------------------------------------
class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _native_doc(version: int) -> bytes:
    return json.dumps(
        {
            "format": "tracker-feed/1",
            "election": {"id": "synthetic", "name": "Synthetic test election"},
            "version": version,
            "contests": [
                {
                    "id": "c",
                    "name": "Synthetic contest",
                    "candidates": [{"id": "a", "name": "Synthetic A"}],
                    "units": [
                        {"id": "u", "name": "U", "kind": "precinct", "votes": {"a": {"Total": version}}}
                    ],
                }
            ],
        }
    ).encode()


def test_poller_sends_conditional_gets_and_backs_off_on_errors_in_fake_time() -> None:
    seen: list[httpx.Request] = []
    script = iter([200, 304, 503, 503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = next(script)
        if status == 200:
            return httpx.Response(200, content=_native_doc(len(seen)), headers={"ETag": f'"v{len(seen)}"'})
        if status == 304:
            return httpx.Response(304)
        return httpx.Response(503, headers={"Retry-After": "1"})

    fake = FakeTime()
    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover("http://127.0.0.1:9/feed.json", env={}),
            client=client,
            policy=PollPolicy(interval=2, backoff_base=4, backoff_cap=16, jitter=0.5),
            monotonic=fake,
            rand=lambda: 0.0,
        )
        kinds, delays = [], []
        for _ in range(5):
            report = poller.poll_once()
            kinds.append(report.events[-1].kind)
            delays.append(report.delay)
            fake.t = report.next_at
    assert kinds == ["new", "not-modified", "error", "error", "new"]
    assert delays == [2, 2, 4, 8, 2]
    assert "If-None-Match" not in seen[0].headers
    assert seen[1].headers["If-None-Match"] == '"v1"'
    assert report.state.failures == 0 and report.state.error is None


def test_poller_ap_403_quota_waits_for_the_reset() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-api-key"] == "k"
        assert "k" not in request.url.query.decode()
        return httpx.Response(403, headers={"Retry-After": "600"}, text="Over quota limit.")

    fake = FakeTime()
    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover("http://127.0.0.1:9/v2/elections/2016-03-01", env={AP_KEY_ENV: "k"}),
            client=client,
            policy=PollPolicy(interval=10),
            monotonic=fake,
        )
        report = poller.poll_once()
    assert report.reason.startswith("quota") and report.delay == 600 and report.next_at == fake.t + 600
    assert report.events[0].kind == "error" and report.events[0].status == 403


def test_poller_error_messages_never_carry_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}?apiKey=topsecret")

    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover("http://127.0.0.1:9/v2/elections/x", env={AP_KEY_ENV: "topsecret"}), client=client
        )
        report = poller.poll_once()
    event = report.events[0]
    assert event.kind == "error" and event.status is None
    assert "topsecret" not in (event.error or "") and "topsecret" not in event.url


def test_poller_clarity_fetches_the_zip_only_when_the_version_moves_and_skips_stale_versions() -> None:
    versions = iter(["100", "100", "101", "100", "101", "102"])
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("current_ver.txt"):
            return httpx.Response(200, text=next(versions))
        fetched.append(path)
        ver = int(path.split("/")[3])
        return httpx.Response(200, content=_native_doc(ver))  # any body: the format is forced below

    target = discover("http://127.0.0.1:9/GA/12345/", env={}, fmt="tracker-feed/1")
    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(target, client=client, monotonic=FakeTime())
        kinds = [[e.kind for e in poller.poll_once().events] for _ in range(6)]
    # (each new version's electionsettings.json is read too: its county sub-sites and versions)
    assert [p for p in fetched if not p.endswith("electionsettings.json")] == [
        f"/GA/12345/{v}/reports/detailxml.zip" for v in (100, 101, 102)
    ]
    assert [p for p in fetched if p.endswith("electionsettings.json")] == [
        f"/GA/12345/{v}/json/en/electionsettings.json" for v in (100, 101, 102)
    ]
    assert kinds == [
        ["version", "new"],
        ["version"],
        ["version", "new"],
        ["stale"],
        ["version"],
        ["version", "new"],
    ]


# -- which version is current -------------------------------------------------------------------------------
def _v(i: int, sha: str, version: str | None, minute: int | None) -> Version:
    t = dt.datetime(2021, 1, 6, 2, 50, tzinfo=dt.UTC) + dt.timedelta(seconds=i)
    published = None if minute is None else dt.datetime(2021, 1, 6, 2, minute, tzinfo=dt.UTC)
    return Version(i, i, t, i, sha, "tracker-feed/1", version, published, "")


def test_is_older_by_time_then_number_then_seen_bytes() -> None:
    t1, t2 = dt.datetime(2021, 1, 6, 2, 0, tzinfo=dt.UTC), dt.datetime(2021, 1, 6, 2, 5, tzinfo=dt.UTC)
    assert is_older(VersionKey("a", "9", t1), VersionKey("b", "1", t2))  # time beats numbers
    assert not is_older(VersionKey("a", "1", t2), VersionKey("b", "9", t1))
    assert is_older(VersionKey("a", "274437"), VersionKey("b", "274465"))
    assert not is_older(VersionKey("a", "x"), VersionKey("b", "y"))
    assert is_older(VersionKey("a", "x"), VersionKey("b", "y"), {"a"})
    assert not is_older(VersionKey("b", "1"), VersionKey("b", "9"))  # the same bytes are the same version


def test_current_versions_drops_a_stale_cache_and_keeps_the_newer_version() -> None:
    # 274465 -> 274437 -> 274465, as Clarity served GA's runoff at 02:50 UTC on 6 Jan 2021
    night = [
        _v(0, "a", "274400", None),
        _v(1, "b", "274437", None),
        _v(2, "c", "274465", None),
        _v(3, "b", "274437", None),
        _v(4, "c", "274465", None),
        _v(5, "d", "274500", None),
    ]
    shown = current_versions(night)
    assert [v.sha256 for v in shown] == ["a", "b", "c", "d"]
    assert [v.index for v in shown] == [0, 1, 2, 3]
    # without version numbers or times: bytes seen before are old
    plain = [_v(0, "a", None, None), _v(1, "b", None, None), _v(2, "a", None, None), _v(3, "c", None, None)]
    assert [v.sha256 for v in current_versions(plain)] == ["a", "b", "c"]


def test_fetch_times_never_go_back_when_the_wall_clock_is_stepped_back() -> None:
    walls = iter(
        [
            dt.datetime(2017, 4, 19, 2, 0, 0, tzinfo=dt.UTC),
            dt.datetime(2017, 4, 19, 1, 59, 0, tzinfo=dt.UTC),  # NTP stepped the clock back
            dt.datetime(2017, 4, 19, 2, 0, 5, tzinfo=dt.UTC),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(304)

    with make_client(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            discover("http://127.0.0.1:9/feed.json", env={}),
            client=client,
            monotonic=FakeTime(),
            wall=lambda: next(walls),
        )
        times = [poller.poll_once().events[0].fetched_at for _ in range(3)]
    assert times == sorted(times) and times[1] == times[0]


def test_clarity_site_without_a_zip_falls_back_to_summary_json() -> None:
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        fetched.append(path)
        if path.endswith("current_ver.txt"):
            return httpx.Response(200, text="271066")
        if path.endswith("detailxml.zip"):
            return httpx.Response(404, text="<html>Not found</html>")
        return httpx.Response(200, content=_native_doc(1))  # any body: the format is forced below

    target = discover("http://127.0.0.1:9/GA/105369/", env={}, fmt="tracker-feed/1")
    versions = iter(["271066", "271067"])

    def handler2(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("current_ver.txt"):
            fetched.append(request.url.path)
            return httpx.Response(200, text=next(versions))
        return handler(request)

    with make_client(transport=httpx.MockTransport(handler2)) as client:
        poller = Poller(target, client=client, monotonic=FakeTime())
        report = poller.poll_once()
        fetched.append("--")
        poller.poll_once()
    fetched = [p for p in fetched if not p.endswith("electionsettings.json")]  # (read each version too)
    assert fetched == [
        "/GA/105369/current_ver.txt",
        "/GA/105369/271066/reports/detailxml.zip",
        "/GA/105369/271066/json/en/summary.json",
        "--",
        "/GA/105369/current_ver.txt",
        "/GA/105369/271067/json/en/summary.json",  # the zip is not asked for again
    ]
    assert [e.kind for e in report.events] == ["version", "error", "new"]
    assert report.state.failures == 0


# -- properties over any sequence of outcomes (hypothesis, fake time) ---------------------------------

_outcomes = st.lists(
    st.tuples(
        st.sampled_from(["ok", "error", "quota"]),
        st.one_of(st.none(), st.floats(min_value=0, max_value=3600)),
        st.floats(min_value=0, max_value=0.999),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(
    outcomes=_outcomes,
    interval=st.floats(min_value=0.5, max_value=120),
    base=st.floats(min_value=0.5, max_value=30),
    cap=st.floats(min_value=30, max_value=900),
)
def test_any_outcome_sequence_keeps_the_interval_and_the_cap(
    outcomes: list[tuple[str, float | None, float]], interval: float, base: float, cap: float
) -> None:
    """Simulated in fake time: requests are never closer than the interval, a backoff never
    exceeds the cap unless the server asked for longer, a quota wait is never cut short, and one
    success returns to the interval."""
    policy = PollPolicy(interval=interval, backoff_base=base, backoff_cap=cap)
    state, now, sent = PollState(), 0.0, []
    for kind, retry_after, rand in outcomes:
        sent.append(now)
        state = replace(state, last_request=now)
        outcome = Outcome(ok=kind == "ok", quota=kind == "quota", retry_after=retry_after, error=None)
        decision = decide(state, outcome, now, policy, rand)
        state = decision.state
        nxt = earliest_next(state, decision.delay, now, policy)
        assert nxt - now >= interval - 1e-9
        if kind == "ok":
            assert decision.delay == interval and state.failures == 0
        elif kind == "quota" and retry_after is not None:
            assert nxt >= now + retry_after - 1e-9
        elif kind == "error":
            assert decision.delay <= max(cap, interval, retry_after or 0) + 1e-9
        now = nxt
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(g >= interval - 1e-9 for g in gaps)
