"""Counts in words: "1 payload", "2 payloads".

One place for the CLI's and the window's count sentences, so that a one-file import or a
one-precinct race is not told as "1 payloads" or "1 precincts". In the core (no Qt, imports
nothing) so that every layer above may use it.
"""

from __future__ import annotations


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun that goes with ``n``: ``singular`` for exactly one, else ``plural`` (default:
    ``singular`` + "s"). For sentences where the number stands apart ("0 of 1 precinct")."""
    return singular if n == 1 else (plural if plural is not None else singular + "s")


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and the noun that agrees with it: "1 vote", "1,204 votes",
    "0 votes"."""
    return f"{n:,} {noun(n, singular, plural)}"
