"""The command line: launch the window, or run a headless job (parse, import, rehearse).

Every failure a user can cause (missing file, wrong format, corrupt night) ends as one line on
stderr and exit code 2 — never a traceback. Qt is imported only by the GUI commands, so the
headless ones start fast and run on machines without a display.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from tracker import __version__, paths
from tracker.core.errors import FeedError, TrackerError

BUNDLED_DEFAULT = "ga06-2017-04-18.night"
#: Feed kinds (tracker.feeds.discovery.KINDS) and serve formats (tracker.archive.serve.SERVE_FORMATS),
#: spelled here so building the parser imports neither.
FEED_KINDS = ("clarity", "ap", "native", "gasos", "ev")
SERVE_AS = ("native", "clarity", "ap", "apv3", "gasos", "ev", "nc", "nist")
EXIT_USAGE = 2


def _last_night() -> Path | None:
    """The last night the user opened, if it still exists."""
    from tracker.store import Store

    try:
        with Store() as store:
            for location, kind in store.recent():
                if kind == "night" and Path(location).is_file():
                    return Path(location)
    except TrackerError:
        pass  # a broken store must not stop the app from starting
    return None


def _default_night() -> Path:
    """The last night the user opened, if it still exists; else the bundled GA-06 night."""
    last = _last_night()
    if last is not None:
        return last
    bundled = paths.resources_dir() / "nights" / BUNDLED_DEFAULT
    if not bundled.is_file():
        raise TrackerError(f"the bundled night is missing ({bundled}); reinstall, or pass a night file")
    return bundled


def _check_night(path: Path) -> None:
    """Open and close the night before starting Qt, so a bad file is a clear stderr line."""
    from tracker.archive.night import NightFile

    with NightFile.open(path) as night:
        if night.warning:
            print(f"election-tracker: {night.warning}", file=sys.stderr)


def _gui(night: Path | None, args: argparse.Namespace) -> int:
    if night is not None:
        _check_night(night)
    from tracker.ui.app import run_gui

    choice = getattr(args, "baseline", None)
    if choice is not None:
        _check_baseline(choice)
        from tracker.archive.projections import set_baseline_override

        set_baseline_override(choice)
    return run_gui(
        night,
        at=getattr(args, "at", None),
        speed=getattr(args, "speed", None),
        contest=getattr(args, "contest", None),
        screenshot=args.screenshot,
        theme=getattr(args, "theme", None),
    )


#: The first bytes of a SQLite database: a night file (anything else is a payload to import).
_SQLITE_MAGIC = b"SQLite format 3\x00"


def classify_open(text: str) -> tuple[str, str]:
    """What ``election-tracker open X`` was given: ``("feed", url)`` for a web address (with or
    without its scheme), ``("night", path)`` for a night file, ``("payload", path)`` for a results
    file of any format the tracker reads. Raises TrackerError for a path that does not exist."""
    import re

    path = Path(text)
    if "://" in text or (not path.exists() and re.match(r"^[\w.-]+\.[a-z]{2,}(:\d+)?/", text, re.I)):
        return "feed", text
    if not path.exists():
        raise TrackerError(f"no such file: {path} (for a live feed, give its web address)")
    if path.is_dir():
        raise TrackerError(f"{path} is a folder, not a night or a results file")
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    return ("night" if head == _SQLITE_MAGIC or path.suffix == ".night" else "payload"), str(path)


def _payload_night(path: Path) -> Path:
    """A results file of any known format, imported into a night in the data folder (the window
    opens nights), named after the file; an earlier import of the same file is replaced. A file
    no parser reads is one clear line (nothing is written)."""
    from tracker.archive.importer import import_payloads

    out = paths.nights_dir() / f"{path.stem}.imported.night"
    import_payloads([path], out=out, overwrite=True)
    return out


def _check_baseline(choice: str) -> None:
    """``--baseline`` names a readable file, or is "none"."""
    if choice.strip().casefold() == "none":
        return
    path = Path(choice)
    if not path.is_file():
        raise TrackerError(f"no baseline file {choice} (give a night or results file, or 'none')")


def cmd_launch(args: argparse.Namespace) -> int:
    """No night named: the last one opened comes back. On a first run (nothing opened yet) the
    window shows the start page -- the bundled nights, labelled, beside "Open a feed…" -- rather
    than dropping a newcomer into a reconstructed 2017 night; ``--start-page`` asks for it, and a
    ``--screenshot`` without a night keeps drawing the bundled night.

    A web address opens the window on that live feed, found the way the Open feed dialog finds it
    (Clarity pages, AP API URLs, Georgia's export, Enhanced Voting pages, feed documents); a
    results file of any known format is imported into a night and opened."""
    if args.night:
        what, where = classify_open(args.night)
        if what == "feed":
            return _feed_gui(where, args)
        if what == "payload":
            return _gui(_payload_night(Path(where)), args)
        return _gui(Path(args.night), args)
    if getattr(args, "start_page", False):
        return _gui(None, args)
    last = _last_night()
    if last is None and args.screenshot is None:
        return _gui(None, args)
    return _gui(last or _default_night(), args)


def _clarity_listing(url: str) -> int:
    """``open https://host/{ST}/elections.json``: a Clarity host's list of the elections it
    publishes now, one site address per line, to open one of them."""
    import urllib.parse

    import httpx

    from tracker.feeds.clarity_sites import parse_listing
    from tracker.feeds.client import make_client

    if "://" not in url:
        url = "https://" + url
    try:
        with make_client() as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise TrackerError(f"cannot read {url}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise TrackerError(f"{url} answered HTTP {response.status_code}")
    listing = parse_listing(response.content)
    if not listing:
        print(f"{url} lists no election now", file=sys.stderr)
        return 0
    parts = urllib.parse.urlsplit(url)
    for entry in listing:
        where = entry.county or "statewide"
        site = urllib.parse.urlunsplit((parts.scheme, parts.netloc, entry.base_path(), "", ""))
        print(f"{site}\t{entry.name} ({where}{', ' + entry.date.isoformat() if entry.date else ''})")
    return 0


def _feed_gui(url: str, args: argparse.Namespace) -> int:
    """Check the address the way the feed dialog does (one clear line for one that is no feed),
    then open the window polling it. A Clarity host's ``/{ST}/elections.json`` prints the
    elections it lists instead (their addresses to open)."""
    from tracker.feeds.discovery import discover
    from tracker.feeds.poller import PollPolicy

    if url.split("?", 1)[0].split("#", 1)[0].endswith("/elections.json"):
        return _clarity_listing(url)

    target = discover(url, kind=getattr(args, "kind", None))
    PollPolicy(interval=args.interval)  # a bad interval is a clear line before Qt starts
    from tracker.ui.app import run_feed_gui

    return run_feed_gui(
        url,
        interval=args.interval,
        kind=getattr(args, "kind", None) or (target.kind if target.kind != "native" else None),
        screenshot=args.screenshot,
        theme=getattr(args, "theme", None),
        contest=getattr(args, "contest", None),
    )


def cmd_replay(args: argparse.Namespace) -> int:
    return _gui(Path(args.night), args)


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
        names_from = parse_payload(_read(names_path), "auto", source=str(names_path))
    if names_from is None:
        _read(path, check_only=True)
        try:  # a big Clarity detail XML is read as it is parsed, never held whole
            snapshot = parse_file(path, args.format, source=str(path))
        except OSError as exc:
            raise TrackerError(f"cannot read {path}: {exc.strerror}") from None
    else:
        snapshot = parse_payload(_read(path), args.format, source=str(path), names_from=names_from)
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
        counts = f"{p['reporting']} of {p['total']} precincts, {contest['total_votes']:,} votes"
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
        )
    except FeedError as exc:
        if args.skip_unreadable or (len(args.files) == 1 and not Path(args.files[0]).is_dir()):
            raise
        raise FeedError(f"{exc}; pass --skip-unreadable to import the other files") from None
    for name, why in result.skipped:
        print(
            f"election-tracker: left out {why if why.startswith(name) else f'{name}: {why}'}", file=sys.stderr
        )
    print(
        f"wrote {result.path}: {result.count} payloads ({result.distinct} distinct), "
        f"{result.first_time:%Y-%m-%d %H:%M} to {result.last_time:%Y-%m-%d %H:%M} UTC, "
        f"times from {result.times}"
        + (f"; {len(result.skipped)} unreadable files left out" if result.skipped else "")
    )
    return 0


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


def cmd_projections(args: argparse.Namespace) -> int:
    """Project every version of a night (with its baseline), append the projections to the store's
    log and print them (CSV with --csv; else the leader's projection per version). With --stored,
    print what the store's log already holds for this night instead of recomputing."""
    from tracker.archive.projections import project_night
    from tracker.store import Store, write_projections_csv

    path = Path(args.night)
    _check_night(path)
    if args.stored:
        with Store() as store:
            records = store.projections(source=str(path.resolve()), contest_id=args.contest)
    else:
        if args.baseline is not None:
            _check_baseline(args.baseline)
        records = project_night(path, contest=args.contest, baseline=args.baseline)
        try:
            with Store() as store:
                store.append_projections(records)
        except TrackerError as exc:  # the printout is still useful without the log
            print(f"election-tracker: not logged: {exc}", file=sys.stderr)
    if args.csv is not None:
        if args.csv == "-":
            write_projections_csv(records, sys.stdout)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as fh:
                n = write_projections_csv(records, fh)
            print(f"wrote {n} rows to {args.csv}")
        return 0
    _print_projections(records)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """The alerts a night raises on its pinned races (or --contest), with every correction, in
    version order; logged in the store (once: the same alert is never logged twice)."""
    from tracker.archive.alerts import scan_night
    from tracker.archive.night import NightFile
    from tracker.core.lookup import find_contests, no_such_contest
    from tracker.core.model import Snapshot
    from tracker.store import Store, alert_csv_row, write_alerts_csv

    path = Path(args.night)
    _check_night(path)
    with NightFile.open(path, readonly=True) as night:
        tz = night.timezone
    store = Store()
    chosen: list[str] = []

    def races(final: Snapshot) -> set[str]:
        wanted = set()
        for ask in args.contest or ():
            match = [c.id for c in find_contests(final.contests, ask, candidates=True)]
            if not match:
                raise TrackerError(no_such_contest(ask, final.contests))
            wanted.update(match)
        if not args.contest:
            wanted = store.pins(final.election.id)
        chosen.extend(c.name for c in final.contests if c.id in wanted)
        return wanted

    with store:
        alerts, _final = scan_night(path, races)
        new = store.append_alerts(str(path.resolve()), alerts)
    if not chosen:
        print(
            "election-tracker: no race pinned in this night: corrections only (pin one, or pass --contest)",
            file=sys.stderr,
        )
    if args.csv is not None:
        if args.csv == "-":
            write_alerts_csv(alerts, sys.stdout, tz)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as fh:
                n = write_alerts_csv(alerts, fh, tz)
            print(f"wrote {n} alerts to {args.csv}")
        return 0
    for a in alerts:
        when, race, what, version = alert_csv_row(a, tz)[:4]
        print(f"{when[11:16]}  v{version:<4} {race}: {what}")
    print(
        f"{len(alerts)} alerts on {', '.join(chosen) or 'no pinned race'}; {len(new)} new to the store's log"
    )
    return 0


def _print_projections(records: list) -> None:
    """Per version and contest, the candidate projected highest: share now, projection, P(clear)."""
    best: dict[tuple[str, str, str], object] = {}
    for r in records:
        key = (r.snapshot_time or "", r.version, r.contest_id)
        cur = best.get(key)
        rank = r.share if r.share is not None else r.share_now
        if cur is None or rank > (cur.share if cur.share is not None else cur.share_now):
            best[key] = r
    labels = sorted({r.baseline for r in records if getattr(r, "baseline", "")})
    print(f"baseline: {'; '.join(labels) if labels else 'none'}")
    print(
        f"{'time (UTC)':<17} {'version':>7}  {'leader':<24} {'now %':>6}  {'projected % [90 %]':<22} P(clear)"
    )
    for (when, version, _cid), r in best.items():
        proj = (
            "too early" if r.share is None else f"{r.share * 100:5.2f} [{r.lo * 100:5.2f}, {r.hi * 100:5.2f}]"
        )
        p = "" if r.p_clear is None else f"{r.p_clear:.3f}"
        print(
            f"{when[:16]:<17} {version:>7}  {r.candidate[:24]:<24} {r.share_now * 100:6.2f}  {proj:<22} {p}"
        )


def cmd_export(args: argparse.Namespace) -> int:
    """Write one race of a night at one instant as CSV (per unit and vote type, with where the
    numbers come from in ``#`` lines). Nothing is written when the night or the race is wrong."""
    from tracker.archive.export import export_contest

    path = Path(args.night)
    _check_night(path)
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
    print(
        f"wrote {result.rows} rows to {out}: {result.contest_name} at {result.at} "
        f"(version {result.version_index + 1} of {result.version_count})"
    )
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
        f"wrote {out}: NIST SP 1500-100 v2 {'JSON' if args.json else 'XML'}, {result.contests} contests "
        f"at {result.at} (version {result.version_index + 1} of {result.version_count})"
    )
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Replay a night in several orders and score the projection against its final result."""
    from tracker.archive.projections import NO_BASELINE, backtest_night
    from tracker.core.backtest import ORDERS

    orders = [o.strip() for o in args.orders.split(",") if o.strip()]
    unknown = [o for o in orders if o not in ORDERS]
    if unknown or not orders:
        raise TrackerError(f"unknown order {', '.join(unknown) or '(none)'}; known: {', '.join(ORDERS)}")
    if args.seeds < 1:
        raise TrackerError("--seeds must be at least 1")
    path = Path(args.night)
    _check_night(path)
    baseline: Path | str | None = None
    if args.baseline is not None:
        baseline = NO_BASELINE if args.baseline.strip().casefold() == NO_BASELINE else Path(args.baseline)
        if isinstance(baseline, Path) and not baseline.is_file():
            raise TrackerError(f"no baseline file at {baseline} (give a night or results file, or 'none')")
    result = backtest_night(path, contest=args.contest, orders=orders, seeds=args.seeds, baseline=baseline)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(result.format_table())
    if args.plot:
        from tracker.ui.backtest_plot import render_backtest

        render_backtest([result], Path(args.plot))
        if not args.json:
            print(f"\nwrote {args.plot}")
    return 0


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl+C and SIGTERM set ``stop`` for the duration, whatever the process inherited: a shell
    that starts a command in the background makes it ignore SIGINT, and Python then never raises
    KeyboardInterrupt. The long-running commands end cleanly on either, with their file closed."""
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    for sig in signals:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_record(args: argparse.Namespace) -> int:
    """Poll a live feed and record every fetch into a night file until Ctrl+C (or --max-polls).

    A ``new … version N`` line is printed only after that version's transaction has committed:
    once printed, a version survives a kill -9 or a power cut (tests/test_crash_safety.py)."""

    from tracker.archive.recorder import Recorded, create_recording, record_feed
    from tracker.feeds.client import make_client
    from tracker.feeds.discovery import discover
    from tracker.feeds.poller import Poller, PollPolicy, PollReport

    if (args.output is None) == (args.resume is None):
        raise TrackerError("record needs either -o NIGHT (a new night) or --resume NIGHT (an existing one)")
    policy = PollPolicy(interval=args.interval)
    if args.resume is not None:
        out = Path(args.resume)
        night, target = _resume_recording(out, args)
        print(
            f"resuming the recording of {target.display_url} ({target.kind}) in {out} "
            f"({len(night.versions())} versions so far) every {policy.interval:g} s; Ctrl+C stops"
        )
    else:
        if args.url is None:
            raise TrackerError("record needs the feed's address (or --resume NIGHT)")
        target = discover(args.url, kind=args.kind, fmt=args.format)
        out = Path(args.output)
        if not args.force and (out.exists() or out.with_name(out.name + "-wal").exists()):
            # never a hint to --force: over a crashed recording it would delete every version in it
            raise TrackerError(
                f"{out} already exists; to continue recording into it use "
                f"`election-tracker record --resume {out}`, or choose another name"
            )
        night = create_recording(
            out, url=target.display_url, kind=target.kind, timezone=args.timezone, overwrite=args.force
        )
        print(
            f"recording {target.display_url} ({target.kind}) every {policy.interval:g} s into {out}; "
            "Ctrl+C stops"
        )
    stop = threading.Event()

    def report(poll: PollReport, recorded: Recorded) -> None:
        versions = iter(recorded.snapshots)
        for event in poll.events:
            detail = event.error or ""
            if event.kind == "new":
                snap = next(versions, None)
                if snap is not None:
                    detail = f"version {snap.version}"
                elif recorded.errors:
                    detail = recorded.errors[0]
                else:
                    detail = "kept, older than the current version"
            elif event.kind not in ("error", "stale"):
                continue
            line = f"{event.fetched_at:%H:%M:%S} {event.kind:<6} {event.status or '-'} {detail}"
            print(line.rstrip(), flush=True)
        if poll.state.error:
            print(f"         backing off {poll.delay:.0f} s ({poll.reason})", flush=True)

    try:
        with (
            _stop_on_signals(stop),
            make_client(connect_timeout=policy.connect_timeout, read_timeout=policy.read_timeout) as client,
        ):
            poller = Poller(target, client=client, policy=policy)
            recorder = record_feed(
                poller, night, stop, on_report=None if args.quiet else report, max_polls=args.max_polls
            )
    finally:
        night.close()
    print(
        f"wrote {out}: {recorder.versions} versions ({recorder.stale} stale kept, not shown), "
        f"{poller.polls} polls"
    )
    return 0


def _resume_recording(path: Path, args: argparse.Namespace) -> tuple[object, object]:
    """The recording at ``path`` opened for writing (a crashed one's WAL folded in by SQLite),
    and the feed to poll: the address given, else the one the night recorded."""
    from tracker.archive.night import NightFile
    from tracker.feeds.discovery import discover

    night = NightFile.open(path, readonly=False)  # refused while another process records it
    try:
        if night.kind != "recorded":
            raise TrackerError(
                f"{path} is a {night.kind} night, not a recording; only a recording can be resumed"
            )
        url = args.url or night.meta.get("feed_url", "")
        if not url:
            raise TrackerError(f"{path} does not say which feed it recorded; give its address after `record`")
        target = discover(url, kind=args.kind or night.meta.get("feed_kind") or None, fmt=args.format)
    except BaseException:
        night.close()
        raise
    return night, target


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a night over loopback HTTP as a live feed, releasing versions on the replay clock."""

    from tracker.archive.serve import FeedServer

    try:
        server = FeedServer(
            Path(args.night),
            fmt=args.as_format,
            speed=args.speed,
            port=args.port,
            ap_quota=args.ap_quota,
            summary=args.summary,
        )
    except OSError as exc:
        raise TrackerError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    stop = threading.Event()
    with server, _stop_on_signals(stop):
        print(
            f"serving {Path(args.night).name} as {args.as_format} at {server.url} ({args.speed:g}×); "
            "Ctrl+C stops",
            flush=True,
        )
        while not stop.wait(0.5):
            if args.exit_at_end and server.finished():
                break
    return 0


def cmd_pins(args: argparse.Namespace) -> int:
    """The store's pinned races: list them, or export/import them as a watch list (README, Pins)."""
    from tracker.archive import watchlist
    from tracker.store import Store

    with Store() as store:
        if args.pins_command == "export":
            n = watchlist.export_pins(store, Path(args.file), election_id=args.election, overwrite=args.force)
            print(f"wrote {args.file}: {n} pinned {'race' if n == 1 else 'races'}")
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


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from tracker import desktop

    command = desktop.launcher()
    for path in desktop.install(command=command):
        print(f"wrote {path}")
    print(f"the menu entry runs {command}; `election-tracker uninstall-desktop` removes it")
    return 0


def cmd_uninstall_desktop(args: argparse.Namespace) -> int:
    from tracker import desktop

    removed = desktop.uninstall()
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print(f"nothing to remove: no {desktop.DESKTOP_FILE} files under {desktop.data_home()}")
    return 0


#: The largest payload file a command reads (the poller's own limit).
MAX_INPUT_BYTES = 256 * 1024 * 1024


def _read(path: Path, *, check_only: bool = False) -> bytes:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="election-tracker",
        description="Watch election-night counts against the line a candidate must cross.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def gui_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--screenshot", metavar="PNG", type=Path, help="draw, save the window as PNG, exit")
        p.add_argument("--contest", metavar="ID", help="select this contest (id) at start")
        p.add_argument(
            "--theme",
            choices=("system", "light", "dark"),
            help="light or dark (default: $TRACKER_THEME, else View ▸ Theme's choice, else the system's)",
        )
        p.add_argument(
            "--baseline",
            metavar="FILE|none",
            help="an earlier election's results (a night or a payload) for the same units instead of the "
            "night's own baseline, or 'none' for no baseline",
        )

    launch = sub.add_parser(
        "open", help="open a night, a live feed (URL) or a results file in the window (the default command)"
    )
    launch.add_argument(
        "night",
        nargs="?",
        metavar="URL|FILE",
        help="a feed's web address, a .night file or a results file of any known format "
        "(default: the last night, else the start page)",
    )
    launch.add_argument(
        "--interval", type=float, default=30.0, metavar="S", help="with a URL: seconds between polls"
    )
    launch.add_argument("--kind", choices=FEED_KINDS, help="with a URL: force the kind of feed")
    launch.add_argument(
        "--start-page", action="store_true", help="show the start page (bundled and recent nights, feeds)"
    )
    gui_options(launch)
    launch.set_defaults(func=cmd_launch)

    replay = sub.add_parser("replay", help="replay a night file in the window")
    replay.add_argument("night", help="a .night file")
    replay.add_argument(
        "--at",
        metavar="HH:MM",
        help="start at this time of the night (its own timezone); "
        "'YYYY-MM-DD HH:MM' on a night of several days",
    )
    replay.add_argument("--speed", type=float, metavar="N", help="replay speed, 1 to 1000 (× real time)")
    gui_options(replay)
    replay.set_defaults(func=cmd_replay)

    parse = sub.add_parser("parse", help="parse one feed payload and print its totals")
    parse.add_argument("file")
    parse.add_argument(
        "--format",
        default="auto",
        help="auto, or a format name from the README (clarity-detail-xml, ap-v2, ...)",
    )
    parse.add_argument(
        "--names",
        metavar="FILE",
        help="for a Clarity ALL.json: a payload of the same election (e.g. its detail XML) that names "
        "its contests and candidates",
    )
    parse.add_argument("--json", action="store_true", help="print the stable JSON summary (see README)")
    parse.set_defaults(func=cmd_parse)

    imp = sub.add_parser("import", help="build a night file from saved payloads")
    imp.add_argument("files", nargs="+", metavar="FILES_OR_DIR")
    imp.add_argument("--format", default="auto")
    imp.add_argument("-o", "--output", required=True, metavar="NIGHT")
    imp.add_argument("--times", metavar="CSV", help="file,time CSV for payloads without their own time")
    imp.add_argument("--timezone", default="UTC", help="IANA zone the night is shown in")
    imp.add_argument("--force", action="store_true", help="overwrite an existing night file")
    imp.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="leave out files that are not results (a scraper's saved error pages) and import the rest",
    )
    imp.set_defaults(func=cmd_import)

    reh = sub.add_parser("rehearse", help="build a reconstructed night from certified precinct results")
    reh.add_argument("name", help="ga06-2017-04-18 or ga06-2017-06-20")
    reh.add_argument("--data", metavar="DIR", help="the shared data folder")
    reh.add_argument("-o", "--output", metavar="NIGHT")
    reh.add_argument("--seed", type=int, default=2017)
    reh.set_defaults(func=cmd_rehearse)

    proj = sub.add_parser(
        "projections", help="project every version of a night, log and print the projections"
    )
    proj.add_argument("night", help="a .night file")
    proj.add_argument("--contest", metavar="ID", help="one contest (id or part of its name); default: all")
    proj.add_argument(
        "--csv", nargs="?", const="-", metavar="FILE", help="write CSV (to FILE, or to stdout without one)"
    )
    proj.add_argument(
        "--stored", action="store_true", help="print what the store's log holds, do not recompute"
    )
    proj.add_argument(
        "--baseline",
        metavar="FILE|none",
        help="an earlier election's results for the same units instead of the night's own, or 'none'",
    )
    proj.set_defaults(func=cmd_projections)

    exp = sub.add_parser(
        "export", help="write one race of a night at one instant as CSV, or the whole night as NIST v2"
    )
    exp.add_argument("night", help="a .night file")
    exp.add_argument("--contest", metavar="ID", help="contest id or part of its name (default: most votes)")
    exp.add_argument(
        "--at",
        metavar="HH:MM",
        help="the night's time (its own timezone; 'YYYY-MM-DD HH:MM' on a night of several days); "
        "default: its last version",
    )
    exp.add_argument("--csv", metavar="FILE", help="the CSV file to write (- for stdout)")
    exp.add_argument(
        "--nist",
        metavar="FILE",
        help="write every contest as a NIST SP 1500-100 v2 report instead (XML; - for stdout)",
    )
    exp.add_argument("--json", action="store_true", help="with --nist: the standard's JSON form")
    exp.add_argument(
        "--by",
        choices=("unit", "county"),
        default="unit",
        help="one row per reporting unit (default) or per county, and vote type",
    )
    exp.set_defaults(func=cmd_export)

    al = sub.add_parser("alerts", help="the alerts a night raises on its pinned races, and its corrections")
    al.add_argument("night", help="a .night file")
    al.add_argument(
        "--contest",
        action="append",
        metavar="ID",
        help="a race (id, part of its name or of a candidate's) instead of the pins; repeatable",
    )
    al.add_argument(
        "--csv", nargs="?", const="-", metavar="FILE", help="write CSV (to FILE, or to stdout without one)"
    )
    al.set_defaults(func=cmd_alerts)

    bt = sub.add_parser("backtest", help="replay a night in several orders and score the projection")
    bt.add_argument("night", help="a .night file")
    bt.add_argument("--contest", metavar="ID", help="contest id or part of its name (default: most votes)")
    bt.add_argument(
        "--orders", default="recorded,random,early-first,county-late,skewed", help="comma-separated orders"
    )
    bt.add_argument(
        "--seeds", type=int, default=10, metavar="N", help="runs per reordered order (default 10)"
    )
    bt.add_argument("--json", action="store_true", help="print the stable JSON (see README, Projections)")
    bt.add_argument("--plot", metavar="PNG", help="also draw the error curves into PNG")
    bt.add_argument(
        "--baseline",
        metavar="FILE|none",
        help="an earlier election's results (a night or a payload) for the same units; "
        "'none' runs without a baseline even where the night has one",
    )
    bt.set_defaults(func=cmd_backtest)

    rec = sub.add_parser("record", help="poll a live feed and record every fetch into a night file")
    rec.add_argument(
        "url",
        nargs="?",
        help="a Clarity results page, an AP API URL, Georgia's export, an Enhanced Voting results page "
        "or a feed document URL (with --resume: the night's own)",
    )
    rec.add_argument("--format", default="auto", help="force a payload format (default: detect)")
    rec.add_argument("--kind", choices=FEED_KINDS, help="force the kind of feed")
    rec.add_argument(
        "--interval", type=float, default=30.0, metavar="S", help="seconds between polls (default 30)"
    )
    rec.add_argument("-o", "--output", metavar="NIGHT", help="the new night file to record into")
    rec.add_argument(
        "--resume",
        metavar="NIGHT",
        help="continue a recording (one that crashed or was stopped) in NIGHT; nothing in it is lost",
    )
    rec.add_argument("--timezone", default="UTC", help="IANA zone the night is shown in")
    rec.add_argument("--force", action="store_true", help="overwrite an existing night file")
    rec.add_argument("--max-polls", type=int, metavar="N", help="stop after N polls (default: until Ctrl+C)")
    rec.add_argument("--quiet", action="store_true", help="print only the summary at the end")
    rec.set_defaults(func=cmd_record)

    pins = sub.add_parser("pins", help="list, export or import the pinned races (a shareable watch list)")
    pins_sub = pins.add_subparsers(dest="pins_command", metavar="ACTION", required=True)
    pins_export = pins_sub.add_parser("export", help="write the pinned races to a tracker-pins/1 file")
    pins_export.add_argument("file", metavar="FILE")
    pins_export.add_argument("--election", metavar="ID", help="only this election's pins (default: all)")
    pins_export.add_argument("--force", action="store_true", help="overwrite an existing file")
    pins_import = pins_sub.add_parser("import", help="merge a tracker-pins/1 file into the pinned races")
    pins_import.add_argument("file", metavar="FILE")
    pins_list = pins_sub.add_parser("list", help="print the pinned races: election, contest id, name")
    pins_list.add_argument("--election", metavar="ID", help="only this election's pins")
    pins.set_defaults(func=cmd_pins)

    srv = sub.add_parser("serve", help="serve a night over loopback HTTP as a live feed")
    srv.add_argument("night", help="a .night file (recorded or reconstructed)")
    srv.add_argument(
        "--as",
        dest="as_format",
        choices=SERVE_AS,
        default="native",
        help="the feed to serve as: native, clarity (a Clarity state site with county sites), ap (v2), "
        "apv3 (AP v3 in AP's documented shape, constructed), gasos (Georgia's export), ev (Enhanced Voting), "
        "nc (North Carolina's results file), nist (NIST SP 1500-100 v2)",
    )
    srv.add_argument(
        "--speed", type=float, default=60.0, metavar="N", help="replay speed, 1 to 1000 (× real time)"
    )
    srv.add_argument(
        "--port", type=int, default=8000, metavar="P", help="port on 127.0.0.1 (0: any free port)"
    )
    srv.add_argument("--exit-at-end", action="store_true", help="stop once the last version is released")
    srv.add_argument(
        "--ap-quota",
        type=int,
        metavar="N",
        help="with --as ap: answer 403 after N requests a minute, as AP does",
    )
    srv.add_argument(
        "--summary",
        action="store_true",
        help="with --as clarity: the state site also serves each version's json/en/summary.json",
    )
    srv.set_defaults(func=cmd_serve)

    ins = sub.add_parser(
        "install-desktop",
        help="add the app to your desktop's menu (entry, metainfo, icons under $XDG_DATA_HOME)",
    )
    ins.set_defaults(func=cmd_install_desktop)
    uns = sub.add_parser("uninstall-desktop", help="remove what install-desktop added")
    uns.set_defaults(func=cmd_uninstall_desktop)
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
