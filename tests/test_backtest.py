"""The backtest (orders, scores, stable JSON keys), the projection log in the store, and the
`projections` / `backtest` commands."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest

from tracker import paths
from tracker.cli import main
from tracker.core.backtest import CHECKPOINTS, ORDERS, order_cells, plurality_p_win, run_backtest
from tracker.core.backtest import _cells as backtest_cells
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, VoteType
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.threshold import Outstanding, ThresholdRule
from tracker.store import ProjectionRecord, Store, write_projections_csv

JUNE = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
KEYS = [f"{q:.1f}" for q in CHECKPOINTS]


def _synthetic_final() -> Contest:
    """Synthetic: 30 precincts in two counties, early and election-day vote, A between 40 and 60 %."""
    units = []
    for i in range(30):
        s = 0.4 + 0.2 * i / 29
        county = "Synthetic North" if i % 2 else "Synthetic South"
        votes = {
            "a": {"Advance in Person": round(300 * s), "Election Day": round(700 * s)},
            "b": {"Advance in Person": 300 - round(300 * s), "Election Day": 700 - round(700 * s)},
        }
        units.append(
            ReportingUnit(
                id=f"P{i}",
                name=f"Synthetic precinct {i}",
                county=county,
                reporting=Reporting.COMPLETE,
                votes=votes,
                registered=2000,
            )
        )
    return Contest(
        id="synthetic",
        name="Synthetic Race",
        candidates=(Candidate("a", "SYNTHETIC A"), Candidate("b", "SYNTHETIC B", ballot_order=1)),
        units=tuple(units),
        vote_types=(VoteType.from_name("Election Day"), VoteType.from_name("Advance in Person")),
    )


def test_orders_are_permutations_and_seeded():
    final = _synthetic_final()
    cells = backtest_cells(final, "a")
    for order in ORDERS[1:]:
        idx = order_cells(cells, order, 3)
        assert sorted(idx) == list(range(len(cells)))
        assert idx == order_cells(cells, order, 3)
    early = order_cells(cells, "early-first", 0)
    kinds = [cells[i].canonical for i in early]
    assert kinds == sorted(kinds, key=lambda k: k != "early")
    late = order_cells(cells, "county-late", 1)
    assert {cells[i].county for i in late[-30:]} == {"Synthetic South"}
    skewed = order_cells(cells, "skewed", 0)
    first, last = skewed[:10], skewed[-10:]
    share = [cells[i].winner_votes / cells[i].total for i in range(len(cells))]
    assert sum(share[i] for i in first) > sum(share[i] for i in last)


def test_backtest_json_keys_are_stable():
    result = run_backtest(_synthetic_final(), orders=("random", "skewed"), seeds=2, night="synthetic")
    js = result.to_json()
    assert set(js["summary"]) == {"random", "skewed"}
    for order in ("random", "skewed"):
        summary = js["summary"][order]
        assert list(summary["mae_pt"]) == KEYS
        assert list(summary["naive_mae_pt"]) == KEYS
        assert 0.0 <= summary["coverage90"] <= 1.0
        assert isinstance(summary["wrong_calls"], int)
        assert summary["runs"] == 2
    assert "random" in result.format_table()


def _fixed_projector(width: float, outstanding: str, favourite: str = "a"):
    """A stand-in model: ``favourite`` projected at 60 % with a ``width``-wide interval (0..1),
    the other at 40 %, and a vote-still-out range that is the truth ("exact"), nothing ("zero")
    or absent ("none")."""

    def project(contest: Contest, baseline) -> ContestProjection:
        final_total = 30_000  # _synthetic_final: 30 units × 1,000 votes
        remainder = final_total - contest.total_votes
        out = {
            "exact": Outstanding(remainder, remainder, remainder),
            "zero": Outstanding.none(),
            "none": None,
        }[outstanding]
        cands = []
        for c in contest.candidates:
            share = 0.6 if c.id == favourite else 0.4
            cands.append(
                CandidateProjection(
                    c.id,
                    c.name,
                    contest.totals[c.id],
                    contest.share(c.id),
                    share,
                    share - width / 2,
                    share + width / 2,
                    None,
                )
            )
        return ContestProjection(
            contest.id, contest.name, "projected", "", contest.total_votes, tuple(cands), outstanding=out
        )

    return project


def test_width_and_outstanding_coverage_keys():
    final = _synthetic_final()
    js = run_backtest(final, orders=("random",), seeds=2, projector=_fixed_projector(0.1, "exact")).to_json()
    summary = js["summary"]["random"]
    assert list(summary["width90_pt"]) == KEYS
    assert all(w == pytest.approx(10.0) for w in summary["width90_pt"].values())
    assert summary["outstanding_coverage90"] == 1.0
    assert summary["outstanding_error_pct"] == 0.0
    assert summary["versions"] == 2 * len(CHECKPOINTS)
    # A range of "nothing left" while votes are out never holds the remainder; no range holds nothing.
    zero = run_backtest(final, orders=("random",), seeds=2, projector=_fixed_projector(0.1, "zero"))
    zs = zero.to_json()["summary"]["random"]
    assert zs["outstanding_coverage90"] == 0.0
    # "Nothing left" at 10 %, 20 % … 90 % counted is off by 90, 80 … 10 % of the vote (or a little
    # less: a checkpoint is reached at or just past its share).
    assert 45.0 <= zs["outstanding_error_pct"] <= 50.0
    # Without a range the window falls back to the core's estimate (comparable precincts already in).
    real = run_backtest(final, orders=("random",), seeds=2).to_json()["summary"]["random"]
    assert real["outstanding_shown"] > 0 and 0.0 <= real["outstanding_coverage90"] <= 1.0
    assert all(w is None or w >= 0 for w in real["width90_pt"].values())


def test_plurality_calls_read_from_intervals():
    final = dataclasses.replace(_synthetic_final(), threshold=ThresholdRule("plurality"))
    assert final.ranked()[0].id == "a"
    # Confident (60 vs 40 %, intervals 4 pt wide) and wrong: every scored version is a wrong call.
    wrong = run_backtest(final, orders=("random",), seeds=1, projector=_fixed_projector(0.04, "exact", "b"))
    s = wrong.to_json()["summary"]["random"]
    assert s["confident_calls"] == s["wrong_calls"] == len(CHECKPOINTS)
    right = run_backtest(final, orders=("random",), seeds=1, projector=_fixed_projector(0.04, "exact"))
    assert right.to_json()["summary"]["random"]["wrong_calls"] == 0
    # Intervals 60 pt wide: no confident call at all.
    wide = run_backtest(final, orders=("random",), seeds=1, projector=_fixed_projector(0.6, "exact", "b"))
    assert wide.to_json()["summary"]["random"]["confident_calls"] == 0
    proj = _fixed_projector(0.04, "exact")(final, None)
    leader, p = plurality_p_win(proj)  # type: ignore[misc]
    assert leader == "a" and p > 0.999


def test_a_plurality_call_reads_the_model_sd_from_the_unclipped_side():
    """An interval clipped at what a candidate can still reach is narrower on that side than the
    model's sd: 20 % in [1 %, 54 %] is sd 34/1.645 = 20.7 points, not the mean half-width's 16.1.
    Read from the wider sides, 80 against 20 is a 93 % lead, not a 97 % "call"."""
    final = dataclasses.replace(_synthetic_final(), threshold=ThresholdRule("plurality"))
    base = _fixed_projector(0.04, "exact", "b")(final, None)
    by_id = {c.candidate_id: c for c in base.candidates}
    b = dataclasses.replace(by_id["b"], share=0.80, lo=0.46, hi=0.99)
    a = dataclasses.replace(by_id["a"], share=0.20, lo=0.01, hi=0.54)
    proj = dataclasses.replace(
        base, candidates=tuple(a if c.candidate_id == "a" else b for c in base.candidates)
    )
    leader, p = plurality_p_win(proj)  # type: ignore[misc]
    assert leader == "b"
    assert 0.90 < p < 0.95


def test_projection_log_append_read_back_dedupe_and_csv(tmp_path: Path):
    record = ProjectionRecord(
        made_at="2026-01-01T00:00:00+00:00",
        source="synthetic.night",
        election_id="synthetic",
        version="3",
        payload_id="abc",
        snapshot_time="2024-11-05T19:00:00-05:00",
        contest_id="synthetic",
        contest_name="Synthetic Race",
        candidate_id="a",
        candidate="SYNTHETIC A",
        status="projected",
        votes=10,
        share_now=0.55,
        share=0.52,
        lo=0.5,
        hi=0.54,
        p_clear=0.97,
        outstanding=100,
        outstanding_lo=80,
        outstanding_hi=120,
        model_version="m",
    )
    early = ProjectionRecord(**{**record.__dict__, "candidate_id": "b", "status": "too early", "share": None})
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.schema_version >= 3
        assert store.append_projections([record, early]) == 2
        assert store.append_projections([record]) == 0  # the same projection is logged once
        rows = store.projections(source="synthetic.night")
        assert rows == [record, early]
        assert store.projections(source="other") == []
        assert store.projections(contest_id="synthetic", limit=1) == [record]
    out = io.StringIO()
    assert write_projections_csv(rows, out) == 2
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert parsed[0]["share"] == "0.52" and parsed[1]["share"] == ""
    assert list(parsed[0]) == list(ProjectionRecord.FIELDS)


@pytest.mark.slow
def test_cli_backtest_json_and_plot(capsys, tmp_path: Path, tracker_home: Path):
    png = tmp_path / "bt.png"
    code = main(
        ["backtest", str(JUNE), "--orders", "recorded,random", "--seeds", "1", "--json", "--plot", str(png)]
    )
    assert code == 0
    js = json.loads(capsys.readouterr().out)
    assert js["baseline"] is True
    assert set(js["summary"]) == {"recorded", "random"}
    for order in js["summary"].values():
        assert list(order["mae_pt"]) == KEYS and list(order["naive_mae_pt"]) == KEYS
        assert "coverage90" in order and "wrong_calls" in order
    assert png.stat().st_size > 1000
    assert main(["backtest", str(JUNE), "--orders", "sideways"]) == 2


def test_cli_backtest_baseline_none(capsys, tmp_path: Path, tracker_home: Path):
    """June finds April as its baseline by itself; ``--baseline none`` runs without it."""
    args = ["backtest", str(JUNE), "--orders", "recorded", "--json"]
    assert main(args) == 0
    with_base = json.loads(capsys.readouterr().out)
    assert main([*args, "--baseline", "none"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert with_base["baseline"] is True and without["baseline"] is False
    for js in (with_base, without):
        summary = js["summary"]["recorded"]
        assert list(summary["width90_pt"]) == KEYS
        assert 0.0 <= summary["outstanding_coverage90"] <= 1.0
    # The same night scored differently: the baseline was really left out.
    assert with_base["summary"]["recorded"]["width90_pt"] != without["summary"]["recorded"]["width90_pt"]
    assert main([*args, "--baseline", str(tmp_path / "missing.night")]) == 2


def test_cli_projections_logs_and_writes_csv(capsys, tmp_path: Path, tracker_home: Path):
    out = tmp_path / "p.csv"
    assert main(["projections", str(JUNE), "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 2 * 46  # two candidates × every version of the night
    last = [r for r in rows if r["version"] == rows[-1]["version"]]
    assert {r["status"] for r in last} == {"final"}
    handel = next(r for r in last if r["candidate"] == "Karen Handel")
    assert handel["p_clear"] == "1.0"
    with Store() as store:
        assert len(store.projections(source=str(JUNE.resolve()))) == len(rows)
    capsys.readouterr()
    assert main(["projections", str(JUNE), "--stored"]) == 0
    printed = capsys.readouterr().out
    assert "Karen Handel" in printed
    # a night with times of its own: the first column is a clock time and says so
    header = next(line for line in printed.splitlines() if "leader" in line)
    assert header.split()[:3] == ["time", "(UTC)", "version"]


def test_cli_projections_with_another_baseline_are_logged_beside_the_first(tracker_home: Path):
    """June projected with April as its baseline, then with ``--baseline none``: both are kept,
    each row naming its baseline; projecting with April again adds nothing."""
    source = str(JUNE.resolve())
    assert main(["projections", str(JUNE), "--csv", "-"]) == 0
    with Store() as store:
        first = store.projections(source=source)
    assert len(first) == 2 * 46 and all(r.baseline for r in first)
    assert main(["projections", str(JUNE), "--baseline", "none", "--csv", "-"]) == 0
    assert main(["projections", str(JUNE), "--csv", "-"]) == 0
    with Store() as store:
        rows = store.projections(source=source)
    assert len(rows) == 2 * len(first)
    assert rows[: len(first)] == first
    assert {r.baseline for r in rows[len(first) :]} == {""}


def test_cli_projections_name_no_leader_before_any_vote(capsys, tracker_home: Path):
    """The bundled April night's first version counts no vote: the first candidate listed (David
    Abroms, by ballot order) was printed as its leader."""
    april = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
    assert main(["projections", str(april), "--contest", "District 6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = lines[lines.index(next(line for line in lines if "leader" in line)) + 1]
    assert "— (no votes yet)" in first and "ABROMS" not in first
    assert "JON OSSOFF" in lines[lines.index(first) + 1]
