"""North Carolina State Board of Elections results → Snapshot (registry format ``nc-sbe``).

The Board publishes two results files on election night, both re-written every few minutes as a
whole new snapshot (no version number inside):

* **``results_0.txt``** at ``https://er.ncsbe.gov/enr/{yyyymmdd}/data/results_0.txt`` (statewide
  contests; ``results_{county id}.txt`` for one county's). Despite its name its body is JSON: one
  record per candidate per contest, served as a JSON array, and by some versions of the site as
  records written one after another (``{…}{…}``) or one per line. Every value is text::

      [{"cid": "0", "cnm": "US PRESIDENT (VOTE FOR 1)", "vfr": "1", "gid": "1393", "lid": "1393",
        "bnm": "Donald J. Trump", "dtx": "", "pty": "REP", "vct": "2898423", "pct": "0.5086",
        "prt": "2658", "ptl": "2658", "evc": "642726", "ovc": "2137785", "avc": "105704",
        "pvc": "12208", "col": "EB2326", "ogl": "FED", "ref": "0"}, …]

  ``cid`` county id (0 = the state), ``cnm`` contest, ``vfr`` vote for, ``gid`` contest group id
  (the contest's id), ``bnm`` candidate (``dtx`` a decoration such as "(Write-In)"), ``pty`` party,
  ``vct`` votes, ``prt``/``ptl`` precincts reporting / in the contest, ``evc`` election day,
  ``ovc`` one-stop (early in-person), ``avc`` absentee by mail, ``pvc`` provisional, ``ref`` 1 for a
  referendum ("For"/"Against"). ``pct``, ``col``, ``ogl``, ``lid`` are not needed.
  ``reconstructed`` is ours, never the Board's (see ``RECONSTRUCTED_KEY``).

* **``results_pct_{yyyymmdd}.txt``** (in ``dl.ncsbe.gov/ENRS/{yyyy_mm_dd}/results_pct_{yyyymmdd}.zip``;
  the ZIP itself is read too — its one ``.txt``, with the limits of a Clarity zip — and the
  registry tells it from a Clarity zip by its member names): tab-separated text with a header
  row, one row per precinct, contest and choice::

      County  Election Date  Precinct  Contest Group ID  Contest Type  Contest Name  Choice
      Choice Party  Vote For  Election Day  One Stop  Absentee by Mail  Provisional  Total Votes
      Real Precinct

  (2026 files call "One Stop" "Early Voting"). ``Real Precinct`` is N for the administrative
  "precincts" (absentee, one-stop sites, provisional, transfers).

How they map:

- one Contest per ``gid`` / Contest Group ID (name and vote for from the records, ``vote_for`` from
  ``vfr`` / Vote For); candidates in the order the file lists them, their id being their name;
- vote types, named as the Board names them: "Election Day", "One Stop", "Absentee by Mail",
  "Provisional" (canonical election day, early, mail, provisional). A row whose vote types do not
  add up to its total is a feed warning, never silently fixed; the total (``vct``) becomes
  ``Contest.reported_totals``;
- ``results_0.txt``: one unit per ``cid`` (the state, or "County {cid}") with ``prt``/``ptl`` as
  its precinct counts;
- the precinct file: one precinct unit per county and precinct (``"{County}/{Precinct}"``). It
  carries no reporting status, so a precinct with election-day votes is taken as reported, one
  with only early or mail votes as partly reported, one with none as not reported. Administrative
  precincts are county-level units (they hold votes but are not precincts that report);
- each race's rule comes from the jurisdiction table's North Carolina rows
  (``jurisdiction.rule_for``): more than 30 % in a primary (N.C.G.S. § 163-111), a plurality
  otherwise. The file never names the election, so its kind is read from the file's name or
  address ("…_general_…"), else its date (North Carolina holds general elections in November
  only), else the contest names (a primary's read "US SENATE - DEM (VOTE FOR 1)");
- one odd contest never sinks a file: a contest whose records are unreadable is left out and the
  election note says which and why. A file with no readable contest is one FeedError sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import election_kind, rule_for
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
from tracker.feeds._json_checks import Odd as _Odd
from tracker.feeds._json_checks import count_text
from tracker.feeds.left_out import left_out_note

__all__ = ["VOTE_TYPES", "is_nc_member", "looks_like_nc_sbe", "parse_nc_sbe", "read_nc_zip"]

_WHAT = "NC State Board of Elections results"
#: Not the Board's: ``serve --as nc`` marks every record of a reconstructed night with it
#: (``nc_sbe_writer``), and the Election read back is labelled reconstructed.
RECONSTRUCTED_KEY = "reconstructed"
STATE_NAME = "North Carolina"
STATE_CODE = "NC"
#: The Board's vote types: (JSON key, name in the precinct file and in our snapshots).
VOTE_TYPES: tuple[tuple[str, str], ...] = (
    ("evc", "Election Day"),
    ("ovc", "One Stop"),
    ("avc", "Absentee by Mail"),
    ("pvc", "Provisional"),
)
#: Precinct-file headers of the vote types ("Early Voting" since 2026) → our names.
_TSV_TYPES = {
    "election day": "Election Day",
    "one stop": "One Stop",
    "early voting": "One Stop",
    "absentee by mail": "Absentee by Mail",
    "provisional": "Provisional",
}
_TSV_REQUIRED = ("county", "precinct", "contest group id", "contest name", "choice", "total votes")
_DATE_IN_URL = re.compile(r"(?:^|[/_])((?:19|20)[0-9]{2})[-_]?([01][0-9])[-_]?([0-3][0-9])(?:[/_.]|$)")
#: A primary's contest names end with the party whose nominee it chooses: "… - DEM (VOTE FOR 1)".
_PRIMARY_NAME = re.compile(
    r"\s-\s(?:DEM|REP|LIB|GRE|CST|JFA|NLB|DEMOCRATIC|REPUBLICAN|LIBERTARIAN|GREEN|CONSTITUTION)\b",
    re.IGNORECASE,
)


def looks_like_nc_sbe(head: bytes) -> bool:
    """Whether the first bytes of a payload are either form of the Board's results file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"[", b"{"):
        return all(re.search(rb'"' + k + rb'"\s*:', head) for k in (b"cnm", b"bnm", b"vct"))
    first = text.split(b"\n", 1)[0].lower()
    return b"\t" in first and b"contest name" in first and b"choice" in first and first.startswith(b"county")


