"""Which places look finished, and the night's turnout ratio read from them, on a feed that never
says a place is done.

Why: Clarity's ALL.json and North Carolina's county timeseries give one count per county and no
completeness flag. The turnout prior (``turnout_prior``) sizes each county from its baseline, and
the night's shared ratio was the prior band's median *above* what a fifth of the places had
reached: a bound read as if nothing pulled the ratio down. Georgia's 2021 runoff at half counted:
a fifth of the counties stood at 0.89 of November's vote (the night ended at 0.90), and the
band's median above that put the night at 0.98 — 400,000 votes "still out" that were never cast,
and a projection 2 points off where the running share was 0.9.

What pulls it down is the shape of the counts. A finished county stands at the night's ratio
give or take its own spread; an unfinished one anywhere below its own. So the places' ratios
(count / baseline) are a mixture: a bump at the night's ratio (the finished) over a tail below
it (the rest, each at an unknown part of its final, read as uniform). Its maximum likelihood,
with the prior band as the ratio's prior, gives the ratio, the spread of the finished and each
place's probability of being finished. Georgia 2021 from 27 % counted on: 0.875–0.887 (the
median county ended at 0.885).

A bump is not always the finished: North Carolina's counties all report their early and mail
ballots first, so at 60 % counted every county stands at about two thirds of its final — a tight
bump of unfinished places. Only places that *could* be finished may sit in the bump: their
count has stood still for a while, and in a feed with vote types they have counted some of every
major type the contest has shown (a county with no election-day vote yet is not done). The rest
are read as unfinished. Pure, numpy only, Qt-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tracker.core.turnout_prior import PASSED, TurnoutPrior

#: Places expected to be finished (the sum of their probabilities) before their ratio is the
#: night's: fewer say too little, and the prior's median above the count's floors stands.
MIN_FINISHED = 5.0
#: The finished places' spread around the night's ratio (sd, log scale), chosen by the likelihood
#: among these (Georgia 2021's counties ended within 0.85–0.91 of November, North Carolina 2020's
#: within 1.07–1.25 of 2016).
SPREADS = (0.03, 0.05, 0.08)
#: The share of the eligible places finished, searched on this grid.
_SHARES = np.linspace(0.02, 0.98, 13)
#: Points of the ratio's grid (log scale, over the prior band widened by a third each way).
_GRID = 41
_SQRT2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Finished:
    """The night's ratio read from the places that look finished, and how sure of each."""

    #: Tonight's votes / the baseline's, shared by the finished places (their median).
    ratio: float
    #: Their spread around it (sd, log scale).
    spread: float
    #: Per place (the order of the floors given), the probability it is finished (0 where it
    #: could not be, or has counted nothing).
    p_done: np.ndarray

    @property
    def expected(self) -> float:
        """How many places are finished, as the sum of their probabilities."""
        return float(self.p_done.sum())


def _norm_sf(x: np.ndarray) -> np.ndarray:
    """The standard normal's upper tail (Abramowitz & Stegun 7.1.26 for erfc, error < 1.5e-7):
    numpy has no erfc, and scipy is not worth a dependency for one function."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erfc = poly * np.exp(-z * z)
    upper = 0.5 * erfc
    return np.where(x >= 0, upper, 1.0 - upper)


def _log_prior(log_r: np.ndarray, prior: TurnoutPrior) -> np.ndarray:
    """The band as a split normal (its ends the 5 % and 95 % points), log density up to a constant."""
    z90 = 1.6448536269514722
    sd_lo = max(prior.mid - prior.lo, 1e-9) / z90
    sd_hi = max(prior.hi - prior.mid, 1e-9) / z90
    r = np.exp(log_r)
    sd = np.where(r < prior.mid, sd_lo, sd_hi)
    return -0.5 * ((r - prior.mid) / sd) ** 2


def _fit(
    y: np.ndarray, eligible: np.ndarray, log_r: np.ndarray, prior: TurnoutPrior
) -> tuple[float, float, float, float]:
    """(log likelihood, log ratio, spread, share finished) at the best point of the grid."""
    best = (-math.inf, 0.0, SPREADS[0], 0.0)
    base = _log_prior(log_r, prior)
    for s in SPREADS:
        d = y[None, :] - log_r[:, None]  # (ratios, places)
        done = np.exp(-0.5 * (d / s) ** 2) / (s * _SQRT2PI)
        # an unfinished place: its ratio × a uniform part of it, in logs (see the module docstring)
        rest = np.exp(np.minimum(d + 0.5 * s * s, 50.0)) * _norm_sf((d + s * s) / s)
        rest = np.maximum(rest, 1e-300)
        fixed = np.log(rest[:, ~eligible]).sum(axis=1) + base
        de, re = done[:, eligible], rest[:, eligible]
        for pi in _SHARES:
            ll = fixed + np.log(pi * de + (1.0 - pi) * re + 1e-300).sum(axis=1)
            i = int(np.argmax(ll))
            if ll[i] > best[0]:
                best = (float(ll[i]), float(log_r[i]), s, float(pi))
    return best


def read_finished(
    floors: np.ndarray, eligible: np.ndarray, prior: TurnoutPrior, sizes: np.ndarray | None = None
) -> Finished | None:
    """The night's ratio from the places that look finished (see the module docstring), or None
    when fewer than ``MIN_FINISHED`` do. ``floors``: each place's count over its baseline (0 when
    it has counted nothing); ``eligible``: the places that could be finished; ``sizes``: their
    baseline totals, to read the ratio as the finished places' summed count over their summed
    baseline (big counties turn out differently from small ones: Georgia 2021's median county
    ended at 0.885 of November, the state at 0.897) rather than the median the fit finds."""
    floors = np.asarray(floors, dtype=float)
    eligible = np.asarray(eligible, dtype=bool) & (floors > 0)
    has = floors > 0
    if int(eligible.sum()) < MIN_FINISHED:
        return None
    y = np.log(floors[has])
    el = eligible[has]
    lo = math.log(max(prior.lo, 1e-6) * 0.75)
    hi = max(math.log(prior.hi * 1.33), float(y.max()) + 0.1)
    coarse = np.linspace(lo, hi, _GRID)
    _, at, _, _ = _fit(y, el, coarse, prior)
    step = coarse[1] - coarse[0]
    _, log_ratio, spread, pi = _fit(y, el, np.linspace(at - step, at + step, 11), prior)
    d = y - log_ratio
    done = pi * np.exp(-0.5 * (d / spread) ** 2) / (spread * _SQRT2PI)
    rest = (1.0 - pi) * np.exp(np.minimum(d + 0.5 * spread**2, 50.0)) * _norm_sf((d + spread**2) / spread)
    p = np.where(el, done / np.maximum(done + rest, 1e-300), 0.0)
    p_done = np.zeros(len(floors))
    p_done[has] = p
    ratio = math.exp(log_ratio)
    if sizes is not None:
        w = p_done * np.asarray(sizes, dtype=float)
        if w.sum() > 0:
            ratio = float(w @ floors / w.sum())
    # never below what a fifth of the places have already reached: the places that finish first
    # are not a sample of the rest (Georgia 2021 at 83 % counted: the finished counties stood at
    # 0.86 of November, the big counties still counting ended higher, the state at 0.90)
    ratio = max(ratio, float(np.quantile(floors[has], 1.0 - PASSED)))
    found = Finished(ratio=ratio, spread=spread, p_done=p_done)
    return found if found.expected >= MIN_FINISHED else None


__all__ = ["MIN_FINISHED", "SPREADS", "Finished", "read_finished"]
