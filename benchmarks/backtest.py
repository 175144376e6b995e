"""Backtest the projection on every shared real night and check it against issue 15's targets.

``python -m benchmarks backtest`` builds the nights (``benchmarks.backtest_nights``: NC 2020 by
precinct and by county, Allegheny 2022's three races, Georgia's 2021 runoff as recorded from
ALL.json and rebuilt in an AP county feed's shape, four other states' 2020 results by county
(one real version each, scored in reordered orders only), Virginia 2017 reconstructed in four
orders, the bundled GA-06 April and June nights) and
backtests each through the public API (``tracker.archive.projections.backtest_night`` →
``tracker.core.backtest`` → ``tracker.core.projection``), so a model change needs no edit here.

One table: per night × order × baseline mode ("none" = ``--baseline none``; "base" = the night's
earlier result), at 30/50/70/90 % of the final vote counted, the error of the final winner's
projected share against the running share's error (the honest baseline, same run) and their
ratio; 90 % interval coverage; mean width of the winner's interval at 50 %; wrong confident calls
(P ≥ 0.95 on the wrong side; in a plurality race P(win) from the two leaders' intervals) of all
confident calls; the share of versions whose "vote still out" range held the true remainder, and
how far its centre was from it on average (out-err, % of the final vote); and
PASS/FAIL per target:

* A — recorded nights, recorded order, no baseline: never worse than the running share by more
  than 0.5 pt at 30/50/70/90 %, zero wrong calls, 90 % coverage ≥ 80 %, width at 50 % ≤ 8 pt;
* B — with the earlier result as baseline (not GA-06): better than the running share at 30/50/70 %,
  ≤ 1.5 pt at 30 %, ≤ 1.0 pt at 50 %, width at 50 % ≤ 5 pt;
* C — the bundled April night with the 2016 baseline, every version from 30 % counted: Ossoff's
  interval holds 48.12 % and is ≤ 8 pt wide (≤ 4 pt from 50 %), the vote-still-out range holds the
  remainder in ≥ 80 % of them, nobody at P(clear) ≥ 0.95;
* D — reordered runs (and the reconstructed nights' own order): zero wrong calls, coverage ≥ 85 %.

Recorded order scores the first version at or past each checkpoint (NC's first version already
holds 60 % of the final vote, so its 30 % and 50 % are that version). Reordered runs are
subsampled to keep the run in minutes on two cores: ``BACKTEST_SEEDS`` seeds per order (default 6,
and 3 on nights of more than 1,000 units), Virginia's reorders on one of its four nights (they
share the final count). ``BACKTEST_ONLY=key,key`` runs some nights only; ``BACKTEST_JSON=FILE``
writes every result's JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.backtest_nights import BuiltNight, all_nights
from benchmarks.common import print_table
from tracker import paths
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.projections import (
    NO_BASELINE,
    backtest_night,
    baseline_for,
    load_baseline_file,
    pick_contest,
)
from tracker.core.arrival import MAX_POINTS, arrival_point
from tracker.core.backtest import ORDERS, BacktestResult, shown_outstanding
from tracker.core.projection import MODEL_VERSION, project_contest

NIGHTS = paths.resources_dir() / "nights"
RECORDING = "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson"
GA2020_COUNTIES = "clarity/wapo-elex-clarity_ga_counties_11-3.xml"


def ga2021_night(folder: Path, name: str = "ga-2021-01-05-runoff.night") -> tuple[Path, Path] | None:
    """The GA 2021 runoff recording as a night file in ``folder`` and its baseline file, or None
    when the shared data or the ALL.json parser is missing."""
    from tracker.feeds import registry

    data = paths.shared_data_dir()
    if data is None or not (data / RECORDING).is_dir() or "clarity-all-json" not in registry.FORMATS:
        return None
    from tracker.archive.importer import import_payloads

    files = sorted(p for p in (data / RECORDING).glob("*_ALL.json") if p.read_bytes()[:1] == b"{")
    times = folder / "times.csv"
    with times.open("w", encoding="utf-8") as fh:
        fh.write("file,time\n")
        for p in files:
            t = p.name.split("_")[0]  # 20210105T224741Z
            fh.write(f"{p.name},{t[:4]}-{t[4:6]}-{t[6:8]}T{t[9:11]}:{t[11:13]}:{t[13:15]}+00:00\n")
    out = folder / name
    # ALL.json carries no election date: the night's creation time is the first file's, so that
    # its date (``night_date``: election night, 5 January 2021) says which turnout prior applies.
    first = files[0].name.split("_")[0] if files else ""
    created = dt.datetime.strptime(first, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC) if first else None
    import_payloads(
        files,
        fmt="clarity-all-json",
        out=out,
        times_csv=times,
        timezone="America/New_York",
        overwrite=True,
        created_at=created,
    )
    return out, data / GA2020_COUNTIES


ROW_CHECKPOINTS = (0.3, 0.5, 0.7, 0.9)


@dataclass
class Row:
    night: BuiltNight
    order: str
    mode: str  # "none" or "base"
    js: dict[str, Any]


def _k(q: float) -> str:
    return f"{q:.1f}"


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _err_cell(js: dict[str, Any], q: float) -> str:
    m, n = js["mae_pt"][_k(q)], js["naive_mae_pt"][_k(q)]
    if m is None:
        return "—"
    star = "*" if js["too_early"][_k(q)] else ""
    ratio = f"{m / n:.2f}×" if n else "—"
    return f"{m:.2f}{star}/{n:.2f} {ratio}"


def _verdict(fails: list[str]) -> str:
    return "PASS" if not fails else "FAIL " + "; ".join(fails)


def target_a(js: dict[str, Any]) -> str:
    fails = []
    for q in ROW_CHECKPOINTS:
        m, n = js["mae_pt"][_k(q)], js["naive_mae_pt"][_k(q)]
        if m is not None and n is not None and m > n + 0.5:
            fails.append(f"{q:.0%} +{m - n:.1f}")
    if js["wrong_calls"]:
        fails.append(f"{js['wrong_calls']} wrong")
    cov = js["coverage90"]
    if cov is None or cov < 0.80:
        fails.append("no intervals" if cov is None else f"cover {cov:.0%}")
    w = js["width90_pt"]["0.5"]
    if w is None or w > 8:
        fails.append("no width@50" if w is None else f"width {w:.1f}")
    return _verdict(fails)


def target_b(js: dict[str, Any]) -> str:
    fails = []
    for q in (0.3, 0.5, 0.7):
        m, n = js["mae_pt"][_k(q)], js["naive_mae_pt"][_k(q)]
        if m is not None and n is not None and not m < n:
            fails.append(f"{q:.0%} not better")
    for q, limit in ((0.3, 1.5), (0.5, 1.0)):
        m = js["mae_pt"][_k(q)]
        if m is not None and m > limit:
            fails.append(f"{q:.0%} {m:.1f} pt")
    w = js["width90_pt"]["0.5"]
    if w is None or w > 5:
        fails.append("no width@50" if w is None else f"width {w:.1f}")
    return _verdict(fails)


def target_d(js: dict[str, Any]) -> str:
    fails = []
    if js["wrong_calls"]:
        fails.append(f"{js['wrong_calls']} wrong")
    cov = js["coverage90"]
    if cov is None or cov < 0.85:
        fails.append("no intervals" if cov is None else f"cover {cov:.0%}")
    return _verdict(fails)


def target_c(path: Path, baseline: Path) -> tuple[str, str]:
    """Target C on every version of the April night from 30 % of the final vote counted: the
    verdict and a one-line account. Each version is projected with the night's versions before
    it, as the window and ``projections`` project it."""
    with NightFile.open(path) as night:
        versions = night.versions()
        chain = VersionChain(night, versions)
        final = pick_contest(chain.snapshot(len(versions) - 1), None)
        base = baseline_for(load_baseline_file(baseline), final)
        total = final.total_votes
        ossoff = next(c for c in final.candidates if "ossoff" in c.name.casefold())
        truth = final.totals[ossoff.id] / total
        n = held = narrow = out_held = confident = 0
        widths: list[float] = []
        history: list[Any] = []
        for i in range(len(versions)):
            contest = chain.snapshot(i).contest(final.id)
            counted = contest.total_votes / total
            earlier = list(history)
            history.append(arrival_point(contest))
            del history[:-MAX_POINTS]
            if counted < 0.3:
                continue
            proj = project_contest(contest, base, earlier)
            n += 1
            c = proj.candidate(ossoff.id)
            if c.lo is not None and c.hi is not None:
                width = (c.hi - c.lo) * 100
                widths.append(width)
                held += c.lo - 1e-9 <= truth <= c.hi + 1e-9
                narrow += width <= (4 if counted >= 0.5 else 8)
            shown = shown_outstanding(contest, proj)
            if shown is not None:
                out_held += shown.lo <= max(total - contest.total_votes, 0) <= shown.hi
            confident += any(x.p_clear is not None and x.p_clear >= 0.95 for x in proj.candidates)
    fails = []
    if held < n:
        fails.append(f"holds {truth * 100:.2f} % in {held}/{n}")
    if narrow < n:
        fails.append(f"narrow enough in {narrow}/{n}")
    if out_held < 0.8 * n:
        fails.append(f"still-out held {out_held}/{n}")
    if confident:
        fails.append(f"P≥0.95 in {confident}")
    med = statistics.median(widths) if widths else None
    detail = (
        f"{n} versions from 30 % counted: interval holds {truth * 100:.2f} % in {held}, within the width "
        f"limit in {narrow} (median width {_fmt(med, 1)} pt), vote-still-out range held in {out_held}, "
        f"P(clear) ≥ 0.95 in {confident}"
    )
    return _verdict(fails), detail


def _row_cells(row: Row) -> list[str]:
    js = row.js
    recorded_night = row.night.recorded and row.order == "recorded"
    is_ga06 = row.night.key.startswith("ga06")
    a = target_a(js) if recorded_night and row.mode == "none" else "—"
    b = target_b(js) if row.mode == "base" and not is_ga06 else "—"
    d = target_d(js) if not recorded_night else "—"
    cov = js["coverage90"]
    out = js["outstanding_coverage90"]
    return [
        row.night.key,
        row.order,
        row.mode,
        str(js["runs"]),
        *[_err_cell(js, q) for q in ROW_CHECKPOINTS],
        "—" if cov is None else f"{cov * 100:.0f} %",
        _fmt(js["width90_pt"]["0.5"], 1),
        f"{js['wrong_calls']}/{js['confident_calls']}",
        "—" if out is None else f"{out * 100:.0f} %",
        _fmt(js["outstanding_error_pct"], 0),
        a,
        b,
        d,
    ]


HEAD = [
    "night",
    "order",
    "base",
    "runs",
    *[f"{q:.0%} model/run" for q in ROW_CHECKPOINTS],
    "cover90",
    "width50",
    "wrong",
    "still-out",
    "out-err %",
    "A",
    "B",
    "D",
]


def _orders_for(night: BuiltNight, va_reorders_done: bool) -> tuple[str, ...]:
    if night.key.startswith("va-") and va_reorders_done:
        return ("recorded",)
    if night.reorders_only:
        return tuple(o for o in ORDERS if o != "recorded")
    return ORDERS


def _seeds_for(night: BuiltNight) -> int:
    env = os.environ.get("BACKTEST_SEEDS")
    if env:
        return max(1, int(env))
    with NightFile.open(night.path) as nf:
        versions = nf.versions()
        units = max(len(c.units) for c in nf.snapshot(versions[-1]).contests)
    return 3 if units > 1000 else 6


def _baseline_note(night: BuiltNight) -> str:
    if night.baseline is None:
        return f"{night.key}: no baseline"
    with NightFile.open(night.path) as nf:
        versions = nf.versions()
        chain = VersionChain(nf, versions)
        final = pick_contest(chain.snapshot(len(versions) - 1), night.contest)
        first = 0
        for i in range(len(versions)):
            first = chain.snapshot(i).contest(final.id).total_votes
            if first > 0:
                break
    base = baseline_for(load_baseline_file(night.baseline), final)
    matched = 0 if base is None else base.matched(final)
    whole = {} if base is None or matched else base.county_totals(final)
    counties = len({u.county for u in final.units if u.county})
    by_county = f" (by county: {len(whole)} of {counties} counties)" if whole else ""
    return (
        f"{night.key}: baseline {night.baseline.name} ({'' if base is None else base.label}) matches "
        f"{matched} of {len(final.units)} units{by_county}; first version with votes holds "
        f"{first / final.total_votes * 100:.0f} % of the final vote"
    )


def speed_rows() -> list[list[str]]:
    night = NightFile.open(NIGHTS / "ga06-2017-04-18.night")
    versions = night.versions()
    parse, project = [], []
    for v in versions[1::3]:
        t0 = time.perf_counter()
        snap = night.snapshot(v)
        parse.append(time.perf_counter() - t0)
        contest = snap.contests[0]
        t0 = time.perf_counter()
        project_contest(contest)
        project.append(time.perf_counter() - t0)
    night.close()
    p, q = statistics.median(parse) * 1000, statistics.median(project) * 1000
    return [
        ["parse one version of the bundled night (baseline)", f"{p:.1f} ms", "1.00×"],
        ["project the House race (18 candidates, 208 precincts)", f"{q:.1f} ms", f"{q / p:.2f}×"],
    ]


def run_all() -> tuple[list[Row], list[str], list[BacktestResult]]:
    """Every night × order × baseline mode: the table's rows, notes, and the raw results."""
    only = {k.strip() for k in os.environ.get("BACKTEST_ONLY", "").split(",") if k.strip()}
    rows: list[Row] = []
    notes: list[str] = []
    results: list[BacktestResult] = []
    va_done = False
    for night in all_nights():
        if only and night.key not in only:
            continue
        orders = _orders_for(night, va_done)
        va_done = va_done or night.key.startswith("va-")
        seeds = _seeds_for(night)
        t0 = time.perf_counter()
        modes: list[tuple[str, Path | str]] = [("none", NO_BASELINE)]
        if night.baseline is not None:
            modes.append(("base", night.baseline))
        for mode, baseline in modes:
            result = backtest_night(
                night.path, contest=night.contest, orders=orders, seeds=seeds, baseline=baseline
            )
            results.append(result)
            for order, score in result.summary.items():
                if score.runs:
                    rows.append(Row(night, order, mode, score.to_json()))
        winner = night.names.get(result.winner, result.winner)
        notes.append(
            f"{night.key}: {night.title} — {night.names.get('', result.contest_name)}, winner {winner} "
            f"{result.final_share * 100:.2f} %; {seeds} seeds per reordered order; "
            f"{time.perf_counter() - t0:.0f} s"
        )
        notes.append("  " + _baseline_note(night))
    return rows, notes, results


