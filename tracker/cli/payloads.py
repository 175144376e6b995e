"""``parse``, ``import`` and ``rehearse``: reading results files and building nights from them.

Headless and one-shot: a payload printed race by race, saved payloads made into a night file, a
reconstructed night built from certified results. None of them starts Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracker import paths
from tracker.cli.checks import read_input
from tracker.core.errors import FeedError, TrackerError
from tracker.core.words import count, noun

if TYPE_CHECKING:
    from tracker.archive.importer import ImportResult


def cmd_parse(args: argparse.Namespace) -> int:
    from tracker.core.summary import contest_summary, snapshot_summary
    from tracker.feeds.registry import parse_file, parse_payload

    # A one-shot command: the Snapshot has no reference cycles, and the cyclic GC would walk a
    # statewide file's hundreds of thousands of objects again and again (issue 21).
    gc.disable()
    path = Path(args.file)
    names_from = None
    if getattr(args, "names", None):  # Clarity ALL.json carries no names: take them from this file
        names_path = Path(args.names)
        names_from = parse_payload(read_input(names_path), "auto", source=str(names_path))
    if names_from is None:
        read_input(path, check_only=True)
        try:  # a big Clarity detail XML is read as it is parsed, never held whole
            snapshot = parse_file(path, args.format, source=str(path))
        except OSError as exc:
            raise TrackerError(f"cannot read {path}: {exc.strerror}") from None
    else:
        snapshot = parse_payload(read_input(path), args.format, source=str(path), names_from=names_from)
    if args.json:
        json.dump(snapshot_summary(snapshot), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:  # printed race by race: a statewide file's whole summary is never held at once
        summary = snapshot_summary(dataclasses.replace(snapshot, contests=()))
        summary["contests"] = (contest_summary(c, groups=False) for c in snapshot.contests)
        _print_summary(summary)
    return 0


def _print_summary(summary: dict) -> None:
    print(summary["election"]["name"])
    if summary["election"].get("note"):
        print(f"Note: {summary['election']['note']}")
    for contest in summary["contests"]:
        # A race's lines are written at once: a statewide file has 20,000 of them (issue 21).
        lines: list[str] = []
        out = lines.append
        p = contest["precincts"]
        # A feed without precinct counts (Clarity's ALL.json, a county timeseries) is not
        # "0 of 0 precincts": it says nothing of precincts, as the window's header says.
        precincts = (
            f"{p['reporting']:,} of {p['total']:,} {noun(p['total'], 'precinct')}"
            if p["total"]
            else "no precinct counts"
        )
        counts = f"{precincts}, {count(contest['total_votes'], 'vote')}"
        if contest.get("totals_source") == "feed" and any(
            c["votes"] != c.get("unit_votes", c["votes"]) for c in contest["candidates"]
        ):
            counts += " as the feed states them; its units add up differently"
        out(f"\n{contest['name']} — {counts}")
        rule = contest.get("rule")
        if rule:
            out(f"  Rule: {rule['text']} · {rule['origin']}")
        if contest.get("partial"):
            out(f"  Part of the race: {contest['partial']}")
        if contest.get("completeness"):
            out(f"  Count: {contest['completeness']}")
        for cand in sorted(contest["candidates"], key=lambda c: -c["votes"]):
            line = f"  {cand['name']:<32} {cand['votes']:>10,}  {cand['share'] * 100:6.2f} %"
            if cand.get("standing"):
                line += f"  {cand['standing']}"
            out(line)
        call = contest.get("call")
        if call:  # the publisher's call, said to be theirs
            names = {c["id"]: c["name"] for c in contest["candidates"]}
            if call["winners"]:
                out(f"  {call['by']} called: {', '.join(names.get(i, i) for i in call['winners'])}")
            if call["advancing"]:
                out(f"  {call['by']}: runoff between {', '.join(names.get(i, i) for i in call['advancing'])}")
        for warning in contest.get("warnings", []):
            out(f"  ! {warning}")
        print("\n".join(lines))
    notes = summary.get("notes") or []
    if notes:
        print(f"\nSet aside ({len(notes)}):")
        for note in notes:
            print(f"  - {note}")


def cmd_import(args: argparse.Namespace) -> int:
    from tracker.archive.importer import import_payloads

    try:
        result = import_payloads(
            [Path(p) for p in args.files],
            fmt=args.format,
            out=Path(args.output),
            times_csv=Path(args.times) if args.times else None,
            timezone=args.timezone,
            overwrite=args.force,
            skip_unreadable=args.skip_unreadable,
            names=Path(args.names) if args.names else None,
        )
    except FeedError as exc:
        if args.skip_unreadable or (len(args.files) == 1 and not Path(args.files[0]).is_dir()):
            raise
        raise FeedError(f"{exc}; pass --skip-unreadable to import the other files") from None
    for note in result.notes:
        print(f"election-tracker: {note}", file=sys.stderr)
    for name, why in result.skipped:
        print(
            f"election-tracker: left out {why if why.startswith(name) else f'{name}: {why}'}", file=sys.stderr
        )
    print(
        f"wrote {result.path}: {count(result.count, 'payload')} ({result.distinct:,} distinct), "
        f"{_span(result)}"
        + (f"; {count(len(result.skipped), 'unreadable file')} left out" if result.skipped else "")
    )
    return 0


def _span(result: ImportResult) -> str:
    """When the night's versions came: "… to … UTC", "at … UTC" for one time, and for files
    with no times no clock at all (their placeholder, 2000-01-01, is no time anybody saw)."""
    from tracker.core.untimed import FILE_ORDER

    if result.times == FILE_ORDER:
        return "no times in the files: the versions are in file order"
    first, last = f"{result.first_time:%Y-%m-%d %H:%M}", f"{result.last_time:%Y-%m-%d %H:%M}"
    when = f"at {first}" if first == last else f"{first} to {last}"
    return f"{when} UTC, times from {result.times}"


def cmd_rehearse(args: argparse.Namespace) -> int:
    from tracker.archive.rehearsal import build_night

    data_dir = Path(args.data) if args.data else paths.shared_data_dir()
    if data_dir is None:
        raise TrackerError("cannot find the shared data folder; pass --data DIR")
    out = Path(args.output) if args.output else paths.resources_dir() / "nights" / f"{args.name}.night"
    report = build_night(args.name, data_dir=data_dir, out=out, seed=args.seed, overwrite=True)
    print(report.format_table())
    print(f"\nwrote {report.path}")
    return 0
