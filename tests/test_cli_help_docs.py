"""Every document a command's --help points to exists, and names what it is pointed to for.

Found walking the user documentation: `parse --format` sent readers to "a format name from the
README", which lists none (docs/formats.md does), and the two --json options to README sections
that are not there."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tracker.cli.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each command's (and sub-command's) full --help text, by its name."""
    out = {parser.prog: parser.format_help()}
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out.update(_helps(sub))
    return out


def test_every_document_a_help_names_exists_and_holds_what_it_is_named_for() -> None:
    helps = _helps(build_parser())
    assert len(helps) > 10
    named = {
        (prog, doc)
        for prog, text in helps.items()
        for doc in re.findall(r"docs/[\w.-]+\.md", " ".join(text.split()))
    }
    assert named, "the help texts point to their documents"
    for prog, doc in named:
        assert (ROOT / doc).is_file(), f"{prog}: {doc}"
    formats = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert "`clarity-detail-xml`" in formats and "`ap-v2`" in formats and "parse --json" in formats
    assert "JSON (stable keys)" in (ROOT / "docs" / "projection.md").read_text(encoding="utf-8")
    for prog, text in helps.items():
        assert "from the README" not in text and "see README" not in text, prog
