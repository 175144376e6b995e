"""One entry point from raw bytes to a Snapshot: detect the format, call its parser.

Night files store the format name beside each payload, so a replay re-parses the raw bytes with
today's parser (a parser fix improves old recordings).
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.core.errors import FeedError
from tracker.core.model import Snapshot

CLARITY_DETAIL_XML = "clarity-detail-xml"
NATIVE = "tracker-feed/1"

FORMATS = (CLARITY_DETAIL_XML, NATIVE)


def detect_format(data: bytes, filename: str = "") -> str:
    """Guess the format from the first bytes (and the file name as a tie-breaker)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<ElectionResult" in data[:65536]:
        return CLARITY_DETAIL_XML
    if head.startswith(b"{") and b'"tracker-feed/1"' in data[:65536]:
        return NATIVE
    name = filename.lower()
    if name.endswith(".xml"):
        return CLARITY_DETAIL_XML
    raise FeedError(
        f"cannot tell the format of {filename or 'this payload'}: expected Clarity detail XML "
        f"or a {NATIVE} JSON document"
    )


def _parser(fmt: str) -> Callable[..., Snapshot]:
    if fmt == CLARITY_DETAIL_XML:
        from tracker.feeds.clarity import parse_detail_xml

        return parse_detail_xml
    if fmt == NATIVE:
        from tracker.feeds.native import parse_native

        return parse_native
    raise FeedError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")


def parse_payload(data: bytes, fmt: str = "auto", *, source: str = "") -> Snapshot:
    """Parse ``data`` as ``fmt`` ("auto" detects it). Raises FeedError on anything malformed."""
    if fmt == "auto":
        fmt = detect_format(data, source)
    return _parser(fmt)(data, source=source)
