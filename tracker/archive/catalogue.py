"""What the start page and About offer: the bundled nights (with their labels and sources), the
nights and feeds opened recently, and importing a dropped payload file into a night.

Qt-free and disk-bound: the window asks for it through its worker, off the GUI thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker import paths
from tracker.core.errors import TrackerError

if TYPE_CHECKING:
    from tracker.archive.importer import ImportResult
    from tracker.store import Store

log = logging.getLogger(__name__)

#: A night file is SQLite: its first 16 bytes say so (a payload never starts like this).
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Source:
    """Where a bundled night's numbers came from, as its metadata records it."""

    what: str
    repository: str = ""
    path: str = ""
    commit: str = ""

    @property
    def url(self) -> str:
        """The file on GitHub at the recorded commit ("" when the night names no repository)."""
        if not self.repository:
            return ""
        ref = self.commit or "HEAD"
        return f"https://github.com/{self.repository}/blob/{ref}/{self.path}" if self.path else ""


@dataclass(frozen=True)
class NightEntry:
    """One night file as the start page lists it."""

    path: Path
    label: str
    kind: str
    reconstructed: bool
    sources: tuple[Source, ...] = ()

    @property
    def title(self) -> str:
        """The label's first part ("GA-06 special election, 18 Apr 2017"); the rest is the note."""
        return self.label.split(" — ")[0].strip() or self.path.stem


@dataclass(frozen=True)
class Catalogue:
    bundled: tuple[NightEntry, ...]
    recent_nights: tuple[NightEntry, ...]
    recent_feeds: tuple[str, ...]


def _text(value: object) -> str:
    """A meta string as shown: strings only (a night's nested lists are no source), bounded."""
    return value[:2000] if isinstance(value, str) else ""


def _sources(meta: dict[str, str]) -> tuple[Source, ...]:
    # A night file is data from anywhere: nested 100,000 deep, its sources hung the start page on
    # every start (issue 19). Strings only, at most 100 rows.
    try:
        rows = json.loads(meta.get("source_files", "[]"))
    except (ValueError, RecursionError):
        rows = []
    found = tuple(
        Source(
            what=_text(r.get("what", "")),
            repository=_text(r.get("repository", "")),
            path=_text(r.get("repository_path", "")),
            commit=_text(r.get("commit", "")),
        )
        for r in (rows if isinstance(rows, list) else [])[:100]
        if isinstance(r, dict)
    )
    if found:
        return found
    try:  # older nights: one sentence per source
        rows = json.loads(meta.get("sources", "[]"))
    except (ValueError, RecursionError):
        return ()
    return tuple(
        Source(what=_text(s)) for s in (rows if isinstance(rows, list) else [])[:100] if isinstance(s, str)
    )


def read_entry(path: Path) -> NightEntry:
    """The night's label, kind and sources (raises TrackerError for a file that is no night)."""
    from tracker.archive.night import NightFile

    night = NightFile.open(path, readonly=True)
    try:
        meta = night.meta
        return NightEntry(
            path=path,
            label=str(night.label),
            kind=str(night.kind),
            reconstructed=bool(night.reconstructed),
            sources=_sources(meta),
        )
    finally:
        night.close()


def bundled_nights() -> tuple[NightEntry, ...]:
    """Every ``resources/nights/*.night`` that opens, by file name (oldest night first)."""
    folder = paths.resources_dir() / "nights"
    entries = []
    for path in sorted(folder.glob("*.night")):
        try:
            entries.append(read_entry(path))
        except TrackerError:
            log.warning("bundled night %s does not open", path, exc_info=True)
    return tuple(entries)


def catalogue(store: Store | None = None, limit: int = 8) -> Catalogue:
    """Bundled nights, then what the store remembers (newest first, files that still exist)."""
    nights: list[NightEntry] = []
    feeds: list[str] = []
    try:
        if store is not None:
            rows = store.recent(limit * 5)
        else:
            from tracker.store import Store

            with Store() as own:
                rows = own.recent(limit * 5)
    except TrackerError:
        rows = []  # a broken store: the start page still offers the bundled nights
    for location, kind in rows:
        if kind == "night" and len(nights) < limit and Path(location).is_file():
            try:
                nights.append(read_entry(Path(location)))
            except TrackerError:
                continue
        elif kind == "feed" and len(feeds) < limit:
            feeds.append(location)
    return Catalogue(bundled=bundled_nights(), recent_nights=tuple(nights), recent_feeds=tuple(feeds))


def is_night_file(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def import_dropped(path: Path, folder: Path | None = None) -> ImportResult:
    """A payload file dropped on the window (any format the registry detects), or a folder of them
    (one version per file, in the importer's order; files that are not results left out), as a
    new night in the data folder's ``nights/`` (named after the file or folder, never overwriting
    one): what was written (``.path``) and left out (``.skipped``). A file in no format we know
    raises the registry's FeedError, with its one sentence."""
    from tracker.archive.importer import import_payloads
    from tracker.feeds.registry import parse_payload, whole_night_format

    if not path.is_dir():
        with path.open("rb") as fh:
            whole = whole_night_format(fh.read(65536)) is not None  # read once, by the import
        if not whole:
            parse_payload(path.read_bytes(), "auto", source=str(path))  # refuse early, with the reason
    folder = folder or paths.nights_dir()
    out = folder / f"{path.stem}.night"
    n = 2
    while out.exists():
        out = folder / f"{path.stem}-{n}.night"
        n += 1
    # a folder is a scraper's or a recorder's: what the server sent instead of results (an HTML
    # error page) is left out and listed in the night's meta ("skipped"), not a reason to refuse
    return import_payloads([path], out=out, skip_unreadable=path.is_dir())
