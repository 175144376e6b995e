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
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


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


_NORMAL = NormalDist()
#: The band's ends are its 5 % and 95 % points.
_Z90 = _NORMAL.inv_cdf(0.95)
#: The share of the places that have counted something whose ratio to the baseline is read as
#: already passed by the night's shared ratio (``shared_ratio``).
PASSED = 0.2


def shared_ratio(floors: Sequence[float], prior: TurnoutPrior) -> float:
    """The night's ratio to the baseline shared by all places: the prior band's median above the
    ratio that a fifth (``PASSED``) of the places that have counted something have already
    reached (``floors``: each place's count over its baseline; a count only grows).

    Why: a feed that marks nothing complete still shows some places nearly done, and they are the
    ones whose count is highest against their baseline; a place far below says nothing. Read
    place by place, the floors only raised each place's own expectation, and the places that have
    counted nothing stayed at the prior's middle (North Carolina 2020: 1.05 against 2016, the night
    was 1.15). Read as strict bounds on one shared ratio, every floor pushed it up and nothing
    pulled it down (Georgia's 2021 runoff came out at 1.15, the night was 0.89)."""
    f = np.sort(np.asarray([x for x in floors if x > 0], dtype=float))
    if not len(f):
        return prior.mid
    passed = float(np.quantile(f, 1.0 - PASSED))
    return conditional_middle(prior.lo, prior.mid, prior.hi, passed)


def conditional_middle(lo: float, mid: float, hi: float, floor: float) -> float:
    """The band's median once the ratio is known to be at least ``floor``: the band read as a
    split normal (``lo`` and ``hi`` its 5 % and 95 % points, ``mid`` its median) cut there."""
    if hi <= lo:
        return max(mid, floor)
    sd_lo = max(mid - lo, 1e-9) / _Z90
    sd_hi = max(hi - mid, 1e-9) / _Z90
    below = _NORMAL.cdf((floor - mid) / (sd_lo if floor <= mid else sd_hi))
    target = min(below + (1.0 - below) / 2.0, 1.0 - 1e-12)
    value = mid + (sd_lo if target <= 0.5 else sd_hi) * _NORMAL.inv_cdf(target)
    return max(value, floor) if math.isfinite(value) else floor


def place_middle(shared: float, floor: float, spread: float) -> float:
    """A place's median ratio: the shared ratio, strayed by ``spread``, cut at what its count
    proves (``floor``). A count far below the shared ratio leaves it; one near or past it moves
    it up (a county that has sent only its early vote and is already near the expected size)."""
    if floor <= 0 or shared <= 0 or spread <= 0:
        return max(shared, floor)
    below = _NORMAL.cdf((math.log(floor) - math.log(shared)) / spread)
    target = min(below + (1.0 - below) / 2.0, 1.0 - 1e-12)
    return max(shared * math.exp(spread * _NORMAL.inv_cdf(target)), floor)


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
    "conditional_middle",
    "place_middle",
    "presidential_election_day",
    "shared_ratio",
    "turnout_prior",
]
