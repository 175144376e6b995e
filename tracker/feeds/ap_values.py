"""AP Elections API values read strictly, and what a reporting unit's values mean.

Text and counts are checked with one sentence naming the field (``_fail``); a candidate's vote
types are split without counting a ballot twice (``split_vote_types``); AP's ``expectedVote`` or
``eevp`` becomes a unit's expected vote; ``fipsCode``, precinct counts and v2's ``level`` / v3's
``reportingunitLevel`` are read here too. Shared by the race mapping
(:mod:`tracker.feeds.ap_race`) and the document reader (:mod:`tracker.feeds.ap`), which
re-exports the public names.
"""

from __future__ import annotations

from typing import Any, NoReturn

from tracker.core.errors import FeedError
from tracker.core.model import Reporting
from tracker.feeds._json_checks import short as _short

TOTAL = "Total"


def _fail(what: str, message: str) -> NoReturn:
    raise FeedError(f"{what}: {message}")


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
