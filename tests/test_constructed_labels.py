"""A constructed payload says so wherever a user sees it, not only in its file name: the election
name that ``parse``, the window's status bar and the night's label show, and, where the format
builds race names from the file's own fields (AP: state and office), every race name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main
from tracker.feeds.registry import parse_file

DATA = Path(__file__).parent / "data"
CONSTRUCTED = sorted(DATA.glob("constructed_*"))


def test_there_are_constructed_fixtures_to_check() -> None:
    assert len(CONSTRUCTED) >= 5


@pytest.mark.parametrize("path", CONSTRUCTED, ids=lambda p: p.name)
def test_a_constructed_fixture_names_itself_constructed(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = parse_file(path)
    assert "CONSTRUCTED" in snap.election.name
    if path.name.startswith("constructed_ap_"):
        assert all("CONSTRUCTED" in c.name for c in snap.contests)
    assert main(["parse", str(path)]) == 0
    assert "CONSTRUCTED" in capsys.readouterr().out.splitlines()[0]
