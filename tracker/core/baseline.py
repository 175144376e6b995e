"""Baselines: the same reporting units' result in an earlier election, matched by name.

A baseline is what lets a projection see a skewed reporting order (the units counted so far leaned
one way last time too) and predict turnout per unit. It lives apart from the model because the
night files, the backtest and the window all load and match baselines, and matching is its own
problem: precinct names drift between elections ("Mount Bethel 01" in April is "Mt Bethel 01" in
June; DeKalb's "CHAMBLEE " has a trailing space).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracker.core.model import Contest, ReportingUnit, UnitKind, canonical_vote_type
from tracker.core.turnout_prior import TurnoutPrior

_MOUNT = re.compile(r"\bmount\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def unit_key(county: str | None, name: str) -> str:
    """The key that matches a precinct across elections: county and name, case, spacing and
    punctuation ignored, "Mount" as "Mt" (Cobb's "Mount Bethel 01" in April is "Mt Bethel 01" in
    June; DeKalb's "CHAMBLEE " has a trailing space)."""

    def norm(text: str) -> str:
        text = _MOUNT.sub("mt", text.casefold())
        return " ".join(_NON_WORD.sub(" ", text).split())

    return f"{norm(county or '')}/{norm(name)}"


def unit_match_key(unit: ReportingUnit) -> str:
    """A precinct by county and name; a county or state unit by its own name (feeds disagree on
    whether a county unit's ``county`` is itself)."""
    return unit_key(unit.county if unit.kind is UnitKind.PRECINCT else "", unit.name)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


#: A party's common codes and names (AP, Clarity, NIST, state files) -> one key.
_PARTIES = {
    "democratic": ("dem", "d", "democratic", "democrat", "democratic party", "dfl"),
    "republican": ("rep", "r", "gop", "republican", "republican party"),
    "libertarian": ("lib", "l", "libertarian", "libertarian party"),
    "green": ("grn", "gre", "g", "green", "green party"),
}
_PARTY_OF = {code: key for key, codes in _PARTIES.items() for code in codes}


def party_key(party: str) -> str:
    """The baseline's key for a candidate's party ("party:democratic"), "" when the party is
    unknown or not one a baseline can be matched by. Why: a baseline is an earlier election,
    whose candidates are not tonight's; by name they match nobody, and its shares then said
    nothing about the counties still out (North Carolina 2020 against 2016)."""
    key = _PARTY_OF.get(" ".join(party.replace(".", " ").split()).casefold(), "")
    return f"party:{key}" if key else ""


def share_keys(name: str, party: str, parties: Sequence[str] = ()) -> tuple[str, ...]:
    """The keys a candidate's baseline share is looked up by: its name, then its party when it
    is the only candidate of that party among ``parties`` (tonight's candidates' parties): in a
    primary or an all-party special election eleven Republicans do not each inherit the party's
    whole earlier share."""
    by_party = party_key(party)
    if by_party and sum(party_key(p) == by_party for p in parties) <= 1:
        return (name_key(name), by_party)
    return (name_key(name),)


def candidate_share_keys(contest: Contest) -> list[tuple[str, ...]]:
    """``share_keys`` of each of ``contest``'s candidates, in order."""
    parties = [c.party for c in contest.candidates]
    return [share_keys(c.name, c.party, parties) for c in contest.candidates]


@dataclass(frozen=True)
class BaselineUnit:
    total: int
    #: Votes per canonical vote type.
    by_type: Mapping[str, int]
    #: Share per candidate (name key) of the unit's total, and per party (``party_key``).
    shares: Mapping[str, float]

    def votes_of(self, vote_type: str) -> int:
        """The unit's votes of ``vote_type`` (canonical); its total for every type where the
        baseline does not split them (one total per county: the shipped presidential table).

        Why the total: the expected vote learns, per type, tonight's votes per baseline vote from
        the complete cells, so a baseline by total sizes a county that splits its vote types as
        well as one that does not. Read as 0, a county feed with vote types (every Clarity state
        site by county) was never sized by its baseline."""
        if vote_type == "total" or not (self.by_type.keys() - {"total"}):
            return self.total
        return self.by_type.get(vote_type, 0)

    def share_of(self, keys: tuple[str, ...]) -> float:
        """A candidate's share here, by the first of ``keys`` (``share_keys``) the unit has."""
        for key in keys:
            if key in self.shares:
                return self.shares[key]
        return 0.0


@dataclass(frozen=True)
class Baseline:
    """The same units' final result in an earlier election (e.g. April's first round for June's
    runoff): turnout per vote type and each candidate's share, by ``unit_key``."""

    label: str
    units: Mapping[str, BaselineUnit]
    #: Name key of the baseline's overall winner (the reference candidate of the regression).
    leader: str
    #: What matching it found (e.g. the units it could not match), for the night's info.
    note: str = ""
    #: The baseline election's date, when known (what the turnout prior is measured against).
    date: dt.date | None = None
    #: Tonight's turnout against this baseline's, as a prior band by election type
    #: (``tracker.core.turnout_prior``), attached once tonight's date is known; the expected vote
    #: uses it only where no unit is complete to measure the ratio.
    prior: TurnoutPrior | None = None
    #: Whether its whole counties may size a night by precinct (``county_totals``): not when it is
    #: borrowed from another race (the top of the ticket, the shipped presidential table) for a
    #: race that may cover only part of a county (a school board in a county's file).
    sizes_counties: bool = True
    #: A short hash of the file it was read from ("" for one that ships with the tracker): two
    #: files with the same name are two baselines in the projection log (``baseline_key``), while
    #: the label, what people read, stays the file's name.
    source_id: str = ""

    @classmethod
    def from_contest(cls, contest: Contest, label: str = "") -> Baseline:
        names = {c.id: name_key(c.name) for c in contest.candidates}
        parties = {c.id: party_key(c.party) for c in contest.candidates}
        units: dict[str, BaselineUnit] = {}
        for unit in contest.units:
            total = unit.total()
            by_type: dict[str, int] = {}
            for by in unit.votes.values():
                for vt, n in by.items():
                    ct = canonical_vote_type(vt)
                    by_type[ct] = by_type.get(ct, 0) + n
            shares = {
                names.get(cid, name_key(cid)): (sum(by.values()) / total if total else 0.0)
                for cid, by in unit.votes.items()
            }
            for cid, by in unit.votes.items():
                if parties.get(cid):
                    shares[parties[cid]] = shares.get(parties[cid], 0.0) + (
                        sum(by.values()) / total if total else 0.0
                    )
            units[unit_match_key(unit)] = BaselineUnit(total, by_type, shares)
        # A precinct baseline also serves a night reported by county (the same district's
        # precincts summed per county; ``serve --as clarity`` re-serves a night that way).
        units.update(_county_sums(contest, names, parties))
        ranked = contest.ranked()
        leader = name_key(ranked[0].name) if ranked else ""
        return cls(label=label or contest.name, units=units, leader=leader)

    def matched(self, contest: Contest) -> int:
        """How many of ``contest``'s units this baseline has."""
        return sum(unit_match_key(u) in self.units for u in contest.units)

    def county_totals(self, contest: Contest) -> dict[str, BaselineUnit]:
        """County name -> this baseline's whole county, for the counties of ``contest``'s
        precincts of which the baseline has no precinct: a baseline by county (the shipped
        presidential table, a state's earlier result by county) serving a night by precinct. It
        sizes each county's vote, never a precinct's (``tracker.core.expected_vote``)."""
        if not self.sizes_counties:
            return {}
        own: dict[str, bool] = {}
        for unit in contest.units:
            if unit.kind is not UnitKind.PRECINCT or not unit.county:
                continue
            own[unit.county] = own.get(unit.county, False) or unit_match_key(unit) in self.units
        out = {}
        for county, has_precincts in own.items():
            whole = self.units.get(unit_key("", county))
            if not has_precincts and whole is not None and whole.total > 0:
                out[county] = whole
        return out

    def applies_to(self, contest: Contest) -> bool:
        """Whether this baseline says anything about ``contest``: some unit matched, or some
        county of its precincts (``county_totals``)."""
        return self.matched(contest) > 0 or bool(self.county_totals(contest))


def _county_sums(
    contest: Contest, names: Mapping[str, str], parties: Mapping[str, str]
) -> dict[str, BaselineUnit]:
    totals: dict[str, int] = {}
    by_type: dict[str, dict[str, int]] = {}
    votes: dict[str, dict[str, int]] = {}
    for unit in contest.units:
        if unit.kind is not UnitKind.PRECINCT or not unit.county:
            continue
        key = unit_key("", unit.county)
        totals[key] = totals.get(key, 0) + unit.total()
        types = by_type.setdefault(key, {})
        cands = votes.setdefault(key, {})
        for cid, by in unit.votes.items():
            nm = names.get(cid, name_key(cid))
            cands[nm] = cands.get(nm, 0) + sum(by.values())
            if parties.get(cid):
                cands[parties[cid]] = cands.get(parties[cid], 0) + sum(by.values())
            for vt, n in by.items():
                ct = canonical_vote_type(vt)
                types[ct] = types.get(ct, 0) + n
    return {
        key: BaselineUnit(total, by_type[key], {nm: n / total for nm, n in votes[key].items()})
        for key, total in totals.items()
        if total > 0
    }


__all__ = [
    "Baseline",
    "BaselineUnit",
    "candidate_share_keys",
    "name_key",
    "party_key",
    "share_keys",
    "unit_key",
    "unit_match_key",
]
