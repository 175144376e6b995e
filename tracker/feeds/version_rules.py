"""What counts as a new version, feed by feed, and where to ask next: pure functions of a body.

Each feed says "new" its own way, and these rules keep a stale cache or a stalled feed from being
recorded as new (issue 4):

* Clarity: the tiny ``current_ver.txt`` holds the version; the big ``detailxml.zip`` is fetched only
  for a version not yet fetched, and one *lower* than the newest fetched that we already have is a
  stale cache (:func:`clarity_action`);
* Georgia's export and Enhanced Voting: a document whose own publication time (``createdAt``,
  ``lastUpdated``) is older than the newest seen is a stale cache, and one whose time has not moved
  is the same version (:func:`document_action`);
* AP: follow ``nextrequest`` (same host only; a key echoed in it is dropped); a ``minDateTime``
  answer with no race is "nothing new", not a version; one with ``isTruncated: true`` holds only
  part of the changes, and the rest is fetched at once, at most :data:`AP_MAX_PAGES` pages.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

from tracker.core.errors import FeedError


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
