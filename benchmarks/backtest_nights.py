"""Build the shared real nights into ``.night`` files for the backtest (``python -m benchmarks backtest``).

Every night here comes from ``/work/shared/data`` (see its PROVENANCE.md); none is bundled with the
app. They are built once into ``benchmarks/.nights/`` (ignored by git; ``BACKTEST_NIGHTS=DIR`` moves
it) and rebuilt when this module's ``BUILD_VERSION`` changes.

What each builder keeps and what it must decide, because the sources are not feeds:

* **NC 2020 president** (``nc-2020-president-precincts``, ``nc-2020-president-counties``): the New
  York Times' precinct × vote-type timeseries, 69 timestamps, recorded order and real times (UTC),
  imported by the app itself (``tracker.archive.import_timeseries``, format
  ``nyt-timeseries-csv``; what it decides is in ``tracker.feeds.nyt_timeseries``): the precinct
  night keeps the precincts only, the county night the county rows only (the level forced; the
  app alone picks precincts for NC, whose precincts add up to its state row), so nothing is
  counted twice. A 0 is "not reported"; no unit is ever ``complete``. Baseline: the 2016
  presidential result by county (``baselines/us-county-president-2016.csv``, candidates named by
  party).
* **Allegheny 2022** (``allegheny-2022-SD38``, ``-HD30``, ``-HD33``): the files a poller of the
  county's Clarity site saved, imported by the app as a folder (format ``precinct-totals-csv``,
  ``tracker.feeds.precinct_csv``; the contest is named after the folder, "SD38"), in commit
  order, times from the file names (ET). The poller had already reduced the feed to one total per
  precinct, so the night has one vote type ("Total"); a precinct with votes is ``partial`` (mail
  ballots were counted centrally and spread over every precinct from the first file). No
  baseline.
* **GA 2021 runoff** (``ga-2021-01-05-runoff``): the ALL.json recording imported byte for byte
  (``benchmarks.backtest.ga2021_night``; versions that went backwards stay where they were
  recorded). Names come from the final detail XML only for the table. Baseline: Georgia's Nov 2020
  presidential vote by county (the Clarity county file).
* **GA 2021 runoff in an AP county feed's shape** (``ga-2021-ap-shape-reconstructed``,
  Ossoff–Perdue only): the same recorded counts, version by version, with what an AP county feed
  adds and ALL.json lacks *invented*, so the night is **reconstructed** and says so: each county's
  expected vote (AP's ``eevp``) is its final count times a fixed draw of ±3 % (seeded by the
  county's name), its precincts 100 of which none report until half of its final vote is in (the
  early and mail ballots, counted first) and then in step with the rest; a county is complete
  when its count reaches its final. The shape of Georgia's 2022 AP night (Fulton: 13 of 439
  precincts, 63 % of its vote), which the shared data does not hold; the counts are real, the
  sizes and precinct counts are not. Baseline: as GA 2021.
* **Virginia 2017 governor** (``va-2017-governor-<order>-reconstructed``): final counts only, so
  the nights are *reconstructed*: precincts released in an order (random; the Republican's best
  precincts first; the Democrat's best first; county by county) in 20 versions of about 5 % of the
  final vote each, times invented (ten minutes apart from 19:00 ET) and said so in the meta.
  Baseline: the same file's ``baseline_*`` columns (an earlier election in the same precincts).
* **GA-06 April and June 2017**: the bundled reconstructed nights (``resources/nights``). April's
  baseline is the November 2016 precinct results (President and U.S. House 6 by precinct × vote
  type; county-total rows left out); June's is April (the nights' own mapping).

The NC and VA nights name their baseline in their meta (``baseline``, a payload beside them), so
``election-tracker backtest NIGHT`` uses it and ``--baseline none`` leaves it out.

Run ``python -m benchmarks.backtest_nights`` to (re)build them and print what was built.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker import paths
from tracker.archive.import_timeseries import import_timeseries
from tracker.archive.importer import import_payloads, name_time
from tracker.archive.night import NightFile
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
from tracker.feeds.native import FORMAT, dump_native

#: Bump when a builder changes what it writes: the cache is rebuilt.
BUILD_VERSION = "8"
CACHE = Path(__file__).resolve().parent / ".nights"
#: A fixed creation time so the same inputs give the same file.
CREATED = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
ET = dt.timezone(dt.timedelta(hours=-5))

NC_FILE = "nights/nc-2020-president/NC_precincts_timeseries_2020.csv.gz"
NC_BASELINE = "baselines/us-county-president-2016.csv"
ALLEGHENY = "nights/allegheny-2022"
VA_FILE = "wapo/2017-11-07_VA_G_governor_precinct.csv"
GA06_2016 = "ga06-2016-baseline"

#: The candidates of the source's own final state row (``nc_final_state_row``, the check).
NC_CANDIDATES = (("biden", "Biden", "DEM"), ("trump", "Trump", "REP"), ("jorgensen", "Jorgensen", "LIB"))
VA_ORDERS = ("random", "gop-first", "dem-first", "by-county")


@dataclass(frozen=True)
class BuiltNight:
    """A night ready for the backtest."""

    key: str
    title: str
    path: Path
    #: A baseline file (night or payload) for the "with baseline" runs; None: the night has none.
    baseline: Path | None
    #: Recorded version by version (True) or reconstructed (False).
    recorded: bool
    #: The contest to score (id), None: the one with the most votes.
    contest: str | None = None
    #: Display names of the candidates when the night's payloads carry none (ALL.json).
    names: dict[str, str] = dataclasses.field(default_factory=dict)
    #: One real final version, scored in reordered orders only (it has no recorded order).
    reorders_only: bool = False


def shared() -> Path:
    data = paths.shared_data_dir()
    if data is None:
        raise FileNotFoundError("the shared data folder is missing (see /work/shared/data)")
    return data


def cache_dir() -> Path:
    folder = Path(os.environ.get("BACKTEST_NIGHTS", CACHE))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "BUILD_VERSION"
    if not stamp.is_file() or stamp.read_text().strip() != BUILD_VERSION:
        for old in folder.glob("*"):
            if old.is_file():
                old.unlink()
        stamp.write_text(BUILD_VERSION + "\n")
    return folder


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------


def _final_unit(uid: str, name: str, kind: UnitKind, county: str | None, votes: dict[str, dict[str, int]]):
    """A unit of a final result (a baseline, or a reconstructed night's released unit): complete."""
    return ReportingUnit(
        id=uid, name=name, kind=kind, county=county, reporting=Reporting.COMPLETE, votes=votes
    )


def _write_night(
    out: Path,
    snapshots: Sequence[tuple[dt.datetime, Snapshot]],
    *,
    kind: str,
    label: str,
    note: str,
    sources: Iterable[str],
    timezone: str,
    meta: dict[str, str] | None = None,
) -> Path:
    tmp = out.with_name(out.name + ".building")
    tmp.unlink(missing_ok=True)
    with NightFile.create(
        tmp,
        kind=kind,
        label=label,
        note=note,
        sources=list(sources),
        timezone=timezone,
        meta=meta,
        created_at=CREATED,
    ) as night:
        for when, snap in snapshots:
            night.add_payload(
                dump_native(snap),
                fetched_at=when,
                fmt=FORMAT,
                url="",
                version=snap.version or None,
                published_at=snap.published_at,
            )
    tmp.replace(out)
    return out


def _write_payload(out: Path, snap: Snapshot) -> Path:
    out.write_bytes(dump_native(snap))
    return out


# ----------------------------------------------------------------------------------------------
# North Carolina 2020
# ----------------------------------------------------------------------------------------------


def _int(text: str) -> int:
    return int(float(text)) if text not in ("", "nan", "NaN") else 0


def build_nc(folder: Path, level: str) -> Path:
    """``level`` "precincts" or "counties": the app's own import of the timeseries
    (``tracker.archive.import_timeseries``), at that level."""
    out = folder / f"nc-2020-president-{level}.night"
    if out.is_file():
        return out
    import_timeseries(
        shared() / NC_FILE,
        out=out,
        label=(
            f"North Carolina 2020 President by {'precinct' if level == 'precincts' else 'county'}"
            " — NYT timeseries, recorded order"
        ),
        timezone="America/New_York",
        created_at=CREATED,
        level="precinct" if level == "precincts" else "county",
        meta={"benchmark_build": BUILD_VERSION, "baseline": build_nc_baseline(folder).name},
    )
    return out


def nc_final_state_row(data: Path | None = None) -> dict[str, int]:
    """The source's own final statewide totals (the STATE row, vote type ``total``, last time)."""
    path = (data or shared()) / NC_FILE
    last: tuple[str, dict[str, int]] = ("", {})
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["precinct"] == "STATE" and row["vote_type"] == "total" and row["timestamp"] >= last[0]:
                last = (row["timestamp"], {c: _int(row[f"votes_{c}"]) for c, _, _ in NC_CANDIDATES})
                last[1]["other"] = _int(row["votes_other"])
                last[1]["votes"] = _int(row["votes"])
    return last[1]


def build_nc_baseline(folder: Path) -> Path:
    """NC's 2016 presidential result by county as a tracker-feed/1 payload (candidates by party:
    the baseline's names are not tonight's)."""
    return build_state_baseline(folder, "NC", "North Carolina")


def build_state_baseline(folder: Path, state: str, state_name: str) -> Path:
    """A state's 2016 presidential result by county (the shared table the app's shipped one is
    made from) as a tracker-feed/1 payload, candidates by party."""
    out = folder / f"{state.lower()}-2016-president-by-county-baseline.json"
    if out.is_file():
        return out
    units = []
    with (shared() / NC_BASELINE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["state_abbr"] != state:
                continue
            name = re.sub(r"\s+County$", "", row["county_name"].strip())
            dem, gop, total = (_int(row[k]) for k in ("votes_dem", "votes_gop", "total_votes"))
            votes = {"dem": {"Total": dem}, "gop": {"Total": gop}, "other": {"Total": total - dem - gop}}
            units.append(_final_unit(row["combined_fips"], name, UnitKind.COUNTY, name, votes))
    contest = Contest(
        id=f"{state.lower()}-president-2016",
        name="President of the United States",
        candidates=(
            Candidate("dem", "Democratic candidate (2016)", "DEM", 0),
            Candidate("gop", "Republican candidate (2016)", "REP", 1),
            Candidate("other", "Other candidates (2016)", "", 2),
        ),
        units=tuple(units),
        threshold=ThresholdRule("plurality"),
        vote_types=(VoteType.from_name("Total"),),
    )
    snap = Snapshot(
        election=Election(
            id=f"{state.lower()}-2016-11-08",
            name=f"{state_name}, President 2016 by county (baseline)",
            date=dt.date(2016, 11, 8),
            source="tonmcg/US_County_Level_Election_Results_08-20 (not certified)",
        ),
        contests=(contest,),
        version="final",
    )
    return _write_payload(out, snap)


# ----------------------------------------------------------------------------------------------
# Allegheny 2022
# ----------------------------------------------------------------------------------------------

ALLEGHENY_RACES = {
    "SD38": "State Senate, District 38",
    "HD30": "State House, District 30",
    "HD33": "State House, District 33",
}


def _file_time(name: str) -> dt.datetime:
    """``2022-11-08T20-04-04-05-00.csv`` → 2022-11-08 20:04:04 −05:00 (as the importer reads it)."""
    when = name_time(name, dt.UTC)
    if when is None:
        raise ValueError(f"unexpected file name {name}")
    return when


def build_allegheny(folder: Path, race: str) -> Path:
    """The app's own import of the poller's folder (format ``precinct-totals-csv``; the contest
    is named after the folder, e.g. "SD38")."""
    out = folder / f"allegheny-2022-{race}.night"
    if out.is_file():
        return out
    import_payloads(
        [shared() / ALLEGHENY / race],
        out=out,
        label=f"Allegheny County 2022, {ALLEGHENY_RACES[race]} — poller files, recorded order",
        timezone="America/New_York",
        created_at=CREATED,
        meta={"benchmark_build": BUILD_VERSION},
    )
    return out


# ----------------------------------------------------------------------------------------------
# Other states' final results by county, reordered
# ----------------------------------------------------------------------------------------------

#: Real final (or election-night complete) results by county of states no other night covers, as
#: their Clarity state sites published them: key, state, its name, the file, what it is. Each is
#: one real version; the backtest scores it in reordered orders only (the order is invented, the
#: counts are the file's), against its state's 2016 presidential result by county.
OTHER_STATES = (
    (
        "ga-2020-counties",
        "GA",
        "Georgia",
        "clarity/wapo-elex-clarity_ga_counties_11-3.xml",
        "GA 2020 President by county, four vote types (Clarity, every precinct in)",
    ),
    (
        "sc-2020-counties",
        "SC",
        "South Carolina",
        "clarity/sc_2020_general_statewide_detail_20201130.xml",
        "SC 2020 President by county, six vote types (Clarity, 30 Nov)",
    ),
    (
        "co-2020-counties",
        "CO",
        "Colorado",
        "clarity/co_2020_general_statewide_detail_20201123.xml",
        "CO 2020 President by county, one total (Clarity, 23 Nov)",
    ),
    (
        "wv-2020-counties",
        "WV",
        "West Virginia",
        "clarity/wapo-elex-clarity_wv_counties_11-3.xml",
        "WV 2020 President by county, election day only (Clarity, every precinct in)",
    ),
)


def build_final_night(folder: Path, key: str, file: str, title: str) -> Path:
    """One real results file as a one-version night (the app's own import)."""
    out = folder / f"{key}-final.night"
    if out.is_file():
        return out
    import_payloads(
        [shared() / file],
        out=out,
        label=f"{title} — one final version, reordered by the backtest",
        created_at=CREATED,
        meta={"benchmark_build": BUILD_VERSION},
    )
    return out


# ----------------------------------------------------------------------------------------------
# Virginia 2017 (reconstructed)
# ----------------------------------------------------------------------------------------------


def read_va() -> list[dict[str, str]]:
    with (shared() / VA_FILE).open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["geographic_unit_type"] == "precinct"]


_VA_CANDS = (
    Candidate("dem", "Democrat", "DEM", 0),
    Candidate("gop", "Republican", "REP", 1),
    Candidate("other", "Others", "", 2),
)


def _va_votes(row: dict[str, str], prefix: str) -> dict[str, dict[str, int]]:
    """Democrat, Republican and the rest (turnout minus both). In two precincts the file's
    turnout is one vote below dem + gop; "Others" is 0 there, so the night's total is the sum of
    the candidates, 2 votes above the turnout column's sum."""
    dem, gop, total = (_int(row[f"{prefix}_{k}"]) for k in ("dem", "gop", "turnout"))
    return {"dem": {"Total": dem}, "gop": {"Total": gop}, "other": {"Total": max(total - dem - gop, 0)}}


def va_order(rows: Sequence[dict[str, str]], order: str, seed: int = 0) -> list[int]:
    """Release order of the precincts for a reconstructed VA night."""
    rng = random.Random(f"va:{order}:{seed}")
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    if order == "random":
        return idx

    def gop_share(i: int) -> float:
        t = _int(rows[i]["results_turnout"])
        return _int(rows[i]["results_gop"]) / t if t else 0.5

    if order == "gop-first":
        return sorted(idx, key=lambda i: -gop_share(i) + rng.gauss(0, 0.05))
    if order == "dem-first":
        return sorted(idx, key=lambda i: gop_share(i) + rng.gauss(0, 0.05))
    if order == "by-county":
        counties = sorted({r["county_fips"] for r in rows})
        rng.shuffle(counties)
        rank = {c: n for n, c in enumerate(counties)}
        return sorted(idx, key=lambda i: rank[rows[i]["county_fips"]])  # stable: shuffled within
    raise ValueError(f"unknown VA order {order!r}")


def _va_contest(rows: Sequence[dict[str, str]], shown: set[int], prefix: str = "results") -> Contest:
    units = []
    for i, row in enumerate(rows):
        uid, name, county = row["geographic_unit_fips"], row["geographic_unit_name"], row["county_fips"]
        if i in shown:
            units.append(_final_unit(uid, name, UnitKind.PRECINCT, county, _va_votes(row, prefix)))
        else:
            units.append(ReportingUnit(id=uid, name=name, kind=UnitKind.PRECINCT, county=county))
    return Contest(
        id="va-governor",
        name="Governor of Virginia",
        candidates=_VA_CANDS,
        units=tuple(units),
        threshold=ThresholdRule("plurality"),
        vote_types=(VoteType.from_name("Total"),),
    )


def build_va(folder: Path, order: str, steps: int = 20) -> Path:
    out = folder / f"va-2017-governor-{order}-reconstructed.night"
    if out.is_file():
        return out
    rows = read_va()
    idx = va_order(rows, order)
    total = sum(_int(r["results_turnout"]) for r in rows)
    start = dt.datetime(2017, 11, 7, 19, 0, tzinfo=ET)
    snaps = []
    shown: set[int] = set()
    cum = 0
    pos = 0
    for step in range(1, steps + 1):
        while pos < len(idx) and (cum < total * step / steps or step == steps):
            shown.add(idx[pos])
            cum += _int(rows[idx[pos]]["results_turnout"])
            pos += 1
        when = start + dt.timedelta(minutes=10 * step)
        snap = Snapshot(
            election=Election(
                id="va-2017-11-07",
                name=f"Virginia governor 2017 — reconstructed ({order} order)",
                date=dt.date(2017, 11, 7),
                source="washingtonpost/elex-live-model test fixture (final counts by precinct)",
                reconstructed=True,
                note=f"final counts released in a {order} order; times invented",
            ),
            contests=(_va_contest(rows, shown),),
            version=str(step),
            published_at=when,
        )
        snaps.append((when, snap))
    return _write_night(
        out,
        snaps,
        kind="reconstructed",
        label=f"Virginia 2017 governor by precinct — reconstructed, {order} order",
        note=(
            f"Reconstructed from final counts: precincts released in a {order} order in {steps} versions "
            "of about equal vote; times invented (10 minutes apart). Not a recorded night."
        ),
        sources=[VA_FILE],
        timezone="America/New_York",
        meta={
            "benchmark_build": BUILD_VERSION,
            "baseline": build_va_baseline(folder).name,
            "reconstructed_order": order,
            "times": "invented",
        },
    )


def build_va_baseline(folder: Path) -> Path:
    out = folder / "va-2017-precincts-baseline.json"
    if out.is_file():
        return out
    rows = read_va()
    units = [
        _final_unit(
            r["geographic_unit_fips"],
            r["geographic_unit_name"],
            UnitKind.PRECINCT,
            r["county_fips"],
            _va_votes(r, "baseline"),
        )
        for r in rows
    ]
    contest = dataclasses.replace(_va_contest(rows, set()), units=tuple(units))
    snap = Snapshot(
        election=Election(
            id="va-baseline",
            name="Virginia precincts, the baseline election of the WaPo fixture",
            source="washingtonpost/elex-live-model test fixture, baseline_* columns",
        ),
        contests=(contest,),
        version="final",
    )
    return _write_payload(out, snap)


# ----------------------------------------------------------------------------------------------
# GA-06: the 2016 precinct baseline for the bundled April night
# ----------------------------------------------------------------------------------------------

#: Columns of the 2016 precinct files that are not vote types (the rest are, and differ by
#: county: DeKalb and Fulton have an "advance_in_person_3").
GA06_FIXED = ("county", "precinct", "office", "district", "party", "candidate", "votes")


def _ga06_type(column: str) -> str:
    return column.replace("_", " ").capitalize()  # "advance_in_person_1" → "Advance in person 1"


def read_ga06_2016(office: str) -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    """(county, precinct) → candidate → vote type → votes for ``office`` ("President…" or
    "U.S. Representative" district 6); county total rows (empty precinct) left out."""
    out: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
    for p in sorted((shared() / GA06_2016).glob("*.csv")):
        with p.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if not row["precinct"].strip() or row["office"] != office:
                    continue
                if office == "U.S. Representative" and row["district"].strip() not in ("6", "06"):
                    continue
                by = out.setdefault((row["county"], row["precinct"]), {}).setdefault(row["candidate"], {})
                for col, value in row.items():
                    if col not in GA06_FIXED and value not in ("", None):
                        vt = _ga06_type(col)
                        by[vt] = by.get(vt, 0) + _int(value)
    return out


def build_ga06_baseline(folder: Path) -> Path:
    """The 6th district's precincts in Nov 2016: President (the top of the ticket) and U.S. House
    6, a tracker-feed/1 payload. Only precincts that voted in the House 6 race are kept (the
    district's precincts); the President contest is cut to the same precincts."""
    out = folder / "ga06-2016-precincts-baseline.json"
    if out.is_file():
        return out
    house = read_ga06_2016("U.S. Representative")
    president = read_ga06_2016("President of the United States")
    contests = []
    for cid, name, data in (
        ("president-2016", "President of the United States (2016)", president),
        ("house6-2016", "U.S. House, District 6 (2016)", house),
    ):
        names = sorted({c for (key, by) in data.items() if key in house for c in by})
        ids = {n: f"c{i}" for i, n in enumerate(names)}
        units = []
        for county, precinct in sorted(house):
            by = data.get((county, precinct), {})
            votes = {ids[c]: dict(v) for c, v in by.items()}
            units.append(_final_unit(f"{county}/{precinct}", precinct, UnitKind.PRECINCT, county, votes))
        contests.append(
            Contest(
                id=cid,
                name=name,
                candidates=tuple(Candidate(ids[n], n, "", i) for i, n in enumerate(names)),
                units=tuple(units),
                threshold=ThresholdRule("plurality")
                if cid.startswith("president")
                else ThresholdRule.majority(),
                vote_types=tuple(
                    VoteType.from_name(v)
                    for v in sorted({vt for by in data.values() for c in by.values() for vt in c})
                ),
            )
        )
    snap = Snapshot(
        election=Election(
            id="ga-2016-11-08-district6",
            name="Georgia 6th district precincts, 8 Nov 2016 (baseline)",
            date=dt.date(2016, 11, 8),
            source="openelections/openelections-data-ga 2016 precinct files",
        ),
        contests=tuple(contests),
        version="final",
    )
    return _write_payload(out, snap)


# ----------------------------------------------------------------------------------------------
# GA 2021 runoff
# ----------------------------------------------------------------------------------------------


def ga2021_names() -> dict[str, dict[str, str]]:
    """Contest id → candidate id → name ("" → the contest's name), from the final detail XML of
    the same election. Without names ALL.json's candidate ids are ballot positions ("1", "2")."""
    from tracker.feeds.registry import parse_payload

    path = shared() / "clarity/napervillpol-ga2022_detail.xml"
    snap = parse_payload(path.read_bytes(), "auto", source=path.name)
    out = {}
    for c in snap.contests:
        ordered = sorted(c.candidates, key=lambda k: k.ballot_order)
        out[c.id] = {"": c.name, **{str(j + 1): k.name for j, k in enumerate(ordered)}}
    return out


#: The AP-shaped night's invented parts: the expected vote's spread around the final count, the
#: precincts of every county, and the part of a county's final counted before any precinct.
AP_SHAPE_SPREAD = 0.03
AP_SHAPE_PRECINCTS = 100
AP_SHAPE_FIRST = 0.5


def _ap_shape_unit(unit: ReportingUnit, final: int) -> ReportingUnit:
    import zlib

    count = unit.total()
    done = count / final if final else 0.0
    if final and count >= final:
        reporting, precincts = Reporting.COMPLETE, AP_SHAPE_PRECINCTS
    else:
        step = (done - AP_SHAPE_FIRST) / (1.0 - AP_SHAPE_FIRST) * AP_SHAPE_PRECINCTS
        precincts = max(0, min(AP_SHAPE_PRECINCTS - 1, round(step)))
        reporting = Reporting.PARTIAL if count else Reporting.NONE
    draw = random.Random(zlib.crc32(unit.name.encode())).gauss(0.0, AP_SHAPE_SPREAD)
    expected = max(count, round(final * (1.0 + draw))) if final else None
    return dataclasses.replace(
        unit,
        reporting=reporting,
        precincts_total=AP_SHAPE_PRECINCTS,
        precincts_reporting=precincts,
        expected_votes=expected or None,
    )


def build_ga2021_ap_shape(folder: Path, recorded: Path, contest: str = "10000") -> Path:
    """The recorded GA 2021 counts of ``contest`` in an AP county feed's shape (see the module
    docstring): reconstructed, and labelled so."""
    from tracker.archive.chain import VersionChain

    out = folder / "ga-2021-ap-shape-reconstructed.night"
    if out.is_file():
        return out
    # ALL.json names nobody; an AP feed names its candidates (from the final detail XML, by ballot
    # position, as the table does)
    names = ga2021_names().get(contest, {})
    with NightFile.open(recorded) as night:
        versions = night.versions()
        chain = VersionChain(night, versions)
        last = chain.snapshot(len(versions) - 1).contest(contest)
        final = {u.id: u.total() for u in last.units}
        snaps = []
        for i, version in enumerate(versions):
            snap = chain.snapshot(i)
            try:
                c = snap.contest(contest)
            except KeyError:
                continue
            units = tuple(_ap_shape_unit(u, final.get(u.id, 0)) for u in c.units)
            named = tuple(dataclasses.replace(k, name=names.get(k.id, k.name)) for k in c.candidates)
            c = dataclasses.replace(c, name=names.get("", c.name), candidates=named)
            snaps.append(
                (
                    version.fetched_at,
                    dataclasses.replace(snap, contests=(dataclasses.replace(c, units=units),)),
                )
            )
    return _write_night(
        out,
        snaps,
        kind="reconstructed",
        label="GA 2021 runoff, AP county shape (reconstructed: expected votes and precincts invented)",
        note=(
            "RECONSTRUCTED for the backtest: Georgia's recorded 5 Jan 2021 ALL.json counts, with each "
            f"county's expected vote its final count ±{AP_SHAPE_SPREAD:.0%} (a fixed draw) and "
            f"{AP_SHAPE_PRECINCTS} invented precincts none of which report before "
            f"{AP_SHAPE_FIRST:.0%} of its final vote is in"
        ),
        sources=["recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson"],
        timezone="America/New_York",
        meta={"reconstructed_order": "recorded", "invented": "expected_votes, precincts"},
    )


def build_ga2021(folder: Path) -> tuple[Path, Path] | None:
    from benchmarks.backtest import GA2020_COUNTIES, ga2021_night

    out = folder / "ga-2021-01-05-runoff.night"
    if out.is_file():
        return out, shared() / GA2020_COUNTIES
    built = ga2021_night(folder, out.name)
    (folder / "times.csv").unlink(missing_ok=True)
    return built


# ----------------------------------------------------------------------------------------------
# All of them
# ----------------------------------------------------------------------------------------------


def all_nights(folder: Path | None = None, *, va_orders: Sequence[str] = VA_ORDERS) -> list[BuiltNight]:
    """Every night of the backtest, built (or taken from the cache)."""
    folder = folder or cache_dir()
    nights_dir = paths.resources_dir() / "nights"
    out: list[BuiltNight] = []
    nc_base = build_nc_baseline(folder)
    for level in ("precincts", "counties"):
        out.append(
            BuiltNight(
                f"nc-2020-{level}",
                f"NC 2020 President by {'precinct' if level == 'precincts' else 'county'} (recorded)",
                build_nc(folder, level),
                nc_base,
                True,
            )
        )
    for race in ALLEGHENY_RACES:
        out.append(
            BuiltNight(
                f"allegheny-{race}",
                f"Allegheny 2022 {race} (recorded)",
                build_allegheny(folder, race),
                None,
                True,
            )
        )
    ga = build_ga2021(folder)
    if ga is not None:
        names = ga2021_names()
        for cid in ("10000", "10100"):
            if cid in names:
                out.append(
                    BuiltNight(
                        f"ga-2021-{cid}",
                        f"GA 2021 runoff, {names[cid]['']} (recorded ALL.json)",
                        ga[0],
                        ga[1],
                        True,
                        contest=cid,
                        names=names[cid],
                    )
                )
        out.append(
            BuiltNight(
                "ga-2021-ap-shape",
                "GA 2021 runoff, Ossoff–Perdue, in an AP county feed's shape (reconstructed)",
                build_ga2021_ap_shape(folder, ga[0]),
                ga[1],
                False,
                contest="10000",
                names=names.get("10000", {}),
            )
        )
    for key, state, state_name, file, title in OTHER_STATES:
        out.append(
            BuiltNight(
                key,
                f"{title}, reordered",
                build_final_night(folder, key, file, title),
                build_state_baseline(folder, state, state_name),
                False,
                contest="President",
                reorders_only=True,
            )
        )
    va_base = build_va_baseline(folder)
    for order in va_orders:
        out.append(
            BuiltNight(
                f"va-2017-{order}",
                f"VA 2017 governor, {order} order (reconstructed)",
                build_va(folder, order),
                va_base,
                False,
            )
        )
    out.append(
        BuiltNight(
            "ga06-april",
            "GA-06 18 Apr 2017 (bundled, reconstructed)",
            nights_dir / "ga06-2017-04-18.night",
            build_ga06_baseline(folder),
            False,
        )
    )
    out.append(
        BuiltNight(
            "ga06-june",
            "GA-06 runoff 20 Jun 2017 (bundled, reconstructed)",
            nights_dir / "ga06-2017-06-20.night",
            nights_dir / "ga06-2017-04-18.night",
            False,
        )
    )
    return out


def main() -> None:
    for night in all_nights():
        with NightFile.open(night.path) as nf:
            n = len(nf.versions())
            kind = nf.kind
        base = night.baseline.name if night.baseline else "no baseline"
        print(f"{night.key:24} {n:4} versions  {kind:13}  {night.path}  ({base})")


if __name__ == "__main__":
    main()


__all__ = [
    "ALLEGHENY_RACES",
    "BuiltNight",
    "all_nights",
    "build_allegheny",
    "build_final_night",
    "build_ga06_baseline",
    "build_nc",
    "build_nc_baseline",
    "build_state_baseline",
    "build_va",
    "build_va_baseline",
]
