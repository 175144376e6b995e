"""What a night says about itself: its kind, label, note, sources, time zone and creation time.

Kept apart from :class:`~tracker.archive.night.NightFile`, which mixes :class:`NightMeta` in,
because these are read from the meta row the file was opened with, never from the database, and
every caller that shows a night (the start page, the title, the replay bar) reads only these.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo


class NightMeta:
    """The meta part of :class:`~tracker.archive.night.NightFile`, mixed into it."""

    #: What the night file provides: its meta as read at open (or written at create).
    _meta: dict[str, str]

    @property
    def meta(self) -> dict[str, str]:
        """All metadata as stored (a copy), including extra keys."""
        return dict(self._meta)

    @property
    def kind(self) -> str:
        return self._meta["kind"]

    @property
    def reconstructed(self) -> bool:
        """True for a night rebuilt after the fact: the UI must never pass it off as a recording."""
        return self._meta["kind"] == "reconstructed"

    @property
    def label(self) -> str:
        return self._meta["label"]

    @property
    def note(self) -> str:
        return self._meta.get("note", "")

    @property
    def sources(self) -> tuple[str, ...]:
        try:
            value = json.loads(self._meta.get("sources", "[]"))
        except (ValueError, RecursionError):  # nested 100,000 deep: no sources (issue 19)
            return ()
        return tuple(s for s in value if isinstance(s, str)) if isinstance(value, list) else ()

    @property
    def timezone(self) -> ZoneInfo:
        """The zone the night's times are shown in (the election's, not the viewer's)."""
        return ZoneInfo(self._meta["timezone"])

    @property
    def created_at(self) -> dt.datetime | None:
        text = self._meta.get("created_at")
        try:
            return dt.datetime.fromisoformat(text) if text else None
        except ValueError:
            return None
