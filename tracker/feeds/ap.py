"""AP Elections API (``/v2/elections/{date}`` and ``/v3/elections/{date}`` JSON) → Snapshot.

Shape (v2, as in ../shared/data/ap; v3 adds fields, see below)::

    {"electionDate": "2016-03-01", "timestamp": "2016-03-09T15:50:46.194Z",
     "nextrequest": "https://api.ap.org/v2/elections/...",
     "races": [{"test": false, "raceID": "24547", "raceType": "Primary", "raceTypeID": "R",
                "officeID": "P", "officeName": "President", "party": "GOP",
                "seatName", "seatNum", "description", "uncontested", "national",
                "reportingUnits": [{"statePostal": "MA", "stateName", "level": "state",
                                    "precinctsReporting", "precinctsTotal", "lastUpdated",
                                    "candidates": [{"candidateID", "first", "last", "party",
                                                   "ballotOrder", "voteCount", "winner"}]},
                                   {"level": "subunit", "reportingunitID", "reportingunitName",
                                    "fipsCode", ...}, ...]}]}

How it maps:

- one Contest per race, id ``"{statePostal}-{raceID}"`` (AP: a race ID is unique *within a
  state*; one response can hold several states), name from state, office, seat, description and
  the primary's party (``"MA President, GOP Primary"``);
- units: the race's ``subunit`` reporting units (counties, or towns in New England: AP's own
  level, kept as county units named as AP names them) when there are any, else its ``state``
  unit. ``district`` units (delegate districts: at-large, PLEO, congressional) overlap each other
  and the state, so they are never summed; a race with only those keeps its state unit;
- the ``state`` unit's ``voteCount``s are AP's own totals (``Contest.reported_totals``): when the
  subunits sum to less (they lag: Colorado's 2015 proposition had 1,958 of 1,973 precincts in its
  counties but all 1,973 at the state level), the difference becomes one more state-kind unit,
  ``"{ST} (not yet by county)"``, so the race total is AP's and nothing is invented; when they
  sum to more, only the state unit is kept. Either way a feed warning says so;
- votes have one vote type, "Total"; precincts from ``precinctsReporting``/``precinctsTotal``
  (COMPLETE when all are in);
- test mode: AP marks races ``"test": true`` when the numbers are made up. If any race in the
  document is, the Election is ``test=True``, its name starts with ``"[TEST] "`` and its note says
  the numbers are not real results, so every export (``parse --json``, ``tracker-feed/1``) and
  whatever shows the election's name carry the label;
- a race with no candidates at all (AP lists some before their candidates: one PA State House
  race in the 2016-04-26 file) is left out: there is nothing to show, and every contest of a
  Snapshot has candidates (the native format requires it). ``Snapshot.notes`` names it, as the
  other parsers name what they set aside, and says so when the file lists no race at all;
- one odd race never sinks a file: a race whose own rows cannot be read (a count written
  "1,234" or null, a unit listed twice) is left out, and the notes and every other race's data
  warnings name it; a race id listed twice, or a file none of whose races can be read, is one
  FeedError sentence;
- vote types (``votetypes=true``; AP's documented names ``electionDayInPerson``, ``earlyInPerson``,
  ``absenteeMail`` …, given per candidate as a ``voteTypes`` object or as the candidate's own
  properties) become our vote types, named as AP's documentation names them ("Election Day
  In-Person"); AP's subtotals (``advanceTotal``, ``absenteeTotal``, ``inPersonTotal``,
  ``advanceInPersonTotal``) are used only where their parts are missing, so nothing is counted
  twice; votes a unit's vote types do not account for are one more vote type, "Not by vote type",
  so the unit's total is always AP's ``voteCount`` (and a feed warning says so);
- ``eevp`` (AP's estimated expected vote, a percentage) on a reporting unit becomes the unit's
  ``expected_votes`` (its votes ÷ eevp); a unit without one has None;
- race calls: a candidate's ``winner`` ``"X"`` (declared winner) or ``"R"`` (advances to a runoff)
  becomes ``Contest.winners`` / ``Contest.advancing`` with ``called_by="AP"``: shown as AP's call,
  never as the tracker's;
- ``winThreshold`` (a percentage a candidate must exceed; 50 for a majority rule) becomes the
  contest's threshold, with ``threshold_source`` saying it is AP's; without it, a majority;
- ``expectedVote`` (or, failing it, the count over ``eevp``, the percent of the expected vote in)
  becomes the unit's ``expected_votes``, and ``fipsCode`` its ``fips``;
- ``electTotal`` and ``delegateCount`` are not carried.

v3 (from AP's documentation; no public v3 payload exists, so its fixtures are constructed and
labelled): top-level ``apiVersion``/``apiBuild``; reporting units carry ``reportingunitLevel``
(1 = state, 2 = the units inside it, 3+ = below those) and ``eevp``; races may carry ``eventID``,
``tabulationStatus``, ``raceCallStatus``. The same mapping applies, with levels read from
``reportingunitLevel`` when present (1 → state, 2 → subunit; deeper levels are not summed).

Documents that are AP but not race results (delegate reports ``delSum``/``delSuper``, trend
tables, the elections list) and anything else raise FeedError with one sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from typing import Any, NoReturn

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import rule_for
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)
from tracker.core.threshold import ThresholdRule
from tracker.feeds._json_checks import short as _short
from tracker.feeds.clarity import pseudo_contest_reason
from tracker.feeds.left_out import left_out_note, warn_each

__all__ = [
    "DELTA_PARAM",
    "TEST_PREFIX",
    "ap_next_request",
    "is_delta_url",
    "parse_ap",
    "parse_ap_v2",
    "parse_ap_v3",
]

TOTAL = "Total"
#: Not "TEST — …": the window splits night labels at " — " and would keep only "TEST".
TEST_PREFIX = "[TEST] "
TEST_NOTE = "AP test mode: these numbers are made up by AP for testing, not real results"
_NOT_RESULTS = {
    "delSum": "an AP delegate summary report",
    "delSuper": "an AP delegate report",
    "trendtable": "an AP trend table",
    "elections": "AP's list of elections",
    "guides": "AP's list of elections",
}


#: Not AP's: the key our writer (``serve --as ap``) adds to mark a reconstructed night.
RECONSTRUCTED_KEY = "x-tracker-reconstructed"


def _fail(what: str, message: str) -> NoReturn:
    raise FeedError(f"{what}: {message}")


def _load(data: bytes, what: str) -> dict[str, Any]:
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"{what} must be bytes, not {type(data).__name__}")
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"module.exports", b"var ", b"const ", b"export ")):
        _fail(what, "this is JavaScript, not JSON (a JS module wrapping AP data is not a feed we read)")
    try:
        doc = json.loads(data)
    except RecursionError:
        _fail(what, "the document is nested too deeply")
    except UnicodeDecodeError as exc:
        _fail(what, f"not valid UTF-8 text ({exc.reason})")
    except ValueError as exc:
        _fail(what, f"not valid JSON ({exc})")
    if not isinstance(doc, dict):
        _fail(what, "expected a JSON object with a 'races' list")
    for key, label in _NOT_RESULTS.items():
        if key in doc and "races" not in doc:
            _fail(what, f"this is {label}, not race results")
    if not isinstance(doc.get("races"), list):
        _fail(what, "expected a JSON object with a 'races' list")
    return doc


def _str(value: Any, what: str, where: str, *, default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        _fail(what, f"{where} is {_short(value)}, not text")
    return value


def _count(value: Any, what: str, where: str) -> int:
    if isinstance(value, float) and value.is_integer() and value >= 0:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(what, f"{where} is {_short(value)}, not a whole number")
    if value < 0:
        _fail(what, f"{where} is negative ({value})")
    return value


def _opt_count(value: Any, what: str, where: str) -> int | None:
    return None if value is None else _count(value, what, where)


#: AP's documented vote types (developer.ap.org, "Vote Types"), as AP's documentation names them.
VOTE_TYPE_NAMES = {
    "electionDayInPerson": "Election Day In-Person",
    "earlyInPerson": "Early In-Person",
    "absenteeInPerson": "In-Person Absentee",
    "absenteeMail": "Absentee Mail",
    "provisional": "Provisional",
    "inPersonTotal": "In-Person Total",
    "advanceInPersonTotal": "Advance In-Person Total",
    "absenteeTotal": "Absentee Total",
    "advanceTotal": "Advance Total",
}
#: AP's subtotals and the vote types each one adds up: a subtotal is used only when none of its
#: parts is given (else the same ballots would be counted twice).
_SUBTOTALS = {
    "inPersonTotal": ("electionDayInPerson", "earlyInPerson"),
    "advanceInPersonTotal": ("earlyInPerson", "absenteeInPerson"),
    "absenteeTotal": ("absenteeInPerson", "absenteeMail"),
    "advanceTotal": (
        "earlyInPerson",
        "absenteeInPerson",
        "absenteeMail",
        "advanceInPersonTotal",
        "absenteeTotal",
    ),
}
UNSPLIT = "Not by vote type"
#: Votes beyond which an expected vote is not computed (far above any electorate on Earth).
MAX_VOTES = 10**12


def _raw_vote_types(c: dict[str, Any]) -> dict[str, Any]:
    """AP's vote types of one candidate row: its ``voteTypes`` object (or a list of
    ``{"voteType", "voteCount"}``), else the documented names as the row's own properties."""
    given = c.get("voteTypes")
    if isinstance(given, dict):
        return {k: v for k, v in given.items() if k in VOTE_TYPE_NAMES}
    if isinstance(given, list):
        out: dict[str, Any] = {}
        for row in given:
            if isinstance(row, dict) and row.get("voteType") in VOTE_TYPE_NAMES:
                out[row["voteType"]] = row.get("voteCount", row.get("votes"))
        return out
    return {k: c[k] for k in VOTE_TYPE_NAMES if k in c}


