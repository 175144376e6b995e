"""``open`` and ``replay``: the commands that show the window (the default command is ``open``).

What was asked for is worked out here, before Qt is imported: a web address, a night file or a
results file (:func:`classify_open`); the last night, the start page or the bundled night when
nothing was named. A bad file or address is one line on stderr, never a window that opens empty.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker import paths
from tracker.cli.checks import check_baseline, check_night
from tracker.core.errors import TrackerError

BUNDLED_DEFAULT = "ga06-2017-04-18.night"


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


def _gui(night: Path | None, args: argparse.Namespace) -> int:
    if night is not None:
        check_night(night)
    from tracker.ui.app import run_gui

    choice = getattr(args, "baseline", None)
    if choice is not None:
        check_baseline(choice)
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
    from tracker.feeds.errors import describe_network_error

    if "://" not in url:
        url = "https://" + url
    try:
        with make_client() as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise TrackerError(f"cannot read {url}: {describe_network_error(exc)}") from None
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
