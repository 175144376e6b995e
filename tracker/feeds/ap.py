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

The parts, one job each: this module reads the document (v2 or v3), its races in turn and the
election they make, and AP's wire facts (``nextrequest``, delta requests);
:mod:`~tracker.feeds.ap_race` maps one race to a Contest; :mod:`~tracker.feeds.ap_values` reads
AP's values strictly and holds the unit helpers (vote types, expected vote, FIPS, reporting).
The public names are all importable from here.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

from tracker.core.errors import FeedError
from tracker.core.model import Contest, Election, Snapshot
from tracker.feeds.ap_race import _pseudo, _Race
from tracker.feeds.ap_values import MAX_VOTES as MAX_VOTES  # re-exported
from tracker.feeds.ap_values import TOTAL as TOTAL  # re-exported
from tracker.feeds.ap_values import UNSPLIT as UNSPLIT  # re-exported
from tracker.feeds.ap_values import VOTE_TYPE_NAMES as VOTE_TYPE_NAMES  # re-exported
from tracker.feeds.ap_values import _fail, _str
from tracker.feeds.ap_values import expected_from_eevp as expected_from_eevp  # re-exported
from tracker.feeds.ap_values import split_vote_types as split_vote_types  # re-exported
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
        # 1970-01-01 is a placeholder (ours, for a night without a date: ap_writer), not a year.
        year = date.year if date is not None and date != dt.date(1970, 1, 1) else 0
        races.append(_Race(race, i, what, year))
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
        # One state's races (a statePostal query): the night is that state's, in its time zone.
        state=states[0] if len(states) == 1 and len(states[0]) == 2 else "",
    )
    return Snapshot(
        election=election,
        contests=tuple(contests),
        version=stamp.strip() if isinstance(stamp, str) else "",
        published_at=_timestamp(stamp),
        notes=tuple(set_aside),
    )


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
