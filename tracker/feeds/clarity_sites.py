"""Clarity the way states and counties publish it: the election listing, a state site's county
sub-sites and the versions a late start missed. Pure functions; the poller does the requests.

* **The listing**: ``/{ST}/elections.json`` on a Clarity host lists the elections the site
  publishes now — ``[{"ElectionName", "Date": "11/03/2026 07:00:00", "State": "SC",
  "County": null | "Charleston", "EID": 130000}, …]``; each entry's site is ``/{ST}/{EID}/`` or
  ``/{ST}/{County_with_underscores}/{EID}/`` (:func:`parse_listing`).
* **County sub-sites**: a state site's ``{version}/json/en/electionsettings.json`` lists its counties
  in ``participatingcounties`` (``"Name|electionId|version|timestamp|n"``,
  :class:`~tracker.feeds.clarity_json.ClarityCounty`). Each county publishes its own
  ``current_ver.txt``; the poller reads it, so each county is followed at its own version, and a
  county whose own site is at a version older than the one the state lists for it is *behind the
  state* (its CDN serves the past): :func:`county_statuses`.
* **Versions a late start missed**: the same file's ``versions`` lists every version published so
  far; a poller that starts after the first ones fetches those it never saw, oldest first, while the
  site still serves them (:func:`missed_versions`; a 404 means the site no longer does).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracker.core.errors import FeedError
from tracker.feeds.clarity_json import ClarityCounty

__all__ = [
    "BACKFILL_MAX",
    "ClarityListing",
    "CountyStatus",
    "county_statuses",
    "missed_versions",
    "parse_listing",
    "settings_path",
]

#: The most missed versions fetched after a late start (the most recent ones; a site with hundreds
#: of versions is not downloaded whole on connecting).
BACKFILL_MAX = 50


@dataclass(frozen=True)
class ClarityListing:
    """One election a Clarity host lists in ``/{ST}/elections.json``."""

    name: str
    date: dt.date | None
    state: str
    county: str | None
    election_id: str

    def base_path(self) -> str:
        """The election's site, ``/{ST}/{id}/`` or ``/{ST}/{County_with_underscores}/{id}/``."""
        if self.county:
            return f"/{self.state}/{self.county.replace(' ', '_')}/{self.election_id}/"
        return f"/{self.state}/{self.election_id}/"


def _date(text: object) -> dt.date | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.strptime(text.strip().split(" ")[0], "%m/%d/%Y").date()
    except ValueError:
        return None


def parse_listing(data: bytes) -> tuple[ClarityListing, ...]:
    """The elections of a ``/{ST}/elections.json`` (see the module docstring); FeedError, one
    sentence, for anything else. An empty list (no election published now) is valid."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise FeedError("Clarity elections.json: not valid JSON") from None
    if not isinstance(doc, list):
        raise FeedError("Clarity elections.json: expected a list of elections")
    out: list[ClarityListing] = []
    for i, row in enumerate(doc):
        if not isinstance(row, dict):
            raise FeedError(f"Clarity elections.json: entry {i} is not an object")
        eid, state = row.get("EID"), row.get("State")
        if isinstance(eid, bool) or not isinstance(eid, (int, str)) or not str(eid).strip().isdigit():
            raise FeedError(f"Clarity elections.json: entry {i} has no numeric EID")
        if not isinstance(state, str) or not state.strip().isalpha():
            raise FeedError(f"Clarity elections.json: entry {i} has no State")
        county = row.get("County")
        name = row.get("ElectionName")
        out.append(
            ClarityListing(
                name=" ".join(name.split()) if isinstance(name, str) else "",
                date=_date(row.get("Date")),
                state=state.strip().upper(),
                county=" ".join(county.split()) if isinstance(county, str) and county.strip() else None,
                election_id=str(eid).strip(),
            )
        )
    return tuple(out)


def settings_path(version: int | str) -> str:
    """Where a Clarity site publishes a version's settings, relative to its base URL."""
    return f"{version}/json/en/electionsettings.json"


def missed_versions(
    listed: Sequence[str], current: int, seen: set[int], *, limit: int = BACKFILL_MAX
) -> list[int]:
    """The versions ``listed`` (an electionsettings.json ``versions``) older than ``current`` that
    were never fetched (``seen``), oldest first; at most the ``limit`` most recent of them."""
    older = sorted({int(v) for v in listed if v.isdigit() and int(v) < current and int(v) not in seen})
    return older[-limit:] if limit > 0 else []


@dataclass(frozen=True)
class CountyStatus:
    """One county sub-site as the tracker follows it."""

    name: str
    #: The version the state site lists for the county, and the county site's own.
    listed: str
    own: str | None
    updated: str

    @property
    def behind(self) -> bool:
        """The county's own site serves an older version than the state lists for it."""
        return (
            self.own is not None
            and self.own.isdigit()
            and self.listed.isdigit()
            and int(self.own) < int(self.listed)
        )

    def describe(self) -> str:
        if self.own is None:
            return f"{self.name}: its own site has not answered yet"
        if self.behind:
            return f"{self.name}: its own site is at version {self.own}, behind the state's {self.listed}"
        return f"{self.name}: version {self.own}"


def county_statuses(counties: Sequence[ClarityCounty], own: Mapping[str, str]) -> tuple[CountyStatus, ...]:
    """Each county of the state's list with its own site's version (``own``, by county name)."""
    return tuple(
        CountyStatus(name=c.name, listed=c.version, own=own.get(c.name), updated=c.updated) for c in counties
    )
