"""A fault-injecting loopback feed for tests: ``election-tracker serve`` with faults switched on and off.

:class:`FaultyFeedServer` is :class:`~tracker.archive.serve.FeedServer` (the real URL layouts, ETags,
304s, the replay clock) with a request handler that consults ``server.fault`` before answering. A
test sets a :class:`Fault` while the real poller runs, checks what the tracker did, then clears it
and checks the recovery. Faults in the *transport* live here; faults in the *content* (counts going
down, a candidate added, a skewed clock) are versions of a night, served as they come.

Kinds (``Fault.kind``):

* ``hang`` — read the request, never answer (the client's read timeout);
* ``stall`` — headers and half the body, then nothing (a read stall mid-body);
* ``reset`` — read the request, answer with a TCP reset (connection reset by peer);
* ``status`` — answer ``status`` (500/502/503, 404 for a Clarity version that vanished, 403
  "Over quota limit." for AP) with an optional ``Retry-After``;
* ``truncate`` — the full ``Content-Length``, half the body, then close (a truncated transfer);
* ``body`` — the document's bytes through ``transform`` (malformed, a BOM, a document cut short
  but delivered whole), with ``content_type`` replacing the header ("" drops it);
* ``trickle`` — the document one byte per ``trickle_s`` seconds;
* ``huge`` — ``huge_bytes`` of padding after the document, with or without a ``Content-Length``
  (``announce``); ``sent`` counts what the server managed to send before the client hung up.

``block_connects()`` / ``unblock_connects()``: the listening socket stops accepting and its backlog
is filled, so new connections time out in the connect phase (a dead host), and open keep-alive
connections are dropped. Only 127.0.0.1. Every wait in a handler ends when the fault is cleared or
the server stops, so no thread outlives a test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import socket
import struct
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.recorder import Recorded, create_recording, record_feed
from tracker.archive.serve import REQUEST_QUEUE_SIZE, Document, FeedServer, _Handler
from tracker.core.model import Snapshot
from tracker.feeds.clarity_writer import detail_zip
from tracker.feeds.client import make_client
from tracker.feeds.discovery import discover
from tracker.feeds.poller import FeedHealth, Poller, PollPolicy, PollReport, health_after

#: The longest any handler waits for a fault to be cleared (a safety net; tests clear them sooner).
MAX_HOLD_S = 30.0


@dataclass(frozen=True)
class Fault:
    kind: str
    #: Only requests whose path contains this ("" = every request), e.g. "detailxml.zip".
    match: str = ""
    status: int = 503
    body: bytes = b"Service Unavailable\n"
    retry_after: str | None = None
    transform: Callable[[bytes], bytes] | None = None
    content_type: str | None = None
    trickle_s: float = 1.0
    huge_bytes: int = 64 * 1024 * 1024
    announce: bool = True


class FaultyFeedServer(FeedServer):
    """A :class:`FeedServer` whose answers a test can break and mend while the poller runs."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._server.RequestHandlerClass = _FaultHandler
        self._fault: Fault | None = None
        self._mended = threading.Event()
        #: Bytes of padding sent by ``huge`` answers, and requests that met a fault.
        self.sent = 0
        self.faulted: list[tuple[str, str]] = []
        self._fillers: list[socket.socket] = []

    # faults ---------------------------------------------------------------------------------------
    @property
    def fault(self) -> Fault | None:
        return self._fault

    def set_fault(self, fault: Fault | None) -> None:
        """Switch ``fault`` on (None: off). Handlers holding a connection for the old fault let go."""
        old = self._mended
        self._mended = threading.Event()  # a fresh one per fault; the old one releases its holders
        self._fault = fault
        old.set()

    def clear(self) -> None:
        self.set_fault(None)

    def fault_for(self, path: str) -> tuple[Fault | None, threading.Event]:
        fault = self._fault
        if fault is not None and fault.match in path:
            return fault, self._mended
        return None, self._mended

    # connect timeouts -----------------------------------------------------------------------------
    def block_connects(self) -> None:
        """Stop accepting and fill the listen backlog: a new connection times out connecting."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._drop_open_connections()
        listener = self._server.socket
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):  # a backlog of 0 holds one or two; the rest of the SYNs are dropped
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            self._fillers.append(filler)

    def unblock_connects(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._fillers = []
        self._server.socket.listen(REQUEST_QUEUE_SIZE)
        self.start()

    def _drop_open_connections(self) -> None:
        with self._server._connections_lock:
            connections = list(self._server._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._mended.set()
        for filler in self._fillers:
            filler.close()
        self._fillers = []
        super().stop()


class _FaultHandler(_Handler):
    server: object  # (a _Server whose .feed is a FaultyFeedServer)

    def _respond(self, *, head: bool) -> None:
        feed: FaultyFeedServer = self.server.feed  # type: ignore[attr-defined]
        fault, mended = feed.fault_for(self.path)
        if fault is None:
            super()._respond(head=head)
            return
        feed.faulted.append((self.path, fault.kind))
        kind = fault.kind
        if kind == "hang":
            mended.wait(MAX_HOLD_S)
            self._hang_up()
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._hang_up()
        elif kind == "status":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else None
            self._send(fault.status, fault.body, "text/plain", head=head, extra=extra)
        else:
            doc = feed.route(self.path)
            if doc is None:
                super()._respond(head=head)
                return
            if kind == "body":
                self._send_body(fault, doc)
            elif kind in ("stall", "truncate"):
                self._send_head(doc, len(doc.body))
                self.wfile.write(doc.body[: len(doc.body) // 2])
                self.wfile.flush()
                if kind == "stall":
                    mended.wait(MAX_HOLD_S)
                self._hang_up()
            elif kind == "trickle":
                self._send_head(doc, len(doc.body))
                self._trickle(doc.body, fault, mended)
            elif kind == "huge":
                self._send_huge(doc, fault, feed, mended)
            else:
                raise ValueError(f"unknown fault {kind!r}")

    def _send_head(self, doc: Document, length: int | None, content_type: str | None = None) -> None:
        self.server.feed.requests.append((self.path, 200))  # type: ignore[attr-defined]
        self.send_response(200)
        ctype = doc.content_type if content_type is None else content_type
        if ctype:
            self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("ETag", doc.etag)
        self.end_headers()

    def _send_body(self, fault: Fault, doc: Document) -> None:
        body = fault.transform(doc.body) if fault.transform is not None else doc.body
        etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        self._send_head(
            Document(body, doc.content_type, etag, doc.last_modified), len(body), fault.content_type
        )
        self.wfile.write(body)

    def _trickle(self, body: bytes, fault: Fault, mended: threading.Event) -> None:
        for i in range(len(body)):
            if mended.wait(fault.trickle_s):
                break
            try:
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            except OSError:
                break  # the client gave up, as it must
        self._hang_up()

    def _send_huge(
        self, doc: Document, fault: Fault, feed: FaultyFeedServer, mended: threading.Event
    ) -> None:
        pad = b" " * 65536  # JSON and XML allow trailing whitespace: only the size is wrong
        total = len(doc.body) + fault.huge_bytes
        if fault.announce:
            self._send_head(doc, total)
        else:
            self.close_connection = True  # no length: the end of the body is the end of the connection
            self._send_head(doc, None)
        try:
            self.wfile.write(doc.body)
            left = fault.huge_bytes
            while left > 0 and not mended.is_set():
                n = min(left, len(pad))
                self.wfile.write(pad[:n])
                feed.sent += n
                left -= n
        except OSError:
            pass  # the client hung up once it had enough: that is the point
        self._hang_up()

    def _hang_up(self) -> None:
        """Close the connection now (a reset when SO_LINGER 0 was set); the base handler's own
        flush and shutdown then find a harmless buffer instead of a closed socket."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.close()
        self.wfile = io.BytesIO()


