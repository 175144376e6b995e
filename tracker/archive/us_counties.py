"""The US presidential results by county that ship with the app, as a baseline for any US
county-level night.

Most nights a newsroom follows are reported by county, and what the model most needs to know is
how much vote each county will cast: the last presidential election's turnout by county, scaled by
what the counties already complete tonight show, is far better evidence than a county's share of
precincts in. The table (``resources/baselines/us-county-president.csv``, 2016/2020/2024,
provenance beside it) is matched to a contest's county units by FIPS when the feed gives it, else
by state and county name, the state found as the one whose county names match the most units.
What cannot be matched is reported, never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker import paths
from tracker.core.baseline import Baseline, BaselineUnit, unit_key, unit_match_key
from tracker.core.coverage import covers_part_of_counties, is_statewide
from tracker.core.model import Contest, UnitKind
from tracker.core.turnout_prior import presidential_election_day
from tracker.core.words import noun

log = logging.getLogger(__name__)

YEARS = (2016, 2020, 2024)
#: Share of a contest's county units that must match before the table is used as its baseline.
MIN_MATCHED = 0.5

_SUFFIX = re.compile(r"\b(county|parish|borough|census area|city and borough|municipality)\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class CountyResult:
    year: int
    fips: str
    state: str
    county: str
    dem: int
    gop: int
    total: int


@dataclass(frozen=True)
class MatchReport:
    """What matching a contest's units to the county table found."""

    year: int
    state: str
    matched: int
    units: int
    by_fips: int
    unmatched: tuple[str, ...]

    def text(self) -> str:
        """One sentence for the night's info and the log."""
        where = f" in {self.state}" if self.state else ""
        head = f"{self.year} presidential vote by county{where}: "
        head += f"matched {self.matched:,} of {self.units:,} {noun(self.units, 'county', 'counties')}"
        if self.by_fips:
            head += f" ({self.by_fips} by FIPS)"
        if not self.unmatched:
            return head
        shown = ", ".join(self.unmatched[:8]) + (" …" if len(self.unmatched) > 8 else "")
        return f"{head}; not matched: {shown}"


def county_key(name: str) -> str:
    """A county's name for matching: case, punctuation and "County"/"Parish" ignored, "Saint"
    as "St" ("St. Louis County" = "Saint Louis"; "DeKalb" = "De Kalb")."""
    text = name.casefold().replace("saint ", "st ")
    text = _SUFFIX.sub(" ", text)
    return _NON_WORD.sub("", text)


@functools.cache
def load_table() -> tuple[CountyResult, ...]:
    """The shipped table (read once)."""
    path = paths.resources_dir() / "baselines" / "us-county-president.csv"
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out.append(
                CountyResult(
                    int(r["year"]),
                    r["fips"],
                    r["state"],
                    r["county"],
                    int(r["dem"]),
                    int(r["gop"]),
                    int(r["total"]),
                )
            )
    return tuple(out)


def year_for(date: dt.date | None) -> int | None:
    """The last presidential election before ``date`` (the latest when the date is unknown);
    None for a night before the earliest shipped one (or on its day): a baseline from after the
    night would be tomorrow's result read as yesterday's (a 2014 county night was sized by 2016's,
    the 2016 general by its own final count)."""
    if date is None:
        return YEARS[-1]
    before = [y for y in YEARS if dt.date(y, 11, 9) <= date]  # election day is 2–8 November
    return before[-1] if before else None


def county_entries(contest: Contest) -> list[tuple[str, str, str | None]]:
    """(baseline key, county name, FIPS) of each county the contest is reported in: its county
    units, else the counties its precincts name (a night by precinct is sized county by county,
    ``Baseline.county_totals``)."""
    counties = [(unit_match_key(u), u.name, u.fips) for u in contest.units if u.kind is UnitKind.COUNTY]
    if counties:
        return counties
    seen: dict[str, tuple[str, str, str | None]] = {}
    for u in contest.units:
        if u.kind is UnitKind.PRECINCT and u.county:
            seen.setdefault(u.county, (unit_key("", u.county), u.county, None))
    return list(seen.values())


