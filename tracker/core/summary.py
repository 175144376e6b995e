"""The stable JSON summary of a Snapshot, printed by ``election-tracker parse FILE --json``.

It is what scripts and tests compare, so its shape only grows (new keys). Votes are the race's
result: the feed's own stated totals when it states one for every candidate (what its official
page shows; ``totals_source`` says "feed"), else the sum of the units ("units"); each candidate's
``unit_votes`` is the units' sum either way, and a difference is a warning (docs/contest-rules.md).
By-county and by-vote-type rows are the units'. It is plain JSON (str, int, float, bool, null,
lists, objects)::

    {
      "election": {
        "id": "dekalb-2017-04-18",          # stable across versions of the feed
        "name": "April 18, 2017 - Special Election",
        "date": "2017-04-18",               # ISO date, or null
        "source": "…/2017_DeKalb_detail.xml",
        "reconstructed": false,             # true for a night rebuilt from certified results
        "note": "",                         # what was reconstructed, and from what
        "test": false                       # true for test data (AP test mode): label it TEST
      },
      "version": "4/25/2017 3:38:16 PM EDT",  # the feed's own version id
      "published_at": "2017-04-25T15:38:16-04:00",  # ISO 8601 with offset, or null
      "contests": [
        {
          "id": "10",
          "name": "U.S. Representative, District 6",
          "vote_for": 1,
          "threshold": {"rule": "majority", "source": "table", "basis": "O.C.G.A. …"},
                                              # ThresholdRule.to_json(): rule majority | plurality
                                              # | share (+ "share"), and when not the default:
                                              # runoff (top-two | on-request | none |
                                              # ranked-choice), measure, at_least, advance
                                              # (top-N primary), or_ballots_majority
                                              # (Illinois's amendments), source, basis
          "rule": {"text": "majority (over 50 %), else the top two go to a runoff",
                   "source": "table",         # feed | table | user | default
                   "origin": "from the jurisdiction table"},
          "totals_source": "units",           # "feed": the stated totals are the result
          "precincts": {"reporting": 43, "total": 43},  # fully reporting / in the contest
          "total_votes": 44299,
          "candidates": [                     # in ballot order
            {"id": "140", "name": "JON OSSOFF", "party": "", "votes": 25952, "share": 0.585837,
             "unit_votes": 25952, "standing": "runoff"}
          ],                                  # share of the counted vote, rounded to 6 decimals;
                                              # standing: the window's phrase under the rule
          "by_county": {"DeKalb": {"10": 370, "…": 0}},          # county -> candidate id -> votes
          "by_vote_type": {"Election Day": {"10": 310, "…": 0}},  # the feed's vote-type names
          "warnings": [],                     # the feed disagreeing with itself, one sentence each
          "partial": "",                      # "" or: this file holds only part of the race (a county's)
          "call": {"by": "AP", "winners": ["140"], "advancing": []},  # only when the feed's
                                              # publisher called the race: its call, never ours
          "threshold_source": "AP winThreshold 50"  # only when the feed states the rule
        }
      ],
      "notes": []                             # what the parser set aside (pseudo-contests)
    }

(Abridged from ``election-tracker parse 2017_DeKalb_detail.xml --json``: DeKalb's part of the GA-06
race, one candidate and one row shown of each list.) In ``by_county`` and
``by_vote_type`` every candidate of the contest appears in every row, in ballot order, with 0 when
it has no votes there; rows are in the order the units and vote types first appear. Counties come
from each unit's county (its own name for a county unit). Precincts are computed from the units
(see ``Contest.precincts``), so a replayed or merged snapshot is self-consistent.
"""

from __future__ import annotations

from typing import Any

from tracker.core.model import Contest, Snapshot
from tracker.core.outstanding import estimate_outstanding
from tracker.core.standing import standings

__all__ = ["contest_summary", "snapshot_summary"]

SHARE_DECIMALS = 6


def _rows(groups: dict[str, dict[str, int]], order: list[str], ids: list[str]) -> dict[str, dict[str, int]]:
    """Every group with every candidate id (0 when absent), groups in ``order`` then any others;
    ids not among the contest's candidates (votes for an unknown id) are kept after them."""
    out: dict[str, dict[str, int]] = {}
    for group in [*[g for g in order if g in groups], *[g for g in groups if g not in order]]:
        votes = groups[group]
        row = {cid: votes.get(cid, 0) for cid in ids}
        row.update({cid: n for cid, n in votes.items() if cid not in row})
        out[group] = row
    return out


def contest_summary(contest: Contest, *, groups: bool = True) -> dict[str, Any]:
    """One contest's entry in ``snapshot_summary``'s ``contests`` list. ``groups=False`` leaves
    out ``by_county`` and ``by_vote_type`` (``parse``'s text output does not show them, and a
    statewide file has thousands of races to sum them for)."""
    candidates = sorted(enumerate(contest.candidates), key=lambda item: (item[1].ballot_order, item[0]))
    ids = [c.id for _, c in candidates]
    totals = contest.totals
    units = contest.unit_totals
    total_votes = contest.total_votes
    reporting, total = contest.precincts
    phrases = {row.candidate.id: row.phrase for row in standings(contest, estimate_outstanding(contest))}
    rule = contest.threshold
    out: dict[str, Any] = {
        "id": contest.id,
        "name": contest.name,
        "vote_for": contest.vote_for,
        "threshold": rule.to_json(),
        "rule": {"text": rule.describe(contest.vote_for), "source": rule.source, "origin": rule.origin()},
        "totals_source": "feed" if contest.uses_stated_totals else "units",
        "precincts": {"reporting": reporting, "total": total},
        "total_votes": total_votes,
        "candidates": [
            {
                "id": c.id,
                "name": c.name,
                "party": c.party,
                "votes": totals.get(c.id, 0),
                "share": round(totals.get(c.id, 0) / total_votes, SHARE_DECIMALS) if total_votes else 0.0,
                "unit_votes": units.get(c.id, 0),
                "standing": phrases.get(c.id, ""),
            }
            for _, c in candidates
        ],
    }
    if groups:
        counties = list(dict.fromkeys(u.county or u.name for u in contest.units))
        out["by_county"] = _rows(contest.totals_by("county"), counties, ids)
        out["by_vote_type"] = _rows(
            contest.totals_by("vote_type"), [vt.name for vt in contest.vote_types], ids
        )
    out["warnings"] = contest.data_warnings()
    # "" when the file holds the whole race; else one sentence: its standings speak of the
    # county that is here, never of elected / over the line (tracker.core.coverage).
    out["partial"] = contest.partial
    if contest.completeness:  # what the feed says (or lacks) of a final count (Georgia's exports)
        out["completeness"] = contest.completeness
    if contest.called_by:  # the publisher's call (AP's), present only when one was made
        out["call"] = {
            "by": contest.called_by,
            "winners": list(contest.winners),
            "advancing": list(contest.advancing),
        }
    if contest.threshold_source:
        out["threshold_source"] = contest.threshold_source
    return out


def snapshot_summary(snapshot: Snapshot) -> dict[str, Any]:
    """The stable JSON shape documented in this module's docstring (``json.dumps``-ready)."""
    election = snapshot.election
    return {
        "election": {
            "id": election.id,
            "name": election.name,
            "date": election.date.isoformat() if election.date else None,
            "source": election.source,
            "reconstructed": election.reconstructed,
            "note": election.note,
            "test": election.test,
        },
        "version": snapshot.version,
        "published_at": snapshot.published_at.isoformat() if snapshot.published_at else None,
        "contests": [contest_summary(c) for c in snapshot.contests],
        "notes": list(snapshot.notes),
    }
