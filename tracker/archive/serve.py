"""Serve any night as a live feed over loopback HTTP (``election-tracker serve``).

The versions of the night are released on a :class:`~tracker.archive.replay.ReplayClock` (its
monotonic clock injectable, so tests release them when they want), with the real URL layout of the
chosen format:

* ``native``: ``/feed.json`` — the current version's ``tracker-feed/1`` document (a native night's
  payload byte for byte; other formats converted);
* ``ap``: ``/v2/elections/{date}`` — AP v2 JSON written from the version's snapshot
  (:mod:`tracker.feeds.ap_writer`: a state unit and one subunit per county). Its ``nextrequest`` is
  ``/v2/elections/{date}?minDateTime=<the version's release time>``, and such a request is answered
  as AP does: only the races that differ between the version released at that time and the current
  one (no race at all when nothing changed); without ``minDateTime`` the full document. A night
  recorded from AP deltas is served merged (:class:`~tracker.archive.chain.VersionChain`);
* ``clarity``: ``/{ST}/{id}/current_ver.txt`` → ``/{ST}/{id}/{ver}/reports/detailxml.zip`` holding a
  ``detail.xml`` built from the version's snapshot (:mod:`tracker.feeds.clarity_writer`), or the
  night's own Clarity payload when it has one; ``/{ST}/{id}/`` answers with a small results page, so
  the link a user would copy from a browser works too. Each county of the night also has its own
  site, ``/{ST}/{County}/{id}/``, publishing only its precincts (a county precinct file), as Clarity
  publishes county sites beside a state's. The state site's ``{ver}/json/en/electionsettings.json``
  lists the versions released so far and the county sub-sites (``participatingcounties``), and
  ``/{ST}/elections.json`` lists the state and county sites as Clarity hosts do.

* ``gasos``: ``/cdn/results/Georgia/export-{election}.json`` — Georgia's results-site export
  (:mod:`tracker.feeds.gasos_writer`), its ``createdAt`` the version's own time (a stale version
  the night holds is served with its old time, as a stale cache would);
* ``ev``: ``/results/public/Georgia/elections/{election}`` (the page a user copies) and the API's
  ``/results/public/api/elections/Georgia/{election}/data`` (:mod:`tracker.feeds.ev_writer`), its
  ``lastUpdated`` the version's own time;
* ``apv3``: ``/v3/elections/{date}`` — AP v3 JSON (vote types, ``eevp``, ``winThreshold``, AP's
  calls; :func:`tracker.feeds.ap_writer.snapshot_to_ap_v3`) with the same ``minDateTime`` deltas as
  ``ap``; a delta of more than :data:`AP_PAGE_RACES` races is paged with ``isTruncated: true`` and
  a ``nextrequest`` for the rest, pinned to the version the first page came from;
* ``nc``: ``/enr/{yyyymmdd}/data/results_0.txt`` — North Carolina's statewide results file
  (:mod:`tracker.feeds.nc_sbe_writer`), or the night's own payload when it was recorded from one;
* ``nist``: ``/nist/results.xml`` and ``/nist/results.json`` — the version as a NIST SP 1500-100 v2
  report (:mod:`tracker.feeds.nist_writer`), or the night's own NIST payload in its own form.

Every document has a strong ETag (its SHA-256) and the version's release time as Last-Modified;
``If-None-Match`` (or, without it, ``If-Modified-Since``) gets a 304. A version the night holds
twice, as a stale cache served it, is served again when its turn comes: a rehearsal reproduces the
night's faults too. The server is a ``ThreadingHTTPServer`` with a large listen backlog (Python's
default of 5 drops connections under a burst of polls) and daemon threads, bound to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import html
import http.server
import logging
import math
import socket
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Self

from tracker.archive.chain import DELTA_PARAM, VersionChain
from tracker.archive.night import NightFile, Version
from tracker.archive.recorder import version_times
from tracker.archive.replay import ReplayClock, Timeline
from tracker.core.errors import TrackerError
from tracker.feeds.registry import CLARITY_DETAIL_XML, NATIVE

log = logging.getLogger(__name__)

SERVE_FORMATS = ("native", "clarity", "ap", "gasos", "ev", "apv3", "nc", "nist")
#: Races per page of an ``apv3`` ``minDateTime`` answer (more are paged with ``isTruncated``).
AP_PAGE_RACES = 1
EV_JURISDICTION = "Georgia"
NATIVE_PATH = "/feed.json"
CLARITY_STATE = "GA"
REQUEST_QUEUE_SIZE = 128
#: Formats served as one document per version, and their document kinds → content types.
DOCUMENT_FORMATS = ("nc", "nist")
DOCUMENT_KINDS = {
    "nc": "text/plain; charset=utf-8",
    "nist": "application/xml",
    "nist-json": "application/json",
}
NC_PATH = "/enr/data/results_0.txt"
NIST_XML_PATH = "/nist/results.xml"
NIST_JSON_PATH = "/nist/results.json"


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


def clarity_election_id(night: NightFile) -> str:
    """A stable, made-up Clarity election id for a night (the same every time it is served)."""
    return str(10_000 + zlib.crc32(night.label.encode("utf-8")) % 90_000)


def _http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


class FeedServer:
    """A night served as a live feed. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(
        self,
        night: Path | str | NightFile,
        *,
        fmt: str = "native",
        speed: float = 60.0,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        ap_quota: int | None = None,
        quota_window: float = 60.0,
        quota_clock: Callable[[], float] = time.monotonic,
        summary: bool = False,
    ) -> None:
        if fmt not in SERVE_FORMATS:
            raise TrackerError(f"cannot serve as {fmt!r}; choose one of {', '.join(SERVE_FORMATS)}")
        self._own_night = not isinstance(night, NightFile)
        self.night = NightFile.open(night) if not isinstance(night, NightFile) else night
        self.fmt = fmt
        self.versions: list[Version] = self.night.versions()
        if not self.versions:
            raise TrackerError(f"{self.night.path.name} holds no versions to serve")
        times = version_times(self.versions)  # history fetched late plays at its own time
        self.timeline = Timeline(times)
        self.clock = ReplayClock(times[0], times[-1], clock=clock, speed=speed)
        self.clock.play()
        self.election_id = clarity_election_id(self.night)
        self._ver_of: dict[str, int] = {}
        for v in self.versions:
            self._ver_of.setdefault(v.sha256, self._clarity_ver(v))
        self._cache: dict[tuple[str, str], bytes] = {}
        self._docs: dict[tuple[str, str], Document] = {}
        self._ap_date: str | None = None
        self.chain = VersionChain(self.night, self.versions)
        self._counties: list[str] | None = None
        self._nc_path: str | None = None
        #: AP's quota, for rehearsing it: at most ``ap_quota`` requests per ``quota_window`` seconds,
        #: then 403 "Over quota limit." with Retry-After until the window resets.
        self.ap_quota, self.quota_window, self._quota_clock = ap_quota, quota_window, quota_clock
        self._quota_start = quota_clock()
        self._quota_used = 0
        #: Clarity: the state site also serves ``{ver}/json/en/summary.json`` (the poller's fast path).
        self.summary = summary
        self._lock = threading.Lock()
        self.requests: list[tuple[str, int]] = []
        self._server = _Server((host, port), _Handler)
        self._server.feed = self
        self._thread: threading.Thread | None = None

    def _clarity_ver(self, version: Version) -> int:
        text = (version.version or "").strip()
        if (
            text.isdigit()
            and len(text) <= 12
            and all((w.version or "").strip().isdigit() for w in self.versions)
        ):
            return int(text)
        return 100_001 + version.index

    # lifecycle ---------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The URL a user would paste: the native document, or the Clarity election's page."""
        if self.fmt == "clarity":
            return f"{self.base_url}{self.clarity_prefix}"
        if self.fmt in ("ap", "apv3"):
            return self.base_url + self.ap_path
        if self.fmt == "gasos":
            return self.base_url + self.gasos_path
        if self.fmt == "ev":
            return f"{self.base_url}/results/public/{EV_JURISDICTION}/elections/{self.ev_election}"
        if self.fmt in DOCUMENT_FORMATS:
            return self.base_url + self.document_path()
        return self.base_url + NATIVE_PATH

    @property
    def ev_election(self) -> str:
        """The election's name in Enhanced Voting addresses (stable per night)."""
        return f"Rehearsal{self.election_id}"

    @property
    def ev_api_path(self) -> str:
        return f"/results/public/api/elections/{EV_JURISDICTION}/{self.ev_election}/data"

    @property
    def gasos_path(self) -> str:
        return f"/cdn/results/Georgia/export-Rehearsal{self.election_id}.json"

    @property
    def ap_path(self) -> str:
        """``/v2/elections/{date}``, the election's date from its last version."""
        if self._ap_date is None:
            date = self.chain.snapshot(len(self.versions) - 1).election.date
            self._ap_date = date.isoformat() if date else "1970-01-01"
        return f"/{'v3' if self.fmt == 'apv3' else 'v2'}/elections/{self._ap_date}"

    @property
    def clarity_prefix(self) -> str:
        return f"/{CLARITY_STATE}/{self.election_id}/"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop open keep-alive connections (a stopped feed answers nothing)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()
        self._server.drop_connections()
        if self._own_night:
            self.night.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # what is current ----------------------------------------------------------------------------
    def current_index(self) -> int:
        """Index of the version released at the replay clock's position (0 at the start)."""
        index = self.timeline.index_at(self.clock.position())
        return 0 if index is None else index

    def finished(self) -> bool:
        return self.clock.position() >= self.clock.end

    def clarity_ver(self, index: int) -> int:
        return self._ver_of[self.versions[index].sha256]

    def released_vers(self) -> dict[int, int]:
        """Clarity version number → index of its version, for every version released so far."""
        return {self.clarity_ver(i): i for i in range(self.current_index() + 1)}

    # documents ------------------------------------------------------------------------------------
    def _converted(self, version: Version, kind: str) -> bytes:
        # AP's document names the version's release time in its nextrequest
        timed = kind in ("ap", "apv3", "gasos", "ev")
        key = (version.sha256, f"{kind}:{version.fetched_at.isoformat()}" if timed else kind)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        if kind == "ap":
            from tracker.feeds.ap_writer import snapshot_to_ap_v2

            data = snapshot_to_ap_v2(
                self.chain.snapshot(version.index), state=CLARITY_STATE, url=self.ap_next(version)
            )
        elif kind == "apv3":
            from tracker.feeds.ap_writer import snapshot_to_ap_v3

            data = snapshot_to_ap_v3(
                self.chain.snapshot(version.index), state=CLARITY_STATE, url=self.ap_next(version)
            )
        elif kind == "gasos":
            from tracker.feeds.gasos_writer import snapshot_to_ga_sos

            data = snapshot_to_ga_sos(self.chain.snapshot(version.index), created=self.own_time(version))
        elif kind == "ev":
            from tracker.feeds.ev_writer import snapshot_to_ev

            data = snapshot_to_ev(
                self.chain.snapshot(version.index),
                updated=self.own_time(version),
                jurisdiction=EV_JURISDICTION,
                election_id=self.ev_election,
            )
        elif kind == "native":
            if version.fmt == NATIVE:
                data = self.night.payload(version.payload_id)
            else:
                from tracker.feeds.native import dump_native

                data = dump_native(self.chain.snapshot(version.index))
        elif kind in DOCUMENT_KINDS:
            data = self._document_payload(version, kind)
        elif kind == "clarity-summary":
            from tracker.feeds.clarity_writer import snapshot_to_summary_json

            data = snapshot_to_summary_json(self.chain.snapshot(version.index))
        elif kind.startswith("clarity:"):  # a county's own site: its precincts only
            from tracker.feeds.clarity_writer import county_snapshot, detail_zip, snapshot_to_detail_xml

            county = kind.split(":", 1)[1]
            snap = county_snapshot(self.chain.snapshot(version.index), county)
            data = detail_zip(snapshot_to_detail_xml(snap, tz=self.night.timezone, region=county))
        else:
            from tracker.feeds.clarity_writer import detail_zip, snapshot_to_detail_xml

            if version.fmt == CLARITY_DETAIL_XML:
                xml = self.night.payload(version.payload_id)
            else:
                xml = snapshot_to_detail_xml(
                    self.chain.snapshot(version.index), tz=self.night.timezone, region=CLARITY_STATE
                )
            data = detail_zip(xml)
        with self._lock:
            self._cache[key] = data
            if len(self._cache) > 16:
                self._cache.pop(next(iter(self._cache)))
        return data

    def document(self, index: int, kind: str) -> Document:
        version = self.versions[index]
        key = (version.sha256, f"doc:{kind}:{version.fetched_at.isoformat()}")
        with self._lock:
            cached = self._docs.get(key)
        if cached is not None:
            return cached
        body = self._converted(version, kind)
        content_type = DOCUMENT_KINDS.get(kind) or (
            "application/json"
            if kind in ("native", "ap", "apv3", "gasos", "ev", "clarity-summary")
            else "application/zip"
        )
        doc = self._doc(body, content_type, version.fetched_at)
        with self._lock:
            self._docs[key] = doc
            if len(self._docs) > 16:
                self._docs.pop(next(iter(self._docs)))
        return doc

    @staticmethod
    def _doc(body: bytes, content_type: str, when: dt.datetime) -> Document:
        etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        return Document(body, content_type, etag, _http_date(when))

    def own_time(self, version: Version) -> dt.datetime:
        """The version's own publication time: its payload's, else when the night first held
        these bytes (a version a stale cache served again keeps its old time, so a feed that
        states its time, Georgia's ``createdAt``, goes back in time as the real one would)."""
        snap = self.chain.snapshot(version.index)
        if snap.published_at is not None:
            return snap.published_at
        return next(v.fetched_at for v in self.versions if v.sha256 == version.sha256)

    def ap_next(self, version: Version) -> str:
        """The ``nextrequest`` of ``version``'s AP document: the races changed since its release."""
        when = version.fetched_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return f"{self.base_url}{self.ap_path}?minDateTime={urllib.parse.quote(when)}"

    def ap_v3_page(self, index: int, since: dt.datetime, offset: int) -> Document:
        """An ``apv3`` ``minDateTime`` answer, paged: races ``offset`` … of those changed between
        the version released at ``since`` and version ``index``; ``isTruncated`` and a
        ``nextrequest`` for the next page (pinned to ``index``) while more remain, else the usual
        ``nextrequest`` of version ``index``."""
        base = self.timeline.index_at(since)
        version = self.versions[index]
        snap = self.chain.snapshot(index)
        if base is None or base > index:
            changed = snap.contests
        else:
            before = {c.id: c for c in self.chain.snapshot(base).contests}
            changed = tuple(c for c in snap.contests if before.get(c.id) != c)
        page = changed[offset : offset + AP_PAGE_RACES]
        more = offset + AP_PAGE_RACES < len(changed)
        if more:
            when = since.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            query = urllib.parse.urlencode(
                {"minDateTime": when, "offset": offset + AP_PAGE_RACES, "asof": index}
            )
            nxt = f"{self.base_url}{self.ap_path}?{query}"
        else:
            nxt = self.ap_next(version)
        key = (version.sha256, f"apv3-page:{base}:{offset}:{version.fetched_at.isoformat()}")
        with self._lock:
            cached = self._docs.get(key)
        if cached is not None:
            return cached
        from tracker.feeds.ap_writer import snapshot_to_ap_v3

        body = snapshot_to_ap_v3(replace(snap, contests=page), state=CLARITY_STATE, url=nxt, truncated=more)
        doc = self._doc(body, "application/json", version.fetched_at)
        with self._lock:
            self._docs[key] = doc
            if len(self._docs) > 16:
                self._docs.pop(next(iter(self._docs)))
        return doc

    def ap_delta(self, index: int, since: dt.datetime) -> Document:
        """AP's answer to ``minDateTime=since`` while version ``index`` is current: the races of
        ``index`` that differ from the version released at ``since`` (the full document when
        ``since`` is before the first version)."""
        base = self.timeline.index_at(since)
        if base is None or base > index:
            return self.document(index, "ap")
        version = self.versions[index]
        key = (version.sha256, f"ap-delta:{base}:{version.fetched_at.isoformat()}")
        with self._lock:
            cached = self._docs.get(key)
        if cached is not None:
            return cached
        from tracker.feeds.ap_writer import snapshot_to_ap_v2

        snap = self.chain.snapshot(index)
        before = {c.id: c for c in self.chain.snapshot(base).contests}
        changed = tuple(c for c in snap.contests if before.get(c.id) != c)
        body = snapshot_to_ap_v2(
            replace(snap, contests=changed), state=CLARITY_STATE, url=self.ap_next(version)
        )
        doc = self._doc(body, "application/json", version.fetched_at)
        with self._lock:
            self._docs[key] = doc
            if len(self._docs) > 16:
                self._docs.pop(next(iter(self._docs)))
        return doc

    def route(self, path: str) -> Document | None:
        """The document for a request path right now, or None (404)."""
        path, _, query = path.split("#", 1)[0].partition("?")
        index = self.current_index()
        if self.fmt in DOCUMENT_FORMATS:
            kind = self.document_kind(path)
            return None if kind is None else self.document(index, kind)
        if self.fmt == "native":
            if path == NATIVE_PATH:
                return self.document(index, "native")
            if path in ("/", "/index.html"):
                return self._page(f'<a href="{NATIVE_PATH}">{NATIVE_PATH}</a>', index)
            return None
        if self.fmt == "ap":
            if path.rstrip("/") == self.ap_path:
                since = _min_date_time(query)
                return self.document(index, "ap") if since is None else self.ap_delta(index, since)
            return None
        if self.fmt == "apv3":
            if path.rstrip("/") != self.ap_path:
                return None
            since = _min_date_time(query)
            if since is None:
                return self.document(index, "apv3")
            params = dict(urllib.parse.parse_qsl(query))
            offset, asof = params.get("offset", "0"), params.get("asof", "")
            if asof.isdigit() and int(asof) <= index:
                index = int(asof)  # the rest of a paged answer comes from the same version
            return self.ap_v3_page(index, since, int(offset) if offset.isdigit() else 0)
        if self.fmt == "gasos":
            return self.document(index, "gasos") if path == self.gasos_path else None
        if self.fmt == "ev":
            if path == self.ev_api_path:
                return self.document(index, "ev")
            page = f"/results/public/{EV_JURISDICTION}/elections/{self.ev_election}"
            if path.rstrip("/") == page or path.startswith(page + "/"):
                return self._page(f'<a href="{self.ev_api_path}">results</a>', index)
            return None
        prefix = self.clarity_prefix
        county = self._county_of(path)
        if county is not None:
            kind = f"clarity:{county}"
            prefix = self.county_prefix(county)
        else:
            kind = "clarity"
        if path in (prefix, prefix.rstrip("/"), prefix + "index.html") or path.startswith(prefix + "web."):
            return self._page(f'<a href="{prefix}current_ver.txt">current_ver.txt</a>', index)
        if path == f"/{CLARITY_STATE}/elections.json":
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

    # North Carolina and NIST: one document per version ---------------------------------------------
    def document_path(self, kind: str | None = None) -> str:
        """The path of the served document: NC's ``/enr/{yyyymmdd}/data/results_0.txt`` (the
        election's date from its last version), or the NIST report (``kind`` "nist-json": JSON)."""
        if self.fmt == "nc":
            if self._nc_path is None:
                date = self.chain.snapshot(len(self.versions) - 1).election.date
                self._nc_path = f"/enr/{date:%Y%m%d}/data/results_0.txt" if date else NC_PATH
            return self._nc_path
        return NIST_JSON_PATH if kind == "nist-json" else NIST_XML_PATH

    def document_kind(self, path: str) -> str | None:
        if self.fmt == "nc":
            return "nc" if path == self.document_path() else None
        return {NIST_XML_PATH: "nist", NIST_JSON_PATH: "nist-json"}.get(path)

    def _document_payload(self, version: Version, kind: str) -> bytes:
        """A version as ``kind`` ("nc", "nist", "nist-json"): the night's own payload when it was
        recorded in that very format, else written from its snapshot."""
        from tracker.feeds.registry import NC_SBE, NIST_JSON, NIST_XML

        own = {"nc": NC_SBE, "nist": NIST_XML, "nist-json": NIST_JSON}[kind]
        if version.fmt == own:
            return self.night.payload(version.payload_id)
        snapshot = self.chain.snapshot(version.index)
        if kind == "nc":
            from tracker.feeds.nc_sbe_writer import snapshot_to_nc_results

            return snapshot_to_nc_results(snapshot)
        from tracker.feeds.nist_writer import snapshot_to_nist

        return snapshot_to_nist(snapshot, form="json" if kind == "nist-json" else "xml")

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
            "entityname": CLARITY_STATE,
        }
        return self._doc(json.dumps(doc).encode(), "application/json", version.fetched_at)

    def clarity_listing(self, index: int) -> Document:
        """``/{ST}/elections.json``: the state site and each county sub-site, as Clarity lists them."""
        import json

        date = self.chain.snapshot(len(self.versions) - 1).election.date
        when = f"{date:%m/%d/%Y} 07:00:00" if date else ""
        rows = [{"ElectionName": self.night.label, "Date": when, "State": CLARITY_STATE, "County": None}]
        rows += [
            {"ElectionName": self.night.label, "Date": when, "State": CLARITY_STATE, "County": name}
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
        return f"/{CLARITY_STATE}/{urllib.parse.quote(county)}/{self.election_id}/"

    def county_url(self, county: str) -> str:
        return self.base_url + self.county_prefix(county)

    def _county_of(self, path: str) -> str | None:
        parts = path.split("/")
        if len(parts) < 4 or parts[1] != CLARITY_STATE or parts[3] != self.election_id:
            return None
        name = urllib.parse.unquote(parts[2])
        if name not in self.counties():
            name = name.replace("_", " ")  # Clarity spells county sites with underscores
        return name if name in self.counties() else None

    def quota_check(self) -> float | None:
        """None when the request is within AP's quota, else the seconds until it resets."""
        if self.fmt not in ("ap", "apv3") or self.ap_quota is None:
            return None
        with self._lock:
            now = self._quota_clock()
            if now - self._quota_start >= self.quota_window:
                self._quota_start, self._quota_used = now, 0
            if self._quota_used < self.ap_quota:
                self._quota_used += 1
                return None
            return self.quota_window - (now - self._quota_start)

    def _page(self, link: str, index: int) -> Document:
        title = html.escape(self.night.label)
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{link}</p>\n".encode()
        return self._doc(body, "text/html; charset=utf-8", self.versions[index].fetched_at)


def _min_date_time(query: str) -> dt.datetime | None:
    """``minDateTime`` of an AP request's query as an aware time (UTC when it names no offset),
    or None when absent or unreadable (then the full document is served)."""
    for key, value in urllib.parse.parse_qsl(query):
        if key.lower() == DELTA_PARAM and value:
            try:
                when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return None


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = REQUEST_QUEUE_SIZE
    daemon_threads = True
    allow_reuse_address = True
    feed: FeedServer

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.closed = False

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._connections_lock:
            if self.closed:
                request.close()
                return
            self._connections.add(request)
        super().process_request(request, client_address)  # type: ignore[arg-type]

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            self.closed = True
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        feed = self.server.feed
        try:
            doc = feed.route(self.path)
        except Exception:
            log.exception("serving %s", self.path)
            self._send(500, b"internal error\n", "text/plain", head=head)
            return
        if doc is None:
            self._send(404, b"not found\n", "text/plain", head=head)
            return
        wait = feed.quota_check()
        if wait is not None:
            retry = {"Retry-After": str(max(1, math.ceil(wait)))}
            self._send(403, b"Over quota limit.\n", "text/plain", head=head, extra=retry)
            return
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = doc.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims is not None:
            try:
                not_modified = email.utils.parsedate_to_datetime(
                    doc.last_modified
                ) <= email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                not_modified = False
        extra = {"ETag": doc.etag, "Last-Modified": doc.last_modified, "Cache-Control": "no-cache"}
        if not_modified:
            self._send(304, b"", doc.content_type, head=True, extra=extra)
        else:
            self._send(200, doc.body, doc.content_type, head=head, extra=extra)

    def _send(
        self, status: int, body: bytes, content_type: str, *, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        self.server.feed.requests.append((self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("serve: " + format, *args)
