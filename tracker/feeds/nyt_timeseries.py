"""The NYT/Edison precinct timeseries CSV → one Snapshot per timestamp (format ``nyt-timeseries-csv``).

An archive of the New York Times' 2020 results pages (``{ST}_precincts_timeseries_2020.csv``, plain
or gzipped; its README is ``nights/nc-2020-president/SOURCE_README.md`` in the shared data) holds a
whole night in one file: a row per unit, vote type and timestamp::

    state,county,precinct,fips,timestamp,vote_type,votes,votes_biden,votes_trump,votes_jorgensen,votes_other,derived,margin
    NC,Alamance,01,37001,2020-11-04T01:20:19.239,absentee,412,250,155,4,3,False,-0.2

How it maps (the importer writes one version per timestamp, at that UTC time, in time order):

- candidates are the ``votes_<name>`` columns, whatever they are; the 2020 names the source uses
  get their full name and party, ``other`` is "Other candidates", an unknown name is shown as
  written. ``votes`` (the row's total) is not needed;
- vote types: ``absentee`` → "Absentee" (mail), ``early`` → "Early", ``electionday`` → "Election
  Day", ``provisional`` → "Provisional"; another name is kept as written. ``total`` rows are the
  sum of the others and are not counted again;
- the source writes 0 (or NaN) for a cell nobody reported, so a 0 is "not reported": a vote type
  without votes is left out of the unit, and there are no completeness flags, so a unit with
  votes is partial, never complete (``tracker.feeds.flagless``);
- units: ``precinct`` ``COUNTY`` rows are a county's sum and ``STATE`` rows the state's. The
  night is counted by precinct (id ``county/precinct/fips``, with its county) when the precinct
  rows add up to the state row at the last timestamp (to the county rows where a file has no
  state row), else by county: the README warns that only GA and NC are complete, and a night by
  precinct with precincts missing would count short all night. Which level, and why, is one
  sentence (``Timeseries.level_note``, also in the election's note). County names lose the source's
  '-' for spaces ("New-Hanover" → "New Hanover"); precinct names are kept as written;
- a unit that has no rows at a timestamp is not in that version (as the source has it);
- the contest is President of the United States; the state code picks its rule from the
  jurisdiction table, and the election date is the presidential election day of the file's
  year (from its name, else its first timestamp).

The file is streamed from disk (csv module, rows grouped by timestamp into flat integer arrays,
4 bytes a number), never held as text or as Python objects per row: North Carolina's 986,000 rows
(77 MB of text) fit in ~20 MB. A malformed row is one FeedError sentence naming its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import re
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import rule_for
from tracker.core.model import Candidate, Contest, Election, ReportingUnit, Snapshot, UnitKind, VoteType
from tracker.feeds.flagless import flagless_unit

FORMAT = "nyt-timeseries-csv"
REQUIRED = ("state", "county", "precinct", "timestamp", "vote_type")
#: The source's vote types → the names the night shows (canonical mail, early, election day,
#: provisional); "total" is their sum.
VOTE_TYPES = {
    "absentee": "Absentee",
    "early": "Early",
    "electionday": "Election Day",
    "provisional": "Provisional",
}
TOTAL = "total"
#: ``votes_<name>`` → (full name, party) for the names the 2020 files use.
KNOWN_CANDIDATES = {
    "biden": ("Joe Biden", "DEM"),
    "trump": ("Donald Trump", "REP"),
    "jorgensen": ("Jo Jorgensen", "LIB"),
    "hawkins": ("Howie Hawkins", "GRN"),
    "other": ("Other candidates", ""),
}
OFFICE = "President of the United States"
#: More rows than any state's file has by far (NC: 986,000): a file past it is refused, not read
#: into memory without end (a small gzip can inflate to gigabytes).
MAX_ROWS = 20_000_000
#: More votes than any unit has (a whole state's are below it).
MAX_VOTES = 10**9
_STATE, _COUNTY = "STATE", "COUNTY"
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
    except zlib.error:
        return b""


def looks_like_nyt_timeseries(head: bytes) -> bool:
    """Whether the first bytes (plain or gzipped) are the timeseries' header row."""
    if head[:2] == b"\x1f\x8b":
        head = _gunzip_head(head)
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().lower()
    columns = {c.strip() for c in first.split(b",")}
    return all(c.encode() in columns for c in REQUIRED) and any(c.startswith(b"votes_") for c in columns)


