"""``record`` and ``serve``: the long-running commands, a live feed recorded or a night served as one.

Both run until Ctrl+C or SIGTERM (:func:`_stop_on_signals`) and close their file or socket cleanly
on either, whatever signal handling the process inherited.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from tracker.core.errors import TrackerError
from tracker.core.words import count


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
    from tracker.feeds.discovery import discover, guess_timezone, named_zone
    from tracker.feeds.poller import Poller, PollPolicy, PollReport

    if (args.output is None) == (args.resume is None):
        raise TrackerError("record needs either -o NIGHT (a new night) or --resume NIGHT (an existing one)")
    policy = PollPolicy(interval=args.interval)
    if args.resume is not None:
        out = Path(args.resume)
        night, target = _resume_recording(out, args)
        print(
            f"resuming the recording of {target.display_url} ({target.kind}) in {out} "
            f"({count(len(night.versions()), 'version')} so far) every {policy.interval:g} s; Ctrl+C stops"
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
        # --timezone, else the state's the address names, else the first version's (the recorder).
        night = create_recording(
            out,
            url=target.display_url,
            kind=target.kind,
            timezone=args.timezone or named_zone(target),
            until_named=guess_timezone(target),
            overwrite=args.force,
        )
        print(
            f"recording {target.display_url} ({target.kind}) every {policy.interval:g} s into {out}; "
            "Ctrl+C stops"
        )
    stop = threading.Event()

    def report(poll: PollReport, recorded: Recorded) -> None:
        versions = iter(recorded.snapshots)
        repeats = recorded.repeats
        for event in poll.events:
            detail = event.error or ""
            if event.kind == "new":
                snap = next(versions, None)
                if snap is not None:
                    detail = f"version {snap.version}"
                elif recorded.errors:
                    detail = recorded.errors[0]
                elif repeats:
                    repeats -= 1
                    detail = "the version already recorded (the same bytes), nothing new to show"
                else:
                    detail = "kept, older than the current version"
            elif event.kind == "error":
                # which file: a Clarity site's optional summary.json answering 404 is not its zip
                name = urllib.parse.urlsplit(event.url).path.rsplit("/", 1)[-1]
                if "." in name and name not in detail:  # a file's name, not an AP date or a site
                    detail = f"{detail} ({name})"
            elif event.kind != "stale":
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
        f"wrote {out}: {count(recorder.versions, 'version')} ({recorder.stale:,} stale kept, not shown), "
        f"{count(poller.polls, 'poll')}"
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

    from tracker.archive.night_state import STATE_NAMES
    from tracker.archive.serve import STATE_FORMATS, FeedServer

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
    if args.as_format in STATE_FORMATS and not server.state_named:
        print(
            f"election-tracker: {Path(args.night).name} does not say which state it is of, and a "
            f"{args.as_format} feed names one: it is served as {STATE_NAMES[server.state]}'s "
            f"({server.state}), whose time zone and rules a reader will use",
            file=sys.stderr,
        )
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
