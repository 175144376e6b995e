"""The reconstructed nights: what each is called and labelled, its input files and where they were
copied from (``../shared/data/PROVENANCE.md``, stored in the night's meta), and which press rows it
fits differently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.core.model import Election

NOTE = "Reconstructed from certified precinct results — not the original feed."
HOUSE_CONTEST = "U.S. Representative, District 6"
PRESS_FILE = "ga06-2017-04-18/press_reported_timeline.csv"


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
