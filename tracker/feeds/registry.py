"""One entry point from raw bytes to a Snapshot: detect the format, call its parser.

Night files store the format name beside each payload, so a replay re-parses the raw bytes with
today's parser (a parser fix improves old recordings).

Result formats (``FORMATS``; ``parse_payload`` turns each into a Snapshot):

=========================  ==========================================================================
``clarity-detail-xml``     Clarity ``detail.xml`` (``tracker.feeds.clarity``)
``clarity-detail-zip``     Clarity ``reports/detailxml.zip``, unzipped safely (``clarity_zip``)
``clarity-summary-json``   Clarity ``json/en/summary.json`` (``clarity_json``)
``clarity-all-json``       Clarity ``json/ALL.json``; names only via ``names_from=`` (``clarity_json``)
``ga-sos-json``            Georgia SOS results-site export JSON (``gasos``)
``enhanced-voting-json``   Enhanced Voting results API ``…/data`` JSON (``enhanced_voting``)
``ap-v2``, ``ap-v3``       AP Elections API ``/elections/{date}`` JSON (``ap``)
``tracker-feed/1``         the native format (``native``)
``nc-sbe``                 NC State Board of Elections ``results_0.txt`` (JSON records) or its
                           tab-separated precinct file ``results_pct_*.txt``, bare or in its ZIP
                           (a zip is told from Clarity's by its member names) (``nc_sbe``)
``nist-v2-xml``            NIST SP 1500-100 v2 Election Results Reporting, XML (``nist``)
``nist-v2-json``           the same, JSON (``nist``)
``nyt-timeseries-csv``     the NYT/Edison precinct timeseries CSV (plain or gzipped): a whole night in
                           one file; ``parse_payload`` gives its last version, ``import`` makes a
                           night of every timestamp (``nyt_timeseries``)
``precinct-totals-csv``    a poller's per-precinct party totals CSV (``precinct_name,dem_total,…``),
                           the contest named from the file's folder (``precinct_csv``)
=========================  ==========================================================================

Metadata formats (``METADATA_FORMATS``) describe a feed but hold no results: Clarity's
``electionsettings.json`` (``clarity-electionsettings`` → ``ClaritySettings``) and
``current_ver.txt`` (``clarity-current-ver`` → the version string). ``parse_metadata`` reads
them; ``parse_payload`` refuses them with a sentence that says what they are, so ``election-tracker
parse`` gives a clear message instead of a Snapshot of nothing.

Detection looks at the content first (magic bytes, root element, the keys a format always has)
and uses the file name only to break ties; a payload no parser would accept raises one FeedError
sentence naming what it looks like (an HTML error page, JavaScript, an AP report that is not race
results) or listing what we read. An empty file is said to be empty, whatever its name; an HTML
page goes to the parser its name names, whose message says what that server's error page means
(every Clarity reader, the detail XML's included, calls it an HTML page).

A gzip-compressed body (a scraper that saved the bytes of a ``Content-Encoding: gzip`` response,
a ``.json.gz`` archive) is inflated first, within ``MAX_GUNZIP_BYTES``, then detected and parsed
as what it holds; a night stores the compressed bytes and reads them the same way. UTF-16 XML
(with its byte-order mark) is detected by its content, so a NIST report saved by a Windows tool
reaches the NIST parser instead of being taken for Clarity's by its ``.xml`` name.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.core.errors import FeedError
from tracker.core.model import Snapshot

CLARITY_DETAIL_XML = "clarity-detail-xml"
CLARITY_DETAIL_ZIP = "clarity-detail-zip"
CLARITY_SUMMARY_JSON = "clarity-summary-json"
CLARITY_ALL_JSON = "clarity-all-json"
CLARITY_ELECTIONSETTINGS = "clarity-electionsettings"
CLARITY_CURRENT_VER = "clarity-current-ver"
GA_SOS_JSON = "ga-sos-json"
ENHANCED_VOTING_JSON = "enhanced-voting-json"
AP_V2 = "ap-v2"
AP_V3 = "ap-v3"
NATIVE = "tracker-feed/1"
NC_SBE = "nc-sbe"
NIST_XML = "nist-v2-xml"
NIST_JSON = "nist-v2-json"
NYT_TIMESERIES = "nyt-timeseries-csv"
PRECINCT_TOTALS_CSV = "precinct-totals-csv"

#: Formats that parse into a Snapshot (night files store payloads of these).
FORMATS = (
    CLARITY_DETAIL_XML,
    NATIVE,
    CLARITY_DETAIL_ZIP,
    CLARITY_SUMMARY_JSON,
    CLARITY_ALL_JSON,
    GA_SOS_JSON,
    AP_V2,
    AP_V3,
    NC_SBE,
    NIST_XML,
    NIST_JSON,
    ENHANCED_VOTING_JSON,
    NYT_TIMESERIES,
    PRECINCT_TOTALS_CSV,
)
#: Formats whose one file holds a whole night (many versions): ``import`` makes a version of each.
NIGHT_FORMATS = (NYT_TIMESERIES,)
#: Formats that describe a feed (versions, counties) but hold no results.
METADATA_FORMATS = (CLARITY_ELECTIONSETTINGS, CLARITY_CURRENT_VER)
ALL_FORMATS = FORMATS + METADATA_FORMATS

_HEAD = 65536
_VERSION_TEXT = re.compile(rb"\s*[0-9]{1,12}\s*")
#: File names (lower case) that settle a tie, as Clarity and AP serve them.
_BY_NAME = (
    ("detailxml.zip", CLARITY_DETAIL_ZIP),
    (".zip", CLARITY_DETAIL_ZIP),
    ("summary.json", CLARITY_SUMMARY_JSON),
    ("all.json", CLARITY_ALL_JSON),
    ("electionsettings.json", CLARITY_ELECTIONSETTINGS),
    ("current_ver.txt", CLARITY_CURRENT_VER),
    (".xml", CLARITY_DETAIL_XML),
)


_GZIP_MAGIC = b"\x1f\x8b"
#: A compressed payload inflates no further than a zipped detail XML may (``clarity_zip``).
MAX_GUNZIP_BYTES = 256 * 1024 * 1024


def gunzip_payload(data: bytes, *, limit: int = MAX_GUNZIP_BYTES) -> bytes:
    """``data`` inflated when it is gzip-compressed (members one after another, as ``gzip``
    writes them), else ``data`` itself. Inflated in chunks, so a gzip bomb stops at ``limit``;
    a damaged or truncated stream is one FeedError sentence."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    out = bytearray()
    rest = data
    try:
        while rest.startswith(_GZIP_MAGIC):
            stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
            while not stream.eof:
                out += stream.decompress(pending, 1 << 20)
                if len(out) > limit:
                    raise FeedError(f"this gzip-compressed file inflates beyond {limit:,} bytes; refusing it")
                pending = stream.unconsumed_tail
                if not pending and not stream.eof:
                    raise FeedError("this gzip-compressed file is truncated: it ends mid-stream")
            rest = stream.unused_data
    except zlib.error as exc:
        raise FeedError(f"this gzip-compressed file is damaged ({exc})") from None
    return bytes(out)


