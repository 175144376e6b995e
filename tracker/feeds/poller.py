"""Polling a live feed: the loop that makes each round's requests and hands its report on.

:class:`Poller` is the only code here that touches the network or sleeps. What it decides, it asks
pure functions of the modules beside it, each with one job (tests drive them in fake time):

* :mod:`~tracker.feeds.poll_schedule` — when the next poll goes out: the user's interval, capped
  jittered backoff, a server's ``Retry-After``, AP's quota;
* :mod:`~tracker.feeds.fetch` — one GET: conditional (``If-None-Match`` / ``If-Modified-Since``),
  bounded in size and time, the key scrubbed from what comes back;
* :mod:`~tracker.feeds.version_rules` — what counts as a new version, feed by feed (Clarity's
  ``current_ver.txt``, a document's own publication time, AP's ``nextrequest`` and empty deltas);
* :mod:`~tracker.feeds.poll_reports` — what a poll tells the rest of the app: fetch events,
  reports, the feed's health;
* :mod:`~tracker.feeds.clarity_rounds` — a Clarity site's round (``current_ver.txt``, then only what
  a new version needs), mixed into :class:`Poller`.

Their names are re-exported here, so ``from tracker.feeds.poller import PollPolicy`` (and every
other name this module had before it was split) keeps working; the ``record`` command and the
window's feed job look ``PollPolicy`` up here, where tests replace it with a quicker one.

A round (issue 4): one request for most feeds; AP v3's ``isTruncated`` pages are fetched at once, in
the same round (at most :data:`AP_MAX_PAGES`), as AP's documentation asks; a Clarity version's
``summary.json`` and its detail are two reports of one round (``PollReport.more``).

Every request carries connect and read timeouts (:mod:`tracker.feeds.client`). Nothing here imports
Qt: the window runs :class:`Poller` in a worker thread, the ``record`` command in the main thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tracker.core.errors import FeedError
from tracker.feeds.clarity_rounds import BACKFILL_GIVE_UP, MAX_COUNTY_SITES, SUMMARY_GIVE_UP, ClarityRounds
from tracker.feeds.errors import plain_error
from tracker.feeds.fetch import Validators, bounded_get, conditional_headers, format_size, scrub_secret
from tracker.feeds.poll_reports import FeedHealth, FetchEvent, PollReport, health_after
from tracker.feeds.poll_schedule import (
    AP_QUOTA_WAIT,
    DEFAULT_INTERVAL,
    MAX_WAIT,
    MIN_INTERVAL,
    Decision,
    Outcome,
    PollPolicy,
    PollState,
    backoff_delay,
    bounded_wait,
    decide,
    earliest_next,
    error_outcome,
    parse_rate_limit_reset,
    parse_retry_after,
)
from tracker.feeds.version_rules import (
    AP_MAX_PAGES,
    ap_empty_delta,
    ap_next_url,
    ap_truncated,
    clarity_action,
    document_action,
    document_time,
    parse_clarity_version,
)

__all__ = [
    "AP_MAX_PAGES",
    "AP_QUOTA_WAIT",
    "BACKFILL_GIVE_UP",
    "DEFAULT_INTERVAL",
    "MAX_COUNTY_SITES",
    "MAX_WAIT",
    "MIN_INTERVAL",
    "SUMMARY_GIVE_UP",
    "VERSIONED",
    "Decision",
    "FeedHealth",
    "FetchEvent",
    "Outcome",
    "PollPolicy",
    "PollReport",
    "PollState",
    "Poller",
    "Validators",
    "ap_empty_delta",
    "ap_next_url",
    "ap_truncated",
    "backoff_delay",
    "bounded_get",
    "bounded_wait",
    "clarity_action",
    "conditional_headers",
    "decide",
    "document_action",
    "document_time",
    "earliest_next",
    "error_outcome",
    "format_size",
    "health_after",
    "parse_clarity_version",
    "parse_rate_limit_reset",
    "parse_retry_after",
    "scrub_secret",
]

if TYPE_CHECKING:
    import httpx

    from tracker.feeds.discovery import FeedTarget


#: Feed kinds whose documents carry their own publication time (discovery.VERSIONED_KINDS).
VERSIONED = ("gasos", "ev")

log = logging.getLogger(__name__)


class Poller(ClarityRounds):
    """Polls one :class:`~tracker.feeds.discovery.FeedTarget` with a shared ``httpx.Client``.

    ``poll_once()`` makes the requests of one round (Clarity: ``current_ver.txt``, then the zip when
    the version moved) and returns the events; ``run()`` repeats it until ``stop`` is set, sleeping
    on the event so a stop is immediate. The clocks and the random source are injectable. A
    Clarity round is :class:`~tracker.feeds.clarity_rounds.ClarityRounds`'s.
    """

    def __init__(
        self,
        target: FeedTarget,
        *,
        client: httpx.Client,
        policy: PollPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        rand: Callable[[], float] = random.random,
        max_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.target = target
        self.policy = policy or PollPolicy()
        self._client = client
        self._monotonic = monotonic
        self._wall = wall
        self._rand = rand
        self._max_bytes = max_bytes
        self.state = PollState()
        self._validators: dict[str, Validators] = {}
        self._last_sha: str | None = None
        #: The last Clarity summary.json's SHA-256 (its own, so that the detail in between does
        #: not make an unchanged summary look new).
        self._summary_sha: str | None = None
        #: Set by a round whose report has ``more`` to come (see :attr:`PollReport.more`).
        self._more = False
        #: Payloads the recorder could not read (SHA-256 → why), see :meth:`payload_unreadable`.
        self._unreadable: dict[str, str] = {}
        self._state_before: PollState = self.state
        #: Monotonic time the next round is due (``run`` waits for it).
        self.next_at: float = 0.0
        self._init_clarity()
        self._next_url = target.url
        #: The newest publication time of a versioned document (Georgia export, Enhanced Voting).
        self._doc_time: dt.datetime | None = None
        self._doc_time_before: dt.datetime | None = None
        self._last_wall: dt.datetime | None = None
        self.polls = 0

    def _fetch_time(self) -> dt.datetime:
        """The wall time of a fetch, never earlier than the previous one: a night's versions are
        ordered by it, and a clock stepped back (NTP, a laptop waking) must not reorder them."""
        now = self._wall()
        if self._last_wall is not None and now < self._last_wall:
            now = self._last_wall
        self._last_wall = now
        return now

    # one request ---------------------------------------------------------------------------------
    def _get(self, url: str, *, conditional: bool = True) -> tuple[httpx.Response | None, bytes, str | None]:
        """GET ``url`` (with its validators unless not ``conditional``) within the policy's limits:
        :func:`~tracker.feeds.fetch.bounded_get`."""
        headers = conditional_headers(self._validators.get(url)) if conditional else {}
        headers.update(self.target.headers)
        return bounded_get(
            self._client,
            url,
            headers=headers,
            total_timeout=self.policy.total_timeout,
            max_bytes=self._max_bytes,
            monotonic=self._monotonic,
            redact=self.target.redact,
        )

    def _error_outcome(self, response: httpx.Response | None, error: str | None) -> Outcome:
        return error_outcome(response, error, kind=self.target.kind, wall=self._wall)

    def _event(self, url: str, kind: str, response: httpx.Response | None, **extra: object) -> FetchEvent:
        headers = response.headers if response is not None else {}
        return FetchEvent(
            fetched_at=self._fetch_time(),
            url=self.target.redact(url),
            kind=kind,
            status=response.status_code if response is not None else None,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            **extra,  # type: ignore[arg-type]
        )

    def _fetch_document(
        self, url: str, *, version: str | None = None, slot: str = "document"
    ) -> tuple[list[FetchEvent], Outcome]:
        """GET one document; a new body becomes a "new" event with its format. ``slot``
        "summary" compares the body with the last summary.json, not with the last document."""
        response, body, error = self._get(url)
        if response is None or error is not None or response.status_code >= 400:
            outcome = self._error_outcome(response, error)
            return [self._event(url, "error", response, error=outcome.error)], outcome
        if response.status_code == 304:
            return [self._event(url, "not-modified", response)], Outcome(ok=True)
        self._validators[url] = Validators(
            response.headers.get("ETag"), response.headers.get("Last-Modified")
        )
        sha = hashlib.sha256(body).hexdigest()
        if sha in self._unreadable:  # the same unreadable bytes again: still an error, not "same"
            message = self._unreadable[sha]
            return [self._event(url, "error", response, error=message)], Outcome(ok=False, error=message)
        if sha == (self._summary_sha if slot == "summary" else self._last_sha):
            return [self._event(url, "same", response, version=version)], Outcome(ok=True)
        try:
            fmt = self.target.format_of(body, url)
        except FeedError as exc:
            message = str(exc)
            return [self._event(url, "error", response, error=message)], Outcome(ok=False, error=message)
        if slot == "summary":
            self._summary_sha = sha
        else:
            self._last_sha = sha
        data = scrub_secret(body, self.target.api_key)
        return [self._event(url, "new", response, data=data, fmt=fmt, version=version)], Outcome(ok=True)

    # one round -----------------------------------------------------------------------------------
    def _round(self) -> tuple[list[FetchEvent], Outcome]:
        target = self.target
        if target.kind == "clarity":
            return self._clarity_round()
        url = self._next_url
        events, outcome = self._fetch_document(url)
        if target.kind == "ap":
            pages = 1
            while True:
                if not events or events[-1].data is None:
                    break
                body = events[-1].data
                if target.follow_nextrequest:
                    self._next_url = ap_next_url(body, url)
                if ap_empty_delta(body, url):  # "nothing changed since": no new version to record
                    events[-1] = replace(events[-1], kind="same", data=None, fmt=None)
                    break
                if not (ap_truncated(body) and self._next_url != url and pages < AP_MAX_PAGES):
                    break
                url, pages = self._next_url, pages + 1  # the rest of the changes, at once
                more, outcome = self._fetch_document(url)
                events += more
        elif target.kind in VERSIONED and events and events[-1].data is not None:
            new = events[-1]
            when = document_time(new.data or b"", new.fmt)
            action = document_action(when, self._doc_time)
            if action == "new":
                self._doc_time_before, self._doc_time = self._doc_time, when or self._doc_time
            else:
                note = (
                    f"stale version {when:%Y-%m-%d %H:%M:%S} "
                    f"(newest seen {self._doc_time:%Y-%m-%d %H:%M:%S}); not shown"
                    if action == "stale" and when is not None and self._doc_time is not None
                    else None
                )
                events[-1] = replace(new, kind=action, data=None, fmt=None, error=note)
        return events, outcome

    def poll_once(self) -> PollReport:
        """Make one round of requests now; return its events and when the next round is due."""
        start = self._monotonic()
        self.state = replace(self.state, last_request=start)
        self._state_before = self.state
        self._more = False
        events, outcome = self._round()
        self.polls += 1
        return self._decided(tuple(events), outcome, more=self._more)

    def _decided(self, events: tuple[FetchEvent, ...], outcome: Outcome, *, more: bool = False) -> PollReport:
        now = self._monotonic()
        decision = decide(self._state_before, outcome, now, self.policy, self._rand())
        self.state = decision.state
        delay, reason = decision.delay, decision.reason
        if more:  # the same round's detail, at once (as AP's isTruncated pages are)
            delay, reason = 0.0, "fetching the version's detail"
            self.next_at = now
        else:
            self.next_at = earliest_next(self.state, delay, now, self.policy)
        return PollReport(
            events, self.state, delay, reason, self.next_at, counties=self.county_status, more=more
        )

    def payload_unreadable(self, report: PollReport, error: str) -> PollReport:
        """The recorder could not read the new payload of ``report`` (malformed, truncated…): the
        round becomes an error after all. The feed's health shows it and backs off, and the same
        bytes are answered with the same error (not "unchanged") until the feed serves others;
        a Clarity version whose file was unreadable is fetched again. Returns the corrected report
        (``run`` waits for its ``next_at``)."""
        for event in report.events:
            if event.kind == "new" and event.data is not None:
                sha = hashlib.sha256(event.data).hexdigest()
                if len(self._unreadable) >= 256:
                    self._unreadable.pop(next(iter(self._unreadable)))
                self._unreadable[sha] = error
                if sha == self._last_sha:
                    self._last_sha = None
                if sha == self._summary_sha:
                    self._summary_sha = None
                for url in [u for u in self._validators if self.target.redact(u) == event.url]:
                    del self._validators[url]  # else the next request is answered 304, "fine"
                if self.target.kind in VERSIONED:  # its time must not make the mended one "same"
                    self._doc_time = self._doc_time_before
                if self.target.kind == "clarity" and event.version is not None and event.version.isdigit():
                    self._forget_clarity_version(int(event.version))
        # an unreadable summary.json is this report's error, but its version's detail still
        # comes at once (``more``): the summary is only the fast path
        return self._decided(report.events, Outcome(ok=False, error=error), more=report.more)

    def run(
        self,
        sink: Callable[[PollReport], None],
        stop: threading.Event,
        *,
        max_polls: int | None = None,
    ) -> None:
        """Poll until ``stop`` is set (or ``max_polls`` rounds), handing every report to ``sink``
        on this thread. The wait between rounds is ``stop.wait``: setting ``stop`` ends it at once."""
        count = 0
        while not stop.is_set():
            try:
                report = self.poll_once()
                sink(report)  # (may call payload_unreadable, which moves next_at)
            except Exception as exc:
                if stop.is_set():  # the sink gave up on purpose (its night is unusable): its error
                    raise
                self._survive(exc, sink)
            if not self._pending:  # a summary's report and its detail's are one round
                count += 1
            if max_polls is not None and count >= max_polls:
                return
            wait = min(self.next_at - self._monotonic(), MAX_WAIT)
            if wait > 0 and stop.wait(wait):
                return

    def _survive(self, exc: Exception, sink: Callable[[PollReport], None]) -> None:
        """Anything unexpected in a round (a parser's RecursionError, an OverflowError, a full
        disk under the recorder) is an error of this round, shown in the feed's health and
        backed off from like any other; the loop goes on (issue 19)."""
        log.warning("poll of %s failed unexpectedly", self.target.display_url, exc_info=True)
        why = self.target.redact(str(exc).splitlines()[0] if str(exc) else "")
        # in words (the user guide: no exception names or error numbers); the log keeps the rest
        why = plain_error(why)
        message = f"unexpected error: {why}" if why else "unexpected error"
        report = self._decided((), Outcome(ok=False, error=message[:300]))
        try:
            sink(report)
        except Exception:
            log.warning("the feed's sink failed again", exc_info=True)
