"""The press timeline (``press_reported_timeline.csv``): the numbers the press reported during the
night. Rounded and partly approximate by nature; targets for the timing, never vote counts."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from tracker.archive.rehearsal.clock import ET


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
