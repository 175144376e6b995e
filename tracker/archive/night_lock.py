"""One writer at a time: the exclusive advisory lock (``flock``) a writable night holds.

Kept apart because it is about the file beside SQLite, not SQLite: a second recorder, or
``record --force`` over a night being recorded, is refused with one sentence instead of
interleaving or deleting it, and the kernel drops the lock when the process dies, so a crashed
recorder never leaves a night locked. Readers take no lock. The sidecar files named here are the
ones a night may have beside it (WAL, shared memory, rollback journal), deleted with it.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracker.core.errors import NightFileError

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own locking still keeps the file consistent
    fcntl = None  # type: ignore[assignment]


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _in_use(path: Path) -> NightFileError:
    return NightFileError(
        f"{path} is being recorded by another process; stop that recording first, or choose another file"
    )


def _take_lock(fd: int, path: Path) -> None:
    """Take the writer's exclusive lock on an open descriptor of the night, or refuse."""
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _in_use(path) from None
    except OSError:  # a file system without flock: write without the lock, as before
        pass


def _lock_existing(path: Path) -> int:
    """A descriptor of the existing night at ``path`` holding the writer's lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise NightFileError(f"cannot open {path}: {exc.strerror or exc}") from None
    _take_lock(fd, path)
    return fd
