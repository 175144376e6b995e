"""Files a user may try to open as a night that are not one (or no longer one), built from the
bundled real nights: each with the words its one-line refusal must contain."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from tracker import paths

RUNOFF = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"

#: kind → words the message must contain.
FOREIGN = {
    "truncated": "is damaged and cannot be read",
    "random-bytes": "is not a night file (it is not an SQLite database)",
    "empty": "is empty, not a night file",
    "html-page": "is not a night file",
    "other-app-sqlite": "is an SQLite database but not a night file",
    "tracker-store": "is an SQLite database but not a night file",
    "future-schema": "was written by a newer version of the tracker",
    "overwritten-pages": "is damaged and cannot be read",
}


def make_foreign(kind: str, folder: Path) -> Path:
    """Write a file of ``kind`` (a key of FOREIGN) into ``folder``; returns its path."""
    path = folder / f"{kind}.night"
    raw = RUNOFF.read_bytes()
    if kind == "truncated":  # a copy interrupted half-way
        path.write_bytes(raw[: len(raw) // 2])
    elif kind == "random-bytes":
        path.write_bytes(random.Random(7).randbytes(64 * 1024))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "html-page":  # a download that saved the server's error page
        path.write_bytes(b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n")
    elif kind == "other-app-sqlite":  # some browser's history, renamed
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT);"
            "INSERT INTO moz_places (url, title) VALUES ('https://example.org/', 'Example');"
        )
        db.commit()
        db.close()
    elif kind == "tracker-store":  # the app's own store picked by mistake
        from tracker.store import Store

        Store(path).close()
    elif kind == "future-schema":  # a night from a newer tracker
        shutil.copyfile(RUNOFF, path)
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
    elif kind == "overwritten-pages":  # a disk error: a run of pages in the middle overwritten
        damaged = bytearray(raw)
        middle = len(raw) // 2 // 4096 * 4096
        damaged[middle : middle + 3 * 4096] = random.Random(8).randbytes(3 * 4096)
        path.write_bytes(bytes(damaged))
    else:
        raise ValueError(kind)
    return path
