"""From a URL a user pastes to what to poll.

* **Clarity (Scytl ENR)**: any link into an election's site, as copied from the browser —
  ``https://results.enr.clarityelections.com/GA/63991/``, ``…/GA/63991/web.264614/#/summary``,
  ``…/GA/Fulton/63992/``, ``…/GA/63991/271066/reports/detailxml.zip`` — becomes the election's base
  ``/{ST}[/{County}]/{id}/``; the poller reads ``current_ver.txt`` there and fetches
  ``{ver}/reports/detailxml.zip`` when the version moves. The same path layout on another host (a
  ``serve --as clarity`` on loopback, a mirror) is recognised too.
* **AP Elections API**: ``api.ap.org/v2|v3/elections/…`` (or that path on another host). The key
  comes from the URL's ``apiKey``, the caller (settings dialog) or ``$AP_API_KEY``; it is sent as
  the ``x-api-key`` header, taken out of the URL, and redacted from everything the tracker writes.
* **Georgia's results site export**: ``…/cdn/results/{Jurisdiction}/export-{Election}.json``
  (``results.sos.ga.gov``, or that path on another host) is polled as a ``ga-sos-json`` document
  (kind ``gasos``): conditional GETs, its ``createdAt`` as the version.
* **Enhanced Voting** (Georgia, Virginia, Washington, Utah, counties on ``app.enhancedvoting.com``):
  a results page as copied from the browser — ``…/results/public/{jurisdiction}/elections/
  {election}[/…]``, ``…/results/public/{jurisdiction}/{election}[/…]`` — or an API address
  ``…/results/public/api/elections/{jurisdiction}/{election}[/…]`` becomes the API's ``/data``
  document (kind ``ev``), its ``election.lastUpdated`` as the version.
* anything else over http(s): a document URL (``tracker-feed/1`` or a single Clarity detail XML)
  polled as is, its format detected from the bytes of the first response.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tracker.core.errors import FeedError
from tracker.feeds.client import SECRET_PARAMS, basic_auth_header, redact_text, redact_url, split_userinfo
from tracker.feeds.registry import FORMATS, detect_format

KINDS = ("clarity", "ap", "native", "gasos", "ev")
#: Kinds whose documents carry their own publication time (``createdAt``, ``lastUpdated``): one
#: older than, or the same as, the newest seen is not a new version (poller.document_action).
VERSIONED_KINDS = ("gasos", "ev")
AP_KEY_ENV = "AP_API_KEY"

_CLARITY_HOST = re.compile(r"(^|\.)clarityelections\.com$", re.I)
_CLARITY_PATH = re.compile(r"^/(?P<st>[A-Za-z]{2})/(?:(?P<county>[^/\d][^/]*)/)?(?P<eid>\d+)(?P<rest>/.*)?$")
#: After the election id, what a Clarity link on another host may continue with.
_CLARITY_REST = re.compile(r"^(/|/current_ver\.txt|/web\.[^/]*(/.*)?|/\d+/(reports|json)/.*|/\d+/?)?$", re.I)
_AP_HOST = re.compile(r"(^|\.)ap\.org$", re.I)
_AP_PATH = re.compile(r"^/(v2|v3)/elections(/|$)", re.I)
_GA_EXPORT_PATH = re.compile(r"^/cdn/results/[^/]+/export-[^/]+\.json$", re.I)
_EV_API = re.compile(r"^(?P<pre>.*?)/results/public/api/elections/(?P<j>[^/]+)/(?P<e>[^/]+)(/.*)?$", re.I)
_EV_PAGE = re.compile(r"^(?P<pre>.*?)/results/public/(?P<j>[^/]+)/(?:elections/)?(?P<e>[^/]+)(/.*)?$", re.I)


@dataclass(frozen=True)
class FeedTarget:
    """What to poll, and how. ``url`` never holds a secret (the AP key travels in ``headers``)."""

    kind: str
    #: native/ap: the document URL; clarity: the election's base URL, ending in "/".
    url: str
    #: A registry format to force, or "auto" to detect from the bytes.
    fmt: str = "auto"
    api_key: str | None = field(default=None, repr=False)
    #: AP: request ``nextrequest`` next (the pure decision is ``poller.ap_next_url``). Its
    #: ``minDateTime`` makes AP answer with only the races changed since; the recorder merges them
    #: into the previous version (``core.merge.apply_delta``) and replays rebuild the same chain
    #: (``archive.chain``). False polls the full document every time.
    follow_nextrequest: bool = True
    #: Clarity: state, county (None for a state site) and election id.
    clarity: tuple[str, str | None, str] | None = None
    #: Enhanced Voting: the site's jurisdiction and election as its addresses spell them.
    ev: tuple[str, str] | None = None
    #: ``user:password`` given in the pasted address: sent as HTTP Basic auth, never in ``url``.
    auth: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def headers(self) -> Mapping[str, str]:
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        if self.auth is not None:
            headers["Authorization"] = basic_auth_header(self.auth)
        return headers

    @property
    def display_url(self) -> str:
        return redact_url(self.url)

    def redact(self, text: str) -> str:
        secrets = (self.api_key or "", *(self.auth[1:] if self.auth and len(self.auth[1]) >= 4 else ()))
        return redact_text(text, secrets)

    def clarity_version_url(self) -> str:
        return self.url + "current_ver.txt"

    def clarity_payload_url(self, version: int) -> str:
        return f"{self.url}{version}/reports/detailxml.zip"

    def clarity_summary_url(self, version: int) -> str:
        return f"{self.url}{version}/json/en/summary.json"

    def clarity_payload_urls(self, version: int) -> list[str]:
        """What to fetch for a new version, best first: the detail XML zip (every precinct or
        county, every vote type), else ``summary.json`` (contest totals only) for sites that
        publish no zip. (On a site with the zip, the poller fetches the summary first, as its
        fast path: ``poller.Poller._fast_path``.)"""
        return [self.clarity_payload_url(version), self.clarity_summary_url(version)]

    def format_of(self, body: bytes, url: str) -> str:
        """The registry format of a body fetched from ``url`` (forced, or detected)."""
        if self.fmt != "auto":
            return self.fmt
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
        return detect_format(body, name)


def _strip_secrets(url: str) -> tuple[str, str | None]:
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    key = next((v for k, v in pairs if k.lower() in SECRET_PARAMS and v), None)
    kept = [(k, v) for k, v in pairs if k.lower() not in SECRET_PARAMS]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept))), key


def discover(
    url: str,
    *,
    kind: str | None = None,
    fmt: str = "auto",
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> FeedTarget:
    """The :class:`FeedTarget` for a pasted ``url``. ``kind`` forces clarity/ap/native. Raises
    FeedError with one sentence for something that is not a URL we can poll."""
    env = os.environ if env is None else env
    text = (url or "").strip()
    if not text:
        raise FeedError(
            "paste the address of a results feed (a Clarity results page, an AP API URL or a feed URL)"
        )
    if "://" not in text and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", text, re.I):
        text = "https://" + text  # a URL copied without its scheme
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise FeedError(f"{redact_text(text)!r} is not a web address") from None
    text, auth = split_userinfo(text)  # the password goes in a header (issue 19)
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError(
            f"{redact_text(text)!r} is not a web address (expected http:// or https://); "
            "to open a saved night use File ▸ Open night…"
        )
    if kind is not None and kind not in KINDS:
        raise FeedError(f"unknown feed kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if fmt != "auto" and fmt not in FORMATS:
        raise FeedError(f"unknown format {fmt!r}; known formats: auto, {', '.join(FORMATS)}")
    host = parts.hostname or ""
    path = urllib.parse.unquote(parts.path or "/")

    match = _CLARITY_PATH.match(path)
    is_clarity_host = bool(_CLARITY_HOST.search(host))
    if kind == "clarity" or (
        kind is None and match and (is_clarity_host or _CLARITY_REST.match(match.group("rest") or ""))
    ):
        if not match:
            raise FeedError(
                f"{redact_text(text)!r} does not look like a Clarity election link "
                "(expected …/ST/electionId/ or …/ST/County/electionId/)"
            )
        st, county, eid = match.group("st").upper(), match.group("county"), match.group("eid")
        prefix = f"/{st}/" + (f"{urllib.parse.quote(county)}/" if county else "") + f"{eid}/"
        base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, prefix, "", ""))
        return FeedTarget(kind="clarity", url=base, fmt=fmt, clarity=(st, county, eid), auth=auth)
    if kind is None and is_clarity_host:
        raise FeedError(
            "this Clarity address does not name an election: copy the link of the election's results "
            "page (…/GA/63991/…)"
        )

    if kind == "gasos" or (kind is None and _GA_EXPORT_PATH.match(path)):  # forced: any document URL
        url = urllib.parse.urlunsplit(parts._replace(query="", fragment=""))
        return FeedTarget(kind="gasos", url=url, fmt="ga-sos-json" if fmt == "auto" else fmt)
    ev = _EV_API.match(path) or _EV_PAGE.match(path)
    if kind in (None, "ev") and ev and ev.group("j").lower() != "api":
        jurisdiction, election = ev.group("j"), ev.group("e")
        api = f"{ev.group('pre')}/results/public/api/elections/{urllib.parse.quote(jurisdiction)}/"
        api += f"{urllib.parse.quote(election)}/data"
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, api, "", ""))
        return FeedTarget(
            kind="ev",
            url=url,
            fmt="enhanced-voting-json" if fmt == "auto" else fmt,
            ev=(jurisdiction, election),
        )
    if kind == "ev":
        raise FeedError(
            f"{redact_text(text)!r} does not look like an Enhanced Voting results page "
            "(expected …/results/public/{jurisdiction}/elections/{election})"
        )

    clean, key_in_url = _strip_secrets(urllib.parse.urlunsplit(parts._replace(fragment="")))
    if kind == "ap" or (kind is None and (_AP_HOST.search(host) or _AP_PATH.match(path))):
        key = key_in_url or api_key or env.get(AP_KEY_ENV) or None
        if key is None and _AP_HOST.search(host):
            raise FeedError(
                f"the AP Elections API needs an API key: set {AP_KEY_ENV} or enter it in the Open feed dialog"
            )
        return FeedTarget(kind="ap", url=clean, fmt=fmt, api_key=key, auth=auth)
    return FeedTarget(kind="native", url=clean, fmt=fmt, api_key=key_in_url, auth=auth)


#: The main time zone of each US state (Clarity sites are per state or county), for showing a live
#: night's times in the election's own zone. States split between zones get their most populous one.
STATE_ZONES: dict[str, str] = {
    **dict.fromkeys(
        [
            "CT",
            "DE",
            "DC",
            "FL",
            "GA",
            "IN",
            "KY",
            "ME",
            "MD",
            "MA",
            "MI",
            "NH",
            "NJ",
            "NY",
            "NC",
            "OH",
            "PA",
            "RI",
            "SC",
            "VT",
            "VA",
            "WV",
        ],
        "America/New_York",
    ),
    **dict.fromkeys(
        ["AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN", "TX", "WI"],
        "America/Chicago",
    ),
    **dict.fromkeys(["CO", "ID", "MT", "NM", "UT", "WY"], "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys(["CA", "NV", "OR", "WA"], "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
}


_EV_STATES = {"georgia": "GA", "virginia": "VA", "washington": "WA", "utah": "UT", "idaho": "ID"}


#: States' own results sites whose address does not end in ``.{st}.gov``: host suffix → state.
STATE_SITES: dict[str, str] = {
    "ncsbe.gov": "NC",  # er.ncsbe.gov (results), dl.ncsbe.gov (the precinct ZIPs)
    "votewa.gov": "WA",
    "elections.virginia.gov": "VA",
    "sos.ga.gov": "GA",
    "enr.elections.ny.gov": "NY",
    "electionresults.sos.state.mn.us": "MN",
}
_STATE_GOV_HOST = re.compile(r"(?:^|\.)(?P<st>[a-z]{2})\.gov$|(?:^|\.)state\.(?P<st2>[a-z]{2})\.us$")


def _state_of_host(host: str) -> str:
    """The state whose results site ``host`` is: a known state site (``er.ncsbe.gov``), or a
    state government's own domain (``{st}.gov``, ``state.{st}.us``); "" when it names none."""
    host = host.lower().rstrip(".")
    for suffix, state in STATE_SITES.items():
        if host == suffix or host.endswith("." + suffix):
            return state
    m = _STATE_GOV_HOST.search(host)
    state = (m.group("st") or m.group("st2") or "").upper() if m else ""
    return state if state in STATE_ZONES else ""


