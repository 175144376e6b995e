"""The watch-list file: a desk's pinned races as a small JSON document, to share and merge.

Pins live in the store, keyed by election and contest id (the ids a feed keeps across versions), so
a file exported on one machine pins the same races on another that follows the same feed. The
document (``tracker-pins/1``)::

    {"format": "tracker-pins/1",
     "exported_at": "2026-11-03T21:15:00+00:00",
     "pins": [{"election_id": "clarity-GA-105369", "contest_id": "4", "name": "US Senate (Perdue)"}]}

``election_id`` and ``contest_id`` are required non-empty strings; ``name`` is optional (it is only
shown until the race is in a feed). A top-level ``election_id`` is the default for pins that leave
it out, for hand-written lists of one election. Other keys are ignored, so the format can grow.
Importing merges: pins already there stay as they are, and the report says how many were new.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker.core.errors import TrackerError
from tracker.core.words import count
from tracker.store import Store

FORMAT = "tracker-pins/1"
#: A watch list is a few hundred bytes; anything this big is not one (and is not read whole).
MAX_BYTES = 4 * 1024 * 1024


class WatchlistError(TrackerError):
    """A watch-list file that cannot be read, or is not one: one sentence naming the problem."""


@dataclass(frozen=True)
class Pin:
    election_id: str
    contest_id: str
    name: str = ""

    def row(self) -> tuple[str, str, str]:
        return (self.election_id, self.contest_id, self.name)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: pins read from the file, how many were new, and the new ones."""

    path: Path
    read: int
    added: tuple[Pin, ...]

    @property
    def new(self) -> int:
        return len(self.added)

    def new_ids(self, election_id: str) -> set[str]:
        """Contest ids newly pinned in ``election_id`` (the window applies them to its list)."""
        return {p.contest_id for p in self.added if p.election_id == election_id}

    def summary(self) -> str:
        return f"imported {count(self.read, 'pin')} from {self.path.name}: {self.new:,} new"


def dumps(pins: Sequence[Pin], *, now: dt.datetime | None = None) -> str:
    """The document for ``pins`` (in their order), as text ending in a newline."""
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    doc = {
        "format": FORMAT,
        "exported_at": when,
        "pins": [{"election_id": p.election_id, "contest_id": p.contest_id, "name": p.name} for p in pins],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def loads(data: bytes | str, *, source: str = "the file") -> list[Pin]:
    """The pins of a ``tracker-pins/1`` document, duplicates dropped, in file order.

    Raises WatchlistError naming the first problem (``pins[2].contest_id: missing``)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WatchlistError(f"{source} is not a watch list: it is not UTF-8 text") from None
    try:
        doc = json.loads(data)
    except ValueError as exc:
        # where it breaks, not the json module's own words ("Expecting value: … (char 0)")
        where = (
            f" (unreadable from line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise WatchlistError(f"{source} is not a watch list: not JSON{where}") from None
    if not isinstance(doc, Mapping):
        raise WatchlistError(f"{source} is not a watch list: expected a JSON object")
    if doc.get("format") != FORMAT:
        found = doc.get("format")
        what = f"its format is {found!r}" if found is not None else 'it has no "format"'
        raise WatchlistError(f'{source} is not a watch list: {what}, expected "{FORMAT}"')
    default = doc.get("election_id")
    if default is not None and not _text(default):
        raise WatchlistError(f"{source}: election_id must be a non-empty string")
    items = doc.get("pins")
    if not isinstance(items, list):
        raise WatchlistError(f'{source}: "pins" must be a list')
    pins: list[Pin] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        where = f"{source}: pins[{i}]"
        if not isinstance(item, Mapping):
            raise WatchlistError(f"{where} must be an object")
        election = item.get("election_id", default)
        contest = item.get("contest_id")
        name = item.get("name", "")
        if election is None:
            raise WatchlistError(f"{where}.election_id: missing")
        if not _text(election):
            raise WatchlistError(f"{where}.election_id must be a non-empty string")
        if contest is None:
            raise WatchlistError(f"{where}.contest_id: missing")
        if not _text(contest):
            raise WatchlistError(f"{where}.contest_id must be a non-empty string")
        if not isinstance(name, str):
            raise WatchlistError(f"{where}.name must be a string")
        key = (election, contest)
        if key not in seen:
            seen.add(key)
            pins.append(Pin(election, contest, name.strip()))
    return pins


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def read(path: Path) -> list[Pin]:
    """The pins in the file at ``path`` (WatchlistError when it cannot be read or is not one)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise WatchlistError(f"{path} is not a watch list: {size:,} bytes is far too big for one")
        data = path.read_bytes()
    except FileNotFoundError:
        raise WatchlistError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise WatchlistError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise WatchlistError(f"cannot read {path}: {exc.strerror or exc}") from None
    return loads(data, source=path.name)


def write(path: Path, pins: Sequence[Pin], *, overwrite: bool = True) -> None:
    """Write ``pins`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise WatchlistError(f"{path} exists; choose another name (or --force to replace it)")
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(dumps(pins), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WatchlistError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_pins(store: Store, path: Path, *, election_id: str | None = None, overwrite: bool = True) -> int:
    """Write the store's pins (of one election, or all) to ``path``; returns how many. Refuses
    to write an empty list: a file that pins nothing is a mistake, not a watch list."""
    pins = [Pin(*row) for row in store.pin_rows(election_id)]
    if not pins:
        scope = "in this election" if election_id is not None else "in the store"
        raise WatchlistError(f"there are no pinned races {scope} to export")
    write(path, pins, overwrite=overwrite)
    return len(pins)


def import_pins(store: Store, path: Path) -> ImportReport:
    """Merge the pins in ``path`` into the store (one transaction: all or nothing)."""
    pins = read(path)
    before = {(e, c) for e, c, _ in store.pin_rows()}
    store.add_pins(p.row() for p in pins)
    added = tuple(p for p in pins if (p.election_id, p.contest_id) not in before)
    return ImportReport(Path(path), len(pins), added)
