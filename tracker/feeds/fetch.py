"""One GET of a feed: conditional, bounded in size and time, its answer free of our key.

Here so that every request the poller makes goes through the same limits: ``If-None-Match`` /
``If-Modified-Since`` from the last answer (a 304 is a fetch, not a new version), a body larger
than the limit refused without keeping it, a whole response cut off at a deadline however slowly a
server trickles it (the connect and read timeouts are :mod:`tracker.feeds.client`'s), every
network failure one sentence for people, and a key a server echoes back replaced before anything
is recorded.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Validators:
    """What a server said about the last body it sent, for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for the next request of the same URL."""
    headers: dict[str, str] = {}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def format_size(n: int) -> str:
    """``n`` bytes for a message: "256 MB", "64 KB", "900 bytes"."""
    if n >= 2**20 and n % 2**20 == 0:
        return f"{n // 2**20} MB"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def scrub_secret(body: bytes, secret: str | None) -> bytes:
    """``body`` with ``secret`` (the API key, as given or URL-quoted) replaced by ``REDACTED``: a
    server that echoes the key (in AP's ``nextrequest``, say) must not put it into a recording.
    Keys shorter than 8 characters are left alone: replacing a short, common string would damage
    the payload, and real keys are long."""
    if not secret or len(secret) < 8:
        return body
    from tracker.feeds.client import REDACTED

    for form in {secret, urllib.parse.quote(secret, safe="")}:
        if form.encode() in body:
            body = body.replace(form.encode(), REDACTED.encode())
    return body


def bounded_get(
    client: httpx.Client,
    url: str,
    *,
    headers: dict[str, str],
    total_timeout: float,
    max_bytes: int,
    monotonic: Callable[[], float],
    redact: Callable[[str], str],
) -> tuple[httpx.Response | None, bytes, str | None]:
    """GET ``url``; returns (response or None, body, error sentence or None).

    Memory stays bounded: a body announced (``Content-Length``) or found larger than
    ``max_bytes`` is refused without keeping it, and the whole response is cut off at
    ``total_timeout`` (the policy's) however slowly the server trickles it. ``redact`` takes the
    key out of an error sentence that quotes the URL."""
    import httpx

    deadline = monotonic() + total_timeout
    too_big = f"the response is larger than the {format_size(max_bytes)} limit; not read"
    from tracker.feeds.client import request_deadline

    try:
        with (
            request_deadline(total_timeout),
            client.stream("GET", url, headers=headers) as response,
        ):
            announced = response.headers.get("Content-Length", "").strip()
            if announced.isdigit() and int(announced) > max_bytes:
                return response, b"", too_big
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return response, b"", too_big
                if monotonic() > deadline:
                    return (
                        None,
                        b"",
                        f"timed out (the response took longer than {total_timeout:g} s)",
                    )
                chunks.append(chunk)
            return response, b"".join(chunks), None
    except httpx.TimeoutException as exc:
        if "deadline passed" in str(exc):  # client.request_deadline: headers trickled in
            return None, b"", f"timed out (the response took longer than {total_timeout:g} s)"
        from tracker.feeds.errors import describe_network_error

        return None, b"", describe_network_error(exc)
    except httpx.DecodingError as exc:  # our own sentence (client.BoundedDecoding)
        return None, b"", redact(str(exc)) or "the response could not be decoded"
    except httpx.HTTPError as exc:  # one user-facing sentence, no class name
        from tracker.feeds.errors import describe_network_error

        return None, b"", describe_network_error(exc)
