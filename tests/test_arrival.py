"""The model risk read from the night's own versions (tracker.core.arrival), the data-driven
county shrinkage (tracker.core.fit.group_shrinkage), and the window's ledger of versions read
(tracker.watch.arrival_ledger).

The contests here are synthetic (built in the test, named "Synthetic …"): a random order and an
order sorted by lean must be told apart, which needs a night whose order is known.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from tracker import paths
from tracker.archive.projections import project_night
from tracker.core import arrival
from tracker.core.arrival import GroupNow, arrival_point, arrival_risk
from tracker.core.fit import SHRINK, group_shrinkage
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, Snapshot, VoteType
from tracker.core.projection import MODEL_VERSION, ONE_VERSION, TAU, project_contest
from tracker.core.threshold import ThresholdRule
from tracker.watch.arrival_ledger import ArrivalLedger

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


def _precincts(n: int, seed: int) -> list[tuple[str, int, int]]:
    """(county, a, b) per synthetic precinct: two counties of different lean, precincts varying."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        county = "Synthetic East" if i % 2 else "Synthetic West"
        lean = (0.62 if county == "Synthetic East" else 0.45) + rng.gauss(0, 0.08)
        size = rng.randint(400, 900)
        a = round(size * min(max(lean, 0.05), 0.95))
        out.append((county, a, size - a))
    return out


def _night(order: list[int], precincts: list[tuple[str, int, int]], steps: int) -> list[Contest]:
    """The synthetic night's versions: the precincts of ``order`` released in ``steps`` batches."""
    versions = []
    per = len(order) // steps
    for s in range(1, steps + 1):
        shown = set(order[: s * per])
        units = tuple(
            ReportingUnit(
                id=f"P{i:03d}",
                name=f"Synthetic precinct {i:03d}",
                county=county,
                reporting=Reporting.COMPLETE if i in shown else Reporting.NONE,
                votes={"a": {"Election Day": a}, "b": {"Election Day": b}} if i in shown else {},
            )
            for i, (county, a, b) in enumerate(precincts)
        )
        versions.append(
            Contest(
                id="synthetic",
                name="Synthetic Race",
                candidates=(Candidate("a", "SYNTHETIC A", 1), Candidate("b", "SYNTHETIC B", 2)),
                units=units,
                threshold=ThresholdRule.plurality(),
                vote_types=(VoteType.from_name("Election Day"),),
            )
        )
    return versions


def _width_at(versions: list[Contest], index: int, with_history: bool) -> tuple[float, float, float]:
    history = [arrival_point(c) for c in versions[:index]] if with_history else None
    a = project_contest(versions[index], None, history).candidate("a")
    assert a.lo is not None and a.hi is not None and a.share is not None
    return a.share, a.lo, a.hi


def test_a_random_order_narrows_the_interval_and_it_still_holds_the_final_share() -> None:
    precincts = _precincts(200, seed=3)
    order = list(range(200))
    random.Random(5).shuffle(order)
    versions = _night(order, precincts, steps=20)
    final = sum(a for _, a, _ in precincts) / sum(a + b for _, a, b in precincts)
    _, lo, hi = _width_at(versions, 9, with_history=True)  # half counted
    _, lo1, hi1 = _width_at(versions, 9, with_history=False)
    assert hi - lo < 0.5 * (hi1 - lo1), "ten versions of a random order are evidence: narrower"
    assert hi - lo < 0.08
    assert lo <= final <= hi


def test_an_order_sorted_by_lean_keeps_the_interval_wide_enough_to_hold_the_truth() -> None:
    precincts = _precincts(200, seed=3)
    order = sorted(range(200), key=lambda i: -precincts[i][1] / (precincts[i][1] + precincts[i][2]))
    versions = _night(order, precincts, steps=20)
    final = sum(a for _, a, _ in precincts) / sum(a + b for _, a, b in precincts)
    for index in (5, 9, 13):
        _, lo, hi = _width_at(versions, index, with_history=True)
        assert lo <= final <= hi, f"version {index}: {lo:.3f}–{hi:.3f} misses {final:.3f}"
    random_order = list(range(200))
    random.Random(5).shuffle(random_order)
    _, lo_r, hi_r = _width_at(_night(random_order, precincts, 20), 9, with_history=True)
    _, lo_s, hi_s = _width_at(versions, 9, with_history=True)
    assert hi_s - lo_s > 2 * (hi_r - lo_r), "a trend in the arriving vote is risk"


def test_too_few_versions_keep_the_fixed_risk() -> None:
    precincts = _precincts(200, seed=3)
    versions = _night(list(range(200)), precincts, steps=20)
    groups = {("Synthetic East", "election_day"): GroupNow(np.array([500.0, 300.0]), 5000.0)}
    few = [arrival_point(c) for c in versions[: arrival.MIN_VERSIONS - 2]]
    assert arrival_risk(few, ["a", "b"], groups) is None
    assert _width_at(versions, 2, True) == _width_at(versions, 2, False)


def test_a_version_whose_count_went_down_is_not_a_batch() -> None:
    point = {("C", "total"): {"a": 100, "b": 100}}
    lower = {("C", "total"): {"a": 50, "b": 40}}
    history = [point, lower, point, {("C", "total"): {"a": 150, "b": 150}}]
    assert arrival._versions_with_votes(history, {}) == 2


def test_no_history_is_said_in_the_model_version_and_an_empty_one_is_not() -> None:
    versions = _night(list(range(200)), _precincts(200, seed=3), steps=20)
    assert project_contest(versions[5]).model_version == MODEL_VERSION + ONE_VERSION
    assert project_contest(versions[0], None, []).model_version == MODEL_VERSION


