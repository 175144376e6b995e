"""Loopback ports for tests, held for as long as a test needs them, never "found free" and let go.

Binding port 0, closing the socket and handing its number on is a race: between the close and the
later use, any process (xdist runs several workers) may be given the same port, and the test then
talks to a stranger, or its server cannot bind. Here the port stays bound throughout:

* :func:`refused_port` — a socket bound but never listening: every connection to it is refused
  (the kernel answers a SYN with a reset when no socket listens on the port), for as long as the
  ``with`` block lasts.
* :func:`held_port` with :func:`reusable_feed_servers` — the same, with ``SO_REUSEPORT``, so that
  a :class:`~tracker.archive.serve.FeedServer` can bind that very port *while* it is held: a
  feed that is down, then comes up (or goes down and comes back) on one URL, with no moment in
  which the port is free. A bound socket that does not listen takes no connections, so every one
  goes to the server once it listens.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["held_port", "refused_port", "reusable_feed_servers"]


@contextmanager
def refused_port() -> Iterator[int]:
    """A 127.0.0.1 port on which every connection is refused while the block runs."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@contextmanager
def held_port(port: int = 0) -> Iterator[int]:
    """Hold 127.0.0.1:``port`` (0: a port the kernel picks), bound with ``SO_REUSEPORT`` and not
    listening: refused while nothing else listens on it, yet a server made with
    :func:`reusable_feed_servers` in force may bind it meanwhile (the same user's sockets that all
    set ``SO_REUSEPORT`` may share a port)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        yield s.getsockname()[1]


def reusable_feed_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the feed servers made in this test bind a port :func:`held_port` holds."""
    from tracker.archive import serve_http

    monkeypatch.setattr(serve_http._Server, "allow_reuse_port", True)
