"""``election-tracker pins list|export|import``: the watch list headless, as a desk shares it.
Pins name real contests of the Georgia 2020 general's Clarity summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.store import Store

GA = "clarity"


def test_export_then_import_into_another_data_folder(
    tracker_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store() as store:
        store.pin(GA, "5000", "President of the United States")
        store.pin(GA, "10000", "US Senate (Perdue)")
        store.pin("another-election", "1", "Another race")
    out = tmp_path / "desk.json"
    assert main(["pins", "export", str(out), "--election", GA]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 2 pinned races\n"
    assert [p["contest_id"] for p in json.loads(out.read_text("utf-8"))["pins"]] == ["5000", "10000"]

    # an existing file is kept unless --force
    assert main(["pins", "export", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["pins", "export", str(out), "--force"]) == 0
    assert "3 pinned races" in capsys.readouterr().out

    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("TRACKER_HOME", str(other))
    with Store() as store:
        store.pin(GA, "5000", "President of the United States")
    assert main(["pins", "import", str(out)]) == 0
    assert capsys.readouterr().out == "imported 3 pins from desk.json: 2 new\n"
    assert main(["pins", "list", "--election", GA]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{GA}\t5000\tPresident of the United States", f"{GA}\t10000\tUS Senate (Perdue)"]


def test_bad_files_are_one_line_and_exit_2(
    tracker_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tracker-feed/1", "contests": []}', "utf-8")
    assert main(["pins", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "election-tracker: bad.json is not a watch list: its format is 'tracker-feed/1', "
        'expected "tracker-pins/1"\n'
    )
    assert main(["pins", "import", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["pins", "export", str(tmp_path / "x.json")]) == 2  # nothing pinned
    assert "no pinned races" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    with Store() as store:
        assert store.pin_rows() == []
