"""Polling a live feed: pure decisions (when, what, how long to back off) and the httpx loop.

The decisions are plain functions of a small immutable :class:`PollState`, the outcome of the last
request, ``now`` (a monotonic float) and a random number in [0, 1): tests drive them in fake time,
and the loop below is the only code that touches the network or sleeps.

Rules (issue 4):

* never faster than the user's interval, whatever a server says;
* conditional GETs: ``If-None-Match`` from the last ETag, ``If-Modified-Since`` from the last
  ``Last-Modified`` (a 304 is a fetch event, not a new version);
* exponential backoff with jitter on errors, capped (``backoff_base · 2^(n-1)``, at most
  ``backoff_cap``, jitter shortens it by up to ``jitter`` of itself so that many clients do not
  retry in step), and a server's ``Retry-After`` is honoured when it asks for longer;
* AP: a 403 means the quota is spent: wait until it resets (``Retry-After`` or the
  ``X-RateLimit-Reset`` header when given, else a long backoff), and follow ``nextrequest``
  (same host only; its ``minDateTime`` answers hold only the races changed since, which the
  recorder merges; an answer with no race is "nothing new", a fetch event, not a version);
* AP v3: a ``minDateTime`` answer with ``isTruncated: true`` holds only part of the changes: its
  ``nextrequest`` is fetched at once, in the same round (at most :data:`AP_MAX_PAGES` pages), as
  AP's documentation asks; a 403 without a reset time waits AP's documented 5–10 s
  (:data:`AP_QUOTA_WAIT`), never less than the interval;
* Georgia's export and Enhanced Voting (``VERSIONED_KINDS``): a document whose own publication
  time (``createdAt``, ``lastUpdated``) is older than the newest seen is a stale cache, and one whose
  time has not moved is the same version (a stalled feed re-serialising its answer): neither is
  recorded as new (:func:`document_action`);
* Clarity: poll the tiny ``current_ver.txt`` and fetch the big ``detailxml.zip`` only when the version
  changes; a version *lower* than one already seen is a stale cache and is not fetched again. After
  the first version, a new one's small ``summary.json`` comes first, in a report of its own
  (``PollReport.more``), and its detail in the next call, at once (:meth:`Poller._fast_path`).

Every request carries connect and read timeouts (:mod:`tracker.feeds.client`). Nothing here imports
Qt: the window runs :class:`Poller` in a worker thread, the ``record`` command in the main thread.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
import math
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tracker.core.errors import FeedError

#: Missed versions answered 404 in a row after which a late start stops asking for older ones.
BACKFILL_GIVE_UP = 5
#: The most county sub-sites of one Clarity state site followed (GA has 159).
MAX_COUNTY_SITES = 300
#: A Clarity site's summary.json answered 404 this many times in a row: it publishes none, and
#: the fast path is no longer tried (the detail alone is fetched, as before).
SUMMARY_GIVE_UP = 3
#: Feed kinds whose documents carry their own publication time (discovery.VERSIONED_KINDS).
VERSIONED = ("gasos", "ev")

if TYPE_CHECKING:
    import httpx

    from tracker.feeds.clarity_json import ClaritySettings
    from tracker.feeds.clarity_sites import CountyStatus
    from tracker.feeds.discovery import FeedTarget

# -- policy and state ----------------------------------------------------------------------------

log = logging.getLogger(__name__)

#: The longest any server may make us wait (``Retry-After``, a rate-limit reset, a backoff): an
#: hour. A larger value, or a non-finite one (``inf``, ``nan``), is a server's mistake or attack,
#: not a reason to stop polling for the night (issue 19).
MAX_WAIT = 3600.0

#: A poll interval below this is refused (short intervals are for loopback rehearsals and tests).
MIN_INTERVAL = 0.01
DEFAULT_INTERVAL = 30.0


@dataclass(frozen=True)
class PollPolicy:
    """How often and how patiently to poll. Seconds throughout."""

    #: The user's interval: the shortest time between two polls, always.
    interval: float = DEFAULT_INTERVAL
    #: First backoff after an error; doubles with each further error in a row.
    backoff_base: float = 5.0
    #: Longest backoff (errors) and longest wait for a spent quota when the server gives no reset time.
    backoff_cap: float = 300.0
    #: Fraction by which jitter may shorten a backoff (0 = none, 0.5 = down to half).
    jitter: float = 0.5
    #: Backoff after a 403 quota error when the server gives no reset time.
    quota_backoff: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    #: Longest a whole response may take: a server trickling a byte at a time never trips the read
    #: timeout (each byte resets it), so the body is also cut off at this deadline.
    total_timeout: float = 120.0

    def __post_init__(self) -> None:
        if self.interval < MIN_INTERVAL:
            raise ValueError(f"the poll interval must be at least {MIN_INTERVAL:g} s")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.backoff_base <= 0 or self.backoff_cap < self.backoff_base:
            raise ValueError("backoff_base must be positive and at most backoff_cap")
        if self.total_timeout <= 0:
            raise ValueError("total_timeout must be positive")


@dataclass(frozen=True)
class Validators:
    """What a server said about the last body it sent, for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for the next request of the same URL."""
    headers: dict[str, str] = {}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


@dataclass(frozen=True)
class PollState:
    """What the loop remembers between polls (immutable: each decision returns a new one)."""

    #: Errors in a row (0 after any success, including a 304).
    failures: int = 0
    #: The last error, for the status bar (None once a request succeeds).
    error: str | None = None
    #: The backoff now in force (0 when polling at the normal interval).
    backoff: float = 0.0
    #: Monotonic time before which no request may go out (quota reset).
    not_before: float | None = None
    #: Monotonic time of the last request sent (to keep the interval between requests).
    last_request: float | None = None


@dataclass(frozen=True)
class Outcome:
    """What one poll came back with, as the decisions need it."""

    ok: bool
    #: 403 "over quota" (AP), or 429 Too Many Requests.
    quota: bool = False
    #: Seconds the server asked us to wait (``Retry-After`` / rate-limit reset), if it said.
    retry_after: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Decision:
    state: PollState
    #: Seconds until the next poll.
    delay: float
    #: Why this delay, in a few words (status bar, logs).
    reason: str


def backoff_delay(failures: int, policy: PollPolicy, rand: float) -> float:
    """Exponential backoff with jitter for the ``failures``-th error in a row: ``base · 2^(n-1)``
    capped at ``backoff_cap``, shortened by up to ``jitter`` of itself (``rand`` in [0, 1)),
    never below the user's interval."""
    if failures <= 0:
        return policy.interval
    exponent = min(failures - 1, 30)  # 2**30 · base is far past any cap; avoids float overflow
    raw = min(policy.backoff_cap, policy.backoff_base * 2.0**exponent)
    jittered = raw * (1.0 - policy.jitter * min(max(rand, 0.0), 1.0))
    return max(policy.interval, jittered)


