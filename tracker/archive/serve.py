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
  (:mod:`tracker.feeds.gasos_writer`; Georgia nights only, see below), its ``createdAt`` the
  version's own time (a stale version the night holds is served with its old time, as a stale
  cache would);
* ``ev``: ``/results/public/{State}/elections/{election}`` (the page a user copies) and the API's
  ``/results/public/api/elections/{State}/{election}/data`` (:mod:`tracker.feeds.ev_writer`), its
  ``lastUpdated`` the version's own time;
* ``apv3``: ``/v3/elections/{date}`` — AP v3 JSON (vote types, ``eevp``, ``winThreshold``, AP's
  calls; :func:`tracker.feeds.ap_writer.snapshot_to_ap_v3`) with the same ``minDateTime`` deltas as
  ``ap``; a delta of more than :data:`AP_PAGE_RACES` races is paged with ``isTruncated: true`` and
  a ``nextrequest`` for the rest, pinned to the version the first page came from;
* ``nc``: ``/enr/{yyyymmdd}/data/results_0.txt`` — North Carolina's statewide results file
  (:mod:`tracker.feeds.nc_sbe_writer`; North Carolina nights only), or the night's own payload
  when it was recorded from one;
* ``nist``: ``/nist/results.xml`` and ``/nist/results.json`` — the version as a NIST SP 1500-100 v2
  report (:mod:`tracker.feeds.nist_writer`), or the night's own NIST payload in its own form.

A served file never passes a night off as another state's (:func:`refusal`): Clarity's
``/{ST}/``, AP's ``statePostal`` and Enhanced Voting's jurisdiction ``{State}`` are the night's own
state (:mod:`tracker.archive.night_state`; ``CLARITY_STATE``'s when the night names none, and
``serve`` says so), and the formats that are one state's own (``ONE_STATE_FORMATS``) refuse any
other state's night, and a night that names no state.

Every document has a strong ETag (its SHA-256) and the version's release time as Last-Modified;
``If-None-Match`` (or, without it, ``If-Modified-Since``) gets a 304. A version the night holds
twice, as a stale cache served it, is served again when its turn comes: a rehearsal reproduces the
night's faults too. The server is a ``ThreadingHTTPServer`` with a large listen backlog (Python's
default of 5 drops connections under a burst of polls) and daemon threads, bound to 127.0.0.1.

Each job has its module beside this one, mixed into :class:`FeedServer` or used by it:

* :mod:`~tracker.archive.serve_http` — the HTTP server and handler (conditional GETs, the quota's
  403, dropping connections on stop) and :class:`Document`;
* :mod:`~tracker.archive.serve_ap` — AP's documents, ``minDateTime`` deltas, v3 pages, the quota;
* :mod:`~tracker.archive.serve_clarity` — the Clarity state site and its county sub-sites;
* :mod:`~tracker.archive.serve_documents` — NC's and NIST's one document per version.

This module keeps the night, its release clock (which version is current now), the conversion of
a version to each format, and the routing of a path to its format; every name it had before it
was split is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile, Version
from tracker.archive.night_state import STATE_NAMES, night_state
from tracker.archive.recorder import version_times
from tracker.archive.replay import ReplayClock, Timeline
from tracker.archive.serve_ap import AP_PAGE_RACES, ApRoutes
from tracker.archive.serve_ap import _min_date_time as _min_date_time
from tracker.archive.serve_clarity import CLARITY_STATE, ClarityRoutes, clarity_election_id
from tracker.archive.serve_documents import (
    DOCUMENT_FORMATS,
    DOCUMENT_KINDS,
    NC_PATH,
    NIST_JSON_PATH,
    NIST_XML_PATH,
    SingleDocumentRoutes,
)
from tracker.archive.serve_http import REQUEST_QUEUE_SIZE, Document, _Handler, _http_date, _Server
from tracker.archive.serve_http import log as log
from tracker.core.errors import TrackerError
from tracker.feeds.registry import CLARITY_DETAIL_XML, NATIVE

SERVE_FORMATS = ("native", "clarity", "ap", "gasos", "ev", "apv3", "nc", "nist")
#: The jurisdiction an Enhanced Voting site of a night that names no state is served under.
EV_JURISDICTION = "Georgia"
#: Formats that are one state's own: whatever they hold is read as that state's election (its
#: name, time zone and rules), so they serve only that state's nights.
ONE_STATE_FORMATS = {
    "nc": ("NC", "North Carolina's results file"),
    "gasos": ("GA", "Georgia's results export"),
}
#: Formats whose address or document name the state: they carry the night's own (a night that
#: names none is served as ``CLARITY_STATE``'s, and ``serve`` says so).
STATE_FORMATS = ("clarity", "ap", "apv3", "ev")


