"""A loopback HTTP server for the hostile-input tests (issue 19): it serves one constructed
tracker-feed/1 document, records the headers of every request, and can answer with a redirect,
a header or a status the test sets. Everything it serves is constructed (names say so)."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Callable

from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.native import dump_native


def constructed_payload(
    version: str = "v1", name: str = "Constructed race", published: dt.datetime | None = None, votes: int = 60
) -> bytes:
    return dump_native(
        Snapshot(
            election=Election(id="constructed", name="Constructed election"),
            contests=(
                Contest(
                    id="c1",
                    name=name,
                    candidates=(Candidate("a", "Constructed A"), Candidate("b", "Constructed B")),
                    units=(
                        ReportingUnit(
                            id="u1",
                            name="Constructed unit",
                            reporting=Reporting.COMPLETE,
                            votes={"a": {"Total": votes}, "b": {"Total": 40}},
                        ),
                    ),
                ),
            ),
            version=version,
            fetched_at=dt.datetime(2024, 11, 5, 20, tzinfo=dt.UTC),
            published_at=published,
        )
    )


class HostileServer:
    """``respond(handler)`` may answer a request itself (return True); else the payload is served."""

    def __init__(self, body: bytes | None = None) -> None:
        self.body = body if body is not None else constructed_payload()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.respond: Callable[[http.server.BaseHTTPRequestHandler], bool] | None = None
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if outer.respond is not None and outer.respond(self):
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/feed.json"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