def main() -> None:
    print_table(
        f"Projection speed on GA-06 (median over versions), model {MODEL_VERSION}",
        ["step", "time", "vs baseline"],
        speed_rows(),
    )
    t0 = time.perf_counter()
    rows, notes, results = run_all()
    cells = [_row_cells(r) for r in rows]
    seeds = os.environ.get("BACKTEST_SEEDS")
    subsampled = (
        f"{seeds} seeds per reordered order"
        if seeds
        else "6 seeds per reordered order, 3 on nights of more than 1,000 units"
    )
    title = (
        f"Backtest on the shared real nights, model {MODEL_VERSION}: error of the final winner's "
        "projected share / the running share's (pt) and their ratio; * = some runs 'too early' "
        "(running share shown); wrong = wrong confident calls / confident calls; still-out = versions "
        "whose vote-still-out range held the truth; out-err = mean distance of its centre from the "
        f"truth, % of the final vote. Subsampled: {subsampled}, Virginia's reorders "
        f"on its random-order night only; {time.perf_counter() - t0:.0f} s"
    )
    print_table(title, HEAD, cells)
    print("\nNights:")
    for line in notes:
        print("  " + line)
    april = next((n for n in all_nights() if n.key == "ga06-april"), None)
    only = os.environ.get("BACKTEST_ONLY", "")
    c_row: list[str] | None = None
    if april is not None and april.baseline is not None and (not only or "ga06-april" in only):
        c_row = list(target_c(april.path, april.baseline))
        print_table("Target C: the bundled April night with the 2016 baseline", ["result", "detail"], [c_row])
    out = os.environ.get("BACKTEST_JSON")
    if out:
        Path(out).write_text(json.dumps([r.to_json() for r in results], indent=1, ensure_ascii=False))
        print(f"\nwrote {out}")
    md = os.environ.get("BACKTEST_MD")
    if md:
        Path(md).write_text(markdown(title, cells, notes, c_row), encoding="utf-8")
        print(f"wrote {md}")


def markdown(title: str, cells: list[list[str]], notes: list[str], c_row: list[str] | None) -> str:
    """The same table as Markdown (``BACKTEST_MD=FILE``), for docs/backtest.md."""

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|").replace("*", "\\*") for v in values) + " |"

    out = [title, "", line(HEAD), "|" + "---|" * len(HEAD)]
    out += [line(r) for r in cells]
    out += ["", *[f"- {n.strip()}" for n in notes]]
    if c_row is not None:
        out += ["", f"Target C (April with the 2016 baseline): **{c_row[0]}** — {c_row[1]}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "ga2021-night":
        # python -m benchmarks.backtest ga2021-night OUT.night: write the GA 2021 night for
        # `election-tracker backtest OUT.night --baseline <the Nov 2020 county file>`.
        target = Path(sys.argv[2]).resolve()
        made = ga2021_night(target.parent, target.name)
        if made is None:
            raise SystemExit("shared data or the ALL.json parser is missing")
        (target.parent / "times.csv").unlink(missing_ok=True)
        print(f"wrote {made[0]}; its baseline: {made[1]}")
    else:
        main()
