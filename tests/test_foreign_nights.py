"""A corrupt or foreign ``.night`` gives one clear line on stderr and exit code 2, before any
window opens, and the file is left as it was (the window's side: tests/gui/test_foreign_nights_window.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from foreign_nights import FOREIGN, make_foreign

from tracker.cli import main


@pytest.mark.parametrize("kind", sorted(FOREIGN))
@pytest.mark.parametrize("command", ["replay", "open", "serve", "projections"])
def test_cli_refuses_a_foreign_night_with_one_line(
    tmp_path: Path, kind: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_foreign(kind, tmp_path)
    before = path.read_bytes()
    png = tmp_path / "shot.png"
    args = {
        "replay": ["replay", str(path), "--screenshot", str(png)],
        "open": [str(path), "--screenshot", str(png)],
        "serve": ["serve", str(path), "--port", "0", "--exit-at-end"],
        "projections": ["projections", str(path)],
    }[command]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("election-tracker: "), err
    assert FOREIGN[kind] in err and path.name in err
    assert not png.exists()
    assert path.read_bytes() == before  # refusing a file never changes it