def split_vote_types(
    total: int, raw: dict[str, Any], what: str, where: str, warnings: list[str]
) -> dict[str, int]:
    """``total`` votes by vote type from AP's ``raw`` vote types (see the module docstring):
    subtotals only where their parts are absent, and the remainder as :data:`UNSPLIT`, so the
    result always sums to ``total``. No vote types: ``{"Total": total}``."""
    counts: dict[str, int] = {}
    for key, value in raw.items():
        if value is None:
            continue  # AP: "not available" for this unit, not a zero
        counts[key] = _count(value, what, f"{key} of {where}")
    if not counts:
        return {TOTAL: total}
    chosen = dict(counts)
    for sub, parts in _SUBTOTALS.items():
        if sub in chosen and any(p in counts for p in parts):
            del chosen[sub]
    out = {VOTE_TYPE_NAMES[k]: n for k, n in chosen.items()}
    rest = total - sum(out.values())
    if rest > 0:
        out[UNSPLIT] = rest
    elif rest < 0:
        warnings.append(
            f"{where}: AP's vote types add up to {sum(out.values()):,}, more than its total "
            f"{total:,}; showing the total only"
        )
        return {TOTAL: total}
    return out


def _eevp(unit: dict[str, Any]) -> float | None:
    value = unit.get("eevp")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        return None  # (compared before float(): an integer of 400 digits does not fit one)
    return float(value)


