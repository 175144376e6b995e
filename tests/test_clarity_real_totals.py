"""Every real Clarity detail file in the shared data, read by our parser and by a straightforward lxml
reader: the same votes in every cell.

The parser is tuned for speed and memory (streaming, columns, shared keys); this is what makes a
tuning that changes a number fail. The reference reader is deliberately plain: the whole tree, every
``Contest/Choice/VoteType/*`` cell summed by (contest, unit, candidate, vote type).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_zip import read_detail_zip


def _real_files(shared: Path) -> list[Path]:
    files = [
        *sorted(shared.glob("clarity/*.xml")),
        *sorted(shared.glob("clarity/*detailxml.zip")),
        *sorted(shared.glob("ga06-2017-04-18/*_detail.xml")),
    ]
    return files


def _detail(path: Path) -> bytes:
    data = path.read_bytes()
    return read_detail_zip(data) if path.suffix == ".zip" else data


Cell = tuple[str, str, str, str]


def reference_cells(data: bytes) -> Counter[Cell]:
    """(contest key, unit name stripped, choice key, vote type) → votes, from the plain tree."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    cells: Counter[Cell] = Counter()
    for contest in root.findall("Contest"):
        for choice in contest.findall("Choice"):
            for vote_type in choice.findall("VoteType"):
                for cell in vote_type:
                    key = (
                        contest.get("key"),
                        cell.get("name").strip(),
                        choice.get("key"),
                        vote_type.get("name"),
                    )
                    cells[key] += int(cell.get("votes"))
    return cells


def our_cells(data: bytes) -> Counter[Cell]:
    cells: Counter[Cell] = Counter()
    for contest in parse_detail_xml(data).contests:
        for unit in contest.units:
            for cid, by_type in unit.votes.items():
                for vote_type, n in by_type.items():
                    cells[(contest.id, unit.name, cid, vote_type)] += n
    return cells


def test_there_are_real_files_to_check(shared_data: Path) -> None:
    assert len(_real_files(shared_data)) >= 15


@pytest.mark.parametrize(
    "name",
    [
        "clarity/co_2020_general_statewide_detail_20201123.xml",
        "clarity/sc_2020_general_statewide_detail_20201130.xml",
        "clarity/wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml",
        "clarity/pa_allegheny_2023-11-07_general_detailxml.zip",
        "clarity/napervillpol-ga2022_detailxml.zip",
        "clarity/openelections-clarify_precinct.xml",
        "clarity/openelections-clarify_county.xml",
        "clarity/wapo-elex-clarity_ga_counties_11-3.xml",
        "clarity/wapo-elex-clarity_wv_counties_11-3.xml",
        "ga06-2017-04-18/2017_DeKalb_detail.xml",
    ],
)
def test_the_big_and_odd_files_are_among_them(name: str, shared_data: Path) -> None:
    assert shared_data / name in _real_files(shared_data)


def test_every_real_file_gives_the_reference_readers_votes_cell_by_cell(shared_data: Path) -> None:
    for path in _real_files(shared_data):
        data = _detail(path)
        ours, reference = our_cells(data), reference_cells(data)
        assert sum(reference.values()) > 0, path.name
        assert ours == reference, path.name


def test_every_real_file_gives_the_reference_readers_totals(shared_data: Path) -> None:
    """The sums of the units, per contest and candidate, and in all. (Where a feed states totals
    of its own that differ, the window shows those and flags the difference: issue 16,
    docs/contest-rules.md; the units' sums are what the model reads.)"""
    for path in _real_files(shared_data):
        data = _detail(path)
        per_candidate: Counter[tuple[str, str]] = Counter()
        for (contest, _unit, cid, _vt), n in reference_cells(data).items():
            per_candidate[(contest, cid)] += n
        snapshot = parse_detail_xml(data)
        got = {(c.id, cid): n for c in snapshot.contests for cid, n in c.unit_totals.items() if n}
        assert got == {k: n for k, n in per_candidate.items() if n}, path.name
        assert sum(sum(c.unit_totals.values()) for c in snapshot.contests) == sum(per_candidate.values()), (
            path.name
        )


def test_a_changed_vote_is_seen(shared_data: Path) -> None:
    """The comparison can fail: one cell changed in the bytes changes our cells and the reference's alike,
    and differs from the unchanged file's."""
    data = (
        shared_data / "clarity" / "wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml"
    ).read_bytes()
    start = data.index(b"<Choice ")
    at = data.index(b'votes="', data.index(b"<Precinct ", start)) + len(b'votes="')
    changed = data[:at] + b"9" + data[at:]
    assert our_cells(changed) == reference_cells(changed)
    assert our_cells(changed) != reference_cells(data)


def test_a_region_and_turnout_after_the_contests_read_as_in_the_usual_order(shared_data: Path) -> None:
    """The parser reads each contest as it streams by, with the Region and turnout read so far; a file
    that puts them after its contests (none we know does) is read again with them first: same Snapshot."""
    data = (shared_data / "clarity" / "wapo-elex-clarity_ga_atkinson_precincts_11-3.xml").read_bytes()
    head_end = data.index(b"<Contest ")
    turnout_at = data.index(b"<VoterTurnout")
    region_at = data.index(b"<Region>")
    moved = data[region_at:head_end]  # Region and VoterTurnout, as in every Clarity file
    assert turnout_at > region_at
    end = data.rindex(b"</ElectionResult>")
    late = data[:region_at] + data[head_end:end] + moved + data[end:]
    assert parse_detail_xml(late) == parse_detail_xml(data)
    assert repr(parse_detail_xml(late)) == repr(parse_detail_xml(data))
