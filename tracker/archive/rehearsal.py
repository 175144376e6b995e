"""Reconstructed election nights, built from certified precinct results.

Why this exists: the tracker needs a night to show on first start, to rehearse with before a real
election, and to backtest projections on. No raw feed of the GA-06 nights of 2017 survives, but
the certified per-precinct results do (see ``../shared/data/PROVENANCE.md``), and so do the
numbers the press reported during the night. This module replays the certified cells in an order
and at a pace that reproduces what the press saw, and writes the result as a night file whose
every payload is a ``tracker-feed/1`` document labelled ``reconstructed``.

What is real and what is not — say it everywhere:

* every vote count in every version is a real certified count of one precinct × vote type (a
  *cell*); a cell, once released, never changes; the last version equals the certified files;
* the *timing* (which cell appears when) is invented, chosen by a seeded search so that the
  running Ossoff share, precinct counts and vote counts come close to the press-reported ones.
  The night, its meta and every payload say so (``reconstructed: true`` plus a note).

Reporting states (April): a precinct is ``none`` until one of its cells is in, ``partial`` while
only its advance/mail cells are in, ``complete`` once its election-day cell is in. Provisional
ballots come last (in the final versions) and do not change the state: Georgia counts them after
the polls, and the certified files include them. ``registered`` (known before the night) is on
every unit from the first version, ``ballots_cast`` only once the precinct is complete. June has
precinct totals only (one vote type, "Total"), so a precinct goes straight from none to complete.

Calibration (``_search_april``, ``_search_june``): each night's structure is fixed by what the
press reported (DeKalb's advance vote first, all advance vote by 20:44, precinct counts at the
reported times, Fulton's stall from 23:40, provisional ballots last); the free choices — which advance/mail
batch lands in which early slot, how many precincts each county contributes per wave, the order
of precincts within a county, the slot grid — are drawn from ``random.Random`` streams seeded
from the base seed, improved by a seeded local search, and scored by the squared error against
the press. The best score wins; ties go to the lowest candidate index. Same seed, same night.

Identifiers: April's contest and candidate ids are whatever the Clarity parser and the merge give
(Clarity keys); June's are slugs ("u-s-representative-district-6", "karen-handel",
"jon-ossoff"). Both nights name the House race "U.S. Representative, District 6": match
contests across nights by name, not id.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import math
import random
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from tracker import paths
from tracker.core.errors import NightFileError, TrackerError
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

ET = ZoneInfo("America/New_York")
NOTE = "Reconstructed from certified precinct results — not the original feed."
HOUSE_CONTEST = "U.S. Representative, District 6"
NATIVE_FORMAT = "tracker-feed/1"
PRESS_FILE = "ga06-2017-04-18/press_reported_timeline.csv"

#: Canonical vote types that make a precinct "complete" when their cell is in.
_COMPLETING = ("election_day", "total")
_EARLY = ("early", "mail")


# ----------------------------------------------------------------------------------------------
# Night definitions
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """One input file and where it was copied from (PROVENANCE.md), stored in the night's meta so
    a reconstructed night can always be traced back to public data."""

    path: str  # relative to the data folder
    repository: str
    repository_path: str
    commit: str
    what: str

    def to_json(self, sha256: str) -> dict[str, str]:
        return {
            "path": self.path,
            "repository": self.repository,
            "repository_path": self.repository_path,
            "commit": self.commit,
            "sha256": sha256,
            "what": self.what,
        }


_APRIL_REPO = ("mjguidry/2017_GA06_special", "070ca860b0941c9ec4f3ca6b2d29c27cd9cb88e1")
_JUNE_REPO = ("openelections/openelections-data-ga", "0431b6645ec330b21cb851dfc83843aeea4807b1")
_PRESS_SOURCE = SourceFile(
    path=PRESS_FILE,
    repository="",
    repository_path="",
    commit="",
    what="press-reported timeline compiled from election-night live blogs (URL on every row); "
    "used only to calibrate the timing, never as vote counts",
)


def _april_sources() -> tuple[SourceFile, ...]:
    return (
        *(
            SourceFile(
                path=f"ga06-2017-04-18/2017_{county}_detail.xml",
                repository=_APRIL_REPO[0],
                repository_path=f"XML/2017_{county}_detail.xml",
                commit=_APRIL_REPO[1],
                what=f"{county} County official Clarity detail XML, final certified counts",
            )
            for county in ("Cobb", "DeKalb", "Fulton")
        ),
        _PRESS_SOURCE,
    )


def _june_sources() -> tuple[SourceFile, ...]:
    name = "20170620__ga__special__general__runoff__{}__precinct.csv"
    return (
        *(
            SourceFile(
                path=f"ga06-2017-06-20/{name.format(county)}",
                repository=_JUNE_REPO[0],
                repository_path=f"2017/{name.format(county)}",
                commit=_JUNE_REPO[1],
                what=f"{county.capitalize() if county != 'dekalb' else 'DeKalb'} County certified "
                "precinct totals (OpenElections)",
            )
            for county in ("cobb", "dekalb", "fulton")
        ),
        _PRESS_SOURCE,
    )


@dataclass(frozen=True)
class _NightSpec:
    name: str
    election: Election
    label: str
    date: dt.date
    sources: tuple[SourceFile, ...]
    #: Press rows whose share is not used in the fit, with the reason (keyed by "HH:MM").
    excluded: dict[str, str]
    #: Extra vote-count targets the CSV gives only in its note column: "HH:MM" -> (field, value, why).
    note_targets: dict[str, tuple[str, int, str]]
    #: Remarks shown in the comparison table, keyed by "HH:MM".
    remarks: dict[str, str]


_APRIL = _NightSpec(
    name="ga06-2017-04-18",
    election=Election(
        id="ga06-2017-04-18",
        name="Georgia 6th district special election",
        date=dt.date(2017, 4, 18),
        source="reconstructed:ga06-2017-04-18",
        reconstructed=True,
        note=NOTE,
    ),
    label="GA-06 special election, 18 Apr 2017 — reconstructed from certified precinct results "
    "— not the original feed",
    date=dt.date(2017, 4, 18),
    sources=_april_sources(),
    excluded={
        "23:40": "share contradicts the row's own count: Ossoff 88,562 = top-5 Republicans combined "
        "means Ossoff ≤ 49.2 %, not 50.3 % (stale figure); count kept, share not fitted",
    },
    note_targets={
        "00:15": ("total", 183_000, "~183k votes, from the row's note (Nate Cohn)"),
    },
    remarks={
        "21:00": "press wrote '% of votes'; read as % of precincts (97/210 = 46 % at 21:49)",
        "21:15": "press wrote '% of votes'; read as % of precincts",
        "21:55": "press wrote '% of votes'; read as % of precincts",
        "21:37": "press counts 210 precincts: 208 in the House race + 2 only in SD-32",
    },
)

_JUNE = _NightSpec(
    name="ga06-2017-06-20",
    election=Election(
        id="ga06-2017-06-20",
        name="Georgia 6th district special election runoff",
        date=dt.date(2017, 6, 20),
        source="reconstructed:ga06-2017-06-20",
        reconstructed=True,
        note=NOTE,
    ),
    label="GA-06 runoff, 20 Jun 2017 — reconstructed from certified precinct results — not the original feed",
    date=dt.date(2017, 6, 20),
    sources=_june_sources(),
    excluded={
        "19:33": "DDHQ's first nine votes: smaller than any precinct total, cannot be placed",
        "20:07": "Cobb's early vote only (one county, not the district)",
    },
    note_targets={},
    remarks={
        "19:38": "county early-vote batches: precinct totals cannot show them (no per-precinct split)",
        "20:09": "county early-vote batches: precinct totals cannot show them (no per-precinct split)",
        "21:07": "24 % (11alive) vs 82/208 three minutes later (another blog)",
        "21:30": "press: ~half DeKalb, 1/3 Fulton, ~4/5 Cobb precincts in (met by construction)",
    },
)

NIGHTS: dict[str, _NightSpec] = {_APRIL.name: _APRIL, _JUNE.name: _JUNE}
KNOWN_NIGHTS = tuple(NIGHTS)


# ----------------------------------------------------------------------------------------------
# The press timeline
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PressRow:
    """One row of press_reported_timeline.csv, as printed (shares in percent)."""

    when: dt.datetime | None  # aware, Eastern; None when the row gives no time
    label: str  # "HH:MM" or "final"
    precincts: str
    ossoff_pct: float | None
    handel_pct: float | None
    ossoff_votes: int | None
    handel_votes: int | None
    total_votes: int | None
    note: str


def _opt_float(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _opt_int(text: str) -> int | None:
    text = text.strip().replace(",", "")
    return int(text) if text else None


def read_press_rows(path: Path, election_date: dt.date) -> list[PressRow]:
    """The rows of one election (CSV order). Rounded and partly approximate by nature; they are
    targets for the timing, never data."""
    rows: list[PressRow] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["election"] != election_date.isoformat():
                continue
            when = None
            label = "final"
            if rec["date"].strip() and rec["time_et"].strip():
                day = dt.date.fromisoformat(rec["date"].strip())
                hh, mm = (int(x) for x in rec["time_et"].strip().split(":"))
                when = dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=ET)
                label = f"{hh:02d}:{mm:02d}"
            rows.append(
                PressRow(
                    when=when,
                    label=label,
                    precincts=rec["precincts_reporting"].strip(),
                    ossoff_pct=_opt_float(rec["ossoff_pct"]),
                    handel_pct=_opt_float(rec["handel_pct"]),
                    ossoff_votes=_opt_int(rec["ossoff_votes"]),
                    handel_votes=_opt_int(rec["handel_votes"]),
                    total_votes=_opt_int(rec["total_votes"]),
                    note=rec["note"].strip(),
                )
            )
    return rows


_FRACTION_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%")


def precinct_anchor(text: str, total: int) -> int | None:
    """An exact precinct count from the press's wording, on our ``total``; None when the text
    gives only a bound (">5/6 of precincts") or nothing. "n/N" with N == total is taken as is;
    "p%" (also "p% of votes", which by its progression is a share of precincts) as round(p·total)."""
    m = _FRACTION_RE.match(text)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        return n if d == total else round(n * total / d)
    m = _PERCENT_RE.match(text)
    if m:
        return round(float(m.group(1)) / 100 * total)
    return None


# ----------------------------------------------------------------------------------------------
# Loading the certified data
# ----------------------------------------------------------------------------------------------


def _require(data_dir: Path, rel: str) -> Path:
    path = data_dir / rel
    if not path.is_file():
        raise TrackerError(f"missing data file {path} (needed to build a reconstructed night)")
    return path


def _load_april(data_dir: Path) -> Snapshot:
    """The three county detail XMLs, parsed and merged into one certified snapshot."""
    from tracker.core.merge import merge_snapshots
    from tracker.feeds.clarity import parse_detail_xml

    snaps = []
    for src in _APRIL.sources:
        if src.path.endswith(".xml"):
            path = _require(data_dir, src.path)
            snaps.append(parse_detail_xml(path.read_bytes(), source=str(path)))
    return merge_snapshots(snaps, election=_APRIL.election)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _load_june(data_dir: Path) -> Snapshot:
    """The three OpenElections precinct CSVs as one certified snapshot: precinct totals only, one
    vote type "Total" (the runoff's vote-type split exists only per county; inventing a
    per-precinct split would put numbers in the night that are not in any data)."""
    vote_type = "Total"
    candidates: dict[str, Candidate] = {}
    units: list[ReportingUnit] = []
    for src in _JUNE.sources:
        if not src.path.endswith(".csv") or "runoff" not in src.path:
            continue
        path = _require(data_dir, src.path)
        per_precinct: dict[str, dict[str, Any]] = {}
        with path.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                precinct = rec["precinct"]
                # Each file ends with the county's TOTAL block; counting it would double everything.
                if precinct.strip().lower() == "total":
                    continue
                entry = per_precinct.setdefault(
                    precinct, {"county": rec["county"].strip(), "votes": {}, "voters": {}}
                )
                votes = int(rec["votes"])
                if rec["office"].strip() == "Voters":
                    entry["voters"][rec["candidate"].strip()] = votes
                    continue
                if rec["office"].strip() != "U.S. House":
                    continue
                name = rec["candidate"].strip()
                cid = _slug(name)
                if cid not in candidates:
                    candidates[cid] = Candidate(
                        id=cid, name=name, party=rec["party"].strip(), ballot_order=len(candidates)
                    )
                if cid in entry["votes"]:
                    raise TrackerError(f"{path}: {precinct!r} lists {name} twice")
                entry["votes"][cid] = {vote_type: votes}
        for precinct, entry in per_precinct.items():
            county = entry["county"]
            units.append(
                ReportingUnit(
                    id=f"{county}/{precinct}",
                    name=precinct.strip(),
                    kind=UnitKind.PRECINCT,
                    county=county,
                    reporting=Reporting.COMPLETE,
                    votes=entry["votes"],
                    registered=entry["voters"].get("Registered"),
                    ballots_cast=entry["voters"].get("Ballots Cast"),
                )
            )
    contest = Contest(
        id=_slug(HOUSE_CONTEST),
        name=HOUSE_CONTEST,
        candidates=tuple(candidates.values()),
        units=tuple(units),
        vote_types=(VoteType.from_name(vote_type),),
    )
    return Snapshot(election=_JUNE.election, contests=(contest,))


# ----------------------------------------------------------------------------------------------
# Cells: the atoms a reconstructed night releases
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    unit_id: str
    county: str
    vote_type: str
    canonical: str


class _Prepared:
    """The certified snapshot cut into cells, with the House race's numbers per cell as arrays so
    that scoring a candidate timing is a few numpy calls."""

    def __init__(self, final: Snapshot) -> None:
        self.final = final
        house = [c for c in final.contests if c.name == HOUSE_CONTEST]
        if not house:
            raise TrackerError(f"the certified data has no contest named {HOUSE_CONTEST!r}")
        self.house = house[0]
        self.ossoff_id = self._candidate_id("ossoff")
        self.handel_id = self._candidate_id("handel")

        canonical: dict[str, str] = {}
        for contest in final.contests:
            for vt in contest.vote_types:
                canonical.setdefault(vt.name, vt.canonical)
        index: dict[tuple[str, str], int] = {}
        cells: list[_Cell] = []
        precincts: dict[str, str] = {}  # unit id -> county, in first-seen order
        for contest in final.contests:
            for unit in contest.units:
                county = unit.county or ""
                precincts.setdefault(unit.id, county)
                # The unit's own vote types, not the contest's union: DeKalb has one advance
                # bucket where Cobb and Fulton have two, and a cell without votes would make a
                # version in which nothing visible changes.
                for vt in sorted(unit.reported_vote_types()):
                    if (unit.id, vt) not in index:
                        index[(unit.id, vt)] = len(cells)
                        cells.append(_Cell(unit.id, county, vt, canonical.get(vt, "other")))
        self.cells = cells
        self.cell_index = index
        n = len(cells)
        self.ossoff = np.zeros(n)
        self.handel = np.zeros(n)
        self.total = np.zeros(n)
        for unit in self.house.units:
            for cid, by_type in unit.votes.items():
                for vt, votes in by_type.items():
                    i = index[(unit.id, vt)]
                    self.total[i] += votes
                    if cid == self.ossoff_id:
                        self.ossoff[i] += votes
                    elif cid == self.handel_id:
                        self.handel[i] += votes
        self.precincts = list(precincts)
        self.precinct_county = [precincts[p] for p in self.precincts]
        self.counties = sorted(set(self.precinct_county))
        pindex = {p: i for i, p in enumerate(self.precincts)}
        self.cell_precinct = np.array([pindex[c.unit_id] for c in cells], dtype=np.int64)
        #: For each precinct, the cells whose release completes it.
        self.completing: list[list[int]] = [[] for _ in self.precincts]
        for i, cell in enumerate(cells):
            if cell.canonical in _COMPLETING:
                self.completing[pindex[cell.unit_id]].append(i)
        for p, found in enumerate(self.completing):
            if not found:
                raise TrackerError(f"precinct {self.precincts[p]!r} has no election-day or total cell")
        self.precinct_county_arr = np.array([self.counties.index(c) for c in self.precinct_county])
        # Flattened for numpy: completion minute = max over each precinct's run of cells.
        self.completing_flat = np.array([i for cells in self.completing for i in cells], dtype=np.int64)
        self.completing_starts = np.cumsum([0] + [len(c) for c in self.completing[:-1]]).astype(np.int64)

    def _candidate_id(self, surname: str) -> str:
        for cand in self.house.candidates:
            if surname in cand.name.lower():
                return cand.id
        raise TrackerError(f"no candidate named like {surname!r} in {HOUSE_CONTEST!r}")

    def precincts_of(self, county: str) -> list[int]:
        return [i for i, c in enumerate(self.precinct_county) if c == county]

    def cells_where(self, pred: Callable[[_Cell], bool]) -> list[int]:
        return [i for i, c in enumerate(self.cells) if pred(c)]


# ----------------------------------------------------------------------------------------------
# Scoring a timing against the press
# ----------------------------------------------------------------------------------------------

#: Minutes since 19:00 ET on election day; every version lands on a whole minute.
Minute = int


def _minute(when: dt.datetime, date: dt.date) -> Minute:
    start = dt.datetime(date.year, date.month, date.day, 19, 0, tzinfo=ET)
    return int((when - start).total_seconds() // 60)


def _at(date: dt.date, minute: Minute) -> dt.datetime:
    """The aware UTC instant of ``minute`` (minutes after 19:00 ET on ``date``)."""
    start = dt.datetime(date.year, date.month, date.day, 19, 0, tzinfo=ET)
    return (start + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


def _hm(text: str) -> Minute:
    """ "HH:MM" Eastern on election night (00:00–06:59 is the next morning) as a Minute."""
    hh, mm = (int(x) for x in text.split(":"))
    if hh < 7:
        hh += 24
    return (hh - 19) * 60 + mm


@dataclass(frozen=True)
class _Target:
    minute: Minute
    kind: str  # "share", "handel_share", "ossoff", "handel", "total"
    value: float
    weight: float


#: Weights of the objective. An Ossoff share miss costs its square in points (Handel's, a
#: secondary check on the mix of the counted vote, half that); a vote-count miss its
#: relative error in percent, squared, times 0.25 (1 % of 72k ≈ 0.5 pt of share). Precinct
#: counts are not in the objective: the timings meet them exactly by construction.
_W_SHARE = 1.0
_W_HANDEL = 0.5
_W_VOTES = 0.25


class _Scorer:
    def __init__(self, prep: _Prepared, targets: Sequence[_Target]) -> None:
        self.prep = prep
        self.targets = list(targets)

    def state(self, minutes: np.ndarray, at: Minute) -> dict[str, float]:
        """What the reconstruction shows at ``at``: House-race counts and complete precincts."""
        released = minutes <= at
        out = {
            "ossoff": float(self.prep.ossoff[released].sum()),
            "handel": float(self.prep.handel[released].sum()),
            "total": float(self.prep.total[released].sum()),
        }
        done = self.completion(minutes) <= at
        out["precincts"] = float(done.sum())
        touched = np.zeros(len(self.prep.precincts), dtype=bool)
        touched[self.prep.cell_precinct[released]] = True
        out["partial"] = float((touched & ~done).sum())
        for k, county in enumerate(self.prep.counties):
            out[f"county:{county}"] = float((done & (self.prep.precinct_county_arr == k)).sum())
        return out

    def completion(self, minutes: np.ndarray) -> np.ndarray:
        """Minute at which each precinct becomes complete (its last completing cell)."""
        return np.maximum.reduceat(minutes[self.prep.completing_flat], self.prep.completing_starts)

    def score(self, minutes: np.ndarray) -> float:
        """Weighted squared error against the targets (lower is better). Counts are cumulated on
        the minute axis itself (a night is a few hundred minutes), which keeps one evaluation in
        the tens of microseconds: the local search calls this thousands of times."""
        length = int(minutes.max()) + 1
        cum_o = np.bincount(minutes, weights=self.prep.ossoff, minlength=length).cumsum()
        cum_h = np.bincount(minutes, weights=self.prep.handel, minlength=length).cumsum()
        cum_t = np.bincount(minutes, weights=self.prep.total, minlength=length).cumsum()
        total = 0.0
        for t in self.targets:
            k = min(t.minute, length - 1)
            o, h, tot = (cum_o[k], cum_h[k], cum_t[k]) if k >= 0 else (0.0, 0.0, 0.0)
            if t.kind in ("share", "handel_share"):
                ours = 100.0 * (o if t.kind == "share" else h) / tot if tot else 0.0
                total += t.weight * (ours - t.value) ** 2
            else:
                ours = {"ossoff": o, "handel": h, "total": tot}[t.kind]
                total += t.weight * (100.0 * (ours - t.value) / t.value) ** 2
        return total


def _targets(spec: _NightSpec, rows: Sequence[PressRow]) -> list[_Target]:
    """The press figures the search fits: Ossoff and Handel shares (minus the excluded rows) and
    vote counts."""
    out: list[_Target] = []
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        if row.ossoff_pct is not None and row.label not in spec.excluded:
            out.append(_Target(m, "share", row.ossoff_pct, _W_SHARE))
            if row.handel_pct is not None:
                out.append(_Target(m, "handel_share", row.handel_pct, _W_HANDEL))
        for kind, value in (("ossoff", row.ossoff_votes), ("handel", row.handel_votes)):
            if value is not None:
                out.append(_Target(m, kind, value, _W_VOTES))
        if row.total_votes is not None:
            out.append(_Target(m, "total", row.total_votes, _W_VOTES))
        if row.label in spec.note_targets:
            kind, value, _why = spec.note_targets[row.label]
            out.append(_Target(m, kind, value, _W_VOTES))
    return out


# ----------------------------------------------------------------------------------------------
# Building timings
# ----------------------------------------------------------------------------------------------


def _curve(
    rng: random.Random, anchors: Sequence[tuple[Minute, int]], gap: tuple[int, int] = (3, 6)
) -> list[tuple[Minute, int]]:
    """Slots between consecutive anchors (minute, cumulative precincts), every ``gap`` minutes
    (seeded), with the increase split by random weights: the count is exact at every anchor and
    never decreases. Returns [(minute, new precincts)], zero-increase slots included."""
    out: list[tuple[Minute, int]] = []
    for (m0, c0), (m1, c1) in itertools.pairwise(anchors):
        if m1 <= m0:
            raise ValueError(f"anchors out of order: {anchors}")
        slots: list[Minute] = []
        m = m0
        while True:
            m += rng.randint(*gap)
            if m >= m1 - 1:
                slots.append(m1)
                break
            slots.append(m)
        d = max(c1 - c0, 0)
        weights = [rng.uniform(0.3, 1.7) for _ in slots]
        acc, done, prev = 0.0, 0, 0
        wsum = sum(weights)
        for s, w in zip(slots, weights, strict=True):
            acc += w
            done = round(d * acc / wsum)
            out.append((s, done - prev))
            prev = done
    return out


def _allocate(
    rng: random.Random,
    slots: Sequence[tuple[Minute, int]],
    quotas: dict[str, int],
    multiplier: Callable[[str, Minute], float],
) -> dict[str, list[Minute]]:
    """Which county fills each new precinct of each slot: weighted by what the county still has
    to release times its (seeded) pace multiplier in that phase. Returns, per county, the slot
    minute of its 1st, 2nd, ... precinct."""
    left = dict(quotas)
    out: dict[str, list[Minute]] = {c: [] for c in quotas}
    for minute, k in slots:
        for _ in range(k):
            names = [c for c in sorted(left) if left[c] > 0]
            if not names:
                raise ValueError("more slots than precincts")
            weights = [left[c] * multiplier(c, minute) for c in names]
            pick = rng.choices(names, weights=weights)[0]
            left[pick] -= 1
            out[pick].append(minute)
    if any(left.values()):
        raise ValueError(f"precincts left unallocated: {left}")
    return out


@dataclass
class _Timing:
    """A candidate night: the release minute of every cell, plus the per-county precinct orders
    (kept so the local search can swap precincts within a county)."""

    minutes: np.ndarray
    orders: dict[str, list[int]] = field(default_factory=dict)  # county -> precinct indices
    slots: dict[str, list[Minute]] = field(default_factory=dict)  # county -> minute per position
    params: dict[str, Any] = field(default_factory=dict)


def _place_orders(prep: _Prepared, timing: _Timing) -> None:
    for county, order in timing.orders.items():
        for precinct, minute in zip(order, timing.slots[county], strict=True):
            for cell in prep.completing[precinct]:
                timing.minutes[cell] = minute


def _polish(prep: _Prepared, scorer: _Scorer, timing: _Timing, rng: random.Random, iterations: int) -> float:
    """Seeded local search: swap two precincts of one county (so county pacing and the precinct
    curve stay as drawn), keep the swap when the score strictly improves."""
    best = scorer.score(timing.minutes)
    counties = [c for c in sorted(timing.orders) if len(timing.orders[c]) > 1]
    sizes = [len(timing.orders[c]) for c in counties]
    for _ in range(iterations):
        county = rng.choices(counties, weights=sizes)[0]
        order, slots = timing.orders[county], timing.slots[county]
        i, j = rng.randrange(len(order)), rng.randrange(len(order))
        if slots[i] == slots[j]:
            continue
        pi, pj = order[i], order[j]
        for cell in prep.completing[pi]:
            timing.minutes[cell] = slots[j]
        for cell in prep.completing[pj]:
            timing.minutes[cell] = slots[i]
        s = scorer.score(timing.minutes)
        if s < best:
            best = s
            order[i], order[j] = pj, pi
        else:
            for cell in prep.completing[pi]:
                timing.minutes[cell] = slots[i]
            for cell in prep.completing[pj]:
                timing.minutes[cell] = slots[j]
    return best


def _rng(spec: _NightSpec, seed: int, stage: str, index: int) -> random.Random:
    """An independent, reproducible stream per (night, seed, stage, candidate). String seeds are
    hashed with SHA-512 by ``random``, stable across Python versions and platforms."""
    return random.Random(f"{spec.name}:{seed}:{stage}:{index}")


def _best_of(
    candidates: Iterable[tuple[int, _Timing, float]],
) -> tuple[int, _Timing, float]:
    """Lowest score wins; ties go to the lowest candidate index (deterministic)."""
    return min(candidates, key=lambda c: (round(c[2], 9), c[0]))


# --- April ------------------------------------------------------------------------------------

_APRIL_EARLY_SLOTS = [_hm(t) for t in ("19:59", "20:11", "20:23", "20:35", "20:44")]
_APRIL_LATE_MAIL = _hm("20:48")
_APRIL_FIRST_COUNTY = "DeKalb"  # press: DeKalb's early vote first, ~19:59
_APRIL_STALL = _hm("23:40")  # Fulton's memory-card error
_APRIL_COBB_DEKALB_DONE = _hm("00:15")
_APRIL_FULTON_DONE = _hm("01:18")
_APRIL_PROVISIONAL = [_hm(t) for t in ("01:22", "01:26", "01:30")]

#: Search sizes, small on purpose: the search takes about half a second per night (writing the
#: payloads takes longer); more candidates did not lower the worst press miss (seeds 1–20).
_EARLY_STARTS = 8
_ED_CANDIDATES = 12
_ED_POLISH = 700
_FINAL_POLISH = 2500


def _april_batches(prep: _Prepared) -> list[tuple[str, str, str, list[int]]]:
    """Advance/mail batches: (county, vote type, canonical, cells), one per county × vote type,
    because counties upload their early vote as whole buckets."""
    groups: dict[tuple[str, str], list[int]] = {}
    canon: dict[tuple[str, str], str] = {}
    for i, cell in enumerate(prep.cells):
        if cell.canonical in _EARLY:
            groups.setdefault((cell.county, cell.vote_type), []).append(i)
            canon[(cell.county, cell.vote_type)] = cell.canonical
    return [(c, vt, canon[(c, vt)], cells) for (c, vt), cells in sorted(groups.items())]


def _april_batch_options(county: str, canonical: str) -> list[Minute]:
    """Where a batch may land: the first county's advance vote at 19:59 (nothing else then); all
    advance vote by 20:44; mail by 20:44 or in the 20:48 slot, before any election-day cell."""
    if county == _APRIL_FIRST_COUNTY and canonical == "early":
        return [_APRIL_EARLY_SLOTS[0]]
    later = _APRIL_EARLY_SLOTS[1:]
    if canonical == "early":
        return later
    first = [_APRIL_EARLY_SLOTS[0]] if county == _APRIL_FIRST_COUNTY else []
    return [*first, *later, _APRIL_LATE_MAIL]


def _april_early(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int
) -> tuple[dict[tuple[str, str], Minute], float]:
    """Stage 1: place the advance/mail batches. Seeded random starts, each improved by trying
    every allowed slot for one batch at a time; scored on the press shares up to 20:44."""
    batches = _april_batches(prep)
    scorer = _Scorer(prep, [t for t in _targets(spec, rows) if t.minute <= _APRIL_EARLY_SLOTS[-1]])
    far = _hm("06:00")
    results = []
    for k in range(_EARLY_STARTS):
        rng = _rng(spec, seed, "early", k)
        minutes = np.full(len(prep.cells), far, dtype=np.int64)
        choice = {}
        for county, vt, canonical, cells in batches:
            choice[(county, vt)] = rng.choice(_april_batch_options(county, canonical))
            minutes[cells] = choice[(county, vt)]
        best = scorer.score(minutes)
        improved = True
        while improved:
            improved = False
            for county, vt, canonical, cells in batches:
                for option in _april_batch_options(county, canonical):
                    if option == choice[(county, vt)]:
                        continue
                    minutes[cells] = option
                    s = scorer.score(minutes)
                    if s < best - 1e-12:
                        best, choice[(county, vt)], improved = s, option, True
                    else:
                        minutes[cells] = choice[(county, vt)]
        results.append((k, _Timing(minutes, params={"choice": choice}), best))
    _, timing, score = _best_of(results)
    return timing.params["choice"], score


def _april_candidate(
    prep: _Prepared,
    spec: _NightSpec,
    rows: Sequence[PressRow],
    early: dict[tuple[str, str], Minute],
    rng: random.Random,
) -> _Timing:
    """One candidate night (stage 2): election-day waves per county, Fulton's stall, the rest."""
    n_total = len(prep.precincts)
    county_size = {c: len(prep.precincts_of(c)) for c in prep.counties}
    minutes = np.full(len(prep.cells), -1, dtype=np.int64)
    for county, vt, _canonical, cells in _april_batches(prep):
        minutes[cells] = early[(county, vt)]
    first_ed = max(early.values()) if early else _APRIL_EARLY_SLOTS[-1]
    first_ed = max(first_ed, _APRIL_EARLY_SLOTS[-1])

    # The precinct curve: exact at the press's counts, free (seeded) where the press is silent.
    anchors: list[tuple[Minute, int]] = [(first_ed, 0)]
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        a = precinct_anchor(row.precincts, n_total)
        if a is not None and first_ed < m < _hm("22:40"):
            anchors.append((m, max(a, anchors[-1][1])))
    held = rng.randint(9, 18)  # Fulton precincts still out when its count stalls
    late_rest = rng.randint(2, 6)  # Cobb + DeKalb precincts still out at 23:40
    at_2240 = rng.randint(118, 142)
    at_stall = n_total - held - late_rest
    anchors += [(_hm("22:40"), max(at_2240, anchors[-1][1])), (_APRIL_STALL, at_stall)]
    slots = _curve(rng, anchors, gap=(2, 4))

    cobb_rest = rng.randint(0, late_rest)
    late = {"Cobb": cobb_rest, "DeKalb": late_rest - cobb_rest, "Fulton": held}
    quotas = {c: county_size[c] - late.get(c, 0) for c in prep.counties}
    phases = (_hm("21:49"), _hm("22:40"), _APRIL_STALL)
    mult = {(c, p): math.exp(rng.uniform(-1.2, 1.2)) for c in prep.counties for p in range(len(phases))}

    def pace(county: str, minute: Minute) -> float:
        phase = next((i for i, end in enumerate(phases) if minute <= end), len(phases) - 1)
        return mult[(county, phase)]

    per_county = _allocate(rng, slots, quotas, pace)
    # Cobb and DeKalb finish by 00:15 while Fulton is stalled.
    tail = _curve(rng, [(_APRIL_STALL, 0), (_APRIL_COBB_DEKALB_DONE, late_rest)], gap=(5, 8))
    rest = _allocate(rng, tail, {c: late[c] for c in late if c != "Fulton"}, lambda c, m: 1.0)
    for c, ms in rest.items():
        per_county[c] += ms
    # Fulton resumes after its stall and finishes before the provisional ballots.
    resume = rng.randint(_hm("00:35"), _hm("00:55"))
    fulton_tail = _curve(rng, [(resume - 1, 0), (_APRIL_FULTON_DONE, held)], gap=(5, 9))
    per_county["Fulton"] += [m for m, k in fulton_tail for _ in range(k)]

    timing = _Timing(minutes, params={"held": held, "resume": resume, "at_2240": at_2240})
    for county in prep.counties:
        order = prep.precincts_of(county)
        rng.shuffle(order)
        timing.orders[county] = order
        timing.slots[county] = sorted(per_county[county])
    _place_orders(prep, timing)

    # Provisional ballots last, one county per version, in a seeded order.
    counties = list(prep.counties)
    rng.shuffle(counties)
    for county, minute in zip(counties, _APRIL_PROVISIONAL, strict=True):
        cells = prep.cells_where(lambda c, county=county: c.county == county and c.canonical == "provisional")
        minutes[cells] = minute
    leftover = prep.cells_where(lambda c: c.canonical == "other")
    minutes[leftover] = _APRIL_PROVISIONAL[-1]
    if (minutes < 0).any():
        raise AssertionError("a cell was not scheduled")
    return timing


