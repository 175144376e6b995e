"""Serving a night as a Clarity (Scytl) site: the state site, its county sub-sites, their files.

Kept apart from :class:`~tracker.archive.serve.FeedServer`, which mixes :class:`ClarityRoutes` in,
because Clarity's layout is the richest: ``/{ST}/{id}/current_ver.txt`` →
``/{ST}/{id}/{ver}/reports/detailxml.zip``, ``/{ST}/{id}/`` answering with a small results page
(the link a user would copy from a browser), one site per county, ``/{ST}/{County}/{id}/``,
publishing only its precincts, the state site's ``{ver}/json/en/electionsettings.json`` listing
the versions released so far and the county sub-sites, ``/{ST}/elections.json`` listing the sites
as Clarity hosts do, and optionally ``{ver}/json/en/summary.json`` (the poller's fast path).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import zlib
from typing import TYPE_CHECKING

from tracker.archive.serve_http import Document

if TYPE_CHECKING:
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile, Version

#: The state a night that names none is served under (a Clarity address needs one).
CLARITY_STATE = "GA"


def clarity_election_id(night: NightFile) -> str:
    """A stable, made-up Clarity election id for a night (the same every time it is served)."""
    return str(10_000 + zlib.crc32(night.label.encode("utf-8")) % 90_000)


class ClarityRoutes:
    """Clarity's part of :class:`~tracker.archive.serve.FeedServer`, mixed into it."""

    #: What the feed server provides.
    night: NightFile
    versions: list[Version]
    chain: VersionChain
    election_id: str
    #: The two-letter state the site is served under (the night's own, else ``CLARITY_STATE``).
    state: str
    summary: bool
    _ver_of: dict[str, int]
    _counties: list[str] | None

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str: ...

        def current_index(self) -> int: ...

        def document(self, index: int, kind: str) -> Document: ...

        @staticmethod
        def _doc(body: bytes, content_type: str, when: dt.datetime) -> Document: ...

        def _page(self, link: str, index: int) -> Document: ...

    def _clarity_ver(self, version: Version) -> int:
        text = (version.version or "").strip()
        if (
            text.isdigit()
            and len(text) <= 12
            and all((w.version or "").strip().isdigit() for w in self.versions)
        ):
            return int(text)
        return 100_001 + version.index

    @property
    def clarity_prefix(self) -> str:
        return f"/{self.state}/{self.election_id}/"

    def clarity_ver(self, index: int) -> int:
        return self._ver_of[self.versions[index].sha256]

    def released_vers(self) -> dict[int, int]:
        """Clarity version number → index of its version, for every version released so far."""
        return {self.clarity_ver(i): i for i in range(self.current_index() + 1)}

    def _clarity_route(self, path: str, index: int) -> Document | None:
        """The document for a request path of the Clarity site while version ``index`` is current."""
        prefix = self.clarity_prefix
        county = self._county_of(path)
        if county is not None:
            kind = f"clarity:{county}"
            prefix = self.county_prefix(county)
        else:
            kind = "clarity"
        if path in (prefix, prefix.rstrip("/"), prefix + "index.html") or path.startswith(prefix + "web."):
            return self._page(f'<a href="{prefix}current_ver.txt">current_ver.txt</a>', index)
        if path == f"/{self.state}/elections.json":
            return self.clarity_listing(index)
        if county is None and path.startswith(prefix) and path.endswith("/json/en/electionsettings.json"):
            ver = path[len(prefix) :].split("/", 1)[0]
            released = self.released_vers()
            if ver.isdigit() and int(ver) in released:
                return self.clarity_settings(released[int(ver)])
            return None
        if path == prefix + "current_ver.txt":
            body = str(self.clarity_ver(index)).encode("ascii")
            return self._doc(body, "text/plain", self.versions[index].fetched_at)
        rest = path[len(prefix) :] if path.startswith(prefix) else ""
        ver, _, tail = rest.partition("/")
        if ver.isdigit() and tail == "reports/detailxml.zip":
            released = self.released_vers()
            if int(ver) in released:
                return self.document(released[int(ver)], kind)
        if ver.isdigit() and tail == "json/en/summary.json" and self.summary and county is None:
            released = self.released_vers()
            if int(ver) in released:
                return self.document(released[int(ver)], "clarity-summary")
        return None

    def clarity_settings(self, index: int) -> Document:
        """The state site's ``electionsettings.json`` at version ``index``: the versions released
        so far and the county sub-sites (``participatingcounties``, Clarity's
        ``"Name|electionId|version|timestamp|n"``), each at the version it serves now."""
        import json

        version = self.versions[index]
        when = version.fetched_at.astimezone(dt.UTC)
        stamp = f"{when:%-m/%-d/%Y %-I:%M:%S %p} UTC"
        vers = sorted({self.clarity_ver(i) for i in range(index + 1)})
        counties = [
            f"{name.replace(' ', '_')}|{self.election_id}|{self.clarity_ver(index)}|{stamp}|16"
            for name in self.counties()
        ]
        date = self.chain.snapshot(index).election.date
        doc = {
            "settings": {
                "electiondetails": {
                    "electionid": self.election_id,
                    "internalname": self.night.label,
                    "electiondate": f"{date:%-m/%-d/%Y}" if date else "",
                    "istestmode": False,
                    "isstate": True,
                    "participatingcounties": counties,
                }
            },
            "versions": [str(v) for v in vers],
            "websiteupdatedat": stamp,
            "entityname": self.state,
        }
        return self._doc(json.dumps(doc).encode(), "application/json", version.fetched_at)

    def clarity_listing(self, index: int) -> Document:
        """``/{ST}/elections.json``: the state site and each county sub-site, as Clarity lists them."""
        import json

        date = self.chain.snapshot(len(self.versions) - 1).election.date
        when = f"{date:%m/%d/%Y} 07:00:00" if date else ""
        rows = [{"ElectionName": self.night.label, "Date": when, "State": self.state, "County": None}]
        rows += [
            {"ElectionName": self.night.label, "Date": when, "State": self.state, "County": name}
            for name in self.counties()
        ]
        for row in rows:
            row["EID"] = int(self.election_id)
        return self._doc(json.dumps(rows).encode(), "application/json", self.versions[index].fetched_at)

    def counties(self) -> list[str]:
        """The counties of the night: each has a county site (``/{ST}/{County}/{id}/``) with its
        precincts, as Clarity publishes them beside the state site."""
        if self._counties is None:
            from tracker.feeds.clarity_writer import counties_of

            self._counties = counties_of(self.chain.snapshot(len(self.versions) - 1))
        return self._counties

    def county_prefix(self, county: str) -> str:
        return f"/{self.state}/{urllib.parse.quote(county)}/{self.election_id}/"

    def county_url(self, county: str) -> str:
        return self.base_url + self.county_prefix(county)

    def _county_of(self, path: str) -> str | None:
        parts = path.split("/")
        if len(parts) < 4 or parts[1] != self.state or parts[3] != self.election_id:
            return None
        name = urllib.parse.unquote(parts[2])
        if name not in self.counties():
            name = name.replace("_", " ")  # Clarity spells county sites with underscores
        return name if name in self.counties() else None
