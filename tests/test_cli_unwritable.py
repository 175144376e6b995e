"""A command told to write where nothing can be written is one line on stderr and exit code 2,
never a traceback (found walking the documented commands: `import`, `pins export`,
`projections --csv`, `alerts --csv` and `rehearse -o` crashed with NotADirectoryError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import paths
from tracker.cli import main

JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"


@pytest.fixture
def blocked(tmp_path: Path) -> Path:
    """A folder that cannot exist: its parent is a plain file."""
    plain = tmp_path / "a-file"
    plain.write_text("not a folder", encoding="utf-8")
    return plain / "sub"


@pytest.mark.parametrize(
    "argv",
    [
        ["import", str(JUNE), "-o", "{out}/x.night"],
        ["projections", str(JUNE), "--csv", "{out}/x.csv"],
        ["alerts", str(JUNE), "--contest", "handel", "--csv", "{out}/x.csv"],
        ["pins", "export", "{out}/x.json"],
        ["export", str(JUNE), "--csv", "{out}/x.csv"],
        ["export", str(JUNE), "--nist", "{out}/x.xml"],
    ],
    ids=lambda argv: " ".join(a for a in argv[:2] if not a.startswith("/")),
)
def test_an_output_that_cannot_be_written_is_one_line(
    argv: list[str], blocked: Path, tracker_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[:2] == ["pins", "export"]:
        assert main(["pins", "import", str(_pins_file(blocked.parent.parent))]) == 0
    if argv[0] == "import":
        argv = ["import", str(_payload()), *argv[2:]]
    capsys.readouterr()
    assert main([a.replace("{out}", str(blocked)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("election-tracker: "), err
    assert str(blocked) in err
    assert "Errno" not in err and "Error" not in err and ".tmp" not in err, err


def _pins_file(folder: Path) -> Path:
    pins = folder / "desk.json"
    pins.write_text(
        '{"format": "tracker-pins/1", "pins": [{"election_id": "e", "contest_id": "1"}]}', encoding="utf-8"
    )
    return pins


def _payload() -> Path:
    return Path(__file__).parent / "data" / "constructed_ap_v3_votetypes.json"


def test_rehearse_into_a_folder_that_cannot_be_made_is_one_line(
    blocked: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "ga06-2017-06-20", "--data", str(shared_data), "-o", f"{blocked}/x.night"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("election-tracker: cannot use ") and "Not a directory" in err