def _count(value: Any, what: str) -> int:
    return count_text(value, what)


def _text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date_from(source: str) -> dt.date | None:
    for m in _DATE_IN_URL.finditer(source):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


# -- the JSON records (results_0.txt) -------------------------------------------------------------


def _records(text: str) -> list[Any]:
    """The records of ``results_0.txt``: a JSON array, or objects one after another."""
    stripped = text.strip()
    if stripped.startswith("["):
        doc = json.loads(stripped)
        if not isinstance(doc, list):
            raise ValueError("not a list")
        return doc
    decoder = json.JSONDecoder()
    out: list[Any] = []
    i, n = 0, len(stripped)
    while i < n:
        obj, end = decoder.raw_decode(stripped, i)
        out.append(obj)
        i = end
        while i < n and stripped[i] in " \t\r\n,":
            i += 1
    return out


class _JsonContest:
    def __init__(self, gid: str) -> None:
        self.gid = gid
        self.name = ""
        self.vote_for = 1
        self.referendum = False
        self.candidates: dict[str, Candidate] = {}
        self.reported: dict[str, int] = {}
        #: cid → (precincts reporting, precincts total, votes by candidate)
        self.units: dict[str, tuple[int | None, int | None, dict[str, dict[str, int]]]] = {}
        self.warnings: list[str] = []
        self.error: str | None = None

    def add(self, rec: dict[str, Any]) -> None:
        name = _text(rec.get("cnm"))
        if not name:
            raise _Odd("a record has no contest name")
        self.name = self.name or name
        vfr = rec.get("vfr")
        self.vote_for = max(1, _count(vfr, f"vote for of {name!r}")) if vfr not in (None, "") else 1
        self.referendum = self.referendum or _text(rec.get("ref")) == "1"
        cand, decoration = _text(rec.get("bnm")), _text(rec.get("dtx"))
        if decoration and decoration.casefold() not in cand.casefold():
            cand = f"{cand} {decoration}".strip()
        if not cand:
            raise _Odd("a record has no candidate name")
        cid = _text(rec.get("cid")) or "0"
        done = rec.get("prt")
        of = rec.get("ptl")
        done_n = _count(done, f"precincts reporting of {name!r}") if done not in (None, "") else None
        of_n = _count(of, f"precincts of {name!r}") if of not in (None, "") else None
        if done_n is not None and of_n is not None and done_n > of_n:
            raise _Odd(f"{done_n} precincts reporting of {of_n}")
        total = _count(rec.get("vct"), f"votes of {cand!r}")
        by_type: dict[str, int] = {}
        for key, vt in VOTE_TYPES:
            raw = rec.get(key)
            if raw not in (None, ""):
                by_type[vt] = _count(raw, f"{vt} votes of {cand!r}")
        if not by_type:
            by_type = {"Total": total}
        elif sum(by_type.values()) != total:
            self.warnings.append(
                f"{name}, {cand}: feed total is {total:,}, its vote types sum to {sum(by_type.values()):,}"
            )
        unit = self.units.setdefault(cid, (done_n, of_n, {}))
        if cand in unit[2]:
            raise _Odd(f"{cand!r} is listed twice")
        unit[2][cand] = by_type
        if cand not in self.candidates:
            self.candidates[cand] = Candidate(
                id=cand, name=cand, party=_text(rec.get("pty")), ballot_order=len(self.candidates) + 1
            )
        self.reported[cand] = self.reported.get(cand, 0) + total

    def build(self) -> Contest:
        units = []
        for cid, (done, of, votes) in self.units.items():
            state = cid == "0"
            has = any(any(v.values()) for v in votes.values())
            if done is not None and of:
                reporting = (
                    Reporting.COMPLETE
                    if done >= of
                    else (Reporting.PARTIAL if done or has else Reporting.NONE)
                )
            else:
                reporting = Reporting.PARTIAL if has else Reporting.NONE
            units.append(
                ReportingUnit(
                    id=STATE_NAME if state else f"county-{cid}",
                    name=STATE_NAME if state else f"County {cid}",
                    kind=UnitKind.STATE if state else UnitKind.COUNTY,
                    county=None if state else f"County {cid}",
                    reporting=reporting,
                    votes=votes,
                    precincts_reporting=done if of else None,
                    precincts_total=of or None,
                )
            )
        return _contest(
            self.gid, self.name, self.vote_for, self.candidates, units, self.reported, self.warnings
        )


