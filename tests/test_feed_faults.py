"""Every feed fault, over real loopback HTTP: the headless core keeps running, says what is wrong in
the feed's health, keeps everything already recorded, and recovers when the fault ends.

The core is what ``election-tracker record`` runs: the real :class:`Poller` loop and
:func:`record_feed` (the recorder) on a thread, against :class:`FaultyFeedServer` (``serve`` with
faults switched on and off, ``tests/fault_server.py``) serving a bundled night. The server's replay
clock is a step clock: version 0 is live, the fault goes on, version 1 is released *under* the
fault, then the fault goes off and version 1 must be recorded and become current. Short backoffs
come from the poll policy (parameters, not sleeps); its timeouts are generous except in the tests
whose fault is a timeout, where the server holds the connection until the fault is cleared, far
longer than the timeout. Every wait is bounded, and long: a bound, never a timing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from fault_server import (
    JUNE,
    POLICY,
    SPEED,
    TIMEOUT_POLICY,
    Core,
    Fault,
    FaultyFeedServer,
    StepClock,
    rezip_detail,
)

from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.feeds import errors
from tracker.feeds.poller import PollPolicy


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _served(server: FaultyFeedServer, index: int) -> bytes:
    """The bytes the feed serves for version ``index`` (as the poller fetches them)."""
    kind = {"native": "native", "ap": "ap", "clarity": "clarity"}[server.fmt]
    return server.document(index, kind).body


def _check_recording(path: Path, expected: list[bytes], error_part: str | None) -> list[str]:
    """The night holds ``expected`` as its current versions, byte for byte, and logs the error."""
    with NightFile.open(path) as night:
        kept = [night.payload(v.payload_id) for v in current_versions(night.versions())]
        assert kept == expected
        errors = [f.error or "" for f in night.fetches() if f.error]
    if error_part is not None:
        assert any(error_part in e for e in errors), errors
    return errors


def _fault_then_recover(
    tmp_path: Path,
    fault: Fault,
    error_part: str,
    *,
    fmt: str = "native",
    max_bytes: int = 256 * 1024 * 1024,
    policy: PollPolicy = POLICY,
    on_fault: Callable[[FaultyFeedServer, Core], None] | None = None,
) -> tuple[FaultyFeedServer, Core, Path]:
    """Version 0 live; ``fault`` on; version 1 released under it; the health must show
    ``error_part``; the fault off; version 1 must be recorded and current. Returns the pieces."""
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night", policy=policy, max_bytes=max_bytes)
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            first = _served(server, 0)
            server.set_fault(fault)
            step.release(1)
            failing = core.wait_health(
                lambda h: error_part in (h.error or ""), f"the health to say {error_part!r}"
            )
            assert failing.failures >= 1 and failing.backoff > 0
            assert core.payloads_shown() == [_sha(first)]  # the last good version stays current
            if on_fault is not None:
                on_fault(server, core)
            server.clear()
            core.wait(lambda: len(core.shown) == 2, "version 1 after the fault")
            healthy = core.wait_health(lambda h: h.error is None, "the error to clear")
            assert healthy.failures == 0 and healthy.last_version == core.shown[-1].version
            second = _served(server, 1)
        finally:
            path = core.stop()
    assert core.payloads_shown() == [_sha(first), _sha(second)]
    _check_recording(path, [first, second], error_part)
    return server, core, path


# -- transport faults -----------------------------------------------------------------------------------
def test_a_server_that_accepts_but_never_answers_times_out_and_recovers(tmp_path: Path) -> None:
    _fault_then_recover(
        tmp_path, Fault("hang"), "timed out: the server stopped answering", policy=TIMEOUT_POLICY
    )


def test_a_read_stall_mid_body_times_out_and_recovers(tmp_path: Path) -> None:
    _fault_then_recover(
        tmp_path, Fault("stall"), "timed out: the server stopped answering", policy=TIMEOUT_POLICY
    )


def test_a_connection_reset_is_an_error_and_recovers(tmp_path: Path) -> None:
    # in words (tracker.feeds.errors), not "ReadError": the connection broke mid-answer
    _fault_then_recover(tmp_path, Fault("reset"), "the connection broke")


@pytest.mark.parametrize(
    ("status", "phrase"), [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable")]
)
def test_server_errors_back_off_and_recover(tmp_path: Path, status: int, phrase: str) -> None:
    _server, core, _path = _fault_then_recover(
        tmp_path, Fault("status", status=status, body=b"<html>error</html>"), f"HTTP {status} {phrase}"
    )
    failing = [r for r in core.reports if f"HTTP {status}" in (r.state.error or "")]
    assert failing and all(r.reason.startswith("error") for r in failing)
    backoffs = [r.state.backoff for r in failing]
    assert backoffs[:3] == sorted(backoffs[:3]) and max(backoffs) <= POLICY.backoff_cap  # doubling, capped


def test_a_503_with_retry_after_is_honoured(tmp_path: Path) -> None:
    _server, core, _path = _fault_then_recover(
        tmp_path, Fault("status", status=503, retry_after="1"), "HTTP 503"
    )
    asked = [r for r in core.reports if "HTTP 503" in (r.state.error or "")]
    assert asked and asked[0].delay == 1.0 and asked[0].reason == "error; the server asked us to wait"


def test_a_truncated_transfer_is_an_error_not_a_version(tmp_path: Path) -> None:
    _fault_then_recover(tmp_path, Fault("truncate"), "closed the connection before the answer was complete")


def test_a_document_cut_short_but_delivered_whole_is_unreadable_and_kept_out(tmp_path: Path) -> None:
    """The HTTP exchange is fine; the JSON ends half way: the recorder cannot read it, the feed's
    health says so (an error with a backoff, not "unchanged"), and nothing of it becomes current."""

    def polled_again(server: FaultyFeedServer, core: Core) -> None:
        # the same bad bytes polled again stay an error (not "same", which would look healthy)
        core.wait(lambda: core.health.failures >= 3, "the same bad bytes to be polled again")
        assert "unreadable payload" in (core.health.error or "")

    _fault_then_recover(
        tmp_path,
        Fault("body", transform=lambda b: b[: len(b) // 2]),
        "unreadable payload",
        on_fault=polled_again,
    )


def _malformed_json(body: bytes) -> bytes:
    """Synthetic damage to a real payload: a brace and a quote swapped for garbage mid-document."""
    mid = len(body) // 2
    return body[:mid] + b'}}"\x00<<' + body[mid + 5 :]


def test_malformed_json_is_unreadable_and_recovers(tmp_path: Path) -> None:
    _fault_then_recover(tmp_path, Fault("body", transform=_malformed_json), "unreadable payload")


def test_a_utf16_payload_is_one_clear_error_and_recovers(tmp_path: Path) -> None:
    """The wrong encoding altogether (UTF-16 with its BOM): one sentence that says so."""
    _fault_then_recover(
        tmp_path,
        Fault("body", transform=lambda b: b.decode("utf-8").encode("utf-16")),
        "feed.json is UTF-16 text",
    )


def _malformed_zip_xml(body: bytes) -> bytes:
    """A real detailxml.zip whose detail.xml is cut mid-element (synthetic damage)."""
    return rezip_detail(body, lambda xml: xml[: len(xml) // 2] + b"<Choice key=")


def test_malformed_clarity_xml_is_unreadable_and_the_version_is_fetched_again(tmp_path: Path) -> None:
    """Clarity: current_ver.txt announces the version, its zip holds broken XML. The version is not
    taken as seen: once the zip is mended (same version number) it is fetched and shown."""
    _fault_then_recover(
        tmp_path,
        Fault("body", match="detailxml.zip", transform=_malformed_zip_xml),
        "unreadable payload",
        fmt="clarity",
    )


def test_a_clarity_version_that_vanishes_is_asked_for_again(tmp_path: Path) -> None:
    """current_ver.txt names a version whose files answer 404 (announced before it was uploaded, or
    pulled): an error with a backoff; current_ver.txt is asked again in full (not answered 304), and
    the version is recorded once its file is there."""
    _server, core, _path = _fault_then_recover(
        tmp_path, Fault("status", match="/reports/", status=404, body=b"not found"), "HTTP 404", fmt="clarity"
    )
    assert any(e.kind == "version" for r in core.reports for e in r.events)


def test_ap_over_quota_waits_for_the_reset_and_recovers(tmp_path: Path) -> None:
    _server, core, _path = _fault_then_recover(
        tmp_path,
        Fault("status", status=403, body=b"Over quota limit.\n", retry_after="1"),
        "HTTP 403",
        fmt="ap",
    )
    quota = [r for r in core.reports if "HTTP 403" in (r.state.error or "")]
    assert quota and all(r.reason.startswith("quota") and r.delay >= 1.0 for r in quota)


def test_a_connect_timeout_is_an_error_and_recovers(tmp_path: Path) -> None:
    """The listening socket's backlog is full: connections time out before any byte is sent."""
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="native", speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night", policy=TIMEOUT_POLICY)
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            server.block_connects()
            step.release(1)
            core.wait(lambda: errors.CONNECT_TIMEOUT in (core.health.error or ""), "a connect timeout")
            server.unblock_connects()
            core.wait(lambda: len(core.shown) == 2, "version 1")
            core.wait_health(lambda h: h.error is None, "the error to clear")
            expected = [_served(server, 0), _served(server, 1)]
        finally:
            path = core.stop()
    _check_recording(path, expected, errors.CONNECT_TIMEOUT)