def _json_keys(head: bytes, *keys: bytes) -> bool:
    return all(re.search(rb'"' + re.escape(k) + rb'"\s*:', head) for k in keys)


def _zip_format(data: bytes) -> str:
    """A zip is told by its member names (read from the central directory, nothing inflated):
    North Carolina's precinct ZIP holds one ``.txt``; anything else is taken as Clarity's
    ``detailxml.zip`` (whose reader then says what is wrong with it)."""
    from tracker.feeds.clarity_zip import member_names
    from tracker.feeds.nc_sbe import is_nc_member

    names = member_names(data)
    base = [n.replace("\\", "/").rsplit("/", 1)[-1].casefold() for n in names]
    if "detail.xml" not in base and len(names) == 1 and is_nc_member(names[0]):
        return NC_SBE
    return CLARITY_DETAIL_ZIP


def _utf16_xml_head(data: bytes) -> bytes | None:
    """The start of a UTF-16 XML payload (byte-order mark first) re-encoded as UTF-8 for the
    content checks below, or None when the payload is not that."""
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return None
    head = data[: _HEAD - (_HEAD % 2)].decode("utf-16", "ignore").encode("utf-8")
    return head if head.lstrip().startswith(b"<") else None


def _detect(data: bytes, filename: str) -> str | None:
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return _zip_format(data)
    csv_format = _detect_csv(data[:_HEAD])
    if csv_format is not None:
        return csv_format
    utf16 = _utf16_xml_head(data)
    if utf16 is not None:
        data = utf16
    head = data[:_HEAD]
    stripped = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") and _json_keys(head[:4096], b"http_interactions"):
        return None  # a recorded-HTTP cassette, whatever its file name says
    extra = _detect_more(head, stripped)
    if extra is not None:
        return extra
    if stripped.startswith(b"<") and b"<ElectionResult" in head:
        return CLARITY_DETAIL_XML
    if _VERSION_TEXT.fullmatch(data[:64]) and len(data) <= 64:
        return CLARITY_CURRENT_VER
    if stripped.startswith(b"{"):
        if b'"tracker-feed/1"' in head:
            return NATIVE
        if _json_keys(head, b"Contests") and _json_keys(head, b"A", b"C", b"V"):
            return CLARITY_ALL_JSON
        if _json_keys(head, b"ballotItems") and _json_keys(head, b"summaryResults"):
            return ENHANCED_VOTING_JSON
        if _json_keys(head, b"ballotItems") and (
            _json_keys(head, b"localResults") or _json_keys(head, b"electionName")
        ):
            return GA_SOS_JSON
        if _json_keys(head, b"settings") and (
            _json_keys(head, b"versions") or _json_keys(head, b"electiondetails")
        ):
            return CLARITY_ELECTIONSETTINGS
        if _json_keys(head, b"races"):
            return (
                AP_V3 if _json_keys(head, b"apiVersion") or _json_keys(head, b"reportingunitLevel") else AP_V2
            )
    if stripped.startswith(b"[") and _json_keys(head, b"K", b"CH") and _json_keys(head, b"V"):
        return CLARITY_SUMMARY_JSON
    if not stripped.strip():
        return None  # empty, whatever its name says (``_not_a_feed`` says so)
    name = filename.lower()
    for suffix, fmt in _BY_NAME:
        if name.endswith(suffix):
            return fmt
    return None


