"""The checks the results parsers make on each value they read, written once.

A parser of a JSON feed fails with one sentence that names the format and where the odd value
sits ("Georgia SOS results JSON: contest 3's ballotOptions is 12, not a list"), never with a
traceback, and reads a vote count the same way as every other parser: :class:`JsonChecks`.
The North Carolina and NIST parsers leave one odd contest out instead of the whole file, and
read counts the feed writes as text: :func:`count_text`, which raises :class:`Odd`.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from tracker.core.errors import FeedError

__all__ = ["MAX_DIGITS", "JsonChecks", "Odd", "count_text", "short"]

#: More digits than this is no vote count (and would make Python's int() slow on purpose).
MAX_DIGITS = 15


class Odd(Exception):
    """One contest's values are unreadable: that contest is left out, the file is not."""


def short(value: Any) -> str:
    """``value`` for a message: its JSON text up to 40 characters, or "dict"/"list"."""
    text = json.dumps(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


class JsonChecks:
    """The checks of one format (``what`` names it in every message). ``integral_floats``: a
    count written ``12.0`` is 12 (JSON writers that know only doubles)."""

    def __init__(self, what: str, *, integral_floats: bool = False) -> None:
        self.what = what
        self.integral_floats = integral_floats

    def fail(self, message: str) -> NoReturn:
        raise FeedError(f"{self.what}: {message}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"{where} is {short(value)}, not an object")
        return value

    def list(self, value: Any, where: str, *, optional: bool = False) -> list[Any]:
        """``value`` as a list; with ``optional``, null (or absent) is an empty one."""
        if value is None and optional:
            return []
        if not isinstance(value, list):
            self.fail(f"{where} is {short(value)}, not a list")
        return value

    def text(self, value: Any, where: str) -> str:
        """A text, or a whole number given where a text was expected (ids often are)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.fail(f"{where} is {short(value)}, not text")
        return value

    def count(self, value: Any, where: str) -> int:
        if self.integral_floats and isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{where} is {short(value)}, not a whole number")
        if value < 0:
            self.fail(f"{where} is negative ({value})")
        return value

    def opt_count(self, value: Any, where: str) -> int | None:
        return None if value is None else self.count(value, where)


def count_text(value: Any, what: str, *, point_zero: bool = False) -> int:
    """A vote count the feed writes as text (or as a JSON number): digits only, at most
    :data:`MAX_DIGITS` of them; ``point_zero`` also takes ``"12.0"``. Raises :class:`Odd`."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise Odd(f"{what} is negative")
        return value
    if not isinstance(value, str):
        raise Odd(f"{what} is missing")
    text = value.strip()
    if point_zero and text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not (text.isascii() and text.isdigit()):
        raise Odd(f"{what} is {text[:30]!r}, not a whole number")
    if len(text) > MAX_DIGITS:
        raise Odd(f"{what} has {len(text):,} digits; not a vote count")
    return int(text)
