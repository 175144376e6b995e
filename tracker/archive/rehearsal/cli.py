"""The command line: build a reconstructed night from certified precinct results and print how it
compares with what the press reported (``python -m tracker.archive.rehearsal``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tracker import paths
from tracker.archive.rehearsal.build import build_night
from tracker.archive.rehearsal.sources import KNOWN_NIGHTS
from tracker.core.errors import TrackerError


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tracker.archive.rehearsal NAME [--data DIR] [-o OUT] [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m tracker.archive.rehearsal",
        description="Build a reconstructed night from certified precinct results and print how it "
        "compares with what the press reported.",
    )
    parser.add_argument("name", help=" or ".join(KNOWN_NIGHTS))
    parser.add_argument("--data", metavar="DIR", help="the shared data folder (default: ../shared/data)")
    parser.add_argument("-o", "--output", metavar="NIGHT", help="default: resources/nights/NAME.night")
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)
    data_dir = Path(args.data) if args.data else paths.shared_data_dir()
    try:
        if data_dir is None:
            raise TrackerError("cannot find the shared data folder; pass --data DIR")
        out = Path(args.output) if args.output else paths.resources_dir() / "nights" / f"{args.name}.night"
        report = build_night(args.name, data_dir=data_dir, out=out, seed=args.seed, overwrite=True)
    except (TrackerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.format_table())
    print(f"\nwrote {report.path} ({report.path.stat().st_size / 1e6:.2f} MB, {report.versions} versions)")
    return 0
