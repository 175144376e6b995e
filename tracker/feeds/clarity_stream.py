"""The streaming reader of Clarity detail XML: the file's header and turnout, each contest handed on.

One pass of lxml's ``iterparse`` over the root's children, each cleared and dropped once read, so
the document's tree never exists whole (a 37 MB statewide file used to peak at ~520 MB) and the
GIL is let go between chunks. The header (Timestamp, ElectionName, ElectionDate, Region) and the
turnout sections are kept here; each Contest element goes to the caller's contest reader
(``tracker.feeds.clarity``), which this module does not know.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from lxml import etree

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import election_kind, rule_for, state_from
from tracker.core.model import Contest
from tracker.core.pause_points import pause_point
from tracker.core.threshold import ThresholdRule
from tracker.feeds.clarity_checks import RuleOf, _optional_count, _Skipped


class _Turnout:
    """The file-level turnout section, keyed by the raw unit name."""

    __slots__ = ("level", "units")

    def __init__(self) -> None:
        self.level: str | None = None  # "Precinct" or "County"
        #: raw name -> (registered or None, ballots cast or None, percentReporting code,
        #:              precincts reported, precincts participating)
        self.units: dict[str, tuple[int | None, int | None, str | None, int | None, int | None]] = {}


def _read_turnout(section: etree._Element, turnout: _Turnout) -> None:
    for group in section:
        for unit in group:
            tag = unit.tag
            if tag not in ("Precinct", "County"):
                continue
            turnout.level = turnout.level or tag
            name = unit.get("name")
            if name is None:
                raise FeedError(f"Clarity detail XML: a {tag} in {section.tag} has no name")
            where = f"{tag} {name.strip()!r} in {section.tag}"
            registered = _optional_count(unit, "totalVoters", where)
            ballots = _optional_count(unit, "ballotsCast", where)
            turnout.units[name] = (
                registered or None,
                ballots or None,
                unit.get("percentReporting"),
                _optional_count(unit, "precinctsReported", where),
                _optional_count(unit, "precinctsParticipating", where),
            )


#: The root's children we read; a Contest is parsed and freed as soon as its end tag is read.
_TOP_TAGS = (
    "Contest",
    "Timestamp",
    "ElectionName",
    "ElectionDate",
    "Region",
    "VoterTurnout",
    "ElectionVoterTurnout",
)
#: The ones a contest is read with: seen after a contest, they send the parse down the slow path.
_CONTEST_CONTEXT = ("Region", "VoterTurnout", "ElectionVoterTurnout")
#: Reported too, and passed over, only so that the parse returns to Python (and reaches a pause
#: point) between a big contest's choices: libxml2 read the biggest statewide contests (~13,000
#: elements) in one call of 10–30 ms that kept a window from the interpreter (issue 21).
_STEP_TAGS = ("Choice",)


class _Header:
    """The file-level elements: the last of each wins, the turnout sections add up."""

    __slots__ = ("election_name", "raw_date", "region", "timestamp", "turnout")

    def __init__(self) -> None:
        self.timestamp: str | None = None
        self.election_name = ""
        self.raw_date = ""
        self.region = ""
        self.turnout = _Turnout()


class _LateHeader(Exception):
    """A Region or turnout section came after a contest that was read without it."""


def _check_root(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FeedError(
            "refusing XML with a DTD: Clarity detail XML never has one, and a DTD can smuggle entities"
        )
    if root.tag != "ElectionResult":
        raise FeedError(f"not Clarity detail XML: the root element is <{root.tag}>, not <ElectionResult>")


def _rule_maker(header: _Header, source: str) -> RuleOf:
    """The contest-rule lookup for this file: its state (from the Region or the source address)
    and its kind of election (from its name), read from the header that precedes the contests."""
    state = state_from(header.region, source)
    kind = election_kind(header.election_name)

    def rule_of(name: str, vote_for: int, choices: list[str], question: bool | None = None) -> ThresholdRule:
        return rule_for(state, kind, name, vote_for=vote_for, choices=choices, measure=question)

    return rule_of


#: Reads one Contest element with the file's Region, turnout and rule lookup (``tracker.feeds.clarity``).
ContestReader = Callable[[etree._Element, str, _Turnout, RuleOf | None], Contest]


def _stream(
    data: bytes | str,
    contest_of: ContestReader,
    *,
    preset: _Header | None = None,
    header_only: bool = False,
    source: str = "",
) -> tuple[_Header, list[Contest], list[str], list[str]]:
    """One streaming pass (lxml's ``iterparse`` idiom: each of the root's children is read when its
    end tag is, then cleared and dropped with its preceding siblings), so the document's tree never
    exists whole: a 37 MB file peaks at a few contests' worth of tree instead of ~10× its size, and
    the GIL is let go between chunks (a parse on a worker thread does not freeze the window).

    ``contest_of`` reads each Contest element; its ``_Skipped`` sets the contest aside into the
    notes, its FeedError leaves the contest out (the others still open).

    ``preset``: the header, already read (the slow path for a file whose Region or turnout comes
    after a contest); its Region and turnout elements are then skipped. ``header_only``: read the
    header, skip the contests.

    Hardened: no entity expansion (XXE, billion laughs), no network, no external DTD, libxml2's
    default size/depth limits (``huge_tree=False``); comments and processing instructions dropped
    so child iteration sees elements only. A new parser per call (lxml parsers must not be shared
    between threads)."""
    header = preset or _Header()
    contests: list[Contest] = []
    notes: list[str] = []  # pseudo-contests set aside (issue 16), one sentence each
    left_out: list[str] = []  # contests whose rows cannot be read, one sentence each
    rule_of: RuleOf | None = None
    events = etree.iterparse(
        io.BytesIO(data) if isinstance(data, bytes) else data,  # bytes, or a file's path
        events=("end",),
        tag=(*_TOP_TAGS, *_STEP_TAGS),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    root: etree._Element | None = None
    while True:
        try:
            _event, el = next(events)
        except StopIteration:
            break
        except (etree.XMLSyntaxError, ValueError) as exc:
            # lxml's messages span lines ("...out of allowed range\n, line 3"); ours are one line.
            reason = " ".join(str(exc).split())
            raise FeedError(f"not well-formed XML (truncated or not Clarity detail XML): {reason}") from None
        parent = el.getparent()
        if root is None:
            root = el.getroottree().getroot()
            _check_root(root)
        if parent is not root or el.tag in _STEP_TAGS:
            pause_point()  # a contest's choice, or a nested element: not the root's child, not ours
            continue
        tag = el.tag
        if tag == "Contest":
            if not header_only:
                if rule_of is None:
                    rule_of = _rule_maker(header, source)
                try:
                    contests.append(contest_of(el, header.region, header.turnout, rule_of))
                except _Skipped as skipped:
                    notes.append(str(skipped))
                except FeedError as exc:  # this contest's rows: the others still open
                    left_out.append(str(exc).removeprefix("Clarity detail XML: "))
        elif tag in _CONTEST_CONTEXT and preset is not None:
            pass
        elif tag in _CONTEST_CONTEXT and contests:
            raise _LateHeader
        elif tag == "Timestamp":
            header.timestamp = (el.text or "").strip()
        elif tag == "ElectionName":
            header.election_name = " ".join((el.text or "").split())
        elif tag == "ElectionDate":
            header.raw_date = (el.text or "").strip()
        elif tag == "Region":
            header.region = " ".join((el.text or "").split())
        else:
            _read_turnout(el, header.turnout)
        el.clear()
        while el.getprevious() is not None:
            del root[0]
        pause_point()  # a statewide file is seconds of this: the window may run (issue 21)
    if root is None:
        root = events.root
        if root is None:
            raise FeedError("not Clarity detail XML: the document is empty")
        _check_root(root)
    return header, contests, notes, left_out
