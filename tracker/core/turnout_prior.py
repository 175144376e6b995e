"""A prior band for tonight's turnout relative to the last presidential election, by election type.

Why it exists: some feeds never mark a unit complete and give no precinct counts (North Carolina's
2020 county timeseries, Clarity's ALL.json summary, a poller's one-total-per-precinct files). The
expected vote then has no complete unit to learn a turnout ratio from, and without one the model
used to say "too early" all night. But a baseline by county does say how big each county is; what
is missing is only *how much bigger or smaller* tonight is. That ratio is not unknown: elections of
one type vary within a known band against the last presidential general. The band is wide (and
the window says so), it is narrowed only by what the count proves (a count is a lower bound on the
final vote), and it is never tuned on the nights of the backtest.

The bands, from the national turnout record (votes cast, United States; no backtest night used):

* **presidential general** against the previous one: 2000→04 1.16, 04→08 1.07, 08→12 0.98,
  12→16 1.06, 16→20 1.16, 20→24 0.98; a state swings more than the nation — certified 2016→20:
  Arizona 2,573,165 → 3,387,326 (1.32), Utah 1,131,430 → 1,488,289 (1.32), Texas 1.26:
  **0.90–1.35**, mid 1.05 (the top was 1.25, from the nation alone, until a state's record was
  checked against it);
* **midterm general** against the presidential two years before: 2010/08 0.68, 2014/12 0.64,
  2018/16 0.86, 2022/20 0.70; states more (Georgia 2018/16: 3,939,328 / 4,114,732 = 0.96):
  **0.50–1.00**, mid 0.72;
* **anything else** (a special election, a runoff, an odd-year or primary election): from well
  under half (low-interest runoffs and primaries) to near presidential level (a nationally watched
  runoff): **0.25–1.00**, mid 0.60.

Pure, Qt-free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnoutPrior:
    """Tonight's votes / the baseline's, as a prior band (low, middle, high) and what it is."""

    lo: float
    mid: float
    hi: float
    #: "presidential", "midterm" or "special" (also runoffs, odd-year and primary elections).
    kind: str


PRESIDENTIAL = TurnoutPrior(0.90, 1.05, 1.35, "presidential")
MIDTERM = TurnoutPrior(0.50, 0.72, 1.00, "midterm")
SPECIAL = TurnoutPrior(0.25, 0.60, 1.00, "special")


def is_presidential_general(date: dt.date) -> bool:
    """A United States presidential general election day (2–8 November of a leap year)."""
    return date.year % 4 == 0 and date.month == 11 and 2 <= date.day <= 8


def is_general(date: dt.date) -> bool:
    """A November general election day of an even year (2–8 November)."""
    return date.year % 2 == 0 and date.month == 11 and 2 <= date.day <= 8


def turnout_prior(night: dt.date | None, baseline: dt.date | None) -> TurnoutPrior | None:
    """The prior band of tonight's turnout against ``baseline``'s, or None when it does not apply:
    a date is unknown, the baseline is not a presidential general, or it is not the last one
    before tonight (an older baseline says less than the band claims)."""
    if night is None or baseline is None or not is_presidential_general(baseline):
        return None
    if not baseline < night <= baseline.replace(year=baseline.year + 4) + dt.timedelta(days=7):
        return None
    if is_presidential_general(night):
        return PRESIDENTIAL
    if is_general(night):
        return MIDTERM
    return SPECIAL


def presidential_election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday of November of ``year``."""
    first = dt.date(year, 11, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


__all__ = [
    "MIDTERM",
    "PRESIDENTIAL",
    "SPECIAL",
    "TurnoutPrior",
    "presidential_election_day",
    "turnout_prior",
]