def whole_night_format(head: bytes) -> str | None:
    """The format (one of ``NIGHT_FORMATS``) when the first bytes of a file, gzipped or not, are
    those of a file that holds a whole night; None otherwise. Reads the head only: a truncated
    gzip head is fine here, where ``detect_format`` would refuse it as cut short."""
    from tracker.feeds.nyt_timeseries import looks_like_nyt_timeseries

    return NYT_TIMESERIES if looks_like_nyt_timeseries(head) else None


def _detect_csv(head: bytes) -> str | None:
    """The CSV results files, by their header row (a gzipped timeseries by its inflated head)."""
    from tracker.feeds.nyt_timeseries import looks_like_nyt_timeseries
    from tracker.feeds.precinct_csv import looks_like_precinct_totals

    if looks_like_nyt_timeseries(head):
        return NYT_TIMESERIES
    if looks_like_precinct_totals(head):
        return PRECINCT_TOTALS_CSV
    return None


_NIST_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ElectionReport[\s>/]")


def _detect_more(head: bytes, stripped: bytes) -> str | None:
    """North Carolina's results files and NIST SP 1500-100 v2 (XML or JSON), from their content."""
    from tracker.feeds.nc_sbe import looks_like_nc_sbe

    if looks_like_nc_sbe(head):
        return NC_SBE
    if stripped.startswith(b"<") and _NIST_XML_ROOT.search(head):
        return NIST_XML
    if stripped.startswith(b"{") and (
        b"ElectionResults.ElectionReport" in head
        or (_json_keys(head, b"GpUnit") and _json_keys(head, b"Election") and _json_keys(head, b"Format"))
    ):
        return NIST_JSON
    return None