def expected_from_eevp(votes: int, eevp: float | None) -> int | None:
    """A unit's whole expected vote from its votes so far and AP's ``eevp`` (percent)."""
    if eevp is None or votes <= 0 or votes > MAX_VOTES:
        return None  # (no electorate is larger; beyond it the arithmetic is not a count)
    return max(votes, round(votes * 100.0 / eevp))


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


def _level(unit: dict[str, Any]) -> str:
    """ "state", "subunit" or something else (never summed), from v3's ``reportingunitLevel``
    when present, else v2's ``level``."""
    lvl = unit.get("reportingunitLevel")
    if isinstance(lvl, int) and not isinstance(lvl, bool):
        return {1: "state", 2: "subunit"}.get(lvl, f"level {lvl}")
    text = unit.get("level")
    return text if isinstance(text, str) else ""


def _expected_votes(unit: dict[str, Any], counted: int) -> int | None:
    """AP's own expectation of the unit's final vote: ``expectedVote`` when given, else the count
    over ``eevp`` (percent of the expected vote in). Anything odd (missing, not a number, zero
    with votes counted) is no expectation rather than an error: the tracker then estimates it."""
    raw = unit.get("expectedVote")
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_VOTES:
        return max(raw, counted)
    return expected_from_eevp(counted, _eevp(unit))


