"""The ``election-tracker`` command line's grammar: every command, its options and their help.

Kept apart from the commands' work: building it imports the command modules, and each of those
imports what it needs only when it runs, so ``--help`` and a usage error answer at once, without
Qt, httpx or a feed parser loaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tracker import __version__
from tracker.cli.analysis import cmd_alerts, cmd_backtest, cmd_projections
from tracker.cli.desktop_menu import cmd_install_desktop, cmd_uninstall_desktop
from tracker.cli.exports import cmd_export
from tracker.cli.live import cmd_record, cmd_serve
from tracker.cli.payloads import cmd_import, cmd_parse, cmd_rehearse
from tracker.cli.pins import cmd_pins
from tracker.cli.window import cmd_launch, cmd_replay

#: Feed kinds (tracker.feeds.discovery.KINDS) and serve formats (tracker.archive.serve.SERVE_FORMATS),
#: spelled here so building the parser imports neither.
FEED_KINDS = ("clarity", "ap", "native", "gasos", "ev")
SERVE_AS = ("native", "clarity", "ap", "apv3", "gasos", "ev", "nc", "nist")


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
        "'YYYY-MM-DD HH:MM' on a night of several days; 'v N' for its Nth version",
    )
    replay.add_argument("--speed", type=float, metavar="N", help="replay speed, 1 to 1000 (× real time)")
    gui_options(replay)
    replay.set_defaults(func=cmd_replay)

    parse = sub.add_parser("parse", help="parse one feed payload and print its totals")
    parse.add_argument("file")
    parse.add_argument(
        "--format",
        default="auto",
        help="auto, or a format name from docs/formats.md (clarity-detail-xml, ap-v2, ...)",
    )
    parse.add_argument(
        "--names",
        metavar="FILE",
        help="for a Clarity ALL.json: a payload of the same election (e.g. its detail XML) that names "
        "its contests and candidates",
    )
    parse.add_argument(
        "--json", action="store_true", help="print the stable JSON summary (see docs/formats.md)"
    )
    parse.set_defaults(func=cmd_parse)

    imp = sub.add_parser("import", help="build a night file from saved payloads")
    imp.add_argument("files", nargs="+", metavar="FILES_OR_DIR")
    imp.add_argument("--format", default="auto")
    imp.add_argument("-o", "--output", required=True, metavar="NIGHT")
    imp.add_argument("--times", metavar="CSV", help="file,time CSV for payloads without their own time")
    imp.add_argument(
        "--timezone",
        default=None,
        help="IANA zone the night is shown in (default: the file's state's, else UTC)",
    )
    imp.add_argument("--force", action="store_true", help="overwrite an existing night file")
    imp.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="leave out files that are not results (a scraper's saved error pages) and import the rest",
    )
    imp.add_argument(
        "--names",
        metavar="FILE",
        help="for Clarity ALL.json files: a payload of the same election (its detail XML or "
        "summary.json) that names their contests and candidates; kept in the night",
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
        help="the night's time (its own timezone; 'YYYY-MM-DD HH:MM' on a night of several days), "
        "or 'v N' for its Nth version; default: its last version",
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
    bt.add_argument("--json", action="store_true", help="print the stable JSON (see docs/projection.md)")
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
    rec.add_argument(
        "--timezone",
        help="IANA zone the night is shown in (default: the zone of the state the address or the "
        "feed names, else UTC)",
    )
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
        "apv3 (AP v3 in AP's documented shape, constructed), gasos (Georgia's export: Georgia nights only), "
        "ev (Enhanced Voting), nc (North Carolina's results file: North Carolina nights only), nist (NIST "
        "SP 1500-100 v2); clarity, ap, apv3 and ev name the night's own state",
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
