"""What every command checks before it starts work: the night opens, the baseline exists, the file is
a file of a sane size. Here so that each check is the same one line on stderr whichever command
makes it (``election-tracker: no such file: …``), and a bad input stops a command before it has
written anything or started Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.core.errors import TrackerError


def check_night(path: Path) -> None:
    """Open and close the night before starting Qt, so a bad file is a clear stderr line."""
    from tracker.archive.night import NightFile

    with NightFile.open(path) as night:
        if night.warning:
            print(f"election-tracker: {night.warning}", file=sys.stderr)


def check_baseline(choice: str) -> None:
    """``--baseline`` names a readable file, or is "none"."""
    if choice.strip().casefold() == "none":
        return
    path = Path(choice)
    if not path.is_file():
        raise TrackerError(f"no baseline file {choice} (give a night or results file, or 'none')")


#: The largest payload file a command reads (the poller's own limit).
MAX_INPUT_BYTES = 256 * 1024 * 1024


def read_input(path: Path, *, check_only: bool = False) -> bytes:
    """The file's bytes, or one sentence why not; ``check_only``: the checks, not the bytes."""
    if path.exists() and not path.is_dir() and not path.is_file():
        raise TrackerError(f"{path} is not a file (it is a device, a pipe or a socket)")  # /dev/zero
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise TrackerError(f"{path} is larger than {MAX_INPUT_BYTES // 2**20} MB; not a results file")
        if check_only:
            if path.is_dir():
                raise IsADirectoryError
            return b""
        return path.read_bytes()
    except FileNotFoundError:
        raise TrackerError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise TrackerError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise TrackerError(f"cannot read {path}: {exc.strerror}") from None
