"""``pins``: the store's pinned races listed, or shared as a watch-list file (README, Pins)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker.core.words import count


def cmd_pins(args: argparse.Namespace) -> int:
    """The store's pinned races: list them, or export/import them as a watch list (README, Pins)."""
    from tracker.archive import watchlist
    from tracker.store import Store

    with Store() as store:
        if args.pins_command == "export":
            n = watchlist.export_pins(store, Path(args.file), election_id=args.election, overwrite=args.force)
            print(f"wrote {args.file}: {count(n, 'pinned race')}")
        elif args.pins_command == "import":
            report = watchlist.import_pins(store, Path(args.file))
            print(report.summary())
        else:
            rows = store.pin_rows(args.election)
            for election_id, contest_id, name in rows:
                print(f"{election_id}\t{contest_id}\t{name}")
            if not rows:
                print("no pinned races", file=sys.stderr)
    return 0
