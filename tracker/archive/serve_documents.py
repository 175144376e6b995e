"""Serving a night as a feed of one document per version: North Carolina's file, a NIST report.

Kept apart from :class:`~tracker.archive.serve.FeedServer`, which mixes
:class:`SingleDocumentRoutes` in, because these formats share one shape: one path (NC's
``/enr/{yyyymmdd}/data/results_0.txt``; NIST's ``/nist/results.xml`` and ``/nist/results.json``)
whose document is the night's own payload when it was recorded in that very format, else written
from the version's snapshot (:mod:`tracker.feeds.nc_sbe_writer`, :mod:`tracker.feeds.nist_writer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile, Version

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


class SingleDocumentRoutes:
    """The NC and NIST part of :class:`~tracker.archive.serve.FeedServer`, mixed into it."""

    #: What the feed server provides.
    fmt: str
    night: NightFile
    versions: list[Version]
    chain: VersionChain
    _nc_path: str | None

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