def refusal(fmt: str, state: str, name: str) -> str:
    """Why a night of ``state`` ("" when it names none) cannot be served as ``fmt``; "" when it can."""
    if fmt not in ONE_STATE_FORMATS or ONE_STATE_FORMATS[fmt][0] == state:
        return ""
    own, what = ONE_STATE_FORMATS[fmt]
    whose = STATE_NAMES[own]
    if state:
        return (
            f"{name} is a {STATE_NAMES.get(state, state)} night, and {what} names no state but {whose}: "
            f"served as {fmt} it would be read as {whose}'s election (its name, time zone and rules); "
            "serve it --as native or nist, or --as clarity, ap, apv3 or ev, which carry its own state"
        )
    return (
        f"{name} does not say which state it is of, and {what} names no state but {whose}: served as "
        f"{fmt} it would be read as {whose}'s election; serve it --as native or nist, which name no state"
    )


NATIVE_PATH = "/feed.json"


class FeedServer(ApRoutes, ClarityRoutes, SingleDocumentRoutes):
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
            self._close_own()
            raise TrackerError(f"{self.night.path.name} holds no versions to serve")
        own_state = night_state(self.night)
        why = refusal(fmt, own_state, self.night.path.name)
        if why:
            self._close_own()
            raise TrackerError(why)
        #: Whether the night says its state; the state its served addresses and documents name.
        self.state_named = bool(own_state)
        self.state = own_state or CLARITY_STATE
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

    # lifecycle ---------------------------------------------------------------------------------
    def _close_own(self) -> None:
        if self._own_night:
            self.night.close()

    @property
    def ev_jurisdiction(self) -> str:
        """The Enhanced Voting jurisdiction: the night's state's name ("Georgia", "North Carolina")."""
        return STATE_NAMES.get(self.state, EV_JURISDICTION) if self.state_named else EV_JURISDICTION

    @property
    def _ev_slug(self) -> str:
        return self.ev_jurisdiction.replace(" ", "-")

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
            return f"{self.base_url}/results/public/{self._ev_slug}/elections/{self.ev_election}"
        if self.fmt in DOCUMENT_FORMATS:
            return self.base_url + self.document_path()
        return self.base_url + NATIVE_PATH

    @property
    def ev_election(self) -> str:
        """The election's name in Enhanced Voting addresses (stable per night)."""
        return f"Rehearsal{self.election_id}"

    @property
    def ev_api_path(self) -> str:
        return f"/results/public/api/elections/{self._ev_slug}/{self.ev_election}/data"

    @property
    def gasos_path(self) -> str:
        return f"/cdn/results/Georgia/export-Rehearsal{self.election_id}.json"

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
                self.chain.snapshot(version.index), state=self.state, url=self.ap_next(version)
            )
        elif kind == "apv3":
            from tracker.feeds.ap_writer import snapshot_to_ap_v3

            data = snapshot_to_ap_v3(
                self.chain.snapshot(version.index), state=self.state, url=self.ap_next(version)
            )
        elif kind == "gasos":
            from tracker.feeds.gasos_writer import snapshot_to_ga_sos

            data = snapshot_to_ga_sos(self.chain.snapshot(version.index), created=self.own_time(version))
        elif kind == "ev":
            from tracker.feeds.ev_writer import snapshot_to_ev

            data = snapshot_to_ev(
                self.chain.snapshot(version.index),
                updated=self.own_time(version),
                jurisdiction=self.ev_jurisdiction,
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
                    self.chain.snapshot(version.index), tz=self.night.timezone, region=self.state
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
        if self.fmt in ("ap", "apv3"):
            return self._ap_route(path, query, index)
        if self.fmt == "gasos":
            return self.document(index, "gasos") if path == self.gasos_path else None
        if self.fmt == "ev":
            if path == self.ev_api_path:
                return self.document(index, "ev")
            page = f"/results/public/{self._ev_slug}/elections/{self.ev_election}"
            if path.rstrip("/") == page or path.startswith(page + "/"):
                return self._page(f'<a href="{self.ev_api_path}">results</a>', index)
            return None
        return self._clarity_route(path, index)

    def _page(self, link: str, index: int) -> Document:
        title = html.escape(self.night.label)
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{link}</p>\n".encode()
        return self._doc(body, "text/html; charset=utf-8", self.versions[index].fetched_at)


__all__ = [
    "AP_PAGE_RACES",
    "CLARITY_STATE",
    "DOCUMENT_FORMATS",
    "DOCUMENT_KINDS",
    "EV_JURISDICTION",
    "NATIVE_PATH",
    "NC_PATH",
    "NIST_JSON_PATH",
    "NIST_XML_PATH",
    "REQUEST_QUEUE_SIZE",
    "SERVE_FORMATS",
    "ApRoutes",
    "ClarityRoutes",
    "Document",
    "FeedServer",
    "SingleDocumentRoutes",
    "clarity_election_id",
]
