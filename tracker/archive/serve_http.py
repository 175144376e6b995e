"""The HTTP side of serving a night: a threading server and its handler, and what a document is.

Kept apart from :class:`~tracker.archive.serve.FeedServer`, which decides *which* document a path
gets now, because this part is the same for every format: conditional GETs (``If-None-Match``,
else ``If-Modified-Since``, answered 304), AP's quota (403 with ``Retry-After``), 404 and 500 in
one line, a large listen backlog (Python's default of 5 drops connections under a burst of
polls), daemon threads, and open keep-alive connections dropped when the feed stops, so a stopped
feed answers nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.server
import logging
import math
import socket
import threading
from dataclasses import dataclass
from typing import Protocol

#: The serve module's logger, so what a served night logs is named as before it was split.
log = logging.getLogger("tracker.archive.serve")

REQUEST_QUEUE_SIZE = 128


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


def _http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


class _Feed(Protocol):
    """What the handler asks of the feed it serves (:class:`~tracker.archive.serve.FeedServer`)."""

    requests: list[tuple[str, int]]

    def route(self, path: str) -> Document | None: ...

    def quota_check(self) -> float | None: ...


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = REQUEST_QUEUE_SIZE
    daemon_threads = True
    allow_reuse_address = True
    feed: _Feed

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