def _not_a_feed(data: bytes, filename: str) -> str:
    """What a payload that is no known feed looks like, in a few words (or "")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16 text (a byte-order mark says so); feeds are read as UTF-8"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    low = head[:200].lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "an HTML page (a server error page or a web page), not a feed"
    if low.startswith((b"module.exports", b"var ", b"const ", b"export ")):
        return "JavaScript, not JSON"
    if low.startswith(b"{") and _json_keys(head, b"http_interactions"):
        return "a recorded-HTTP cassette (vcrpy), not a feed: take the response bodies out of it first"
    if low.startswith(b"{") and any(
        _json_keys(data[:_HEAD], k) for k in (b"delSum", b"delSuper", b"trendtable")
    ):
        return "an AP report (delegates or trends), not race results"
    if (
        low.startswith(b"{")
        and _json_keys(data[:_HEAD], b"elections")
        and _json_keys(data[:_HEAD], b"guides")
    ):
        return "AP's list of elections, not race results"
    if not head:
        return "empty"
    return ""


def detect_format(data: bytes, filename: str = "") -> str:
    """Guess the format from the content (and the file name as a tie-breaker); one FeedError
    sentence when no format fits."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    data = gunzip_payload(data)
    fmt = _detect(data, filename)
    if fmt is not None:
        return fmt
    what = _not_a_feed(data, filename)
    thing = filename or "this payload"
    if what:
        raise FeedError(f"{thing} is {what}")
    raise FeedError(
        f"cannot tell the format of {thing}: expected Clarity (detail XML, detailxml.zip, summary.json, "
        f"ALL.json), Georgia SOS results JSON, Enhanced Voting results JSON, AP Elections API JSON, "
        f"North Carolina's results file, NIST SP 1500-100 v2 (XML or JSON), the NYT/Edison results "
        f"timeseries CSV, a precinct_name,<party>_total… CSV or a {NATIVE} JSON document"
    )


def _parser(fmt: str) -> Callable[..., Snapshot]:
    if fmt == CLARITY_DETAIL_XML:
        from tracker.feeds.clarity import parse_detail_xml

        return parse_detail_xml
    if fmt == NATIVE:
        from tracker.feeds.native import parse_native

        return parse_native
    if fmt == CLARITY_DETAIL_ZIP:
        from tracker.feeds.clarity_zip import parse_detail_zip

        return parse_detail_zip
    if fmt == CLARITY_SUMMARY_JSON:
        from tracker.feeds.clarity_json import parse_summary_json

        return parse_summary_json
    if fmt == CLARITY_ALL_JSON:
        from tracker.feeds.clarity_json import parse_all_json

        return parse_all_json
    if fmt == GA_SOS_JSON:
        from tracker.feeds.gasos import parse_ga_sos_json

        return parse_ga_sos_json
    if fmt == ENHANCED_VOTING_JSON:
        from tracker.feeds.enhanced_voting import parse_enhanced_voting

        return parse_enhanced_voting
    if fmt == AP_V2:
        from tracker.feeds.ap import parse_ap_v2

        return parse_ap_v2
    if fmt == AP_V3:
        from tracker.feeds.ap import parse_ap_v3

        return parse_ap_v3
    if fmt == NC_SBE:
        from tracker.feeds.nc_sbe import parse_nc_sbe

        return parse_nc_sbe
    if fmt in (NIST_XML, NIST_JSON):
        from tracker.feeds.nist import parse_nist

        return parse_nist
    if fmt == NYT_TIMESERIES:
        from tracker.feeds.nyt_timeseries import parse_nyt_timeseries

        return parse_nyt_timeseries
    if fmt == PRECINCT_TOTALS_CSV:
        from tracker.feeds.precinct_csv import parse_precinct_totals_csv

        return parse_precinct_totals_csv
    if fmt in METADATA_FORMATS:
        raise FeedError(
            f"{'electionsettings.json' if fmt == CLARITY_ELECTIONSETTINGS else 'current_ver.txt'} "
            "describes a Clarity election (its versions and counties) and holds no results; "
            "point at the election's detailxml.zip, summary.json or ALL.json instead"
        )
    raise FeedError(f"unknown format {fmt!r}; known formats: {', '.join(ALL_FORMATS)}")


