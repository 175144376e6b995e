"""How much vote is still out, before any projection model exists.

The threshold arithmetic needs the outstanding vote R with a plausible range. Without a
projection we estimate it the simple, checkable way: unreported precincts will turn out like the
precincts of the same county that are fully in (votes per registered voter), with the range
spanned by the low and high decile of those precincts' rates. When nothing comparable is in yet
we say so (None) rather than guess: the window then shows "too early".
"""

from __future__ import annotations

import numpy as np

from tracker.core.model import Contest, Reporting, ReportingUnit, UnitKind
from tracker.core.threshold import Outstanding

#: Fewer complete units than this in a county → use the district-wide rates, with a wider range.
MIN_UNITS_PER_COUNTY = 3


def _rates(units: list[ReportingUnit]) -> np.ndarray:
    return np.array([u.total() / u.registered for u in units if u.registered])


def _per_unit_votes(units: list[ReportingUnit]) -> np.ndarray:
    return np.array([u.total() for u in units], dtype=float)


def estimate_outstanding(contest: Contest) -> Outstanding | None:
    """Expected outstanding votes with a range, or None when no comparable unit is complete yet."""
    incomplete = [u for u in contest.units if u.reporting is not Reporting.COMPLETE]
    if not incomplete:
        return Outstanding.none()
    complete = [u for u in contest.units if u.reporting is Reporting.COMPLETE and u.kind is UnitKind.PRECINCT]
    expected = lo = hi = 0.0
    all_rates = _rates(complete)
    all_votes = _per_unit_votes(complete)
    for unit in incomplete:
        if unit.kind is not UnitKind.PRECINCT:
            est = _county_unit(unit)
            if est is None:
                return None
            expected, lo, hi = expected + est[0], lo + est[1], hi + est[2]
            continue
        peers = [u for u in complete if u.county == unit.county]
        wide = len(peers) < MIN_UNITS_PER_COUNTY
        rates = all_rates if wide else _rates(peers)
        votes = all_votes if wide else _per_unit_votes(peers)
        counted = unit.total()
        if unit.registered and rates.size:
            mid_total = float(np.median(rates)) * unit.registered
            lo_total = float(np.quantile(rates, 0.1)) * unit.registered
            hi_total = min(float(np.quantile(rates, 0.9)) * unit.registered, float(unit.registered))
        elif votes.size:
            mid_total = float(np.median(votes))
            lo_total = float(np.quantile(votes, 0.1))
            hi_total = float(np.quantile(votes, 0.9))
        else:
            return None
        if wide:
            lo_total, hi_total = lo_total * 0.5, hi_total * 1.5
            if unit.registered:
                hi_total = min(hi_total, float(unit.registered))
        expected += max(mid_total - counted, 0.0)
        lo += max(lo_total - counted, 0.0)
        hi += max(hi_total - counted, 0.0)
    e = round(expected)
    return Outstanding(expected=e, lo=min(round(lo), e), hi=max(round(hi), e))


def _county_unit(unit: ReportingUnit) -> tuple[float, float, float] | None:
    """A county that reports precinct counts: the remaining precincts vote like its reported ones."""
    done, total = unit.precincts_reporting, unit.precincts_total
    if not done or not total:
        return None
    per_precinct = unit.total() / done
    remaining = (total - done) * per_precinct
    return remaining, remaining * 0.5, remaining * 1.5
