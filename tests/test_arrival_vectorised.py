"""The model risk computed for all groups at once (``tracker.core.arrival.arrival_risk``) gives
what the per-group loop gave, to 1e-12: against values recorded from that loop on the bundled
GA-06 nights (tests/data/arrival_risk_ga06_recorded.json), against the loop itself
(``benchmarks.projection_cost.reference_arrival_risk``, kept verbatim) on those nights' every
version and on synthetic histories built to hit its corners, and through ``project_contest``.

The synthetic histories are random and labelled so in their group names ("Synthetic …").
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from benchmarks.projection_cost import (
    as_dicts,
    max_difference,
    night_cases,
    reference_arrival_risk,
    reference_group_totals,
    reference_model,
)
from tracker import paths
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.core import arrival
from tracker.core.arrival import ArrivalPoint, GroupNow, arrival_point, arrival_risk, group_totals
from tracker.core.projection import project_contest

NIGHTS = paths.resources_dir() / "nights"
RECORDED = Path(__file__).parent / "data" / "arrival_risk_ga06_recorded.json"
RTOL = 1e-12


def _same(got, want) -> None:
    if want is None:
        assert got is None
        return
    assert got is not None
    risk, uncovered = got
    np.testing.assert_allclose(risk, want[0], rtol=RTOL, atol=0)
    assert uncovered == want[1]


# --- recorded from the loop on the bundled nights -------------------------------------------------
def _night_points(name: str, contest: str) -> dict[int, ArrivalPoint]:
    with NightFile.open(NIGHTS / name) as night:
        versions = night.versions()
        chain = VersionChain(night, versions)
        out = {}
        for i in range(len(versions)):
            c = next((c for c in chain.snapshot(i).contests if c.id == contest), None)
            if c is not None:
                out[i] = arrival_point(c)
        return out


def test_the_risk_is_the_one_recorded_from_the_per_group_loop() -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["calls"]
    assert len(recorded) > 50 and sum(c["risk"] is not None for c in recorded) > 50
    points: dict[tuple[str, str], dict[int, ArrivalPoint]] = {}
    for call in recorded:
        key = (call["night"], call["contest"])
        if key not in points:
            points[key] = _night_points(*key)
        before = [p for i, p in sorted(points[key].items()) if i < call["version"]]
        history = before[-arrival.MAX_POINTS :]
        assert len(history) == call["history_points"]
        groups = {
            (county, ctype): GroupNow(np.asarray(counted, dtype=float), remaining)
            for county, ctype, counted, remaining in call["groups"]
        }
        want = None
        if call["risk"] is not None:
            want = (np.asarray(call["risk"]), {tuple(g) for g in call["uncovered"]})
        _same(arrival_risk(history, call["ids"], groups), want)
        _same(arrival_risk(as_dicts(history), call["ids"], groups), want)  # dicts read the same


# --- the loop itself, through the projection, on every version of the bundled nights ---------------
@pytest.mark.parametrize("name", ["ga06-2017-04-18.night", "ga06-2017-06-20.night"])
def test_projections_with_history_match_the_loop_on_every_version(name: str) -> None:
    _, cases = night_cases(NIGHTS / name)
    compared = 0
    for case in cases:
        if not case.history:
            continue
        with reference_model():
            want = project_contest(case.contest, case.baseline, as_dicts(case.history))
        got = project_contest(case.contest, case.baseline, case.history)
        assert max_difference(want, got) <= 1e-12, case.contest.name
        compared += want.status == "projected"
    assert compared > 20


# --- synthetic histories at the loop's corners ------------------------------------------------------
def _synthetic(seed: int) -> tuple[list[dict], list[str], dict]:
    """A random night: groups that appear late or vanish, counts that go down (a correction),
    a candidate the contest no longer lists, groups with nothing out or nothing counted."""
    rng = random.Random(seed)
    ids = ["a", "b", "c"][: rng.randint(1, 3)]
    cands = [*ids, "gone"] if rng.random() < 0.3 else ids
    names = [
        (f"Synthetic county {i}", t) for i in range(rng.randint(1, 9)) for t in ("early", "election_day")
    ]
    groups_hist = [*names, ("Synthetic elsewhere", "mail")]
    counts = {g: dict.fromkeys(cands, 0) for g in groups_hist}
    history = []
    for _ in range(rng.randint(0, 25)):
        point = {}
        for g in groups_hist:
            if rng.random() < 0.5:
                for c in cands:
                    counts[g][c] += rng.randint(0, 400)
            if rng.random() < 0.05:  # a correction: the count goes down
                for c in cands:
                    counts[g][c] = max(counts[g][c] - rng.randint(0, 600), 0)
            row = {c: n for c, n in counts[g].items() if n}
            if row and rng.random() < 0.95:
                point[g] = row
        history.append(point)
    groups = {}
    for g in names:
        now = np.array([counts[g][c] + rng.choice([0, 0, rng.randint(0, 500)]) for c in ids], dtype=float)
        if rng.random() < 0.1:
            now[:] = 0.0  # nothing counted now
        remaining = rng.choice([0.0, rng.uniform(1, 5000), rng.uniform(1, 5000)])
        groups[g] = GroupNow(now, remaining)
    return history, ids, groups


def test_the_risk_matches_the_loop_on_synthetic_histories() -> None:
    measured = 0
    for seed in range(400):
        history, ids, groups = _synthetic(seed)
        want = reference_arrival_risk(history, ids, groups)
        _same(arrival_risk(history, ids, groups), want)
        _same(arrival_risk([ArrivalPoint.of(p) for p in history], ids, groups), want)
        measured += want is not None
    assert measured > 100  # most of them are measured, not only the early exits


def test_group_totals_match_the_per_group_masks() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 7, 500):
        county = [f"Synthetic county {i}" for i in rng.integers(0, 12, n)]
        ctype = [str(t) for t in rng.choice(["early", "election_day", "mail", "total"], n)]
        counted = rng.integers(0, 900, (n, 3)).astype(float)
        remaining = rng.uniform(0, 700, n)
        want = reference_group_totals(county, ctype, counted, remaining)
        got = group_totals(county, ctype, counted, remaining)
        assert list(got) == list(want)  # the same groups, in the same (sorted) order
        for g, now in want.items():
            np.testing.assert_array_equal(got[g].counted, now.counted)
            assert got[g].remaining == pytest.approx(now.remaining, rel=RTOL, abs=0)


# --- the point as an array reads as the dict it stands for ------------------------------------------
def test_an_arrival_point_reads_as_its_dict_and_cannot_be_changed() -> None:
    as_dict = {("Synthetic A", "early"): {"x": 3, "y": 0}, ("Synthetic B", "mail"): {"y": 7}}
    point = ArrivalPoint.of(as_dict)
    assert point == {("Synthetic A", "early"): {"x": 3}, ("Synthetic B", "mail"): {"y": 7}}
    assert point[("Synthetic B", "mail")] == {"y": 7}
    assert point.get(("Synthetic C", "total")) is None
    assert point.total == 10
    with pytest.raises(ValueError):
        point.votes[0, 0] = 1
    again = ArrivalPoint.of(dict(as_dict), like=point)
    assert again.groups is point.groups and again.ids is point.ids  # shared, found by identity
    other = ArrivalPoint.of({("Synthetic C", "total"): {"x": 1}}, like=point)
    assert other.groups != point.groups and other == {("Synthetic C", "total"): {"x": 1}}
