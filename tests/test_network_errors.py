"""Network errors in words (issue 18 item 4): every httpx failure becomes one sentence an editor
understands, with no exception class name or errno; "offline" is told apart from a failing feed."""

from __future__ import annotations

import re
import socket

import httpx
import pytest
from loopback_ports import refused_port

from tracker.feeds import errors
from tracker.feeds.errors import describe_network_error, is_offline, plain_error

REQUEST = httpx.Request("GET", "http://127.0.0.1:9/feed.json")


@pytest.mark.parametrize(
    ("exc", "sentence"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused", request=REQUEST), errors.REFUSED),
        (httpx.ConnectError("[Errno -2] Name or service not known", request=REQUEST), errors.NOT_FOUND),
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), errors.NOT_FOUND),
        (httpx.ConnectError("[Errno 101] Network is unreachable"), errors.UNREACHABLE),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), errors.SECURE),
        (httpx.ConnectError("something else"), errors.CONNECT),
        (httpx.ConnectTimeout("timed out"), errors.CONNECT_TIMEOUT),
        (httpx.ReadTimeout("timed out"), errors.READ_TIMEOUT),
        (httpx.WriteTimeout("timed out"), errors.WRITE_TIMEOUT),
        (httpx.PoolTimeout("timed out"), errors.POOL_TIMEOUT),
        (
            httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
            errors.CLOSED,
        ),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), errors.BROKEN),
        (httpx.TooManyRedirects("Exceeded maximum allowed redirects."), errors.REDIRECTS),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."), errors.BAD_ADDRESS),
        (ConnectionRefusedError(111, "Connection refused"), errors.REFUSED),
        (socket.gaierror(-2, "Name or service not known"), errors.NOT_FOUND),
    ],
)
def test_each_network_failure_is_one_plain_sentence(exc: Exception, sentence: str) -> None:
    text = describe_network_error(exc)
    assert text == sentence
    assert not re.search(r"Error|Exception|Errno|\[|\]", text), text


def test_a_real_refused_connection_reads_as_refused() -> None:
    with (
        refused_port() as port,  # held, never listening: refused, and nobody else's meanwhile
        httpx.Client(timeout=5) as client,
        pytest.raises(httpx.HTTPError) as caught,
    ):
        client.get(f"http://127.0.0.1:{port}/feed.json")
    assert describe_network_error(caught.value) == errors.REFUSED


def test_offline_is_told_apart_from_a_failing_feed() -> None:
    assert is_offline(errors.NOT_FOUND) and is_offline(errors.UNREACHABLE)
    assert not is_offline(errors.REFUSED) and not is_offline("HTTP 503 Service Unavailable")
    assert not is_offline(None) and not is_offline("")


def test_plain_error_strips_class_names_and_errno() -> None:
    assert plain_error("ConnectError: [Errno 111] Connection refused") == "Connection refused"
    assert plain_error("HTTP 503 Service Unavailable") == "HTTP 503 Service Unavailable"
    assert plain_error(errors.REFUSED) == errors.REFUSED


def test_errors_module_is_qt_free() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(errors.__file__).read_text())
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith(("PySide6", "httpx")) for name in imported), imported
