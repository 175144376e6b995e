"""Two baseline files with the same name are two baselines in the projection log: the log keeps a
short hash of the file beside the name it shows (``tracker.core.projection_log.baseline_key``),
so projecting a night with the second does not find the first's rows and drop its own.

Real nights, the bundled GA-06 pair: June projected against April's night and against June's own
night, each copied under the same file name ``base.night`` in two folders."""

from __future__ import annotations

import shutil
from pathlib import Path

from tracker import paths
from tracker.archive.projections import load_baseline_file
from tracker.cli import main
from tracker.core.expected_vote import short_label
from tracker.core.projection_log import baseline_key
from tracker.store import Store

NIGHTS = paths.resources_dir() / "nights"
APRIL, JUNE = NIGHTS / "ga06-2017-04-18.night", NIGHTS / "ga06-2017-06-20.night"


def same_name(source: Path, folder: Path) -> Path:
    folder.mkdir()
    return Path(shutil.copy(source, folder / "base.night"))


def test_the_key_is_the_name_and_the_hash_beside_it():
    assert baseline_key("base: President", "3f2a9c1d") == "base: President [3f2a9c1d]"
    assert short_label(baseline_key("base: President", "3f2a9c1d")) == "base"  # what the status bar reads
    assert baseline_key("2020 president by county", "") == "2020 president by county"  # shipped table
    assert baseline_key("", "3f2a9c1d") == ""


def test_a_baseline_file_is_named_by_its_stem_and_told_apart_by_its_content(tmp_path: Path):
    april = load_baseline_file(same_name(APRIL, tmp_path / "a"))
    again = load_baseline_file(same_name(APRIL, tmp_path / "b"))
    june = load_baseline_file(same_name(JUNE, tmp_path / "c"))
    top_april, top_june = april["*"], june["*"]
    assert top_april.label.startswith("base: ") and top_june.label.startswith("base: ")
    assert len(top_april.source_id) == 8 and top_april.source_id != top_june.source_id
    assert again["*"].source_id == top_april.source_id  # the same file elsewhere is the same baseline


def test_two_baselines_of_one_name_are_both_logged(tmp_path: Path, tracker_home: Path, capsys):
    source = str(JUNE.resolve())
    april = same_name(APRIL, tmp_path / "a")
    june = same_name(JUNE, tmp_path / "b")
    assert main(["projections", str(JUNE), "--baseline", str(april), "--csv", "-"]) == 0
    with Store() as store:
        first = store.projections(source=source)
    assert len(first) == 2 * 46
    assert main(["projections", str(JUNE), "--baseline", str(june), "--csv", "-"]) == 0
    with Store() as store:
        rows = store.projections(source=source)
    assert len(rows) == 2 * len(first)  # was: the second file's rows dropped as already logged
    names = {r.baseline for r in rows}
    assert len(names) == 2 and all(n.startswith("base: ") and n.endswith("]") for n in names)
    assert {short_label(n) for n in names} == {"base"}
    # the same file copied elsewhere is the same baseline: nothing new
    copy = same_name(APRIL, tmp_path / "c")
    assert main(["projections", str(JUNE), "--baseline", str(copy), "--csv", "-"]) == 0
    with Store() as store:
        assert len(store.projections(source=source)) == len(rows)
    capsys.readouterr()
