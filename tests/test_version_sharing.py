"""Versions share the contests that did not change, and the parsed-version cache is bounded by bytes.

Real data: Gwinnett County's 2020 detail XML (49 contests), and a second version of it made by
changing one precinct's votes in its bytes, so exactly one contest differs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tracker.core.model import Snapshot
from tracker.feeds.clarity import parse_detail_xml
from tracker.watch.version_cache import (
    CELL_BYTES,
    Parsed,
    SharedContests,
    VersionCache,
    contest_bytes,
    estimate_all,
    project_all,
)

GWINNETT = "clarity/wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml"


@pytest.fixture(scope="module")
def two_versions(shared_data: Path) -> tuple[Snapshot, Snapshot, Snapshot]:
    """(v1, v1 parsed again, v2 with one cell of the first contest changed)."""
    data = (shared_data / GWINNETT).read_bytes()
    at = data.index(b'votes="', data.index(b"<Precinct ", data.index(b"<Choice "))) + len(b'votes="')
    changed = data[:at] + b"1" + data[at:]
    return parse_detail_xml(data), parse_detail_xml(data), parse_detail_xml(changed)


def test_an_unchanged_contest_is_the_same_object_in_the_next_version(two_versions) -> None:  # type: ignore[no-untyped-def]
    v1, v1_again, v2 = two_versions
    shared = SharedContests()
    first = shared.share(0, v1)
    assert first is v1
    again = shared.share(0, v1_again)
    assert again == v1_again and all(a is b for a, b in zip(again.contests, v1.contests, strict=True))
    second = shared.share(0, v2)
    assert second == v2  # the numbers are v2's own
    same = [a is b for a, b in zip(second.contests, v1.contests, strict=True)]
    assert same.count(False) == 1 and not same[0]
    assert second.contests[0].unit_totals != v1.contests[0].unit_totals  # (the stated totals did not change)


def test_another_night_shares_nothing(two_versions) -> None:  # type: ignore[no-untyped-def]
    v1, v1_again, _ = two_versions
    shared = SharedContests()
    shared.share(0, v1)
    other = shared.share(1, v1_again)
    assert all(a is b for a, b in zip(other.contests, v1_again.contests, strict=True))


def test_a_shared_contest_keeps_its_projection_and_estimate(two_versions) -> None:  # type: ignore[no-untyped-def]
    v1, v1_again, v2 = two_versions
    shared = SharedContests()
    p1 = project_all(shared.share(0, v1), {}, shared)
    e1 = estimate_all(v1, shared)
    again = shared.share(0, v1_again)
    p_again = project_all(again, {}, shared)
    assert all(p_again[c.id] is p1[c.id] for c in v1.contests)
    assert estimate_all(again, shared) == e1
    second = shared.share(0, v2)
    p2 = project_all(second, {}, shared)
    first_id = v2.contests[0].id
    assert p2[first_id] is not p1[first_id]
    assert p2 == project_all(v2, {})  # what a fresh projection of v2 says


def test_the_cache_is_bounded_by_bytes_and_counts_shared_contests_once(two_versions) -> None:  # type: ignore[no-untyped-def]
    v1, v1_again, v2 = two_versions
    size = sum(contest_bytes(c) for c in v1.contests)
    assert size > CELL_BYTES * 10_000  # Gwinnett has ~38,000 cells
    cache = VersionCache(size=12, max_bytes=int(size * 1.5))
    shared = SharedContests()
    cache.put((0, 0), Parsed(shared.share(0, v1), {}))
    cache.put((0, 1), Parsed(shared.share(0, v2), {}))  # shares 48 of 49 contests: fits
    assert cache.get((0, 0)) is not None and cache.get((0, 1)) is not None
    assert size <= cache.bytes_held < size * 1.5
    unshared = dataclasses.replace(v1_again, version="unshared copy")
    cache.put((0, 2), Parsed(unshared, {}))  # nothing shared: the least recently used goes
    assert cache.get((0, 2)) is not None
    assert cache.get((0, 0)) is None
    assert cache.bytes_held <= size * 1.5


def test_the_newest_version_stays_even_over_the_bytes(two_versions) -> None:  # type: ignore[no-untyped-def]
    v1, _, _ = two_versions
    cache = VersionCache(size=12, max_bytes=1)
    cache.put((0, 0), Parsed(v1, {}))
    assert cache.get((0, 0)) is v1
