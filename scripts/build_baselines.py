"""Build the baselines that ship with the app (resources/baselines/) from /work/shared/data.

Run once when the shared data changes: ``python scripts/build_baselines.py [SHARED_DATA]``.
Writes

* ``us-county-president.csv`` — US presidential results by county, 2016/2020/2024: year, 5-digit
  FIPS, state postal code, county name, Democratic, Republican and total votes (nothing else: the
  app only needs turnout and the two-party lean);
* ``ga06-2016-11-08.json`` — the 6th district's precincts in November 2016 (President and the
  district's House race, by vote type) as a ``tracker-feed/1`` document, the April 2017 night's
  baseline. A precinct split between districts carries its whole presidential vote.

Sources and their caveats: ``resources/baselines/PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "baselines"

STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD",
    "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}  # fmt: skip

#: The April 2017 feed's names for the 2016 CSV's vote-type columns (so the canonical types match).
VOTE_TYPES = {
    "election_day": "Election Day",
    "absentee_by_mail": "Absentee by Mail",
    "advance_in_person_1": "Advance in Person 1",
    "advance_in_person_2": "Advance in Person 2",
    "advance_in_person_3": "Advance in Person 3",
    "provisional": "Provisional",
}


def _int(text: str) -> int:
    return round(float(text or 0))


def build_counties(data: Path) -> int:
    rows = []
    for year in (2016, 2020, 2024):
        with open(data / "baselines" / f"us-county-president-{year}.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if year == 2016:
                    fips, state = r["combined_fips"], r["state_abbr"]
                else:
                    fips, state = r["county_fips"], STATES[r["state_name"]]
                rows.append(
                    (year, fips.zfill(5), state, r["county_name"], _int(r["votes_dem"]), _int(r["votes_gop"]),
                     _int(r["total_votes"]))
                )  # fmt: skip
    with open(OUT / "us-county-president.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["year", "fips", "state", "county", "dem", "gop", "total"])
        w.writerows(rows)
    return len(rows)


def build_ga06(data: Path) -> int:
    folder = data / "ga06-2016-baseline"
    district: set[tuple[str, str]] = set()
    rows: list[dict[str, str]] = []
    for county in ("cobb", "dekalb", "fulton"):
        with open(folder / f"20161108__ga__general__{county}__precinct.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if not r["precinct"].strip():
                    continue  # the county's total row
                rows.append(r)
                if r["office"] == "U.S. Representative" and r["district"].strip() == "6":
                    district.add((r["county"], r["precinct"]))
    contests = []
    for office, name, want in (
        ("President of the United States", "President of the United States", lambda r: True),
        (
            "U.S. Representative",
            "U.S. Representative, District 6 (2016)",
            lambda r: r["district"].strip() == "6",
        ),
    ):
        cands: dict[str, str] = {}
        units: dict[str, dict] = {}
        types: list[str] = []
        for r in rows:
            if r["office"] != office or not want(r) or (r["county"], r["precinct"]) not in district:
                continue
            cid = cands.setdefault(r["candidate"], f"c{len(cands) + 1}")
            uid = f"{r['county']}/{r['precinct']}"
            unit = units.setdefault(
                uid,
                {
                    "id": uid,
                    "name": r["precinct"],
                    "kind": "precinct",
                    "county": r["county"],
                    "reporting": "complete",
                    "votes": {},
                },
            )
            by = unit["votes"].setdefault(cid, {})
            for col, vt in VOTE_TYPES.items():
                if col in r and r[col].strip():
                    by[vt] = by.get(vt, 0) + _int(r[col])
                    if vt not in types:
                        types.append(vt)
        contests.append(
            {
                "id": "president" if office.startswith("President") else "house-6",
                "name": name,
                "candidates": [{"id": cid, "name": nm} for nm, cid in cands.items()],
                "vote_types": types,
                "units": sorted(units.values(), key=lambda u: u["id"]),
            }
        )
    doc = {
        "format": "tracker-feed/1",
        "election": {
            "id": "ga06-2016-11-08",
            "name": "Georgia 6th district precincts, general election of 8 November 2016 (baseline)",
            "date": "2016-11-08",
            "source": "openelections/openelections-data-ga 2016 precinct files (see PROVENANCE.md)",
        },
        "version": "final",
        "contests": contests,
    }
    (OUT / "ga06-2016-11-08.json").write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    )
    return len(district)


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{build_counties(data)} county rows; {build_ga06(data)} GA-06 precincts")


if __name__ == "__main__":
    main()