def _search_april(prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int) -> _Timing:
    early, _ = _april_early(prep, spec, rows, seed)
    scorer = _Scorer(prep, _targets(spec, rows))
    results = []
    for k in range(_ED_CANDIDATES):
        rng = _rng(spec, seed, "election-day", k)
        timing = _april_candidate(prep, spec, rows, early, rng)
        score = _polish(prep, scorer, timing, rng, _ED_POLISH)
        results.append((k, timing, score))
    k, timing, _ = _best_of(results)
    _polish(prep, scorer, timing, _rng(spec, seed, "final", k), _FINAL_POLISH)
    timing.params["candidate"] = k
    return timing


# --- June -------------------------------------------------------------------------------------

_JUNE_END = (_hm("22:38"), _hm("22:48"))
_JUNE_FIRST = (_hm("20:12"), _hm("20:24"))
#: 21:30, press: "~half DeKalb, 1/3 Fulton, ~4/5 Cobb precincts in" (with 99/208 at 21:30).
_JUNE_SPLIT = (_hm("21:30"), {"Cobb": 4 / 5, "DeKalb": 1 / 2, "Fulton": 1 / 3})


def _apportion(fractions: dict[str, float], sizes: dict[str, int], total: int) -> dict[str, int]:
    """Whole precinct counts per county near ``fraction × size`` that sum to ``total`` (largest
    remainders), so a county split the press gave in words meets the precinct count it gave in
    numbers at the same minute: 4/5·50 + 1/2·43 + 1/3·115 → 40 + 21 + 38 = 99."""
    raw = {c: fractions.get(c, 0.0) * sizes[c] for c in sorted(sizes)}
    out = {c: min(math.floor(v), sizes[c]) for c, v in raw.items()}
    by_remainder = sorted(raw, key=lambda c: (-(raw[c] - math.floor(raw[c])), c))
    i = 0
    while sum(out.values()) < total and i < 10 * len(raw):
        c = by_remainder[i % len(raw)]
        if out[c] < sizes[c]:
            out[c] += 1
        i += 1
    while sum(out.values()) > total:
        c = max(out, key=lambda c: (out[c] - raw[c], c))
        out[c] -= 1
    return out


