"""One AP race → our ``Contest``: its name, candidates, units (subunits or the state, and the
state total's part not yet by county), vote types, calls and rule.

The mapping is the module docstring of :mod:`tracker.feeds.ap`; the same for v2 and v3 (only a
unit's level is read differently, in :mod:`tracker.feeds.ap_values`). A race whose own rows
cannot be read raises FeedError; the document reader leaves it out and names it.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from tracker.core.jurisdiction import rule_for
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.threshold import ThresholdRule
from tracker.feeds.ap_values import (
    TOTAL,
    _count,
    _expected_votes,
    _fail,
    _fips,
    _level,
    _opt_count,
    _raw_vote_types,
    _reporting,
    _str,
    split_vote_types,
)
from tracker.feeds.clarity import pseudo_contest_reason


def _threshold(race: dict[str, Any]) -> tuple[ThresholdRule, str]:
    value = race.get("winThreshold")
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 100:
        return ThresholdRule.majority(), ""
    source = f"AP winThreshold {value:g}"
    if float(value) == 50.0:
        return ThresholdRule.majority(), source
    return ThresholdRule("share", round(float(value) / 100.0, 6)), source


def _candidate_name(c: dict[str, Any], what: str, where: str) -> str:
    first = _str(c.get("first"), what, f"first name in {where}", default="")
    last = _str(c.get("last"), what, f"last name in {where}", default="")
    return " ".join(f"{first} {last}".split())


def _race_name(race: dict[str, Any], state: str, what: str) -> str:
    parts = [state] if state else []
    office = " ".join(_str(race.get("officeName"), what, "officeName", default="").split())
    parts.append(office or "Race")
    name = " ".join(parts)
    for key in ("seatName", "description"):
        extra = " ".join(_str(race.get(key), what, key, default="").split())
        if extra and extra not in name:
            name += f", {extra}"
    party = " ".join(_str(race.get("party"), what, "party", default="").split())
    race_type = " ".join(_str(race.get("raceType"), what, "raceType", default="").split())
    if party:
        name += f", {party} {race_type or 'race'}"
    return name


class _Race:
    def __init__(self, race: dict[str, Any], i: int, what: str, year: int = 0) -> None:
        self.what = what
        #: The election's year (the document's electionDate; 0 when it gives none): the table's
        #: rows that apply from a year (Maine's ranked choice from 2018) read it.
        self.year = year
        where = f"races[{i}]"
        race_id = _str(race.get("raceID"), what, f"raceID of {where}").strip()
        if not race_id:
            _fail(what, f"{where} has no raceID")
        units = race.get("reportingUnits")
        if units is None:
            units = []
        if not isinstance(units, list):
            _fail(what, f"reportingUnits of race {race_id} is not a list")
        self.units_raw = []
        for j, u in enumerate(units):
            if not isinstance(u, dict):
                _fail(what, f"reportingUnits[{j}] of race {race_id} is not an object")
            self.units_raw.append(u)
        state = race.get("statePostal")
        if state is None and self.units_raw:
            state = self.units_raw[0].get("statePostal")
        self.state = _str(state, what, f"statePostal of race {race_id}", default="").strip().upper()
        self.id = f"{self.state}-{race_id}" if self.state else race_id
        self.name = _race_name(race, self.state, what)
        self.test = race.get("test") is True
        self.vote_for = 1
        num = race.get("numWinners")
        if isinstance(num, int) and not isinstance(num, bool) and num > 1:
            self.vote_for = num
        self.race = race
        self.winners: dict[str, None] = {}
        self.advancing: dict[str, None] = {}

    def _typed(
        self, unit: dict[str, Any], where: str, order: dict[str, Candidate], warnings: list[str]
    ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """(votes per candidate, votes per candidate and vote type) of one reporting unit."""
        totals = self._votes(unit, where, order)
        typed: dict[str, dict[str, int]] = {}
        for c in unit.get("candidates") or ():
            cid = _str(c.get("candidateID"), self.what, f"candidateID in {where}").strip()
            raw = _raw_vote_types(c)
            label = f"{order[cid].name if cid in order else cid} in {where}"
            typed[cid] = split_vote_types(totals[cid], raw, self.what, label, warnings)
            flag = c.get("winner")
            if isinstance(flag, str) and flag.strip().upper() in ("X", "R"):
                (self.winners if flag.strip().upper() == "X" else self.advancing).setdefault(cid, None)
        return totals, typed

    def rule(self, choices: list[str]) -> ThresholdRule:
        """The race's rule: AP's ``winThreshold`` when it states one (a share or a percentage),
        else the jurisdiction table by state, race type and office (``jurisdiction.rule_for``)."""
        race = self.race
        race_type = str(race.get("raceType") or "")
        measure = bool(re.search(r"ballot|measure|issue|question|referend", race_type, re.I)) or None
        stated: ThresholdRule | None = None
        raw = race.get("winThreshold")
        if isinstance(raw, str):
            try:
                raw = float(raw.strip().rstrip("%"))
            except ValueError:
                raw = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and (0 < raw < 1 or 1 < raw < 100):
            share = raw if raw < 1 else raw / 100
            runoff = "none" if measure else "top-two"
            stated = (
                ThresholdRule.majority(runoff=runoff, measure=bool(measure))
                if share == 0.5
                else ThresholdRule("share", share, runoff=runoff, measure=bool(measure))
            ).with_source("feed", f"AP winThreshold {raw:g}")
        office = " ".join(str(race.get(k) or "") for k in ("officeName", "seatName")).strip()
        election = f"{race_type} {self.year}" if self.year else race_type
        if stated is not None:
            # AP states the line only. Where the table's line is the same, the table says what AP's
            # number cannot: the ranked-choice rounds below 50 % (Maine, Alaska), not a runoff;
            # two-thirds exactly (AP's 66.67 would fail 200 yes of 300 in New Hampshire); the
            # second test of Illinois's amendments.
            table = rule_for(
                self.state, election, office, vote_for=self.vote_for, choices=choices, measure=measure
            )
            if (
                table.has_line
                and table.measure == stated.measure
                and abs(table.share - stated.share) < 0.0005
                and (table.is_ranked_choice or table.or_ballots_majority or table.fraction == Fraction(2, 3))
            ):
                stated = table.with_source("feed", f"AP winThreshold {raw:g}; {table.basis}")
        return rule_for(
            self.state,
            election,
            office,
            vote_for=self.vote_for,
            choices=choices,
            stated=stated,
            measure=measure,
        )

    def _votes(self, unit: dict[str, Any], where: str, order: dict[str, Candidate]) -> dict[str, int]:
        cands = unit.get("candidates")
        if not isinstance(cands, list):
            _fail(self.what, f"candidates of {where} is not a list")
        out: dict[str, int] = {}
        for k, c in enumerate(cands):
            if not isinstance(c, dict):
                _fail(self.what, f"candidates[{k}] of {where} is not an object")
            cid = _str(c.get("candidateID"), self.what, f"candidateID of candidates[{k}] of {where}").strip()
            if not cid:
                _fail(self.what, f"candidates[{k}] of {where} has no candidateID")
            if cid in out:
                _fail(self.what, f"{where} lists candidate {cid} twice")
            out[cid] = _count(c.get("voteCount", 0), self.what, f"voteCount of candidate {cid} in {where}")
            if cid not in order:
                rank = c.get("ballotOrder")
                rank = rank if isinstance(rank, int) and not isinstance(rank, bool) else 10_000 + len(order)
                order[cid] = Candidate(
                    id=cid,
                    name=_candidate_name(c, self.what, where) or cid,
                    party=_str(c.get("party"), self.what, f"party in {where}", default=""),
                    ballot_order=rank,
                )
        return out

    def build(self) -> Contest:
        what, name = self.what, self.name
        order: dict[str, Candidate] = {}
        state_units = [u for u in self.units_raw if _level(u) == "state"]
        subunits = [u for u in self.units_raw if _level(u) == "subunit"]
        if len(state_units) > 1:
            _fail(what, f"race {self.id} has {len(state_units)} state-level reporting units")
        warnings: list[str] = []
        state_votes: dict[str, int] | None = None
        state_typed: dict[str, dict[str, int]] = {}
        state_prec: tuple[int | None, int | None] = (None, None)
        state_unit = state_units[0] if state_units else None
        if state_unit is not None:
            state_votes, state_typed = self._typed(state_unit, f"the state unit of {name!r}", order, warnings)
            state_prec = (
                _opt_count(state_unit.get("precinctsReporting"), what, f"precinctsReporting of {name!r}"),
                _opt_count(state_unit.get("precinctsTotal"), what, f"precinctsTotal of {name!r}"),
            )
        # Candidates listed at race level (AP's initialization files: no reporting units yet).
        race_cands = self.race.get("candidates")
        if isinstance(race_cands, list) and race_cands:
            self._votes({"candidates": race_cands}, f"the candidates of {name!r}", order)
        units: list[ReportingUnit] = []
        seen: set[str] = set()
        sums: dict[str, int] = {}
        for j, u in enumerate(subunits):
            ru_id = _str(
                u.get("reportingunitID"), what, f"reportingunitID of unit {j} of {name!r}", default=""
            )
            ru_name = " ".join(
                _str(
                    u.get("reportingunitName"), what, f"reportingunitName of unit {j} of {name!r}", default=""
                ).split()
            )
            uid = f"{self.state}-{ru_id or ru_name or j}"
            if uid in seen:
                _fail(what, f"{name!r} lists reporting unit {ru_id or ru_name!r} twice")
            seen.add(uid)
            where = f"{ru_name or ru_id!r} in {name!r}"
            votes, typed = self._typed(u, where, order, warnings)
            for cid, n in votes.items():
                sums[cid] = sums.get(cid, 0) + n
            done = _opt_count(u.get("precinctsReporting"), what, f"precinctsReporting of {where}")
            total = _opt_count(u.get("precinctsTotal"), what, f"precinctsTotal of {where}")
            if done is not None and total is not None and done > total:
                _fail(what, f"{where}: {done} precincts reporting of {total}")
            units.append(
                ReportingUnit(
                    id=uid,
                    name=ru_name or ru_id,
                    kind=UnitKind.COUNTY,
                    county=ru_name or ru_id,
                    reporting=_reporting(done, total, any(votes.values())),
                    votes=typed,
                    precincts_reporting=done,
                    precincts_total=total,
                    expected_votes=_expected_votes(u, sum(votes.values())),
                    fips=_fips(u.get("fipsCode")),
                )
            )
        if state_unit is not None and state_votes is not None:
            done, total = state_prec
            if done is not None and total is not None and done > total:
                _fail(what, f"{name!r}: {done} precincts reporting of {total} at the state level")
            whole = ReportingUnit(
                id=self.state or "state",
                name=_str(state_unit.get("stateName"), what, "stateName", default="")
                or self.state
                or "State",
                kind=UnitKind.STATE,
                reporting=_reporting(done, total, any(state_votes.values())),
                votes=state_typed,
                precincts_reporting=done,
                precincts_total=total,
                expected_votes=_expected_votes(state_unit, sum(state_votes.values())),
            )
            if not units:
                units = [whole]
            else:
                # the feed's order (state first), never a set's: the same on every run
                ids = list(dict.fromkeys([*state_votes, *sums]))
                diff = {cid: state_votes.get(cid, 0) - sums.get(cid, 0) for cid in ids}
                if any(d < 0 for d in diff.values()):
                    warnings.append(
                        f"{name}: its county results add up to more than AP's state total; "
                        "showing the state total only"
                    )
                    units = [whole]
                elif any(diff.values()):
                    warnings.append(
                        f"{name}: AP's state total is {sum(state_votes.values()):,} votes, its county "
                        f"results {sum(sums.values()):,}; the {sum(diff.values()):,} not yet by county "
                        "are shown as their own unit"
                    )
                    units.append(
                        ReportingUnit(
                            id=f"{self.state or 'state'}-not-by-county",
                            name=f"{self.state or 'State'} (not yet by county)",
                            kind=UnitKind.STATE,
                            reporting=Reporting.PARTIAL,
                            votes={cid: {TOTAL: d} for cid, d in diff.items() if cid in state_votes},
                        )
                    )
                sub_done = sum(u.precincts_reporting or 0 for u in units if u.kind is UnitKind.COUNTY)
                sub_total = sum(u.precincts_total or 0 for u in units if u.kind is UnitKind.COUNTY)
                if total is not None and (sub_done, sub_total) != (done or 0, total):
                    warnings.append(
                        f"{name}: AP's state unit has {done or 0:,} of {total:,} precincts in, its "
                        f"counties {sub_done:,} of {sub_total:,}"
                    )
        candidates = sorted(order.values(), key=lambda c: c.ballot_order)
        candidates = [
            Candidate(id=c.id, name=c.name, party=c.party, ballot_order=k + 1)
            for k, c in enumerate(candidates)
        ]
        done, total = state_prec
        # The rule: AP's winThreshold when it states one, else the jurisdiction table (self.rule);
        # threshold_source keeps AP's own words for parse --json.
        _, source = _threshold(self.race)
        threshold = self.rule([c.name for c in candidates])
        known = {c.id for c in candidates}
        winners = tuple(c for c in self.winners if c in known)
        advancing = tuple(c for c in self.advancing if c in known and c not in self.winners)
        seen_types: dict[str, None] = {}
        for unit in units:
            for by_type in unit.votes.values():
                seen_types.update(dict.fromkeys(by_type))
        return Contest(
            id=self.id,
            name=name,
            candidates=tuple(candidates),
            units=tuple(units),
            vote_for=self.vote_for,
            threshold=threshold,
            threshold_source=source,
            winners=winners,
            advancing=advancing,
            called_by="AP" if winners or advancing else "",
            vote_types=tuple(VoteType.from_name(t) for t in (seen_types or {TOTAL: None})),
            reported_totals=dict(state_votes) if state_votes is not None else None,
            reported_precincts=(done, total) if done is not None and total is not None else None,
            feed_warnings=tuple(warnings),
        )


def _pseudo(race: _Race) -> str:
    """Why an AP "race" is not one (an office named "Registered Voters" or "Ballots Cast", or
    ``numWinners: 0``), in the Clarity parsers' words; "" for a race."""
    office = " ".join(str(race.race.get("officeName") or "").split())
    num = race.race.get("numWinners")
    num = num if isinstance(num, int) and not isinstance(num, bool) else None
    reason = pseudo_contest_reason(office, num, 1)
    return reason.replace(repr(office), repr(race.name), 1) if reason else ""
