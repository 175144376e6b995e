"""The one HTTP client factory: timeouts on every request, bounded connections, a browser-like
User-Agent (Clarity refuses clients without one), and helpers that keep API keys out of logs and
recordings.

One ``httpx.Client`` is shared by a feed's polls (docs/architecture.md, "Known hazards": a shared
client, plain callables on a pool). Connections are limited: Python's ``http.server`` (and some
small newsroom servers) have a short listen backlog, and a tracker polls one feed, not a thousand.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

import httpx

from tracker import __version__

#: Clarity's CDN answers 403 to clients that do not look like a browser.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    f"election-tracker/{__version__}"
)
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
MAX_CONNECTIONS = 4

#: Query parameters and headers whose values are secrets (compared case-insensitively).
SECRET_PARAMS = frozenset({"apikey", "api_key", "key", "token", "access_token"})
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})
REDACTED = "REDACTED"


def make_client(
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    user_agent: str = BROWSER_USER_AGENT,
    max_connections: int = MAX_CONNECTIONS,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for polling: connect/read/write/pool timeouts always set, at most
    ``max_connections`` connections, redirects followed, gzip accepted."""
    return httpx.Client(
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=read_timeout
        ),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"},
        follow_redirects=True,
        transport=transport,
        trust_env=False,  # a desktop app's proxy settings are the user's business; tests stay on loopback
    )


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters (``apiKey`` …) replaced by REDACTED."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if not any(k.lower() in SECRET_PARAMS for k, _ in pairs):
        return url
    clean = [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(clean)))


_SECRET_IN_TEXT = re.compile(r"(?i)\b(apikey|api_key|access_token|token)=([^&\s'\"]+)")


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """An error message or log line with every secret removed (``apiKey=…`` and the given values)."""
    out = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, REDACTED)
    return out


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}