def _june_candidate(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], rng: random.Random
) -> _Timing:
    """One candidate runoff night: whole precincts (their "Total" cell) in waves that meet the
    press's precinct counts exactly and its county split at 21:30, counties otherwise paced by
    seeded multipliers, ending ~22:45."""
    n_total = len(prep.precincts)
    county_size = {c: len(prep.precincts_of(c)) for c in prep.counties}
    first = rng.randint(*_JUNE_FIRST)
    anchors: list[tuple[Minute, int]] = [(0, 0), (first - 1, 0)]
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        a = precinct_anchor(row.precincts, n_total)
        if a is not None and m > anchors[-1][0]:
            anchors.append((m, max(a, anchors[-1][1])))
    end = rng.randint(*_JUNE_END)
    anchors.append((end, n_total))
    slots = _curve(rng, anchors, gap=(2, 4))
    phases = (_hm("21:10"), _hm("21:31"), end)
    mult = {(c, p): math.exp(rng.uniform(-1.2, 1.2)) for c in prep.counties for p in range(len(phases))}

    def pace(county: str, minute: Minute) -> float:
        phase = next((i for i, e in enumerate(phases) if minute <= e), len(phases) - 1)
        return mult[(county, phase)]

    split_at, fractions = _JUNE_SPLIT
    before = [(m, k) for m, k in slots if m <= split_at]
    after = [(m, k) for m, k in slots if m > split_at]
    quotas = _apportion(fractions, county_size, sum(k for _, k in before))
    per_county = _allocate(rng, before, quotas, pace)
    rest = _allocate(rng, after, {c: county_size[c] - quotas[c] for c in county_size}, pace)
    for county, minutes in rest.items():
        per_county[county] += minutes
    timing = _Timing(np.full(len(prep.cells), -1, dtype=np.int64), params={"end": end})
    for county in prep.counties:
        order = prep.precincts_of(county)
        rng.shuffle(order)
        timing.orders[county] = order
        timing.slots[county] = sorted(per_county[county])
    _place_orders(prep, timing)
    timing.minutes[timing.minutes < 0] = end  # anything without a completing role (none expected)
    return timing


