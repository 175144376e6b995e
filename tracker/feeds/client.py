"""The one HTTP client factory: timeouts on every request, bounded connections, a browser-like
User-Agent (Clarity refuses clients without one), and helpers that keep API keys out of logs and
recordings.

One ``httpx.Client`` is shared by a feed's polls (docs/architecture.md, "Known hazards": a shared
client, plain callables on a pool). Connections are limited: Python's ``http.server`` (and some
small newsroom servers) have a short listen backlog, and a tracker polls one feed, not a thousand.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import urllib.parse
import zlib
from collections.abc import Iterator, Mapping

import httpcore
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
#: Most bytes a compressed response may inflate to (the poller's own limit is usually lower).
MAX_DECODED_BYTES = 256 * 1024 * 1024
#: Inflated bytes handed on at a time: a tiny compressed chunk never becomes a huge allocation.
INFLATE_PIECE = 64 * 1024
_GZIP, _DEFLATE = ("gzip", "x-gzip"), ("deflate",)

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
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> httpx.Client:
    """An ``httpx.Client`` for polling: connect/read/write/pool timeouts always set, at most
    ``max_connections`` connections, redirects followed, gzip accepted.

    Content codings are inflated by :class:`BoundedDecoding`, never by httpx: httpx inflates each
    received chunk whole, so 6 KB of ``Content-Encoding: gzip, gzip`` became gigabytes before any
    size check could see it (issue 19)."""
    if transport is None:
        transport = httpx.HTTPTransport(limits=_limits(max_connections))
        # every socket operation bounded by the exchange's deadline (request_deadline), headers
        # included: httpx's timeouts are per operation, so a server trickling its headers a byte
        # at a time held the feed's thread for ever (issue 19)
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None:
            pool._network_backend = DeadlineBackend(backend)
    inner = transport
    return httpx.Client(
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=read_timeout
        ),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"},
        follow_redirects=True,
        event_hooks={"request": [keep_secrets_at_their_origin]},
        transport=BoundedDecoding(inner, max_decoded_bytes),
        trust_env=False,  # a desktop app's proxy settings are the user's business; tests stay on loopback
    )


_DEADLINE = threading.local()


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Within this block, on this thread, every socket operation of the client (connecting,
    sending, reading headers and body) fails with a timeout once ``seconds`` have passed."""
    previous = getattr(_DEADLINE, "at", None)
    _DEADLINE.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _DEADLINE.at = previous


def _clip(timeout: float | None) -> float | None:
    deadline = getattr(_DEADLINE, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the exchange's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _clip(timeout))
        except httpcore.ReadTimeout:
            _clip(None)  # the deadline, not the per-read timeout: say so
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _clip(timeout))
        except httpcore.WriteTimeout:
            _clip(None)
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clip(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation clipped to :func:`request_deadline`."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._inner.connect_tcp(host, port, _clip(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _DeadlineStream(self._inner.connect_unix_socket(path, _clip(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


_ORIGIN = "tracker_origin"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def keep_secrets_at_their_origin(request: httpx.Request) -> None:
    """A request hook: a redirect to another origin (scheme, host or port) goes without the AP
    key, credentials and cookies (httpx keeps ``x-api-key`` across origins; issue 19). httpx
    carries a request's ``extensions`` dict over to the requests its redirects build, so the
    first hop's origin is remembered there."""
    origin = request.extensions.setdefault(_ORIGIN, _origin(request.url))
    if origin != _origin(request.url):
        for name in SECRET_HEADERS:
            request.headers.pop(name, None)


def _limits(max_connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def content_codings(header: str | None) -> list[str]:
    """The codings of a ``Content-Encoding`` header, in the order they were applied (identity dropped)."""
    return [c for c in (part.strip().lower() for part in (header or "").split(",")) if c and c != "identity"]


class BoundedDecoding(httpx.BaseTransport):
    """A transport that inflates one gzip or deflate coding itself, in pieces of
    :data:`INFLATE_PIECE` bytes and at most ``limit`` bytes in all, and refuses anything else
    (two codings stacked, br, zstd, an unknown one) with one sentence. The response it hands on
    carries no ``Content-Encoding`` (so httpx inflates nothing) and no ``Content-Length`` (that
    counted the compressed bytes)."""

    def __init__(self, inner: httpx.BaseTransport, limit: int = MAX_DECODED_BYTES) -> None:
        self._inner = inner
        self._limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        header = response.headers.get("Content-Encoding")
        codings = content_codings(header)
        if not codings:
            return response
        if len(codings) > 1 or codings[0] not in _GZIP + _DEFLATE:
            response.close()
            raise httpx.DecodingError(
                f"the server sent its response encoded as {header.strip()!r}; "
                "only plain, gzip or deflate responses are read",
                request=request,
            )
        drop = (b"content-encoding", b"content-length")
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in drop]
        stream = _InflatingStream(response.stream, codings[0], self._limit, request)
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=stream,
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


class _InflatingStream(httpx.SyncByteStream):
    def __init__(self, raw: httpx.SyncByteStream, coding: str, limit: int, request: httpx.Request) -> None:
        self._raw, self._coding, self._limit, self._request = raw, coding, limit, request

    def _inflater(self, first: bytes) -> zlib._Decompress:
        if self._coding in _GZIP:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped; some servers send it raw (as httpx allows)
        zlib_header = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)

    def __iter__(self) -> Iterator[bytes]:
        inflater: zlib._Decompress | None = None
        self._total = 0
        try:
            for chunk in self._raw:
                data = bytes(chunk)
                while data:
                    if inflater is None:
                        inflater = self._inflater(data)
                    out = inflater.decompress(data, INFLATE_PIECE)
                    data = inflater.unconsumed_tail
                    yield from self._counted(out)
                    while not data and len(out) == INFLATE_PIECE and not inflater.eof:
                        out = inflater.decompress(b"", INFLATE_PIECE)  # output zlib still holds
                        yield from self._counted(out)
                    if inflater.eof:  # a gzip of several members: the next starts afresh
                        data = (inflater.unused_data + data).lstrip(b"\0")
                        inflater = None
        except zlib.error as exc:
            raise httpx.DecodingError(
                f"the response is not valid {self._coding} data ({exc})", request=self._request
            ) from exc

    def _counted(self, out: bytes) -> Iterator[bytes]:
        self._total += len(out)
        if self._total > self._limit:
            raise httpx.DecodingError(
                f"the response inflates to more than {self._limit // 2**20} MB; not read",
                request=self._request,
            )
        if out:
            yield out

    def close(self) -> None:
        self._raw.close()


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without its ``user:password@`` and the credentials (unquoted), if it had any: a
    password in a feed address travels in an ``Authorization`` header, never in a URL that is
    shown, stored, printed or made a file name (issue 19)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return strip_userinfo_text(url), None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
    return clean, (urllib.parse.unquote(user), urllib.parse.unquote(password))


_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]*@")


def strip_userinfo_text(text: str) -> str:
    """Every ``scheme://user:password@`` in ``text`` (an error, a log line) without its userinfo."""
    return _USERINFO_IN_TEXT.sub(r"\1", text)


def basic_auth_header(credentials: tuple[str, str]) -> str:
    import base64

    user, password = credentials
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters (``apiKey`` …) replaced by REDACTED,
    and without any ``user:password@``."""
    url = split_userinfo(url)[0]
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
    out = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={REDACTED}", strip_userinfo_text(text))
    for secret in secrets:
        if secret:
            out = out.replace(secret, REDACTED)
    return out


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}
