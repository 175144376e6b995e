"""When the next poll goes out: the user's interval, backoff on errors, a server's wait, a spent quota.

Kept apart from the loop so that the decisions are plain functions of a small immutable
:class:`PollState`, the outcome of the last request, ``now`` (a monotonic float) and a random number
in [0, 1): tests drive them in fake time, and only :class:`~tracker.feeds.poller.Poller` touches the
network or sleeps. The rules (issue 4):

* never faster than the user's interval, whatever a server says;
* exponential backoff with jitter on errors, capped (``backoff_base · 2^(n-1)``, at most
  ``backoff_cap``, jitter shortens it by up to ``jitter`` of itself so that many clients do not
  retry in step), and a server's ``Retry-After`` is honoured when it asks for longer;
* AP: a 403 means the quota is spent: wait until it resets (``Retry-After`` or the
  ``X-RateLimit-Reset`` header when given, else AP's documented 5–10 s, :data:`AP_QUOTA_WAIT`),
  never less than the interval;
* no server makes us wait longer than :data:`MAX_WAIT`, whatever number it sends (issue 19).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

#: The longest any server may make us wait (``Retry-After``, a rate-limit reset, a backoff): an
#: hour. A larger value, or a non-finite one (``inf``, ``nan``), is a server's mistake or attack,
#: not a reason to stop polling for the night (issue 19).
MAX_WAIT = 3600.0

#: A poll interval below this is refused (short intervals are for loopback rehearsals and tests).
MIN_INTERVAL = 0.01
DEFAULT_INTERVAL = 30.0


#: AP's documented wait after "403 Per-minute Quota Exceeded" without a reset header (5-10 s).
AP_QUOTA_WAIT = 10.0


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


def error_outcome(
    response: httpx.Response | None, error: str | None, *, kind: str, wall: Callable[[], dt.datetime]
) -> Outcome:
    """What a failed request (``response`` None: it never got an answer) means for the next poll:
    a quota spent (AP's 403, anyone's 429) with the wait the server gave, else an error with its
    ``Retry-After``. ``kind`` is the feed's kind; ``wall`` is read only for an answer's headers."""
    if response is None:
        return Outcome(ok=False, error=error)
    now = wall()
    retry = parse_retry_after(response.headers.get("Retry-After"), now)
    status = response.status_code
    if status in (403, 429) and (kind == "ap" or status == 429):
        reset = (
            retry
            if retry is not None
            else parse_rate_limit_reset(response.headers.get("X-RateLimit-Reset"), now)
        )
        if reset is None and kind == "ap" and status == 403:
            reset = AP_QUOTA_WAIT  # AP's documented wait for its per-minute quota
        return Outcome(ok=False, quota=True, retry_after=reset, error=error or f"HTTP {status}: quota spent")
    return Outcome(
        ok=False, retry_after=retry, error=error or f"HTTP {status} {response.reason_phrase}".strip()
    )