#: The payload formats that name their state (the first poll's detected format).
_FORMAT_STATES = {"nc-sbe": "NC", "ga-sos-json": "GA"}


def state_of_format(fmt: str) -> str:
    """The state a payload format belongs to (NC's board file, Georgia's export), else ""."""
    return _FORMAT_STATES.get(fmt, "")


def guess_timezone(target: FeedTarget, formats: Iterable[str] = ()) -> str:
    """The IANA zone to show a live night in: the election's state's, wherever the address or the
    feed names the state (:func:`named_zone`) — else UTC, which says itself.
    ``formats``: the first poll's detected payload formats.

    An AP night for no state at all (a national one) is shown in Eastern time, the zone AP and the
    networks call national races in; one for several states has no one zone and stays UTC. (A live
    recording then still takes the zone of the one state its first version names:
    ``tracker.archive.recorder``.)"""
    named = named_zone(target, formats)
    if named is not None:
        return named
    if target.kind == "ap" and not _ap_states(target):
        return "America/New_York"
    return "UTC"


def _ap_states(target: FeedTarget) -> list[str]:
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(target.url).query)
    postal = next((v for k, v in query if k.lower() == "statepostal"), "")
    return [p.strip().upper() for p in postal.split(",") if p.strip()]


def named_zone(target: FeedTarget, formats: Iterable[str] = ()) -> str | None:
    """The zone of the one state the address or the format names — a Clarity site's ``/{ST}/``, an
    Enhanced Voting state site's (or a county site's whose slug ends in its state,
    ``cass-county-mi``), the format its payload came in (NC's board file), a state's own results
    site (``er.ncsbe.gov`` → North Carolina, ``results.sos.ga.gov``, any ``*.{st}.gov``), AP's one
    ``statepostal`` — else None (a NIST report or a native feed served from anywhere)."""
    if target.clarity is not None:
        return STATE_ZONES.get(target.clarity[0].upper())
    if target.ev is not None:
        slug = target.ev[0].lower()
        state = _EV_STATES.get(slug) or (slug.rsplit("-", 1)[-1].upper() if "-" in slug else "")
        if state in STATE_ZONES:
            return STATE_ZONES[state]
    if target.kind == "gasos":
        return STATE_ZONES["GA"]
    for fmt in (target.fmt, *formats):
        if fmt in _FORMAT_STATES:
            return STATE_ZONES[_FORMAT_STATES[fmt]]
    state = _state_of_host(urllib.parse.urlsplit(target.url).hostname or "")
    if state:
        return STATE_ZONES[state]
    if target.kind == "ap":
        states = _ap_states(target)
        if len(states) == 1:
            return STATE_ZONES.get(states[0])
    return None