def decide(state: PollState, outcome: Outcome, now: float, policy: PollPolicy, rand: float) -> Decision:
    """The next poll after ``outcome`` (which came back at monotonic time ``now``)."""
    if outcome.ok:
        return Decision(PollState(last_request=state.last_request), policy.interval, "interval")
    failures = state.failures + 1
    outcome = replace(outcome, retry_after=bounded_wait(outcome.retry_after))
    if outcome.quota:
        if outcome.retry_after is not None:
            wait = max(policy.interval, outcome.retry_after)
            reason = "quota spent; waiting for it to reset"
        else:
            wait = max(
                policy.interval, min(policy.backoff_cap, policy.quota_backoff * 2.0 ** min(failures - 1, 30))
            )
            reason = "quota spent; backing off"
        new = replace(state, failures=failures, error=outcome.error, backoff=wait, not_before=now + wait)
        return Decision(new, wait, reason)
    wait = backoff_delay(failures, policy, rand)
    reason = "error; backing off"
    if outcome.retry_after is not None and outcome.retry_after > wait:
        wait, reason = outcome.retry_after, "error; the server asked us to wait"
    new = replace(state, failures=failures, error=outcome.error, backoff=wait, not_before=None)
    return Decision(new, wait, reason)


def earliest_next(state: PollState, delay: float, now: float, policy: PollPolicy) -> float:
    """Monotonic time of the next request: ``now + delay``, but never sooner than one interval
    after the last request, nor before a quota reset."""
    when = now + max(delay, 0.0)
    if state.last_request is not None:
        when = max(when, state.last_request + policy.interval)
    if state.not_before is not None:
        when = max(when, state.not_before)
    return when


