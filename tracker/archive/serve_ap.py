"""Serving a night as AP's API: ``minDateTime`` deltas, AP v3's pages, AP's quota.

Kept apart from :class:`~tracker.archive.serve.FeedServer`, which mixes :class:`ApRoutes` in,
because AP is the one format whose answer depends on the request as well as on the clock: a
``minDateTime`` request is answered as AP does, with only the races that differ between the
version released at that time and the current one (no race at all when nothing changed); an
``apv3`` delta of more than :data:`AP_PAGE_RACES` races is paged with ``isTruncated: true`` and a
``nextrequest`` for the rest, pinned to the version the first page came from; and a quota, when
rehearsed, answers 403 until its window resets.
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tracker.archive.chain import DELTA_PARAM
from tracker.archive.serve_http import Document

if TYPE_CHECKING:
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import Version
    from tracker.archive.replay import Timeline

#: Races per page of an ``apv3`` ``minDateTime`` answer (more are paged with ``isTruncated``).
AP_PAGE_RACES = 1


class ApRoutes:
    """AP's part of :class:`~tracker.archive.serve.FeedServer`, mixed into it."""

    #: What the feed server provides.
    fmt: str
    versions: list[Version]
    chain: VersionChain
    timeline: Timeline
    state: str
    ap_quota: int | None
    quota_window: float
    _quota_clock: Callable[[], float]
    _quota_start: float
    _quota_used: int
    _ap_date: str | None
    _lock: threading.Lock
    _docs: dict[tuple[str, str], Document]

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str: ...

        def document(self, index: int, kind: str) -> Document: ...

        @staticmethod
        def _doc(body: bytes, content_type: str, when: dt.datetime) -> Document: ...

    @property
    def ap_path(self) -> str:
        """``/v2/elections/{date}``, the election's date from its last version."""
        if self._ap_date is None:
            date = self.chain.snapshot(len(self.versions) - 1).election.date
            self._ap_date = date.isoformat() if date else "1970-01-01"
        return f"/{'v3' if self.fmt == 'apv3' else 'v2'}/elections/{self._ap_date}"

    def ap_next(self, version: Version) -> str:
        """The ``nextrequest`` of ``version``'s AP document: the races changed since its release."""
        when = version.fetched_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return f"{self.base_url}{self.ap_path}?minDateTime={urllib.parse.quote(when)}"

    def ap_v3_page(self, index: int, since: dt.datetime, offset: int) -> Document:
        """An ``apv3`` ``minDateTime`` answer, paged: races ``offset`` … of those changed between
        the version released at ``since`` and version ``index``; ``isTruncated`` and a
        ``nextrequest`` for the next page (pinned to ``index``) while more remain, else the usual
        ``nextrequest`` of version ``index``."""
        base = self.timeline.index_at(since)
        version = self.versions[index]
        snap = self.chain.snapshot(index)
        if base is None or base > index:
            changed = snap.contests
        else:
            before = {c.id: c for c in self.chain.snapshot(base).contests}
            changed = tuple(c for c in snap.contests if before.get(c.id) != c)
        page = changed[offset : offset + AP_PAGE_RACES]
        more = offset + AP_PAGE_RACES < len(changed)
        if more:
            when = since.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            query = urllib.parse.urlencode(
                {"minDateTime": when, "offset": offset + AP_PAGE_RACES, "asof": index}
            )
            nxt = f"{self.base_url}{self.ap_path}?{query}"
        else:
            nxt = self.ap_next(version)
        key = (version.sha256, f"apv3-page:{base}:{offset}:{version.fetched_at.isoformat()}")
        with self._lock:
            cached = self._docs.get(key)
        if cached is not None:
            return cached
        from tracker.feeds.ap_writer import snapshot_to_ap_v3

        body = snapshot_to_ap_v3(replace(snap, contests=page), state=self.state, url=nxt, truncated=more)
        doc = self._doc(body, "application/json", version.fetched_at)
        with self._lock:
            self._docs[key] = doc
            if len(self._docs) > 16:
                self._docs.pop(next(iter(self._docs)))
        return doc

    def ap_delta(self, index: int, since: dt.datetime) -> Document:
        """AP's answer to ``minDateTime=since`` while version ``index`` is current: the races of
        ``index`` that differ from the version released at ``since`` (the full document when
        ``since`` is before the first version)."""
        base = self.timeline.index_at(since)
        if base is None or base > index:
            return self.document(index, "ap")
        version = self.versions[index]
        key = (version.sha256, f"ap-delta:{base}:{version.fetched_at.isoformat()}")
        with self._lock:
            cached = self._docs.get(key)
        if cached is not None:
            return cached
        from tracker.feeds.ap_writer import snapshot_to_ap_v2

        snap = self.chain.snapshot(index)
        before = {c.id: c for c in self.chain.snapshot(base).contests}
        changed = tuple(c for c in snap.contests if before.get(c.id) != c)
        body = snapshot_to_ap_v2(replace(snap, contests=changed), state=self.state, url=self.ap_next(version))
        doc = self._doc(body, "application/json", version.fetched_at)
        with self._lock:
            self._docs[key] = doc
            if len(self._docs) > 16:
                self._docs.pop(next(iter(self._docs)))
        return doc

    def _ap_route(self, path: str, query: str, index: int) -> Document | None:
        """The document for an ``ap`` or ``apv3`` request path while version ``index`` is current."""
        if self.fmt == "ap":
            if path.rstrip("/") == self.ap_path:
                since = _min_date_time(query)
                return self.document(index, "ap") if since is None else self.ap_delta(index, since)
            return None
        if path.rstrip("/") != self.ap_path:
            return None
        since = _min_date_time(query)
        if since is None:
            return self.document(index, "apv3")
        params = dict(urllib.parse.parse_qsl(query))
        offset, asof = params.get("offset", "0"), params.get("asof", "")
        if asof.isdigit() and int(asof) <= index:
            index = int(asof)  # the rest of a paged answer comes from the same version
        return self.ap_v3_page(index, since, int(offset) if offset.isdigit() else 0)

    def quota_check(self) -> float | None:
        """None when the request is within AP's quota, else the seconds until it resets."""
        if self.fmt not in ("ap", "apv3") or self.ap_quota is None:
            return None
        with self._lock:
            now = self._quota_clock()
            if now - self._quota_start >= self.quota_window:
                self._quota_start, self._quota_used = now, 0
            if self._quota_used < self.ap_quota:
                self._quota_used += 1
                return None
            return self.quota_window - (now - self._quota_start)


def _min_date_time(query: str) -> dt.datetime | None:
    """``minDateTime`` of an AP request's query as an aware time (UTC when it names no offset),
    or None when absent or unreadable (then the full document is served)."""
    for key, value in urllib.parse.parse_qsl(query):
        if key.lower() == DELTA_PARAM and value:
            try:
                when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return None