def _contest(
    cid: str,
    name: str,
    vote_for: int,
    candidates: dict[str, Candidate],
    units: list[ReportingUnit],
    reported: dict[str, int] | None,
    warnings: list[str],
) -> Contest:
    types: dict[str, None] = {}
    for u in units:
        for by_type in u.votes.values():
            types.update(dict.fromkeys(by_type))
    return Contest(
        id=cid,
        name=name or f"Contest {cid}",
        candidates=tuple(candidates.values()),
        units=tuple(units),
        vote_for=vote_for,
        # A placeholder: ``_with_rules`` sets North Carolina's rule once the election's kind is known.
        threshold=ThresholdRule.majority(),
        vote_types=tuple(VoteType.from_name(t) for t in types),
        reported_totals=reported,
        feed_warnings=tuple(warnings),
    )


def _from_json(text: str) -> tuple[list[Contest], list[str], str | None]:
    try:
        records = _records(text)
    except RecursionError:
        raise FeedError(f"{_WHAT}: the document is nested too deeply") from None
    except ValueError as exc:
        raise FeedError(f"{_WHAT}: not valid JSON ({str(exc)[:120]})") from None
    builders: dict[str, _JsonContest] = {}
    reconstructed: str | None = None
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise FeedError(f"{_WHAT}: record {i + 1} is not an object")
        if reconstructed is None and RECONSTRUCTED_KEY in rec:
            reconstructed = _text(rec.get(RECONSTRUCTED_KEY)) or "reconstructed"
        gid = _text(rec.get("gid")) or _text(rec.get("cnm"))
        if not gid:
            raise FeedError(f"{_WHAT}: record {i + 1} names no contest")
        b = builders.setdefault(gid, _JsonContest(gid))
        if b.error is None:
            try:
                b.add(rec)
            except _Odd as exc:
                b.error = str(exc)
    contests, left_out = [], []
    for b in builders.values():
        if b.error is not None or not b.candidates:
            left_out.append(f"{b.name or b.gid}: {b.error or 'no candidates'}")
        else:
            contests.append(b.build())
    return contests, left_out, reconstructed