def bounded_wait(seconds: float | None) -> float | None:
    """A wait a server asked for, made safe: None when absent or not a finite number, else
    between 0 and :data:`MAX_WAIT`."""
    if seconds is None or not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_WAIT)


def parse_retry_after(value: str | None, now_wall: dt.datetime) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date (at most an hour)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return bounded_wait(float(text)) if len(text) < 12 else MAX_WAIT
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return bounded_wait((when - now_wall).total_seconds())


def parse_rate_limit_reset(value: str | None, now_wall: dt.datetime) -> float | None:
    """``X-RateLimit-Reset``: seconds until reset, or a Unix time (when larger than a day)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if number > 86_400 * 365:
        return bounded_wait(number - now_wall.timestamp())
    return bounded_wait(number)


def format_size(n: int) -> str:
    """``n`` bytes for a message: "256 MB", "64 KB", "900 bytes"."""
    if n >= 2**20 and n % 2**20 == 0:
        return f"{n // 2**20} MB"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


# -- Clarity: version numbers ----------------------------------------------------------------------


def parse_clarity_version(body: bytes) -> int:
    """The body of ``current_ver.txt``: one integer (Clarity's version of the election's results)."""
    text = body.decode("ascii", errors="replace").strip()
    if not text.isdigit() or len(text) > 18:
        raise FeedError(f"current_ver.txt should hold a version number, not {text[:40]!r}")
    return int(text)


def clarity_action(new_version: int, last_seen: int | None, have: set[int]) -> str:
    """What to do with a version read from ``current_ver.txt``: ``"fetch"`` one we do not have,
    whatever its number; ``"same"`` for one we have that is not below the last one fetched;
    ``"stale"`` for one we have that is (a stale cache serving the past again: fetching it
    again would waste the quota).

    A version we do not have is always fetched, even below the newest seen: one glitched
    ``current_ver.txt`` (an 18-digit number, once) made every later real version "stale" and never
    fetched (issue 19). Its payload is recorded either way; whether it is shown is the recorder's
    decision, from the payload's own publication time."""
    if new_version in have:
        return "same" if last_seen is None or new_version >= last_seen else "stale"
    return "fetch"


# -- documents with their own publication time ---------------------------------------------------------

#: AP's documented wait after "403 Per-minute Quota Exceeded" without a reset header (5-10 s).
AP_QUOTA_WAIT = 10.0
#: Most ``isTruncated`` pages fetched in one round (a server that never stops truncating must not
#: keep the loop in one round forever).
AP_MAX_PAGES = 20


def document_time(body: bytes, fmt: str | None) -> dt.datetime | None:
    """The publication time a Georgia export (``createdAt``) or an Enhanced Voting document
    (``election.lastUpdated``, else ``asOf``) carries, or None when it has none readable."""
    import json

    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    if fmt == "ga-sos-json":
        value = doc.get("createdAt")
    else:
        election = doc.get("election")
        election = election if isinstance(election, dict) else {}
        value = election.get("lastUpdated") or election.get("asOf")
    if not isinstance(value, str):
        return None
    import re

    text = re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", value.strip().replace("Z", "+00:00"))
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def document_action(when: dt.datetime | None, newest: dt.datetime | None) -> str:
    """``"new"`` for a document newer than the newest seen (or either time unknown), ``"same"``
    when its time has not moved (stalled), ``"stale"`` when it is older (a stale cache)."""
    if when is None or newest is None or when > newest:
        return "new"
    return "same" if when == newest else "stale"


