"""Drill-down rows: how long building a race's table takes, to decide where it may run.

``tracker.ui.drilldown`` builds the rows off the GUI thread (``Worker.run_task``) when they take
more than a few milliseconds; this measures them, against a baseline measured in the same run: the
model's own grouping of the same cells (``Contest.totals_by`` by county and by vote type), the least
any breakdown of the race has to do.

Races: the bundled GA-06 night's House race at its end (real: 208 precincts, 5 vote types, 18
candidates), Gwinnett's 2020 presidential race (real: 156 precincts, 4 vote types, 3 candidates),
and a race BUILT by repeating Gwinnett's precincts 16 times under new ids (2,496 precincts, the
scale of AP's 26 April 2016 file, 2,409 units; its numbers are Gwinnett's, repeated: labelled
"built").
"""

from __future__ import annotations

import dataclasses
import gc
import io
from collections.abc import Callable

from benchmarks.common import bundled_night, median_seconds, print_table
from tracker import paths
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.core.export import Level, contest_rows, write_contest_csv
from tracker.core.model import Contest
from tracker.feeds.clarity import parse_detail_xml
from tracker.ui.drilldown import build_drill_data

GWINNETT = "clarity/wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
REPEAT = 16
RUNS = 15


def _races() -> list[tuple[str, Contest]]:
    with NightFile.open(bundled_night()) as night:
        versions = current_versions(night.versions())
        final = VersionChain(night, versions).snapshot(len(versions) - 1)
    house = max(final.contests, key=lambda c: c.total_votes)
    races = [("GA-06 House, 01:30 (real)", house)]
    data_dir = paths.shared_data_dir()
    if data_dir is None:
        print("(no ../shared/data: Gwinnett rows skipped)")
        return races
    gwinnett = parse_detail_xml((data_dir / GWINNETT).read_bytes(), source=GWINNETT)
    president = max(gwinnett.contests, key=lambda c: c.total_votes)
    races.append(("Gwinnett 2020 President (real)", president))
    units = tuple(
        dataclasses.replace(u, id=f"{u.id}#{k}", name=f"{u.name} #{k}", county=f"{u.county} {k}")
        for k in range(REPEAT)
        for u in president.units
    )
    built = dataclasses.replace(president, id="built", name="BUILT: Gwinnett x16", units=units)
    races.append((f"BUILT: Gwinnett x{REPEAT} ({len(units):,} precincts)", built))
    return races


def _csv(contest: Contest) -> int:
    return write_contest_csv(contest_rows(contest, Level.UNIT), io.StringIO())


def _jobs(contest: Contest) -> dict[str, Callable[[], object]]:
    def fresh() -> Contest:
        return dataclasses.replace(contest)  # a new object: no totals cached from the last run

    return {
        "baseline: totals_by county + vote type": lambda: (
            fresh().totals_by("county"),
            fresh().totals_by("vote_type"),
        ),
        "precinct rows": lambda: contest_rows(fresh(), Level.UNIT),
        "county rows": lambda: contest_rows(fresh(), Level.COUNTY),
        "whole drill-down (4 tables + mix)": lambda: build_drill_data(fresh()),
        "CSV (precinct rows, in memory)": lambda: _csv(fresh()),
    }


def main() -> None:
    rows = []
    for label, contest in _races():
        base = None
        for name, job in _jobs(contest).items():
            gc.collect()
            median, _ = median_seconds(job, RUNS)
            base = base or median
            first = label if name.startswith("baseline") else ""
            rows.append((first, name, f"{median * 1000:.1f}", f"{median / base:.1f}×"))
    print_table(
        f"Drill-down rows: median of {RUNS} runs, ms (ratio to the baseline of the same race)",
        ("race", "job", "ms", "ratio"),
        rows,
    )


if __name__ == "__main__":
    main()
