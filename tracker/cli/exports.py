"""``export``: one race of a night at one instant as CSV, or the whole night as a NIST v2 report.

Every option clash (``--csv`` with ``--nist``, ``--json`` without it) is refused before anything is
written, so a wrong command line never leaves half a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.cli.checks import check_night
from tracker.core.errors import TrackerError
from tracker.core.words import count

if TYPE_CHECKING:
    from tracker.archive.export import ContestExport, NistExport


def cmd_export(args: argparse.Namespace) -> int:
    """Write one race of a night at one instant as CSV (per unit and vote type, with where the
    numbers come from in ``#`` lines). Nothing is written when the night or the race is wrong."""
    from tracker.archive.export import export_contest

    path = Path(args.night)
    check_night(path)
    if args.nist is not None:
        return _export_nist(path, args)
    if args.json:
        raise TrackerError("--json goes with --nist (the CSV export has one form)")
    if args.csv is None:
        raise TrackerError(
            "say where to write: --csv FILE (one race as CSV) or --nist FILE (the whole night)"
        )
    result = export_contest(path, contest=args.contest, at=args.at, level=args.by)
    if args.csv == "-":
        sys.stdout.write(result.text)
        return 0
    out = Path(args.csv)
    try:
        with open(out, "w", newline="", encoding="utf-8") as fh:
            fh.write(result.text)
    except OSError as exc:
        raise TrackerError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {count(result.rows, 'row')} to {out}: {result.contest_name}{_which(result)}")
    return 0


def _export_nist(path: Path, args: argparse.Namespace) -> int:
    """``export --nist FILE [--json]``: every contest of one version as a NIST SP 1500-100 v2 report."""
    from tracker.archive.export import export_nist

    if args.csv is not None:
        raise TrackerError("choose one of --csv and --nist")
    if args.contest is not None or args.by != "unit":
        raise TrackerError("--contest and --by go with --csv; a NIST report holds every contest")
    result = export_nist(path, at=args.at, form="json" if args.json else "xml")
    if args.nist == "-":
        sys.stdout.buffer.write(result.data)
        sys.stdout.flush()
        return 0
    out = Path(args.nist)
    try:
        out.write_bytes(result.data)
    except OSError as exc:
        raise TrackerError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(
        f"wrote {out}: NIST SP 1500-100 v2 {'JSON' if args.json else 'XML'}, "
        f"{count(result.contests, 'contest')}{_which(result)}"
    )
    return 0


def _which(result: ContestExport | NistExport) -> str:
    """ " at 22:40 EDT (version 41 of 73)"; on a night whose files had no times, which version
    alone, never its placeholder clock."""
    version = f"version {result.version_index + 1} of {result.version_count}"
    return f" at {result.at} ({version})" if result.at else f" ({version}; the files have no times)"