def ap_truncated(body: bytes) -> bool:
    """True when an AP answer says ``isTruncated: true`` (more of the changes wait at its
    ``nextrequest``)."""
    if b"isTruncated" not in body:
        return False
    import json

    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("isTruncated") is True


# -- AP: nextrequest and the key ---------------------------------------------------------------------


def ap_next_url(body: bytes, current: str) -> str:
    """The URL AP asks us to request next (``nextrequest`` in the JSON), else ``current``.

    Only a same-host ``nextrequest`` is followed (the fake election's ``http://zombo.com`` is not),
    and its scheme is kept from ``current`` (AP writes http:// URLs into https responses)."""
    import json

    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):  # 100,000 brackets deep: not a nextrequest (issue 19)
        return current
    nxt = doc.get("nextrequest") if isinstance(doc, dict) else None
    if not isinstance(nxt, str) or not nxt.strip():
        return current
    cur, new = urllib.parse.urlsplit(current), urllib.parse.urlsplit(nxt.strip())
    if new.hostname is None or cur.hostname is None or new.hostname.lower() != cur.hostname.lower():
        return current
    from tracker.feeds.client import SECRET_PARAMS

    pairs = urllib.parse.parse_qsl(new.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SECRET_PARAMS]
    if len(kept) != len(pairs):  # a key echoed back: ours travels in a header, never in a URL
        new = new._replace(query=urllib.parse.urlencode(kept))
    return urllib.parse.urlunsplit(new._replace(scheme=cur.scheme, netloc=cur.netloc))


def scrub_secret(body: bytes, secret: str | None) -> bytes:
    """``body`` with ``secret`` (the API key, as given or URL-quoted) replaced by ``REDACTED``: a
    server that echoes the key (in AP's ``nextrequest``, say) must not put it into a recording.
    Keys shorter than 8 characters are left alone: replacing a short, common string would damage
    the payload, and real keys are long."""
    if not secret or len(secret) < 8:
        return body
    from tracker.feeds.client import REDACTED

    for form in {secret, urllib.parse.quote(secret, safe="")}:
        if form.encode() in body:
            body = body.replace(form.encode(), REDACTED.encode())
    return body


def ap_empty_delta(body: bytes, url: str) -> bool:
    """True when ``body`` answers a ``minDateTime`` request (``url``) with no race at all: AP's way
    of saying nothing changed since. It holds no result, so it is logged as a fetch, not stored as
    a version (every poll between two real updates would otherwise add one)."""
    from tracker.feeds.ap import is_delta_url

    if not is_delta_url(url):
        return False
    import json

    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("races") == []


# -- the loop ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchEvent:
    """One HTTP exchange (or a failed attempt), as the recorder stores it and the window shows it.

    ``url`` is always redacted (no API key). ``data`` is set only for a new payload (``kind ==
    "new"``); ``fmt`` names the registry format that parses it.
    """

    fetched_at: dt.datetime
    url: str
    kind: str  # "new" | "same" | "not-modified" | "stale" | "version" | "error"
    status: int | None = None
    data: bytes | None = field(default=None, repr=False)
    fmt: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    version: str | None = None
    error: str | None = None
    #: A Clarity site's ``electionsettings.json`` for this new payload's version (its stated
    #: runoff threshold decides the races of a summary.json); None for other feeds.
    settings: bytes | None = field(default=None, repr=False)
    #: A past version fetched after a late start (already superseded): the night notes it, and its
    #: timeline places it at its own publication time, not at the connection.
    history: bool = False


