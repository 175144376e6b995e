"""``import --names``: Clarity's ALL.json carries counts by contest key and choice position only.
Real: Georgia's 5 Jan 2021 runoff as recorded (119 ALL.json files, 18 saved 404 pages among
them) with the same election's detail XML as the names' source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tracker.archive.chain import VersionChain
from tracker.archive.importer import import_payloads
from tracker.archive.night import NightFile
from tracker.cli import main
from tracker.core.errors import FeedError

RECORDING = Path("recordings") / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
DETAIL = Path("clarity") / "napervillpol-ga2022_detail.xml"  # the runoff's detail XML (PROVENANCE)


def _few(shared_data: Path, tmp_path: Path) -> Path:
    """Three of the recorded ALL.json files (the first, one mid-count, the last)."""
    files = sorted((shared_data / RECORDING).glob("*_ALL.json"))
    folder = tmp_path / "recorded"
    folder.mkdir()
    for f in (files[0], files[len(files) // 2], files[-1]):
        shutil.copy(f, folder / f.name)
    return folder


def _last(night: Path):
    with NightFile.open(night) as nf:
        versions = nf.versions()
        return VersionChain(nf, versions).snapshot(len(versions) - 1)


def test_names_kept_in_the_night_name_every_version(shared_data: Path, tmp_path: Path) -> None:
    folder = _few(shared_data, tmp_path)
    named = tmp_path / "named.night"
    import_payloads([folder], out=named, names=shared_data / DETAIL)
    last = _last(named)
    assert last.election.date is not None and last.election.date.isoformat() == "2021-01-05"
    senate = next(c for c in last.contests if c.name == "US Senate (Perdue)")
    # the certified result, by name; Georgia's majority rule, not the default plurality
    assert {c.name: senate.totals[c.id] for c in senate.candidates} == {
        "David A. Perdue (I) (Rep)": 2_214_979,
        "Jon Ossoff (Dem)": 2_269_923,
    }
    assert senate.threshold.rule == "majority"
    # the same files without names: keys and positions, as before
    bare = tmp_path / "bare.night"
    import_payloads([folder], out=bare)
    assert {c.name for c in _last(bare).contests} >= {"10000", "10100"}


def test_an_unreadable_names_file_is_one_sentence_and_writes_nothing(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _few(shared_data, tmp_path)
    bad = tmp_path / "constructed_not_results.xml"
    bad.write_text("<html><body>Not Found</body></html>")
    out = tmp_path / "x.night"
    with pytest.raises(FeedError, match=r"the names file constructed_not_results\.xml cannot be read"):
        import_payloads([folder], out=out, names=bad)
    assert not out.exists()
    assert main(["import", str(folder), "-o", str(out), "--names", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "names file" in err[0] and "Traceback" not in err[0]
    assert not out.exists()