def test_the_risk_never_exceeds_the_fixed_one() -> None:
    precincts = _precincts(200, seed=3)
    order = sorted(range(200), key=lambda i: precincts[i][1] / (precincts[i][1] + precincts[i][2]))
    versions = _night(order, precincts, steps=20)
    for index in (5, 9, 13):
        assert _width_at(versions, index, True)[2] - _width_at(versions, index, True)[1] <= (
            _width_at(versions, index, False)[2] - _width_at(versions, index, False)[1] + 1e-9
        )
    assert TAU == 0.25


# --- the county effect's shrinkage ---------------------------------------------------------------
def test_counties_that_differ_a_lot_are_shrunk_little_and_few_counties_keep_the_default() -> None:
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(20), 5)
    effects = rng.normal(0, 0.15, 20)[groups]
    values = np.stack([effects + rng.normal(0, 0.05, 100), -effects], axis=1)
    lam = group_shrinkage(values, np.ones(100), groups, 20)
    assert (lam < 0.5).all(), lam  # within 0.05² over between 0.15²: about 0.1 of a cell
    same = np.stack([rng.normal(0, 0.05, 100), rng.normal(0, 0.05, 100)], axis=1)
    assert (group_shrinkage(same, np.ones(100), groups, 20) >= SHRINK).all()  # no county effect seen
    three = np.repeat(np.arange(3), 5)
    assert (group_shrinkage(values[:15], np.ones(15), three, 3) == SHRINK).all()


# --- the window's ledger --------------------------------------------------------------------------
def _snapshot(contest: Contest) -> Snapshot:
    from tracker.core.model import Election

    return Snapshot(election=Election(id="synthetic", name="Synthetic night"), contests=(contest,))


def test_the_ledger_gives_a_history_only_once_every_earlier_version_is_read() -> None:
    versions = _night(list(range(200)), _precincts(200, seed=3), steps=20)
    ledger = ArrivalLedger()
    ledger.record(1, 9, _snapshot(versions[9]))  # the version asked for first
    assert ledger.history(1, "synthetic", 9) is None
    for i in (0, 4, 8):  # a coarse timeline
        ledger.record(1, i, _snapshot(versions[i]))
    assert ledger.history(1, "synthetic", 9) is None
    for i in range(9):
        if i == 6:
            ledger.passed_over(1, i)
        else:
            ledger.record(1, i, _snapshot(versions[i]))
    got = ledger.history(1, "synthetic", 9)
    want = [arrival_point(versions[i]) for i in range(9) if i != 6]
    assert got == want
    assert ledger.history(2, "synthetic", 9) is None  # another night (generation)


def test_the_ledger_is_bounded_and_shares_an_unchanged_race() -> None:
    versions = _night(list(range(200)), _precincts(200, seed=3), steps=20)
    ledger = ArrivalLedger()
    snap = _snapshot(versions[3])
    for i in range(3 * arrival.MAX_POINTS):
        ledger.record(1, i, snap)  # the same race object every time
    kept = ledger._points["synthetic"]
    assert len(kept) <= 2 * arrival.MAX_POINTS + 1
    assert len({id(p) for p in kept.values()}) == 1
    last = 3 * arrival.MAX_POINTS
    assert len(ledger.history(1, "synthetic", last) or []) == arrival.MAX_POINTS
    assert ledger.history(1, "synthetic", 5) is None  # its earlier versions are no longer kept


# --- the same projection in the command line and in the window -------------------------------------
def test_projections_of_a_night_read_its_earlier_versions(tracker_home) -> None:
    rows = project_night(APRIL, contest="U.S. Representative")
    assert rows and {r.model_version for r in rows} == {MODEL_VERSION}


def test_the_window_projects_a_version_with_its_history_once_it_is_read(tracker_home) -> None:
    from tests.test_watch_jobs import QueuedHost, recording_events
    from tracker.store import Store
    from tracker.watch.night_jobs import NightJobs

    store = Store()
    host = QueuedHost(store)
    events, calls = recording_events()
    nights = NightJobs(host, events, cache_size=4)
    try:
        nights.open(APRIL)
        host.drain()
        mid = 21  # about half of the vote counted: projected, not final
        nights.request_snapshot(mid)
        host.drain()
        entry = nights.cache.history_entry(nights.generation, mid)
        assert entry is not None
        race = next(p for p in entry[1].values() if p.contest_name.startswith("U.S. Representative"))
        assert race.status == "projected"
        assert race.model_version == MODEL_VERSION  # re-projected with the night before it
        answers = [a[0] for n, a in calls if n == "snapshot_ready"]
        assert answers.count(mid) == 2  # shown first from itself, then with its history
        snap = nights.cache.get((nights.generation, mid))
        assert snap is not None
        first = race.candidates[0]
        rows = project_night(APRIL, contest="U.S. Representative")
        cli = [r for r in rows if r.version == snap.version and r.candidate_id == first.candidate_id]
        assert cli and cli[0].share == pytest.approx(first.share, abs=1e-6)
        assert cli[0].lo == pytest.approx(first.lo, abs=1e-6)
        assert cli[0].model_version == race.model_version
    finally:
        nights.close()
        store.close()


def test_the_projection_line_says_when_it_stands_on_one_version_alone() -> None:
    from tracker.ui.expected_texts import basis_text

    versions = _night(list(range(200)), _precincts(200, seed=3), steps=20)
    alone = project_contest(versions[9])
    with_night = project_contest(versions[9], None, [arrival_point(c) for c in versions[:9]])
    assert "from this version alone" in basis_text(alone)
    assert "from this version alone" not in basis_text(with_night)