def _june_targets(spec: _NightSpec, rows: Sequence[PressRow]) -> list[_Target]:
    """What the June search fits."""
    # Ossoff's share only: in a two-candidate race Handel's is 100 − Ossoff's, and the press
    # rounds the pair independently (47/52 at 21:30, 47/53 at 21:31), so fitting both would fit
    # rounding noise. Vote counts are not fitted either: before a precinct is complete its early
    # votes cannot be shown, so the press's running totals are not comparable until late.
    return [t for t in _targets(spec, rows) if t.kind == "share"]


def _search_june(prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], seed: int) -> _Timing:
    results = []
    candidates = [
        _june_candidate(prep, spec, rows, _rng(spec, seed, "waves", k)) for k in range(_ED_CANDIDATES)
    ]
    for k, timing in enumerate(candidates):
        # Shares are scored only where the reconstruction has precincts in (before the first,
        # the press saw county early-vote batches that precinct totals cannot show).
        first = int(timing.minutes.min())
        targets = [t for t in _june_targets(spec, rows) if t.minute >= first]
        scorer = _Scorer(prep, targets)
        score = _polish(prep, scorer, timing, _rng(spec, seed, "polish", k), _ED_POLISH)
        results.append((k, timing, score))
    k, timing, _ = _best_of(results)
    first = int(timing.minutes.min())
    scorer = _Scorer(prep, [t for t in _june_targets(spec, rows) if t.minute >= first])
    _polish(prep, scorer, timing, _rng(spec, seed, "final", k), _FINAL_POLISH)
    timing.params["candidate"] = k
    return timing