def rezip_detail(body: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """A served ``detailxml.zip`` with its ``detail.xml`` edited, zipped as Clarity serves it, and
    the same bytes each time: a zip stamped with the current time (``writestr(name, ...)``) would
    differ from itself across a two-second tick, so what a test recomputes as "served" would not be
    what was served (the ``clarity-xml-bom`` case failed that way on a loaded machine)."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        (name,) = z.namelist()
        xml = z.read(name)
    assert name == "detail.xml", name
    return detail_zip(edit(xml))


def wait_for(predicate: Callable[[], bool], timeout: float = 90.0, step: float = 0.01) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# -- the headless core under test -------------------------------------------------------------------
JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
SPEED = 1000.0
#: Short polls and backoffs, so a fault and its recovery take a fraction of a second; timeouts are
#: generous upper bounds that a loaded machine never reaches, so a request that should succeed
#: does (a 0.5 s read timeout made good fetches fail at random under load).
POLICY = PollPolicy(
    interval=0.02,
    backoff_base=0.05,
    backoff_cap=0.2,
    jitter=0.0,
    quota_backoff=0.2,
    connect_timeout=15.0,
    read_timeout=15.0,
    total_timeout=30.0,
)
#: For tests whose fault *is* a timeout (``hang``, ``stall``, a blocked listener): short enough to
#: trip quickly, and far shorter than the fault, which holds its connection until it is cleared
#: (up to :data:`MAX_HOLD_S`), so the timeout is certain however loaded the machine is. A good
#: fetch under load may trip it too; such tests assert on outcomes that retries reach.
TIMEOUT_POLICY = replace(POLICY, connect_timeout=1.0, read_timeout=1.0)
#: Upper bound of every wait for something that must happen (costs time only when it does not).
WAIT_S = 90.0


class StepClock:
    """The served night's clock: stands still until a test releases the next version."""

    def __init__(self, night: Path, speed: float = SPEED) -> None:
        with NightFile.open(night) as n:
            self.times = [v.fetched_at for v in n.versions()]
        self._speed, self._value = speed, 0.0

    def __call__(self) -> float:
        return self._value

    def release(self, index: int) -> None:
        self._value = (self.times[index] - self.times[0]).total_seconds() / self._speed

    def night_time(self) -> dt.datetime:
        """The served night's time now: what a clock in the room would say during the night."""
        return self.times[0] + dt.timedelta(seconds=self._value * self._speed)


class Core:
    """The headless core polling ``url`` into ``out`` on a thread, as ``record`` does; the feed's
    health is folded from every report exactly as the window's worker does."""

    def __init__(
        self,
        url: str,
        out: Path,
        *,
        policy: PollPolicy = POLICY,
        max_bytes: int = 256 * 1024 * 1024,
        wall: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.target = discover(url)
        self.night = create_recording(out, url=self.target.display_url, kind=self.target.kind)
        self.health = FeedHealth(url=self.target.display_url, kind=self.target.kind)
        self.shown: list[Snapshot] = []
        self.errors: list[str] = []
        self.reports: list[PollReport] = []
        self.failure: list[BaseException] = []
        self._stop = threading.Event()
        self._policy, self._max_bytes = policy, max_bytes
        #: Our wall clock (default the real one; a rehearsal of a past night passes the night's).
        self._wall = wall or (lambda: dt.datetime.now(dt.UTC))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _on_report(self, report: PollReport, recorded: Recorded) -> None:
        self.reports.append(report)
        self.shown.extend(recorded.snapshots)
        self.errors.extend(e.error for e in report.events if e.error)
        new = recorded.snapshots[-1].version if recorded.snapshots else None
        self.health = health_after(
            self.health,
            report,
            now_wall=dt.datetime.now(dt.UTC),
            now_mono=0.0,
            new_version=new,
            stale=recorded.stale,
        )

    def _run(self) -> None:
        try:
            with make_client(
                connect_timeout=self._policy.connect_timeout, read_timeout=self._policy.read_timeout
            ) as client:
                poller = Poller(
                    self.target,
                    client=client,
                    policy=self._policy,
                    max_bytes=self._max_bytes,
                    wall=self._wall,
                )
                record_feed(poller, self.night, self._stop, on_report=self._on_report)
        except BaseException as exc:  # the test fails on it (the loop must never die)
            self.failure.append(exc)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self.failure

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        assert wait_for(lambda: predicate() or not self.alive, WAIT_S), f"timed out waiting for {what}"
        assert self.alive, f"the poll loop died: {self.failure}"

    def wait_health(self, predicate: Callable[[FeedHealth], bool], what: str) -> FeedHealth:
        """Wait until the feed's health satisfies ``predicate`` and return that very health, so a
        test's further checks read one consistent state, not one a later poll has replaced."""
        seen: list[FeedHealth] = []

        def holds() -> bool:
            health = self.health  # (replaced whole by the poll thread, never mutated)
            if predicate(health):
                seen.append(health)
                return True
            return False

        self.wait(holds, what)
        return seen[-1]

    def payloads_shown(self) -> list[str]:
        return [s.payload_id for s in self.shown]

    def stop(self) -> Path:
        self._stop.set()
        self._thread.join(WAIT_S)
        assert not self._thread.is_alive(), "the poll loop did not stop"
        self.night.close()
        if self.failure:
            raise self.failure[0]
        return self.night.path
