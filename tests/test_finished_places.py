"""Which places look finished on a feed that never says, and what they tell: the night's turnout
ratio (``finished_places.read_finished``), which places may be read so (``could_finish``) and the
swing of the whole (``prior_rest.finished_swing``). The numbers below are constructed (drawn from
a seeded generator), not from a feed; the real night is in the slow test at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracker.core.county_evidence import could_finish
from tracker.core.finished_places import MIN_FINISHED, read_finished
from tracker.core.prior_rest import finished_swing
from tracker.core.turnout_prior import SPECIAL


def _constructed_night(seed: int, ratio: float = 0.9, done: int = 30, counting: int = 40):
    """Places' count / baseline: ``done`` finished ones at ``ratio`` (2 % spread), ``counting``
    ones at a uniform part of theirs."""
    rng = np.random.default_rng(seed)
    finished = ratio * np.exp(rng.normal(0.0, 0.02, done))
    still = ratio * np.exp(rng.normal(0.0, 0.02, counting)) * rng.uniform(0.05, 0.95, counting)
    return np.concatenate([finished, still])


@pytest.mark.parametrize("seed", range(4))
def test_the_finished_places_give_the_nights_ratio(seed):
    floors = _constructed_night(seed)
    found = read_finished(floors, np.ones(len(floors), dtype=bool), SPECIAL)
    assert found is not None
    # the prior's median above what a fifth have reached would say ~0.97 (the band tops at 1.0)
    assert found.ratio == pytest.approx(0.9, abs=0.015)
    assert found.p_done[:30].mean() > 0.8 > 0.2 > found.p_done[30:].mean()


def test_places_that_cannot_be_finished_are_never_read_so():
    floors = _constructed_night(0)
    eligible = np.zeros(len(floors), dtype=bool)
    assert read_finished(floors, eligible, SPECIAL) is None
    eligible[:3] = True  # fewer than MIN_FINISHED could be
    assert MIN_FINISHED > 3 and read_finished(floors, eligible, SPECIAL) is None
    eligible[:] = True
    eligible[:10] = False  # ten finished places held back: never read as finished
    found = read_finished(floors, eligible, SPECIAL)
    assert found is not None and not found.p_done[:10].any()


def test_the_ratio_is_never_below_what_a_fifth_of_the_places_reached():
    floors = _constructed_night(1)
    sizes = np.ones(len(floors))
    sizes[:30] = 1.0
    floors[:10] *= 0.9  # the small places that finished first turned out less
    found = read_finished(floors, np.ones(len(floors), dtype=bool), SPECIAL, sizes)
    assert found is not None
    assert found.ratio >= np.quantile(floors, 0.8) - 1e-12


def test_a_big_finished_place_weighs_by_its_size():
    floors = _constructed_night(2)
    small = read_finished(floors, np.ones(len(floors), dtype=bool), SPECIAL, np.ones(len(floors)))
    sizes = np.ones(len(floors))
    top = int(np.argmax(np.where(np.arange(len(floors)) < 30, floors, 0)))
    sizes[top] = 1000.0
    big = read_finished(floors, np.ones(len(floors), dtype=bool), SPECIAL, sizes)
    assert small is not None and big is not None
    assert big.ratio > small.ratio


def test_only_a_feed_with_one_total_per_place_may_read_a_place_as_finished():
    group = np.asarray([0, 0, 1, 1, 2, 2])
    totals = np.asarray([5.0, 3.0, 0.0, 0.0, 4.0, 0.0])
    untyped = np.asarray(["total"] * 6)
    assert could_finish(group, 3, untyped, totals).tolist() == [True, False, True]
    # with vote types a still county with every type in is often pausing between batches
    typed = np.asarray(["early", "election_day"] * 3)
    assert not could_finish(group, 3, typed, totals).any()


def test_the_swing_is_read_from_the_finished_places_only():
    # five finished places 2 points more for A than their baseline; one still counting whose
    # early ballots stand 10 points more
    base = np.asarray([[0.5, 0.5], [0.6, 0.4], [0.4, 0.6], [0.5, 0.5], [0.3, 0.7], [0.6, 0.4]])
    counted = (base + np.asarray([0.02, -0.02])) * 100.0
    counted[5] = [70.0, 30.0]
    totals = counted.sum(axis=1)
    finished = np.asarray([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    pool = np.ones(6, dtype=bool)
    swing = finished_swing(pool, counted, totals, base, finished)
    assert swing is not None and swing[0] == pytest.approx(0.02)
    finished[4] = 0.0  # fewer than MIN_FINISHED: nothing to read
    assert finished_swing(pool, counted, totals, base, finished) is None


@pytest.mark.slow
def test_georgia_2021_at_half_counted_sizes_the_night_from_the_finished_counties(
    shared_data: Path, tmp_path: Path
):
    """Clarity's ALL.json of Georgia's 2021 runoff (one total per county, nothing marked complete),
    November 2020 by county as baseline, projected version by version as the window does."""
    from benchmarks.backtest import ga2021_night
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile
    from tracker.archive.projections import baseline_for, load_baselines
    from tracker.core.arrival import MAX_POINTS, arrival_point
    from tracker.core.projection import project_contest

    made = ga2021_night(tmp_path)
    if made is None:
        pytest.skip("the GA 2021 recording is not in the shared data")
    night_path, base_path = made
    with NightFile.open(night_path) as night:
        baselines = load_baselines(night, str(base_path))
        versions = night.versions()
        chain = VersionChain(night, versions)
        contests = [chain.snapshot(i).contest("10000") for i in range(len(versions))]
        date = chain.snapshot(len(versions) - 1).election.date
    final = contests[-1]
    base = baseline_for(baselines, final, date)
    ossoff = final.totals["2"] / final.total_votes  # 50.61 %
    history: list = []
    for contest in contests:
        proj = project_contest(contest, base, list(history))
        history.append(arrival_point(contest, history[-1] if history else None))
        del history[:-MAX_POINTS]
        if contest.total_votes >= 0.5 * final.total_votes:
            break
    out = final.total_votes - contest.total_votes
    assert proj.outstanding is not None
    # expected-vote-6 put 2.50 million still out (2.09 were) and Ossoff 2.0 points off
    assert abs(proj.outstanding.expected - out) < 0.1 * out
    o = proj.candidate("2")
    assert o.share is not None and o.lo is not None and o.hi is not None
    assert abs(o.share - ossoff) < 0.015 and o.lo <= ossoff <= o.hi
