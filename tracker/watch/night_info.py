"""What the window is told about an opened night (importable as ``tracker.ui.workers.NightInfo``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.core.model import Snapshot
from tracker.core.untimed import is_untimed

if TYPE_CHECKING:  # the night reader is imported in the worker thread, when first needed
    from tracker.archive.night import Version


@dataclass(frozen=True)
class NightInfo:
    """What the window needs to know about an opened night, as plain immutable data.

    ``final`` is the night's last version, parsed while opening: it gives the election id (for the
    pins), the list of races and the default race (most votes) before the user picks an instant.
    """

    path: Path
    label: str
    kind: str
    reconstructed: bool
    timezone: dt.tzinfo
    meta: Mapping[str, str]
    versions: tuple[Version, ...]
    final: Snapshot
    pins: frozenset[str] = field(default_factory=frozenset)
    #: A night being recorded from a live feed right now (it grows: see ``Worker.night_grew``).
    live: bool = False
    #: The live feed's URL, redacted (no API key).
    feed_url: str = ""
    #: The baseline in use for the night's biggest race ("" before it is known, "none" without
    #: one) and what matching it found (``tracker.archive.projections.describe_baseline``).
    baseline: str = ""
    baseline_note: str = ""

    @property
    def election_id(self) -> str:
        return self.final.election.id

    @property
    def untimed(self) -> bool:
        """Whether the versions have no times of their own (file order): what shows their time
        says which version instead (``tracker.core.untimed``)."""
        return is_untimed(self.meta)

    @property
    def times(self) -> list[dt.datetime]:
        """When each version appeared (our fetch time: what a watcher saw, and when; a version
        fetched as history after a late start at its own publication time, see
        :func:`tracker.archive.recorder.version_times`)."""
        from tracker.archive.recorder import version_times

        return version_times(self.versions)