def match_counties(
    contest: Contest, rows: Sequence[CountyResult], year: int
) -> tuple[dict[str, CountyResult], MatchReport]:
    """Baseline key -> county result for the contest's counties (``county_entries``), and the
    report."""
    rows = [r for r in rows if r.year == year]
    by_fips = {r.fips: r for r in rows}
    by_state: dict[str, dict[str, CountyResult]] = {}
    for r in rows:
        by_state.setdefault(r.state, {}).setdefault(county_key(r.county), r)
    counties = county_entries(contest)
    found: dict[str, CountyResult] = {}
    fips_hits = 0
    for key, _name, fips in counties:
        r = by_fips.get(fips or "")
        if r is not None:
            found[key] = r
            fips_hits += 1
    states = {r.state for r in found.values()}
    rest = [(key, name) for key, name, _fips in counties if key not in found]
    state = ""
    if len(states) == 1:
        state = next(iter(states))
    elif rest:
        keys = [county_key(name) for _, name in rest]
        score = {st: sum(k in table for k in keys) for st, table in by_state.items()}
        best = max(score.values(), default=0)
        winners = [st for st, n in score.items() if n == best]
        if best > 0 and len(winners) == 1:
            state = winners[0]
    if state:
        table = by_state.get(state, {})
        for key, name in rest:
            r = table.get(county_key(name))
            if r is not None:
                found[key] = r
    unmatched = tuple(name for key, name, _fips in counties if key not in found)
    report = MatchReport(year, state, len(found), len(counties), fips_hits, unmatched)
    return found, report


#: Matched baselines by the contest's units and the year (a night's versions share them).
_CACHE: dict[tuple, tuple[Baseline | None, MatchReport | None]] = {}


def county_baseline(
    contest: Contest, date: dt.date | None = None
) -> tuple[Baseline | None, MatchReport | None]:
    """The shipped presidential result by county as ``contest``'s baseline, if at least
    ``MIN_MATCHED`` of its counties match (else None), with the report. A contest reported by
    precinct is matched by its precincts' counties: the table then sizes each county's vote
    (``Baseline.county_totals``), never a precinct's."""
    units = contest.units
    if not units or not any(
        u.kind is UnitKind.COUNTY or (u.kind is UnitKind.PRECINCT and u.county) for u in units
    ):
        return None, None
    if covers_part_of_counties(contest.name):
        return None, None
    by_precinct = not any(u.kind is UnitKind.COUNTY for u in units)
    if by_precinct and not is_statewide(contest.name):
        # A county's own file by precinct holds school boards and councils whose name says
        # nothing of their bounds: only a statewide race surely covers each county whole.
        return None, None
    # Keyed by the county set, cheaply (a 5,000-race night asks per race per version): a night's
    # versions, and its statewide races, share one set of counties and so one matched baseline.
    year = year_for(date)
    if year is None:
        return None, None
    key = (len(units), units[0].name, units[-1].name, units[0].fips, year)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _build(contest, key[-1])
        if len(_CACHE) > 1024:
            _CACHE.clear()
        _CACHE[key] = hit
    return hit


def _build(contest: Contest, year: int) -> tuple[Baseline | None, MatchReport | None]:
    try:
        rows = load_table()
    except OSError:
        log.warning("the bundled county baselines are missing", exc_info=True)
        return None, None
    found, report = match_counties(contest, rows, year)
    if report.units == 0 or report.matched < MIN_MATCHED * report.units:
        log.info("no county baseline for %s: %s", contest.name, report.text())
        return None, report
    if report.unmatched:
        log.info("county baseline for %s: %s", contest.name, report.text())
    units = {}
    dem = gop = 0
    for key, r in found.items():
        total = max(r.total, 1)
        units[key] = BaselineUnit(
            total=r.total,
            by_type={"total": r.total},
            shares={"party:democratic": r.dem / total, "party:republican": r.gop / total},
        )
        dem += r.dem
        gop += r.gop
    label = f"{year} president by county ({report.matched} of {report.units} matched)"
    baseline = Baseline(
        label=label,
        units=units,
        leader="party:republican" if gop >= dem else "party:democratic",
        note=report.text(),
        date=presidential_election_day(year),
    )
    return baseline, report


__all__ = [
    "MIN_MATCHED",
    "YEARS",
    "CountyResult",
    "MatchReport",
    "county_baseline",
    "county_entries",
    "county_key",
    "load_table",
    "match_counties",
    "year_for",
]