@dataclass(frozen=True)
class PollReport:
    """What one poll did: its events, and when the next one is due (monotonic seconds)."""

    events: tuple[FetchEvent, ...]
    state: PollState
    delay: float
    reason: str
    next_at: float
    #: A Clarity state site's county sub-sites as last seen (empty for other feeds).
    counties: tuple[CountyStatus, ...] = ()
    #: The round goes on: this report brought a Clarity version's summary.json, and the next
    #: call (due at once, ``next_at`` is now) fetches the same version's detailxml.zip.
    more: bool = False


@dataclass(frozen=True)
class _PendingDetail:
    """A Clarity version whose summary.json was shown and whose detail is fetched next."""

    version: int
    #: ``current_ver.txt``'s validators, kept only once the detail is in.
    validators: Validators
    settings: ClaritySettings | None = None


class Poller:
    """Polls one :class:`~tracker.feeds.discovery.FeedTarget` with a shared ``httpx.Client``.

    ``poll_once()`` makes the requests of one round (Clarity: ``current_ver.txt``, then the zip when
    the version moved) and returns the events; ``run()`` repeats it until ``stop`` is set, sleeping
    on the event so a stop is immediate. The clocks and the random source are injectable.
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
        self._summary_misses = 0
        self._pending: _PendingDetail | None = None
        #: Set by a round whose report has ``more`` to come (see :attr:`PollReport.more`).
        self._more = False
        #: Payloads the recorder could not read (SHA-256 → why), see :meth:`payload_unreadable`.
        self._unreadable: dict[str, str] = {}
        self._state_before: PollState = self.state
        #: Monotonic time the next round is due (``run`` waits for it).
        self.next_at: float = 0.0
        self._clarity_version: int | None = None
        self._clarity_previous: int | None = None
        self._clarity_have: set[int] = set()
        self._clarity_file = 0
        #: The newest Clarity electionsettings.json read (raw), attached to the payload it decides.
        self._settings_body: bytes | None = None
        #: County sub-sites of a Clarity state site: their own versions, and how each stands.
        self._county_versions: dict[str, str] = {}
        self.county_status: tuple[CountyStatus, ...] = ()
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
        """GET ``url``; returns (response or None, body, error sentence or None).

        Memory stays bounded: a body announced (``Content-Length``) or found larger than
        ``max_bytes`` is refused without keeping it, and the whole response is cut off at the
        policy's ``total_timeout`` however slowly the server trickles it."""
        import httpx

        headers = conditional_headers(self._validators.get(url)) if conditional else {}
        headers.update(self.target.headers)
        deadline = self._monotonic() + self.policy.total_timeout
        too_big = f"the response is larger than the {format_size(self._max_bytes)} limit; not read"
        from tracker.feeds.client import request_deadline

        try:
            with (
                request_deadline(self.policy.total_timeout),
                self._client.stream("GET", url, headers=headers) as response,
            ):
                announced = response.headers.get("Content-Length", "").strip()
                if announced.isdigit() and int(announced) > self._max_bytes:
                    return response, b"", too_big
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        return response, b"", too_big
                    if self._monotonic() > deadline:
                        return (
                            None,
                            b"",
                            f"timed out (the response took longer than {self.policy.total_timeout:g} s)",
                        )
                    chunks.append(chunk)
                return response, b"".join(chunks), None
        except httpx.TimeoutException as exc:
            if "deadline passed" in str(exc):  # client.request_deadline: headers trickled in
                return None, b"", f"timed out (the response took longer than {self.policy.total_timeout:g} s)"
            from tracker.feeds.errors import describe_network_error

            return None, b"", describe_network_error(exc)
        except httpx.DecodingError as exc:  # our own sentence (client.BoundedDecoding)
            return None, b"", self.target.redact(str(exc)) or "the response could not be decoded"
        except httpx.HTTPError as exc:  # one user-facing sentence, no class name
            from tracker.feeds.errors import describe_network_error

            return None, b"", describe_network_error(exc)

    def _error_outcome(self, response: httpx.Response | None, error: str | None) -> Outcome:
        if response is None:
            return Outcome(ok=False, error=error)
        now = self._wall()
        retry = parse_retry_after(response.headers.get("Retry-After"), now)
        status = response.status_code
        if status in (403, 429) and (self.target.kind == "ap" or status == 429):
            reset = (
                retry
                if retry is not None
                else parse_rate_limit_reset(response.headers.get("X-RateLimit-Reset"), now)
            )
            if reset is None and self.target.kind == "ap" and status == 403:
                reset = AP_QUOTA_WAIT  # AP's documented wait for its per-minute quota
            return Outcome(
                ok=False, quota=True, retry_after=reset, error=error or f"HTTP {status}: quota spent"
            )
        return Outcome(
            ok=False, retry_after=retry, error=error or f"HTTP {status} {response.reason_phrase}".strip()
        )

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

    # Clarity: current_ver.txt, then summary.json (fast path), then detailxml.zip -----------------
    def _clarity_round(self) -> tuple[list[FetchEvent], Outcome]:
        """One Clarity round: ``current_ver.txt``; for a version to fetch, its settings (and,
        after a late start, the versions missed); then its files. A new version after the first
        comes in two reports: its ``summary.json`` at once (:attr:`PollReport.more`), then, in
        the next call without reading ``current_ver.txt`` again, its ``detailxml.zip``."""
        target = self.target
        if self._pending is not None:  # the detail of the version whose summary was just shown
            pending, self._pending = self._pending, None
            version = pending.version
            events, outcome = self._fetch_document(target.clarity_payload_url(version), version=str(version))
            return self._clarity_fetched(pending, events, outcome)
        ver_url = target.clarity_version_url()
        response, body, error = self._get(ver_url)
        if response is None or error is not None or response.status_code >= 400:
            outcome = self._error_outcome(response, error)
            return [self._event(ver_url, "error", response, error=outcome.error)], outcome
        if response.status_code == 304:
            return [self._event(ver_url, "not-modified", response)], Outcome(ok=True)
        # kept only once the version is dealt with: a version whose file failed (a 503, or a
        # version announced but not there yet) must be asked for again, not answered 304
        ver_validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        try:
            version = parse_clarity_version(body)
        except FeedError as exc:
            return [self._event(ver_url, "error", response, error=str(exc))], Outcome(
                ok=False, error=str(exc)
            )
        action = clarity_action(version, self._clarity_version, self._clarity_have)
        if action != "fetch":
            self._validators[ver_url] = ver_validators
        if action == "stale":
            note = f"stale version {version} (newest fetched {self._clarity_version}); already recorded"
            return [self._event(ver_url, "stale", response, version=str(version), error=note)], Outcome(
                ok=True
            )
        if action == "same":
            return [self._event(ver_url, "version", response, version=str(version))], Outcome(ok=True)
        events = [self._event(ver_url, "version", response, version=str(version))]
        settings, got = self._clarity_settings(version)
        events += got
        if settings is not None and self._clarity_version is None:
            events += self._clarity_backfill(settings.versions, version)  # a late start
        pending = _PendingDetail(version, ver_validators, settings)
        if self._fast_path(version):
            got, _ = self._fetch_document(
                target.clarity_summary_url(version), version=str(version), slot="summary"
            )
            events += got
            status = got[-1].status
            self._summary_misses = self._summary_misses + 1 if status == 404 else 0
            if got[-1].kind == "new":  # shown now; the detail follows at once, in the next call
                if settings is not None:
                    events[-1] = replace(events[-1], settings=self._settings_body)
                self._pending, self._more = pending, True
                return events, Outcome(ok=True)
        urls = target.clarity_payload_urls(version)
        fetched: list[FetchEvent] = []
        outcome = Outcome(ok=False, error="no file to fetch")
        for i in range(self._clarity_file, len(urls)):
            fetched, outcome = self._fetch_document(urls[i], version=str(version))
            events += fetched
            if outcome.ok:
                self._clarity_file = i  # the file this site publishes: ask for it first next time
            if outcome.ok or fetched[-1].status != 404:
                break  # a 404 means this site does not publish that file: try the next one
        done, outcome = self._clarity_fetched(pending, fetched, outcome)
        return events[: len(events) - len(fetched)] + done, outcome

    def _fast_path(self, version: int) -> bool:
        """Whether to fetch ``version``'s summary.json before its detail: only on a site that
        publishes the zip, for a version above the newest detail fetched (a stale cache's older
        version is judged by its detail's own time, never shown from a summary that has none),
        never for the first version (a summary is shown in the names of the detail before it),
        and not on a site that answered 404 for its summaries :data:`SUMMARY_GIVE_UP` times in
        a row. A forced format (``--format``) names one file, not both."""
        return (
            self.target.fmt == "auto"
            and self._clarity_file == 0
            and self._clarity_version is not None
            and version > self._clarity_version
            and self._summary_misses < SUMMARY_GIVE_UP
        )

    def _clarity_fetched(
        self, pending: _PendingDetail, events: list[FetchEvent], outcome: Outcome
    ) -> tuple[list[FetchEvent], Outcome]:
        """After a version's file was fetched: its settings travel with it, and a success makes
        it the version fetched (its ``current_ver.txt`` validators kept, its counties read)."""
        settings, version = pending.settings, pending.version
        if outcome.ok and settings is not None and events and events[-1].kind == "new":
            # the site's own rule (runoffthreshold) travels with the payload it decides
            events[-1] = replace(events[-1], settings=self._settings_body)
        if outcome.ok:  # the last version fetched is the high-water mark, even a lower one
            self._validators[self.target.clarity_version_url()] = pending.validators
            self._clarity_previous = self._clarity_version
            self._clarity_version = version
            self._clarity_have.add(version)
            if (
                settings is not None
                and settings.counties
                and self.target.clarity
                and not self.target.clarity[1]
            ):
                events = events + self._follow_counties(settings)
        return events, outcome

    # Clarity state sites: settings, county sub-sites, versions missed ------------------------------
    def _clarity_settings(self, version: int) -> tuple[ClaritySettings | None, list[FetchEvent]]:
        """The version's ``electionsettings.json`` (its versions and county sub-sites), or None
        when the site publishes none readable: that is no error of the feed's, only less to know."""
        from tracker.feeds.clarity_json import parse_electionsettings
        from tracker.feeds.clarity_sites import settings_path

        url = self.target.url + settings_path(version)
        response, body, error = self._get(url, conditional=False)
        if response is None or error is not None or response.status_code != 200:
            return None, []
        try:
            settings = parse_electionsettings(body, source=url)
        except FeedError:
            return None, []  # not a settings file we read: the site is followed without it
        self._settings_body = bytes(body)
        return settings, [self._event(url, "version", response, version=str(version))]

    def _clarity_backfill(self, listed: tuple[str, ...], current: int) -> list[FetchEvent]:
        """After a late start, the versions the site lists but we never saw, oldest first, while
        it still serves them (a 404 is noted and skipped; it is not the feed failing)."""
        from tracker.feeds.clarity_sites import missed_versions

        events: list[FetchEvent] = []
        gone = 0
        for old in missed_versions(listed, current, self._clarity_have):
            url = self.target.clarity_payload_urls(old)[self._clarity_file]
            got, outcome = self._fetch_document(url, version=str(old))
            if outcome.ok:
                self._clarity_have.add(old)
                events += [replace(e, history=True) if e.kind == "new" else e for e in got]
                gone = 0
            elif got and got[-1].status == 404:
                events.append(replace(got[-1], kind="version", error=f"version {old} is no longer served"))
                gone += 1
                if gone >= BACKFILL_GIVE_UP:
                    break  # this site keeps no old versions (or not this file): stop asking
            else:
                events += got
                break  # the site is failing: the current version comes first
        return events

    def _follow_counties(self, settings: ClaritySettings) -> list[FetchEvent]:
        """Each county sub-site's own ``current_ver.txt`` (conditional GETs), so every county is
        followed at its own version and one whose site serves an older version than the state
        lists is shown as behind (``county_status``)."""
        from tracker.feeds.clarity_sites import county_statuses

        base = urllib.parse.urlsplit(self.target.url)
        events: list[FetchEvent] = []
        for county in settings.counties[:MAX_COUNTY_SITES]:
            url = urllib.parse.urlunsplit(
                (base.scheme, base.netloc, county.base_path(settings.state or self.target.clarity[0]), "", "")
            )
            url += "current_ver.txt"
            response, body, error = self._get(url)
            if response is not None and error is None and response.status_code == 200:
                self._validators[url] = Validators(
                    response.headers.get("ETag"), response.headers.get("Last-Modified")
                )
                try:
                    self._county_versions[county.name] = str(parse_clarity_version(body))
                except FeedError:
                    continue
                events.append(
                    self._event(url, "version", response, version=self._county_versions[county.name])
                )
        self.county_status = county_statuses(settings.counties, self._county_versions)
        return events

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
                    self._validators.pop(self.target.clarity_version_url(), None)
                    self._clarity_have.discard(int(event.version))
                    if self._clarity_version == int(event.version):
                        self._clarity_version = self._clarity_previous
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
        message = f"unexpected error: {why}" if why else f"unexpected error ({type(exc).__name__})"
        report = self._decided((), Outcome(ok=False, error=message[:300]))
        try:
            sink(report)
        except Exception:
            log.warning("the feed's sink failed again", exc_info=True)