# ----------------------------------------------------------------------------------------------
# From a timing to snapshots
# ----------------------------------------------------------------------------------------------


def _version_minutes(timing: _Timing) -> list[Minute]:
    """19:00 (everything present, nothing counted) and every minute at which a cell lands."""
    return sorted({0, *(int(m) for m in timing.minutes)})


def _materialise(prep: _Prepared, spec: _NightSpec, timing: _Timing) -> list[Snapshot]:
    """One Snapshot per version: every unit of every contest present from the first version;
    a unit carries exactly its released cells (certified counts) and the state they imply."""
    versions = _version_minutes(timing)
    released_at = {
        (cell.unit_id, cell.vote_type): int(timing.minutes[i]) for i, cell in enumerate(prep.cells)
    }
    completing_at = {
        prep.precincts[p]: int(max(timing.minutes[c] for c in cells))
        for p, cells in enumerate(prep.completing)
    }
    snapshots = []
    for seq, minute in enumerate(versions, start=1):
        when = _at(spec.date, minute)
        contests = []
        for contest in prep.final.contests:
            units = []
            for unit in contest.units:
                shown = {vt for vt in unit.reported_vote_types() if released_at[(unit.id, vt)] <= minute}
                complete = completing_at[unit.id] <= minute
                votes = (
                    {cid: {vt: n for vt, n in by.items() if vt in shown} for cid, by in unit.votes.items()}
                    if shown
                    else {}
                )
                state = Reporting.COMPLETE if complete else Reporting.PARTIAL if shown else Reporting.NONE
                units.append(
                    dataclasses.replace(
                        unit,
                        reporting=state,
                        votes=votes,
                        ballots_cast=unit.ballots_cast if complete else None,
                    )
                )
            contests.append(
                dataclasses.replace(
                    contest,
                    units=tuple(units),
                    reported_totals=None,
                    reported_precincts=None,
                    feed_warnings=(),
                )
            )
        snapshots.append(
            Snapshot(
                election=spec.election,
                contests=tuple(contests),
                version=str(seq),
                fetched_at=when,
                published_at=when,
            )
        )
    return snapshots