def presidential_election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday of November (3 U.S.C. § 1)."""
    first = dt.date(year, 11, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


def _candidate(cid: str, order: int) -> Candidate:
    name, party = KNOWN_CANDIDATES.get(cid, (cid.replace("_", " ").title(), ""))
    return Candidate(cid, name, party, order)


def _county_name(raw: str) -> str:
    return " ".join(raw.replace("-", " ").split())  # the source wrote spaces as '-': "New-Hanover"


@dataclass
class Timeseries:
    """A whole night read from one file; ``snapshots()`` makes its versions one at a time."""

    source: str
    state: str
    year: int
    #: Timestamps as written, in time order, and as UTC times.
    stamps: list[str]
    times: list[dt.datetime]
    candidates: tuple[Candidate, ...]
    vote_types: tuple[str, ...]
    #: "precinct" or "county", and the sentence that says why.
    level: str
    level_note: str
    #: (kind, county, precinct, fips) of every unit, by index.
    _units: list[tuple[str, str, str, str]] = field(repr=False)
    #: timestamp → flat rows [unit, vote type, votes per candidate...].
    _rows: dict[str, array] = field(repr=False)

    @property
    def election(self) -> Election:
        day = presidential_election_day(self.year)
        return Election(
            id=f"{self.state.lower()}-{day.isoformat()}-president",
            name=f"{self.state} presidential general, {day.day} {day:%b %Y}",
            date=day,
            source=f"NYT/Edison results timeseries ({self.source})" if self.source else "NYT/Edison results",
            note=(
                f"converted from a results timeseries; unofficial; {self.level_note} "
                "No completeness flags in the source: no unit is ever complete."
            ),
        )

    def _order(self) -> list[int]:
        want = _COUNTY if self.level == "county" else ""
        keep = [
            i
            for i, (kind, _, _, _) in enumerate(self._units)
            if (kind == want if want else kind not in (_STATE, _COUNTY))
        ]
        return sorted(keep, key=lambda i: self._units[i][1:])

    def snapshots(self, start: int = 0) -> Iterator[Snapshot]:
        """One Snapshot per timestamp from the ``start``-th, in time order, each made only when
        asked for (a night by precinct has thousands of units per version)."""
        order = self._order()
        wanted = set(order)
        names = [VoteType.from_name(n) for n in self.vote_types]
        rule = rule_for(self.state, "general", OFFICE, choices=[c.name for c in self.candidates])
        election = self.election
        width = 2 + len(self.candidates)
        cids = [c.id for c in self.candidates]
        # A unit whose rows did not change since the last timestamp (most of them, most of the
        # night) is the same object again: built once, not once per version.
        made: dict[int, tuple[tuple[int, ...], ReportingUnit]] = {}
        for stamp, when in zip(self.stamps[start:], self.times[start:], strict=True):
            flat = self._rows[stamp].tolist()
            cells: dict[int, list[int]] = {}
            for k in range(0, len(flat), width):
                u = flat[k]
                if u in wanted:
                    cells.setdefault(u, []).extend(flat[k + 1 : k + width])
            units = []
            for u in order:
                raw = cells.get(u)
                if raw is None:
                    continue  # no rows for this unit at this time
                key = tuple(raw)
                before = made.get(u)
                if before is not None and before[0] == key:
                    units.append(before[1])
                    continue
                by_type = {raw[k]: raw[k + 1 : k + width - 1] for k in range(0, len(raw), width - 1)}
                votes = {
                    cid: {self.vote_types[v]: by_type[v][j] for v in sorted(by_type)}
                    for j, cid in enumerate(cids)
                }
                kind, county, precinct, fips = self._units[u]
                cname = _county_name(county)
                if kind == _COUNTY:
                    unit = flagless_unit(cname, cname, UnitKind.COUNTY, cname, votes)
                else:
                    unit = flagless_unit(
                        f"{county}/{precinct}/{fips}", precinct, UnitKind.PRECINCT, cname, votes
                    )
                made[u] = (key, unit)
                units.append(unit)
            contest = Contest(
                id=f"{self.state.lower()}-president",
                name=OFFICE,
                candidates=self.candidates,
                units=tuple(units),
                threshold=rule,
                vote_types=tuple(names),
            )
            yield Snapshot(
                election=election,
                contests=(contest,),
                version=stamp,
                published_at=when,
            )


def _open_text(data: bytes | BinaryIO) -> io.TextIOWrapper:
    raw: BinaryIO = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    start = raw.tell()
    magic = raw.read(2)
    raw.seek(start)
    if magic == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _number(text: str, line: int, column: str) -> int:
    try:
        value = int(text)
    except ValueError:
        if text in ("", "nan", "NaN", "NA"):
            return 0  # not reported (the source's NaN)
        try:
            number = float(text)
        except ValueError:
            raise FeedError(f"line {line}: {text[:40]!r} in {column} is not a number of votes") from None
        if not math.isfinite(number) or number != int(number):
            raise FeedError(
                f"line {line}: {text[:40]!r} in {column} is not a whole number of votes"
            ) from None
        value = int(number)
    if not 0 <= value <= MAX_VOTES:
        raise FeedError(f"line {line}: {value} in {column} is not a possible number of votes")
    return value


def _time(text: str, line: int) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise FeedError(
            f"line {line}: {text[:40]!r} is not a timestamp (e.g. 2020-11-04T01:20:19.239)"
        ) from None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def read_timeseries(data: bytes | BinaryIO, *, source: str = "", level: str | None = None) -> Timeseries:
    """Read a whole timeseries file (its bytes, or a binary file open at its start; plain or
    gzipped). FeedError, one sentence naming
    the line, for anything malformed; nothing partial is returned. ``level`` "precinct" or
    "county" counts at that level whatever the rows add up to (None: chosen as above)."""
    if level not in (None, "precinct", "county"):
        raise ValueError(f"level must be 'precinct' or 'county', not {level!r}")
    where = Path(source).name if source else "the timeseries"
    try:
        return _read(data, source, level)
    except FeedError as exc:
        raise FeedError(f"{where}, {exc}" if str(exc).startswith("line ") else f"{where}: {exc}") from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise FeedError(f"{where} is a damaged or cut-short gzip file") from None
    except UnicodeDecodeError:
        raise FeedError(f"{where} is not UTF-8 text") from None
    except csv.Error as exc:
        raise FeedError(f"{where} is not a readable CSV file ({exc})") from None


def _read(data: bytes | BinaryIO, source: str, want: str | None) -> Timeseries:
    text = _open_text(data)
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise FeedError("the file is empty")
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FeedError(
            f"the header row lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    cand_cols = [(i, c.removeprefix("votes_")) for i, c in enumerate(columns) if c.startswith("votes_")]
    if not cand_cols:
        raise FeedError("the header row names no candidate (no votes_<name> column)")
    i_state, i_county, i_precinct, i_time, i_vt = (columns.index(c) for c in REQUIRED)
    i_fips = columns.index("fips") if "fips" in columns else -1
    width = len(columns)
    names = [c for _, c in cand_cols]
    cand_ix = [i for i, _ in cand_cols]
    vt_index: dict[str, int] = {}
    vt_names: list[str] = []
    units: dict[tuple[str, str, str], int] = {}
    unit_list: list[tuple[str, str, str, str]] = []
    rows: dict[str, array] = {}
    stamps: dict[str, dt.datetime] = {}
    states: set[str] = set()
    count = 0
    for fields in reader:
        line = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != width:
            raise FeedError(f"line {line} has {len(fields)} columns where the header has {width}")
        count += 1
        if count > MAX_ROWS:
            raise FeedError(f"the file has more than {MAX_ROWS:,} rows; no state's night has that many")
        vt = fields[i_vt].strip().lower()
        if vt == TOTAL:
            continue  # the sum of the others: keeping it would count every vote twice
        if not vt:
            raise FeedError(f"line {line} has no vote type")
        v = vt_index.get(vt)
        if v is None:
            v = vt_index[vt] = len(vt_names)
            vt_names.append(VOTE_TYPES.get(vt, fields[i_vt].strip()))
        state = fields[i_state].strip().upper()
        if state not in states:
            states.add(state)
            if len(states) > 1:
                raise FeedError(
                    f"line {line}: the file holds more than one state ({', '.join(sorted(states))})"
                )
        county, precinct = fields[i_county].strip(), fields[i_precinct].strip()
        fips = fields[i_fips].strip() if i_fips >= 0 else ""
        if not county or not precinct:
            raise FeedError(f"line {line} has no {'county' if not county else 'precinct'}")
        key = (county, precinct, fips)
        u = units.get(key)
        if u is None:
            kind = _STATE if precinct == _STATE else _COUNTY if precinct == _COUNTY else ""
            u = units[key] = len(unit_list)
            unit_list.append((kind, county, precinct, fips))
        stamp = fields[i_time]
        flat = rows.get(stamp)
        if flat is None:
            stamps[stamp] = _time(stamp, line)
            flat = rows[stamp] = array("i")  # MAX_VOTES fits in 32 bits
        try:
            vals = [int(fields[i]) for i in cand_ix]  # the common case: plain counts
        except ValueError:
            vals = [_number(fields[i], line, columns[i]) for i in cand_ix]
        if min(vals) < 0 or max(vals) > MAX_VOTES:
            bad = next(n for n in vals if not 0 <= n <= MAX_VOTES)
            raise FeedError(f"line {line}: {str(bad)[:20]} is not a possible number of votes")
        flat.append(u)
        flat.append(v)
        flat.extend(vals)
    if not rows:
        raise FeedError("the file has no rows of votes")
    order = sorted(stamps, key=lambda s: stamps[s])
    candidates = tuple(_candidate(c, j) for j, c in enumerate(names))
    level, note = _choose_level(unit_list, rows[order[-1]], len(names))
    if want is not None and want != level:
        if not any(kind == ("" if want == "precinct" else _COUNTY) for kind, *_ in unit_list):
            raise FeedError(f"the file has no {want} rows to count")
        level, note = want, f"Counted by {want}, as asked; the rows alone would have chosen {level}s."
    known = [n for n in VOTE_TYPES.values() if n in vt_names]
    # vote types shown in the usual order (mail, early, election day, provisional), others after
    rank = {n: i for i, n in enumerate(known + [n for n in vt_names if n not in known])}
    remap = {v: rank[n] for v, n in enumerate(vt_names)}
    if any(v != r for v, r in remap.items()):
        for flat in rows.values():
            for k in range(1, len(flat), 2 + len(names)):
                flat[k] = remap[flat[k]]
    return Timeseries(
        source=source,
        state=states.pop(),
        year=_year(source, stamps[order[0]]),
        stamps=order,
        times=[stamps[s] for s in order],
        candidates=candidates,
        vote_types=tuple(sorted(rank, key=rank.__getitem__)),
        level=level,
        level_note=note,
        _units=unit_list,
        _rows=rows,
    )


def _year(source: str, first: dt.datetime) -> int:
    m = _YEAR.search(Path(source).name) if source else None
    return int(m.group(1)) if m else first.year


def _choose_level(units: list[tuple[str, str, str, str]], last: array, ncand: int) -> tuple[str, str]:
    """Precincts when they add up to the state row (else the county rows) at the last timestamp,
    else counties; the sentence that says which and why."""
    width = 2 + ncand
    sums = {"": [0] * ncand, _COUNTY: [0] * ncand, _STATE: [0] * ncand}
    seen = {"": False, _COUNTY: False, _STATE: False}
    flat = last.tolist()
    for k in range(0, len(flat), width):
        kind = units[flat[k]][0]
        seen[kind] = True
        acc = sums[kind]
        for j in range(ncand):
            acc[j] += flat[k + 2 + j]
    has_precincts = any(kind == "" for kind, *_ in units)
    has_counties = any(kind == _COUNTY for kind, *_ in units)
    if not has_precincts and not has_counties:
        raise FeedError("the file has neither precinct nor county rows, only the state's")
    if not has_precincts:
        return "county", "Counted by county: the file has no precinct rows."
    ref_kind = _STATE if seen[_STATE] else _COUNTY if seen[_COUNTY] else None
    if ref_kind is None:
        return "precinct", (
            "Counted by precinct: the file has no county or state rows to check the precincts against."
        )
    precincts, ref = sum(sums[""]), sum(sums[ref_kind])
    what = "the state row" if ref_kind == _STATE else "the county rows"
    if sums[""] == sums[ref_kind]:
        return "precinct", (
            f"Counted by precinct: the precinct rows add up to {what} at the last timestamp "
            f"({ref:,} votes), so the {'county and state' if seen[_STATE] else 'county'} rows, their sums, "
            "are not counted again."
        )
    if not has_counties:
        return "precinct", (
            f"Counted by precinct, though the precinct rows add up to {precincts:,} votes at the last "
            f"timestamp, not {what}'s {ref:,}: the file has no county rows to count instead."
        )
    return "county", (
        f"Counted by county: the precinct rows add up to {precincts:,} votes at the last timestamp, "
        f"not {what}'s {ref:,} (the file misses precincts), so the county rows are used."
    )


def parse_nyt_timeseries(data: bytes, *, source: str = "") -> Snapshot:
    """The file's last version (for ``parse``; ``import`` makes a night of every version)."""
    series = read_timeseries(data, source=source)
    return next(series.snapshots(start=len(series.stamps) - 1))