# -- feed health, for the status bar ---------------------------------------------------------------------


@dataclass(frozen=True)
class FeedHealth:
    """How a live feed is doing, as plain data the window can show (built on the poll thread)."""

    url: str
    kind: str
    polls: int = 0
    #: Wall time (aware) and id of the last version that was new to us, if any.
    last_new_at: dt.datetime | None = None
    last_version: str | None = None
    #: Wall time (aware) of the next poll.
    next_poll_at: dt.datetime | None = None
    #: The current error (None when the last poll succeeded), its backoff and how many in a row.
    error: str | None = None
    backoff: float = 0.0
    failures: int = 0
    #: Stale versions seen (kept in the recording, not shown).
    stale: int = 0
    #: Versions recorded.
    versions: int = 0
    recording: str = ""
    stopped: bool = False
    #: A Clarity state site's counties whose own sites serve an older version than the state
    #: lists for them ("Cobb: its own site is at version …, behind the state's …").
    counties_behind: tuple[str, ...] = ()


def health_after(
    previous: FeedHealth,
    report: PollReport,
    *,
    now_wall: dt.datetime,
    now_mono: float,
    new_version: str | None = None,
    stale: int = 0,
    versions: int | None = None,
) -> FeedHealth:
    """The feed's health after ``report`` (pure: the clocks are arguments)."""
    new_at = previous.last_new_at
    last_version = previous.last_version
    if new_version is not None:
        new_at, last_version = now_wall, new_version
    return replace(
        previous,
        polls=previous.polls + 1,
        last_new_at=new_at,
        last_version=last_version,
        next_poll_at=now_wall + dt.timedelta(seconds=min(max(0.0, report.next_at - now_mono), 2 * MAX_WAIT)),
        error=report.state.error,
        backoff=report.state.backoff,
        failures=report.state.failures,
        stale=previous.stale + stale,
        versions=previous.versions if versions is None else versions,
        counties_behind=tuple(c.describe() for c in report.counties if c.behind)
        if report.counties
        else previous.counties_behind,
    )