@pytest.mark.slow
def test_a_server_trickling_bytes_is_cut_off_at_the_total_deadline(tmp_path: Path) -> None:
    """A byte every 0.05 s, far within the read timeout (15 s), so only the total deadline (5 s)
    ends it: the document's thousands of bytes would take minutes."""
    policy = replace(POLICY, total_timeout=5.0)
    _fault_then_recover(
        tmp_path, Fault("trickle", trickle_s=0.05), "the response took longer than 5 s", policy=policy
    )


def test_a_payload_over_the_size_limit_announced_is_refused_unread(tmp_path: Path) -> None:
    server, _core, _path = _fault_then_recover(
        tmp_path,
        Fault("huge", huge_bytes=64 * 2**20, announce=True),
        "the response is larger than the 512 KB limit",
        max_bytes=512 * 1024,
    )
    assert server.sent < 32 * 2**20  # the client hung up: it did not take the 64 MB


def test_a_payload_over_the_size_limit_unannounced_is_cut_off_with_memory_bounded(tmp_path: Path) -> None:
    """No Content-Length: the body is read up to the limit, then the connection is dropped. The
    poll thread's memory stays near the limit, far below what the server tries to send."""
    import tracemalloc

    peak: list[int] = []

    def measure(server: FaultyFeedServer, core: Core) -> None:
        peak.append(tracemalloc.get_traced_memory()[1])

    tracemalloc.start()
    try:
        server, _core, _path = _fault_then_recover(
            tmp_path,
            Fault("huge", huge_bytes=64 * 2**20, announce=False),
            "the response is larger than the 512 KB limit",
            max_bytes=512 * 1024,
            on_fault=measure,
        )
    finally:
        tracemalloc.stop()
    assert server.sent < 32 * 2**20
    assert peak and peak[0] < 16 * 2**20  # (the whole process: parsing, the server, the test)