def parse_payload(
    data: bytes,
    fmt: str = "auto",
    *,
    source: str = "",
    names_from: Snapshot | None = None,
    settings: bytes | None = None,
) -> Snapshot:
    """Parse ``data`` as ``fmt`` ("auto" detects it). Raises FeedError on anything malformed,
    and for the metadata formats (see ``parse_metadata``).

    ``names_from`` is used by ``clarity-all-json`` only (ALL.json carries no names: pass a Snapshot
    of the same election, e.g. its detail XML) and ignored by every other format. ``settings``
    (the site's raw ``electionsettings.json``) is used by ``clarity-summary-json`` only: its
    stated runoff threshold decides the races (docs/contest-rules.md); an unreadable one is
    ignored, as the poller ignores it."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    data = gunzip_payload(data)
    if fmt == "auto":
        fmt = detect_format(data, source)
    from tracker.feeds.plausible import check_snapshot

    parser = _parser(fmt)
    if fmt == CLARITY_ALL_JSON and names_from is not None:
        snapshot = parser(data, source=source, names_from=names_from)
    elif fmt == CLARITY_SUMMARY_JSON and settings is not None:
        from tracker.feeds.clarity_json import parse_electionsettings

        try:
            stated = parse_electionsettings(settings, source=source)
        except FeedError:
            stated = None
        snapshot = parser(data, source=source, settings=stated)
    else:
        snapshot = parser(data, source=source)
    return check_snapshot(snapshot, source or fmt)  # implausible counts, lone surrogates (issue 19)


def parse_file(path: Path, fmt: str = "auto", *, source: str = "") -> Snapshot:
    """Parse the file at ``path`` as ``parse_payload`` parses its bytes, without holding a big
    Clarity detail XML whole: libxml2 reads it as the parser streams (a 37 MB statewide file's
    bytes would otherwise sit in memory beside its Snapshot; issue 21). Other formats are read and
    parsed as payloads. The caller checks the file can be read; OSError if it cannot."""
    with path.open("rb") as file:
        head = file.read(_HEAD + 1)
    if len(head) > _HEAD and fmt in ("auto", CLARITY_DETAIL_XML) and not head.startswith(_GZIP_MAGIC):
        try:
            streams = fmt == CLARITY_DETAIL_XML or detect_format(head[:_HEAD], source) == CLARITY_DETAIL_XML
        except FeedError:
            streams = False  # said with the whole file below
        if streams:
            from tracker.feeds.clarity import parse_detail_xml
            from tracker.feeds.plausible import check_snapshot

            return check_snapshot(parse_detail_xml(path, source=source), source or CLARITY_DETAIL_XML)
    return parse_payload(path.read_bytes(), fmt, source=source)


def parse_metadata(data: bytes, fmt: str = "auto", *, source: str = "") -> Any:
    """Parse a metadata payload: ``clarity-electionsettings`` → ``ClaritySettings``,
    ``clarity-current-ver`` → the version string. FeedError for anything else."""
    data = gunzip_payload(bytes(data))
    if fmt == "auto":
        fmt = detect_format(data, source)
    if fmt == CLARITY_ELECTIONSETTINGS:
        from tracker.feeds.clarity_json import parse_electionsettings

        return parse_electionsettings(data, source=source)
    if fmt == CLARITY_CURRENT_VER:
        from tracker.feeds.clarity_json import parse_current_ver

        return parse_current_ver(data)
    if fmt in FORMATS:
        raise FeedError(f"{fmt} holds results, not feed metadata: parse it with parse_payload")
    raise FeedError(f"unknown format {fmt!r}; known formats: {', '.join(ALL_FORMATS)}")