# ----------------------------------------------------------------------------------------------
# The comparison table
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One press figure beside what the reconstruction shows at that moment."""

    time: str  # "HH:MM" Eastern, or "final"
    reported_ossoff_pct: float | None
    our_ossoff_pct: float | None
    fitted: bool
    reported_handel_pct: float | None
    our_handel_pct: float | None
    reported_precincts: str
    our_precincts: str
    reported_votes: str
    our_votes: str
    remark: str = ""

    @property
    def diff(self) -> float | None:
        if self.reported_ossoff_pct is None or self.our_ossoff_pct is None:
            return None
        return round(self.our_ossoff_pct - self.reported_ossoff_pct, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "reported_ossoff_pct": self.reported_ossoff_pct,
            "our_ossoff_pct": self.our_ossoff_pct,
            "diff": self.diff,
            "fitted": self.fitted,
            "reported_handel_pct": self.reported_handel_pct,
            "our_handel_pct": self.our_handel_pct,
            "reported_precincts": self.reported_precincts,
            "our_precincts": self.our_precincts,
            "reported_votes": self.reported_votes,
            "our_votes": self.our_votes,
            "remark": self.remark,
        }


def _comparison(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], timing: _Timing
) -> list[ComparisonRow]:
    scorer = _Scorer(prep, [])
    last = max(_version_minutes(timing))
    n_total = len(prep.precincts)
    first = int(timing.minutes.min())
    out = []
    for row in rows:
        minute = last if row.when is None else _minute(row.when, spec.date)
        s = scorer.state(timing.minutes, minute)
        share = round(100 * s["ossoff"] / s["total"], 2) if s["total"] else None
        handel = round(100 * s["handel"] / s["total"], 2) if s["total"] else None
        # Fitted = the search scored it: a share, a time, not excluded, and (June) at least one
        # precinct in by then — before that the press saw early-vote batches we cannot show.
        fitted = (
            row.ossoff_pct is not None
            and row.when is not None
            and row.label not in spec.excluded
            and minute >= first
        )
        rep_votes, our_votes = [], []
        for key, value in (
            ("Ossoff", row.ossoff_votes),
            ("Handel", row.handel_votes),
            ("total", row.total_votes),
        ):
            if value is not None:
                rep_votes.append(f"{key} {value:,}")
                our_votes.append(f"{key} {int(s[key.lower()]):,}")
        if row.label in spec.note_targets:
            kind, value, _why = spec.note_targets[row.label]
            rep_votes.append(f"{kind} ~{value:,}")
            our_votes.append(f"{kind} {int(s[kind]):,}")
        remark = spec.excluded.get(row.label, spec.remarks.get(row.label, ""))
        if row.label in spec.note_targets:
            remark = "; ".join(x for x in (remark, spec.note_targets[row.label][2]) if x)
        if row.when is None:
            remark = "; ".join(x for x in (remark, "vs our last version (certified)", row.note) if x)
        elif share is None and row.ossoff_pct is not None and not remark:
            remark = "no precinct in yet in the reconstruction"
        if spec is _JUNE and row.label == "21:30":
            split = ", ".join(
                f"{c} {int(s['county:' + c])}/{len(prep.precincts_of(c))}" for c in prep.counties
            )
            remark = f"{remark}; ours: {split}"
        if not remark:
            remark = f"press: {row.note}" if row.note else ""
        out.append(
            ComparisonRow(
                time=row.label,
                reported_ossoff_pct=row.ossoff_pct,
                our_ossoff_pct=share,
                fitted=fitted and share is not None,
                reported_handel_pct=row.handel_pct,
                our_handel_pct=handel if row.handel_pct is not None else None,
                reported_precincts=row.precincts,
                our_precincts=f"{int(s['precincts'])}/{n_total}"
                + (f" (+{int(s['partial'])} partial)" if s["partial"] else ""),
                reported_votes=" · ".join(rep_votes),
                our_votes=" · ".join(our_votes),
                remark=remark,
            )
        )
    return out


def format_table(rows: Sequence[ComparisonRow], title: str = "") -> str:
    """The comparison as fixed-width text (what the CLI prints)."""
    head = (
        "time",
        "press O%",
        "ours O%",
        "diff",
        "fit",
        "press H%",
        "ours H%",
        "press prec.",
        "our prec.",
        "press votes",
        "our votes",
    )
    body = [
        (
            r.time,
            "" if r.reported_ossoff_pct is None else f"{r.reported_ossoff_pct:g}",
            "—" if r.our_ossoff_pct is None else f"{r.our_ossoff_pct:.2f}",
            "" if r.diff is None else f"{r.diff:+.2f}",
            "yes" if r.fitted else "",
            "" if r.reported_handel_pct is None else f"{r.reported_handel_pct:g}",
            "" if r.our_handel_pct is None else f"{r.our_handel_pct:.2f}",
            r.reported_precincts,
            r.our_precincts,
            r.reported_votes,
            r.our_votes,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) for v, w in zip(b, widths, strict=True)).rstrip())
    notes = [(r.time, r.remark) for r in rows if r.remark]
    if notes:
        lines.append("")
        lines.extend(f"  {t}: {remark}" for t, remark in notes)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RehearsalReport:
    """What ``build_night`` made: where, how many versions over what span, and how close the
    reconstruction comes to what the press reported."""

    name: str
    path: Path
    versions: int
    first_time: dt.datetime  # aware UTC
    last_time: dt.datetime  # aware UTC
    rows: tuple[ComparisonRow, ...]
    seed: int
    payload_sha256: tuple[str, ...]

    def comparison(self) -> list[dict[str, Any]]:
        """The comparison rows as plain data (what the night's meta stores under "calibration")."""
        return [r.to_json() for r in self.rows]

    @property
    def max_abs_diff(self) -> float:
        """Largest |ours − press| Ossoff share (points) over the rows the calibration fits."""
        diffs = [abs(r.diff) for r in self.rows if r.fitted and r.diff is not None]
        return max(diffs) if diffs else 0.0

    def format_table(self) -> str:
        first = self.first_time.astimezone(ET)
        last = self.last_time.astimezone(ET)
        title = (
            f"{self.name}: RECONSTRUCTED night ({NOTE[:-1].lower()}), seed {self.seed}, "
            f"{self.versions} versions {first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} ET\n"
            f"Ossoff share: press vs reconstruction (max |diff| over fitted rows "
            f"{self.max_abs_diff:.2f} pts)\n"
        )
        return format_table(self.rows, title)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_night(
    name: str, *, data_dir: Path, out: Path, seed: int = 2017, overwrite: bool = False
) -> RehearsalReport:
    """Build the reconstructed night ``name`` from the certified files in ``data_dir`` into the
    night file ``out``. Deterministic: the same data and seed give the same payloads (and the
    same logical file). Raises ValueError for an unknown name and TrackerError for missing data."""
    if name not in NIGHTS:
        raise ValueError(f"unknown night {name!r}; known nights: {', '.join(KNOWN_NIGHTS)}")
    spec = NIGHTS[name]
    data_dir = Path(data_dir)
    if Path(out).exists() and not overwrite:
        # Fail before a few seconds of work; NightFile.create would refuse too.
        raise NightFileError(f"{out} already exists; choose another name or allow overwriting")
    for src in spec.sources:
        _require(data_dir, src.path)
    rows = read_press_rows(data_dir / PRESS_FILE, spec.date)
    final = _load_april(data_dir) if spec is _APRIL else _load_june(data_dir)
    prep = _Prepared(final)
    timing = (_search_april if spec is _APRIL else _search_june)(prep, spec, rows, seed)
    snapshots = _materialise(prep, spec, timing)
    table = _comparison(prep, spec, rows, timing)

    from tracker.feeds.native import dump_native

    payloads = [dump_native(s) for s in snapshots]
    hashes = tuple(hashlib.sha256(p).hexdigest() for p in payloads)
    first_time = snapshots[0].fetched_at
    last_time = snapshots[-1].fetched_at
    assert first_time is not None and last_time is not None
    max_diff = max((abs(r.diff) for r in table if r.fitted and r.diff is not None), default=0.0)
    source_files = [src.to_json(_sha256(data_dir / src.path)) for src in spec.sources]
    # Night-file meta values are strings; structured values are JSON with sorted keys so the
    # file's logical content is identical on every build.
    meta = {
        "reconstructed": "true",
        "builder": "tracker.archive.rehearsal",
        "night": name,
        "election": _json(
            {"id": spec.election.id, "name": spec.election.name, "date": spec.date.isoformat()}
        ),
        "seed": str(seed),
        "search": _json(
            {
                "chosen_candidate": timing.params.get("candidate"),
                "early_starts": _EARLY_STARTS if spec is _APRIL else 0,
                "candidates": _ED_CANDIDATES,
                "polish_swaps": _ED_POLISH,
                "final_polish_swaps": _FINAL_POLISH,
                "weights": {"ossoff_share": _W_SHARE, "handel_share": _W_HANDEL, "votes": _W_VOTES},
            }
        ),
        "calibration": _json([r.to_json() for r in table]),
        "calibration_max_abs_diff": f"{max_diff:.2f}",
        "source_files": _json(source_files),
        "payload_sha256": _json(list(hashes)),
    }
    sources = [
        f"{f['path']} (sha256 {f['sha256']}) from {f['repository']} {f['repository_path']} @ {f['commit']}"
        if f["repository"]
        else f"{f['path']} (sha256 {f['sha256']}): {f['what']}"
        for f in source_files
    ]
    _write(out, spec, snapshots, payloads, meta, sources, created_at=last_time, overwrite=overwrite)
    return RehearsalReport(
        name=name,
        path=Path(out),
        versions=len(snapshots),
        first_time=first_time,
        last_time=last_time,
        rows=tuple(table),
        seed=seed,
        payload_sha256=hashes,
    )


def _write(
    out: Path,
    spec: _NightSpec,
    snapshots: Sequence[Snapshot],
    payloads: Sequence[bytes],
    meta: dict[str, str],
    sources: Sequence[str],
    *,
    created_at: dt.datetime,
    overwrite: bool,
) -> None:
    """Write the night. ``created_at`` is the reconstructed night's last version, not the wall
    clock, so two builds have the same logical content."""
    from tracker.archive.night import NightFile

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with NightFile.create(
        out,
        kind="reconstructed",
        label=spec.label,
        note=NOTE,
        sources=sources,
        timezone="America/New_York",
        meta=meta,
        overwrite=overwrite,
        created_at=created_at,
    ) as nf:
        for snap, payload in zip(snapshots, payloads, strict=True):
            assert snap.fetched_at is not None
            nf.add_payload(
                payload,
                fetched_at=snap.fetched_at,
                fmt=NATIVE_FORMAT,
                url=f"reconstructed:{spec.name}",
                status=200,
                version=snap.version,
                published_at=snap.published_at,
            )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tracker.archive.rehearsal NAME [--data DIR] [-o OUT] [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m tracker.archive.rehearsal",
        description="Build a reconstructed night from certified precinct results and print how it "
        "compares with what the press reported.",
    )
    parser.add_argument("name", help=" or ".join(KNOWN_NIGHTS))
    parser.add_argument("--data", metavar="DIR", help="the shared data folder (default: ../shared/data)")
    parser.add_argument("-o", "--output", metavar="NIGHT", help="default: resources/nights/NAME.night")
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)
    data_dir = Path(args.data) if args.data else paths.shared_data_dir()
    try:
        if data_dir is None:
            raise TrackerError("cannot find the shared data folder; pass --data DIR")
        out = Path(args.output) if args.output else paths.resources_dir() / "nights" / f"{args.name}.night"
        report = build_night(args.name, data_dir=data_dir, out=out, seed=args.seed, overwrite=True)
    except (TrackerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.format_table())
    print(f"\nwrote {report.path} ({report.path.stat().st_size / 1e6:.2f} MB, {report.versions} versions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