# -- the tab-separated precinct file ---------------------------------------------------------------


def _tsv_rows(text: str) -> tuple[dict[str, int], Iterator[list[str]]]:
    lines = text.splitlines()
    if not lines:
        raise FeedError(f"{_WHAT}: the file is empty")
    header = [h.strip().lower() for h in lines[0].lstrip("\ufeff").split("\t")]
    cols = {h: i for i, h in enumerate(header)}
    missing = [h for h in _TSV_REQUIRED if h not in cols]
    if missing:
        raise FeedError(f"{_WHAT}: the header has no column {missing[0]!r}")
    return cols, (line.split("\t") for line in lines[1:] if line.strip())


def _from_tsv(text: str) -> tuple[list[Contest], list[str], dt.date | None]:
    cols, rows = _tsv_rows(text)
    type_cols = [(cols[h], name) for h, name in _TSV_TYPES.items() if h in cols]

    def cell(row: list[str], name: str) -> str:
        i = cols.get(name)
        return " ".join(row[i].split()) if i is not None and i < len(row) else ""

    date: dt.date | None = None
    contests: dict[str, dict[str, Any]] = {}
    #: precinct key → (has election-day votes, has any votes), over every contest
    seen: dict[tuple[str, str], list[bool]] = {}
    for n, row in enumerate(rows, start=2):
        gid, cname = cell(row, "contest group id"), cell(row, "contest name")
        key = f"{gid}|{cname}"
        c = contests.setdefault(
            key,
            {
                "gid": gid or cname,
                "name": cname,
                "vote_for": 1,
                "cands": {},
                "units": {},
                "warn": [],
                "err": None,
            },
        )
        if c["err"] is not None:
            continue
        try:
            if date is None and cell(row, "election date"):
                try:
                    date = dt.datetime.strptime(cell(row, "election date"), "%m/%d/%Y").date()
                except ValueError:
                    date = None
            county, precinct, choice = cell(row, "county"), cell(row, "precinct"), cell(row, "choice")
            if not county or not precinct or not choice:
                raise _Odd(f"line {n} has no county, precinct or choice")
            if cell(row, "vote for"):
                c["vote_for"] = max(1, _count(cell(row, "vote for"), f"vote for on line {n}"))
            total = _count(cell(row, "total votes"), f"total votes on line {n}")
            by_type = {
                name: _count(row[i].strip() if i < len(row) else "", f"{name} on line {n}")
                for i, name in type_cols
            }
            if not by_type:
                by_type = {"Total": total}
            elif sum(by_type.values()) != total:
                c["warn"].append(
                    f"{cname}, {county} {precinct}, {choice}: feed total is {total:,}, "
                    f"its vote types sum to {sum(by_type.values()):,}"
                )
            real = cell(row, "real precinct").upper() != "N"
            unit = c["units"].setdefault((county, precinct), {"real": real, "votes": {}})
            if choice in unit["votes"]:
                raise _Odd(f"{choice!r} is listed twice for precinct {precinct} of {county}")
            unit["votes"][choice] = by_type
            if choice not in c["cands"]:
                c["cands"][choice] = Candidate(
                    id=choice, name=choice, party=cell(row, "choice party"), ballot_order=len(c["cands"]) + 1
                )
            flags = seen.setdefault((county, precinct), [False, False])
            flags[0] = flags[0] or by_type.get("Election Day", 0) > 0
            flags[1] = flags[1] or total > 0
        except _Odd as exc:
            c["err"] = str(exc)
    ids: dict[str, int] = {}
    for c in contests.values():
        ids[c["gid"]] = ids.get(c["gid"], 0) + 1
    out, left_out = [], []
    for c in contests.values():
        if c["err"] is not None:
            left_out.append(f"{c['name'] or c['gid']}: {c['err']}")
            continue
        units = []
        for (county, precinct), u in c["units"].items():
            ed, has = seen.get((county, precinct), [False, False])
            if not u["real"]:
                kind, reporting = UnitKind.COUNTY, (Reporting.PARTIAL if has else Reporting.NONE)
            else:
                kind = UnitKind.PRECINCT
                reporting = Reporting.COMPLETE if ed else (Reporting.PARTIAL if has else Reporting.NONE)
            units.append(
                ReportingUnit(
                    id=f"{county}/{precinct}",
                    name=precinct,
                    kind=kind,
                    county=county,
                    reporting=reporting,
                    votes=u["votes"],
                )
            )
        cid = c["gid"] if ids[c["gid"]] == 1 else f"{c['gid']} {c['name']}"
        out.append(_contest(cid, c["name"], c["vote_for"], c["cands"], units, None, c["warn"]))
    return out, left_out, date


