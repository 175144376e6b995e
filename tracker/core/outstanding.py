"""How much vote is still out, before any projection model exists.

The threshold arithmetic needs the outstanding vote R with a plausible range. Without a
projection we estimate it the simple, checkable way: unreported precincts will turn out like the
precincts of the same county that are fully in (votes per registered voter), with the range
spanned by the low and high decile of those precincts' rates. When nothing comparable is in yet
we say so (None) rather than guess: the window then shows "too early".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.core.model import Contest, Reporting, ReportingUnit, UnitKind
from tracker.core.threshold import Outstanding

#: Fewer complete units than this in a county → use the district-wide rates, with a wider range.
MIN_UNITS_PER_COUNTY = 3


@dataclass(frozen=True)
class _Peers:
    """Turnout of a group of fully reported precincts: (10th percentile, median, 90th percentile)
    of votes per registered voter, and of votes per precinct when registration is unknown."""

    count: int
    rate: tuple[float, float, float] | None
    votes: tuple[float, float, float] | None

    @classmethod
    def of(cls, units: list[ReportingUnit]) -> _Peers:
        totals = [(u.total(), u.registered) for u in units]
        rates = [t / r for t, r in totals if r]
        votes = [float(t) for t, _ in totals]
        return cls(len(units), _deciles(rates), _deciles(votes))


def _deciles(values: list[float]) -> tuple[float, float, float] | None:
    if not values:
        return None
    lo, mid, hi = np.quantile(np.asarray(values, dtype=float), (0.1, 0.5, 0.9))
    return float(lo), float(mid), float(hi)


def estimate_outstanding(contest: Contest) -> Outstanding | None:
    """Expected outstanding votes with a range, or None when no comparable unit is complete yet."""
    incomplete = [u for u in contest.units if u.reporting is not Reporting.COMPLETE]
    if not incomplete:
        return Outstanding.none()
    complete = [u for u in contest.units if u.reporting is Reporting.COMPLETE and u.kind is UnitKind.PRECINCT]
    by_county: dict[str | None, list[ReportingUnit]] = {}
    for u in complete:
        by_county.setdefault(u.county, []).append(u)
    district = _Peers.of(complete)
    counties = {county: _Peers.of(units) for county, units in by_county.items()}
    expected = lo = hi = 0.0
    for unit in incomplete:
        if unit.kind is not UnitKind.PRECINCT:
            est = _county_unit(unit)
        else:
            est = _precinct(unit, counties.get(unit.county), district)
        if est is None:
            return None
        expected, lo, hi = expected + est[0], lo + est[1], hi + est[2]
    e = round(expected)
    return Outstanding(expected=e, lo=min(round(lo), e), hi=max(round(hi), e))


def _precinct(
    unit: ReportingUnit, county: _Peers | None, district: _Peers
) -> tuple[float, float, float] | None:
    """A waiting (or partly counted) precinct turns out like its county's complete precincts; with
    too few of those, like the district's, over a range twice as wide."""
    wide = county is None or county.count < MIN_UNITS_PER_COUNTY
    peers = district if wide or county is None else county
    if unit.registered and peers.rate is not None:
        lo_total, mid_total, hi_total = (r * unit.registered for r in peers.rate)
        hi_total = min(hi_total, float(unit.registered))
    elif peers.votes is not None:
        lo_total, mid_total, hi_total = peers.votes
    else:
        return None
    if wide:
        lo_total, hi_total = lo_total * 0.5, hi_total * 1.5
        if unit.registered:
            hi_total = min(hi_total, float(unit.registered))
    counted = unit.total()
    return max(mid_total - counted, 0.0), max(lo_total - counted, 0.0), max(hi_total - counted, 0.0)


def _county_unit(unit: ReportingUnit) -> tuple[float, float, float] | None:
    """A county that reports precinct counts: the remaining precincts vote like its reported ones."""
    done, total = unit.precincts_reporting, unit.precincts_total
    if not done or not total:
        return None
    per_precinct = unit.total() / done
    remaining = (total - done) * per_precinct
    return remaining, remaining * 0.5, remaining * 1.5
