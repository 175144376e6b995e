"""What the command line prints cannot attack its reader (issue 19).

Feed text (names, versions, a server's reason phrase) reached the terminal raw: an escape
sequence in a candidate's name could retitle the terminal, write the clipboard (OSC 52) or clear
the screen. While a command runs, its stdout and stderr go through :class:`SafeStream`, which
shows every C0 and C1 control character (but newline and tab), and DEL, as a visible ``\\u001b``
escape. JSON stays valid (C0 are already escaped by ``json``; C1 become ``\\u009b``, a JSON
escape of the same character); a payload written to a *file* is never touched.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import TextIO

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with every control character but newline and tab written as ``\\uXXXX``."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream:
    """A text stream that escapes control characters on their way to ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(escape_controls(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:  # flush, fileno, isatty, encoding, buffer …
        return getattr(self._inner, name)


@contextlib.contextmanager
def safe_output() -> Iterator[None]:
    """stdout and stderr escaped for as long as the block runs."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
