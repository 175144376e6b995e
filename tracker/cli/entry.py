"""``main``: the ``election-tracker`` command itself: pick the command, run it, turn errors into one line.

Every failure a user can cause (missing file, wrong format, corrupt night) ends here as one line on
stderr and exit code 2, never a traceback; output to the terminal goes through
:func:`tracker.terminal.safe_output`, so feed text never reaches it raw.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tracker.cli.parser import build_parser
from tracker.core.errors import TrackerError

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {
        *("open", "replay", "parse", "import", "rehearse", "record", "serve", "projections", "backtest"),
        "pins",
        "export",
        "alerts",
    }
    commands |= {"install-desktop", "uninstall-desktop"}
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "open")  # `election-tracker [NIGHT] [--screenshot PNG]` launches the window
    args = parser.parse_args(argv)
    from tracker.terminal import escape_controls, safe_output

    try:
        with safe_output():  # feed text never reaches the terminal raw (issue 19)
            return int(args.func(args))
    except TrackerError as exc:
        print(f"election-tracker: {escape_controls(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # bad option values (speed out of range, --at not HH:MM)
        print(f"election-tracker: {escape_controls(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `election-tracker parse … | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an output folder that cannot be made, a disk that refuses a file
        print(f"election-tracker: {escape_controls(disk_error(exc))}", file=sys.stderr)
        return EXIT_USAGE


def disk_error(exc: OSError) -> str:
    """One sentence for a file the command could not read or write: the place and the system's
    words ("Not a directory"), without the errno number or the name of a temporary file."""
    name = exc.filename
    if name is None:
        return f"a file could not be written or read: {exc.strerror or 'the system refused'}"
    path = Path(os.fsdecode(name))
    if path.name.startswith(".") and path.name.endswith(".tmp"):  # an atomic write's own file
        path = path.parent
    return f"cannot use {path}: {exc.strerror or 'the system refused'}"
