"""A race by id or part of its name (tracker.core.lookup), on the real Georgia 2020 summary: the
one rule the CLI, the archive's exports and the window share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.archive.projections import pick_contest
from tracker.core.errors import TrackerError
from tracker.core.lookup import find_contests, no_such_contest
from tracker.core.model import Snapshot
from tracker.feeds import registry

GA_FILE = "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"


@pytest.fixture(scope="module")
def ga2020(shared_data: Path) -> Snapshot:
    return registry.parse_payload((shared_data / GA_FILE).read_bytes(), source=GA_FILE)


def test_an_id_wins_over_names_that_contain_it(ga2020: Snapshot) -> None:
    # "5000" is the presidency's id; no name holds it, but an id must win even where one would.
    assert [c.name for c in find_contests(ga2020.contests, "5000")] == ["President of the United States"]


def test_part_of_a_name_matches_case_insensitively_in_order(ga2020: Snapshot) -> None:
    found = find_contests(ga2020.contests, "us senate")
    assert [c.id for c in found][:2] == ["10000", "10100"]
    assert all("us senate" in c.name.casefold() for c in found)


def test_candidates_only_when_asked(ga2020: Snapshot) -> None:
    assert find_contests(ga2020.contests, "Ossoff") == []
    assert [c.id for c in find_contests(ga2020.contests, "Ossoff", candidates=True)] == ["10000"]


def test_no_match_is_one_sentence_listing_the_races(ga2020: Snapshot) -> None:
    assert find_contests(ga2020.contests, "dogcatcher") == []
    text = no_such_contest("dogcatcher", ga2020.contests, noun="race")
    assert text.startswith(
        "no race 'dogcatcher' in this night; it has: 5000 (President of the United States);"
    )
    with pytest.raises(TrackerError, match="no contest 'dogcatcher'"):
        pick_contest(ga2020, "dogcatcher")
    assert pick_contest(ga2020, "senate").id == "10000"