# -- entry point ---------------------------------------------------------------------------------


def election_kind_of(source: str, date: dt.date | None, contests: Iterable[Contest]) -> str:
    """The kind of election a Board file is from (``jurisdiction.ELECTION_KINDS``), which the file
    itself never says: its name or address first ("…_general_…", "…primary…"), else its date
    (North Carolina's general elections are always in November, its primaries never are), else
    its contest names (a primary's end with the party: "US SENATE - DEM (VOTE FOR 1)")."""
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    kind = election_kind(name.replace("_", " "))
    if kind != "any":
        return kind
    if date is not None and date.month == 11:
        return "general"
    if any(_PRIMARY_NAME.search(c.name) for c in contests):
        return "primary"
    return "any"


def _with_rules(contests: list[Contest], source: str, date: dt.date | None) -> list[Contest]:
    """Each contest with North Carolina's rule for it: without this every general-election race
    drew a 50 % line and sent its top two to a runoff North Carolina does not hold."""
    kind = election_kind_of(source, date, contests)
    return [
        replace(
            c,
            threshold=rule_for(
                STATE_CODE,
                kind,
                c.name,
                vote_for=c.vote_for,
                choices=[cand.name for cand in c.candidates],
            ),
        )
        for c in contests
    ]


def is_nc_member(name: str) -> bool:
    """A member of the Board's precinct ZIP: its one tab-separated ``.txt`` (compared, never a path)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].casefold().endswith(".txt")


def read_nc_zip(data: bytes) -> bytes:
    """The one ``.txt`` inside ``results_pct_{yyyymmdd}.zip``, read in memory with the same limits
    as a Clarity zip (bounded inflation, exactly one member, hostile entries refused)."""
    from tracker.feeds.clarity_zip import read_one_member

    return read_one_member(
        data, is_member=is_nc_member, archive="North Carolina's results ZIP", member="results .txt file"
    )


def parse_nc_sbe(data: bytes, *, source: str = "") -> Snapshot:
    """Parse either form of the Board's results file (see the module docstring); FeedError, with
    one sentence, when nothing in it can be read."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"{_WHAT} must be bytes, not {type(data).__name__}")
    if data.startswith(b"PK"):  # results_pct_{date}.zip, as dl.ncsbe.gov serves it
        data = read_nc_zip(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(f"{_WHAT}: not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None
    stripped = text.lstrip()
    date = _date_from(source)
    reconstructed: str | None = None
    if stripped.startswith(("[", "{")):
        contests, left_out, reconstructed = _from_json(text)
    else:
        contests, left_out, file_date = _from_tsv(text)
        date = file_date or date
    if not contests:
        why = f": {left_out[0]}" if left_out else ""
        raise FeedError(f"{_WHAT}: no contest could be read{why}")
    contests = _with_rules(contests, source, date)
    left = left_out_note(left_out)
    if left:  # every race says a contest of the file is missing (the race view shows it)
        contests = [replace(c, feed_warnings=(*c.feed_warnings, left)) for c in contests]
    election = Election(
        id=f"nc-sbe-{date.isoformat()}" if date else "nc-sbe",
        name=f"{STATE_NAME}, {date:%-d %B %Y}" if date else f"{STATE_NAME} election",
        date=date,
        source=source,
        reconstructed=reconstructed is not None,
        note="; ".join(filter(None, (reconstructed, left))),
        state="NC",  # the State Board's own file
    )
    return Snapshot(election=election, contests=tuple(contests))