def _fips(value: Any) -> str | None:
    """A county's 5-digit FIPS code, or None."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text.zfill(5) if text.isdigit() and len(text) <= 5 else None


def _reporting(done: int | None, total: int | None, has_votes: bool) -> Reporting:
    if done is not None and total is not None and total > 0 and done >= total:
        return Reporting.COMPLETE
    if (done or 0) > 0 or has_votes:
        return Reporting.PARTIAL
    return Reporting.NONE


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
    def __init__(self, race: dict[str, Any], i: int, what: str) -> None:
        self.what = what
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
        return rule_for(
            self.state,
            race_type,
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
                diff = {cid: state_votes.get(cid, 0) - sums.get(cid, 0) for cid in {*state_votes, *sums}}
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


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def parse_ap(data: bytes, *, source: str = "", version: int | None = None) -> Snapshot:
    """Parse an AP Elections API ``/elections/{date}`` JSON response (v2 or v3, told apart by
    ``apiVersion`` unless ``version`` is given). See the module docstring."""
    what = "AP Elections API v3 JSON" if version == 3 else "AP Elections API JSON"
    doc = _load(data, what)
    if version is None:
        api = doc.get("apiVersion")
        version = 3 if isinstance(api, (str, int, float)) and str(api).startswith("3") else 2
    what = f"AP Elections API v{version} JSON"
    raw_date = doc.get("electionDate")
    date = None
    if raw_date is not None:
        try:
            date = dt.date.fromisoformat(_str(raw_date, what, "electionDate"))
        except ValueError:
            _fail(what, f"electionDate {raw_date!r} is not a YYYY-MM-DD date")
    races = []
    for i, race in enumerate(doc["races"]):
        if not isinstance(race, dict):
            _fail(what, f"races[{i}] is not an object")
        races.append(_Race(race, i, what))
    test = any(r.test for r in races) or doc.get("test") is True
    contests: list[Contest] = []
    seen: set[str] = set()
    set_aside: list[str] = []
    empty: list[str] = []
    broken: list[str] = []  # races whose own rows cannot be read, one sentence each
    for race in races:
        if race.id in seen:
            _fail(what, f"race {race.id} appears twice")
        seen.add(race.id)
        reason = _pseudo(race)
        if reason:  # a statistics row, not a race: set aside, the rest of the file opens
            set_aside.append(reason)
            continue
        try:  # this race's own rows: one odd race never sinks the file
            contest = race.build()
        except FeedError as exc:
            broken.append(" ".join(str(exc).removeprefix(f"{what}: ").split()))
            continue
        if contest.candidates:  # a race AP lists before it has any candidate shows nothing
            contests.append(contest)
        else:  # ... but is named, so a race missing from the list is not a mystery
            empty.append(contest.name)
    if empty:
        shown = ", ".join(repr(n) for n in empty[:3]) + (", …" if len(empty) > 3 else "")
        set_aside.append(
            f"{len(empty)} race{'s' if len(empty) != 1 else ''} listed without candidates yet, "
            f"left out: {shown}"
        )
    if broken:
        if not contests:
            _fail(what, broken[0])
        note = left_out_note(broken, "race")
        set_aside.append(note)
        contests = warn_each(contests, note)
    if not races:
        set_aside.append("the file lists no races (a query that matched none, or none published yet)")
    states = sorted({r.state for r in races if r.state})
    where = ", ".join(states[:6]) + ("…" if len(states) > 6 else "")
    name = f"AP election results {date.isoformat() if date else ''}".strip() + (
        f" ({where})" if where else ""
    )
    stamp = doc.get("timestamp")
    reconstructed = doc.get(RECONSTRUCTED_KEY)
    notes = [TEST_NOTE if test else "", reconstructed if isinstance(reconstructed, str) else ""]
    election = Election(
        # The id does not change with test mode: AP switches a date from test to live data on
        # election night, and pins and recordings must line up across that switch.
        id=f"ap-{date.isoformat() if date else 'undated'}",
        name=f"{TEST_PREFIX}{name}" if test else name,
        date=date,
        source=source,
        note=" ".join(n for n in notes if n),
        test=test,
        reconstructed=isinstance(reconstructed, str) and bool(reconstructed),
    )
    return Snapshot(
        election=election,
        contests=tuple(contests),
        version=stamp.strip() if isinstance(stamp, str) else "",
        published_at=_timestamp(stamp),
        notes=tuple(set_aside),
    )


def _pseudo(race: _Race) -> str:
    """Why an AP "race" is not one (an office named "Registered Voters" or "Ballots Cast", or
    ``numWinners: 0``), in the Clarity parsers' words; "" for a race."""
    office = " ".join(str(race.race.get("officeName") or "").split())
    num = race.race.get("numWinners")
    num = num if isinstance(num, int) and not isinstance(num, bool) else None
    reason = pseudo_contest_reason(office, num, 1)
    return reason.replace(repr(office), repr(race.name), 1) if reason else ""


def parse_ap_v2(data: bytes, *, source: str = "") -> Snapshot:
    """Parse an AP Elections API v2 ``/elections/{date}`` JSON response."""
    return parse_ap(data, source=source, version=2)


def parse_ap_v3(data: bytes, *, source: str = "") -> Snapshot:
    """Parse an AP Elections API v3 ``/elections/{date}`` JSON response."""
    return parse_ap(data, source=source, version=3)


#: The query parameter that makes an AP request a delta ("races updated since").
DELTA_PARAM = "mindatetime"


def is_delta_url(url: str | None) -> bool:
    """True when ``url`` asks for changes only (AP's ``minDateTime``, any case, with a value).

    A fact of AP's wire protocol, so it lives with the AP parser: the poller (which drops AP's
    empty deltas) and the night file's version chain (which lays deltas over a full payload) both
    ask it, and neither layer has to import the other."""
    if not url:
        return False
    try:
        query = urllib.parse.urlsplit(url).query
    except ValueError:
        return False
    return any(k.lower() == DELTA_PARAM and v for k, v in urllib.parse.parse_qsl(query))


def ap_next_request(data: bytes) -> str | None:
    """The ``nextrequest`` URL an AP response gives for the next poll (None when absent), for
    the poller; never raises on a bad payload (returns None)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError, TypeError):
        return None
    value = doc.get("nextrequest") if isinstance(doc, dict) else None
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None
