"""A poller's per-precinct totals CSV → Snapshot (format ``precinct-totals-csv``).

Pollers of county results sites often save each poll as a small CSV, one row per precinct with
one total per party, the feed already reduced (the Allegheny County 2022 files in the shared
data, ``nights/allegheny-2022/``)::

    precinct_name,dem_total,rep_total,wi_total,precinct_total,dem_pct,rep_pct,wi_pct
    Aspinwall Dist 1,423,188,0,611,69.2,30.8,0.0

One file is one version of one contest; the file name is its time (the importer reads
``2022-11-08T21-09-22-05-00.csv``). How it maps:

- candidates are the ``<party>_total`` columns (``precinct_total``, their sum, is not one):
  ``dem`` "Democrat", ``rep`` "Republican", ``wi`` "Write-in", a few other party codes by name,
  anything else as written; the ``_pct`` columns are not needed;
- the file names no contest: the contest is named after the folder the file is in (``SD38``),
  and the importer's label for the night says the name was taken from the folder;
- one vote type, "Total" (the poller kept no vote types); no completeness flags, so a precinct
  with votes is partial and never complete, one without is not reported
  (``tracker.feeds.flagless``); the county is the ``county`` column where a file has one;
- no date, no time, no state: the rule is the jurisdiction table's default unless the path names
  a state.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath

from tracker.core.errors import FeedError
from tracker.core.jurisdiction import rule_for, state_from, unique_counties
from tracker.core.model import Candidate, Contest, Election, Snapshot, UnitKind, VoteType
from tracker.feeds.flagless import flagless_unit

FORMAT = "precinct-totals-csv"
PRECINCT = "precinct_name"
SUM = "precinct_total"
TOTAL = "Total"
#: ``<code>_total`` → (name, party).
PARTIES = {
    "dem": ("Democrat", "DEM"),
    "rep": ("Republican", "REP"),
    "wi": ("Write-in", ""),
    "lib": ("Libertarian", "LIB"),
    "grn": ("Green", "GRN"),
    "ind": ("Independent", "IND"),
}
#: A county's precincts number in the thousands at most.
MAX_ROWS = 100_000


def looks_like_precinct_totals(head: bytes) -> bool:
    """Whether the first line is such a header: ``precinct_name`` first, a ``<party>_total``."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().lower()
    columns = [c.strip() for c in first.split(b",")]
    return (
        bool(columns)
        and columns[0] == PRECINCT.encode()
        and any(c.endswith(b"_total") and c != SUM.encode() for c in columns)
    )


def contest_name_from(source: str) -> str:
    """The folder a file is in, from its path as given (``SD38/2022-11-08T20-04-04-05-00.csv``);
    "" when the path names no folder."""
    parent = PurePath(source.replace("\\", "/")).parent.name if source else ""
    return " ".join(parent.split())


_YEAR_SUFFIX = re.compile(r"[\s_.-]*(?:19|20)\d\d$")
_COUNTY_WORD = re.compile(r"\s+(county|parish|borough)$", re.I)


def county_from(source: str) -> tuple[str, str]:
    """(county, state) from the folder above the contest's (``allegheny-2022/SD38/…csv``): a
    poller of one county's site keeps its races under the county's name. Only a county name
    that one state alone has counts (the jurisdiction table's list); ("", "") otherwise. Why it
    matters: the expected vote pools a county's precincts, and without a county every precinct
    stands alone."""
    parts = PurePath(source.replace("\\", "/")).parts if source else ()
    if len(parts) < 3:
        return "", ""
    words = " ".join(_YEAR_SUFFIX.sub("", parts[-3]).replace("_", " ").replace("-", " ").split())
    words = _COUNTY_WORD.sub("", words)
    state = unique_counties().get(words.casefold(), "") if words else ""
    return (words.title(), state) if state else ("", "")


def _votes(text: str, line: int, column: str) -> int:
    text = text.strip()
    if text in ("", "NaN", "nan"):
        return 0
    try:
        value = int(text)
    except ValueError:
        raise FeedError(f"line {line}: {text[:40]!r} in {column} is not a number of votes") from None
    if value < 0 or value > 10**8:
        raise FeedError(f"line {line}: {value} in {column} is not a possible number of votes")
    return value


def parse_precinct_totals_csv(data: bytes, *, source: str = "") -> Snapshot:
    """One Snapshot of one contest; FeedError, one sentence naming the line, when malformed."""
    where = PurePath(source).name if source else "the precinct totals file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError(f"{where} is not UTF-8 text") from None
    try:
        return _parse(text, source)
    except FeedError as exc:
        raise FeedError(f"{where}, {exc}" if str(exc).startswith("line ") else f"{where}: {exc}") from None
    except csv.Error as exc:
        raise FeedError(f"{where} is not a readable CSV file ({exc})") from None


def _parse(text: str, source: str) -> Snapshot:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise FeedError("the file is empty")
    columns = [h.strip().lower() for h in header]
    if not columns or columns[0] != PRECINCT:
        raise FeedError(f"the header row does not start with {PRECINCT}")
    parties = [
        (i, c.removesuffix("_total")) for i, c in enumerate(columns) if c.endswith("_total") and c != SUM
    ]
    if not parties:
        raise FeedError("the header row names no <party>_total column")
    i_county = columns.index("county") if "county" in columns else -1
    cands = tuple(
        Candidate(code, *PARTIES.get(code, (code.replace("_", " ").title(), "")), j)
        for j, (_, code) in enumerate(parties)
    )
    folder_county, state = county_from(source)
    units = []
    seen: set[str] = set()
    for fields in reader:
        line = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != len(columns):
            raise FeedError(f"line {line} has {len(fields)} columns where the header has {len(columns)}")
        if len(units) >= MAX_ROWS:
            raise FeedError(f"the file has more than {MAX_ROWS:,} precincts")
        name = " ".join(fields[0].split())
        if not name:
            raise FeedError(f"line {line} has no precinct name")
        if name in seen:
            raise FeedError(f"line {line}: precinct {name!r} is listed twice")
        seen.add(name)
        votes = {code: {TOTAL: _votes(fields[i], line, columns[i])} for i, code in parties}
        county = " ".join(fields[i_county].split()) if i_county >= 0 else folder_county
        units.append(flagless_unit(name, name, UnitKind.PRECINCT, county or None, votes))
    if not units:
        raise FeedError("the file has a header row but no precinct")
    folder = contest_name_from(source)
    name = folder or "Unnamed contest"
    contest = Contest(
        id=folder or "contest",
        name=name,
        candidates=cands,
        units=tuple(units),
        threshold=rule_for(state or state_from(source), "any", name, choices=[c.name for c in cands]),
        vote_types=(VoteType.from_name(TOTAL),),
    )
    note = (
        f"the contest is named after the folder the file is in ({folder}); the file names none"
        if folder
        else "the file names no contest, and no folder names it"
    )
    if folder_county:
        note += f"; the precincts' county, {folder_county} ({state}), is the name of the folder above"
    return Snapshot(
        election=Election(
            id=folder or "precinct-totals",
            name=f"{name} — precinct totals",
            source=source,
            note=f"a poller's per-precinct totals (no vote types, no completeness flags); {note}",
            state=state or state_from(source),
        ),
        contests=(contest,),
    )
