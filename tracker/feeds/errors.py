"""Network errors in words an editor understands: the one place that turns an httpx exception
into a sentence.

A newsroom reads "feed failing: the server refused the connection", not "ConnectError: [Errno 111]
Connection refused". The sentence says what happened from the user's side (refused, not found,
no answer, cut off); the technical detail stays in the recording's fetch log through the
caller, never in the window. Sentences that mean "this computer cannot reach the network at all"
are told apart (``is_offline``) so the window can say OFFLINE rather than blaming the feed.

Qt-free and httpx-optional: the exception is recognised by its class names along the MRO, so
this module imports nothing heavy and also words the standard library's socket errors.
"""

from __future__ import annotations

import errno
import re

REFUSED = "the server refused the connection"
NOT_FOUND = "the feed's address could not be found (no network, or a wrong host name)"
UNREACHABLE = "the network is unreachable (is this computer offline?)"
CONNECT_TIMEOUT = "timed out: the server did not accept the connection"
READ_TIMEOUT = "timed out: the server stopped answering"
WRITE_TIMEOUT = "timed out: the request could not be sent"
POOL_TIMEOUT = "timed out: too many requests waiting"
CLOSED = "the server closed the connection before the answer was complete"
BROKEN = "the connection broke while the answer was arriving"
SECURE = "the secure connection failed (the server's certificate was not accepted)"
REDIRECTS = "the server redirected too many times"
BAD_ADDRESS = "the feed's address is not a web address this app can fetch"
CONNECT = "could not connect to the server"
FAILED = "the request failed"

#: Sentences that mean the network itself is missing (the window's OFFLINE).
OFFLINE_SENTENCES = (NOT_FOUND, UNREACHABLE)

_NOT_FOUND_MARKS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
    "[errno -2]",
    "[errno -3]",
    "[errno -5]",
    "[errno 11001]",
)
_UNREACHABLE_MARKS = ("network is unreachable", "no route to host", f"[errno {errno.ENETUNREACH}]")
_REFUSED_MARKS = ("connection refused", f"[errno {errno.ECONNREFUSED}]", "actively refused")
_SECURE_MARKS = ("ssl", "certificate", "tls")


def _names(exc: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(exc).__mro__]


def _connect_sentence(text: str) -> str:
    low = text.lower()
    if any(m in low for m in _NOT_FOUND_MARKS):
        return NOT_FOUND
    if any(m in low for m in _UNREACHABLE_MARKS):
        return UNREACHABLE
    if any(m in low for m in _REFUSED_MARKS):
        return REFUSED
    if any(m in low for m in _SECURE_MARKS):
        return SECURE
    return CONNECT


def describe_network_error(exc: BaseException) -> str:
    """One sentence for a failed request (no exception class names, no errno numbers)."""
    names = _names(exc)
    text = str(exc)
    if "ConnectTimeout" in names:
        return CONNECT_TIMEOUT
    if "ReadTimeout" in names:
        return READ_TIMEOUT
    if "WriteTimeout" in names:
        return WRITE_TIMEOUT
    if "PoolTimeout" in names:
        return POOL_TIMEOUT
    if "TimeoutException" in names or "TimeoutError" in names:
        return READ_TIMEOUT
    if "TooManyRedirects" in names:
        return REDIRECTS
    if "UnsupportedProtocol" in names or "InvalidURL" in names:
        return BAD_ADDRESS
    if "RemoteProtocolError" in names:
        return CLOSED
    if "ConnectError" in names or "ConnectionRefusedError" in names or "gaierror" in names:
        return _connect_sentence(text) if text else CONNECT
    if "ReadError" in names or "ConnectionResetError" in names or "WriteError" in names:
        return BROKEN
    if "SSLError" in names:
        return SECURE
    if "OSError" in names:
        return _connect_sentence(text) if text else CONNECT
    return FAILED


def is_offline(sentence: str | None) -> bool:
    """Whether an error sentence (as worded here) means this computer cannot reach the network."""
    return bool(sentence) and any(s in sentence for s in OFFLINE_SENTENCES)  # type: ignore[operator]


def plain_error(text: str) -> str:
    """An error already turned into text elsewhere, without an exception's class name in front and
    without errno numbers ("ConnectError: [Errno 111] Connection refused" → "Connection refused")."""
    text = re.sub(r"^\s*[A-Za-z_.]*(Error|Exception|Timeout)\s*:\s*", "", text)
    text = re.sub(r"\[Errno -?\d+\]\s*", "", text)
    return " ".join(text.split())
