"""Versions that are deltas: rebuilding what was shown from the last full payload.

AP answers a ``nextrequest`` URL (it carries ``minDateTime``) with only the races updated since that
time. The night stores each such answer raw, as fetched, under the URL it came from (redacted of
the key), so the URL is the marker: a version fetched from a URL with ``minDateTime`` is a delta,
any other is a full payload that starts a new chain. The snapshot of version ``i`` is then the last
full payload at or before ``i`` with every delta after it laid over it
(:func:`tracker.core.merge.apply_delta`), exactly as the recorder built it live. No schema change:
nights recorded before deltas existed have no such URL and read as before.

A Clarity ``summary.json`` that follows a detail (the poller's fast path) is laid over that detail
the same way (:func:`tracker.feeds.clarity_overlay.lay_summary`: the detail's names, the summary's
numbers), as the recorder showed it; its format is the marker.

:class:`VersionChain` does that with a small cache, so stepping through a night parses each
payload about once; a full payload no delta follows is parsed as before, never cached here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from tracker.archive.night import NightFile, Version
from tracker.core.merge import apply_delta
from tracker.core.model import Snapshot
from tracker.feeds.ap import DELTA_PARAM, is_delta_url
from tracker.feeds.clarity_overlay import SUMMARY, lay_summary, lays_over

# DELTA_PARAM and is_delta_url are AP wire facts (tracker.feeds.ap), re-exported for the archive.
__all__ = ["DELTA_PARAM", "VersionChain", "is_delta_url"]


class VersionChain:
    """The snapshots of a night's ``versions`` (as listed: e.g. ``current_versions(...)``) with
    deltas merged onto the full payload before them. Thread-safe; keeps ``cache_size`` results."""

    def __init__(self, night: NightFile, versions: Sequence[Version], *, cache_size: int = 32) -> None:
        self.night = night
        self.versions = list(versions)
        self._cache: OrderedDict[int, Snapshot] = OrderedDict()
        self._size = max(2, cache_size)
        self._lock = threading.RLock()

    def extend(self, versions: Sequence[Version]) -> None:
        """The night grew (a live recording): ``versions`` is the new, longer list; cached results
        for the versions both lists share stay valid."""
        with self._lock:
            keep = 0
            for old, new in zip(self.versions, versions, strict=False):
                if old.sha256 != new.sha256 or old.fetched_at != new.fetched_at:
                    break
                keep += 1
            self.versions = list(versions)
            for i in [i for i in self._cache if i >= keep]:
                del self._cache[i]

    def is_delta(self, index: int) -> bool:
        """An AP delta, or a Clarity summary.json shown over the detail before it."""
        return is_delta_url(self.versions[index].url) or lays_over(lambda i: self.versions[i].fmt, index)

    def base_index(self, index: int) -> int:
        """The full payload version ``index`` builds on (itself when it is full; the first version
        when the night starts with a delta)."""
        i = index
        while i > 0 and self.is_delta(i):
            i -= 1
        return i

    def snapshot(self, index: int) -> Snapshot:
        """Version ``index`` as it was shown: itself when full, else merged from its base."""
        if not self.is_delta(index) and not (index + 1 < len(self.versions) and self.is_delta(index + 1)):
            return self.night.snapshot(self.versions[index])  # no chain here: nothing worth caching
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
            base = self.base_index(index)
            start, snap = base, None
            for i in range(index - 1, base - 1, -1):  # the nearest already merged
                if i in self._cache:
                    start, snap = i + 1, self._cache[i]
                    break
            if snap is None:
                snap, start = self.night.snapshot(self.versions[base]), base + 1
                self._put(base, snap)
            for i in range(start, index + 1):
                laid = lay_summary if self.versions[i].fmt == SUMMARY else apply_delta
                snap = laid(snap, self.night.snapshot(self.versions[i]))
                self._put(i, snap)
            return snap

    def _put(self, index: int, snap: Snapshot) -> None:
        self._cache[index] = snap
        self._cache.move_to_end(index)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
