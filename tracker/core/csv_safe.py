"""CSV cells a spreadsheet cannot run (issue 19; OWASP "CSV injection").

A candidate named ``=HYPERLINK("http://…","click")`` became a live formula in every export. A text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe, which spreadsheets show as text; numbers (and text that reads as a number,
such as ``-2.5``) are left as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet may read it without evaluating it."""
    if not isinstance(value, str) or not value.startswith(_TRIGGERS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell passes :func:`safe_cell`."""

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])


def comment_line(text: str) -> str:
    """One ``# …`` provenance line: feed text in it cannot start a row of its own."""
    return "# " + " ".join(text.splitlines()) + "\n"
