"""``projections``, ``alerts`` and ``backtest``: what the tracker computes over a night, printed.

The same projections, alerts and scores the window shows, run headless over every version of a
night file, for a table on the terminal, a CSV or the stable JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracker.cli.checks import check_baseline, check_night
from tracker.core.errors import TrackerError
from tracker.core.words import count


def cmd_projections(args: argparse.Namespace) -> int:
    """Project every version of a night (with its baseline), append the projections to the store's
    log and print them (CSV with --csv; else the leader's projection per version). With --stored,
    print what the store's log already holds for this night instead of recomputing."""
    from tracker.archive.projections import project_night
    from tracker.store import Store, write_projections_csv

    path = Path(args.night)
    check_night(path)
    if args.stored:
        with Store() as store:
            records = store.projections(source=str(path.resolve()), contest_id=args.contest)
    else:
        if args.baseline is not None:
            check_baseline(args.baseline)
        records = project_night(path, contest=args.contest, baseline=args.baseline)
        try:
            with Store() as store:
                store.append_projections(records)
        except TrackerError as exc:  # the printout is still useful without the log
            print(f"election-tracker: not logged: {exc}", file=sys.stderr)
    records, untimed = _untimed_versions(path, records)
    if args.csv is not None:
        if args.csv == "-":
            write_projections_csv(records, sys.stdout)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as fh:
                n = write_projections_csv(records, fh)
            print(f"wrote {count(n, 'row')} to {args.csv}")
        return 0
    _print_projections(records, untimed=untimed)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """The alerts a night raises on its pinned races (or --contest), with every correction, in
    version order; logged in the store (once: the same alert is never logged twice)."""
    from tracker.archive.alerts import scan_night
    from tracker.archive.night import NightFile
    from tracker.core.lookup import find_contests, no_such_contest
    from tracker.core.model import Snapshot
    from tracker.core.untimed import is_untimed
    from tracker.store import Store, alert_csv_row, write_alerts_csv

    path = Path(args.night)
    check_night(path)
    with NightFile.open(path, readonly=True) as night:
        tz = night.timezone
        untimed = is_untimed(night.meta)  # no times in the files: say which version instead
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
            write_alerts_csv(alerts, sys.stdout, tz, untimed=untimed)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as fh:
                n = write_alerts_csv(alerts, fh, tz, untimed=untimed)
            print(f"wrote {count(n, 'alert')} to {args.csv}")
        return 0
    for a in alerts:
        when, race, what, version = alert_csv_row(a, tz, untimed=untimed)[:4]
        print(f"{'' if untimed else when[11:16]:5}  v{version:<4} {race}: {what}")
    print(
        f"{count(len(alerts), 'alert')} on {', '.join(chosen) or 'no pinned race'}; "
        f"{len(new):,} new to the store's log"
    )
    return 0


def _untimed_versions(path: Path, records: list) -> tuple[list, bool]:
    """A night whose files have no times: each record's time says which version ("v 5"), for
    the printout and the CSV (the store's log keeps the placeholder, its key); and whether the
    night is such a one (the printout's header then says "version", not "time")."""
    from tracker.archive.night import NightFile
    from tracker.archive.recorder import current_versions, version_times
    from tracker.core.projection_log import with_versions
    from tracker.core.untimed import is_untimed

    with NightFile.open(path, readonly=True) as night:
        if not is_untimed(night.meta):
            return records, False
        times = version_times(current_versions(night.versions()))
    return with_versions(records, times), True


def _print_projections(records: list, *, untimed: bool = False) -> None:
    """Per version and contest, the candidate projected highest: share now, projection, P(clear).

    ``untimed``: the night's files have no times, so the first column holds "v 5", not a clock
    time, and its header says "version" (the feed's own version id beside it is "feed id")."""
    from tracker.core.write_ins import is_write_in

    def rank(r: object) -> tuple[bool, float]:
        # A write-in line is many names' votes: a name leads before it, whatever the shares.
        share = r.share if r.share is not None else r.share_now  # type: ignore[attr-defined]
        return (not is_write_in(r.candidate), share)  # type: ignore[attr-defined]

    best: dict[tuple[str, str, str], object] = {}
    for r in records:
        key = (r.snapshot_time or "", r.version, r.contest_id)
        cur = best.get(key)
        if cur is None or rank(r) > rank(cur):
            best[key] = r
    labels = sorted({r.baseline for r in records if getattr(r, "baseline", "")})
    print(f"baseline: {'; '.join(labels) if labels else 'none'}")
    when_head, version_head = ("version", "feed id") if untimed else ("time (UTC)", "version")
    print(
        f"{when_head:<17} {version_head:>7}  {'leader':<24} {'now %':>6}  {'projected % [90 %]':<22} P(clear)"
    )
    for (when, version, _cid), r in best.items():
        proj = (
            "too early" if r.share is None else f"{r.share * 100:5.2f} [{r.lo * 100:5.2f}, {r.hi * 100:5.2f}]"
        )
        p = "" if r.p_clear is None else f"{r.p_clear:.3f}"
        # nobody leads a race with no votes counted (the first listed is not ahead)
        who = r.candidate[:24] if r.share_now > 0 or r.share is not None else "— (no votes yet)"
        print(f"{when[:16]:<17} {version:>7}  {who:<24} {r.share_now * 100:6.2f}  {proj:<22} {p}")


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
    check_night(path)
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
