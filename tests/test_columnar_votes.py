"""The columnar vote table (issue 21) against the dicts it replaced, on every real Clarity file.

The Clarity parser stores a contest's votes as one read-only integer array (``VoteTable``) and
each unit's ``votes`` as a view of its row; totals, ``totals_by`` and the projection's cells read
the array. Before issue 21 the same parser built a ``{candidate: {vote type: votes}}`` dict per
unit, and it still does for a contest whose layout the table does not cover. So "before" is the
parser with the table turned off (``clarity._table`` returning None): every real file must give
byte for byte the same ``election-tracker parse`` output, text and JSON, both ways — and the same
totals, groups, cells and expected vote, with the units fully in and with them still counting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pytest

from tracker.cli import _print_summary
from tracker.core.cells import cut_cells
from tracker.core.expected_vote import expected_vote
from tracker.core.model import Contest, Reporting, ReportingUnit, Snapshot, TypeVotes, UnitVotes, VoteTable
from tracker.core.summary import snapshot_summary
from tracker.feeds import clarity
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_zip import read_detail_zip
from tracker.feeds.plausible import check_snapshot


def _real_files(shared: Path) -> list[Path]:
    return [
        *sorted(shared.glob("clarity/*.xml")),
        *sorted(shared.glob("clarity/*detailxml.zip")),
        *sorted(shared.glob("ga06-2017-04-18/*_detail.xml")),
    ]


def _detail(path: Path) -> bytes:
    data = path.read_bytes()
    return read_detail_zip(data) if path.suffix == ".zip" else data


def _as_dicts(data: bytes, monkeypatch: pytest.MonkeyPatch) -> Snapshot:
    """The parser as it was before the table: a dict per unit."""
    with monkeypatch.context() as m:
        m.setattr(clarity, "_table", lambda *args: None)
        return parse_detail_xml(data)


def _printed(snapshot: Snapshot) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_summary(snapshot_summary(snapshot))
    return out.getvalue()


def _still_counting(contest: Contest) -> Contest:
    """The contest with every other unit partial and every third not in: cells left to predict."""
    states = (Reporting.COMPLETE, Reporting.PARTIAL, Reporting.NONE)
    return dataclasses.replace(
        contest,
        units=tuple(
            dataclasses.replace(u, reporting=states[i % 3], precincts_total=None)
            for i, u in enumerate(contest.units)
        ),
    )


def test_every_real_file_prints_the_same_with_the_table_as_with_dicts(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = 0
    for path in _real_files(shared_data):
        data = _detail(path)
        columnar, dicts = parse_detail_xml(data), _as_dicts(data, monkeypatch)
        tables += sum(c.vote_table is not None for c in columnar.contests)
        assert all(c.vote_table is None for c in dicts.contests), path.name
        assert _printed(columnar) == _printed(dicts), path.name
        assert json.dumps(snapshot_summary(columnar)) == json.dumps(snapshot_summary(dicts)), path.name
        assert columnar == dicts, path.name  # a view equals the dict it replaces, both ways
        assert dicts == columnar, path.name
        check_snapshot(columnar)
    assert tables > 1000  # the table is what the real files are read into


def test_every_real_contest_totals_and_cells_agree_with_the_dicts(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in _real_files(shared_data):
        data = _detail(path)
        dicts = {c.id: c for c in _as_dicts(data, monkeypatch).contests}
        for contest in parse_detail_xml(data).contests:
            old = dicts[contest.id]
            where = f"{path.name}: {contest.name}"
            assert contest.unit_totals == old.unit_totals, where
            for key in ("county", "vote_type", "canonical"):
                assert contest.totals_by(key) == old.totals_by(key), where
                assert list(contest.totals_by(key)) == list(old.totals_by(key)), where
            for unit, old_unit in zip(contest.units, old.units, strict=True):
                assert unit.total() == old_unit.total(), where
                assert unit.reported_vote_types() == old_unit.reported_vote_types(), where
                assert {c: dict(v) for c, v in unit.votes.items()} == old_unit.votes, where
            ids = [c.id for c in reversed(contest.candidates)]
            assert cut_cells(contest, ids) == cut_cells(old, ids), where
            counting, old_counting = _still_counting(contest), _still_counting(old)
            assert counting.vote_table is contest.vote_table  # units replaced, rows kept
            assert cut_cells(counting, ids) == cut_cells(old_counting, ids), where
            assert expected_vote(counting) == expected_vote(old_counting), where


def _table() -> VoteTable:
    votes = np.array([[[5, 0], [2, 7]], [[1, 0], [0, 3]]])  # units × candidates × vote types
    reported = np.array([[True, False], [True, True]])  # candidate "a" lists only "Early"
    return VoteTable(["a", "b"], ["Early", "Mail"], votes, reported)


def test_a_view_reads_as_the_dict_it_replaces() -> None:
    table = _table()
    row = table.row(0)
    assert isinstance(row, UnitVotes)
    as_dict = {"a": {"Early": 5}, "b": {"Early": 2, "Mail": 7}}
    assert row == as_dict
    assert as_dict == row  # the dict's own comparison, reflected
    assert row != {"a": {"Early": 5, "Mail": 0}, "b": {"Early": 2, "Mail": 7}}  # not reported ≠ 0
    assert list(row) == ["a", "b"] and len(row) == 2 and "b" in row and "c" not in row
    assert isinstance(row["a"], TypeVotes)
    assert dict(row["b"]) == {"Early": 2, "Mail": 7}
    assert "Mail" not in row["a"] and row["a"].get("Mail") is None
    with pytest.raises(KeyError):
        row["a"]["Mail"]
    assert type(row["b"]["Mail"]) is int
    assert row.total() == 14
    assert repr(row) == repr({"a": {"Early": 5}, "b": {"Early": 2, "Mail": 7}})
    assert table.row(1) != row and table.row(1) == _table().row(1)


def test_the_table_is_read_only_and_keeps_unreported_cells_empty() -> None:
    table = _table()
    with pytest.raises(ValueError):
        VoteTable(["a", "b"], ["Early", "Mail"], np.ones((2, 2, 2), dtype=np.int64), table.reported.copy())
    with pytest.raises(ValueError):
        table.votes[0, 0, 0] = 9
    with pytest.raises(ValueError):
        table.reported[0, 1] = True


def test_a_contest_uses_its_table_only_while_its_units_are_its_rows_in_order() -> None:
    table = _table()
    units = tuple(ReportingUnit(id=f"u{i}", name=f"U{i}", votes=table.row(i)) for i in range(2))
    contest = Contest(id="c", name="C", candidates=(), units=units)
    assert contest.vote_table is table
    assert contest.unit_totals == {"a": 6, "b": 12}
    swapped = dataclasses.replace(contest, units=units[::-1])
    assert swapped.vote_table is None
    assert swapped.unit_totals == {"a": 6, "b": 12}  # the units walked instead
    assert dataclasses.replace(contest, units=units[:1]).vote_table is None
    as_dicts = dataclasses.replace(
        contest, units=tuple(dataclasses.replace(u, votes=u.votes.to_dict()) for u in units)
    )
    assert as_dicts.vote_table is None
    for key in ("county", "vote_type", "canonical"):
        assert contest.totals_by(key) == as_dicts.totals_by(key)


def test_a_file_parsed_from_its_path_gives_the_snapshot_of_its_bytes(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``election-tracker parse`` streams a big Clarity detail XML from the file (never holding its
    bytes beside the Snapshot); any other file is read and parsed as its bytes."""
    from tracker.feeds import registry

    big = shared_data / "clarity" / "wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"
    streamed: list[object] = []
    real = clarity.parse_detail_xml
    monkeypatch.setattr(
        clarity, "parse_detail_xml", lambda data, **kw: streamed.append(data) or real(data, **kw)
    )
    assert registry.parse_file(big, source=str(big)) == registry.parse_payload(
        big.read_bytes(), source=str(big)
    )
    assert streamed[0] == big  # the path, not the bytes
    other = shared_data / "clarity" / "wapo-elex-clarity_GA_105369_v271066_summary.json"
    assert registry.parse_file(other, source=str(other)) == registry.parse_payload(
        other.read_bytes(), source=str(other)
    )


def test_the_table_owns_its_arrays() -> None:
    """A view of an array the caller keeps cannot change the table through the caller's base."""
    base = np.zeros((2, 2, 2), dtype=np.int64)
    table = VoteTable(["a", "b"], ["Early", "Mail"], base[:, :, :], np.ones((2, 2), dtype=bool))
    base[0, 0, 0] = 99
    assert table.votes[0, 0, 0] == 0
