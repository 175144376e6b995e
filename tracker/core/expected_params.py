"""The expected vote's parameters: how far each kind of evidence is trusted, and why.

They live apart from the model (``tracker.core.expected_vote``) and the county-wide evidence
(``tracker.core.county_evidence``) because both read them, and because a reader checking what the
model assumes should find every assumption in one place, each with where it came from.
"""

from __future__ import annotations

#: Shrinkage of county ratios towards the type-wide ratio, in pseudo-cells.
SHRINK = 4.0
#: Correlated part of the ratio's error, as a fraction of its per-cell error: what the complete
#: cells cannot show about the unfinished ones.
KAPPA_TURNOUT = 0.25
#: What a handful of complete cells cannot show (the first precincts in are rarely typical): a
#: shared relative error of ``UNSEEN_REL_SD`` that fades as complete cells arrive, weighted
#: ``UNSEEN_CELLS / (UNSEEN_CELLS + n)``.
UNSEEN_REL_SD = 0.25
UNSEEN_CELLS = 3.0
#: Complete cells (with the base) a ratio needs before it is trusted over weaker evidence.
MIN_RATIO_CELLS = 2
#: Relative 90 % half-width of a feed's own expectation (AP revises its expected vote on the night).
FEED_HALF_WIDTH = 0.05
#: Part of a vote type counted whatever the precincts (low, middle, high): election-day votes come
#: from the precincts; early and mail ballots are often counted first, wholly or in part; a total
#: that mixes them could be anything in between.
COUNTED_FIRST = {
    "election_day": (0.0, 0.0, 0.3),
    "early": (0.3, 0.8, 1.0),
    "mail": (0.3, 0.8, 1.0),
    "provisional": (0.0, 0.5, 1.0),
    "other": (0.0, 0.5, 1.0),
    "total": (0.15, 0.5, 0.9),
}
#: How far one county's turnout ratio strays below the state's (the low end of a county sized by
#: the turnout prior): in North Carolina 2020 against 2016 the lowest county was at 0.85 of the
#: state's ratio (chosen there); in Georgia's 2021 runoff against November 2020 at 0.91 (held out).
COUNTY_SPREAD = 0.15
#: How far one place's turnout ratio strays from the night's shared one (sd, log scale), for the
#: turnout prior's middle (``turnout_prior.shared_ratio``): a county by ``COUNTY_SPREAD`` as a 90 %
#: range; a precinct twice that (precincts are small, and redrawn).
RATIO_SPREAD = {
    "county": COUNTY_SPREAD / 1.6448536269514722,
    "precinct": 2 * COUNTY_SPREAD / 1.6448536269514722,
}
#: Vote types without which nothing can be said about the vote still out.
MAJOR_TYPES = ("election_day", "early", "mail", "total")
#: Two-sided 90 %.
Z90 = 1.6448536269514722

#: Evidence order (best first); the summary's source is the best one covering most of what is out.
SOURCES = ("counted", "feed", "baseline", "registered", "prior", "precincts", "peers", "unknown")

__all__ = [
    "COUNTED_FIRST",
    "COUNTY_SPREAD",
    "FEED_HALF_WIDTH",
    "KAPPA_TURNOUT",
    "MAJOR_TYPES",
    "MIN_RATIO_CELLS",
    "RATIO_SPREAD",
    "SHRINK",
    "SOURCES",
    "UNSEEN_CELLS",
    "UNSEEN_REL_SD",
    "Z90",
]
