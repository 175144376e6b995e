"""Per-race facts for the race list (margin, leader, over the line, still counting) and when each
race last changed, on real payloads (AP 26 April 2016, Georgia's 2020 general summary) checked
against the feed's own numbers, plus synthetic histories for the walk back through versions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.core.model import Snapshot
from tracker.core.race_facts import (
    LastChange,
    LastChangeTracker,
    fingerprint,
    fingerprints,
    last_changes,
    race_facts,
)
from tracker.core.threshold import ThresholdRule
from tracker.feeds import registry

AP_FILE = "ap/newsdev-elex_20160426_ct_rollups.json"
GA_FILE = "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"


@pytest.fixture(scope="module")
def ga2020(shared_data: Path) -> Snapshot:
    return registry.parse_payload((shared_data / GA_FILE).read_bytes(), source=GA_FILE)


@pytest.fixture(scope="module")
def ap2016(shared_data: Path) -> Snapshot:
    return registry.parse_payload((shared_data / AP_FILE).read_bytes(), source=AP_FILE)


def test_facts_agree_with_the_ga_summary_file_itself(shared_data: Path, ga2020: Snapshot) -> None:
    """Margin, leader, precincts and counting computed from the raw JSON (K, CH, V, PR, TP)."""
    raw = {c["K"]: c for c in json.loads((shared_data / GA_FILE).read_bytes())}
    assert len(ga2020.contests) == len(raw) == 298
    for contest in ga2020.contests:
        facts, doc = race_facts(contest), raw[contest.id]
        votes = doc["V"]
        assert (facts.reporting, facts.total, facts.votes) == (doc["PR"], doc["TP"], sum(votes))
        assert facts.counting == (doc["PR"] < doc["TP"])
        assert facts.folded == contest.name.casefold()
        ordered = sorted(votes, reverse=True)
        if sum(votes) and len(votes) > 1:
            assert facts.margin == pytest.approx((ordered[0] - ordered[1]) * 100 / sum(votes))
            assert votes[[" ".join(n.split()) for n in doc["CH"]].index(facts.leader)] == ordered[0]
        else:
            assert facts.margin is None
    president = race_facts(ga2020.contest("5000"))
    # Biden 2,471,955, Trump 2,457,910 of 4,991,923: 0.28 points, nobody over 50 %.
    assert president.leader.startswith("Joseph R. Biden")
    assert president.margin == pytest.approx((2471955 - 2457910) * 100 / 4991923)
    assert not president.crossed


def test_crossed_means_strictly_over_the_line(ap2016: Snapshot) -> None:
    # CT, DE, MD, PA, RI primaries elect by plurality: no line, so nothing crosses one; read
    # under a majority rule, a race has crossed exactly when someone is strictly over half.
    assert all(not c.threshold.has_line for c in ap2016.contests)
    assert not any(race_facts(c).crossed for c in ap2016.contests)
    for contest in ap2016.contests:
        contest = dataclasses.replace(contest, threshold=ThresholdRule.majority())
        facts = race_facts(contest)
        total = contest.total_votes
        over = any(v * 2 > total for v in contest.totals.values()) if total else False
        assert facts.crossed == (over and contest.vote_for == 1), contest.name
    # Exactly 50 % has not crossed a majority line; a plurality race has no line at all.
    contest = next(c for c in ap2016.contests if len(c.candidates) == 2 and c.total_votes)
    contest = dataclasses.replace(contest, threshold=ThresholdRule.majority())
    a, b = (cand.id for cand in contest.candidates)
    unit = dataclasses.replace(contest.units[0], votes={a: {"Total": 500}, b: {"Total": 500}})
    tied = dataclasses.replace(contest, units=(unit,), reported_totals=None)
    assert not race_facts(tied).crossed and race_facts(tied).margin == 0.0
    plurality = dataclasses.replace(contest, threshold=ThresholdRule("plurality"))
    assert not race_facts(plurality).crossed


def test_fingerprint_changes_with_counts_and_precincts_only(ap2016: Snapshot) -> None:
    contest = next(c for c in ap2016.contests if c.total_votes)
    same = dataclasses.replace(contest)  # a new object (its cached totals gone), same numbers
    assert fingerprint(same) == fingerprint(contest)
    unit = contest.units[0]
    cid = next(iter(unit.votes))
    bumped = {**unit.votes, cid: {k: v + 1 for k, v in unit.votes[cid].items()}}
    changed = dataclasses.replace(
        contest, units=(dataclasses.replace(unit, votes=bumped), *contest.units[1:])
    )
    assert fingerprint(changed) != fingerprint(contest)
    assert set(fingerprints(ap2016)) == {c.id for c in ap2016.contests}


def test_last_changes_walks_back_to_the_change() -> None:
    """Synthetic fingerprints: race a changes at versions 1 and 3, b never, c at 2."""
    history = {
        0: {"a": 1, "b": 7, "c": 5},
        1: {"a": 2, "b": 7, "c": 5},
        2: {"a": 2, "b": 7, "c": 6},
        3: {"a": 3, "b": 7, "c": 6},
        4: {"a": 3, "b": 7, "c": 6},
    }
    assert last_changes(history, 4) == {
        "a": LastChange(3, True),
        "b": LastChange(0, True),
        "c": LastChange(2, True),
    }
    assert last_changes(history, 2)["a"] == LastChange(1, True)
    # Versions 1–2 not read: a's change is known only to be at or before 3; c's at or before 3.
    sparse = {i: history[i] for i in (0, 3, 4)}
    assert last_changes(sparse, 4) == {
        "a": LastChange(3, False),
        "b": LastChange(0, True),
        "c": LastChange(3, False),
    }
    # Nothing before the version read: unchanged as far as we know, since then (not exact).
    assert last_changes({4: history[4]}, 4)["b"] == LastChange(4, False)
    # A race that appears is "changed" when it appears.
    grown = {**history, 5: {**history[4], "d": 9}}
    assert last_changes(grown, 5)["d"] == LastChange(5, True)
    assert last_changes(history, 9) == {}


# Synthetic histories: 8 versions of up to 4 races whose fingerprints take 3 values (so they often
# stay the same), a race sometimes missing; the window reads versions in any order and moves anywhere.
_version = st.dictionaries(st.sampled_from("abcd"), st.integers(0, 2), min_size=1)


@settings(max_examples=300, deadline=None)
@given(
    versions=st.lists(_version, min_size=8, max_size=8),
    steps=st.lists(st.tuples(st.integers(0, 7), st.sets(st.integers(0, 7))), min_size=1, max_size=12),
)
def test_tracker_answers_exactly_what_the_full_walk_does(
    versions: list[dict[str, int]], steps: list[tuple[int, set[int]]]
) -> None:
    """Each step: some versions become known (read for the timeline or shown), then the window
    shows one; the tracker's answer must equal a walk back from scratch."""
    history: dict[int, dict[str, int]] = {}
    tracker = LastChangeTracker()
    for upto, learnt in steps:
        for i in learnt | {upto}:
            history.setdefault(i, versions[i])
        assert tracker.update(dict(history), upto) == last_changes(history, upto)


def test_tracker_following_versions_one_by_one_compares_only_the_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Synthetic: 200 versions of 1,000 races, a version at a time (as a live feed): the answer
    is the full walk's, a race changed in the newest version is placed there, and the full walk
    ran only for the first version."""
    from tracker.core import race_facts as module

    walks: list[int] = []

    def counted(history: dict[int, dict[str, int]], upto: int) -> dict[str, LastChange]:
        walks.append(upto)
        return last_changes(history, upto)

    monkeypatch.setattr(module, "last_changes", counted)
    history: dict[int, dict[str, int]] = {}
    tracker = LastChangeTracker()
    prints = {f"race-{k}": 0 for k in range(1000)}
    for n in range(200):
        prints = {**prints, f"race-{n * 7 % 1000}": n}
        history[n] = prints
        got = tracker.update(history, n)
        if n % 50 == 0:
            assert got == last_changes(history, n)
    assert got[f"race-{199 * 7 % 1000}"] == LastChange(199, True)
    assert got["race-2"] == LastChange(0, True)
    assert walks == [0]
    tracker.update(history, 150)  # a seek back: walked again
    assert walks == [0, 150]
